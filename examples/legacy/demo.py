"""Run the legacy extension oldchecksum and check what it computes.

    python demo.py            (with oldchecksum built on sys.path)

Works on Python 2.7 and 3.x; exits non-zero if anything is wrong.
"""
from __future__ import print_function

import array
import sys
import zlib

import oldchecksum

data = b"The quick brown fox jumps over the lazy dog" * 100
for obj in (data, bytearray(data), memoryview(data), array.array("B", data)):
    if sys.version_info[0] == 2 and isinstance(obj, memoryview):
        continue  # 2.7's memoryview has no old-style buffer
    got = oldchecksum.adler32(obj)
    want = zlib.adler32(data) & 0xffffffff
    assert got == want, (type(obj), got, want)
print("adler32 over bytes, bytearray, memoryview, array: %08x (= zlib's)"
      % oldchecksum.adler32(data))

target = bytearray(b"secret message")
oldchecksum.xor_inplace(target, b"k3y")
assert target != bytearray(b"secret message")
oldchecksum.xor_inplace(target, b"k3y")
assert target == bytearray(b"secret message")
target.extend(b"!")   # the export was released: the bytearray can grow
print("xor_inplace round trip on a bytearray: %r" % bytes(target))

try:
    oldchecksum.xor_inplace(b"read-only bytes", b"k")
except TypeError as e:
    print("xor_inplace on bytes: TypeError: %s" % e)
else:
    raise AssertionError("bytes accepted as a writable buffer")

assert oldchecksum.count(b"mississippi", b"s") == 4
print("count(b'mississippi', b's') = %d" % oldchecksum.count(b"mississippi",
                                                             b"s"))
assert oldchecksum.is_buffer(b"x") and not oldchecksum.is_buffer(42)
print("is_buffer(b'x') = True, is_buffer(42) = False")
print("oldchecksum works on Python %s" % sys.version.split()[0])
