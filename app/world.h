/* world.h — a scenario read into plain configuration, and the world of components built
 * from it. The only code, with main.c, that knows every model.
 */
#ifndef TIERSIM_APP_WORLD_H
#define TIERSIM_APP_WORLD_H

#include "tiersim/arena.h"
#include "tiersim/models/alb.h"
#include "tiersim/models/apigw.h"
#include "tiersim/models/cache.h"
#include "tiersim/models/cloudwatch.h"
#include "tiersim/models/cost.h"
#include "tiersim/models/dynamodb.h"
#include "tiersim/models/faults.h"
#include "tiersim/models/fleet.h"
#include "tiersim/models/lambda.h"
#include "tiersim/models/rds.h"
#include "tiersim/models/scaling.h"
#include "tiersim/models/workload.h"
#include "tiersim/scn.h"
#include "tiersim/sim.h"

#include <stdint.h>

#define COMP_TYPES(XX)                                                                         \
    XX(ALB, "alb")                                                                             \
    XX(FLEET, "fleet")                                                                         \
    XX(CACHE, "cache")                                                                         \
    XX(RDS, "rds")                                                                             \
    XX(APIGW, "apigw")                                                                         \
    XX(DYNAMODB, "dynamodb")                                                                   \
    XX(LAMBDA, "lambda")

enum comp_type {
#define XX(k, _) COMP_##k,
    COMP_TYPES(XX)
#undef XX
};

const char *comp_type_name(enum comp_type t);

struct comp_config {
    const char *name;
    enum comp_type type;
    bool typed; /* its type is known (else `type` means nothing) */
    bool valid; /* its own keys read without error (references checked separately) */
    union {
        struct alb_config alb;
        struct fleet_config fleet;
        struct cache_config cache;
        struct rds_config rds;
        struct apigw_config apigw;
        struct dynamodb_config dynamodb;
        struct lambda_config lambda;
    } u;
    struct scaling_config scaling; /* fleets: policies and scheduled actions */
    const struct cJSON *at;        /* the component's object */
};

struct world_config {
    struct arena arena;      /* every string and array below */
    const char *name;        /* scenario name: default output folder out/<name> */
    uint64_t seed;
    int64_t duration;        /* ns simulated */
    int64_t warmup;          /* ns at the start not counted in summary.csv */
    int64_t interval;        /* ns between timeseries rows */
    const char **azs;
    uint32_t nazs;
    int64_t epoch0;          /* calendar time of t = 0, seconds since 1970 UTC (start_time) */
    struct cw_config cloudwatch;
    struct dist net_same_az, net_cross_az; /* s, one-way latency within an AZ / between two */
    double net_request_bytes, net_response_bytes; /* per call / reply, for cross-AZ transfer */
    struct prices prices; /* the price table with the scenario's `prices` merged over it */
    struct workload_config workload;
    struct comp_config *comps;
    uint32_t ncomps;
    struct faults_config faults; /* the `faults` list and the `slo` */
    struct lambda_account_config lambda_account; /* shared by the scenario's functions */
};

/* Read and check the whole scenario in s (after loading and --set). Returns 0, or
 * TS_ESCENARIO with every error recorded in s. Release wc either way. */
int world_config_read(struct scn *s, struct world_config *wc);
void world_config_release(struct world_config *wc);

struct world;

/* Build every component of wc into sim (wc must outlive the world), declare their columns
 * and schedule their first events. */
struct world *world_new(struct sim *sim, const struct world_config *wc);
void world_free(struct world *w);

/* Write faults.csv (after the summary's row is filled). Returns 0 or TS_EIO. */
int world_write_faults(struct sim *sim, struct world *w, const char *path);

/* Requests in flight now / at most (for the memory-is-flat checks). */
uint64_t world_in_flight(const struct world *w);
uint64_t world_peak_in_flight(const struct world *w);
/* Requests out of the run's pool now (client requests, probes, abandoned work). */
uint64_t world_requests_live(const struct world *w);

#endif
