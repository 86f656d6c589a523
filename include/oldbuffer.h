/* oldbuffer.h -- the Python 2 "old buffer protocol" for CPython 2.7,
 * 3.6 ... 3.15 and PyPy 3, in one header, for C and C++.
 *
 * Copyright (c) 2026 the oldbuffer authors.  Licence: 0BSD (at the end of
 * this comment): copy this file into your tree, no paperwork needed.
 * Latest copy, tests and full manual: the oldbuffer project, files
 * include/oldbuffer.h and README.md; the lifetime-safe mode is in
 * include/oldbuffer_lifetime.h and docs/lifetime-safe.md.
 *
 * QUICK START
 *
 * CPython 3.13 removed these four calls from Python.h (gh-85275):
 *
 *   int PyObject_AsCharBuffer(PyObject *obj, const char **buffer,
 *                             Py_ssize_t *buffer_len);
 *   int PyObject_AsReadBuffer(PyObject *obj, const void **buffer,
 *                             Py_ssize_t *buffer_len);
 *   int PyObject_AsWriteBuffer(PyObject *obj, void **buffer,
 *                              Py_ssize_t *buffer_len);
 *   int PyObject_CheckReadBuffer(PyObject *obj);
 *
 * This header brings them back: include it after (or instead of)
 * Python.h, or force it into every translation unit with no source
 * change (gcc/clang: -include oldbuffer.h; MSVC: /FIoldbuffer.h).  With
 * -include, macros such as PY_SSIZE_T_CLEAN or Py_LIMITED_API defined in
 * the file come too late: pass them on the command line as well.
 *
 * It defines OldBuffer_AsCharBuffer, OldBuffer_AsReadBuffer,
 * OldBuffer_AsWriteBuffer and OldBuffer_CheckReadBuffer with those
 * signatures, the interpreter's own functions as OldBuffer_Native_* (for
 * comparisons), and maps the four PyObject_* names onto OldBuffer_* on
 * every version (no deprecation warnings on 3.8 - 3.12).
 *
 * A Python 2 type that exported memory with bf_getreadbuffer & co. keeps
 * its procs, on every version, with the same initializer:
 *
 *   static const OldBuffer_LegacyProcs my_procs = {
 *       my_getreadbuffer, my_getwritebuffer, my_getsegcount, my_getcharbuffer
 *   };   ... OldBuffer_SetLegacyProcs(&MyType, &my_procs) ... (0 or -1;
 *   before PyType_Ready where possible, on PyPy it must be)
 *
 * The four calls apply 2.7's rules to it, and the new protocol runs one
 * proc per request (README.md, "Legacy exporters").
 *
 * SEMANTICS (exact to the interpreter's own functions; tests/ prove it)
 *
 *   Python 2.7   The type's legacy procs, as 2.7's Objects/abstract.c:
 *                the proc and bf_getsegcount must exist, one segment.
 *   Python 3.x   A PyBUF_SIMPLE (read, char) or PyBUF_WRITABLE (write)
 *                export, released before the call returns, as CPython
 *                3.12's Objects/abstract.c: a failed read or char call
 *                gives the exporter's error, a failed write call
 *                TypeError("expected a writable bytes-like object").
 *   PyPy 3       PyPy's own functions (cpyext), with PyPy's messages.
 *   NULL args    SystemError("null argument to internal routine") unless
 *                an exception is already set; CheckReadBuffer(NULL) is 0.
 *
 * The first three return 0 with *buffer and *buffer_len set, or -1 with
 * an exception (outputs untouched); CheckReadBuffer returns 1 or 0.
 * HAZARD: as in CPython, the export is released before the call returns,
 * so the pointer is valid only while nothing resizes, closes or frees
 * the exporter's memory.  New code should keep a Py_buffer instead:
 * PyObject_GetBuffer() ... PyBuffer_Release().
 *
 * CONFIGURATION (define before including this header; all off by default)
 *
 *   OLDBUFFER_NO_COMPAT_NAMES   Only the OldBuffer_* names; PyObject_*
 *                               stay the interpreter's.
 *   OLDBUFFER_NO_FAST_PATHS     No exact-type shortcuts for bytes and
 *                               bytearray, no inlined slot calls (same
 *                               results, slower).
 *   OLDBUFFER_NO_LEGACY_PROCS   Python 3: leave out the legacy proc types
 *                               and OldBuffer_SetLegacyProcs().
 *   OLDBUFFER_MAX_LEGACY_TYPES  Static types one translation unit can
 *                               give legacy procs (default 64).
 *   OLDBUFFER_AUDIT             Mode: one oldbuffer.LegacyBufferWarning
 *                               per hazardous call site.
 *   OLDBUFFER_AUDIT_MAX_SITES   Sites remembered where no per-site flag
 *                               exists (default 256).
 *   OLDBUFFER_LIFETIME_SAFE     Mode, EXPERIMENTAL: keep hazardous
 *                               exports until the C function returns
 *                               (needs oldbuffer_lifetime.h next to
 *                               this file; docs/lifetime-safe.md).
 *   OLDBUFFER_PY2_TEXT          Mode: AsCharBuffer on a str gives its
 *                               UTF-8 encoding, as Python 2's unicode.
 *   Py_LIMITED_API              Honoured.  3.11+: the limited Py_buffer
 *                               calls; older: the interpreter's
 *                               stable-ABI exports.  No legacy procs.
 *
 * MODES change what the four PyObject_* names do in the translation unit
 * that defines them (OldBuffer_* keep the default).  Each runs the
 * default call first; Python 2.7 accepts them and changes nothing.  A
 * call is hazardous when it succeeds and its export has a release hook
 * (bf_releasebuffer of the type or of view.obj: bytearray, array, mmap,
 * memoryview; on PyPy anything but bytes; never legacy procs).  With
 * the audit the names are function-like macros (use OldBuffer_* or
 * OldBuffer_*At(..., file, line) to take an address); `python -W
 * error::oldbuffer.LegacyBufferWarning` makes hazardous calls fail.
 * Where they run: the audit on CPython 3.6+ and PyPy (limited API 3.11+);
 * lifetime-safe on CPython 3.6+ with the full API; Python 2 text on
 * Python 3 (limited API 3.10+).  Free-threaded builds (PEP 703) and
 * own-GIL subinterpreters (PEP 684): the audit's state, shared by all
 * threads, is atomic (GCC, clang, MSVC); a site may warn twice when
 * threads race at its first warning.  Lifetime-safe: own-GIL
 * subinterpreters yes, free-threaded builds #error (it needs the GIL).
 *
 * VERSION HISTORY: 0.1.0, the four calls on CPython 2.7, 3.6-3.15 and
 * PyPy 3, legacy exporters, the audit, lifetime-safe and text modes.
 *
 * LICENCE (0BSD)
 *
 * Permission to use, copy, modify, and/or distribute this software for any
 * purpose with or without fee is hereby granted.
 *
 * THE SOFTWARE IS PROVIDED "AS IS" AND THE AUTHOR DISCLAIMS ALL WARRANTIES
 * WITH REGARD TO THIS SOFTWARE INCLUDING ALL IMPLIED WARRANTIES OF
 * MERCHANTABILITY AND FITNESS. IN NO EVENT SHALL THE AUTHOR BE LIABLE FOR
 * ANY SPECIAL, DIRECT, INDIRECT, OR CONSEQUENTIAL DAMAGES OR ANY DAMAGES
 * WHATSOEVER RESULTING FROM LOSS OF USE, DATA OR PROFITS, WHETHER IN AN
 * ACTION OF CONTRACT, NEGLIGENCE OR OTHER TORTIOUS ACTION, ARISING OUT OF
 * OR IN CONNECTION WITH THE USE OR PERFORMANCE OF THIS SOFTWARE.
 */

#ifndef OLDBUFFER_H
#define OLDBUFFER_H

#define OLDBUFFER_VERSION_MAJOR 0
#define OLDBUFFER_VERSION_MINOR 1
#define OLDBUFFER_VERSION_PATCH 0
/* 0xMMmmpp00, like PY_VERSION_HEX */
#define OLDBUFFER_VERSION_HEX 0x00010000

#include <Python.h>
#if defined(OLDBUFFER_AUDIT) && defined(_MSC_VER) && !defined(__clang__)
#  include <intrin.h>   /* the audit's atomics (_Interlocked*) */
#endif

