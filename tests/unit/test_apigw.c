/* test_apigw.c — the API Gateway model driven directly: a simulation without network, the
 * gateway, a stand-in integration (a fixed answer time and a status chosen per request) and a
 * client that records how and when each request ended.
 *
 * Checks: the configuration's defaults (APIGW-1..3); the token bucket (APIGW-1): a burst of N
 * at once lets exactly `burst` through and answers the rest 429 at once, the bucket refills
 * at `rate`, a steady load under the rate is never throttled, a load above it gets exactly
 * burst + rate x T through (tokens are conserved); the integration timeout (APIGW-2): a slow
 * integration gives 504 at exactly the forward time + 29 s and its work goes on to the sink,
 * an answer known to arrive late is dropped at the timeout's own time; the status mapping of
 * an HTTP proxy (pass through; a lost connection is 504) and of a Lambda proxy (429 ->
 * lambda_throttle_status, 500 -> 502, LAM-7, LAM-9); the summary's counts and the requests billed; every
 * request ends once and every request object returns to the pool; determinism. */
#include "check.h"

#include "tiersim/arena.h"
#include "tiersim/models/apigw.h"
#include "tiersim/scn.h"

#include <gsl/gsl_randist.h>
#include <stdlib.h>
#include <string.h>

#define S(x) ((int64_t)((x)*1e9 + 0.5)) /* ns from seconds (test constants) */

/* --- a stand-in integration ---------------------------------------------------------------- */

struct back {
    struct component comp;
    int64_t service;          /* ns until it answers */
    bool known;               /* answer at once with comp_reply_at (the answer's time known) */
    const uint16_t *statuses; /* status of request id i: statuses[i % n]; NULL: all 200 */
    uint32_t nstatuses;
    uint64_t accepted, answered;
};

static enum req_status back_status(const struct back *b, const struct request *r)
{
    return b->statuses ? (enum req_status)b->statuses[r->id % b->nstatuses] : REQ_OK;
}

static void on_served(struct sim *sim, void *ctx, uint64_t arg)
{
    struct back *b = ctx;
    struct request *r = (struct request *)(uintptr_t)arg;
    req_top(r)->ev = 0;
    b->answered++;
    comp_reply(sim, r, back_status(b, r));
}

static void back_accept(struct sim *sim, struct component *self, struct request *r)
{
    struct back *b = (struct back *)self;
    b->accepted++;
    CHECK(r->op == OP_HTTP, "the gateway calls with OP_HTTP, got %u", (unsigned)r->op);
    if (b->known) {
        b->answered++;
        comp_reply_at(sim, r, back_status(b, r), sim->now + b->service);
        return;
    }
    req_top(r)->ev = sim_after(sim, b->service, on_served, b, (uint64_t)(uintptr_t)r);
}

static const struct component_ops back_ops = {
    .type = "test-integration",
    .accept = back_accept,
};

/* --- the client ------------------------------------------------------------------------------ */

struct tclient {
    struct component comp;
    struct req_pool *pool;
    uint64_t sent, ended;
    uint64_t by_status[600];        /* answers by status code (599: timeout) */
    int64_t first_at[600], last_at[600]; /* ns, first and last answer of each status */
    uint64_t dup;                   /* a request answered twice: must stay 0 */
    uint8_t *seen;                  /* by request id */
    uint64_t cap;
};

static void tcl_resume(struct sim *sim, struct component *self, struct request *r)
{
    struct tclient *c = (struct tclient *)self;
    unsigned st = r->status;
    TS_ASSERT(st < 600);
    if (r->id < c->cap) {
        c->dup += c->seen[r->id];
        c->seen[r->id] = 1;
    }
    if (c->by_status[st]++ == 0)
        c->first_at[st] = sim->now;
    c->last_at[st] = sim->now;
    c->ended++;
    req_free(c->pool, r);
}

static const struct component_ops tcl_ops = {
    .type = "test-client",
    .accept = comp_accept_none,
    .resume = tcl_resume,
};

