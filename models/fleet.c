/* fleet.c — an EC2 Auto Scaling group: instance lifecycle, AZ balance, termination,
 * health replacement, warm-up, and each instance's worker slots, backlog and FCFS vCPUs.
 *
 * Rules (reference/aws-behavior.md):
 * - Capacity: the group keeps `desired_capacity` instances, launching or terminating
 *   until the count of pending and in-service instances matches (ASG-1); policies and
 *   scheduled actions change it within [min_size, max_size] (ASG-2).
 * - Launch: into the group's AZ (availability_zones, all the scenario's by default) with the
 *   fewest pending and in-service instances, ties by the scenario's AZ order (ASG-4). An instance is billed from launch (ASG-3), boots for a
 *   draw of `boot` (OS, EC2-1..3) plus `bootstrap` (application, EC2-4), then is
 *   registered with the group's load balancers and put in service in the same instant
 *   (ASG-25). It warms up for `default_instance_warmup` (ASG-19): while warming it serves
 *   traffic but is left out of the group's CloudWatch metrics (ASG-20).
 * - Scale-in: from the AZ with the most pending and in-service instances (ASG-8), then by
 *   the termination policy: Default picks at random in that AZ (ASG-10, ASG-12: one launch
 *   template, per-second billing), OldestInstance and NewestInstance by launch time
 *   (ASG-11). A pending victim is cancelled; one in service is deregistered from every load
 *   balancer, waits until each reports it drained (ALB-13), then stops: what still runs on
 *   it fails with 502 (ASG-26).
 * - Health: with health_check_type ELB, an instance a load balancer reports unhealthy after
 *   its grace period (ASG-16) is replaced, terminate then launch (ASG-17), no more than
 *   max(1, 10 % of desired) replacements under way at once (ASG-18); one reported during
 *   its grace period is checked again when the grace period ends.
 * - Serving: an instance takes a request into a free worker slot, else into its backlog
 *   while there is room, else its application sheds it with 503 (the foundation's rule; an
 *   ALB passes a target's own 503 on unchanged, ALB-15). A request keeps its worker slot
 *   until it replies (DESIGN.md); its `cpu` steps queue first-come first-served for the
 *   vCPUs. A load balancer's health check takes a worker slot and does no CPU work.
 * - Faults (the `fault` op; section "faults" below): an instance that loses power is
 *   replaced at the group's EC2 check (ASG-14); launches into an AZ under outage fail and go
 *   elsewhere or wait (ASG-4, ASG-5, AZ-6); the group rebalances when the AZ's launches
 *   recover (ASG-6, ASG-7); a gray failure multiplies CPU demands.
 * Simplifications: a vCPU is a full core (t3 CPU credits are not modelled, PRICE-4);
 * health replacement reacts when the load balancer reports, not at the group's own
 * periodic check; the EC2 check comes a fixed ec2_health_check_delay after a stop.
 */
#include "tiersim/models/fleet.h"

#include "tiersim/arena.h"
#include "tiersim/scn.h"
#include "tiersim/stats.h"

#include <math.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

/* --- instance types --------------------------------------------------------------------------
 * vCPUs and memory as AWS lists them; each size up in a family doubles both (AWS's linear
 * size scaling). Prices: the price table (scenarios/prices/us-east-1.json, PRICE-1). */
const struct instance_type instance_types[] = {
    {"t3.nano", 2, 0.5}, {"t3.micro", 2, 1}, {"t3.small", 2, 2}, {"t3.medium", 2, 4},
    {"t3.large", 2, 8}, {"t3.xlarge", 4, 16}, {"t3.2xlarge", 8, 32}, {"m5.large", 2, 8},
    {"m5.xlarge", 4, 16}, {"m5.2xlarge", 8, 32}, {"m5.4xlarge", 16, 64}, {"c5.large", 2, 4},
    {"c5.xlarge", 4, 8}, {"c5.2xlarge", 8, 16}, {"c5.4xlarge", 16, 32}, {"r5.large", 2, 16},
    {"r5.xlarge", 4, 32}, {"r5.2xlarge", 8, 64}, {"r5.4xlarge", 16, 128}, {"m7i.large", 2, 8},
    {"m7i.xlarge", 4, 16}, {"m7i.2xlarge", 8, 32}, {"m7i.4xlarge", 16, 64}, {NULL, 0, 0},
};

const struct instance_type *instance_type_find(const char *name)
{
    for (const struct instance_type *t = instance_types; t->name; t++)
        if (strcmp(t->name, name) == 0)
            return t;
    return NULL;
}

/* --- configuration ------------------------------------------------------------------------- */

static void read_instance(struct scn_obj *o, struct fleet_config *c, struct arena *a)
{
    struct scn *s = o->s;
    struct scn_obj inst;
    scn_open_member(o, "instance", true, &inst);
    const char *type = scn_str(&inst, "type", NULL);
    cJSON *vcpus = scn_member(&inst, "vcpus");
    if (type) {
        c->type = instance_type_find(type);
        if (!c->type) {
            const char *names[64];
            unsigned n = 0;
            for (const struct instance_type *t = instance_types; t->name && n < 64; t++)
                names[n++] = t->name;
            char list[512];
            enum scn_gap gap = scn_table_gap(type, "", names, n, list, sizeof list);
            const char *near = gap == SCN_GAP_NONE ? scn_nearest(type, names, n) : NULL;
            if (gap == SCN_GAP_SIZE)
                scn_error(s, scn_member(&inst, "type"), false,
                          "instance type \"%s\" is not in tiersim's table (of %.*s it has: %s; "
                          "or give \"vcpus\" instead)",
                          type, (int)(strrchr(type, '.') - type), type, list);
            else if (near)
                scn_error(s, scn_member(&inst, "type"), false,
                          "unknown instance type \"%s\" (did you mean \"%s\"?)", type, near);
            else
                scn_error(s, scn_member(&inst, "type"), false,
                          "unknown instance type \"%s\" (known families: t3, m5, c5, r5, m7i; "
                          "or give \"vcpus\" instead)",
                          type);
        }
    }
    int64_t v = c->type ? c->type->vcpus : 1;
    if (!type && !vcpus && inst.j) {
        /* one of the two is required; a misspelling of either is reported as that instead */
        static const char *const either[] = {"type", "vcpus"};
        bool typo = false;
        for (cJSON *k = inst.j->child; k && !typo; k = k->next)
            typo = scn_nearest(k->string, either, 2) != NULL;
        if (!typo)
            scn_error(s, inst.j, false,
                      "give \"type\" (an instance type such as \"t3.medium\") or \"vcpus\"");
    }
    if (vcpus)
        scn_as_int(s, vcpus, 1, 448, &v); /* overrides the type's count */
    else if (c->type)
        scn_add_default(&inst, "vcpus", cJSON_CreateNumber((double)v));
    c->vcpus = (uint32_t)v;
    c->workers = (uint32_t)scn_int(&inst, "workers", 200, 1, 100000000);
    c->backlog = (uint32_t)scn_int(&inst, "backlog", 100, 0, 100000000);
    /* EC2-1..3: median 30 s from API call to OS ready, 20-45 s; EC2-4: 60 s of application
     * start as the default (30-300 s in practice) */
    dist_read(&inst, "boot", "{\"dist\": \"lognormal\", \"mu\": 3.4012, \"sigma\": 0.25}",
              &c->boot, a);
    dist_read(&inst, "bootstrap", "{\"dist\": \"const\", \"value\": 60}", &c->bootstrap, a);
    c->request_bytes = scn_num(&inst, "request_bytes", 2048, SCN_NONNEG);
    c->response_bytes = scn_num(&inst, "response_bytes", 16384, SCN_NONNEG);
    scn_close(&inst);
}

