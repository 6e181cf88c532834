"""Snapshots: the venue's whole state at a seq, so that recovery replays only the tail.

Each snapshot is one file, ``snapshot-<seq>.swsnap``, holding a single frame
(the journal's length + CRC32 framing) around a msgpack :class:`SnapshotRecord`
that carries the state hash taken when it was written. Snapshots are an
optimisation: the journal alone rebuilds everything, so a damaged snapshot is
skipped and reported, and recovery falls back to an older one or to seq 0.
"""

from __future__ import annotations

import re
import zlib
from dataclasses import dataclass
from pathlib import Path

import msgspec

from seawall.core.state import VenueState
from seawall.core.venue import Venue
from seawall.runtime.durable import FRAME, frame, write_atomically
from seawall.runtime.errors import SnapshotHashMismatchError

SNAPSHOT_FORMAT = 1
_NAME = re.compile(r"snapshot-(\d{20})\.swsnap")


class SnapshotRecord(msgspec.Struct, frozen=True):
    format: int
    seq: int
    state_hash: str
    state: VenueState


_DECODER = msgspec.msgpack.Decoder(SnapshotRecord)


@dataclass(frozen=True)
class Snapshot:
    path: Path
    record: SnapshotRecord


@dataclass(frozen=True)
class SkippedSnapshot:
    path: Path
    problem: str


class InvalidSnapshotError(ValueError):
    """A snapshot file that cannot be used; recovery skips it."""


def snapshot_path(data_dir: Path, seq: int) -> Path:
    return data_dir / f"snapshot-{seq:020d}.swsnap"


def snapshot_files(data_dir: Path) -> list[tuple[int, Path]]:
    """Every snapshot file by the seq in its name, newest first."""
    found = []
    for path in data_dir.iterdir():
        match = _NAME.fullmatch(path.name)
        if match:
            found.append((int(match.group(1)), path))
    return sorted(found, reverse=True)


def write_snapshot(data_dir: Path, seq: int, state_hash: str, state: VenueState) -> Path:
    path = snapshot_path(data_dir, seq)
    record = SnapshotRecord(SNAPSHOT_FORMAT, seq, state_hash, state)
    write_atomically(path, frame(msgspec.msgpack.encode(record)))
    return path


def read_snapshot(path: Path, seq: int) -> Snapshot:
    """The snapshot in ``path``, named for ``seq``; :class:`InvalidSnapshotError` if unusable."""
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise InvalidSnapshotError(f"cannot be read ({exc.strerror})") from None
    if len(data) < FRAME.size:
        raise InvalidSnapshotError(f"truncated ({len(data)} bytes)")
    length, crc = FRAME.unpack_from(data)
    payload = data[FRAME.size :]
    if length != len(payload):
        raise InvalidSnapshotError(f"frame says {length} bytes, file holds {len(payload)}")
    if zlib.crc32(payload) != crc:
        raise InvalidSnapshotError("checksum mismatch")
    try:
        record = _DECODER.decode(payload)
    except msgspec.DecodeError as exc:
        raise InvalidSnapshotError(f"checksum holds but it does not decode ({exc})") from None
    if record.format != SNAPSHOT_FORMAT:
        raise InvalidSnapshotError(f"unsupported snapshot format {record.format}")
    if record.seq != seq:
        raise InvalidSnapshotError(f"holds seq {record.seq}, not the {seq} its name says")
    return Snapshot(path, record)


def newest_snapshot(data_dir: Path) -> tuple[Snapshot | None, list[SkippedSnapshot]]:
    """The newest readable snapshot and the newer ones skipped as unreadable."""
    skipped: list[SkippedSnapshot] = []
    for seq, path in snapshot_files(data_dir):
        try:
            return read_snapshot(path, seq), skipped
        except InvalidSnapshotError as exc:
            skipped.append(SkippedSnapshot(path, str(exc)))
    return None, skipped


def restore_venue(snapshot: Snapshot) -> Venue:
    """Rebuild the venue, refusing a snapshot that does not restore to the state it recorded."""
    record = snapshot.record
    venue = Venue.restore(record.state)
    restored = venue.state_hash()
    if restored != record.state_hash:
        raise SnapshotHashMismatchError(snapshot.path, record.seq, record.state_hash, restored)
    return venue


def prune_snapshots(data_dir: Path, keep: int) -> None:
    """Delete all but the newest ``keep`` snapshots, and temporary files left by a crash."""
    for _, path in snapshot_files(data_dir)[keep:]:
        path.unlink()
    for temp in data_dir.glob("snapshot-*.swsnap.tmp"):
        temp.unlink()
