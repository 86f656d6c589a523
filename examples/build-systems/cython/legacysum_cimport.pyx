"""legacysum in Cython, with oldbuffer's Cython declarations."""
from oldbuffer cimport (OLDBUFFER_VERSION_HEX, PyObject_AsReadBuffer,
                        PyObject_AsWriteBuffer)

include "legacysum_body.pxi"


def oldbuffer_version():
    # The version of the oldbuffer.h this module's C was compiled with.
    return OLDBUFFER_VERSION_HEX
