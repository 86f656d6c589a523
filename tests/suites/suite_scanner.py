#!/usr/bin/env python3
"""oldbuffer-scan, the migration scanner (tools/oldbuffer-scan.c).

  build      gcc and clang, -std=c99 -pedantic -Wall -Wextra -Werror
             -Wconversion; and `make scanner`
  fixtures   tests/fixtures/scanner/uses (C, C++ raw strings, Cython, SWIG:
             real uses and decoys in comments, strings, char literals,
             longer names; #defines that -include would make too late,
             and the same in a file that includes oldbuffer.h itself)
             must give exactly EXPECTED below, in order;
             tests/fixtures/scanner/clean nothing; with both compilers'
             builds
  output     --json parses and agrees with the text output; every report
             points at the whole identifier it names; fixes per kind
  exits      0 clean, 1 found, 2 bad option / missing path (which wins
             over found)
  walking    every source extension and only those, .git and symbolic
             links skipped, named files and links followed, sorted order,
             default "." without a "./" prefix, odd file names in JSON
  streams    a FIFO named on the command line is read (with a writer),
             /dev/stdin from a pipe too; a FIFO met while walking is
             skipped without waiting for a writer
  long lines thousands of uses on one line after 1-4 byte UTF-8
             characters: every column (in characters) right, text and
             JSON; include-order reports back on a line already reported
             on; 40 include-order reports in one file, all of them
  robustness an ASan+UBSan build over every prefix of every fixture (a
             prefix may only lose uses near its end, never gain others),
             over seeded token soup and the long lines; valgrind memcheck
             on the fixtures and the long lines
(The scanner's speed on long lines is bench/scanner.py's: figures, not a
timed test.)
"""
from __future__ import print_function

import json
import os
import random
import re
import shutil
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.dirname(  # tests/: harness.py
    os.path.abspath(__file__))))
import harness  # noqa: E402
from harness import say  # noqa: E402

TOP = harness.TOP
SOURCE = os.path.join("tools", "oldbuffer-scan.c")
# Relative to TOP, where the scanner runs: its reports name them so.
FIXTURES = os.path.relpath(os.path.join(harness.FIXTURES, "scanner"), TOP)
OUT = os.path.join(TOP, "build", "scanner")
WARN = ["-Wall", "-Wextra", "-Werror", "-Wconversion", "-pedantic"]

# Every name of the old API and its kind, as the scanner documents them.
KINDS = {
    "PyObject_AsCharBuffer": "call",
    "PyObject_AsReadBuffer": "call",
    "PyObject_AsWriteBuffer": "call",
    "PyObject_CheckReadBuffer": "call",
    "bf_getreadbuffer": "legacy-proc",
    "bf_getwritebuffer": "legacy-proc",
    "bf_getsegcount": "legacy-proc",
    "bf_getcharbuffer": "legacy-proc",
    "readbufferproc": "legacy-type",
    "writebufferproc": "legacy-type",
    "segcountproc": "legacy-type",
    "charbufferproc": "legacy-type",
    "getreadbufferproc": "legacy-type",
    "getwritebufferproc": "legacy-type",
    "getsegcountproc": "legacy-type",
    "getcharbufferproc": "legacy-type",
    "Py_TPFLAGS_HAVE_GETCHARBUFFER": "flag",
    "Py_TPFLAGS_HAVE_NEWBUFFER": "flag",
    "PyBuffer_FromObject": "py2-buffer-object",
    "PyBuffer_FromReadWriteObject": "py2-buffer-object",
    "PyBuffer_FromMemory": "py2-buffer-object",
    "PyBuffer_FromReadWriteMemory": "py2-buffer-object",
    "PyBuffer_New": "py2-buffer-object",
    "PyBuffer_Type": "py2-buffer-object",
    "PyBuffer_Check": "py2-buffer-object",
    # Not uses: the #defines that -include oldbuffer.h would make too late.
    "PY_SSIZE_T_CLEAN": "include-order",
    "Py_LIMITED_API": "include-order",
}

# What each fix must say (the README promises these migrations).
_MIGRATE = "; tools/oldbuffer-migrate DIR (make migrate DIR=...) rewrites it"
_GETBUF = "-include oldbuffer.h (or #include \"oldbuffer.h\"), or rewrite " \
          "with PyObject_GetBuffer(obj, &view, %s) ... " \
          "PyBuffer_Release(&view)" + _MIGRATE
