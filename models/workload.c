/* workload.c — Poisson arrivals (constant, piecewise-linear or trace rate), the request
 * pool, and the client-side statistics.
 *
 * Rules:
 * - Arrivals form a Poisson process whose rate is the scenario's `rate`, sampled exactly by
 *   inverting the integrated rate, which is quadratic on each piece of the shape (the rate is
 *   linear there): one Exp(1) draw per arrival, quiet pieces cost nothing.
 * - A request counts in summary.csv when it arrived at or after the warm-up; it counts in
 *   timeseries.csv in the interval in which it arrived (offered) or ended (ok, errors).
 * - Latency statistics are over successful requests only: an error's time says nothing of
 *   service and a fast rejection would flatter the quantiles. Errors are counted by status.
 * - Each request is of one class, drawn by the classes' weights from its own stream, so
 *   adding classes leaves the arrival times unchanged.
 * - Clients (`client`): an attempt not answered within `timeout` is abandoned (its work goes
 *   on downstream and ends in the sink) and counts as a failure; a failure (any error, or a
 *   timeout) is retried after exponential backoff with full jitter while attempts remain
 *   (retry_backoff), as AWS SDKs do. A request counts once, in its final status; latency
 *   runs from its first attempt; attempts are counted apart.
 * Simplifications: open loop only (no think time); every error is retryable.
 */
#include "tiersim/models/workload.h"

#include "tiersim/arena.h"
#include "tiersim/csvr.h"
#include "tiersim/rng.h"
#include "tiersim/scn.h"
#include "tiersim/stats.h"

#include <gsl/gsl_randist.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

/* --- configuration ---------------------------------------------------------------------- */

static bool read_points(struct scn_obj *o, struct rate_config *r, struct arena *a)
{
    cJSON *pts = scn_member_req(o, "points");
    if (!pts)
        return false;
    char what[64];
    int n = cJSON_GetArraySize(pts);
    if (!cJSON_IsArray(pts) || n == 0) {
        scn_error(o->s, pts, false, "expected a non-empty array of [time, rps] points, got %s",
                  cJSON_IsArray(pts) ? "an empty array" : scn_describe(pts, what, sizeof what));
        return false;
    }
    r->n = (uint32_t)n;
    r->t = arena_alloc(a, (size_t)n * sizeof *r->t);
    r->v = arena_alloc(a, (size_t)n * sizeof *r->v);
    bool ok = true;
    uint32_t i = 0;
    const cJSON *p;
    cJSON_ArrayForEach(p, pts)
    {
        if (!cJSON_IsArray(p) || cJSON_GetArraySize(p) != 2) {
            scn_error(o->s, p, false, "expected a point [time, rps], got %s",
                      scn_describe(p, what, sizeof what));
            ok = false;
        } else {
            const cJSON *t = cJSON_GetArrayItem(p, 0), *v = cJSON_GetArrayItem(p, 1);
            bool ti = scn_as_dur(o->s, t, SCN_NONNEG, &r->t[i]);
            bool vi = scn_as_num(o->s, v, SCN_NONNEG, &r->v[i]);
            if (ti && i > 0 && r->t[i] <= r->t[i - 1]) {
                scn_error(o->s, t, false,
                          "must be after the previous point's time (%.10g s), got %.10g s",
                          sim_s(r->t[i - 1]), sim_s(r->t[i]));
                ti = false;
            }
            ok = ok && ti && vi;
        }
        i++;
    }
    return ok;
}

static bool read_trace(struct scn_obj *o, struct rate_config *r, struct arena *a)
{
    static const char *const ends[] = {"repeat", "hold", "zero", NULL};
    bool ok = csvr_member(o, "rps", 0.0, a, &r->v, &r->n);
    r->end = (enum trace_end)scn_enum(o, "end", ends, TRACE_REPEAT);
    return ok;
}

