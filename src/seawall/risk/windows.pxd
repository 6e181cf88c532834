# The C layout of the throttle windows, shared with the modules that check them on every order.

cdef extern from *:
    # Ask for the cache line holding ``address`` without waiting for it (GCC and Clang).
    void prefetch "__builtin_prefetch" (const void *address) noexcept nogil


cdef class SlidingCount:
    cdef long long *ring  # the last ``limit`` timestamps; ``ring[head]`` is the oldest
    cdef Py_ssize_t head
    cdef readonly Py_ssize_t limit
    cdef readonly long long window_ns


cdef inline bint is_full(SlidingCount window, long long ts) noexcept:
    """Whether one more event at ``ts`` would be one too many."""
    return window.ring[window.head] > ts - window.window_ns  # ts - LONG_AGO would overflow


cdef inline void record(SlidingCount window, long long ts) noexcept:
    """Count an event at ``ts``: it takes the place of the oldest."""
    window.ring[window.head] = ts
    window.head += 1
    if window.head == window.limit:
        window.head = 0


cdef struct Seen:
    void *symbol  # a reference the table owns; NULL marks a slot never used
    bint buy
    long long price
    long long qty
    long long stamp
    Py_hash_t hash


cdef class RecentKeys:
    cdef readonly long long window_ns
    cdef Seen *slots  # open addressing, linear probing; a power of two of them
    cdef Py_ssize_t capacity
    cdef Py_ssize_t used  # slots ever filled since the last rebuild
    cdef long long latest  # the stamp of the last key recorded

    cdef int _allocate(self, Py_ssize_t capacity) except -1
    cdef Py_ssize_t _find(
        self, str symbol, bint buy, long long price, long long qty, Py_hash_t h
    ) except -2
    cdef int _rebuild(self, long long ts) except -1
    cdef void _place(self, Seen seen) noexcept
    cdef void prefetch(self, str symbol, bint buy, long long price, long long qty) noexcept
    cdef long long seen_at(self, str symbol, bint buy, long long price, long long qty) except? -1
    cdef int note(self, str symbol, bint buy, long long price, long long qty, long long ts) except -1
