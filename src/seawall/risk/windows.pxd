# The C layout of the throttle windows and the duplicate table, shared with the modules that
# check them on every order. Both are plain structs so that a scope can hold its own inline,
# in its own cache lines, rather than behind an object.

cdef extern from *:
    # Ask for the cache line holding ``address`` without waiting for it (GCC and Clang).
    void prefetch "__builtin_prefetch" (const void *address) noexcept nogil


cdef struct Ring:
    long long oldest  # ``stamps[head]``, kept beside the ring's owner: checked without a load
    long long window_ns
    long long *stamps  # the last ``limit`` timestamps; ``stamps[head]`` is the oldest
    Py_ssize_t head
    Py_ssize_t limit  # 0: no window (and no stamps)


cdef int ring_open(Ring *ring, Py_ssize_t limit, long long window_ns) except -1
cdef void ring_close(Ring *ring) noexcept
cdef list ring_times(Ring *ring)
cdef int record_all(Ring *ring, object times) except -1


cdef inline bint is_full(Ring *ring, long long ts) noexcept:
    """Whether one more event at ``ts`` would be one too many."""
    return ring.oldest > ts - ring.window_ns  # ts - LONG_AGO would overflow


cdef inline void record(Ring *ring, long long ts) noexcept:
    """Count an event at ``ts``: it takes the place of the oldest.

    Nothing waits on the stamps' memory here: the store is buffered, and
    the load of the next oldest is needed only by the next check.
    """
    ring.stamps[ring.head] = ts
    ring.head += 1
    if ring.head == ring.limit:
        ring.head = 0
    ring.oldest = ring.stamps[ring.head]


cdef inline void prefetch_slot(Ring *ring) noexcept:
    """Start loading the slot the ring's next event reads and writes."""
    prefetch(&ring.stamps[ring.head])


cdef class SlidingCount:
    cdef Ring ring


cdef struct Seen:
    void *symbol  # a reference the table owns; NULL marks a slot never used
    bint buy
    unsigned int generation  # the table's when recorded: an older one marks a cleared slot
    long long price
    long long qty
    long long stamp
    Py_hash_t hash


cdef struct Recent:
    Seen *slots  # open addressing, linear probing; a power of two of them; NULL: no window
    Py_ssize_t capacity
    Py_ssize_t used  # slots of this generation, live or expired
    long long latest  # the stamp of the last key recorded
    long long newest  # the latest stamp of any key recorded: none is in the window after it
    long long window_ns
    unsigned int generation  # cleared slots are those of an older generation


cdef Py_hash_t key_hash(str symbol, bint buy, long long price, long long qty) noexcept
cdef int recent_open(Recent *table, long long window_ns) except -1
cdef void recent_close(Recent *table) noexcept
cdef Py_ssize_t find_key(
    Recent *table, str symbol, bint buy, long long price, long long qty, Py_hash_t h
) noexcept
cdef long long seen_at(Recent *table, Py_ssize_t at) noexcept
cdef int note(
    Recent *table, str symbol, bint buy, long long price, long long qty, Py_hash_t h,
    long long ts,
) except -1
cdef int note_at(
    Recent *table, Py_ssize_t at, str symbol, bint buy, long long price, long long qty,
    Py_hash_t h, long long ts,
) except -1
cdef int note_alone(
    Recent *table, str symbol, bint buy, long long price, long long qty, Py_hash_t h,
    long long ts,
) except -1
cdef list recent_entries(Recent *table)
cdef int record_key(Recent *table, object key, long long ts) except -1


cdef inline void prefetch_key(Recent *table, Py_hash_t h) noexcept:
    """Start loading the slot where the search for a key of hash ``h`` begins."""
    prefetch(&table.slots[h & (table.capacity - 1)])


cdef class RecentKeys:
    cdef Recent table
