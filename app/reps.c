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

const struct run_result *reps_columns(const struct run_result *runs, uint32_t n)
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
    const struct run_result *h = reps_columns(runs, n);
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

void reps_kpi_ci(const struct run_result *runs, uint32_t n, uint32_t col, struct reps_ci *ci)
{
    const struct run_result *h = reps_columns(runs, n);
    TS_ASSERT(h && col < h->ncols);
    double *x = ts_calloc(n, sizeof *x);
    for (uint32_t k = 0; k < n; k++) {
        const struct run_result *r = &runs[k];
        bool ok = r->status && strcmp(r->status, "complete") == 0 && same_columns(r, h);
        x[k] = ok ? r->values[col] : TS_NAN;
    }
    reps_ci(x, n, ci);
    free(x);
}

int reps_write_ci(const char *path, const struct run_result *runs, uint32_t n)
{
    const struct run_result *h = reps_columns(runs, n);
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
    for (uint32_t i = 0; h && i < h->ncols; i++) {
        struct reps_ci ci;
        reps_kpi_ci(runs, n, i, &ci);
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
    return csvw_commit(&w);
}

struct pool {
    const struct world_config *wc;
    const struct reps_opts *o;
    struct run_result *runs;
    atomic_uint next; /* the next replication to take, 0-based */
};

char *reps_dir(const struct reps_opts *o, uint32_t k)
{
    if (!o->out_dir)
        return NULL;
    if (o->reps == 1)
        return ts_strdup(o->out_dir);
    int width = 3;
    for (uint32_t m = 1000; m <= o->reps; m *= 10)
        width++;
    size_t len = strlen(o->out_dir) + 32;
    char *dir = ts_malloc(len);
    snprintf(dir, len, "%s/rep-%0*u", o->out_dir, width, k);
    return dir;
}

void reps_not_run(struct run_result *r, uint64_t seed)
{
    memset(r, 0, sizeof *r);
    r->rc = TS_EINTR;
    r->status = "not_run";
    r->seed = seed;
    snprintf(r->error, sizeof r->error, "not started: interrupted before");
}

void reps_run_one(const struct world_config *wc, const struct reps_opts *o, uint32_t k,
                  struct run_result *r)
{
    struct world_config one = *wc;
    one.seed = reps_seed(wc->seed, k);
    char *dir = reps_dir(o, k);
    struct run_opts ro = {
        .out_dir = dir,
        /* with replications, one scenario.json in out_dir; the seed is in summary.csv */
        .scenario = o->reps == 1 ? o->scenario : NULL,
        .run = k,
        .interrupt = o->interrupt,
        /* one line per thread would garble the terminal */
        .progress = o->reps == 1 && o->progress,
    };
    run_scenario(&one, &ro, r);
    free(dir);
}

static void *worker(void *arg)
{
    struct pool *p = arg;
    for (;;) {
        unsigned k = atomic_fetch_add(&p->next, 1u);
        if (k >= p->o->reps)
            return NULL;
        if (p->o->interrupt && *p->o->interrupt)
            reps_not_run(&p->runs[k], reps_seed(p->wc->seed, k + 1));
        else
            reps_run_one(p->wc, p->o, k + 1, &p->runs[k]);
    }
}

static int fail(char *err, size_t size, int rc, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
static int fail(char *err, size_t size, int rc, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err, size, fmt, ap);
    va_end(ap);
    return rc;
}

static char *join(const char *dir, const char *file)
{
    size_t n = strlen(dir) + strlen(file) + 2;
    char *s = ts_malloc(n);
    snprintf(s, n, "%s/%s", dir, file);
    return s;
}

/* Remove out_dir/file if it is there; 0 or TS_EIO with a message. */
static int remove_old(const char *dir, const char *file, char *err, size_t size)
{
    char *path = join(dir, file);
    int rc = 0;
    if (remove(path) != 0 && errno != ENOENT)
        rc = fail(err, size, TS_EIO, "cannot remove the old \"%s\": %s", path, strerror(errno));
    free(path);
    return rc;
}

int reps_begin(const struct reps_opts *o, char *err, size_t size)
{
    if (!o->out_dir)
        return 0;
    if (o->reps == 1) /* only a stale summary-ci.csv of an earlier replicated run goes, so it
                         cannot be taken for this run's; the run removes its own files */
        return remove_old(o->out_dir, "summary-ci.csv", err, size);
    if (run_make_dirs(o->out_dir) != 0)
        return fail(err, size, TS_EIO, "cannot create the folder \"%s\": %s", o->out_dir,
                    strerror(errno));
    /* files of an earlier run here go first, so none can be mistaken for this run's */
    static const char *const top[] = {"summary.csv",    "summary-ci.csv", "scenario.json",
                                      "timeseries.csv", "events.csv",     "faults.csv"};
    int rc = 0;
    for (size_t i = 0; i < sizeof top / sizeof *top && rc == 0; i++)
        rc = remove_old(o->out_dir, top[i], err, size);
    if (rc == 0 && o->scenario) {
        char *path = join(o->out_dir, "scenario.json");
        if (write_file_atomic(path, o->scenario) != 0)
            rc = fail(err, size, TS_EIO, "cannot write \"%s\": %s", path, strerror(errno));
        free(path);
    }
    return rc;
}

int reps_end(const struct reps_opts *o, const struct run_result *runs, char *err, size_t size)
{
    if (!o->out_dir || o->reps == 1)
        return 0;
    int rc = 0;
    char *sum = join(o->out_dir, "summary.csv"), *ci = join(o->out_dir, "summary-ci.csv");
    if (reps_write_summary(sum, runs, o->reps) != 0)
        rc = fail(err, size, TS_EIO, "cannot write \"%s\": %s", sum, strerror(errno));
    else if (reps_write_ci(ci, runs, o->reps) != 0)
        rc = fail(err, size, TS_EIO, "cannot write \"%s\": %s", ci, strerror(errno));
    free(sum);
    free(ci);
    return rc;
}

/* The run's verdict into res: the first failure in replication order, else an
 * interruption, else rc (a file error of reps_end). */
static void verdict(struct reps_result *res, int rc, const char *err)
{
    for (uint32_t k = 0; k < res->n && !res->rc; k++) {
        const struct run_result *r = &res->runs[k];
        if (r->rc != 0 && r->rc != TS_EINTR)
            res->rc = fail(res->error, sizeof res->error, r->rc,
                           "replication %u (seed %llu): %s", k + 1,
                           (unsigned long long)r->seed, r->error);
    }
    for (uint32_t k = 0; k < res->n && !res->rc; k++) {
        const struct run_result *r = &res->runs[k];
        if (r->rc == TS_EINTR)
            res->rc = fail(res->error, sizeof res->error, TS_EINTR,
                           "interrupted in replication %u (%s)", k + 1, r->error);
    }
    if (!res->rc && rc)
        res->rc = fail(res->error, sizeof res->error, rc, "%s", err);
}

int reps_run(const struct world_config *wc, const struct reps_opts *o, struct reps_result *res)
{
    TS_ASSERT(o->reps >= 1 && o->reps <= REPS_MAX && o->jobs >= 1);
    memset(res, 0, sizeof *res);
    res->n = o->reps;
    res->runs = ts_calloc(o->reps, sizeof *res->runs);
    res->rc = reps_begin(o, res->error, sizeof res->error);
    if (res->rc)
        return res->rc;
    if (o->reps == 1) {
        /* exactly the single run: same files, same bytes */
        reps_run_one(wc, o, 1, &res->runs[0]);
        res->rc = res->runs[0].rc;
        snprintf(res->error, sizeof res->error, "%s", res->runs[0].error);
        return res->rc;
    }

    struct pool p = {.wc = wc, .o = o, .runs = res->runs};
    atomic_init(&p.next, 0u);
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

    char err[sizeof res->error] = "";
    int rc = reps_end(o, res->runs, err, sizeof err);
    verdict(res, rc, err);
    return res->rc;
}

void reps_result_release(struct reps_result *res)
{
    for (uint32_t k = 0; k < res->n; k++)
        run_result_release(&res->runs[k]);
    free(res->runs);
    memset(res, 0, sizeof *res);
}
