/* component.h — what every model is to the others: a component that accepts requests and
 * replies to its caller, and the request that travels between them with a small call stack.
 *
 * Models talk only through this interface (DESIGN.md): an ALB calls a fleet's instance,
 * the instance replies, and neither sees the other's internals. A call pushes a frame for
 * the callee on the request's stack and hands it the request; a reply pops that frame and
 * resumes the component whose frame is now on top, ending with the client at the bottom.
 * After comp_call() or comp_reply() the caller must not touch the request again: the whole
 * chain may have finished and the request may be back in its pool.
 */
#ifndef TIERSIM_MODELS_COMPONENT_H
#define TIERSIM_MODELS_COMPONENT_H

#include "tiersim/dist.h"
#include "tiersim/evq.h"
#include "tiersim/sim.h"

#include <stdint.h>

struct component;
struct request;
struct req_list;

/* How a request ended, as the client sees it. OK is 200; errors carry the HTTP status the
 * component that gave up would return (a full server's 503, say; an application whose
 * dependency failed, 500; a throttle's 429, or DynamoDB's 400 ThrottlingException). TIMEOUT is no HTTP status: the caller (the client, or an
 * instance's call, cache or db step) stopped waiting. */
#define REQ_STATUSES(XX)                                                                       \
    XX(OK, 200, "ok")                                                                          \
    XX(E400, 400, "400")                                                                       \
    XX(E429, 429, "429")                                                                       \
    XX(E500, 500, "500")                                                                       \
    XX(E502, 502, "502")                                                                       \
    XX(E503, 503, "503")                                                                       \
    XX(E504, 504, "504")                                                                       \
    XX(TIMEOUT, 599, "timeout")

enum req_status {
    REQ_PENDING = 0,
#define XX(name, code, _) REQ_##name = (code),
    REQ_STATUSES(XX)
#undef XX
};

/* Deepest call chain a request may have (client, ALB, instance, ... ). */
#define REQ_MAX_DEPTH 12

/* What a caller asks of its callee. An HTTP server (an ALB, an instance) serves OP_HTTP;
 * a cache, a database and a DynamoDB table serve their own operations and answer anything
 * else with 500. */
enum req_op {
    OP_HTTP = 0,
    OP_CACHE_GET, /* arg: the key (0 .. keys-1), or ignored by a fixed-ratio cache */
    OP_CACHE_SET, /* arg: the key the get missed */
    OP_DB_READ,   /* arg: db_demand_arg(the query's demand in ns of one vCPU), or 0 for the
                     database's own */
    OP_DB_WRITE,  /* the same, for a write */
    OP_DDB_READ,  /* a DynamoDB read; arg: ddb_units_arg(its read units, eventually
                     consistent) */
    OP_DDB_WRITE, /* a DynamoDB write; arg: ddb_units_arg(its write units, false) */
    OP_EVENT,     /* an asynchronous invocation of a Lambda function (LAM-8): the function
                     queues the event and answers OK (202) at once */
};

/* A db query's own demand as r->arg: ns + 1, so that a demand of 0 ns stays a demand (0 is
 * "the database's own"). The database reads it back as arg - 1. */
static inline uint64_t db_demand_arg(int64_t ns)
{
    return (uint64_t)ns + 1u;
}

/* Most capacity units one DynamoDB operation may ask for (a 400 KB item takes 100 read
 * units, or 400 write units; a 1 MB query page 256 read units). */
#define DDB_MAX_UNITS 1000u

/* The capacity a DynamoDB operation consumes, as r->arg: in half units, so that an
 * eventually consistent read (half a read unit per 4 KB, DDB-1) stays whole. `units` are the
 * read units of a strongly consistent read (one per 4 KB of item) or the write units of a
 * write (one per 1 KB); `half` halves them (an eventually consistent read). */
static inline uint64_t ddb_units_arg(uint32_t units, bool half)
{
    return half ? (uint64_t)units : 2u * (uint64_t)units;
}

/* One level of the call stack: the component working on the request at that level and its
 * private state for it. */
struct frame {
    struct component *comp;
    void *ctx;      /* the component's own per-request pointer (an instance, a target) */
    int64_t aux;    /* the component's own per-request number (a CPU demand in ns, ...) */
    uint32_t pc;    /* where in its work the component is (a step index) */
    int64_t aux2;   /* a second number of the component's own (a cache key, ...) */
    evq_handle ev;  /* a pending event of this level, so it can be cancelled */
    struct request *prev, *next; /* the component's own list of requests (in flight, held) */
    struct req_list *list;       /* the list this level is in, or NULL */
    int8_t az;      /* the AZ where this level's work runs (-1: none, the internet): the
                       network between two levels costs the latency between their AZs */
    uint8_t tries;  /* the component's own count (attempts of its current call, ...) */
};

