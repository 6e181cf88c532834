"""Type declarations of the compiled module ``scope.pyx`` (see it for the docs)."""

from seawall.core.commands import RiskLimits
from seawall.core.types import RiskScope
from seawall.risk.windows import DuplicateKey, SlidingCount

NO_LIMIT: int
Windows = tuple[SlidingCount, ...]

class Position:
    net: int
    mark: int
    def __init__(self, net: int = 0, mark: int = 0) -> None: ...

class Scope:
    kind: RiskScope
    target: str
    extended_ceiling_bps: int
    firm: Scope | None
    members: list[Scope]
    chain: tuple[Scope, ...]
    limits: RiskLimits
    exposure: int
    executed: int
    positions: dict[str, Position]
    killed: bool
    kill_cause: str
    warned: bool
    credit: int
    credit_cap: int
    warn_at: int
    alert_at: int
    rearm_below: int
    blocked: bool
    max_qty: int
    max_notional: int
    collar_bps: int
    extended_collar_bps: int
    restricted_instruments: frozenset[str]
    execution_limited: bool
    executions: dict[str, SlidingCount]
    fill_windows: dict[str, Windows]
    traded: str | None
    traded_windows: Windows | None
    traded_position: Position | None
    def __init__(
        self, kind: RiskScope, target: str, extended_ceiling_bps: int, firm: Scope | None = None
    ) -> None: ...
    def apply(self, limits: RiskLimits) -> None: ...
    def combine(self) -> None: ...
    @property
    def message_times(self) -> list[int]: ...
    @property
    def order_times(self) -> list[int]: ...
    def record_throttles(self, messages: list[int], orders: list[int]) -> None: ...
    @property
    def duplicate_window_ns(self) -> int: ...
    def recent_entries(self) -> list[tuple[int, DuplicateKey]]: ...
    def record_recent(self, key: DuplicateKey, ts: int) -> None: ...
    @property
    def open_notional(self) -> int: ...
    def restart_executions(self) -> None: ...
    def refresh_alerts(self) -> None: ...
    def forget_traded(self) -> None: ...
    def set_killed(self, killed: bool, cause: str) -> None: ...
    def utilisation_bps(self, exposure: int) -> int: ...
