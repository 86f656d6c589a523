/* oldbuffer-scan -- find every use of the Python 2 old buffer API in C,
 * C++, Cython and SWIG sources, and say how to migrate each one.
 *
 *   oldbuffer-scan [--json] [PATH ...]        (default PATH: .)
 *
 * Part of the oldbuffer project (include/oldbuffer.h).  C99, no
 * dependencies: build it with `make scanner` or
 *
 *   cc -std=c99 -O2 -o oldbuffer-scan tools/oldbuffer-scan.c
 *
 * What it finds: the whole identifiers of the old API (the table `names`
 * below) in code -- never in comments or string/char literals, so a
 * project's own documentation of its migration does not count.  The
 * lexers are small and deliberately forgiving: they only need to know
 * where comments and literals start and end, so an unterminated literal
 * simply ends at the end of its line.
 *
 *   C, C++  .c .h .cc .cpp .cxx .hpp .hh .hxx
 *           comments, strings and char literals with escapes and
 *           prefixes (L u U u8), raw strings R"delim(...)delim", numbers
 *           with digit separators (1'000).  Code inside `#if 0` counts:
 *           it is still source someone may re-enable.
 *   Cython  .pyx .pxd .pxi
 *           # comments, '...' "..." and triple-quoted strings with
 *           prefixes (r b u f c).  The verbatim C string that may open a
 *           `cdef extern from ...:` block is code and is scanned as C.
 *   SWIG    .i .swg
 *           scanned as C (typemap bodies are C); a %{ ... %} block ends
 *           at the first %} as SWIG ends it, and is scanned as Python
 *           after %pythoncode, %pythonbegin, %pythonprepend,
 *           %pythonappend and %shadow.
 *
 * One more report, of kind include-order, for C, C++ and SWIG files:
 * a `#define PY_SSIZE_T_CLEAN` or `#define Py_LIMITED_API` directive in
 * a file that uses the old API and does not #include "oldbuffer.h"
 * itself.  Built with `-include oldbuffer.h`, such a file gets Python.h
 * from the header before that line, so the macro is ignored: before
 * CPython 3.13 the # formats of PyArg_ParseTuple then break.  These
 * reports come after the file's uses, since they depend on all of it.
 *
 * Directories are walked recursively in byte order of their entries
 * (deterministic output); `.git` and symbolic links met while walking are
 * skipped (as `grep -r` does), and so are FIFOs, devices and sockets met
 * while walking.  Paths named on the command line are always scanned, a
 * file of another extension as C, and a FIFO or other stream (/dev/stdin)
 * is read until its end.
 *
 * Output: one line per use, `file:line:column: kind: name: fix`, line and
 * column counted from 1, the column in characters (UTF-8), a tab counting
 * as one; or with --json one JSON array of {file, line, column, kind,
 * name, fix}.  A summary goes to stderr.  Exit status: 0 nothing found,
 * 1 uses found, 2 usage or I/O error (that one wins).
 */

/* POSIX.1-2008 for strdup, lstat and the directory calls, under -std=c99. */
#define _POSIX_C_SOURCE 200809L

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#define PROG "oldbuffer-scan"

#define EXIT_CLEAN 0
#define EXIT_FOUND 1
#define EXIT_ERROR 2


/* ---------------------------------------------------------------------
 * What to find, and the fix for each
 * ------------------------------------------------------------------- */

#define FIX_INCLUDE "compile with -include oldbuffer.h " \
                    "(or #include \"oldbuffer.h\"), or rewrite with "
/* The rewrite itself: tools/oldbuffer-migrate (Coccinelle) does it. */
#define FIX_MIGRATE "; tools/oldbuffer-migrate DIR (make migrate DIR=...) " \
                    "rewrites it"
#define FIX_GETBUFFER(flags) \
    FIX_INCLUDE "PyObject_GetBuffer(obj, &view, " flags ") ... " \
    "PyBuffer_Release(&view)" FIX_MIGRATE
#define FIX_PROC "replace with bf_getbuffer/bf_releasebuffer " \
                 "(oldbuffer's legacy-exporter adapter can keep them)"
#define FIX_TYPE "replace with getbufferproc/releasebufferproc, the " \
                 "types of bf_getbuffer/bf_releasebuffer"
#define FIX_FLAG_TAIL " (or #define it as 0 when PY_MAJOR_VERSION >= 3)"

struct api_name {
    const char *name;
    size_t len;                 /* strlen(name), known at compile time */
    const char *kind;
    const char *fix;
};

/* An entry of the tables: the name's length comes from its literal, so
 * the lookup of each identifier compares lengths before any byte. */
#define API(name, kind, fix) {name, sizeof(name) - 1, kind, fix}

