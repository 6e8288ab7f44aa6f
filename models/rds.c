/* rds.c — an Amazon RDS database: instance classes and max_connections, the callers'
 * connection pools, FCFS vCPUs, RDS Proxy, Multi-AZ synchronous replication and failover,
 * read replicas with a single-threaded apply worker and ReplicaLag.
 *
 * Rules (reference/aws-behavior.md, section 8):
 * - Class: `instance_class` fixes the vCPUs and memory (RDS-12). max_connections is the
 *   engine's default formula over DBInstanceClassMemory (RDS-9), per DB instance, unless
 *   given. DBInstanceClassMemory is the memory less 256 MiB + 1.75 % of it: AWS says only
 *   that RDS reserves some memory and that 16 GiB gives about 1,300 connections on MySQL;
 *   this reservation reproduces that (1,320), RDS-12's 3,200-3,600 for PostgreSQL on
 *   db.r5.xlarge (3,513), and the max_connections published for 15 older classes within
 *   50 MiB (a fit, UNCERTAIN).
 * - Connections, as an application sees them: each calling instance has a pool of at most
 *   `client_pool_size` connections per DB instance (HikariCP's maximumPoolSize). A query
 *   takes the most recently released idle connection (so the least used ones age), or opens
 *   one while the pool is below its size; an open that would pass max_connections on that
 *   DB instance fails at once with 503 ("too many connections"); with every connection busy
 *   it waits FIFO up to `connection_timeout`, then fails with 503. A connection idle for
 *   `idle_timeout` closes. The query holds its connection until it replies.
 * - RDS Proxy (RDS-10): callers' pools connect to the proxy, which max_connections does not
 *   limit; the proxy borrows one of at most max_connections x max_connections_percent / 100
 *   database connections per query (transaction-level multiplexing, no pinning) and returns
 *   it at commit; a query finding none free waits FIFO up to `connection_borrow_timeout`,
 *   then fails with 503. The proxy adds `latency` per query (UNCERTAIN: AWS gives no
 *   figure). It fronts the primary only: replicas are queried directly, as RDS Proxy serves
 *   no RDS read replica.
 * - vCPUs: a query runs on one vCPU for its demand (the caller's, or a draw of `read` or
 *   `write`), first come first served over the instance's vCPUs, as a fleet's cpu steps do.
 * - Multi-AZ (RDS-1, RDS-7): every write then waits a draw of `sync_replication` (the
 *   standby's acknowledgement: a cross-AZ round trip, ~0.5-1.5 ms) after its CPU, holding
 *   its connection but no vCPU; the write commits after it. The standby serves nothing.
 * - Failover (RDS-1, RDS-2; started by rds_failover): for a draw of `failover_time` (60-120 s
 *   by default) the primary answers nothing: queries to it get 503 at once, those in
 *   progress end with 503 and every connection to it is dropped (clients must reconnect,
 *   RDS-1). With a proxy the callers' connections to the proxy survive; only its database
 *   connections drop (RDS-10). Then the standby is the primary in its AZ, and the old
 *   primary's AZ holds the new standby. Single-AZ: rds_failover refuses (TS_EINVAL).
 * - Faults (the `fault` op; AZ-3, AZ-6): FAULT_FAILOVER is rds_failover (RDS-2), logged and
 *   refused without a standby. FAULT_AZ_DOWN: replicas in the AZ stop (their queries end
 *   with 503, reads go to the replicas up, or the primary when none; the writes they miss
 *   queue up, batched by second); a standby there is lost (the primary serves alone and its
 *   writes commit without the acknowledgement: RDS replaces a failed standby without a
 *   failover; no failover until the AZ is back); a primary there fails over (RDS-1) when
 *   its standby is up, else it is down until FAULT_AZ_UP plus `recovery_time` (crash
 *   recovery, 10 min by default: RDS-3's Single-AZ downtime, UNCERTAIN). A new standby is
 *   made in the old primary's AZ only when that AZ has power. FAULT_AZ_UP: replicas catch
 *   up (ReplicaLag shows how far behind they are), the standby is back.
 * - Read replicas (RDS-8): same class; reads go to a replica drawn uniformly (`read_from`
 *   "replicas", the default with replicas), writes to the primary. Replication is
 *   asynchronous: each committed write is applied on every replica by one apply worker
 *   that takes the replica's vCPUs like a query (FCFS with the reads) for `apply_factor` x
 *   the write's demand, one write at a time. ReplicaLag is `replica_lag_base` (1 s, the
 *   defaults table's choice) plus the time the oldest unapplied write has waited since its
 *   commit. The writes waiting to be applied are a FIFO of (commit time, demand): it grows
 *   only while the replica falls behind.
 * Simplified: opening a connection takes no time and costs no CPU, and HikariCP's retries of a
 * refused open are not modelled (the query fails at once); a vCPU is a full core (no burst
 * credits on db.t3); no storage, IOPS, buffer cache or locks; no DNS caching after a
 * failover, so the proxy's shorter client recovery (RDS-6, RDS-10, RDS-11) does not show;
 * a pool belongs to its calling instance for the whole run (a terminated instance's idle
 * connections close by the idle timeout, not at termination).
 */
#include "tiersim/models/rds.h"

#include "tiersim/arena.h"
#include "tiersim/scn.h"
#include "tiersim/stats.h"

#include <ctype.h>
#include <math.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* --- instance classes ----------------------------------------------------------------------
 * vCPUs and memory are AWS's ("DB instance classes"); each size up in a family doubles both
 * (AWS's linear size scaling). Prices: the price table (scenarios/prices/us-east-1.json,
 * RDS-12). */
const struct rds_class rds_classes[] = {
    {"db.t3.medium", 2, 4}, {"db.t3.large", 2, 8}, {"db.m5.large", 2, 8}, {"db.m5.xlarge", 4, 16},
    {"db.m5.2xlarge", 8, 32}, {"db.m5.4xlarge", 16, 64}, {"db.m6g.large", 2, 8},
    {"db.m6g.xlarge", 4, 16}, {"db.m6g.2xlarge", 8, 32}, {"db.m6g.4xlarge", 16, 64},
    {"db.r5.large", 2, 16}, {"db.r5.xlarge", 4, 32}, {"db.r5.2xlarge", 8, 64},
    {"db.r5.4xlarge", 16, 128}, {"db.r6g.large", 2, 16}, {"db.r6g.xlarge", 4, 32},
    {"db.r6g.2xlarge", 8, 64}, {"db.r6g.4xlarge", 16, 128}, {NULL, 0, 0},
};

const struct rds_class *rds_class_find(const char *name)
{
    for (const struct rds_class *k = rds_classes; k->name; k++)
        if (strcmp(k->name, name) == 0)
            return k;
    return NULL;
}

/* --- max_connections (RDS-9) ----------------------------------------------------------------
 * Published defaults of older classes imply a reservation growing with memory: about
 * 230 MiB at 1 GiB, 410 MiB at 8 GiB, 520 MiB at 15.25 GiB, 780 MiB at 30 GiB (MySQL and
 * PostgreSQL alike). 256 MiB + 1.75 % fits them within 50 MiB. */
#define MIB (1024.0 * 1024.0)
#define GIB (1024.0 * MIB)

double rds_class_memory(double memory_gib)
{
    double m = memory_gib * GIB;
    return m - (256.0 * MIB + 0.0175 * m);
}

uint32_t rds_default_max_connections(enum rds_engine e, double memory_gib)
{
    double mem = rds_class_memory(memory_gib), divisor = 1, cap = 0;
    switch (e) {
    case RDS_POSTGRES:
        divisor = 9531392;
        cap = 5000;
        break;
    case RDS_MYSQL:
        divisor = 12582880;
        cap = 100000; /* no LEAST in AWS's formula; MySQL's own ceiling */
        break;
    case RDS_MARIADB:
        divisor = 25165760;
        cap = 12000;
        break;
    }
    double n = floor(mem / divisor);
    if (n > cap)
        n = cap;
    return n >= 1 ? (uint32_t)n : 1u;
}

