/* migshapes -- every shape tools/oldbuffer-migrate.cocci rewrites.
 *
 * Written the Python 2 way, as a legacy extension would be: built with
 * `-include oldbuffer.h` it is the reference; rewritten by
 * tools/oldbuffer-migrate and built without oldbuffer it must give the
 * same results, exceptions and messages (tests/suite_migrate.py).
 */
#include <Python.h>

/* One export, the use after it, one return. */
static PyObject *
ms_sum(PyObject *self, PyObject *obj)
{
    const void *buf;
    Py_ssize_t len, i;
    unsigned long total = 0;

    (void)self;
    if (PyObject_AsReadBuffer(obj, &buf, &len) < 0)
        return NULL;
    for (i = 0; i < len; i++)
        total += ((const unsigned char *)buf)[i];
    return PyLong_FromUnsignedLong(total);
}

/* Early returns after the export, one of them with an error. */
static PyObject *
ms_first(PyObject *self, PyObject *obj)
{
    const char *s;
    Py_ssize_t n;

    (void)self;
    if (PyObject_AsCharBuffer(obj, &s, &n) != 0) {
        return NULL;
    }
    if (n == 0) {
        PyErr_SetString(PyExc_ValueError, "empty buffer");
        return NULL;
    }
    if (s[0] == 'x') {
        Py_RETURN_NONE;
    }
    if (n == 1)
        return PyLong_FromLong(-1);
    return PyLong_FromLong((unsigned char)s[0]);
}

/* The result made from the pointer itself: the release must come after
 * the bytes are copied. */
static PyObject *
ms_copy(PyObject *self, PyObject *obj)
{
    const char *s;
    Py_ssize_t n;

    (void)self;
    if (PyObject_AsCharBuffer(obj, &s, &n) < 0)
        return NULL;
    if (n > 3)
        return PyBytes_FromStringAndSize(s + 1, n - 2);
    return PyBytes_FromStringAndSize(s, n);
}

/* goto to a cleanup label, after a failing allocation. */
static PyObject *
ms_reverse(PyObject *self, PyObject *obj)
{
    const void *buf;
    Py_ssize_t len, i;
    PyObject *result = NULL;
    char *tmp;

    (void)self;
    if (PyObject_AsReadBuffer(obj, &buf, &len) == -1)
        goto done;
    if (len > 1000) {
        PyErr_Format(PyExc_OverflowError, "%zd bytes is too long", len);
        goto done;
    }
    tmp = (char *)PyMem_Malloc((size_t)len + 1);
    if (tmp == NULL) {
        PyErr_NoMemory();
        goto done;
    }
    for (i = 0; i < len; i++)
        tmp[i] = ((const char *)buf)[len - 1 - i];
    result = PyBytes_FromStringAndSize(tmp, len);
    PyMem_Free(tmp);
    goto done;
done:
    return result;
}

/* Three buffers in one function, errors between the exports. */
static PyObject *
ms_join3(PyObject *self, PyObject *args)
{
    PyObject *a, *b, *c;
    const void *pa, *pb;
    const char *pc;
    Py_ssize_t na, nb, nc;
    PyObject *out;
    char *w;

    (void)self;
    if (!PyArg_ParseTuple(args, "OOO:join3", &a, &b, &c))
        return NULL;
    if (PyObject_AsReadBuffer(a, &pa, &na) < 0)
        return NULL;
    if (PyObject_AsReadBuffer(b, &pb, &nb) < 0)
        return NULL;
    if (na != nb) {
        PyErr_SetString(PyExc_ValueError, "a and b differ in length");
        return NULL;
    }
    if (PyObject_AsCharBuffer(c, &pc, &nc) < 0)
        return NULL;
    out = PyBytes_FromStringAndSize(NULL, na + nb + nc);
    if (out == NULL)
        return NULL;
    w = PyBytes_AS_STRING(out);
    memcpy(w, pa, (size_t)na);
    memcpy(w + na, pb, (size_t)nb);
    memcpy(w + na + nb, pc, (size_t)nc);
    return out;
}

/* The pointer's scope is a nested block: the release goes at its end. */
static PyObject *
ms_nested(PyObject *self, PyObject *args)
{
    PyObject *obj;
    long skip = 0, total = 0;

    (void)self;
    if (!PyArg_ParseTuple(args, "O|l:nested", &obj, &skip))
        return NULL;
    if (skip >= 0) {
        const char *s;
        Py_ssize_t n, i;

        if (PyObject_AsCharBuffer(obj, &s, &n) < 0)
            return NULL;
        if (skip > n) {
            PyErr_SetString(PyExc_IndexError, "skip past the end");
            return NULL;
        }
        for (i = skip; i < n; i++)
            total += s[i];
    }
    return PyLong_FromLong(total);
}

