/* alb.c — an Application Load Balancer: per-AZ nodes, one target group, health checks,
 * routing algorithms, slow start, deregistration and the errors ALB returns.
 *
 * Rules (reference/aws-behavior.md):
 * - One node per enabled AZ (ALB-1). Clients' DNS spreads requests over the nodes whose
 *   addresses are published, uniformly (ALB-2). With cross-zone load balancing on (the
 *   default, ALB-3) every node routes to every healthy target; off, a node routes only to
 *   targets in its own AZ, and a node whose AZ has no healthy target is taken out of DNS
 *   while another AZ has one (ALB-10, ALB-11); a node whose AZ has no target at all stays
 *   in DNS and answers 503. Targets in an AZ where the ALB has no node get nothing and are
 *   counted in no state and no metric: AWS calls them unused (ALB-1).
 * - Algorithms (ALB-4): round_robin (default) walks the node's targets in turn;
 *   least_outstanding_requests picks the target with the fewest requests in flight from this
 *   ALB (ties at random); weighted_random picks at random with the targets' weights; random
 *   picks uniformly (tiersim's, for validation against independent queues). Weights are 1
 *   except during slow start.
 * - Health checks (ALB-6, ALB-7): every `interval`, a check request goes through the target
 *   like any request (it needs a worker slot; it does no CPU work) and passes if answered
 *   200 within `timeout`. A target turns healthy after `healthy_threshold` passes in a row
 *   and unhealthy after `unhealthy_threshold` failures in a row. A new target starts in
 *   `initial` and gets traffic only after `initial_threshold` passes (ALB-8); the first check
 *   is made at registration. Draining targets are not checked.
 * - Fail-open (ALB-9): with no healthy target anywhere, requests go to every unhealthy
 *   target. Targets in their initial checks get no traffic either way: a group starting from
 *   nothing answers 503 until its first target passes.
 * - Slow start (ALB-12): a target that turns healthy while another healthy target is not in
 *   slow start gets a weight rising linearly from 0 to 1 over `slow_start`. With round robin
 *   the weights are followed by smooth weighted round robin.
 * - Deregistration (ALB-13): a deregistered target gets no new request; it is reported
 *   drained when its last request from this ALB ends, or when `deregistration_delay` is
 *   over, whichever is first. The group then stops the instance; what still runs on it
 *   fails with 502.
 * - Errors (ALB-15): 503 when the node has no target to route to (none registered, or none
 *   in its AZ with cross-zone off); 504 when a target has not answered within
 *   `idle_timeout` (the target keeps working on the abandoned request); 502 when a target
 *   is stopped with the request on it. A target's own answers pass through unchanged.
 * - Faults (docs/models/alb.md, "Faults"). A target that is `down` (its instance lost power)
 *   cannot be connected to: a request routed to it gets 504 after the 10 s connect timeout
 *   (ALB-14, ALB-15) and never reaches it; its health checks time out, so it turns
 *   unhealthy after `unhealthy_threshold` checks (ALB-6, ALB-7) and fail-open still holds
 *   (ALB-9). An AZ outage kills the AZ's node (AZ-2, AZ-6): requests in flight through it
 *   end as a lost connection (REQ_TIMEOUT, at once); ELB takes its address out of DNS
 *   `dns_removal_delay` later; clients that resolved it still try it until their cached
 *   answer expires (TTL 60 s, ALB-2), and each such try fails after
 *   `client_connect_timeout` as a timeout. A zonal shift (ALB-18) at once stops new requests to the AZ's targets and takes
 *   the node out of DNS; requests in progress finish. Clients' cached answers are taken to
 *   have been fetched uniformly over the last TTL, so a DNS change reaches them linearly
 *   over 60 s.
 * Simplifications: DNS changes made by health (ALB-11) take effect at once (only those of
 * faults go through clients' caches); each attempt of a client draws its cached answer and
 * its node afresh; least outstanding requests counts the whole ALB's requests on a target,
 * not one node's; no connections, TLS, rules or LCUs yet; no automatic target weights
 * (ALB-5).
 */
#include "tiersim/models/alb.h"

#include "tiersim/arena.h"
#include "tiersim/scn.h"
#include "tiersim/stats.h"

#include <stddef.h>
#include <stdlib.h>
#include <string.h>

/* Fixed times of the fault model (docs/models/alb.md, "Faults"). */
#define DNS_TTL                (60 * SIM_NS_PER_S) /* the ALB's DNS answers (ALB-2) */
#define TARGET_CONNECT_TIMEOUT (10 * SIM_NS_PER_S) /* from the ALB to a target (ALB-14) */

/* --- configuration ----------------------------------------------------------------------- */

static const char *const algorithm_names[] = {"round_robin", "least_outstanding_requests",
                                              "weighted_random", "random", NULL};

bool alb_config_from_json(struct scn_obj *o, struct alb_config *c, struct arena *a)
{
    memset(c, 0, sizeof *c);
    struct scn *s = o->s;
    unsigned before = scn_error_count(s);
    /* one fleet, or several whose instances share the target group */
    cJSON *t = scn_member_req(o, "targets");
    if (cJSON_IsString(t) || (cJSON_IsArray(t) && cJSON_GetArraySize(t) > 0)) {
        int n = cJSON_IsArray(t) ? cJSON_GetArraySize(t) : 1;
        c->targets = arena_alloc(a, (size_t)n * sizeof *c->targets);
        c->targets_at = arena_alloc(a, (size_t)n * sizeof *c->targets_at);
        const cJSON *e = cJSON_IsArray(t) ? t->child : t;
        for (; e; e = cJSON_IsArray(t) ? e->next : NULL) {
            const char *name;
            if (scn_as_str(s, e, &name)) {
                c->targets_at[c->ntargets] = e;
                c->targets[c->ntargets++] = arena_strdup(a, name);
            }
        }
    } else if (t) {
        char what[64];
        scn_error(s, t, false, "expected a fleet's name or an array of them, got %s",
                  scn_describe(t, what, sizeof what));
    }
    c->algorithm = (enum alb_algorithm)scn_enum(o, "algorithm", algorithm_names, ALB_ROUND_ROBIN);
    c->cross_zone = scn_bool(o, "cross_zone", true);
    c->slow_start = scn_dur(o, "slow_start", 0, SCN_NONNEG);
    if (c->slow_start > 0 && (c->slow_start < scn_ns(30) || c->slow_start > scn_ns(900)))
        scn_error(s, scn_member(o, "slow_start"), false,
                  "must be 0 (off) or between 30 s and 900 s, got %.10g s",
                  sim_s(c->slow_start));
    if (c->slow_start > 0 && c->algorithm == ALB_LEAST_OUTSTANDING)
        scn_error(s, scn_member(o, "slow_start"), false,
                  "slow start cannot be combined with least_outstanding_requests (ALB-4)");
    c->deregistration_delay = scn_dur(o, "deregistration_delay", 300, SCN_IN(0, 3600));
    c->idle_timeout = scn_dur(o, "idle_timeout", 60, SCN_IN(1, 4000));
    /* From a node's failure to ELB taking its address out of DNS. AWS publishes no figure:
     * tiersim's choice, three missed probes 10 s apart (UNCERTAIN). */
    c->dns_removal_delay = scn_dur(o, "dns_removal_delay", 30, SCN_IN(0, 3600));
    /* How long a client tries to connect to a node that does not answer before it gives up.
     * tiersim's choice: the ALB's own connect timeout (ALB-14), also the AWS SDK for Java
     * 1.x's default (UNCERTAIN: clients differ, from 2 s to minutes). */
    c->client_connect_timeout = scn_dur(o, "client_connect_timeout", 10, SCN_IN(0.001, 3600));
    dist_read(o, "latency", "{\"dist\": \"lognormal\", \"mean\": 0.001, \"sd\": 0.0005}",
              &c->latency, a);

    struct scn_obj hc;
    scn_open_member(o, "health_check", false, &hc);
    bool timeout_given = scn_member(&hc, "timeout") != NULL;
    c->hc.interval = scn_dur(&hc, "interval", 30, SCN_IN(5, 300));
    c->hc.timeout = scn_dur(&hc, "timeout", 5, SCN_IN(2, 120));
    c->hc.healthy_threshold = (uint32_t)scn_int(&hc, "healthy_threshold_count", 5, 2, 10);
    c->hc.unhealthy_threshold = (uint32_t)scn_int(&hc, "unhealthy_threshold_count", 2, 2, 10);
    c->hc.initial_threshold =
        (uint32_t)scn_int(&hc, "initial_threshold_count", c->hc.healthy_threshold, 1, 10);
    /* the mistake is where the user wrote something: the timeout, or else the interval */
    if (c->hc.timeout >= c->hc.interval && timeout_given)
        scn_error(s, scn_member(&hc, "timeout"), false,
                  "must be shorter than the interval (%.10g s), got %.10g s",
                  sim_s(c->hc.interval), sim_s(c->hc.timeout));
    else if (c->hc.timeout >= c->hc.interval)
        scn_error(s, scn_member(&hc, "interval"), false,
                  "must be longer than the timeout (%.10g s, the default), got %.10g s",
                  sim_s(c->hc.timeout), sim_s(c->hc.interval));
    scn_close(&hc);

    c->azs_at = scn_az_names(o, "azs", &c->azs, &c->nazs, a);
    /* LCU metering (ALB-19) for the cost model: tiersim sees requests, not connections or
     * bytes. Choices: every request opens a new connection (clients without keep-alive: the
     * dearer end), and carries a fleet's default request and response (2 KiB + 16 KiB). */
    c->new_connections_per_request = scn_num(o, "new_connections_per_request", 1, SCN_NONNEG);
    c->processed_bytes_per_request =
        scn_num(o, "processed_bytes_per_request", 18432, SCN_NONNEG);
    return scn_error_count(s) == before;
}

