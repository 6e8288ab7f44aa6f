/* test_lambda.c — Lambda functions driven directly: a simulation, a request pool (with or
 * without a network), an account, one or two functions, a test caller that sends requests
 * at set times and records each answer (status, time), and a stand-in downstream service
 * that answers after a set time with a set status. Every expected figure is worked by hand
 * from the rules of models/lambda.c (docs/models/lambda.md).
 *
 * Checks: a cold start pays Init then the handler, a warm one the handler only (LAM-10);
 * the CPU share min(1, memory / 1769) (LAM-16); the most recently used idle environment is
 * reused; reclaim after the idle lifetime (LAM-14); throttling (429 at once, LAM-7) by a
 * reservation, by the account's unreserved pool, and guarantees of a reservation (LAM-1,
 * LAM-5); provisioned environments first, then on-demand ones with cold starts (LAM-6); the
 * function timeout (500, work downstream abandoned, the environment reset); the scaling
 * rate, current (LAM-2) and pre-2023 (LAM-3); asynchronous events with their retries
 * (LAM-8); an AZ outage; billing (LAM-17); configuration reading; nothing left in the pool. */
#include "check.h"

#include "tiersim/arena.h"
#include "tiersim/models/lambda.h"
#include "tiersim/scn.h"

#include <stdlib.h>
#include <string.h>

#define S(x)  ((int64_t)((x)*1e9 + 0.5)) /* ns from seconds (test constants) */
#define MS(x) ((int64_t)((x)*1e6 + 0.5))

static const char *const AZS[] = {"us-east-1a", "us-east-1b"};
static const char *const CLASSES[] = {"short", "long"};

#define MAXREQ 4096

/* --- the test caller and a stand-in downstream service ---------------------------------------- */

struct answer {
    int64_t sent, at; /* ns */
    uint16_t status;  /* 0: no answer yet */
};

struct fx;

struct tcaller {
    struct component comp;
    struct fx *x;
};

/* A service a handler calls: answers `status` after `after` ns. */
struct stub {
    struct component comp;
    int64_t after;
    enum req_status status;
    uint64_t calls;
};

struct fx {
    struct sim sim;
    struct req_pool pool;
    struct net net;
    struct arena arena;
    struct lambda_account_config acfg;
    struct lambda_account *acct;
    struct lambda_config cfg[2];
    struct lambda *fn[2];
    int nfn;
    struct tcaller tc;
    struct stub slow;
    struct answer ans[MAXREQ];
    uint64_t nsent;
    uint64_t status_count[600];
};

static void tc_resume(struct sim *sim, struct component *self, struct request *r)
{
    struct fx *x = ((struct tcaller *)self)->x;
    TS_ASSERT(r->id < MAXREQ);
    x->ans[r->id].at = sim->now;
    x->ans[r->id].status = r->status;
    x->status_count[r->status < 600 ? r->status : 599]++;
    req_free(&x->pool, r);
}

static const struct component_ops tc_ops = {
    .type = "test-caller",
    .accept = comp_accept_none,
    .resume = tc_resume,
};

static void on_stub_reply(struct sim *sim, void *ctx, uint64_t arg)
{
    struct stub *st = ctx;
    struct request *r = (struct request *)(uintptr_t)arg;
    req_top(r)->ev = 0;
    comp_reply(sim, r, st->status);
}

static void stub_accept(struct sim *sim, struct component *self, struct request *r)
{
    struct stub *st = (struct stub *)self;
    st->calls++;
    req_top(r)->ev = sim_after(sim, st->after, on_stub_reply, st, (uint64_t)(uintptr_t)r);
}

static const struct component_ops stub_ops = {
    .type = "test-stub",
    .accept = stub_accept,
    .resume = NULL,
};

static struct component *lookup(void *ctx, const char *name)
{
    struct fx *x = ctx;
    if (strcmp(name, "slow") == 0)
        return &x->slow.comp;
    for (int i = 0; i < x->nfn; i++)
        if (strcmp(lambda_component(x->fn[i])->name, name) == 0)
            return lambda_component(x->fn[i]);
    return NULL;
}