static void read_asg(struct scn_obj *o, struct fleet_config *c, struct arena *a)
{
    struct scn *s = o->s;
    static const char *const hc_types[] = {"EC2", "ELB", NULL};
    static const char *const policies[] = {"Default", "OldestInstance", "NewestInstance", NULL};
    struct scn_obj asg;
    scn_open_member(o, "asg", true, &asg);
    int64_t mn = 0, mx = 0;
    bool have_min = scn_int_req(&asg, "min_size", 0, 100000, &mn);
    bool have_max = scn_int_req(&asg, "max_size", 0, 100000, &mx);
    int64_t desired = scn_int(&asg, "desired_capacity", mn, 0, 100000);
    if (have_min && have_max && mx < mn)
        scn_error(s, scn_member(&asg, "max_size"), false, "must be >= min_size (%lld), got %lld",
                  (long long)mn, (long long)mx);
    else if (have_min && have_max && (desired < mn || desired > mx))
        scn_error(s, scn_member(&asg, "desired_capacity"), false,
                  "must be between min_size (%lld) and max_size (%lld), got %lld", (long long)mn,
                  (long long)mx, (long long)desired);
    c->min_size = (uint32_t)mn;
    c->max_size = (uint32_t)mx;
    c->desired_capacity = (uint32_t)desired;
    c->health_check_type = (enum health_check_type)scn_enum(&asg, "health_check_type", hc_types,
                                                            HC_EC2);
    c->health_check_grace_period = scn_dur(&asg, "health_check_grace_period", 300, SCN_NONNEG);
    c->default_cooldown = scn_dur(&asg, "default_cooldown", 300, SCN_NONNEG);
    /* unset, the warm-up falls back to the default cooldown (ASG-19) */
    c->default_instance_warmup = scn_dur(&asg, "default_instance_warmup",
                                         sim_s(c->default_cooldown) <= 3600
                                             ? sim_s(c->default_cooldown)
                                             : 3600,
                                         SCN_IN(0, 3600));
    c->termination_policy =
        (enum termination_policy)scn_enum(&asg, "termination_policy", policies, TERM_DEFAULT);
    /* Faults (models/faults.c) */
    static const char *const strategies[] = {"balanced-best-effort", "balanced-only", NULL};
    c->capacity_distribution = (enum capacity_distribution)scn_enum(
        &asg, "capacity_distribution_strategy", strategies, CDS_BEST_EFFORT); /* ASG-5 */
    /* the group's periodic health check is not given a period by AWS (ASG-14: "replaced at
     * once" once noticed); one EC2 status-check period, 60 s, is tiersim's choice
     * (UNCERTAIN) */
    c->ec2_health_check_delay = scn_dur(&asg, "ec2_health_check_delay", 60, SCN_IN(0, 3600));
    /* balanced-only keeps trying the failing AZ (ASG-5) at a cadence AWS does not give:
     * 60 s (UNCERTAIN) */
    c->launch_retry_interval = scn_dur(&asg, "launch_retry_interval", 60, SCN_IN(1, 3600));
    c->availability_zones_at = scn_az_names(&asg, "availability_zones", &c->availability_zones,
                                            &c->navailability_zones, a);
    /* read by the scaling model (world.c wires it); known keys here */
    c->scaling_policies = scn_member(&asg, "scaling_policies");
    c->scheduled_actions = scn_member(&asg, "scheduled_actions");
    scn_close(&asg);
}

bool fleet_config_from_json(struct scn_obj *o, struct fleet_config *c, struct arena *a)
{
    memset(c, 0, sizeof *c);
    struct scn *s = o->s;
    unsigned before = scn_error_count(s);
    read_instance(o, c, a);
    read_asg(o, c, a);
    cJSON *h = scn_member_req(o, "handlers");
    c->handlers_at = h;
    handlers_read(s, h, &c->handlers, &c->nhandlers, a);
    return scn_error_count(s) == before;
}

void fleet_config_release(struct fleet_config *c)
{
    handlers_release(c->handlers, c->nhandlers);
    dist_release(&c->boot);
    dist_release(&c->bootstrap);
}

const struct program *fleet_program(const struct fleet_config *c, const char *cls)
{
    return handlers_find(c->handlers, c->nhandlers, cls);
}

/* --- state ----------------------------------------------------------------------------------- */

enum istate { I_PENDING, I_IN_SERVICE, I_TERMINATING, I_TERMINATED };

struct instance {
    struct prog_host host; /* first: a request's frame names the instance (host.comp); host.held
                              is every request it has taken, slot or backlog */
    struct fleet *fleet;
    uint32_t id;
    enum istate state;
    bool unhealthy;   /* marked for replacement */
    bool replacement; /* launched to replace an unhealthy instance */
    bool rebal;       /* a rebalancing launch, pending or in service until its load balancers
                         find it healthy: not counted toward desired (ASG-6) */
    uint32_t gray_id; /* the gray failure slowing it (0: none) ... */
    double slow;      /* ... and its factor on CPU demands */
    const char *down_cause; /* the fault that stopped it (host.comp.down) */
    int64_t launched, in_service_at, warm_until, terminated_at, down_at; /* ns */
    double boot_s, bootstrap_s; /* the draws, for the log */
    evq_handle boot_ev, grace_ev;
    uint32_t drains_left; /* load balancers yet to report it drained */

    uint32_t busy_vcpus, busy_workers, nbacklog;
    uint32_t probe_workers, probe_backlog; /* of those, load balancers' health checks */
    struct request *bl_head, *bl_tail; /* backlog: waiting for a worker slot */
    struct request *rq_head, *rq_tail; /* run queue: holding a slot, waiting for a vCPU */

    struct tavg busy;            /* vCPUs busy */
    double cw_area;              /* busy area at the last CloudWatch poll */
    int64_t cw_since;            /* ns, time of that poll (or of the warm-up's end) */
    double bytes_in, bytes_out;  /* cumulative */
    double cw_in, cw_out;        /* at the last poll of each */
    int64_t cw_in_since, cw_out_since; /* ns, times of those polls */
    char name[48];
};

/* An AZ as the group sees it under faults. */
struct fleet_az {
    uint32_t down;     /* outages under way (power lost) */
    uint32_t blocked;  /* outages whose launches have not recovered: launches fail (AZ-6) */
    const char *cause; /* of the latest outage */
};

/* A gray failure (FAULT_GRAY_START until its FAULT_GRAY_END). */
struct gray {
    uint32_t id;
    int az; /* every instance of this AZ, launches included; -1: chosen instances */
    double factor;
    bool active;
};

struct fleet {
    struct component comp;
    const struct fleet_config *cfg;
    const char *const *azs; /* the scenario's */
    uint32_t nazs;
    bool *uses_az;          /* the AZs it launches into */
    struct req_pool *pool;
    struct prog_env env; /* what its instances' programs share */
    gsl_rng *rng_boot, *rng_terminate;

    uint32_t min, max, desired;
    struct instance **inst; /* every instance ever launched, kept until the end */
    uint32_t ninst, cap;
    uint32_t next_id;
    uint64_t iv_received; /* client requests that reached an instance, this interval */
    uint32_t replacements_due; /* launches that replace an unhealthy instance */
    int64_t last_activity_end;
    uint64_t launches, terminations;

    struct target_listener *listeners;
    uint32_t nlisteners;

    /* faults: nothing here is touched, and no stream drawn, while no fault happens */
    struct fleet_az *az;  /* nazs */
    uint32_t *scratch;    /* nazs, for rebalancing */
    char **causes;        /* copies of the faults' causes, for the log */
    uint32_t ncauses;
    struct gray *grays;
    uint32_t ngrays;
    gsl_rng *rng_faults;  /* (name, "faults"): which instances fail; made at the first */
    evq_handle retry_ev;  /* the next attempt at a launch no AZ took ... */
    int64_t retry_at;     /* ... and its time */
    const char *launch_tag; /* said of the launches reconcile makes now */
    uint32_t rebal_pending; /* rebalancing launches pending */
    bool rebalancing;
    const char *rebal_cause;
    uint64_t launch_failures;

    /* levels summed over instances, integrated over time; `running` counts instances that
     * serve requests, in service or draining: the denominator of CPU utilisation */
    struct tavg in_service, running, busy_cpu, busy_workers, queued, runq, billed;
    double a_ts[7], a_warm[7];
    struct prog_counts n_warm; /* env.n at the end of the warm-up */
    uint32_t c_ts, c_sum;
};

#define FLEET_OF(c, member) ((struct fleet *)((char *)(c)-offsetof(struct fleet, member)))

static bool warming(const struct instance *in, int64_t now)
{
    return in->state == I_IN_SERVICE && now < in->warm_until;
}

/* Pending or in service, and not (yet) being replaced: what counts toward desired. */
static bool active(const struct instance *in)
{
    return (in->state == I_PENDING || in->state == I_IN_SERVICE) && !in->rebal;
}

static uint32_t count_active(const struct fleet *f)
{
    uint32_t n = 0;
    for (uint32_t i = 0; i < f->ninst; i++)
        n += active(f->inst[i]);
    return n;
}

/* --- serving requests ------------------------------------------------------------------------ */

static void set_busy(struct instance *in, int64_t now, int delta)
{
    in->busy_vcpus = (uint32_t)((int)in->busy_vcpus + delta);
    tavg_add(&in->busy, now, delta);
    tavg_add(&in->fleet->busy_cpu, now, delta);
}

static void on_cpu_done(struct sim *sim, void *ctx, uint64_t arg);

static void start_cpu(struct sim *sim, struct instance *in, struct request *r)
{
    set_busy(in, sim->now, 1);
    struct frame *f = req_top(r);
    f->ev = sim_after(sim, f->aux, on_cpu_done, in, (uint64_t)(uintptr_t)r);
}

