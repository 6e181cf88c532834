"""The rulebook at work: each instrument's trading state, its auctions and its safeguards.

A venue built with a rulebook (``VenueConfig.rulebook``) owns one
:class:`TradingRules`. It drives the pure evaluators of
:mod:`seawall.safeguards` (ADR 0007) from inside ``Venue.process`` (ADR
0009) and turns each of their answers into events:

- **The session clock.** Each instrument follows its rulebook's calendar:
  ``closed`` → ``pre_open`` (orders rest, nothing matches) → the opening
  auction's call → an uncross at the open → ``continuous`` → the closing
  auction's call → an uncross at the close → ``closed``, where day orders
  expire. A call that has ``random_uncross_seconds`` ends at an instant
  drawn from the sequence number that began it, so a replay draws the same.
- **LULD.** Bands come from the instrument's :class:`LuldMonitor`, fed with
  every continuous trade and with the national best bid and offer (the
  operator's ``SetNbbo``, else the venue's own best prices). An order that
  would execute outside a band is repriced to it or refused, as the
  rulebook says; a resting order that a moved band leaves outside is
  treated the same way, so no continuous trade can print outside the bands
  in force. The limit state, the pause and its reopening auction (with
  collars and extensions) follow the monitor.
- **Circuit breakers.** ``IndexLevel`` feeds the market-wide breaker, which
  halts every instrument; a single-stock breaker pauses one. Either ends
  with a reopening call and uncross.
- **Order checks.** The ``[states]`` table, the market-order collar, the
  last-trade check and the Rule 201 price test, each a clear rejection.
- **Quoting obligations.** Under ``[market_maker]`` a designated market
  maker's limit orders in its instrument are quotes: a stub quote, or one
  beyond the designated percentage of the national best price, is
  refused; a resting quote the national best price has left beyond the
  designated percentage plus the drift is cancelled (``quote_drifted``).
- **Interruptions.** An order that would trade beyond the ``[volatility]``
  tolerances (from the last auction price and the last trade) trades up to
  them and then starts a volatility auction; an elected stop that would
  trade beyond the ``[stop_logic]`` threshold from the price that elected
  it puts the book in the reserved state, a call reviewed when it is due
  and extended while its indicative price stays far away.

Time-driven transitions (a limit state timing out, a pause ending, the
open) happen at the instants the rules name, and the venue applies them
before the next command that touches the instrument, or at a
``ClockTick``, so a command never meets a state that should already have
changed.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from seawall.core.book import UNCLEARED, Book, Order
from seawall.core.commands import (
    Cancel,
    CancelOnDisconnect,
    ClockTick,
    Command,
    EndOfDay,
    IndexLevel,
    MassCancel,
    NewOrder,
    Replace,
    SetNbbo,
)
from seawall.core.events import (
    AuctionExtended,
    AuctionIndicative,
    CancelReason,
    Event,
    MarketWideHalt,
    OrderAccepted,
    OrderCancelled,
    PriceBandsChanged,
    Rejected,
    RejectReason,
    ShortSaleRestricted,
    StraddleChanged,
    Trade,
    TradingStateChanged,
)
from seawall.core.quoting_rules import drifted_quotes, quote_problem
from seawall.core.rules_guard import Guard
from seawall.core.types import (
    FROZEN_STATES,
    MATCHING_STATES,
    MAX_PRICE,
    OrderType,
    SaleMarking,
    Side,
    TradingState,
)
from seawall.core.units import ticks_to_price
from seawall.safeguards.auctions import extension_due, uncross_at
from seawall.safeguards.calendar import TradingCalendar, TradingDay
from seawall.safeguards.collars import MarketOrders, check_market_order
from seawall.safeguards.limit_state import (
    NEVER,
    LuldCause,
    LuldEvent,
    LuldMonitor,
    LuldState,
)
from seawall.safeguards.lrp import LiquidityReplenishment
from seawall.safeguards.luld import LuldTier, OutsideBand
from seawall.safeguards.mwcb import MarketWideBreaker
from seawall.safeguards.nbbo import Nbbo
from seawall.safeguards.outcome import Verdict
from seawall.safeguards.short_sale import ShortSaleRestriction, price_test
from seawall.safeguards.sscb import SingleStockBreaker
from seawall.safeguards.states import Action
from seawall.safeguards.stop_logic import stop_logic_review, stop_logic_trigger
from seawall.safeguards.units import NS_PER_SECOND, unmoved_range
from seawall.safeguards.volatility import tolerance_breach

if TYPE_CHECKING:
    from seawall.core.venue import Venue
    from seawall.rulebooks.rulebook import Rulebook

Events = list[Event]
Problem = tuple[RejectReason, str]
Handler = Callable[[Any, int, int], Events]
"""How the venue applies one command: ``handler(command, seq, ts)``."""

RULE_REJECTIONS = frozenset(
    {
        RejectReason.STATE_REFUSES,
        RejectReason.OUTSIDE_BAND,
        RejectReason.SHORT_SALE_PRICE_TEST,
        RejectReason.MARKET_ORDERS_NOT_ACCEPTED,
        RejectReason.TOO_FAR_FROM_LAST_TRADE,
        RejectReason.UNKNOWN_INDEX,
        RejectReason.NO_RULEBOOK,
        RejectReason.STUB_QUOTE,
        RejectReason.OUTSIDE_QUOTING_OBLIGATION,
    }
)
"""The rejections only a venue with a rulebook gives (tests/rules produces each)."""

_BUY = Side.BUY
_CONTINUOUS = TradingState.CONTINUOUS
_LIMIT_STATE = TradingState.LIMIT_STATE
_PAUSED = TradingState.PAUSED
_HALTED = TradingState.HALTED
_CLOSED = TradingState.CLOSED
_PRE_OPEN = TradingState.PRE_OPEN
_OPENING = TradingState.OPENING_AUCTION
_CLOSING = TradingState.CLOSING_AUCTION
_VOLATILITY_AUCTION = TradingState.VOLATILITY_AUCTION
_RESERVED = TradingState.RESERVED
_NORMAL = LuldState.NORMAL
_LULD_ACTIVE = (LuldState.NORMAL, LuldState.STRADDLE, LuldState.LIMIT_STATE)
_LIMIT = OrderType.LIMIT
_MARKET = OrderType.MARKET
_SHORT = SaleMarking.SHORT

_ACTIONS = {
    OrderType.LIMIT: Action.LIMIT_ORDER,
    OrderType.MARKET: Action.MARKET_ORDER,
    OrderType.STOP: Action.STOP_ORDER,
    OrderType.STOP_LIMIT: Action.STOP_ORDER,
}
_STOP_ACTION = Action.STOP_ORDER
_STATE_REASONS = {
    _HALTED: RejectReason.TRADING_HALTED,
    _CLOSED: RejectReason.MARKET_CLOSED,
}
# Commands that may cancel orders in any instrument without naming one (a mass cancel naming
# one is about it).
_CANCELS_ANYWHERE = frozenset({CancelOnDisconnect, MassCancel, EndOfDay})
# What a call uncrosses into, by why it was opened.
_OPEN, _CLOSE, _REOPEN = "open", "close", "reopen"
_VOLATILITY, _STOP_LOGIC = "volatility", "stop_logic"
_REPLENISH = "liquidity_replenishment"
_RANDOM_UNCROSS = (_OPEN, _CLOSE, _VOLATILITY)  # the calls an [auctions] random end applies to
_LIMIT_CAUSES = (LuldCause.OFFER_AT_LOWER_BAND, LuldCause.BID_AT_UPPER_BAND)
_PAUSE_CAUSES = (LuldCause.LIMIT_STATE_TIMED_OUT, LuldCause.DISCRETIONARY_PAUSE)


_NOTHING_CLEARED = (1, 0)
_MARKET_LIMITS_KEPT = 1_024  # collared limits remembered before starting afresh


def quote_within(bid: int, ask: int, lower: int, upper: int) -> bool:
    """Whether a quote (0 for a side with no price) is inside the bands: no bid at or above
    the upper band or below the lower, no offer at or below the lower band or above the upper.
    """
    return (not ask or lower < ask <= upper) and (not bid or lower <= bid < upper)


class TradingRules:
    """One rulebook applied to every instrument of a venue (see the module docstring)."""

    def __init__(self, venue: Venue, rulebook: Rulebook) -> None:
        self.venue = venue
        self.rulebook = rulebook
        self.calendar: TradingCalendar = rulebook.calendar()
        self.accepts = rulebook.states.as_dict()
        self.guards: dict[str, Guard] = {}
        self.mwcb: MarketWideBreaker | None = None
        self.mwcb_date = ""
        self.mwcb_prior_close = 0
        self.halt_ends = NEVER  # a market-wide halt's end
        self.early: Events = []  # what time caused before the command at hand (see before())
        self.window_ns = (
            rulebook.luld.reference_window_seconds * NS_PER_SECOND if rulebook.luld else 0
        )
        self.luld_params = rulebook.luld
        self.auctions = rulebook.auctions
        self.collars = rulebook.collars
        self.last_trade_bps = rulebook.collars.last_trade_bps if rulebook.collars else None
        self.accepted_types = {
            state: frozenset(kind for kind, action in _ACTIONS.items() if action in actions)
            for state, actions in self.accepts.items()
        }
        # Where the venue may skip the rules for orders at a cleared price (see clearance): the
        # states that match and take both limit and market orders.
        self.clearable_states = frozenset(
            state
            for state, kinds in self.accepted_types.items()
            if state in MATCHING_STATES and _LIMIT in kinds and _MARKET in kinds
        )
        # The collared limits of market orders by side, reference and tick, worked out once.
        self.market_limits: dict[tuple[Side, int, int], int] = {}
        self.reprice_outside_band = (
            rulebook.luld is not None and rulebook.luld.outside_band is OutsideBand.REPRICE
        )
        self.volatility = rulebook.volatility
        self.stop_logic = rulebook.stop_logic
        self.lrp = rulebook.liquidity_replenishment
        self.quoting = rulebook.market_maker
        self.interrupts = (
            self.volatility is not None or self.stop_logic is not None or self.lrp is not None
        )

    # ------------------------------------------------------------------ listing and time

    def list_instrument(self, book: Book, tier: int, ts: int, seq: int, events: Events) -> None:
        """A new instrument joins the session clock in the state the clock says it is in."""
        guard = self.guards[book.instrument.symbol] = Guard(
            book, LuldTier.TIER1 if tier == 1 else LuldTier.TIER2, book.reference_price
        )
        if self.lrp is not None:
            guard.replenishment = LiquidityReplenishment(self.lrp)
        self.set_prior_close(guard, book.reference_price)
        self._join_session(guard, ts, seq, events)
        guard.refresh_due()

    def set_prior_close(self, guard: Guard, price: int) -> None:
        guard.prior_close = guard.static_reference = price
        params = self.rulebook.short_sale
        if params is not None:  # Rule 201 triggers at or below this price
            guard.short_sale_at = price * (10_000 - params.trigger_bps) // 10_000

    def _join_session(self, guard: Guard, ts: int, seq: int, events: Events) -> None:
        book = guard.book
        calendar = self.calendar
        date = calendar.trading_date(ts)
        day = calendar.day(date)
        if ts < day.pre_open or ts >= day.close:
            book.state = _CLOSED
            self._schedule_next_day(guard, day if ts < day.pre_open else None, ts)
            return
        self._begin_day(guard, day)
        if ts < day.open:
            self._schedule_open(guard)
            if guard.session_at > ts:
                book.state = _PRE_OPEN
            else:  # listed during the opening call
                book.state = _OPENING
                guard.session_at = NEVER
                self._start_call(guard, day.open, _OPEN, seq)
            return
        self._schedule_close(guard)
        if guard.session_at > ts:
            book.state = _CONTINUOUS
            self._start_luld(guard, ts, book.reference_price, seq, ts, events)
        else:  # listed during the closing call
            book.state = _CLOSING
            guard.session_at = NEVER
            self._start_call(guard, day.close, _CLOSE, seq)

    def run(self, handler: Handler, command: Command, seq: int, ts: int) -> Events:
        """Apply ``command`` with the venue's ``handler`` under the rules.

        What time has made due comes first (:meth:`before`), then the
        command, then what it set off (:meth:`after`). The two commands of
        the hot path take shorter routes when nothing is due yet for their
        instrument: a cancel goes straight to what comes after it, and, while
        the rules have a range of prices cleared (:meth:`clearance`: nothing
        for them to watch), a command that changes nothing they watch, the
        common case, goes straight through: an order entry that was refused
        or rests in that range, where it cannot bring the quote to a band,
        and a cancel behind the best price. The outcome is that of
        :meth:`run_in_full` (the rules' property 9).
        """
        if ts < self.halt_ends and type(command) is NewOrder:
            guard = self.guards.get(command.instrument)
            if guard is not None and ts < guard.due_at:
                events = handler(command, seq, ts)
                book = guard.book
                if len(events) == 1 and book.cleared_low <= book.cleared_high:
                    # With a range cleared, what comes after a command has nothing to do unless
                    # the command changed something: a refusal changes nothing, nor does an
                    # order resting in the range.
                    event = events[0]
                    if type(event) is Rejected or (
                        type(event) is OrderAccepted
                        and book.cleared_low <= event.price <= book.cleared_high
                    ):
                        return events
                self.after(guard, events, seq, ts)
                return events
        elif ts < self.halt_ends and type(command) is Cancel:
            order = self.venue.orders.get(command.order_id)
            if order is None:
                return handler(command, seq, ts)  # refused: it touches no instrument
            guard = self.guards[order.instrument]
            if ts < guard.due_at:
                book = guard.book
                if order.side is _BUY:
                    keys, key = book.bids.keys, -order.price
                else:
                    keys, key = book.asks.keys, order.price
                # Behind the best price (or off the book, a stop), a cancel leaves the quote as
                # it is: with a range cleared, nothing comes after it.
                behind = book.cleared_low <= book.cleared_high and bool(keys) and keys[0] != key
                events = handler(command, seq, ts)
                if not behind:
                    self.after(guard, events, seq, ts)
                return events
        return self.run_in_full(handler, command, seq, ts)

    def run_in_full(self, handler: Handler, command: Command, seq: int, ts: int) -> Events:
        """:meth:`run` without its shorter routes: what is due, the command, what it set off."""
        guard = self.before(command, seq, ts)
        events = handler(command, seq, ts)
        if self.early:
            events[:0] = self.early
            self.early = []
        if guard is not None:
            self.after(guard, events, seq, ts)
        elif type(command) in _CANCELS_ANYWHERE:  # its events are its cancels
            self.after_cancels(events, events, seq, ts)
        return events

    def before(self, command: Command, seq: int, ts: int) -> Guard | None:
        """Apply what time has made due for the instrument ``command`` touches (all, on a tick).

        The events this causes wait in :attr:`early` for the venue to put
        before the command's own.
        """
        if ts >= self.halt_ends:
            self._end_market_halt(seq, ts, self.early)
        if type(command) is NewOrder:  # the hot path: one lookup
            guard = self.guards.get(command.instrument)
        elif type(command) is ClockTick:
            self.catch_up_all(seq, ts, self.early)
            return None
        else:
            guard = self._touched(command)
            if guard is None:
                if type(command) in _CANCELS_ANYWHERE:  # each instrument meets its due first
                    self.catch_up_all(seq, ts, self.early)
                return None
            if type(command) is not Cancel:
                self.reconsider(guard)  # any command but an entry or a cancel may change it
        if guard is not None and guard.due_at <= ts:
            self.advance(guard, ts, seq, self.early)
        return guard

    def catch_up_all(self, seq: int, ts: int, events: Events) -> None:
        """What time has made due in every instrument, in listing order, as at a tick."""
        for guard in self.guards.values():
            if guard.due_at <= ts:
                self.catch_up(guard, seq, ts, events)

    def catch_up(self, guard: Guard, seq: int, ts: int, events: Events) -> None:
        """What time has made due for one instrument, then what that set off in it: its own
        prints (an uncross, the stops it elects) feed its own safeguards only, and moved
        bands meet its quote."""
        caused: Events = []
        self.advance(guard, ts, seq, caused)
        self.after(guard, caused, seq, ts)
        events.extend(caused)

    def _touched(self, command: Command) -> Guard | None:
        """The instrument a command is about, if it is about one."""
        if isinstance(command, Cancel | Replace):
            order = self.venue.orders.get(command.order_id)
            return self.guards.get(order.instrument) if order is not None else None
        instrument = getattr(command, "instrument", None)
        return self.guards.get(instrument) if isinstance(instrument, str) else None

    def advance(self, guard: Guard, ts: int, seq: int, events: Events) -> None:
        """Everything due for ``guard`` up to ``ts``, in the order the instants fall."""
        while True:
            luld = guard.luld
            luld_due = luld.next_instant() if luld is not None else NEVER
            instant = min(guard.session_at, guard.call_ends, luld_due)
            if instant > ts:
                guard.refresh_due()
                return
            if luld is not None and luld_due == instant:
                self._luld_events(guard, luld.advance(instant), seq, ts, events)
            elif guard.call_ends == instant:
                self._end_call(guard, instant, seq, ts, events)
            else:
                self._session_step(guard, instant, seq, ts, events)

    # ------------------------------------------------------------------ the session clock

    def _begin_day(self, guard: Guard, day: TradingDay) -> None:
        guard.day = day
        guard.luld = None
        if self.rulebook.sscb is not None:
            guard.sscb = SingleStockBreaker(self.rulebook.sscb, day)
        if self.rulebook.short_sale is not None and guard.short_sale is None:
            guard.short_sale = ShortSaleRestriction(self.rulebook.short_sale, self.calendar)

    def _schedule_next_day(self, guard: Guard, day: TradingDay | None, now: int) -> None:
        if day is None:
            date = self.calendar.next_trading_day(self.calendar.trading_date(now))
            day = self.calendar.day(date)
        guard.day = day
        guard.session_at = day.pre_open

    def _schedule_open(self, guard: Guard) -> None:
        day = guard.day
        assert day is not None
        call = self.auctions.opening_call_seconds * NS_PER_SECOND if self.auctions else 0
        guard.session_at = max(day.open - call, day.pre_open) if call else day.open

    def _schedule_close(self, guard: Guard) -> None:
        day = guard.day
        assert day is not None
        call = self.auctions.closing_call_seconds * NS_PER_SECOND if self.auctions else 0
        guard.session_at = day.close - call

    def _session_step(self, guard: Guard, instant: int, seq: int, ts: int, events: Events) -> None:
        """The session clock's next step for one instrument, at ``instant``."""
        book = guard.book
        day = guard.day
        assert day is not None
        state = book.state
        guard.session_at = NEVER
        if state is _CLOSED:
            self._begin_day(guard, day)
            self._change(guard, _PRE_OPEN, "pre_open", seq, ts, events)
            self._schedule_open(guard)
        elif instant < day.open:  # the opening call begins
            self._change(guard, _OPENING, "opening_call", seq, ts, events)
            self._start_call(guard, day.open, _OPEN, seq)
        elif instant < day.close and state in (_PRE_OPEN, _OPENING):  # the open, no call
            self._start_call(guard, instant, _OPEN, seq)
        elif instant < day.close and state is _HALTED:  # halted for the rest of the day
            guard.session_at = day.close
        elif instant < day.close:  # the closing call begins
            self._change(guard, _CLOSING, "closing_call", seq, ts, events)
            self._start_call(guard, day.close, _CLOSE, seq)
        else:  # the close, with no closing call
            self._start_call(guard, instant, _CLOSE, seq)

    def _start_call(self, guard: Guard, ends: int, kind: str, seq: int) -> None:
        auctions = self.auctions
        if auctions is not None and kind in _RANDOM_UNCROSS:
            ends = uncross_at(auctions, ends, seq)
        guard.call_ends = ends
        guard.call_kind = kind
        guard.extensions = 0
        guard.reserve = None

    def _end_call(self, guard: Guard, instant: int, seq: int, ts: int, events: Events) -> None:
        """The call's uncross: at the auction collar it may be extended instead."""
        book = guard.book
        kind = guard.call_kind
        reference = self._auction_reference(guard, kind)
        found = book.call_result()
        if found is not None and self._call_goes_on(guard, kind, found.price, reference, instant):
            events.append(
                AuctionExtended(
                    seq, ts, book.instrument.symbol, found.price, reference, guard.extensions,
                    guard.call_ends,
                )
            )  # fmt: skip
            return
        guard.call_ends = NEVER
        guard.call_kind = ""
        guard.indicative = None
        guard.reserve = None
        if kind == _CLOSE:
            price = self._uncross(guard, seq, ts, events)
            self.set_prior_close(guard, price or book.last_price or guard.prior_close)
            self._luld_close(guard, instant, seq, ts, events)
            self._change(guard, _CLOSED, "close", seq, ts, events)
            events += self.venue.expire_day_orders(book.instrument.symbol, seq, ts)
            self._schedule_next_day(guard, None, instant)
            return
        self._change(guard, _CONTINUOUS, kind, seq, ts, events)
        price = self._uncross(guard, seq, ts, events)
        if kind == _OPEN:
            self._start_luld(guard, instant, price or guard.prior_close, seq, ts, events)
            self._schedule_close(guard)
        else:
            self._reopen_luld(guard, instant, price, seq, ts, events)
        self.venue.run_stops(book, events, seq, ts)

    def _call_goes_on(
        self, guard: Guard, kind: str, price: int, reference: int, instant: int
    ) -> bool:
        """Whether a call due to end at ``instant`` is extended instead (``guard`` updated).

        Stop logic's reserved state goes on while its indicative price stays
        beyond the extension multiple of the threshold; any other call, while
        its price is outside the auction collar.
        """
        if kind == _STOP_LOGIC:
            params, reserve = self.stop_logic, guard.reserve
            assert params is not None and reserve is not None
            longer = stop_logic_review(params, reserve, price)
            if longer is None:
                return False
            guard.reserve = longer
            guard.extensions = longer.extensions
            guard.call_ends = longer.until
            return True
        auctions = self.auctions
        if auctions is None or not auctions.extension_seconds:
            return False
        if not self._collar_extends(guard, price, reference):
            return False
        guard.call_ends = instant + auctions.extension_seconds * NS_PER_SECOND
        return True

    def _collar_extends(self, guard: Guard, price: int, reference: int) -> bool:
        """Whether an uncross at ``price`` must wait for another extension (then counted)."""
        auctions = self.auctions
        if auctions is None or not extension_due(auctions, price, reference, guard.extensions):
            return False
        guard.extensions += 1
        return True

    def _auction_reference(self, guard: Guard, kind: str) -> int:
        if kind == _REOPEN and guard.luld is not None and guard.luld.reference:
            return guard.luld.reference
        if kind == _VOLATILITY:
            return guard.static_reference
        if kind == _STOP_LOGIC and guard.reserve is not None:
            return guard.reserve.anchor
        book = guard.book
        return book.last_price or guard.prior_close

    def _uncross(self, guard: Guard, seq: int, ts: int, events: Events) -> int:
        price = self.venue.uncross(guard.book, events, seq, ts)
        self.reconsider(guard)
        if price:
            guard.static_reference = price
            if guard.replenishment is not None:
                guard.replenishment.reset()
                guard.replenishment.on_trade(ts, price)
            self._short_sale_trade(guard, ts, price, seq, events)
        return price

    def _change(
        self,
        guard: Guard,
        state: TradingState,
        cause: str,
        seq: int,
        ts: int,
        events: Events,
    ) -> None:
        book = guard.book
        previous = book.state
        if previous is state:
            return
        book.state = state
        self.reconsider(guard)
        events.append(TradingStateChanged(seq, ts, book.instrument.symbol, previous, state, cause))
        if state in MATCHING_STATES or previous in MATCHING_STATES:
            guard.indicative = None

    # ------------------------------------------------------------------ LULD

    def _start_luld(
        self, guard: Guard, instant: int, price: int, seq: int, ts: int, events: Events
    ) -> None:
        params = self.luld_params
        day = guard.day
        if params is None or day is None or not price or instant >= day.close:
            return
        prior = guard.luld_prior_close = guard.prior_close or price
        monitor = guard.luld = LuldMonitor(params, day, guard.tier, prior, guard.leverage)
        self._luld_events(guard, monitor.open(instant, price), seq, ts, events)

    def _reopen_luld(
        self, guard: Guard, instant: int, price: int, seq: int, ts: int, events: Events
    ) -> None:
        monitor = guard.luld
        if monitor is None:
            return
        if monitor.state is LuldState.PAUSED:
            reopen_at = price or monitor.reference or guard.book.last_price
            self._luld_events(guard, monitor.reopen(instant, reopen_at), seq, ts, events)

    def _luld_close(self, guard: Guard, instant: int, seq: int, ts: int, events: Events) -> None:
        monitor = guard.luld
        if monitor is not None:
            self._luld_events(guard, monitor.advance(instant), seq, ts, events)
        guard.luld = None
        self._set_bands(guard, 0, 0, 0, LuldCause.CLOSED.value, seq, ts, events)

    def _luld_events(
        self, guard: Guard, happened: list[LuldEvent], seq: int, ts: int, events: Events
    ) -> None:
        """Turn the monitor's transitions into the venue's trading states and bands."""
        closing = guard.book.state is _CLOSING
        for event in happened:
            cause = event.cause
            if closing and cause is not LuldCause.CLOSED:
                # The closing auction, not LULD, decides until the close; LULD's own straddle
                # state is still published (a halt in the call ends it, for one).
                self._track_straddle(guard, event, seq, ts, events)
                continue
            if event.state is LuldState.PAUSED or event.state is LuldState.INACTIVE:
                lower = upper = 0  # a paused or closed book is restrained by no band
            else:
                lower, upper = event.lower, event.upper
            self._set_bands(guard, lower, upper, event.reference, cause.value, seq, ts, events)
            self._track_straddle(guard, event, seq, ts, events)
            if cause in _LIMIT_CAUSES:
                self._change(guard, _LIMIT_STATE, cause.value, seq, ts, events)
            elif cause is LuldCause.LIMIT_STATE_CLEARED:
                self._change(guard, _CONTINUOUS, cause.value, seq, ts, events)
            elif cause in _PAUSE_CAUSES:
                self._change(guard, _PAUSED, cause.value, seq, ts, events)
                guard.extensions = 0
            elif cause is LuldCause.REOPENING_DUE and guard.book.state is _PAUSED:
                # (a halt or the closing call that came meanwhile decides the reopening)
                guard.call_kind = _REOPEN
                self._luld_reopening(guard, event.at, seq, ts, events)

    @staticmethod
    def _track_straddle(guard: Guard, event: LuldEvent, seq: int, ts: int, events: Events) -> None:
        """Publish the straddle state when the monitor enters it, or leaves it for any reason."""
        straddle = event.state is LuldState.STRADDLE
        if straddle is not guard.straddle:
            guard.straddle = straddle
            symbol = guard.book.instrument.symbol
            events.append(StraddleChanged(seq, ts, symbol, straddle, event.lower, event.upper))

    def _luld_reopening(
        self, guard: Guard, instant: int, seq: int, ts: int, events: Events
    ) -> None:
        """A LULD pause's reopening auction: uncross, or extend the pause at the collar."""
        monitor = guard.luld
        assert monitor is not None
        found = guard.book.call_result()
        if found is not None and self._collar_extends(guard, found.price, monitor.reference):
            guard.call_ends = NEVER
            extended = monitor.extend(instant)
            events.append(
                AuctionExtended(
                    seq, ts, guard.book.instrument.symbol, found.price, monitor.reference,
                    guard.extensions, monitor.next_instant(),
                )
            )  # fmt: skip
            self._luld_events(guard, extended, seq, ts, events)
            return
        guard.call_ends = NEVER
        self._end_call(guard, instant, seq, ts, events)

    def _set_bands(
        self,
        guard: Guard,
        lower: int,
        upper: int,
        reference: int,
        cause: str,
        seq: int,
        ts: int,
        events: Events,
    ) -> None:
        if lower == guard.lower and upper == guard.upper:
            return
        guard.lower, guard.upper = lower, upper
        self.reconsider(guard)
        symbol = guard.book.instrument.symbol
        events.append(PriceBandsChanged(seq, ts, symbol, lower, upper, reference, cause))
        if upper:
            self._enforce_bands(guard, seq, ts, events)

    def _enforce_bands(self, guard: Guard, seq: int, ts: int, events: Events) -> None:
        """Resting orders the new bands leave outside: repriced to the band, or cancelled.

        Only bids above the upper band and offers below the lower band could
        trade outside the bands; they sit at the front of their side, so the
        scan stops at the first order inside.
        """
        book = guard.book
        venue = self.venue
        outside: list[Order] = []
        for order in book.bids.orders_in_priority():
            if order.price <= guard.upper:
                break
            outside.append(order)
        for order in book.asks.orders_in_priority():
            if order.price >= guard.lower:
                break
            outside.append(order)
        for order in outside:
            if self.reprice_outside_band:
                band = guard.upper if order.side is _BUY else guard.lower
                venue.move_resting(order, band, events, seq, ts)
            else:
                events.append(venue.cancel_order(order, CancelReason.OUTSIDE_BAND, seq, ts))

    # ------------------------------------------------------------------ order checks

    def check_order(self, cmd: NewOrder, book: Book, price: int, ts: int) -> int | Problem:
        """The price an order may go on at, or why it may not go on at all."""
        guard = self.guards[cmd.instrument]
        if book.cleared_high == UNCLEARED:
            book.cleared_low, book.cleared_high = self.clearance(guard)
        order_type = cmd.order_type
        state = book.state
        if order_type not in self.accepted_types[state]:
            return self._state_refusal(book, _ACTIONS[order_type])
        last = book.last_price
        bps = self.last_trade_bps
        if bps and last and order_type is _LIMIT and abs(price - last) * 10_000 > last * bps:
            return RejectReason.TOO_FAR_FROM_LAST_TRADE, (
                f"{ticks_to_price(price)} is more than {bps} bps from the last trade "
                f"{ticks_to_price(last)}"
            )
        if guard.market_makers and order_type is _LIMIT and cmd.participant in guard.market_makers:
            problem = self._quote_problem(guard, cmd.side, price, ts)
            if problem is not None:
                return problem
        if (
            guard.upper
            and (price > guard.upper if cmd.side is _BUY else price < guard.lower)
            and state in MATCHING_STATES
            and _ACTIONS[order_type] is not _STOP_ACTION
        ):
            banded = self.band_price(guard, cmd.side, price, order_type is not _LIMIT)
            if isinstance(banded, tuple):
                return banded
            price = banded
        if cmd.marking is _SHORT and guard.short_sale is not None:
            return self._short_sale_test(guard, cmd.side, price, ts)
        return price

    def check_report(self, book: Book, price: int) -> Problem | None:
        """Why a trade reported off the book may not print now, or None.

        A trading pause (LULD's, a single-stock breaker's) stops trading
        everywhere, as a halt does (the venue refuses that one already), and
        the LULD bands bind every trading centre: a reported trade prints
        outside a pause and inside the bands when bands are in force. Calls
        of the venue's own (the opening call, a volatility auction, stop
        logic) stop only its own matching, and so do price tolerances.
        """
        symbol = book.instrument.symbol
        if book.state is _PAUSED:
            return RejectReason.STATE_REFUSES, (
                f"{symbol} is paused, everywhere: a reported trade is not accepted"
            )
        guard = self.guards[symbol]
        if guard.upper and not guard.lower <= price <= guard.upper:
            return RejectReason.OUTSIDE_BAND, (
                f"{ticks_to_price(price)} is outside {symbol}'s price bands "
                f"{ticks_to_price(guard.lower)} to {ticks_to_price(guard.upper)}"
            )
        return None

    def clearance(self, guard: Guard) -> tuple[int, int]:
        """The prices at which an unmarked limit order, or a market order collared to one,
        needs nothing of the rules.

        :meth:`check_order` takes such an order as it is, and, resting, it
        cannot bring the quote to a band (the range lies strictly inside the
        bands, and is empty unless the quote is inside them now). The venue
        skips the check, and :meth:`run` what comes after it, for an order
        priced in this range, the common case; so it is worked out in
        advance, and forgotten (:meth:`reconsider`) whenever a command may
        have changed what it depends on: the trading state, the bands, the
        quote, the last trade, the designations. The next order checked
        works it out again. Empty where no price passes without the order's
        details: a call (each order moves the indicative price), a state
        that takes no limit orders, designated market makers (whose quotes
        are checked per participant), LULD outside its normal state.
        """
        book = guard.book
        if book.state not in self.clearable_states or guard.market_makers:
            return _NOTHING_CLEARED
        low, high = 1, MAX_PRICE
        monitor = guard.luld
        if monitor is not None:
            lower, upper = guard.lower, guard.upper
            bid, ask = guard.national_best()
            if not (monitor.state is _NORMAL and upper and quote_within(bid, ask, lower, upper)):
                return _NOTHING_CLEARED
            low, high = lower + 1, upper - 1  # resting there, an order leaves the quote inside
        elif guard.upper:
            low, high = guard.lower, guard.upper
        bps = self.last_trade_bps
        if bps:  # not moved beyond bps from the last trade now
            last = book.last_price
            if last:
                near_low, near_high = unmoved_range(last, bps)
                low, high = max(low, near_low), min(high, near_high)
            if guard.upper:
                # and for every last trade to come until the bands move: continuous trades
                # print inside them, so the range needs no working out per trade.
                low = max(low, unmoved_range(guard.upper, bps)[0])
                high = min(high, unmoved_range(guard.lower, bps)[1])
        return low, high

    @staticmethod
    def reconsider(guard: Guard) -> None:
        """Forget the instrument's :meth:`clearance`: what it depends on may have changed."""
        guard.book.cleared_high = UNCLEARED

    def check_replace(self, order: Order, book: Book, price: int, ts: int) -> int | Problem:
        if Action.REPLACE not in self.accepts[book.state]:
            return self._state_refusal(book, Action.REPLACE)
        guard = self.guards[order.instrument]
        if guard.market_makers and order.participant in guard.market_makers:
            problem = self._quote_problem(guard, order.side, price, ts)
            if problem is not None:
                return problem
        if guard.upper and book.state in MATCHING_STATES:
            return self.band_price(guard, order.side, price, False)
        return price

    def band_price(self, guard: Guard, side: Side, price: int, market: bool) -> int | Problem:
        """An order's price limited to the LULD band it would run through."""
        band = guard.upper if side is _BUY else guard.lower
        if not ((price > band) if side is _BUY else (price < band)):
            return price
        if market or self.reprice_outside_band:
            return band
        which = "upper" if side is _BUY else "lower"
        return RejectReason.OUTSIDE_BAND, (
            f"{ticks_to_price(price)} is beyond {guard.book.instrument.symbol}'s {which} "
            f"price band {ticks_to_price(band)}"
        )

    def market_price(self, side: Side, book: Book) -> int | Problem:
        """The limit a market order becomes under the rulebook's ``[collars]``.

        Without collars a market order is not collared: it may sweep the
        book to the last tick, as on 6 May 2010 (and in RTGS a buy must then
        hold cash for that worst case).
        """
        tick = book.tick
        collars = self.collars
        if collars is None or collars.market_orders is MarketOrders.ACCEPT:
            return MAX_PRICE - MAX_PRICE % tick if side is _BUY else tick
        reference = book.reference()
        key = (side, reference, tick)
        limit = self.market_limits.get(key)  # the same reference gives the same collar
        if limit is not None:
            return limit
        check = check_market_order(collars, side, reference, tick)
        if check.verdict is Verdict.REJECT:
            if check.reason == RejectReason.NO_REFERENCE_PRICE.value:
                return RejectReason.NO_REFERENCE_PRICE, (
                    f"{book.instrument.symbol} has no reference price to collar a market order"
                )
            return RejectReason.MARKET_ORDERS_NOT_ACCEPTED, "this venue accepts limit orders only"
        if len(self.market_limits) >= _MARKET_LIMITS_KEPT:
            self.market_limits.clear()
        self.market_limits[key] = check.price
        return check.price

    def election_price(self, order: Order, book: Book) -> int | None:
        """An elected stop's price inside the bands, or None when it must be cancelled."""
        guard = self.guards[order.instrument]
        if not guard.upper:
            return order.price
        found = self.band_price(guard, order.side, order.price, False)
        return None if isinstance(found, tuple) else found

    def _state_refusal(self, book: Book, action: Action) -> Problem:
        state = book.state
        reason = _STATE_REASONS.get(state, RejectReason.STATE_REFUSES)
        return reason, f"{book.instrument.symbol} is {state.value}: {action.value} is not accepted"

    def _short_sale_test(self, guard: Guard, side: Side, price: int, ts: int) -> int | Problem:
        restriction = guard.short_sale
        params = self.rulebook.short_sale
        assert restriction is not None and params is not None
        if not restriction.restricted(ts):
            return price
        book = guard.book
        best_bid = guard.national_best()[0]
        check = price_test(params, True, side, SaleMarking.SHORT, price, best_bid, book.tick)
        if check.verdict is Verdict.REJECT:
            return RejectReason.SHORT_SALE_PRICE_TEST, (
                f"{book.instrument.symbol} is under the short-sale price test: a short sale must "
                f"be priced above the national best bid {ticks_to_price(best_bid)}"
            )
        return check.price

    # ------------------------------------------------------------------ quoting obligations

    def designate(self, instrument: str, market_maker: str, designated: bool) -> None:
        guard = self.guards[instrument]
        if designated:
            guard.market_makers = guard.market_makers | {market_maker}
        else:
            guard.market_makers = guard.market_makers - {market_maker}

    def _quote_problem(self, guard: Guard, side: Side, price: int, ts: int) -> Problem | None:
        params = self.quoting
        return quote_problem(params, guard, side, price, ts) if params is not None else None

    def _enforce_quotes(self, guard: Guard, seq: int, ts: int, events: Events) -> None:
        params = self.quoting
        if params is not None:
            for order in drifted_quotes(params, guard, ts):
                events.append(self.venue.cancel_order(order, CancelReason.QUOTE_DRIFTED, seq, ts))

    # ------------------------------------------------------------------ interruptions

    def trade_keys(
        self, book: Book, is_buy: bool, dynamic: int, anchor: int, ts: int
    ) -> tuple[int, int]:
        """The book keys an incoming order may trade between without an interruption.

        Keys are the opposite side's (ask prices for a buy, negated bid
        prices for a sell), so matching walks them upwards. ``dynamic`` is
        the last trade before the order (0: none yet, and the static
        reference stands in); ``anchor`` the price that elected it when it
        is a stop, else 0. A price exactly at a tolerance trades.
        """
        guard = self.guards[book.instrument.symbol]
        dynamic = dynamic or guard.static_reference  # no trade yet: the last auction's price
        floor, ceiling = 0, NEVER  # the prices that still trade
        limits: list[tuple[int, int | None]] = []
        volatility = self.volatility
        if volatility is not None:
            limits += [
                (guard.static_reference, volatility.static_bps),
                (dynamic, volatility.dynamic_bps),
            ]
        if anchor and self.stop_logic is not None:
            limits.append((anchor, self.stop_logic.threshold_bps))
        for reference, bps in limits:
            if bps is not None and reference:
                low, high = unmoved_range(reference, bps)
                floor, ceiling = max(floor, low), min(ceiling, high)
        replenishment = guard.replenishment
        if replenishment is not None:
            low, high = replenishment.price_range(ts)
            if low:
                floor, ceiling = max(floor, low), min(ceiling, high)
        return (floor, ceiling) if is_buy else (-ceiling, -floor)

    def interrupt(
        self, book: Book, price: int, dynamic: int, anchor: int, seq: int, ts: int, events: Events
    ) -> None:
        """An order would trade at ``price``, beyond what :meth:`trade_keys` allowed: stop trading.

        A broken tolerance starts a volatility auction, with the ``[auctions]``
        random uncross and collar extensions; a move beyond a liquidity
        replenishment point, an auction of the section's length (cause
        ``liquidity_replenishment``); otherwise the order is an elected stop
        beyond the threshold, and the book goes into the reserved state until
        stop logic's review lets it uncross.
        """
        guard = self.guards[book.instrument.symbol]
        volatility = self.volatility
        breach = (
            tolerance_breach(
                volatility, price, guard.static_reference, dynamic or guard.static_reference
            )
            if volatility is not None
            else None
        )
        replenishment = guard.replenishment
        low, high = replenishment.price_range(ts) if replenishment is not None else (0, 0)
        self._stand_aside(guard, ts, seq, events)
        if volatility is not None and breach is not None:
            self._change(guard, _VOLATILITY_AUCTION, f"{breach.value}_tolerance", seq, ts, events)
            ends = ts + volatility.auction_seconds * NS_PER_SECOND
            self._start_call(guard, ends, _VOLATILITY, seq)
        elif self.lrp is not None and low and not low <= price <= high:
            self._change(guard, _VOLATILITY_AUCTION, _REPLENISH, seq, ts, events)
            self._start_call(guard, ts + self.lrp.auction_seconds * NS_PER_SECOND, _REPLENISH, seq)
        else:
            params = self.stop_logic
            reserve = stop_logic_trigger(params, ts, anchor, price) if params else None
            assert reserve is not None, "an interruption no rule accounts for"
            self._change(guard, _RESERVED, _STOP_LOGIC, seq, ts, events)
            self._start_call(guard, reserve.until, _STOP_LOGIC, seq)
            guard.reserve = reserve
        guard.refresh_due()

    # ------------------------------------------------------------------ after each command

    def after(self, guard: Guard | None, events: Events, seq: int, ts: int) -> None:
        """Feed the command's continuous trades and the new quote to its instrument's rules.

        A command's continuous trades, and a trade reported off the book
        (it touches no order), are all in the one instrument it is about;
        the prints of an uncross (no aggressor, between orders) are the
        auction's, which LULD and the breakers do not count.
        """
        if guard is None:
            return
        count = len(events)
        if count > 1 or (count and type(events[0]) is Trade):  # trades, perhaps a reported one
            if not guard.upper:  # a last trade with no band to keep it in moves the clearance
                self.reconsider(guard)
            for index in range(count):
                event = events[index]
                if type(event) is Trade and (event.aggressor is not None or not event.buy_order_id):
                    self._on_trade(guard, ts, event.price, seq, events)
        self.requote(guard, events, seq, ts)

    def after_cancels(self, cancels: Events, events: Events, seq: int, ts: int) -> None:
        """Cancels in any number of instruments at once (a disconnect, a mass cancel across
        instruments, a settlement fail, a kill switch): each instrument they touch meets its
        new quote at once, in listing order, not at the next command about it.

        What time had made due in them came before the cancels
        (:meth:`catch_up_all`). What the new quotes set off is appended to
        ``events``, after the cancels.
        """
        touched = {event.instrument for event in cancels if type(event) is OrderCancelled}
        if not touched:
            return
        for guard in self.guards.values():
            if guard.book.instrument.symbol in touched:
                self.requote(guard, events, seq, ts)

    def requote(self, guard: Guard, events: Events, seq: int, ts: int) -> None:
        """The instrument's quote as the command left it: market makers' obligations, LULD's
        limit state and straddle, or, in a call, the indicative price."""
        state = guard.book.state
        if state in MATCHING_STATES:
            if guard.market_makers:
                self._enforce_quotes(guard, seq, ts, events)
            monitor = guard.luld
            if monitor is None:
                return
            nbbo = guard.nbbo
            if nbbo is None:
                book = guard.book
                keys = book.asks.keys
                ask = keys[0] if keys else 0
                keys = book.bids.keys
                bid = -keys[0] if keys else 0
            else:
                bid, ask = nbbo.bid, nbbo.ask
            if monitor.state is _NORMAL and quote_within(bid, ask, guard.lower, guard.upper):
                book = guard.book
                if book.cleared_high == UNCLEARED:  # worked out here, not by the next order
                    book.cleared_low, book.cleared_high = self.clearance(guard)
                return  # nothing a quote can start: no limit state, no straddle
            self.reconsider(guard)  # the quote is at or beyond a band: nothing is cleared
            quoted = monitor.on_quote(ts, Nbbo(bid, ask))
            if quoted:
                self._luld_events(guard, quoted, seq, ts, events)
            guard.refresh_due()
        elif state not in FROZEN_STATES:
            self._publish_indicative(guard, seq, ts, events)

    def _on_trade(self, guard: Guard, ts: int, price: int, seq: int, events: Events) -> None:
        monitor = guard.luld
        if monitor is not None:
            happened = monitor.on_trade(ts, price)
            if happened:
                self._luld_events(guard, happened, seq, ts, events)
                guard.refresh_due()
            elif ts + self.window_ns < guard.due_at:
                # The trade leaves the reference window then: nothing else it did is due sooner.
                guard.due_at = ts + self.window_ns
        if guard.replenishment is not None:
            guard.replenishment.on_trade(ts, price)
        breaker = guard.sscb
        if breaker is not None:
            pause = breaker.on_trade(ts, price)
            if pause is not None:
                self._pause_for(guard, pause.until, "sscb", seq, ts, events)
                guard.refresh_due()
        if price <= guard.short_sale_at:
            self._short_sale_trade(guard, ts, price, seq, events)

    def _short_sale_trade(
        self, guard: Guard, ts: int, price: int, seq: int, events: Events
    ) -> None:
        restriction = guard.short_sale
        if restriction is None or not guard.prior_close:
            return
        trigger = restriction.on_trade(ts, price, guard.prior_close)
        if trigger is not None:
            symbol = guard.book.instrument.symbol
            events.append(
                ShortSaleRestricted(seq, ts, symbol, trigger.price, trigger.through.isoformat())
            )

    def _pause_for(
        self, guard: Guard, until: int, cause: str, seq: int, ts: int, events: Events
    ) -> None:
        """A pause decided by a rule other than LULD: a call that reopens at ``until``."""
        self._stand_aside(guard, ts, seq, events)
        self._change(guard, _PAUSED, cause, seq, ts, events)
        self._start_call(guard, until, _REOPEN, seq)

    def _publish_indicative(self, guard: Guard, seq: int, ts: int, events: Events) -> None:
        result = guard.book.call_result()
        found = (
            (result.price, result.volume, result.imbalance, result.imbalance_side)
            if result is not None
            else None
        )
        if found == guard.indicative:
            return
        guard.indicative = found
        price, volume, imbalance, side = found if found is not None else (0, 0, 0, None)
        symbol = guard.book.instrument.symbol
        events.append(AuctionIndicative(seq, ts, symbol, price, volume, imbalance, side))

    # ------------------------------------------------------------------ commands

    def set_nbbo(self, cmd: SetNbbo) -> None:
        guard = self.guards[cmd.instrument]
        guard.nbbo = Nbbo(cmd.bid, cmd.ask) if cmd.bid or cmd.ask else None

    def index_level(self, cmd: IndexLevel, seq: int, ts: int) -> Events:
        """Feed the market-wide breaker; a halt stops every instrument until it resumes."""
        params = self.rulebook.mwcb
        assert params is not None
        date = self.calendar.trading_date(ts)
        if self.mwcb is None or self.mwcb_date != date.isoformat():
            day = self.calendar.day(date)
            self.mwcb = MarketWideBreaker(params, self.calendar, day, cmd.prior_close)
            self.mwcb_date = date.isoformat()
            self.mwcb_prior_close = cmd.prior_close
        halt = self.mwcb.on_index(ts, cmd.value)
        if halt is None:
            return []
        events: Events = []
        self.catch_up_all(seq, ts, events)  # the halt meets each instrument as time left it
        events.append(
            MarketWideHalt(seq, ts, cmd.index, cmd.value, halt.level, halt.resume_at or 0)
        )
        cause = f"mwcb_level_{halt.level}"
        for guard in self.guards.values():
            if guard.book.state in FROZEN_STATES:
                continue
            self._stand_aside(guard, ts, seq, events)
            self._change(guard, _HALTED, cause, seq, ts, events)
            if guard.session_at == NEVER and guard.day is not None:
                guard.session_at = guard.day.close  # a halted closing call still closes
            guard.refresh_due()
        self.halt_ends = halt.resume_at if halt.resume_at is not None else NEVER
        return events

    def _end_market_halt(self, seq: int, ts: int, events: Events) -> None:
        """A market-wide halt is over: each halted instrument goes into a reopening call."""
        ends = self.halt_ends
        self.halt_ends = NEVER
        reopening = self.auctions.reopening_call_seconds if self.auctions is not None else 0
        for guard in self.guards.values():
            if guard.book.state is _HALTED:
                self._change(guard, _PAUSED, "mwcb_resume", seq, ts, events)
                self._start_call(guard, ends + reopening * NS_PER_SECOND, _REOPEN, seq)
                guard.refresh_due()

    def _stand_aside(self, guard: Guard, ts: int, seq: int, events: Events) -> None:
        """Another rule or an operator stopped trading: no call runs and LULD waits."""
        guard.call_ends = NEVER
        monitor = guard.luld
        if monitor is not None and monitor.state in _LULD_ACTIVE:
            self._luld_events(guard, monitor.halt(ts), seq, ts, events)

    def straddling(self, book: Book) -> bool:
        return self.guards[book.instrument.symbol].straddle

    def discretionary_pause(self, book: Book, seq: int, ts: int) -> Events:
        """An operator's pause of a straddling stock: LULD's pause, with its reopening auction."""
        guard = self.guards[book.instrument.symbol]
        monitor = guard.luld
        assert monitor is not None
        events: Events = []
        self._luld_events(guard, monitor.pause(ts), seq, ts, events)
        guard.refresh_due()
        return events

    def halted_by_operator(self, book: Book, ts: int, seq: int, events: Events) -> None:
        """An operator stopped trading by hand: LULD stands aside until trading resumes."""
        guard = self.guards[book.instrument.symbol]
        self._stand_aside(guard, ts, seq, events)
        guard.refresh_due()

    def resumed_by_operator(
        self, book: Book, price: int, ts: int, seq: int, events: Events
    ) -> None:
        guard = self.guards[book.instrument.symbol]
        self._reopen_luld(guard, ts, price, seq, ts, events)
        guard.refresh_due()
