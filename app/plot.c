/* plot.c — `tiersim plot DIR`: run gnuplot over the scripts in plots/ for one output folder.
 * For a run's folder the scripts take the folder and the names of the fleets, caches,
 * databases and Lambda functions (found in the timeseries header) as arguments (gnuplot -c
 * SCRIPT DIR FLEETS CACHES DBS FUNCTIONS FORMAT [EXTRA...]). For a sweep's folder (it has
 * sweep.csv) this file reads sweep.csv, lays the points out for plots/sweep.gp in a temporary
 * file, and passes the names and labels as gnuplot variables. */
#include "plot.h"

#include "tiersim/err.h"

#include <csv.h>
#include <errno.h>
#include <math.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

extern char **environ;

/* What every gnuplot call of one `tiersim plot` shares. */
struct plotter {
    const char *dir;     /* the folder plotted, where the images go */
    const char *scripts; /* the folder of the .gp scripts */
    const char *fmt;     /* "png" or "svg": the images' format and extension */
    bool quiet;
};

static bool on_path(const char *prog)
{
    const char *path = getenv("PATH");
    if (!path)
        return false;
    char *copy = ts_strdup(path), *save = NULL;
    bool found = false;
    for (char *d = strtok_r(copy, ":", &save); d && !found; d = strtok_r(NULL, ":", &save)) {
        char buf[4096];
        snprintf(buf, sizeof buf, "%s/%s", *d ? d : ".", prog);
        found = access(buf, X_OK) == 0;
    }
    free(copy);
    return found;
}

static bool readable(const char *dir, const char *file)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/%s", dir, file);
    return access(path, R_OK) == 0;
}

/* The header line of `dir`/`file` (malloc'ed, without its line end), or NULL if the file
 * cannot be read; an empty file gives "". *rows (if not NULL): a line follows the header. */
static char *header_of(const char *dir, const char *file, bool *rows)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/%s", dir, file);
    FILE *f = fopen(path, "r");
    if (!f)
        return NULL;
    size_t cap = 4096, len = 0;
    char *line = ts_malloc(cap);
    int c;
    while ((c = getc(f)) != EOF && c != '\n') {
        if (len + 1 >= cap)
            line = ts_realloc(line, cap *= 2);
        line[len++] = (char)c;
    }
    if (rows)
        *rows = c == '\n' && (c = getc(f)) != EOF && c != '\n' && c != '\r';
    fclose(f);
    if (len && line[len - 1] == '\r')
        len--;
    line[len] = '\0';
    return line;
}

/* Space-separated `middle`s of the columns of `header` named `prefix` `middle` `suffix`
 * with a non-empty middle, e.g. the fleets ("", ".in_service") or the services of the cost
 * ("cost_", "_usd"). */
static char *names_with(const char *header, const char *prefix, const char *suffix)
{
    char *line = ts_strdup(header ? header : "");
    char *names = ts_calloc(1, 1);
    size_t len = 0, pl = strlen(prefix), sl = strlen(suffix);
    char *save = NULL;
    for (char *col = strtok_r(line, ",", &save); col; col = strtok_r(NULL, ",", &save)) {
        size_t n = strlen(col);
        if (n > pl + sl && strncmp(col, prefix, pl) == 0 && strcmp(col + n - sl, suffix) == 0) {
            names = ts_realloc(names, len + n - pl - sl + 2);
            if (len)
                names[len++] = ' ';
            memcpy(names + len, col + pl, n - pl - sl);
            len += n - pl - sl;
            names[len] = '\0';
        }
    }
    free(line);
    return names;
}

static bool has_column(const char *header, const char *name)
{
    size_t n = strlen(name);
    for (const char *p = header; p && *p;) {
        const char *end = strchr(p, ',');
        size_t len = end ? (size_t)(end - p) : strlen(p);
        if (len == n && strncmp(p, name, n) == 0)
            return true;
        p = end ? end + 1 : NULL;
    }
    return false;
}

