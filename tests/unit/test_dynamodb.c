/* test_dynamodb.c — the DynamoDB table (DDB-1): its configuration read from JSON (defaults,
 * and the errors of bad inputs), and the component on a small simulation driven by a
 * hand-made caller that sends reads or writes at a rate it is given, evenly spaced or
 * Poisson:
 * - provisioned: a steady load at or under the provisioned rate never throttles; a burst
 *   spends the 300 s of saved capacity, then the table serves exactly its rate;
 * - on demand: a ramp that doubles over more than 30 minutes never throttles; a step to more
 *   than twice the previous peak is served at twice the peak, the excess throttled, and
 *   after 30 minutes at a level the ceiling follows it; the ceiling never falls; the
 *   table's maximum caps it;
 * - half units for eventually consistent reads; latency and the network hop in the caller's
 *   own AZ; a throttle's answer without the latency; other ops refused with 500;
 * - conservation (every request answered once, the pool empty) and determinism. */
#include "check.h"

#include "tiersim/arena.h"
#include "tiersim/models/dynamodb.h"
#include "tiersim/scn.h"
#include "tiersim/stats.h"

#include <gsl/gsl_randist.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

/* --- configuration ---------------------------------------------------------------------------- */

static bool read_cfg(struct scn_obj *o, void *cfg, struct arena *a)
{
    return dynamodb_config_from_json(o, cfg, a);
}

/* Parse a component object; with `errors`, every error printed by the reader, as tiersim
 * prints them (the file is "t.json"). */
static bool parse(const char *json, struct dynamodb_config *c, struct arena *a, char **errors)
{
    if (!errors)
        return check_parse(json, read_cfg, c, a);
    struct scn *s = scn_new();
    bool ok = scn_load_text(s, "t.json", ".", json, strlen(json)) == 0;
    struct scn_obj o;
    if (ok && scn_open(s, scn_root(s), &o)) {
        scn_member(&o, "type");
        ok = dynamodb_config_from_json(&o, c, a);
        scn_close(&o);
    }
    ok = ok && scn_error_count(s) == 0;
    *errors = check_scn_errors(s);
    scn_free(s);
    return ok;
}

static void test_config(void)
{
    struct arena a = ARENA_INIT;
    struct dynamodb_config c;
    CHECK(parse("{\"type\": \"dynamodb\"}", &c, &a, NULL), "defaults");
    CHECK_EQ_INT(c.billing_mode, DYNAMODB_PAY_PER_REQUEST);
    CHECK_EQ_INT(c.peak_read, 6000);
    CHECK_EQ_INT(c.peak_write, 2000);
    CHECK_EQ_INT(c.max_read, 40000);
    CHECK_EQ_INT(c.max_write, 40000);
    CHECK_EQ_INT(c.peak_delay_s, 1800);
    CHECK_EQ_INT(c.read_latency.kind, DIST_LOGNORMAL);
    CHECK_NEAR(dist_mean(&c.read_latency), 0.003, 1e-12);
    CHECK_NEAR(dist_mean(&c.write_latency), 0.005, 1e-12);
    dynamodb_config_release(&c);

    CHECK(parse("{\"type\": \"dynamodb\", \"billing_mode\": \"PROVISIONED\","
                " \"read_capacity_units\": 100, \"write_capacity_units\": 20,"
                " \"burst_window\": \"1m\", \"read_latency\": \"2ms\"}",
                &c, &a, NULL),
          "provisioned");
    CHECK_EQ_INT(c.billing_mode, DYNAMODB_PROVISIONED);
    CHECK_EQ_INT(c.rcu, 100);
    CHECK_EQ_INT(c.wcu, 20);
    CHECK_EQ_INT(c.burst, 60 * SIM_NS_PER_S);
    CHECK_EQ_INT(c.read_latency.kind, DIST_CONST);
    dynamodb_config_release(&c);

    CHECK(parse("{\"type\": \"dynamodb\", \"previous_peak_read_request_units\": 10,"
                " \"max_write_request_units\": 500, \"peak_delay\": \"10m\"}",
                &c, &a, NULL),
          "on demand, tuned");
    CHECK_EQ_INT(c.peak_read, 10);
    CHECK_EQ_INT(c.max_write, 500);
    CHECK_EQ_INT(c.peak_delay_s, 600);
    dynamodb_config_release(&c);
    arena_release(&a);
}