/* --- the fixture ------------------------------------------------------------------------------ */

static bool read_fn(struct scn_obj *o, void *c, struct arena *a)
{
    return lambda_config_from_json(o, c, a);
}

static bool read_acct(struct scn_obj *o, void *c, struct arena *a)
{
    (void)a;
    return lambda_account_config_from_json(o, c);
}

static const char *const FN_NAMES[] = {"fn", "other"};

/* An account (JSON text of lambda_account), and n functions "fn" and "other". `net`: 1 ms
 * within an AZ, 5 ms between two, the caller in us-east-1a; else no network. */
static void setup(struct fx *x, const char *acct, const char *const *fns, int n, bool net)
{
    memset(x, 0, sizeof *x);
    sim_init(&x->sim, 1);
    x->arena = (struct arena)ARENA_INIT;
    if (net) {
        x->net.fixed = true;
        x->net.same_ns = MS(1);
        x->net.cross_ns = MS(5);
        x->pool.net = &x->net;
    }
    bool ok = check_parse(acct, read_acct, &x->acfg, &x->arena);
    CHECK(ok, "the account does not read: %s", acct);
    if (!ok)
        exit(check_done());
    x->acct = lambda_account_new(&x->acfg);
    x->slow = (struct stub){.comp = {.ops = &stub_ops, .name = "slow", .az = -1},
                            .after = S(2),
                            .status = REQ_OK};
    x->nfn = n;
    for (int i = 0; i < n; i++) {
        ok = check_parse(fns[i], read_fn, &x->cfg[i], &x->arena);
        CHECK(ok, "the function does not read: %s", fns[i]);
        if (!ok)
            exit(check_done());
        x->fn[i] = lambda_new(&x->sim, FN_NAMES[i], &x->cfg[i], x->acct, AZS, 2, &x->pool);
    }
    for (int i = 0; i < n; i++)
        lambda_start(&x->sim, x->fn[i], CLASSES, 2, lookup, x);
    x->tc = (struct tcaller){.comp = {.ops = &tc_ops, .name = "caller", .az = 0}, .x = x};
}

static void teardown(struct fx *x)
{
    for (int i = 0; i < x->nfn; i++)
        lambda_free(x->fn[i]);
    lambda_account_free(x->acct);
    sim_release(&x->sim);
    for (int i = 0; i < x->nfn; i++)
        lambda_config_release(&x->cfg[i]);
    arena_release(&x->arena);
    CHECK_EQ_INT(x->pool.live, 0); /* every request, events included, went back */
    req_pool_release(&x->pool);
}

/* One request: to function `fn`, of class `cls` (0 short, 1 long), an event or not. */
struct shot {
    int fn, cls;
    bool event;
};
static struct shot shots[MAXREQ];

static void on_send(struct sim *sim, void *ctx, uint64_t id)
{
    struct fx *x = ctx;
    struct request *r = req_new(&x->pool);
    r->id = id;
    r->t_arrival = sim->now;
    r->cls = (uint16_t)shots[id].cls;
    r->depth = 1;
    r->stack[0] = (struct frame){.comp = &x->tc.comp, .az = 0};
    r->op = shots[id].event ? OP_EVENT : OP_HTTP;
    x->ans[id].sent = sim->now;
    comp_call(sim, r, lambda_component(x->fn[shots[id].fn]));
}

/* Send a request at time t; returns its id. */
static uint64_t at(struct fx *x, int64_t t, int fn, int cls, bool event)
{
    uint64_t id = ++x->nsent;
    TS_ASSERT(id < MAXREQ);
    shots[id] = (struct shot){fn, cls, event};
    sim_at(&x->sim, t, on_send, x, id);
    return id;
}

/* Response time of request id (ns), or -1 without an answer. */
static int64_t lat(const struct fx *x, uint64_t id)
{
    return x->ans[id].status ? x->ans[id].at - x->ans[id].sent : -1;
}

