"""Where the sequencer's timestamps come from.

The core never reads a clock (DESIGN.md, principle 1); the sequencer stamps
each command with a time from one of these. Injecting the clock lets tests and
simulations run on scripted time while live service runs on the wall clock.
"""

from __future__ import annotations

import time
from typing import Protocol


class Clock(Protocol):
    def now_ns(self) -> int:
        """Nanoseconds since the Unix epoch."""
        ...


class WallClock:
    """The system's real-time clock. It may step backwards; the sequencer clamps that."""

    def now_ns(self) -> int:
        return time.time_ns()


class ManualClock:
    """A clock that moves only when told to, for reproducible tests and simulations."""

    def __init__(self, start_ns: int = 0) -> None:
        self._now = start_ns

    def now_ns(self) -> int:
        return self._now

    def advance(self, ns: int) -> None:
        self._now += ns

    def set(self, ns: int) -> None:
        self._now = ns
