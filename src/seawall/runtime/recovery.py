"""Recovery: rebuild the venue from its data directory, or refuse and say why.

The newest readable snapshot is restored and checked against the state hash
it recorded; the journal records after it are replayed, and every checkpoint
on the way must match the replayed state. A torn tail is cut and reported;
anything else that does not add up raises a :class:`RecoveryError`.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from seawall.core.config import VenueConfig
from seawall.core.venue import Venue
from seawall.runtime.errors import (
    CheckpointMismatchError,
    ConfigMismatchError,
    JournalMissingError,
    SnapshotAheadOfJournalError,
)
from seawall.runtime.journal import (
    CommandRecord,
    FsyncPolicy,
    JournalReader,
    JournalScan,
    JournalWriter,
    TornTail,
    cut_torn_tail,
)
from seawall.runtime.snapshot import (
    SkippedSnapshot,
    newest_snapshot,
    restore_venue,
    snapshot_files,
)

JOURNAL_NAME = "journal.swj"


def journal_path(data_dir: Path) -> Path:
    return data_dir / JOURNAL_NAME


@dataclass(frozen=True)
class RecoveryResult:
    venue: Venue
    journal: JournalScan
    snapshot: Path | None  # the snapshot restored, if any
    skipped_snapshots: list[SkippedSnapshot]
    replayed: int  # journal records processed after the snapshot
    checkpoints_verified: int
    seq: int
    state_hash: str

    @property
    def torn_tail(self) -> TornTail | None:
        """What was cut off the end of the journal, if anything."""
        return self.journal.torn


def recover(data_dir: Path) -> RecoveryResult:
    """Rebuild the venue from ``data_dir``, cutting the journal's torn tail if there is one."""
    journal = journal_path(data_dir)
    if not journal.is_file():
        raise JournalMissingError(journal, "no journal in the data directory")
    snapshot, skipped = newest_snapshot(data_dir)
    with JournalReader(journal) as reader:
        if snapshot is None:
            venue = Venue(reader.header.config)
        else:
            venue = restore_venue(snapshot)
            if venue.config != reader.header.config:
                raise ConfigMismatchError(
                    snapshot.path, f"venue configuration differs from the journal {journal}"
                )
        base = venue.seq
        replayed = verified = 0
        process = venue.process
        for record in reader.records():
            if isinstance(record, CommandRecord):
                if record.seq > base:
                    process(record.command, record.ts)
                    replayed += 1
            elif record.seq >= base:
                replayed_hash = venue.state_hash()
                if replayed_hash != record.state_hash:
                    raise CheckpointMismatchError(
                        journal, record.seq, record.state_hash, replayed_hash
                    )
                verified += 1
        scan = reader.scan()
    if snapshot is not None and scan.last_seq < base:
        raise SnapshotAheadOfJournalError(journal, scan.last_seq, snapshot.path, base)
    if scan.torn is not None:
        cut_torn_tail(scan)
    snapshot_path = snapshot.path if snapshot else None
    return RecoveryResult(
        venue, scan, snapshot_path, skipped, replayed, verified, venue.seq, venue.state_hash()
    )


@dataclass(frozen=True)
class OpenedDataDir:
    """A venue and its journal, ready to hand to a :class:`~seawall.runtime.sequencer.Sequencer`."""

    venue: Venue
    writer: JournalWriter
    recovery: RecoveryResult | None  # None when the directory was started fresh


def open_data_dir(
    data_dir: Path,
    config: VenueConfig | None = None,
    policy: FsyncPolicy = FsyncPolicy.ALWAYS,
    fsync_interval_ms: int = 10,
) -> OpenedDataDir:
    """Recover ``data_dir`` if it holds a journal, else start a fresh venue there.

    ``config`` is what a fresh venue is built with; for an existing directory
    it must match what the journal recorded, since replay already fixed it.
    """
    journal = journal_path(data_dir)
    if not journal.exists():
        data_dir.mkdir(parents=True, exist_ok=True)
        if snapshot_files(data_dir):
            raise JournalMissingError(journal, "snapshots exist but the journal does not")
        venue = Venue(config)
        writer = JournalWriter.create(journal, venue.config, policy, fsync_interval_ms)
        return OpenedDataDir(venue, writer, None)
    result = recover(data_dir)
    if config is not None and config != result.venue.config:
        raise ConfigMismatchError(journal, "the requested configuration differs from the journal's")
    writer = JournalWriter.reopen(journal, policy, fsync_interval_ms, scan=result.journal)
    return OpenedDataDir(result.venue, writer, result)
