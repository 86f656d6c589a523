# oldbuffer -- make targets.  The product is include/oldbuffer.h alone;
# everything here builds or checks things around it.
#
#   make example   build and run the example legacy extension on the
#                  newest interpreter present (README's first command)
#   make check     the whole test matrix on every interpreter
#                  (README's second command; .ci/run calls it)

PYTHON ?= python3

.PHONY: all example check clean

all: example

example:
	sh examples/run-example.sh

check:
	$(PYTHON) tests/runtests.py

# make scanner: build/oldbuffer-scan, the migration scanner (C99, no deps).
.PHONY: scanner
scanner: build/oldbuffer-scan
build/oldbuffer-scan: tools/oldbuffer-scan.c
	mkdir -p build
	$(CC) -std=c99 -O2 -Wall -Wextra -Werror -Wconversion -o $@ tools/oldbuffer-scan.c

clean:
	rm -rf build