static void check_error(const char *json, const char *expected)
{
    struct arena a = ARENA_INIT;
    struct dynamodb_config c;
    char *errors = NULL;
    CHECK(!parse(json, &c, &a, &errors), "an error: %s", json);
    CHECK_STR(errors, expected);
    free(errors);
    dynamodb_config_release(&c);
    arena_release(&a);
}

static void test_config_errors(void)
{
    check_error("{\"type\": \"dynamodb\", \"billing_mode\": \"PROVISIONED\"}",
                "t.json:1:1: .: missing required key \"read_capacity_units\"\n"
                "t.json:1:1: .: missing required key \"write_capacity_units\"\n");
    check_error("{\"type\": \"dynamodb\", \"billing_mode\": \"ON_DEMAND\"}",
                "t.json:1:38: .billing_mode: unknown value \"ON_DEMAND\" (expected one of: "
                "\"PAY_PER_REQUEST\", \"PROVISIONED\")\n");
    check_error("{\"type\": \"dynamodb\", \"read_capacity_units\": 5}",
                "t.json:1:22: .read_capacity_units: \"read_capacity_units\" is for billing_mode "
                "\"PROVISIONED\" (this table's is \"PAY_PER_REQUEST\")\n");
    check_error("{\"type\": \"dynamodb\", \"billing_mode\": \"PROVISIONED\", "
                "\"read_capacity_units\": 5, \"write_capacity_units\": 0, \"peak_delay\": 60}",
                "t.json:1:103: .write_capacity_units: must be between 1 and 1000000, got 0\n"
                "t.json:1:106: .peak_delay: \"peak_delay\" is for billing_mode "
                "\"PAY_PER_REQUEST\" (this table's is \"PROVISIONED\")\n");
    check_error("{\"type\": \"dynamodb\", \"peak_delay\": \"90.5s\"}",
                "t.json:1:36: .peak_delay: must be a whole number of seconds (consumption is "
                "counted per second), got 90.5 s\n");
    /* a bad mode: the other keys are not judged against a mode it may not be */
    check_error("{\"type\": \"dynamodb\", \"billing_mode\": \"PROVISONED\","
                " \"read_capacity_units\": 5, \"write_capacity_units\": 5}",
                "t.json:1:38: .billing_mode: unknown value \"PROVISONED\" (did you mean "
                "\"PROVISIONED\"?)\n");
}

/* --- the component on a simulation ------------------------------------------------------------ */

/* A client of the table: sends requests of one op and size at `rate(t)` per second, evenly
 * spaced (spacing 1e9 / rate ns, so a whole rate gives exactly that many per second) or
 * Poisson, from `start` until `until`. Records every answer, per second of its sending. */
struct caller {
    struct component comp;
    struct component *table;
    struct req_pool *pool;
    gsl_rng *rng;
    double (*rate)(const struct caller *cl, int64_t t); /* per second */
    double r0, r1, period;  /* the rate function's parameters */
    bool poisson;
    int64_t start, until;   /* ns */
    enum req_op op;
    uint64_t arg;
    int az;
    uint64_t sent, ok, e400, e500, other;
    uint32_t nsec;
    uint32_t *served, *throttled; /* [nsec]: by the second the request was sent */
    struct welford ok_resp, thr_resp; /* s */
    uint64_t hash; /* of the answers' times and statuses, in order */
};

static double rate_const(const struct caller *cl, int64_t t)
{
    (void)t;
    return cl->r0;
}

/* r0 until `period` s, then r1 */
static double rate_step(const struct caller *cl, int64_t t)
{
    return sim_s(t) < cl->period ? cl->r0 : cl->r1;
}

/* r0 x 2^(t / period) */
static double rate_doubling(const struct caller *cl, int64_t t)
{
    return cl->r0 * exp2(sim_s(t) / cl->period);
}

static void send(struct sim *sim, struct caller *cl)
{
    struct request *r = req_new(cl->pool);
    r->t_arrival = sim->now;
    r->depth = 1;
    memset(&r->stack[0], 0, 2 * sizeof r->stack[0]);
    r->stack[0].comp = &cl->comp;
    r->stack[0].az = (int8_t)cl->az;
    r->op = (uint8_t)cl->op;
    r->arg = cl->arg;
    cl->sent++;
    comp_call(sim, r, cl->table);
}

