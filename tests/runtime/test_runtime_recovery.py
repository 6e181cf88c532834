from __future__ import annotations

import os
import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from runtime_support import (
    TS_STEP,
    StepClock,
    frame_offsets,
    in_memory,
    order_flow,
    setup_commands,
)

from seawall.core.commands import Cancel, Command, Deposit, NewOrder, Replace, Withdraw
from seawall.core.config import VenueConfig
from seawall.core.events import Event
from seawall.core.types import Side
from seawall.core.venue import Venue
from seawall.runtime.clock import ManualClock
from seawall.runtime.errors import (
    CheckpointMismatchError,
    ConfigMismatchError,
    JournalMissingError,
    SnapshotAheadOfJournalError,
)
from seawall.runtime.journal import CommandRecord, JournalReader, JournalWriter
from seawall.runtime.recovery import journal_path, open_data_dir, recover
from seawall.runtime.sequencer import Sequencer, SequencerFailedError
from seawall.runtime.snapshot import snapshot_files


def run(data_dir: Path, cmds: list[Command], snapshot_every: int = 0, batch: int = 1) -> str:
    """Serve ``cmds`` through a sequencer in ``data_dir``; the final state hash."""
    opened = open_data_dir(data_dir)
    sequencer = Sequencer(opened.venue, opened.writer, StepClock(opened.venue.ts), snapshot_every)
    for i in range(0, len(cmds), batch):
        sequencer.submit_batch(cmds[i : i + batch])
    sequencer.close()
    return sequencer.venue.state_hash()


LOAD = setup_commands() + order_flow(300, seed=3)


@pytest.mark.parametrize(("snapshot_every", "batch"), [(0, 1), (0, 16), (25, 1), (25, 7)])
def test_recovery_matches_in_memory(tmp_path: Path, snapshot_every: int, batch: int) -> None:
    live_hash = run(tmp_path, LOAD, snapshot_every, batch)
    result = recover(tmp_path)
    assert result.state_hash == live_hash == in_memory(LOAD).state_hash()
    assert result.seq == len(LOAD)
    assert result.torn_tail is None and result.skipped_snapshots == []
    if snapshot_every:
        assert result.snapshot is not None
        assert result.replayed < len(LOAD)
        assert result.checkpoints_verified >= 1
    else:
        assert result.snapshot is None and result.replayed == len(LOAD)


def test_service_resumes_after_recovery(tmp_path: Path) -> None:
    run(tmp_path, LOAD[:150], snapshot_every=40)
    run(tmp_path, LOAD[150:], snapshot_every=40)
    assert recover(tmp_path).state_hash == in_memory(LOAD).state_hash()
    assert len(snapshot_files(tmp_path)) == 3


def test_recover_cuts_and_reports_a_torn_tail(tmp_path: Path) -> None:
    run(tmp_path, LOAD[:50])
    journal = journal_path(tmp_path)
    data = journal.read_bytes()
    last = frame_offsets(data)[-1]
    journal.write_bytes(data[:-5])
    result = recover(tmp_path)
    assert result.torn_tail is not None and result.torn_tail.offset == last
    assert journal.stat().st_size == last
    assert result.seq == 49 and result.state_hash == in_memory(LOAD[:49]).state_hash()
    run(tmp_path, LOAD[49:60])
    assert recover(tmp_path).state_hash == in_memory(LOAD[:60]).state_hash()


def test_a_checkpoint_that_replay_does_not_reach_is_refused(tmp_path: Path) -> None:
    journal = journal_path(tmp_path)
    with JournalWriter.create(journal, VenueConfig()) as writer:
        writer.append(1, 1, LOAD[0])
        writer.checkpoint(1, "0" * 64)
    with pytest.raises(CheckpointMismatchError, match="seq 1") as info:
        recover(tmp_path)
    assert info.value.path == journal


def test_snapshot_ahead_of_the_journal_is_refused(tmp_path: Path) -> None:
    run(tmp_path, LOAD[:40], snapshot_every=30)
    journal = journal_path(tmp_path)
    journal.write_bytes(journal.read_bytes()[: frame_offsets(journal.read_bytes())[20]])
    with pytest.raises(SnapshotAheadOfJournalError, match="ends at seq 19"):
        recover(tmp_path)


def test_missing_journal(tmp_path: Path) -> None:
    with pytest.raises(JournalMissingError):
        recover(tmp_path)
    run(tmp_path, LOAD[:40], snapshot_every=30)
    journal_path(tmp_path).unlink()
    with pytest.raises(JournalMissingError, match="snapshots exist"):
        open_data_dir(tmp_path)


def test_open_data_dir_fresh_and_config_check(tmp_path: Path) -> None:
    config = VenueConfig(taker_fee_bps=3)
    opened = open_data_dir(tmp_path / "new", config)
    assert opened.recovery is None and opened.venue.config == config
    opened.writer.close()
    with JournalReader(journal_path(tmp_path / "new")) as reader:
        assert reader.header.config == config
    with pytest.raises(ConfigMismatchError):
        open_data_dir(tmp_path / "new", VenueConfig())
    reopened = open_data_dir(tmp_path / "new")
    assert reopened.recovery is not None and reopened.venue.config == config
    reopened.writer.close()