#ifdef __cplusplus
extern "C" {
#endif

/* ---------------------------------------------------------------------
 * Configuration: language, implementation, fast paths, modes
 * ------------------------------------------------------------------- */

#if defined(__cplusplus) \
    || (defined(__STDC_VERSION__) && __STDC_VERSION__ >= 199901L)
#  define OLDBUFFER_INLINE static inline
#else
#  define OLDBUFFER_INLINE static __inline   /* C89: MSVC's spelling */
#endif
#if defined(__cplusplus)
#  define OLDBUFFER_CAST(type, expr) reinterpret_cast<type>(expr)
#else
#  define OLDBUFFER_CAST(type, expr) ((type)(expr))
#endif
#if defined(__cplusplus) && __cplusplus >= 201103L
#  define OLDBUFFER_NULL nullptr
#else
#  define OLDBUFFER_NULL NULL
#endif
/* OLDBUFFER_LIKELY: the branch the fast paths expect, laid out as the
 * fall-through.  OLDBUFFER_ALWAYS_INLINE: the calls and their fast paths
 * are inlined whole, so that the caller keeps buffer and length in
 * registers (gcc -O2 would otherwise outline their tails). */
#if defined(__GNUC__) || defined(__clang__)
#  define OLDBUFFER_LIKELY(cond) __builtin_expect(!!(cond), 1)
#  define OLDBUFFER_ALWAYS_INLINE \
       OLDBUFFER_INLINE __attribute__((always_inline))
#else
#  define OLDBUFFER_LIKELY(cond) (cond)
#  if defined(_MSC_VER)
#    define OLDBUFFER_ALWAYS_INLINE static __forceinline
#  else
#    define OLDBUFFER_ALWAYS_INLINE OLDBUFFER_INLINE
#  endif
#endif

/* Which implementation this translation unit gets.  Exactly one of:
 *   OLDBUFFER_IMPL_PY2      Python 2.7: the legacy procs.
 *   OLDBUFFER_IMPL_NATIVE   The interpreter's own functions behind
 *                           CPython's NULL checks: PyPy 3 (cpyext keeps
 *                           them), and CPython 3 under a limited API
 *                           older than 3.11 (no Py_buffer there).
 *   OLDBUFFER_IMPL_PYBUFFER CPython 3 otherwise: Py_buffer, as 3.12. */
#if PY_MAJOR_VERSION < 3
#  define OLDBUFFER_IMPL_PY2 1
#elif defined(PYPY_VERSION)
#  define OLDBUFFER_IMPL_NATIVE 1
#elif defined(Py_LIMITED_API) && Py_LIMITED_API + 0 < 0x030B0000
#  define OLDBUFFER_IMPL_NATIVE 1
#else
#  define OLDBUFFER_IMPL_PYBUFFER 1
#endif

/* The full API lets us read tp_as_buffer, as CPython's own code does. */
#if !defined(Py_LIMITED_API) || defined(PYPY_VERSION)
#  define OLDBUFFER_FULL_API 1
#endif

/* Legacy procs on Python 3 (2.7 has its own): they need tp_as_buffer. */
#if PY_MAJOR_VERSION >= 3 && defined(OLDBUFFER_FULL_API) \
    && !defined(OLDBUFFER_NO_LEGACY_PROCS)
#  define OLDBUFFER_LEGACY_ADAPTER 1
#endif
#if PY_MAJOR_VERSION < 3 || defined(OLDBUFFER_LEGACY_ADAPTER)
#  define OLDBUFFER_HAVE_LEGACY_PROCS 1
#endif

/* Fast paths read object layouts and slots: full API only (PyPy: exact
 * bytes; CPython: exact bytes and bytearray). */
#if defined(OLDBUFFER_FULL_API) && !defined(OLDBUFFER_NO_FAST_PATHS)
#  define OLDBUFFER_FAST_PATHS 1
#endif

/* PyObject_GetBuffer() and PyBuffer_Release() inlined as the slot calls
 * they make on 3.6-3.15, except in debug builds, whose
 * PyObject_GetBuffer also checks the exporter (bpo-42979, 3.10:
 * _Py_CheckSlotResult). */
#if defined(OLDBUFFER_FAST_PATHS) && defined(OLDBUFFER_IMPL_PYBUFFER) \
    && PY_VERSION_HEX < 0x03100000 && !defined(Py_DEBUG)
#  define OLDBUFFER_INLINE_SLOTS 1
#endif

/* bpo-42979 (3.10): a debug build's PyObject_GetBuffer() aborts when an
 * exporter fails without an exception or succeeds with one set, so
 * CPython's read and char calls (which export through it) abort even for
 * bytes when an exception was set before the call; its write and check
 * calls call the slot and never do.  Ours do the same: the read fast
 * paths only where that export could not abort. */
#if defined(Py_DEBUG) && PY_VERSION_HEX >= 0x030A0000
#  define OLDBUFFER_READ_FAST_PATH_OK() (!PyErr_Occurred())
#else
#  define OLDBUFFER_READ_FAST_PATH_OK() 1
#endif

/* The modes (manual: MODES) and where each can run. */
#if (defined(OLDBUFFER_AUDIT) || defined(OLDBUFFER_LIFETIME_SAFE) \
     || defined(OLDBUFFER_PY2_TEXT)) && PY_MAJOR_VERSION >= 3
#  define OLDBUFFER_MODES 1
#endif
#if defined(OLDBUFFER_MODES) && defined(OLDBUFFER_LIFETIME_SAFE) \
    && defined(__has_include)
#  if !__has_include("oldbuffer_lifetime.h")
#    error "OLDBUFFER_LIFETIME_SAFE needs include/oldbuffer_lifetime.h next to oldbuffer.h"
#  endif
#endif
#if defined(OLDBUFFER_MODES) && defined(OLDBUFFER_AUDIT) \
    && defined(Py_LIMITED_API) && Py_LIMITED_API + 0 < 0x030B0000 \
    && !defined(PYPY_VERSION)
#  error "OLDBUFFER_AUDIT under Py_LIMITED_API needs 0x030B0000 (3.11: PyObject_GetBuffer, PyType_GetName)"
#endif
#if defined(OLDBUFFER_MODES) && defined(OLDBUFFER_PY2_TEXT) \
    && defined(Py_LIMITED_API) && Py_LIMITED_API + 0 < 0x030A0000 \
    && !defined(PYPY_VERSION)
#  error "OLDBUFFER_PY2_TEXT under Py_LIMITED_API needs 0x030A0000 (3.10: PyUnicode_AsUTF8AndSize)"
#endif
/* Free-threaded builds (PEP 703): the audit keeps its state with atomics
 * (below); the lifetime-safe mode relies on the GIL twice over. */
#if defined(OLDBUFFER_MODES) && defined(Py_GIL_DISABLED) \
    && defined(OLDBUFFER_LIFETIME_SAFE)
#  error "OLDBUFFER_LIFETIME_SAFE needs the GIL: its pin is a second export, taken after the call released its own, and without the GIL another thread can resize or free the memory in between; its main-thread pins and pending-call flag are statics only the GIL serialises"
#endif


/* ---------------------------------------------------------------------
 * Shared helpers
 * ------------------------------------------------------------------- */

/* Which call is made (an index: the legacy rule's message, the audit's
 * name); a write exports PyBUF_WRITABLE, the others PyBUF_SIMPLE. */
enum { OLDBUFFER_CALL_CHAR, OLDBUFFER_CALL_READ, OLDBUFFER_CALL_WRITE };

/* How a call was answered: the modes look further only at memory that
 * can move once the call returns. */
typedef enum {
    OLDBUFFER_FAILED = -1,        /* exception set, outputs untouched */
    OLDBUFFER_BY_EXPORT = 0,      /* an export, released */
    OLDBUFFER_BY_BYTES = 1,       /* an exact bytes: fixed memory */
    OLDBUFFER_BY_BYTEARRAY = 2    /* an exact bytearray's storage */
} oldbuffer_answer;

/* Defines a char or read call (const char ** or const void ** buffer)
 * over its untyped form, a call of p that returns < 0 on failure. */
#define OLDBUFFER_DEFINE_TYPED(inline, name, type, params, untyped) \
    inline int \
    name params \
    { \
        void *p = OLDBUFFER_NULL; \
        if (untyped < 0) { \
            return -1; \
        } \
        *buffer = OLDBUFFER_CAST(type *, p); \
        return 0; \
    }

/* CPython's null_error(): never replace an exception already set. */
OLDBUFFER_INLINE int
oldbuffer_null_error(void)
{
    if (!PyErr_Occurred()) {
        PyErr_SetString(PyExc_SystemError,
                        "null argument to internal routine");
    }
    return -1;
}

/* CPython 3's write error, whatever made the write call fail (the str
 * made at each raise, as CPython: one kept would outlive its interpreter). */
OLDBUFFER_INLINE int
oldbuffer_write_failed(void)
{
    PyErr_SetString(PyExc_TypeError, "expected a writable bytes-like object");
    return -1;
}

/* The calls' common currency is void *; the char and read calls hand
 * the pointer back to their caller as const again. */
OLDBUFFER_INLINE void *
oldbuffer_unconst(const void *p)
{
    union {
        const void *c;
        void *v;
    } u;

    u.c = p;
    return u.v;
}


/* ---------------------------------------------------------------------
 * The interpreter's own functions: OldBuffer_Native_*
 *
 * The native implementation's calls, and what tests and benchmarks
 * compare with; static inline: the symbol is referenced only where used.
 * ------------------------------------------------------------------- */
#if PY_VERSION_HEX >= 0x030D0000 && !defined(PYPY_VERSION)
/* gh-85275: removed from Python.h in 3.13, still exported (ABI-only, in
 * the stable ABI). */
PyAPI_FUNC(int) PyObject_AsCharBuffer(PyObject *, const char **,
                                      Py_ssize_t *);
PyAPI_FUNC(int) PyObject_AsReadBuffer(PyObject *, const void **,
                                      Py_ssize_t *);
PyAPI_FUNC(int) PyObject_AsWriteBuffer(PyObject *, void **, Py_ssize_t *);
PyAPI_FUNC(int) PyObject_CheckReadBuffer(PyObject *);
#endif

/* 3.8-3.12 mark them Py_DEPRECATED(3.0): calling them is the point of
 * these four wrappers. */
#if defined(__GNUC__) || defined(__clang__)
#  pragma GCC diagnostic push
#  pragma GCC diagnostic ignored "-Wdeprecated-declarations"
#elif defined(_MSC_VER)
#  pragma warning(push)
#  pragma warning(disable: 4996)
#endif

/* int OldBuffer_Native_AsCharBuffer(PyObject *, const char **, Py_ssize_t *);
 * int OldBuffer_Native_AsReadBuffer(PyObject *, const void **, Py_ssize_t *);
 * int OldBuffer_Native_AsWriteBuffer(PyObject *, void **, Py_ssize_t *); */
