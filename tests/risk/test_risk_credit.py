"""The credit (capital) threshold on gross exposure, its warning and its automatic kill switch.

Gross exposure = every open order at full notional (buys and sells alike,
open quantity × limit × multiplier) + for each instrument |net executed
quantity| × latest fill price × multiplier. An order is refused
``CREDIT_LIMIT_EXCEEDED`` when exposure plus its notional would exceed the
limit; reaching 100% engages the kill switch when ``kill_on_breach`` is set.
"""

from __future__ import annotations

from collections.abc import Sequence

from risk_support import (
    ACCOUNT,
    BUY,
    FIRM,
    OPT,
    PRICE,
    SELL,
    XYZ,
    RiskMarket,
    cancelled,
    plain,
    rejection,
)

from orders_support import DOLLAR, bare, refusal, usd
from seawall import OrderType, TimeInForce
from seawall.core.commands import Cancel, EndOfDay, KillSwitch, Replace
from seawall.core.events import (
    CancelReason,
    Event,
    KillSwitchChanged,
    OrderAccepted,
    OrderCancelled,
    OrderReplaced,
    Rejected,
    RejectReason,
    RiskWarning,
    Trade,
)
from seawall.core.types import BPS

R = RejectReason
LIMIT = usd("1,000,000")


def notional(qty: int, price: int, multiplier: int = 1) -> int:
    return qty * price * multiplier


def accepted(events: Sequence[Event]) -> OrderAccepted:
    first = events[0]
    assert isinstance(first, OrderAccepted), events
    return first


# ---------------------------------------------------------------------------- the issue's example


def issue_example(with_open_orders: bool) -> tuple[RiskMarket, int, int]:
    """Credit limit $1.0M; $200k executed; $700k of open orders if asked. (market, bid id, qty)."""
    m = RiskMarket()
    m.limits("A1", credit_limit=LIMIT)
    executed_qty = usd("200,000") // PRICE  # 2,000 shares at $100
    open_qty = usd("700,000") // PRICE  # 7,000 shares at $100
    m.rest("M", SELL, executed_qty, PRICE)
    events = m.buy("A1", executed_qty, PRICE)
    assert [type(e) for e in events] == [OrderAccepted, Trade]
    bid = m.rest("A1", BUY, open_qty, PRICE) if with_open_orders else 0
    return m, bid, usd("150,000") // PRICE  # the new order: 1,500 shares at $100


def test_issue_example_open_orders_count_so_the_new_order_is_refused_and_kills() -> None:
    m, bid, qty = issue_example(with_open_orders=True)
    scope = m.scope("A1")
    assert (scope.open_notional, scope.executed) == (usd("700,000"), usd("200,000"))
    # 700k + 200k + 150k = 1.05M > 1.0M; without the open orders it would be 350k.
    assert scope.exposure + notional(qty, PRICE) > LIMIT
    assert scope.executed + notional(qty, PRICE) <= LIMIT
    events = m.buy("A1", qty, PRICE)
    refused = rejection(events)
    assert refused.reason is R.CREDIT_LIMIT_EXCEEDED
    assert refused.order_id == bid + 1
    assert "credit limit" in refused.text
    assert plain(events[1:]) == [
        KillSwitchChanged(0, 0, ACCOUNT, "A1", True, "", ""),
        OrderCancelled(0, 0, bid, "A1", XYZ, 7_000, CancelReason.KILL_SWITCH),
    ]
    kill = events[1]
    assert isinstance(kill, KillSwitchChanged) and "credit limit" in kill.cause
    # The open orders are gone; the executed position still counts.
    assert m.open_ids("A1") == []
    assert (scope.open_notional, scope.executed, scope.killed) == (0, usd("200,000"), True)
    # Killed: new orders refused (even tiny ones), cancels and reset only by an operator.
    assert refusal(m.buy("A1", 1, usd("1.00"))) is R.KILL_SWITCH_ENGAGED
    assert refusal(m.do(KillSwitch("alice", ACCOUNT, "A1", engage=False))) is R.NOT_ENTITLED
    assert plain(m.kill("A1", engage=False)) == [
        KillSwitchChanged(0, 0, ACCOUNT, "A1", False, "reset", "operator")
    ]
    # After the reset, exposure is the $200k executed: the same $150k order now fits.
    accepted(m.buy("A1", qty, PRICE))


def test_issue_example_without_the_open_orders_the_same_order_is_accepted() -> None:
    m, _, qty = issue_example(with_open_orders=False)
    accepted(m.buy("A1", qty, PRICE))
    assert m.scope("A1").exposure == usd("200,000") + usd("150,000")
    assert not m.scope("A1").killed


