/* err.c — error strings, the always-on assertion, and allocation that cannot fail. */
#include "tiersim/err.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const char *ts_strerror(int code)
{
    switch (code) {
    case TS_OK:
        return "success";
#define XX(name, val, text)                                                                    \
    case val:                                                                                  \
        return text;
        TS_ERRNO_MAP(XX)
#undef XX
    default:
        return "unknown error";
    }
}

const char *ts_syserr(int errnum, char *buf, size_t size)
{
    snprintf(buf, size, "%s", strerror(errnum));
    if (size > 0 && buf[0] >= 'A' && buf[0] <= 'Z' && !(buf[1] >= 'A' && buf[1] <= 'Z'))
        buf[0] = (char)(buf[0] - 'A' + 'a'); /* but not an acronym */
    return buf;
}

void ts_assert_fail(const char *expr, const char *file, int line)
{
    fprintf(stderr, "tiersim: internal error at %s:%d: assertion '%s' failed\n", file, line,
            expr);
    abort();
}

void ts_out_of_memory(void)
{
    fputs("tiersim: out of memory\n", stderr);
    exit(1);
}

void *ts_malloc(size_t size)
{
    void *p = malloc(size ? size : 1);
    if (!p)
        ts_out_of_memory();
    return p;
}

void *ts_calloc(size_t n, size_t size)
{
    void *p = calloc(n ? n : 1, size ? size : 1);
    if (!p)
        ts_out_of_memory();
    return p;
}

void *ts_realloc(void *p, size_t size)
{
    void *q = realloc(p, size ? size : 1);
    if (!q)
        ts_out_of_memory();
    return q;
}

char *ts_strdup(const char *s)
{
    size_t n = strlen(s) + 1;
    char *d = ts_malloc(n);
    memcpy(d, s, n);
    return d;
}