#define OLDBUFFER_NATIVE(call, type) \
    OLDBUFFER_INLINE int \
    OldBuffer_Native_##call(PyObject *obj, type **buffer, \
                            Py_ssize_t *buffer_len) \
    { \
        return PyObject_##call(obj, buffer, buffer_len); \
    }
OLDBUFFER_NATIVE(AsCharBuffer, const char)
OLDBUFFER_NATIVE(AsReadBuffer, const void)
OLDBUFFER_NATIVE(AsWriteBuffer, void)
#undef OLDBUFFER_NATIVE

OLDBUFFER_INLINE int
OldBuffer_Native_CheckReadBuffer(PyObject *obj)
{
    return PyObject_CheckReadBuffer(obj);
}

#if defined(__GNUC__) || defined(__clang__)
#  pragma GCC diagnostic pop
#elif defined(_MSC_VER)
#  pragma warning(pop)
#endif


/* ---------------------------------------------------------------------
 * Legacy procs: Python 2's exporter side
 *
 * PEP 3118 (3.0) replaced Python 2's four buffer procs with bf_getbuffer.
 * On Python 3 this section restores their types and lets a type keep
 * them: OldBuffer_SetLegacyProcs() installs an adapter bf_getbuffer that
 * serves the new protocol from the procs (the four calls apply 2.7's
 * rules, next section).  On 2.7 the struct is PyBufferProcs itself.
 * ------------------------------------------------------------------- */
#if defined(OLDBUFFER_HAVE_LEGACY_PROCS)

#if PY_MAJOR_VERSION < 3
typedef PyBufferProcs OldBuffer_LegacyProcs;
#else
/* Python 2.7's Include/object.h, with Py_ssize_t (2.5+). */
typedef Py_ssize_t (*readbufferproc)(PyObject *, Py_ssize_t, void **);
typedef Py_ssize_t (*writebufferproc)(PyObject *, Py_ssize_t, void **);
typedef Py_ssize_t (*segcountproc)(PyObject *, Py_ssize_t *);
typedef Py_ssize_t (*charbufferproc)(PyObject *, Py_ssize_t, char **);

/* The first four members of Python 2's PyBufferProcs, in its order, so a
 * Python 2 initializer { read, write, segcount, char } fills it as is. */
typedef struct {
    readbufferproc bf_getreadbuffer;
    writebufferproc bf_getwritebuffer;
    segcountproc bf_getsegcount;
    charbufferproc bf_getcharbuffer;
} OldBuffer_LegacyProcs;
#endif

#ifndef OLDBUFFER_MAX_LEGACY_TYPES
#  define OLDBUFFER_MAX_LEGACY_TYPES 64
#endif

/* The types given procs in this translation unit (at module
 * initialisation, under the GIL).  Python 3: procs, and inherits (given
 * before PyType_Ready, where Python 2 fills the procs a type leaves NULL
 * from its bases; given after, they stay as they are).  Python 2.7:
 * static types' copies of their procs (see OldBuffer_SetLegacyProcs). */
typedef struct {
    PyTypeObject *type;
#if PY_MAJOR_VERSION < 3
    PyBufferProcs copy;
#else
    const OldBuffer_LegacyProcs *procs;
    int inherits;
#endif
} oldbuffer_legacy_entry;

/* The entry of type, or a free one for it (NULL with RuntimeError when
 * the table is full); with add unset, NULL when type has none. */
OLDBUFFER_INLINE oldbuffer_legacy_entry *
oldbuffer_legacy_entry_of(PyTypeObject *type, int add)
{
    static oldbuffer_legacy_entry reg[OLDBUFFER_MAX_LEGACY_TYPES];
    int i;

    for (i = 0; i < OLDBUFFER_MAX_LEGACY_TYPES; i++) {
        if (reg[i].type == type) {
            return &reg[i];
        }
        if (reg[i].type == OLDBUFFER_NULL) {
            break;
        }
    }
    if (!add) {
        return OLDBUFFER_NULL;
    }
    if (i == OLDBUFFER_MAX_LEGACY_TYPES) {
        PyErr_SetString(PyExc_RuntimeError,
                        "oldbuffer: more legacy exporter types than "
                        "OLDBUFFER_MAX_LEGACY_TYPES");
        return OLDBUFFER_NULL;
    }
    reg[i].type = type;
    return &reg[i];
}

#if PY_MAJOR_VERSION < 3

/* Python 2.7 reads the procs from tp_as_buffer itself.  The type gets a
 * copy: PyType_Ready's inherit_slots writes the procs a type lacks into
 * tp_as_buffer, which must not be the caller's (maybe const) table.
 * Heap types copy into their own as_buffer. */
OLDBUFFER_INLINE int
OldBuffer_SetLegacyProcs(PyTypeObject *type,
                         const OldBuffer_LegacyProcs *procs)
{
    oldbuffer_legacy_entry *entry;
    PyBufferProcs *copy;

    if (type == OLDBUFFER_NULL || procs == OLDBUFFER_NULL) {
        PyErr_BadInternalCall();
        return -1;
    }
    if (type->tp_flags & Py_TPFLAGS_HEAPTYPE) {
        copy = &OLDBUFFER_CAST(PyHeapTypeObject *, type)->as_buffer;
    }
    else {
        entry = oldbuffer_legacy_entry_of(type, 1);
        if (entry == OLDBUFFER_NULL) {
            return -1;
        }
        copy = &entry->copy;
    }
    *copy = *procs;
    type->tp_as_buffer = copy;
    type->tp_flags |= Py_TPFLAGS_HAVE_GETCHARBUFFER;
    return 0;
}

#else /* Python 3 */

/* The procs that act for type, in *procs; NULL when neither it nor a
 * base has any.  As in Python 2, each proc comes from the nearest type
 * that has it, except that procs given to a ready type are that type's
 * whole set. */
OLDBUFFER_INLINE const OldBuffer_LegacyProcs *
oldbuffer_legacy_lookup(PyTypeObject *type, OldBuffer_LegacyProcs *procs)
{
    const oldbuffer_legacy_entry *entry;
    PyTypeObject *start = type;
    int found = 0;

    procs->bf_getreadbuffer = OLDBUFFER_NULL;
    procs->bf_getwritebuffer = OLDBUFFER_NULL;
    procs->bf_getsegcount = OLDBUFFER_NULL;
    procs->bf_getcharbuffer = OLDBUFFER_NULL;
    for (; type != OLDBUFFER_NULL; type = type->tp_base) {
        entry = oldbuffer_legacy_entry_of(type, 0);
        if (entry == OLDBUFFER_NULL) {
            continue;
        }
        found = 1;
#define OLDBUFFER_INHERIT(slot) \
        if (procs->slot == OLDBUFFER_NULL) { \
            procs->slot = entry->procs->slot; \
        }
        OLDBUFFER_INHERIT(bf_getreadbuffer)
        OLDBUFFER_INHERIT(bf_getwritebuffer)
        OLDBUFFER_INHERIT(bf_getsegcount)
        OLDBUFFER_INHERIT(bf_getcharbuffer)
#undef OLDBUFFER_INHERIT
        if (type == start && !entry->inherits) {
            break;
        }
    }
    return found ? procs : OLDBUFFER_NULL;
}

/* Why procs cannot serve a request: the error raised, or 0 if they can
 * (one segment, the proc the request needs).  A writable request needs
 * bf_getwritebuffer; a read-only one bf_getreadbuffer or, without one,
 * bf_getcharbuffer (2.7's t#). */
OLDBUFFER_INLINE int
oldbuffer_legacy_refuse(PyObject *obj, Py_buffer *view, int flags,
                        const OldBuffer_LegacyProcs *pb)
{
    Py_ssize_t segments;

    if ((flags & PyBUF_WRITABLE) == PyBUF_WRITABLE
        && pb->bf_getwritebuffer == OLDBUFFER_NULL) {
        /* The interpreter's own error for a read-only exporter (bytes
         * gives it too): BufferError("Object is not writable."). */
        return PyBuffer_FillInfo(view, obj, OLDBUFFER_NULL, 0, 1, flags);
    }
    if ((flags & PyBUF_WRITABLE) != PyBUF_WRITABLE
        && pb->bf_getreadbuffer == OLDBUFFER_NULL
        && pb->bf_getcharbuffer == OLDBUFFER_NULL) {
        PyErr_Format(PyExc_BufferError,
                     "'%.100s' has no readable legacy buffer",
                     Py_TYPE(obj)->tp_name);
        return -1;
    }
    segments = pb->bf_getsegcount != OLDBUFFER_NULL
               ? (*pb->bf_getsegcount)(obj, OLDBUFFER_NULL) : 0;
    if (segments == 1 || (segments < 0 && PyErr_Occurred())) {
        return segments == 1 ? 0 : -1;
    }
    PyErr_Format(PyExc_BufferError,
                 "'%.100s' exports %zd legacy buffer segments; "
                 "only a single segment maps to a Py_buffer",
                 Py_TYPE(obj)->tp_name, segments);
    return -1;
}

/* The adapter: the new protocol served from the procs, one proc per
 * request, as Python 2.7's consumers took them (no request runs a proc it
 * has no use for: a write proc may have side effects, and its region may
 * differ from the read proc's).  One segment; no release. */
