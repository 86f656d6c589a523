"""Measure oldbuffer's four calls on the interpreter running this script.

    OLDBUFFER_BENCH_BUILD=<dir holding _bench*.so> python bench/bench.py \
        [iterations] [samples]

bench/run.py builds the _bench extension (bench/_bench.c; and its mode
builds _bench_audit and _bench_lifetime) and runs this script on each
interpreter; run it by hand the same way.  For every object kind and call
it times the three implementations -- the interpreter's own ("native"),
OldBuffer_* ("oldbuffer") and the direct code for that type ("limit") --
`samples` times each, interleaved in one process, `iterations` calls per
sample in a C loop, and keeps the minimum.  Two workloads: one object
called again and again, and 16 objects of the kind in turn (the "many
small buffers" of a hashing or parsing loop).  Then the modes: the same
read call with OLDBUFFER_AUDIT and OLDBUFFER_LIFETIME_SAFE against the
default, per call in a C loop and per call of a C function making one
call.  It prints Markdown tables of ns/call and ratios, and a last line
"OLDBUFFER-BENCH <json>" for bench/run.py.
"""
from __future__ import print_function

import array
import json
import mmap
import os
import platform
import sys
import time
import warnings

# (bench/run.py imports this file for row() and table() alone: the
# extensions and numpy are imported by main().)
_bench = numpy = None
MODES = {}   # "audit" / "lifetime": the mode build of _bench, if built

CALLS = ("char", "read", "write", "check")
NAMES = {"char": "AsCharBuffer", "read": "AsReadBuffer",
         "write": "AsWriteBuffer", "check": "CheckReadBuffer"}
NATIVE, OLDBUFFER, LIMIT = 0, 1, 2
LIMIT_BYTES, LIMIT_BYTEARRAY, LIMIT_SLOTS, LIMIT_NO_BUFFER = range(4)
SIZE = 4096
WORKLOADS = (1, 16)   # objects in turn
MODE_KINDS = ("bytes", "bytearray", "memoryview", "array.array", "mmap")

# The speed targets (README, Performance).  bytes and bytearray:
# As*Buffer at most 0.5x native and within 2x of the limit.  Everything
# else (and CheckReadBuffer on bytes/bytearray): at most 1.05x native.
FAST_KINDS = ("bytes", "bytearray")


def objects():
    """(kind, a function making one such object, how the limit reads
    it)."""
    objs = [
        ("bytes", lambda: b"x" * SIZE, LIMIT_BYTES),
        ("bytearray", lambda: bytearray(SIZE), LIMIT_BYTEARRAY),
        ("memoryview", lambda: memoryview(bytearray(SIZE)), LIMIT_SLOTS),
        ("array.array", lambda: array.array("B", bytes(SIZE)), LIMIT_SLOTS),
        ("mmap", lambda: mmap.mmap(-1, SIZE), LIMIT_SLOTS),
    ]
    if numpy is not None:
        objs.append(("numpy", lambda: numpy.zeros(SIZE, dtype=numpy.uint8),
                     LIMIT_SLOTS))
    # (int("..."): a new object each time; 42 would be one shared object.)
    objs.append(("int (no buffer)", lambda: int("42" * 10), LIMIT_NO_BUFFER))
    return objs


def target(kind, call, ratio_native, ratio_limit):
    """(target text, met?) for one row."""
    if kind in FAST_KINDS and call != "check":
        return ("<=0.5x native, <=2x limit",
                ratio_native <= 0.5 and ratio_limit <= 2.0)
    return "<=1.05x native", ratio_native <= 1.05


def row(kind, call, native, ours, limit, workload=1):
    """One result row: times in ns/call, ratios, target."""
    rn, rl = ours / native, ours / limit
    text, met = target(kind, call, rn, rl)
    return {"kind": kind, "call": call, "objects": workload,
            "native": native, "oldbuffer": ours, "limit": limit,
            "ratio_native": rn, "ratio_limit": rl, "target": text,
            "met": met}


# The modes' target: at most 1.5x the default.
MODE_TARGET = 1.5


def mode_row(kind, measure, default, audit, lifetime, floor=None):
    """One row of the modes table (None: that mode was not built).  floor:
    the default call plus one pending call (Py_AddPendingCall), which is
    how the lifetime-safe mode releases, per C function; None in a C loop
    (one pending call for the whole loop)."""
    r = {"kind": kind, "measure": measure, "default": default,
         "floor": floor,
         "floor_ratio": None if floor is None else floor / default}
    for mode, ns in (("audit", audit), ("lifetime", lifetime)):
        r[mode] = ns
        r[mode + "_ratio"] = None if ns is None else ns / default
    r["met"] = all(r[m + "_ratio"] <= MODE_TARGET
                   for m in ("audit", "lifetime") if r[m] is not None)
    return r


def table(rows, workload=1):
    """The Markdown table of the rows of one workload, as lines."""
    lines = ["| object | call | native ns | OldBuffer ns | limit ns "
             "| OldBuffer/native | OldBuffer/limit | target |",
             "|---|---|--:|--:|--:|--:|--:|---|"]
    for r in rows:
        if r.get("objects", 1) != workload:
            continue
        lines.append("| %s | %s | %.2f | %.2f | %.2f | %.2fx | %.2fx | %s %s |"
                     % (r["kind"], NAMES[r["call"]], r["native"],
                        r["oldbuffer"], r["limit"], r["ratio_native"],
                        r["ratio_limit"], "ok" if r["met"] else "MISSED",
                        r["target"]))
    return lines


