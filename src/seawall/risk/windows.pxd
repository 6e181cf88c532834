# The C layout of the throttle windows and the duplicate table, shared with the modules that
# check them on every order. Both are plain structs so that a scope can hold its own inline,
# in its own cache lines, rather than behind an object.

cdef extern from *:
    # Ask for the cache line holding ``address`` without waiting for it (GCC and Clang).
    void prefetch "__builtin_prefetch" (const void *address) noexcept nogil


cdef struct Ring:
    long long newest  # the greatest stamp recorded (LONG_AGO: none), kept beside the ring's owner
    long long window_ns
    long long *stamps  # the last ``limit`` timestamps; ``stamps[head]`` is the oldest
    Py_ssize_t head
    Py_ssize_t limit  # 0: no window (and no stamps)


cdef int ring_open(Ring *ring, Py_ssize_t limit, long long window_ns) except -1
cdef void ring_close(Ring *ring) noexcept
cdef list ring_times(Ring *ring)
cdef int record_all(Ring *ring, object times) except -1


cdef inline bint is_full(Ring *ring, long long ts) noexcept:
    """Whether one more event at ``ts`` would be one too many: whether the oldest of the
    last ``limit`` (``stamps[head]``) is still inside the window.

    No stamp is later than the newest, so a window the newest has left
    holds none, and the stamps are not read: an account slower than its
    window is checked on what its scope holds, without a load from memory
    that may be out of cache.
    """
    cdef long long horizon = ts - ring.window_ns  # ts - LONG_AGO would overflow
    return ring.newest > horizon and ring.stamps[ring.head] > horizon


cdef inline void record(Ring *ring, long long ts) noexcept:
    """Count an event at ``ts``: it takes the place of the oldest.

    Nothing waits on the stamps' memory here: the store is buffered, and
    nothing is loaded from them.
    """
    ring.stamps[ring.head] = ts
    ring.head += 1
    if ring.head == ring.limit:
        ring.head = 0
    if ts > ring.newest:  # a clock stepping back leaves the newest where it was
        ring.newest = ts


cdef inline void prefetch_slot(Ring *ring) noexcept:
    """Start loading the slot the ring's next event writes (and a full check reads)."""
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
    # The one key recorded while no other was inside the window (note_alone), kept here
    # rather than in a slot (symbol NULL: none); it moves to a slot when another joins it.
    Seen alone
    Py_ssize_t capacity
    Py_ssize_t used  # slots of this generation, live or expired
    long long latest  # the stamp of the last key recorded
    long long newest  # the latest stamp of any key recorded: none is in the window after it
    long long window_ns
    unsigned int generation  # cleared slots are those of an older generation


cdef enum:
    ALONE = -2  # where find_key finds the key a table holds alone (Recent.alone)


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


cdef inline bint has_live_keys(Recent *table, long long ts) noexcept:
    """Whether a key recorded may still be inside the window at ``ts``, so that the table
    must be searched; if not, the next key is recorded alone (:func:`note_alone`). The
    newest stamp, not the last, so that a clock stepping back still finds a later key."""
    return table.slots is not NULL and table.newest > ts - table.window_ns


cdef inline void prefetch_key(Recent *table, Py_hash_t h) noexcept:
    """Start loading the slot where the search for a key of hash ``h`` begins."""
    prefetch(&table.slots[h & (table.capacity - 1)])


cdef class RecentKeys:
    cdef Recent table