OLDBUFFER_INLINE int
oldbuffer_legacy_getbuffer(PyObject *obj, Py_buffer *view, int flags)
{
    OldBuffer_LegacyProcs procs;
    const OldBuffer_LegacyProcs *pb =
        oldbuffer_legacy_lookup(Py_TYPE(obj), &procs);
    int writable = (flags & PyBUF_WRITABLE) == PyBUF_WRITABLE;
    void *ptr = OLDBUFFER_NULL;
    char *cptr = OLDBUFFER_NULL;
    Py_ssize_t len;

    if (pb == OLDBUFFER_NULL) {
        PyErr_SetString(PyExc_SystemError,
                        "oldbuffer: legacy procs not registered in this "
                        "module for this type");
        return -1;
    }
    if (oldbuffer_legacy_refuse(obj, view, flags, pb) != 0) {
        return -1;
    }
    if (writable) {
        len = (*pb->bf_getwritebuffer)(obj, 0, &ptr);
    }
    else if (pb->bf_getreadbuffer != OLDBUFFER_NULL) {
        len = (*pb->bf_getreadbuffer)(obj, 0, &ptr);
    }
    else {
        len = (*pb->bf_getcharbuffer)(obj, 0, &cptr);
        ptr = cptr;
    }
    if (len < 0) {
        if (!PyErr_Occurred()) {   /* else the proc's own */
            PyErr_SetString(PyExc_BufferError,
                            writable ? "legacy write buffer proc failed"
                                     : "legacy read buffer proc failed");
        }
        return -1;
    }
    return PyBuffer_FillInfo(view, obj, ptr, len, !writable, flags);
}

/* Does obj's type have legacy procs given in this translation unit?  One
 * comparison for every other type (the calls and the modes ask here). */
OLDBUFFER_INLINE int
oldbuffer_has_legacy_procs(PyObject *obj)
{
    PyBufferProcs *pb = Py_TYPE(obj)->tp_as_buffer;

    return pb != OLDBUFFER_NULL
           && pb->bf_getbuffer == oldbuffer_legacy_getbuffer;
}

#if PY_VERSION_HEX >= 0x030C0000 && !defined(PYPY_VERSION)
/* PEP 688 (3.12): a Python subclass takes its bf_getbuffer from the
 * __buffer__ it finds in its MRO, and PyType_Ready adds __buffer__ only
 * for a slot set before it ran.  For procs given after, add the method
 * here: the wrapper CPython makes, around the adapter. */
OLDBUFFER_INLINE int
oldbuffer_legacy_add_buffer_method(PyTypeObject *type)
{
    int (*adapter)(PyObject *, Py_buffer *, int) = oldbuffer_legacy_getbuffer;
    PyObject *model, *method;
    void *wrapped;
    int res;

    model = PyObject_GetAttrString(
        OLDBUFFER_CAST(PyObject *, &PyBytes_Type), "__buffer__");
    if (model == OLDBUFFER_NULL) {
        return -1;
    }
    if (!PyObject_TypeCheck(model, &PyWrapperDescr_Type)) {
        Py_DECREF(model);
        PyErr_SetString(PyExc_SystemError,
                        "oldbuffer: bytes.__buffer__ is not a slot wrapper");
        return -1;
    }
    memcpy(&wrapped, &adapter, sizeof wrapped);
    method = PyDescr_NewWrapper(
        type, OLDBUFFER_CAST(PyWrapperDescrObject *, model)->d_base, wrapped);
    Py_DECREF(model);
    if (method == OLDBUFFER_NULL) {
        return -1;
    }
    res = PyDict_SetItemString(type->tp_dict, "__buffer__", method);
    Py_DECREF(method);
    return res;
}
#endif

/* Give type the Python 2 procs in *procs (which must outlive it).
 * Static types share one PyBufferProcs of the adapter (one inherited in
 * PyType_Ready may be their base's); heap types have their own.  Before
 * PyType_Ready() where possible: then 3.12+ also gives the type its
 * __buffer__ method, and PyPy sees the slot.  0, or -1 with an
 * exception. */
OLDBUFFER_INLINE int
OldBuffer_SetLegacyProcs(PyTypeObject *type,
                         const OldBuffer_LegacyProcs *procs)
{
    static PyBufferProcs adapter_procs;   /* shared by static types */
    oldbuffer_legacy_entry *entry;
    int ready;

    if (type == OLDBUFFER_NULL || procs == OLDBUFFER_NULL) {
        PyErr_BadInternalCall();
        return -1;
    }
    ready = (type->tp_flags & Py_TPFLAGS_READY) != 0;
#if defined(PYPY_VERSION)
    /* PyPy builds its own view of a type in PyType_Ready: a slot set
     * later reaches memoryview() but not bytes() or hashlib. */
    if (ready) {
        PyErr_SetString(PyExc_RuntimeError,
                        "oldbuffer: on PyPy, call OldBuffer_SetLegacyProcs() "
                        "before PyType_Ready()");
        return -1;
    }
#endif
    entry = oldbuffer_legacy_entry_of(type, 1);
    if (entry == OLDBUFFER_NULL) {
        return -1;
    }
    entry->procs = procs;
    entry->inherits = !ready;
    type->tp_as_buffer = (type->tp_flags & Py_TPFLAGS_HEAPTYPE)
        ? &OLDBUFFER_CAST(PyHeapTypeObject *, type)->as_buffer
        : &adapter_procs;
    type->tp_as_buffer->bf_getbuffer = oldbuffer_legacy_getbuffer;
    type->tp_as_buffer->bf_releasebuffer = OLDBUFFER_NULL;
    if (!ready) {
        return 0;
    }
#if PY_VERSION_HEX >= 0x030C0000 && !defined(PYPY_VERSION)
    if (oldbuffer_legacy_add_buffer_method(type) < 0) {
        return -1;
    }
#endif
    PyType_Modified(type);
    return 0;
}

#endif /* Python 3 */
#endif /* OLDBUFFER_HAVE_LEGACY_PROCS */


/* ---------------------------------------------------------------------
 * Python 2.7's rules for legacy procs, as its Objects/abstract.c
 *
 * For every object on 2.7, and on Python 3 for the types given procs
 * here: the call's proc and bf_getsegcount must both exist, exactly one
 * segment, and the proc's length (or its -1 and exception) is the result.
 * ------------------------------------------------------------------- */
#if defined(OLDBUFFER_HAVE_LEGACY_PROCS)

OLDBUFFER_INLINE int
oldbuffer_legacy_type_error(const char *message)
{
    PyErr_SetString(PyExc_TypeError, message);
    return -1;
}

/* The char, read or write call (call) on pb, which may be NULL. */
OLDBUFFER_INLINE int
oldbuffer_legacy_rule(PyObject *obj, const OldBuffer_LegacyProcs *pb,
                      int call, void **buffer, Py_ssize_t *buffer_len)
{
    static const char *const missing[] = {
        "expected a string or other character buffer object",
        "expected a readable buffer object",
        "expected a writeable buffer object"
    };
    char *cp = OLDBUFFER_NULL;   /* a proc may set nothing */
    void *vp = OLDBUFFER_NULL;
    Py_ssize_t len;
    int has_proc = pb != OLDBUFFER_NULL
        && (call == OLDBUFFER_CALL_CHAR ? pb->bf_getcharbuffer != OLDBUFFER_NULL
            : call == OLDBUFFER_CALL_READ ? pb->bf_getreadbuffer != OLDBUFFER_NULL
            : pb->bf_getwritebuffer != OLDBUFFER_NULL);

    if (!has_proc || pb->bf_getsegcount == OLDBUFFER_NULL) {
        return oldbuffer_legacy_type_error(missing[call]);
    }
    if ((*pb->bf_getsegcount)(obj, OLDBUFFER_NULL) != 1) {
        return oldbuffer_legacy_type_error(
            "expected a single-segment buffer object");
    }
    if (call == OLDBUFFER_CALL_CHAR) {
        len = (*pb->bf_getcharbuffer)(obj, 0, &cp);
        vp = cp;
    }
    else if (call == OLDBUFFER_CALL_READ) {
        len = (*pb->bf_getreadbuffer)(obj, 0, &vp);
    }
    else {
        len = (*pb->bf_getwritebuffer)(obj, 0, &vp);
    }
    if (len < 0) {
        return -1;
    }
    *buffer = vp;
    *buffer_len = len;
    return 0;
}

/* CheckReadBuffer: from the procs alone, no pointer asked for; as 2.7's,
 * it leaves set the exception of a bf_getsegcount that raises (the one
 * way this call returns 0 with an exception set). */
OLDBUFFER_INLINE int
oldbuffer_legacy_check(PyObject *obj, const OldBuffer_LegacyProcs *pb)
{
    return pb != OLDBUFFER_NULL && pb->bf_getreadbuffer != OLDBUFFER_NULL
           && pb->bf_getsegcount != OLDBUFFER_NULL
           && (*pb->bf_getsegcount)(obj, OLDBUFFER_NULL) == 1;
}

#endif /* OLDBUFFER_HAVE_LEGACY_PROCS */


/* ---------------------------------------------------------------------
 * Each implementation defines, for an object that is not NULL:
 *   oldbuffer_fast_path(obj, call, &p, &len)   an answer without export,
 *       or OLDBUFFER_BY_EXPORT when the export path must answer;
 *   oldbuffer_impl_export(obj, call, &p, &len) that path: 0 or -1;
 *   oldbuffer_impl_check(obj)                  CheckReadBuffer's.
 * call is OLDBUFFER_CALL_CHAR, _READ, _WRITE, or for the fast path
 * OLDBUFFER_CALL_CHECK.
 * ------------------------------------------------------------------- */
#define OLDBUFFER_CALL_CHECK 3


/* --- Python 2.7: the legacy rules for every object ------------------ */
#if defined(OLDBUFFER_IMPL_PY2)

OLDBUFFER_INLINE int
oldbuffer_impl_export(PyObject *obj, int call, void **buffer,
                      Py_ssize_t *buffer_len)
{
    return oldbuffer_legacy_rule(obj, Py_TYPE(obj)->tp_as_buffer, call,
                                 buffer, buffer_len);
}

OLDBUFFER_INLINE int
oldbuffer_impl_check(PyObject *obj)
{
    return oldbuffer_legacy_check(obj, Py_TYPE(obj)->tp_as_buffer);
}