void alb_config_release(struct alb_config *c)
{
    dist_release(&c->latency);
}

/* --- state ---------------------------------------------------------------------------------- */

enum tstate { T_FREE, T_INITIAL, T_HEALTHY, T_UNHEALTHY, T_DRAINING };
static const char *const tstate_names[] = {"free", "initial", "healthy", "unhealthy",
                                           "draining"};

struct alb;

/* One of the groups whose instances are targets: its listener knows which group it is. */
struct alb_group {
    struct alb *b;
    struct component *group;
    struct target_listener listener;
};

struct target {
    struct component *c;
    struct alb_group *g;   /* the group it belongs to */
    uint64_t tid;          /* registration serial: a check's reply knows its target */
    enum tstate state;
    uint32_t outstanding;  /* requests from this ALB on the target now */
    uint32_t passes, fails; /* consecutive check results */
    int64_t slow_until;    /* ns; slow start ramps up to here (0: no slow start) */
    evq_handle check_ev, drain_ev;
    drained_fn done;
    void *done_ctx;
    bool drained; /* done called; the slot frees when outstanding reaches 0 */
    double swrr;  /* smooth weighted round robin's running weight */
};

/* A change of a node's address in DNS by a fault, which clients learn as their cached
 * answers expire. */
struct dns_change {
    int64_t t; /* ns */
    bool in;   /* published from t on */
};

struct node {
    int az;        /* index into the scenario's AZs */
    bool in_dns;   /* clients send requests here (health, ALB-11: at once) */
    uint32_t rr;   /* next position for round robin */
    uint32_t *cand; /* the targets it may route to now */
    uint32_t ncand, cand_cap;
    /* faults */
    bool dead;       /* its AZ lost power: it answers nothing (AZ-6) */
    bool dead_known; /* ELB noticed: its address is out of DNS */
    uint32_t shifts; /* zonal shifts of its AZ in force (ALB-18) */
    evq_handle detect_ev;
    bool dns_base;   /* published by the fault logic before chg[0] (or now, without chg) */
    struct dns_change *chg; /* changes within the last TTL, oldest first */
    uint32_t nchg, chg_cap;
    char cause[96];  /* of the fault that killed it, for the DNS removal's log row */
};

/* A zonal shift in force (FAULT_SHIFT_START until its END). */
struct shift {
    uint32_t id;
    int az;
};

/* Status counts: ok, 500 (a target's, passed through), 502, 503, 504. */
enum { S_OK, S_500, S_502, S_503, S_504, NS };

struct alb {
    struct component comp;   /* the load balancer */
    struct component prober; /* bottom frame of its health check requests */
    struct component sink;   /* takes over requests it stopped waiting for (504) */
    const struct alb_config *cfg;
    const char *const *scenario_azs;
    struct req_pool *pool;
    struct alb_group *groups;
    uint32_t ngroups;

    struct target *t;
    uint32_t nt, cap;
    uint64_t next_tid;
    struct node *nodes;
    uint32_t nnodes;
    bool fail_open;
    bool slow_any; /* some target is in slow start: weights matter */

    gsl_rng *rng_route, *rng_latency, *rng_dns, *rng_health;
    bool zero_latency;

    /* faults: a node dead or out of DNS, or a change of DNS clients may not all know yet:
     * requests pick their node through pick_node_cached (the fast path tests only this) */
    bool faulted;
    gsl_rng *rng_cache; /* a client's cache age; created at the first fault */
    evq_handle settle_ev;
    struct shift *shifts;
    uint32_t nshifts, shifts_cap;

    struct req_list inflight; /* forwarded requests, oldest first, for the idle timeout */
    evq_handle idle_ev;

    /* counters, cumulative: timeseries and CloudWatch keep their own last values */
    uint64_t requests, status[NS], elb_5xx, target_5xx;
    double latency_sum; /* s, of target responses */
    uint64_t latency_n;
    uint64_t iv_requests, iv_status[NS];
    uint32_t c_ts;
    /* CloudWatch: last polled values per metric */
    uint64_t cw_requests[8], cw_5xx[2], cw_lat_n;
    double cw_lat_sum;
    struct hist *cw_hist; /* TargetResponseTimeP99: only once asked for */
};

#define ALB_OF(c, member) ((struct alb *)((char *)(c)-offsetof(struct alb, member)))

/* --- candidates ------------------------------------------------------------------------------- */

static void cand_push(struct node *n, uint32_t i)
{
    if (n->ncand == n->cand_cap) {
        n->cand_cap = n->cand_cap ? n->cand_cap * 2u : 8u;
        n->cand = ts_realloc(n->cand, n->cand_cap * sizeof *n->cand);
    }
    n->cand[n->ncand++] = i;
}

/* Does the ALB have a node in AZ az (is it enabled)? Targets elsewhere get nothing (ALB-1). */
static bool az_enabled(const struct alb *b, int az)
{
    for (uint32_t k = 0; k < b->nnodes; k++)
        if (b->nodes[k].az == az)
            return true;
    return false;
}

/* A target in an AZ where the ALB has no node is "unused" in AWS's terms (Target.NotInUse):
 * it gets nothing and is counted neither healthy nor unhealthy (ALB-1). */
