/* test_fleet_faults.c — the fleet's fault op driven directly: a simulation, a request pool
 * without network, one Auto Scaling group, and a stand-in load balancer (registers the
 * instances, sends requests round robin to the registered ones that are not down, sends
 * health checks, drains at once) whose resume records the answers. Faults are called
 * through ops->fault at set times, as models/faults.c will.
 *
 * Checks (docs/models/autoscaling.md#faults):
 * - AZ outage, balanced-best-effort: the AZ's instances stop at once (down), what they held
 *   ends with 502, the group's in_service drops; at the EC2 check (60 s later) each is
 *   terminated and replaced at once (ASG-14, ASG-17) in the other AZs (ASG-4, ASG-5), every
 *   attempt into the lost AZ logged as a failed launch; nothing is launched there until its
 *   launches recover (AZ-6); then the group rebalances, launching first and never more than
 *   max + max(1, ceil(10 % of max)) pending and in service (ASG-6, ASG-7), back to an even
 *   spread.
 * - balanced-only: the capacity stays short, the launch retried every launch_retry_interval,
 *   and comes back into the recovered AZ.
 * - Instance failure: `count` instances stop and are replaced at the EC2 check.
 * - Gray failure: CPU-bound latency of the AZ's instances goes up by the factor, launches
 *   into the AZ are slow too, health checks all pass, the end restores the speed; the
 *   count form slows that many instances.
 * - Conservation (every request answered once), determinism (two runs, identical event
 *   logs) and no draw from the new stream when no fault happens. */
#include "check.h"

#include "tiersim/arena.h"
#include "tiersim/csvw.h"
#include "tiersim/models/fleet.h"
#include "tiersim/scn.h"
#include "tiersim/stats.h"

#include <gsl/gsl_randist.h>
#include <stdlib.h>
#include <string.h>

#define S(x) ((int64_t)((x)*1e9 + 0.5)) /* ns from seconds (test constants) */

static const char *const AZS[] = {"us-east-1a", "us-east-1b", "us-east-1c"};
static const char *const CLASSES[] = {"default"};

/* --- a stand-in load balancer -------------------------------------------------------------- */

#define MAXT 256

struct tlb {
    struct component comp;
    struct req_pool *pool;
    struct component *t[MAXT];
    bool reg[MAXT];
    drained_fn done[MAXT];
    void *done_ctx[MAXT];
    uint32_t n, rr;
    uint64_t seq;
    /* answers */
    uint64_t sent, answered, ok, e502, e503, other;
    uint64_t e502_at_fault; /* 502s in the instant of the fault (`fault_at`) */
    int64_t fault_at;
    uint64_t probes, probes_failed;
    struct welford lat[MAXT]; /* s, OK answers sent within [from, to) */
    int64_t from, to;
    struct component *group; /* told a new target is healthy LB_INITIAL after it registers */
};

/* A new target's initial checks, as the stand-in has them: it reports it healthy this long
 * after registration (a rebalancing launch lets an old instance go only then). */
#define LB_INITIAL S(30)

static void lb_accept(struct sim *sim, struct component *self, struct request *r)
{
    (void)sim;
    (void)self;
    (void)r;
    TS_ASSERT(0 && "the stand-in load balancer is never called");
}

static void lb_resume(struct sim *sim, struct component *self, struct request *r)
{
    struct tlb *lb = (struct tlb *)self;
    uint32_t t = (uint32_t)(r->id & 0xff);
    if (r->probe) {
        lb->probes_failed += r->status != REQ_OK || sim->now - r->t_arrival > S(5);
        req_free(lb->pool, r);
        return;
    }
    lb->answered++;
    switch (r->status) {
    case REQ_OK:
        lb->ok++;
        if (r->t_arrival >= lb->from && r->t_arrival < lb->to)
            welford_add(&lb->lat[t], sim_s(sim->now - r->t_arrival));
        break;
    case REQ_E502:
        lb->e502++;
        lb->e502_at_fault += sim->now == lb->fault_at;
        break;
    case REQ_E503:
        lb->e503++;
        break;
    default:
        lb->other++;
        break;
    }
    req_free(lb->pool, r);
}

static const struct component_ops lb_ops = {
    .type = "test-lb",
    .accept = lb_accept,
    .resume = lb_resume,
};

