# oldbuffer -- make targets.  The product is the headers of include/
# (oldbuffer.h, and oldbuffer_lifetime.h, which it includes for the
# lifetime-safe mode); everything here builds or checks things around them.
#
#   make example   build and run the example legacy extension on the
#                  newest interpreter present (README's first command)
#   make check     the whole test matrix on every interpreter
#                  (README's second command; .ci/run calls it)

PYTHON ?= python3

.PHONY: all example check deps clean

all: example

example:
	sh examples/run-example.sh

# The host packages the suites use (compilers, valgrind, cmake, ...):
# installed when missing, if we are root; the sid chroot's come with it.
deps:
	@if [ "$$(id -u)" = 0 ]; then sh tools/install-deps.sh; \
	else echo "make deps: not root; run tools/install-deps.sh as root" \
		"if a suite reports a missing tool"; fi

check: deps
	$(PYTHON) tests/runtests.py

# make scanner: build/oldbuffer-scan, the migration scanner (C99, no deps).
.PHONY: scanner
scanner: build/oldbuffer-scan
build/oldbuffer-scan: tools/oldbuffer-scan.c
	mkdir -p build
	$(CC) -std=c99 -O2 -Wall -Wextra -Werror -Wconversion -o $@ tools/oldbuffer-scan.c

# make migrate DIR=src/: rewrite the old-buffer calls under DIR to
# Py_buffer, in place (tools/oldbuffer-migrate, Coccinelle's spatch; see
# README, "Getting off the old API").  Review with `git diff`; DRY_RUN=1
# prints the diff instead of writing.
.PHONY: migrate
DIR ?=
migrate:
	@if [ -z "$(DIR)" ]; then echo "usage: make migrate DIR=path" >&2; exit 2; fi
	$(PYTHON) tools/oldbuffer-migrate $(if $(DRY_RUN),--dry-run) $(DIR)

# make bench: ns/call of the four calls, native vs OldBuffer_* vs the
# direct code, on one object and on 16 in turn, then the audit and
# lifetime-safe modes against the default: Markdown tables per
# interpreter and the targets that hold (bench/run.py).
#   make bench                          3.12, 3.13 (pyenv) and 3.14 (sid)
#   make bench BENCH_ONLY="3.11 3.15-sid"   interpreters by tag prefix
.PHONY: bench
BENCH_ONLY ?=
bench:
	$(PYTHON) bench/run.py $(foreach p,$(BENCH_ONLY),--only $(p))

# make bench-scanner: oldbuffer-scan's time on long lines (N uses on one
# line, N = 10k to 1M; 10 MB single lines; many include-order reports),
# text and --json (bench/scanner.py).  Figures only, not a test.
.PHONY: bench-scanner
bench-scanner: build/oldbuffer-scan
	$(PYTHON) bench/scanner.py

# make fuzz: the differential fuzzer (fuzz/fuzz_oldbuffer.c; libFuzzer,
# ASan, UBSan) for FUZZ_TIME seconds on FUZZ_PYTHON, a shared-library
# CPython 3.12+ (default: pyenv's newest 3.12/3.13).  New inputs go to
# build/fuzz/corpus, a crash to build/fuzz/crash-*.  A long run:
#   make fuzz FUZZ_TIME=28800 FUZZ_JOBS=2
.PHONY: fuzz
FUZZ_PYTHON ?= $(lastword $(sort $(wildcard \
	$(HOME)/.pyenv/versions/3.1[23].*/bin/python)))
FUZZ_TIME ?= 3600
FUZZ_JOBS ?= 1
fuzz:
	sh fuzz/build.sh $(FUZZ_PYTHON) build/fuzz
	mkdir -p build/fuzz/corpus
	cd build/fuzz && ./fuzz_oldbuffer -max_total_time=$(FUZZ_TIME) \
		$(if $(filter-out 1,$(FUZZ_JOBS)),-jobs=$(FUZZ_JOBS) -workers=$(FUZZ_JOBS)) \
		-print_final_stats=1 \
		-artifact_prefix=./ corpus ../../fuzz/corpus

