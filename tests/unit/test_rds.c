/* test_rds.c — the RDS model driven directly: a simulation, a request pool without network,
 * the database, and tiny callers (each stands for one calling instance) whose resume
 * records the answers. Checks the max_connections formula, the vCPU queue against Erlang C,
 * Multi-AZ write times, pool waits and timeouts, "too many connections", the proxy's cap,
 * replica lag, failover, faults (an AZ's loss: failover out of it and cross-AZ latency after,
 * a Single-AZ primary down and recovering, replicas stopped and catching up), configuration
 * reading and determinism. */
#include "check.h"

#include "tiersim/arena.h"
#include "tiersim/csvw.h"
#include "tiersim/models/rds.h"
#include "tiersim/scn.h"
#include "tiersim/stats.h"

#include <gsl/gsl_errno.h>
#include <gsl/gsl_randist.h>
#include <stdlib.h>
#include <string.h>

#define S(x)  ((int64_t)((x)*1e9 + 0.5)) /* ns from seconds (test constants) */
#define MS(x) ((int64_t)((x)*1e6 + 0.5))

static const char *const AZS[] = {"us-east-1a", "us-east-1b", "us-east-1c"};

/* --- a caller: one calling instance ----------------------------------------------------------- */

struct tcaller {
    struct component comp;
    char name[16];
    struct req_pool *pool;
    int64_t since;        /* ns: only queries sent from here on count in `w` */
    struct welford w;     /* s, response time of OK answers */
    uint64_t ok, e503, e500, other;
    uint64_t e503_at_once; /* 503s answered in the instant they were sent */
    int64_t lat_max;      /* ns, of OK answers */
    int64_t first_503, last_503; /* ns, when (-1: none) */
    int64_t last_lat;     /* ns, of the last answer */
    int az;               /* the caller's AZ (-1: none, no network) */
};

static void tc_accept(struct sim *sim, struct component *self, struct request *r)
{
    (void)sim;
    (void)self;
    (void)r;
    TS_ASSERT(0 && "a test caller is never called");
}

static void tc_resume(struct sim *sim, struct component *self, struct request *r)
{
    struct tcaller *tc = (struct tcaller *)self;
    int64_t lat = sim->now - r->t_arrival;
    tc->last_lat = lat;
    switch (r->status) {
    case REQ_OK:
        tc->ok++;
        if (lat > tc->lat_max)
            tc->lat_max = lat;
        if (r->t_arrival >= tc->since)
            welford_add(&tc->w, sim_s(lat));
        break;
    case REQ_E503:
        tc->e503++;
        tc->e503_at_once += lat == 0;
        if (tc->first_503 < 0)
            tc->first_503 = sim->now;
        tc->last_503 = sim->now;
        break;
    case REQ_E500:
        tc->e500++;
        break;
    default:
        tc->other++;
        break;
    }
    req_free(tc->pool, r);
}

static const struct component_ops tc_ops = {
    .type = "test-caller",
    .accept = tc_accept,
    .resume = tc_resume,
};

static void send(struct sim *sim, struct tcaller *tc, struct component *db, enum req_op op,
                 int64_t demand)
{
    struct request *r = req_new(tc->pool);
    r->t_arrival = sim->now;
    r->depth = 1;
    r->stack[0] = (struct frame){.comp = &tc->comp, .az = (int8_t)tc->az};
    r->op = (uint8_t)op;
    r->arg = demand > 0 ? db_demand_arg(demand) : 0; /* 0: the database's own */
    comp_call(sim, r, db);
}

/* --- the fixture ------------------------------------------------------------------------------ */

#define NCALLERS 16

struct fx {
    struct sim sim;
    struct req_pool pool;
    struct arena arena;
    struct rds_config cfg;
    struct rds *db;
    struct component *dbc;
    struct tcaller tc[NCALLERS];
};

static bool read_rds(struct scn_obj *o, void *c, struct arena *a)
{
    return rds_config_from_json(o, c, a);
}

/* Read an object from JSON text (as the world would, "type" already read). */
static bool parse(const char *json, struct rds_config *c, struct arena *a)
{
    return check_parse(json, read_rds, c, a);
}

static void setup(struct fx *f, const char *json, uint64_t seed, uint32_t nazs, int64_t warmup)
{
    memset(f, 0, sizeof *f);
    sim_init(&f->sim, seed);
    f->sim.warmup = warmup;
    f->pool.net = NULL;
    f->arena = (struct arena)ARENA_INIT;
    bool ok = parse(json, &f->cfg, &f->arena);
    CHECK(ok, "the configuration does not read: %s", json);
    if (!ok)
        exit(check_done());
    f->db = rds_new(&f->sim, "db", &f->cfg, AZS, nazs, &f->pool);
    f->dbc = rds_component(f->db);
    rds_start(&f->sim, f->db);
    for (int i = 0; i < NCALLERS; i++) {
        struct tcaller *tc = &f->tc[i];
        snprintf(tc->name, sizeof tc->name, "app/i-%d", i + 1);
        tc->comp = (struct component){.ops = &tc_ops, .name = tc->name, .az = -1};
        tc->pool = &f->pool;
        tc->first_503 = tc->last_503 = -1;
        tc->az = -1;
    }
}

static void teardown(struct fx *f)
{
    rds_free(f->db);
    sim_release(&f->sim);
    rds_config_release(&f->cfg);
    arena_release(&f->arena);
    req_pool_release(&f->pool);
}

static double table_value(struct sim *sim, struct sim_table *t, const char *name)
{
    for (uint32_t i = 0; i < t->ncols; i++)
        if (strcmp(t->cols[i].name, name) == 0)
            return t->row[i];
    CHECK(false, "no column \"%s\"", name);
    (void)sim;
    return TS_NAN;
}

/* Summary column `name` at the current time (span: since the warm-up). */
static double summary(struct fx *f, const char *name)
{
    int64_t span = f->sim.now > f->sim.warmup ? f->sim.now - f->sim.warmup : 0;
    sim_table_fill(&f->sim, &f->sim.summary, span);
    return table_value(&f->sim, &f->sim.summary, name);
}

/* Timeseries row over the `span` (ns) just ended; then read column `name` of it. */
static void ts_fill(struct fx *f, int64_t span)
{
    sim_table_fill(&f->sim, &f->sim.ts, span);
}
static double ts(struct fx *f, const char *name)
{
    return table_value(&f->sim, &f->sim.ts, name);
}

/* One query at a given time. */
struct shot {
    struct fx *f;
    int caller;
    enum req_op op;
    int64_t demand;
};

static void on_shot(struct sim *sim, void *ctx, uint64_t arg)
{
    (void)arg;
    struct shot *s = ctx;
    send(sim, &s->f->tc[s->caller], s->f->dbc, s->op, s->demand);
}

/* A stream of queries, periodic or Poisson, until `until`. */
struct stream {
    struct fx *f;
    int caller;
    enum req_op op;
    int64_t demand; /* 0: the database's distribution */
    double rate;    /* per s */
    bool poisson;
    int64_t until;
    gsl_rng *rng;
};

static void on_stream(struct sim *sim, void *ctx, uint64_t arg)
{
    (void)arg;
    struct stream *st = ctx;
    send(sim, &st->f->tc[st->caller], st->f->dbc, st->op, st->demand);
    double gap = st->poisson ? gsl_ran_exponential(st->rng, 1.0 / st->rate) : 1.0 / st->rate;
    int64_t t = sim->now + sim_ns(gap);
    if (t < st->until)
        sim_at(sim, t, on_stream, st, 0);
}

static void stream_start(struct fx *f, struct stream *st, int64_t t0)
{
    st->f = f;
    st->rng = sim_rng(&f->sim, "test", "arrivals");
    sim_at(&f->sim, t0, on_stream, st, 0);
}