/* --- the fixture ------------------------------------------------------------------------------ */

struct fx {
    struct sim sim;
    struct req_pool pool;
    struct arena arena;
    struct apigw_config cfg;
    struct apigw *g;
    struct component *api;
    struct back back;
    struct tclient client;
    gsl_rng *arrivals;
    double poisson_rate; /* per s */
    int64_t until;       /* ns: the last send */
    int64_t every;       /* ns between evenly spaced sends */
};

static bool read_apigw(struct scn_obj *o, void *c, struct arena *a)
{
    return apigw_config_from_json(o, c, a);
}

#define MAX_IDS 2000000u

static void setup(struct fx *f, const char *json, enum apigw_integration kind, uint64_t seed)
{
    memset(f, 0, sizeof *f);
    sim_init(&f->sim, seed);
    f->pool.net = NULL;
    f->arena = (struct arena)ARENA_INIT;
    bool ok = check_parse(json, read_apigw, &f->cfg, &f->arena);
    CHECK(ok, "the configuration does not read: %s", json);
    if (!ok)
        exit(check_done());
    f->back = (struct back){.comp = {.ops = &back_ops, .name = "back", .az = -1},
                            .service = S(0.001)};
    f->client = (struct tclient){.comp = {.ops = &tcl_ops, .name = "client", .az = -1},
                                 .pool = &f->pool,
                                 .cap = MAX_IDS};
    f->client.seen = ts_calloc(MAX_IDS, 1);
    f->g = apigw_new(&f->sim, "api", &f->cfg);
    f->api = apigw_component(f->g);
    apigw_start(&f->sim, f->g, &f->back.comp, kind);
    f->arrivals = sim_rng(&f->sim, "test", "arrivals");
}

static void teardown(struct fx *f)
{
    apigw_free(f->g);
    sim_release(&f->sim);
    apigw_config_release(&f->cfg);
    arena_release(&f->arena);
    req_pool_release(&f->pool);
    free(f->client.seen);
}

static void send_one(struct sim *sim, struct fx *f)
{
    struct tclient *c = &f->client;
    struct request *r = req_new(c->pool);
    r->id = c->sent++;
    r->t_arrival = sim->now;
    r->counted = 1;
    r->depth = 1;
    r->stack[0] = (struct frame){.comp = &c->comp, .az = -1};
    comp_call(sim, r, f->api);
}

/* `arg` requests at once. */
static void on_batch(struct sim *sim, void *ctx, uint64_t arg)
{
    for (uint64_t i = 0; i < arg; i++)
        send_one(sim, ctx);
}

/* One request every f->every until f->until. */
static void on_tick(struct sim *sim, void *ctx, uint64_t arg)
{
    struct fx *f = ctx;
    send_one(sim, f);
    int64_t next = S(0) + (int64_t)(arg + 1) * f->every;
    if (next <= f->until)
        sim_at(sim, next, on_tick, f, arg + 1);
}

/* Poisson arrivals at f->poisson_rate until f->until. */
static void on_poisson(struct sim *sim, void *ctx, uint64_t arg)
{
    (void)arg;
    struct fx *f = ctx;
    send_one(sim, f);
    int64_t next = sim->now + sim_ns(gsl_ran_exponential(f->arrivals, 1.0 / f->poisson_rate));
    if (next <= f->until)
        sim_at(sim, next, on_poisson, f, 0);
}

/* Summary column `name` of the gateway (after sim_run). */
static double summary(struct fx *f, const char *name)
{
    sim_table_fill(&f->sim, &f->sim.summary, f->sim.now - f->sim.warmup);
    char col[64];
    snprintf(col, sizeof col, "api.%s", name);
    for (uint32_t i = 0; i < f->sim.summary.ncols; i++)
        if (strcmp(f->sim.summary.cols[i].name, col) == 0)
            return f->sim.summary.row[i];
    CHECK(false, "no summary column %s", col);
    return TS_NAN;
}

