"""legacysum built by setuptools, with oldbuffer found the numpy way.

    python3 -m pip install oldbuffer        (or: make wheel, then install it)
    python3 setup.py build_ext --inplace

The legacy source (../legacysum.c) is unchanged: oldbuffer.h is added to
it with -include, and get_include() tells the compiler where it is.
"""
import os

from setuptools import Extension, setup

import oldbuffer

HERE = os.path.dirname(os.path.abspath(__file__))
SHARED = os.path.dirname(HERE)

setup(
    name="legacysum",
    version="1.0",
    ext_modules=[Extension(
        "legacysum",
        # The one source every route builds, outside this directory: an
        # absolute path keeps the object file inside build_temp.
        sources=[os.path.join(SHARED, "legacysum.c")],
        include_dirs=[SHARED, oldbuffer.get_include()],
        extra_compile_args=["-include", "oldbuffer.h"],
    )],
)
