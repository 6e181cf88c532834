"""The pre-trade risk engine: every control of SEC Rule 15c3-5, checked on every order.

The venue asks :meth:`RiskEngine.check_order` after entitlement and before
funding, and reports every change of exposure as it happens: an order
admitted, a fill, a release (cancel, expiry, the unfilled rest of an IOC),
a replace, a reported trade. Checks compare against figures kept up to date
by those deltas, so each check is O(1) whatever the number of orders or
positions.

Breaches do not wait for a timer: the warning is published in the step that
crosses its level, and reaching 100% of a credit limit engages the kill
switch in that same step. Warnings and kills are queued as :class:`Notice`
objects that the venue turns into events and cancels after the command's
own effects (never in the middle of a match).

The engine is idle (every hook skipped) until the first risk command, or
from the start under deferred settlement, so a venue without controls pays
nothing for them.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import NamedTuple

from seawall.core.book import Book, Order
from seawall.core.commands import NewOrder, RiskLimits
from seawall.core.config import VenueConfig
from seawall.core.events import RejectReason
from seawall.core.ledger import Account
from seawall.core.types import BPS, MAX_SUPPLY, RiskScope, SettlementMode, Side
from seawall.core.units import ticks_to_price
from seawall.risk.scope import Position, Scope
from seawall.risk.session import RegularHours

Problem = tuple[RejectReason, str]

_BUY = Side.BUY
_ACCOUNT = RiskScope.ACCOUNT
_FIRM = RiskScope.FIRM


class Notice(NamedTuple):
    """A warning or a kill, raised while a command ran, published after it."""

    scope: Scope
    kill: bool
    cause: str
    exposure: int
    by: str = ""


class Parent:
    """A declared parent order: what its children may add up to, and what they use."""

    __slots__ = ("instrument", "qty", "side", "used")

    def __init__(self, instrument: str, side: Side, qty: int, used: int = 0) -> None:
        self.instrument = instrument
        self.side = side
        self.qty = qty
        self.used = used  # children's quantity: filled plus still open


def _money(amount: int) -> str:
    return f"{ticks_to_price(amount):,}"


class RiskEngine:
    """Per-account and per-firm controls, exposure and kill switches. See the module docstring."""

    def __init__(self, config: VenueConfig, books: dict[str, Book]) -> None:
        self.books = books
        self.deferred = config.settlement is SettlementMode.DEFERRED
        self.max_extended_collar_bps = config.max_extended_collar_bps
        self.hours = RegularHours(config.timezone, config.regular_open, config.regular_close)
        self.active = self.deferred
        self.accounts: dict[str, Scope] = {}
        self.firms: dict[str, Scope] = {}
        self.parents: dict[tuple[str, str], Parent] = {}
        self.notices: list[Notice] = []
        self.failing: set[str] = set()  # accounts with an unsettled deferred shortfall

    # ------------------------------------------------------------------ scopes

    def activate(self, open_orders: Iterable[Order]) -> None:
        """Start keeping exposure, counting the orders already open."""
        if self.active:
            return
        self.active = True
        for order in open_orders:
            self._add_open(self.scope_of(order.account), order.leaves * self._money_per_unit(order))

    def firm_scope(self, firm: str) -> Scope:
        scope = self.firms.get(firm)
        if scope is None:
            scope = self.firms[firm] = Scope(_FIRM, firm)
        return scope

    def scope_of(self, account: Account) -> Scope:
        """The account's scope, created (and linked to its firm's) on first use."""
        scope = self.accounts.get(account.account_id)
        if scope is None:
            firm = self.firm_scope(account.firm) if account.firm else None
            scope = self.accounts[account.account_id] = Scope(_ACCOUNT, account.account_id, firm)
        return scope

    def limits_problem(self, limits: RiskLimits) -> str | None:
        """Why these limits cannot be set, or None."""
        values = [
            limits.credit_limit, limits.max_order_qty, limits.max_order_notional,
            limits.collar_bps, limits.extended_collar_bps, limits.duplicate_window_ns,
            limits.max_messages, limits.message_window_ns, limits.max_orders,
            limits.order_window_ns, limits.max_executions, limits.execution_window_ns,
        ]  # fmt: skip
        if any(not 0 <= value <= MAX_SUPPLY for value in values):
            return "every limit must be between 0 and 10^18"
        if not 0 < limits.warn_bps <= BPS:
            return "warn_bps must be between 1 and 10,000"
        if limits.extended_collar_bps > self.max_extended_collar_bps:
            return (
                f"an extended-hours collar of {limits.extended_collar_bps} bps is wider than the "
                f"venue's ceiling of {self.max_extended_collar_bps} bps"
            )
        if limits.collar_bps > BPS:
            return "collar_bps must be at most 10,000"
        for count, window, name in (
            (limits.max_messages, limits.message_window_ns, "message"),
            (limits.max_orders, limits.order_window_ns, "order"),
            (limits.max_executions, limits.execution_window_ns, "execution"),
        ):
            if bool(count) != bool(window):
                return f"the {name} throttle needs both a count and a window"
            if count > 1_000_000:
                return f"the {name} throttle may count at most 1,000,000 per window"
        return None

    # ------------------------------------------------------------------ order entry

    def check_order(
        self, cmd: NewOrder, account: Account, book: Book, price: int, ts: int
    ) -> Problem | None:
        """Why this order may not enter, or None. Throttle windows count the attempt."""
        if self.failing and account.account_id in self.failing:
            return RejectReason.SETTLEMENT_FAIL, (
                f"{account.account_id!r} failed to settle; it may trade again once cured"
            )
        scope = self.scope_of(account)
        firm = scope.firm
        notional = cmd.qty * price * book.unit
        problem = self._scope_problem(scope, cmd, book, price, notional, ts, True)
        if problem is None and firm is not None:
            problem = self._scope_problem(firm, cmd, book, price, notional, ts, True)
        if problem is None and cmd.parent_order_id:
            problem = self._parent_problem(account, cmd, cmd.qty)
        if problem is None and self.deferred and not (scope.credit or (firm and firm.credit)):
            problem = (
                RejectReason.NO_CREDIT_LIMIT,
                f"deferred settlement extends credit only under a limit; {account.account_id!r} "
                "has none",
            )
        if problem is None:
            problem = self._credit_problem(scope, notional) or (
                self._credit_problem(firm, notional) if firm is not None else None
            )
        return problem

    def _scope_problem(
        self,
        scope: Scope,
        cmd: NewOrder,
        book: Book,
        price: int,
        notional: int,
        ts: int,
        new_order: bool,
    ) -> Problem | None:
        """Every per-order control of one scope except credit, in a fixed order.

        A replace (``new_order`` false) is a message but not a new order: it
        skips the order-rate and duplicate checks.
        """
        who = f"{scope.kind.value} {scope.target!r}"
        if scope.killed:
            return (
                RejectReason.KILL_SWITCH_ENGAGED,
                f"{who}: kill switch engaged ({scope.kill_cause})",
            )
        if scope.restricted:
            return RejectReason.RESTRICTED, f"{who} is restricted from entering orders"
        if cmd.instrument in scope.restricted_instruments:
            return RejectReason.RESTRICTED_INSTRUMENT, f"{cmd.instrument} is restricted for {who}"
        messages = scope.messages
        if messages is not None:
            if messages.full(ts):
                messages.record(ts)
                return RejectReason.MESSAGE_RATE_EXCEEDED, (
                    f"{who} sent more than {messages.limit} messages in {messages.window_ns} ns"
                )
            messages.record(ts)
        orders = scope.orders
        if orders is not None and new_order:
            if orders.full(ts):
                orders.record(ts)
                return RejectReason.ORDER_RATE_EXCEEDED, (
                    f"{who} entered more than {orders.limit} orders in {orders.window_ns} ns"
                )
            orders.record(ts)
        if scope.max_qty and cmd.qty > scope.max_qty:
            return RejectReason.MAX_ORDER_QTY_EXCEEDED, (
                f"quantity {cmd.qty} is above {who}'s maximum of {scope.max_qty}"
            )
        if scope.max_notional and notional > scope.max_notional:
            return RejectReason.MAX_ORDER_NOTIONAL_EXCEEDED, (
                f"notional {_money(notional)} is above {who}'s maximum of "
                f"{_money(scope.max_notional)}"
            )
        if scope.collar_bps or scope.extended_collar_bps:
            problem = self._collar_problem(scope, cmd.side, book, price, ts, who)
            if problem is not None:
                return problem
        recent = scope.recent
        if (
            new_order
            and recent is not None
            and recent.seen((cmd.account, cmd.instrument, cmd.side, price, cmd.qty), ts)
        ):
            return RejectReason.DUPLICATE_ORDER, (
                f"{who} entered the same {cmd.side.value} {cmd.qty} {cmd.instrument} at "
                f"{ticks_to_price(price)} less than {recent.window_ns} ns ago"
            )
        if scope.executions and scope.executions_full(cmd.instrument, ts):
            return RejectReason.EXECUTION_RATE_EXCEEDED, (
                f"{who} had more than {scope.limits.max_executions} executions in "
                f"{cmd.instrument} within {scope.limits.execution_window_ns} ns"
            )
        return None

    def _collar_problem(
        self, scope: Scope, side: Side, book: Book, price: int, ts: int, who: str
    ) -> Problem | None:
        """A limit too far from the reference price: last sale, else prior close, else mid."""
        regular = self.hours.contains(ts)
        bps = scope.collar_bps if regular else scope.extended_collar_bps
        reference = book.reference()
        if not bps or not reference:
            return None  # no collar for this session, or nothing to measure from
        if side is _BUY:
            bound = reference + reference * bps // BPS
            if price <= bound:
                return None
        else:
            bound = reference - reference * bps // BPS
            if price >= bound:
                return None
        session = "regular hours" if regular else "outside regular hours"
        return RejectReason.OUTSIDE_PRICE_COLLAR, (
            f"{ticks_to_price(price)} is more than {bps} bps from {book.instrument.symbol}'s "
            f"reference {ticks_to_price(reference)} ({who}, {session})"
        )

    def _parent_problem(self, account: Account, cmd: NewOrder, qty: int) -> Problem | None:
        parent = self.parents.get((account.account_id, cmd.parent_order_id))
        if parent is None:
            return RejectReason.UNKNOWN_PARENT, (
                f"parent order {cmd.parent_order_id!r} was not declared for {account.account_id!r}"
            )
        if parent.instrument != cmd.instrument or parent.side is not cmd.side:
            return RejectReason.UNKNOWN_PARENT, (
                f"parent order {cmd.parent_order_id!r} is a {parent.side.value} of "
                f"{parent.instrument}, not a {cmd.side.value} of {cmd.instrument}"
            )
        if parent.used + qty > parent.qty:
            return RejectReason.PARENT_QUANTITY_EXCEEDED, (
                f"children of {cmd.parent_order_id!r} would reach {parent.used + qty}; "
                f"the parent is for {parent.qty}"
            )
        return None

    def _credit_problem(self, scope: Scope, added: int) -> Problem | None:
        """Refuse what would take exposure over the credit limit; engage the kill switch if set."""
        credit = scope.credit
        if not credit or scope.exposure + added <= credit:
            return None
        exposure = scope.exposure
        text = (
            f"{scope.kind.value} {scope.target!r}: exposure {_money(exposure)} plus this order's "
            f"{_money(added)} would exceed the credit limit of {_money(credit)}"
        )
        if scope.kill_on_breach:
            self.kill(scope, "credit limit reached: " + text, "")
        return RejectReason.CREDIT_LIMIT_EXCEEDED, text

    def admit(self, order: Order, book: Book, ts: int) -> None:
        """An order passed every check and was funded: count it."""
        entry = order.entry
        scope = self.scope_of(order.account)
        self._add_open(scope, order.qty * order.price * book.unit)
        recent = scope.recent
        if recent is not None:
            recent.record((entry.account, entry.instrument, order.side, order.price, order.qty), ts)
        firm = scope.firm
        if firm is not None and firm.recent is not None:
            firm.recent.record(
                (entry.account, entry.instrument, order.side, order.price, order.qty), ts
            )
        if entry.parent_order_id:
            self.parents[(entry.account, entry.parent_order_id)].used += order.qty

    # ------------------------------------------------------------------ replace and cancel

    def check_replace(
        self, order: Order, price: int, leaves: int, qty: int, book: Book, ts: int
    ) -> Problem | None:
        """The controls a cancel-replace must pass: the same as a new order, on what it adds."""
        scope = self.scope_of(order.account)
        entry = order.entry
        probe = NewOrder(
            entry.participant, entry.account, entry.instrument, order.side, qty, price,
            parent_order_id=entry.parent_order_id,
        )  # fmt: skip
        unit = book.unit
        added = leaves * price * unit - order.leaves * order.price * unit
        firm = scope.firm
        for each in (scope, firm):
            if each is None:
                continue
            problem = self._scope_problem(each, probe, book, price, qty * price * unit, ts, False)
            if problem is not None:
                return problem
        if entry.parent_order_id:
            problem = self._parent_problem(order.account, probe, leaves - order.leaves)
            if problem is not None:
                return problem
        if added > 0:
            return self._credit_problem(scope, added) or (
                self._credit_problem(firm, added) if firm is not None else None
            )
        return None

    def on_replace(self, order: Order, old_price: int, old_leaves: int, unit: int) -> None:
        """``order`` now carries its new price and open quantity."""
        scope = self.accounts[order.account.account_id]
        delta = order.leaves * order.price * unit - old_leaves * old_price * unit
        if delta > 0:
            self._add_open(scope, delta)
        else:
            self._reduce_open(scope, -delta)
        parent_id = order.entry.parent_order_id
        if parent_id:
            self.parents[(order.account.account_id, parent_id)].used += order.leaves - old_leaves

    def count_message(self, account: Account, ts: int) -> None:
        """A cancel counts towards the message rate but is never refused by it."""
        scope = self.scope_of(account)
        for each in (scope, scope.firm):
            if each is not None and each.messages is not None:
                each.messages.record(ts)

    def on_release(self, order: Order) -> None:
        """The order's open quantity leaves the book (cancel, expiry, unfilled IOC, self-trade)."""
        leaves = order.leaves
        if not leaves:
            return
        scope = self.accounts[order.account.account_id]
        self._reduce_open(scope, leaves * self._money_per_unit(order))
        parent_id = order.entry.parent_order_id
        if parent_id:
            self.parents[(order.account.account_id, parent_id)].used -= leaves

    # ------------------------------------------------------------------ executions

    def on_fill(self, order: Order, price: int, qty: int, unit: int, ts: int) -> None:
        """``qty`` of ``order`` filled at ``price``: open notional becomes a position."""
        scope = self.accounts[order.account.account_id]
        self._reduce_open(scope, qty * order.price * unit)
        self._execute(scope, order.instrument, order.side, price, qty, unit, ts)

    def on_reported(
        self,
        account: Account,
        instrument: str,
        side: Side,
        price: int,
        qty: int,
        unit: int,
        ts: int,
    ) -> None:
        """A trade off the book moves the account's position like a fill."""
        self._execute(self.scope_of(account), instrument, side, price, qty, unit, ts)

    def _execute(
        self, scope: Scope, instrument: str, side: Side, price: int, qty: int, unit: int, ts: int
    ) -> None:
        position = scope.positions.get(instrument)
        if position is None:
            position = scope.positions[instrument] = Position()
        before = position.exposure
        position.net += qty if side is _BUY else -qty
        position.mark = price * unit
        delta = position.exposure - before
        scope.executed += delta
        firm = scope.firm
        if firm is not None:
            firm.executed += delta
        scope.record_execution(instrument, ts)
        if firm is not None:
            firm.record_execution(instrument, ts)
        if delta > 0:
            self._after_increase(scope)
            if firm is not None:
                self._after_increase(firm)
        elif delta < 0:
            self._rearm(scope)
            if firm is not None:
                self._rearm(firm)

    # ------------------------------------------------------------------ exposure bookkeeping

    def _money_per_unit(self, order: Order) -> int:
        return order.price * self.books[order.instrument].unit

    def _add_open(self, scope: Scope, notional: int) -> None:
        scope.open_notional += notional
        self._after_increase(scope)
        firm = scope.firm
        if firm is not None:
            firm.open_notional += notional
            self._after_increase(firm)

    def _reduce_open(self, scope: Scope, notional: int) -> None:
        scope.open_notional -= notional
        self._rearm(scope)
        firm = scope.firm
        if firm is not None:
            firm.open_notional -= notional
            self._rearm(firm)

    def _after_increase(self, scope: Scope) -> None:
        """Warn on first crossing the warning level; kill on reaching the limit."""
        credit = scope.credit
        if not credit:
            return
        exposure = scope.exposure
        if not scope.warned and exposure * BPS >= credit * scope.warn_bps:
            scope.warned = True
            self.notices.append(Notice(scope, False, "", exposure))
        if exposure >= credit and scope.kill_on_breach and not scope.killed:
            self.kill(
                scope,
                f"credit limit reached: exposure {_money(exposure)} of {_money(credit)}",
                "",
            )

    def review(self, scope: Scope) -> None:
        """Re-evaluate a scope whose limits changed: warn or kill as an increase would."""
        self._rearm(scope)
        self._after_increase(scope)

    @staticmethod
    def _rearm(scope: Scope) -> None:
        if scope.warned and scope.exposure * BPS < scope.credit * scope.warn_bps:
            scope.warned = False

    # ------------------------------------------------------------------ kill switch, parents, day

    def kill(self, scope: Scope, cause: str, by: str) -> None:
        """Engage the kill switch; the venue cancels the scope's orders when it publishes it."""
        scope.killed = True
        scope.kill_cause = cause
        self.notices.append(Notice(scope, True, cause, scope.exposure, by))

    def take_notices(self) -> list[Notice]:
        notices, self.notices = self.notices, []
        return notices

    def declare_parent(
        self, account: str, parent_id: str, instrument: str, side: Side, qty: int
    ) -> Parent | str:
        """Declare or resize a parent; the reason as text if that is not possible."""
        key = (account, parent_id)
        parent = self.parents.get(key)
        if parent is None:
            parent = self.parents[key] = Parent(instrument, side, qty)
            return parent
        if parent.instrument != instrument or parent.side is not side:
            return f"parent {parent_id!r} is a {parent.side.value} of {parent.instrument}"
        if qty < parent.used:
            return f"parent {parent_id!r} already has {parent.used} in children"
        parent.qty = qty
        return parent

    def end_of_day(self) -> None:
        """Executed positions stop counting and execution windows restart."""
        for scope in (*self.accounts.values(), *self.firms.values()):
            scope.positions.clear()
            scope.executed = 0
            scope.executions.clear()
            self._rearm(scope)
