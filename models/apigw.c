/* apigw.c — an Amazon API Gateway API: the account-level token bucket, the gateway's own
 * latency, the integration timeout, the statuses a proxy integration's answers become, and
 * the price per request.
 *
 * Rules (reference/aws-behavior.md, docs/models/apigw.md):
 * - Throttling (APIGW-1): a token bucket holding at most `burst` tokens, refilled
 *   continuously at `rate` tokens per second, full at t = 0 (tiersim's choice). A request
 *   that arrives takes one token and goes on; one that finds less than one token is answered
 *   429 at once and never reaches the integration.
 * - A request that passes waits the gateway's `latency` (UNCERTAIN: AWS publishes no figure)
 *   and is forwarded. If the integration has not answered `integration_timeout` after that
 *   (APIGW-2: 29 s), the client gets 504 then (INTEGRATION_TIMEOUT) and the integration's
 *   work goes on, detached to the sink (req_detach), the way a caller abandons work.
 * - The integration's answer: an HTTP proxy integration's status passes through (an ALB's
 *   502/503/504 included); a connection it lost (REQ_TIMEOUT, a dead ALB node) is an
 *   INTEGRATION_FAILURE, 504 by default. A Lambda proxy integration: a throttle (429, LAM-7)
 *   is an invocation the Lambda API rejected, which API Gateway answers 500 — the
 *   INTEGRATION_FAILURE response, remappable: `lambda_throttle_status` — and a function error
 *   (500: a failed step, a function timeout) a 502 (Lambda guide, "Handling Lambda errors with
 *   an API Gateway API"; re:Post "API Gateway proxy integration does not forward Lambda
 *   throttling (HTTP 429) to client"; LAM-9).
 * - Price (APIGW-3): every request that passed the bucket is billed `usd_per_million` (REST
 *   $3.50, HTTP $1.00 per million: the price table's unless the scenario gives it); throttled
 *   requests are not (an AWS answer on re:Post, UNCERTAIN). The cost model bills them
 *   (apigw_billed_requests, models/cost.c).
 * Simplifications: one bucket per apigw component (AWS's is per account and Region, shared by
 * every API); no stage, method or usage-plan throttles, no quotas, no caching, no
 * authorizers; the price's volume tiers are ignored; the gateway never fails or queues.
 */
#include "tiersim/models/apigw.h"

#include "tiersim/arena.h"
#include "tiersim/scn.h"
#include "tiersim/stats.h"

#include <stddef.h>
#include <stdlib.h>
#include <string.h>

/* --- configuration ----------------------------------------------------------------------- */

static const char *const api_type_names[] = {"rest", "http", NULL};

/* The statuses a gateway response may be remapped to that tiersim counts (component.h). */
static const uint16_t remap_statuses[] = {REQ_E400, REQ_E429, REQ_E500,
                                          REQ_E502, REQ_E503, REQ_E504};

bool apigw_config_from_json(struct scn_obj *o, struct apigw_config *c, struct arena *a)
{
    memset(c, 0, sizeof *c);
    struct scn *s = o->s;
    unsigned before = scn_error_count(s);
    c->api_type = (enum apigw_api_type)scn_enum(o, "api_type", api_type_names, APIGW_REST);
    c->integration = arena_strdup(a, scn_str_req(o, "integration"));
    c->integration_at = scn_member(o, "integration");
    /* APIGW-1: the account's default quota, 10,000 requests/s with a burst of 5,000 */
    c->rate = scn_num(o, "rate", 10000, SCN_POS);
    c->burst = (uint32_t)scn_int(o, "burst", 5000, 1, 1000000000);
    /* APIGW-2: 50 ms to 29 s, the default 29 s; Regional and private REST APIs may go up to
     * 300 s (with a lower account throttle), HTTP APIs up to 30 s (UNCERTAIN) */
    c->integration_timeout = scn_dur(o, "integration_timeout", 29, SCN_IN(0.05, 300));
    if (c->api_type == APIGW_HTTP && c->integration_timeout > scn_ns(30))
        scn_error(s, scn_member(o, "integration_timeout"), false,
                  "must be at most 30 s for an HTTP API (only REST APIs may go up to 300 s, "
                  "APIGW-2), got %.10g s",
                  sim_s(c->integration_timeout));
    /* AWS publishes no figure for the gateway's own time: tiersim's choice (UNCERTAIN) */
    dist_read(o, "latency", "{\"dist\": \"lognormal\", \"mean\": \"5ms\", \"sd\": \"2ms\"}",
              &c->latency, a);
    unsigned before_status = scn_error_count(s);
    int64_t st = scn_int(o, "lambda_throttle_status", 500, INT32_MIN, INT32_MAX);
    c->lambda_throttle_status = REQ_E500;
    bool known = false;
    for (size_t k = 0; k < sizeof remap_statuses / sizeof remap_statuses[0]; k++)
        if (st == remap_statuses[k]) {
            c->lambda_throttle_status = remap_statuses[k];
            known = true;
        }
    if (!known && scn_error_count(s) == before_status) /* not a range error already */
        scn_error(s, scn_member(o, "lambda_throttle_status"), false,
                  "must be one of 400, 429, 500, 502, 503, 504 (the statuses tiersim counts), "
                  "got %lld",
                  (long long)st);
    /* APIGW-3: absent, the price table's (the world fills it in, models/cost.c) */
    c->usd_per_million = TS_NAN;
    if (scn_member(o, "usd_per_million"))
        scn_num_req(o, "usd_per_million", SCN_NONNEG, &c->usd_per_million);
    return scn_error_count(s) == before;
}

