"""The objects of fuzz/fuzz_oldbuffer.c: one per fuzz input.

build(kind, params) turns the bytes of an input into an object for the
four calls; settle(obj) proves, once the calls are done, that no export
of it is left (a leaked export makes resizing or releasing fail).
Building in Python keeps the C target small and makes new kinds cheap;
what is fuzzed is the C side, which makes every call.

Any exception from build() just means "no object for this input".
"""
import array
import gc
import io
import mmap
import pickle
import sys

import _fuzzexporter as fx

# The modes of the tests' Exporter (tests/ext/exporter.h, EXP_*).  The
# last, SET_EXC_RELEASE_CLEARS, is never behind a memoryview: memoryview()
# fails on the exception it leaves set, and dropping the new view runs the
# release that clears that exception while CPython is still raising it
# (_Py_CheckFunctionResult then reads a NULL exception: CPython's crash).
EXPORTER_MODES = 12
SET_EXC_RELEASE_CLEARS = 11
RAISE_TYPE, RELEASE_CALLS = 7, 10

TYPECODES = "bBhHiIlLqQfd"


class ExporterError(LookupError):
    pass


class ExporterAbort(BaseException):
    pass


class BadInit(Exception):
    # Creating the exception fails: what is set instead is the KeyError.
    def __init__(self, *args):
        raise KeyError("BadInit cannot be created")


# (Not an exception whose str() raises: the outcome is described by that
# str(), as in the tests, and oldbuffer never formats exceptions.)
EXCEPTION_TYPES = (ExporterError, ExporterAbort, BadInit, BufferError,
                   MemoryError, StopIteration)


class BytesSub(bytes):
    pass


# PEP 688 (3.12): Python classes that export through __buffer__.  The
# subclasses of bytes and bytearray export something other than their
# own storage, which oldbuffer's fast paths must not read.
class PyExporter(object):
    def __init__(self, mode, data):
        self.mode, self.data = mode, data

    def __buffer__(self, flags):
        mode = self.mode
        if mode == 1:
            raise OSError("no buffer today")
        if mode == 2:
            return bytes(self.data)        # not a memoryview: TypeError
        view = memoryview(bytearray(self.data) if mode == 3 else self.data)
        if mode == 4:
            return view[::2]               # not contiguous
        if mode == 5:
            view.release()
        return view

    def __release_buffer__(self, view):
        if self.mode == 6:
            raise ExporterError("raised by __release_buffer__")


class BytesBuffer(bytes):
    def __buffer__(self, flags):
        return memoryview(b"not my bytes")


class BytearrayBuffer(bytearray):
    def __buffer__(self, flags):
        return memoryview(bytearray(b"not my bytearray"))


def unraisable(args):
    # __release_buffer__ errors go here (PyErr_WriteUnraisable): for both
    # implementations alike, and too many to print.
    pass


sys.unraisablehook = unraisable


class Reader(object):
    """Reads an input from the front; past its end, every byte is 0."""

    def __init__(self, data):
        self.data = data
        self.pos = 0

    def byte(self):
        if self.pos >= len(self.data):
            return 0
        self.pos += 1
        return self.data[self.pos - 1]

    def rest(self):
        data, self.pos = self.data[self.pos:], len(self.data)
        return data


def sliced(view, r):
    start, stop, step = r.byte() % 9, r.byte() % 33, r.byte() % 5
    if step:
        return view[start:stop:(step if step < 4 else -1)]
    return view


def hook_noop(e):
    return None


def hook_raises(e):
    raise ExporterError("raised by the release hook")


def hook_reenters(e):
    # Re-enters oldbuffer (C, OldBuffer_AsReadBuffer) on the exporter
    # being released; the exporter stops the recursion one level down.
    fx.read(e)


def hook_collects(e):
    gc.collect()


HOOKS = (hook_noop, hook_raises, hook_reenters, hook_collects)


def exporter(r, modes=EXPORTER_MODES):
    mode = r.byte() % modes
    arg = None
    if mode == RAISE_TYPE:
        arg = EXCEPTION_TYPES[r.byte() % len(EXCEPTION_TYPES)]
    elif mode == RELEASE_CALLS:
        arg = HOOKS[r.byte() % len(HOOKS)]
    # The Exporter takes its data (16 bytes at most) as a str without NUL:
    # characters 1-127 keep the input's length, which is what matters.
    data = "".join(chr(b % 127 + 1) for b in r.rest()[:16])
    if arg is None:
        return fx.Exporter(mode, data)
    return fx.Exporter(mode, data, arg)