static const struct api_name names[] = {
    API("PyObject_AsCharBuffer", "call", FIX_GETBUFFER("PyBUF_SIMPLE")),
    API("PyObject_AsReadBuffer", "call", FIX_GETBUFFER("PyBUF_SIMPLE")),
    API("PyObject_AsWriteBuffer", "call", FIX_GETBUFFER("PyBUF_WRITABLE")),
    API("PyObject_CheckReadBuffer", "call",
        FIX_INCLUDE "an export tried and released, its error cleared "
        "(not PyObject_CheckBuffer(obj), which only looks for the slot)"
        FIX_MIGRATE),

    API("bf_getreadbuffer", "legacy-proc", FIX_PROC),
    API("bf_getwritebuffer", "legacy-proc", FIX_PROC),
    API("bf_getsegcount", "legacy-proc", FIX_PROC),
    API("bf_getcharbuffer", "legacy-proc", FIX_PROC),

    API("readbufferproc", "legacy-type", FIX_TYPE),
    API("writebufferproc", "legacy-type", FIX_TYPE),
    API("segcountproc", "legacy-type", FIX_TYPE),
    API("charbufferproc", "legacy-type", FIX_TYPE),
    API("getreadbufferproc", "legacy-type", FIX_TYPE),
    API("getwritebufferproc", "legacy-type", FIX_TYPE),
    API("getsegcountproc", "legacy-type", FIX_TYPE),
    API("getcharbufferproc", "legacy-type", FIX_TYPE),

    API("Py_TPFLAGS_HAVE_GETCHARBUFFER", "flag",
        "drop it: Python 3 has no such flag" FIX_FLAG_TAIL),
    API("Py_TPFLAGS_HAVE_NEWBUFFER", "flag",
        "drop it: every Python 3 type may have bf_getbuffer" FIX_FLAG_TAIL),

    API("PyBuffer_FromObject", "py2-buffer-object",
        "use PyMemoryView_FromObject(obj) (slice it for offset/size)"),
    API("PyBuffer_FromReadWriteObject", "py2-buffer-object",
        "use PyMemoryView_FromObject(obj) on a writable exporter "
        "(slice it for offset/size)"),
    API("PyBuffer_FromMemory", "py2-buffer-object",
        "use PyMemoryView_FromMemory(ptr, size, PyBUF_READ)"),
    API("PyBuffer_FromReadWriteMemory", "py2-buffer-object",
        "use PyMemoryView_FromMemory(ptr, size, PyBUF_WRITE)"),
    API("PyBuffer_New", "py2-buffer-object",
        "use PyByteArray_FromStringAndSize(NULL, size)"),
    API("PyBuffer_Type", "py2-buffer-object", "use PyMemoryView_Type"),
    API("PyBuffer_Check", "py2-buffer-object",
        "use PyMemoryView_Check(obj), or PyObject_CheckBuffer(obj) for any "
        "exporter"),
};

#define N_NAMES (sizeof(names) / sizeof(names[0]))

/* Macros that `-include oldbuffer.h` makes too late when defined in the
 * file (see the include-order report above). */
#define FIX_LATE(flag) \
    "with -include oldbuffer.h, Python.h comes first and this #define " \
    "is ignored: pass " flag " to the compiler too, or #include " \
    "\"oldbuffer.h\" after Python.h instead of -include"

static const struct api_name late_names[] = {
    API("PY_SSIZE_T_CLEAN", "include-order", FIX_LATE("-DPY_SSIZE_T_CLEAN")),
    API("Py_LIMITED_API", "include-order",
        FIX_LATE("-DPy_LIMITED_API=<the same value>")),
};

#define N_LATE_NAMES (sizeof(late_names) / sizeof(late_names[0]))

static const struct api_name *
lookup_name(const unsigned char *p, size_t len)
{
    size_t i;

    for (i = 0; i < N_NAMES; i++) {
        if (names[i].len == len && memcmp(names[i].name, p, len) == 0) {
            return &names[i];
        }
    }
    return NULL;
}


/* ---------------------------------------------------------------------
 * Output
 * ------------------------------------------------------------------- */

struct options {
    int json;
};

struct totals {
    unsigned long uses;
    unsigned long late_defines;   /* include-order reports */
    unsigned long files_scanned;
    unsigned long files_with_uses;
    int io_error;
};

static struct options opts;
static struct totals totals;

/* The length of the valid UTF-8 sequence at p (at most n bytes), or 0:
 * JSON must be Unicode, and file names need not be. */
static size_t
utf8_length(const unsigned char *p, size_t n)
{
    size_t len, i;
    unsigned long cp;

    if (p[0] < 0x80) {
        return 1;
    }
    if (p[0] >= 0xC2 && p[0] <= 0xDF) {
        len = 2;
        cp = p[0] & 0x1Fu;
    }
    else if (p[0] >= 0xE0 && p[0] <= 0xEF) {
        len = 3;
        cp = p[0] & 0x0Fu;
    }
    else if (p[0] >= 0xF0 && p[0] <= 0xF4) {
        len = 4;
        cp = p[0] & 0x07u;
    }
    else {
        return 0;
    }
    if (len > n) {
        return 0;
    }
    for (i = 1; i < len; i++) {
        if ((p[i] & 0xC0) != 0x80) {
            return 0;
        }
        cp = (cp << 6) | (p[i] & 0x3Fu);
    }
    /* Overlong forms, surrogates and beyond U+10FFFF are not UTF-8. */
    if ((len == 3 && cp < 0x800) || (len == 4 && cp < 0x10000)
        || (cp >= 0xD800 && cp <= 0xDFFF) || cp > 0x10FFFF) {
        return 0;
    }
    return len;
}

