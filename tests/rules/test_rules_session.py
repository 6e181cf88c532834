"""The session clock: closed, pre-open, the opening call and uncross, continuous trading,
the closing call and uncross, expiry at the close, and the next trading day.

Every instant is read from the rulebook: the ``[session]`` hours, holidays and
early closes, and the ``[auctions]`` call lengths.
"""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from rules_support import (
    LSE,
    MINUTE,
    PRIOR_CLOSE,
    SECOND,
    SYMBOL,
    US_TODAY,
    RuledMarket,
    accepted,
    banded,
    bands,
    changed,
    next_trading_day,
    ny,
    restored_copy,
    tick_at,
    trade,
)

from orders_support import OPERATOR, bare, usd
from seawall import Instrument, Rulebook, Side
from seawall.core.commands import Cancel, ClockTick, ListInstrument
from seawall.core.events import (
    AuctionIndicative,
    AuctionUncrossed,
    CancelReason,
    Event,
    InstrumentListed,
    OrderCancelled,
    PriceBandsChanged,
    Rejected,
    RejectReason,
    StraddleChanged,
    TradingStateChanged,
)
from seawall.core.state import state_hash
from seawall.core.types import TimeInForce, TradingState

# ---------------------------------------------------------------------- the rulebook's calendar


def wall(rulebook: Rulebook, day: dt.date, time: dt.time) -> int:
    """Nanoseconds since the epoch of local ``time`` on ``day`` in the rulebook's time zone."""
    local = dt.datetime.combine(day, time, tzinfo=ZoneInfo(rulebook.session.timezone))
    return int(local.timestamp()) * SECOND


def close_of(rulebook: Rulebook, day: dt.date) -> dt.time:
    for early in rulebook.session.early_closes:
        if early.date == day:
            return early.close
    return rulebook.session.close


class Hours:
    """One trading day's instants under a rulebook, as the rulebook states them."""

    def __init__(self, rulebook: Rulebook, day: dt.date) -> None:
        session, auctions = rulebook.session, rulebook.auctions
        assert auctions is not None
        self.pre_open = wall(rulebook, day, session.pre_open)
        self.open = wall(rulebook, day, session.open)
        self.close = wall(rulebook, day, close_of(rulebook, day))
        self.opening_call = max(self.open - auctions.opening_call_seconds * SECOND, self.pre_open)
        self.closing_call = self.close - auctions.closing_call_seconds * SECOND


# ---------------------------------------------------------------------- expected events


def quiet_until(market: RuledMarket, ts: int) -> list[Event]:
    """Nothing happens up to one nanosecond before ``ts``; then what happens at ``ts``."""
    assert tick_at(market, ts - 1) == []
    return bare(tick_at(market, ts))


# ---------------------------------------------------------------------- a US trading day