static struct lambda_counts counts(const struct fx *x, int fn)
{
    struct lambda_counts c;
    lambda_counts(x->fn[fn], &c);
    return c;
}

static double table_value(struct sim_table *t, const char *name)
{
    for (uint32_t i = 0; i < t->ncols; i++)
        if (strcmp(t->cols[i].name, name) == 0)
            return t->row[i];
    CHECK(false, "no column \"%s\"", name);
    return TS_NAN;
}

static double summary(struct fx *x, const char *name)
{
    sim_table_fill(&x->sim, &x->sim.summary, x->sim.now - x->sim.warmup);
    return table_value(&x->sim.summary, name);
}

#define ACCT "{}"
#define ONE(json) ((const char *const[]){json})

/* --- cold and warm starts, the CPU share ------------------------------------------------------- */

static void test_cold_warm(void)
{
    struct fx x;
    setup(&x, ACCT,
          ONE("{\"memory_mb\": 1769, \"init\": \"100ms\", "
              "\"handlers\": {\"default\": [{\"cpu\": \"50ms\"}]}}"),
          1, false);
    uint64_t a = at(&x, 0, 0, 0, false), b = at(&x, S(1), 0, 0, false);
    sim_run(&x.sim, S(10));
    CHECK_EQ_INT(lat(&x, a), MS(150)); /* Init 100 ms, then 50 ms of one full vCPU */
    CHECK_EQ_INT(lat(&x, b), MS(50));  /* warm: the handler only */
    struct lambda_counts c = counts(&x, 0);
    CHECK_EQ_INT(c.invocations, 2);
    CHECK_EQ_INT(c.cold_starts, 1);
    CHECK_EQ_INT(c.created, 1);
    /* LAM-17: 150 ms and 50 ms at 1769/1024 GB */
    CHECK_NEAR(c.gb_seconds, 0.2 * 1769.0 / 1024.0, 1e-9);
    CHECK_NEAR(summary(&x, "fn.cold_start_pct"), 50.0, 1e-9);
    teardown(&x);
}

/* A handler's cpu step at min(1, memory / 1769) of a vCPU (LAM-16), billed to the ms. */
static void test_cpu_share(void)
{
    static const struct {
        uint32_t mb;
        double ms;
    } cases[] = {{128, 50.0 * 1769.0 / 128.0}, {1024, 50.0 * 1769.0 / 1024.0}, {1769, 50.0},
                 {3538, 50.0}, {10240, 50.0}};
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char json[256];
        snprintf(json, sizeof json,
                 "{\"memory_mb\": %u, \"init\": 0, \"handlers\": {\"default\": "
                 "[{\"cpu\": \"50ms\"}]}}",
                 cases[i].mb);
        struct fx x;
        setup(&x, ACCT, ONE(json), 1, false);
        uint64_t a = at(&x, 0, 0, 0, false);
        sim_run(&x.sim, S(10));
        CHECK(llabs(lat(&x, a) - MS(cases[i].ms)) <= 1, "%u MB: %lld ns, expected %.6f ms",
              cases[i].mb, (long long)lat(&x, a), cases[i].ms);
        CHECK_NEAR(lambda_cpu_share(cases[i].mb), cases[i].mb < 1769 ? cases[i].mb / 1769.0 : 1.0,
                   1e-12);
        /* billed: the duration rounded up to the ms, times GB */
        double billed = ceil(cases[i].ms - 1e-9) * 1e-3 * cases[i].mb / 1024.0;
        CHECK_NEAR(counts(&x, 0).gb_seconds, billed, 1e-9);
        teardown(&x);
    }
}

/* --- reuse and reclaim ------------------------------------------------------------------------ */

/* Two environments (us-east-1a, then us-east-1b: the AZ with the fewest); the one in 1b ends
 * its invocation last, so it is the most recently used and serves the next request, which
 * pays 5 ms of cross-AZ network each way instead of 1 ms. */
