/* Python.h alone: tests/suites/suite_compile.py compiles this first with the
 * same flags as compile_check.c, to tell a warning of Python's own
 * headers (the combination is then not applicable, or not -pedantic)
 * from one of oldbuffer.h. */
#include <Python.h>
int oldbuffer_baseline(void);
int
oldbuffer_baseline(void)
{
    return 0;
}
