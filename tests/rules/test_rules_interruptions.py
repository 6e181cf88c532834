"""Interruptions of continuous trading: London's volatility auctions, CME's stop logic and
NYSE's liquidity replenishment points.

Expected values come from the shipped rulebooks' parameters (RULES.md §7):
``lse`` has a 5% dynamic tolerance from the last trade, a 10% static one
from the last auction price, a 300-second volatility auction with a random
uncross within 30 seconds, and a 10% auction collar with one 300-second
extension; ``cme`` has a 1% stop-logic threshold, a 5-second reserved state
and 5-second extensions while the indicative price is more than twice the
threshold away; ``us-2010-nyse`` switches to a 30-second auction on a 1% move
within 30 seconds.
"""

from __future__ import annotations

from rules_support import LSE, SECOND, SYMBOL, RuledMarket, accepted, changed, restored_copy, trade

from orders_support import bare, kinds, usd
from seawall import Rulebook, Side, Venue, VenueConfig
from seawall.core.commands import ClockTick
from seawall.core.events import (
    AuctionExtended,
    AuctionIndicative,
    CancelReason,
    Event,
    OrderCancelled,
    StopElected,
    Trade,
)
from seawall.core.state import state_hash
from seawall.core.types import OrderType, SettlementMode, TimeInForce, TradingState

CME = Rulebook.load("cme")
NYSE = Rulebook.load("us-2010-nyse")
CONTINUOUS = TradingState.CONTINUOUS
VOLATILITY_AUCTION = TradingState.VOLATILITY_AUCTION
RESERVED = TradingState.RESERVED


def test_the_shipped_parameters_these_tests_derive_from() -> None:
    assert LSE.volatility is not None and LSE.auctions is not None
    assert (LSE.volatility.dynamic_bps, LSE.volatility.static_bps) == (500, 1_000)
    assert LSE.volatility.auction_seconds == 300
    assert (LSE.auctions.random_uncross_seconds, LSE.auctions.collar_bps) == (30, 1_000)
    assert (LSE.auctions.extension_seconds, LSE.auctions.max_extensions) == (300, 1)
    assert CME.stop_logic is not None
    params = CME.stop_logic
    assert (params.threshold_bps, params.reserved_seconds) == (100, 5)
    assert (params.extension_seconds, params.extension_multiple) == (5, 2)


def first_trade(rulebook: Rulebook, qty: int = 100, clock: str = "10:00:00") -> RuledMarket:
    """A venue under ``rulebook`` in continuous trading after a trade of ``qty`` at $100.00
    (order ids 1 and 2)."""
    market = RuledMarket(rulebook, clock=clock)
    assert market.state == "continuous"
    market.buy("alice", qty, "100.00")
    market.sell("bob", qty, "100.00")
    return market


def call_ends(market: RuledMarket) -> int:
    rules = market.venue.rules
    assert rules is not None
    return rules.guards[SYMBOL].call_ends


# ---------------------------------------------------------------------------- volatility auctions


def test_an_order_that_would_trade_beyond_the_dynamic_tolerance_starts_a_volatility_auction() -> (
    None
):
    market = first_trade(LSE)
    market.sell("bob", 100, "104.00")  # order 3: within 5% of the last trade
    market.sell("carol", 100, "106.00")  # order 4: beyond it ($105.00)
    entered = market.ts + 1
    events = market.buy("alice", 200, "107.00")  # order 5
    assert bare(events) == [
        accepted(5, "alice", Side.BUY, usd("107.00"), 200),
        trade(2, usd("104.00"), 100, Side.BUY, (5, "alice", 100), (3, "bob", 0)),
        changed(CONTINUOUS, VOLATILITY_AUCTION, "dynamic_tolerance"),
        AuctionIndicative(0, 0, SYMBOL, usd("106.00"), 100, 0, None),
    ]
    # The call lasts 300 seconds and ends at random within the next 30.
    ends = call_ends(market)
    assert entered + 300 * SECOND <= ends < entered + 330 * SECOND
    market.ts = ends - 2
    assert market.do(ClockTick("operator")) == []
    assert market.state == "volatility_auction"
    uncrossed = market.do(ClockTick("operator"))
    assert kinds(uncrossed) == ["TradingStateChanged", "AuctionUncrossed", "Trade"]
    assert bare(uncrossed)[0] == changed(VOLATILITY_AUCTION, CONTINUOUS, "volatility")
    assert bare(uncrossed)[2] == trade(
        3, usd("106.00"), 100, None, (5, "alice", 0), (4, "carol", 0)
    )


