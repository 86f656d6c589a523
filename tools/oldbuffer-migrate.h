/* Macros for spatch (tools/oldbuffer-migrate.cocci): what CPython's
 * statement macros do to control flow, so that a Py_RETURN_NONE after an
 * export is seen as the return it is and gets its PyBuffer_Release. */
#define Py_RETURN_NONE return Py_None
#define Py_RETURN_TRUE return Py_True
#define Py_RETURN_FALSE return Py_False
#define Py_RETURN_NOTIMPLEMENTED return Py_NotImplemented
#define Py_RETURN_RICHCOMPARE(a, b, op) return Py_NotImplemented
