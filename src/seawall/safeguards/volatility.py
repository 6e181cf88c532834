"""Static and dynamic price tolerances that interrupt trading with a volatility auction.

London's 2010 protection (RULES.md §7): a trade that would print more than
a set percentage from the static reference (the last auction price) or
from the dynamic reference (the last automatic trade, for example 5%) does
not happen; the book goes into a volatility auction instead, whose call
length is ``auction_seconds`` and whose random uncross and extensions come
from the ``[auctions]`` section.
"""

from __future__ import annotations

from enum import StrEnum

import msgspec

from seawall.safeguards.units import PositiveBps, PositiveSeconds, moved_beyond


class VolatilityParams(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    """The ``[volatility]`` section; an absent tolerance is not checked."""

    auction_seconds: PositiveSeconds
    static_bps: PositiveBps | None = None
    dynamic_bps: PositiveBps | None = None

    def problems(self) -> list[tuple[str, str]]:
        if self.static_bps is None and self.dynamic_bps is None:
            return [("static_bps", "give static_bps, dynamic_bps or both")]
        return []


class Tolerance(StrEnum):
    STATIC = "static"
    DYNAMIC = "dynamic"


def tolerance_breach(
    params: VolatilityParams, price: int, static_reference: int, dynamic_reference: int
) -> Tolerance | None:
    """Which tolerance a trade at ``price`` would break (static first), or None.

    Only a price strictly beyond the tolerance breaks it; a reference of 0
    (none yet) is not checked.
    """
    if (
        params.static_bps is not None
        and static_reference > 0
        and moved_beyond(price, static_reference, params.static_bps)
    ):
        return Tolerance.STATIC
    if (
        params.dynamic_bps is not None
        and dynamic_reference > 0
        and moved_beyond(price, dynamic_reference, params.dynamic_bps)
    ):
        return Tolerance.DYNAMIC
    return None
