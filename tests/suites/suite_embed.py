#!/usr/bin/env python3
"""Embedding: subinterpreters, and Python initialised again.

tests/ext/_testembed.c is an application that embeds Python: three rounds of
Py_Initialize ... Py_FinalizeEx, the write call in the main interpreter
and in a subinterpreter (Py_NewInterpreter) in each.  It is built three
times, C99 with -Werror, against the shared libpython of every CPython 3
of the matrix (pyenv and the sid chroot; PyPy does not embed this way):
as is; with OLDBUFFER_AUDIT, whose warning class must be each
interpreter's own in each round; and with OLDBUFFER_LIFETIME_SAFE, whose
main-thread state must survive none of it -- a subinterpreter's pending
call, in the main thread or another, must not be taken for the main
thread's, pins taken late in finalisation must not outlive it, and each
round must start afresh (the header's Py_AtExit hook).  Every line it
prints is a check, and it must print nothing else on stderr.
"""
from __future__ import print_function

import concurrent.futures
import os
import re
import sys

sys.path.insert(0, os.path.dirname(os.path.dirname(  # tests/: harness.py
    os.path.abspath(__file__))))
import harness  # noqa: E402

# Build and run on the interpreter's side:
#   sh -c BUILD_AND_RUN sh PYTHON TOP OUT
BUILD_AND_RUN = r'''
set -e
PY=$1; TOP=$2; OUT=$3; NAME=$4; shift 4
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
cc -std=c99 -O1 -g -Wall -Wextra -Werror -Wconversion "$@" \
    -I"$TOP/include" -I"$INC" "$TOP/tests/ext/_testembed.c" \
    -o "$OUT/$NAME" -L"$LIBDIR" -lpython"$LDVERSION" $LIBS \
    -Wl,-rpath,"$LIBDIR"
PYTHONHOME=$PYHOME exec "$OUT/$NAME"
'''


# (name, compiler flags, checks per round)
VARIANTS = (("testembed", [], 4),
            ("testembed_audit", ["-DOLDBUFFER_AUDIT"], 6),
            ("testembed_lifetime", ["-DOLDBUFFER_LIFETIME_SAFE"], 8))
ROUNDS = 3


def build_and_run(interp, name, flags):
    out = interp.path("build", "embed-%s" % interp.tag)
    argv = ["sh", "-c", BUILD_AND_RUN, "sh", interp.python, interp.path(),
            out, name] + flags
    return harness.run(interp.argv(argv), timeout=300)


def main():
    tally = harness.Tally("embed")
    interps = [i for i in harness.all_interpreters(tally, "embed", (3, 6))
               if not i.tag.startswith("pypy")]
    with concurrent.futures.ThreadPoolExecutor(2) as pool:
        jobs = [(i, v, pool.submit(build_and_run, i, v[0], v[1]))
                for i in interps for v in VARIANTS]
        for interp, (name, flags, per_round), job in jobs:
            code, output = job.result()
            lines = [l for l in output.splitlines()
                     if l.startswith(("ok  ", "FAIL "))]
            # (Nothing else: no compiler warning, no traceback, no
            # message the interpreter prints on its own.)
            others = [l for l in output.splitlines()
                      if l.strip() and l not in lines
                      and not re.match(r"^\d+ failures$", l)]
            if interp.version() == (3, 8) and name.endswith("lifetime"):
                # 3.8's Py_AddPendingCall prints this when it refuses a
                # call during finalisation (the pins taken in atexit and
                # __del__): once per round, documented in the header.
                refusal = ("SystemError: Py_AddPendingCall: cannot add "
                           "pending calls (Python shutting down)")
                if others.count(refusal) <= ROUNDS:
                    others = [l for l in others if l != refusal]
            tally.check(code == 0 and len(lines) == ROUNDS * per_round
                        and all(l.startswith("ok") for l in lines)
                        and not others,
                        "%s: %s, %d checks in %d rounds of Py_Initialize "
                        "... Py_FinalizeEx" % (interp.tag, name, len(lines),
                                               ROUNDS), output)
    return tally.finish()


if __name__ == "__main__":
    sys.exit(main())
