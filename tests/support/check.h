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

struct scn;
/* Every error the scenario reader collected, as tiersim prints them, in a malloc'd string. */
char *check_scn_errors(struct scn *s);

/* A scenario loaded from JSON text, with --set overrides (NULL-terminated, may be NULL),
 * read into wc. Returns 0, or prints every error and returns TS_ESCENARIO. Free with
 * check_unload. */
struct check_scenario {
    struct scn *scn;
    struct world_config wc;
    bool loaded; /* without errors: the check_run_* functions refuse to run it otherwise */
};
int check_load(struct check_scenario *cs, const char *json, const char *const *sets);
/* The same for a scenario file. */
int check_load_file(struct check_scenario *cs, const char *path, const char *const *sets);
void check_unload(struct check_scenario *cs);

/* Read one component's object from JSON text as the world does ("type" taken as read) with
 * `read`, a wrapper of the model's *_config_from_json, into cfg. False, with every error
 * printed, if there was any. */
typedef bool (*check_read_fn)(struct scn_obj *o, void *cfg, struct arena *a);
bool check_parse(const char *json, check_read_fn read, void *cfg, struct arena *a);

/* Run a loaded scenario with seed `seed` (no files) and return summary column `col`. */
double check_run_value(struct check_scenario *cs, uint64_t seed, const char *col);

/* Mean, and the half-width of the two-sided confidence interval at `level` (0.99), of n
 * values (Student t from GSL). */
void check_ci(const double *x, int n, double level, double *mean, double *half);

/* Assert that `analytic` lies inside the `level` confidence interval of the n values; prints
 * the interval either way. */
void check_in_ci(const char *what, const double *x, int n, double level, double analytic);


/* --- reading a run's CSV files ------------------------------------------------------------- */

/* A whole CSV file (header + rows) as strings, read with libcsv. */
struct check_table {
    uint32_t ncols, nrows;
    char **header; /* ncols names */
    char **cell;   /* nrows x ncols, row-major */
};

/* Load dir/file; false (with a failed CHECK) if it cannot be read. */
bool check_table_load(struct check_table *t, const char *dir, const char *file);
void check_table_free(struct check_table *t);
/* The index of column `name`, or -1 (with a failed CHECK). */
int check_col(const struct check_table *t, const char *name);
const char *check_cell(const struct check_table *t, uint32_t row, int col);
double check_num(const struct check_table *t, uint32_t row, int col);

/* A unit test's event log: open `path` with events.csv's header as sim's events_out; close it
 * and read it back into t. One log at a time. */
void check_events_open(struct sim *sim, struct csvw *w, const char *path);
void check_events_close(struct sim *sim, struct csvw *w, struct check_table *t, const char *path);
/* Do files a and b both exist and hold the same bytes? */
bool check_same_file(const char *a, const char *b);

/* The time (s) of the first row of `event` whose detail holds `needle`, or -1. */
double check_event_at(const struct check_table *t, const char *event, const char *needle);

/* Run a loaded scenario with files in `dir` (seed from the scenario). Returns run_scenario's
 * code; the summary values are kept in *res (release it). The run's files are removed from
 * `dir` first, so that a failed run leaves nothing from an earlier one to check. A scenario
 * that did not load ends the test (exit 1), as it does for check_run_value. */
int check_run_to(struct check_scenario *cs, const char *dir, struct run_result *res);

/* Load the scenario file `path` with the --set overrides `sets` (NULL-terminated, or NULL), run
 * it with files in `dir` as check_run_to does, and unload it. Returns run_scenario's code, or
 * the loader's (with every error printed) if it did not load. */
int check_run_file(const char *path, const char *const *sets, const char *dir);

#endif
