/* PY_SSIZE_T_CLEAN defined and no old API used: nothing to report. */
#define PY_SSIZE_T_CLEAN
#include <Python.h>

static Py_ssize_t
size_of(PyObject *o)
{
    return PyObject_Length(o);
}
