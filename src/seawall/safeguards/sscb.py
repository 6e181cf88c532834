"""The single-stock circuit breaker of the 2010 pilot (RULES.md §4).

A trade that is ``move_bps`` or more away from any trade of the preceding
rolling window pauses the stock, within the hours the pilot covered
(09:45 to 15:35: fifteen minutes after the open to twenty-five before the
close). The threshold may depend on the price, as in the pilot's last
phase (30% at or above $1, 50% below). The window keeps its minimum and
maximum in monotonic queues, so each trade costs O(1) amortised however
busy the stock.
"""

from __future__ import annotations

from collections import deque

import msgspec

from seawall.safeguards.calendar import TradingDay
from seawall.safeguards.units import (
    NS_PER_MINUTE,
    NS_PER_SECOND,
    Minutes,
    PositiveBps,
    PositiveSeconds,
    Ticks,
    moved_at_least,
)


class SscbThreshold(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    """The move that pauses a stock trading at ``from_price`` or above."""

    from_price: Ticks
    move_bps: PositiveBps


class SscbParams(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    """The ``[sscb]`` section."""

    window_seconds: PositiveSeconds
    pause_seconds: PositiveSeconds
    start_minutes_after_open: Minutes
    end_minutes_before_close: Minutes
    thresholds: tuple[SscbThreshold, ...]

    def problems(self) -> list[tuple[str, str]]:
        if not self.thresholds or self.thresholds[0].from_price != 0:
            return [("thresholds", "the first threshold must start from_price = 0")]
        prices = [threshold.from_price for threshold in self.thresholds]
        if prices != sorted(set(prices)):
            return [("thresholds", "from_price must increase")]
        return []


class RollingRangeState(msgspec.Struct, frozen=True, array_like=True):
    """A :class:`RollingRange`'s two queues, each as ``(ts, price)`` pairs, oldest first."""

    lows: tuple[tuple[int, int], ...]
    highs: tuple[tuple[int, int], ...]


class RollingRange:
    """The lowest and highest price among trades younger than a window.

    A trade at ``t`` counts up to, not including, ``t + window_ns``.
    Each queue keeps only prices that can still become the extreme, so
    every trade is appended once and removed at most once.
    """

    __slots__ = ("_highs", "_lows", "_window_ns")

    def __init__(self, window_ns: int) -> None:
        self._window_ns = window_ns
        self._lows: deque[tuple[int, int]] = deque()
        self._highs: deque[tuple[int, int]] = deque()

    def clear(self) -> None:
        self._lows.clear()
        self._highs.clear()

    def add(self, ts: int, price: int) -> None:
        """Record a trade; timestamps never go backwards."""
        lows, highs = self._lows, self._highs
        while lows and lows[-1][1] >= price:
            lows.pop()
        lows.append((ts, price))
        while highs and highs[-1][1] <= price:
            highs.pop()
        highs.append((ts, price))

    def extremes(self, ts: int) -> tuple[int, int]:
        """``(lowest, highest)`` of the window at ``ts``; ``(0, 0)`` when it is empty."""
        cutoff = ts - self._window_ns
        lows, highs = self._lows, self._highs
        while lows and lows[0][0] <= cutoff:
            lows.popleft()
        while highs and highs[0][0] <= cutoff:
            highs.popleft()
        if not lows:
            return 0, 0
        return lows[0][1], highs[0][1]

    def export(self) -> RollingRangeState:
        """The queues as they stand: what they keep is already what can still matter."""
        return RollingRangeState(tuple(self._lows), tuple(self._highs))

    def restore(self, state: RollingRangeState) -> None:
        """Overwrite the queues of a range built with the same window."""
        self._lows = deque(state.lows)
        self._highs = deque(state.highs)


class SscbPause(msgspec.Struct, frozen=True):
    """A pause from ``at`` to ``until``; ``reference`` is the window's price it moved from."""

    at: int
    until: int
    price: int
    reference: int


class SscbState(msgspec.Struct, frozen=True, array_like=True):
    """A :class:`SingleStockBreaker`'s mutable state: only its rolling window."""

    window: RollingRangeState


class SingleStockBreaker:
    """The breaker for one stock on one trading day."""

    __slots__ = ("_pause_ns", "_range", "_start", "_thresholds", "_until", "_window_end")

    def __init__(self, params: SscbParams, day: TradingDay) -> None:
        self._thresholds = tuple(
            (threshold.from_price, threshold.move_bps) for threshold in reversed(params.thresholds)
        )
        self._range = RollingRange(params.window_seconds * NS_PER_SECOND)
        self._pause_ns = params.pause_seconds * NS_PER_SECOND
        self._start = day.open + params.start_minutes_after_open * NS_PER_MINUTE
        self._window_end = day.close - params.end_minutes_before_close * NS_PER_MINUTE
        self._until = 0

    def on_trade(self, ts: int, price: int) -> SscbPause | None:
        """A trade; the pause it starts, if it moved too far within the window."""
        lowest, highest = self._range.extremes(ts)
        pause = None
        if lowest and self._start <= ts < self._window_end:
            bps = self._threshold(price)
            if price > lowest and moved_at_least(price, lowest, bps):
                pause = SscbPause(ts, ts + self._pause_ns, price, lowest)
            elif price < highest and moved_at_least(price, highest, bps):
                pause = SscbPause(ts, ts + self._pause_ns, price, highest)
        if pause is not None:
            self._range.clear()
        else:
            self._range.add(ts, price)
        return pause

    def export(self) -> SscbState:
        """The state a snapshot carries; the thresholds and hours come from params and day."""
        return SscbState(self._range.export())

    def restore(self, state: SscbState) -> None:
        """Overwrite the state of a breaker built with the same params and day."""
        self._range.restore(state.window)

    def _threshold(self, price: int) -> int:
        """The move for ``price``: the threshold with the highest ``from_price`` not above it."""
        thresholds = self._thresholds
        return next((bps for start, bps in thresholds if price >= start), thresholds[-1][1])
