#!/usr/bin/env python3
"""The audit and lifetime-safe modes in own-GIL subinterpreters.

PEP 684 (3.12) lets a subinterpreter have a GIL of its own: a module that
declares Py_MOD_PER_INTERPRETER_GIL_SUPPORTED is then used from threads
that run truly in parallel and share its static C state -- the audit's
per-site flags and table of sites, the lifetime-safe mode's main-thread
state -- as a free-threaded build's threads would.

  a. Every CPython 3.12+ (pyenv 3.12, 3.13; sid 3.13 - 3.15 and their
     debug builds): tests/ext/_testsubinterp.c built (C11, -Wall -Wextra
     -Werror -Wconversion), then tests/test_subinterp.py: four
     subinterpreters at once, behind a barrier that proves they ran in
     parallel, mark sites, make audited calls and lifetime-safe calls; no
     site may be lost, one site warns at most once per interpreter.
  b. ThreadSanitizer, pyenv 3.12 and 3.13: the module built with gcc
     -fsanitize=thread and libtsan preloaded into the interpreter (which
     is not instrumented: races are seen between accesses of the
     module's code, oldbuffer.h's included).  The test must run with no
     report; its canary (a plain increment shared by the
     subinterpreters) must be reported, which shows TSan watches there.
     (clang 14's TSan runtime crashes when preloaded here: gcc's.)

Under 30 seconds.  Run alone with `python3 tests/suites/suite_subinterp.py`
or `python3 tests/runtests.py --suite subinterp`.
"""
from __future__ import print_function

import os
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.dirname(  # tests/: harness.py
    os.path.abspath(__file__))))
import harness  # noqa: E402
from harness import say  # noqa: E402

NAME = "subinterp"
WARN = "-Wall -Wextra -Werror -Wconversion"
TSAN_PYTHONS = ["3.12", "3.13"]

# sh -c BUILD_AND_RUN sh PYTHON TOP OUT "CFLAGS" "VAR=VALUE ..." [options...]
# (the variables for the test's run only: a preloaded libtsan would take
# sh and gcc down)
BUILD_AND_RUN = r'''
set -e
PY=$1; TOP=$2; OUT=$3; FLAGS=$4; RUNENV=$5; shift 5
INC=$("$PY" -c 'import sysconfig; print(sysconfig.get_paths()["include"])')
EXT=$("$PY" -c 'import importlib.machinery as m; print(m.EXTENSION_SUFFIXES[0])')
mkdir -p "$OUT"
gcc -std=c11 -g %(warn)s $FLAGS -shared -fPIC -I"$TOP/include" -I"$INC" \
    "$TOP/tests/ext/_testsubinterp.c" -o "$OUT/_testsubinterp$EXT"
exec env OLDBUFFER_BUILD="$OUT" $RUNENV "$PY" "$TOP/tests/test_subinterp.py" "$@"
''' % {"warn": WARN}


def build_and_run(interp, out, flags, args=(), runenv=""):
    argv = ["sh", "-c", BUILD_AND_RUN, "sh", interp.python, interp.path(),
            out, flags, runenv] + list(args)
    return harness.run(interp.argv(argv), timeout=120)


def result_of(output):
    for line in output.splitlines():
        if line.startswith("SUBINTERP-RESULT "):
            return line[len("SUBINTERP-RESULT "):]
    return None


def part_interpreters(tally):
    say("a. every CPython 3.12+: four own-GIL subinterpreters at once")
    for interp in harness.all_interpreters(tally, "subinterpreters",
                                           (3, 12)):
        if interp.tag.startswith("pypy"):
            continue
        out = interp.path("build", "subinterp-%s" % interp.tag)
        code, output = build_and_run(interp, out, "-O2")
        summary = [l for l in output.splitlines()
                   if l.startswith("4 subinterpreters")]
        tally.check(code == 0 and result_of(output) == "ok",
                    "%s: %s" % (interp.tag, summary[0] if summary
                                else "build or run failed"),
                    output[-4000:])


def tsan_env():
    """libtsan preloaded, Python's allocator off (so that TSan sees every
    allocation), every report counted and the exit code 66 if any."""
    lib = subprocess.check_output(["gcc", "-print-file-name=libtsan.so"],
                                  universal_newlines=True).strip()
    return ("LD_PRELOAD=%s PYTHONMALLOC=malloc "
            "TSAN_OPTIONS=halt_on_error=0:exitcode=66" % lib)


def part_tsan(tally):
    say("b. ThreadSanitizer, pyenv %s: no race in oldbuffer.h's state"
        % " and ".join(TSAN_PYTHONS))
    for minor in TSAN_PYTHONS:
        interp = harness.pyenv(minor)
        if interp is None:
            tally.skip("ThreadSanitizer on %s" % minor, "no pyenv " + minor)
            continue
        out = interp.path("build", "subinterp-tsan-%s" % interp.tag)
        flags = "-O1 -fsanitize=thread"
        code, output = build_and_run(interp, out, flags, runenv=tsan_env())
        reports = output.count("WARNING: ThreadSanitizer")
        tally.check(code == 0 and reports == 0 and result_of(output) == "ok",
                    "%s: the modes' shared state in four subinterpreters, "
                    "%d TSan reports" % (interp.tag, reports),
                    output[-8000:])
        code, output = build_and_run(interp, out, flags, ["--canary"],
                                     runenv=tsan_env())
        reports = output.count("WARNING: ThreadSanitizer: data race")
        tally.check(code == 66 and reports > 0
                    and result_of(output) == "ok",
                    "%s: the canary's race is reported (%d reports)"
                    % (interp.tag, reports), output[-4000:])


def main():
    tally = harness.Tally(NAME)
    part_interpreters(tally)
    part_tsan(tally)
    return tally.finish()


if __name__ == "__main__":
    sys.exit(main())