/* --- configuration ---------------------------------------------------------------------------- */

static const char *const engine_names[] = {"postgres", "mysql", "mariadb", NULL};
static const char *const read_from_names[] = {"primary", "replicas", NULL};

/* An optional AZ name at `key`: recorded in az_refs; its index there, or -1. */
static int32_t read_az(struct scn_obj *o, const char *key, struct rds_config *c, struct arena *a)
{
    cJSON *v = scn_member(o, key);
    const char *name;
    if (!v || !scn_as_str(o->s, v, &name))
        return -1;
    c->az_refs[c->naz_refs] = (struct rds_az_ref){arena_strdup(a, name), v};
    return (int32_t)c->naz_refs++;
}

static void read_class(struct scn_obj *o, struct rds_config *c)
{
    const char *name = scn_str(o, "instance_class", "db.r5.xlarge");
    c->cls = name ? rds_class_find(name) : NULL;
    if (name && !c->cls) {
        const char *names[64];
        unsigned n = 0;
        for (const struct rds_class *k = rds_classes; k->name && n < 64; k++)
            names[n++] = k->name;
        char list[512];
        enum scn_gap gap = scn_table_gap(name, "db.", names, n, list, sizeof list);
        const char *near = gap == SCN_GAP_NONE ? scn_nearest(name, names, n) : NULL;
        if (gap == SCN_GAP_SIZE)
            scn_error(o->s, scn_member(o, "instance_class"), false,
                      "instance class \"%s\" is not in tiersim's table (of %.*s it has: %s)",
                      name, (int)(strrchr(name, '.') - name), name, list);
        else if (near)
            scn_error(o->s, scn_member(o, "instance_class"), false,
                      "unknown instance class \"%s\" (did you mean \"%s\"?)", name, near);
        else
            scn_error(o->s, scn_member(o, "instance_class"), false,
                      "unknown instance class \"%s\" (known families: db.t3, db.m5, db.m6g, "
                      "db.r5, db.r6g)",
                      name);
    }
    if (!c->cls)
        c->cls = rds_class_find("db.r5.xlarge"); /* reading goes on */
    c->vcpus = c->cls->vcpus;
}

static void read_proxy(struct scn_obj *o, struct rds_config *c, struct arena *a)
{
    cJSON *p = scn_member(o, "proxy");
    if (!p)
        return;
    struct scn_obj po;
    if (!scn_open(o->s, p, &po))
        return;
    c->proxy.enabled = true;
    c->proxy.max_connections_percent =
        (uint32_t)scn_int(&po, "max_connections_percent", 100, 1, 100);
    c->proxy.borrow_timeout = scn_dur(&po, "connection_borrow_timeout", 120, SCN_IN(0, 3600));
    dist_read(&po, "latency", "{\"dist\": \"const\", \"value\": 0.001}", &c->proxy.latency, a);
    scn_close(&po);
}

/* read_replicas: an array of objects, each with an optional availability_zone. */
static void read_replicas(struct scn_obj *o, struct rds_config *c, struct arena *a, cJSON *arr)
{
    struct scn *s = o->s;
    c->replica_az_ref = arena_alloc(a, (c->nreplicas ? c->nreplicas : 1u) * sizeof(int32_t));
    uint32_t i = 0;
    cJSON *e;
    cJSON_ArrayForEach(e, arr)
    {
        if (i >= c->nreplicas)
            break;
        c->replica_az_ref[i] = -1;
        struct scn_obj ro;
        if (scn_open(s, e, &ro)) {
            c->replica_az_ref[i] = read_az(&ro, "availability_zone", c, a);
            scn_close(&ro);
        }
        i++;
    }
}

bool rds_config_from_json(struct scn_obj *o, struct rds_config *c, struct arena *a)
{
    memset(c, 0, sizeof *c);
    struct scn *s = o->s;
    unsigned before = scn_error_count(s);
    char what[64];

    c->engine = (enum rds_engine)scn_enum(o, "engine", engine_names, RDS_POSTGRES);
    read_class(o, c);
    c->max_connections = (uint32_t)scn_int(
        o, "max_connections", rds_default_max_connections(c->engine, c->cls->memory_gib), 1,
        8388607);
    /* demands per query, seconds of one vCPU: modelling choices (docs/models/rds.md) */
    dist_read(o, "read", "{\"dist\": \"exp\", \"mean\": 0.001}", &c->read, a);
    dist_read(o, "write", "{\"dist\": \"exp\", \"mean\": 0.002}", &c->write, a);
    /* HikariCP's defaults: maximumPoolSize 10, connectionTimeout 30 s, idleTimeout 10 min */
    c->client_pool_size = (uint32_t)scn_int(o, "client_pool_size", 10, 1, 100000);
    c->connection_timeout = scn_dur(o, "connection_timeout", 30, SCN_POS);
    c->idle_timeout = scn_dur(o, "idle_timeout", 600, SCN_NONNEG);

    c->multi_az = scn_bool(o, "multi_az", false);
    dist_read(o, "sync_replication", "{\"dist\": \"const\", \"value\": 0.001}",
              &c->sync_replication, a);
    dist_read(o, "failover_time", "{\"dist\": \"uniform\", \"min\": 60, \"max\": 120}",
              &c->failover_time, a);
    /* a Single-AZ primary's crash recovery once its AZ has power again: RDS-3's ~10 minutes
     * of a Single-AZ instance change, the closest measured figure (UNCERTAIN) */
    c->recovery_time = scn_dur(o, "recovery_time", 600, SCN_NONNEG);

    cJSON *reps = scn_member(o, "read_replicas");
    bool reps_bad = false; /* reported here: the rules that need replicas keep quiet */
    if (reps && !cJSON_IsArray(reps)) {
        scn_error(s, reps, false, "expected an array of read replicas ({} or "
                                  "{\"availability_zone\": ...} each), got %s",
                  scn_describe(reps, what, sizeof what));
        reps_bad = true;
    } else if (reps && cJSON_GetArraySize(reps) > (int)RDS_MAX_REPLICAS) {
        scn_error(s, reps, false, "at most %u read replicas, got %d", RDS_MAX_REPLICAS,
                  cJSON_GetArraySize(reps));
        reps_bad = true;
    } else if (reps) {
        c->nreplicas = (uint32_t)cJSON_GetArraySize(reps);
    } else {
        reps_bad = scn_misspelt(o, "read_replicas"); /* reported as an unknown key */
    }
    c->az_refs = arena_alloc(a, (2u + c->nreplicas) * sizeof *c->az_refs);
    c->primary_az_ref = read_az(o, "availability_zone", c, a);
    c->standby_az_ref = read_az(o, "secondary_availability_zone", c, a);
    /* multi_az with a value of the wrong kind, or misspelt, is reported as that alone */
    cJSON *maz = scn_member(o, "multi_az");
    bool maz_bad = (maz && !cJSON_IsBool(maz)) || scn_misspelt(o, "multi_az");
    if (c->standby_az_ref >= 0 && !c->multi_az && !maz_bad)
        scn_error(s, c->az_refs[c->standby_az_ref].at, false,
                  "a standby needs \"multi_az\": true");
    else if (c->standby_az_ref >= 0 && c->primary_az_ref >= 0 &&
             strcmp(c->az_refs[c->standby_az_ref].name, c->az_refs[c->primary_az_ref].name) == 0)
        scn_error(s, c->az_refs[c->standby_az_ref].at, false,
                  "must differ from the primary's availability_zone (\"%s\")",
                  c->az_refs[c->primary_az_ref].name);
    read_replicas(o, c, a, reps);

    c->read_from = (enum rds_read_from)scn_enum(
        o, "read_from", read_from_names, c->nreplicas ? RDS_READ_REPLICAS : RDS_READ_PRIMARY);
    if (c->read_from == RDS_READ_REPLICAS && c->nreplicas == 0 && !reps_bad)
        scn_error(s, scn_member(o, "read_from"), false,
                  "\"replicas\" needs at least one entry in \"read_replicas\"");
    c->apply_factor = scn_num(o, "apply_factor", 0.5, SCN_NONNEG);
    c->replica_lag_base = scn_dur(o, "replica_lag_base", 1, SCN_NONNEG);
    read_proxy(o, c, a);
    return scn_error_count(s) == before;
}

