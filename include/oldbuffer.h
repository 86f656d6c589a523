/* oldbuffer.h -- the Python 2 "old buffer protocol" for every CPython
 * 2.7, 3.6 ... 3.15 and PyPy 3, in one header, for C and C++.
 *
 * Copyright (c) 2026 the oldbuffer authors.  Licence: 0BSD (see the end of
 * this comment): copy this file into your tree, no paperwork needed.
 * Latest copy and tests: the oldbuffer project, file include/oldbuffer.h.
 *
 * ======================================================================
 * WHAT IT DOES
 * ======================================================================
 *
 * Python 2 gave C extensions four calls to get raw memory out of an object:
 *
 *   int PyObject_AsCharBuffer(PyObject *obj, const char **buffer,
 *                             Py_ssize_t *buffer_len);
 *   int PyObject_AsReadBuffer(PyObject *obj, const void **buffer,
 *                             Py_ssize_t *buffer_len);
 *   int PyObject_AsWriteBuffer(PyObject *obj, void **buffer,
 *                              Py_ssize_t *buffer_len);
 *   int PyObject_CheckReadBuffer(PyObject *obj);
 *
 * The first three return 0 and set *buffer and *buffer_len, or return -1
 * with an exception set (and leave both untouched).  CheckReadBuffer
 * returns 1 or 0, clearing the exception of a failed export.  CPython
 * 3.0-3.12 kept
 * them as deprecated wrappers over the Py_buffer protocol; CPython 3.13
 * removed them from the headers (they remain only as ABI-only symbols), so
 * code calling them fails to compile with "implicit declaration of
 * function 'PyObject_AsWriteBuffer'".
 *
 * This header brings them back.  Include it after (or instead of)
 * Python.h, or add it to every translation unit with no source change:
 *
 *   gcc -include oldbuffer.h ...          (clang, icc: the same)
 *   cl /FIoldbuffer.h ...                 (MSVC)
 *
 * With -include, this header includes Python.h before the file does: a
 * "#define PY_SSIZE_T_CLEAN" or "#define Py_LIMITED_API" in the file then
 * comes too late and is ignored.  Pass such macros on the command line
 * (-DPY_SSIZE_T_CLEAN) as well; tools/oldbuffer-scan.c reports them.
 *
 * It always defines the project's own implementation,
 *
 *   OldBuffer_AsCharBuffer   OldBuffer_AsReadBuffer
 *   OldBuffer_AsWriteBuffer  OldBuffer_CheckReadBuffer
 *
 * with the signatures above, the interpreter's own functions as
 * OldBuffer_Native_AsCharBuffer & co. (for comparison: tests, benchmarks),
 * and (unless OLDBUFFER_NO_COMPAT_NAMES is
 * defined) maps the four PyObject_* names onto them with macros, on every
 * version, so that the legacy names compile without deprecation warnings
 * and behave the same everywhere.
 *
 * ======================================================================
 * SEMANTICS (exact to the interpreter's own functions; tests/ prove it)
 * ======================================================================
 *
 *   Python 2.7   The legacy procs of the type (bf_getsegcount plus
 *                bf_getcharbuffer / bf_getreadbuffer / bf_getwritebuffer),
 *                exactly as Python 2.7's Objects/abstract.c: the object
 *                must export exactly one segment.
 *   Python 3.x   A PyBUF_SIMPLE (read, char) or PyBUF_WRITABLE (write)
 *                Py_buffer export, released before the call returns,
 *                exactly as CPython 3.12's Objects/abstract.c; so the
 *                error of a failed read/char export is the exporter's own
 *                (e.g. "a bytes-like object is required, not 'int'"), a
 *                failed write export becomes TypeError("expected a
 *                writable bytes-like object").  On 3.13+ the same rules
 *                hold although the interpreter no longer declares them.
 *   NULL args    SystemError("null argument to internal routine") unless
 *                an exception is already set (CPython's null_error()).
 *                OldBuffer_CheckReadBuffer(NULL) returns 0 (CPython's own
 *                crashes).
 *
 *   PyPy 3       PyPy's own functions (its cpyext keeps them), behind
 *                CPython's NULL checks; PyPy's messages differ from
 *                CPython's ("expected an object with a buffer interface").
 *
 * ======================================================================
 * LEGACY EXPORTERS (Python 2's bf_getreadbuffer & co. on Python 3)
 * ======================================================================
 *
 * A Python 2 type that exported memory through the four legacy procs
 * keeps them.  On Python 3 this header defines Python 2's proc types
 * (readbufferproc, writebufferproc, segcountproc, charbufferproc) and
 * OldBuffer_LegacyProcs, whose members and order are those of Python 2's
 * PyBufferProcs, so the Python 2 initializer works unchanged:
 *
 *   static OldBuffer_LegacyProcs my_as_buffer = {
 *       my_getreadbuffer, my_getwritebuffer, my_getsegcount,
 *       my_getcharbuffer
 *   };
 *   ...  OldBuffer_SetLegacyProcs(&MyType, &my_as_buffer);  ... (0 or -1)
 *
 * (On Python 2.7, OldBuffer_LegacyProcs is PyBufferProcs and the call
 * sets tp_as_buffer.)  Static or heap types, before or after
 * PyType_Ready (before is better: on PyPy it is required).  As in
 * Python 2, a subclass inherits proc by proc (each proc it lacks comes
 * from the nearest base that has it), except that procs given to a type
 * already ready are its whole set.  Then
 *   - the four calls apply Python 2.7's rules to the type: a char buffer
 *     needs bf_getcharbuffer, and so on, each with bf_getsegcount; more
 *     than one segment gives 2.7's "single-segment" TypeError; the procs'
 *     lengths and errors pass through (CheckReadBuffer, as 2.7's, leaves
 *     set the exception of a bf_getsegcount that raises).  This holds
 *     for calls compiled in the same translation unit as
 *     OldBuffer_SetLegacyProcs(); elsewhere the type is seen through
 *     the new protocol below;
 *   - the new protocol works, one proc per request, as Python 2.7's
 *     consumers took them: a read-only request (memoryview(), bytes(),
 *     hashlib, y*: 2.7's s*) runs bf_getreadbuffer -- bf_getcharbuffer
 *     for a type without one -- and gives a read-only view of its
 *     region; a writable request (PyBUF_WRITABLE, w*, readinto) runs
 *     bf_getwritebuffer and gives its region, or its error.  The write
 *     proc never runs for a read, so memoryview(obj) is read-only: code
 *     that writes asks for PyBUF_WRITABLE.  Without a write proc, a
 *     writable request fails as for bytes (PyBuffer_FillInfo's error:
 *     BufferError "Object is not writable.", on PyPy ValueError).  One
 *     segment maps to a Py_buffer; several raise BufferError.
 *
 * HAZARD.  As in CPython, the export is released before the call returns:
 * the pointer is valid only while nothing can resize, close or free the
 * exporter's memory (a bytearray resized, an mmap closed, a memoryview
 * released).  New code should use PyObject_GetBuffer()/PyBuffer_Release()
 * and keep the Py_buffer for as long as it uses the pointer.
 *
 * ======================================================================
 * MODES (opt-in; all off by default, and then they cost nothing)
 * ======================================================================
 *
 * Three macros change what the four PyObject_* names do in the
 * translation unit that defines them; the OldBuffer_* functions keep the
 * default semantics.  Each mode runs the default call first, unchanged,
 * so pointers, lengths and errors are the default ones except where the
 * mode says otherwise.  Python 2.7 accepts them and changes nothing.
 *
 * OLDBUFFER_AUDIT finds the hazardous calls.  A call is hazardous when
 * it succeeds and its export has a release hook -- the object's type
 * has bf_releasebuffer (bytearray, array.array, mmap, memoryview, ...)
 * or the export names another object that has one (view.obj, e.g. the
 * memoryview behind a PEP 688 __buffer__): then the exporter may
 * resize, move or free the memory once the call returns.  Never for
 * bytes or for CheckReadBuffer, which hands out no pointer.  Each
 * hazardous call site (__FILE__:__LINE__) issues one
 * oldbuffer.LegacyBufferWarning (a RuntimeWarning) naming the site --
 * also as the warning's filename and line --, the call, the type and
 * the fix (PyObject_GetBuffer ... PyBuffer_Release).  A site is
 * marked once its warning went out without raising, so under
 * `python -W error::oldbuffer.LegacyBufferWarning` every such call
 * returns -1 with the warning raised (outputs untouched, no export
 * kept).  The class is the oldbuffer package's (pip install oldbuffer,
 * or PYTHONPATH to its python/ directory: needed for -W on the command
 * line); without the package the first warning creates it and
 * registers a minimal "oldbuffer" module, shared by every extension.
 * The names become function-like macros: to take the address of one,
 * use OldBuffer_* (no modes) or OldBuffer_*At(obj, ..., file, line).
 * PyPy's cpyext shows no release hooks (and copies a bytearray per
 * export): there every object but bytes is hazardous.  With gcc and
 * clang each call site keeps its own flag (a static in a GNU statement
 * expression), so a call at a site that has warned costs one test more
 * than the default; other compilers, and OldBuffer_*At, keep a table of
 * OLDBUFFER_AUDIT_MAX_SITES sites per translation unit (beyond it, a new
 * site warns at every call).  A call made with an exception already set
 * is not audited.  Under Py_LIMITED_API it needs 3.11.
 *
 * OLDBUFFER_LIFETIME_SAFE keeps a hazardous export (above) instead of
 * releasing it, until the C function that made the call has returned
 * to Python: a callback that tries to resize the bytearray gets
 * BufferError instead of leaving the pointer dangling.  The export is
 * "pinned" to the innermost Python frame (the one that called the C
 * function) and its current instruction.  In the main thread a pending
 * call (Py_AddPendingCall), which the eval loop runs right after the C
 * function returns, releases it before the frame's next instruction;
 * if the C function calls no Python code, that is all.  When the
 * pending call runs inside a Python callback of the C function, and in
 * other threads (pending calls run in the main one), the pins go to a
 * per-thread list owned by a profile function (PyEval_SetProfile)
 * installed while such pins exist, chained to any profile function
 * already there (sys.setprofile; cProfile before 3.12, which uses
 * sys.monitoring since), and removed after.  It releases a pin at the
 * first profile event showing the call over: in that frame a C call or
 * Python call at another instruction, or its C_RETURN / C_EXCEPTION, or
 * the frame's return, yield or unwind; and has the pending call run
 * again when a callback returns.  Pins left at exit are released by an
 * atexit function, and any taken later in finalisation are dropped at
 * the end of Py_FinalizeEx (a Py_AtExit function, one of the process's
 * 32, per translation unit), so that Python can be initialised again.
 * More calls on the same object in the same frame keep the first pin
 * (a C loop does not grow the list).
 * With no Python frame (a C thread) the export is released at once, as
 * by default.  Limits:
 *   - in threads other than the main one, the pin can outlive the C
 *     function until that event: an in-place operator on the same
 *     object right after the call, in the same frame and before any
 *     other call (`del buf[:n]`, `buf += ...`, slice assignment),
 *     raises BufferError, as it would with a memoryview alive; in any
 *     thread, so does a resize from a callback run by a C caller in
 *     between (map(cfunc, ...) releases when map returns); and from
 *     3.10 in the main thread too, after a call from a C slot that no
 *     call instruction runs (x[buf], x + buf, iteration; len(x) once
 *     specialized): the eval loop runs pending calls only at calls,
 *     backward jumps and function entries since, so the pin lasts
 *     until the frame's next call of a C function, or, if it calls a
 *     Python function first, until that call returns (its entry runs
 *     the pending call, which takes it for a callback of the C call);
 *   - in the main thread, a C function that itself runs pending calls
 *     (Py_MakePendingCalls(), e.g. in a lock wait interrupted by a
 *     signal), or on 3.6 - 3.8 runs code in a subinterpreter (whose
 *     eval loop runs the main interpreter's pending calls there), has
 *     its pins released then, early;
 *   - on 3.8, a pin taken while Python finalises (an atexit function,
 *     a __del__ at teardown) makes CPython print "SystemError:
 *     Py_AddPendingCall: cannot add pending calls" once: harmless, the
 *     profile events end that pin;
 *   - the modes keep state per translation unit, for one GIL: a module
 *     built with one must not declare Py_MOD_PER_INTERPRETER_GIL_SUPPORTED
 *     (3.12+ subinterpreters with a GIL of their own);
 *   - a pointer kept beyond the C function's return still dangles;
 *   - if Python code replaces the profile function meanwhile
 *     (sys.setprofile, cProfile.enable before 3.12) or the thread ends,
 *     every pin is released then: no leak, the protection ends early;
 *     sys.getprofile() inside the C function's callbacks returns an
 *     oldbuffer capsule;
 *   - costs (bench in the README): a pinning call takes a second
 *     export and a record (in the main thread, one reused), and a
 *     pending call releases it, which alone costs two to four times a
 *     C function call; a later call on the same object in the same
 *     frame looks the frame and thread up to find its pin; where the
 *     profile function is needed (callbacks, other threads), Python
 *     code run meanwhile is profiled, and on 3.12+ installing it
 *     switches sys.monitoring's legacy profiling on and off, which
 *     re-instruments the code objects that run next (microseconds).
 * CPython 3.6+ with the full API only: #error on PyPy (no
 * PyEval_SetProfile) and under Py_LIMITED_API; not for free-threaded
 * builds yet (neither is the audit).
 *
 * OLDBUFFER_PY2_TEXT: PyObject_AsCharBuffer on a str (or subclass)
 * gives its UTF-8 encoding (PyUnicode_AsUTF8AndSize: cached in the
 * string, valid as long as it lives), as Python 2's char buffer of a
 * unicode gave its default encoding; a string that cannot be encoded
 * (lone surrogates) gives the UnicodeEncodeError.  By default the call
 * raises CPython 3's TypeError.  The read and write calls are
 * unchanged.  Python 3 only (2.7's unicode has its own char buffer);
 * PyPy too; Py_LIMITED_API needs 3.10.
 *
 * ======================================================================
 * CONFIGURATION (define before including this header)
 * ======================================================================
 *
 *   OLDBUFFER_NO_COMPAT_NAMES   Do not define the PyObject_* macros; only
 *                               the OldBuffer_* functions.  Default: off.
 *   OLDBUFFER_NO_FAST_PATHS     Always take the general path: a
 *                               PyObject_GetBuffer() export released at
 *                               once.  By default, with the full API on
 *                               CPython 3, an exact bytes or bytearray is
 *                               answered from its storage with no export,
 *                               and other exporters' slots are called
 *                               inline (release builds of 3.6-3.15), for
 *                               the same results (tests/ compare the two
 *                               builds, pointers included; bench/ times
 *                               them).  Default: off.
 *   OLDBUFFER_NO_LEGACY_PROCS   Python 3: do not define the legacy proc
 *                               types and OldBuffer_SetLegacyProcs() (if
 *                               your code defines readbufferproc & co.
 *                               itself).  Default: off.
 *   OLDBUFFER_MAX_LEGACY_TYPES  How many types one translation unit can
 *                               give legacy procs.  Default: 64.
 *   OLDBUFFER_AUDIT             One LegacyBufferWarning per hazardous
 *                               call site (MODES).  Default: off.
 *   OLDBUFFER_AUDIT_MAX_SITES   Sites one translation unit remembers.
 *                               Default: 256.
 *   OLDBUFFER_LIFETIME_SAFE     Keep hazardous exports until the C
 *                               function returns (MODES).  Default: off.
 *   OLDBUFFER_PY2_TEXT          PyObject_AsCharBuffer on str gives UTF-8
 *                               (MODES).  Default: off.
 *   Py_LIMITED_API              Honoured (legacy exporters need the full
 *                               API: they are left out).  With a limited API of 3.11 or
 *                               later the implementation uses the
 *                               limited Py_buffer calls.  Older limited
 *                               APIs have no Py_buffer; there the calls
 *                               go to the interpreter's stable-ABI
 *                               exports PyObject_As*Buffer, which every
 *                               CPython 3.x keeps (ABI-only from 3.13).
 *
 * ======================================================================
 * VERSION HISTORY
 * ======================================================================
 *
 *   0.1.0  The four calls on CPython 2.7, 3.6-3.15 and PyPy 3; fast
 *          paths for bytes and bytearray; legacy exporters; the audit,
 *          lifetime-safe and Python 2 text modes.
 *
 * ======================================================================
 * LICENCE (0BSD)
 * ======================================================================
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

#ifdef __cplusplus
extern "C" {
#endif

/* ---------------------------------------------------------------------
 * Shared helpers
 * ------------------------------------------------------------------- */

