"""Order collars of 2010 (RULES.md §7): market orders collared or refused, far limits refused.

On 6 May 2010 market orders fell through thin books to one-cent stub
quotes. One US venue turned each market order into a limit order a collar
away from the reference price (5% or $0.50); one European venue accepted
only limit orders and refused any more than 20% from the last trade. Both
are pure checks on one order here, driven by the ``[collars]`` section.
"""

from __future__ import annotations

from enum import StrEnum

import msgspec

from seawall.core.types import BPS, Side
from seawall.safeguards.outcome import OrderCheck, Verdict, accept
from seawall.safeguards.units import PositiveBps, PositiveTicks, moved_beyond


class MarketOrders(StrEnum):
    ACCEPT = "accept"  # market orders trade as they come
    COLLAR = "collar"  # each becomes a limit order a collar away from the reference
    REJECT = "reject"  # only limit orders are accepted


class CollarCombine(StrEnum):
    """Which of the percentage and the absolute amount sets the collar when both are given."""

    LESSER = "lesser"
    GREATER = "greater"


class CollarParams(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    """The ``[collars]`` section; an absent key switches its check off."""

    market_orders: MarketOrders
    market_collar_bps: PositiveBps | None = None
    market_collar_abs: PositiveTicks | None = None
    market_collar_combine: CollarCombine | None = None
    last_trade_bps: PositiveBps | None = None

    def problems(self) -> list[tuple[str, str]]:
        given = (self.market_collar_bps is not None) + (self.market_collar_abs is not None)
        if self.market_orders is MarketOrders.COLLAR and not given:
            return [("market_orders", "a collar needs market_collar_bps or market_collar_abs")]
        if self.market_orders is not MarketOrders.COLLAR and given:
            return [("market_orders", "a collar is given but market orders are not collared")]
        if (given == 2) != (self.market_collar_combine is not None):
            return [("market_collar_combine", "needed exactly when both collars are given")]
        return []


def collar_width(params: CollarParams, reference: int) -> int:
    """The collar around ``reference`` in ticks (the percentage part rounded down)."""
    by_percent = (
        reference * params.market_collar_bps // BPS if params.market_collar_bps is not None else 0
    )
    absolute = params.market_collar_abs or 0
    if not by_percent or not absolute:
        return by_percent or absolute
    if params.market_collar_combine is CollarCombine.GREATER:
        return max(by_percent, absolute)
    return min(by_percent, absolute)


def check_market_order(params: CollarParams, side: Side, reference: int, tick: int) -> OrderCheck:
    """A market order: accepted, refused, or turned into a limit order at the collar.

    The collared limit is rounded to the tick towards the reference, so it
    never lies beyond the collar; a sell is never collared below one tick.
    Without a reference price a market order cannot be collared and is
    refused.
    """
    if params.market_orders is MarketOrders.ACCEPT:
        return accept(0)
    if params.market_orders is MarketOrders.REJECT:
        return OrderCheck(Verdict.REJECT, 0, "market_orders_not_accepted")
    if reference <= 0:
        return OrderCheck(Verdict.REJECT, 0, "no_reference_price")
    width = collar_width(params, reference)
    if side is Side.BUY:
        return OrderCheck(Verdict.REPRICE, (reference + width) // tick * tick, "market_collar")
    limit = -(-(reference - width) // tick) * tick
    return OrderCheck(Verdict.REPRICE, max(limit, tick), "market_collar")


def check_last_trade(params: CollarParams, price: int, last_trade: int) -> OrderCheck:
    """A limit order more than ``last_trade_bps`` from the last trade is refused.

    Either direction counts, as the venue's notice said "orders more than
    20% from the last trade". Before the first trade there is nothing to
    compare with.
    """
    if params.last_trade_bps is None or last_trade <= 0 or price == 0:
        return accept(price)
    if moved_beyond(price, last_trade, params.last_trade_bps):
        return OrderCheck(Verdict.REJECT, price, "too_far_from_last_trade")
    return accept(price)