def test_a_trade_exactly_at_the_tolerance_is_not_beyond_it() -> None:
    market = first_trade(LSE)
    market.sell("bob", 100, "105.00")  # exactly 5% above the last trade
    events = market.buy("alice", 100, "105.00")
    assert kinds(events) == ["OrderAccepted", "Trade"]
    assert market.state == "continuous"


def test_the_static_tolerance_is_measured_from_the_last_auction_price() -> None:
    # Each step is within 5% of the trade before, but the walk leaves 10% of the prior close
    # ($100.00, the last auction price): $111.00 is beyond $110.00 though within 5% of $108.00.
    market = first_trade(LSE)
    for price in ("104.00", "108.00"):
        market.sell("bob", 100, price)
        assert kinds(market.buy("alice", 100, price))[-1] == "Trade"
    market.sell("bob", 100, "111.00")
    events = market.buy("alice", 100, "111.00")
    assert bare(events)[1] == changed(CONTINUOUS, VOLATILITY_AUCTION, "static_tolerance")
    assert kinds(events) == ["OrderAccepted", "TradingStateChanged", "AuctionIndicative"]


def test_an_auction_price_becomes_the_static_reference() -> None:
    market = first_trade(LSE)
    market.sell("carol", 100, "106.00")
    market.buy("alice", 100, "106.00")  # beyond $105.00: a volatility auction
    market.ts = call_ends(market) - 1
    assert kinds(market.do(ClockTick("operator")))[-1] == "Trade"  # the uncross at $106.00
    # $116.00 is within 10% of $106.00 (the auction price), though not of the prior close.
    for price in ("110.00", "114.00", "116.00"):
        market.sell("bob", 100, price)
        assert kinds(market.buy("alice", 100, price))[-1] == "Trade", price
    assert market.state == "continuous"


def test_a_sell_walking_down_stops_at_the_lower_tolerance_and_an_ioc_rest_is_cancelled() -> None:
    market = first_trade(LSE)
    market.buy("carol", 100, "96.00")  # order 3: within 5% below $100.00
    market.buy("dan", 100, "94.00")  # order 4: beyond it ($95.00)
    events = market.sell("bob", 200, "90.00", tif=TimeInForce.IOC)  # order 5
    assert bare(events) == [
        accepted(5, "bob", Side.SELL, usd("90.00"), 200, tif=TimeInForce.IOC),
        trade(2, usd("96.00"), 100, Side.SELL, (3, "carol", 0), (5, "bob", 100)),
        changed(CONTINUOUS, VOLATILITY_AUCTION, "dynamic_tolerance"),
        OrderCancelled(0, 0, 5, "B", SYMBOL, 100, CancelReason.UNFILLED),
        # dan's bid alone: nothing crosses, so no indicative price yet
    ]
    assert market.state == "volatility_auction"


def test_an_order_whose_first_match_is_already_beyond_trades_nothing() -> None:
    # An offer resting 10% below the last trade (no bids when it came): a buy would print
    # there, 5% beyond the dynamic tolerance (but not beyond the static one, exactly 10%).
    market = first_trade(LSE)
    market.sell("bob", 100, "90.00")
    events = market.buy("alice", 100, "95.00")
    assert bare(events)[1:] == [
        changed(CONTINUOUS, VOLATILITY_AUCTION, "dynamic_tolerance"),
        AuctionIndicative(0, 0, SYMBOL, usd("95.00"), 100, 0, None),
    ]


def test_a_market_order_sweeps_only_to_the_tolerance() -> None:
    # (A sell: without collars an RTGS market buy must hold cash for the highest price.)
    market = first_trade(LSE)
    for who, price in (("bob", "99.00"), ("carol", "97.00"), ("dan", "80.00")):
        market.buy(who, 100, price)
    events = market.sell("alice", 300, order_type=OrderType.MARKET, tif=TimeInForce.IOC)
    assert [event.price for event in events if isinstance(event, Trade)] == [
        usd("99.00"),
        usd("97.00"),
    ]
    # $80.00 breaks both tolerances; the static one is named first.
    assert bare(events)[3] == changed(CONTINUOUS, VOLATILITY_AUCTION, "static_tolerance")
    assert bare(events)[4] == OrderCancelled(0, 0, 6, "A", SYMBOL, 100, CancelReason.UNFILLED)


