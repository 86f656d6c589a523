#!/usr/bin/env python3
"""The benchmark builds and runs on every Python 3 of the matrix.

Nothing in the test command times anything: `make bench` (bench/run.py)
measures, and README.md shows what it found.  This suite keeps that
command working everywhere, with the code it measures: for each Python 3
interpreter, bench/run.py's own build() compiles bench/_bench.c with the
interpreter's CFLAGS and -Werror as _bench, _bench_audit and
_bench_lifetime (not on PyPy, where the lifetime-safe mode is an #error),
and its run_once() runs bench/bench.py with 100 calls per sample.  Every
row must be there with a time: the four calls on each object kind, for one
object and for 16, and both modes (audit, lifetime-safe) against the
default on the five movable kinds.
"""
from __future__ import print_function

import argparse
import concurrent.futures
import math
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.dirname(  # tests/: harness.py
    os.path.abspath(__file__))))
import harness  # noqa: E402

sys.path.insert(0, os.path.join(harness.TOP, "bench"))
import bench  # noqa: E402  (bench/bench.py: the kinds and calls)
import run as bench_run  # noqa: E402  (bench/run.py: build, run_once)

# The kinds every interpreter has (numpy only where it is installed).
KINDS = ("bytes", "bytearray", "memoryview", "array.array", "mmap",
         "int (no buffer)")
SMOKE = argparse.Namespace(iterations=100, samples=1)


def time_ok(ns):
    return isinstance(ns, float) and math.isfinite(ns) and ns > 0


def check(interp):
    """(result or None, output) of one build and run."""
    outdir, out = bench_run.build(interp, True)
    if outdir is None:
        return None, out
    return bench_run.run_once(interp, outdir, SMOKE), out


def verify(tally, interp, result, out):
    name = interp.tag
    if not tally.check(result is not None,
                       "%s: _bench, _bench_audit%s build with -Werror and "
                       "bench/bench.py runs" % (
                           name, "" if interp.tag.startswith("pypy")
                           else ", _bench_lifetime"), out):
        return
    rows = result["rows"]
    have = set((r["kind"], r["call"], r["objects"]) for r in rows)
    want = set((k, c, w) for k in KINDS for c in bench.CALLS
               for w in bench.WORKLOADS)
    timed = all(time_ok(r[impl]) for r in rows
                for impl in ("native", "oldbuffer", "limit"))
    tally.check(want <= have and timed,
                "%s: %d rows, every kind x call x workload, all timed"
                % (name, len(rows)),
                "missing: %s" % sorted(want - have))
    modes = result["modes"]
    pypy = interp.tag.startswith("pypy")
    complete = (
        set(r["kind"] for r in modes) == set(bench.MODE_KINDS)
        and len(modes) == 2 * len(bench.MODE_KINDS)
        and all(time_ok(r["default"]) and time_ok(r["audit"])
                and (r["lifetime"] is None if pypy
                     else time_ok(r["lifetime"]))
                and (r["floor"] is None
                     if pypy or r["measure"] == "in a C loop"
                     else time_ok(r["floor"])) for r in modes))
    tally.check(complete, "%s: the modes table, %s against the default%s"
                % (name, "audit" if pypy else "audit and lifetime-safe",
                   "" if pypy else ", the pending-call floor"),
                repr(modes))


def main():
    tally = harness.Tally("bench")
    interps = harness.all_interpreters(tally, "bench", minimum=(3, 6))
    with concurrent.futures.ThreadPoolExecutor(2) as pool:
        jobs = [(i, pool.submit(check, i)) for i in interps]
        for interp, job in jobs:
            result, out = job.result()
            verify(tally, interp, result, out)
    return tally.finish()


if __name__ == "__main__":
    sys.exit(main())
