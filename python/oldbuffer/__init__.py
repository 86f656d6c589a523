"""oldbuffer: where oldbuffer.h is, for build systems.

oldbuffer.h brings the Python 2 "old buffer protocol" calls
(PyObject_AsCharBuffer, PyObject_AsReadBuffer, PyObject_AsWriteBuffer,
PyObject_CheckReadBuffer) back to C extensions on CPython 3.13+, and gives
them one behaviour on CPython 2.7, 3.6+ and PyPy 3.  This package only
carries the header, like numpy.get_include() and pybind11.get_include():

    import oldbuffer
    Extension("legacy", ["legacy.c"],
              include_dirs=[oldbuffer.get_include()],
              extra_compile_args=["-include", "oldbuffer.h"])

On the command line (pybind11's convention: the -I flags include Python's
own headers, which oldbuffer.h includes), through a shell that reads the
quotes a path may need (see python -m oldbuffer --help):

    eval "cc $(python3 -m oldbuffer --cflags) ..."   # -I... -include ...
    eval "cc $(python3 -m oldbuffer --includes) ..." # -I... only

Cython: `from oldbuffer cimport PyObject_AsReadBuffer` (this package
ships __init__.pxd; Cython finds it on sys.path).
"""
import os
import re

_HERE = os.path.dirname(os.path.abspath(__file__))


def _header_dir():
    # An installed package carries the headers in include/ (setup.py
    # copies every include/*.h there at build time).  A source checkout -- PYTHONPATH=python, or
    # an editable install -- has only the repository's include/.
    candidates = (os.path.join(_HERE, "include"),
                  os.path.join(os.path.dirname(os.path.dirname(_HERE)),
                               "include"))
    for d in candidates:
        if os.path.isfile(os.path.join(d, "oldbuffer.h")):
            return d
    raise RuntimeError("oldbuffer.h is missing from %s: reinstall the "
                       "oldbuffer package" % candidates[0])


def get_include():
    """The directory holding oldbuffer.h and the headers it includes
    (for -I / include_dirs)."""
    return _header_dir()


class LegacyBufferWarning(RuntimeWarning):
    """A legacy buffer call handed out a pointer that its exporter can
    invalidate once the call returns (a bytearray resized, an mmap
    closed, a memoryview released).

    Issued by extensions compiled with OLDBUFFER_AUDIT, once per call
    site, with the site as the warning's filename and line.  The fix:
    keep a Py_buffer (PyObject_GetBuffer ... PyBuffer_Release) for as
    long as the pointer is used.  Filterable like any warning, e.g.
    python -W error::oldbuffer.LegacyBufferWarning.
    """


def _read_version():
    with open(os.path.join(_header_dir(), "oldbuffer.h")) as f:
        text = f.read()
    parts = [re.search(r"#define OLDBUFFER_VERSION_%s (\d+)" % p,
                       text).group(1) for p in ("MAJOR", "MINOR", "PATCH")]
    return ".".join(parts)


# The header's own OLDBUFFER_VERSION_*: one version, kept in one place.
__version__ = _read_version()
