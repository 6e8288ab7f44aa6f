/* alb.c — an Application Load Balancer forwarding to one target group.
 *
 * Rules:
 * - `round_robin` (the default, ALB-4) walks the registered targets in turn;
 *   `random` picks one uniformly, each request independently.
 * - Each request pays the ALB's latency (a distribution, default lognormal with mean 1 ms,
 *   sd 0.5 ms: a modelling choice, AWS publishes no figure) once, on the way in.
 * - No registered target: 503, as ALB returns (ALB-15). A target's own answer, success or
 *   error, is passed back unchanged.
 * Simplifications: one node for the whole ALB (per-AZ nodes, cross-zone and health checks
 * come with the elastic tier); no connection or LCU accounting yet.
 */
#include "tiersim/models/alb.h"

#include "tiersim/arena.h"
#include "tiersim/scn.h"

#include <stdlib.h>
#include <string.h>

bool alb_config_from_json(struct scn_obj *o, struct alb_config *c, struct arena *a)
{
    static const char *const algorithms[] = {"round_robin", "random", NULL};
    memset(c, 0, sizeof *c);
    unsigned before = scn_error_count(o->s);
    c->targets = arena_strdup(a, scn_str_req(o, "targets"));
    c->targets_at = scn_member(o, "targets");
    c->algorithm = (enum alb_algorithm)scn_enum(o, "algorithm", algorithms, ALB_ROUND_ROBIN);
    dist_read(o, "latency", "{\"dist\": \"lognormal\", \"mean\": 0.001, \"sd\": 0.0005}",
              &c->latency, a);
    return scn_error_count(o->s) == before;
}

void alb_config_release(struct alb_config *c)
{
    dist_release(&c->latency);
}

struct alb {
    struct component comp;
    const struct alb_config *cfg;
    struct component **targets;
    uint32_t ntargets, cap;
    uint32_t rr; /* next index for round robin */
    gsl_rng *rng_route, *rng_latency;
    bool zero_latency; /* const 0: forward in the same event */
    struct target_listener listener;
};

static void target_added(struct sim *sim, void *ctx, struct component *t)
{
    (void)sim;
    struct alb *b = ctx;
    if (b->ntargets == b->cap) {
        b->cap = b->cap ? b->cap * 2u : 8u;
        b->targets = ts_realloc(b->targets, b->cap * sizeof *b->targets);
    }
    b->targets[b->ntargets++] = t;
}

static void target_removed(struct sim *sim, void *ctx, struct component *t)
{
    (void)sim;
    struct alb *b = ctx;
    for (uint32_t i = 0; i < b->ntargets; i++)
        if (b->targets[i] == t) {
            memmove(&b->targets[i], &b->targets[i + 1],
                    (b->ntargets - i - 1u) * sizeof *b->targets);
            b->ntargets--;
            return;
        }
}

static struct component *pick(struct alb *b)
{
    switch (b->cfg->algorithm) {
    case ALB_ROUND_ROBIN:
        if (b->rr >= b->ntargets)
            b->rr = 0;
        return b->targets[b->rr++];
    case ALB_RANDOM:
        return b->targets[gsl_rng_uniform_int(b->rng_route, b->ntargets)];
    }
    return NULL;
}

static void on_deliver(struct sim *sim, void *ctx, uint64_t arg)
{
    struct alb *b = ctx;
    struct request *r = (struct request *)(uintptr_t)arg;
    req_top(r)->ev = 0;
    if (b->ntargets == 0) {
        comp_reply(sim, r, REQ_E503);
        return;
    }
    comp_call(sim, r, pick(b));
}

static void alb_accept(struct sim *sim, struct component *self, struct request *r)
{
    struct alb *b = (struct alb *)self;
    if (b->zero_latency) {
        on_deliver(sim, b, (uint64_t)(uintptr_t)r);
        return;
    }
    double lat = dist_sample(&b->cfg->latency, b->rng_latency);
    req_top(r)->ev = sim_after(sim, sim_ns(lat), on_deliver, b, (uint64_t)(uintptr_t)r);
}

static void alb_resume(struct sim *sim, struct component *self, struct request *r)
{
    (void)self;
    comp_reply(sim, r, (enum req_status)r->status);
}

static const struct component_ops alb_ops = {
    .type = "alb",
    .accept = alb_accept,
    .resume = alb_resume,
    .subscribe = NULL,
};

struct component *alb_component(struct alb *b)
{
    return &b->comp;
}

struct alb *alb_new(struct sim *sim, const char *name, const struct alb_config *c)
{
    struct alb *b = ts_calloc(1, sizeof *b);
    b->comp.ops = &alb_ops;
    b->comp.name = name;
    b->comp.az = -1;
    b->cfg = c;
    b->rng_route = sim_rng(sim, name, "route");
    b->rng_latency = sim_rng(sim, name, "latency");
    b->zero_latency = c->latency.kind == DIST_CONST && c->latency.a == 0.0;
    b->listener = (struct target_listener){target_added, target_removed, b};
    return b;
}

int alb_start(struct sim *sim, struct alb *b, struct component *targets)
{
    if (!targets->ops->subscribe)
        return TS_EINVAL;
    return targets->ops->subscribe(sim, targets, &b->listener);
}

void alb_free(struct alb *b)
{
    if (!b)
        return;
    free(b->targets);
    free(b);
}
