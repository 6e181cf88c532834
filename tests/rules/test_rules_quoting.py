"""Market makers' quoting obligations (RULES.md §7) against the stub quotes of 2010.

``us-2010-pilot`` (and every later US rulebook) holds a designated market
maker's quotes within 8% of the national best bid or offer (20% in the
first 15 and last 25 minutes, 30% for securities the breakers do not
cover: here, tier 2), allows a further 1.5% of drift, and calls a bid of
$0.01 or an offer of $100,000 a stub quote. ``us-2010`` has no obligation.
The expected prices below are those percentages of the best prices.
"""

from __future__ import annotations

from rules_support import SYMBOL, TRADERS, RuledMarket, restored_copy

from orders_support import bare, kinds, refusal, usd
from seawall import Rulebook, Side, Venue
from seawall.core.commands import Cancel, DesignateMarketMaker, NewOrder, Replace, SetNbbo
from seawall.core.events import (
    CancelReason,
    MarketMakerDesignated,
    OrderCancelled,
    Rejected,
    RejectReason,
)
from seawall.core.state import state_hash

PILOT = Rulebook.load("us-2010-pilot")


def test_the_shipped_obligation() -> None:
    params = PILOT.market_maker
    assert params is not None
    assert (params.designated_bps, params.open_close_bps, params.other_bps) == (800, 2_000, 3_000)
    assert (params.drift_bps, params.open_window_minutes, params.close_window_minutes) == (
        150,
        15,
        25,
    )
    assert (params.stub_bid, params.stub_offer) == (usd("0.01"), usd("100000.00"))


def designated(rulebook: Rulebook = PILOT, clock: str = "10:00:00", tier: int = 1) -> RuledMarket:
    """Dan is the designated market maker; alice bids $100.00 and bob offers $100.10."""
    market = RuledMarket(rulebook, clock=clock, tier=tier)
    events = market.do(DesignateMarketMaker("operator", SYMBOL, "dan"))
    assert bare(events) == [MarketMakerDesignated(0, 0, SYMBOL, "dan", True)]
    market.buy("alice", 100, "100.00")  # order 1
    market.sell("bob", 100, "100.10")  # order 2
    return market


def test_a_designated_market_maker_may_not_post_a_stub_quote() -> None:
    market = designated()
    assert refusal(market.buy("dan", 100, "0.01")) is RejectReason.STUB_QUOTE
    assert refusal(market.sell("dan", 100, "100000.00")) is RejectReason.STUB_QUOTE
    assert refusal(market.buy("carol", 100, "0.01")) is None  # carol is not a market maker


def test_quotes_within_the_designated_percentage_of_the_national_best() -> None:
    market = designated()
    # 8% below the $100.00 best bid is $92.00; 8% above the $100.10 best offer is $108.108.
    assert refusal(market.buy("dan", 100, "92.00")) is None
    assert refusal(market.buy("dan", 100, "91.99")) is RejectReason.OUTSIDE_QUOTING_OBLIGATION
    assert refusal(market.sell("dan", 100, "108.10")) is None
    assert refusal(market.sell("dan", 100, "108.11")) is RejectReason.OUTSIDE_QUOTING_OBLIGATION
    refused = market.buy("dan", 100, "91.99")
    assert isinstance(refused[0], Rejected)
    assert refused[0].text == (
        "a designated market maker's bid at 91.9900 is more than 800 bps from the national "
        "best bid 100.0000"
    )


def test_the_opening_window_and_uncovered_securities_allow_more() -> None:
    early = designated(clock="09:40:00")  # before 09:45: 20%
    assert refusal(early.buy("dan", 100, "80.00")) is None
    assert refusal(early.buy("dan", 100, "79.99")) is RejectReason.OUTSIDE_QUOTING_OBLIGATION
    tier2 = designated(tier=2)  # not covered by the breakers: 30%
    assert refusal(tier2.buy("dan", 100, "70.00")) is None
    assert refusal(tier2.buy("dan", 100, "69.99")) is RejectReason.OUTSIDE_QUOTING_OBLIGATION


