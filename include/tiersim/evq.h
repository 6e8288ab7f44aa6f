/* evq.h — the pending-event set: a calendar of near events in front of a 4-ary min-heap,
 * both keyed by (time, sequence), with cancellable handles.
 *
 * Events fire in time order; events at equal times fire in the order they were scheduled
 * (the sequence number), so a run is deterministic. Each event's payload lives in a pooled
 * slot; a handle carries the slot's generation: once its event fires or is cancelled, the
 * handle is stale and detected as such. bench/README.md has the measurements behind this
 * layout.
 *
 * The calendar: a simulation mostly schedules its next step a little after now (a network
 * hop, a CPU burst), while timers and periodic work lie far ahead. An event due within the
 * calendar's window goes into one of EVQ_CAL_BUCKETS buckets of 2^k ns each (a sorted
 * doubly-linked list through the slots, a bit per non-empty bucket), so pushing and popping
 * it costs a few instructions instead of a heap's unpredictable comparisons. Events past
 * the window, or earlier than its start, or behind a crowded bucket, go to the heap, which
 * holds 16-byte (time, sequence|slot) entries and each slot's position, for cancellation in
 * place in O(log n). A pop takes the earlier of the calendar's first event and the heap's,
 * by the same (time, sequence) order, so where an event is kept never changes when it fires.
 * The bucket width follows the run: every EVQ_CAL_EPOCH pushes it is set from the median
 * delay of the pushes and the number pending, and the calendar is rebuilt if it changes.
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
    int64_t t;     /* firing time */
    uint64_t key;  /* sequence << 24 | slot, as in the heap */
    uint32_t pos;  /* index in heap, or EVQ_CAL, while pending; next free slot while free */
    uint32_t gen;  /* bumped when the event fires or is cancelled */
    uint32_t next, prev; /* neighbours in its calendar bucket (0: none) */
};

/* A slot's position while it is in the calendar. */
#define EVQ_CAL UINT32_MAX

#define EVQ_CAL_BUCKETS 1024u /* a power of two */
#define EVQ_CAL_EPOCH   4096u /* pushes between two choices of the bucket width */

struct evq {
    /* the calendar (allocated at the first push) */
    uint32_t *cal_head, *cal_tail; /* per bucket: first and last slot, 0 if empty */
    uint64_t cal_bits[EVQ_CAL_BUCKETS / 64]; /* a bit per non-empty bucket */
    uint32_t cal_n;         /* events in the calendar */
    uint32_t cal_min;       /* slot of the calendar's earliest event, 0 if empty */
    unsigned cal_k;         /* bucket width 2^k ns */
    int64_t cal_base;       /* absolute bucket (t >> k) where the window starts */
    int64_t last;           /* time of the last event popped */
    uint32_t epoch_pushes;  /* pushes since the width was last chosen */
    uint32_t delay_log2[64]; /* pushes of this epoch by floor(log2(delay in ns)) */
    uint32_t cal_rebuilds;  /* changes of the width so far (for tests) */
    /* the heap */
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

/* The same, but only an event due at or before `until` (ns): false, changing nothing, when
 * none is. */
bool evq_pop_until(struct evq *q, int64_t until, struct evq_event *out);

/* Time of the earliest pending event; INT64_MAX when none. */
static inline int64_t evq_next_time(const struct evq *q)
{
    int64_t h = q->n ? q->heap[0].t : INT64_MAX;
    if (q->cal_min) {
        int64_t c = q->slots[q->cal_min].t;
        return c < h ? c : h;
    }
    return h;
}

/* Pending events. */
static inline uint32_t evq_size(const struct evq *q)
{
    return q->n + q->cal_n;
}

/* Cancel every pending event whose ctx is `ctx` (cimba's "cancel every event of this
 * subject", for when an instance dies). O(n). Returns how many were cancelled. */
uint32_t evq_cancel_ctx(struct evq *q, const void *ctx);

#endif