static void on_lb_initial(struct sim *sim, void *ctx, uint64_t i)
{
    struct tlb *lb = ctx;
    if (lb->reg[i] && !lb->t[i]->down)
        lb->group->ops->health_report(sim, lb->group, lb->t[i], true);
}

static void lb_added(struct sim *sim, void *ctx, struct component *target, bool established)
{
    struct tlb *lb = ctx;
    TS_ASSERT(lb->n < MAXT);
    lb->t[lb->n] = target;
    lb->reg[lb->n] = true;
    if (!established)
        sim_after(sim, LB_INITIAL, on_lb_initial, lb, lb->n);
    lb->n++;
}

static void on_lb_drained(struct sim *sim, void *ctx, uint64_t i)
{
    struct tlb *lb = ctx;
    lb->done[i](sim, lb->done_ctx[i], lb->t[i]);
}

static void lb_removed(struct sim *sim, void *ctx, struct component *target, drained_fn done,
                       void *done_ctx)
{
    struct tlb *lb = ctx;
    for (uint32_t i = 0; i < lb->n; i++)
        if (lb->t[i] == target && lb->reg[i]) {
            lb->reg[i] = false;
            lb->done[i] = done;
            lb->done_ctx[i] = done_ctx;
            sim_at(sim, sim->now, on_lb_drained, lb, i);
            return;
        }
    TS_ASSERT(0 && "removed: not a registered target");
}

/* Stands for the ALB's view: a target that lost power fails its checks. */
static bool lb_healthy(const void *ctx, const struct component *target)
{
    (void)ctx;
    return !target->down;
}

static void lb_send(struct sim *sim, struct tlb *lb, uint32_t t, bool probe)
{
    struct request *r = req_new(lb->pool);
    r->id = (++lb->seq << 8) | t;
    r->t_arrival = sim->now;
    r->probe = probe;
    r->depth = 1;
    r->stack[0] = (struct frame){.comp = &lb->comp, .az = -1};
    if (probe)
        lb->probes++;
    else
        lb->sent++;
    comp_call(sim, r, lb->t[t]);
}

/* One request to the next registered target that is not down (none: not sent). */
static void lb_request(struct sim *sim, struct tlb *lb)
{
    for (uint32_t k = 0; k < lb->n; k++) {
        uint32_t t = (lb->rr + k) % lb->n;
        if (lb->reg[t] && !lb->t[t]->down) {
            lb->rr = t + 1;
            lb_send(sim, lb, t, false);
            return;
        }
    }
}

/* --- the fixture ----------------------------------------------------------------------------- */

struct fx {
    struct sim sim;
    struct req_pool pool;
    struct arena arena;
    struct fleet_config cfg;
    struct fleet *fleet;
    struct component *fc;
    struct tlb lb;
    struct csvw ev;
    char events[64];
    /* traffic */
    double rate;
    int64_t until;
    gsl_rng *arrivals;
    /* sampled every second */
    uint32_t most_active; /* pending + in service */
    uint32_t fewest_in_service;
    int64_t sample_from;
};

static bool read_fleet(struct scn_obj *o, void *c, struct arena *a)
{
    return fleet_config_from_json(o, c, a);
}

/* Read an object from JSON text (as the world would, "type" already read). */
static bool parse(const char *json, struct fleet_config *c, struct arena *a)
{
    return check_parse(json, read_fleet, c, a);
}

static struct component *no_lookup(void *ctx, const char *name)
{
    (void)ctx;
    (void)name;
    return NULL;
}

static void on_arrival(struct sim *sim, void *ctx, uint64_t arg)
{
    (void)arg;
    struct fx *f = ctx;
    lb_request(sim, &f->lb);
    int64_t t = sim->now + sim_ns(gsl_ran_exponential(f->arrivals, 1.0 / f->rate));
    if (t < f->until) sim_at(sim, t, on_arrival, f, 0);
}

static void on_probe(struct sim *sim, void *ctx, uint64_t arg)
{
    (void)arg;
    struct fx *f = ctx;
    for (uint32_t t = 0; t < f->lb.n; t++)
        if (f->lb.reg[t] && !f->lb.t[t]->down) lb_send(sim, &f->lb, t, true);
    if (sim->now + S(10) < f->until) sim_after(sim, S(10), on_probe, f, 0);
}

