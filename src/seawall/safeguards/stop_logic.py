"""CME-style stop logic (RULES.md §7): a short reserved state instead of a stop-order cascade.

When elected stop orders would trade beyond a threshold from the price
that elected them, the instrument enters a reserved state: orders are
accepted but nothing trades, for ``reserved_seconds``. When that time is
up, if the indicative price is still more than ``extension_multiple``
times the threshold away, the reserved state is extended by
``extension_seconds``, and so on; otherwise the book uncrosses and trading
resumes. The functions are pure: the venue keeps the :class:`StopReserve`
and asks again when its ``until`` arrives.
"""

from __future__ import annotations

import msgspec

from seawall.safeguards.units import (
    NS_PER_SECOND,
    Multiple,
    PositiveBps,
    PositiveSeconds,
    moved_beyond,
)


class StopLogicParams(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    """The ``[stop_logic]`` section."""

    threshold_bps: PositiveBps
    reserved_seconds: PositiveSeconds
    extension_seconds: PositiveSeconds
    extension_multiple: Multiple

    def problems(self) -> list[tuple[str, str]]:
        """Nothing to check beyond each key's type and range."""
        return []


class StopReserve(msgspec.Struct, frozen=True):
    """A reserved state: entered at ``since``, due for review at ``until``."""

    anchor: int
    since: int
    until: int
    extensions: int


def stop_logic_trigger(
    params: StopLogicParams, ts: int, anchor: int, price: int
) -> StopReserve | None:
    """The reserved state that trading stop orders at ``price`` would start, if it is beyond.

    ``anchor`` is the price that elected the stops (the last trade before
    them).
    """
    if not moved_beyond(price, anchor, params.threshold_bps):
        return None
    return StopReserve(anchor, ts, ts + params.reserved_seconds * NS_PER_SECOND, 0)


def stop_logic_review(
    params: StopLogicParams, reserve: StopReserve, indicative: int
) -> StopReserve | None:
    """At ``reserve.until``: the extended reserved state, or None to uncross and resume.

    With no indicative price (nothing crosses) there is nothing to hold back.
    """
    far = params.threshold_bps * params.extension_multiple
    if indicative <= 0 or not moved_beyond(indicative, reserve.anchor, far):
        return None
    return StopReserve(
        reserve.anchor,
        reserve.since,
        reserve.until + params.extension_seconds * NS_PER_SECOND,
        reserve.extensions + 1,
    )
