"""Outcomes of the four old-buffer calls on Python 2 style exporters.

    OLDBUFFER_BUILD=<dir with _testlegacy> python legacy_outcomes.py

Prints one JSON document: {"calls": [...], "consumers": [...],
"newproto": {...}}.  "calls" lists, for every case (type x instance
behaviour x call), the outcome with the pointer made comparable across
processes (its offset from the object's data, and the bytes it shows)
and how often each proc ran.  "consumers" lists what Python code that
reads or writes through a buffer gets from the same kind of objects, in
a sequence of steps on one object (hashlib and binascii, which parse s*
in 2.7 and y* in 3; the bytes read, with buffer() in 2.7 and bytes() in
3; the read and write calls; readinto), with the procs' call counts
after each step.  tests/suites/suite_legacy.py compares both lists of each
Python 3 with Python 2.7's, where the interpreter's own functions read
the procs.

On Python 3 it also checks the new protocol of the same objects
(memoryview, bytes, hashlib, y*/w* parsing, PyObject_GetBuffer with and
without PyBUF_WRITABLE, readinto, file writes) against the rules of
oldbuffer's adapter -- a read-only request runs the read proc (or the
char proc) only, a writable one the write proc only -- and reports the
failures in "newproto".
"""
from __future__ import print_function

import binascii
import ctypes
import hashlib
import io
import json
import os
import sys
import warnings

sys.path.insert(0, os.environ.get("OLDBUFFER_BUILD", "."))
import _testlegacy as L  # noqa: E402

PYPY = hasattr(sys, "pypy_version_info")
PY2 = sys.version_info[0] == 2
FAIL_READ, FAIL_WRITE, FAIL_CHAR, FAIL_SILENT, FAIL_SEGCOUNT = 1, 2, 4, 8, 16
WRITE_ONCE = 32
MODES = [0, FAIL_READ, FAIL_WRITE, FAIL_CHAR, FAIL_READ | FAIL_SILENT,
         FAIL_WRITE | FAIL_SILENT, FAIL_CHAR | FAIL_SILENT, FAIL_SEGCOUNT,
         FAIL_READ | FAIL_WRITE]
SEGMENTS = [1, 2, 0]
DATA = ["legacy data", "", "x"]
# HeapReadOnly: a heap subclass of All given read-only procs of its own
# (not on PyPy: see tests/ext/_testlegacy.c).
TYPES = [name for name in ["All", "ReadOnly", "CharOnly", "NoChar",
                           "NoSegcount", "WriteOnly", "AllLate",
                           "HeapReadOnly"]
         if hasattr(L, name)]
# Which procs each type has (read, write, segcount, char).  (ReadOnly,
# NoChar, WriteOnly and AllLate get theirs after PyType_Ready, except on
# PyPy.)
PROCS = {
    "All": "rwsc", "ReadOnly": "rsc", "CharOnly": "sc", "NoChar": "rws",
    "NoSegcount": "rwc", "WriteOnly": "ws", "AllLate": "rwsc",
    "HeapReadOnly": "rsc",
}
# The order of LegacyObject.calls(): how often each proc ran.
READ, WRITE, SEGCOUNT, CHAR = range(4)
# The legacy base of each type, whose procs a Python subclass also
# inherits, proc by proc, as in Python 2 (HeapReadOnly's own were given
# after it was ready, so they stay its whole set).
BASES = {"HeapReadOnly": "All"}


def procs_of(name, subclass):
    procs = set(PROCS[name])
    if subclass and name in BASES:
        procs |= set(PROCS[BASES[name]])
    return procs
CALLS = ["char", "read", "write", "check"]


# Python subclasses of each type: they inherit the procs.
SUBCLASSES = dict((name, type("Py" + name, (getattr(L, name),), {}))
                  for name in TYPES)


def cases():
    for name in TYPES:
        for mode in MODES:
            for segments in SEGMENTS:
                for data in DATA:
                    yield name, mode, segments, data, False
        yield name, 0, 1, "subclass", True


def make(name, mode, segments, data, subclass):
    cls = SUBCLASSES[name] if subclass else getattr(L, name)
    return cls(mode, segments, data)


def describe(obj, outcome):
    ret, addr, length, etype, emsg, written = outcome
    shown = offset = None
    if addr is not None and addr != 0 and length is not None \
            and length >= 0:
        offset = addr - L.data_address(obj)
        shown = ctypes.string_at(addr, length).decode("latin-1")
    return [ret, offset, length, shown,
            etype.__name__ if etype is not None else None, emsg, written,
            list(obj.calls())]


def call_outcomes():
    rows = []
    for case in cases():
        for i, what in enumerate(CALLS):
            obj = make(*case)
            rows.append([list(case[:4]) + [case[4]], what,
                         describe(obj, L.call(i, obj))])
    return rows


