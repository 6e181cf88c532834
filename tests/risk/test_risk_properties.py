"""Properties of the risk layer over random command streams (see risk_strategies.py).

After every command of any stream:

1. every account's and firm's open notional, executed exposure and total
   exposure equal a from-scratch recomputation (open orders from
   ``venue.orders``, positions from the trades seen since the risk layer
   started or since the last end of day);
2. no accepted order took an account or a firm over its credit limit, and no
   order was accepted for a killed account or firm; every accepted order or
   replace passed every other control of the account and of its firm (size,
   notional, collar, restrictions, duplicates, throttles), judged by an
   independent oracle that keeps its own windows;
3. a killed account, and every account of a killed firm, has no open order
   (resting or a waiting stop);
4. each declared parent's children, filled plus open, never exceed it, and the
   layer's count of them is exact;
5. under deferred settlement, every asset's balances plus its outstanding
   obligations equal its supply, through every end of day;
6. a venue restored from ``export_state`` at any point has the same state
   hash and reacts to the rest of the stream exactly as the original does.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field

import msgspec
from hypothesis import given, settings
from risk_strategies import EXAMPLES, RISK_SETTINGS, Scenario, scenarios
from risk_support import ACCOUNT, FIRM, SUMMER_OPEN, ExposureModel

from seawall import Side, Venue
from seawall.core.commands import (
    Cancel,
    Command,
    EndOfDay,
    NewOrder,
    Replace,
    RiskLimits,
)
from seawall.core.events import (
    CancelReason,
    OrderAccepted,
    OrderCancelled,
    OrderReplaced,
    ParentDeclared,
    RiskLimitsSet,
    SettlementBatch,
    Trade,
)
from seawall.core.types import BPS, RiskScope
from stream_support import Step, explained, run

_ENCODER = msgspec.msgpack.Encoder()


def tracked(scenario: Scenario, venue: Venue) -> Iterator[tuple[Step, ExposureModel]]:
    """Run the stream, keeping the recomputation model in step with it."""
    model = ExposureModel(venue)
    for step in run(scenario, venue):
        if venue.risk.active:  # risk commands start the layer and trade nothing themselves
            model.observe(step.events)
        if isinstance(step.command, EndOfDay) and any(
            isinstance(e, SettlementBatch) for e in step.events
        ):
            model.end_of_day()
        yield step, model


# ---------------------------------------------------------------------------- 1 and 2


@RISK_SETTINGS
@given(scenarios())
def test_exposure_equals_a_recomputation_after_every_command(scenario: Scenario) -> None:
    venue = Venue(scenario.config)
    for step, model in tracked(scenario, venue):
        with explained(step):
            if venue.risk.active:
                model.check()


def credit_of(venue: Venue, account: str) -> list[tuple[str, int, int]]:
    """(name, exposure, credit limit) of the account's scope and its firm's, where limited."""
    risk = venue.risk
    scope = risk.accounts.get(account)
    if scope is None:
        return []
    found = []
    for each in (scope, scope.firm):
        if each is not None and each.limits.credit_limit:
            found.append((each.target, each.exposure, each.limits.credit_limit))
    return found


@RISK_SETTINGS
@given(scenarios())
def test_no_accepted_order_breaches_a_credit_limit_or_a_kill_switch(scenario: Scenario) -> None:
    venue = Venue(scenario.config)
    for command, ts in scenario.stamped():
        if not isinstance(command, NewOrder) or not venue.risk.active:
            venue.process(command, ts)
            continue
        risk = venue.risk
        scope = risk.accounts.get(command.account)
        killed = scope is not None and (
            scope.killed or (scope.firm is not None and scope.firm.killed)
        )
        before = {
            name: (exposure, limit) for name, exposure, limit in credit_of(venue, command.account)
        }
        events = venue.process(command, ts)
        accepted = events[0]
        if not isinstance(accepted, OrderAccepted):
            continue
        assert not killed, f"order {accepted.order_id} accepted for a killed account: {command!r}"
        unit = venue.books[command.instrument].instrument.multiplier
        notional = accepted.qty * accepted.price * unit
        for name, (exposure, limit) in before.items():
            assert (
                exposure + notional <= limit
            ), f"{command!r} accepted: {name} had {exposure} of {limit} and it adds {notional}"


@dataclass(frozen=True)
class Seen:
    """The reference price, and for a replace its order's (account, instrument, side)."""

    reference: int
    order: tuple[str, str, Side] | None = None


