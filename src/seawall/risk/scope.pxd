# The C layout of a risk scope: the figures every order compares and moves, as 128-bit
# integers (an order's notional reaches 10^30 with the largest price, quantity and
# multiplier, so 64 bits would overflow where the venue's Python integers never do).

from seawall.risk.windows cimport Recent, Ring

cdef extern from *:
    ctypedef long long int128 "__int128"


cdef class Position:
    cdef public int128 net  # signed quantity
    cdef public int128 mark  # money per unit of the latest fill (price × multiplier)


cdef class Scope:
    # Declared in the order the hot paths read them, so that an order, a cancel or a fill of
    # an account out of cache loads as few lines of its scope as it can: first what all of
    # them read (exposure and the levels it is compared with), then what a fill adds, then
    # what an order adds. Everything else comes after.
    cdef Py_ssize_t message_count  # what a cancel counts in: the first entry rings
    cdef public int128 exposure  # open notional plus executed: the figure every check compares
    cdef public int128 alert_at  # the exposure at which the next warning or kill is due
    cdef public int128 rearm_below
    cdef public Scope firm
    # The instrument of the account's last order or fill, and what its lookups found there:
    # an account mostly trades one instrument at a time, so most orders skip the lookups.
    cdef public str traded
    cdef Ring *traded_rings[2]  # its execution rings, the account's before its firm's
    cdef Py_ssize_t traded_count
    cdef public Position traded_position  # None until a fill in it
    cdef public int128 executed
    # The rings an order entry counts in: message rates, then order rates, the account's
    # before its firm's (pointers to ``messages`` and ``orders`` here and in the firm).
    cdef Ring *entry_rings[4]
    cdef Py_ssize_t entry_count
    cdef public bint blocked
    cdef public bint execution_limited
    cdef public int128 credit_cap
    cdef public int128 max_qty  # effective static limits: own combined with the firm's
    cdef public int128 max_notional
    cdef public long long collar_bps
    cdef public long long extended_collar_bps
    cdef public frozenset restricted_instruments
    cdef Recent recent  # the duplicate window, the longer of own and firm's (no slots: none)
    cdef Ring messages  # this scope's own throttles (limit 0: none)
    cdef Ring orders
    cdef public tuple traded_windows  # the SlidingCount objects that hold traded_rings
    cdef public bint killed
    cdef public bint warned
    cdef public str target
    cdef public dict positions
    cdef public dict executions
    cdef public dict fill_windows
    cdef public object kind
    cdef public long long extended_ceiling_bps
    cdef public list members
    cdef public tuple chain
    cdef public object limits
    cdef public str kill_cause
    cdef public int128 credit
    cdef public int128 warn_at

    cpdef void refresh_alerts(self)
    cpdef void forget_traded(self)
    cdef void keep_traded(self, str symbol, tuple windows)
    cdef void _link_rings(self)
