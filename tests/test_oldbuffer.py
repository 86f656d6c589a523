"""Differential tests of oldbuffer's four calls against the interpreter's own.

Runs on Python 2.7, 3.6+ and PyPy 3 with the stdlib's unittest.  The
extension modules under test (_testoldbuffer_c, _testoldbuffer_cpp: one
source compiled as C and as C++) are found in the directory named by
$OLDBUFFER_BUILD.  tests/runtests.py builds them and runs this file on
every interpreter.

For every object kind of the catalogue and every call, the test compares
the outcome of OldBuffer_* with the interpreter's own PyObject_* (return
value, pointer, length, exception type and message, whether the outputs
were written), then checks that the export was released and the
reference count is unchanged; once as a plain call, once with an
exception already set (then also whether the exception left is that very
one).  On a debug build a call may abort the interpreter
(_Py_CheckSlotResult): such cases run in a forked child, and ours must
abort exactly where the interpreter's own does, with the same message.
Outcomes that follow from the documented semantics are also pinned
independently of the native functions.

With $OLDBUFFER_OUTCOMES set to a file name, every differential case's
outcome of oldbuffer's calls is also written there as JSON (see
OutcomeSnapshot; `tests/runtests.py --save-outcomes DIR` and
tests/compare_outcomes.py): two versions of the header behave alike
where their snapshots are identical.
"""
from __future__ import print_function

import array
import ctypes
import errno
import gc
import json
import mmap
import os
import re
import sys
import sysconfig
import tempfile
import unittest

BUILD = os.environ.get("OLDBUFFER_BUILD")
if BUILD:
    sys.path.insert(0, BUILD)

PY2 = sys.version_info[0] == 2
PYPY = hasattr(sys, "pypy_version_info")
DEBUG_BUILD = hasattr(sys, "gettotalrefcount")
# A free-threaded CPython (3.13t+) has no limited API: its Python.h
# refuses Py_LIMITED_API (gh-111506), so there is no abi3 module to load.
FREE_THREADED = bool(sysconfig.get_config_var("Py_GIL_DISABLED"))

try:
    import numpy
except ImportError:
    numpy = None

MODULE_NAMES = ("_testoldbuffer_c", "_testoldbuffer_cpp")
MODULES = [__import__(name) for name in MODULE_NAMES]
M = MODULES[0]

CALLS = ("char", "read", "write", "check")
CALL_INDEX = dict((name, i) for i, name in enumerate(CALLS))
OLDBUFFER, NATIVE, COMPAT = 0, 1, 2
NULL_OBJ, NULL_BUF, NULL_LEN, PRESET_EXC = 1, 2, 4, 8

(EXP_OK, EXP_READONLY, EXP_RAISE, EXP_FAIL_NOEXC, EXP_NULL_BUF,
 EXP_NEG_LEN, EXP_OK_SET_EXC) = range(7)
# The hostile modes (see _testoldbuffer.c): none is fatal on a debug
# build, because a release hook is not a checked slot -- so they run on
# every interpreter.  On Python 2.7 the legacy calls never reach
# bf_getbuffer/bf_releasebuffer, so there they pin the plain TypeError.
(EXP_RAISE_TYPE, EXP_RELEASE_RAISES, EXP_RELEASE_REENTERS,
 EXP_RELEASE_CALLS, EXP_SET_EXC_RELEASE_CLEARS) = range(7, 12)
EXPORTER_MODES = list(range(7)) + [EXP_SET_EXC_RELEASE_CLEARS]

# A debug build of CPython 3.10+ checks the result of the bf_getbuffer
# slot in PyObject_GetBuffer() (_Py_CheckSlotResult) and aborts when an
# export fails without an exception or succeeds with one set -- even
# bytes', when an exception was set before the call.  The interpreter's
# read and char calls go through it; its write and check calls do not.
# Where the interpreter's own call aborts, ours must abort too, and
# nowhere else: those cases run in a forked child (see aborts()).
SLOT_CHECKS = (DEBUG_BUILD and not PY2 and not PYPY
               and sys.version_info >= (3, 10))
# The exporters that trip that check (with no exception set before).
TRIPS_SLOT_CHECK = ("exporter-fails-without-exception",
                    "exporter-succeeds-with-exception-set",
                    "exporter-sets-exception-release-clears")

# Counts reported to the driver.
STATS = {"differential": 0, "kinds": 0, "abi3": 0}


# ---------------------------------------------------------------------------
# The catalogue: name -> factory returning (object, release_check, keepalive)
# release_check(obj) raises if an export of obj is still alive.
# ---------------------------------------------------------------------------

def no_check(obj):
    pass