static void on_send(struct sim *sim, void *ctx, uint64_t arg)
{
    (void)arg;
    struct caller *cl = ctx;
    send(sim, cl);
    double rate = cl->rate(cl, sim->now);
    int64_t gap = cl->poisson ? sim_ns(gsl_ran_exponential(cl->rng, 1.0 / rate))
                              : (int64_t)llround(1e9 / rate);
    if (sim->now + gap < cl->until)
        sim_at(sim, sim->now + gap, on_send, cl, 0);
}

static void caller_resume(struct sim *sim, struct component *self, struct request *r)
{
    struct caller *cl = (struct caller *)self;
    uint64_t sec = (uint64_t)(r->t_arrival / SIM_NS_PER_S);
    double resp = sim_s(sim->now - r->t_arrival);
    if (r->status == REQ_OK) {
        cl->ok++;
        welford_add(&cl->ok_resp, resp);
        if (sec < cl->nsec)
            cl->served[sec]++;
    } else if (r->status == REQ_E400) {
        cl->e400++;
        welford_add(&cl->thr_resp, resp);
        if (sec < cl->nsec)
            cl->throttled[sec]++;
    } else if (r->status == REQ_E500) {
        cl->e500++;
    } else {
        cl->other++;
    }
    cl->hash = (cl->hash ^ (uint64_t)sim->now ^ r->status) * 1099511628211u;
    req_free(cl->pool, r);
}

static const struct component_ops caller_ops = {
    .type = "client",
    .accept = comp_accept_none,
    .resume = caller_resume,
};

/* A table and its caller on a fresh simulation, for `seconds` of sending. */
struct rig {
    struct sim sim;
    struct req_pool pool;
    struct dynamodb *t;
    struct caller cl;
};

static void rig_init(struct rig *g, uint64_t seed, const struct dynamodb_config *c,
                     const struct net *net, uint32_t seconds)
{
    sim_init(&g->sim, seed);
    memset(&g->pool, 0, sizeof g->pool);
    g->pool.net = net;
    g->t = dynamodb_new(&g->sim, "orders", c);
    dynamodb_start(&g->sim, g->t);
    memset(&g->cl, 0, sizeof g->cl);
    g->cl.comp.ops = &caller_ops;
    g->cl.comp.name = "caller";
    g->cl.comp.az = -1;
    g->cl.az = -1;
    g->cl.table = dynamodb_component(g->t);
    g->cl.pool = &g->pool;
    g->cl.rng = sim_rng(&g->sim, "caller", "arrivals");
    g->cl.rate = rate_const;
    g->cl.op = OP_DDB_READ;
    g->cl.arg = ddb_units_arg(1, false);
    g->cl.until = (int64_t)seconds * SIM_NS_PER_S;
    g->cl.nsec = seconds;
    g->cl.served = ts_calloc(seconds, sizeof *g->cl.served);
    g->cl.throttled = ts_calloc(seconds, sizeof *g->cl.throttled);
}

/* Send from `start` to the end, run until every answer is back. */
static void rig_run(struct rig *g)
{
    sim_at(&g->sim, g->cl.start, on_send, &g->cl, 0);
    CHECK_EQ_INT(sim_run(&g->sim, g->cl.until + SIM_NS_PER_S), 0);
    CHECK(g->cl.ok + g->cl.e400 + g->cl.e500 + g->cl.other == g->cl.sent,
          "every request answered once: %llu sent, %llu answered",
          (unsigned long long)g->cl.sent,
          (unsigned long long)(g->cl.ok + g->cl.e400 + g->cl.e500 + g->cl.other));
    CHECK(g->pool.live == 0, "every request back in the pool: %llu",
          (unsigned long long)g->pool.live);
}

static void rig_release(struct rig *g)
{
    sim_release(&g->sim);
    dynamodb_free(g->t);
    req_pool_release(&g->pool);
    free(g->cl.served);
    free(g->cl.throttled);
}

