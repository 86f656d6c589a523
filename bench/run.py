#!/usr/bin/env python3
"""Benchmark oldbuffer's four calls against the interpreter's own (`make bench`).

    python3 bench/run.py                      # 3.12, 3.13 (pyenv), 3.14 (sid)
    python3 bench/run.py --only 3.11 --only 3.15-sid   # others (tag prefixes)
    python3 bench/run.py --no-fast-paths      # build with OLDBUFFER_NO_FAST_PATHS
    make bench BENCH_ONLY="3.12 3.14-sid"     # the same through make

For each interpreter it builds bench/_bench.c the way setuptools builds an
extension (the interpreter's own CFLAGS, plus -Werror) into
build/bench/<tag>/ -- three times: the default, and with the audit and
the lifetime-safe mode (_bench_audit, _bench_lifetime; the latter not on
PyPy, where that mode is an #error) -- and runs bench/bench.py there:
nanoseconds per call of the interpreter's own function, OldBuffer_* and
the direct code for each type ("limit"), on one object and on 16 in
turn, then the modes against the default; min of several interleaved
samples of 200,000 calls each, in three processes per interpreter (the
minimum over all: where the code lands in memory differs between
processes), one interpreter at a time.  It prints the tables per
interpreter, then which targets held.

Timings are for this machine at this moment; only the ratios are meant to
be compared.  Nothing here is a test: it always exits 0 unless an
interpreter could not build or run the benchmark.
"""
from __future__ import print_function

import argparse
import json
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.dirname(
    os.path.abspath(__file__))), "tests"))
import harness  # noqa: E402
from harness import say  # noqa: E402
import bench  # noqa: E402  (bench/bench.py: row(), table())

DEFAULT = ("3.12", "3.13", "3.14-sid")

# Run inside the interpreter: its compiler flags and extension suffix.
CONFIG = ("import sysconfig, importlib.machinery as m; "
          "print(sysconfig.get_paths()['include']); "
          "print(sysconfig.get_config_var('CFLAGS') or ''); "
          "print(sysconfig.get_config_var('CCSHARED') or '-fPIC'); "
          "print(m.EXTENSION_SUFFIXES[0])")


def select(only):
    """The interpreters to run, and [(selection, why)] not found."""
    pyenv = harness.pyenv_interpreters()
    sid = []
    wanted = list(only) or list(DEFAULT)
    if any(w.endswith("-sid") or w.startswith("pypy") for w in wanted) \
            or only:
        why = harness.ensure_chroot()
        if why is None:
            sid = harness.sid_interpreters()[0]
    chosen, missing = [], []
    for w in wanted:
        if not only and w in ("3.12", "3.13"):
            # The default means the pyenv builds of 3.12 and 3.13.
            match = [harness.pyenv(w)] if harness.pyenv(w) else []
        else:
            match = [i for i in pyenv + sid if i.tag.startswith(w)]
        match = [i for i in match if i.version() >= (3, 6)
                 and i not in chosen]
        if not match:
            missing.append((w, "no such interpreter (Python 3 only)"))
        chosen += match
    return chosen, missing


def build(interp, fast_paths):
    """Build _bench for interp; return (build dir or None, output)."""
    code, out = harness.run(interp.argv([interp.python, "-c", CONFIG]),
                            timeout=120)
    if code != 0:
        return None, out
    include, cflags, ccshared, suffix = out.splitlines()[-4:]
    tag = interp.tag + ("" if fast_paths else "-nofast")
    outdir = interp.path("build", "bench", tag)
    os.makedirs(os.path.join(harness.TOP, "build", "bench", tag)
                if interp.where == "pyenv" else
                os.path.join(harness.chroot_root(), outdir.lstrip("/")),
                exist_ok=True)
    variants = [("_bench", [])]
    if fast_paths:
        variants.append(("_bench_audit", ["-DBENCH_MODE_AUDIT"]))
        if not interp.tag.startswith("pypy"):
            variants.append(("_bench_lifetime", ["-DBENCH_MODE_LIFETIME"]))
    outs = []
    for name, flags in variants:
        argv = (["cc"] + cflags.split() + ccshared.split()
                + ["-std=c99", "-Wextra", "-Werror", "-Wconversion",
                   "-shared", "-I" + interp.path("include"), "-I" + include]
                + ([] if fast_paths else ["-DOLDBUFFER_NO_FAST_PATHS"])
                + flags + [interp.path("bench", "_bench.c"),
                           "-o", os.path.join(outdir, name + suffix)])
        code, out = harness.run(interp.argv(argv), timeout=300)
        outs.append(out)
        if code != 0:
            return None, "\n".join(outs)
    return outdir, "\n".join(outs)