FIX_MUST_SAY = {
    "PyObject_AsCharBuffer": _GETBUF % "PyBUF_SIMPLE",
    "PyObject_AsReadBuffer": _GETBUF % "PyBUF_SIMPLE",
    "PyObject_AsWriteBuffer": _GETBUF % "PyBUF_WRITABLE",
    "PyObject_CheckReadBuffer": "an export tried and released, its error "
                                "cleared (not PyObject_CheckBuffer(obj), "
                                "which only looks for the slot)" + _MIGRATE,
    "legacy-proc": "bf_getbuffer/bf_releasebuffer",
    "legacy-type": "getbufferproc/releasebufferproc",
    "flag": "#define it as 0 when PY_MAJOR_VERSION >= 3",
    "PyBuffer_FromObject": "PyMemoryView_FromObject(obj)",
    "PyBuffer_FromReadWriteObject": "PyMemoryView_FromObject(obj)",
    "PyBuffer_FromMemory": "PyMemoryView_FromMemory(ptr, size, PyBUF_READ)",
    "PyBuffer_FromReadWriteMemory":
        "PyMemoryView_FromMemory(ptr, size, PyBUF_WRITE)",
    "PyBuffer_New": "PyByteArray_FromStringAndSize(NULL, size)",
    "PyBuffer_Type": "PyMemoryView_Type",
    "PyBuffer_Check": "PyMemoryView_Check(obj)",
    "PY_SSIZE_T_CLEAN": "pass -DPY_SSIZE_T_CLEAN to the compiler too, or "
                        "#include \"oldbuffer.h\" after Python.h",
    "Py_LIMITED_API": "pass -DPy_LIMITED_API=<the same value> to the "
                      "compiler too",
}

# The uses in tests/fixtures/scanner/uses, in the scanner's order (files in
# byte order; NOTES.txt is not a source file): (file, line, column, name).
# A file's include-order reports come after its uses.  Everything else in
# those files is a decoy.
EXPECTED = [
    ("buffers.pyx", 6, 9, "PyObject_AsReadBuffer"),     # cdef extern from
    ("buffers.pyx", 7, 9, "PyObject_CheckReadBuffer"),
    ("buffers.pyx", 12, 47, "PyObject_CheckReadBuffer"),  # verbatim C
    ("buffers.pyx", 21, 5, "PyObject_AsReadBuffer"),
    ("buffers.pyx", 25, 35, "PyObject_CheckReadBuffer"),
    ("late.c", 17, 12, "PyObject_AsReadBuffer"),
    ("late.c", 4, 9, "PY_SSIZE_T_CLEAN"),             # include-order
    ("late.c", 5, 13, "Py_LIMITED_API"),              # "  #  define"
    ("late_ok.c", 11, 12, "PyObject_CheckReadBuffer"),  # includes the header
    ("legacy.c", 22, 39, "Py_TPFLAGS_HAVE_NEWBUFFER"),  # after 1'000
    ("legacy.c", 28, 12, "PyObject_AsReadBuffer"),
    ("legacy.c", 32, 6, "readbufferproc"),
    ("legacy.c", 33, 6, "writebufferproc"),
    ("legacy.c", 34, 6, "segcountproc"),
    ("legacy.c", 35, 6, "charbufferproc"),
    ("legacy.c", 42, 19, "PyBuffer_FromObject"),
    ("legacy.c", 43, 9, "PyObject_AsCharBuffer"),
    ("legacy.c", 44, 9, "PyObject_AsWriteBuffer"),
    ("legacy.c", 46, 9, "PyBuffer_Check"),
    ("legacy.c", 46, 30, "PyObject_CheckReadBuffer"),
    ("legacy.c", 47, 40, "bf_getsegcount"),
    ("legacy.c", 50, 42, "Py_TPFLAGS_HAVE_GETCHARBUFFER"),
    ("legacy.c", 53, 43, "PyBuffer_Type"),          # after a 2-byte char
    ("legacy.c", 56, 6, "bf_getreadbuffer"),
    ("legacy.c", 56, 29, "bf_getwritebuffer"),
    ("legacy.c", 56, 53, "bf_getcharbuffer"),
    ("legacy.c", 59, 8, "Py_TPFLAGS_HAVE_NEWBUFFER"),
    ("legacy.c", 61, 5, "PyBuffer_FromReadWriteObject"),   # in #if 0
    ("legacy.c", 61, 44, "PyBuffer_New"),
    ("legacy.c", 63, 38, "PyBuffer_FromMemory"),
    ("legacy.c", 64, 38, "PyBuffer_FromReadWriteMemory"),
    ("raw.cpp", 11, 12, "PyObject_AsReadBuffer"),
    ("raw.cpp", 14, 17, "getreadbufferproc"),
    ("raw.cpp", 14, 40, "getsegcountproc"),
    ("raw.cpp", 15, 9, "getwritebufferproc"),
    ("raw.cpp", 15, 45, "getcharbufferproc"),
    ("wrap.i", 9, 12, "PyObject_AsCharBuffer"),         # %{ %}
    ("wrap.i", 14, 9, "PyObject_AsReadBuffer"),         # typemap { }
    ("wrap.i", 19, 9, "PyObject_AsWriteBuffer"),        # typemap %{ %}
]
USES_DIR = os.path.join(FIXTURES, "uses")
CLEAN_DIR = os.path.join(FIXTURES, "clean")
LINE_RE = re.compile(r"^(.+?):(\d+):(\d+): ([a-z0-9-]+): (\w+): (.+)$")
SANITIZER_RE = re.compile(r"ERROR: AddressSanitizer|runtime error:|"
                          r"ERROR: LeakSanitizer")


