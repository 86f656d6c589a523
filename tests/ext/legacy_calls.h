/* The four calls through the legacy names, as Python 2 code makes them
 * (function-like macros under the audit): one function that the compile
 * checks (compile_check.c, compile_freethreaded.c) share.  Include it
 * after oldbuffer.h, with LEGACY_CALLS_NAME defined as its name. */

/* (-Wzero-as-null-pointer-constant: C++'s NULL is 0.) */
#ifdef __cplusplus
#  define NO_POINTER nullptr
#else
#  define NO_POINTER NULL
#endif

Py_ssize_t LEGACY_CALLS_NAME(PyObject *obj);
Py_ssize_t
LEGACY_CALLS_NAME(PyObject *obj)
{
    const char *c = NO_POINTER;
    const void *r = NO_POINTER;
    void *w = NO_POINTER;
    Py_ssize_t n = 0, total = 0;

    if (PyObject_CheckReadBuffer(obj)) {
        total += 1;
    }
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