/* Every request ended once, and every request object is back in the pool. */
static void conserved(struct fx *f, const char *what)
{
    CHECK(f->client.ended == f->client.sent, "%s: %llu sent, %llu ended", what,
          (unsigned long long)f->client.sent, (unsigned long long)f->client.ended);
    CHECK(f->client.dup == 0, "%s: %llu requests answered twice", what,
          (unsigned long long)f->client.dup);
    CHECK(f->pool.live == 0, "%s: %llu request objects not back in the pool", what,
          (unsigned long long)f->pool.live);
}

/* --- configuration ---------------------------------------------------------------------------- */

static void test_defaults(void)
{
    struct arena a = ARENA_INIT;
    struct apigw_config c;
    CHECK(check_parse("{\"integration\": \"lb\"}", read_apigw, &c, &a), "defaults read");
    CHECK_EQ_INT(c.api_type, APIGW_REST);
    CHECK_STR(c.integration, "lb");
    CHECK_NEAR(c.rate, 10000, 0);    /* APIGW-1 */
    CHECK_EQ_INT(c.burst, 5000);     /* APIGW-1 */
    CHECK_EQ_INT(c.integration_timeout, S(29)); /* APIGW-2 */
    CHECK(isnan(c.usd_per_million), "no price given: the table's (the world fills it in)");
    CHECK_EQ_INT(c.lambda_throttle_status, 500);
    CHECK_NEAR(dist_mean(&c.latency), 0.005, 1e-12);
    apigw_config_release(&c);
    CHECK(check_parse("{\"integration\": \"lb\", \"api_type\": \"http\", "
                      "\"lambda_throttle_status\": 429, \"usd_per_million\": 0.9}",
                      read_apigw, &c, &a),
          "an http api reads");
    CHECK_EQ_INT(c.api_type, APIGW_HTTP);
    CHECK_NEAR(c.usd_per_million, 0.9, 0); /* its own price, over the table's */
    CHECK_EQ_INT(c.lambda_throttle_status, 429);
    apigw_config_release(&c);
    arena_release(&a);
}

/* --- the token bucket ------------------------------------------------------------------------ */

/* 80 at once into a bucket of 50: exactly 50 through, 30 answered 429 at once. Then it
 * refills at 100/s: 10 tokens after 0.1 s, 35 after 0.35 s, never more than 50. */
static void test_burst(void)
{
    struct fx f;
    setup(&f, "{\"integration\": \"back\", \"rate\": 100, \"burst\": 50, \"latency\": 0}",
          APIGW_HTTP_PROXY, 1);
    CHECK_NEAR(apigw_tokens(f.g, 0), 50, 0);
    sim_at(&f.sim, 0, on_batch, &f, 80);
    CHECK_EQ_INT(sim_run(&f.sim, 0), 0);
    CHECK_EQ_INT(f.back.accepted, 50);
    CHECK_EQ_INT(f.client.by_status[429], 30);
    CHECK_EQ_INT(f.client.last_at[429], 0); /* at once */
    CHECK_NEAR(apigw_tokens(f.g, 0), 0, 0);
    CHECK_NEAR(apigw_tokens(f.g, S(0.1)), 10, 1e-12);
    CHECK_NEAR(apigw_tokens(f.g, S(0.35)), 35, 1e-12);
    CHECK_NEAR(apigw_tokens(f.g, S(3)), 50, 0); /* full, not more */
    /* 20 at once at 0.1 s: the 10 tokens back by then pass */
    sim_at(&f.sim, S(0.1), on_batch, &f, 20);
    CHECK_EQ_INT(sim_run(&f.sim, S(0.1)), 0);
    CHECK_EQ_INT(f.back.accepted, 60);
    CHECK_EQ_INT(f.client.by_status[429], 40);
    /* a second later the bucket is full again: a burst of 60 gets 50 through */
    sim_at(&f.sim, S(1.2), on_batch, &f, 60);
    CHECK_EQ_INT(sim_run(&f.sim, S(5)), 0);
    CHECK_EQ_INT(f.back.accepted, 110);
    CHECK_EQ_INT(f.client.by_status[429], 50);
    CHECK_EQ_INT(f.client.by_status[200], 110);
    CHECK_NEAR(summary(&f, "requests"), 160, 0);
    CHECK_NEAR(summary(&f, "throttled"), 50, 0);
    CHECK_NEAR(summary(&f, "ok"), 110, 0);
    CHECK_EQ_INT(apigw_billed_requests(f.g), 110); /* throttled: not billed (APIGW-3) */
    conserved(&f, "burst");
    teardown(&f);
}

