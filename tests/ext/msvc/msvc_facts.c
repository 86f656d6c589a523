/* What the MSVC-mode compile test (tests/suites/suite_compile.py) rests
 * on, checked by the compiler: that it compiles for 64-bit Windows with
 * MSVC's predefined macros, that Python.h read tests/ext/msvc/pyconfig.h
 * and not the Linux pyconfig.h next to the interpreter's headers, and
 * that the sizes are LLP64's.  With -DOLDBUFFER_TEST_NOT_CLANG (the
 * suite's "msvc" flavour) it also checks that clang hides itself, so that
 * oldbuffer.h takes its non-GNU, _MSC_VER branches. */
#include "oldbuffer.h"

#if !defined(_MSC_VER) || !defined(_WIN32) || !defined(_WIN64)
#  error "not compiled for 64-bit Windows with MSVC's predefined macros"
#endif
#if defined(__GNUC__) || defined(__linux__) || defined(__MINGW32__)
#  error "a GNU, Linux or MinGW predefined macro is set"
#endif
#if defined(OLDBUFFER_TEST_NOT_CLANG) && defined(__clang__)
#  error "__clang__ is defined: oldbuffer.h would take its GNU branches"
#endif
#if !defined(OLDBUFFER_TEST_WINDOWS_PYCONFIG)
#  error "Python.h did not read tests/ext/msvc/pyconfig.h"
#endif
#if SIZEOF_LONG != 4 || SIZEOF_VOID_P != 8 || SIZEOF_SIZE_T != 8 \
    || SIZEOF_WCHAR_T != 2
#  error "pyconfig.h's sizes are not LLP64 Windows' (a Linux pyconfig.h?)"
#endif
#if !defined(MS_WINDOWS) || !defined(MS_WIN64) || !defined(Py_ENABLE_SHARED)
#  error "pyconfig.h did not describe a Windows DLL build of Python"
#endif
#if defined(HAVE_UNISTD_H) || defined(HAVE_SYS_TIME_H)
#  error "pyconfig.h has a Linux build's features"
#endif

/* The compiler agrees with pyconfig.h. */
typedef char long_is_4_bytes[sizeof(long) == 4 ? 1 : -1];
typedef char pointer_is_8_bytes[sizeof(void *) == 8 ? 1 : -1];
typedef char ssize_t_is_8_bytes[sizeof(Py_ssize_t) == 8 ? 1 : -1];
typedef char wchar_is_2_bytes[sizeof(wchar_t) == 2 ? 1 : -1];

int oldbuffer_msvc_facts(void);
int
oldbuffer_msvc_facts(void)
{
    return (int)sizeof(long_is_4_bytes) + (int)sizeof(pointer_is_8_bytes)
           + (int)sizeof(ssize_t_is_8_bytes) + (int)sizeof(wchar_is_2_bytes);
}
