"""The LULD limit-state machine: limit state, pause, reopening and straddle (RULES.md §2)."""

from __future__ import annotations

from functools import partial
from typing import NoReturn

import msgspec
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from safeguards_support import (
    MINUTE,
    SECOND,
    US_2013,
    US_TODAY,
    LuldKind,
    LuldOp,
    luld_spreads,
    luld_step,
    ny,
    present,
    usd,
)

from seawall.safeguards import limit_state
from seawall.safeguards.limit_state import LuldCause, LuldEvent, LuldMonitor, LuldState
from seawall.safeguards.luld import Bands, LuldParams, LuldTier
from seawall.safeguards.nbbo import Nbbo

DAY = "2025-06-04"  # an ordinary Wednesday
C = LuldCause
S = LuldState


def at(clock: str) -> int:
    return ny(DAY, clock)


def monitor(
    rulebook_luld: LuldParams | None = None,
    tier: LuldTier = LuldTier.TIER1,
    prior_close: str = "100",
    leverage: int = 1,
    opening: str = "100",
) -> LuldMonitor:
    """A stock opened at 09:30 at ``opening``; bands 95.00-105.00 for the defaults."""
    params = rulebook_luld or US_TODAY.luld
    assert params is not None
    day = US_TODAY.calendar().day(US_TODAY.calendar().local_date(at("12:00:00")))
    found = LuldMonitor(params, day, tier, usd(prior_close), leverage)
    found.open(at("09:30:00"), usd(opening))
    return found


def quote(bid: str, ask: str) -> Nbbo:
    return Nbbo(usd(bid), usd(ask))


def causes(events: list[LuldEvent]) -> list[tuple[int, LuldCause, LuldState]]:
    return [(event.at, event.cause, event.state) for event in events]


def test_opening_sets_the_reference_and_the_bands() -> None:
    luld = monitor()
    assert (luld.state, luld.reference, luld.bands) == (
        S.NORMAL,
        usd("100"),
        Bands(usd("95"), usd("105")),
    )


def test_offer_at_the_lower_band_is_a_limit_state_that_clears_within_15_seconds() -> None:
    luld = monitor()
    entered = luld.on_quote(at("10:00:00"), quote("94.90", "95.00"))
    assert causes(entered) == [(at("10:00:00"), C.OFFER_AT_LOWER_BAND, S.LIMIT_STATE)]
    assert luld.on_quote(at("10:00:10"), quote("94.95", "95.00")) == []  # still at the band
    cleared = luld.on_quote(at("10:00:14"), quote("95.00", "95.01"))
    assert causes(cleared) == [(at("10:00:14"), C.LIMIT_STATE_CLEARED, S.NORMAL)]
    assert luld.advance(at("10:10:00")) == []


def test_bid_at_the_upper_band_is_a_limit_state_too() -> None:
    luld = monitor()
    entered = luld.on_quote(at("10:00:00"), quote("105.00", "105.10"))
    assert causes(entered) == [(at("10:00:00"), C.BID_AT_UPPER_BAND, S.LIMIT_STATE)]


def test_a_limit_state_lasting_15_seconds_becomes_a_5_minute_pause_at_the_exact_instant() -> None:
    luld = monitor()
    luld.on_quote(at("10:00:00"), quote("94.90", "95.00"))
    assert luld.advance(at("10:00:15") - 1) == []
    # the venue's clock ticks late; the pause is stamped when the rule says
    paused = luld.advance(at("10:01:00"))
    assert causes(paused) == [(at("10:00:15"), C.LIMIT_STATE_TIMED_OUT, S.PAUSED)]
    assert (paused[0].lower, paused[0].upper) == (usd("95"), usd("105"))
    due = luld.advance(at("10:06:00"))
    assert causes(due) == [(at("10:05:15"), C.REOPENING_DUE, S.PAUSED)]
    reopened = luld.reopen(at("10:05:20"), usd("96.00"))
    assert causes(reopened) == [(at("10:05:20"), C.REOPENED, S.NORMAL)]
    # the reopening price is the new reference: 5% of 96.00 is 4.80
    assert (reopened[0].reference, luld.bands) == (usd("96"), Bands(usd("91.20"), usd("100.80")))


