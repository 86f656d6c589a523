"""Shared plumbing for oldbuffer's test scripts (stdlib only, Python 3.6+).

A "suite" is a test script run on the host: tests/suites/suite_<name>.py.
tests/runtests.py runs each suite after the differential matrix, from the
repository root, with the host's python3, once the sid chroot exists and
holds a fresh copy of the tree at /oldbuffer.  A suite:
  * prints what it does, one line per check or per group of checks;
  * ends with the line "<name>: N passed, N failed, N skipped"
    (Tally.finish() prints it) and exits 0 only when nothing failed;
  * counts a check it cannot run as skipped, saying why -- and, when the
    environment variable CI is "true", as failed instead (CI must never
    go green on a check that did not run);
  * stays within a few minutes on this 2-core machine (bound every fuzz
    or stress run).
Run one alone with `python3 tests/suites/suite_<name>.py`; it then prepares
the chroot itself (harness.ensure_chroot()).  TESTS, EXT, SUITES and
FIXTURES below name the folders of tests/ (tests/README.md says what each
holds).
"""
from __future__ import print_function

import glob
import os
import re
import shutil
import subprocess
import sys
import time

TOP = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
INCLUDE = os.path.join(TOP, "include")
TESTS = os.path.join(TOP, "tests")         # runners, Python test modules
EXT = os.path.join(TESTS, "ext")           # C sources and shared C headers
SUITES = os.path.join(TESTS, "suites")     # suite_<name>.py
FIXTURES = os.path.join(TESTS, "fixtures")  # data files the suites read
CHROOT_SCRIPT = os.path.join(TOP, "tools", "sid-chroot.sh")
CI = os.environ.get("CI") == "true"

# The interpreters of the sid chroot: (tag, command, extra options).
SID_PYTHONS = [
    ("3.13-sid", "python3.13", []),
    ("3.13d-sid", "python3.13d", ["-X", "dev"]),
    ("3.14-sid", "python3.14", []),
    ("3.14d-sid", "python3.14d", ["-X", "dev"]),
    ("3.15-sid", "python3.15", []),
    ("3.15d-sid", "python3.15d", ["-X", "dev"]),
    ("pypy3-sid", "pypy3", []),
]
# The pyenv versions the matrix expects.
EXPECTED_PYENV = ["2.7", "3.6", "3.7", "3.8", "3.9", "3.10", "3.11",
                  "3.12", "3.13"]
# What the chroot gets a copy of (it cannot see the host's tree).
TREE = ["include", "tests", "examples", "tools", "bench", "fuzz",
        "python", "cmake", "Makefile", "CMakeLists.txt", "meson.build",
        "oldbuffer.pc.in", "pyproject.toml", "setup.py"]


def say(*args):
    print(*args)
    sys.stdout.flush()


class Interp(object):
    """One interpreter: where it runs and how to call it."""

    def __init__(self, tag, python, where, options=()):
        self.tag = tag            # "3.12.1", "3.14d-sid", ...
        self.python = python      # a path (pyenv) or a command (chroot)
        self.where = where        # "pyenv" or "chroot"
        self.options = list(options)

    def version(self):
        """(major, minor) from the tag (PyPy: the language version)."""
        if self.tag.startswith("pypy"):
            return (3, 11)
        m = re.match(r"(\d+)\.(\d+)", self.tag)
        return (int(m.group(1)), int(m.group(2)))

    def argv(self, argv):
        """argv to run on this interpreter's side (host or chroot)."""
        return chroot_argv(argv) if self.where == "chroot" else list(argv)

    def path(self, *parts):
        """A path of the repository as this interpreter's side sees it."""
        base = "/oldbuffer" if self.where == "chroot" else TOP
        return os.path.join(base, *parts)

    def __repr__(self):
        return "%s (%s)" % (self.tag, self.where)


def pyenv_interpreters():
    root = os.path.expanduser(os.environ.get("PYENV_ROOT", "~/.pyenv"))
    found = []
    for d in glob.glob(os.path.join(root, "versions", "*")):
        name = os.path.basename(d)
        py = os.path.join(d, "bin", "python")
        if re.match(r"^\d+\.\d+\.\d+$", name) and os.access(py, os.X_OK):
            found.append(Interp(name, py, "pyenv"))
    found.sort(key=lambda i: [int(x) for x in i.tag.split(".")])
    return found


def pyenv(minor):
    """The pyenv interpreter of version "X.Y", or None."""
    for i in pyenv_interpreters():
        if i.tag.startswith(minor + "."):
            return i
    return None


def chroot_root():
    return os.environ.get("OLDBUFFER_CHROOT", "/var/cache/oldbuffer/sid")


def chroot_argv(argv):
    return ["chroot", chroot_root(), "/usr/bin/env", "-i",
            "PATH=/usr/sbin:/usr/bin:/sbin:/bin", "HOME=/root",
            "LANG=C.UTF-8"] + list(argv)


