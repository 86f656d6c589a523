"""Check a freshly built legacysum module: what every route must give.

    python check_legacysum.py BUILD_DIR [--module NAME] [--version HEX]

Imports legacysum (or NAME) from BUILD_DIR (and refuses one found anywhere else),
then checks checksum() and fill() on bytes, bytearray, memoryview and
array objects, their TypeErrors, and that the module was compiled with
oldbuffer.h.  Prints one line and exits 0, or raises.  Python 3.6+.
"""
from __future__ import print_function

import argparse
import array
import importlib
import os
import sys


def expect_type_error(func, *args):
    try:
        func(*args)
    except TypeError:
        return
    raise AssertionError("%s%r did not raise TypeError" % (func.__name__,
                                                           args))


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("build_dir")
    ap.add_argument("--module", default="legacysum")
    ap.add_argument("--version", type=lambda s: int(s, 0),
                    help="the OLDBUFFER_VERSION_HEX it must report")
    args = ap.parse_args()
    build_dir = os.path.abspath(args.build_dir)
    sys.path.insert(0, build_dir)
    legacysum = importlib.import_module(args.module)

    where = os.path.dirname(os.path.abspath(legacysum.__file__))
    assert where.startswith(build_dir), (
        "imported %s, not a module built in %s" % (legacysum.__file__,
                                                   build_dir))

    data = bytes(bytearray(range(256))) * 3 + b"xyz"
    want = (sum(bytearray(data))) % 2 ** 32
    for obj in (data, bytearray(data), memoryview(data),
                array.array("B", bytearray(data))):
        got = legacysum.checksum(obj)
        assert got == want, "checksum(%s) = %r, want %r" % (
            type(obj).__name__, got, want)
    # 2**24 bytes of 0xFF overflow 32 bits: the sum must wrap.
    big = b"\xff" * (1 << 24) + b"\x02" * 300
    assert legacysum.checksum(big) == (255 * (1 << 24) + 600) % 2 ** 32
    assert legacysum.checksum(b"") == 0
    expect_type_error(legacysum.checksum, 42)
    expect_type_error(legacysum.checksum, None)

    buf = bytearray(b"hello world")
    assert legacysum.fill(buf, 7) is None
    assert buf == bytearray(b"\x07" * 11), repr(buf)
    arr = array.array("B", b"abc")
    legacysum.fill(arr, 255)
    assert arr.tolist() == [255, 255, 255], arr
    view = memoryview(bytearray(4))
    legacysum.fill(view[1:3], 1)
    assert bytes(view.obj) == b"\x00\x01\x01\x00", view.obj
    expect_type_error(legacysum.fill, b"read-only", 1)
    expect_type_error(legacysum.fill, 42, 1)

    version = legacysum.oldbuffer_version()
    assert version != 0, "legacysum.c was compiled without oldbuffer.h"
    if args.version is not None:
        assert version == args.version, (
            "compiled with oldbuffer.h 0x%08x, want 0x%08x"
            % (version, args.version))
    print("legacysum OK: %s, oldbuffer 0x%08x, Python %s"
          % (legacysum.__file__, version, sys.version.split()[0]))


if __name__ == "__main__":
    main()
