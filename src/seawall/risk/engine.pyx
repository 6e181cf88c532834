# cython: language_level=3, annotation_typing=False, boundscheck=False, wraparound=False, binding=False
"""The pre-trade risk engine: every control of SEC Rule 15c3-5, checked on every order.

The venue asks :meth:`RiskEngine.admit_order` once it has found an order's
funding and before it reserves it, and the order is counted in as it
passes (an order whose funding is not there is asked about with
:meth:`RiskEngine.check_order`, which counts nothing but the attempt). The
venue reports every other change of exposure as it happens: a fill, a
release (cancel, expiry, the unfilled rest of an IOC), a replace, a
reported trade. Checks compare against figures kept up to date
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

The module is compiled (Cython, ADR 0010) because it runs on every order:
figures are C integers on the scopes, windows are C rings, fields of
orders, commands and books are read at their slots' offsets, and the state
an order will read is requested from memory before it is read. Refusals,
notices and operator actions run as ordinary Python code in the same file.
"""

from seawall.core.book import Book, Order
from seawall.core.commands import NewOrder
from seawall.core.config import VenueConfig
from seawall.core.events import RejectReason
from seawall.core.ledger import Account
from seawall.core.types import BPS, RiskScope, SettlementMode, Side
from seawall.core.units import ticks_to_price
from seawall.risk.records import Notice, Parent
from seawall.risk.scope import NO_LIMIT, Windows
from seawall.risk.session import RegularHours

cimport cython
from cpython.object cimport PyObject

from seawall.risk.scope cimport Position, Scope, int128
from seawall.risk.nanos cimport nanos
from seawall.risk.slots cimport field, offset_of
from seawall.risk.windows cimport (
    Ring,
    SlidingCount,
    find_key,
    has_live_keys,
    is_full,
    key_hash,
    note_alone,
    note_at,
    prefetch,
    prefetch_key,
    prefetch_slot,
    record,
    seen_at,
)

Problem = tuple[RejectReason, str]

cdef object _BUY = Side.BUY
cdef int128 _NO_LIMIT = NO_LIMIT  # compared without a Python integer
cdef long long _BPS = BPS

# Where the fields the hooks read on every order live (see seawall.risk.slots).
cdef object _NEW_ORDER = NewOrder
cdef object _ORDER = Order
cdef object _BOOK = Book
cdef object _ACCOUNT_TYPE = Account
cdef Py_ssize_t _CMD_QTY = offset_of(NewOrder, "qty")
cdef Py_ssize_t _CMD_INSTRUMENT = offset_of(NewOrder, "instrument")
cdef Py_ssize_t _CMD_SIDE = offset_of(NewOrder, "side")
cdef Py_ssize_t _CMD_STOP_PRICE = offset_of(NewOrder, "stop_price")
cdef Py_ssize_t _CMD_PARENT = offset_of(NewOrder, "parent_order_id")
cdef Py_ssize_t _BOOK_UNIT = offset_of(Book, "unit")
cdef Py_ssize_t _BOOK_LAST_PRICE = offset_of(Book, "last_price")
cdef Py_ssize_t _ACCOUNT_RISK = offset_of(Account, "risk")
cdef Py_ssize_t _ORDER_ACCOUNT = offset_of(Order, "account")
cdef Py_ssize_t _ORDER_INSTRUMENT = offset_of(Order, "instrument")
cdef Py_ssize_t _ORDER_SIDE = offset_of(Order, "side")
cdef Py_ssize_t _ORDER_PRICE = offset_of(Order, "price")
cdef Py_ssize_t _ORDER_LEAVES = offset_of(Order, "leaves")
cdef Py_ssize_t _ORDER_ENTRY = offset_of(Order, "entry")


cdef inline void _prefetch_lines(Scope scope, const char *end) noexcept:
    """Start loading the lines of ``scope`` after its first, up to the one holding the byte
    before ``end``: what an order (up to its own throttles) or a fill (up to ``executed``)
    reads of it, in the order the fields are declared (see scope.pxd)."""
    cdef size_t line = (<size_t><PyObject *>scope | 63) + 1
    while line < <size_t>end:
        prefetch(<void *>line)
        line += 64


