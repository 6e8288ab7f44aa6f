/* dynamodb.c — an Amazon DynamoDB table: a regional component that answers each read or
 * write after a latency drawn per request, unless its capacity mode throttles it (400).
 *
 * Rules (reference/aws-behavior.md, DDB-1; sources and figures in docs/models/dynamodb.md):
 * - Latency: "single-digit millisecond" in both capacity modes (DDB-1). A read that is
 *   served is answered after a draw of `read_latency` (default lognormal, mean 3 ms, sd 1 ms),
 *   a write after one of `write_latency` (mean 5 ms, sd 2 ms): UNCERTAIN modelling choices,
 *   DDB-1 giving no distribution. The table is a fleet of request routers and storage nodes
 *   in every AZ, so no queue forms: the latency does not grow with the load.
 * - Network: the table is regional (az -1). DynamoDB's endpoint has nodes in every AZ, so a
 *   request is served in its caller's AZ (comp_hop to the caller's own AZ): one same-AZ hop
 *   each way, never a cross-AZ leg.
 * - Capacity units (DDB-1's read and write units): a request asks for the units in r->arg,
 *   in half units (ddb_units_arg): a strongly consistent read of up to 4 KB is one read unit,
 *   an eventually consistent one half, a write of up to 1 KB one write unit. Reads and writes
 *   are accounted apart. A throttled request consumes nothing.
 * - PAY_PER_REQUEST (on demand, DDB-1): consumption is counted per whole second of the run.
 *   A second may consume up to min(max units, 2 x the previous peak); a request that would
 *   pass it is throttled. A new table's previous peak is 6,000 read / 2,000 write units, so
 *   that it takes 12,000 / 4,000 at once (DDB-1). The units consumed in a second become the
 *   previous peak (if higher) `peak_delay` after that second began: 30 min, DDB-1's "traffic
 *   more than double the previous peak within 30 minutes may throttle", AWS advising to
 *   spread growth past the previous peak over at least 30 minutes. The peak never falls: an
 *   on-demand table "instantly" serves any traffic level it reached before. The default
 *   maximum is the 40,000-unit per-table quota (DDB-1).
 * - PROVISIONED (DDB-1): a token bucket per type, refilled continuously at the provisioned
 *   rate (rcu, wcu per second) and holding `burst_window` (300 s) of it: up to 5 minutes of
 *   unused capacity is kept and spent when traffic exceeds the rate. It starts full (a table
 *   idle for 5 minutes before the run). A request takes its units from the bucket, or is
 *   throttled when the bucket holds fewer.
 * - The capacity is charged when the request is accepted, one network hop (0.1 ms by default)
 *   before it reaches the table; a throttled request is answered after the hop, without the
 *   latency draw (the request router refuses it).
 * Simplifications: no partitions (3,000 RCU / 1,000 WCU each, DDB-1): hot keys never
 * throttle, and reads and writes are limited apart where AWS's limits are "a linear
 * combination of both"; no adaptive capacity; a second's whole capacity may be used at its
 * start (no smoothing inside a second); burst capacity is always there (AWS: best effort);
 * no auto scaling of provisioned capacity; no transactions (twice the units: give them in
 * the step), indexes, streams, global tables or item sizes; an AZ outage leaves the table
 * serving (its `fault` op is NULL).
 * Accounting is in integers (half units; in the bucket, half units x 1e9 per second refilled
 * at 2 x rate per ns), so that a load at exactly the provisioned rate is never throttled by
 * rounding and every run gives the same answers.
 */
#include "tiersim/models/dynamodb.h"

#include "tiersim/arena.h"
#include "tiersim/scn.h"

#include <stdlib.h>
#include <string.h>

/* --- configuration --------------------------------------------------------------------------- */

static const char *const billing_names[] = {"PAY_PER_REQUEST", "PROVISIONED", NULL};
/* the keys of each mode, for a key given to the other */
static const char *const on_demand_keys[] = {
    "previous_peak_read_request_units", "previous_peak_write_request_units",
    "max_read_request_units", "max_write_request_units", "peak_delay", NULL};
static const char *const provisioned_keys[] = {"read_capacity_units", "write_capacity_units",
                                               "burst_window", NULL};