/* --- max_connections and the class table ------------------------------------------------------ */

static void test_max_connections(void)
{
    const struct rds_class *r5 = rds_class_find("db.r5.xlarge");
    CHECK(r5 != NULL, "db.r5.xlarge is in the table");
    CHECK_EQ_INT(r5->vcpus, 4);
    CHECK_NEAR(r5->memory_gib, 32, 0);
    CHECK(rds_class_find("db.r5.xlarg") == NULL, "an unknown class is NULL");

    /* RDS-12: PostgreSQL on db.r5.xlarge lands in 3,200-3,600, below the 5,000 cap */
    uint32_t pg = rds_default_max_connections(RDS_POSTGRES, 32);
    printf("max_connections: PostgreSQL db.r5.xlarge %u", pg);
    CHECK(pg >= 3200 && pg <= 3600, "PostgreSQL db.r5.xlarge: %u", pg);
    CHECK_EQ_INT(pg, 3513);
    /* RDS-9: a 16 GiB instance gives about 1,300 on MySQL */
    uint32_t my16 = rds_default_max_connections(RDS_MYSQL, 16);
    printf(", MySQL 16 GiB %u", my16);
    CHECK(my16 >= 1250 && my16 <= 1350, "MySQL 16 GiB: %u", my16);
    CHECK_EQ_INT(my16, 1320);
    /* published defaults of older classes (PostgreSQL t2.medium 413, t2.large 856) */
    uint32_t pg4 = rds_default_max_connections(RDS_POSTGRES, 4);
    uint32_t pg8 = rds_default_max_connections(RDS_POSTGRES, 8);
    printf(", PostgreSQL 4 GiB %u, 8 GiB %u", pg4, pg8);
    CHECK(abs((int)pg4 - 413) <= 5, "PostgreSQL 4 GiB: %u", pg4);
    CHECK(abs((int)pg8 - 856) <= 5, "PostgreSQL 8 GiB: %u", pg8);
    /* the caps: PostgreSQL 5,000 and MariaDB 12,000 */
    CHECK_EQ_INT(rds_default_max_connections(RDS_POSTGRES, 128), 5000);
    uint32_t maria = rds_default_max_connections(RDS_MARIADB, 32);
    printf(", MariaDB 32 GiB %u, MySQL 128 GiB %u\n", maria,
           rds_default_max_connections(RDS_MYSQL, 128));
    CHECK_EQ_INT(maria, 1330);
    CHECK(rds_default_max_connections(RDS_MARIADB, 512) == 12000, "MariaDB cap");
    CHECK(rds_default_max_connections(RDS_POSTGRES, 0.1) == 1, "at least one");

    /* the table: an xlarge size has twice the vCPUs of the size below in its family (the
     * prices are the price table's, checked in test_cost) */
    const struct rds_class *prev = NULL;
    for (const struct rds_class *k = rds_classes; k->name; k++) {
        CHECK(k->vcpus >= 2 && k->memory_gib >= 4, "%s", k->name);
        size_t fam = (size_t)(strrchr(k->name, '.') - k->name);
        if (prev && strstr(k->name, "xlarge") && strncmp(prev->name, k->name, fam + 1) == 0)
            CHECK_EQ_INT(k->vcpus, 2 * prev->vcpus);
        prev = k;
    }
}

/* --- configuration ---------------------------------------------------------------------------- */

static void test_config_defaults(void)
{
    struct arena a = ARENA_INIT;
    struct rds_config c;
    CHECK(parse("{\"type\": \"rds\"}", &c, &a), "an empty database reads");
    CHECK_EQ_INT(c.engine, RDS_POSTGRES);
    CHECK_STR(c.cls->name, "db.r5.xlarge");
    CHECK_EQ_INT(c.vcpus, 4);
    CHECK_EQ_INT(c.max_connections, 3513);
    CHECK_EQ_INT(c.client_pool_size, 10);
    CHECK_EQ_INT(c.connection_timeout, S(30));
    CHECK_EQ_INT(c.idle_timeout, S(600));
    CHECK(!c.multi_az, "Single-AZ by default");
    CHECK_EQ_INT(c.sync_replication.kind, DIST_CONST);
    CHECK_NEAR(c.sync_replication.a, 0.001, 0);
    CHECK_EQ_INT(c.failover_time.kind, DIST_UNIFORM);
    CHECK_NEAR(c.failover_time.a, 60, 0);
    CHECK_NEAR(c.failover_time.b, 120, 0);
    CHECK_EQ_INT(c.read.kind, DIST_EXP);
    CHECK_NEAR(dist_mean(&c.read), 0.001, 1e-12);
    CHECK_NEAR(dist_mean(&c.write), 0.002, 1e-12);
    CHECK_EQ_INT(c.nreplicas, 0);
    CHECK_EQ_INT(c.read_from, RDS_READ_PRIMARY);
    CHECK_NEAR(c.apply_factor, 0.5, 0);
    CHECK_EQ_INT(c.replica_lag_base, S(1));
    CHECK(!c.proxy.enabled, "no proxy by default");
    CHECK_EQ_INT(c.naz_refs, 0);
    CHECK_EQ_INT(c.primary_az_ref, -1);
    CHECK_EQ_INT(c.standby_az_ref, -1);
    rds_config_release(&c);

    /* the engine changes the default max_connections */
    CHECK(parse("{\"type\": \"rds\", \"engine\": \"mysql\", \"instance_class\": "
                "\"db.m5.xlarge\"}",
                &c, &a),
          "mysql reads");
    CHECK_EQ_INT(c.engine, RDS_MYSQL);
    CHECK_EQ_INT(c.max_connections, 1320);
    rds_config_release(&c);
    CHECK(parse("{\"type\": \"rds\", \"engine\": \"mariadb\"}", &c, &a), "mariadb reads");
    CHECK_EQ_INT(c.max_connections, 1330);
    rds_config_release(&c);
    arena_release(&a);
}

