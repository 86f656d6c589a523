/* A Python 2 extension, written for oldbuffer-scan's tests: real uses of
 * the old buffer API, and decoys that must not be reported.
 *
 * Decoys in this comment: PyObject_AsCharBuffer, bf_getreadbuffer,
 * PyBuffer_New, Py_TPFLAGS_HAVE_NEWBUFFER.
 */
#include <Python.h>

// A line comment naming PyObject_AsReadBuffer, continued \
   onto this line with PyObject_AsWriteBuffer: still the comment.

#define MY_PyObject_AsCharBuffer_COMPAT 1       /* longer names: decoys */
#define PyObject_AsCharBufferX(o) (o)
#define HAVE_bf_getsegcount 1

static const char *message =
    "PyObject_AsCharBuffer \"PyBuffer_Type\" is gone\\";
static const char quote = '"';      /* a char literal holding a quote */
static const char *after_quote = "bf_getcharbuffer";
static const wchar_t *wide = L"PyBuffer_Check";
static const char *utf8 = u8"PyBuffer_FromMemory";
static int separated = 1'000, flags = Py_TPFLAGS_HAVE_NEWBUFFER; /* C++14 */
static const int multichar = 'bf_getsegcount';  /* a (bad) char literal */

static Py_ssize_t
legacy_read(PyObject *self, Py_ssize_t segment, void **ptr)
{
    return PyObject_AsReadBuffer(self, (const void **)ptr, &segment);
}

static PyBufferProcs legacy_as_buffer = {
    (readbufferproc)legacy_read,            /* bf_getreadbuffer */
    (writebufferproc)0,
    (segcountproc)0,
    (charbufferproc)0,
};

static int
use_all(PyObject *obj)
{
    const char *s; const void *r; void *w; Py_ssize_t n;
    PyObject *b = PyBuffer_FromObject(obj, 0, Py_END_OF_BUFFER);
    if (PyObject_AsCharBuffer(obj, &s, &n) < 0 ||
        PyObject_AsWriteBuffer(obj, &w, &n) < 0) return -1;
    (void)r;
    if (PyBuffer_Check(b) && PyObject_CheckReadBuffer(obj)) return 1;
    return obj->ob_type->tp_as_buffer->bf_getsegcount(obj, NULL);
}

static long flags = Py_TPFLAGS_DEFAULT | Py_TPFLAGS_HAVE_GETCHARBUFFER;

/* The remaining names, once each.  A non-ASCII character counts as one
 * column: ü */ static PyTypeObject *t = &PyBuffer_Type;

static PyBufferProcs designated = {
    .bf_getreadbuffer = 0, .bf_getwritebuffer = 0, .bf_getcharbuffer = 0,
};

#ifdef Py_TPFLAGS_HAVE_NEWBUFFER
#if 0   /* disabled code is still source: reported */
    PyBuffer_FromReadWriteObject(o, 0, 1); PyBuffer_New(16);
#endif
static PyObject *m(void *p) { return PyBuffer_FromMemory(p, 1); }
static PyObject *w(void *p) { return PyBuffer_FromReadWriteMemory(p, 1); }
#endif
