"""legacysum in Cython, written before CPython 3.13: it declares the old
buffer calls itself.  Unchanged, it builds on 3.13+ only because setup.py
compiles its C with -include oldbuffer.h."""
from legacysum_core cimport legacysum_oldbuffer_version

cdef extern from "Python.h":
    int PyObject_AsReadBuffer(object obj, const void **buffer,
                              Py_ssize_t *buffer_len) except -1
    int PyObject_AsWriteBuffer(object obj, void **buffer,
                               Py_ssize_t *buffer_len) except -1

include "legacysum_body.pxi"


def oldbuffer_version():
    # Nonzero only if ../legacysum.c, compiled with the same flags as
    # this module, got oldbuffer.h.
    return legacysum_oldbuffer_version()
