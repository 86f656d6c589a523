/* A Python 2 style buffer exporter, written once for every version.
 *
 * The same source is compiled on Python 2.7, where OldBuffer_LegacyProcs
 * is Python's own PyBufferProcs and the interpreter's own functions read
 * the procs, and on every Python 3, where oldbuffer's adapter keeps them.
 * tests/suites/suite_legacy.py runs tests/legacy_outcomes.py on each and
 * checks that every Python 3 gives exactly 2.7's outcomes.
 *
 * Seven types differ in which procs they have (as Python 2 types did) and
 * in when they get them (before or after PyType_Ready); each instance says
 * how many segments it claims and which of its procs fail, and counts
 * the calls of each of its procs.  The procs give different regions of
 * the data: read the whole, char from byte 1, write its second half.
 */
#ifndef OB_MODNAME
#  define OB_MODNAME _testlegacy
#endif

#define PY_SSIZE_T_CLEAN   /* y# in getbuffer() */
#include "oldbuffer.h"
#include "outcome.h"
#include <string.h>

/* Instance behaviour (the "mode" bits). */
enum {
    FAIL_READ = 1,       /* bf_getreadbuffer raises ValueError */
    FAIL_WRITE = 2,      /* bf_getwritebuffer raises TypeError (like str) */
    FAIL_CHAR = 4,       /* bf_getcharbuffer raises ValueError */
    FAIL_SILENT = 8,     /* the failing procs return -1 without exception */
    FAIL_SEGCOUNT = 16,  /* bf_getsegcount raises RuntimeError */
    WRITE_ONCE = 32      /* bf_getwritebuffer raises TypeError from its
                          * second call on (a proc with side effects) */
};

/* Which proc a count is for (LegacyObject.calls). */
enum { PROC_READ, PROC_WRITE, PROC_SEGCOUNT, PROC_CHAR, N_PROCS };

typedef struct {
    PyObject_HEAD
    int mode;
    Py_ssize_t segments;
    Py_ssize_t size;
    char data[32];
    long calls[N_PROCS];
} LegacyObject;

static Py_ssize_t
proc_failed(LegacyObject *self, PyObject *type, const char *message)
{
    if (!(self->mode & FAIL_SILENT)) {
        PyErr_SetString(type, message);
    }
    return -1;
}

static Py_ssize_t
legacy_segcount(PyObject *op, Py_ssize_t *lenp)
{
    LegacyObject *self = (LegacyObject *)op;

    self->calls[PROC_SEGCOUNT]++;
    if (self->mode & FAIL_SEGCOUNT) {
        PyErr_SetString(PyExc_RuntimeError, "segcount refuses");
        return -1;
    }
    if (lenp != NULL) {
        *lenp = self->size;
    }
    return self->segments;
}

/* The one segment from byte skip, for every proc that did not fail. */
static Py_ssize_t
legacy_segment(LegacyObject *self, Py_ssize_t segment, char **ptr,
               Py_ssize_t skip)
{
    if (segment != 0) {
        PyErr_SetString(PyExc_SystemError, "bad segment");
        return -1;
    }
    *ptr = self->data + skip;
    return self->size - skip;
}

static Py_ssize_t
legacy_read(PyObject *op, Py_ssize_t segment, void **ptr)
{
    LegacyObject *self = (LegacyObject *)op;
    char *p = NULL;
    Py_ssize_t len;

    self->calls[PROC_READ]++;
    if (self->mode & FAIL_READ) {
        return proc_failed(self, PyExc_ValueError, "read proc refuses");
    }
    len = legacy_segment(self, segment, &p, 0);
    *ptr = p;
    return len;
}

static Py_ssize_t
legacy_write(PyObject *op, Py_ssize_t segment, void **ptr)
{
    LegacyObject *self = (LegacyObject *)op;
    char *p = NULL;
    Py_ssize_t len;

    self->calls[PROC_WRITE]++;
    if (self->mode & FAIL_WRITE) {
        return proc_failed(self, PyExc_TypeError, "write proc refuses");
    }
    if ((self->mode & WRITE_ONCE) && self->calls[PROC_WRITE] > 1) {
        PyErr_SetString(PyExc_TypeError, "write proc used up");
        return -1;
    }
    /* The writable region is the second half: a consumer that takes the
     * wrong proc shows the wrong bytes. */
    len = legacy_segment(self, segment, &p, self->size / 2);
    *ptr = p;
    return len;
}

