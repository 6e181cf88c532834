"""Per-order controls: size, notional, duplicates, throttles, restrictions and parent/child.

Each test sets one control, shows the order it lets through at its boundary
and the one it refuses with its reason code, and that a refusal leaves the
state as it was (apart from the counters and the throttle windows that count
attempts).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import pytest
from risk_support import (
    BUY,
    CASH,
    FIRM,
    OPT,
    PRICE,
    SECOND,
    SELL,
    XYZ,
    RiskMarket,
    cancelled,
    rejection,
)

from orders_support import OPERATOR, bare, kinds, refusal, usd
from seawall import OrderType, TimeInForce, VenueConfig
from seawall.core.commands import (
    Cancel,
    CancelOnDisconnect,
    DeclareParent,
    Deposit,
    EndOfDay,
    KillSwitch,
    NewOrder,
    Replace,
    RiskLimits,
    SetRiskLimits,
    Withdraw,
)
from seawall.core.events import CancelReason, Event, OrderCancelled, ParentDeclared, RejectReason
from seawall.core.types import RiskScope

R = RejectReason
MS = 1_000_000


def refused_unchanged(
    m: RiskMarket, events_of: Callable[[], list[Event]], expected: RejectReason
) -> None:
    """Run ``events_of()``; it must be one rejection for ``expected`` that changes nothing."""
    before = m.frozen()
    events = events_of()
    assert len(events) == 1, events
    assert rejection(events).reason is expected
    assert m.frozen() == before


# ---------------------------------------------------------------------------- size and notional


def test_maximum_order_quantity() -> None:
    m = RiskMarket()
    m.limits("A1", max_order_qty=1_000)
    assert kinds(m.buy("A1", 1_000, PRICE)) == ["OrderAccepted"]
    refused_unchanged(m, lambda: m.buy("A1", 1_001, PRICE), R.MAX_ORDER_QTY_EXCEEDED)
    # Contracts are quantities too; and other accounts are not limited.
    refused_unchanged(
        m, lambda: m.order("A1", BUY, 1_001, usd("0.01"), OPT), R.MAX_ORDER_QTY_EXCEEDED
    )
    assert kinds(m.buy("A2", 1_001, PRICE)) == ["OrderAccepted"]


def test_maximum_order_quantity_of_a_firm_applies_to_each_of_its_accounts() -> None:
    m = RiskMarket()
    m.limits("F", FIRM, max_order_qty=500)
    for account in ("A1", "A2", "B"):
        assert refusal(m.buy(account, 501, PRICE)) is R.MAX_ORDER_QTY_EXCEEDED
    assert kinds(m.buy("C", 501, PRICE)) == ["OrderAccepted"]


def test_maximum_order_notional_counts_the_multiplier() -> None:
    m = RiskMarket()
    cap = usd("50,000")
    m.limits("A1", max_order_notional=cap)
    shares = cap // PRICE  # 500 × $100
    assert kinds(m.buy("A1", shares, PRICE)) == ["OrderAccepted"]
    refused_unchanged(m, lambda: m.buy("A1", shares + 1, PRICE), R.MAX_ORDER_NOTIONAL_EXCEEDED)
    premium = usd("5.00")
    contracts = cap // (premium * 100)  # 100 contracts × $5 × 100
    assert kinds(m.order("A1", BUY, contracts, premium, OPT)) == ["OrderAccepted"]
    refused_unchanged(
        m, lambda: m.order("A1", BUY, contracts + 1, premium, OPT), R.MAX_ORDER_NOTIONAL_EXCEEDED
    )


def test_a_replace_is_held_to_the_size_and_notional_limits() -> None:
    m = RiskMarket()
    m.limits("A1", max_order_qty=1_000, max_order_notional=usd("80,000"))
    bid = m.rest("A1", BUY, 500, PRICE)
    assert refusal(m.do(Replace("alice", bid, 1_001, usd("10.00")))) is R.MAX_ORDER_QTY_EXCEEDED
    assert refusal(m.do(Replace("alice", bid, 801, PRICE))) is R.MAX_ORDER_NOTIONAL_EXCEEDED
    assert kinds(m.do(Replace("alice", bid, 800, PRICE))) == ["OrderReplaced"]


# ---------------------------------------------------------------------------- duplicates


def test_a_duplicate_within_the_window_is_refused_and_accepted_once_it_has_passed() -> None:
    m = RiskMarket()
    m.limits("A1", duplicate_window_ns=SECOND)
    t0 = m.ts + SECOND
    assert kinds(m.buy("A1", 100, PRICE, at=t0)) == ["OrderAccepted"]
    refused_unchanged(m, lambda: m.buy("A1", 100, PRICE, at=t0 + SECOND - 1), R.DUPLICATE_ORDER)
    # Anything different is not a duplicate: quantity, price, side, instrument, account.
    assert kinds(m.buy("A1", 101, PRICE)) == ["OrderAccepted"]
    assert kinds(m.buy("A1", 100, usd("99.99"))) == ["OrderAccepted"]
    assert kinds(m.sell("A1", 100, usd("100.01"))) == ["OrderAccepted"]
    assert kinds(m.order("A1", BUY, 100, PRICE, OPT)) == ["OrderAccepted"]
    assert kinds(m.buy("A2", 100, PRICE)) == ["OrderAccepted"]
    # The window is measured from the accepted order: exactly one window later it passes.
    assert kinds(m.buy("A1", 100, PRICE, at=t0 + SECOND)) == ["OrderAccepted"]


def test_a_duplicate_of_an_order_that_already_filled_is_still_a_duplicate() -> None:
    m = RiskMarket()
    m.limits("A1", duplicate_window_ns=SECOND)
    m.rest("M", SELL, 100, PRICE)
    assert kinds(m.buy("A1", 100, PRICE)) == ["OrderAccepted", "Trade"]
    assert refusal(m.buy("A1", 100, PRICE)) is R.DUPLICATE_ORDER


def test_only_an_accepted_order_starts_the_duplicate_window() -> None:
    m = RiskMarket(cash=usd("1,000"))
    m.limits("A1", duplicate_window_ns=SECOND)
    assert refusal(m.buy("A1", 100, PRICE)) is R.INSUFFICIENT_CASH
    m.do(Deposit("operator", "A1", "USD", usd("10,000")))
    assert kinds(m.buy("A1", 100, PRICE)) == ["OrderAccepted"]
    assert refusal(m.buy("A1", 100, PRICE)) is R.DUPLICATE_ORDER


def test_a_firm_duplicate_window_compares_orders_of_the_same_account_only() -> None:
    m = RiskMarket()
    m.limits("F", FIRM, duplicate_window_ns=SECOND)
    assert kinds(m.buy("A1", 100, PRICE)) == ["OrderAccepted"]
    assert kinds(m.buy("A2", 100, PRICE)) == ["OrderAccepted"]
    assert kinds(m.buy("B", 100, PRICE)) == ["OrderAccepted"]
    assert refusal(m.buy("A2", 100, PRICE)) is R.DUPLICATE_ORDER


def test_a_duplicate_window_changed_above_an_account_keeps_the_orders_inside_it() -> None:
    """The account's table takes the longer of its own window and its firm's: a firm that
    sets or changes its window re-windows the orders already inside, never forgets them."""
    m = RiskMarket()
    m.limits("A1", duplicate_window_ns=SECOND)
    t0 = m.ts + SECOND
    assert kinds(m.buy("A1", 100, PRICE, at=t0)) == ["OrderAccepted"]
    m.limits("F", FIRM, duplicate_window_ns=3 * SECOND, at=t0 + 1)
    assert refusal(m.buy("A1", 100, PRICE, at=t0 + 2)) is R.DUPLICATE_ORDER
    assert refusal(m.buy("A1", 100, PRICE, at=t0 + 2 * SECOND)) is R.DUPLICATE_ORDER  # firm's
    m.limits("F", FIRM, at=t0 + 2 * SECOND + 1)  # back to the account's own second
    assert kinds(m.buy("A1", 100, PRICE, at=t0 + 2 * SECOND + 2)) == ["OrderAccepted"]
    assert refusal(m.buy("A1", 100, PRICE, at=t0 + 2 * SECOND + 3)) is R.DUPLICATE_ORDER
    restored = type(m.venue).restore(m.venue.export_state())
    assert restored.state_hash() == m.venue.state_hash()


# ---------------------------------------------------------------------------- throttles


def expected_refusals(attempts: Sequence[tuple[int, bool]], limit: int, window: int) -> list[bool]:
    """The sliding-window rule: an attempt that may be refused is refused when ``limit``
    attempts already fall inside the ``window`` before it; every attempt counts."""
    seen: list[int] = []
    refused = []
    for ts, refusable in attempts:
        inside = sum(1 for earlier in seen if ts - earlier < window)
        refused.append(refusable and inside >= limit)
        seen.append(ts)
    return refused


def test_the_message_throttle_refuses_orders_and_counts_cancels() -> None:
    m = RiskMarket()
    limit, window = 3, 10 * MS
    m.limits("A1", max_messages=limit, message_window_ns=window)
    t0 = m.ts + SECOND
    bid = m.rest("A1", BUY, 1, usd("90.00"), at=t0)
    # (offset in ms, what is sent): orders may be refused; the cancel never is, but counts.
    plan = [(1, "order"), (2, "order"), (3, "order"), (4, "cancel"), (10, "order"), (13, "order")]
    plan_attempts = [(0, True)] + [(t * MS, what == "order") for t, what in plan]
    expected = expected_refusals(plan_attempts, limit, window)[1:]
    got = []
    for (offset, what), refuse in zip(plan, expected, strict=True):
        at = t0 + offset * MS
        if what == "cancel":
            events = m.do(Cancel("alice", bid), at)
            assert kinds(events) == ["OrderCancelled"]
            got.append(False)
            continue
        events = m.buy("A1", 1, usd("90.00") + offset * 100, at=at)
        got.append(refusal(events) is R.MESSAGE_RATE_EXCEEDED)
        assert refusal(events) in (None, R.MESSAGE_RATE_EXCEEDED), events
        assert refuse == got[-1], (offset, events)
    assert got == expected and True in got and got[-1] is False


def test_the_message_throttle_counts_and_refuses_replaces() -> None:
    m = RiskMarket()
    m.limits("A1", max_messages=2, message_window_ns=SECOND)
    bid = m.rest("A1", BUY, 10, usd("90.00"))
    assert kinds(m.do(Replace("alice", bid, 10, usd("90.01")))) == ["OrderReplaced"]
    assert refusal(m.do(Replace("alice", bid, 10, usd("90.02")))) is R.MESSAGE_RATE_EXCEEDED
    assert m.venue.orders[bid].price == usd("90.01")
    assert kinds(m.do(Cancel("alice", bid))) == ["OrderCancelled"]


def test_the_order_throttle_counts_new_orders_only_refused_ones_included() -> None:
    m = RiskMarket()
    m.limits("A1", max_orders=2, order_window_ns=SECOND)
    t0 = m.ts + SECOND
    bid = m.rest("A1", BUY, 10, usd("90.00"), at=t0)
    m.do(Replace("alice", bid, 20, usd("90.00")), t0 + 1)  # a replace is not a new order
    m.do(Cancel("alice", bid), t0 + 2)  # nor is a cancel
    assert kinds(m.buy("A1", 10, usd("90.00"), at=t0 + 3)) == ["OrderAccepted"]
    assert refusal(m.buy("A1", 10, usd("90.00"), at=t0 + 4)) is R.ORDER_RATE_EXCEEDED
    assert refusal(m.buy("A1", 10, usd("90.00"), at=t0 + 5)) is R.ORDER_RATE_EXCEEDED
    # One window after the accepted orders, the two refused attempts still fill the window.
    assert refusal(m.buy("A1", 10, usd("90.00"), at=t0 + 3 + SECOND)) is R.ORDER_RATE_EXCEEDED
    # Once they have left it, only the attempt at t0 + 3 + SECOND is inside.
    assert kinds(m.buy("A1", 10, usd("90.00"), at=t0 + 5 + SECOND)) == ["OrderAccepted"]
    assert kinds(m.buy("A2", 10, usd("90.00"))) == ["OrderAccepted"]  # never limited


def test_the_execution_throttle_counts_fills_per_instrument_passive_ones_too() -> None:
    m = RiskMarket()
    m.limits("A1", max_executions=2, execution_window_ns=SECOND)
    t0 = m.ts + SECOND
    m.rest("A1", BUY, 10, PRICE, at=t0)
    m.sell("M", 5, PRICE, at=t0 + 1)  # A1's first execution, as the resting side
    m.rest("M", SELL, 5, usd("100.01"), at=t0 + 2)
    assert kinds(m.buy("A1", 5, usd("100.01"), at=t0 + 3)) == ["OrderAccepted", "Trade"]
    # Two executions in XYZ within the window: no more XYZ orders, options still allowed.
    refused = m.buy("A1", 1, usd("90.00"), at=t0 + 4)
    assert refusal(refused) is R.EXECUTION_RATE_EXCEEDED
    assert kinds(m.order("A1", BUY, 1, usd("4.00"), OPT, at=t0 + 5)) == ["OrderAccepted"]
    # The window runs from the first of the two executions (t0 + 1).
    assert refusal(m.buy("A1", 1, usd("90.00"), at=t0 + SECOND)) is R.EXECUTION_RATE_EXCEEDED
    assert kinds(m.buy("A1", 1, usd("90.00"), at=t0 + 1 + SECOND)) == ["OrderAccepted"]


def test_the_execution_throttle_refuses_a_replace_too() -> None:
    m = RiskMarket()
    bid = m.rest("A1", BUY, 10, usd("90.00"))
    m.limits("A1", max_executions=1, execution_window_ns=SECOND)
    m.rest("M", SELL, 5, PRICE)
    assert kinds(m.buy("A1", 5, PRICE)) == ["OrderAccepted", "Trade"]
    assert refusal(m.buy("A1", 1, usd("90.00"))) is R.EXECUTION_RATE_EXCEEDED
    assert refusal(m.do(Replace("alice", bid, 20, usd("90.00")))) is R.EXECUTION_RATE_EXCEEDED


def test_a_firm_execution_throttle_set_anew_starts_empty_for_every_account() -> None:
    # Each account keeps its own and its firm's execution windows at hand; a new firm
    # throttle must reach the accounts that already looked the old one up.
    m = RiskMarket()
    m.limits("F", FIRM, max_executions=2, execution_window_ns=SECOND)
    m.rest("M", SELL, 100, PRICE)
    assert kinds(m.buy("A1", 1, PRICE)) == ["OrderAccepted", "Trade"]
    assert kinds(m.buy("A2", 1, PRICE)) == ["OrderAccepted", "Trade"]
    refused = rejection(m.buy("A1", 1, PRICE))
    assert refused.reason is R.EXECUTION_RATE_EXCEEDED
    assert refused.text == f"firm 'F' had more than 2 executions in XYZ within {SECOND} ns"
    m.limits("F", FIRM, max_executions=3, execution_window_ns=SECOND)
    assert kinds(m.buy("A1", 1, PRICE)) == ["OrderAccepted", "Trade"]
    assert kinds(m.buy("A2", 1, PRICE)) == ["OrderAccepted", "Trade"]
    assert kinds(m.buy("B", 1, PRICE)) == ["OrderAccepted", "Trade"]
    assert refusal(m.buy("A2", 1, PRICE)) is R.EXECUTION_RATE_EXCEEDED


def test_the_end_of_day_restarts_the_execution_windows() -> None:
    m = RiskMarket()
    for account in ("A1", "D"):  # in a firm and on its own
        m.limits(account, max_executions=1, execution_window_ns=SECOND)
    m.rest("M", SELL, 100, PRICE)
    for account in ("A1", "D"):
        assert kinds(m.buy(account, 1, PRICE)) == ["OrderAccepted", "Trade"]
        assert refusal(m.buy(account, 1, PRICE)) is R.EXECUTION_RATE_EXCEEDED
    m.do(EndOfDay("operator"))
    for account in ("A1", "D"):
        assert kinds(m.buy(account, 1, PRICE)) == ["OrderAccepted", "Trade"]
        assert refusal(m.buy(account, 1, PRICE)) is R.EXECUTION_RATE_EXCEEDED


def test_an_execution_window_enters_the_state_with_its_first_execution() -> None:
    # An order opens its account's and its firm's windows in its instrument, empty until
    # a fill: the state, and so its hash, is that of a venue that never looked them up,
    # and an order refused after that leaves it unchanged.
    m = RiskMarket()
    m.limits("F", FIRM, max_executions=5, execution_window_ns=SECOND)
    m.limits("A1", max_executions=5, execution_window_ns=SECOND, collar_bps=500)
    m.rest("A1", BUY, 10, usd("90.00"))
    refused_unchanged(m, lambda: m.buy("A1", 1, usd("9.00"), symbol=OPT), R.OUTSIDE_PRICE_COLLAR)

    def windows() -> list[tuple[str, list[tuple[str, list[int]]]]]:
        risk = m.frozen().risk
        assert risk is not None
        return [(s.target, s.executions) for s in risk.scopes if s.target in ("F", "A1")]

    assert windows() == [("F", []), ("A1", [])]
    m.sell("M", 10, usd("90.00"))
    assert windows() == [("F", [(XYZ, [m.ts])]), ("A1", [(XYZ, [m.ts])])]


# ---------------------------------------------------------------------------- restrictions


def test_a_restricted_account_may_not_enter_orders_but_may_cancel_them() -> None:
    m = RiskMarket()
    bid = m.rest("A1", BUY, 10, PRICE)
    m.limits("A1", restricted=True)
    refused_unchanged(m, lambda: m.buy("A1", 10, PRICE), R.RESTRICTED)
    assert m.open_ids("A1") == [bid]  # a restriction is not a kill switch
    assert cancelled(m.do(Cancel("alice", bid))) == [(bid, "user")]
    assert kinds(m.buy("A2", 10, PRICE)) == ["OrderAccepted"]


def test_a_restricted_firm_restricts_every_account_of_the_firm() -> None:
    m = RiskMarket()
    m.limits("F", FIRM, restricted=True)
    for account in ("A1", "A2", "B"):
        assert refusal(m.buy(account, 1, PRICE)) is R.RESTRICTED
    assert kinds(m.buy("C", 1, PRICE)) == ["OrderAccepted"]


def test_a_replace_in_a_restricted_instrument_is_refused() -> None:
    m = RiskMarket()
    bid = m.rest("A1", BUY, 10, usd("4.00"), symbol=OPT)
    m.limits("A1", restricted_instruments=(OPT,))
    assert refusal(m.order("A1", BUY, 10, usd("4.00"), OPT)) is R.RESTRICTED_INSTRUMENT
    assert refusal(m.do(Replace("alice", bid, 20, usd("4.10")))) is R.RESTRICTED_INSTRUMENT


def test_a_restricted_instrument_is_refused_and_the_others_are_not() -> None:
    m = RiskMarket()
    m.limits("A1", restricted_instruments=(OPT,))
    refused_unchanged(m, lambda: m.order("A1", SELL, 1, usd("5.00"), OPT), R.RESTRICTED_INSTRUMENT)
    assert kinds(m.buy("A1", 1, PRICE)) == ["OrderAccepted"]
    assert kinds(m.order("A2", SELL, 1, usd("5.00"), OPT)) == ["OrderAccepted"]
    m.limits("G", FIRM, restricted_instruments=(XYZ,))
    assert refusal(m.buy("C", 1, PRICE)) is R.RESTRICTED_INSTRUMENT


# ---------------------------------------------------------------------------- parent and child


def declare(m: RiskMarket, parent: str, qty: int, side: str = "buy", symbol: str = XYZ) -> Event:
    events = m.do(DeclareParent("alice", "A1", parent, symbol, BUY if side == "buy" else SELL, qty))
    assert len(events) == 1, events
    return events[0]


def child(
    m: RiskMarket, parent: str, qty: int, price: int = PRICE, **fields: object
) -> list[Event]:
    return m.buy("A1", qty, price, parent_order_id=parent, **fields)


def test_children_never_exceed_their_parent() -> None:
    m = RiskMarket()
    assert bare([declare(m, "P1", 1_000)]) == [ParentDeclared(0, 0, "A1", "P1", XYZ, BUY, 1_000, 0)]
    assert kinds(child(m, "P1", 400)) == ["OrderAccepted"]
    assert kinds(child(m, "P1", 600)) == ["OrderAccepted"]
    refused_unchanged(m, lambda: child(m, "P1", 1), R.PARENT_QUANTITY_EXCEEDED)


def test_filled_children_use_the_parent_and_cancelled_leaves_give_it_back() -> None:
    m = RiskMarket()
    declare(m, "P1", 1_000)
    m.rest("M", SELL, 300, PRICE)
    first = child(m, "P1", 500)  # 300 fill, 200 rest
    assert kinds(first) == ["OrderAccepted", "Trade"]
    resting = first[0].order_id  # type: ignore[union-attr]
    assert refusal(child(m, "P1", 501)) is R.PARENT_QUANTITY_EXCEEDED
    m.do(Cancel("alice", resting))  # 200 open come back; the 300 filled stay used
    assert refusal(child(m, "P1", 701)) is R.PARENT_QUANTITY_EXCEEDED
    assert kinds(child(m, "P1", 700)) == ["OrderAccepted"]
    # The rest of an IOC child that did not fill comes back at once.
    m.do(Cancel("alice", m.open_ids("A1")[0]))
    m.rest("M", SELL, 100, PRICE)
    events = child(m, "P1", 700, tif=TimeInForce.IOC)
    assert kinds(events) == ["OrderAccepted", "Trade", "OrderCancelled"]
    assert kinds(child(m, "P1", 600)) == ["OrderAccepted"]  # 300 + 100 filled, 600 open


def test_a_replace_of_a_child_is_held_to_its_parent() -> None:
    m = RiskMarket()
    declare(m, "P1", 1_000)
    first = child(m, "P1", 600)[0].order_id  # type: ignore[union-attr]
    child(m, "P1", 300)
    assert refusal(m.do(Replace("alice", first, 701, PRICE))) is R.PARENT_QUANTITY_EXCEEDED
    assert kinds(m.do(Replace("alice", first, 700, PRICE))) == ["OrderReplaced"]
    assert kinds(m.do(Replace("alice", first, 200, PRICE))) == ["OrderReplaced"]
    assert kinds(child(m, "P1", 500)) == ["OrderAccepted"]
    assert refusal(child(m, "P1", 1)) is R.PARENT_QUANTITY_EXCEEDED


def test_a_kill_switch_gives_the_cancelled_childrens_quantity_back() -> None:
    m = RiskMarket()
    declare(m, "P1", 1_000)
    child(m, "P1", 1_000)
    m.kill("A1")
    m.kill("A1", engage=False)
    assert kinds(child(m, "P1", 1_000)) == ["OrderAccepted"]


def test_cancel_on_disconnect_gives_the_childrens_quantity_back() -> None:
    m = RiskMarket()
    declare(m, "P1", 1_000)
    child(m, "P1", 1_000)
    m.do(CancelOnDisconnect("alice"))
    assert kinds(child(m, "P1", 1_000)) == ["OrderAccepted"]


def test_an_undeclared_or_mismatched_parent_is_unknown() -> None:
    off = RiskMarket(VenueConfig(pre_trade_risk=False))  # no parents can even be declared
    refused_unchanged(off, lambda: child(off, "P1", 1), R.UNKNOWN_PARENT)
    assert off.venue.export_state().risk is None
    m = RiskMarket()
    declare(m, "P1", 1_000)
    m.limits("A1")  # the accounts' scopes exist (see test_risk_rejections for why)
    m.limits("A2")
    refused_unchanged(m, lambda: child(m, "P2", 1), R.UNKNOWN_PARENT)
    refused_unchanged(m, lambda: m.sell("A1", 1, PRICE, parent_order_id="P1"), R.UNKNOWN_PARENT)
    refused_unchanged(
        m, lambda: m.order("A1", BUY, 1, usd("5.00"), OPT, parent_order_id="P1"), R.UNKNOWN_PARENT
    )
    # A parent belongs to its account.
    refused_unchanged(m, lambda: m.buy("A2", 1, PRICE, parent_order_id="P1"), R.UNKNOWN_PARENT)


def test_a_parent_may_grow_or_shrink_down_to_what_its_children_use() -> None:
    m = RiskMarket()
    declare(m, "P1", 1_000)
    child(m, "P1", 800)
    assert bare([declare(m, "P1", 1_500)]) == [
        ParentDeclared(0, 0, "A1", "P1", XYZ, BUY, 1_500, 800)
    ]
    assert kinds(child(m, "P1", 700)) == ["OrderAccepted"]
    assert refusal([declare(m, "P1", 1_499)]) is R.INVALID_DEFINITION
    assert bare([declare(m, "P1", 1_500)]) == [
        ParentDeclared(0, 0, "A1", "P1", XYZ, BUY, 1_500, 1_500)
    ]
    assert refusal([declare(m, "P1", 1_500, side="sell")]) is R.INVALID_DEFINITION


@pytest.mark.parametrize(
    ("participant", "account", "symbol", "qty", "expected"),
    [
        ("bob", "A1", XYZ, 10, R.NOT_ENTITLED),
        ("operator", "A1", XYZ, 10, R.NOT_ENTITLED),
        ("alice", "ZZ", XYZ, 10, R.UNKNOWN_ACCOUNT),
        ("alice", "A1", "NOPE", 10, R.UNKNOWN_INSTRUMENT),
        ("alice", "A1", XYZ, 0, R.INVALID_QUANTITY),
    ],
)
def test_a_parent_is_declared_by_its_accounts_owner_for_a_listed_instrument(
    participant: str, account: str, symbol: str, qty: int, expected: RejectReason
) -> None:
    m = RiskMarket()
    before = m.frozen()
    events = m.do(DeclareParent(participant, account, "P1", symbol, BUY, qty))
    assert refusal(events) is expected
    assert m.frozen() == before


# ---------------------------------------------------------------------------- cancel on disconnect


def test_cancel_on_disconnect_cancels_every_open_order_of_the_participant() -> None:
    m = RiskMarket()
    m.limits("F", FIRM, credit_limit=usd("10,000,000"))
    a1 = m.rest("A1", BUY, 100, usd("99.00"))
    b = m.rest("B", BUY, 100, usd("99.00"))
    a2 = m.rest("A2", SELL, 10, usd("5.10"), symbol=OPT)
    stop = m.rest(
        "A1", SELL, 50, 0, order_type=OrderType.STOP, stop_price=usd("95.00")
    )  # a waiting stop is an open order too
    events = m.do(CancelOnDisconnect("alice"))
    assert bare(events) == [
        OrderCancelled(0, 0, a1, "A1", XYZ, 100, CancelReason.DISCONNECT),
        OrderCancelled(0, 0, a2, "A2", OPT, 10, CancelReason.DISCONNECT),
        OrderCancelled(0, 0, stop, "A1", XYZ, 50, CancelReason.DISCONNECT),
    ]
    assert m.open_ids() == [b]
    assert m.scope("A1").exposure == m.scope("A2").exposure == 0
    assert m.firm("F").exposure == 100 * usd("99.00")
    assert kinds(m.buy("A1", 1, PRICE)) == ["OrderAccepted"]  # not a kill switch


def test_cancel_on_disconnect_works_with_the_risk_layer_off_and_only_for_traders() -> None:
    m = RiskMarket(VenueConfig(pre_trade_risk=False))
    bid = m.rest("A1", BUY, 100, usd("99.00"))
    assert cancelled(m.do(CancelOnDisconnect("alice"))) == [(bid, "disconnect")]
    assert m.do(CancelOnDisconnect("alice")) == []
    for who in ("operator", "mallory"):
        before = m.frozen()
        assert refusal(m.do(CancelOnDisconnect(who))) is R.UNKNOWN_PARTICIPANT
        assert m.frozen() == before


def test_a_limit_set_late_counts_the_orders_already_open_and_the_positions_already_taken() -> None:
    m = RiskMarket()
    bid = usd("99.00")
    m.rest("A1", BUY, 3_000, bid)
    m.rest("B", SELL, 20, usd("5.10"), symbol=OPT)
    m.rest("M", SELL, 1_000, PRICE)
    m.buy("A2", 1_000, PRICE)  # executed before any limit exists
    exposure = 3_000 * bid + 1_000 * PRICE + 20 * usd("5.10") * 100  # firm F, before any limit
    m.limits("F", FIRM, credit_limit=exposure + bid - 1)  # one more share is one unit too many
    assert m.scope("A1").open_notional == 3_000 * bid
    assert m.scope("A2").executed == 1_000 * PRICE
    assert m.firm("F").exposure == exposure
    assert refusal(m.buy("A2", 1, bid)) is R.CREDIT_LIMIT_EXCEEDED


def test_new_orders_are_checked_before_funding() -> None:
    m = RiskMarket(cash=0)
    m.limits("A1", max_order_qty=10)
    # An order that is both too big and unfunded is refused for its size: risk runs first.
    assert refusal(m.buy("A1", 11, PRICE)) is R.MAX_ORDER_QTY_EXCEEDED
    assert refusal(m.buy("A1", 10, PRICE)) is R.INSUFFICIENT_CASH
    # Orders the venue refuses before the risk layer (malformed) use no throttle.
    m.limits("A1", max_orders=1, order_window_ns=SECOND)
    assert refusal(m.do(NewOrder("alice", "A1", XYZ, BUY, 0, PRICE))) is R.INVALID_QUANTITY
    assert refusal(m.sell("A1", 1, PRICE)) is None


def test_an_unfunded_order_counts_in_nothing_but_the_throttles() -> None:
    """The venue reads funding before it asks the controls, but the controls still answer an
    unfunded order first. Such an order is never entered: its exposure, its duplicate key
    and its parent's quantity are not counted, only the attempt."""
    m = RiskMarket(cash=0)
    declare(m, "P1", 10)
    m.limits("A1", credit_limit=usd("1,000,000"), duplicate_window_ns=SECOND)
    refused_unchanged(m, lambda: child(m, "P1", 10), R.INSUFFICIENT_CASH)
    refused_unchanged(m, lambda: child(m, "P1", 10), R.INSUFFICIENT_CASH)  # no duplicate
    m.do(Deposit(OPERATOR, "A1", "USD", 10 * PRICE))
    assert kinds(child(m, "P1", 10)) == ["OrderAccepted"]  # the parent's 10 were all free
    assert m.scope("A1").open_notional == 10 * PRICE
    m.kill("A1")
    assert refusal(m.buy("A1", 1, PRICE)) is R.KILL_SWITCH_ENGAGED  # not its lack of cash
    m.kill("A1", engage=False)
    m.limits("A2", max_orders=2, order_window_ns=SECOND)
    m.do(Withdraw(OPERATOR, "A2", "USD", CASH))
    assert refusal(m.buy("A2", 1, PRICE)) is R.INSUFFICIENT_CASH
    assert refusal(m.sell("A2", 1, PRICE)) is None
    assert refusal(m.sell("A2", 2, PRICE)) is R.ORDER_RATE_EXCEEDED  # the unfunded one counted