void apigw_config_release(struct apigw_config *c)
{
    dist_release(&c->latency);
}

/* --- state ---------------------------------------------------------------------------------- */

/* Answers by status as the client sees them: 200, a 4xx of the integration's (passed through
 * or remapped; the bucket's own 429s are counted apart), 500, 502, 503, 504. */
enum { S_OK, S_4XX, S_500, S_502, S_503, S_504, NS };

/* Counters since the start; a row and the summary keep their own copies to subtract. */
struct counts {
    uint64_t requests;  /* arrived (every attempt), throttled or not */
    uint64_t throttled; /* answered 429 by the bucket */
    uint64_t status[NS];
    uint64_t timeouts;  /* 504s of the integration timeout (within status[S_504]) */
    uint64_t lat_n;     /* integration answers timed */
    double lat_sum;     /* s, their integration latency */
};

struct apigw {
    struct component comp; /* the API */
    struct component sink; /* takes over the work it stopped waiting for (504) */
    const struct apigw_config *cfg;
    struct component *integration;
    enum apigw_integration kind;
    gsl_rng *rng_latency;
    bool zero_latency;

    double tokens;  /* in the bucket at t_fill */
    int64_t t_fill; /* ns */

    struct counts n, at_row, at_warm;
    struct hist iv_hist;  /* integration latency, this interval */
    struct hist sum_hist; /* the same, answers after the warm-up */
    uint32_t c_ts, c_sum;
};

#define APIGW_OF(c, member) ((struct apigw *)((char *)(c)-offsetof(struct apigw, member)))

double apigw_tokens(const struct apigw *g, int64_t now)
{
    /* rate x ns first: a whole number of tokens stays exact (100/s over 10 ms is 1, not
     * 0.9999...) */
    double t = g->tokens + g->cfg->rate * (double)(now - g->t_fill) / 1e9;
    double cap = (double)g->cfg->burst;
    return t < cap ? t : cap;
}

/* --- requests ------------------------------------------------------------------------------- */

static void on_integration_timeout(struct sim *sim, void *ctx, uint64_t arg);

/* A client's request arrives: take a token or answer 429; forward it after the gateway's
 * latency, with the integration timeout running from then. */
static void apigw_accept(struct sim *sim, struct component *self, struct request *r)
{
    struct apigw *g = APIGW_OF(self, comp);
    g->n.requests++;
    double t = apigw_tokens(g, sim->now);
    g->t_fill = sim->now;
    if (t < 1.0) {
        g->tokens = t;
        g->n.throttled++;
        comp_reply(sim, r, REQ_E429);
        return;
    }
    g->tokens = t - 1.0;
    int64_t lat = g->zero_latency ? 0 : sim_ns(dist_sample(&g->cfg->latency, g->rng_latency));
    struct frame *f = req_top(r);
    f->aux2 = sim->now + lat;                        /* forwarded */
    f->aux = f->aux2 + g->cfg->integration_timeout; /* the 504's time */
    f->pc = 0;
    f->ev = sim_at(sim, f->aux, on_integration_timeout, g, req_pack(r, r->depth - 1u));
    r->op = OP_HTTP;
    r->arg = 0;
    comp_call_after(sim, r, g->integration, lat);
}

/* What the client sees of the integration's answer s. */
static enum req_status client_status(const struct apigw *g, enum req_status s)
{
    if (s == REQ_TIMEOUT) /* a connection lost: INTEGRATION_FAILURE, 504 by default */
        return REQ_E504;
    switch (g->kind) {
    case APIGW_HTTP_PROXY:
        return s;
    case APIGW_LAMBDA_PROXY:
        if (s == REQ_E429) /* the Lambda API refused the invocation (LAM-7) */
            return (enum req_status)g->cfg->lambda_throttle_status;
        if (s == REQ_E500) /* the function failed */
            return REQ_E502;
        return s;
    }
    return s;
}