def expected_uses(path_prefix=USES_DIR, only=None):
    return [(os.path.join(path_prefix, f), line, col, KINDS[name], name)
            for f, line, col, name in EXPECTED if only in (None, f)]


def scan(binary, args, cwd=TOP, timeout=60):
    """(exit code, stdout, stderr) of one run."""
    import subprocess
    try:
        proc = subprocess.run([binary] + list(args), cwd=cwd,
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                              timeout=timeout)
    except subprocess.TimeoutExpired:
        return -9, "", "[timed out after %s s]" % timeout
    return (proc.returncode, proc.stdout.decode("utf-8", "replace"),
            proc.stderr.decode("utf-8", "replace"))


def parse_text(out):
    """[(file, line, col, kind, name, fix)], or None if a line is bad."""
    uses = []
    for line in out.splitlines():
        m = LINE_RE.match(line)
        if not m:
            return None
        uses.append((m.group(1), int(m.group(2)), int(m.group(3)),
                     m.group(4), m.group(5), m.group(6)))
    return uses


def parse_json(out):
    """The same tuples from --json, or the error as a string."""
    try:
        doc = json.loads(out)
    except ValueError as e:
        return "not JSON: %s" % e
    keys = {"file", "line", "column", "kind", "name", "fix"}
    if not isinstance(doc, list) or any(
            not isinstance(u, dict) or set(u) != keys for u in doc):
        return "not an array of {%s}" % ", ".join(sorted(keys))
    return [(u["file"], u["line"], u["column"], u["kind"], u["name"],
             u["fix"]) for u in doc]


def offset_of(data, line, col):
    """Byte offset of (line, column), both from 1.  The column counts
    characters: every byte but UTF-8 continuation bytes (0x80-0xBF)."""
    at = 0
    for _ in range(line - 1):
        at = data.index(b"\n", at) + 1
    chars = 0
    while at < len(data):
        if data[at] & 0xC0 != 0x80:
            if chars == col - 1:
                return at
            chars += 1
        at += 1
    return at


def points_at_name(path, line, col, name):
    """Does (line, col) of the file hold exactly the identifier name?"""
    with open(path, "rb") as f:
        data = f.read()
    try:
        at = offset_of(data, line, col)
    except ValueError:
        return False
    word = name.encode()
    ident = re.compile(rb"[A-Za-z0-9_$\x80-\xff]")
    before = data[at - 1:at] if at > 0 else b""
    after = data[at + len(word):at + len(word) + 1]
    return (data[at:at + len(word)] == word
            and not ident.match(before) and not ident.match(after))


def check_fixes(t, uses, what):
    bad = []
    for f, line, col, kind, name, fix in uses:
        must = FIX_MUST_SAY.get(name) or FIX_MUST_SAY.get(kind)
        if must not in fix:
            bad.append("%s: %r lacks %r" % (name, fix, must))
    t.check(not bad, "%s: each fix says the migration" % what,
            "\n".join(bad))


