#!/usr/bin/env python3
"""Run oldbuffer's whole test matrix: every interpreter this machine has.

    python3 tests/runtests.py            # everything (what `make check` runs)
    python3 tests/runtests.py --list     # which interpreters would run
    python3 tests/runtests.py --only 3.12 --only pypy
    python3 tests/runtests.py --no-chroot --no-compile-matrix

Interpreters come from two places:
  * pyenv: every ~/.pyenv/versions/<X.Y.Z>/bin/python (2.7, 3.6 ... 3.13);
  * the Debian sid chroot that tools/sid-chroot.sh creates (once, cached
    outside the repository): CPython 3.13, 3.14, 3.14d (debug build, with
    total-refcount leak checks), 3.15 and PyPy 3.

For each interpreter the test extension is built as C and as C++ and the
differential suite runs (tests/run_one.sh).  Then the compile matrix
(tests/compile_matrix.py) and the stable-ABI check (tests/abi3_check.py)
run.  One line per interpreter; interpreters that could not run are listed
loudly, and under CI=true each of them counts as a failure.  The last line
is the total: "N passed, N failed, N skipped".
"""
from __future__ import print_function

import argparse
import concurrent.futures
import glob
import json
import os
import re
import shutil
import subprocess
import sys
import time

TOP = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BUILD = os.path.join(TOP, "build")
CHROOT_SCRIPT = os.path.join(TOP, "tools", "sid-chroot.sh")
# What the chroot must provide (name, command inside the chroot).
CHROOT_PYTHONS = [
    ("3.13-sid", "python3.13", []),
    ("3.14-sid", "python3.14", []),
    ("3.14d-sid", "python3.14d", ["-X", "dev"]),
    ("3.15-sid", "python3.15", []),
    ("pypy3-sid", "pypy3", []),
]
# The pyenv versions the matrix expects (a missing one is reported).
EXPECTED_PYENV = ["2.7", "3.6", "3.7", "3.8", "3.9", "3.10", "3.11",
                  "3.12", "3.13"]
# Files copied into the chroot (it cannot see the host's tree).
TREE = ["include", "tests", "examples", "tools", "bench"]


class Interp(object):
    def __init__(self, tag, python, where, options=()):
        self.tag = tag            # e.g. "3.12.1" or "3.14d-sid"
        self.python = python      # path or command
        self.where = where        # "pyenv" or "chroot"
        self.options = list(options)


def say(*args):
    print(*args)
    sys.stdout.flush()


def pyenv_interpreters():
    root = os.path.expanduser(os.environ.get("PYENV_ROOT", "~/.pyenv"))
    found = []
    for d in sorted(glob.glob(os.path.join(root, "versions", "*"))):
        name = os.path.basename(d)
        if not re.match(r"^\d+\.\d+\.\d+$", name):
            continue
        py = os.path.join(d, "bin", "python")
        if os.access(py, os.X_OK):
            found.append(Interp(name, py, "pyenv"))
    found.sort(key=lambda i: [int(x) for x in i.tag.split(".")])
    return found


def chroot_root():
    return os.environ.get("OLDBUFFER_CHROOT", "/var/cache/oldbuffer/sid")


def prepare_chroot():
    """Create the chroot if needed and copy the tree into it.
    Returns (interpreters, skipped) where skipped = [(tag, reason)]."""
    if os.geteuid() != 0:
        return [], [(t, "the sid chroot needs root") for t, _, _ in
                    CHROOT_PYTHONS]
    say("== sid chroot: creating or checking (tools/sid-chroot.sh)")
    t0 = time.time()
    proc = subprocess.run(["bash", CHROOT_SCRIPT], stdout=subprocess.PIPE,
                          stderr=subprocess.STDOUT, universal_newlines=True)
    if proc.returncode != 0:
        tail = "\n".join(proc.stdout.splitlines()[-15:])
        say(tail)
        return [], [(t, "sid chroot could not be created") for t, _, _ in
                    CHROOT_PYTHONS]
    say("   ready in %.0f s" % (time.time() - t0))
    root = chroot_root()
    dest = os.path.join(root, "oldbuffer")
    shutil.rmtree(dest, ignore_errors=True)
    os.makedirs(dest)
    for name in TREE:
        src = os.path.join(TOP, name)
        if os.path.isdir(src):
            shutil.copytree(src, os.path.join(dest, name), symlinks=True)
    found, skipped = [], []
    for tag, cmd, opts in CHROOT_PYTHONS:
        if os.path.exists(os.path.join(root, "usr", "bin", cmd)):
            found.append(Interp(tag, cmd, "chroot", opts))
        else:
            skipped.append((tag, "%s not installed in the chroot" % cmd))
    return found, skipped


def chroot_command(argv):
    root = chroot_root()
    return ["chroot", root, "/usr/bin/env", "-i",
            "PATH=/usr/sbin:/usr/bin:/sbin:/bin", "HOME=/root",
            "LANG=C.UTF-8"] + argv


