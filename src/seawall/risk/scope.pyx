# cython: language_level=3, annotation_typing=False
"""The risk state of one account or one firm: its limits, exposure, windows and kill switch.

Exposure is gross: every open order at full notional (open quantity × limit
× multiplier, buys and sells alike) plus, for each instrument, the absolute
executed position marked at its latest fill. Both parts change only by
deltas that the venue reports as they happen, so reading a scope's
utilisation is O(1).

Checking must be cheap as well, because it runs on every order. So each
scope keeps its thresholds in the form the hot path compares directly
(``NO_LIMIT`` instead of zero, the next exposure at which a warning or a
kill is due), and an account's scope also holds its *effective* static
limits: its own combined with its firm's (the smaller size limits and
collar, the longer duplicate window, the union of restricted instruments,
either kill switch) and the throttle windows of both, so that one pass over
the account's scope checks the firm's limits too. They are recombined
whenever either side changes, which is an operator's action, never an
order's.
"""

from seawall.core.commands import RiskLimits
from seawall.core.types import BPS, RiskScope
from seawall.risk.windows import DuplicateKey

from seawall.risk.windows cimport (
    Ring,
    SlidingCount,
    recent_close,
    recent_entries,
    recent_open,
    record_all,
    record_key,
    ring_close,
    ring_open,
    ring_times,
)

NO_LIMIT = 2**126
"""Above any quantity, notional or exposure the venue can hold, inside the scopes' 128-bit
figures: one order's notional is at most 10^30 (MAX_QTY × MAX_PRICE × MAX_MULTIPLIER)."""

Windows = tuple[SlidingCount, ...]
"""The throttle windows one event counts in, the account's before its firm's."""


cdef class Position:
    """An account's executed position in one instrument since the risk day began."""

    def __init__(self, net: int = 0, mark: int = 0) -> None:
        self.net = net
        self.mark = mark


cdef int _reopen(Ring *ring, Py_ssize_t limit, long long window_ns) except -1:
    """Make ``ring`` the throttle for these parameters, keeping its history if unchanged."""
    if limit == ring.limit and (not limit or window_ns == ring.window_ns):
        return 0
    ring_close(ring)
    ring_open(ring, limit, window_ns)
    return 0


def _smallest(*limits: int) -> int:
    """The tightest of several limits where 0 means none."""
    return min((limit for limit in limits if limit), default=0)


