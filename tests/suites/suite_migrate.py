#!/usr/bin/env python3
"""The migration off the old API: tools/oldbuffer-migrate, proven equal.

tools/oldbuffer-migrate (a Coccinelle semantic patch,
tools/oldbuffer-migrate.cocci, run by spatch) rewrites the old-buffer calls
of a tree to Py_buffer.  This suite, with its fixtures in
tests/fixtures/migrate/ (self-contained: the fixtures, their driver
drive.py, and this file):
  rewrite     examples/legacy/oldchecksum.c and the fixtures of the shapes
              it rewrites (rewritten/: early returns, goto cleanup, nested
              blocks, three buffers, errors between export and use, a loop,
              a void function, CheckReadBuffer, C++) are rewritten whole:
              no old call left; a second run changes nothing; --dry-run
              and `make migrate DIR=...` too
  reported    the fixtures of the shapes it leaves (reported/) are left
              byte for byte, with exactly the expected file:line: reasons
  matrix      on every Python 3.6+ of the matrix (pyenv, sid chroot, PyPy):
              the originals built with -include oldbuffer.h and the
              rewrites built without oldbuffer (C, C++; on 3.6, 3.12, 3.15
              and PyPy the rewritten C also compiled as C++), -Wall -Wextra
              -Werror; drive.py calls
              every function on a catalogue of objects and the outcomes
              (results, exceptions and messages, what a writable argument
              holds) must be identical, with no export left or released
              twice after any call; the one intended difference is pinned
              (a resize during the call raises BufferError after the
              rewrite); 3.14d (-X dev) adds a sys.gettotalrefcount() check;
              the example demo runs on the rewritten oldchecksum
  asan        the rewrites under -fsanitize=address,undefined on 3.12 (the
              representative subset): same outcomes, no report
  mutants     a rewrite with one release dropped, and one with a release
              doubled: the checks above must catch both
Without spatch every check is skipped loudly (a failure under CI=true).
"""
from __future__ import print_function

import concurrent.futures
import json
import os
import re
import shutil
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.dirname(  # tests/: harness.py
    os.path.abspath(__file__))))
import harness  # noqa: E402
from harness import say  # noqa: E402

NAME = "migrate"
FIXTURES = os.path.join(harness.FIXTURES, "migrate")
TOOL = os.path.join(harness.TOP, "tools", "oldbuffer-migrate")
BUILD = os.path.join(harness.TOP, "build", "migrate")
OLD_CALLS = re.compile(r"\bPyObject_(AsReadBuffer|AsCharBuffer|AsWriteBuffer"
                       r"|CheckReadBuffer)\b")
SANITIZER_REPORT = re.compile(
    r"ERROR: AddressSanitizer|runtime error:|SUMMARY: \w+Sanitizer")

# The sources rewritten whole (module name, file, language).
MODULES = [("oldchecksum", os.path.join(harness.TOP, "examples", "legacy",
                                        "oldchecksum.c"), "c"),
           ("migshapes", os.path.join(FIXTURES, "rewritten", "migshapes.c"),
            "c"),
           ("migcxx", os.path.join(FIXTURES, "rewritten", "migcxx.cpp"),
            "c++")]