static bool in_use(const struct alb *b, const struct target *t)
{
    return t->state != T_FREE && t->state != T_DRAINING && az_enabled(b, t->c->az);
}

/* Is AZ az under a zonal shift (ALB-18)? */
static bool az_shifted(const struct alb *b, int az)
{
    for (uint32_t k = 0; k < b->nshifts; k++)
        if (b->shifts[k].az == az)
            return true;
    return false;
}

/* Recompute which targets each node may use, after any change of state. */
static void rebuild(struct sim *sim, struct alb *b)
{
    bool healthy_any = false, unhealthy_any = false;
    for (uint32_t i = 0; i < b->nt; i++) {
        if (b->t[i].state == T_FREE || !az_enabled(b, b->t[i].c->az))
            continue;
        healthy_any |= b->t[i].state == T_HEALTHY;
        unhealthy_any |= b->t[i].state == T_UNHEALTHY;
    }
    /* fail-open is for unhealthy targets (ALB-9); targets still in their initial checks get
     * no traffic either way */
    bool open = !healthy_any && unhealthy_any;
    if (open != b->fail_open)
        sim_log(sim, b->comp.name, open ? "fail_open" : "fail_open_end", "%s",
                open ? "no healthy target: routing to every unhealthy target (ALB-9)"
                     : "routing to healthy targets only again");
    b->fail_open = open;
    b->slow_any = false;
    for (uint32_t k = 0; k < b->nnodes; k++) {
        struct node *n = &b->nodes[k];
        n->ncand = 0;
        uint32_t healthy_here = 0, registered_here = 0, shifted = 0;
        for (uint32_t i = 0; i < b->nt; i++) {
            const struct target *t = &b->t[i];
            if (t->state == T_FREE || !az_enabled(b, t->c->az))
                continue;
            bool usable = open ? t->state == T_UNHEALTHY : t->state == T_HEALTHY;
            bool here = b->cfg->cross_zone || t->c->az == n->az;
            /* a zonal shift: no new request to the AZ's targets (ALB-18); with cross-zone off
             * its own node, which clients leave over the TTL, still uses them: they are all
             * it has */
            bool away = b->nshifts && b->cfg->cross_zone && az_shifted(b, t->c->az);
            if (usable && here && !away)
                cand_push(n, i);
            shifted += usable && away;
            healthy_here += t->state == T_HEALTHY && t->c->az == n->az;
            registered_here += t->state != T_DRAINING && t->c->az == n->az;
            b->slow_any |= t->slow_until > sim->now && t->state == T_HEALTHY;
        }
        /* a shift that would leave a node nothing to route to is not followed there */
        if (n->ncand == 0 && shifted > 0)
            for (uint32_t i = 0; i < b->nt; i++) {
                const struct target *t = &b->t[i];
                if (t->state != T_FREE && az_enabled(b, t->c->az) &&
                    (open ? t->state == T_UNHEALTHY : t->state == T_HEALTHY))
                    cand_push(n, i);
            }
        /* cross-zone off: an AZ whose targets are all unhealthy leaves DNS while another AZ
         * has a healthy one; an AZ with no target at all stays, and answers 503 (ALB-11) */
        n->in_dns = b->cfg->cross_zone || healthy_here > 0 || registered_here == 0 ||
                    !healthy_any;
    }
}

static double weight(const struct alb *b, const struct target *t, int64_t now)
{
    if (t->slow_until <= now || b->cfg->slow_start <= 0)
        return 1.0;
    double left = (double)(t->slow_until - now) / (double)b->cfg->slow_start;
    return 1.0 - left;
}

/* The node a client's request reaches: uniformly among those in DNS. */
static struct node *pick_node(struct alb *b)
{
    uint32_t live = 0;
    for (uint32_t k = 0; k < b->nnodes; k++)
        live += b->nodes[k].in_dns;
    if (live == 0)
        return &b->nodes[0];
    uint32_t want = b->nnodes == 1 ? 0 : (uint32_t)gsl_rng_uniform_int(b->rng_dns, live);
    for (uint32_t k = 0; k < b->nnodes; k++)
        if (b->nodes[k].in_dns && want-- == 0)
            return &b->nodes[k];
    return &b->nodes[0];
}

static void on_node_unreachable(struct sim *sim, void *ctx, uint64_t arg);

/* Was node n's address published (by the fault logic) at time u? */
static bool published_at(const struct node *n, int64_t u)
{
    bool in = n->dns_base;
    for (uint32_t k = 0; k < n->nchg && n->chg[k].t <= u; k++)
        in = n->chg[k].in;
    return in;
}

/* Does a client whose cached DNS answer was fetched at u try node n? The answer held the
 * nodes published then (all of them if none was: DNS never answers with nothing, as with
 * ALB-10's "all zones unhealthy") and in DNS by health now (those changes are at once). */
static bool cached_use(const struct node *n, int64_t u, int mode)
{
    switch (mode) {
    case 0:
        return published_at(n, u) && n->in_dns;
    case 1:
        return published_at(n, u);
    default:
        return true;
    }
}

/* The node a client's request reaches while a fault is in force or recent: the client's
 * cached answer was fetched at a time uniform over the last TTL (ALB-2), so a change of DNS
 * reaches the clients linearly over the TTL; it picks uniformly among that answer's
 * nodes. The node may be dead. */
static struct node *pick_node_cached(struct sim *sim, struct alb *b)
{
    bool changes = false;
    for (uint32_t k = 0; k < b->nnodes; k++)
        changes |= b->nodes[k].nchg > 0;
    int64_t u = sim->now;
    if (changes)
        u -= (int64_t)(gsl_rng_uniform(b->rng_cache) * (double)DNS_TTL);
    for (int mode = 0; mode < 3; mode++) {
        uint32_t live = 0;
        for (uint32_t k = 0; k < b->nnodes; k++)
            live += cached_use(&b->nodes[k], u, mode);
        if (live == 0)
            continue;
        uint32_t want = live == 1 ? 0 : (uint32_t)gsl_rng_uniform_int(b->rng_dns, live);
        for (uint32_t k = 0; k < b->nnodes; k++)
            if (cached_use(&b->nodes[k], u, mode) && want-- == 0)
                return &b->nodes[k];
    }
    return &b->nodes[0];
}

/* The node of a request while a fault is in force or recent, or NULL: the client connects
 * to an address that answers nothing and gives up after its connect timeout, with no HTTP
 * status (the ALB never sees the request). Out of line: no cost on the way of every
 * request. */
static __attribute__((noinline, cold)) struct node *
pick_node_faulted(struct sim *sim, struct alb *b, struct request *r)
{
    struct node *n = pick_node_cached(sim, b);
    if (!n->dead)
        return n;
    req_top(r)->ev = sim_after(sim, b->cfg->client_connect_timeout, on_node_unreachable, b,
                               req_pack(r, r->depth - 1u));
    return NULL;
}

