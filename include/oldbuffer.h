/* oldbuffer.h -- the Python 2 "old buffer protocol" for every CPython
 * 2.7, 3.6 ... 3.15 and PyPy 3, in one header, for C and C++.
 *
 * Copyright (c) 2026 the oldbuffer authors.  Licence: 0BSD (see the end of
 * this comment): copy this file into your tree, no paperwork needed.
 * Latest copy and tests: the oldbuffer project, file include/oldbuffer.h.
 *
 * ======================================================================
 * WHAT IT DOES
 * ======================================================================
 *
 * Python 2 gave C extensions four calls to get raw memory out of an object:
 *
 *   int PyObject_AsCharBuffer(PyObject *obj, const char **buffer,
 *                             Py_ssize_t *buffer_len);
 *   int PyObject_AsReadBuffer(PyObject *obj, const void **buffer,
 *                             Py_ssize_t *buffer_len);
 *   int PyObject_AsWriteBuffer(PyObject *obj, void **buffer,
 *                              Py_ssize_t *buffer_len);
 *   int PyObject_CheckReadBuffer(PyObject *obj);
 *
 * The first three return 0 and set *buffer and *buffer_len, or return -1
 * with an exception set (and leave both untouched).  CheckReadBuffer
 * returns 1 or 0 and never leaves an exception set.  CPython 3.0-3.12 kept
 * them as deprecated wrappers over the Py_buffer protocol; CPython 3.13
 * removed them from the headers (they remain only as ABI-only symbols), so
 * code calling them fails to compile with "implicit declaration of
 * function 'PyObject_AsWriteBuffer'".
 *
 * This header brings them back.  Include it after (or instead of)
 * Python.h, or add it to every translation unit with no source change:
 *
 *   gcc -include oldbuffer.h ...          (clang, icc: the same)
 *   cl /FIoldbuffer.h ...                 (MSVC)
 *
 * It always defines the project's own implementation,
 *
 *   OldBuffer_AsCharBuffer   OldBuffer_AsReadBuffer
 *   OldBuffer_AsWriteBuffer  OldBuffer_CheckReadBuffer
 *
 * with the signatures above, and (unless OLDBUFFER_NO_COMPAT_NAMES is
 * defined) maps the four PyObject_* names onto them with macros, on every
 * version, so that the legacy names compile without deprecation warnings
 * and behave the same everywhere.
 *
 * ======================================================================
 * SEMANTICS (exact to the interpreter's own functions; tests/ prove it)
 * ======================================================================
 *
 *   Python 2.7   The legacy procs of the type (bf_getsegcount plus
 *                bf_getcharbuffer / bf_getreadbuffer / bf_getwritebuffer),
 *                exactly as Python 2.7's Objects/abstract.c: the object
 *                must export exactly one segment.
 *   Python 3.x   A PyBUF_SIMPLE (read, char) or PyBUF_WRITABLE (write)
 *                Py_buffer export, released before the call returns,
 *                exactly as CPython 3.12's Objects/abstract.c; so the
 *                error of a failed read/char export is the exporter's own
 *                (e.g. "a bytes-like object is required, not 'int'"), a
 *                failed write export becomes TypeError("expected a
 *                writable bytes-like object").  On 3.13+ the same rules
 *                hold although the interpreter no longer declares them.
 *                CheckReadBuffer never leaves an exception raised during
 *                the call, even from an exporter that reports success
 *                with an exception set (CPython's own leaves that one).
 *   NULL args    SystemError("null argument to internal routine") unless
 *                an exception is already set (CPython's null_error()).
 *                OldBuffer_CheckReadBuffer(NULL) returns 0 (CPython's own
 *                crashes).
 *
 * HAZARD.  As in CPython, the export is released before the call returns:
 * the pointer is valid only while nothing can resize, close or free the
 * exporter's memory (a bytearray resized, an mmap closed, a memoryview
 * released).  New code should use PyObject_GetBuffer()/PyBuffer_Release()
 * and keep the Py_buffer for as long as it uses the pointer.
 *
 * ======================================================================
 * CONFIGURATION (define before including this header)
 * ======================================================================
 *
 *   OLDBUFFER_NO_COMPAT_NAMES   Do not define the PyObject_* macros; only
 *                               the OldBuffer_* functions.  Default: off.
 *   Py_LIMITED_API              Honoured.  With a limited API of 3.11 or
 *                               later the implementation uses the
 *                               limited Py_buffer calls.  Older limited
 *                               APIs have no Py_buffer; there the calls
 *                               go to the interpreter's stable-ABI
 *                               exports PyObject_As*Buffer, which every
 *                               CPython 3.x keeps (ABI-only from 3.13).
 *
 * ======================================================================
 * VERSION HISTORY
 * ======================================================================
 *
 *   0.1.0  The four calls on CPython 2.7, 3.6-3.15 and PyPy 3.
 *
 * ======================================================================
 * LICENCE (0BSD)
 * ======================================================================
 *
 * Permission to use, copy, modify, and/or distribute this software for any
 * purpose with or without fee is hereby granted.
 *
 * THE SOFTWARE IS PROVIDED "AS IS" AND THE AUTHOR DISCLAIMS ALL WARRANTIES
 * WITH REGARD TO THIS SOFTWARE INCLUDING ALL IMPLIED WARRANTIES OF
 * MERCHANTABILITY AND FITNESS. IN NO EVENT SHALL THE AUTHOR BE LIABLE FOR
 * ANY SPECIAL, DIRECT, INDIRECT, OR CONSEQUENTIAL DAMAGES OR ANY DAMAGES
 * WHATSOEVER RESULTING FROM LOSS OF USE, DATA OR PROFITS, WHETHER IN AN
 * ACTION OF CONTRACT, NEGLIGENCE OR OTHER TORTIOUS ACTION, ARISING OUT OF
 * OR IN CONNECTION WITH THE USE OR PERFORMANCE OF THIS SOFTWARE.
 */