def test_a_us_trading_day_from_before_the_pre_open_to_the_next_days_pre_open() -> None:
    auctions, luld = US_TODAY.auctions, US_TODAY.luld
    assert auctions is not None and luld is not None
    assert auctions.random_uncross_seconds == 0  # US auctions uncross on the scheduled instant
    friday = dt.date(2026, 11, 20)
    hours = Hours(US_TODAY, friday)
    market = RuledMarket(US_TODAY, day=friday.isoformat(), clock="03:00:00")

    # Listed before the pre-open: closed, and orders are refused
    assert market.ts < hours.pre_open
    listed = bare(market.listed)
    assert isinstance(listed[0], InstrumentListed)
    assert listed[1:] == [changed(TradingState.CONTINUOUS, TradingState.CLOSED, "session")]
    refused = market.buy("alice", 100, "102.00")
    assert isinstance(refused[0], Rejected) and refused[0].reason is RejectReason.MARKET_CLOSED

    # Pre-open: orders rest, nothing matches, the indicative uncross is published
    assert quiet_until(market, hours.pre_open) == [
        changed(TradingState.CLOSED, TradingState.PRE_OPEN, "pre_open")
    ]
    opening_price = usd("102.00")  # the only price at which these orders cross
    assert bare(market.buy("alice", 100, "102.00")) == [
        accepted(2, "alice", Side.BUY, opening_price, 100)
    ]
    assert bare(market.sell("carol", 50, "102.00")) == [
        accepted(3, "carol", Side.SELL, opening_price, 50),
        AuctionIndicative(0, 0, SYMBOL, opening_price, 50, 50, Side.BUY),
    ]
    gtc = TimeInForce.GTC
    assert bare(market.sell("dan", 100, "110.00", tif=gtc)) == [
        accepted(4, "dan", Side.SELL, usd("110.00"), 100, tif=gtc)
    ]
    assert bare(market.buy("bob", 10, "90.00")) == [accepted(5, "bob", Side.BUY, usd("90.00"), 10)]

    # The opening call, then the uncross at the open; the bands open around its price
    assert quiet_until(market, hours.opening_call) == [
        changed(TradingState.PRE_OPEN, TradingState.OPENING_AUCTION, "opening_call")
    ]
    lower, upper = bands(US_TODAY, opening_price)
    assert quiet_until(market, hours.open) == [
        changed(TradingState.OPENING_AUCTION, TradingState.CONTINUOUS, "open"),
        AuctionUncrossed(0, 0, SYMBOL, opening_price, 50, 50, Side.BUY),
        trade(1, opening_price, 50, None, (2, "alice", 50), (3, "carol", 0)),
        banded(lower, upper, opening_price, "opened"),
        StraddleChanged(0, 0, SYMBOL, True, lower, upper),  # Dan's $110.00 offer is above
    ]
    assert market.state == "continuous"

    # The last minutes of continuous trading double the bands (us-today: Tier 1, all prices)
    doubling = hours.close - luld.close_doubling_minutes * MINUTE
    doubled = bands(US_TODAY, opening_price, 2)
    assert quiet_until(market, doubling) == [
        banded(*doubled, opening_price, "doubling_started"),
        StraddleChanged(0, 0, SYMBOL, False, *doubled),  # $110.00 is inside the doubled bands
    ]

    # The closing call, then the closing uncross; day orders expire, the GTC order stays
    assert quiet_until(market, hours.closing_call) == [
        changed(TradingState.CONTINUOUS, TradingState.CLOSING_AUCTION, "closing_call")
    ]
    assert bare(market.sell("carol", 50, "102.00")) == [
        accepted(6, "carol", Side.SELL, opening_price, 50),
        AuctionIndicative(0, 0, SYMBOL, opening_price, 50, 0, None),
    ]
    assert quiet_until(market, hours.close) == [
        banded(0, 0, opening_price, "closed"),
        AuctionUncrossed(0, 0, SYMBOL, opening_price, 50, 0, None),
        trade(2, opening_price, 50, None, (2, "alice", 0), (6, "carol", 0)),
        changed(TradingState.CLOSING_AUCTION, TradingState.CLOSED, "close"),
        OrderCancelled(0, 0, 5, "B", SYMBOL, 10, CancelReason.EXPIRED),
    ]
    assert market.state == "closed"

    # The next trading day (after the weekend) begins at its pre-open; the GTC order is there
    monday = next_trading_day(US_TODAY, friday)
    assert monday == dt.date(2026, 11, 23)
    following = Hours(US_TODAY, monday)
    assert quiet_until(market, following.pre_open) == [
        changed(TradingState.CLOSED, TradingState.PRE_OPEN, "pre_open")
    ]
    assert quiet_until(market, following.opening_call) == [
        changed(TradingState.PRE_OPEN, TradingState.OPENING_AUCTION, "opening_call")
    ]
    # nothing crosses: the stock opens on a quote, its bands around the prior close (the close)
    assert quiet_until(market, following.open) == [
        changed(TradingState.OPENING_AUCTION, TradingState.CONTINUOUS, "open"),
        banded(lower, upper, opening_price, "opened"),
        StraddleChanged(0, 0, SYMBOL, True, lower, upper),  # Dan's GTC offer at $110.00
    ]
    market.ts = following.open + MINUTE
    assert bare(market.do(Cancel("bob", 5))) == [
        Rejected(0, 0, "cancel", "bob", RejectReason.UNKNOWN_ORDER, "order 5 is not open", "", 5)
    ]
    assert bare(market.do(Cancel("dan", 4))) == [
        OrderCancelled(0, 0, 4, "D", SYMBOL, 100, CancelReason.USER),
        StraddleChanged(0, 0, SYMBOL, False, lower, upper),
    ]