static void on_cpu_done(struct sim *sim, void *ctx, uint64_t arg)
{
    struct instance *in = ctx;
    struct request *r = (struct request *)(uintptr_t)arg;
    req_top(r)->ev = 0;
    set_busy(in, sim->now, -1);
    struct request *next = req_fifo_pop(&in->rq_head, &in->rq_tail);
    if (next) {
        tavg_add(&in->fleet->runq, sim->now, -1.0);
        start_cpu(sim, in, next);
    }
    prog_cpu_done(sim, &in->host, r);
}

/* Program op: a CPU burst on one of the instance's vCPUs, or a wait in its run queue. */
static void host_cpu(struct sim *sim, struct prog_host *h, struct request *r, int64_t demand)
{
    struct instance *in = (struct instance *)h;
    if (in->gray_id) /* a gray failure: its CPU work is slower (nothing else costs) */
        demand = (int64_t)llround((double)demand * in->slow);
    req_top(r)->aux = demand;
    if (in->busy_vcpus < in->fleet->cfg->vcpus) {
        start_cpu(sim, in, r);
    } else {
        req_fifo_push(&in->rq_head, &in->rq_tail, r);
        tavg_add(&in->fleet->runq, sim->now, 1.0);
    }
}

/* Health checks take worker slots and backlog places like any request (an overloaded
 * instance fails its checks), but the fleet's request levels count client requests only. */
static void level_workers(struct instance *in, const struct request *r, int64_t now, int d)
{
    in->busy_workers = (uint32_t)((int)in->busy_workers + d);
    if (r->probe)
        in->probe_workers = (uint32_t)((int)in->probe_workers + d);
    else
        tavg_add(&in->fleet->busy_workers, now, d);
}

static void level_backlog(struct instance *in, const struct request *r, int64_t now, int d)
{
    in->nbacklog = (uint32_t)((int)in->nbacklog + d);
    if (r->probe)
        in->probe_backlog = (uint32_t)((int)in->probe_backlog + d);
    else
        tavg_add(&in->fleet->queued, now, d);
}

static void admit(struct sim *sim, struct instance *in, struct request *r)
{
    level_workers(in, r, sim->now, 1);
    prog_begin(sim, &in->host, r);
}

/* Free r's worker slot and give it to the oldest request of the backlog. */
static void release_slot(struct sim *sim, struct instance *in, const struct request *r)
{
    level_workers(in, r, sim->now, -1);
    struct request *next = req_fifo_pop(&in->bl_head, &in->bl_tail);
    if (next) {
        level_backlog(in, next, sim->now, -1);
        admit(sim, in, next);
    }
}

/* Program op: the request's handler is done: free its slot, reply. */
static void host_done(struct sim *sim, struct prog_host *h, struct request *r,
                      enum req_status status)
{
    struct instance *in = (struct instance *)h;
    req_list_remove(&in->host.held, r, r->depth - 1u);
    if (!r->probe)
        in->bytes_out += in->fleet->cfg->response_bytes;
    release_slot(sim, in, r);
    comp_reply(sim, r, status);
}

static const struct prog_host_ops host_ops = {
    .cpu = host_cpu,
    .done = host_done,
};

static void instance_accept(struct sim *sim, struct component *self, struct request *r)
{
    struct instance *in = (struct instance *)self;
    const struct fleet_config *c = in->fleet->cfg;
    if (in->state != I_IN_SERVICE || in->host.comp.down) {
        /* stopped, or not started: nothing answers (the load balancer's 502; a load balancer
         * that knows the target is down sees its connection time out instead) */
        comp_reply(sim, r, REQ_E502);
        return;
    }
    if (!r->probe) {
        in->bytes_in += c->request_bytes;
        in->fleet->iv_received++;
    }
    if (in->busy_workers < c->workers) {
        req_list_push(&in->host.held, r, r->depth - 1u);
        admit(sim, in, r);
    } else if (in->nbacklog < c->backlog) {
        req_list_push(&in->host.held, r, r->depth - 1u);
        level_backlog(in, r, sim->now, 1);
        req_fifo_push(&in->bl_head, &in->bl_tail, r);
    } else {
        comp_reply(sim, r, REQ_E503);
    }
}

/* A call the handler made has come back. */
static void instance_resume(struct sim *sim, struct component *self, struct request *r)
{
    prog_resume(sim, (struct prog_host *)self, r);
}

static const struct component_ops instance_ops = {
    .type = "instance",
    .accept = instance_accept,
    .resume = instance_resume,
};

/* Stop an instance: every request it holds ends with `status` (ASG-26, ALB-13); the work
 * of calls it is waiting on goes on downstream. */
static void kill_requests(struct sim *sim, struct instance *in, enum req_status status)
{
    struct fleet *f = in->fleet;
    tavg_add(&f->busy_cpu, sim->now, -(double)in->busy_vcpus);
    tavg_add(&f->busy_workers, sim->now, -(double)(in->busy_workers - in->probe_workers));
    tavg_add(&f->queued, sim->now, -(double)(in->nbacklog - in->probe_backlog));
    uint32_t waiting = 0;
    for (struct request *r = in->rq_head; r; r = r->next)
        waiting++;
    tavg_add(&f->runq, sim->now, -(double)waiting);
    tavg_set(&in->busy, sim->now, 0);
    in->busy_vcpus = in->busy_workers = in->nbacklog = 0;
    in->probe_workers = in->probe_backlog = 0;
    in->bl_head = in->bl_tail = in->rq_head = in->rq_tail = NULL;
    while (in->host.held.head) {
        struct request *r = in->host.held.head;
        int level = req_level(r, &in->host.comp);
        TS_ASSERT(level >= 0);
        struct request *c = prog_abandon(sim, &in->host, r, (unsigned)level);
        comp_reply(sim, c, status);
    }
}

/* --- the group's life ------------------------------------------------------------------------ */

static void reconcile(struct sim *sim, struct fleet *f);
static void process_replacements(struct sim *sim, struct fleet *f);
static void rebalance(struct sim *sim, struct fleet *f, bool start);

static void on_warm(struct sim *sim, void *ctx, uint64_t arg)
{
    (void)arg;
    struct instance *in = ctx;
    if (in->state != I_IN_SERVICE || in->host.comp.down)
        return;
    /* its metrics count from now: CloudWatch's window for it starts here */
    in->cw_area = tavg_area(&in->busy, sim->now);
    in->cw_since = sim->now;
    sim_log(sim, in->fleet->comp.name, "warm",
            "i-%u warmed up (%.0f s): now counted in the group's metrics (ASG-20)", in->id,
            sim_s(in->fleet->cfg->default_instance_warmup));
    process_replacements(sim, in->fleet);
}

/* In service now; `established` for the initial capacity, which starts warm and healthy. */
static void in_service(struct sim *sim, struct instance *in, const char *how, bool established)
{
    struct fleet *f = in->fleet;
    in->state = I_IN_SERVICE;
    in->in_service_at = established ? INT64_MIN / 2 : sim->now; /* past any grace period */
    in->warm_until = established ? sim->now : sim->now + f->cfg->default_instance_warmup;
    in->cw_area = 0;
    in->cw_since = sim->now;
    tavg_add(&f->in_service, sim->now, 1.0);
    tavg_add(&f->running, sim->now, 1.0);
    f->last_activity_end = sim->now;
    sim_log(sim, f->comp.name, "in_service", "i-%u in %s %s", in->id, f->azs[in->host.comp.az],
            how);
    /* registered with the load balancers as it enters service (ASG-25) */
    for (uint32_t i = 0; i < f->nlisteners; i++)
        f->listeners[i].added(sim, f->listeners[i].ctx, &in->host.comp, established);
    if (in->warm_until > sim->now)
        sim_at(sim, in->warm_until, on_warm, in, 0);
    else
        process_replacements(sim, f);
}

static void rebalanced_one(struct sim *sim, struct instance *in);

static void on_boot(struct sim *sim, void *ctx, uint64_t arg)
{
    (void)arg;
    struct instance *in = ctx;
    in->boot_ev = 0;
    char how[112];
    snprintf(how, sizeof how, "after %.1f s (boot %.1f s + bootstrap %.1f s)%s",
             in->boot_s + in->bootstrap_s, in->boot_s, in->bootstrap_s,
             in->rebal ? " (rebalancing)" : "");
    if (in->rebal && in->fleet->nlisteners == 0) {
        in->rebal = false;
        in->fleet->rebal_pending--;
        in_service(sim, in, how, false);
        rebalanced_one(sim, in);
        return;
    }
    /* a rebalancing launch behind load balancers lets one go once they find it healthy
     * (fleet_health_report): launching first is what keeps rebalancing from costing
     * capacity (ASG-6), and a target serves only after its initial checks (ALB-8) */
    in_service(sim, in, how, false);
}

