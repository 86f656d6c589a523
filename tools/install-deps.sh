#!/bin/sh
# Install what the test matrix needs on this Debian host (run as root).
# The interpreters of the sid chroot are installed by tools/sid-chroot.sh.
# Idempotent: installs only what is missing.
set -eu
PKGS="gcc g++ clang make debootstrap python3 binutils"
# The build-system routes (tests/suites/suite_buildsystems.py): CMake,
# pkg-config, and setuptools for the pyenv interpreters that ship without it (3.12+).
PKGS="$PKGS cmake pkgconf python3-pip python3-setuptools python3-setuptools-whl python3-wheel"
# The migration scanner (tests/suites/suite_scanner.py): memcheck of
# tools/oldbuffer-scan.c.
PKGS="$PKGS valgrind"
# Reliability (tests/suites/suite_reliability.py, make fuzz): clang's
# libFuzzer and sanitizer runtimes (gcc's libasan/libubsan come with gcc).
PKGS="$PKGS libclang-rt-14-dev"
# tools/oldbuffer-migrate and tests/suites/suite_migrate.py: Coccinelle's spatch.
PKGS="$PKGS coccinelle"
# The compile suite's MSVC mode (tests/suites/suite_compile.py): a Windows C
# runtime's headers for clang --target=x86_64-pc-windows-msvc.
PKGS="$PKGS mingw-w64-x86-64-dev"
# The workflow check (tests/suites/suite_workflows.py): PyYAML to read
# .github/workflows/, node and npm for action-validator (installed from
# npm below).  A node that came with its own npm (not Debian's) is kept.
PKGS="$PKGS python3-yaml"
command -v npm >/dev/null 2>&1 || PKGS="$PKGS nodejs npm"
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
# action-validator, into its cache outside the tree (once; the npm registry).
# Not fatal here: without it the workflow suite fails on its own, with the
# reason, and the rest of the matrix still runs.
sh "$(dirname "$0")/action-validator.sh" >/dev/null \
    || echo "install-deps: action-validator not installed (above)" >&2
