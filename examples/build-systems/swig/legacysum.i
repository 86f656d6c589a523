/* legacysum wrapped by SWIG, with SWIG's own buffer typemaps.
 *
 * pybuffer.i converts a Python object to (pointer, size) with the old
 * calls -- PyObject_AsReadBuffer / PyObject_AsWriteBuffer -- when
 * SWIG_PYTHON_OLD_BUFFER_PROTOCOL is defined (it defines it itself under
 * Py_LIMITED_API < 3.11).  CPython 3.13 removed those calls; with
 * -include oldbuffer.h (`python3 -m oldbuffer --cflags`) the wrapper
 * compiles unchanged, with or without Py_LIMITED_API >= 3.11.  See
 * Makefile.
 */
%module legacysum

%{
#include "legacysum.h"
%}

%include "pybuffer.i"
%pybuffer_binary(const char *data, size_t size);
%pybuffer_mutable_binary(char *data, size_t size);

%rename(checksum) legacysum_checksum;
%rename(fill) legacysum_fill;
%rename(oldbuffer_version) legacysum_oldbuffer_version;
%include "legacysum.h"