/* The target for the next request at node n, or -1. */
static int pick_target(struct sim *sim, struct alb *b, struct node *n)
{
    uint32_t m = n->ncand;
    if (m == 0)
        return -1;
    if (m == 1)
        return (int)n->cand[0];
    switch (b->cfg->algorithm) {
    case ALB_ROUND_ROBIN:
        if (!b->slow_any) {
            if (n->rr >= m)
                n->rr = 0;
            return (int)n->cand[n->rr++];
        } else {
            /* smooth weighted round robin (as nginx does): deterministic, follows weights */
            double total = 0;
            int best = -1;
            for (uint32_t k = 0; k < m; k++) {
                struct target *t = &b->t[n->cand[k]];
                double w = weight(b, t, sim->now);
                t->swrr += w;
                total += w;
                if (best < 0 || t->swrr > b->t[best].swrr)
                    best = (int)n->cand[k];
            }
            b->t[best].swrr -= total;
            return best;
        }
    case ALB_LEAST_OUTSTANDING: {
        uint32_t best = UINT32_MAX, ties = 0;
        int choice = -1;
        for (uint32_t k = 0; k < m; k++) {
            uint32_t o = b->t[n->cand[k]].outstanding;
            if (o < best) {
                best = o;
                ties = 1;
                choice = (int)n->cand[k];
            } else if (o == best && gsl_rng_uniform_int(b->rng_route, ++ties) == 0) {
                choice = (int)n->cand[k]; /* each tie equally likely */
            }
        }
        return choice;
    }
    case ALB_WEIGHTED_RANDOM:
    case ALB_RANDOM:
        if (!b->slow_any)
            return (int)n->cand[gsl_rng_uniform_int(b->rng_route, m)];
        else {
            double total = 0;
            for (uint32_t k = 0; k < m; k++)
                total += weight(b, &b->t[n->cand[k]], sim->now);
            double u = gsl_rng_uniform(b->rng_route) * total;
            for (uint32_t k = 0; k < m; k++) {
                u -= weight(b, &b->t[n->cand[k]], sim->now);
                if (u < 0)
                    return (int)n->cand[k];
            }
            return (int)n->cand[m - 1];
        }
    }
    return -1;
}

/* --- requests ------------------------------------------------------------------------------- */

static void count(struct alb *b, int s)
{
    b->requests++;
    b->iv_requests++;
    b->status[s]++;
    b->iv_status[s]++;
}

static void on_drain_done(struct sim *sim, void *ctx, uint64_t idx);

/* A request from this ALB on target i has ended (answered, or finished after a 504). */
static void target_done(struct sim *sim, struct alb *b, uint32_t i)
{
    struct target *t = &b->t[i];
    t->outstanding--;
    if (t->state != T_DRAINING || t->outstanding > 0)
        return;
    if (!t->drained) {
        sim_cancel(sim, t->drain_ev);
        t->drain_ev = sim_at(sim, sim->now, on_drain_done, b, i);
    } else {
        memset(t, 0, sizeof *t); /* T_FREE: the slot can take a new target */
    }
}

static void on_idle(struct sim *sim, void *ctx, uint64_t arg);
static void on_connect_timeout(struct sim *sim, void *ctx, uint64_t arg);
static void connect_fails(struct sim *sim, struct alb *b, struct request *r, int64_t delay);

/* Route r from node n, `delay` ns from now (the way to the node and the ALB's own time). */
static void forward(struct sim *sim, struct alb *b, struct request *r, struct node *n,
                    int64_t delay)
{
    int i = pick_target(sim, b, n);
    if (i < 0) {
        count(b, S_503);
        b->elb_5xx++;
        r->lag += delay; /* the answer leaves the node after the ALB's time */
        comp_reply(sim, r, REQ_E503);
        return;
    }
    struct target *t = &b->t[i];
    t->outstanding++;
    unsigned level = r->depth - 1u;
    struct frame *f = req_top(r);
    f->ctx = (void *)(uintptr_t)i;
    f->aux = sim->now;  /* the idle timeout runs from here (the list stays in this order) */
    f->aux2 = delay;    /* TargetResponseTime runs from when it leaves the ALB */
    f->pc = level;
    req_list_push(&b->inflight, r, level);
    if (!b->idle_ev)
        b->idle_ev = sim_at(sim, sim->now + b->cfg->idle_timeout, on_idle, b, 0);
    if (t->c->down) {
        connect_fails(sim, b, r, delay);
        return;
    }
    comp_call_after(sim, r, t->c, delay);
}

/* The target r was routed to is powered off: the connection cannot be made, 504 at the
 * connect timeout (ALB-14, ALB-15); the request never reaches it. Out of line: no fault, no
 * cost on the way of every request. */
static __attribute__((noinline, cold)) void connect_fails(struct sim *sim, struct alb *b,
                                                          struct request *r, int64_t delay)
{
    req_top(r)->ev = sim_after(sim, delay + TARGET_CONNECT_TIMEOUT, on_connect_timeout, b,
                               req_pack(r, r->depth - 1u));
}

/* A request the ALB could not connect to its target (down) for: 504. */
static void on_connect_timeout(struct sim *sim, void *ctx, uint64_t arg)
{
    struct alb *b = ctx;
    unsigned level;
    struct request *r = req_unpack(arg, &level);
    struct frame *f = &r->stack[level];
    TS_ASSERT(level + 1u == r->depth && f->comp == &b->comp);
    f->ev = 0;
    req_list_remove(&b->inflight, r, level);
    count(b, S_504);
    b->elb_5xx++;
    target_done(sim, b, (uint32_t)(uintptr_t)f->ctx);
    comp_reply(sim, r, REQ_E504);
}

/* A client's try to connect to a dead node has timed out: no HTTP status, a timeout. */
static void on_node_unreachable(struct sim *sim, void *ctx, uint64_t arg)
{
    (void)ctx;
    unsigned level;
    struct request *r = req_unpack(arg, &level);
    TS_ASSERT(level + 1u == r->depth);
    r->stack[level].ev = 0;
    comp_reply(sim, r, REQ_TIMEOUT);
}

/* A request reaches one of the nodes in DNS, which routes it at once; it reaches the
 * target after the caller's network latency to that node, the ALB's own latency and the
 * network from the node to the target (one event for the three). */
static void alb_accept(struct sim *sim, struct component *self, struct request *r)
{
    struct alb *b = ALB_OF(self, comp);
    struct node *n;
    if (b->faulted) {
        n = pick_node_faulted(sim, b, r);
        if (!n)
            return;
    } else {
        n = pick_node(b);
    }
    int64_t d = comp_hop(r, n->az);
    if (!b->zero_latency)
        d += sim_ns(dist_sample(&b->cfg->latency, b->rng_latency));
    forward(sim, b, r, n, d);
}

static int status_slot(uint16_t s)
{
    switch (s) {
    case REQ_OK:
        return S_OK;
    case REQ_E500:
        return S_500;
    case REQ_E502:
        return S_502;
    case REQ_E503:
        return S_503;
    default:
        return S_504;
    }
}

static void alb_resume(struct sim *sim, struct component *self, struct request *r)
{
    struct alb *b = ALB_OF(self, comp);
    struct frame *f = req_top(r);
    uint32_t i = (uint32_t)(uintptr_t)f->ctx;
    req_list_remove(&b->inflight, r, f->pc);
    if (sim->now + r->lag > f->aux + b->cfg->idle_timeout) {
        /* a relay sees the answer a network leg early (component.h): it would reach the
         * node after the idle timeout, so the client gets the 504 instead (sent now, up to
         * that leg before the timeout's instant) */
        count(b, S_504);
        b->elb_5xx++;
        target_done(sim, b, i);
        comp_reply(sim, r, REQ_E504);
        return;
    }
    double lat = sim_s(sim->now - f->aux - f->aux2);
    b->latency_sum += lat;
    b->latency_n++;
    if (b->cw_hist)
        hist_add(b->cw_hist, lat);
    int s = status_slot(r->status);
    count(b, s);
    if (s == S_502)
        b->elb_5xx++; /* a target stopped with the request on it: the ALB's 502 */
    else if (s != S_OK)
        b->target_5xx++;
    target_done(sim, b, i);
    comp_reply(sim, r, (enum req_status)r->status);
}

