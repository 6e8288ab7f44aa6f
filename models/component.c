/* component.c — calls and replies along a request's stack (component.h). */
#include "tiersim/models/component.h"

#include <stdlib.h>
#include <string.h>

int64_t net_delay(const struct net *n, int a, int b)
{
    if (!n || a < 0 || b < 0)
        return 0;
    if (n->fixed)
        return a == b ? n->same_ns : n->cross_ns;
    return sim_ns(dist_sample(a == b ? &n->same_az : &n->cross_az, n->rng));
}

/* The network between two levels of a call, from component ca in AZ a to cb in AZ b: its
 * latency, and a leg between two AZs counted for the cost model's transfer (PRICE-3). Not
 * counted: a load balancer's health checks, and a leg to or from a relay (an ALB: AWS bills
 * no data transfer for an ALB's traffic across zones; docs/models/cost.md). `reply`: the way
 * back. */
static int64_t leg(struct request *r, const struct component *ca, int a,
                   const struct component *cb, int b, bool reply)
{
    struct req_pool *p = r->pool;
    if (a >= 0 && b >= 0 && a != b && !r->probe && !ca->ops->relay && !cb->ops->relay) {
        if (reply)
            p->cross_az_replies++;
        else
            p->cross_az_calls++;
    }
    return net_delay(p->net, a, b);
}

static void on_arrive(struct sim *sim, void *ctx, uint64_t arg)
{
    struct component *callee = ctx;
    struct request *r = (struct request *)(uintptr_t)arg;
    req_top(r)->ev = 0;
    callee->ops->accept(sim, callee, r);
}

void comp_call(struct sim *sim, struct request *r, struct component *callee)
{
    comp_call_after(sim, r, callee, 0);
}

void comp_accept_none(struct sim *sim, struct component *self, struct request *r)
{
    (void)sim;
    (void)self;
    (void)r;
    TS_ASSERT(0 && "this component accepts no requests");
}

void comp_resume_free(struct sim *sim, struct component *self, struct request *r)
{
    (void)sim;
    (void)self;
    req_free(r->pool, r);
}

void comp_call_after(struct sim *sim, struct request *r, struct component *callee,
                     int64_t delay)
{
    if (r->depth >= REQ_MAX_DEPTH) {
        /* a guard: the world refuses call loops and chains deeper than this (world.c), so
         * only a hand-built caller gets here; it sees the call fail, as a gateway would
         * answer, rather than the stack overrunning */
        r->status = REQ_E502;
        struct component *caller = req_top(r)->comp;
        caller->ops->resume(sim, caller, r);
        return;
    }
    struct frame *f = &r->stack[r->depth++];
    memset(f, 0, sizeof *f);
    if (r->depth < REQ_MAX_DEPTH)
        f[1].ev = 0; /* above the top: a reply in transit, once the callee answers */
    f->comp = callee;
    f->az = (int8_t)callee->az;
    int64_t d =
        delay + (callee->az >= 0 ? leg(r, f[-1].comp, f[-1].az, callee, callee->az, false) : 0);
    if (d > 0)
        f->ev = sim_after(sim, d, on_arrive, callee, (uint64_t)(uintptr_t)r);
    else
        callee->ops->accept(sim, callee, r);
}

int64_t comp_hop(struct request *r, int az)
{
    TS_ASSERT(r->depth >= 2);
    struct frame *f = req_top(r);
    f->az = (int8_t)az;
    return leg(r, f[-1].comp, f[-1].az, f->comp, az, false);
}

/* A reply has crossed the network. The component is looked up now: the level may have
 * changed hands meanwhile (a stopped instance's sink). */
static void on_reply(struct sim *sim, void *ctx, uint64_t arg)
{
    (void)ctx;
    struct request *r = (struct request *)(uintptr_t)arg;
    r->stack[r->depth].ev = 0;
    struct component *c = req_top(r)->comp;
    c->ops->resume(sim, c, r);
}

