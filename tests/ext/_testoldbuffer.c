/* The C test extension of oldbuffer.
 *
 * One source, compiled as C (module _testoldbuffer_c) and as C++ (module
 * _testoldbuffer_cpp) against every interpreter, with -Wall -Wextra
 * -Werror -Wconversion.  It lets Python code call the four calls of both
 * implementations -- the interpreter's own ("native") and oldbuffer's --
 * with any object or NULL, and returns each outcome as a plain tuple, so
 * tests/test_oldbuffer.py can compare them.  It also defines Exporter, a
 * buffer exporter that misbehaves on request.
 */
#ifndef OB_MODNAME
#  error "compile with -DOB_MODNAME=<module name>"
#endif

#include <Python.h>
#include <string.h>

#include "oldbuffer.h"

/* Compile-time proof that the legacy names now mean oldbuffer's. */
static int (*const compat_char)(PyObject *, const char **, Py_ssize_t *) =
    PyObject_AsCharBuffer;
static int (*const compat_read)(PyObject *, const void **, Py_ssize_t *) =
    PyObject_AsReadBuffer;
static int (*const compat_write)(PyObject *, void **, Py_ssize_t *) =
    PyObject_AsWriteBuffer;
static int (*const compat_check)(PyObject *) = PyObject_CheckReadBuffer;


/* ---------------------------------------------------------------------
 * Calling one function and describing what it did (tests/ext/outcome.h)
 * ------------------------------------------------------------------- */
#include "outcome.h"

enum { IMPL_OLDBUFFER = 0, IMPL_NATIVE = 1, IMPL_COMPAT = 2 };
static const ob_impl impls[] = {
    {OldBuffer_AsCharBuffer, OldBuffer_AsReadBuffer, OldBuffer_AsWriteBuffer,
     OldBuffer_CheckReadBuffer},
    {OldBuffer_Native_AsCharBuffer, OldBuffer_Native_AsReadBuffer,
     OldBuffer_Native_AsWriteBuffer, OldBuffer_Native_CheckReadBuffer},
    {compat_char, compat_read, compat_write, compat_check},
};

/* call(what, impl, obj, how) -> outcome tuple (see ob_outcome()) */
static PyObject *
call(PyObject *self, PyObject *args)
{
    (void)self;
    return ob_call_table(impls, IMPL_COMPAT + 1, args);
}

/* address(obj) -> address of a bytes/bytearray object's data, for tests
 * that check the pointer itself rather than native agreement. */
static PyObject *
data_address(PyObject *self, PyObject *args)
{
    PyObject *obj;
    void *p;

    (void)self;
    if (!PyArg_ParseTuple(args, "O:data_address", &obj)) {
        return NULL;
    }
#if PY_MAJOR_VERSION >= 3
    if (PyBytes_Check(obj)) {
        p = PyBytes_AS_STRING(obj);
    }
#else
    if (PyString_Check(obj)) {
        p = PyString_AS_STRING(obj);
    }
#endif
    else if (PyByteArray_Check(obj)) {
        p = PyByteArray_AS_STRING(obj);
    }
    else {
        PyErr_SetString(PyExc_TypeError, "bytes or bytearray expected");
        return NULL;
    }
    return PyLong_FromVoidPtr(p);
}

/* write_through(obj, offset, byte): write one byte through the pointer
 * that PyObject_AsWriteBuffer (the compat name) returns. */
static PyObject *
write_through(PyObject *self, PyObject *args)
{
    PyObject *obj;
    Py_ssize_t offset, len;
    int byte;
    void *p;

    (void)self;
    if (!PyArg_ParseTuple(args, "Oni:write_through", &obj, &offset, &byte)) {
        return NULL;
    }
    if (PyObject_AsWriteBuffer(obj, &p, &len) < 0) {
        return NULL;
    }
    if (offset < 0 || offset >= len) {
        PyErr_SetString(PyExc_IndexError, "offset out of range");
        return NULL;
    }
    ((unsigned char *)p)[offset] = (unsigned char)byte;
    Py_INCREF(Py_None);
    return Py_None;
}

#include "exporter.h"

/* ---------------------------------------------------------------------
 * Module
 * ------------------------------------------------------------------- */

static PyMethodDef module_methods[] = {
    {"call", call, METH_VARARGS,
     "call(what, impl, obj, how) -> outcome tuple"},
    {"data_address", data_address, METH_VARARGS,
     "Address of the data of a bytes or bytearray."},
    {"write_through", write_through, METH_VARARGS,
     "Write one byte through PyObject_AsWriteBuffer's pointer."},
    {NULL, NULL, 0, NULL}
};

static int
module_fill(PyObject *m)
{
    if (add_exporter(m) < 0) {
        return -1;
    }
    if (PyModule_AddIntConstant(m, "OLDBUFFER_VERSION_HEX",
                                OLDBUFFER_VERSION_HEX) < 0) {
        return -1;
    }
#if defined(OLDBUFFER_IMPL_PY2)
    return PyModule_AddStringConstant(m, "IMPL", "py2");
#elif defined(OLDBUFFER_IMPL_NATIVE)
    return PyModule_AddStringConstant(m, "IMPL", "native");
#else
    return PyModule_AddStringConstant(m, "IMPL", "pybuffer");
#endif
}

#include "testmodule.h"
