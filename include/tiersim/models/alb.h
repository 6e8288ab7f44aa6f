/* alb.h — an Application Load Balancer in front of one target group (a fleet's instances).
 *
 * One node per enabled AZ receives the clients' requests (DNS spreads them, ALB-1, ALB-2);
 * its target group holds the instances of one or more Auto Scaling groups; each request
 * goes to one healthy registered target, within the node's AZ when cross-zone
 * load balancing is off (ALB-3), chosen by round robin, least outstanding requests, weighted
 * random or plain random (ALB-4), with a slow-start ramp (ALB-12). Health checks are real
 * requests through each target's worker slots (ALB-6..9), deregistration drains (ALB-13),
 * and the ALB answers 502, 503 and 504 where AWS's does (ALB-15). Under faults (its `fault`
 * op, component.h) a powered-off target gets 504 at the 10 s connect timeout, a lost AZ's
 * node fails the clients that still have its address until their DNS caches expire
 * (ALB-2), and a zonal shift moves new requests off an AZ (ALB-18).
 */
#ifndef TIERSIM_MODELS_ALB_H
#define TIERSIM_MODELS_ALB_H

#include "tiersim/dist.h"
#include "tiersim/models/component.h"
#include "tiersim/sim.h"

#include <stdbool.h>

struct scn_obj;
struct arena;
struct cJSON;

enum alb_algorithm {
    ALB_ROUND_ROBIN,
    ALB_LEAST_OUTSTANDING,
    ALB_WEIGHTED_RANDOM,
    ALB_RANDOM
};

struct alb_health_check {
    int64_t interval;            /* ns between checks of one target (ALB-6: 30 s) */
    int64_t timeout;             /* ns a check may take (5 s); < interval */
    uint32_t healthy_threshold;  /* consecutive passes to turn healthy (5) */
    uint32_t unhealthy_threshold; /* consecutive failures to turn unhealthy (2) */
    uint32_t initial_threshold;  /* passes a new target needs before traffic (ALB-8: 5) */
};

struct alb_config {
    const char **targets;             /* the fleets whose instances form its target group */
    const struct cJSON **targets_at;  /* their places, for reference errors */
    uint32_t ntargets;
    enum alb_algorithm algorithm;
    bool cross_zone;                /* load_balancing.cross_zone.enabled (ALB-3: true) */
    int64_t slow_start;             /* ns, slow_start.duration_seconds (0: off) */
    int64_t deregistration_delay;   /* ns (ALB-13: 300 s) */
    int64_t idle_timeout;           /* ns (ALB-14: 60 s) */
    int64_t dns_removal_delay;      /* ns from a node's failure to its leaving DNS (30 s) */
    int64_t client_connect_timeout; /* ns a client tries a node that does not answer (10 s) */
    struct alb_health_check hc;
    struct dist latency;            /* seconds added on the way to the target */
    const char **azs;               /* enabled AZs (names); NULL: all of the scenario's */
    uint32_t nazs;
    const struct cJSON *azs_at;
    /* what a request costs in LCUs (ALB-19), for the cost model */
    double new_connections_per_request; /* client connections opened per request (1) */
    double processed_bytes_per_request; /* bytes in and out per request (18432) */
};

bool alb_config_from_json(struct scn_obj *o, struct alb_config *c, struct arena *a);
void alb_config_release(struct alb_config *c);

/* The CloudWatch metrics an ALB publishes (AWS/ApplicationELB names), NULL-terminated, and
 * the index of one, or -1. */
extern const char *const alb_metric_names[];
int alb_metric_index(const char *name);

struct alb;

/* An ALB named `name`; `azs` are the scenario's AZs (its enabled ones are a subset, checked
 * by the world). Probes and detached requests come from `pool`. */
struct alb *alb_new(struct sim *sim, const char *name, const struct alb_config *c,
                    const char *const *azs, uint32_t nazs, struct req_pool *pool);
/* Subscribe to the groups whose instances are its targets (components with subscribe) and
 * declare columns. */
int alb_start(struct sim *sim, struct alb *b, struct component *const *groups, uint32_t n);
void alb_free(struct alb *b);
struct component *alb_component(struct alb *b);

/* Client requests it has received since t = 0 (health checks not counted). */
uint64_t alb_requests(const struct alb *b);

#endif
