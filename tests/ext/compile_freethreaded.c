/* Free-threaded builds as the header sees them: tests/suites/suite_compile.py
 * compiles this with headers whose pyconfig.h defines Py_GIL_DISABLED (a
 * free-threaded build's, or 3.15's abi3t), with and without each mode,
 * -Wall -Wextra -Werror -Wconversion.  It checks that the free-threaded
 * branches are taken, then makes the four calls through the legacy
 * names (function-like macros under the audit). */
#include "oldbuffer.h"

#if !defined(Py_GIL_DISABLED)
#  error "Py_GIL_DISABLED is not defined: not a free-threaded build's headers"
#endif

/* The bytearray fast path is off (free-threaded builds lock a bytearray
 * to export it): its test is the constant 0, not PyByteArray_CheckExact,
 * which is no constant and makes this array size an error. */
#if defined(OLDBUFFER_FAST_PATHS)
typedef char oldbuffer_no_bytearray_fast_path[
    OLDBUFFER_IS_BYTEARRAY(OLDBUFFER_NULL) ? -1 : 1];
#endif

#define LEGACY_CALLS_NAME freethreaded_total
#include "legacy_calls.h"
