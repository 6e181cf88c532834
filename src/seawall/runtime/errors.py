"""Why a data directory cannot be trusted, as typed errors that name the file and the problem.

Recovery refuses rather than guesses: every one of these stops the venue from
starting on state that might differ from what was acknowledged.
"""

from __future__ import annotations

from pathlib import Path


class RecoveryError(Exception):
    """The data directory cannot be brought back to a state that is known to be right."""


class JournalMissingError(RecoveryError):
    def __init__(self, path: Path, problem: str) -> None:
        super().__init__(f"{path}: {problem}")
        self.path = path


class JournalCorruptError(RecoveryError):
    """Damage that is not a torn tail: cutting it off would lose records written after it."""

    def __init__(self, path: Path, offset: int, problem: str) -> None:
        super().__init__(f"journal {path} is corrupt at byte {offset}: {problem}")
        self.path = path
        self.offset = offset
        self.problem = problem


class CheckpointMismatchError(RecoveryError):
    """Replay reached a checkpoint with a different state: the core is not reproducing history."""

    def __init__(self, path: Path, seq: int, recorded: str, replayed: str) -> None:
        super().__init__(
            f"journal {path}: state hash after seq {seq} was {recorded} when written "
            f"but {replayed} on replay"
        )
        self.path = path
        self.seq = seq
        self.recorded = recorded
        self.replayed = replayed


class SnapshotHashMismatchError(RecoveryError):
    """A snapshot that passed its checksum restores to a different state than it recorded."""

    def __init__(self, path: Path, seq: int, recorded: str, restored: str) -> None:
        super().__init__(
            f"snapshot {path} (seq {seq}) records state hash {recorded} "
            f"but restores to {restored}"
        )
        self.path = path
        self.seq = seq
        self.recorded = recorded
        self.restored = restored


class SnapshotAheadOfJournalError(RecoveryError):
    """The journal lost records that a snapshot already covers, so appending cannot continue."""

    def __init__(self, journal: Path, last_seq: int, snapshot: Path, snapshot_seq: int) -> None:
        super().__init__(
            f"journal {journal} ends at seq {last_seq} but snapshot {snapshot} "
            f"is at seq {snapshot_seq}"
        )
        self.journal = journal
        self.snapshot = snapshot


class ConfigMismatchError(RecoveryError):
    def __init__(self, path: Path, problem: str) -> None:
        super().__init__(f"{path}: {problem}")
        self.path = path
