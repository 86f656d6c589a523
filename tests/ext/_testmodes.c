/* The test extension of oldbuffer's modes (tests/suites/suite_modes.py).
 *
 * One source, compiled once per mode -- OLDBUFFER_AUDIT,
 * OLDBUFFER_LIFETIME_SAFE, OLDBUFFER_PY2_TEXT, none, all three -- as C
 * and as C++, with -Wall -Wextra -Werror -Wconversion, and (audit and
 * Python 2 text) under Py_LIMITED_API 3.11 too.  Every legacy call here
 * goes through the PyObject_* names, so it gets the modes; the
 * OldBuffer_* names give the default for comparison.
 * tests/test_modes.py drives it.
 */
#ifndef OB_MODNAME
#  error "compile with -DOB_MODNAME=<module name>"
#endif

#define PY_SSIZE_T_CLEAN   /* y# in hold() */
#include "oldbuffer.h"
#include <string.h>
#include "outcome.h"

/* ---------------------------------------------------------------------
 * The four calls through the legacy names (one call site each) and
 * through OldBuffer_* (always the default)
 * ------------------------------------------------------------------- */
static int
legacy_char(PyObject *o, const char **b, Py_ssize_t *n)
{
    return PyObject_AsCharBuffer(o, b, n);
}

static int
legacy_read(PyObject *o, const void **b, Py_ssize_t *n)
{
    return PyObject_AsReadBuffer(o, b, n);
}

static int
legacy_write(PyObject *o, void **b, Py_ssize_t *n)
{
    return PyObject_AsWriteBuffer(o, b, n);
}

static int
legacy_check(PyObject *o)
{
    return PyObject_CheckReadBuffer(o);
}

enum { IMPL_DEFAULT = 0, IMPL_LEGACY = 1 };
static const ob_impl impls[] = {
    {OldBuffer_AsCharBuffer, OldBuffer_AsReadBuffer, OldBuffer_AsWriteBuffer,
     OldBuffer_CheckReadBuffer},
    {legacy_char, legacy_read, legacy_write, legacy_check},
};

/* call(what, impl, obj, how) -> outcome tuple (tests/ext/outcome.h) */
static PyObject *
call(PyObject *self, PyObject *args)
{
    (void)self;
    return ob_call_table(impls, IMPL_LEGACY + 1, args);
}

/* Two more read sites, each on one line with its __LINE__:
 * site_a(obj) / site_b(obj) -> (address, length, line). */
static PyObject *
site_result(int res, const void *buf, Py_ssize_t len, int line)
{
    if (res < 0) {
        return NULL;
    }
    return Py_BuildValue("(Nni)", PyLong_FromVoidPtr((void *)(size_t)buf),
                         len, line);
}

static PyObject *
site_a(PyObject *self, PyObject *obj)
{
    const void *buf = NULL;
    Py_ssize_t len = 0;
    int res, line;

    (void)self;
    res = PyObject_AsReadBuffer(obj, &buf, &len); line = __LINE__;
    return site_result(res, buf, len, line);
}

/* site_b with the audit: the public OldBuffer_AsReadBufferAt(), which
 * keeps its sites in the translation unit's table (the legacy names keep
 * a flag per site, with gcc and clang). */
static PyObject *
site_b(PyObject *self, PyObject *obj)
{
    const void *buf = NULL;
    Py_ssize_t len = 0;
    int res, line;

    (void)self;
#if defined(OLDBUFFER_AUDIT)
    res = OldBuffer_AsReadBufferAt(obj, &buf, &len, __FILE__, __LINE__);
    line = __LINE__ - 1;
#else
    res = PyObject_AsReadBuffer(obj, &buf, &len); line = __LINE__;
#endif
    return site_result(res, buf, len, line);
}

/* hold(obj, callback) -> (bytes, length, callback's result)
 *
 * The legacy pattern the lifetime-safe mode exists for: take the
 * pointer, call back into Python, then use the pointer -- read up to 16
 * bytes through it, and write its first byte back unchanged.  If the
 * callback resized obj meanwhile, that is a use after free without the
 * mode (AddressSanitizer reports it); with the mode, the resize raised
 * BufferError inside the callback. */