/* A JSON string.  Runs of bytes that need no escape go out in one
 * fwrite: every report writes its fix, so this is most of --json's
 * output. */
static void
put_json_string(const char *s)
{
    const unsigned char *p = (const unsigned char *)s;
    const unsigned char *run = p;
    size_t n = strlen(s), len;

    putchar('"');
    while (n > 0) {
        len = utf8_length(p, n);
        if (len == 0 || *p == '"' || *p == '\\' || *p < 0x20
            || *p == 0x7F) {
            fwrite(run, 1, (size_t)(p - run), stdout);
            if (len == 0) {
                fputs("\\ufffd", stdout);   /* not UTF-8: say so, stay valid */
                len = 1;
            }
            else if (*p == '"' || *p == '\\') {
                printf("\\%c", *p);
            }
            else {
                printf("\\u%04x", (unsigned int)*p);
            }
            run = p + len;
        }
        p += len;
        n -= len;
    }
    fwrite(run, 1, (size_t)(p - run), stdout);
    putchar('"');
}

static void
print_use(const char *file, unsigned long line, unsigned long col,
          const struct api_name *api)
{
    if (!opts.json) {
        printf("%s:%lu:%lu: %s: %s: %s\n", file, line, col, api->kind,
               api->name, api->fix);
        return;
    }
    fputs(totals.uses + totals.late_defines == 0 ? "\n  {\"file\": "
                                                 : ",\n  {\"file\": ",
          stdout);
    put_json_string(file);
    printf(", \"line\": %lu, \"column\": %lu, \"kind\": ", line, col);
    put_json_string(api->kind);
    fputs(", \"name\": ", stdout);
    put_json_string(api->name);
    fputs(", \"fix\": ", stdout);
    put_json_string(api->fix);
    putchar('}');
}

static void
io_error(const char *path, const char *what)
{
    fprintf(stderr, "%s: %s: %s: %s\n", PROG, path, what, strerror(errno));
    totals.io_error = 1;
}


/* ---------------------------------------------------------------------
 * One file in memory, and where its lines start
 * ------------------------------------------------------------------- */

/* An include-order candidate: a #define of one of late_names. */
struct late_define {
    size_t at;                  /* the offset of the macro's name */
    const struct api_name *api;
};

struct source {
    const char *path;
    const unsigned char *buf;
    size_t size;
    size_t *line_starts;        /* offsets of the first byte of each line */
    size_t n_lines;
    unsigned long uses;
    /* The last report's place: the next one on the same line counts its
     * column on from there, not from the line's start again -- a long
     * line with many uses would otherwise cost its length per use. */
    size_t last_at, last_line;
    unsigned long last_col;
    int have_last;
    /* The include-order candidates, in file order (as many as the file
     * has), and whether the file includes oldbuffer.h itself. */
    struct late_define *late;
    size_t n_late, cap_late;
    int late_no_memory;         /* a candidate was lost: say so */
    int includes_header;
};

static int
index_lines(struct source *src)
{
    size_t i, n = 1;

    for (i = 0; i < src->size; i++) {
        n += src->buf[i] == '\n';
    }
    src->line_starts = malloc(n * sizeof(size_t));
    if (src->line_starts == NULL) {
        return -1;
    }
    src->line_starts[0] = 0;
    src->n_lines = 1;
    for (i = 0; i < src->size; i++) {
        if (src->buf[i] == '\n') {
            src->line_starts[src->n_lines++] = i + 1;
        }
    }
    return 0;
}

/* Report api, named at offset `at`: a use of the old API, or (use 0) an
 * include-order report. */
static void
report(struct source *src, size_t at, const struct api_name *api, int use)
{
    size_t lo = 0, hi = src->n_lines, mid, i;
    unsigned long col = 1;

    /* The last line starting at or before `at`. */
    while (hi - lo > 1) {
        mid = lo + (hi - lo) / 2;
        if (src->line_starts[mid] <= at) {
            lo = mid;
        }
        else {
            hi = mid;
        }
    }
    /* Count characters, not bytes: skip UTF-8 continuation bytes.  The
     * lexers report in file order, so a report on the last one's line
     * counts on from it (the include-order reports go back once, to
     * their own lines' starts). */
    i = src->line_starts[lo];
    if (src->have_last && src->last_line == lo && src->last_at <= at) {
        i = src->last_at;
        col = src->last_col;
    }
    for (; i < at; i++) {
        col += (src->buf[i] & 0xC0) != 0x80;
    }
    src->last_at = at;
    src->last_line = lo;
    src->last_col = col;
    src->have_last = 1;
    print_use(src->path, (unsigned long)lo + 1, col, api);
    if (use) {
        src->uses++;
        totals.uses++;
    }
    else {
        totals.late_defines++;   /* said apart in the summary */
    }
}

/* Report the identifier at offset `at` if it is one of the old API. */
static void
check_identifier(struct source *src, size_t at, size_t len)
{
    const struct api_name *api = lookup_name(src->buf + at, len);

    if (api != NULL) {
        report(src, at, api, 1);
    }
}


/* ---------------------------------------------------------------------
 * Lexing helpers shared by the languages
 * ------------------------------------------------------------------- */

