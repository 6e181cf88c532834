"""Regressions from a review of the risk layer: each case once behaved differently."""

from __future__ import annotations

from risk_support import BUY, FIRM, PRICE, SECOND, SELL, XYZ, RiskMarket, utc_ns

from orders_support import refusal, usd
from seawall import VenueConfig
from seawall.core.commands import DeclareParent, Replace, RiskLimits, SetRiskLimits
from seawall.core.events import Rejected, RejectReason, RiskWarning
from seawall.core.types import BPS, RiskScope, SettlementMode

R = RejectReason
PRE_MARKET = utc_ns(2024, 7, 17, 12, 0)  # 08:00 EDT


def test_a_wide_extended_collar_does_not_loosen_a_tighter_regular_only_collar() -> None:
    """The firm's regular-only 2% collar also binds pre-market, whatever the account adds."""
    m = RiskMarket(start=PRE_MARKET)
    m.limits("F", FIRM, collar_bps=200)
    lowest = PRICE - PRICE * 200 // BPS
    assert refusal(m.sell("B", 1, lowest - usd("0.01"))) is R.OUTSIDE_PRICE_COLLAR
    m.limits("A1", extended_collar_bps=1_000)  # the account's own, wider, extended collar
    assert refusal(m.sell("A1", 1, lowest - usd("0.01"))) is R.OUTSIDE_PRICE_COLLAR
    assert refusal(m.sell("A1", 1, lowest)) is None


def test_an_attempt_counts_in_every_window_even_when_the_first_one_refuses_it() -> None:
    m = RiskMarket()
    m.limits("A1", max_orders=1, order_window_ns=SECOND)
    m.limits("F", FIRM, max_orders=2, order_window_ns=SECOND)
    assert refusal(m.buy("A1", 1, usd("90.00"))) is None  # A1: 1 of 1, F: 1 of 2
    assert refusal(m.buy("A1", 1, usd("90.00"))) is R.ORDER_RATE_EXCEEDED  # F counts it: 2 of 2
    assert refusal(m.buy("B", 1, usd("90.00"))) is R.ORDER_RATE_EXCEEDED  # the firm is full


def test_resending_the_same_limits_keeps_the_throttle_history_and_the_warning() -> None:
    m = RiskMarket()
    limits = RiskLimits(credit_limit=usd("1,000"), max_orders=1, order_window_ns=SECOND)
    m.do(SetRiskLimits("operator", RiskScope.ACCOUNT, "A1", limits))
    first = m.buy("A1", 8, usd("99.00"))  # $792 of $1,000: warned
    assert any(isinstance(e, RiskWarning) for e in first)
    again = m.do(SetRiskLimits("operator", RiskScope.ACCOUNT, "A1", limits))
    assert not any(isinstance(e, RiskWarning) for e in again)
    assert refusal(m.buy("A1", 1, usd("90.00"))) is R.ORDER_RATE_EXCEEDED


def test_under_deferred_settlement_a_replace_needs_a_credit_limit_too() -> None:
    m = RiskMarket(VenueConfig(settlement=SettlementMode.DEFERRED))
    m.limits("A1", credit_limit=usd("100,000"))
    bid = m.rest("A1", BUY, 10, usd("99.00"))
    m.limits("A1")  # the limit is withdrawn
    assert refusal(m.do(Replace("alice", bid, 1_000_000, usd("99.00")))) is R.NO_CREDIT_LIMIT


def test_a_refused_parent_declaration_names_its_own_command() -> None:
    m = RiskMarket()
    for command in (
        DeclareParent("bob", "A1", "P1", XYZ, SELL, 10),  # not bob's account
        DeclareParent("alice", "A1", "P1", "NOPE", SELL, 10),  # no such instrument
        DeclareParent("operator", "A1", "P1", XYZ, SELL, 10),  # operators do not trade
    ):
        refused = m.do(command)[0]
        assert isinstance(refused, Rejected)
        assert refused.command == "declare_parent"
