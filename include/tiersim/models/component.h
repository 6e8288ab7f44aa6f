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

#include "tiersim/evq.h"
#include "tiersim/sim.h"

#include <stdint.h>

struct component;
struct request;

/* How a request ended, as the client sees it. OK is 200; errors carry the HTTP status the
 * component that gave up would return (a full server's 503, say). */
#define REQ_STATUSES(XX)                                                                       \
    XX(OK, 200, "ok")                                                                          \
    XX(E502, 502, "502")                                                                       \
    XX(E503, 503, "503")                                                                       \
    XX(E504, 504, "504")

enum req_status {
    REQ_PENDING = 0,
#define XX(name, code, _) REQ_##name = (code),
    REQ_STATUSES(XX)
#undef XX
};

/* Deepest call chain a request may have (client, ALB, instance, ... ). */
#define REQ_MAX_DEPTH 12

/* One level of the call stack: the component working on the request at that level and its
 * private state for it. */
struct frame {
    struct component *comp;
    void *ctx;      /* the component's own per-request pointer (an instance, a target) */
    int64_t aux;    /* the component's own per-request number (a CPU demand in ns, ...) */
    uint32_t pc;    /* where in its work the component is (a step index) */
    evq_handle ev;  /* a pending event of this level, so it can be cancelled */
};

struct request {
    struct request *next; /* link for whichever queue holds it (backlog, run queue, pool) */
    uint64_t id;          /* 1, 2, ... in arrival order */
    int64_t t_arrival;    /* ns, when the client sent it */
    uint16_t cls;         /* request class (index into the workload's classes) */
    uint16_t status;      /* enum req_status; REQ_PENDING while in flight */
    uint8_t depth;        /* frames in use */
    uint8_t counted;      /* arrived after warm-up: counts in summary.csv */
    struct frame stack[REQ_MAX_DEPTH];
};

static inline struct frame *req_top(struct request *r)
{
    return &r->stack[r->depth - 1];
}

/* Learning about the members of a target group (an Auto Scaling group's instances). */
struct target_listener {
    void (*added)(struct sim *sim, void *ctx, struct component *target);
    void (*removed)(struct sim *sim, void *ctx, struct component *target);
    void *ctx;
};

struct component_ops {
    const char *type; /* "alb", "fleet", "instance", "client" */
    /* A request arrives; the callee's frame is on top (ctx, aux, pc zeroed). */
    void (*accept)(struct sim *sim, struct component *self, struct request *r);
    /* A callee replied (r->status says how); self's frame is on top again. */
    void (*resume)(struct sim *sim, struct component *self, struct request *r);
    /* Ask to hear of this component's targets (NULL if it has none): `added` is called at
     * once for every current target. Returns 0 or TS_EINVAL. */
    int (*subscribe)(struct sim *sim, struct component *self, const struct target_listener *l);
};

struct component {
    const struct component_ops *ops;
    const char *name; /* unique in the scenario; instances are "<fleet>/i-<n>" */
    int az;           /* index into the scenario's AZs, -1 for a regional component */
};

/* Push a frame for `callee` and hand it the request. */
void comp_call(struct sim *sim, struct request *r, struct component *callee);

/* Pop the top frame and resume the component below with r->status set. */
void comp_reply(struct sim *sim, struct request *r, enum req_status status);

/* A text for a status ("ok", "503", ...). */
const char *req_status_name(enum req_status s);

#endif
