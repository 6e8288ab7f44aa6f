/* csvw.h — writing CSV files that are either complete or plainly not.
 *
 * A file is written under a temporary name (PATH.part) and renamed to PATH by
 * csvw_commit(), so a crash or an interrupted run never leaves a file that looks complete.
 * Text fields are quoted by libcsv when they need it; numbers are written with a fixed
 * number of decimals, so the same run gives byte-identical files. A missing number (NAN)
 * is an empty field. I/O errors are sticky and reported by csvw_commit().
 */
#ifndef TIERSIM_CSVW_H
#define TIERSIM_CSVW_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

struct csvw {
    FILE *f;
    char *path; /* final name */
    char *part; /* name while being written */
    bool row_started;
    int err; /* first errno seen, 0 if none */
};

/* Open PATH.part for writing. Returns 0 or TS_EIO (errno kept in w->err). */
int csvw_open(struct csvw *w, const char *path);
void csvw_str(struct csvw *w, const char *s);
void csvw_num(struct csvw *w, double x, int decimals);
void csvw_int(struct csvw *w, int64_t x);
void csvw_end_row(struct csvw *w);
/* Flush, close, and rename PATH.part to PATH. Returns 0 or TS_EIO; on failure the .part file
 * is removed. */
int csvw_commit(struct csvw *w);
/* Close and remove PATH.part; nothing is left behind. Safe on a closed writer. */
void csvw_abort(struct csvw *w);

/* Write a whole file atomically (PATH.part then rename). Returns 0 or TS_EIO. */
int write_file_atomic(const char *path, const char *text);

#endif