# What the reported fixtures must give: (file, line, name, words of the
# reason).
EXPECTED_REPORTS = [
    ("migreported.c", 16, "PyObject_AsReadBuffer", "not a plain variable"),
    ("migreported.c", 28, "PyObject_AsReadBuffer",
     "stored where it outlives the call"),
    ("migreported.c", 36, "PyObject_AsCharBuffer", "in a macro body"),
    ("migreported.c", 56, "PyObject_AsCharBuffer", "is returned"),
    ("migreported.c", 72, "PyObject_AsReadBuffer",
     "declared outside the loop body"),
    ("migreported.c", 90, "PyObject_AsCharBuffer",
     "error branch does not leave"),
    ("migreported.c", 106, "PyObject_AsWriteBuffer", "not the test of an if"),
    ("migreported.c", 118, "PyObject_AsCharBuffer",
     "a loop after the export breaks or continues"),
    ("migreported.c", 136, "PyObject_AsCharBuffer", "a switch or a do-while"),
    ("migreported.c", 159, "PyObject_AsCharBuffer",
     "a goto after the export leads to code that uses the pointer"),
    ("migreported.c", 176, "PyObject_AsCharBuffer",
     "a copy of the pointer is used in a return expression"),
    ("migreported.c", 191, "PyObject_AsReadBuffer",
     "two exports into the same pointer"),
    ("migreported.c", 193, "PyObject_AsReadBuffer",
     "two exports into the same pointer"),
    ("migreported.c", 207, "PyObject_AsCharBuffer",
     "the pointer is assigned again after the export"),
    ("migreported.c", 226, "readbufferproc", "legacy exporter"),
    ("migreported.cpp", 15, "PyObject_AsReadBuffer", "cannot parse"),
]

# Build the originals (with oldbuffer) and the rewrites (without) for one
# interpreter, then run the driver on each: two JSON lines.
#   sh -c BUILD_AND_RUN sh PY TOP SRC OUT [extra cflags for the rewrites]
BUILD_AND_RUN = r'''
set -e
PY=$1; TOP=$2; SRC=$3; OUT=$4; shift 4
INC=$("$PY" -c 'import sysconfig; print(sysconfig.get_paths()["include"])')
EXT=$("$PY" -c 'import importlib.machinery as m; print(m.EXTENSION_SUFFIXES[0])')
FIX=$TOP/tests/fixtures/migrate
W="-O2 -Wall -Wextra -Werror -shared -fPIC"
rm -rf "$OUT"; mkdir -p "$OUT/orig" "$OUT/new" "$OUT/cxx"
cc -std=c99 $W -include oldbuffer.h -I"$TOP/include" -I"$INC" \
    "$TOP/examples/legacy/oldchecksum.c" -o "$OUT/orig/oldchecksum$EXT"
cc -std=c99 $W -include oldbuffer.h -I"$TOP/include" -I"$INC" \
    "$FIX/rewritten/migshapes.c" -o "$OUT/orig/migshapes$EXT"
c++ -std=c++11 $W -include oldbuffer.h -I"$TOP/include" -I"$INC" \
    "$FIX/rewritten/migcxx.cpp" -o "$OUT/orig/migcxx$EXT"
# The rewrites: no oldbuffer anywhere on the include path.
cc -std=c99 $W "$@" -I"$INC" "$SRC/oldchecksum.c" -o "$OUT/new/oldchecksum$EXT"
cc -std=c99 $W "$@" -I"$INC" "$SRC/migshapes.c" -o "$OUT/new/migshapes$EXT"
c++ -std=c++11 $W "$@" -I"$INC" "$SRC/migcxx.cpp" -o "$OUT/new/migcxx$EXT"
# The rewritten C is C++ too (on a few interpreters: CXX_TOO=1).
if [ "${CXX_TOO:-}" = 1 ]; then
    c++ -x c++ -std=c++11 $W -I"$INC" "$SRC/oldchecksum.c" -o "$OUT/cxx/o$EXT"
    c++ -x c++ -std=c++11 $W -I"$INC" "$SRC/migshapes.c" -o "$OUT/cxx/m$EXT"
fi
echo "== built"
if [ "${MIGRATE_NEW_ONLY:-}" != 1 ]; then
    "$PY" $PYOPTS "$FIX/drive.py" "$OUT/orig"
fi
"$PY" $PYOPTS "$FIX/drive.py" "$OUT/new"
PYTHONPATH=$OUT/new "$PY" $PYOPTS "$TOP/examples/legacy/demo.py" | tail -n 1
'''


