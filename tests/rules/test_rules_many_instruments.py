"""Commands that reach several instruments at once: a clock tick, cancels that name no
instrument (a disconnect, a mass cancel, a settlement fail) and a kill switch.

Each instrument they reach meets what time made due in it first, and then
what that set off in it alone (its own prints feed its own safeguards), as a
command about that instrument would; a kill raised by any of it is
published in the same command.
"""

from __future__ import annotations

from rules_support import US_TODAY, RuledMarket

from orders_support import OPERATOR, bare, usd
from seawall import Instrument, OrderType, Side
from seawall.core.commands import (
    CancelOnDisconnect,
    ClockTick,
    Deposit,
    KillSwitch,
    ListInstrument,
    NewOrder,
    RiskLimits,
    SetRiskLimits,
)
from seawall.core.events import (
    Event,
    KillSwitchChanged,
    OrderCancelled,
    ShortSaleRestricted,
    Trade,
)
from seawall.core.types import RiskScope

OTHER = "ABC"  # listed second, at $100.00


def two_instruments(prior_close: str = "100.00") -> RuledMarket:
    """XYZ at ``prior_close`` and ABC at $100.00, in the pre-open, every trader holding both."""
    market = RuledMarket(US_TODAY, clock="09:00:00", prior_close=prior_close)
    market.do(ListInstrument(OPERATOR, Instrument(OTHER), reference_price=usd("100.00")))
    for account in market.traders.values():
        market.do(Deposit(OPERATOR, account, OTHER, 100_000))
    return market


def enter(market: RuledMarket, who: str, symbol: str, side: Side, qty: int, price: str) -> int:
    events = market.do(NewOrder(who, market.traders[who], symbol, side, qty, usd(price)))
    return events[0].order_id  # type: ignore[union-attr]


def test_a_disconnect_meets_the_open_that_was_due_before_its_cancels() -> None:
    """At the open alice's bid trades; a disconnect a moment later finds nothing to cancel,
    as a tick would have left it, rather than cancelling in a book still in the pre-open."""
    events: dict[str, list[Event]] = {}
    for way, command in (
        ("tick", ClockTick(OPERATOR)),
        ("disconnect", CancelOnDisconnect("alice")),
    ):
        market = two_instruments()
        enter(market, "bob", "XYZ", Side.SELL, 100, "99.90")
        enter(market, "alice", "XYZ", Side.BUY, 100, "100.00")
        market.at("09:30:05")
        events[way] = bare(market.do(command))
    assert events["disconnect"] == events["tick"]
    assert [type(e) for e in events["tick"]].count(Trade) == 1
    assert not any(isinstance(e, OrderCancelled) for e in events["tick"])


def test_the_prints_an_instrument_makes_at_a_tick_feed_its_own_safeguards_only() -> None:
    """A stop XYZ's opening elects prints at $10.05; ABC, at $100.00, must not take it for a
    fall of 90% (Rule 201) nor average it into its LULD reference."""
    market = two_instruments(prior_close="10.00")
    enter(market, "alice", "XYZ", Side.BUY, 100, "10.00")
    enter(market, "bob", "XYZ", Side.SELL, 100, "10.00")
    enter(market, "dan", "XYZ", Side.SELL, 10, "10.05")
    market.do(
        NewOrder(
            "carol", "C", "XYZ", Side.BUY, 10, order_type=OrderType.STOP, stop_price=usd("10.00")
        )
    )
    enter(market, "alice", OTHER, Side.BUY, 100, "100.00")
    enter(market, "bob", OTHER, Side.SELL, 100, "100.00")
    events = bare(market.tick("09:30:01"))
    stop_print = [e for e in events if isinstance(e, Trade) and e.aggressor is Side.BUY]
    assert [(e.instrument, e.price) for e in stop_print] == [("XYZ", usd("10.05"))]
    assert not any(isinstance(e, ShortSaleRestricted) for e in events)
    rules = market.venue.rules
    assert rules is not None
    monitor = rules.guards[OTHER].luld
    assert monitor is not None
    assert [price for _, price in monitor.export().tracker.trades] == []


def test_a_kill_the_open_sets_off_during_another_kill_is_published_in_the_same_command() -> None:
    """Carol's kill meets XYZ's open; bob's fill there takes him past his credit limit, and
    his kill and its cancel in ABC come in the same command, not at the next one."""
    market = two_instruments(prior_close="10.00")
    enter(market, "alice", "XYZ", Side.BUY, 100, "9.80")
    enter(market, "bob", "XYZ", Side.SELL, 100, "9.00")
    bobs = enter(market, "bob", OTHER, Side.SELL, 10, "150.00")
    enter(market, "carol", "XYZ", Side.BUY, 5, "9.50")
    market.do(SetRiskLimits(OPERATOR, RiskScope.ACCOUNT, "B", RiskLimits(credit_limit=usd("2450"))))
    market.at("09:30:01")
    events = bare(market.do(KillSwitch(OPERATOR, RiskScope.ACCOUNT, "C")))
    killed = [e.target for e in events if isinstance(e, KillSwitchChanged)]
    assert killed == ["C", "B"]
    cancelled = [e.order_id for e in events if isinstance(e, OrderCancelled)]
    assert bobs in cancelled
    assert market.venue.risk.notices == []