def resize_check(obj):
    # bytearray and array.array refuse to resize while exported.
    obj.append(obj[0] if len(obj) else 0)
    obj.pop()


def release_check(view):
    # memoryview.release() raises BufferError while it has exports
    # (Python 3; 2.7's memoryview has no release()).
    if not PY2:
        view.release()


def mmap_check(m):
    # mmap.close() raises BufferError while exported (Python 3).
    m.close()


def exporter_check(e):
    if e.exports() != 0:
        raise AssertionError("%d exports still alive" % e.exports())


class ExporterError(LookupError):
    """A user-defined exception an Exporter raises (EXP_RAISE_TYPE)."""


class ExporterAbort(BaseException):
    """Not even an Exception: CheckReadBuffer must clear it all the same."""


# What went wrong inside release hooks, where raising would be part of the
# outcome under test rather than a test failure.
HOOK_PROBLEMS = []


def hook_reenters(e):
    # Called from bf_releasebuffer: oldbuffer again, through Python, on the
    # exporter being released (the C side stops the recursion there).
    o = outcome(M, "read", OLDBUFFER, e)
    if o[:5] != (0, o[1], len(e.data()), None, None) or o[1] is None:
        HOOK_PROBLEMS.append("re-entered read gave %r" % (o,))


def hook_raises(e):
    raise ExporterError("raised by the release hook")


def exporter_hook_check(e):
    exporter_check(e)
    if HOOK_PROBLEMS:
        raise AssertionError("; ".join(HOOK_PROBLEMS))
    # Python 3 exports for every call, so the hook must have run: else
    # this case tests nothing.
    if not PY2 and e.reentries() == 0:
        raise AssertionError("the release hook never ran")


class BytesSub(bytes):
    pass


class BytearraySub(bytearray):
    pass


class StrSub(str):
    pass


class NoBuffer(object):
    def __bytes__(self):
        return b"not a buffer"


class CStruct(ctypes.Structure):
    _fields_ = [("a", ctypes.c_int), ("b", ctypes.c_double)]


_TEMPFILES = []


def file_mmap(access):
    f = tempfile.TemporaryFile()
    f.write(b"file-backed mmap")
    f.flush()
    _TEMPFILES.append(f)
    return mmap.mmap(f.fileno(), 0, access=access)


def released_view():
    v = memoryview(b"gone")
    v.release()
    return v


