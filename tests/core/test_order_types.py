"""Golden event streams: self-trade prevention, cancel-replace priority, stops, market collars."""

from __future__ import annotations

from collections.abc import Sequence

import pytest
from core_support import CASH, SYMBOL, Market

from orders_support import bare, kinds, usd
from seawall import OrderType, SelfTradePrevention, Side, TimeInForce, VenueConfig
from seawall.core.commands import Cancel, Replace
from seawall.core.events import (
    CancelReason,
    OrderCancelled,
    OrderReplaced,
    Rejected,
    RejectReason,
    StopElected,
    Trade,
)

BUY, SELL = Side.BUY, Side.SELL
STP = SelfTradePrevention


def trades(events: Sequence[object]) -> list[tuple[int, int, int]]:
    """(price, qty, resting order id) of each trade."""
    out = []
    for e in events:
        if isinstance(e, Trade):
            maker = e.sell_order_id if e.aggressor is BUY else e.buy_order_id
            out.append((e.price, e.qty, maker))
    return out


# ---------------------------------------------------------------- self-trade prevention


def test_cancel_newest_cancels_the_incoming_order_and_keeps_the_resting_one() -> None:
    m = Market()
    m.sell("alice", 10, "10.00")
    events = m.buy("alice", 10, "10.00", stp=STP.CANCEL_NEWEST)
    assert bare(events)[1:] == [OrderCancelled(0, 0, 2, "A", SYMBOL, 10, CancelReason.SELF_TRADE)]
    assert m.queue(SELL) == [(1, 10)]
    assert m.cash("A") == (CASH, 0)


def test_cancel_oldest_cancels_the_resting_order_and_keeps_matching() -> None:
    m = Market()
    m.sell("alice", 10, "10.00")
    m.sell("bob", 10, "10.00")
    events = m.buy("alice", 15, "10.00", stp=STP.CANCEL_OLDEST)
    assert kinds(events) == ["OrderAccepted", "OrderCancelled", "Trade"]
    assert bare(events)[1] == OrderCancelled(0, 0, 1, "A", SYMBOL, 10, CancelReason.SELF_TRADE)
    assert trades(events) == [(usd("10.00"), 10, 2)]
    assert m.queue(BUY) == [(3, 5)]


def test_cancel_both_cancels_both_orders() -> None:
    m = Market()
    m.sell("alice", 10, "10.00")
    events = m.buy("alice", 4, "10.00", stp=STP.CANCEL_BOTH)
    assert bare(events)[1:] == [
        OrderCancelled(0, 0, 1, "A", SYMBOL, 10, CancelReason.SELF_TRADE),
        OrderCancelled(0, 0, 2, "A", SYMBOL, 4, CancelReason.SELF_TRADE),
    ]
    assert m.depth() == ([], [])
    assert m.cash("A") == (CASH, 0)


def test_allow_lets_an_account_trade_with_itself() -> None:
    m = Market()
    m.sell("alice", 10, "10.00")
    events = m.buy("alice", 10, "10.00", stp=STP.ALLOW)
    assert trades(events) == [(usd("10.00"), 10, 1)]
    assert m.cash("A") == (CASH, 0)


# ---------------------------------------------------------------- cancel-replace


def test_quantity_decrease_keeps_priority() -> None:
    m = Market()
    m.sell("bob", 10, "10.00")
    m.sell("carol", 10, "10.00")
    assert bare(m.do(Replace("bob", 1, 6, usd("10.00")))) == [
        OrderReplaced(0, 0, 1, "B", SYMBOL, usd("10.00"), 6, 6, True)
    ]
    assert m.queue(SELL) == [(1, 6), (2, 10)]
    assert m.shares("B")[1] == 6


def test_quantity_increase_loses_priority() -> None:
    m = Market()
    m.sell("bob", 10, "10.00")
    m.sell("carol", 10, "10.00")
    events = m.do(Replace("bob", 1, 12, usd("10.00")))
    assert bare(events) == [OrderReplaced(0, 0, 1, "B", SYMBOL, usd("10.00"), 12, 12, False)]
    assert m.queue(SELL) == [(2, 10), (1, 12)]


def test_price_change_loses_priority_even_when_it_comes_back() -> None:
    m = Market()
    m.buy("bob", 10, "9.99")
    m.buy("carol", 10, "9.99")
    m.do(Replace("bob", 1, 10, usd("9.98")))
    m.do(Replace("bob", 1, 10, usd("9.99")))
    assert m.queue(BUY) == [(2, 10), (1, 10)]
    assert m.cash("B") == (CASH - 10 * usd("9.99"), 10 * usd("9.99"))


