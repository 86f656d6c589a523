"""Tests of oldbuffer's modes: audit, lifetime-safe, Python 2 text.

Runs on CPython 3.6+ and PyPy 3 with the stdlib's unittest, on the
modules tests/suites/suite_modes.py builds from tests/ext/_testmodes.c into
$OLDBUFFER_BUILD, one per mode (whichever exist for this interpreter):

  _testmodes_default  no mode (C)          _testmodes_audit  OLDBUFFER_AUDIT
  _testmodes_safe     OLDBUFFER_LIFETIME_SAFE              _testmodes_text
  OLDBUFFER_PY2_TEXT  _testmodes_all       all three, as C++
  _testmodes_abi3     audit + Python 2 text under Py_LIMITED_API 3.11

Every module is also compared with the default: through the legacy names
each call gives what OldBuffer_* gives (pointer, length, exception,
outputs written) except where a mode says otherwise.  The audit's
warnings are checked in child processes (the "once per site" state is
per process): python test_modes.py --child NAME ...
"""
from __future__ import print_function

import array
import ctypes
import gc
import json
import mmap
import os
import subprocess
import sys
import threading
import unittest
import warnings

BUILD = os.environ.get("OLDBUFFER_BUILD")
if BUILD:
    sys.path.insert(0, BUILD)
HERE = os.path.dirname(os.path.abspath(__file__))
PACKAGE_DIR = os.path.join(os.path.dirname(HERE), "python")
PYPY = hasattr(sys, "pypy_version_info")

NAMES = ("_testmodes_default", "_testmodes_audit", "_testmodes_safe",
         "_testmodes_text", "_testmodes_all", "_testmodes_abi3")
MODULES = {}
for _name in NAMES:
    try:
        MODULES[_name] = __import__(_name)
    except ImportError:
        pass

CHAR, READ, WRITE, CHECK = range(4)
DEFAULT, LEGACY = 0, 1
NULL_OBJ, NULL_BUF, NULL_LEN, PRESET_EXC = 1, 2, 4, 8
# A debug build of CPython 3.10+ aborts (_Py_CheckSlotResult) in the
# read and char calls made with an exception already set, the default's
# and the interpreter's alike (test_oldbuffer.py pins that in a forked
# child; here those calls are made with none set).
DEBUG_BUILD = hasattr(sys, "gettotalrefcount")
HOWS = (0, NULL_OBJ, NULL_BUF, NULL_LEN) + (() if DEBUG_BUILD
                                             else (PRESET_EXC,))
STATS = {"compared": 0}


def with_flag(flag):
    return [m for m in MODULES.values() if getattr(m, flag)]


def full_api(mods):
    return [m for m in mods if not m.LIMITED]


class BytesSub(bytes):
    pass


class StrSub(str):
    pass


def catalogue():
    """(name, object) pairs: every kind the modes treat differently."""
    ba = bytearray(b"bytearray")
    objs = [
        ("bytes", b"bytes"), ("bytes-empty", b""), ("bytes-sub",
                                                    BytesSub(b"sub")),
        ("bytearray", ba), ("bytearray-empty", bytearray()),
        ("memoryview-bytes", memoryview(b"view")),
        ("memoryview-bytearray", memoryview(bytearray(b"wview"))),
        ("memoryview-strided", memoryview(b"abcdef")[::2]),
        ("array", array.array("i", [1, 2, 3])),
        ("str", "text"), ("str-nonascii", u"h\xe9llo"), ("int", 7),
        ("none", None),
    ]
    m = mmap.mmap(-1, 16)
    m.write(b"mmap")
    objs.append(("mmap", m))
    exporter = [mod for mod in MODULES.values() if hasattr(mod, "Exporter")]
    if exporter:
        objs.append(("exporter", exporter[0].Exporter()))
    return objs


def run_child(args, env_extra=None, options=()):
    """Run this file as a child: python [options] test_modes.py --child
    args...; returns its JSON answer (or raises with its output)."""
    return run_child_argv(["--child"] + list(args), env_extra, options)


