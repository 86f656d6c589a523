"""Call every function of the migration fixtures; print the outcomes.

    python drive.py BUILD_DIR

BUILD_DIR holds oldchecksum, migshapes and migcxx, built either from the
originals with `-include oldbuffer.h` or from their rewrite by
tools/oldbuffer-migrate without oldbuffer.  Prints one JSON document:
  calls     [[label, outcome], ...]: each call on fresh objects of the
            catalogue; the outcome is the result (or the exception type and
            message) and what a writable argument holds afterwards
  exports   every call after which an argument still had an export (a
            leak) or had fewer than none (a release too many)
  resize    migshapes.callback on a bytearray that the callback resizes:
            the one intended difference (with the export held, BufferError)
  refdelta  on a debug build, sys.gettotalrefcount() growth per round over
            five rounds, less what measuring costs (a leak grows every
            round), else null
Python 3.6+, CPython and PyPy.
"""
import array
import gc
import json
import mmap
import sys

sys.path.insert(0, sys.argv[1])
import migcxx  # noqa: E402
import migshapes  # noqa: E402
import oldchecksum  # noqa: E402

PEP688 = sys.version_info >= (3, 12) and not hasattr(sys, "pypy_version_info")


class Counting(object):
    """A Python exporter (PEP 688) that counts its live exports."""

    def __init__(self, data):
        self.data = bytearray(data)
        self.live = 0

    def __buffer__(self, flags):
        self.live += 1
        return memoryview(self.data)

    def __release_buffer__(self, view):
        self.live -= 1
        view.release()


def released():
    m = memoryview(b"gone")
    m.release()
    return m


# name -> a fresh object.  Texts chosen for the functions' branches: empty,
# one byte, "x..." and "!..." (early returns), long enough for copy();
# each also in a bytearray, whose exports are counted after every call.
CATALOGUE = [
    ("bytes", lambda: b"hello world"),
    ("bytes-empty", lambda: b""),
    ("bytes-1", lambda: b"q"),
    ("bytes-x", lambda: b"xyz"),
    ("bytes-bang", lambda: b"!ab"),
    ("bytearray", lambda: bytearray(b"abcdef")),
    ("bytearray-empty", lambda: bytearray()),
    ("bytearray-1", lambda: bytearray(b"q")),
    ("bytearray-x", lambda: bytearray(b"xyz")),
    ("bytearray-bang", lambda: bytearray(b"!ab")),
    ("memoryview", lambda: memoryview(b"view data")),
    ("memoryview-rw", lambda: memoryview(bytearray(b"rw view"))),
    ("memoryview-strided", lambda: memoryview(b"abcdefgh")[::2]),
    ("array-B", lambda: array.array("B", b"array")),
    ("array-i", lambda: array.array("i", [1, 2, 3])),
    ("mmap", lambda: _mmap(b"mapped bytes")),
    ("str", lambda: "text"),
    ("int", lambda: 42),
    ("none", lambda: None),
]
PYPY = hasattr(sys, "pypy_version_info")
if not PYPY:
    # (PyPy 3.11 7.3 crashes, a while after, once released memoryviews
    # went through its cpyext: with its own functions and with
    # PyObject_GetBuffer alike.)
    CATALOGUE.append(("released", released))
if sys.version_info >= (3, 8):
    CATALOGUE.append(("memoryview-ro", lambda: memoryview(
        bytearray(b"read only")).toreadonly()))
if PEP688:
    CATALOGUE.append(("pep688", lambda: Counting(b"counted")))


def _mmap(data):
    m = mmap.mmap(-1, len(data))
    m.write(data)
    m.seek(0)
    return m


def export_state(obj):
    """None if obj has no export left, else what is wrong."""
    if isinstance(obj, bytearray):
        held = memoryview(obj)
        try:
            obj.append(0)
        except BufferError:
            pass
        else:
            obj.pop()
            held.release()
            return "released once too often"
        held.release()
        try:
            obj.append(0)
            obj.pop()
        except BufferError:
            return "export leaked"
    elif isinstance(obj, memoryview):
        try:
            obj.nbytes
        except ValueError:
            return None   # released before the call (PyPy crashes on a
            #               second release() of one that went through C)
        try:
            obj.release()
        except BufferError:
            return "export leaked"
    elif isinstance(obj, mmap.mmap):
        try:
            obj.close()
        except BufferError:
            return "export leaked"
    elif isinstance(obj, Counting):
        if obj.live != 0:
            return "%d exports live" % obj.live
    return None


def contents(obj):
    """What a mutable argument holds after the call."""
    if isinstance(obj, (bytearray, array.array)):
        return bytes(obj).decode("latin-1")
    if isinstance(obj, Counting):
        return bytes(obj.data).decode("latin-1")
    if isinstance(obj, mmap.mmap):
        return obj[:].decode("latin-1")
    if isinstance(obj, memoryview):
        try:
            if not obj.readonly:
                return obj.tobytes().decode("latin-1")
        except ValueError:   # released
            pass
    return None


def call(func, *args):
    try:
        result = func(*args)
    except Exception as e:  # noqa: B902 - every exception is an outcome
        return ["raise", type(e).__name__, str(e)]
    if isinstance(result, bytes):
        result = result.decode("latin-1")
    return ["return", result]


