"""Write the seed corpus fuzz/corpus/: one small input per object kind and
exporter mode (layout: fuzz_oldbuffer.c; meaning: objects.py's build()).

    python3 fuzz/make_corpus.py     # rewrites fuzz/corpus/seed-*
"""
import glob
import os

HERE = os.path.dirname(os.path.abspath(__file__))
# The variant bits of byte 1 (tests/ext/outcome.h).
NULL_OBJ, NULL_BUF, NULL_LEN, PRESET = 1, 2, 4, 8

SEEDS = {
    "bytes": bytes([0, 0]) + b"hello",
    "bytes-empty-preset": bytes([0, PRESET]),
    "bytearray-null-buf": bytes([1, NULL_BUF]) + b"mutable",
    "bytearray-null-obj": bytes([1, NULL_OBJ | PRESET]) + b"x",
    "view-bytes-slice": bytes([2, 0, 0, 1, 7, 1]) + b"abcdefgh",
    "view-bytes-stride": bytes([2, 0, 0, 0, 8, 2]) + b"abcdefgh",
    "view-bytes-reversed": bytes([2, NULL_LEN, 0, 0, 8, 4]) + b"abcdefgh",
    "view-bytearray-readonly": bytes([3, 0, 1, 0, 0, 0]) + b"abcd",
    "view-bytearray-cast-H": bytes([3, 0, 2 | (3 << 2), 0, 0, 0]) + b"abcd",
    "view-bytearray-2d": bytes([3, 0, 32, 0, 0, 0]) + b"abcdef",
    "view-bytearray-released": bytes([3, PRESET, 64, 0, 0, 0]) + b"ab",
    "array-i": bytes([4, 0, 4]) + b"\x01\x00\x00\x00\x02\x00\x00\x00",
    "array-d": bytes([4, NULL_LEN, 11]) + b"\x00" * 16,
    "str": bytes([5, 0]) + b"text\xe9",
    "int": bytes([6, PRESET]) + b"\x2a",
    "view-array-q": bytes([13, 0, 0, 0, 0, 0, 8]) + b"\x07" * 16,
    "bytes-subclass": bytes([9, 0]) + b"sub",
    "picklebuffer-writable": bytes([10, 0]) + b"writable",
    "bytesio-getbuffer": bytes([11, 0]) + b"bio",
    "mmap": bytes([12, NULL_BUF | NULL_LEN]) + b"mapped",
    "view-mmap-slice": bytes([15, 0, 0, 2, 6, 1]) + b"mapped!!",
    "none-like": bytes([14, 0, 0]),
    "bytes-with-buffer": bytes([17, 0, 1]) + b"own",
    "bytearray-with-buffer": bytes([17, NULL_LEN, 0]) + b"own",
}
# Every mode of the PEP 688 exporter.
for mode in range(7):
    SEEDS["pep688-mode-%d" % mode] = bytes([16, 0, mode]) + b"py688"
# Every exporter mode, bare (kind 7), and behind a memoryview (kind 8)
# where the view can be made at all (not over one that refuses).
for mode in range(12):
    extra = b"\x01" if mode in (7, 10) else b""
    SEEDS["exporter-mode-%d" % mode] = bytes([7, 0, mode]) + extra + b"data"
    if mode not in (2, 3, 6, 7, 11):
        SEEDS["view-exporter-mode-%d" % mode] = (
            bytes([8, PRESET if mode == 9 else 0, 0, 0, 0, 0, mode]) + extra
            + b"data")
# The three re-entering hooks of mode 10.
for hook in (2, 3):
    SEEDS["exporter-hook-%d" % hook] = bytes([7, 0, 10, hook]) + b"data"


def main():
    out = os.path.join(HERE, "corpus")
    if not os.path.isdir(out):
        os.makedirs(out)
    for old in glob.glob(os.path.join(out, "seed-*")):
        os.remove(old)
    for name, data in sorted(SEEDS.items()):
        with open(os.path.join(out, "seed-" + name), "wb") as f:
            f.write(data)
    print("%d seeds in %s" % (len(SEEDS), out))


if __name__ == "__main__":
    main()