#endif /* OLDBUFFER_IMPL_PY2 */


/* --- PyPy 3, and CPython 3 under a limited API < 3.11: native -------
 * PyPy's cpyext keeps the four calls (its own messages; NULL arguments
 * crash them); the stable ABI keeps their symbols (gh-85275, above). */
#if defined(OLDBUFFER_IMPL_NATIVE)

/* PyPy's own calls take and release a view of a bytes to hand out the
 * storage of its C-level object, which PyBytes_AS_STRING() gives
 * directly.  Not for the write call (PyPy's own message), and only the
 * exact type, as on CPython. */
#if defined(PYPY_VERSION) && defined(OLDBUFFER_FAST_PATHS)
#  define OLDBUFFER_HAVE_FAST_PATH 1
OLDBUFFER_ALWAYS_INLINE oldbuffer_answer
oldbuffer_fast_path(PyObject *obj, int call, void **buffer,
                    Py_ssize_t *buffer_len)
{
    if (call != OLDBUFFER_CALL_WRITE && PyBytes_CheckExact(obj)) {
        *buffer = PyBytes_AS_STRING(obj);
        *buffer_len = PyBytes_GET_SIZE(obj);
        return OLDBUFFER_BY_BYTES;
    }
    return OLDBUFFER_BY_EXPORT;
}
#endif

OLDBUFFER_INLINE int
oldbuffer_impl_export(PyObject *obj, int call, void **buffer,
                      Py_ssize_t *buffer_len)
{
    const char *cp = OLDBUFFER_NULL;
    const void *vp = OLDBUFFER_NULL;

    if (call == OLDBUFFER_CALL_WRITE) {
        return OldBuffer_Native_AsWriteBuffer(obj, buffer, buffer_len);
    }
    if ((call == OLDBUFFER_CALL_CHAR
         ? OldBuffer_Native_AsCharBuffer(obj, &cp, buffer_len)
         : OldBuffer_Native_AsReadBuffer(obj, &vp, buffer_len)) != 0) {
        return -1;
    }
    *buffer = oldbuffer_unconst(call == OLDBUFFER_CALL_CHAR ? cp : vp);
    return 0;
}

OLDBUFFER_INLINE int
oldbuffer_impl_check(PyObject *obj)
{
    return OldBuffer_Native_CheckReadBuffer(obj);
}

#endif /* OLDBUFFER_IMPL_NATIVE */


/* --- CPython 3 with Py_buffer: as CPython 3.12's Objects/abstract.c ---
 * PEP 3118 (3.0) made the four calls thin wrappers that take a
 * PyBUF_SIMPLE or PyBUF_WRITABLE export and release it at once. */
#if defined(OLDBUFFER_IMPL_PYBUFFER)

/* Does the type export buffers?  The limited API (3.11+) asks
 * PyObject_CheckBuffer(), the same test. */
OLDBUFFER_INLINE int
oldbuffer_has_getbuffer(PyObject *obj)
{
#if defined(OLDBUFFER_FULL_API)
    PyBufferProcs *pb = Py_TYPE(obj)->tp_as_buffer;
    return pb != OLDBUFFER_NULL && pb->bf_getbuffer != OLDBUFFER_NULL;
#else
    return PyObject_CheckBuffer(obj);
#endif
}

/* The exporter's bf_getbuffer slot, called directly: the write and check
 * calls' export, as in CPython, where no debug build checks its result.
 * The limited API (3.11+ here) reads it with PyType_GetSlot(): an abi3
 * extension may run on a debug build.  (Through a union: ISO C has no
 * cast from void * to a function pointer.) */
OLDBUFFER_INLINE int
oldbuffer_slot_get_buffer(PyObject *obj, Py_buffer *view, int flags)
{
#if defined(OLDBUFFER_FULL_API)
    return (*Py_TYPE(obj)->tp_as_buffer->bf_getbuffer)(obj, view, flags);
#else
    union {
        void *slot;
        int (*get)(PyObject *, Py_buffer *, int);
    } getbuffer;

    getbuffer.slot = PyType_GetSlot(Py_TYPE(obj), Py_bf_getbuffer);
    return (*getbuffer.get)(obj, view, flags);
#endif
}

/* PyObject_GetBuffer(), for an object that oldbuffer_has_getbuffer():
 * the read and char calls' export. */
#if defined(OLDBUFFER_INLINE_SLOTS)
#  define oldbuffer_get_buffer oldbuffer_slot_get_buffer
#else
#  define oldbuffer_get_buffer PyObject_GetBuffer
#endif

/* PyBuffer_Release(): bf_releasebuffer of view->obj (not of the object
 * asked: a PEP 688 __buffer__ returns a memoryview), then its
 * reference. */
OLDBUFFER_INLINE void
oldbuffer_release(Py_buffer *view)
{
#if defined(OLDBUFFER_INLINE_SLOTS)
    PyObject *exporter = view->obj;
    PyBufferProcs *pb;

    if (exporter == OLDBUFFER_NULL) {
        return;
    }
    pb = Py_TYPE(exporter)->tp_as_buffer;
    if (pb != OLDBUFFER_NULL && pb->bf_releasebuffer != OLDBUFFER_NULL) {
        (*pb->bf_releasebuffer)(exporter, view);
    }
    view->obj = OLDBUFFER_NULL;
    Py_DECREF(exporter);
#else
    PyBuffer_Release(view);
#endif
}

#if defined(OLDBUFFER_FAST_PATHS)
/* bytes and bytearray export their own storage (bytes read-only; a
 * bytearray's export cannot fail): no export needed.  Only the exact
 * types: PEP 688 (3.12) lets a subclass export something else.  PEP 703
 * (3.13): free-threaded builds lock a bytearray to export it. */
#  if !defined(Py_GIL_DISABLED)
OLDBUFFER_ALWAYS_INLINE oldbuffer_answer
oldbuffer_bytearray_storage(PyObject *obj, void **buffer,
                            Py_ssize_t *buffer_len)
{
    /* PyByteArray_AS_STRING() is ob_start unless the bytearray is empty
     * (3.6-3.15): that test laid out as a branch not taken. */
    Py_ssize_t len = PyByteArray_GET_SIZE(obj);

    *buffer = OLDBUFFER_LIKELY(len != 0)
        ? OLDBUFFER_CAST(PyByteArrayObject *, obj)->ob_start
        : PyByteArray_AS_STRING(obj);
    *buffer_len = len;
    return OLDBUFFER_BY_BYTEARRAY;
}
#    define OLDBUFFER_IS_BYTEARRAY(obj) PyByteArray_CheckExact(obj)
#  else
#    define OLDBUFFER_IS_BYTEARRAY(obj) 0
#    define oldbuffer_bytearray_storage(obj, buffer, buffer_len) \
         OLDBUFFER_BY_EXPORT
#  endif

#  define OLDBUFFER_HAVE_FAST_PATH 1
/* The type tested first takes no jump: bytes, but for the write call
 * bytearray, as a write to bytes fails anyway (bytes' getbuffer raises
 * BufferError, which CPython replaces with its write error). */
OLDBUFFER_ALWAYS_INLINE oldbuffer_answer
oldbuffer_fast_path(PyObject *obj, int call, void **buffer,
                    Py_ssize_t *buffer_len)
{
    int write = call == OLDBUFFER_CALL_WRITE;

    if (write && OLDBUFFER_LIKELY(OLDBUFFER_IS_BYTEARRAY(obj))) {
        return oldbuffer_bytearray_storage(obj, buffer, buffer_len);
    }
    if (call <= OLDBUFFER_CALL_READ && !OLDBUFFER_READ_FAST_PATH_OK()) {
        return OLDBUFFER_BY_EXPORT;
    }
    if (OLDBUFFER_LIKELY(PyBytes_CheckExact(obj))) {
        if (write) {
            (void)oldbuffer_write_failed();
            return OLDBUFFER_FAILED;
        }
        *buffer = PyBytes_AS_STRING(obj);
        *buffer_len = PyBytes_GET_SIZE(obj);
        return OLDBUFFER_BY_BYTES;
    }
    if (!write && OLDBUFFER_LIKELY(OLDBUFFER_IS_BYTEARRAY(obj))) {
        return oldbuffer_bytearray_storage(obj, buffer, buffer_len);
    }
    return OLDBUFFER_BY_EXPORT;
}
#endif /* OLDBUFFER_FAST_PATHS */

/* The read and char calls share the export, as in CPython 3; a failed
 * write gives CPython's write error whatever the reason; a non-exporter
 * gets the interpreter's own TypeError from PyObject_GetBuffer(). */
OLDBUFFER_INLINE int
oldbuffer_impl_export(PyObject *obj, int call, void **buffer,
                      Py_ssize_t *buffer_len)
{
    int write = call == OLDBUFFER_CALL_WRITE;
    Py_buffer view;

    if (!oldbuffer_has_getbuffer(obj)) {
        if (write) {
            return oldbuffer_write_failed();
        }
        (void)PyObject_GetBuffer(obj, &view, PyBUF_SIMPLE);
        return -1;
    }
    if ((write ? oldbuffer_slot_get_buffer(obj, &view, PyBUF_WRITABLE)
               : oldbuffer_get_buffer(obj, &view, PyBUF_SIMPLE)) != 0) {
        return write ? oldbuffer_write_failed() : -1;
    }
    *buffer = view.buf;
    *buffer_len = view.len;
    oldbuffer_release(&view);
    return 0;
}

/* 1 when a PyBUF_SIMPLE export succeeds, else 0, as CPython: a failed
 * export's exception is cleared (with any set before the call), nothing
 * is cleared for a type that does not export, and an exporter that
 * succeeds with an exception set (or whose release hook sets one) leaves
 * it set. */
