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
(side, price). With the orders whose level left the feed's view, it forms
the level's **pool**, which answers for events on orders the feed never
added (see :class:`FeedReplay`). Everything is funded generously, so
funding never refuses a replayed order.
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
from seawall.core.config import VenueConfig
from seawall.core.events import Event, OrderAccepted, Rejected, Trade
from seawall.core.types import Instrument, SelfTradePrevention, Side, TimeInForce
from seawall.core.venue import Venue
from seawall.runtime.journal import JournalWriter

OPERATOR = "operator"
PARTICIPANT = "replay"
MAKER, TAKER, HIDDEN = "MAKER", "TAKER", "HIDDEN"
CASH = 10**17  # money units ($10 trillion): far beyond any replayed day
UNITS = 10**11  # per account


_BUY, _GTC, _ALLOW = Side.BUY, TimeInForce.GTC, SelfTradePrevention.ALLOW  # on hot paths


class BookWatch(Protocol):
    """Told of every change the replay makes to its book, so a view of it can follow."""

    def level_changed(self, side: Side, price: int) -> None: ...

    def side_changed(self, side: Side) -> None: ...


class ReplayError(RuntimeError):
    """The venue refused a command the replay built: a bug in the replay, not in the data."""


REPLAY_CONFIG = VenueConfig(pre_trade_risk=False)
"""Replays carry no risk limits: market data, not a participant's orders, is what they check."""


