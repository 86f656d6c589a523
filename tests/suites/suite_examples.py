#!/usr/bin/env python3
"""The example legacy extension on every interpreter.

examples/legacy/oldchecksum.c is C written the Python 2 way: it calls the
old buffer functions and knows nothing of oldbuffer.  For each interpreter
of the matrix this suite checks that
  * without oldbuffer it does not build on CPython 3.13+ (the functions
    are no longer declared) -- the problem this project solves;
  * with `-include oldbuffer.h` and no source change it builds with
    -Wall -Wextra -Werror on 2.7, 3.6 ... 3.15 and PyPy, and its demo
    (examples/legacy/demo.py, checked against zlib) passes.
"""
from __future__ import print_function

import concurrent.futures
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.dirname(  # tests/: harness.py
    os.path.abspath(__file__))))
import harness  # noqa: E402
from harness import say  # noqa: E402

BUILD_AND_RUN = r'''
set -e
PY=$1; TOP=$2; OUT=$3; MODE=$4
INC=$("$PY" -c 'import sysconfig; print(sysconfig.get_paths()["include"])')
EXT=$("$PY" -c 'import sys
if sys.version_info[0] < 3: print(".so")
else:
    import importlib.machinery as m; print(m.EXTENSION_SUFFIXES[0])')
mkdir -p "$OUT"
SRC="$TOP/examples/legacy/oldchecksum.c"
if [ "$MODE" = without ]; then
    # Plain C as a maintainer compiles it: implicit declarations are
    # errors (as in GCC 14 and later).
    exec cc -shared -fPIC -O2 -Werror=implicit-function-declaration \
        -I"$INC" "$SRC" -o "$OUT/without$EXT"
fi
cc -shared -fPIC -O2 -Wall -Wextra -Werror -include oldbuffer.h \
    -I"$TOP/include" -I"$INC" "$SRC" -o "$OUT/oldchecksum$EXT"
PYTHONPATH=$OUT exec "$PY" "$TOP/examples/legacy/demo.py"
'''


def check(interp):
    out = interp.path("build", "example-" + interp.tag)
    argv = ["sh", "-c", BUILD_AND_RUN, "sh", interp.python,
            interp.path(), out]
    without = harness.run(interp.argv(argv + ["without"]), timeout=300)
    with_ = harness.run(interp.argv(argv + ["with"]), timeout=300)
    return without, with_


def main():
    tally = harness.Tally("examples")
    interps = harness.all_interpreters(tally, "example")
    with concurrent.futures.ThreadPoolExecutor(2) as pool:
        jobs = [(i, pool.submit(check, i)) for i in interps]
        for interp, job in jobs:
            (code0, out0), (code1, out1) = job.result()
            cpython = not interp.tag.startswith("pypy")
            if cpython and interp.version() >= (3, 13):
                tally.check(
                    code0 != 0 and "PyObject_As" in out0,
                    "%s: without oldbuffer the example does not build"
                    % interp.tag, out0)
            else:
                tally.check(code0 == 0, "%s: without oldbuffer the example"
                            " still builds (functions declared)"
                            % interp.tag, out0)
            tally.check(code1 == 0 and "oldchecksum works" in out1,
                        "%s: with -include oldbuffer.h it builds and its "
                        "demo passes" % interp.tag, out1)
    readme_command(tally)
    return tally.finish()


def readme_command(tally):
    """README's first command, `make example`, as a newcomer runs it: on
    CPython 3.15 from the sid chroot, and without the chroot on the
    newest pyenv CPython."""
    code, out = harness.run(["make", "-s", "-C", harness.TOP, "example"],
                            timeout=900)
    tally.check(code == 0 and "example on python3.15" in out
                and "oldchecksum works on Python 3.15" in out,
                "make example: builds and runs on CPython 3.15 (sid)", out)
    env = dict(os.environ, OLDBUFFER_NO_CHROOT="1")
    newest = harness.pyenv_interpreters()[-1].tag
    code, out = harness.run(["make", "-s", "-C", harness.TOP, "example"],
                            timeout=300, env=env)
    tally.check(code == 0 and "oldchecksum works on Python %s" % newest
                in out, "make example without the chroot: runs on the "
                "newest pyenv CPython (%s)" % newest, out)


if __name__ == "__main__":
    sys.exit(main())
