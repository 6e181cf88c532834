"""A small, independent LOBSTER reference for building samples inside the tests.

A scenario is a set of orders resting from before the window and a list of
steps. :func:`build` plays them on a plain reference book (price → queue of
``[order id, size]``, nothing shared with :mod:`seawall`) and writes what
LOBSTER would publish: one message row per recorded event and, after each,
the order-book row of the top ``levels`` levels. The order-book rows are
therefore derived from the events, never typed by hand.

LOBSTER's recording rules, reproduced here:

- an event is recorded only if it touches the first ``levels`` levels: a new
  order that lands in them, a reduction of an order at a price that was in
  them just before (hidden executions, crosses and halts are always recorded);
- an ITCH replace is a deletion and a new order with a new id at the back of
  the queue, recorded as those two events (the real samples hold such pairs,
  at one time, even where price and size stay the same), so a scenario
  writes it as the two messages.

The reference refuses steps that could not happen on a price-time venue (an
unknown order, a deletion of less than is left, an execution of an order
that is not first in the best level), so a scenario cannot describe an
impossible market by mistake.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from seawall.core.commands import Command
from seawall.core.events import Event, Trade
from seawall.core.venue import Venue
from seawall.replay.driver import ReplayVenue
from seawall.replay.lobster import LobsterFiles

BUY, SELL = 1, -1
NEW, PARTIAL_CANCEL, DELETE, EXECUTE, HIDDEN_EXECUTE, CROSS, HALT = 1, 2, 3, 4, 5, 6, 7
NO_ASK_PRICE, NO_BID_PRICE = 9_999_999_999, -9_999_999_999  # LOBSTER's empty-level prices
OPEN_NS = 34_200 * 1_000_000_000  # 09:30:00 in nanoseconds after midnight


@dataclass(frozen=True)
class Resting:
    """An order resting from before the window: in the book, never in the messages."""

    direction: int
    price: int
    order_id: int
    size: int


@dataclass(frozen=True)
class Message:
    """One LOBSTER event, in the message file's own terms."""

    kind: int
    order_id: int
    size: int
    price: int
    direction: int


class ReferenceBook:
    """Both sides as price → queue of ``[order id, size]``, oldest first."""

    def __init__(self, resting: Iterable[Resting] = ()) -> None:
        self.sides: dict[int, dict[int, list[list[int]]]] = {BUY: {}, SELL: {}}
        for order in resting:
            self._queue(order.direction, order.price).append([order.order_id, order.size])

    def _queue(self, direction: int, price: int) -> list[list[int]]:
        return self.sides[direction].setdefault(price, [])

    def prices(self, direction: int) -> list[int]:
        """Prices with orders on one side, best first."""
        return sorted(self.sides[direction], reverse=direction == BUY)

    def in_view(self, direction: int, price: int, levels: int) -> bool:
        return price in self.prices(direction)[:levels]

    def _find(self, order_id: int) -> tuple[int, int, int]:
        for direction, side in self.sides.items():
            for price, queue in side.items():
                for position, (oid, _) in enumerate(queue):
                    if oid == order_id:
                        return direction, price, position
        raise ValueError(f"order {order_id} is not in the reference book")

    def _take(self, message: Message) -> None:
        direction, price, position = self._find(message.order_id)
        if (direction, price) != (message.direction, message.price):
            raise ValueError(f"{message} names an order resting at {direction}, {price}")
        queue = self.sides[direction][price]
        left = queue[position][1]
        if message.kind == EXECUTE and (position or price != self.prices(direction)[0]):
            raise ValueError(f"{message}: the order is not first at the best price")
        if message.size > left or (message.kind == DELETE and message.size != left):
            raise ValueError(f"{message}: the order has {left} left")
        if message.kind == PARTIAL_CANCEL and message.size == left:
            raise ValueError(f"{message}: a partial cancellation must leave something")
        queue[position][1] = left - message.size
        if not queue[position][1]:
            del queue[position]
        if not queue:
            del self.sides[direction][price]

    def apply(self, message: Message, levels: int) -> bool:
        """Apply one event; True if LOBSTER records it at ``levels`` levels."""
        if message.kind == NEW:
            self._queue(message.direction, message.price).append([message.order_id, message.size])
            return self.in_view(message.direction, message.price, levels)
        if message.kind in (PARTIAL_CANCEL, DELETE, EXECUTE):
            recorded = self.in_view(message.direction, message.price, levels)
            self._take(message)
            return recorded
        if message.kind in (HIDDEN_EXECUTE, CROSS, HALT):
            return True
        raise ValueError(f"unknown event type {message.kind}")

    def row(self, levels: int) -> list[int]:
        """The order-book row: ask price, ask size, bid price, bid size for each level."""
        asks = [(p, sum(q for _, q in self.sides[SELL][p])) for p in self.prices(SELL)]
        bids = [(p, sum(q for _, q in self.sides[BUY][p])) for p in self.prices(BUY)]
        row: list[int] = []
        for k in range(levels):
            row.extend(asks[k] if k < len(asks) else (NO_ASK_PRICE, 0))
            row.extend(bids[k] if k < len(bids) else (NO_BID_PRICE, 0))
        return row