@dataclass
class ReplayVenue:
    """The venue a replay drives, with its funded replay accounts and an optional journal.

    With a journal writer, every command is journalled with its timestamp
    (group-committed every ``commit_every`` commands and on :meth:`close`),
    so a replayed day can be recovered, verified and re-run like a live one;
    with a ``recorded`` list, every (timestamp, command) is also kept there.
    """

    venue: Venue = field(default_factory=lambda: Venue(REPLAY_CONFIG))
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
        ts = self.ts
        journal = self.journal
        if journal is not None:
            journal.append(self.venue.seq + 1, ts, command)
        if self.recorded is not None:
            self.recorded.append((ts, command))
        events = self.venue.process(command, ts)
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
    """One instrument's book, rebuilt from a feed through a (possibly shared) replay venue.

    Every resting order is either **vouched for** or **pooled**. An order the
    feed added is vouched for while its level stays in the feed's view: each
    change to it is then an event, so it must be exactly where and as large as
    the replay holds it. An order is pooled when the replay only knows that
    liquidity of its size rests at its price: unseen liquidity seeded from the
    order-book file, and every order whose level left the feed's view (or was
    reconciled to the file) after it was added, since it may then have been
    cancelled, cut or replaced without a record. The pool of a level is
    fungible: an event on an order the feed never added, or on a pooled one,
    draws on it, and the order-book file keeps its total exact.
    """

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
    # (side, price) -> the last Seawall order id entered when the level last left the feed's
    # view or was reconciled: the feed's orders there up to that id are pooled
    out_of_view: dict[tuple[Side, int], int] = field(default_factory=dict)
    # each execution the feed's venue made past orders resting ahead of the named one: the
    # feed's position (a line number) and the feed ids of those orders, 0 if pooled (``execute``)
    out_of_priority: list[tuple[int, list[int]]] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.host.list(self.instrument)
        self.book: Book = self.venue.books[self.instrument.symbol]
        self.orders = self.venue.orders  # every open order of the venue, by Seawall id
        # Seawall order id -> feed order id, for the orders the feed added and vouches for
        self.feed_ids: dict[int, int] = {}
        self.last_entered = 0
        self.position = 0  # where the feed is (a line number), for ``out_of_priority``

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
            PARTICIPANT, MAKER, self.instrument.symbol, side, qty, price, tif=_GTC, stp=_ALLOW
        )
        events = self.host.submit(command, ts)
        accepted = events[0]
        assert isinstance(accepted, OrderAccepted)
        watch = self.watch
        if watch is not None:
            watch.level_changed(side, price)
            if len(events) > 1:  # it did more than rest: it may have traded
                watch.side_changed(Side.SELL if side is Side.BUY else Side.BUY)
        self.last_entered = accepted.order_id
        return accepted.order_id

    def _order_off(self, order: Order, qty: int, ts: int | None) -> None:
        """Take ``qty`` off a resting order (all of it: a cancel), telling the watch."""
        if qty == order.leaves:
            self.host.submit(Cancel(PARTICIPANT, order.order_id), ts)
        else:
            self.host.submit(Replace(PARTICIPANT, order.order_id, order.qty - qty, order.price), ts)
        if self.watch is not None:
            self.watch.level_changed(order.side, order.price)

    # ---------------------------------------------------------------- the feed's events

    def add(self, feed_id: int, side: Side, price: int, qty: int, ts: int) -> None:
        """A new resting order. On the feed's venue an add never crosses (it would have
        executed instead), so any resting order it would cross is provably gone: its
        removal is missing from the feed (a sampled file, say). Those are cancelled
        first and counted as ``stale_removed``; a complete feed never has any."""
        if side is _BUY:
            opposite, limit_key = self.book.asks, price
        else:
            opposite, limit_key = self.book.bids, -price
        while opposite.keys and opposite.keys[0] <= limit_key:
            for stale in list(opposite.levels[opposite.keys[0]].live_orders()):
                self._remove_stale(stale, ts)
        order_id = self.ids[feed_id] = self._enter(side, price, qty, ts)
        self.feed_ids[order_id] = feed_id
        self.counts["add"] += 1

    def pool_orders(self, feed_ids: list[int]) -> None:
        """The feed added these orders, but their place in the queue is not the back of
        it, where they rest here: they join the pool of their levels."""
        for feed_id in feed_ids:
            self.feed_ids.pop(self.ids.get(feed_id, 0), None)

    def reduce(self, feed_id: int, side: Side, price: int, qty: int, ts: int) -> bool:
        """Cancel ``qty`` of an order (all that is left: a deletion). False if impossible.

        The order the feed names, if it holds enough (``known``); else, for an
        order the feed never added or a pooled one, the level's pool (``pooled``).
        """
        order = self._named(feed_id)
        if order is not None and (order.price != price or order.side is not side):
            return False  # the feed names an order resting elsewhere
        if order is not None and order.leaves >= qty:
            self.counts["known"] += 1
            self._order_off(order, qty, ts)
            return True
        if order is not None and not self._pooled(order):
            return False
        pool = self._pool(side, price)
        if sum(o.leaves for o in pool) < qty:
            return False
        self.counts["pooled"] += 1
        if order is not None:  # what the named order holds first
            qty -= order.leaves
            self._order_off(order, order.leaves, ts)
            pool.remove(order)
        self._take(pool[::-1], qty, ts)
        return True

    def execute(self, feed_id: int, side: Side, price: int, qty: int, ts: int) -> bool:
        """The resting ``side`` order ``feed_id`` traded ``qty`` at ``price``.

        True if Seawall's own matching filled exactly that order, or for an
        order the feed never added or a pooled one, only the level's pool.

        On a price-time venue the executed order is first in its queue. When
        the order is vouched for and others rest ahead of it at its price, the
        feed's venue executed it past them: with ``clear_ahead`` they are taken
        to be stale and removed (a sampled feed); otherwise they are moved to
        just behind it, as cancels and re-entries would, and the execution is
        listed in ``out_of_priority``. Either way Seawall's matching then fills
        by its own price-time priority, and it must fill the named order.
        """
        order = self._named(feed_id)
        if order is not None and (order.price != price or order.side is not side):
            return False  # the feed names an order resting elsewhere
        if order is not None and not self._pooled(order):
            if order.leaves < qty:
                return False
            if self.clear_ahead:
                self._clear_ahead_of(order.order_id, side, ts)
            else:
                self._move_behind(order, ts)
            how, expected = "known", {order.order_id}
        else:
            pool = self._pool(side, price)
            if sum(o.leaves for o in pool) < qty:
                return False
            how, expected = "pooled", {o.order_id for o in pool}
        taker = Side.SELL if side is Side.BUY else Side.BUY
        command = NewOrder(
            PARTICIPANT, TAKER, self.instrument.symbol, taker, qty, price, tif=TimeInForce.IOC
        )
        trades = [e for e in self.submit(command, ts) if type(e) is Trade]
        if self.watch is not None:  # the taker does not rest: only where it traded changed
            traded_at = {t.price for t in trades}
            if len(traded_at) == 1:
                self.watch.level_changed(side, traded_at.pop())
            elif traded_at:
                self.watch.side_changed(side)
        if sum(t.qty for t in trades) != qty or any(t.price != price for t in trades):
            return False
        self.counts[how] += 1
        return {t.buy_order_id if side is Side.BUY else t.sell_order_id for t in trades} <= expected

    def _move_behind(self, order: Order, ts: int) -> None:
        """Move the orders resting ahead of ``order`` at its price to just behind it.

        Seawall can only enter an order at the back of its queue, so the orders
        behind ``order`` are re-entered after them, each queue keeping its order.
        """
        level = self._level(order.side, order.price)
        assert level is not None
        if next(level.live_orders()) is order:
            return  # first in its queue, as price-time priority has it
        queue = list(level.live_orders())
        ahead = queue[: queue.index(order)]
        passed = [0 if self._pooled(o) else self.feed_ids[o.order_id] for o in ahead]
        self.out_of_priority.append((self.position, passed))
        seeds = self.unseen.get((order.side, order.price), [])
        for other in ahead + queue[len(ahead) + 1 :]:
            vouched = not self._pooled(other)
            feed_id = self.feed_ids.pop(other.order_id, None)
            leaves = other.leaves
            self._order_off(other, leaves, ts)
            moved = self._enter(other.side, other.price, leaves, ts)
            if other.order_id in seeds:
                seeds.append(moved)
            if feed_id is not None:
                self.ids[feed_id] = moved
                if vouched:
                    self.feed_ids[moved] = feed_id

    def _clear_ahead_of(self, order_id: int, side: Side, ts: int) -> None:
        """Price-time priority: the named order trades only once every order ahead of it
        (a better price, or older at its price) is gone, so any still here are stale; their
        removal is missing from the feed. Cancelled and counted as ``stale_removed``."""
        for order in list(self.book.side_of(side).orders_in_priority()):
            if order.order_id == order_id:
                return
            self._remove_stale(order, ts)

    def _remove_stale(self, order: Order, ts: int) -> None:
        """Cancel an order the feed's own rules prove gone, and count it."""
        self._order_off(order, order.leaves, ts)
        self.counts["stale_removed"] += 1

    def hidden(self, side: Side, price: int, qty: int, ts: int) -> None:
        """A hidden resting ``side`` order traded: a print that leaves the visible book alone."""
        buyer, seller = (HIDDEN, TAKER) if side is Side.BUY else (TAKER, HIDDEN)
        aggressor = Side.SELL if side is Side.BUY else Side.BUY
        self.submit(
            ReportTrade(OPERATOR, self.instrument.symbol, buyer, seller, price, qty, aggressor), ts
        )
        self.counts["hidden"] += 1

    # ---------------------------------------------------------------- what the replay knows

    def _named(self, feed_id: int) -> Order | None:
        """The resting order the feed added under ``feed_id``, if any."""
        order_id = self.ids.get(feed_id)
        return None if order_id is None else self.orders.get(order_id)

    def _pooled(self, order: Order) -> bool:
        """True unless the feed vouches for the order (see the class docstring)."""
        return order.order_id not in self.feed_ids or order.order_id <= self.out_of_view.get(
            (order.side, order.price), 0
        )

    def _pool(self, side: Side, price: int) -> list[Order]:
        """The pooled orders at (side, price), oldest first."""
        level = self._level(side, price)
        return [o for o in level.live_orders() if self._pooled(o)] if level is not None else []

    def hide(self, side: Side, price: int) -> None:
        """The level left the feed's view, or was reconciled: from now on the feed may
        change its orders without a record, so they join the level's pool."""
        self.out_of_view[(side, price)] = self.last_entered

    # ---------------------------------------------------------------- unseen liquidity

    def seed(self, side: Side, price: int, qty: int) -> None:
        """Add ``qty`` of liquidity the feed never showed at (side, price).

        Each seeding is a new synthetic order at the back of its level: growing an
        earlier one would send it, and the older liquidity it stands for, to the back.
        """
        order_id = self._enter(side, price, qty)
        self.unseen.setdefault((side, price), []).append(order_id)
        self.counts["seeded"] += 1

    def shrink_level(self, side: Side, price: int, qty: int) -> None:
        """Take ``qty`` off a level whose changes the feed did not record (see ``_take``)."""
        level = self._level(side, price)
        if level is not None:
            self._take(list(level.live_orders())[::-1], qty, self.ts)

    def _take(self, newest_first: list[Order], qty: int, ts: int) -> None:
        """Take ``qty`` from these orders when the feed does not say which.

        What the feed misses is most often whole orders cancelled, so one
        order, or else two, of exactly ``qty`` between them go first;
        otherwise the pooled orders, then the others, newest first.
        """
        ordered = _whole_orders_summing_to(newest_first, qty)
        ordered += [o for o in newest_first if self._pooled(o) and o not in ordered]
        ordered += [o for o in newest_first if o not in ordered]
        for order in ordered:
            if qty <= 0:
                return
            take = min(qty, order.leaves)
            self._order_off(order, take, ts)
            qty -= take

    def _level(self, side: Side, price: int) -> PriceLevel | None:
        return self.book.side_of(side).level_at(price)

    def depth(self, levels: int) -> tuple[list[tuple[int, int]], list[tuple[int, int]]]:
        return self.book.depth(levels)


def _whole_orders_summing_to(orders: list[Order], qty: int) -> list[Order]:
    """One order of exactly ``qty``, else the first pair that sums to it (the pair whose
    later order comes first, with the first order that completes it), else nothing."""
    for order in orders:
        if order.leaves == qty:
            return [order]
    seen: dict[int, Order] = {}  # leaves -> the first order with them
    for order in orders:
        partner = seen.get(qty - order.leaves)
        if partner is not None:
            return [partner, order]
        seen.setdefault(order.leaves, order)
    return []
