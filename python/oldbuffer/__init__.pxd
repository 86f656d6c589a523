# Cython declarations of oldbuffer.h: the Python 2 old buffer protocol.
#
#     from oldbuffer cimport PyObject_AsReadBuffer
#
# Cython finds this file as the package `oldbuffer` on sys.path (pip
# install oldbuffer), or as oldbuffer.pxd next to oldbuffer.h after
# `make install` (cython -I $PREFIX/include).  The C compiler must find
# oldbuffer.h too: include_dirs=[oldbuffer.get_include()], or
# `pkg-config --cflags oldbuffer`.
#
# The three As* calls return 0, or -1 with an exception set: `except -1`
# lets Cython propagate it.  CheckReadBuffer returns 1 or 0 and never
# leaves an exception set.  The pointers are valid only while the object
# keeps its memory (see HAZARD in oldbuffer.h).

cdef extern from "oldbuffer.h":
    long OLDBUFFER_VERSION_HEX

    # The project's own names: always defined.
    int OldBuffer_AsCharBuffer(object obj, const char **buffer,
                               Py_ssize_t *buffer_len) except -1
    int OldBuffer_AsReadBuffer(object obj, const void **buffer,
                               Py_ssize_t *buffer_len) except -1
    int OldBuffer_AsWriteBuffer(object obj, void **buffer,
                                Py_ssize_t *buffer_len) except -1
    bint OldBuffer_CheckReadBuffer(object obj)

    # The legacy names: macros for the above, unless the C code defines
    # OLDBUFFER_NO_COMPAT_NAMES.
    int PyObject_AsCharBuffer(object obj, const char **buffer,
                              Py_ssize_t *buffer_len) except -1
    int PyObject_AsReadBuffer(object obj, const void **buffer,
                              Py_ssize_t *buffer_len) except -1
    int PyObject_AsWriteBuffer(object obj, void **buffer,
                               Py_ssize_t *buffer_len) except -1
    bint PyObject_CheckReadBuffer(object obj)