static bool read_rate(struct scn_obj *o, struct rate_config *r, struct arena *a)
{
    cJSON *v = scn_member_req(o, "rate");
    if (!v)
        return false;
    if (cJSON_IsNumber(v)) {
        r->kind = RATE_CONST;
        return scn_as_num(o->s, v, SCN_NONNEG, &r->rps);
    }
    if (!cJSON_IsObject(v)) {
        char what[64];
        scn_error(o->s, v, false,
                  "expected requests per second (a number) or a shape such as {\"shape\": "
                  "\"piecewise\", \"points\": [[0, 100], [\"1h\", 400]]}, got %s",
                  scn_describe(v, what, sizeof what));
        return false;
    }
    static const char *const shapes[] = {"piecewise", "trace", NULL};
    struct scn_obj ro;
    scn_open(o->s, v, &ro);
    int shape = scn_enum_req(&ro, "shape", shapes);
    bool ok = false;
    if (shape == 0) {
        r->kind = RATE_PIECEWISE;
        ok = read_points(&ro, r, a);
    } else if (shape == 1) {
        r->kind = RATE_TRACE;
        ok = read_trace(&ro, r, a);
    } else {
        /* unknown shape: accept the keys of every shape so only the shape is reported */
        scn_member(&ro, "points");
        scn_member(&ro, "file");
        scn_member(&ro, "column");
        scn_member(&ro, "end");
    }
    scn_close(&ro);
    return ok;
}

/* `classes`: an object of class name -> weight (> 0); absent, one class "default". */
static void read_classes(struct scn_obj *o, struct workload_config *c, struct arena *a)
{
    cJSON *cl = scn_member(o, "classes");
    c->classes_at = cl;
    char what[64];
    int n = cl ? cJSON_GetArraySize(cl) : 0;
    if (cl && (!cJSON_IsObject(cl) || n == 0)) {
        scn_error(o->s, cl, false, "expected an object of class name -> weight, got %s",
                  cJSON_IsObject(cl) ? "an empty object" : scn_describe(cl, what, sizeof what));
        c->classes_bad = true;
        cl = NULL;
    }
    if (!cl) {
        c->nclasses = 1;
        c->classes = arena_alloc(a, sizeof *c->classes);
        c->weights = arena_alloc(a, sizeof *c->weights);
        c->classes[0] = "default";
        c->weights[0] = 1;
        return;
    }
    c->classes = arena_alloc(a, (size_t)n * sizeof *c->classes);
    c->weights = arena_alloc(a, (size_t)n * sizeof *c->weights);
    double total = 0;
    const cJSON *e;
    cJSON_ArrayForEach(e, cl)
    {
        if (!scn_good_name(e->string)) {
            scn_error(o->s, e, true,
                      "bad class name: use a letter, then letters, digits, '_' or '-' (at most "
                      "40 characters)");
            c->classes_bad = true;
        }
        double w = 0;
        scn_as_num(o->s, e, SCN_POS, &w);
        c->classes[c->nclasses] = arena_strdup(a, e->string);
        c->weights[c->nclasses++] = w;
        total += w;
    }
    for (uint32_t i = 0; i < c->nclasses && total > 0; i++)
        c->weights[i] /= total;
}

bool workload_config_from_json(struct scn_obj *o, struct workload_config *c, struct arena *a)
{
    static const char *const arrivals[] = {"poisson", NULL};
    memset(c, 0, sizeof *c);
    unsigned before = scn_error_count(o->s);
    c->entry = arena_strdup(a, scn_str_req(o, "entry"));
    c->entry_at = scn_member(o, "entry");
    scn_enum(o, "arrivals", arrivals, 0);
    read_rate(o, &c->rate, a);
    read_classes(o, c, a);
    c->client = RETRY_NONE;
    if (scn_member(o, "client")) {
        struct scn_obj co;
        scn_open_member(o, "client", false, &co);
        retry_config_read(&co, &c->client);
        scn_close(&co);
    }
    return scn_error_count(o->s) == before;
}

/* --- the rate --------------------------------------------------------------------------- */

/* A piecewise shape's last point at or before t (t >= its first point). */
static uint32_t last_point(const struct rate_config *r, int64_t t)
{
    uint32_t lo = 0, hi = r->n;
    while (hi - lo > 1) {
        uint32_t mid = lo + (hi - lo) / 2;
        if (r->t[mid] <= t)
            lo = mid;
        else
            hi = mid;
    }
    return lo;
}