void rds_config_release(struct rds_config *c)
{
    dist_release(&c->read);
    dist_release(&c->write);
    dist_release(&c->sync_replication);
    dist_release(&c->failover_time);
    dist_release(&c->proxy.latency);
}

/* --- state ------------------------------------------------------------------------------------ */

/* Where a query is, in its frame's pc. */
enum phase { PH_POOL_WAIT = 1, PH_TRAVEL, PH_BORROW_WAIT, PH_CPU_WAIT, PH_CPU, PH_SYNC };
/* What it holds, in its frame's tries. */
enum { HOLD_CLIENT = 1, HOLD_PROXY = 2 };

struct apply_job {
    int64_t t;      /* ns, when the write committed on the primary */
    int64_t demand; /* ns of one vCPU to apply it */
};

/* One DB instance: the primary (idx 0; its AZ moves at failover) or a read replica. */
struct server {
    struct rds *d;
    uint32_t idx;
    int az;
    uint32_t busy;                     /* vCPUs busy (queries and the apply worker) */
    struct request *rq_head, *rq_tail; /* queries waiting for a vCPU, FCFS */
    uint64_t rq_in, rq_out;            /* pushes and pops of that queue */
    uint32_t conns;        /* database connections open on it (callers' or the proxy's) */
    uint32_t client_conns; /* callers' pool connections to it (to its proxy) */
    bool refusing;         /* refused a connection at max_connections (logged once) */
    struct req_list held;  /* every query it has taken, until it replies */
    struct tavg busy_t, runq_t;
    double a_busy_ts, a_runq_ts, a_busy_warm; /* areas at the last report, at warm-up end */

    /* a replica: writes committed on the primary, waiting to be applied (a ring) */
    struct apply_job *aq;
    uint32_t aq_head, aq_n, aq_cap;
    bool applying;         /* the apply worker holds a vCPU */
    bool apply_waiting;    /* the apply worker waits for a vCPU, behind apply_ticket pops */
    uint64_t apply_ticket;
    int64_t lag_iv_max;    /* ns, largest wait of an applied write this interval */
    int64_t lag_run_max;   /* ns, the same since the warm-up */
    evq_handle apply_ev;   /* the write being applied (to cancel when the replica stops) */
    bool down;             /* a replica whose AZ lost power: it serves and applies nothing */
    int64_t down_since;    /* ns, when it stopped */
    char name[24];
};

/* A caller's pool of connections to one DB instance. Idle connections are a ring of their
 * release times, oldest first: a query takes the newest, the idle timeout closes the
 * oldest. The ring grows with the connections opened (never past client_pool_size). */
struct pool {
    struct server *sv;
    uint32_t open, busy;
    int64_t *idle;
    uint32_t idle_cap, idle_head, idle_n;
    struct request *w_head, *w_tail; /* queries waiting for a connection, FIFO */
    uint32_t nwait;
    evq_handle idle_ev;
};

struct caller {
    const struct component *comp;
    struct pool *pools; /* [0] the primary, [1 + i] replica i */
};

struct proxy {
    uint32_t cap, open, busy;        /* database connections: most, open, borrowed */
    struct request *w_head, *w_tail; /* queries waiting to borrow one, FIFO */
    uint32_t nwait;
};

struct rds {
    struct component comp;
    const struct rds_config *cfg;
    const char *const *azs;
    uint32_t nazs;
    struct req_pool *pool;
    gsl_rng *rng_read, *rng_write, *rng_sync, *rng_failover, *rng_route, *rng_proxy;
    bool proxy_zero_latency;

    struct server *sv; /* [0] the primary, [1 + i] replica i */
    uint32_t nsv;
    int standby_az;
    bool failing_over;
    uint64_t failovers;
    struct proxy px;

    /* faults (docs/models/rds.md § Faults): all false and 0 in a run without them */
    bool no_primary;       /* failing_over || primary_down: queries to the primary get 503 */
    bool primary_down;     /* lost with its AZ, no standby to take over (or recovering) */
    bool standby_lost;     /* Multi-AZ: the standby's AZ is down, or it is being replaced */
    bool *az_down;         /* [nazs]: the scenario's AZs without power now */
    uint32_t replicas_down;
    evq_handle recover_ev; /* the primary's crash recovery, under way */
    char cause[128];       /* the fault behind the latest failover or outage, for the log */

    struct caller **callers; /* in order of first query: every walk over them is in this order */
    uint32_t ncallers, callers_cap;
    struct caller **hash;    /* open addressing by the caller's component */
    uint32_t hash_cap;

    struct tavg waiting;     /* queries waiting for a connection (pool or proxy) */
    double a_wait_ts;

    /* cumulative counts; the reporters take differences */
    uint64_t reads, writes, errors, conn_errors;
    uint64_t ts_reads, ts_writes, ts_errors, ts_conn_errors;
    uint64_t warm_reads, warm_writes, warm_errors, warm_conn_errors, warm_failovers;
    uint32_t peak_client, peak_proxy; /* since the warm-up */
    uint32_t c_ts, c_sum;
};

#define RDS_OF(c) ((struct rds *)((char *)(c)-offsetof(struct rds, comp)))

static bool proxied(const struct rds *d, const struct server *sv)
{
    return d->cfg->proxy.enabled && sv->idx == 0;
}

static struct server *server_of(struct rds *d, struct request *r)
{
    return &d->sv[req_top(r)->aux2];
}

static void set_waiting(struct rds *d, int64_t now, int delta)
{
    tavg_add(&d->waiting, now, delta);
}

/* --- callers ---------------------------------------------------------------------------------- */

static uint32_t hash_ptr(const void *p)
{
    uint64_t x = (uint64_t)(uintptr_t)p;
    x ^= x >> 33;
    x *= UINT64_C(0xff51afd7ed558ccd);
    x ^= x >> 33;
    return (uint32_t)x;
}

static void hash_insert(struct caller **h, uint32_t cap, struct caller *c)
{
    uint32_t i = hash_ptr(c->comp) & (cap - 1u);
    while (h[i])
        i = (i + 1u) & (cap - 1u);
    h[i] = c;
}

/* The caller's pools, made at its first query: one allocation per calling instance (and
 * idle rings that grow with the connections it opens). */
static struct caller *caller_of(struct rds *d, const struct component *comp)
{
    if (d->hash_cap) {
        for (uint32_t i = hash_ptr(comp) & (d->hash_cap - 1u); d->hash[i];
             i = (i + 1u) & (d->hash_cap - 1u))
            if (d->hash[i]->comp == comp)
                return d->hash[i];
    }
    if (2u * (d->ncallers + 1u) > d->hash_cap) {
        uint32_t cap = d->hash_cap ? 2u * d->hash_cap : 16u;
        struct caller **h = ts_calloc(cap, sizeof *h);
        for (uint32_t k = 0; k < d->ncallers; k++)
            hash_insert(h, cap, d->callers[k]);
        free(d->hash);
        d->hash = h;
        d->hash_cap = cap;
    }
    struct caller *c = ts_calloc(1, sizeof *c + d->nsv * sizeof(struct pool));
    c->comp = comp;
    c->pools = (struct pool *)(c + 1);
    for (uint32_t k = 0; k < d->nsv; k++)
        c->pools[k].sv = &d->sv[k];
    hash_insert(d->hash, d->hash_cap, c);
    if (d->ncallers == d->callers_cap) {
        d->callers_cap = d->callers_cap ? 2u * d->callers_cap : 16u;
        d->callers = ts_realloc(d->callers, d->callers_cap * sizeof *d->callers);
    }
    d->callers[d->ncallers++] = c;
    return c;
}