/* Pending or in service in AZ a, rebalancing launches included. */
static uint32_t az_count(const struct fleet *f, uint32_t a)
{
    uint32_t n = 0;
    for (uint32_t i = 0; i < f->ninst; i++) {
        const struct instance *in = f->inst[i];
        n += (in->state == I_PENDING || in->state == I_IN_SERVICE) && in->host.comp.az == (int)a;
    }
    return n;
}

/* Does AZ a take launches (the group's, and no outage blocks it, AZ-6)? */
static bool launchable(const struct fleet *f, uint32_t a)
{
    return f->uses_az[a] && f->az[a].blocked == 0;
}

/* The AZ for the next launch: fewest pending and in-service instances (ASG-4), among the
 * group's AZs, or only among those that take launches (-1: none does). */
static int launch_az(const struct fleet *f, bool usable_only)
{
    int best = usable_only ? -1 : 0;
    uint32_t best_n = UINT32_MAX;
    for (uint32_t a = 0; a < f->nazs; a++) {
        if (!f->uses_az[a] || (usable_only && !launchable(f, a)))
            continue;
        uint32_t n = az_count(f, a);
        if (n < best_n) {
            best_n = n;
            best = (int)a;
        }
    }
    return best;
}

static struct instance *new_instance(struct fleet *f, uint32_t az, int64_t now)
{
    struct instance *in = ts_calloc(1, sizeof *in);
    in->fleet = f;
    in->id = ++f->next_id;
    snprintf(in->name, sizeof in->name, "%s/i-%u", f->comp.name, in->id);
    in->host.comp.ops = &instance_ops;
    in->host.comp.name = in->name;
    in->host.comp.az = (int)az;
    in->host.env = &f->env;
    in->launched = now;
    in->busy.last = now;
    in->cw_in_since = in->cw_out_since = now;
    if (f->ninst == f->cap) {
        f->cap = f->cap ? f->cap * 2u : 16u;
        f->inst = ts_realloc(f->inst, f->cap * sizeof *f->inst);
    }
    f->inst[f->ninst++] = in;
    tavg_add(&f->billed, now, 1.0); /* billed from launch (ASG-3) */
    return in;
}

static void az_gray(const struct fleet *f, struct instance *in);

/* A new instance in AZ az, pending; `rebal`: a rebalancing launch (ASG-6). */
static void start_launch(struct sim *sim, struct fleet *f, uint32_t az, bool rebal)
{
    struct instance *in = new_instance(f, az, sim->now);
    in->state = I_PENDING;
    f->launches++; /* the initial capacity is not counted: it was there at the start */
    if (rebal) {
        in->rebal = true;
        f->rebal_pending++;
    } else if (f->replacements_due) {
        f->replacements_due--;
        in->replacement = true;
    }
    if (f->ngrays)
        az_gray(f, in);
    in->boot_s = dist_sample(&f->cfg->boot, f->rng_boot);
    in->bootstrap_s = dist_sample(&f->cfg->bootstrap, f->rng_boot);
    in->boot_ev = sim_after(sim, sim_ns(in->boot_s + in->bootstrap_s), on_boot, in, 0);
    if (rebal)
        sim_log(sim, f->comp.name, "launch",
                "i-%u in %s: pending (rebalancing: launch before terminate, ASG-6): %s", in->id,
                f->azs[az], f->rebal_cause);
    else
        sim_log(sim, f->comp.name, "launch", "i-%u in %s%s%s: pending", in->id, f->azs[az],
                in->replacement ? " (replacement)" : "", f->launch_tag ? f->launch_tag : "");
}

static void on_launch_retry(struct sim *sim, void *ctx, uint64_t arg)
{
    (void)arg;
    struct fleet *f = ctx;
    f->retry_ev = 0;
    reconcile(sim, f);
}

/* Launch one instance into the AZ with the fewest (ASG-4). When that AZ refuses it (an
 * outage, AZ-6): balanced-best-effort launches into the usable AZ with the fewest instead,
 * balanced-only keeps to the failing AZ (ASG-5); the attempt is made again
 * launch_retry_interval later when no AZ takes it. Returns false then. */
static bool launch(struct sim *sim, struct fleet *f)
{
    int az = launch_az(f, false);
    if (f->az[az].blocked) {
        bool best_effort = f->cfg->capacity_distribution == CDS_BEST_EFFORT;
        int other = best_effort ? launch_az(f, true) : -1;
        f->launch_failures++;
        if (other >= 0) {
            sim_log(sim, f->comp.name, "launch_failed",
                    "into %s: insufficient capacity (AZ-6): launching in %s instead "
                    "(balanced-best-effort, ASG-4, ASG-5): %s",
                    f->azs[az], f->azs[other], f->az[az].cause);
            az = other;
        } else {
            if (!f->retry_ev) {
                f->retry_at = sim->now + f->cfg->launch_retry_interval;
                f->retry_ev = sim_at(sim, f->retry_at, on_launch_retry, f, 0);
            }
            sim_log(sim, f->comp.name, "launch_failed",
                    "into %s: insufficient capacity (AZ-6): %s; tried again at t=%.0f s: %s",
                    f->azs[az],
                    best_effort ? "no other AZ of the group takes it"
                                : "balanced-only keeps to this AZ (ASG-5)",
                    sim_s(f->retry_at), f->az[az].cause);
            return false;
        }
    }
    start_launch(sim, f, (uint32_t)az, false);
    return true;
}

static void terminated(struct sim *sim, struct instance *in, const char *how)
{
    struct fleet *f = in->fleet;
    bool down = in->host.comp.down; /* its levels were taken off when it stopped */
    if (in->state == I_TERMINATING && !down)
        tavg_add(&f->running, sim->now, -1.0);
    if (in->rebal) {
        in->rebal = false;
        f->rebal_pending--;
    }
    in->state = I_TERMINATED;
    in->terminated_at = sim->now;
    f->terminations++;
    f->last_activity_end = sim->now;
    if (!down)
        tavg_add(&f->billed, sim->now, -1.0);
    sim_log(sim, f->comp.name, "terminated", "i-%u %s", in->id, how);
}

static void on_drained(struct sim *sim, void *ctx, struct component *target)
{
    (void)ctx;
    struct instance *in = (struct instance *)target;
    if (--in->drains_left > 0)
        return;
    uint32_t left = in->host.held.n;
    kill_requests(sim, in, REQ_E502);
    char how[256];
    if (in->host.comp.down)
        snprintf(how, sizeof how, "after its deregistration (it had lost power: %s)",
                 in->down_cause);
    else
        snprintf(how, sizeof how, "after draining (%u requests still running ended with 502)",
                 left);
    terminated(sim, in, how);
}

static void on_stop_now(struct sim *sim, void *ctx, uint64_t arg)
{
    (void)arg;
    on_drained(sim, NULL, ctx);
}

/* Begin the end of an instance (ASG-26). */
static void terminate(struct sim *sim, struct instance *in, const char *why)
{
    struct fleet *f = in->fleet;
    if (in->state == I_PENDING) {
        sim_cancel(sim, in->boot_ev);
        terminated(sim, in, why);
        return;
    }
    TS_ASSERT(in->state == I_IN_SERVICE);
    in->state = I_TERMINATING;
    sim_cancel(sim, in->grace_ev);
    in->grace_ev = 0;
    if (!in->host.comp.down)
        tavg_add(&f->in_service, sim->now, -1.0);
    sim_log(sim, f->comp.name, "terminating", "i-%u in %s: %s", in->id, f->azs[in->host.comp.az],
            why);
    in->drains_left = f->nlisteners ? f->nlisteners : 1u;
    if (f->nlisteners == 0)
        sim_at(sim, sim->now, on_stop_now, in, 0);
    for (uint32_t i = 0; i < f->nlisteners; i++)
        f->listeners[i].removed(sim, f->listeners[i].ctx, &in->host.comp, on_drained, f);
}

