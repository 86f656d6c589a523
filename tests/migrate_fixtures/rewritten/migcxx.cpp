// migcxx -- the rewrite on C++ (spatch --c++): nullptr, bool, unnamed
// parameters, declarations in for; built as C++11 before and after.
#include <Python.h>

// Sum of the bytes.
static PyObject *
mx_sum(PyObject *, PyObject *obj)
{
    const void *buf;
    Py_ssize_t len;
    unsigned long total = 0;

    if (PyObject_AsReadBuffer(obj, &buf, &len) < 0) {
        return nullptr;
    }
    const unsigned char *p = (const unsigned char *)buf;
    for (Py_ssize_t i = 0; i < len; i++) {
        total += p[i];
    }
    return PyLong_FromUnsignedLong(total);
}

static bool
starts_with(const char *s, Py_ssize_t n, const char *prefix, Py_ssize_t k)
{
    return k <= n && memcmp(s, prefix, static_cast<size_t>(k)) == 0;
}

// Two char buffers, an error between them, the result made from both.
static PyObject *
mx_startswith(PyObject *, PyObject *args)
{
    PyObject *a, *b;
    const char *s;
    const char *t;
    Py_ssize_t n, k;

    if (!PyArg_ParseTuple(args, "OO:startswith", &a, &b)) {
        return nullptr;
    }
    if (PyObject_AsCharBuffer(a, &s, &n) < 0) {
        return nullptr;
    }
    if (n > 100000) {
        PyErr_SetString(PyExc_ValueError, "too long");
        return nullptr;
    }
    if (PyObject_AsCharBuffer(b, &t, &k) < 0) {
        return nullptr;
    }
    bool yes = starts_with(s, n, t, k);
    return PyBool_FromLong(yes);
}

// Writable: upper-case ASCII letters in place.
static PyObject *
mx_upper(PyObject *, PyObject *obj)
{
    void *buf;
    Py_ssize_t len;

    if (PyObject_AsWriteBuffer(obj, &buf, &len) < 0) {
        return nullptr;
    }
    char *c = (char *)buf;
    for (Py_ssize_t i = 0; i < len; i++) {
        if (c[i] >= 'a' && c[i] <= 'z') {
            c[i] = static_cast<char>(c[i] - 'a' + 'A');
        }
    }
    return PyLong_FromSsize_t(len);
}

static PyObject *
mx_is_buffer(PyObject *, PyObject *obj)
{
    return PyBool_FromLong(PyObject_CheckReadBuffer(obj) ? 1 : 0);
}

static PyMethodDef mx_methods[] = {
    {"sum", mx_sum, METH_O, nullptr},
    {"startswith", mx_startswith, METH_VARARGS, nullptr},
    {"upper", mx_upper, METH_O, nullptr},
    {"is_buffer", mx_is_buffer, METH_O, nullptr},
    {nullptr, nullptr, 0, nullptr}
};

static struct PyModuleDef mx_module = {
    PyModuleDef_HEAD_INIT, "migcxx", nullptr, -1, mx_methods,
    nullptr, nullptr, nullptr, nullptr
};

PyMODINIT_FUNC
PyInit_migcxx(void)
{
    return PyModule_Create(&mx_module);
}
