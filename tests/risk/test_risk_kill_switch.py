"""The manual kill switch per account and per firm: engaged and reset only by an operator."""

from __future__ import annotations

from risk_support import ACCOUNT, BUY, FIRM, OPT, PRICE, SELL, XYZ, RiskMarket, cancelled

from orders_support import bare, kinds, refusal, usd
from seawall import OrderType
from seawall.core.commands import Cancel, EndOfDay, KillSwitch, MassCancel, ReportTrade
from seawall.core.events import CancelReason, KillSwitchChanged, OrderCancelled, RejectReason

R = RejectReason


def test_an_operator_kills_an_account_its_orders_go_and_new_ones_are_refused() -> None:
    m = RiskMarket()
    bid = m.rest("A1", BUY, 100, usd("99.00"))
    other = m.rest("A2", BUY, 100, usd("99.00"))
    ask = m.rest("A1", SELL, 5, usd("5.10"), symbol=OPT)
    stop = m.rest("A1", BUY, 10, 0, order_type=OrderType.STOP, stop_price=usd("101.00"))
    events = m.do(KillSwitch("operator", ACCOUNT, "A1", reason="fat finger"))
    assert bare(events) == [
        KillSwitchChanged(0, 0, ACCOUNT, "A1", True, "fat finger", "operator"),
        OrderCancelled(0, 0, bid, "A1", XYZ, 100, CancelReason.KILL_SWITCH),
        OrderCancelled(0, 0, ask, "A1", OPT, 5, CancelReason.KILL_SWITCH),
        OrderCancelled(0, 0, stop, "A1", XYZ, 10, CancelReason.KILL_SWITCH),
    ]
    assert m.open_ids() == [other]
    assert m.scope("A1").exposure == 0
    assert refusal(m.buy("A1", 1, PRICE)) is R.KILL_SWITCH_ENGAGED
    assert refusal(m.order("A1", SELL, 1, usd("5.00"), OPT)) is R.KILL_SWITCH_ENGAGED
    assert kinds(m.buy("A2", 1, PRICE)) == ["OrderAccepted"]  # alice's other account


def test_cancels_are_still_accepted_while_killed() -> None:
    m = RiskMarket()
    bid = m.rest("A1", BUY, 100, usd("99.00"))
    m.kill("A1")
    # Nothing of A1's is open any more; cancelling is never refused for the kill switch.
    assert m.do(MassCancel("alice", account="A1")) == []
    assert refusal(m.do(Cancel("alice", bid))) is R.UNKNOWN_ORDER
    m.kill("F", FIRM)
    assert m.do(MassCancel("alice")) == []


def test_a_killed_firm_cancels_and_refuses_every_account_of_the_firm() -> None:
    m = RiskMarket()
    a1 = m.rest("A1", BUY, 100, usd("99.00"))
    b = m.rest("B", SELL, 100, usd("101.00"))
    c = m.rest("C", BUY, 100, usd("99.00"))
    d = m.rest("D", BUY, 100, usd("99.00"))
    events = m.kill("F", FIRM)
    assert bare(events) == [
        KillSwitchChanged(0, 0, FIRM, "F", True, "engaged by an operator", "operator"),
        OrderCancelled(0, 0, a1, "A1", XYZ, 100, CancelReason.KILL_SWITCH),
        OrderCancelled(0, 0, b, "B", XYZ, 100, CancelReason.KILL_SWITCH),
    ]
    assert m.open_ids() == [c, d]
    for account in ("A1", "A2", "B"):
        assert refusal(m.buy(account, 1, PRICE)) is R.KILL_SWITCH_ENGAGED
    assert m.firm("F").exposure == 0
    events = m.kill("F", FIRM, engage=False)
    assert bare(events) == [KillSwitchChanged(0, 0, FIRM, "F", False, "reset", "operator")]
    assert kinds(m.buy("B", 1, PRICE)) == ["OrderAccepted"]


def test_the_account_and_firm_switches_are_independent() -> None:
    m = RiskMarket()
    m.kill("A1")
    m.kill("F", FIRM)
    m.kill("F", FIRM, engage=False)
    assert refusal(m.buy("A1", 1, PRICE)) is R.KILL_SWITCH_ENGAGED
    assert kinds(m.buy("A2", 1, PRICE)) == ["OrderAccepted"]
    m.kill("A1", engage=False)
    assert kinds(m.buy("A1", 1, PRICE)) == ["OrderAccepted"]