def catalogue():
    """Every object kind, as (name, factory).  Factories return
    (obj, check); each test creates its own fresh object."""
    c = []

    def add(name, factory, check=no_check):
        c.append((name, factory, check))

    add("bytes-empty", lambda: b"")
    add("bytes-1", lambda: b"x")
    add("bytes", lambda: b"hello world")
    add("bytes-1MiB", lambda: b"\xab" * (1 << 20))
    add("bytes-subclass", lambda: BytesSub(b"sub"))
    add("bytes-nul", lambda: b"a\x00b")
    if PY2:
        add("unicode-empty", lambda: u"")
        add("unicode-ascii", lambda: u"abc")
        add("unicode-nonascii", lambda: u"\xe9t\xe9")
        add("buffer-of-str", lambda: buffer(b"buffered"))  # noqa: F821
        add("buffer-of-str-slice", lambda: buffer(b"buffered", 2, 3))  # noqa
        add("buffer-of-bytearray",
            lambda: buffer(bytearray(b"rw")))  # noqa: F821
        add("buffer-of-array",
            lambda: buffer(array.array("i", [1, 2])))  # noqa: F821
    else:
        add("str-empty", lambda: "")
        add("str-ascii", lambda: "abc")
        add("str-nonascii", lambda: "\xe9t\xe9\u20ac")
        add("str-subclass", lambda: StrSub("sub"))
    add("bytearray-empty", lambda: bytearray(), resize_check)
    add("bytearray", lambda: bytearray(b"mutable"), resize_check)
    add("bytearray-subclass", lambda: BytearraySub(b"sub"), resize_check)
    add("bytearray-1MiB", lambda: bytearray(1 << 20), resize_check)
    add("memoryview-bytes", lambda: memoryview(b"view"), release_check)
    add("memoryview-bytearray", lambda: memoryview(bytearray(b"view")),
        release_check)
    add("memoryview-empty", lambda: memoryview(b""), release_check)
    if not PY2 and not PYPY:
        # (PyPy cannot even pass a released memoryview to C code.)
        add("memoryview-released", released_view)
    if not PY2:
        add("memoryview-slice", lambda: memoryview(bytearray(b"abcdef"))[1:4],
            release_check)
        add("memoryview-noncontiguous",
            lambda: memoryview(bytearray(b"abcdef"))[::2], release_check)
        add("memoryview-2d",
            lambda: memoryview(bytearray(6)).cast("B", [2, 3]),
            release_check)
        add("memoryview-int-format",
            lambda: memoryview(array.array("i", [1, 2, 3])), release_check)
        add("memoryview-reversed",
            lambda: memoryview(b"abc")[::-1], release_check)
        add("memoryview-of-mmap",
            lambda: memoryview(mmap.mmap(-1, 8)), release_check)
        if sys.version_info >= (3, 8):
            add("memoryview-readonly",
                lambda: memoryview(bytearray(b"ro")).toreadonly(),
                release_check)
            import pickle
            add("picklebuffer-bytes",
                lambda: pickle.PickleBuffer(b"pickled"))
            add("picklebuffer-bytearray",
                lambda: pickle.PickleBuffer(bytearray(b"pickled")))
        import io
        add("bytesio-getbuffer", lambda: io.BytesIO(b"bio").getbuffer(),
            release_check)
    arr_check = no_check if PY2 else resize_check
    for code, init in (("b", [1, -2]), ("B", [1, 2]), ("h", [1, 2]),
                       ("i", [1, 2, 3]), ("l", [7]), ("f", [1.5]),
                       ("d", [2.5, 3.5]), ("c" if PY2 else "q", None)):
        if init is None:
            init = ["x"] if PY2 else [1 << 40]
        add("array-" + code,
            (lambda code=code, init=init: array.array(code, init)),
            arr_check)
    add("array-empty", lambda: array.array("B"), arr_check)
    if PY2 or sys.version_info < (3, 13):
        add("array-u", lambda: array.array("u", u"text"), arr_check)
    else:
        add("array-w", lambda: array.array("w", "text"), arr_check)
    mm_check = no_check if PY2 else mmap_check
    add("mmap-anonymous", lambda: mmap.mmap(-1, 32), mm_check)
    add("mmap-file-write", lambda: file_mmap(mmap.ACCESS_WRITE), mm_check)
    add("mmap-file-read", lambda: file_mmap(mmap.ACCESS_READ), mm_check)
    add("mmap-file-copy", lambda: file_mmap(mmap.ACCESS_COPY), mm_check)
    add("ctypes-char-array", lambda: (ctypes.c_char * 4)(b"a", b"b"))
    add("ctypes-int-array", lambda: (ctypes.c_int * 3)(1, 2, 3))
    add("ctypes-double", lambda: ctypes.c_double(1.5))
    add("ctypes-struct", lambda: CStruct(1, 2.0))
    add("ctypes-string-buffer", lambda: ctypes.create_string_buffer(8))
    add("int", lambda: 42)
    add("float", lambda: 1.5)
    add("None", lambda: None)
    add("list", lambda: [1, 2])
    add("tuple", lambda: (b"a",))
    add("dict", lambda: {})
    add("object", lambda: object())
    add("type-bytes", lambda: bytes)
    add("no-buffer-but-__bytes__", lambda: NoBuffer())
    for mode, name in ((EXP_OK, "ok"), (EXP_READONLY, "readonly"),
                       (EXP_RAISE, "raises"),
                       (EXP_FAIL_NOEXC, "fails-without-exception"),
                       (EXP_NULL_BUF, "null-pointer"),
                       (EXP_NEG_LEN, "negative-length"),
                       (EXP_OK_SET_EXC, "succeeds-with-exception-set"),
                       (EXP_SET_EXC_RELEASE_CLEARS,
                        "sets-exception-release-clears")):
        add("exporter-" + name, (lambda mode=mode: M.Exporter(mode)),
            exporter_check)
    add("exporter-raises-user-exception",
        lambda: M.Exporter(EXP_RAISE_TYPE, "exporter", ExporterError),
        exporter_check)
    add("exporter-raises-baseexception",
        lambda: M.Exporter(EXP_RAISE_TYPE, "exporter", ExporterAbort),
        exporter_check)
    add("exporter-release-raises", lambda: M.Exporter(EXP_RELEASE_RAISES),
        exporter_check)
    add("exporter-release-reenters",
        lambda: M.Exporter(EXP_RELEASE_REENTERS), exporter_hook_check)
    add("exporter-release-calls-python",
        lambda: M.Exporter(EXP_RELEASE_CALLS, "exporter", hook_reenters),
        exporter_hook_check)
    add("exporter-release-calls-python-raises",
        lambda: M.Exporter(EXP_RELEASE_CALLS, "exporter", hook_raises),
        exporter_hook_check)
    if sys.version_info >= (3, 12) and not PYPY:
        # PEP 688: a Python class can export through __buffer__.
        class PyExporter(object):
            def __init__(self, data):
                self.data = data

            def __buffer__(self, flags):
                return memoryview(self.data)

        class PyExporterRaises(object):
            def __buffer__(self, flags):
                raise OSError("no buffer today")

        add("pep688-exporter-bytes", lambda: PyExporter(b"py688"))
        add("pep688-exporter-bytearray",
            lambda: PyExporter(bytearray(b"py688")))
        add("pep688-exporter-raises", lambda: PyExporterRaises())
    if numpy is not None:
        add("numpy-1d", lambda: numpy.arange(6, dtype=numpy.uint8))
        add("numpy-2d-C", lambda: numpy.zeros((2, 3), dtype=numpy.int32))
        add("numpy-2d-F",
            lambda: numpy.asfortranarray(numpy.zeros((2, 3))))
        add("numpy-strided", lambda: numpy.arange(10)[::2])
        add("numpy-readonly", _numpy_readonly)
        add("numpy-0d", lambda: numpy.array(3.0))
        add("numpy-empty", lambda: numpy.zeros(0))
    return c