/* --- connections ------------------------------------------------------------------------------ */

static void close_connection(struct rds *d, struct pool *p)
{
    struct server *sv = p->sv;
    p->open--;
    sv->client_conns--;
    if (!proxied(d, sv)) {
        sv->conns--;
        if (sv->refusing && 10u * sv->conns <= 9u * d->cfg->max_connections)
            sv->refusing = false; /* the next refusal is logged again */
    }
}

static void on_idle(struct sim *sim, void *ctx, uint64_t arg);

static void idle_arm(struct sim *sim, struct pool *p)
{
    int64_t timeout = p->sv->d->cfg->idle_timeout;
    if (p->idle_ev || p->idle_n == 0 || timeout == 0)
        return;
    int64_t t = p->idle[p->idle_head] + timeout;
    p->idle_ev = sim_at(sim, t > sim->now ? t : sim->now, on_idle, p, 0);
}

/* Close the connections idle for idle_timeout, oldest first. */
static void on_idle(struct sim *sim, void *ctx, uint64_t arg)
{
    (void)arg;
    struct pool *p = ctx;
    struct rds *d = p->sv->d;
    p->idle_ev = 0;
    while (p->idle_n && p->idle[p->idle_head] + d->cfg->idle_timeout <= sim->now) {
        p->idle_head = (p->idle_head + 1u) % p->idle_cap;
        p->idle_n--;
        close_connection(d, p);
    }
    idle_arm(sim, p);
}

/* Room in the idle ring for every open connection: it grows a few times per pool at most. */
static void idle_reserve(struct pool *p, uint32_t size)
{
    if (p->open <= p->idle_cap)
        return;
    uint32_t cap = p->idle_cap ? 2u * p->idle_cap : 4u;
    if (cap > size)
        cap = size;
    int64_t *ring = ts_malloc(cap * sizeof *ring);
    for (uint32_t i = 0; i < p->idle_n; i++)
        ring[i] = p->idle[(p->idle_head + i) % p->idle_cap];
    free(p->idle);
    p->idle = ring;
    p->idle_cap = cap;
    p->idle_head = 0;
}

static void note_peak(struct rds *d, struct server *sv)
{
    if (sv->idx == 0 && sv->client_conns > d->peak_client)
        d->peak_client = sv->client_conns;
}

static void travel(struct sim *sim, struct rds *d, struct request *r);
static void on_pool_timeout(struct sim *sim, void *ctx, uint64_t arg);
static void run(struct sim *sim, struct server *sv, struct request *r);
static void finish(struct sim *sim, struct rds *d, struct request *r, enum req_status status);

/* A connection of the caller's pool for r: an idle one, a new one, or a place in the
 * queue. */
static void take_connection(struct sim *sim, struct rds *d, struct pool *p, struct request *r)
{
    const struct rds_config *c = d->cfg;
    struct server *sv = p->sv;
    struct frame *f = req_top(r);
    if (p->idle_n) { /* the newest: the oldest stay idle and time out */
        p->idle_n--;
        p->busy++;
    } else if (p->open < c->client_pool_size) {
        if (!proxied(d, sv) && sv->conns >= c->max_connections) {
            if (!sv->refusing) {
                sv->refusing = true;
                sim_log(sim, d->comp.name, "max_connections",
                        "%s: %u connections open, new connections refused (too many "
                        "connections, RDS-9)",
                        sv->name, sv->conns);
            }
            d->conn_errors++;
            finish(sim, d, r, REQ_E503);
            return;
        }
        p->open++;
        p->busy++;
        idle_reserve(p, c->client_pool_size);
        sv->client_conns++;
        if (!proxied(d, sv))
            sv->conns++;
        note_peak(d, sv);
    } else {
        f->pc = PH_POOL_WAIT;
        req_fifo_push(&p->w_head, &p->w_tail, r);
        p->nwait++;
        set_waiting(d, sim->now, 1);
        f->ev = sim_after(sim, c->connection_timeout, on_pool_timeout, p,
                          (uint64_t)(uintptr_t)r);
        return;
    }
    f->tries |= HOLD_CLIENT;
    travel(sim, d, r);
}

/* r's caller-pool connection returns: to the first query waiting for one, or idle. */
static void release_client(struct sim *sim, struct rds *d, struct pool *p)
{
    struct request *w = req_fifo_pop(&p->w_head, &p->w_tail);
    if (w) {
        p->nwait--;
        set_waiting(d, sim->now, -1);
        struct frame *wf = req_top(w);
        sim_cancel(sim, wf->ev);
        wf->ev = 0;
        wf->tries |= HOLD_CLIENT;
        travel(sim, d, w);
        return;
    }
    p->busy--;
    p->idle[(p->idle_head + p->idle_n) % p->idle_cap] = sim->now;
    p->idle_n++;
    idle_arm(sim, p);
}

/* A query waited connection_timeout for its caller's pool (HikariCP's
 * SQLTransientConnectionException). Waiters share one timeout, so it is the first. */
static void on_pool_timeout(struct sim *sim, void *ctx, uint64_t arg)
{
    struct pool *p = ctx;
    struct request *r = (struct request *)(uintptr_t)arg;
    struct rds *d = p->sv->d;
    req_top(r)->ev = 0;
    TS_ASSERT(p->w_head == r);
    req_fifo_pop(&p->w_head, &p->w_tail);
    p->nwait--;
    set_waiting(d, sim->now, -1);
    d->conn_errors++;
    finish(sim, d, r, REQ_E503);
}

/* The proxy's database connection returns at commit: to the first query waiting to borrow
 * one, or to the proxy's pool. */
static void release_proxy(struct sim *sim, struct rds *d)
{
    struct request *w = req_fifo_pop(&d->px.w_head, &d->px.w_tail);
    if (!w) {
        d->px.busy--;
        return;
    }
    d->px.nwait--;
    set_waiting(d, sim->now, -1);
    struct frame *wf = req_top(w);
    sim_cancel(sim, wf->ev);
    wf->ev = 0;
    wf->tries |= HOLD_PROXY;
    run(sim, &d->sv[0], w);
}

static void on_borrow_timeout(struct sim *sim, void *ctx, uint64_t arg)
{
    struct rds *d = ctx;
    struct request *r = (struct request *)(uintptr_t)arg;
    req_top(r)->ev = 0;
    TS_ASSERT(d->px.w_head == r);
    req_fifo_pop(&d->px.w_head, &d->px.w_tail);
    d->px.nwait--;
    set_waiting(d, sim->now, -1);
    d->conn_errors++;
    finish(sim, d, r, REQ_E503);
}

/* At the DB instance (or the proxy in front of it): borrow a proxy connection, then the
 * vCPUs. */
static void arrive(struct sim *sim, struct rds *d, struct request *r)
{
    struct server *sv = server_of(d, r);
    struct frame *f = req_top(r);
    if (proxied(d, sv)) {
        struct proxy *px = &d->px;
        if (px->busy < px->open) {
            px->busy++;
        } else if (px->open < px->cap) {
            px->open++;
            px->busy++;
            sv->conns++;
            if (sv->conns > d->peak_proxy)
                d->peak_proxy = sv->conns;
        } else {
            f->pc = PH_BORROW_WAIT;
            req_fifo_push(&px->w_head, &px->w_tail, r);
            px->nwait++;
            set_waiting(d, sim->now, 1);
            if (d->cfg->proxy.borrow_timeout > 0)
                f->ev = sim_after(sim, d->cfg->proxy.borrow_timeout, on_borrow_timeout, d,
                                  (uint64_t)(uintptr_t)r);
            return;
        }
        f->tries |= HOLD_PROXY;
    }
    run(sim, sv, r);
}

static void on_arrive(struct sim *sim, void *ctx, uint64_t arg)
{
    struct request *r = (struct request *)(uintptr_t)arg;
    req_top(r)->ev = 0;
    arrive(sim, ctx, r);
}

