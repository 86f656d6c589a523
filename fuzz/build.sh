#!/bin/sh
# Build the differential fuzzer against one CPython 3.12+.
#
#   fuzz/build.sh PYTHON OUT_DIR      -> OUT_DIR/fuzz_oldbuffer
#
# PYTHON must be a shared-library build (pyenv's are): the target links its
# libpython, finds it through an rpath, and has its prefix compiled in as
# the default PYTHONHOME, so it runs from anywhere without environment.
# Needs clang's libFuzzer runtime (Debian: libclang-rt-14-dev).  Extra
# compiler flags in FUZZ_CFLAGS (e.g. -DOLDBUFFER_NO_FAST_PATHS).
set -eu
PY=$1; OUT=$2
HERE=$(cd "$(dirname "$0")" && pwd)
TOP=$(dirname "$HERE")
CC=${FUZZ_CC:-clang}
var() { "$PY" -c "import sysconfig; print(sysconfig.get_config_var('$1'))"; }
INC=$("$PY" -c 'import sysconfig; print(sysconfig.get_paths()["include"])')
LIBDIR=$(var LIBDIR)
LDVERSION=$(var LDVERSION)
PREFIX=$("$PY" -c 'import sys; print(sys.base_prefix)')
mkdir -p "$OUT"
"$CC" -std=c11 -g -O1 -Wall -Wextra -Werror -Wconversion \
    -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined \
    -fno-omit-frame-pointer ${FUZZ_CFLAGS:-} \
    -I"$TOP/include" -I"$TOP/tests/ext" -I"$INC" \
    -DOB_PYTHONHOME="\"$PREFIX\"" -DOB_FUZZ_DIR="\"$HERE\"" \
    "$HERE/fuzz_oldbuffer.c" -o "$OUT/fuzz_oldbuffer" \
    -L"$LIBDIR" -lpython"$LDVERSION" -Wl,-rpath,"$LIBDIR"
