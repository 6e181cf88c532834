"""Export and restore the risk layer's state, canonically, as part of the venue's.

Throttle windows and the duplicate window are state too: a venue restored
from a snapshot must refuse exactly the orders the original would have.
"""

from __future__ import annotations

import msgspec

from seawall.core.commands import RiskLimits
from seawall.core.ledger import Account
from seawall.core.types import RiskScope, Side
from seawall.risk.engine import RiskEngine
from seawall.risk.records import Parent
from seawall.risk.scope import Position, Scope
from seawall.risk.windows import DuplicateKey, SlidingCount


class ScopeState(msgspec.Struct, frozen=True, array_like=True):
    kind: RiskScope
    target: str
    limits: RiskLimits
    open_notional: int
    executed: int
    killed: bool
    kill_cause: str
    warned: bool
    positions: list[tuple[str, int, int]]
    messages: list[int]
    orders: list[int]
    recent: list[tuple[int, DuplicateKey]]
    executions: list[tuple[str, list[int]]]


class ParentState(msgspec.Struct, frozen=True, array_like=True):
    account: str
    parent_order_id: str
    instrument: str
    side: Side
    qty: int
    used: int


class RiskState(msgspec.Struct, frozen=True):
    active: bool
    scopes: list[ScopeState]
    parents: list[ParentState]
    failing: list[str]


_UNSET = RiskLimits()


def _canonical(limits: RiskLimits) -> RiskLimits:
    """Equal limits, encoded alike: every field equal to its default holds the default itself.

    msgspec leaves a field out of an encoding when its value *is* the default
    object, and an equal integer decoded or computed elsewhere is another
    object (7,500, the default warning level, is beyond CPython's cached
    small integers): equal states would otherwise hash differently.
    """
    own = {
        name: value
        for name, value in msgspec.structs.asdict(limits).items()
        if value != getattr(_UNSET, name)
    }
    return msgspec.structs.replace(_UNSET, **own)


def _scope_state(scope: Scope) -> ScopeState:
    return ScopeState(
        scope.kind,
        scope.target,
        _canonical(scope.limits),
        scope.open_notional,
        scope.executed,
        scope.killed,
        scope.kill_cause,
        scope.warned,
        [(symbol, p.net, p.mark) for symbol, p in sorted(scope.positions.items())],
        scope.message_times,
        scope.order_times,
        scope.recent_entries(),
        # A window opens at its account's first order in the instrument and is empty until a
        # fill: left out, the state is that of a venue that opened it at the fill.
        [(symbol, w.times) for symbol, w in sorted(scope.executions.items()) if w.times],
    )


def _matters(scope: Scope) -> bool:
    """Whether a scope differs from the empty one the engine would create on first use."""
    return bool(
        scope.limits != _UNSET
        or scope.open_notional
        or scope.executed
        or scope.killed
        or scope.positions
        or any(window.times for window in scope.executions.values())
        or scope.recent_entries()  # perhaps under a firm window
    )


def export_risk(engine: RiskEngine) -> RiskState:
    """Only scopes that differ from a fresh one: creating an empty scope changes nothing."""
    scopes = [_scope_state(s) for _, s in sorted(engine.firms.items()) if _matters(s)]
    scopes += [_scope_state(s) for _, s in sorted(engine.accounts.items()) if _matters(s)]
    parents = [
        ParentState(account, parent_id, p.instrument, p.side, p.qty, p.used)
        for (account, parent_id), p in sorted(engine.parents.items())
    ]
    return RiskState(engine.active, scopes, parents, sorted(engine.failing))


def _restore_scope(scope: Scope, s: ScopeState) -> None:
    scope.apply(s.limits)
    scope.executed = s.executed
    scope.exposure = s.open_notional + s.executed
    scope.warned = s.warned
    scope.set_killed(s.killed, s.kill_cause)  # also recomputes the alert levels
    scope.positions = {symbol: Position(net, mark) for symbol, net, mark in s.positions}
    scope.forget_traded()
    scope.record_throttles(s.messages, s.orders)
    for ts, key in s.recent:
        scope.record_recent(key, ts)
    for symbol, times in s.executions:
        scope.executions[symbol] = SlidingCount(
            s.limits.max_executions, s.limits.execution_window_ns, times
        )


def restore_risk(engine: RiskEngine, state: RiskState, accounts: dict[str, Account]) -> None:
    """Load ``state`` into the fresh engine of a venue whose accounts are already restored."""
    if state.active != engine.active:
        raise ValueError("the risk state and the venue's configuration disagree on pre_trade_risk")
    for s in state.scopes:
        if s.kind is RiskScope.FIRM:
            _restore_scope(engine.firm_scope(s.target), s)
    for s in state.scopes:
        if s.kind is RiskScope.ACCOUNT:
            _restore_scope(engine.scope_of(accounts[s.target]), s)
    engine.parents = {
        (p.account, p.parent_order_id): Parent(p.instrument, p.side, p.qty, p.used)
        for p in state.parents
    }
    engine.failing = set(state.failing)
