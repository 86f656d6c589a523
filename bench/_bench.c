/* The benchmark extension of oldbuffer (module _bench, and _bench_audit
 * and _bench_lifetime: the same file built with -DBENCH_MODE_AUDIT or
 * -DBENCH_MODE_LIFETIME, which turn the header's mode on).
 *
 * measure(call, impl, objects, limit_how, iterations) runs one of the
 * four calls `iterations` times in a C loop, on the objects of a tuple in
 * turn (one object: the same one each time; 16: "many small buffers"),
 * and returns the elapsed nanoseconds.  Three implementations are
 * measured side by side:
 *
 *   IMPL_NATIVE     the interpreter's own PyObject_As*Buffer, through
 *                   the header's OldBuffer_Native_* (a call into the
 *                   interpreter, as from a legacy extension);
 *   IMPL_OLDBUFFER  the header's calls, inlined into the loop exactly as
 *                   a user's extension gets them: the PyObject_* names,
 *                   which are OldBuffer_* in _bench and the mode's calls
 *                   in _bench_audit and _bench_lifetime;
 *   IMPL_LIMIT      the fastest direct code that gets the same answer
 *                   for this object (see limit_* below).
 *
 * one_call(call, object) makes one call (IMPL_OLDBUFFER) and returns its
 * result: the cost of a whole C function making one legacy call, which is
 * what the modes are about, is timed from Python around it.
 *
 * Every result is folded into an accumulator that ends in a volatile
 * sink, and the object pointer passes through an empty asm statement on
 * every iteration, so the compiler can neither drop the calls nor hoist
 * the type checks and loads of the inlined code out of the loop.
 * bench/bench.py drives it; bench/run.py builds it for each interpreter.
 */
#if defined(BENCH_MODE_AUDIT)
#  define OLDBUFFER_AUDIT 1
#  define BENCH_NAME "_bench_audit"
#  define BENCH_INIT PyInit__bench_audit
#elif defined(BENCH_MODE_LIFETIME)
#  define OLDBUFFER_LIFETIME_SAFE 1
#  define BENCH_NAME "_bench_lifetime"
#  define BENCH_INIT PyInit__bench_lifetime
#else
#  define BENCH_NAME "_bench"
#  define BENCH_INIT PyInit__bench
#endif
#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <time.h>

#include "oldbuffer.h"

#if defined(__GNUC__) || defined(__clang__)
/* The compiler must assume obj changed: redo every load and check. */
#  define LAUNDER(p) __asm__ volatile("" : "+r"(p))
#else
#  define LAUNDER(p) ((void)0)
#endif

enum { CALL_CHAR = 0, CALL_READ = 1, CALL_WRITE = 2, CALL_CHECK = 3 };
enum { IMPL_NATIVE = 0, IMPL_OLDBUFFER = 1, IMPL_LIMIT = 2 };
/* How the limit gets its answer for one object (bench.py chooses). */
enum {
    LIMIT_BYTES = 0,      /* PyBytes_AS_STRING/GET_SIZE */
    LIMIT_BYTEARRAY = 1,  /* PyByteArray_AS_STRING/GET_SIZE */
    LIMIT_SLOTS = 2,      /* bf_getbuffer + bf_releasebuffer directly */
    LIMIT_NO_BUFFER = 3   /* the type check that says "no buffer" */
};

static volatile size_t sink;

static double
now_ns(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1e9 + (double)ts.tv_nsec;
}

/* ---------------------------------------------------------------------
 * The loops: one per (call, implementation), the call inlined in each
 * ------------------------------------------------------------------- */

/* Fold one outcome into the accumulator; a failure's exception is
 * cleared as any caller would (the same cost for every implementation
 * that raises). */
#define FOLD(res, p, n) \
    do { \
        acc += (size_t)(res) + (size_t)(p) + (size_t)(n); \
        if ((res) < 0) { \
            PyErr_Clear(); \
        } \
    } while (0)

