"""The LULD limit-state machine of one instrument for one trading day (RULES.md §2).

Given eligible trades, the national best bid and offer and the passage of
time, it keeps the reference price and the bands, and reports every
transition with its cause:

- NORMAL → LIMIT_STATE when the best offer reaches the lower band or the
  best bid the upper band; back to NORMAL if the quote leaves the band
  within ``limit_state_seconds``; otherwise PAUSED for ``pause_seconds``.
  A quote that leaves the band at exactly the deadline clears the limit
  state only with ``clear_at_deadline`` (the Plan leaves `<` against `<=`
  open).
- NORMAL ↔ STRADDLE when the best bid is below the lower band or the best
  offer above the upper band without a limit state; no clock runs, and a
  pause is the listing market's discretion (:meth:`LuldMonitor.pause`).
- PAUSED ends with a reopening auction the venue runs when
  ``REOPENING_DUE`` is reported: it calls :meth:`~LuldMonitor.reopen` with
  the auction price, or :meth:`~LuldMonitor.extend` when the price would
  fall outside the auction collars. A pause or an extension that begins
  within ``no_reopen_minutes_before_close`` of the close is not reopened:
  the closing auction resolves it (``CLOSE_RESOLVES_PAUSE``).
- Bands move when the reference price moves, when a doubling window starts
  or ends, and when the widening after a long pause ends. While the
  limit-state clock runs they hold still, so the clock measures one band.

Time is processed at the exact instants the rules name (a deadline, a
window edge, a trade leaving the reference window), not at whatever
moment the next command arrives, so the events do not depend on how
often the venue's clock ticks.
"""

from __future__ import annotations

from enum import StrEnum

import msgspec

from seawall.safeguards.calendar import TradingDay
from seawall.safeguards.luld import (
    NO_BANDS,
    Bands,
    LuldParams,
    LuldTier,
    ReferenceTracker,
    ReferenceTrackerState,
    doubles,
    price_bands,
)
from seawall.safeguards.nbbo import Nbbo
from seawall.safeguards.units import NS_PER_MINUTE, NS_PER_SECOND

NEVER = (1 << 63) - 1  # an instant that never comes


class LuldState(StrEnum):
    INACTIVE = "inactive"  # before the open or after the close: no bands
    NORMAL = "normal"
    STRADDLE = "straddle"
    LIMIT_STATE = "limit_state"
    PAUSED = "paused"  # a trading pause, or a halt decided by another rule


class LuldCause(StrEnum):
    OPENED = "opened"
    REFERENCE_MOVED = "reference_moved"
    DOUBLING_STARTED = "doubling_started"
    DOUBLING_ENDED = "doubling_ended"
    WIDENING_ENDED = "widening_ended"
    OFFER_AT_LOWER_BAND = "offer_at_lower_band"
    BID_AT_UPPER_BAND = "bid_at_upper_band"
    LIMIT_STATE_CLEARED = "limit_state_cleared"
    LIMIT_STATE_TIMED_OUT = "limit_state_timed_out"
    STRADDLE_ENTERED = "straddle_entered"
    STRADDLE_CLEARED = "straddle_cleared"
    DISCRETIONARY_PAUSE = "discretionary_pause"
    HALTED = "halted"
    REOPENING_DUE = "reopening_due"
    PAUSE_EXTENDED = "pause_extended"
    CLOSE_RESOLVES_PAUSE = "close_resolves_pause"
    REOPENED = "reopened"
    CLOSED = "closed"


class LuldEvent(msgspec.Struct, frozen=True):
    """What happened at ``at`` and why, with the state and bands that follow from it.

    While paused, ``lower`` and ``upper`` are the bands in force when the
    pause began (for the reopening auction's collars); they restrain no
    order until the instrument reopens.
    """

    at: int
    cause: LuldCause
    state: LuldState
    reference: int
    lower: int
    upper: int


