"""Decimals become integers only exactly: nothing is rounded silently."""

from __future__ import annotations

from decimal import Decimal

import pytest

from seawall import Instrument
from seawall.core.units import (
    UnitError,
    money_to_units,
    price_to_ticks,
    qty_to_units,
    ticks_to_price,
)

XYZ = Instrument("XYZ", tick_size=100, lot_size=10)


def test_prices_convert_exactly_and_back() -> None:
    assert price_to_ticks("10.25", XYZ) == 102_500
    assert price_to_ticks(Decimal("0.01"), XYZ) == 100
    assert ticks_to_price(102_500) == Decimal("10.2500")
    assert money_to_units("1234.5678") == 12_345_678


@pytest.mark.parametrize(
    ("value", "code"),
    [
        ("10.255", "off_tick"),  # a tenth of a cent on a penny tick
        ("10.00001", "off_tick"),  # finer than the core's scale
        ("ten", "malformed_number"),
        ("NaN", "malformed_number"),
        ("Infinity", "malformed_number"),
    ],
)
def test_bad_prices_are_refused_with_a_code(value: str, code: str) -> None:
    with pytest.raises(UnitError) as caught:
        price_to_ticks(value, XYZ)
    assert caught.value.code == code


def test_quantities_must_be_whole_and_on_the_lot() -> None:
    assert qty_to_units("120", XYZ) == 120
    with pytest.raises(UnitError, match="not a whole number") as fraction:
        qty_to_units("1.5", XYZ)
    assert fraction.value.code == "off_lot"
    with pytest.raises(UnitError, match="lot 10"):
        qty_to_units("125", XYZ)