@pytest.mark.parametrize(("clear_at_deadline", "expected"), [(False, S.PAUSED), (True, S.NORMAL)])
def test_a_quote_leaving_the_band_at_exactly_15_seconds_follows_the_documented_choice(
    clear_at_deadline: bool, expected: LuldState
) -> None:
    assert US_TODAY.luld is not None
    params = msgspec.structs.replace(US_TODAY.luld, clear_at_deadline=clear_at_deadline)
    luld = monitor(params)
    luld.on_quote(at("10:00:00"), quote("94.90", "95.00"))
    luld.on_quote(at("10:00:15"), quote("95.00", "95.05"))
    assert luld.state is expected


def test_straddle_has_no_clock_and_a_pause_is_discretionary() -> None:
    luld = monitor()
    entered = luld.on_quote(at("10:00:00"), quote("94.00", "96.00"))  # bid below the lower band
    assert causes(entered) == [(at("10:00:00"), C.STRADDLE_ENTERED, S.STRADDLE)]
    assert luld.advance(at("10:30:00")) == []
    cleared = luld.on_quote(at("10:30:00"), quote("95.50", "96.00"))
    assert causes(cleared) == [(at("10:30:00"), C.STRADDLE_CLEARED, S.NORMAL)]
    luld.on_quote(at("10:31:00"), quote("104.00", "106.00"))  # offer above the upper band
    assert luld.state is S.STRADDLE
    paused = luld.pause(at("10:31:30"))
    assert causes(paused) == [(at("10:31:30"), C.DISCRETIONARY_PAUSE, S.PAUSED)]
    assert causes(luld.advance(at("10:36:30"))) == [(at("10:36:30"), C.REOPENING_DUE, S.PAUSED)]


def test_a_limit_state_from_a_straddle_starts_the_clock() -> None:
    luld = monitor()
    luld.on_quote(at("10:00:00"), quote("94.00", "96.00"))
    luld.on_quote(at("10:00:05"), quote("94.00", "95.00"))
    assert luld.state is S.LIMIT_STATE
    assert causes(luld.advance(at("10:00:20")))[0] == (
        at("10:00:20"),
        C.LIMIT_STATE_TIMED_OUT,
        S.PAUSED,
    )


def test_an_auction_outside_its_collars_extends_the_pause_by_5_minutes() -> None:
    luld = monitor()
    luld.on_quote(at("10:00:00"), quote("94.90", "95.00"))
    luld.advance(at("10:05:15"))
    extended = luld.extend(at("10:05:15"))
    assert causes(extended) == [(at("10:05:15"), C.PAUSE_EXTENDED, S.PAUSED)]
    assert causes(luld.advance(at("10:20:00"))) == [(at("10:10:15"), C.REOPENING_DUE, S.PAUSED)]


def test_no_reopening_for_a_pause_from_15_50_the_closing_auction_resolves_it() -> None:
    luld = monitor()  # Tier 1 bands are doubled from 15:35: 90.00-110.00
    luld.on_quote(at("15:49:50"), quote("89.90", "90.00"))
    events = luld.advance(at("16:00:00"))
    assert causes(events) == [
        (at("15:50:05"), C.LIMIT_STATE_TIMED_OUT, S.PAUSED),
        (at("15:50:05"), C.CLOSE_RESOLVES_PAUSE, S.PAUSED),
        (at("16:00:00"), C.CLOSED, S.INACTIVE),
    ]


def test_a_pause_before_15_50_still_reopens_and_an_extension_from_15_50_does_not() -> None:
    luld = monitor()
    luld.on_quote(at("15:44:40"), quote("89.90", "90.00"))
    events = luld.advance(at("15:50:00"))
    assert causes(events) == [
        (at("15:44:55"), C.LIMIT_STATE_TIMED_OUT, S.PAUSED),
        (at("15:49:55"), C.REOPENING_DUE, S.PAUSED),
    ]
    assert causes(luld.extend(at("15:50:00"))) == [
        (at("15:50:00"), C.CLOSE_RESOLVES_PAUSE, S.PAUSED)
    ]


def test_tier1_bands_double_from_15_35_until_the_close() -> None:
    luld = monitor()
    events = luld.advance(at("16:00:00"))
    assert causes(events) == [
        (at("15:35:00"), C.DOUBLING_STARTED, S.NORMAL),
        (at("16:00:00"), C.CLOSED, S.INACTIVE),
    ]
    assert (events[0].lower, events[0].upper) == (usd("90"), usd("110"))
    assert luld.bands == Bands(0, 0)