/* Keys of the other mode present in o: say whose they are (the mode's own keys are read by
 * the caller). Quiet when the mode itself is in doubt (a bad or misspelt billing_mode). */
static void other_mode_keys(struct scn_obj *o, const char *const *keys, const char *theirs,
                            const char *mine, bool quiet)
{
    for (unsigned i = 0; keys[i]; i++) {
        cJSON *k = scn_member(o, keys[i]);
        if (k && !quiet)
            scn_error(o->s, k, true,
                      "\"%s\" is for billing_mode \"%s\" (this table's is \"%s\")", keys[i],
                      theirs, mine);
    }
}

static uint32_t read_rate(struct scn_obj *o, const char *key, int64_t def)
{
    return (uint32_t)scn_int(o, key, def, 1, DYNAMODB_MAX_RATE);
}

bool dynamodb_config_from_json(struct scn_obj *o, struct dynamodb_config *c, struct arena *a)
{
    memset(c, 0, sizeof *c);
    struct scn *s = o->s;
    unsigned before = scn_error_count(s);
    c->billing_mode = (enum dynamodb_billing)scn_enum(o, "billing_mode", billing_names,
                                                       DYNAMODB_PAY_PER_REQUEST);
    bool mode_doubtful = scn_error_count(s) != before || scn_misspelt(o, "billing_mode");
    /* DDB-1: "single-digit millisecond"; no distribution given, so UNCERTAIN choices */
    dist_read(o, "read_latency", "{\"dist\": \"lognormal\", \"mean\": \"3ms\", \"sd\": \"1ms\"}",
              &c->read_latency, a);
    dist_read(o, "write_latency", "{\"dist\": \"lognormal\", \"mean\": \"5ms\", \"sd\": \"2ms\"}",
              &c->write_latency, a);
    if (c->billing_mode == DYNAMODB_PROVISIONED) {
        int64_t v = 1;
        if (scn_int_req(o, "read_capacity_units", 1, DYNAMODB_MAX_RATE, &v))
            c->rcu = (uint32_t)v;
        v = 1;
        if (scn_int_req(o, "write_capacity_units", 1, DYNAMODB_MAX_RATE, &v))
            c->wcu = (uint32_t)v;
        if (!c->rcu)
            c->rcu = 1; /* reported missing or bad: a neutral value */
        if (!c->wcu)
            c->wcu = 1;
        /* DDB-1: up to 5 minutes of unused capacity kept */
        c->burst = scn_dur(o, "burst_window", 300, SCN_IN(1, 3600));
        other_mode_keys(o, on_demand_keys, "PAY_PER_REQUEST", "PROVISIONED", mode_doubtful);
    } else {
        /* DDB-1: a new table takes 12,000 read or 4,000 write units at once: double a
         * previous peak of 6,000 and 2,000 */
        c->peak_read = read_rate(o, "previous_peak_read_request_units", 6000);
        c->peak_write = read_rate(o, "previous_peak_write_request_units", 2000);
        /* DDB-1: the per-table quota of 40,000 read and write units */
        c->max_read = read_rate(o, "max_read_request_units", 40000);
        c->max_write = read_rate(o, "max_write_request_units", 40000);
        /* DDB-1: more than double the previous peak within 30 minutes may throttle */
        int64_t delay = scn_dur(o, "peak_delay", 1800, SCN_IN(1, 86400));
        if (delay % SIM_NS_PER_S)
            scn_error(s, scn_member(o, "peak_delay"), false,
                      "must be a whole number of seconds (consumption is counted per second), "
                      "got %.10g s",
                      sim_s(delay));
        c->peak_delay_s = (uint32_t)(delay / SIM_NS_PER_S);
        if (c->peak_delay_s < 1)
            c->peak_delay_s = 1;
        other_mode_keys(o, provisioned_keys, "PROVISIONED", "PAY_PER_REQUEST", mode_doubtful);
    }
    return scn_error_count(s) == before;
}

void dynamodb_config_release(struct dynamodb_config *c)
{
    dist_release(&c->read_latency);
    dist_release(&c->write_latency);
}

/* --- state ------------------------------------------------------------------------------------ */