/* 99 requests/s evenly spaced into a bucket of one token refilled at 100/s: each gap brings
 * 100/99 tokens, so none is ever throttled. At 100/s exactly (a token per gap, the
 * arithmetic exact) none either. */
static void test_steady_under(void)
{
    for (int k = 0; k < 2; k++) {
        struct fx f;
        setup(&f, "{\"integration\": \"back\", \"rate\": 100, \"burst\": 1, \"latency\": 0}",
              APIGW_HTTP_PROXY, 2);
        f.every = k == 0 ? S(1.0 / 99) : S(0.01);
        f.until = S(100);
        sim_at(&f.sim, 0, on_tick, &f, 0);
        CHECK_EQ_INT(sim_run(&f.sim, S(101)), 0);
        CHECK(f.client.sent > 9900, "%llu sent", (unsigned long long)f.client.sent);
        CHECK_EQ_INT(f.client.by_status[429], 0);
        CHECK_EQ_INT(f.client.by_status[200], f.client.sent);
        conserved(&f, "steady under the rate");
        teardown(&f);
    }
}

/* Poisson arrivals at 150/s for 1000 s into a bucket of 50 refilled at 100/s. Tokens are
 * conserved: from 10 s on, those taken + those left = those there at 10 s + rate x 990 s,
 * exactly, as long as the bucket never fills (refill against a full bucket is lost), which at
 * 1.5 times the rate does not happen once the first burst is spent. In the first second it
 * does: the bucket starts full, so a little refill is lost there. The throughput is the rate
 * to within (burst + 1) / T. */
struct mark {
    struct fx *f;
    uint64_t through;
    double tokens;
};

static void on_mark(struct sim *sim, void *ctx, uint64_t arg)
{
    (void)arg;
    struct mark *m = ctx;
    m->through = m->f->back.accepted;
    m->tokens = apigw_tokens(m->f->g, sim->now);
}

static void test_steady_above(void)
{
    struct fx f;
    setup(&f, "{\"integration\": \"back\", \"rate\": 100, \"burst\": 50, \"latency\": 0}",
          APIGW_HTTP_PROXY, 3);
    f.poisson_rate = 150;
    f.until = S(1000);
    struct mark m = {.f = &f};
    sim_at(&f.sim, 0, on_poisson, &f, 0);
    sim_at(&f.sim, S(10), on_mark, &m, 0);
    CHECK_EQ_INT(sim_run(&f.sim, S(1000)), 0);
    double through = (double)f.back.accepted;
    double left = apigw_tokens(f.g, S(1000));
    CHECK_NEAR(through - (double)m.through + left - m.tokens, 100 * 990.0, 1e-6);
    CHECK(through + left <= 50 + 100 * 1000.0 + 1e-6, "%.6f tokens out of %.0f", through + left,
          50 + 100 * 1000.0);
    CHECK_NEAR(through / 1000.0, 100, 51.0 / 1000.0); /* (burst + 1) / T */
    CHECK_NEAR((double)f.client.by_status[429] + through, (double)f.client.sent, 0);
    CHECK((double)f.client.sent > 149000, "%llu sent", (unsigned long long)f.client.sent);
    printf("steady above: %llu sent at 150/s, %.0f through (rate 100/s: %.4f/s over 1000 s), "
           "%llu throttled, %.6f tokens left; %.6f tokens of refill lost to a full bucket in "
           "the first 10 s\n",
           (unsigned long long)f.client.sent, through, through / 1000.0,
           (unsigned long long)f.client.by_status[429], left,
           50 + 100 * 10.0 - (double)m.through - m.tokens);
    sim_run(&f.sim, S(1002)); /* the last answers */
    conserved(&f, "steady above the rate");
    teardown(&f);
}