/* Run plots/`script` through gnuplot: `-e` `vars` first if not NULL, then `-c` with the
 * folder, `args` (NULL-terminated, at most 4: FLEETS CACHES DBS FUNCTIONS; missing ones
 * are ""), the format and up to two more (`extra`, NULL-terminated). 0 on success, else 1
 * with a message. */
static int gnuplot(const struct plotter *p, const char *script, const char *vars,
                   const char *const *args, const char *const *extra)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/%s", p->scripts, script);
    const char *argv[16];
    size_t n = 0;
    argv[n++] = "gnuplot";
    if (vars) {
        argv[n++] = "-e";
        argv[n++] = vars;
    }
    argv[n++] = "-c";
    argv[n++] = path;
    argv[n++] = p->dir;
    for (size_t i = 0; i < 4; i++)
        argv[n++] = args && args[i] ? args[i] : "";
    argv[n++] = p->fmt;
    for (size_t i = 0; extra && extra[i] && i < 2; i++)
        argv[n++] = extra[i];
    argv[n] = NULL;
    pid_t pid;
    /* posix_spawnp's argv is char *const[], though it writes nothing to the strings */
    int err = posix_spawnp(&pid, "gnuplot", NULL, NULL, (char *const *)(void *)argv, environ);
    int status = 0;
    if (err != 0 || waitpid(pid, &status, 0) < 0 || !WIFEXITED(status) ||
        WEXITSTATUS(status) != 0) {
        fprintf(stderr, "tiersim: gnuplot failed on %s for \"%s\"\n", path, p->dir);
        return 1;
    }
    return 0;
}

static void wrote(const struct plotter *p, const char *name)
{
    if (!p->quiet)
        printf("  wrote %s/%s.%s\n", p->dir, name, p->fmt);
}

/* The plots of one run's folder, from the names in its timeseries header. */
static int plot_run(const struct plotter *p, const char *header)
{
    /* the fleets, caches, databases and functions, each known by a column only its kind has */
    char *fleets = names_with(header, "", ".in_service");
    char *caches = names_with(header, "", ".hit_ratio");
    char *dbs = names_with(header, "", ".conn_queue");
    char *fns = names_with(header, "", ".cold_starts_ps");
    const char *args[] = {fleets, caches, dbs, fns};
    /* the cost's columns may be absent (a run of an older tiersim): no cost plot then */
    char *sum_header = header_of(p->dir, "summary.csv", NULL);
    char *services = names_with(sum_header, "cost_", "_usd");
    bool cost_ts = has_column(header, "cost_usd");
    char events[4096];
    snprintf(events, sizeof events, "%s/events.csv", p->dir);
    if (!readable(p->dir, "events.csv"))
        events[0] = '\0';
    /* each script, when the run has what it draws, and its extra arguments */
    const struct {
        const char *name;
        bool wanted;
        const char *extra[3];
    } plots[] = {
        {"load", true, {NULL}},
        {"latency", true, {NULL}},
        {"errors", true, {NULL}},
        {"fleet", *fleets != '\0', {events, NULL}},
        {"data", *caches || *dbs, {NULL}},
        {"lambda", *fns != '\0', {NULL}},
        {"cost", cost_ts || *services, {cost_ts ? "1" : "0", services, NULL}},
    };
    int rc = 0;
    for (size_t i = 0; i < sizeof plots / sizeof plots[0]; i++) {
        if (!plots[i].wanted)
            continue;
        char script[64];
        snprintf(script, sizeof script, "%s.gp", plots[i].name);
        /* one failed plot does not keep the others from being drawn */
        if (gnuplot(p, script, NULL, args, plots[i].extra) == 0)
            wrote(p, plots[i].name);
        else
            rc = 1;
    }
    free(sum_header);
    free(services);
    free(fleets);
    free(caches);
    free(dbs);
    free(fns);
    return rc;
}

/* ---- sweeps ---- */

/* sweep.csv as strings: row 0 is the header; every row has ncols cells (missing ones ""). */
struct table {
    char ***rows;
    size_t nrows, ncols;
    size_t cap;
    char **cur; /* the row being read */
    size_t ncur;
};