static void on_sample(struct sim *sim, void *ctx, uint64_t arg)
{
    (void)arg;
    struct fx *f = ctx;
    struct asg_status st;
    f->fc->ops->scalable->status(f->fc, sim->now, &st);
    if (st.pending + st.in_service > f->most_active) f->most_active = st.pending + st.in_service;
    if (sim->now >= f->sample_from && st.in_service < f->fewest_in_service)
        f->fewest_in_service = st.in_service;
    if (sim->now + S(1) < f->until) sim_after(sim, S(1), on_sample, f, 0);
}

static void setup(struct fx *f, const char *json, uint64_t seed, double rate, int64_t until,
                  const char *events)
{
    memset(f, 0, sizeof *f);
    sim_init(&f->sim, seed);
    f->sim.warmup = 0;
    f->arena = (struct arena)ARENA_INIT;
    bool ok = parse(json, &f->cfg, &f->arena);
    CHECK(ok, "the configuration does not read: %s", json);
    if (!ok) exit(check_done());
    snprintf(f->events, sizeof f->events, "%s", events);
    CHECK_EQ_INT(csvw_open(&f->ev, f->events), 0);
    csvw_str(&f->ev, "t_s");
    csvw_str(&f->ev, "component");
    csvw_str(&f->ev, "event");
    csvw_str(&f->ev, "detail");
    csvw_end_row(&f->ev);
    f->sim.events_out = &f->ev;
    f->fleet = fleet_new(&f->sim, "web", &f->cfg, AZS, 3, &f->pool);
    f->fc = fleet_component(f->fleet);
    f->lb.comp = (struct component){.ops = &lb_ops, .name = "lb", .az = -1};
    f->lb.group = f->fc;
    f->lb.pool = &f->pool;
    f->lb.fault_at = -1;
    f->lb.to = INT64_MAX;
    struct target_listener l = {lb_added, lb_removed, lb_healthy, &f->lb};
    CHECK_EQ_INT(f->fc->ops->subscribe(&f->sim, f->fc, &l), 0);
    fleet_start(&f->sim, f->fleet, CLASSES, 1, no_lookup, NULL);
    f->rate = rate;
    f->until = until;
    f->arrivals = sim_rng(&f->sim, "test", "arrivals");
    f->fewest_in_service = UINT32_MAX;
    sim_at(&f->sim, 0, on_arrival, f, 0);
    sim_at(&f->sim, 0, on_sample, f, 0);
}

/* Run to the end with no more traffic, so that every request is answered; close the log. */
static void finish(struct fx *f)
{
    sim_run(&f->sim, f->until + S(600));
    CHECK(f->lb.answered == f->lb.sent, "every request answered once: %llu sent, %llu answered",
          (unsigned long long)f->lb.sent, (unsigned long long)f->lb.answered);
    CHECK_EQ_INT(f->pool.live, 0);
    CHECK_EQ_INT(csvw_commit(&f->ev), 0);
}

static void teardown(struct fx *f)
{
    fleet_free(f->fleet);
    sim_release(&f->sim);
    fleet_config_release(&f->cfg);
    arena_release(&f->arena);
    req_pool_release(&f->pool);
}

/* A fault at time t (the action is copied). */
struct at_fault {
    struct fx *f;
    struct fault_action a;
    uint32_t struck;
    bool done;
};

static void on_fault(struct sim *sim, void *ctx, uint64_t arg)
{
    (void)arg;
    struct at_fault *af = ctx;
    af->struck = af->f->fc->ops->fault(sim, af->f->fc, &af->a);
    af->done = true;
}

static void fault_at(struct fx *f, struct at_fault *af, int64_t t, struct fault_action a)
{
    af->f = f;
    af->a = a;
    sim_at(&f->sim, t, on_fault, af, 0);
}

static uint32_t in_service_in(struct fx *f, int az)
{
    struct asg_status st;
    f->fc->ops->scalable->status(f->fc, f->sim.now, &st);
    (void)st;
    uint32_t n = 0;
    for (uint32_t t = 0; t < f->lb.n; t++)
        n += f->lb.reg[t] && !f->lb.t[t]->down && f->lb.t[t]->az == az;
    return n;
}