/* The victim of a scale-in: AZ with the most active instances (ASG-8), then the policy. */
static struct instance *victim(struct fleet *f)
{
    uint32_t best_az = 0, best_n = 0;
    for (uint32_t a = 0; a < f->nazs; a++) {
        uint32_t n = 0;
        for (uint32_t i = 0; i < f->ninst; i++)
            n += active(f->inst[i]) && f->inst[i]->host.comp.az == (int)a;
        if (n > best_n) {
            best_n = n;
            best_az = a;
        }
    }
    struct instance *pick = NULL;
    uint32_t seen = 0;
    for (uint32_t i = 0; i < f->ninst; i++) {
        struct instance *in = f->inst[i];
        if (!active(in) || in->host.comp.az != (int)best_az)
            continue;
        switch (f->cfg->termination_policy) {
        case TERM_DEFAULT: /* uniformly among them (reservoir sampling) */
            if (gsl_rng_uniform_int(f->rng_terminate, ++seen) == 0)
                pick = in;
            break;
        case TERM_OLDEST:
            if (!pick || in->launched < pick->launched)
                pick = in;
            break;
        case TERM_NEWEST:
            if (!pick || in->launched >= pick->launched)
                pick = in;
            break;
        }
    }
    return pick;
}

static const char *const policy_names[] = {"Default", "OldestInstance", "NewestInstance"};

/* Launch or terminate until pending + in service matches desired. */
static void reconcile(struct sim *sim, struct fleet *f)
{
    uint32_t n = count_active(f);
    while (n < f->desired && launch(sim, f))
        n++;
    while (n > f->desired) {
        struct instance *in = victim(f);
        char why[128];
        snprintf(why, sizeof why, "scale-in to %u (AZ with the most instances, then %s)",
                 f->desired, policy_names[f->cfg->termination_policy]);
        terminate(sim, in, why);
        n--;
    }
}

/* Replace instances marked unhealthy, no more than max(1, 10 % of desired) at once (ASG-18):
 * a replacement is under way until its new instance is in service and warmed up. */
static void process_replacements(struct sim *sim, struct fleet *f)
{
    uint32_t limit = f->desired / 10u > 1u ? f->desired / 10u : 1u;
    uint32_t busy = f->replacements_due;
    for (uint32_t i = 0; i < f->ninst; i++) {
        const struct instance *in = f->inst[i];
        busy += in->replacement &&
                (in->state == I_PENDING || warming(in, sim->now));
    }
    for (uint32_t i = 0; i < f->ninst && busy < limit; i++) {
        struct instance *in = f->inst[i];
        if (in->state != I_IN_SERVICE || !in->unhealthy || in->host.comp.down)
            continue; /* a stopped one is the EC2 check's (ASG-14) */
        f->replacements_due++;
        busy++;
        terminate(sim, in, "unhealthy (ELB health check): replaced, terminate then launch "
                           "(ASG-17)");
        reconcile(sim, f);
    }
}

static void consider_health(struct sim *sim, struct instance *in, bool healthy);

static void on_grace_end(struct sim *sim, void *ctx, uint64_t arg)
{
    (void)arg;
    struct instance *in = ctx;
    in->grace_ev = 0;
    struct fleet *f = in->fleet;
    bool healthy = true;
    for (uint32_t i = 0; i < f->nlisteners; i++)
        healthy &= f->listeners[i].healthy(f->listeners[i].ctx, &in->host.comp);
    consider_health(sim, in, healthy);
}

static void consider_health(struct sim *sim, struct instance *in, bool healthy)
{
    struct fleet *f = in->fleet;
    if (f->cfg->health_check_type != HC_ELB || in->state != I_IN_SERVICE || in->unhealthy ||
        healthy || in->host.comp.down) /* stopped: replaced by the EC2 check (ASG-14) */
        return;
    int64_t grace_end = in->in_service_at + f->cfg->health_check_grace_period;
    if (sim->now < grace_end) {
        if (!in->grace_ev) {
            sim_log(sim, f->comp.name, "health",
                    "i-%u reported unhealthy within its grace period: checked again at "
                    "t=%.0f s (ASG-16)",
                    in->id, sim_s(grace_end));
            in->grace_ev = sim_at(sim, grace_end, on_grace_end, in, 0);
        }
        return;
    }
    in->unhealthy = true;
    sim_log(sim, f->comp.name, "unhealthy", "i-%u marked unhealthy (ELB health check)", in->id);
    process_replacements(sim, f);
}

static void fleet_health_report(struct sim *sim, struct component *self,
                                struct component *target, bool healthy)
{
    (void)self;
    struct instance *in = (struct instance *)target;
    struct fleet *f = in->fleet;
    if (healthy && in->rebal && in->state == I_IN_SERVICE) {
        for (uint32_t i = 0; i < f->nlisteners; i++)
            if (!f->listeners[i].healthy(f->listeners[i].ctx, &in->host.comp))
                return; /* another load balancer has yet to find it healthy */
        in->rebal = false;
        f->rebal_pending--;
        rebalanced_one(sim, in);
        return;
    }
    consider_health(sim, in, healthy);
}

static int fleet_subscribe(struct sim *sim, struct component *self,
                           const struct target_listener *l)
{
    struct fleet *f = FLEET_OF(self, comp);
    f->listeners = ts_realloc(f->listeners, (f->nlisteners + 1u) * sizeof *f->listeners);
    f->listeners[f->nlisteners++] = *l;
    for (uint32_t i = 0; i < f->ninst; i++)
        if (f->inst[i]->state == I_IN_SERVICE)
            l->added(sim, l->ctx, &f->inst[i]->host.comp, sim->now == 0);
    return 0;
}

/* --- the scalable interface -------------------------------------------------------------------- */

static void fleet_status(const struct component *self, int64_t now, struct asg_status *out)
{
    const struct fleet *f = FLEET_OF(self, comp);
    memset(out, 0, sizeof *out);
    out->min = f->min;
    out->max = f->max;
    out->desired = f->desired;
    out->last_activity_end = f->last_activity_end;
    out->default_cooldown = f->cfg->default_cooldown;
    for (uint32_t i = 0; i < f->ninst; i++) {
        const struct instance *in = f->inst[i];
        bool down = in->host.comp.down; /* stopped: neither pending nor in service */
        out->pending += in->state == I_PENDING && !down;
        out->terminating += in->state == I_TERMINATING;
        if (in->state == I_IN_SERVICE && !down) {
            out->in_service++;
            if (warming(in, now))
                out->warming++;
            else
                out->ready++;
        }
    }
}

static uint32_t fleet_set_capacity(struct sim *sim, struct component *self, int64_t min,
                                   int64_t max, int64_t desired, const char *cause)
{
    struct fleet *f = FLEET_OF(self, comp);
    uint32_t old_min = f->min, old_max = f->max, old = f->desired;
    char note[96] = "";
    if (min >= 0)
        f->min = (uint32_t)min;
    if (max >= 0)
        f->max = (uint32_t)max;
    if (f->max < f->min) {
        snprintf(note, sizeof note, " (max %u raised to min %u)", f->max, f->min);
        f->max = f->min;
    }
    int64_t asked = desired >= 0 ? desired : f->desired;
    int64_t d = asked < f->min ? f->min : asked > f->max ? f->max : asked;
    f->desired = (uint32_t)d;
    if (f->min != old_min || f->max != old_max)
        sim_log(sim, f->comp.name, "limits", "min %u -> %u, max %u -> %u%s: %s", old_min, f->min,
                old_max, f->max, note, cause);
    if (f->desired != old && desired >= 0 && asked != d)
        sim_log(sim, f->comp.name, "desired", "%u -> %u (asked %lld, kept within [%u, %u]): %s",
                old, f->desired, (long long)asked, f->min, f->max, cause);
    else if (f->desired != old)
        sim_log(sim, f->comp.name, "desired", "%u -> %u: %s", old, f->desired, cause);
    reconcile(sim, f);
    return f->desired;
}

static const struct scalable_ops fleet_scalable = {fleet_status, fleet_set_capacity};

/* --- metrics ----------------------------------------------------------------------------------- */

enum { M_CPU, M_NET_IN, M_NET_OUT, NMETRICS };
const char *const fleet_metric_names[NMETRICS + 1] = {"CPUUtilization", "NetworkIn",
                                                      "NetworkOut", NULL};

int fleet_metric_index(const char *name)
{
    for (int i = 0; i < NMETRICS; i++)
        if (strcmp(fleet_metric_names[i], name) == 0)
            return i;
    return -1;
}

static int fleet_metric_id(const struct component *self, const char *name)
{
    (void)self;
    return fleet_metric_index(name);
}

static void add_sample(struct statset *s, double v)
{
    if (s->count == 0 || v < s->min)
        s->min = v;
    if (s->count == 0 || v > s->max)
        s->max = v;
    s->sum += v;
    s->count++;
}

/* Per instance, over the window since the previous poll, for warmed-up instances in service
 * (CW-2, ASG-20): CPUUtilization in percent, NetworkIn/Out in bytes per minute (detailed
 * monitoring's one-minute datapoint, whatever CloudWatch's poll period). */