def _numpy_readonly():
    a = numpy.arange(4)
    a.setflags(write=False)
    return a


CATALOGUE = catalogue()
STATS["kinds"] = len(CATALOGUE)

def outcome(module, what, impl, obj, how=0):
    return module.call(CALL_INDEX[what], impl, obj, how)


def outcome_in_child(module, what, impl, obj, how=0):
    """The call made in a forked child: None if it returned, else the
    first line the aborting interpreter wrote to stderr (the "Fatal
    Python error: ..." or failed assertion)."""
    import resource
    read_end, write_end = os.pipe()
    pid = os.fork()
    if pid == 0:
        try:
            resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
            os.dup2(write_end, 2)
            outcome(module, what, impl, obj, how)
        finally:
            os._exit(0)
    os.close(write_end)
    chunks = []
    while True:
        try:
            chunk = os.read(read_end, 65536)
        except OSError as e:
            if e.errno == errno.EINTR:
                continue
            raise
        if not chunk:
            break
        chunks.append(chunk)
    os.close(read_end)
    _, status = os.waitpid(pid, 0)
    if os.WIFEXITED(status) and os.WEXITSTATUS(status) == 0:
        return None
    text = b"".join(chunks).decode("utf-8", "replace").strip()
    return (text.splitlines() or ["killed, status %d" % status])[0]


_NATIVE_ABORTS = {}


def aborts(name, factory, what, how):
    """How the interpreter's own call aborts on a fresh object of this
    kind: None when it does not (always, but on a debug build)."""
    if not SLOT_CHECKS or how & (NULL_OBJ | NULL_BUF | NULL_LEN) or (
            not how & PRESET_EXC and name not in TRIPS_SLOT_CHECK):
        return None   # (no export, or one that cannot trip the check)
    key = (name, what, how)
    if key not in _NATIVE_ABORTS:
        _NATIVE_ABORTS[key] = outcome_in_child(M, what, NATIVE, factory(),
                                               how)
    return _NATIVE_ABORTS[key]


def describe(o):
    ret, addr, length, etype, emsg, written = o[:6]
    same = " (the preset one)" if o[6:] == (1,) else ""
    if etype is None:
        return "ret=%r addr=%r len=%r written=%r" % (ret, addr, length,
                                                      written)
    return "ret=%r %s(%r)%s written=%r" % (ret, etype.__name__, emsg, same,
                                          written)


# The exporters that report a successful export with an exception set, or
# raise from their release hook: CheckReadBuffer returns 1 and leaves that
# exception set, as CPython's own does (README.md, "Semantics").
CHECK_LEAVES_EXCEPTION = frozenset([
    "exporter-succeeds-with-exception-set",
    "exporter-release-raises",
    "exporter-release-calls-python-raises",
])


class OutcomeSnapshot(object):
    """Every differential case's outcome of oldbuffer's calls, by case,
    in a form two runs (two processes, two builds) can compare: a pointer
    is written as its distance from the interpreter's own pointer (and,
    for bytes and bytearray, from the object's data), never as an
    address; hexadecimal addresses in messages are masked."""

    def __init__(self, path):
        self.path = path
        self.cases = {}

    @staticmethod
    def text(message):
        if message is None:
            return None
        return re.sub(r"0x[0-9a-fA-F]+", "0x?", str(message))

    def pointer(self, ours, native, obj):
        if ours is None or ours == "unstable":
            return ours
        where = {}
        if isinstance(native, int) or (PY2 and isinstance(native, long)):  # noqa: F821
            where["from_native"] = ours - native
        try:
            where["from_data"] = ours - M.data_address(obj)
        except TypeError:
            pass   # (not bytes or bytearray: no address of its own)
        return where

    def record(self, key, ours, native=None, obj=None, compat=None):
        """ours: an outcome tuple, or the first line of an abort."""
        if not isinstance(ours, tuple):
            entry = {"aborts": self.text(ours)}
        else:
            ret, addr, length, etype, emsg, written = ours[:6]
            entry = {"ret": ret,
                     "pointer": self.pointer(addr, native and native[1],
                                             obj),
                     "length": length,
                     "exception": etype and etype.__name__,
                     "message": self.text(emsg),
                     "written": written,
                     "preset_left": list(ours[6:])}
            if compat is not None:
                entry["compat_same"] = compat == ours
        self.cases[key] = entry

    def save(self):
        with open(self.path, "w") as f:
            json.dump({"python": sys.version.split()[0]
                       + (" pypy" if PYPY else "")
                       + (" debug" if DEBUG_BUILD else ""),
                       "impl": M.IMPL, "cases": self.cases}, f,
                      indent=1, sort_keys=True)
            f.write("\n")


