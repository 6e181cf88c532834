"""Rulebook sections that no safeguard evaluator owns yet: settlement and clearly-erroneous review.

The numerical guidelines of RULES.md §1 are data the clearly-erroneous
desk will read; they are validated here so that a rulebook with a broken
guideline table is refused on load, like any other section.
"""

from __future__ import annotations

import datetime as dt
from enum import StrEnum

import msgspec

from seawall.safeguards.units import (
    Count,
    Minutes,
    Multiple,
    PositiveBps,
    PositiveTicks,
    Ticks,
)


class Settlement(StrEnum):
    """DESIGN.md "Settlement modes"."""

    RTGS = "rtgs"  # funded orders, each fill settles both legs at once
    DEFERRED = "deferred"  # orders checked against credit; obligations settle later


class Remedy(StrEnum):
    BUST = "bust"  # the trade is declared null and void (US equities)
    ADJUST = "adjust"  # the price is adjusted to the threshold (futures, options)


class ReviewReference(StrEnum):
    LAST_SALE = "last_sale"  # the consolidated last sale before the trade under review
    NBBO = "nbbo"
    VWAP = "vwap"


class Guideline(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    """Percentages for reference prices up to and including ``up_to`` (the last row: above)."""

    regular_bps: PositiveBps
    extended_bps: PositiveBps
    up_to: PositiveTicks | None = None


class MultiStockGuideline(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    """The percentage when ``min_securities`` or more trade erroneously within the window."""

    min_securities: Count
    window_minutes: Minutes
    bps: PositiveBps


class VolatileMarket(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    """Guidelines multiplied when the index opens ``index_move_bps`` or more from its close."""

    index_move_bps: PositiveBps
    multiple: Multiple


class ReviewEvent(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    """A one-off decision: trades between ``start`` and ``end`` (local time) ``bps`` or more
    from the last print at or before ``start`` are broken."""

    name: str
    start: dt.datetime
    end: dt.datetime
    bps: PositiveBps


class ClearlyErroneousParams(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    """The ``[clearly_erroneous]`` section (RULES.md §1); absent optional keys do not apply."""

    remedy: Remedy
    reference: ReviewReference
    guidelines: tuple[Guideline, ...]
    multi_stock: tuple[MultiStockGuideline, ...]
    leveraged_multiplier: bool
    volatile_market: tuple[VolatileMarket, ...]
    filing_minutes: Minutes
    automatic_busts: bool
    inside_bands_eligible: bool
    late_filing_bps: PositiveBps | None = None
    outlier_multiple: Multiple | None = None
    outlier_filing_minutes: Minutes | None = None
    routed_deadline_minutes: Minutes | None = None
    review_minutes: Minutes | None = None
    appeal_minutes: Minutes | None = None
    late_appeal_after: dt.time | None = None
    appeal_fee: Ticks | None = None
    events: tuple[ReviewEvent, ...] = ()

    def problems(self) -> list[tuple[str, str]]:
        found: list[tuple[str, str]] = []
        rows = self.guidelines
        if not rows or rows[-1].up_to is not None:
            found.append(("guidelines", "the last row must have no up_to (it covers the rest)"))
        previous = 0
        for number, row in enumerate(rows[:-1]):
            if row.up_to is None or row.up_to <= previous:
                key = f"guidelines[{number}].up_to"
                found.append((key, "needed on every row but the last, in increasing order"))
                break
            previous = row.up_to
        counts = [row.min_securities for row in self.multi_stock]
        if counts != sorted(set(counts)):
            found.append(("multi_stock", "min_securities must increase"))
        moves = [row.index_move_bps for row in self.volatile_market]
        if moves != sorted(set(moves)):
            found.append(("volatile_market", "index_move_bps must increase"))
        for number, event in enumerate(self.events):
            if event.start >= event.end:
                found.append((f"events[{number}].end", "must be after start"))
        return found
