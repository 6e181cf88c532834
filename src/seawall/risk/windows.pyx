# cython: language_level=3, annotation_typing=False, boundscheck=False, wraparound=False
"""Sliding windows for throttles and duplicate detection, O(1) per event, in C memory.

A throttle never needs more than its limit's worth of timestamps, and a
duplicate key older than the window can never match again, so neither
grows beyond what can still matter. Both are read on every order, so both
are C data (ADR 0010): a ring of stamps, and an open-addressing table.
"""

from cpython.mem cimport PyMem_Calloc, PyMem_Free, PyMem_Malloc
from libc.string cimport memset
from cpython.object cimport PyObject
from cpython.ref cimport Py_INCREF, Py_XDECREF

from seawall.core.types import Side

DuplicateKey = tuple[str, Side, int, int]
"""What makes two orders the same: instrument, side, price, quantity."""

cdef long long _LONG_AGO = -(2**62)
LONG_AGO = _LONG_AGO
"""A timestamp outside every window: the value of a ring slot never written."""


cdef int ring_open(Ring *ring, Py_ssize_t limit, long long window_ns) except -1:
    """Make ``ring`` an empty window of ``limit`` events in ``window_ns`` (0: no window)."""
    cdef Py_ssize_t slot
    ring.stamps = NULL
    ring.head = 0
    ring.limit = 0
    ring.newest = _LONG_AGO
    ring.window_ns = window_ns
    if limit < 0:
        raise ValueError("a throttle window counts at least one event")
    if limit == 0:
        return 0
    ring.stamps = <long long *>PyMem_Malloc(limit * sizeof(long long))
    if ring.stamps is NULL:
        raise MemoryError()
    for slot in range(limit):
        ring.stamps[slot] = _LONG_AGO
    ring.limit = limit
    return 0


cdef void ring_close(Ring *ring) noexcept:
    PyMem_Free(ring.stamps)
    ring.stamps = NULL
    ring.head = 0
    ring.limit = 0
    ring.newest = _LONG_AGO


cdef list ring_times(Ring *ring):
    """The recorded timestamps, oldest first."""
    cdef Py_ssize_t at
    cdef long long ts
    found = []
    for at in range(ring.limit):
        ts = ring.stamps[(ring.head + at) % ring.limit]
        if ts != _LONG_AGO:
            found.append(ts)
    return found


cdef int record_all(Ring *ring, object times) except -1:
    """Count every stamp of ``times``, in order; a ring with no window counts nothing."""
    if ring.limit:
        for ts in times:
            record(ring, ts)
    return 0


cdef class SlidingCount:
    """At most ``limit`` events in any ``window_ns`` nanoseconds, exactly.

    The window is a ring of the last ``limit`` timestamps in C, padded with
    ``LONG_AGO`` so that it is always full: the next event is one too many
    exactly when the oldest of them is still inside the window
    (:func:`is_full`), and recording one writes over that oldest slot
    (:func:`record`), so checking and counting an event touch one slot, and
    checking touches none once the newest stamp has left the window.
    A scope holds its own message and order windows as bare rings; this
    object holds one for an instrument's execution window.
    """

    def __cinit__(self, Py_ssize_t limit, long long window_ns, times=()):
        if limit <= 0:
            raise ValueError("a throttle window counts at least one event")
        ring_open(&self.ring, limit, window_ns)
        self.extend(times)

    def __dealloc__(self):
        ring_close(&self.ring)

    @property
    def limit(self) -> int:
        return self.ring.limit

    @property
    def window_ns(self) -> int:
        return self.ring.window_ns

    def append(self, long long ts) -> None:
        """Count an event at ``ts`` (for callers outside the compiled core)."""
        record(&self.ring, ts)

    def extend(self, times) -> None:
        record_all(&self.ring, times)

    def is_full(self, long long ts) -> bool:
        """Whether one more event at ``ts`` would be one too many."""
        return is_full(&self.ring, ts)

    @property
    def times(self) -> list[int]:
        """The recorded timestamps, oldest first."""
        return ring_times(&self.ring)


cdef Py_hash_t key_hash(str symbol, bint buy, long long price, long long qty) noexcept:
    """A duplicate key's hash: computed once per order, for the search and the record."""
    cdef unsigned long long h = <unsigned long long>hash(symbol)
    h = (h ^ <unsigned long long>price) * 0x100000001b3ULL  # FNV-1a's multiplier
    h = (h ^ <unsigned long long>qty) * 0x100000001b3ULL
    return <Py_hash_t>((h ^ buy) >> 1)  # never -1, the error value


