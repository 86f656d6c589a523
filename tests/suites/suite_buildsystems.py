#!/usr/bin/env python3
"""Suite "buildsystems": oldbuffer fits the builds users already have.

One unchanged legacy extension, examples/build-systems/legacysum.c (it
calls PyObject_AsReadBuffer/AsWriteBuffer and never includes
oldbuffer.h), is built by every route of examples/build-systems/ and
imported, and its functions checked by check_legacysum.py:

  setuptools   oldbuffer.get_include() + -include   pyenv 3.6-3.13, sid 3.13-3.15
  cmake        find_package(oldbuffer CONFIG)       pyenv 3.6-3.13, sid 3.13-3.15
  meson        dependency('oldbuffer'), pkg-config  sid 3.13-3.15
  cython       `from oldbuffer cimport`, and        sid 3.13-3.15
               `cdef extern from "Python.h"` + -include
  swig         pybuffer.i typemaps, full and        sid 3.13-3.15
               limited API, `python -m oldbuffer --cflags`
  cli          `python -m oldbuffer` from a directory   pyenv 2.7, 3.6,
               with a space, a quote and a $ in its     3.13; Debian's
               name: --cflags/--includes quoted so that python3
               shlex.split and sh's eval give the paths back, and a
               compile through `eval "cc $(...) ..."`; a full, closed
               or broken stdout gives one line on stderr and exit 1
  cython-pc    cython -I $PREFIX/include + pkg-config (make install)
  cmake-subdir add_subdirectory(<oldbuffer>): vendored,  pyenv 3.6-3.13, sid 3.13-3.15
               root CMakeLists.txt
  meson-subproject  subprojects/oldbuffer: vendored,    sid 3.13-3.15
               root meson.build

First it builds the `oldbuffer` Python package (sdist, then a wheel from
the sdist, with the host's Debian setuptools, offline) and `make install`s
into temporary prefixes: every route uses those, as a user would.  Each
way of delivering the headers -- the wheel, get_include(), make install
(and uninstall), pkg-config, the installed and the vendored CMake
package -- must give every include/*.h, byte for byte, in the one
directory a build adds with -I (oldbuffer.h includes the others from
there), and a lifetime-safe build (which needs them) compiles through
get_include() and pkg-config.  Two
negative checks prove the routes are not vacuous: on 3.13 the same sources
fail to compile without oldbuffer.h.  Builds run two at a time, once per
route and interpreter, in a private copy of the files they need under
/var/tmp (on the host, and in the sid chroot): other runs of the test
suites, which recreate the chroot's /oldbuffer, cannot disturb it.  The
copies are removed at the end; OLDBUFFER_KEEP=1 keeps them.
"""
from __future__ import print_function

import concurrent.futures
import glob
import os
import re
import shlex
import shutil
import subprocess
import sys
import tempfile
import zipfile

sys.path.insert(0, os.path.dirname(os.path.dirname(  # tests/: harness.py
    os.path.abspath(__file__))))
import harness  # noqa: E402
from harness import say  # noqa: E402

NAME = "buildsystems"
# What each side gets a copy of: what `make install`, setup.py and the
# routes read.
SOURCES = ["Makefile", "include", "python", "cmake", "oldbuffer.pc.in",
           "setup.py", "pyproject.toml", "MANIFEST.in", "CMakeLists.txt",
           "meson.build", os.path.join("examples", "build-systems")]
WORK = "work"
EXAMPLES = os.path.join("examples", "build-systems")
HEADER = os.path.join(harness.INCLUDE, "oldbuffer.h")
# Every header of the product: each route must deliver all of them.
HEADERS = sorted(os.path.basename(h) for h in
                 glob.glob(os.path.join(harness.INCLUDE, "*.h")))
# The host's Debian python3 (tools/install-deps.sh: pip, setuptools) builds
# the Python package; pyenv's 3.12+ get Debian's setuptools wheel.
BUILD_PYTHON = "/usr/bin/python3"
SETUPTOOLS_WHEELS = "/usr/share/python-wheels/setuptools-*.whl"
PYENV_VERSIONS = ["3.6", "3.7", "3.8", "3.9", "3.10", "3.11", "3.12",
                  "3.13"]
SID_TAGS = ["3.13-sid", "3.14-sid", "3.15-sid"]
TIMEOUT = 300


def header_version():
    with open(HEADER) as f:
        text = f.read()
    parts = [re.search(r"#define OLDBUFFER_VERSION_%s (\d+)" % p,
                       text).group(1) for p in ("MAJOR", "MINOR", "PATCH")]
    hexv = re.search(r"#define OLDBUFFER_VERSION_HEX (0x[0-9A-Fa-f]+)",
                     text).group(1)
    return ".".join(parts), hexv


VERSION, VERSION_HEX = header_version()


