"""An independent, offline rebuild of the sample, to derive the figures the tests expect.

It shares nothing with :mod:`seawall.replay.binance`: the standard library's
``json`` and ``Decimal`` instead of msgspec and integer scaling, heaps instead
of a cached best price, and a whole-file pass with ``bisect`` instead of the
streaming pairing of depth states and bookTickers.
"""

from __future__ import annotations

import gzip
import heapq
import json
from bisect import bisect_left
from collections import Counter
from dataclasses import dataclass, field
from decimal import Decimal
from itertools import pairwise
from pathlib import Path
from typing import Any

from real_data import REAL_DATA

SAMPLE = REAL_DATA / "crypto" / "binance_spot_btcusdt_20240808.gz"

Quote = tuple[Decimal, Decimal]
Top = tuple[Quote | None, Quote | None]


class _Side:
    """Price → quantity with a lazily cleaned heap for the best price."""

    def __init__(self, sign: int) -> None:
        self.levels: dict[Decimal, Decimal] = {}
        self._heap: list[Decimal] = []
        self._sign = sign  # -1 for bids (max-heap), +1 for asks

    def set(self, price: str, qty: str) -> None:
        p, q = Decimal(price), Decimal(qty)
        if q == 0:
            self.levels.pop(p, None)
        else:
            if p not in self.levels:
                heapq.heappush(self._heap, self._sign * p)
            self.levels[p] = q

    def best(self) -> Quote | None:
        while self._heap and self._sign * self._heap[0] not in self.levels:
            heapq.heappop(self._heap)
        if not self._heap:
            return None
        price = self._sign * self._heap[0]
        return price, self.levels[price]


@dataclass
class Reference:
    kinds: Counter[str] = field(default_factory=Counter)
    snapshot_id: int = -1
    stale: int = 0
    applied: int = 0
    sequence_breaks: int = 0
    states: list[tuple[int, Top]] = field(default_factory=list)
    tickers: list[tuple[int, Top]] = field(default_factory=list)
    arrived_ahead: int = 0
    outcomes: Counter[str] = field(default_factory=Counter)
    states_checked: int = 0
    bids: dict[Decimal, Decimal] = field(default_factory=dict)
    asks: dict[Decimal, Decimal] = field(default_factory=dict)


def _quote(price: str, qty: str) -> Quote:
    return Decimal(price), Decimal(qty)


def rebuild(path: Path) -> Reference:
    ref = Reference()
    messages: list[dict[str, Any]] = []
    with gzip.open(path, "rt", encoding="ascii") as lines:
        for line in lines:
            messages.append(json.loads(line.split(" ", 1)[1]))
    snapshot_at = next(i for i, m in enumerate(messages) if "lastUpdateId" in m)
    ref.snapshot_id = messages[snapshot_at]["lastUpdateId"]

    bids, asks = _Side(-1), _Side(+1)
    last: int | None = None  # the book's update id once synchronised

    def state(update_id: int) -> None:
        ref.states.append((update_id, (bids.best(), asks.best())))

    def depth(data: dict[str, Any]) -> None:
        nonlocal last
        assert last is not None
        if data["u"] <= last and ref.applied == 0:
            ref.stale += 1
            return
        if ref.applied == 0:
            assert data["U"] <= last + 1 <= data["u"]
        elif data["U"] != last + 1:
            ref.sequence_breaks += 1
        for price, qty in data["b"]:
            bids.set(price, qty)
        for price, qty in data["a"]:
            asks.set(price, qty)
        last = data["u"]
        ref.applied += 1
        state(data["u"])

    pending: list[dict[str, Any]] = []
    for i, message in enumerate(messages):
        if i == snapshot_at:
            ref.kinds["snapshot"] += 1
            for price, qty in message["bids"]:
                bids.set(price, qty)
            for price, qty in message["asks"]:
                asks.set(price, qty)
            last = ref.snapshot_id
            state(ref.snapshot_id)
            for data in pending:
                depth(data)
            continue
        stream: str = message["stream"]
        data = message["data"]
        kind = stream.split("@", 1)[1]
        ref.kinds[kind] += 1
        if kind.startswith("depth"):
            if last is None:
                pending.append(data)
            else:
                depth(data)
        elif kind == "bookTicker":
            if last is None or data["u"] > last:
                ref.arrived_ahead += 1
            ref.tickers.append(
                (data["u"], (_quote(data["b"], data["B"]), _quote(data["a"], data["A"])))
            )
    ref.bids, ref.asks = bids.levels, asks.levels
    _classify(ref)
    return ref


def _classify(ref: Reference) -> None:
    """Each bookTicker against the depth states inside ``[its id, next ticker's id)``."""
    ids = [update_id for update_id, _ in ref.states]
    tickers = ref.tickers
    assert all(a[0] < b[0] for a, b in pairwise(tickers))
    for k, (first, quote) in enumerate(tickers):
        end = tickers[k + 1][0] if k + 1 < len(tickers) else None
        lo = bisect_left(ids, first)
        hi = len(ids) if end is None else bisect_left(ids, end)
        inside = ref.states[lo:hi]
        ref.states_checked += len(inside)
        if inside:
            agree = all(top == quote for _, top in inside)
            ref.outcomes["agree" if agree else "disagree"] += 1
        elif first > ids[-1]:
            ref.outcomes["ahead"] += 1
        elif end is not None and end - 1 < ref.snapshot_id:
            ref.outcomes["unchecked"] += 1
        else:
            ref.outcomes["superseded"] += 1