SNAPSHOT = (OutcomeSnapshot(os.environ["OLDBUFFER_OUTCOMES"])
            if os.environ.get("OLDBUFFER_OUTCOMES") else None)


def snapshot_key(module, what, name, how):
    return "%s %s %s how=%d" % (module.__name__, what, name, how)


class DifferentialMixin(object):
    module = None

    def check_aborts(self, name, factory, what, how, native):
        """The interpreter's own call aborts: ours and the PyObject_*
        name must abort the same way."""
        for impl in (OLDBUFFER, COMPAT):
            ours = outcome_in_child(self.module, what, impl, factory(), how)
            if SNAPSHOT is not None and impl == OLDBUFFER:
                SNAPSHOT.record(snapshot_key(self.module, what, name, how),
                                ours or "returns")
            self.assertEqual(ours, native, "%s on %s how=%d: oldbuffer %s, "
                             "native aborts: %s" % (what, name, how,
                                                    ours or "returns",
                                                    native))
        STATS["differential"] += 1

    def check_case(self, name, factory, check, what, how=0):
        native_abort = aborts(name, factory, what, how)
        if native_abort is not None:
            return self.check_aborts(name, factory, what, how, native_abort)
        obj = factory()
        before = None if PYPY else sys.getrefcount(obj)
        native = outcome(self.module, what, NATIVE, obj, how)
        if native[1] is not None:
            # PyPy exports some objects (bytearray) through a fresh copy
            # each time: where the interpreter's own pointer is not the
            # same from one call to the next, compare all but the pointer.
            again = outcome(self.module, what, NATIVE, obj, how)
            if again[1] != native[1]:
                self.assertEqual(again[:1] + again[2:],
                                 native[:1] + native[2:])
                native = native[:1] + ("unstable",) + native[2:]
        ours = outcome(self.module, what, OLDBUFFER, obj, how)
        compat = outcome(self.module, what, COMPAT, obj, how)
        if native[1] == "unstable":
            ours = ours[:1] + ("unstable",) + ours[2:]
            compat = compat[:1] + ("unstable",) + compat[2:]
        after = None if PYPY else sys.getrefcount(obj)
        if SNAPSHOT is not None:
            SNAPSHOT.record(snapshot_key(self.module, what, name, how),
                            ours, native, obj, compat)
        self.assertEqual(
            ours, native,
            "%s on %s how=%d: oldbuffer %s != native %s"
            % (what, name, how, describe(ours), describe(native)))
        self.assertEqual(compat, ours,
                         "the PyObject_* name is not oldbuffer's")
        if obj is not None:
            # (None is skipped: the outcome tuples themselves hold it.)
            self.assertEqual(before, after, "reference count changed")
        if what == "check":
            self.assertIn(ours[0], (0, 1))
            # Only a misbehaving exporter's own exception stays set, as
            # with the interpreter's function (compared above), or the
            # one set before the call, where no export failed.
            if ours[3] is not None and not (how and ours[6] == 1):
                self.assertIn(name, CHECK_LEAVES_EXCEPTION,
                              "CheckReadBuffer left an exception")
        elif ours[0] == 0:
            self.assertEqual(ours[5], 1, "success without outputs")
        else:
            self.assertEqual(ours[0], -1)
            self.assertEqual(ours[5], 0, "failure wrote the outputs")
        check(obj)  # the export was released
        STATS["differential"] += 1


def make_differential_tests():
    for module in MODULES:
        attrs = {"module": module}
        for name, factory, check in CATALOGUE:
            for what in CALLS:
                for how, suffix in ((0, ""), (PRESET_EXC, "_preset")):
                    def test(self, name=name, factory=factory, check=check,
                             what=what, how=how):
                        self.check_case(name, factory, check, what, how)
                    attrs["test_%s_%s%s" % (what, name.replace("-", "_"),
                                            suffix)] = test
        cls_name = "Differential_" + module.__name__
        globals()[cls_name] = type(cls_name,
                                   (DifferentialMixin, unittest.TestCase),
                                   attrs)