static void test_reuse_mru(void)
{
    struct fx x;
    setup(&x, ACCT,
          ONE("{\"memory_mb\": 1769, \"init\": 0, \"handlers\": {"
              "\"short\": [{\"delay\": \"100ms\"}], \"long\": [{\"delay\": \"200ms\"}]}}"),
          1, true);
    uint64_t a = at(&x, 0, 0, 0, false), b = at(&x, 0, 0, 1, false);
    uint64_t c = at(&x, S(1), 0, 0, false);
    sim_run(&x.sim, S(10));
    CHECK_EQ_INT(lat(&x, a), MS(102)); /* us-east-1a, same AZ as the caller */
    CHECK_EQ_INT(lat(&x, b), MS(210)); /* us-east-1b */
    CHECK_EQ_INT(lat(&x, c), MS(110)); /* the most recently used: us-east-1b's */
    CHECK_EQ_INT(counts(&x, 0).cold_starts, 2);
    teardown(&x);
}

/* idle_lifetime 10 s: reused within it, reclaimed after it (LAM-14). */
static void test_reclaim(void)
{
    struct fx x;
    setup(&x, ACCT,
          ONE("{\"memory_mb\": 1769, \"init\": \"100ms\", \"idle_lifetime\": 10, "
              "\"handlers\": {\"default\": [{\"delay\": \"50ms\"}]}}"),
          1, false);
    uint64_t a = at(&x, 0, 0, 0, false);          /* cold, idle from 0.15 */
    uint64_t b = at(&x, S(10.1), 0, 0, false);    /* 9.95 s idle: warm, idle from 10.15 */
    uint64_t c = at(&x, S(20.2), 0, 0, false);    /* 10.05 s idle: reclaimed at 20.15: cold */
    sim_run(&x.sim, S(60));
    CHECK_EQ_INT(lat(&x, a), MS(150));
    CHECK_EQ_INT(lat(&x, b), MS(50));
    CHECK_EQ_INT(lat(&x, c), MS(150));
    struct lambda_counts n = counts(&x, 0);
    CHECK_EQ_INT(n.cold_starts, 2);
    CHECK_EQ_INT(n.reclaimed, 2); /* the second too, at 30.35 */
    uint32_t busy, idle, prov;
    lambda_envs(x.fn[0], &busy, &idle, &prov);
    CHECK_EQ_INT(busy + idle, 0);
    teardown(&x);
}

/* --- concurrency ------------------------------------------------------------------------------ */

/* reserved_concurrency 2: a third concurrent request is throttled at once (LAM-5, LAM-7). */
static void test_reserved(void)
{
    struct fx x;
    setup(&x, ACCT,
          ONE("{\"reserved_concurrency\": 2, \"init\": 0, "
              "\"handlers\": {\"default\": [{\"delay\": 1}]}}"),
          1, false);
    uint64_t id[3];
    for (int i = 0; i < 3; i++)
        id[i] = at(&x, 0, 0, 0, false);
    uint64_t later = at(&x, S(1.5), 0, 0, false);
    sim_run(&x.sim, S(10));
    CHECK_EQ_INT(x.ans[id[0]].status, REQ_OK);
    CHECK_EQ_INT(x.ans[id[1]].status, REQ_OK);
    CHECK_EQ_INT(x.ans[id[2]].status, REQ_E429);
    CHECK_EQ_INT(lat(&x, id[2]), 0);
    CHECK_EQ_INT(x.ans[later].status, REQ_OK);
    struct lambda_counts n = counts(&x, 0);
    CHECK_EQ_INT(n.throttles, 1);
    CHECK_EQ_INT(n.throttles_limit, 1);
    CHECK_EQ_INT(n.invocations, 3);
    teardown(&x);
}

/* An account of 5: "fn" reserves 3, "other" shares the 2 left. "other" gets no more than 2
 * however idle "fn" is, and cannot take fn's 3 (LAM-1, LAM-5). */