double rate_at(const struct rate_config *r, int64_t t, double *seg_max, int64_t *seg_end)
{
    switch (r->kind) {
    case RATE_CONST:
        *seg_max = r->rps;
        *seg_end = INT64_MAX;
        return r->rps;
    case RATE_PIECEWISE: {
        if (t < r->t[0]) {
            *seg_max = r->v[0];
            *seg_end = r->t[0];
            return r->v[0];
        }
        uint32_t lo = last_point(r, t);
        if (lo == r->n - 1) {
            *seg_max = r->v[lo];
            *seg_end = INT64_MAX;
            return r->v[lo];
        }
        double f = (double)(t - r->t[lo]) / (double)(r->t[lo + 1] - r->t[lo]);
        *seg_max = fmax(r->v[lo], r->v[lo + 1]);
        *seg_end = r->t[lo + 1];
        return r->v[lo] + f * (r->v[lo + 1] - r->v[lo]);
    }
    case RATE_TRACE: {
        int64_t sec = t / SIM_NS_PER_S;
        double v = 0;
        if (sec < (int64_t)r->n) {
            v = r->v[sec];
        } else {
            switch (r->end) {
            case TRACE_REPEAT:
                v = r->v[sec % r->n];
                break;
            case TRACE_HOLD:
                v = r->v[r->n - 1];
                break;
            case TRACE_ZERO:
                *seg_max = 0;
                *seg_end = INT64_MAX;
                return 0;
            }
        }
        *seg_max = v;
        *seg_end = (sec + 1) * SIM_NS_PER_S;
        return v;
    }
    }
    return 0;
}

/* --- the clients ------------------------------------------------------------------------ */

/* Final error statuses, counted apart. */
#define NSTATUS 7

static int status_index(uint16_t s)
{
    switch (s) {
    case REQ_E400:
        return 0;
    case REQ_E429:
        return 1;
    case REQ_E500:
        return 2;
    case REQ_E502:
        return 3;
    case REQ_E503:
        return 4;
    case REQ_E504:
        return 5;
    default:
        return 6; /* REQ_TIMEOUT */
    }
}

static const char *const status_col[NSTATUS] = {"errors_400", "errors_429", "errors_500",
                                                "errors_502", "errors_503", "errors_504",
                                                "errors_timeout"};

/* Counts and latencies of one class after the warm-up (with several classes). */
struct class_stats {
    uint64_t requests, ok, errors;
    struct welford lat;
    struct hist hist;
};

struct workload {
    struct component comp; /* the client: bottom frame of every request */
    struct component sink; /* attempts the client gave up on end here */
    const struct workload_config *cfg;
    struct component *entry;
    gsl_rng *rng, *rng_class, *rng_backoff;
    gsl_ran_discrete_t *class_table; /* NULL with one class */
    uint64_t next_id;

    struct req_pool *pool; /* the run's, shared with the components */
    uint64_t in_flight, peak_in_flight; /* client requests (not attempts) */

    /* this interval */
    uint64_t iv_offered, iv_attempts, iv_ok, iv_err[NSTATUS];
    struct welford iv_lat;
    struct hist iv_hist;
    /* after warm-up */
    uint64_t requests, attempts, ok, err[NSTATUS], finished;
    struct welford lat;
    struct hist hist;
    struct class_stats *cls; /* per class, with several classes */

    uint32_t c_ts, c_sum; /* first column of ours in each table */

    /* this minute, for the SLO (workload_on_minute), and every request answered so far */
    uint64_t min_ok, min_err, min_slow;
    double min_threshold; /* s: an ok request slower than this is slow */
    int64_t min_start;
    minute_fn on_minute;
    void *on_minute_ctx;
    uint64_t all_answered, all_errors;
};

static void on_timeout(struct sim *sim, void *ctx, uint64_t arg);

/* Send attempt r->attempt of request r to the entry component. */
static void send(struct sim *sim, struct workload *w, struct request *r)
{
    w->iv_attempts++;
    if (r->counted)
        w->attempts++;
    r->status = REQ_PENDING;
    r->op = OP_HTTP;
    r->arg = 0;
    if (w->cfg->client.timeout > 0)
        r->stack[0].ev =
            sim_after(sim, w->cfg->client.timeout, on_timeout, w, (uint64_t)(uintptr_t)r);
    comp_call(sim, r, w->entry);
}

