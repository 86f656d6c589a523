/* fuzz_oldbuffer.c -- the differential fuzzer of oldbuffer.h.
 *
 * A libFuzzer target (clang -fsanitize=fuzzer,address,undefined) that
 * embeds CPython 3.12+ (linked to the interpreter's shared libpython).
 * Each input describes one object; the target calls the four calls on it
 * -- oldbuffer's OldBuffer_* and the interpreter's own PyObject_* -- plain
 * and with the NULL-argument / exception-already-set variants the input
 * asks for, and abort()s, so that libFuzzer saves the input, on:
 *   - any difference in return value, pointer, length, whether the
 *     outputs were written, exception type, message, or exception left
 *     set;
 *   - a change in the object's reference count or live exports after a
 *     call, or an export still alive at the end (objects.py's settle():
 *     a bytearray must resize, a memoryview must release, ...);
 *   - anything ASan or UBSan reports; the exported memory is read (and,
 *     for a writable export, rewritten) in full so that they can.
 *
 * Input layout:  byte 0  object kind (fuzz/objects.py, build())
 *                byte 1  an extra variant, in the bits of tests/ext/outcome.h:
 *                        1 obj NULL, 2 buffer NULL, 4 length NULL,
 *                        8 exception already set (every call also runs
 *                        without them)
 *                rest    the object's parameters and contents
 *
 * An outcome is the tests' own (tests/ext/outcome.h, ob_outcome()): the tuple
 * (ret, address, length, exception type, message, outputs written).
 *
 * Build and run: fuzz/build.sh PYTHON OUT_DIR, or `make fuzz` (README).
 */
#define PY_SSIZE_T_CLEAN   /* y# and friends take Py_ssize_t (3.12) */
#include <Python.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#if PY_VERSION_HEX < 0x030C0000
#  error "the fuzzer needs CPython 3.12+ (PyErr_GetRaisedException)"
#endif

enum { NCALLS = 4 };

static const char *const call_names[NCALLS] = {
    "AsCharBuffer", "AsReadBuffer", "AsWriteBuffer", "CheckReadBuffer"
};

#define OLDBUFFER_NO_COMPAT_NAMES
#include "oldbuffer.h"
#include "outcome.h"   /* tests/ext/outcome.h: the tests' outcome tuples */

/* The two implementations compared: the interpreter's own (through the
 * header's OldBuffer_Native_*) and oldbuffer's. */
static const ob_impl native_impl = {
    OldBuffer_Native_AsCharBuffer, OldBuffer_Native_AsReadBuffer,
    OldBuffer_Native_AsWriteBuffer, OldBuffer_Native_CheckReadBuffer
};
static const ob_impl oldbuffer_impl = {
    OldBuffer_AsCharBuffer, OldBuffer_AsReadBuffer, OldBuffer_AsWriteBuffer,
    OldBuffer_CheckReadBuffer
};

/* ---------------------------------------------------------------------
 * _fuzzexporter: the tests' Exporter (tests/ext/exporter.h, a buffer
 * exporter that misbehaves on request), and two helpers for objects.py
 * ------------------------------------------------------------------- */

#include "exporter.h"   /* tests/ext/exporter.h */

/* read(obj) -> length: OldBuffer_AsReadBuffer, for hooks that re-enter. */
static PyObject *
fx_read(PyObject *module, PyObject *obj)
{
    const void *buf;
    Py_ssize_t len;

    (void)module;
    if (OldBuffer_AsReadBuffer(obj, &buf, &len) < 0) {
        return NULL;
    }
    return PyLong_FromSsize_t(len);
}

/* release(view): view.release(), failing only with the BufferError of a
 * view still exported; what a hostile release hook raised is cleared
 * here, where it is certain to be seen. */
static PyObject *
fx_release(PyObject *module, PyObject *view)
{
    PyObject *res = PyObject_CallMethod(view, "release", NULL);

    (void)module;
    if (res == NULL && PyErr_ExceptionMatches(PyExc_BufferError)) {
        return NULL;
    }
    Py_XDECREF(res);
    PyErr_Clear();
    Py_RETURN_NONE;
}