struct request {
    struct request *next; /* link for whichever queue holds it (backlog, run queue, pool) */
    uint64_t id;          /* 1, 2, ... in arrival order */
    int64_t t_arrival;    /* ns, when the client sent it */
    uint16_t cls;         /* request class (index into the workload's classes) */
    uint16_t status;      /* enum req_status; REQ_PENDING while in flight */
    uint8_t depth;        /* frames in use */
    uint8_t counted;      /* arrived after warm-up: counts in summary.csv */
    uint8_t probe;        /* a load balancer's health check, not client traffic */
    uint8_t op;           /* enum req_op: what the callee on top is asked; the caller sets it
                             before comp_call */
    uint8_t hit;          /* a cache's answer to OP_CACHE_GET: 1 hit, 0 miss */
    uint16_t attempt;     /* which of the client's attempts this is: 1, 2, ... */
    uint64_t arg;         /* the op's argument (enum req_op) */
    int64_t lag;          /* ns of network a reply has yet to pay: a relay took it at once */
    struct req_pool *pool; /* its pool: where it returns, and the network it travels */
    struct frame stack[REQ_MAX_DEPTH];
};

/* A doubly linked list of requests through the links of their frames: a component keeps
 * the requests it holds without allocating. `level` is the index of the frame (of r) that
 * holds the links; members may hold them at different levels. A frame is in at most one
 * list, and a request at most once in a list. */
struct req_list {
    struct request *head, *tail;
    uint32_t n;
};

void req_list_push(struct req_list *l, struct request *r, unsigned level);
void req_list_remove(struct req_list *l, struct request *r, unsigned level);

/* The frame index at which `comp` works on r (searching down from the top), or -1. */
int req_level(const struct request *r, const struct component *comp);

static inline struct frame *req_top(struct request *r)
{
    return &r->stack[r->depth - 1];
}

/* Called by a load balancer when a target it was asked to deregister is drained. */
typedef void (*drained_fn)(struct sim *sim, void *ctx, struct component *target);

/* Learning about the members of a target group (an Auto Scaling group's instances), as a
 * load balancer does. */
struct target_listener {
    /* A new member, registered (ASG-25): start health checks. `established` marks the
     * members of a group that is already running when the simulation starts: they are
     * registered healthy instead of going through their initial checks. */
    void (*added)(struct sim *sim, void *ctx, struct component *target, bool established);
    /* Deregister a member: send it nothing new, and call done(sim, done_ctx, target) once
     * its requests have finished or the deregistration delay is over (ASG-26, ALB-13). done
     * is called from an event, never from inside this call. */
    void (*removed)(struct sim *sim, void *ctx, struct component *target, drained_fn done,
                    void *done_ctx);
    /* The member's health as this load balancer sees it: true unless it failed its checks. */
    bool (*healthy)(const void *ctx, const struct component *target);
    void *ctx;
};

/* A statistic set over a window, as CloudWatch aggregates datapoints (CW-2). */
struct statset {
    double sum, min, max;
    uint64_t count; /* samples; 0 = no datapoint (a missing one) */
    double units;   /* instances or targets the datapoint describes (target tracking's N):
                       the sample count for a group's per-instance metrics, the divisor of a
                       per-target metric; 0 when that has no meaning */
};

/* An Auto Scaling group's capacity, as its scaling policies see it. */
struct asg_status {
    uint32_t min, max, desired;
    uint32_t pending;     /* launched, not yet in service */
    uint32_t in_service;  /* in service, warming or not */
    uint32_t warming;     /* in service, within their warm-up (ASG-19..21) */
    uint32_t ready;       /* in service and warmed up: the capacity the metrics describe */
    uint32_t terminating; /* deregistering or draining */
    int64_t last_activity_end; /* ns, when the last launch or termination finished */
    int64_t default_cooldown;  /* ns, the group's (simple scaling's default, ASG-23) */
};

struct scalable_ops {
    void (*status)(const struct component *self, int64_t now, struct asg_status *out);
    /* Change the group's capacity: a negative value keeps that setting; desired is kept
     * within [min, max] (ASG-2). `cause` (the decision and its arithmetic) is logged with
     * the change. Returns the desired capacity now. */
    uint32_t (*set_capacity)(struct sim *sim, struct component *self, int64_t min, int64_t max,
                             int64_t desired, const char *cause);
};

/* --- faults ------------------------------------------------------------------------------
 * The faults model (models/faults.c) reads the scenario's `faults`, and at each fault's times
 * tells every component with a `fault` op what happens; each model does what AWS documents
 * for itself (docs/models/faults.md) and ignores what does not concern it. */
