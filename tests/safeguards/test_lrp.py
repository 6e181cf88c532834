"""Liquidity replenishment points (RULES.md §7), with the parameters of ``us-2010-nyse``.

The range a trade may print at is derived here from the rule's words: not
strictly more than ``move_bps`` from any trade of the window.
"""

from __future__ import annotations

import msgspec
from hypothesis import given
from hypothesis import strategies as st
from safeguards_support import SECOND, present, usd

from seawall.rulebooks import Rulebook
from seawall.safeguards.lrp import LiquidityReplenishment
from seawall.safeguards.sscb import RollingRangeState
from seawall.safeguards.units import moved_beyond

PARAMS = present(Rulebook.load("us-2010-nyse").liquidity_replenishment)
WINDOW = PARAMS.window_seconds * SECOND


def test_no_trade_yet_leaves_any_price() -> None:
    assert LiquidityReplenishment(PARAMS).price_range(0) == (0, 0)


def test_the_range_is_one_move_from_the_highest_and_the_lowest_trade() -> None:
    points = LiquidityReplenishment(PARAMS)
    points.on_trade(0, usd("100.00"))
    points.on_trade(1, usd("99.50"))
    # 1% of $100.00 below it; 1% of $99.50 above it ($100.495).
    assert points.price_range(2) == (usd("99.00"), usd("99.50") + usd("99.50") // 100)


def test_a_trade_leaves_the_window_after_window_seconds() -> None:
    points = LiquidityReplenishment(PARAMS)
    points.on_trade(0, usd("100.00"))
    points.on_trade(10 * SECOND, usd("99.50"))
    assert points.price_range(WINDOW - 1)[0] == usd("99.00")  # $100.00 still counts
    assert points.price_range(WINDOW)[0] == usd("99.50") - usd("99.50") // 100


def test_reset_forgets_the_window() -> None:
    points = LiquidityReplenishment(PARAMS)
    points.on_trade(0, usd("100.00"))
    points.reset()
    assert points.price_range(1) == (0, 0)


@given(
    trades=st.lists(
        st.tuples(st.integers(0, 40 * SECOND), st.integers(usd("90.00"), usd("110.00"))),
        min_size=1,
        max_size=30,
    ),
    price=st.integers(usd("80.00"), usd("120.00")),
)
def test_a_price_is_in_range_exactly_when_no_trade_of_the_window_is_a_move_away(
    trades: list[tuple[int, int]], price: int
) -> None:
    trades.sort()
    points = LiquidityReplenishment(PARAMS)
    for ts, traded in trades:
        points.on_trade(ts, traded)
    now = trades[-1][0]
    recent = [traded for ts, traded in trades if ts > now - WINDOW]
    low, high = points.price_range(now)
    allowed = not any(moved_beyond(price, traded, PARAMS.move_bps) for traded in recent)
    assert (low <= price <= high) is allowed
    # ... and a restored copy answers the same.
    copy = LiquidityReplenishment(PARAMS)
    copy.restore(msgspec.msgpack.decode(
        msgspec.msgpack.encode(points.export()), type=RollingRangeState
    ))  # fmt: skip
    assert copy.price_range(now) == (low, high)