/* --- the integration timeout ------------------------------------------------------------------- */

/* An integration that takes 40 s: 504 at exactly 2 ms (the gateway's latency) + 29 s; the
 * work goes on and ends at 40.002 s in the sink. One that takes 10 s answers in time. */
static void test_timeout(void)
{
    struct fx f;
    setup(&f, "{\"integration\": \"back\", \"latency\": \"2ms\"}", APIGW_HTTP_PROXY, 4);
    f.back.service = S(40);
    sim_at(&f.sim, 0, on_batch, &f, 3);
    CHECK_EQ_INT(sim_run(&f.sim, S(30)), 0);
    CHECK_EQ_INT(f.client.by_status[504], 3);
    CHECK_EQ_INT(f.client.first_at[504], S(29.002));
    CHECK_EQ_INT(f.client.last_at[504], S(29.002));
    CHECK_EQ_INT(f.back.answered, 0);
    CHECK_EQ_INT(f.pool.live, 3); /* the work goes on */
    CHECK_EQ_INT(sim_run(&f.sim, S(39)), 0);
    CHECK_EQ_INT(f.pool.live, 3);
    CHECK_EQ_INT(sim_run(&f.sim, S(41)), 0);
    CHECK_EQ_INT(f.back.answered, 3); /* ended, in the sink */
    CHECK_NEAR(summary(&f, "integration_timeouts"), 3, 0);
    CHECK_NEAR(summary(&f, "errors_504"), 3, 0);
    conserved(&f, "a slow integration");
    /* in time: 10 s */
    f.back.service = S(10);
    sim_at(&f.sim, S(50), on_batch, &f, 1);
    CHECK_EQ_INT(sim_run(&f.sim, S(70)), 0);
    CHECK_EQ_INT(f.client.by_status[200], 1);
    CHECK_EQ_INT(f.client.first_at[200], S(60.002));
    CHECK_NEAR(summary(&f, "integration_latency_mean_ms"), 10000, 1e-6);
    conserved(&f, "an integration in time");
    teardown(&f);
}

/* An answer known in advance (comp_reply_at): the gateway, a relay, sees it at once with its
 * time still to come. Past the timeout it is dropped and the 504 goes at the timeout's own
 * time; within it the answer arrives at its time. A 1 s timeout is set. */
static void test_timeout_known_answer(void)
{
    struct fx f;
    setup(&f, "{\"integration\": \"back\", \"latency\": 0, \"integration_timeout\": 1}",
          APIGW_HTTP_PROXY, 5);
    f.back.known = true;
    f.back.service = S(1.5);
    sim_at(&f.sim, 0, on_batch, &f, 2);
    CHECK_EQ_INT(sim_run(&f.sim, S(3)), 0);
    CHECK_EQ_INT(f.client.by_status[504], 2);
    CHECK_EQ_INT(f.client.first_at[504], S(1));
    CHECK_EQ_INT(f.client.by_status[200], 0);
    f.back.service = S(0.75);
    sim_at(&f.sim, S(5), on_batch, &f, 1);
    CHECK_EQ_INT(sim_run(&f.sim, S(7)), 0);
    CHECK_EQ_INT(f.client.by_status[200], 1);
    CHECK_EQ_INT(f.client.first_at[200], S(5.75));
    CHECK_NEAR(summary(&f, "integration_timeouts"), 2, 0);
    conserved(&f, "known answers");
    teardown(&f);
}

/* --- status mapping ---------------------------------------------------------------------------- */

static const uint16_t every_status[] = {REQ_OK,   REQ_E400, REQ_E429, REQ_E500,
                                        REQ_E502, REQ_E503, REQ_E504, REQ_TIMEOUT};