static PyObject *
hold(PyObject *self, PyObject *args)
{
    PyObject *obj, *callback, *res;
    void *buf;
    Py_ssize_t len;
    char copy[16];
    size_t n;

    (void)self;
    if (!PyArg_ParseTuple(args, "OO:hold", &obj, &callback)) {
        return NULL;
    }
    if (PyObject_AsWriteBuffer(obj, &buf, &len) < 0) {
        return NULL;
    }
    res = PyObject_CallObject(callback, NULL);
    if (res == NULL) {
        return NULL;
    }
    n = len < (Py_ssize_t)sizeof copy ? (size_t)len : sizeof copy;
    memcpy(copy, buf, n);
    if (n > 0) {
        ((char *)buf)[0] = copy[0];
    }
    return Py_BuildValue("(y#nN)", copy, (Py_ssize_t)n, len, res);
}

/* loop(obj, n) -> this thread's pins after n read calls on obj in this
 * one C function (the lifetime-safe mode keeps one, not n). */
static PyObject *
loop(PyObject *self, PyObject *args)
{
    PyObject *obj;
    Py_ssize_t n, i, len;
    const void *buf;

    (void)self;
    if (!PyArg_ParseTuple(args, "On:loop", &obj, &n)) {
        return NULL;
    }
    for (i = 0; i < n; i++) {
        if (PyObject_AsReadBuffer(obj, &buf, &len) < 0) {
            return NULL;
        }
    }
#if defined(OLDBUFFER_LIFETIME_SAFE)
    return PyLong_FromSsize_t(OldBuffer_PinCount());
#else
    return PyLong_FromLong(0);
#endif
}

/* pins() -> this thread's pins (0 without the lifetime-safe mode) */
static PyObject *
pins(PyObject *self, PyObject *args)
{
    (void)self;
    (void)args;
#if defined(OLDBUFFER_LIFETIME_SAFE)
    return PyLong_FromSsize_t(OldBuffer_PinCount());
#else
    return PyLong_FromLong(0);
#endif
}

#if !defined(Py_LIMITED_API)
#include <pythread.h>   /* not in Python.h before 3.7 */

/* ---------------------------------------------------------------------
 * A legacy call with no Python frame: from a thread started in C
 * ------------------------------------------------------------------- */
static struct {
    PyObject *obj;
    PyThread_type_lock done;
    int had_frame, call, resized;
    Py_ssize_t pins;
} c_thread;

static void
c_thread_main(void *unused)
{
    PyGILState_STATE gil = PyGILState_Ensure();
    const void *buf;
    Py_ssize_t len = 0;

    (void)unused;
    c_thread.had_frame = PyEval_GetFrame() != NULL;
    c_thread.call = PyObject_AsReadBuffer(c_thread.obj, &buf, &len);
#if defined(OLDBUFFER_LIFETIME_SAFE)
    c_thread.pins = OldBuffer_PinCount();
#endif
    /* Released at once: the bytearray resizes right away. */
    c_thread.resized = PyByteArray_Resize(c_thread.obj, len + 1) == 0
                       && PyByteArray_Resize(c_thread.obj, len) == 0;
    PyErr_Clear();
    PyGILState_Release(gil);
    PyThread_release_lock(c_thread.done);
}

/* no_frame(bytearray) -> (had_frame, call result, resized, pins) */
static PyObject *
no_frame(PyObject *self, PyObject *obj)
{
    (void)self;
    if (!PyByteArray_Check(obj)) {
        PyErr_SetString(PyExc_TypeError, "bytearray expected");
        return NULL;
    }
    c_thread.obj = obj;
    c_thread.pins = -1;
    c_thread.done = PyThread_allocate_lock();
    if (c_thread.done == NULL) {
        return PyErr_NoMemory();
    }
    PyThread_acquire_lock(c_thread.done, WAIT_LOCK);
    /* (PyPy's returns long, CPython's unsigned long.) */
    if ((unsigned long)PyThread_start_new_thread(c_thread_main, NULL)
        == (unsigned long)-1) {
        PyThread_free_lock(c_thread.done);
        PyErr_SetString(PyExc_RuntimeError, "cannot start a thread");
        return NULL;
    }
    Py_BEGIN_ALLOW_THREADS
    PyThread_acquire_lock(c_thread.done, WAIT_LOCK);
    Py_END_ALLOW_THREADS
    PyThread_free_lock(c_thread.done);
    return Py_BuildValue("(iiin)", c_thread.had_frame, c_thread.call,
                         c_thread.resized, c_thread.pins);
}