/* With a connection: across the network to the DB instance (and through the proxy). */
static void travel(struct sim *sim, struct rds *d, struct request *r)
{
    struct server *sv = server_of(d, r);
    struct frame *f = req_top(r);
    int64_t dt = comp_hop(r, sv->az);
    if (proxied(d, sv) && !d->proxy_zero_latency)
        dt += sim_ns(dist_sample(&d->cfg->proxy.latency, d->rng_proxy));
    if (dt > 0) {
        f->pc = PH_TRAVEL;
        f->ev = sim_after(sim, dt, on_arrive, d, (uint64_t)(uintptr_t)r);
    } else {
        arrive(sim, d, r);
    }
}

/* --- vCPUs and the apply worker --------------------------------------------------------------- */

static void set_busy(struct server *sv, int64_t now, int delta)
{
    sv->busy = (uint32_t)((int64_t)sv->busy + delta);
    tavg_add(&sv->busy_t, now, delta);
}

static void on_cpu_done(struct sim *sim, void *ctx, uint64_t arg);
static void on_apply_done(struct sim *sim, void *ctx, uint64_t arg);

static void start_cpu(struct sim *sim, struct server *sv, struct request *r)
{
    struct frame *f = req_top(r);
    f->pc = PH_CPU;
    f->ev = sim_after(sim, f->aux, on_cpu_done, sv, (uint64_t)(uintptr_t)r);
}

static void run(struct sim *sim, struct server *sv, struct request *r)
{
    if (sv->busy < sv->d->cfg->vcpus) {
        set_busy(sv, sim->now, 1);
        start_cpu(sim, sv, r);
        return;
    }
    req_top(r)->pc = PH_CPU_WAIT;
    req_fifo_push(&sv->rq_head, &sv->rq_tail, r);
    sv->rq_in++;
    tavg_add(&sv->runq_t, sim->now, 1.0);
}

static void apply_start(struct sim *sim, struct server *sv)
{
    sv->applying = true;
    sv->apply_ev = sim_after(sim, sv->aq[sv->aq_head].demand, on_apply_done, sv, 0);
}

/* A vCPU is free: it goes to the next in line (the apply worker when its turn has come, a
 * waiting query), or it idles. */
static void cpu_next(struct sim *sim, struct server *sv)
{
    if (sv->apply_waiting && sv->rq_out == sv->apply_ticket) {
        sv->apply_waiting = false;
        apply_start(sim, sv);
        return;
    }
    struct request *n = req_fifo_pop(&sv->rq_head, &sv->rq_tail);
    if (n) {
        sv->rq_out++;
        tavg_add(&sv->runq_t, sim->now, -1.0);
        start_cpu(sim, sv, n);
        return;
    }
    set_busy(sv, sim->now, -1);
}

/* The apply worker has a write to apply: a vCPU now, or a place behind the queries
 * already waiting (FCFS). */
static void apply_want_cpu(struct sim *sim, struct server *sv)
{
    if (sv->busy < sv->d->cfg->vcpus) {
        set_busy(sv, sim->now, 1);
        apply_start(sim, sv);
    } else {
        sv->apply_waiting = true;
        sv->apply_ticket = sv->rq_in;
    }
}

/* A stopped replica's writes to apply later are batched by second of commit: its queue then
 * grows with the length of the outage, not with the writes. */
#define APPLY_BATCH SIM_NS_PER_S

static void apply_push(struct sim *sim, struct server *sv, int64_t demand)
{
    if (sv->down && sv->aq_n) {
        struct apply_job *tail = &sv->aq[(sv->aq_head + sv->aq_n - 1u) % sv->aq_cap];
        if (tail->t >= sv->down_since && sim->now - tail->t < APPLY_BATCH) {
            tail->demand += demand;
            return;
        }
    }
    if (sv->aq_n == sv->aq_cap) { /* only while the replica falls behind */
        uint32_t cap = sv->aq_cap ? 2u * sv->aq_cap : 64u;
        struct apply_job *q = ts_malloc(cap * sizeof *q);
        for (uint32_t i = 0; i < sv->aq_n; i++)
            q[i] = sv->aq[(sv->aq_head + i) % sv->aq_cap];
        free(sv->aq);
        sv->aq = q;
        sv->aq_cap = cap;
        sv->aq_head = 0;
    }
    sv->aq[(sv->aq_head + sv->aq_n) % sv->aq_cap] = (struct apply_job){sim->now, demand};
    sv->aq_n++;
    if (!sv->applying && !sv->apply_waiting && !sv->down)
        apply_want_cpu(sim, sv);
}

static void on_apply_done(struct sim *sim, void *ctx, uint64_t arg)
{
    (void)arg;
    struct server *sv = ctx;
    sv->apply_ev = 0;
    int64_t waited = sim->now - sv->aq[sv->aq_head].t; /* the lag just before it is applied */
    if (waited > sv->lag_iv_max)
        sv->lag_iv_max = waited;
    if (waited > sv->lag_run_max)
        sv->lag_run_max = waited;
    sv->aq_head = (sv->aq_head + 1u) % sv->aq_cap;
    sv->aq_n--;
    sv->applying = false;
    cpu_next(sim, sv);
    if (sv->aq_n)
        apply_want_cpu(sim, sv);
}

/* ns the oldest unapplied write has waited now (0 when none). */
static int64_t lag_now(const struct server *sv, int64_t now)
{
    return sv->aq_n ? now - sv->aq[sv->aq_head].t : 0;
}

/* --- queries ---------------------------------------------------------------------------------- */

/* The query ends: its connections return, it leaves the instance, the caller hears. */
static void finish(struct sim *sim, struct rds *d, struct request *r, enum req_status status)
{
    struct frame *f = req_top(r);
    struct server *sv = server_of(d, r);
    uint8_t holds = f->tries;
    f->tries = 0;
    req_list_remove(&sv->held, r, r->depth - 1u);
    if (holds & HOLD_PROXY)
        release_proxy(sim, d);
    if (holds & HOLD_CLIENT)
        release_client(sim, d, f->ctx);
    if (status != REQ_OK)
        d->errors++;
    comp_reply(sim, r, status);
}

/* Committed: a write goes to every replica's apply queue. */
static void commit(struct sim *sim, struct rds *d, struct request *r)
{
    if (r->op == OP_DB_WRITE) {
        d->writes++;
        int64_t demand = sim_ns(d->cfg->apply_factor * sim_s(req_top(r)->aux));
        for (uint32_t k = 1; k < d->nsv; k++)
            apply_push(sim, &d->sv[k], demand);
    } else {
        d->reads++;
    }
    finish(sim, d, r, REQ_OK);
}

static void on_sync_done(struct sim *sim, void *ctx, uint64_t arg)
{
    struct request *r = (struct request *)(uintptr_t)arg;
    req_top(r)->ev = 0;
    commit(sim, ctx, r);
}

static void on_cpu_done(struct sim *sim, void *ctx, uint64_t arg)
{
    struct server *sv = ctx;
    struct rds *d = sv->d;
    struct request *r = (struct request *)(uintptr_t)arg;
    struct frame *f = req_top(r);
    f->ev = 0;
    cpu_next(sim, sv);
    if (r->op == OP_DB_WRITE && d->cfg->multi_az && !d->standby_lost) {
        /* the standby's acknowledgement, holding the connection but no vCPU (RDS-7) */
        f->pc = PH_SYNC;
        f->ev = sim_after(sim, sim_ns(dist_sample(&d->cfg->sync_replication, d->rng_sync)),
                          on_sync_done, d, (uint64_t)(uintptr_t)r);
        return;
    }
    commit(sim, d, r);
}

/* A read's replica while some are stopped: one of those up, uniformly, or the primary
 * (0) when none is. */
static uint32_t route_up(struct rds *d)
{
    uint32_t up = d->nsv - 1u - d->replicas_down;
    if (up == 0)
        return 0;
    uint32_t pick = (uint32_t)gsl_rng_uniform_int(d->rng_route, up);
    for (uint32_t i = 1; i < d->nsv; i++)
        if (!d->sv[i].down && pick-- == 0)
            return i;
    TS_ASSERT(0 && "fewer replicas up than counted");
    return 0;
}