/* A loop: the pointer lives in the loop body, one export per item;
 * break and continue leave the body too. */
static PyObject *
ms_lengths(PyObject *self, PyObject *seq)
{
    Py_ssize_t i, size, total = 0;

    (void)self;
    size = PySequence_Size(seq);
    if (size < 0)
        return NULL;
    for (i = 0; i < size; i++) {
        PyObject *item = PySequence_GetItem(seq, i);
        const void *p;
        Py_ssize_t n;

        if (item == NULL)
            return NULL;
        if (PyObject_AsReadBuffer(item, &p, &n) < 0) {
            Py_DECREF(item);
            return NULL;
        }
        Py_DECREF(item);
        if (n == 0)
            continue;
        if (((const char *)p)[0] == '!')
            break;
        total += n;
    }
    return PyLong_FromSsize_t(total);
}

/* A writable buffer; the old call's TypeError stays as it was. */
static PyObject *
ms_fill(PyObject *self, PyObject *args)
{
    PyObject *target;
    int byte;
    void *buf;
    Py_ssize_t len;

    (void)self;
    if (!PyArg_ParseTuple(args, "Oi:fill", &target, &byte))
        return NULL;
    if (PyObject_AsWriteBuffer(target, &buf, &len) < 0)
        return NULL;
    if (byte < 0 || byte > 255) {
        PyErr_SetString(PyExc_ValueError, "byte out of range");
        return NULL;
    }
    memset(buf, byte, (size_t)len);
    return PyLong_FromSsize_t(len);
}

/* Python code runs between the export and the use: with the export
 * held, a resize there raises BufferError (the intended difference). */
static PyObject *
ms_callback(PyObject *self, PyObject *args)
{
    PyObject *obj, *callback, *r;
    const void *buf;
    Py_ssize_t len;

    (void)self;
    if (!PyArg_ParseTuple(args, "OO:callback", &obj, &callback))
        return NULL;
    if (PyObject_AsReadBuffer(obj, &buf, &len) < 0)
        return NULL;
    r = PyObject_CallObject(callback, NULL);
    if (r == NULL)
        return NULL;
    Py_DECREF(r);
    (void)buf;
    return PyLong_FromSsize_t(len);
}

/* A void function: the release at its end. */
static void
ms_store_first(PyObject *obj, long *out)
{
    const char *s;
    Py_ssize_t n;

    if (PyObject_AsCharBuffer(obj, &s, &n) < 0) {
        PyErr_Clear();
        *out = -2;
        return;
    }
    *out = n > 0 ? (long)(unsigned char)s[0] : -1;
}

static PyObject *
ms_first_or(PyObject *self, PyObject *obj)
{
    long v = 0;

    (void)self;
    ms_store_first(obj, &v);
    return PyLong_FromLong(v);
}

static PyObject *
ms_is_buffer(PyObject *self, PyObject *obj)
{
    (void)self;
    return PyBool_FromLong(PyObject_CheckReadBuffer(obj));
}

static PyObject *
ms_count_buffers(PyObject *self, PyObject *seq)
{
    Py_ssize_t i, size, n = 0;

    (void)self;
    size = PySequence_Size(seq);
    if (size < 0)
        return NULL;
    for (i = 0; i < size; i++) {
        PyObject *item = PySequence_GetItem(seq, i);
        if (item == NULL)
            return NULL;
        if (PyObject_CheckReadBuffer(item))
            n++;
        Py_DECREF(item);
    }
    return PyLong_FromSsize_t(n);
}

static PyMethodDef ms_methods[] = {
    {"sum", ms_sum, METH_O, NULL},
    {"first", ms_first, METH_O, NULL},
    {"copy", ms_copy, METH_O, NULL},
    {"reverse", ms_reverse, METH_O, NULL},
    {"join3", ms_join3, METH_VARARGS, NULL},
    {"nested", ms_nested, METH_VARARGS, NULL},
    {"lengths", ms_lengths, METH_O, NULL},
    {"fill", ms_fill, METH_VARARGS, NULL},
    {"callback", ms_callback, METH_VARARGS, NULL},
    {"first_or", ms_first_or, METH_O, NULL},
    {"is_buffer", ms_is_buffer, METH_O, NULL},
    {"count_buffers", ms_count_buffers, METH_O, NULL},
    {NULL, NULL, 0, NULL}
};

static struct PyModuleDef ms_module = {
    PyModuleDef_HEAD_INIT, "migshapes", NULL, -1, ms_methods,
    NULL, NULL, NULL, NULL
};

PyMODINIT_FUNC
PyInit_migshapes(void)
{
    return PyModule_Create(&ms_module);
}