cdef int _allocate(Recent *table, Py_ssize_t capacity) except -1:
    table.slots = <Seen *>PyMem_Calloc(capacity, sizeof(Seen))
    if table.slots is NULL:
        raise MemoryError()
    table.capacity = capacity
    table.used = 0
    return 0


cdef inline bint _vacant(Recent *table, Seen *slot) noexcept:
    """Whether a slot holds no key: never used, or emptied by a clear (:func:`_clear`)."""
    return slot.symbol is NULL or slot.generation != table.generation


cdef inline bint _live(Recent *table, Seen *slot, long long horizon) noexcept:
    """Whether a slot holds a key stamped after ``horizon`` (a window's start, excluded)."""
    return not _vacant(table, slot) and slot.stamp > horizon


cdef void _clear(Recent *table) noexcept:
    """Empty the table without touching its slots: they belong to the last generation.

    The table of an account that trades slower than its window is emptied
    on every order (:func:`note_alone`); clearing in place would read and
    write every slot, each a cache line the order would not otherwise
    touch. The references the slots hold are released as they are written
    over. A table with no slot of its generation in use is empty already
    and keeps its generation. When the count wraps, every slot is cleared
    for real, so that no generation comes back.
    """
    cdef Py_ssize_t at
    Py_XDECREF(<PyObject *>table.alone.symbol)
    table.alone.symbol = NULL
    if not table.used:
        return
    table.used = 0
    table.generation += 1
    if table.generation == 0:
        for at in range(table.capacity):
            Py_XDECREF(<PyObject *>table.slots[at].symbol)
        memset(table.slots, 0, table.capacity * sizeof(Seen))


cdef void _release(Seen *slots, Py_ssize_t capacity) noexcept:
    """Free a table's slots and the references they hold."""
    cdef Py_ssize_t at
    if slots is NULL:
        return
    for at in range(capacity):
        Py_XDECREF(<PyObject *>slots[at].symbol)
    PyMem_Free(slots)


cdef int recent_open(Recent *table, long long window_ns) except -1:
    """Make ``table`` an empty duplicate window of ``window_ns`` (0: none, no slots)."""
    table.slots = NULL
    table.alone.symbol = NULL
    table.capacity = 0
    table.used = 0
    table.latest = _LONG_AGO
    table.newest = _LONG_AGO
    table.window_ns = window_ns
    table.generation = 0
    if window_ns:
        _allocate(table, 8)
    return 0


cdef void recent_close(Recent *table) noexcept:
    Py_XDECREF(<PyObject *>table.alone.symbol)
    table.alone.symbol = NULL
    _release(table.slots, table.capacity)
    table.slots = NULL
    table.capacity = 0
    table.used = 0
    table.window_ns = 0


cdef inline bint _holds(
    Seen *slot, str symbol, bint buy, long long price, long long qty, Py_hash_t h
) noexcept:
    """Whether a slot in use holds the key."""
    return (
        slot.hash == h and slot.price == price and slot.qty == qty and slot.buy == buy
        and (slot.symbol == <void *>symbol or <str>slot.symbol == symbol)
    )


cdef Py_ssize_t find_key(
    Recent *table, str symbol, bint buy, long long price, long long qty, Py_hash_t h
) noexcept:
    """The slot holding the key, ``ALONE`` if it is the key held alone, or -1: what
    :func:`seen_at` and :func:`note_at` take."""
    cdef Py_ssize_t mask = table.capacity - 1
    cdef Py_ssize_t at = h & mask
    cdef Seen *slot
    if table.alone.symbol is not NULL:  # then the slots are empty
        return ALONE if _holds(&table.alone, symbol, buy, price, qty, h) else -1
    while True:
        slot = &table.slots[at]
        if _vacant(table, slot):
            return -1
        if _holds(slot, symbol, buy, price, qty, h):
            return at
        at = (at + 1) & mask


cdef long long seen_at(Recent *table, Py_ssize_t at) noexcept:
    """When the key found at slot ``at`` was last recorded; LONG_AGO if it was not found,
    or if it had left the window by the last key recorded (then it is gone from the
    export too, whatever the order of the stamps)."""
    cdef Seen *slot
    if at == -1:
        return _LONG_AGO
    slot = &table.alone if at == ALONE else &table.slots[at]
    if slot.stamp <= table.latest - table.window_ns:
        return _LONG_AGO
    return slot.stamp