static void rds_accept(struct sim *sim, struct component *self, struct request *r)
{
    struct rds *d = RDS_OF(self);
    const struct rds_config *c = d->cfg;
    bool write = r->op == OP_DB_WRITE;
    if (r->op != OP_DB_READ && !write) {
        d->errors++;
        comp_reply(sim, r, REQ_E500);
        return;
    }
    uint32_t s = 0;
    if (!write && c->read_from == RDS_READ_REPLICAS && d->nsv > 1)
        s = d->replicas_down ? route_up(d)
                             : 1u + (uint32_t)gsl_rng_uniform_int(d->rng_route, d->nsv - 1u);
    if (s == 0 && d->no_primary) { /* nothing answers at the primary's address (RDS-1) */
        d->errors++;
        comp_reply(sim, r, REQ_E503);
        return;
    }
    struct frame *f = req_top(r);
    int64_t demand;
    if (r->arg) /* the caller's (db_demand_arg) */
        demand = r->arg - 1u < (uint64_t)SIM_TIME_MAX ? (int64_t)(r->arg - 1u) : SIM_TIME_MAX;
    else if (write)
        demand = sim_ns(dist_sample(&c->write, d->rng_write));
    else
        demand = sim_ns(dist_sample(&c->read, d->rng_read));
    f->aux = demand;
    f->aux2 = s;
    f->tries = 0;
    struct caller *cl = caller_of(d, r->stack[r->depth - 2].comp);
    f->ctx = &cl->pools[s];
    req_list_push(&d->sv[s].held, r, r->depth - 1u);
    take_connection(sim, d, f->ctx, r);
}

static void rds_resume(struct sim *sim, struct component *self, struct request *r)
{
    /* the database calls no one: nothing comes back to it */
    (void)sim;
    (void)self;
    (void)r;
    TS_ASSERT(0 && "a database made no call to be resumed from");
}

/* --- failover and faults ---------------------------------------------------------------------- */

static void set_no_primary(struct rds *d)
{
    d->no_primary = d->failing_over || d->primary_down;
}

/* A DB instance stops answering (a failover's old primary, a primary or a replica whose AZ
 * lost power): every connection to it drops, the proxy keeping its clients' (RDS-10), and
 * every query it holds ends with 503, in the order they came, wherever it is (waiting for a
 * connection, on its way, waiting for a vCPU, on a vCPU, waiting for the standby). Whatever
 * makes new queries avoid it must be set before: a caller may send one from its answer.
 * Returns the queries ended. */
static uint32_t drop_server(struct sim *sim, struct rds *d, struct server *sv)
{
    bool px = proxied(d, sv);
    uint32_t dropped = 0;
    for (uint32_t k = 0; k < d->ncallers; k++) {
        struct pool *p = &d->callers[k]->pools[sv->idx];
        dropped += p->nwait;
        p->w_head = p->w_tail = NULL;
        p->nwait = 0;
        if (px) {
            p->idle_head = 0;
            p->idle_n = p->open;
            p->busy = 0;
            for (uint32_t i = 0; i < p->open; i++)
                p->idle[i] = sim->now;
            idle_arm(sim, p);
        } else {
            p->open = p->busy = p->idle_n = 0;
        }
    }
    if (px) {
        dropped += d->px.nwait;
        d->px.open = d->px.busy = d->px.nwait = 0;
        d->px.w_head = d->px.w_tail = NULL;
    }
    set_waiting(d, sim->now, -(int)dropped);
    sv->conns = 0;
    if (!px)
        sv->client_conns = 0;
    sv->refusing = false;
    if (sv->applying) { /* a replica's write half applied: applied again when it is back */
        sim_cancel(sim, sv->apply_ev);
        sv->apply_ev = 0;
        sv->applying = false;
    }
    sv->apply_waiting = false;
    sv->busy = 0;
    tavg_set(&sv->busy_t, sim->now, 0);
    sv->rq_head = sv->rq_tail = NULL;
    sv->rq_out = sv->rq_in;
    tavg_set(&sv->runq_t, sim->now, 0);

    uint32_t ended = 0;
    while (sv->held.head) {
        struct request *r = sv->held.head;
        req_list_remove(&sv->held, r, r->depth - 1u);
        req_top(r)->tries = 0;
        comp_cancel_pending(sim, r);
        d->errors++;
        ended++;
        comp_reply(sim, r, REQ_E503);
    }
    return ended;
}

static void on_failover_end(struct sim *sim, void *ctx, uint64_t arg)
{
    (void)arg;
    struct rds *d = ctx;
    int old = d->sv[0].az;
    d->sv[0].az = d->standby_az;
    d->standby_az = old;
    d->failing_over = false;
    /* the new standby is made in the old primary's AZ: not while that AZ is down (AZ-3) */
    d->standby_lost = d->az_down[d->standby_az];
    /* the standby's own AZ went down during the failover: nothing to promote */
    d->primary_down = d->az_down[d->sv[0].az];
    set_no_primary(d);
    if (d->primary_down)
        sim_log(sim, d->comp.name, "primary_down",
                "%s: the failover ends on the standby in %s, whose AZ is down: no primary "
                "until it has power again",
                d->cause, d->azs[d->sv[0].az]);
    else if (d->standby_lost)
        sim_log(sim, d->comp.name, "failover_end",
                "%s: the standby in %s is the primary; no standby until %s is back (RDS-1, "
                "AZ-3)",
                d->cause, d->azs[d->sv[0].az], d->azs[d->standby_az]);
    else
        sim_log(sim, d->comp.name, "failover_end",
                "%s: the standby in %s is the primary; the new standby is in %s (RDS-1)",
                d->cause, d->azs[d->sv[0].az], d->azs[d->standby_az]);
}

int rds_failover(struct sim *sim, struct rds *d, const char *cause)
{
    const struct rds_config *c = d->cfg;
    if (!c->multi_az || d->failing_over || d->standby_lost || d->primary_down)
        return TS_EINVAL;
    struct server *sv = &d->sv[0];
    double dur = dist_sample(&c->failover_time, d->rng_failover);
    snprintf(d->cause, sizeof d->cause, "%s", cause);
    d->failing_over = true;
    set_no_primary(d);
    d->failovers++;
    sim_log(sim, d->comp.name, "failover",
            "%s: the primary in %s fails over to the standby in %s for %.1f s (RDS-1); %u "
            "queries in progress end with 503",
            cause, d->azs[sv->az], d->azs[d->standby_az], dur, sv->held.n);
    drop_server(sim, d, sv);
    sim_after(sim, sim_ns(dur), on_failover_end, d, 0);
    return 0;
}

bool rds_primary_up(const struct rds *d)
{
    return !d->no_primary;
}

static void on_recovered(struct sim *sim, void *ctx, uint64_t arg)
{
    (void)arg;
    struct rds *d = ctx;
    d->recover_ev = 0;
    d->primary_down = false;
    set_no_primary(d);
    sim_log(sim, d->comp.name, "primary_up", "%s: the primary in %s serves again", d->cause,
            d->azs[d->sv[0].az]);
}

/* FAULT_FAILOVER: a forced failover (RDS-2), when there is a standby to take over. */
static uint32_t fault_failover(struct sim *sim, struct rds *d, const char *cause)
{
    const char *why = !d->cfg->multi_az ? "a Single-AZ database has no standby"
                      : d->failing_over ? "a failover is already under way"
                      : d->primary_down ? "the primary is down"
                      : d->standby_lost ? "the standby is lost (its AZ is down)"
                                        : NULL;
    if (why) {
        sim_log(sim, d->comp.name, "failover_refused", "%s: no failover: %s", cause, why);
        return 0;
    }
    rds_failover(sim, d, cause);
    return 1;
}

