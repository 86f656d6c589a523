/* The audit and lifetime-safe modes in own-GIL subinterpreters
 * (tests/suites/suite_subinterp.py, tests/test_subinterp.py).
 *
 * PEP 684 (3.12): a subinterpreter may have a GIL of its own, and then
 * runs in parallel with the others; a module that declares
 * Py_MOD_PER_INTERPRETER_GIL_SUPPORTED can be imported there, and all
 * its imports share its static C state -- here the audit's per-site
 * flags and table of sites, and the lifetime-safe mode's main-thread
 * state.  That is also what a free-threaded build does to them, so this
 * module is the test of both that can run with a GIL.  Multi-phase
 * initialisation (testmodule.h is single-phase, which own-GIL
 * subinterpreters refuse).  Full API, GCC or clang (the barrier uses
 * their atomic builtins), CPython 3.12+.
 */
#include <Python.h>
#include <time.h>

#define OLDBUFFER_AUDIT 1
#define OLDBUFFER_AUDIT_MAX_SITES 16384
#if !defined(Py_GIL_DISABLED)
#  define OLDBUFFER_LIFETIME_SAFE 1
#endif
#include "oldbuffer.h"

#if PY_VERSION_HEX < 0x030C0000
#  error "own-GIL subinterpreters are 3.12+ (PEP 684)"
#endif

/* ---------------------------------------------------------------------
 * A barrier shared by every interpreter: the proof that the callers ran
 * in parallel.  Each caller holds its own GIL while it waits here; with
 * one GIL for all, the first would wait alone until the deadline.
 * ------------------------------------------------------------------- */
static long arrived;

/* reset() -> None: the barrier made ready for a new round. */
static PyObject *
reset(PyObject *self, PyObject *unused)
{
    (void)self;
    (void)unused;
    __atomic_store_n(&arrived, 0, __ATOMIC_SEQ_CST);
    Py_RETURN_NONE;
}

/* 1 when all parties arrived within 3 seconds, else 0. */
static int
barrier(long parties)
{
    time_t deadline = time(NULL) + 3;

    __atomic_fetch_add(&arrived, 1, __ATOMIC_SEQ_CST);
    while (__atomic_load_n(&arrived, __ATOMIC_SEQ_CST) < parties) {
        if (time(NULL) > deadline) {
            return 0;
        }
    }
    return 1;
}

/* How many of the lines first ... first + count - 1 of this file the
 * audit's table does not know. */
static long
missing_sites(long first, long count)
{
    long i, missing = 0;

    for (i = 0; i < count; i++) {
        missing += !oldbuffer_site_warned(__FILE__, (int)(first + i), 0);
    }
    return missing;
}

/* missing(first, count) -> how many of those lines the table lacks. */
static PyObject *
missing(PyObject *self, PyObject *args)
{
    long first, count;

    (void)self;
    if (!PyArg_ParseTuple(args, "ll", &first, &count)) {
        return NULL;
    }
    return PyLong_FromLong(missing_sites(first, count));
}

/* A count shared by every interpreter: note(n) adds n, noted() reads. */
static long noted_total;

static PyObject *
note(PyObject *self, PyObject *arg)
{
    long n = PyLong_AsLong(arg);

    (void)self;
    if (n == -1 && PyErr_Occurred()) {
        return NULL;
    }
    __atomic_fetch_add(&noted_total, n, __ATOMIC_SEQ_CST);
    Py_RETURN_NONE;
}

static PyObject *
noted(PyObject *self, PyObject *unused)
{
    (void)self;
    (void)unused;
    return PyLong_FromLong(__atomic_load_n(&noted_total, __ATOMIC_SEQ_CST));
}

/* mark_sites(first, count, parties) -> (all arrived, missing): after
 * the barrier, marks count sites in the audit's table, as a warning
 * does, then looks each up again. */
static PyObject *
mark_sites(PyObject *self, PyObject *args)
{
    long first, count, parties, i;
    int all;

    (void)self;
    if (!PyArg_ParseTuple(args, "lll", &first, &count, &parties)) {
        return NULL;
    }
    all = barrier(parties);
    for (i = 0; i < count; i++) {
        (void)oldbuffer_site_warned(__FILE__, (int)(first + i), 1);
    }
    return Py_BuildValue("il", all, missing_sites(first, count));
}

/* audit_calls(obj, first, count, parties) -> (all arrived, missing):
 * after the barrier, the audited read call at count sites (the table's
 * way: OldBuffer_AsReadBufferAt names its site), each warning once. */
