/* Modern code that defines PY_SSIZE_T_CLEAN (and a limited API) before
 * Python.h, and still calls the old API: built with -include oldbuffer.h
 * both defines come too late (two include-order reports, after the use). */
#define PY_SSIZE_T_CLEAN
  #  define Py_LIMITED_API 0x03060000
#include <Python.h>
/* #define PY_SSIZE_T_CLEAN -- a comment, not a directive */
static const char *decoy = "#define PY_SSIZE_T_CLEAN";
#define NOT_PY_SSIZE_T_CLEAN 1
#ifdef PY_SSIZE_T_CLEAN
#endif
x = 1; #define PY_SSIZE_T_CLEAN

static int
read_it(PyObject *o, const void **p, Py_ssize_t *n)
{
    return PyObject_AsReadBuffer(o, p, n);
}
