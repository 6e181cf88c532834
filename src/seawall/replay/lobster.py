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
- Only events that touch the first ``L`` levels are recorded. When an event
  removes liquidity, a level deeper than the event's price can come into
  view that the replay never saw, or saw before it went out of view and
  then changed unrecorded. Such a **revealed** level is reconciled to the
  row (unseen liquidity added, or the newest orders reduced) and counted,
  never hidden: it is the data's limit, not the engine's.
- Every other difference is a **mismatch**, counted by class, and the book
  is then reconciled so that one mismatch does not cascade.
"""

from __future__ import annotations

import io
import time
import zipfile
from bisect import bisect_right
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

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
    return int(whole) * 1_000_000_000 + int((fraction + "000000000")[:9])


def parse_row(row: list[int], levels: int) -> tuple[Levels, Levels]:
    """An order-book row → (bids, asks), best first, empty levels dropped."""
    bids, asks = [], []
    for k in range(levels):
        ask_price, ask_size, bid_price, bid_size = row[4 * k : 4 * k + 4]
        if ask_size and ask_price != EMPTY_ASK:
            asks.append((ask_price, ask_size))
        if bid_size and bid_price != EMPTY_BID:
            bids.append((bid_price, bid_size))
    return bids, asks


def flatten(bids: Levels, asks: Levels, levels: int) -> list[int]:
    """Levels in the order-book file's own row layout, empty levels as its sentinels."""
    row: list[int] = []
    for k in range(levels):
        row += asks[k] if k < len(asks) else (EMPTY_ASK, 0)
        row += bids[k] if k < len(bids) else (EMPTY_BID, 0)
    return row


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
        first_row = self._book_row(0)
        bids, asks = parse_row(first_row, levels)
        for price, qty in bids:
            feed.seed(Side.BUY, price, qty)
        for price, qty in asks:
            feed.seed(Side.SELL, price, qty)
        for line_no in range(1, len(files.messages)):
            fields = files.messages[line_no].split(",")
            try:
                kind = int(fields[1])
                if kind not in _TYPE_NAMES:
                    raise ValueError(f"event type {kind} is not one of LOBSTER's 1 to 7")
                feed_id, size, price = int(fields[2]), int(fields[3]), int(fields[4])
                side = _DIRECTIONS[fields[5]]
                ts = parse_time(fields[0])
            except (IndexError, ValueError, KeyError) as exc:
                raise LobsterFormatError(f"message line {line_no + 1}: {exc!r}") from exc
            report.events += 1
            report.by_type[_TYPE_NAMES[kind]] += 1
            faithful = self._apply(kind, feed_id, side, price, size, ts)
            if not faithful:
                self._mismatch("event_not_applicable", line_no, fields)
            row = self._book_row(line_no)
            report.compared += 1
            if flatten(*feed.depth(levels), levels) != row:  # the common case needs no parsing
                self._differs(parse_row(row, levels), kind, side, price, line_no, fields)
        report.seconds = time.perf_counter() - start
        report.trades = feed.venue.matcher.next_trade_id - 1
        return report

    def _book_row(self, line_no: int) -> list[int]:
        """Order-book line ``line_no`` (0-based) as integers, or a LobsterFormatError."""
        width = 4 * self.files.levels
        try:
            row = [int(x) for x in self.files.book[line_no].split(",")]
        except ValueError as exc:
            raise LobsterFormatError(f"order-book line {line_no + 1}: {exc}") from exc
        if len(row) != width:
            raise LobsterFormatError(
                f"order-book line {line_no + 1} has {len(row)} fields, not {width}"
            )
        return row

    def _apply(self, kind: int, feed_id: int, side: Side, price: int, size: int, ts: int) -> bool:
        feed = self.feed
        if kind == NEW:
            feed.add(feed_id, side, price, size, ts)
            return True
        if kind in (PARTIAL_CANCEL, DELETE):
            return feed.reduce(feed_id, side, price, size, ts)
        if kind == EXECUTE:
            return feed.execute(feed_id, side, price, size, ts)
        if kind == HIDDEN_EXECUTE:
            feed.hidden(side, price, size, ts)
            return True
        return True  # crosses and halts do not change the visible book

    def _differs(
        self,
        oracle: tuple[Levels, Levels],
        kind: int,
        side: Side,
        price: int,
        line_no: int,
        fields: list[str],
    ) -> None:
        """Classify a row where Seawall's book and the oracle differ, then reconcile."""
        report = self.report
        ours = self.feed.depth(self.files.levels)
        removed = kind in (PARTIAL_CANCEL, DELETE, EXECUTE)
        if removed and self._only_deeper_differs(ours, oracle, side, price):
            report.revealed["deeper_level_came_into_view"] += 1
        else:
            self._mismatch("book_differs", line_no, fields)
        self._reconcile(oracle)

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

    def _reconcile(self, oracle: tuple[Levels, Levels]) -> None:
        """Bring every level in the oracle's visible range to the oracle's quantity."""
        book = self.feed.venue.books[self.files.symbol]
        for index, side in ((0, Side.BUY), (1, Side.SELL)):
            theirs = dict(oracle[index])
            book_side = book.side_of(side)
            sign, keys = book_side.sign, book_side.keys
            if len(oracle[index]) == self.files.levels:  # only what the oracle could show
                keys = keys[: bisect_right(keys, oracle[index][-1][0] * sign)]
            for price in {key * sign for key in keys} | theirs.keys():
                level = book_side.level_at(price)
                held = level.qty if level is not None else 0
                delta = theirs.get(price, 0) - held
                if delta > 0:
                    self.feed.seed(side, price, delta)
                elif delta < 0:
                    self.feed.shrink_level(side, price, -delta)

    def _mismatch(self, kind: str, line_no: int, fields: list[str]) -> None:
        self.report.mismatches[kind] += 1
        if len(self.report.examples) < 10:
            self.report.examples.append(f"{kind} after message {line_no + 1}: {','.join(fields)}")


def replay_sample(path: Path, host: ReplayVenue | None = None) -> ReplayReport:
    """Replay a LOBSTER sample (zip or message CSV) and verify every row."""
    return LobsterReplay(open_sample(path), host=host).run()