/* Bytes >= 0x80 count as identifier bytes: both C (extended characters)
 * and Python 3 allow them, and `éPyBuffer_New` is not our name. */
static int
is_ident_start(int c, int dollar)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_'
           || c >= 0x80 || (dollar && c == '$');
}

static int
is_digit(int c)
{
    return c >= '0' && c <= '9';
}

static int
is_ident_char(int c, int dollar)
{
    return is_ident_start(c, dollar) || is_digit(c);
}

static size_t
skip_ident(const struct source *src, size_t pos, size_t end, int dollar)
{
    while (pos < end && is_ident_char(src->buf[pos], dollar)) {
        pos++;
    }
    return pos;
}

/* A number, so that the letters of 0x1F or 1e5 are not identifiers and
 * a C++14 digit separator (1'000) does not open a char literal. */
static size_t
skip_number(const struct source *src, size_t pos, size_t end)
{
    const unsigned char *b = src->buf;

    while (pos < end) {
        if (is_ident_char(b[pos], 0) || b[pos] == '.') {
            pos++;
        }
        else if (b[pos] == '\'' && pos + 1 < end
                 && is_ident_char(b[pos + 1], 0)) {
            pos += 2;
        }
        else {
            break;
        }
    }
    return pos;
}

static size_t
skip_to_eol(const struct source *src, size_t pos, size_t end)
{
    const unsigned char *nl = memchr(src->buf + pos, '\n', end - pos);

    return nl == NULL ? end : (size_t)(nl - src->buf);
}

/* Is [p, p + len) made only of letters of `set`, at most `max` long? */
static int
is_prefix(const unsigned char *p, size_t len, const char *set, size_t max)
{
    size_t i;

    if (len == 0 || len > max) {
        return 0;
    }
    for (i = 0; i < len; i++) {
        if (strchr(set, p[i]) == NULL) {
            return 0;
        }
    }
    return 1;
}

static size_t
find(const struct source *src, size_t pos, size_t end, const char *what)
{
    size_t n = strlen(what);

    for (; pos + n <= end; pos++) {
        if (memcmp(src->buf + pos, what, n) == 0) {
            return pos;
        }
    }
    return end;
}

static void scan_c(struct source *src, size_t pos, size_t end, int swig);
static void scan_python(struct source *src, size_t pos, size_t end);


/* ---------------------------------------------------------------------
 * C and C++ (and SWIG, which is C with % directives)
 * ------------------------------------------------------------------- */

/* A "..." or '...' literal starting at its quote; an unterminated one
 * ends at its line's end, as the compiler's error would. */
static size_t
skip_c_quoted(const struct source *src, size_t pos, size_t end)
{
    unsigned char quote = src->buf[pos];

    for (pos++; pos < end; pos++) {
        if (src->buf[pos] == '\\') {
            /* The escaped byte, even a newline (a CRLF one too). */
            pos += pos + 2 < end && src->buf[pos + 1] == '\r'
                   && src->buf[pos + 2] == '\n' ? 2 : 1;
        }
        else if (src->buf[pos] == quote) {
            return pos + 1;
        }
        else if (src->buf[pos] == '\n') {
            return pos;
        }
    }
    return end;
}

/* A C++11 raw string R"delim( ... )delim" starting at its quote.  A
 * malformed opening (no '(' within the 16 delimiter characters) is left
 * to skip_c_quoted, as the string it probably is. */
static size_t
skip_c_raw(const struct source *src, size_t pos, size_t end)
{
    char close[20];
    size_t d = pos + 1, n;
    size_t stop;

    while (d < end && d - pos - 1 <= 16
           && strchr(" ()\\\t\v\f\n\"", src->buf[d]) == NULL) {
        d++;
    }
    n = d - pos - 1;
    if (d >= end || src->buf[d] != '(' || n > 16) {
        return skip_c_quoted(src, pos, end);
    }
    close[0] = ')';
    memcpy(close + 1, src->buf + pos + 1, n);
    close[n + 1] = '"';
    close[n + 2] = '\0';
    stop = find(src, d + 1, end, close);
    return stop == end ? end : stop + n + 2;
}

/* A block comment, or a // comment, which a backslash at the end of its line
 * continues onto the next (translation phase 2 comes first). */
static size_t
skip_c_comment(const struct source *src, size_t pos, size_t end)
{
    size_t stop;

    if (src->buf[pos + 1] == '*') {
        stop = find(src, pos + 2, end, "*/");
        return stop == end ? end : stop + 2;
    }
    for (;;) {
        stop = skip_to_eol(src, pos, end);
        if (stop == end) {
            return end;
        }
        if (stop > pos && src->buf[stop - 1] == '\\') {
            pos = stop + 1;
        }
        else if (stop > pos + 1 && src->buf[stop - 1] == '\r'
                 && src->buf[stop - 2] == '\\') {
            pos = stop + 1;
        }
        else {
            return stop;
        }
    }
}

/* The encoding prefixes of C and C++ literals: none, L, u, U, u8. */
static int
is_encoding_prefix(const unsigned char *p, size_t len)
{
    return len == 0 || (len == 1 && (p[0] == 'L' || p[0] == 'u'
                                     || p[0] == 'U'))
           || (len == 2 && p[0] == 'u' && p[1] == '8');
}