/* Rows of events.csv: kind `event`, detail containing `needle` (NULL: any), t in [t0, t1). */
static int count_events(const struct check_table *ev, const char *event, const char *needle,
                        double t0, double t1)
{
    int n = 0;
    for (uint32_t r = 0; r < ev->nrows; r++) {
        double t = check_num(ev, r, 0);
        if (t >= t0 && t < t1 && strcmp(check_cell(ev, r, 2), event) == 0 &&
            (!needle || strstr(check_cell(ev, r, 3), needle)))
            n++;
    }
    return n;
}

static double first_event(const struct check_table *ev, const char *event, const char *needle,
                          double t0)
{
    for (uint32_t r = 0; r < ev->nrows; r++) {
        double t = check_num(ev, r, 0);
        if (t >= t0 && strcmp(check_cell(ev, r, 2), event) == 0 &&
            (!needle || strstr(check_cell(ev, r, 3), needle)))
            return t;
    }
    return -1;
}

/* --- the scenarios ---------------------------------------------------------------------------- */

/* Twelve instances of one vCPU, four per AZ, at max; requests of 2 s of waiting (an
 * external call) then 200 ms of CPU (at 20 per s: a third busy, 3.7 requests held per
 * instance), or of CPU only (CPU). Boot 30 s + bootstrap 30 s, no warm-up. */
#define WAIT_CPU                                                                                   \
    "[ { \"delay\": { \"dist\": \"const\", \"value\": 2 } },"                                      \
    "  { \"cpu\": { \"dist\": \"const\", \"value\": 0.2 } } ]"
#define CPU "[ { \"cpu\": { \"dist\": \"const\", \"value\": 0.2 } } ]"
#define GROUP(asg_extra, handler)                                                                  \
    "{ \"type\": \"fleet\","                                                                       \
    "  \"instance\": { \"vcpus\": 1, \"workers\": 20, \"backlog\": 50,"                            \
    "    \"boot\": { \"dist\": \"const\", \"value\": 30 },"                                        \
    "    \"bootstrap\": { \"dist\": \"const\", \"value\": 30 } },"                                 \
    "  \"asg\": { \"min_size\": 12, \"max_size\": 12, \"health_check_type\": \"ELB\","             \
    "    \"default_instance_warmup\": 0 " asg_extra " },"                                          \
    "  \"handlers\": { \"default\": " handler " } }"

/* The outage: us-east-1a down at 600 s, power back at 1800 s, launches back at 2400 s. */
static void az_outage(struct fx *f, struct at_fault af[3])
{
    fault_at(f, &af[0], S(600),
             (struct fault_action){
                 .op = FAULT_AZ_DOWN, .id = 1, .az = 0, .cause = "fault 1 az_outage us-east-1a"});
    fault_at(f, &af[1], S(1800),
             (struct fault_action){
                 .op = FAULT_AZ_UP, .id = 1, .az = 0, .cause = "fault 1 az_outage us-east-1a"});
    fault_at(
        f, &af[2], S(2400),
        (struct fault_action){
            .op = FAULT_AZ_LAUNCHES, .id = 1, .az = 0, .cause = "fault 1 az_outage us-east-1a"});
    f->lb.fault_at = S(600);
}