static void test_config_full(void)
{
    struct arena a = ARENA_INIT;
    struct rds_config c;
    const char *json =
        "{ \"type\": \"rds\", \"engine\": \"mysql\", \"instance_class\": \"db.m5.large\",\n"
        "  \"max_connections\": 500, \"read\": \"3ms\", \"write\": {\"dist\": \"exp\", "
        "\"mean\": \"4ms\"},\n"
        "  \"client_pool_size\": 20, \"connection_timeout\": \"5s\", \"idle_timeout\": "
        "\"1m\",\n"
        "  \"multi_az\": true, \"availability_zone\": \"us-east-1b\",\n"
        "  \"secondary_availability_zone\": \"us-east-1a\", \"sync_replication\": \"2ms\",\n"
        "  \"failover_time\": 30,\n"
        "  \"read_replicas\": [ {}, {\"availability_zone\": \"us-east-1c\"} ],\n"
        "  \"read_from\": \"primary\", \"apply_factor\": 0.25, \"replica_lag_base\": "
        "\"500ms\",\n"
        "  \"proxy\": { \"max_connections_percent\": 50, \"connection_borrow_timeout\": "
        "\"30s\",\n"
        "             \"latency\": \"2ms\" } }";
    CHECK(parse(json, &c, &a), "a full database reads");
    CHECK_EQ_INT(c.engine, RDS_MYSQL);
    CHECK_STR(c.cls->name, "db.m5.large");
    CHECK_EQ_INT(c.vcpus, 2);
    CHECK_EQ_INT(c.max_connections, 500);
    CHECK_NEAR(dist_mean(&c.read), 0.003, 1e-12);
    CHECK_NEAR(dist_mean(&c.write), 0.004, 1e-12);
    CHECK_EQ_INT(c.client_pool_size, 20);
    CHECK_EQ_INT(c.connection_timeout, S(5));
    CHECK_EQ_INT(c.idle_timeout, S(60));
    CHECK(c.multi_az, "multi_az");
    CHECK_NEAR(c.sync_replication.a, 0.002, 1e-15);
    CHECK_NEAR(c.failover_time.a, 30, 0);
    CHECK_EQ_INT(c.nreplicas, 2);
    CHECK_EQ_INT(c.read_from, RDS_READ_PRIMARY);
    CHECK_NEAR(c.apply_factor, 0.25, 0);
    CHECK_EQ_INT(c.replica_lag_base, MS(500));
    CHECK(c.proxy.enabled, "a proxy");
    CHECK_EQ_INT(c.proxy.max_connections_percent, 50);
    CHECK_EQ_INT(c.proxy.borrow_timeout, S(30));
    CHECK_NEAR(c.proxy.latency.a, 0.002, 1e-15);
    /* every AZ name, in order, for the world to check */
    CHECK_EQ_INT(c.naz_refs, 3);
    CHECK_STR(c.az_refs[0].name, "us-east-1b");
    CHECK_STR(c.az_refs[1].name, "us-east-1a");
    CHECK_STR(c.az_refs[2].name, "us-east-1c");
    CHECK_EQ_INT(c.primary_az_ref, 0);
    CHECK_EQ_INT(c.standby_az_ref, 1);
    CHECK_EQ_INT(c.replica_az_ref[0], -1);
    CHECK_EQ_INT(c.replica_az_ref[1], 2);
    rds_config_release(&c);

    /* with replicas, reads go to them unless told; an empty proxy takes the defaults */
    CHECK(parse("{\"type\": \"rds\", \"read_replicas\": [{}], \"proxy\": {}}", &c, &a),
          "replicas and a proxy read");
    CHECK_EQ_INT(c.read_from, RDS_READ_REPLICAS);
    CHECK_EQ_INT(c.proxy.max_connections_percent, 100);
    CHECK_EQ_INT(c.proxy.borrow_timeout, S(120));
    CHECK_EQ_INT(c.proxy.latency.kind, DIST_CONST);
    CHECK_NEAR(c.proxy.latency.a, 0.001, 0);
    rds_config_release(&c);
    arena_release(&a);
}

/* Default AZs: primary azs[0], standby azs[1], replicas from azs[2] on, round the list. */
static void test_default_azs(void)
{
    struct fx f;
    setup(&f, "{\"multi_az\": true, \"read_replicas\": [{}, {}, {}]}", 1, 3, 0);
    CHECK_EQ_INT(rds_primary_az(f.db), 0);
    teardown(&f);
    setup(&f, "{\"multi_az\": true, \"availability_zone\": \"us-east-1c\"}", 1, 3, 0);
    CHECK_EQ_INT(rds_primary_az(f.db), 2);
    teardown(&f);
}

/* --- the vCPU queue: M/M/c (Erlang C) --------------------------------------------------------- */

static double erlang_c(unsigned c, double a)
{
    double b = 1.0;
    for (unsigned k = 1; k <= c; k++)
        b = a * b / ((double)k + a * b);
    return (double)c * b / ((double)c - a * (1.0 - b));
}

/* Poisson reads with the database's own exponential demand on db.r5.xlarge (4 vCPUs), pools
 * too large to matter: the primary is an M/M/4 queue. E[S] = 1 ms, rho = 0.8:
 * C(4, 3.2) = 0.5964, W = C / (c mu - lambda) + 1 / mu = 1.7455 ms. Each replication
 * measures 60 s (192,000 queries) after 5 s (thousands of relaxation times). */
static void test_erlang_c(void)
{
    const unsigned c = 4;
    const double es = 0.001, rho = 0.8;
    double mu = 1.0 / es, lambda = rho * c * mu, a = lambda / mu;
    double pw = erlang_c(c, a);
    double w = 1e3 * (pw / (c * mu - lambda) + 1.0 / mu);
    enum { REPS = 10 };
    double x[REPS];
    for (int i = 0; i < REPS; i++) {
        struct fx f;
        setup(&f,
              "{\"read\": {\"dist\": \"exp\", \"mean\": 0.001}, \"client_pool_size\": 2000, "
              "\"max_connections\": 5000}",
              (uint64_t)i + 1u, 1, S(5));
        f.tc[0].since = S(5);
        struct stream st = {.op = OP_DB_READ, .rate = lambda, .poisson = true, .until = S(65)};
        stream_start(&f, &st, 0);
        sim_run(&f.sim, S(65));
        x[i] = 1e3 * welford_mean(&f.tc[0].w);
        CHECK(f.tc[0].e503 == 0, "no query fails: %llu", (unsigned long long)f.tc[0].e503);
        teardown(&f);
    }
    char what[96];
    snprintf(what, sizeof what, "M/M/%u rho %.2f, C %.4f: mean read response (ms)", c, rho, pw);
    check_in_ci(what, x, REPS, 0.99, w);
    double m, h;
    check_ci(x, REPS, 0.99, &m, &h);
    CHECK(h / w < 0.03, "the interval is narrow enough to test: half-width %.3g %%",
          100 * h / w);
}

/* --- Multi-AZ writes -------------------------------------------------------------------------- */

static void test_multi_az_write(void)
{
    struct fx f;
    /* alone: CPU then the standby's acknowledgement, nothing else */
    setup(&f, "{\"multi_az\": true, \"sync_replication\": \"1ms\"}", 1, 2, 0);
    send(&f.sim, &f.tc[0], f.dbc, OP_DB_WRITE, MS(5));
    sim_run(&f.sim, S(1));
    CHECK_EQ_INT(f.tc[0].ok, 1);
    CHECK_EQ_INT(f.tc[0].last_lat, MS(6));
    /* a read pays no synchronous replication */
    send(&f.sim, &f.tc[0], f.dbc, OP_DB_READ, MS(5));
    sim_run(&f.sim, S(2));
    CHECK_EQ_INT(f.tc[0].last_lat, MS(5));
    teardown(&f);

    /* Single-AZ: the CPU only */
    setup(&f, "{}", 1, 2, 0);
    send(&f.sim, &f.tc[0], f.dbc, OP_DB_WRITE, MS(5));
    sim_run(&f.sim, S(1));
    CHECK_EQ_INT(f.tc[0].last_lat, MS(5));
    teardown(&f);

    /* the acknowledgement holds no vCPU: on 2 vCPUs, the third of three 5 ms writes starts
     * at 5 ms (not 6) and answers at 11 ms */
    setup(&f, "{\"multi_az\": true, \"instance_class\": \"db.t3.medium\"}", 1, 2, 0);
    for (int i = 0; i < 3; i++)
        send(&f.sim, &f.tc[i], f.dbc, OP_DB_WRITE, MS(5));
    sim_run(&f.sim, S(1));
    CHECK_EQ_INT(f.tc[0].last_lat, MS(6));
    CHECK_EQ_INT(f.tc[1].last_lat, MS(6));
    CHECK_EQ_INT(f.tc[2].last_lat, MS(11));
    teardown(&f);
}

/* Anything but a read or a write is answered 500 at once. */
static void test_other_op(void)
{
    struct fx f;
    setup(&f, "{}", 1, 1, 0);
    send(&f.sim, &f.tc[0], f.dbc, OP_HTTP, 0);
    send(&f.sim, &f.tc[0], f.dbc, OP_CACHE_GET, 0);
    CHECK_EQ_INT(f.tc[0].e500, 2);
    CHECK_EQ_INT(f.tc[0].last_lat, 0);
    CHECK_NEAR(summary(&f, "db.errors"), 2, 0);
    teardown(&f);
}