void comp_reply(struct sim *sim, struct request *r, enum req_status status)
{
    comp_reply_at(sim, r, status, sim->now);
}

void comp_reply_at(struct sim *sim, struct request *r, enum req_status status, int64_t t)
{
    TS_ASSERT(r->depth > 1 && t >= sim->now);
    r->status = (uint16_t)status;
    r->depth--;
    struct frame *above = &r->stack[r->depth], *below = above - 1;
    int64_t d = (t - sim->now) + leg(r, above->comp, above->az, below->comp, below->az, true) +
                r->lag;
    r->lag = 0;
    if (below->comp->ops->relay && d > 0) {
        r->lag = d; /* paid by the relay's own reply */
        d = 0;
    }
    if (d > 0) {
        /* in transit: the handle stays in the popped frame, for comp_cancel_pending */
        above->ev = sim_after(sim, d, on_reply, NULL, (uint64_t)(uintptr_t)r);
    } else {
        above->ev = 0;
        below->comp->ops->resume(sim, below->comp, r);
    }
}

bool comp_reply_in_transit(const struct request *r)
{
    return r->depth < REQ_MAX_DEPTH && r->stack[r->depth].ev != 0;
}

void comp_cancel_pending(struct sim *sim, struct request *r)
{
    struct frame *top = req_top(r);
    sim_cancel(sim, top->ev);
    top->ev = 0;
    if (r->depth < REQ_MAX_DEPTH) {
        sim_cancel(sim, r->stack[r->depth].ev);
        r->stack[r->depth].ev = 0;
    }
}

const char *req_status_name(enum req_status s)
{
    switch (s) {
    case REQ_PENDING:
        return "pending";
#define XX(name, code, text)                                                                   \
    case REQ_##name:                                                                           \
        return text;
        REQ_STATUSES(XX)
#undef XX
    }
    return "?";
}

/* --- lists through one level's frame links -----------------------------------------------
 * Members of one list may hold their links at different levels (an instance is called from
 * level 2 by a client's request but from level 1 by a health check), so a neighbour's links
 * are found by the frame that names the list. */

static struct frame *link_of(struct request *x, const struct req_list *l, unsigned hint)
{
    if (hint < REQ_MAX_DEPTH && x->stack[hint].list == l) /* members mostly share a level */
        return &x->stack[hint];
    for (int i = (int)x->depth - 1; i >= 0; i--)
        if (x->stack[i].list == l)
            return &x->stack[i];
    for (int i = (int)x->depth; i < REQ_MAX_DEPTH; i++) /* a detached request's sink level */
        if (x->stack[i].list == l)
            return &x->stack[i];
    TS_ASSERT(0 && "a list member has no frame in that list");
    return NULL;
}

#ifdef TIERSIM_LIST_DEBUG
static void walk_check(const struct req_list *l)
{
    uint32_t n = 0;
    struct request *prev = NULL;
    for (struct request *x = l->head; x; x = link_of(x, l, REQ_MAX_DEPTH)->next) {
        TS_ASSERT(link_of(x, l, REQ_MAX_DEPTH)->prev == prev);
        prev = x;
        n++;
    }
    TS_ASSERT(l->tail == prev);
    TS_ASSERT(n == l->n);
}
#else
#define walk_check(l) ((void)0)
#endif

void req_list_push(struct req_list *l, struct request *r, unsigned level)
{
    struct frame *f = &r->stack[level];
    TS_ASSERT(f->list == NULL);
    f->list = l;
    f->next = NULL;
    f->prev = l->tail;
    if (l->tail)
        link_of(l->tail, l, level)->next = r;
    else
        l->head = r;
    l->tail = r;
    l->n++;
    walk_check(l);
}

