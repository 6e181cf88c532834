"""LULD percentage parameters and price bands, with expected values worked from RULES.md §2."""

from __future__ import annotations

import msgspec
import pytest
from hypothesis import given
from hypothesis import strategies as st
from safeguards_support import US_2013, US_TODAY, present, usd

from seawall.core.types import Side
from seawall.safeguards.luld import (
    Bands,
    LuldTier,
    OutsideBand,
    band_check,
    doubles,
    price_bands,
)
from seawall.safeguards.outcome import OrderCheck, Verdict

LULD = present(US_TODAY.luld)
LULD_2013 = present(US_2013.luld)
T1, T2 = LuldTier.TIER1, LuldTier.TIER2


def bands(lower: str, upper: str) -> Bands:
    return Bands(usd(lower), usd(upper))


def test_tier1_at_100_is_5_percent_and_10_percent_when_doubled() -> None:
    assert price_bands(LULD, T1, usd("100"), usd("100")) == bands("95.00", "105.00")
    assert price_bands(LULD, T1, usd("100"), usd("100"), factor=2) == bands("90.00", "110.00")


def test_tier2_above_3_dollars_is_10_percent() -> None:
    assert price_bands(LULD, T2, usd("100"), usd("100")) == bands("90.00", "110.00")


@pytest.mark.parametrize(
    ("prior_close", "expected"),
    [
        ("3.01", ("3.80", "4.20")),  # above $3.00: the tier's 5% of $4.00
        ("3.00", ("3.20", "4.80")),  # $3.00 is in the middle bucket: 20%
        ("0.75", ("0.80", "1.20")),  # $0.75 too
        ("0.74", ("0.85", "1.15")),  # below $0.75: the lesser of $0.15 and 75% of $1.00
    ],
)
def test_the_bucket_is_chosen_by_the_prior_close_at_both_edges(
    prior_close: str, expected: tuple[str, str]
) -> None:
    # the reference ($4.00 or $1.00) differs from the prior close so the buckets differ visibly
    reference = usd("4.00") if usd(prior_close) >= usd("3.00") else usd("1.00")
    assert price_bands(LULD, T1, usd(prior_close), reference) == bands(*expected)


@pytest.mark.parametrize(
    ("price", "expected"),
    [
        ("0.50", ("0.35", "0.65")),  # 75% is $0.375: $0.15 is less
        ("0.20", ("0.05", "0.35")),  # both are $0.15
        ("0.10", ("0.03", "0.18")),  # 75% is $0.075: bands 0.025 and 0.175, halves rounded up
    ],
)
def test_below_75_cents_the_lesser_of_15_cents_or_75_percent(
    price: str, expected: tuple[str, str]
) -> None:
    assert price_bands(LULD, T2, usd(price), usd(price)) == bands(*expected)


def test_bands_are_rounded_to_the_nearest_penny() -> None:
    # 5% of $10.03 is 0.5015: 9.5285 and 10.5315
    assert price_bands(LULD, T1, usd("10.03"), usd("10.03")) == bands("9.53", "10.53")
    # 5% of $3.01: 2.8595 and 3.1605
    assert price_bands(LULD, T1, usd("3.01"), usd("3.01")) == bands("2.86", "3.16")


def test_a_band_narrower_than_half_a_penny_stops_at_the_references_own_penny() -> None:
    # a stock that closed at $4.00 trading at $0.0101: 5% is half a hundredth of a cent
    assert price_bands(LULD, T1, usd("4.00"), usd("0.0101")) == bands("0.01", "0.02")


def test_leveraged_etps_multiply_the_percentage() -> None:
    # a 3x Tier 1 ETP: 15%, and 30% in a doubling window
    assert price_bands(LULD, T1, usd("100"), usd("100"), factor=3) == bands("85.00", "115.00")
    assert price_bands(LULD, T1, usd("100"), usd("100"), factor=6) == bands("70.00", "130.00")


def test_a_lower_band_never_falls_below_one_tick() -> None:
    # 20% of $1.00 tripled by a reopening and doubled: 120% below would be negative
    assert price_bands(LULD, T1, usd("1.00"), usd("1.00"), factor=6).lower == usd("0.01")


def test_doubling_applies_to_tier1_and_to_tier2_at_3_dollars_and_below_since_2020() -> None:
    assert doubles(LULD, T1, usd("100"))
    assert doubles(LULD, T2, usd("3.00"))
    assert not doubles(LULD, T2, usd("3.01"))
    assert doubles(LULD_2013, T2, usd("3.01"))  # before 2020: every stock


def test_orders_through_a_band_are_repriced_or_rejected_as_the_rulebook_chooses() -> None:
    limits = bands("95.00", "105.00")
    assert band_check(OutsideBand.REPRICE, limits, Side.BUY, usd("106")) == OrderCheck(
        Verdict.REPRICE, usd("105"), "outside_band"
    )
    assert band_check(OutsideBand.REJECT, limits, Side.SELL, usd("94.99")) == OrderCheck(
        Verdict.REJECT, usd("94.99"), "outside_band"
    )
    assert band_check(OutsideBand.REJECT, limits, Side.BUY, usd("105")).verdict is Verdict.ACCEPT
    assert band_check(OutsideBand.REJECT, limits, Side.SELL, usd("106")).verdict is Verdict.ACCEPT
    # a market order is limited to the band it would run through, under either choice
    assert band_check(OutsideBand.REJECT, limits, Side.SELL, 0) == OrderCheck(
        Verdict.REPRICE, usd("95"), "outside_band"
    )
    assert band_check(OutsideBand.REPRICE, Bands(0, 0), Side.BUY, 0).verdict is Verdict.ACCEPT


@given(
    tier=st.sampled_from(list(LuldTier)),
    prior_close=st.integers(min_value=1, max_value=100_000_000),
    reference=st.integers(min_value=100, max_value=100_000_000),
    factor=st.integers(min_value=1, max_value=18),
    band_tick=st.sampled_from([1, 100, 500]),
)
def test_bands_contain_the_reference_and_lie_on_the_tick_grid(
    tier: LuldTier, prior_close: int, reference: int, factor: int, band_tick: int
) -> None:
    params = msgspec.structs.replace(LULD, band_tick=band_tick)
    found = price_bands(params, tier, prior_close, max(reference, band_tick), factor)
    assert band_tick <= found.lower <= max(reference, band_tick) <= found.upper
    assert found.lower % band_tick == 0 and found.upper % band_tick == 0
    wider = price_bands(params, tier, prior_close, max(reference, band_tick), factor + 1)
    assert wider.lower <= found.lower and wider.upper >= found.upper