static void test_az_outage_best_effort(const char *events, uint64_t seed)
{
    struct fx f;
    setup(&f, GROUP("", WAIT_CPU), seed, 20, S(3600), events);
    struct at_fault af[3];
    az_outage(&f, af);
    sim_run(&f.sim, S(600) - 1);
    CHECK_EQ_INT(in_service_in(&f, 0), 4);
    sim_run(&f.sim, S(600));
    CHECK(af[0].done, "the outage happened");
    CHECK_EQ_INT(af[0].struck, 4);
    /* stopped at once, what they held answered 502 */
    uint32_t down = 0;
    for (uint32_t t = 0; t < f.lb.n; t++)
        down += f.lb.t[t]->down;
    CHECK_EQ_INT(down, 4);
    struct asg_status st;
    f.fc->ops->scalable->status(f.fc, f.sim.now, &st);
    CHECK_EQ_INT(st.in_service, 8);
    CHECK_EQ_INT(st.desired, 12);
    CHECK(f.lb.e502_at_fault > 0, "requests in flight on the lost instances end with 502 (%llu)",
          (unsigned long long)f.lb.e502_at_fault);
    /* replaced at the EC2 check, 60 s later, in the other AZs: 6 and 6 */
    sim_run(&f.sim, S(660) + S(61));
    CHECK_EQ_INT(in_service_in(&f, 0), 0);
    CHECK_EQ_INT(in_service_in(&f, 1), 6);
    CHECK_EQ_INT(in_service_in(&f, 2), 6);
    f.fc->ops->scalable->status(f.fc, f.sim.now, &st);
    CHECK_EQ_INT(st.in_service, 12);
    /* still no instance in us-east-1a at the end of the power loss, nor until launches
     * recover */
    sim_run(&f.sim, S(2400) - 1);
    CHECK_EQ_INT(in_service_in(&f, 0), 0);
    f.sample_from = S(2400);
    f.fewest_in_service = UINT32_MAX;
    f.most_active = 0;
    sim_run(&f.sim, S(3600));
    CHECK_EQ_INT(in_service_in(&f, 0), 4);
    CHECK_EQ_INT(in_service_in(&f, 1), 4);
    CHECK_EQ_INT(in_service_in(&f, 2), 4);
    /* ASG-7: max 12 -> an allowance of max(1, ceil(1.2)) = 2 */
    CHECK(f.most_active <= 14 && f.most_active > 12,
          "rebalancing went over max by at most 2: at most %u pending and in service",
          f.most_active);
    CHECK(f.fewest_in_service >= 12,
          "launch before terminate: never fewer than 12 in service "
          "while rebalancing (%u)",
          f.fewest_in_service);
    finish(&f);
    printf("AZ outage (best effort): 4 stopped, %llu answered 502 at once; rebalancing: at most "
           "%u pending and in service (max 12 + 2)\n",
           (unsigned long long)f.lb.e502_at_fault, f.most_active);

    struct check_table ev;
    check_table_load(&ev, ".", events);
    CHECK_EQ_INT(count_events(&ev, "stopped", "fault 1 az_outage us-east-1a", 600, 600.001), 4);
    CHECK_EQ_INT(count_events(&ev, "az_down", "fault 1 az_outage", 600, 600.001), 1);
    /* terminate then launch at the check (ASG-14, ASG-17): 4 failed attempts into 1a, 4
     * launches elsewhere */
    CHECK_EQ_INT(count_events(&ev, "terminating", "not running (EC2 health check)", 660, 660.001),
                 4);
    CHECK_EQ_INT(count_events(&ev, "launch_failed", "into us-east-1a", 660, 660.001), 4);
    CHECK_EQ_INT(count_events(&ev, "launch", "replaces a stopped instance", 660, 660.001), 4);
    CHECK_EQ_INT(count_events(&ev, "launch", "in us-east-1a", 600, 2400), 0);
    CHECK_EQ_INT(count_events(&ev, "launch_failed", NULL, 661, 3600), 0);
    CHECK_EQ_INT(count_events(&ev, "az_up", "fault 1", 1800, 1800.001), 1);
    CHECK_EQ_INT(count_events(&ev, "launches_ok", "fault 1", 2400, 2400.001), 1);
    /* rebalancing: four launches into 1a, the first two at once (the allowance), each
     * followed by a termination in the AZ with the most once it is in service and its load
     * balancer finds it healthy */
    CHECK_EQ_INT(count_events(&ev, "launch", "(rebalancing", 2400, 3600), 4);
    CHECK_EQ_INT(count_events(&ev, "launch", "(rebalancing", 2400, 2400.001), 2);
    CHECK_EQ_INT(count_events(&ev, "terminating", "rebalancing", 2400, 3600), 4);
    double first_term = first_event(&ev, "terminating", "rebalancing", 2400);
    CHECK_NEAR(first_term, 2490, 0.001); /* launch first: the 60 s boot, then its checks */
    CHECK_EQ_INT(count_events(&ev, "rebalance", "rebalanced", 2400, 3600), 1);
    CHECK_EQ_INT(count_events(&ev, "rebalance", "out of balance", 2400, 2400.001), 1);
    check_table_free(&ev);
    teardown(&f);
}

