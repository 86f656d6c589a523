"""Thread stress test of oldbuffer's four calls.

Runs on Python 2.7, 3.6+ and PyPy 3 with the stdlib's unittest, against
the _testoldbuffer_c module that tests/run_one.sh builds into
$OLDBUFFER_BUILD; tests/suites/suite_reliability.py runs it on every
interpreter of the matrix.

Caller threads make the four calls (oldbuffer's, the PyObject_* names,
and _testoldbuffer_slow's build without the fast paths) on shared objects, while other threads resize the shared bytearray, and
create, swap and release memoryviews -- one of them shared with the
callers.  An Exporter whose release hook runs Python code (and so lets
other threads in halfway through a call) is shared too.  The threads run
for OLDBUFFER_THREAD_SECONDS (default 2) seconds, each at least one round.

Every outcome must be one the object gives, called alone, in one of the
states it passes through (the pointer itself aside: a bytearray's moves
as it is resized).  At the end no export may be left alive.
"""
from __future__ import print_function

import gc
import os
import sys
import threading
import time
import unittest

BUILD = os.environ.get("OLDBUFFER_BUILD")
if BUILD:
    sys.path.insert(0, BUILD)

import _testoldbuffer_c as M  # noqa: E402
try:
    # The build without the fast paths, where run_one.sh makes one.
    import _testoldbuffer_slow as SLOW  # noqa: E402
except ImportError:
    SLOW = None

PY2 = sys.version_info[0] == 2
PYPY = hasattr(sys, "pypy_version_info")
SECONDS = float(os.environ.get("OLDBUFFER_THREAD_SECONDS", "2"))
CALLS = (0, 1, 2, 3)                 # char, read, write, check
OLDBUFFER, COMPAT = 0, 2
EXP_OK, EXP_RELEASE_CALLS = 0, 10
# The lengths the shared bytearray takes.
LENGTHS = (0, 1, 7, 64, 4096)
CALLERS = 3


def shape(outcome):
    """An outcome without the pointer's value (only whether there is one)."""
    ret, addr, length, etype, emsg, written = outcome
    return (ret, addr is not None, length, etype, emsg, written)


def outcomes(obj):
    """{call: shape} of obj called alone."""
    return dict((what, shape(M.call(what, OLDBUFFER, obj, 0)))
                for what in CALLS)


def released_view():
    v = memoryview(bytearray(b"viewed"))
    if hasattr(v, "release"):
        v.release()
    return v


def release(view):
    # Python 2.7's memoryview has no release(): dropping the last
    # reference releases it there.
    if hasattr(view, "release"):
        view.release()


def yield_gil(exporter):
    # The release hook of the shared Exporter: Python code in the middle
    # of PyBuffer_Release, where the interpreter may switch threads.
    time.sleep(0)