def test_the_close_before_a_holiday_and_an_early_close_day() -> None:
    """Wednesday 25 November 2026, Thanksgiving, and Friday 27 November closing at 13:00."""
    luld = US_TODAY.luld
    assert luld is not None
    wednesday = dt.date(2026, 11, 25)
    market = RuledMarket(US_TODAY, day=wednesday.isoformat(), clock="15:00:00")
    assert market.state == "continuous"
    first = Hours(US_TODAY, wednesday)
    tick_at(market, first.close)
    assert market.state == "closed"

    friday = next_trading_day(US_TODAY, wednesday)
    assert friday == dt.date(2026, 11, 27)  # Thursday the 26th is a holiday
    assert close_of(US_TODAY, friday) == dt.time(13, 0)
    hours = Hours(US_TODAY, friday)
    assert tick_at(market, wall(US_TODAY, dt.date(2026, 11, 26), dt.time(12, 0))) == []
    assert market.state == "closed"
    assert quiet_until(market, hours.pre_open) == [
        changed(TradingState.CLOSED, TradingState.PRE_OPEN, "pre_open")
    ]
    tick_at(market, hours.open)
    assert market.state == "continuous"
    # the doubling and the closing call move with the early close
    doubling = hours.close - luld.close_doubling_minutes * MINUTE
    assert quiet_until(market, doubling) == [
        banded(*bands(US_TODAY, PRIOR_CLOSE, 2), PRIOR_CLOSE, "doubling_started")
    ]
    assert quiet_until(market, hours.closing_call) == [
        changed(TradingState.CONTINUOUS, TradingState.CLOSING_AUCTION, "closing_call")
    ]
    assert quiet_until(market, hours.close) == [
        banded(0, 0, PRIOR_CLOSE, "closed"),
        changed(TradingState.CLOSING_AUCTION, TradingState.CLOSED, "close"),
    ]
    monday = Hours(US_TODAY, next_trading_day(US_TODAY, friday))
    assert quiet_until(market, monday.pre_open) == [
        changed(TradingState.CLOSED, TradingState.PRE_OPEN, "pre_open")
    ]


def test_a_listing_after_the_close_waits_for_the_next_trading_days_pre_open() -> None:
    friday = dt.date(2026, 11, 20)
    market = RuledMarket(US_TODAY, day=friday.isoformat(), clock="17:00:00")
    assert market.state == "closed"
    monday = Hours(US_TODAY, next_trading_day(US_TODAY, friday))
    assert quiet_until(market, monday.pre_open) == [
        changed(TradingState.CLOSED, TradingState.PRE_OPEN, "pre_open")
    ]


# ---------------------------------------------------------------------- London: a random uncross

LSE_DAY = dt.date(2026, 11, 20)


def lse_market(extra_command: bool) -> RuledMarket:
    """An LSE book in its opening call with 100 crossing at £100.00 (listed at 07:00 London)."""
    market = RuledMarket(LSE, day=LSE_DAY.isoformat(), clock="02:00:00")
    assert market.state == "closed"
    if extra_command:  # shifts the sequence number of the command that begins the call
        tick_at(market, wall(LSE, LSE_DAY, dt.time(7, 30)))
    hours = Hours(LSE, LSE_DAY)
    assert hours.opening_call == hours.pre_open  # the call is the whole pre-open
    assert bare(tick_at(market, hours.opening_call)) == [
        changed(TradingState.CLOSED, TradingState.PRE_OPEN, "pre_open"),
        changed(TradingState.PRE_OPEN, TradingState.OPENING_AUCTION, "opening_call"),
    ]
    market.buy("alice", 100, "100.00")
    market.sell("carol", 100, "100.00")
    return market


