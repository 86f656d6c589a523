# cython: language_level=3
# A Cython module using the old API.  PyObject_AsWriteBuffer in a # comment.
"""Module docstring naming PyObject_AsCharBuffer: not a use."""

cdef extern from "Python.h":
    int PyObject_AsReadBuffer(object, const void **, Py_ssize_t *) except -1
    int PyObject_CheckReadBuffer(object)

cdef extern from *:
    """
    /* verbatim C that Cython copies into the module: code, not text */
    static int ob_check(PyObject *o) { return PyObject_CheckReadBuffer(o); }
    // PyBuffer_New in a C comment of that C
    """
    int ob_check(object)

def read(obj):
    '''Return the bytes of obj (PyObject_AsReadBuffer in a docstring).'''
    cdef const void *p
    cdef Py_ssize_t n
    PyObject_AsReadBuffer(obj, &p, &n)  # the call is real, this is not: PyBuffer_Type
    s = r"raw \" still PyBuffer_Check"
    t = b'PyBuffer_FromMemory'
    u = f"{n} PyBuffer_New"
    return (<const char *>p)[:n], PyObject_CheckReadBuffer(obj)