OLDBUFFER_INLINE int
oldbuffer_impl_check(PyObject *obj)
{
    Py_buffer view;

    if (!oldbuffer_has_getbuffer(obj)) {
        return 0;
    }
    if (oldbuffer_slot_get_buffer(obj, &view, PyBUF_SIMPLE) == -1) {
        PyErr_Clear();
        return 0;
    }
    oldbuffer_release(&view);
    return 1;
}

#endif /* OLDBUFFER_IMPL_PYBUFFER */


#if !defined(OLDBUFFER_HAVE_FAST_PATH)
OLDBUFFER_ALWAYS_INLINE oldbuffer_answer
oldbuffer_fast_path(PyObject *obj, int call, void **buffer,
                    Py_ssize_t *buffer_len)
{
    (void)obj;
    (void)call;
    (void)buffer;
    (void)buffer_len;
    return OLDBUFFER_BY_EXPORT;
}
#endif

/* ---------------------------------------------------------------------
 * The four calls, on every version
 * ------------------------------------------------------------------- */

/* The export path: Python 2.7's rules for a type given legacy procs
 * here, else the implementation's. */
OLDBUFFER_INLINE int
oldbuffer_export_call(PyObject *obj, int call, void **buffer,
                      Py_ssize_t *buffer_len)
{
#if defined(OLDBUFFER_LEGACY_ADAPTER)
    OldBuffer_LegacyProcs procs;
    const OldBuffer_LegacyProcs *lp = oldbuffer_has_legacy_procs(obj)
        ? oldbuffer_legacy_lookup(Py_TYPE(obj), &procs) : OLDBUFFER_NULL;

    if (lp != OLDBUFFER_NULL) {
        return oldbuffer_legacy_rule(obj, lp, call, buffer, buffer_len);
    }
#endif
    return oldbuffer_impl_export(obj, call, buffer, buffer_len);
}

/* The char, read or write call: CPython's NULL checks (buffer_missing:
 * the caller's buffer is NULL), the fast path, the export path (with
 * locals of its own: the fast path's stay in registers).  The outputs
 * are written only on success. */
OLDBUFFER_ALWAYS_INLINE oldbuffer_answer
oldbuffer_call(PyObject *obj, int call, int buffer_missing, void **buffer,
               Py_ssize_t *buffer_len)
{
    void *p = OLDBUFFER_NULL;
    Py_ssize_t len = 0;
    oldbuffer_answer answer;

    if (obj == OLDBUFFER_NULL || buffer_missing
        || buffer_len == OLDBUFFER_NULL) {
        (void)oldbuffer_null_error();
        return OLDBUFFER_FAILED;
    }
    answer = oldbuffer_fast_path(obj, call, &p, &len);
    if (answer == OLDBUFFER_BY_EXPORT) {
        void *xp = OLDBUFFER_NULL;
        Py_ssize_t xlen = 0;

        if (oldbuffer_export_call(obj, call, &xp, &xlen) != 0) {
            return OLDBUFFER_FAILED;
        }
        p = xp;
        len = xlen;
    }
    if (answer != OLDBUFFER_FAILED) {
        *buffer = p;
        *buffer_len = len;
    }
    return answer;
}

/* int OldBuffer_AsCharBuffer(PyObject *, const char **, Py_ssize_t *);
 * int OldBuffer_AsReadBuffer(PyObject *, const void **, Py_ssize_t *); */
#define OLDBUFFER_DEFAULT_CALL(name, type, call) \
    OLDBUFFER_DEFINE_TYPED( \
        OLDBUFFER_ALWAYS_INLINE, name, type, \
        (PyObject *obj, type **buffer, Py_ssize_t *buffer_len), \
        (oldbuffer_call(obj, call, buffer == OLDBUFFER_NULL, &p, \
                        buffer_len)))
OLDBUFFER_DEFAULT_CALL(OldBuffer_AsCharBuffer, const char, OLDBUFFER_CALL_CHAR)
OLDBUFFER_DEFAULT_CALL(OldBuffer_AsReadBuffer, const void, OLDBUFFER_CALL_READ)

OLDBUFFER_ALWAYS_INLINE int
OldBuffer_AsWriteBuffer(PyObject *obj, void **buffer, Py_ssize_t *buffer_len)
{
    return oldbuffer_call(obj, OLDBUFFER_CALL_WRITE, buffer == OLDBUFFER_NULL,
                          buffer, buffer_len) == OLDBUFFER_FAILED ? -1 : 0;
}

/* CheckReadBuffer(NULL) is 0 (the interpreter's own crashes). */
OLDBUFFER_ALWAYS_INLINE int
OldBuffer_CheckReadBuffer(PyObject *obj)
{
    void *p = OLDBUFFER_NULL;
    Py_ssize_t len = 0;

    if (obj == OLDBUFFER_NULL) {
        return 0;
    }
    if (oldbuffer_fast_path(obj, OLDBUFFER_CALL_CHECK, &p, &len)
        != OLDBUFFER_BY_EXPORT) {
        return 1;
    }
#if defined(OLDBUFFER_LEGACY_ADAPTER)
    if (oldbuffer_has_legacy_procs(obj)) {
        OldBuffer_LegacyProcs procs;
        return oldbuffer_legacy_check(
            obj, oldbuffer_legacy_lookup(Py_TYPE(obj), &procs));
    }
#endif
    return oldbuffer_impl_check(obj);
}


/* ---------------------------------------------------------------------
 * Modes: audit, lifetime-safe, Python 2 text (opt-in; manual: MODES)
 *
 * The default call runs first, unchanged (oldbuffer_call); then, for
 * memory that can move, the audit may warn and the lifetime-safe mode
 * may keep the export.  With no mode this section is empty.
 * ------------------------------------------------------------------- */
#if defined(OLDBUFFER_MODES)

#if defined(OLDBUFFER_AUDIT) || defined(OLDBUFFER_LIFETIME_SAFE)
/* Does the type have a release hook?  (Limited API: Py_bf_releasebuffer
 * is 3.11.) */
OLDBUFFER_INLINE int
oldbuffer_has_release_hook(PyTypeObject *type)
{
#if defined(OLDBUFFER_FULL_API)
    PyBufferProcs *pb = type->tp_as_buffer;
    return pb != OLDBUFFER_NULL && pb->bf_releasebuffer != OLDBUFFER_NULL;
#else
    return PyType_GetSlot(type, Py_bf_releasebuffer) != OLDBUFFER_NULL;
#endif
}

/* Is a successful call on obj hazardous: can the exporter resize, move
 * or free the memory once the export is released?  Yes when the export
 * has a release hook: the type's bf_releasebuffer, or that of the object
 * the export names (view.obj: a PEP 688 __buffer__ hands out a
 * memoryview).  bytes and other exporters without a hook hand out memory
 * that lives as long as the object.  The probe may take a second export:
 * with keep not NULL, a hazardous one stays in *keep for the caller;
 * otherwise nothing is held. */
OLDBUFFER_INLINE int
oldbuffer_probe_hazard(PyObject *obj, int flags, Py_buffer *keep)
{
#if defined(OLDBUFFER_LEGACY_ADAPTER)
    /* Legacy procs have no release (the call handed out the proc's own
     * pointer, PyPy too), and a second export would run a proc the call
     * did not (a proc may have side effects). */
    if (oldbuffer_has_legacy_procs(obj)) {
        return 0;
    }
#endif
#if defined(PYPY_VERSION)
    /* cpyext shows no release hooks, and hands some memory out as a
     * copy per export (a bytearray's): anything but bytes may move. */
    (void)flags;
    (void)keep;
    return !PyBytes_Check(obj);
#else
    Py_buffer local;   /* (a kept export is made in place: a Py_buffer
                          is not moved while exported) */
    Py_buffer *view = keep != OLDBUFFER_NULL ? keep : &local;
    int hazard;

    if (PyBytes_CheckExact(obj)) {
        return 0;
    }
    if (keep == OLDBUFFER_NULL && oldbuffer_has_release_hook(Py_TYPE(obj))) {
        return 1;   /* no export needed to know */
    }
    if (!PyObject_CheckBuffer(obj)) {
        return 0;
    }
    /* The mode's own export, made with no exception set, must leave none:
     * whatever the exporter or a release hook raises is cleared, and the
     * slot is called directly, so that a debug build does not abort
     * where the default call did not. */
    if (oldbuffer_slot_get_buffer(obj, view, flags) != 0) {
        PyErr_Clear();   /* the call worked; a second export did not */
        return 0;
    }
    hazard = oldbuffer_has_release_hook(Py_TYPE(obj))
             || (view->obj != OLDBUFFER_NULL
                 && oldbuffer_has_release_hook(Py_TYPE(view->obj)));
    if (!hazard || keep == OLDBUFFER_NULL) {
        PyBuffer_Release(view);
    }
    PyErr_Clear();
    return hazard;
#endif
}
#endif /* OLDBUFFER_AUDIT || OLDBUFFER_LIFETIME_SAFE */

/* Save and restore the exception in flight around code that must run
 * with none set (an event callback, a warning): gh-101578 (3.12) added
 * PyErr_GetRaisedException() and deprecated PyErr_Fetch(). */
#if PY_VERSION_HEX >= 0x030C0000 \
    && (!defined(Py_LIMITED_API) || Py_LIMITED_API + 0 >= 0x030C0000)
