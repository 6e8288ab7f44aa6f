/* fleet.c — EC2 instances of an Auto Scaling group serving requests with worker slots, a
 * backlog and FCFS vCPUs.
 *
 * Rules:
 * - An instance takes a request into a free worker slot; with none free, into its backlog
 *   while the backlog has room; otherwise its application sheds the request at once with
 *   503 Service Unavailable (the foundation issue's rule). An ALB passes a target's own
 *   answer on unchanged: such a 503 counts as a target 5XX, not an ELB error (ALB-15 lists
 *   the errors the ALB makes itself). A server that refuses connections instead would show
 *   as 502 through the ALB; that variant is not modelled.
 * - A request keeps its worker slot from acceptance until it replies (DESIGN.md). Its
 *   handler's `cpu` steps draw a demand (seconds of one vCPU) and queue first-come
 *   first-served for the instance's vCPUs; a freed vCPU goes to the longest waiter.
 * - The group holds desired_capacity instances for the whole run (ASG-1), placed round
 *   robin over the scenario's AZs as the group's balancing does (ASG-4), all in service from
 *   time 0: the run starts from an established group.
 * Simplifications: no boot, health checks, scaling or failures yet (the elastic-tier and
 * failure issues); a vCPU is a full core (t3 CPU credits are not modelled, PRICE-4).
 */
#include "tiersim/models/fleet.h"

#include "tiersim/arena.h"
#include "tiersim/scn.h"
#include "tiersim/stats.h"

#include <stdlib.h>
#include <string.h>

/* --- configuration ---------------------------------------------------------------------- */

static bool read_steps(struct scn *s, cJSON *arr, struct program *p, struct arena *a)
{
    char what[64];
    if (!cJSON_IsArray(arr)) {
        scn_error(s, arr, false, "expected an array of steps, got %s",
                  scn_describe(arr, what, sizeof what));
        return false;
    }
    static const char *const kinds[] = {
#define XX(k, name) name,
        STEP_KINDS(XX)
#undef XX
    };
    const unsigned nkinds = sizeof kinds / sizeof kinds[0];
    p->n = (uint32_t)cJSON_GetArraySize(arr);
    p->steps = arena_alloc(a, (p->n ? p->n : 1u) * sizeof *p->steps);
    bool ok = true;
    uint32_t i = 0;
    cJSON *e;
    cJSON_ArrayForEach(e, arr)
    {
        struct step *st = &p->steps[i++];
        struct scn_obj so;
        if (!scn_open(s, e, &so)) {
            ok = false;
            continue;
        }
        int found = -1, count = 0;
        for (cJSON *k = e->child; k; k = k->next)
            for (unsigned j = 0; j < nkinds; j++)
                if (strcmp(k->string, kinds[j]) == 0) {
                    found = (int)j;
                    count++;
                }
        if (count != 1) {
            char list[128] = "";
            for (unsigned j = 0; j < nkinds; j++) {
                strcat(list, j ? ", " : "");
                strcat(list, kinds[j]);
            }
            /* an unknown key is reported by scn_close below, with a suggestion */
            if (count > 1 || e->child == NULL)
                scn_error(s, e, false, "a step needs exactly one of: %s", list);
            for (unsigned j = 0; j < nkinds; j++)
                scn_member(&so, kinds[j]);
            scn_close(&so);
            ok = false;
            continue;
        }
        st->kind = (enum step_kind)found;
        switch (st->kind) {
        case STEP_CPU:
            ok &= dist_read(&so, "cpu", NULL, &st->demand, a);
            break;
        }
        scn_close(&so);
    }
    return ok;
}

