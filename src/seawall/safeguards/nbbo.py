"""The national best bid and offer that LULD and Rule 201 are defined on.

A venue that receives the consolidated quote (as a command, from a feed or a
simulation) uses it; a venue on its own, or an instrument with no external
quote yet, uses its own best prices, so the safeguards always have a quote
to look at.
"""

from __future__ import annotations

import msgspec


class Nbbo(msgspec.Struct, frozen=True):
    """Best bid and best offer in ticks; 0 means that side has no quote."""

    bid: int
    ask: int


def effective_nbbo(external: Nbbo | None, venue_bid: int, venue_ask: int) -> Nbbo:
    """The external NBBO when one was given, else the venue's own best prices."""
    if external is not None:
        return external
    return Nbbo(venue_bid, venue_ask)
