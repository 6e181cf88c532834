"""Invariant checks over a venue and its events, shared by the property tests.

Each check raises ``AssertionError`` with a message naming what broke; none of
them mutates the venue.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field

import msgspec
from strategies import Scenario

from seawall import OrderType, Side, TimeInForce, TradingState, Venue
from seawall.core.book import Book, Order
from seawall.core.commands import NewOrder, SetTradingState
from seawall.core.events import (
    OrderAccepted,
    OrderReplaced,
    Rejected,
    StopElected,
    Trade,
)
from seawall.core.state import VenueState
from stream_support import Step, describe

_ENCODER = msgspec.msgpack.Encoder()
_STATE_DECODER = msgspec.msgpack.Decoder(VenueState)
_HALTS = (TradingState.HALTED, TradingState.CLOSED)


def encode(value: object) -> bytes:
    return _ENCODER.encode(value)


def roundtrip(state: VenueState) -> VenueState:
    """``state`` through msgpack and back, as a snapshot file would carry it."""
    return _STATE_DECODER.decode(_ENCODER.encode(state))


def comparable_state(venue: Venue) -> VenueState:
    """The exported state without the sequence number and clock, which every command advances."""
    return msgspec.structs.replace(venue.export_state(), seq=0, ts=0)


def state_difference(a: VenueState, b: VenueState) -> str:
    """Which top-level parts of two states differ, with both values, for assertion messages."""
    lines = []
    for info in msgspec.structs.fields(VenueState):
        left, right = getattr(a, info.name), getattr(b, info.name)
        if left != right:
            lines.append(f"{info.name}:\n  before {left!r}\n  after  {right!r}")
    return "\n".join(lines) or "(no difference)"


# ---------------------------------------------------------------------------- property 1


def check_not_crossed(venue: Venue) -> None:
    for symbol, book in venue.books.items():
        if book.state is not TradingState.CONTINUOUS:
            continue
        bid, ask = book.bids.best(), book.asks.best()
        if bid is not None and ask is not None:
            assert (
                bid.price < ask.price
            ), f"{symbol} is crossed while continuous: bid {bid.price} >= ask {ask.price}"


# ---------------------------------------------------------------------------- property 2


def check_conservation(venue: Venue) -> None:
    held: dict[str, int] = defaultdict(int)
    for account in venue.accounts.values():
        for kind, holdings in (("cash", account.cash), ("position", account.positions)):
            for asset, b in holdings.items():
                where = f"{account.account_id} {kind} {asset}"
                assert b.available >= 0, f"{where}: available {b.available} < 0"
                assert b.reserved >= 0, f"{where}: reserved {b.reserved} < 0"
                assert b.borrowed >= 0, f"{where}: borrowed {b.borrowed} < 0"
                assert b.lent >= 0, f"{where}: lent {b.lent} < 0"
                held[asset] += b.available + b.reserved
    for asset in sorted(set(held) | set(venue.supply)):
        supply = venue.supply.get(asset, 0)
        assert supply >= 0, f"supply of {asset} is {supply} < 0"
        assert (
            held[asset] == supply
        ), f"{asset}: accounts hold {held[asset]} but {supply} was deposited net of withdrawals"


# ---------------------------------------------------------------------------- property 3


def buy_need(leaves: int, price: int, multiplier: int, venue: Venue) -> int:
    """What an open buy must hold reserved, computed from the config alone."""
    notional = leaves * price * multiplier
    bps = max(venue.config.maker_fee_bps, venue.config.taker_fee_bps)
    return notional + -(-notional * bps // 10_000)


def _book_orders(book: Book) -> Iterator[Order]:
    for side in (book.bids, book.asks):
        best = side.best()
        best_key = min(side.levels, default=None)
        assert (best.key if best else None) == best_key, (
            f"{book.instrument.symbol}: best level key {best.key if best else None}, "
            f"but the best listed is {best_key}"
        )
        for key, level in side.levels.items():
            live = list(level.live_orders())
            where = (
                f"{book.instrument.symbol} {'bid' if side is book.bids else 'ask'} {level.price}"
            )
            assert key == level.price * side.sign, f"{where}: filed under key {key}"
            assert live, f"{where}: an empty level is still listed"
            total = sum(order.leaves for order in live)
            assert level.qty == total, f"{where}: qty {level.qty} but live orders leave {total}"
            for order in live:
                assert order.price == level.price, f"{where}: holds order at {order.price}"
                assert side is book.side_of(order.side), f"{where}: holds a {order.side} order"
            yield from live


def check_reservations(venue: Venue) -> None:
    on_book: set[int] = set()
    for symbol, book in venue.books.items():
        for order in _book_orders(book):
            assert order.order_id not in on_book, f"order {order.order_id} rests twice"
            on_book.add(order.order_id)
            assert order.instrument == symbol, f"order {order.order_id} is on the {symbol} book"
            assert not order.waiting, f"waiting stop {order.order_id} rests on the book"
            assert (
                venue.orders.get(order.order_id) is order
            ), f"live order {order.order_id} on the {symbol} book is not in venue.orders"
    stops = {order.order_id for book in venue.books.values() for order in book.pending_stops()}
    expected_cash: dict[tuple[str, str], int] = defaultdict(int)
    expected_units: dict[tuple[str, str], int] = defaultdict(int)
    for order_id, order in venue.orders.items():
        what = f"open order {order_id}"
        assert order.order_id == order_id, f"{what} carries id {order.order_id}"
        assert order.live, f"{what} is not live"
        assert 0 < order.leaves <= order.qty, f"{what}: leaves {order.leaves} of {order.qty}"
        assert (order_id in stops) is order.waiting, f"{what}: waiting={order.waiting}"
        assert (order_id in on_book) is not order.waiting, f"{what} is neither resting nor waiting"
        book = venue.books[order.instrument]
        account = order.account
        assert venue.accounts[account.account_id] is account, f"{what}: stale account object"
        currency = book.instrument.currency
        assert order.cash is account.cash.get(currency), f"{what}: not the account's cash"
        assert order.position is account.positions.get(
            order.instrument
        ), f"{what}: not the account's position"
        if order.side is Side.BUY:
            # Cash is held at the limit, or at the reserve price when the order has one.
            hold = order.entry.reserve_price or order.price
            assert order.price <= hold, f"{what}: limit {order.price} above its reserve {hold}"
            need = buy_need(order.leaves, hold, book.instrument.multiplier, venue)
            assert order.reserved == need, (
                f"{what}: buys {order.leaves} at {order.price} holding {hold} and reserves "
                f"{order.reserved}, not {need}"
            )
            expected_cash[account.account_id, currency] += order.reserved
        else:
            assert (
                order.reserved == order.leaves
            ), f"{what}: sells {order.leaves} and reserves {order.reserved}"
            expected_units[account.account_id, order.instrument] += order.reserved
    for account in venue.accounts.values():
        for currency, b in account.cash.items():
            expected = expected_cash.pop((account.account_id, currency), 0)
            assert (
                b.reserved == expected
            ), f"{account.account_id} reserves {b.reserved} {currency}; open buys need {expected}"
        for symbol, b in account.positions.items():
            expected = expected_units.pop((account.account_id, symbol), 0)
            assert (
                b.reserved == expected
            ), f"{account.account_id} reserves {b.reserved} {symbol}; open sells need {expected}"
    assert not expected_cash, f"open buys reserve in balances that do not exist: {expected_cash}"
    assert (
        not expected_units
    ), f"open sells reserve in positions that do not exist: {expected_units}"


# ---------------------------------------------------------------------------- property 4


@dataclass
class FillChecker:
    """Trades never break a limit; order and trade ids are issued in order."""

    scenario: Scenario
    next_order_id: int = 1
    last_trade_id: int = 0
    limits: dict[int, tuple[Side, int]] = field(default_factory=dict)

    def __call__(self, step: Step) -> None:
        command = step.command
        if isinstance(command, NewOrder):
            order_id = self.next_order_id
            self.next_order_id += 1
            first = step.events[0]
            assert isinstance(first, OrderAccepted | Rejected), f"first event {first!r}"
            assert (
                first.order_id == order_id
            ), f"the new order took id {first.order_id}, not the next one, {order_id}"
        for event in step.events:
            if isinstance(event, OrderAccepted):
                self.limits[event.order_id] = (event.side, event.price)
            elif isinstance(event, OrderReplaced | StopElected):
                side, _ = self.limits[event.order_id]
                self.limits[event.order_id] = (side, event.price)
            elif isinstance(event, Trade):
                self.check_trade(event)

    def check_trade(self, trade: Trade) -> None:
        assert trade.qty > 0, f"trade {trade.trade_id} has qty {trade.qty}"
        assert trade.price > 0, f"trade {trade.trade_id} has price {trade.price}"
        assert (
            trade.trade_id > self.last_trade_id
        ), f"trade id {trade.trade_id} follows {self.last_trade_id}"
        self.last_trade_id = trade.trade_id
        multiplier = self.scenario.multiplier(trade.instrument)
        assert trade.cash == trade.price * trade.qty * multiplier, f"cash of {trade!r}"
        if not trade.buy_order_id and not trade.sell_order_id:
            return  # a trade reported by the operator: it touches no order, so has no limit
        buy_side, buy_limit = self.limits[trade.buy_order_id]
        sell_side, sell_limit = self.limits[trade.sell_order_id]
        assert buy_side is Side.BUY, f"order {trade.buy_order_id} bought but is a {buy_side}"
        assert sell_side is Side.SELL, f"order {trade.sell_order_id} sold but is a {sell_side}"
        assert trade.price <= buy_limit, (
            f"trade {trade.trade_id} at {trade.price} is above buy order "
            f"{trade.buy_order_id}'s limit {buy_limit}"
        )
        assert trade.price >= sell_limit, (
            f"trade {trade.trade_id} at {trade.price} is below sell order "
            f"{trade.sell_order_id}'s limit {sell_limit}"
        )


# ---------------------------------------------------------------------------- property 8


@dataclass
class OrderTypeChecker:
    """Halts stop trading; FOK is all or nothing; IOC never rests; post-only never takes."""

    next_order_id: int = 1
    accepted: dict[int, NewOrder] = field(default_factory=dict)
    filled: dict[int, int] = field(default_factory=dict)

    def __call__(self, step: Step, venue: Venue) -> None:
        command = step.command
        if isinstance(command, NewOrder):
            order_id = self.next_order_id
            self.next_order_id += 1
            if any(isinstance(e, OrderAccepted) and e.order_id == order_id for e in step.events):
                self.accepted[order_id] = command
        for event in step.events:
            if isinstance(event, Trade):
                self.check_trade(event, step, venue)
        for order_id, entry in self.accepted.items():
            if entry.tif is TimeInForce.FOK:
                filled = self.filled.get(order_id, 0)
                assert filled in (
                    0,
                    entry.qty,
                ), f"FOK order {order_id} for {entry.qty} filled {filled}"
        for book in venue.books.values():
            for side in (book.bids, book.asks):
                for order in side.orders_in_priority():
                    assert order.tif not in (
                        TimeInForce.IOC,
                        TimeInForce.FOK,
                    ), f"{order.tif} order {order.order_id} rests on the book"
        if isinstance(command, NewOrder) and command.tif in (TimeInForce.IOC, TimeInForce.FOK):
            order_type = command.order_type
            if order_type in (OrderType.LIMIT, OrderType.MARKET):
                assert (
                    self.next_order_id - 1 not in venue.orders
                ), f"{command.tif} order {self.next_order_id - 1} is still open"

    def check_trade(self, trade: Trade, step: Step, venue: Venue) -> None:
        symbol = trade.instrument
        after = venue.books[symbol].state
        what = f"trade {trade.trade_id} in {symbol}"
        assert after not in _HALTS, f"{what}, which the command left {after}"
        before = step.before[symbol]
        if before in _HALTS:
            command = step.command
            resumes = isinstance(command, SetTradingState) and command.instrument == symbol
            assert resumes, f"{what}, {before}, on {describe(command)}"
        if trade.buy_order_id or trade.sell_order_id:
            # Orders trade only in continuous trading or as the call that ends leaves it.
            assert after is TradingState.CONTINUOUS, f"{what} between orders while {after}"
        for order_id in (trade.buy_order_id, trade.sell_order_id):
            self.filled[order_id] = self.filled.get(order_id, 0) + trade.qty
        if trade.aggressor is not None:
            is_buy = trade.aggressor is Side.BUY
            taker = trade.buy_order_id if is_buy else trade.sell_order_id
            order = self.accepted.get(taker)
            assert (
                order is None or not order.post_only
            ), f"post-only order {taker} took liquidity in trade {trade.trade_id}"
