/* legacysum.h -- the plain-C core of the legacysum example.
 *
 * Every route under examples/build-systems/ builds legacysum.c.  Most of
 * them build it as a complete extension module; the Cython and SWIG
 * routes write their own module and call these functions, so legacysum.c
 * is then compiled with -DLEGACYSUM_NO_MODULE.
 */
#ifndef LEGACYSUM_H
#define LEGACYSUM_H

#include <stddef.h>

/* The sum of the bytes of data[0:size], modulo 2**32. */
unsigned long legacysum_checksum(const char *data, size_t size);

/* Set every byte of data[0:size] to byte (taken modulo 256). */
void legacysum_fill(char *data, size_t size, int byte);

/* OLDBUFFER_VERSION_HEX when this file was compiled with oldbuffer.h,
 * else 0: lets the tests prove the build system really added the header. */
long legacysum_oldbuffer_version(void);

#endif /* LEGACYSUM_H */