/* One operation type's capacity and counts (all capacity in half units). */
struct lane {
    /* PAY_PER_REQUEST */
    uint64_t *ring; /* [peak_delay_s]: units consumed in second k at ring[k % peak_delay_s],
                       for the last peak_delay_s seconds (not yet part of the peak) */
    uint64_t peak;  /* the previous peak: units per second */
    uint64_t max;   /* most units per second */
    /* PROVISIONED: tokens are half units x 1e9, refilled at `rate` per ns */
    int64_t tokens, cap, rate;
    int64_t refilled; /* ns, when the bucket was last refilled */
    /* counts since the start */
    uint64_t requests, throttles, consumed;
};

/* The counts of both lanes at one instant (a row, the end of the warm-up). */
struct snap {
    uint64_t requests[2], throttles[2], consumed[2];
};

struct dynamodb {
    struct component comp; /* first: a request's frame names the table */
    const struct dynamodb_config *cfg;
    gsl_rng *rng_latency;
    struct lane lane[2];   /* [0] reads, [1] writes */
    int64_t sec;           /* the second (of the run) the rings are at */
    struct snap at_row, at_warm;
    uint32_t c_ts, c_sum;
};

/* --- capacity --------------------------------------------------------------------------------- */

/* On demand: move the rings to the second of `now`. The consumption of second k joins the
 * previous peak when second k + delay begins. */
static void advance(struct dynamodb *t, int64_t now)
{
    int64_t s = now / SIM_NS_PER_S;
    if (s <= t->sec)
        return;
    uint32_t d = t->cfg->peak_delay_s;
    for (int w = 0; w < 2; w++) {
        struct lane *l = &t->lane[w];
        if (s - t->sec >= (int64_t)d) { /* every second in the ring has matured */
            for (uint32_t i = 0; i < d; i++) {
                if (l->ring[i] > l->peak)
                    l->peak = l->ring[i];
                l->ring[i] = 0;
            }
            continue;
        }
        for (int64_t k = t->sec + 1; k <= s; k++) {
            uint64_t *slot = &l->ring[(uint64_t)k % d]; /* second k - d's, now k's */
            if (*slot > l->peak)
                l->peak = *slot;
            *slot = 0;
        }
    }
    t->sec = s;
}

static uint64_t ceiling(const struct lane *l)
{
    uint64_t c = 2u * l->peak;
    return c < l->max ? c : l->max;
}

/* Provisioned: refill the bucket up to `now`. */
static void refill(struct lane *l, int64_t now)
{
    int64_t dt = now - l->refilled;
    l->refilled = now;
    if (dt <= 0)
        return;
    /* (cap - tokens) / rate ns fill it: no product that could overflow */
    if (dt >= (l->cap - l->tokens) / l->rate + 1)
        l->tokens = l->cap;
    else
        l->tokens += dt * l->rate;
}

/* Take `units` (half units) of lane w's capacity now, or say it cannot be had. */
static bool take(struct dynamodb *t, int w, uint64_t units, int64_t now)
{
    struct lane *l = &t->lane[w];
    if (t->cfg->billing_mode == DYNAMODB_PAY_PER_REQUEST) {
        advance(t, now);
        uint64_t *used = &l->ring[(uint64_t)t->sec % t->cfg->peak_delay_s];
        if (*used + units > ceiling(l))
            return false;
        *used += units;
        return true;
    }
    refill(l, now);
    int64_t need = (int64_t)units * SIM_NS_PER_S;
    if (l->tokens < need)
        return false;
    l->tokens -= need;
    return true;
}

double dynamodb_ceiling(struct dynamodb *t, int64_t now, bool write)
{
    if (t->cfg->billing_mode != DYNAMODB_PAY_PER_REQUEST)
        return TS_NAN;
    advance(t, now);
    return (double)ceiling(&t->lane[write]) / 2.0;
}

double dynamodb_burst_left(struct dynamodb *t, int64_t now, bool write)
{
    if (t->cfg->billing_mode != DYNAMODB_PROVISIONED)
        return TS_NAN;
    struct lane *l = &t->lane[write];
    refill(l, now);
    return (double)l->tokens / (2.0 * (double)SIM_NS_PER_S);
}

/* --- serving ---------------------------------------------------------------------------------- */