#ifndef OLDBUFFER_H
#define OLDBUFFER_H

#define OLDBUFFER_VERSION_MAJOR 0
#define OLDBUFFER_VERSION_MINOR 1
#define OLDBUFFER_VERSION_PATCH 0
/* 0xMMmmpp00, like PY_VERSION_HEX */
#define OLDBUFFER_VERSION_HEX 0x00010000

#include <Python.h>

#ifdef __cplusplus
extern "C" {
#endif

/* ---------------------------------------------------------------------
 * Shared helpers
 * ------------------------------------------------------------------- */

#if defined(__cplusplus)
#  define OLDBUFFER_INLINE static inline
#  define OLDBUFFER_CAST(type, expr) reinterpret_cast<type>(expr)
#  define OLDBUFFER_NULL nullptr
#elif defined(__STDC_VERSION__) && __STDC_VERSION__ >= 199901L
#  define OLDBUFFER_INLINE static inline
#  define OLDBUFFER_CAST(type, expr) ((type)(expr))
#  define OLDBUFFER_NULL NULL
#else
#  define OLDBUFFER_INLINE static __inline
#  define OLDBUFFER_CAST(type, expr) ((type)(expr))
#  define OLDBUFFER_NULL NULL
#endif
#if defined(__cplusplus) && __cplusplus < 201103L
#  undef OLDBUFFER_NULL
#  define OLDBUFFER_NULL NULL
#endif

/* Which implementation this translation unit gets.  Exactly one of:
 *   OLDBUFFER_IMPL_PY2      Python 2.7: the legacy procs.
 *   OLDBUFFER_IMPL_NATIVE   The interpreter's own functions behind
 *                           CPython's NULL checks:
 *                           - PyPy 3, whose cpyext keeps them (with its own
 *                             error messages, which we keep too);
 *                           - CPython 3 under a limited API older than
 *                             3.11 (no Py_buffer): the stable-ABI exports.
 *   OLDBUFFER_IMPL_PYBUFFER CPython 3 otherwise: Py_buffer, as CPython 3.12.
 */
#if PY_MAJOR_VERSION < 3
#  define OLDBUFFER_IMPL_PY2 1
#elif defined(PYPY_VERSION)
#  define OLDBUFFER_IMPL_NATIVE 1
#elif defined(Py_LIMITED_API) && Py_LIMITED_API + 0 < 0x030B0000
#  define OLDBUFFER_IMPL_NATIVE 1
#else
#  define OLDBUFFER_IMPL_PYBUFFER 1
#endif

/* The full (non-limited) API lets us read tp_as_buffer directly, as
 * CPython's own functions do. */
#if !defined(Py_LIMITED_API) || defined(PYPY_VERSION)
#  define OLDBUFFER_FULL_API 1
#endif

/* CPython's null_error(): never replace an exception already set. */
OLDBUFFER_INLINE int
oldbuffer_null_error(void)
{
    if (!PyErr_Occurred()) {
        PyErr_SetString(PyExc_SystemError,
                        "null argument to internal routine");
    }
    return -1;
}

#define OLDBUFFER_ANY_NULL(obj, buffer, buffer_len) \
    ((obj) == OLDBUFFER_NULL || (buffer) == OLDBUFFER_NULL \
     || (buffer_len) == OLDBUFFER_NULL)


/* ---------------------------------------------------------------------
 * Python 2.7: the legacy procs, as Python 2.7's Objects/abstract.c
 * ------------------------------------------------------------------- */
#if defined(OLDBUFFER_IMPL_PY2)

/* Python 2's rule for every kind: the proc and bf_getsegcount must both
 * exist, there must be exactly one segment, and the proc's length (or its
 * -1 with an exception) is the result. */
OLDBUFFER_INLINE int
oldbuffer_single_segment(PyObject *obj, PyBufferProcs *pb)
{
    if ((*pb->bf_getsegcount)(obj, OLDBUFFER_NULL) != 1) {
        PyErr_SetString(PyExc_TypeError,
                        "expected a single-segment buffer object");
        return -1;
    }
    return 0;
}

OLDBUFFER_INLINE int
OldBuffer_AsCharBuffer(PyObject *obj, const char **buffer,
                       Py_ssize_t *buffer_len)
{
    PyBufferProcs *pb;
    char *pp;
    Py_ssize_t len;

    if (OLDBUFFER_ANY_NULL(obj, buffer, buffer_len)) {
        return oldbuffer_null_error();
    }
    pb = Py_TYPE(obj)->tp_as_buffer;
    if (pb == OLDBUFFER_NULL || pb->bf_getcharbuffer == OLDBUFFER_NULL
        || pb->bf_getsegcount == OLDBUFFER_NULL) {
        PyErr_SetString(PyExc_TypeError,
                        "expected a string or other character buffer object");
        return -1;
    }
    if (oldbuffer_single_segment(obj, pb) < 0) {
        return -1;
    }
    len = (*pb->bf_getcharbuffer)(obj, 0, &pp);
    if (len < 0) {
        return -1;
    }
    *buffer = pp;
    *buffer_len = len;
    return 0;
}

OLDBUFFER_INLINE int
OldBuffer_AsReadBuffer(PyObject *obj, const void **buffer,
                       Py_ssize_t *buffer_len)
{
    PyBufferProcs *pb;
    void *pp;
    Py_ssize_t len;

    if (OLDBUFFER_ANY_NULL(obj, buffer, buffer_len)) {
        return oldbuffer_null_error();
    }
    pb = Py_TYPE(obj)->tp_as_buffer;
    if (pb == OLDBUFFER_NULL || pb->bf_getreadbuffer == OLDBUFFER_NULL
        || pb->bf_getsegcount == OLDBUFFER_NULL) {
        PyErr_SetString(PyExc_TypeError,
                        "expected a readable buffer object");
        return -1;
    }
    if (oldbuffer_single_segment(obj, pb) < 0) {
        return -1;
    }
    len = (*pb->bf_getreadbuffer)(obj, 0, &pp);
    if (len < 0) {
        return -1;
    }
    *buffer = pp;
    *buffer_len = len;
    return 0;
}

OLDBUFFER_INLINE int
OldBuffer_AsWriteBuffer(PyObject *obj, void **buffer, Py_ssize_t *buffer_len)
{
    PyBufferProcs *pb;
    void *pp;
    Py_ssize_t len;

    if (OLDBUFFER_ANY_NULL(obj, buffer, buffer_len)) {
        return oldbuffer_null_error();
    }
    pb = Py_TYPE(obj)->tp_as_buffer;
    if (pb == OLDBUFFER_NULL || pb->bf_getwritebuffer == OLDBUFFER_NULL
        || pb->bf_getsegcount == OLDBUFFER_NULL) {
        PyErr_SetString(PyExc_TypeError,
                        "expected a writeable buffer object");
        return -1;
    }
    if (oldbuffer_single_segment(obj, pb) < 0) {
        return -1;
    }
    len = (*pb->bf_getwritebuffer)(obj, 0, &pp);
    if (len < 0) {
        return -1;
    }
    *buffer = pp;
    *buffer_len = len;
    return 0;
}

/* Python 2.7 answers from the procs alone, without asking for a pointer.
 * Unlike 2.7's own, never leave an exception from bf_getsegcount set. */
OLDBUFFER_INLINE int
OldBuffer_CheckReadBuffer(PyObject *obj)
{
    PyBufferProcs *pb;

    if (obj == OLDBUFFER_NULL) {
        return 0;
    }
    pb = Py_TYPE(obj)->tp_as_buffer;
    if (pb == OLDBUFFER_NULL || pb->bf_getreadbuffer == OLDBUFFER_NULL
        || pb->bf_getsegcount == OLDBUFFER_NULL) {
        return 0;
    }
    if ((*pb->bf_getsegcount)(obj, OLDBUFFER_NULL) != 1) {
        if (PyErr_Occurred()) {
            PyErr_Clear();
        }
        return 0;
    }
    return 1;
}

#endif /* OLDBUFFER_IMPL_PY2 */


/* ---------------------------------------------------------------------
 * PyPy 3, and CPython 3 under a limited API < 3.11: the interpreter's own
 *
 * PyPy's cpyext implements the four calls itself and keeps declaring
 * them; its error messages differ from CPython's ("expected an object
 * with a buffer interface"), and it dereferences NULL arguments.
 *
 * The limited API before 3.11 has no Py_buffer at all.  gh-85275:
 * CPython 3.13 removed the declarations but kept the four symbols in the
 * stable ABI ("abi_only"), so an abi3 extension built here imports and
 * works on every CPython 3.x.
 * ------------------------------------------------------------------- */
#if defined(OLDBUFFER_IMPL_NATIVE)

#if PY_VERSION_HEX >= 0x030D0000 && !defined(PYPY_VERSION)
/* Removed from Python.h in 3.13: declare the ABI-only exports. */
PyAPI_FUNC(int) PyObject_AsCharBuffer(PyObject *, const char **,
                                      Py_ssize_t *);
PyAPI_FUNC(int) PyObject_AsReadBuffer(PyObject *, const void **,
                                      Py_ssize_t *);
PyAPI_FUNC(int) PyObject_AsWriteBuffer(PyObject *, void **, Py_ssize_t *);
PyAPI_FUNC(int) PyObject_CheckReadBuffer(PyObject *);
#endif

/* 3.8-3.12 mark them Py_DEPRECATED(3.0); calling them is this branch's
 * purpose, so silence that warning here only. */
#if defined(__GNUC__) || defined(__clang__)
#  pragma GCC diagnostic push
#  pragma GCC diagnostic ignored "-Wdeprecated-declarations"
#elif defined(_MSC_VER)
#  pragma warning(push)
#  pragma warning(disable: 4996)
#endif

OLDBUFFER_INLINE int
OldBuffer_AsCharBuffer(PyObject *obj, const char **buffer,
                       Py_ssize_t *buffer_len)
{
    if (OLDBUFFER_ANY_NULL(obj, buffer, buffer_len)) {
        return oldbuffer_null_error();
    }
    return PyObject_AsCharBuffer(obj, buffer, buffer_len);
}

OLDBUFFER_INLINE int
OldBuffer_AsReadBuffer(PyObject *obj, const void **buffer,
                       Py_ssize_t *buffer_len)
{
    if (OLDBUFFER_ANY_NULL(obj, buffer, buffer_len)) {
        return oldbuffer_null_error();
    }
    return PyObject_AsReadBuffer(obj, buffer, buffer_len);
}

OLDBUFFER_INLINE int
OldBuffer_AsWriteBuffer(PyObject *obj, void **buffer, Py_ssize_t *buffer_len)
{
    if (OLDBUFFER_ANY_NULL(obj, buffer, buffer_len)) {
        return oldbuffer_null_error();
    }
    return PyObject_AsWriteBuffer(obj, buffer, buffer_len);
}

/* The interpreter's own crashes on NULL and leaves set the exception of
 * an exporter that succeeds with one set; this one does neither. */
OLDBUFFER_INLINE int
OldBuffer_CheckReadBuffer(PyObject *obj)
{
    int had_exception, res;

    if (obj == OLDBUFFER_NULL) {
        return 0;
    }
    had_exception = PyErr_Occurred() != OLDBUFFER_NULL;
    res = PyObject_CheckReadBuffer(obj);
    if (!had_exception && PyErr_Occurred()) {
        PyErr_Clear();
    }
    return res;
}

#if defined(__GNUC__) || defined(__clang__)
#  pragma GCC diagnostic pop
#elif defined(_MSC_VER)
#  pragma warning(pop)
#endif

#endif /* OLDBUFFER_IMPL_NATIVE */


/* ---------------------------------------------------------------------
 * Python 3 with Py_buffer: as CPython 3.12's Objects/abstract.c
 *
 * PEP 3118 (3.0) replaced the legacy procs with bf_getbuffer; the four
 * calls became thin wrappers that take a PyBUF_SIMPLE or PyBUF_WRITABLE
 * export and release it at once.  bpo-41103 removed them in 3.10a1 and
 * restored them before 3.10.0; gh-85275 removed them from the 3.13
 * headers for good.
 * ------------------------------------------------------------------- */
#if defined(OLDBUFFER_IMPL_PYBUFFER)

/* Does the type export buffers at all?  CPython asks tp_as_buffer; the
 * limited API (3.11+) has PyObject_CheckBuffer() for the same test. */
OLDBUFFER_INLINE int
oldbuffer_has_getbuffer(PyObject *obj)
{
#if defined(OLDBUFFER_FULL_API)
    PyBufferProcs *pb = Py_TYPE(obj)->tp_as_buffer;
    return pb != OLDBUFFER_NULL && pb->bf_getbuffer != OLDBUFFER_NULL;
#else
    return PyObject_CheckBuffer(obj);
#endif
}

/* The read and char calls share one body, as in CPython 3.x. */
OLDBUFFER_INLINE int
oldbuffer_as_read(PyObject *obj, const void **buffer, Py_ssize_t *buffer_len)
{
    Py_buffer view;

    if (OLDBUFFER_ANY_NULL(obj, buffer, buffer_len)) {
        return oldbuffer_null_error();
    }
    if (PyObject_GetBuffer(obj, &view, PyBUF_SIMPLE) != 0) {
        return -1;
    }
    *buffer = view.buf;
    *buffer_len = view.len;
    PyBuffer_Release(&view);
    return 0;
}

OLDBUFFER_INLINE int
OldBuffer_AsCharBuffer(PyObject *obj, const char **buffer,
                       Py_ssize_t *buffer_len)
{
    const void *p;
    int res;

    if (buffer == OLDBUFFER_NULL) {
        return oldbuffer_as_read(obj, OLDBUFFER_NULL, buffer_len);
    }
    res = oldbuffer_as_read(obj, &p, buffer_len);
    if (res == 0) {
        *buffer = OLDBUFFER_CAST(const char *, p);
    }
    return res;
}

OLDBUFFER_INLINE int
OldBuffer_AsReadBuffer(PyObject *obj, const void **buffer,
                       Py_ssize_t *buffer_len)
{
    return oldbuffer_as_read(obj, buffer, buffer_len);
}

OLDBUFFER_INLINE int
OldBuffer_AsWriteBuffer(PyObject *obj, void **buffer, Py_ssize_t *buffer_len)
{
    Py_buffer view;

    if (OLDBUFFER_ANY_NULL(obj, buffer, buffer_len)) {
        return oldbuffer_null_error();
    }
    /* Whatever went wrong, CPython reports this one TypeError. */
    if (!oldbuffer_has_getbuffer(obj)
        || PyObject_GetBuffer(obj, &view, PyBUF_WRITABLE) != 0) {
        PyErr_SetString(PyExc_TypeError,
                        "expected a writable bytes-like object");
        return -1;
    }
    *buffer = view.buf;
    *buffer_len = view.len;
    PyBuffer_Release(&view);
    return 0;
}

/* 1 when a PyBUF_SIMPLE export succeeds, else 0; a failed export's
 * exception is cleared, and nothing is cleared for a type that does not
 * export at all (as CPython).  One deliberate difference: an exporter that
 * reports success but sets an exception has that exception cleared too
 * (CPython's own leaves it set), so this call never leaves an exception
 * of its own making.  An exception set before the call is left alone. */
OLDBUFFER_INLINE int
OldBuffer_CheckReadBuffer(PyObject *obj)
{
    Py_buffer view;
    int had_exception;

    if (obj == OLDBUFFER_NULL || !oldbuffer_has_getbuffer(obj)) {
        return 0;
    }
    had_exception = PyErr_Occurred() != OLDBUFFER_NULL;
    if (PyObject_GetBuffer(obj, &view, PyBUF_SIMPLE) == -1) {
        PyErr_Clear();
        return 0;
    }
    PyBuffer_Release(&view);
    if (!had_exception && PyErr_Occurred()) {
        PyErr_Clear();
    }
    return 1;
}

#endif /* OLDBUFFER_IMPL_PYBUFFER */


/* ---------------------------------------------------------------------
 * The legacy names
 *
 * Mapped on every version: before 3.13 this replaces the deprecated
 * declarations (no -Wdeprecated-declarations, identical behaviour); from
 * 3.13 on it replaces the removed ones.
 * ------------------------------------------------------------------- */
#if !defined(OLDBUFFER_NO_COMPAT_NAMES)
#  undef PyObject_AsCharBuffer
#  undef PyObject_AsReadBuffer
#  undef PyObject_AsWriteBuffer
#  undef PyObject_CheckReadBuffer
#  define PyObject_AsCharBuffer OldBuffer_AsCharBuffer
#  define PyObject_AsReadBuffer OldBuffer_AsReadBuffer
#  define PyObject_AsWriteBuffer OldBuffer_AsWriteBuffer
#  define PyObject_CheckReadBuffer OldBuffer_CheckReadBuffer
#endif

#ifdef __cplusplus
}
#endif

#endif /* OLDBUFFER_H */