def time_text(ns: int) -> str:
    """Nanoseconds after midnight as LOBSTER writes them: seconds with nine decimals."""
    return f"{ns // 1_000_000_000}.{ns % 1_000_000_000:09d}"


def message_line(message: Message, ns: int) -> str:
    m = message
    return f"{time_text(ns)},{m.kind},{m.order_id},{m.size},{m.price},{m.direction}"


def book_line(row: Sequence[int]) -> str:
    return ",".join(str(value) for value in row)


@dataclass
class Built:
    """A scenario as LOBSTER would publish it."""

    files: LobsterFiles
    recorded: list[Message]  # message line ``i + 1`` is ``recorded[i]``
    rows: list[list[int]]  # order-book line ``i + 1`` is ``rows[i]``
    unrecorded: list[Message]  # what happened that the files do not show


def build(symbol: str, levels: int, resting: Iterable[Resting], steps: Iterable[Message]) -> Built:
    """Play ``steps`` on a reference book and write the message and order-book files."""
    book = ReferenceBook(resting)
    recorded: list[Message] = []
    rows: list[list[int]] = []
    unrecorded: list[Message] = []
    messages: list[str] = []
    for step in steps:
        if not book.apply(step, levels):
            unrecorded.append(step)
            continue
        # a millisecond apart plus a nanosecond per line, so every decimal place is exercised
        ns = OPEN_NS + (len(recorded) + 1) * 1_000_001
        recorded.append(step)
        messages.append(message_line(step, ns))
        rows.append(book.row(levels))
    files = LobsterFiles(symbol, levels, messages, [book_line(row) for row in rows])
    return Built(files, recorded, rows, unrecorded)


def with_row(files: LobsterFiles, line: int, row: Sequence[int]) -> LobsterFiles:
    """The same sample with order-book line ``line`` (1-based) replaced."""
    book = list(files.book)
    book[line - 1] = book_line(row)
    return LobsterFiles(files.symbol, files.levels, list(files.messages), book)


def with_message(files: LobsterFiles, line: int, text: str) -> LobsterFiles:
    """The same sample with message line ``line`` (1-based) replaced."""
    messages = list(files.messages)
    messages[line - 1] = text
    return LobsterFiles(files.symbol, files.levels, messages, list(files.book))


@dataclass
class RecordingHost(ReplayVenue):
    """A replay venue that keeps every command it processed with the events it caused."""

    log: list[tuple[Command, list[Event]]] = field(default_factory=list)

    def submit(self, command: Command, ts: int | None = None) -> list[Event]:
        events = super().submit(command, ts)
        self.log.append((command, events))
        return events

    def trades(self) -> list[Trade]:
        return [event for _, events in self.log for event in events if type(event) is Trade]


def ledger_totals(venue: Venue) -> dict[str, int]:
    """Per asset, what all accounts hold: available plus reserved, cash and securities."""
    totals: Counter[str] = Counter()
    for account in venue.accounts.values():
        for balances in (account.cash, account.positions):
            for asset, balance in balances.items():
                totals[asset] += balance.available + balance.reserved
    return dict(totals)
