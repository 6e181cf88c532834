from __future__ import annotations

import os
from pathlib import Path

import msgspec
import pytest
from runtime_support import frame_offsets, order_flow, setup_commands

from seawall.core.commands import Command, NewOrder
from seawall.core.config import VenueConfig
from seawall.core.types import Side
from seawall.runtime.durable import frame
from seawall.runtime.errors import JournalCorruptError
from seawall.runtime.journal import (
    CheckpointRecord,
    CommandRecord,
    FsyncPolicy,
    JournalReader,
    JournalWriteError,
    JournalWriter,
    scan_journal,
)


def commands(n: int = 40) -> list[Command]:
    return (setup_commands() + order_flow(n, seed=7))[:n]


def write(path: Path, cmds: list[Command], group: int = 5) -> None:
    with JournalWriter.create(path, VenueConfig(maker_fee_bps=2)) as writer:
        for seq, command in enumerate(cmds, start=1):
            writer.append(seq, seq * 10, command)
            if seq % group == 0:
                writer.commit()


def read_all(path: Path) -> list[CommandRecord | CheckpointRecord]:
    with JournalReader(path) as reader:
        return list(reader.records())


def test_round_trip(tmp_path: Path) -> None:
    path = tmp_path / "j"
    cmds = commands()
    with JournalWriter.create(path, VenueConfig(maker_fee_bps=2)) as writer:
        for seq, command in enumerate(cmds, start=1):
            writer.append(seq, seq * 10, command)
        writer.checkpoint(len(cmds), "abc")
        writer.commit()
    with JournalReader(path) as reader:
        assert reader.header.config == VenueConfig(maker_fee_bps=2)
        records = list(reader.records())
        assert reader.torn is None
        assert reader.scan().last_seq == len(cmds)
    assert records[:-1] == [CommandRecord(i, i * 10, c) for i, c in enumerate(cmds, start=1)]
    assert records[-1] == CheckpointRecord(len(cmds), "abc")


def _short_header(data: bytes, offsets: list[int]) -> tuple[bytes, int]:
    return data + b"\x05\x00\x00", len(data)


def _past_eof(data: bytes, offsets: list[int]) -> tuple[bytes, int]:
    return data[:-3], offsets[-1]


def _bad_final_crc(data: bytes, offsets: list[int]) -> tuple[bytes, int]:
    damaged = bytearray(data)
    damaged[-1] ^= 0xFF
    return bytes(damaged), offsets[-1]


def _zero_filled(data: bytes, offsets: list[int]) -> tuple[bytes, int]:
    return data + bytes(4096), len(data)


@pytest.mark.parametrize("damage", [_short_header, _past_eof, _bad_final_crc, _zero_filled])
def test_torn_tail_is_cut_and_appending_continues(tmp_path: Path, damage: object) -> None:
    assert callable(damage)
    path = tmp_path / "j"
    cmds = commands(30)
    write(path, cmds)
    data = path.read_bytes()
    torn, cut_at = damage(data, frame_offsets(data))
    path.write_bytes(torn)
    survivors = len(read_all(path))

    scan = scan_journal(path)
    assert scan.torn is not None
    assert (scan.torn.offset, scan.torn.length) == (cut_at, len(torn) - cut_at)
    assert scan.last_seq == survivors

    with JournalWriter.reopen(path) as writer:
        assert writer.cut == scan.torn
        assert path.stat().st_size == cut_at
        writer.append(survivors + 1, 999, cmds[0])
    records = read_all(path)
    assert [r.seq for r in records] == list(range(1, survivors + 2))
    assert scan_journal(path).torn is None


def test_flipped_byte_in_the_middle_is_corruption(tmp_path: Path) -> None:
    path = tmp_path / "j"
    write(path, commands(30))
    data = bytearray(path.read_bytes())
    target = frame_offsets(bytes(data))[10]
    data[target + 12] ^= 0x01
    path.write_bytes(data)
    with pytest.raises(JournalCorruptError) as info:
        read_all(path)
    assert info.value.path == path
    assert info.value.offset == target
    assert str(path) in str(info.value) and f"byte {target}" in str(info.value)
    with pytest.raises(JournalCorruptError):
        JournalWriter.reopen(path)
    assert path.read_bytes() == data


def test_damaged_length_in_the_middle_is_not_mistaken_for_a_torn_tail(tmp_path: Path) -> None:
    path = tmp_path / "j"
    write(path, commands(30))
    data = bytearray(path.read_bytes())
    target = frame_offsets(bytes(data))[-3]
    data[target + 2] = 0x07  # the frame now claims to run far past the end of the file
    path.write_bytes(data)
    with pytest.raises(JournalCorruptError) as info:
        read_all(path)
    assert info.value.offset == target


def _raw_journal(path: Path, records: list[CommandRecord | CheckpointRecord]) -> None:
    header = msgspec.msgpack.encode(["header", 1, VenueConfig()])
    path.write_bytes(frame(header) + b"".join(frame(msgspec.msgpack.encode(r)) for r in records))