enum fault_op {
    FAULT_AZ_DOWN,     /* AZ `az` loses power (AZ-6): instances there stop, with the requests
                          they hold; nodes there stop answering; a primary there fails over */
    FAULT_AZ_UP,       /* AZ `az` has power again (launches into it may still fail) */
    FAULT_AZ_LAUNCHES, /* launches into AZ `az` succeed again (the recovery tail is over) */
    FAULT_INSTANCES,   /* `count` instances of this fleet fail, chosen at random */
    FAULT_FAILOVER,    /* this database fails over (a forced failover, RDS-2) */
    FAULT_NODE,        /* node `node` of this cache fails (0 the primary, i the i-th replica) */
    FAULT_GRAY_START,  /* work slows `factor` times: every instance of this fleet in AZ `az`,
                          or (az -1) `count` of its instances at random; health checks pass */
    FAULT_GRAY_END,    /* the gray failure of the same `id` is over */
    FAULT_SHIFT_START, /* zonal shift (ALB-18): this ALB sends no new traffic to AZ `az` */
    FAULT_SHIFT_END,   /* the shift of the same `id` is over */
};

struct fault_action {
    enum fault_op op;
    uint32_t id;       /* the fault's row in faults.csv (1, 2, ...); a start and its end share it */
    int az;            /* index into the scenario's AZs, or -1 */
    uint32_t count;    /* FAULT_INSTANCES, FAULT_GRAY_START without an AZ */
    uint32_t node;     /* FAULT_NODE */
    double factor;     /* FAULT_GRAY_START: > 1 */
    const char *cause; /* "fault 3 az_outage us-east-1a": for the event log's detail */
};

struct component_ops {
    const char *type; /* "alb", "fleet", "instance", "cache", "rds", "dynamodb", "client", or
                         a helper's ("alb-health-check", a sink's "...abandoned") */
    /* A request arrives; the callee's frame is on top (ctx, aux, pc zeroed). */
    void (*accept)(struct sim *sim, struct component *self, struct request *r);
    /* A callee replied (r->status says how); self's frame is on top again. */
    void (*resume)(struct sim *sim, struct component *self, struct request *r);
    /* Ask to hear of this component's targets (NULL if it has none): `added` is called at
     * once for every current target. Returns 0 or TS_EINVAL. */
    int (*subscribe)(struct sim *sim, struct component *self, const struct target_listener *l);
    /* A load balancer reports that `target` (a member of this group) turned healthy or
     * unhealthy (NULL for components without members). */
    void (*health_report)(struct sim *sim, struct component *self, struct component *target,
                          bool healthy);
    /* CloudWatch metrics the component publishes: the id of metric `name`, or -1. */
    int (*metric_id)(const struct component *self, const char *name);
    /* The statistic set of metric `id` over the window since the previous call for that
     * metric (CloudWatch polls each metric once a base period). */
    void (*metric)(struct sim *sim, struct component *self, int id, struct statset *out);
    /* An Auto Scaling group's capacity interface, or NULL. */
    const struct scalable_ops *scalable;
    /* A fault happens (see above): do what it means for this component. Returns how many
     * of its parts it struck (instances, nodes; 0: none of its business). NULL: faults never
     * concern it. */
    uint32_t (*fault)(struct sim *sim, struct component *self, const struct fault_action *a);
    /* Replies pass straight through it (see comp_reply). */
    bool relay;
};

struct component {
    const struct component_ops *ops;
    const char *name; /* unique in the scenario; instances are "<fleet>/i-<n>" */
    int az;           /* index into the scenario's AZs, -1 for a regional component */
    bool down;        /* powered off (an AZ outage, an instance failure): it answers nothing,
                         and a caller that tries to reach it sees its connection time out
                         (a load balancer's target: a 504 after the 10 s connect timeout,
                         ALB-14, ALB-15; a health check: a failed check) */
};

/* A first-in-first-out queue of requests through r->next (a backlog, a run queue): append r
 * at the tail; take the head, or NULL when empty. */
static inline void req_fifo_push(struct request **head, struct request **tail, struct request *r)
{
    r->next = NULL;
    if (*tail)
        (*tail)->next = r;
    else
        *head = r;
    *tail = r;
}

static inline struct request *req_fifo_pop(struct request **head, struct request **tail)
{
    struct request *r = *head;
    if (r) {
        *head = r->next;
        if (!*head)
            *tail = NULL;
    }
    return r;
}

/* The accept op of a component that is never called (a client, a sink, a prober): a call
 * to it is a programming error. */
void comp_accept_none(struct sim *sim, struct component *self, struct request *r);

