"""The 2010 single-stock circuit breaker: 10% in a rolling 5 minutes pauses 5 minutes."""

from __future__ import annotations

import datetime as dt

import msgspec
from hypothesis import given
from hypothesis import strategies as st
from safeguards_support import MINUTE, SECOND, ny, present, usd

from seawall.core.types import BPS
from seawall.rulebooks import Rulebook
from seawall.safeguards.sscb import (
    RollingRange,
    SingleStockBreaker,
    SscbParams,
    SscbPause,
    SscbThreshold,
)

PILOT = Rulebook.load("us-2010-pilot")
SSCB = present(PILOT.sscb)
DAY = "2010-06-16"
TRADING_DAY = PILOT.calendar().day(dt.date.fromisoformat(DAY))


def breaker(params: SscbParams = SSCB) -> SingleStockBreaker:
    return SingleStockBreaker(params, TRADING_DAY)


def test_a_10_percent_rise_within_5_minutes_pauses_for_5_minutes() -> None:
    stock = breaker()
    assert stock.on_trade(ny(DAY, "10:00:00"), usd("10.00")) is None
    assert stock.on_trade(ny(DAY, "10:02:00"), usd("10.50")) is None
    at = ny(DAY, "10:04:59")
    assert stock.on_trade(at, usd("11.00")) == SscbPause(at, at + 5 * MINUTE, usd("11"), usd("10"))


def test_a_fall_is_measured_from_the_highest_trade_in_the_window() -> None:
    stock = breaker()
    stock.on_trade(ny(DAY, "10:00:00"), usd("10.00"))
    stock.on_trade(ny(DAY, "10:01:00"), usd("10.40"))
    assert stock.on_trade(ny(DAY, "10:02:00"), usd("9.37")) is None  # 9.9% below 10.40
    at = ny(DAY, "10:03:00")
    assert stock.on_trade(at, usd("9.36")) == SscbPause(
        at, at + 5 * MINUTE, usd("9.36"), usd("10.40")
    )


def test_a_trade_5_minutes_old_has_left_the_window() -> None:
    stock = breaker()
    stock.on_trade(ny(DAY, "10:00:00"), usd("10.00"))
    assert stock.on_trade(ny(DAY, "10:05:00"), usd("11.00")) is None


def test_the_pilot_covered_09_45_to_15_35() -> None:
    for clock, pauses in (
        ("09:44:59", False),
        ("09:45:00", True),
        ("15:34:59", True),
        ("15:35:00", False),
    ):
        stock = breaker()
        at = ny(DAY, clock)
        stock.on_trade(at - SECOND, usd("10.00"))
        assert (stock.on_trade(at, usd("9.00")) is not None) is pauses, clock


def test_the_threshold_can_depend_on_the_price() -> None:
    # the pilot's last phase: 30% at or above $1, 50% below
    phased = msgspec.structs.replace(
        SSCB, thresholds=(SscbThreshold(0, 5_000), SscbThreshold(usd("1"), 3_000))
    )
    stock = breaker(phased)
    stock.on_trade(ny(DAY, "10:00:00"), usd("2.00"))
    assert stock.on_trade(ny(DAY, "10:01:00"), usd("1.41")) is None  # 29.5% down
    assert stock.on_trade(ny(DAY, "10:02:00"), usd("1.40")) is not None  # 30%
    cheap = breaker(phased)
    cheap.on_trade(ny(DAY, "10:00:00"), usd("0.80"))
    assert cheap.on_trade(ny(DAY, "10:01:00"), usd("0.50")) is None  # 37.5% down: below $1
    assert cheap.on_trade(ny(DAY, "10:02:00"), usd("0.40")) is not None  # 50%


def test_after_a_pause_the_window_starts_afresh() -> None:
    stock = breaker()
    stock.on_trade(ny(DAY, "10:00:00"), usd("10.00"))
    stock.on_trade(ny(DAY, "10:01:00"), usd("11.00"))
    assert stock.on_trade(ny(DAY, "10:06:00"), usd("11.50")) is None


trades = st.lists(
    st.tuples(st.integers(min_value=0, max_value=90 * SECOND), st.integers(1, 2_000)),
    max_size=80,
)


@given(trades)
def test_the_rolling_window_equals_a_brute_force_recomputation(
    steps: list[tuple[int, int]],
) -> None:
    window = 60 * SECOND
    rolling = RollingRange(window)
    seen: list[tuple[int, int]] = []
    ts = 0
    for gap, price in steps:
        ts += gap
        inside = [p for t, p in seen if t > ts - window]
        assert rolling.extremes(ts) == ((min(inside), max(inside)) if inside else (0, 0))
        rolling.add(ts, price)
        seen.append((ts, price))


@given(trades)
def test_the_breaker_pauses_exactly_when_some_trade_in_the_window_is_10_percent_away(
    steps: list[tuple[int, int]],
) -> None:
    stock = breaker()
    since: list[tuple[int, int]] = []
    ts = ny(DAY, "10:00:00")
    for gap, cents in steps:
        ts += gap
        price = cents * 100
        window = [p for t, p in since if t > ts - 5 * MINUTE]
        expected = any(abs(price - p) * BPS >= p * 1_000 for p in window)
        paused = stock.on_trade(ts, price)
        assert (paused is not None) is expected
        since = [] if paused else [*since, (ts, price)]