def workload_title(workload):
    if workload == 1:
        return "One object, called again and again (ns per call)"
    return ("%d objects of the kind in turn, the many small buffers of a "
            "hashing or parsing loop (ns per call)" % workload)


def modes_table(rows):
    """The Markdown table of the modes, as lines."""
    def cell(r, mode):
        if r[mode] is None:
            return "-", "-"
        return "%.2f" % r[mode], "%.2fx" % r[mode + "_ratio"]
    lines = ["| object | AsReadBuffer | default ns | audit ns | audit/default "
             "| lifetime-safe ns | lifetime-safe/default "
             "| pending-call floor ns | floor/default | target |",
             "|---|---|--:|--:|--:|--:|--:|--:|--:|---|"]
    for r in rows:
        a, ar = cell(r, "audit")
        l, lr = cell(r, "lifetime")
        f, fr = cell(r, "floor")
        lines.append("| %s | %s | %.2f | %s | %s | %s | %s | %s | %s "
                     "| %s <=%.1fx |"
                     % (r["kind"], r["measure"], r["default"], a, ar, l, lr,
                        f, fr, "ok" if r["met"] else "MISSED", MODE_TARGET))
    return lines


def measure_row(objs, call, how, iterations, samples):
    best = [float("inf")] * 3
    for _ in range(samples):
        # Interleaved: a slow moment of the machine hits all three.
        for impl in (NATIVE, OLDBUFFER, LIMIT):
            ns = _bench.measure(CALLS.index(call), impl, objs, how,
                                iterations)
            best[impl] = min(best[impl], ns / iterations)
    return best


def time_c_function(module, obj, calls, name="one_call"):
    """ns per Python call of module.one_call(read, obj) (or the function
    named name), loop included."""
    f, read = getattr(module, name), CALLS.index("read")
    rounds = range(calls // 8)
    t0 = time.perf_counter()
    for _ in rounds:
        f(read, obj); f(read, obj); f(read, obj); f(read, obj)
        f(read, obj); f(read, obj); f(read, obj); f(read, obj)
    return (time.perf_counter() - t0) * 1e9 / (len(rounds) * 8)


def measure_modes(iterations, samples):
    """Rows of the modes table: per call in a C loop over 16 objects, and
    per call of a C function making one call."""
    modules = [("default", _bench)] + sorted(MODES.items())
    read = CALLS.index("read")
    rows = []
    for kind, make, how in objects():
        if kind not in MODE_KINDS:
            continue
        objs = tuple(make() for _ in range(16))
        loop = dict((name, float("inf")) for name, _ in modules)
        func = dict(loop)
        floor = float("inf") if "lifetime" in MODES else None
        for _ in range(samples):
            for name, module in modules:
                ns = module.measure(read, OLDBUFFER, objs, how, iterations)
                loop[name] = min(loop[name], ns / iterations)
                func[name] = min(func[name],
                                 time_c_function(module, objs[0],
                                                 iterations // 10))
            if floor is not None:
                floor = min(floor, time_c_function(
                    _bench, objs[0], iterations // 10, "one_call_pending"))
        for measure, best, low in (("in a C loop", loop, None),
                                   ("a C function making one", func, floor)):
            rows.append(mode_row(kind, measure, best["default"],
                                 best.get("audit"), best.get("lifetime"),
                                 low))
    return rows


def main():
    global _bench, numpy
    build = os.environ.get("OLDBUFFER_BENCH_BUILD")
    if build:
        sys.path.insert(0, build)
    import _bench
    for mode in ("audit", "lifetime"):
        try:
            MODES[mode] = __import__("_bench_" + mode)
        except ImportError:
            pass
    # The audit warns once per call site: not part of what is measured.
    warnings.simplefilter("ignore")
    try:
        import numpy
    except ImportError:
        numpy = None
    iterations = int(sys.argv[1]) if len(sys.argv) > 1 else 200000
    samples = int(sys.argv[2]) if len(sys.argv) > 2 else 11
    pypy = hasattr(sys, "pypy_version_info")
    python = (sys.version.split()[0] + (" pypy" if pypy else "")
              + (" debug" if hasattr(sys, "gettotalrefcount") else ""))
    rows = []
    for kind, make, how in objects():
        for workload in WORKLOADS:
            objs = tuple(make() for _ in range(workload))
            for call in CALLS:
                best = measure_row(objs, call, how, iterations, samples)
                rows.append(row(kind, call, *best, workload=workload))
    mode_rows = measure_modes(iterations, samples) if MODES else []
    print("Python %s, %s, fast paths %s, %d calls x %d samples (min)"
          % (python, platform.machine(),
             "on" if _bench.FAST_PATHS else "off", iterations, samples))
    for workload in WORKLOADS:
        print("")
        print(workload_title(workload))
        print("")
        print("\n".join(table(rows, workload)))
    if mode_rows:
        print("")
        print("\n".join(modes_table(mode_rows)))
    print("")
    print("OLDBUFFER-BENCH " + json.dumps(
        {"python": python, "fast_paths": bool(_bench.FAST_PATHS),
         "rows": rows, "modes": mode_rows}, sort_keys=True))
    return 0


if __name__ == "__main__":
    sys.exit(main())