static PyMethodDef fx_methods[] = {
    {"read", fx_read, METH_O, "OldBuffer_AsReadBuffer(obj) -> length."},
    {"release", fx_release, METH_O, "view.release(), hook errors cleared."},
    {NULL, NULL, 0, NULL}
};

static struct PyModuleDef fx_module = {
    PyModuleDef_HEAD_INIT, "_fuzzexporter", NULL, -1, fx_methods,
    NULL, NULL, NULL, NULL
};

static PyObject *
fx_init(void)
{
    PyObject *m = PyModule_Create(&fx_module);

    if (m != NULL && add_exporter(m) < 0) {
        Py_CLEAR(m);
    }
    return m;
}

/* ---------------------------------------------------------------------
 * Outcomes, object state, and what counts as a difference
 * ------------------------------------------------------------------- */

/* Outcome tuple items (tests/ext/outcome.h). */
enum { O_RET, O_ADDR, O_LEN, O_EXC_TYPE, O_EXC_TEXT, O_WRITTEN, O_SIZE };

/* Live exports of obj and of what it views: a call must not change them. */
typedef struct {
    Py_ssize_t refcnt, exports, base_refcnt, base_exports;
} State;

static PyObject *build_fn, *settle_fn;
static int verbose;   /* OB_FUZZ_VERBOSE=1 */

static void die(const char *why, int what, int how, PyObject *obj,
                PyObject *native, PyObject *ours);

static PyObject *
outcome_of(const ob_impl *impl, int what, PyObject *obj, int how)
{
    PyObject *o = ob_outcome(impl, what, obj, how);

    if (o == NULL) {
        PyErr_Print();
        die("the outcome cannot be described", what, how, obj, NULL, NULL);
    }
    return o;
}

static long
item_long(PyObject *outcome, int i)
{
    return PyLong_AsLong(PyTuple_GET_ITEM(outcome, i));
}

static int
item_is_none(PyObject *outcome, int i)
{
    return PyTuple_GET_ITEM(outcome, i) == Py_None;
}

static Py_ssize_t
exports_of(PyObject *o)
{
    if (o == NULL) {
        return 0;
    }
    if (PyByteArray_Check(o)) {
        return ((PyByteArrayObject *)o)->ob_exports;
    }
    if (PyObject_TypeCheck(o, &ExporterType)) {
        return ((ExporterObject *)o)->exports;
    }
    if (PyMemoryView_Check(o)) {
        return ((PyMemoryViewObject *)o)->exports;
    }
    return 0;
}

static void
snapshot(PyObject *obj, State *s)
{
    PyObject *base = NULL;

    if (PyMemoryView_Check(obj) && ((PyMemoryViewObject *)obj)->mbuf) {
        base = ((PyMemoryViewObject *)obj)->mbuf->master.obj;
    }
    s->refcnt = Py_REFCNT(obj);
    s->exports = exports_of(obj);
    s->base_refcnt = base != NULL ? Py_REFCNT(base) : 0;
    s->base_exports = exports_of(base);
}

static void
describe(const char *who, PyObject *outcome)
{
    PyObject *repr = PyObject_Repr(outcome);
    const char *text = repr != NULL ? PyUnicode_AsUTF8(repr) : NULL;

    fprintf(stderr, "  %-9s %s\n", who, text != NULL ? text : "?");
    Py_XDECREF(repr);
}

static void
die(const char *why, int what, int how, PyObject *obj, PyObject *native,
    PyObject *ours)
{
    fprintf(stderr, "\nOLDBUFFER FUZZ: %s\n  call %s, variant %d, object "
            "of type %s\n", why, call_names[what], how,
            Py_TYPE(obj)->tp_name);
    if (native != NULL) {
        describe("native", native);
    }
    if (ours != NULL) {
        describe("oldbuffer", ours);
    }
    abort();
}

/* stable_addr: compare the addresses too (see stable_address()). */
static int
same_outcome(PyObject *a, PyObject *b, int stable_addr)
{
    int i;

    for (i = 0; i < O_SIZE; i++) {
        if ((i != O_ADDR || stable_addr)
            && PyObject_RichCompareBool(PyTuple_GET_ITEM(a, i),
                                        PyTuple_GET_ITEM(b, i), Py_EQ) != 1) {
            return 0;
        }
    }
    return 1;
}