def test_timestamps_never_go_backwards(tmp_path: Path) -> None:
    clock = ManualClock(5_000)
    opened = open_data_dir(tmp_path)
    sequencer = Sequencer(opened.venue, opened.writer, clock)
    sequencer.submit(LOAD[0])
    clock.advance(2_000)
    sequencer.submit(LOAD[1])
    clock.set(3_000)  # the wall clock stepped back
    sequencer.submit_batch(LOAD[2:4])
    clock.set(9_000)
    sequencer.submit(LOAD[4])
    sequencer.close()
    with JournalReader(journal_path(tmp_path)) as reader:
        stamps = [r.ts for r in reader.records() if isinstance(r, CommandRecord)]
    assert stamps == [5_000, 7_000, 7_000, 7_000, 9_000]


def test_events_are_released_only_once_the_batch_is_durable(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    opened = open_data_dir(tmp_path)
    venue, writer = opened.venue, opened.writer
    sequencer = Sequencer(venue, writer, StepClock())
    reference = Venue()
    expected = [reference.process(c, (i + 1) * TS_STEP) for i, c in enumerate(LOAD[:6])]
    assert sequencer.submit(LOAD[0]) == expected[0]
    assert writer.committed_seq == venue.seq == 1
    assert sequencer.submit_batch(LOAD[1:6]) == expected[1:]
    assert writer.committed_seq == venue.seq == 6

    def fail(fd: int, data: object) -> int:
        raise OSError(5, "Input/output error")

    monkeypatch.setattr(os, "write", fail)
    with pytest.raises(OSError, match="Input/output"):
        sequencer.submit_batch(LOAD[6:9])
    monkeypatch.undo()
    with pytest.raises(SequencerFailedError, match="restart and recover"):
        sequencer.submit(LOAD[6])
    sequencer.close()
    recovered = recover(tmp_path)
    assert recovered.seq == 6
    assert recovered.state_hash == reference.state_hash()


def test_a_command_that_crashes_the_core_is_never_journalled(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    opened = open_data_dir(tmp_path)
    venue = opened.venue
    sequencer = Sequencer(venue, opened.writer, StepClock())
    sequencer.submit_batch(LOAD[:4])
    healthy_hash = venue.state_hash()
    process = venue.process

    def crash_on_fifth(command: Command, ts: int) -> list[Event]:
        if venue.seq == 4:
            raise RuntimeError("a bug in the core")
        return process(command, ts)

    monkeypatch.setattr(venue, "process", crash_on_fifth)
    with pytest.raises(RuntimeError, match="a bug in the core"):
        sequencer.submit_batch(LOAD[4:8])
    sequencer.close()
    recovered = recover(tmp_path)  # replay does not meet the poisoned command
    assert recovered.seq == 4
    assert recovered.state_hash == healthy_hash


def test_sequencer_refuses_a_journal_that_does_not_match_the_venue(tmp_path: Path) -> None:
    run(tmp_path, LOAD[:5])
    writer = JournalWriter.reopen(journal_path(tmp_path))
    with pytest.raises(ValueError, match="journal ends at seq 5"):
        Sequencer(in_memory(LOAD[:4]), writer, StepClock())
    writer.close()


ACCOUNTS = st.sampled_from([("alice", "A1"), ("bob", "B1")])
COMMANDS = st.one_of(
    st.builds(
        lambda who, side, qty, level: NewOrder(
            who[0], who[1], "XYZ", side, qty, price=100_000 + level * 100
        ),
        ACCOUNTS,
        st.sampled_from(Side),
        st.integers(1, 50),
        st.integers(-5, 5),
    ),
    st.builds(lambda who, oid: Cancel(who[0], oid), ACCOUNTS, st.integers(1, 30)),
    st.builds(
        lambda who, oid, qty: Replace(who[0], oid, qty, 100_000),
        ACCOUNTS,
        st.integers(1, 30),
        st.integers(1, 50),
    ),
    st.builds(
        lambda who, asset, amount: Deposit("operator", who[1], asset, amount),
        ACCOUNTS,
        st.sampled_from(["USD", "XYZ"]),
        st.integers(1, 10**9),
    ),
    st.builds(
        lambda who, amount: Withdraw("operator", who[1], "XYZ", amount),
        ACCOUNTS,
        st.integers(1, 20_000),
    ),
)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    stream=st.lists(COMMANDS, max_size=80),
    snapshot_every=st.sampled_from([0, 1, 9]),
    batch=st.integers(1, 8),
)
def test_recovered_state_equals_in_memory_state(
    stream: list[Command], snapshot_every: int, batch: int
) -> None:
    cmds = setup_commands() + stream
    with tempfile.TemporaryDirectory() as tmp:
        run(Path(tmp), cmds, snapshot_every, batch)
        assert recover(Path(tmp)).state_hash == in_memory(cmds).state_hash()