# Consumers: what Python code gets, step by step on one object whose
# procs give different regions ("ABCDEFGH": read the whole, write
# "EFGH").  Each instance behaviour once, plain and as a Python subclass.
# Not CharOnly: 3 has one read-only request where 2.7 had two, s*
# (bf_getreadbuffer alone: hashlib, binascii, buffer() refuse a type
# without it) and t# (bf_getcharbuffer); the adapter serves a type
# without a read proc from its char proc (check_new_protocol pins it).
CONSUMER_TYPES = [name for name in TYPES if name != "CharOnly"]
CONSUMER_MODES = [0, FAIL_READ, FAIL_WRITE, WRITE_ONCE,
                  FAIL_READ | FAIL_SILENT, FAIL_WRITE | FAIL_SILENT]
CONSUMER_DATA = "ABCDEFGH"


def read_bytes(obj):
    """The bytes a bytes-like read gets: buffer() in 2.7 (which reads
    with bf_getreadbuffer), bytes() in 3."""
    if PY2:
        return str(buffer(obj))  # noqa: F821 - Python 2 only
    return bytes(obj)


def readinto(obj):
    """Fill obj from a file: readinto takes a writable buffer (w* in 3,
    bf_getwritebuffer in 2.7); the object's data then shows the write."""
    count = io.BytesIO(b"zz").readinto(obj)
    return [count, obj.contents().decode("latin-1")]


CONSUMER_STEPS = [
    ("sha256", lambda obj: hashlib.sha256(obj).hexdigest()),
    ("hexlify", lambda obj: binascii.hexlify(obj).decode("ascii")),
    ("read bytes", lambda obj: read_bytes(obj).decode("latin-1")),
    ("read call", lambda obj: describe(obj, L.call(1, obj))[:6]),
    ("write call", lambda obj: describe(obj, L.call(2, obj))[:6]),
    ("readinto", readinto),
]


# The exceptions the procs raise: they pass through on 2.7 and on 3.
PROC_ERRORS = ["read proc refuses", "write proc refuses",
               "char proc refuses", "segcount refuses", "write proc used up"]


def consumer_outcomes():
    """[case, step, result, calls after the step]: result is the value,
    or ["raises", exception type, message] for an exception a proc
    raised.  Other errors are the consumer's own and differ between 2.7
    and 3 by design, kept as ["raises"] alone: those for a missing proc,
    several segments or a proc that failed without an exception (2.7's
    s* raises TypeError, its buffer() TypeError or SystemError; on 3 the
    adapter raises BufferError, pinned by check_new_protocol), and all of
    readinto's (3's w* replaces any error with a TypeError of its
    own)."""
    rows = []
    for name in CONSUMER_TYPES:
        for subclass in (False, True):
            for mode in CONSUMER_MODES:
                case = [name, mode, subclass]
                obj = make(name, mode, 1, CONSUMER_DATA, subclass)
                for step, consume in CONSUMER_STEPS:
                    try:
                        result = consume(obj)
                    except Exception as e:  # noqa: B902 - any error
                        result = ["raises"]
                        if str(e) in PROC_ERRORS and step != "readinto":
                            result += [type(e).__name__, str(e)]
                    rows.append([case, step, result, list(obj.calls())])
    return rows


def error_of(consume, obj):
    """(type name, message) of what consume(obj) raises."""
    try:
        consume(obj)
    except Exception as e:  # noqa: B902 - any error
        return type(e).__name__, str(e)
    return None


