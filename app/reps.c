/* reps.c — replications: derived seeds, a pool of threads taking replications in turn, and
 * the two tables written in replication order once every thread is done.
 *
 * Thread safety rests on three facts: a replication owns its struct sim, its world and its
 * output files; the world_config is only read (world_new takes it const); and the process
 * state GSL keeps (its error handler) is set once by main before any thread starts. The
 * only shared mutable datum is the counter of the next replication to take.
 */
#include "reps.h"

#include "tiersim/csvw.h"
#include "tiersim/stats.h"

#include <errno.h>
#include <gsl/gsl_cdf.h>
#include <math.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

uint64_t reps_seed(uint64_t seed, uint32_t k)
{
    if (k <= 1)
        return seed;
    /* splitmix64 (Steele, Lea & Flood 2014): one step from seed + k * golden gamma */
    uint64_t z = seed + (uint64_t)k * UINT64_C(0x9E3779B97F4A7C15);
    z = (z ^ (z >> 30)) * UINT64_C(0xBF58476D1CE4E5B9);
    z = (z ^ (z >> 27)) * UINT64_C(0x94D049BB133111EB);
    z ^= z >> 31;
    return z & ((UINT64_C(1) << 53) - 1);
}

void reps_ci(const double *x, uint32_t n, struct reps_ci *ci)
{
    struct welford w = WELFORD_INIT;
    for (uint32_t i = 0; i < n; i++)
        if (!isnan(x[i]))
            welford_add(&w, x[i]);
    ci->count = (uint32_t)w.n;
    ci->mean = welford_mean(&w);
    ci->sd = ci->half = TS_NAN;
    if (w.n < 2)
        return;
    ci->sd = sqrt(welford_var(&w));
    double t = gsl_cdf_tdist_Pinv(0.975, (double)(w.n - 1));
    ci->half = t * ci->sd / sqrt((double)w.n);
}

/* The run whose columns head the tables: the first that has any. */
static const struct run_result *columns_of(const struct run_result *runs, uint32_t n)
{
    for (uint32_t k = 0; k < n; k++)
        if (runs[k].ncols > 0)
            return &runs[k];
    return NULL;
}

/* Whether run r has exactly the columns of h (every replication of one scenario does). */
static bool same_columns(const struct run_result *r, const struct run_result *h)
{
    if (!h || r->ncols != h->ncols)
        return false;
    for (uint32_t i = 0; i < h->ncols; i++)
        if (strcmp(r->names[i], h->names[i]) != 0)
            return false;
    return true;
}

int reps_write_summary(const char *path, const struct run_result *runs, uint32_t n)
{
    const struct run_result *h = columns_of(runs, n);
    uint32_t ncols = h ? h->ncols : 0;
    struct csvw w;
    if (csvw_open(&w, path) != 0) {
        csvw_abort(&w);
        return TS_EIO;
    }
    csvw_str(&w, "run");
    csvw_str(&w, "seed");
    csvw_str(&w, "status");
    for (uint32_t i = 0; i < ncols; i++)
        csvw_str(&w, h->names[i]);
    csvw_end_row(&w);
    for (uint32_t k = 0; k < n; k++) {
        const struct run_result *r = &runs[k];
        bool cols = same_columns(r, h);
        csvw_int(&w, (int64_t)k + 1);
        csvw_int(&w, (int64_t)r->seed);
        csvw_str(&w, r->status ? r->status : "not_run");
        for (uint32_t i = 0; i < ncols; i++)
            csvw_num(&w, cols ? r->values[i] : TS_NAN, h->decimals[i]);
        csvw_end_row(&w);
    }
    return csvw_commit(&w);
}

