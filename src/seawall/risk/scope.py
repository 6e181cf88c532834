"""The risk state of one account or one firm: its limits, exposure, windows and kill switch.

Exposure is gross: every open order at full notional (open quantity × limit
× multiplier, buys and sells alike) plus, for each instrument, the absolute
executed position marked at its latest fill. Both parts change only by
deltas that the venue reports as they happen, so reading a scope's
utilisation is O(1).
"""

from __future__ import annotations

from seawall.core.commands import RiskLimits
from seawall.core.types import BPS, RiskScope
from seawall.risk.windows import RecentKeys, SlidingCount


class Position:
    """An account's executed position in one instrument since the risk day began."""

    __slots__ = ("mark", "net")

    def __init__(self, net: int = 0, mark: int = 0) -> None:
        self.net = net  # signed quantity
        self.mark = mark  # money per unit of the latest fill (price × multiplier)

    @property
    def exposure(self) -> int:
        return abs(self.net) * self.mark


class Scope:
    """Limits and live figures of an account or a firm.

    A scope with no limits still keeps its exposure, so limits set later
    start from the truth. An account's scope links to its firm's, and every
    exposure delta of the account is applied to both.
    """

    __slots__ = (
        "collar_bps",
        "credit",
        "executed",
        "executions",
        "extended_collar_bps",
        "firm",
        "kill_cause",
        "kill_on_breach",
        "killed",
        "kind",
        "limits",
        "max_notional",
        "max_qty",
        "messages",
        "open_notional",
        "orders",
        "positions",
        "recent",
        "restricted",
        "restricted_instruments",
        "target",
        "warn_bps",
        "warned",
    )

    def __init__(self, kind: RiskScope, target: str, firm: Scope | None = None) -> None:
        self.kind = kind
        self.target = target
        self.firm = firm
        self.open_notional = 0
        self.executed = 0
        self.positions: dict[str, Position] = {}
        self.killed = False
        self.kill_cause = ""
        self.warned = False
        self.executions: dict[str, SlidingCount] = {}
        self.apply(RiskLimits())

    def apply(self, limits: RiskLimits) -> None:
        """Adopt new limits. Windows restart; exposure and the kill switch are kept."""
        self.limits = limits
        self.credit = limits.credit_limit
        self.warn_bps = limits.warn_bps
        self.kill_on_breach = limits.kill_on_breach
        self.max_qty = limits.max_order_qty
        self.max_notional = limits.max_order_notional
        self.collar_bps = limits.collar_bps
        self.extended_collar_bps = limits.extended_collar_bps
        self.restricted = limits.restricted
        self.restricted_instruments = frozenset(limits.restricted_instruments)
        self.messages = (
            SlidingCount(limits.max_messages, limits.message_window_ns)
            if limits.max_messages
            else None
        )
        self.orders = (
            SlidingCount(limits.max_orders, limits.order_window_ns) if limits.max_orders else None
        )
        self.recent = RecentKeys(limits.duplicate_window_ns) if limits.duplicate_window_ns else None
        self.executions.clear()
        self.warned = self.credit > 0 and self.exposure * BPS >= self.credit * self.warn_bps

    @property
    def exposure(self) -> int:
        return self.open_notional + self.executed

    def utilisation_bps(self) -> int:
        """Exposure as basis points of the credit limit (0 when there is none)."""
        return self.exposure * BPS // self.credit if self.credit else 0

    def executions_full(self, instrument: str, ts: int) -> bool:
        window = self.executions.get(instrument)
        return window is not None and window.full(ts)

    def record_execution(self, instrument: str, ts: int) -> None:
        limits = self.limits
        if not limits.max_executions:
            return
        window = self.executions.get(instrument)
        if window is None:
            window = self.executions[instrument] = SlidingCount(
                limits.max_executions, limits.execution_window_ns
            )
        window.record(ts)
