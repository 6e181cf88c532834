"""Every rejection reason, its text, and the rule that a rejection changes nothing."""

from __future__ import annotations

import msgspec
import pytest
from core_support import SYMBOL, Market

from orders_support import usd
from seawall import Instrument, OrderType, Side, TimeInForce, TradingState, VenueConfig
from seawall.core.commands import (
    Borrow,
    Cancel,
    Command,
    Deposit,
    ListInstrument,
    MassCancel,
    NewOrder,
    OpenAccount,
    RegisterParticipant,
    Replace,
    ReportTrade,
    ReturnBorrow,
    SetTradingState,
    Withdraw,
)
from seawall.core.events import Rejected, RejectReason
from seawall.core.state import VenueState
from seawall.core.trading_rules import RULE_REJECTIONS
from seawall.core.venue import Venue
from seawall.risk import RISK_REJECTIONS

R = RejectReason
BUY = Side.BUY


def order(**fields: object) -> NewOrder:
    base: dict[str, object] = {
        "participant": "alice",
        "account": "A",
        "instrument": SYMBOL,
        "side": BUY,
        "qty": 10,
        "price": usd("10.00"),
    }
    base.update(fields)
    return NewOrder(**base)  # type: ignore[arg-type]


def counters_zeroed(m: Market) -> VenueState:
    """The state without the allocation counters every command or order entry advances."""
    return msgspec.structs.replace(m.venue.export_state(), seq=0, ts=0, next_order_id=0)


