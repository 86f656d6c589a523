# checksum() and fill(), shared by legacysum_cimport.pyx and
# legacysum_extern.pyx: they differ only in where PyObject_AsReadBuffer
# and PyObject_AsWriteBuffer are declared, before `include`-ing this.
from legacysum_core cimport legacysum_checksum, legacysum_fill


def checksum(obj):
    cdef const void *buf
    cdef Py_ssize_t size
    PyObject_AsReadBuffer(obj, &buf, &size)
    return legacysum_checksum(<const char *>buf, <size_t>size)


def fill(obj, int byte):
    cdef void *buf
    cdef Py_ssize_t size
    if not 0 <= byte <= 255:
        raise ValueError("byte must be in range(0, 256)")
    PyObject_AsWriteBuffer(obj, &buf, &size)
    legacysum_fill(<char *>buf, <size_t>size, byte)