def run_child_argv(args, env_extra=None, options=()):
    """python [options] test_modes.py args...: the child's JSON answer."""
    env = dict(os.environ)
    env.pop("PYTHONPATH", None)
    env.update(env_extra or {})
    argv = ([sys.executable] + list(getattr(sys.flags, "dev_mode", 0)
                                    and ["-X", "dev"]
                                    or []) + list(options)
            + [os.path.abspath(__file__)] + list(args))
    proc = subprocess.Popen(argv, stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT, env=env)
    out = proc.communicate()[0].decode("utf-8", "replace")
    lines = [l for l in out.splitlines() if l.startswith("CHILD ")]
    if proc.returncode != 0 or not lines:
        raise AssertionError("child %r failed (%s):\n%s"
                             % (args, proc.returncode, out))
    return json.loads(lines[-1][len("CHILD "):])


# ---------------------------------------------------------------------------
# Every mode: the default results, except where the mode says otherwise
# ---------------------------------------------------------------------------

class SameResults(unittest.TestCase):

    def test_legacy_names_give_the_default_results(self):
        self.assertTrue(MODULES, "no module built")
        for mod in MODULES.values():
            for name, obj in catalogue():
                for what in (CHAR, READ, WRITE, CHECK):
                    if mod.PY2_TEXT and what == CHAR and isinstance(obj,
                                                                    str):
                        continue   # the mode's own (TextMode)
                    for how in HOWS:
                        with warnings.catch_warnings():
                            warnings.simplefilter("ignore")
                            want = mod.call(what, DEFAULT, obj, how)
                            got = mod.call(what, LEGACY, obj, how)
                        STATS["compared"] += 1
                        self.assertEqual(
                            got, want, "%s: call %d on %s, how %d"
                            % (mod.__name__, what, name, how))
                # Whatever a mode kept is released by now (the calls
                # above have returned): the object resizes and closes.
                if isinstance(obj, bytearray):
                    obj.append(1)
                    obj.pop()
                elif isinstance(obj, memoryview):
                    obj.release()
                elif isinstance(obj, mmap.mmap):
                    obj.close()
                elif hasattr(obj, "exports"):
                    self.assertEqual(obj.exports(), 0)

    def test_modes_compiled_in(self):
        # Each module has exactly the modes its name says.
        expect = {
            "_testmodes_default": (0, 0, 0), "_testmodes_audit": (1, 0, 0),
            "_testmodes_safe": (0, 1, 0), "_testmodes_text": (0, 0, 1),
            "_testmodes_all": (1, int(not PYPY), 1),
            "_testmodes_abi3": (1, 0, 1),
        }
        for name, mod in MODULES.items():
            self.assertEqual((mod.AUDIT, mod.LIFETIME_SAFE, mod.PY2_TEXT),
                             expect[name], name)
            self.assertEqual(mod.MODES, int(any(expect[name])), name)


# ---------------------------------------------------------------------------
# Audit
# ---------------------------------------------------------------------------

def make(kind):
    if kind == "bytearray":
        return bytearray(b"data")
    if kind == "array":
        return array.array("b", b"data")
    if kind == "mmap":
        m = mmap.mmap(-1, 4)
        m.write(b"data")
        return m
    if kind == "memoryview":
        return memoryview(bytearray(b"data"))
    if kind == "bytes":
        return b"data"
    if kind == "str":
        return "data"
    raise ValueError(kind)


def child(args):
    """The child side: --child MODULE KIND [raise]."""
    modname, kind = args[0], args[1]
    mod = __import__(modname)
    answer = {"warnings": [], "errors": []}
    obj = make(kind)
    with warnings.catch_warnings(record=True) as caught:
        if "raise" not in args:
            warnings.simplefilter("default")
        for site in (mod.site_a, mod.site_a, mod.site_b, mod.site_a,
                     mod.site_b):
            try:
                answer.setdefault("results", []).append(list(site(obj)))
            except Exception as e:
                answer["errors"].append([type(e).__module__,
                                         type(e).__name__, str(e)])
        for what in (CHAR, READ, WRITE):
            answer.setdefault("outcomes", []).append(
                [repr(x) for x in mod.call(what, LEGACY, obj, 0)])
    for w in caught:
        answer["warnings"].append({
            "category": "%s.%s" % (w.category.__module__,
                                   w.category.__name__),
            "is_runtime": issubclass(w.category, RuntimeWarning),
            "filename": w.filename, "lineno": w.lineno,
            "message": str(w.message)})
    pkg = sys.modules.get("oldbuffer")
    answer["package_file"] = getattr(pkg, "__file__", None)
    cats = set()
    for other in NAMES:
        try:
            m = __import__(other)
        except ImportError:
            continue
        if m.AUDIT:
            # Warn once more from another module (its own site table):
            # the class must be the same object.
            with warnings.catch_warnings(record=True) as more:
                warnings.simplefilter("always")
                try:
                    m.site_b(make("bytearray"))
                except Exception as e:
                    cats.add(id(type(e)))
            cats.update(id(w.category) for w in more)
    answer["classes"] = len(cats)
    answer["default_results"] = []
    if "_testmodes_default" in MODULES and answer.get("results"):
        answer["default_results"].append(
            list(MODULES["_testmodes_default"].site_a(obj)))
    print("CHILD " + json.dumps(answer))