static void on_field(void *s, size_t len, void *data)
{
    struct table *t = data;
    t->cur = ts_realloc(t->cur, (t->ncur + 1) * sizeof *t->cur);
    char *cell = ts_malloc(len + 1);
    memcpy(cell, s, len);
    cell[len] = '\0';
    t->cur[t->ncur++] = cell;
}

static void on_row(int c, void *data)
{
    (void)c;
    struct table *t = data;
    if (t->ncur == 1 && !*t->cur[0]) { /* a blank line */
        free(t->cur[0]);
        t->ncur = 0;
        return;
    }
    if (t->nrows == 0)
        t->ncols = t->ncur;
    t->cur = ts_realloc(t->cur, (t->ncols > t->ncur ? t->ncols : t->ncur) * sizeof *t->cur);
    while (t->ncur < t->ncols)
        t->cur[t->ncur++] = ts_calloc(1, 1);
    for (size_t i = t->ncols; i < t->ncur; i++) /* cells past the header's: dropped */
        free(t->cur[i]);
    if (t->nrows == t->cap)
        t->rows = ts_realloc(t->rows, (t->cap = t->cap ? 2 * t->cap : 16) * sizeof *t->rows);
    t->rows[t->nrows++] = t->cur;
    t->cur = NULL;
    t->ncur = 0;
}

static void table_free(struct table *t)
{
    for (size_t r = 0; r < t->nrows; r++) {
        for (size_t c = 0; c < t->ncols; c++)
            free(t->rows[r][c]);
        free(t->rows[r]);
    }
    for (size_t i = 0; i < t->ncur; i++)
        free(t->cur[i]);
    free(t->cur);
    free(t->rows);
}

/* Read `path` into `t`; false with a message on stderr. */
static bool table_read(struct table *t, const char *path)
{
    memset(t, 0, sizeof *t);
    FILE *f = fopen(path, "rb");
    if (!f) {
        fprintf(stderr, "tiersim: cannot read \"%s\": %s\n", path, strerror(errno));
        return false;
    }
    struct csv_parser cp;
    bool ok = csv_init(&cp, CSV_APPEND_NULL) == 0;
    char buf[8192];
    size_t got;
    while (ok && (got = fread(buf, 1, sizeof buf, f)) > 0)
        ok = csv_parse(&cp, buf, got, on_field, on_row, t) == got;
    if (ok)
        ok = csv_fini(&cp, on_field, on_row, t) == 0;
    if (!ok)
        fprintf(stderr, "tiersim: \"%s\" is not valid CSV (%s)\n", path,
                csv_strerror(csv_error(&cp)));
    csv_free(&cp);
    fclose(f);
    return ok;
}

static ssize_t column_of(const struct table *t, const char *name)
{
    for (size_t c = 0; t->nrows && c < t->ncols; c++)
        if (strcmp(t->rows[0][c], name) == 0)
            return (ssize_t)c;
    return -1;
}

static bool number(const char *s, double *v)
{
    char *end;
    errno = 0;
    *v = strtod(s, &end);
    return *s && !*end && errno == 0 && isfinite(*v);
}

/* The KPIs of summary.csv a sweep plots, when sweep.csv has them: a title and the y axis's
 * label. A name starting with '.' is a suffix: every component's column with it. */
static const char *const sweep_kpis[][3] = {
    {"latency_p99_ms", "p99 latency", "latency (ms)"},
    {"latency_p50_ms", "median latency", "latency (ms)"},
    {"availability_pct", "availability", "requests ended successfully (%)"},
    {"errors", "requests that failed", "requests"},
    {"slo_violation_min", "minutes breaking the SLO", "minutes"},
    {"cost_usd", "cost", "USD"},
    {".instances_mean", "mean instances in service", "instances"},
    {".cold_starts", "cold starts", "invocations"},
};