static void on_retry(struct sim *sim, void *ctx, uint64_t arg)
{
    struct request *r = (struct request *)(uintptr_t)arg;
    r->stack[0].ev = 0;
    r->attempt++;
    send(sim, ctx, r);
}

/* The request has its final answer, at time `at`: count it and return it to the pool.
 * Latency runs from the first attempt. */
static void finish(struct workload *w, struct request *r, int64_t at)
{
    struct class_stats *cs = w->cls && r->counted ? &w->cls[r->cls] : NULL;
    if (r->status == REQ_OK) {
        double lat = sim_s(at - r->t_arrival);
        size_t b = hist_bucket(&w->iv_hist, lat);
        w->iv_ok++;
        welford_add(&w->iv_lat, lat);
        hist_add_at(&w->iv_hist, b, lat);
        w->min_ok++;
        w->min_slow += lat > w->min_threshold;
        if (r->counted) {
            w->ok++;
            welford_add(&w->lat, lat);
            hist_add_at(&w->hist, b, lat);
        }
        if (cs) {
            cs->ok++;
            welford_add(&cs->lat, lat);
            hist_add_at(&cs->hist, b, lat);
        }
    } else {
        w->iv_err[status_index(r->status)]++;
        w->min_err++;
        w->all_errors++;
        if (r->counted)
            w->err[status_index(r->status)]++;
        if (cs)
            cs->errors++;
    }
    if (r->counted)
        w->finished++;
    w->all_answered++;
    w->in_flight--;
    req_free(w->pool, r);
}

/* An attempt failed at time `at` (an error, or the client's timeout): try again, or give
 * up. */
static void failed(struct sim *sim, struct workload *w, struct request *r, int64_t at)
{
    const struct retry_config *rc = &w->cfg->client;
    if (r->attempt < rc->max_attempts) {
        int64_t pause = retry_backoff(rc, r->attempt, w->rng_backoff);
        r->stack[0].ev = sim_at(sim, at + pause, on_retry, w, (uint64_t)(uintptr_t)r);
        return;
    }
    finish(w, r, at);
}

/* An attempt is back. The client is a relay (component.h): the answer reaches it r->lag
 * from now, after the last network leg, and is counted at that time without an event of
 * its own. An answer that would arrive after the attempt's timeout is a timeout, at the
 * timeout's time. */
static void client_resume(struct sim *sim, struct component *self, struct request *r)
{
    struct workload *w = (struct workload *)self;
    int64_t at = sim->now + r->lag;
    r->lag = 0;
    evq_handle timer = r->stack[0].ev;
    int64_t deadline = timer ? evq_time_of(&sim->q, timer) : -1;
    sim_cancel(sim, timer);
    r->stack[0].ev = 0;
    if (deadline >= 0 && at > deadline) {
        r->status = REQ_TIMEOUT;
        failed(sim, w, r, deadline);
        return;
    }
    if (r->status == REQ_OK)
        finish(w, r, at);
    else
        failed(sim, w, r, at);
}

/* The client stops waiting for an attempt: the work goes on into the sink. */
static void on_timeout(struct sim *sim, void *ctx, uint64_t arg)
{
    struct workload *w = ctx;
    struct request *r = (struct request *)(uintptr_t)arg;
    r->stack[0].ev = 0;
    if (r->depth == 1)
        comp_cancel_pending(sim, r); /* the answer is crossing the network: too late */
    else
        r = req_detach(sim, r, 0, &w->sink);
    r->status = REQ_TIMEOUT;
    failed(sim, w, r, sim->now);
}

static const struct component_ops client_ops = {
    .type = "client",
    .accept = comp_accept_none,
    .resume = client_resume,
    .subscribe = NULL,
    .relay = true,
};

static const struct component_ops sink_ops = {
    .type = "client-abandoned",
    .accept = comp_accept_none,
    .resume = comp_resume_free,
    .subscribe = NULL,
};

