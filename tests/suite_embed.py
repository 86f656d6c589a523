#!/usr/bin/env python3
"""Embedding: subinterpreters and a second initialisation.

tests/_testembed.c is an application that embeds Python: twice over, it
initialises Python, makes the write call on a bytes object in the main
interpreter and in a subinterpreter (Py_NewInterpreter), and finalises.
From 3.9 the header keeps the main interpreter's message str for that
call's TypeError (OLDBUFFER_KEEP_WRITE_MESSAGE): a subinterpreter must
raise with a str of its own, and Py_FinalizeEx must forget the kept one,
so that the second round makes a new one instead of using a str of the
ended interpreter.  It is built (C99, -Werror) and linked against the
shared libpython of every CPython 3 of the matrix (pyenv and the sid
chroot; PyPy does not embed this way), and every line it prints is a
check.
"""
from __future__ import print_function

import concurrent.futures
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness  # noqa: E402

# Build and run on the interpreter's side:
#   sh -c BUILD_AND_RUN sh PYTHON TOP OUT
BUILD_AND_RUN = r'''
set -e
PY=$1; TOP=$2; OUT=$3
eval "$("$PY" -c '
import shlex, sys, sysconfig
v = sysconfig.get_config_var
for name, value in (
        ("INC", sysconfig.get_paths()["include"]),
        ("LIBDIR", v("LIBDIR")),
        ("LDVERSION", v("LDVERSION")),
        ("LIBS", "%s %s" % (v("LIBS") or "", v("SYSLIBS") or "")),
        ("PYHOME", sys.base_prefix)):
    print("%s=%s" % (name, shlex.quote(value)))
')"
mkdir -p "$OUT"
cc -std=c99 -O1 -g -Wall -Wextra -Werror -Wconversion \
    -I"$TOP/include" -I"$INC" "$TOP/tests/_testembed.c" \
    -o "$OUT/testembed" -L"$LIBDIR" -lpython"$LDVERSION" $LIBS \
    -Wl,-rpath,"$LIBDIR"
PYTHONHOME=$PYHOME exec "$OUT/testembed"
'''


def build_and_run(interp):
    out = interp.path("build", "embed-%s" % interp.tag)
    argv = ["sh", "-c", BUILD_AND_RUN, "sh", interp.python, interp.path(),
            out]
    return harness.run(interp.argv(argv), timeout=300)


def main():
    tally = harness.Tally("embed")
    interps = [i for i in harness.all_interpreters(tally, "embed", (3, 6))
               if not i.tag.startswith("pypy")]
    with concurrent.futures.ThreadPoolExecutor(2) as pool:
        jobs = [(i, pool.submit(build_and_run, i)) for i in interps]
        for interp, job in jobs:
            code, output = job.result()
            lines = [l for l in output.splitlines()
                     if l.startswith(("ok  ", "FAIL "))]
            # Two rounds of at least: the calls, the subinterpreter's
            # two, Py_FinalizeEx (3.6 - 3.8); 3.9+ adds three.
            want = 2 * (5 + (3 if interp.version() >= (3, 9) else 0))
            tally.check(code == 0 and len(lines) == want
                        and all(l.startswith("ok") for l in lines),
                        "%s: %d embedding checks (2 rounds: main "
                        "interpreter, subinterpreter, Py_FinalizeEx)"
                        % (interp.tag, len(lines)), output)
    return tally.finish()


if __name__ == "__main__":
    sys.exit(main())
