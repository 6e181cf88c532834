"""The units rulebook parameters are written in, and the integer arithmetic every evaluator shares.

Prices and money are integer ticks at :data:`~seawall.core.types.PRICE_SCALE`,
percentages are integer basis points, durations are whole seconds or minutes
in a rulebook and integer nanoseconds inside the evaluators. The annotated
types carry their ranges, so a rulebook that breaks one is refused on load
with the key that broke it. The helpers compare and round without ever
leaving the integers.
"""

from __future__ import annotations

from typing import Annotated

import msgspec

from seawall.core.types import BPS, MAX_PRICE

NS_PER_SECOND = 1_000_000_000
NS_PER_MINUTE = 60 * NS_PER_SECOND

Bps = Annotated[int, msgspec.Meta(ge=0, le=BPS)]
"""A percentage in basis points, 0 to 100%."""

PositiveBps = Annotated[int, msgspec.Meta(gt=0, le=BPS)]
"""A percentage in basis points that must not be zero."""

Ticks = Annotated[int, msgspec.Meta(ge=0, le=MAX_PRICE)]
"""A price or an amount of money at the price scale ($1.00 is 10,000)."""

PositiveTicks = Annotated[int, msgspec.Meta(gt=0, le=MAX_PRICE)]
"""A price step that must not be zero (a tick, a collar)."""

Seconds = Annotated[int, msgspec.Meta(ge=0, le=86_400)]
"""A duration in whole seconds, at most a day."""

PositiveSeconds = Annotated[int, msgspec.Meta(gt=0, le=86_400)]
"""A duration in whole seconds that must not be zero (a window, a pause)."""

Minutes = Annotated[int, msgspec.Meta(ge=0, le=1_440)]
"""A duration in whole minutes, at most a day."""

Multiple = Annotated[int, msgspec.Meta(ge=1, le=100)]
"""A whole multiplier (the doubling of bands, the outlier multiple)."""

Count = Annotated[int, msgspec.Meta(ge=0, le=1_000_000)]
"""A number of things (securities, days, extensions)."""


def round_to_tick(numerator: int, denominator: int, tick: int) -> int:
    """The multiple of ``tick`` nearest to ``numerator / denominator``, halves rounded up.

    The LULD Plan rounds bands "to the nearest penny" without saying where
    a half goes; rounding half up is Seawall's documented choice. Both
    arguments are non-negative, so no floor division of negatives can
    surprise anyone.
    """
    unit = denominator * tick
    return (2 * numerator + unit) // (2 * unit) * tick


def moved_at_least(price: int, reference: int, bps: int) -> bool:
    """Whether ``price`` is ``bps`` or more away from ``reference`` in either direction."""
    return abs(price - reference) * BPS >= reference * bps


def moved_beyond(price: int, reference: int, bps: int) -> bool:
    """Whether ``price`` is strictly more than ``bps`` away from ``reference``."""
    return abs(price - reference) * BPS > reference * bps


def unmoved_range(reference: int, bps: int) -> tuple[int, int]:
    """The lowest and highest prices not :func:`moved_beyond` ``bps`` from ``reference``."""
    room = reference * bps // BPS
    return reference - room, reference + room