def test_a_refusal_without_kill_on_breach_changes_nothing_but_the_counters() -> None:
    m = RiskMarket()
    m.limits("A1", credit_limit=LIMIT, kill_on_breach=False)
    m.rest("A1", BUY, 9_000, PRICE)  # $900k
    before = m.frozen()
    events = m.buy("A1", 1_001, PRICE)  # $100,100 more: $1,000,100
    assert len(events) == 1 and rejection(events).reason is R.CREDIT_LIMIT_EXCEEDED
    assert m.frozen() == before
    accepted(m.buy("A1", 1_000, PRICE))  # exactly $1.0M: allowed, and no kill switch here
    assert m.scope("A1").exposure == LIMIT and not m.scope("A1").killed


# ---------------------------------------------------------------------------- what counts


def test_sells_count_at_full_notional_and_both_sides_add_up() -> None:
    m = RiskMarket()
    m.limits("A1", credit_limit=LIMIT)
    m.rest("A1", BUY, 3_000, usd("99.00"))
    m.rest("A1", SELL, 4_000, usd("101.00"))
    expected = notional(3_000, usd("99.00")) + notional(4_000, usd("101.00"))
    assert m.scope("A1").open_notional == expected
    assert m.firm("F").open_notional == expected


def test_an_option_counts_with_its_multiplier() -> None:
    m = RiskMarket()
    limit = usd("10,000")
    m.limits("A1", credit_limit=limit)
    price = usd("5.00")
    # 19 contracts × $5 × 100 = $9,500 (95%): accepted, with a warning.
    events = m.order("A1", BUY, 19, price, OPT)
    assert kinds_of(events) == ["OrderAccepted", "RiskWarning"]
    assert m.scope("A1").open_notional == notional(19, price, 100)
    # Two more contracts are $1,000, not $10: over the limit.
    assert 19 * price * 100 + 2 * price * 100 > limit >= 19 * price * 100 + 2 * price
    assert refusal(m.order("A1", BUY, 2, price, OPT)) is R.CREDIT_LIMIT_EXCEEDED


def kinds_of(events: Sequence[Event]) -> list[str]:
    return [type(e).__name__ for e in events]