/* Touch every byte of a successful export, so that ASan sees an address
 * or length that does not describe live memory.  A writable export gets
 * each byte written back unchanged. */
static void
touch(PyObject *outcome, int what)
{
    volatile unsigned char *p;
    Py_ssize_t i, len;

    if (item_long(outcome, O_RET) != 0 || item_is_none(outcome, O_ADDR)) {
        return;
    }
    p = (volatile unsigned char *)PyLong_AsVoidPtr(
        PyTuple_GET_ITEM(outcome, O_ADDR));
    len = PyLong_AsSsize_t(PyTuple_GET_ITEM(outcome, O_LEN));
    for (i = 0; p != NULL && i < len; i++) {
        unsigned char c = p[i];
        if (what == CALL_WRITE) {
            p[i] = c;
        }
    }
}

static void
check_state(const State *before, PyObject *obj, const char *who, int what,
            int how, PyObject *o)
{
    State after;

    snapshot(obj, &after);
    if (memcmp(before, &after, sizeof(State)) != 0) {
        fprintf(stderr, "refcnt %zd -> %zd, exports %zd -> %zd, base refcnt"
                " %zd -> %zd, base exports %zd -> %zd\n", before->refcnt,
                after.refcnt, before->exports, after.exports,
                before->base_refcnt, after.base_refcnt,
                before->base_exports, after.base_exports);
        die(who, what, how, obj, NULL, o);
    }
}

/* CheckReadBuffer(NULL): the interpreter's own crashes; oldbuffer returns
 * 0 and leaves the exception state as it was. */
static void
check_null_check(PyObject *obj, int how)
{
    PyObject *ours = outcome_of(&oldbuffer_impl, CALL_CHECK, obj, how);
    PyObject *expected = (how & PRESET_EXC) ? PyExc_KeyError : Py_None;

    if (item_long(ours, O_RET) != 0
        || PyTuple_GET_ITEM(ours, O_EXC_TYPE) != expected) {
        die("CheckReadBuffer(NULL) is not 0 with no new exception",
            CALL_CHECK, how, obj, NULL, ours);
    }
    Py_DECREF(ours);
}

/* Does a second native call export the same address?  Not so for an
 * exporter that copies its data into a fresh object each time (a PEP 688
 * __buffer__ returning a new memoryview): then the addresses cannot be
 * compared, and the memory is gone when the call returns. */
static int
stable_address(PyObject *obj, int what, int how, PyObject *native)
{
    PyObject *again;
    int stable;

    if (item_long(native, O_RET) != 0 || item_is_none(native, O_ADDR)) {
        return 1;
    }
    again = outcome_of(&native_impl, what, obj, how);
    stable = PyObject_RichCompareBool(PyTuple_GET_ITEM(again, O_ADDR),
                                      PyTuple_GET_ITEM(native, O_ADDR),
                                      Py_EQ) == 1;
    Py_DECREF(again);
    return stable;
}

static void
check_call(PyObject *obj, int readable, int what, int how)
{
    PyObject *native, *ours;
    State before;
    int stable;

    if (what == CALL_CHECK && (how & NULL_OBJ)) {
        check_null_check(obj, how);
        return;
    }
    snapshot(obj, &before);
    native = outcome_of(&native_impl, what, obj, how);
    stable = stable_address(obj, what, how, native);
    check_state(&before, obj, "the native call changed the object's state",
                what, how, native);
    ours = outcome_of(&oldbuffer_impl, what, obj, how);
    check_state(&before, obj, "oldbuffer changed the object's state", what,
                how, ours);
    if (!same_outcome(native, ours, stable)) {
        die("oldbuffer differs from the interpreter", what, how, obj,
            native, ours);
    }
    if (readable && stable && !(how & (NULL_OBJ | NULL_BUF | NULL_LEN))) {
        touch(ours, what);
    }
    Py_DECREF(native);
    Py_DECREF(ours);
}

/* ---------------------------------------------------------------------
 * libFuzzer entry points
 * ------------------------------------------------------------------- */

