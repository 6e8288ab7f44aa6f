/* test_arena.c — the per-run arena: aligned, zeroed, stable allocations across block growth,
 * strdup, and release; and the error module: every code has its text, system errors in
 * lower case. */
#include "check.h"

#include "tiersim/arena.h"
#include "tiersim/err.h"

#include <errno.h>
#include <stdalign.h>
#include <stddef.h>
#include <stdint.h>

static void test_arena(void)
{
    struct arena a = ARENA_INIT;
    char *first = arena_strdup(&a, "first");
    CHECK(arena_strdup(&a, NULL) == NULL, "strdup of NULL");
    int misaligned = 0, nonzero = 0;
    for (size_t i = 1; i < 5000; i++) { /* many blocks */
        unsigned char *p = arena_alloc(&a, i % 97 + 1);
        misaligned += ((uintptr_t)p % alignof(max_align_t)) != 0;
        for (size_t k = 0; k < i % 97 + 1; k++)
            nonzero += p[k] != 0;
        p[0] = 0xff;
    }
    char *big = arena_alloc(&a, 1 << 20); /* larger than any block so far */
    big[(1 << 20) - 1] = 1;
    CHECK_EQ_INT(misaligned, 0);
    CHECK_EQ_INT(nonzero, 0);
    CHECK_STR(first, "first"); /* earlier allocations never move */
    arena_release(&a);
    CHECK(a.head == NULL, "released");
    CHECK_STR(arena_strdup(&a, "again"), "again"); /* reusable after release */
    arena_release(&a);
}

static void test_errors(void)
{
    CHECK_STR(ts_strerror(0), "success");
    CHECK_STR(ts_strerror(TS_ESTALE), "stale or cancelled event handle");
    CHECK_STR(ts_strerror(TS_ENOTFOUND), "not found");
    CHECK_STR(ts_strerror(-999), "unknown error");
    char buf[128];
    CHECK_STR(ts_syserr(ENOENT, buf, sizeof buf), "no such file or directory");
    CHECK(isnan(TS_NAN) && isinf(TS_INF), "double NAN and INFINITY");
}

int main(void)
{
    test_arena();
    test_errors();
    return check_done();
}