def build(t, cc, extra, name):
    """Build the scanner with cc; its path, or None."""
    path = os.path.join(OUT, name)
    code, out = harness.run([cc, "-std=c99", "-O2", "-g"] + WARN + extra
                            + ["-o", path, os.path.join(TOP, SOURCE)],
                            timeout=120)
    t.check(code == 0 and not out.strip(),
            "%s builds warning-free (%s)" % (name, " ".join(WARN + extra)),
            out)
    return path if code == 0 else None


# ---------------------------------------------------------------------
# The groups of checks
# ---------------------------------------------------------------------

def check_fixtures(t, binary, tag):
    code, out, err = scan(binary, [FIXTURES])
    uses = parse_text(out)
    t.check(uses is not None, "%s: text output is file:line:col: kind: "
            "name: fix" % tag, out)
    got = [u[:5] for u in uses or []]
    want = expected_uses()
    t.check(got == want, "%s: fixtures give exactly the %d expected uses"
            % (tag, len(want)), "\n".join(
                ["missing: %r" % (w,) for w in want if w not in got]
                + ["extra:   %r" % (g,) for g in got if g not in want]
                + ([] if sorted(got) != sorted(want) else ["(order)"])))
    t.check(code == 1, "%s: exit 1 when uses are found" % tag,
            "exit %s" % code)
    late = sum(1 for w in want if w[3] == "include-order")
    t.check(err.strip() == "oldbuffer-scan: %d uses of the old buffer API "
            "in 6 of 10 files, and %d #defines that -include oldbuffer.h "
            "would make too late" % (len(want) - late, late),
            "%s: summary on stderr" % tag, err)
    check_fixes(t, uses or [], tag)

    for f in ("legacy.c", "raw.cpp", "buffers.pyx", "wrap.i", "late.c",
              "late_ok.c"):
        one = os.path.join(USES_DIR, f)
        code, out, _ = scan(binary, [one])
        t.check(code == 1 and [u[:5] for u in parse_text(out) or []]
                == expected_uses(only=f), "%s: %s alone" % (tag, f), out)

    code, out, err = scan(binary, [CLEAN_DIR])
    t.check(code == 0 and out == "", "%s: clean tree: no output, exit 0"
            % tag, "exit %s\n%s%s" % (code, out, err))

    code, jout, _ = scan(binary, ["--json", FIXTURES])
    juses = parse_json(jout)
    t.check(isinstance(juses, list) and juses == uses and code == 1,
            "%s: --json parses and agrees with the text output" % tag,
            juses if isinstance(juses, str) else jout[:3000])
    code, jout, _ = scan(binary, [CLEAN_DIR, "--json"])
    t.check(code == 0 and parse_json(jout) == [],
            "%s: --json on the clean tree is [] (exit 0)" % tag, jout)


def check_exits(t, binary):
    code, out, err = scan(binary, ["--bogus", CLEAN_DIR])
    t.check(code == 2 and out == "" and "--bogus" in err,
            "bad option: exit 2, says which", err)
    missing = os.path.join(FIXTURES, "no-such-dir")
    code, out, err = scan(binary, [missing, CLEAN_DIR])
    t.check(code == 2 and "no-such-dir" in err, "missing path: exit 2", err)
    code, out, err = scan(binary, [missing, USES_DIR])
    t.check(code == 2 and len(parse_text(out) or []) == len(EXPECTED),
            "missing path and uses: exit 2 wins, the rest still scanned",
            "exit %s\n%s" % (code, err))
    if os.path.exists("/dev/full"):
        code, out = harness.run(["sh", "-c", '"$0" "$1" >/dev/full', binary,
                                 USES_DIR], cwd=TOP)
        t.check(code == 2 and "cannot write" in out,
                "write error on stdout (/dev/full): exit 2", out)
    code, out, err = scan(binary, ["--help"])
    t.check(code == 0 and out.startswith("usage: oldbuffer-scan")
            and "--json" in out, "--help: usage on stdout, exit 0", out)
    code, out, err = scan(binary, ["--", os.path.join(USES_DIR, "raw.cpp")])
    t.check(code == 1 and len(parse_text(out) or []) == 5,
            "-- ends the options", out + err)


