"""The journal: every command, in sequence, on disk before its effects are acknowledged.

A journal is one append-only file of frames::

    <u32 little-endian payload length> <u32 CRC32 of the payload> <msgpack payload>

The first record is a :class:`JournalHeader` (format version and the venue's
configuration); then come :class:`CommandRecord` s with contiguous sequence
numbers from 1, and :class:`CheckpointRecord` s that pin the state hash at the
seq where a snapshot was taken, so that a replay proves it rebuilt the same
state. Damage at the very end is a torn tail from a crash mid-write and is cut
off; damage with an intact frame after it is corruption and is refused (see
docs/adr/0004-journal-and-recovery.md).
"""

from __future__ import annotations

import fcntl
import mmap
import os
import sys
import time
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path
from types import TracebackType

import msgspec

from seawall.core.commands import Command
from seawall.core.config import VenueConfig
from seawall.runtime.durable import FRAME, frame, write_atomically
from seawall.runtime.errors import JournalCorruptError

JOURNAL_FORMAT = 1
"""Version of the record layout; a reader refuses formats it does not know."""

MAX_RECORD_SIZE = 1 << 20
"""Larger than any real record; a bigger length field is damage, not data."""

FRAME_HEADER_SIZE = FRAME.size


class JournalHeader(msgspec.Struct, frozen=True, array_like=True, tag_field="kind", tag="header"):
    format: int
    config: VenueConfig


class CommandRecord(
    msgspec.Struct, frozen=True, gc=False, array_like=True, tag_field="kind", tag="command"
):
    seq: int
    ts: int
    command: Command


class CheckpointRecord(
    msgspec.Struct, frozen=True, gc=False, array_like=True, tag_field="kind", tag="checkpoint"
):
    """The venue's state hash after processing ``seq``."""

    seq: int
    state_hash: str


Record = JournalHeader | CommandRecord | CheckpointRecord
_DECODER: msgspec.msgpack.Decoder[Record] = msgspec.msgpack.Decoder(Record)

if sys.platform == "darwin":
    _datasync = os.fsync
else:
    _datasync = os.fdatasync  # enough for appends: it also flushes the new file size


class FsyncPolicy(StrEnum):
    """When a commit forces its bytes to stable storage."""

    ALWAYS = "always"  # every commit: an acknowledged command survives power loss
    INTERVAL = "interval"  # at most once per interval: a crash may lose the last interval
    NEVER = "never"  # the OS decides: survives a process crash, not a power loss


@dataclass(frozen=True)
class TornTail:
    """The unfinished end of a journal left by a crash mid-write."""

    offset: int
    length: int
    problem: str


@dataclass(frozen=True)
class JournalScan:
    """What a full read of a journal found; enough to reopen it for appending."""

    path: Path
    header: JournalHeader
    end_offset: int
    last_seq: int
    torn: TornTail | None


def _frame_problem(mm: mmap.mmap, offset: int, size: int) -> tuple[int, str]:
    """The payload length of the frame at ``offset``, or 0 and what is wrong with it."""
    if size - offset < FRAME_HEADER_SIZE:
        return 0, f"incomplete frame header ({size - offset} bytes)"
    length, crc = FRAME.unpack_from(mm, offset)
    if not 0 < length <= MAX_RECORD_SIZE:
        return 0, f"implausible frame length {length}"
    start = offset + FRAME_HEADER_SIZE
    if start + length > size:
        return 0, f"frame of {length} bytes runs past the end of the file"
    if zlib.crc32(mm[start : start + length]) != crc:
        return 0, "checksum mismatch"
    return length, ""


def _next_intact_frame(mm: mmap.mmap, start: int, size: int) -> int | None:
    """The offset of the first frame at or after ``start`` whose checksum holds.

    Only called on damage: if an intact frame follows, the damage is not a torn tail.
    """
    for offset in range(start, size - FRAME_HEADER_SIZE):
        if _frame_problem(mm, offset, size)[0]:
            return offset
    return None


