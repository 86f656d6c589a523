/* oldbuffer.h in an application that embeds Python: subinterpreters and
 * Python initialised again after Py_FinalizeEx (tests/suites/suite_embed.py).
 *
 * Built three times: as is, with OLDBUFFER_AUDIT and with
 * OLDBUFFER_LIFETIME_SAFE (3.6+ full API).  Three rounds of
 * Py_Initialize ... Py_FinalizeEx; in each, the write call on a bytes
 * object must fail with CPython's TypeError in the main interpreter and
 * in a subinterpreter (Py_NewInterpreter).  With the audit, a call at a
 * new site must raise that interpreter's own LegacyBufferWarning (with
 * warnings as errors), in each interpreter and round.  With the
 * lifetime-safe mode, each round also:
 *   - pins first in a subinterpreter, in the main thread and in another
 *     one, whose pending calls must not be taken for the main thread's
 *     (3.9 - 3.11 run them there; from another thread, never);
 *   - pins in the main interpreter, which must learn its main thread
 *     and keep the pin in the main thread's own list;
 *   - pins late: from an atexit function that runs after oldbuffer's,
 *     and from a __del__ run at the interpreter's teardown;
 *   - checks after Py_FinalizeEx that the header's state of the main
 *     thread is empty again (the Py_AtExit hook), so that the next round
 *     starts afresh instead of with records, flags and pins of a
 *     finalised runtime.
 * Each check prints "ok   ..." or "FAIL ..."; the exit status is the
 * number of failures.
 */
#define PY_SSIZE_T_CLEAN
#include "oldbuffer.h"
#include <stdio.h>
#include <string.h>
#include <pythread.h>

#define ROUNDS 3

static int failures;

static void
check(int cond, int round, const char *what)
{
    printf("%s round %d: %s\n", cond ? "ok  " : "FAIL", round, what);
    fflush(stdout);
    failures += !cond;
}

/* The write call on a bytes object must fail with CPython's TypeError;
 * leaves no exception set. */
static int
write_fails_right(void)
{
    PyObject *bytes = PyBytes_FromString("bytes");
    PyObject *type, *value, *tb, *str;
    void *buf = NULL;
    Py_ssize_t len = 0;
    int res, right = 0;

    if (bytes == NULL) {
        PyErr_Clear();
        return 0;
    }
    res = OldBuffer_AsWriteBuffer(bytes, &buf, &len);
    Py_DECREF(bytes);
    PyErr_Fetch(&type, &value, &tb);
    PyErr_NormalizeException(&type, &value, &tb);
    if (res == -1 && type == PyExc_TypeError && value != NULL) {
        str = PyObject_Str(value);
        right = str != NULL
                && PyUnicode_CompareWithASCIIString(
                       str, "expected a writable bytes-like object") == 0;
        Py_XDECREF(str);
    }
    Py_XDECREF(type);
    Py_XDECREF(value);
    Py_XDECREF(tb);
    PyErr_Clear();
    return right;
}

#if defined(OLDBUFFER_AUDIT)
/* A read call on a bytearray at a site of its own (line), with warnings
 * as errors: it must fail with this interpreter's
 * oldbuffer.LegacyBufferWarning (not one kept from another interpreter
 * or round).  Leaves no exception set. */
static int
audit_warns(int line)
{
    PyObject *ba, *type, *value, *tb, *module, *mine;
    const void *buf = NULL;
    Py_ssize_t len = 0;
    int res, right = 0;

    if (PyRun_SimpleString("import warnings\n"
                           "warnings.simplefilter('error')\n") != 0) {
        return 0;
    }
    ba = PyByteArray_FromStringAndSize("audit", 5);
    if (ba == NULL) {
        PyErr_Clear();
        return 0;
    }
    res = OldBuffer_AsReadBufferAt(ba, &buf, &len, "embed.c", line);
    Py_DECREF(ba);
    PyErr_Fetch(&type, &value, &tb);
    /* This interpreter's class: sys.modules["oldbuffer"]'s, here. */
    module = PyDict_GetItemString(PyImport_GetModuleDict(), "oldbuffer");
    mine = module == NULL ? NULL
           : PyObject_GetAttrString(module, "LegacyBufferWarning");
    right = res == -1 && type != NULL && type == mine
            && PyType_Check(type)
            && strcmp(((PyTypeObject *)type)->tp_name,
                      "LegacyBufferWarning") == 0
            && PyObject_IsSubclass(type, PyExc_Warning) == 1;
    Py_XDECREF(mine);
    Py_XDECREF(type);
    Py_XDECREF(value);
    Py_XDECREF(tb);
    PyErr_Clear();
    return right;
}
#endif

#if defined(OLDBUFFER_LIFETIME_SAFE)
/* pin(obj, n) -> pins: n read calls through the legacy name. */
static PyObject *
pin(PyObject *self, PyObject *args)
{
    PyObject *obj;
    Py_ssize_t n, i, len;
    const void *buf;

    (void)self;
    if (!PyArg_ParseTuple(args, "On:pin", &obj, &n)) {
        return NULL;
    }
    for (i = 0; i < n; i++) {
        if (PyObject_AsReadBuffer(obj, &buf, &len) < 0) {
            return NULL;
        }
    }
    return PyLong_FromSsize_t(OldBuffer_PinCount());
}

/* in_main() -> whether the header takes this thread and interpreter
 * for the main thread (whose pins go to their own list). */
static PyObject *
in_main(PyObject *self, PyObject *unused)
{
    (void)self;
    (void)unused;
    return PyBool_FromLong(oldbuffer_is_main_thread(PyThreadState_Get()));
}