def test_replace_counts_filled_quantity_and_can_trade_when_it_crosses() -> None:
    m = Market()
    m.buy("bob", 10, "9.99")
    m.sell("alice", 4, "9.99")  # bob has 6 left of 10
    m.sell("carol", 5, "10.02")
    events = m.do(Replace("bob", 1, 12, usd("10.02")))  # 12 in total: 8 open, 5 trade now
    assert bare(events)[0] == OrderReplaced(0, 0, 1, "B", SYMBOL, usd("10.02"), 12, 8, False)
    assert trades(events) == [(usd("10.02"), 5, 3)]
    assert m.queue(BUY) == [(1, 3)]


def test_replace_to_at_or_below_filled_quantity_is_rejected() -> None:
    m = Market()
    m.buy("bob", 10, "9.99")
    m.sell("alice", 4, "9.99")
    events = m.do(Replace("bob", 1, 4, usd("9.99")))
    assert isinstance(events[0], Rejected)
    assert events[0].reason is RejectReason.INVALID_QUANTITY


def test_replace_that_needs_more_cash_than_available_leaves_the_order_as_it_was() -> None:
    m = Market()
    m.buy("bob", 10, "9.99")
    events = m.do(Replace("bob", 1, 10_000_000, usd("9.99")))
    assert isinstance(events[0], Rejected)
    assert events[0].reason is RejectReason.INSUFFICIENT_CASH
    assert m.queue(BUY) == [(1, 10)]
    assert m.cash("B") == (CASH - 10 * usd("9.99"), 10 * usd("9.99"))


def test_only_the_owner_may_replace_and_post_only_may_not_be_replaced_into_a_cross() -> None:
    m = Market()
    m.sell("bob", 10, "10.00")
    m.buy("alice", 10, "9.99", post_only=True)
    not_owner = m.do(Replace("carol", 2, 10, usd("9.98")))
    assert isinstance(not_owner[0], Rejected)
    assert not_owner[0].reason is RejectReason.NOT_ENTITLED
    crossing = m.do(Replace("alice", 2, 10, usd("10.00")))
    assert isinstance(crossing[0], Rejected)
    assert crossing[0].reason is RejectReason.POST_ONLY_WOULD_CROSS


# ---------------------------------------------------------------- stops


def test_buy_stop_is_elected_by_a_trade_at_its_trigger_and_works_at_its_collar() -> None:
    m = Market()
    m.sell("bob", 10, "10.05")
    m.sell("bob", 10, "10.10")
    stop = m.buy("alice", 5, order_type=OrderType.STOP, stop_price=usd("10.05"))
    # a stop collars from its trigger: 10.05 + min(5%, 0.50) = 10.55
    assert stop[0].price == usd("10.55")  # type: ignore[union-attr]
    assert kinds(stop) == ["OrderAccepted"]
    events = m.buy("carol", 10, "10.05")  # prints at 10.05: the stop fires
    assert kinds(events) == ["OrderAccepted", "Trade", "StopElected", "Trade"]
    assert bare(events)[2] == StopElected(0, 0, 3, "A", SYMBOL, usd("10.05"), usd("10.55"))
    assert trades(events)[1] == (usd("10.10"), 5, 2)


def test_sell_stop_limit_rests_at_its_limit_when_elected_without_liquidity() -> None:
    m = Market()
    m.buy("bob", 10, "9.95")
    m.sell("alice", 10, "9.97", order_type=OrderType.STOP_LIMIT, stop_price=usd("9.95"))
    events = m.sell("carol", 10, "9.95")
    assert kinds(events) == ["OrderAccepted", "Trade", "StopElected"]
    assert m.queue(SELL) == [(2, 10)]
    assert m.venue.orders[2].waiting is False


def test_stops_cascade_in_trigger_order() -> None:
    m = Market()
    for price in ("9.99", "9.98", "9.97"):
        m.buy("bob", 10, price)
    m.sell("alice", 10, order_type=OrderType.STOP, stop_price=usd("9.98"), tif=TimeInForce.IOC)
    m.sell("carol", 10, order_type=OrderType.STOP, stop_price=usd("9.99"), tif=TimeInForce.IOC)
    events = m.sell("alice", 10, "9.99")
    assert kinds(events) == [
        "OrderAccepted", "Trade", "StopElected", "Trade", "StopElected", "Trade",
    ]  # fmt: skip
    elected = [e.order_id for e in events if isinstance(e, StopElected)]
    assert elected == [5, 4]  # carol's 9.99 trigger first, then alice's 9.98


