#!/usr/bin/env python3
"""The creation path of the sid chroot, exercised on every run.

Every other suite uses the chroot that tools/sid-chroot.sh made once and
caches, so a broken creation path would go unnoticed for as long as a
chroot exists.  This suite runs the script against a temporary
OLDBUFFER_CHROOT with stub commands first in PATH (debootstrap, chroot,
mount, mountpoint, umount), each of which records its arguments, and
with apt sources written for the occasion (OLDBUFFER_APT_DIR):

  * debootstrap gets the variant, the suite, the target and the mirror
    of this host's apt sources, read from deb822 `.sources` files and
    from a one-line `sources.list` (with [options], security skipped);
  * a failed debootstrap leaves nothing that a later run takes for a
    finished chroot, even over an old half-made one;
  * a finished one runs the install step and writes its stamps; a second
    run does nothing; a changed script re-runs the install step.

No network, no real chroot: it runs without root.
"""
from __future__ import print_function

import os
import shutil
import stat
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.dirname(  # tests/: harness.py
    os.path.abspath(__file__))))
import harness  # noqa: E402

# Each stub appends "name arg arg ..." (one line, args tab-separated) to
# $STUB_LOG.  debootstrap succeeds and makes a tree with an executable
# usr/bin/apt-get when $STUB_DEBOOTSTRAP is "ok", else fails.
STUB = """#!/bin/sh
name=$(basename "$0")
{ printf '%%s' "$name"; for a in "$@"; do printf '\\t%%s' "$a"; done
  printf '\\n'; } >>"$STUB_LOG"
%s
"""
STUB_BODIES = {
    "debootstrap": """
[ "$STUB_DEBOOTSTRAP" = ok ] || { echo "stub debootstrap: failing" >&2
                                 mkdir -p "$3/usr/bin"; exit 1; }
mkdir -p "$3/usr/bin" "$3/etc" "$3/proc" "$3/dev"
printf '#!/bin/sh\\n' >"$3/usr/bin/apt-get"; chmod +x "$3/usr/bin/apt-get"
""",
    "chroot": "exit 0",
    "mount": "exit 0",
    "umount": "exit 0",
    "mountpoint": "exit 1",   # nothing is mounted
}

DEB822 = """\
Types: deb-src
URIs: http://src.example.org/debian
Suites: bookworm
Components: main

Types: deb
# a comment line
URIs: http://security.example.org/debian-security
Suites: bookworm-security
Components: main

Types: deb
URIs: http://mirror.example.org/debian http://second.example.org/debian
Suites: bookworm bookworm-updates
Components: main
"""
ONE_LINE = """\
# deb http://commented.example.org/debian bookworm main
deb http://security.example.org/debian-security bookworm-security main
deb [signed-by=/usr/share/keyrings/x.gpg arch=amd64] \
http://oneline.example.org/debian bookworm main
"""


class Sandbox(object):
    def __init__(self, base):
        self.base = base
        self.bin = os.path.join(base, "bin")
        self.apt = os.path.join(base, "apt")
        self.root = os.path.join(base, "cache", "sid")
        self.log = os.path.join(base, "calls.log")
        self.script = os.path.join(base, "sid-chroot.sh")
        os.makedirs(self.bin)
        os.makedirs(os.path.join(self.apt, "sources.list.d"))
        for name, body in STUB_BODIES.items():
            path = os.path.join(self.bin, name)
            with open(path, "w") as f:
                f.write(STUB % body)
            os.chmod(path, 0o755)
        shutil.copy(harness.CHROOT_SCRIPT, self.script)

    def sources(self, deb822=None, one_line=None):
        d = os.path.join(self.apt, "sources.list.d")
        for name in os.listdir(d):
            os.remove(os.path.join(d, name))
        if os.path.exists(os.path.join(self.apt, "sources.list")):
            os.remove(os.path.join(self.apt, "sources.list"))
        if deb822 is not None:
            with open(os.path.join(d, "debian.sources"), "w") as f:
                f.write(deb822)
            # a disabled file must not be read
            with open(os.path.join(d, "other.sources.disabled"), "w") as f:
                f.write("Types: deb\nURIs: http://disabled.example.org/\n")
        if one_line is not None:
            with open(os.path.join(self.apt, "sources.list"), "w") as f:
                f.write(one_line)

    def run(self, debootstrap="ok"):
        """Run the script; return (exit code, output, [calls])."""
        if os.path.exists(self.log):
            os.remove(self.log)
        env = dict(os.environ, PATH=self.bin + os.pathsep + os.environ["PATH"],
                   OLDBUFFER_CHROOT=self.root, OLDBUFFER_APT_DIR=self.apt,
                   STUB_LOG=self.log, STUB_DEBOOTSTRAP=debootstrap)
        env.pop("OLDBUFFER_REPO", None)
        code, out = harness.run(["bash", self.script], env=env, timeout=60)
        calls = []
        if os.path.exists(self.log):
            with open(self.log) as f:
                calls = [line.rstrip("\n").split("\t") for line in f]
        return code, out, calls


