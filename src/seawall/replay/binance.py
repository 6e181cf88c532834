"""Read a Binance spot combined stream and rebuild its order book from snapshot plus diffs.

The input is one message per line: the local receive time in nanoseconds, a
space, and one raw JSON message. Four shapes are understood:

- ``<symbol>@depth`` / ``<symbol>@depth@100ms`` diffs (``depthUpdate``): the
  first and last order-book update ids ``U``/``u`` folded into the message,
  and for each changed level its new **absolute** quantity (0 removes it);
- ``<symbol>@bookTicker``: best bid and offer with the update id ``u`` that
  set them;
- ``<symbol>@trade``: one trade;
- a bare REST depth snapshot ``{"lastUpdateId", "bids", "asks"}``.

Units
-----
Prices become integers at Seawall's price scale (:data:`PRICE_SCALE`, 1/10,000
of the quote currency: ``"61837.63000000"`` → ``618376300``). Quantities become
integers at :data:`QTY_SCALE` = 10**8 units per base unit (1 unit = 0.00000001
BTC), the eight decimals the exchange writes. A coarser scale would not do: the
sample's quantities mostly have 5 significant decimals, but three far-from-touch
levels carry 6 (``"25.42618900"``, ``"244.56630400"``, ``"93.75658700"``).
Conversion is done on the decimal text, never through a float, and any value
not exact at its scale (or not a plain non-negative decimal) raises
:class:`InexactDecimalError`, a :class:`~seawall.core.units.UnitError`.

Synchronisation (:class:`DepthSync`)
------------------------------------
The exchange's documented procedure for a spot diff stream ("How to manage a
local order book correctly"): buffer the diffs; take a snapshot; drop every
diff with ``u <= lastUpdateId``; the first diff applied must satisfy
``U <= lastUpdateId + 1 <= u``; afterwards every diff's ``U`` must be the
previous diff's ``u + 1``. (The spot stream has no ``pu`` field; continuity is
arithmetic.) A diff that breaks either rule is a :class:`Gap`: it is recorded
with the id expected, the id received and the receive time, and the book is
unsynchronised until a new snapshot arrives. Diffs received meanwhile are
buffered so that a later snapshot can resume from them; if no snapshot comes,
the report says the book ended unsynchronised. A snapshot that arrives while
the book is synchronised is not needed and is counted as ignored.

Checking the book against the bookTicker stream
-----------------------------------------------
Both streams number updates with the same order-book update id. A bookTicker
with id ``X`` states the top of book from update ``X`` until the next
bookTicker's id ``X'`` (exclusive): the exchange sends one whenever the best
bid or offer changes, so no top-of-book change happens at an id in
``(X, X')``. The depth stream lets us observe the book only at its *states*:
the snapshot's ``lastUpdateId`` and each applied diff's ``u``. Hence the rule
checked here, the strictest the data supports:

    every depth state with id ``s`` must equal, price and quantity on both
    sides, the bookTicker with the greatest id ``X <= s``.

Each bookTicker gets exactly one outcome:

- ``agree``: one or more depth states fall in ``[X, X')`` and all equal it;
- ``disagree``: one of them differs (kept in :attr:`TopComparison.mismatches`);
- ``superseded``: no depth state falls in ``[X, X')`` although the book was
  synchronised throughout: the diffs are 100 ms batches, so a quote that lived
  between two batches is never visible in the depth stream and cannot be
  checked;
- ``ahead``: its id is beyond the last depth state of the stream (the file
  ends before the depth stream catches up);
- ``unchecked``: its interval lies (partly) where the book was not
  synchronised: before the first snapshot or inside a gap.

Comparing at the moment a bookTicker is *received* proves nothing here: the
bookTicker stream is per-update and faster, and in the sample every bookTicker
arrives ahead of the depth stream (its id exceeds the last applied diff's
``u``), so the naive rule "ids at or below the last applied diff must agree"
would check nothing. A bookTicker is therefore held until the depth stream has
passed the end of its interval, then classified. While the book is
synchronised the queue holds only the bookTickers the depth stream has not yet
caught up with: in the sample at most 168, received within 0.65 s.
:attr:`TopComparison.arrived_ahead` counts the bookTickers that arrived ahead.

On the sample (``binance_spot_btcusdt_20240808.gz``, 41,249 messages) the book
synchronises from its snapshot (``lastUpdateId`` 50093239218; two buffered
diffs dropped as stale, the third brackets it) and applies the remaining 3,449
diffs with no gap. All 3,450 depth states (the snapshot and each diff) equal
the bookTicker in force at their id, so there are no disagreements to explain.
Of the 28,040 bookTickers, 2,895 agree, 25,136 are superseded, 9 are ahead and
none is unchecked; every one of them arrived ahead of the depth stream.
``tests/replay/test_binance.py`` derives these figures with a separate pass.
"""

