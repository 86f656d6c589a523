/* Calling one old-buffer function and describing what it did, for the
 * test extensions (tests/ext/_testoldbuffer.c and
 * tests/ext/_testoldbuffer_abi3.c).
 *
 * Written against the limited API of 3.2 as well as the full API of 2.7
 * and 3.x, so the abi3 test module can share it.  Include after
 * oldbuffer.h (or Python.h).
 */
#ifndef OLDBUFFER_TESTS_OUTCOME_H
#define OLDBUFFER_TESTS_OUTCOME_H

/* One implementation of the four calls. */
typedef struct {
    int (*as_char)(PyObject *, const char **, Py_ssize_t *);
    int (*as_read)(PyObject *, const void **, Py_ssize_t *);
    int (*as_write)(PyObject *, void **, Py_ssize_t *);
    int (*check)(PyObject *);
} ob_impl;

enum { CALL_CHAR = 0, CALL_READ = 1, CALL_WRITE = 2, CALL_CHECK = 3 };
/* Bits of the "how" argument. */
enum {
    NULL_OBJ = 1,      /* pass obj = NULL */
    NULL_BUF = 2,      /* pass buffer = NULL */
    NULL_LEN = 4,      /* pass buffer_len = NULL */
    PRESET_EXC = 8     /* call with KeyError('preset') already set */
};

/* PyErr_Fetch is deprecated from 3.12 but is the only way under older
 * limited APIs. */
#if PY_VERSION_HEX >= 0x030C0000 \
    && (!defined(Py_LIMITED_API) || Py_LIMITED_API + 0 >= 0x030C0000)
#  define OB_HAVE_RAISED_EXCEPTION 1
#endif

/* The exception set now (it must be one), normalised and left set: a
 * new reference to its value, to tell it apart later from an equal one
 * raised anew. */
static PyObject *
ob_peek_exception(void)
{
    PyObject *value;
#if defined(OB_HAVE_RAISED_EXCEPTION)
    value = PyErr_GetRaisedException();
    Py_XINCREF(value);
    PyErr_SetRaisedException(value);
#else
    PyObject *type, *tb;
#  if defined(__GNUC__) || defined(__clang__)
#    pragma GCC diagnostic push
#    pragma GCC diagnostic ignored "-Wdeprecated-declarations"
#  endif
    PyErr_Fetch(&type, &value, &tb);
    PyErr_NormalizeException(&type, &value, &tb);
    Py_XINCREF(value);
    PyErr_Restore(type, value, tb);
#  if defined(__GNUC__) || defined(__clang__)
#    pragma GCC diagnostic pop
#  endif
#endif
    return value;
}

/* Take the current exception, if any: *type and *text get new references
 * (None, None when no exception is set); *same says whether its value is
 * preset (the very object, not an equal one).  Returns -1 on error. */
static int
ob_take_exception(PyObject *preset, PyObject **type, PyObject **text,
                  int *same)
{
    PyObject *value;

    *same = 0;
    if (!PyErr_Occurred()) {
        Py_INCREF(Py_None);
        Py_INCREF(Py_None);
        *type = *text = Py_None;
        return 0;
    }
#if defined(OB_HAVE_RAISED_EXCEPTION)
    value = PyErr_GetRaisedException();
    *type = (PyObject *)Py_TYPE(value);
    Py_INCREF(*type);
#else
    {
        PyObject *tb;
#  if defined(__GNUC__) || defined(__clang__)
#    pragma GCC diagnostic push
#    pragma GCC diagnostic ignored "-Wdeprecated-declarations"
#  endif
        PyErr_Fetch(type, &value, &tb);
        PyErr_NormalizeException(type, &value, &tb);
#  if defined(__GNUC__) || defined(__clang__)
#    pragma GCC diagnostic pop
#  endif
        Py_XDECREF(tb);
    }
#endif
    *same = value != NULL && value == preset;
    *text = value != NULL ? PyObject_Str(value)
                          : PyObject_Str(Py_None);
    Py_XDECREF(value);
    if (*text == NULL) {
        Py_DECREF(*type);
        return -1;
    }
    return 0;
}

