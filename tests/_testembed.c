/* oldbuffer.h in an application that embeds Python: subinterpreters and
 * a second initialisation (tests/suite_embed.py).
 *
 * The write call's error keeps the main interpreter's message, a str
 * (3.9+, OLDBUFFER_KEEP_WRITE_MESSAGE in the header): a subinterpreter
 * must raise with its own, and Py_FinalizeEx must forget the kept one,
 * which belongs to the interpreter it ends, so that the next
 * Py_Initialize makes a new one.  Two rounds of Py_Initialize, the calls
 * in the main interpreter and in a subinterpreter, Py_FinalizeEx.  Each
 * check prints "ok   what" or "FAIL what"; the exit status is the number
 * of failures.
 */
#define PY_SSIZE_T_CLEAN
#include "oldbuffer.h"
#include <stdio.h>

static int failures;

static void
check(int cond, int round, const char *what)
{
    printf("%s round %d: %s\n", cond ? "ok  " : "FAIL", round, what);
    failures += !cond;
}

/* The write call on a bytes object, which must fail with CPython's
 * TypeError: its message (a new reference), or NULL if it did not fail
 * that way.  Leaves no exception set. */
static PyObject *
write_error_message(void)
{
    PyObject *bytes = PyBytes_FromString("bytes");
    PyObject *type, *value, *tb, *args, *msg = NULL;
    void *buf = NULL;
    Py_ssize_t len = 0;
    int res;

    if (bytes == NULL) {
        PyErr_Clear();
        return NULL;
    }
    res = OldBuffer_AsWriteBuffer(bytes, &buf, &len);
    Py_DECREF(bytes);
    PyErr_Fetch(&type, &value, &tb);
    PyErr_NormalizeException(&type, &value, &tb);
    if (res == -1 && type == PyExc_TypeError && value != NULL) {
        args = PyObject_GetAttrString(value, "args");
        if (args != NULL && PyTuple_Check(args)
            && PyTuple_GET_SIZE(args) == 1) {
            msg = PyTuple_GET_ITEM(args, 0);
            if (PyUnicode_Check(msg)
                && PyUnicode_CompareWithASCIIString(
                       msg, "expected a writable bytes-like object") == 0) {
                Py_INCREF(msg);
            }
            else {
                msg = NULL;
            }
        }
        Py_XDECREF(args);
    }
    Py_XDECREF(type);
    Py_XDECREF(value);
    Py_XDECREF(tb);
    PyErr_Clear();
    return msg;
}

int
main(void)
{
    PyObject *first, *again, *sub;
    PyThreadState *main_ts, *sub_ts;
    int round;

    for (round = 1; round <= 2; round++) {
        Py_Initialize();
        first = write_error_message();
        again = write_error_message();
        check(first != NULL && again != NULL, round,
              "main interpreter: TypeError('expected a writable "
              "bytes-like object')");
#if defined(OLDBUFFER_KEEP_WRITE_MESSAGE)
        check(first != NULL && first == again
              && oldbuffer_write_message()->message == first, round,
              "main interpreter: the message is made once and kept");
#endif
        main_ts = PyThreadState_Get();
        sub_ts = Py_NewInterpreter();
        check(sub_ts != NULL, round, "Py_NewInterpreter()");
        if (sub_ts != NULL) {
            sub = write_error_message();
            check(sub != NULL, round,
                  "subinterpreter: TypeError('expected a writable "
                  "bytes-like object')");
            check(sub != NULL && sub != first, round,
                  "subinterpreter: a message of its own, not the main "
                  "interpreter's");
            Py_XDECREF(sub);
            Py_EndInterpreter(sub_ts);
            PyThreadState_Swap(main_ts);
        }
#if defined(OLDBUFFER_KEEP_WRITE_MESSAGE)
        check(first != NULL && oldbuffer_write_message()->message == first,
              round, "main interpreter: its kept message unchanged");
#endif
        Py_XDECREF(first);
        Py_XDECREF(again);
        check(Py_FinalizeEx() == 0, round, "Py_FinalizeEx()");
#if defined(OLDBUFFER_KEEP_WRITE_MESSAGE)
        check(oldbuffer_write_message()->message == NULL
              && !oldbuffer_write_message()->at_exit, round,
              "Py_FinalizeEx forgot the kept message");
#endif
    }
    printf("%d failures\n", failures);
    return failures;
}
