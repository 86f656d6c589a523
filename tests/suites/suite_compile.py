#!/usr/bin/env python3
"""The compile matrix: oldbuffer.h must add no warning anywhere.

tests/ext/compile_check.c (legacy code using the four calls, plus
oldbuffer's own names and function pointers of the documented types) is
compiled with

  compilers   gcc 12 and clang 14 on the host; the sid chroot's gcc
  standards   C99, C11, C17, C23 and C++11, C++14, C++17, C++20, C++23
              (each where the compiler knows it)
  headers     CPython 2.7, 3.6, 3.10, 3.12, 3.13 (pyenv); 3.14, 3.14d,
              3.15 (sid)
  limited API off; Py_LIMITED_API=0x03020000 (no Py_buffer: the stable-ABI
              path); 0x030B0000 (limited Py_buffer); the headers' own
              version

with -Wall -Wextra -Werror -Wconversion, plus -pedantic and the strict
set (-Wshadow -Wcast-qual -Wundef; C: -Wstrict-prototypes
-Wmissing-prototypes; C++: -Wzero-as-null-pointer-constant) where
Python.h alone compiles cleanly with them.  tests/ext/compile_baseline.c
(Python.h alone) is compiled first with the same flags, strictest first:
where Python's own headers fail even the plain set, the combination is
"not applicable" (counted and listed, not a pass); where only the extra
flags trip them, the check runs without those.
"""
from __future__ import print_function

import concurrent.futures
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.dirname(  # tests/: harness.py
    os.path.abspath(__file__))))
import harness  # noqa: E402
from harness import say  # noqa: E402

C_STDS = ["c99", "c11", "c17", "c2x"]
CXX_STDS = ["c++11", "c++14", "c++17", "c++20", "c++23|c++2b"]
WARN = ["-Wall", "-Wextra", "-Werror", "-Wconversion"]
# Stricter still, where Python.h itself allows it (older headers trip
# -Wcast-qual or -Wundef, for one): the combination then falls back.
WARN_STRICT = ["-Wshadow", "-Wcast-qual", "-Wundef"]
WARN_LANG = {"c": ["-Wstrict-prototypes", "-Wmissing-prototypes"],
             "c++": ["-Wzero-as-null-pointer-constant"]}
HOST_PYTHONS = ["2.7", "3.6", "3.10", "3.12", "3.13"]
SID_PYTHONS = [("3.14-sid", "python3.14"), ("3.14d-sid", "python3.14d"),
               ("3.15-sid", "python3.15")]


def include_dir(interp):
    code, out = harness.run(interp.argv([
        interp.python, "-c",
        "import sys, sysconfig; print(sysconfig.get_paths()['include']);"
        "print('%08x' % sys.hexversion)"]))
    if code != 0:
        return None, None
    inc, hexv = out.split()[-2:]
    return inc, int(hexv, 16)


def limited_values(hexversion):
    if hexversion < 0x03000000:
        return [None]
    own = hexversion & 0xFFFF0000
    values = [None, 0x03020000]
    if own >= 0x030B0000:
        values.append(0x030B0000)
    if own not in values:
        values.append(own)
    return values


class Side(object):
    """The host or the chroot: its compilers and how to run them."""

    def __init__(self, name, compilers, argv, top):
        self.name, self.compilers, self.argv, self.top = (
            name, compilers, argv, top)

    def compile(self, cc, std, lang, flags, src):
        cmd = [cc, "-std=" + std, "-x", lang] + flags + [
            "-O2", "-c", "-o", "/dev/null",
            os.path.join(self.top, "tests", "ext", src)]
        return harness.run(self.argv(cmd), timeout=120)

    def knows_std(self, cc, std, lang):
        cmd = [cc, "-std=" + std, "-x", lang, "-fsyntax-only", "-"]
        code, _ = harness.run(self.argv(["sh", "-c", " ".join(cmd)
                                         + " </dev/null"]))
        return code == 0


def one_combination(side, cc, std, lang, inc, limited):
    """Compile compile_check.c with the strictest flags under which
    Python.h alone compiles: ("ok" | "fail" | "n/a", output, flags tier)."""
    base = WARN + ["-I" + os.path.join(side.top, "include"), "-I" + inc]
    if limited is not None:
        base.append("-DPy_LIMITED_API=0x%08X" % limited)
    strict = WARN_STRICT + WARN_LANG[lang]
    tiers = (("strict -pedantic", base + strict + ["-pedantic"]),
             ("-pedantic", base + ["-pedantic"]),
             ("strict", base + strict),
             ("", base))
    for tier, flags in tiers:
        code, out = side.compile(cc, std, lang, flags, "compile_baseline.c")
        if code == 0:
            code, out = side.compile(cc, std, lang, flags,
                                     "compile_check.c")
            return ("ok" if code == 0 else "fail"), out, tier
    return "n/a", out, ""


def main():
    tally = harness.Tally("compile matrix")
    jobs = []
    host = Side("host", [("gcc", "g++"), ("clang", "clang++")],
                lambda argv: argv, harness.TOP)
    sides = [(host, [harness.pyenv(v) for v in HOST_PYTHONS])]
    why = harness.ensure_chroot()
    if why is None:
        sid = Side("sid", [("gcc", "g++")], harness.chroot_argv,
                   "/oldbuffer")
        found = dict((i.tag, i) for i in harness.sid_interpreters()[0])
        sides.append((sid, [found.get(tag) for tag, _ in SID_PYTHONS]))
    else:
        tally.skip("sid chroot compilers and headers", why)
    for side, interps in sides:
        for interp in interps:
            if interp is None:
                tally.skip("headers of a missing interpreter", side.name)
                continue
            inc, hexv = include_dir(interp)
            if inc is None:
                tally.fail("%s: cannot read its include directory" % interp)
                continue
            for cc, cxx in side.compilers:
                for lang, comp, stds in (("c", cc, C_STDS),
                                         ("c++", cxx, CXX_STDS)):
                    for spellings in stds:
                        # "a|b": the first spelling the compiler knows.
                        known = [s for s in spellings.split("|")
                                 if side.knows_std(comp, s, lang)]
                        if not known:
                            continue
                        std = known[0]
                        for limited in limited_values(hexv):
                            jobs.append((side, comp, std, lang, inc,
                                         limited, interp.tag))
    say("%d combinations" % len(jobs))
    counts = {"n/a": [], "pedantic": 0, "strict": 0}
    with concurrent.futures.ThreadPoolExecutor(2) as pool:
        futures = [(job, pool.submit(one_combination, *job[:6]))
                   for job in jobs]
        for job, fut in futures:
            side, comp, std, lang, inc, limited, tag = job
            result, out, tier = fut.result()
            name = "%s %s -std=%s Python %s%s%s" % (
                side.name, comp, std, tag,
                " Py_LIMITED_API=0x%08X" % limited if limited else "",
                " " + tier if tier else "")
            if result == "n/a":
                counts["n/a"].append(name)
                continue
            if result == "ok":
                counts["pedantic"] += "-pedantic" in tier
                counts["strict"] += "strict" in tier
            if result == "ok":
                tally.passed += 1
            else:
                tally.fail(name, out)
    say("%d combinations compiled warning-free (%d of them with -pedantic,"
        " %d with the strict set)"
        % (tally.passed, counts["pedantic"], counts["strict"]))
    if counts["n/a"]:
        say("%d not applicable: Python.h itself does not compile there:"
            % len(counts["n/a"]))
        for name in counts["n/a"]:
            say("  n/a   " + name)
    return tally.finish()


if __name__ == "__main__":
    sys.exit(main())