int reps_write_ci(const char *path, const struct run_result *runs, uint32_t n)
{
    const struct run_result *h = columns_of(runs, n);
    struct csvw w;
    if (csvw_open(&w, path) != 0) {
        csvw_abort(&w);
        return TS_EIO;
    }
    static const char *const head[] = {"kpi",       "n",        "mean",     "sd",
                                       "ci95_half", "ci95_low", "ci95_high"};
    for (size_t i = 0; i < sizeof head / sizeof *head; i++)
        csvw_str(&w, head[i]);
    csvw_end_row(&w);
    double *x = ts_calloc(n ? n : 1u, sizeof *x);
    for (uint32_t i = 0; h && i < h->ncols; i++) {
        for (uint32_t k = 0; k < n; k++) {
            const struct run_result *r = &runs[k];
            bool ok = r->status && strcmp(r->status, "complete") == 0 && same_columns(r, h);
            x[k] = ok ? r->values[i] : TS_NAN;
        }
        struct reps_ci ci;
        reps_ci(x, n, &ci);
        int d = h->decimals[i] + 2; /* a mean of n values carries a little more */
        csvw_str(&w, h->names[i]);
        csvw_int(&w, ci.count);
        csvw_num(&w, ci.mean, d);
        csvw_num(&w, ci.sd, d);
        csvw_num(&w, ci.half, d);
        csvw_num(&w, ci.mean - ci.half, d);
        csvw_num(&w, ci.mean + ci.half, d);
        csvw_end_row(&w);
    }
    free(x);
    return csvw_commit(&w);
}

struct pool {
    const struct world_config *wc;
    const struct reps_opts *o;
    struct run_result *runs;
    int width; /* digits of the rep-NNN folder names */
    atomic_uint next; /* the next replication to take, 0-based */
};

static void run_one(struct pool *p, uint32_t k)
{
    struct run_result *r = &p->runs[k];
    struct world_config wc = *p->wc;
    wc.seed = reps_seed(p->wc->seed, k + 1);
    if (p->o->interrupt && *p->o->interrupt) {
        memset(r, 0, sizeof *r);
        r->rc = TS_EINTR;
        r->status = "not_run";
        r->seed = wc.seed;
        snprintf(r->error, sizeof r->error, "not started: interrupted before");
        return;
    }
    char *dir = NULL;
    if (p->o->out_dir) {
        size_t len = strlen(p->o->out_dir) + 32;
        dir = ts_malloc(len);
        snprintf(dir, len, "%s/rep-%0*u", p->o->out_dir, p->width, k + 1);
    }
    struct run_opts ro = {
        .out_dir = dir,
        .scenario = NULL, /* one scenario.json, in out_dir; the seed is in summary.csv */
        .run = k + 1,
        .interrupt = p->o->interrupt,
        .progress = false, /* one line per thread would garble the terminal */
    };
    run_scenario(&wc, &ro, r);
    free(dir);
}

static void *worker(void *arg)
{
    struct pool *p = arg;
    for (;;) {
        unsigned k = atomic_fetch_add(&p->next, 1u);
        if (k >= p->o->reps)
            return NULL;
        run_one(p, k);
    }
}