cdef inline void _prefetch_scope(Scope scope) noexcept:
    """Start loading what an order reads of its account's scope."""
    _prefetch_lines(scope, <char *>&scope.orders + sizeof(Ring))


cdef void _prefetch_order(Scope scope, Py_hash_t key, bint searched) noexcept:
    """Start loading what checking an order of ``scope`` reads next, beyond the scope.

    With many accounts, an order finds most of its account's state out of
    cache. Its scope's lines were requested first (:meth:`RiskEngine.warm`,
    :func:`_prefetch_scope`); they hold the account's own rings and
    duplicate table, so what comes next is the execution windows of the
    instrument of the moment, the ring slots the order will be recorded in
    and, if the duplicate table is ``searched``, the slot for its key (``key``;
    a key recorded alone touches no slot). Read in turn, each would wait
    for memory; requested together, they arrive together. The execution
    windows' own slots are left to a fill (:func:`_prefetch_fill`): an
    order does not read them, and finding them would wait for the windows.
    """
    cdef Py_ssize_t at
    for at in range(scope.traded_count):
        prefetch(scope.traded_rings[at])
    for at in range(scope.entry_count):
        prefetch_slot(scope.entry_rings[at])
    if searched:
        prefetch_key(&scope.recent, key)


cdef void _prefetch_fill(Scope scope) noexcept:
    """Start loading what a fill of ``scope`` in its instrument of the moment reads."""
    cdef Py_ssize_t at
    _prefetch_lines(scope, <char *>&scope.executed + sizeof(int128))
    prefetch(<PyObject *>scope.traded_position)
    for at in range(scope.traded_count):
        prefetch(scope.traded_rings[at])
    for at in range(scope.traded_count):
        prefetch_slot(scope.traded_rings[at])


cdef inline Py_ssize_t _first_full(Ring **rings, Py_ssize_t count, long long ts) noexcept:
    """Count an attempt at ``ts`` in each of ``rings`` in turn, up to the first that is full:
    its index (the attempt not yet counted in it or after it, see ``_rate_problem``), or -1
    once every ring has counted it."""
    cdef Py_ssize_t at
    for at in range(count):
        if is_full(rings[at], ts):
            return at
        record(rings[at], ts)
    return -1


cdef inline bint _kept(Scope scope, str symbol) noexcept:
    """Whether ``symbol`` is the account's instrument of the moment (see ``Scope.traded``)."""
    return symbol is scope.traded or symbol == scope.traded


cdef inline int _expect(object obj, object cls) except -1:
    """Fields are read at their offsets only from objects of the type they were found in."""
    if type(obj) is not cls:
        raise TypeError(f"expected a {cls.__name__}, got {type(obj).__name__}")
    return 0


_ACCOUNT = RiskScope.ACCOUNT
_FIRM = RiskScope.FIRM


def _money(amount: int) -> str:
    return f"{ticks_to_price(amount):,}"


def _name(scope: Scope) -> str:
    return f"{scope.kind.value} {scope.target!r}"