/* An identifier, or the prefix of a literal (u8"", LR"(...)"). */
static size_t
c_identifier(struct source *src, size_t pos, size_t end)
{
    size_t stop = skip_ident(src, pos, end, 1);
    size_t len = stop - pos;
    const unsigned char *p = src->buf + pos;

    if (stop < end && src->buf[stop] == '"' && p[len - 1] == 'R'
        && is_encoding_prefix(p, len - 1)) {
        return skip_c_raw(src, stop, end);
    }
    if (stop < end && (src->buf[stop] == '"' || src->buf[stop] == '\'')
        && is_encoding_prefix(p, len)) {
        return skip_c_quoted(src, stop, end);
    }
    check_identifier(src, pos, len);
    return stop;
}

/* SWIG directives whose %{ ... %} block holds Python, not C. */
static int
is_python_directive(const unsigned char *p, size_t len)
{
    static const char *const python[] = {
        "pythoncode", "pythonbegin", "pythonprepend", "pythonappend",
        "shadow",
    };
    size_t i;

    for (i = 0; i < sizeof(python) / sizeof(python[0]); i++) {
        if (strlen(python[i]) == len && memcmp(python[i], p, len) == 0) {
            return 1;
        }
    }
    return 0;
}

/* A SWIG %{ ... %} block at pos: SWIG ends it at the first %}, whatever
 * surrounds it, so find that first and lex only what is inside. */
static size_t
swig_block(struct source *src, size_t pos, size_t end, int python)
{
    size_t stop = find(src, pos + 2, end, "%}");

    if (python) {
        scan_python(src, pos + 2, stop);
    }
    else {
        scan_c(src, pos + 2, stop, 0);
    }
    return stop == end ? end : stop + 2;
}

/* Is the '#' at pos the first thing on its line (spaces and tabs aside)? */
static int
starts_directive(const struct source *src, size_t pos, size_t start)
{
    while (pos > start && (src->buf[pos - 1] == ' '
                           || src->buf[pos - 1] == '\t')) {
        pos--;
    }
    return pos == start || src->buf[pos - 1] == '\n';
}

static size_t
skip_blanks(const struct source *src, size_t pos, size_t end)
{
    while (pos < end && (src->buf[pos] == ' ' || src->buf[pos] == '\t')) {
        pos++;
    }
    return pos;
}

static int
is_word(const unsigned char *p, size_t len, const char *word)
{
    return strlen(word) == len && memcmp(p, word, len) == 0;
}

/* Keep an include-order candidate; the array doubles as it fills. */
static void
add_late(struct source *src, size_t at, const struct api_name *api)
{
    struct late_define *bigger;
    size_t cap;

    if (src->n_late == src->cap_late) {
        cap = src->cap_late ? src->cap_late * 2 : 16;
        bigger = cap > ((size_t)-1) / sizeof(*bigger) ? NULL
                 : realloc(src->late, cap * sizeof(*bigger));
        if (bigger == NULL) {
            src->late_no_memory = 1;
            return;
        }
        src->late = bigger;
        src->cap_late = cap;
    }
    src->late[src->n_late].at = at;
    src->late[src->n_late].api = api;
    src->n_late++;
}

/* The directive after the '#' at pos, for the include-order report: a
 * #define of one of late_names, or an #include of oldbuffer.h.  Only
 * looks; the caller lexes the line as usual. */
static void
note_directive(struct source *src, size_t pos, size_t end)
{
    const unsigned char *b = src->buf;
    size_t name, stop, i, close;

    name = skip_blanks(src, pos + 1, end);
    stop = skip_ident(src, name, end, 0);
    if (is_word(b + name, stop - name, "define")) {
        name = skip_blanks(src, stop, end);
        stop = skip_ident(src, name, end, 0);
        for (i = 0; i < N_LATE_NAMES; i++) {
            if (is_word(b + name, stop - name, late_names[i].name)) {
                add_late(src, name, &late_names[i]);
            }
        }
    }
    else if (is_word(b + name, stop - name, "include")) {
        pos = skip_blanks(src, stop, end);
        if (pos >= end || (b[pos] != '"' && b[pos] != '<')) {
            return;
        }
        close = pos + 1;
        while (close < end && b[close] != '\n'
               && b[close] != (b[pos] == '"' ? '"' : '>')) {
            close++;
        }
        /* "oldbuffer.h", or a path ending in /oldbuffer.h */
        if (close < end && close - pos - 1 >= 11
            && memcmp(b + close - 11, "oldbuffer.h", 11) == 0
            && (close - pos - 1 == 11 || b[close - 12] == '/')) {
            src->includes_header = 1;
        }
    }
}