def make_tree(root):
    """A tree for the walking rules; returns the paths that must be
    reported, in order, relative to root."""
    def write(rel, text):
        path = os.path.join(root, rel)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "w") as f:
            f.write(text)
    use = "x = PyBuffer_New(1)\n"
    exts = [".c", ".h", ".cc", ".cpp", ".cxx", ".hpp", ".hh", ".hxx",
            ".pyx", ".pxd", ".pxi", ".i", ".swg"]
    for ext in exts:
        write("src/m" + ext, use)
    for rel in ["src/m.py", "src/m.txt", "src/m.c.orig", "src/Makefile",
                ".git/hook.c", "sub/.git/x.c"]:
        write(rel, use)
    write("b/z.c", use)
    write("a/y.c", use)
    write("B/w.c", use)
    os.symlink("m.c", os.path.join(root, "src", "zlink.c"))
    os.symlink("src", os.path.join(root, "srclink"))
    return (["B/w.c", "a/y.c", "b/z.c"]
            + sorted("src/m" + e for e in exts))


def check_walking(t, binary):
    root = tempfile.mkdtemp(prefix="oldbuffer-scan-")
    try:
        want = make_tree(root)
        code, out, _ = scan(binary, [], cwd=root)
        got = [u[0] for u in parse_text(out) or []]
        t.check(got == want and code == 1, "walk: every source extension "
                "and only those, sorted, .git and links skipped, default "
                "\".\" printed without ./", "want %s\ngot  %s" % (want, got))
        code, out, _ = scan(binary, ["src/", "srclink", "src/m.txt"],
                            cwd=root)
        got = [u[0] for u in parse_text(out) or []]
        t.check(got[:13] == ["src/" + w[4:] for w in want[3:]]
                and got[13] == "srclink/m.c" and got[-1] == "src/m.txt"
                and len(got) == 27, "walk: named link followed, named "
                "file scanned whatever its extension, no double slash",
                "\n".join(got))
        again = scan(binary, ["--json", "."], cwd=root)
        t.check(again == scan(binary, ["--json", "."], cwd=root),
                "walk: two runs give the same bytes", "")

        odd = os.path.join(root.encode(), b'odd/we"ird\\tab\t\xff.c')
        os.makedirs(os.path.dirname(odd))
        with open(odd, "wb") as f:
            f.write(b"PyBuffer_Check(o);\n")
        code, out, _ = scan(binary, ["--json", "odd"], cwd=root)
        doc = parse_json(out)
        t.check(isinstance(doc, list) and len(doc) == 1
                and doc[0][0] == 'odd/we"ird\\tab\t\ufffd.c',
                "--json escapes quotes, backslashes, control characters "
                "and non-UTF-8 bytes of file names", out)
    finally:
        shutil.rmtree(root, ignore_errors=True)


def write_fifo_later(path, data):
    """A writer for the FIFO at path, in another process: it blocks in
    open() until a reader comes.  Returns a function that reaps it (and
    kills it if no reader ever came)."""
    import subprocess
    writer = subprocess.Popen([sys.executable, "-c",
                               "import sys\n"
                               "with open(sys.argv[1], 'wb') as f:\n"
                               "    f.write(sys.stdin.buffer.read())",
                               path], stdin=subprocess.PIPE)
    writer.stdin.write(data)
    writer.stdin.close()

    def reap():
        try:
            return writer.wait(timeout=10)
        except subprocess.TimeoutExpired:
            writer.kill()
            writer.wait()
            return "never opened"
    return reap