def raising():
    raise KeyError("from the callback")


# (label, function, argument makers): each maker takes a fresh catalogue
# object (or ignores it).
def cases():
    for name, make in CATALOGUE:
        def obj(make=make):
            return make()
        yield name, [
            ("oldchecksum.adler32", oldchecksum.adler32, [obj]),
            ("oldchecksum.adler32+v", oldchecksum.adler32,
             [obj, lambda: 12345]),
            ("oldchecksum.xor_inplace/target", oldchecksum.xor_inplace,
             [obj, lambda: b"k3y"]),
            ("oldchecksum.xor_inplace/key", oldchecksum.xor_inplace,
             [lambda: bytearray(b"secret"), obj]),
            ("oldchecksum.count/data", oldchecksum.count,
             [obj, lambda: b"le"]),
            ("oldchecksum.count/chars", oldchecksum.count,
             [lambda: b"hello", obj]),
            ("oldchecksum.is_buffer", oldchecksum.is_buffer, [obj]),
            ("migshapes.sum", migshapes.sum, [obj]),
            ("migshapes.first", migshapes.first, [obj]),
            ("migshapes.copy", migshapes.copy, [obj]),
            ("migshapes.reverse", migshapes.reverse, [obj]),
            ("migshapes.join3/a", migshapes.join3,
             [obj, lambda: b"hello world", lambda: b"!"]),
            ("migshapes.join3/b", migshapes.join3,
             [lambda: b"abc", obj, lambda: b"!"]),
            ("migshapes.join3/c", migshapes.join3,
             [lambda: b"ab", lambda: b"cd", obj]),
            ("migshapes.nested/-1", migshapes.nested, [obj, lambda: -1]),
            ("migshapes.nested/0", migshapes.nested, [obj, lambda: 0]),
            ("migshapes.nested/2", migshapes.nested, [obj, lambda: 2]),
            ("migshapes.nested/99", migshapes.nested, [obj, lambda: 99]),
            ("migshapes.lengths", migshapes.lengths,
             [lambda: [b"ab", b"", b"cde"]]),
            ("migshapes.fill/65", migshapes.fill, [obj, lambda: 65]),
            ("migshapes.fill/300", migshapes.fill, [obj, lambda: 300]),
            ("migshapes.callback", migshapes.callback,
             [obj, lambda: (lambda: None)]),
            ("migshapes.callback/raise", migshapes.callback,
             [obj, lambda: raising]),
            ("migshapes.first_or", migshapes.first_or, [obj]),
            ("migshapes.is_buffer", migshapes.is_buffer, [obj]),
            ("migcxx.sum", migcxx.sum, [obj]),
            ("migcxx.startswith/a", migcxx.startswith,
             [obj, lambda: b"he"]),
            ("migcxx.startswith/b", migcxx.startswith,
             [lambda: b"hello", obj]),
            ("migcxx.upper", migcxx.upper, [obj]),
            ("migcxx.is_buffer", migcxx.is_buffer, [obj]),
        ]


def sequences():
    """Calls whose argument is a sequence of catalogue objects."""
    return [
        ("migshapes.lengths/catalogue", migshapes.lengths),
        ("migshapes.count_buffers/catalogue", migshapes.count_buffers),
    ]


def one_round(record):
    for name, calls in cases():
        for label, func, makers in calls:
            args = [m() for m in makers]
            outcome = call(func, *args)
            outcome.append([contents(a) for a in args])
            problems = [p for p in map(export_state, args) if p]
            record(label + " " + name, outcome, problems)
    for label, func in sequences():
        # Each item alone (the loop exits early on "!", errors on others).
        for name, make in CATALOGUE:
            objs = [b"ab", make(), b"cd"]
            outcome = call(func, objs)
            problems = [p for p in map(export_state, objs) if p]
            record(label + " " + name, outcome, problems)


def resize_during_call():
    """The callback grows the bytearray while the C function holds its
    pointer: with the old calls the export is already released (the
    pointer dangles, unused here); with Py_buffer it is held."""
    target = bytearray(b"0123456789")

    def grow():
        target.extend(b"x" * 4096)
    outcome = call(migshapes.callback, target, grow)
    outcome.append(len(target))
    return outcome


def main():
    calls, exports = [], []

    def record(label, outcome, problems):
        calls.append([label, outcome])
        for p in problems:
            exports.append("%s: %s" % (label, p))

    one_round(record)
    refdelta = None
    if hasattr(sys, "gettotalrefcount"):
        def quiet(label, outcome, problems):
            pass
        for _ in range(2):
            one_round(quiet)

        def measure(round_):
            gc.collect()
            before = sys.gettotalrefcount()
            round_(quiet)
            gc.collect()
            return sys.gettotalrefcount() - before

        # What the measure itself costs (3.14d: 2), taken off each round.
        base = min(measure(lambda record: None) for _ in range(3))
        refdelta = [measure(one_round) - base for _ in range(5)]
    print(json.dumps({"calls": calls, "exports": exports,
                      "resize": resize_during_call(),
                      "refdelta": refdelta}, sort_keys=True))


if __name__ == "__main__":
    main()
