/* csvr.c — one numeric column from a CSV file, parsed by libcsv's callbacks. */
#include "tiersim/csvr.h"

#include "tiersim/arena.h"
#include "tiersim/err.h"
#include "tiersim/scn.h"

#include <csv.h>
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

struct reader {
    const char *column;
    double min;
    long want;         /* index of the column, -1 until the header is read */
    long field;        /* index of the current field in its row */
    size_t line;       /* 1-based line of the current row: newlines counted, blank or not */
    int header_done;   /* the header row has been read */
    size_t quoted_nl;  /* newlines inside quoted fields of the current row */
    char *header_list; /* the header's names, for "no column" messages */
    size_t header_len;
    double *v;
    size_t n, cap;
    char *why;
};

static void set_why(struct reader *r, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void set_why(struct reader *r, const char *fmt, ...)
{
    if (r->why)
        return;
    va_list ap;
    va_start(ap, fmt);
    char buf[512];
    vsnprintf(buf, sizeof buf, fmt, ap);
    va_end(ap);
    r->why = ts_strdup(buf);
}

static void on_field(void *data, size_t len, void *ctx)
{
    struct reader *r = ctx;
    char buf[128];
    for (size_t i = 0; i < len; i++)
        r->quoted_nl += ((const char *)data)[i] == '\n';
    size_t k = len < sizeof buf - 1 ? len : sizeof buf - 1;
    memcpy(buf, data ? data : "", k);
    buf[k] = '\0';
    if (!r->header_done) {
        if (r->want < 0 && strcmp(buf, r->column) == 0)
            r->want = r->field;
        size_t add = k + 2;
        r->header_list = ts_realloc(r->header_list, r->header_len + add + 1);
        sprintf(r->header_list + r->header_len, "%s%s", r->field ? ", " : "", buf);
        r->header_len += (r->field ? 2 : 0) + k;
    } else if (r->field == r->want && !r->why) {
        char *end;
        errno = 0;
        double x = strtod(buf, &end);
        while (*end == ' ')
            end++;
        if (k == 0 || *end != '\0' || errno == ERANGE || !isfinite(x)) {
            set_why(r, "line %zu: \"%s\" in column \"%s\" is not a number", r->line, buf,
                    r->column);
            return;
        }
        if (x < r->min) {
            set_why(r, "line %zu: column \"%s\" must be >= %g, got %s", r->line, r->column,
                    r->min, buf);
            return;
        }
        if (r->n == r->cap) {
            r->cap = r->cap ? r->cap * 2 : 1024;
            r->v = ts_realloc(r->v, r->cap * sizeof *r->v);
        }
        r->v[r->n++] = x;
    }
    r->field++;
}

/* The end of a row, or (CSV_REPALL_NL) a newline outside any row: c is the character that
 * ended it, -1 at the end of the file. A CRLF ends the row at CR and reports the LF as an
 * empty row, so counting '\n' alone counts lines. */
static void on_row(int c, void *ctx)
{
    struct reader *r = ctx;
    if (r->field > 0) {
        if (!r->header_done) {
            r->header_done = 1;
            if (r->want < 0)
                set_why(r, "no column \"%s\" (columns: %s)", r->column,
                        r->header_list ? r->header_list : "none");
        } else if (r->field <= r->want) {
            set_why(r, "line %zu: no value in column \"%s\"", r->line, r->column);
        }
    }
    if (c == '\n')
        r->line++;
    r->line += r->quoted_nl;
    r->quoted_nl = 0;
    r->field = 0;
}

int csvr_column(const char *path, const char *column, double min, double **values, size_t *n,
                char **why)
{
    *values = NULL;
    *n = 0;
    *why = NULL;
    FILE *f = fopen(path, "rb");
    struct stat st;
    if (!f || fstat(fileno(f), &st) != 0 || !S_ISREG(st.st_mode)) {
        char buf[256], err[128];
        snprintf(buf, sizeof buf, "cannot read it: %s",
                 f ? "not a regular file" : ts_syserr(errno, err, sizeof err));
        *why = ts_strdup(buf);
        if (f)
            fclose(f);
        return TS_EIO;
    }
    struct csv_parser p;
    if (csv_init(&p, CSV_APPEND_NULL | CSV_REPALL_NL) != 0)
        ts_out_of_memory();
    struct reader r = {.column = column, .min = min, .want = -1, .line = 1};
    char buf[65536];
    size_t got;
    while (!r.why && (got = fread(buf, 1, sizeof buf, f)) > 0) {
        if (csv_parse(&p, buf, got, on_field, on_row, &r) != got)
            set_why(&r, "line %zu: malformed CSV (%s)", r.line, csv_strerror(csv_error(&p)));
    }
    int io_err = ferror(f);
    fclose(f);
    if (!r.why)
        csv_fini(&p, on_field, on_row, &r);
    csv_free(&p);
    free(r.header_list);
    if (!r.why && io_err)
        set_why(&r, "cannot read it: input/output error");
    if (!r.why && !r.header_done)
        set_why(&r, "the file is empty: expected a header row naming the columns");
    if (!r.why && r.n == 0)
        set_why(&r, "column \"%s\" has no values", column);
    if (r.why) {
        free(r.v);
        *why = r.why;
        return r.header_done && r.want < 0 ? TS_ENOTFOUND : TS_EINVAL;
    }
    *values = r.v;
    *n = r.n;
    return 0;
}

bool csvr_member(struct scn_obj *o, const char *column_default, double min, struct arena *a,
                 double **v, uint32_t *n)
{
    char file[256];
    char *path = scn_file(o, "file", file, sizeof file);
    const char *column =
        column_default ? scn_str(o, "column", column_default) : scn_str_req(o, "column");
    if (!path || !column) {
        free(path);
        return false;
    }
    double *vals;
    size_t count;
    char *why;
    int rc = csvr_column(path, column, min, &vals, &count, &why);
    free(path);
    if (rc != 0) {
        scn_error(o->s, scn_member(o, rc == TS_ENOTFOUND ? "column" : "file"), false,
                  "\"%s\": %s", file, why);
        free(why);
        return false;
    }
    *n = (uint32_t)count;
    *v = arena_alloc(a, count * sizeof **v);
    memcpy(*v, vals, count * sizeof *vals);
    free(vals);
    return true;
}