static Py_ssize_t
legacy_char(PyObject *op, Py_ssize_t segment, char **ptr)
{
    LegacyObject *self = (LegacyObject *)op;

    self->calls[PROC_CHAR]++;
    if (self->mode & FAIL_CHAR) {
        return proc_failed(self, PyExc_ValueError, "char proc refuses");
    }
    /* The text view skips the first byte, so char and read pointers
     * differ as they could in Python 2. */
    return legacy_segment(self, segment, ptr, self->size > 0 ? 1 : 0);
}

/* Which procs each type has: Python 2 initializers, in PyBufferProcs'
 * order (read, write, segcount, char). */
#if defined(__GNUC__) || defined(__clang__)
#  pragma GCC diagnostic push
#  pragma GCC diagnostic ignored "-Wmissing-field-initializers"
#endif
/* procs_all is const (All and AllLate): the same signature takes a const
 * table on every version, and 2.7's PyType_Ready does not write into
 * it. */
static const OldBuffer_LegacyProcs procs_all = {
    legacy_read, legacy_write, legacy_segcount, legacy_char
};
static OldBuffer_LegacyProcs procs_readonly = {
    legacy_read, NULL, legacy_segcount, legacy_char
};
static OldBuffer_LegacyProcs procs_char_only = {
    NULL, NULL, legacy_segcount, legacy_char
};
static OldBuffer_LegacyProcs procs_no_char = {
    legacy_read, legacy_write, legacy_segcount, NULL
};
static OldBuffer_LegacyProcs procs_no_segcount = {
    legacy_read, legacy_write, NULL, legacy_char
};
static OldBuffer_LegacyProcs procs_write_only = {
    NULL, legacy_write, legacy_segcount, NULL
};
#define N_TYPES 7
static PyTypeObject legacy_types[N_TYPES] = {
    {PyVarObject_HEAD_INIT(NULL, 0)}, {PyVarObject_HEAD_INIT(NULL, 0)},
    {PyVarObject_HEAD_INIT(NULL, 0)}, {PyVarObject_HEAD_INIT(NULL, 0)},
    {PyVarObject_HEAD_INIT(NULL, 0)}, {PyVarObject_HEAD_INIT(NULL, 0)},
    {PyVarObject_HEAD_INIT(NULL, 0)},
};
#if defined(__GNUC__) || defined(__clang__)
#  pragma GCC diagnostic pop
#endif
static const char *const type_names[N_TYPES] = {
    "_testlegacy.All", "_testlegacy.ReadOnly", "_testlegacy.CharOnly",
    "_testlegacy.NoChar", "_testlegacy.NoSegcount", "_testlegacy.WriteOnly",
    "_testlegacy.AllLate"
};
static const OldBuffer_LegacyProcs *const type_procs[N_TYPES] = {
    &procs_all, &procs_readonly, &procs_char_only, &procs_no_char,
    &procs_no_segcount, &procs_write_only, &procs_all
};
/* Which types get their procs after PyType_Ready (both orders are
 * supported; PyPy needs them before, so there none does). */
#if !defined(PYPY_VERSION)
static const int type_procs_late[N_TYPES] = {0, 1, 0, 1, 0, 1, 1};
#endif

static PyObject *
legacy_new(PyTypeObject *type, PyObject *args, PyObject *kwds)
{
    LegacyObject *self;
    int mode = 0;
    Py_ssize_t segments = 1;
    const char *data = "legacy data";
    Py_ssize_t size;

    (void)kwds;
    if (!PyArg_ParseTuple(args, "|ins", &mode, &segments, &data)) {
        return NULL;
    }
    size = (Py_ssize_t)strlen(data);
    if (size >= (Py_ssize_t)sizeof(((LegacyObject *)0)->data)) {
        PyErr_SetString(PyExc_ValueError, "data too long");
        return NULL;
    }
    self = (LegacyObject *)type->tp_alloc(type, 0);
    if (self == NULL) {
        return NULL;
    }
    self->mode = mode;
    self->segments = segments;
    self->size = size;
    memcpy(self->data, data, (size_t)size);
    memset(self->calls, 0, sizeof self->calls);
    return (PyObject *)self;
}

