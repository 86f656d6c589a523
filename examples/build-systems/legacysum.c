/* legacysum -- a small extension module written the Python 2 way.
 *
 *   legacysum.checksum(obj)    sum of the bytes of a readable buffer,
 *                              modulo 2**32
 *   legacysum.fill(obj, byte)  set every byte of a writable buffer
 *   legacysum.oldbuffer_version()
 *                              OLDBUFFER_VERSION_HEX if oldbuffer.h was
 *                              compiled in, else 0
 *
 * It calls PyObject_AsReadBuffer() and PyObject_AsWriteBuffer() and does
 * not include oldbuffer.h: on CPython 3.13+ it compiles only because the
 * build system adds the header (`-include oldbuffer.h`).  That is the
 * point of examples/build-systems/: one unchanged legacy source, built by
 * setuptools, CMake, Meson, Cython and SWIG.  Do not copy this file into
 * a route's directory; every route builds this one.
 */
#include <Python.h>
#include <string.h>

#include "legacysum.h"

unsigned long
legacysum_checksum(const char *data, size_t size)
{
    const unsigned char *p = (const unsigned char *)data;
    unsigned long sum = 0;
    size_t i;

    for (i = 0; i < size; i++) {
        sum = (sum + p[i]) & 0xFFFFFFFFUL;
    }
    return sum;
}

void
legacysum_fill(char *data, size_t size, int byte)
{
    memset(data, byte & 0xFF, size);
}

long
legacysum_oldbuffer_version(void)
{
#ifdef OLDBUFFER_VERSION_HEX
    return OLDBUFFER_VERSION_HEX;
#else
    return 0;
#endif
}

/* ---------------------------------------------------------------------
 * The module (left out when Cython or SWIG provides it)
 * ------------------------------------------------------------------- */
#ifndef LEGACYSUM_NO_MODULE

static PyObject *
checksum(PyObject *self, PyObject *obj)
{
    const void *buf;
    Py_ssize_t len;

    if (PyObject_AsReadBuffer(obj, &buf, &len) < 0) {
        return NULL;
    }
    return PyLong_FromUnsignedLong(
        legacysum_checksum((const char *)buf, (size_t)len));
}

static PyObject *
fill(PyObject *self, PyObject *args)
{
    PyObject *obj;
    int byte;
    void *buf;
    Py_ssize_t len;

    if (!PyArg_ParseTuple(args, "Oi:fill", &obj, &byte)) {
        return NULL;
    }
    if (byte < 0 || byte > 255) {
        PyErr_SetString(PyExc_ValueError, "byte must be in range(0, 256)");
        return NULL;
    }
    if (PyObject_AsWriteBuffer(obj, &buf, &len) < 0) {
        return NULL;
    }
    legacysum_fill((char *)buf, (size_t)len, byte);
    Py_INCREF(Py_None);
    return Py_None;
}

static PyObject *
oldbuffer_version(PyObject *self, PyObject *unused)
{
    return PyLong_FromLong(legacysum_oldbuffer_version());
}

static PyMethodDef legacysum_methods[] = {
    {"checksum", checksum, METH_O,
     "checksum(obj) -> sum of the bytes of obj's buffer, modulo 2**32"},
    {"fill", fill, METH_VARARGS,
     "fill(obj, byte) -> None; sets every byte of obj's writable buffer"},
    {"oldbuffer_version", oldbuffer_version, METH_NOARGS,
     "OLDBUFFER_VERSION_HEX this module was compiled with, or 0"},
    {NULL, NULL, 0, NULL}
};

#if PY_MAJOR_VERSION >= 3
static struct PyModuleDef legacysum_module = {
    PyModuleDef_HEAD_INIT, "legacysum", NULL, -1, legacysum_methods,
    NULL, NULL, NULL, NULL
};

PyMODINIT_FUNC
PyInit_legacysum(void)
{
    return PyModule_Create(&legacysum_module);
}
#else
PyMODINIT_FUNC
initlegacysum(void)
{
    Py_InitModule("legacysum", legacysum_methods);
}
#endif

#endif /* LEGACYSUM_NO_MODULE */
