"""Golden event streams for continuous matching: fills, sweeps, priority, TIFs, post-only."""

from __future__ import annotations

from core_support import CASH, SHARES, SYMBOL, Market

from orders_support import bare, kinds, usd
from seawall import OrderType, Side, TimeInForce, TradingState
from seawall.core.commands import SetTradingState
from seawall.core.events import (
    CancelReason,
    OrderAccepted,
    OrderCancelled,
    Rejected,
    RejectReason,
    Trade,
    TradingStateChanged,
)

BUY, SELL = Side.BUY, Side.SELL
DAY = TimeInForce.DAY
LIMIT = OrderType.LIMIT


def accepted(
    order_id: int,
    account: str,
    side: Side,
    price: str,
    qty: int,
    tif: TimeInForce = DAY,
    order_type: OrderType = LIMIT,
    stop_price: int = 0,
) -> OrderAccepted:
    return OrderAccepted(
        0, 0, order_id, "", account, SYMBOL, side, order_type, tif, usd(price), stop_price, qty
    )


def trade(
    trade_id: int,
    price: str,
    qty: int,
    aggressor: Side | None,
    buy: tuple[int, str, int],
    sell: tuple[int, str, int],
) -> Trade:
    """``buy``/``sell`` are (order id, account, leaves after the fill)."""
    cash = usd(price) * qty
    return Trade(
        0, 0, trade_id, SYMBOL, usd(price), qty, aggressor, buy[0], sell[0], buy[1], sell[1],
        buy[2], sell[2], cash, 0, 0,
    )  # fmt: skip


def test_partial_fill_leaves_the_rest_of_the_maker_resting() -> None:
    m = Market()
    assert bare(m.sell("bob", 100, "10.00")) == [accepted(1, "B", SELL, "10.00", 100)]
    assert bare(m.buy("alice", 30, "10.00")) == [
        accepted(2, "A", BUY, "10.00", 30),
        trade(1, "10.00", 30, BUY, buy=(2, "A", 0), sell=(1, "B", 70)),
    ]
    assert m.depth() == ([], [(usd("10.00"), 70)])
    assert m.venue.orders.keys() == {1}


def test_sweep_across_levels_prints_at_each_makers_price_and_releases_improvement() -> None:
    m = Market()
    m.sell("bob", 10, "10.00")
    m.sell("bob", 20, "10.01")
    m.sell("carol", 30, "10.02")
    assert bare(m.buy("alice", 45, "10.02")) == [
        accepted(4, "A", BUY, "10.02", 45),
        trade(1, "10.00", 10, BUY, buy=(4, "A", 35), sell=(1, "B", 0)),
        trade(2, "10.01", 20, BUY, buy=(4, "A", 15), sell=(2, "B", 0)),
        trade(3, "10.02", 15, BUY, buy=(4, "A", 0), sell=(3, "C", 15)),
    ]
    paid = 10 * usd("10.00") + 20 * usd("10.01") + 15 * usd("10.02")
    assert m.cash("A") == (CASH - paid, 0)  # nothing left reserved: improvement came back
    assert m.shares("A") == (SHARES + 45, 0)
    assert m.cash("B") == (CASH + 10 * usd("10.00") + 20 * usd("10.01"), 0)
    assert m.shares("B") == (SHARES - 30, 0)
    assert m.shares("C") == (SHARES - 30, 15)
    assert m.depth() == ([], [(usd("10.02"), 15)])


def test_time_priority_within_a_level() -> None:
    m = Market()
    m.sell("bob", 10, "10.00")
    m.sell("carol", 10, "10.00")
    m.sell("bob", 10, "10.00")
    events = m.buy("alice", 15, "10.00")
    assert [(e.sell_order_id, e.qty) for e in events if isinstance(e, Trade)] == [(1, 10), (2, 5)]
    assert m.queue(SELL) == [(2, 5), (3, 10)]


def test_price_priority_beats_time_priority() -> None:
    m = Market()
    m.buy("bob", 10, "9.98")
    m.buy("carol", 10, "9.99")
    events = m.sell("alice", 10, "9.90")
    assert [(e.buy_order_id, e.price) for e in events if isinstance(e, Trade)] == [(2, usd("9.99"))]


