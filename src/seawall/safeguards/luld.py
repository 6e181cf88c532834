"""Limit Up–Limit Down: percentage parameters, price bands and the reference price (RULES.md §2).

The Plan's arithmetic lives here as pure functions over integers: which
percentage applies to a stock (by tier and by the prior day's close),
when that percentage doubles, where the bands fall around a reference
price, and how the reference price follows the market. The limit-state
clock that acts on the bands is :mod:`seawall.safeguards.limit_state`.
Every threshold comes from :class:`LuldParams`, the rulebook's ``[luld]``
section.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Iterable
from enum import StrEnum

import msgspec

from seawall.core.types import BPS, Side
from seawall.safeguards.outcome import OrderCheck, Verdict, accept
from seawall.safeguards.units import (
    Bps,
    Minutes,
    Multiple,
    PositiveBps,
    PositiveSeconds,
    PositiveTicks,
    Seconds,
    Ticks,
    moved_at_least,
    round_to_tick,
)


class LuldTier(StrEnum):
    TIER1 = "tier1"  # S&P 500, Russell 1000 and listed ETPs
    TIER2 = "tier2"  # every other NMS stock


class OutsideBand(StrEnum):
    """What becomes of an order that would execute outside a band."""

    REPRICE = "reprice"  # it goes on at the band
    REJECT = "reject"  # it is refused


class LuldParams(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    """The ``[luld]`` section of a rulebook (meanings and sources in docs/rulebooks.md)."""

    tier1_bps: PositiveBps
    tier2_bps: PositiveBps
    middle_bps: PositiveBps
    low_bps: PositiveBps
    low_cap: PositiveTicks
    upper_bucket_above: Ticks
    lower_bucket_below: Ticks
    band_tick: PositiveTicks
    open_doubling_minutes: Minutes
    close_doubling_minutes: Minutes
    double_tier2_above_upper: bool
    reference_window_seconds: PositiveSeconds
    reference_move_bps: Bps
    reference_min_seconds: Seconds
    limit_state_seconds: PositiveSeconds
    clear_at_deadline: bool
    pause_seconds: PositiveSeconds
    extension_seconds: PositiveSeconds
    no_reopen_minutes_before_close: Minutes
    reopen_band_factor: Multiple
    reopen_band_seconds: Seconds
    reopen_band_after_pause_seconds: Seconds
    outside_band: OutsideBand

    def problems(self) -> list[tuple[str, str]]:
        if self.lower_bucket_below > self.upper_bucket_above:
            return [("lower_bucket_below", "must not be above upper_bucket_above")]
        return []


class Bands(msgspec.Struct, frozen=True):
    """A lower and an upper price in ticks; both 0 while no bands apply."""

    lower: int
    upper: int


NO_BANDS = Bands(0, 0)


def percentage_parameter(params: LuldParams, tier: LuldTier, prior_close: int) -> tuple[int, int]:
    """``(bps, cap)``: the band's width as a percentage, capped at ``cap`` ticks when ``cap`` > 0.

    The bucket is chosen by the prior day's close: above $3.00 the tier's
    percentage, $0.75 to $3.00 inclusive the middle percentage, below
    $0.75 the lesser of $0.15 and 75%.
    """
    if prior_close > params.upper_bucket_above:
        return (params.tier1_bps if tier is LuldTier.TIER1 else params.tier2_bps), 0
    if prior_close >= params.lower_bucket_below:
        return params.middle_bps, 0
    return params.low_bps, params.low_cap


def price_bands(
    params: LuldParams, tier: LuldTier, prior_close: int, reference: int, factor: int = 1
) -> Bands:
    """Bands around ``reference``, the percentage parameter multiplied by ``factor``.

    ``factor`` is the product of the leveraged-ETP leverage, the doubling
    and the widening after a long pause. Both bands are rounded to the
    nearest ``band_tick`` (halves up), but never past the reference: when
    the band is narrower than half a tick (a sub-penny reference) the
    reference's own tick bounds it, so the bands always contain the
    reference. A lower band never falls below one tick, so it always admits
    a price.
    """
    bps, cap = percentage_parameter(params, tier, prior_close)
    width = reference * bps * factor  # the band's half-width, times BPS
    if cap and cap * factor * BPS < width:
        width = cap * factor * BPS
    tick = params.band_tick
    lower = reference * BPS - width
    lowest = round_to_tick(lower, BPS, tick) if lower > 0 else 0
    return Bands(
        max(min(lowest, reference // tick * tick), tick),
        max(round_to_tick(reference * BPS + width, BPS, tick), -(-reference // tick) * tick),
    )


def doubles(params: LuldParams, tier: LuldTier, prior_close: int) -> bool:
    """Whether the doubling windows apply to this stock.

    Since 2020 they apply to Tier 1 at every price and to Tier 2 at $3.00
    and below; before, to every stock (``double_tier2_above_upper``).
    """
    return (
        tier is LuldTier.TIER1
        or prior_close <= params.upper_bucket_above
        or params.double_tier2_above_upper
    )


def band_check(action: OutsideBand, bands: Bands, side: Side, price: int) -> OrderCheck:
    """An order that could execute outside the bands is repriced to the band or rejected.

    A buy limit above the upper band, or a sell limit below the lower band,
    follows ``action``. A market order (``price`` 0) has no price of its own
    to refuse, so under either choice it is limited to the band it would
    otherwise run through. Without bands everything passes.
    """
    if bands.upper == 0:
        return accept(price)
    band = bands.upper if side is Side.BUY else bands.lower
    if price == 0:
        return OrderCheck(Verdict.REPRICE, band, "outside_band")
    if (price > band) if side is Side.BUY else (price < band):
        if action is OutsideBand.REPRICE:
            return OrderCheck(Verdict.REPRICE, band, "outside_band")
        return OrderCheck(Verdict.REJECT, price, "outside_band")
    return accept(price)


class ReferenceTrackerState(msgspec.Struct, frozen=True, array_like=True):
    """A :class:`ReferenceTracker`'s mutable state: the window's trades as ``(ts, price)``."""

    reference: int
    changed_at: int
    trades: tuple[tuple[int, int], ...]


class ReferenceTracker:
    """The LULD reference price: the mean of eligible trades over a rolling window.

    A new reference is adopted only when the window's mean (the
    "pro-forma" reference) is ``move_bps`` or more away from the current
    one and the current one has stood for ``min_age_ns``; without trades
    in the window the reference stays. Opening and reopening set it
    directly (:meth:`reset`). A trade stays in the window while it is
    younger than the window: a trade at ``t`` counts up to, not including,
    ``t + window_ns``. The mean is rounded to the nearest tick of the
    price scale, halves up. Adding a trade and expiring one are O(1).
    """

    __slots__ = (
        "_min_age_ns",
        "_move_bps",
        "_prices",
        "_sum",
        "_times",
        "_window_ns",
        "changed_at",
        "reference",
    )

    def __init__(self, window_ns: int, move_bps: int, min_age_ns: int) -> None:
        self._window_ns = window_ns
        self._move_bps = move_bps
        self._min_age_ns = min_age_ns
        self._times: deque[int] = deque()
        self._prices: deque[int] = deque()
        self._sum = 0
        self.reference = 0
        self.changed_at = 0

    def reset(self, ts: int, price: int) -> None:
        """Adopt ``price`` now (the opening or reopening price) and forget earlier trades."""
        self.reference = price
        self.changed_at = ts
        self._times.clear()
        self._prices.clear()
        self._sum = 0

    def add(self, ts: int, price: int) -> None:
        """Record an eligible trade; timestamps never go backwards."""
        self._times.append(ts)
        self._prices.append(price)
        self._sum += price

    def pro_forma(self, ts: int) -> int:
        """The window's mean at ``ts``, or 0 when no eligible trade is in the window."""
        self._expire(ts)
        count = len(self._prices)
        if not count:
            return 0
        return (2 * self._sum + count) // (2 * count)

    def update(self, ts: int) -> bool:
        """Adopt the pro-forma reference if the rule allows it at ``ts``; whether it changed.

        A reference younger than ``min_age_ns`` cannot move, so its window's
        mean is not worked out (LULD asks after every trade).
        """
        if ts - self.changed_at < self._min_age_ns:
            return False
        candidate = self.pro_forma(ts)
        if candidate and moved_at_least(candidate, self.reference, self._move_bps):
            self.reference = candidate
            self.changed_at = ts
            return True
        return False

    def next_due(self, after: int) -> int:
        """The first instant after ``after`` at which :meth:`update` may give a new answer, or 0."""
        self._expire(after)
        due = self.changed_at + self._min_age_ns
        if due <= after:
            due = 0
        if self._times:
            expiry = self._times[0] + self._window_ns
            due = min(due, expiry) if due else expiry
        return due

    def export(self, now: int | None = None) -> ReferenceTrackerState:
        """The state to restore from; the window's sum is recomputed, not carried.

        With ``now`` (no later call will be earlier), trades already out of
        the window are left out, so the export does not depend on when the
        window was last pruned.
        """
        trades: Iterable[tuple[int, int]] = zip(self._times, self._prices, strict=True)
        if now is not None:
            cutoff = now - self._window_ns
            trades = ((ts, price) for ts, price in trades if ts > cutoff)
        return ReferenceTrackerState(self.reference, self.changed_at, tuple(trades))

    def restore(self, state: ReferenceTrackerState) -> None:
        """Overwrite the state of a tracker built with the same window and thresholds."""
        self.reference = state.reference
        self.changed_at = state.changed_at
        self._times = deque(ts for ts, _ in state.trades)
        self._prices = deque(price for _, price in state.trades)
        self._sum = sum(self._prices)

    def _expire(self, ts: int) -> None:
        cutoff = ts - self._window_ns
        times, prices = self._times, self._prices
        while times and times[0] <= cutoff:
            times.popleft()
            self._sum -= prices.popleft()