def test_sequence_gap_is_corruption(tmp_path: Path) -> None:
    path = tmp_path / "j"
    cmd = commands(1)[0]
    _raw_journal(path, [CommandRecord(seq, seq, cmd) for seq in (1, 2, 4)])
    with pytest.raises(JournalCorruptError, match="expected seq 3, found 4") as info:
        read_all(path)
    assert info.value.offset == frame_offsets(path.read_bytes())[3]


def test_writer_refuses_a_gap(tmp_path: Path) -> None:
    with JournalWriter.create(tmp_path / "j", VenueConfig()) as writer:
        writer.append(1, 1, commands(1)[0])
        with pytest.raises(ValueError, match="does not follow"):
            writer.append(3, 1, commands(1)[0])


def test_writer_refuses_a_command_that_would_not_read_back(tmp_path: Path) -> None:
    path = tmp_path / "j"
    ill_typed = NewOrder("alice", "A1", "XYZ", Side.BUY, "10")  # type: ignore[arg-type]
    with JournalWriter.create(path, VenueConfig()) as writer:
        with pytest.raises(ValueError, match="would not read back"):
            writer.append(1, 0, ill_typed)
        assert writer.last_seq == 0
    assert read_all(path) == []


def test_checkpoint_out_of_place_is_corruption(tmp_path: Path) -> None:
    path = tmp_path / "j"
    cmd = commands(1)[0]
    _raw_journal(
        path, [CommandRecord(1, 1, cmd), CheckpointRecord(2, "x"), CommandRecord(2, 2, cmd)]
    )
    with pytest.raises(JournalCorruptError, match="checkpoint for seq 2"):
        read_all(path)


def test_intact_but_undecodable_final_record_is_corruption(tmp_path: Path) -> None:
    path = tmp_path / "j"
    write(path, commands(3))
    with open(path, "ab") as file:
        file.write(frame(msgspec.msgpack.encode(["command", 4, "not a timestamp"])))
    with pytest.raises(JournalCorruptError, match="does not decode"):
        read_all(path)


@pytest.mark.parametrize("content", [b"", b"\x01\x00\x00\x00\x00\x00\x00\x00x"])
def test_missing_header_is_corruption(tmp_path: Path, content: bytes) -> None:
    path = tmp_path / "j"
    path.write_bytes(content)
    with pytest.raises(JournalCorruptError) as info:
        JournalReader(path)
    assert info.value.offset == 0


def test_create_refuses_to_overwrite(tmp_path: Path) -> None:
    path = tmp_path / "j"
    write(path, commands(3))
    with pytest.raises(FileExistsError):
        JournalWriter.create(path, VenueConfig())


def test_only_one_writer_at_a_time(tmp_path: Path) -> None:
    path = tmp_path / "j"
    with (
        JournalWriter.create(path, VenueConfig()),
        pytest.raises(JournalWriteError, match="locked"),
    ):
        JournalWriter.reopen(path)


@pytest.mark.parametrize(
    ("policy", "interval_ms", "expected"),
    [
        (FsyncPolicy.ALWAYS, 0, 4),
        (FsyncPolicy.INTERVAL, 0, 4),
        (FsyncPolicy.INTERVAL, 3_600_000, 0),
        (FsyncPolicy.NEVER, 0, 0),
    ],
)
def test_fsync_policy(tmp_path: Path, policy: FsyncPolicy, interval_ms: int, expected: int) -> None:
    writer = JournalWriter.create(tmp_path / "j", VenueConfig(), policy, interval_ms)
    for seq, command in enumerate(commands(4), start=1):
        writer.append(seq, 0, command)
        writer.commit()
    assert writer.fsyncs == expected
    writer.close()
    assert writer.fsyncs == max(expected, 1)  # closing makes everything durable


def test_discard_drops_the_uncommitted_group(tmp_path: Path) -> None:
    path = tmp_path / "j"
    with JournalWriter.create(path, VenueConfig()) as writer:
        writer.append(1, 0, commands(1)[0])
        writer.commit()
        writer.append(2, 0, commands(1)[0])
        writer.discard()
        assert writer.last_seq == 1
        writer.append(2, 5, commands(2)[1])
    assert read_all(path) == [
        CommandRecord(1, 0, commands(1)[0]),
        CommandRecord(2, 5, commands(2)[1]),
    ]


def test_writer_refuses_work_after_a_failed_write(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    writer = JournalWriter.create(tmp_path / "j", VenueConfig())
    writer.append(1, 0, commands(1)[0])

    def fail(fd: int, data: object) -> int:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "write", fail)
    with pytest.raises(OSError, match="No space"):
        writer.commit()
    monkeypatch.undo()
    assert writer.last_seq == 0  # the failed group is not counted as written
    writer.append(1, 0, commands(1)[0])
    with pytest.raises(JournalWriteError, match="recover to continue"):
        writer.commit()
    writer.close()
