"""Auction timing and collars: how long a call lasts, when it uncrosses, when it is extended.

The uncross itself (maximum volume, minimum imbalance, nearest the
reference) is the core's. What a rulebook decides is around it: the length
of the opening, closing and reopening calls; a random uncross within a
window after the call's scheduled end (London: 30 seconds), so nobody can
time a last-instant order; and a collar around the auction's reference
price that, when the uncross price would fall outside it, extends the call
(widening by ``collar_widen_bps`` each time, up to ``max_extensions``).
The random end is derived from a seed the caller supplies (for example the
command's sequence number), so replaying the same commands picks the same
instant.
"""

from __future__ import annotations

import msgspec

from seawall.safeguards.units import (
    NS_PER_SECOND,
    Count,
    PositiveBps,
    Seconds,
    moved_beyond,
)

_MASK64 = (1 << 64) - 1


class AuctionParams(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    """The ``[auctions]`` section; absent optional keys switch collars and limits off."""

    opening_call_seconds: Seconds
    closing_call_seconds: Seconds
    reopening_call_seconds: Seconds
    random_uncross_seconds: Seconds
    extension_seconds: Seconds
    max_extensions: Count | None = None
    collar_bps: PositiveBps | None = None
    collar_widen_bps: PositiveBps | None = None

    def problems(self) -> list[tuple[str, str]]:
        if self.collar_bps is None and self.collar_widen_bps is not None:
            return [("collar_widen_bps", "a widening needs collar_bps")]
        if self.collar_bps is not None and self.extension_seconds == 0:
            return [("extension_seconds", "a collar extends the call, so this must be positive")]
        return []


def extension_due(params: AuctionParams, price: int, reference: int, extensions: int) -> bool:
    """Whether an uncross at ``price`` must wait for another extension of the call.

    The collar is ``collar_bps`` around ``reference``, widened by
    ``collar_widen_bps`` for each extension already granted; a price
    strictly outside it extends the call unless ``max_extensions`` are
    used up.
    """
    if params.collar_bps is None or reference <= 0:
        return False
    if params.max_extensions is not None and extensions >= params.max_extensions:
        return False
    width = params.collar_bps + (params.collar_widen_bps or 0) * extensions
    return moved_beyond(price, reference, width)


def uncross_at(params: AuctionParams, call_end: int, seed: int) -> int:
    """The instant the call uncrosses: ``call_end`` plus a random part of the window."""
    window = params.random_uncross_seconds * NS_PER_SECOND
    if not window:
        return call_end
    return call_end + _splitmix64(seed) % (window + 1)


def _splitmix64(seed: int) -> int:
    """A well-mixed 64-bit integer from ``seed`` (Steele, Lea and Flood's SplitMix64)."""
    z = (seed + 0x9E3779B97F4A7C15) & _MASK64
    z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & _MASK64
    z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & _MASK64
    return z ^ (z >> 31)