def test_an_uncross_beyond_the_auction_collar_extends_the_call_once() -> None:
    market = first_trade(LSE)
    market.sell("carol", 100, "111.00")
    market.buy("alice", 100, "112.00")  # beyond $105.00: a volatility auction
    ends = call_ends(market)
    market.ts = ends - 1
    extended = market.do(ClockTick("operator"))
    # $111.00 is beyond the 10% collar around the static reference ($100.00).
    assert bare(extended) == [
        AuctionExtended(0, 0, SYMBOL, usd("111.00"), usd("100.00"), 1, ends + 300 * SECOND)
    ]
    assert market.state == "volatility_auction"
    market.ts = ends + 300 * SECOND - 1
    uncrossed = market.do(ClockTick("operator"))  # one extension only: it uncrosses now
    assert kinds(uncrossed) == ["TradingStateChanged", "AuctionUncrossed", "Trade"]
    assert market.state == "continuous"


def test_the_closing_call_takes_over_a_volatility_auction() -> None:
    market = first_trade(LSE, clock="16:28:00")
    market.sell("carol", 100, "106.00")
    market.buy("alice", 100, "106.00")
    assert market.state == "volatility_auction"
    assert bare(market.tick("16:30:00")) == [  # continuous trading ends at 16:30
        changed(VOLATILITY_AUCTION, TradingState.CLOSING_AUCTION, "closing_call")
    ]


# ---------------------------------------------------------------------------- stop logic


def elect_a_sell_stop(market: RuledMarket, far_bid: str) -> list[Event]:
    """Bob's sell stop at $99.50, limit $95.00 (order 5), elected by a trade at $99.50 over a
    bid at ``far_bid``."""
    market.buy("carol", 10, "99.50")  # order 3
    market.buy("dan", 50, far_bid)  # order 4
    market.sell(
        "bob", 20, "95.00", order_type=OrderType.STOP_LIMIT, stop_price=usd("99.50")
    )  # order 5
    return market.sell("alice", 10, "99.50")  # order 6: trades with carol, elects the stop


def test_an_elected_stop_within_the_threshold_trades() -> None:
    market = first_trade(CME, 10)
    events = elect_a_sell_stop(market, "98.60")  # 0.9% from the $99.50 that elected it
    assert kinds(events) == ["OrderAccepted", "Trade", "StopElected", "Trade"]
    assert market.state == "continuous"


def test_an_elected_stop_beyond_the_threshold_reserves_the_book_and_is_extended() -> None:
    market = first_trade(CME, 10)
    elected_at = market.ts + 4
    events = elect_a_sell_stop(market, "97.00")  # 2.5% from $99.50: beyond 1%
    assert bare(events)[2:] == [
        StopElected(0, 0, 5, "B", SYMBOL, usd("99.50"), usd("95.00")),
        changed(CONTINUOUS, RESERVED, "stop_logic"),
        AuctionIndicative(0, 0, SYMBOL, usd("97.00"), 20, 30, Side.BUY),
    ]
    # Five seconds on, the indicative price is still 2.5% away, beyond twice the threshold.
    review = elected_at + 5 * SECOND
    market.ts = review - 1
    assert bare(market.do(ClockTick("operator"))) == [
        AuctionExtended(0, 0, SYMBOL, usd("97.00"), usd("99.50"), 1, review + 5 * SECOND)
    ]
    # A bid at $99.00 (0.5% away) brings the indicative price back: the next review uncrosses.
    market.buy("carol", 20, "99.00")
    market.ts = review + 5 * SECOND - 1
    uncrossed = market.do(ClockTick("operator"))
    assert bare(uncrossed)[0] == changed(RESERVED, CONTINUOUS, "stop_logic")
    assert [(event.price, event.qty) for event in uncrossed if isinstance(event, Trade)] == [
        (usd("99.00"), 20)
    ]


def test_stop_logic_holds_back_only_elected_stops() -> None:
    market = first_trade(CME, 10)
    market.buy("dan", 50, "97.00")
    events = market.sell("bob", 20, "97.00")  # 3% below the last trade, but no stop
    assert kinds(events) == ["OrderAccepted", "Trade"]
    assert market.state == "continuous"