def host_or_chroot(interp, argv):
    return chroot_command(argv) if interp.where == "chroot" else argv


def tree_path(interp, *parts):
    base = "/oldbuffer" if interp.where == "chroot" else TOP
    return os.path.join(base, *parts)


def run_suite(interp, verbose):
    """Build and run the differential suite on one interpreter."""
    out = tree_path(interp, "build", interp.tag)
    argv = ["sh", tree_path(interp, "tests", "run_one.sh"), interp.python,
            out] + interp.options
    env = dict(os.environ)
    if verbose:
        env["OLDBUFFER_VERBOSE"] = "2"
    t0 = time.time()
    proc = subprocess.run(host_or_chroot(interp, argv), env=env,
                          stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                          universal_newlines=True)
    result = None
    for line in proc.stdout.splitlines():
        if line.startswith("OLDBUFFER-RESULT "):
            result = json.loads(line[len("OLDBUFFER-RESULT "):])
    return proc, result, time.time() - t0


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--only", action="append", default=[],
                    help="run only interpreters whose tag starts with this")
    ap.add_argument("--no-chroot", action="store_true",
                    help="do not create or use the sid chroot")
    ap.add_argument("--no-compile-matrix", action="store_true")
    ap.add_argument("--list", action="store_true")
    ap.add_argument("-j", "--jobs", type=int, default=2)
    ap.add_argument("-v", "--verbose", action="store_true")
    args = ap.parse_args()
    ci = os.environ.get("CI") == "true"

    interps = pyenv_interpreters()
    skipped = []
    have = set(".".join(i.tag.split(".")[:2]) for i in interps)
    for v in EXPECTED_PYENV:
        if v not in have:
            skipped.append((v, "not found under ~/.pyenv/versions"))
    if args.no_chroot:
        skipped += [(t, "--no-chroot") for t, _, _ in CHROOT_PYTHONS]
    elif not args.list:
        found, missing = prepare_chroot()
        interps += found
        skipped += missing
    if args.only:
        interps = [i for i in interps
                   if any(i.tag.startswith(o) for o in args.only)]
        skipped = [s for s in skipped
                   if any(s[0].startswith(o) for o in args.only)]
    if args.list:
        for i in interps:
            say(i.tag, i.where, i.python)
        return 0

    passed = failed = nskipped = 0
    lines = []
    say("== differential suite on %d interpreters (%d at a time)"
        % (len(interps), args.jobs))
    with concurrent.futures.ThreadPoolExecutor(args.jobs) as pool:
        futures = [(i, pool.submit(run_suite, i, args.verbose))
                   for i in interps]
        for interp, fut in futures:
            proc, result, secs = fut.result()
            if result is None or proc.returncode != 0 and not result:
                failed += 1
                say("FAIL %-10s %s: the suite did not run (exit %s)"
                    % (interp.tag, interp.where, proc.returncode))
                say(proc.stdout[-4000:])
                continue
            ok = result["failures"] == 0 and proc.returncode == 0
            n_pass = result["tests"] - result["failures"] - result["skipped"]
            passed += n_pass
            failed += result["failures"]
            nskipped += result["skipped"]
            line = ("%s %-10s %-6s Python %-18s %4d tests, %4d differential"
                    " cases over %d object kinds x 4 calls, impl=%s%s"
                    " (%.0f s)" % (
                        "PASS" if ok else "FAIL", interp.tag, interp.where,
                        result["python"], result["tests"],
                        result["differential"], result["kinds"],
                        result["impl"],
                        ", numpy" if result["numpy"] else "", secs))
            lines.append(line)
            say(line)
            if not ok or args.verbose:
                say(proc.stdout[-20000:])

    if not args.no_compile_matrix and not args.only:
        say("== compile matrix (tests/compile_matrix.py)")
        proc = subprocess.run([sys.executable,
                               os.path.join(TOP, "tests",
                                            "compile_matrix.py")]
                              + (["--no-chroot"] if args.no_chroot else []),
                              stdout=subprocess.PIPE,
                              stderr=subprocess.STDOUT,
                              universal_newlines=True)
        m = None
        for line in proc.stdout.splitlines():
            say("   " + line)
            m = re.match(r"^compile matrix: (\d+) passed, (\d+) failed", line)
            if m:
                passed += int(m.group(1))
                failed += int(m.group(2))
        if proc.returncode != 0 and not m:
            failed += 1

    if skipped:
        say("")
        say("!! SKIPPED INTERPRETERS (%d)%s:" % (
            len(skipped), " -- counted as failures because CI=true"
            if ci else ""))
        for tag, why in skipped:
            say("!!   %-10s %s" % (tag, why))
        if ci:
            failed += len(skipped)
    say("")
    say("%d passed, %d failed, %d skipped" % (passed, failed, nskipped))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
