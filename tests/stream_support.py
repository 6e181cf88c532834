"""Running random command streams, shared by the engine's and the risk layer's property tests.

``tests/property`` (the engine) and ``tests/risk`` (the risk layer) draw their
streams differently, but both draw *specs* that a shadow venue resolves into
commands, run the resolved stream through a venue one command at a time, and
when a check fails name the command it failed after. That machinery is the
same for both and lives here once: :func:`run` and its :class:`Step`,
:func:`explained`, the :class:`Fixed` spec, :func:`pick` and the Hypothesis
settings for long streams. The folder is on ``sys.path`` through pytest's
``pythonpath`` setting and mypy's ``mypy_path``.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Protocol, TypeVar

import msgspec
from hypothesis import HealthCheck, Phase, settings
from hypothesis import strategies as st

from seawall import TradingState, Venue
from seawall.core.commands import Command
from seawall.core.events import Event

T = TypeVar("T")


def stream_settings(examples: int, shrink: bool = False) -> settings:
    """Hypothesis settings for ``examples`` streams per property.

    No deadline, since a stream of commands takes its time; never the explain
    phase, since tracing every replay of a failing stream costs minutes; and
    shrinking only when ``shrink`` asks for it, for the same reason.
    """
    return settings(
        max_examples=examples,
        deadline=None,
        phases=[Phase.explicit, Phase.reuse, Phase.generate, Phase.target]
        + ([Phase.shrink] if shrink else []),
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    )


def pick(draw: st.DrawFn, options: Sequence[T]) -> T:
    return draw(st.sampled_from(tuple(options)))


@dataclass(frozen=True)
class Fixed:
    """A spec that resolves to ``command`` whatever the commands before it did."""

    command: Command

    def __call__(self, ctx: object) -> Command:
        return self.command


def describe(command: Command) -> str:
    """A command with only its non-default fields, for readable falsifying examples."""
    parts = []
    for info in msgspec.structs.fields(command):
        value = getattr(command, info.name)
        if info.required or value != info.default:
            parts.append(f"{info.name}={value!r}")
    return f"{type(command).__name__}({', '.join(parts)})"


class Stream(Protocol):
    """A resolved stream: its commands, each with the timestamp to process it at."""

    def stamped(self) -> list[tuple[Command, int]]: ...


@dataclass
class Step:
    """One command applied to a venue, with what it returned."""

    index: int
    command: Command
    ts: int
    events: list[Event]
    # each instrument's trading state before the command (empty where nobody recorded it)
    before: dict[str, TradingState] = field(default_factory=dict)


def run(stream: Stream, venue: Venue, start: int = 0, stop: int | None = None) -> Iterator[Step]:
    """Feed the stream's commands ``start:stop`` to ``venue``, yielding after each command."""
    for index, (command, ts) in enumerate(stream.stamped()[start:stop], start):
        before = {symbol: book.state for symbol, book in venue.books.items()}
        events = venue.process(command, ts)
        yield Step(index, command, ts, events, before)


@contextmanager
def explained(step: Step) -> Iterator[None]:
    """Name the command a failing check ran after, without changing where the failure arose."""
    try:
        yield
    except AssertionError as error:
        error.add_note(f"after command #{step.index} (ts {step.ts}): {describe(step.command)}")
        error.add_note(f"its events: {step.events!r}")
        raise