def test_a_market_order_counts_at_the_price_its_collar_gives_it() -> None:
    m = RiskMarket()
    config = m.venue.config
    band = min(PRICE * config.market_collar_bps // BPS, config.market_collar_abs)
    collared = PRICE + band  # $100.50
    qty = 1_000
    limit = notional(qty, collared) - DOLLAR  # fits at $100, not at the collar price
    m.limits("A1", credit_limit=limit, kill_on_breach=False)
    events = m.buy("A1", qty, 0, order_type=OrderType.MARKET, tif=TimeInForce.IOC)
    assert refusal(events) is R.CREDIT_LIMIT_EXCEEDED
    assert notional(qty, PRICE) <= limit


def test_a_waiting_stop_counts_at_its_price_until_it_leaves() -> None:
    m = RiskMarket()
    m.limits("A1", credit_limit=LIMIT)
    stop = m.rest(
        "A1", BUY, 100, usd("105.00"), order_type=OrderType.STOP_LIMIT, stop_price=usd("104.00")
    )
    assert m.scope("A1").open_notional == notional(100, usd("105.00"))
    m.do(Cancel("alice", stop))
    assert m.scope("A1").open_notional == 0


def test_fills_turn_open_notional_into_a_position_marked_at_the_fill() -> None:
    m = RiskMarket()
    m.limits("A1", credit_limit=LIMIT)
    m.rest("M", SELL, 300, usd("99.00"))
    m.buy("A1", 500, PRICE)  # 300 fill at $99, 200 rest at $100
    scope = m.scope("A1")
    assert scope.open_notional == notional(200, PRICE)
    assert scope.executed == notional(300, usd("99.00"))
    # Selling 100 back at $101 (to mm's bid) nets 200 long, marked at the latest fill.
    m.rest("M", BUY, 100, usd("101.00"))
    m.sell("A1", 100, usd("101.00"))
    assert scope.executed == notional(200, usd("101.00"))
    # A long and a short in different instruments both count (gross, never netted).
    m.rest("M", BUY, 10, usd("5.00"), symbol=OPT)
    m.order("A1", SELL, 10, usd("5.00"), OPT)
    assert scope.executed == notional(200, usd("101.00")) + notional(10, usd("5.00"), 100)


# ---------------------------------------------------------------------------- replace


def test_a_replace_that_raises_exposure_is_checked_and_one_that_lowers_it_is_not() -> None:
    m = RiskMarket()
    m.limits("A1", credit_limit=LIMIT)
    bid = m.rest("A1", BUY, 5_000, PRICE)  # $500k
    events = m.do(Replace("alice", bid, 8_000, PRICE))  # $800k: fits, and crosses 75%
    assert plain(events) == [
        OrderReplaced(0, 0, bid, "A1", XYZ, PRICE, 8_000, 8_000, False),
        RiskWarning(0, 0, ACCOUNT, "A1", usd("800,000"), LIMIT, 8_000),
    ]
    # Raising the price raises the notional just as quantity does: 8,000 × $125.01 > $1.0M.
    events = m.do(Replace("alice", bid, 8_000, usd("125.01")))
    assert rejection(events).reason is R.CREDIT_LIMIT_EXCEEDED
    assert rejection(events).order_id == bid
    assert plain(events[1:]) == [
        KillSwitchChanged(0, 0, ACCOUNT, "A1", True, "", ""),
        OrderCancelled(0, 0, bid, "A1", XYZ, 8_000, CancelReason.KILL_SWITCH),
    ]


def test_a_replace_that_lowers_exposure_passes_even_above_the_limit() -> None:
    m = RiskMarket()
    m.limits("A1", credit_limit=LIMIT, kill_on_breach=False)
    bid = m.rest("A1", BUY, 9_000, PRICE)
    m.limits("A1", credit_limit=usd("500,000"), kill_on_breach=False)  # now 180% used
    events = m.do(Replace("alice", bid, 6_000, PRICE))
    assert isinstance(events[0], OrderReplaced)
    assert m.scope("A1").exposure == notional(6_000, PRICE)
    # Growing it again by one share is refused: 600,100 > 500,000.
    assert refusal(m.do(Replace("alice", bid, 6_001, PRICE))) is R.CREDIT_LIMIT_EXCEEDED


# ---------------------------------------------------------------------------- firms


def test_firm_limits_aggregate_every_account_of_the_firm() -> None:
    m = RiskMarket()
    m.limits("F", FIRM, credit_limit=LIMIT)
    a1 = m.rest("A1", BUY, 6_000, PRICE)  # $600k
    events = m.buy("B", 3_000, PRICE)  # firm $900k: the firm's warning
    b = accepted(events).order_id
    assert plain(events[1:]) == [RiskWarning(0, 0, FIRM, "F", usd("900,000"), LIMIT, 9_000)]
    g = m.rest("C", BUY, 9_000, PRICE)  # firm G: not counted in F
    assert m.firm("F").exposure == usd("900,000")
    assert m.firm("G").exposure == usd("900,000")
    # alice's other account adds $200k: the firm would be at $1.1M.
    events = m.buy("A2", 2_000, PRICE)
    assert rejection(events).reason is R.CREDIT_LIMIT_EXCEEDED
    assert "firm 'F'" in rejection(events).text
    assert plain(events[1:]) == [
        KillSwitchChanged(0, 0, FIRM, "F", True, "", ""),
        OrderCancelled(0, 0, a1, "A1", XYZ, 6_000, CancelReason.KILL_SWITCH),
        OrderCancelled(0, 0, b, "B", XYZ, 3_000, CancelReason.KILL_SWITCH),
    ]
    assert m.open_ids() == [g]
    for account in ("A1", "A2", "B"):
        assert refusal(m.buy(account, 1, PRICE)) is R.KILL_SWITCH_ENGAGED, account
    accepted(m.buy("C", 1, PRICE))
    accepted(m.buy("D", 1, PRICE))
    m.kill("F", FIRM, engage=False)
    accepted(m.buy("A2", 2_000, PRICE))


def test_an_account_limit_and_its_firm_limit_both_apply() -> None:
    m = RiskMarket()
    m.limits("F", FIRM, credit_limit=LIMIT, kill_on_breach=False)
    m.limits("A1", credit_limit=usd("300,000"), kill_on_breach=False)
    m.rest("A1", BUY, 3_000, PRICE)  # A1 at 100% of its own limit
    assert refusal(m.buy("A1", 1, PRICE)) is R.CREDIT_LIMIT_EXCEEDED  # the account's limit
    m.rest("B", BUY, 7_000, PRICE)  # the firm at 100%
    events = m.buy("A2", 1, PRICE)  # A2 has no limit of its own: the firm's applies
    assert rejection(events).reason is R.CREDIT_LIMIT_EXCEEDED
    assert "firm 'F'" in rejection(events).text


def test_an_account_opened_after_its_firm_limit_counts_towards_it() -> None:
    from seawall.core.commands import Deposit, OpenAccount

    m = RiskMarket()
    m.limits("F", FIRM, credit_limit=LIMIT, kill_on_breach=False)
    m.do(OpenAccount("operator", "A3", "alice", firm="F"))
    m.do(Deposit("operator", "A3", "USD", usd("10,000,000")))
    m.owners["A3"] = "alice"
    m.rest("A3", BUY, 6_000, PRICE)
    assert m.firm("F").exposure == usd("600,000")
    m.rest("A1", BUY, 4_000, PRICE)
    assert refusal(m.buy("B", 1, PRICE)) is R.CREDIT_LIMIT_EXCEEDED


# ---------------------------------------------------------------------------- kill at 100%


def test_exposure_reaching_the_limit_through_fills_kills_and_cancels_the_rest() -> None:
    m = RiskMarket()
    limit = usd("100,000")
    m.limits("A1", credit_limit=limit)
    resting = m.rest("A1", BUY, 90, usd("100.00"), symbol=XYZ)  # $9,000, nowhere near a fill
    m.rest("M", BUY, 1_000, usd("110.00"))  # mm's bid, above A1's
    # A sell limited at $50: its entry notional is $50,000 (59% with the bid), but it fills
    # at mm's $110, so the position is worth $110,000.
    events = m.sell("A1", 1_000, usd("50.00"))
    exposure = notional(90, usd("100.00")) + notional(1_000, usd("110.00"))
    assert exposure >= limit
    sell = accepted(events).order_id
    assert plain(events[1:]) == [
        Trade(
            0, 0, 1, XYZ, usd("110.00"), 1_000, SELL, 2, sell, "M", "A1", 0, 0,
            notional(1_000, usd("110.00")), 0, 0,
        ),
        RiskWarning(0, 0, ACCOUNT, "A1", exposure, limit, exposure * BPS // limit),
        KillSwitchChanged(0, 0, ACCOUNT, "A1", True, "", ""),
        OrderCancelled(0, 0, resting, "A1", XYZ, 90, CancelReason.KILL_SWITCH),
    ]  # fmt: skip


def test_an_order_that_brings_exposure_exactly_to_the_limit_is_accepted_then_killed() -> None:
    m = RiskMarket()
    m.limits("A1", credit_limit=LIMIT)
    events = m.buy("A1", 10_000, PRICE)  # exactly $1.0M: not over the limit, but at 100%
    order = accepted(events).order_id
    assert plain(events[1:]) == [
        RiskWarning(0, 0, ACCOUNT, "A1", LIMIT, LIMIT, BPS),
        KillSwitchChanged(0, 0, ACCOUNT, "A1", True, "", ""),
        OrderCancelled(0, 0, order, "A1", XYZ, 10_000, CancelReason.KILL_SWITCH),
    ]


def test_without_kill_on_breach_reaching_the_limit_only_warns() -> None:
    m = RiskMarket()
    m.limits("A1", credit_limit=LIMIT, kill_on_breach=False)
    events = m.buy("A1", 10_000, PRICE)
    assert kinds_of(events) == ["OrderAccepted", "RiskWarning"]
    assert not m.scope("A1").killed
    assert len(m.open_ids("A1")) == 1


def test_lowering_a_limit_below_exposure_kills_at_once() -> None:
    m = RiskMarket()
    bid = m.rest("A1", BUY, 6_000, PRICE)  # the risk layer starts later and counts it
    events = m.limits("A1", credit_limit=usd("500,000"))
    assert kinds_of(events)[0] == "RiskLimitsSet"
    assert [e for e in plain(events) if isinstance(e, KillSwitchChanged | OrderCancelled)] == [
        KillSwitchChanged(0, 0, ACCOUNT, "A1", True, "", ""),
        OrderCancelled(0, 0, bid, "A1", XYZ, 6_000, CancelReason.KILL_SWITCH),
    ]


# ---------------------------------------------------------------------------- warnings


def test_the_warning_is_published_once_on_crossing_and_rearmed_below_it() -> None:
    m = RiskMarket()
    m.limits("A1", credit_limit=LIMIT)
    first = m.rest("A1", BUY, 7_000, PRICE)  # 70%: no warning
    events = m.buy("A1", 500, PRICE)  # 75% exactly: the warning
    crossing = accepted(events).order_id
    assert plain(events[1:]) == [RiskWarning(0, 0, ACCOUNT, "A1", usd("750,000"), LIMIT, 7_500)]
    assert kinds_of(m.buy("A1", 100, PRICE)) == ["OrderAccepted"]  # 76%: no second warning
    assert kinds_of(m.do(Cancel("alice", crossing))) == ["OrderCancelled"]  # 71%: re-armed
    assert kinds_of(m.do(Cancel("alice", first))) == ["OrderCancelled"]  # 1%
    events = m.buy("A1", 8_000, PRICE)  # 81%: warned again
    assert plain(events[1:]) == [RiskWarning(0, 0, ACCOUNT, "A1", usd("810,000"), LIMIT, 8_100)]


def test_the_warning_level_is_a_parameter() -> None:
    m = RiskMarket()
    m.limits("A1", credit_limit=LIMIT, warn_bps=5_000)
    assert kinds_of(m.buy("A1", 4_999, PRICE)) == ["OrderAccepted"]
    assert kinds_of(m.buy("A1", 1, PRICE)) == ["OrderAccepted", "RiskWarning"]


def test_a_fill_at_the_limit_price_does_not_warn_again() -> None:
    """Regression (6842754): a fill first left open notional, re-arming the warning, then
    became a position, warning a second time for an unchanged exposure."""
    m = RiskMarket()
    m.limits("A1", credit_limit=LIMIT)
    m.rest("M", SELL, 8_000, PRICE)
    events = m.buy("A1", 8_000, PRICE)  # 80% at entry; the fill keeps it at 80%
    assert [e for e in events if isinstance(e, RiskWarning)] == [
        RiskWarning(events[0].seq, events[0].ts, ACCOUNT, "A1", usd("800,000"), LIMIT, 8_000)
    ]


def test_a_resting_order_that_fills_later_does_not_warn_again() -> None:
    """Regression (6842754): the same re-arming on the fill of a resting order."""
    m = RiskMarket()
    m.limits("A1", credit_limit=LIMIT)
    events = m.buy("A1", 8_000, PRICE)
    assert kinds_of(events) == ["OrderAccepted", "RiskWarning"]
    events = m.sell("M", 8_000, PRICE)  # fills A1's bid at its limit: exposure unchanged
    assert kinds_of(events) == ["OrderAccepted", "Trade"]


def test_setting_a_limit_below_the_warning_level_of_exposure_warns_at_once() -> None:
    """Regression (6842754): new limits were marked as already warned, so the warning for a
    limit set between 75% and 100% of today's exposure was never published."""
    m = RiskMarket()
    m.rest("A1", BUY, 8_000, PRICE)  # $800k
    events = m.limits("A1", credit_limit=LIMIT)  # 80% of the new limit
    assert plain(events[1:]) == [RiskWarning(0, 0, ACCOUNT, "A1", usd("800,000"), LIMIT, 8_000)]


def test_the_firm_warns_and_its_accounts_do_not_when_only_the_firm_has_a_limit() -> None:
    m = RiskMarket()
    m.limits("F", FIRM, credit_limit=LIMIT)
    m.rest("A1", BUY, 4_000, PRICE)
    events = m.buy("B", 4_000, PRICE)
    assert [e for e in bare(events) if isinstance(e, RiskWarning)] == [
        RiskWarning(0, 0, FIRM, "F", usd("800,000"), LIMIT, 8_000)
    ]


def test_rejections_from_the_credit_check_keep_earlier_orders_untouched_when_not_killing() -> None:
    m = RiskMarket()
    m.limits("A1", credit_limit=LIMIT, kill_on_breach=False)
    bid = m.rest("A1", BUY, 9_000, PRICE)
    for _ in range(3):
        assert isinstance(m.buy("A1", 2_000, PRICE)[0], Rejected)
    assert m.open_ids("A1") == [bid]
    assert cancelled(m.do(Cancel("alice", bid))) == [(bid, "user")]


def test_the_end_of_day_rearms_the_warning_and_frees_the_executed_part() -> None:
    m = RiskMarket()
    m.limits("A1", credit_limit=LIMIT)
    m.rest("M", SELL, 8_000, PRICE)
    assert kinds_of(m.buy("A1", 8_000, PRICE)) == ["OrderAccepted", "Trade", "RiskWarning"]
    # $800k executed: another $250k would not fit today...
    assert refusal(m.buy("A1", 2_500, usd("99.00"))) is R.CREDIT_LIMIT_EXCEEDED
    m.kill("A1", engage=False)
    m.do(EndOfDay("operator"))
    # ...but after the end of day only open orders count, and the warning is armed again.
    assert m.scope("A1").exposure == 0
    events = m.buy("A1", 8_000, usd("99.00"))
    assert plain(events[1:]) == [
        RiskWarning(0, 0, ACCOUNT, "A1", notional(8_000, usd("99.00")), LIMIT, 7_920)
    ]
