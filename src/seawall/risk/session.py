"""Regular hours or not, for a nanosecond timestamp, in the venue's time zone.

The pre-trade collar is wider outside regular hours. Converting every
order's timestamp through ``zoneinfo`` would cost a microsecond, so the
bounds of the current local day are computed once and reused until a
timestamp falls outside them.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

_NS = 1_000_000_000


def _ns(moment: datetime) -> int:
    delta = moment - datetime(1970, 1, 1, tzinfo=UTC)
    return (delta.days * 86_400 + delta.seconds) * _NS + delta.microseconds * 1_000


class RegularHours:
    """Answers "is ``ts`` inside regular hours?" with a cached local day."""

    __slots__ = (
        "_close",
        "_day_end",
        "_day_start",
        "_open",
        "close_minute",
        "open_minute",
        "zone",
    )

    def __init__(self, timezone: str, open_minute: int, close_minute: int) -> None:
        self.zone = ZoneInfo(timezone)
        self.open_minute = open_minute
        self.close_minute = close_minute
        self._day_start = self._day_end = self._open = self._close = 0

    def contains(self, ts: int) -> bool:
        if not self._day_start <= ts < self._day_end:
            self._load_day(ts)
        return self._open <= ts < self._close

    def _load_day(self, ts: int) -> None:
        local = datetime.fromtimestamp(ts // _NS, UTC).astimezone(self.zone)
        midnight = datetime(local.year, local.month, local.day, tzinfo=self.zone)
        following = midnight.date() + timedelta(days=1)
        self._day_start = _ns(midnight)
        self._day_end = _ns(
            datetime(following.year, following.month, following.day, tzinfo=self.zone)
        )
        self._open = _ns(midnight + timedelta(minutes=self.open_minute))
        self._close = _ns(midnight + timedelta(minutes=self.close_minute))