static void test_account(void)
{
    struct fx x;
    setup(&x, "{\"concurrency\": 5}",
          (const char *const[]){"{\"reserved_concurrency\": 3, \"init\": 0, "
                                "\"handlers\": {\"default\": [{\"delay\": 1}]}}",
                                "{\"init\": 0, \"handlers\": {\"default\": [{\"delay\": 1}]}}"},
          2, false);
    uint64_t o[4], f[4];
    for (int i = 0; i < 4; i++)
        o[i] = at(&x, 0, 1, 0, false);
    for (int i = 0; i < 4; i++)
        f[i] = at(&x, MS(10), 0, 0, false);
    sim_run(&x.sim, S(10));
    int ok_o = 0, ok_f = 0;
    for (int i = 0; i < 4; i++) {
        ok_o += x.ans[o[i]].status == REQ_OK;
        ok_f += x.ans[f[i]].status == REQ_OK;
    }
    CHECK_EQ_INT(ok_o, 2);
    CHECK_EQ_INT(ok_f, 3);
    CHECK_EQ_INT(x.ans[f[3]].status, REQ_E429);
    CHECK_EQ_INT(counts(&x, 1).throttles_limit, 2);
    CHECK_EQ_INT(counts(&x, 0).throttles_limit, 1);
    teardown(&x);
}

/* Provisioned 2 (LAM-6): two requests warm (no Init), the third spills over to an on-demand
 * environment with a cold start; later the provisioned ones are used first again. */
static void test_provisioned(void)
{
    struct fx x;
    setup(&x, ACCT,
          ONE("{\"provisioned_concurrency\": 2, \"init\": \"300ms\", \"memory_mb\": 1769, "
              "\"handlers\": {\"default\": [{\"cpu\": \"100ms\"}]}}"),
          1, false);
    uint64_t a = at(&x, 0, 0, 0, false), b = at(&x, 0, 0, 0, false), c = at(&x, 0, 0, 0, false);
    uint64_t d = at(&x, S(1), 0, 0, false), e = at(&x, S(1), 0, 0, false);
    uint64_t f = at(&x, S(1), 0, 0, false);
    sim_run(&x.sim, S(2));
    /* provisioned utilisation: 2 x 0.1 s busy in each second, 2 environments, over 2 s */
    sim_table_fill(&x.sim, &x.sim.ts, S(2));
    CHECK_NEAR(table_value(&x.sim.ts, "fn.provisioned_util_pct"), 100.0 * 0.4 / 4.0, 1e-6);
    sim_run(&x.sim, S(10));
    CHECK_EQ_INT(lat(&x, a), MS(100));
    CHECK_EQ_INT(lat(&x, b), MS(100));
    CHECK_EQ_INT(lat(&x, c), MS(400)); /* spillover: Init, then the handler */
    CHECK_EQ_INT(lat(&x, d), MS(100));
    CHECK_EQ_INT(lat(&x, e), MS(100));
    CHECK_EQ_INT(lat(&x, f), MS(100)); /* the on-demand one, warm now */
    struct lambda_counts n = counts(&x, 0);
    CHECK_EQ_INT(n.cold_starts, 1);
    CHECK_EQ_INT(n.created, 1);
    uint32_t busy, idle, prov;
    lambda_envs(x.fn[0], &busy, &idle, &prov);
    CHECK_EQ_INT(prov, 2);
    CHECK_EQ_INT(idle, 3);
    teardown(&x);
}

/* --- the function's timeout -------------------------------------------------------------------- */

/* timeout 0.5 s; the handler calls a service that takes 2 s: at 0.5 s the invocation ends
 * with 500, the call goes on downstream (its answer lands in the sink at 2 s), and the
 * environment is reset: the next invocation runs Init again. */