cdef class Scope:
    """Limits and live figures of an account or a firm (see the module docstring)."""

    def __init__(
        self, kind: RiskScope, target: str, extended_ceiling_bps: int, firm: Scope | None = None
    ) -> None:
        self.kind = kind
        self.extended_ceiling_bps = extended_ceiling_bps
        self.target = target
        self.firm = firm
        self.members = []  # a firm's account scopes
        if firm is not None:
            firm.members.append(self)
        self.executed = 0
        self.exposure = 0  # open notional plus executed: the figure every check compares
        self.positions = {}
        self.killed = False
        self.kill_cause = ""
        self.warned = False
        self.executions = {}
        # An account's execution windows and its firm's, per instrument.
        self.fill_windows = {}
        self.chain = (self,) if firm is None else (self, firm)
        self.limits = RiskLimits()
        self.apply(self.limits)

    def __dealloc__(self):
        ring_close(&self.messages)
        ring_close(&self.orders)
        recent_close(&self.recent)

    def apply(self, limits: RiskLimits) -> None:
        """Adopt new limits; exposure and the kill switch are kept.

        A throttle whose count and window are unchanged keeps its history, and
        a warning already given stands while the credit limit and warning
        level are unchanged: re-sending the same limits changes nothing.
        """
        old = self.limits
        self.limits = limits
        self.credit = limits.credit_limit
        self.credit_cap = limits.credit_limit or NO_LIMIT
        self.warn_at = -(-limits.credit_limit * limits.warn_bps // BPS)
        _reopen(&self.messages, limits.max_messages, limits.message_window_ns)
        _reopen(&self.orders, limits.max_orders, limits.order_window_ns)
        if (old.max_executions, old.execution_window_ns) != (
            limits.max_executions, limits.execution_window_ns,
        ):  # fmt: skip
            self.executions.clear()  # the accounts' views of them go in _recombine
        if (old.credit_limit, old.warn_bps) != (
            limits.credit_limit,
            limits.warn_bps,
        ):
            self.warned = False  # the venue reviews the scope next, warning if already due
        self.refresh_alerts()
        self._recombine()

    def _recombine(self) -> None:
        """A change of this scope's limits or switch reaches every account it governs."""
        for scope in self.members or [self]:
            scope.combine()

    def combine(self) -> None:
        """Recompute the effective static limits of an account scope (own and firm's)."""
        own = self.limits
        firm = self.firm
        theirs = firm.limits if firm is not None else RiskLimits()
        self.blocked = (
            self.killed
            or own.restricted
            or (firm is not None and (firm.killed or theirs.restricted))
        )
        self.max_qty = _smallest(own.max_order_qty, theirs.max_order_qty) or NO_LIMIT
        self.max_notional = _smallest(own.max_order_notional, theirs.max_order_notional) or NO_LIMIT
        self.collar_bps = _smallest(own.collar_bps, theirs.collar_bps)
        self.extended_collar_bps = _smallest(
            self._extended_collar(own), self._extended_collar(theirs)
        )
        self.restricted_instruments = frozenset(
            own.restricted_instruments + theirs.restricted_instruments
        )
        self._link_rings()
        self.execution_limited = any(s.limits.max_executions for s in self.chain)
        self.fill_windows.clear()  # the windows they refer to may have been replaced
        self.forget_traded()  # and the restricted list may have grown
        window = max(own.duplicate_window_ns, theirs.duplicate_window_ns)
        if window != self.recent.window_ns:
            # The keys inside the old window stay (what an export lists, so a restored copy
            # holds the same): a firm lengthening its window must not wipe an account's own.
            kept = recent_entries(&self.recent)
            recent_close(&self.recent)
            recent_open(&self.recent, window)
            if window:
                for ts, key in kept:
                    record_key(&self.recent, key, ts)

    cdef void _link_rings(self):
        """Point the entry and message rings at this scope's and its firm's throttles."""
        cdef Scope each
        self.entry_count = 0
        for each in self.chain:
            if each.messages.limit:
                self.entry_rings[self.entry_count] = &each.messages
                self.entry_count += 1
        self.message_count = self.entry_count  # what a cancel or a replace counts in
        for each in self.chain:
            if each.orders.limit:
                self.entry_rings[self.entry_count] = &each.orders
                self.entry_count += 1

    @property
    def message_times(self) -> list[int]:
        """The stamps in this scope's own message throttle, oldest first."""
        return ring_times(&self.messages)

    @property
    def order_times(self) -> list[int]:
        """The stamps in this scope's own order throttle, oldest first."""
        return ring_times(&self.orders)

    def record_throttles(self, messages: list[int], orders: list[int]) -> None:
        """Count these stamps in the scope's own throttles (a restore); none without one."""
        record_all(&self.messages, messages)
        record_all(&self.orders, orders)

    @property
    def duplicate_window_ns(self) -> int:
        """The duplicate window in force for the scope's orders (0: none)."""
        return self.recent.window_ns

    def recent_entries(self) -> list[tuple[int, DuplicateKey]]:
        """The duplicate keys inside the window, with their stamps, oldest first."""
        return recent_entries(&self.recent)

    def record_recent(self, key: DuplicateKey, long long ts) -> None:
        """Record a duplicate key at ``ts`` (a restore); nothing without a window."""
        if self.recent.window_ns:
            record_key(&self.recent, key, ts)

    @property
    def open_notional(self) -> int:
        """Open orders at full notional: the part of the exposure that is not executed."""
        return self.exposure - self.executed

    def restart_executions(self) -> None:
        """Forget every execution window (a new risk day), and every account's view of them."""
        self.executions.clear()
        for scope in self.members or [self]:
            scope.fill_windows.clear()
            scope.forget_traded()

    cpdef void forget_traded(self):
        """Drop what was kept of the last instrument traded: what it was found from changed."""
        self.traded = None
        self.traded_windows = None
        self.traded_count = 0
        self.traded_position = None

    cdef void keep_traded(self, str symbol, tuple windows):
        """Make ``symbol``, with its execution ``windows`` (at most the account's and its
        firm's), the instrument of the moment."""
        cdef SlidingCount window
        self.traded = symbol
        self.traded_windows = windows
        self.traded_count = 0
        for window in windows:
            self.traded_rings[self.traded_count] = &window.ring
            self.traded_count += 1
        self.traded_position = self.positions.get(symbol)

    def _extended_collar(self, limits: RiskLimits) -> int:
        """A scope's collar outside regular hours: its own, else its regular one, capped.

        A regular-hours collar alone never leaves the pre-market open (the
        2013 failure).
        """
        if limits.extended_collar_bps:
            return limits.extended_collar_bps
        return min(limits.collar_bps, self.extended_ceiling_bps)

    cpdef void refresh_alerts(self):
        """Set the exposure at which the next warning or kill is due, and the re-arm level."""
        if not self.credit:
            self.alert_at = NO_LIMIT
        elif not self.warned:
            self.alert_at = self.warn_at
        elif self.limits.kill_on_breach and not self.killed:
            self.alert_at = self.credit
        else:
            self.alert_at = NO_LIMIT
        self.rearm_below = self.warn_at if self.warned else -NO_LIMIT

    def set_killed(self, killed: bool, cause: str) -> None:
        self.killed = killed
        self.kill_cause = cause
        self.refresh_alerts()
        self._recombine()

    def utilisation_bps(self, exposure: int) -> int:
        """``exposure`` as basis points of the credit limit (0 when there is none)."""
        return exposure * BPS // self.credit if self.credit else 0