class Side(object):
    """The host or the sid chroot: where commands run and see files, in a
    private copy of SOURCES."""

    def __init__(self, where):
        self.where = where
        root = "/" if where == "host" else harness.chroot_root()
        self.host_base = tempfile.mkdtemp(
            prefix="oldbuffer-buildsystems-",
            dir=os.path.join(root, "var", "tmp"))
        self.base = os.path.join("/var/tmp",
                                 os.path.basename(self.host_base))
        for name in SOURCES:
            src = os.path.join(harness.TOP, name)
            dest = os.path.join(self.host_base, name)
            if os.path.isdir(src):
                shutil.copytree(src, dest, ignore=shutil.ignore_patterns(
                    "build", "__pycache__", "*.egg-info"))
            else:
                shutil.copy2(src, dest)

    def cleanup(self):
        if os.environ.get("OLDBUFFER_KEEP") != "1":
            shutil.rmtree(self.host_base, ignore_errors=True)

    def path(self, *parts):
        """A path as the commands of this side see it."""
        return os.path.join(self.base, *parts)

    def host_path(self, *parts):
        """The same path as this script sees it."""
        return os.path.join(self.host_base, *parts)

    def run(self, argv, env=None, cwd=None):
        """Run argv here, with env added to a clean environment (the
        chroot's is empty; the host's loses PYTHONPATH) and in cwd."""
        env = dict(env or {})
        if cwd:
            argv = ["sh", "-c", 'cd "$0" && exec "$@"', cwd] + list(argv)
        if self.where == "chroot":
            assigns = ["%s=%s" % kv for kv in sorted(env.items())]
            return harness.run(harness.chroot_argv(assigns + list(argv)),
                               timeout=TIMEOUT)
        full = dict(os.environ)
        full.pop("PYTHONPATH", None)
        full.update(env)
        return harness.run(list(argv), timeout=TIMEOUT, env=full)


HOST = CHROOT = None   # the Sides, made by main()


def side_of(interp):
    return CHROOT if interp.where == "chroot" else HOST


class Failed(Exception):
    """A step of a check failed; the message is what to show."""


def step(side, argv, env=None, cwd=None):
    code, out = side.run(argv, env=env, cwd=cwd)
    if code != 0:
        raise Failed("$ %s\n%s\n(exit %s)" % (" ".join(argv), out, code))
    return out


def fresh_dir(side, *parts):
    d = side.host_path(WORK, *parts)
    shutil.rmtree(d, ignore_errors=True)
    os.makedirs(d)
    return side.path(WORK, *parts)


def job_dir(side, interp, route):
    """A fresh copy of examples/build-systems for one build, and its
    output directory: (src, out) as the side sees them."""
    root = fresh_dir(side, interp.tag, route)
    shutil.copytree(side.host_path(EXAMPLES),
                    side.host_path(WORK, interp.tag, route, "src"))
    return (os.path.join(root, "src"), os.path.join(root, "out"))


def header_problems(directory):
    """What is wrong with directory (as this script sees it) as the home
    of every include/*.h: [] when each is there, identical."""
    problems = []
    for name in HEADERS:
        path = os.path.join(directory, name)
        if not os.path.isfile(path):
            problems.append("%s is missing" % path)
            continue
        with open(path, "rb") as f, \
                open(os.path.join(harness.INCLUDE, name), "rb") as g:
            if f.read() != g.read():
                problems.append("%s differs from include/%s" % (path, name))
    return problems


def check_headers(directory, what):
    problems = header_problems(directory)
    if problems:
        raise Failed("%s: not every include/*.h (%s):\n%s" % (
            what, " ".join(HEADERS), "\n".join(problems)))


# Compiles only if OLDBUFFER_LIFETIME_SAFE finds everything it includes.
LIFETIME_SOURCE = """\
#define OLDBUFFER_LIFETIME_SAFE
#include "oldbuffer.h"
int (*keep_read)(PyObject *, const void **, Py_ssize_t *) =
    PyObject_AsReadBuffer;
"""


def check_lifetime_compiles(flags, what):
    """A lifetime-safe translation unit compiles on the host with flags
    (the route's -I) and the host python3's own headers."""
    root = fresh_dir(HOST, "lifetime-" + re.sub(r"\W+", "-", what))
    src = os.path.join(root, "lifetime.c")
    with open(src, "w") as f:
        f.write(LIFETIME_SOURCE)
    inc = step(HOST, [BUILD_PYTHON, "-c", "import sysconfig; "
                      "print(sysconfig.get_paths()['include'])"]).strip()
    step(HOST, ["cc", "-std=c99", "-fsyntax-only", "-Wall", "-Wextra",
                "-Werror"] + flags + ["-I" + inc, src])


def check_module(side, python, out, env=None, module="legacysum"):
    src = side.path(EXAMPLES, "check_legacysum.py")
    return step(side, [python, src, out, "--module", module, "--version",
                       VERSION_HEX], env=env)


# ---------------------------------------------------------------------
# Preparation: the Python package and the installed prefixes
# ---------------------------------------------------------------------

