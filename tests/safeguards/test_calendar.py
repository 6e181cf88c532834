"""The session clock in the listing market's zone: hours, DST, early closes, holidays, overnight."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from safeguards_support import SECOND, US_TODAY, ny

from seawall.rulebooks import Rulebook
from seawall.safeguards.calendar import Session

NYSE = US_TODAY.calendar()
CHICAGO = ZoneInfo("America/Chicago")


def utc(text: str) -> int:
    return int(dt.datetime.fromisoformat(text).replace(tzinfo=dt.UTC).timestamp()) * SECOND


def chicago(day: str, clock: str) -> int:
    local = dt.datetime.fromisoformat(f"{day}T{clock}").replace(tzinfo=CHICAGO)
    return int(local.timestamp()) * SECOND


@pytest.mark.parametrize(
    ("clock", "session"),
    [
        ("03:59:59", Session.CLOSED),
        ("04:00:00", Session.PRE_MARKET),
        ("09:29:59", Session.PRE_MARKET),
        ("09:30:00", Session.REGULAR),
        ("15:59:59", Session.REGULAR),
        ("16:00:00", Session.POST_MARKET),
        ("19:59:59", Session.POST_MARKET),
        ("20:00:00", Session.CLOSED),
    ],
)
def test_the_sessions_of_an_ordinary_day(clock: str, session: Session) -> None:
    assert NYSE.session_at(ny("2025-06-04", clock)) is session
    assert NYSE.trading_date(ny("2025-06-04", clock)) == dt.date(2025, 6, 4)


def test_the_open_follows_daylight_saving_time() -> None:
    assert NYSE.day(dt.date(2025, 3, 7)).open == utc("2025-03-07T14:30:00")  # EST
    assert NYSE.day(dt.date(2025, 3, 10)).open == utc("2025-03-10T13:30:00")  # EDT


def test_an_early_close_at_13_00_keeps_four_hours_of_post_market() -> None:
    day = "2025-11-28"
    assert NYSE.session_at(ny(day, "12:59:59")) is Session.REGULAR
    assert NYSE.session_at(ny(day, "13:00:00")) is Session.POST_MARKET
    assert NYSE.session_at(ny(day, "17:00:00")) is Session.CLOSED
    trading_day = NYSE.day(dt.date(2025, 11, 28))
    assert trading_day.early == 3 * 3_600 * SECOND
    assert NYSE.clock_ns(trading_day, dt.time(15, 25)) == ny(day, "12:25:00")


def test_a_holiday_is_closed_and_belongs_to_the_next_trading_day() -> None:
    christmas = dt.date(2025, 12, 25)
    assert not NYSE.is_trading_day(christmas)
    assert NYSE.session_at(ny("2025-12-25", "10:00:00")) is Session.CLOSED
    assert NYSE.trading_date(ny("2025-12-25", "10:00:00")) == dt.date(2025, 12, 26)
    assert NYSE.next_trading_day(dt.date(2025, 12, 24)) == dt.date(2025, 12, 26)
    with pytest.raises(ValueError, match="not a trading day"):
        NYSE.day(christmas)


def test_weekends_are_skipped() -> None:
    friday = dt.date(2025, 6, 6)
    assert NYSE.next_trading_day(friday) == dt.date(2025, 6, 9)
    assert NYSE.next_trading_day(friday, 2) == dt.date(2025, 6, 10)
    assert NYSE.trading_date(ny("2025-06-07", "12:00:00")) == dt.date(2025, 6, 9)


def test_london_keeps_london_time() -> None:
    london = Rulebook.load("lse").calendar()
    assert london.day(dt.date(2025, 6, 4)).open == utc("2025-06-04T07:00:00")  # 08:00 BST
    # a half day: continuous trading to 12:30, the closing uncross at 12:35 (chix: 12:30)
    assert london.day(dt.date(2025, 12, 24)).close == utc("2025-12-24T12:35:00")
    chix = Rulebook.load("chix").calendar()
    assert chix.day(dt.date(2025, 12, 24)).close == utc("2025-12-24T12:30:00")
    assert not london.is_trading_day(dt.date(2025, 12, 26))  # Boxing Day


def test_an_overnight_market_opens_the_evening_before_its_trading_date() -> None:
    cme = Rulebook.load("cme").calendar()
    sunday, monday = "2025-06-08", "2025-06-09"
    assert cme.session_at(chicago(sunday, "16:59:59")) is Session.CLOSED
    assert cme.session_at(chicago(sunday, "17:00:00")) is Session.PRE_MARKET
    assert cme.trading_date(chicago(sunday, "17:00:00")) == dt.date(2025, 6, 9)
    assert cme.session_at(chicago(monday, "08:30:00")) is Session.REGULAR
    assert cme.session_at(chicago(monday, "15:00:00")) is Session.POST_MARKET
    assert cme.session_at(chicago(monday, "16:00:00")) is Session.CLOSED
    assert cme.session_at(chicago(monday, "17:00:00")) is Session.PRE_MARKET
    assert cme.trading_date(chicago(monday, "17:00:00")) == dt.date(2025, 6, 10)
    friday = "2025-06-13"
    assert cme.session_at(chicago(friday, "17:00:00")) is Session.CLOSED  # no Saturday session
    assert cme.trading_date(chicago(friday, "17:00:00")) == dt.date(2025, 6, 13)