static void
scan_c(struct source *src, size_t pos, size_t end, int swig)
{
    const size_t start = pos;
    const unsigned char *b = src->buf;
    int python_block = 0;       /* SWIG: the last %directive wants Python */
    size_t stop;

    while (pos < end) {
        unsigned char c = b[pos];
        unsigned char next = pos + 1 < end ? b[pos + 1] : 0;

        if (c == '/' && (next == '*' || next == '/')) {
            pos = skip_c_comment(src, pos, end);
        }
        else if (c == '"' || c == '\'') {
            pos = skip_c_quoted(src, pos, end);
        }
        else if (is_digit(c) || (c == '.' && is_digit(next))) {
            pos = skip_number(src, pos, end);
        }
        else if (is_ident_start(c, 1)) {
            pos = c_identifier(src, pos, end);
        }
        else if (c == '#' && starts_directive(src, pos, start)) {
            note_directive(src, pos, end);
            pos++;
        }
        else if (swig && c == '%' && next == '{') {
            pos = swig_block(src, pos, end, python_block);
            python_block = 0;
        }
        else if (swig && c == '%' && is_ident_start(next, 0)) {
            stop = skip_ident(src, pos + 1, end, 0);
            python_block = is_python_directive(b + pos + 1, stop - pos - 1);
            pos = stop;
        }
        else {
            pos++;
        }
    }
}


/* ---------------------------------------------------------------------
 * Cython (Python's lexical rules, plus verbatim C in extern blocks)
 * ------------------------------------------------------------------- */

/* A Python string starting at its quote: '...', "...", or triple-quoted.
 * A backslash escapes the next byte even in a raw string, as far as
 * where the string ends is concerned.  Sets [*body, *body_end). */
static size_t
skip_py_string(const struct source *src, size_t pos, size_t end,
               size_t *body, size_t *body_end)
{
    const unsigned char *b = src->buf;
    unsigned char q = b[pos];
    int triple = pos + 2 < end && b[pos + 1] == q && b[pos + 2] == q;
    size_t open = triple ? 3 : 1;

    *body = pos + open;
    for (pos += open; pos < end; pos++) {
        if (b[pos] == '\\') {
            pos++;
        }
        else if (b[pos] == q
                 && (!triple || (pos + 2 < end && b[pos + 1] == q
                                 && b[pos + 2] == q))) {
            *body_end = pos;
            return pos + open;
        }
        else if (b[pos] == '\n' && !triple) {
            break;              /* unterminated: it ends with its line */
        }
    }
    *body_end = pos < end ? pos : end;
    return *body_end;
}

/* Where a `cdef extern from ...:` header stands, token by token: the
 * string right after its colon is C code Cython copies verbatim. */
enum extern_state {
    EXTERN_NONE,
    EXTERN_KEYWORD,             /* saw `extern` */
    EXTERN_HEADER,              /* saw `extern from`, waiting for ':' */
    EXTERN_BODY                 /* saw the ':', a string would be C */
};

static enum extern_state
extern_after_ident(enum extern_state st, const unsigned char *p, size_t len)
{
    if (len == 6 && memcmp(p, "extern", 6) == 0) {
        return EXTERN_KEYWORD;
    }
    if (st == EXTERN_KEYWORD && len == 4 && memcmp(p, "from", 4) == 0) {
        return EXTERN_HEADER;
    }
    return st == EXTERN_HEADER ? EXTERN_HEADER : EXTERN_NONE;
}

static void
scan_python(struct source *src, size_t pos, size_t end)
{
    const unsigned char *b = src->buf;
    enum extern_state st = EXTERN_NONE;
    size_t stop, body, body_end;

    while (pos < end) {
        unsigned char c = b[pos];

        if (c == '#') {
            pos = skip_to_eol(src, pos, end);
        }
        else if (c == '\n') {
            /* The header's colon ends its line; the body may follow on
             * later lines. */
            st = st == EXTERN_BODY ? EXTERN_BODY : EXTERN_NONE;
            pos++;
        }
        else if (c == ' ' || c == '\t' || c == '\r' || c == '\f'
                 || c == '\\') {
            pos++;
        }
        else if (is_digit(c)) {
            pos = skip_number(src, pos, end);
            st = st == EXTERN_HEADER ? EXTERN_HEADER : EXTERN_NONE;
        }
        else if (is_ident_start(c, 0) || c == '"' || c == '\'') {
            stop = is_ident_start(c, 0) ? skip_ident(src, pos, end, 0) : pos;
            if (stop < end && (b[stop] == '"' || b[stop] == '\'')
                && (stop == pos || is_prefix(b + pos, stop - pos,
                                             "rRbBuUfFcC", 3))) {
                pos = skip_py_string(src, stop, end, &body, &body_end);
                if (st == EXTERN_BODY) {
                    scan_c(src, body, body_end, 0);
                }
                st = st == EXTERN_HEADER ? EXTERN_HEADER : EXTERN_NONE;
            }
            else {
                check_identifier(src, pos, stop - pos);
                st = extern_after_ident(st, b + pos, stop - pos);
                pos = stop;
            }
        }
        else {
            if (c == ':' && st == EXTERN_HEADER) {
                st = EXTERN_BODY;
            }
            else if (st != EXTERN_HEADER) {
                st = EXTERN_NONE;
            }
            pos++;
        }
    }
}


/* ---------------------------------------------------------------------
 * Files and directories
 * ------------------------------------------------------------------- */

enum language { LANG_NONE, LANG_C, LANG_CYTHON, LANG_SWIG };