static void on_arrival(struct sim *sim, void *ctx, uint64_t arg);

/* The slope of the rate (requests/s per s) on the piece of the shape that t lies in: the
 * rate is linear on every piece. */
static double slope_at(const struct rate_config *r, int64_t t)
{
    if (r->kind != RATE_PIECEWISE || t < r->t[0] || t >= r->t[r->n - 1])
        return 0;
    uint32_t lo = last_point(r, t);
    return (r->v[lo + 1] - r->v[lo]) / sim_s(r->t[lo + 1] - r->t[lo]);
}

/* Schedule the next arrival after `from`, exactly, by inverting the integrated rate: the
 * next arrival is where the rate's integral from `from` reaches a draw E of Exp(1). On a
 * piece where the rate is v + s x (x in s from t), that is v x + s x^2 / 2 = E, solved as
 * x = 2E / (v + sqrt(v^2 + 2 s E)); a piece whose integral falls short of E passes on what
 * remains of E to the next. One draw per arrival, none rejected. */
static void schedule_next(struct sim *sim, struct workload *w, int64_t from)
{
    const struct rate_config *rc = &w->cfg->rate;
    int64_t t = from;
    double e = gsl_ran_exponential(w->rng, 1.0);
    for (;;) {
        double dummy_max;
        int64_t end;
        double v = rate_at(rc, t, &dummy_max, &end);
        double s = slope_at(rc, t);
        double len = end == INT64_MAX ? HUGE_VAL : sim_s(end - t); /* s to the piece's end */
        double disc = v * v + 2.0 * s * e;
        double x = HUGE_VAL; /* s to the arrival, if it lies on this piece */
        if (disc >= 0 && v + sqrt(disc) > 0)
            x = 2.0 * e / (v + sqrt(disc));
        if (x < len) {
            if (x > 1e9)
                return; /* past any run: no more traffic */
            t += sim_ns(x);
            break;
        }
        if (end == INT64_MAX)
            return; /* the rate is 0 from here on: no more traffic, ever */
        e -= v * len + s * len * len / 2.0;
        if (e < 0) /* rounding at the piece's end */
            e = 0;
        t = end;
    }
    sim_at(sim, t, on_arrival, w, 0);
}

static void on_arrival(struct sim *sim, void *ctx, uint64_t arg)
{
    (void)arg;
    struct workload *w = ctx;
    struct request *r = req_new(w->pool);
    if (++w->in_flight > w->peak_in_flight)
        w->peak_in_flight = w->in_flight;
    r->id = ++w->next_id;
    r->t_arrival = sim->now;
    r->counted = sim->now >= sim->warmup;
    r->cls = w->class_table ? (uint16_t)gsl_ran_discrete(w->rng_class, w->class_table) : 0;
    r->depth = 1;
    memset(&r->stack[0], 0, sizeof r->stack[0]);
    r->stack[0].comp = &w->comp;
    r->stack[0].az = -1; /* on the internet */
    w->iv_offered++;
    if (r->counted) {
        w->requests++;
        if (w->cls)
            w->cls[r->cls].requests++;
    }
    /* the next arrival first: the call below may finish the request synchronously */
    schedule_next(sim, w, sim->now);
    send(sim, w, r);
}

/* --- reporting ------------------------------------------------------------------------- */

static double ms(double s)
{
    return s * 1e3;
}

static void report_ts(struct sim *sim, void *ctx, double *row, int64_t span)
{
    (void)sim;
    struct workload *w = ctx;
    double sec = sim_s(span);
    double *c = row + w->c_ts;
    uint64_t errors = 0;
    for (int i = 0; i < NSTATUS; i++)
        errors += w->iv_err[i];
    int k = 0;
    c[k++] = (double)w->iv_offered / sec;
    c[k++] = (double)w->iv_attempts / sec;
    c[k++] = (double)w->iv_ok / sec;
    c[k++] = (double)errors / sec;
    for (int i = 0; i < NSTATUS; i++)
        c[k++] = (double)w->iv_err[i] / sec;
    c[k++] = ms(welford_mean(&w->iv_lat));
    c[k++] = ms(hist_quantile(&w->iv_hist, 0.50));
    c[k++] = ms(hist_quantile(&w->iv_hist, 0.99));
    c[k++] = (double)w->in_flight;
    w->iv_offered = w->iv_attempts = w->iv_ok = 0;
    memset(w->iv_err, 0, sizeof w->iv_err);
    w->iv_lat = (struct welford)WELFORD_INIT;
    hist_reset(&w->iv_hist);
}