def code_only(text):
    """text without C comments and string/char literals."""
    return re.sub(r'/\*.*?\*/|//[^\n]*|"(?:\\.|[^"\\\n])*"'
                  r"|'(?:\\.|[^'\\\n])*'", " ", text, flags=re.S)


def spatch_path():
    return shutil.which(os.environ.get("SPATCH", "spatch"))


def tool(args, timeout=600):
    return harness.run([sys.executable, TOOL] + args, timeout=timeout)


def fresh_copy(dest, files):
    shutil.rmtree(dest, ignore_errors=True)
    os.makedirs(dest)
    for f in files:
        shutil.copy2(f, dest)


def read(path):
    with open(path) as f:
        return f.read()


def part_rewrite(t):
    """Rewrite the example and the fixtures; returns the directory."""
    src = os.path.join(BUILD, "src")
    fresh_copy(src, [m[1] for m in MODULES])
    code, out = tool([src])
    m = re.search(r"(\d+) calls? rewritten in (\d+) files?.*, (\d+) uses? "
                  r"left", out)
    t.check(code == 0 and m and m.group(3) == "0" and m.group(2) == "3",
            "rewrite: %s calls in the 3 sources (example, C and C++ "
            "fixtures), none left" % (m.group(1) if m else "?"), out)
    left = [(name, OLD_CALLS.findall(code_only(read(os.path.join(
        src, os.path.basename(path)))))) for name, path, _ in MODULES]
    t.check(not any(l for _, l in left), "rewrite: no old call in the "
            "rewritten sources", repr(left))
    texts = [read(os.path.join(src, os.path.basename(p)))
             for _, p, _ in MODULES]
    releases = sum(len(re.findall(r"PyBuffer_Release\(&\w+_view\)", x))
                   for x in texts)
    exports = sum(len(re.findall(
        r"(?:PyObject_GetBuffer|migrated_get_writable_buffer)"
        r"\(\w+, &\w+_view", x)) for x in texts)
    checks = sum(x.count("migrated_check_read_buffer(") - 1 for x in texts
                 if "migrated_check_read_buffer(" in x)
    say("  figures: %s calls rewritten: %d exports with %d releases "
        "placed, %d CheckReadBuffer" % (m.group(1) if m else "?", exports,
                                        releases, checks))
    before = dict((p, read(os.path.join(src, os.path.basename(p))))
                  for _, p, _ in MODULES)
    code, out = tool([src])
    same = all(read(os.path.join(src, os.path.basename(p))) == text
               for p, text in before.items())
    t.check(code == 0 and same and "0 calls rewritten in 0 files" in out,
            "a second run changes nothing", out)
    # --dry-run: the diff, nothing written.
    dry = os.path.join(BUILD, "dry")
    fresh_copy(dry, [MODULES[0][1]])
    code, out = tool(["--dry-run", dry])
    t.check(code == 0 and "+    PyBuffer_Release(&buf_view);" in out
            and read(os.path.join(dry, "oldchecksum.c"))
            == read(MODULES[0][1]), "--dry-run prints the diff and writes "
            "nothing", out)
    # make migrate DIR=...
    viamake = os.path.join(BUILD, "make")
    fresh_copy(viamake, [MODULES[0][1]])
    code, out = harness.run(["make", "-s", "-C", harness.TOP, "migrate",
                             "DIR=" + viamake], timeout=300)
    t.check(code == 0 and read(os.path.join(viamake, "oldchecksum.c"))
            == read(os.path.join(src, "oldchecksum.c")),
            "make migrate DIR=...: the same rewrite", out)
    return src