/* Summary column `name` after the run. */
static double summary(struct rig *g, const char *name)
{
    sim_table_fill(&g->sim, &g->sim.summary, g->sim.now - g->sim.warmup);
    char full[64];
    snprintf(full, sizeof full, "orders.%s", name);
    for (uint32_t i = 0; i < g->sim.summary.ncols; i++)
        if (strcmp(g->sim.summary.cols[i].name, full) == 0)
            return g->sim.summary.row[i];
    CHECK(0, "no summary column %s", full);
    return TS_NAN;
}

/* Requests served (or throttled) in the seconds [a, b) of sending. */
static uint64_t sum(const uint32_t *v, uint32_t a, uint32_t b)
{
    uint64_t n = 0;
    for (uint32_t i = a; i < b; i++)
        n += v[i];
    return n;
}

static struct dynamodb_config provisioned(uint32_t rcu, uint32_t wcu, double burst_s)
{
    struct dynamodb_config c;
    memset(&c, 0, sizeof c);
    c.billing_mode = DYNAMODB_PROVISIONED;
    c.read_latency = DIST_CONST(0.003);
    c.write_latency = DIST_CONST(0.005);
    c.rcu = rcu;
    c.wcu = wcu;
    c.burst = sim_ns(burst_s);
    return c;
}

static struct dynamodb_config on_demand(uint32_t peak, uint32_t max)
{
    struct dynamodb_config c;
    memset(&c, 0, sizeof c);
    c.billing_mode = DYNAMODB_PAY_PER_REQUEST;
    c.read_latency = DIST_CONST(0.003);
    c.write_latency = DIST_CONST(0.005);
    c.peak_read = c.peak_write = peak;
    c.max_read = c.max_write = max;
    c.peak_delay_s = 1800;
    return c;
}

/* Provisioned, steady: exactly the provisioned rate, evenly spaced, with the smallest burst
 * window (1 s), never throttles (the integer accounting: no rounding starves a request);
 * neither does a Poisson load at 90 % of it with the default window. */
static void test_provisioned_steady(void)
{
    struct dynamodb_config c = provisioned(100, 50, 1);
    struct rig g;
    rig_init(&g, 1, &c, NULL, 3600);
    g.cl.r0 = 100;
    rig_run(&g);
    CHECK_EQ_INT(g.cl.e400, 0);
    CHECK_EQ_INT(g.cl.ok, 360000);
    CHECK_NEAR(summary(&g, "consumed_rcu"), 360000, 0);
    CHECK_NEAR(summary(&g, "read_throttles"), 0, 0);
    rig_release(&g);

    c = provisioned(50, 100, 1); /* writes at exactly wcu */
    rig_init(&g, 1, &c, NULL, 600);
    g.cl.r0 = 100;
    g.cl.op = OP_DDB_WRITE;
    rig_run(&g);
    CHECK_EQ_INT(g.cl.e400, 0);
    CHECK_NEAR(summary(&g, "writes"), 60000, 0);
    CHECK_NEAR(summary(&g, "consumed_wcu"), 60000, 0);
    rig_release(&g);

    c = provisioned(100, 50, 300);
    rig_init(&g, 2, &c, NULL, 3600);
    g.cl.r0 = 90;
    g.cl.poisson = true;
    rig_run(&g);
    CHECK_EQ_INT(g.cl.e400, 0);
    CHECK(g.cl.ok > 320000, "%llu served", (unsigned long long)g.cl.ok);
    printf("provisioned 100 RCU: 100/s evenly for 1 h, and Poisson 90/s for 1 h: no throttle\n");
    rig_release(&g);
}

/* Provisioned, a burst: 100 RCU with 300 s of saved capacity (30,000 units, full at the
 * start) under 300 reads/s. The bucket drains at 200/s: no throttle for 150 s, then the
 * table serves exactly its rate: by any time T past the burst, 30,000 + 100 T reads. */