/* The oldest forwarded requests past the idle timeout: the client gets 504, the target goes
 * on with the work (detached to the sink). */
static void on_idle(struct sim *sim, void *ctx, uint64_t arg)
{
    (void)arg;
    struct alb *b = ctx;
    b->idle_ev = 0;
    struct request *r;
    while ((r = b->inflight.head) != NULL) {
        int64_t level = -1;
        /* the ALB's frame is where its list links are: find its level (kept in pc) */
        for (unsigned k = 0; k < r->depth; k++)
            if (r->stack[k].comp == &b->comp && r->stack[k].list == &b->inflight) {
                level = k;
                break;
            }
        TS_ASSERT(level >= 0);
        struct frame *f = &r->stack[level];
        if (f->aux + b->cfg->idle_timeout > sim->now) {
            b->idle_ev = sim_at(sim, f->aux + b->cfg->idle_timeout, on_idle, b, 0);
            return;
        }
        req_list_remove(&b->inflight, r, (unsigned)level);
        count(b, S_504);
        b->elb_5xx++;
        if ((unsigned)level + 1u == r->depth) {
            /* the target's answer is on its way back: it comes too late */
            comp_cancel_pending(sim, r);
            target_done(sim, b, (uint32_t)(uintptr_t)f->ctx);
            comp_reply(sim, r, REQ_E504);
            continue;
        }
        struct request *c = req_detach(sim, r, (unsigned)level, &b->sink);
        comp_reply(sim, c, REQ_E504);
    }
}

/* A request the ALB stopped waiting for has ended on its target. */
static void sink_resume(struct sim *sim, struct component *self, struct request *r)
{
    struct alb *b = ALB_OF(self, sink);
    target_done(sim, b, (uint32_t)(uintptr_t)req_top(r)->ctx);
    req_free(b->pool, r);
}

/* --- health checks ---------------------------------------------------------------------------- */

static void on_slow_start_end(struct sim *sim, void *ctx, uint64_t arg)
{
    (void)arg;
    rebuild(sim, ctx); /* weights back to 1 everywhere: the cheap paths again */
}

static void set_state(struct sim *sim, struct alb *b, uint32_t i, enum tstate st,
                      const char *why)
{
    struct target *t = &b->t[i];
    enum tstate old = t->state;
    t->state = st;
    if (st == T_HEALTHY) {
        /* slow start only beside a healthy target that is not itself ramping (ALB-12) */
        bool other = false;
        for (uint32_t k = 0; k < b->nt; k++)
            other |= k != i && b->t[k].state == T_HEALTHY && b->t[k].slow_until <= sim->now;
        t->slow_until = b->cfg->slow_start > 0 && other ? sim->now + b->cfg->slow_start : 0;
        t->swrr = 0;
        if (t->slow_until)
            sim_at(sim, t->slow_until, on_slow_start_end, b, 0);
    }
    sim_log(sim, b->comp.name, "target_health", "%s %s -> %s (%s)", t->c->name,
            tstate_names[old], tstate_names[st], why);
    rebuild(sim, b);
    struct component *group = t->g->group;
    if (group->ops->health_report && (st == T_HEALTHY || st == T_UNHEALTHY))
        group->ops->health_report(sim, group, t->c, st == T_HEALTHY);
}

static void check_result(struct sim *sim, struct alb *b, uint32_t i, bool pass,
                         const char *what)
{
    struct target *t = &b->t[i];
    const struct alb_health_check *hc = &b->cfg->hc;
    char why[96];
    if (pass) {
        t->passes++;
        t->fails = 0;
        uint32_t need = t->state == T_INITIAL ? hc->initial_threshold : hc->healthy_threshold;
        if (t->state != T_HEALTHY && t->passes >= need) {
            snprintf(why, sizeof why, "%u checks passed in a row", t->passes);
            set_state(sim, b, i, T_HEALTHY, why);
        }
    } else {
        t->fails++;
        t->passes = 0;
        if (t->state != T_UNHEALTHY && t->fails >= hc->unhealthy_threshold) {
            snprintf(why, sizeof why, "%u checks failed in a row, the last %s", t->fails, what);
            set_state(sim, b, i, T_UNHEALTHY, why);
        }
    }
}

static void on_check_timeout(struct sim *sim, void *ctx, uint64_t arg)
{
    struct alb *b = ctx;
    struct request *r = (struct request *)(uintptr_t)arg;
    struct frame *f = &r->stack[0];
    f->ev = 0;
    f->pc = 1; /* timed out: the reply, whenever it comes, only frees the request */
    uint32_t i = (uint32_t)(uintptr_t)f->ctx;
    bool unsent = r->depth == 1; /* its target was down: no reply will come */
    if (b->t[i].tid == (uint64_t)f->aux && b->t[i].state != T_DRAINING)
        check_result(sim, b, i, false, "timed out");
    if (unsent)
        req_free(b->pool, r);
}

static void on_check(struct sim *sim, void *ctx, uint64_t idx)
{
    struct alb *b = ctx;
    struct target *t = &b->t[idx];
    const struct alb_health_check *hc = &b->cfg->hc;
    t->check_ev = sim_after(sim, hc->interval, on_check, b, idx);
    struct request *r = req_new(b->pool);
    r->probe = 1;
    r->t_arrival = sim->now;
    r->depth = 1;
    memset(&r->stack[0], 0, sizeof r->stack[0]);
    r->stack[0].comp = &b->prober;
    r->stack[0].az = -1; /* no network latency for a check */
    r->stack[0].ctx = (void *)(uintptr_t)idx;
    r->stack[0].aux = (int64_t)t->tid;
    r->stack[0].ev = sim_after(sim, hc->timeout, on_check_timeout, b, (uint64_t)(uintptr_t)r);
    if (!t->c->down) /* a powered-off target answers nothing: the check times out */
        comp_call(sim, r, t->c);
}

static void prober_resume(struct sim *sim, struct component *self, struct request *r)
{
    struct alb *b = ALB_OF(self, prober);
    struct frame *f = &r->stack[0];
    uint32_t i = (uint32_t)(uintptr_t)f->ctx;
    if (f->pc == 0) {
        sim_cancel(sim, f->ev);
        if (b->t[i].tid == (uint64_t)f->aux && b->t[i].state != T_DRAINING) {
            char what[32];
            snprintf(what, sizeof what, "answered %u", (unsigned)r->status);
            check_result(sim, b, i, r->status == REQ_OK, what);
        }
    }
    req_free(b->pool, r);
}

/* --- registration ------------------------------------------------------------------------------- */

static void target_added(struct sim *sim, void *ctx, struct component *c, bool established)
{
    struct alb_group *g = ctx;
    struct alb *b = g->b;
    uint32_t i = 0;
    while (i < b->nt && b->t[i].state != T_FREE)
        i++;
    if (i == b->nt) {
        if (b->nt == b->cap) {
            b->cap = b->cap ? b->cap * 2u : 8u;
            b->t = ts_realloc(b->t, b->cap * sizeof *b->t);
        }
        b->nt++;
    }
    struct target *t = &b->t[i];
    memset(t, 0, sizeof *t);
    t->c = c;
    t->g = g;
    t->tid = ++b->next_tid;
    t->state = established ? T_HEALTHY : T_INITIAL;
    if (!az_enabled(b, c->az))
        sim_log(sim, b->comp.name, "register",
                "%s in %s (unused: the alb has no node in that AZ, ALB-1)", c->name,
                b->scenario_azs[c->az]);
    else if (established)
        sim_log(sim, b->comp.name, "register", "%s in %s (healthy: in service from the start)",
                c->name, b->scenario_azs[c->az]);
    else
        sim_log(sim, b->comp.name, "register", "%s in %s (initial: %u checks to pass)",
                c->name, b->scenario_azs[c->az], b->cfg->hc.initial_threshold);
    /* checks start at registration; an established target's are spread over the interval */
    int64_t first =
        established ? (int64_t)(gsl_rng_uniform(b->rng_health) * (double)b->cfg->hc.interval)
                    : 0;
    t->check_ev = sim_at(sim, sim->now + first, on_check, b, i);
    rebuild(sim, b);
}

