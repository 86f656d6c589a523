#!/usr/bin/env python3
"""Legacy exporters: one Python 2 style type, the same outcomes everywhere.

tests/ext/_testlegacy.c defines seven types that export memory through
Python 2's procs (bf_getreadbuffer, bf_getwritebuffer, bf_getsegcount,
bf_getcharbuffer), written once; each instance counts its proc calls.  On
Python 2.7 it is compiled with OLDBUFFER_NO_COMPAT_NAMES, so the four
calls are 2.7's own and read the procs themselves: that is the reference.
On every Python 3 (3.6 ... 3.15, 3.14d, PyPy) it is compiled with
oldbuffer's adapter, as C and as C++, and once more (C) with the audit and
lifetime-safe modes (PyPy: the audit alone), which must not run a proc
the default call does not.  tests/legacy_outcomes.py prints each
interpreter's outcomes; this suite checks that every Python 3 gives
exactly 2.7's -- the four calls, and what hashlib, binascii, a bytes read
and readinto get, with the procs' call counts -- and that the new
protocol (memoryview, bytes, hashlib, y*/w*, PyObject_GetBuffer,
readinto, file writes) follows the adapter's rules on the same objects.

On 2.7 it is compiled a second time with the legacy names mapped to
oldbuffer's own implementation for 2.7, which must give the same outcomes
too: the cases where 2.7 returns 0 from CheckReadBuffer with the
exception of a failing bf_getsegcount left set included (checked to
occur).
"""
from __future__ import print_function

import concurrent.futures
import json
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.dirname(  # tests/: harness.py
    os.path.abspath(__file__))))
import harness  # noqa: E402
from harness import say  # noqa: E402

BUILD_AND_RUN = r'''
set -e
PY=$1; TOP=$2; OUT=$3; SRC_LANG=$4; shift 4
INC=$("$PY" -c 'import sysconfig; print(sysconfig.get_paths()["include"])')
EXT=$("$PY" -c 'import sys
if sys.version_info[0] < 3: print(".so")
else:
    import importlib.machinery as m; print(m.EXTENSION_SUFFIXES[0])')
mkdir -p "$OUT"
if [ "$SRC_LANG" = c ]; then STD=-std=c99; else STD=-std=c++11; fi
cc -x "$SRC_LANG" $STD -O2 -Wall -Wextra -Werror -Wconversion -shared -fPIC \
    "$@" -I"$TOP/include" -I"$TOP/tests/ext" -I"$INC" \
    "$TOP/tests/ext/_testlegacy.c" -o "$OUT/_testlegacy$EXT" -lstdc++
OLDBUFFER_BUILD=$OUT exec "$PY" "$TOP/tests/legacy_outcomes.py"
'''

SEGCOUNT_FAILS = 16


def outcomes(interp, lang, extra, variant=""):
    out = interp.path("build", "legacy-%s-%s%s" % (interp.tag, lang, variant))
    argv = ["sh", "-c", BUILD_AND_RUN, "sh", interp.python, interp.path(),
            out, lang] + extra
    code, output = harness.run(interp.argv(argv), timeout=300)
    if code != 0:
        return None, output
    return json.loads(output.strip().splitlines()[-1]), output


def check_leaves_exception(rows):
    """How many CheckReadBuffer outcomes leave the exception of a failing
    bf_getsegcount set (2.7 does)."""
    return sum(1 for case, what, outcome in rows
               if what == "check" and case[1] & SEGCOUNT_FAILS
               and outcome[4])


def compare(reference, rows):
    """Differences between two outcome lists ([case, what, outcome...]
    rows), as readable lines."""
    diffs = []
    if len(reference) != len(rows):
        return ["%d outcomes vs 2.7's %d" % (len(rows), len(reference))]
    for want, got in zip(reference, rows):
        case, what = want[:2]
        if [case, what] != got[:2]:
            return ["case order differs at %r %s" % (case, what)]
        if got[2:] != want[2:]:
            diffs.append("%s on %r: %r, 2.7 gives %r"
                         % (what, case, got[2:], want[2:]))
    return diffs


