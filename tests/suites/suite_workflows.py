#!/usr/bin/env python3
"""The GitHub workflows (.github/workflows/), checked offline.

No GitHub runner exists on this machine, so the workflows never run here;
what can be checked without one is checked on every run:

  a. the creation path of tools/action-validator.sh, against a stub npm
     in a temporary directory: the packages and prefix npm gets, that a
     failed install (or one without the command) leaves nothing a later
     run would trust, that a second run does nothing and a changed script
     installs again, that a missing npm is a clear error, and that a
     rejected file fails the run;
  b. action-validator (the real one, installed once into its cache by
     that script) accepts every file under .github/workflows/, and
     rejects tests/fixtures/workflows/broken-schema.yml for the errors
     planted in it -- so this check can fail;
  c. every file, local action and make target a workflow's steps name
     exists in the repository, and every job names at least one (no job
     that only sets up); tests/fixtures/workflows/missing-refs.yml
     must be reported for exactly the three it names that do not exist;
  d. the script every job runs, tests/run_one.py, builds and passes here
     on two interpreters: pyenv 2.7 (distutils' and setuptools' oldest
     route) and 3.11 -- Linux and gcc only, which says nothing of macOS,
     Windows or the free-threaded build.
"""
from __future__ import print_function

import glob
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.dirname(  # tests/: harness.py
    os.path.abspath(__file__))))
import harness  # noqa: E402

SCRIPT = os.path.join(harness.TOP, "tools", "action-validator.sh")
WORKFLOWS = os.path.join(harness.TOP, ".github", "workflows")
FIXTURES = os.path.join(harness.FIXTURES, "workflows")
PACKAGES = ["@action-validator/cli@0.6.0", "@action-validator/core@0.6.0"]

# The stub npm appends its arguments (tab-separated) to $STUB_LOG.  With
# $STUB_NPM "ok" it makes node_modules/.bin/action-validator under its
# --prefix: a node script that rejects a file containing "BROKEN"; with
# "nobin" it succeeds without making it; otherwise it fails.
STUB_NPM = r"""#!/bin/sh
{ printf 'npm'; for a in "$@"; do printf '\t%s' "$a"; done; printf '\n'; } \
    >>"$STUB_LOG"
prefix=""
while [ $# -gt 0 ]; do
    [ "$1" = --prefix ] && prefix=$2
    shift
done
case "$STUB_NPM" in
ok)
    mkdir -p "$prefix/node_modules/.bin"
    cat >"$prefix/node_modules/.bin/action-validator" <<'JS'
const text = require("fs").readFileSync(process.argv[2], "utf8");
process.exit(text.includes("BROKEN") ? 1 : 0);
JS
    ;;
nobin) ;;
*) echo "stub npm: failing" >&2; exit 1 ;;
esac
"""


class Sandbox(object):
    def __init__(self, base):
        self.dir = os.path.join(base, "cache", "action-validator")
        self.log = os.path.join(base, "npm.log")
        self.npm = os.path.join(base, "npm")
        self.script = os.path.join(base, "action-validator.sh")
        with open(self.npm, "w") as f:
            f.write(STUB_NPM)
        os.chmod(self.npm, 0o755)
        shutil.copy(SCRIPT, self.script)

    def run(self, npm="ok", args=(), npm_path=None):
        """Run the script; return (exit code, output, [npm calls])."""
        if os.path.exists(self.log):
            os.remove(self.log)
        env = dict(os.environ, OLDBUFFER_ACTION_VALIDATOR=self.dir,
                   OLDBUFFER_NPM=npm_path or self.npm, STUB_LOG=self.log,
                   STUB_NPM=npm)
        code, out = harness.run(["sh", self.script] + list(args), env=env,
                                timeout=60)
        calls = []
        if os.path.exists(self.log):
            with open(self.log) as f:
                calls = [line.rstrip("\n").split("\t")[1:] for line in f]
        return code, out, calls