static int find_target(const struct alb *b, const struct component *c)
{
    for (uint32_t i = 0; i < b->nt; i++)
        if (b->t[i].state != T_FREE && b->t[i].c == c)
            return (int)i;
    return -1;
}

static void on_drain_done(struct sim *sim, void *ctx, uint64_t idx)
{
    struct alb *b = ctx;
    struct target *t = &b->t[idx];
    t->drain_ev = 0;
    if (t->drained)
        return;
    t->drained = true;
    if (t->outstanding == 0)
        sim_log(sim, b->comp.name, "deregistered", "%s: no request in flight", t->c->name);
    else
        sim_log(sim, b->comp.name, "deregistered",
                "%s: deregistration delay of %.0f s over with %u requests in flight (502)",
                t->c->name, sim_s(b->cfg->deregistration_delay), t->outstanding);
    struct component *c = t->c;
    drained_fn done = t->done;
    void *done_ctx = t->done_ctx;
    if (t->outstanding == 0)
        memset(t, 0, sizeof *t);
    done(sim, done_ctx, c); /* may stop the instance: its requests come back as 502 */
}

static void target_removed(struct sim *sim, void *ctx, struct component *c, drained_fn done,
                           void *done_ctx)
{
    struct alb *b = ((struct alb_group *)ctx)->b;
    int i = find_target(b, c);
    TS_ASSERT(i >= 0);
    struct target *t = &b->t[i];
    sim_cancel(sim, t->check_ev);
    t->check_ev = 0;
    t->done = done;
    t->done_ctx = done_ctx;
    enum tstate old = t->state;
    t->state = T_DRAINING;
    sim_log(sim, b->comp.name, "deregister", "%s %s -> draining (%u requests in flight)",
            c->name, tstate_names[old], t->outstanding);
    rebuild(sim, b);
    int64_t when = t->outstanding == 0 ? sim->now : sim->now + b->cfg->deregistration_delay;
    t->drain_ev = sim_at(sim, when, on_drain_done, b, (uint64_t)i);
}

static bool target_healthy(const void *ctx, const struct component *c)
{
    const struct alb *b = ((const struct alb_group *)ctx)->b;
    int i = find_target(b, c);
    return i < 0 || b->t[i].state != T_UNHEALTHY;
}

/* --- faults ------------------------------------------------------------------------------------ */

static struct node *node_in(struct alb *b, int az)
{
    for (uint32_t k = 0; k < b->nnodes; k++)
        if (b->nodes[k].az == az)
            return &b->nodes[k];
    return NULL;
}

/* Should node n's address be in DNS, as the faults in force say? */
static bool published_now(const struct node *n)
{
    return !n->dead_known && n->shifts == 0;
}

/* Is it, as the last change made it? */
static bool published_last(const struct node *n)
{
    return n->nchg ? n->chg[n->nchg - 1].in : n->dns_base;
}

/* Requests take the slow way to a node while a node is dead or out of DNS, or a change of
 * DNS may still be in clients' caches. */
static void refresh_faulted(struct alb *b)
{
    bool f = false;
    for (uint32_t k = 0; k < b->nnodes; k++)
        f |= b->nodes[k].dead || !published_last(&b->nodes[k]) || b->nodes[k].nchg > 0;
    b->faulted = f;
}

/* Every client has fetched its answer since the last change: forget the changes. */
static void on_settle(struct sim *sim, void *ctx, uint64_t arg)
{
    (void)arg;
    struct alb *b = ctx;
    b->settle_ev = 0;
    int64_t last = INT64_MIN;
    for (uint32_t k = 0; k < b->nnodes; k++) {
        struct node *n = &b->nodes[k];
        uint32_t j = 0;
        while (j < n->nchg && n->chg[j].t <= sim->now - DNS_TTL)
            n->dns_base = n->chg[j++].in;
        if (j > 0) {
            memmove(n->chg, n->chg + j, (n->nchg - j) * sizeof *n->chg);
            n->nchg -= j;
        }
        if (n->nchg && n->chg[n->nchg - 1].t > last)
            last = n->chg[n->nchg - 1].t;
    }
    if (last != INT64_MIN)
        b->settle_ev = sim_at(sim, last + DNS_TTL, on_settle, b, 0);
    refresh_faulted(b);
}

/* Publish node n's address in DNS, or withdraw it, as the faults in force say. */
static void dns_update(struct sim *sim, struct alb *b, struct node *n)
{
    bool in = published_now(n);
    if (in != published_last(n)) {
        if (n->nchg == n->chg_cap) {
            n->chg_cap = n->chg_cap ? n->chg_cap * 2u : 4u;
            n->chg = ts_realloc(n->chg, n->chg_cap * sizeof *n->chg);
        }
        n->chg[n->nchg++] = (struct dns_change){.t = sim->now, .in = in};
        sim_cancel(sim, b->settle_ev);
        b->settle_ev = sim_at(sim, sim->now + DNS_TTL, on_settle, b, 0);
    }
    refresh_faulted(b);
}

/* The level of r's stack where this ALB's frame is in list l. */
static unsigned level_in(const struct alb *b, const struct request *r, const struct req_list *l)
{
    for (unsigned k = 0; k < r->depth; k++)
        if (r->stack[k].comp == &b->comp && r->stack[k].list == l)
            return k;
    TS_ASSERT(0 && "a request in the alb's list has no frame of the alb");
    return 0;
}

/* Node `az` has died with requests in flight through it: their clients' connections are
 * lost (REQ_TIMEOUT, at once); the targets' work goes on and its answers are dropped.
 * Returns how many. */
static uint32_t drop_node_requests(struct sim *sim, struct alb *b, int az)
{
    /* first set them apart, then answer them: an answer may bring new requests at once */
    struct req_list lost = {0};
    for (struct request *r = b->inflight.head, *next; r; r = next) {
        unsigned level = level_in(b, r, &b->inflight);
        next = r->stack[level].next;
        if (r->stack[level].az == az) {
            req_list_remove(&b->inflight, r, level);
            req_list_push(&lost, r, level);
        }
    }
    uint32_t n = lost.n;
    struct request *r;
    while ((r = lost.head) != NULL) {
        unsigned level = level_in(b, r, &lost);
        req_list_remove(&lost, r, level);
        if (level + 1u == r->depth) {
            /* still connecting to a down target */
            comp_cancel_pending(sim, r);
            target_done(sim, b, (uint32_t)(uintptr_t)r->stack[level].ctx);
            comp_reply(sim, r, REQ_TIMEOUT);
        } else {
            comp_reply(sim, req_detach(sim, r, level, &b->sink), REQ_TIMEOUT);
        }
    }
    return n;
}