from __future__ import annotations

import gzip
import time
from collections import Counter, deque
from collections.abc import Iterable, Iterator
from enum import StrEnum
from pathlib import Path

import msgspec

from seawall.core.types import PRICE_SCALE
from seawall.core.units import UnitError

PRICE_PLACES = 4
"""Decimal places of :data:`PRICE_SCALE`: prices are exact to 0.0001 of the quote currency."""

QTY_PLACES = 8
QTY_SCALE = 10**QTY_PLACES
"""Integer quantity units per base unit: 1 unit = 0.00000001 BTC."""

assert 10**PRICE_PLACES == PRICE_SCALE

Level = tuple[int, int]
"""A price level: (price at :data:`PRICE_SCALE`, quantity at :data:`QTY_SCALE`)."""

Top = tuple[Level | None, Level | None]
"""Best bid and best ask (``None`` for an empty side)."""


class InexactDecimalError(UnitError):
    """A decimal that is malformed or not exact at the price or quantity scale."""


class FeedFormatError(ValueError):
    """A line that is not one of the message shapes this reader knows."""


# ---------------------------------------------------------------- decimals


def scaled(text: str, places: int) -> int:
    """``scaled("61837.63000000", 4)`` → ``618376300``, exactly, or :class:`InexactDecimalError`."""
    whole, dot, frac = text.partition(".")
    if not (
        whole.isascii() and whole.isdigit() and (not dot or (frac.isascii() and frac.isdigit()))
    ):
        raise InexactDecimalError(
            "malformed_number", f"{text!r} is not a plain non-negative decimal"
        )
    if len(frac) > places:
        if frac[places:].strip("0"):
            raise InexactDecimalError("inexact", f"{text} has more than {places} decimal places")
        frac = frac[:places]
    return int(whole + frac.ljust(places, "0"))


def price_units(text: str) -> int:
    return scaled(text, PRICE_PLACES)


def qty_units(text: str) -> int:
    return scaled(text, QTY_PLACES)


# ---------------------------------------------------------------- messages


class DepthDiff(msgspec.Struct, frozen=True, gc=False):
    """A diff: levels hold new absolute quantities; a quantity of 0 removes the level."""

    recv_ns: int
    event_ms: int
    symbol: str
    first_id: int
    last_id: int
    bids: tuple[Level, ...]
    asks: tuple[Level, ...]


class DepthSnapshot(msgspec.Struct, frozen=True, gc=False):
    """The REST snapshot: the whole book as of update ``last_update_id``."""

    recv_ns: int
    last_update_id: int
    bids: tuple[Level, ...]
    asks: tuple[Level, ...]


class BookTicker(msgspec.Struct, frozen=True, gc=False):
    """Best bid and offer as set by update ``update_id``."""

    recv_ns: int
    symbol: str
    update_id: int
    bid_price: int
    bid_qty: int
    ask_price: int
    ask_qty: int

    @property
    def top(self) -> Top:
        return (self.bid_price, self.bid_qty), (self.ask_price, self.ask_qty)


class TradePrint(msgspec.Struct, frozen=True, gc=False):
    recv_ns: int
    event_ms: int
    symbol: str
    trade_id: int
    price: int
    qty: int
    trade_ms: int
    buyer_is_maker: bool


Message = DepthDiff | DepthSnapshot | BookTicker | TradePrint


# The wire shapes: only the fields used are decoded; msgspec skips the rest.

_WireLevel = tuple[str, str]


