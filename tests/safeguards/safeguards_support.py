"""Readable prices and New York wall-clock instants for the safeguard tests.

Instants are computed with the standard library's own ``datetime.timestamp``,
independently of the calendar under test.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Literal, TypeVar
from zoneinfo import ZoneInfo

from hypothesis import strategies as st

from seawall.rulebooks import Rulebook
from seawall.safeguards.limit_state import LuldMonitor, LuldState
from seawall.safeguards.nbbo import Nbbo

NEW_YORK = ZoneInfo("America/New_York")
SECOND = 1_000_000_000
MINUTE = 60 * SECOND

T = TypeVar("T")

US_TODAY = Rulebook.load("us-today")
US_2013 = Rulebook.load("us-2013-luld")


def usd(amount: str) -> int:
    """``"10.01"`` → 100100 ticks."""
    return int(Decimal(amount) * 10_000)


def ny(day: str, clock: str) -> int:
    """Nanoseconds since the epoch of wall-clock ``clock`` (``"15:25:00"``) in New York."""
    local = dt.datetime.fromisoformat(f"{day}T{clock}").replace(tzinfo=NEW_YORK)
    return int(local.timestamp()) * SECOND


def present(section: T | None) -> T:
    """A rulebook section the test needs in force."""
    assert section is not None
    return section


# ---------------------------------------------------------------- LULD monitor input streams

LuldKind = Literal["advance", "trade", "quote", "act"]
LuldOp = tuple[LuldKind, int, int, int]
"""An input to a monitor (:func:`luld_step`): its kind, nanoseconds since the one before, a price
and a spread in cents."""

short_gaps = st.integers(0, 20 * SECOND)
gaps = st.one_of(short_gaps, short_gaps, st.integers(0, 3 * MINUTE), st.integers(0, 90 * MINUTE))
luld_kinds: st.SearchStrategy[LuldKind] = st.sampled_from(
    ("advance", "trade", "trade", "trade", "quote", "quote", "quote", "act")
)
luld_cents = st.one_of(  # mostly near the bands of a 100.00 reference; 0 is no bid
    st.integers(9_700, 10_300), st.integers(8_800, 11_200), st.just(0)
)
luld_spreads = st.one_of(st.integers(1, 60), st.integers(-1, 600))  # -1: no offer
luld_ops = st.lists(
    st.tuples(luld_kinds, gaps, luld_cents, luld_spreads),
    min_size=1,
    max_size=60,
)


def luld_step(ts: int, op: LuldOp, luld: LuldMonitor) -> object:
    """One input; what it returned (or the error), then what a venue can see of the monitor.

    ``act`` is what the venue may do in the state the monitor is in at ``ts``:
    open it, pause or halt it, or end a pause by reopening or extending.
    """
    kind, _, cents, spread = op
    price = (cents or 10_000) * 100
    try:
        if kind == "advance":
            result: object = luld.advance(ts)
        elif kind == "trade":
            result = luld.on_trade(ts, price)
        elif kind == "quote":
            ask = 0 if spread < 0 else price + spread * 100  # spread -1: no offer
            result = luld.on_quote(ts, Nbbo(cents * 100, ask))
        else:
            events = luld.advance(ts)
            if luld.state is LuldState.INACTIVE:
                events += luld.open(ts, price)  # refused after the close
            elif luld.state is LuldState.PAUSED:
                events += luld.reopen(ts, price) if spread % 3 else luld.extend(ts)
            else:
                events += luld.pause(ts) if spread % 2 else luld.halt(ts)
            result = events
    except ValueError as error:
        result = str(error)
    return result, luld.state, luld.bands, luld.reference, luld.next_instant()