static void test_provisioned_burst(void)
{
    struct dynamodb_config c = provisioned(100, 50, 300);
    struct rig g;
    rig_init(&g, 1, &c, NULL, 1200);
    g.cl.r0 = 300;
    rig_run(&g);
    uint64_t first = sum(g.cl.throttled, 0, 149);
    CHECK_EQ_INT(first, 0);
    CHECK(sum(g.cl.throttled, 150, 152) > 0, "throttles from 150 s on");
    for (uint32_t t = 200; t <= 1200; t += 200) {
        uint64_t served = sum(g.cl.served, 0, t);
        CHECK(llabs((long long)served - (30000 + 100 * (long long)t)) <= 1,
              "served by %u s: %llu, expected %d", t, (unsigned long long)served,
              30000 + 100 * (int)t);
    }
    /* after the burst, every second serves its rate, within one request */
    uint32_t worst = 0;
    for (uint32_t s = 160; s < 1200; s++) {
        uint32_t d = g.cl.served[s] > 100 ? g.cl.served[s] - 100 : 100 - g.cl.served[s];
        worst = d > worst ? d : worst;
    }
    CHECK(worst <= 1, "a second after the burst serves 100 +- %u", worst);
    double tput = (double)sum(g.cl.served, 200, 1200) / 1000.0;
    CHECK_NEAR(tput, 100, 0.002);
    CHECK_NEAR(dynamodb_burst_left(g.t, g.sim.now, false), 100, 1); /* the rate's second */
    CHECK_NEAR(summary(&g, "read_throttles"), (double)g.cl.e400, 0);
    printf("provisioned 100 RCU, 300 reads/s: burst lasts %u s; then %.4f reads/s served\n",
           149 + (g.cl.throttled[149] == 0) + (g.cl.throttled[150] == 0), tput);
    rig_release(&g);
}

/* On demand, a ramp: a previous peak of 50 (so 100 at once), reads doubling every 40
 * minutes from 50/s for 2 hours (to 400/s): each second is at most 2^(30/40) = 1.68 x the
 * rate of 30 minutes before, so it never passes twice a peak the table has had 30 minutes
 * to reach. The same ramp doubling every 20 minutes outgrows it. */
static void test_on_demand_ramp(void)
{
    struct dynamodb_config c = on_demand(50, 1000000);
    struct rig g;
    rig_init(&g, 1, &c, NULL, 7200);
    g.cl.rate = rate_doubling;
    g.cl.r0 = 50;
    g.cl.period = 2400;
    rig_run(&g);
    CHECK_EQ_INT(g.cl.e400, 0);
    CHECK(g.cl.served[7199] >= 395, "the ramp reached %u/s", g.cl.served[7199]);
    double ceil_end = dynamodb_ceiling(g.t, g.sim.now, false);
    /* the peak of 30 minutes before the end: 50 x 2^(90/40) = 238/s, doubled */
    CHECK(ceil_end >= 470 && ceil_end <= 480, "ceiling at the end %.1f", ceil_end);
    printf("on demand, reads doubling every 40 min for 2 h: %llu served, none throttled; "
           "ceiling at the end %.0f/s\n",
           (unsigned long long)g.cl.ok, ceil_end);
    rig_release(&g);

    rig_init(&g, 1, &c, NULL, 3600);
    g.cl.rate = rate_doubling;
    g.cl.r0 = 50;
    g.cl.period = 1200;
    rig_run(&g);
    CHECK(g.cl.e400 > 0, "doubling every 20 min throttles");
    rig_release(&g);
}

/* On demand, a step: 50 reads/s (the previous peak 50, so 100 at once) for an hour, then
 * 250/s. The table serves 100/s and throttles 150/s; 30 minutes after it first served
 * 100/s that is the previous peak, and it serves 200/s; 30 minutes later, everything. An
 * hour after the traffic falls back to 10/s the ceiling is still 500 (a peak is kept), and
 * the table's maximum caps the ceiling. */
