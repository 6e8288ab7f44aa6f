/* csvr.h — reading one numeric column of a CSV file (with a header row), on libcsv.
 * Used by empirical distributions and trace-driven arrival rates. */
#ifndef TIERSIM_CSVR_H
#define TIERSIM_CSVR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Read column `column` of the regular CSV file at `path` (the first non-blank line is the
 * header) and check every value is >= `min` (-HUGE_VAL for no check). Blank lines are
 * skipped. On success returns 0 with *values (malloc'ed; free() it) and *n >= 1. On failure
 * returns TS_EIO (unreadable), TS_ENOTFOUND (no such column) or TS_EINVAL (bad content) and
 * *why (malloc'ed) says what is wrong, without the path, naming the file's line: 'cannot
 * read it: no such file or directory', 'no column "rps" (columns: t, rate)', 'line 5: "abc"
 * in column "rps" is not a number', 'line 7: column "rps" must be >= 0, got -3'. */
int csvr_column(const char *path, const char *column, double min, double **values, size_t *n,
                char **why);

struct scn_obj;
struct arena;

/* Read the CSV column that members "file" (required) and "column" of a scenario object name,
 * the column defaulting to `column_default` (NULL: required), every value >= `min`. On
 * success the values are in arena `a` (*v, *n >= 1) and true is returned; otherwise the
 * error is recorded against "file" or "column", whichever is wrong. */
bool csvr_member(struct scn_obj *o, const char *column_default, double min, struct arena *a,
                 double **v, uint32_t *n);

#endif