def memoryview_of(base, r):
    flags = r.byte()
    view = sliced(memoryview(base), r)
    if flags & 1:
        view = view.toreadonly()
    if flags & 2:
        fmt = "BbcHi"[(flags >> 2) % 5]
        view = view.cast(fmt)
    if flags & 32 and view.format == "B" and len(view) % 2 == 0:
        view = view.cast("B", [2, len(view) // 2])
    if flags & 64:
        view.release()
    return view


def typed_array(r):
    code = TYPECODES[r.byte() % len(TYPECODES)]
    a = array.array(code)
    data = r.rest()
    a.frombytes(data[:len(data) - len(data) % a.itemsize])
    return a


def shaped(params):
    """(a Reader of the 4 bytes that shape a memoryview, the contents)."""
    return Reader(params[:4]), params[4:]


def build(kind, params):
    """(object, readable): readable says that the object's exports are
    real memory of the length they state, so the fuzzer may read it all
    (not so for a misbehaving exporter)."""
    r = Reader(params)
    kind %= 18
    if kind == 0:
        return bytes(params), True
    if kind == 1:
        return bytearray(params), True
    if kind == 2:
        shape, data = shaped(params)
        return memoryview_of(bytes(data), shape), True
    if kind == 3:
        shape, data = shaped(params)
        return memoryview_of(bytearray(data), shape), True
    if kind == 4:
        return typed_array(r), True
    if kind == 5:
        return params.decode("latin-1"), True
    if kind == 6:
        return int.from_bytes(params, "little", signed=True), True
    if kind == 7:
        return exporter(r), False
    if kind == 8:
        # A memoryview over a (possibly hostile) exporter.
        shape, data = shaped(params)
        return memoryview_of(exporter(Reader(data), SET_EXC_RELEASE_CLEARS),
                             shape), False
    if kind == 9:
        return BytesSub(params), True
    if kind == 10:
        data = bytearray(params) if params[:1] == b"w" else bytes(params)
        return pickle.PickleBuffer(data), True
    if kind == 11:
        return io.BytesIO(params).getbuffer(), True
    if kind == 12:
        m = mmap.mmap(-1, max(1, len(params)))
        m.write(params)
        return m, True
    if kind == 13:
        shape, data = shaped(params)
        return memoryview_of(typed_array(Reader(data)), shape), True
    if kind == 14:
        return (None, 1.5, [], (), object(), bytes)[r.byte() % 6], True
    if kind == 16:
        # (Mode 3 exports a fresh bytearray, freed when the call returns.)
        mode = r.byte() % 7
        return PyExporter(mode, r.rest()), mode != 3
    if kind == 17:
        cls = BytesBuffer if r.byte() % 2 else BytearrayBuffer
        return cls(r.rest()), cls is BytesBuffer
    shape, data = shaped(params)
    m = mmap.mmap(-1, max(1, len(data)))
    m.write(data)
    return memoryview_of(m, shape), True


def settle(obj):
    """Raise if an export of obj (or of what it views) is still alive."""
    base = None
    if isinstance(obj, memoryview) and not _released(obj):
        base = obj.obj
        if isinstance(base, fx.Exporter):
            # Its release hook may raise, and CPython may notice that only
            # some instructions later: fx.release() clears all but the
            # BufferError of a view still exported.
            fx.release(obj)
        else:
            obj.release()      # BufferError while exported
    if isinstance(obj, pickle.PickleBuffer):
        obj.release()
    for o in (obj, base):
        if isinstance(o, (bytearray, array.array)):
            resize(o)
        elif isinstance(o, mmap.mmap):
            o.close()          # BufferError while exported
        elif isinstance(o, fx.Exporter) and o.exports() != 0:
            raise AssertionError("%d exports left" % o.exports())


def _released(view):
    try:
        view.obj
    except ValueError:
        return True
    return False


def resize(obj):
    # bytearray and array.array refuse to resize while exported.
    obj.append(obj[0] if len(obj) else 0)
    obj.pop()