static int status_slot(enum req_status s)
{
    switch (s) {
    case REQ_OK:
        return S_OK;
    case REQ_E400:
    case REQ_E429:
        return S_4XX;
    case REQ_E500:
        return S_500;
    case REQ_E502:
        return S_502;
    case REQ_E503:
        return S_503;
    case REQ_E504:
    case REQ_TIMEOUT:
    case REQ_PENDING:
        return S_504; /* client_status leaves no TIMEOUT; PENDING is never an answer */
    }
    return S_504;
}

/* The integration answered. The gateway is a relay (component.h): the answer reaches it
 * r->lag from now. */
static void apigw_resume(struct sim *sim, struct component *self, struct request *r)
{
    struct apigw *g = APIGW_OF(self, comp);
    struct frame *f = req_top(r);
    int64_t at = sim->now + r->lag;
    if (at > f->aux) {
        /* it would reach the gateway after the timeout: the request waits here for its
         * timer, which answers 504 at the timeout's own time and drops this answer */
        f->pc = 1;
        return;
    }
    sim_cancel(sim, f->ev);
    f->ev = 0;
    double lat = sim_s(at - f->aux2);
    g->n.lat_n++;
    g->n.lat_sum += lat;
    size_t b = hist_bucket(&g->iv_hist, lat);
    hist_add_at(&g->iv_hist, b, lat);
    if (sim->now >= sim->warmup)
        hist_add_at(&g->sum_hist, b, lat);
    enum req_status s = client_status(g, (enum req_status)r->status);
    g->n.status[status_slot(s)]++;
    comp_reply(sim, r, s);
}

/* The integration has not answered within integration_timeout: 504 now, its work goes on. */
static void on_integration_timeout(struct sim *sim, void *ctx, uint64_t arg)
{
    struct apigw *g = ctx;
    unsigned level;
    struct request *r = req_unpack(arg, &level);
    TS_ASSERT(r->stack[level].comp == &g->comp);
    r->stack[level].ev = 0;
    g->n.timeouts++;
    g->n.status[S_504]++;
    if (level + 1u == r->depth) {
        /* its answer came back too late and waited here (apigw_resume): drop it */
        TS_ASSERT(r->stack[level].pc == 1);
        r->lag = 0;
        comp_cancel_pending(sim, r);
    } else {
        r = req_detach(sim, r, level, &g->sink);
    }
    comp_reply(sim, r, REQ_E504);
}

/* Work the gateway stopped waiting for has ended at the integration. */

/* --- metrics ---------------------------------------------------------------------------------- */

static double diff(uint64_t now, uint64_t was)
{
    return (double)(now - was);
}

static void report_ts(struct sim *sim, void *ctx, double *row, int64_t span)
{
    struct apigw *g = ctx;
    double sec = sim_s(span);
    const struct counts *n = &g->n, *w = &g->at_row;
    double *c = row + g->c_ts;
    c[0] = diff(n->requests, w->requests) / sec;
    c[1] = diff(n->throttled, w->throttled) / sec;
    for (int k = 0; k < NS; k++)
        c[2 + k] = diff(n->status[k], w->status[k]) / sec;
    uint64_t timed = n->lat_n - w->lat_n;
    c[2 + NS] = timed ? 1e3 * (n->lat_sum - w->lat_sum) / (double)timed : TS_NAN;
    c[3 + NS] = timed ? 1e3 * hist_quantile(&g->iv_hist, 0.99) : TS_NAN;
    c[4 + NS] = apigw_tokens(g, sim->now);
    hist_reset(&g->iv_hist);
    g->at_row = g->n;
}

static void report_summary(struct sim *sim, void *ctx, double *row, int64_t span)
{
    (void)sim;
    struct apigw *g = ctx;
    if (span <= 0) /* stopped before the warm-up ended: nothing was measured */
        return;
    const struct counts *n = &g->n, *w = &g->at_warm;
    double *c = row + g->c_sum;
    double requests = diff(n->requests, w->requests), throttled = diff(n->throttled, w->throttled);
    c[0] = requests;
    c[1] = throttled;
    for (int k = 0; k < NS; k++)
        c[2 + k] = diff(n->status[k], w->status[k]);
    c[2 + NS] = diff(n->timeouts, w->timeouts);
    uint64_t timed = n->lat_n - w->lat_n;
    c[3 + NS] = timed ? 1e3 * (n->lat_sum - w->lat_sum) / (double)timed : TS_NAN;
    c[4 + NS] = timed ? 1e3 * hist_quantile(&g->sum_hist, 0.99) : TS_NAN;
}