/* The resume op of a sink that only ends abandoned work (req_detach): the work above it is
 * over, so the request goes back to its pool. */
void comp_resume_free(struct sim *sim, struct component *self, struct request *r);

/* Push a frame for `callee` and hand it the request. A zonal callee (az >= 0, an
 * instance) gets it after the network latency from the caller's level; a regional one
 * (az < 0) gets it at once and places itself with comp_hop. */
void comp_call(struct sim *sim, struct request *r, struct component *callee);

/* The same, `delay` ns later (the caller's own processing time, merged into one event with
 * the network's). */
void comp_call_after(struct sim *sim, struct request *r, struct component *callee,
                     int64_t delay);

/* A regional component (an ALB node, a cache or database node) has chosen the AZ `az` where
 * it serves r: record it in the top frame and return the one-way network latency (ns) from
 * the caller's level, for the component to wait before it works on r. */
int64_t comp_hop(struct request *r, int az);

/* --- the network -------------------------------------------------------------------------- */

/* One-way latency between two levels of a call (DESIGN.md): within one AZ, between two
 * AZs, or none where either side is not in an AZ (the client on the internet: an ALB's
 * own `latency` covers that side). */
struct net {
    struct dist same_az, cross_az; /* s */
    gsl_rng *rng;
    bool fixed;                /* both are constants, in ns below: no draw (two 0s: no
                                  network at all) */
    int64_t same_ns, cross_ns;
};

/* ns from AZ a to AZ b. */
int64_t net_delay(const struct net *n, int a, int b);

/* --- the request pool -------------------------------------------------------------------- */

/* Every request of a run comes from one pool: memory follows the requests in flight. The
 * pool also knows the network its requests travel. */
struct req_pool {
    struct request *free;
    struct req_chunk *chunks;
    uint64_t live, peak; /* requests out of the pool now, and at most */
    const struct net *net; /* NULL: no latency anywhere */
    /* calls and replies that crossed between two AZs since t = 0 (health checks not
     * counted): the cost model's cross-AZ transfer */
    uint64_t cross_az_calls, cross_az_replies;
};

void req_pool_release(struct req_pool *p);
/* A request with no frames, status pending, not counted, not a probe, op OP_HTTP, attempt
 * 1. */
struct request *req_new(struct req_pool *p);
void req_free(struct req_pool *p, struct request *r);

/* The argument of an event about request r at frame `level` (a timer of a caller waiting
 * on a call): every such event carries this, so that req_detach can move it to the copy.
 * User-space pointers fit in 56 bits on every platform we build for. */
static inline uint64_t req_pack(const struct request *r, unsigned level)
{
    uint64_t p = (uint64_t)(uintptr_t)r;
    TS_ASSERT((p >> 56) == 0 && level < REQ_MAX_DEPTH);
    return p | (uint64_t)level << 56;
}

static inline struct request *req_unpack(uint64_t arg, unsigned *level)
{
    *level = (unsigned)(arg >> 56);
    return (struct request *)(uintptr_t)(arg & ((UINT64_C(1) << 56) - 1));
}

/* The component at frame `level` gives up waiting for the work above it (a timeout): the
 * work goes on. Returns a new request with a copy of frames 0..level, for the caller to
 * carry on with; the original keeps its frames above `level`, and frame `level` is handed
 * to `sink` (ctx, aux and pc kept, links cleared), whose resume is called when the work
 * above ends and must free the original. The pending events of frames 0..level (timers of
 * callers further down, built with req_pack) now name the copy. */
struct request *req_detach(struct sim *sim, struct request *r, unsigned level,
                           struct component *sink);

/* Pop the top frame and resume the component below with r->status set, after the network
 * latency between the two levels' AZs. A relay below (a load balancer, ops->relay) is
 * resumed at once and the latency is added to its own reply's (r->lag): one event for the
 * two legs of the way back, and the relay sees the answer a network leg early. */
void comp_reply(struct sim *sim, struct request *r, enum req_status status);

/* The same for an answer the callee will send at time t >= now, known already (a server
 * that computes its queue's completions by Lindley's recursion instead of running them as
 * events): from now on the request is on its way back, and the caller that gives up on it
 * meanwhile cancels it as any reply in transit (comp_cancel_pending). */
void comp_reply_at(struct sim *sim, struct request *r, enum req_status status, int64_t t);

/* Is a reply on its way to r's top level (comp_reply with a network latency)? */
bool comp_reply_in_transit(const struct request *r);

/* The top level gives r up: cancel its pending event (a CPU burst, a timer) and a reply on
 * its way to it. */
void comp_cancel_pending(struct sim *sim, struct request *r);

/* A text for a status ("ok", "503", ...). */
const char *req_status_name(enum req_status s);

#endif