/* A caller's demand of 0 ns is a demand (the query takes no time), not "the database's
 * own" (1 s here). */
static void test_zero_demand(void)
{
    struct fx f;
    setup(&f, "{\"read\": {\"dist\": \"const\", \"value\": \"1s\"}}", 1, 1, 0);
    struct request *r = req_new(f.tc[0].pool);
    r->t_arrival = f.sim.now;
    r->depth = 1;
    r->stack[0] = (struct frame){.comp = &f.tc[0].comp, .az = -1};
    r->op = OP_DB_READ;
    r->arg = db_demand_arg(0);
    comp_call(&f.sim, r, f.dbc);
    sim_run(&f.sim, S(10));
    CHECK_EQ_INT(f.tc[0].ok, 1);
    CHECK_EQ_INT(f.tc[0].last_lat, 0);
    send(&f.sim, &f.tc[0], f.dbc, OP_DB_READ, 0); /* the database's own: 1 s */
    sim_run(&f.sim, S(20));
    CHECK_EQ_INT(f.tc[0].ok, 2);
    CHECK_EQ_INT(f.tc[0].last_lat, S(1));
    teardown(&f);
}

/* --- the callers' pools ----------------------------------------------------------------------- */

static void test_pool_wait_and_timeout(void)
{
    struct fx f;
    /* pool of 2, three 10 s reads at once: the third waits, and gives up at 5 s */
    setup(&f, "{\"client_pool_size\": 2, \"connection_timeout\": \"5s\"}", 1, 1, 0);
    for (int i = 0; i < 3; i++)
        send(&f.sim, &f.tc[0], f.dbc, OP_DB_READ, S(10));
    sim_run(&f.sim, S(1));
    ts_fill(&f, S(1));
    CHECK_EQ_INT(ts(&f, "db.connections"), 2);
    CHECK_NEAR(ts(&f, "db.conn_queue"), 1, 1e-12); /* one query waiting all along */
    sim_run(&f.sim, S(30));
    CHECK_EQ_INT(f.tc[0].ok, 2);
    CHECK_EQ_INT(f.tc[0].e503, 1);
    CHECK_EQ_INT(f.tc[0].first_503, S(5));
    CHECK_EQ_INT(f.tc[0].lat_max, S(10));
    CHECK_NEAR(summary(&f, "db.conn_errors"), 1, 0);
    CHECK_NEAR(summary(&f, "db.connections_peak"), 2, 0);
    teardown(&f);

    /* with the default 30 s timeout it waits for the first connection to return (FIFO) */
    setup(&f, "{\"client_pool_size\": 2}", 1, 1, 0);
    for (int i = 0; i < 3; i++)
        send(&f.sim, &f.tc[0], f.dbc, OP_DB_READ, S(10));
    sim_run(&f.sim, S(60));
    CHECK_EQ_INT(f.tc[0].ok, 3);
    CHECK_EQ_INT(f.tc[0].lat_max, S(20));
    /* a caller's pool is its own: another caller does not wait */
    send(&f.sim, &f.tc[0], f.dbc, OP_DB_READ, S(10));
    send(&f.sim, &f.tc[0], f.dbc, OP_DB_READ, S(10));
    send(&f.sim, &f.tc[1], f.dbc, OP_DB_READ, S(1));
    sim_run(&f.sim, S(62));
    CHECK_EQ_INT(f.tc[1].last_lat, S(1));
    teardown(&f);
}

/* Idle connections close after idle_timeout, the least recently used first. */
static void test_idle_timeout(void)
{
    struct fx f;
    setup(&f, "{\"idle_timeout\": \"60s\"}", 1, 1, 0);
    for (int i = 0; i < 3; i++) /* three connections, released at 1 s */
        send(&f.sim, &f.tc[0], f.dbc, OP_DB_READ, S(1));
    /* from 10 s, one query every 10 s: it takes the newest idle connection each time, so
     * the two others age and close at 61 s; the one in use stays */
    struct stream st = {.op = OP_DB_READ, .demand = MS(1), .rate = 0.1, .until = S(200)};
    stream_start(&f, &st, S(10));
    sim_run(&f.sim, S(60));
    ts_fill(&f, S(60));
    CHECK_EQ_INT(ts(&f, "db.connections"), 3);
    sim_run(&f.sim, S(62));
    ts_fill(&f, S(2));
    CHECK_EQ_INT(ts(&f, "db.connections"), 1);
    sim_run(&f.sim, S(400)); /* the stream ends at 190 s: the last closes at 250 s */
    ts_fill(&f, S(338));
    CHECK_EQ_INT(ts(&f, "db.connections"), 0);
    CHECK_EQ_INT(f.tc[0].e503, 0);
    teardown(&f);
}

/* Pools of many callers open connections until max_connections: then "too many
 * connections", at once. */
static void test_too_many_connections(void)
{
    struct fx f;
    setup(&f, "{\"max_connections\": 5, \"client_pool_size\": 2, \"idle_timeout\": \"60s\"}", 1,
          1, 0);
    for (int i = 0; i < 4; i++) {
        send(&f.sim, &f.tc[i], f.dbc, OP_DB_READ, S(1));
        send(&f.sim, &f.tc[i], f.dbc, OP_DB_READ, S(1));
    }
    /* callers 1 and 2 open 2 each, caller 3 one: its second and caller 4's are refused */
    CHECK_EQ_INT(f.tc[2].e503, 1);
    CHECK_EQ_INT(f.tc[3].e503, 2);
    CHECK_EQ_INT(f.tc[3].e503_at_once, 2);
    sim_run(&f.sim, S(2));
    CHECK_EQ_INT(f.tc[0].ok + f.tc[1].ok + f.tc[2].ok, 5);
    CHECK_NEAR(summary(&f, "db.conn_errors"), 3, 0);
    CHECK_NEAR(summary(&f, "db.connections_peak"), 5, 0);
    /* the idle connections stay open: caller 4 is still refused at 30 s */
    sim_run(&f.sim, S(30));
    send(&f.sim, &f.tc[3], f.dbc, OP_DB_READ, S(1));
    CHECK_EQ_INT(f.tc[3].e503, 3);
    /* until they time out (at 61 s) */
    sim_run(&f.sim, S(70));
    send(&f.sim, &f.tc[3], f.dbc, OP_DB_READ, S(1));
    sim_run(&f.sim, S(80));
    CHECK_EQ_INT(f.tc[3].ok, 1);
    teardown(&f);
}

/* --- RDS Proxy -------------------------------------------------------------------------------- */