def build_wheel():
    """sdist, then a wheel built from the sdist alone (so MANIFEST.in is
    checked too).  Returns the wheel's path."""
    src = HOST.path()
    dist = fresh_dir(HOST, "dist")
    step(HOST, [BUILD_PYTHON, "setup.py", "-q", "sdist", "-d", dist],
         cwd=src)
    sdists = glob.glob(os.path.join(dist, "oldbuffer-*.tar.gz"))
    if len(sdists) != 1:
        raise Failed("expected one sdist in %s, got %r" % (dist, sdists))
    step(HOST, [BUILD_PYTHON, "-m", "pip", "wheel", "-q", "--no-deps",
                "--no-index", "--no-build-isolation", "-w", dist,
                sdists[0]])
    wheels = glob.glob(os.path.join(dist, "oldbuffer-%s-*.whl" % VERSION))
    if len(wheels) != 1:
        raise Failed("expected one oldbuffer-%s wheel in %s, got %r"
                     % (VERSION, dist, wheels))
    unpacked = fresh_dir(HOST, "wheel-unpacked")
    with zipfile.ZipFile(wheels[0]) as whl:
        names = whl.namelist()
        whl.extractall(unpacked)
    check_headers(os.path.join(unpacked, "oldbuffer", "include"),
                  "the wheel's oldbuffer/include/")
    if "oldbuffer/__init__.pxd" not in names:
        raise Failed("the wheel lacks oldbuffer/__init__.pxd: %r" % names)
    return wheels[0]


def check_pip_install_and_cli():
    """The README's command, `pip install --no-build-isolation .`, then
    `python -m oldbuffer`; and get_include() from a source checkout."""
    src = HOST.path()
    target = fresh_dir(HOST, "target")
    step(HOST, [BUILD_PYTHON, "-m", "pip", "install", "-q", "--no-deps",
                "--no-index", "--no-build-isolation", "--target", target,
                "."], cwd=src)
    env = {"PYTHONPATH": target}
    inc = os.path.join(target, "oldbuffer", "include")
    got = step(HOST, [BUILD_PYTHON, "-m", "oldbuffer", "--include-dir"],
               env=env).strip()
    includes = shlex.split(step(HOST, [BUILD_PYTHON, "-m", "oldbuffer",
                                       "--includes"], env=env))
    cflags = shlex.split(step(HOST, [BUILD_PYTHON, "-m", "oldbuffer",
                                     "--cflags"], env=env))
    version = step(HOST, [BUILD_PYTHON, "-m", "oldbuffer", "--version"],
                   env=env).strip()
    checkout = step(HOST, [BUILD_PYTHON, "-c",
                           "import oldbuffer; print(oldbuffer.get_include())"],
                    env={"PYTHONPATH": os.path.join(harness.TOP, "python")})
    problems = []
    if got != inc:
        problems.append("--include-dir printed %r, want %r" % (got, inc))
    problems += header_problems(got)
    if "-I" + inc not in includes or "-include" in includes:
        problems.append("--includes printed %r" % includes)
    if not any(f.startswith("-I") and f != "-I" + inc and
               os.path.isfile(os.path.join(f[2:], "Python.h"))
               for f in includes):
        problems.append("--includes lacks Python's own -I: %r" % includes)
    if cflags != includes + ["-include", "oldbuffer.h"]:
        problems.append("--cflags printed %r" % cflags)
    if version != VERSION:
        problems.append("--version printed %r, want %r" % (version, VERSION))
    if checkout.strip() != harness.INCLUDE:
        problems.append("get_include() from the checkout: %r" % checkout)
    if problems:
        raise Failed("\n".join(problems))
    check_lifetime_compiles([f for f in includes if f == "-I" + inc],
                            "get_include()")


# A checkout of the package under a directory whose name needs quoting in
# a shell: a space, a single quote, and a $ that must not expand.
CLI_DIR = "dir with space's $HOME"
# Needs -include oldbuffer.h (and Python.h through it) to compile.
CLI_SOURCE = """\
static int use(PyObject *o)
{
    const void *p;
    Py_ssize_t n;
    return PyObject_AsReadBuffer(o, &p, &n);
}
int (*keep)(PyObject *) = use;
"""


def cli_checkout():
    """python/oldbuffer and include/, as in a source checkout,
    under CLI_DIR (made once): the directory, as the host sees it."""
    root = HOST.host_path(WORK, "cli", CLI_DIR)
    if not os.path.isdir(root):
        shutil.copytree(HOST.host_path("python", "oldbuffer"),
                        os.path.join(root, "python", "oldbuffer"),
                        ignore=shutil.ignore_patterns("__pycache__",
                                                      "*.pyc"))
        shutil.copytree(HOST.host_path("include"),
                        os.path.join(root, "include"))
        with open(os.path.join(root, "use.c"), "w") as f:
            f.write(CLI_SOURCE)
    return root


