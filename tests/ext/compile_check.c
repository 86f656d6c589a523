/* A translation unit written the way legacy extensions use the old
 * buffer protocol.  tests/suites/suite_compile.py compiles it with every
 * compiler, C/C++ standard, interpreter's headers and Py_LIMITED_API
 * setting of the matrix, -Wall -Wextra -Werror -Wconversion (and
 * -pedantic where Python.h itself allows it): the header must add no
 * warning, deprecation warnings included. */
#include "oldbuffer.h"

/* The legacy names, as Python 2 code calls them. */
#define LEGACY_CALLS_NAME legacy_total
#include "legacy_calls.h"

/* oldbuffer's own names, always available. */
Py_ssize_t oldbuffer_total(PyObject *obj);
Py_ssize_t
oldbuffer_total(PyObject *obj)
{
    const char *c = NO_POINTER;
    const void *r = NO_POINTER;
    void *w = NO_POINTER;
    Py_ssize_t n = 0, total = OldBuffer_CheckReadBuffer(obj);

    if (OldBuffer_AsCharBuffer(obj, &c, &n) == 0) {
        total += n;
    }
    if (OldBuffer_AsReadBuffer(obj, &r, &n) == 0) {
        total += n;
    }
    if (OldBuffer_AsWriteBuffer(obj, &w, &n) == 0) {
        total += n;
    }
    PyErr_Clear();
    return total;
}

/* Function pointers of the exact documented types. */
typedef int (*as_char_fn)(PyObject *, const char **, Py_ssize_t *);
typedef int (*as_read_fn)(PyObject *, const void **, Py_ssize_t *);
typedef int (*as_write_fn)(PyObject *, void **, Py_ssize_t *);
typedef int (*check_fn)(PyObject *);
as_char_fn pointer_char = PyObject_AsCharBuffer;
as_read_fn pointer_read = PyObject_AsReadBuffer;
as_write_fn pointer_write = PyObject_AsWriteBuffer;
check_fn pointer_check = PyObject_CheckReadBuffer;

/* The pattern of most legacy code: test for < 0, then use the outputs.
 * gcc's -Wmaybe-uninitialized (at -O2) must see that they are set. */
long legacy_sums(PyObject *obj);
long
legacy_sums(PyObject *obj)
{
    const char *c;
    const void *r;
    void *w;
    Py_ssize_t cn, rn, wn, i;
    long sum = 0;

    if (PyObject_AsCharBuffer(obj, &c, &cn) < 0) {
        return -1;
    }
    if (PyObject_AsReadBuffer(obj, &r, &rn) < 0) {
        return -1;
    }
    if (PyObject_AsWriteBuffer(obj, &w, &wn) < 0) {
        return -1;
    }
    for (i = 0; i < cn; i++) {
        sum += c[i];
    }
    for (i = 0; i < rn; i++) {
        sum += ((const unsigned char *)r)[i];
    }
    for (i = 0; i < wn; i++) {
        sum += ((unsigned char *)w)[i];
    }
    return sum;
}