/* FAULT_AZ_DOWN: every DB instance in the AZ loses power (AZ-6). Returns those struck. */
static uint32_t fault_az_down(struct sim *sim, struct rds *d, int az, const char *cause)
{
    const struct rds_config *c = d->cfg;
    uint32_t struck = 0;
    d->az_down[az] = true;
    /* read replicas stop; reads go to the others, or to the primary (RDS-8) */
    for (uint32_t i = 1; i < d->nsv; i++) {
        struct server *sv = &d->sv[i];
        if (sv->az != az || sv->down)
            continue;
        sv->down = true;
        sv->down_since = sim->now;
        d->replicas_down++;
        uint32_t n = drop_server(sim, d, sv);
        sim_log(sim, d->comp.name, "replica_down",
                "%s: %s in %s stops; %u queries in progress end with 503, its reads go to %s",
                cause, sv->name, d->azs[az], n,
                d->replicas_down < d->nsv - 1u ? "the other replicas" : "the primary");
        struck++;
    }
    /* the standby: the primary goes on alone, its writes no longer wait for it */
    if (c->multi_az && d->standby_az == az && !d->standby_lost) {
        d->standby_lost = true;
        struck++;
        sim_log(sim, d->comp.name, "standby_lost",
                d->failing_over
                    ? "%s: the standby in %s, being promoted, loses power"
                    : "%s: the standby in %s loses power; the primary serves alone, writes "
                      "commit without its acknowledgement, and no failover is possible until "
                      "it is back",
                cause, d->azs[az]);
    }
    /* the primary: fails over to its standby (RDS-1, AZ-3), or is down */
    struct server *pr = &d->sv[0];
    if (pr->az == az && !d->failing_over) {
        snprintf(d->cause, sizeof d->cause, "%s", cause);
        if (d->primary_down) {
            if (d->recover_ev) { /* power lost again during its recovery */
                sim_cancel(sim, d->recover_ev);
                d->recover_ev = 0;
                sim_log(sim, d->comp.name, "primary_down",
                        "%s: the primary in %s, recovering, loses power again", cause,
                        d->azs[az]);
                struck++;
            }
        } else if (c->multi_az && !d->standby_lost) {
            rds_failover(sim, d, cause);
            struck++;
        } else {
            d->primary_down = true;
            set_no_primary(d);
            uint32_t n = drop_server(sim, d, pr);
            sim_log(sim, d->comp.name, "primary_down",
                    "%s: the primary in %s loses power, %s; %u queries in progress end with "
                    "503, and every query to it fails until its AZ is back and it has "
                    "recovered",
                    cause, d->azs[az],
                    c->multi_az ? "its standby lost too" : "Single-AZ: no standby", n);
            struck++;
        }
    }
    return struck;
}

/* FAULT_AZ_UP: the AZ has power again. Replicas start catching up; the standby is back; a
 * primary that lost power recovers (recovery_time). Returns the instances coming back. */
static uint32_t fault_az_up(struct sim *sim, struct rds *d, int az, const char *cause)
{
    const struct rds_config *c = d->cfg;
    uint32_t back = 0;
    d->az_down[az] = false;
    for (uint32_t i = 1; i < d->nsv; i++) {
        struct server *sv = &d->sv[i];
        if (sv->az != az || !sv->down)
            continue;
        sv->down = false;
        d->replicas_down--;
        sim_log(sim, d->comp.name, "replica_up",
                "%s: %s in %s is back and catches up: ReplicaLag %.1f s (RDS-8)", cause,
                sv->name, d->azs[az], sim_s(c->replica_lag_base + lag_now(sv, sim->now)));
        if (sv->aq_n && !sv->applying && !sv->apply_waiting)
            apply_want_cpu(sim, sv);
        back++;
    }
    if (c->multi_az && d->standby_lost && d->standby_az == az && !d->failing_over) {
        d->standby_lost = false;
        sim_log(sim, d->comp.name, "standby_back",
                "%s: the standby in %s is back; writes wait for it again", cause, d->azs[az]);
        back++;
    }
    if (d->primary_down && !d->recover_ev && d->sv[0].az == az) {
        snprintf(d->cause, sizeof d->cause, "%s", cause);
        sim_log(sim, d->comp.name, "primary_recovering",
                "%s: the primary in %s has power again and recovers for %.0f s", cause,
                d->azs[az], sim_s(c->recovery_time));
        d->recover_ev = sim_after(sim, c->recovery_time, on_recovered, d, 0);
        back++;
    }
    return back;
}

static uint32_t rds_fault(struct sim *sim, struct component *self, const struct fault_action *a)
{
    struct rds *d = RDS_OF(self);
    bool in_azs = a->az >= 0 && (uint32_t)a->az < d->nazs;
    switch (a->op) {
    case FAULT_FAILOVER:
        return fault_failover(sim, d, a->cause);
    case FAULT_AZ_DOWN:
        return in_azs ? fault_az_down(sim, d, a->az, a->cause) : 0;
    case FAULT_AZ_UP:
        return in_azs ? fault_az_up(sim, d, a->az, a->cause) : 0;
    case FAULT_AZ_LAUNCHES:
    case FAULT_INSTANCES:
    case FAULT_NODE:
    case FAULT_GRAY_START:
    case FAULT_GRAY_END:
    case FAULT_SHIFT_START:
    case FAULT_SHIFT_END:
        break;
    }
    return 0;
}

int rds_primary_az(const struct rds *d)
{
    return d->sv[0].az;
}

/* --- metrics ---------------------------------------------------------------------------------- */

static double rate(uint64_t now_count, uint64_t *last, int64_t span)
{
    double x = span > 0 ? (double)(now_count - *last) / sim_s(span) : TS_NAN;
    *last = now_count;
    return x;
}

static void report_ts(struct sim *sim, void *ctx, double *row, int64_t span)
{
    struct rds *d = ctx;
    const struct rds_config *cfg = d->cfg;
    struct server *pr = &d->sv[0];
    double *c = row + d->c_ts;
    double busy = tavg_area(&pr->busy_t, sim->now), runq = tavg_area(&pr->runq_t, sim->now);
    double wait = tavg_area(&d->waiting, sim->now);
    double dt = (double)span;
    c[0] = span > 0 ? 100.0 * (busy - pr->a_busy_ts) / (dt * cfg->vcpus) : TS_NAN;
    c[1] = pr->client_conns;
    c[2] = span > 0 ? (runq - pr->a_runq_ts) / dt : TS_NAN;
    c[3] = span > 0 ? (wait - d->a_wait_ts) / dt : TS_NAN;
    pr->a_busy_ts = busy;
    pr->a_runq_ts = runq;
    d->a_wait_ts = wait;
    c[4] = rate(d->reads, &d->ts_reads, span);
    c[5] = rate(d->writes, &d->ts_writes, span);
    c[6] = rate(d->errors, &d->ts_errors, span);
    c[7] = rate(d->conn_errors, &d->ts_conn_errors, span);
    uint32_t k = 8;
    if (cfg->proxy.enabled)
        c[k++] = pr->conns;
    if (cfg->multi_az)
        c[k++] = d->failing_over;
    if (d->nsv > 1) {
        int64_t lag = 0;
        double cpu = 0;
        uint32_t conns = 0;
        for (uint32_t i = 1; i < d->nsv; i++) {
            struct server *rp = &d->sv[i];
            int64_t l = lag_now(rp, sim->now);
            if (rp->lag_iv_max > l)
                l = rp->lag_iv_max;
            rp->lag_iv_max = 0;
            if (l > lag)
                lag = l;
            double a = tavg_area(&rp->busy_t, sim->now);
            cpu += a - rp->a_busy_ts;
            rp->a_busy_ts = a;
            conns += rp->conns;
        }
        c[k++] = sim_s(cfg->replica_lag_base + lag);
        c[k++] = span > 0 ? 100.0 * cpu / (dt * cfg->vcpus * (d->nsv - 1u)) : TS_NAN;
        c[k++] = conns;
    }
}

