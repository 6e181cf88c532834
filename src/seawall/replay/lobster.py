"""LOBSTER message and order-book files, replayed through Seawall and verified row by row.

LOBSTER (derived from Nasdaq TotalView-ITCH) gives, for one symbol and one
day, a message file (time, type, order id, size, price, direction) and an
order-book file whose row ``i`` is the visible book after message ``i``
(ask price, ask size, bid price, bid size for each of ``L`` levels). The
order-book file is an exact oracle, so after every event the replay compares
Seawall's top ``L`` levels with it.

How the replay treats what LOBSTER cannot show (see also the driver):

- The book is seeded from the first order-book row (which already includes
  the first message) as unseen liquidity, one synthetic order per level.
- Only events that touch the first ``L`` levels are recorded. What rests
  at a level that left the view, the unseen liquidity, and the orders the
  open releases with their earlier priority form the level's **pool**,
  which answers for events on orders the file never added (the driver's
  :class:`~seawall.replay.driver.FeedReplay`). When an event removes
  liquidity, a level deeper than the event's price can come into view that
  the replay never saw, or saw before it went out of view and then changed
  unrecorded. Such a **revealed** level is reconciled to the row (unseen
  liquidity added, or the level reduced) and counted, never hidden: it is
  the data's limit, not the engine's.
- An execution the file's venue made past older orders at its price is
  counted and listed (``out_of_priority``); the replay moves those orders
  behind the executed one first, so that Seawall's own matching fills it.
- Every other difference is a **mismatch**, counted by class, and the book
  is then reconciled so that one mismatch does not cascade.
"""

from __future__ import annotations

import io
import time
import zipfile
from bisect import bisect_left, bisect_right
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from seawall.core.book import Book, BookSide
from seawall.core.types import Instrument, Side
from seawall.replay.driver import FeedReplay, ReplayVenue

EMPTY_ASK, EMPTY_BID = 9999999999, -9999999999
NEW, PARTIAL_CANCEL, DELETE, EXECUTE, HIDDEN_EXECUTE, CROSS, HALT = 1, 2, 3, 4, 5, 6, 7

Levels = list[tuple[int, int]]


class LobsterFormatError(ValueError):
    """A row that is not LOBSTER, named by file and line."""


@dataclass(frozen=True)
class LobsterFiles:
    """The message and order-book CSV texts of one sample, and what they describe."""

    symbol: str
    levels: int
    messages: list[str]
    book: list[str]


def open_sample(path: Path) -> LobsterFiles:
    """Read a LOBSTER sample: an official zip, or a ``*_message_L.csv`` beside its order book."""
    if path.suffix == ".zip":
        with zipfile.ZipFile(path) as archive:
            names = archive.namelist()
            message_name = next((n for n in names if "_message_" in n), "")
            book_name = next((n for n in names if "_orderbook_" in n), "")
            if not message_name or not book_name:
                raise LobsterFormatError(f"{path} holds no LOBSTER message and order-book pair")
            messages = io.TextIOWrapper(archive.open(message_name)).read().splitlines()
            book = io.TextIOWrapper(archive.open(book_name)).read().splitlines()
    else:
        message_name = path.name
        book_name = message_name.replace("_message_", "_orderbook_")
        messages = path.read_text().splitlines()
        book = (path.parent / book_name).read_text().splitlines()
    symbol = Path(message_name).name.split("_")[0]
    levels = int(Path(message_name).stem.rsplit("_", 1)[1])
    if len(messages) != len(book):
        raise LobsterFormatError(
            f"{message_name} has {len(messages)} rows but {book_name} has {len(book)}"
        )
    return LobsterFiles(symbol, levels, messages, book)


def parse_time(text: str) -> int:
    """Seconds after midnight with up to nine decimals → integer nanoseconds."""
    whole, _, fraction = text.partition(".")
    if len(fraction) == 9:  # most times: the digits are the nanoseconds
        return int(whole + fraction)
    return int(whole) * 1_000_000_000 + int((fraction + "000000000")[:9])


def parse_row(row: list[int], levels: int) -> tuple[Levels, Levels]:
    """An order-book row → (bids, asks), best first, empty levels dropped."""
    row = row[: 4 * levels]
    asks = [(p, q) for p, q in zip(row[0::4], row[1::4], strict=True) if q and p != EMPTY_ASK]
    bids = [(p, q) for p, q in zip(row[2::4], row[3::4], strict=True) if q and p != EMPTY_BID]
    return bids, asks