def check_cli_quoting(python):
    """--cflags/--includes from a checkout under CLI_DIR: quoted for
    shlex.split and for sh's eval, and a compile through eval."""
    root = cli_checkout()
    env = {"PYTHONPATH": os.path.join(root, "python")}
    header_dir = os.path.join(root, "include")
    out = {}
    for opt in ("--cflags", "--includes"):
        text = step(HOST, [python, "-m", "oldbuffer", opt], env=env)
        if len(text.splitlines()) != 1:
            raise Failed("%s %s printed %r: not one line" % (python, opt,
                                                               text))
        try:
            out[opt] = shlex.split(text)
        except ValueError as e:
            raise Failed("%s %s printed %r: shlex.split: %s" % (
                python, opt, text, e))
    cflags, includes = out["--cflags"], out["--includes"]
    problems = []
    if cflags[-3:] != ["-I" + header_dir, "-include", "oldbuffer.h"]:
        problems.append("shlex.split(--cflags) ends %r, want %r" % (
            cflags[-3:], ["-I" + header_dir, "-include", "oldbuffer.h"]))
    if includes != cflags[:-2]:
        problems.append("shlex.split(--includes) is %r, want --cflags "
                        "without -include: %r" % (includes, cflags[:-2]))
    if not os.path.isfile(os.path.join(cflags[0][2:], "Python.h")):
        problems.append("--cflags starts %r, not Python's own -I"
                        % cflags[0])
    # The shell's own reading: eval "set -- $(...)" gives the same words.
    words = step(HOST, ["sh", "-c", 'eval "set -- $("$0" -m oldbuffer '
                        '--cflags)"; for w; do printf "%s\\n" "$w"; done',
                        python], env=env).splitlines()
    if words != cflags:
        problems.append("sh eval gave %r, want %r" % (words, cflags))
    if problems:
        raise Failed("\n".join(problems))
    # README's usage: eval "cc $(python -m oldbuffer --cflags) ...".
    obj = os.path.join(root, "use-%s.o" % os.path.basename(
        os.path.dirname(os.path.dirname(python))))
    step(HOST, ["sh", "-c", 'eval "cc $("$0" -m oldbuffer --cflags) '
                '-c \\"\\$1\\" -o \\"\\$2\\""', python,
                os.path.join(root, "use.c"), obj], env=env)
    if not os.path.isfile(obj):
        raise Failed("eval \"cc $(%s -m oldbuffer --cflags) ...\" made no "
                     "object" % python)
    return "%s: %d flags round-trip" % (python, len(cflags))


def split_windows_args(line):
    """A command line split as the C runtime does on Windows (the rules
    of CommandLineToArgvW), for arguments with no backslash before a
    double quote: whitespace separates, double quotes group, a doubled
    backslash-escaped quote is a literal quote."""
    words, word, quoted, started, i = [], [], False, False, 0
    while i < len(line):
        c = line[i]
        if c == "\\" and line[i + 1:i + 2] == '"':
            word.append('"')
            i += 2
            started = True
            continue
        if c == '"':
            quoted = not quoted
            started = True
        elif c in " \t" and not quoted:
            if started:
                words.append("".join(word))
            word, started = [], False
        else:
            word.append(c)
            started = True
        i += 1
    if started:
        words.append("".join(word))
    return words


def check_cli_windows_quoting(python):
    """With os.name == "nt", --cflags is quoted for Windows' argv rules
    (double quotes, not a POSIX shell's single quotes) and splits back
    into the flags."""
    root = cli_checkout()
    env = {"PYTHONPATH": os.path.join(root, "python")}
    # (os.name set once the flags are known: sysconfig reads it too.)
    code = ("import os; from oldbuffer import __main__ as m; "
            "f = m.include_flags() + ['-include', 'oldbuffer.h']; "
            "os.name = 'nt'; print(m.shell_words(f))")
    text = step(HOST, [python, "-c", code], env=env).strip()
    posix = shlex.split(step(HOST, [python, "-m", "oldbuffer", "--cflags"],
                             env=env))
    words = split_windows_args(text)
    if words != posix:
        raise Failed("--cflags as on Windows printed %r, which splits into "
                     "%r, want %r" % (text, words, posix))
    if '"-I%s' % os.path.join(root, "include") not in text:
        raise Failed("--cflags as on Windows printed %r: the path with a "
                     "space is not in double quotes" % text)
    return "%s: %d flags round-trip" % (python, len(words))


def check_cli_stdout_errors(python):
    """A full stdout (/dev/full), a pipe whose reader is gone, and a
    closed fd 1: one line on stderr and exit 1, no traceback."""
    root = cli_checkout()
    env = dict(os.environ)
    env["PYTHONPATH"] = os.path.join(root, "python")
    problems = []

    def expect(what, proc):
        err = proc.stderr.decode("utf-8", "replace")
        if (proc.returncode != 1 or len(err.splitlines()) != 1
                or not err.startswith("python -m oldbuffer: cannot write "
                                      "to stdout: ")):
            problems.append("%s: exit %s, stderr:\n%s" % (
                what, proc.returncode, err))

    # --help too: argparse's own write ignores a failed write, exit 0.
    for opt in ("--cflags", "--help", "--version"):
        argv = [python, "-m", "oldbuffer", opt]
        if os.path.exists("/dev/full"):
            with open("/dev/full", "wb") as full:
                expect("%s >/dev/full" % opt, subprocess.run(
                    argv, stdout=full, stderr=subprocess.PIPE, env=env,
                    timeout=60))
        r, w = os.pipe()
        os.close(r)
        try:
            expect("%s into a pipe with no reader" % opt, subprocess.run(
                argv, stdout=w, stderr=subprocess.PIPE, env=env,
                timeout=60))
        finally:
            os.close(w)
        expect("%s with fd 1 closed (>&-)" % opt, subprocess.run(
            ["sh", "-c", 'exec "$@" >&-', "sh"] + argv,
            stderr=subprocess.PIPE, env=env, timeout=60))
    if problems:
        raise Failed("\n".join(problems))