/* objs[i & mask]: the objects in turn (mask + 1 of them, a power of 2). */
#define LOOP(decl, expr) \
    for (i = 0; i < iterations; i++) { \
        decl; \
        Py_ssize_t n = 0; \
        int res; \
        PyObject *obj = objs[i & mask]; \
        LAUNDER(obj); \
        res = (expr); \
        FOLD(res, p, n); \
    }

/* ---------------------------------------------------------------------
 * The limit: the fastest direct code giving the same answer
 * ------------------------------------------------------------------- */

/* One export through the type's own slots, released at once: what
 * PyObject_GetBuffer + PyBuffer_Release do, minus the calls and the
 * checks (this object is known to export). */
static inline int
limit_slots(PyObject *obj, int flags, void **buf, Py_ssize_t *len)
{
    PyBufferProcs *pb = Py_TYPE(obj)->tp_as_buffer;
    Py_buffer view;

    if (pb->bf_getbuffer(obj, &view, flags) < 0) {
        return -1;
    }
    *buf = view.buf;
    *len = view.len;
    if (pb->bf_releasebuffer != NULL) {
        pb->bf_releasebuffer(obj, &view);
    }
    Py_DECREF(view.obj);
    return 0;
}

static inline int
limit_no_buffer(PyObject *obj)
{
    PyBufferProcs *pb = Py_TYPE(obj)->tp_as_buffer;

    return pb == NULL || pb->bf_getbuffer == NULL ? -1 : 0;
}

/* The limit of one call.  bytes and bytearray: their storage, read
 * directly (no type check).  Other exporters: one export through their
 * slots.  No buffer at all: the cheapest type check, no exception.  The
 * write call on bytes must fail with CPython's TypeError, so its limit
 * is the exact-type check plus that raise, with a message made once. */
static inline int
limit_call(int call, int how, PyObject *obj, void **buf, Py_ssize_t *len)
{
    switch (how) {
    case LIMIT_BYTES:
        if (call == CALL_WRITE) {
            if (PyBytes_CheckExact(obj)) {
                /* The message made once (this module runs in one
                 * interpreter): the fastest raise, which oldbuffer.h
                 * does not do (see its oldbuffer_write_failed). */
                static PyObject *message;

                if (message == NULL) {
                    message = PyUnicode_FromString(
                        "expected a writable bytes-like object");
                    if (message == NULL) {
                        return -1;
                    }
                }
                PyErr_SetObject(PyExc_TypeError, message);
                return -1;
            }
            return 0;
        }
        if (call == CALL_CHECK) {
            return PyBytes_CheckExact(obj);
        }
        *buf = PyBytes_AS_STRING(obj);
        *len = PyBytes_GET_SIZE(obj);
        return 0;
    case LIMIT_BYTEARRAY:
        if (call == CALL_CHECK) {
            return PyByteArray_CheckExact(obj);
        }
        *buf = PyByteArray_AS_STRING(obj);
        *len = PyByteArray_GET_SIZE(obj);
        return 0;
    case LIMIT_SLOTS:
        if (call == CALL_CHECK) {
            return limit_slots(obj, PyBUF_SIMPLE, buf, len) == 0;
        }
        return limit_slots(obj, call == CALL_WRITE ? PyBUF_WRITABLE
                                                   : PyBUF_SIMPLE, buf, len);
    default:
        if (call == CALL_CHECK) {
            return limit_no_buffer(obj) + 1;
        }
        return limit_no_buffer(obj);
    }
}

/* One function per (implementation, call, limit kind), never inlined
 * into measure(): each loop gets its own registers and code placement,
 * so that no loop pays for the size of another (all inlined into one
 * function, the char loop of bytes once took 3x the read loop's time). */
#if defined(__GNUC__) || defined(__clang__)
#  define LOOP_FUNC static __attribute__((noinline)) size_t
#else
#  define LOOP_FUNC static size_t
#endif
typedef size_t (*loop_func)(PyObject *const *objs, Py_ssize_t mask,
                            Py_ssize_t iterations);