class Audit(unittest.TestCase):

    def setUp(self):
        self.mods = with_flag("AUDIT")
        if not self.mods:
            self.skipTest("no audit build on this interpreter")

    def test_once_per_site_for_each_movable_exporter(self):
        for mod in self.mods:
            for kind in ("bytearray", "array", "mmap", "memoryview"):
                a = run_child([mod.__name__, kind],
                              {"PYTHONPATH": PACKAGE_DIR})
                ws = [w for w in a["warnings"]
                      if w["category"] == "oldbuffer.LegacyBufferWarning"]
                # site_a, site_a, site_b, site_a, site_b: two sites (a
                # flag per site, and the table of OldBuffer_*At), two
                # warnings; then the char/read/write sites of call(), one
                # each.
                sites = [(os.path.basename(w["filename"]), w["lineno"])
                         for w in ws]
                what = "%s, %s: %s" % (mod.__name__, kind, sites)
                self.assertEqual(len(ws), 5, what)
                self.assertEqual(len(set(sites)), 5, what)
                lines = [r[2] for r in a["results"]]
                self.assertEqual(sites[0], ("_testmodes.c", lines[0]), what)
                self.assertEqual(sites[1], ("_testmodes.c", lines[2]), what)
                w = ws[0]
                self.assertTrue(w["is_runtime"])
                self.assertIn("PyObject_AsReadBuffer()", w["message"])
                self.assertIn("_testmodes.c:%d" % lines[0], w["message"])
                self.assertIn("'%s'" % type(make(kind)).__name__,
                              w["message"].replace("array.array", "array")
                              .replace("mmap.mmap", "mmap"))
                self.assertIn("PyObject_GetBuffer", w["message"])
                self.assertIn("PyBuffer_Release", w["message"])
                self.assertIn("PyBUF_WRITABLE", ws[4]["message"])
                self.assertEqual(a["errors"], [], what)
                self.assertTrue(a["package_file"], "package not used")
                self.assertEqual(a["classes"], 1, "one shared class")
                # The results are the default build's.
                if a["default_results"]:
                    self.assertEqual(a["results"][0][:2],
                                     a["default_results"][0][:2], what)

    def test_never_for_bytes_or_str(self):
        for mod in self.mods:
            for kind in ("bytes", "str"):
                a = run_child([mod.__name__, kind],
                              {"PYTHONPATH": PACKAGE_DIR})
                self.assertEqual(a["warnings"], [], (mod.__name__, kind))

    def test_W_error_makes_every_call_fail(self):
        for mod in self.mods:
            a = run_child([mod.__name__, "bytearray", "raise"],
                          {"PYTHONPATH": PACKAGE_DIR},
                          ["-W", "error::oldbuffer.LegacyBufferWarning"])
            # Five site calls, five errors: a site is marked only when
            # its warning went out.
            self.assertEqual(len(a["errors"]), 5, a)
            for module, name, text in a["errors"]:
                self.assertEqual((module, name),
                                 ("oldbuffer", "LegacyBufferWarning"))
                self.assertIn("bytearray", text)
            for outcome in a["outcomes"]:
                # (-1, no pointer, no length, the warning, ..., outputs
                # untouched)
                self.assertEqual(outcome[0], "-1")
                self.assertEqual(outcome[1:3], ["None", "None"])
                self.assertIn("LegacyBufferWarning", outcome[3])
                self.assertEqual(outcome[5], "0")
            self.assertEqual(a["warnings"], [])

    def test_fallback_class_without_the_package(self):
        for mod in self.mods:
            a = run_child([mod.__name__, "bytearray"])
            self.assertIsNone(a["package_file"])
            ws = a["warnings"]
            self.assertEqual(len(ws), 5)
            self.assertEqual(ws[0]["category"],
                             "oldbuffer.LegacyBufferWarning")
            self.assertTrue(ws[0]["is_runtime"])
            self.assertEqual(a["classes"], 1, "one shared class")

    def test_W_error_releases_the_export(self):
        mods = [m for m in full_api(self.mods) if hasattr(m, "Exporter")]
        for mod in mods:
            e = mod.Exporter()
            with warnings.catch_warnings():
                warnings.simplefilter("error")
                for what in (CHAR, READ, WRITE):
                    o = mod.call(what, LEGACY, e, 0)
                    self.assertEqual(o[0], -1)
                    self.assertEqual(o[3].__name__, "LegacyBufferWarning")
                    self.assertEqual(e.exports(), 0)


