from __future__ import annotations

import json
from pathlib import Path

from runtime_support import StepClock, frame_offsets, in_memory, order_flow, setup_commands

from seawall.runtime.recovery import journal_path, open_data_dir
from seawall.runtime.sequencer import Sequencer
from seawall.runtime.snapshot import snapshot_path
from seawall.runtime.verify import verify

LOAD = setup_commands() + order_flow(120, seed=5)


def serve(data_dir: Path) -> None:
    opened = open_data_dir(data_dir)
    sequencer = Sequencer(opened.venue, opened.writer, StepClock(), snapshot_every=50)
    for i in range(0, len(LOAD), 4):
        sequencer.submit_batch(LOAD[i : i + 4])
    sequencer.close()


def files(data_dir: Path) -> dict[str, tuple[bytes, int]]:
    return {p.name: (p.read_bytes(), p.stat().st_mtime_ns) for p in sorted(data_dir.iterdir())}


def test_healthy_directory(tmp_path: Path) -> None:
    serve(tmp_path)
    report = verify(tmp_path)
    assert report.ok
    assert (report.first_seq, report.last_seq) == (1, len(LOAD))
    assert sum(report.counts.values()) == len(LOAD)
    assert report.counts["deposit"] >= 4 and report.counts["new_order"] > 0
    assert report.checkpoints == 2 and report.checkpoint_mismatches == []
    assert [s.seq for s in report.snapshots] == [104, 52]
    assert all(s.problem is None and s.matches_replay for s in report.snapshots)
    assert report.state_hash == in_memory(LOAD).state_hash()
    assert report.render()[-1].endswith("OK")
    assert json.loads(json.dumps(report.to_dict()))["state_hash"] == report.state_hash


def test_torn_tail_is_reported_and_nothing_is_changed(tmp_path: Path) -> None:
    serve(tmp_path)
    journal = journal_path(tmp_path)
    data = journal.read_bytes()
    journal.write_bytes(data[:-7])
    before = files(tmp_path)
    report = verify(tmp_path)
    assert files(tmp_path) == before
    assert report.ok
    assert report.torn is not None and report.torn.offset == frame_offsets(data)[-1]
    assert report.last_seq == len(LOAD) - 1
    assert any("torn tail" in line for line in report.render())
    assert verify(journal).to_dict() == report.to_dict()


def test_corruption_and_a_bad_snapshot_are_reported_and_nothing_is_changed(
    tmp_path: Path,
) -> None:
    serve(tmp_path)
    journal = journal_path(tmp_path)
    data = bytearray(journal.read_bytes())
    target = frame_offsets(bytes(data))[30]
    data[target + 9] ^= 0x40
    journal.write_bytes(data)
    snapshot = snapshot_path(tmp_path, 104)
    snapshot.write_bytes(snapshot.read_bytes()[:-1])
    before = files(tmp_path)
    report = verify(tmp_path)
    assert files(tmp_path) == before
    assert not report.ok
    assert report.corrupt_offset == target and report.problem is not None
    assert str(journal) in report.problem
    assert report.last_seq == 29
    [bad, good] = report.snapshots
    assert bad.problem is not None and "frame says" in bad.problem
    assert good.problem is None and good.matches_replay is None  # beyond the readable part
    assert report.render()[-1].endswith("FAILED")
    assert report.to_dict()["corrupt_offset"] == target


def test_missing_journal_or_directory(tmp_path: Path) -> None:
    for path in (tmp_path, tmp_path / "absent"):
        report = verify(path)
        assert not report.ok and report.problem is not None and "No such file" in report.problem
        assert report.render()[-1].endswith("FAILED")