make_differential_tests()


class NullArguments(unittest.TestCase):
    """NULL arguments: CPython's SystemError, never a crash."""

    @unittest.skipIf(PYPY, "PyPy's own functions crash on NULL arguments")
    def test_null_combinations_match_native(self):
        for module in MODULES:
            for what in ("char", "read", "write"):
                for how in (NULL_OBJ, NULL_BUF, NULL_LEN,
                            NULL_OBJ | NULL_BUF | NULL_LEN,
                            NULL_BUF | PRESET_EXC, NULL_OBJ | PRESET_EXC):
                    ours = outcome(module, what, OLDBUFFER, b"abc", how)
                    native = outcome(module, what, NATIVE, b"abc", how)
                    if SNAPSHOT is not None:
                        SNAPSHOT.record(snapshot_key(module, what, "null",
                                                     how), ours, native)
                    self.assertEqual(ours, native, (what, how))
                    STATS["differential"] += 1

    def test_null_gives_systemerror(self):
        for what in ("char", "read", "write"):
            for how in (NULL_OBJ, NULL_BUF, NULL_LEN):
                ret, addr, length, etype, emsg, written = outcome(
                    M, what, OLDBUFFER, b"abc", how)
                self.assertEqual((ret, etype, emsg, written),
                                 (-1, SystemError,
                                  "null argument to internal routine", 0))

    def test_null_keeps_preset_exception(self):
        for what in ("char", "read", "write"):
            o = outcome(M, what, OLDBUFFER, b"abc", NULL_BUF | PRESET_EXC)
            self.assertEqual((o[0], o[3], o[4]), (-1, KeyError, "'preset'"))

    def test_check_null_object_returns_zero(self):
        # CPython's own dereferences NULL here; oldbuffer returns 0.
        o = outcome(M, "check", OLDBUFFER, None, NULL_OBJ)
        self.assertEqual(o[:5], (0, None, None, None, None))


# The same source built with -DOLDBUFFER_NO_FAST_PATHS (tests/run_one.sh):
# the general path only, to hold the fast paths to it.
try:
    SLOW = __import__("_testoldbuffer_slow")
except ImportError:
    SLOW = None


class FastPaths(unittest.TestCase):
    """OLDBUFFER_NO_FAST_PATHS changes nothing but speed: over the whole
    catalogue, every call of the default build gives exactly what the
    build without fast paths gives, pointer included (with NULL outputs
    and, where an exporter cannot object to it, an exception already
    set).  Nothing here is timed: bench/ measures the speed."""

    def hows(self, name, factory, what):
        hows = [0, NULL_BUF, NULL_LEN]
        # Hostile and Python-level exporters would run their own code
        # with it set (the differential tests cover them).
        if not name.startswith(("exporter-", "pep688-")):
            hows.append(PRESET_EXC)
        # Where the interpreter's own call aborts (a debug build), both
        # builds abort: the differential tests pin that.
        return [h for h in hows if aborts(name, factory, what, h) is None]

    def test_same_as_general_path(self):
        self.assertIsNotNone(SLOW, "_testoldbuffer_slow was not built "
                             "(tests/run_one.sh builds it)")
        for name, factory, check in CATALOGUE:
            obj = factory()
            for what in CALLS:
                for how in self.hows(name, factory, what):
                    fast = outcome(M, what, OLDBUFFER, obj, how)
                    slow = outcome(SLOW, what, OLDBUFFER, obj, how)
                    if PYPY and fast[1] != slow[1]:
                        # (PyPy: a fresh copy per export, see above.)
                        fast = fast[:1] + ("unstable",) + fast[2:]
                        slow = slow[:1] + ("unstable",) + slow[2:]
                    self.assertEqual(fast, slow, "%s on %s how=%d: fast %s "
                                     "!= general %s" % (what, name, how,
                                                        describe(fast),
                                                        describe(slow)))
                    STATS["differential"] += 1
            check(obj)


# The messages each interpreter family gives (PyPy keeps its own).
if PYPY:
    WRITE_ERROR = "expected an object with a writable buffer interface"
    NO_BUFFER_ERROR = {
        "char": "expected an object with the buffer interface%.0s",
        "read": "expected an object with a buffer interface%.0s"}
else:
    WRITE_ERROR = "expected a writable bytes-like object"
    NO_BUFFER_ERROR = {"char": "a bytes-like object is required, not '%s'",
                       "read": "a bytes-like object is required, not '%s'"}