cdef int note(
    Recent *table, str symbol, bint buy, long long price, long long qty, Py_hash_t h,
    long long ts,
) except -1:
    """Record the key, of hash ``h``, at ``ts``."""
    cdef Py_ssize_t at = find_key(table, symbol, buy, price, qty, h)
    return note_at(table, at, symbol, buy, price, qty, h, ts)


cdef int note_at(
    Recent *table, Py_ssize_t at, str symbol, bint buy, long long price, long long qty,
    Py_hash_t h, long long ts,
) except -1:
    """Record the key, of hash ``h``, at ``ts``; ``at`` is where :func:`find_key` found it,
    with no change to the table since, or -1 if it did not.

    A key held alone moves into the slots first when another joins it.
    """
    cdef Seen alone
    if at == ALONE:
        table.alone.stamp = ts
    elif at >= 0:
        table.slots[at].stamp = ts
    elif table.alone.symbol is not NULL:
        alone = table.alone
        table.alone.symbol = NULL  # its reference passes to the slot
        _insert(table, <str>alone.symbol, alone.buy, alone.price, alone.qty, alone.hash,
                alone.stamp)  # into emptied slots: never a rebuild
        Py_XDECREF(<PyObject *>alone.symbol)
    _stamped(table, ts)
    if at != -1:
        return 0
    return _insert(table, symbol, buy, price, qty, h, ts)


cdef int _insert(
    Recent *table, str symbol, bint buy, long long price, long long qty, Py_hash_t h,
    long long ts,
) except -1:
    """Put a key known to be absent into the first slot on its path that is free or
    expired at ``ts``, rebuilding the table first if that would fill half of it."""
    cdef Py_ssize_t mask = table.capacity - 1
    cdef Py_ssize_t at = h & mask
    cdef Seen *slot
    while True:  # the first slot on the key's path that is free or expired
        slot = &table.slots[at]
        if not _live(table, slot, ts - table.window_ns):
            break
        at = (at + 1) & mask
    if _vacant(table, slot):
        if 2 * (table.used + 1) > table.capacity:
            _rebuild(table, ts)
            return _insert(table, symbol, buy, price, qty, h, ts)
        table.used += 1
    _write(table, slot, symbol, buy, price, qty, h, ts)  # over an expired or cleared key
    return 0


cdef inline void _write(
    Recent *table, Seen *slot, str symbol, bint buy, long long price, long long qty,
    Py_hash_t h, long long ts,
) noexcept:
    """Put the key, of hash ``h``, stamped ``ts``, into ``slot``, releasing what it held."""
    Py_XDECREF(<PyObject *>slot.symbol)
    Py_INCREF(symbol)
    slot.symbol = <void *>symbol
    slot.buy = buy
    slot.generation = table.generation
    slot.price = price
    slot.qty = qty
    slot.stamp = ts
    slot.hash = h


cdef inline void _stamped(Recent *table, long long ts) noexcept:
    """The last key recorded is stamped ``ts``; the newest stamp is the greatest."""
    if ts > table.newest:
        table.newest = ts
    table.latest = ts


cdef int note_alone(
    Recent *table, str symbol, bint buy, long long price, long long qty, Py_hash_t h,
    long long ts,
) except -1:
    """Record the key, of hash ``h``, at ``ts``, when no key is inside the window at ``ts``
    (the newest stamp has left it): without a search, into a table emptied first.

    Every key has left the window by this one, so none is kept, as none
    would be exported: a clock stepping back later revives none of them,
    and no older copy of this key is left behind to be found instead of it.
    The key is held alone, beside the table's other fields, so recording
    it reads and writes no slot: for an account slower than its window,
    that is every order.
    """
    _clear(table)  # which releases the key held alone before
    _write(table, &table.alone, symbol, buy, price, qty, h, ts)
    _stamped(table, ts)
    return 0


