"""The trading calendar and session clock of the listing market.

Time inside Seawall is integer nanoseconds since the Unix epoch (UTC), but
markets keep local time: 09:30 in New York moves against UTC twice a year,
a holiday is a local date, and an early close moves the end of the day.
This module answers, for a nanosecond timestamp, which session it falls in
and which trading date it belongs to, and gives each trading day's session
boundaries as integers so that the evaluators compare integers only. The
zone, the hours, the weekend, the holidays and the early closes are data
from the rulebook; local times are converted with :mod:`zoneinfo` (and
:class:`datetime.timedelta` arithmetic, so no float ever appears).
"""

from __future__ import annotations

import datetime as dt
from enum import StrEnum
from typing import Annotated
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import msgspec

_EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)
_MICROSECOND = dt.timedelta(microseconds=1)
_ONE_DAY = dt.timedelta(days=1)

IsoWeekday = Annotated[int, msgspec.Meta(ge=1, le=7)]
"""Monday is 1, Sunday is 7."""


class Session(StrEnum):
    CLOSED = "closed"
    PRE_MARKET = "pre_market"
    REGULAR = "regular"
    POST_MARKET = "post_market"


class EarlyClose(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    """A trading day that closes early; its post-market keeps its usual length."""

    date: dt.date
    close: dt.time


class CalendarParams(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    """The ``[session]`` section of a rulebook: local hours, weekend, holidays, early closes.

    With ``overnight`` the pre-market starts at ``pre_open`` on the previous
    calendar day (a futures market's evening session belongs to the next
    trading date).
    """

    timezone: str
    pre_open: dt.time
    open: dt.time
    close: dt.time
    post_close: dt.time
    overnight: bool
    weekend: frozenset[IsoWeekday]
    holidays: frozenset[dt.date]
    early_closes: tuple[EarlyClose, ...]

    def problems(self) -> list[tuple[str, str]]:
        """``(key, problem)`` for every inconsistency; empty when the calendar is usable."""
        found: list[tuple[str, str]] = []
        try:
            ZoneInfo(self.timezone)
        except (ZoneInfoNotFoundError, ValueError):
            found.append(("timezone", f"unknown time zone {self.timezone!r}"))
        if not self.open < self.close <= self.post_close:
            found.append(("close", "must be after open and not after post_close"))
        if self.overnight and self.pre_open <= self.post_close:
            found.append(("pre_open", "an overnight pre-market must start after post_close"))
        if not self.overnight and self.pre_open > self.open:
            found.append(("pre_open", "must not be after open"))
        if len(self.weekend) == 7:
            found.append(("weekend", "at least one weekday must trade"))
        seen: set[dt.date] = set()
        for number, early in enumerate(self.early_closes):
            key = f"early_closes[{number}]"
            if not self.open < early.close < self.close:
                found.append((f"{key}.close", "must be after open and before the usual close"))
            if early.date in self.holidays or early.date.isoweekday() in self.weekend:
                found.append((f"{key}.date", f"{early.date} is not a trading day"))
            if early.date in seen:
                found.append((f"{key}.date", f"{early.date} is listed twice"))
            seen.add(early.date)
        return found


class TradingDay(msgspec.Struct, frozen=True):
    """One trading day's session boundaries in nanoseconds since the epoch.

    ``early`` is how much earlier than usual the day closes (0 on a full
    day); rules written in clock times move by it (see
    :meth:`TradingCalendar.clock_ns`).
    """

    date: dt.date
    pre_open: int
    open: int
    close: int
    post_close: int
    early: int


class TradingCalendar:
    """Sessions, trading dates and day boundaries for one rulebook's ``[session]`` section."""

    __slots__ = ("_days", "_early", "_span", "_span_date", "_zone", "params")

    def __init__(self, params: CalendarParams) -> None:
        self.params = params
        self._zone = ZoneInfo(params.timezone)
        self._early = {early.date: early.close for early in params.early_closes}
        self._days: dict[dt.date, TradingDay] = {}
        self._span = (0, 0)
        self._span_date = _EPOCH.date()

    def at(self, date: dt.date, time: dt.time) -> int:
        """The instant of local clock ``time`` on ``date``, in nanoseconds since the epoch."""
        local = dt.datetime.combine(date, time, tzinfo=self._zone)
        return (local - _EPOCH) // _MICROSECOND * 1_000

    def local_date(self, ts: int) -> dt.date:
        """The market's local calendar date at ``ts``."""
        start, end = self._span
        if start <= ts < end:
            return self._span_date
        date = (_EPOCH + dt.timedelta(microseconds=ts // 1_000)).astimezone(self._zone).date()
        self._span = (self.at(date, dt.time()), self.at(date + _ONE_DAY, dt.time()))
        self._span_date = date
        return date

    def is_trading_day(self, date: dt.date) -> bool:
        return date.isoweekday() not in self.params.weekend and date not in self.params.holidays

    def next_trading_day(self, date: dt.date, days: int = 1) -> dt.date:
        """The ``days``-th trading day after ``date`` (which need not be a trading day itself)."""
        for _ in range(days):
            date += _ONE_DAY
            while not self.is_trading_day(date):
                date += _ONE_DAY
        return date

    def day(self, date: dt.date) -> TradingDay:
        """The session boundaries of trading day ``date``; ``ValueError`` if the market is shut."""
        cached = self._days.get(date)
        if cached is not None:
            return cached
        if not self.is_trading_day(date):
            raise ValueError(f"{date} is not a trading day")
        params = self.params
        pre_open_date = date - _ONE_DAY if params.overnight else date
        usual_close = self.at(date, params.close)
        close = self.at(date, self._early.get(date, params.close))
        post_length = self.at(date, params.post_close) - usual_close
        day = TradingDay(
            date,
            self.at(pre_open_date, params.pre_open),
            self.at(date, params.open),
            close,
            close + post_length,
            usual_close - close,
        )
        self._days[date] = day
        return day

    def clock_ns(self, day: TradingDay, time: dt.time) -> int:
        """The instant a rule written as clock ``time`` applies on ``day``.

        On an early-close day every such time moves earlier by as much as
        the close does: NYSE Rule 7.12's 15:25 cut-off becomes 12:25 when
        the market closes at 13:00.
        """
        return self.at(day.date, time) - day.early

    def session_at(self, ts: int) -> Session:
        date = self.local_date(ts)
        if self.is_trading_day(date):
            day = self.day(date)
            if day.pre_open <= ts < day.post_close:
                if ts < day.open:
                    return Session.PRE_MARKET
                return Session.REGULAR if ts < day.close else Session.POST_MARKET
        if self._in_evening_session(date, ts):
            return Session.PRE_MARKET
        return Session.CLOSED

    def trading_date(self, ts: int) -> dt.date:
        """The trading date ``ts`` belongs to.

        On a trading day that is the local date, after the close too; on a
        weekend or holiday it is the next trading day; on an overnight
        market the evening session belongs to the next trading day.
        """
        date = self.local_date(ts)
        if self._in_evening_session(date, ts):
            return date + _ONE_DAY
        if self.is_trading_day(date):
            return date
        return self.next_trading_day(date)

    def _in_evening_session(self, date: dt.date, ts: int) -> bool:
        """Whether ``ts`` (local date ``date``) is in the next day's overnight pre-market."""
        following = date + _ONE_DAY
        return (
            self.params.overnight
            and self.is_trading_day(following)
            and ts >= self.day(following).pre_open
        )
