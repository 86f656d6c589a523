#!/usr/bin/env python
"""Build the test extensions with the running interpreter's own compiler
and run the differential and thread tests on it: run_one.sh without sh.

    python tests/run_one.py BUILD_DIR [--no-threads]

run_one.sh calls cc and c++ itself, which only works where there is a
POSIX shell and a gcc-like compiler.  This script lets setuptools (or the
stdlib's distutils where setuptools is missing, 2.7 - 3.11) find the
compiler the interpreter was built for -- gcc, clang or MSVC -- so the
same tests run on Linux, macOS and Windows; .github/workflows/ci.yml runs
it on each.  It builds into BUILD_DIR what test_oldbuffer.py and
test_threads.py import:

  * _testoldbuffer_c, _testoldbuffer_cpp (the same source as C++) and
    _testoldbuffer_slow (-DOLDBUFFER_NO_FAST_PATHS), as run_one.sh does;
  * on CPython 3 with a GIL, the stable-ABI modules of
    tests/ext/_testoldbuffer_abi3.c into BUILD_DIR/../abi3 with
    abi3.json, as tests/runtests.py does, but from this interpreter's own
    headers (each Py_LIMITED_API up to this version).  A free-threaded
    build has no limited API (CPython's Python.h refuses it, gh-111506),
    and PyPy loads no abi3 module: test_oldbuffer.py skips those cases.

Every warning is an error, as in run_one.sh: -Wall -Wextra -Werror
-Wconversion (and -std=c99 / -std=c++11) for gcc and clang, /W3 /WX for
MSVC.  Runs on Python 2.7 and 3.6+.  Exits 0 only when the build and every
test passed.
"""
from __future__ import print_function

import json
import os
import shutil
import subprocess
import sys
import sysconfig

try:
    from setuptools import Distribution, Extension
    from setuptools.command.build_ext import build_ext
except ImportError:   # 2.7 - 3.11 without setuptools: the stdlib's
    from distutils.core import Distribution, Extension
    from distutils.command.build_ext import build_ext

TESTS = os.path.dirname(os.path.abspath(__file__))
TOP = os.path.dirname(TESTS)
EXT = os.path.join(TESTS, "ext")
INCLUDE = os.path.join(TOP, "include")

PY2 = sys.version_info[0] == 2
PYPY = hasattr(sys, "pypy_version_info")
FREE_THREADED = bool(sysconfig.get_config_var("Py_GIL_DISABLED"))

# The flags per compiler family and language.
STRICT = ["-O2", "-Wall", "-Wextra", "-Werror", "-Wconversion"]
FLAGS = {
    ("unix", "c"): ["-std=c99"] + STRICT,
    ("unix", "c++"): ["-std=c++11"] + STRICT,
    ("msvc", "c"): ["/W3", "/WX"],
    ("msvc", "c++"): ["/W3", "/WX"],
}
# The stable-ABI modules: (name, Py_LIMITED_API), the same names as
# tests/runtests.py's; each is built when this interpreter is at least
# that version.
ABI3 = [
    ("_ob_abi3_32", 0x03020000),    # no Py_buffer: the interpreter's own
    ("_ob_abi3_36", 0x03060000),
    ("_ob_abi3_311", 0x030B0000),   # the limited Py_buffer calls
]


class strict_build_ext(build_ext):
    """build_ext with the flags of this compiler family per language."""

    def build_extensions(self):
        family = "msvc" if self.compiler.compiler_type == "msvc" else "unix"
        if family == "msvc" and FREE_THREADED and not any(
                m[0] == "Py_GIL_DISABLED" for m in self.compiler.macros):
            # Windows' pyconfig.h is shared by both builds and leaves it
            # to the extension (CPython gh-111650); setuptools 75.3+
            # defines it itself, older ones do not.
            self.compiler.define_macro("Py_GIL_DISABLED", "1")
        if family == "unix":
            # Some interpreters' own CFLAGS (2.7's) hold C-only warnings,
            # which g++ reports for the C++ module -- an error with -Werror.
            for attr in ("compiler_so", "compiler"):
                args = getattr(self.compiler, attr, None)
                if args and "-Wstrict-prototypes" in args:
                    args.remove("-Wstrict-prototypes")
        for ext in self.extensions:
            ext.extra_compile_args = FLAGS[family, ext.language or "c"] + \
                list(ext.extra_compile_args or [])
        build_ext.build_extensions(self)


