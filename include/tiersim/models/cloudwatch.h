/* cloudwatch.h — CloudWatch as scaling sees it: metrics collected as statistic sets every
 * base period, datapoints that become visible after a publication delay, and alarms
 * evaluated every minute over the last N periods (M of N, missing-data treatment) whose
 * actions are invoked on a change and once a minute while in ALARM (CW-1..7, TT-11).
 */
#ifndef TIERSIM_MODELS_CLOUDWATCH_H
#define TIERSIM_MODELS_CLOUDWATCH_H

#include "tiersim/models/component.h"
#include "tiersim/models/rules.h"
#include "tiersim/sim.h"

#include <stdbool.h>
#include <stdint.h>

struct scn_obj;

enum cw_statistic { STAT_AVERAGE, STAT_SUM, STAT_MINIMUM, STAT_MAXIMUM, STAT_SAMPLE_COUNT };
extern const char *const cw_statistic_names[]; /* "Average", ... NULL-ended */

struct cw_config {
    int64_t publication_delay; /* ns from a period's end until its datapoint is visible */
};

/* Read the top-level `cloudwatch` object (it may be absent: defaults). */
bool cw_config_from_json(struct scn_obj *o, struct cw_config *c);

struct cw;
struct cw_alarm;

/* What an alarm's action receives, on every evaluation in ALARM and on every change. */
struct cw_event {
    const struct cw_alarm *alarm;
    enum alarm_state state, previous;
    double value;      /* the newest datapoint of the window, by the alarm's statistic; NAN
                          when missing */
    double samples;    /* instances or targets the newest datapoint describes (statset units),
                          on average over its base datapoints; 0 when unknown or missing */
    const char *why;   /* "3 of 3 datapoints > 70 (86.4, 88, 91.2)" */
};
typedef void (*cw_action_fn)(struct sim *sim, void *ctx, const struct cw_event *e);
/* Called once after every evaluation round (every minute), after all actions. */
typedef void (*cw_round_fn)(struct sim *sim, void *ctx);

struct cw_alarm_config {
    const char *owner;       /* the component whose alarm it is (a fleet), for log and columns */
    const char *name;        /* unique per owner; columns <owner>.<name>.metric and .state */
    struct component *source; /* the component publishing the metric */
    int metric_id;           /* the source's id for the metric (component_ops.metric_id) */
    const char *metric_name; /* for the log */
    enum cw_statistic statistic;
    enum comparison comparison;
    double threshold;
    int64_t period;              /* ns: 10 s, 30 s, or a multiple of 60 s */
    uint32_t evaluation_periods; /* N */
    uint32_t datapoints_to_alarm; /* M */
    enum missing_data treat_missing_data;
};

struct cw *cw_new(struct sim *sim, const struct cw_config *c);
void cw_free(struct cw *cw);

/* An alarm whose action (may be NULL) is called as described above. The name is copied.
 * Alarms start in INSUFFICIENT_DATA (CW-3). */
struct cw_alarm *cw_alarm_new(struct cw *cw, const struct cw_alarm_config *c, cw_action_fn fn,
                              void *ctx);
const struct cw_alarm_config *cw_alarm_config(const struct cw_alarm *a);

/* Called after each evaluation round. */
void cw_on_round(struct cw *cw, cw_round_fn fn, void *ctx);

/* Declare columns and schedule the first poll; call after every alarm exists. */
void cw_start(struct sim *sim, struct cw *cw);

#endif