def check_streams(t, binary):
    """A FIFO or a pipe named on the command line is read to its end, as
    README says of any file named there; one met while walking is not."""
    import subprocess
    if not hasattr(os, "mkfifo"):
        t.skip("streams", "no FIFOs on this system")
        return
    root = tempfile.mkdtemp(prefix="oldbuffer-scan-")
    try:
        fifo = os.path.join(root, "fifo.c")
        os.mkfifo(fifo)
        reap = write_fifo_later(fifo, b"int f(PyObject *o)\n{ return "
                                      b"PyObject_CheckReadBuffer(o); }\n")
        code, out, err = scan(binary, [fifo], timeout=30)
        writer = reap()
        uses = [u[:5] for u in parse_text(out) or []]
        t.check(code == 1 and writer == 0 and uses == [
            (fifo, 2, 10, "call", "PyObject_CheckReadBuffer")]
            and "1 use of the old buffer API in 1 of 1 file" in err,
            "a FIFO named on the command line is read until its end",
            "exit %s, writer %s\n%s%s" % (code, writer, out, err))

        pyx = os.path.join(root, "fifo.pyx")
        os.mkfifo(pyx)
        reap = write_fifo_later(pyx, b"# PyBuffer_New\nx = PyBuffer_New(1)\n")
        code, out, err = scan(binary, ["--json", pyx], timeout=30)
        writer = reap()
        doc = parse_json(out)
        t.check(code == 1 and writer == 0 and isinstance(doc, list)
                and [u[1:3] for u in doc] == [(2, 5)],
                "a FIFO named x.pyx is read as Cython (--json)",
                "exit %s, writer %s\n%s%s" % (code, writer, out, err))

        proc = subprocess.run([binary, "/dev/stdin"], input=b"\n\n  "
                              b"PyBuffer_Check(o);\n", stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE, timeout=30)
        out = proc.stdout.decode("utf-8", "replace")
        t.check(proc.returncode == 1 and [u[:5] for u in parse_text(out)
                                          or []] == [
            ("/dev/stdin", 3, 3, "py2-buffer-object", "PyBuffer_Check")],
            "/dev/stdin from a pipe is read (as C)",
            "exit %s\n%s%s" % (proc.returncode, out,
                               proc.stderr.decode("utf-8", "replace")))

        # Walking: the FIFOs (no writer now) are skipped, not waited on.
        with open(os.path.join(root, "a.c"), "w") as f:
            f.write("PyBuffer_New(1);\n")
        code, out, err = scan(binary, [root], timeout=30)
        t.check(code == 1 and [u[0] for u in parse_text(out) or []]
                == [os.path.join(root, "a.c")]
                and "in 1 of 1 file" in err, "FIFOs met while walking are "
                "skipped, without waiting for a writer",
                "exit %s\n%s%s" % (code, out, err))
    finally:
        shutil.rmtree(root, ignore_errors=True)


# Characters of 1 to 4 bytes in UTF-8 before the uses of a long line.
WIDE = ["a", "\u00e9", "\u20ac", "\U0001d11e"]
LONG_USES = 3000


def long_line_files(root):
    """Write the long-line files into root; return {path: expected
    [(line, col, name)] in the scanner's order}."""
    want = {}
    # One line: LONG_USES uses, each after a run of wide characters in a
    # comment (so they are not identifier bytes), then a second line.
    parts, line, col = [], [], 1
    for i in range(LONG_USES):
        pad = "/*" + WIDE[i % 4] * (1 + i % 7) + "*/ "
        name = ["PyBuffer_New", "PyObject_AsReadBuffer",
                "bf_getsegcount"][i % 3]
        col += len(pad)
        line.append((1, col, name))
        parts.append(pad + name + "(o); ")
        col += len(name) + 5
    text = "".join(parts) + "\n\u20ac PyBuffer_Type;\n"
    line.append((2, 3, "PyBuffer_Type"))
    path = os.path.join(root, "long.c")
    with open(path, "wb") as f:
        f.write(text.encode("utf-8"))
    want[path] = line

    # A #define that -include makes too late, then a use on the same line:
    # its include-order report comes after the use, back on that line.
    path = os.path.join(root, "late_same_line.c")
    text = "#define PY_SSIZE_T_CLEAN /* \u00e9\u20ac */ PyBuffer_New(1)\n"
    with open(path, "wb") as f:
        f.write(text.encode("utf-8"))
    want[path] = [(1, text.index("PyBuffer_New") + 1, "PyBuffer_New"),
                  (1, 9, "PY_SSIZE_T_CLEAN")]

    # 40 include-order reports in one file: all of them, in order.
    lines, late = [], []
    for i in range(40):
        name = ["PY_SSIZE_T_CLEAN", "Py_LIMITED_API"][i % 2]
        indent = " " * (i % 3)
        lines.append("%s#define %s 1" % (indent, name))
        late.append((i + 1, len(indent) + 9, name))
    lines.append("int f(PyObject *o) { return PyObject_CheckReadBuffer(o); }")
    path = os.path.join(root, "many_late.c")
    with open(path, "w") as f:
        f.write("\n".join(lines) + "\n")
    want[path] = [(41, 29, "PyObject_CheckReadBuffer")] + late
    return want


