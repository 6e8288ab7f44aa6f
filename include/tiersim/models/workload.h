/* workload.h — the clients: an arrival process that sends requests to the entry component,
 * and the client-side statistics (offered load, successes, errors, latency).
 *
 * Arrivals are Poisson with a rate that is a constant, a piecewise-linear shape, or a
 * per-second trace read from a CSV file; a time-varying rate is sampled exactly by
 * inverting its integral, piece by piece. Each request is of one class, drawn by weight.
 * A client may give up on an attempt after a timeout and try again after a backoff; a
 * request counts once, its attempts apart. Client requests come from the run's pool and go
 * back to it when answered, so memory follows the requests in flight, not the number
 * simulated.
 */
#ifndef TIERSIM_MODELS_WORKLOAD_H
#define TIERSIM_MODELS_WORKLOAD_H

#include "tiersim/models/component.h"
#include "tiersim/models/program.h"
#include "tiersim/sim.h"

#include <stdint.h>

struct scn_obj;
struct arena;
struct cJSON;

enum rate_kind { RATE_CONST, RATE_PIECEWISE, RATE_TRACE };
enum trace_end { TRACE_REPEAT, TRACE_HOLD, TRACE_ZERO };

struct rate_config {
    enum rate_kind kind;
    double rps;         /* RATE_CONST: requests per second */
    uint32_t n;         /* points (PIECEWISE) or seconds (TRACE) */
    int64_t *t;         /* PIECEWISE: ns, strictly increasing */
    double *v;          /* PIECEWISE: rps at t[i]; TRACE: rps during second i */
    enum trace_end end; /* TRACE: what follows the last second */
};

struct workload_config {
    const char *entry;          /* name of the component that receives the traffic */
    const struct cJSON *entry_at; /* its place, for reference errors */
    struct rate_config rate;
    const char **classes;       /* request classes, in the scenario's order; {"default"} */
    double *weights;            /* their shares of the requests, summing to 1 */
    uint32_t nclasses;
    const struct cJSON *classes_at; /* the `classes` object, or NULL */
    bool classes_bad;               /* `classes` was given but is unusable (reported): handlers
                                       cannot be checked against it */
    struct retry_config client; /* the clients' timeout and retries */
};

/* Read the `workload` object. Errors go to the scenario; returns false if any. */
bool workload_config_from_json(struct scn_obj *o, struct workload_config *c, struct arena *a);

/* The rate (requests/s) at time t (ns) and the largest rate on [t, *seg_end): the
 * piece of the shape that t lies in. *seg_end is INT64_MAX for the last piece. Pure. */
double rate_at(const struct rate_config *r, int64_t t, double *seg_max, int64_t *seg_end);

struct workload;

/* A workload sending to `entry`, its requests from `pool`. `c` must outlive it. */
struct workload *workload_new(struct sim *sim, const struct workload_config *c,
                              struct component *entry, struct req_pool *pool);
/* Declare columns and schedule the first arrival. */
void workload_start(struct sim *sim, struct workload *w);
void workload_free(struct workload *w);

/* What the clients saw in one minute of the run (the last one may be shorter): requests
 * answered ok, requests that ended with an error (after their retries), and the ok ones that
 * took longer than the listener's threshold. (An SLO on p99 needs no more: p99 is above the
 * threshold exactly when more than ok - ceil(0.99 ok) requests are, and a count costs the hot
 * path one comparison where a histogram would cost a cache miss.) */
struct minute_stats {
    int64_t start, end; /* ns */
    uint64_t ok, errors, slow;
};
typedef void (*minute_fn)(struct sim *sim, void *ctx, const struct minute_stats *m);

#define WORKLOAD_MINUTE (60 * SIM_NS_PER_S)

/* Call fn at the end of every minute from now on (one listener), counting as slow the ok
 * requests that took longer than `threshold` s. */
void workload_on_minute(struct sim *sim, struct workload *w, double threshold, minute_fn fn,
                        void *ctx);
/* Hand the listener the minute under way, cut short at now (the run is over). */
void workload_end_minute(struct sim *sim, struct workload *w);
/* Requests answered since the start (warm-up included), and those of them that were errors. */
void workload_totals(const struct workload *w, uint64_t *answered, uint64_t *errors);

/* Requests in flight now, and the most ever in flight (memory follows these). */
uint64_t workload_in_flight(const struct workload *w);
uint64_t workload_peak_in_flight(const struct workload *w);

#endif
