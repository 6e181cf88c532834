"""The core's vocabulary: scales, enumerations and instrument definitions.

Everything inside the core is an integer. Prices are ticks of 1/10,000 of the
currency unit (the ITCH and LOBSTER convention), quantities are whole units
(shares, contracts) that must be a multiple of the instrument's lot size, and
money is integer at the same 1/10,000 scale as prices. ``Decimal`` appears only
at the edges (see :mod:`seawall.core.units`).
"""

from __future__ import annotations

from enum import StrEnum

import msgspec

PRICE_SCALE = 10_000
"""Integer price units per currency unit: $1.00 is 10,000."""

MONEY_SCALE = PRICE_SCALE
"""Money uses the price scale, so price × quantity × multiplier is money."""

MAX_QTY = 10**12
"""Largest quantity a single order may carry; keeps products inside int64 for the journal."""

MAX_PRICE = 10**12
"""Largest price in ticks ($100,000,000.0000)."""

MAX_MULTIPLIER = 10**6
"""Largest contract multiplier (listed futures and options use 1 to a few thousand).

With MAX_QTY and MAX_PRICE it bounds one order's notional at 10^30, which the
risk layer's 128-bit figures hold with room for any number of such orders."""

MAX_SUPPLY = 10**18
"""Most of any one asset the venue holds in total (10^18 money units is $100 trillion).

Every balance, and every reservation or notional that can be funded, is at
most the supply, so all of them fit the journal's 64-bit integers.
"""

BPS = 10_000
"""Basis points in one whole."""


class Side(StrEnum):
    BUY = "buy"
    SELL = "sell"


class OrderType(StrEnum):
    LIMIT = "limit"
    MARKET = "market"
    STOP = "stop"
    STOP_LIMIT = "stop_limit"


class TimeInForce(StrEnum):
    DAY = "day"  # rests until the session closes
    GTC = "gtc"  # rests across sessions until cancelled
    IOC = "ioc"  # fill what crosses now, cancel the rest
    FOK = "fok"  # fill completely now, or do nothing at all


class SaleMarking(StrEnum):
    """Regulation SHO order marking. Ignored on buys."""

    LONG = "long"
    SHORT = "short"
    SHORT_EXEMPT = "short_exempt"


class SelfTradePrevention(StrEnum):
    """What happens when an incoming order would trade with a resting order of the same account."""

    CANCEL_NEWEST = "cancel_newest"  # cancel the incoming remainder, keep the resting order
    CANCEL_OLDEST = "cancel_oldest"  # cancel the resting order and keep matching
    CANCEL_BOTH = "cancel_both"  # cancel both
    ALLOW = "allow"  # let the account trade with itself


class TradingState(StrEnum):
    """Per-instrument trading state; which commands each accepts is the rulebook's ``[states]``.

    Only ``CONTINUOUS`` and ``LIMIT_STATE`` match. The call states
    (``PRE_OPEN``, the auctions, ``PAUSED``, ``RESERVED`` and the operator's
    ``AUCTION``) keep the book in call: orders rest without matching, and
    leaving a call for a matching state uncrosses the book at a single price.
    ``HALTED`` and ``CLOSED`` freeze the book; closing also expires day
    orders. Without a rulebook, halted and closed books take cancels only and
    every other state takes every order (ADR 0003).
    """

    PRE_OPEN = "pre_open"
    OPENING_AUCTION = "opening_auction"
    CONTINUOUS = "continuous"
    LIMIT_STATE = "limit_state"
    AUCTION = "auction"  # a call an operator opened by hand
    PAUSED = "paused"
    HALTED = "halted"
    VOLATILITY_AUCTION = "volatility_auction"
    RESERVED = "reserved"
    CLOSING_AUCTION = "closing_auction"
    CLOSED = "closed"


MATCHING_STATES = frozenset({TradingState.CONTINUOUS, TradingState.LIMIT_STATE})
FROZEN_STATES = frozenset({TradingState.HALTED, TradingState.CLOSED})


class AssetClass(StrEnum):
    EQUITY = "equity"
    ETF = "etf"
    OPTION = "option"
    FUTURE = "future"


class SettlementMode(StrEnum):
    """How fills settle (ADR 0008).

    ``RTGS``: an order holds the cash or securities it needs and each fill
    moves them at once. ``DEFERRED``: orders are checked against credit
    thresholds instead of balances, fills record obligations, and an
    end-of-day batch settles them net.
    """

    RTGS = "rtgs"
    DEFERRED = "deferred"


class RiskScope(StrEnum):
    """What a set of pre-trade limits or a kill switch applies to."""

    ACCOUNT = "account"
    FIRM = "firm"  # every account opened with this firm


class Role(StrEnum):
    TRADER = "trader"  # trades on its own accounts only
    OPERATOR = "operator"  # runs the venue: listings, accounts, funding, trading states


class Instrument(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    """A listed instrument.

    ``tick_size`` is in price units (100 = $0.01); ``lot_size`` in units
    (shares, contracts). ``multiplier`` turns a price into money per unit
    (100 for a US equity option, 50 for an E-mini future); ``leverage`` is the
    stated daily leverage of a leveraged ETF (1 for everything else).
    """

    symbol: str
    tick_size: int = 100
    lot_size: int = 1
    currency: str = "USD"
    asset_class: AssetClass = AssetClass.EQUITY
    multiplier: int = 1
    leverage: int = 1

    def problems(self) -> list[str]:
        """Why this definition cannot be listed; empty when it can."""
        found = []
        if not self.symbol or len(self.symbol) > 32 or not self.symbol.isprintable():
            found.append("symbol must be 1 to 32 printable characters")
        if self.tick_size <= 0:
            found.append("tick_size must be positive")
        if self.lot_size <= 0:
            found.append("lot_size must be positive")
        if not 0 < self.multiplier <= MAX_MULTIPLIER:
            found.append(f"multiplier must be from 1 to {MAX_MULTIPLIER:,}")
        if self.leverage == 0:
            found.append("leverage must not be zero")
        if not self.currency or not self.currency.isalnum():
            found.append("currency must be a short alphanumeric code")
        if self.asset_class is not AssetClass.ETF and self.leverage != 1:
            found.append("only an ETF may be leveraged")
        return found