def sid_interpreters():
    """The chroot's interpreters that exist, and [(tag, why)] missing."""
    found, missing = [], []
    for tag, cmd, opts in SID_PYTHONS:
        if os.path.exists(os.path.join(chroot_root(), "usr", "bin", cmd)):
            found.append(Interp(tag, cmd, "chroot", opts))
        else:
            missing.append((tag, "%s is not in the sid chroot" % cmd))
    return found, missing


def all_interpreters(tally, what, minimum=(0, 0)):
    """Every interpreter of the matrix at least as new as minimum: the
    pyenv ones and the sid chroot's (created if needed).  Each that cannot
    be had is recorded in tally as "<what> on <tag>" skipped (a failure
    under CI=true)."""
    interps = [i for i in pyenv_interpreters() if i.version() >= minimum]
    why = ensure_chroot()
    if why is None:
        found, missing = sid_interpreters()
        interps += [i for i in found if i.version() >= minimum]
    else:
        missing = [(tag, why) for tag, _, _ in SID_PYTHONS]
    for tag, reason in missing:
        tally.skip("%s on %s" % (what, tag), reason)
    return interps


def copy_tree_into_chroot():
    dest = os.path.join(chroot_root(), "oldbuffer")
    shutil.rmtree(dest, ignore_errors=True)
    os.makedirs(dest)
    for name in TREE:
        src = os.path.join(TOP, name)
        if os.path.isdir(src):
            shutil.copytree(src, os.path.join(dest, name), symlinks=True,
                            ignore=shutil.ignore_patterns("build"))
        elif os.path.isfile(src):
            shutil.copy2(src, os.path.join(dest, name))


def ensure_chroot(copy=True):
    """Create the chroot if needed (tools/sid-chroot.sh, idempotent) and
    copy the tree into it.  Returns None, or why it is not available."""
    if os.environ.get("OLDBUFFER_NO_CHROOT") == "1":
        return "disabled (--no-chroot)"
    if os.environ.get("OLDBUFFER_CHROOT_READY") == "1":
        return None   # tests/runtests.py prepared it a moment ago
    if os.environ.get("OLDBUFFER_CHROOT_FAILED"):
        # tests/runtests.py tried a moment ago: do not try again per suite
        return os.environ["OLDBUFFER_CHROOT_FAILED"]
    if os.geteuid() != 0:
        return "the sid chroot needs root"
    t0 = time.time()
    proc = subprocess.run(["bash", CHROOT_SCRIPT], stdout=subprocess.PIPE,
                          stderr=subprocess.STDOUT, universal_newlines=True)
    if proc.returncode != 0:
        say("\n".join(proc.stdout.splitlines()[-20:]))
        return "tools/sid-chroot.sh failed (exit %d)" % proc.returncode
    if time.time() - t0 > 5:
        say("sid chroot ready after %.0f s" % (time.time() - t0))
    if copy:
        copy_tree_into_chroot()
    return None


def run(argv, timeout=None, cwd=None, env=None):
    """Run argv; return (exit code, combined output).  A timeout gives
    exit code -9 and the output so far."""
    try:
        proc = subprocess.run(argv, stdout=subprocess.PIPE,
                              stderr=subprocess.STDOUT,
                              universal_newlines=True, timeout=timeout,
                              cwd=cwd, env=env)
        return proc.returncode, proc.stdout
    except subprocess.TimeoutExpired as e:
        out = e.output or ""
        if isinstance(out, bytes):
            out = out.decode("utf-8", "replace")
        return -9, out + "\n[timed out after %s s]" % timeout


def asan_env():
    """The environment that runs a host interpreter with extensions built
    with -fsanitize=address,undefined: gcc's libasan preloaded, Python's
    allocator off, leaks not reported (CPython itself does not free
    everything at exit), and any UBSan report fatal."""
    lib = subprocess.check_output(["gcc", "-print-file-name=libasan.so"],
                                  universal_newlines=True).strip()
    return dict(os.environ, LD_PRELOAD=lib, PYTHONMALLOC="malloc",
                ASAN_OPTIONS="detect_leaks=0",
                UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1")


class Tally(object):
    """Counts checks and prints the closing summary line of a suite."""

    def __init__(self, name):
        self.name = name
        self.passed = self.failed = self.skipped = 0

    def ok(self, what):
        self.passed += 1
        say("  ok    %s" % what)

    def fail(self, what, detail=""):
        self.failed += 1
        say("  FAIL  %s" % what)
        if detail:
            say("\n".join("        " + l for l in
                          detail.rstrip().splitlines()[-40:]))

    def check(self, cond, what, detail=""):
        if cond:
            self.ok(what)
        else:
            self.fail(what, detail)
        return cond

    def skip(self, what, why):
        if CI:
            self.fail(what, "skipped under CI=true: " + why)
        else:
            self.skipped += 1
            say("  SKIP  %s: %s" % (what, why))

    def finish(self):
        say("%s: %d passed, %d failed, %d skipped"
            % (self.name, self.passed, self.failed, self.skipped))
        return 1 if self.failed else 0
