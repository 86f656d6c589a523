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

Free-threaded builds (PEP 703), which no interpreter here is: the sid
chroot's 3.14 and 3.15 headers behind a shim include directory whose
pyconfig.h includes the real one and defines Py_GIL_DISABLED 1 -- all a
--disable-gil configure changes in pyconfig.h (it also requires mimalloc,
whose WITH_MIMALLOC these headers define already, and refuses
Py_TRACE_REFS, which they leave undefined; its "t" ABI flag is not in
pyconfig.h).  There, with gcc and g++:
  - compile_freethreaded.c (which checks that Py_GIL_DISABLED is seen
    and that the bytearray fast path is off) with every standard; it with
    the audit, Python 2 text and both, and compile_check.c, with C11 and
    C++17;
  - the #errors: the lifetime-safe mode's own; Py_LIMITED_API on 3.14
    (CPython's, gh-111506); on 3.15 (abi3t, PEP 803) a limited API below
    3.15 makes Python.h itself fail (no #error), while 0x030F0000 compiles, with the
    audit too, and so does Py_TARGET_ABI3T on the GIL build's headers
    (which then defines Py_GIL_DISABLED);
  - the test modules that include tests/ext/testmodule.h compiled, each
    object referencing PyUnstable_Module_SetGIL (Py_MOD_GIL_NOT_USED).
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


def one_combination(side, cc, std, lang, inc, limited,
                    src="compile_check.c", extra=()):
    """Compile src (compile_check.c) with the strictest flags under which
    Python.h alone compiles: ("ok" | "fail" | "n/a", output, flags tier)."""
    base = WARN + ["-I" + os.path.join(side.top, "include"), "-I" + inc]
    if limited is not None:
        base.append("-DPy_LIMITED_API=0x%08X" % limited)
    base += list(extra)
    strict = WARN_STRICT + WARN_LANG[lang]
    tiers = (("strict -pedantic", base + strict + ["-pedantic"]),
             ("-pedantic", base + ["-pedantic"]),
             ("strict", base + strict),
             ("", base))
    for tier, flags in tiers:
        code, out = side.compile(cc, std, lang, flags, "compile_baseline.c")
        if code == 0:
            code, out = side.compile(cc, std, lang, flags, src)
            return ("ok" if code == 0 else "fail"), out, tier
    return "n/a", out, ""


# --- Free-threaded builds ------------------------------------------------
FT_VERSIONS = ["3.14", "3.15"]
FT_MODES = [["-DOLDBUFFER_AUDIT"], ["-DOLDBUFFER_PY2_TEXT"],
            ["-DOLDBUFFER_AUDIT", "-DOLDBUFFER_PY2_TEXT"]]
# Every entry of the real include directory linked, but pyconfig.h: the
# shim's must sit next to Python.h, whose #include "pyconfig.h" looks
# in its own directory first.
MAKE_SHIM = r'''
set -e
real=/usr/include/python$1; shim=$2
rm -rf "$shim"; mkdir -p "$shim"
for f in "$real"/*; do ln -s "$f" "$shim/"; done
rm "$shim/pyconfig.h"
printf '#include "%s/pyconfig.h"\n#define Py_GIL_DISABLED 1\n' "$real" \
    > "$shim/pyconfig.h"
'''


def ft_shim(version):
    return "/oldbuffer/build/ft-shim/python" + version


def freethreaded_jobs(sid):
    """The compile jobs of the free-threaded headers (made here)."""
    jobs = []
    for version in FT_VERSIONS:
        code, out = harness.run(harness.chroot_argv(
            ["sh", "-c", MAKE_SHIM, "sh", version, ft_shim(version)]))
        if code != 0:
            say("cannot make the free-threaded shim of %s: %s"
                % (version, out))
            continue
        tag = version + "t-shim"
        for lang, comp, stds in (("c", "gcc", C_STDS),
                                 ("c++", "g++", CXX_STDS)):
            for spellings in stds:
                std = [s for s in spellings.split("|")
                       if sid.knows_std(comp, s, lang)][:1]
                if not std:
                    continue
                jobs.append((sid, comp, std[0], lang, ft_shim(version),
                             None, tag, "compile_freethreaded.c"))
                if std[0] in ("c11", "c++17"):
                    jobs.append((sid, comp, std[0], lang, ft_shim(version),
                                 None, tag, "compile_check.c"))
                    for modes in FT_MODES:
                        jobs.append((sid, comp, std[0], lang,
                                     ft_shim(version), None, tag,
                                     "compile_freethreaded.c", modes))
    return jobs


# (what, version, headers: "shim" or "gil", flags, the #error's text or
# None where it must compile)
FT_CASES = [
    ("lifetime-safe mode", "3.14", "shim", ["-DOLDBUFFER_LIFETIME_SAFE"],
     "OLDBUFFER_LIFETIME_SAFE needs the GIL"),
    ("lifetime-safe mode", "3.15", "shim", ["-DOLDBUFFER_LIFETIME_SAFE"],
     "OLDBUFFER_LIFETIME_SAFE needs the GIL"),
    ("Py_LIMITED_API=0x030B0000 (gh-111506)", "3.14", "shim",
     ["-DPy_LIMITED_API=0x030B0000"],
     "The limited API is not currently supported in the free-threaded"),
    ("Py_LIMITED_API=0x030E0000 (gh-111506)", "3.14", "shim",
     ["-DPy_LIMITED_API=0x030E0000"],
     "The limited API is not currently supported in the free-threaded"),
    # (3.15 tests Py_TARGET_ABI3T >= 3.15 before it derives it from
    # Py_LIMITED_API: a lower limited API gets no #error, Python.h
    # itself fails -- Py_TYPE is a function from 3.14's limited API on.)
    ("Py_LIMITED_API=0x030B0000 (abi3t needs 3.15)", "3.15", "shim",
     ["-DPy_LIMITED_API=0x030B0000"], "Py_TYPE"),
    ("Py_LIMITED_API=0x030F0000 (abi3t), audit", "3.15", "shim",
     ["-DPy_LIMITED_API=0x030F0000", "-DOLDBUFFER_AUDIT"], None),
    ("Py_TARGET_ABI3T=0x030F0000 on the GIL build's headers, audit",
     "3.15", "gil", ["-DPy_TARGET_ABI3T=0x030F0000", "-DOLDBUFFER_AUDIT"],
     None),
]
FT_MODULES = [
    ("_testoldbuffer.c", []),
    ("_testlegacy.c", []),
    ("_testmodes.c", ["-DOLDBUFFER_AUDIT", "-DOLDBUFFER_PY2_TEXT"]),
]


def freethreaded_checks(tally, sid):
    say("free-threaded headers: the #errors, and the test modules")
    for what, version, headers, flags, text in FT_CASES:
        inc = (ft_shim(version) if headers == "shim"
               else "/usr/include/python" + version)
        for lang, comp, std in (("c", "gcc", "c11"), ("c++", "g++", "c++17")):
            code, out = sid.compile(comp, std, lang, WARN + [
                "-I/oldbuffer/include", "-I" + inc] + flags,
                "compile_freethreaded.c")
            name = "free-threaded %s %s, %s" % (version, lang, what)
            if text is None:
                tally.check(code == 0, name + ": compiles", out)
            else:
                tally.check(code != 0 and text in out,
                            '%s: fails with "%s"' % (name, text), out)
    for src, flags in FT_MODULES:
        for version in FT_VERSIONS:
            obj = "/oldbuffer/build/ft-shim/%s-%s.o" % (src, version)
            cmd = ["gcc", "-std=c11"] + WARN + [
                "-I/oldbuffer/include", "-I/oldbuffer/tests/ext",
                "-I" + ft_shim(version), "-DOB_MODNAME=_ft"] + flags + [
                "-c", "/oldbuffer/tests/ext/" + src, "-o", obj]
            code, out = harness.run(harness.chroot_argv(
                ["sh", "-c", " ".join(cmd) + " && nm " + obj]), timeout=120)
            tally.check(code == 0 and "U PyUnstable_Module_SetGIL" in out,
                        "free-threaded %s: %s %s declares it runs without "
                        "the GIL" % (version, src, " ".join(flags)),
                        out[-3000:])


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
    if why is None:
        jobs += freethreaded_jobs(sid)
    with concurrent.futures.ThreadPoolExecutor(2) as pool:
        futures = [(job, pool.submit(one_combination, *(job[:6] + job[7:])))
                   for job in jobs]
        for job, fut in futures:
            side, comp, std, lang, inc, limited, tag = job[:7]
            result, out, tier = fut.result()
            name = "%s %s -std=%s Python %s%s%s%s" % (
                side.name, comp, std, tag,
                " Py_LIMITED_API=0x%08X" % limited if limited else "",
                "".join(" " + f for f in job[7:] if f != "compile_check.c"
                        for f in ([f] if isinstance(f, str) else f)),
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
    if why is None:
        freethreaded_checks(tally, sid)
    return tally.finish()


if __name__ == "__main__":
    sys.exit(main())
