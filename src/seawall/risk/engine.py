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

The engine keeps exposure from the venue's first command, so a limit set
at any time counts everything before it. A venue configured without
pre-trade risk (``VenueConfig.pre_trade_risk``) skips every hook and
refuses risk commands.
"""

from __future__ import annotations

from typing import NamedTuple

from seawall.core.book import Book, Order
from seawall.core.commands import NewOrder
from seawall.core.config import VenueConfig
from seawall.core.events import RejectReason
from seawall.core.ledger import Account
from seawall.core.types import BPS, RiskScope, SettlementMode, Side
from seawall.core.units import ticks_to_price
from seawall.risk.scope import NO_LIMIT, Position, Scope, Windows
from seawall.risk.session import RegularHours
from seawall.risk.windows import DuplicateKey, SlidingCount

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


def _name(scope: Scope) -> str:
    return f"{scope.kind.value} {scope.target!r}"


class RiskEngine:
    """Per-account and per-firm controls, exposure and kill switches. See the module docstring."""

    def __init__(self, config: VenueConfig, books: dict[str, Book]) -> None:
        self.books = books
        self.deferred = config.settlement is SettlementMode.DEFERRED
        self.max_extended_collar_bps = config.max_extended_collar_bps
        self.hours = RegularHours(config.timezone, config.regular_open, config.regular_close)
        self.active = config.pre_trade_risk
        rulebook = config.rulebook
        # The limits every account starts with: the rulebook's [risk], until an operator's own.
        self.account_defaults = rulebook.risk if rulebook is not None else None
        self.accounts: dict[str, Scope] = {}
        self.firms: dict[str, Scope] = {}
        self.parents: dict[tuple[str, str], Parent] = {}
        self.notices: list[Notice] = []
        self.entered: DuplicateKey = ("", _BUY, 0, 0)  # the last order check_order passed
        self.failing: set[str] = set()  # accounts with an unsettled deferred shortfall

    # ------------------------------------------------------------------ scopes

    def firm_scope(self, firm: str) -> Scope:
        scope = self.firms.get(firm)
        if scope is None:
            scope = self.firms[firm] = Scope(_FIRM, firm, self.max_extended_collar_bps)
        return scope

    def scope_of(self, account: Account) -> Scope:
        """The account's scope, created (and linked to its firm's) on first use."""
        scope = self.accounts.get(account.account_id)
        if scope is None:
            firm = self.firm_scope(account.firm) if account.firm else None
            scope = self.accounts[account.account_id] = Scope(
                _ACCOUNT, account.account_id, self.max_extended_collar_bps, firm
            )
            if self.account_defaults is not None:
                scope.apply(self.account_defaults)
        return scope

    # ------------------------------------------------------------------ order entry

    def check_order(
        self, cmd: NewOrder, account: Account, book: Book, price: int, ts: int
    ) -> Problem | None:
        """Why this order may not enter, or None. Throttle windows count the attempt.

        The common case (nothing binds) runs straight through on comparisons
        against precomputed thresholds, the account's and its firm's in one
        pass; each refusal is explained by a slower helper that names the
        scope and the limit.
        """
        scope = self.accounts.get(account.account_id) or self.scope_of(account)
        for window in scope.entry_windows:  # message, order rates: account, firm
            if ts - window[0] < window.window_ns:
                return self._rate_problem(scope, scope.entry_windows, window, ts)
            window.append(ts)  # every attempt counts in every window, refused or not
        if scope.blocked or (self.failing and account.account_id in self.failing):
            return self._blocked_problem(scope, account)
        qty = cmd.qty
        notional = qty * price * book.unit
        if qty > scope.max_qty or notional > scope.max_notional:
            return self._size_problem(scope, qty, notional)
        symbol = cmd.instrument
        if scope.restricted_instruments or scope.execution_limited:
            problem = self._instrument_problem(scope, symbol, ts)
            if problem is not None:
                return problem
        if (scope.collar_bps or scope.extended_collar_bps) and not cmd.stop_price:
            # A stop is collared when it is elected (election_problem), not against today's
            # price: a protective stop is meant to sit far from it.
            problem = self._collar_problem(scope, cmd.side, book, price, ts)
            if problem is not None:
                return problem
        recent = scope.recent
        if recent is not None:
            key = self.entered = (symbol, cmd.side, price, qty)  # admit records it
            stamp = recent.last_seen.get(key)
            if stamp is not None and ts - stamp < recent.window_ns:
                return RejectReason.DUPLICATE_ORDER, (
                    f"{_name(scope)} entered the same {cmd.side.value} {qty} {symbol} at "
                    f"{ticks_to_price(price)} less than {recent.window_ns} ns ago"
                )
        if cmd.parent_order_id:
            problem = self._parent_problem(
                account.account_id, cmd.parent_order_id, symbol, cmd.side, qty
            )
            if problem is not None:
                return problem
        return self._credit_gate(scope, account, notional)

    def _credit_gate(self, scope: Scope, account: Account, added: int) -> Problem | None:
        """Credit for ``added`` more exposure: a limit must exist under deferred settlement,
        and neither the account's nor its firm's may be exceeded."""
        firm = scope.firm
        if (
            self.deferred
            and scope.credit_cap == NO_LIMIT
            and (firm is None or firm.credit_cap == NO_LIMIT)
        ):
            return RejectReason.NO_CREDIT_LIMIT, (
                f"deferred settlement extends credit only under a limit; {account.account_id!r} "
                "has none"
            )
        if added <= 0:
            return None  # what lowers exposure is never refused for credit
        if scope.exposure + added > scope.credit_cap:
            return self._credit_problem(scope, added)
        if firm is not None and firm.exposure + added > firm.credit_cap:
            return self._credit_problem(firm, added)
        return None

    def _blocked_problem(self, scope: Scope, account: Account) -> Problem:
        firm = scope.firm
        if account.account_id in self.failing:
            return RejectReason.SETTLEMENT_FAIL, (
                f"{account.account_id!r} failed to settle; it may trade again once cured"
            )
        for each in (scope, firm):
            if each is not None and each.killed:
                return RejectReason.KILL_SWITCH_ENGAGED, (
                    f"{_name(each)}: kill switch engaged ({each.kill_cause})"
                )
        restricted = firm if firm is not None and not scope.limits.restricted else scope
        return RejectReason.RESTRICTED, f"{_name(restricted)} is restricted from entering orders"

    @staticmethod
    def _rate_problem(scope: Scope, windows: Windows, full: SlidingCount, ts: int) -> Problem:
        """Refuse for the first full window, ``full``, after recording the attempt in it and in
        every window after it (those before it have recorded it already)."""
        recording = False
        for window in windows:
            recording = recording or window is full
            if recording:
                window.append(ts)
        for each in scope.chain:
            if full is each.messages:
                return RejectReason.MESSAGE_RATE_EXCEEDED, (
                    f"{_name(each)} sent more than {full.limit} messages in {full.window_ns} ns"
                )
            if full is each.orders:
                return RejectReason.ORDER_RATE_EXCEEDED, (
                    f"{_name(each)} entered more than {full.limit} orders in {full.window_ns} ns"
                )
        raise AssertionError("a throttle window belongs to no scope of the account")

    @staticmethod
    def _size_problem(scope: Scope, qty: int, notional: int) -> Problem:
        for each in (scope, scope.firm):
            if each is None:
                continue
            limits = each.limits
            if limits.max_order_qty and qty > limits.max_order_qty:
                return RejectReason.MAX_ORDER_QTY_EXCEEDED, (
                    f"quantity {qty} is above {_name(each)}'s maximum of {limits.max_order_qty}"
                )
            if limits.max_order_notional and notional > limits.max_order_notional:
                return RejectReason.MAX_ORDER_NOTIONAL_EXCEEDED, (
                    f"notional {_money(notional)} is above {_name(each)}'s maximum of "
                    f"{_money(limits.max_order_notional)}"
                )
        raise AssertionError("effective size limits out of step with the scopes' own")

    def _instrument_problem(self, scope: Scope, symbol: str, ts: int) -> Problem | None:
        """The restricted list and the execution throttle: the controls kept per instrument."""
        if symbol in scope.restricted_instruments:
            firm = scope.firm
            own = symbol in scope.limits.restricted_instruments
            holder = scope if own or firm is None else firm
            return RejectReason.RESTRICTED_INSTRUMENT, f"{symbol} is restricted for {_name(holder)}"
        if scope.execution_limited:
            for window in scope.fill_windows.get(symbol) or self._fill_windows(scope, symbol):
                if ts - window[0] < window.window_ns:  # account's, then firm's
                    return self._execution_problem(scope, symbol, window)
        return None

    @staticmethod
    def _execution_problem(scope: Scope, symbol: str, full: SlidingCount) -> Problem:
        """Refuse for ``full``, the first full execution window, naming its scope."""
        owner = next(each for each in scope.chain if each.executions.get(symbol) is full)
        return RejectReason.EXECUTION_RATE_EXCEEDED, (
            f"{_name(owner)} had more than {full.limit} executions in {symbol} "
            f"within {full.window_ns} ns"
        )

    @staticmethod
    def _fill_windows(scope: Scope, symbol: str) -> Windows:
        """The execution windows of an account and its firm in ``symbol``, account's first.

        Opened on the first order or fill in the instrument, rather than on
        the first fill only, so that the account can keep them together from
        its first check on (one lookup per order for both).
        """
        for each in scope.chain:
            limits = each.limits
            if limits.max_executions and symbol not in each.executions:
                each.executions[symbol] = SlidingCount(
                    limits.max_executions, limits.execution_window_ns
                )
        windows = scope.fill_windows[symbol] = tuple(
            each.executions[symbol] for each in scope.chain if each.limits.max_executions
        )
        return windows

    def _collar_problem(
        self, scope: Scope, side: Side, book: Book, price: int, ts: int
    ) -> Problem | None:
        """A limit too far from the reference: the last sale, else the prior close, else the mid."""
        # Computed here rather than through a shared helper: this runs on every order, and
        # market_limit (market orders only) repeats these four lines to spare it a call.
        regular = self.hours.contains(ts)
        bps = scope.collar_bps if regular else scope.extended_collar_bps
        reference = book.reference()
        if not bps or not reference:
            return None  # no collar in this session, or nothing to measure from
        band = reference * bps // BPS
        if price <= reference + band if side is _BUY else price >= reference - band:
            return None
        session = "regular hours" if regular else "outside regular hours"
        return RejectReason.OUTSIDE_PRICE_COLLAR, (
            f"{ticks_to_price(price)} is more than {bps} bps from {book.instrument.symbol}'s "
            f"reference {ticks_to_price(reference)} ({_name(scope)}, {session})"
        )

    def market_limit(self, account: Account, side: Side, book: Book, price: int, ts: int) -> int:
        """A market order's limit: the venue's collar ``price``, or its owner's tighter one.

        A market order is a request for any price within protection, so an
        account collar narrower than the venue's narrows the order instead of
        refusing it. The bound is rounded inward to the tick.
        """
        scope = self.accounts.get(account.account_id)
        if scope is None:
            return price
        bps = scope.collar_bps if self.hours.contains(ts) else scope.extended_collar_bps
        reference = book.reference()
        if not bps or not reference:
            return price
        band = reference * bps // BPS
        tick = book.tick
        if side is _BUY:
            bound = reference + band
            return min(price, bound - bound % tick)
        bound = reference - band
        return max(price, bound + -bound % tick)

    def election_problem(self, order: Order, book: Book, ts: int) -> Problem | None:
        """An elected stop's limit outside its owner's collar, against the reference now."""
        scope = self.accounts[order.account.account_id]
        if not (scope.collar_bps or scope.extended_collar_bps):
            return None
        return self._collar_problem(scope, order.side, book, order.price, ts)

    def _parent_problem(
        self, account_id: str, parent_id: str, instrument: str, side: Side, qty: int
    ) -> Problem | None:
        """A child adding ``qty`` to parent ``parent_id`` of the account, or why it may not."""
        parent = self.parents.get((account_id, parent_id))
        if parent is None:
            return RejectReason.UNKNOWN_PARENT, (
                f"parent order {parent_id!r} was not declared for {account_id!r}"
            )
        if parent.instrument != instrument or parent.side is not side:
            return RejectReason.UNKNOWN_PARENT, (
                f"parent order {parent_id!r} is a {parent.side.value} of "
                f"{parent.instrument}, not a {side.value} of {instrument}"
            )
        if parent.used + qty > parent.qty:
            return RejectReason.PARENT_QUANTITY_EXCEEDED, (
                f"children of {parent_id!r} would reach {parent.used + qty}; "
                f"the parent is for {parent.qty}"
            )
        return None

    def _credit_problem(self, scope: Scope, added: int) -> Problem:
        """Refuse what would take exposure over the credit limit; engage the kill switch if set."""
        text = (
            f"{_name(scope)}: exposure {_money(scope.exposure)} plus this order's "
            f"{_money(added)} would exceed the credit limit of {_money(scope.credit)}"
        )
        if scope.limits.kill_on_breach and not scope.killed:
            self.kill(scope, "credit limit reached: " + text, "")
        return RejectReason.CREDIT_LIMIT_EXCEEDED, text

    def admit(self, order: Order, book: Book, ts: int) -> None:
        """An order passed every check and was funded: count it.

        The venue admits an order right after the :meth:`check_order` that
        passed it, so the duplicate key that check built is this order's.
        """
        scope = self.accounts[order.account.account_id]
        self._expose(scope, order.qty * order.price * book.unit)
        recent = scope.recent
        if recent is not None:
            recent.record(self.entered, ts)
        entry = order.entry
        if entry.parent_order_id:
            self.parents[(entry.account, entry.parent_order_id)].used += order.qty

    # ------------------------------------------------------------------ replace and cancel

    def check_replace(
        self, order: Order, price: int, leaves: int, qty: int, book: Book, ts: int
    ) -> Problem | None:
        """A cancel-replace passes the controls a new order does, except the order rate and
        duplicate checks (it is a message, not a new order), on what it adds."""
        scope = self.scope_of(order.account)
        for window in scope.message_windows:
            if ts - window[0] < window.window_ns:
                return self._rate_problem(scope, scope.message_windows, window, ts)
            window.append(ts)
        if scope.blocked or (self.failing and order.account.account_id in self.failing):
            return self._blocked_problem(scope, order.account)
        unit = book.unit
        if qty > scope.max_qty or qty * price * unit > scope.max_notional:
            return self._size_problem(scope, qty, qty * price * unit)
        problem = self._instrument_problem(scope, order.instrument, ts)
        if problem is not None:
            return problem
        if scope.collar_bps or scope.extended_collar_bps:
            problem = self._collar_problem(scope, order.side, book, price, ts)
            if problem is not None:
                return problem
        parent_id = order.entry.parent_order_id
        if parent_id:
            problem = self._parent_problem(
                order.account.account_id, parent_id, order.instrument, order.side,
                leaves - order.leaves,
            )  # fmt: skip
            if problem is not None:
                return problem
        added = leaves * price * unit - order.leaves * order.price * unit
        return self._credit_gate(scope, order.account, added)

    def on_replace(self, order: Order, old_price: int, old_leaves: int, unit: int) -> None:
        """``order`` now carries its new price and open quantity."""
        scope = self.accounts[order.account.account_id]
        self._expose(scope, order.leaves * order.price * unit - old_leaves * old_price * unit)
        parent_id = order.entry.parent_order_id
        if parent_id:
            self.parents[(order.account.account_id, parent_id)].used += order.leaves - old_leaves

    def count_message(self, account: Account, ts: int) -> None:
        """A cancel counts towards the message rate but is never refused by it."""
        for window in self.scope_of(account).message_windows:
            window.append(ts)

    def on_release(self, order: Order) -> None:
        """The order's open quantity leaves the book (cancel, expiry, unfilled IOC, self-trade)."""
        leaves = order.leaves
        if not leaves:
            return
        scope = self.accounts[order.account.account_id]
        self._expose(scope, -leaves * order.price * self.books[order.instrument].unit)
        parent_id = order.entry.parent_order_id
        if parent_id:
            self.parents[(order.account.account_id, parent_id)].used -= leaves

    # ------------------------------------------------------------------ executions

    def on_fills(self, one: Order, other: Order, price: int, qty: int, unit: int, ts: int) -> None:
        """Both orders of one fill: ``qty`` at ``price`` moves from open notional to positions."""
        accounts = self.accounts
        for order in (one, other):
            self._execute(
                accounts[order.account.account_id], order.instrument, order.side, price, qty,
                unit, ts, qty * order.price * unit,
            )  # fmt: skip

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
        self._execute(self.scope_of(account), instrument, side, price, qty, unit, ts, 0)

    def _execute(
        self,
        scope: Scope,
        instrument: str,
        side: Side,
        price: int,
        qty: int,
        unit: int,
        ts: int,
        filled_open: int,
    ) -> None:
        """Mark the position to this fill and move ``filled_open`` out of the open notional."""
        position = scope.positions.get(instrument)
        if position is None:
            position = scope.positions[instrument] = Position()
        net = position.net
        before = (net if net >= 0 else -net) * position.mark
        net = position.net = net + qty if side is _BUY else net - qty
        mark = position.mark = price * unit
        executed = (net if net >= 0 else -net) * mark - before
        self._change(scope, -filled_open, executed)
        if scope.execution_limited:
            for window in scope.fill_windows.get(instrument) or self._fill_windows(
                scope, instrument
            ):
                window.append(ts)

    # ------------------------------------------------------------------ exposure bookkeeping

    def _change(self, scope: Scope, open_delta: int, executed_delta: int) -> None:
        """Apply exposure deltas to an account and its firm; warn, kill or re-arm as due."""
        for each in scope.chain:
            each.executed += executed_delta
        self._expose(scope, open_delta + executed_delta)

    def _expose(self, scope: Scope, change: int) -> None:
        """Move the exposure of an account and its firm by ``change``; warn, kill or re-arm
        as due. Nothing is due while exposure stays between the re-arm level and the next
        alert, so the common case costs one chained comparison per scope."""
        for each in scope.chain:
            exposure = each.exposure = each.exposure + change
            if not each.rearm_below <= exposure < each.alert_at:
                if change > 0 and exposure >= each.alert_at:
                    self._alert(each)
                elif exposure < each.rearm_below:
                    each.warned = False
                    each.refresh_alerts()

    def _alert(self, scope: Scope) -> None:
        """Warn on first reaching the warning level; kill on reaching the limit."""
        exposure = scope.exposure
        if not scope.warned and exposure >= scope.warn_at:
            scope.warned = True
            self.notices.append(Notice(scope, False, "", exposure))
        if exposure >= scope.credit and scope.limits.kill_on_breach and not scope.killed:
            self.kill(
                scope,
                f"credit limit reached: exposure {_money(exposure)} of {_money(scope.credit)}",
                "",
            )
        scope.refresh_alerts()

    def review(self, scope: Scope) -> None:
        """Re-evaluate a scope whose limits changed: warn or kill as an increase would."""
        if scope.exposure >= scope.alert_at:
            self._alert(scope)

    # ------------------------------------------------------------------ kill switch, parents, day

    def kill(self, scope: Scope, cause: str, by: str) -> None:
        """Engage the kill switch; the venue cancels the scope's orders when it publishes it."""
        scope.set_killed(True, cause)
        self.notices.append(Notice(scope, True, cause, scope.exposure, by))

    def take_notices(self) -> list[Notice]:
        """Hand over the notices raised so far; the list itself is kept (the venue watches it)."""
        notices = self.notices[:]
        self.notices.clear()
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
        for scope in self.accounts.values():
            scope.positions.clear()
            self._change(scope, 0, -scope.executed)
            scope.restart_executions()
        for firm in self.firms.values():
            firm.restart_executions()