# ---------------------------------------------------------------------------
# Lifetime-safe
# ---------------------------------------------------------------------------

def resizer(ba, grow=100000):
    """A callback that tries to reallocate ba: 'resized' or 'BufferError'."""
    def callback():
        try:
            ba.extend(b"\0" * grow)
        except BufferError:
            return "BufferError"
        del ba[-grow:]
        return "resized"
    return callback


def child_setprofile(modname):
    """The child side of test_main_thread_needs_no_profile_function:
    counts the audit events "sys.setprofile" (PyEval_SetProfile() raises
    them, 3.8+) around C functions with and without a callback."""
    mod = __import__(modname)
    events = []
    ba = bytearray(b"warm")
    mod.loop(ba, 1)   # the first pending call tells the main thread
    sys.addaudithook(lambda event, args: events.append(event)
                     if event == "sys.setprofile" else None)
    pins = []
    for _ in range(3):
        pins.append(mod.loop(ba, 5))   # pinned inside, once
        pins.append(mod.pins())        # released right after
    plain = len(events)
    res = mod.hold(ba, resizer(ba))[2]
    answer = {"plain": plain, "callback": len(events) - plain,
              "pins": pins, "res": res, "after": mod.pins()}
    print("CHILD " + json.dumps(answer))
    return 0


EXP_SET_EXC_RELEASE_CLEARS = 11   # (tests/ext/exporter.h)


def first_call_in_child(modname, what, impl):
    """A fresh process whose first legacy call is this one, on an
    Exporter(EXP_SET_EXC_RELEASE_CLEARS): its outcome (exception type by
    name), or how the process aborted (the first line on stderr)."""
    env = dict(os.environ)
    env.pop("PYTHONPATH", None)
    argv = ([sys.executable] + (["-X", "dev"] if getattr(
        sys.flags, "dev_mode", 0) else [])
            + [os.path.abspath(__file__), "--child-first", modname,
               str(what), str(impl)])
    proc = subprocess.Popen(argv, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, env=env)
    out, err = [x.decode("utf-8", "replace") for x in proc.communicate()]
    lines = [l for l in out.splitlines() if l.startswith("CHILD ")]
    if proc.returncode == 0 and lines:
        return json.loads(lines[-1][len("CHILD "):])
    if proc.returncode < 0:
        return "aborted: " + (err.strip().splitlines() or [""])[0]
    raise AssertionError("child failed (%s):\n%s%s"
                         % (proc.returncode, out, err))


def child_first(modname, what, impl):
    mod = __import__(modname)
    o = mod.call(int(what), int(impl),
                 mod.Exporter(EXP_SET_EXC_RELEASE_CLEARS), 0)
    o = list(o)
    o[1] = o[1] is not None   # (an address: the same object is not)
    o[3] = o[3] and o[3].__name__
    print("CHILD " + json.dumps(o))
    sys.stdout.flush()
    os._exit(0)


