#!/bin/sh
# Install what the test matrix needs on this Debian host (run as root).
# The interpreters of the sid chroot are installed by tools/sid-chroot.sh.
# Idempotent: installs only what is missing.
set -eu
PKGS="gcc g++ clang make debootstrap python3 binutils"
# issue 5 (tests/suite_buildsystems.py): CMake and pkg-config routes, and
# setuptools for the pyenv interpreters that ship without it (3.12+).
PKGS="$PKGS cmake pkgconf python3-pip python3-setuptools python3-setuptools-whl python3-wheel"
# issue 4 (tests/suite_scanner.py): memcheck of tools/oldbuffer-scan.c.
PKGS="$PKGS valgrind"
# issue 7 (tests/suite_reliability.py, make fuzz): clang's libFuzzer and
# sanitizer runtimes (gcc's libasan/libubsan come with gcc).
PKGS="$PKGS libclang-rt-14-dev"
# tools/oldbuffer-migrate and tests/suite_migrate.py: Coccinelle's spatch.
PKGS="$PKGS coccinelle"
missing=""
for p in $PKGS; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" \
        || missing="$missing $p"
done
if [ -n "$missing" ]; then
    echo "install-deps: installing$missing"
    apt-get update -qq
    # shellcheck disable=SC2086
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $missing >/dev/null
fi
