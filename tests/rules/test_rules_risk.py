"""A rulebook's ``[risk]``: the pre-trade limits every account starts with.

``seawall-strict`` ships a 10% collar in regular hours (5% outside them) and
refuses the same order twice within a second; the values these tests expect
are read from the rulebook.
"""

from __future__ import annotations

import msgspec
from rules_support import SYMBOL, TRADERS, RuledMarket, restored_copy

from orders_support import refusal, usd
from seawall import Rulebook, Side, VenueConfig
from seawall.core.commands import NewOrder, RiskLimits, SetRiskLimits
from seawall.core.events import OrderAccepted, RejectReason
from seawall.core.state import state_hash
from seawall.core.types import RiskScope, SettlementMode

STRICT = Rulebook.load("seawall-strict")


def limits() -> RiskLimits:
    assert STRICT.risk is not None
    return STRICT.risk


def test_the_shipped_defaults() -> None:
    assert (limits().collar_bps, limits().extended_collar_bps) == (1_000, 500)
    assert limits().duplicate_window_ns == 1_000_000_000


def low_priced() -> RuledMarket:
    """A tier 2 stock at $2.50, whose LULD bands (20%: $2.00 to $3.00) are wider than the
    collar: in regular hours with a tier 1 stock's 5% bands, the bands bind first."""
    return RuledMarket(STRICT, prior_close="2.50", tier=2)


def test_every_account_starts_with_the_rulebooks_collar() -> None:
    market = low_priced()
    assert usd("2.50") * (10_000 + limits().collar_bps) // 10_000 == usd("2.75")
    assert refusal(market.buy("alice", 10, "2.76")) is RejectReason.OUTSIDE_PRICE_COLLAR
    assert refusal(market.buy("alice", 10, "2.75")) is None


def test_outside_regular_hours_the_extended_collar_applies() -> None:
    market = RuledMarket(STRICT, clock="09:00:00")  # pre-open
    assert market.state == "pre_open"
    assert refusal(market.buy("alice", 10, "105.01")) is RejectReason.OUTSIDE_PRICE_COLLAR
    assert refusal(market.buy("alice", 10, "105.00")) is None


def test_the_same_order_twice_within_the_window_is_refused() -> None:
    market = RuledMarket(STRICT)
    assert refusal(market.buy("alice", 10, "99.00")) is None
    assert refusal(market.buy("alice", 10, "99.00")) is RejectReason.DUPLICATE_ORDER
    assert refusal(market.buy("bob", 10, "99.00")) is None  # another account
    market.ts += limits().duplicate_window_ns
    assert refusal(market.buy("alice", 10, "99.00")) is None


def test_an_operators_limits_replace_the_defaults_for_one_account() -> None:
    market = low_priced()
    events = market.do(
        SetRiskLimits("operator", RiskScope.ACCOUNT, TRADERS["alice"], RiskLimits(collar_bps=2_000))
    )
    assert [type(event).__name__ for event in events] == ["RiskLimitsSet"]
    accepted = market.buy("alice", 10, "2.90")
    assert any(isinstance(event, OrderAccepted) for event in accepted)
    assert refusal(market.buy("alice", 10, "2.90")) is None  # no duplicate window of its own
    assert refusal(market.buy("bob", 10, "2.90")) is RejectReason.OUTSIDE_PRICE_COLLAR


def test_a_rulebook_without_risk_leaves_accounts_unlimited() -> None:
    market = RuledMarket("us-today")
    assert refusal(market.buy("alice", 10, "104.00")) is None
    assert refusal(market.buy("alice", 10, "104.00")) is None


def test_a_rulebook_collar_wider_than_the_venues_ceiling_is_refused_at_configuration() -> None:
    wide = msgspec.structs.replace(STRICT, risk=RiskLimits(extended_collar_bps=2_000))
    config = VenueConfig.for_rulebook(wide, settlement=SettlementMode.RTGS)
    problems = config.problems()
    assert any(
        "seawall-strict: risk: an extended-hours collar of 2000 bps is wider than the venue's"
        in problem
        for problem in problems
    ), problems
    assert VenueConfig.for_rulebook(STRICT).problems() == []


def test_the_defaults_travel_in_the_snapshot() -> None:
    market = RuledMarket(STRICT)
    market.buy("alice", 10, "99.00")
    restored = restored_copy(market.venue)
    assert state_hash(restored) == state_hash(market.venue)
    again = NewOrder("alice", TRADERS["alice"], SYMBOL, Side.BUY, 10, usd("99.00"))
    assert refusal(restored.process(again, market.ts + 1)) is RejectReason.DUPLICATE_ORDER