cdef int _rebuild(Recent *table, long long ts) except -1:
    """Keep only the keys still inside the window at ``ts``, in a table four times
    their number (at least 8), so the next rebuild is as far away as this one.

    A table none of whose keys is inside the window is never rebuilt: the
    next key is recorded alone instead (:func:`note_alone`, :func:`has_live_keys`).
    """
    cdef Seen *old = table.slots
    cdef Py_ssize_t old_capacity = table.capacity
    cdef long long horizon = ts - table.window_ns
    cdef Py_ssize_t live = 0
    cdef Py_ssize_t at
    cdef Py_ssize_t capacity = 8
    for at in range(old_capacity):
        if _live(table, &old[at], horizon):
            live += 1
    while capacity < 4 * live:
        capacity *= 2
    _allocate(table, capacity)  # keeps the generation: the old slots are read as before
    for at in range(old_capacity):
        if _live(table, &old[at], horizon):
            _place(table, old[at])
    _release(old, old_capacity)
    return 0


cdef void _place(Recent *table, Seen seen) noexcept:
    """Put a live key known to be absent into the table (a rebuild); it keeps its
    generation, which is the table's."""
    cdef Py_ssize_t mask = table.capacity - 1
    cdef Py_ssize_t at = seen.hash & mask
    while table.slots[at].symbol is not NULL:
        at = (at + 1) & mask
    Py_INCREF(<object>seen.symbol)
    table.slots[at] = seen
    table.used += 1


cdef list recent_entries(Recent *table):
    """The keys still inside the window at the last one recorded, with their stamps,
    oldest first: what a restored venue records again to refuse the same orders."""
    cdef Py_ssize_t at
    cdef Seen *slot
    found = []
    for at in range(-1, table.capacity):
        slot = &table.alone if at == -1 else &table.slots[at]
        if _live(table, slot, table.latest - table.window_ns):
            side = Side.BUY if slot.buy else Side.SELL
            found.append((slot.stamp, (<str>slot.symbol, side, slot.price, slot.qty)))
    found.sort(key=_canonical)
    return found


cdef int record_key(Recent *table, object key, long long ts) except -1:
    """Record a duplicate key given as a tuple (instrument, side, price, quantity) at ``ts``,
    as an order records its own: alone when no other may still be inside the window."""
    symbol, side, price, qty = key
    buy = side is Side.BUY
    h = key_hash(symbol, buy, price, qty)
    if has_live_keys(table, ts):
        return note(table, symbol, buy, price, qty, h, ts)
    return note_alone(table, symbol, buy, price, qty, h, ts)


def _canonical(entry: tuple[int, DuplicateKey]) -> tuple[int, str, str, int, int]:
    """Oldest first, keys seen at the same instant in a fixed order (not the table's, which
    follows string hashes that change from one process to the next)."""
    stamp, (symbol, side, price, qty) = entry
    return stamp, symbol, side.value, price, qty


cdef class RecentKeys:
    """Orders seen within the last ``window_ns`` nanoseconds, by duplicate key.

    A C hash table from key to the stamp it was last seen at. A key whose
    stamp has left the window counts as absent: the next key recorded may
    take its slot, and the table is rebuilt from the keys still inside the
    window when it fills, so it never holds much more than a window's worth.
    A scope holds its own table as a bare struct; this object holds one for
    callers outside the compiled core.
    """

    def __cinit__(self, long long window_ns, unsigned int generation=0):
        """``generation`` is where the count of clears starts; a table answers alike from
        any start (tests start one next to the wrap)."""
        if window_ns <= 0:
            raise ValueError("a duplicate window lasts at least a nanosecond")
        recent_open(&self.table, window_ns)
        self.table.generation = generation

    def __dealloc__(self):
        recent_close(&self.table)

    @property
    def window_ns(self) -> int:
        return self.table.window_ns

    @property
    def generation(self) -> int:
        """How many times the table was emptied in place, modulo 2**32."""
        return self.table.generation

    def record(self, key: DuplicateKey, long long ts) -> None:
        """Record ``key`` at ``ts``."""
        record_key(&self.table, key, ts)

    def duplicates(self, key: DuplicateKey, long long ts) -> bool:
        """Whether an order with ``key`` at ``ts`` repeats one recorded inside the window."""
        symbol, side, price, qty = key
        buy = side is Side.BUY
        at = find_key(&self.table, symbol, buy, price, qty, key_hash(symbol, buy, price, qty))
        return seen_at(&self.table, at) > ts - self.table.window_ns

    def entries(self) -> list[tuple[int, DuplicateKey]]:
        """The keys inside the window at the last one recorded, oldest first."""
        return recent_entries(&self.table)
