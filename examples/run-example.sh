#!/bin/sh
# Build the example legacy extension (examples/legacy/oldchecksum.c, which
# knows nothing of oldbuffer) with `-include oldbuffer.h` and run its demo
# on the newest interpreter here: CPython 3.15 from the sid chroot
# (created on first use by tools/sid-chroot.sh; set OLDBUFFER_NO_CHROOT=1
# to skip it), else the newest pyenv CPython.
#
#   sh examples/run-example.sh [PYTHON]
set -eu
TOP=$(cd "$(dirname "$0")/.." && pwd)
build() {   # build PYTHON OUTDIR (paths as seen by PYTHON's side)
    inc=$("$1" -c 'import sysconfig; print(sysconfig.get_paths()["include"])')
    ext=$("$1" -c 'import sys
if sys.version_info[0] < 3: print(".so")
else:
    import importlib.machinery as m; print(m.EXTENSION_SUFFIXES[0])')
    mkdir -p "$2"
    cc -shared -fPIC -O2 -Wall -Wextra -Werror \
        -include oldbuffer.h -I"$3/include" -I"$inc" \
        "$3/examples/legacy/oldchecksum.c" -o "$2/oldchecksum$ext"
    PYTHONPATH=$2 "$1" "$3/examples/legacy/demo.py"
}
if [ "${1:-}" = "--inside" ]; then   # called again inside the chroot
    build "$2" "$3" "$4"
    exit 0
fi
if [ -n "${1:-}" ]; then
    echo "== example on $1"
    build "$1" "$TOP/build/example" "$TOP"
elif [ "${OLDBUFFER_NO_CHROOT:-}" != 1 ] && [ "$(id -u)" = 0 ] \
        && ROOT=$("$TOP/tools/sid-chroot.sh"); then
    rm -rf "$ROOT/oldbuffer-example"
    mkdir -p "$ROOT/oldbuffer-example"
    cp -r "$TOP/include" "$TOP/examples" "$ROOT/oldbuffer-example/"
    echo "== example on python3.15 (sid chroot $ROOT)"
    "$TOP/tools/sid-chroot.sh" run sh /oldbuffer-example/examples/run-example.sh \
        --inside python3.15 /oldbuffer-example/build /oldbuffer-example
else
    PY=$(ls -d "$HOME"/.pyenv/versions/3.* | sort -V | tail -n 1)/bin/python
    echo "== example on $PY (no sid chroot: newest pyenv CPython)"
    build "$PY" "$TOP/build/example" "$TOP"
fi