#if defined(__cplusplus)
#  define OLDBUFFER_INLINE static inline
#  define OLDBUFFER_CAST(type, expr) reinterpret_cast<type>(expr)
#  define OLDBUFFER_NULL nullptr
#elif defined(__STDC_VERSION__) && __STDC_VERSION__ >= 199901L
#  define OLDBUFFER_INLINE static inline
#  define OLDBUFFER_CAST(type, expr) ((type)(expr))
#  define OLDBUFFER_NULL NULL
#else
#  define OLDBUFFER_INLINE static __inline
#  define OLDBUFFER_CAST(type, expr) ((type)(expr))
#  define OLDBUFFER_NULL NULL
#endif
#if defined(__cplusplus) && __cplusplus < 201103L
#  undef OLDBUFFER_NULL
#  define OLDBUFFER_NULL NULL
#endif
/* A branch the fast paths expect to take: laid out as the fall-through,
 * so that the hot path of a loop takes no jump but the loop's own. */
#if defined(__GNUC__) || defined(__clang__)
#  define OLDBUFFER_LIKELY(cond) __builtin_expect(!!(cond), 1)
#else
#  define OLDBUFFER_LIKELY(cond) (cond)
#endif
/* The calls themselves and their fast paths: always inlined whole.  Left
 * to itself gcc -O2 inlines only their head and moves the rest out of
 * line, passing it the caller's buffer and length: then the caller keeps
 * those in memory, not registers, and every call of a loop on bytes
 * costs 0.7 ns instead of 0.5. */
#if defined(__GNUC__) || defined(__clang__)
#  define OLDBUFFER_HOT OLDBUFFER_INLINE __attribute__((always_inline))
#else
#  define OLDBUFFER_HOT OLDBUFFER_INLINE
#endif

/* Which implementation this translation unit gets.  Exactly one of:
 *   OLDBUFFER_IMPL_PY2      Python 2.7: the legacy procs.
 *   OLDBUFFER_IMPL_NATIVE   The interpreter's own functions behind
 *                           CPython's NULL checks:
 *                           - PyPy 3, whose cpyext keeps them (with its own
 *                             error messages, which we keep too);
 *                           - CPython 3 under a limited API older than
 *                             3.11 (no Py_buffer): the stable-ABI exports.
 *   OLDBUFFER_IMPL_PYBUFFER CPython 3 otherwise: Py_buffer, as CPython 3.12.
 */
#if PY_MAJOR_VERSION < 3
#  define OLDBUFFER_IMPL_PY2 1
#elif defined(PYPY_VERSION)
#  define OLDBUFFER_IMPL_NATIVE 1
#elif defined(Py_LIMITED_API) && Py_LIMITED_API + 0 < 0x030B0000
#  define OLDBUFFER_IMPL_NATIVE 1
#else
#  define OLDBUFFER_IMPL_PYBUFFER 1
#endif

/* The full (non-limited) API lets us read tp_as_buffer directly, as
 * CPython's own functions do. */
#if !defined(Py_LIMITED_API) || defined(PYPY_VERSION)
#  define OLDBUFFER_FULL_API 1
#endif

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

#define OLDBUFFER_ANY_NULL(obj, buffer, buffer_len) \
    ((obj) == OLDBUFFER_NULL || (buffer) == OLDBUFFER_NULL \
     || (buffer_len) == OLDBUFFER_NULL)


/* ---------------------------------------------------------------------
 * The interpreter's own functions
 *
 * OldBuffer_Native_AsCharBuffer() & co. call the interpreter's own
 * PyObject_As*Buffer: the implementation for PyPy and old limited APIs
 * below, and what tests and benchmarks compare with.  Like every static
 * inline function here, they reference the interpreter's symbol only
 * where they are used.
 * ------------------------------------------------------------------- */
#if PY_VERSION_HEX >= 0x030D0000 && !defined(PYPY_VERSION)
/* gh-85275: removed from Python.h in 3.13, but still exported (ABI-only,
 * stable ABI; checked with nm -D on 3.13, 3.14, 3.14d and 3.15). */
PyAPI_FUNC(int) PyObject_AsCharBuffer(PyObject *, const char **,
                                      Py_ssize_t *);
PyAPI_FUNC(int) PyObject_AsReadBuffer(PyObject *, const void **,
                                      Py_ssize_t *);
PyAPI_FUNC(int) PyObject_AsWriteBuffer(PyObject *, void **, Py_ssize_t *);
PyAPI_FUNC(int) PyObject_CheckReadBuffer(PyObject *);
#endif

/* 3.8-3.12 mark them Py_DEPRECATED(3.0); calling them is the point here,
 * so silence that warning for these four wrappers only. */
#if defined(__GNUC__) || defined(__clang__)
#  pragma GCC diagnostic push
#  pragma GCC diagnostic ignored "-Wdeprecated-declarations"
#elif defined(_MSC_VER)
#  pragma warning(push)
#  pragma warning(disable: 4996)
#endif

OLDBUFFER_INLINE int
OldBuffer_Native_AsCharBuffer(PyObject *obj, const char **buffer,
                              Py_ssize_t *buffer_len)
{
    return PyObject_AsCharBuffer(obj, buffer, buffer_len);
}

OLDBUFFER_INLINE int
OldBuffer_Native_AsReadBuffer(PyObject *obj, const void **buffer,
                              Py_ssize_t *buffer_len)
{
    return PyObject_AsReadBuffer(obj, buffer, buffer_len);
}

OLDBUFFER_INLINE int
OldBuffer_Native_AsWriteBuffer(PyObject *obj, void **buffer,
                               Py_ssize_t *buffer_len)
{
    return PyObject_AsWriteBuffer(obj, buffer, buffer_len);
}

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
 * Legacy buffer procs: Python 2's exporter side
 *
 * Python 2 types exported memory through four procs of PyBufferProcs.
 * PEP 3118 (3.0) dropped them; on Python 3 this section restores their
 * types and lets a type keep them: OldBuffer_SetLegacyProcs() installs an
 * adapter bf_getbuffer that serves the new protocol from the procs, and
 * the four calls below apply Python 2.7's rules to such a type.  On
 * Python 2.7 the struct is PyBufferProcs itself.
 * ------------------------------------------------------------------- */
#if PY_MAJOR_VERSION < 3

typedef PyBufferProcs OldBuffer_LegacyProcs;
#  define OLDBUFFER_HAVE_LEGACY_PROCS 1

/* Python 2.7 reads the procs straight from tp_as_buffer. */
OLDBUFFER_INLINE int
OldBuffer_SetLegacyProcs(PyTypeObject *type, OldBuffer_LegacyProcs *procs)
{
    if (type == OLDBUFFER_NULL || procs == OLDBUFFER_NULL) {
        PyErr_BadInternalCall();
        return -1;
    }
    type->tp_as_buffer = procs;
    type->tp_flags |= Py_TPFLAGS_HAVE_GETCHARBUFFER;
    return 0;
}

#elif defined(OLDBUFFER_FULL_API) && !defined(OLDBUFFER_NO_LEGACY_PROCS)

#  define OLDBUFFER_HAVE_LEGACY_PROCS 1

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

#ifndef OLDBUFFER_MAX_LEGACY_TYPES
#  define OLDBUFFER_MAX_LEGACY_TYPES 64
#endif

/* Which types have which procs.  One table per translation unit: types
 * are registered at module initialisation, under the GIL.  inherits: the
 * procs were given before PyType_Ready, where Python 2 fills the procs a
 * type leaves NULL from its bases (inherit_slots); given after, they
 * stay as they are. */
typedef struct {
    PyTypeObject *type;
    const OldBuffer_LegacyProcs *procs;
    int inherits;
} oldbuffer_legacy_entry;

OLDBUFFER_INLINE oldbuffer_legacy_entry *
oldbuffer_legacy_registry(void)
{
    static oldbuffer_legacy_entry registry[OLDBUFFER_MAX_LEGACY_TYPES];
    return registry;
}

OLDBUFFER_INLINE const oldbuffer_legacy_entry *
oldbuffer_legacy_entry_of(PyTypeObject *type)
{
    const oldbuffer_legacy_entry *reg = oldbuffer_legacy_registry();
    int i;

    for (i = 0; i < OLDBUFFER_MAX_LEGACY_TYPES && reg[i].type; i++) {
        if (reg[i].type == type) {
            return &reg[i];
        }
    }
    return OLDBUFFER_NULL;
}

/* The procs that act for type, in *procs; NULL when neither it nor a
 * base has any.  As in Python 2, each proc comes from the nearest type
 * that has it (a subclass inherits proc by proc: one without a write
 * proc of its own gets its base's), except that procs given to a ready
 * type are that type's whole set. */
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
        entry = oldbuffer_legacy_entry_of(type);
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

/* The new protocol served from the procs, one proc per request, as
 * Python 2.7's consumers took them: a read-only request (no
 * PyBUF_WRITABLE: memoryview(), bytes(), y*) runs bf_getreadbuffer --
 * 2.7's s* and buffer() -- or, without one, bf_getcharbuffer (its t#),
 * and the view is read-only; a writable request (w*, readinto) runs
 * bf_getwritebuffer, as 2.7's w# and AsWriteBuffer did.  No request runs
 * a proc it has no use for: a write proc may have side effects, and its
 * region may differ from the read proc's.  One segment; legacy procs
 * have no release. */