static void test_az_outage_balanced_only(void)
{
    struct fx f;
    setup(&f, GROUP(", \"capacity_distribution_strategy\": \"balanced-only\"", WAIT_CPU), 5, 20,
          S(3600), "ff_balanced_only.csv");
    struct at_fault af[3];
    az_outage(&f, af);
    f.sample_from = S(661);
    sim_run(&f.sim, S(2400) - 1);
    struct asg_status st;
    f.fc->ops->scalable->status(f.fc, f.sim.now, &st);
    CHECK_EQ_INT(st.in_service, 8);
    CHECK_EQ_INT(st.pending, 0);
    CHECK_EQ_INT(st.desired, 12);
    CHECK_EQ_INT(f.fewest_in_service, 8);
    sim_run(&f.sim, S(2400) + S(61));
    CHECK_EQ_INT(in_service_in(&f, 0), 4);
    f.fc->ops->scalable->status(f.fc, f.sim.now, &st);
    CHECK_EQ_INT(st.in_service, 12);
    finish(&f);
    struct check_table ev;
    check_table_load(&ev, ".", "ff_balanced_only.csv");
    /* the first attempt at 660 s, then one every 60 s until 2400 s: 660, 720, ..., 2340 */
    int failed = count_events(&ev, "launch_failed", "balanced-only", 600, 2400);
    CHECK_EQ_INT(failed, 29);
    CHECK_EQ_INT(count_events(&ev, "launch", NULL, 600, 2400), 0);
    CHECK_EQ_INT(count_events(&ev, "launch", "in us-east-1a", 2400, 2400.001), 4);
    CHECK_EQ_INT(count_events(&ev, "launch", "(rebalancing", 2400, 4200), 0);
    printf("AZ outage (balanced-only): 8 of 12 in service for the outage, %d failed launches, "
           "the 4 launched into us-east-1a when its launches recover\n",
           failed);
    check_table_free(&ev);
    teardown(&f);
}

static void test_instance_failure(void)
{
    struct fx f;
    setup(&f, GROUP("", WAIT_CPU), 9, 20, S(1800), "ff_instances.csv");
    struct at_fault af;
    fault_at(&f, &af, S(600),
             (struct fault_action){.op = FAULT_INSTANCES,
                                   .id = 2,
                                   .az = -1,
                                   .count = 2,
                                   .cause = "fault 2 instance_failure web"});
    f.lb.fault_at = S(600);
    sim_run(&f.sim, S(600));
    CHECK_EQ_INT(af.struck, 2);
    struct asg_status st;
    f.fc->ops->scalable->status(f.fc, f.sim.now, &st);
    CHECK_EQ_INT(st.in_service, 10);
    CHECK(f.lb.e502_at_fault > 0, "the failed instances' requests end with 502");
    sim_run(&f.sim, S(660));
    f.fc->ops->scalable->status(f.fc, f.sim.now, &st);
    CHECK_EQ_INT(st.pending, 2); /* replaced at once: both together, not one at a time */
    sim_run(&f.sim, S(721));
    f.fc->ops->scalable->status(f.fc, f.sim.now, &st);
    CHECK_EQ_INT(st.in_service, 12);
    finish(&f);
    struct check_table ev;
    check_table_load(&ev, ".", "ff_instances.csv");
    CHECK_EQ_INT(count_events(&ev, "instance_failure", "fault 2 instance_failure", 600, 600.001),
                 1);
    CHECK_EQ_INT(count_events(&ev, "stopped", "fault 2", 600, 600.001), 2);
    CHECK_EQ_INT(count_events(&ev, "terminating", "not running", 660, 660.001), 2);
    CHECK_EQ_INT(count_events(&ev, "launch", "replaces a stopped instance", 660, 660.001), 2);
    CHECK_EQ_INT(count_events(&ev, "unhealthy", NULL, 0, 1e9), 0);
    check_table_free(&ev);
    /* more than there are: all of them, and the count says so */
    struct fx g;
    setup(&g, GROUP("", WAIT_CPU), 9, 0.5, S(900), "ff_instances_all.csv");
    struct at_fault all;
    fault_at(&g, &all, S(60),
             (struct fault_action){.op = FAULT_INSTANCES,
                                   .id = 1,
                                   .az = -1,
                                   .count = 50,
                                   .cause = "fault 1 instance_failure web"});
    sim_run(&g.sim, S(60));
    CHECK_EQ_INT(all.struck, 12);
    sim_run(&g.sim, S(181));
    g.fc->ops->scalable->status(g.fc, g.sim.now, &st);
    CHECK_EQ_INT(st.in_service, 12);
    finish(&g);
    teardown(&g);
    teardown(&f);
}

