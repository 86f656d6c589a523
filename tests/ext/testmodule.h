/* The module boilerplate of oldbuffer's test extensions.
 *
 * A test source defines OB_MODNAME (usually with -D), its method table
 * module_methods and "static int module_fill(PyObject *m)" (0, or -1
 * with an exception), then includes this file last.  It defines the
 * module's init function for Python 2 and 3, in C and C++, with the
 * full or the limited API.
 */
#ifndef OLDBUFFER_TESTS_TESTMODULE_H
#define OLDBUFFER_TESTS_TESTMODULE_H

#ifndef OB_MODNAME
#  error "define OB_MODNAME (the module's name) before including testmodule.h"
#endif

#define OB_CAT2(a, b) a##b
#define OB_CAT(a, b) OB_CAT2(a, b)
#define OB_STR2(a) #a
#define OB_STR(a) OB_STR2(a)

#ifdef __cplusplus
#  define OB_EXTERN_C extern "C"
#else
#  define OB_EXTERN_C
#endif

#if PY_MAJOR_VERSION >= 3

#if defined(__GNUC__) || defined(__clang__)
#  pragma GCC diagnostic push
#  pragma GCC diagnostic ignored "-Wmissing-field-initializers"
#endif
static struct PyModuleDef module_def = {
    PyModuleDef_HEAD_INIT, OB_STR(OB_MODNAME), NULL, -1, module_methods
};
#if defined(__GNUC__) || defined(__clang__)
#  pragma GCC diagnostic pop
#endif

OB_EXTERN_C PyMODINIT_FUNC
OB_CAT(PyInit_, OB_MODNAME)(void)
{
    PyObject *m = PyModule_Create(&module_def);

    if (m != NULL && module_fill(m) < 0) {
        Py_DECREF(m);
        return NULL;
    }
    return m;
}

#else /* Python 2 */

OB_EXTERN_C PyMODINIT_FUNC
OB_CAT(init, OB_MODNAME)(void)
{
    PyObject *m = Py_InitModule(OB_STR(OB_MODNAME), module_methods);

    if (m != NULL) {
        (void)module_fill(m);   /* an exception left set fails the import */
    }
}

#endif
#endif /* OLDBUFFER_TESTS_TESTMODULE_H */
