"""Sliding windows for throttles and duplicate detection, O(1) per event.

A throttle never needs more than its limit's worth of timestamps, and a
duplicate key older than the window can never match again, so neither
grows beyond what can still matter.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Hashable, Iterable

LONG_AGO = -(2**62)
"""A timestamp outside every window: the value of a ring slot never written."""


class SlidingCount:
    """At most ``limit`` events in any ``window_ns`` nanoseconds, exactly.

    ``stamps`` holds the last ``limit`` timestamps, oldest first, padded with
    ``LONG_AGO`` so it is always full: the next event is one too many exactly
    when the oldest of them is still inside the window, and recording is an
    append that drops the oldest. The risk engine inlines both on its hot
    path.
    """

    __slots__ = ("limit", "stamps", "window_ns")

    def __init__(self, limit: int, window_ns: int, times: Iterable[int] = ()) -> None:
        self.limit = limit
        self.window_ns = window_ns
        self.stamps: deque[int] = deque([LONG_AGO] * limit, maxlen=limit)
        self.stamps.extend(times)

    def full(self, ts: int) -> bool:
        return ts - self.stamps[0] < self.window_ns

    def record(self, ts: int) -> None:
        self.stamps.append(ts)

    @property
    def times(self) -> list[int]:
        """The recorded timestamps, oldest first."""
        return [ts for ts in self.stamps if ts != LONG_AGO]


class RecentKeys:
    """Keys seen within the last ``window_ns`` nanoseconds.

    ``last_seen`` may still hold keys older than the window (a reader
    compares the stamp); :meth:`record` drops them as they expire, so it
    never holds more than a window's worth plus one.
    """

    __slots__ = ("expiry", "last_seen", "window_ns")

    def __init__(self, window_ns: int) -> None:
        self.window_ns = window_ns
        self.last_seen: dict[Hashable, int] = {}
        self.expiry: deque[tuple[int, Hashable]] = deque()

    def record(self, key: Hashable, ts: int) -> None:
        expiry = self.expiry
        last_seen = self.last_seen
        while expiry and ts - expiry[0][0] >= self.window_ns:
            stamp, old = expiry.popleft()
            if last_seen.get(old) == stamp:
                del last_seen[old]
        last_seen[key] = ts
        expiry.append((ts, key))