static void on_node_detected(struct sim *sim, void *ctx, uint64_t k)
{
    struct alb *b = ctx;
    struct node *n = &b->nodes[k];
    n->detect_ev = 0;
    n->dead_known = true;
    dns_update(sim, b, n);
    sim_log(sim, b->comp.name, "node_out_of_dns",
            "%s: out of DNS after %.0f s without answering; clients that resolved it try it "
            "until their cached answer expires (TTL %.0f s, ALB-2) (%s)",
            b->scenario_azs[n->az], sim_s(b->cfg->dns_removal_delay), sim_s(DNS_TTL),
            n->cause);
}

/* Targets of this ALB in AZ az that take part in routing. */
static uint32_t targets_in(const struct alb *b, int az)
{
    uint32_t m = 0;
    for (uint32_t i = 0; i < b->nt; i++)
        m += in_use(b, &b->t[i]) && b->t[i].c->az == az;
    return m;
}

static uint32_t node_down(struct sim *sim, struct alb *b, const struct fault_action *a)
{
    struct node *n = node_in(b, a->az);
    if (!n || n->dead)
        return 0;
    n->dead = true; /* first: requests that answers bring at once must not reach it */
    snprintf(n->cause, sizeof n->cause, "%s", a->cause ? a->cause : "fault");
    refresh_faulted(b);
    uint32_t lost = drop_node_requests(sim, b, n->az);
    n->detect_ev =
        sim_after(sim, b->cfg->dns_removal_delay, on_node_detected, b, (uint64_t)(n - b->nodes));
    sim_log(sim, b->comp.name, "node_down",
            "%s: the node stops answering; %u request%s in flight through it lost (timeout); "
            "its targets fail their checks; out of DNS in %.0f s (%s)",
            b->scenario_azs[n->az], lost, lost == 1 ? "" : "s", sim_s(b->cfg->dns_removal_delay),
            n->cause);
    return 1;
}

static uint32_t node_up(struct sim *sim, struct alb *b, const struct fault_action *a)
{
    struct node *n = node_in(b, a->az);
    if (!n || !n->dead)
        return 0;
    n->dead = n->dead_known = false;
    sim_cancel(sim, n->detect_ev);
    n->detect_ev = 0;
    dns_update(sim, b, n);
    sim_log(sim, b->comp.name, "node_up",
            "%s: the node answers again%s (%s)", b->scenario_azs[n->az],
            published_now(n) ? " and is back in DNS; clients learn it as their cached answers "
                               "expire (TTL 60 s, ALB-2)"
                             : "; it stays out of DNS under a zonal shift",
            a->cause ? a->cause : "fault");
    return 1;
}

static uint32_t shift_start(struct sim *sim, struct alb *b, const struct fault_action *a)
{
    const char *cause = a->cause ? a->cause : "fault";
    struct node *n = node_in(b, a->az);
    if (!n) {
        sim_log(sim, b->comp.name, "zonal_shift_start", "%s: the alb has no node there (%s)",
                a->az >= 0 ? b->scenario_azs[a->az] : "no AZ", cause);
        return 0;
    }
    if (b->nshifts == b->shifts_cap) {
        b->shifts_cap = b->shifts_cap ? b->shifts_cap * 2u : 2u;
        b->shifts = ts_realloc(b->shifts, b->shifts_cap * sizeof *b->shifts);
    }
    b->shifts[b->nshifts++] = (struct shift){.id = a->id, .az = a->az};
    n->shifts++;
    rebuild(sim, b);
    dns_update(sim, b, n);
    uint32_t m = targets_in(b, n->az);
    sim_log(sim, b->comp.name, "zonal_shift_start",
            "%s: node out of DNS (clients leave it over the %.0f s TTL), no new request to its "
            "%u target%s%s; requests in progress finish (ALB-18) (%s)",
            b->scenario_azs[n->az], sim_s(DNS_TTL), m, m == 1 ? "" : "s",
            b->cfg->cross_zone ? "" : " but from the node itself (cross-zone off)", cause);
    return 1 + m;
}

static uint32_t shift_end(struct sim *sim, struct alb *b, const struct fault_action *a)
{
    uint32_t k = 0;
    while (k < b->nshifts && b->shifts[k].id != a->id)
        k++;
    if (k == b->nshifts)
        return 0;
    struct node *n = node_in(b, b->shifts[k].az);
    memmove(&b->shifts[k], &b->shifts[k + 1], (b->nshifts - k - 1u) * sizeof *b->shifts);
    b->nshifts--;
    n->shifts--;
    rebuild(sim, b);
    dns_update(sim, b, n);
    uint32_t m = targets_in(b, n->az);
    sim_log(sim, b->comp.name, "zonal_shift_end",
            "%s: %s, its %u target%s get%s new requests again (%s)", b->scenario_azs[n->az],
            published_now(n) ? "node back in DNS (clients return over the 60 s TTL)"
                             : "node still out of DNS",
            m, m == 1 ? "" : "s", m == 1 ? "s" : "", a->cause ? a->cause : "fault");
    return 1 + m;
}

/* What a fault means for the ALB (component.h): its node in a lost AZ, and zonal shifts.
 * Its targets' power is theirs (`down`, set by their fleet). */
static uint32_t alb_fault(struct sim *sim, struct component *self, const struct fault_action *a)
{
    struct alb *b = ALB_OF(self, comp);
    if (!b->rng_cache) /* created only when faults come: runs without them keep their streams */
        b->rng_cache = sim_rng(sim, b->comp.name, "dns_cache");
    switch (a->op) {
    case FAULT_AZ_DOWN:
        return node_down(sim, b, a);
    case FAULT_AZ_UP:
        return node_up(sim, b, a);
    case FAULT_SHIFT_START:
        return shift_start(sim, b, a);
    case FAULT_SHIFT_END:
        return shift_end(sim, b, a);
    case FAULT_AZ_LAUNCHES:
    case FAULT_INSTANCES:
    case FAULT_FAILOVER:
    case FAULT_NODE:
    case FAULT_GRAY_START:
    case FAULT_GRAY_END:
        return 0; /* not the ALB's: gray failures it keeps routing through, by design */
    }
    return 0;
}

/* --- metrics ---------------------------------------------------------------------------------- */

static void report_ts(struct sim *sim, void *ctx, double *row, int64_t span)
{
    (void)sim;
    struct alb *b = ctx;
    double sec = sim_s(span);
    double *c = row + b->c_ts;
    uint32_t healthy = 0, unhealthy = 0, initial = 0, draining = 0;
    for (uint32_t i = 0; i < b->nt; i++) {
        draining += b->t[i].state == T_DRAINING;
        if (!in_use(b, &b->t[i]))
            continue;
        healthy += b->t[i].state == T_HEALTHY;
        unhealthy += b->t[i].state == T_UNHEALTHY;
        initial += b->t[i].state == T_INITIAL;
    }
    c[0] = (double)b->iv_requests / sec;
    for (int s = 1; s < NS; s++)
        c[s] = (double)b->iv_status[s] / sec;
    c[NS + 0] = healthy;
    c[NS + 1] = unhealthy;
    c[NS + 2] = initial;
    c[NS + 3] = draining;
    b->iv_requests = 0;
    memset(b->iv_status, 0, sizeof b->iv_status);
}

