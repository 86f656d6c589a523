/* SWIG interface: PyObject_AsCharBuffer in a comment is not a use. */
%module wrap

%{
#include "Python.h"
static int wrap_len(PyObject *o) {
    const char *s = "PyBuffer_New";
    Py_ssize_t n;
    return PyObject_AsCharBuffer(o, &s, &n) < 0 ? -1 : (int)n;
}
%}

%typemap(in) (const char *buf, Py_ssize_t len) {
    if (PyObject_AsReadBuffer($input, (const void **)&$1, &$2) < 0) SWIG_fail;
}

%typemap(in) (void *buf, Py_ssize_t len) %{
    /* PyObject_AsReadBuffer here is a comment */
    if (PyObject_AsWriteBuffer($input, &$1, &$2) < 0) SWIG_fail;
%}

%pythoncode %{
# Python code: PyObject_AsCharBuffer in a # comment, and a don't.
def hint():
    return "PyBuffer_Type"
%}

int wrap_len(PyObject *o);