static void report_summary(struct sim *sim, void *ctx, double *row, int64_t span)
{
    (void)sim;
    struct workload *w = ctx;
    double *c = row + w->c_sum;
    uint64_t errors = 0;
    for (int i = 0; i < NSTATUS; i++)
        errors += w->err[i];
    int k = 0;
    c[k++] = (double)w->requests;
    c[k++] = (double)w->attempts;
    c[k++] = (double)w->ok;
    c[k++] = (double)errors;
    for (int i = 0; i < NSTATUS; i++)
        c[k++] = (double)w->err[i];
    c[k++] = (double)(w->requests - w->finished);
    c[k++] = w->ok + errors ? 100.0 * (double)w->ok / (double)(w->ok + errors) : TS_NAN;
    c[k++] = span > 0 ? (double)w->ok / sim_s(span) : TS_NAN;
    c[k++] = ms(welford_mean(&w->lat));
    c[k++] = ms(sqrt(welford_var(&w->lat)));
    c[k++] = ms(hist_quantile(&w->hist, 0.50));
    c[k++] = ms(hist_quantile(&w->hist, 0.90));
    c[k++] = ms(hist_quantile(&w->hist, 0.99));
    c[k++] = ms(hist_quantile(&w->hist, 0.999));
    c[k++] = ms(w->hist.n ? w->hist.max : TS_NAN);
    for (uint32_t i = 0; w->cls && i < w->cfg->nclasses; i++) {
        const struct class_stats *cs = &w->cls[i];
        c[k++] = (double)cs->requests;
        c[k++] = (double)cs->ok;
        c[k++] = (double)cs->errors;
        c[k++] = ms(welford_mean(&cs->lat));
        c[k++] = ms(hist_quantile(&cs->hist, 0.50));
        c[k++] = ms(hist_quantile(&cs->hist, 0.99));
    }
}

struct workload *workload_new(struct sim *sim, const struct workload_config *c,
                              struct component *entry, struct req_pool *pool)
{
    struct workload *w = ts_calloc(1, sizeof *w);
    w->pool = pool;
    w->comp.ops = &client_ops;
    w->comp.name = "client";
    w->comp.az = -1;
    w->sink.ops = &sink_ops;
    w->sink.name = "client";
    w->sink.az = -1;
    w->cfg = c;
    w->entry = entry;
    w->rng = sim_rng(sim, "workload", "arrivals");
    w->rng_class = sim_rng(sim, "workload", "classes");
    w->rng_backoff = sim_rng(sim, "workload", "backoff");
    if (c->nclasses > 1) {
        w->class_table = gsl_ran_discrete_preproc(c->nclasses, c->weights);
        if (!w->class_table)
            ts_out_of_memory();
        w->cls = ts_calloc(c->nclasses, sizeof *w->cls);
        for (uint32_t i = 0; i < c->nclasses; i++) {
            w->cls[i].lat = (struct welford)WELFORD_INIT;
            hist_init(&w->cls[i].hist);
        }
    }
    w->iv_lat = w->lat = (struct welford)WELFORD_INIT;
    hist_init(&w->iv_hist);
    hist_init(&w->hist);
    return w;
}