@cython.final  # its C methods are called directly, not through the type's table
cdef class RiskEngine:
    """Per-account and per-firm controls, exposure and kill switches. See the module docstring."""

    cdef public dict books
    cdef public bint deferred
    cdef public long long max_extended_collar_bps
    cdef public object hours
    cdef readonly bint active  # fixed with the configuration
    cdef public object account_defaults
    cdef public dict accounts
    cdef public dict firms
    cdef public dict parents
    cdef public list notices
    cdef public set failing
    # Regular hours or not, and the interval of time that answer holds for.
    cdef bint regular
    cdef long long regular_since
    cdef long long regular_until

    def __init__(self, config: VenueConfig, books: dict[str, Book]) -> None:
        self.books = books
        self.deferred = config.settlement is SettlementMode.DEFERRED
        self.max_extended_collar_bps = config.max_extended_collar_bps
        self.hours = RegularHours(config.timezone, config.regular_open, config.regular_close)
        self.active = config.pre_trade_risk
        rulebook = config.rulebook
        # The limits every account starts with: the rulebook's [risk], until an operator's own.
        self.account_defaults = rulebook.risk if rulebook is not None else None
        self.accounts = {}
        self.firms = {}
        self.parents = {}  # (account, parent order id) -> Parent
        self.notices = []
        self.failing = set()  # accounts with an unsettled deferred shortfall

    cdef bint regular_at(self, long long ts) except -1:
        """Whether ``ts`` is inside regular hours; asks ``hours`` only when the day moves on."""
        if not self.regular_since <= ts < self.regular_until:
            self.regular = self.hours.contains(ts)
            self.regular_since = self.hours.since
            self.regular_until = self.hours.until
        return self.regular

    cdef Scope account_scope(self, object account):
        """The scope of an account object, created on first use."""
        scope = field(account, _ACCOUNT_RISK)
        if scope is None:
            return self.scope_of(account)
        return <Scope>scope

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
        account.risk = scope
        return scope

    # ------------------------------------------------------------------ order entry

    def warm(self, account: Account, /) -> None:
        """Start loading what an order of ``account`` reads of its scope, without waiting.

        The venue calls this as soon as it knows an order's account, before
        its own checks and the funding lookup, so that the account's scope,
        most likely out of cache with many accounts, arrives while the venue
        works rather than when :meth:`admit_order` reads it. An account with
        no scope yet has nothing to load.
        """
        _expect(account, _ACCOUNT_TYPE)
        scope = field(account, _ACCOUNT_RISK)
        if scope is not None:
            prefetch(<PyObject *>scope)
            _prefetch_scope(<Scope>scope)

    def admit_order(
        self, cmd: NewOrder, account: Account, book: Book, long long price, now, /
    ) -> Problem | None:
        """Why this funded order may not enter, or None once it is counted in.

        The venue has found the order's funding when it asks, so an order
        that passes is entered: its exposure, its duplicate key and its
        parent's quantity are counted in the same call.
        """
        return self._entry(cmd, account, book, price, nanos(now), True)

    def check_order(
        self, cmd: NewOrder, account: Account, book: Book, long long price, now, /
    ) -> Problem | None:
        """Why this order may not enter, or None; nothing but the throttles counts it.

        For an order that will be refused anyway (its funding is not there):
        the controls answer first, and the attempt counts in the throttles.
        """
        return self._entry(cmd, account, book, price, nanos(now), False)

    cdef object _entry(
        self, object cmd, object account, object book, long long price, long long ts, bint admit
    ):
        """Why the order may not enter, or None; an order that passes is counted in if
        ``admit``. Throttle windows count every attempt.

        The common case (nothing binds) runs straight through on comparisons
        against precomputed thresholds, the account's and its firm's in one
        pass; each refusal is explained by a slower helper that names the
        scope and the limit.
        """
        _expect(cmd, _NEW_ORDER)
        _expect(account, _ACCOUNT_TYPE)
        _expect(book, _BOOK)
        cdef Scope scope = self.account_scope(account)
        _prefetch_scope(scope)
        cdef Py_ssize_t at
        cdef object problem
        cdef long long qty = field(cmd, _CMD_QTY)
        cdef str symbol = field(cmd, _CMD_INSTRUMENT)
        side = field(cmd, _CMD_SIDE)
        cdef bint buy = side is _BUY
        cdef Py_hash_t key = key_hash(symbol, buy, price, qty) if scope.recent.slots else 0
        # With no key recorded inside the window, none can match: the table is not searched
        # (and the order's key is recorded alone, note_alone).
        cdef bint searched = has_live_keys(&scope.recent, ts)
        _prefetch_order(scope, key, searched)
        # Message, then order rates, account's then firm's: every attempt counts in every
        # window, refused or not.
        at = _first_full(scope.entry_rings, scope.entry_count, ts)
        if at >= 0:
            return self._rate_problem(scope, scope.entry_rings, scope.entry_count, at, ts)
        if scope.blocked or (self.failing and scope.target in self.failing):
            return self._blocked_problem(scope, account)
        cdef int128 notional = <int128>qty * price * <long long>field(book, _BOOK_UNIT)
        if qty > scope.max_qty or notional > scope.max_notional:
            return self._size_problem(scope, qty, notional)
        if scope.restricted_instruments or scope.execution_limited:
            problem = self._instrument_problem(scope, symbol, ts)
            if problem is not None:
                return problem
        cdef long long stop_price = field(cmd, _CMD_STOP_PRICE)
        if (scope.collar_bps or scope.extended_collar_bps) and not stop_price:
            # A stop is collared when it is elected (election_problem), not against today's
            # price: a protective stop is meant to sit far from it.
            problem = self._collar_problem(scope, side, book, price, ts)
            if problem is not None:
                return problem
        cdef Py_ssize_t slot = -1
        if searched:
            slot = find_key(&scope.recent, symbol, buy, price, qty, key)
            if seen_at(&scope.recent, slot) > ts - scope.recent.window_ns:
                return RejectReason.DUPLICATE_ORDER, (
                    f"{_name(scope)} entered the same {side.value} {qty} {symbol} at "
                    f"{ticks_to_price(price)} less than {scope.recent.window_ns} ns ago"
                )
        cdef str parent = field(cmd, _CMD_PARENT)
        if parent:
            problem = self._parent_problem(scope.target, parent, symbol, side, qty)
            if problem is not None:
                return problem
        problem = self._credit_gate(scope, account, notional)
        if problem is not None or not admit:
            return problem
        self._expose(scope, notional)
        if searched:
            note_at(&scope.recent, slot, symbol, buy, price, qty, key, ts)
        elif scope.recent.slots:
            note_alone(&scope.recent, symbol, buy, price, qty, key, ts)
        if parent:
            self.parents[(scope.target, parent)].used += qty
        return None

    cdef object _credit_gate(self, Scope scope, object account, int128 added):
        """Credit for ``added`` more exposure: a limit must exist under deferred settlement,
        and neither the account's nor its firm's may be exceeded."""
        cdef Scope firm = scope.firm
        if (
            self.deferred
            and scope.credit_cap == _NO_LIMIT
            and (firm is None or firm.credit_cap == _NO_LIMIT)
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

    cdef object _rate_problem(
        self, Scope scope, Ring **rings, Py_ssize_t count, Py_ssize_t full, long long ts
    ):
        """Refuse for ``rings[full]``, the first full window, after recording the attempt in
        it and in every window after it (those before it have recorded it already)."""
        cdef Py_ssize_t at
        cdef Ring *ring = rings[full]
        cdef Scope each
        for at in range(full, count):
            record(rings[at], ts)
        for each in scope.chain:
            if ring is &each.messages:
                return RejectReason.MESSAGE_RATE_EXCEEDED, (
                    f"{_name(each)} sent more than {ring.limit} messages in {ring.window_ns} ns"
                )
            if ring is &each.orders:
                return RejectReason.ORDER_RATE_EXCEEDED, (
                    f"{_name(each)} entered more than {ring.limit} orders in {ring.window_ns} ns"
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

    cdef object _instrument_problem(self, Scope scope, str symbol, long long ts):
        """The restricted list and the execution throttle: the controls kept per instrument.

        The account's instrument of the moment was found unrestricted when it
        became so (:meth:`_execution_rings`), so only its execution windows are checked.
        """
        cdef Ring *rings[2]
        cdef Py_ssize_t at, count
        cdef bint kept = _kept(scope, symbol)
        if not kept and symbol in scope.restricted_instruments:
            firm = scope.firm
            own = symbol in scope.limits.restricted_instruments
            holder = scope if own or firm is None else firm
            return RejectReason.RESTRICTED_INSTRUMENT, f"{symbol} is restricted for {_name(holder)}"
        count = self._execution_rings(scope, symbol, rings)
        for at in range(count):
            if is_full(rings[at], ts):  # account's, then firm's
                return self._execution_problem(scope, symbol, rings[at])
        return None

    cdef Py_ssize_t _execution_rings(self, Scope scope, str symbol, Ring **rings) except -1:
        """Put the execution rings of an account and its firm in ``symbol`` (at most two, the
        account's first) into ``rings``, and return how many there are.

        An instrument not restricted for the account becomes its instrument
        of the moment (``Scope.traded``): its next order in it needs no
        lookup, as its next fill in it needs none for the windows and the
        position.
        """
        cdef SlidingCount window
        cdef Py_ssize_t count = 0
        if not _kept(scope, symbol):
            windows = ()
            if scope.execution_limited:
                windows = scope.fill_windows.get(symbol) or self._fill_windows(scope, symbol)
            if symbol in scope.restricted_instruments:  # what is kept clears an order
                for window in windows:  # held by fill_windows
                    rings[count] = &window.ring
                    count += 1
                return count
            scope.keep_traded(symbol, windows)
        for count in range(scope.traded_count):
            rings[count] = scope.traded_rings[count]
        return scope.traded_count

    cdef object _execution_problem(self, Scope scope, str symbol, Ring *full):
        """Refuse for ``full``, the first full execution window, naming its scope."""
        cdef Scope each
        for each in scope.chain:
            window = each.executions.get(symbol)
            if window is not None and &(<SlidingCount>window).ring is full:
                return RejectReason.EXECUTION_RATE_EXCEEDED, (
                    f"{_name(each)} had more than {full.limit} executions in {symbol} "
                    f"within {full.window_ns} ns"
                )
        raise AssertionError("an execution window belongs to no scope of the account")

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

    cdef object _collar_problem(self, Scope scope, object side, object book, long long price,
                                long long ts):
        """A limit too far from the reference: the last sale, else the prior close, else the mid."""
        # Computed here rather than through a shared helper: this runs on every order, and
        # market_limit (market orders only) repeats these four lines to spare it a call.
        cdef bint regular = self.regular_at(ts)
        cdef long long bps = scope.collar_bps if regular else scope.extended_collar_bps
        if not bps:
            return None  # no collar in this session
        cdef long long reference = field(book, _BOOK_LAST_PRICE)
        if not reference:
            reference = book.reference()
        if not reference:
            return None  # nothing to measure from
        cdef long long band = reference * bps // _BPS
        if price <= reference + band if side is _BUY else price >= reference - band:
            return None
        session = "regular hours" if regular else "outside regular hours"
        return RejectReason.OUTSIDE_PRICE_COLLAR, (
            f"{ticks_to_price(price)} is more than {bps} bps from {book.instrument.symbol}'s "
            f"reference {ticks_to_price(reference)} ({_name(scope)}, {session})"
        )

    def market_limit(
        self, account: Account, side: Side, book: Book, long long price, now, /
    ) -> int:
        """A market order's limit: the venue's collar ``price``, or its owner's tighter one.

        A market order is a request for any price within protection, so an
        account collar narrower than the venue's narrows the order instead of
        refusing it. The bound is rounded inward to the tick. The account's
        scope is made here if this is its first order: its firm's collar (or
        the rulebook's) applies from the first order on, whether or not the
        scope existed before (a restored venue makes only the scopes that
        differ from a fresh one).
        """
        _expect(account, _ACCOUNT_TYPE)
        _expect(book, _BOOK)
        cdef long long ts = nanos(now)
        cdef Scope scope = self.account_scope(account)
        cdef long long bps = scope.collar_bps if self.regular_at(ts) else scope.extended_collar_bps
        if not bps:
            return price
        cdef long long reference = field(book, _BOOK_LAST_PRICE)
        if not reference:
            reference = book.reference()
        if not reference:
            return price
        cdef long long band = reference * bps // _BPS
        cdef long long tick = book.tick
        cdef long long bound
        if side is _BUY:  # compared as C integers: min() would box both
            bound = reference + band
            bound -= bound % tick  # Python's modulo: rounds towards minus infinity
            return price if price < bound else bound
        bound = reference - band
        bound += (-bound) % tick
        return price if price > bound else bound

    def election_problem(self, order: Order, book: Book, now, /) -> Problem | None:
        """An elected stop's limit outside its owner's collar, against the reference now."""
        cdef long long ts = nanos(now)
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

    # ------------------------------------------------------------------ replace and cancel

    def check_replace(
        self, order: Order, long long price, long long leaves, long long qty, book: Book, now, /
    ) -> Problem | None:
        """A cancel-replace passes the controls a new order does, except the order rate and
        duplicate checks (it is a message, not a new order), on what it adds."""
        cdef long long ts = nanos(now)
        cdef Scope scope = self.scope_of(order.account)
        cdef Py_ssize_t at
        at = _first_full(scope.entry_rings, scope.message_count, ts)  # the message rings
        if at >= 0:
            return self._rate_problem(scope, scope.entry_rings, scope.message_count, at, ts)
        if scope.blocked or (self.failing and order.account.account_id in self.failing):
            return self._blocked_problem(scope, order.account)
        cdef long long unit = book.unit
        cdef int128 notional = <int128>qty * price * unit
        if qty > scope.max_qty or notional > scope.max_notional:
            return self._size_problem(scope, qty, notional)
        problem = self._instrument_problem(scope, order.instrument, ts)
        if problem is not None:
            return problem
        if scope.collar_bps or scope.extended_collar_bps:
            problem = self._collar_problem(scope, order.side, book, price, ts)
            if problem is not None:
                return problem
        cdef long long old_leaves = order.leaves
        parent_id = order.entry.parent_order_id
        if parent_id:
            problem = self._parent_problem(
                order.account.account_id, parent_id, order.instrument, order.side,
                leaves - old_leaves,
            )  # fmt: skip
            if problem is not None:
                return problem
        cdef int128 added = <int128>leaves * price * unit - <int128>old_leaves * <long long>order.price * unit
        return self._credit_gate(scope, order.account, added)

    def on_replace(self, order: Order, long long old_price, long long old_leaves, long long unit) -> None:
        """``order`` now carries its new price and open quantity."""
        cdef Scope scope = self.accounts[order.account.account_id]
        cdef long long leaves = order.leaves
        self._expose(scope, <int128>leaves * <long long>order.price * unit - <int128>old_leaves * old_price * unit)
        parent_id = order.entry.parent_order_id
        if parent_id:
            self.parents[(order.account.account_id, parent_id)].used += leaves - old_leaves

    def count_message(self, account: Account, now, /) -> None:
        """A cancel counts towards the message rate but is never refused by it."""
        _expect(account, _ACCOUNT_TYPE)
        cdef long long ts = nanos(now)
        cdef Scope scope = self.account_scope(account)
        cdef Py_ssize_t at
        for at in range(scope.message_count):  # the message rings come first
            record(scope.entry_rings[at], ts)

    def on_release(self, order: Order, /) -> None:
        """The order's open quantity leaves the book (cancel, expiry, unfilled IOC, self-trade)."""
        _expect(order, _ORDER)
        cdef long long leaves = field(order, _ORDER_LEAVES)
        if not leaves:
            return
        cdef Scope scope = self.account_scope(field(order, _ORDER_ACCOUNT))
        book = self.books[field(order, _ORDER_INSTRUMENT)]
        cdef long long unit = field(book, _BOOK_UNIT)
        self._expose(scope, -<int128>leaves * <long long>field(order, _ORDER_PRICE) * unit)
        entry = field(order, _ORDER_ENTRY)
        _expect(entry, _NEW_ORDER)
        parent_id = field(entry, _CMD_PARENT)
        if parent_id:
            self.parents[(scope.target, parent_id)].used -= leaves

    # ------------------------------------------------------------------ executions

    def on_fills(
        self, one: Order, other: Order, long long price, long long qty, long long unit, now, /
    ) -> None:
        """Both orders of one fill: ``qty`` at ``price`` moves from open notional to positions."""
        _expect(one, _ORDER)
        _expect(other, _ORDER)
        cdef long long ts = nanos(now)
        cdef Scope first = self.account_scope(field(one, _ORDER_ACCOUNT))
        cdef Scope second = self.account_scope(field(other, _ORDER_ACCOUNT))
        _prefetch_fill(first)
        _prefetch_fill(second)
        self._execute(
            first, field(one, _ORDER_INSTRUMENT), field(one, _ORDER_SIDE), price, qty, unit, ts,
            <int128>qty * <long long>field(one, _ORDER_PRICE) * unit,
        )  # fmt: skip
        self._execute(
            second, field(other, _ORDER_INSTRUMENT), field(other, _ORDER_SIDE), price, qty, unit,
            ts, <int128>qty * <long long>field(other, _ORDER_PRICE) * unit,
        )  # fmt: skip

    def on_reported(
        self,
        account: Account,
        instrument: str,
        side: Side,
        long long price,
        long long qty,
        long long unit,
        now,
        /,
    ) -> None:
        """A trade off the book moves the account's position like a fill."""
        self._execute(self.scope_of(account), instrument, side, price, qty, unit, nanos(now), 0)

    cdef void _execute(
        self,
        Scope scope,
        str instrument,
        object side,
        long long price,
        long long qty,
        long long unit,
        long long ts,
        int128 filled_open,
    ):
        """Mark the position to this fill and move ``filled_open`` out of the open notional."""
        cdef Ring *rings[2]
        cdef Py_ssize_t at
        cdef Py_ssize_t count = self._execution_rings(scope, instrument, rings)
        cdef bint kept = _kept(scope, instrument)
        cdef Position position = scope.traded_position if kept else scope.positions.get(instrument)
        if position is None:
            position = scope.positions[instrument] = Position()
            if kept:
                scope.traded_position = position
        cdef int128 net = position.net
        cdef int128 before = (net if net >= 0 else -net) * position.mark
        net = position.net = net + qty if side is _BUY else net - qty
        cdef int128 mark = <int128>price * unit
        position.mark = mark
        cdef int128 executed = (net if net >= 0 else -net) * mark - before
        self._change(scope, -filled_open, executed)
        for at in range(count):
            record(rings[at], ts)

    # ------------------------------------------------------------------ exposure bookkeeping

    cdef void _change(self, Scope scope, int128 open_delta, int128 executed_delta):
        """Apply exposure deltas to an account and its firm; warn, kill or re-arm as due."""
        scope.executed += executed_delta
        if scope.firm is not None:
            scope.firm.executed += executed_delta
        self._expose(scope, open_delta + executed_delta)

    cdef void _expose(self, Scope scope, int128 change):
        """Move the exposure of an account and its firm by ``change``; warn, kill or re-arm
        as due. Nothing is due while exposure stays between the re-arm level and the next
        alert, so the common case costs one chained comparison per scope."""
        cdef Scope each = scope
        cdef int128 exposure
        while each is not None:
            exposure = each.exposure = each.exposure + change
            if not each.rearm_below <= exposure < each.alert_at:
                if change > 0 and exposure >= each.alert_at:
                    self._alert(each)
                elif exposure < each.rearm_below:
                    each.warned = False
                    each.refresh_alerts()
            each = each.firm  # an account's firm, then none: a firm has none

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
            scope.forget_traded()
            self._change(scope, 0, -scope.executed)
            scope.restart_executions()
        for firm in self.firms.values():
            firm.restart_executions()