def part_creation(tally):
    harness.say("a. tools/action-validator.sh against a stub npm")
    base = tempfile.mkdtemp(prefix="oldbuffer-npm-stub-")
    try:
        box = Sandbox(base)
        partial = box.dir + ".partial"
        want = ["install", "--prefix", partial, "--no-audit", "--no-fund",
                "--no-save"] + PACKAGES
        code, out, calls = box.run(npm_path=os.path.join(base, "no-npm"))
        tally.check(code != 0 and "install-deps" in out,
                    "no npm, nothing installed: a clear error naming tools/install-deps.sh "
                    "(exit %d)" % code, out)
        for mode in ("fail", "nobin"):
            code, out, calls = box.run(npm=mode)
            tally.check(calls == [want] and code != 0
                        and not os.path.exists(box.dir)
                        and not os.path.exists(partial),
                        "npm %s: exit %d, npm got %s, and neither the cache "
                        "nor its partial tree is left" % (
                            "failing" if mode == "fail"
                            else "succeeding without the command", code,
                            " ".join(want[:2] + ["<partial>"] + want[3:])),
                        "calls: %r\n%s" % (calls, out))
        code, out, calls = box.run()
        binary = os.path.join(box.dir, "node_modules", ".bin",
                              "action-validator")
        stamp = os.path.join(box.dir, ".oldbuffer-stamp")
        tally.check(code == 0 and calls == [want]
                    and out.strip().splitlines()[-1:] == [binary]
                    and os.path.isfile(stamp)
                    and " ".join(PACKAGES) in open(stamp).read()
                    and not os.path.exists(partial),
                    "npm succeeding: the cache is moved into place with its "
                    "stamp (the versions, the script's hash), and the "
                    "command's path is printed", "%r\n%s" % (calls, out))
        code, out, calls = box.run(npm="fail")
        tally.check(code == 0 and calls == [],
                    "a second run trusts the cache: npm is not called",
                    "%r\n%s" % (calls, out))
        with open(box.script, "a") as f:
            f.write("# changed\n")
        code, out, calls = box.run()
        tally.check(code == 0 and calls == [want],
                    "a changed script installs again (the stamp holds its "
                    "hash)", "%r\n%s" % (calls, out))
        good = os.path.join(base, "good.yml")
        bad = os.path.join(base, "bad.yml")
        with open(good, "w") as f:
            f.write("fine\n")
        with open(bad, "w") as f:
            f.write("BROKEN\n")
        code, out, calls = box.run(args=[good, bad, good])
        tally.check(code == 1 and out.count(": valid") == 2
                    and "bad.yml: REJECTED" in out,
                    "with files: each is reported, and one rejected file "
                    "fails the run", out)
    finally:
        shutil.rmtree(base, ignore_errors=True)


def workflow_files():
    return sorted(glob.glob(os.path.join(WORKFLOWS, "*.yml"))
                  + glob.glob(os.path.join(WORKFLOWS, "*.yaml")))


def rel(path):
    return os.path.relpath(path, harness.TOP)


def part_validator(tally):
    harness.say("b. action-validator on .github/workflows/ and a broken "
                "fixture")
    code, out = harness.run(["sh", SCRIPT], timeout=600)
    if code != 0:
        tally.skip("action-validator", "tools/action-validator.sh could "
                   "not install it (exit %d): %s" % (
                       code, out.strip().splitlines()[-1:]))
        return
    binary = out.strip().splitlines()[-1]
    files = workflow_files()
    tally.check(files, "there are workflows to check (%d)" % len(files))
    for path in files:
        code, out = harness.run(["node", binary, path], timeout=60)
        tally.check(code == 0, "action-validator accepts %s" % rel(path),
                    out)
    broken = os.path.join(FIXTURES, "broken-schema.yml")
    code, out = harness.run(["node", binary, broken], timeout=60)
    planted = ["Additional property 'step' is not allowed",
               "/jobs/test/timeout-minutes"]
    tally.check(code == 1 and all(p in out for p in planted),
                "action-validator rejects %s for what is planted in it "
                "(exit %d: %s)" % (rel(broken), code, "; ".join(planted)),
                out)


def load_yaml(path):
    """The workflow as Python data: PyYAML in this interpreter, else in
    Debian's python3 (python3-yaml, tools/install-deps.sh).  None when
    neither has it."""
    try:
        import yaml
        with open(path) as f:
            return yaml.safe_load(f)
    except ImportError:
        pass
    if not os.path.exists("/usr/bin/python3"):
        return None
    proc = subprocess.run(
        ["/usr/bin/python3", "-c", "import json, sys, yaml; "
         "json.dump(yaml.safe_load(open(sys.argv[1])), sys.stdout)", path],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE,
        universal_newlines=True)
    return json.loads(proc.stdout) if proc.returncode == 0 else None


# A path of the repository in a shell command: a top-level folder of the
# tree (harness.TREE's, .ci and .github) followed by a file or folder.
PATH_RE = re.compile(r"(?<![\w./$-])((?:\.ci|\.github|%s)/[\w.+/-]*[\w+-])"
                     % "|".join(re.escape(n) for n in harness.TREE
                                if "." not in n))
