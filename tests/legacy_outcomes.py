"""Outcomes of the four old-buffer calls on Python 2 style exporters.

    OLDBUFFER_BUILD=<dir with _testlegacy> python legacy_outcomes.py

Prints one JSON document: {"calls": [...], "newproto": {...}}.  "calls"
lists, for every case (type x instance behaviour x call), the outcome with
the pointer made comparable across processes (its offset from the
object's data, and the bytes it shows).  tests/suite_legacy.py compares
the list of each Python 3 with Python 2.7's, where the interpreter's own
functions read the procs.

On Python 3 it also checks the new protocol of the same objects
(memoryview, bytes, hashlib, y*/w* parsing, file writes) against the
rules of oldbuffer's adapter, and reports the failures in "newproto".
"""
from __future__ import print_function

import ctypes
import hashlib
import io
import json
import os
import sys

sys.path.insert(0, os.environ.get("OLDBUFFER_BUILD", "."))
import _testlegacy as L  # noqa: E402

PY2 = sys.version_info[0] == 2
FAIL_READ, FAIL_WRITE, FAIL_CHAR, FAIL_SILENT, FAIL_SEGCOUNT = 1, 2, 4, 8, 16
MODES = [0, FAIL_READ, FAIL_WRITE, FAIL_CHAR, FAIL_READ | FAIL_SILENT,
         FAIL_WRITE | FAIL_SILENT, FAIL_CHAR | FAIL_SILENT, FAIL_SEGCOUNT,
         FAIL_READ | FAIL_WRITE]
SEGMENTS = [1, 2, 0]
DATA = ["legacy data", "", "x"]
# HeapReadOnly: a heap subclass of All given read-only procs of its own
# (not on PyPy: see tests/_testlegacy.c).
TYPES = [name for name in ["All", "ReadOnly", "CharOnly", "NoChar",
                           "NoSegcount", "WriteOnly", "HeapReadOnly"]
         if hasattr(L, name)]
# Which procs each type has (read, write, segcount, char).
PROCS = {
    "All": "rwsc", "ReadOnly": "rsc", "CharOnly": "sc", "NoChar": "rws",
    "NoSegcount": "rwc", "WriteOnly": "ws", "HeapReadOnly": "rsc",
}
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
            etype.__name__ if etype is not None else None, emsg, written]


def call_outcomes():
    rows = []
    for case in cases():
        for i, what in enumerate(CALLS):
            obj = make(*case)
            rows.append([list(case[:4]) + [case[4]], what,
                         describe(obj, L.call(i, obj))])
    return rows


def expected_view(name, mode, segments, data, subclass=False):
    """What the adapter must export for PyBUF_SIMPLE: (bytes, readonly)
    or the name of the exception."""
    procs = procs_of(name, subclass)
    if "s" not in procs:
        return "BufferError"
    if mode & FAIL_SEGCOUNT:
        return "RuntimeError"
    if segments != 1:
        return "BufferError"
    if "w" in procs and not mode & FAIL_WRITE:
        return data.encode(), False
    if "r" in procs:
        if mode & FAIL_READ:
            return "BufferError" if mode & FAIL_SILENT else "ValueError"
        return data.encode(), True
    if "c" in procs:
        if mode & FAIL_CHAR:
            return "BufferError" if mode & FAIL_SILENT else "ValueError"
        return data.encode()[1:], True
    return "BufferError"


def check_new_protocol():
    failures = []
    checked = 0

    def expect(cond, what):
        if not cond:
            failures.append(what)

    for case in cases():
        name, mode, segments, data, subclass = case
        if subclass:
            data = "subclass"
        want = expected_view(name, mode, segments, data, subclass)
        label = repr(case)
        obj = make(*case)
        try:
            view = memoryview(obj)
            got = (view.tobytes(), view.readonly)
            view.release()
        except Exception as e:  # noqa: B902 - any exporter error
            got = type(e).__name__
        expect(got == want, "%s memoryview: %r != %r" % (label, got, want))
        checked += 1
        if isinstance(want, str):
            try:
                L.parse_y(obj)
                expect(False, label + " y* accepted a failing exporter")
            except Exception as e:  # noqa: B902
                expect(type(e).__name__ == want, label + " y*: " + repr(e))
            continue
        content, readonly = want
        expect(bytes(obj) == content, label + " bytes()")
        expect(hashlib.sha1(obj).hexdigest()
               == hashlib.sha1(content).hexdigest(), label + " sha1")
        expect(L.parse_y(obj) == content, label + " y*")
        expect(io.BytesIO().write(obj) == len(content), label + " write")
        if readonly:
            try:
                L.parse_w(obj, 88)
                expect(False, label + " w* accepted a read-only buffer")
            except (TypeError, BufferError):
                pass
        elif content:
            L.parse_w(obj, 88)
            expect(obj.contents()[:1] == b"X", label + " w* wrote nothing")
        checked += 5
    return {"checked": checked, "failures": failures}


def main():
    result = {"python": sys.version.split()[0], "calls": call_outcomes()}
    if not PY2:
        result["newproto"] = check_new_protocol()
    print(json.dumps(result, sort_keys=True))


if __name__ == "__main__":
    main()