# The modes build: no proc may run more often than in the default call.
MODES_FLAGS = ["-DOLDBUFFER_AUDIT", "-DOLDBUFFER_LIFETIME_SAFE"]
PYPY_MODES_FLAGS = ["-DOLDBUFFER_AUDIT"]   # (lifetime-safe: #error)


def main():
    tally = harness.Tally("legacy exporters")
    py27 = harness.pyenv("2.7")
    if py27 is None:
        tally.skip("all", "no Python 2.7 under pyenv: no reference")
        return tally.finish()
    reference, output = outcomes(py27, "c", ["-DOLDBUFFER_NO_COMPAT_NAMES"],
                                 "-reference")
    if not tally.check(reference is not None,
                       "2.7 reference outcomes (the interpreter's own "
                       "functions on the procs)", output):
        return tally.finish()
    ref_rows = reference["calls"]
    left = check_leaves_exception(ref_rows)
    tally.check(left > 0, "2.7 leaves the exception of a failing "
                "bf_getsegcount set after CheckReadBuffer (%d cases): "
                "oldbuffer must too" % left)
    say("  2.7 reference: %d outcomes" % len(ref_rows))
    interps = harness.all_interpreters(tally, "legacy exporters", (3, 0))
    # 2.7 itself, oldbuffer's implementation against its own functions.
    jobs = [(py27, lang, [], "") for lang in ("c", "c++")]
    for i in interps:
        jobs += [(i, lang, [], "") for lang in ("c", "c++")]
        if i.tag.startswith("pypy"):
            jobs.append((i, "c", PYPY_MODES_FLAGS, "-audit"))
        else:
            jobs.append((i, "c", MODES_FLAGS, "-modes"))
    with concurrent.futures.ThreadPoolExecutor(2) as pool:
        futures = [(i, lang, variant,
                    pool.submit(outcomes, i, lang, extra, variant))
                   for i, lang, extra, variant in jobs]
        for interp, lang, variant, fut in futures:
            result, output = fut.result()
            modes = {"-modes": ", audit and lifetime-safe",
                     "-audit": ", audit"}
            name = "%s (%s%s)" % (interp.tag, "C" if lang == "c" else "C++",
                                  modes.get(variant, ""))
            if result is None:
                tally.fail(name + ": build or run failed", output)
                continue
            tally.check(not result.get("warnings"),
                        "%s: no warning raised (the audit: a legacy "
                        "exporter's memory has no release)" % name,
                        "\n".join(result.get("warnings", [])[:10]))
            rows = result["calls"]
            # (PyPy has no heap-type case: procs must precede its
            # PyType_Ready.)
            types = set(case[0] for case, _, _ in rows)
            diffs = compare([r for r in ref_rows if r[0][0] in types], rows)
            tally.check(not diffs,
                        "%s: %d outcomes of the four calls identical to "
                        "2.7's own, proc call counts included%s"
                        % (name, len(rows), " (oldbuffer's 2.7 code)"
                           if interp is py27 else ""),
                        "\n".join(diffs[:30]))
            consumers = result["consumers"]
            diffs = compare([r for r in reference["consumers"]
                             if r[0][0] in types], consumers)
            tally.check(not diffs and consumers,
                        "%s: %d steps of Python consumers (hashlib, "
                        "binascii, bytes read, readinto) identical to "
                        "2.7's, proc call counts included"
                        % (name, len(consumers)),
                        "\n".join(diffs[:30]))
            const = result.get("const_procs", [])
            tally.check(const and set(const) <= types,
                        "%s: a static const OldBuffer_LegacyProcs table "
                        "(%s) builds and its outcomes are among those "
                        "compared" % (name, ", ".join(const)))
            proto = result.get("newproto", {})
            if interp is py27:
                continue   # (no new protocol on these types in 2.7)
            tally.check(
                not proto.get("failures") and proto.get("checked", 0) > 0,
                "%s: new protocol on the same objects (%d checks: "
                "read-only and writable requests, memoryview, bytes, sha1, "
                "y*, str(obj, encoding), w*, readinto, write; which procs "
                "ran)"
                % (name, proto.get("checked", 0)),
                "\n".join(proto.get("failures", [])[:30]))
    return tally.finish()


if __name__ == "__main__":
    sys.exit(main())
