#!/usr/bin/env python3
"""Run oldbuffer's whole test matrix: every interpreter this machine has.

    python3 tests/runtests.py              # everything (`make check`)
    python3 tests/runtests.py --list       # the interpreters it would use
    python3 tests/runtests.py --only 3.12 --only pypy   # a subset
    python3 tests/runtests.py --no-suites  # the differential matrix only
    python3 tests/runtests.py --no-suites --save-outcomes DIR
                                           # and each interpreter's outcomes
                                           # in DIR/<tag>.json (compare two
                                           # such DIRs: compare_outcomes.py)

Interpreters come from two places:
  * pyenv: every ~/.pyenv/versions/<X.Y.Z>/bin/python (2.7, 3.6 ... 3.13);
  * the Debian sid chroot that tools/sid-chroot.sh creates once and caches
    outside the repository: CPython 3.13, 3.14, 3.15, their debug builds
    3.13d, 3.14d and 3.15d (run with -X dev and total-refcount leak
    checks) and PyPy 3.

Step 1, the differential matrix: on each interpreter, tests/run_one.sh
builds tests/ext/_testoldbuffer.c as C and as C++ and runs
tests/test_oldbuffer.py (oldbuffer against the interpreter's own
functions).  One line per interpreter.
Step 2, the suites: every tests/suites/suite_*.py (compile matrix,
examples, legacy procs, ...; see tests/harness.py for what a suite is).

Interpreters that could not run are listed loudly; under CI=true each
counts as a failure.  The last line is the total over everything:
"N passed, N failed, N skipped".
"""
from __future__ import print_function

import argparse
import concurrent.futures
import glob
import json
import os
import re
import shutil
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness  # noqa: E402
from harness import say  # noqa: E402


def outcomes_file(interp):
    """Where test_oldbuffer.py writes this interpreter's outcomes, as
    (its side's path, the host's path)."""
    name = "outcomes-%s.json" % interp.tag
    if interp.where == "chroot":
        return ("/oldbuffer/build/" + name, os.path.join(
            harness.chroot_root(), "oldbuffer", "build", name))
    path = os.path.join(harness.TOP, "build", name)
    return path, path


def run_differential(interp, verbose, save_outcomes=None):
    out = interp.path("build", interp.tag)
    argv = ["sh", interp.path("tests", "run_one.sh"), interp.python,
            out] + interp.options
    side_file, host_file = outcomes_file(interp)
    if save_outcomes:
        # (Through env(1): the chroot starts from an empty environment.)
        argv = ["env", "OLDBUFFER_OUTCOMES=" + side_file] + argv
        if os.path.exists(host_file):
            os.remove(host_file)
    env = dict(os.environ)
    if verbose:
        env["OLDBUFFER_VERBOSE"] = "2"
    t0 = time.time()
    code, output = harness.run(interp.argv(argv), timeout=900, env=env)
    if save_outcomes and os.path.exists(host_file):
        shutil.copy(host_file,
                    os.path.join(save_outcomes, interp.tag + ".json"))
    result = None
    for line in output.splitlines():
        if line.startswith("OLDBUFFER-RESULT "):
            result = json.loads(line[len("OLDBUFFER-RESULT "):])
    return code, output, result, time.time() - t0


# The stable-ABI builds: (module name, headers of pyenv X.Y,
# Py_LIMITED_API).  Each is loaded by every CPython 3 at least as new as
# its headers, and compared with the full-API build there.
ABI3_BUILDS = [
    ("_ob_abi3_36", "3.6", 0x03060000),   # no Py_buffer: the native path
    ("_ob_abi3_32", "3.13", 0x03020000),  # the same from 3.13's headers,
                                          # which no longer declare them
    ("_ob_abi3_311", "3.13", 0x030B0000),  # the limited Py_buffer path
]