/* A launch pending in the AZ when it loses power is lost, and replaced at the EC2 check. */
static void test_pending_lost(void)
{
    struct fx f;
    setup(&f, GROUP("", WAIT_CPU), 21, 20, S(1200), "ff_pending.csv");
    struct at_fault af;
    fault_at(&f, &af, S(600),
             (struct fault_action){
                 .op = FAULT_AZ_DOWN, .id = 1, .az = 0, .cause = "fault 1 az_outage us-east-1a"});
    sim_run(&f.sim, S(570));
    /* 12 -> 15: one launch into each AZ, pending until 630 s */
    f.fc->ops->scalable->set_capacity(&f.sim, f.fc, -1, 15, 15, "test: scale out");
    sim_run(&f.sim, S(600));
    CHECK_EQ_INT(af.struck, 5);
    struct asg_status st;
    f.fc->ops->scalable->status(f.fc, f.sim.now, &st);
    CHECK_EQ_INT(st.pending, 2);
    CHECK_EQ_INT(st.in_service, 8);
    sim_run(&f.sim, S(631));
    f.fc->ops->scalable->status(f.fc, f.sim.now, &st);
    CHECK_EQ_INT(st.in_service, 10); /* the lost launch never comes into service */
    sim_run(&f.sim, S(721));
    f.fc->ops->scalable->status(f.fc, f.sim.now, &st);
    CHECK_EQ_INT(st.in_service, 15);
    CHECK_EQ_INT(in_service_in(&f, 0), 0);
    finish(&f);
    struct check_table ev;
    check_table_load(&ev, ".", "ff_pending.csv");
    CHECK_EQ_INT(count_events(&ev, "stopped", "while pending: its launch is lost", 600, 600.001),
                 1);
    CHECK_EQ_INT(count_events(&ev, "terminated", "fault 1 az_outage", 660, 660.001), 5);
    CHECK_EQ_INT(count_events(&ev, "launch", "replaces a stopped instance", 660, 660.001), 5);
    check_table_free(&ev);
    teardown(&f);
}

