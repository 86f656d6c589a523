/* The same defines, but the file includes oldbuffer.h itself, after
 * Python.h: nothing comes too late, only the use is reported. */
#define PY_SSIZE_T_CLEAN
#define Py_LIMITED_API 0x030B0000
#include <Python.h>
#include "oldbuffer.h"

static int
check_it(PyObject *o)
{
    return PyObject_CheckReadBuffer(o);
}
