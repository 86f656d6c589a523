"""Build the `oldbuffer` Python package: oldbuffer's headers for build systems.

    python3 -m pip install --no-build-isolation .    (offline: uses the
                                                      installed setuptools)
    python3 -m pip wheel --no-build-isolation --no-deps -w dist .

The package (python/oldbuffer/) is pure Python; the headers it serves
(every include/*.h: oldbuffer.h and the ones it includes) are copied from
include/ at build time, so git holds one copy.  Its version is
oldbuffer.h's OLDBUFFER_VERSION_*.  Works with setuptools 40.8
and later (Debian's python3-setuptools, or the one in a pyenv Python).
"""
import glob
import os
import re

from setuptools import setup
from setuptools.command.build_py import build_py

HEADER = os.path.join("include", "oldbuffer.h")
HEADERS = sorted(glob.glob(os.path.join("include", "*.h")))


def header_version():
    with open(HEADER) as f:
        text = f.read()
    return ".".join(re.search(r"#define OLDBUFFER_VERSION_%s (\d+)" % part,
                              text).group(1)
                    for part in ("MAJOR", "MINOR", "PATCH"))


class build_py_with_header(build_py):
    """build_py, plus every include/*.h into oldbuffer/include/."""

    def run(self):
        build_py.run(self)
        dest = os.path.join(self.build_lib, "oldbuffer", "include")
        self.mkpath(dest)
        for header in HEADERS:
            self.copy_file(header, dest)

    def get_outputs(self, include_bytecode=1):
        return build_py.get_outputs(self, include_bytecode) + [
            os.path.join(self.build_lib, "oldbuffer", "include",
                         os.path.basename(header)) for header in HEADERS]


setup(
    name="oldbuffer",
    version=header_version(),
    description="The Python 2 old buffer protocol (PyObject_AsReadBuffer "
                "& co.) for C extensions on CPython 2.7, 3.6-3.15 and "
                "PyPy 3: one header, and get_include() to find it",
    license="0BSD",
    packages=["oldbuffer"],
    package_dir={"": "python"},
    package_data={"oldbuffer": ["__init__.pxd"]},
    cmdclass={"build_py": build_py_with_header},
    zip_safe=False,
    classifiers=[
        "License :: OSI Approved :: BSD License",
        "Programming Language :: C",
        "Programming Language :: Cython",
        "Programming Language :: Python :: 3",
        "Topic :: Software Development :: Build Tools",
    ],
)