def child_atexit(modname):
    """The child side of test_pins_left_at_exit_are_released: the last
    thing an atexit function does is a subscript whose C slot pins an
    exporter; no instruction runs pending calls after it (3.10+, see
    test_slot_call_in_the_main_thread_is_the_documented_limit), so that
    oldbuffer's own atexit function, registered earlier (atexit calls the
    last registered first), is what releases it.  Prints a CHILD line
    before the pin and at each release of the exporter."""
    import atexit
    mod = __import__(modname)
    mod.loop(bytearray(b"warm"), 1)   # the first pending call tells the
    mod.loop(bytearray(b"warm"), 1)   # main thread; oldbuffer's atexit
    releases = []

    def released(exporter):
        releases.append(1)
        print("CHILD " + json.dumps({"event": "released",
                                     "count": len(releases)}))
        sys.stdout.flush()
    exporter, subscript = mod.Exporter(10, "at exit", released), \
        mod.Subscript()

    def late():
        print("CHILD " + json.dumps({"event": "pinning",
                                     "count": len(releases)}))
        sys.stdout.flush()
        subscript[exporter]
    atexit.register(late)
    return 0


class LifetimeSafe(unittest.TestCase):

    def setUp(self):
        self.mods = with_flag("LIFETIME_SAFE")
        if not self.mods:
            self.skipTest("no lifetime-safe build on this interpreter")

    def test_resize_in_callback_raises_then_works_after(self):
        for mod in self.mods:
            ba = bytearray(b"payload")
            data, length, res = mod.hold(ba, resizer(ba))
            self.assertEqual((data, length, res),
                             (b"payload", 7, "BufferError"), mod.__name__)
            ba.extend(b"!" * 100000)   # a call: the pin is gone
            self.assertEqual(mod.pins(), 0)
            self.assertEqual(bytes(ba[:8]), b"payload!")

    def test_default_build_lets_the_callback_resize(self):
        # The hazard itself: without the mode nothing stops the resize
        # (what the pointer then reads is undefined: ASan shows it).
        mod = MODULES.get("_testmodes_default")
        if mod is None:
            self.skipTest("no default build")
        ba = bytearray(b"payload")
        self.assertEqual(mod.hold(ba, resizer(ba))[2], "resized")

    def test_exports_counted_back_to_zero(self):
        for mod in full_api(self.mods):
            e = mod.Exporter()
            seen = mod.hold(e, e.exports)[2]
            self.assertEqual(seen, 1, "pinned during the C function")
            self.assertEqual(mod.pins(), 0)
            self.assertEqual(e.exports(), 0)

    def test_release_hooks_that_pin_again(self):
        # Every release of an export runs the exporter's release hook,
        # here Python code that makes pinning calls on a new exporter
        # whose hook does the same, three new ones in all; the kept
        # exports are released from the pending call (main thread) or a
        # profile event (another thread), hooks and new pins included.
        # In the end no export is left.
        for mod in full_api(self.mods):
            for in_thread in (False, True):
                made = []

                def hook(exporter):
                    if len(made) < 4:
                        made.append(mod.Exporter(10, "again", hook))
                        mod.loop(made[-1], 2)

                def work():
                    first = mod.Exporter(10, "first", hook)
                    made.append(first)
                    pinned = mod.loop(first, 2)
                    len(made)   # a call: in a thread, the pin ends here
                    return pinned
                if in_thread:
                    box = []
                    t = threading.Thread(target=lambda: box.append(work()))
                    t.start()
                    t.join(30)
                    pinned = box[0]
                else:
                    pinned = work()
                    len(made)
                what = "%s, %s" % (mod.__name__,
                                   "thread" if in_thread else "main")
                self.assertEqual(pinned, 1, what)
                self.assertEqual(len(made), 4, what)
                self.assertEqual([e.exports() for e in made], [0] * 4, what)
                self.assertEqual(mod.pins(), 0, what)

    def test_buffer_method_that_replaces_the_profile_function(self):
        # PEP 688 (3.12): the second export of a pinning call runs
        # __buffer__, Python code, which here replaces the profile
        # function that holds the thread's pins.  Those pins go
        # (protection ends early, as documented), and the new one must
        # find its list again rather than use the one just freed.
        if sys.version_info < (3, 12):
            self.skipTest("__buffer__ is 3.12+")
        for mod in full_api(self.mods):
            class Replacer(object):
                def __init__(self):
                    self.data = bytearray(b"replacer")
                    self.calls = 0

                def __buffer__(self, flags):
                    self.calls += 1
                    if self.calls >= 2:   # the pin's own export (last)
                        sys.setprofile(None)
                    return memoryview(self.data)
            results = []

            def work():
                other, r = bytearray(b"other"), Replacer()
                res = mod.hold(other, lambda: mod.loop(r, 1))
                len(r.data)   # a call: this frame's pins end here
                other += b"!"
                r.data += b"!"
                results.append((res[2], r.calls, bytes(other),
                                bytes(r.data), mod.pins()))
            t = threading.Thread(target=work)
            t.start()
            t.join(30)
            # Exports: the call's, the audit's look (with the audit on),
            # the pin's.
            calls = 3 if mod.AUDIT else 2
            self.assertEqual(results,
                             [(1, calls, b"other!", b"replacer!", 0)],
                             mod.__name__)

    def test_exception_in_callback_releases(self):
        for mod in self.mods:
            ba = bytearray(b"x")

            def boom():
                raise KeyError("boom")
            self.assertRaises(KeyError, mod.hold, ba, boom)
            ba.extend(b"y" * 1000)
            self.assertEqual(mod.pins(), 0)

    def test_many_calls_one_pin(self):
        for mod in self.mods:
            ba = bytearray(b"loop")
            self.assertEqual(mod.loop(ba, 1000), 1)
            self.assertEqual(mod.pins(), 0)
            ba.append(0)

    def test_main_thread_needs_no_profile_function(self):
        # In the main thread, a C function that calls no Python code is
        # served by the pending call alone: no profile function is
        # installed (from 3.12 that re-instruments code, microseconds).
        # A callback hands the pins to the profile function, which is
        # installed and removed again.
        if sys.version_info < (3, 8):
            self.skipTest("audit hooks are 3.8+")
        for mod in self.mods:
            a = run_child_argv(["--child-setprofile", mod.__name__])
            self.assertEqual(a["pins"], [1, 0] * 3, a)
            self.assertEqual(a["plain"], 0, a)
            self.assertEqual(a["callback"], 2, a)
            self.assertEqual((a["res"], a["after"]), ("BufferError", 0), a)

    def test_pins_left_at_exit_are_released(self):
        # The pin's export is released by oldbuffer's atexit function (up
        # to 3.9 by the pending call before the atexit function's return):
        # the exporter's release hook runs a second time (the first is the
        # default call's own release), after the pin was taken.
        for mod in full_api(self.mods):
            a = run_child_argv(["--child-atexit", mod.__name__])
            self.assertEqual(a, {"event": "released", "count": 2},
                             mod.__name__)

    def test_first_call_leaves_the_default_exception_state(self):
        # An exporter that reports success with an exception set, which
        # its release hook clears: the default call returns with none
        # set.  The mode's own second export (the pin) must leave that
        # state as it is -- in the process's first call too, which
        # learns the main thread and installs what the mode needs.  So
        # each call runs first in a fresh process, with the mode and by
        # default; on a debug build the read and char calls abort
        # (_Py_CheckSlotResult), by default too, and the abort is
        # compared.
        for mod in full_api(self.mods):
            for what in (CHAR, READ, WRITE, CHECK):
                got, want = [first_call_in_child(mod.__name__, what, impl)
                             for impl in (LEGACY, DEFAULT)]
                self.assertEqual(got, want, "%s: call %d first in a process"
                                 % (mod.__name__, what))
                STATS["compared"] += 1

    def test_no_python_frame_releases_at_once(self):
        for mod in full_api(self.mods):
            ba = bytearray(b"c thread")
            self.assertEqual(mod.no_frame(ba), (0, 0, 1, 0))

    def test_bytes_never_pinned(self):
        for mod in self.mods:
            self.assertEqual(mod.loop(b"bytes", 3), 0)

    def test_same_frame_operator_right_after_the_call(self):
        # Main thread: a pending call releases the pin as soon as the C
        # function has returned, before the next instruction of the
        # frame, so an in-place operator right after works.
        for mod in self.mods:
            ba = bytearray(b"parse")
            n = mod.hold(ba, lambda: None)[1]; del ba[:n]  # noqa: E702
            self.assertEqual(bytes(ba), b"")
            ba += b"more"
            mod.hold(ba, resizer(ba))
            ba += b"!"
            self.assertEqual(bytes(ba), b"more!")
            self.assertEqual(mod.pins(), 0)

    def test_same_frame_operator_in_a_thread_is_the_documented_limit(self):
        # Other threads have no pending calls: there the pin ends at the
        # frame's next call, return or yield, and an in-place operator on
        # the object right after the C call still sees the export
        # (README, "Limits").
        for mod in self.mods:
            seen = []

            def work():
                ba = bytearray(b"limit")
                mod.hold(ba, lambda: None)
                try:
                    ba += b"x"
                    seen.append("resized")
                except BufferError:
                    seen.append("BufferError")
                len(ba)   # a call: the pin is released before it runs
                ba += b"x"
                seen.append(bytes(ba))
                seen.append(mod.pins())
            t = threading.Thread(target=work)
            t.start()
            t.join(30)
            self.assertEqual(seen, ["BufferError", b"limitx", 0])

    def test_slot_call_in_the_main_thread_is_the_documented_limit(self):
        # A legacy call from a C slot (here a subscript; operators, the
        # iteration protocol...) is run by an instruction that is not a
        # call.  Up to 3.9 the eval loop runs pending calls before any
        # instruction: the pin ends before the next one, as after a call.
        # From 3.10 it runs them only at calls, backward jumps and
        # function entries, so the pin lasts until the frame's next call
        # of a C function, and an in-place operator right after the
        # subscript still sees the export, as in other threads (README,
        # "Limits").  A Python function called first runs the pending
        # call at its entry, which takes it for a callback of the C call:
        # the pin lasts until it returns.  (No call in between below: a
        # list.append() would end the pin.)
        def grow(ba):
            try:
                ba.extend(b"g")
                return "resized"
            except BufferError:
                return "BufferError"

        old = sys.version_info < (3, 10)
        for mod in self.mods:
            mod.loop(bytearray(b"warm"), 1)
            s, ba = mod.Subscript(), bytearray(b"slot")
            s[ba]
            inside = grow(ba)
            mod.pins()   # a C function's call: the pin ends
            ba += b"y"
            self.assertEqual((inside, bytes(ba)),
                             ("resized" if old else "BufferError",
                              b"slotgy" if old else b"sloty"),
                             mod.__name__)
        for mod in self.mods:
            mod.loop(bytearray(b"warm"), 1)   # the main thread known
            s, ba = mod.Subscript(), bytearray(b"slot")
            n = s[ba]
            try:
                ba += b"x"
                first = "resized"
            except BufferError:
                first = "BufferError"
            # A C function's call: the pending call right after it ends
            # the pin.  (Not len(): specialized, from 3.12, it runs no
            # pending calls.)
            mod.pins()
            ba += b"y"
            self.assertEqual((first, n, mod.pins(), bytes(ba)),
                             ("resized" if old else "BufferError", 4, 0,
                              b"slotxy" if old else b"sloty"),
                             mod.__name__)

    def test_sys_setprofile_sees_its_events_and_gets_restored(self):
        for mod in self.mods:
            events = []
            ba = bytearray(b"prof")

            def callback():
                return "cb"

            def profiler(frame, event, arg):
                events.append((event, frame.f_code.co_name,
                               getattr(arg, "__name__", None)))
            sys.setprofile(profiler)
            try:
                mod.hold(ba, callback)
                inside = sys.getprofile()
            finally:
                sys.setprofile(None)
            self.assertIs(inside, profiler)
            names = [(e, n or c) for e, c, n in events]
            self.assertIn(("c_call", "hold"), names)
            self.assertIn(("call", "callback"), names)
            self.assertIn(("return", "callback"), names)
            self.assertIn(("c_return", "hold"), names)
            self.assertEqual(mod.pins(), 0)
            ba.append(1)

    def test_cprofile_sees_the_calls(self):
        import cProfile
        import pstats
        for mod in self.mods:
            ba = bytearray(b"cprofile")

            def callback():
                return len(ba)

            def work():
                return mod.hold(ba, callback)
            prof = cProfile.Profile()
            res = prof.runcall(work)
            self.assertEqual(res[2], 8)
            stats = pstats.Stats(prof).stats
            names = set(key[2] for key in stats)
            self.assertIn("callback", names)
            self.assertTrue(any("hold" in n for n in names), names)
            self.assertEqual(mod.pins(), 0)
            ba.append(1)

    def test_threads_keep_their_own(self):
        for mod in self.mods:
            a, b = bytearray(b"thread-a"), bytearray(b"thread-b")
            b_done = threading.Event()
            results = {}

            def in_a():
                # B pins, releases and returns meanwhile: A's pin stays.
                b_done.wait(10)
                try:
                    a.extend(b"x" * 100000)
                    return "resized"
                except BufferError:
                    return "BufferError"

            def run_b():
                results["b"] = mod.hold(b, resizer(b))[2]
                b.extend(b"y")
                results["b_after"] = len(b)
                results["b_pins"] = mod.pins()
                b_done.set()

            def run_a():
                results["a"] = mod.hold(a, in_a)[2]
                results["a_pins"] = mod.pins()
            ta = threading.Thread(target=run_a)
            tb = threading.Thread(target=run_b)
            ta.start()
            tb.start()
            ta.join(30)
            tb.join(30)
            self.assertEqual(results, {"a": "BufferError", "a_pins": 0,
                                       "b": "BufferError", "b_after": 9,
                                       "b_pins": 0}, mod.__name__)
            a.extend(b"z")