typedef struct { PyObject *exc; } oldbuffer_stash;
#  define OLDBUFFER_STASH(s) ((s).exc = PyErr_GetRaisedException())
#  define OLDBUFFER_UNSTASH(s) PyErr_SetRaisedException((s).exc)
#else
typedef struct { PyObject *type, *value, *tb; } oldbuffer_stash;
#  define OLDBUFFER_STASH(s) PyErr_Fetch(&(s).type, &(s).value, &(s).tb)
#  define OLDBUFFER_UNSTASH(s) PyErr_Restore((s).type, (s).value, (s).tb)
#endif


/* --- Audit (OLDBUFFER_AUDIT) ---------------------------------------- */
#if defined(OLDBUFFER_AUDIT)

#if !defined(OLDBUFFER_AUDIT_MAX_SITES)
#  define OLDBUFFER_AUDIT_MAX_SITES 256
#endif

/* The audit's state is static, shared by every thread of the process,
 * which reach it at once on free-threaded builds (PEP 703) and, from
 * 3.12, in own-GIL subinterpreters (PEP 684): it is atomic.  (C11's
 * <stdatomic.h> is not C++: GCC and clang builtins, MSVC intrinsics on
 * long.)  A site's flag only tells whether it warned (relaxed); per-site
 * flags exist with GNU statement expressions alone (OLDBUFFER_SITE). */
#if defined(__GNUC__) || defined(__clang__)
#  define OLDBUFFER_LOAD(p) __atomic_load_n((p), __ATOMIC_ACQUIRE)
#  define OLDBUFFER_STORE(p, v) __atomic_store_n((p), (v), __ATOMIC_RELEASE)
#  define OLDBUFFER_ADD(p, v) __atomic_fetch_add((p), (v), __ATOMIC_ACQ_REL)
#  define OLDBUFFER_FLAG(site) __atomic_load_n((site), __ATOMIC_RELAXED)
#  define OLDBUFFER_FLAG_SET(site) __atomic_store_n((site), 1, __ATOMIC_RELAXED)
#elif defined(_MSC_VER)
#  define OLDBUFFER_LOAD(p) _InterlockedOr((p), 0)
#  define OLDBUFFER_STORE(p, v) ((void)_InterlockedExchange((p), (v)))
#  define OLDBUFFER_ADD(p, v) _InterlockedExchangeAdd((p), (v))
#elif defined(Py_GIL_DISABLED)
#  error "OLDBUFFER_AUDIT on a free-threaded build needs GCC, clang or MSVC: its state, shared by all threads, is kept with their atomics"
#else   /* (one GIL: plain accesses) */
#  define OLDBUFFER_LOAD(p) (*(p))
#  define OLDBUFFER_STORE(p, v) ((void)(*(p) = (v)))
#  define OLDBUFFER_ADD(p, v) ((*(p) += (v)) - (v))
#endif
#if !defined(OLDBUFFER_FLAG)
#  define OLDBUFFER_FLAG(site) (*(site))
#  define OLDBUFFER_FLAG_SET(site) ((void)(*(site) = 1))
#endif

/* A site in the table: file and line are written once, before ready is
 * set; readers look at them only once ready is. */
typedef struct { const char *file; int line; long ready; } oldbuffer_site;

/* strcmp() == 0, without <string.h>, which Python.h no longer includes
 * under the limited API from 3.13 (gh-108765). */
OLDBUFFER_INLINE int
oldbuffer_same_file(const char *a, const char *b)
{
    if (a == b) {
        return 1;
    }
    while (*a != '\0' && *a == *b) {
        a++;
        b++;
    }
    return *a == *b;
}

/* The sites of this translation unit that have warned.  A site is
 * marked only once its warning went out without raising: under
 * -W error every call raises.  When the table is full, new sites warn
 * at every call rather than never.  Entries are claimed by an atomic
 * count and never change once ready: two threads that warn at the same
 * new site at once may both warn and both mark it (a duplicate entry),
 * and no site that has warned is ever lost. */
OLDBUFFER_INLINE int
oldbuffer_site_warned(const char *file, int line, int mark)
{
    static oldbuffer_site sites[OLDBUFFER_AUDIT_MAX_SITES];
    static long claimed;   /* entries claimed; may pass the table size */
    long i, n;

    n = OLDBUFFER_LOAD(&claimed);
    for (i = 0; i < n && i < OLDBUFFER_AUDIT_MAX_SITES; i++) {
        if (OLDBUFFER_LOAD(&sites[i].ready)
            && sites[i].line == line
            && oldbuffer_same_file(sites[i].file, file)) {
            return 1;
        }
    }
    /* (Tested before the claim, so that a full table's count grows no
     * further than the threads that race past this test.) */
    if (mark && n < OLDBUFFER_AUDIT_MAX_SITES) {
        i = OLDBUFFER_ADD(&claimed, 1);
        if (i < OLDBUFFER_AUDIT_MAX_SITES) {
            sites[i].file = file;
            sites[i].line = line;
            OLDBUFFER_STORE(&sites[i].ready, 1);
        }
    }
    return 0;
}

/* oldbuffer.LegacyBufferWarning, shared by every extension: the class of
 * the oldbuffer package (python/oldbuffer) if it is importable -- so
 * that -W error::oldbuffer.LegacyBufferWarning names it -- else one
 * made here and left in sys.modules["oldbuffer"] for the next
 * extension to find.  A new reference, looked up at each warning (once
 * per site): a class kept would belong to one interpreter, and outlive
 * it when Python is finalised. */
OLDBUFFER_INLINE PyObject *
oldbuffer_warning_category(void)
{
    PyObject *module, *cls;

    module = PyImport_ImportModule("oldbuffer");
    if (module == OLDBUFFER_NULL) {
        if (!PyErr_ExceptionMatches(PyExc_ImportError)) {
            return OLDBUFFER_NULL;
        }
        PyErr_Clear();
        module = PyModule_New("oldbuffer");
        if (module == OLDBUFFER_NULL
            || PyDict_SetItemString(PyImport_GetModuleDict(), "oldbuffer",
                                    module) < 0) {
            Py_XDECREF(module);
            return OLDBUFFER_NULL;
        }
    }
    cls = PyObject_GetAttrString(module, "LegacyBufferWarning");
    if (cls == OLDBUFFER_NULL) {
        if (!PyErr_ExceptionMatches(PyExc_AttributeError)) {
            Py_DECREF(module);
            return OLDBUFFER_NULL;
        }
        PyErr_Clear();
        cls = PyErr_NewExceptionWithDoc(
            "oldbuffer.LegacyBufferWarning",
            "A legacy buffer call handed out a pointer that its exporter "
            "can invalidate once the call returns.",
            PyExc_RuntimeWarning, OLDBUFFER_NULL);
        if (cls == OLDBUFFER_NULL
            || PyObject_SetAttrString(module, "LegacyBufferWarning",
                                      cls) < 0) {
            Py_XDECREF(cls);
            Py_DECREF(module);
            return OLDBUFFER_NULL;
        }
    }
    Py_DECREF(module);
    if (!PyType_Check(cls) || !PyObject_IsSubclass(cls, PyExc_Warning)) {
        Py_DECREF(cls);
        PyErr_SetString(PyExc_TypeError,
                        "oldbuffer.LegacyBufferWarning is not a Warning");
        return OLDBUFFER_NULL;
    }
    return cls;
}

/* The type's name as a str (new reference). */
OLDBUFFER_INLINE PyObject *
oldbuffer_type_name(PyObject *obj)
{
#if defined(OLDBUFFER_FULL_API)
    return PyUnicode_FromString(Py_TYPE(obj)->tp_name);
#else
    return PyType_GetName(Py_TYPE(obj));
#endif
}

/* Warn once for this site: 0, or -1 with the warning raised as an
 * exception (-W error) or with what made it impossible to warn.  site:
 * the call site's own flag (see OLDBUFFER_SITE), or NULL for the table
 * of sites. */
OLDBUFFER_INLINE int
oldbuffer_audit_warn(PyObject *obj, int call, const char *file, int line,
                     char *site)
{
    static const char *const names[] = {
        "PyObject_AsCharBuffer", "PyObject_AsReadBuffer",
        "PyObject_AsWriteBuffer"
    };
    PyObject *category, *type_name, *message;
    const char *text;
    int res;

    category = oldbuffer_warning_category();
    if (category == OLDBUFFER_NULL) {
        return -1;
    }
    type_name = oldbuffer_type_name(obj);
    if (type_name == OLDBUFFER_NULL) {
        Py_DECREF(category);
        return -1;
    }
    message = PyUnicode_FromFormat(
        "%s() at %s:%d on a '%U' object: the pointer is left unprotected "
        "once the call returns, and '%U' can resize, move or free that "
        "memory; keep the export for as long as the pointer is used: "
        "PyObject_GetBuffer(obj, &view, %s) ... PyBuffer_Release(&view)",
        names[call], file, line, type_name, type_name,
        call == OLDBUFFER_CALL_WRITE ? "PyBUF_WRITABLE" : "PyBUF_SIMPLE");
    Py_DECREF(type_name);
    if (message == OLDBUFFER_NULL) {
        Py_DECREF(category);
        return -1;
    }
    text = PyUnicode_AsUTF8AndSize(message, OLDBUFFER_NULL);
    res = text == OLDBUFFER_NULL ? -1
          : PyErr_WarnExplicit(category, text, file, line, OLDBUFFER_NULL,
                               OLDBUFFER_NULL);
    Py_DECREF(message);
    Py_DECREF(category);
    if (res < 0) {
        return -1;
    }
    if (site != OLDBUFFER_NULL) {
        OLDBUFFER_FLAG_SET(site);
    }
    else {
        (void)oldbuffer_site_warned(file, line, 1);
    }
    return 0;
}