static void report_summary(struct sim *sim, void *ctx, double *row, int64_t span)
{
    struct rds *d = ctx;
    const struct rds_config *cfg = d->cfg;
    struct server *pr = &d->sv[0];
    double *c = row + d->c_sum;
    c[1] = d->peak_client;
    c[2] = (double)(d->reads - d->warm_reads);
    c[3] = (double)(d->writes - d->warm_writes);
    c[4] = (double)(d->errors - d->warm_errors);
    c[5] = (double)(d->conn_errors - d->warm_conn_errors);
    uint32_t k = 6;
    if (cfg->proxy.enabled)
        c[k++] = d->peak_proxy;
    if (cfg->multi_az)
        c[k++] = (double)(d->failovers - d->warm_failovers);
    if (d->nsv > 1) {
        int64_t lag = 0;
        for (uint32_t i = 1; i < d->nsv; i++) {
            int64_t l = lag_now(&d->sv[i], sim->now);
            if (d->sv[i].lag_run_max > l)
                l = d->sv[i].lag_run_max;
            if (l > lag)
                lag = l;
        }
        c[k++] = sim_s(cfg->replica_lag_base + lag);
    }
    if (span > 0)
        c[0] = 100.0 * (tavg_area(&pr->busy_t, sim->now) - pr->a_busy_warm) /
               ((double)span * cfg->vcpus);
}

/* The summary counts from here: levels, counts, peaks and the largest lag restart. */
static void on_warmup_end(struct sim *sim, void *ctx, uint64_t arg)
{
    (void)arg;
    struct rds *d = ctx;
    d->sv[0].a_busy_warm = tavg_area(&d->sv[0].busy_t, sim->now);
    d->warm_reads = d->reads;
    d->warm_writes = d->writes;
    d->warm_errors = d->errors;
    d->warm_conn_errors = d->conn_errors;
    d->warm_failovers = d->failovers;
    d->peak_client = d->sv[0].client_conns;
    d->peak_proxy = d->cfg->proxy.enabled ? d->sv[0].conns : 0;
    for (uint32_t i = 1; i < d->nsv; i++)
        d->sv[i].lag_run_max = lag_now(&d->sv[i], sim->now);
}

/* --- life ------------------------------------------------------------------------------------- */

static const struct component_ops rds_ops = {
    .type = "rds",
    .accept = rds_accept,
    .resume = rds_resume,
    .fault = rds_fault,
};

struct component *rds_component(struct rds *d)
{
    return &d->comp;
}

/* The AZ index of az_refs[ref] in the scenario's azs, or `def` when no AZ was given. */
static int resolve_az(const struct rds_config *c, int32_t ref, const char *const *azs,
                      uint32_t nazs, uint32_t def)
{
    if (ref < 0)
        return (int)def;
    for (uint32_t a = 0; a < nazs; a++)
        if (strcmp(azs[a], c->az_refs[ref].name) == 0)
            return (int)a;
    TS_ASSERT(0 && "an AZ of the database is not one of the scenario's (the world checks)");
    return (int)def;
}

struct rds *rds_new(struct sim *sim, const char *name, const struct rds_config *c,
                    const char *const *azs, uint32_t nazs, struct req_pool *pool)
{
    TS_ASSERT(nazs > 0);
    struct rds *d = ts_calloc(1, sizeof *d);
    d->comp.ops = &rds_ops;
    d->comp.name = name;
    d->comp.az = -1;
    d->cfg = c;
    d->azs = azs;
    d->nazs = nazs;
    d->pool = pool;
    d->rng_read = sim_rng(sim, name, "read");
    d->rng_write = sim_rng(sim, name, "write");
    d->rng_sync = sim_rng(sim, name, "sync");
    d->rng_failover = sim_rng(sim, name, "failover");
    d->rng_route = sim_rng(sim, name, "route");
    d->rng_proxy = sim_rng(sim, name, "proxy");
    d->proxy_zero_latency = c->proxy.latency.kind == DIST_CONST && c->proxy.latency.a == 0.0;
    d->px.cap = c->max_connections * c->proxy.max_connections_percent / 100u;
    if (d->px.cap == 0)
        d->px.cap = 1;

    d->az_down = ts_calloc(nazs, sizeof *d->az_down);
    d->nsv = 1u + c->nreplicas;
    d->sv = ts_calloc(d->nsv, sizeof *d->sv);
    int primary = resolve_az(c, c->primary_az_ref, azs, nazs, 0);
    uint32_t p = (uint32_t)primary;
    d->standby_az = resolve_az(c, c->standby_az_ref, azs, nazs, nazs > 1 ? (p + 1u) % nazs : p);
    for (uint32_t i = 0; i < d->nsv; i++) {
        struct server *sv = &d->sv[i];
        sv->d = d;
        sv->idx = i;
        if (i == 0) {
            sv->az = primary;
            snprintf(sv->name, sizeof sv->name, "primary");
        } else {
            sv->az = resolve_az(c, c->replica_az_ref[i - 1u], azs, nazs, (p + 1u + i) % nazs);
            snprintf(sv->name, sizeof sv->name, "replica-%u", i);
        }
    }
    return d;
}

void rds_start(struct sim *sim, struct rds *d)
{
    const char *n = d->comp.name;
    const struct rds_config *c = d->cfg;
    d->c_ts = sim_column(&sim->ts, 2, "%s.cpu_pct", n);
    sim_column(&sim->ts, 0, "%s.connections", n);
    sim_column(&sim->ts, 3, "%s.cpu_queue", n);
    sim_column(&sim->ts, 3, "%s.conn_queue", n);
    sim_column(&sim->ts, 3, "%s.reads_rps", n);
    sim_column(&sim->ts, 3, "%s.writes_rps", n);
    sim_column(&sim->ts, 3, "%s.errors_rps", n);
    sim_column(&sim->ts, 3, "%s.conn_errors_rps", n);
    if (c->proxy.enabled)
        sim_column(&sim->ts, 0, "%s.proxy_connections", n);
    if (c->multi_az)
        sim_column(&sim->ts, 0, "%s.failing_over", n);
    if (c->nreplicas) {
        sim_column(&sim->ts, 3, "%s.replica_lag_s", n);
        sim_column(&sim->ts, 2, "%s.replica_cpu_pct", n);
        sim_column(&sim->ts, 0, "%s.replica_connections", n);
    }
    sim_reporter(&sim->ts, report_ts, d);
    d->c_sum = sim_column(&sim->summary, 2, "%s.cpu_pct_mean", n);
    sim_column(&sim->summary, 0, "%s.connections_peak", n);
    sim_column(&sim->summary, 0, "%s.reads", n);
    sim_column(&sim->summary, 0, "%s.writes", n);
    sim_column(&sim->summary, 0, "%s.errors", n);
    sim_column(&sim->summary, 0, "%s.conn_errors", n);
    if (c->proxy.enabled)
        sim_column(&sim->summary, 0, "%s.proxy_connections_peak", n);
    if (c->multi_az)
        sim_column(&sim->summary, 0, "%s.failovers", n);
    if (c->nreplicas)
        sim_column(&sim->summary, 3, "%s.replica_lag_max_s", n);
    sim_reporter(&sim->summary, report_summary, d);
    for (uint32_t i = 0; i < d->nsv; i++) {
        d->sv[i].busy_t.last = sim->now;
        d->sv[i].runq_t.last = sim->now;
    }
    d->waiting.last = sim->now;
    if (sim->warmup > sim->now) /* else everything counts from the start, from zero */
        sim_at(sim, sim->warmup, on_warmup_end, d, 0);
}

void rds_free(struct rds *d)
{
    if (!d)
        return;
    for (uint32_t k = 0; k < d->ncallers; k++) {
        for (uint32_t i = 0; i < d->nsv; i++)
            free(d->callers[k]->pools[i].idle);
        free(d->callers[k]);
    }
    free(d->callers);
    free(d->hash);
    for (uint32_t i = 0; i < d->nsv; i++)
        free(d->sv[i].aq);
    free(d->sv);
    free(d->az_down);
    free(d);
}
