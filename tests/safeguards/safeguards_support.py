"""Readable prices and New York wall-clock instants for the safeguard tests.

Instants are computed with the standard library's own ``datetime.timestamp``,
independently of the calendar under test.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import TypeVar
from zoneinfo import ZoneInfo

from seawall.rulebooks import Rulebook

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
