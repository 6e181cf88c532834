# Reading a timestamp, an int of nanoseconds since 1970, as a C integer.
#
# Such a time needs three of CPython's 30-bit digits. Cython converts an int of one or two
# digits in line but calls PyLong_AsLong for three, which costs more than the check the
# time is then used in; the hooks that take a time on every order read its digits here.

cdef extern from *:
    """
    static CYTHON_INLINE PY_LONG_LONG seawall_nanos(PyObject *ts) {
    #if PY_VERSION_HEX < 0x030C0000 && PyLong_SHIFT == 30
        if (PyLong_CheckExact(ts)) {
            const digit *d = ((PyLongObject *)ts)->ob_digit;
            switch (Py_SIZE(ts)) {
                case 0: return 0;
                case 1: return (PY_LONG_LONG)d[0];
                case 2: return (PY_LONG_LONG)d[0] | (PY_LONG_LONG)d[1] << 30;
                case 3:
                    if (d[2] < 8) {  /* below 2**63 */
                        return (PY_LONG_LONG)d[0] | (PY_LONG_LONG)d[1] << 30
                            | (PY_LONG_LONG)d[2] << 60;
                    }
            }
        }
    #endif
        return PyLong_AsLongLong(ts);  /* any other int, or an error for what is not one */
    }
    """
    long long nanos "seawall_nanos" (object ts) except? -1