static enum language
language_of(const char *path)
{
    static const struct {
        const char *ext;
        enum language lang;
    } exts[] = {
        {".c", LANG_C}, {".h", LANG_C}, {".cc", LANG_C}, {".cpp", LANG_C},
        {".cxx", LANG_C}, {".hpp", LANG_C}, {".hh", LANG_C},
        {".hxx", LANG_C},
        {".pyx", LANG_CYTHON}, {".pxd", LANG_CYTHON}, {".pxi", LANG_CYTHON},
        {".i", LANG_SWIG}, {".swg", LANG_SWIG},
    };
    const char *dot = strrchr(path, '.');
    size_t i;

    if (dot == NULL || strchr(dot, '/') != NULL) {
        return LANG_NONE;
    }
    for (i = 0; i < sizeof(exts) / sizeof(exts[0]); i++) {
        if (strcmp(dot, exts[i].ext) == 0) {
            return exts[i].lang;
        }
    }
    return LANG_NONE;
}

/* The whole file, NUL-terminated (the lexers never rely on it), or NULL
 * with errno set. */
static unsigned char *
read_file(const char *path, size_t *size)
{
    FILE *f = fopen(path, "rb");
    unsigned char *buf = NULL, *bigger;
    size_t cap = 0, n = 0, got;
    int saved;

    if (f == NULL) {
        return NULL;
    }
    for (;;) {
        if (cap - n < 4096) {
            cap = cap ? cap * 2 : 65536;
            bigger = realloc(buf, cap + 1);
            if (bigger == NULL) {
                break;
            }
            buf = bigger;
        }
        got = fread(buf + n, 1, cap - n, f);
        n += got;
        if (got == 0) {
            if (ferror(f)) {
                break;
            }
            fclose(f);
            /* Exactly the file's size: a lexer reading past its end is
             * then a bug the sanitizers and valgrind can see. */
            bigger = realloc(buf, n + 1);
            buf = bigger != NULL ? bigger : buf;
            buf[n] = '\0';
            *size = n;
            return buf;
        }
    }
    saved = errno ? errno : EIO;
    free(buf);
    fclose(f);
    errno = saved;
    return NULL;
}

static void
scan_file(const char *path, enum language lang)
{
    struct source src;
    unsigned char *buf;

    memset(&src, 0, sizeof(src));
    errno = 0;
    buf = read_file(path, &src.size);
    if (buf == NULL) {
        io_error(path, "cannot read");
        return;
    }
    src.path = path;
    src.buf = buf;
    if (index_lines(&src) < 0) {
        errno = ENOMEM;
        io_error(path, "cannot index lines");
        free(buf);
        return;
    }
    if (lang == LANG_CYTHON) {
        scan_python(&src, 0, src.size);
    }
    else {
        scan_c(&src, 0, src.size, lang == LANG_SWIG);
    }
    if (lang != LANG_CYTHON && src.uses > 0 && !src.includes_header) {
        size_t i;

        for (i = 0; i < src.n_late; i++) {
            report(&src, src.late[i].at, src.late[i].api, 0);
        }
        if (src.late_no_memory) {
            errno = ENOMEM;
            io_error(path, "include-order reports incomplete");
        }
    }
    totals.files_scanned++;
    totals.files_with_uses += src.uses > 0;
    free(src.late);
    free(src.line_starts);
    free(buf);
}

/* dir/name; an empty dir (the default ".") gives name alone, so that
 * paths read as `grep -r` prints them. */
static char *
join_path(const char *dir, const char *name)
{
    size_t d = strlen(dir), n = strlen(name);
    int slash = d > 0 && dir[d - 1] != '/';
    char *path = malloc(d + (size_t)slash + n + 1);

    if (path != NULL) {
        memcpy(path, dir, d);
        if (slash) {
            path[d] = '/';
        }
        memcpy(path + d + (size_t)slash, name, n + 1);
    }
    return path;
}

