/* Exporter, the misbehaving buffer exporter of oldbuffer's tests.
 *
 * Included by tests/ext/_testoldbuffer.c and tests/ext/_testmodes.c (full API,
 * Python 2.7 and 3.x, C and C++), after oldbuffer.h; add_exporter(m)
 * adds the type to a module.  Each instance exports 16 bytes at most and
 * counts its live exports (exports()), which must be 0 after every
 * legacy call.
 */
#ifndef OLDBUFFER_TESTS_EXPORTER_H
#define OLDBUFFER_TESTS_EXPORTER_H

#include <string.h>

/* ---------------------------------------------------------------------
 * Exporter: a buffer exporter that misbehaves on request
 * ------------------------------------------------------------------- */

enum {
    EXP_OK = 0,          /* a well-behaved writable export */
    EXP_READONLY = 1,    /* a well-behaved read-only export */
    EXP_RAISE = 2,       /* raises ValueError("exporter refuses") */
    EXP_FAIL_NOEXC = 3,  /* returns -1 and sets no exception */
    EXP_NULL_BUF = 4,    /* exports buf == NULL with len > 0 */
    EXP_NEG_LEN = 5,     /* exports len == -1 */
    EXP_OK_SET_EXC = 6,  /* exports, returns 0, leaves RuntimeError set */
    /* Hostile modes.  The three release modes export like EXP_OK; what
     * they do wrong happens in bf_releasebuffer, i.e. inside the
     * PyBuffer_Release() that every Python 3 call makes before returning. */
    EXP_RAISE_TYPE = 7,       /* raises arg("exporter refuses"), arg being
                                 any exception class (user-defined too) */
    EXP_RELEASE_RAISES = 8,   /* release sets OSError("release failed") */
    EXP_RELEASE_REENTERS = 9, /* release calls OldBuffer_AsReadBuffer on
                                 the exporter itself (one level deep) */
    EXP_RELEASE_CALLS = 10,   /* release calls arg(exporter); whatever it
                                 raises is left set (one level deep) */
    EXP_SET_EXC_RELEASE_CLEARS = 11, /* as EXP_OK_SET_EXC, and its release
                                        clears the exception it set: the
                                        call returns with none set */
    EXP_MODES = 12
};

typedef struct {
    PyObject_HEAD
    int mode;
    Py_ssize_t exports;   /* live exports: must be 0 after every call */
    Py_ssize_t size;
    char data[16];
    PyObject *arg;        /* EXP_RAISE_TYPE, EXP_RELEASE_CALLS: or NULL */
    int in_release;       /* the release hook is running: do not recurse */
    Py_ssize_t reentries; /* times a release hook re-entered */
} ExporterObject;

#if PY_MAJOR_VERSION >= 3 || PY_MINOR_VERSION >= 6
static int
exporter_getbuffer(PyObject *op, Py_buffer *view, int flags)
{
    ExporterObject *self = (ExporterObject *)op;

    switch (self->mode) {
    case EXP_RAISE:
        PyErr_SetString(PyExc_ValueError, "exporter refuses");
        return -1;
    case EXP_FAIL_NOEXC:
        return -1;
    case EXP_RAISE_TYPE:
        PyErr_SetString(self->arg, "exporter refuses");
        return -1;
    case EXP_NULL_BUF:
    case EXP_NEG_LEN:
        if (PyBuffer_FillInfo(view, op, self->data, self->size, 0,
                              flags) < 0) {
            return -1;
        }
        if (self->mode == EXP_NULL_BUF) {
            view->buf = NULL;
        }
        else {
            view->len = -1;
        }
        break;
    default:
        if (PyBuffer_FillInfo(view, op, self->data, self->size,
                              self->mode == EXP_READONLY, flags) < 0) {
            return -1;
        }
        break;
    }
    self->exports++;
    if (self->mode == EXP_OK_SET_EXC
        || self->mode == EXP_SET_EXC_RELEASE_CLEARS) {
        PyErr_SetString(PyExc_RuntimeError, "exported with an error set");
    }
    return 0;
}

/* EXP_RELEASE_CALLS: call the hook as a careless exporter would, but
 * never with an exception set (that is undefined for any Python call, and
 * a debug build asserts it): an exception set before is put back unless
 * the hook raises, whose exception then replaces it. */
static void
exporter_call_hook(ExporterObject *self)
{
    PyObject *type, *value, *tb, *res;

    PyErr_Fetch(&type, &value, &tb);
    res = PyObject_CallFunctionObjArgs(self->arg, (PyObject *)self, NULL);
    if (res != NULL) {
        Py_DECREF(res);
        PyErr_Restore(type, value, tb);
        return;
    }
    Py_XDECREF(type);
    Py_XDECREF(value);
    Py_XDECREF(tb);
}

static void
exporter_releasebuffer(PyObject *op, Py_buffer *view)
{
    ExporterObject *self = (ExporterObject *)op;
    const void *buf;
    Py_ssize_t len;

    (void)view;
    self->exports--;
    if (self->in_release) {
        return;   /* the nested call of a re-entering hook */
    }
    switch (self->mode) {
    case EXP_RELEASE_RAISES:
        PyErr_SetString(PyExc_OSError, "release failed");
        break;
    case EXP_RELEASE_REENTERS:
        self->in_release = 1;
        self->reentries++;
        if (OldBuffer_AsReadBuffer(op, &buf, &len) == 0
            && (buf != self->data || len != self->size)) {
            PyErr_SetString(PyExc_AssertionError,
                            "the re-entered read saw another buffer");
        }
        self->in_release = 0;
        break;
    case EXP_SET_EXC_RELEASE_CLEARS:
        if (PyErr_ExceptionMatches(PyExc_RuntimeError)) {
            PyErr_Clear();
        }
        break;
    case EXP_RELEASE_CALLS:
        self->in_release = 1;
        self->reentries++;
        exporter_call_hook(self);
        self->in_release = 0;
        break;
    default:
        break;
    }
}
#endif

