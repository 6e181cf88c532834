"""The sequencer: the single door through which commands reach the venue.

It gives each command the next seq and a timestamp, makes it durable in the
journal, and only then lets the venue process it and releases the events.
A caller holding events therefore holds proof that the command survives a
crash (to the degree the journal's :class:`FsyncPolicy` promises).
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from seawall.core.commands import Command
from seawall.core.events import Event
from seawall.core.venue import Venue
from seawall.runtime.clock import Clock
from seawall.runtime.journal import JournalWriter
from seawall.runtime.snapshot import prune_snapshots, write_snapshot


class SequencerFailedError(RuntimeError):
    """A batch failed part-way; the in-memory venue can no longer be trusted."""


KEEP_SNAPSHOTS = 3
"""Older snapshots add nothing once a newer one is known to be good; a few spare survive damage."""


class Sequencer:
    """Stamps, journals and processes commands; snapshots every ``snapshot_every`` commands.

    Snapshots go next to the journal. ``snapshot_every=0`` never snapshots.
    """

    def __init__(
        self, venue: Venue, writer: JournalWriter, clock: Clock, snapshot_every: int = 0
    ) -> None:
        if writer.last_seq != venue.seq:
            raise ValueError(f"journal ends at seq {writer.last_seq} but venue is at {venue.seq}")
        self.venue = venue
        self.writer = writer
        self.clock = clock
        self.snapshot_every = snapshot_every
        self._data_dir = writer.path.parent
        self._last_ts = venue.ts
        self._last_snapshot_seq = venue.seq
        self.failed = False

    def _stamp(self) -> int:
        """The clock's time, held back from going backwards (a wall clock can step back)."""
        ts = self.clock.now_ns()
        if ts < self._last_ts:
            return self._last_ts
        self._last_ts = ts
        return ts

    def submit(self, command: Command) -> list[Event]:
        """Journal one command durably and return its events (see :meth:`submit_batch`)."""
        return self.submit_batch((command,))[0]

    def submit_batch(self, commands: Sequence[Command]) -> list[list[Event]]:
        """Process a batch and make it durable as one group commit; events only after the commit.

        Each command is appended (and checked to encode) before the venue
        sees it, and the group is committed only after every command was
        processed. If anything raises, the group is discarded unjournalled and
        the sequencer refuses further work: the venue may hold effects the
        journal never will, so the only safe continuation is a restart that
        recovers from the journal. A command that crashes the core is thus
        never journalled, and cannot make recovery crash in turn.
        """
        if self.failed:
            raise SequencerFailedError(
                "an earlier batch failed; restart and recover from the journal"
            )
        writer, venue = self.writer, self.venue
        results = []
        try:
            for command in commands:
                ts = self._stamp()
                writer.append(venue.seq + 1, ts, command)
                results.append(venue.process(command, ts))
            writer.commit()
        except BaseException:
            self.failed = True
            writer.discard()
            raise
        self._maybe_snapshot()
        return results

    def _maybe_snapshot(self) -> None:
        if self.snapshot_every and self.venue.seq - self._last_snapshot_seq >= self.snapshot_every:
            self.snapshot()

    def snapshot(self) -> Path:
        """Snapshot now: checkpoint and sync the journal first, so no snapshot is ever ahead."""
        venue = self.venue
        seq, state_hash = venue.seq, venue.state_hash()
        self.writer.checkpoint(seq, state_hash)
        self.writer.commit()
        self.writer.sync()
        path = write_snapshot(self._data_dir, seq, state_hash, venue.export_state())
        prune_snapshots(self._data_dir, KEEP_SNAPSHOTS)
        self._last_snapshot_seq = seq
        return path

    def close(self) -> None:
        self.writer.close()
