"""Drive Seawall's own matching from an external order-by-order feed.

A feed such as LOBSTER or ITCH describes what happened to the orders of
many participants on another venue. The replay re-enacts it through
Seawall's ordinary commands, so that the book Seawall builds is the product
of its own price-time priority, funding and settlement:

- an added order becomes a limit order of the ``MAKER`` account;
- a partial cancel becomes a cancel-replace to the smaller quantity
  (priority kept), a deletion a cancel;
- a visible execution becomes a marketable IOC order of the ``TAKER``
  account at the execution price, and the replay checks that it traded
  against exactly the order the feed named;
- a hidden execution becomes a reported trade between ``TAKER`` and
  ``HIDDEN`` that touches no order (``ReportTrade``).

Orders that rest from before the window, or that the feed never showed,
are **unseen liquidity**: the replay seeds it as synthetic orders per
(side, price), and a reduction of an order the feed never added draws on
that synthetic order. Everything is funded generously, so funding never
refuses a replayed order.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Protocol

from seawall.core.book import Book, Order, PriceLevel
from seawall.core.commands import (
    Cancel,
    Command,
    Deposit,
    ListInstrument,
    NewOrder,
    OpenAccount,
    RegisterParticipant,
    Replace,
    ReportTrade,
)
from seawall.core.events import Event, OrderAccepted, Rejected, Trade
from seawall.core.types import Instrument, SelfTradePrevention, Side, TimeInForce
from seawall.core.venue import Venue
from seawall.runtime.journal import JournalWriter

OPERATOR = "operator"
PARTICIPANT = "replay"
MAKER, TAKER, HIDDEN = "MAKER", "TAKER", "HIDDEN"
CASH = 10**17  # money units ($10 trillion): far beyond any replayed day
UNITS = 10**11  # per account


class BookWatch(Protocol):
    """Told of every change the replay makes to its book, so a view of it can follow."""

    def level_changed(self, side: Side, price: int) -> None: ...

    def side_changed(self, side: Side) -> None: ...


class ReplayError(RuntimeError):
    """The venue refused a command the replay built: a bug in the replay, not in the data."""


@dataclass
class ReplayVenue:
    """The venue a replay drives, with its funded replay accounts and an optional journal.

    With a journal writer, every command is journalled with its timestamp
    (group-committed every ``commit_every`` commands and on :meth:`close`),
    so a replayed day can be recovered, verified and re-run like a live one;
    with a ``recorded`` list, every (timestamp, command) is also kept there.
    """

    venue: Venue = field(default_factory=Venue)
    journal: JournalWriter | None = None
    commit_every: int = 4096
    ts: int = 0
    recorded: list[tuple[int, Command]] | None = None  # every (ts, command), when a list

    def __post_init__(self) -> None:
        self.submit(RegisterParticipant(OPERATOR, PARTICIPANT))
        for account in (MAKER, TAKER, HIDDEN):
            self.submit(OpenAccount(OPERATOR, account, PARTICIPANT))

    def submit(self, command: Command, ts: int | None = None) -> list[Event]:
        if ts is not None and ts > self.ts:
            self.ts = ts
        journal = self.journal
        if journal is not None:
            journal.append(self.venue.seq + 1, self.ts, command)
        if self.recorded is not None:
            self.recorded.append((self.ts, command))
        events = self.venue.process(command, self.ts)
        if events and type(events[0]) is Rejected:
            raise ReplayError(f"the venue refused {command!r}: {events[0].text}")
        if journal is not None and self.venue.seq % self.commit_every == 0:
            journal.commit()
        return events

    def list(self, instrument: Instrument) -> None:
        """List an instrument and fund the replay accounts for it."""
        self.submit(ListInstrument(OPERATOR, instrument))
        for account in (MAKER, TAKER, HIDDEN):
            if instrument.currency not in self.venue.accounts[account].cash:
                self.submit(Deposit(OPERATOR, account, instrument.currency, CASH))
            self.submit(Deposit(OPERATOR, account, instrument.symbol, UNITS))

    def close(self) -> None:
        if self.journal is not None:
            self.journal.commit()
            self.journal.close()


@dataclass
class FeedReplay:
    """One instrument's book, rebuilt from a feed through a (possibly shared) replay venue."""

    instrument: Instrument
    host: ReplayVenue = field(default_factory=ReplayVenue)
    ids: dict[int, int] = field(default_factory=dict)  # feed order id -> Seawall order id
    # (side, price) -> synthetic order ids, oldest first
    unseen: dict[tuple[Side, int], list[int]] = field(default_factory=dict)
    counts: Counter[str] = field(default_factory=Counter)
    # Infer from an execution that every order ahead of the executed one is gone. Sound when
    # every queue position comes from the feed itself (ITCH); not where unseen liquidity was
    # seeded at approximate positions (LOBSTER), which the order-book oracle corrects instead.
    clear_ahead: bool = False
    watch: BookWatch | None = None  # told of every level the replay's commands change

    def __post_init__(self) -> None:
        self.host.list(self.instrument)
        self.book: Book = self.venue.books[self.instrument.symbol]

    @property
    def venue(self) -> Venue:
        return self.host.venue

    @property
    def ts(self) -> int:
        return self.host.ts

    def submit(self, command: Command, ts: int | None = None) -> list[Event]:
        return self.host.submit(command, ts)

    def _enter(self, side: Side, price: int, qty: int, ts: int | None = None) -> int:
        command = NewOrder(
            PARTICIPANT, MAKER, self.instrument.symbol, side, qty, price,
            tif=TimeInForce.GTC, stp=SelfTradePrevention.ALLOW,
        )  # fmt: skip
        events = self.host.submit(command, ts)
        accepted = events[0]
        assert isinstance(accepted, OrderAccepted)
        watch = self.watch
        if watch is not None:
            watch.level_changed(side, price)
            if len(events) > 1:  # it did more than rest: it may have traded
                watch.side_changed(Side.SELL if side is Side.BUY else Side.BUY)
        return accepted.order_id

    def _order_off(self, command: Cancel | Replace, ts: int | None) -> None:
        """Cancel or reduce a resting order, telling the watch which level changed."""
        order = self.venue.orders[command.order_id]
        self.host.submit(command, ts)
        if self.watch is not None:
            self.watch.level_changed(order.side, order.price)

    # ---------------------------------------------------------------- the feed's events

    def add(self, feed_id: int, side: Side, price: int, qty: int, ts: int) -> None:
        """A new resting order. On the feed's venue an add never crosses (it would have
        executed instead), so any resting order it would cross is provably gone: its
        removal is missing from the feed (a sampled file, say). Those are cancelled
        first and counted as ``stale_removed``; a complete feed never has any."""
        book = self.book
        opposite = book.asks if side is Side.BUY else book.bids
        limit_key = price if side is Side.BUY else -price
        while opposite.keys and opposite.keys[0] <= limit_key:
            for stale in list(opposite.levels[opposite.keys[0]].live_orders()):
                self._remove_stale(stale.order_id, ts)
        self.ids[feed_id] = self._enter(side, price, qty, ts)
        self.counts["add"] += 1

    def reduce(self, feed_id: int, side: Side, price: int, qty: int, ts: int) -> bool:
        """Cancel ``qty`` of an order (all that is left: a deletion). False if impossible."""
        order_id = self._resolve(feed_id, side, price, qty)
        if order_id is not None:
            return self._shrink(order_id, qty, ts)
        if self._level_qty(side, price) < qty:
            return False
        self.counts["spread_over_level"] += 1
        self.shrink_level(side, price, qty)
        return True

    def execute(self, feed_id: int, side: Side, price: int, qty: int, ts: int) -> bool:
        """The resting ``side`` order ``feed_id`` traded ``qty`` at ``price``.

        True if Seawall's own matching filled exactly that order (or, for an
        order the feed never showed, the unseen liquidity at that price).
        """
        expected = self._resolve(feed_id, side, price, qty)
        if expected is None and self._level_qty(side, price) < qty:
            return False
        if expected is not None and self.clear_ahead:
            self._clear_ahead_of(expected, side, ts)
        taker = Side.SELL if side is Side.BUY else Side.BUY
        command = NewOrder(
            PARTICIPANT, TAKER, self.instrument.symbol, taker, qty, price, tif=TimeInForce.IOC
        )
        trades = [e for e in self.submit(command, ts) if type(e) is Trade]
        if self.watch is not None:
            self.watch.side_changed(side)
        if sum(t.qty for t in trades) != qty or any(t.price != price for t in trades):
            return False
        if expected is None:  # one unrecorded order, held here as several: the level pays
            self.counts["spread_over_level"] += 1
            return True
        return {t.buy_order_id if side is Side.BUY else t.sell_order_id for t in trades} == {
            expected
        }

    def _clear_ahead_of(self, order_id: int, side: Side, ts: int) -> None:
        """Price-time priority: the named order trades only once every order ahead of it
        (a better price, or older at its price) is gone, so any still here are stale; their
        removal is missing from the feed. Cancelled and counted as ``stale_removed``."""
        for order in list(self.book.side_of(side).orders_in_priority()):
            if order.order_id == order_id:
                return
            self._remove_stale(order.order_id, ts)

    def _remove_stale(self, order_id: int, ts: int) -> None:
        """Cancel an order the feed's own rules prove gone, and count it."""
        self._order_off(Cancel(PARTICIPANT, order_id), ts)
        self.counts["stale_removed"] += 1

    def hidden(self, side: Side, price: int, qty: int, ts: int) -> None:
        """A hidden resting ``side`` order traded: a print that leaves the visible book alone."""
        buyer, seller = (HIDDEN, TAKER) if side is Side.BUY else (TAKER, HIDDEN)
        aggressor = Side.SELL if side is Side.BUY else Side.BUY
        self.submit(
            ReportTrade(OPERATOR, self.instrument.symbol, buyer, seller, price, qty, aggressor), ts
        )
        self.counts["hidden"] += 1

    def _resolve(self, feed_id: int, side: Side, price: int, qty: int) -> int | None:
        """The open Seawall order a feed event names, counting how it was found.

        ``known``: the feed added it. ``unseen``: the feed never showed it, and
        the unseen liquidity at that price stands in for it. ``renamed``: the
        feed never showed it and there is no unseen liquidity there, but a
        known order at that price can take the event; in ITCH, from which
        LOBSTER derives, an order replace that changes neither price nor size
        gives the order a new reference number without any visible change, so
        a later event names an id the feed never added. The renamed order is
        the one with exactly the event's size, else the oldest that is large
        enough, and the new id is mapped to it from then on. None when no
        single order can take the event: the caller may then spread it over
        the level (one order the feed never recorded, which this book holds
        as several), counted as ``spread_over_level``.
        """
        orders = self.venue.orders
        order_id = self.ids.get(feed_id)
        if order_id is not None and order_id in orders:
            self.counts["known"] += 1
            return order_id
        for unseen in self.unseen.get((side, price), ()):
            if unseen in orders and orders[unseen].leaves >= qty:
                self.counts["unseen"] += 1
                return unseen
        level = self._level(side, price)
        if level is None:
            return None
        candidates = [o for o in level.live_orders() if o.leaves >= qty]
        if not candidates:
            return None
        exact = [o for o in candidates if o.leaves == qty]
        chosen = (exact or candidates)[0]
        self.ids[feed_id] = chosen.order_id
        self.counts["renamed"] += 1
        return chosen.order_id

    # ---------------------------------------------------------------- unseen liquidity

    def seed(self, side: Side, price: int, qty: int) -> None:
        """Add ``qty`` of liquidity the feed never showed at (side, price).

        Each seeding is a new synthetic order at the back of its level: growing an
        earlier one would send it, and the older liquidity it stands for, to the back.
        """
        self.unseen.setdefault((side, price), []).append(self._enter(side, price, qty))
        self.counts["seeded"] += 1

    def _shrink(self, order_id: int, qty: int, ts: int) -> bool:
        order = self.venue.orders[order_id]
        if qty > order.leaves:
            return False
        if qty == order.leaves:
            self._order_off(Cancel(PARTICIPANT, order_id), ts)
        else:
            self._order_off(Replace(PARTICIPANT, order_id, order.qty - qty, order.price), ts)
        return True

    def shrink_level(self, side: Side, price: int, qty: int) -> None:
        """Take ``qty`` off a level whose changes the feed did not record.

        What the feed misses is most often whole orders cancelled, so one
        order, or else two, of exactly ``qty`` between them go first (newest
        first); otherwise the unseen liquidity, then the newest orders.
        """
        level = self._level(side, price)
        if level is None:
            return
        unseen = set(self.unseen.get((side, price), ()))
        newest_first = list(level.live_orders())[::-1]
        ordered = _whole_orders_summing_to(newest_first, qty)
        ordered += [o for o in newest_first if o.order_id in unseen and o not in ordered]
        ordered += [o for o in newest_first if o.order_id not in unseen and o not in ordered]
        for order in ordered:
            if qty <= 0:
                return
            take = min(qty, order.leaves)
            self._shrink(order.order_id, take, self.ts)
            qty -= take

    def _level(self, side: Side, price: int) -> PriceLevel | None:
        return self.book.side_of(side).level_at(price)

    def _level_qty(self, side: Side, price: int) -> int:
        level = self._level(side, price)
        return level.qty if level is not None else 0

    def depth(self, levels: int) -> tuple[list[tuple[int, int]], list[tuple[int, int]]]:
        return self.book.depth(levels)


def _whole_orders_summing_to(orders: list[Order], qty: int) -> list[Order]:
    """One order of exactly ``qty``, else the first pair that sums to it, else nothing."""
    for order in orders:
        if order.leaves == qty:
            return [order]
    for i, first in enumerate(orders):
        for second in orders[i + 1 :]:
            if first.leaves + second.leaves == qty:
                return [first, second]
    return []
