"""Collars of 2010: market orders collared at 5% or $0.50, or refused; far limits refused."""

from __future__ import annotations

import msgspec
import pytest
from safeguards_support import present, usd

from seawall.core.types import Side
from seawall.rulebooks import Rulebook
from seawall.safeguards.collars import (
    CollarCombine,
    CollarParams,
    MarketOrders,
    check_last_trade,
    check_market_order,
)
from seawall.safeguards.outcome import OrderCheck, Verdict

COLLARING = present(Rulebook.load("us-2010-collars").collars)
EUROPEAN = present(Rulebook.load("chix").collars)
PENNY = usd("0.01")


def collared(params: CollarParams, side: Side, reference: str) -> int:
    check = check_market_order(params, side, usd(reference), PENNY)
    assert (check.verdict, check.reason) == (Verdict.REPRICE, "market_collar")
    return check.price


@pytest.mark.parametrize(
    ("reference", "buy", "sell"),
    [
        ("100.00", "100.50", "99.50"),  # 5% is $5.00: $0.50 is tighter
        ("4.00", "4.20", "3.80"),  # 5% is $0.20: tighter than $0.50
        ("10.00", "10.50", "9.50"),  # both are $0.50
        ("10.01", "10.51", "9.51"),  # 5% is 0.5005: limits 10.5105 and 9.5095, inside the collar
    ],
)
def test_a_market_order_becomes_a_limit_at_the_tighter_of_5_percent_and_50_cents(
    reference: str, buy: str, sell: str
) -> None:
    assert collared(COLLARING, Side.BUY, reference) == usd(buy)
    assert collared(COLLARING, Side.SELL, reference) == usd(sell)


def test_the_rulebook_may_take_the_wider_of_the_two() -> None:
    wider = msgspec.structs.replace(COLLARING, market_collar_combine=CollarCombine.GREATER)
    assert collared(wider, Side.BUY, "100.00") == usd("105.00")


def test_a_market_order_without_a_reference_cannot_be_collared() -> None:
    assert check_market_order(COLLARING, Side.BUY, 0, PENNY) == OrderCheck(
        Verdict.REJECT, 0, "no_reference_price"
    )


def test_a_venue_that_takes_only_limit_orders_refuses_market_orders() -> None:
    assert check_market_order(EUROPEAN, Side.SELL, usd("10"), PENNY) == OrderCheck(
        Verdict.REJECT, 0, "market_orders_not_accepted"
    )


def test_us_2010_took_market_orders_as_they_came() -> None:
    accepting = CollarParams(market_orders=MarketOrders.ACCEPT)
    assert check_market_order(accepting, Side.SELL, usd("10"), PENNY).verdict is Verdict.ACCEPT


@pytest.mark.parametrize(
    ("price", "verdict"),
    [
        ("12.00", Verdict.ACCEPT),  # exactly 20% is not more than 20%
        ("12.01", Verdict.REJECT),
        ("8.00", Verdict.ACCEPT),
        ("7.99", Verdict.REJECT),
    ],
)
def test_orders_more_than_20_percent_from_the_last_trade_are_refused(
    price: str, verdict: Verdict
) -> None:
    check = check_last_trade(EUROPEAN, usd(price), usd("10.00"))
    assert check.verdict is verdict
    assert check.reason == ("too_far_from_last_trade" if verdict is Verdict.REJECT else "")


def test_without_a_last_trade_or_a_limit_there_is_nothing_to_compare() -> None:
    assert check_last_trade(EUROPEAN, usd("50"), 0).verdict is Verdict.ACCEPT
    assert check_last_trade(COLLARING, usd("50"), usd("10")).verdict is Verdict.ACCEPT