static void test_on_demand_step(void)
{
    struct dynamodb_config c = on_demand(50, 1000000);
    struct rig g;
    rig_init(&g, 1, &c, NULL, 3 * 3600);
    g.cl.rate = rate_step;
    g.cl.r0 = 50;
    g.cl.r1 = 250;
    g.cl.period = 3600;
    rig_run(&g);
    CHECK_EQ_INT(sum(g.cl.throttled, 0, 3600), 0);
    CHECK_EQ_INT(sum(g.cl.served, 3600, 5400), 1800 * 100);
    CHECK_EQ_INT(sum(g.cl.throttled, 3600, 5400), 1800 * 150);
    CHECK_EQ_INT(sum(g.cl.served, 5400, 7200), 1800 * 200);
    CHECK_EQ_INT(sum(g.cl.throttled, 5400, 7200), 1800 * 50);
    CHECK_EQ_INT(sum(g.cl.served, 7200, 10800), 3600 * 250);
    CHECK_EQ_INT(sum(g.cl.throttled, 7200, 10800), 0);
    CHECK_NEAR(dynamodb_ceiling(g.t, g.sim.now, false), 500, 0);
    CHECK_NEAR(dynamodb_ceiling(g.t, g.sim.now, true), 100, 0); /* no write was made */
    printf("on demand, 50/s then 250/s: served 100/s for 30 min, 200/s for 30 min, then "
           "250/s\n");
    rig_release(&g);

    /* a fall: the peak is kept */
    rig_init(&g, 1, &c, NULL, 2 * 3600);
    g.cl.rate = rate_step;
    g.cl.r0 = 100;
    g.cl.r1 = 10;
    g.cl.period = 600;
    rig_run(&g);
    CHECK_EQ_INT(g.cl.e400, 0);
    CHECK_NEAR(dynamodb_ceiling(g.t, g.sim.now, false), 200, 0);
    rig_release(&g);

    /* the table's maximum: 120 units/s */
    c = on_demand(50, 120);
    rig_init(&g, 1, &c, NULL, 3 * 3600);
    g.cl.rate = rate_step;
    g.cl.r0 = 50;
    g.cl.r1 = 250;
    g.cl.period = 3600;
    rig_run(&g);
    CHECK_EQ_INT(sum(g.cl.served, 3600, 5400), 1800 * 100);
    CHECK_EQ_INT(sum(g.cl.served, 5400, 10800), 5400 * 120);
    CHECK_NEAR(dynamodb_ceiling(g.t, g.sim.now, false), 120, 0);
    rig_release(&g);
}

/* Units: eventually consistent reads take half a unit, so twice as many fit; a read of 3
 * units takes 3; reads and writes are accounted apart. */
static void test_units(void)
{
    struct dynamodb_config c = provisioned(10, 10, 1);
    struct rig g;
    rig_init(&g, 1, &c, NULL, 100);
    g.cl.r0 = 40;
    g.cl.arg = ddb_units_arg(1, true);
    g.cl.start = 10 * SIM_NS_PER_S; /* the bucket full: 10 units */
    rig_run(&g);
    /* 10 units at the start, then 10/s: 20 + 2 x 10 x 90 half-unit reads */
    CHECK(llabs((long long)g.cl.ok - (20 + 1800)) <= 1, "%llu eventually consistent reads",
          (unsigned long long)g.cl.ok);
    CHECK_NEAR(summary(&g, "consumed_rcu"), (double)g.cl.ok / 2, 0);
    rig_release(&g);

    rig_init(&g, 1, &c, NULL, 100);
    g.cl.r0 = 10;
    g.cl.arg = ddb_units_arg(3, false);
    rig_run(&g);
    CHECK(llabs((long long)g.cl.ok - (10 + 1000) / 3) <= 1, "%llu reads of 3 units",
          (unsigned long long)g.cl.ok);
    CHECK_NEAR(summary(&g, "consumed_rcu"), 3.0 * (double)g.cl.ok, 0);
    CHECK_NEAR(summary(&g, "consumed_wcu"), 0, 0);
    CHECK_NEAR(dynamodb_burst_left(g.t, g.sim.now, true), 10, 0); /* writes untouched */
    rig_release(&g);
}

/* Latency and network: a caller in us-east-1b, whatever the table's AZs: a same-AZ hop each
 * way (0.1 ms; a cross-AZ hop would be 1 ms) around the latency; a throttle without it;
 * other ops refused with 500 at once. */
