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
#if defined(Py_GIL_DISABLED) && !defined(Py_LIMITED_API)
    /* Free-threaded builds (PEP 703, 3.13): a module that does not say
     * it runs without the GIL gets the GIL enabled again at import, with
     * a RuntimeWarning.  These modules share no state between threads
     * but what the import sets up, and oldbuffer.h's calls are safe
     * there (the audit's state is atomic; lifetime-safe is an #error).
     * A pointer used after the call (write_through) is the legacy
     * hazard they test, from one thread.  Single-phase initialisation:
     * PyUnstable_Module_SetGIL (a multi-phase module has Py_mod_gil). */
    if (m != NULL && PyUnstable_Module_SetGIL(m, Py_MOD_GIL_NOT_USED) < 0) {
        Py_DECREF(m);
        return NULL;
    }
#endif
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
