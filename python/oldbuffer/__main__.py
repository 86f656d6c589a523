"""python -m oldbuffer: compiler flags for oldbuffer.h.

    python3 -m oldbuffer --includes     -I<Python's headers> -I<oldbuffer's>
    python3 -m oldbuffer --cflags       the same plus -include oldbuffer.h
    python3 -m oldbuffer --include-dir  the directory of oldbuffer.h alone

Python's own include directories come first because oldbuffer.h includes
<Python.h>; they are those of the interpreter running this command, so
run it with the Python you build for.
"""
from __future__ import print_function

import argparse
import sys
import sysconfig

import oldbuffer


def include_flags():
    dirs = []
    for key in ("include", "platinclude"):
        d = sysconfig.get_paths()[key]
        if d not in dirs:
            dirs.append(d)
    dirs.append(oldbuffer.get_include())
    return ["-I" + d for d in dirs]


def main(argv=None):
    ap = argparse.ArgumentParser(prog="python -m oldbuffer",
                                 description=__doc__.splitlines()[0])
    group = ap.add_mutually_exclusive_group(required=True)
    group.add_argument("--includes", action="store_true",
                       help="-I flags for Python's headers and oldbuffer.h")
    group.add_argument("--cflags", action="store_true",
                       help="--includes plus -include oldbuffer.h")
    group.add_argument("--include-dir", action="store_true",
                       help="the directory holding oldbuffer.h")
    group.add_argument("--version", action="store_true",
                       help="oldbuffer's version")
    args = ap.parse_args(argv)
    if args.include_dir:
        print(oldbuffer.get_include())
    elif args.version:
        print(oldbuffer.__version__)
    else:
        flags = include_flags()
        if args.cflags:
            flags += ["-include", "oldbuffer.h"]
        print(" ".join(flags))
    return 0


if __name__ == "__main__":
    sys.exit(main())