static void test_proxy(void)
{
    struct fx f;
    /* 10 callers x 2 connections to the proxy; the proxy may open 50 % of 10 */
    const char *cfg = "{\"instance_class\": \"db.r5.4xlarge\", \"max_connections\": 10, "
                      "\"client_pool_size\": 2, \"proxy\": {\"max_connections_percent\": 50, "
                      "\"latency\": 0}}";
    setup(&f, cfg, 1, 1, 0);
    for (int i = 0; i < 10; i++) {
        send(&f.sim, &f.tc[i], f.dbc, OP_DB_READ, S(1));
        send(&f.sim, &f.tc[i], f.dbc, OP_DB_READ, S(1));
    }
    sim_run(&f.sim, S(0.5));
    ts_fill(&f, S(0.5));
    CHECK_EQ_INT(ts(&f, "db.connections"), 20);
    CHECK_EQ_INT(ts(&f, "db.proxy_connections"), 5);
    CHECK_NEAR(ts(&f, "db.conn_queue"), 15, 1e-9);
    sim_run(&f.sim, S(10));
    uint64_t ok = 0;
    int64_t worst = 0;
    for (int i = 0; i < 10; i++) {
        ok += f.tc[i].ok;
        worst = f.tc[i].lat_max > worst ? f.tc[i].lat_max : worst;
    }
    CHECK_EQ_INT(ok, 20); /* in four waves of five */
    CHECK_EQ_INT(worst, S(4));
    CHECK_NEAR(summary(&f, "db.connections_peak"), 20, 0);
    CHECK_NEAR(summary(&f, "db.proxy_connections_peak"), 5, 0);
    CHECK_NEAR(summary(&f, "db.conn_errors"), 0, 0);
    printf("proxy: 20 client connections, database connections peak %.0f (cap 5)\n",
           summary(&f, "db.proxy_connections_peak"));
    teardown(&f);

    /* a borrow timeout of 2.5 s: the waves at 0 s and 1 s and 2 s serve 15, the last five
     * give up at 2.5 s */
    setup(&f,
          "{\"instance_class\": \"db.r5.4xlarge\", \"max_connections\": 10, "
          "\"client_pool_size\": 2, \"proxy\": {\"max_connections_percent\": 50, "
          "\"connection_borrow_timeout\": 2.5, \"latency\": 0}}",
          1, 1, 0);
    for (int i = 0; i < 10; i++) {
        send(&f.sim, &f.tc[i], f.dbc, OP_DB_READ, S(1));
        send(&f.sim, &f.tc[i], f.dbc, OP_DB_READ, S(1));
    }
    sim_run(&f.sim, S(10));
    ok = 0;
    uint64_t e503 = 0;
    for (int i = 0; i < 10; i++) {
        ok += f.tc[i].ok;
        e503 += f.tc[i].e503;
        if (f.tc[i].e503)
            CHECK_EQ_INT(f.tc[i].last_503, S(2.5));
    }
    CHECK_EQ_INT(ok, 15);
    CHECK_EQ_INT(e503, 5);
    CHECK_NEAR(summary(&f, "db.conn_errors"), 5, 0);
    teardown(&f);

    /* the proxy's latency is added to each query */
    setup(&f, "{\"proxy\": {\"latency\": \"2ms\"}}", 1, 1, 0);
    send(&f.sim, &f.tc[0], f.dbc, OP_DB_READ, MS(1));
    sim_run(&f.sim, S(1));
    CHECK_EQ_INT(f.tc[0].last_lat, MS(3));
    teardown(&f);
}

/* --- read replicas ---------------------------------------------------------------------------- */

static void test_replica_lag(void)
{
    struct fx f;
    /* light writes: 20/s of 2 ms, applied in 1 ms: the lag stays at the base (1 s) */
    setup(&f, "{\"read_replicas\": [{}]}", 1, 2, 0);
    struct stream wr = {.op = OP_DB_WRITE, .demand = MS(2), .rate = 20, .until = S(60)};
    stream_start(&f, &wr, 0);
    struct stream rd = {.caller = 1, .op = OP_DB_READ, .demand = MS(1), .rate = 50,
                        .until = S(60)};
    stream_start(&f, &rd, 0);
    sim_run(&f.sim, S(60));
    double light = summary(&f, "db.replica_lag_max_s");
    printf("replica lag, 20 writes/s: max %.4f s (base 1 s)\n", light);
    CHECK(light >= 1.0 && light <= 1.002, "light writes: lag %.6f s", light);
    CHECK_NEAR(summary(&f, "db.writes"), 1200, 0);
    CHECK_NEAR(summary(&f, "db.reads"), 3000, 1);
    teardown(&f);

    /* heavy writes: 600/s of 4 ms load the primary's 4 vCPUs to 60 %, but the one apply
     * worker needs 600 x 2 ms = 1.2 s per second: it falls behind by 1/6 s every second
     * (lag ~ t / 6); the writes stop at 30 s, the last is applied at 36 s, 6 s late */
    setup(&f, "{\"read_replicas\": [{}]}", 1, 2, 0);
    struct stream hw = {.op = OP_DB_WRITE, .demand = MS(4), .rate = 600, .until = S(30)};
    stream_start(&f, &hw, 0);
    sim_run(&f.sim, S(10));
    ts_fill(&f, S(10));
    double lag10 = ts(&f, "db.replica_lag_s");
    double rcpu = ts(&f, "db.replica_cpu_pct");
    sim_run(&f.sim, S(30));
    ts_fill(&f, S(20));
    double lag30 = ts(&f, "db.replica_lag_s");
    sim_run(&f.sim, S(70));
    ts_fill(&f, S(40));
    double lag70 = ts(&f, "db.replica_lag_s"); /* the largest of 30-70 s: just after 30 s */
    sim_run(&f.sim, S(80));
    ts_fill(&f, S(10));
    double lag80 = ts(&f, "db.replica_lag_s");
    double run_max = summary(&f, "db.replica_lag_max_s");
    printf("replica lag, 600 writes/s: %.3f s at 10 s, %.3f s at 30 s, %.3f s after the writes "
           "stop, %.3f s at 80 s; replica CPU %.1f %%; max %.3f s\n",
           lag10, lag30, lag70, lag80, rcpu, run_max);
    CHECK_NEAR(lag10, 1 + 10.0 / 6, 0.05);
    CHECK_NEAR(lag30, 1 + 30.0 / 6, 0.05);
    CHECK(lag70 >= lag30, "the lag peaks when the writes stop: %.3f", lag70);
    CHECK_NEAR(lag80, 1.0, 0.01);
    CHECK_NEAR(rcpu, 25, 0.05); /* one of four vCPUs, always busy applying */
    CHECK_NEAR(run_max, lag70, 1e-9);
    teardown(&f);
}

/* Reads go to the replicas (uniformly), writes to the primary. */
static void test_read_routing(void)
{
    struct fx f;
    setup(&f, "{\"read_replicas\": [{}, {}]}", 7, 3, 0);
    struct stream rd = {.op = OP_DB_READ, .demand = MS(10), .rate = 100, .until = S(100)};
    stream_start(&f, &rd, 0);
    sim_run(&f.sim, S(100));
    ts_fill(&f, S(100));
    /* 100 reads/s of 10 ms over two replicas of 4 vCPUs: 12.5 % each; the primary idles */
    CHECK_NEAR(ts(&f, "db.cpu_pct"), 0, 0);
    CHECK_NEAR(ts(&f, "db.replica_cpu_pct"), 12.5, 0.1);
    CHECK_NEAR(ts(&f, "db.reads_rps"), 100, 0.1);
    teardown(&f);
}

/* --- failover --------------------------------------------------------------------------------- */

struct trigger {
    struct fx *f;
    int rc;
};

static void on_failover(struct sim *sim, void *ctx, uint64_t arg)
{
    (void)arg;
    struct trigger *t = ctx;
    t->rc = rds_failover(sim, t->f->db, "test");
}