def flatten(bids: Levels, asks: Levels, levels: int) -> list[int]:
    """Levels in the order-book file's own row layout, empty levels as its sentinels."""
    row: list[int] = []
    for k in range(levels):
        row += asks[k] if k < len(asks) else (EMPTY_ASK, 0)
        row += bids[k] if k < len(bids) else (EMPTY_BID, 0)
    return row


class _ViewSide:
    """One side of a :class:`TopView`: the book side, and the keys of its levels in view."""

    __slots__ = ("book_side", "empty", "keys", "levels", "offset", "sign")

    def __init__(self, book_side: BookSide, offset: int, empty: str) -> None:
        self.book_side = book_side
        self.levels = book_side.levels
        self.sign = book_side.sign
        self.offset = offset  # of its first cell in the row
        self.empty = empty  # an empty level's cell
        self.keys: list[int] = []


class TopView:
    """Seawall's top ``levels`` levels written as an order-book row, kept up to date.

    The check at every event compares this text with the file's row as it
    stands, so a row is parsed only when the two differ. The replay tells the
    view of every level its commands change (:class:`~seawall.replay.driver.BookWatch`);
    the view reads that level back from the book and rewrites only its cell,
    shifting the others when a level came or went within view. Cell ``2k``
    holds ask level ``k``, cell ``2k + 1`` bid level ``k``, as the row does.
    """

    def __init__(
        self, book: Book, levels: int, left_view: Callable[[Side, int], None] | None = None
    ) -> None:
        self.levels = levels
        self.left_view = left_view  # told of each level that other levels pushed out of view
        self._sides = {
            Side.SELL: _ViewSide(book.asks, 0, f"{EMPTY_ASK},0"),
            Side.BUY: _ViewSide(book.bids, 1, f"{EMPTY_BID},0"),
        }
        self.cells = [""] * (2 * levels)
        self.side_changed(Side.SELL)
        self.side_changed(Side.BUY)

    def text(self) -> str:
        return ",".join(self.cells)

    def side_changed(self, side: Side) -> None:
        view = self._sides[side]
        before, keys = view.keys, view.book_side.keys[: self.levels]
        view.keys = keys
        levels = view.levels
        if self.left_view is not None:
            for key in before:
                if key in levels and key not in keys:
                    self.left_view(side, key * view.sign)
        cells = [f"{levels[key].price},{levels[key].qty}" for key in keys]
        self.cells[view.offset :: 2] = cells + [view.empty] * (self.levels - len(keys))

    def level_changed(self, side: Side, price: int) -> None:
        view = self._sides[side]
        key = price * view.sign
        keys = view.keys
        index = bisect_left(keys, key)
        level = view.levels.get(key)
        if index < len(keys) and keys[index] == key:
            if level is not None:
                self.cells[2 * index + view.offset] = f"{price},{level.qty}"
                return
            # the level is gone: the ones below move up, one may come into view
            cells = self.cells[view.offset :: 2]
            del keys[index], cells[index]
            below = view.book_side.keys[self.levels - 1 : self.levels]
            if below:
                keys += below
                level = view.levels[below[0]]
                cells.append(f"{level.price},{level.qty}")
            else:
                cells.append(view.empty)
        elif level is not None and index < self.levels:
            # a new level: the ones below move down, the last goes out of view
            cells = self.cells[view.offset :: 2]
            keys.insert(index, key)
            cells.insert(index, f"{price},{level.qty}")
            if len(keys) > self.levels:
                if self.left_view is not None:
                    self.left_view(side, keys[-1] * view.sign)
                del keys[-1]
            del cells[-1]
        else:
            return  # beyond the view, before and after
        self.cells[view.offset :: 2] = cells