# ---------------------------------------------------------------------------- LRPs


def test_the_liquidity_replenishment_parameters() -> None:
    assert NYSE.liquidity_replenishment is not None
    params = NYSE.liquidity_replenishment
    assert (params.move_bps, params.window_seconds, params.auction_seconds) == (100, 30, 30)


def test_a_move_beyond_the_point_within_the_window_switches_to_auction_mode() -> None:
    market = first_trade(NYSE)
    market.buy("carol", 100, "99.50")  # order 3: within 1% of $100.00
    market.buy("dan", 100, "98.90")  # order 4: beyond it ($99.00)
    events = market.sell("bob", 200, "98.00")  # order 5
    assert bare(events) == [
        accepted(5, "bob", Side.SELL, usd("98.00"), 200),
        trade(2, usd("99.50"), 100, Side.SELL, (3, "carol", 0), (5, "bob", 100)),
        changed(CONTINUOUS, VOLATILITY_AUCTION, "liquidity_replenishment"),
        AuctionIndicative(0, 0, SYMBOL, usd("98.90"), 100, 0, None),
    ]
    # No random uncross: the auction ends exactly 30 seconds on.
    assert call_ends(market) == market.ts + 30 * SECOND
    market.ts = call_ends(market) - 1
    uncrossed = market.do(ClockTick("operator"))
    assert bare(uncrossed)[0] == changed(VOLATILITY_AUCTION, CONTINUOUS, "liquidity_replenishment")
    assert [(e.price, e.qty) for e in uncrossed if isinstance(e, Trade)] == [(usd("98.90"), 100)]
    # The window starts again from the auction's price: $98.00 is within 1% of $98.90.
    market.buy("carol", 100, "98.00")
    assert kinds(market.sell("alice", 100, "98.00")) == ["OrderAccepted", "Trade"]


def test_the_same_move_spread_over_more_than_the_window_trades() -> None:
    market = first_trade(NYSE)
    market.ts += 30 * SECOND  # the $100.00 print leaves the window
    market.buy("carol", 100, "98.90")
    assert kinds(market.sell("bob", 100, "98.90")) == ["OrderAccepted", "Trade"]
    assert market.state == "continuous"


def test_the_point_is_measured_from_every_trade_in_the_window() -> None:
    # $100.00, then $99.40: a print at $101.00 is within 1% of $100.00 but beyond $99.40's.
    market = first_trade(NYSE)
    market.buy("carol", 100, "99.40")
    assert kinds(market.sell("bob", 100, "99.40"))[-1] == "Trade"
    market.sell("bob", 100, "101.00")
    events = market.buy("alice", 100, "101.00")
    assert bare(events)[1] == changed(CONTINUOUS, VOLATILITY_AUCTION, "liquidity_replenishment")


# ---------------------------------------------------------------------------- snapshots


def test_a_snapshot_taken_in_an_interruption_resumes_it_identically() -> None:
    for market in (first_trade(LSE), first_trade(CME, 10), first_trade(NYSE)):
        if market.venue.config.rulebook is LSE:
            market.sell("carol", 100, "106.00")
            market.buy("alice", 100, "107.00")
        elif market.venue.config.rulebook is CME:
            elect_a_sell_stop(market, "97.00")
        else:
            market.buy("carol", 100, "99.50")
            market.sell("bob", 100, "99.50")  # in the window, for the snapshot to carry
            market.buy("dan", 100, "98.00")
            market.sell("bob", 100, "98.00")
        assert market.state in ("volatility_auction", "reserved")
        restored = restored_copy(market.venue)
        assert state_hash(restored) == state_hash(market.venue)
        later = call_ends(market) + 10 * SECOND
        assert restored.process(ClockTick("operator"), later) == market.venue.process(
            ClockTick("operator"), later
        )
        assert state_hash(restored) == state_hash(market.venue)


def test_only_rulebooks_with_tolerances_or_stop_logic_interrupt() -> None:
    for name, interrupts in (
        ("lse", True),
        ("cme", True),
        ("us-2010-nyse", True),
        ("us-today", False),
        ("chix", False),
    ):
        config = VenueConfig.for_rulebook(Rulebook.load(name), settlement=SettlementMode.RTGS)
        rules = Venue(config).rules
        assert rules is not None and rules.interrupts is interrupts, name