def request(name, mode, segments, data, subclass, writable):
    """What the adapter must do for one PyObject_GetBuffer: ((bytes,
    readonly) or the name of the exception, the procs' call counts).  A
    read-only request runs the read proc, else the char proc; a writable
    one the write proc; never another.  Without a write proc, a writable
    request fails as it does for bytes (BufferError on CPython,
    ValueError on PyPy), before any proc runs."""
    procs = procs_of(name, subclass)
    raw = data.encode()
    calls = [0, 0, 0, 0]
    if writable:
        proc = WRITE if "w" in procs else None
        region, fail, error = raw[len(raw) // 2:], FAIL_WRITE, "TypeError"
    elif "r" in procs:
        proc, region, fail, error = READ, raw, FAIL_READ, "ValueError"
    else:
        proc = CHAR if "c" in procs else None
        region, fail, error = raw[1:], FAIL_CHAR, "ValueError"
    if writable and proc is None:
        return NOT_WRITABLE[0], calls
    if proc is None or "s" not in procs:
        return "BufferError", calls
    calls[SEGCOUNT] = 1
    if mode & FAIL_SEGCOUNT:
        return "RuntimeError", calls
    if segments != 1:
        return "BufferError", calls
    calls[proc] = 1
    if mode & fail:
        return ("BufferError" if mode & FAIL_SILENT else error), calls
    return (region, not writable), calls


def outcome_of(consume, obj):
    try:
        return consume(obj)
    except Exception as e:  # noqa: B902 - any exporter error
        return type(e).__name__


def memoryview_of(obj):
    view = memoryview(obj)
    try:
        return view.tobytes(), view.readonly
    finally:
        view.release()


def check_new_protocol():
    failures = []
    checked = [0]

    def expect(cond, what):
        checked[0] += 1
        if not cond:
            failures.append(what)

    expect(NOT_WRITABLE is not None, "bytes gave a writable buffer")

    for case in cases():
        name, mode, segments, data, subclass = case
        if subclass:
            data = "subclass"
        label = repr(case)
        for writable in (False, True):
            want, calls = request(name, mode, segments, data, subclass,
                                  writable)
            obj = make(*case)
            got = outcome_of(lambda o: tuple(L.getbuffer(o, writable)), obj)
            expect(got == want, "%s getbuffer(writable=%s): %r != %r"
                   % (label, writable, got, want))
            expect(list(obj.calls()) == calls,
                   "%s getbuffer(writable=%s) ran the procs %r times, not %r"
                   % (label, writable, obj.calls(), calls))
            if writable and "w" not in procs_of(name, subclass):
                error = error_of(lambda o: L.getbuffer(o, True), obj)
                expect(error == NOT_WRITABLE, "%s getbuffer(writable=True)"
                       " raised %r, bytes %r" % (label, error, NOT_WRITABLE))
        want, calls = request(name, mode, segments, data, subclass, False)
        # Consumers that only read: the read proc's region, read-only,
        # and the write proc never runs.
        readers = [("memoryview", memoryview_of),
                   ("bytes", lambda o: (bytes(o), True)),
                   ("sha1", lambda o: (hashlib.sha1(o).digest(), True)),
                   ("y*", lambda o: (L.parse_y(o), True)),
                   ("file write",
                    lambda o: (io.BytesIO().write(o), True)),
                   # 2.7's unicode(obj, encoding) read the char region
                   # (PyObject_AsCharBuffer); 3's one read-only request
                   # gives the read region (README, legacy exporters).
                   ("str(obj, encoding)",
                    lambda o: (str(o, "latin-1").encode("latin-1"), True))]
        for what, consume in readers:
            obj = make(*case)
            got = outcome_of(consume, obj)
            if isinstance(want, tuple) and what == "sha1":
                expected = (hashlib.sha1(want[0]).digest(), True)
            elif isinstance(want, tuple) and what == "file write":
                expected = (len(want[0]), True)
            elif (what == "str(obj, encoding)" and not PYPY
                  and not isinstance(want, tuple)):
                # CPython's own TypeError replaces the export's error
                # ("decoding to str: need a bytes-like object"); PyPy
                # passes the export's error through.
                expected = "TypeError"
            else:
                expected = want
            expect(got == expected, "%s %s: %r != %r"
                   % (label, what, got, expected))
            expect(obj.calls()[WRITE] == 0,
                   "%s %s ran the write proc" % (label, what))
        # Consumers that write: the write proc's region, and nothing
        # else runs.  (w* turns every failure into a TypeError.)
        want, calls = request(name, mode, segments, data, subclass, True)
        writers = [("w*", lambda o: L.parse_w(o, 88)),
                   ("readinto", lambda o: io.BytesIO(b"X").readinto(o))]
        for what, consume in writers:
            obj = make(*case)
            got = outcome_of(consume, obj)
            if isinstance(want, tuple):
                expect(not isinstance(got, str),
                       "%s %s raised %s" % (label, what, got))
                raw = data.encode()
                half = len(raw) // 2
                expected = raw[:half] + b"X" + raw[half + 1:] \
                    if raw[half:] else raw
                expect(obj.contents() == expected,
                       "%s %s wrote %r, not %r"
                       % (label, what, obj.contents(), expected))
            else:
                expect(got == "TypeError", "%s %s: %r, not TypeError"
                       % (label, what, got))
            calls = obj.calls()
            expect(calls[READ] == 0 and calls[CHAR] == 0,
                   "%s %s ran the read or char proc" % (label, what))
    return {"checked": checked[0], "failures": failures}


# What the interpreter raises for a writable request to bytes.
NOT_WRITABLE = None if PY2 else error_of(lambda o: L.getbuffer(o, True),
                                         b"bytes")


def main():
    # Every warning raised is reported: the audit must not warn on these
    # types, whose procs hand out memory no release can free.
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        result = {"python": sys.version.split()[0],
                  "calls": call_outcomes(),
                  "consumers": consumer_outcomes(),
                  "const_procs": L.CONST_PROCS_TYPES.split()}
        if not PY2:
            result["newproto"] = check_new_protocol()
    result["warnings"] = sorted(set("%s: %s" % (w.category.__name__,
                                                w.message) for w in caught))
    print(json.dumps(result, sort_keys=True))


if __name__ == "__main__":
    main()
