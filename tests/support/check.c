/* check.c — the test harness (check.h). */
#include "check.h"

#include "tiersim/scn.h"

#include <gsl/gsl_cdf.h>
#include <gsl/gsl_errno.h>
#include <stdlib.h>
#include <string.h>

int check_failures;
int check_count;

char *check_scn_errors(struct scn *s)
{
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    TS_ASSERT(f != NULL);
    scn_print_errors(s, f);
    fclose(f);
    return buf;
}

int check_done(void)
{
    printf("%d passed, %d failed\n", check_count - check_failures, check_failures);
    return check_failures ? 1 : 0;
}

/* The rest of check_load and check_load_file, after the text is read (rc its code). */
static int finish_load(struct check_scenario *cs, int rc, const char *const *sets);

int check_load(struct check_scenario *cs, const char *json, const char *const *sets)
{
    gsl_set_error_handler_off();
    memset(cs, 0, sizeof *cs);
    cs->scn = scn_new();
    return finish_load(cs, scn_load_text(cs->scn, "test.json", ".", json, strlen(json)), sets);
}

int check_load_file(struct check_scenario *cs, const char *path, const char *const *sets)
{
    gsl_set_error_handler_off();
    memset(cs, 0, sizeof *cs);
    cs->scn = scn_new();
    return finish_load(cs, scn_load_file(cs->scn, path), sets);
}

static int finish_load(struct check_scenario *cs, int rc, const char *const *sets)
{
    for (int i = 0; rc == 0 && sets && sets[i]; i++)
        scn_set(cs->scn, sets[i]);
    if (rc == 0 && scn_error_count(cs->scn) == 0)
        rc = world_config_read(cs->scn, &cs->wc);
    if (scn_error_count(cs->scn)) {
        scn_print_errors(cs->scn, stderr);
        return TS_ESCENARIO;
    }
    cs->loaded = rc == 0;
    return rc;
}

/* A run needs a scenario that loaded: anything else would check a half-read configuration. */
static void need_loaded(const struct check_scenario *cs)
{
    if (cs->loaded)
        return;
    check_count++;
    check_failures++;
    fprintf(stderr, "the scenario did not load: nothing to run\n");
    exit(check_done());
}

void check_unload(struct check_scenario *cs)
{
    world_config_release(&cs->wc);
    scn_free(cs->scn);
    memset(cs, 0, sizeof *cs);
}

double check_run_value(struct check_scenario *cs, uint64_t seed, const char *col)
{
    need_loaded(cs);
    uint64_t saved = cs->wc.seed;
    cs->wc.seed = seed;
    struct run_opts o = {.out_dir = NULL, .run = 1};
    struct run_result res;
    int rc = run_scenario(&cs->wc, &o, &res);
    double v = rc == 0 ? run_result_get(&res, col) : TS_NAN;
    if (rc != 0)
        fprintf(stderr, "run failed: %s\n", res.error);
    run_result_release(&res);
    cs->wc.seed = saved;
    return v;
}

void check_ci(const double *x, int n, double level, double *mean, double *half)
{
    double m = 0, ss = 0;
    for (int i = 0; i < n; i++)
        m += x[i];
    m /= n;
    for (int i = 0; i < n; i++)
        ss += (x[i] - m) * (x[i] - m);
    double sd = n > 1 ? sqrt(ss / (n - 1)) : TS_NAN;
    double t = gsl_cdf_tdist_Pinv(1.0 - (1.0 - level) / 2.0, (double)(n - 1));
    *mean = m;
    *half = t * sd / sqrt((double)n);
}

void check_in_ci(const char *what, const double *x, int n, double level, double analytic)
{
    double m, h;
    check_ci(x, n, level, &m, &h);
    bool inside = fabs(m - analytic) <= h;
    printf("%-48s simulated %.6g +- %.3g (%.0f%% CI, %d reps), analytic %.6g: %s\n", what, m, h,
           level * 100, n, analytic, inside ? "inside" : "OUTSIDE");
    CHECK(inside, "%s: analytic %.6g outside [%.6g, %.6g]", what, analytic, m - h, m + h);
}

/* --- tables ------------------------------------------------------------------------------ */

#include <csv.h>

struct loader {
    struct check_table *t;
    char **row;      /* fields of the row being read */
    uint32_t nfield, cap;
    bool header_done;
};

static void on_field(void *data, size_t len, void *ctx)
{
    struct loader *l = ctx;
    if (l->nfield == l->cap) {
        l->cap = l->cap ? l->cap * 2 : 64;
        l->row = realloc(l->row, l->cap * sizeof *l->row);
    }
    char *f = malloc(len + 1);
    memcpy(f, data ? data : "", len);
    f[len] = '\0';
    l->row[l->nfield++] = f;
}