static void test_failover(void)
{
    struct fx f;
    setup(&f, "{\"multi_az\": true, \"failover_time\": 90}", 1, 2, 0);
    /* reads of 50 ms every 100 ms from caller 0, writes of 50 ms every 100 ms (shifted by
     * 25 ms) from caller 1, until 300 s */
    struct stream rd = {.op = OP_DB_READ, .demand = MS(50), .rate = 10, .until = S(300)};
    struct stream wr = {.caller = 1, .op = OP_DB_WRITE, .demand = MS(50), .rate = 10,
                        .until = S(300)};
    stream_start(&f, &rd, 0);
    stream_start(&f, &wr, MS(25));
    struct trigger t1 = {&f, 99}, t2 = {&f, 99}, t3 = {&f, 99};
    sim_at(&f.sim, MS(100040), on_failover, &t1, 0); /* the read of 100.0 s is in progress */
    sim_at(&f.sim, S(150), on_failover, &t2, 0);     /* during it: refused */
    sim_at(&f.sim, S(250), on_failover, &t3, 0);
    CHECK_EQ_INT(rds_primary_az(f.db), 0);
    sim_run(&f.sim, S(100));
    ts_fill(&f, S(100));
    CHECK_EQ_INT(ts(&f, "db.failing_over"), 0);
    sim_run(&f.sim, S(120));
    ts_fill(&f, S(20));
    CHECK_EQ_INT(ts(&f, "db.failing_over"), 1);
    CHECK_EQ_INT(ts(&f, "db.connections"), 0); /* dropped */
    CHECK_EQ_INT(t1.rc, 0);
    /* in progress at 100.04 s: the read of 100.0 s and the write of 100.025 s, both 503 */
    CHECK_EQ_INT(f.tc[0].first_503, MS(100040));
    CHECK_EQ_INT(f.tc[1].first_503, MS(100040));
    sim_run(&f.sim, S(200));
    CHECK_EQ_INT(t2.rc, TS_EINVAL);
    /* 90 s without a primary: every query from 100.1 s to 190.0 s failed at once */
    CHECK_EQ_INT(f.tc[0].last_503, S(190));
    CHECK_EQ_INT(f.tc[0].e503, 901);
    CHECK_EQ_INT(f.tc[0].e503_at_once, 900);
    CHECK_EQ_INT(f.tc[1].e503, 901);
    CHECK_EQ_INT(rds_primary_az(f.db), 1); /* the standby's AZ */
    CHECK_EQ_INT(f.tc[0].ok, 1000 + 99);   /* sent 0-99.9 s, and 190.1-199.9 s */
    sim_run(&f.sim, S(400));
    CHECK_EQ_INT(t3.rc, 0);
    CHECK_EQ_INT(rds_primary_az(f.db), 0); /* and back */
    CHECK_NEAR(summary(&f, "db.failovers"), 2, 0);
    teardown(&f);

    /* the default duration is drawn from 60-120 s (RDS-1) */
    setup(&f, "{\"multi_az\": true}", 3, 2, 0);
    struct trigger t = {&f, 99};
    sim_at(&f.sim, S(10), on_failover, &t, 0);
    struct shot before = {&f, 0, OP_DB_READ, MS(1)}, after = {&f, 1, OP_DB_READ, MS(1)};
    sim_at(&f.sim, S(69.9), on_shot, &before, 0);
    sim_at(&f.sim, S(130.1), on_shot, &after, 0);
    sim_run(&f.sim, S(200));
    CHECK_EQ_INT(t.rc, 0);
    CHECK_EQ_INT(f.tc[0].e503, 1);
    CHECK_EQ_INT(f.tc[1].ok, 1);
    teardown(&f);

    /* Single-AZ: refused, nothing changes */
    setup(&f, "{}", 1, 2, 0);
    CHECK_EQ_INT(rds_failover(&f.sim, f.db, "test"), TS_EINVAL);
    send(&f.sim, &f.tc[0], f.dbc, OP_DB_READ, MS(1));
    sim_run(&f.sim, S(1));
    CHECK_EQ_INT(f.tc[0].ok, 1);
    teardown(&f);

    /* with a proxy the callers keep their connections to it; its own drop (RDS-10) */
    setup(&f, "{\"multi_az\": true, \"failover_time\": 30, \"proxy\": {\"latency\": 0}}", 1,
          2, 0);
    for (int i = 0; i < 4; i++)
        send(&f.sim, &f.tc[i], f.dbc, OP_DB_READ, S(10));
    sim_run(&f.sim, S(5));
    CHECK_EQ_INT(rds_failover(&f.sim, f.db, "test"), 0);
    ts_fill(&f, S(5));
    CHECK_EQ_INT(ts(&f, "db.connections"), 4);
    CHECK_EQ_INT(ts(&f, "db.proxy_connections"), 0);
    for (int i = 0; i < 4; i++)
        CHECK_EQ_INT(f.tc[i].e503, 1);
    sim_run(&f.sim, S(40));
    send(&f.sim, &f.tc[0], f.dbc, OP_DB_READ, S(1));
    sim_run(&f.sim, S(50));
    CHECK_EQ_INT(f.tc[0].ok, 1);
    teardown(&f);
}

/* --- faults ----------------------------------------------------------------------------------- */

/* A fault action at a given time, through the component's fault op (as the faults model
 * sends it). */
struct fault_shot {
    struct fx *f;
    struct fault_action a;
    uint32_t rc;
};

static void on_fault(struct sim *sim, void *ctx, uint64_t arg)
{
    (void)arg;
    struct fault_shot *fs = ctx;
    struct component *c = fs->f->dbc;
    fs->rc = c->ops->fault(sim, c, &fs->a);
}

static void fault_at(struct fx *f, struct fault_shot *fs, double t, enum fault_op op, int az,
                     const char *cause)
{
    *fs = (struct fault_shot){f, {.op = op, .id = 1, .az = az, .cause = cause}, 99};
    sim_at(&f->sim, S(t), on_fault, fs, 0);
}

/* The event log, written to a file of the test's folder and read back. */
static struct csvw ev_w;

static void events_open(struct fx *f, const char *path)
{
    check_events_open(&f->sim, &ev_w, path);
}

static void events_close(struct fx *f, struct check_table *t, const char *path)
{
    check_events_close(&f->sim, &ev_w, t, path);
}

#define ev_at check_event_at

/* An AZ outage takes the Multi-AZ primary's AZ: a failover of the drawn 90 s with 503s
 * (RDS-1), then the primary in the standby's AZ, so a caller in the old primary's AZ pays
 * the cross-AZ legs and one in the standby's AZ the same-AZ legs; no standby while the AZ is
 * down (writes wait for no acknowledgement, a forced failover is refused), back at AZ_UP. */