bool fleet_config_from_json(struct scn_obj *o, struct fleet_config *c, struct arena *a)
{
    memset(c, 0, sizeof *c);
    struct scn *s = o->s;
    unsigned before = scn_error_count(s);

    struct scn_obj inst;
    scn_open_member(o, "instance", true, &inst);
    int64_t v = 1;
    scn_int_req(&inst, "vcpus", 1, 448, &v);
    c->vcpus = (uint32_t)v;
    c->workers = (uint32_t)scn_int(&inst, "workers", 200, 1, 100000000);
    c->backlog = (uint32_t)scn_int(&inst, "backlog", 100, 0, 100000000);
    scn_close(&inst);

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
    scn_close(&asg);

    cJSON *h = scn_member_req(o, "handlers");
    if (h && !cJSON_IsObject(h)) {
        char what[64];
        scn_error(s, h, false, "expected an object of request class -> steps, got %s",
                  scn_describe(h, what, sizeof what));
    } else if (h) {
        c->nhandlers = (uint32_t)cJSON_GetArraySize(h);
        c->handlers = arena_alloc(a, (c->nhandlers ? c->nhandlers : 1u) * sizeof *c->handlers);
        uint32_t i = 0;
        cJSON *e;
        cJSON_ArrayForEach(e, h)
        {
            struct program *p = &c->handlers[i++];
            p->cls = arena_strdup(a, e->string);
            read_steps(s, e, p, a);
        }
    }
    return scn_error_count(s) == before;
}

void fleet_config_release(struct fleet_config *c)
{
    for (uint32_t i = 0; i < c->nhandlers; i++)
        for (uint32_t j = 0; j < c->handlers[i].n; j++)
            dist_release(&c->handlers[i].steps[j].demand);
}

const struct program *fleet_program(const struct fleet_config *c, const char *cls)
{
    for (uint32_t i = 0; i < c->nhandlers; i++)
        if (strcmp(c->handlers[i].cls, cls) == 0)
            return &c->handlers[i];
    return NULL;
}

/* --- instances -------------------------------------------------------------------------- */

struct instance {
    struct component comp; /* first: a request's frame names the instance */
    struct fleet *fleet;
    uint32_t id;
    uint32_t busy_vcpus, busy_workers, nbacklog;
    struct request *bl_head, *bl_tail; /* backlog: waiting for a worker slot */
    struct request *rq_head, *rq_tail; /* run queue: holding a slot, waiting for a vCPU */
    char name[64];
};

struct fleet {
    struct component comp;
    const struct fleet_config *cfg;
    const char *const *azs;
    uint32_t nazs;
    const struct program *prog; /* the handler of the one request class */
    gsl_rng *rng_cpu;
    struct instance **inst;
    uint32_t ninst;
    uint32_t next_id;
    struct target_listener *listeners;
    uint32_t nlisteners;

    /* levels summed over instances, integrated over time */
    struct tavg in_service, busy_cpu, busy_workers, queued, runq;
    /* areas at the last sample and at the end of warm-up */
    double a_ts[5], a_warm[5];
    uint32_t c_ts, c_sum;
};

static void queue_push(struct request **head, struct request **tail, struct request *r)
{
    r->next = NULL;
    if (*tail)
        (*tail)->next = r;
    else
        *head = r;
    *tail = r;
}

static struct request *queue_pop(struct request **head, struct request **tail)
{
    struct request *r = *head;
    if (r) {
        *head = r->next;
        if (!*head)
            *tail = NULL;
    }
    return r;
}

static void run_steps(struct sim *sim, struct instance *in, struct request *r);

static void on_cpu_done(struct sim *sim, void *ctx, uint64_t arg);

static void start_cpu(struct sim *sim, struct instance *in, struct request *r)
{
    in->busy_vcpus++;
    tavg_add(&in->fleet->busy_cpu, sim->now, 1.0);
    struct frame *f = req_top(r);
    f->ev = sim_after(sim, f->aux, on_cpu_done, in, (uint64_t)(uintptr_t)r);
}

static void on_cpu_done(struct sim *sim, void *ctx, uint64_t arg)
{
    struct instance *in = ctx;
    struct request *r = (struct request *)(uintptr_t)arg;
    struct fleet *f = in->fleet;
    in->busy_vcpus--;
    tavg_add(&f->busy_cpu, sim->now, -1.0);
    struct request *next = queue_pop(&in->rq_head, &in->rq_tail);
    if (next) {
        tavg_add(&f->runq, sim->now, -1.0);
        start_cpu(sim, in, next);
    }
    req_top(r)->pc++;
    run_steps(sim, in, r);
}

