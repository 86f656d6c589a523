#!/usr/bin/env python3
"""Compare two outcome snapshots of the differential matrix.

    python3 tests/runtests.py --no-suites --save-outcomes before/
    ... change the header ...
    python3 tests/runtests.py --no-suites --save-outcomes after/
    python3 tests/compare_outcomes.py before/ after/

Each directory holds one <tag>.json per interpreter (test_oldbuffer.py's
OutcomeSnapshot: every differential case of oldbuffer's calls and its
outcome, with pointers relative to the interpreter's own).  Prints, per
interpreter, "identical" or each case that differs, is missing on one
side, or is new; an interpreter present in only one directory is a
difference too.  Exit status 0 when everything is identical, else 1.
"""
from __future__ import print_function

import glob
import json
import os
import sys

MAX_SHOWN = 40   # differences listed per interpreter


def load(directory):
    snapshots = {}
    for path in glob.glob(os.path.join(directory, "*.json")):
        with open(path) as f:
            snapshots[os.path.basename(path)[:-len(".json")]] = json.load(f)
    return snapshots


def show(entry):
    return json.dumps(entry, sort_keys=True)


def differences(a, b):
    """[line] describing how snapshot b differs from snapshot a."""
    lines = []
    for field in ("python", "impl"):
        if a.get(field) != b.get(field):
            lines.append("%s: %r -> %r" % (field, a.get(field), b.get(field)))
    cases_a, cases_b = a["cases"], b["cases"]
    for key in sorted(set(cases_a) | set(cases_b)):
        if key not in cases_b:
            lines.append("%s: only in A: %s" % (key, show(cases_a[key])))
        elif key not in cases_a:
            lines.append("%s: only in B: %s" % (key, show(cases_b[key])))
        elif cases_a[key] != cases_b[key]:
            lines.append("%s:\n    A %s\n    B %s" % (
                key, show(cases_a[key]), show(cases_b[key])))
    return lines


def main(argv):
    if len(argv) != 3:
        print(__doc__.strip(), file=sys.stderr)
        return 2
    dir_a, dir_b = argv[1], argv[2]
    snaps_a, snaps_b = load(dir_a), load(dir_b)
    if not snaps_a and not snaps_b:
        print("no <tag>.json in %s or %s" % (dir_a, dir_b), file=sys.stderr)
        return 2
    differing = 0
    for tag in sorted(set(snaps_a) | set(snaps_b)):
        if tag not in snaps_b:
            print("%-10s only in A (%s)" % (tag, dir_a))
            differing += 1
            continue
        if tag not in snaps_a:
            print("%-10s only in B (%s)" % (tag, dir_b))
            differing += 1
            continue
        lines = differences(snaps_a[tag], snaps_b[tag])
        if not lines:
            print("%-10s identical (%d cases)"
                  % (tag, len(snaps_a[tag]["cases"])))
            continue
        differing += 1
        print("%-10s %d differences:" % (tag, len(lines)))
        for line in lines[:MAX_SHOWN]:
            print("  " + line)
        if len(lines) > MAX_SHOWN:
            print("  ... and %d more" % (len(lines) - MAX_SHOWN))
    print("%d of %d interpreters differ" % (
        differing, len(set(snaps_a) | set(snaps_b))))
    return 1 if differing else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
