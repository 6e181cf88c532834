"""Sliding windows for throttles and duplicate detection, O(1) amortised per event.

Both keep only what can still matter: a throttle never needs more than its
limit's worth of timestamps, and a duplicate key older than the window can
never match again.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Hashable


class SlidingCount:
    """At most ``limit`` events in any ``window_ns`` nanoseconds.

    The deque holds the last ``limit`` timestamps; the window is full exactly
    when it holds ``limit`` of them and the oldest is still inside the window.
    """

    __slots__ = ("limit", "times", "window_ns")

    def __init__(self, limit: int, window_ns: int, times: list[int] | None = None) -> None:
        self.limit = limit
        self.window_ns = window_ns
        self.times: deque[int] = deque(times or (), maxlen=limit)

    def full(self, ts: int) -> bool:
        times = self.times
        return len(times) == self.limit and ts - times[0] < self.window_ns

    def record(self, ts: int) -> None:
        self.times.append(ts)


class RecentKeys:
    """Keys seen within the last ``window_ns`` nanoseconds."""

    __slots__ = ("expiry", "last_seen", "window_ns")

    def __init__(self, window_ns: int) -> None:
        self.window_ns = window_ns
        self.last_seen: dict[Hashable, int] = {}
        self.expiry: deque[tuple[int, Hashable]] = deque()

    def seen(self, key: Hashable, ts: int) -> bool:
        expiry = self.expiry
        window = self.window_ns
        while expiry and ts - expiry[0][0] >= window:
            stamp, old = expiry.popleft()
            if self.last_seen.get(old) == stamp:
                del self.last_seen[old]
        stamp_seen = self.last_seen.get(key)
        return stamp_seen is not None and ts - stamp_seen < window

    def record(self, key: Hashable, ts: int) -> None:
        self.last_seen[key] = ts
        self.expiry.append((ts, key))