static void test_fault_az_failover(void)
{
    struct fx f;
    setup(&f, "{\"multi_az\": true, \"failover_time\": 90, \"sync_replication\": \"1ms\"}", 1,
          2, 0);
    struct net net = {.fixed = true, .same_ns = MS(0.1), .cross_ns = MS(0.5)};
    f.pool.net = &net;
    f.tc[0].az = 0; /* the primary's AZ, us-east-1a */
    f.tc[1].az = 1; /* the standby's */
    events_open(&f, "test_rds_az_failover.csv");
    const char *cause = "fault 1 az_outage us-east-1a";

    struct shot r0 = {&f, 0, OP_DB_READ, MS(1)};
    struct shot w1 = {&f, 1, OP_DB_WRITE, MS(1)};
    sim_at(&f.sim, S(1), on_shot, &r0, 0);
    sim_run(&f.sim, S(2));
    CHECK_EQ_INT(f.tc[0].last_lat, MS(0.2 + 1)); /* same AZ both ways */
    sim_at(&f.sim, S(2), on_shot, &w1, 0);
    sim_run(&f.sim, S(3));
    CHECK_EQ_INT(f.tc[1].last_lat, MS(1 + 1 + 1)); /* across, CPU, the standby's ack */

    /* a read every second from each caller from 5 s: those sent in [10, 100) s fail */
    struct stream s0 = {.caller = 0, .op = OP_DB_READ, .demand = MS(1), .rate = 1,
                        .until = S(250)};
    struct stream s1 = {.caller = 1, .op = OP_DB_WRITE, .demand = MS(1), .rate = 1,
                        .until = S(250)};
    stream_start(&f, &s0, S(5.5));
    stream_start(&f, &s1, S(5.5));
    struct fault_shot down, forced, up, forced2;
    fault_at(&f, &down, 10, FAULT_AZ_DOWN, 0, cause);
    fault_at(&f, &forced, 150, FAULT_FAILOVER, -1, "fault 2 db_failover");
    fault_at(&f, &up, 300, FAULT_AZ_UP, 0, cause);
    fault_at(&f, &forced2, 400, FAULT_FAILOVER, -1, "fault 3 db_failover");
    sim_run(&f.sim, S(11));
    CHECK_EQ_INT(down.rc, 1);
    CHECK(!rds_primary_up(f.db), "failing over");
    sim_run(&f.sim, S(99));
    CHECK(!rds_primary_up(f.db), "still failing over at 99 s");
    sim_run(&f.sim, S(101));
    CHECK(rds_primary_up(f.db), "the standby is the primary at 100 s");
    CHECK_EQ_INT(rds_primary_az(f.db), 1);
    /* the queries sent at 10.5, 11.5, ..., 99.5 s failed at once */
    CHECK_EQ_INT(f.tc[0].e503, 90);
    CHECK_EQ_INT(f.tc[1].e503, 90);
    CHECK_EQ_INT(f.tc[0].first_503, S(10.5));
    CHECK_EQ_INT(f.tc[0].last_503, S(99.5));
    CHECK_EQ_INT(f.tc[0].e503_at_once, 90);
    sim_run(&f.sim, S(102));
    /* the caller in the old primary's AZ now crosses AZs both ways */
    CHECK_EQ_INT(f.tc[0].last_lat, MS(1 + 1));
    /* the caller in the new primary's AZ does not, and with the standby lost its write
     * waits for no acknowledgement */
    CHECK_EQ_INT(f.tc[1].last_lat, MS(0.2 + 1));
    sim_run(&f.sim, S(200));
    CHECK_EQ_INT(forced.rc, 0); /* no standby to fail over to */
    CHECK_EQ_INT(rds_primary_az(f.db), 1);
    sim_run(&f.sim, S(301));
    CHECK_EQ_INT(up.rc, 1); /* the standby */
    sim_run(&f.sim, S(320));
    struct shot w1b = {&f, 1, OP_DB_WRITE, MS(1)};
    sim_at(&f.sim, S(320), on_shot, &w1b, 0);
    sim_run(&f.sim, S(321));
    CHECK_EQ_INT(f.tc[1].last_lat, MS(0.2 + 1 + 1)); /* the acknowledgement again */
    sim_run(&f.sim, S(600));
    CHECK_EQ_INT(forced2.rc, 1);
    CHECK_EQ_INT(rds_primary_az(f.db), 0);
    CHECK_NEAR(summary(&f, "db.failovers"), 2, 0);

    struct check_table ev;
    events_close(&f, &ev, "test_rds_az_failover.csv");
    CHECK_NEAR(ev_at(&ev, "failover", cause), 10, 0);
    CHECK_NEAR(ev_at(&ev, "failover_end", "no standby until us-east-1a is back"), 100, 0);
    CHECK_NEAR(ev_at(&ev, "failover_refused", "the standby is lost"), 150, 0);
    CHECK_NEAR(ev_at(&ev, "standby_back", cause), 300, 0);
    CHECK_NEAR(ev_at(&ev, "failover", "fault 3"), 400, 0);
    CHECK_NEAR(ev_at(&ev, "failover_end", "the new standby is in us-east-1b"), 490, 0);
    printf("az outage of the primary's AZ: failover 10-100 s, %llu reads and %llu writes "
           "failed; reads from the old primary's AZ then %.1f ms\n",
           (unsigned long long)f.tc[0].e503, (unsigned long long)f.tc[1].e503, 2.0);
    check_table_free(&ev);
    teardown(&f);
}

/* A Single-AZ primary loses its AZ: every query fails until the AZ is back and the crash
 * recovery (recovery_time) is over; a forced failover is refused with a log row; an outage
 * of another AZ strikes nothing. */
static void test_fault_single_az(void)
{
    struct fx f;
    setup(&f, "{\"recovery_time\": \"2m\"}", 1, 2, 0);
    events_open(&f, "test_rds_single_az.csv");
    const char *cause = "fault 1 az_outage us-east-1a";
    struct shot long_read = {&f, 1, OP_DB_READ, S(10)};
    sim_at(&f.sim, S(5), on_shot, &long_read, 0);
    struct stream s0 = {.op = OP_DB_READ, .demand = MS(1), .rate = 1, .until = S(1500)};
    stream_start(&f, &s0, S(0.5));
    struct fault_shot forced, other, down, up;
    fault_at(&f, &forced, 2, FAULT_FAILOVER, -1, "fault 2 db_failover");
    fault_at(&f, &other, 3, FAULT_AZ_DOWN, 1, "fault 3 az_outage us-east-1b");
    fault_at(&f, &down, 10, FAULT_AZ_DOWN, 0, cause);
    fault_at(&f, &up, 1000, FAULT_AZ_UP, 0, cause);
    sim_run(&f.sim, S(11));
    CHECK_EQ_INT(forced.rc, 0);
    CHECK_EQ_INT(other.rc, 0);
    CHECK_EQ_INT(down.rc, 1);
    CHECK_EQ_INT(f.tc[1].e503, 1); /* the read in progress */
    CHECK_EQ_INT(f.tc[1].first_503, S(10));
    sim_run(&f.sim, S(1119));
    CHECK_EQ_INT(up.rc, 1);
    CHECK(!rds_primary_up(f.db), "recovering until 1120 s");
    sim_run(&f.sim, S(1500));
    CHECK(rds_primary_up(f.db), "up after its recovery");
    /* reads sent at 10.5 .. 1119.5 s failed: 1110 of them */
    CHECK_EQ_INT(f.tc[0].e503, 1110);
    CHECK_EQ_INT(f.tc[0].first_503, S(10.5));
    CHECK_EQ_INT(f.tc[0].last_503, S(1119.5));
    CHECK_EQ_INT(f.tc[0].ok, 10 + 380);
    struct check_table ev;
    events_close(&f, &ev, "test_rds_single_az.csv");
    CHECK_NEAR(ev_at(&ev, "failover_refused", "Single-AZ"), 2, 0);
    CHECK_NEAR(ev_at(&ev, "primary_down", cause), 10, 0);
    CHECK_NEAR(ev_at(&ev, "primary_recovering", cause), 1000, 0);
    CHECK_NEAR(ev_at(&ev, "primary_up", cause), 1120, 0);
    check_table_free(&ev);
    teardown(&f);
}

/* Replicas in a lost AZ stop: reads go to the replica still up, then to the primary when
 * none is; writes keep committing and the stopped replicas fall behind; back, they catch up
 * (ReplicaLag shows the outage, then the base again). */