static void fleet_metric(struct sim *sim, struct component *self, int id, struct statset *out)
{
    struct fleet *f = FLEET_OF(self, comp);
    memset(out, 0, sizeof *out);
    for (uint32_t i = 0; i < f->ninst; i++) {
        struct instance *in = f->inst[i];
        if (in->state != I_IN_SERVICE || in->host.comp.down) /* a stopped one reports nothing */
            continue;
        bool ready = !warming(in, sim->now);
        switch (id) {
        case M_CPU: {
            double area = tavg_area(&in->busy, sim->now);
            int64_t span = sim->now - in->cw_since;
            if (ready && span > 0)
                add_sample(out, 100.0 * (area - in->cw_area) / ((double)span * f->cfg->vcpus));
            in->cw_area = area;
            in->cw_since = sim->now;
            break;
        }
        case M_NET_IN:
        case M_NET_OUT: {
            bool in_ = id == M_NET_IN;
            double *last = in_ ? &in->cw_in : &in->cw_out;
            int64_t *since = in_ ? &in->cw_in_since : &in->cw_out_since;
            double now_b = in_ ? in->bytes_in : in->bytes_out;
            if (ready && sim->now > *since)
                add_sample(out, (now_b - *last) * 60e9 / (double)(sim->now - *since));
            *last = now_b;
            *since = sim->now;
            break;
        }
        }
    }
    out->units = (double)out->count;
}

static void areas(const struct fleet *f, int64_t now, double out[7])
{
    out[0] = tavg_area(&f->in_service, now);
    out[1] = tavg_area(&f->busy_cpu, now);
    out[2] = tavg_area(&f->busy_workers, now);
    out[3] = tavg_area(&f->queued, now);
    out[4] = tavg_area(&f->runq, now);
    out[5] = tavg_area(&f->billed, now);
    out[6] = tavg_area(&f->running, now);
}

static void report_ts(struct sim *sim, void *ctx, double *row, int64_t span)
{
    struct fleet *f = ctx;
    double a[7];
    areas(f, sim->now, a);
    double d[7];
    for (int i = 0; i < 7; i++) {
        d[i] = a[i] - f->a_ts[i];
        f->a_ts[i] = a[i];
    }
    struct asg_status st;
    fleet_status(&f->comp, sim->now, &st);
    uint32_t healthy = 0;
    for (uint32_t i = 0; i < f->ninst; i++) {
        const struct instance *in = f->inst[i];
        bool ok = in->state == I_IN_SERVICE && !in->host.comp.down;
        for (uint32_t k = 0; ok && k < f->nlisteners; k++)
            ok = f->listeners[k].healthy(f->listeners[k].ctx, &in->host.comp);
        healthy += ok;
    }
    double *c = row + f->c_ts;
    c[0] = st.desired;
    c[1] = st.pending;
    c[2] = st.in_service;
    c[3] = st.warming;
    c[4] = st.terminating;
    c[5] = healthy;
    c[6] = d[6] > 0 ? 100.0 * d[1] / (d[6] * f->cfg->vcpus) : TS_NAN;
    c[7] = d[2] / (double)span;
    c[8] = d[3] / (double)span;
    c[9] = d[4] / (double)span;
    c[10] = (double)f->iv_received / sim_s(span);
    f->iv_received = 0;
    for (uint32_t a_ = 0; a_ < f->nazs; a_++) {
        uint32_t n = 0;
        for (uint32_t i = 0; i < f->ninst; i++)
            n += f->inst[i]->state == I_IN_SERVICE && !f->inst[i]->host.comp.down &&
                 f->inst[i]->host.comp.az == (int)a_;
        c[11 + a_] = n;
    }
}

static void report_summary(struct sim *sim, void *ctx, double *row, int64_t span)
{
    struct fleet *f = ctx;
    double a[7];
    areas(f, sim->now, a);
    double *c = row + f->c_sum;
    c[2] = (double)f->launches;
    c[3] = (double)f->terminations;
    if (span <= 0) /* stopped before the warm-up ended: nothing was measured */
        return;
    double inst = a[0] - f->a_warm[0], running = a[6] - f->a_warm[6];
    c[0] = inst / (double)span;
    c[1] = running > 0 ? 100.0 * (a[1] - f->a_warm[1]) / (running * f->cfg->vcpus) : TS_NAN;
    c[4] = (a[5] - f->a_warm[5]) / 3.6e12; /* instance-hours billed after the warm-up */
    const struct prog_counts *n = &f->env.n, *w = &f->n_warm;
    c[5] = (double)(n->calls - w->calls);
    c[6] = (double)(n->attempts - w->attempts);
    c[7] = (double)(n->timeouts - w->timeouts);
    c[8] = (double)(n->failures - w->failures);
}

static void on_warmup_end(struct sim *sim, void *ctx, uint64_t arg)
{
    (void)arg;
    struct fleet *f = ctx;
    areas(f, sim->now, f->a_warm);
    f->n_warm = f->env.n;
}

/* --- faults ------------------------------------------------------------------------------------
 * (component.h's fault interface; docs/models/autoscaling.md#faults)
 * - Power loss (an AZ outage, AZ-6; an instance failure): the instance stops at once
 *   (host.comp.down); the requests it holds end with 502 and the work of calls it waits on
 *   goes on downstream; a pending launch is lost. It leaves the group's levels (in service,
 *   running, billed: a stopped instance is not billed) and its metrics. The group notices at
 *   its next EC2 health check, ec2_health_check_delay later: an instance that is not running
 *   is replaced at once, terminate then launch, not throttled (ASG-14, ASG-17, ASG-16: even
 *   within its grace period); the termination deregisters it from its load balancers as any
 *   other (the ALB sees `down` meanwhile).
 * - Launches into an AZ fail from its outage until its launches recover (AZ-6): see launch().
 * - When they recover, the group rebalances (ASG-6, ASG-7): see rebalance().
 * - A gray failure multiplies the CPU demands of its instances by `factor` (host_cpu); health
 *   checks do no CPU work, so they still pass. */

static const char *keep_cause(struct fleet *f, const char *cause)
{
    f->causes = ts_realloc(f->causes, (f->ncauses + 1u) * sizeof *f->causes);
    return f->causes[f->ncauses++] = ts_strdup(cause && *cause ? cause : "fault");
}

/* The instance loses power. */
static void power_off(struct sim *sim, struct instance *in, const char *cause)
{
    struct fleet *f = in->fleet;
    const char *az = f->azs[in->host.comp.az];
    in->host.comp.down = true;
    in->down_cause = cause;
    in->down_at = sim->now;
    tavg_add(&f->billed, sim->now, -1.0);
    if (in->state == I_PENDING) {
        sim_cancel(sim, in->boot_ev);
        in->boot_ev = 0;
        sim_log(sim, f->comp.name, "stopped",
                "i-%u in %s lost power while pending: its launch "
                "is lost: %s",
                in->id, az, cause);
        return;
    }
    bool draining = in->state == I_TERMINATING;
    if (!draining) {
        tavg_add(&f->in_service, sim->now, -1.0);
        sim_cancel(sim, in->grace_ev);
        in->grace_ev = 0;
    }
    tavg_add(&f->running, sim->now, -1.0);
    uint32_t held = in->host.held.n;
    kill_requests(sim, in, REQ_E502);
    sim_log(sim, f->comp.name, "stopped",
            "i-%u in %s lost power%s: %u requests it held ended "
            "with 502: %s",
            in->id, az, draining ? " while draining" : "", held, cause);
}

/* The group's EC2 health check: a stopped instance is replaced at once (ASG-14, ASG-17). */
static void on_ec2_check(struct sim *sim, void *ctx, uint64_t arg)
{
    (void)arg;
    struct fleet *f = ctx;
    uint32_t n = 0;
    for (uint32_t i = 0; i < f->ninst; i++) {
        struct instance *in = f->inst[i];
        if (!in->host.comp.down || (in->state != I_PENDING && in->state != I_IN_SERVICE) ||
            sim->now < in->down_at + f->cfg->ec2_health_check_delay)
            continue;
        char why[256];
        snprintf(why, sizeof why,
                 "not running (EC2 health check): replaced at once, terminate "
                 "then launch (ASG-14, ASG-17): %s",
                 in->down_cause);
        terminate(sim, in, why); /* a rebalancing launch is not replaced: not counted */
        n++;
    }
    if (!n) return;
    f->launch_tag = " (replaces a stopped instance)";
    reconcile(sim, f);
    f->launch_tag = NULL;
    rebalance(sim, f, false);
}

static void schedule_ec2_check(struct sim *sim, struct fleet *f)
{
    sim_after(sim, f->cfg->ec2_health_check_delay, on_ec2_check, f, 0);
}

/* Up to `count` instances in service, not stopped, not slowed by gray failure `gray` (0: any),
 * chosen at random (stream (name, "faults")) into out; returns how many. */