def test_tier2_above_3_dollars_is_not_doubled_today() -> None:
    luld = monitor(tier=LuldTier.TIER2)
    assert causes(luld.advance(at("16:00:00"))) == [(at("16:00:00"), C.CLOSED, S.INACTIVE)]


def test_before_2020_the_bands_were_doubled_from_09_30_to_09_45_as_well() -> None:
    luld = monitor(US_2013.luld, tier=LuldTier.TIER2)
    assert luld.bands == Bands(usd("80"), usd("120"))  # Tier 2: 10%, doubled
    events = luld.advance(at("15:40:00"))
    assert causes(events) == [
        (at("09:45:00"), C.DOUBLING_ENDED, S.NORMAL),
        (at("15:35:00"), C.DOUBLING_STARTED, S.NORMAL),
    ]
    assert (events[0].lower, events[0].upper) == (usd("90"), usd("110"))


def test_the_reference_moves_30_seconds_after_the_last_change_without_waiting_for_a_tick() -> None:
    luld = monitor()
    assert luld.on_trade(at("09:30:10"), usd("102.00")) == []
    events = luld.advance(at("09:31:00"))
    assert causes(events) == [(at("09:30:30"), C.REFERENCE_MOVED, S.NORMAL)]
    # 5% of 102.00 is 5.10
    assert (events[0].reference, events[0].lower, events[0].upper) == (
        usd("102"),
        usd("96.90"),
        usd("107.10"),
    )


def test_bands_are_tripled_for_30_seconds_after_a_pause_longer_than_10_minutes() -> None:
    luld = monitor()
    luld.on_quote(at("10:00:00"), quote("94.90", "95.00"))
    luld.advance(at("10:05:15"))
    luld.extend(at("10:05:15"))
    luld.advance(at("10:10:15"))
    luld.reopen(at("10:10:16"), usd("100"))  # paused 10 minutes and 1 second
    assert luld.bands == Bands(usd("85"), usd("115"))
    events = luld.advance(at("10:11:00"))
    assert causes(events) == [(at("10:10:46"), C.WIDENING_ENDED, S.NORMAL)]
    assert luld.bands == Bands(usd("95"), usd("105"))


def test_a_pause_of_exactly_10_minutes_is_not_longer_than_10_minutes() -> None:
    luld = monitor()
    luld.on_quote(at("10:00:00"), quote("94.90", "95.00"))
    luld.advance(at("10:00:15"))
    luld.extend(at("10:05:15"))
    luld.reopen(at("10:10:15"), usd("100"))
    assert luld.bands == Bands(usd("95"), usd("105"))


def test_a_leveraged_etp_multiplies_the_percentage_by_its_leverage() -> None:
    assert monitor(leverage=-2).bands == Bands(usd("90"), usd("110"))


def test_a_halt_decided_elsewhere_suspends_the_bands_until_the_reopening() -> None:
    luld = monitor()
    assert causes(luld.halt(at("11:00:00"))) == [(at("11:00:00"), C.HALTED, S.PAUSED)]
    assert luld.advance(at("11:14:00")) == []  # the halting rule owns the clock
    luld.reopen(at("11:15:00"), usd("93"))
    assert luld.state is S.NORMAL and luld.reference == usd("93")
    # a 15-minute halt is longer than 10 minutes: 5% tripled is 15% of 93.00, 13.95
    assert luld.bands == Bands(usd("79.05"), usd("106.95"))
    with pytest.raises(ValueError, match="cannot reopen"):
        luld.reopen(at("11:16:00"), usd("93"))


quotes = st.lists(
    st.tuples(
        st.integers(min_value=1, max_value=20 * SECOND),
        st.integers(min_value=9_300, max_value=10_700),
        st.integers(min_value=1, max_value=200),
    ),
    max_size=40,
)