def cli_pythons(tally):
    """The interpreters of the cli checks: Debian's python3, and pyenv's
    2.7 (the package's oldest), 3.6 and 3.13 when present."""
    pythons = [BUILD_PYTHON]
    for minor in ("2.7", "3.6", "3.13"):
        interp = harness.pyenv(minor)
        if interp is None:
            tally.skip("cli %s" % minor, "no pyenv %s" % minor)
        else:
            pythons.append(interp.python)
    return pythons


def make_install(side):
    """make install into WORK/prefix; returns the prefix (side's view)."""
    prefix = fresh_dir(side, "prefix")
    step(side, ["make", "-s", "-C", side.base, "install",
                "PREFIX=" + prefix])
    check_headers(side.host_path(WORK, "prefix", "include"),
                  "make install (%s)" % side.where)
    for rel in ("include/oldbuffer.pxd",
                "share/pkgconfig/oldbuffer.pc",
                "share/cmake/oldbuffer/oldbufferConfig.cmake",
                "share/cmake/oldbuffer/oldbufferConfigVersion.cmake"):
        if not os.path.isfile(side.host_path(WORK, "prefix", rel)):
            raise Failed("make install did not install %s" % rel)
    return prefix


def check_destdir_and_pkgconfig(prefix):
    """DESTDIR stages without leaking into the files; pkg-config answers
    for the temporary prefix."""
    stage = fresh_dir(HOST, "stage")
    step(HOST, ["make", "-s", "-C", HOST.base, "install", "PREFIX=/usr",
                "DESTDIR=" + stage])
    with open(os.path.join(stage, "usr/share/pkgconfig/oldbuffer.pc")) as f:
        pc = f.read()
    if "includedir=/usr/include\n" not in pc or stage in pc:
        raise Failed("oldbuffer.pc staged with DESTDIR:\n" + pc)
    check_headers(os.path.join(stage, "usr", "include"),
                  "make install DESTDIR=...")
    step(HOST, ["make", "-s", "-C", HOST.base, "uninstall", "PREFIX=/usr",
                "DESTDIR=" + stage])
    left = [os.path.join(d, f) for d, _, files in os.walk(stage)
            for f in files]
    if left:
        raise Failed("make uninstall DESTDIR=... left %r" % left)
    env = {"PKG_CONFIG_PATH": os.path.join(prefix, "share", "pkgconfig")}
    cflags = step(HOST, ["pkg-config", "--cflags", "oldbuffer"], env=env)
    version = step(HOST, ["pkg-config", "--modversion", "oldbuffer"],
                   env=env)
    if cflags.split() != ["-I" + os.path.join(prefix, "include")]:
        raise Failed("pkg-config --cflags oldbuffer: %r" % cflags)
    check_headers(cflags.split()[0][2:], "pkg-config --cflags")
    check_lifetime_compiles(cflags.split(), "pkg-config")
    if version.strip() != VERSION:
        raise Failed("pkg-config --modversion oldbuffer: %r" % version)


# find_package(oldbuffer <request>): whether the installed VERSION meets it.
CMAKE_REQUESTS = [("", True), ("0.1", True), ("0.1.0 EXACT", True),
                  ("0.0.5", False), ("0.2", False), ("1.0", False)]


def check_cmake_versions(prefix):
    if not VERSION.startswith("0.1."):
        raise Failed("CMAKE_REQUESTS assume version 0.1.x; update them")
    root = fresh_dir(HOST, "cmake-version")
    with open(os.path.join(root, "CMakeLists.txt"), "w") as f:
        f.write("cmake_minimum_required(VERSION 3.17)\n"
                "project(version_check NONE)\n"
                "separate_arguments(REQUEST UNIX_COMMAND \"${REQUEST}\")\n"
                "find_package(oldbuffer ${REQUEST} CONFIG REQUIRED)\n"
                "get_target_property(inc oldbuffer::oldbuffer "
                "INTERFACE_INCLUDE_DIRECTORIES)\n"
                "message(STATUS \"oldbuffer include: ${inc}\")\n")
    wrong = []
    for i, (request, ok) in enumerate(CMAKE_REQUESTS):
        code, out = HOST.run(["cmake", "-S", root, "-B",
                              os.path.join(root, "b%d" % i),
                              "-DCMAKE_PREFIX_PATH=" + prefix,
                              "-DREQUEST=" + request])
        found = "oldbuffer include: %s/include" % prefix in out
        if (code == 0 and found) != ok:
            wrong.append("find_package(oldbuffer %s): %s\n%s" % (
                request, "refused" if ok else "accepted", out[-1500:]))
    if wrong:
        raise Failed("\n".join(wrong))


# Prints the include directory of the oldbuffer target: installed
# (find_package) or vendored (add_subdirectory, OLDBUFFER_DIR).
CMAKE_INCLUDE_PROBE = """\
cmake_minimum_required(VERSION 3.17)
project(include_probe NONE)
if(OLDBUFFER_DIR)
    add_subdirectory("${OLDBUFFER_DIR}" oldbuffer)
    get_target_property(inc oldbuffer INTERFACE_INCLUDE_DIRECTORIES)
    string(REGEX REPLACE "^[$]<BUILD_INTERFACE:(.*)>$" "\\\\1" inc "${inc}")
else()
    find_package(oldbuffer CONFIG REQUIRED)
    get_target_property(inc oldbuffer::oldbuffer
                        INTERFACE_INCLUDE_DIRECTORIES)
endif()
message(STATUS "oldbuffer include: [${inc}]")
"""