static void test_timeout(void)
{
    struct fx x;
    setup(&x, ACCT,
          ONE("{\"timeout\": 0.5, \"init\": \"100ms\", "
              "\"handlers\": {\"short\": [{\"call\": \"slow\"}], \"long\": [{\"delay\": 5}]}}"),
          1, false);
    uint64_t a = at(&x, 0, 0, 0, false);     /* cold: Init to 0.1, timeout at 0.6 */
    uint64_t b = at(&x, S(1), 0, 1, false);  /* the reset environment: Init again */
    uint64_t c = at(&x, S(3), 0, 1, false);
    sim_run(&x.sim, S(10));
    CHECK_EQ_INT(x.ans[a].status, REQ_E500);
    CHECK_EQ_INT(lat(&x, a), MS(600));
    CHECK_EQ_INT(x.ans[b].status, REQ_E500);
    CHECK_EQ_INT(lat(&x, b), MS(600));
    CHECK_EQ_INT(lat(&x, c), MS(600));
    CHECK_EQ_INT(x.slow.calls, 1);
    struct lambda_counts n = counts(&x, 0);
    CHECK_EQ_INT(n.timeouts, 3);
    CHECK_EQ_INT(n.errors, 3);
    CHECK_EQ_INT(n.cold_starts, 3);
    CHECK_EQ_INT(n.created, 1); /* one environment, reset twice */
    teardown(&x);
}

/* --- the scaling rate ------------------------------------------------------------------------ */

/* Current (LAM-2): 1,000 new environments at once, then 100 a second. */
static void test_rate_current(void)
{
    struct fx x;
    setup(&x, "{\"concurrency\": 5000}",
          ONE("{\"init\": 0, \"timeout\": 900, \"handlers\": {\"default\": [{\"delay\": 100}]}}"),
          1, false);
    for (int i = 0; i < 1200; i++)
        at(&x, 0, 0, 0, false);
    for (int i = 0; i < 150; i++)
        at(&x, S(1), 0, 0, false); /* 100 tokens more by then */
    sim_run(&x.sim, S(200)); /* all done: nothing left in flight */
    struct lambda_counts n = counts(&x, 0);
    CHECK_EQ_INT(n.invocations, 1100);
    CHECK_EQ_INT(n.throttles_rate, 250);
    CHECK_EQ_INT(n.throttles_limit, 0);
    teardown(&x);
}

/* Pre-2023 (LAM-3): account-wide, `burst` at once, then burst_rate a minute from the moment
 * the burst is used up, shared by the functions, at most two tokens saved up. */
static void test_rate_pre2023(void)
{
    struct fx x;
    setup(&x, "{\"concurrency\": 5000, \"scaling\": \"pre-2023\", \"burst\": 30, \"burst_rate\": 60}",
          (const char *const[]){
              "{\"init\": 0, \"timeout\": 900, \"handlers\": {\"default\": [{\"delay\": 600}]}}",
              "{\"init\": 0, \"timeout\": 900, \"handlers\": {\"default\": [{\"delay\": 600}]}}"},
          2, false);
    for (int i = 0; i < 20; i++)
        at(&x, 0, 0, 0, false);
    for (int i = 0; i < 20; i++)
        at(&x, 0, 1, 0, false); /* only 10 left of the burst */
    for (int i = 0; i < 10; i++)
        at(&x, S(5), 1, 0, false); /* 5 s: 5 tokens at one a second, at most 2 saved */
    for (int i = 0; i < 10; i++)
        at(&x, S(5.5), 0, 0, false); /* none yet */
    for (int i = 0; i < 10; i++)
        at(&x, S(6.5), 0, 0, false); /* one */
    sim_run(&x.sim, S(700));
    CHECK_EQ_INT(counts(&x, 0).invocations, 21);
    CHECK_EQ_INT(counts(&x, 1).invocations, 12);
    CHECK_EQ_INT(counts(&x, 0).throttles_rate + counts(&x, 1).throttles_rate, 37);
    teardown(&x);
}

/* --- asynchronous invocation (LAM-8) ----------------------------------------------------------- */