@settings(max_examples=60)
@given(quotes)
def test_every_timed_out_limit_state_pauses_exactly_15_seconds_after_it_began(
    steps: list[tuple[int, int, int]],
) -> None:
    luld = monitor()
    ts = at("10:00:00")
    events: list[LuldEvent] = []
    for gap, bid_cents, spread in steps:
        ts += gap
        events += luld.on_quote(ts, Nbbo(bid_cents * 100, (bid_cents + spread) * 100))
    events += luld.advance(ts + MINUTE)
    entered = 0
    for previous, event in zip([None, *events], events, strict=False):
        assert previous is None or previous.at <= event.at
        if event.cause in (C.OFFER_AT_LOWER_BAND, C.BID_AT_UPPER_BAND):
            entered = event.at
        if event.cause is C.LIMIT_STATE_TIMED_OUT:
            assert event.at == entered + 15 * SECOND
        if event.cause is C.LIMIT_STATE_CLEARED:
            assert event.at < entered + 15 * SECOND


# ---------------------------------------------------------------- the quiet path of a trade


class FullPath(LuldMonitor):
    """The monitor without its shortcuts: every trade goes the whole way, every band is computed."""

    def _quiet_horizon(self) -> int:
        return -(1 << 64)  # before every instant: no trade is quiet

    def _bands_for(self, ts: int, doubled: bool) -> Bands:
        self._banded_factor = -1  # forget the last answer of price_bands
        return super()._bands_for(ts, doubled)