void req_list_remove(struct req_list *l, struct request *r, unsigned level)
{
    struct frame *f = &r->stack[level];
    TS_ASSERT(f->list == l);
    f->list = NULL;
    if (f->prev)
        link_of(f->prev, l, level)->next = f->next;
    else
        l->head = f->next;
    if (f->next)
        link_of(f->next, l, level)->prev = f->prev;
    else
        l->tail = f->prev;
    f->prev = f->next = NULL;
    l->n--;
    walk_check(l);
}

int req_level(const struct request *r, const struct component *comp)
{
    for (int i = (int)r->depth - 1; i >= 0; i--)
        if (r->stack[i].comp == comp)
            return i;
    return -1;
}

/* --- the pool -------------------------------------------------------------------------------- */

#define CHUNK 256

struct req_chunk {
    struct req_chunk *next;
    struct request r[CHUNK];
};

void req_pool_release(struct req_pool *p)
{
    struct req_chunk *c = p->chunks;
    while (c) {
        struct req_chunk *next = c->next;
        free(c);
        c = next;
    }
    memset(p, 0, sizeof *p);
}

struct request *req_new(struct req_pool *p)
{
    if (!p->free) {
        struct req_chunk *c = ts_malloc(sizeof *c);
        c->next = p->chunks;
        p->chunks = c;
        for (size_t i = 0; i < CHUNK; i++) {
            c->r[i].next = p->free;
            p->free = &c->r[i];
        }
    }
    struct request *r = p->free;
    p->free = r->next;
    if (++p->live > p->peak)
        p->peak = p->live;
    r->next = NULL;
    r->id = 0;
    r->t_arrival = 0;
    r->cls = 0;
    r->status = REQ_PENDING;
    r->depth = 0;
    r->counted = 0;
    r->probe = 0;
    r->op = OP_HTTP;
    r->hit = 0;
    r->attempt = 1;
    r->arg = 0;
    r->lag = 0;
    r->pool = p;
    return r;
}

void req_free(struct req_pool *p, struct request *r)
{
    r->next = p->free;
    p->free = r;
    p->live--;
}

struct request *req_detach(struct sim *sim, struct request *r, unsigned level,
                           struct component *sink)
{
    TS_ASSERT(level + 1u < r->depth); /* there is work above the level to leave behind */
    struct request *c = req_new(r->pool);
    c->id = r->id;
    c->t_arrival = r->t_arrival;
    c->cls = r->cls;
    c->counted = r->counted;
    c->probe = r->probe;
    c->attempt = r->attempt;
    c->depth = (uint8_t)(level + 1u);
    memcpy(c->stack, r->stack, (level + 1u) * sizeof *c->stack);
    if (level + 1u < REQ_MAX_DEPTH)
        c->stack[level + 1u].ev = 0; /* no reply is on its way to the copy */
    /* the callers' timers follow their frames (the level's own is the caller's business) */
    for (unsigned i = 0; i < level; i++)
        if (c->stack[i].ev && evq_set_arg(&sim->q, c->stack[i].ev, req_pack(c, i)) != 0)
            c->stack[i].ev = 0;
    /* below the level the copy takes the original's place in its components' lists */
    for (unsigned i = 0; i < level; i++) {
        struct frame *f = &c->stack[i];
        if (!f->list)
            continue;
        if (f->prev)
            link_of(f->prev, f->list, i)->next = c;
        else
            f->list->head = c;
        if (f->next)
            link_of(f->next, f->list, i)->prev = c;
        else
            f->list->tail = c;
        r->stack[i].list = NULL; /* the original leaves the list */
    }
    /* at the level, the caller's list (if any) is the caller's business: it left it */
    TS_ASSERT(r->stack[level].list == NULL);
    c->stack[level].prev = c->stack[level].next = NULL;
    /* the original: nothing below the level any more, the sink at the level */
    for (unsigned i = 0; i < level; i++)
        memset(&r->stack[i], 0, sizeof r->stack[i]);
    r->stack[level].comp = sink;
    r->stack[level].ev = 0;
    return c;
}