static void test_async(void)
{
    struct fx x;
    /* reserved 1: the second event is throttled, tried again 1 s later */
    setup(&x, ACCT,
          ONE("{\"reserved_concurrency\": 1, \"init\": 0, \"handlers\": {"
              "\"short\": [{\"delay\": \"1.5s\"}], \"long\": [{\"call\": \"slow\"}]}}"),
          1, false);
    x.slow.after = MS(10);
    x.slow.status = REQ_E500;
    uint64_t a = at(&x, 0, 0, 0, true), b = at(&x, 0, 0, 0, true);
    sim_run(&x.sim, S(10));
    CHECK_EQ_INT(x.ans[a].status, REQ_OK); /* 202 at once */
    CHECK_EQ_INT(lat(&x, a), 0);
    CHECK_EQ_INT(lat(&x, b), 0);
    struct lambda_counts n = counts(&x, 0);
    /* b: throttled at 0, 1 s (busy until 1.5), then 1 + 2 = 3 s: runs */
    CHECK_EQ_INT(n.throttles, 2);
    CHECK_EQ_INT(n.invocations, 2);
    CHECK_EQ_INT(n.events, 2);
    CHECK_EQ_INT(n.events_done, 2);
    teardown(&x);

    /* a function error: tried again 1 min, then 2 min later, then dropped */
    setup(&x, ACCT,
          ONE("{\"init\": 0, \"handlers\": {\"short\": [{\"call\": \"slow\"}], "
              "\"long\": [{\"call\": \"slow\"}]}}"),
          1, false);
    x.slow.after = MS(10);
    x.slow.status = REQ_E500;
    at(&x, 0, 0, 1, true);
    sim_run(&x.sim, S(59));
    CHECK_EQ_INT(counts(&x, 0).invocations, 1);
    sim_run(&x.sim, S(61));
    CHECK_EQ_INT(counts(&x, 0).invocations, 2);
    sim_run(&x.sim, S(179));
    CHECK_EQ_INT(counts(&x, 0).invocations, 2);
    sim_run(&x.sim, S(181));
    n = counts(&x, 0);
    CHECK_EQ_INT(n.invocations, 3);
    CHECK_EQ_INT(n.errors, 3);
    CHECK_EQ_INT(n.events_dropped, 1);
    teardown(&x);

    /* maximum_retry_attempts 0, and an event too old to try again */
    setup(&x, ACCT,
          ONE("{\"init\": 0, \"maximum_retry_attempts\": 0, \"maximum_event_age\": 60, "
              "\"reserved_concurrency\": 0, \"handlers\": {\"default\": [{\"call\": \"slow\"}]}}"),
          1, false);
    at(&x, 0, 0, 0, true);
    sim_run(&x.sim, S(600));
    n = counts(&x, 0);
    /* throttled at 0, 1, 3, 7, 15, 31 s; the next try (63 s) would be past 60 s */
    CHECK_EQ_INT(n.throttles, 6);
    CHECK_EQ_INT(n.events_dropped, 1);
    teardown(&x);
}

/* --- faults ------------------------------------------------------------------------------------ */

/* An AZ outage: the environment there is lost with its invocation (502), new ones go to the
 * other AZ; a provisioned environment lost is initialised again there. */