class LuldMonitorState(msgspec.Struct, frozen=True, array_like=True):
    """A :class:`LuldMonitor`'s mutable state; what the day and the params fix is not in it.

    Fields that can no longer matter (a deadline outside a limit state, a
    widening that has ended, the quote in a limit state or after the close)
    hold their initial values, so monitors whose futures are the same export
    equal states.
    """

    state: LuldState
    bands: Bands
    tracker: ReferenceTrackerState
    now: int
    bid: int
    ask: int
    doubled: bool
    widened_until: int
    deadline: int
    reopen_at: int
    paused_at: int


_ACTIVE = (LuldState.NORMAL, LuldState.STRADDLE, LuldState.LIMIT_STATE)
_MOVABLE = (LuldState.NORMAL, LuldState.STRADDLE)


class LuldMonitor:
    """LULD for one instrument on one trading day; every method returns the events it caused.

    ``leverage`` is a leveraged ETP's stated leverage (its absolute value
    multiplies the percentage parameter); 1 for everything else.
    """

    __slots__ = (
        "_ask",
        "_banded",
        "_banded_factor",
        "_banded_reference",
        "_bid",
        "_close",
        "_deadline",
        "_double_from",
        "_double_until",
        "_doubled",
        "_leverage",
        "_no_reopen_from",
        "_now",
        "_params",
        "_paused_at",
        "_prior_close",
        "_quiet_until",
        "_reopen_at",
        "_tier",
        "_tracker",
        "_widened_until",
        "_window_ns",
        "bands",
        "state",
    )

    def __init__(
        self,
        params: LuldParams,
        day: TradingDay,
        tier: LuldTier,
        prior_close: int,
        leverage: int = 1,
    ) -> None:
        self._params = params
        self._tier = tier
        self._prior_close = prior_close
        self._leverage = abs(leverage)
        self._close = day.close
        self._no_reopen_from = day.close - params.no_reopen_minutes_before_close * NS_PER_MINUTE
        doubling = doubles(params, tier, prior_close)
        self._double_until = (
            day.open + params.open_doubling_minutes * NS_PER_MINUTE if doubling else 0
        )
        self._double_from = (
            day.close - params.close_doubling_minutes * NS_PER_MINUTE
            if doubling and params.close_doubling_minutes
            else NEVER
        )
        self._window_ns = params.reference_window_seconds * NS_PER_SECOND
        self._tracker = ReferenceTracker(
            self._window_ns,
            params.reference_move_bps,
            params.reference_min_seconds * NS_PER_SECOND,
        )
        self._doubled = False
        self._widened_until = 0
        self._deadline = NEVER
        self._reopen_at = NEVER
        self._paused_at = 0
        self._now = 0
        self._bid = 0
        self._ask = 0
        self.state = LuldState.INACTIVE
        self.bands = NO_BANDS
        self._quiet_until: int | None = None  # see _quiet_horizon; None: to be worked out
        # the last answer of price_bands and what it was asked (no factor is negative)
        self._banded = NO_BANDS
        self._banded_reference = 0
        self._banded_factor = -1

    @property
    def reference(self) -> int:
        return self._tracker.reference

    def open(self, ts: int, price: int) -> list[LuldEvent]:
        """Bands start: the opening price (or the prior close if the stock opens on a quote)."""
        if self.state is not LuldState.INACTIVE or ts >= self._close:
            raise ValueError("LULD opens once a day, before the close")
        self._now = ts
        self._quiet_until = None
        self._tracker.reset(ts, price)
        self.state = LuldState.NORMAL
        self.bands = self._bands_at(ts)
        return [self._event(ts, LuldCause.OPENED)]

    def advance(self, ts: int) -> list[LuldEvent]:
        """Let time pass up to ``ts`` (a clock tick)."""
        events: list[LuldEvent] = []
        self._advance(ts, events)
        return events

    def on_trade(self, ts: int, price: int) -> list[LuldEvent]:
        """An eligible trade (regular hours, not an auction print) enters the reference window.

        Every continuous trade comes here, and almost all of them only join
        the window: before the quiet horizon (:meth:`_quiet_horizon`) no
        instant is due, so time need not be advanced, and unless the trade
        moves the reference the bands and the verdict on the quote stay what
        they are, so they are not worked out again.
        """
        events: list[LuldEvent] = []
        horizon = self._quiet_until
        if horizon is None:
            horizon = self._quiet_until = self._quiet_horizon()
        quiet = self._now <= ts < horizon
        if quiet:
            self._now = ts
        else:
            self._advance(ts, events)
        tracker = self._tracker
        state = self.state
        if state in _ACTIVE:
            tracker.add(ts, price)
        if state in _MOVABLE:
            moved = tracker.update(ts)
            if quiet and not moved:
                expiry = ts + self._window_ns  # the one new instant: the trade leaves the window
                if expiry < horizon:
                    self._quiet_until = expiry
                return events
            self._quiet_until = None  # the bands may move, and with them the verdict on the quote
            self._refresh(ts, moved, events)
            self._evaluate(ts, events)
        return events

    def on_quote(self, ts: int, nbbo: Nbbo) -> list[LuldEvent]:
        """A new national best bid and offer."""
        events: list[LuldEvent] = []
        self._advance(ts - 1 if self._params.clear_at_deadline else ts, events)
        self._bid = nbbo.bid
        self._ask = nbbo.ask
        if self.state in _ACTIVE:
            self._evaluate(ts, events)
        self._advance(ts, events)
        return events

    def pause(self, ts: int) -> list[LuldEvent]:
        """A pause at the listing market's discretion (from a straddle state)."""
        events = self._require(ts, _ACTIVE, "pause")
        self._pause(ts, LuldCause.DISCRETIONARY_PAUSE, events)
        return events

    def halt(self, ts: int) -> list[LuldEvent]:
        """Suspend LULD for a halt another rule decided and times (MWCB, SSCB, regulatory)."""
        events = self._require(ts, _ACTIVE, "halt")
        self._pause(ts, LuldCause.HALTED, events, timed=False)
        return events

    def extend(self, ts: int) -> list[LuldEvent]:
        """The reopening auction's price would fall outside its collars: the pause goes on."""
        events = self._require(ts, (LuldState.PAUSED,), "extend")
        if ts >= self._no_reopen_from:
            self._reopen_at = NEVER
            events.append(self._event(ts, LuldCause.CLOSE_RESOLVES_PAUSE))
        else:
            self._reopen_at = ts + self._params.extension_seconds * NS_PER_SECOND
            events.append(self._event(ts, LuldCause.PAUSE_EXTENDED))
        return events

    def reopen(self, ts: int, price: int) -> list[LuldEvent]:
        """The reopening auction printed ``price``: it becomes the reference price.

        After a pause (or a halt) longer than ``reopen_band_after_pause_seconds``
        the percentage is multiplied by ``reopen_band_factor`` for
        ``reopen_band_seconds``.
        """
        events = self._require(ts, (LuldState.PAUSED,), "reopen")
        params = self._params
        if ts - self._paused_at > params.reopen_band_after_pause_seconds * NS_PER_SECOND:
            self._widened_until = ts + params.reopen_band_seconds * NS_PER_SECOND
        self._tracker.reset(ts, price)
        self._reopen_at = NEVER
        self.state = LuldState.NORMAL
        self.bands = self._bands_at(ts)
        events.append(self._event(ts, LuldCause.REOPENED))
        return events

    def export(self) -> LuldMonitorState:
        """The state a snapshot carries; see :class:`LuldMonitorState`."""
        state = self.state
        now = self._now
        active = state in _ACTIVE
        # a limit state looks only at the next quote, and after the close nothing looks
        quoted = state is not LuldState.LIMIT_STATE and not (
            state is LuldState.INACTIVE and now >= self._close
        )
        return LuldMonitorState(
            state,
            self.bands,
            self._tracker_state(),
            now,
            self._bid if quoted else 0,
            self._ask if quoted else 0,
            self._doubled and active,
            self._widened_until if self._widened_until > now else 0,
            self._deadline if state is LuldState.LIMIT_STATE else NEVER,
            self._reopen_at if state is LuldState.PAUSED else NEVER,
            self._paused_at if state is LuldState.PAUSED else 0,
        )

    def restore(self, state: LuldMonitorState) -> None:
        """Overwrite the state of a monitor built with the same params, day, tier and close."""
        self.state = state.state
        self.bands = state.bands
        self._tracker.restore(state.tracker)
        self._now = state.now
        self._bid = state.bid
        self._ask = state.ask
        self._doubled = state.doubled
        self._widened_until = state.widened_until
        self._deadline = state.deadline
        self._reopen_at = state.reopen_at
        self._paused_at = state.paused_at
        self._quiet_until = None

    def _tracker_state(self) -> ReferenceTrackerState:
        tracker = self._tracker
        if self.state not in _ACTIVE:
            # reopening resets the window, and nothing reads it before the open or after the close
            return ReferenceTrackerState(tracker.reference, 0, ())
        state = tracker.export(self._now)
        if state.changed_at + self._params.reference_min_seconds * NS_PER_SECOND <= self._now:
            # the reference is old enough to move: how old no longer matters
            return msgspec.structs.replace(state, changed_at=0)
        return state

    def _require(self, ts: int, states: tuple[LuldState, ...], action: str) -> list[LuldEvent]:
        events: list[LuldEvent] = []
        self._advance(ts, events)
        if self.state not in states:
            raise ValueError(f"cannot {action} in LULD state {self.state}")
        return events

    def _advance(self, ts: int, events: list[LuldEvent]) -> None:
        # Every change but open, restore and a quiet trade starts here: the horizon is forgotten.
        self._quiet_until = None
        while True:
            instant = self.next_instant()
            if instant > ts:
                break
            self._at(instant, events)
        self._now = max(self._now, ts)

    def next_instant(self) -> int:
        """When the monitor next has something to do unprompted (:data:`NEVER` if nothing)."""
        state = self.state
        if state is LuldState.INACTIVE:
            return NEVER
        instant = self._close
        if state is LuldState.LIMIT_STATE:
            return min(instant, self._deadline)
        if state is LuldState.PAUSED:
            return min(instant, self._reopen_at)
        due = self._tracker.next_due(self._now)
        if due:
            instant = min(instant, due)
        for edge in (self._double_until, self._double_from, self._widened_until):
            if self._now < edge < instant:
                instant = edge
        return instant

    def _at(self, instant: int, events: list[LuldEvent]) -> None:
        self._now = instant
        if instant >= self._close:
            self.state = LuldState.INACTIVE
            self.bands = NO_BANDS
            events.append(self._event(instant, LuldCause.CLOSED))
        elif self.state is LuldState.LIMIT_STATE:
            self._pause(instant, LuldCause.LIMIT_STATE_TIMED_OUT, events)
        elif self.state is LuldState.PAUSED:
            self._reopen_at = NEVER
            events.append(self._event(instant, LuldCause.REOPENING_DUE))
        else:
            self._refresh(instant, self._tracker.update(instant), events)
            self._evaluate(instant, events)

    def _pause(
        self, ts: int, cause: LuldCause, events: list[LuldEvent], timed: bool = True
    ) -> None:
        """Pause; a ``timed`` pause reopens after ``pause_seconds`` unless the close is near."""
        self.state = LuldState.PAUSED
        self._paused_at = ts
        self._deadline = NEVER
        self._reopen_at = NEVER
        self._bid = self._ask = 0
        events.append(self._event(ts, cause))
        if not timed:
            return
        if ts >= self._no_reopen_from:
            events.append(self._event(ts, LuldCause.CLOSE_RESOLVES_PAUSE))
        else:
            self._reopen_at = ts + self._params.pause_seconds * NS_PER_SECOND

    def _quiet_horizon(self) -> int:
        """The instant before which a trade can only join the window and perhaps move the reference.

        That is the next instant (:meth:`next_instant`) while the monitor is
        normal, the quote is strictly inside the bands and the bands are those
        of ``now``; otherwise ``now`` itself (no trade is quiet). Before that
        instant no window edge passes, so with the same reference the bands
        stay, and so does the verdict on the quote.
        """
        now = self._now
        if (
            self.state is not LuldState.NORMAL
            or self._limit_cause() is not None
            or self._straddles()
        ):
            return now
        doubled = self._doubles_at(now)
        if doubled != self._doubled or self._bands_for(now, doubled) != self.bands:
            return now
        return self.next_instant()

    def _doubles_at(self, ts: int) -> bool:
        """Whether ``ts`` falls in a doubling window (the open's or the close's)."""
        return ts < self._double_until or ts >= self._double_from

    def _bands_at(self, ts: int) -> Bands:
        """The bands at ``ts`` for the current reference; records whether they are doubled."""
        doubled = self._doubled = self._doubles_at(ts)
        return self._bands_for(ts, doubled)

    def _bands_for(self, ts: int, doubled: bool) -> Bands:
        """The bands at ``ts``, doubled or not, for the current reference.

        Most refreshes find the reference and the factor unchanged, so the
        last answer of :func:`price_bands` is kept and given again for them.
        """
        factor = self._leverage * (2 if doubled else 1)
        if ts < self._widened_until:
            factor *= self._params.reopen_band_factor
        reference = self._tracker.reference
        if reference != self._banded_reference or factor != self._banded_factor:
            self._banded = price_bands(
                self._params, self._tier, self._prior_close, reference, factor
            )
            self._banded_reference = reference
            self._banded_factor = factor
        return self._banded

    def _refresh(self, ts: int, moved: bool, events: list[LuldEvent]) -> None:
        """New bands at ``ts``, after the reference ``moved`` (or not) there."""
        was_doubled = self._doubled
        bands = self._bands_at(ts)
        if bands == self.bands:
            return
        self.bands = bands
        if moved:
            cause = LuldCause.REFERENCE_MOVED
        elif self._doubled != was_doubled:
            cause = LuldCause.DOUBLING_STARTED if self._doubled else LuldCause.DOUBLING_ENDED
        else:
            cause = LuldCause.WIDENING_ENDED
        events.append(self._event(ts, cause))

    def _limit_cause(self) -> LuldCause | None:
        if self._ask and self._ask <= self.bands.lower:
            return LuldCause.OFFER_AT_LOWER_BAND
        if self._bid and self._bid >= self.bands.upper:
            return LuldCause.BID_AT_UPPER_BAND
        return None

    def _straddles(self) -> bool:
        """Whether the quote lies across a band without touching it (see the module docstring)."""
        bands = self.bands
        return (0 < self._bid < bands.lower) or (self._ask > bands.upper)

    def _evaluate(self, ts: int, events: list[LuldEvent]) -> None:
        cause = self._limit_cause()
        if self.state is LuldState.LIMIT_STATE:
            if cause is not None:
                return
            self.state = LuldState.NORMAL
            self._deadline = NEVER
            events.append(self._event(ts, LuldCause.LIMIT_STATE_CLEARED))
            self._refresh(ts, self._tracker.update(ts), events)
            cause = self._limit_cause()
        if cause is not None:
            self.state = LuldState.LIMIT_STATE
            self._deadline = ts + self._params.limit_state_seconds * NS_PER_SECOND
            events.append(self._event(ts, cause))
            return
        straddle = self._straddles()
        if straddle and self.state is LuldState.NORMAL:
            self.state = LuldState.STRADDLE
            events.append(self._event(ts, LuldCause.STRADDLE_ENTERED))
        elif not straddle and self.state is LuldState.STRADDLE:
            self.state = LuldState.NORMAL
            events.append(self._event(ts, LuldCause.STRADDLE_CLEARED))

    def _event(self, ts: int, cause: LuldCause) -> LuldEvent:
        bands = self.bands
        return LuldEvent(ts, cause, self.state, self._tracker.reference, bands.lower, bands.upper)