def check_long_lines(t, binary, tag):
    root = tempfile.mkdtemp(prefix="oldbuffer-scan-")
    try:
        want = long_line_files(root)
        for path, expected in sorted(want.items()):
            name = os.path.basename(path)
            code, out, err = scan(binary, [path], timeout=60)
            got = [u[1:3] + (u[4],) for u in parse_text(out) or []]
            bad = [(w, g) for w, g in zip(expected, got) if w != g]
            t.check(code == 1 and got == expected and not
                    SANITIZER_RE.search(err), "%s: %s: all %d reports at "
                    "their line and column (characters)" % (tag, name,
                                                            len(expected)),
                    "exit %s, %d reports, first differences (want, got): "
                    "%s\n%s" % (code, len(got), bad[:5], err[-2000:]))
            code, jout, _ = scan(binary, ["--json", path], timeout=60)
            doc = parse_json(jout)
            t.check(isinstance(doc, list) and [u[1:3] + (u[4],) for u in doc]
                    == expected, "%s: %s: --json agrees" % (tag, name),
                    doc if isinstance(doc, str) else "")
        many = os.path.join(root, "many_late.c")
        code, out, err = scan(binary, [many])
        t.check("1 use of the old buffer API in 1 of 1 file, and 40 "
                "#defines that -include oldbuffer.h would make too late"
                in err, "%s: the summary counts all 40 include-order "
                "reports" % tag, err)
    finally:
        shutil.rmtree(root, ignore_errors=True)


def fixture_files():
    out = []
    for d in (USES_DIR, CLEAN_DIR):
        for name in sorted(os.listdir(os.path.join(TOP, d))):
            if not name.endswith(".txt"):
                out.append(os.path.join(TOP, d, name))
    return out


def check_prefixes(t, binary):
    """Cut every fixture after each byte: a left-to-right lexer may only
    lose uses that end near the cut, and never report one elsewhere."""
    root = tempfile.mkdtemp(prefix="oldbuffer-scan-")
    try:
        full, files = {}, 0
        for path in fixture_files():
            with open(path, "rb") as f:
                data = f.read()
            base, ext = os.path.splitext(os.path.basename(path))
            code, out, _ = scan(binary, ["--json", path])
            doc = parse_json(out)
            if not isinstance(doc, list):
                t.fail("prefixes: --json on %s" % path, doc)
                return
            full[base + ext] = (data, {(u[1], u[2], u[4]) for u in doc})
            for k in range(len(data) + 1):
                with open(os.path.join(root, "%s.%05d%s" % (base, k, ext)),
                          "wb") as f:
                    f.write(data[:k])
                files += 1
        code, out, err = scan(binary, ["--json", root], timeout=120)
        doc = parse_json(out)
        t.check(code in (0, 1) and isinstance(doc, list)
                and not SANITIZER_RE.search(err), "ASan+UBSan: %d prefixes "
                "of the fixtures scanned cleanly" % files, err[-3000:])
        if not isinstance(doc, list):
            return
        bad = []
        got = {}
        for f, line, col, kind, name, fix in doc:
            m = re.match(r"(.*)\.(\d{5})(\.\w+)$", os.path.basename(f))
            got.setdefault((m.group(1) + m.group(3), int(m.group(2))),
                           set()).add((line, col, name))
        for (fixture, k), uses in sorted(got.items()):
            data, whole = full[fixture]
            for line, col, name in uses - whole:
                if offset_of(data, line, col) + len(name) != k:
                    bad.append("%s cut at %d: new %s at %d:%d"
                               % (fixture, k, name, line, col))
        for fixture, (data, whole) in full.items():
            for k in range(len(data) + 1):
                for line, col, name in whole:
                    if KINDS.get(name) == "include-order":
                        continue   # depends on a use further on
                    end = offset_of(data, line, col) + len(name)
                    if end + 20 <= k and (line, col, name) not in got.get(
                            (fixture, k), ()):
                        bad.append("%s cut at %d: lost %s at %d:%d"
                                   % (fixture, k, name, line, col))
        t.check(not bad, "prefixes lose only uses at the cut, gain none",
                "\n".join(bad[:30]))
    finally:
        shutil.rmtree(root, ignore_errors=True)


SOUP = ["PyObject_AsReadBuffer", "PyBuffer_New", "bf_getsegcount", "x",
        "PyBuffer_Newer", " ", " ", "\n", "\n", "\r\n", "\\", "\\\n", "'",
        "\"", "\"\"\"", "'''", "/*", "*/", "//", "#", "R\"d(", ")d\"",
        "u8R\"(", ")\"", "%{", "%}", "%pythoncode", "cdef extern from *:",
        "(", ")", ":", "1'0", "0x1F", "\xc3\xa9", "\xff", "L'", "b'", "r\""]