static void on_warmup_end(struct sim *sim, void *ctx, uint64_t arg)
{
    (void)sim;
    (void)arg;
    struct apigw *g = ctx;
    g->at_warm = g->n;
}

/* --- life ------------------------------------------------------------------------------------- */

static const struct component_ops apigw_ops = {
    .type = "apigw",
    .accept = apigw_accept,
    .resume = apigw_resume,
    .relay = true,
};
static const struct component_ops sink_ops = {
    .type = "apigw-abandoned",
    .accept = comp_accept_none,
    .resume = comp_resume_free,
};

uint64_t apigw_billed_requests(const struct apigw *g)
{
    return g->n.requests - g->n.throttled;
}

struct component *apigw_component(struct apigw *g)
{
    return &g->comp;
}

struct apigw *apigw_new(struct sim *sim, const char *name, const struct apigw_config *c)
{
    struct apigw *g = ts_calloc(1, sizeof *g);
    g->comp.ops = &apigw_ops;
    g->comp.name = name;
    g->comp.az = -1; /* regional */
    g->sink.ops = &sink_ops;
    g->sink.name = name;
    g->sink.az = -1;
    g->cfg = c;
    g->rng_latency = sim_rng(sim, name, "latency");
    g->zero_latency = c->latency.kind == DIST_CONST && c->latency.a == 0.0;
    g->tokens = (double)c->burst;
    g->t_fill = sim->now;
    hist_init(&g->iv_hist);
    hist_init(&g->sum_hist);
    return g;
}

void apigw_start(struct sim *sim, struct apigw *g, struct component *integration,
                 enum apigw_integration kind)
{
    const char *n = g->comp.name;
    const struct apigw_config *c = g->cfg;
    g->integration = integration;
    g->kind = kind;
    g->c_ts = sim_column(&sim->ts, 3, "%s.requests_rps", n);
    sim_column(&sim->ts, 3, "%s.throttled_rps", n);
    sim_column(&sim->ts, 3, "%s.ok_rps", n);
    sim_column(&sim->ts, 3, "%s.integration_4xx_rps", n);
    sim_column(&sim->ts, 3, "%s.errors_500_rps", n);
    sim_column(&sim->ts, 3, "%s.errors_502_rps", n);
    sim_column(&sim->ts, 3, "%s.errors_503_rps", n);
    sim_column(&sim->ts, 3, "%s.errors_504_rps", n);
    sim_column(&sim->ts, 3, "%s.integration_latency_mean_ms", n);
    sim_column(&sim->ts, 3, "%s.integration_latency_p99_ms", n);
    sim_column(&sim->ts, 3, "%s.tokens", n);
    sim_reporter(&sim->ts, report_ts, g);
    g->c_sum = sim_column(&sim->summary, 0, "%s.requests", n);
    sim_column(&sim->summary, 0, "%s.throttled", n);
    sim_column(&sim->summary, 0, "%s.ok", n);
    sim_column(&sim->summary, 0, "%s.integration_4xx", n);
    sim_column(&sim->summary, 0, "%s.errors_500", n);
    sim_column(&sim->summary, 0, "%s.errors_502", n);
    sim_column(&sim->summary, 0, "%s.errors_503", n);
    sim_column(&sim->summary, 0, "%s.errors_504", n);
    sim_column(&sim->summary, 0, "%s.integration_timeouts", n);
    sim_column(&sim->summary, 3, "%s.integration_latency_mean_ms", n);
    sim_column(&sim->summary, 3, "%s.integration_latency_p99_ms", n);
    sim_reporter(&sim->summary, report_summary, g);
    sim_at(sim, sim->warmup, on_warmup_end, g, 0);
    sim_log(sim, n, "api",
            "%s API: a bucket of %u tokens refilled at %.10g/s (APIGW-1); integration %s "
            "(%s); integration timeout %.10g s (APIGW-2); $%.2f per million requests (APIGW-3)",
            c->api_type == APIGW_HTTP ? "HTTP" : "REST", c->burst, c->rate, integration->name,
            kind == APIGW_LAMBDA_PROXY ? "Lambda proxy" : "HTTP proxy",
            sim_s(c->integration_timeout), c->usd_per_million);
}

void apigw_free(struct apigw *g)
{
    if (!g)
        return;
    hist_release(&g->iv_hist);
    hist_release(&g->sum_hist);
    free(g);
}
