"""The RTGS ledger: what every account holds, split into available and reserved.

An order reserves what it needs when it is accepted (cash for a buy,
securities for a sell); a fill moves cash against securities between the two
accounts in the same step; a cancel releases the rest. The ledger is plain
mutable objects so that the hot path touches attributes, not dictionaries:
each open order keeps direct references to the two balances it affects.
"""

from __future__ import annotations

from seawall.core.types import BPS


class Balance:
    """One asset of one account. ``available + reserved`` is what the account holds.

    For securities, ``borrowed`` counts units held under a loan (part of what
    is held) and ``lent`` units delivered to another account under a loan
    (not held, still owned).
    """

    __slots__ = ("available", "borrowed", "lent", "reserved")

    def __init__(self, available: int = 0, reserved: int = 0) -> None:
        self.available = available
        self.reserved = reserved
        self.borrowed = 0
        self.lent = 0

    @property
    def total(self) -> int:
        return self.available + self.reserved


class Account:
    """An account owned by one participant, optionally grouped into a firm."""

    __slots__ = ("account_id", "cash", "firm", "owner", "positions", "risk")

    def __init__(self, account_id: str, owner: str, firm: str = "") -> None:
        self.account_id = account_id
        self.owner = owner
        self.firm = firm
        self.cash: dict[str, Balance] = {}
        self.positions: dict[str, Balance] = {}
        # The pre-trade risk engine's scope for this account, kept here by the engine on
        # first use so that an order reaches it without a lookup (seawall.risk.scope.Scope).
        self.risk: object = None

    def cash_balance(self, currency: str) -> Balance:
        """The cash balance in ``currency``, created empty on first use."""
        if currency in self.cash:
            return self.cash[currency]
        balance = self.cash[currency] = Balance()
        return balance

    def position(self, symbol: str) -> Balance:
        """The position in ``symbol``, created empty on first use."""
        if symbol in self.positions:
            return self.positions[symbol]
        balance = self.positions[symbol] = Balance()
        return balance


def fee_charged(notional: int, bps: int) -> int:
    """The fee on a fill, rounded down in the payer's favour."""
    return notional * bps // BPS


def fee_reserved(notional: int, bps: int) -> int:
    """The fee an open buy must reserve, rounded up.

    Rounding the reservation up and the charge down guarantees that the
    reservation released by any fill always covers what the fill costs,
    whatever the fill price and the split of the order into fills.
    """
    return -(-notional * bps // BPS)
