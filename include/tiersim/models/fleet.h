/* fleet.h — EC2 instances in an Auto Scaling group, each a server with vCPUs, worker slots
 * and a backlog, running a step program per request class.
 *
 * The group holds its desired capacity (ASG-1): it launches into the AZ with the fewest
 * instances (ASG-4), each instance boots (a distribution: OS boot plus application
 * bootstrap, EC2-1..5), is registered with its load balancers and put in service (ASG-25),
 * warms up (ASG-19..21), and on scale-in is deregistered, drained and terminated (ASG-8,
 * ASG-10, ASG-26). With ELB health checks, an instance its load balancer reports unhealthy
 * after the grace period is replaced (ASG-13..18). Scaling policies change the desired
 * capacity through the `scalable` interface of component.h.
 *
 * Faults (its `fault` op): an AZ outage stops the group's instances in the AZ and makes
 * launches there fail until the AZ's launches recover (AZ-6), then the group rebalances
 * (ASG-6, ASG-7); an instance failure stops instances at random; a stopped instance is
 * replaced at the group's next EC2 health check (ASG-14); a gray failure slows the CPU work
 * of an AZ's instances, or of some instances, while their health checks still pass.
 */
#ifndef TIERSIM_MODELS_FLEET_H
#define TIERSIM_MODELS_FLEET_H

#include "tiersim/dist.h"
#include "tiersim/models/component.h"
#include "tiersim/models/program.h"
#include "tiersim/sim.h"

#include <stdbool.h>
#include <stdint.h>

struct scn_obj;
struct arena;
struct cJSON;

/* An EC2 instance type. Its price is in the price table (scenarios/prices/us-east-1.json,
 * PRICE-1), which has a row for every type here (a unit test checks it). */
struct instance_type {
    const char *name;
    uint32_t vcpus;
    double memory_gib;
};

/* The type called `name`, or NULL. */
const struct instance_type *instance_type_find(const char *name);
/* Every type, NULL-terminated by name. */
extern const struct instance_type instance_types[];

enum health_check_type { HC_EC2, HC_ELB };
enum termination_policy { TERM_DEFAULT, TERM_OLDEST, TERM_NEWEST };
/* Where a launch goes when its AZ refuses it (ASG-5). */
enum capacity_distribution { CDS_BEST_EFFORT, CDS_BALANCED_ONLY };

struct fleet_config {
    const struct instance_type *type; /* NULL when only vcpus is given */
    uint32_t vcpus;                   /* per instance */
    uint32_t workers;                 /* most requests in progress per instance */
    uint32_t backlog;                 /* most requests waiting for a worker per instance */
    struct dist boot;                 /* s, API call to OS ready (EC2-1..3) */
    struct dist bootstrap;            /* s, OS ready to application serving (EC2-4) */
    double request_bytes, response_bytes; /* per request, for NetworkIn/NetworkOut */

    uint32_t min_size, max_size, desired_capacity;
    const char **availability_zones; /* the AZs it launches into; NULL: all the scenario's */
    const struct cJSON *availability_zones_at;
    uint32_t navailability_zones;
    enum health_check_type health_check_type;
    int64_t health_check_grace_period; /* ns (ASG-16) */
    int64_t default_instance_warmup;   /* ns (ASG-19) */
    int64_t default_cooldown;          /* ns (ASG-23) */
    enum termination_policy termination_policy;
    /* faults (docs/models/autoscaling.md#faults); absent keys are not written into the
     * scenario as run, so that a scenario without faults keeps its outputs */
    enum capacity_distribution capacity_distribution; /* ASG-5 */
    int64_t ec2_health_check_delay; /* ns, from an instance stopping to its replacement
                                       (the group's periodic EC2 check, ASG-14) */
    int64_t launch_retry_interval;  /* ns, between attempts at a launch no AZ accepts */

    struct program *handlers;         /* by request class, "default" for the rest */
    uint32_t nhandlers;
    const struct cJSON *handlers_at;
    /* read by the scaling model, which the world wires to this group */
    struct cJSON *scaling_policies;
    struct cJSON *scheduled_actions;
};

/* Read a component object of type "fleet" (its `type` key already read). */
bool fleet_config_from_json(struct scn_obj *o, struct fleet_config *c, struct arena *a);
void fleet_config_release(struct fleet_config *c);

/* The handler for class `cls`, or NULL. */
const struct program *fleet_program(const struct fleet_config *c, const char *cls);

/* The CloudWatch metrics a group publishes (AWS/EC2 names, by AutoScalingGroupName),
 * NULL-terminated, and the index of one, or -1. */
extern const char *const fleet_metric_names[];
int fleet_metric_index(const char *name);

struct fleet;

/* A fleet named `name` spread over `nazs` AZs (names for the log). `c` must outlive it.
 * Requests it has to give up on are detached through `pool`. */
struct fleet *fleet_new(struct sim *sim, const char *name, const struct fleet_config *c,
                        const char *const *azs, uint32_t nazs, struct req_pool *pool);
/* Find the components its handlers call (with lookup; every component exists by now),
 * launch the initial instances (in service at once: the run starts from an established
 * group), declare columns. Requests come in the workload's `classes`. */
void fleet_start(struct sim *sim, struct fleet *f, const char *const *classes,
                 uint32_t nclasses, prog_lookup_fn lookup, void *lookup_ctx);
void fleet_free(struct fleet *f);
struct component *fleet_component(struct fleet *f);

/* Instance-seconds billed from t = 0 to `now` (>= the last event's time): each instance from
 * its launch (pending included, ASG-3) until it is terminated or loses power, and at least
 * `min_ns` (PRICE-2's 60 s minimum: owed from the launch, so counted at once). */
double fleet_billed_seconds(const struct fleet *f, int64_t now, int64_t min_ns);

#endif
