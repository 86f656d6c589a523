/* migreported -- shapes tools/oldbuffer-migrate leaves as they are and
 * reports (tests/suite_migrate.py checks the exact list).  It builds with
 * `-include oldbuffer.h`, before and after: nothing here may change. */
#include <Python.h>

typedef struct {
    PyObject_HEAD
    const void *data;
    Py_ssize_t size;
} Holder;

/* The pointer and length are fields: they outlive the call. */
static int
holder_fill(Holder *h, PyObject *obj)
{
    if (PyObject_AsReadBuffer(obj, &h->data, &h->size) < 0)
        return -1;
    return 0;
}

/* A local pointer, then stored in a field. */
static int
holder_keep(Holder *h, PyObject *obj)
{
    const void *p;
    Py_ssize_t n;

    if (PyObject_AsReadBuffer(obj, &p, &n) < 0)
        return -1;
    h->data = p;
    h->size = n;
    return 0;
}

/* The call inside a macro body. */
#define GET_CHARS(o, s, n) PyObject_AsCharBuffer((o), (s), (n))

static Py_ssize_t
macro_user(PyObject *obj)
{
    const char *s;
    Py_ssize_t n;

    if (GET_CHARS(obj, &s, &n) < 0)
        return -1;
    return n;
}

/* The pointer returned. */
static const char *
first_chars(PyObject *obj)
{
    const char *s;
    Py_ssize_t n;

    if (PyObject_AsCharBuffer(obj, &s, &n) < 0)
        return NULL;
    return s;
}

/* Reassigned in a loop: the pointer is declared outside the loop. */
static Py_ssize_t
total_length(PyObject *seq)
{
    const void *p;
    Py_ssize_t n, i, total = 0;

    for (i = 0; i < PySequence_Size(seq); i++) {
        PyObject *item = PySequence_GetItem(seq, i);
        if (item == NULL)
            return -1;
        if (PyObject_AsReadBuffer(item, &p, &n) < 0) {
            Py_DECREF(item);
            return -1;
        }
        Py_DECREF(item);
        total += n;
    }
    (void)p;
    return total;
}

/* The error branch runs on, without an export. */
static Py_ssize_t
or_empty(PyObject *obj)
{
    const char *s;
    Py_ssize_t n;

    if (PyObject_AsCharBuffer(obj, &s, &n) < 0) {
        PyErr_Clear();
        s = "";
        n = 0;
    }
    return n + (s[0] == 'a');
}

/* The result kept in a variable, not tested by an if. */
static int
stored_result(PyObject *obj)
{
    void *p;
    Py_ssize_t n;
    int rc;

    rc = PyObject_AsWriteBuffer(obj, &p, &n);
    (void)p;
    return rc;
}

/* A loop after the export that breaks on its own. */
static Py_ssize_t
find_zero(PyObject *obj)
{
    const char *s;
    Py_ssize_t n, i;

    if (PyObject_AsCharBuffer(obj, &s, &n) < 0)
        return -1;
    for (i = 0; i < n; i++) {
        if (s[i] == 0)
            break;
    }
    return i;
}

/* A switch in the function. */
static int
kind_of(PyObject *obj)
{
    const char *s;
    Py_ssize_t n;

    int r;

    if (PyObject_AsCharBuffer(obj, &s, &n) < 0)
        return -1;
    if (n == 0)
        return 0;
    switch (s[0]) {
    case 'a':
        r = 1;
        break;
    default:
        r = 2;
        break;
    }
    return r;
}

/* A goto to code that still reads the pointer. */
static long
first_or_zero(PyObject *obj)
{
    const char *s;
    Py_ssize_t n;
    long r;

    if (PyObject_AsCharBuffer(obj, &s, &n) < 0)
        return -1;
    if (n == 0)
        goto out;
    n = 1;
out:
    r = n ? (long)s[0] : 0;
    return r;
}

/* A copy of the pointer in the returned value. */
static PyObject *
tail(PyObject *obj)
{
    const char *s, *rest;
    Py_ssize_t n;

    if (PyObject_AsCharBuffer(obj, &s, &n) < 0)
        return NULL;
    if (n == 0)
        return PyBytes_FromStringAndSize(NULL, 0);
    rest = s + 1;
    return PyBytes_FromStringAndSize(rest, n - 1);
}

/* Two exports into one pointer, one after the other. */
static Py_ssize_t
both_lengths(PyObject *a, PyObject *b)
{
    const void *p;
    Py_ssize_t n, m;

    if (PyObject_AsReadBuffer(a, &p, &n) < 0)
        return -1;
    if (PyObject_AsReadBuffer(b, &p, &m) < 0)
        return -1;
    (void)p;
    return n + m;
}

/* The pointer moved to other memory after the export. */
static int
first_of_either(PyObject *obj)
{
    const char *s;
    Py_ssize_t n;
    int r;

    if (PyObject_AsCharBuffer(obj, &s, &n) < 0)
        return -1;
    if (n == 0)
        s = "?";
    r = s[0];
    return r;
}

#if PY_MAJOR_VERSION < 3
/* A legacy exporter proc. */
static Py_ssize_t
holder_getreadbuffer(PyObject *self, Py_ssize_t segment, void **ptr)
{
    (void)segment;
    *ptr = (void *)((Holder *)self)->data;
    return ((Holder *)self)->size;
}

static PyBufferProcs holder_as_buffer = {
    (readbufferproc)holder_getreadbuffer, NULL, NULL, NULL
};
#endif

int migreported_use_all(PyObject *obj);

int
migreported_use_all(PyObject *obj)
{
    Holder h;

    return holder_fill(&h, obj) + holder_keep(&h, obj)
           + (int)macro_user(obj) + (first_chars(obj) != NULL)
           + (int)total_length(obj) + (int)or_empty(obj)
           + stored_result(obj) + (int)find_zero(obj) + kind_of(obj)
           + (int)first_or_zero(obj) + (tail(obj) != NULL)
           + (int)both_lengths(obj, obj) + first_of_either(obj);
}
