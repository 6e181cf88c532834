"""Inspect a data directory without changing a byte of it.

Recovery cuts torn tails and stops at the first problem; an operator deciding
whether to start a venue (or an auditor checking one) needs the whole picture
instead, from a tool that is safe to run on a live or damaged directory.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from seawall.core.venue import Venue
from seawall.runtime.errors import JournalCorruptError, SnapshotHashMismatchError
from seawall.runtime.journal import CommandRecord, JournalReader, TornTail
from seawall.runtime.recovery import journal_path
from seawall.runtime.snapshot import (
    InvalidSnapshotError,
    read_snapshot,
    restore_venue,
    snapshot_files,
)

JsonValue = str | int | bool | None | list["JsonValue"] | dict[str, "JsonValue"]


@dataclass
class SnapshotCheck:
    path: Path
    seq: int
    problem: str | None = None  # why it cannot be used; None if it restores correctly
    state_hash: str | None = None
    matches_replay: bool | None = None  # None until the replay reaches its seq


@dataclass
class VerifyReport:
    journal: Path
    journal_bytes: int = 0
    problem: str | None = None  # why the journal cannot be read to its end
    counts: Counter[str] = field(default_factory=Counter)
    first_seq: int | None = None
    last_seq: int = 0
    torn: TornTail | None = None
    corrupt_offset: int | None = None
    checkpoints: int = 0
    checkpoint_mismatches: list[int] = field(default_factory=list)
    replay_error: str | None = None
    state_hash: str | None = None  # after replaying every readable record
    snapshots: list[SnapshotCheck] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        """Whether every file is sound; a torn tail is the normal trace of a crash, not a fault."""
        return (
            self.problem is None
            and self.replay_error is None
            and not self.checkpoint_mismatches
            and all(s.problem is None and s.matches_replay for s in self.snapshots)
        )

    def render(self) -> list[str]:
        lines = [f"journal      {self.journal} ({self.journal_bytes:,} bytes)"]
        if self.first_seq is None:
            lines.append("records      none")
        else:
            total = sum(self.counts.values())
            span = f"seq {self.first_seq} to {self.last_seq}"
            lines.append(f"records      {span} ({total:,} commands)")
        lines.extend(f"  {kind:<24}{n:>12,}" for kind, n in sorted(self.counts.items()))
        if self.torn is not None:
            lines.append(
                f"torn tail    {self.torn.length} bytes at byte {self.torn.offset} "
                f"({self.torn.problem}); recovery will cut it"
            )
        if self.problem is not None:
            lines.append(f"PROBLEM      {self.problem}")
        matched = self.checkpoints - len(self.checkpoint_mismatches)
        lines.append(f"checkpoints  {matched} of {self.checkpoints} match the replay")
        lines.extend(f"MISMATCH     checkpoint at seq {seq}" for seq in self.checkpoint_mismatches)
        if self.replay_error is not None:
            lines.append(f"REPLAY FAILED {self.replay_error}")
        for snap in self.snapshots:
            if snap.problem is not None:
                verdict = f"INVALID: {snap.problem}"
            elif snap.matches_replay is None:
                verdict = "VALID BUT AHEAD of the readable journal"
            else:
                verdict = "valid, matches replay" if snap.matches_replay else "DIFFERS from replay"
            lines.append(f"snapshot     {snap.path.name} seq {snap.seq}: {verdict}")
        if self.state_hash is not None:
            partial = " (replay stopped at the damage)" if self.problem else ""
            lines.append(f"state hash   {self.state_hash} at seq {self.last_seq}{partial}")
        lines.append("result       " + ("OK" if self.ok else "FAILED"))
        return lines

    def to_dict(self) -> dict[str, JsonValue]:
        torn: JsonValue = None
        if self.torn is not None:
            torn = {
                "offset": self.torn.offset,
                "length": self.torn.length,
                "problem": self.torn.problem,
            }
        return {
            "ok": self.ok,
            "journal": str(self.journal),
            "journal_bytes": self.journal_bytes,
            "problem": self.problem,
            "corrupt_offset": self.corrupt_offset,
            "counts": dict(sorted(self.counts.items())),
            "first_seq": self.first_seq,
            "last_seq": self.last_seq,
            "torn_tail": torn,
            "checkpoints": self.checkpoints,
            "checkpoint_mismatches": list(self.checkpoint_mismatches),
            "replay_error": self.replay_error,
            "state_hash": self.state_hash,
            "snapshots": [
                {
                    "path": str(s.path),
                    "seq": s.seq,
                    "problem": s.problem,
                    "state_hash": s.state_hash,
                    "matches_replay": s.matches_replay,
                }
                for s in self.snapshots
            ],
        }


def _check_snapshot(path: Path, seq: int) -> SnapshotCheck:
    check = SnapshotCheck(path, seq)
    try:
        snapshot = read_snapshot(path, seq)
        check.state_hash = snapshot.record.state_hash
        restore_venue(snapshot)
    except (InvalidSnapshotError, SnapshotHashMismatchError) as exc:
        check.problem = str(exc)
    return check


def verify(path: Path) -> VerifyReport:
    """Check a data directory (or one journal file and the snapshots beside it), read-only."""
    journal = path if path.is_file() else journal_path(path)
    report = VerifyReport(journal)
    if journal.parent.is_dir():
        report.snapshots = [_check_snapshot(p, seq) for seq, p in snapshot_files(journal.parent)]
    by_seq = {s.seq: s for s in report.snapshots if s.problem is None}
    try:
        report.journal_bytes = journal.stat().st_size
        reader = JournalReader(journal)
    except OSError as exc:
        report.problem = str(exc)
        return report
    except JournalCorruptError as exc:
        report.problem = str(exc)
        report.corrupt_offset = exc.offset
        return report
    with reader:
        venue = Venue(reader.header.config)
        try:
            _replay(reader, venue, report, by_seq)
        except JournalCorruptError as exc:
            report.problem = str(exc)
            report.corrupt_offset = exc.offset
        except Exception as exc:  # a core failure is a finding to report, not a crash of the tool
            report.replay_error = f"at seq {venue.seq}: {exc!r}"
            return report
        report.torn = reader.torn
    report.state_hash = venue.state_hash()
    return report


def _replay(
    reader: JournalReader, venue: Venue, report: VerifyReport, by_seq: dict[int, SnapshotCheck]
) -> None:
    if 0 in by_seq:
        by_seq[0].matches_replay = by_seq[0].state_hash == venue.state_hash()
    for record in reader.records():
        if isinstance(record, CommandRecord):
            venue.process(record.command, record.ts)
            report.counts[str(type(record.command).__struct_config__.tag)] += 1
            if report.first_seq is None:
                report.first_seq = record.seq
            report.last_seq = record.seq
            snap = by_seq.get(record.seq)
            if snap is not None:
                snap.matches_replay = snap.state_hash == venue.state_hash()
        else:
            report.checkpoints += 1
            if venue.state_hash() != record.state_hash:
                report.checkpoint_mismatches.append(record.seq)
