/* Free-threaded builds as the header sees them: tests/suites/suite_compile.py
 * compiles this with headers whose pyconfig.h defines Py_GIL_DISABLED (a
 * free-threaded build's, or 3.15's abi3t), with and without each mode,
 * -Wall -Wextra -Werror -Wconversion.  It checks that the free-threaded
 * branches are taken, then makes the four calls through the legacy
 * names (function-like macros under the audit). */
#include "oldbuffer.h"

#if !defined(Py_GIL_DISABLED)
#  error "Py_GIL_DISABLED is not defined: not a free-threaded build's headers"
#endif

/* The bytearray fast path is off (free-threaded builds lock a bytearray
 * to export it): its test is the constant 0, not PyByteArray_CheckExact,
 * which is no constant and makes this array size an error. */
#if defined(OLDBUFFER_FAST_PATHS)
typedef char oldbuffer_no_bytearray_fast_path[
    OLDBUFFER_IS_BYTEARRAY(OLDBUFFER_NULL) ? -1 : 1];
#endif

#ifdef __cplusplus
#  define NO_POINTER nullptr
#else
#  define NO_POINTER NULL
#endif

Py_ssize_t freethreaded_total(PyObject *obj);
Py_ssize_t
freethreaded_total(PyObject *obj)
{
    const char *c = NO_POINTER;
    const void *r = NO_POINTER;
    void *w = NO_POINTER;
    Py_ssize_t n = 0, total = PyObject_CheckReadBuffer(obj);

    if (PyObject_AsCharBuffer(obj, &c, &n) == 0 && c != NO_POINTER) {
        total += n;
    }
    if (PyObject_AsReadBuffer(obj, &r, &n) == 0 && r != NO_POINTER) {
        total += n;
    }
    if (PyObject_AsWriteBuffer(obj, &w, &n) == 0 && w != NO_POINTER) {
        total += n;
    }
    PyErr_Clear();
    return total;
}