#include "exporter.h"

#endif /* !Py_LIMITED_API */

/* ---------------------------------------------------------------------
 * A legacy call from a slot, which no call instruction runs:
 * Subscript()[obj] -> the length of obj's buffer (tests/test_modes.py,
 * the lifetime-safe mode's limit on 3.11+)
 * ------------------------------------------------------------------- */
#if PY_MAJOR_VERSION >= 3
static PyObject *
subscript_get(PyObject *self, PyObject *obj)
{
    const void *buf;
    Py_ssize_t len;

    (void)self;
    if (PyObject_AsReadBuffer(obj, &buf, &len) < 0) {
        return NULL;
    }
    return PyLong_FromSsize_t(len);
}

static PyType_Slot subscript_slots[] = {
    {Py_mp_subscript, (void *)subscript_get},
    {0, NULL}
};

static PyType_Spec subscript_spec = {
    "oldbuffer_tests.Subscript", 0, 0, Py_TPFLAGS_DEFAULT, subscript_slots
};

static int
add_subscript(PyObject *m)
{
    PyObject *type = PyType_FromSpec(&subscript_spec);

    if (type == NULL) {
        return -1;
    }
    if (PyModule_AddObject(m, "Subscript", type) < 0) {
        Py_DECREF(type);
        return -1;
    }
    return 0;
}
#endif

/* ---------------------------------------------------------------------
 * Module
 * ------------------------------------------------------------------- */
static PyMethodDef module_methods[] = {
    {"call", call, METH_VARARGS,
     "call(what, impl, obj, how) -> outcome tuple"},
    {"site_a", site_a, METH_O, "site_a(obj) -> (address, length, line)"},
    {"site_b", site_b, METH_O, "site_b(obj) -> (address, length, line)"},
    {"hold", hold, METH_VARARGS,
     "hold(obj, callback) -> (bytes, length, callback result)"},
    {"loop", loop, METH_VARARGS, "loop(obj, n) -> pins"},
    {"pins", pins, METH_NOARGS, "pins() -> this thread's pins"},
#if !defined(Py_LIMITED_API)
    {"no_frame", no_frame, METH_O,
     "no_frame(bytearray) -> (had_frame, call, resized, pins)"},
#endif
    {NULL, NULL, 0, NULL}
};

static int
add_flag(PyObject *m, const char *name, int on)
{
    return PyModule_AddIntConstant(m, name, on);
}

static int
module_fill(PyObject *m)
{
#if defined(OLDBUFFER_AUDIT)
    const int audit = 1;
#else
    const int audit = 0;
#endif
#if defined(OLDBUFFER_LIFETIME_SAFE)
    const int lifetime_safe = 1;
#else
    const int lifetime_safe = 0;
#endif
#if defined(OLDBUFFER_PY2_TEXT)
    const int py2_text = 1;
#else
    const int py2_text = 0;
#endif
#if defined(OLDBUFFER_MODES)
    const int modes = 1;
#else
    const int modes = 0;
#endif
#if defined(Py_LIMITED_API)
    const int limited = 1;
#else
    const int limited = 0;
#endif

#if !defined(Py_LIMITED_API)
    if (add_exporter(m) < 0) {
        return -1;
    }
#endif
#if PY_MAJOR_VERSION >= 3
    if (add_subscript(m) < 0) {
        return -1;
    }
#endif
    if (add_flag(m, "AUDIT", audit) < 0
        || add_flag(m, "LIFETIME_SAFE", lifetime_safe) < 0
        || add_flag(m, "PY2_TEXT", py2_text) < 0
        || add_flag(m, "MODES", modes) < 0
        || add_flag(m, "LIMITED", limited) < 0) {
        return -1;
    }
    return PyModule_AddStringConstant(m, "SOURCE", __FILE__);
}

#include "testmodule.h"
