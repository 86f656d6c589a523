#!/usr/bin/env python3
"""Reliability: fuzzing, sanitizers, memcheck, threads.

  a. fuzz: fuzz/fuzz_oldbuffer.c, the differential libFuzzer target
     (ASan + UBSan), 60 s on each of pyenv 3.12 and 3.13 (side by side):
     it must end without a crash report; its executions are printed.
  b. asan: the differential suite (tests/run_one.sh, test_oldbuffer.py)
     with the test extensions built under -fsanitize=address,undefined and
     the ASan runtime preloaded into pyenv 2.7 (the Python 2
     implementation), 3.12 and 3.13 (PYTHONMALLOC=malloc, so that every
     object is an ASan allocation): it must pass with no sanitizer report.
     A canary first proves that a report would be seen.
  c. memcheck: the differential suite under valgrind memcheck on pyenv
     3.12 (PYTHONMALLOC=malloc: no suppression needed) and 2.7 (which has
     no PYTHONMALLOC: pymalloc's own reads are suppressed, see
     PYMALLOC_SUPPRESSIONS), no error allowed; a canary proves that an
     error fails the run.
  d. debug build: nothing to add here.  The matrix already runs
     test_oldbuffer.py on python3.13d, 3.14d and 3.15d -X dev, whose
     TotalRefcount test repeats every call on every catalogue object (hostile exporters
     included) and fails when sys.gettotalrefcount() grows every round.
  e. threads: tests/test_threads.py on every interpreter of the matrix
     (pyenv and the sid chroot; 2 s each, two at a time).

About 2 minutes on 2 cores (budget: 8).  Run alone with
`python3 tests/suites/suite_reliability.py` or
`python3 tests/runtests.py --suite reliability`.
"""
from __future__ import print_function

import concurrent.futures
import os
import re
import sys

sys.path.insert(0, os.path.dirname(os.path.dirname(  # tests/: harness.py
    os.path.abspath(__file__))))
import harness  # noqa: E402
from harness import say  # noqa: E402

NAME = "reliability"
FUZZ_SECONDS = 60
THREAD_SECONDS = 2
BUILD = os.path.join(harness.TOP, "build")
# What a sanitizer prints when it finds something.
SANITIZER_REPORT = re.compile(
    r"ERROR: AddressSanitizer|ERROR: LeakSanitizer|runtime error:"
    r"|SUMMARY: \w+Sanitizer")
MEMCHECK_REPORT = re.compile(
    r"^==\d+== (Invalid|Conditional|Use of|Syscall param|Mismatched"
    r"|Source and)", re.M)
SANITIZE = "-fsanitize=address,undefined -fno-omit-frame-pointer"

# Canaries: each must make its checker report, or the check proves nothing.
CANARY_C = r"""
#include <limits.h>
#include <stdlib.h>
int heap_overflow(int i) {
    char *p = malloc(8);
    int v = p[8 + i];
    free(p);
    return v;
}
int signed_overflow(int i) { int x = INT_MAX - i; return x + 1; }
"""


def report(tally, results):
    """Tally (ok, what, detail) results; ok None means skipped."""
    for ok, what, detail in results:
        if ok is None:
            tally.skip(what, detail)
        else:
            tally.check(ok, what, detail)


def fuzz_one(minor):
    """(ok, what, detail) of a bounded run of the fuzzer on pyenv minor."""
    interp = harness.pyenv(minor)
    what = "fuzz: %ds of fuzz_oldbuffer on %s" % (FUZZ_SECONDS, minor)
    if interp is None:
        return None, what, "no pyenv %s" % minor
    out = os.path.join(BUILD, "reliability-fuzz-" + minor)
    code, output = harness.run(["sh", os.path.join(harness.TOP, "fuzz",
                                                   "build.sh"),
                                interp.python, out], timeout=300)
    if code != 0:
        return False, what, "fuzz/build.sh failed\n" + output
    corpus = os.path.join(out, "corpus")
    if not os.path.isdir(corpus):
        os.makedirs(corpus)
    code, output = harness.run(
        [os.path.join(out, "fuzz_oldbuffer"),
         "-max_total_time=%d" % FUZZ_SECONDS, "-print_final_stats=1",
         "-artifact_prefix=" + out + "/", corpus,
         os.path.join(harness.TOP, "fuzz", "corpus")],
        timeout=FUZZ_SECONDS + 120)
    runs = re.search(r"stat::number_of_executed_units:\s*(\d+)", output)
    crashed = ("ERROR: libFuzzer" in output or "OLDBUFFER FUZZ" in output
               or SANITIZER_REPORT.search(output))
    ok = code == 0 and runs is not None and not crashed
    return ok, "%s: %s executions, no crash report" % (
        what, runs.group(1) if runs else "?"), output


