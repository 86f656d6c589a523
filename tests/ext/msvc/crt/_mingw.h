/* The C runtime headers of the MSVC-mode compile test are Debian's
 * mingw-w64 ones (/usr/x86_64-w64-mingw32/include), which all read
 * <_mingw.h> first.  Its branch for a compiler that is not GCC does two
 * things that Microsoft's own CRT headers do not, and this wrapper (found
 * first on the include path) reads the real file and undoes them:
 *
 * - it defines __attribute__(x) to nothing, which would silently empty
 *   every GNU attribute of Python's headers and of oldbuffer.h when clang
 *   (which defines _MSC_VER and __clang__ in this mode) takes their
 *   __clang__ branches: MSVC's headers leave __attribute__ alone;
 * - it puts __declspec(noreturn), __declspec(deprecated) and (C++)
 *   __declspec(nothrow) after the declarator (void exit(int)
 *   __declspec(noreturn);), which MSVC itself rejects, and so does
 *   clang: those three are emptied.  They only add
 *   diagnostics and hints to the CRT's own declarations; nothing of
 *   Python's headers or oldbuffer.h depends on them. */
#include_next <_mingw.h>
#undef __attribute__
#undef __MINGW_ATTRIB_NORETURN
#define __MINGW_ATTRIB_NORETURN
#undef __MINGW_ATTRIB_DEPRECATED
#define __MINGW_ATTRIB_DEPRECATED
#undef __MINGW_NOTHROW
#define __MINGW_NOTHROW