static void admit(struct sim *sim, struct instance *in, struct request *r)
{
    in->busy_workers++;
    tavg_add(&in->fleet->busy_workers, sim->now, 1.0);
    run_steps(sim, in, r);
}

/* The request's handler is done: free its worker slot, take one from the backlog, reply. */
static void finish(struct sim *sim, struct instance *in, struct request *r)
{
    struct fleet *f = in->fleet;
    in->busy_workers--;
    tavg_add(&f->busy_workers, sim->now, -1.0);
    struct request *next = queue_pop(&in->bl_head, &in->bl_tail);
    if (next) {
        in->nbacklog--;
        tavg_add(&f->queued, sim->now, -1.0);
        admit(sim, in, next);
    }
    comp_reply(sim, r, REQ_OK);
}

/* Run the handler from the frame's step until it must wait, or to its end. */
static void run_steps(struct sim *sim, struct instance *in, struct request *r)
{
    struct frame *fr = req_top(r);
    const struct program *p = in->fleet->prog;
    if (fr->pc >= p->n) {
        finish(sim, in, r);
        return;
    }
    const struct step *st = &p->steps[fr->pc];
    switch (st->kind) {
    case STEP_CPU:
        fr->aux = sim_ns(dist_sample(&st->demand, in->fleet->rng_cpu));
        if (in->busy_vcpus < in->fleet->cfg->vcpus) {
            start_cpu(sim, in, r);
        } else {
            queue_push(&in->rq_head, &in->rq_tail, r);
            tavg_add(&in->fleet->runq, sim->now, 1.0);
        }
        return;
    }
}

static void instance_accept(struct sim *sim, struct component *self, struct request *r)
{
    struct instance *in = (struct instance *)self;
    const struct fleet_config *c = in->fleet->cfg;
    if (in->busy_workers < c->workers) {
        admit(sim, in, r);
    } else if (in->nbacklog < c->backlog) {
        in->nbacklog++;
        tavg_add(&in->fleet->queued, sim->now, 1.0);
        queue_push(&in->bl_head, &in->bl_tail, r);
    } else {
        comp_reply(sim, r, REQ_E503);
    }
}

static void instance_resume(struct sim *sim, struct component *self, struct request *r)
{
    /* instances make no calls yet: nothing can come back to them */
    (void)sim;
    (void)self;
    (void)r;
    TS_ASSERT(0 && "an instance made no call to be resumed from");
}

static const struct component_ops instance_ops = {
    .type = "instance",
    .accept = instance_accept,
    .resume = instance_resume,
    .subscribe = NULL,
};

/* --- the group ---------------------------------------------------------------------------- */

static void fleet_accept(struct sim *sim, struct component *self, struct request *r)
{
    /* a group is not an endpoint: only its instances serve (through a load balancer) */
    (void)self;
    comp_reply(sim, r, REQ_E502);
}

static void fleet_resume(struct sim *sim, struct component *self, struct request *r)
{
    (void)sim;
    (void)self;
    (void)r;
    TS_ASSERT(0 && "a fleet made no call to be resumed from");
}

static int fleet_subscribe(struct sim *sim, struct component *self,
                           const struct target_listener *l)
{
    struct fleet *f = (struct fleet *)self;
    f->listeners = ts_realloc(f->listeners, (f->nlisteners + 1u) * sizeof *f->listeners);
    f->listeners[f->nlisteners++] = *l;
    for (uint32_t i = 0; i < f->ninst; i++)
        l->added(sim, l->ctx, &f->inst[i]->comp);
    return 0;
}

static const struct component_ops fleet_ops = {
    .type = "fleet",
    .accept = fleet_accept,
    .resume = fleet_resume,
    .subscribe = fleet_subscribe,
};

struct component *fleet_component(struct fleet *f)
{
    return &f->comp;
}