class Stress(object):
    """The shared objects, the threads, and what they saw."""

    def __init__(self):
        self.ba = bytearray(LENGTHS[1])
        self.vb = bytearray(b"viewed")
        self.slot = [memoryview(self.vb)]
        self.exporter = M.Exporter(EXP_RELEASE_CALLS, "exporter", yield_gil)
        self.shared = {"bytes": b"shared bytes", "bytearray": self.ba,
                       "view": None, "exporter": self.exporter}
        self.valid = self.valid_outcomes()
        # {length: shape} of a read of a view of a bytearray alone.
        self.private_view_read = dict(
            (n, outcomes(memoryview(bytearray(n)))[1]) for n in LENGTHS)
        self.errors = []
        self.counts = {}
        self.lock = threading.Lock()
        self.deadline = None
        self.slow_call = SLOW.call if SLOW is not None else M.call

    def valid_outcomes(self):
        """{name: {call: set of shapes}} from quiescent objects in every
        state each shared object passes through."""
        def states(objs):
            valid = dict((what, set()) for what in CALLS)
            for obj in objs:
                for what, o in outcomes(obj).items():
                    valid[what].add(o)
            return valid
        views = [memoryview(bytearray(b"viewed"))]
        if not PYPY:
            # (PyPy cannot pass a released memoryview to C code: it is
            # never shared released there.)
            views.append(released_view())
        return {
            "bytes": states([b"shared bytes"]),
            "bytearray": states([bytearray(n) for n in LENGTHS]),
            "view": states(views),
            "exporter": states([M.Exporter(EXP_RELEASE_CALLS, "exporter",
                                           yield_gil)]),
        }

    def error(self, text):
        with self.lock:
            if len(self.errors) < 20:
                self.errors.append(text)

    def count(self, what):
        with self.lock:
            self.counts[what] = self.counts.get(what, 0) + 1

    def until_deadline(self, body):
        def loop():
            try:
                while True:
                    body()
                    if time.time() >= self.deadline:
                        break
            except Exception as e:  # noqa: B902 -- reported, not lost
                self.error("%s: %s: %s" % (body.__name__,
                                           type(e).__name__, e))
        return loop

    # The threads' bodies -------------------------------------------------

    def caller(self):
        for name in ("bytes", "bytearray", "view", "exporter"):
            obj = self.slot[0] if name == "view" else self.shared[name]
            for what in CALLS:
                for call, impl in ((M.call, OLDBUFFER), (M.call, COMPAT),
                                   (self.slow_call, OLDBUFFER)):
                    o = shape(call(what, impl, obj, 0))
                    if o not in self.valid[name][what]:
                        self.error("call %d on %s gave %r, not one of %r"
                                   % (what, name, o,
                                      sorted(self.valid[name][what],
                                             key=repr)))
        self.count("caller rounds")

    def resizer(self):
        for n in LENGTHS:
            try:
                self.ba[:] = bytes(bytearray(n))
                self.count("resizes")
            except BufferError:
                # A private memoryview of ba is alive (viewer()).
                self.count("resizes refused")

    def viewer(self):
        # A private view of the resized bytearray: while it lives, ba
        # cannot be resized, and oldbuffer must see exactly its length.
        v = memoryview(self.ba)
        o = shape(M.call(1, OLDBUFFER, v, 0))
        if o != self.private_view_read[len(v)]:
            self.error("read of a private view of %d bytes gave %r, not %r"
                       % (len(v), o, self.private_view_read[len(v)]))
        release(v)
        self.count("private views")

    def swapper(self):
        # Replace the shared view, then release the old one, which a
        # caller may be about to use.
        new = memoryview(self.vb)
        old, self.slot[0] = self.slot[0], new
        if not PYPY:
            release(old)
        self.count("view swaps")

    def run(self):
        bodies = ([self.caller] * CALLERS
                  + [self.resizer, self.viewer, self.swapper])
        threads = [threading.Thread(target=self.until_deadline(b))
                   for b in bodies]
        self.deadline = time.time() + SECONDS
        for t in threads:
            t.start()
        for t in threads:
            t.join()


class ThreadStress(unittest.TestCase):

    def setUp(self):
        if PY2:
            self.old_interval = sys.getcheckinterval()
            sys.setcheckinterval(1)
        else:
            # Switch threads as often as the interpreter allows.
            self.old_interval = sys.getswitchinterval()
            sys.setswitchinterval(1e-6)

    def tearDown(self):
        if PY2:
            sys.setcheckinterval(self.old_interval)
        else:
            sys.setswitchinterval(self.old_interval)

    def test_concurrent_calls_resizes_and_views(self):
        s = Stress()
        s.run()
        self.assertEqual(s.errors, [])
        print("\n  %s" % ", ".join("%s %d" % kv
                                   for kv in sorted(s.counts.items())))
        for what in ("caller rounds", "private views", "view swaps"):
            self.assertTrue(s.counts.get(what), what)
        self.assertTrue(s.counts.get("resizes", 0)
                        + s.counts.get("resizes refused", 0))
        # Nothing left exported: resizing works, the Exporter counts 0.
        release(s.slot[0])
        s.slot[0] = None
        gc.collect()
        for ba in (s.ba, s.vb):
            ba.append(1)
            ba.pop()
        self.assertEqual(s.exporter.exports(), 0)
        if not PY2:
            self.assertTrue(s.exporter.reentries(),
                            "the release hook never ran")


if __name__ == "__main__":
    unittest.main()