@dataclass
class ControlsOracle:
    """Every control of each scope, judged from the commands and events alone.

    It keeps what the rules count: accepted orders (for duplicates and the
    order rate), messages (accepted orders and replaces, cancels by the
    owner), executions (every fill or reported trade). The layer counts at
    least these (refused attempts too), and a scope's windows restart when its
    limits are set, so an accepted order must satisfy every window counted
    here since then. Regular hours on the stream's day (10 July 2024, EDT) are
    13:30 to 20:00 UTC.
    """

    venue: Venue
    limits: dict[tuple[RiskScope, str], tuple[int, RiskLimits]] = field(default_factory=dict)
    orders: list[tuple[int, str, tuple[str, Side, int, int]]] = field(default_factory=list)
    messages: list[tuple[int, str]] = field(default_factory=list)
    executions: list[tuple[int, str, str]] = field(default_factory=list)
    day_start: int = 0

    def scopes(self, account: str) -> list[tuple[int, RiskLimits, set[str]]]:
        """(epoch, limits, member accounts) of the account's scope and its firm's."""
        firm = self.venue.accounts[account].firm
        found = []
        for key, members in (
            ((RiskScope.ACCOUNT, account), {account}),
            (
                (RiskScope.FIRM, firm),
                {a.account_id for a in self.venue.accounts.values() if firm and a.firm == firm},
            ),
        ):
            if key in self.limits:
                epoch, limits = self.limits[key]
                found.append((epoch, limits, members))
        return found

    def before(self, command: Command) -> Seen:
        """What the checks need from the venue as the command arrives."""
        if isinstance(command, NewOrder):
            book = self.venue.books.get(command.instrument)
            return Seen(book.reference() if book else 0)
        if isinstance(command, Replace):
            order = self.venue.orders.get(command.order_id)
            if order is not None:
                book = self.venue.books[order.instrument]
                return Seen(
                    book.reference(), (order.account.account_id, order.instrument, order.side)
                )
        return Seen(0)

    def check_entry(
        self, ts: int, account: str, symbol: str, side: Side, qty: int, price: int,
        reference: int, new_order: bool, collared: bool = True,
    ) -> None:  # fmt: skip
        """``collared`` is false for a stop: it meets its collar when elected, not entered."""
        unit = self.venue.books[symbol].instrument.multiplier
        regular = SUMMER_OPEN <= ts < SUMMER_OPEN + 390 * 60 * 1_000_000_000
        key = (symbol, side, price, qty)
        what = (
            f"{'order' if new_order else 'replace'} {account} {side.value} {qty} {symbol} @ {price}"
        )
        for epoch, limits, members in self.scopes(account):
            assert not limits.restricted, f"{what}: accepted while restricted"
            if new_order:
                assert symbol not in limits.restricted_instruments, f"{what}: restricted"
            if limits.max_order_qty:
                assert qty <= limits.max_order_qty, f"{what}: above max qty {limits.max_order_qty}"
            if limits.max_order_notional:
                assert qty * price * unit <= limits.max_order_notional, f"{what}: notional"
            # Outside regular hours a scope with only a regular collar gets it, capped.
            ceiling = self.venue.config.max_extended_collar_bps
            extended = limits.extended_collar_bps or min(limits.collar_bps, ceiling)
            bps = limits.collar_bps if regular else extended
            if collared and bps and reference:
                band = reference * bps // BPS
                inside = (
                    price <= reference + band if side is Side.BUY else price >= reference - band
                )
                assert inside, f"{what}: outside {bps} bps of {reference}"
            if new_order and limits.duplicate_window_ns:
                window = limits.duplicate_window_ns
                assert not any(
                    t >= epoch and ts - t < window and a == account and k == key
                    for t, a, k in self.orders
                ), f"{what}: duplicate within {window} ns"
            if new_order and limits.max_orders:
                count = sum(
                    1 for t, a, _ in self.orders
                    if t >= epoch and ts - t < limits.order_window_ns and a in members
                )  # fmt: skip
                assert count < limits.max_orders, f"{what}: {count} orders in the window"
            if limits.max_messages:
                count = sum(
                    1 for t, a in self.messages
                    if t >= epoch and ts - t < limits.message_window_ns and a in members
                )  # fmt: skip
                assert count < limits.max_messages, f"{what}: {count} messages in the window"
            if new_order and limits.max_executions:
                since = max(epoch, self.day_start)
                count = sum(
                    1 for t, a, i in self.executions
                    if t >= since and ts - t < limits.execution_window_ns and a in members
                    and i == symbol
                )  # fmt: skip
                assert count < limits.max_executions, f"{what}: {count} executions in the window"

    def after(self, step: Step, seen: Seen) -> None:
        command, ts = step.command, step.ts
        first = step.events[0] if step.events else None
        if isinstance(command, NewOrder) and isinstance(first, OrderAccepted):
            self.check_entry(
                ts, command.account, command.instrument, command.side, first.qty, first.price,
                seen.reference, True, not command.stop_price,
            )  # fmt: skip
            self.orders.append(
                (ts, command.account, (command.instrument, command.side, first.price, first.qty))
            )
            self.messages.append((ts, command.account))
        elif isinstance(command, Replace) and isinstance(first, OrderReplaced):
            assert seen.order is not None
            account, symbol, side = seen.order
            self.check_entry(
                ts, account, symbol, side, command.qty, command.price, seen.reference, False
            )
            self.messages.append((ts, account))
        elif isinstance(command, Cancel) and isinstance(first, OrderCancelled):
            if first.reason is CancelReason.USER:
                self.messages.append((ts, first.account))
        for event in step.events:
            if isinstance(event, RiskLimitsSet):
                self.limits[(event.scope, event.target)] = (ts, event.limits)
            elif isinstance(event, Trade):
                self.executions.append((ts, event.buy_account, event.instrument))
                self.executions.append((ts, event.sell_account, event.instrument))
            elif isinstance(event, SettlementBatch):
                self.day_start = ts + 1