def part_fuzz(tally):
    say("a. differential fuzzing (libFuzzer + ASan + UBSan)")
    # Side by side: one core each.
    with concurrent.futures.ThreadPoolExecutor(2) as pool:
        report(tally, list(pool.map(fuzz_one, ["3.12", "3.13"])))


def build_test_modules(interp, out, env=None):
    """tests/run_one.sh builds the test extensions and then runs the given
    python options before test_oldbuffer.py: `-c pass` stops there."""
    argv = (["sh", interp.path("tests", "run_one.sh"), interp.python, out]
            + interp.options + ["-c", "pass"])
    return harness.run(interp.argv(argv), timeout=300, env=env)


def canary(tally, what, flags, wrapper, env, function, expect):
    """Build the canary with flags, call function in it from Python 3.12
    (run through wrapper), and check that expect shows in the output."""
    interp = harness.pyenv("3.12")
    out = os.path.join(BUILD, "reliability-canary")
    if not os.path.isdir(out):
        os.makedirs(out)
    src = os.path.join(out, "canary.c")
    lib = os.path.join(out, "canary-%s.so" % what)
    with open(src, "w") as f:
        f.write(CANARY_C)
    code, output = harness.run(["gcc", "-O0", "-shared", "-fPIC"] + flags
                               + [src, "-o", lib])
    if code == 0:
        code, output = harness.run(wrapper + [
            interp.python, "-c", "import ctypes; ctypes.CDLL(%r).%s(0)"
            % (lib, function)], timeout=120, env=env)
    tally.check(re.search(expect, output) is not None and code != 0,
                "canary: %s is reported" % what, output)


def differential_under(tool, minor, build_env, wrapper, run_env,
                       reports):
    """(ok, what, detail) of the differential suite on pyenv minor, its
    modules built with build_env, run through wrapper with run_env; it
    must pass with reports(output) == 0."""
    interp = harness.pyenv(minor)
    what = "%s: differential suite on %s" % (tool, minor)
    if interp is None:
        return None, what, "no pyenv %s" % minor
    out = os.path.join(BUILD, "reliability-%s-%s" % (tool, minor))
    code, output = build_test_modules(interp, out, build_env)
    if code != 0:
        return False, what, "build failed\n" + output
    code, output = harness.run(
        wrapper + [interp.python, interp.path("tests", "test_oldbuffer.py")],
        timeout=600, env=dict(run_env, OLDBUFFER_BUILD=out))
    n = reports(output)
    m = re.search(r"^OLDBUFFER-RESULT (.*)$", output, re.M)
    ok = code == 0 and m is not None and n == 0
    return ok, "%s: %d %s reports, %s" % (
        what, n, tool, m.group(1) if m else "no result"), output


def asan_one(minor):
    return differential_under(
        "asan", minor, dict(os.environ, CC="gcc", CXX="g++",
                            OB_SANITIZE=SANITIZE),
        [], harness.asan_env(), lambda out: len(SANITIZER_REPORT.findall(out)))


def part_asan(tally):
    say("b. differential suite under ASan + UBSan")
    canary(tally, "asan", SANITIZE.split(), [], harness.asan_env(), "heap_overflow",
           r"ERROR: AddressSanitizer: heap-buffer-overflow")
    canary(tally, "ubsan", SANITIZE.split(), [], harness.asan_env(),
           "signed_overflow", r"runtime error: signed integer overflow")
    with concurrent.futures.ThreadPoolExecutor(2) as pool:
        report(tally, list(pool.map(asan_one, ["2.7", "3.12", "3.13"])))


