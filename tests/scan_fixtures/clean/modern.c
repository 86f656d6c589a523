/* A clean extension: the new buffer protocol only.  Mentions of
 * PyObject_AsReadBuffer and bf_getsegcount in comments do not count. */
#include <Python.h>

static int
read_all(PyObject *obj, char *out, Py_ssize_t cap)
{
    Py_buffer view;
    const char *hint = "was PyObject_AsCharBuffer";

    if (PyObject_GetBuffer(obj, &view, PyBUF_SIMPLE) < 0) {
        return -1;
    }
    if (view.len <= cap) {
        memcpy(out, view.buf, (size_t)view.len);
    }
    PyBuffer_Release(&view);          /* PyBuffer_* of Python 3: fine */
    (void)hint;
    return PyBuffer_IsContiguous(&view, 'C') && PyMemoryView_Check(obj);
}