OLDBUFFER_INLINE int
oldbuffer_audit(PyObject *obj, int call, const char *file, int line,
                char *site)
{
    int flags = call == OLDBUFFER_CALL_WRITE ? PyBUF_WRITABLE : PyBUF_SIMPLE;

    /* (The site first: a site's own flag is tested by the caller, the
     * table of sites here.) */
    if (file == OLDBUFFER_NULL
        || (site == OLDBUFFER_NULL && oldbuffer_site_warned(file, line, 0))
        || PyErr_Occurred()
        || !oldbuffer_probe_hazard(obj, flags, OLDBUFFER_NULL)) {
        return 0;
    }
    return oldbuffer_audit_warn(obj, call, file, line, site);
}

#endif /* OLDBUFFER_AUDIT */


/* --- Lifetime-safe: EXPERIMENTAL, docs/lifetime-safe.md ------------- */
#if defined(OLDBUFFER_LIFETIME_SAFE)
#  include "oldbuffer_lifetime.h"
#endif


/* --- The calls with the modes ---------------------------------------- */

/* The char, read or write call with this translation unit's modes: the
 * default call (its type test made once), then the modes for memory that
 * can move (never bytes).  file and line name the call site for the
 * audit (NULL: no audit), site is its flag (NULL: the table of sites).
 * On -1 the outputs are left untouched, as by default. */
OLDBUFFER_INLINE int
oldbuffer_modes_call(PyObject *obj, int call, int buffer_missing,
                     void **buffer, Py_ssize_t *buffer_len,
                     const char *file, int line, char *site)
{
    void *p = OLDBUFFER_NULL;
    Py_ssize_t len = 0;
    oldbuffer_answer answer;

    (void)file;   /* (unused without the audit) */
    (void)line;
    (void)site;
    buffer_missing = buffer_missing || buffer_len == OLDBUFFER_NULL;
#if defined(OLDBUFFER_PY2_TEXT)
    /* Python 2's str was bytes; its text is now str, whose UTF-8 form
     * CPython caches in the object: valid as long as the string. */
    if (call == OLDBUFFER_CALL_CHAR && obj != OLDBUFFER_NULL
        && !buffer_missing && PyUnicode_Check(obj)) {
        const char *text = PyUnicode_AsUTF8AndSize(obj, &len);

        if (text == OLDBUFFER_NULL) {
            return -1;   /* UnicodeEncodeError: lone surrogates */
        }
        *buffer = oldbuffer_unconst(text);
        *buffer_len = len;
        return 0;
    }
#endif
    answer = oldbuffer_call(obj, call, buffer_missing, &p, &len);
    if (answer == OLDBUFFER_FAILED) {
        return -1;
    }
#if !defined(OLDBUFFER_FAST_PATHS)
    if (PyBytes_CheckExact(obj)) {
        answer = OLDBUFFER_BY_BYTES;   /* (no fast path said so) */
    }
#endif
    /* Memory that can move: the audit (the site's flag tested inline: at
     * a site that has warned, the audit costs this test alone), then the
     * pin. */
#if defined(OLDBUFFER_AUDIT)
    if (answer != OLDBUFFER_BY_BYTES
        && (site == OLDBUFFER_NULL || OLDBUFFER_FLAG(site) == 0)
        && oldbuffer_audit(obj, call, file, line, site) < 0) {
        return -1;
    }
#endif
#if defined(OLDBUFFER_LIFETIME_SAFE)
    if (answer != OLDBUFFER_BY_BYTES
        && oldbuffer_pin_export(obj, p, call) < 0) {
        return -1;
    }
#endif
    *buffer = p;
    *buffer_len = len;
    return 0;
}

/* The char and read calls with the modes, typed for their callers (the
 * write call is oldbuffer_modes_call itself). */
#define OLDBUFFER_MODES_AT(name, type, call) \
    OLDBUFFER_DEFINE_TYPED( \
        OLDBUFFER_INLINE, name, type, \
        (PyObject *obj, type **buffer, Py_ssize_t *buffer_len, \
         const char *file, int line, char *site), \
        (oldbuffer_modes_call(obj, call, buffer == OLDBUFFER_NULL, &p, \
                              buffer_len, file, line, site)))
OLDBUFFER_MODES_AT(oldbuffer_as_char_at, const char, OLDBUFFER_CALL_CHAR)
OLDBUFFER_MODES_AT(oldbuffer_as_read_at, const void, OLDBUFFER_CALL_READ)

OLDBUFFER_INLINE int
OldBuffer_AsCharBufferAt(PyObject *obj, const char **buffer,
                         Py_ssize_t *buffer_len, const char *file, int line)
{
    return oldbuffer_as_char_at(obj, buffer, buffer_len, file, line,
                                OLDBUFFER_NULL);
}

OLDBUFFER_INLINE int
OldBuffer_AsReadBufferAt(PyObject *obj, const void **buffer,
                         Py_ssize_t *buffer_len, const char *file, int line)
{
    return oldbuffer_as_read_at(obj, buffer, buffer_len, file, line,
                                OLDBUFFER_NULL);
}

OLDBUFFER_INLINE int
OldBuffer_AsWriteBufferAt(PyObject *obj, void **buffer,
                          Py_ssize_t *buffer_len, const char *file, int line)
{
    return oldbuffer_modes_call(obj, OLDBUFFER_CALL_WRITE,
                                buffer == OLDBUFFER_NULL, buffer, buffer_len,
                                file, line, OLDBUFFER_NULL);
}

/* No pointer, no hazard: the default call. */
OLDBUFFER_INLINE int
OldBuffer_CheckReadBufferAt(PyObject *obj, const char *file, int line)
{
    (void)file;
    (void)line;
    return OldBuffer_CheckReadBuffer(obj);
}

/* Plain legacy names (their address can be taken), with no call site. */
#if !defined(OLDBUFFER_NO_COMPAT_NAMES) && !defined(OLDBUFFER_AUDIT)
#  define OLDBUFFER_MODES_PLAIN(name, type, call) \
       OLDBUFFER_DEFINE_TYPED( \
           OLDBUFFER_INLINE, name, type, \
           (PyObject *obj, type **buffer, Py_ssize_t *buffer_len), \
           (oldbuffer_modes_call(obj, call, buffer == OLDBUFFER_NULL, &p, \
                                 buffer_len, OLDBUFFER_NULL, 0, \
                                 OLDBUFFER_NULL)))
OLDBUFFER_MODES_PLAIN(oldbuffer_modes_as_char, const char, OLDBUFFER_CALL_CHAR)
OLDBUFFER_MODES_PLAIN(oldbuffer_modes_as_read, const void, OLDBUFFER_CALL_READ)

OLDBUFFER_INLINE int
oldbuffer_modes_as_write(PyObject *obj, void **buffer, Py_ssize_t *buffer_len)
{
    return oldbuffer_modes_call(obj, OLDBUFFER_CALL_WRITE,
                                buffer == OLDBUFFER_NULL, buffer, buffer_len,
                                OLDBUFFER_NULL, 0, OLDBUFFER_NULL);
}
#endif

#endif /* OLDBUFFER_MODES */


/* ---------------------------------------------------------------------
 * The legacy names
 *
 * Mapped on every version: they replace the deprecated declarations
 * before 3.13 (no -Wdeprecated-declarations), the removed ones from 3.13
 * (gh-85275).  With the audit, function-like macros passing the call site
 * and its own flag (a static in a GNU statement expression; other
 * compilers use the table of sites).
 * ------------------------------------------------------------------- */
#if !defined(OLDBUFFER_NO_COMPAT_NAMES)
#  undef PyObject_AsCharBuffer
#  undef PyObject_AsReadBuffer
#  undef PyObject_AsWriteBuffer
#  undef PyObject_CheckReadBuffer
#  if defined(OLDBUFFER_MODES) && defined(OLDBUFFER_AUDIT)
#    if defined(__GNUC__) || defined(__clang__)
#      define OLDBUFFER_SITE \
           (__extension__ ({ static char oldbuffer_site_flag_; \
                             &oldbuffer_site_flag_; }))
#    else
#      define OLDBUFFER_SITE OLDBUFFER_NULL
#    endif
#    define PyObject_AsCharBuffer(obj, buffer, buffer_len) \
         oldbuffer_as_char_at((obj), (buffer), (buffer_len), \
                              __FILE__, __LINE__, OLDBUFFER_SITE)
#    define PyObject_AsReadBuffer(obj, buffer, buffer_len) \
         oldbuffer_as_read_at((obj), (buffer), (buffer_len), \
                              __FILE__, __LINE__, OLDBUFFER_SITE)
#    define PyObject_AsWriteBuffer(obj, buffer, buffer_len) \
         oldbuffer_modes_call((obj), OLDBUFFER_CALL_WRITE, \
                              (buffer) == OLDBUFFER_NULL, (buffer), \
                              (buffer_len), __FILE__, __LINE__, \
                              OLDBUFFER_SITE)
#    define PyObject_CheckReadBuffer(obj) \
         OldBuffer_CheckReadBufferAt((obj), __FILE__, __LINE__)
#  elif defined(OLDBUFFER_MODES)
#    define PyObject_AsCharBuffer oldbuffer_modes_as_char
#    define PyObject_AsReadBuffer oldbuffer_modes_as_read
#    define PyObject_AsWriteBuffer oldbuffer_modes_as_write
#    define PyObject_CheckReadBuffer OldBuffer_CheckReadBuffer
#  else
#    define PyObject_AsCharBuffer OldBuffer_AsCharBuffer
#    define PyObject_AsReadBuffer OldBuffer_AsReadBuffer
#    define PyObject_AsWriteBuffer OldBuffer_AsWriteBuffer
#    define PyObject_CheckReadBuffer OldBuffer_CheckReadBuffer
#  endif
#endif

#ifdef __cplusplus
}
#endif

#endif /* OLDBUFFER_H */
