#!/usr/bin/env python3
"""The modes: OLDBUFFER_AUDIT, OLDBUFFER_LIFETIME_SAFE,
OLDBUFFER_PY2_TEXT, on every interpreter where each applies.

  a. On every Python 3 (pyenv 3.6 ... 3.13; sid 3.13, 3.14, 3.15,
     3.13d - 3.15d, PyPy): tests/ext/_testmodes.c built once per mode
     (C), all modes at once as C++, and audit + Python 2 text under Py_LIMITED_API 3.11 on
     CPython 3.11+ release builds, -Wall -Wextra -Werror -Wconversion;
     then tests/test_modes.py: every mode gives the default results
     except where it says otherwise; the audit warns once per site for
     bytearray, array, mmap and memoryview and never for bytes or str,
     -W error::oldbuffer.LegacyBufferWarning turns each call into -1 with
     the warning raised; the lifetime-safe mode turns a resize inside a
     callback into BufferError, lets it resize after, releases every
     export, chains sys.setprofile and cProfile, keeps threads apart;
     Python 2 text gives UTF-8.  PyPy: no lifetime-safe build (its
     #error is checked in c).
  b. Python 2.7: the modes are accepted and change nothing (the legacy
     names stay object-like macros onto the default functions).
  c. The documented #errors: lifetime-safe on PyPy and under any
     Py_LIMITED_API, the audit under a limited API < 3.11, Python 2 text
     under a limited API < 3.10.
  d. AddressSanitizer, pyenv 3.12 and 3.13: the resize-in-callback
     scenario (hold() in _testmodes.c) without the mode must report
     heap-use-after-free; with the mode it must run clean.

About 2 minutes on 2 cores.  Run alone with `python3
tests/suites/suite_modes.py` or `python3 tests/runtests.py --suite modes`.
"""
from __future__ import print_function

import concurrent.futures
import json
import os
import shutil
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.dirname(  # tests/: harness.py
    os.path.abspath(__file__))))
import harness  # noqa: E402
from harness import say  # noqa: E402

NAME = "modes"
AUDIT = "-DOLDBUFFER_AUDIT"
SAFE = "-DOLDBUFFER_LIFETIME_SAFE"
TEXT = "-DOLDBUFFER_PY2_TEXT"
WARN = "-Wall -Wextra -Werror -Wconversion"

# Build the modules of one interpreter, then run test_modes.py.
#   sh -c BUILD_AND_RUN sh PYTHON TOP OUT ABI3(0/1) SAFE(0/1) [options...]
BUILD_AND_RUN = r'''
set -e
PY=$1; TOP=$2; OUT=$3; ABI3=$4; WITH_SAFE=$5; shift 5
INC=$("$PY" -c 'import sysconfig; print(sysconfig.get_paths()["include"])')
EXT=$("$PY" -c 'import importlib.machinery as m; print(m.EXTENSION_SUFFIXES[0])')
WARN="%(warn)s"
mkdir -p "$OUT"
build() {  # build NAME LANG FLAGS...
    name=$1; lang=$2; shift 2
    if [ "$lang" = c ]; then std="-std=c99"; else std="-std=c++11"; fi
    cc -x "$lang" $std -O2 -g $WARN -shared -fPIC "$@" \
        -I"$TOP/include" -I"$TOP/tests/ext" -I"$INC" -DOB_MODNAME="$name" \
        "$TOP/tests/ext/_testmodes.c" -o "$OUT/$name$EXT" -lstdc++
}
build _testmodes_default c
build _testmodes_audit c %(audit)s
build _testmodes_text c %(text)s
if [ "$WITH_SAFE" = 1 ]; then
    build _testmodes_safe c %(safe)s
    build _testmodes_all c++ %(audit)s %(safe)s %(text)s
else
    rm -f "$OUT"/_testmodes_safe* "$OUT"/_testmodes_all*
    build _testmodes_all c++ %(audit)s %(text)s
fi
if [ "$ABI3" = 1 ]; then
    build _testmodes_abi3 c -DPy_LIMITED_API=0x030B0000 %(audit)s %(text)s
else
    rm -f "$OUT"/_testmodes_abi3*
fi
OLDBUFFER_BUILD=$OUT exec "$PY" "$@" "$TOP/tests/test_modes.py"
''' % {"warn": WARN, "audit": AUDIT, "safe": SAFE, "text": TEXT}


def run_interp(interp):
    pypy = interp.tag.startswith("pypy")
    debug = interp.tag.endswith("d-sid")
    abi3 = not pypy and not debug and interp.version() >= (3, 11)
    out = interp.path("build", "modes-%s" % interp.tag)
    argv = ["sh", "-c", BUILD_AND_RUN, "sh", interp.python, interp.path(),
            out, "1" if abi3 else "0", "0" if pypy else "1"]
    argv += interp.options
    code, output = harness.run(interp.argv(argv), timeout=600)
    result = None
    for line in output.splitlines():
        if line.startswith("MODES-RESULT "):
            result = json.loads(line[len("MODES-RESULT "):])
    return code, output, result