def build_abi3():
    """Build the abi3 modules on the host into build/abi3 (and the
    chroot's copy of it).  Returns a list of failure descriptions."""
    out = os.path.join(harness.TOP, "build", "abi3")
    os.makedirs(out, exist_ok=True)
    minimum, problems = {}, []
    for name, headers, limited in ABI3_BUILDS:
        interp = harness.pyenv(headers)
        if interp is None:
            problems.append("%s: no pyenv %s for its headers"
                            % (name, headers))
            continue
        code, inc = harness.run([interp.python, "-c", "import sysconfig; "
                                 "print(sysconfig.get_paths()['include'])"])
        code, output = harness.run([
            "gcc", "-std=c99", "-O2", "-Wall", "-Wextra", "-Werror",
            "-Wconversion", "-shared", "-fPIC",
            "-I" + os.path.join(harness.TOP, "include"),
            "-I" + harness.EXT, "-I" + inc.strip(),
            "-DPy_LIMITED_API=0x%08X" % limited, "-DOB_MODNAME=" + name,
            os.path.join(harness.EXT, "_testoldbuffer_abi3.c"),
            "-o", os.path.join(out, name + ".abi3.so")])
        if code != 0:
            problems.append("%s: build failed\n%s" % (name, output))
            continue
        minimum[name] = [int(x) for x in headers.split(".")]
    with open(os.path.join(out, "abi3.json"), "w") as f:
        json.dump(minimum, f)
    dest = os.path.join(harness.chroot_root(), "oldbuffer", "build", "abi3")
    if os.path.isdir(os.path.dirname(os.path.dirname(dest))):
        if os.path.isdir(dest):
            shutil.rmtree(dest)
        shutil.copytree(out, dest)
    return problems


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--only", action="append", default=[],
                    help="only interpreters whose tag starts with this "
                         "(skips the suites)")
    ap.add_argument("--suite", action="append", default=[],
                    help="only this suite (tests/suites/suite_NAME.py)")
    ap.add_argument("--no-chroot", action="store_true",
                    help="do not create or use the sid chroot")
    ap.add_argument("--no-suites", action="store_true")
    ap.add_argument("--list", action="store_true")
    ap.add_argument("--save-outcomes", metavar="DIR",
                    help="write each interpreter's differential outcomes "
                         "to DIR/<tag>.json (tests/compare_outcomes.py "
                         "compares two such directories)")
    ap.add_argument("-j", "--jobs", type=int, default=2)
    ap.add_argument("-v", "--verbose", action="store_true")
    args = ap.parse_args()

    interps = harness.pyenv_interpreters()
    skipped = []
    chroot_failed = None
    have = set(".".join(i.tag.split(".")[:2]) for i in interps)
    skipped += [(v, "not found under ~/.pyenv/versions")
                for v in harness.EXPECTED_PYENV if v not in have]
    if args.no_chroot:
        skipped += [(t, "--no-chroot") for t, _, _ in harness.SID_PYTHONS]
    else:
        say("== sid chroot (tools/sid-chroot.sh)")
        why = None if args.list else harness.ensure_chroot()
        chroot_failed = why
        if why:
            skipped += [(t, why) for t, _, _ in harness.SID_PYTHONS]
        else:
            found, missing = harness.sid_interpreters()
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
    if args.save_outcomes:
        args.save_outcomes = os.path.abspath(args.save_outcomes)
        if not os.path.isdir(args.save_outcomes):
            os.makedirs(args.save_outcomes)
    if not args.suite:
        for problem in build_abi3():
            failed += 1
            say("FAIL stable-ABI build: " + problem)
        say("== differential matrix on %d interpreters (%d at a time)"
            % (len(interps), args.jobs))
        with concurrent.futures.ThreadPoolExecutor(args.jobs) as pool:
            jobs = [(i, pool.submit(run_differential, i, args.verbose,
                                    args.save_outcomes))
                    for i in interps]
            for interp, job in jobs:
                code, output, result, secs = job.result()
                if result is None:
                    failed += 1
                    say("FAIL %-10s %-6s the suite did not run (exit %s)"
                        % (interp.tag, interp.where, code))
                    say(output[-6000:])
                    continue
                ok = result["failures"] == 0 and code == 0
                if args.save_outcomes and not result.get("snapshot"):
                    ok = False
                    failed += 1
                    say("FAIL %s: no outcomes saved" % interp.tag)
                passed += (result["tests"] - result["failures"]
                           - result["skipped"])
                failed += result["failures"] + (0 if code == 0 or
                                                result["failures"] else 1)
                nskipped += result["skipped"]
                say("%s %-10s %-6s Python %-18s %4d tests, %4d differential"
                    " cases, %d object kinds x 4 calls, impl=%s, %d abi3"
                    " cases%s%s (%.0f s)"
                    % ("PASS" if ok else "FAIL", interp.tag, interp.where,
                       result["python"], result["tests"],
                       result["differential"], result["kinds"],
                       result["impl"], result["abi3"],
                       ", numpy" if result["numpy"] else "",
                       ", %d outcomes saved" % result["snapshot"]
                       if result.get("snapshot") else "", secs))
                if not ok or args.verbose:
                    say(output[-20000:])

    if not args.only and not args.no_suites:
        suites = sorted(glob.glob(os.path.join(harness.SUITES,
                                               "suite_*.py")))
        names = dict((re.sub(r"^suite_|\.py$", "", os.path.basename(s)), s)
                     for s in suites)
        if args.suite:
            suites = [names[n] for n in args.suite if n in names]
        # A suite asked for but not there, or no suite at all (a moved
        # folder), must not pass as "nothing failed".
        for name in [n for n in args.suite if n not in names] or (
                [] if names else ["(none in %s)" % harness.SUITES]):
            failed += 1
            say("FAIL no suite %s" % name)
        for path in suites:
            name = os.path.basename(path)
            say("== %s" % name)
            t0 = time.time()
            env = dict(os.environ)
            if args.no_chroot:
                env["OLDBUFFER_NO_CHROOT"] = "1"
            elif chroot_failed:
                env["OLDBUFFER_CHROOT_FAILED"] = chroot_failed
            else:
                env["OLDBUFFER_CHROOT_READY"] = "1"
            code, output = harness.run([sys.executable, path], env=env,
                                       timeout=1800)
            m = None
            for line in output.splitlines():
                say("   " + line)
                m = re.match(r"^\S.*?: (\d+) passed, (\d+) failed"
                             r"(?:, (\d+) skipped)?$", line) or m
            if m:
                passed += int(m.group(1))
                failed += int(m.group(2))
                nskipped += int(m.group(3) or 0)
            if code != 0 and not (m and int(m.group(2))):
                failed += 1
                say("   (%s exited %s without reporting failures)"
                    % (name, code))
            say("   (%.0f s)" % (time.time() - t0))

    if skipped:
        say("")
        say("!! SKIPPED INTERPRETERS (%d)%s:" % (
            len(skipped), " -- counted as failures because CI=true"
            if harness.CI else ""))
        for tag, why in skipped:
            say("!!   %-10s %s" % (tag, why))
        if harness.CI:
            failed += len(skipped)
    say("")
    say("%d passed, %d failed, %d skipped" % (passed, failed, nskipped))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