static int
compare_names(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The entries of a directory but . and .., sorted, or NULL (errno). */
static char **
list_directory(const char *path, size_t *count)
{
    DIR *dir = opendir(path[0] != '\0' ? path : ".");
    struct dirent *ent;
    char **list = NULL, **bigger;
    size_t n = 0, cap = 0;
    int saved;

    if (dir == NULL) {
        return NULL;
    }
    for (;;) {
        errno = 0;
        ent = readdir(dir);
        if (ent == NULL) {
            break;
        }
        if (strcmp(ent->d_name, ".") == 0 || strcmp(ent->d_name, "..") == 0) {
            continue;
        }
        if (n == cap) {
            cap = cap ? cap * 2 : 32;
            bigger = realloc(list, cap * sizeof(char *));
            if (bigger == NULL) {
                break;
            }
            list = bigger;
        }
        list[n] = strdup(ent->d_name);
        if (list[n] == NULL) {
            break;
        }
        n++;
    }
    saved = errno;
    closedir(dir);
    if (saved != 0 || ent != NULL) {
        while (n > 0) {
            free(list[--n]);
        }
        free(list);
        errno = saved ? saved : ENOMEM;
        return NULL;
    }
    if (n > 0) {
        qsort(list, n, sizeof(char *), compare_names);
    }
    *count = n;
    return list != NULL ? list : calloc(1, sizeof(char *));
}

static void walk(const char *path, int named);

static void
walk_directory(const char *path)
{
    size_t i, count = 0;
    char **list = list_directory(path, &count);
    char *child;

    if (list == NULL) {
        io_error(path, "cannot list directory");
        return;
    }
    for (i = 0; i < count; i++) {
        if (strcmp(list[i], ".git") != 0) {
            child = join_path(path, list[i]);
            if (child == NULL) {
                errno = ENOMEM;
                io_error(path, "cannot list directory");
            }
            else {
                walk(child, 0);
                free(child);
            }
        }
        free(list[i]);
    }
    free(list);
}

/* `named`: the path is on the command line, so follow a link there and
 * scan a file whatever its extension -- and whatever its type: a FIFO,
 * /dev/stdin or a process substitution is read until its end, as cat
 * would.  Met while walking, only regular files are read (a FIFO in a
 * tree would wait for a writer that may never come). */
static void
walk(const char *path, int named)
{
    struct stat st;
    enum language lang;

    if ((named ? stat(path, &st) : lstat(path, &st)) != 0) {
        io_error(path, "cannot stat");
        return;
    }
    if (S_ISDIR(st.st_mode)) {
        walk_directory(path);
        return;
    }
    if (!named && !S_ISREG(st.st_mode)) {
        return;
    }
    lang = language_of(path);
    if (lang != LANG_NONE) {
        scan_file(path, lang);
    }
    else if (named) {
        scan_file(path, LANG_C);
    }
}


/* ---------------------------------------------------------------------
 * Command line
 * ------------------------------------------------------------------- */

static const char usage[] =
    "usage: " PROG " [--json] [PATH ...]\n"
    "\n"
    "Report every use of the Python 2 old buffer API (PyObject_As*Buffer,\n"
    "PyObject_CheckReadBuffer, the bf_get*buffer/bf_getsegcount procs and\n"
    "their types, Py_TPFLAGS_HAVE_GETCHARBUFFER/NEWBUFFER, the PyBuffer_*\n"
    "buffer object) in C/C++ (.c .h .cc .cpp .cxx .hpp .hh .hxx), Cython\n"
    "(.pyx .pxd .pxi) and SWIG (.i .swg) sources, outside comments and\n"
    "string literals, with a fix for each.  Directories are searched\n"
    "recursively (not .git, not symbolic links); default: the current\n"
    "directory.  A file named on the command line is scanned whatever its\n"
    "extension (as C unless it is Cython or SWIG) and whatever its type: a\n"
    "FIFO or /dev/stdin is read until its end.\n"
    "\n"
    "  --json      print one JSON array of {file, line, column, kind,\n"
    "              name, fix} instead of file:line:column: kind: name: fix\n"
    "  -h, --help  print this help and exit\n"
    "\n"
    "Exit status: 0 no use found, 1 uses found, 2 usage or I/O error.\n";

static void
summary(void)
{
    if (totals.uses == 0) {
        fprintf(stderr, "%s: no use of the old buffer API in %lu file%s\n",
                PROG, totals.files_scanned,
                totals.files_scanned == 1 ? "" : "s");
        return;
    }
    fprintf(stderr, "%s: %lu use%s of the old buffer API in %lu of %lu "
            "file%s", PROG, totals.uses, totals.uses == 1 ? "" : "s",
            totals.files_with_uses, totals.files_scanned,
            totals.files_scanned == 1 ? "" : "s");
    if (totals.late_defines > 0) {
        fprintf(stderr, ", and %lu #define%s that -include oldbuffer.h "
                "would make too late", totals.late_defines,
                totals.late_defines == 1 ? "" : "s");
    }
    fputc('\n', stderr);
}

int
main(int argc, char **argv)
{
    int i, first_path = argc, no_more_options = 0;

    for (i = 1; i < argc; i++) {
        if (no_more_options || argv[i][0] != '-' || argv[i][1] == '\0') {
            if (first_path == argc) {
                first_path = i;
            }
            continue;
        }
        if (strcmp(argv[i], "--") == 0) {
            no_more_options = 1;
        }
        else if (strcmp(argv[i], "--json") == 0) {
            opts.json = 1;
        }
        else if (strcmp(argv[i], "-h") == 0
                 || strcmp(argv[i], "--help") == 0) {
            fputs(usage, stdout);
            return EXIT_CLEAN;
        }
        else {
            fprintf(stderr, "%s: unknown option %s (see --help)\n", PROG,
                    argv[i]);
            return EXIT_ERROR;
        }
    }

    if (opts.json) {
        putchar('[');
    }
    if (first_path == argc) {
        walk_directory("");
    }
    no_more_options = 0;
    for (i = 1; i < argc; i++) {
        if (!no_more_options && strcmp(argv[i], "--") == 0) {
            no_more_options = 1;
        }
        else if (no_more_options || argv[i][0] != '-' || argv[i][1] == '\0') {
            walk(argv[i], 1);
        }
    }
    if (opts.json) {
        fputs(totals.uses ? "\n]\n" : "]\n", stdout);
    }
    if (fflush(stdout) != 0 || ferror(stdout)) {
        io_error("<stdout>", "cannot write");
    }
    summary();
    if (totals.io_error) {
        return EXIT_ERROR;
    }
    return totals.uses ? EXIT_FOUND : EXIT_CLEAN;
}