def cmake_include_dir(root, *defines):
    """The include directory CMAKE_INCLUDE_PROBE prints: (dir or None,
    output)."""
    with open(os.path.join(root, "CMakeLists.txt"), "w") as f:
        f.write(CMAKE_INCLUDE_PROBE)
    code, out = HOST.run(["cmake", "-S", root, "-B",
                          os.path.join(root, "b")] + list(defines))
    m = re.search(r"oldbuffer include: \[(.*)\]", out)
    return (m.group(1) if code == 0 and m else None), out


def check_cmake_headers(prefix):
    """Both CMake packages give the directory of every include/*.h, and
    find_package() refuses an installation that lacks any of them."""
    installed, out = cmake_include_dir(fresh_dir(HOST, "cmake-inc"),
                                       "-DCMAKE_PREFIX_PATH=" + prefix)
    if installed is None:
        raise Failed("find_package(oldbuffer): no include directory\n"
                     + out[-1500:])
    check_headers(installed, "find_package(oldbuffer) include directory")
    vendored, out = cmake_include_dir(fresh_dir(HOST, "cmake-sub"),
                                      "-DOLDBUFFER_DIR=" + HOST.path())
    if vendored is None:
        raise Failed("add_subdirectory(oldbuffer): no include directory\n"
                     + out[-1500:])
    check_headers(vendored, "add_subdirectory(oldbuffer) include directory")
    for name in HEADERS:
        broken = fresh_dir(HOST, "broken-prefix")
        step(HOST, ["make", "-s", "-C", HOST.base, "install",
                    "PREFIX=" + broken])
        os.remove(os.path.join(broken, "include", name))
        found, out = cmake_include_dir(fresh_dir(HOST, "cmake-broken"),
                                       "-DCMAKE_PREFIX_PATH=" + broken)
        # (CMake wraps the message: any white space between the words.)
        if found is not None or not re.search(
                r"/%s\s+is\s+missing" % re.escape(name), out):
            raise Failed("find_package(oldbuffer) without %s: %s\n%s" % (
                name, "accepted" if found else "no reason given",
                out[-1500:]))


# ---------------------------------------------------------------------
# The routes: each returns the checker's line, or raises Failed
# ---------------------------------------------------------------------

def host_venv(interp, root):
    """A venv of a pyenv Python with setuptools and the oldbuffer wheel:
    what a user has after `pip install oldbuffer`."""
    venv = os.path.join(root, "venv")
    step(HOST, [interp.python, "-m", "venv", venv])
    python = os.path.join(venv, "bin", "python")
    wheels = [WHEEL]
    if HOST.run([python, "-c", "import setuptools"])[0] != 0:
        # pyenv's 3.12+ ship no setuptools: Debian's wheel, offline.
        wheels += glob.glob(SETUPTOOLS_WHEELS)[-1:]
    step(HOST, [python, "-m", "pip", "install", "-q", "--no-index",
                "--no-deps"] + wheels)
    return python


def route_setuptools(interp):
    side = side_of(interp)
    src, out = job_dir(side, interp, "setuptools")
    if side is HOST:
        python, env = host_venv(interp, os.path.dirname(src)), None
    else:
        python, env = interp.python, {"PYTHONPATH": CHROOT_SITE}
    step(side, [python, "setup.py", "-q", "build_ext", "--build-lib", out,
                "--build-temp", os.path.join(out, "tmp")],
         env=env, cwd=os.path.join(src, "setuptools"))
    return check_module(side, python, out, env)


def route_cmake(interp):
    side = side_of(interp)
    src, out = job_dir(side, interp, "cmake")
    prefix = side.path(WORK, "prefix")
    # FindPython wants a path: given a bare "python3.13" it quietly
    # picks another Python.
    python = interp.python
    if side is CHROOT:
        python = os.path.join("/usr/bin", python)
    step(side, ["cmake", "-S", os.path.join(src, "cmake"), "-B", out,
                "-DCMAKE_BUILD_TYPE=Release", "-DCMAKE_PREFIX_PATH=" + prefix,
                "-DPython_EXECUTABLE=" + python])
    step(side, ["cmake", "--build", out])
    return check_module(side, interp.python, out)


def route_cmake_subdir(interp):
    """oldbuffer vendored, not installed: add_subdirectory() of the
    repository (its root CMakeLists.txt)."""
    side = side_of(interp)
    src, out = job_dir(side, interp, "cmake-subdir")
    python = interp.python
    if side is CHROOT:
        python = os.path.join("/usr/bin", python)
    step(side, ["cmake", "-S", os.path.join(src, "cmake-subdir"), "-B", out,
                "-DCMAKE_BUILD_TYPE=Release", "-DOLDBUFFER_DIR=" + side.path(),
                "-DPython_EXECUTABLE=" + python])
    step(side, ["cmake", "--build", out])
    return check_module(side, interp.python, out)