static PyObject *
exporter_new(PyTypeObject *type, PyObject *args, PyObject *kwds)
{
    ExporterObject *self;
    int mode = EXP_OK;
    const char *data = "exporter";
    PyObject *arg = NULL;
    Py_ssize_t size;

    (void)kwds;
    if (!PyArg_ParseTuple(args, "|isO:Exporter", &mode, &data, &arg)) {
        return NULL;
    }
    if (mode < 0 || mode >= EXP_MODES) {
        PyErr_SetString(PyExc_ValueError, "bad mode");
        return NULL;
    }
    if (mode == EXP_RAISE_TYPE
        && (arg == NULL || !PyExceptionClass_Check(arg))) {
        PyErr_SetString(PyExc_TypeError, "mode 7 needs an exception class");
        return NULL;
    }
    if (mode == EXP_RELEASE_CALLS
        && (arg == NULL || !PyCallable_Check(arg))) {
        PyErr_SetString(PyExc_TypeError, "mode 10 needs a callable");
        return NULL;
    }
    size = (Py_ssize_t)strlen(data);
    if (size > (Py_ssize_t)sizeof(((ExporterObject *)0)->data)) {
        PyErr_SetString(PyExc_ValueError, "data too long");
        return NULL;
    }
    self = (ExporterObject *)type->tp_alloc(type, 0);
    if (self == NULL) {
        return NULL;
    }
    self->mode = mode;
    self->exports = 0;
    self->size = size;
    memcpy(self->data, data, (size_t)size);
    Py_XINCREF(arg);
    self->arg = arg;
    self->in_release = 0;
    self->reentries = 0;
    return (PyObject *)self;
}

static void
exporter_dealloc(PyObject *op)
{
    Py_XDECREF(((ExporterObject *)op)->arg);
    Py_TYPE(op)->tp_free(op);
}

static PyObject *
exporter_get_reentries(PyObject *self, PyObject *args)
{
    (void)args;
    return PyLong_FromSsize_t(((ExporterObject *)self)->reentries);
}

static PyObject *
exporter_get_exports(PyObject *self, PyObject *args)
{
    (void)args;
    return PyLong_FromSsize_t(((ExporterObject *)self)->exports);
}

static PyObject *
exporter_get_data(PyObject *self, PyObject *args)
{
    ExporterObject *e = (ExporterObject *)self;
    (void)args;
#if PY_MAJOR_VERSION >= 3
    return PyBytes_FromStringAndSize(e->data, e->size);
#else
    return PyString_FromStringAndSize(e->data, e->size);
#endif
}

static PyMethodDef exporter_methods[] = {
    {"exports", exporter_get_exports, METH_NOARGS,
     "Number of live exports."},
    {"data", exporter_get_data, METH_NOARGS, "The exported bytes."},
    {"reentries", exporter_get_reentries, METH_NOARGS,
     "Number of times a release hook re-entered."},
    {NULL, NULL, 0, NULL}
};

#if defined(__GNUC__) || defined(__clang__)
#  pragma GCC diagnostic push
#  pragma GCC diagnostic ignored "-Wmissing-field-initializers"
#endif
static PyBufferProcs exporter_as_buffer;
static PyTypeObject ExporterType = {
    PyVarObject_HEAD_INIT(NULL, 0)
};
#if defined(__GNUC__) || defined(__clang__)
#  pragma GCC diagnostic pop
#endif

static int
exporter_type_ready(void)
{
#if PY_MAJOR_VERSION >= 3 || PY_MINOR_VERSION >= 6
    exporter_as_buffer.bf_getbuffer = exporter_getbuffer;
    exporter_as_buffer.bf_releasebuffer = exporter_releasebuffer;
#endif
    ExporterType.tp_name = "oldbuffer_tests.Exporter";
    ExporterType.tp_basicsize = (Py_ssize_t)sizeof(ExporterObject);
    ExporterType.tp_flags = Py_TPFLAGS_DEFAULT;
#if PY_MAJOR_VERSION < 3
    ExporterType.tp_flags |= Py_TPFLAGS_HAVE_NEWBUFFER;
#endif
    ExporterType.tp_doc = "Exporter(mode=0, data='exporter')";
    ExporterType.tp_new = exporter_new;
    ExporterType.tp_dealloc = exporter_dealloc;
    ExporterType.tp_methods = exporter_methods;
    ExporterType.tp_as_buffer = &exporter_as_buffer;
    return PyType_Ready(&ExporterType);
}

/* Ready the type and add it to module m as "Exporter". */
static int
add_exporter(PyObject *m)
{
    /* Through a PyObject pointer: Python 2's macros on &StaticType trip
     * -Wstrict-aliasing. */
    PyObject *type = (PyObject *)&ExporterType;

    if (exporter_type_ready() < 0) {
        return -1;
    }
    Py_INCREF(type);
    if (PyModule_AddObject(m, "Exporter", type) < 0) {
        Py_DECREF(type);
        return -1;
    }
    return 0;
}

#endif /* OLDBUFFER_TESTS_EXPORTER_H */
