/* fleet.h — EC2 instances in an Auto Scaling group, each a server with vCPUs, worker slots
 * and a backlog, running a step program per request class.
 *
 * An instance accepts a request into a worker slot if one is free, else into its backlog
 * if there is room, else rejects it with 503 as a full server does. A request holds its
 * worker slot until it replies. Its handler's `cpu` steps queue first-come first-served for
 * the instance's vCPUs. This version keeps the group at desired_capacity for the whole run,
 * all instances in service from the start; scaling arrives with the elastic tier.
 */
#ifndef TIERSIM_MODELS_FLEET_H
#define TIERSIM_MODELS_FLEET_H

#include "tiersim/dist.h"
#include "tiersim/models/component.h"
#include "tiersim/sim.h"

#include <stdbool.h>
#include <stdint.h>

struct scn_obj;
struct arena;

#define STEP_KINDS(XX) XX(CPU, "cpu")

enum step_kind {
#define XX(k, _) STEP_##k,
    STEP_KINDS(XX)
#undef XX
};

struct step {
    enum step_kind kind;
    struct dist demand; /* STEP_CPU: seconds of one vCPU */
};

struct program {
    const char *cls; /* request class it serves */
    struct step *steps;
    uint32_t n;
};

struct fleet_config {
    uint32_t vcpus;   /* per instance */
    uint32_t workers; /* most requests in progress per instance */
    uint32_t backlog; /* most requests waiting for a worker per instance */
    uint32_t min_size, max_size, desired_capacity;
    struct program *handlers;
    uint32_t nhandlers;
};

/* Read a component object of type "fleet" (its `type` key already read). */
bool fleet_config_from_json(struct scn_obj *o, struct fleet_config *c, struct arena *a);
void fleet_config_release(struct fleet_config *c);

/* The handler for class `cls`, or NULL. */
const struct program *fleet_program(const struct fleet_config *c, const char *cls);

struct fleet;

/* A fleet named `name` spread over `nazs` AZs (names for the log). `c` must outlive it. */
struct fleet *fleet_new(struct sim *sim, const char *name, const struct fleet_config *c,
                        const char *const *azs, uint32_t nazs);
/* Launch the initial instances (in service at once), declare columns. */
void fleet_start(struct sim *sim, struct fleet *f);
void fleet_free(struct fleet *f);
struct component *fleet_component(struct fleet *f);

#endif