/* Append `s` to the gnuplot text `*buf` as a single-quoted string ('' for a quote). */
static void gp_quote(char **buf, size_t *len, const char *s)
{
    size_t need = *len + 2 * strlen(s) + 3;
    *buf = ts_realloc(*buf, need + 1);
    char *o = *buf + *len;
    *o++ = '\'';
    for (; *s; s++) {
        if (*s == '\'')
            *o++ = '\'';
        *o++ = *s == '\n' || *s == '\r' ? ' ' : *s;
    }
    *o++ = '\'';
    *o = '\0';
    *len = (size_t)(o - *buf);
}

static void gp_append(char **buf, size_t *len, const char *s)
{
    size_t n = strlen(s);
    *buf = ts_realloc(*buf, *len + n + 1);
    memcpy(*buf + *len, s, n + 1);
    *len += n;
}

/* "array NAME[n] = ['a', 'b']; " */
static void gp_array(char **buf, size_t *len, const char *name, const char *const *v, size_t n)
{
    char head[128];
    snprintf(head, sizeof head, "array %s[%zu] = [", name, n);
    gp_append(buf, len, head);
    for (size_t i = 0; i < n; i++) {
        if (i)
            gp_append(buf, len, ", ");
        gp_quote(buf, len, v[i]);
    }
    gp_append(buf, len, "]; ");
}

/* One point of the sweep as the plot places it. */
struct spoint {
    size_t row;   /* its row in sweep.csv */
    size_t group; /* the line it is on: the values of the parameters after the first */
    double x;     /* the first parameter's value, or its rank when not every value is a number */
};

static int cmp_spoint(const void *a, const void *b)
{
    const struct spoint *p = a, *q = b;
    if (p->group != q->group)
        return p->group < q->group ? -1 : 1;
    if (p->x != q->x)
        return p->x < q->x ? -1 : 1;
    return p->row < q->row ? -1 : p->row > q->row;
}

/* The label of row r's group: "PATH=VALUE, PATH=VALUE" over the parameters first..last. */
static char *group_label(const struct table *t, size_t r, size_t first, size_t last)
{
    char *s = ts_calloc(1, 1);
    size_t len = 0;
    for (size_t c = first; c <= last; c++) {
        if (c > first)
            gp_append(&s, &len, ", ");
        gp_append(&s, &len, t->rows[0][c]);
        gp_append(&s, &len, "=");
        gp_append(&s, &len, t->rows[r][c]);
    }
    return s;
}

/* Write a CSV field for gnuplot: text in double quotes, which it cannot escape (" -> '). */
static void put_label(FILE *f, const char *s)
{
    putc('"', f);
    for (; *s; s++)
        putc(*s == '"' ? '\'' : *s == '\n' || *s == '\r' ? ' ' : *s, f);
    putc('"', f);
}

