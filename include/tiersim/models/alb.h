/* alb.h — an Application Load Balancer in front of one target group (a fleet's instances).
 *
 * It forwards each request to one registered target, chosen round robin or at random,
 * after a latency drawn from its distribution, and passes the target's reply back. With no
 * registered target it answers 503 (ALB-15). Health checks, cross-zone settings, per-AZ
 * nodes and the other algorithms arrive with the elastic tier.
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

enum alb_algorithm { ALB_ROUND_ROBIN, ALB_RANDOM };

struct alb_config {
    const char *targets;            /* name of the fleet behind it */
    const struct cJSON *targets_at; /* its place, for reference errors */
    enum alb_algorithm algorithm;
    struct dist latency;            /* seconds added on the way to the target */
};

bool alb_config_from_json(struct scn_obj *o, struct alb_config *c, struct arena *a);
void alb_config_release(struct alb_config *c);

struct alb;

struct alb *alb_new(struct sim *sim, const char *name, const struct alb_config *c);
/* Subscribe to the target group `targets` (a component with subscribe) and declare columns. */
int alb_start(struct sim *sim, struct alb *b, struct component *targets);
void alb_free(struct alb *b);
struct component *alb_component(struct alb *b);

#endif