@dataclass
class ReplayReport:
    """What a replay did and how well Seawall's book agreed with the oracle."""

    symbol: str
    levels: int
    events: int = 0
    compared: int = 0
    seconds: float = 0.0
    by_type: Counter[str] = field(default_factory=Counter)
    revealed: Counter[str] = field(default_factory=Counter)
    mismatches: Counter[str] = field(default_factory=Counter)
    examples: list[str] = field(default_factory=list)
    trades: int = 0
    # executions the feed's venue made past older orders at the same price: the message line
    # and the ids of the orders passed (0 for pooled liquidity); see FeedReplay.execute
    out_of_priority: list[tuple[int, list[int]]] = field(default_factory=list)

    @property
    def events_per_second(self) -> float:
        return self.events / self.seconds if self.seconds else 0.0

    def to_dict(self) -> dict[str, object]:
        return {
            "symbol": self.symbol,
            "levels": self.levels,
            "events": self.events,
            "rows_compared": self.compared,
            "seconds": round(self.seconds, 3),
            "events_per_s": round(self.events_per_second),
            "events_by_type": dict(sorted(self.by_type.items())),
            "trades": self.trades,
            "revealed_levels": dict(sorted(self.revealed.items())),
            "out_of_priority_executions": len(self.out_of_priority),
            "mismatches": dict(sorted(self.mismatches.items())),
            "mismatch_examples": self.examples,
        }


_DIRECTIONS = {"1": Side.BUY, "-1": Side.SELL}

_TYPE_NAMES = {
    NEW: "new",
    PARTIAL_CANCEL: "partial_cancel",
    DELETE: "delete",
    EXECUTE: "execute",
    HIDDEN_EXECUTE: "hidden_execute",
    CROSS: "cross",
    HALT: "halt",
}
_KINDS = {str(kind): kind for kind in _TYPE_NAMES}


def _kind(text: str) -> int:
    """An event type written other than as a bare digit ("01"), checked to be LOBSTER's."""
    kind = int(text)
    if kind not in _TYPE_NAMES:
        raise ValueError(f"event type {kind} is not one of LOBSTER's 1 to 7")
    return kind