class JournalReader:
    """Reads a journal front to back without changing it.

    :meth:`records` yields command and checkpoint records; a torn tail ends the
    iteration and is left in :attr:`torn`, anything else raises
    :class:`JournalCorruptError`.
    """

    def __init__(self, path: Path) -> None:
        self.path = path
        with open(path, "rb") as file:
            self._size = os.fstat(file.fileno()).st_size
            if self._size == 0:
                raise JournalCorruptError(path, 0, "empty file, no header")
            self._mm = mmap.mmap(file.fileno(), 0, access=mmap.ACCESS_READ)
        self.torn: TornTail | None = None
        self.last_seq = 0
        self._done = False
        try:
            self.header, self.end_offset = self._read_header()
        except JournalCorruptError:
            self.close()
            raise

    def _read_header(self) -> tuple[JournalHeader, int]:
        length, problem = _frame_problem(self._mm, 0, self._size)
        header = self._decode(0, length) if length else None
        if not isinstance(header, JournalHeader):
            problem = problem or "not a header record"
            raise JournalCorruptError(self.path, 0, f"no valid header ({problem})")
        if header.format != JOURNAL_FORMAT:
            raise JournalCorruptError(self.path, 0, f"unsupported journal format {header.format}")
        return header, FRAME_HEADER_SIZE + length

    def __enter__(self) -> JournalReader:
        return self

    def __exit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()

    def close(self) -> None:
        self._mm.close()

    def records(self) -> Iterator[CommandRecord | CheckpointRecord]:
        mm, size, offset = self._mm, self._size, self.end_offset
        while offset < size:
            length, problem = _frame_problem(mm, offset, size)
            if not length:
                self._damaged(offset, problem)
                break
            record = self._decode(offset, length)
            if type(record) is CommandRecord:
                if record.seq != self.last_seq + 1:
                    raise JournalCorruptError(
                        self.path, offset, f"expected seq {self.last_seq + 1}, found {record.seq}"
                    )
                self.last_seq = record.seq
            elif type(record) is CheckpointRecord:
                if record.seq != self.last_seq:
                    raise JournalCorruptError(
                        self.path, offset, f"checkpoint for seq {record.seq} after {self.last_seq}"
                    )
            else:
                raise JournalCorruptError(self.path, offset, "a second header")
            offset += FRAME_HEADER_SIZE + length
            self.end_offset = offset
            yield record
        self._done = True

    def scan(self) -> JournalScan:
        """The summary of a finished read."""
        if not self._done:
            raise RuntimeError("the journal has not been read to the end")
        return JournalScan(self.path, self.header, self.end_offset, self.last_seq, self.torn)

    def _decode(self, offset: int, length: int) -> Record:
        start = offset + FRAME_HEADER_SIZE
        try:
            return _DECODER.decode(self._mm[start : start + length])
        except msgspec.DecodeError as exc:
            raise JournalCorruptError(
                self.path, offset, f"checksum holds but the record does not decode ({exc})"
            ) from None

    def _damaged(self, offset: int, problem: str) -> None:
        following = _next_intact_frame(self._mm, offset + 1, self._size)
        if following is not None:
            raise JournalCorruptError(
                self.path, offset, f"{problem}, and an intact frame follows at byte {following}"
            )
        self.torn = TornTail(offset, self._size - offset, problem)


def scan_journal(path: Path) -> JournalScan:
    with JournalReader(path) as reader:
        for _ in reader.records():
            pass
        return reader.scan()


class JournalWriteError(RuntimeError):
    """The journal cannot take more records; restart and recover to continue."""


def _lock(fd: int, path: Path) -> None:
    """Hold an exclusive lock so that two processes never append to one journal."""
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        os.close(fd)
        raise JournalWriteError(f"{path} is locked by another process") from None


def cut_torn_tail(scan: JournalScan) -> None:
    """Truncate the torn tail a scan found, refusing if the file changed otherwise since."""
    fd = os.open(scan.path, os.O_RDWR)
    _lock(fd, scan.path)
    try:
        size = os.fstat(fd).st_size
        if size == scan.end_offset:  # already cut
            return
        if scan.torn is None or size != scan.end_offset + scan.torn.length:
            raise JournalWriteError(f"{scan.path} changed since it was read ({size} bytes now)")
        os.ftruncate(fd, scan.end_offset)
        os.fsync(fd)
    finally:
        os.close(fd)