def test_a_quote_may_drift_but_is_cancelled_beyond_the_drift() -> None:
    market = designated()
    assert refusal(market.buy("dan", 100, "92.00")) is None  # order 3: 8.0% below
    market.do(Cancel("alice", 1))
    market.do(Cancel("bob", 2))  # no offer for the higher bids to trade with
    # A best bid of $101.60 leaves the quote 9.45% below: drifted, within 8% + 1.5%.
    assert kinds(market.buy("alice", 100, "101.60")) == ["OrderAccepted"]
    # $101.70: 9.54% below, beyond the drift: the quote is cancelled in the same step.
    events = market.buy("alice", 100, "101.70")
    assert bare(events)[1:] == [
        OrderCancelled(0, 0, 3, TRADERS["dan"], SYMBOL, 100, CancelReason.QUOTE_DRIFTED)
    ]
    assert 3 not in market.venue.orders


def test_an_external_national_best_moves_the_obligation() -> None:
    market = designated()
    market.buy("dan", 100, "92.00")  # order 3
    events = market.do(SetNbbo("operator", SYMBOL, usd("102.00"), usd("102.10")))
    assert bare(events) == [
        OrderCancelled(0, 0, 3, TRADERS["dan"], SYMBOL, 100, CancelReason.QUOTE_DRIFTED)
    ]
    # Measured from the external bid now: 8% below $102.00 is $93.84.
    assert refusal(market.buy("dan", 100, "93.83")) is RejectReason.OUTSIDE_QUOTING_OBLIGATION
    assert refusal(market.buy("dan", 100, "93.84")) is None


def test_a_replace_is_held_to_the_obligation() -> None:
    market = designated()
    market.buy("dan", 100, "95.00")  # order 3
    refused = market.do(Replace("dan", 3, 100, usd("0.01")))
    assert refusal(refused) is RejectReason.STUB_QUOTE
    assert kinds(market.do(Replace("dan", 3, 100, usd("93.00")))) == ["OrderReplaced"]


def test_without_an_obligation_a_market_maker_may_stub_quote() -> None:
    market = designated(Rulebook.load("us-2010"))
    assert kinds(market.buy("dan", 100, "0.01")) == ["OrderAccepted"]


def test_a_market_maker_no_longer_designated_is_not_held() -> None:
    market = designated()
    events = market.do(DesignateMarketMaker("operator", SYMBOL, "dan", designated=False))
    assert bare(events) == [MarketMakerDesignated(0, 0, SYMBOL, "dan", False)]
    assert kinds(market.buy("dan", 100, "0.01")) == ["OrderAccepted"]


def test_designation_is_refused_clearly() -> None:
    market = RuledMarket(PILOT)
    cases = [
        (DesignateMarketMaker("alice", SYMBOL, "dan"), RejectReason.NOT_ENTITLED),
        (DesignateMarketMaker("operator", "NOPE", "dan"), RejectReason.UNKNOWN_INSTRUMENT),
        (DesignateMarketMaker("operator", SYMBOL, "zed"), RejectReason.UNKNOWN_PARTICIPANT),
    ]
    for command, expected in cases:
        assert refusal(market.do(command)) is expected, command
    venue = Venue()
    refused = venue.process(DesignateMarketMaker("operator", SYMBOL, "dan"), 1)
    assert refusal(refused) is RejectReason.NO_RULEBOOK


def test_designations_travel_in_the_snapshot() -> None:
    market = designated()
    restored = restored_copy(market.venue)
    assert state_hash(restored) == state_hash(market.venue)
    stub = NewOrder("dan", TRADERS["dan"], SYMBOL, Side.BUY, 100, usd("0.01"))
    assert refusal(restored.process(stub, market.ts + 1)) is RejectReason.STUB_QUOTE