def extension(name, source, macros=(), language="c", limited=False):
    kwargs = {}
    if limited and not PY2:
        kwargs["py_limited_api"] = True   # setuptools: the .abi3 name
    ext = Extension(name, [source], include_dirs=[INCLUDE, EXT],
                    define_macros=[("OB_MODNAME", name)] + list(macros),
                    language=language, **kwargs)
    return ext


def show_commands():
    """Let distutils print each compiler command (CI logs show them)."""
    try:
        from setuptools import logging as setuptools_logging
        setuptools_logging.configure()   # setuptools 60+: the logging module
    except ImportError:
        pass
    try:
        from distutils import log
        log.set_verbosity(1)
    except ImportError:                  # 3.12+: no distutils but setuptools'
        pass


def build(extensions, out, temp):
    show_commands()
    dist = Distribution({"name": "oldbuffer-tests",
                         "ext_modules": extensions})
    dist.cmdclass["build_ext"] = strict_build_ext
    cmd = dist.get_command_obj("build_ext")
    cmd.build_lib = out
    cmd.build_temp = temp
    cmd.inplace = 0
    cmd.force = 1   # flags may have changed since an earlier build
    dist.run_command("build_ext")


def build_all(out):
    """Build every module the tests import; returns the abi3 directory
    (or None when this interpreter loads no abi3 module)."""
    temp = os.path.join(out, "temp")
    if not os.path.isdir(temp):
        os.makedirs(temp)
    # The C++ module: the same source, compiled as C++ because of the
    # wrapper's name (every compiler goes by the extension; -x c++ would
    # be gcc's and clang's only).
    wrapper = os.path.join(temp, "_testoldbuffer_cpp.cpp")
    with open(wrapper, "w") as f:
        f.write('#include "_testoldbuffer.c"\n')
    source = os.path.join(EXT, "_testoldbuffer.c")
    for ext in (extension("_testoldbuffer_c", source),
                extension("_testoldbuffer_cpp", wrapper, language="c++"),
                extension("_testoldbuffer_slow", source,
                          [("OLDBUFFER_NO_FAST_PATHS", None)])):
        # (One temporary directory each: two of them compile the same
        # source, to the same object file name.)
        build([ext], out, os.path.join(temp, ext.name))
    if PY2 or PYPY or FREE_THREADED:
        return None
    here = sys.version_info[0] << 24 | sys.version_info[1] << 16
    abi3 = os.path.join(os.path.dirname(os.path.abspath(out)), "abi3")
    if os.path.isdir(abi3):
        shutil.rmtree(abi3)
    chosen = [(name, limited) for name, limited in ABI3 if limited <= here]
    for name, limited in chosen:
        build([extension(name, os.path.join(EXT, "_testoldbuffer_abi3.c"),
                         [("Py_LIMITED_API", "0x%08X" % limited)],
                         limited=True)], abi3, os.path.join(abi3, "temp", name))
    with open(os.path.join(abi3, "abi3.json"), "w") as f:
        json.dump(dict((name, list(sys.version_info[:2]))
                       for name, _ in chosen), f)
    return abi3


def run_test(script, out):
    env = dict(os.environ, OLDBUFFER_BUILD=os.path.abspath(out))
    print("== %s on %s" % (script, sys.version.split()[0]))
    sys.stdout.flush()
    return subprocess.call([sys.executable, os.path.join(TESTS, script)],
                           env=env)


def main(argv):
    args = [a for a in argv if not a.startswith("--")]
    if len(args) != 1 or set(argv) - set(args) - set(["--no-threads"]):
        print(__doc__.strip().splitlines()[2].strip(), file=sys.stderr)
        return 2
    out = args[0]
    print("python %s%s%s; extensions in %s" % (
        sys.version.split()[0], " (PyPy)" if PYPY else "",
        " (free-threaded)" if FREE_THREADED else "", out))
    sys.stdout.flush()
    build_all(out)
    failed = run_test("test_oldbuffer.py", out) != 0
    if "--no-threads" not in argv:
        failed = run_test("test_threads.py", out) != 0 or failed
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
