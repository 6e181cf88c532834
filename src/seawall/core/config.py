"""Venue-wide parameters that the core needs before any rulebook is loaded.

They are data, journalled as the first record of every journal, so that a
replay rebuilds exactly the venue that ran.
"""

from __future__ import annotations

import msgspec


class VenueConfig(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    """Parameters of the deterministic core.

    The market-order collar converts a market order into a limit order this
    far from the reference price: the tighter of ``market_collar_bps`` basis
    points and ``market_collar_abs`` money units ($0.50 by default), as one
    US venue did after 6 May 2010. Fees are basis points of the traded
    notional, charged to each side and paid to ``fee_account``.
    """

    operators: tuple[str, ...] = ("operator",)
    fee_account: str = "venue-fees"
    maker_fee_bps: int = 0
    taker_fee_bps: int = 0
    market_collar_bps: int = 500
    market_collar_abs: int = 5_000

    def problems(self) -> list[str]:
        found = []
        if not self.operators:
            found.append("at least one operator is needed")
        if not 0 <= self.maker_fee_bps <= 1_000 or not 0 <= self.taker_fee_bps <= 1_000:
            found.append("fees must be between 0 and 1,000 basis points")
        if self.market_collar_bps <= 0 or self.market_collar_abs <= 0:
            found.append("the market-order collar must be positive")
        return found
