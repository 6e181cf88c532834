"""SEC Rule 201, the short-sale price test (RULES.md §5).

A trade in regular hours at 10% or more below the prior day's close
triggers the restriction, which lasts for the rest of that day and the
whole next trading day (``following_days``); a further trigger while
restricted extends it from that day. While restricted, a short sale may not
execute or display at or below the national best bid: it is rejected, or
repriced one tick above the bid, as the rulebook chooses. An order marked
short-exempt passes, and so do long sales and buys.
"""

from __future__ import annotations

import datetime as dt
from enum import StrEnum

import msgspec

from seawall.core.types import BPS, SaleMarking, Side
from seawall.safeguards.calendar import Session, TradingCalendar
from seawall.safeguards.outcome import OrderCheck, Verdict, accept
from seawall.safeguards.units import Count, PositiveBps


class PriceTestAction(StrEnum):
    """What becomes of a short sale at or below the national best bid while restricted."""

    REJECT = "reject"
    REPRICE = "reprice"  # to one tick above the national best bid


class ShortSaleParams(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    """The ``[short_sale]`` section."""

    trigger_bps: PositiveBps
    following_days: Count
    action: PriceTestAction

    def problems(self) -> list[tuple[str, str]]:
        """Nothing to check beyond each key's type and range."""
        return []


class ShortSaleTrigger(msgspec.Struct, frozen=True):
    """The restriction began or was extended at ``at`` and lasts through date ``through``."""

    at: int
    price: int
    through: dt.date


def triggers(params: ShortSaleParams, price: int, prior_close: int) -> bool:
    """Whether ``price`` is ``trigger_bps`` or more below the prior close (exactly 10% triggers)."""
    return (prior_close - price) * BPS >= prior_close * params.trigger_bps


class ShortSaleState(msgspec.Struct, frozen=True, array_like=True):
    """A :class:`ShortSaleRestriction`'s state: restricted from ``since`` through date ``through``.

    ``through`` is None (and ``since`` 0) while the security has never been restricted.
    """

    since: int
    through: dt.date | None


class ShortSaleRestriction:
    """The restriction of one security across trading days."""

    __slots__ = ("_calendar", "_params", "_since", "_through")

    def __init__(self, params: ShortSaleParams, calendar: TradingCalendar) -> None:
        self._params = params
        self._calendar = calendar
        self._since = 0
        self._through: dt.date | None = None

    def on_trade(self, ts: int, price: int, prior_close: int) -> ShortSaleTrigger | None:
        """A last-sale price; the trigger it causes, if it is the first of its day to trigger."""
        calendar = self._calendar
        if calendar.session_at(ts) is not Session.REGULAR or not triggers(
            self._params, price, prior_close
        ):
            return None
        date = calendar.trading_date(ts)
        through = calendar.next_trading_day(date, self._params.following_days)
        if self._through is not None and through <= self._through:
            return None
        if not self.restricted(ts):
            self._since = ts
        self._through = through
        return ShortSaleTrigger(ts, price, through)

    def export(self) -> ShortSaleState:
        """The state a snapshot carries; the params and calendar are given again on restore."""
        return ShortSaleState(self._since, self._through)

    def restore(self, state: ShortSaleState) -> None:
        """Overwrite the state of a restriction built with the same params and calendar."""
        self._since = state.since
        self._through = state.through

    def restricted(self, ts: int) -> bool:
        through = self._through
        return (
            through is not None and ts >= self._since and self._calendar.trading_date(ts) <= through
        )


def price_test(
    params: ShortSaleParams,
    restricted: bool,
    side: Side,
    marking: SaleMarking,
    price: int,
    best_bid: int,
    tick: int,
) -> OrderCheck:
    """The price test for one order; ``price`` 0 is a market order, ``best_bid`` 0 no bid."""
    if (
        not restricted
        or side is Side.BUY
        or marking is not SaleMarking.SHORT
        or best_bid == 0
        or price > best_bid
    ):
        return accept(price)
    if params.action is PriceTestAction.REPRICE:
        return OrderCheck(Verdict.REPRICE, best_bid + tick, "short_sale_price_test")
    return OrderCheck(Verdict.REJECT, price, "short_sale_price_test")
