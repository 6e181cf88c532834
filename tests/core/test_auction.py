"""Call auctions: orders rest without matching, and the uncross prints one price."""

from __future__ import annotations

from core_support import SYMBOL, Market

from orders_support import bare, kinds, usd
from seawall import Side, TimeInForce, TradingState
from seawall.core.auction import Uncross, find_uncross
from seawall.core.commands import SetTradingState
from seawall.core.events import AuctionUncrossed, Rejected, RejectReason, Trade

BUY, SELL = Side.BUY, Side.SELL


def test_maximum_volume_decides_first() -> None:
    bids = [(105, 10), (104, 10), (100, 30)]
    asks = [(99, 15), (103, 15), (106, 50)]
    # 99..100: demand 50, supply 15 -> 15; 101..102: demand 20, supply 15 -> 15;
    # 103..104: demand 20, supply 30 -> 20 (imbalance 10 sell); 105: 10. No reference: middle.
    assert find_uncross(bids, asks, reference=0) == Uncross(103, 20, 10, SELL)


def test_then_minimum_imbalance() -> None:
    bids = [(102, 10), (101, 10)]
    asks = [(100, 5), (101, 5)]
    # 100: d20 s5 -> 5; 101: d20 s10 -> 10 (imbalance 10); 102: d10 s10 -> 10 (imbalance 0)
    assert find_uncross(bids, asks, reference=0) == Uncross(102, 10, 0, None)


def test_then_nearest_the_reference_price_even_between_two_limit_prices() -> None:
    bids = [(105, 10)]
    asks = [(100, 10)]
    # every price from 100 to 105 matches 10 with no imbalance
    assert find_uncross(bids, asks, reference=103) == Uncross(103, 10, 0, None)
    assert find_uncross(bids, asks, reference=90) == Uncross(100, 10, 0, None)
    assert find_uncross(bids, asks, reference=200) == Uncross(105, 10, 0, None)


def test_the_tied_interval_can_start_a_tick_above_a_bid() -> None:
    bids = [(105, 10), (101, 5)]
    asks = [(100, 10)]
    # 100..101: d15 s10 -> 10, imbalance 5; 102..105: d10 s10 -> 10, imbalance 0
    assert find_uncross(bids, asks, reference=90) == Uncross(102, 10, 0, None)


def test_no_reference_takes_the_middle_of_the_tied_interval_on_the_tick() -> None:
    bids = [(110, 10)]
    asks = [(100, 10)]
    assert find_uncross(bids, asks, reference=0, tick=2) == Uncross(104, 10, 0, None)


def test_nothing_crosses() -> None:
    assert find_uncross([(99, 10)], [(100, 10)], reference=0) is None
    assert find_uncross([], [(100, 10)], reference=0) is None


def test_orders_rest_crossed_in_an_auction_and_uncross_at_one_price_on_reopening() -> None:
    m = Market()
    m.do(SetTradingState("operator", SYMBOL, TradingState.AUCTION, "opening call"))
    m.buy("alice", 10, "10.05")
    m.buy("bob", 10, "10.02")
    m.sell("carol", 15, "10.00")
    m.sell("bob", 10, "10.04")
    assert m.depth() == (
        [(usd("10.05"), 10), (usd("10.02"), 10)],
        [(usd("10.00"), 15), (usd("10.04"), 10)],
    )
    events = m.do(SetTradingState("operator", SYMBOL, TradingState.CONTINUOUS, "open"))
    # 10.00..10.02: demand 20, supply 15 -> 15 (imbalance 5 buy); 10.03 and up: 10.
    # 15 ties from 10.00 to 10.02; the listing reference 10.00 is nearest.
    assert kinds(events) == ["AuctionUncrossed", "Trade", "Trade", "TradingStateChanged"]
    assert bare(events)[0] == AuctionUncrossed(0, 0, SYMBOL, usd("10.00"), 15, 5, BUY)
    fills = [(e.buy_order_id, e.sell_order_id, e.qty, e.price, e.aggressor) for e in events
             if isinstance(e, Trade)]  # fmt: skip
    assert fills == [(1, 3, 10, usd("10.00"), None), (2, 3, 5, usd("10.00"), None)]
    assert m.depth() == ([(usd("10.02"), 5)], [(usd("10.04"), 10)])
    # alice bid 10.05 but paid the auction price: the difference was released
    assert m.cash("A")[1] == 0
    assert m.venue.books[SYMBOL].last_price == usd("10.00")


def test_ioc_and_fok_are_refused_during_a_call() -> None:
    m = Market()
    m.do(SetTradingState("operator", SYMBOL, TradingState.PAUSED, "volatility"))
    events = m.buy("alice", 10, "10.00", tif=TimeInForce.IOC)
    assert isinstance(events[0], Rejected)
    assert events[0].reason is RejectReason.INVALID_TIME_IN_FORCE


def test_halted_and_closed_refuse_orders_but_accept_cancels() -> None:
    m = Market()
    m.buy("alice", 10, "9.00")
    m.do(SetTradingState("operator", SYMBOL, TradingState.HALTED, "news pending"))
    halted = m.buy("alice", 10, "9.00")
    assert isinstance(halted[0], Rejected)
    assert halted[0].reason is RejectReason.TRADING_HALTED
    m.do(SetTradingState("operator", SYMBOL, TradingState.CLOSED))
    closed = m.sell("bob", 10, "9.00")
    assert isinstance(closed[0], Rejected)
    assert closed[0].reason is RejectReason.MARKET_CLOSED


def test_setting_the_state_it_already_has_is_rejected() -> None:
    m = Market()
    events = m.do(SetTradingState("operator", SYMBOL, TradingState.CONTINUOUS))
    assert isinstance(events[0], Rejected)
    assert events[0].reason is RejectReason.INVALID_TRANSITION