def part_interpreters(tally, interps):
    say("a. every Python 3: each mode built (C, C++, abi3) and tested")
    with concurrent.futures.ThreadPoolExecutor(2) as pool:
        jobs = [(i, pool.submit(run_interp, i)) for i in interps]
        for interp, job in jobs:
            code, output, result = job.result()
            if result is None:
                tally.fail("%s: build or run failed (exit %s)"
                           % (interp.tag, code), output[-6000:])
                continue
            ran = result["tests"] - result["skipped"]
            tally.check(
                code == 0 and result["failures"] == 0 and ran > 0,
                "%s: %d tests (%d skipped), %d calls compared with the "
                "default, modules %s" % (
                    interp.tag, result["tests"], result["skipped"],
                    result["compared"],
                    " ".join(m.replace("_testmodes_", "")
                             for m in result["modules"])),
                output[-8000:])


# Python 2.7: a mode changes nothing, so the legacy names are still the
# default functions (object-like macros: their address can be taken).
PY27_SOURCE = r'''
#include "oldbuffer.h"
static int (*const c)(PyObject *, const char **, Py_ssize_t *) =
    PyObject_AsCharBuffer;
static int (*const r)(PyObject *, const void **, Py_ssize_t *) =
    PyObject_AsReadBuffer;
static int (*const w)(PyObject *, void **, Py_ssize_t *) =
    PyObject_AsWriteBuffer;
#if defined(OLDBUFFER_MODES)
#  error "a mode is active on Python 2.7"
#endif
int use(void) { return c == OldBuffer_AsCharBuffer
                       && r == OldBuffer_AsReadBuffer
                       && w == OldBuffer_AsWriteBuffer; }
'''


def compile_snippet(interp, source, flags, name):
    """Compile source (C99) with interp's headers: (exit code, output)."""
    out = os.path.join(harness.TOP, "build", "modes-snippets")
    if not os.path.isdir(out):
        os.makedirs(out)
    src = os.path.join(out, name + ".c")
    with open(src, "w") as f:
        f.write(source)
    code, inc = harness.run([interp.python, "-c", "import sysconfig; "
                             "print(sysconfig.get_paths()['include'])"])
    return harness.run(["gcc", "-std=c99", "-c", "-Wall", "-Wextra",
                        "-Werror", "-I" + os.path.join(harness.TOP,
                                                       "include"),
                        "-I" + inc.strip()] + flags
                       + [src, "-o", os.path.join(out, name + ".o")])


def part_py27(tally):
    say("b. Python 2.7: the modes are accepted and change nothing")
    py27 = harness.pyenv("2.7")
    if py27 is None:
        tally.skip("2.7", "no pyenv 2.7")
        return
    code, output = compile_snippet(py27, PY27_SOURCE,
                                   [AUDIT, SAFE, TEXT], "py27")
    tally.check(code == 0, "2.7 with all three modes: the legacy names "
                "are still OldBuffer_* (address taken)", output)


ERROR_CASES = [
    # (what, pyenv minor of the headers, flags, text the #error must say)
    ("lifetime-safe under Py_LIMITED_API 3.11", "3.12",
     [SAFE, "-DPy_LIMITED_API=0x030B0000"], "needs the full API"),
    ("audit under Py_LIMITED_API 3.10", "3.12",
     [AUDIT, "-DPy_LIMITED_API=0x030A0000"], "needs 0x030B0000"),
    ("Python 2 text under Py_LIMITED_API 3.9", "3.12",
     [TEXT, "-DPy_LIMITED_API=0x03090000"], "needs 0x030A0000"),
]
# ... and each of these compiles:
OK_CASES = [
    ("Python 2 text under Py_LIMITED_API 3.10", "3.12",
     [TEXT, "-DPy_LIMITED_API=0x030A0000"]),
    ("audit + Python 2 text under Py_LIMITED_API 3.11 (3.13 headers)",
     "3.13", [AUDIT, TEXT, "-DPy_LIMITED_API=0x030B0000"]),
]
MODES_SOURCE = '#include "oldbuffer.h"\nint use(void) { return 0; }\n'


def part_errors(tally):
    say("c. the documented #errors (and their neighbours compile)")
    for what, minor, flags, text in ERROR_CASES:
        interp = harness.pyenv(minor)
        if interp is None:
            tally.skip(what, "no pyenv %s" % minor)
            continue
        code, output = compile_snippet(interp, MODES_SOURCE, flags,
                                       "error")
        tally.check(code != 0 and "#error" in output and text in output,
                    "%s: #error \"... %s ...\"" % (what, text), output)
    for what, minor, flags in OK_CASES:
        interp = harness.pyenv(minor)
        if interp is None:
            tally.skip(what, "no pyenv %s" % minor)
            continue
        code, output = compile_snippet(interp, MODES_SOURCE, flags, "ok")
        tally.check(code == 0, "%s: compiles" % what, output)


