"""Market-wide circuit breakers: 7%, 13%, 20% of a 5,000.00 close, and the 15:25 cut-off."""

from __future__ import annotations

import datetime as dt

from safeguards_support import MINUTE, SECOND, US_TODAY, ny, usd

from seawall.rulebooks import Rulebook
from seawall.safeguards.mwcb import MarketWideBreaker, MwcbHalt, trigger_values

CLOSE = usd("5000.00")  # index points at the price scale
DAY = "2025-06-04"


def breaker(day: str = DAY, rulebook: Rulebook = US_TODAY, close: int = CLOSE) -> MarketWideBreaker:
    assert rulebook.mwcb is not None
    calendar = rulebook.calendar()
    return MarketWideBreaker(
        rulebook.mwcb, calendar, calendar.day(dt.date.fromisoformat(day)), close
    )


def test_the_daily_trigger_values_for_a_5000_close() -> None:
    assert US_TODAY.mwcb is not None
    assert trigger_values(US_TODAY.mwcb, CLOSE) == (usd("4650"), usd("4350"), usd("4000"))
    assert breaker().thresholds == (usd("4650"), usd("4350"), usd("4000"))


def test_level_1_halts_15_minutes_up_to_and_including_15_25_and_not_after() -> None:
    at = ny(DAY, "15:25:00")
    assert breaker().on_index(at, usd("4650.00")) == MwcbHalt(1, at, at + 15 * MINUTE)
    assert breaker().on_index(at + 1, usd("4650.00")) is None
    assert breaker().on_index(ny(DAY, "10:00:00"), usd("4650.01")) is None  # not quite 7%


def test_level_3_halts_for_the_rest_of_the_day_at_any_time() -> None:
    late = breaker()
    assert late.on_index(ny(DAY, "15:30:00"), usd("4350")) is None  # level 2 after 15:25
    at = ny(DAY, "15:59:00")
    assert late.on_index(at, usd("4000")) == MwcbHalt(3, at, None)
    assert late.on_index(at + MINUTE, usd("3000")) is None


def test_each_level_triggers_once_a_day_and_a_halt_ignores_the_index() -> None:
    day = breaker()
    first = ny(DAY, "10:00:00")
    assert day.on_index(first, usd("4640")) == MwcbHalt(1, first, first + 15 * MINUTE)
    assert day.on_index(first + 10 * MINUTE, usd("4000")) is None  # halted
    assert day.on_index(first + 20 * MINUTE, usd("4600")) is None  # level 1 is spent
    second = ny(DAY, "11:00:00")
    assert day.on_index(second, usd("4350")) == MwcbHalt(2, second, second + 15 * MINUTE)
    third = ny(DAY, "12:00:00")
    assert day.on_index(third, usd("3999.99")) == MwcbHalt(3, third, None)


def test_a_gap_through_two_levels_triggers_the_more_severe() -> None:
    at = ny(DAY, "10:00:00")
    assert breaker().on_index(at, usd("4300")) == MwcbHalt(2, at, at + 15 * MINUTE)


def test_only_regular_hours_count() -> None:
    assert breaker().on_index(ny(DAY, "09:29:59"), usd("3000")) is None
    assert breaker().on_index(ny(DAY, "16:00:00"), usd("3000")) is None


def test_on_an_early_close_the_cut_off_is_12_25() -> None:
    at = ny("2025-11-28", "12:25:00")  # the NYSE closes at 13:00 the day after Thanksgiving
    assert breaker("2025-11-28").on_index(at, usd("4650")) == MwcbHalt(1, at, at + 15 * MINUTE)
    assert breaker("2025-11-28").on_index(at + SECOND, usd("4650")) is None


def test_rule_80b_of_2010_shortens_the_halt_through_the_afternoon() -> None:
    us_2010 = Rulebook.load("us-2010")
    day, close = "2010-05-06", usd("10000")  # a Dow of 10,000.00
    one_hour = ny(day, "13:59:59")
    assert breaker(day, us_2010, close).on_index(one_hour, usd("9000")) == MwcbHalt(
        1, one_hour, one_hour + 60 * MINUTE
    )
    half_hour = ny(day, "14:00:00")
    assert breaker(day, us_2010, close).on_index(half_hour, usd("9000")) == MwcbHalt(
        1, half_hour, half_hour + 30 * MINUTE
    )
    assert breaker(day, us_2010, close).on_index(ny(day, "14:30:00"), usd("9000")) is None
    level_2 = ny(day, "14:00:00")
    assert breaker(day, us_2010, close).on_index(level_2, usd("8000")) == MwcbHalt(2, level_2, None)
    # 6 May 2010: the Dow fell about 9.2% at its low, short of the 10% level
    assert breaker(day, us_2010, close).on_index(ny(day, "14:47:00"), usd("9080")) is None