def check_soup(t, binary):
    """Seeded random token soup in every language: no sanitizer report,
    and every report points at the whole identifier it names."""
    rng = random.Random(20260401)
    root = tempfile.mkdtemp(prefix="oldbuffer-scan-")
    try:
        for i in range(600):
            ext = [".c", ".cpp", ".pyx", ".i"][i % 4]
            text = "".join(rng.choice(SOUP) for _ in range(rng.randint(
                0, 80)))
            with open(os.path.join(root, "s%03d%s" % (i, ext)), "wb") as f:
                f.write(text.encode("latin-1"))
        code, out, err = scan(binary, ["--json", root], timeout=120)
        doc = parse_json(out)
        t.check(code in (0, 1) and isinstance(doc, list)
                and not SANITIZER_RE.search(err),
                "ASan+UBSan: 600 files of token soup scanned cleanly",
                err[-3000:])
        bad = [u for u in doc if isinstance(doc, list)
               and not points_at_name(u[0], u[1], u[2], u[4])]
        t.check(isinstance(doc, list) and not bad, "token soup: %d reports,"
                " each at its whole identifier" % len(doc or []),
                "\n".join(map(repr, bad[:20])))
    finally:
        shutil.rmtree(root, ignore_errors=True)


def check_valgrind(t, binary):
    valgrind = shutil.which("valgrind")
    if valgrind is None:
        t.skip("valgrind memcheck", "valgrind is not installed "
               "(tools/install-deps.sh installs it)")
        return
    root = tempfile.mkdtemp(prefix="oldbuffer-scan-")
    try:
        long_line_files(root)
        for args in (["--json", FIXTURES], [FIXTURES, "no-such-path"],
                     ["--json", root]):
            code, out = harness.run([valgrind, "-q", "--error-exitcode=99",
                                     "--leak-check=full",
                                     "--errors-for-leak-kinds=all",
                                     binary] + args, cwd=TOP, timeout=180)
            t.check(code in (1, 2) and "==" not in out,
                    "valgrind memcheck: %s (no error, no leak)"
                    % " ".join("<long lines>" if a == root else a
                               for a in args), out[-3000:])
    finally:
        shutil.rmtree(root, ignore_errors=True)


def main():
    t = harness.Tally("scanner")
    os.makedirs(OUT, exist_ok=True)
    say("== build")
    binaries = [(cc, build(t, cc, [], "oldbuffer-scan-" + cc))
                for cc in ("gcc", "clang")]
    code, out = harness.run(["make", "-s", "scanner"], cwd=TOP, timeout=120)
    t.check(code == 0 and os.access(os.path.join(TOP, "build",
                                                 "oldbuffer-scan"), os.X_OK),
            "make scanner builds build/oldbuffer-scan", out)

    for cc, binary in binaries:
        if binary is None:
            continue
        say("== fixtures (%s build)" % cc)
        check_fixtures(t, binary, cc)
        names = {u[4] for u in expected_uses()}
        t.check(names == set(KINDS), "the fixtures use all %d names"
                % len(KINDS), repr(set(KINDS) - names))
        for f, line, col, name in EXPECTED:
            if not points_at_name(os.path.join(TOP, USES_DIR, f), line, col,
                                  name):
                t.fail("EXPECTED itself: %s:%d:%d is not %s"
                       % (f, line, col, name))

    gcc = binaries[0][1]
    if gcc is not None:
        say("== exit status, walking, output")
        check_exits(t, gcc)
        check_walking(t, gcc)
        check_streams(t, gcc)
        say("== long lines")
        for cc, binary in binaries:
            if binary is not None:
                check_long_lines(t, binary, cc)
        say("== valgrind")
        check_valgrind(t, gcc)

    say("== robustness (ASan+UBSan build)")
    asan = build(t, "gcc", ["-fsanitize=address,undefined",
                            "-fno-sanitize-recover=all",
                            "-fno-omit-frame-pointer"],
                 "oldbuffer-scan-asan")
    if asan is not None:
        check_prefixes(t, asan)
        check_soup(t, asan)
        check_long_lines(t, asan, "ASan+UBSan")
    return t.finish()


if __name__ == "__main__":
    sys.exit(main())