def test_an_elected_fill_or_kill_stop_fills_completely_or_is_cancelled_whole() -> None:
    m = Market()
    m.sell("bob", 3, "10.00")
    m.buy("alice", 5, order_type=OrderType.STOP, tif=TimeInForce.FOK, stop_price=usd("10.00"))
    events = m.buy("carol", 1, "10.00")  # trades at 10.00: elects the stop; 2 are left for it
    assert bare(events)[2:] == [
        StopElected(0, 0, 2, "A", SYMBOL, usd("10.00"), usd("10.50")),
        OrderCancelled(0, 0, 2, "A", SYMBOL, 5, CancelReason.UNFILLED),
    ]
    assert m.cash("A") == (CASH, 0)
    m.sell("bob", 10, "10.00")  # 12 offered now
    # the last trade is already at the trigger: the stop is elected as it enters, and fills all 5
    events = m.buy(
        "alice", 5, order_type=OrderType.STOP, tif=TimeInForce.FOK, stop_price=usd("10.00")
    )
    assert kinds(events) == ["OrderAccepted", "StopElected", "Trade", "Trade"]
    assert sum(e.qty for e in events if isinstance(e, Trade)) == 5


def test_a_waiting_stop_can_be_cancelled_but_not_replaced() -> None:
    m = Market()
    m.sell("alice", 10, order_type=OrderType.STOP, stop_price=usd("9.90"))
    replaced = m.do(Replace("alice", 1, 5, usd("9.80")))
    assert isinstance(replaced[0], Rejected)
    assert replaced[0].reason is RejectReason.NOT_REPLACEABLE
    assert kinds(m.do(Cancel("alice", 1))) == ["OrderCancelled"]
    assert m.shares("A")[1] == 0


def test_stop_price_is_validated() -> None:
    m = Market()
    events = m.sell("alice", 10, order_type=OrderType.STOP, stop_price=usd("9.901"))
    assert isinstance(events[0], Rejected)
    assert events[0].reason is RejectReason.INVALID_STOP_PRICE
    events = m.sell("alice", 10, "9.90", stop_price=usd("9.90"))  # a limit order has no stop
    assert isinstance(events[0], Rejected)
    assert events[0].reason is RejectReason.INVALID_STOP_PRICE


# ---------------------------------------------------------------- market orders and collars


@pytest.mark.parametrize(
    ("reference", "side", "limit"),
    [
        ("10.00", BUY, "10.50"),  # 5% = 0.50: both collars agree
        ("4.00", BUY, "4.20"),  # 5% = 0.20 is tighter than 0.50
        ("40.00", BUY, "40.50"),  # 0.50 is tighter than 5% = 2.00
        ("40.00", SELL, "39.50"),
        ("4.00", SELL, "3.80"),
        ("0.03", SELL, "0.03"),  # 5% of 3 cents is 0.15 of a cent: rounds up to the tick
    ],
)
def test_market_orders_become_limits_at_the_tighter_collar(
    reference: str, side: Side, limit: str
) -> None:
    m = Market(reference_price=usd(reference))
    events = m.order("alice", side, 10, order_type=OrderType.MARKET, tif=TimeInForce.IOC)
    assert events[0].price == usd(limit)  # type: ignore[union-attr]


def test_a_market_order_stops_at_its_collar_instead_of_reaching_a_stub_quote() -> None:
    m = Market()
    m.buy("bob", 10, "9.80")
    m.buy("bob", 10, "0.01")  # a stub quote
    events = m.sell("alice", 20, order_type=OrderType.MARKET, tif=TimeInForce.IOC)
    assert trades(events) == [(usd("9.80"), 10, 1)]
    assert isinstance(events[-1], OrderCancelled)
    assert events[-1].reason is CancelReason.UNFILLED
    assert m.depth()[0] == [(usd("0.01"), 10)]


def test_a_market_day_order_rests_at_its_collar_price() -> None:
    m = Market()
    m.buy("alice", 10, order_type=OrderType.MARKET)
    assert m.depth() == ([(usd("10.50"), 10)], [])


def test_market_order_without_any_reference_price_is_rejected() -> None:
    m = Market(reference_price=0)
    events = m.buy("alice", 10, order_type=OrderType.MARKET, tif=TimeInForce.IOC)
    assert isinstance(events[0], Rejected)
    assert events[0].reason is RejectReason.NO_REFERENCE_PRICE


def test_market_collar_parameters_come_from_the_venue_configuration() -> None:
    m = Market(config=VenueConfig(market_collar_bps=1_000, market_collar_abs=usd("5.00")))
    events = m.buy("alice", 10, order_type=OrderType.MARKET, tif=TimeInForce.IOC)
    assert events[0].price == usd("11.00")  # type: ignore[union-attr]
