"""python -m oldbuffer: compiler flags for oldbuffer.h.

    python3 -m oldbuffer --includes     -I<Python's headers> -I<oldbuffer's>
    python3 -m oldbuffer --cflags       the same plus -include oldbuffer.h
    python3 -m oldbuffer --include-dir  the directory of oldbuffer.h alone

Python's own include directories come first because oldbuffer.h includes
<Python.h>; they are those of the interpreter running this command, so
run it with the Python you build for.

On POSIX, --includes and --cflags are shell words, quoted where a path
needs it (a space, a quote): give them to a shell that reads quotes,

    eval "cc $(python3 -m oldbuffer --cflags) -c legacy.c"
    CFLAGS += $(shell python3 -m oldbuffer --cflags)      (a Makefile)

and not to a bare `cc $(...)`, whose word splitting keeps the quotes as
characters.  --include-dir prints the path itself, unquoted:
"-I$(python3 -m oldbuffer --include-dir)".  On Windows they are quoted
for the C runtime's argv rules instead: a path with a space in double
quotes.
"""
from __future__ import print_function

import argparse
import os
import subprocess
import sys
import sysconfig

try:
    from shlex import quote as _posix_quote     # Python 3.3+
except ImportError:
    from pipes import quote as _posix_quote     # Python 2.7

import oldbuffer

PROG = "python -m oldbuffer"


def include_flags():
    dirs = []
    for key in ("include", "platinclude"):
        d = sysconfig.get_paths()[key]
        if d not in dirs:
            dirs.append(d)
    dirs.append(oldbuffer.get_include())
    return ["-I" + d for d in dirs]


def shell_words(flags):
    """flags as one line that splits back into them: POSIX shell quoting,
    or on Windows the quoting of the C runtime's argv parser (cmd.exe
    passes a command line on as it is, and cl.exe and gcc split it that
    way: a path with a space comes in double quotes)."""
    if os.name == "nt":
        return subprocess.list2cmdline(flags)
    return " ".join(_posix_quote(f) for f in flags)


class StdoutError(Exception):
    """stdout is closed, full or a closed pipe."""


def write_line(text):
    """text and a newline on stdout, flushed, or StdoutError: the flags
    must not be lost without a word (a build would go on without them)."""
    if sys.stdout is None:       # Python 3 started with fd 1 closed
        raise StdoutError("it is closed")
    try:
        sys.stdout.write(text + "\n")
        sys.stdout.flush()
    except (IOError, OSError) as e:
        raise StdoutError(os.strerror(e.errno) if e.errno else str(e))


def quiet_stdout():
    """After a write error: the interpreter flushes stdout again at exit
    and would print a second error about the same bytes; point fd 1 at
    /dev/null so that flush succeeds."""
    try:
        null = os.open(os.devnull, os.O_WRONLY)
        os.dup2(null, 1)
        os.close(null)
    except OSError:
        pass


class Parser(argparse.ArgumentParser):
    """--help written as the flags are: argparse's own write drops an
    error on stdout (a closed, full or broken stdout) and exits 0."""

    def print_help(self, file=None):
        if file is not None:
            argparse.ArgumentParser.print_help(self, file)
        else:
            write_line(self.format_help().rstrip("\n"))


def main(argv=None):
    doc = __doc__ or ""         # python -OO drops docstrings
    ap = Parser(
        prog=PROG, description=doc.splitlines()[0] if doc else None,
        formatter_class=argparse.RawDescriptionHelpFormatter,
        epilog=doc[doc.find("On POSIX"):].rstrip() if "On POSIX" in doc
        else None)
    group = ap.add_mutually_exclusive_group(required=True)
    group.add_argument("--includes", action="store_true",
                       help="-I flags for Python's headers and oldbuffer.h")
    group.add_argument("--cflags", action="store_true",
                       help="--includes plus -include oldbuffer.h")
    group.add_argument("--include-dir", action="store_true",
                       help="the directory holding oldbuffer.h")
    group.add_argument("--version", action="store_true",
                       help="oldbuffer's version")
    try:
        args = ap.parse_args(argv)      # --help: written here, then exit 0
        if args.include_dir:
            text = oldbuffer.get_include()
        elif args.version:
            text = oldbuffer.__version__
        else:
            flags = include_flags()
            if args.cflags:
                flags += ["-include", "oldbuffer.h"]
            text = shell_words(flags)
        write_line(text)
    except StdoutError as e:
        quiet_stdout()
        sys.stderr.write("%s: cannot write to stdout: %s\n" % (PROG, e))
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