def run_once(interp, outdir, args):
    """Run bench/bench.py once; its result, or None (output shown)."""
    env = dict(os.environ, OLDBUFFER_BENCH_BUILD=outdir)
    argv = interp.argv([interp.python, interp.path("bench", "bench.py"),
                        str(args.iterations), str(args.samples)])
    if interp.where == "chroot":
        # env -i: the variable goes through the command line.
        at = argv.index("LANG=C.UTF-8") + 1
        argv.insert(at, "OLDBUFFER_BENCH_BUILD=" + outdir)
    code, out = harness.run(argv, timeout=1800, env=env)
    for line in out.splitlines():
        if line.startswith("OLDBUFFER-BENCH ") and code == 0:
            return json.loads(line[len("OLDBUFFER-BENCH "):])
    say(out)
    say("(the benchmark failed, exit %s)" % code)
    return None


def merge(runs):
    """One result from several processes: per row, each implementation's
    minimum, and the ratios and targets of those."""
    rows, modes = [], []
    for i, first in enumerate(runs[0]["rows"]):
        best = [min(r["rows"][i][impl] for r in runs)
                for impl in ("native", "oldbuffer", "limit")]
        rows.append(bench.row(first["kind"], first["call"], *best,
                              workload=first["objects"]))
    for i, first in enumerate(runs[0]["modes"]):
        best = [None if first.get(m) is None
                else min(r["modes"][i][m] for r in runs)
                for m in ("default", "audit", "lifetime", "floor")]
        modes.append(bench.mode_row(first["kind"], first["measure"], *best))
    return dict(runs[0], rows=rows, modes=modes)


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--only", action="append", default=[],
                    help="interpreters whose tag starts with this "
                         "(repeatable; default: %s)" % " ".join(DEFAULT))
    ap.add_argument("--iterations", type=int, default=200000)
    ap.add_argument("--samples", type=int, default=11)
    ap.add_argument("--runs", type=int, default=3,
                    help="processes per interpreter; the table keeps the "
                         "minimum over all (code placement differs from "
                         "one process to the next)")
    ap.add_argument("--no-fast-paths", action="store_true",
                    help="build with -DOLDBUFFER_NO_FAST_PATHS")
    args = ap.parse_args()
    only = [w for arg in args.only for w in arg.split()]

    interps, missing = select(only)
    for what, why in missing:
        say("!! %s: %s" % (what, why))
    say("Machine: %s, %d CPUs" % (" ".join(os.uname()[i] for i in (0, 2, 4)),
                                  os.cpu_count()))
    failed, results = 0, []
    for interp in interps:
        say("")
        say("## %s (%s)" % (interp.tag, interp.where))
        outdir, out = build(interp, not args.no_fast_paths)
        if outdir is None:
            failed += 1
            say("build failed:\n" + out)
            continue
        runs = [run_once(interp, outdir, args)
                for _ in range(max(1, args.runs))]
        if any(r is None for r in runs):
            failed += 1
            continue
        result = merge(runs)
        say("Python %s, fast paths %s, %d calls x %d samples x %d "
            "processes (min)" % (result["python"],
                                 "on" if result["fast_paths"] else "off",
                                 args.iterations, args.samples, len(runs)))
        for workload in bench.WORKLOADS:
            say("")
            say(bench.workload_title(workload))
            say("")
            say("\n".join(bench.table(result["rows"], workload)))
        if result["modes"]:
            say("")
            say("Modes, against the default (ns per call)")
            say("")
            say("\n".join(bench.modes_table(result["modes"])))
        results.append((interp, result))

    say("")
    say("## Targets")
    for interp, result in results:
        missed = [r for r in result["rows"] if not r["met"]]
        missed_modes = [r for r in result["modes"] if not r["met"]]
        total = len(result["rows"]) + len(result["modes"])
        say("%-10s %d of %d rows met their target%s"
            % (interp.tag, total - len(missed) - len(missed_modes), total,
               ":" if missed or missed_modes else ""))
        for r in missed:
            floor = ""
            if r["limit"] / r["native"] > 1.05:
                floor = "; the limit itself is %.2fx native" % (
                    r["limit"] / r["native"])
            say("           MISSED %s %s, %d object%s: %.2fx native, %.2fx "
                "limit (target %s%s)"
                % (r["kind"], r["call"], r["objects"],
                   "" if r["objects"] == 1 else "s", r["ratio_native"],
                   r["ratio_limit"], r["target"], floor))
        for r in missed_modes:
            floor = ""
            if r["floor"] is not None:
                floor = "; one pending call alone makes it %.2fx" % (
                    r["floor_ratio"])
            say("           MISSED modes, %s, %s call: audit %s, "
                "lifetime-safe %s (target <=%.1fx default%s)"
                % (r["kind"], r["measure"],
                   "-" if r["audit"] is None else "%.2fx" % r["audit_ratio"],
                   "-" if r["lifetime"] is None
                   else "%.2fx" % r["lifetime_ratio"], bench.MODE_TARGET,
                   floor))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