static uint32_t pick_instances(struct sim *sim, struct fleet *f, uint32_t count, uint32_t gray,
                               struct instance ***out)
{
    struct instance **cand = ts_malloc((f->ninst ? f->ninst : 1u) * sizeof *cand);
    uint32_t n = 0;
    for (uint32_t i = 0; i < f->ninst; i++) {
        struct instance *in = f->inst[i];
        if (in->state == I_IN_SERVICE && !in->host.comp.down && (!gray || in->gray_id != gray))
            cand[n++] = in;
    }
    if (count > n) count = n;
    struct instance **c = ts_malloc((count ? count : 1u) * sizeof *c);
    if (count) {
        if (!f->rng_faults) f->rng_faults = sim_rng(sim, f->comp.name, "faults");
        gsl_ran_choose(f->rng_faults, c, count, cand, n, sizeof *cand); /* in launch order */
    }
    free(cand);
    *out = c;
    return count;
}

/* "i-1 i-4 i-9" into buf (cut short with "..."). */
static const char *id_list(char *buf, size_t size, struct instance *const *in, uint32_t n)
{
    size_t len = 0;
    buf[0] = '\0';
    for (uint32_t k = 0; k < n; k++) {
        int w = snprintf(buf + len, size - len, "%si-%u", k ? " " : "", in[k]->id);
        if (w < 0 || (size_t)w >= size - len) {
            snprintf(buf + (size > 4 ? size - 4 : 0), size > 4 ? 4 : size, "...");
            break;
        }
        len += (size_t)w;
    }
    return buf;
}

/* "us-east-1a 0, us-east-1b 5" (pending and in service per AZ of the group) into buf. */
static const char *az_counts(const struct fleet *f, char *buf, size_t size)
{
    size_t len = 0;
    buf[0] = '\0';
    for (uint32_t a = 0; a < f->nazs && len < size; a++)
        if (f->uses_az[a]) {
            int w = snprintf(buf + len, size - len, "%s%s %u", len ? ", " : "", f->azs[a],
                             az_count(f, a));
            len += w > 0 ? (size_t)w : 0;
        }
    return buf;
}

/* Rebalancing after an AZ's launches recover (ASG-6, ASG-7): while the AZs that take
 * launches differ by more than one instance, the group launches into the one with the
 * fewest first; each such instance, once in service, lets one go from the AZ with the most
 * (rebalanced_one). Rebalancing launches are not counted toward desired, and at most
 * max(1, ceil(10 % of max)) are pending at once: the group exceeds max by no more. The
 * imbalance is judged on the counts as they will be once the pending ones are done. */
static void rebalance(struct sim *sim, struct fleet *f, bool start)
{
    if (!f->rebalancing) return;
    uint32_t allowance = (f->max + 9u) / 10u > 1u ? (f->max + 9u) / 10u : 1u;
    for (;;) {
        uint32_t *n = f->scratch, usable = 0;
        for (uint32_t a = 0; a < f->nazs; a++)
            n[a] = az_count(f, a);
        int lo = -1, hi = -1;
        for (uint32_t k = 0; k <= f->rebal_pending; k++) {
            hi = -1;
            for (uint32_t a = 0; a < f->nazs; a++)
                if (launchable(f, a) && (hi < 0 || n[a] > n[hi])) hi = (int)a;
            if (hi < 0) break;
            if (k < f->rebal_pending && n[hi] > 0)
                n[hi]--; /* the one a pending launch will let go */
        }
        for (uint32_t a = 0; a < f->nazs; a++)
            if (launchable(f, a)) {
                usable++;
                if (lo < 0 || n[a] < n[lo]) lo = (int)a;
            }
        char counts[256];
        if (usable < 2 || n[hi] <= n[lo] + 1u) {
            if (f->rebal_pending == 0) {
                f->rebalancing = false;
                if (!start)
                    sim_log(sim, f->comp.name, "rebalance", "rebalanced (%s): %s",
                            az_counts(f, counts, sizeof counts), f->rebal_cause);
            }
            return;
        }
        if (start) {
            sim_log(sim, f->comp.name, "rebalance",
                    "AZs out of balance (%s): launching in the AZ with the fewest first, then "
                    "terminating in the AZ with the most, up to %u over max %u (ASG-6, "
                    "ASG-7): %s",
                    az_counts(f, counts, sizeof counts), allowance, f->max, f->rebal_cause);
            start = false;
        }
        if (f->rebal_pending >= allowance) return;
        start_launch(sim, f, (uint32_t)lo, true);
    }
}

/* A rebalancing launch is in service (and healthy at its load balancers): one goes from the
 * AZ with the most (ASG-6). */
static void rebalanced_one(struct sim *sim, struct instance *in)
{
    struct fleet *f = in->fleet;
    if (count_active(f) > f->desired) {
        char why[256];
        snprintf(why, sizeof why,
                 "rebalancing: the AZ with the most instances, now that "
                 "i-%u serves in %s (ASG-6, ASG-7): %s",
                 in->id, f->azs[in->host.comp.az], f->rebal_cause);
        terminate(sim, victim(f), why);
    }
    rebalance(sim, f, false);
}

/* Give `in` the active gray failure of its AZ (the latest if several), if any. */
static void az_gray(const struct fleet *f, struct instance *in)
{
    for (uint32_t g = 0; g < f->ngrays; g++)
        if (f->grays[g].active && f->grays[g].az == in->host.comp.az) {
            in->gray_id = f->grays[g].id;
            in->slow = f->grays[g].factor;
        }
}

static uint32_t fault_az_down(struct sim *sim, struct fleet *f, const struct fault_action *a,
                              const char *cause)
{
    struct fleet_az *z = &f->az[a->az];
    z->down++;
    z->blocked++;
    z->cause = cause;
    uint32_t struck = 0, pending = 0;
    for (uint32_t i = 0; i < f->ninst; i++) {
        struct instance *in = f->inst[i];
        if (in->host.comp.az != a->az || in->state == I_TERMINATED || in->host.comp.down) continue;
        pending += in->state == I_PENDING;
        power_off(sim, in, cause);
        struck++;
    }
    if (!f->uses_az[a->az] && !struck) return 0;
    sim_log(sim, f->comp.name, "az_down",
            "power lost in %s: %u instances stopped (%u of them pending), launches there fail "
            "until they recover (AZ-6); stopped ones replaced at the group's EC2 check in "
            "%.0f s (ASG-14): %s",
            f->azs[a->az], struck, pending, sim_s(f->cfg->ec2_health_check_delay), cause);
    if (struck) schedule_ec2_check(sim, f);
    return struck;
}

static uint32_t fault_instances(struct sim *sim, struct fleet *f, const struct fault_action *a,
                                const char *cause)
{
    struct instance **c;
    uint32_t n = pick_instances(sim, f, a->count, 0, &c);
    char ids[256];
    sim_log(sim, f->comp.name, "instance_failure",
            "%u of %u instances asked for fail (%s); replaced at the group's EC2 check in %.0f s "
            "(ASG-14): %s",
            n, a->count, id_list(ids, sizeof ids, c, n), sim_s(f->cfg->ec2_health_check_delay),
            cause);
    for (uint32_t k = 0; k < n; k++)
        power_off(sim, c[k], cause);
    free(c);
    if (n) schedule_ec2_check(sim, f);
    return n;
}

static uint32_t fault_gray_start(struct sim *sim, struct fleet *f, const struct fault_action *a,
                                 const char *cause)
{
    if (!(a->factor > 0) || !isfinite(a->factor) || a->az >= (int)f->nazs) return 0;
    f->grays = ts_realloc(f->grays, (f->ngrays + 1u) * sizeof *f->grays);
    f->grays[f->ngrays++] = (struct gray){a->id, a->az, a->factor, true};
    uint32_t n = 0;
    char ids[256];
    if (a->az >= 0) {
        for (uint32_t i = 0; i < f->ninst; i++) {
            struct instance *in = f->inst[i];
            if (in->host.comp.az != a->az || in->state == I_TERMINATED || in->host.comp.down)
                continue;
            in->gray_id = a->id;
            in->slow = a->factor;
            n++;
        }
        if (!f->uses_az[a->az] && !n) return 0;
        sim_log(sim, f->comp.name, "gray_start",
                "%u instances in %s, and any launched there until it ends, do their CPU work "
                "%g times slower; health checks still pass: %s",
                n, f->azs[a->az], a->factor, cause);
        return n;
    }
    struct instance **c;
    n = pick_instances(sim, f, a->count, a->id, &c);
    for (uint32_t k = 0; k < n; k++) {
        c[k]->gray_id = a->id;
        c[k]->slow = a->factor;
    }
    sim_log(sim, f->comp.name, "gray_start",
            "%u of %u instances asked for (%s) do their CPU work %g times slower; health checks "
            "still pass: %s",
            n, a->count, id_list(ids, sizeof ids, c, n), a->factor, cause);
    free(c);
    return n;
}