class LobsterReplay:
    """Replays one sample through a :class:`FeedReplay` and checks every row."""

    def __init__(
        self, files: LobsterFiles, tick_size: int = 1, host: ReplayVenue | None = None
    ) -> None:
        # LOBSTER prices are in the core's own units; hidden executions print at midpoints
        # (half a cent), so the replayed instrument takes the feed's full resolution.
        self.files = files
        self.feed = FeedReplay(Instrument(files.symbol, tick_size=tick_size), host or ReplayVenue())
        self.report = ReplayReport(files.symbol, files.levels)

    def run(self) -> ReplayReport:
        files, feed, report = self.files, self.feed, self.report
        levels = files.levels
        start = time.perf_counter()
        view = feed.watch = TopView(feed.book, levels, feed.hide)
        bids, asks = parse_row(self._book_row(0), levels)
        for price, qty in bids:
            feed.seed(Side.BUY, price, qty)
        for price, qty in asks:
            feed.seed(Side.SELL, price, qty)
        messages, rows = files.messages, files.book
        add, reduce, execute, hidden, text = (
            feed.add, feed.reduce, feed.execute, feed.hidden, view.text
        )  # fmt: skip
        by_kind = [0] * (HALT + 1)
        newest = 0  # the highest order id added so far
        added_at = first_added = 0  # the time of the last add, and the line of the first then
        for line_no in range(1, len(messages)):
            try:
                stamp, kind_text, id_text, size_text, price_text, direction = messages[
                    line_no
                ].split(",")
                kind = _KINDS.get(kind_text) or _kind(kind_text)
                side = _DIRECTIONS[direction]
                feed_id, size, price = int(id_text), int(size_text), int(price_text)
                ts = parse_time(stamp)
            except (ValueError, KeyError) as exc:
                raise LobsterFormatError(f"message line {line_no + 1}: {exc!r}") from exc
            by_kind[kind] += 1
            if kind == NEW:
                add(feed_id, side, price, size, ts)
                if ts != added_at:
                    added_at, first_added = ts, line_no
                if feed_id < newest:
                    # Order ids rise with the time an order took its place in the queue.
                    # Adds out of that order, all at one time, are orders released with
                    # the priority they already had (pre-open orders, at the open): their
                    # place is among the unseen liquidity, not at the back of the queue.
                    feed.pool_orders(self._added(first_added, line_no))
                else:
                    newest = feed_id
            elif kind in (DELETE, PARTIAL_CANCEL):
                if not reduce(feed_id, side, price, size, ts):
                    self._mismatch("event_not_applicable", line_no)
            elif kind == EXECUTE:
                feed.position = line_no + 1
                if not execute(feed_id, side, price, size, ts):
                    self._mismatch("event_not_applicable", line_no)
            elif kind == HIDDEN_EXECUTE:
                hidden(side, price, size, ts)
            # crosses and halts do not change the visible book
            if text() != rows[line_no]:  # the common case needs no parsing
                self._compare(kind, side, price, line_no)
        report.events = report.compared = len(messages) - 1
        report.by_type.update({_TYPE_NAMES[k]: n for k, n in enumerate(by_kind) if n})
        report.seconds = time.perf_counter() - start
        report.trades = feed.venue.matcher.next_trade_id - 1
        report.out_of_priority = feed.out_of_priority
        return report

    def _added(self, first: int, last: int) -> list[int]:
        """The ids of the orders added from message line ``first`` to ``last`` (0-based)."""
        rows = (message.split(",") for message in self.files.messages[first : last + 1])
        return [int(row[2]) for row in rows if int(row[1]) == NEW]

    def _book_row(self, line_no: int) -> list[int]:
        """Order-book line ``line_no`` (0-based) as integers, or a LobsterFormatError."""
        width = 4 * self.files.levels
        try:
            row = list(map(int, self.files.book[line_no].split(",")))
        except ValueError as exc:
            raise LobsterFormatError(f"order-book line {line_no + 1}: {exc}") from exc
        if len(row) != width:
            raise LobsterFormatError(
                f"order-book line {line_no + 1} has {len(row)} fields, not {width}"
            )
        return row

    def _compare(self, kind: int, side: Side, price: int, line_no: int) -> None:
        """The row's text differs from the view's: compare the numbers, classify, reconcile."""
        levels = self.files.levels
        row = self._book_row(line_no)
        ours, oracle = self.feed.depth(levels), parse_row(row, levels)
        if ours == oracle and flatten(*oracle, levels) == row:
            return  # the same levels, written differently
        removed = kind in (PARTIAL_CANCEL, DELETE, EXECUTE)
        if removed and self._only_deeper_differs(ours, oracle, side, price):
            self.report.revealed["deeper_level_came_into_view"] += 1
        else:
            self._mismatch("book_differs", line_no)
        self._reconcile(ours, oracle)

    def _only_deeper_differs(
        self,
        ours: tuple[Levels, Levels],
        oracle: tuple[Levels, Levels],
        side: Side,
        price: int,
    ) -> bool:
        """True if the books differ only beyond the event's price, on the event's side."""
        index = 0 if side is Side.BUY else 1
        if ours[1 - index] != oracle[1 - index]:
            return False
        sign = -1 if side is Side.BUY else 1  # keys: better prices are smaller
        mine = {p: q for p, q in ours[index] if p * sign <= price * sign}
        theirs = {p: q for p, q in oracle[index] if p * sign <= price * sign}
        return mine == theirs

    def _reconcile(self, ours: tuple[Levels, Levels], oracle: tuple[Levels, Levels]) -> None:
        """Bring every level in the oracle's visible range to the oracle's quantity.

        A side whose top levels already equal the oracle's is right throughout that range.
        """
        for index, side in ((0, Side.BUY), (1, Side.SELL)):
            if ours[index] == oracle[index]:
                continue
            theirs = dict(oracle[index])
            book_side = self.feed.book.side_of(side)
            sign, keys, levels = book_side.sign, book_side.keys, book_side.levels
            if len(oracle[index]) == self.files.levels:  # only what the oracle could show
                keys = keys[: bisect_right(keys, oracle[index][-1][0] * sign)]
            held = {key * sign: levels[key].qty for key in keys}
            for price in held.keys() | theirs.keys():
                delta = theirs.get(price, 0) - held.get(price, 0)
                if delta:  # changed without a record: what rests there is pooled from now
                    self.feed.hide(side, price)
                if delta > 0:
                    self.feed.seed(side, price, delta)
                elif delta < 0:
                    self.feed.shrink_level(side, price, -delta)

    def _mismatch(self, kind: str, line_no: int) -> None:
        self.report.mismatches[kind] += 1
        if len(self.report.examples) < 10:
            self.report.examples.append(
                f"{kind} after message {line_no + 1}: {self.files.messages[line_no]}"
            )


def replay_sample(path: Path, host: ReplayVenue | None = None) -> ReplayReport:
    """Replay a LOBSTER sample (zip or message CSV) and verify every row."""
    return LobsterReplay(open_sample(path), host=host).run()
