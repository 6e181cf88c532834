"""Regular hours or not, for a nanosecond timestamp, in the venue's time zone.

The pre-trade collar is wider outside regular hours, and the question is
asked for every collared order. Converting each timestamp through
``zoneinfo`` would cost a microsecond, so the answer is cached with the
interval it holds for: from the last instant it changed (local midnight, the
open or the close) to the next. An order inside that interval costs one
chained comparison; only one that falls outside it converts its timestamp.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

_NS = 1_000_000_000


def _ns(moment: datetime) -> int:
    delta = moment - datetime(1970, 1, 1, tzinfo=UTC)
    return (delta.days * 86_400 + delta.seconds) * _NS + delta.microseconds * 1_000


class RegularHours:
    """Answers "is ``ts`` inside regular hours?"; see the module docstring.

    ``regular`` is the answer for every timestamp from ``since`` (included)
    to ``until`` (excluded).
    """

    __slots__ = ("close_minute", "open_minute", "regular", "since", "until", "zone")

    def __init__(self, timezone: str, open_minute: int, close_minute: int) -> None:
        self.zone = ZoneInfo(timezone)
        self.open_minute = open_minute
        self.close_minute = close_minute
        self.since = self.until = 0
        self.regular = False

    def contains(self, ts: int) -> bool:
        if not self.since <= ts < self.until:
            self._load(ts)
        return self.regular

    def _load(self, ts: int) -> None:
        """Cache the answer for ``ts`` and the interval of its local day it holds for."""
        local = datetime.fromtimestamp(ts // _NS, UTC).astimezone(self.zone)
        midnight = datetime(local.year, local.month, local.day, tzinfo=self.zone)
        following = midnight.date() + timedelta(days=1)
        day_end = _ns(datetime(following.year, following.month, following.day, tzinfo=self.zone))
        opens = _ns(midnight + timedelta(minutes=self.open_minute))
        closes = _ns(midnight + timedelta(minutes=self.close_minute))
        changes = (_ns(midnight), opens, closes, day_end)
        self.regular = opens <= ts < closes
        self.since = max(instant for instant in changes if instant <= ts)
        self.until = min(instant for instant in changes if instant > ts)