class _Envelope(msgspec.Struct):
    """A combined-stream message (``stream`` + ``data``) or a bare REST snapshot."""

    stream: str = ""
    data: msgspec.Raw = msgspec.Raw()
    last_update_id: int = msgspec.field(default=-1, name="lastUpdateId")
    bids: list[_WireLevel] = []
    asks: list[_WireLevel] = []


class _WireDiff(msgspec.Struct):
    event_ms: int = msgspec.field(name="E")
    symbol: str = msgspec.field(name="s")
    first_id: int = msgspec.field(name="U")
    last_id: int = msgspec.field(name="u")
    bids: list[_WireLevel] = msgspec.field(name="b")
    asks: list[_WireLevel] = msgspec.field(name="a")


class _WireTicker(msgspec.Struct):
    update_id: int = msgspec.field(name="u")
    symbol: str = msgspec.field(name="s")
    bid_price: str = msgspec.field(name="b")
    bid_qty: str = msgspec.field(name="B")
    ask_price: str = msgspec.field(name="a")
    ask_qty: str = msgspec.field(name="A")


class _WireTrade(msgspec.Struct):
    event_ms: int = msgspec.field(name="E")
    symbol: str = msgspec.field(name="s")
    trade_id: int = msgspec.field(name="t")
    price: str = msgspec.field(name="p")
    qty: str = msgspec.field(name="q")
    trade_ms: int = msgspec.field(name="T")
    buyer_is_maker: bool = msgspec.field(name="m")


# ---------------------------------------------------------------- reading

_GZIP_MAGIC = b"\x1f\x8b"
_CACHE_LIMIT = 1 << 16


class _Decoder:
    """Turns one JSON payload into a :data:`Message`, caching the decimal conversions."""

    def __init__(self) -> None:
        self._envelope = msgspec.json.Decoder(_Envelope)
        self._diff = msgspec.json.Decoder(_WireDiff)
        self._ticker = msgspec.json.Decoder(_WireTicker)
        self._trade = msgspec.json.Decoder(_WireTrade)
        self._prices: dict[str, int] = {}
        self._qtys: dict[str, int] = {}

    def price(self, text: str) -> int:
        units = self._prices.get(text)
        if units is None:
            if len(self._prices) >= _CACHE_LIMIT:
                self._prices.clear()
            units = self._prices[text] = price_units(text)
        return units

    def qty(self, text: str) -> int:
        units = self._qtys.get(text)
        if units is None:
            if len(self._qtys) >= _CACHE_LIMIT:
                self._qtys.clear()
            units = self._qtys[text] = qty_units(text)
        return units

    def levels(self, wire: list[_WireLevel]) -> tuple[Level, ...]:
        prices, qtys = self._prices, self._qtys
        out: list[Level] = []
        for p, q in wire:
            price = prices.get(p)
            if price is None:
                price = self.price(p)
            qty = qtys.get(q)
            if qty is None:
                qty = self.qty(q)
            out.append((price, qty))
        return tuple(out)

    def decode(self, recv_ns: int, payload: bytes) -> Message:
        envelope = self._envelope.decode(payload)
        stream = envelope.stream
        if not stream:
            if envelope.last_update_id < 0:
                raise FeedFormatError("neither a combined-stream message nor a depth snapshot")
            return DepthSnapshot(
                recv_ns,
                envelope.last_update_id,
                self.levels(envelope.bids),
                self.levels(envelope.asks),
            )
        kind = stream.partition("@")[2]
        if kind == "bookTicker":
            t = self._ticker.decode(envelope.data)
            return BookTicker(
                recv_ns,
                t.symbol,
                t.update_id,
                self.price(t.bid_price),
                self.qty(t.bid_qty),
                self.price(t.ask_price),
                self.qty(t.ask_qty),
            )
        if kind in ("depth", "depth@100ms"):
            d = self._diff.decode(envelope.data)
            if d.first_id > d.last_id:
                raise FeedFormatError(f"depth update with U {d.first_id} > u {d.last_id}")
            return DepthDiff(
                recv_ns,
                d.event_ms,
                d.symbol,
                d.first_id,
                d.last_id,
                self.levels(d.bids),
                self.levels(d.asks),
            )
        if kind == "trade":
            r = self._trade.decode(envelope.data)
            return TradePrint(
                recv_ns,
                r.event_ms,
                r.symbol,
                r.trade_id,
                self.price(r.price),
                self.qty(r.qty),
                r.trade_ms,
                r.buyer_is_maker,
            )
        raise FeedFormatError(f"unsupported stream {stream!r}")


