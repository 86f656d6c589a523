/* oldchecksum -- a C extension written the Python 2 way.
 *
 * It uses the old buffer protocol exactly as Python 2 extensions did, and
 * does not know about oldbuffer at all.  On CPython 3.13+ it no longer
 * builds ("implicit declaration of function 'PyObject_AsReadBuffer'");
 * with oldbuffer it builds unchanged, on 2.7, 3.6 ... 3.15 and PyPy:
 *
 *     cc -shared -fPIC -include oldbuffer.h -I<oldbuffer>/include \
 *        -I<python include dir> oldchecksum.c -o oldchecksum.so
 *
 * Functions (each takes any object exporting a single-segment buffer):
 *   adler32(data[, value])   Adler-32 checksum, as zlib.adler32
 *   xor_inplace(target, key) XOR target's bytes with key (repeated);
 *                            target must be writable
 *   count(data, chars)       how often any byte of chars occurs in data
 *   is_buffer(obj)           True if obj exports a readable buffer
 */
#include <Python.h>

static PyObject *
oc_adler32(PyObject *self, PyObject *args)
{
    PyObject *obj;
    unsigned long value = 1, a, b;
    const void *buf;
    const unsigned char *p;
    Py_ssize_t len, i;

    (void)self;
    if (!PyArg_ParseTuple(args, "O|k:adler32", &obj, &value)) {
        return NULL;
    }
    if (PyObject_AsReadBuffer(obj, &buf, &len) < 0) {
        return NULL;
    }
    p = (const unsigned char *)buf;
    a = value & 0xffff;
    b = (value >> 16) & 0xffff;
    for (i = 0; i < len; i++) {
        a = (a + p[i]) % 65521;
        b = (b + a) % 65521;
    }
    return PyLong_FromUnsignedLong((b << 16) | a);
}

static PyObject *
oc_xor_inplace(PyObject *self, PyObject *args)
{
    PyObject *target, *key;
    void *tbuf;
    const void *kbuf;
    Py_ssize_t tlen, klen, i;

    (void)self;
    if (!PyArg_ParseTuple(args, "OO:xor_inplace", &target, &key)) {
        return NULL;
    }
    if (PyObject_AsReadBuffer(key, &kbuf, &klen) < 0) {
        return NULL;
    }
    if (klen == 0) {
        PyErr_SetString(PyExc_ValueError, "empty key");
        return NULL;
    }
    if (PyObject_AsWriteBuffer(target, &tbuf, &tlen) < 0) {
        return NULL;
    }
    for (i = 0; i < tlen; i++) {
        ((unsigned char *)tbuf)[i] ^= ((const unsigned char *)kbuf)[i % klen];
    }
    return PyLong_FromSsize_t(tlen);
}

static PyObject *
oc_count(PyObject *self, PyObject *args)
{
    PyObject *data, *chars;
    const char *d, *c;
    Py_ssize_t dlen, clen, i, n = 0;
    char wanted[256] = {0};

    (void)self;
    if (!PyArg_ParseTuple(args, "OO:count", &data, &chars)) {
        return NULL;
    }
    if (PyObject_AsCharBuffer(chars, &c, &clen) < 0) {
        return NULL;
    }
    for (i = 0; i < clen; i++) {
        wanted[(unsigned char)c[i]] = 1;
    }
    if (PyObject_AsCharBuffer(data, &d, &dlen) < 0) {
        return NULL;
    }
    for (i = 0; i < dlen; i++) {
        n += wanted[(unsigned char)d[i]];
    }
    return PyLong_FromSsize_t(n);
}

static PyObject *
oc_is_buffer(PyObject *self, PyObject *obj)
{
    (void)self;
    return PyBool_FromLong(PyObject_CheckReadBuffer(obj));
}

static PyMethodDef oc_methods[] = {
    {"adler32", oc_adler32, METH_VARARGS, "adler32(data[, value])"},
    {"xor_inplace", oc_xor_inplace, METH_VARARGS, "xor_inplace(target, key)"},
    {"count", oc_count, METH_VARARGS, "count(data, chars)"},
    {"is_buffer", oc_is_buffer, METH_O, "is_buffer(obj)"},
    {NULL, NULL, 0, NULL}
};

#if PY_MAJOR_VERSION >= 3
static struct PyModuleDef oc_module = {
    PyModuleDef_HEAD_INIT, "oldchecksum", "Old-buffer checksums.", -1,
    oc_methods, NULL, NULL, NULL, NULL
};

PyMODINIT_FUNC
PyInit_oldchecksum(void)
{
    return PyModule_Create(&oc_module);
}
#else
PyMODINIT_FUNC
initoldchecksum(void)
{
    Py_InitModule3("oldchecksum", oc_methods, "Old-buffer checksums.");
}
#endif