def part_reported(t):
    rep = os.path.join(BUILD, "reported")
    files = sorted(os.path.join(FIXTURES, "reported", f)
                   for f in os.listdir(os.path.join(FIXTURES, "reported")))
    fresh_copy(rep, files)
    code, out = tool([rep])
    got = []
    for line in out.splitlines():
        m = re.match(r"^(.*?):(\d+): not rewritten: (\w+): (.*)$", line)
        if m:
            got.append((os.path.basename(m.group(1)), int(m.group(2)),
                        m.group(3), m.group(4)))
    want = [(f, l, n) for f, l, n, _ in EXPECTED_REPORTS]
    bad = [w for w in EXPECTED_REPORTS
           if not any(g[:3] == w[:3] and w[3] in g[3] for g in got)]
    t.check(code == 1 and [g[:3] for g in got] == want and not bad,
            "reported: exactly the %d expected file:line: reasons"
            % len(want),
            out + "\nmissing or different: %r" % bad)
    same = all(read(os.path.join(rep, os.path.basename(f))) == read(f)
               for f in files)
    t.check(same, "reported: the files are left byte for byte")
    # They are real code: they build with oldbuffer, as before.
    py = harness.pyenv_interpreters()[-1].python
    inc = subprocess.check_output(
        [py, "-c", "import sysconfig; print(sysconfig.get_paths()"
         "['include'])"], universal_newlines=True).strip()
    outs = []
    for f in files:
        lang = "c++" if f.endswith(".cpp") else "c"
        std = "-std=c++11" if lang == "c++" else "-std=c99"
        outs.append(harness.run(
            ["cc", "-x", lang, std, "-fsyntax-only", "-Wall", "-Wextra",
             "-Werror", "-include", "oldbuffer.h", "-I" + harness.INCLUDE,
             "-I" + inc, f]))
    t.check(all(c == 0 for c, _ in outs), "reported: the fixtures build "
            "with -include oldbuffer.h", "\n".join(o for _, o in outs))


# Where the rewritten C is also compiled as C++ (the oldest and newest
# headers, PyPy's): the same code, so a few suffice.
CXX_TOO = ("3.6", "3.12", "3.15-sid", "pypy3-sid")


def cxx_too(interp):
    return any(interp.tag == t or interp.tag.startswith(t + ".")
               for t in CXX_TOO)


def build_and_run(interp, src, out, extra=(), env=None, new_only=False):
    opts = " ".join(interp.options)
    argv = ["env", "PYOPTS=" + opts, "CXX_TOO=%d" % cxx_too(interp)] + \
        (["MIGRATE_NEW_ONLY=1"] if new_only else []) + \
        ["sh", "-c", BUILD_AND_RUN, "sh", interp.python, interp.path(), src,
         out] + list(extra)
    return harness.run(interp.argv(argv), timeout=600, env=env)


def parse_runs(output, n):
    docs = []
    for line in output.splitlines():
        if line.startswith("{"):
            try:
                docs.append(json.loads(line))
            except ValueError:
                pass
    return docs if len(docs) == n else None


def compare(orig, new):
    diffs = []
    if len(orig["calls"]) != len(new["calls"]):
        return ["%d outcomes vs %d" % (len(new["calls"]),
                                       len(orig["calls"]))]
    for (label, want), (label2, got) in zip(orig["calls"], new["calls"]):
        if label != label2:
            return ["call order differs at " + label]
        if got != want:
            diffs.append("%s: rewrite %r, original %r" % (label, got, want))
    return diffs


# PyPy's own old calls word their TypeError their own way; after the
# rewrite the message is PyObject_GetBuffer's, the one CPython gives (the
# second intended difference, PyPy only: same exception type).
PYPY_OLD_MESSAGES = ("expected an object with a buffer interface",
                     "expected an object with the buffer interface",
                     "expected an object with a writable buffer interface")
CPYTHON_MESSAGES = re.compile(r"^(a bytes-like object is required, not '\w+'"
                              r"|expected a writable bytes-like object)$")


def pypy_wording(orig, new):
    """Split the pairs of outcomes that differ only by PyPy's wording."""
    same_calls, wording = [], 0
    for (label, want), (label2, got) in zip(orig["calls"], new["calls"]):
        if want != got and want[0] == got[0] == "raise" \
                and want[1] == got[1] == "TypeError" \
                and want[2] in PYPY_OLD_MESSAGES \
                and CPYTHON_MESSAGES.match(got[2]) and want[3:] == got[3:]:
            wording += 1
            got = want
        same_calls.append([label2, got])
    return dict(new, calls=same_calls), wording


