/* clang's <intrin.h>, which CPython's pyatomic_msc.h reads under MSVC,
 * declares _setjmp(jmp_buf) as Microsoft's <setjmp.h> does; mingw-w64's
 * <setjmp.h> gives it a second parameter, and the two declarations
 * conflict.  Nothing in the MSVC-mode compile test calls setjmp: the
 * mingw-w64 declaration is renamed out of the way, leaving only the MSVC
 * one.  (See _mingw.h here for why this directory exists.) */
#define _setjmp oldbuffer_test_mingw_setjmp_
#include_next <setjmp.h>
#undef _setjmp
