// C++ with raw strings: what is inside them is text, not code.
#include <Python.h>

static const char *doc = R"(PyObject_AsReadBuffer is deprecated)";
static const char *delim = R"sep(a )" is not the end: PyBuffer_New
)sep";
static const char *prefixed = u8R"x(PyBuffer_Type)x";

int copy_out(PyObject *o, const void **p, Py_ssize_t *n)
{
    return PyObject_AsReadBuffer(o, p, n); // PyBuffer_New in a comment
}

struct Legacy { getreadbufferproc get; getsegcountproc count; };
typedef getwritebufferproc write_t; typedef getcharbufferproc char_t;
