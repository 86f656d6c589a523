/* pyconfig.h for 64-bit Windows and MSVC, written for oldbuffer's tests.
 *
 * tests/suites/suite_compile.py compiles oldbuffer.h in MSVC mode (clang
 * with --target=x86_64-pc-windows-msvc) against the platform-independent
 * headers of CPython's Include/.  A Windows install of CPython ships
 * PC/pyconfig.h instead of the configure-generated one; there is none on
 * this machine, so this file states the facts of that one which Python.h
 * and oldbuffer.h rely on.  It is not a copy of it: it covers extension
 * modules (not Py_BUILD_CORE), x64 only, and leaves out the build's
 * feature list (sockets, zlib, ...), which no public header reads.
 *
 * The suite puts this directory before a copy of Include/ from which the
 * Linux pyconfig.h has been left out, and tests/ext/msvc/msvc_facts.c
 * checks that this file, not a Linux one, was read.
 */
#ifndef Py_CONFIG_H
#define Py_CONFIG_H

/* What msvc_facts.c looks for. */
#define OLDBUFFER_TEST_WINDOWS_PYCONFIG 1

#if !defined(_MSC_VER) || !defined(_WIN64)
#  error "tests/ext/msvc/pyconfig.h describes x64 Windows with MSVC only"
#endif

/* The CRT's "use the _s variants" deprecations: CPython turns them off
 * for everyone who includes Python.h. */
#ifndef _CRT_SECURE_NO_DEPRECATE
#  define _CRT_SECURE_NO_DEPRECATE 1
#endif
#ifndef _CRT_NONSTDC_NO_DEPRECATE
#  define _CRT_NONSTDC_NO_DEPRECATE 1
#endif

/* The platform: MS_WIN32 means any Windows (Win64 included), MS_WIN64 the
 * 64-bit one; MS_WINDOWS is what most of CPython tests. */
#define MS_WIN32
#define MS_WIN64
#define MS_WINDOWS
#define NT_THREADS
#define WITH_THREAD
#define PLATFORM "win32"

/* A debug CRT (/MDd, /MTd defines _DEBUG) means a debug Python. */
#ifdef _DEBUG
#  define Py_DEBUG
#endif

/* The interpreter is a DLL (pythonXY.dll) unless told otherwise: with
 * Py_ENABLE_SHARED, PyAPI_FUNC and PyAPI_DATA are
 * __declspec(dllimport) in an extension module.  (The real file also
 * names pythonXY.lib with #pragma comment(lib); nothing is linked here.) */
#if !defined(MS_NO_COREDLL) && !defined(Py_NO_ENABLE_SHARED)
#  define Py_ENABLE_SHARED 1
#  define MS_COREDLL
#endif
#define HAVE_DECLSPEC_DLL

#if !defined(PY_MAJOR_VERSION)
#  error "Python.h reads patchlevel.h before pyconfig.h: this one needs it"
#endif

/* LLP64: int and long are 4 bytes, long long, pointers and size_t 8.
 * Py_ssize_t is the signed 64-bit type, given here (HAVE_PY_SSIZE_T)
 * rather than derived from ssize_t, which Windows lacks; pyport.h sets
 * its maximum itself before 3.12, and from 3.12 leaves it to us. */
typedef __int64 Py_ssize_t;
#define HAVE_PY_SSIZE_T 1
#if PY_VERSION_HEX >= 0x030C0000
#  define PY_SSIZE_T_MAX LLONG_MAX
#endif
#define SIZEOF_SHORT 2
#define SIZEOF_INT 4
#define SIZEOF_LONG 4
#define SIZEOF_LONG_LONG 8
#define SIZEOF_FLOAT 4
#define SIZEOF_DOUBLE 8
#define SIZEOF_VOID_P 8
#define SIZEOF_SIZE_T 8
#define SIZEOF_TIME_T 8
#define SIZEOF_OFF_T 4
#define SIZEOF_FPOS_T 8
#define SIZEOF_HKEY 8
#define SIZEOF_WCHAR_T 2
#define SIZEOF__BOOL 1
#define SIZEOF_PID_T SIZEOF_INT
#define ALIGNOF_LONG 4
#define ALIGNOF_SIZE_T 8
#define ALIGNOF_MAX_ALIGN_T 8
#define LONG_BIT 32
#define WORD_BIT 32
#define HAVE_LARGEFILE_SUPPORT
#define HAVE_UINTPTR_T 1
#define HAVE_INTPTR_T 1
#define PY_LONG_LONG __int64
#define PY_LLONG_MIN _I64_MIN
#define PY_LLONG_MAX _I64_MAX
#define PY_ULLONG_MAX _UI64_MAX
#define PY_UINT32_T uint32_t
#define PY_UINT64_T uint64_t
#define PY_INT32_T int32_t
#define PY_INT64_T int64_t
#define DOUBLE_IS_LITTLE_ENDIAN_IEEE754 1

/* Python 2's unicode type is UTF-16 in wchar_t on Windows. */
#if PY_MAJOR_VERSION < 3
#  define Py_USING_UNICODE
#  define Py_UNICODE_SIZE 2
#endif

/* The C headers Windows has (and those it lacks: no unistd.h, sys/time.h,
 * dlfcn.h, which the public headers would otherwise pull in). */
#define STDC_HEADERS 1
#define HAVE_ERRNO_H 1
#define HAVE_FCNTL_H 1
#define HAVE_IO_H
#define HAVE_PROCESS_H 1
#define HAVE_SIGNAL_H 1
#define HAVE_STDDEF_H 1
#define HAVE_SYS_STAT_H 1
#define HAVE_SYS_TYPES_H 1
#define HAVE_WCHAR_H 1
#define HAVE_DYNAMIC_LOADING
#define WITH_DOC_STRINGS 1
#define WITH_PYMALLOC 1

#include <io.h>
#include <stdio.h>
#include <basetsd.h>

#endif /* !Py_CONFIG_H */
