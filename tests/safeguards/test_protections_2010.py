"""London's tolerances and auction timing, CME stop logic and market-maker quoting (RULES.md §7)."""

from __future__ import annotations

import pytest
from safeguards_support import SECOND, ny, present, usd

from seawall.core.types import Side
from seawall.rulebooks import Rulebook
from seawall.safeguards.auctions import extension_due, uncross_at
from seawall.safeguards.quoting import (
    QuoteStanding,
    designated_bps,
    is_stub_quote,
    quote_standing,
)
from seawall.safeguards.stop_logic import StopReserve, stop_logic_review, stop_logic_trigger
from seawall.safeguards.volatility import Tolerance, tolerance_breach

LSE = Rulebook.load("lse")
PILOT = Rulebook.load("us-2010-pilot")
VOLATILITY = present(LSE.volatility)
LONDON_AUCTIONS = present(LSE.auctions)
LULD_AUCTIONS = present(Rulebook.load("us-2013-luld").auctions)
STOP_LOGIC = present(Rulebook.load("cme").stop_logic)
QUOTING = present(PILOT.market_maker)


def test_a_trade_more_than_5_percent_from_the_last_automatic_trade_breaks_the_tolerance() -> None:
    volatility = VOLATILITY
    last = usd("10.00")
    assert tolerance_breach(volatility, usd("10.50"), 0, last) is None
    assert tolerance_breach(volatility, usd("10.51"), 0, last) is Tolerance.DYNAMIC
    assert tolerance_breach(volatility, usd("9.49"), 0, last) is Tolerance.DYNAMIC
    # the static reference (the last auction price) is checked first
    assert tolerance_breach(volatility, usd("11.01"), usd("10.00"), usd("10.60")) is (
        Tolerance.STATIC
    )


def test_london_uncrosses_at_a_random_instant_within_30_seconds_the_same_on_replay() -> None:
    auctions = LONDON_AUCTIONS
    end = ny("2025-06-04", "08:00:00")
    instants = {uncross_at(auctions, end, seed) for seed in range(200)}
    assert all(end <= instant <= end + 30 * SECOND for instant in instants)
    assert len(instants) == 200
    assert uncross_at(auctions, end, 7) == uncross_at(auctions, end, 7)
    assert uncross_at(LULD_AUCTIONS, end, 7) == end  # no random uncross in the US


def test_an_uncross_outside_the_collar_extends_the_call_up_to_the_limit() -> None:
    auctions = LONDON_AUCTIONS
    assert not extension_due(auctions, usd("11.00"), usd("10.00"), 0)
    assert extension_due(auctions, usd("11.01"), usd("10.00"), 0)
    assert not extension_due(auctions, usd("11.01"), usd("10.00"), 1)  # one extension at most
    # a collar that widens by 5% with each extension and has no limit
    widening = LULD_AUCTIONS
    assert extension_due(widening, usd("10.80"), usd("10.00"), 0)
    assert not extension_due(widening, usd("10.80"), usd("10.00"), 1)
    assert extension_due(widening, usd("20.00"), usd("10.00"), 9)


def test_stop_logic_reserves_5_seconds_and_extends_while_twice_the_threshold_away() -> None:
    stop_logic = STOP_LOGIC  # threshold 1%
    anchor, ts = usd("5000.00"), ny("2025-06-04", "10:00:00")
    assert stop_logic_trigger(stop_logic, ts, anchor, usd("5050.00")) is None
    reserve = stop_logic_trigger(stop_logic, ts, anchor, usd("5050.25"))
    assert reserve == StopReserve(anchor, ts, ts + 5 * SECOND, 0)
    extended = stop_logic_review(stop_logic, reserve, usd("4899.75"))
    assert extended == StopReserve(anchor, ts, ts + 10 * SECOND, 1)
    assert stop_logic_review(stop_logic, extended, usd("5100.00")) is None  # exactly twice
    assert stop_logic_review(stop_logic, extended, 0) is None  # nothing crosses


def test_the_designated_percentage_by_security_and_time_of_day() -> None:
    quoting = QUOTING
    day = PILOT.calendar().day(PILOT.calendar().local_date(ny("2010-12-15", "12:00:00")))
    assert designated_bps(quoting, True, day, ny("2010-12-15", "09:44:59")) == 2_000
    assert designated_bps(quoting, True, day, ny("2010-12-15", "09:45:00")) == 800
    assert designated_bps(quoting, True, day, ny("2010-12-15", "15:34:59")) == 800
    assert designated_bps(quoting, True, day, ny("2010-12-15", "15:35:00")) == 2_000
    assert designated_bps(quoting, False, day, ny("2010-12-15", "12:00:00")) == 3_000


@pytest.mark.parametrize(
    ("side", "price", "standing"),
    [
        (Side.BUY, "10.01", QuoteStanding.WITHIN),  # better than the best bid
        (Side.BUY, "9.20", QuoteStanding.WITHIN),  # 8% below the best bid of 10.00
        (Side.BUY, "9.19", QuoteStanding.DRIFTED),
        (Side.BUY, "9.05", QuoteStanding.DRIFTED),  # 9.5%: 8% plus the 1.5% drift
        (Side.BUY, "9.04", QuoteStanding.BEYOND),
        (Side.SELL, "10.80", QuoteStanding.WITHIN),  # 8% above the best offer of 10.00
        (Side.SELL, "10.95", QuoteStanding.DRIFTED),
        (Side.SELL, "10.96", QuoteStanding.BEYOND),
    ],
)
def test_quotes_within_8_percent_with_1_5_percent_drift(
    side: Side, price: str, standing: QuoteStanding
) -> None:
    quoting = QUOTING
    assert quote_standing(quoting, side, usd(price), usd("10.00"), 800) is standing


def test_stub_quotes_are_a_penny_bid_and_a_100000_dollar_offer() -> None:
    quoting = QUOTING
    assert is_stub_quote(quoting, Side.BUY, usd("0.01"))
    assert not is_stub_quote(quoting, Side.BUY, usd("0.02"))
    assert is_stub_quote(quoting, Side.SELL, usd("100000"))
    assert not is_stub_quote(quoting, Side.SELL, usd("99999.99"))
