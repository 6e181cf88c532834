"""Market-maker quoting obligations and stub quotes (RULES.md §7).

Before 6 May 2010 a market maker could meet its obligation with a stub
quote, a bid of $0.01 or an offer of $100,000, and on that day market
orders executed against them. Since December 2010 a market maker's quotes
must stay within a designated percentage of the national best bid (for a
bid) or offer (for an offer): 8% for securities covered by the
single-stock circuit breakers, 20% for them in the opening and closing
windows the breakers leave uncovered, 30% for every other security. A
quote may drift a further 1.5% before it must be refreshed back inside
the designated percentage.
"""

from __future__ import annotations

from enum import StrEnum

import msgspec

from seawall.core.types import BPS, Side
from seawall.safeguards.calendar import TradingDay
from seawall.safeguards.units import NS_PER_MINUTE, Bps, Minutes, PositiveBps, Ticks


class QuotingParams(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    """The ``[market_maker]`` section."""

    designated_bps: PositiveBps
    open_close_bps: PositiveBps
    other_bps: PositiveBps
    drift_bps: Bps
    open_window_minutes: Minutes
    close_window_minutes: Minutes
    stub_bid: Ticks
    stub_offer: Ticks

    def problems(self) -> list[tuple[str, str]]:
        if self.stub_bid >= self.stub_offer:
            return [("stub_offer", "must be above stub_bid")]
        return []


class QuoteStanding(StrEnum):
    WITHIN = "within"  # inside the designated percentage
    DRIFTED = "drifted"  # beyond it but within the drift allowed: may rest
    BEYOND = "beyond"  # beyond the drift too: must be refreshed


def designated_bps(params: QuotingParams, covered: bool, day: TradingDay, ts: int) -> int:
    """The designated percentage for a security at ``ts``.

    ``covered`` securities (those under the single-stock circuit breakers:
    S&P 500, Russell 1000, selected ETPs) get the tight percentage except
    in the opening and closing windows; all others get ``other_bps``.
    """
    if not covered:
        return params.other_bps
    opening_ends = day.open + params.open_window_minutes * NS_PER_MINUTE
    closing_starts = day.close - params.close_window_minutes * NS_PER_MINUTE
    if ts < opening_ends or ts >= closing_starts:
        return params.open_close_bps
    return params.designated_bps


def quote_standing(
    params: QuotingParams, side: Side, price: int, best: int, designated: int
) -> QuoteStanding:
    """How far a market maker's bid (or offer) is from the national best bid (or offer).

    A quote at or better than the best price is within; ``best`` 0 (no
    national quote on that side) leaves nothing to measure against.
    """
    away = best - price if side is Side.BUY else price - best
    if best <= 0 or away * BPS <= best * designated:
        return QuoteStanding.WITHIN
    if away * BPS <= best * (designated + params.drift_bps):
        return QuoteStanding.DRIFTED
    return QuoteStanding.BEYOND


def is_stub_quote(params: QuotingParams, side: Side, price: int) -> bool:
    """A bid at or below ``stub_bid`` or an offer at or above ``stub_offer``."""
    return price <= params.stub_bid if side is Side.BUY else price >= params.stub_offer