@RISK_SETTINGS
@given(scenarios())
def test_every_accepted_order_and_replace_passed_every_control(scenario: Scenario) -> None:
    venue = Venue(scenario.config)
    oracle = ControlsOracle(venue)
    for command, ts in scenario.stamped():
        seen = oracle.before(command)
        step = Step(0, command, ts, venue.process(command, ts))
        with explained(step):
            oracle.after(step, seen)


# ---------------------------------------------------------------------------- 3


def check_killed_have_nothing_open(venue: Venue) -> None:
    risk = venue.risk
    killed_accounts = {a for a, scope in risk.accounts.items() if scope.killed}
    killed_firms = {f for f, scope in risk.firms.items() if scope.killed}
    for order in venue.orders.values():
        account = order.account
        assert (
            account.account_id not in killed_accounts
        ), f"order {order.order_id} of killed account {account.account_id} is open"
        assert (
            account.firm not in killed_firms
        ), f"order {order.order_id} of {account.account_id} is open; firm {account.firm} is killed"


@RISK_SETTINGS
@given(scenarios())
def test_a_kill_switch_leaves_no_open_order_behind(scenario: Scenario) -> None:
    venue = Venue(scenario.config)
    for step in run(scenario, venue):
        with explained(step):
            check_killed_have_nothing_open(venue)


# ---------------------------------------------------------------------------- 4


@dataclass
class ParentModel:
    """Children of each parent from the commands and events: filled plus still open."""

    declared: dict[tuple[str, str], int] = field(default_factory=dict)
    children: dict[int, tuple[str, str]] = field(default_factory=dict)
    filled: dict[tuple[str, str], int] = field(default_factory=lambda: defaultdict(int))

    def observe(self, step: Step) -> None:
        command = step.command
        for event in step.events:
            if isinstance(event, ParentDeclared):
                self.declared[(event.account, event.parent_order_id)] = event.qty
            elif isinstance(event, OrderAccepted):
                assert isinstance(command, NewOrder)
                if command.parent_order_id:
                    self.children[event.order_id] = (command.account, command.parent_order_id)
            elif isinstance(event, Trade):
                for order_id in (event.buy_order_id, event.sell_order_id):
                    if order_id in self.children:
                        self.filled[self.children[order_id]] += event.qty

    def check(self, venue: Venue) -> None:
        open_part: dict[tuple[str, str], int] = defaultdict(int)
        for order_id, order in venue.orders.items():
            if order_id in self.children:
                open_part[self.children[order_id]] += order.leaves
        for key, qty in self.declared.items():
            used = self.filled[key] + open_part[key]
            assert used <= qty, f"parent {key}: children use {used} of {qty}"
            parent = venue.risk.parents[key]
            assert (parent.qty, parent.used) == (
                qty,
                used,
            ), f"parent {key}: the layer has {parent.used} of {parent.qty}, recomputed {used}"