# ---------------------------------------------------------------------------
# Python 2 text
# ---------------------------------------------------------------------------

class TextMode(unittest.TestCase):

    def setUp(self):
        self.mods = with_flag("PY2_TEXT")
        if not self.mods:
            self.skipTest("no Python 2 text build on this interpreter")

    def test_str_gives_utf8(self):
        for mod in self.mods:
            for s in ("", "ascii", u"h\xe9llo \u20ac \U0001f600",
                      StrSub(u"sub \xe9")):
                o = mod.call(CHAR, LEGACY, s, 0)
                want = s.encode("utf-8")
                self.assertEqual(o[0], 0)
                self.assertEqual(o[2], len(want))
                self.assertEqual(ctypes.string_at(o[1], o[2]), want)
                self.assertEqual(o[3:], (None, None, 1))
                # Cached in the string: the same pointer every time.
                self.assertEqual(mod.call(CHAR, LEGACY, s, 0)[1], o[1])

    def test_lone_surrogate_raises_unicode_encode_error(self):
        for mod in self.mods:
            o = mod.call(CHAR, LEGACY, u"a\ud800b", 0)
            self.assertEqual(o[0], -1)
            self.assertIs(o[3], UnicodeEncodeError)
            self.assertEqual(o[5], 0)

    def test_only_the_char_call(self):
        for mod in self.mods:
            for what in (READ, WRITE, CHECK):
                self.assertEqual(mod.call(what, LEGACY, "text", 0),
                                 mod.call(what, DEFAULT, "text", 0))

    def test_default_stays_type_error(self):
        for mod in MODULES.values():
            o = mod.call(CHAR, DEFAULT, "text", 0)
            self.assertEqual(o[0], -1)
            self.assertIs(o[3], TypeError)
            if not mod.PY2_TEXT:
                self.assertEqual(mod.call(CHAR, LEGACY, "text", 0), o)