/* The four loops of an implementation whose functions are
 * PREFIX##AsCharBuffer & co.: OldBuffer_Native_* (the interpreter's own,
 * a real call into it) and PyObject_* (the header's, inlined). */
#define IMPL_LOOP(name, decl, expr) \
    LOOP_FUNC \
    name(PyObject *const *objs, Py_ssize_t mask, Py_ssize_t iterations) \
    { \
        Py_ssize_t i; \
        size_t acc = 0; \
        LOOP(decl, expr); \
        return acc; \
    }
#define IMPL_LOOPS(name, prefix) \
    IMPL_LOOP(name##_char, const char *p = NULL, \
              prefix##AsCharBuffer(obj, &p, &n)) \
    IMPL_LOOP(name##_read, const void *p = NULL, \
              prefix##AsReadBuffer(obj, &p, &n)) \
    IMPL_LOOP(name##_write, void *p = NULL, \
              prefix##AsWriteBuffer(obj, &p, &n)) \
    IMPL_LOOP(name##_check, void *p = NULL, prefix##CheckReadBuffer(obj))

IMPL_LOOPS(loop_native, OldBuffer_Native_)
IMPL_LOOPS(loop_oldbuffer, PyObject_)

/* The limit's `how` is fixed per object: one loop per (how, call), so
 * that the switch in limit_call folds away. */
#define LIMIT_LOOPS(name, how_) \
    IMPL_LOOP(name##_char, void *p = NULL, \
              limit_call(CALL_CHAR, (how_), obj, &p, &n)) \
    IMPL_LOOP(name##_read, void *p = NULL, \
              limit_call(CALL_READ, (how_), obj, &p, &n)) \
    IMPL_LOOP(name##_write, void *p = NULL, \
              limit_call(CALL_WRITE, (how_), obj, &p, &n)) \
    IMPL_LOOP(name##_check, void *p = NULL, \
              limit_call(CALL_CHECK, (how_), obj, &p, &n))

LIMIT_LOOPS(loop_limit_bytes, LIMIT_BYTES)
LIMIT_LOOPS(loop_limit_bytearray, LIMIT_BYTEARRAY)
LIMIT_LOOPS(loop_limit_slots, LIMIT_SLOTS)
LIMIT_LOOPS(loop_limit_no_buffer, LIMIT_NO_BUFFER)

#define FOUR(name) {name##_char, name##_read, name##_write, name##_check}
/* [how][call] */
static const loop_func limit_loops[4][4] = {
    FOUR(loop_limit_bytes), FOUR(loop_limit_bytearray),
    FOUR(loop_limit_slots), FOUR(loop_limit_no_buffer)
};
/* [impl][call], the limit's row filled in by measure() */
static const loop_func impl_loops[2][4] = {
    FOUR(loop_native), FOUR(loop_oldbuffer)
};

/* measure(call, impl, objects, limit_how, iterations) -> elapsed ns */
static PyObject *
measure(PyObject *self, PyObject *args)
{
    int call, impl, how;
    PyObject *objects;
    Py_ssize_t iterations, count, i;
    double t0, t1;
    size_t acc;
    loop_func loop;

    (void)self;
    if (!PyArg_ParseTuple(args, "iiO!in:measure", &call, &impl,
                          &PyTuple_Type, &objects, &how, &iterations)) {
        return NULL;
    }
    count = PyTuple_GET_SIZE(objects);
    if (call < CALL_CHAR || call > CALL_CHECK || impl < IMPL_NATIVE
        || impl > IMPL_LIMIT || how < LIMIT_BYTES || how > LIMIT_NO_BUFFER
        || iterations <= 0 || count == 0 || (count & (count - 1)) != 0) {
        PyErr_SetString(PyExc_ValueError, "bad argument");
        return NULL;
    }
    for (i = 0; i < count; i++) {
        PyObject *obj = PyTuple_GET_ITEM(objects, i);

        if (how == LIMIT_SLOTS && (Py_TYPE(obj)->tp_as_buffer == NULL
            || Py_TYPE(obj)->tp_as_buffer->bf_getbuffer == NULL)) {
            PyErr_SetString(PyExc_ValueError,
                            "the object has no bf_getbuffer");
            return NULL;
        }
    }
    loop = impl == IMPL_LIMIT ? limit_loops[how][call]
                              : impl_loops[impl][call];
    t0 = now_ns();
    acc = loop(&PyTuple_GET_ITEM(objects, 0), count - 1, iterations);
    t1 = now_ns();
    sink += acc;
    return PyFloat_FromDouble(t1 - t0);
}

/* one_call(call, object) -> the call's result (exception cleared) */
static PyObject *
one_call(PyObject *self, PyObject *args)
{
    int call, res;
    PyObject *obj;
    const char *cp = NULL;
    const void *rp = NULL;
    void *wp = NULL;
    Py_ssize_t n = 0;

    (void)self;
    if (!PyArg_ParseTuple(args, "iO:one_call", &call, &obj)) {
        return NULL;
    }
    switch (call) {
    case CALL_CHAR:
        res = PyObject_AsCharBuffer(obj, &cp, &n);
        break;
    case CALL_READ:
        res = PyObject_AsReadBuffer(obj, &rp, &n);
        break;
    case CALL_WRITE:
        res = PyObject_AsWriteBuffer(obj, &wp, &n);
        break;
    default:
        res = PyObject_CheckReadBuffer(obj);
        break;
    }
    if (res < 0) {
        PyErr_Clear();
    }
    sink += (size_t)cp + (size_t)rp + (size_t)wp + (size_t)n;
    return PyLong_FromLong(res);
}

#if !defined(PYPY_VERSION)
/* The pending call of one_call_pending(): nothing. */
static int
bench_nothing(void *unused)
{
    (void)unused;
    return 0;
}

/* one_call_pending(call, object) -> one_call(call, object), then one
 * pending call scheduled (Py_AddPendingCall), which the eval loop runs
 * right after this function returns: the floor of the lifetime-safe
 * mode's release, whatever oldbuffer's own work costs. */
static PyObject *
one_call_pending(PyObject *self, PyObject *args)
{
    PyObject *res = one_call(self, args);

    if (res != NULL && Py_AddPendingCall(bench_nothing, NULL) != 0) {
        Py_DECREF(res);
        PyErr_SetString(PyExc_RuntimeError, "the pending calls are full");
        return NULL;
    }
    return res;
}
#endif

static PyMethodDef bench_methods[] = {
    {"measure", measure, METH_VARARGS,
     "measure(call, impl, objects, limit_how, iterations) -> elapsed ns"},
    {"one_call", one_call, METH_VARARGS,
     "one_call(call, object) -> the call's result"},
#if !defined(PYPY_VERSION)
    {"one_call_pending", one_call_pending, METH_VARARGS,
     "one_call_pending(call, object) -> one_call(), then a pending call"},
#endif
    {NULL, NULL, 0, NULL}
};

static struct PyModuleDef bench_module = {
    PyModuleDef_HEAD_INIT, BENCH_NAME, NULL, -1, bench_methods,
    NULL, NULL, NULL, NULL
};

PyMODINIT_FUNC
BENCH_INIT(void)
{
    PyObject *m = PyModule_Create(&bench_module);

    if (m == NULL) {
        return NULL;
    }
#if defined(OLDBUFFER_NO_FAST_PATHS)
    if (PyModule_AddIntConstant(m, "FAST_PATHS", 0) < 0) {
#else
    if (PyModule_AddIntConstant(m, "FAST_PATHS", 1) < 0) {
#endif
        Py_DECREF(m);
        return NULL;
    }
    return m;
}