/* Light load (2 % busy): a request's latency is its CPU time, 200 ms, unless slowed. */
static void test_gray(void)
{
    struct fx f;
    setup(&f, GROUP("", CPU), 13, 1, S(2400), "ff_gray.csv");
    sim_at(&f.sim, 0, on_probe, &f, 0);
    struct at_fault af[4];
    fault_at(&f, &af[0], S(600),
             (struct fault_action){.op = FAULT_GRAY_START,
                                   .id = 4,
                                   .az = 1,
                                   .factor = 5,
                                   .cause = "fault 4 gray_failure web"});
    fault_at(&f, &af[1], S(1500),
             (struct fault_action){
                 .op = FAULT_GRAY_END, .id = 4, .az = 1, .cause = "fault 4 gray_failure web"});
    f.lb.from = S(610);
    f.lb.to = S(1490);
    sim_run(&f.sim, S(700));
    CHECK_EQ_INT(af[0].struck, 4);
    /* a launch into the gray AZ during the fault is slow too: desired 12 -> 15 launches one
     * into each AZ (ASG-4) */
    f.fc->ops->scalable->set_capacity(&f.sim, f.fc, -1, 15, 15, "test: scale out");
    sim_run(&f.sim, S(1500));
    struct welford slow = WELFORD_INIT, fast = WELFORD_INIT, late = WELFORD_INIT;
    for (uint32_t t = 0; t < f.lb.n; t++) {
        struct welford *w = &f.lb.lat[t];
        if (!w->n) continue;
        bool launched = t >= 12;
        struct welford *into = f.lb.t[t]->az == 1 ? (launched ? &late : &slow) : &fast;
        /* merge means (weights n) */
        double n = (double)(into->n + w->n);
        into->mean = (into->mean * (double)into->n + w->mean * (double)w->n) / n;
        into->n += w->n;
    }
    printf("gray failure x5 on us-east-1b: mean latency %.3f s there (%llu requests), %.3f s "
           "elsewhere (%llu), %.3f s on the instance launched there during it (%llu)\n",
           slow.mean, (unsigned long long)slow.n, fast.mean, (unsigned long long)fast.n, late.mean,
           (unsigned long long)late.n);
    CHECK(slow.n > 100 && fabs(slow.mean / 0.2 - 5) < 0.5, "gray AZ: %.3f s, about 5 x 0.2 s",
          slow.mean);
    CHECK(fast.n > 100 && fabs(fast.mean - 0.2) < 0.01, "other AZs: %.3f s", fast.mean);
    CHECK(late.n > 10 && fabs(late.mean / 0.2 - 5) < 0.5, "launched into the gray AZ: %.3f s",
          late.mean);
    /* after the end: full speed everywhere */
    for (uint32_t t = 0; t < f.lb.n; t++)
        f.lb.lat[t] = (struct welford)WELFORD_INIT;
    f.lb.from = S(1510);
    f.lb.to = S(2400);
    finish(&f);
    struct welford after = WELFORD_INIT;
    for (uint32_t t = 0; t < f.lb.n; t++)
        if (f.lb.lat[t].n && f.lb.t[t]->az == 1) {
            double n = (double)(after.n + f.lb.lat[t].n);
            after.mean =
                (after.mean * (double)after.n + f.lb.lat[t].mean * (double)f.lb.lat[t].n) / n;
            after.n += f.lb.lat[t].n;
        }
    CHECK(after.n > 50 && fabs(after.mean - 0.2) < 0.01, "us-east-1b after the end: %.3f s",
          after.mean);
    CHECK(f.lb.probes > 1000, "health checks sent: %llu", (unsigned long long)f.lb.probes);
    CHECK_EQ_INT(f.lb.probes_failed, 0);
    CHECK_EQ_INT(af[1].struck, 5);
    struct check_table ev;
    check_table_load(&ev, ".", "ff_gray.csv");
    CHECK_EQ_INT(count_events(&ev, "gray_start", "fault 4 gray_failure", 600, 600.001), 1);
    CHECK_EQ_INT(count_events(&ev, "gray_end", "fault 4 gray_failure", 1500, 1500.001), 1);
    CHECK_EQ_INT(count_events(&ev, "unhealthy", NULL, 0, 1e9), 0);
    CHECK_EQ_INT(count_events(&ev, "stopped", NULL, 0, 1e9), 0);
    check_table_free(&ev);
    teardown(&f);

    /* the count form: one instance of twelve */
    struct fx g;
    setup(&g, GROUP("", CPU), 13, 4, S(1200), "ff_gray_count.csv");
    struct at_fault one;
    fault_at(&g, &one, S(100),
             (struct fault_action){.op = FAULT_GRAY_START,
                                   .id = 5,
                                   .az = -1,
                                   .count = 1,
                                   .factor = 3,
                                   .cause = "fault 5 gray_failure web"});
    g.lb.from = S(110);
    finish(&g);
    CHECK_EQ_INT(one.struck, 1);
    int slowed = 0, normal = 0;
    for (uint32_t t = 0; t < g.lb.n; t++) {
        double m = g.lb.lat[t].mean;
        slowed += fabs(m - 0.6) < 0.03;
        normal += fabs(m - 0.2) < 0.01;
    }
    CHECK(slowed == 1 && normal == 11, "one instance 3 x slower (%d), eleven not (%d)", slowed,
          normal);
    teardown(&g);
}

/* The same run twice: identical event logs; and a run without faults never makes the
 * faults stream. */
static void test_determinism(void)
{
    test_az_outage_best_effort("ff_det_a.csv", 77);
    test_az_outage_best_effort("ff_det_b.csv", 77);
    CHECK(check_same_file("ff_det_a.csv", "ff_det_b.csv"),
          "two runs of the same seed log the same events");

    struct fx f;
    setup(&f, GROUP("", WAIT_CPU), 3, 20, S(600), "ff_nofault.csv");
    finish(&f);
    bool made = false;
    for (uint32_t i = 0; i < f.sim.nstreams; i++)
        made |= strcmp(f.sim.streams[i].purpose, "faults") == 0;
    CHECK(!made, "no (web, faults) stream without a fault");
    teardown(&f);
}

int main(void)
{
    test_az_outage_best_effort("ff_best_effort.csv", 1);
    test_az_outage_balanced_only();
    test_instance_failure();
    test_pending_lost();
    test_gray();
    test_determinism();
    return check_done();
}