static void dynamodb_accept(struct sim *sim, struct component *self, struct request *r)
{
    struct dynamodb *t = (struct dynamodb *)self;
    int w = -1;
    switch ((enum req_op)r->op) {
    case OP_DDB_READ:
        w = 0;
        break;
    case OP_DDB_WRITE:
        w = 1;
        break;
    case OP_HTTP: /* a scenario that sends a web request, or a query, to a table */
    case OP_CACHE_GET:
    case OP_CACHE_SET:
    case OP_DB_READ:
    case OP_DB_WRITE:
    case OP_EVENT:
        comp_reply(sim, r, REQ_E500); /* a caller's mistake: the world never wires one */
        return;
    }
    TS_ASSERT(w >= 0); /* r->op is one of enum req_op */
    TS_ASSERT(r->arg <= 2u * DDB_MAX_UNITS); /* ddb_units_arg of at most DDB_MAX_UNITS */
    /* served in the caller's own AZ: DynamoDB's endpoint is in every AZ */
    int64_t hop = comp_hop(r, r->stack[r->depth - 2u].az);
    struct lane *l = &t->lane[w];
    l->requests++;
    if (!take(t, w, r->arg, sim->now)) {
        l->throttles++;
        comp_reply_at(sim, r, REQ_E400, sim->now + hop);
        return;
    }
    l->consumed += r->arg;
    const struct dist *d = w ? &t->cfg->write_latency : &t->cfg->read_latency;
    comp_reply_at(sim, r, REQ_OK, sim->now + hop + sim_ns(dist_sample(d, t->rng_latency)));
}

static void dynamodb_resume(struct sim *sim, struct component *self, struct request *r)
{
    /* a table calls nobody: nothing can come back to it */
    (void)sim;
    (void)self;
    (void)r;
    TS_ASSERT(0 && "a table made no call to be resumed from");
}

static const struct component_ops dynamodb_ops = {
    .type = "dynamodb",
    .accept = dynamodb_accept,
    .resume = dynamodb_resume,
};

/* --- metrics ---------------------------------------------------------------------------------- */

static void take_snap(const struct dynamodb *t, struct snap *s)
{
    for (int w = 0; w < 2; w++) {
        s->requests[w] = t->lane[w].requests;
        s->throttles[w] = t->lane[w].throttles;
        s->consumed[w] = t->lane[w].consumed;
    }
}

static void report_ts(struct sim *sim, void *ctx, double *row, int64_t span)
{
    struct dynamodb *t = ctx;
    struct snap now;
    take_snap(t, &now);
    const struct snap *was = &t->at_row;
    double s = sim_s(span);
    double *c = row + t->c_ts;
    c[0] = (double)(now.requests[0] - was->requests[0] + now.requests[1] - was->requests[1]) / s;
    for (int w = 0; w < 2; w++) {
        c[1 + w] = (double)(now.consumed[w] - was->consumed[w]) / 2.0 / s;
        c[3 + w] = (double)(now.throttles[w] - was->throttles[w]) / s;
        c[5 + w] = dynamodb_ceiling(t, sim->now, w);
        c[7 + w] = dynamodb_burst_left(t, sim->now, w);
    }
    t->at_row = now;
}

static void report_summary(struct sim *sim, void *ctx, double *row, int64_t span)
{
    (void)sim;
    (void)span;
    struct dynamodb *t = ctx;
    struct snap now;
    take_snap(t, &now);
    const struct snap *w = &t->at_warm;
    double *c = row + t->c_sum;
    for (int k = 0; k < 2; k++) {
        c[k] = (double)(now.requests[k] - w->requests[k]);
        c[2 + k] = (double)(now.throttles[k] - w->throttles[k]);
        c[4 + k] = (double)(now.consumed[k] - w->consumed[k]) / 2.0;
    }
}

static void on_warmup_end(struct sim *sim, void *ctx, uint64_t arg)
{
    (void)sim;
    (void)arg;
    struct dynamodb *t = ctx;
    take_snap(t, &t->at_warm);
}

/* --- life ------------------------------------------------------------------------------------- */

void dynamodb_consumed(const struct dynamodb *t, double *read_units, double *write_units)
{
    /* the lanes count half units (ddb_units_arg) */
    *read_units = (double)t->lane[0].consumed / 2.0;
    *write_units = (double)t->lane[1].consumed / 2.0;
}

struct component *dynamodb_component(struct dynamodb *t)
{
    return &t->comp;
}

