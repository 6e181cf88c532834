"""Safeguard evaluators export their state and a restored one goes on exactly as the original.

A venue snapshot carries these states, and a venue restored from it must
produce the same events as the one that kept running; the export is hashed,
so two evaluators with the same future must export equal states.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from functools import partial
from typing import Any, Literal, Protocol, TypeVar

import msgspec
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from safeguards_support import (
    MINUTE,
    SECOND,
    US_2013,
    US_TODAY,
    LuldOp,
    gaps,
    luld_ops,
    luld_step,
    ny,
    present,
    usd,
)

from seawall.rulebooks import Rulebook
from seawall.safeguards.limit_state import (
    NEVER,
    LuldCause,
    LuldMonitor,
    LuldMonitorState,
    LuldState,
)
from seawall.safeguards.luld import (
    LuldParams,
    LuldTier,
    ReferenceTracker,
    ReferenceTrackerState,
)
from seawall.safeguards.mwcb import MarketWideBreaker, MwcbParams
from seawall.safeguards.nbbo import Nbbo
from seawall.safeguards.short_sale import ShortSaleRestriction
from seawall.safeguards.sscb import RollingRange, SingleStockBreaker

Codec = Literal["msgpack", "json"]
CODECS: tuple[Codec, ...] = ("msgpack", "json")
E = TypeVar("E")
T = TypeVar("T")
S = TypeVar("S", bound=msgspec.Struct)

DAY = "2025-06-04"  # an ordinary Wednesday
CALENDAR = US_TODAY.calendar()
TODAY = CALENDAR.day(dt.date.fromisoformat(DAY))
PILOT = Rulebook.load("us-2010-pilot")
PILOT_DAY = PILOT.calendar().day(dt.date.fromisoformat("2010-06-16"))
US_LULD = present(US_TODAY.luld)


def through(codec: Codec, state: S) -> S:
    """``state`` encoded and decoded again, as a snapshot file would carry it."""
    if codec == "msgpack":
        return msgspec.msgpack.decode(msgspec.msgpack.encode(state), type=type(state))
    return msgspec.json.decode(msgspec.json.encode(state), type=type(state))


def check_resume(
    make: Callable[[], E],
    export: Callable[[E], S],
    restore: Callable[[E, S], None],
    steps: Sequence[Callable[[E], object]],
    cut: int,
    codec: Codec,
) -> None:
    """Restore a fresh object from the export at ``cut`` and run the rest of ``steps`` on both.

    Every step must answer the same on both and leave equal exports. Before
    the cut, a copy restored at each step must answer that step the same.
    """

    def copy(original: E) -> E:
        state = export(original)
        restored = make()
        restore(restored, through(codec, state))
        assert export(restored) == state
        return restored

    original = make()
    for step in steps[:cut]:
        probe = copy(original)
        assert step(probe) == step(original)
    restored = copy(original)
    for step in steps[cut:]:
        assert step(restored) == step(original)
        assert export(restored) == export(original)


codecs = st.sampled_from(CODECS)


@st.composite
def cut_streams(draw: st.DrawFn, ops: st.SearchStrategy[list[T]]) -> tuple[list[T], int]:
    """A stream of inputs and where to cut it, anywhere from its start to its end."""
    stream = draw(ops)
    return stream, draw(st.integers(0, len(stream)))


# ---------------------------------------------------------------- ReferenceTracker

TrackerOp = tuple[Literal["add", "pro_forma", "update", "next_due", "reset"], int, int]

tracker_ops = st.lists(
    st.tuples(
        st.sampled_from(("add", "add", "add", "pro_forma", "update", "next_due", "reset")),
        st.one_of(st.integers(0, 5 * SECOND), st.integers(0, 90 * SECOND)),
        st.integers(9_500, 10_500),
    ),
    max_size=50,
)


def tracker_step(ts: int, op: TrackerOp, tracker: ReferenceTracker) -> object:
    kind, _, cents = op
    if kind == "add":
        tracker.add(ts, cents * 100)
        return None
    if kind == "pro_forma":
        return tracker.pro_forma(ts)
    if kind == "update":
        return tracker.update(ts), tracker.reference, tracker.changed_at
    if kind == "next_due":
        return tracker.next_due(ts)
    tracker.reset(ts, cents * 100)
    return None


@settings(max_examples=150)
@given(
    window=st.integers(1, 60),
    move_bps=st.integers(0, 300),
    min_age=st.integers(0, 60),
    stream=cut_streams(tracker_ops),
    pruned=st.booleans(),
    codec=codecs,
)
def test_a_restored_reference_tracker_goes_on_like_the_original(
    window: int,
    move_bps: int,
    min_age: int,
    stream: tuple[list[TrackerOp], int],
    pruned: bool,
    codec: Codec,
) -> None:
    ops, cut = stream
    start = ny(DAY, "09:30:00")
    latest = [start]  # the latest instant the trackers were told of: no later call is earlier

    def make() -> ReferenceTracker:
        tracker = ReferenceTracker(window * SECOND, move_bps, min_age * SECOND)
        tracker.reset(start, usd("100"))
        return tracker

    def step(ts: int, op: TrackerOp, tracker: ReferenceTracker) -> object:
        latest[0] = ts
        return tracker_step(ts, op, tracker)

    def export(tracker: ReferenceTracker) -> ReferenceTrackerState:
        # with ``now``, the export drops what cannot matter from then on
        return tracker.export(latest[0] if pruned else None)

    steps = []
    ts = start
    for op in ops:
        ts += op[1]
        steps.append(partial(step, ts, op))
    check_resume(make, export, ReferenceTracker.restore, steps, cut, codec)


# ---------------------------------------------------------------- LuldMonitor


@settings(max_examples=500, deadline=None)
@given(
    rulebook=st.sampled_from((US_LULD, present(US_2013.luld))),
    clear_at_deadline=st.booleans(),
    tier=st.sampled_from(LuldTier),
    prior_close=st.sampled_from((usd("100"), usd("2.50"), usd("0.50"))),
    leverage=st.sampled_from((1, -2, 3)),
    start=st.sampled_from(
        ("09:29:50", "09:30:00", "09:44:50", "11:00:00", "15:34:50", "15:49:50", "15:59:00")
    ),
    opens_first=st.sampled_from((True, True, True, False)),
    stream=cut_streams(luld_ops),
    codec=codecs,
)
def test_a_restored_luld_monitor_goes_on_like_the_original(
    rulebook: LuldParams,
    clear_at_deadline: bool,
    tier: LuldTier,
    prior_close: int,
    leverage: int,
    start: str,
    opens_first: bool,
    stream: tuple[list[LuldOp], int],
    codec: Codec,
) -> None:
    ops, cut = stream
    params = msgspec.structs.replace(rulebook, clear_at_deadline=clear_at_deadline)
    if opens_first:
        ops = [("act", 0, 10_000, 0), *ops]
    ts = ny(DAY, start)
    steps = []
    for op in ops:
        ts += op[1]
        steps.append(partial(luld_step, ts, op))

    def make() -> LuldMonitor:
        return LuldMonitor(params, TODAY, tier, prior_close, leverage)

    check_resume(make, LuldMonitor.export, LuldMonitor.restore, steps, cut, codec)


def quote(bid: str, ask: str) -> Nbbo:
    return Nbbo(usd(bid), usd(ask))


def monitors_in_every_state() -> dict[LuldState, LuldMonitor]:
    def opened() -> LuldMonitor:
        luld = LuldMonitor(US_LULD, TODAY, LuldTier.TIER1, usd("100"))
        luld.open(ny(DAY, "09:30:00"), usd("100"))
        return luld

    straddle, limit_state, paused = opened(), opened(), opened()
    straddle.on_quote(ny(DAY, "10:00:00"), quote("94.00", "96.00"))
    limit_state.on_quote(ny(DAY, "10:00:00"), quote("94.90", "95.00"))
    paused.on_quote(ny(DAY, "10:00:00"), quote("94.90", "95.00"))
    paused.advance(ny(DAY, "10:00:20"))
    return {
        LuldState.INACTIVE: LuldMonitor(US_LULD, TODAY, LuldTier.TIER1, usd("100")),
        LuldState.NORMAL: opened(),
        LuldState.STRADDLE: straddle,
        LuldState.LIMIT_STATE: limit_state,
        LuldState.PAUSED: paused,
    }


@pytest.mark.parametrize("codec", CODECS)
@pytest.mark.parametrize("expected", list(LuldState))
def test_every_luld_state_survives_encoding(expected: LuldState, codec: Codec) -> None:
    luld = monitors_in_every_state()[expected]
    state = luld.export()
    decoded = through(codec, state)
    assert decoded == state
    assert decoded.state is expected
    restored = LuldMonitor(US_LULD, TODAY, LuldTier.TIER1, usd("100"))
    restored.restore(decoded)
    assert (restored.state, restored.bands, restored.reference, restored.next_instant()) == (
        luld.state,
        luld.bands,
        luld.reference,
        luld.next_instant(),
    )
    assert restored.export() == state


def test_the_json_export_names_the_state_by_its_value() -> None:
    state = monitors_in_every_state()[LuldState.LIMIT_STATE].export()
    assert b'"limit_state"' in msgspec.json.encode(state)


def test_next_instant_is_never_while_inactive_and_the_deadline_in_a_limit_state() -> None:
    monitors = monitors_in_every_state()
    assert monitors[LuldState.INACTIVE].next_instant() == NEVER == (1 << 63) - 1
    assert monitors[LuldState.LIMIT_STATE].next_instant() == ny(DAY, "10:00:15")
    assert monitors[LuldState.PAUSED].next_instant() == ny(DAY, "10:05:15")


def test_monitors_with_the_same_future_export_the_same_state() -> None:
    """What can no longer matter (an expired trade, a past deadline) is not in the export."""

    def opened() -> LuldMonitor:
        luld = LuldMonitor(US_LULD, TODAY, LuldTier.TIER1, usd("100"))
        luld.open(ny(DAY, "09:30:00"), usd("100"))
        return luld

    traded, quiet = opened(), opened()
    traded.on_trade(ny(DAY, "09:30:10"), usd("100.10"))  # too small a move to matter
    traded.advance(ny(DAY, "09:40:00"))
    quiet.advance(ny(DAY, "09:40:00"))
    assert traded.export() == quiet.export()
    # one closes in a limit state, the other quietly: after the close both are done
    traded.on_quote(ny(DAY, "15:59:55"), quote("89.90", "90.00"))
    assert traded.state is LuldState.LIMIT_STATE
    traded.advance(ny(DAY, "16:00:00"))
    quiet.advance(ny(DAY, "16:00:00"))
    quiet.on_quote(ny(DAY, "16:00:00"), quote("99.00", "101.00"))  # after the close
    assert msgspec.msgpack.encode(traded.export()) == msgspec.msgpack.encode(quiet.export())


SCENARIOS: dict[str, list[tuple[str, LuldOp]]] = {
    "a limit state times out": [
        ("09:30:00", ("act", 0, 10_000, 0)),  # opens at 100.00
        ("10:00:00", ("quote", 0, 9_490, 10)),  # the offer at the lower band, 95.00
        ("10:00:10", ("advance", 0, 0, 0)),
        ("10:01:00", ("advance", 0, 0, 0)),
    ],
    "a widening ends": [
        ("09:30:00", ("act", 0, 10_000, 0)),
        ("10:00:00", ("act", 0, 0, 1)),  # a discretionary pause
        ("10:11:00", ("act", 0, 10_000, 1)),  # reopened after 11 minutes: bands tripled
        ("10:11:05", ("trade", 0, 10_000, 0)),
        ("10:12:00", ("advance", 0, 0, 0)),
    ],
    "the bands move onto an earlier quote": [
        ("09:30:00", ("act", 0, 10_000, 0)),
        ("09:31:00", ("quote", 0, 10_450, 10)),  # inside 95.00-105.00
        ("09:31:10", ("trade", 0, 9_000, 0)),  # the reference moves to 90.00: bid at the upper band
        ("09:32:00", ("advance", 0, 0, 0)),
    ],
}


@pytest.mark.parametrize("codec", CODECS)
@pytest.mark.parametrize("name", list(SCENARIOS))
def test_a_monitor_restored_at_any_point_of_a_scenario_goes_on_like_the_original(
    name: str, codec: Codec
) -> None:
    steps = [partial(luld_step, ny(DAY, clock), op) for clock, op in SCENARIOS[name]]

    def make() -> LuldMonitor:
        return LuldMonitor(US_LULD, TODAY, LuldTier.TIER1, usd("100"))

    for cut in range(len(steps) + 1):
        check_resume(make, LuldMonitor.export, LuldMonitor.restore, steps, cut, codec)


def test_the_scenarios_do_what_they_say() -> None:
    found: dict[str, list[LuldCause]] = {}
    for name, scenario in SCENARIOS.items():
        luld = LuldMonitor(US_LULD, TODAY, LuldTier.TIER1, usd("100"))
        found[name] = []
        for clock, op in scenario:
            answer = luld_step(ny(DAY, clock), op, luld)
            assert isinstance(answer, tuple) and isinstance(answer[0], list)
            found[name] += [event.cause for event in answer[0]]
    assert found == {
        "a limit state times out": [
            LuldCause.OPENED,
            LuldCause.OFFER_AT_LOWER_BAND,
            LuldCause.LIMIT_STATE_TIMED_OUT,
        ],
        "a widening ends": [
            LuldCause.OPENED,
            LuldCause.DISCRETIONARY_PAUSE,
            LuldCause.REOPENING_DUE,
            LuldCause.REOPENED,
            LuldCause.WIDENING_ENDED,
        ],
        "the bands move onto an earlier quote": [
            LuldCause.OPENED,
            LuldCause.REFERENCE_MOVED,
            LuldCause.BID_AT_UPPER_BAND,
            LuldCause.LIMIT_STATE_TIMED_OUT,
        ],
    }


# ---------------------------------------------------------------- SSCB

RangeOp = tuple[bool, int, int]


def range_step(ts: int, op: RangeOp, window: RollingRange) -> object:
    adds, _, cents = op
    if adds:
        window.add(ts, cents * 100)
        return None
    return window.extremes(ts)


@settings(max_examples=150)
@given(
    window=st.integers(1, 300),
    stream=cut_streams(
        st.lists(st.tuples(st.booleans(), gaps, st.integers(900, 1_100)), max_size=50)
    ),
    codec=codecs,
)
def test_a_restored_rolling_range_goes_on_like_the_original(
    window: int, stream: tuple[list[RangeOp], int], codec: Codec
) -> None:
    ops, cut = stream
    ts = ny(DAY, "09:30:00")
    steps = []
    for op in ops:
        ts += op[1] // 60  # seconds rather than minutes apart
        steps.append(partial(range_step, ts, op))

    def make() -> RollingRange:
        return RollingRange(window * SECOND)

    check_resume(make, RollingRange.export, RollingRange.restore, steps, cut, codec)


def sscb_step(ts: int, cents: int, breaker: SingleStockBreaker) -> object:
    return breaker.on_trade(ts, cents * 100)


@settings(max_examples=150)
@given(
    start=st.sampled_from(("09:30:00", "09:44:00", "12:00:00", "15:30:00")),
    stream=cut_streams(
        st.lists(
            st.tuples(
                st.one_of(st.integers(0, 30 * SECOND), st.integers(0, 10 * MINUTE)),
                st.integers(850, 1_150),
            ),
            max_size=60,
        )
    ),
    codec=codecs,
)
def test_a_restored_single_stock_breaker_goes_on_like_the_original(
    start: str, stream: tuple[list[tuple[int, int]], int], codec: Codec
) -> None:
    ops, cut = stream
    ts = ny("2010-06-16", start)
    steps = []
    for gap, cents in ops:
        ts += gap
        steps.append(partial(sscb_step, ts, cents))
    sscb = present(PILOT.sscb)

    def make() -> SingleStockBreaker:
        return SingleStockBreaker(sscb, PILOT_DAY)

    check_resume(make, SingleStockBreaker.export, SingleStockBreaker.restore, steps, cut, codec)


# ---------------------------------------------------------------- Rule 201

ShortSaleOp = tuple[bool, int, int]


def short_sale_step(ts: int, op: ShortSaleOp, rule: ShortSaleRestriction) -> object:
    trades, _, cents = op
    trigger = rule.on_trade(ts, cents * 100, usd("10")) if trades else None
    return trigger, rule.restricted(ts)


@settings(max_examples=150)
@given(
    stream=cut_streams(
        st.lists(
            st.tuples(
                st.booleans(),
                st.one_of(st.integers(0, 30 * MINUTE), st.integers(0, 30 * 60 * MINUTE)),
                st.integers(850, 1_050),
            ),
            max_size=40,
        )
    ),
    codec=codecs,
)
def test_a_restored_short_sale_restriction_goes_on_like_the_original(
    stream: tuple[list[ShortSaleOp], int], codec: Codec
) -> None:
    ops, cut = stream
    ts = ny("2025-06-05", "09:00:00")  # a Thursday: restrictions run over the weekend
    steps = []
    for op in ops:
        ts += op[1]
        steps.append(partial(short_sale_step, ts, op))
    rule_201 = present(US_TODAY.short_sale)

    def make() -> ShortSaleRestriction:
        return ShortSaleRestriction(rule_201, CALENDAR)

    check_resume(make, ShortSaleRestriction.export, ShortSaleRestriction.restore, steps, cut, codec)


# ---------------------------------------------------------------- MWCB


def mwcb_step(ts: int, points: int, breaker: MarketWideBreaker) -> object:
    return breaker.on_index(ts, usd(str(points)))


@settings(max_examples=150)
@given(
    rulebook=st.sampled_from((present(US_TODAY.mwcb), present(PILOT.mwcb))),
    start=st.sampled_from(("09:25:00", "10:00:00", "13:00:00", "15:20:00")),
    stream=cut_streams(
        st.lists(
            st.tuples(
                st.one_of(st.integers(0, 5 * MINUTE), st.integers(0, 60 * MINUTE)),
                st.integers(3_400, 5_100),
            ),
            max_size=40,
        )
    ),
    codec=codecs,
)
def test_a_restored_market_wide_breaker_goes_on_like_the_original(
    rulebook: MwcbParams,
    start: str,
    stream: tuple[list[tuple[int, int]], int],
    codec: Codec,
) -> None:
    ops, cut = stream
    ts = ny(DAY, start)
    steps = []
    for gap, points in ops:
        ts += gap
        steps.append(partial(mwcb_step, ts, points))

    def make() -> MarketWideBreaker:
        return MarketWideBreaker(rulebook, CALENDAR, TODAY, usd("5000"))

    check_resume(make, MarketWideBreaker.export, MarketWideBreaker.restore, steps, cut, codec)


# ---------------------------------------------------------------- fresh objects


class Exportable(Protocol):
    def export(self) -> Any: ...
    def restore(self, state: Any) -> None: ...


FRESH: dict[str, Callable[[], Exportable]] = {
    "reference_tracker": lambda: ReferenceTracker(300 * SECOND, 100, 30 * SECOND),
    "luld_monitor": lambda: LuldMonitor(US_LULD, TODAY, LuldTier.TIER2, usd("2.50"), 2),
    "rolling_range": lambda: RollingRange(300 * SECOND),
    "single_stock_breaker": lambda: SingleStockBreaker(present(PILOT.sscb), PILOT_DAY),
    "short_sale_restriction": lambda: ShortSaleRestriction(present(US_TODAY.short_sale), CALENDAR),
    "market_wide_breaker": lambda: MarketWideBreaker(
        present(US_TODAY.mwcb), CALENDAR, TODAY, usd("5000")
    ),
}


@pytest.mark.parametrize("codec", CODECS)
@pytest.mark.parametrize("name", list(FRESH))
def test_the_export_of_a_fresh_object_round_trips(name: str, codec: Codec) -> None:
    state = FRESH[name]().export()
    assert isinstance(state, msgspec.Struct)
    decoded = through(codec, state)
    assert decoded == state
    restored = FRESH[name]()
    restored.restore(decoded)
    assert restored.export() == state


def test_a_short_sale_state_carries_its_date() -> None:
    rule = ShortSaleRestriction(present(US_TODAY.short_sale), CALENDAR)
    at = ny("2025-06-05", "10:00:00")
    assert rule.on_trade(at, usd("9"), usd("10")) is not None
    for codec in CODECS:
        decoded = through(codec, rule.export())
        assert decoded.through == dt.date(2025, 6, 6)
        restored = ShortSaleRestriction(present(US_TODAY.short_sale), CALENDAR)
        restored.restore(decoded)
        assert restored.restricted(ny("2025-06-06", "15:00:00"))
        assert not restored.restricted(ny("2025-06-09", "10:00:00"))


def test_a_fresh_monitor_exports_never_for_its_clocks() -> None:
    state = LuldMonitor(US_LULD, TODAY, LuldTier.TIER1, usd("100")).export()
    assert isinstance(state, LuldMonitorState)
    assert (state.state, state.deadline, state.reopen_at) == (LuldState.INACTIVE, NEVER, NEVER)
