"""Sliding windows for throttles and duplicate detection, O(1) per event.

A throttle never needs more than its limit's worth of timestamps, and a
duplicate key older than the window can never match again, so neither
grows beyond what can still matter.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Hashable, Iterable

from seawall.core.types import Side

DuplicateKey = tuple[str, Side, int, int]
"""What makes two orders the same: instrument, side, price, quantity."""

LONG_AGO = -(2**62)
"""A timestamp outside every window: the value of a ring slot never written."""


class SlidingCount(deque[int]):
    """At most ``limit`` events in any ``window_ns`` nanoseconds, exactly.

    The window is the deque of the last ``limit`` timestamps itself, oldest
    first, padded with ``LONG_AGO`` so it is always full: the next event is
    one too many exactly when the oldest of them is still inside the window
    (``ts - window[0] < window.window_ns``), and recording is an ``append``
    that drops the oldest. The risk engine does both inline on its hot path.
    Being the deque, rather than holding one, leaves one object per window
    for an order to touch: with many accounts, their windows are seldom in
    cache.
    """

    __slots__ = ("window_ns",)

    def __init__(self, limit: int, window_ns: int, times: Iterable[int] = ()) -> None:
        super().__init__([LONG_AGO] * limit, limit)
        self.extend(times)
        self.window_ns = window_ns

    @property
    def limit(self) -> int:
        return len(self)  # always full, padded

    @property
    def times(self) -> list[int]:
        """The recorded timestamps, oldest first."""
        return [ts for ts in self if ts != LONG_AGO]


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