def route_meson_subproject(interp):
    """oldbuffer vendored, not installed: the repository (its root
    meson.build) linked at subprojects/oldbuffer, as the example says."""
    src, out = job_dir(CHROOT, interp, "meson-subproject")
    subprojects = CHROOT.host_path(WORK, interp.tag, "meson-subproject",
                                   "src", "meson-subproject", "subprojects")
    os.makedirs(subprojects)
    os.symlink(CHROOT.path(), os.path.join(subprojects, "oldbuffer"))
    step(CHROOT, ["meson", "setup", out,
                  os.path.join(src, "meson-subproject"),
                  "--force-fallback-for=oldbuffer",
                  "-Dpython=" + interp.python])
    step(CHROOT, ["meson", "compile", "-C", out])
    return check_module(CHROOT, interp.python, out)


def route_meson(interp):
    src, out = job_dir(CHROOT, interp, "meson")
    env = {"PKG_CONFIG_PATH": CHROOT.path(WORK, "prefix", "share",
                                          "pkgconfig")}
    step(CHROOT, ["meson", "setup", out, os.path.join(src, "meson"),
                  "-Dpython=" + interp.python], env=env)
    step(CHROOT, ["meson", "compile", "-C", out], env=env)
    return check_module(CHROOT, interp.python, out)


def route_cython(interp):
    src, out = job_dir(CHROOT, interp, "cython")
    env = {"PYTHONPATH": CHROOT_SITE}
    step(CHROOT, [interp.python, "setup.py", "-q", "build_ext",
                  "--build-lib", out, "--build-temp",
                  os.path.join(out, "tmp")],
         env=env, cwd=os.path.join(src, "cython"))
    return "".join(check_module(CHROOT, interp.python, out, env, module)
                   for module in ("legacysum_cimport", "legacysum_extern"))


def route_swig(interp, limited=""):
    route = "swig-limited" if limited else "swig"
    src, out = job_dir(CHROOT, interp, route)
    env = {"PYTHONPATH": CHROOT_SITE}
    step(CHROOT, ["make", "-s", "PYTHON=" + interp.python, "OUT=" + out,
                  "LIMITED=" + limited],
         env=env, cwd=os.path.join(src, "swig"))
    return check_module(CHROOT, interp.python, out)


def route_cython_pkgconfig(interp):
    """No Python package: the make-installed oldbuffer.pxd (cython -I)
    and `pkg-config --cflags oldbuffer`, compiled by hand."""
    src, out = job_dir(CHROOT, interp, "cython-pc")
    prefix = CHROOT.path(WORK, "prefix")
    script = (
        'set -e; cd "$1/cython"; mkdir -p "$2"\n'
        'cython3 -3 -I "$3/include" legacysum_cimport.pyx -o "$2/m.c"\n'
        'EXT=$($4 -c "import importlib.machinery as m;'
        ' print(m.EXTENSION_SUFFIXES[0])")\n'
        'cc -shared -fPIC -O2 $(pkg-config --cflags oldbuffer) -I.. '
        '$($4-config --includes) -DLEGACYSUM_NO_MODULE "$2/m.c" '
        '../legacysum.c -o "$2/legacysum_cimport$EXT"\n')
    step(CHROOT, ["sh", "-c", script, "sh", src, out, prefix,
                  interp.python],
         env={"PKG_CONFIG_PATH": os.path.join(prefix, "share",
                                              "pkgconfig")})
    return check_module(CHROOT, interp.python, out,
                        module="legacysum_cimport")


def must_not_compile(interp, what, argv_script):
    """Negative control: without oldbuffer.h the source must not build on
    3.13+, or the routes above would prove nothing."""
    src, out = job_dir(CHROOT, interp, "without-" + what)
    code, output = CHROOT.run(["sh", "-c", "set -e; " + argv_script, "sh",
                               src, out, interp.python])
    if code == 0:
        raise Failed("built without oldbuffer.h:\n" + output)
    if "PyObject_As" not in output:
        raise Failed("failed for another reason than the old calls:\n"
                     + output)
    return "fails as it must: %s" % [l for l in output.splitlines()
                                     if "PyObject_As" in l][0].strip()


COMPILE_PLAIN = ('cd "$1"; mkdir -p "$2"; cc -shared -fPIC -I. $($3-config --includes) '
                 'legacysum.c -o "$2/legacysum.so"')
COMPILE_SWIG = ('cd "$1/swig"; mkdir -p "$2"; swig -python -I.. -o '
                '"$2/wrap.c" legacysum.i; cc -shared -fPIC -I.. '
                '$($3-config --includes) -DSWIG_PYTHON_OLD_BUFFER_PROTOCOL '
                '-DLEGACYSUM_NO_MODULE "$2/wrap.c" -o "$2/_legacysum.so"')


# ---------------------------------------------------------------------

WHEEL = None
CHROOT_SITE = None


def attempt(tally, what, func, *args):
    try:
        result = func(*args)
    except Failed as e:
        tally.fail(what, str(e))
        return None
    tally.ok(what)
    return result


def prepare_chroot(tally):
    """make install inside the chroot, and the wheel unpacked where the
    chroot's Pythons (which have no pip) find it: (ok, why)."""
    global CHROOT, CHROOT_SITE
    why = harness.ensure_chroot()
    if why:
        return why
    CHROOT = Side("chroot")
    CHROOT_SITE = CHROOT.path(WORK, "site")
    site = CHROOT.host_path(WORK, "site")
    shutil.rmtree(site, ignore_errors=True)
    with zipfile.ZipFile(WHEEL) as whl:
        whl.extractall(site)
    attempt(tally, "make install in the sid chroot (PREFIX=%s)"
            % CHROOT.path(WORK, "prefix"), make_install, CHROOT)
    return None