enum {
    M_REQUEST_COUNT,
    M_REQUEST_COUNT_PER_TARGET,
    M_HEALTHY_HOST_COUNT,
    M_UNHEALTHY_HOST_COUNT,
    M_TARGET_RESPONSE_TIME,
    M_TARGET_RESPONSE_TIME_P99,
    M_ELB_5XX,
    M_TARGET_5XX,
    NMETRICS
};
const char *const alb_metric_names[NMETRICS + 1] = {
    "RequestCount",          "RequestCountPerTarget",  "HealthyHostCount",
    "UnHealthyHostCount",    "TargetResponseTime",     "TargetResponseTimeP99",
    "HTTPCode_ELB_5XX_Count", "HTTPCode_Target_5XX_Count", NULL};

int alb_metric_index(const char *name)
{
    for (int i = 0; i < NMETRICS; i++)
        if (strcmp(alb_metric_names[i], name) == 0)
            return i;
    return -1;
}

static int alb_metric_id(const struct component *self, const char *name)
{
    struct alb *b = ALB_OF(self, comp);
    int i = alb_metric_index(name);
    if (i == M_TARGET_RESPONSE_TIME_P99 && !b->cw_hist) {
        b->cw_hist = ts_calloc(1, sizeof *b->cw_hist);
        hist_init(b->cw_hist);
    }
    return i;
}

static void one(struct statset *s, double v)
{
    s->sum = s->min = s->max = v;
    s->count = 1;
}

/* ALB metrics are published only for periods with requests (TT-2): an idle period is a
 * missing datapoint, except for the host counts. */
static void alb_metric(struct sim *sim, struct component *self, int id, struct statset *out)
{
    (void)sim;
    struct alb *b = ALB_OF(self, comp);
    memset(out, 0, sizeof *out);
    uint32_t healthy = 0, unhealthy = 0, registered = 0;
    for (uint32_t i = 0; i < b->nt; i++) {
        if (!in_use(b, &b->t[i]))
            continue;
        healthy += b->t[i].state == T_HEALTHY;
        unhealthy += b->t[i].state == T_UNHEALTHY;
        registered++;
    }
    uint64_t n = b->requests - b->cw_requests[id];
    b->cw_requests[id] = b->requests;
    switch (id) {
    case M_REQUEST_COUNT:
        if (n)
            one(out, (double)n);
        break;
    case M_REQUEST_COUNT_PER_TARGET: {
        uint32_t per = healthy ? healthy : registered;
        if (n && per) {
            one(out, (double)n / per);
            out->units = per; /* the targets it is per: target tracking's N */
        }
        break;
    }
    case M_HEALTHY_HOST_COUNT:
        one(out, healthy);
        break;
    case M_UNHEALTHY_HOST_COUNT:
        one(out, unhealthy);
        break;
    case M_TARGET_RESPONSE_TIME: {
        uint64_t k = b->latency_n - b->cw_lat_n;
        double sum = b->latency_sum - b->cw_lat_sum;
        b->cw_lat_n = b->latency_n;
        b->cw_lat_sum = b->latency_sum;
        if (k)
            one(out, sum / (double)k);
        break;
    }
    case M_TARGET_RESPONSE_TIME_P99:
        if (b->cw_hist->n)
            one(out, hist_quantile(b->cw_hist, 0.99));
        hist_reset(b->cw_hist);
        break;
    case M_ELB_5XX:
    case M_TARGET_5XX: {
        uint64_t *last = &b->cw_5xx[id - M_ELB_5XX];
        uint64_t now = id == M_ELB_5XX ? b->elb_5xx : b->target_5xx;
        if (n)
            one(out, (double)(now - *last));
        *last = now;
        break;
    }
    }
}

/* --- life ----------------------------------------------------------------------------------- */

static const struct component_ops alb_ops = {
    .type = "alb",
    .accept = alb_accept,
    .resume = alb_resume,
    .metric_id = alb_metric_id,
    .metric = alb_metric,
    .fault = alb_fault,
    .relay = true,
};
static const struct component_ops prober_ops = {
    .type = "alb-health-check",
    .accept = comp_accept_none,
    .resume = prober_resume,
};
static const struct component_ops sink_ops = {
    .type = "alb-abandoned",
    .accept = comp_accept_none,
    .resume = sink_resume,
};

uint64_t alb_requests(const struct alb *b)
{
    return b->requests;
}

struct component *alb_component(struct alb *b)
{
    return &b->comp;
}

struct alb *alb_new(struct sim *sim, const char *name, const struct alb_config *c,
                    const char *const *azs, uint32_t nazs, struct req_pool *pool)
{
    struct alb *b = ts_calloc(1, sizeof *b);
    b->comp.ops = &alb_ops;
    b->comp.name = name;
    b->comp.az = -1;
    b->prober.ops = &prober_ops;
    b->prober.name = name;
    b->prober.az = -1;
    b->sink.ops = &sink_ops;
    b->sink.name = name;
    b->sink.az = -1;
    b->cfg = c;
    b->scenario_azs = azs;
    b->pool = pool;
    b->rng_route = sim_rng(sim, name, "route");
    b->rng_latency = sim_rng(sim, name, "latency");
    b->rng_dns = sim_rng(sim, name, "dns");
    b->rng_health = sim_rng(sim, name, "health");
    b->zero_latency = c->latency.kind == DIST_CONST && c->latency.a == 0.0;
    /* a node in each enabled AZ */
    b->nodes = ts_calloc(nazs ? nazs : 1u, sizeof *b->nodes);
    for (uint32_t k = 0; k < nazs; k++) {
        bool enabled = c->nazs == 0;
        for (uint32_t j = 0; j < c->nazs && !enabled; j++)
            enabled = strcmp(c->azs[j], azs[k]) == 0;
        if (enabled)
            b->nodes[b->nnodes++] = (struct node){.az = (int)k, .in_dns = true, .dns_base = true};
    }
    return b;
}

int alb_start(struct sim *sim, struct alb *b, struct component *const *groups, uint32_t n)
{
    const char *name = b->comp.name;
    b->c_ts = sim_column(&sim->ts, 3, "%s.requests_rps", name);
    sim_column(&sim->ts, 3, "%s.errors_500_rps", name);
    sim_column(&sim->ts, 3, "%s.errors_502_rps", name);
    sim_column(&sim->ts, 3, "%s.errors_503_rps", name);
    sim_column(&sim->ts, 3, "%s.errors_504_rps", name);
    sim_column(&sim->ts, 0, "%s.healthy", name);
    sim_column(&sim->ts, 0, "%s.unhealthy", name);
    sim_column(&sim->ts, 0, "%s.initial", name);
    sim_column(&sim->ts, 0, "%s.draining", name);
    sim_reporter(&sim->ts, report_ts, b);
    b->groups = ts_calloc(n ? n : 1u, sizeof *b->groups);
    b->ngroups = n;
    for (uint32_t i = 0; i < n; i++) {
        struct alb_group *g = &b->groups[i];
        g->b = b;
        g->group = groups[i];
        g->listener = (struct target_listener){target_added, target_removed, target_healthy, g};
    }
    for (uint32_t i = 0; i < n; i++) {
        if (!groups[i]->ops->subscribe)
            return TS_EINVAL;
        int rc = groups[i]->ops->subscribe(sim, groups[i], &b->groups[i].listener);
        if (rc != 0)
            return rc;
    }
    return 0;
}

void alb_free(struct alb *b)
{
    if (!b)
        return;
    for (uint32_t k = 0; k < b->nnodes; k++) {
        free(b->nodes[k].cand);
        free(b->nodes[k].chg);
    }
    free(b->shifts);
    if (b->cw_hist) {
        hist_release(b->cw_hist);
        free(b->cw_hist);
    }
    free(b->nodes);
    free(b->t);
    free(b->groups);
    free(b);
}
