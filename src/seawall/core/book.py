"""The order book of one instrument: price-time priority, O(1) best price and cancel.

Each side keeps a ``dict`` from *key* to :class:`PriceLevel` and a sorted
list of the same keys. The key is the price for asks and the negated price
for bids, so on both sides ``keys[0]`` is the best level and "does this level
cross a limit" is the single comparison ``key <= limit_key``. The best level
is an O(1) peek, the top ``k`` levels an O(k) slice; a new or emptied level
costs a binary search and a C-level list move, which for the tens to
hundreds of levels a side holds is cheaper than a Python-level tree.

A level is a FIFO ``deque`` of orders. Cancelling marks the order dead and
adjusts the level's live quantity in O(1); dead entries are dropped when
they reach the head.
"""

from __future__ import annotations

import heapq
from bisect import bisect_left, insort
from collections import deque
from collections.abc import Iterator

import msgspec

from seawall.core.auction import Uncross, find_uncross
from seawall.core.commands import NewOrder
from seawall.core.ledger import Account, Balance
from seawall.core.types import Instrument, Side, TimeInForce, TradingState

UNCLEARED = -1
"""``Book.cleared_high`` while the rules have no cleared range worked out: no price is in it."""


class Order(msgspec.Struct, gc=False):
    """An open order: resting on the book, or a stop waiting for its trigger.

    ``reserved`` is exactly what this order holds reserved in its account
    (cash for a buy, units for a sell); ``cash`` and ``position`` are the two
    balances a fill touches. ``live`` turns false the moment the order leaves
    the book, so stale queue entries can be skipped without searching.
    ``waiting`` is true for a stop order whose trigger has not been reached.
    ``hold`` is the price a buy's cash is reserved at: its limit, or its
    reserve price when that is higher. ``entry`` is the command that entered
    the order: it answers for the
    fields that never change (type, stop price, marking, references); its
    price and quantity are the original ones, ``price`` and ``qty`` here are
    current.

    A mutable msgspec struct rather than a plain ``__slots__`` class: it is
    just as compact, but built in C, which makes order entry markedly cheaper
    (ADR 0006). It is never part of a reference cycle, so the cycle collector
    need not track it.
    """

    order_id: int
    participant: str
    account: Account
    instrument: str
    side: Side
    tif: TimeInForce
    price: int
    hold: int
    qty: int
    leaves: int
    cash: Balance
    position: Balance
    reserved: int
    waiting: bool
    entry: NewOrder
    live: bool = True


class PriceLevel:
    """Resting orders at one price, oldest first, with the live quantity kept incrementally.

    Every live order has a positive open quantity, so a level is empty
    exactly when ``qty`` is 0: no separate count is needed.
    """

    __slots__ = ("key", "price", "qty", "queue")

    def __init__(self, price: int, key: int) -> None:
        self.price = price
        self.key = key
        self.qty = 0
        self.queue: deque[Order] = deque()

    def live_orders(self) -> Iterator[Order]:
        for order in self.queue:
            if order.live:
                yield order


class BookSide:
    """One side of the book. See the module docstring for keys."""

    __slots__ = ("keys", "levels", "sign")

    def __init__(self, side: Side) -> None:
        self.sign = -1 if side is Side.BUY else 1
        self.levels: dict[int, PriceLevel] = {}
        self.keys: list[int] = []  # the keys of ``levels``, best first

    def best(self) -> PriceLevel | None:
        keys = self.keys
        return self.levels[keys[0]] if keys else None

    def add(self, order: Order) -> None:
        key = order.price * self.sign
        levels = self.levels
        if key in levels:
            level = levels[key]
        else:
            level = levels[key] = PriceLevel(order.price, key)
            insort(self.keys, key)
        level.queue.append(order)
        level.qty += order.leaves

    def remove(self, order: Order) -> None:
        """Take a live resting order off its level in O(1)."""
        order.live = False
        key = order.price * self.sign
        level = self.levels[key]
        level.qty -= order.leaves
        if not level.qty:
            self.drop_level(key)

    def drop_level(self, key: int) -> None:
        del self.levels[key]
        keys = self.keys
        del keys[0 if keys[0] == key else bisect_left(keys, key)]

    def level_at(self, price: int) -> PriceLevel | None:
        """The level at ``price``, if there is one."""
        return self.levels.get(price * self.sign)

    def levels_best_first(self) -> list[PriceLevel]:
        """All levels in priority order."""
        levels = self.levels
        return [levels[key] for key in self.keys]

    def top(self, count: int) -> list[tuple[int, int]]:
        """The best ``count`` levels as (price, quantity)."""
        levels = self.levels
        return [(levels[key].price, levels[key].qty) for key in self.keys[:count]]

    def orders_in_priority(self) -> Iterator[Order]:
        for level in self.levels_best_first():
            yield from level.live_orders()


