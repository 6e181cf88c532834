"""NYSE's liquidity replenishment points of 2010 (RULES.md §7).

When a stock would move a set amount within seconds, the book stops
executing automatically and switches to auction mode for a while, so that
liquidity can come back before the next print. Here: a trade strictly more
than ``move_bps`` from any trade of the last ``window_seconds`` does not
happen; the book goes into an auction call of ``auction_seconds`` instead
(the venue's interruption, like a volatility auction's). The window keeps
its extremes in a :class:`~seawall.safeguards.sscb.RollingRange`, so each
trade costs O(1) amortised.
"""

from __future__ import annotations

import msgspec

from seawall.safeguards.sscb import RollingRange, RollingRangeState
from seawall.safeguards.units import NS_PER_SECOND, PositiveBps, PositiveSeconds, unmoved_range


class LrpParams(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    """The ``[liquidity_replenishment]`` section."""

    move_bps: PositiveBps
    window_seconds: PositiveSeconds
    auction_seconds: PositiveSeconds

    def problems(self) -> list[tuple[str, str]]:
        """Nothing to check beyond each key's type and range."""
        return []


class LiquidityReplenishment:
    """One stock's recent trades, and the prices the next trade may print at."""

    __slots__ = ("_bps", "_range")

    def __init__(self, params: LrpParams) -> None:
        self._bps = params.move_bps
        self._range = RollingRange(params.window_seconds * NS_PER_SECOND)

    def price_range(self, ts: int) -> tuple[int, int]:
        """The lowest and highest price a trade at ``ts`` may print at; ``(0, 0)``: any.

        A price exactly ``move_bps`` from the window's extreme still trades.
        """
        lowest, highest = self._range.extremes(ts)
        if not lowest:
            return 0, 0
        return unmoved_range(highest, self._bps)[0], unmoved_range(lowest, self._bps)[1]

    def on_trade(self, ts: int, price: int) -> None:
        self._range.add(ts, price)

    def reset(self) -> None:
        """An auction ran: the window starts again from its price."""
        self._range.clear()

    def export(self) -> RollingRangeState:
        return self._range.export()

    def restore(self, state: RollingRangeState) -> None:
        self._range.restore(state)