static int plot_sweep(const struct plotter *p)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/sweep.csv", p->dir);
    struct table t;
    if (!table_read(&t, path)) {
        table_free(&t);
        return 1;
    }
    ssize_t reps_col = column_of(&t, "reps");
    if (t.nrows < 2 || column_of(&t, "point") != 0 || reps_col < 2) {
        fprintf(stderr,
                "tiersim: \"%s\" is not a sweep table: it needs a header `point,<parameter>...,"
                "reps,...` and a row per point (docs/outputs.md)\n",
                path);
        table_free(&t);
        return 1;
    }
    size_t nparams = (size_t)reps_col - 1, npoints = t.nrows - 1;

    /* the KPIs: each with a _mean and a _ci95_half column; names, titles and units */
    size_t nk = 0, kcap = 8;
    size_t *kmean = ts_malloc(kcap * sizeof *kmean), *kci = ts_malloc(kcap * sizeof *kci);
    char **kname = ts_malloc(kcap * sizeof *kname), **ktitle = ts_malloc(kcap * sizeof *ktitle);
    const char **kunit = ts_malloc(kcap * sizeof *kunit);
    for (size_t i = 0; i < sizeof sweep_kpis / sizeof sweep_kpis[0]; i++) {
        const char *want = sweep_kpis[i][0];
        for (size_t c = 0; c < t.ncols; c++) {
            const char *col = t.rows[0][c];
            size_t n = strlen(col), ml = strlen("_mean"), wl = strlen(want);
            if (n <= ml || strcmp(col + n - ml, "_mean") != 0)
                continue;
            size_t kl = n - ml; /* the KPI's name: the column without _mean */
            bool match = want[0] == '.' ? kl > wl && strncmp(col + kl - wl, want, wl) == 0
                                        : kl == wl && strncmp(col, want, wl) == 0;
            if (!match)
                continue;
            char ci[1024];
            snprintf(ci, sizeof ci, "%.*s_ci95_half", (int)kl, col);
            ssize_t cic = column_of(&t, ci);
            if (cic < 0)
                continue;
            if (nk == kcap) {
                kcap *= 2;
                kmean = ts_realloc(kmean, kcap * sizeof *kmean);
                kci = ts_realloc(kci, kcap * sizeof *kci);
                kname = ts_realloc(kname, kcap * sizeof *kname);
                ktitle = ts_realloc(ktitle, kcap * sizeof *ktitle);
                kunit = ts_realloc(kunit, kcap * sizeof *kunit);
            }
            kmean[nk] = c;
            kci[nk] = (size_t)cic;
            kname[nk] = ts_malloc(kl + 1);
            memcpy(kname[nk], col, kl);
            kname[nk][kl] = '\0';
            size_t tl = kl + strlen(sweep_kpis[i][1]) + 4;
            ktitle[nk] = ts_malloc(tl);
            if (want[0] == '.') /* the component's name, then what it is */
                snprintf(ktitle[nk], tl, "%.*s: %s", (int)(kl - wl), col, sweep_kpis[i][1]);
            else
                snprintf(ktitle[nk], tl, "%s", sweep_kpis[i][1]);
            kunit[nk] = sweep_kpis[i][2];
            nk++;
        }
    }

    /* the points: x numeric if every value of the first parameter is a number, else ranks */
    struct spoint *pts = ts_calloc(npoints, sizeof *pts);
    bool numeric = true;
    for (size_t r = 1; r <= npoints && numeric; r++)
        numeric = number(t.rows[r][1], &pts[r - 1].x);
    char **groups = ts_calloc(npoints, sizeof *groups);
    size_t ngroups = 0;
    double reps_min = HUGE_VAL;
    size_t nranks = 0;
    for (size_t r = 1; r <= npoints; r++) {
        struct spoint *pt = &pts[r - 1];
        pt->row = r;
        if (!numeric) { /* the rank of the value among the first parameter's, in order met */
            size_t q = 1;
            while (q < r && strcmp(t.rows[q][1], t.rows[r][1]) != 0)
                q++;
            pt->x = q < r ? pts[q - 1].x : (double)++nranks;
        }
        char *g = nparams > 1 ? group_label(&t, r, 2, nparams) : ts_strdup("mean");
        size_t gi = 0;
        while (gi < ngroups && strcmp(groups[gi], g) != 0)
            gi++;
        if (gi == ngroups)
            groups[ngroups++] = g;
        else
            free(g);
        pt->group = gi;
        double reps;
        if (number(t.rows[r][reps_col], &reps) && reps < reps_min)
            reps_min = reps;
    }
    qsort(pts, npoints, sizeof *pts, cmp_spoint);

    /* the points, a block per group, in a temporary file beside sweep.csv */
    int rc = 0;
    char data[4096];
    snprintf(data, sizeof data, "%s/.tiersim-sweep-plot-XXXXXX", p->dir);
    int fd = nk ? mkstemp(data) : -1;
    FILE *f = fd >= 0 ? fdopen(fd, "w") : NULL;
    if (nk == 0) {
        fprintf(stderr, "tiersim: \"%s\" has none of the KPIs tiersim plots (%s_mean and "
                        "its _ci95_half, ...): no sweep plot drawn\n", path, sweep_kpis[0][0]);
        rc = 1;
    } else if (!f) {
        fprintf(stderr, "tiersim: cannot write a temporary file in \"%s\": %s\n", p->dir,
                strerror(errno));
        if (fd >= 0) {
            close(fd);
            unlink(data);
        }
        rc = 1;
    } else {
        for (size_t i = 0; i < npoints; i++) {
            const struct spoint *pt = &pts[i];
            if (i && pt->group != pts[i - 1].group)
                fputs("\n\n", f);
            fprintf(f, "%.17g,", pt->x);
            put_label(f, t.rows[pt->row][1]);
            for (size_t k = 0; k < nk; k++) {
                const char *m = t.rows[pt->row][kmean[k]], *h = t.rows[pt->row][kci[k]];
                double v;
                /* a mean without an interval (one replication) is drawn with no bar */
                fprintf(f, ",%s,%s", number(m, &v) ? m : "", number(h, &v) ? h : "0");
            }
            putc('\n', f);
        }
        if (fclose(f) != 0) {
            fprintf(stderr, "tiersim: cannot write \"%s\": %s\n", data, strerror(errno));
            rc = 1;
        }
    }
    if (rc == 0) {
        char *vars = NULL;
        size_t len = 0;
        char num[160];
        gp_append(&vars, &len, "data = ");
        gp_quote(&vars, &len, data);
        gp_append(&vars, &len, "; xname = ");
        gp_quote(&vars, &len, t.rows[0][1]);
        snprintf(num, sizeof num,
                 "; categorical = %d; xcount = %zu; groups = %zu; kpis = %zu; reps = %.0f; ",
                 numeric ? 0 : 1, nranks, ngroups, nk, isfinite(reps_min) ? reps_min : 0.0);
        gp_append(&vars, &len, num);
        gp_array(&vars, &len, "group", (const char *const *)groups, ngroups);
        gp_array(&vars, &len, "kpi_name", (const char *const *)kname, nk);
        gp_array(&vars, &len, "kpi_title", (const char *const *)ktitle, nk);
        gp_array(&vars, &len, "kpi_unit", kunit, nk);
        rc = gnuplot(p, "sweep.gp", vars, NULL, NULL);
        for (size_t k = 0; rc == 0 && k < nk; k++) {
            char name[1100];
            snprintf(name, sizeof name, "sweep-%s", kname[k]);
            wrote(p, name);
        }
        free(vars);
        unlink(data);
    }
    for (size_t g = 0; g < ngroups; g++)
        free(groups[g]);
    free(groups);
    free(pts);
    for (size_t k = 0; k < nk; k++) {
        free(kname[k]);
        free(ktitle[k]);
    }
    free(kmean);
    free(kci);
    free(kname);
    free(ktitle);
    free(kunit);
    table_free(&t);
    return rc;
}

