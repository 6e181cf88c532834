"""ITCH 5.0 order flow replayed through Seawall's own matching, one venue for every stock.

Each stock directory message lists an instrument (or the first add of an
unlisted stock does); adds rest as the replay's maker orders; executions
trade through the book as marketable IOC orders and must hit the order ITCH
named; an execution at a price other than the order's (``C``) reduces the
order and prints at its price off the book; cancels, deletions and replaces
(a deletion plus a new add, which loses priority as in ITCH) act on the
book; non-displayed trades (``P``) print off the book. Events on orders the
file never added (a sampled file starts mid-session) are counted, not
guessed.
"""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field

from seawall.core.types import Instrument, Side
from seawall.replay.driver import FeedReplay, ReplayVenue
from seawall.replay.itch import (
    AddOrder,
    AddOrderAttributed,
    ItchMessage,
    NonCrossTrade,
    OrderCancel,
    OrderDelete,
    OrderExecuted,
    OrderExecutedWithPrice,
    OrderReplace,
    StockDirectory,
)


@dataclass
class OpenOrder:
    """What the replay knows of an ITCH order: where it rests and what is left of it."""

    locate: int
    side: Side
    price: int
    shares: int


@dataclass
class ItchReplayReport:
    messages: int = 0
    seconds: float = 0.0
    by_type: Counter[str] = field(default_factory=Counter)
    outcomes: Counter[str] = field(default_factory=Counter)
    trades: int = 0
    instruments: int = 0

    def to_dict(self) -> dict[str, object]:
        return {
            "messages": self.messages,
            "seconds": round(self.seconds, 3),
            "messages_per_s": round(self.messages / self.seconds) if self.seconds else 0,
            "messages_by_type": dict(sorted(self.by_type.items())),
            "outcomes": dict(sorted(self.outcomes.items())),
            "instruments": self.instruments,
            "trades": self.trades,
        }


class ItchReplay:
    """Feeds ITCH messages to a shared replay venue, one :class:`FeedReplay` per stock."""

    def __init__(self, host: ReplayVenue | None = None) -> None:
        self.host = host or ReplayVenue()
        self.books: dict[int, FeedReplay] = {}
        self.orders: dict[int, OpenOrder] = {}
        self.report = ItchReplayReport()

    def _book(self, locate: int, stock: str) -> FeedReplay:
        book = self.books.get(locate)
        if book is None:
            # ITCH prices are in the core's units; disguised or sub-penny prices need tick 1.
            instrument = Instrument(stock, tick_size=1)
            book = self.books[locate] = FeedReplay(instrument, self.host, clear_ahead=True)
        return book

    def run(self, messages: Iterable[ItchMessage]) -> ItchReplayReport:
        report = self.report
        start = time.perf_counter()
        for message in messages:
            report.messages += 1
            report.by_type[message.msg_type] += 1
            self._apply(message)
        report.seconds = time.perf_counter() - start
        report.instruments = len(self.books)
        report.trades = self.host.venue.matcher.next_trade_id - 1
        return report

    def _apply(self, m: ItchMessage) -> None:
        outcomes = self.report.outcomes
        if isinstance(m, StockDirectory):
            self._book(m.stock_locate, m.stock)
        elif isinstance(m, AddOrder | AddOrderAttributed):
            side = Side.BUY if m.side == "B" else Side.SELL
            self._book(m.stock_locate, m.stock).add(
                m.order_ref, side, m.price, m.shares, m.timestamp
            )
            self.orders[m.order_ref] = OpenOrder(m.stock_locate, side, m.price, m.shares)
        elif isinstance(m, NonCrossTrade):
            side = Side.BUY if m.side == "B" else Side.SELL
            self._book(m.stock_locate, m.stock).hidden(side, m.price, m.shares, m.timestamp)
        elif isinstance(
            m, OrderExecuted | OrderExecutedWithPrice | OrderCancel | OrderDelete | OrderReplace
        ):
            ref = m.original_order_ref if isinstance(m, OrderReplace) else m.order_ref
            order = self.orders.get(ref)
            if order is None:
                outcomes[f"{m.msg_type}: unknown_order_reference"] += 1
                return
            outcomes[f"{m.msg_type}: {self._on_order(m, ref, order)}"] += 1
        else:
            outcomes["no_book_effect"] += 1

    def _on_order(
        self,
        m: OrderExecuted | OrderExecutedWithPrice | OrderCancel | OrderDelete | OrderReplace,
        ref: int,
        order: OpenOrder,
    ) -> str:
        """Apply an event on a known order; return how it went."""
        book = self.books[order.locate]
        ts = m.timestamp
        if isinstance(m, OrderExecuted):
            ok = book.execute(ref, order.side, order.price, m.executed_shares, ts)
            taken = m.executed_shares
        elif isinstance(m, OrderExecutedWithPrice):
            if m.execution_price == order.price:
                ok = book.execute(ref, order.side, order.price, m.executed_shares, ts)
            else:
                ok = book.reduce(ref, order.side, order.price, m.executed_shares, ts)
                book.hidden(order.side, m.execution_price, m.executed_shares, ts)
            taken = m.executed_shares
        elif isinstance(m, OrderCancel):
            ok = book.reduce(ref, order.side, order.price, m.cancelled_shares, ts)
            taken = m.cancelled_shares
        else:  # a deletion, or the deleting half of a replace
            ok = book.reduce(ref, order.side, order.price, order.shares, ts)
            taken = order.shares
        order.shares -= taken
        if order.shares <= 0:
            del self.orders[ref]
        if isinstance(m, OrderReplace):
            book.add(m.new_order_ref, order.side, m.price, m.shares, ts)
            self.orders[m.new_order_ref] = OpenOrder(order.locate, order.side, m.price, m.shares)
        return "applied" if ok else "not_applicable"