def _lines(path: Path) -> Iterator[bytes]:
    with path.open("rb") as probe:
        magic = probe.read(2)
    if magic == _GZIP_MAGIC:
        with gzip.open(path, "rb") as unzipped:
            yield from unzipped
    else:
        with path.open("rb") as plain:
            yield from plain


def read(path: str | Path) -> Iterator[Message]:
    """The messages of a recorded stream (gzip or plain text), in receive order.

    Raises :class:`FeedFormatError` for a line of an unknown shape and
    :class:`InexactDecimalError` for a price or quantity not exact at its scale, both
    naming the line.
    """
    path = Path(path)
    decoder = _Decoder()
    for number, raw in enumerate(_lines(path), 1):
        line = raw.rstrip(b"\r\n")
        if not line:
            continue
        stamp, _, payload = line.partition(b" ")
        if not (stamp.isdigit() and payload):
            raise FeedFormatError(f"{path}:{number}: expected '<receive ns> <json>'")
        try:
            message = decoder.decode(int(stamp), payload)
        except msgspec.DecodeError as exc:
            raise FeedFormatError(f"{path}:{number}: {exc}") from exc
        except FeedFormatError as exc:
            raise FeedFormatError(f"{path}:{number}: {exc}") from exc
        except InexactDecimalError as exc:
            raise InexactDecimalError(exc.code, f"{path}:{number}: {exc}") from exc
        yield message


# ---------------------------------------------------------------- the book


class DepthBook:
    """Aggregated levels: price → quantity per side, with the best price cached.

    The best price is kept up to date on insertions and recomputed (one pass
    over the side) only after the best level itself is removed.
    """

    __slots__ = ("_ask", "_ask_known", "_bid", "_bid_known", "asks", "bids")

    def __init__(self) -> None:
        self.bids: dict[int, int] = {}
        self.asks: dict[int, int] = {}
        self._bid: int | None = None
        self._ask: int | None = None
        self._bid_known = True
        self._ask_known = True

    def load(self, bids: Iterable[Level], asks: Iterable[Level]) -> None:
        """Replace the whole book (a snapshot); zero quantities are left out."""
        self.bids = {price: qty for price, qty in bids if qty}
        self.asks = {price: qty for price, qty in asks if qty}
        self._bid_known = self._ask_known = False

    def apply(self, bids: Iterable[Level], asks: Iterable[Level]) -> None:
        """Set each level to its new absolute quantity; 0 removes it (absent or not)."""
        side = self.bids
        for price, qty in bids:
            if qty:
                side[price] = qty
                if self._bid_known and (self._bid is None or price > self._bid):
                    self._bid = price
            elif side.pop(price, None) is not None and price == self._bid:
                self._bid_known = False
        side = self.asks
        for price, qty in asks:
            if qty:
                side[price] = qty
                if self._ask_known and (self._ask is None or price < self._ask):
                    self._ask = price
            elif side.pop(price, None) is not None and price == self._ask:
                self._ask_known = False

    def best_bid(self) -> Level | None:
        if not self._bid_known:
            self._bid = max(self.bids) if self.bids else None
            self._bid_known = True
        return None if self._bid is None else (self._bid, self.bids[self._bid])

    def best_ask(self) -> Level | None:
        if not self._ask_known:
            self._ask = min(self.asks) if self.asks else None
            self._ask_known = True
        return None if self._ask is None else (self._ask, self.asks[self._ask])

    def top(self) -> Top:
        return self.best_bid(), self.best_ask()


# ---------------------------------------------------------------- synchronisation


class SyncState(StrEnum):
    WAITING = "waiting_for_snapshot"
    """No snapshot yet: diffs are buffered."""
    SNAPSHOT = "snapshot_loaded"
    """The book is the snapshot; the diff bridging ``lastUpdateId + 1`` has not come yet."""
    LIVE = "live"
    """Synchronised: diffs apply in unbroken sequence."""
    LOST = "lost"
    """A gap was seen: unsynchronised until a new snapshot; diffs are buffered."""


