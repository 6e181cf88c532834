# cython: language_level=3, annotation_typing=False, boundscheck=False, wraparound=False
"""Sliding windows for throttles and duplicate detection, O(1) per event, in C memory.

A throttle never needs more than its limit's worth of timestamps, and a
duplicate key older than the window can never match again, so neither
grows beyond what can still matter. Both are read on every order, so both
are C data (ADR 0010): a ring of stamps, and an open-addressing table.
"""

from cpython.mem cimport PyMem_Calloc, PyMem_Free, PyMem_Malloc
from cpython.object cimport PyObject
from cpython.ref cimport Py_INCREF, Py_XDECREF

from seawall.core.types import Side

DuplicateKey = tuple[str, Side, int, int]
"""What makes two orders the same: instrument, side, price, quantity."""

cdef long long _LONG_AGO = -(2**62)
LONG_AGO = _LONG_AGO
"""A timestamp outside every window: the value of a ring slot never written."""


cdef class SlidingCount:
    """At most ``limit`` events in any ``window_ns`` nanoseconds, exactly.

    The window is a ring of the last ``limit`` timestamps in C, padded with
    ``LONG_AGO`` so that it is always full: the next event is one too many
    exactly when the oldest of them is still inside the window
    (:func:`is_full`), and recording one writes over that oldest slot
    (:func:`record`), so checking and counting an event touch one slot.
    """

    def __cinit__(self, Py_ssize_t limit, long long window_ns, times=()):
        if limit <= 0:
            raise ValueError("a throttle window counts at least one event")
        self.ring = <long long *>PyMem_Malloc(limit * sizeof(long long))
        if self.ring is NULL:
            raise MemoryError()
        for slot in range(limit):
            self.ring[slot] = _LONG_AGO
        self.head = 0
        self.limit = limit
        self.window_ns = window_ns
        self.extend(times)

    def __dealloc__(self):
        PyMem_Free(self.ring)

    def append(self, long long ts) -> None:
        """Count an event at ``ts`` (for callers outside the compiled core)."""
        record(self, ts)

    def extend(self, times) -> None:
        for ts in times:
            record(self, ts)

    def is_full(self, long long ts) -> bool:
        """Whether one more event at ``ts`` would be one too many."""
        return is_full(self, ts)

    @property
    def times(self) -> list[int]:
        """The recorded timestamps, oldest first."""
        cdef Py_ssize_t at
        cdef long long ts
        found = []
        for at in range(self.limit):
            ts = self.ring[(self.head + at) % self.limit]
            if ts != _LONG_AGO:
                found.append(ts)
        return found


cdef Py_hash_t _hash(str symbol, bint buy, long long price, long long qty) noexcept:
    cdef unsigned long long h = <unsigned long long>hash(symbol)
    h = (h ^ <unsigned long long>price) * 0x100000001b3ULL  # FNV-1a's multiplier
    h = (h ^ <unsigned long long>qty) * 0x100000001b3ULL
    return <Py_hash_t>((h ^ buy) >> 1)  # never -1, the error value


cdef void _release(Seen *slots, Py_ssize_t capacity) noexcept:
    """Free a table and the references it holds."""
    cdef Py_ssize_t at
    if slots is NULL:
        return
    for at in range(capacity):
        Py_XDECREF(<PyObject *>slots[at].symbol)
    PyMem_Free(slots)


