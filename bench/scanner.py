#!/usr/bin/env python3
"""Time oldbuffer-scan on long lines (`make bench-scanner`).

    python3 bench/scanner.py                 # build/oldbuffer-scan (built)
    python3 bench/scanner.py --binary PATH   # another build
    python3 bench/scanner.py --timeout 60    # give up on a run after 60 s

The scanner's time must grow linearly with its input, whatever the input's
shape.  The cases are the shapes that once made it quadratic, or could:

  uses      N uses on one line ("PyBuffer_New(x); " N times), N = 10k to
            1M: every use's column is on the same line
  10 MB     one 10 MB line: identifiers (most not ours), numbers, strings,
            comments, two-byte UTF-8 characters and a use every ~100 bytes;
            and one 10 MB line of uses alone
  late      one file with 100k `#define PY_SSIZE_T_CLEAN` lines and a use
            (100k include-order reports, after the use)

Each case runs in text and in --json form, output to /dev/null; the time
is the best of three runs (wall clock).  Nothing here is a test: it prints
the figures and exits 0 (2 if the scanner cannot be built or run).  The
scanner suite checks what the output says; this only times it.
"""
from __future__ import print_function

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time

TOP = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
DEFAULT_BINARY = os.path.join(TOP, "build", "oldbuffer-scan")


def uses_line(n):
    return b"PyBuffer_New(x); " * n + b"\n"


def mixed_line(size):
    """About `size` bytes on one line, a use every ~100 bytes."""
    chunk = (b"int caf\xc3\xa9 = f(0x1F, 1'000, \"str \\\" // not\") "
             b"/* c */ + PyObject_AsReadBuffer(o, &p, &n) + x_y_z; ")
    return chunk * (size // len(chunk)) + b"\n"


def late_file(n):
    return (b"#define PY_SSIZE_T_CLEAN\n" * n
            + b"int f(PyObject *o) { return PyObject_CheckReadBuffer(o); }\n")


def run(binary, args, timeout):
    """Best wall time of three runs, or None if one took over timeout."""
    best = None
    for _ in range(3):
        start = time.perf_counter()
        try:
            with open(os.devnull, "wb") as null:
                proc = subprocess.run([binary] + args, stdout=null,
                                      stderr=subprocess.PIPE,
                                      timeout=timeout)
        except subprocess.TimeoutExpired:
            return None
        took = time.perf_counter() - start
        if proc.returncode not in (0, 1):
            raise SystemExit("%s %s: exit %d\n%s" % (
                binary, " ".join(args), proc.returncode,
                proc.stderr.decode("utf-8", "replace")))
        best = took if best is None else min(best, took)
    return best


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--binary", default=DEFAULT_BINARY)
    ap.add_argument("--timeout", type=float, default=30.0)
    args = ap.parse_args()
    if args.binary == DEFAULT_BINARY:
        if subprocess.call(["make", "-s", "-C", TOP, "scanner"]) != 0:
            return 2
    if not os.access(args.binary, os.X_OK):
        print("%s: no such program" % args.binary, file=sys.stderr)
        return 2

    cases = [("%dk uses on one line" % (n // 1000), uses_line(n))
             for n in (10000, 20000, 40000, 100000, 200000, 400000,
                       1000000)]
    cases.append(("10 MB line, mixed (~100k uses)", mixed_line(10 << 20)))
    cases.append(("10 MB line of uses (~617k)",
                  uses_line((10 << 20) // 17)))
    cases.append(("100k include-order #defines", late_file(100000)))

    root = tempfile.mkdtemp(prefix="oldbuffer-bench-scan-")
    try:
        print("| case | bytes | text (s) | --json (s) |")
        print("| --- | ---: | ---: | ---: |")
        sys.stdout.flush()
        for i, (name, data) in enumerate(cases):
            path = os.path.join(root, "case%02d.c" % i)
            with open(path, "wb") as f:
                f.write(data)
            cells = []
            for extra in ([], ["--json"]):
                took = run(args.binary, extra + [path], args.timeout)
                cells.append("> %g" % args.timeout if took is None
                             else "%.3f" % took)
            print("| %s | %d | %s | %s |" % (name, len(data), cells[0],
                                             cells[1]))
            sys.stdout.flush()
            os.unlink(path)
    finally:
        shutil.rmtree(root, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