def check_interp(t, interp, doc_orig, doc_new, output):
    tag = interp.tag
    if tag.startswith("pypy"):
        doc_new, wording = pypy_wording(doc_orig, doc_new)
        t.check(wording > 0, "%s: the intended difference on PyPy: %d "
                "failed exports raise TypeError with CPython's message "
                "(PyObject_GetBuffer's), not PyPy's legacy wording"
                % (tag, wording))
    diffs = compare(doc_orig, doc_new)
    t.check(not diffs, "%s: %d calls, the same outcomes as the original "
            "with oldbuffer (results, exceptions, messages, contents)"
            % (tag, len(doc_new["calls"])), "\n".join(diffs[:30]))
    problems = doc_new["exports"] + ["original: " + p
                                     for p in doc_orig["exports"]]
    t.check(not problems, "%s: no export left, none released twice, after "
            "every call" % tag, "\n".join(problems[:30]))
    o, n = doc_orig["resize"], doc_new["resize"]
    t.check(o[0] == "return" and o[-1] > 10 and n[0] == "raise"
            and n[1] == "BufferError" and n[-1] == 10,
            "%s: the intended difference: a resize during the call "
            "succeeds with the old calls, raises BufferError after the "
            "rewrite (%s)" % (tag, n[2] if len(n) > 2 else n), repr((o, n)))
    if doc_new["refdelta"] is not None:
        d = doc_new["refdelta"]
        t.check(not all(x > 0 for x in d), "%s: total refcount does not "
                "grow round after round (%r)" % (tag, d), repr(d))
    t.check("oldchecksum works" in output, "%s: examples/legacy/demo.py "
            "passes on the rewritten oldchecksum" % tag, output[-2000:])


def part_matrix(t, src):
    interps = harness.all_interpreters(t, "migrated modules", (3, 6))
    chroot_src = None
    if any(i.where == "chroot" for i in interps):
        chroot_src = os.path.join(harness.chroot_root(), "oldbuffer",
                                  "build", "migrate", "src")
        fresh_copy(chroot_src, [os.path.join(src, f)
                                for f in sorted(os.listdir(src))])

    def one(interp):
        s = interp.path("build", "migrate", "src") \
            if interp.where == "chroot" else src
        out = interp.path("build", "migrate", "run-" + interp.tag)
        return build_and_run(interp, s, out)

    with concurrent.futures.ThreadPoolExecutor(2) as pool:
        jobs = [(i, pool.submit(one, i)) for i in interps]
        for interp, job in jobs:
            code, output = job.result()
            docs = parse_runs(output, 2)
            if code != 0 or docs is None:
                t.fail("%s: build (C, C++, -Werror, no oldbuffer for the "
                       "rewrites) or run failed" % interp.tag, output)
                continue
            cxx = cxx_too(interp)
            t.ok("%s: originals built with oldbuffer, rewrites without "
                 "(C, C++%s)" % (interp.tag, ", rewritten C as C++"
                                 if cxx else ""))
            check_interp(t, interp, docs[0], docs[1], output)


def part_asan(t, src):
    interp = harness.pyenv("3.12")
    if interp is None:
        t.skip("asan", "no pyenv 3.12")
        return
    flags = ["-fsanitize=address,undefined", "-fno-omit-frame-pointer",
             "-fno-sanitize-recover=all"]
    code, output = build_and_run(interp, src, os.path.join(BUILD, "asan"),
                                 flags, harness.asan_env())
    docs = parse_runs(output, 2)
    reports = SANITIZER_REPORT.findall(output)
    ok = code == 0 and docs is not None and not reports
    t.check(ok and not compare(docs[0], docs[1]) and not docs[1]["exports"],
            "asan: the rewrites under ASan+UBSan on %s: %d calls, the "
            "same outcomes, no export problem, no sanitizer report"
            % (interp.tag, len(docs[1]["calls"]) if docs else 0),
            output[-4000:])