class GapKind(StrEnum):
    SEQUENCE = "sequence"
    """A diff's ``U`` is not the previous diff's ``u + 1``."""
    FIRST_DIFF = "first_diff"
    """The first diff after the snapshot starts beyond ``lastUpdateId + 1``."""


class Gap(msgspec.Struct, frozen=True):
    """Updates between ``expected_id`` and ``received_first_id - 1`` were never seen."""

    kind: GapKind
    recv_ns: int
    expected_id: int
    received_first_id: int
    received_last_id: int


class TopMismatch(msgspec.Struct, frozen=True):
    """A depth state whose top of book differs from the bookTicker in force at its id."""

    ticker_id: int
    state_id: int
    recv_ns: int
    ticker: Top
    book: Top


class TopComparison(msgspec.Struct, frozen=True):
    """The depth-state-versus-bookTicker check; see the module docstring for the rule."""

    tickers: int
    agree: int
    disagree: int
    superseded: int
    ahead: int
    unchecked: int
    out_of_order: int
    """BookTickers whose id did not exceed the previous one's (ignored)."""
    arrived_ahead: int
    """BookTickers received before the depth stream had reached their id."""
    states_checked: int
    states_agreed: int
    states_without_ticker: int
    """Depth states no bookTicker covers (earlier than the first one, or an older snapshot)."""
    crossed_states: int
    """Depth states whose best bid was at or above the best ask."""
    mean_lag_ns: int
    """For agreeing bookTickers: receive time of the first matching depth state minus theirs."""
    max_lag_ns: int
    mismatches: tuple[TopMismatch, ...]


class _State(msgspec.Struct, gc=False):
    update_id: int
    top: Top
    recv_ns: int


class TopCheck:
    """Pairs depth states with the bookTicker in force at their ids, as both streams advance."""

    def __init__(self, keep_mismatches: int = 20) -> None:
        self._tickers: deque[BookTicker] = deque()
        self._states: deque[_State] = deque()
        self._runs: list[list[int]] = []  # [first, last] state ids of each synchronised run
        self._live = False
        self._last_state: int | None = None
        self._last_ticker: int | None = None
        self._keep = keep_mismatches
        self._mismatches: list[TopMismatch] = []
        self.counts: Counter[str] = Counter()
        self._lag_total = 0
        self._lag_max = 0

    # the depth side

    def state(self, update_id: int, top: Top, recv_ns: int, *, snapshot: bool = False) -> None:
        """The book as of ``update_id`` (after a snapshot or an applied diff)."""
        if self._last_state is not None and update_id <= self._last_state:
            self.counts["states_without_ticker"] += 1  # an older snapshot: nothing to pair
            return
        if snapshot or not self._live:
            self._runs.append([update_id, update_id])
            self._live = True
        else:
            self._runs[-1][1] = update_id
        self._last_state = update_id
        bid, ask = top
        if bid is not None and ask is not None and bid[0] >= ask[0]:
            self.counts["crossed_states"] += 1
        self._states.append(_State(update_id, top, recv_ns))
        self._resolve(final=False)

    def lost(self) -> None:
        """The depth stream has a gap: no state until the next snapshot."""
        self._live = False

    # the bookTicker side

    def ticker(self, ticker: BookTicker) -> None:
        self.counts["tickers"] += 1
        if self._last_ticker is not None and ticker.update_id <= self._last_ticker:
            self.counts["out_of_order"] += 1
            return
        self._last_ticker = ticker.update_id
        if not self._live or self._last_state is None or ticker.update_id > self._last_state:
            self.counts["arrived_ahead"] += 1
        self._tickers.append(ticker)
        self._resolve(final=False)

    # pairing

    def _covered(self, first: int, last: int | None) -> bool:
        """Were ids ``first..last`` all inside one synchronised run?"""
        if last is None:
            return False
        return any(start <= first and last <= end for start, end in reversed(self._runs))

    def _resolve(self, *, final: bool) -> None:
        tickers, states, counts = self._tickers, self._states, self.counts
        while tickers:
            head = tickers[0]
            first = head.update_id
            while states and states[0].update_id < first:
                states.popleft()
                counts["states_without_ticker"] += 1
            end: int | None = None  # the next ticker's id: the head is in force until end - 1
            if len(tickers) > 1:
                end = tickers[1].update_id
            if not final and (
                end is None or self._last_state is None or end > self._last_state + 1
            ):
                return  # a depth state inside the head's interval may still come
            tickers.popleft()
            quote = head.top
            agreed = True
            matched = 0
            lag: int | None = None
            while states and (end is None or states[0].update_id < end):
                state = states.popleft()
                matched += 1
                counts["states_checked"] += 1
                if state.top == quote:
                    counts["states_agreed"] += 1
                    if lag is None:
                        lag = state.recv_ns - head.recv_ns
                else:
                    agreed = False
                    if len(self._mismatches) < self._keep:
                        self._mismatches.append(
                            TopMismatch(first, state.update_id, state.recv_ns, quote, state.top)
                        )
            if matched:
                counts["agree" if agreed else "disagree"] += 1
                if agreed and lag is not None:
                    self._lag_total += lag
                    self._lag_max = max(self._lag_max, lag)
            elif self._last_state is None or first > self._last_state:
                counts["ahead" if self._live else "unchecked"] += 1
            elif self._covered(first, None if end is None else end - 1):
                counts["superseded"] += 1
            else:
                counts["unchecked"] += 1

    def finish(self) -> TopComparison:
        """Classify the bookTickers still held; the stream has ended."""
        self._resolve(final=True)
        counts = self.counts
        counts["states_without_ticker"] += len(self._states)
        self._states.clear()
        return TopComparison(
            tickers=counts["tickers"],
            agree=counts["agree"],
            disagree=counts["disagree"],
            superseded=counts["superseded"],
            ahead=counts["ahead"],
            unchecked=counts["unchecked"],
            out_of_order=counts["out_of_order"],
            arrived_ahead=counts["arrived_ahead"],
            states_checked=counts["states_checked"],
            states_agreed=counts["states_agreed"],
            states_without_ticker=counts["states_without_ticker"],
            crossed_states=counts["crossed_states"],
            mean_lag_ns=self._lag_total // counts["agree"] if counts["agree"] else 0,
            max_lag_ns=self._lag_max,
            mismatches=tuple(self._mismatches),
        )


