"""Regular hours as the collar asks for them: the cached answer equals a fresh one.

``RegularHours`` keeps its last answer with the interval it holds for (from
the previous local midnight, open or close to the next), so most orders
cost one comparison. These tests check the cached answers against the
definition, local wall-clock minutes between the open and the close, worked
out from scratch for every timestamp: on either side of each boundary, on
the days daylight time begins and ends, and in any order, the clock going
backwards included.
"""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from hypothesis import given
from hypothesis import strategies as st
from risk_support import SECOND, utc_ns

from seawall.risk.session import RegularHours

NEW_YORK = "America/New_York"
OPEN, CLOSE = 9 * 60 + 30, 16 * 60
MINUTE = 60 * SECOND
# 2024 in New York: daylight time began on Sunday 10 March, ended on Sunday 3 November.
DAYS = [(2024, 3, 8), (2024, 3, 10), (2024, 3, 11), (2024, 7, 10), (2024, 11, 3), (2024, 11, 4)]


def regular(ts: int) -> bool:
    """The definition: the local wall-clock minute of ``ts`` is within regular hours."""
    local = datetime.fromtimestamp(ts // SECOND, UTC).astimezone(ZoneInfo(NEW_YORK))
    return OPEN <= local.hour * 60 + local.minute < CLOSE


def boundaries() -> list[int]:
    """Local midnight, the open and the close of each test day, as UTC instants."""
    zone = ZoneInfo(NEW_YORK)
    found = []
    for year, month, day in DAYS:
        for minute in (0, OPEN, CLOSE):
            local = datetime(year, month, day, minute // 60, minute % 60, tzinfo=zone)
            found.append(int(local.timestamp()) * SECOND)
    return found


def test_the_answer_changes_exactly_at_the_open_the_close_and_midnight() -> None:
    hours = RegularHours(NEW_YORK, OPEN, CLOSE)
    for boundary in boundaries():
        for ts in (boundary - MINUTE, boundary - 1, boundary, boundary + 1, boundary + MINUTE):
            assert hours.contains(ts) is regular(ts), ts


def test_the_cached_interval_is_where_the_answer_holds() -> None:
    hours = RegularHours(NEW_YORK, OPEN, CLOSE)
    ts = utc_ns(2024, 7, 10, 15, 0)  # 11:00 EDT
    assert hours.contains(ts)
    assert (hours.since, hours.until) == (utc_ns(2024, 7, 10, 13, 30), utc_ns(2024, 7, 10, 20, 0))
    assert not hours.contains(hours.until)  # the close: 16:00 EDT, until midnight
    assert (hours.since, hours.until) == (utc_ns(2024, 7, 10, 20, 0), utc_ns(2024, 7, 11, 4, 0))


@given(
    st.lists(
        st.tuples(st.sampled_from(boundaries()), st.integers(-2 * 3_600, 2 * 3_600)),
        min_size=1,
        max_size=40,
    )
)
def test_any_sequence_of_timestamps_gets_the_fresh_answer(moments: list[tuple[int, int]]) -> None:
    hours = RegularHours(NEW_YORK, OPEN, CLOSE)
    for boundary, seconds in moments:  # in any order: the clock may step back
        ts = boundary + seconds * SECOND + seconds % 7
        assert hours.contains(ts) is regular(ts), ts