def mutate(src, dest, how):
    """A copy of the rewritten sources with one defect in migshapes.c, on
    the callback's error path: its release dropped (an export leaked), or
    the export released twice (through a copy of the view, as a rewrite
    that kept the view in two places would: a second PyBuffer_Release of
    the same view is a no-op, its obj being cleared)."""
    fresh_copy(dest, [os.path.join(src, f) for f in sorted(os.listdir(src))])
    path = os.path.join(dest, "migshapes.c")
    text = read(path)
    release = "        PyBuffer_Release(&buf_view);\n"
    anchor = "    if (r == NULL) {\n" + release + "        return NULL;"
    if anchor not in text:
        return False
    if how == "drop":
        text = text.replace(anchor, anchor.replace(release, ""))
    else:
        text = text.replace(anchor, anchor.replace(
            release, "        Py_buffer twice = buf_view;\n" + release
            + "        PyBuffer_Release(&twice);\n"))
    with open(path, "w") as f:
        f.write(text)
    return True


def part_mutants(t, src):
    """The checks must catch a rewrite that leaks or double-releases: on
    3.12 (pyenv) and on 3.14d (its reference count too)."""
    interps = [i for i in [harness.pyenv("3.12")] if i is not None]
    debug = [i for i in harness.sid_interpreters()[0] if i.tag == "3.14d-sid"]
    if harness.ensure_chroot(copy=False) is None:
        interps += debug
    if not interps:
        t.skip("mutants", "neither pyenv 3.12 nor the chroot's 3.14d")
        return
    for interp in interps:
        for how, what in (("drop", "a release dropped (an export leaked)"),
                          ("double", "an export released twice")):
            name = "mutant-%s-%s" % (how, interp.tag)
            dest = os.path.join(BUILD, name)
            if not mutate(src, dest, how):
                t.fail("%s: the anchor to mutate is gone" % name)
                continue
            if interp.where == "chroot":
                fresh_copy(os.path.join(harness.chroot_root(), "oldbuffer",
                                        "build", "migrate", name),
                           [os.path.join(dest, f)
                            for f in sorted(os.listdir(dest))])
            code, output = build_and_run(
                interp, interp.path("build", "migrate", name),
                interp.path("build", "migrate", "run-" + name),
                new_only=True)
            docs = parse_runs(output, 1)
            found = []
            if docs:
                found = docs[0]["exports"][:1]
                d = docs[0]["refdelta"]
                if d is not None and all(x > 0 for x in d):
                    found.append("refcount grows every round %r" % d)
            crash = re.search(r"Segmentation fault|Fatal Python error"
                              r"|Aborted", output)
            if code != 0 and crash and "== built" in output:
                found.append("the driver crashes (%s)" % crash.group(0))
            t.check(found, "%s: %s is caught: %s"
                    % (interp.tag, what, "; ".join(found)), output[-2000:])


def main():
    t = harness.Tally(NAME)
    if spatch_path() is None:
        say("!! spatch (Coccinelle) is not installed: the migration is NOT "
            "tested.  Install it with tools/install-deps.sh (Debian "
            "package coccinelle).")
        t.skip("migration (every check)", "spatch not found")
        return t.finish()
    os.makedirs(BUILD, exist_ok=True)
    say("== rewrite (spatch %s)" % subprocess.check_output(
        [spatch_path(), "--version"], universal_newlines=True).split()[2])
    src = part_rewrite(t)
    say("== reported shapes")
    part_reported(t)
    say("== matrix: originals with oldbuffer vs rewrites without")
    part_matrix(t, src)
    say("== ASan, and mutants the checks must catch")
    part_asan(t, src)
    part_mutants(t, src)
    return t.finish()


if __name__ == "__main__":
    sys.exit(main())