OLDBUFFER_INLINE int
oldbuffer_legacy_getbuffer(PyObject *obj, Py_buffer *view, int flags)
{
    OldBuffer_LegacyProcs procs;
    const OldBuffer_LegacyProcs *pb =
        oldbuffer_legacy_lookup(Py_TYPE(obj), &procs);
    int writable = (flags & PyBUF_WRITABLE) == PyBUF_WRITABLE;
    void *ptr = OLDBUFFER_NULL;
    char *cptr = OLDBUFFER_NULL;
    Py_ssize_t len, segments;

    if (pb == OLDBUFFER_NULL) {
        PyErr_SetString(PyExc_SystemError,
                        "oldbuffer: legacy procs not registered in this "
                        "module for this type");
        return -1;
    }
    if (writable && pb->bf_getwritebuffer == OLDBUFFER_NULL) {
        /* The interpreter's own error for a read-only exporter asked for
         * a writable buffer (bytes gives it too): BufferError("Object is
         * not writable."). */
        return PyBuffer_FillInfo(view, obj, OLDBUFFER_NULL, 0, 1, flags);
    }
    if (!writable && pb->bf_getreadbuffer == OLDBUFFER_NULL
        && pb->bf_getcharbuffer == OLDBUFFER_NULL) {
        PyErr_Format(PyExc_BufferError,
                     "'%.100s' has no readable legacy buffer",
                     Py_TYPE(obj)->tp_name);
        return -1;
    }
    segments = pb->bf_getsegcount != OLDBUFFER_NULL
               ? (*pb->bf_getsegcount)(obj, OLDBUFFER_NULL) : 0;
    if (segments != 1) {
        if (segments < 0 && PyErr_Occurred()) {
            return -1;
        }
        PyErr_Format(PyExc_BufferError,
                     "'%.100s' exports %zd legacy buffer segments; "
                     "only a single segment maps to a Py_buffer",
                     Py_TYPE(obj)->tp_name, segments);
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

/* Is obj a legacy exporter registered in this translation unit?  One
 * comparison. */
OLDBUFFER_INLINE int
oldbuffer_legacy_exporter(PyObject *obj)
{
    PyBufferProcs *pb = Py_TYPE(obj)->tp_as_buffer;

    return pb != OLDBUFFER_NULL
           && pb->bf_getbuffer == oldbuffer_legacy_getbuffer;
}

/* The procs acting for obj's type (in *procs) if it is a legacy exporter
 * registered in this translation unit, else NULL.  One comparison for
 * every other type. */
OLDBUFFER_INLINE const OldBuffer_LegacyProcs *
oldbuffer_legacy_procs_of(PyObject *obj, OldBuffer_LegacyProcs *procs)
{
    if (!oldbuffer_legacy_exporter(obj)) {
        return OLDBUFFER_NULL;
    }
    return oldbuffer_legacy_lookup(Py_TYPE(obj), procs);
}

#if PY_VERSION_HEX >= 0x030C0000 && !defined(PYPY_VERSION)
/* PEP 688 (3.12): a Python subclass takes its bf_getbuffer from the
 * __buffer__ it finds in its MRO, and PyType_Ready adds __buffer__ only
 * for a slot set before it ran.  For procs attached after, add the
 * method here: the same wrapper CPython makes, around the adapter. */
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
 * Static types get a PyBufferProcs of their own (one they inherited in
 * PyType_Ready may be their base's); heap types have theirs.  Call it
 * before PyType_Ready() where possible: then 3.12+ also gives the type
 * its __buffer__ method, and PyPy sees the slot.  Returns 0, or -1 with
 * an exception. */
OLDBUFFER_INLINE int
OldBuffer_SetLegacyProcs(PyTypeObject *type,
                         const OldBuffer_LegacyProcs *procs)
{
    static PyBufferProcs adapter_procs;   /* shared by static types */
    oldbuffer_legacy_entry *reg = oldbuffer_legacy_registry();
    int i;

    if (type == OLDBUFFER_NULL || procs == OLDBUFFER_NULL) {
        PyErr_BadInternalCall();
        return -1;
    }
#if defined(PYPY_VERSION)
    /* PyPy builds its own view of a type in PyType_Ready: a slot set
     * later reaches memoryview() but not bytes() or hashlib. */
    if (type->tp_flags & Py_TPFLAGS_READY) {
        PyErr_SetString(PyExc_RuntimeError,
                        "oldbuffer: on PyPy, call OldBuffer_SetLegacyProcs() "
                        "before PyType_Ready()");
        return -1;
    }
#endif
    for (i = 0; i < OLDBUFFER_MAX_LEGACY_TYPES; i++) {
        if (reg[i].type == OLDBUFFER_NULL || reg[i].type == type) {
            break;
        }
    }
    if (i == OLDBUFFER_MAX_LEGACY_TYPES) {
        PyErr_SetString(PyExc_RuntimeError,
                        "oldbuffer: more legacy exporter types than "
                        "OLDBUFFER_MAX_LEGACY_TYPES");
        return -1;
    }
    reg[i].type = type;
    reg[i].procs = procs;
    reg[i].inherits = !(type->tp_flags & Py_TPFLAGS_READY);
    if (type->tp_flags & Py_TPFLAGS_HEAPTYPE) {
        PyHeapTypeObject *ht = OLDBUFFER_CAST(PyHeapTypeObject *, type);
        type->tp_as_buffer = &ht->as_buffer;
    }
    else {
        type->tp_as_buffer = &adapter_procs;
    }
    type->tp_as_buffer->bf_getbuffer = oldbuffer_legacy_getbuffer;
    type->tp_as_buffer->bf_releasebuffer = OLDBUFFER_NULL;
    if (type->tp_flags & Py_TPFLAGS_READY) {
#if PY_VERSION_HEX >= 0x030C0000 && !defined(PYPY_VERSION)
        if (oldbuffer_legacy_add_buffer_method(type) < 0) {
            return -1;
        }
#endif
        PyType_Modified(type);
    }
    return 0;
}

#endif /* legacy procs */


/* ---------------------------------------------------------------------
 * Python 2.7's consumer rules for legacy procs, as its Objects/abstract.c
 *
 * Used by Python 2.7 for every object, and by Python 3 for the types
 * given procs with OldBuffer_SetLegacyProcs().  The proc and
 * bf_getsegcount must both exist, there must be exactly one segment, and
 * the proc's length (or its -1 with its exception) is the result.
 * ------------------------------------------------------------------- */
#if defined(OLDBUFFER_HAVE_LEGACY_PROCS)

OLDBUFFER_INLINE int
oldbuffer_legacy_type_error(const char *message)
{
    PyErr_SetString(PyExc_TypeError, message);
    return -1;
}

OLDBUFFER_INLINE int
oldbuffer_legacy_single_segment(PyObject *obj, segcountproc segcount)
{
    if ((*segcount)(obj, OLDBUFFER_NULL) != 1) {
        return oldbuffer_legacy_type_error(
            "expected a single-segment buffer object");
    }
    return 0;
}

OLDBUFFER_INLINE int
oldbuffer_legacy_as_char(PyObject *obj, const OldBuffer_LegacyProcs *pb,
                         const char **buffer, Py_ssize_t *buffer_len)
{
    char *pp = OLDBUFFER_NULL;   /* a proc may set nothing */
    Py_ssize_t len;

    if (pb == OLDBUFFER_NULL || pb->bf_getcharbuffer == OLDBUFFER_NULL
        || pb->bf_getsegcount == OLDBUFFER_NULL) {
        return oldbuffer_legacy_type_error(
            "expected a string or other character buffer object");
    }
    if (oldbuffer_legacy_single_segment(obj, pb->bf_getsegcount) < 0) {
        return -1;
    }
    len = (*pb->bf_getcharbuffer)(obj, 0, &pp);
    if (len < 0) {
        return -1;
    }
    *buffer = pp;
    *buffer_len = len;
    return 0;
}

/* The read and write rules differ only in the proc and the message. */
OLDBUFFER_INLINE int
oldbuffer_legacy_as_pointer(PyObject *obj, segcountproc segcount,
                            readbufferproc proc, const char *message,
                            void **buffer, Py_ssize_t *buffer_len)
{
    void *pp = OLDBUFFER_NULL;   /* a proc may set nothing */
    Py_ssize_t len;

    if (proc == OLDBUFFER_NULL || segcount == OLDBUFFER_NULL) {
        return oldbuffer_legacy_type_error(message);
    }
    if (oldbuffer_legacy_single_segment(obj, segcount) < 0) {
        return -1;
    }
    len = (*proc)(obj, 0, &pp);
    if (len < 0) {
        return -1;
    }
    *buffer = pp;
    *buffer_len = len;
    return 0;
}

OLDBUFFER_INLINE int
oldbuffer_legacy_as_read(PyObject *obj, const OldBuffer_LegacyProcs *pb,
                         const void **buffer, Py_ssize_t *buffer_len)
{
    void *pp = OLDBUFFER_NULL;

    if (oldbuffer_legacy_as_pointer(
            obj, pb ? pb->bf_getsegcount : OLDBUFFER_NULL,
            pb ? pb->bf_getreadbuffer : OLDBUFFER_NULL,
            "expected a readable buffer object", &pp, buffer_len) < 0) {
        return -1;
    }
    *buffer = pp;
    return 0;
}

OLDBUFFER_INLINE int
oldbuffer_legacy_as_write(PyObject *obj, const OldBuffer_LegacyProcs *pb,
                          void **buffer, Py_ssize_t *buffer_len)
{
    return oldbuffer_legacy_as_pointer(
        obj, pb ? pb->bf_getsegcount : OLDBUFFER_NULL,
        pb ? pb->bf_getwritebuffer : OLDBUFFER_NULL,
        "expected a writeable buffer object", buffer, buffer_len);
}

/* Python 2.7 answers from the procs alone, without asking for a pointer,
 * and, as 2.7's own, leaves set the exception of a bf_getsegcount that
 * raises (the one way this call returns 0 with an exception set). */
OLDBUFFER_INLINE int
oldbuffer_legacy_check(PyObject *obj, const OldBuffer_LegacyProcs *pb)
{
    if (pb == OLDBUFFER_NULL || pb->bf_getreadbuffer == OLDBUFFER_NULL
        || pb->bf_getsegcount == OLDBUFFER_NULL
        || (*pb->bf_getsegcount)(obj, OLDBUFFER_NULL) != 1) {
        return 0;
    }
    return 1;
}

#endif /* OLDBUFFER_HAVE_LEGACY_PROCS */


/* ---------------------------------------------------------------------
 * Python 2.7: the legacy rules for every object
 * ------------------------------------------------------------------- */
#if defined(OLDBUFFER_IMPL_PY2)

OLDBUFFER_INLINE int
OldBuffer_AsCharBuffer(PyObject *obj, const char **buffer,
                       Py_ssize_t *buffer_len)
{
    if (OLDBUFFER_ANY_NULL(obj, buffer, buffer_len)) {
        return oldbuffer_null_error();
    }
    return oldbuffer_legacy_as_char(obj, Py_TYPE(obj)->tp_as_buffer,
                                    buffer, buffer_len);
}

OLDBUFFER_INLINE int
OldBuffer_AsReadBuffer(PyObject *obj, const void **buffer,
                       Py_ssize_t *buffer_len)
{
    if (OLDBUFFER_ANY_NULL(obj, buffer, buffer_len)) {
        return oldbuffer_null_error();
    }
    return oldbuffer_legacy_as_read(obj, Py_TYPE(obj)->tp_as_buffer,
                                    buffer, buffer_len);
}

OLDBUFFER_INLINE int
OldBuffer_AsWriteBuffer(PyObject *obj, void **buffer, Py_ssize_t *buffer_len)
{
    if (OLDBUFFER_ANY_NULL(obj, buffer, buffer_len)) {
        return oldbuffer_null_error();
    }
    return oldbuffer_legacy_as_write(obj, Py_TYPE(obj)->tp_as_buffer,
                                     buffer, buffer_len);
}

OLDBUFFER_INLINE int
OldBuffer_CheckReadBuffer(PyObject *obj)
{
    if (obj == OLDBUFFER_NULL) {
        return 0;
    }
    return oldbuffer_legacy_check(obj, Py_TYPE(obj)->tp_as_buffer);
}

#endif /* OLDBUFFER_IMPL_PY2 */


/* ---------------------------------------------------------------------
 * PyPy 3, and CPython 3 under a limited API < 3.11: the interpreter's own
 *
 * PyPy's cpyext implements the four calls itself and keeps declaring
 * them; its error messages differ from CPython's ("expected an object
 * with a buffer interface"), and it dereferences NULL arguments.
 *
 * The limited API before 3.11 has no Py_buffer at all.  gh-85275:
 * CPython 3.13 removed the declarations but kept the four symbols in the
 * stable ABI ("abi_only"), so an abi3 extension built here imports and
 * works on every CPython 3.x.
 * ------------------------------------------------------------------- */
#if defined(OLDBUFFER_IMPL_NATIVE)

/* PyPy: its own calls take and release a buffer view of a bytes object
 * (35 ns); what they hand out is the storage of its C-level object,
 * which PyBytes_AS_STRING() gives directly (12 ns).  Only for the read,
 * char and check calls (a write on bytes fails with PyPy's own message),
 * and only the exact type, as on CPython (see OLDBUFFER_NO_FAST_PATHS). */
#if defined(PYPY_VERSION) && !defined(OLDBUFFER_NO_FAST_PATHS)
#  define OLDBUFFER_PYPY_BYTES 1

/* 1 with the storage of an exact bytes in *buffer and *buffer_len, else
 * 0 (other types: PyPy's own call). */
OLDBUFFER_INLINE int
oldbuffer_pypy_bytes(PyObject *obj, const char **buffer,
                     Py_ssize_t *buffer_len)
{
    if (!PyBytes_CheckExact(obj)) {
        return 0;
    }
    *buffer = PyBytes_AS_STRING(obj);
    *buffer_len = PyBytes_GET_SIZE(obj);
    return 1;
}
#endif

OLDBUFFER_INLINE int
OldBuffer_AsCharBuffer(PyObject *obj, const char **buffer,
                       Py_ssize_t *buffer_len)
{
    if (OLDBUFFER_ANY_NULL(obj, buffer, buffer_len)) {
        return oldbuffer_null_error();
    }
#if defined(OLDBUFFER_HAVE_LEGACY_PROCS)
    {
        OldBuffer_LegacyProcs procs;
        const OldBuffer_LegacyProcs *lp =
            oldbuffer_legacy_procs_of(obj, &procs);
        if (lp != OLDBUFFER_NULL) {
            return oldbuffer_legacy_as_char(obj, lp, buffer, buffer_len);
        }
    }
#endif
#if defined(OLDBUFFER_PYPY_BYTES)
    if (oldbuffer_pypy_bytes(obj, buffer, buffer_len)) {
        return 0;
    }
#endif
    return OldBuffer_Native_AsCharBuffer(obj, buffer, buffer_len);
}

OLDBUFFER_INLINE int
OldBuffer_AsReadBuffer(PyObject *obj, const void **buffer,
                       Py_ssize_t *buffer_len)
{
    if (OLDBUFFER_ANY_NULL(obj, buffer, buffer_len)) {
        return oldbuffer_null_error();
    }
#if defined(OLDBUFFER_HAVE_LEGACY_PROCS)
    {
        OldBuffer_LegacyProcs procs;
        const OldBuffer_LegacyProcs *lp =
            oldbuffer_legacy_procs_of(obj, &procs);
        if (lp != OLDBUFFER_NULL) {
            return oldbuffer_legacy_as_read(obj, lp, buffer, buffer_len);
        }
    }
#endif
#if defined(OLDBUFFER_PYPY_BYTES)
    {
        const char *p = OLDBUFFER_NULL;

        if (oldbuffer_pypy_bytes(obj, &p, buffer_len)) {
            *buffer = p;
            return 0;
        }
    }
#endif
    return OldBuffer_Native_AsReadBuffer(obj, buffer, buffer_len);
}

OLDBUFFER_INLINE int
OldBuffer_AsWriteBuffer(PyObject *obj, void **buffer, Py_ssize_t *buffer_len)
{
    if (OLDBUFFER_ANY_NULL(obj, buffer, buffer_len)) {
        return oldbuffer_null_error();
    }
#if defined(OLDBUFFER_HAVE_LEGACY_PROCS)
    {
        OldBuffer_LegacyProcs procs;
        const OldBuffer_LegacyProcs *lp =
            oldbuffer_legacy_procs_of(obj, &procs);
        if (lp != OLDBUFFER_NULL) {
            return oldbuffer_legacy_as_write(obj, lp, buffer, buffer_len);
        }
    }
#endif
    return OldBuffer_Native_AsWriteBuffer(obj, buffer, buffer_len);
}

/* The interpreter's own crashes on NULL; this one returns 0. */
OLDBUFFER_INLINE int
OldBuffer_CheckReadBuffer(PyObject *obj)
{
    if (obj == OLDBUFFER_NULL) {
        return 0;
    }
#if defined(OLDBUFFER_HAVE_LEGACY_PROCS)
    {
        OldBuffer_LegacyProcs procs;
        const OldBuffer_LegacyProcs *lp =
            oldbuffer_legacy_procs_of(obj, &procs);
        if (lp != OLDBUFFER_NULL) {
            return oldbuffer_legacy_check(obj, lp);
        }
    }
#endif
#if defined(OLDBUFFER_PYPY_BYTES)
    if (PyBytes_CheckExact(obj)) {
        return 1;
    }
#endif
    return OldBuffer_Native_CheckReadBuffer(obj);
}

#endif /* OLDBUFFER_IMPL_NATIVE */


/* ---------------------------------------------------------------------
 * Python 3 with Py_buffer: as CPython 3.12's Objects/abstract.c
 *
 * PEP 3118 (3.0) replaced the legacy procs with bf_getbuffer; the four
 * calls became thin wrappers that take a PyBUF_SIMPLE or PyBUF_WRITABLE
 * export and release it at once.  bpo-41103 removed them in 3.10a1 and
 * restored them before 3.10.0; gh-85275 removed them from the 3.13
 * headers for good.
 * ------------------------------------------------------------------- */
#if defined(OLDBUFFER_IMPL_PYBUFFER)

/* Fast paths (see OLDBUFFER_NO_FAST_PATHS in the manual).  They need the
 * full API: the limited API hides the object layouts and slots they
 * read.  (PyPy never gets here: it has the native implementation.) */
#if defined(OLDBUFFER_FULL_API) && !defined(OLDBUFFER_NO_FAST_PATHS)
#  define OLDBUFFER_FAST_PATHS 1
#endif

/* PyObject_GetBuffer() and PyBuffer_Release() inlined: the same slot
 * calls, two calls into the interpreter fewer per export.  Only for the
 * versions whose abstract.c we checked (3.6-3.15: the bf_getbuffer slot
 * of the exporter; bf_releasebuffer of view->obj, then one reference of
 * view->obj dropped), and not in a debug build, whose PyObject_GetBuffer
 * also checks the exporter (bpo-42979, 3.10: _Py_CheckSlotResult). */
#if defined(OLDBUFFER_FAST_PATHS) && PY_VERSION_HEX < 0x03100000 \
    && !defined(Py_DEBUG)
#  define OLDBUFFER_INLINE_SLOTS 1
#endif

/* A debug build (3.10+, bpo-42979) aborts in PyObject_GetBuffer() when
 * an exporter fails without an exception or succeeds with one set:
 * "Fatal Python error: _Py_CheckSlotResult".  CPython's read and char
 * calls export through PyObject_GetBuffer(), so they abort there, even
 * for bytes when an exception was set before the call; its write and
 * check calls call the bf_getbuffer slot themselves, so they never do.
 * Ours do exactly the same: the read fast paths are taken only where
 * the export they stand for could not abort (no exception set), and the
 * write and check calls call the slot (oldbuffer_slot_get_buffer). */
#if defined(Py_DEBUG) && PY_VERSION_HEX >= 0x030A0000
#  define OLDBUFFER_READ_FAST_PATH_OK() (!PyErr_Occurred())
#else
#  define OLDBUFFER_READ_FAST_PATH_OK() 1
#endif

/* Does the type export buffers at all?  CPython asks tp_as_buffer; the
 * limited API (3.11+) has PyObject_CheckBuffer() for the same test. */
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

/* PyObject_GetBuffer(), for an object that oldbuffer_has_getbuffer():
 * the read and char calls' export. */
OLDBUFFER_INLINE int
oldbuffer_get_buffer(PyObject *obj, Py_buffer *view, int flags)
{
#if defined(OLDBUFFER_INLINE_SLOTS)
    return (*Py_TYPE(obj)->tp_as_buffer->bf_getbuffer)(obj, view, flags);
#else
    return PyObject_GetBuffer(obj, view, flags);
#endif
}

/* The exporter's bf_getbuffer slot, called directly, for an object that
 * oldbuffer_has_getbuffer(): the write and check calls' export, as in
 * CPython 3.x, where no debug build checks its result (see above).  The
 * limited API (3.11+ here) reads the slot with PyType_GetSlot(): an
 * abi3 extension is built without Py_DEBUG, yet may run on a debug
 * build, whose PyObject_GetBuffer() would check.  (Through a union: ISO
 * C has no cast from void * to a function pointer.) */
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

/* PyBuffer_Release(). */
OLDBUFFER_INLINE void
oldbuffer_release(Py_buffer *view)
{
#if defined(OLDBUFFER_INLINE_SLOTS)
    PyObject *exporter = view->obj;
    PyBufferProcs *pb;

    if (exporter == OLDBUFFER_NULL) {
        return;
    }
    /* view->obj's slot, not obj's: an exporter may name another object
     * (a PEP 688 __buffer__ returns a memoryview, for one). */
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
/* bytes and bytearray export their own storage, so for them the answer
 * needs no export: bytes' getbuffer gives PyBytes_AS_STRING, read-only;
 * bytearray's gives PyByteArray_AS_STRING (the shared empty string when
 * empty, before 3.15), writable, and cannot fail.  Only the exact types:
 * a subclass may export something else through __buffer__ (PEP 688,
 * 3.12).  Free-threaded builds (PEP 703, 3.13) take the bytearray's lock
 * to export, so there bytearray goes the general way. */
#  if !defined(Py_GIL_DISABLED)
OLDBUFFER_HOT void
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
}
#  endif

/* Returns 1 for read-only storage (bytes), 0 for writable (bytearray),
 * -1 for other types.  The type tested first takes no jump: bytes, but
 * for the write call (write set, a constant) bytearray, as bytes fails
 * that call anyway. */
OLDBUFFER_HOT int
oldbuffer_storage(PyObject *obj, void **buffer, Py_ssize_t *buffer_len,
                  int write)
{
#  if !defined(Py_GIL_DISABLED)
    if (write && OLDBUFFER_LIKELY(PyByteArray_CheckExact(obj))) {
        oldbuffer_bytearray_storage(obj, buffer, buffer_len);
        return 0;
    }
#  endif
    if (OLDBUFFER_LIKELY(PyBytes_CheckExact(obj))) {
        *buffer = PyBytes_AS_STRING(obj);
        *buffer_len = PyBytes_GET_SIZE(obj);
        return 1;
    }
#  if !defined(Py_GIL_DISABLED)
    if (!write && OLDBUFFER_LIKELY(PyByteArray_CheckExact(obj))) {
        oldbuffer_bytearray_storage(obj, buffer, buffer_len);
        return 0;
    }
#  endif
    return -1;
}
#endif

/* CPython's write error, for every way the write call can fail.  (The
 * callers return -1 themselves: with this helper left out of line, as
 * gcc -Os does, a returned -1 would look like a possible success without
 * *buffer set to -Wmaybe-uninitialized in the caller's code.)  CPython
 * makes the message str at each raise, and so does this: a str kept
 * would belong to one interpreter, and would have to be forgotten when
 * Python is finalised (Py_AtExit, whose 32 slots the whole process
 * shares). */
OLDBUFFER_INLINE void
oldbuffer_write_error(void)
{
    PyErr_SetString(PyExc_TypeError, "expected a writable bytes-like object");
}

/* The read and char calls share one body, as in CPython 3.x; only a
 * legacy exporter tells them apart (bf_getcharbuffer), so char_call.
 * This is the part after the fast paths, in a function of its own so
 * that compilers inline the fast paths into the caller even where they
 * keep this out of line (gcc 16 -O2 inlined neither while they were
 * one function). */
OLDBUFFER_INLINE int
oldbuffer_export_read(PyObject *obj, const void **buffer,
                      Py_ssize_t *buffer_len, int char_call)
{
    Py_buffer view;

#if defined(OLDBUFFER_HAVE_LEGACY_PROCS)
    {
        /* (After the fast paths: bytes and bytearray keep their own
         * procs, so this lookup is only paid by other types.) */
        OldBuffer_LegacyProcs procs;
        const OldBuffer_LegacyProcs *lp =
            oldbuffer_legacy_procs_of(obj, &procs);
        const char *cp = OLDBUFFER_NULL;

        if (lp != OLDBUFFER_NULL && !char_call) {
            return oldbuffer_legacy_as_read(obj, lp, buffer, buffer_len);
        }
        if (lp != OLDBUFFER_NULL) {
            if (oldbuffer_legacy_as_char(obj, lp, &cp, buffer_len) != 0) {
                return -1;
            }
            *buffer = cp;
            return 0;
        }
    }
#else
    (void)char_call;
#endif
#if defined(OLDBUFFER_FAST_PATHS)
    if (!oldbuffer_has_getbuffer(obj)) {
        /* It fails; this lets the interpreter word its own TypeError.
         * (-1 written out, so that compilers see no success without
         * *buffer set: -Wmaybe-uninitialized in the caller.) */
        (void)PyObject_GetBuffer(obj, &view, PyBUF_SIMPLE);
        return -1;
    }
    if (oldbuffer_get_buffer(obj, &view, PyBUF_SIMPLE) != 0) {
        return -1;
    }
#else
    if (PyObject_GetBuffer(obj, &view, PyBUF_SIMPLE) != 0) {
        return -1;
    }
#endif
    *buffer = view.buf;
    *buffer_len = view.len;
    oldbuffer_release(&view);
    return 0;
}

OLDBUFFER_HOT int
oldbuffer_as_read(PyObject *obj, const void **buffer, Py_ssize_t *buffer_len,
                  int char_call)
{
    if (OLDBUFFER_ANY_NULL(obj, buffer, buffer_len)) {
        (void)oldbuffer_null_error();
        return -1;   /* (written out: see oldbuffer_write_error) */
    }
#if defined(OLDBUFFER_FAST_PATHS)
    {
        /* (Initialised for gcc -O3 -Wmaybe-uninitialized; free.) */
        void *p = OLDBUFFER_NULL;
        Py_ssize_t len = 0;

        if (OLDBUFFER_READ_FAST_PATH_OK()
            && oldbuffer_storage(obj, &p, &len, 0) >= 0) {
            *buffer = p;
            *buffer_len = len;
            return 0;
        }
    }
#endif
    {
        /* Through locals, so that compilers see *buffer set whenever 0
         * is returned even with oldbuffer_export_read() out of line
         * (gcc 12 -Os -Wmaybe-uninitialized in the caller). */
        const void *p = OLDBUFFER_NULL;
        Py_ssize_t len = 0;

        if (oldbuffer_export_read(obj, &p, &len, char_call) != 0) {
            return -1;
        }
        *buffer = p;
        *buffer_len = len;
        return 0;
    }
}

OLDBUFFER_HOT int
OldBuffer_AsCharBuffer(PyObject *obj, const char **buffer,
                       Py_ssize_t *buffer_len)
{
    /* Initialised: gcc -O3 -Wmaybe-uninitialized cannot see that it is
     * set whenever res is 0. */
    const void *p = OLDBUFFER_NULL;
    int res;

    if (buffer == OLDBUFFER_NULL) {
        /* (What oldbuffer_as_read says too; one call site less to
         * inline.) */
        (void)oldbuffer_null_error();
        return -1;
    }
    res = oldbuffer_as_read(obj, &p, buffer_len, 1);
    if (res != 0) {
        return -1;
    }
    *buffer = OLDBUFFER_CAST(const char *, p);
    return 0;
}

OLDBUFFER_HOT int
OldBuffer_AsReadBuffer(PyObject *obj, const void **buffer,
                       Py_ssize_t *buffer_len)
{
    return oldbuffer_as_read(obj, buffer, buffer_len, 0);
}

/* The write call after its fast paths (see oldbuffer_export_read). */
OLDBUFFER_INLINE int
oldbuffer_export_write(PyObject *obj, void **buffer, Py_ssize_t *buffer_len)
{
    Py_buffer view;

#if defined(OLDBUFFER_HAVE_LEGACY_PROCS)
    {
        OldBuffer_LegacyProcs procs;
        const OldBuffer_LegacyProcs *lp =
            oldbuffer_legacy_procs_of(obj, &procs);
        if (lp != OLDBUFFER_NULL) {
            return oldbuffer_legacy_as_write(obj, lp, buffer, buffer_len);
        }
    }
#endif
    /* Whatever went wrong, CPython reports this one TypeError. */
    if (!oldbuffer_has_getbuffer(obj)
        || oldbuffer_slot_get_buffer(obj, &view, PyBUF_WRITABLE) != 0) {
        oldbuffer_write_error();
        return -1;
    }
    *buffer = view.buf;
    *buffer_len = view.len;
    oldbuffer_release(&view);
    return 0;
}

OLDBUFFER_HOT int
OldBuffer_AsWriteBuffer(PyObject *obj, void **buffer, Py_ssize_t *buffer_len)
{
    /* (Locals, as in oldbuffer_as_read.) */
    void *p = OLDBUFFER_NULL;
    Py_ssize_t len = 0;

    if (OLDBUFFER_ANY_NULL(obj, buffer, buffer_len)) {
        (void)oldbuffer_null_error();
        return -1;   /* (written out: see oldbuffer_write_error) */
    }
#if defined(OLDBUFFER_FAST_PATHS)
    switch (oldbuffer_storage(obj, &p, &len, 1)) {
    case 0:
        *buffer = p;
        *buffer_len = len;
        return 0;
    case 1:
        /* bytes' getbuffer raises BufferError, which CPython then
         * replaces with this one. */
        oldbuffer_write_error();
        return -1;
    default:
        break;
    }
#endif
    if (oldbuffer_export_write(obj, &p, &len) != 0) {
        return -1;
    }
    *buffer = p;
    *buffer_len = len;
    return 0;
}

/* 1 when a PyBUF_SIMPLE export succeeds, else 0, as CPython: a failed
 * export's exception is cleared (with any exception set before the
 * call: PyErr_Clear()), nothing is cleared for a type that does not
 * export at all, and an exporter that reports success with an exception
 * set (or whose release hook sets one) leaves it set. */
OLDBUFFER_HOT int
OldBuffer_CheckReadBuffer(PyObject *obj)
{
    Py_buffer view;

    if (obj == OLDBUFFER_NULL) {
        return 0;
    }
#if defined(OLDBUFFER_FAST_PATHS)
    {
        /* (Initialised for gcc -O3 -Wmaybe-uninitialized; free.) */
        void *p = OLDBUFFER_NULL;
        Py_ssize_t len = 0;

        if (oldbuffer_storage(obj, &p, &len, 0) >= 0) {
            return 1;
        }
    }
#endif
    if (!oldbuffer_has_getbuffer(obj)) {
        return 0;
    }
#if defined(OLDBUFFER_HAVE_LEGACY_PROCS)
    {
        OldBuffer_LegacyProcs procs;
        const OldBuffer_LegacyProcs *lp =
            oldbuffer_legacy_procs_of(obj, &procs);
        if (lp != OLDBUFFER_NULL) {
            return oldbuffer_legacy_check(obj, lp);
        }
    }
#endif
    if (oldbuffer_slot_get_buffer(obj, &view, PyBUF_SIMPLE) == -1) {
        PyErr_Clear();
        return 0;
    }
    oldbuffer_release(&view);
    return 1;
}

#endif /* OLDBUFFER_IMPL_PYBUFFER */


/* ---------------------------------------------------------------------
 * Modes: audit, lifetime-safe, Python 2 text (opt-in; see the manual)
 *
 * Each mode changes what the four legacy names do in the translation
 * unit that defines it, through OldBuffer_*At() below; the OldBuffer_*
 * functions keep the default semantics, and with no mode defined this
 * section is empty.  The modes build on the default call: it runs
 * first, unchanged, so results and errors are the default ones; then
 * the audit may warn and the lifetime-safe mode may take a pin.
 * Python 2.7 has no export to keep and no release hook to tell movable
 * memory from fixed memory: there the modes are accepted and change
 * nothing.
 * ------------------------------------------------------------------- */
#if (defined(OLDBUFFER_AUDIT) || defined(OLDBUFFER_LIFETIME_SAFE) \
     || defined(OLDBUFFER_PY2_TEXT)) && PY_MAJOR_VERSION >= 3
#  define OLDBUFFER_MODES 1
#endif

#if defined(OLDBUFFER_MODES)

#if defined(OLDBUFFER_LIFETIME_SAFE) && defined(PYPY_VERSION)
#  error "OLDBUFFER_LIFETIME_SAFE needs CPython: PyPy's cpyext has no PyEval_SetProfile() (and copies bytearray per export)"
#endif
#if defined(OLDBUFFER_LIFETIME_SAFE) && defined(Py_LIMITED_API) \
    && !defined(PYPY_VERSION)
#  error "OLDBUFFER_LIFETIME_SAFE needs the full API: PyEval_SetProfile() is not in the limited API"
#endif
#if defined(OLDBUFFER_AUDIT) && defined(Py_LIMITED_API) \
    && Py_LIMITED_API + 0 < 0x030B0000 && !defined(PYPY_VERSION)
#  error "OLDBUFFER_AUDIT under Py_LIMITED_API needs 0x030B0000 (3.11: PyObject_GetBuffer, PyType_GetName)"
#endif
#if defined(OLDBUFFER_PY2_TEXT) && defined(Py_LIMITED_API) \
    && Py_LIMITED_API + 0 < 0x030A0000 && !defined(PYPY_VERSION)
#  error "OLDBUFFER_PY2_TEXT under Py_LIMITED_API needs 0x030A0000 (3.10: PyUnicode_AsUTF8AndSize)"
#endif
#if (defined(OLDBUFFER_AUDIT) || defined(OLDBUFFER_LIFETIME_SAFE)) \
    && defined(Py_GIL_DISABLED)
#  error "OLDBUFFER_AUDIT and OLDBUFFER_LIFETIME_SAFE assume the GIL: not for free-threaded builds yet"
#endif

/* What a call hands out, for the audit's message and the pin's flags. */
enum {
    OLDBUFFER_CALL_CHAR = 0,
    OLDBUFFER_CALL_READ = 1,
    OLDBUFFER_CALL_WRITE = 2
};

/* Does the type have a release hook?  Through tp_as_buffer with the full
 * API; PyType_GetSlot() reads static types' slots from 3.10 (bpo-41073),
 * and the limited API has Py_bf_releasebuffer from 3.11. */
OLDBUFFER_INLINE int
oldbuffer_has_release_hook(PyTypeObject *type)
{
#if defined(OLDBUFFER_FULL_API)
    PyBufferProcs *pb = type->tp_as_buffer;
    return pb != OLDBUFFER_NULL && pb->bf_releasebuffer != OLDBUFFER_NULL;
#elif defined(Py_LIMITED_API) && Py_LIMITED_API + 0 >= 0x030B0000
    return PyType_GetSlot(type, Py_bf_releasebuffer) != OLDBUFFER_NULL;
#else
    (void)type;
    return 0;
#endif
}

/* The hazard, precisely: after a successful call, can the exporter
 * resize, move or free the memory once the export is released?  Yes when
 * the export has a release hook -- the object's type has
 * bf_releasebuffer (bytearray, array.array, mmap, memoryview, ...), or
 * the export names another object that has one (view.obj: a PEP 688
 * __buffer__ hands out a memoryview behind a wrapper).  bytes and other
 * exporters without a hook hand out memory that lives as long as the
 * object.  Returns 1 with *view holding an export when the hazard is
 * there and keep is set; else 0, with no export held. */
#if defined(OLDBUFFER_AUDIT) || defined(OLDBUFFER_LIFETIME_SAFE)
OLDBUFFER_INLINE int
oldbuffer_export_hazard(PyObject *obj, int flags, int keep, Py_buffer *view)
{
#if defined(PYPY_VERSION)
    /* cpyext shows no release hooks, and hands some memory out as a
     * copy per export (a bytearray's): anything but bytes may move. */
    (void)flags;
    (void)keep;
    (void)view;
    return !PyBytes_Check(obj);
#else
    int hazard;

    if (PyBytes_CheckExact(obj)) {
        return 0;
    }
#if defined(OLDBUFFER_HAVE_LEGACY_PROCS)
    /* The call took a legacy exporter's pointer from its procs, which
     * have no release: no hook, and a second export would run a proc
     * the call did not (a proc may have side effects). */
    if (oldbuffer_legacy_exporter(obj)) {
        return 0;
    }
#endif
    if (!keep && oldbuffer_has_release_hook(Py_TYPE(obj))) {
        return 1;   /* no export needed to know */
    }
    if (!PyObject_CheckBuffer(obj)) {
        return 0;
    }
    /* This second export is the mode's own, made with no exception set
     * (the modes look at a call only then), and it must leave the call's
     * exception state as the default call left it: none.  So whatever
     * the exporter or a release hook raises here is cleared, and the
     * slot is called directly, so that a debug build does not abort
     * where the default call did not (an exporter that succeeds with an
     * exception set, which a release hook then clears: the default write
     * call returns 0 with none set). */
    if (oldbuffer_slot_get_buffer(obj, view, flags) != 0) {
        PyErr_Clear();   /* the call worked; a second export did not */
        return 0;
    }
    hazard = oldbuffer_has_release_hook(Py_TYPE(obj))
             || (view->obj != OLDBUFFER_NULL
                 && oldbuffer_has_release_hook(Py_TYPE(view->obj)));
    if (!hazard || !keep) {
        PyBuffer_Release(view);
    }
    PyErr_Clear();
    return hazard;
#endif
}
#endif

/* Save and restore the exception in flight around code that must run
 * with none set (an event callback, a warning): PyErr_Fetch() is
 * deprecated from 3.12 (gh-101578), PyErr_GetRaisedException() new. */
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

typedef struct {
    const char *file;
    int line;
} oldbuffer_site;

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
 * at every call rather than never. */
OLDBUFFER_INLINE int
oldbuffer_site_warned(const char *file, int line, int mark)
{
    static oldbuffer_site sites[OLDBUFFER_AUDIT_MAX_SITES];
    static int used;
    int i;

    for (i = 0; i < used; i++) {
        if (sites[i].line == line
            && oldbuffer_same_file(sites[i].file, file)) {
            return 1;
        }
    }
    if (mark && used < OLDBUFFER_AUDIT_MAX_SITES) {
        sites[used].file = file;
        sites[used].line = line;
        used++;
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
        *site = 1;
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
    Py_buffer view;
    int flags = call == OLDBUFFER_CALL_WRITE ? PyBUF_WRITABLE : PyBUF_SIMPLE;

    /* (The site first: once it has warned, that is all a call costs.) */
    if (file == OLDBUFFER_NULL
        || (site != OLDBUFFER_NULL ? *site != 0
                                   : oldbuffer_site_warned(file, line, 0))
        || PyErr_Occurred()
        || !oldbuffer_export_hazard(obj, flags, 0, &view)) {
        return 0;
    }
    return oldbuffer_audit_warn(obj, call, file, line, site);
}

#endif /* OLDBUFFER_AUDIT */


/* --- Lifetime-safe (OLDBUFFER_LIFETIME_SAFE) --------------------------
 *
 * A hazardous export (see oldbuffer_export_hazard) is kept -- "pinned"
 * -- instead of released, in a per-thread list owned by a profile
 * function (PyEval_SetProfile) that this translation unit installs on
 * the calling thread while it holds pins, chained to any profile
 * function already there (sys.setprofile(), cProfile before 3.12).  A
 * pin records the innermost Python frame and its instruction at the
 * call: the frame that called the C function.  It is released at the
 * first profile event showing that call over:
 *   - PyTrace_C_RETURN / PyTrace_C_EXCEPTION / PyTrace_RETURN in that
 *     frame (its C call returned; the frame returned, yielded, unwound);
 *   - PyTrace_C_CALL in that frame, or PyTrace_CALL of a function whose
 *     caller is that frame, at another instruction than the pin's (the
 *     frame went on and calls something else).
 * The C function's own C_RETURN fires only when a profile function was
 * on before the call (CPython decides at the call), so the second rule
 * is what usually ends a pin; Python code that the C function calls
 * back runs at the pin's instruction and keeps it.  In the main thread a
 * pending call ends it sooner (oldbuffer_pins_pending below).  Pending
 * calls alone would not do: they run in the main thread only, and at any
 * eval-breaker check, including inside those callbacks.
 * The last pin released, the profile function puts the previous one
 * back.  If Python code replaces it meanwhile (sys.setprofile(),
 * cProfile.enable()), or the thread ends, the list is destroyed with it
 * and every pin released: the protection ends early, nothing leaks.
 *
 * The main thread, once known, needs no profile function as long as the
 * C function calls no Python code: its pins go to a list of their own,
 * and the pending call, which runs right after the C function returns,
 * releases them.  Only when the pending call finds itself inside a
 * callback of the C function (the pinned frame is a caller of the
 * running one) does it hand those pins to the profile function above.
 * Installing a profile function is what costs: from 3.12 it switches
 * sys.monitoring events on and off, which re-instruments code (several
 * microseconds per C function call).
 * --------------------------------------------------------------------- */
#if defined(OLDBUFFER_LIFETIME_SAFE)

#if PY_VERSION_HEX < 0x030B0000
/* PyFrameObject's fields are public up to 3.10 but Python.h does not
 * include them. */
#  include <frameobject.h>
#endif
#if PY_VERSION_HEX < 0x03070000
#  include <pythread.h>   /* PyThread_get_thread_ident(): not in Python.h */
#endif

#define OLDBUFFER_PINS_CAPSULE "oldbuffer.pins"

/* (Records are PyMem_RawMalloc'd: valid in any thread, and after
 * Python is finalised, see oldbuffer_main_forget.) */
typedef struct oldbuffer_pin {
    struct oldbuffer_pin *next;
    PyObject *obj;          /* the legacy call's object (strong) */
    PyFrameObject *frame;   /* the frame that called the C function */
    int lasti;              /* and its instruction then (profile lists
                               only: the main thread's own list needs
                               none, see oldbuffer_main_settle) */
    Py_buffer view;         /* the export kept; never moved in memory */
} oldbuffer_pin;

typedef struct {
    oldbuffer_pin *first;
    Py_tracefunc saved_func;   /* the profile function we chain to */
    PyObject *saved_obj;       /* (strong) */
} oldbuffer_pins;

/* The main thread: its pins while no profile function of ours is
 * installed there, and which thread it is, as the pending call found
 * (pending calls run in the main thread of the main interpreter). */
typedef struct {
    oldbuffer_pin *first;
    int known;                    /* ident and interp set */
    unsigned long ident;
    PyInterpreterState *interp;
    int at_exit;                  /* the atexit function is registered */
    /* Records of released pins kept for the next ones (any code may
     * free one), so that a C function's pin costs no allocation; taken
     * and given back in the main thread alone. */
    oldbuffer_pin *spare;
    int spares;
    int forget;                   /* oldbuffer_main_forget registered */
    int refused;                  /* 3.8: Py_AddPendingCall refused */
} oldbuffer_main_pins;

#define OLDBUFFER_MAIN_SPARES 8

OLDBUFFER_INLINE oldbuffer_main_pins *
oldbuffer_main(void)
{
    static oldbuffer_main_pins main_pins;
    return &main_pins;
}

OLDBUFFER_INLINE PyInterpreterState *
oldbuffer_interp_of(PyThreadState *ts)
{
#if PY_VERSION_HEX >= 0x03090000
    return PyThreadState_GetInterpreter(ts);
#else
    return ts->interp;
#endif
}

/* PyThread_get_thread_ident(): long in 3.6, unsigned long since. */
OLDBUFFER_INLINE unsigned long
oldbuffer_thread_ident(void)
{
#if PY_VERSION_HEX >= 0x03070000
    return PyThread_get_thread_ident();
#elif defined(__cplusplus)
    return static_cast<unsigned long>(PyThread_get_thread_ident());
#else
    return (unsigned long)PyThread_get_thread_ident();
#endif
}

OLDBUFFER_INLINE int
oldbuffer_in_main(PyThreadState *ts)
{
    oldbuffer_main_pins *m = oldbuffer_main();

    return m->known && m->ident == oldbuffer_thread_ident()
           && m->interp == oldbuffer_interp_of(ts);
}

/* The frame's current instruction.  bpo-40421 (3.11) made the frame
 * struct private; PyFrame_GetLasti() reads it since. */
OLDBUFFER_INLINE int
oldbuffer_frame_lasti(PyFrameObject *frame)
{
#if PY_VERSION_HEX >= 0x030B0000
    return PyFrame_GetLasti(frame);
#else
    return frame->f_lasti;
#endif
}

/* Release one pin, its record kept (into the main thread's spares) or
 * freed.  A release hook may run Python code and raise; an event
 * callback must leave no exception of its own, so such an error is
 * reported as unraisable and the exception in flight kept. */
OLDBUFFER_INLINE void
oldbuffer_pin_end(oldbuffer_pin *pin, int keep_record)
{
    oldbuffer_main_pins *m = oldbuffer_main();
    oldbuffer_stash stash;

    OLDBUFFER_STASH(stash);
    PyBuffer_Release(&pin->view);
    if (PyErr_Occurred()) {
        PyErr_WriteUnraisable(pin->obj);
    }
    Py_DECREF(pin->obj);
    Py_DECREF(OLDBUFFER_CAST(PyObject *, pin->frame));
    if (keep_record && m->spares < OLDBUFFER_MAIN_SPARES) {
        pin->next = m->spare;
        m->spare = pin;
        m->spares++;
    }
    else {
        PyMem_RawFree(pin);
    }
    OLDBUFFER_UNSTASH(stash);
}

OLDBUFFER_INLINE void
oldbuffer_pin_free(oldbuffer_pin *pin)
{
    oldbuffer_pin_end(pin, 0);
}

/* Release the pins of frame: all of them, or (all == 0) those whose
 * call is over because the frame has moved to another instruction.
 * One at a time, unlinked first: a release hook may pin again. */
OLDBUFFER_INLINE void
oldbuffer_pins_release(oldbuffer_pins *pins, PyFrameObject *frame, int all)
{
    oldbuffer_pin **link, *pin;
    int lasti = 0, have_lasti = 0;

    for (;;) {
        for (link = &pins->first; *link != OLDBUFFER_NULL;
             link = &(*link)->next) {
            if ((*link)->frame != frame) {
                continue;
            }
            if (!all && !have_lasti) {
                lasti = oldbuffer_frame_lasti(frame);
                have_lasti = 1;
            }
            if (all || (*link)->lasti != lasti) {
                break;
            }
        }
        pin = *link;
        if (pin == OLDBUFFER_NULL) {
            return;
        }
        *link = pin->next;
        oldbuffer_pin_free(pin);
    }
}

/* PyTrace_CALL: release the pins of the new frame's caller whose call
 * is over.  PyFrame_GetBack() is 3.9 (bpo-40421). */
OLDBUFFER_INLINE void
oldbuffer_pins_release_caller(oldbuffer_pins *pins, PyFrameObject *frame)
{
#if PY_VERSION_HEX >= 0x03090000
    PyFrameObject *back = PyFrame_GetBack(frame);

    if (back != OLDBUFFER_NULL) {
        oldbuffer_pins_release(pins, back, 0);
        Py_DECREF(OLDBUFFER_CAST(PyObject *, back));
    }
#else
    if (frame->f_back != OLDBUFFER_NULL) {
        oldbuffer_pins_release(pins, frame->f_back, 0);
    }
#endif
}

/* Is target the frame, or one of its callers? */
OLDBUFFER_INLINE int
oldbuffer_frame_on_stack(PyFrameObject *target, PyFrameObject *frame)
{
#if PY_VERSION_HEX >= 0x03090000
    PyFrameObject *back;
    int found = 0;

    Py_XINCREF(OLDBUFFER_CAST(PyObject *, frame));
    while (frame != OLDBUFFER_NULL && !found) {
        found = frame == target;
        back = PyFrame_GetBack(frame);
        Py_DECREF(OLDBUFFER_CAST(PyObject *, frame));
        frame = back;
    }
    Py_XDECREF(OLDBUFFER_CAST(PyObject *, frame));
    return found;
#else
    for (; frame != OLDBUFFER_NULL; frame = frame->f_back) {
        if (frame == target) {
            return 1;
        }
    }
    return 0;
#endif
}

/* Release every pin of a list, one at a time, unlinked first. */
OLDBUFFER_INLINE void
oldbuffer_pin_list_free(oldbuffer_pin **first)
{
    oldbuffer_pin *pin;

    while ((pin = *first) != OLDBUFFER_NULL) {
        *first = pin->next;
        oldbuffer_pin_free(pin);
    }
}

OLDBUFFER_INLINE void
oldbuffer_pins_destroy(PyObject *capsule)
{
    oldbuffer_pins *pins = OLDBUFFER_CAST(oldbuffer_pins *,
        PyCapsule_GetPointer(capsule, OLDBUFFER_PINS_CAPSULE));

    oldbuffer_pin_list_free(&pins->first);
    Py_XDECREF(pins->saved_obj);
    PyMem_Free(pins);
}

/* Put the chained profile function back, if ours is still the one
 * installed (another extension's oldbuffer may sit on top of it: then
 * stay, a pass-through, until it puts ours back). */
OLDBUFFER_INLINE void
oldbuffer_pins_uninstall(PyObject *capsule, oldbuffer_pins *pins)
{
    PyThreadState *ts = PyThreadState_Get();
    oldbuffer_stash stash;

    if (ts->c_profileobj != capsule) {
        return;
    }
    OLDBUFFER_STASH(stash);
    PyEval_SetProfile(pins->saved_func, pins->saved_obj);
    OLDBUFFER_UNSTASH(stash);
}

/* Main thread: a pending call releases the pins as soon as the C
 * function has returned (see oldbuffer_pins_pending below). */
OLDBUFFER_INLINE void oldbuffer_pins_schedule(void);

/* The profile function: the chained one first, then the pins. */
OLDBUFFER_INLINE int
oldbuffer_pins_profile(PyObject *capsule, PyFrameObject *frame, int what,
                       PyObject *arg)
{
    oldbuffer_pins *pins = OLDBUFFER_CAST(oldbuffer_pins *,
        PyCapsule_GetPointer(capsule, OLDBUFFER_PINS_CAPSULE));
    int res = 0;

    /* Whoever calls PyEval_SetProfile() from here on (the chained
     * function, or we) drops the thread's reference to the capsule. */
    Py_INCREF(capsule);
    if (pins->saved_func != OLDBUFFER_NULL) {
        res = (*pins->saved_func)(pins->saved_obj, frame, what, arg);
    }
    if (pins->first != OLDBUFFER_NULL && frame != OLDBUFFER_NULL) {
        switch (what) {
        case PyTrace_RETURN:
            /* A callback of the C function returned into it: the C
             * function may return next. */
            oldbuffer_pins_schedule();
            oldbuffer_pins_release(pins, frame, 1);
            break;
        case PyTrace_C_RETURN:
        case PyTrace_C_EXCEPTION:
            oldbuffer_pins_release(pins, frame, 1);
            break;
        case PyTrace_CALL:
            /* A new frame: its caller may be a pinned frame gone on (or
             * the C function calling back: same instruction, kept). */
            oldbuffer_pins_release_caller(pins, frame);
            break;
        default:
            oldbuffer_pins_release(pins, frame, 0);
            break;
        }
    }
    if (pins->first == OLDBUFFER_NULL) {
        oldbuffer_pins_uninstall(capsule, pins);
    }
    Py_DECREF(capsule);
    return res;
}

/* This thread's pins of this translation unit, if its profile function
 * is installed. */
OLDBUFFER_INLINE oldbuffer_pins *
oldbuffer_pins_current(PyThreadState *ts)
{
    if (ts->c_profilefunc != oldbuffer_pins_profile) {
        return OLDBUFFER_NULL;
    }
    return OLDBUFFER_CAST(oldbuffer_pins *,
        PyCapsule_GetPointer(ts->c_profileobj, OLDBUFFER_PINS_CAPSULE));
}

OLDBUFFER_INLINE oldbuffer_pins *
oldbuffer_pins_install(PyThreadState *ts)
{
    oldbuffer_pins *pins;
    PyObject *capsule;
    int installed;

    pins = OLDBUFFER_CAST(oldbuffer_pins *, PyMem_Calloc(1, sizeof *pins));
    if (pins == OLDBUFFER_NULL) {
        PyErr_NoMemory();
        return OLDBUFFER_NULL;
    }
    capsule = PyCapsule_New(pins, OLDBUFFER_PINS_CAPSULE,
                            oldbuffer_pins_destroy);
    if (capsule == OLDBUFFER_NULL) {
        PyMem_Free(pins);
        return OLDBUFFER_NULL;
    }
    pins->saved_func = ts->c_profilefunc;
    pins->saved_obj = ts->c_profileobj;
    Py_XINCREF(pins->saved_obj);
    /* May fail without telling (an audit hook refusing sys.setprofile:
     * reported as unraisable); then the capsule dies here and the call
     * stays as the default mode has it. */
    PyEval_SetProfile(oldbuffer_pins_profile, capsule);
    installed = ts->c_profileobj == capsule;
    Py_DECREF(capsule);
    return installed ? pins : OLDBUFFER_NULL;
}

/* The pending call (Py_AddPendingCall).  CPython runs pending calls in
 * the main thread, from the eval loop, between two instructions -- after
 * every CALL among others (CHECK_EVAL_BREAKER).  So when it runs in a
 * frame that holds pins, that frame's code is running again: the C
 * function it called has returned, and the pins can go, before the
 * frame's next instruction (a "del buf[:n]" right after the call).
 * When it runs anywhere else -- inside a callback of the C function --
 * it does nothing, and the callback's return schedules it again.  (A C
 * function that itself calls Py_MakePendingCalls() would see its pins
 * released early: a documented limit.)  Other threads rely on the
 * profile events alone. */
OLDBUFFER_INLINE int *
oldbuffer_pins_scheduled(void)
{
    static int scheduled;
    return &scheduled;
}

/* The main thread's own pins, from the pending call running in frame:
 * a pin of frame, or of a frame no longer running, is over; a pin whose
 * frame is a caller of frame is not (this runs inside a callback of its
 * C function): those go to the profile function, which schedules the
 * pending call again when the callback returns.  Without one (an audit
 * hook refused it) they are released: protection ends early, nothing
 * leaks. */
OLDBUFFER_INLINE void
oldbuffer_main_settle(PyThreadState *ts, PyFrameObject *frame)
{
    oldbuffer_main_pins *m = oldbuffer_main();
    oldbuffer_pin *pin, *todo, *kept = OLDBUFFER_NULL;
    oldbuffer_pins *pins;

    /* The list taken whole first: a release hook may run Python code
     * that pins again, into a new list with a pending call of its own
     * (taking those here too could loop for ever). */
    todo = m->first;
    m->first = OLDBUFFER_NULL;
    while ((pin = todo) != OLDBUFFER_NULL) {
        todo = pin->next;
        if (frame != OLDBUFFER_NULL && pin->frame != frame
            && oldbuffer_frame_on_stack(pin->frame, frame)) {
            /* (Its instruction is the call's, for the profile events.) */
            pin->lasti = oldbuffer_frame_lasti(pin->frame);
            pin->next = kept;
            kept = pin;
        }
        else {
            oldbuffer_pin_end(pin, 1);
        }
    }
    if (kept == OLDBUFFER_NULL) {
        return;
    }
    pins = oldbuffer_pins_current(ts);
    if (pins == OLDBUFFER_NULL) {
        pins = oldbuffer_pins_install(ts);
    }
    while ((pin = kept) != OLDBUFFER_NULL) {
        kept = pin->next;
        if (pins == OLDBUFFER_NULL) {
            oldbuffer_pin_free(pin);
        }
        else {
            pin->next = pins->first;
            pins->first = pin;
        }
    }
}

/* The main interpreter (PyInterpreterState_Main() is 3.7; before, the
 * first one made is the last of the list). */
OLDBUFFER_INLINE PyInterpreterState *
oldbuffer_main_interp(void)
{
#if PY_VERSION_HEX >= 0x03070000
    return PyInterpreterState_Main();
#else
    PyInterpreterState *interp = PyInterpreterState_Head();

    while (interp != OLDBUFFER_NULL
           && PyInterpreterState_Next(interp) != OLDBUFFER_NULL) {
        interp = PyInterpreterState_Next(interp);
    }
    return interp;
#endif
}

/* The main thread's spare records freed, and the main thread forgotten
 * (the pins themselves are the caller's to release or drop). */
OLDBUFFER_INLINE void
oldbuffer_main_reset(oldbuffer_main_pins *m)
{
    oldbuffer_pin *pin;

    while ((pin = m->spare) != OLDBUFFER_NULL) {
        m->spare = pin->next;
        PyMem_RawFree(pin);
    }
    m->spares = 0;
    m->known = 0;
    m->at_exit = 0;
    *oldbuffer_pins_scheduled() = 0;
}

/* Py_AtExit, at the very end of Py_FinalizeEx: what the main thread's
 * state holds belongs to the finalised runtime.  Pins left (taken after
 * the atexit function, by code that ran later in finalisation) are
 * dropped, their objects not touched: they are gone with their
 * interpreter.  The next Py_Initialize starts afresh. */
OLDBUFFER_INLINE void
oldbuffer_main_forget(void)
{
    oldbuffer_main_pins *m = oldbuffer_main();
    oldbuffer_pin *pin;

    while ((pin = m->first) != OLDBUFFER_NULL) {
        m->first = pin->next;
        PyMem_RawFree(pin);
    }
    oldbuffer_main_reset(m);
    m->forget = 0;
    m->refused = 0;
}

/* From the pending call: the thread it runs in is the main thread, if
 * this is the main interpreter (3.9 - 3.11 run a subinterpreter's
 * pending calls in it too) and the state can be forgotten at the end of
 * Py_FinalizeEx (Py_AtExit, once per runtime; with its 32 slots full,
 * the main thread stays unknown: its pins go the profile function's
 * way). */
OLDBUFFER_INLINE void
oldbuffer_main_learn(oldbuffer_main_pins *m, PyThreadState *ts)
{
    if (oldbuffer_interp_of(ts) != oldbuffer_main_interp()) {
        return;
    }
    if (!m->forget) {
        m->forget = Py_AtExit(oldbuffer_main_forget) == 0;
        if (!m->forget) {
            return;
        }
    }
    m->ident = oldbuffer_thread_ident();
    m->interp = oldbuffer_interp_of(ts);
    m->known = 1;
}

OLDBUFFER_INLINE int
oldbuffer_pins_pending(void *unused)
{
    PyThreadState *ts = PyThreadState_Get();
    oldbuffer_main_pins *m = oldbuffer_main();
    oldbuffer_pins *pins;
    PyFrameObject *frame;
    PyObject *capsule;
    oldbuffer_stash stash;

    (void)unused;
    *oldbuffer_pins_scheduled() = 0;
    if (!m->known) {
        oldbuffer_main_learn(m, ts);
    }
    frame = PyEval_GetFrame();
    if (m->first != OLDBUFFER_NULL) {
        /* (A failed frame lookup or profile install must not leave an
         * exception behind a pending call that reports success.) */
        OLDBUFFER_STASH(stash);
        oldbuffer_main_settle(ts, frame);
        if (PyErr_Occurred()) {
            PyErr_WriteUnraisable(OLDBUFFER_NULL);
        }
        OLDBUFFER_UNSTASH(stash);
    }
    pins = oldbuffer_pins_current(ts);
    if (pins == OLDBUFFER_NULL || frame == OLDBUFFER_NULL) {
        return 0;
    }
    /* Held across the releases: a release hook may run Python code that
     * replaces the profile function (or has it removed), which drops
     * the thread's reference. */
    capsule = ts->c_profileobj;
    Py_INCREF(capsule);
    oldbuffer_pins_release(pins, frame, 1);
    if (pins->first == OLDBUFFER_NULL) {
        oldbuffer_pins_uninstall(capsule, pins);
    }
    Py_DECREF(capsule);
    return 0;
}

OLDBUFFER_INLINE void
oldbuffer_pins_schedule(void)
{
    int *scheduled = oldbuffer_pins_scheduled();

    /* Only from the main interpreter.  On 3.9 - 3.11 a subinterpreter's
     * pending call goes to its own queue, which only the main thread
     * runs: from a subinterpreter in another thread it would never run,
     * and the flag, shared, would say "scheduled" for good.  Pins taken
     * in a subinterpreter are ended by the profile events.  (A refusal
     * -- a full queue, or Python finalising -- raises nothing: the
     * profile events still end the pins, later.  3.8 prints a
     * SystemError when it refuses because Python is finalising: there a
     * refusal stops the scheduling until Python is initialised again,
     * so that it prints once.) */
    if (*scheduled || oldbuffer_interp_of(PyThreadState_Get())
                      != oldbuffer_main_interp()) {
        return;
    }
#if PY_VERSION_HEX >= 0x03080000 && PY_VERSION_HEX < 0x03090000
    if (oldbuffer_main()->refused) {
        return;
    }
#endif
    if (Py_AddPendingCall(oldbuffer_pins_pending, OLDBUFFER_NULL) == 0) {
        *scheduled = 1;
    }
#if PY_VERSION_HEX >= 0x03080000 && PY_VERSION_HEX < 0x03090000
    else {
        oldbuffer_main()->refused = 1;
    }
#endif
}

/* This thread's number of pins of this translation unit (for tests). */
OLDBUFFER_INLINE Py_ssize_t
OldBuffer_PinCount(void)
{
    PyThreadState *ts = PyThreadState_Get();
    oldbuffer_pins *pins = oldbuffer_pins_current(ts);
    oldbuffer_pin *pin;
    Py_ssize_t n = 0;

    for (pin = pins ? pins->first : OLDBUFFER_NULL; pin; pin = pin->next) {
        n++;
    }
    if (oldbuffer_in_main(ts)) {
        for (pin = oldbuffer_main()->first; pin; pin = pin->next) {
            n++;
        }
    }
    return n;
}

/* atexit: the main thread's pins released while the interpreter still
 * runs, and the main thread forgotten (an embedding application may
 * initialise Python again). */
OLDBUFFER_INLINE PyObject *
oldbuffer_main_at_exit(PyObject *self, PyObject *unused)
{
    oldbuffer_main_pins *m = oldbuffer_main();

    (void)self;
    (void)unused;
    oldbuffer_pin_list_free(&m->first);
    oldbuffer_main_reset(m);
    Py_INCREF(Py_None);
    return Py_None;
}

OLDBUFFER_INLINE void
oldbuffer_main_register_at_exit(oldbuffer_main_pins *m)
{
    static PyMethodDef def = {
        "oldbuffer_release_pins", oldbuffer_main_at_exit, METH_NOARGS,
        "Release the main thread's pins of one extension (oldbuffer.h)."
    };
    PyObject *func = PyCFunction_New(&def, OLDBUFFER_NULL);
    PyObject *atexit = PyImport_ImportModule("atexit");
    PyObject *res = OLDBUFFER_NULL;

    if (func != OLDBUFFER_NULL && atexit != OLDBUFFER_NULL) {
        res = PyObject_CallMethod(atexit, "register", "O", func);
    }
    Py_XDECREF(func);
    Py_XDECREF(atexit);
    if (res == OLDBUFFER_NULL) {
        /* Then pins left at exit stay with the ending interpreter. */
        PyErr_Clear();
        return;
    }
    Py_DECREF(res);
    m->at_exit = 1;
}

/* Keep an export of obj, whose successful call handed out buf, until the
 * C function that made the call has returned.  0, or -1 with an
 * exception (no memory). */
OLDBUFFER_INLINE int
oldbuffer_pin_export(PyObject *obj, const void *buf, int call)
{
    int flags = call == OLDBUFFER_CALL_WRITE ? PyBUF_WRITABLE : PyBUF_SIMPLE;
    oldbuffer_main_pins *m = oldbuffer_main();
    PyFrameObject *frame;
    PyThreadState *ts;
    oldbuffer_pins *pins;
    oldbuffer_pin *pin, **first;
    int main_thread, in_main;

    /* (Never bytes: oldbuffer_modes_after() returns before.) */
    frame = PyEval_GetFrame();
    if (frame == OLDBUFFER_NULL) {
        return 0;   /* called from C with no Python frame: nothing to
                       wait for, released at once as by default */
    }
    /* Already pinned in this frame: the first export holds the memory,
     * and now covers this later call too.  (The main thread's list
     * first: its frames run in that thread only.) */
    if (m->first != OLDBUFFER_NULL && m->ident == oldbuffer_thread_ident()) {
        for (pin = m->first; pin; pin = pin->next) {
            if (pin->obj == obj && pin->frame == frame) {
                return 0;
            }
        }
    }
    ts = PyThreadState_Get();
    pins = oldbuffer_pins_current(ts);
    for (pin = pins ? pins->first : OLDBUFFER_NULL; pin; pin = pin->next) {
        if (pin->obj == obj && pin->frame == frame) {
            pin->lasti = oldbuffer_frame_lasti(frame);
            return 0;
        }
    }
    if (PyErr_Occurred()) {
        return 0;   /* no export can be taken now */
    }
    /* (A thread and its interpreter stay what they are during the
     * call: asked once.) */
    main_thread = oldbuffer_in_main(ts);
    if (main_thread && m->spare != OLDBUFFER_NULL) {
        pin = m->spare;
        m->spare = pin->next;
        m->spares--;
    }
    else {
        pin = OLDBUFFER_CAST(oldbuffer_pin *, PyMem_RawMalloc(sizeof *pin));
        if (pin == OLDBUFFER_NULL) {
            PyErr_NoMemory();
            return -1;
        }
    }
    /* An exporter that hands out other memory at each export gets no
     * protection from a second one. */
    if (!oldbuffer_export_hazard(obj, flags, 1, &pin->view)) {
        PyMem_RawFree(pin);
        return 0;
    }
    if (pin->view.buf != buf) {
        PyBuffer_Release(&pin->view);
        PyErr_Clear();   /* (as in oldbuffer_export_hazard) */
        PyMem_RawFree(pin);
        return 0;
    }
    /* The thread's list again: the export may have run Python code (a
     * PEP 688 __buffer__) that replaced the profile function, and the
     * list with it.  Then the main thread's own list, if no profile
     * function of ours is on there and the pending call is scheduled (a
     * full queue refuses). */
    pins = oldbuffer_pins_current(ts);
    in_main = pins == OLDBUFFER_NULL && main_thread;
    if (in_main && !m->at_exit) {
        /* (Before scheduling: this runs Python code, the import, and so
         * pending calls.) */
        oldbuffer_main_register_at_exit(m);
    }
    if (in_main) {
        oldbuffer_pins_schedule();
        in_main = *oldbuffer_pins_scheduled();
    }
    if (in_main) {
        first = &m->first;
    }
    else {
        if (pins == OLDBUFFER_NULL) {
            pins = oldbuffer_pins_install(ts);
            if (pins == OLDBUFFER_NULL) {
                PyBuffer_Release(&pin->view);
                PyMem_RawFree(pin);
                return PyErr_Occurred() ? -1 : 0;
            }
        }
        first = &pins->first;
        oldbuffer_pins_schedule();
    }
    Py_INCREF(obj);
    pin->obj = obj;
    Py_INCREF(OLDBUFFER_CAST(PyObject *, frame));
    pin->frame = frame;
    pin->lasti = in_main ? 0 : oldbuffer_frame_lasti(frame);
    pin->next = *first;
    *first = pin;
    return 0;
}

#endif /* OLDBUFFER_LIFETIME_SAFE */


/* --- The calls with the modes ---------------------------------------- */

/* After a successful default call that handed out p: the audit, then the
 * pin.  bytes is never hazardous: nothing more to do.  A call made with an
 * exception already set is neither audited nor pinned (no warning can be
 * raised then), unless its site has warned or its object is pinned in
 * this frame already.  0, or -1 with an exception. */
OLDBUFFER_INLINE int
oldbuffer_modes_after(PyObject *obj, const void *p, int call,
                      const char *file, int line, char *site)
{
    (void)obj;
    (void)p;
    (void)call;
    (void)file;
    (void)line;
    (void)site;
#if defined(OLDBUFFER_AUDIT) || defined(OLDBUFFER_LIFETIME_SAFE)
    if (PyBytes_CheckExact(obj)) {
        return 0;
    }
#endif
#if defined(OLDBUFFER_AUDIT)
    /* (A site's flag tested here, inline: at a site that has warned,
     * the audit costs this test alone.) */
    if ((site == OLDBUFFER_NULL || *site == 0)
        && oldbuffer_audit(obj, call, file, line, site) < 0) {
        return -1;
    }
#endif
#if defined(OLDBUFFER_LIFETIME_SAFE)
    if (oldbuffer_pin_export(obj, p, call) < 0) {
        return -1;
    }
#endif
    return 0;
}

/* The default read or char call, for the modes, with the default's fast
 * paths taken here so that the type is tested once: 1 when there is
 * nothing more to do (bytes is never hazardous), 0 with *p and *len set
 * for the modes to look at (a bytearray's storage, or the default call's
 * answer), -1 with the default call's exception. */
OLDBUFFER_HOT int
oldbuffer_modes_default_read(PyObject *obj, const void **p,
                             Py_ssize_t *len, int char_call)
{
#if defined(OLDBUFFER_FAST_PATHS)
    void *vp = OLDBUFFER_NULL;
    int kind = OLDBUFFER_READ_FAST_PATH_OK()
               ? oldbuffer_storage(obj, &vp, len, 0) : -1;

    if (kind >= 0) {
        *p = vp;
        return kind;
    }
#endif
    if (char_call) {
        const char *cp = OLDBUFFER_NULL;

        if (OldBuffer_AsCharBuffer(obj, &cp, len) != 0) {
            return -1;
        }
        *p = cp;
        return 0;
    }
    return OldBuffer_AsReadBuffer(obj, p, len) != 0 ? -1 : 0;
}

/* The read or char call (call) with the modes, after the NULL tests: 0
 * with *p and *len set, or -1 with an exception. */
OLDBUFFER_INLINE int
oldbuffer_modes_read(PyObject *obj, const void **p, Py_ssize_t *len,
                     int call, const char *file, int line, char *site)
{
    switch (oldbuffer_modes_default_read(obj, p, len,
                                         call == OLDBUFFER_CALL_CHAR)) {
    case -1:
        return -1;
    case 0:
        return oldbuffer_modes_after(obj, *p, call, file, line, site);
    default:
        return 0;
    }
}

/* The four calls with this translation unit's modes; file and line name
 * the call site for the audit (NULL: no audit), site is its flag (NULL:
 * the table of sites).  On -1 the outputs are left untouched, as by
 * default. */
OLDBUFFER_INLINE int
oldbuffer_as_char_at(PyObject *obj, const char **buffer,
                     Py_ssize_t *buffer_len, const char *file, int line,
                     char *site)
{
    const void *p = OLDBUFFER_NULL;
    Py_ssize_t len = 0;

    if (OLDBUFFER_ANY_NULL(obj, buffer, buffer_len)) {
        return OldBuffer_AsCharBuffer(obj, buffer, buffer_len);
    }
#if defined(OLDBUFFER_PY2_TEXT)
    /* Python 2's str was bytes; its text is now str, whose UTF-8 form
     * CPython caches in the object: valid as long as the string. */
    if (PyUnicode_Check(obj)) {
        const char *text = PyUnicode_AsUTF8AndSize(obj, &len);

        if (text == OLDBUFFER_NULL) {
            return -1;   /* UnicodeEncodeError: lone surrogates */
        }
        *buffer = text;
        *buffer_len = len;
        return 0;
    }
#endif
    if (oldbuffer_modes_read(obj, &p, &len, OLDBUFFER_CALL_CHAR, file, line,
                             site) != 0) {
        return -1;
    }
    *buffer = OLDBUFFER_CAST(const char *, p);
    *buffer_len = len;
    return 0;
}

OLDBUFFER_INLINE int
oldbuffer_as_read_at(PyObject *obj, const void **buffer,
                     Py_ssize_t *buffer_len, const char *file, int line,
                     char *site)
{
    const void *p = OLDBUFFER_NULL;
    Py_ssize_t len = 0;

    if (OLDBUFFER_ANY_NULL(obj, buffer, buffer_len)) {
        return OldBuffer_AsReadBuffer(obj, buffer, buffer_len);
    }
    if (oldbuffer_modes_read(obj, &p, &len, OLDBUFFER_CALL_READ, file, line,
                             site) != 0) {
        return -1;
    }
    *buffer = p;
    *buffer_len = len;
    return 0;
}

OLDBUFFER_INLINE int
oldbuffer_as_write_at(PyObject *obj, void **buffer, Py_ssize_t *buffer_len,
                      const char *file, int line, char *site)
{
    void *p = OLDBUFFER_NULL;
    Py_ssize_t len = 0;

    if (OLDBUFFER_ANY_NULL(obj, buffer, buffer_len)) {
        return OldBuffer_AsWriteBuffer(obj, buffer, buffer_len);
    }
#if defined(OLDBUFFER_FAST_PATHS)
    /* (As in oldbuffer_modes_default_read; bytes fails, as by default.) */
    if (oldbuffer_storage(obj, &p, &len, 1) != 0
        && OldBuffer_AsWriteBuffer(obj, &p, &len) != 0) {
        return -1;
    }
#else
    if (OldBuffer_AsWriteBuffer(obj, &p, &len) != 0) {
        return -1;
    }
#endif
    if (oldbuffer_modes_after(obj, p, OLDBUFFER_CALL_WRITE, file, line,
                              site) != 0) {
        return -1;
    }
    *buffer = p;
    *buffer_len = len;
    return 0;
}

/* The same, public, with the table of sites. */
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
    return oldbuffer_as_write_at(obj, buffer, buffer_len, file, line,
                                 OLDBUFFER_NULL);
}

/* No pointer, no hazard: the default call. */
OLDBUFFER_INLINE int
OldBuffer_CheckReadBufferAt(PyObject *obj, const char *file, int line)
{
    (void)file;
    (void)line;
    return OldBuffer_CheckReadBuffer(obj);
}

/* The legacy names (the default mapping is left out below).  With the
 * audit they are function-like macros passing the call site: code that
 * takes their address must use the OldBuffer_* names (no modes) or
 * OldBuffer_*At. */
#if !defined(OLDBUFFER_NO_COMPAT_NAMES)
#  undef PyObject_AsCharBuffer
#  undef PyObject_AsReadBuffer
#  undef PyObject_AsWriteBuffer
#  undef PyObject_CheckReadBuffer
#  if defined(OLDBUFFER_AUDIT)
/* Each call site's own flag, set once it has warned, so that a call at a
 * site that has warned costs one load and test more than the default:
 * a static in a GNU statement expression (gcc, clang; C and C++).
 * Other compilers look the site up in the table of sites, by file and
 * line (up to OLDBUFFER_AUDIT_MAX_SITES). */
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
         oldbuffer_as_write_at((obj), (buffer), (buffer_len), \
                               __FILE__, __LINE__, OLDBUFFER_SITE)
#    define PyObject_CheckReadBuffer(obj) \
         OldBuffer_CheckReadBufferAt((obj), __FILE__, __LINE__)
#  else
OLDBUFFER_INLINE int
oldbuffer_modes_as_char(PyObject *obj, const char **buffer,
                        Py_ssize_t *buffer_len)
{
    return OldBuffer_AsCharBufferAt(obj, buffer, buffer_len,
                                    OLDBUFFER_NULL, 0);
}

OLDBUFFER_INLINE int
oldbuffer_modes_as_read(PyObject *obj, const void **buffer,
                        Py_ssize_t *buffer_len)
{
    return OldBuffer_AsReadBufferAt(obj, buffer, buffer_len,
                                    OLDBUFFER_NULL, 0);
}

OLDBUFFER_INLINE int
oldbuffer_modes_as_write(PyObject *obj, void **buffer,
                         Py_ssize_t *buffer_len)
{
    return OldBuffer_AsWriteBufferAt(obj, buffer, buffer_len,
                                     OLDBUFFER_NULL, 0);
}
#    define PyObject_AsCharBuffer oldbuffer_modes_as_char
#    define PyObject_AsReadBuffer oldbuffer_modes_as_read
#    define PyObject_AsWriteBuffer oldbuffer_modes_as_write
#    define PyObject_CheckReadBuffer OldBuffer_CheckReadBuffer
#  endif
#endif

#endif /* OLDBUFFER_MODES */


/* ---------------------------------------------------------------------
 * The legacy names
 *
 * Mapped on every version: before 3.13 this replaces the deprecated
 * declarations (no -Wdeprecated-declarations, identical behaviour); from
 * 3.13 on it replaces the removed ones.
 * ------------------------------------------------------------------- */
/* (With a mode on, the Modes section above maps them.) */
#if !defined(OLDBUFFER_NO_COMPAT_NAMES) && !defined(OLDBUFFER_MODES)
#  undef PyObject_AsCharBuffer
#  undef PyObject_AsReadBuffer
#  undef PyObject_AsWriteBuffer
#  undef PyObject_CheckReadBuffer
#  define PyObject_AsCharBuffer OldBuffer_AsCharBuffer
#  define PyObject_AsReadBuffer OldBuffer_AsReadBuffer
#  define PyObject_AsWriteBuffer OldBuffer_AsWriteBuffer
#  define PyObject_CheckReadBuffer OldBuffer_CheckReadBuffer
#endif

#ifdef __cplusplus
}
#endif

#endif /* OLDBUFFER_H */