/* Call one function of impl and return
 *   (ret, address or None, length or None, exc_type or None,
 *    exc_message or None, outputs_written)
 * where exc_* describe the exception set after the call, whatever ret
 * was, and outputs_written says whether *buffer or *buffer_len changed.
 * With PRESET_EXC the tuple has a seventh item: 1 when the exception
 * left set is the preset one itself, else 0. */
static PyObject *
ob_outcome(const ob_impl *impl, int what, PyObject *obj, int how)
{
    /* Sentinels show whether the call wrote its outputs. */
    static char sentinel_byte;
    void *sentinel = &sentinel_byte;
    const char *cbuf = (const char *)sentinel;
    const void *rbuf = sentinel;
    void *wbuf = sentinel;
    void *addr = sentinel;
    const Py_ssize_t untouched = -12345;
    Py_ssize_t len = untouched;
    Py_ssize_t *lenp = (how & NULL_LEN) ? NULL : &len;
    PyObject *o = (how & NULL_OBJ) ? NULL : obj;
    PyObject *etype, *etext, *res, *preset = NULL;
    int ret, written, same;

    if (how & PRESET_EXC) {
        PyErr_SetString(PyExc_KeyError, "preset");
        preset = ob_peek_exception();
    }
    switch (what) {
    case CALL_CHAR:
        ret = impl->as_char(o, (how & NULL_BUF) ? NULL : &cbuf, lenp);
        addr = (void *)(size_t)cbuf;
        break;
    case CALL_READ:
        ret = impl->as_read(o, (how & NULL_BUF) ? NULL : &rbuf, lenp);
        addr = (void *)(size_t)rbuf;
        break;
    case CALL_WRITE:
        ret = impl->as_write(o, (how & NULL_BUF) ? NULL : &wbuf, lenp);
        addr = wbuf;
        break;
    case CALL_CHECK:
        ret = impl->check(o);
        break;
    default:
        Py_XDECREF(preset);
        PyErr_SetString(PyExc_ValueError, "bad 'what'");
        return NULL;
    }
    if (ob_take_exception(preset, &etype, &etext, &same) < 0) {
        Py_XDECREF(preset);
        return NULL;
    }
    Py_XDECREF(preset);
    written = addr != sentinel || len != untouched;
    if (addr == sentinel) {
        res = Py_BuildValue("(iOONNi)", ret, Py_None, Py_None, etype, etext,
                            written);
    }
    else {
        res = Py_BuildValue("(iNnNNi)", ret, PyLong_FromVoidPtr(addr), len,
                            etype, etext, written);
    }
    if (res != NULL && (how & PRESET_EXC)) {
        PyObject *tail = Py_BuildValue("(i)", same), *all;

        all = tail != NULL ? PySequence_Concat(res, tail) : NULL;
        Py_XDECREF(tail);
        Py_DECREF(res);
        res = all;
    }
    return res;
}

/* The module function call(what, impl, obj, how) -> outcome tuple, where
 * impl picks one of the n implementations of the table.  (Inline: the
 * modules with one implementation do not use it.) */
OLDBUFFER_INLINE PyObject *
ob_call_table(const ob_impl *impls, int n, PyObject *args)
{
    int what, impl, how;
    PyObject *obj;

    if (!PyArg_ParseTuple(args, "iiOi:call", &what, &impl, &obj, &how)) {
        return NULL;
    }
    if (impl < 0 || impl >= n) {
        PyErr_SetString(PyExc_ValueError, "bad 'impl'");
        return NULL;
    }
    return ob_outcome(&impls[impl], what, obj, how);
}

#endif /* OLDBUFFER_TESTS_OUTCOME_H */
