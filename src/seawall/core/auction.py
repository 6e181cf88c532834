"""Call-auction price discovery: the single price at which a crossed book uncrosses.

The rule, in order: the price that executes the most volume; among those, the
one that leaves the smallest imbalance; among those, the one nearest the
reference price; if two are equally near, the lower (documented in ADR 0003).
Only limit prices present in the book can be candidates: between two of them
the executable volume cannot change.
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


def find_uncross(
    bids: list[tuple[int, int]], asks: list[tuple[int, int]], reference: int
) -> Uncross | None:
    """Best uncrossing price for aggregated ``(price, qty)`` levels, or None if nothing crosses.

    ``bids`` and ``asks`` may come in any order. ``reference`` of 0 means
    none: the midpoint of the tied candidates stands in for it.
    """
    if not bids or not asks:
        return None
    bid_prices = sorted(price for price, _ in bids)
    ask_prices = sorted(price for price, _ in asks)
    if bid_prices[-1] < ask_prices[0]:
        return None
    bid_qty = dict(bids)
    ask_qty = dict(asks)
    # Cumulative demand at or above a price, supply at or below it.
    bid_cum_from_top = list(accumulate(bid_qty[p] for p in reversed(bid_prices)))[::-1]
    ask_cum = list(accumulate(ask_qty[p] for p in ask_prices))
    best: list[tuple[int, int, int]] = []  # (volume, -|imbalance|, price) of the leaders
    candidates = sorted(set(bid_prices) | set(ask_prices))
    for price in candidates:
        i = bisect_left(bid_prices, price)
        demand = bid_cum_from_top[i] if i < len(bid_prices) else 0
        j = bisect_right(ask_prices, price)
        supply = ask_cum[j - 1] if j else 0
        volume = min(demand, supply)
        if volume == 0:
            continue
        score = (volume, -abs(demand - supply), price)
        if not best or score[:2] > best[0][:2]:
            best = [score]
        elif score[:2] == best[0][:2]:
            best.append(score)
    if not best:
        return None
    tied = [price for _, _, price in best]
    anchor = reference or (tied[0] + tied[-1]) // 2
    price = min(tied, key=lambda p: (abs(p - anchor), p))
    i = bisect_left(bid_prices, price)
    demand = bid_cum_from_top[i] if i < len(bid_prices) else 0
    j = bisect_right(ask_prices, price)
    supply = ask_cum[j - 1] if j else 0
    volume = min(demand, supply)
    imbalance = demand - supply
    side = Side.BUY if imbalance > 0 else Side.SELL if imbalance < 0 else None
    return Uncross(price, volume, abs(imbalance), side)