class PinnedSemantics(unittest.TestCase):
    """What the README promises, checked without the native functions."""

    def test_bytes_pointer_and_length(self):
        b = b"pinned bytes"
        for what in ("char", "read"):
            o = outcome(M, what, OLDBUFFER, b)
            self.assertEqual(o, (0, M.data_address(b), len(b), None, None, 1))

    def test_bytes_not_writable(self):
        o = outcome(M, "write", OLDBUFFER, b"ro")
        if PY2:
            # str's own bf_getwritebuffer refuses, and its error passes
            # through.
            self.assertEqual((o[0], o[3], o[4]), (
                -1, TypeError, "Cannot use string as modifiable buffer"))
            o = outcome(M, "write", OLDBUFFER, 42)
            self.assertEqual((o[0], o[3], o[4]), (
                -1, TypeError, "expected a writeable buffer object"))
        else:
            self.assertEqual((o[0], o[3], o[4]), (-1, TypeError, WRITE_ERROR))

    def test_bytearray_write_through(self):
        ba = bytearray(b"abc")
        M.write_through(ba, 1, ord("X"))
        self.assertEqual(ba, bytearray(b"aXc"))
        ba.extend(b"more")  # not left exported
        o = outcome(M, "write", OLDBUFFER, ba)
        self.assertEqual(o, (0, M.data_address(ba), len(ba), None, None, 1))

    @unittest.skipIf(PY2, "Python 3 semantics")
    def test_py3_errors(self):
        o = outcome(M, "read", OLDBUFFER, 42)
        self.assertEqual((o[0], o[3], o[4]), (
            -1, TypeError, NO_BUFFER_ERROR["read"] % "int"))
        o = outcome(M, "char", OLDBUFFER, "text")
        self.assertEqual((o[0], o[3], o[4]), (
            -1, TypeError, NO_BUFFER_ERROR["char"] % "str"))
        o = outcome(M, "read", OLDBUFFER,
                    memoryview(bytearray(b"abcd"))[::2])
        if not PYPY:
            # (PyPy's answer for strided views depends on what they view;
            # the differential tests hold it to PyPy's own functions.)
            self.assertEqual((o[0], o[3]), (-1, BufferError))
        o = outcome(M, "write", OLDBUFFER, M.Exporter(EXP_RAISE))
        self.assertEqual((o[0], o[3], o[4]), (-1, TypeError, WRITE_ERROR))
        o = outcome(M, "read", OLDBUFFER, M.Exporter(EXP_RAISE))
        self.assertEqual((o[0], o[3], o[4]),
                         (-1, ValueError, "exporter refuses"))
        if not SLOT_CHECKS:
            o = outcome(M, "read", OLDBUFFER, M.Exporter(EXP_FAIL_NOEXC))
            self.assertEqual(o, (-1, None, None, None, None, 0))

    @unittest.skipIf(PY2, "Python 3 semantics")
    def test_py3_check_read_buffer(self):
        for obj, expected in ((b"", 1), (bytearray(), 1), ("s", 0), (1, 0),
                              (memoryview(b"ab")[::-1], 0),
                              (M.Exporter(EXP_RAISE), 0),
                              (M.Exporter(EXP_READONLY), 1)):
            o = outcome(M, "check", OLDBUFFER, obj)
            self.assertEqual(o[:5], (expected, None, None, None, None), obj)

    @unittest.skipUnless(PY2, "Python 2 semantics")
    def test_py2_errors(self):
        o = outcome(M, "char", OLDBUFFER, memoryview(b"mv"))
        self.assertEqual((o[0], o[3], o[4]), (
            -1, TypeError,
            "expected a string or other character buffer object"))
        o = outcome(M, "read", OLDBUFFER, 42)
        self.assertEqual((o[0], o[3], o[4]), (
            -1, TypeError, "expected a readable buffer object"))
        o = outcome(M, "char", OLDBUFFER, u"abc")
        self.assertEqual((o[0], o[1] is not None, o[2]), (0, True, 3))

    def test_exporter_released_after_every_call(self):
        for mode in EXPORTER_MODES:
            e = M.Exporter(mode)
            for what in CALLS:
                if SLOT_CHECKS and what in ("char", "read") and mode in (
                        EXP_FAIL_NOEXC, EXP_OK_SET_EXC,
                        EXP_SET_EXC_RELEASE_CLEARS):
                    continue   # aborts (the differential tests pin it)
                for impl in (OLDBUFFER, COMPAT):
                    outcome(M, what, impl, e)
                    self.assertEqual(e.exports(), 0, (mode, what))

    @unittest.skipIf(PY2, "bytearray exports are Python 3's")
    def test_bytearray_resizable_after_failures_too(self):
        ba = bytearray(b"abc")
        for what in CALLS:
            for how in (0, NULL_LEN, NULL_BUF):
                outcome(M, what, OLDBUFFER, ba, how)
                ba.append(1)
                ba.pop()


