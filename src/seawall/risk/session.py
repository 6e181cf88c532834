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
        "close_minute",
        "close_ns",
        "day_end",
        "day_start",
        "open_minute",
        "open_ns",
        "zone",
    )

    def __init__(self, timezone: str, open_minute: int, close_minute: int) -> None:
        self.zone = ZoneInfo(timezone)
        self.open_minute = open_minute
        self.close_minute = close_minute
        self.day_start = self.day_end = self.open_ns = self.close_ns = 0

    def contains(self, ts: int) -> bool:
        if not self.day_start <= ts < self.day_end:
            self._load_day(ts)
        return self.open_ns <= ts < self.close_ns

    def _load_day(self, ts: int) -> None:
        local = datetime.fromtimestamp(ts // _NS, UTC).astimezone(self.zone)
        midnight = datetime(local.year, local.month, local.day, tzinfo=self.zone)
        following = midnight.date() + timedelta(days=1)
        self.day_start = _ns(midnight)
        self.day_end = _ns(
            datetime(following.year, following.month, following.day, tzinfo=self.zone)
        )
        self.open_ns = _ns(midnight + timedelta(minutes=self.open_minute))
        self.close_ns = _ns(midnight + timedelta(minutes=self.close_minute))
