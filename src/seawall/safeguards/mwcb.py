"""Market-wide circuit breakers on an index level that arrives as a command (RULES.md §3).

Each level is a decline from the index's prior close and a schedule of
what a decline at a given time of day does: halt for some minutes, halt
for the rest of the day, or nothing. Today's NYSE Rule 7.12 (7%, 13%, 20%
of the S&P 500; 15 minutes up to and including 15:25; Level 3 for the day)
and the Rule 80B of 2010 (10%, 20%, 30% of the Dow with halts that shrink
through the afternoon) are both just data in this shape. Each level
triggers at most once a day.
"""

from __future__ import annotations

import datetime as dt

import msgspec

from seawall.core.types import BPS
from seawall.safeguards.calendar import TradingCalendar, TradingDay
from seawall.safeguards.units import NS_PER_MINUTE, Minutes, PositiveBps


class MwcbStep(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    """What a decline does when it happens before ``until`` or up to and including ``through``.

    A step with neither bound applies at any time. Exactly one of
    ``halt_minutes`` (positive) and ``rest_of_day`` says what it does.
    """

    until: dt.time | None = None
    through: dt.time | None = None
    halt_minutes: Minutes = 0
    rest_of_day: bool = False


class MwcbLevel(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    """A decline of ``decline_bps`` from the prior close; the first step that applies decides.

    A decline after the last bounded step does not halt.
    """

    decline_bps: PositiveBps
    halts: tuple[MwcbStep, ...]


class MwcbParams(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    """The ``[mwcb]`` section: the index watched and its levels, mildest first."""

    index: str
    levels: tuple[MwcbLevel, ...]

    def problems(self) -> list[tuple[str, str]]:
        found: list[tuple[str, str]] = []
        if not self.levels:
            found.append(("levels", "at least one level is needed"))
        previous = 0
        for number, level in enumerate(self.levels):
            key = f"levels[{number}]"
            if level.decline_bps <= previous:
                found.append((f"{key}.decline_bps", "levels must be in increasing decline"))
            previous = level.decline_bps
            if not level.halts:
                found.append((f"{key}.halts", "at least one step is needed"))
            found.extend(_step_problems(key, level.halts))
        return found


def _step_problems(key: str, steps: tuple[MwcbStep, ...]) -> list[tuple[str, str]]:
    found: list[tuple[str, str]] = []
    last = dt.time.min
    for number, step in enumerate(steps):
        at = f"{key}.halts[{number}]"
        if (step.halt_minutes > 0) == step.rest_of_day:
            found.append((at, "give either halt_minutes (positive) or rest_of_day = true"))
        if step.until is not None and step.through is not None:
            found.append((at, "give until or through, not both"))
        bound = step.until if step.until is not None else step.through
        if bound is None:
            if number != len(steps) - 1:
                found.append((at, "only the last step may apply at any time"))
        elif bound <= last:
            found.append((at, "steps must be in increasing time"))
        else:
            last = bound
    return found


class MwcbHalt(msgspec.Struct, frozen=True):
    """A market-wide halt: ``level`` is 1-based; ``resume_at`` is None for the rest of the day."""

    level: int
    at: int
    resume_at: int | None


def trigger_values(params: MwcbParams, prior_close: int) -> tuple[int, ...]:
    """The index value at or below which each level triggers (the daily published levels)."""
    return tuple(prior_close * (BPS - level.decline_bps) // BPS for level in params.levels)


class MwcbState(msgspec.Struct, frozen=True, array_like=True):
    """A :class:`MarketWideBreaker`'s state: levels 1..``used`` have triggered today."""

    used: int
    halted_until: int


class MarketWideBreaker:
    """The circuit breakers for one trading day, given the index's prior close.

    Declines count only in regular hours. A decline that crosses several
    levels at once triggers the most severe; a level, once triggered (with
    or without a halt), never triggers again that day, nor do the milder
    ones. While a halt lasts, index values are ignored.
    """

    __slots__ = ("_bounds", "_close", "_halted_until", "_levels", "_open", "_thresholds", "_used")

    def __init__(
        self, params: MwcbParams, calendar: TradingCalendar, day: TradingDay, prior_close: int
    ) -> None:
        self._levels = params.levels
        self._thresholds = trigger_values(params, prior_close)
        self._bounds = tuple(
            tuple(_bound(calendar, day, step) for step in level.halts) for level in params.levels
        )
        self._open = day.open
        self._close = day.close
        self._used = 0  # levels 1.._used have triggered
        self._halted_until = 0

    @property
    def thresholds(self) -> tuple[int, ...]:
        return self._thresholds

    def on_index(self, ts: int, value: int) -> MwcbHalt | None:
        """A new index value; the halt it starts, if any."""
        if not self._open <= ts < self._close or ts < self._halted_until:
            return None
        crossed = sum(1 for threshold in self._thresholds if value <= threshold)
        if crossed <= self._used:
            return None
        self._used = crossed
        level = self._levels[crossed - 1]
        for step, (until, through) in zip(level.halts, self._bounds[crossed - 1], strict=True):
            if ts < until or ts <= through:
                resume_at = None if step.rest_of_day else ts + step.halt_minutes * NS_PER_MINUTE
                self._halted_until = self._close if resume_at is None else resume_at
                return MwcbHalt(crossed, ts, resume_at)
        return None

    def export(self) -> MwcbState:
        """The state a snapshot carries; thresholds and step bounds come from params and day."""
        return MwcbState(self._used, self._halted_until)

    def restore(self, state: MwcbState) -> None:
        """Overwrite the state of a breaker built with the same params, day and prior close."""
        self._used = state.used
        self._halted_until = state.halted_until


def _bound(calendar: TradingCalendar, day: TradingDay, step: MwcbStep) -> tuple[int, int]:
    """``(until, through)`` as instants on ``day``; a missing bound never or always applies."""
    if step.until is not None:
        return calendar.clock_ns(day, step.until), -1
    if step.through is not None:
        return -1, calendar.clock_ns(day, step.through)
    return -1, day.close