def main():
    if len(sys.argv) > 2 and sys.argv[1] == "--child":
        return child(sys.argv[2:])
    if len(sys.argv) > 2 and sys.argv[1] == "--child-setprofile":
        return child_setprofile(sys.argv[2])
    if len(sys.argv) > 4 and sys.argv[1] == "--child-first":
        return child_first(*sys.argv[2:5])
    if len(sys.argv) > 2 and sys.argv[1] == "--child-atexit":
        return child_atexit(sys.argv[2])
    # The audit builds warn from the sites the other tests use too.
    warnings.filterwarnings("ignore", message=r"PyObject_As\w+Buffer\(\) at ")
    runner = unittest.TextTestRunner(verbosity=int(os.environ.get(
        "OLDBUFFER_VERBOSE", "1")))
    result = runner.run(unittest.defaultTestLoader.loadTestsFromModule(
        sys.modules[__name__]))
    gc.collect()
    summary = {"tests": result.testsRun,
               "failures": len(result.failures) + len(result.errors),
               "skipped": len(result.skipped),
               "modules": sorted(MODULES), "compared": STATS["compared"]}
    print("MODES-RESULT " + json.dumps(summary, sort_keys=True))
    return 0 if result.wasSuccessful() else 1


if __name__ == "__main__":
    sys.exit(main())