def test_a_venue_without_controls_names_an_unknown_parent_before_missing_cash() -> None:
    m = RiskMarket(VenueConfig(pre_trade_risk=False), cash=0)
    refused_unchanged(m, lambda: child(m, "P1", 1), R.UNKNOWN_PARENT)


def test_risk_commands_are_refused_by_a_venue_configured_without_pre_trade_risk() -> None:
    m = RiskMarket(VenueConfig(pre_trade_risk=False))
    for command in (
        DeclareParent("alice", "A1", "P1", XYZ, BUY, 10),
        SetRiskLimits("operator", RiskScope.ACCOUNT, "A1", RiskLimits(credit_limit=1)),
        KillSwitch("operator", RiskScope.ACCOUNT, "A1"),
    ):
        before = m.frozen()
        assert refusal(m.do(command)) is R.RISK_CONTROLS_OFF
        assert m.frozen() == before


def test_declaring_a_parent_sees_the_open_orders_already_counted() -> None:
    m = RiskMarket()
    m.rest("A2", BUY, 100, usd("99.00"))
    m.do(DeclareParent("alice", "A1", "P1", XYZ, BUY, 10))
    assert m.scope("A2").open_notional == 100 * usd("99.00")
    assert m.firm("F").open_notional == 100 * usd("99.00")
