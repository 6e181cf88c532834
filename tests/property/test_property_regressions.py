"""Minimal reproductions of engine bugs the properties found, kept as regression tests.

Each names the property that caught it and pins the fix.
"""

from __future__ import annotations

import pytest
from property_checks import OrderTypeChecker, check_not_crossed, comparable_state, state_difference
from strategies import OPERATOR, Scenario

from seawall import Instrument, OrderType, Side, TimeInForce, TradingState, Venue, VenueConfig
from seawall.core.commands import (
    Borrow,
    Command,
    Deposit,
    ListInstrument,
    NewOrder,
    OpenAccount,
    RegisterParticipant,
    ReportTrade,
    ReturnBorrow,
    SetTradingState,
)
from seawall.core.events import Event, Rejected, Trade
from stream_support import run

XYZ = Instrument("XYZ", tick_size=100)


def venue_with(*commands: Command) -> Venue:
    """Alice (account A, plenty of cash) and Bob (account B, 100 XYZ), XYZ listed at $1."""
    venue = Venue()
    setup: list[Command] = [
        RegisterParticipant(OPERATOR, "alice"),
        RegisterParticipant(OPERATOR, "bob"),
        OpenAccount(OPERATOR, "A", "alice"),
        OpenAccount(OPERATOR, "B", "bob"),
        ListInstrument(OPERATOR, XYZ, reference_price=10_000),
        Deposit(OPERATOR, "A", "USD", 10**9),
        Deposit(OPERATOR, "B", "XYZ", 100),
    ]
    for ts, command in enumerate([*setup, *commands], start=1):
        venue.process(command, ts)
    return venue


def filled(events: list[Event], order_id: int) -> int:
    return sum(
        e.qty
        for e in events
        if isinstance(e, Trade) and order_id in (e.buy_order_id, e.sell_order_id)
    )


@pytest.mark.parametrize("stop", [TradingState.HALTED, TradingState.CLOSED])
def test_no_trade_is_reported_while_halted_or_closed(stop: TradingState) -> None:
    """Property 8. Halted and closed instruments produce no trades, reported ones included."""
    venue = venue_with(SetTradingState(OPERATOR, "XYZ", stop))
    report = ReportTrade(OPERATOR, "XYZ", buyer="A", seller="B", price=10_000, qty=1)
    events = venue.process(report, 100)
    assert not [e for e in events if isinstance(e, Trade)], f"{stop} XYZ printed {events}"
    assert venue.books["XYZ"].last_price == 0


def test_elected_fok_stop_fills_completely_or_not_at_all() -> None:
    """Property 8. A buy stop FOK for 5 is elected by a trade at its trigger while only 1
    unit is offered. It must fill all 5 or none (it used to buy the 1 and cancel 4)."""
    venue = venue_with(
        NewOrder("alice", "A", "XYZ", Side.BUY, 5, order_type=OrderType.STOP,
                 tif=TimeInForce.FOK, stop_price=10_000),  # order 1
        NewOrder("bob", "B", "XYZ", Side.SELL, 2, price=10_000),  # order 2
    )  # fmt: skip
    events = venue.process(NewOrder("alice", "A", "XYZ", Side.BUY, 1, price=10_000), 100)
    assert filled(events, 3) == 1  # the trade that elects the stop
    assert filled(events, 1) in (0, 5), f"FOK stop for 5 filled {filled(events, 1)}: {events}"


def test_refused_borrow_changes_nothing() -> None:
    """Property 7. Neither account holds XYZ, so the lender cannot deliver and the borrow
    is refused; it must change nothing (it used to leave both accounts an empty XYZ
    position, changing the state hash)."""
    venue = venue_with(OpenAccount(OPERATOR, "C", "bob"))
    before = comparable_state(venue)
    events = venue.process(Borrow(OPERATOR, "A", "C", "XYZ", 1), 100)
    assert len(events) == 1 and isinstance(events[0], Rejected)
    after = comparable_state(venue)
    assert after == before, state_difference(before, after)


def test_refused_return_borrow_changes_nothing() -> None:
    """Property 7. No loan exists between A and C, so returning one is refused; it must
    change nothing (it used to leave both accounts an empty XYZ position)."""
    venue = venue_with(OpenAccount(OPERATOR, "C", "bob"))
    before = comparable_state(venue)
    events = venue.process(ReturnBorrow(OPERATOR, "A", "C", "XYZ", 1), 100)
    assert len(events) == 1 and isinstance(events[0], Rejected)
    after = comparable_state(venue)
    assert after == before, state_difference(before, after)


@pytest.mark.parametrize("stop", [TradingState.HALTED, TradingState.CLOSED])
def test_call_that_went_through_a_halt_uncrosses_on_resumption(stop: TradingState) -> None:
    """Property 1. Orders that cross during an auction must not survive into continuous
    trading when the auction ends in a halt or a close first (GTC orders outlive a close)."""
    venue = venue_with(
        SetTradingState(OPERATOR, "XYZ", TradingState.AUCTION),
        NewOrder("alice", "A", "XYZ", Side.BUY, 1, price=10_100, tif=TimeInForce.GTC),
        NewOrder("bob", "B", "XYZ", Side.SELL, 1, price=10_000, tif=TimeInForce.GTC),
        SetTradingState(OPERATOR, "XYZ", stop),
        SetTradingState(OPERATOR, "XYZ", TradingState.CONTINUOUS),
    )
    check_not_crossed(venue)


def test_ioc_limit_that_cannot_trade_never_rests() -> None:
    """Property 8. An IOC limit order that crosses nothing must be cancelled, never rested
    (it used to rest; property 5 caught it too, as a restored venue took a different
    path through order entry than the original and diverged)."""
    commands: list[Command] = [
        RegisterParticipant(OPERATOR, "alice"),
        OpenAccount(OPERATOR, "A", "alice"),
        ListInstrument(OPERATOR, XYZ, reference_price=10_000),
        Deposit(OPERATOR, "A", "USD", 10**9),
        NewOrder("alice", "A", "XYZ", Side.BUY, 1, price=10_000, tif=TimeInForce.IOC),
    ]
    scenario = Scenario(VenueConfig(), len(commands) - 1, tuple(commands), ())
    venue, checker = Venue(), OrderTypeChecker()
    for step in run(scenario, venue):
        checker(step, venue)
    assert not venue.orders
    assert venue.books["XYZ"].bids.best() is None