static void test_latency_network(void)
{
    struct net net = {.same_az = DIST_CONST(0.0001), .cross_az = DIST_CONST(0.001),
                      .fixed = true, .same_ns = 100000, .cross_ns = 1000000};
    struct dynamodb_config c = provisioned(10, 10, 1);
    struct rig g;
    rig_init(&g, 1, &c, &net, 10);
    g.cl.az = 1;
    g.cl.r0 = 20;
    rig_run(&g);
    CHECK_NEAR(g.cl.ok_resp.mean, 0.0032, 1e-12);
    CHECK_NEAR(welford_var(&g.cl.ok_resp), 0, 1e-20); /* every one of them */
    CHECK(g.cl.e400 > 0, "throttles");
    CHECK_NEAR(g.cl.thr_resp.mean, 0.0002, 1e-12);
    rig_release(&g);

    c = on_demand(6000, 40000);
    c.write_latency = (struct dist){.kind = DIST_EXP, .a = 0.005};
    rig_init(&g, 3, &c, &net, 600);
    g.cl.az = 0;
    g.cl.op = OP_DDB_WRITE;
    g.cl.r0 = 100;
    g.cl.poisson = true;
    rig_run(&g);
    CHECK_NEAR(g.cl.ok_resp.mean, 0.0052, 0.0002); /* 60,000 draws: sd of the mean 20 us */
    printf("writes, exp latency mean 5 ms: response %.4f ms (5.2 expected)\n",
           1e3 * g.cl.ok_resp.mean);
    rig_release(&g);

    rig_init(&g, 1, &c, &net, 10);
    sim_run(&g.sim, 1000);
    g.cl.op = OP_HTTP;
    send(&g.sim, &g.cl);
    g.cl.op = OP_DB_READ;
    send(&g.sim, &g.cl);
    sim_run(&g.sim, SIM_NS_PER_S);
    CHECK_EQ_INT(g.cl.e500, 2);
    CHECK_NEAR(summary(&g, "reads") + summary(&g, "writes"), 0, 0);
    rig_release(&g);
}

/* The timeseries row: rates over the interval, the ceiling or the burst left at its end. */
static void test_row(void)
{
    struct dynamodb_config c = provisioned(100, 50, 300);
    struct rig g;
    rig_init(&g, 1, &c, NULL, 60);
    g.cl.r0 = 300;
    rig_run(&g);
    sim_table_fill(&g.sim, &g.sim.ts, SIM_NS_PER_S * 60);
    double *row = g.sim.ts.row;
    const struct sim_table *ts = &g.sim.ts;
    const char *want[] = {"orders.requests_rps",       "orders.consumed_rcu_ps",
                          "orders.consumed_wcu_ps",    "orders.read_throttles_rps",
                          "orders.write_throttles_rps", "orders.read_ceiling_rcu_ps",
                          "orders.write_ceiling_wcu_ps", "orders.read_burst_rcu",
                          "orders.write_burst_wcu"};
    CHECK_EQ_INT(ts->ncols, 9);
    for (uint32_t i = 0; i < 9 && i < ts->ncols; i++)
        CHECK_STR(ts->cols[i].name, want[i]);
    CHECK_NEAR(row[0], 300, 0.02);
    CHECK_NEAR(row[1], 300, 0.02);
    CHECK_NEAR(row[3], 0, 0);
    CHECK(isnan(row[5]) && isnan(row[6]), "no ceiling when provisioned");
    /* 30,000 - 200 x 61 s (the run ends a second after the last send) */
    CHECK_NEAR(row[7], 30000 - 200 * 60 + 100, 2);
    CHECK_NEAR(row[8], 15000, 0);
    rig_release(&g);
}

/* Same seed, same answers at the same instants; another seed, other latencies. */
static void test_determinism(void)
{
    struct dynamodb_config c = on_demand(20, 1000);
    c.read_latency = (struct dist){.kind = DIST_EXP, .a = 0.003};
    uint64_t first = 0;
    for (int run = 0; run < 3; run++) {
        struct rig g;
        rig_init(&g, run < 2 ? 5 : 6, &c, NULL, 300);
        g.cl.r0 = 60;
        g.cl.poisson = true;
        rig_run(&g);
        CHECK(g.cl.e400 > 0, "some throttles");
        if (run == 0)
            first = g.cl.hash;
        if (run == 1)
            CHECK(g.cl.hash == first, "a second run with the same seed gives the same answers");
        if (run == 2)
            CHECK(g.cl.hash != first, "another seed gives other answers");
        rig_release(&g);
    }
}

int main(void)
{
    test_config();
    test_config_errors();
    test_provisioned_steady();
    test_provisioned_burst();
    test_on_demand_ramp();
    test_on_demand_step();
    test_units();
    test_latency_network();
    test_row();
    test_determinism();
    return check_done();
}
