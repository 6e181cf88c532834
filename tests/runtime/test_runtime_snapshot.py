from __future__ import annotations

from pathlib import Path

import pytest
from runtime_support import in_memory, order_flow, setup_commands

from seawall.core.commands import Command
from seawall.runtime.errors import SnapshotHashMismatchError
from seawall.runtime.journal import JournalWriter
from seawall.runtime.recovery import journal_path, recover
from seawall.runtime.snapshot import (
    newest_snapshot,
    prune_snapshots,
    snapshot_files,
    snapshot_path,
    write_snapshot,
)

LOAD = setup_commands() + order_flow(60, seed=11)


def journal_and_snapshots(data_dir: Path, cmds: list[Command], at: list[int]) -> None:
    """A journal of ``cmds`` and a snapshot after each seq in ``at``."""
    venue = in_memory([])
    with JournalWriter.create(journal_path(data_dir), venue.config) as writer:
        for seq, command in enumerate(cmds, start=1):
            writer.append(seq, seq * 1_000, command)
            venue.process(command, seq * 1_000)
            if seq in at:
                write_snapshot(data_dir, seq, venue.state_hash(), venue.export_state())


def test_newest_valid_snapshot_is_chosen(tmp_path: Path) -> None:
    journal_and_snapshots(tmp_path, LOAD, [10, 30, 50])
    snapshot, skipped = newest_snapshot(tmp_path)
    assert snapshot is not None and snapshot.record.seq == 50 and skipped == []
    result = recover(tmp_path)
    assert result.snapshot == snapshot_path(tmp_path, 50)
    assert result.replayed == len(LOAD) - 50
    assert result.state_hash == in_memory(LOAD).state_hash()


@pytest.mark.parametrize(
    ("damage", "problem"),
    [
        (lambda b: b[:-10], "frame says"),
        (lambda b: b[:5], "truncated"),
        (lambda b: b[:40] + bytes([b[40] ^ 1]) + b[41:], "checksum mismatch"),
    ],
)
def test_damaged_newest_snapshot_is_skipped_and_reported(
    tmp_path: Path, damage: object, problem: str
) -> None:
    assert callable(damage)
    journal_and_snapshots(tmp_path, LOAD, [30, 50])
    newest = snapshot_path(tmp_path, 50)
    newest.write_bytes(damage(newest.read_bytes()))
    result = recover(tmp_path)
    assert result.snapshot == snapshot_path(tmp_path, 30)
    [skipped] = result.skipped_snapshots
    assert skipped.path == newest and problem in skipped.problem
    assert result.state_hash == in_memory(LOAD).state_hash()


def test_snapshot_under_the_wrong_name_is_skipped(tmp_path: Path) -> None:
    journal_and_snapshots(tmp_path, LOAD, [30])
    snapshot_path(tmp_path, 30).rename(snapshot_path(tmp_path, 40))
    snapshot, [skipped] = newest_snapshot(tmp_path)
    assert snapshot is None and "holds seq 30" in skipped.problem


def test_snapshot_whose_state_does_not_match_its_hash_is_refused(tmp_path: Path) -> None:
    journal_and_snapshots(tmp_path, LOAD, [])
    venue = in_memory(LOAD[:20])
    write_snapshot(tmp_path, 20, in_memory(LOAD[:19]).state_hash(), venue.export_state())
    with pytest.raises(SnapshotHashMismatchError) as info:
        recover(tmp_path)
    assert info.value.path == snapshot_path(tmp_path, 20)
    assert info.value.restored == venue.state_hash()


def test_prune_keeps_the_newest_and_removes_leftovers(tmp_path: Path) -> None:
    journal_and_snapshots(tmp_path, LOAD, [10, 20, 30, 40])
    leftover = tmp_path / (snapshot_path(tmp_path, 50).name + ".tmp")
    leftover.write_bytes(b"half")
    prune_snapshots(tmp_path, keep=2)
    assert [seq for seq, _ in snapshot_files(tmp_path)] == [40, 30]
    assert not leftover.exists()