void workload_start(struct sim *sim, struct workload *w)
{
    w->c_ts = sim_column(&sim->ts, 3, "offered_rps");
    sim_column(&sim->ts, 3, "attempts_rps");
    sim_column(&sim->ts, 3, "ok_rps");
    sim_column(&sim->ts, 3, "error_rps");
    for (int i = 0; i < NSTATUS; i++)
        sim_column(&sim->ts, 3, "%s_rps", status_col[i]);
    sim_column(&sim->ts, 3, "latency_mean_ms");
    sim_column(&sim->ts, 3, "latency_p50_ms");
    sim_column(&sim->ts, 3, "latency_p99_ms");
    sim_column(&sim->ts, 0, "in_flight");
    sim_reporter(&sim->ts, report_ts, w);

    w->c_sum = sim_column(&sim->summary, 0, "requests");
    sim_column(&sim->summary, 0, "attempts");
    sim_column(&sim->summary, 0, "ok");
    sim_column(&sim->summary, 0, "errors");
    for (int i = 0; i < NSTATUS; i++)
        sim_column(&sim->summary, 0, "%s", status_col[i]);
    sim_column(&sim->summary, 0, "unfinished");
    sim_column(&sim->summary, 4, "availability_pct");
    sim_column(&sim->summary, 3, "throughput_rps");
    sim_column(&sim->summary, 3, "latency_mean_ms");
    sim_column(&sim->summary, 3, "latency_sd_ms");
    sim_column(&sim->summary, 3, "latency_p50_ms");
    sim_column(&sim->summary, 3, "latency_p90_ms");
    sim_column(&sim->summary, 3, "latency_p99_ms");
    sim_column(&sim->summary, 3, "latency_p999_ms");
    sim_column(&sim->summary, 3, "latency_max_ms");
    for (uint32_t i = 0; w->cls && i < w->cfg->nclasses; i++) {
        const char *n = w->cfg->classes[i];
        sim_column(&sim->summary, 0, "%s.requests", n);
        sim_column(&sim->summary, 0, "%s.ok", n);
        sim_column(&sim->summary, 0, "%s.errors", n);
        sim_column(&sim->summary, 3, "%s.latency_mean_ms", n);
        sim_column(&sim->summary, 3, "%s.latency_p50_ms", n);
        sim_column(&sim->summary, 3, "%s.latency_p99_ms", n);
    }
    sim_reporter(&sim->summary, report_summary, w);

    schedule_next(sim, w, sim->now);
}

void workload_free(struct workload *w)
{
    if (!w)
        return;
    hist_release(&w->iv_hist);
    hist_release(&w->hist);
    for (uint32_t i = 0; w->cls && i < w->cfg->nclasses; i++)
        hist_release(&w->cls[i].hist);
    free(w->cls);
    if (w->class_table)
        gsl_ran_discrete_free(w->class_table);
    free(w);
}

uint64_t workload_in_flight(const struct workload *w)
{
    return w->in_flight;
}

uint64_t workload_peak_in_flight(const struct workload *w)
{
    return w->peak_in_flight;
}

/* --- minutes, for the SLO ------------------------------------------------------------------ */

/* Hand the minute (or the part of one) since min_start to the listener, and start another. */
static void close_minute(struct sim *sim, struct workload *w)
{
    struct minute_stats m = {
        .start = w->min_start,
        .end = sim->now,
        .ok = w->min_ok,
        .errors = w->min_err,
        .slow = w->min_slow,
    };
    w->min_ok = w->min_err = w->min_slow = 0;
    w->min_start = sim->now;
    w->on_minute(sim, w->on_minute_ctx, &m);
}

static void on_minute(struct sim *sim, void *ctx, uint64_t arg)
{
    (void)arg;
    struct workload *w = ctx;
    close_minute(sim, w);
    sim_after(sim, WORKLOAD_MINUTE, on_minute, w, 0);
}

void workload_on_minute(struct sim *sim, struct workload *w, double threshold, minute_fn fn,
                        void *ctx)
{
    TS_ASSERT(!w->on_minute && fn);
    w->on_minute = fn;
    w->on_minute_ctx = ctx;
    w->min_threshold = threshold;
    w->min_start = sim->now;
    w->min_ok = w->min_err = w->min_slow = 0;
    sim_after(sim, WORKLOAD_MINUTE, on_minute, w, 0);
}

void workload_end_minute(struct sim *sim, struct workload *w)
{
    if (w->on_minute && sim->now > w->min_start)
        close_minute(sim, w);
}

void workload_totals(const struct workload *w, uint64_t *answered, uint64_t *errors)
{
    *answered = w->all_answered;
    *errors = w->all_errors;
}
