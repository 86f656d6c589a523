"""Measure oldbuffer's four calls on the interpreter running this script.

    OLDBUFFER_BENCH_BUILD=<dir holding _bench*.so> python bench/bench.py \
        [iterations] [samples]

bench/run.py builds the _bench extension (bench/_bench.c) and runs this
script on each interpreter; run it by hand the same way.  For every
object kind and call it times the three implementations -- the
interpreter's own ("native"), OldBuffer_* ("oldbuffer") and the direct
code for that type ("limit") -- `samples` times each, interleaved in one
process, `iterations` calls per sample in a C loop, and keeps the
minimum.  It prints a Markdown table of ns/call and ratios, and a last
line "OLDBUFFER-BENCH <json>" for bench/run.py.
"""
from __future__ import print_function

import array
import json
import mmap
import os
import platform
import sys

# (bench/run.py imports this file for row() and table() alone: the
# extension and numpy are imported by main().)
_bench = numpy = None

CALLS = ("char", "read", "write", "check")
NAMES = {"char": "AsCharBuffer", "read": "AsReadBuffer",
         "write": "AsWriteBuffer", "check": "CheckReadBuffer"}
NATIVE, OLDBUFFER, LIMIT = 0, 1, 2
LIMIT_BYTES, LIMIT_BYTEARRAY, LIMIT_SLOTS, LIMIT_NO_BUFFER = range(4)
SIZE = 4096

# The targets of issue 6.  bytes and bytearray: As*Buffer at most 0.5x
# native and within 2x of the limit.  Everything else (and
# CheckReadBuffer on bytes/bytearray): at most 1.05x native.
FAST_KINDS = ("bytes", "bytearray")


def objects():
    """(kind, object, how the limit reads it)."""
    objs = [
        ("bytes", b"x" * SIZE, LIMIT_BYTES),
        ("bytearray", bytearray(SIZE), LIMIT_BYTEARRAY),
        ("memoryview", memoryview(bytearray(SIZE)), LIMIT_SLOTS),
        ("array.array", array.array("B", bytes(SIZE)), LIMIT_SLOTS),
        ("mmap", mmap.mmap(-1, SIZE), LIMIT_SLOTS),
    ]
    if numpy is not None:
        objs.append(("numpy", numpy.zeros(SIZE, dtype=numpy.uint8),
                     LIMIT_SLOTS))
    objs.append(("int (no buffer)", 42, LIMIT_NO_BUFFER))
    return objs


def target(kind, call, ratio_native, ratio_limit):
    """(target text, met?) for one row."""
    if kind in FAST_KINDS and call != "check":
        return ("<=0.5x native, <=2x limit",
                ratio_native <= 0.5 and ratio_limit <= 2.0)
    return "<=1.05x native", ratio_native <= 1.05


def row(kind, call, native, ours, limit):
    """One result row: times in ns/call, ratios, target."""
    rn, rl = ours / native, ours / limit
    text, met = target(kind, call, rn, rl)
    return {"kind": kind, "call": call, "native": native, "oldbuffer": ours,
            "limit": limit, "ratio_native": rn, "ratio_limit": rl,
            "target": text, "met": met}


def table(rows):
    """The Markdown table of rows, as lines."""
    lines = ["| object | call | native ns | OldBuffer ns | limit ns "
             "| OldBuffer/native | OldBuffer/limit | target |",
             "|---|---|--:|--:|--:|--:|--:|---|"]
    for r in rows:
        lines.append("| %s | %s | %.2f | %.2f | %.2f | %.2fx | %.2fx | %s %s |"
                     % (r["kind"], NAMES[r["call"]], r["native"],
                        r["oldbuffer"], r["limit"], r["ratio_native"],
                        r["ratio_limit"], "ok" if r["met"] else "MISSED",
                        r["target"]))
    return lines


def measure_row(obj, call, how, iterations, samples):
    best = [float("inf")] * 3
    for _ in range(samples):
        # Interleaved: a slow moment of the machine hits all three.
        for impl in (NATIVE, OLDBUFFER, LIMIT):
            ns = _bench.measure(CALLS.index(call), impl, obj, how,
                                iterations)
            best[impl] = min(best[impl], ns / iterations)
    return best


def main():
    global _bench, numpy
    build = os.environ.get("OLDBUFFER_BENCH_BUILD")
    if build:
        sys.path.insert(0, build)
    import _bench
    try:
        import numpy
    except ImportError:
        numpy = None
    iterations = int(sys.argv[1]) if len(sys.argv) > 1 else 200000
    samples = int(sys.argv[2]) if len(sys.argv) > 2 else 11
    pypy = hasattr(sys, "pypy_version_info")
    python = (sys.version.split()[0] + (" pypy" if pypy else "")
              + (" debug" if hasattr(sys, "gettotalrefcount") else ""))
    rows = [row(kind, call, *measure_row(obj, call, how, iterations,
                                         samples))
            for kind, obj, how in objects() for call in CALLS]
    print("Python %s, %s, fast paths %s, %d calls x %d samples (min)"
          % (python, platform.machine(),
             "on" if _bench.FAST_PATHS else "off", iterations, samples))
    print("")
    print("\n".join(table(rows)))
    print("")
    print("OLDBUFFER-BENCH " + json.dumps(
        {"python": python, "fast_paths": bool(_bench.FAST_PATHS),
         "rows": rows}, sort_keys=True))
    return 0


if __name__ == "__main__":
    sys.exit(main())
