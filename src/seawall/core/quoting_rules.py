"""Designated market makers' quoting obligations, applied to one instrument's book.

Under ``[market_maker]`` every limit order of a designated market maker in
its instrument is a quote (ADR 0009): :func:`quote_problem` refuses a stub
quote or one beyond the designated percentage of the national best price,
and :func:`drifted_quotes` finds the quotes the national best price has
left beyond the drift allowed, for the venue to cancel.
"""

from __future__ import annotations

from seawall.core.book import Order
from seawall.core.events import RejectReason
from seawall.core.rules_guard import Guard
from seawall.core.types import Side
from seawall.core.units import ticks_to_price
from seawall.safeguards.luld import LuldTier
from seawall.safeguards.quoting import (
    QuoteStanding,
    QuotingParams,
    designated_bps,
    is_stub_quote,
    quote_standing,
)

Problem = tuple[RejectReason, str]


def _designated(params: QuotingParams, guard: Guard, ts: int) -> int | None:
    """The designated percentage now; None when the book has no trading day (closed).

    Tier 1 securities are the ones the percentages call covered (the
    single-stock breakers' S&P 500, Russell 1000 and ETPs).
    """
    day = guard.day
    if day is None:
        return None
    return designated_bps(params, guard.tier is LuldTier.TIER1, day, ts)


def quote_problem(
    params: QuotingParams, guard: Guard, side: Side, price: int, ts: int
) -> Problem | None:
    """Why a designated market maker may not quote ``price``, or None."""
    designated = _designated(params, guard, ts)
    if designated is None:
        return None
    quote = "bid" if side is Side.BUY else "offer"
    if is_stub_quote(params, side, price):
        stub = params.stub_bid if side is Side.BUY else params.stub_offer
        return RejectReason.STUB_QUOTE, (
            f"a designated market maker's {quote} at {ticks_to_price(price)} is a stub quote "
            f"(at or {'below' if side is Side.BUY else 'above'} {ticks_to_price(stub)})"
        )
    best = guard.national_best()[0 if side is Side.BUY else 1]
    if quote_standing(params, side, price, best, designated) is QuoteStanding.WITHIN:
        return None
    return RejectReason.OUTSIDE_QUOTING_OBLIGATION, (
        f"a designated market maker's {quote} at {ticks_to_price(price)} is more than "
        f"{designated} bps from the national best {quote} {ticks_to_price(best)}"
    )


def drifted_quotes(params: QuotingParams, guard: Guard, ts: int) -> list[Order]:
    """The designated market makers' quotes left beyond the designated percentage plus drift.

    Such quotes sit at the far end of their side, so the scan starts there
    and stops at the first level that is not beyond.
    """
    designated = _designated(params, guard, ts)
    if designated is None:
        return []
    book = guard.book
    makers = guard.market_makers
    drifted: list[Order] = []
    for side, best in zip((Side.BUY, Side.SELL), guard.national_best(), strict=True):
        if not best:
            continue
        levels = book.side_of(side)
        for key in reversed(levels.keys):
            level = levels.levels[key]
            standing = quote_standing(params, side, level.price, best, designated)
            if standing is not QuoteStanding.BEYOND:
                break
            drifted += [order for order in level.live_orders() if order.participant in makers]
    return drifted