class JournalWriter:
    """Appends records in groups: :meth:`append` buffers, :meth:`commit` writes the group.

    A group goes out in one ``write()`` and, by :class:`FsyncPolicy`, one
    fsync, which is what makes small records cheap to make durable. After any
    write or fsync failure the writer refuses further work: what reached the
    disk is unknown, and only recovery can tell.
    """

    def __init__(
        self, path: Path, fd: int, last_seq: int, policy: FsyncPolicy, fsync_interval_ms: int
    ) -> None:
        self.path = path
        self.policy = policy
        self.last_seq = last_seq
        self.committed_seq = last_seq
        self.fsyncs = 0
        self.cut: TornTail | None = None  # the torn tail removed when reopening, if any
        self._fd = fd
        self._buffer = bytearray()
        self._interval_ns = fsync_interval_ms * 1_000_000
        self._last_sync_ns = time.monotonic_ns()
        self._unsynced = False
        self._failure: BaseException | None = None
        self._encode = msgspec.msgpack.Encoder().encode
        self._pack = FRAME.pack

    @classmethod
    def create(
        cls,
        path: Path,
        config: VenueConfig,
        policy: FsyncPolicy = FsyncPolicy.ALWAYS,
        fsync_interval_ms: int = 10,
    ) -> JournalWriter:
        """Start a new journal; it appears complete with its header or not at all."""
        if path.exists():
            raise FileExistsError(f"{path} already exists")
        write_atomically(path, frame(msgspec.msgpack.encode(JournalHeader(JOURNAL_FORMAT, config))))
        return cls._open(path, 0, policy, fsync_interval_ms)

    @classmethod
    def reopen(
        cls,
        path: Path,
        policy: FsyncPolicy = FsyncPolicy.ALWAYS,
        fsync_interval_ms: int = 10,
        scan: JournalScan | None = None,
    ) -> JournalWriter:
        """Continue an existing journal, cutting its torn tail (see :attr:`cut`).

        ``scan`` is a full read already made (by recovery) to avoid reading twice.
        """
        scan = scan if scan is not None else scan_journal(path)
        if scan.torn is not None:
            cut_torn_tail(scan)
        writer = cls._open(path, scan.last_seq, policy, fsync_interval_ms)
        if os.fstat(writer._fd).st_size != scan.end_offset:
            writer.close()
            raise JournalWriteError(f"{path} changed since it was read")
        writer.cut = scan.torn
        return writer

    @classmethod
    def _open(
        cls, path: Path, last_seq: int, policy: FsyncPolicy, fsync_interval_ms: int
    ) -> JournalWriter:
        fd = os.open(path, os.O_WRONLY | os.O_APPEND)
        _lock(fd, path)
        return cls(path, fd, last_seq, policy, fsync_interval_ms)

    def __enter__(self) -> JournalWriter:
        return self

    def __exit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()

    def append(self, seq: int, ts: int, command: Command) -> None:
        if seq != self.last_seq + 1:
            raise ValueError(f"seq {seq} does not follow {self.last_seq}")
        payload = self._encode(CommandRecord(seq, ts, command))
        try:
            # Structs are not type-checked when built; a record that does not decode
            # would make the whole journal unrecoverable, so it never gets in.
            _DECODER.decode(payload)
        except msgspec.ValidationError as exc:
            raise ValueError(f"{command!r} would not read back: {exc}") from None
        buffer = self._buffer
        buffer += self._pack(len(payload), zlib.crc32(payload))
        buffer += payload
        self.last_seq = seq

    def checkpoint(self, seq: int, state_hash: str) -> None:
        if seq != self.last_seq:
            raise ValueError(f"checkpoint for seq {seq} but the last record is seq {self.last_seq}")
        self._buffer += frame(self._encode(CheckpointRecord(seq, state_hash)))

    def commit(self) -> None:
        """Write the buffered group; once this returns, the group is acknowledged."""
        if not self._buffer:
            return
        self._check_usable()
        try:
            buffer = self._buffer
            written = os.write(self._fd, buffer)
            while written < len(buffer):  # rare: a partial write, e.g. interrupted by a signal
                written += os.write(self._fd, buffer[written:])
            self._unsynced = True
            if self.policy is FsyncPolicy.ALWAYS or (
                self.policy is FsyncPolicy.INTERVAL
                and time.monotonic_ns() - self._last_sync_ns >= self._interval_ns
            ):
                self._sync()
        except BaseException as exc:
            self._failure = exc
            self.last_seq = self.committed_seq
            raise
        finally:
            self._buffer.clear()
        self.committed_seq = self.last_seq

    def discard(self) -> None:
        """Drop the records appended since the last commit; they were never acknowledged."""
        self._buffer.clear()
        self.last_seq = self.committed_seq

    def sync(self) -> None:
        """Make everything committed durable now, whatever the policy (before a snapshot)."""
        self._check_usable()
        if self._unsynced:
            try:
                self._sync()
            except BaseException as exc:
                self._failure = exc
                raise

    def close(self) -> None:
        if self._fd < 0:
            return
        try:
            if self._failure is None:
                self.commit()
                self.sync()
        finally:
            os.close(self._fd)
            self._fd = -1

    def _sync(self) -> None:
        _datasync(self._fd)
        self.fsyncs += 1
        self._unsynced = False
        self._last_sync_ns = time.monotonic_ns()

    def _check_usable(self) -> None:
        if self._fd < 0:
            raise JournalWriteError(f"{self.path} is closed")
        if self._failure is not None:
            raise JournalWriteError(
                f"{self.path} failed earlier ({self._failure!r}); recover to continue"
            )