def abi3_modules():
    """The stable-ABI builds of tests/ext/_testoldbuffer_abi3.c that this
    interpreter can load: tests/runtests.py builds them into
    build/abi3/<name>.abi3.so with the headers of the oldest CPython each
    supports, tests/run_one.py next to its build directory with the
    running one's (file abi3.json: name -> minimum version)."""
    where = os.path.join(TOP_BUILD, "abi3")
    if PY2 or PYPY or FREE_THREADED or not os.path.isdir(where):
        return []
    with open(os.path.join(where, "abi3.json")) as f:
        minimum = json.load(f)
    if where not in sys.path:
        sys.path.append(where)
    return [__import__(name) for name, least in sorted(minimum.items())
            if sys.version_info[:2] >= tuple(least)]


TOP_BUILD = os.path.dirname(os.path.abspath(BUILD)) if BUILD else ""
ABI3_MODULES = abi3_modules()


class StableABI(unittest.TestCase):
    """An abi3 extension built with an older limited API (down to 3.2,
    where there is no Py_buffer) gives on this interpreter exactly what
    the full-API build gives, NULL arguments and all."""

    @unittest.skipIf(PY2 or PYPY, "CPython 3 only (PyPy loads no abi3)")
    @unittest.skipIf(FREE_THREADED, "a free-threaded build has no limited "
                     "API")
    def test_abi3_builds_match_full_api(self):
        self.assertTrue(ABI3_MODULES, "no abi3 module built for this "
                        "interpreter (tests/runtests.py and tests/run_one.py "
                        "build them)")
        for module in ABI3_MODULES:
            for name, factory, check in CATALOGUE:
                obj = factory()
                for what in CALLS:
                    for how in (0, NULL_BUF, NULL_LEN):
                        if aborts(name, factory, what, how) is not None:
                            continue   # (pinned by the differential)
                        full = outcome(M, what, OLDBUFFER, obj, how)
                        stable = module.call(CALL_INDEX[what], obj, how)
                        self.assertEqual(stable, full, "%s %s %s how=%d" % (
                            module.__name__, what, name, how))
                        STATS["abi3"] += 1
                check(obj)


@unittest.skipUnless(DEBUG_BUILD, "needs a debug build (sys.gettotalrefcount)")
class TotalRefcount(unittest.TestCase):
    """No reference leak, measured on the whole interpreter."""

    def test_no_growth(self):
        cases = [(factory(), what) for name, factory, _ in CATALOGUE
                 for what in CALLS
                 if aborts(name, factory, what, 0) is None]

        def round_():
            for obj, what in cases:
                for impl in (OLDBUFFER, COMPAT):
                    outcome(M, what, impl, obj)
            outcome(M, "read", OLDBUFFER, None, NULL_BUF)

        def deltas(round_):
            for _ in range(3):
                round_()
            found = []
            for _ in range(5):
                gc.collect()
                before = sys.gettotalrefcount()
                for _ in range(20):
                    round_()
                gc.collect()
                found.append(sys.gettotalrefcount() - before)
            return found

        # The measurement itself moves the count a little (3.13: +2 each
        # time): what rounds that do nothing give is the baseline.
        baseline = max(deltas(lambda: None))
        found = deltas(round_)
        self.assertFalse(all(d > baseline for d in found),
                         "total refcount grows every round: %r (baseline "
                         "%d)" % (found, baseline))


def main():
    runner = unittest.TextTestRunner(verbosity=int(os.environ.get(
        "OLDBUFFER_VERBOSE", "1")))
    suite = unittest.defaultTestLoader.loadTestsFromModule(
        sys.modules[__name__])
    result = runner.run(suite)
    summary = {
        "python": sys.version.split()[0] + (" pypy" if PYPY else "")
        + (" debug" if DEBUG_BUILD else ""),
        "tests": result.testsRun,
        "failures": len(result.failures) + len(result.errors),
        "skipped": len(result.skipped),
        "differential": STATS["differential"],
        "abi3": STATS["abi3"],
        "kinds": STATS["kinds"],
        "impl": M.IMPL,
        "numpy": numpy is not None,
    }
    if SNAPSHOT is not None:
        SNAPSHOT.save()
        summary["snapshot"] = len(SNAPSHOT.cases)
    print("OLDBUFFER-RESULT " + json.dumps(summary, sort_keys=True))
    for f in _TEMPFILES:
        f.close()
    return 0 if result.wasSuccessful() else 1


if __name__ == "__main__":
    sys.exit(main())