def named(calls, name):
    return [c[1:] for c in calls if c[0] == name]


def check_mirror(tally, box, what, want):
    code, out, calls = box.run(debootstrap="fail")
    boot = named(calls, "debootstrap")
    expect = ["--variant=minbase", "sid", box.root + ".partial", want]
    tally.check(boot == [expect], "%s: debootstrap gets %s" % (what, expect),
                "calls: %r\noutput:\n%s" % (calls, out))
    tally.check(code != 0 and not os.path.exists(box.root)
                and not os.path.exists(box.root + ".partial"),
                "%s: a failed debootstrap exits %d and leaves neither the "
                "chroot nor its partial tree" % (what, code), out)


def main():
    tally = harness.Tally("sid chroot creation")
    base = tempfile.mkdtemp(prefix="oldbuffer-chroot-stub-")
    try:
        box = Sandbox(base)

        box.sources(deb822=DEB822)
        check_mirror(tally, box, "deb822 sources",
                     "http://mirror.example.org/debian")
        box.sources(one_line=ONE_LINE)
        check_mirror(tally, box, "one-line sources.list",
                     "http://oneline.example.org/debian")
        box.sources(deb822=DEB822, one_line=ONE_LINE)
        check_mirror(tally, box, "both formats (deb822 first)",
                     "http://mirror.example.org/debian")
        box.sources()
        check_mirror(tally, box, "no sources at all",
                     "http://deb.debian.org/debian")

        # An old, half-made chroot (apt-get present, no base stamp) is
        # not trusted: it is made again, and a failure removes it.
        box.sources(deb822=DEB822)
        os.makedirs(os.path.join(box.root, "usr", "bin"))
        apt = os.path.join(box.root, "usr", "bin", "apt-get")
        open(apt, "w").close()
        os.chmod(apt, 0o755)
        code, out, calls = box.run(debootstrap="fail")
        tally.check(len(named(calls, "debootstrap")) == 1 and code != 0
                    and not os.path.exists(box.root),
                    "a chroot without its base stamp is made again, and "
                    "removed when that fails", "%r\n%s" % (calls, out))

        code, out, calls = box.run(debootstrap="ok")
        installs = [c for c in named(calls, "chroot")
                    if "install" in c and "apt-get" in c]
        packages = ("python3.14-dbg", "python3.15-dev", "pypy3-dev",
                    "cython3", "python3-numpy")
        tally.check(code == 0 and len(named(calls, "debootstrap")) == 1
                    and len(installs) == 1 and installs[0][0] == box.root
                    and all(p in installs[0] for p in packages),
                    "a finished debootstrap is followed by the install step "
                    "in the new chroot (%s, ...)" % ", ".join(packages),
                    "%r\n%s" % (calls, out))
        tally.check(out.strip().splitlines()[-1:] == [box.root]
                    and os.path.isfile(os.path.join(box.root,
                                                    ".oldbuffer-base"))
                    and os.path.isfile(os.path.join(box.root,
                                                    ".oldbuffer-stamp"))
                    and not os.path.exists(box.root + ".partial"),
                    "it prints the chroot's path and writes both stamps",
                    out)

        code, out, calls = box.run(debootstrap="fail")
        tally.check(code == 0 and not named(calls, "debootstrap")
                    and not named(calls, "chroot"),
                    "a second run trusts the finished chroot: no "
                    "debootstrap, no install step", "%r\n%s" % (calls, out))

        with open(box.script, "a") as f:
            f.write("# changed\n")
        code, out, calls = box.run(debootstrap="fail")
        tally.check(code == 0 and not named(calls, "debootstrap")
                    and any("install" in c for c in named(calls, "chroot")),
                    "a changed script re-runs the install step (the stamp "
                    "holds the script's hash)", "%r\n%s" % (calls, out))

        # An install step that fails leaves no stamp behind.
        with open(os.path.join(box.bin, "chroot"), "w") as f:
            f.write(STUB % "exit 1")
        with open(box.script, "a") as f:
            f.write("# changed again\n")
        code, out, calls = box.run(debootstrap="fail")
        tally.check(code != 0 and not os.path.exists(
                        os.path.join(box.root, ".oldbuffer-stamp")),
                    "a failed install step leaves no stamp: the next run "
                    "tries again", "%r\n%s" % (calls, out))
    finally:
        shutil.rmtree(base, ignore_errors=True)
    return tally.finish()


if __name__ == "__main__":
    sys.exit(main())