def part_pypy_error(tally, interps):
    pypy = [i for i in interps if i.tag.startswith("pypy")]
    if not pypy:
        tally.skip("PyPy #error", "no PyPy")
        return
    interp = pypy[0]
    script = ('INC=$(pypy3 -c "import sysconfig; print(sysconfig.get_paths()'
              '[\'include\'])"); printf \'#include "oldbuffer.h"\\n\' | '
              'cc -x c -c -I/oldbuffer/include -I"$INC" %s - -o /dev/null'
              % SAFE)
    code, output = harness.run(interp.argv(["sh", "-c", script]),
                               timeout=120)
    tally.check(code != 0 and "needs CPython" in output,
                "pypy3: lifetime-safe is a clear #error (\"needs CPython\")",
                output)


# d. The scenario under AddressSanitizer.
ASAN_SCRIPT = r'''
import sys
sys.path.insert(0, sys.argv[1])
mod = __import__(sys.argv[2])
ba = bytearray(b"payload-" * 4)
def callback():
    try:
        ba.extend(b"\0" * 1000000)   # realloc: the old block is freed
        return "resized"
    except BufferError:
        return "BufferError"
print("hold ->", mod.hold(ba, callback))
ba.extend(b"after")
print("done")
'''


def asan_one(minor):
    interp = harness.pyenv(minor)
    if interp is None:
        return [(None, "asan %s" % minor, "no pyenv %s" % minor)]
    out = os.path.join(harness.TOP, "build", "modes-asan-" + minor)
    if not os.path.isdir(out):
        os.makedirs(out)
    code, inc = harness.run([interp.python, "-c", "import sysconfig; "
                             "print(sysconfig.get_paths()['include'])"])
    code, ext = harness.run([interp.python, "-c", "import importlib."
                             "machinery as m; print(m.EXTENSION_SUFFIXES[0])"])
    lib = subprocess.check_output(["gcc", "-print-file-name=libasan.so"],
                                  universal_newlines=True).strip()
    env = dict(os.environ, LD_PRELOAD=lib, PYTHONMALLOC="malloc",
               ASAN_OPTIONS="detect_leaks=0")
    results = []
    for name, flags, want_uaf in (("_testmodes_default", [], True),
                                  ("_testmodes_safe", [SAFE], False)):
        what = "asan %s: %s" % (minor, name)
        code, output = harness.run(
            ["gcc", "-std=c99", "-O1", "-g", "-fsanitize=address",
             "-fno-omit-frame-pointer", "-shared", "-fPIC",
             "-I" + os.path.join(harness.TOP, "include"),
             "-I" + harness.EXT, "-I" + inc.strip(),
             "-DOB_MODNAME=" + name] + flags
            + [os.path.join(harness.EXT, "_testmodes.c"),
               "-o", os.path.join(out, name + ext.strip())])
        if code != 0:
            results.append((False, what + ": build", output))
            continue
        code, output = harness.run([interp.python, "-c", ASAN_SCRIPT, out,
                                    name], env=env, timeout=120)
        if want_uaf:
            results.append((code != 0 and "heap-use-after-free" in output,
                            what + " (no mode): the run fails with "
                            "heap-use-after-free", output))
        else:
            results.append((code == 0 and "AddressSanitizer" not in output
                            and "hold -> (b'payload-payload-', 32, "
                            "'BufferError')" in output
                            and "done" in output,
                            what + " (lifetime-safe): clean, the resize "
                            "raised BufferError", output))
            results.append(asan_test_modes(interp, minor, out, name, ext,
                                           env))
    return results


def asan_test_modes(interp, minor, out, name, ext, env):
    """tests/test_modes.py whole, on the lifetime-safe module built with
    AddressSanitizer (alone in its directory: the default build's
    dangling pointer is meant to be there)."""
    alone = out + "-safe-only"
    if not os.path.isdir(alone):
        os.makedirs(alone)
    shutil.copy(os.path.join(out, name + ext.strip()), alone)
    code, output = harness.run(
        [interp.python, os.path.join(harness.TESTS, "test_modes.py")],
        env=dict(env, OLDBUFFER_BUILD=alone), timeout=300)
    result = [l for l in output.splitlines() if l.startswith("MODES-RESULT ")]
    summary = json.loads(result[-1][len("MODES-RESULT "):]) if result else {}
    return (code == 0 and "AddressSanitizer" not in output
            and summary.get("failures") == 0
            and summary.get("modules") == [name],
            "asan %s: tests/test_modes.py on %s (lifetime-safe), %s tests: "
            "clean" % (minor, name, summary.get("tests")), output)


def part_asan(tally):
    say("d. AddressSanitizer: the dangling pointer, then the mode")
    with concurrent.futures.ThreadPoolExecutor(2) as pool:
        for results in pool.map(asan_one, ["3.12", "3.13"]):
            for ok, what, detail in results:
                if ok is None:
                    tally.skip(what, detail)
                else:
                    tally.check(ok, what, detail)


def main():
    tally = harness.Tally(NAME)
    interps = harness.all_interpreters(tally, "modes", (3, 0))
    part_interpreters(tally, interps)
    part_py27(tally)
    part_errors(tally)
    part_pypy_error(tally, interps)
    part_asan(tally)
    return tally.finish()


if __name__ == "__main__":
    sys.exit(main())
