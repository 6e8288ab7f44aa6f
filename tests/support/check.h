/* check.h — the smallest test harness: CHECK macros that count failures, and helpers to
 * load a scenario from text and run it in-process. Each test executable's main() returns
 * check_done(). */
#ifndef TIERSIM_TESTS_CHECK_H
#define TIERSIM_TESTS_CHECK_H

#include "run.h"
#include "world.h"

#include <math.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

extern int check_failures;
extern int check_count;

#define CHECK(cond, ...)                                                                       \
    do {                                                                                       \
        check_count++;                                                                         \
        if (!(cond)) {                                                                         \
            check_failures++;                                                                  \
            fprintf(stderr, "%s:%d: CHECK(%s) failed: ", __FILE__, __LINE__, #cond);           \
            fprintf(stderr, __VA_ARGS__);                                                      \
            fputc('\n', stderr);                                                               \
        }                                                                                      \
    } while (0)

#define CHECK_EQ_INT(a, b)                                                                     \
    CHECK((long long)(a) == (long long)(b), "%s = %lld, expected %lld", #a, (long long)(a),   \
          (long long)(b))

#define CHECK_NEAR(a, b, tol)                                                                  \
    CHECK(fabs((double)(a) - (double)(b)) <= (tol), "%s = %.10g, expected %.10g +- %.3g", #a, \
          (double)(a), (double)(b), (double)(tol))

#define CHECK_STR(a, b)                                                                        \
    CHECK(strcmp((a), (b)) == 0, "%s = \"%s\", expected \"%s\"", #a, (a), (b))

/* Prints "N passed, N failed" and returns the exit status. */
int check_done(void);

/* A scenario loaded from JSON text, with --set overrides (NULL-terminated, may be NULL),
 * read into wc. Returns 0, or prints every error and returns TS_ESCENARIO. Free with
 * check_unload. */
struct check_scenario {
    struct scn *scn;
    struct world_config wc;
};
int check_load(struct check_scenario *cs, const char *json, const char *const *sets);
void check_unload(struct check_scenario *cs);

/* Run a loaded scenario with seed `seed` (no files) and return summary column `col`. */
double check_run_value(struct check_scenario *cs, uint64_t seed, const char *col);

/* Mean, and the half-width of the two-sided confidence interval at `level` (0.99), of n
 * values (Student t from GSL). */
void check_ci(const double *x, int n, double level, double *mean, double *half);

/* Assert that `analytic` lies inside the `level` confidence interval of the n values; prints
 * the interval either way. */
void check_in_ci(const char *what, const double *x, int n, double level, double analytic);

#endif
