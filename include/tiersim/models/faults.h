/* faults.h — the scenario's faults and its service level objective: scheduled and random
 * faults dispatched to the components (component.h, "faults"), and the recovery numbers of
 * each fault (faults.csv) and of the run (summary.csv).
 *
 * A fault is scheduled (`at`) or random (`mtbf`: exponential times between occurrences of that
 * mean, or times drawn from a distribution; each occurrence a fault of its own). Each one is followed from its start until it is over, the SLO is
 * met again for `slo.settle`, and the capacity it took is back (or the run ends): the
 * requests that failed meanwhile, the SLO minutes violated, when p99 and the error rate were
 * back under the SLO, and the capacity lost and regained. docs/models/faults.md explains.
 */
#ifndef TIERSIM_MODELS_FAULTS_H
#define TIERSIM_MODELS_FAULTS_H

#include "tiersim/dist.h"
#include "tiersim/models/component.h"
#include "tiersim/sim.h"

#include <stdbool.h>
#include <stdint.h>

struct scn_obj;
struct scn;
struct arena;
struct cJSON;
struct workload;

#define FAULT_TYPES(XX)                                                                        \
    XX(AZ_OUTAGE, "az_outage")                                                                 \
    XX(INSTANCE_FAILURE, "instance_failure")                                                   \
    XX(DB_FAILOVER, "db_failover")                                                             \
    XX(CACHE_NODE_FAILURE, "cache_node_failure")                                               \
    XX(GRAY_FAILURE, "gray_failure")                                                           \
    XX(ZONAL_SHIFT, "zonal_shift")

enum fault_type {
#define XX(k, _) FT_##k,
    FAULT_TYPES(XX)
#undef XX
    FT_COUNT
};

const char *fault_type_name(enum fault_type t);

struct fault_config {
    enum fault_type type;
    bool random;              /* mtbf given instead of at */
    int64_t at;               /* ns, a scheduled fault's start */
    struct dist tbf;          /* s between a random fault's occurrences: exponential of mean
                                 `mtbf`, or the distribution given as `mtbf` */
    struct dist duration;     /* s: az_outage, gray_failure, zonal_shift (drawn per occurrence) */
    int64_t launch_recovery;  /* ns after an AZ's power is back until launches succeed (AZ-6) */
    const char *target;       /* component name, or NULL (az_outage; gray_failure with az) */
    const char *az;           /* AZ name, or NULL */
    int az_index;             /* set by the world: index into the scenario's AZs, or -1 */
    uint32_t count;           /* instance_failure, gray_failure without az */
    uint32_t node;            /* cache_node_failure: 0 the primary, i the i-th replica */
    double factor;            /* gray_failure */
    const struct cJSON *at_j, *target_j, *az_j, *node_j; /* places, for the world's checks */
};

/* The service level objective, judged minute by minute on what the clients see. */
struct slo_config {
    double latency_p99;   /* s: a minute's p99 of successful requests must not exceed it */
    double error_rate;    /* fraction: a minute's errors / requests answered must not exceed it */
    int64_t settle;       /* ns the SLO must hold after a fault before it counts as recovered */
};

struct faults_config {
    struct fault_config *v;
    uint32_t n;
    struct slo_config slo;
};

/* Read the top-level `faults` (array, may be NULL: none) and `slo` (object reader). Errors go
 * to the scenario; returns false if any. */
bool faults_config_from_json(struct scn *s, struct cJSON *faults, struct scn_obj *slo,
                             struct faults_config *c, struct arena *a);
void faults_config_release(struct faults_config *c);

struct faults;

/* The faults of `c` over the run's components (those with a `fault` op are told of AZ
 * faults; a fault's target gets its own), the clients' statistics from `w`. `azs` are the
 * scenario's AZ names. Declares the summary columns and schedules the faults. */
struct faults *faults_new(struct sim *sim, const struct faults_config *c,
                          const char *const *azs, uint32_t nazs, struct component *const *comps,
                          uint32_t ncomps, struct workload *w);
/* Write faults.csv (one row per fault that started; every fault still being followed is
 * closed at the current time first). Returns 0 or TS_EIO. */
int faults_write(struct sim *sim, struct faults *f, const char *path);
void faults_free(struct faults *f);

#endif