def lse_uncross_instant(extra_command: bool) -> int:
    """The first instant at which a clock tick finds the book open (by replaying the day)."""
    auctions = LSE.auctions
    assert auctions is not None
    hours = Hours(LSE, LSE_DAY)
    lo, hi = hours.open - 1, hours.open + auctions.random_uncross_seconds * SECOND

    def opened_by(ts: int) -> bool:
        market = lse_market(extra_command)
        tick_at(market, ts)
        return market.state == "continuous"

    assert not opened_by(lo) and opened_by(hi)
    while hi - lo > 1:
        mid = (lo + hi) // 2
        if opened_by(mid):
            hi = mid
        else:
            lo = mid
    return hi


def test_lse_opens_at_a_random_instant_within_the_window_the_same_on_every_replay() -> None:
    auctions = LSE.auctions
    assert auctions is not None and auctions.random_uncross_seconds > 0
    hours = Hours(LSE, LSE_DAY)
    instant = lse_uncross_instant(extra_command=False)
    assert hours.open <= instant <= hours.open + auctions.random_uncross_seconds * SECOND
    assert lse_uncross_instant(extra_command=False) == instant  # the same commands, the same draw
    other = lse_uncross_instant(extra_command=True)
    assert hours.open <= other <= hours.open + auctions.random_uncross_seconds * SECOND
    assert other != instant  # another command sequence, another draw
    market = lse_market(extra_command=False)
    assert tick_at(market, instant - 1) == []
    assert bare(tick_at(market, instant)) == [
        changed(TradingState.OPENING_AUCTION, TradingState.CONTINUOUS, "open"),
        AuctionUncrossed(0, 0, SYMBOL, PRIOR_CLOSE, 100, 0, None),
        trade(1, PRIOR_CLOSE, 100, None, (1, "alice", 0), (2, "carol", 0)),
    ]


# ---------------------------------------------------------------------- listing mid-session


def replay_states(events: list[Event]) -> list[tuple[TradingState, TradingState]]:
    """``(state the stream said it was in, previous the change names)`` for each change."""
    pairs: list[tuple[TradingState, TradingState]] = []
    state: TradingState | None = None
    for event in events:
        if isinstance(event, InstrumentListed):
            state = event.state
        elif isinstance(event, TradingStateChanged):
            assert state is not None
            pairs.append((state, event.previous))
            state = event.state
    return pairs


def test_a_listing_in_the_pre_open_reports_one_change_from_the_listed_state() -> None:
    market = RuledMarket(US_TODAY, clock="05:00:00")
    assert market.state == "pre_open"
    assert replay_states(market.listed) == [(TradingState.CONTINUOUS, TradingState.CONTINUOUS)]


def test_the_state_changes_a_listing_in_the_opening_call_reports_form_a_chain() -> None:
    market = RuledMarket(US_TODAY, clock="09:27:00")
    assert market.state == "opening_auction"
    for said, previous in replay_states(market.listed):
        assert said is previous


def test_a_listing_in_the_closing_call_starts_in_the_closing_call() -> None:
    market = RuledMarket(US_TODAY, clock="15:55:00")
    assert market.state == "closing_auction"


def test_the_events_one_command_causes_carry_its_timestamp() -> None:
    market = RuledMarket(US_TODAY, clock="03:00:00")
    events = market.tick("10:00:00")  # pre-open, opening call and open, all at once
    assert [type(e) for e in events] == [
        TradingStateChanged,
        TradingStateChanged,
        TradingStateChanged,
        PriceBandsChanged,
    ]
    assert {e.ts for e in events} == {market.ts}


def test_a_restored_venue_moves_its_instruments_in_listing_order() -> None:
    """Recovery replays event for event: a tick that moves several instruments lists
    their events in the order they were listed, before and after a snapshot, not
    alphabetically."""
    market = RuledMarket(US_TODAY, clock="03:00:00")
    market.do(ListInstrument(OPERATOR, Instrument("ABC"), reference_price=PRIOR_CLOSE))
    restored = restored_copy(market.venue)
    assert list(restored.books) == list(market.venue.books) == [SYMBOL, "ABC"]
    opening = ny(market.day, "10:00:00")
    events = market.venue.process(ClockTick(OPERATOR), opening)
    moved = [e.instrument for e in events if isinstance(e, TradingStateChanged)]
    assert moved == [SYMBOL] * 3 + ["ABC"] * 3
    assert restored.process(ClockTick(OPERATOR), opening) == events
    assert state_hash(restored) == state_hash(market.venue)
