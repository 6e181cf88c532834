"""Start-up risk limits from a TOML file, as the commands that set them.

Limits set at start-up go through the journal like limits changed at run
time: the file becomes a list of :class:`SetRiskLimits` commands that the
operator submits first, so a replayed journal rebuilds the same limits
without the file. Money is written in currency units (``"1000000"`` or
``"0.50"``), everything else as in :class:`RiskLimits`::

    [firm.F1]
    credit_limit = "5000000"
    max_messages = 500
    message_window_ns = 1_000_000_000

    [account.A1]
    credit_limit = "1000000"
    max_order_qty = 10_000
    collar_bps = 500
    restricted_instruments = ["XYZ"]
"""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import Any

import msgspec

from seawall.core.commands import RiskLimits, SetRiskLimits
from seawall.core.config import VenueConfig
from seawall.core.types import RiskScope
from seawall.core.units import UnitError, money_to_units
from seawall.risk.limits import limits_problem

MONEY_FIELDS = ("credit_limit", "max_order_notional")


class LimitsFileError(ValueError):
    """A limits file that cannot be used; the message names the file, the key and the problem."""


def _limits(source: str, key: str, table: Any) -> RiskLimits:
    if not isinstance(table, dict):
        raise LimitsFileError(f"{source}: {key} must be a table of limits")
    values = dict(table)
    for field in MONEY_FIELDS:
        if field in values:
            try:
                values[field] = money_to_units(str(values[field]))
            except UnitError as error:
                raise LimitsFileError(f"{source}: {key}.{field}: {error}") from None
    try:
        return msgspec.convert(values, RiskLimits)
    except msgspec.ValidationError as error:
        raise LimitsFileError(f"{source}: {key}: {error}") from None


def limit_commands(
    path: Path,
    operator: str = "operator",
    max_extended_collar_bps: int = VenueConfig().max_extended_collar_bps,
) -> list[SetRiskLimits]:
    """The commands that set every limit in the file, firms first (raises LimitsFileError).

    Each table is checked as the venue will check it, against the venue's
    extended-hours collar ceiling, so a file that passes is a file the venue
    accepts.
    """
    source = str(path)
    try:
        document = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as error:
        raise LimitsFileError(f"{source}: {error}") from None
    unknown = sorted(set(document) - {"firm", "account"})
    if unknown:
        raise LimitsFileError(f"{source}: unknown section {unknown[0]!r} (expected firm, account)")
    commands = []
    for scope in (RiskScope.FIRM, RiskScope.ACCOUNT):
        section = document.get(scope.value, {})
        if not isinstance(section, dict):
            raise LimitsFileError(f"{source}: {scope.value} must be a table")
        for target, table in section.items():
            key = f"{scope.value}.{target}"
            limits = _limits(source, key, table)
            problem = limits_problem(limits, max_extended_collar_bps)
            if problem is not None:
                raise LimitsFileError(f"{source}: {key}: {problem}")
            commands.append(SetRiskLimits(operator, scope, target, limits))
    return commands