# Python 2.7 cannot be told to use malloc (PYTHONMALLOC is 3.6+), and
# pymalloc's free and realloc decide whether they own a block by reading
# the arena index in the header of its (supposed) pool: memory that they
# may not own, or that is not initialised -- by design, and the reason
# CPython ships Misc/valgrind-python.supp.  So, for 2.7 only, memcheck's
# three kinds of report are suppressed in those two functions (where the
# reads are), and nowhere else.
PYMALLOC_SUPPRESSIONS = "".join(
    "{\n   pymalloc-%s-%s\n   Memcheck:%s\n   fun:%s\n}\n"
    % (fun, kind, kind, fun)
    for fun in ("PyObject_Free", "PyObject_Realloc")
    for kind in ("Addr4", "Value8", "Cond"))


def valgrind_argv(suppressions=None):
    argv = ["valgrind", "--tool=memcheck", "--error-exitcode=99",
            "--leak-check=no", "--num-callers=30", "--quiet"]
    if suppressions:
        argv.append("--suppressions=" + suppressions)
    return argv


def memcheck_one(minor):
    supp = None
    if minor == "2.7":
        supp = os.path.join(BUILD, "reliability-pymalloc.supp")
        with open(supp, "w") as f:
            f.write(PYMALLOC_SUPPRESSIONS)
    return differential_under(
        "memcheck", minor, None, valgrind_argv(supp),
        dict(os.environ, PYTHONMALLOC="malloc"),
        lambda out: len(MEMCHECK_REPORT.findall(out)))


def part_memcheck(tally):
    say("c. differential suite under valgrind memcheck")
    if harness.run(["valgrind", "--version"])[0] != 0:
        return tally.skip("memcheck", "valgrind is not installed "
                          "(tools/install-deps.sh)")
    canary(tally, "memcheck", [], valgrind_argv(),
           dict(os.environ, PYTHONMALLOC="malloc"), "heap_overflow",
           r"Invalid read of size 1")
    with concurrent.futures.ThreadPoolExecutor(2) as pool:
        report(tally, list(pool.map(memcheck_one, ["2.7", "3.12"])))


def threads_one(interp):
    out = interp.path("build", "reliability-threads-" + interp.tag)
    code, output = build_test_modules(interp, out)
    if code != 0:
        return False, "build failed\n" + output
    argv = (["env", "OLDBUFFER_BUILD=" + out,
             "OLDBUFFER_THREAD_SECONDS=%d" % THREAD_SECONDS, interp.python]
            + interp.options + [interp.path("tests", "test_threads.py")])
    code, output = harness.run(interp.argv(argv), timeout=120)
    ok = code == 0 and re.search(r"^OK\b", output, re.M) is not None
    counts = re.search(r"caller rounds (\d+)", output)
    return ok, (counts.group(1) + " caller rounds") if ok and counts \
        else output


def part_threads(tally):
    say("e. thread stress (tests/test_threads.py) on every interpreter")
    interps = harness.all_interpreters(tally, "threads")
    with concurrent.futures.ThreadPoolExecutor(2) as pool:
        results = list(pool.map(threads_one, interps))
    for interp, (ok, detail) in zip(interps, results):
        tally.check(ok, "threads: %s%s" % (
            interp.tag, ", " + detail if ok else ""), detail)


def prepare_abi3():
    """test_oldbuffer.py also loads the stable-ABI builds that
    tests/runtests.py makes in build/abi3 (beside the build directories
    used here); make them if this suite runs alone."""
    import runtests
    build_abi3 = getattr(runtests, "build_abi3", None)
    if build_abi3 is not None and not os.path.isdir(
            os.path.join(BUILD, "abi3")):
        for problem in build_abi3():
            say("  (abi3 build: %s)" % problem)


def main():
    tally = harness.Tally(NAME)
    if not os.path.isdir(BUILD):
        os.makedirs(BUILD)
    prepare_abi3()
    part_fuzz(tally)
    part_asan(tally)
    part_memcheck(tally)
    say("d. debug build: covered by the matrix (test_oldbuffer.py's "
        "TotalRefcount on 3.13d, 3.14d, 3.15d -X dev)")
    part_threads(tally)
    return tally.finish()


if __name__ == "__main__":
    sys.exit(main())