clean:
	rm -rf build

# ---------------------------------------------------------------------
# Installing for build systems (examples/build-systems/)
#
#   make install [PREFIX=/usr/local] [DESTDIR=staging dir]
#       $(INCLUDEDIR)/: every include/*.h, and oldbuffer.pxd (Cython)
#       $(DATADIR)/pkgconfig/oldbuffer.pc            (pkg-config, Meson)
#       $(DATADIR)/cmake/oldbuffer/oldbufferConfig*.cmake
#                                   (find_package(oldbuffer CONFIG))
#     The .pc and CMake files are architecture-independent: share/, as
#     pybind11 does.
#   make uninstall    the same variables
#   make wheel        the `oldbuffer` Python package (get_include()) in
#                     build/dist, offline with the installed setuptools
PREFIX ?= /usr/local
INCLUDEDIR ?= $(PREFIX)/include
DATADIR ?= $(PREFIX)/share
OB_CMAKEDIR = $(DATADIR)/cmake/oldbuffer
# Every header: oldbuffer.h includes the others itself, from its own
# directory, so they are installed side by side.
OB_HEADERS = $(notdir $(wildcard include/*.h))
OB_VERSION_PART = $(shell sed -n \
	's/^.define OLDBUFFER_VERSION_$(1) *\([0-9][0-9]*\).*/\1/p' \
	include/oldbuffer.h)
OB_SUBST = sed -e 's|@PREFIX@|$(PREFIX)|g' \
	-e 's|@INCLUDEDIR@|$(INCLUDEDIR)|g' \
	-e 's|@HEADERS@|$(OB_HEADERS)|g' \
	-e 's|@VERSION_MAJOR@|$(call OB_VERSION_PART,MAJOR)|g' \
	-e 's|@VERSION_MINOR@|$(call OB_VERSION_PART,MINOR)|g' \
	-e 's|@VERSION@|$(call OB_VERSION_PART,MAJOR).$(call \
	OB_VERSION_PART,MINOR).$(call OB_VERSION_PART,PATCH)|g'

.PHONY: install uninstall wheel
install:
	install -d $(DESTDIR)$(INCLUDEDIR) $(DESTDIR)$(DATADIR)/pkgconfig \
		$(DESTDIR)$(OB_CMAKEDIR)
	install -m 644 $(addprefix include/,$(OB_HEADERS)) $(DESTDIR)$(INCLUDEDIR)/
	install -m 644 python/oldbuffer/__init__.pxd \
		$(DESTDIR)$(INCLUDEDIR)/oldbuffer.pxd
	$(OB_SUBST) oldbuffer.pc.in >$(DESTDIR)$(DATADIR)/pkgconfig/oldbuffer.pc
	$(OB_SUBST) cmake/oldbufferConfig.cmake.in \
		>$(DESTDIR)$(OB_CMAKEDIR)/oldbufferConfig.cmake
	$(OB_SUBST) cmake/oldbufferConfigVersion.cmake.in \
		>$(DESTDIR)$(OB_CMAKEDIR)/oldbufferConfigVersion.cmake

uninstall:
	rm -f $(addprefix $(DESTDIR)$(INCLUDEDIR)/,$(OB_HEADERS)) \
		$(DESTDIR)$(INCLUDEDIR)/oldbuffer.pxd \
		$(DESTDIR)$(DATADIR)/pkgconfig/oldbuffer.pc \
		$(DESTDIR)$(OB_CMAKEDIR)/oldbufferConfig.cmake \
		$(DESTDIR)$(OB_CMAKEDIR)/oldbufferConfigVersion.cmake
	-rmdir $(DESTDIR)$(OB_CMAKEDIR)

# Building a wheel offline needs setuptools and `wheel` in that Python
# (setuptools 70.1+ alone will do): Debian's python3 has both.
WHEEL_PYTHON ?= /usr/bin/python3
wheel:
	$(WHEEL_PYTHON) -m pip wheel --no-build-isolation --no-deps --no-index \
		-w build/dist .