def test_ioc_fills_what_crosses_and_cancels_the_rest() -> None:
    m = Market()
    m.sell("bob", 10, "10.00")
    assert bare(m.buy("alice", 25, "10.00", tif=TimeInForce.IOC)) == [
        accepted(2, "A", BUY, "10.00", 25, tif=TimeInForce.IOC),
        trade(1, "10.00", 10, BUY, buy=(2, "A", 15), sell=(1, "B", 0)),
        OrderCancelled(0, 0, 2, "A", SYMBOL, 15, CancelReason.UNFILLED),
    ]
    assert m.cash("A") == (CASH - 10 * usd("10.00"), 0)
    assert m.depth() == ([], [])


def test_ioc_that_cannot_trade_at_all_is_cancelled_whole_and_never_rests() -> None:
    m = Market()
    m.sell("bob", 10, "10.05")
    assert bare(m.buy("alice", 25, "10.00", tif=TimeInForce.IOC)) == [
        accepted(2, "A", BUY, "10.00", 25, tif=TimeInForce.IOC),
        OrderCancelled(0, 0, 2, "A", SYMBOL, 25, CancelReason.UNFILLED),
    ]
    assert bare(m.sell("carol", 5, "10.10", tif=TimeInForce.IOC))[1:] == [
        OrderCancelled(0, 0, 3, "C", SYMBOL, 5, CancelReason.UNFILLED)
    ]
    assert m.depth() == ([], [(usd("10.05"), 10)])
    assert m.cash("A") == (CASH, 0)
    assert m.venue.orders.keys() == {1}


def test_fok_that_cannot_fill_is_rejected_and_changes_nothing() -> None:
    m = Market()
    m.sell("bob", 10, "10.00")
    m.sell("bob", 10, "10.05")
    before = m.venue.export_state().books
    events = m.buy("alice", 15, "10.01", tif=TimeInForce.FOK)
    assert kinds(events) == ["Rejected"]
    assert isinstance(events[0], Rejected)
    assert events[0].reason is RejectReason.FOK_NOT_FILLABLE
    assert m.venue.export_state().books == before
    assert m.cash("A") == (CASH, 0)


def test_fok_that_can_fill_fills_completely_across_levels() -> None:
    m = Market()
    m.sell("bob", 10, "10.00")
    m.sell("carol", 10, "10.01")
    events = m.buy("alice", 15, "10.01", tif=TimeInForce.FOK)
    assert kinds(events) == ["OrderAccepted", "Trade", "Trade"]
    assert sum(e.qty for e in events if isinstance(e, Trade)) == 15


def test_fok_counts_only_liquidity_that_self_trade_prevention_would_let_it_take() -> None:
    m = Market()
    m.sell("alice", 10, "10.00")  # alice's own order sits first
    m.sell("bob", 10, "10.00")
    events = m.buy("alice", 15, "10.00", tif=TimeInForce.FOK)
    assert isinstance(events[0], Rejected)
    assert events[0].reason is RejectReason.FOK_NOT_FILLABLE


def test_day_orders_expire_at_the_close_and_gtc_orders_survive() -> None:
    m = Market()
    m.buy("alice", 10, "9.00")
    m.buy("alice", 10, "9.01", tif=TimeInForce.GTC)
    events = m.do(SetTradingState("operator", SYMBOL, TradingState.CLOSED, "end of day"))
    assert bare(events) == [
        OrderCancelled(0, 0, 1, "A", SYMBOL, 10, CancelReason.EXPIRED),
        TradingStateChanged(
            0, 0, SYMBOL, TradingState.CONTINUOUS, TradingState.CLOSED, "end of day"
        ),
    ]
    assert m.venue.orders.keys() == {2}
    assert m.cash("A") == (CASH - 10 * usd("9.01"), 10 * usd("9.01"))


def test_post_only_rests_when_it_does_not_cross_and_is_rejected_when_it_would() -> None:
    m = Market()
    m.sell("bob", 10, "10.00")
    rested = m.buy("alice", 10, "9.99", post_only=True)
    assert kinds(rested) == ["OrderAccepted"]
    crossing = m.buy("alice", 10, "10.00", post_only=True)
    assert isinstance(crossing[0], Rejected)
    assert crossing[0].reason is RejectReason.POST_ONLY_WOULD_CROSS
    assert crossing[0].order_id == 3
    assert m.depth() == ([(usd("9.99"), 10)], [(usd("10.00"), 10)])


def test_post_only_is_only_for_resting_limit_orders() -> None:
    m = Market()
    events = m.buy("alice", 10, "9.99", post_only=True, tif=TimeInForce.IOC)
    assert isinstance(events[0], Rejected)
    assert events[0].reason is RejectReason.INVALID_TIME_IN_FORCE
