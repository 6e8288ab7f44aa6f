/* evq.h — the pending-event set: a 4-ary min-heap keyed by (time, sequence) with
 * cancellable handles.
 *
 * Events fire in time order; events at equal times fire in the order they were scheduled
 * (the sequence number), so a run is deterministic. Each event's payload lives in a pooled
 * slot; the heap holds 16-byte (time, sequence|slot) entries, and each slot remembers its
 * heap position so a handle can be cancelled in place in O(log n). A handle carries the
 * slot's generation: once its event fires or is cancelled, the handle is stale and
 * detected as such. bench/README.md has the measurements behind this layout.
 *
 * The front: an event earlier than every event in the heap when it is scheduled waits
 * outside the heap, in `front`, and is the next to fire unless an earlier one comes. A
 * simulation mostly schedules its next step a little after now, so most events pass through
 * the front and never through the heap's sift operations.
 */
#ifndef TIERSIM_EVQ_H
#define TIERSIM_EVQ_H

#include <stdbool.h>
#include <stdint.h>

struct sim;

/* The one callback shape (libuv's): the simulation, a context pointer, a 64-bit argument. */
typedef void (*evq_fn)(struct sim *sim, void *ctx, uint64_t arg);

/* 0 is never a valid handle: use it for "no event". */
typedef uint64_t evq_handle;

/* Built-in limits: at most 2^24 - 1 events pending at once, 2^40 events scheduled per run. */
#define EVQ_MAX_PENDING ((1u << 24) - 1u)
#define EVQ_MAX_SEQ     ((UINT64_C(1) << 40) - 1u)

struct evq_ent {
    int64_t t;    /* ns, firing time */
    uint64_t key; /* sequence << 24 | slot: ties in t break by sequence */
};

struct evq_slot {
    evq_fn fn;
    void *ctx;
    uint64_t arg;
    uint32_t pos; /* index in heap while pending; next free slot while free */
    uint32_t gen; /* bumped when the event fires or is cancelled */
};

/* A slot's position while it is the front. */
#define EVQ_FRONT UINT32_MAX

struct evq {
    struct evq_ent front;   /* earlier than every heap entry, when has_front */
    bool has_front;
    struct evq_ent *heap;   /* heap[0] is the earliest of the heap */
    uint32_t n;             /* events in the heap */
    uint32_t cap;           /* entries allocated in heap */
    struct evq_slot *slots; /* slots[0] unused, so no handle is 0 */
    uint32_t nslots;        /* slots handed out so far (high-water mark) */
    uint32_t slots_cap;
    uint32_t free_slot;     /* head of the free list, 0 if empty */
    uint64_t seq;           /* next sequence number */
};

/* A popped event, ready to run. */
struct evq_event {
    int64_t t;
    evq_fn fn;
    void *ctx;
    uint64_t arg;
};

/* Zero set-up; evq_release frees what it grew. */
#define EVQ_INIT {0}
void evq_init(struct evq *q);
void evq_release(struct evq *q);

/* Schedule fn(ctx, arg) at t. Returns the handle, or 0 if a built-in limit was reached
 * (too many pending events or sequence numbers exhausted); the caller treats that as a
 * failed run (TS_ELIMIT). */
evq_handle evq_push(struct evq *q, int64_t t, evq_fn fn, void *ctx, uint64_t arg);

/* Remove a pending event. Returns 0, or TS_ESTALE if the handle is 0, has fired, was
 * cancelled already, or never existed. Safe from inside a handler, including for the
 * handler's own (already fired, hence stale) handle. */
int evq_cancel(struct evq *q, evq_handle h);

/* Change the argument a pending event will be called with (its subject moved). Returns 0,
 * or TS_ESTALE as evq_cancel. */
int evq_set_arg(struct evq *q, evq_handle h, uint64_t arg);

/* True while h names a pending event. */
bool evq_pending(const struct evq *q, evq_handle h);

/* Firing time of a pending event, or -1 if h is stale. */
int64_t evq_time_of(const struct evq *q, evq_handle h);

/* Take the earliest event. Returns false when none is pending. Its handle is stale from
 * here on, before the handler runs. */
bool evq_pop(struct evq *q, struct evq_event *out);

/* Time of the earliest pending event; INT64_MAX when none. */
static inline int64_t evq_next_time(const struct evq *q)
{
    return q->has_front ? q->front.t : q->n ? q->heap[0].t : INT64_MAX;
}

/* Pending events. */
static inline uint32_t evq_size(const struct evq *q)
{
    return q->n + (q->has_front ? 1u : 0u);
}

/* Cancel every pending event whose ctx is `ctx` (cimba's "cancel every event of this
 * subject", for when an instance dies). O(n). Returns how many were cancelled. */
uint32_t evq_cancel_ctx(struct evq *q, const void *ctx);

#endif