static void test_fault_replicas(void)
{
    struct fx f;
    setup(&f,
          "{\"read_replicas\": [{\"availability_zone\": \"us-east-1b\"}, "
          "{\"availability_zone\": \"us-east-1c\"}]}",
          1, 3, 0);
    events_open(&f, "test_rds_replicas.csv");
    struct stream wr = {.op = OP_DB_WRITE, .demand = MS(2), .rate = 20, .until = S(120)};
    struct stream rd = {.caller = 1, .op = OP_DB_READ, .demand = MS(10), .rate = 100,
                        .until = S(120)};
    stream_start(&f, &wr, 0);
    stream_start(&f, &rd, 0);
    struct fault_shot b_down, c_down, b_up, c_up;
    fault_at(&f, &b_down, 10, FAULT_AZ_DOWN, 1, "fault 1 az_outage us-east-1b");
    fault_at(&f, &c_down, 20, FAULT_AZ_DOWN, 2, "fault 2 az_outage us-east-1c");
    fault_at(&f, &b_up, 60, FAULT_AZ_UP, 1, "fault 1 az_outage us-east-1b");
    fault_at(&f, &c_up, 60, FAULT_AZ_UP, 2, "fault 2 az_outage us-east-1c");
    sim_run(&f.sim, S(10.5));
    ts_fill(&f, S(10.5));
    CHECK_EQ_INT(b_down.rc, 1);
    uint64_t ended = f.tc[1].e503; /* the reads in progress on replica-1 */
    CHECK(ended >= 1 && ended <= 3, "reads in progress on the stopped replica: %llu",
          (unsigned long long)ended);
    sim_run(&f.sim, S(19.9));
    ts_fill(&f, S(9.4));
    /* 100 reads/s of 10 ms, all on replica-2 now: 25 % of its 4 vCPUs, 12.5 % of the two */
    CHECK_NEAR(ts(&f, "db.replica_cpu_pct"), 12.5, 1.5);
    CHECK_NEAR(ts(&f, "db.cpu_pct"), 1, 0.2); /* the writes alone: 20 x 2 ms / 4 */
    sim_run(&f.sim, S(21));
    ts_fill(&f, S(1.1));
    sim_run(&f.sim, S(59));
    ts_fill(&f, S(38));
    CHECK_EQ_INT(c_down.rc, 1);
    /* no replica up: the primary serves the reads, 25 % + the writes' 1 % */
    CHECK_NEAR(ts(&f, "db.cpu_pct"), 26, 1.5);
    CHECK_NEAR(ts(&f, "db.replica_cpu_pct"), 0, 0);
    CHECK_NEAR(ts(&f, "db.replica_lag_s"), 1 + 49, 0.1); /* replica-1, behind since 10 s */
    CHECK(f.tc[1].e503 <= ended + 3, "only the reads in progress fail: %llu",
          (unsigned long long)f.tc[1].e503);
    sim_run(&f.sim, S(61));
    ts_fill(&f, S(2));
    CHECK_EQ_INT(b_up.rc + c_up.rc, 2);
    sim_run(&f.sim, S(70));
    ts_fill(&f, S(9));
    /* the 50 s of writes behind (1 s of apply work) are applied within a few seconds */
    sim_run(&f.sim, S(80));
    ts_fill(&f, S(10));
    CHECK_NEAR(ts(&f, "db.replica_lag_s"), 1, 0.01);
    CHECK_EQ_INT(f.tc[0].e503, 0); /* no write failed */
    sim_run(&f.sim, S(130));
    double lag_max = summary(&f, "db.replica_lag_max_s");
    printf("replicas stopped 10-60 s: lag max %.2f s, reads failed %llu\n", lag_max,
           (unsigned long long)f.tc[1].e503);
    CHECK_NEAR(lag_max, 1 + 50, 0.1);
    struct check_table ev;
    events_close(&f, &ev, "test_rds_replicas.csv");
    CHECK_NEAR(ev_at(&ev, "replica_down", "replica-1 in us-east-1b"), 10, 0);
    CHECK_NEAR(ev_at(&ev, "replica_down", "reads go to the primary"), 20, 0);
    CHECK_NEAR(ev_at(&ev, "replica_up", "replica-1"), 60, 0);
    check_table_free(&ev);
    teardown(&f);
}

/* The same seed and faults give the same summary. */
static void fault_run(uint64_t seed, double *out, uint32_t *n)
{
    struct fx f;
    setup(&f,
          "{\"multi_az\": true, \"read_replicas\": [{}], \"client_pool_size\": 3, "
          "\"max_connections\": 8, \"connection_timeout\": \"50ms\", \"failover_time\": "
          "{\"dist\": \"uniform\", \"min\": 5, \"max\": 10}}",
          seed, 3, S(5));
    struct stream st[4];
    for (int i = 0; i < 4; i++) {
        st[i] = (struct stream){.caller = i, .op = i % 2 ? OP_DB_WRITE : OP_DB_READ,
                                .rate = 300, .poisson = true, .until = S(60)};
        stream_start(&f, &st[i], 0);
    }
    struct fault_shot a, b, c;
    fault_at(&f, &a, 20, FAULT_AZ_DOWN, 0, "x");
    fault_at(&f, &b, 25, FAULT_AZ_DOWN, 2, "y");
    fault_at(&f, &c, 40, FAULT_AZ_UP, 0, "x");
    sim_run(&f.sim, S(60));
    sim_table_fill(&f.sim, &f.sim.summary, f.sim.now - f.sim.warmup);
    *n = f.sim.summary.ncols;
    memcpy(out, f.sim.summary.row, *n * sizeof *out);
    teardown(&f);
}

static void test_fault_determinism(void)
{
    double a[32], b[32];
    uint32_t na, nb;
    fault_run(5, a, &na);
    fault_run(5, b, &nb);
    CHECK_EQ_INT(na, nb);
    CHECK(memcmp(a, b, na * sizeof *a) == 0, "the same seed and faults give the same summary");
}

/* --- determinism ------------------------------------------------------------------------------ */

static void mixed_run(uint64_t seed, double *out, uint32_t *n)
{
    struct fx f;
    setup(&f,
          "{\"multi_az\": true, \"read_replicas\": [{}], \"client_pool_size\": 3, "
          "\"max_connections\": 8, \"connection_timeout\": \"50ms\", \"failover_time\": "
          "{\"dist\": \"uniform\", \"min\": 5, \"max\": 10}}",
          seed, 3, S(5));
    struct stream s[6];
    for (int i = 0; i < 6; i++) {
        s[i] = (struct stream){.caller = i, .op = i % 2 ? OP_DB_WRITE : OP_DB_READ,
                               .rate = 300, .poisson = true, .until = S(60)};
        stream_start(&f, &s[i], 0);
    }
    struct trigger t = {&f, 99};
    sim_at(&f.sim, S(30), on_failover, &t, 0);
    sim_run(&f.sim, S(60));
    int64_t span = f.sim.now - f.sim.warmup;
    sim_table_fill(&f.sim, &f.sim.summary, span);
    *n = f.sim.summary.ncols;
    memcpy(out, f.sim.summary.row, *n * sizeof *out);
    teardown(&f);
}

static void test_determinism(void)
{
    double a[32], b[32], c[32];
    uint32_t na, nb, nc;
    mixed_run(5, a, &na);
    mixed_run(5, b, &nb);
    mixed_run(6, c, &nc);
    CHECK_EQ_INT(na, nb);
    CHECK(memcmp(a, b, na * sizeof *a) == 0, "the same seed gives the same summary");
    CHECK(memcmp(a, c, na * sizeof *a) != 0, "another seed gives another");
    /* the run above saw each kind of error */
    printf("mixed run: cpu %.2f %%, peak %.0f connections, %.0f reads, %.0f writes, %.0f "
           "errors (%.0f connection errors), lag max %.3f s\n",
           a[0], a[1], a[2], a[3], a[4], a[5], a[7]);
    CHECK(a[5] > 0 && a[4] > a[5], "connection errors and failover errors: %g, %g", a[5], a[4]);
}

int main(void)
{
    gsl_set_error_handler_off();
    test_max_connections();
    test_config_defaults();
    test_config_full();
    test_default_azs();
    test_multi_az_write();
    test_other_op();
    test_zero_demand();
    test_fault_az_failover();
    test_fault_single_az();
    test_fault_replicas();
    test_fault_determinism();
    test_pool_wait_and_timeout();
    test_idle_timeout();
    test_too_many_connections();
    test_proxy();
    test_replica_lag();
    test_read_routing();
    test_failover();
    test_determinism();
    test_erlang_c();
    return check_done();
}