static PyMethodDef pin_def = {"pin", pin, METH_VARARGS, "pin(obj, n)"};
static PyMethodDef in_main_def = {"in_main", in_main, METH_NOARGS,
                                  "in_main()"};

/* pin() and in_main() in this interpreter's __main__. */
static int
add_functions(void)
{
    PyObject *main = PyImport_AddModule("__main__");   /* borrowed */
    PyObject *f = PyCFunction_New(&pin_def, NULL);
    PyObject *g = PyCFunction_New(&in_main_def, NULL);
    int res = -1;

    if (main != NULL && f != NULL && g != NULL
        && PyObject_SetAttrString(main, "pin", f) == 0
        && PyObject_SetAttrString(main, "in_main", g) == 0) {
        res = 0;
    }
    Py_XDECREF(f);
    Py_XDECREF(g);
    if (res < 0) {
        PyErr_Print();
    }
    return res;
}

/* In the subinterpreters, before the main interpreter pins. */
static const char sub_script[] =
    "ba = bytearray(b'sub')\n"
    "pin(ba, 2)\n"
    "len(ba)\n";

/* A subinterpreter in a thread of its own, which pins; returns whether
 * all went well. */
static struct {
    PyThread_type_lock done;
    int ok;
} other;

static void
other_thread(void *unused)
{
    PyGILState_STATE gil = PyGILState_Ensure();
    PyThreadState *save = PyThreadState_Get(), *sub;

    (void)unused;
    sub = Py_NewInterpreter();
    other.ok = sub != NULL && add_functions() == 0
               && PyRun_SimpleString(sub_script) == 0;
    if (sub != NULL) {
        Py_EndInterpreter(sub);
    }
    PyThreadState_Swap(save);
    PyGILState_Release(gil);
    PyThread_release_lock(other.done);
}

static int
pin_in_other_thread(void)
{
#if PY_VERSION_HEX < 0x03070000
    /* (3.6 makes the GIL, and takes for the main thread the one that
     * asks, at the first PyGILState_Ensure() otherwise.) */
    PyEval_InitThreads();
#endif
    other.ok = 0;
    other.done = PyThread_allocate_lock();
    if (other.done == NULL) {
        return 0;
    }
    PyThread_acquire_lock(other.done, WAIT_LOCK);
    if ((unsigned long)PyThread_start_new_thread(other_thread, NULL)
        == (unsigned long)-1) {
        PyThread_free_lock(other.done);
        return 0;
    }
    Py_BEGIN_ALLOW_THREADS
    PyThread_acquire_lock(other.done, WAIT_LOCK);
    Py_END_ALLOW_THREADS
    PyThread_free_lock(other.done);
    return other.ok;
}

/* In the main interpreter; raises if something is off. */
static const char main_script[] =
    "import atexit\n"
    "def early():\n"
    "    # registered before oldbuffer's atexit function: runs after it\n"
    "    pin(bytearray(b'early'), 2)\n"
    "atexit.register(early)\n"
    "ba = bytearray(b'main')\n"
    "pin(ba, 1)\n"
    "n = pin(ba, 3)\n"
    "assert n == 1, n\n"
    "assert in_main(), 'the main thread is not known'\n"
    "ba += b'!'\n"
    "class Late(object):\n"
    "    def __del__(self):\n"
    "        pin(bytearray(b'late'), 3)\n"
    "late = Late()\n";
#endif

int
main(void)
{
    PyThreadState *main_ts, *sub_ts;
    int round;

    for (round = 1; round <= ROUNDS; round++) {
        Py_Initialize();
        main_ts = PyThreadState_Get();
        check(write_fails_right(), round,
              "main interpreter: TypeError('expected a writable "
              "bytes-like object')");
#if defined(OLDBUFFER_AUDIT)
        check(audit_warns(100 * round + 1), round,
              "main interpreter: LegacyBufferWarning");
#endif
        sub_ts = Py_NewInterpreter();
        check(sub_ts != NULL, round, "Py_NewInterpreter()");
        if (sub_ts != NULL) {
            check(write_fails_right(), round,
                  "subinterpreter: TypeError('expected a writable "
                  "bytes-like object')");
#if defined(OLDBUFFER_AUDIT)
            check(audit_warns(100 * round + 2), round,
                  "subinterpreter: its own LegacyBufferWarning");
#endif
#if defined(OLDBUFFER_LIFETIME_SAFE)
            check(add_functions() == 0
                  && PyRun_SimpleString(sub_script) == 0, round,
                  "subinterpreter: pins first");
#endif
            Py_EndInterpreter(sub_ts);
            PyThreadState_Swap(main_ts);
        }
#if defined(OLDBUFFER_LIFETIME_SAFE)
        check(pin_in_other_thread(), round,
              "a subinterpreter in another thread: pins first");
        check(add_functions() == 0 && PyRun_SimpleString(main_script) == 0,
              round, "main interpreter: the main thread learned, its pin "
              "in its own list, released after the call");
#endif
        check(Py_FinalizeEx() == 0, round, "Py_FinalizeEx()");
#if defined(OLDBUFFER_LIFETIME_SAFE)
        {
            oldbuffer_main_thread_state *m = oldbuffer_main_thread();

            check(m->first == NULL && m->spare == NULL && m->spares == 0
                  && !m->identified && !m->atexit_registered
                  && !m->py_atexit_registered && !m->pending_call_refused
                  && !*oldbuffer_pending_call_scheduled(), round,
                  "after Py_FinalizeEx: no pin, record or flag of the "
                  "main thread left");
        }
#endif
    }
    printf("%d failures\n", failures);
    return failures;
}