class Book:
    """Both sides, the pending stops, and the trading state of one instrument."""

    __slots__ = (
        "asks",
        "bids",
        "buy_stops",
        "cleared_high",
        "cleared_low",
        "currency",
        "fee_cash",
        "instrument",
        "last_price",
        "lot",
        "reference_price",
        "sell_stops",
        "state",
        "tick",
        "unit",
    )

    def __init__(
        self,
        instrument: Instrument,
        reference_price: int,
        state: TradingState,
        fee_cash: Balance,
    ) -> None:
        self.instrument = instrument
        self.currency = instrument.currency
        self.fee_cash = fee_cash  # the venue fee account's balance in this instrument's currency
        self.tick = instrument.tick_size
        self.lot = instrument.lot_size
        self.unit = instrument.multiplier
        self.bids = BookSide(Side.BUY)
        self.asks = BookSide(Side.SELL)
        self.reference_price = reference_price
        self.last_price = 0
        self.state = state
        # The prices at which an order needs nothing of the venue's rules, worked out by the
        # rules in advance so that most orders skip them (TradingRules.clearance); UNCLEARED
        # until the rules work it out again.
        self.cleared_low = 1
        self.cleared_high = UNCLEARED
        # Stops wait in heaps ordered by trigger, then arrival: buy stops fire as the
        # price rises (lowest trigger first), sell stops as it falls (highest first).
        self.buy_stops: list[tuple[int, int, Order]] = []
        self.sell_stops: list[tuple[int, int, Order]] = []

    def side_of(self, side: Side) -> BookSide:
        return self.bids if side is Side.BUY else self.asks

    def add_stop(self, order: Order) -> None:
        if order.side is Side.BUY:
            heapq.heappush(self.buy_stops, (order.entry.stop_price, order.order_id, order))
        else:
            heapq.heappush(self.sell_stops, (-order.entry.stop_price, order.order_id, order))

    def next_triggered_stop(self) -> Order | None:
        """Pop the next live stop whose trigger the last trade price has reached."""
        last = self.last_price
        if not last:
            return None
        buys, sells = self.buy_stops, self.sell_stops
        while buys and not buys[0][2].live:
            heapq.heappop(buys)
        while sells and not sells[0][2].live:
            heapq.heappop(sells)
        if buys and buys[0][0] <= last:
            return heapq.heappop(buys)[2]
        if sells and -sells[0][0] >= last:
            return heapq.heappop(sells)[2]
        return None

    def pending_stops(self) -> list[Order]:
        """Live stops in trigger order (buys, then sells), for snapshots."""
        buys = [entry[2] for entry in sorted(self.buy_stops) if entry[2].live]
        sells = [entry[2] for entry in sorted(self.sell_stops) if entry[2].live]
        return buys + sells

    def reference(self) -> int:
        """The price collars are measured from: last sale, else the listing reference,
        else the mid of the book, else 0 (none)."""
        if self.last_price:
            return self.last_price
        if self.reference_price:
            return self.reference_price
        bid, ask = self.bids.best(), self.asks.best()
        if bid is not None and ask is not None:
            mid = (bid.price + ask.price) // 2
            return mid - mid % self.tick
        return 0

    def call_result(self) -> Uncross | None:
        """Where the book would uncross now, nearest its last or listing price; None if it
        does not cross. The uncross itself and the indicative price in a call both ask this."""
        bids = [(level.price, level.qty) for level in self.bids.levels.values()]
        asks = [(level.price, level.qty) for level in self.asks.levels.values()]
        return find_uncross(bids, asks, self.last_price or self.reference_price, self.tick)

    def best_prices(self) -> tuple[int, int]:
        """(best bid, best ask), 0 where a side is empty."""
        bids, asks = self.bids.keys, self.asks.keys
        return (-bids[0] if bids else 0, asks[0] if asks else 0)

    def depth(self, levels: int) -> tuple[list[tuple[int, int]], list[tuple[int, int]]]:
        """Top ``levels`` (price, quantity) per side, best first."""
        return self.bids.top(levels), self.asks.top(levels)