static uint32_t fault_gray_end(struct sim *sim, struct fleet *f, const struct fault_action *a,
                               const char *cause)
{
    bool known = false;
    for (uint32_t g = 0; g < f->ngrays; g++)
        if (f->grays[g].id == a->id && f->grays[g].active) {
            f->grays[g].active = false;
            known = true;
        }
    if (!known) return 0;
    uint32_t n = 0;
    for (uint32_t i = 0; i < f->ninst; i++) {
        struct instance *in = f->inst[i];
        if (in->gray_id != a->id) continue;
        in->gray_id = 0;
        in->slow = 1.0;
        az_gray(f, in); /* another gray failure of its AZ may go on */
        n += in->state != I_TERMINATED;
    }
    sim_log(sim, f->comp.name, "gray_end", "%u instances do their CPU work at full speed again: %s",
            n, cause);
    return n;
}

static uint32_t fleet_fault(struct sim *sim, struct component *self, const struct fault_action *a)
{
    struct fleet *f = FLEET_OF(self, comp);
    bool zonal = a->op == FAULT_AZ_DOWN || a->op == FAULT_AZ_UP || a->op == FAULT_AZ_LAUNCHES;
    if (zonal && (a->az < 0 || (uint32_t)a->az >= f->nazs)) return 0;
    switch (a->op) {
    case FAULT_AZ_DOWN:
        return fault_az_down(sim, f, a, keep_cause(f, a->cause));
    case FAULT_AZ_UP: {
        struct fleet_az *z = &f->az[a->az];
        if (z->down) z->down--;
        if (f->uses_az[a->az])
            sim_log(sim, f->comp.name, "az_up",
                    "power back in %s; launches there fail until they recover (AZ-6): %s",
                    f->azs[a->az], a->cause ? a->cause : "fault");
        return 0;
    }
    case FAULT_AZ_LAUNCHES: {
        struct fleet_az *z = &f->az[a->az];
        if (z->blocked) z->blocked--;
        if (z->blocked || !f->uses_az[a->az]) return 0;
        const char *cause = keep_cause(f, a->cause);
        sim_log(sim, f->comp.name, "launches_ok", "launches into %s succeed again: %s",
                f->azs[a->az], cause);
        sim_cancel(sim, f->retry_ev);
        f->retry_ev = 0;
        reconcile(sim, f); /* what could not launch (balanced-only) goes there now */
        f->rebalancing = true;
        f->rebal_cause = cause;
        rebalance(sim, f, true);
        return 0;
    }
    case FAULT_INSTANCES:
        return fault_instances(sim, f, a, keep_cause(f, a->cause));
    case FAULT_GRAY_START:
        return fault_gray_start(sim, f, a, keep_cause(f, a->cause));
    case FAULT_GRAY_END:
        return fault_gray_end(sim, f, a, keep_cause(f, a->cause));
    case FAULT_FAILOVER:
    case FAULT_NODE:
    case FAULT_SHIFT_START:
    case FAULT_SHIFT_END:
        break;
    }
    return 0;
}

/* --- life --------------------------------------------------------------------------------------
 */

static void fleet_accept(struct sim *sim, struct component *self, struct request *r)
{
    /* a group is not an endpoint: only its instances serve (through a load balancer) */
    (void)self;
    comp_reply(sim, r, REQ_E502);
}

static const struct component_ops fleet_ops = {
    .type = "fleet",
    .accept = fleet_accept,
    .resume = NULL,
    .subscribe = fleet_subscribe,
    .health_report = fleet_health_report,
    .metric_id = fleet_metric_id,
    .metric = fleet_metric,
    .scalable = &fleet_scalable,
    .fault = fleet_fault,
};

double fleet_billed_seconds(const struct fleet *f, int64_t now, int64_t min_ns)
{
    /* one pass over the instances, at interval ends only; a sum of whole nanoseconds, so
     * the order of the additions changes nothing */
    int64_t ns = 0;
    for (uint32_t i = 0; i < f->ninst; i++) {
        const struct instance *in = f->inst[i];
        int64_t end = in->host.comp.down           ? in->down_at
                      : in->state == I_TERMINATED ? in->terminated_at
                                                  : now;
        int64_t life = end - in->launched;
        ns += life > min_ns ? life : min_ns;
    }
    return sim_s(ns);
}

struct component *fleet_component(struct fleet *f)
{
    return &f->comp;
}

struct fleet *fleet_new(struct sim *sim, const char *name, const struct fleet_config *c,
                        const char *const *azs, uint32_t nazs, struct req_pool *pool)
{
    struct fleet *f = ts_calloc(1, sizeof *f);
    f->comp.ops = &fleet_ops;
    f->comp.name = name;
    f->comp.az = -1;
    f->cfg = c;
    f->azs = azs;
    f->nazs = nazs ? nazs : 1u;
    f->uses_az = ts_calloc(f->nazs, sizeof *f->uses_az);
    f->az = ts_calloc(f->nazs, sizeof *f->az);
    f->scratch = ts_calloc(f->nazs, sizeof *f->scratch);
    for (uint32_t a = 0; a < f->nazs; a++) {
        f->uses_az[a] = c->navailability_zones == 0;
        for (uint32_t k = 0; k < c->navailability_zones; k++)
            f->uses_az[a] |= strcmp(c->availability_zones[k], azs[a]) == 0;
    }
    f->pool = pool;
    f->rng_boot = sim_rng(sim, name, "boot");
    f->rng_terminate = sim_rng(sim, name, "terminate");
    f->min = c->min_size;
    f->max = c->max_size;
    f->desired = c->desired_capacity;
    return f;
}

void fleet_start(struct sim *sim, struct fleet *f, const char *const *classes,
                 uint32_t nclasses, prog_lookup_fn lookup, void *lookup_ctx)
{
    const char *n = f->comp.name;
    prog_env_init(&f->env, sim, n, &host_ops, f->cfg->handlers, f->cfg->nhandlers, classes,
                  nclasses, lookup, lookup_ctx);
    f->c_ts = sim_column(&sim->ts, 0, "%s.desired", n);
    sim_column(&sim->ts, 0, "%s.pending", n);
    sim_column(&sim->ts, 0, "%s.in_service", n);
    sim_column(&sim->ts, 0, "%s.warming", n);
    sim_column(&sim->ts, 0, "%s.draining", n);
    sim_column(&sim->ts, 0, "%s.healthy", n);
    sim_column(&sim->ts, 2, "%s.cpu_pct", n);
    sim_column(&sim->ts, 3, "%s.busy_workers", n);
    sim_column(&sim->ts, 3, "%s.queued", n);
    sim_column(&sim->ts, 3, "%s.cpu_queue", n);
    sim_column(&sim->ts, 3, "%s.requests_rps", n);
    for (uint32_t a = 0; a < f->nazs; a++)
        sim_column(&sim->ts, 0, "%s.in_service.%s", n, f->azs[a]);
    sim_reporter(&sim->ts, report_ts, f);
    f->c_sum = sim_column(&sim->summary, 3, "%s.instances_mean", n);
    sim_column(&sim->summary, 2, "%s.cpu_pct_mean", n);
    sim_column(&sim->summary, 0, "%s.launches", n);
    sim_column(&sim->summary, 0, "%s.terminations", n);
    sim_column(&sim->summary, 3, "%s.instance_hours", n);
    sim_column(&sim->summary, 0, "%s.calls", n);
    sim_column(&sim->summary, 0, "%s.call_attempts", n);
    sim_column(&sim->summary, 0, "%s.call_timeouts", n);
    sim_column(&sim->summary, 0, "%s.call_failures", n);
    sim_reporter(&sim->summary, report_summary, f);
    /* the initial capacity: an established group, in service and warm at time 0 */
    for (uint32_t i = 0; i < f->desired; i++) {
        struct instance *in = new_instance(f, (uint32_t)launch_az(f, false), sim->now);
        in_service(sim, in, "(initial capacity)", true);
    }
    sim_at(sim, sim->warmup, on_warmup_end, f, 0);
}

void fleet_free(struct fleet *f)
{
    if (!f)
        return;
    for (uint32_t i = 0; i < f->ninst; i++)
        free(f->inst[i]);
    free(f->inst);
    prog_env_release(&f->env);
    free(f->listeners);
    free(f->uses_az);
    free(f->az);
    free(f->scratch);
    for (uint32_t i = 0; i < f->ncauses; i++)
        free(f->causes[i]);
    free(f->causes);
    free(f->grays);
    free(f);
}