DEPTH, SNAPSHOT, BOOK_TICKER, TRADE = "depth", "snapshot", "book_ticker", "trade"
"""Message kinds, as counted in :attr:`DepthSync.messages`."""


class DepthSync:
    """Feed messages in receive order; keeps :attr:`book` synchronised and reports gaps.

    After a gap :attr:`synced` is false and :attr:`book` keeps the contents it
    had, which must not be trusted until the next snapshot. Diffs are held
    (without limit) while no usable snapshot has arrived.
    """

    def __init__(self, keep_mismatches: int = 20) -> None:
        self.book = DepthBook()
        self.state = SyncState.WAITING
        self.last_update_id: int | None = None
        """The update id the book is at (snapshot ``lastUpdateId`` or last applied ``u``)."""
        self.symbol: str | None = None
        self.synced_from: int | None = None
        """``lastUpdateId`` of the first snapshot the book synchronised from."""
        self.messages: Counter[str] = Counter()
        self.diffs_applied = 0
        self.stale_dropped = 0
        self.resyncs = 0
        self.snapshots_ignored = 0
        self.gaps: list[Gap] = []
        self.check = TopCheck(keep_mismatches)
        self._buffer: list[DepthDiff] = []

    @property
    def synced(self) -> bool:
        return self.state in (SyncState.SNAPSHOT, SyncState.LIVE)

    @property
    def buffered(self) -> int:
        """Diffs held for a snapshot that has not come."""
        return len(self._buffer)

    def feed(self, message: Message) -> Gap | None:
        """Take one message; returns the gap it revealed, if any."""
        if isinstance(message, DepthDiff):
            self.messages[DEPTH] += 1
            self._symbol(message.symbol)
            return self._diff(message)
        if isinstance(message, BookTicker):
            self.messages[BOOK_TICKER] += 1
            self._symbol(message.symbol)
            self.check.ticker(message)
            return None
        if isinstance(message, TradePrint):
            self.messages[TRADE] += 1
            self._symbol(message.symbol)
            return None
        self.messages[SNAPSHOT] += 1
        return self._snapshot(message)

    def _symbol(self, symbol: str) -> None:
        if self.symbol is None:
            self.symbol = symbol
        elif symbol != self.symbol:
            raise FeedFormatError(f"a {symbol} message in a {self.symbol} stream")

    def _snapshot(self, snapshot: DepthSnapshot) -> Gap | None:
        if self.state is SyncState.LIVE:
            self.snapshots_ignored += 1
            return None
        if self.state is SyncState.LOST:
            self.resyncs += 1
        if self.synced_from is None:
            self.synced_from = snapshot.last_update_id
        self.book.load(snapshot.bids, snapshot.asks)
        self.last_update_id = snapshot.last_update_id
        self.state = SyncState.SNAPSHOT
        self.check.state(snapshot.last_update_id, self.book.top(), snapshot.recv_ns, snapshot=True)
        buffered, self._buffer = self._buffer, []
        gap = None
        for diff in buffered:
            gap = self._diff(diff) or gap
        return gap

    def _diff(self, diff: DepthDiff) -> Gap | None:
        state = self.state
        if state is SyncState.WAITING or state is SyncState.LOST:
            self._buffer.append(diff)
            return None
        last = self.last_update_id
        assert last is not None
        if state is SyncState.SNAPSHOT:
            if diff.last_id <= last:
                self.stale_dropped += 1
                return None
            if diff.first_id > last + 1:
                return self._gap(GapKind.FIRST_DIFF, diff, last)
            self.state = SyncState.LIVE
        elif diff.first_id != last + 1:
            return self._gap(GapKind.SEQUENCE, diff, last)
        self.book.apply(diff.bids, diff.asks)
        self.last_update_id = diff.last_id
        self.diffs_applied += 1
        self.check.state(diff.last_id, self.book.top(), diff.recv_ns)
        return None

    def _gap(self, kind: GapKind, diff: DepthDiff, last: int) -> Gap:
        gap = Gap(kind, diff.recv_ns, last + 1, diff.first_id, diff.last_id)
        self.gaps.append(gap)
        self.state = SyncState.LOST
        self.check.lost()
        self._buffer.append(diff)  # a later snapshot may resume from it
        return gap

    def report(self, path: str = "", elapsed_s: float = 0.0) -> SyncReport:
        """Close the comparison and summarise; call once, after the last message."""
        comparison = self.check.finish()
        total = sum(self.messages.values())
        return SyncReport(
            path=path,
            messages=dict(self.messages),
            total_messages=total,
            symbol=self.symbol,
            state=self.state,
            synced_from=self.synced_from,
            last_update_id=self.last_update_id,
            diffs_applied=self.diffs_applied,
            stale_dropped=self.stale_dropped,
            buffered_unapplied=len(self._buffer),
            gaps=tuple(self.gaps),
            resyncs=self.resyncs,
            snapshots_ignored=self.snapshots_ignored,
            bid_levels=len(self.book.bids),
            ask_levels=len(self.book.asks),
            comparison=comparison,
            elapsed_s=elapsed_s,
            messages_per_s=total / elapsed_s if elapsed_s > 0 else 0.0,
        )


class SyncReport(msgspec.Struct, frozen=True):
    path: str
    messages: dict[str, int]
    total_messages: int
    symbol: str | None
    state: SyncState
    """At the end of the stream; ``lost`` means a gap was never repaired by a snapshot."""
    synced_from: int | None
    last_update_id: int | None
    diffs_applied: int
    stale_dropped: int
    buffered_unapplied: int
    gaps: tuple[Gap, ...]
    resyncs: int
    snapshots_ignored: int
    bid_levels: int
    ask_levels: int
    comparison: TopComparison
    elapsed_s: float
    messages_per_s: float

    @property
    def unrecovered(self) -> bool:
        """A gap left the book unsynchronised at the end of the stream."""
        return self.state is SyncState.LOST


def replay(path: str | Path) -> SyncReport:
    """Read a whole recording through :class:`DepthSync` and report."""
    sync = DepthSync()
    started = time.perf_counter()
    for message in read(path):
        sync.feed(message)
    return sync.report(str(path), time.perf_counter() - started)