#define NEVERY (sizeof every_status / sizeof every_status[0])

/* One request per status of the integration; what the client saw of each. */
static void mapped(const char *json, enum apigw_integration kind, uint64_t *out)
{
    struct fx f;
    setup(&f, json, kind, 6);
    f.back.statuses = every_status;
    f.back.nstatuses = NEVERY;
    sim_at(&f.sim, 0, on_batch, &f, NEVERY);
    CHECK_EQ_INT(sim_run(&f.sim, S(1)), 0);
    memcpy(out, f.client.by_status, sizeof f.client.by_status);
    double sum = 0;
    static const char *const cols[] = {"ok", "integration_4xx", "errors_500", "errors_502",
                                       "errors_503", "errors_504"};
    for (size_t k = 0; k < sizeof cols / sizeof cols[0]; k++)
        sum += summary(&f, cols[k]);
    CHECK_NEAR(sum, NEVERY, 0); /* every answer in one status column */
    CHECK_NEAR(summary(&f, "integration_timeouts"), 0, 0);
    conserved(&f, "status mapping");
    teardown(&f);
}

static void test_status_mapping(void)
{
    uint64_t n[600];
    /* an HTTP proxy (an ALB): everything passes through; a lost connection is 504 */
    mapped("{\"integration\": \"back\", \"latency\": 0}", APIGW_HTTP_PROXY, n);
    CHECK_EQ_INT(n[200], 1);
    CHECK_EQ_INT(n[400], 1);
    CHECK_EQ_INT(n[429], 1);
    CHECK_EQ_INT(n[500], 1);
    CHECK_EQ_INT(n[502], 1);
    CHECK_EQ_INT(n[503], 1);
    CHECK_EQ_INT(n[504], 2);
    CHECK_EQ_INT(n[599], 0);
    /* a Lambda proxy: its throttle is the INTEGRATION_FAILURE response, 500 by default; its
     * function error 502 */
    mapped("{\"integration\": \"back\", \"latency\": 0}", APIGW_LAMBDA_PROXY, n);
    CHECK_EQ_INT(n[200], 1);
    CHECK_EQ_INT(n[400], 1);
    CHECK_EQ_INT(n[429], 0);
    CHECK_EQ_INT(n[500], 1); /* the 429 */
    CHECK_EQ_INT(n[502], 2); /* the 500 and the 502 */
    CHECK_EQ_INT(n[503], 1);
    CHECK_EQ_INT(n[504], 2);
    /* the throttle remapped to 429 (a gateway response of the API's) */
    mapped("{\"integration\": \"back\", \"latency\": 0, \"lambda_throttle_status\": 429}",
           APIGW_LAMBDA_PROXY, n);
    CHECK_EQ_INT(n[429], 1);
    CHECK_EQ_INT(n[500], 0);
    CHECK_EQ_INT(n[502], 2);
}

/* --- determinism ------------------------------------------------------------------------------- */

static double latency_run(uint64_t seed)
{
    struct fx f;
    setup(&f, "{\"integration\": \"back\", \"rate\": 100, \"burst\": 10}", APIGW_HTTP_PROXY,
          seed);
    f.poisson_rate = 120;
    f.until = S(20);
    sim_at(&f.sim, 0, on_poisson, &f, 0);
    CHECK_EQ_INT(sim_run(&f.sim, S(21)), 0);
    double v = summary(&f, "throttled") * 1e6 + (double)f.client.last_at[200];
    conserved(&f, "determinism");
    teardown(&f);
    return v;
}

static void test_determinism(void)
{
    double a = latency_run(9), b = latency_run(9), c = latency_run(10);
    CHECK(a == b, "the same seed gives %.17g and %.17g", a, b);
    CHECK(a != c, "another seed gives the same %.17g", a);
}

int main(void)
{
    test_defaults();
    test_burst();
    test_steady_under();
    test_steady_above();
    test_timeout();
    test_timeout_known_answer();
    test_status_mapping();
    test_determinism();
    return check_done();
}