/* CPython does not free everything at exit (and is never finalized
 * here): leak reports would be its, not ours.  Exports and reference
 * counts, which is what the calls could leak, are checked above. */
const char *__asan_default_options(void);
const char *
__asan_default_options(void)
{
    return "detect_leaks=0";
}

static void
fail_init(const char *what)
{
    fprintf(stderr, "fuzz_oldbuffer: %s\n", what);
    if (PyErr_Occurred()) {
        PyErr_Print();
    }
    exit(2);
}

static void
start_python(void)
{
    PyPreConfig pre;
    PyConfig config;
    const char *home = getenv("PYTHONHOME");

    PyPreConfig_InitPythonConfig(&pre);
    /* The system allocator: ASan then sees every object's bounds. */
    pre.allocator = PYMEM_ALLOCATOR_MALLOC;
    if (PyStatus_Exception(Py_PreInitialize(&pre))) {
        fail_init("cannot pre-initialize Python");
    }
    PyConfig_InitPythonConfig(&config);
    config.install_signal_handlers = 0;   /* libFuzzer's own stay */
    config.site_import = 0;
    config.write_bytecode = 0;
    config.parse_argv = 0;
#ifdef OB_PYTHONHOME
    if (home == NULL) {
        home = OB_PYTHONHOME;   /* the prefix of the interpreter built for */
    }
#endif
    if (home != NULL && PyStatus_Exception(PyConfig_SetBytesString(
            &config, &config.home, home))) {
        fail_init("bad PYTHONHOME");
    }
    if (PyImport_AppendInittab("_fuzzexporter", fx_init) < 0
        || PyStatus_Exception(Py_InitializeFromConfig(&config))) {
        fail_init("cannot initialize Python");
    }
    PyConfig_Clear(&config);
}

static void
load_objects(void)
{
    PyObject *path = PySys_GetObject("path");
    PyObject *dir = PyUnicode_FromString(OB_FUZZ_DIR);
    PyObject *mod;

    if (path == NULL || dir == NULL || PyList_Insert(path, 0, dir) < 0) {
        fail_init("cannot extend sys.path");
    }
    Py_DECREF(dir);
    mod = PyImport_ImportModule("objects");
    if (mod == NULL) {
        fail_init("cannot import " OB_FUZZ_DIR "/objects.py");
    }
    build_fn = PyObject_GetAttrString(mod, "build");
    settle_fn = PyObject_GetAttrString(mod, "settle");
    if (build_fn == NULL || settle_fn == NULL) {
        fail_init("objects.py lacks build() or settle()");
    }
    Py_DECREF(mod);
}

int LLVMFuzzerInitialize(int *argc, char ***argv);
int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    verbose = getenv("OB_FUZZ_VERBOSE") != NULL;
    start_python();
    load_objects();
    return 0;
}

static void
settle(PyObject *obj)
{
    PyObject *res = PyObject_CallOneArg(settle_fn, obj);

    if (res == NULL) {
        PyErr_Print();
        fprintf(stderr, "\nOLDBUFFER FUZZ: an export of a %s was leaked\n",
                Py_TYPE(obj)->tp_name);
        abort();
    }
    Py_DECREF(res);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    PyObject *built, *obj;
    int readable, what, how;

    if (size < 2) {
        return 0;
    }
    built = PyObject_CallFunction(build_fn, "iy#", (int)data[0], data + 2,
                                  (Py_ssize_t)(size - 2));
    if (built == NULL
        || !PyArg_ParseTuple(built, "Op", &obj, &readable)) {
        /* Not an object (e.g. an invalid cast): nothing to call.  Set
         * OB_FUZZ_VERBOSE=1 to see why, when writing seeds. */
        if (verbose) {
            PyErr_Print();
        }
        PyErr_Clear();
        Py_XDECREF(built);
        return 0;
    }
    how = data[1] & (PRESET_EXC | NULL_OBJ | NULL_BUF | NULL_LEN);
    for (what = 0; what < NCALLS; what++) {
        check_call(obj, readable, what, 0);
        if (how != 0) {
            check_call(obj, readable, what, how);
        }
    }
    settle(obj);
    Py_DECREF(built);
    return 0;
}