/* calls() -> (read, write, segcount, char): how often each proc ran */
static PyObject *
legacy_calls(PyObject *op, PyObject *args)
{
    LegacyObject *self = (LegacyObject *)op;
    (void)args;
    return Py_BuildValue("(llll)", self->calls[PROC_READ],
                         self->calls[PROC_WRITE], self->calls[PROC_SEGCOUNT],
                         self->calls[PROC_CHAR]);
}

/* The data as bytes: what a writer changed shows here. */
static PyObject *
legacy_contents(PyObject *op, PyObject *args)
{
    LegacyObject *self = (LegacyObject *)op;
    (void)args;
    return PyBytes_FromStringAndSize(self->data, self->size);
}

static PyMethodDef legacy_methods[] = {
    {"contents", legacy_contents, METH_NOARGS, "The exported bytes."},
    {"calls", legacy_calls, METH_NOARGS, "Calls of each proc so far."},
    {NULL, NULL, 0, NULL}
};

/* ---------------------------------------------------------------------
 * Module functions
 * ------------------------------------------------------------------- */

/* Python 2.7's own functions are the reference there; on Python 3 the
 * legacy names are oldbuffer's, with the modes the build defines (their
 * names are then function-like macros: called here, one site each). */
static int
call_char(PyObject *o, const char **b, Py_ssize_t *n)
{
    return PyObject_AsCharBuffer(o, b, n);
}

static int
call_read(PyObject *o, const void **b, Py_ssize_t *n)
{
    return PyObject_AsReadBuffer(o, b, n);
}

static int
call_write(PyObject *o, void **b, Py_ssize_t *n)
{
    return PyObject_AsWriteBuffer(o, b, n);
}

static int
call_check(PyObject *o)
{
    return PyObject_CheckReadBuffer(o);
}

static const ob_impl legacy_impl = {
    call_char, call_read, call_write, call_check
};

/* call(what, obj, how) -> outcome tuple (tests/ext/outcome.h) */
static PyObject *
call(PyObject *self, PyObject *args)
{
    int what, how = 0;
    PyObject *obj;

    (void)self;
    if (!PyArg_ParseTuple(args, "iO|i:call", &what, &obj, &how)) {
        return NULL;
    }
    return ob_outcome(&legacy_impl, what, obj, how);
}

/* data_address(obj) -> address of a Legacy object's data */
static PyObject *
data_address(PyObject *self, PyObject *obj)
{
    (void)self;
    return PyLong_FromVoidPtr(((LegacyObject *)obj)->data);
}

#if PY_MAJOR_VERSION >= 3
/* parse_y(obj) -> bytes: PyArg_ParseTuple's "y*" (the new protocol) */
static PyObject *
parse_y(PyObject *self, PyObject *args)
{
    Py_buffer view;
    PyObject *res;

    (void)self;
    if (!PyArg_ParseTuple(args, "y*:parse_y", &view)) {
        return NULL;
    }
    res = PyBytes_FromStringAndSize((const char *)view.buf, view.len);
    PyBuffer_Release(&view);
    return res;
}

/* getbuffer(obj, writable) -> (bytes, readonly): one PyObject_GetBuffer
 * with PyBUF_SIMPLE or PyBUF_WRITABLE */
static PyObject *
getbuffer(PyObject *self, PyObject *args)
{
    Py_buffer view;
    PyObject *obj;
    int writable;
    PyObject *res;

    (void)self;
    if (!PyArg_ParseTuple(args, "Oi:getbuffer", &obj, &writable)) {
        return NULL;
    }
    if (PyObject_GetBuffer(obj, &view,
                           writable ? PyBUF_WRITABLE : PyBUF_SIMPLE) != 0) {
        return NULL;
    }
    res = Py_BuildValue("(y#O)", (const char *)view.buf, view.len,
                        view.readonly ? Py_True : Py_False);
    PyBuffer_Release(&view);
    return res;
}

