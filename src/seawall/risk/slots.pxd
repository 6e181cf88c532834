# Reading a field of a ``__slots__`` class or a msgspec struct at its offset.
#
# Each such field is a member descriptor that records where the object keeps the field's
# reference. Reading it there costs a load; ``getattr`` costs a descriptor lookup and a
# call, which the risk layer would pay on every field of every order.

from cpython.object cimport PyObject

cdef extern from "Python.h":
    ctypedef struct PyMemberDef:
        Py_ssize_t offset
    ctypedef struct PyMemberDescrObject:
        PyMemberDef *d_member
    ctypedef struct PyTypeObject
    int PyObject_TypeCheck(object, PyTypeObject *)


cdef inline Py_ssize_t offset_of(object cls, str name) except -1:
    """Where instances of ``cls`` keep the field ``name`` (a member descriptor of ``cls``)."""
    descriptor = cls.__dict__[name]
    if type(descriptor).__name__ != "member_descriptor":
        raise TypeError(f"{cls.__name__}.{name} is not a slot")
    return (<PyMemberDescrObject *><PyObject *>descriptor).d_member.offset


cdef inline object field(object obj, Py_ssize_t offset):
    """The field of ``obj`` at ``offset``; the caller has checked the type of ``obj``."""
    return <object>(<PyObject **>((<char *><PyObject *>obj) + offset))[0]
