/* scaling.h — an Auto Scaling group's dynamic and scheduled scaling: target tracking with
 * the two alarms AWS creates, step scaling, simple scaling with cooldown, scheduled actions
 * (one-off and cron), and the arbitration between policies that fire together.
 *
 * A policy reads the group through its `scalable` interface and CloudWatch through its
 * alarms; every decision goes to events.csv with its arithmetic. The rules and their AWS
 * fact IDs are in scaling.c; the arithmetic itself is rules.h's.
 */
#ifndef TIERSIM_MODELS_SCALING_H
#define TIERSIM_MODELS_SCALING_H

#include "tiersim/cron.h"
#include "tiersim/dist.h"
#include "tiersim/models/cloudwatch.h"
#include "tiersim/models/rules.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct scn;
struct arena;
struct cJSON;

enum policy_type { POLICY_TARGET_TRACKING, POLICY_STEP, POLICY_SIMPLE };

/* A metric by the component that publishes it (a fleet, or an ALB) and its CloudWatch name. */
struct metric_ref {
    const char *component;         /* NULL: the policy's own group */
    const struct cJSON *component_at;
    const char *metric_name;
    const struct cJSON *metric_at;
    enum cw_statistic statistic;
};

struct alarm_spec {
    struct metric_ref metric;
    enum comparison comparison;
    double threshold;
    int64_t period; /* ns */
    uint32_t evaluation_periods, datapoints_to_alarm;
    enum missing_data treat_missing_data;
};

struct policy_config {
    const char *name;
    const struct cJSON *at;
    enum policy_type type;
    /* target tracking (TT-1..15) */
    struct metric_ref tt_metric;   /* predefined or customized */
    const char *predefined;        /* the predefined metric type, or NULL */
    double target_value;
    bool disable_scale_in;
    double scale_in_ratio;         /* AlarmLow's threshold / target (TT-10: 0.7) */
    int64_t tt_period;             /* ns, the alarms' period (60 s; TT-6) */
    bool n_from_datapoint;         /* set by the world: the metric's datapoints count this
                                      group's capacity (its own metric, or RequestCountPer-
                                      Target of an ALB in front of it), so N comes from them */
    /* step and simple (SS-1..12) */
    struct alarm_spec alarm;
    enum adjustment_type adjustment_type;
    int64_t min_adjustment_magnitude; /* 0: none */
    struct step_adjustment *steps;    /* step */
    size_t nsteps;
    double scaling_adjustment;        /* simple */
    int64_t cooldown;                 /* ns, simple (the group's default_cooldown unless given) */
};

struct scheduled_config {
    const char *name;
    int64_t start;     /* ns of simulated time of the one-off action, or of the first
                          recurrence allowed; -1 when not given */
    int64_t end;       /* ns after which a recurrence stops; -1 none */
    bool recurring;
    struct cron cron;  /* recurring: in UTC over the scenario's calendar (start_time) */
    int64_t min_size, max_size, desired_capacity; /* -1: unchanged */
    struct dist delay; /* s, how late it runs (SS-13: up to 2 minutes) */
};

struct scaling_config {
    struct policy_config *policies;
    size_t npolicies;
    struct scheduled_config *scheduled;
    size_t nscheduled;
};

/* Read a group's `scaling_policies` and `scheduled_actions` (either may be NULL).
 * `epoch0` is the calendar time (seconds since 1970, UTC) of simulated time 0, for
 * date-times and cron; `default_cooldown` (ns) the group's, a simple policy's default.
 * References to other components are checked by the caller. */
bool scaling_config_from_json(struct scn *s, struct cJSON *policies, struct cJSON *scheduled,
                              int64_t epoch0, int64_t default_cooldown,
                              struct scaling_config *c, struct arena *a);
void scaling_config_release(struct scaling_config *c);

struct scaling;
typedef struct component *(*component_lookup_fn)(void *ctx, const char *name);

/* The scaling of `group` (a component with a scalable interface): creates its alarms in cw.
 * Named components are found with lookup. Call before cw_start. */
struct scaling *scaling_new(struct sim *sim, struct cw *cw, struct component *group,
                            const struct scaling_config *c, int64_t epoch0,
                            component_lookup_fn lookup, void *lookup_ctx);
/* Schedule the scheduled actions. */
void scaling_start(struct sim *sim, struct scaling *s);
void scaling_free(struct scaling *s);

#endif