int plot_dir(const char *dir, bool quiet, bool svg)
{
    if (!on_path("gnuplot")) {
        fprintf(stderr, "tiersim: gnuplot is not installed, so no plots were drawn "
                        "(on Debian: apt-get install gnuplot-nox); the CSV files are complete "
                        "without them\n");
        return 1;
    }
    struct plotter p = {.dir = dir, .fmt = svg ? "svg" : "png", .quiet = quiet};
    p.scripts = getenv("TIERSIM_PLOTS_DIR");
    if (!p.scripts || !*p.scripts)
        p.scripts = TIERSIM_PLOTS_DIR;
    if (readable(dir, "sweep.csv"))
        return plot_sweep(&p);
    bool rows = false;
    char *header = header_of(dir, "timeseries.csv", &rows);
    int err = errno, rc;
    if (header && rows) {
        rc = plot_run(&p, header);
    } else if (header) {
        fprintf(stderr, "tiersim: \"%s/timeseries.csv\" has no rows (the run stopped before "
                        "its first interval ended?): nothing to plot\n", dir);
        rc = 1;
    } else if (readable(dir, "summary-ci.csv")) {
        fprintf(stderr, "tiersim: \"%s\" holds replications, which have no time series of "
                        "their own: plot one of them, e.g. `tiersim plot %s/rep-001`\n",
                dir, dir);
        rc = 1;
    } else {
        fprintf(stderr, "tiersim: cannot read \"%s/timeseries.csv\": %s (run `tiersim run` "
                        "first?)\n", dir, strerror(err));
        rc = 1;
    }
    free(header);
    return rc;
}