def test_a_trader_can_neither_engage_nor_reset_a_kill_switch() -> None:
    m = RiskMarket()
    before = m.frozen()
    for engage in (True, False):
        for scope, target in ((ACCOUNT, "A1"), (FIRM, "F")):
            events = m.do(KillSwitch("alice", scope, target, engage))
            assert refusal(events) is R.NOT_ENTITLED
    assert m.frozen() == before  # nothing happened, not even the start of the risk layer
    m.kill("A1")
    killed = m.frozen()
    assert refusal(m.do(KillSwitch("alice", ACCOUNT, "A1", engage=False))) is R.NOT_ENTITLED
    assert refusal(m.do(KillSwitch("mallory", ACCOUNT, "A1", engage=False))) is (
        R.UNKNOWN_PARTICIPANT
    )
    assert m.frozen() == killed
    assert refusal(m.buy("A1", 1, PRICE)) is R.KILL_SWITCH_ENGAGED


def test_engaging_twice_or_resetting_an_idle_switch_is_an_invalid_transition() -> None:
    m = RiskMarket()
    assert refusal(m.kill("A1", engage=False)) is R.INVALID_TRANSITION  # never engaged
    assert refusal(m.kill("F", FIRM, engage=False)) is R.INVALID_TRANSITION
    m.kill("A1")
    before = m.frozen()
    assert refusal(m.kill("A1")) is R.INVALID_TRANSITION
    assert m.frozen() == before
    m.kill("A1", engage=False)
    assert refusal(m.kill("A1", engage=False)) is R.INVALID_TRANSITION


def test_a_kill_switch_needs_an_existing_account_or_a_well_formed_firm() -> None:
    m = RiskMarket()
    assert refusal(m.kill("ZZ")) is R.UNKNOWN_ACCOUNT
    assert refusal(m.kill(" F", FIRM)) is R.INVALID_DEFINITION


def test_the_kill_switch_survives_new_limits_and_the_end_of_day() -> None:
    m = RiskMarket()
    m.kill("A1")
    m.limits("A1", credit_limit=usd("1,000,000"))
    assert refusal(m.buy("A1", 1, PRICE)) is R.KILL_SWITCH_ENGAGED
    m.do(EndOfDay("operator"))
    assert refusal(m.buy("A1", 1, PRICE)) is R.KILL_SWITCH_ENGAGED


def test_an_automatic_kill_is_reset_only_by_an_operator_too() -> None:
    m = RiskMarket()
    m.limits("A1", credit_limit=usd("100,000"))
    bid = m.rest("A1", BUY, 500, PRICE)
    events = m.buy("A1", 501, PRICE)  # 50,000 + 50,100 > 100,000: refused, and killed
    assert refusal(events) is R.CREDIT_LIMIT_EXCEEDED
    assert cancelled(events) == [(bid, "kill_switch")]
    assert refusal(m.do(KillSwitch("alice", ACCOUNT, "A1", engage=False))) is R.NOT_ENTITLED
    assert refusal(m.buy("A1", 1, PRICE)) is R.KILL_SWITCH_ENGAGED
    m.kill("A1", engage=False)
    assert kinds(m.buy("A1", 1, PRICE)) == ["OrderAccepted"]


def test_a_trade_that_lowers_exposure_does_not_kill_again_after_a_reset() -> None:
    m = RiskMarket()
    limit = usd("100,000")
    m.limits("A1", credit_limit=limit)
    m.rest("M", BUY, 1_200, PRICE)
    # A sell limited at $50 enters at $60,000 and fills at mm's $100: $120,000 short.
    events = m.sell("A1", 1_200, usd("50.00"))
    assert kinds(events)[-1] == "KillSwitchChanged" and m.scope("A1").exposure > limit
    m.kill("A1", engage=False)  # the operator accepts the position for now
    events = m.do(ReportTrade("operator", XYZ, "A1", "M", PRICE, 100))  # buys 100 back
    assert m.scope("A1").exposure == 1_100 * PRICE  # lower, though still above the limit
    assert kinds(events) == ["Trade"]
    assert not m.scope("A1").killed


def test_an_account_opened_into_a_killed_firm_is_refused_too() -> None:
    from seawall.core.commands import Deposit, OpenAccount

    m = RiskMarket()
    m.kill("F", FIRM)
    m.do(OpenAccount("operator", "A3", "alice", firm="F"))
    m.do(Deposit("operator", "A3", "USD", usd("1,000,000")))
    m.owners["A3"] = "alice"
    assert refusal(m.buy("A3", 1, PRICE)) is R.KILL_SWITCH_ENGAGED
    m.kill("F", FIRM, engage=False)
    assert kinds(m.buy("A3", 1, PRICE)) == ["OrderAccepted"]
