"""SEC Rule 201: a 10% fall restricts short sales for the rest of the day and the next."""

from __future__ import annotations

import datetime as dt

import msgspec
import pytest
from safeguards_support import SECOND, US_TODAY, ny, present, usd

from seawall.core.types import SaleMarking, Side
from seawall.safeguards.outcome import OrderCheck, Verdict
from seawall.safeguards.short_sale import (
    PriceTestAction,
    ShortSaleRestriction,
    ShortSaleTrigger,
    price_test,
    triggers,
)

RULE_201 = present(US_TODAY.short_sale)
PRIOR_CLOSE = usd("10.00")
THURSDAY, FRIDAY, MONDAY = "2025-06-05", "2025-06-06", "2025-06-09"


def restriction() -> ShortSaleRestriction:
    return ShortSaleRestriction(RULE_201, US_TODAY.calendar())


def test_exactly_10_percent_below_the_prior_close_triggers() -> None:
    assert triggers(RULE_201, usd("9.00"), PRIOR_CLOSE)
    assert not triggers(RULE_201, usd("9.0001"), PRIOR_CLOSE)


def test_the_restriction_lasts_the_rest_of_the_day_and_the_whole_next_trading_day() -> None:
    rule = restriction()
    at = ny(THURSDAY, "10:00:00")
    assert rule.on_trade(at, usd("9.01"), PRIOR_CLOSE) is None
    assert rule.on_trade(at, usd("9.00"), PRIOR_CLOSE) == ShortSaleTrigger(
        at, usd("9.00"), dt.date.fromisoformat(FRIDAY)
    )
    assert not rule.restricted(at - SECOND)
    assert rule.restricted(at)
    assert rule.restricted(ny(THURSDAY, "19:59:59"))
    assert rule.restricted(ny(FRIDAY, "04:00:00"))
    assert rule.restricted(ny(FRIDAY, "19:59:59"))
    assert rule.restricted(ny(FRIDAY, "23:59:59"))
    assert not rule.restricted(ny(MONDAY, "04:00:00"))


def test_the_next_day_skips_a_holiday() -> None:
    rule = restriction()
    at = ny("2025-11-26", "11:00:00")  # the day before Thanksgiving
    trigger = rule.on_trade(at, usd("8.50"), PRIOR_CLOSE)
    assert trigger is not None and trigger.through == dt.date(2025, 11, 28)
    assert rule.restricted(ny("2025-11-28", "12:00:00"))
    assert not rule.restricted(ny("2025-12-01", "09:30:00"))


def test_a_further_fall_while_restricted_extends_the_restriction() -> None:
    rule = restriction()
    rule.on_trade(ny(THURSDAY, "10:00:00"), usd("9.00"), PRIOR_CLOSE)
    assert rule.on_trade(ny(THURSDAY, "11:00:00"), usd("8.00"), PRIOR_CLOSE) is None  # same day
    friday = rule.on_trade(ny(FRIDAY, "10:00:00"), usd("8.10"), usd("9.00"))  # Thursday closed 9.00
    assert friday is not None and friday.through == dt.date.fromisoformat(MONDAY)
    assert rule.restricted(ny(MONDAY, "15:00:00"))
    assert not rule.restricted(ny("2025-06-10", "09:30:00"))


def test_only_regular_hours_trigger() -> None:
    rule = restriction()
    assert rule.on_trade(ny(THURSDAY, "08:00:00"), usd("8.00"), PRIOR_CLOSE) is None
    assert rule.on_trade(ny(THURSDAY, "16:00:00"), usd("8.00"), PRIOR_CLOSE) is None
    assert not rule.restricted(ny(FRIDAY, "10:00:00"))


BID = usd("9.00")
TICK = usd("0.01")


@pytest.mark.parametrize(
    ("side", "marking", "price", "verdict"),
    [
        (Side.SELL, SaleMarking.SHORT, usd("9.00"), Verdict.REJECT),  # at the bid
        (Side.SELL, SaleMarking.SHORT, usd("8.99"), Verdict.REJECT),  # below it
        (Side.SELL, SaleMarking.SHORT, 0, Verdict.REJECT),  # a market order hits the bid
        (Side.SELL, SaleMarking.SHORT, usd("9.01"), Verdict.ACCEPT),  # above it
        (Side.SELL, SaleMarking.SHORT_EXEMPT, usd("8.99"), Verdict.ACCEPT),
        (Side.SELL, SaleMarking.LONG, usd("8.99"), Verdict.ACCEPT),
        (Side.BUY, SaleMarking.SHORT, usd("8.99"), Verdict.ACCEPT),
    ],
)
def test_while_restricted_short_sales_must_be_above_the_national_best_bid(
    side: Side, marking: SaleMarking, price: int, verdict: Verdict
) -> None:
    assert price_test(RULE_201, True, side, marking, price, BID, TICK).verdict is verdict
    assert price_test(RULE_201, False, side, marking, price, BID, TICK).verdict is Verdict.ACCEPT


def test_the_rulebook_may_reprice_instead_one_tick_above_the_bid() -> None:
    reprice = msgspec.structs.replace(RULE_201, action=PriceTestAction.REPRICE)
    assert price_test(reprice, True, Side.SELL, SaleMarking.SHORT, usd("8.50"), BID, TICK) == (
        OrderCheck(Verdict.REPRICE, usd("9.01"), "short_sale_price_test")
    )
    assert price_test(
        RULE_201, True, Side.SELL, SaleMarking.SHORT, usd("8.50"), 0, TICK
    ).verdict is (Verdict.ACCEPT)  # no national bid to be at or below
