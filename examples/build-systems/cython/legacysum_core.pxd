# The plain-C core of ../legacysum.c (see ../legacysum.h).
cdef extern from "legacysum.h":
    unsigned long legacysum_checksum(const char *data, size_t size)
    void legacysum_fill(char *data, size_t size, int byte)
    long legacysum_oldbuffer_version()