@RISK_SETTINGS
@given(scenarios())
def test_children_never_exceed_their_parent(scenario: Scenario) -> None:
    venue = Venue(scenario.config)
    model = ParentModel()
    for step in run(scenario, venue):
        with explained(step):
            model.observe(step)
            model.check(venue)


# ---------------------------------------------------------------------------- 5


def check_deferred_conservation(venue: Venue) -> None:
    held: dict[str, int] = defaultdict(int)
    for account in venue.accounts.values():
        for holdings in (account.cash, account.positions):
            for asset, balance in holdings.items():
                assert balance.reserved == 0, f"{account.account_id} reserves {asset}"
                held[asset] += balance.available
    for (_, asset), amount in venue.matcher.obligations.items():
        held[asset] += amount
    for asset in sorted(set(held) | set(venue.supply)):
        assert held[asset] == venue.supply.get(asset, 0), (
            f"{asset}: balances and obligations add up to {held[asset]}, "
            f"supply is {venue.supply.get(asset, 0)}"
        )


@RISK_SETTINGS
@given(scenarios(deferred=True))
def test_deferred_settlement_conserves_cash_and_securities(scenario: Scenario) -> None:
    venue = Venue(scenario.config)
    for step in run(scenario, venue):
        with explained(step):
            check_deferred_conservation(venue)
            if isinstance(step.command, EndOfDay):
                assert venue.matcher.obligations == {}
            shortfall = any(
                b.available < 0
                for account in venue.accounts.values()
                for b in (*account.cash.values(), *account.positions.values())
            )
            assert shortfall or not venue.risk.failing, "a cured account is still failing"


# ---------------------------------------------------------------------------- 6


def encoded(venue: Venue) -> bytes:
    return _ENCODER.encode(venue.export_state())


SHADOWS = 12
"""How many commands each restored copy follows the original for (longer than the
duplicate and throttle windows of the streams, in commands)."""


@RISK_SETTINGS
@given(scenarios())
def test_a_restored_venue_has_the_same_state_hash_at_every_point(scenario: Scenario) -> None:
    original = Venue(scenario.config)
    for step in run(scenario, original):
        with explained(step):
            restored = Venue.restore(original.export_state())
            assert restored.state_hash() == original.state_hash()
            assert encoded(restored) == encoded(original)


@settings(RISK_SETTINGS, derandomize=True, max_examples=max(EXAMPLES, 100))
@given(scenarios())
def test_a_restored_venue_behaves_identically_from_any_point(scenario: Scenario) -> None:
    """After every command a copy is restored from ``export_state``; it must then give the
    same events as the original for the next commands (windows included)."""
    original = Venue(scenario.config)
    shadows: list[tuple[int, Venue]] = []
    for step in run(scenario, original):
        with explained(step):
            for since, shadow in shadows:
                got = shadow.process(step.command, step.ts)
                assert got == step.events, f"a copy restored after command #{since} differs"
                assert shadow.state_hash() == original.state_hash(), f"copy of #{since}"
            shadows = [
                *shadows[-(SHADOWS - 1) :],
                (step.index, Venue.restore(original.export_state())),
            ]


@RISK_SETTINGS
@given(scenarios())
def test_the_scope_figures_are_never_negative_and_firms_sum_their_accounts(
    scenario: Scenario,
) -> None:
    venue = Venue(scenario.config)
    for step in run(scenario, venue):
        with explained(step):
            risk = venue.risk
            sums: dict[str, list[int]] = defaultdict(lambda: [0, 0])
            for scope in risk.accounts.values():
                assert scope.open_notional >= 0 and scope.executed >= 0, scope.target
                assert scope.exposure == scope.open_notional + scope.executed
                if scope.firm is not None:
                    sums[scope.firm.target][0] += scope.open_notional
                    sums[scope.firm.target][1] += scope.executed
            for name, firm in risk.firms.items():
                assert [firm.open_notional, firm.executed] == sums[name], name
                assert firm.kind is FIRM
            assert all(scope.kind is ACCOUNT for scope in risk.accounts.values())
