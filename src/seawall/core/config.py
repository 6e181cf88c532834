"""Venue-wide parameters that the core needs before any rulebook is loaded.

They are data, journalled as the first record of every journal, so that a
replay rebuilds exactly the venue that ran.
"""

from __future__ import annotations

from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import msgspec

from seawall.core.types import SettlementMode
from seawall.risk.limits import limits_problem
from seawall.rulebooks.rulebook import Rulebook


class VenueConfig(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    """Parameters of the deterministic core.

    The market-order collar converts a market order into a limit order this
    far from the reference price: the tighter of ``market_collar_bps`` basis
    points and ``market_collar_abs`` money units ($0.50 by default), as one
    US venue did after 6 May 2010. Fees are basis points of the traded
    notional, charged to each side and paid to ``fee_account``.

    ``settlement`` chooses real-time gross settlement or the deferred,
    credit-based mode (ADR 0008). ``pre_trade_risk`` keeps the risk layer's
    exposure from the venue's first command, so limits set at any time
    count everything before them; a venue that never uses risk limits (a
    replay of market data, a like-for-like engine benchmark) may turn it off.
    The pre-trade price collar uses different widths in regular hours and
    outside them; regular hours are
    ``regular_open`` to ``regular_close`` (minutes after local midnight) in
    ``timezone``. ``max_extended_collar_bps`` is the widest collar any
    account or firm may be given outside regular hours: the 2013 options
    incident passed because the pre-market check allowed almost any price.

    ``rulebook``, when set, puts every instrument on the rulebook's session
    clock and safeguards (ADR 0009). The whole rulebook is part of the
    configuration, so a journal replays under exactly the rules it ran
    under, whatever the rulebook files say later. Build such a
    configuration with :meth:`for_rulebook`, which takes the settlement
    mode, time zone and regular hours from the rulebook too.
    """

    operators: tuple[str, ...] = ("operator",)
    fee_account: str = "venue-fees"
    maker_fee_bps: int = 0
    taker_fee_bps: int = 0
    market_collar_bps: int = 500
    market_collar_abs: int = 5_000
    settlement: SettlementMode = SettlementMode.RTGS
    pre_trade_risk: bool = True
    timezone: str = "America/New_York"
    regular_open: int = 9 * 60 + 30
    regular_close: int = 16 * 60
    max_extended_collar_bps: int = 1_000
    rulebook: Rulebook | None = None

    @classmethod
    def for_rulebook(cls, rulebook: Rulebook, **overrides: object) -> VenueConfig:
        """A configuration that runs ``rulebook``, its settlement and its session hours."""
        session = rulebook.session
        settings: dict[str, object] = {
            "rulebook": rulebook,
            "settlement": SettlementMode(rulebook.settlement.value),
            "timezone": session.timezone,
            "regular_open": session.open.hour * 60 + session.open.minute,
            "regular_close": session.close.hour * 60 + session.close.minute,
        }
        settings.update(overrides)
        return cls(**settings)  # type: ignore[arg-type]

    def problems(self) -> list[str]:
        found = []
        if not self.operators:
            found.append("at least one operator is needed")
        if not 0 <= self.maker_fee_bps <= 1_000 or not 0 <= self.taker_fee_bps <= 1_000:
            found.append("fees must be between 0 and 1,000 basis points")
        if self.market_collar_bps <= 0 or self.market_collar_abs <= 0:
            found.append("the market-order collar must be positive")
        if not isinstance(self.settlement, SettlementMode):
            found.append("settlement must be a SettlementMode (rtgs or deferred)")
        if self.settlement is SettlementMode.DEFERRED and not self.pre_trade_risk:
            found.append("deferred settlement needs pre_trade_risk: credit limits replace funding")
        if not 0 <= self.regular_open < self.regular_close <= 24 * 60:
            found.append("regular hours must satisfy 0 <= regular_open < regular_close <= 1440")
        if not 0 < self.max_extended_collar_bps <= 10_000:
            found.append("max_extended_collar_bps must be between 1 and 10,000")
        rulebook = self.rulebook
        if rulebook is not None:
            found += [f"rulebook {rulebook.name}: {key}: {why}" for key, why in rulebook.problems()]
            if rulebook.session.timezone != self.timezone:
                found.append(f"the time zone must be the rulebook's ({rulebook.session.timezone})")
            if rulebook.risk is not None:
                problem = limits_problem(rulebook.risk, self.max_extended_collar_bps)
                if problem is not None:
                    found.append(f"rulebook {rulebook.name}: risk: {problem}")
        try:
            ZoneInfo(self.timezone)
        except (ZoneInfoNotFoundError, ValueError):
            found.append(f"unknown time zone {self.timezone!r}")
        return found
