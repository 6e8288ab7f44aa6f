/* err.h — tiersim's error codes, assertions and the one out-of-memory policy.
 *
 * Errors come in three kinds (STYLE.md): a programmer's mistake is an assertion that stays
 * on in release builds; a user's mistake (a bad scenario) is collected by scn.h and reported
 * with its place; the world's mistake (a file that cannot be written, GSL refusing an
 * argument) is a negative TS_E* code returned up the stack, with ts_strerror() for text.
 */
#ifndef TIERSIM_ERR_H
#define TIERSIM_ERR_H

#include <math.h>
#include <stddef.h>

/* NAN and INFINITY are floats; these are doubles, so -Wdouble-promotion stays quiet. */
#define TS_NAN ((double)NAN)
#define TS_INF ((double)INFINITY)

/* One list, libuv style: the codes, their values and their strings cannot drift apart. */
#define TS_ERRNO_MAP(XX)                                                                       \
    XX(EINVAL, -1, "invalid argument")                                                         \
    XX(ENOMEM, -2, "out of memory")                                                            \
    XX(EIO, -3, "input/output error")                                                          \
    XX(ESTALE, -4, "stale or cancelled event handle")                                          \
    XX(ESCENARIO, -5, "invalid scenario")                                                      \
    XX(EINTR, -6, "interrupted")                                                               \
    XX(ELIMIT, -7, "a built-in limit was reached")                                             \
    XX(EGSL, -8, "a numerical routine failed")                                                 \
    XX(ENOTFOUND, -9, "not found")

enum ts_errno {
    TS_OK = 0,
#define XX(code, val, _) TS_##code = (val),
    TS_ERRNO_MAP(XX)
#undef XX
};

/* The text of a code returned by any tiersim function; never NULL ("unknown error"). */
const char *ts_strerror(int code);

/* strerror(errnum) with its first letter in lower case, as tiersim's messages are
 * ("no such file or directory"), copied into buf. */
const char *ts_syserr(int errnum, char *buf, size_t size);

/* A check that stays on in every build: a programmer's mistake, never a user's. On failure
 * prints the file, line and expression to stderr and aborts. */
#define TS_ASSERT(expr) ((expr) ? (void)0 : ts_assert_fail(#expr, __FILE__, __LINE__))
_Noreturn void ts_assert_fail(const char *expr, const char *file, int line);

/* Allocation that cannot fail: on exhaustion prints "tiersim: out of memory" and exits with
 * status 1 (the run failed). Outputs are written to temporary names until a run completes,
 * so an exit here never leaves a file that looks complete. Sizes in bytes. */
void *ts_malloc(size_t size);
void *ts_calloc(size_t n, size_t size);
void *ts_realloc(void *p, size_t size);
char *ts_strdup(const char *s);
/* The policy itself, for allocators outside our control (GSL, cJSON) that return NULL. */
_Noreturn void ts_out_of_memory(void);

#endif