static PyObject *
audit_calls(PyObject *self, PyObject *args)
{
    PyObject *obj;
    long first, count, parties, i;
    const void *buf;
    Py_ssize_t len;
    int all;

    (void)self;
    if (!PyArg_ParseTuple(args, "Olll", &obj, &first, &count, &parties)) {
        return NULL;
    }
    all = barrier(parties);
    for (i = 0; i < count; i++) {
        if (OldBuffer_AsReadBufferAt(obj, &buf, &len, __FILE__,
                                     (int)(first + i)) < 0) {
            return NULL;
        }
    }
    return Py_BuildValue("il", all, missing_sites(first, count));
}

/* site_calls(obj, n, parties) -> all arrived: after the barrier, n read
 * calls at one site (its own flag, with GCC and clang). */
static PyObject *
site_calls(PyObject *self, PyObject *args)
{
    PyObject *obj;
    long n, parties, i;
    const void *buf;
    Py_ssize_t len;
    int all;

    (void)self;
    if (!PyArg_ParseTuple(args, "Oll", &obj, &n, &parties)) {
        return NULL;
    }
    all = barrier(parties);
    for (i = 0; i < n; i++) {
        if (PyObject_AsReadBuffer(obj, &buf, &len) < 0) {
            return NULL;
        }
    }
    return PyBool_FromLong(all);
}

/* write_and_call(obj, callback) -> callback's result: the write call,
 * then the callback, then a write through the pointer (which the
 * lifetime-safe mode keeps valid: a resize in the callback fails). */
static PyObject *
write_and_call(PyObject *self, PyObject *args)
{
    PyObject *obj, *callback, *res;
    void *buf;
    Py_ssize_t len;

    (void)self;
    if (!PyArg_ParseTuple(args, "OO", &obj, &callback)) {
        return NULL;
    }
    if (PyObject_AsWriteBuffer(obj, &buf, &len) < 0) {
        return NULL;
    }
    res = PyObject_CallNoArgs(callback);
    if (res != NULL && len > 0) {
        OLDBUFFER_CAST(char *, buf)[0] = 'w';
    }
    return res;
}

/* canary(parties) -> all arrived: after the barrier, a plain increment
 * of a shared static -- the race ThreadSanitizer must report, which
 * shows that it watches this module in these threads. */
static long canary_count;

static PyObject *
canary(PyObject *self, PyObject *arg)
{
    long parties = PyLong_AsLong(arg), i;
    int all;

    (void)self;
    if (parties == -1 && PyErr_Occurred()) {
        return NULL;
    }
    all = barrier(parties);
    for (i = 0; i < 1000; i++) {
        canary_count++;
    }
    return PyBool_FromLong(all);
}

/* pins() -> this thread's pins (0 without the lifetime-safe mode). */
static PyObject *
pins(PyObject *self, PyObject *unused)
{
    (void)self;
    (void)unused;
#if defined(OLDBUFFER_LIFETIME_SAFE)
    return PyLong_FromSsize_t(OldBuffer_PinCount());
#else
    return PyLong_FromLong(0);
#endif
}

static PyMethodDef module_methods[] = {
    {"reset", reset, METH_NOARGS, NULL},
    {"missing", missing, METH_VARARGS, NULL},
    {"note", note, METH_O, NULL},
    {"noted", noted, METH_NOARGS, NULL},
    {"mark_sites", mark_sites, METH_VARARGS, NULL},
    {"audit_calls", audit_calls, METH_VARARGS, NULL},
    {"site_calls", site_calls, METH_VARARGS, NULL},
    {"write_and_call", write_and_call, METH_VARARGS, NULL},
    {"pins", pins, METH_NOARGS, NULL},
    {"canary", canary, METH_O, NULL},
    {NULL, NULL, 0, NULL}
};

static int
module_exec(PyObject *m)
{
#if defined(OLDBUFFER_LIFETIME_SAFE)
    const long lifetime_safe = 1;
#else
    const long lifetime_safe = 0;
#endif
    return PyModule_AddIntConstant(m, "LIFETIME_SAFE", lifetime_safe);
}

static PyModuleDef_Slot module_slots[] = {
    {Py_mod_exec, OLDBUFFER_CAST(void *, module_exec)},
    {Py_mod_multiple_interpreters, Py_MOD_PER_INTERPRETER_GIL_SUPPORTED},
#if PY_VERSION_HEX >= 0x030D0000
    {Py_mod_gil, Py_MOD_GIL_NOT_USED},
#endif
    {0, NULL}
};

static struct PyModuleDef module_def = {
    PyModuleDef_HEAD_INIT, "_testsubinterp", NULL, 0, module_methods,
    module_slots, NULL, NULL, NULL
};

PyMODINIT_FUNC
PyInit__testsubinterp(void)
{
    return PyModuleDef_Init(&module_def);
}
