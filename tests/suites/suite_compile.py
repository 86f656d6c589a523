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

Then MSVC mode (msvc_mode(): clang 14 as --target=x86_64-pc-windows-msvc
-fms-compatibility -fms-extensions, -Wall -Wextra -Werror -Wconversion,
no real MSVC): the same compile_check.c (also per mode on 3.13+), against CPython 2.7, 3.6, 3.10, 3.12 (pyenv) and 3.13, 3.14, 3.15
(sid) Include/ with tests/ext/msvc/pyconfig.h (our stand-in for
PC/pyconfig.h) and Debian's mingw-w64 C headers.  Two flavours:

  msvc      __clang__ undefined, so that oldbuffer.h (and Python.h) take
            their _MSC_VER / non-GNU branches as under MSVC; C in MSVC's
            default mode (no __STDC_VERSION__) and /std:c11, /std:c17
            (which set __STDC_NO_ATOMICS__), C++14, C++17, C++20
  clang-cl  clang-cl's own macros (_MSC_VER and __clang__: the GNU
            branches), C17 and C++20

and the README's /FI route: clang-cl /FIoldbuffer.h on the unchanged
examples/build-systems/legacysum.c gives a COFF object that imports
Python's functions (and fails without /FI on 3.13+).
"""
from __future__ import print_function

import concurrent.futures
import os
import re
import shutil
import sys
import tempfile

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

# ---------------------------------------------------------------------
# MSVC mode
# ---------------------------------------------------------------------
MSVC_EXT = os.path.join(harness.EXT, "msvc")
MINGW_INCLUDE = "/usr/x86_64-w64-mingw32/include"
CLANG = "clang-14"
MSVC_TARGET = ["--target=x86_64-pc-windows-msvc", "-fms-compatibility",
               "-fms-extensions"]
# Our pyconfig.h first (the copy of Include/ that each job adds after it
# has none); the C runtime last, after clang's own headers (<intrin.h>,
# <stdarg.h>, ...) as under clang-cl: tests/ext/msvc/crt (wrappers that
# undo two mingw-w64-isms, see there) before mingw-w64's own.
MSVC_PATHS = ["-I" + MSVC_EXT, "-I" + harness.INCLUDE, "-I" + harness.EXT,
              "-idirafter", os.path.join(MSVC_EXT, "crt"),
              "-idirafter", MINGW_INCLUDE]
# msvc: clang hides itself (it defines no __GNUC__ in this mode), so every
# `defined(__GNUC__) || defined(__clang__)` test is false and the
# _MSC_VER and portable branches are the ones compiled.  clang ignores
# the __pragma(warning(suppress: 4100)) of CPython's Py_UNUSED (it does
# honour oldbuffer's warning(disable: 4996), as -Wdeprecated-declarations),
# so unused parameters are not reported here; the gcc/clang matrix
# reports them for the same code.
MSVC_FLAVOURS = {
    "msvc": ["-U__clang__", "-DOLDBUFFER_TEST_NOT_CLANG",
             "-Wno-unused-parameter"],
    "clang-cl": [],
}
# (name, -std, language, flags).  MSVC's C: no __STDC_VERSION__ without a
# /std option; with /std:c11 or /std:c17, __STDC_NO_ATOMICS__.
NO_ATOMICS = ["-D__STDC_NO_ATOMICS__=1"]
C_NO_STD = ("C (no /std)", "c17", "c", ["-U__STDC_VERSION__"])
MSVC_STDS = {
    "msvc": [("c17", "c17", "c", NO_ATOMICS), ("c11", "c11", "c", NO_ATOMICS),
             C_NO_STD, ("c++14", "c++14", "c++", []),
             ("c++17", "c++17", "c++", []), ("c++20", "c++20", "c++", [])],
    "clang-cl": [("c17", "c17", "c", []), ("c++20", "c++20", "c++", [])],
}
MSVC_HOST_PYTHONS = ["2.7", "3.6", "3.10", "3.12"]
MSVC_SID_PYTHONS = ["3.13", "3.14", "3.15"]
MODES = [("audit", ["-DOLDBUFFER_AUDIT"]),
         ("Python 2 text", ["-DOLDBUFFER_PY2_TEXT"]),
         ("lifetime-safe", ["-DOLDBUFFER_LIFETIME_SAFE"]),
         ("all modes", ["-DOLDBUFFER_AUDIT", "-DOLDBUFFER_PY2_TEXT",
                        "-DOLDBUFFER_LIFETIME_SAFE"]),
         ("audit + Python 2 text, Py_LIMITED_API=0x030B0000",
          ["-DOLDBUFFER_AUDIT", "-DOLDBUFFER_PY2_TEXT",
           "-DPy_LIMITED_API=0x030B0000"])]


def include_without_pyconfig(src, dest):
    """Copy Include/ from src to dest without its (Linux) pyconfig.h, for
    another pyconfig.h to take its place (MSVC mode's stand-in, the
    free-threaded shim): Python.h's #include "pyconfig.h" looks first in
    Python.h's own directory, so leaving it there would win.  Returns the
    PY_VERSION_HEX of patchlevel.h."""
    shutil.rmtree(dest, ignore_errors=True)
    shutil.copytree(src, dest, ignore=lambda d, names: (
        ["pyconfig.h"] if os.path.samefile(d, src) else []))
    with open(os.path.join(dest, "patchlevel.h")) as f:
        text = f.read()
    major, minor = (int(re.search(r"#define PY_%s_VERSION\s+(\d+)" % k,
                                  text).group(1)) for k in ("MAJOR", "MINOR"))
    return (major << 24) | (minor << 16)


def msvc_clang(flavour, std, inc, flags, src, action="-fsyntax-only"):
    _, flag, lang, std_flags = std
    return ([CLANG] + MSVC_TARGET + WARN + MSVC_FLAVOURS[flavour] + std_flags
            + ["-std=" + flag, "-x", lang] + MSVC_PATHS + ["-I" + inc]
            + flags + [action, os.path.join(harness.EXT, src)])


def msvc_jobs(tag, inc, hexv):
    """(name, command, baseline command or None) for one Include/.  Every
    configuration in C17 and C++20 under the msvc flavour; the default and
    no fast paths in the other standards; clang-cl's GNU branches with the
    default, no fast paths and all modes (the gcc/clang matrix covers the
    rest of them)."""
    jobs = []
    for flavour in ("msvc", "clang-cl"):
        for std in MSVC_STDS[flavour]:
            name = "MSVC mode (%s) %s Python %s " % (flavour, std[0], tag)
            main = std[1] in ("c17", "c++20") and std is not C_NO_STD
            configs = [("default", [], []),
                       ("OLDBUFFER_NO_FAST_PATHS",
                        ["-DOLDBUFFER_NO_FAST_PATHS"], [])]
            if main or std is C_NO_STD:
                configs.append(("msvc/msvc_facts.c", [], []))
            if main and flavour == "msvc":
                for limited in limited_values(hexv)[1:]:
                    flag = ["-DPy_LIMITED_API=0x%08X" % limited]
                    configs.append(("Py_LIMITED_API=0x%08X" % limited, flag,
                                    flag))
                if hexv >= 0x030D0000:
                    # /MDd: _DEBUG, hence Py_DEBUG in PC/pyconfig.h.
                    configs.append(("debug (_DEBUG)", ["-D_DEBUG"],
                                    ["-D_DEBUG"]))
            # The modes on 3.13+, where compile_check.c's function
            # pointers (legacy names without a call) are oldbuffer's own
            # declarations, not 3.8-3.12's deprecated ones.
            if main and hexv >= 0x030D0000:
                configs.extend((what, flags, []) for what, flags in MODES
                               if flavour == "msvc" or what == "all modes")
            for what, flags, base_flags in configs:
                src = "compile_check.c"
                if what.endswith(".c"):
                    src = os.path.join(*what.split("/"))
                jobs.append((name + what,
                             msvc_clang(flavour, std, inc, flags, src),
                             msvc_clang(flavour, std, inc, base_flags,
                                        "compile_baseline.c")))
    return jobs


def oldbuffer_text(preprocessed):
    """The lines of preprocessed output that came from oldbuffer.h."""
    keep, mine = [], False
    for line in preprocessed.splitlines():
        m = re.match(r'# \d+ "([^"]*)"', line)
        if m:
            mine = m.group(1).endswith("/oldbuffer.h")
        elif mine:
            keep.append(line)
    return "\n".join(keep)


# What the preprocessed header must (and must not) contain per flavour:
# proof that the branches meant are the ones compiled.
MSVC_BRANCHES = {
    "msvc": (["#pragma warning(push)", "#pragma warning(disable: 4996)",
              "#pragma warning(pop)", "static __forceinline int"],
             ["__builtin_expect", "always_inline", "#pragma GCC",
              "__attribute__"]),
    "clang-cl": (["__builtin_expect", "__attribute__((always_inline))",
                  "#pragma GCC diagnostic push"],
                 ["#pragma warning("]),
}


def msvc_branches(tally, tag, inc, hexv):
    for flavour, (present, absent) in sorted(MSVC_BRANCHES.items()):
        std = MSVC_STDS[flavour][-1]
        code, out = harness.run(msvc_clang(flavour, std, inc, [],
                                           "compile_check.c", "-E"),
                                timeout=120)
        text = oldbuffer_text(out) if code == 0 else ""
        want = list(present)
        if hexv >= 0x030D0000:
            # PyAPI_FUNC with Py_ENABLE_SHARED: imported from the DLL.
            want.append("__declspec(dllimport) int PyObject_AsCharBuffer(")
        missing = [w for w in want if w not in text]
        found = [a for a in absent if a in text]
        tally.check(code == 0 and not missing and not found,
                    "MSVC mode (%s) Python %s: oldbuffer.h's %s branches "
                    "compiled" % (flavour, tag,
                                  "_MSC_VER" if flavour == "msvc" else "GNU"),
                    out if code else "missing %r, present %r"
                    % (missing, found))


def clang_cl():
    path = shutil.which("clang-cl-14")
    return [path] if path else [CLANG, "--driver-mode=cl"]


def msvc_forced_include(tally, tag, inc, hexv, tmp):
    """README's route: cl /FIoldbuffer.h on a legacy source that does not
    include it (examples/build-systems/legacysum.c), /W3 (setuptools'
    level) /WX, to a COFF object."""
    src = os.path.join(harness.TOP, "examples", "build-systems",
                       "legacysum.c")
    for flavour in ("msvc", "clang-cl"):
        obj = os.path.join(tmp, "legacysum-%s-%s.obj" % (flavour, tag))
        base = clang_cl() + [
            "--target=x86_64-pc-windows-msvc", "/nologo", "/c", "/W3", "/WX",
            "/I" + MSVC_EXT, "/I" + harness.INCLUDE, "/I" + inc,
            "/imsvc", os.path.join(MSVC_EXT, "crt"), "/imsvc", MINGW_INCLUDE,
            "/Fo" + obj]
        if flavour == "msvc":
            base += ["/U__clang__", "/U__STDC_VERSION__"]
        name = "MSVC mode (%s) Python %s: clang-cl /FIoldbuffer.h legacysum.c" \
            % (flavour, tag)
        # /Tc: a path starting with / would be taken for an option.
        code, out = harness.run(base + ["/FIoldbuffer.h", "/Tc" + src],
                                timeout=120)
        data = b""
        if code == 0 and os.path.exists(obj):
            with open(obj, "rb") as f:
                data = f.read()
        # IMAGE_FILE_MACHINE_AMD64, and Python's functions and data
        # reached through the DLL's import table (PyAPI_FUNC/PyAPI_DATA
        # are __declspec(dllimport)).
        tally.check(data[:2] == b"\x64\x86" and b"__imp_Py" in data,
                    name, out or "no x64 COFF object importing Py*")
        if hexv >= 0x030D0000:
            code, out = harness.run(base + ["/Tc" + src], timeout=120)
            tally.check(code != 0 and "PyObject_AsReadBuffer" in out,
                        name.replace("/FIoldbuffer.h", "without /FI")
                        + " fails (3.13 removed the call)", out)


def msvc_includes(tmp, sid_why):
    """[(tag, Include/ copy, hexversion)] and [(what, why)] skipped."""
    found, skipped = [], []
    sources = [(v, harness.pyenv(v)) for v in MSVC_HOST_PYTHONS]
    for tag, interp in sources:
        inc = include_dir(interp)[0] if interp is not None else None
        if inc is None:
            skipped.append(("MSVC mode Python %s" % tag, "not installed"))
            continue
        sources_dir = os.path.join(tmp, "python" + tag)
        found.append((tag, sources_dir, include_without_pyconfig(inc, sources_dir)))
    for tag in MSVC_SID_PYTHONS:
        inc = os.path.join(harness.chroot_root(), "usr", "include",
                           "python" + tag)
        if sid_why is not None or not os.path.isdir(inc):
            skipped.append(("MSVC mode Python %s (sid)" % tag,
                            sid_why or inc + " missing"))
            continue
        copy = os.path.join(tmp, "python" + tag)
        found.append((tag + "-sid", copy, include_without_pyconfig(inc, copy)))
    return found, skipped


def msvc_mode(tally, sid_why):
    if shutil.which(CLANG) is None:
        tally.skip("MSVC mode", CLANG + " missing (tools/install-deps.sh)")
        return
    if not os.path.exists(os.path.join(MINGW_INCLUDE, "stdio.h")):
        tally.skip("MSVC mode", "no mingw-w64 C headers: install "
                   "mingw-w64-x86-64-dev (tools/install-deps.sh)")
        return
    tmp = tempfile.mkdtemp(prefix="oldbuffer-msvc-")
    try:
        includes, skipped = msvc_includes(tmp, sid_why)
        for what, why in skipped:
            tally.skip(what, why)
        jobs = []
        for tag, inc, hexv in includes:
            jobs.extend(msvc_jobs(tag, inc, hexv))
        say("MSVC mode: %d combinations" % len(jobs))
        passed, not_applicable = tally.passed, []
        with concurrent.futures.ThreadPoolExecutor(2) as pool:
            # Python.h alone first (compile_baseline.c, same flags), once
            # per set of flags: where it fails, the combination is n/a.
            baselines = sorted(set(tuple(b) for _, _, b in jobs if b))
            python_ok = dict(zip(baselines, (
                code == 0 for code, _ in pool.map(
                    lambda cmd: harness.run(list(cmd), timeout=120),
                    baselines))))
            futures = []
            for name, cmd, baseline in jobs:
                if baseline and not python_ok[tuple(baseline)]:
                    not_applicable.append(name)
                else:
                    futures.append((name, pool.submit(harness.run, cmd,
                                                      timeout=120)))
            for name, fut in futures:
                code, out = fut.result()
                if code == 0:
                    tally.passed += 1
                else:
                    tally.fail(name, out)
        say("MSVC mode: %d combinations compiled warning-free"
            % (tally.passed - passed))
        for name in not_applicable:
            say("  n/a   %s (Python.h itself does not compile)" % name)
        for tag, inc, hexv in includes:
            if hexv >= 0x030C0000:
                msvc_branches(tally, tag, inc, hexv)
                msvc_forced_include(tally, tag, inc, hexv, tmp)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


# --- Free-threaded builds ------------------------------------------------
FT_VERSIONS = ["3.14", "3.15"]
FT_MODES = [["-DOLDBUFFER_AUDIT"], ["-DOLDBUFFER_PY2_TEXT"],
            ["-DOLDBUFFER_AUDIT", "-DOLDBUFFER_PY2_TEXT"]]


def ft_shim(version):
    """The free-threaded view of the sid chroot's headers of version, as
    the chroot sees it: Include/ without pyconfig.h, and one that
    includes the real one and defines Py_GIL_DISABLED."""
    return "/oldbuffer/build/ft-shim/python" + version


def make_ft_shim(version):
    root = harness.chroot_root()
    dest = os.path.join(root, ft_shim(version).lstrip("/"))
    include_without_pyconfig(
        os.path.join(root, "usr", "include", "python" + version), dest)
    with open(os.path.join(dest, "pyconfig.h"), "w") as f:
        f.write('#include "/usr/include/python%s/pyconfig.h"\n'
                "#define Py_GIL_DISABLED 1\n" % version)


def freethreaded_jobs(sid):
    """The compile jobs of the free-threaded headers (made here)."""
    jobs = []
    for version in FT_VERSIONS:
        try:
            make_ft_shim(version)
        except OSError as e:
            say("cannot make the free-threaded shim of %s: %s"
                % (version, e))
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
    msvc_mode(tally, why)
    return tally.finish()


if __name__ == "__main__":
    sys.exit(main())