def route_jobs(tally):
    """[(label, function, args)] of every build, and skips counted."""
    jobs = []
    for minor in PYENV_VERSIONS:
        interp = harness.pyenv(minor)
        if interp is None:
            for route in ("setuptools", "cmake", "cmake-subdir"):
                tally.skip("%-12s %s" % (route, minor),
                           "no pyenv Python %s" % minor)
            continue
        jobs.append(("setuptools", interp, route_setuptools, ()))
        jobs.append(("cmake", interp, route_cmake, ()))
        jobs.append(("cmake-subdir", interp, route_cmake_subdir, ()))
    found, _ = harness.sid_interpreters()
    sid = dict((i.tag, i) for i in found)
    for tag in SID_TAGS:
        interp = sid.get(tag)
        if interp is None or CHROOT_UNAVAILABLE:
            tally.skip("routes on %s" % tag, CHROOT_UNAVAILABLE or
                       "not in the sid chroot")
            continue
        jobs += [("setuptools", interp, route_setuptools, ()),
                 ("cmake", interp, route_cmake, ()),
                 ("cmake-subdir", interp, route_cmake_subdir, ()),
                 ("meson", interp, route_meson, ()),
                 ("meson-subproject", interp, route_meson_subproject, ()),
                 ("cython", interp, route_cython, ()),
                 ("swig", interp, route_swig, ()),
                 ("swig-limited", interp, route_swig, ("0x030B0000",))]
    if "3.13-sid" in sid and not CHROOT_UNAVAILABLE:
        first = sid["3.13-sid"]
        jobs += [("cython-pc", first, route_cython_pkgconfig, ()),
                 ("no-oldbuffer C", first, must_not_compile,
                  ("c", COMPILE_PLAIN)),
                 ("no-oldbuffer SWIG", first, must_not_compile,
                  ("swig", COMPILE_SWIG))]
    return jobs


CHROOT_UNAVAILABLE = None


def main():
    global HOST
    HOST = Side("host")
    try:
        return run_suite()
    finally:
        for side in (HOST, CHROOT):
            if side is not None:
                side.cleanup()


def run_suite():
    global WHEEL, CHROOT_UNAVAILABLE
    tally = harness.Tally(NAME)
    say("oldbuffer %s (%s) in setuptools, CMake, Meson, Cython and SWIG "
        "builds" % (VERSION, VERSION_HEX))
    WHEEL = attempt(tally, "python package: sdist, then a wheel from it "
                    "(offline, %s)" % BUILD_PYTHON, build_wheel)
    if WHEEL is None:
        return tally.finish()
    attempt(tally, "python package: pip install --no-build-isolation ., "
            "python -m oldbuffer --includes/--cflags", check_pip_install_and_cli)
    for python in cli_pythons(tally):
        attempt(tally, "python -m oldbuffer --cflags/--includes under %r: "
                "quoted, round-trip through shlex.split and sh eval, "
                "compile (%s)" % (CLI_DIR, python), check_cli_quoting, python)
        attempt(tally, "python -m oldbuffer --cflags as on Windows: "
                "double quotes, round-trip through Windows' argv rules "
                "(%s)" % python, check_cli_windows_quoting, python)
        attempt(tally, "python -m oldbuffer --cflags/--help/--version: "
                "full, broken or closed stdout gives one line and exit 1 "
                "(%s)" % python, check_cli_stdout_errors, python)
    prefix = attempt(tally, "make install (PREFIX=%s)"
                     % HOST.path(WORK, "prefix"), make_install, HOST)
    if prefix is None:
        return tally.finish()
    attempt(tally, "make install DESTDIR=... and uninstall, pkg-config "
            "--cflags --modversion oldbuffer, a lifetime-safe compile "
            "through it", check_destdir_and_pkgconfig, prefix)
    attempt(tally, "CMake package: find_package(oldbuffer <version>) rules",
            check_cmake_versions, prefix)
    attempt(tally, "CMake packages, installed and vendored: every "
            "include/*.h (%s); find_package() refuses an installation "
            "lacking any" % " ".join(HEADERS), check_cmake_headers, prefix)
    CHROOT_UNAVAILABLE = prepare_chroot(tally)

    jobs = route_jobs(tally)
    say("building legacysum %d ways, 2 at a time" % len(jobs))
    with concurrent.futures.ThreadPoolExecutor(2) as pool:
        futures = [(route, interp, pool.submit(attempt_quietly, func,
                                               interp, *args))
                   for route, interp, func, args in jobs]
        for route, interp, future in futures:
            ok, detail = future.result()
            what = "%-17s %-9s %s" % (route, interp.tag, interp.where)
            if ok:
                tally.ok("%s  %s" % (what, detail.strip().splitlines()[-1]))
            else:
                tally.fail(what, detail)
    return tally.finish()


def attempt_quietly(func, *args):
    try:
        return True, func(*args)
    except Failed as e:
        return False, str(e)


if __name__ == "__main__":
    sys.exit(main())