static void fail(struct reps_result *res, int rc, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static void fail(struct reps_result *res, int rc, const char *fmt, ...)
{
    if (res->rc)
        return;
    res->rc = rc;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(res->error, sizeof res->error, fmt, ap);
    va_end(ap);
}

static char *join(const char *dir, const char *file)
{
    size_t n = strlen(dir) + strlen(file) + 2;
    char *s = ts_malloc(n);
    snprintf(s, n, "%s/%s", dir, file);
    return s;
}

int reps_run(const struct world_config *wc, const struct reps_opts *o, struct reps_result *res)
{
    TS_ASSERT(o->reps >= 1 && o->reps <= REPS_MAX && o->jobs >= 1);
    memset(res, 0, sizeof *res);
    res->n = o->reps;
    res->runs = ts_calloc(o->reps, sizeof *res->runs);

    if (o->reps == 1) {
        /* exactly the single run: same files, same bytes; only a stale summary-ci.csv of an
         * earlier replicated run in the folder goes, so it cannot be taken for this run's */
        if (o->out_dir) {
            char *ci = join(o->out_dir, "summary-ci.csv");
            if (remove(ci) != 0 && errno != ENOENT)
                fail(res, TS_EIO, "cannot remove the old \"%s\": %s", ci, strerror(errno));
            free(ci);
            if (res->rc)
                return res->rc;
        }
        struct run_opts ro = {.out_dir = o->out_dir,
                              .scenario = o->scenario,
                              .run = 1,
                              .interrupt = o->interrupt,
                              .progress = o->progress};
        run_scenario(wc, &ro, &res->runs[0]);
        res->rc = res->runs[0].rc;
        snprintf(res->error, sizeof res->error, "%s", res->runs[0].error);
        return res->rc;
    }

    static const char *const top[] = {"summary.csv", "summary-ci.csv", "scenario.json",
                                      "timeseries.csv", "events.csv", "faults.csv"};
    char *paths[sizeof top / sizeof *top] = {NULL};
    if (o->out_dir) {
        if (run_make_dirs(o->out_dir) != 0) {
            fail(res, TS_EIO, "cannot create the folder \"%s\": %s", o->out_dir,
                 strerror(errno));
            return res->rc;
        }
        /* files of an earlier run here go first, so none can be mistaken for this run's */
        for (size_t i = 0; i < sizeof top / sizeof *top; i++) {
            paths[i] = join(o->out_dir, top[i]);
            if (remove(paths[i]) != 0 && errno != ENOENT)
                fail(res, TS_EIO, "cannot remove the old \"%s\": %s", paths[i],
                     strerror(errno));
        }
        if (!res->rc && o->scenario && write_file_atomic(paths[2], o->scenario) != 0)
            fail(res, TS_EIO, "cannot write \"%s\": %s", paths[2], strerror(errno));
        if (res->rc) {
            for (size_t i = 0; i < sizeof top / sizeof *top; i++)
                free(paths[i]);
            return res->rc;
        }
    }

    struct pool p = {.wc = wc, .o = o, .runs = res->runs, .width = 3};
    atomic_init(&p.next, 0u);
    for (uint32_t m = 1000; m <= o->reps; m *= 10)
        p.width++;
    uint32_t nthreads = o->jobs < o->reps ? o->jobs : o->reps;
    pthread_t *t = ts_calloc(nthreads, sizeof *t);
    uint32_t started = 0;
    /* this thread is one of the workers; should a thread not start, the others take its
     * replications (they draw from one counter), so results never depend on it */
    for (uint32_t i = 1; i < nthreads; i++)
        if (pthread_create(&t[started], NULL, worker, &p) == 0)
            started++;
    worker(&p);
    for (uint32_t i = 0; i < started; i++)
        pthread_join(t[i], NULL);
    free(t);

    /* the run's verdict: the first failure in replication order, else an interruption */
    for (uint32_t k = 0; k < o->reps; k++) {
        const struct run_result *r = &res->runs[k];
        if (r->rc != 0 && r->rc != TS_EINTR)
            fail(res, r->rc, "replication %u (seed %llu): %s", k + 1,
                 (unsigned long long)r->seed, r->error);
    }
    for (uint32_t k = 0; k < o->reps; k++) {
        const struct run_result *r = &res->runs[k];
        if (r->rc == TS_EINTR)
            fail(res, TS_EINTR, "interrupted in replication %u (%s)", k + 1, r->error);
    }
    if (o->out_dir) {
        if (reps_write_summary(paths[0], res->runs, o->reps) != 0)
            fail(res, TS_EIO, "cannot write \"%s\": %s", paths[0], strerror(errno));
        if (reps_write_ci(paths[1], res->runs, o->reps) != 0)
            fail(res, TS_EIO, "cannot write \"%s\": %s", paths[1], strerror(errno));
        for (size_t i = 0; i < sizeof top / sizeof *top; i++)
            free(paths[i]);
    }
    return res->rc;
}

void reps_result_release(struct reps_result *res)
{
    for (uint32_t k = 0; k < res->n; k++)
        run_result_release(&res->runs[k]);
    free(res->runs);
    memset(res, 0, sizeof *res);
}
