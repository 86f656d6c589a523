/* The stable-ABI test extension of oldbuffer.
 *
 * Built with -DPy_LIMITED_API=<version> (tests/runtests.py builds it
 * with 3.6's headers at 0x03060000, and with 3.13's headers at 0x03020000
 * and 0x030B0000) as an .abi3.so, then imported by every newer CPython,
 * where its outcomes must equal those of the full-API test module.  Only
 * the limited API is used here.
 */
#ifndef OB_MODNAME
#  error "compile with -DOB_MODNAME=<module name>"
#endif
#ifndef Py_LIMITED_API
#  error "compile with -DPy_LIMITED_API=<version>"
#endif

#include "oldbuffer.h"
#include "outcome.h"

static const ob_impl oldbuffer_impl = {
    PyObject_AsCharBuffer, PyObject_AsReadBuffer, PyObject_AsWriteBuffer,
    PyObject_CheckReadBuffer
};

/* call(what, obj, how) -> outcome tuple (see tests/ext/outcome.h) */
static PyObject *
call(PyObject *self, PyObject *args)
{
    int what, how;
    PyObject *obj;

    (void)self;
    if (!PyArg_ParseTuple(args, "iOi:call", &what, &obj, &how)) {
        return NULL;
    }
    return ob_outcome(&oldbuffer_impl, what, obj, how);
}

static PyMethodDef module_methods[] = {
    {"call", call, METH_VARARGS, "call(what, obj, how) -> outcome tuple"},
    {NULL, NULL, 0, NULL}
};

static int
module_fill(PyObject *m)
{
    return PyModule_AddIntConstant(m, "LIMITED_API", Py_LIMITED_API);
}

#include "testmodule.h"