def test_a_trade_that_moves_nothing_only_joins_the_window(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """No time is advanced and no band computed for it; a 1% move still moves the bands."""

    def refuse(*_: object) -> NoReturn:
        raise AssertionError("a quiet trade went the whole way")

    luld = monitor()
    luld.on_quote(at("10:00:00"), quote("99.99", "100.01"))
    assert luld.on_trade(at("10:00:01"), usd("100.02")) == []
    with monkeypatch.context() as patched:
        patched.setattr(LuldMonitor, "_advance", refuse)
        patched.setattr(limit_state, "price_bands", refuse)
        for second in range(2, 60):
            assert luld.on_trade(at(f"10:00:{second:02}"), usd("100.50")) == []
    assert luld.next_instant() == at("10:05:01")  # when the first of them leaves the window
    # 100.02, 58 times 100.50 and 160.00: the mean is 101.4837, more than 1% away
    moved = luld.on_trade(at("10:01:00"), usd("160"))
    assert causes(moved) == [(at("10:01:00"), C.REFERENCE_MOVED, S.NORMAL)]
    assert luld.reference == usd("101.4837")
    assert luld.bands == Bands(usd("96.41"), usd("106.56"))  # 5% is 5.0742


def test_a_trade_leaving_the_window_between_quiet_trades_moves_the_reference_then() -> None:
    luld = monitor()
    assert luld.advance(at("11:00:00")) == []
    assert luld.on_trade(at("11:00:00"), usd("99.50")) == []  # into an empty window
    assert luld.on_trade(at("11:00:01"), usd("101.90")) == []  # the mean, 100.70, is within 1%
    # at 11:05:00 the 99.50 trade leaves the window: the mean is 101.90, 1.9% away
    moved = luld.on_trade(at("11:05:30"), usd("101.90"))
    assert causes(moved) == [(at("11:05:00"), C.REFERENCE_MOVED, S.NORMAL)]


def test_bands_a_trade_moves_onto_the_quote_start_the_limit_state_clock() -> None:
    luld = monitor()
    luld.on_quote(at("10:00:00"), quote("103.00", "103.10"))
    assert luld.on_trade(at("10:00:01"), usd("100")) == []
    # the mean, 110.00, is the new reference: bands 104.50-115.50, the offer is below
    moved = luld.on_trade(at("10:00:02"), usd("120"))
    assert causes(moved) == [
        (at("10:00:02"), C.REFERENCE_MOVED, S.NORMAL),
        (at("10:00:02"), C.OFFER_AT_LOWER_BAND, S.LIMIT_STATE),
    ]
    paused = luld.on_trade(at("10:00:20"), usd("110"))
    assert causes(paused) == [(at("10:00:17"), C.LIMIT_STATE_TIMED_OUT, S.PAUSED)]


def test_a_restored_monitor_takes_nothing_it_knew_before_for_granted() -> None:
    quiet, limited = monitor(), monitor()
    quiet.on_trade(at("10:00:00"), usd("100"))
    assert quiet.on_trade(at("10:00:01"), usd("100")) == []  # nothing due until 10:05:00
    limited.on_quote(at("10:00:00"), quote("94.90", "95.00"))
    quiet.restore(limited.export())
    timed_out = quiet.on_trade(at("10:00:20"), usd("95"))
    assert causes(timed_out) == [(at("10:00:15"), C.LIMIT_STATE_TIMED_OUT, S.PAUSED)]


def test_a_limit_state_a_quote_starts_between_trades_times_out_at_its_deadline() -> None:
    luld = monitor()
    luld.on_trade(at("10:00:00"), usd("100"))
    assert luld.on_trade(at("10:00:01"), usd("100")) == []  # nothing due until 10:05:00
    luld.on_quote(at("10:00:02"), quote("94.90", "95.00"))
    timed_out = luld.on_trade(at("10:00:20"), usd("95"))
    assert causes(timed_out) == [(at("10:00:17"), C.LIMIT_STATE_TIMED_OUT, S.PAUSED)]


trade_heavy: st.SearchStrategy[LuldKind] = st.sampled_from(
    ("advance", "advance", *("trade",) * 20, "quote", "quote", "quote", "quote", "act")
)
trade_gaps = st.one_of(  # bursts, the reference's 30 seconds, the window's 5 minutes
    st.integers(0, 2 * SECOND),
    st.integers(0, 2 * SECOND),
    st.integers(0, 2 * SECOND),
    st.integers(0, 40 * SECOND),
    st.integers(4 * MINUTE, 6 * MINUTE),
    st.integers(-10 * SECOND, 0),  # a clock that steps back
)
price_steps = st.one_of(st.integers(-30, 30), st.integers(-30, 30), st.integers(-300, 300))


@st.composite
def drifting_ops(draw: st.DrawFn) -> list[LuldOp]:
    """Mostly trades, at prices that wander (and the quotes with them) so references move."""
    ops: list[LuldOp] = []
    cents = 10_000
    for _ in range(draw(st.integers(30, 150))):
        cents = max(1, cents + draw(price_steps))
        ops.append((draw(trade_heavy), draw(trade_gaps), cents, draw(luld_spreads)))
    return ops


@settings(max_examples=300, deadline=None)
@given(
    rulebook=st.sampled_from((present(US_TODAY.luld), present(US_2013.luld))),
    clear_at_deadline=st.booleans(),
    tier=st.sampled_from(LuldTier),
    prior_close=st.sampled_from((usd("100"), usd("2.50"), usd("0.50"))),
    leverage=st.sampled_from((1, -2, 3)),
    start=st.sampled_from(("09:30:00", "09:44:50", "11:00:00", "15:34:50", "15:59:00")),
    # the Plan's 5 minutes, 1% and 30 seconds, or short enough to come by every few trades
    window=st.one_of(st.just(300), st.integers(1, 20)),
    move_bps=st.sampled_from((100, 10, 0)),
    min_age=st.one_of(st.just(30), st.integers(0, 10)),
    ops=drifting_ops(),
    rewind=st.integers(0, 200),
)
def test_the_quiet_path_of_a_trade_gives_what_the_whole_way_gives(
    rulebook: LuldParams,
    clear_at_deadline: bool,
    tier: LuldTier,
    prior_close: int,
    leverage: int,
    start: str,
    window: int,
    move_bps: int,
    min_age: int,
    ops: list[LuldOp],
    rewind: int,
) -> None:
    """The same events, bands, reference, next instant and export, input after input.

    Then both are restored, over what they have become, to their export at
    ``rewind`` and go through the rest of the inputs again.
    """
    params = msgspec.structs.replace(
        rulebook,
        clear_at_deadline=clear_at_deadline,
        reference_window_seconds=window,
        reference_move_bps=move_bps,
        reference_min_seconds=min_age,
    )
    day = US_TODAY.calendar().day(US_TODAY.calendar().local_date(at("12:00:00")))
    quick = LuldMonitor(params, day, tier, prior_close, leverage)
    whole = FullPath(params, day, tier, prior_close, leverage)
    steps = []
    ts = at(start)
    for op in [("act", 0, 10_000, 0), *ops]:
        ts += op[1]
        steps.append(partial(luld_step, ts, op))

    def both(part: list[partial[object]]) -> None:
        for step in part:
            assert step(quick) == step(whole)
            assert quick.export() == whole.export()

    cut = rewind % len(steps)
    both(steps[:cut])
    saved = quick.export()
    both(steps[cut:])
    quick.restore(saved)
    whole.restore(saved)
    both(steps[cut:])