static void launch_in_service(struct sim *sim, struct fleet *f)
{
    struct instance *in = ts_calloc(1, sizeof *in);
    in->fleet = f;
    in->id = ++f->next_id;
    snprintf(in->name, sizeof in->name, "%s/i-%u", f->comp.name, in->id);
    in->comp.ops = &instance_ops;
    in->comp.name = in->name;
    in->comp.az = (int)((in->id - 1u) % f->nazs);
    f->inst = ts_realloc(f->inst, (f->ninst + 1u) * sizeof *f->inst);
    f->inst[f->ninst++] = in;
    tavg_add(&f->in_service, sim->now, 1.0);
    sim_log(sim, f->comp.name, "in_service", "i-%u in %s (initial capacity, %u vCPUs)", in->id,
            f->azs[in->comp.az], f->cfg->vcpus);
    for (uint32_t i = 0; i < f->nlisteners; i++)
        f->listeners[i].added(sim, f->listeners[i].ctx, &in->comp);
}

static void areas(const struct fleet *f, int64_t now, double out[5])
{
    out[0] = tavg_area(&f->in_service, now);
    out[1] = tavg_area(&f->busy_cpu, now);
    out[2] = tavg_area(&f->busy_workers, now);
    out[3] = tavg_area(&f->queued, now);
    out[4] = tavg_area(&f->runq, now);
}

static void report_ts(struct sim *sim, void *ctx, double *row, int64_t span)
{
    struct fleet *f = ctx;
    double a[5];
    areas(f, sim->now, a);
    double d[5];
    for (int i = 0; i < 5; i++) {
        d[i] = a[i] - f->a_ts[i];
        f->a_ts[i] = a[i];
    }
    double *c = row + f->c_ts;
    c[0] = f->in_service.level;
    c[1] = d[0] > 0 ? 100.0 * d[1] / (d[0] * f->cfg->vcpus) : TS_NAN;
    c[2] = d[2] / (double)span;
    c[3] = d[3] / (double)span;
    c[4] = d[4] / (double)span;
}

static void report_summary(struct sim *sim, void *ctx, double *row, int64_t span)
{
    struct fleet *f = ctx;
    double a[5];
    areas(f, sim->now, a);
    double *c = row + f->c_sum;
    if (span <= 0) /* stopped before the warm-up ended: nothing was measured */
        return;
    double inst = a[0] - f->a_warm[0];
    c[0] = inst / (double)span;
    c[1] = inst > 0 ? 100.0 * (a[1] - f->a_warm[1]) / (inst * f->cfg->vcpus) : TS_NAN;
}

static void on_warmup_end(struct sim *sim, void *ctx, uint64_t arg)
{
    (void)arg;
    struct fleet *f = ctx;
    areas(f, sim->now, f->a_warm);
}

struct fleet *fleet_new(struct sim *sim, const char *name, const struct fleet_config *c,
                        const char *const *azs, uint32_t nazs)
{
    struct fleet *f = ts_calloc(1, sizeof *f);
    f->comp.ops = &fleet_ops;
    f->comp.name = name;
    f->comp.az = -1;
    f->cfg = c;
    f->azs = azs;
    f->nazs = nazs ? nazs : 1u;
    f->prog = fleet_program(c, "default");
    TS_ASSERT(f->prog != NULL); /* the scenario check requires the "default" handler */
    f->rng_cpu = sim_rng(sim, name, "cpu");
    return f;
}

void fleet_start(struct sim *sim, struct fleet *f)
{
    const char *n = f->comp.name;
    f->c_ts = sim_column(&sim->ts, 0, "%s.in_service", n);
    sim_column(&sim->ts, 2, "%s.cpu_pct", n);
    sim_column(&sim->ts, 3, "%s.busy_workers", n);
    sim_column(&sim->ts, 3, "%s.queued", n);
    sim_column(&sim->ts, 3, "%s.cpu_queue", n);
    sim_reporter(&sim->ts, report_ts, f);
    f->c_sum = sim_column(&sim->summary, 3, "%s.instances_mean", n);
    sim_column(&sim->summary, 2, "%s.cpu_pct_mean", n);
    sim_reporter(&sim->summary, report_summary, f);
    for (uint32_t i = 0; i < f->cfg->desired_capacity; i++)
        launch_in_service(sim, f);
    sim_at(sim, sim->warmup, on_warmup_end, f, 0);
}

void fleet_free(struct fleet *f)
{
    if (!f)
        return;
    for (uint32_t i = 0; i < f->ninst; i++)
        free(f->inst[i]);
    free(f->inst);
    free(f->listeners);
    free(f);
}