static void test_az_outage(void)
{
    struct fx x;
    setup(&x, ACCT,
          ONE("{\"init\": \"100ms\", \"provisioned_concurrency\": 2, "
              "\"handlers\": {\"default\": [{\"delay\": 1}]}}"),
          1, false);
    uint64_t a = at(&x, 0, 0, 0, false), b = at(&x, 0, 0, 0, false);
    sim_run(&x.sim, MS(500));
    struct fault_action fa = {.op = FAULT_AZ_DOWN, .id = 1, .az = 0, .cause = "test"};
    struct component *c = lambda_component(x.fn[0]);
    CHECK_EQ_INT(c->ops->fault(&x.sim, c, &fa), 1);
    uint64_t d = at(&x, S(2), 0, 0, false), e = at(&x, S(2), 0, 0, false);
    sim_run(&x.sim, S(3.5));
    sim_table_fill(&x.sim, &x.sim.ts, S(3.5));
    CHECK_NEAR(table_value(&x.sim.ts, "fn.environments.us-east-1a"), 0, 0);
    CHECK_NEAR(table_value(&x.sim.ts, "fn.environments.us-east-1b"), 2, 0);
    fa.op = FAULT_AZ_UP;
    c->ops->fault(&x.sim, c, &fa);
    sim_run(&x.sim, S(10));
    /* the provisioned environments were made in us-east-1a, then us-east-1b, and the idle
     * ones are used last in, first out: a ran in us-east-1b, b in us-east-1a */
    CHECK_EQ_INT(x.ans[a].status, REQ_OK);
    CHECK_EQ_INT(x.ans[b].status, REQ_E502);
    CHECK_EQ_INT(lat(&x, b), MS(500));
    /* the lost provisioned one came back in us-east-1b after Init (100 ms): both warm */
    CHECK_EQ_INT(lat(&x, d), S(1));
    CHECK_EQ_INT(lat(&x, e), S(1));
    CHECK_EQ_INT(counts(&x, 0).lost, 1);
    CHECK_EQ_INT(counts(&x, 0).cold_starts, 0);
    teardown(&x);
}

/* --- configuration ---------------------------------------------------------------------------- */

static void test_config(void)
{
    struct arena a = ARENA_INIT;
    struct lambda_config c;
    CHECK(check_parse("{\"handlers\": {\"default\": []}}", read_fn, &c, &a), "defaults");
    CHECK_EQ_INT(c.memory_mb, 128);
    CHECK_EQ_INT(c.runtime, LAMBDA_RT_PYTHON312);
    CHECK_EQ_INT(c.timeout, S(3));
    CHECK_NEAR(dist_mean(&c.init), 0.085, 1e-9);
    CHECK_NEAR(dist_mean(&c.idle_lifetime), 420, 0);
    CHECK(!c.has_reserved, "no reservation");
    CHECK_EQ_INT(c.provisioned, 0);
    CHECK_EQ_INT(c.maximum_event_age, S(21600));
    CHECK_EQ_INT(c.maximum_retry_attempts, 2);
    lambda_config_release(&c);
    static const struct {
        const char *rt;
        double init;
    } rts[] = {{"nodejs22", 0.137}, {"java21", 0.242}, {"dotnet8", 0.248},
               {"ruby3.3", 0.249},  {"go", 0.049},     {"rust", 0.016}};
    for (size_t i = 0; i < sizeof rts / sizeof rts[0]; i++) {
        char json[128];
        snprintf(json, sizeof json, "{\"runtime\": \"%s\", \"handlers\": {\"default\": []}}",
                 rts[i].rt);
        CHECK(check_parse(json, read_fn, &c, &a), "%s", rts[i].rt);
        CHECK_NEAR(dist_mean(&c.init), rts[i].init, 1e-9);
        CHECK_STR(lambda_runtime_name(c.runtime), rts[i].rt);
        lambda_config_release(&c);
    }
    struct lambda_account_config ac;
    CHECK(check_parse("{}", read_acct, &ac, &a), "account defaults");
    CHECK_EQ_INT(ac.concurrency, 1000);
    CHECK_EQ_INT(ac.scaling, LAMBDA_SCALING_CURRENT);
    CHECK(check_parse("{\"scaling\": \"pre-2023\"}", read_acct, &ac, &a), "pre-2023");
    CHECK_EQ_INT(ac.burst, 3000);
    CHECK_EQ_INT(ac.burst_rate, 500);
    arena_release(&a);
}

int main(void)
{
    test_cold_warm();
    test_cpu_share();
    test_reuse_mru();
    test_reclaim();
    test_reserved();
    test_account();
    test_provisioned();
    test_timeout();
    test_rate_current();
    test_rate_pre2023();
    test_async();
    test_az_outage();
    test_config();
    return check_done();
}