/* parse_w(obj, byte): write byte at 0 through PyArg_ParseTuple's "w*" */
static PyObject *
parse_w(PyObject *self, PyObject *args)
{
    Py_buffer view;
    int byte;

    (void)self;
    if (!PyArg_ParseTuple(args, "w*i:parse_w", &view, &byte)) {
        return NULL;
    }
    if (view.len > 0) {
        ((unsigned char *)view.buf)[0] = (unsigned char)byte;
    }
    PyBuffer_Release(&view);
    Py_INCREF(Py_None);
    return Py_None;
}
#endif

static PyMethodDef module_methods[] = {
    {"call", call, METH_VARARGS, "call(what, obj, how=0) -> outcome"},
    {"data_address", data_address, METH_O, "Address of a Legacy's data."},
#if PY_MAJOR_VERSION >= 3
    {"parse_y", parse_y, METH_VARARGS, "Parse obj with y*."},
    {"parse_w", parse_w, METH_VARARGS, "Write through w*."},
    {"getbuffer", getbuffer, METH_VARARGS, "getbuffer(obj, writable)."},
#endif
    {NULL, NULL, 0, NULL}
};

/* A heap type, made the way Python makes a class -- type(name, (All,),
 * {}) -- and given procs of its own (read-only) once ready: the procs of
 * the most derived type win.  Not on PyPy, which needs procs before
 * PyType_Ready, and a heap type is ready when it exists. */
static int
add_heap_type(PyObject *m)
{
#if defined(PYPY_VERSION)
    (void)m;
    return 0;
#else
    /* (2.7 declares the format char *: C++ needs the cast there.) */
    PyObject *heap = PyObject_CallFunction(
        (PyObject *)&PyType_Type, (char *)"s(O){}", "HeapReadOnly",
        (PyObject *)&legacy_types[0]);

    if (heap == NULL) {
        return -1;
    }
    if (OldBuffer_SetLegacyProcs((PyTypeObject *)heap, &procs_readonly) < 0
        || PyModule_AddObject(m, "HeapReadOnly", heap) < 0) {
        Py_DECREF(heap);
        return -1;
    }
    return 0;
#endif
}

#if defined(PYPY_VERSION)
#  define ATTACH_AFTER_READY(i) 0
#else
#  define ATTACH_AFTER_READY(i) type_procs_late[i]
#endif
static int
module_fill(PyObject *m)
{
    int i;

    for (i = 0; i < N_TYPES; i++) {
        PyTypeObject *t = &legacy_types[i];
        PyObject *as_object = (PyObject *)t;
        int before = !ATTACH_AFTER_READY(i);

        t->tp_name = type_names[i];
        t->tp_basicsize = (Py_ssize_t)sizeof(LegacyObject);
        t->tp_flags = Py_TPFLAGS_DEFAULT | Py_TPFLAGS_BASETYPE;
        t->tp_new = legacy_new;
        t->tp_methods = legacy_methods;
        if (before && OldBuffer_SetLegacyProcs(t, type_procs[i]) < 0) {
            return -1;
        }
        if (PyType_Ready(t) < 0) {
            return -1;
        }
        if (!before && OldBuffer_SetLegacyProcs(t, type_procs[i]) < 0) {
            return -1;
        }
        Py_INCREF(as_object);
        if (PyModule_AddObject(m, type_names[i] + strlen("_testlegacy."),
                               as_object) < 0) {
            Py_DECREF(as_object);
            return -1;
        }
    }
    /* The types whose procs are a static const table (legacy suite). */
    if (PyModule_AddStringConstant(m, "CONST_PROCS_TYPES", "All AllLate")
        < 0) {
        return -1;
    }
    return add_heap_type(m);
}

#include "testmodule.h"