CASES: list[tuple[str, Command, RejectReason, str]] = [
    ("unknown participant", order(participant="mallory"), R.UNKNOWN_PARTICIPANT, "not registered"),
    ("operator trading", order(participant="operator"), R.NOT_ENTITLED, "do not enter orders"),
    ("unknown instrument", order(instrument="NOPE"), R.UNKNOWN_INSTRUMENT, "not listed"),
    ("unknown account", order(account="Z"), R.UNKNOWN_ACCOUNT, "does not exist"),
    ("someone else's account", order(account="B"), R.NOT_ENTITLED, "does not belong"),
    ("zero quantity", order(qty=0), R.INVALID_QUANTITY, "outside 1 to"),
    ("negative quantity", order(qty=-5), R.INVALID_QUANTITY, "outside 1 to"),
    ("absurd quantity", order(qty=10**13), R.INVALID_QUANTITY, "outside 1 to"),
    ("zero price", order(price=0), R.INVALID_PRICE, "outside 1 to"),
    ("off-tick price", order(price=100_050), R.OFF_TICK, "not a multiple of XYZ's tick 0.0100"),
    ("market with a price", order(order_type=OrderType.MARKET), R.INVALID_PRICE, "no limit"),
    ("post-only IOC", order(post_only=True, tif=TimeInForce.IOC), R.INVALID_TIME_IN_FORCE, "post"),
    ("too little cash", order(qty=10**9), R.INSUFFICIENT_CASH, "needs"),
    ("too few shares", order(side=Side.SELL, qty=10**6), R.INSUFFICIENT_SECURITIES, "needs"),
    ("cancel unknown", Cancel("alice", 999), R.UNKNOWN_ORDER, "not open"),
    ("replace unknown", Replace("alice", 999, 10, usd("10.00")), R.UNKNOWN_ORDER, "not open"),
    ("cancel not own", Cancel("alice", 1), R.NOT_ENTITLED, "does not belong"),
    ("replace off-tick", Replace("bob", 1, 10, 100_001), R.OFF_TICK, "not a multiple"),
    ("replace off-lot", Replace("bob", 1, 0, usd("10.00")), R.INVALID_QUANTITY, "outside"),
    ("mass cancel stranger", MassCancel("mallory"), R.UNKNOWN_PARTICIPANT, "not registered"),
    ("mass cancel other", MassCancel("alice", account="B"), R.NOT_ENTITLED, "does not belong"),
    ("mass cancel no acct", MassCancel("alice", account="Z"), R.UNKNOWN_ACCOUNT, "does not exist"),
    ("mass cancel no sym", MassCancel("alice", instrument="Q"), R.UNKNOWN_INSTRUMENT, "not listed"),
    ("trader deposits", Deposit("alice", "A", "USD", 1), R.NOT_ENTITLED, "reserved for venue"),
    ("zero deposit", Deposit("operator", "A", "USD", 0), R.INVALID_AMOUNT, "positive"),
    ("huge deposit", Deposit("operator", "A", "USD", 10**19), R.INVALID_AMOUNT, "at most"),
    ("supply cap", Deposit("operator", "A", "USD", 10**18), R.INVALID_AMOUNT, "in all"),
    ("unknown asset", Deposit("operator", "A", "$$", 5), R.UNKNOWN_INSTRUMENT, "neither"),
    ("deposit no acct", Deposit("operator", "Z", "USD", 5), R.UNKNOWN_ACCOUNT, "does not exist"),
    ("overdraw", Withdraw("operator", "A", "USD", 10**15), R.INSUFFICIENT_CASH, "needs it"),
    ("overdraw units", Withdraw("operator", "A", SYMBOL, 10**9), R.INSUFFICIENT_SECURITIES, ""),
    ("self loan", Borrow("operator", "A", "A", SYMBOL, 5), R.UNKNOWN_ACCOUNT, "two different"),
    ("loan unknown sym", Borrow("operator", "A", "B", "Q", 5), R.UNKNOWN_INSTRUMENT, "not listed"),
    ("loan zero", Borrow("operator", "A", "B", SYMBOL, 0), R.INVALID_QUANTITY, "positive"),
    ("loan too big", Borrow("operator", "A", "B", SYMBOL, 10**6), R.INSUFFICIENT_SECURITIES, ""),
    ("unowed", ReturnBorrow("operator", "A", "B", SYMBOL, 1), R.INSUFFICIENT_BORROW, "owes"),
    ("trader halts", SetTradingState("bob", SYMBOL, TradingState.HALTED), R.NOT_ENTITLED, "for"),
    (
        "halt unknown",
        SetTradingState("operator", "Q", TradingState.HALTED),
        R.UNKNOWN_INSTRUMENT,
        "Q",
    ),
    ("re-register", RegisterParticipant("operator", "alice"), R.ALREADY_EXISTS, "already"),
    ("bad participant", RegisterParticipant("operator", " x"), R.INVALID_DEFINITION, "printable"),
    ("reopen account", OpenAccount("operator", "A", "alice"), R.ALREADY_EXISTS, "already exists"),
    ("account no owner", OpenAccount("operator", "Q", "nobody"), R.UNKNOWN_PARTICIPANT, "trader"),
    ("bad account id", OpenAccount("operator", "", "alice"), R.INVALID_DEFINITION, "printable"),
    ("relist", ListInstrument("operator", Instrument(SYMBOL)), R.ALREADY_EXISTS, "already listed"),
    (
        "bad tick",
        ListInstrument("operator", Instrument("Q", tick_size=0)),
        R.INVALID_DEFINITION,
        "tick_size must be positive",
    ),  # fmt: skip
    (
        "huge multiplier",
        ListInstrument("operator", Instrument("Q", multiplier=10**6 + 1)),
        R.INVALID_DEFINITION,
        "multiplier must be from 1 to 1,000,000",
    ),  # fmt: skip
    (
        "symbol is currency",
        ListInstrument("operator", Instrument("USD")),
        R.INVALID_DEFINITION,
        "currency",
    ),  # fmt: skip
    (
        "leveraged equity",
        ListInstrument("operator", Instrument("Q", leverage=2)),
        R.INVALID_DEFINITION,
        "only an ETF",
    ),  # fmt: skip
    (
        "off-tick reference",
        ListInstrument("operator", Instrument("Q"), reference_price=5),
        R.INVALID_DEFINITION,
        "reference_price",
    ),  # fmt: skip
    ("trader reports", ReportTrade("alice", SYMBOL, "A", "B", 100_000, 1), R.NOT_ENTITLED, "for"),
    ("report no sym", ReportTrade("operator", "Q", "A", "B", 100_000, 1), R.UNKNOWN_INSTRUMENT, ""),
    ("report self", ReportTrade("operator", SYMBOL, "A", "A", 100_000, 1), R.UNKNOWN_ACCOUNT, ""),
    ("report off-tick", ReportTrade("operator", SYMBOL, "A", "B", 100_001, 1), R.OFF_TICK, ""),
    (
        "report no qty",
        ReportTrade("operator", SYMBOL, "A", "B", 100_000, 0),
        R.INVALID_QUANTITY,
        "",
    ),
    (
        "report unpaid",
        ReportTrade("operator", SYMBOL, "A", "B", 100_000, 10**7),
        R.INSUFFICIENT_CASH,
        "cannot pay",
    ),  # fmt: skip
    (
        "report undelivered",
        ReportTrade("operator", SYMBOL, "A", "B", 100, 10**5),
        R.INSUFFICIENT_SECURITIES,
        "cannot deliver",
    ),  # fmt: skip
]


@pytest.mark.parametrize(
    ("command", "reason", "text"), [case[1:] for case in CASES], ids=[case[0] for case in CASES]
)
def test_rejection_names_its_reason_and_changes_nothing(
    command: Command, reason: RejectReason, text: str
) -> None:
    m = Market()
    m.sell("bob", 10, "10.00")  # order 1, bob's
    before = counters_zeroed(m)
    events = m.do(command)
    assert len(events) == 1
    rejection = events[0]
    assert isinstance(rejection, Rejected), rejection
    assert rejection.reason is reason
    assert text in rejection.text
    assert rejection.participant == command.participant
    assert counters_zeroed(m) == before


