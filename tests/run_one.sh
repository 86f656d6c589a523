#!/bin/sh
# Build the test extension for one interpreter and run the suite on it.
#
#   tests/run_one.sh PYTHON BUILD_DIR [extra python options...]
#
# Compiles tests/ext/_testoldbuffer.c as C (_testoldbuffer_c), as C++
# (_testoldbuffer_cpp) and as C without the fast paths, with the
# interpreter's headers and every warning an error, then runs
# tests/test_oldbuffer.py.  Used by tests/runtests.py on the host and
# inside the sid chroot alike.
set -eu
PY=$1; OUT=$2; shift 2
HERE=$(cd "$(dirname "$0")" && pwd)   # tests/
TOP=$(dirname "$HERE")
EXT_DIR=$HERE/ext
CC=${CC:-cc}
CXX=${CXX:-c++}
WARN="-Wall -Wextra -Werror -Wconversion"
INC=$("$PY" -c 'import sysconfig; print(sysconfig.get_paths()["include"])')
# The file name this interpreter imports extensions from (PyPy does not
# accept a bare ".so").
EXT=$("$PY" -c 'import sys
if sys.version_info[0] < 3: print(".so")
else:
    import importlib.machinery as m; print(m.EXTENSION_SUFFIXES[0])')
mkdir -p "$OUT"
"$CC" -std=c99 -O2 -g $WARN ${OB_SANITIZE:-} -shared -fPIC \
    -I"$TOP/include" -I"$INC" -DOB_MODNAME=_testoldbuffer_c \
    "$EXT_DIR/_testoldbuffer.c" -o "$OUT/_testoldbuffer_c$EXT"
"$CXX" -std=c++11 -O2 -g $WARN ${OB_SANITIZE:-} -shared -fPIC \
    -I"$TOP/include" -I"$INC" -DOB_MODNAME=_testoldbuffer_cpp \
    -x c++ "$EXT_DIR/_testoldbuffer.c" -o "$OUT/_testoldbuffer_cpp$EXT"
# A third build without the fast paths (bytes/bytearray read directly,
# inlined slot calls): test_oldbuffer.py's FastPaths compares the two.
"$CC" -std=c99 -O2 -g $WARN ${OB_SANITIZE:-} -shared -fPIC \
    -I"$TOP/include" -I"$INC" -DOB_MODNAME=_testoldbuffer_slow \
    -DOLDBUFFER_NO_FAST_PATHS \
    "$EXT_DIR/_testoldbuffer.c" -o "$OUT/_testoldbuffer_slow$EXT"
OLDBUFFER_BUILD=$OUT exec "$PY" "$@" "$HERE/test_oldbuffer.py"