MAKE_RE = re.compile(r"(?:^|[\s;&|(])make((?:[ \t]+[^\s;&|#()]+)*)")


def make_targets():
    targets = set()
    with open(os.path.join(harness.TOP, "Makefile")) as f:
        for line in f:
            m = re.match(r"^([\w./ -]+?)\s*:(?!=)", line)
            if m and not line.startswith("\t"):
                targets.update(m.group(1).split())
    return targets


def references(doc):
    """(kind, name) of every file, local action and make target the
    workflow's steps name."""
    found = []
    for job in (doc.get("jobs") or {}).values():
        for step in job.get("steps") or []:
            uses = step.get("uses", "")
            if uses.startswith("./"):
                found.append(("action", uses[2:]))
            if step.get("working-directory"):
                found.append(("file", step["working-directory"]))
            script = step.get("run") or ""
            found += [("file", p) for p in PATH_RE.findall(script)]
            for words in MAKE_RE.findall(script):
                found += [("make target", w) for w in words.split()
                          if not w.startswith("-") and "=" not in w]
    return found


def missing_references(doc, targets):
    missing = []
    for kind, name in references(doc):
        if kind == "make target":
            ok = name in targets
        elif kind == "action":
            ok = any(os.path.isfile(os.path.join(harness.TOP, name, a))
                     for a in ("action.yml", "action.yaml"))
        else:
            ok = os.path.exists(os.path.join(harness.TOP, name))
        if not ok:
            missing.append((kind, name))
    return missing


def part_references(tally):
    harness.say("c. every file, local action and make target a workflow "
                "names exists")
    targets = make_targets()
    tally.check({"check", "example", "install"} <= targets,
                "the Makefile's targets are read (%d)" % len(targets))
    for path in workflow_files() + [os.path.join(FIXTURES,
                                                 "missing-refs.yml")]:
        doc = load_yaml(path)
        if doc is None:
            tally.skip("references of %s" % rel(path), "no PyYAML here nor "
                       "in /usr/bin/python3 (python3-yaml, "
                       "tools/install-deps.sh)")
            continue
        refs, missing = references(doc), missing_references(doc, targets)
        if path.startswith(FIXTURES):
            want = [("action", ".github/actions/no-such-action"),
                    ("file", "tools/no-such-script.sh"),
                    ("make target", "no-such-target")]
            tally.check(sorted(missing) == want,
                        "%s: exactly the three missing ones are reported "
                        "(%s)" % (rel(path), ", ".join(n for _, n in want)),
                        "references: %r\nmissing: %r" % (refs, missing))
        else:
            files = sorted(set(n for k, n in refs if k == "file"))
            tally.check(files and not missing,
                        "%s: %d references, all present (%s)" % (
                            rel(path), len(refs), ", ".join(files)),
                        "references: %r\nmissing: %r" % (refs, missing))
            idle = [name for name, job in doc["jobs"].items()
                    if not references({"jobs": {name: job}})]
            tally.check(not idle, "%s: every job runs something of the "
                        "repository" % rel(path), "jobs that name no file "
                        "nor make target: %s" % ", ".join(idle))


def part_run_one(tally):
    harness.say("d. tests/run_one.py (what every job runs) here")
    for minor in ("2.7", "3.11"):
        interp = harness.pyenv(minor)
        if interp is None:
            tally.skip("tests/run_one.py on %s" % minor,
                       "no pyenv %s" % minor)
            continue
        out = os.path.join(harness.TOP, "build", "workflows", interp.tag)
        shutil.rmtree(out, ignore_errors=True)
        code, output = harness.run(
            [interp.python, os.path.join(harness.TESTS, "run_one.py"),
             os.path.join(out, "ext")], timeout=600,
            env=dict(os.environ, OLDBUFFER_THREAD_SECONDS="1"))
        result = re.search(r"^OLDBUFFER-RESULT (.*)$", output, re.M)
        summary = json.loads(result.group(1)) if result else {}
        tally.check(code == 0 and summary.get("failures") == 0
                    and summary.get("differential", 0) > 0
                    and (minor == "2.7" or summary.get("abi3", 0) > 0)
                    and "-Werror" in output,
                    "tests/run_one.py on %s: built with -Werror, %s "
                    "differential cases, %s abi3 cases, threads passed"
                    % (interp.tag, summary.get("differential"),
                       summary.get("abi3")), output[-6000:])


def main():
    tally = harness.Tally("workflows")
    part_creation(tally)
    part_validator(tally)
    part_references(tally)
    part_run_one(tally)
    return tally.finish()


if __name__ == "__main__":
    sys.exit(main())
