"""legacysum in Cython, two ways (both built with cythonize):

  legacysum_cimport  the recommended way: `from oldbuffer cimport ...`
                     (the oldbuffer package's __init__.pxd, found on
                     sys.path; it includes oldbuffer.h itself)
  legacysum_extern   zero change for Cython code that declares the old
                     calls itself in `cdef extern from "Python.h"`: the
                     generated C is compiled with -include oldbuffer.h

    python3 -m pip install oldbuffer Cython
    python3 setup.py build_ext --inplace

Both call the plain-C core of ../legacysum.c, built with
-DLEGACYSUM_NO_MODULE (Cython provides the module).
"""
import os

from Cython.Build import cythonize
from setuptools import Extension, setup

import oldbuffer

HERE = os.path.dirname(os.path.abspath(__file__))
SHARED = os.path.dirname(HERE)


def legacysum_extension(name, extra_compile_args=()):
    return Extension(
        name,
        # An absolute path keeps the shared source's object file inside
        # build_temp.
        sources=[name + ".pyx", os.path.join(SHARED, "legacysum.c")],
        include_dirs=[SHARED, oldbuffer.get_include()],
        define_macros=[("LEGACYSUM_NO_MODULE", None)],
        extra_compile_args=list(extra_compile_args),
    )


setup(
    name="legacysum-cython",
    version="1.0",
    ext_modules=cythonize(
        [legacysum_extension("legacysum_cimport"),
         legacysum_extension("legacysum_extern",
                             ["-include", "oldbuffer.h"])],
        compiler_directives={"language_level": 3}),
)