struct dynamodb *dynamodb_new(struct sim *sim, const char *name, const struct dynamodb_config *c)
{
    struct dynamodb *t = ts_calloc(1, sizeof *t);
    t->comp.ops = &dynamodb_ops;
    t->comp.name = name;
    t->comp.az = -1;
    t->cfg = c;
    t->rng_latency = sim_rng(sim, name, "latency");
    if (c->billing_mode == DYNAMODB_PAY_PER_REQUEST) {
        TS_ASSERT(c->peak_delay_s >= 1);
        const uint32_t peak[2] = {c->peak_read, c->peak_write}, max[2] = {c->max_read,
                                                                         c->max_write};
        for (int w = 0; w < 2; w++) {
            t->lane[w].ring = ts_calloc(c->peak_delay_s, sizeof *t->lane[w].ring);
            t->lane[w].peak = 2u * (uint64_t)peak[w];
            t->lane[w].max = 2u * (uint64_t)max[w];
        }
    } else {
        TS_ASSERT(c->rcu >= 1 && c->wcu >= 1 && c->rcu <= DYNAMODB_MAX_RATE &&
                  c->wcu <= DYNAMODB_MAX_RATE && c->burst >= SIM_NS_PER_S &&
                  c->burst <= 3600 * SIM_NS_PER_S);
        const uint32_t rate[2] = {c->rcu, c->wcu};
        for (int w = 0; w < 2; w++) {
            struct lane *l = &t->lane[w];
            l->rate = 2 * (int64_t)rate[w]; /* half units x 1e9 per ns */
            l->cap = l->rate * c->burst;    /* at most 2e6 x 3.6e12: fits */
            l->tokens = l->cap;
        }
    }
    return t;
}

void dynamodb_start(struct sim *sim, struct dynamodb *t)
{
    const char *n = t->comp.name;
    const struct dynamodb_config *c = t->cfg;
    t->c_ts = sim_column(&sim->ts, 3, "%s.requests_rps", n);
    sim_column(&sim->ts, 3, "%s.consumed_rcu_ps", n);
    sim_column(&sim->ts, 3, "%s.consumed_wcu_ps", n);
    sim_column(&sim->ts, 3, "%s.read_throttles_rps", n);
    sim_column(&sim->ts, 3, "%s.write_throttles_rps", n);
    sim_column(&sim->ts, 1, "%s.read_ceiling_rcu_ps", n);
    sim_column(&sim->ts, 1, "%s.write_ceiling_wcu_ps", n);
    sim_column(&sim->ts, 1, "%s.read_burst_rcu", n);
    sim_column(&sim->ts, 1, "%s.write_burst_wcu", n);
    sim_reporter(&sim->ts, report_ts, t);
    t->c_sum = sim_column(&sim->summary, 0, "%s.reads", n);
    sim_column(&sim->summary, 0, "%s.writes", n);
    sim_column(&sim->summary, 0, "%s.read_throttles", n);
    sim_column(&sim->summary, 0, "%s.write_throttles", n);
    sim_column(&sim->summary, 1, "%s.consumed_rcu", n);
    sim_column(&sim->summary, 1, "%s.consumed_wcu", n);
    sim_reporter(&sim->summary, report_summary, t);
    if (c->billing_mode == DYNAMODB_PAY_PER_REQUEST)
        sim_log(sim, n, "capacity",
                "PAY_PER_REQUEST: previous peak %u read and %u write units per second, so %llu "
                "and %llu at once (DDB-1); a second's consumption counts as the peak %u s "
                "later; at most %u and %u per second",
                c->peak_read, c->peak_write, (unsigned long long)ceiling(&t->lane[0]) / 2u,
                (unsigned long long)ceiling(&t->lane[1]) / 2u, c->peak_delay_s, c->max_read,
                c->max_write);
    else
        sim_log(sim, n, "capacity",
                "PROVISIONED: %u read and %u write capacity units per second; up to %.0f s of "
                "unused capacity kept as burst capacity (DDB-1), full at the start",
                c->rcu, c->wcu, sim_s(c->burst));
    sim_at(sim, sim->warmup, on_warmup_end, t, 0);
}

void dynamodb_free(struct dynamodb *t)
{
    if (!t)
        return;
    for (int w = 0; w < 2; w++)
        free(t->lane[w].ring);
    free(t);
}