def test_lot_size_is_enforced() -> None:
    m = Market(instrument=Instrument(SYMBOL, lot_size=100))
    events = m.buy("alice", 150, "10.00")
    assert isinstance(events[0], Rejected)
    assert events[0].reason is RejectReason.OFF_LOT
    assert "lot 100" in events[0].text


def test_a_rejected_order_still_takes_an_order_id_and_names_it() -> None:
    m = Market()
    events = m.buy("alice", 0, "10.00")
    assert isinstance(events[0], Rejected)
    assert events[0].order_id == 1
    assert m.buy("alice", 1, "9.00")[0].order_id == 2  # type: ignore[union-attr]


def test_an_operator_may_cancel_any_order_and_the_reason_says_so() -> None:
    from seawall.core.events import CancelReason, OrderCancelled

    m = Market()
    m.buy("alice", 10, "9.00")
    events = m.do(Cancel("operator", 1))
    assert isinstance(events[0], OrderCancelled)
    assert events[0].reason is CancelReason.OPERATOR


def test_mass_cancel_touches_only_the_participants_own_orders() -> None:
    m = Market()
    m.buy("alice", 10, "9.00")
    m.sell("alice", 10, "11.00")
    m.buy("bob", 10, "9.00")
    events = m.do(MassCancel("alice", side=Side.BUY))
    assert [e.order_id for e in events] == [1]  # type: ignore[union-attr]
    assert sorted(m.venue.orders) == [2, 3]
    everything = m.do(MassCancel("operator"))
    assert [e.order_id for e in everything] == [2, 3]  # type: ignore[union-attr]


def test_an_invalid_venue_configuration_is_refused() -> None:
    with pytest.raises(ValueError, match="fees must be between"):
        Venue(VenueConfig(maker_fee_bps=-1))


def test_a_non_command_is_a_programming_error_not_a_rejection() -> None:
    with pytest.raises(TypeError, match="not a Seawall command"):
        Venue().process("new_order", 1)  # type: ignore[arg-type]


def test_every_rejection_reason_is_produced_by_some_command() -> None:
    """The table above plus the states it cannot set up: every reason but the risk layer's.

    ``tests/risk`` produces each of :data:`seawall.risk.RISK_REJECTIONS`, ``tests/rules``
    each of :data:`seawall.core.trading_rules.RULE_REJECTIONS`.
    """
    m = Market(instrument=Instrument(SYMBOL, lot_size=10))
    produced = {reason for _, _, reason, _ in CASES}

    def refused(command: Command) -> None:
        events = m.do(command)
        assert isinstance(events[0], Rejected), events
        produced.add(events[0].reason)

    refused(order(qty=15))  # off_lot
    refused(order(order_type=OrderType.STOP, price=0, stop_price=1))  # invalid_stop_price
    m.sell("bob", 10, "10.00")  # order 3
    refused(order(post_only=True))  # post_only_would_cross
    refused(order(qty=20, tif=TimeInForce.FOK))  # fok_not_fillable
    m.sell("bob", 10, order_type=OrderType.STOP, stop_price=usd("9.00"))  # order 6
    refused(Replace("bob", 6, 10, usd("9.00")))  # not_replaceable
    m.buy("alice", 10, "9.00", reserve_price=usd("9.50"))  # order 7
    refused(Replace("alice", 7, 10, usd("9.60")))  # above_reserve_price
    refused(SetTradingState("operator", SYMBOL, TradingState.CONTINUOUS))  # invalid_transition
    m.do(SetTradingState("operator", SYMBOL, TradingState.HALTED))
    refused(order())  # trading_halted
    m.do(SetTradingState("operator", SYMBOL, TradingState.CLOSED))
    refused(order())  # market_closed
    bare = Market(reference_price=0)
    events = bare.buy("alice", 10, order_type=OrderType.MARKET, tif=TimeInForce.IOC)
    assert isinstance(events[0], Rejected)
    produced.add(events[0].reason)  # no_reference_price
    assert produced == set(RejectReason) - RISK_REJECTIONS - RULE_REJECTIONS


def test_no_trade_is_reported_while_trading_is_halted_or_closed() -> None:
    m = Market()
    m.do(SetTradingState("operator", SYMBOL, TradingState.HALTED))
    halted = m.do(ReportTrade("operator", SYMBOL, "A", "B", usd("10.00"), 1))
    assert isinstance(halted[0], Rejected)
    assert halted[0].reason is RejectReason.TRADING_HALTED
    m.do(SetTradingState("operator", SYMBOL, TradingState.CLOSED))
    closed = m.do(ReportTrade("operator", SYMBOL, "A", "B", usd("10.00"), 1))
    assert isinstance(closed[0], Rejected)
    assert closed[0].reason is RejectReason.MARKET_CLOSED
    assert m.venue.books[SYMBOL].last_price == 0
