"""Conversions between human decimals and the core's integers, for the edges only.

Nothing is rounded silently: a price off the instrument's tick or a quantity
off its lot raises :class:`UnitError`, which gateways turn into a rejection.
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from seawall.core.types import PRICE_SCALE, Instrument


class UnitError(ValueError):
    """A decimal that cannot be represented exactly in the instrument's units."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code


def _decimal(value: Decimal | str | int) -> Decimal:
    try:
        number = value if isinstance(value, Decimal) else Decimal(str(value))
    except InvalidOperation as exc:
        raise UnitError("malformed_number", f"{value!r} is not a number") from exc
    if not number.is_finite():
        raise UnitError("malformed_number", f"{value!r} is not a finite number")
    return number


def price_to_ticks(value: Decimal | str | int, instrument: Instrument | None = None) -> int:
    """``"10.25"`` → ``102500``; refuses sub-tick precision and off-tick prices."""
    scaled = _decimal(value) * PRICE_SCALE
    if scaled != scaled.to_integral_value():
        raise UnitError("off_tick", f"price {value} has more than 4 decimal places")
    ticks = int(scaled)
    if instrument is not None and ticks % instrument.tick_size:
        raise UnitError(
            "off_tick",
            f"price {value} is not a multiple of {instrument.symbol}'s tick "
            f"{ticks_to_price(instrument.tick_size)}",
        )
    return ticks


def money_to_units(value: Decimal | str | int) -> int:
    """Money in currency units → integer money at the core's scale."""
    return price_to_ticks(value)


def qty_to_units(value: Decimal | str | int, instrument: Instrument | None = None) -> int:
    """A quantity → whole units; refuses fractions and quantities off the lot size."""
    number = _decimal(value)
    if number != number.to_integral_value():
        raise UnitError("off_lot", f"quantity {value} is not a whole number of units")
    qty = int(number)
    if instrument is not None and qty % instrument.lot_size:
        lot = instrument.lot_size
        raise UnitError(
            "off_lot", f"quantity {value} is not a multiple of {instrument.symbol}'s lot {lot}"
        )
    return qty


def ticks_to_price(ticks: int) -> Decimal:
    """``102500`` → ``Decimal("10.2500")``."""
    return Decimal(ticks).scaleb(-4)


def units_to_money(units: int) -> Decimal:
    return ticks_to_price(units)