cdef class RecentKeys:
    """Orders seen within the last ``window_ns`` nanoseconds, by duplicate key.

    A C hash table from key to the stamp it was last seen at. A key whose
    stamp has left the window counts as absent: the next key recorded may
    take its slot, and the table is rebuilt from the keys still inside the
    window when it fills, so it never holds much more than a window's worth.
    """

    def __cinit__(self, long long window_ns):
        self.window_ns = window_ns
        self.latest = _LONG_AGO
        self._allocate(8)

    def __dealloc__(self):
        _release(self.slots, self.capacity)

    cdef int _allocate(self, Py_ssize_t capacity) except -1:
        self.slots = <Seen *>PyMem_Calloc(capacity, sizeof(Seen))
        if self.slots is NULL:
            raise MemoryError()
        self.capacity = capacity
        self.used = 0
        return 0

    cdef Py_ssize_t _find(
        self, str symbol, bint buy, long long price, long long qty, Py_hash_t h
    ) except -2:
        """The slot holding the key, or -1."""
        cdef Py_ssize_t mask = self.capacity - 1
        cdef Py_ssize_t at = h & mask
        cdef Seen *slot
        while True:
            slot = &self.slots[at]
            if slot.symbol is NULL:
                return -1
            if (
                slot.hash == h and slot.price == price and slot.qty == qty and slot.buy == buy
                and (slot.symbol == <void *>symbol or <str>slot.symbol == symbol)
            ):
                return at
            at = (at + 1) & mask

    cdef void prefetch(self, str symbol, bint buy, long long price, long long qty) noexcept:
        """Start loading the slot where the key's search begins."""
        cdef Py_hash_t h = _hash(symbol, buy, price, qty)
        prefetch(&self.slots[h & (self.capacity - 1)])

    cdef long long seen_at(self, str symbol, bint buy, long long price, long long qty) except? -1:
        """When the key was last recorded; LONG_AGO if never, or if it had left the window
        by the last key recorded (then it is gone from the export too, whatever the order
        of the stamps)."""
        cdef Py_ssize_t at = self._find(symbol, buy, price, qty, _hash(symbol, buy, price, qty))
        if at < 0 or self.slots[at].stamp <= self.latest - self.window_ns:
            return _LONG_AGO
        return self.slots[at].stamp

    cdef int note(self, str symbol, bint buy, long long price, long long qty, long long ts) except -1:
        """Record the key at ``ts``."""
        cdef Py_hash_t h = _hash(symbol, buy, price, qty)
        cdef Py_ssize_t at = self._find(symbol, buy, price, qty, h)
        cdef Py_ssize_t mask
        cdef Seen *slot
        self.latest = ts
        if at >= 0:
            self.slots[at].stamp = ts
            return 0
        mask = self.capacity - 1
        at = h & mask
        while True:  # the first slot on the key's path that is free or expired
            slot = &self.slots[at]
            if slot.symbol is NULL or slot.stamp <= ts - self.window_ns:
                break
            at = (at + 1) & mask
        if slot.symbol is NULL:
            if 2 * (self.used + 1) > self.capacity:
                self._rebuild(ts)
                return self.note(symbol, buy, price, qty, ts)
            self.used += 1
        else:
            Py_XDECREF(<PyObject *>slot.symbol)
        Py_INCREF(symbol)
        slot.symbol = <void *>symbol
        slot.buy = buy
        slot.price = price
        slot.qty = qty
        slot.stamp = ts
        slot.hash = h
        return 0

    cdef int _rebuild(self, long long ts) except -1:
        """Keep only the keys still inside the window at ``ts``, in a table four times
        their number (at least 8), so the next rebuild is as far away as this one."""
        cdef Seen *old = self.slots
        cdef Py_ssize_t old_capacity = self.capacity
        cdef Py_ssize_t live = 0
        cdef Py_ssize_t at
        cdef Py_ssize_t capacity = 8
        for at in range(old_capacity):
            if old[at].symbol is not NULL and old[at].stamp > ts - self.window_ns:
                live += 1
        while capacity < 4 * live:
            capacity *= 2
        self._allocate(capacity)
        for at in range(old_capacity):
            if old[at].symbol is not NULL and old[at].stamp > ts - self.window_ns:
                self._place(old[at])
        _release(old, old_capacity)
        return 0

    cdef void _place(self, Seen seen) noexcept:
        """Put a live key known to be absent into the table (a rebuild)."""
        cdef Py_ssize_t mask = self.capacity - 1
        cdef Py_ssize_t at = seen.hash & mask
        while self.slots[at].symbol is not NULL:
            at = (at + 1) & mask
        Py_INCREF(<object>seen.symbol)
        self.slots[at] = seen
        self.used += 1

    def record(self, key: DuplicateKey, long long ts) -> None:
        """Record ``key`` at ``ts`` (for callers outside the compiled core)."""
        symbol, side, price, qty = key
        self.note(symbol, side is Side.BUY, price, qty, ts)

    def duplicates(self, key: DuplicateKey, long long ts) -> bool:
        """Whether an order with ``key`` at ``ts`` repeats one recorded inside the window."""
        symbol, side, price, qty = key
        return self.seen_at(symbol, side is Side.BUY, price, qty) > ts - self.window_ns

    def entries(self) -> list[tuple[int, DuplicateKey]]:
        """The keys still inside the window at the last one recorded, with their stamps,
        oldest first: what a restored venue records again to refuse the same orders."""
        cdef Py_ssize_t at
        cdef Seen *slot
        found = []
        for at in range(self.capacity):
            slot = &self.slots[at]
            if slot.symbol is not NULL and slot.stamp > self.latest - self.window_ns:
                side = Side.BUY if slot.buy else Side.SELL
                found.append((slot.stamp, (<str>slot.symbol, side, slot.price, slot.qty)))
        found.sort(key=_canonical)
        return found


def _canonical(entry: tuple[int, DuplicateKey]) -> tuple[int, str, str, int, int]:
    """Oldest first, keys seen at the same instant in a fixed order (not the table's, which
    follows string hashes that change from one process to the next)."""
    stamp, (symbol, side, price, qty) = entry
    return stamp, symbol, side.value, price, qty
