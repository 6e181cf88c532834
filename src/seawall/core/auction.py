"""Call-auction price discovery: the single price at which a crossed book uncrosses.

The rule, in order: the price that executes the most volume; among those, the
one that leaves the smallest imbalance; among those, the one nearest the
reference price (with no reference, the middle of the tied prices).

Demand (bids at or above a price) only changes just above a bid's limit and
supply (asks at or below it) only at an ask's limit, so the tied prices form
one interval whose ends are limit prices or a tick beside them. Evaluating
those points, plus the reference itself, finds the exact answer without
walking every tick.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from itertools import accumulate

import msgspec

from seawall.core.types import Side


class Uncross(msgspec.Struct, frozen=True):
    price: int
    volume: int
    imbalance: int
    imbalance_side: Side | None


class _Curves:
    """Cumulative demand and supply over aggregated (price, qty) levels."""

    def __init__(self, bids: list[tuple[int, int]], asks: list[tuple[int, int]]) -> None:
        bids, asks = sorted(bids), sorted(asks)
        self.bid_prices = [price for price, _ in bids]
        self.ask_prices = [price for price, _ in asks]
        self.demand_from = list(accumulate(qty for _, qty in reversed(bids)))[::-1]
        self.supply_upto = list(accumulate(qty for _, qty in asks))

    def at(self, price: int) -> tuple[int, int]:
        """(demand, supply) at ``price``."""
        i = bisect_left(self.bid_prices, price)
        demand = self.demand_from[i] if i < len(self.demand_from) else 0
        j = bisect_right(self.ask_prices, price)
        supply = self.supply_upto[j - 1] if j else 0
        return demand, supply


def _result(curves: _Curves, price: int) -> Uncross:
    demand, supply = curves.at(price)
    imbalance = demand - supply
    side = Side.BUY if imbalance > 0 else Side.SELL if imbalance < 0 else None
    return Uncross(price, min(demand, supply), abs(imbalance), side)


def find_uncross(
    bids: list[tuple[int, int]], asks: list[tuple[int, int]], reference: int, tick: int = 1
) -> Uncross | None:
    """Best uncrossing price for aggregated ``(price, qty)`` levels, or None if nothing crosses.

    ``bids`` and ``asks`` may come in any order; prices are multiples of
    ``tick``. A ``reference`` of 0 means there is none.
    """
    if not bids or not asks:
        return None
    curves = _Curves(bids, asks)
    if curves.bid_prices[-1] < curves.ask_prices[0]:
        return None
    candidates = set(curves.bid_prices) | set(curves.ask_prices)
    candidates.update(price + tick for price in curves.bid_prices)
    candidates.update(price - tick for price in curves.ask_prices if price > tick)
    if reference > 0:
        candidates.add(reference - reference % tick)
    scored = [_result(curves, price) for price in sorted(candidates)]
    best_volume = max(result.volume for result in scored)
    if best_volume == 0:
        return None
    leaders = [result for result in scored if result.volume == best_volume]
    least = min(result.imbalance for result in leaders)
    tied = [result.price for result in leaders if result.imbalance == least]
    if reference > 0:
        price = min(tied, key=lambda p: (abs(p - reference), p))
    else:
        middle = (tied[0] + tied[-1]) // 2
        price = middle - middle % tick
    return _result(curves, price)