static void on_row(int c, void *ctx)
{
    (void)c;
    struct loader *l = ctx;
    struct check_table *t = l->t;
    if (!l->header_done) {
        t->header = l->row;
        t->ncols = l->nfield;
        l->header_done = true;
        l->row = NULL;
        l->nfield = l->cap = 0;
        return;
    }
    t->cell = realloc(t->cell, ((size_t)t->nrows + 1) * t->ncols * sizeof *t->cell);
    for (uint32_t i = 0; i < t->ncols; i++)
        t->cell[(size_t)t->nrows * t->ncols + i] = i < l->nfield ? l->row[i] : strdup("");
    for (uint32_t i = t->ncols; i < l->nfield; i++)
        free(l->row[i]);
    t->nrows++;
    l->nfield = 0;
}

bool check_table_load(struct check_table *t, const char *dir, const char *file)
{
    memset(t, 0, sizeof *t);
    char path[512];
    snprintf(path, sizeof path, "%s/%s", dir, file);
    FILE *f = fopen(path, "rb");
    CHECK(f != NULL, "cannot read %s", path);
    if (!f)
        return false;
    struct csv_parser p;
    csv_init(&p, CSV_APPEND_NULL);
    struct loader l = {.t = t};
    char buf[65536];
    size_t got;
    while ((got = fread(buf, 1, sizeof buf, f)) > 0)
        csv_parse(&p, buf, got, on_field, on_row, &l);
    csv_fini(&p, on_field, on_row, &l);
    csv_free(&p);
    fclose(f);
    free(l.row);
    return true;
}

void check_table_free(struct check_table *t)
{
    for (uint32_t i = 0; i < t->ncols; i++)
        free(t->header[i]);
    for (size_t i = 0; i < (size_t)t->nrows * t->ncols; i++)
        free(t->cell[i]);
    free(t->header);
    free(t->cell);
    memset(t, 0, sizeof *t);
}

int check_col(const struct check_table *t, const char *name)
{
    for (uint32_t i = 0; i < t->ncols; i++)
        if (strcmp(t->header[i], name) == 0)
            return (int)i;
    CHECK(0, "no column \"%s\"", name);
    return -1;
}

const char *check_cell(const struct check_table *t, uint32_t row, int col)
{
    if (col < 0 || row >= t->nrows)
        return "";
    return t->cell[(size_t)row * t->ncols + (uint32_t)col];
}

double check_num(const struct check_table *t, uint32_t row, int col)
{
    const char *s = check_cell(t, row, col);
    return *s ? strtod(s, NULL) : TS_NAN;
}

int check_run_to(struct check_scenario *cs, const char *dir, struct run_result *res)
{
    need_loaded(cs);
    static const char *const files[] = {"timeseries.csv", "events.csv", "summary.csv",
                                        "scenario.json"};
    for (size_t i = 0; i < sizeof files / sizeof files[0]; i++) {
        char path[512];
        snprintf(path, sizeof path, "%s/%s", dir, files[i]);
        remove(path);
    }
    char *text = scn_print(cs->scn);
    struct run_opts o = {.out_dir = dir, .scenario = text, .run = 1};
    int rc = run_scenario(&cs->wc, &o, res);
    free(text);
    return rc;
}

int check_run_file(const char *path, const char *const *sets, const char *dir)
{
    struct check_scenario cs;
    int rc = check_load_file(&cs, path, sets);
    if (rc == 0) {
        struct run_result res;
        rc = check_run_to(&cs, dir, &res);
        run_result_release(&res);
    }
    check_unload(&cs);
    return rc;
}

bool check_parse(const char *json, check_read_fn read, void *cfg, struct arena *a)
{
    struct scn *s = scn_new();
    bool ok = scn_load_text(s, "component.json", ".", json, strlen(json)) == 0;
    struct scn_obj o;
    if (ok && scn_open(s, scn_root(s), &o)) {
        scn_member(&o, "type");
        ok = read(&o, cfg, a);
        scn_close(&o);
    }
    if (scn_error_count(s)) {
        scn_print_errors(s, stderr);
        ok = false;
    }
    scn_free(s);
    return ok;
}

void check_events_open(struct sim *sim, struct csvw *w, const char *path)
{
    CHECK(csvw_open(w, path) == 0, "open %s", path);
    const char *head[] = {"t_s", "component", "event", "detail"};
    for (int i = 0; i < 4; i++)
        csvw_str(w, head[i]);
    csvw_end_row(w);
    sim->events_out = w;
}

void check_events_close(struct sim *sim, struct csvw *w, struct check_table *t, const char *path)
{
    CHECK(csvw_commit(w) == 0, "write %s", path);
    sim->events_out = NULL;
    check_table_load(t, ".", path);
}

double check_event_at(const struct check_table *t, const char *event, const char *needle)
{
    for (uint32_t i = 0; i < t->nrows; i++)
        if (strcmp(check_cell(t, i, 2), event) == 0 && strstr(check_cell(t, i, 3), needle))
            return check_num(t, i, 0);
    return -1;
}

bool check_same_file(const char *a, const char *b)
{
    FILE *fa = fopen(a, "rb"), *fb = fopen(b, "rb");
    bool same = fa && fb;
    while (same) {
        int ca = getc(fa), cb = getc(fb);
        same = ca == cb;
        if (ca == EOF || cb == EOF)
            break;
    }
    if (fa)
        fclose(fa);
    if (fb)
        fclose(fb);
    return same;
}
