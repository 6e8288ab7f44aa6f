/* rules.h — the arithmetic of EC2 Auto Scaling and CloudWatch alarms, as pure functions:
 * step adjustments and their bounds (SS-3, SS-4), adjustment types and rounding (SS-8,
 * SS-9), target tracking's capacity (TT-12..14), the arbitration between policies (TT-16,
 * TT-17), and an alarm's M-of-N evaluation with missing data (CW-3..5).
 *
 * Nothing here keeps state or touches the simulation, so each AWS worked example can be
 * pinned by a unit test. Functions that decide something also write the arithmetic, as a
 * person would check it, into `why` (a teaching log: events.csv shows it verbatim). Every
 * `why` may be NULL; at most why_size bytes are written, always NUL-terminated when
 * why_size > 0 (a long text is cut, never overrun).
 */
#ifndef TIERSIM_MODELS_RULES_H
#define TIERSIM_MODELS_RULES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* --- adjustments (SS-8, SS-9) ------------------------------------------------------------ */

enum adjustment_type {
    ADJ_CHANGE_IN_CAPACITY,         /* "ChangeInCapacity": add the adjustment */
    ADJ_PERCENT_CHANGE_IN_CAPACITY, /* "PercentChangeInCapacity": add adjustment % of current */
    ADJ_EXACT_CAPACITY              /* "ExactCapacity": set to the adjustment */
};

/* The scenario names of the types, in enum order, NULL-terminated. */
extern const char *const adjustment_type_names[];

/* The capacity after applying `adjustment` of `type` to `current` (SS-8). Percent changes
 * round as SS-9 says: a result above 1 in magnitude rounds toward zero (12.7 -> 12,
 * -6.67 -> -6), one strictly between 0 and 1 in magnitude becomes +1 or -1, and when
 * `min_adjustment_magnitude` > 0 a percent change is at least that many instances (25 % of
 * 4 = 1, with 2 -> 2). Not clamped to min/max (the caller does that, ASG-2). Writes e.g.
 * "+10% of 10 = 1 -> 11" or "+30% of 11 = 3.3 -> 3 -> 14" into why.
 * Where AWS is silent, tiersim chooses:
 *  - ChangeInCapacity and ExactCapacity take a whole number (the API's ScalingAdjustment is
 *    an Integer); a fraction is truncated toward zero. why: "3 + 5 -> 8", "3 - 2 -> 1",
 *    "set to 5 (was 3)".
 *  - The minimum magnitude applies to scale-in as to scale-out, to any non-zero percentage,
 *    with the percentage's sign, even when the percent of `current` is 0 ("+50% of 0 = 0,
 *    below the minimum magnitude 2 -> +2 -> 2"); a 0 % step changes nothing. It is ignored
 *    for the other two types. why: "+25% of 4 = 1, below the minimum magnitude 2 -> +2 -> 6".
 *  - Numbers in why are printed with %g; results saturate at the int64_t limits.
 * `why` may be NULL; at most why_size bytes are written, always NUL-terminated. */
int64_t rule_adjust(enum adjustment_type type, double adjustment, int64_t current,
                    int64_t min_adjustment_magnitude, char *why, size_t why_size);

/* --- step adjustments (SS-3, SS-4) -------------------------------------------------------- */

/* One step: its bounds are relative to the alarm threshold (as in the API, SS-3); an absent
 * bound is -HUGE_VAL or +HUGE_VAL. */
struct step_adjustment {
    double lower; /* metric_interval_lower_bound */
    double upper; /* metric_interval_upper_bound */
    double adjustment; /* scaling_adjustment */
};

/* Check a policy's steps as AWS does (SS-3): lower < upper for each; ranges neither overlap
 * nor leave gaps; at most one step without a lower bound and at most one without an upper;
 * all steps on one side of the threshold or spanning it contiguously. Returns NULL when
 * valid, else a message naming the step by its index ("steps 1 and 2 overlap: ...").
 * "One side or spanning contiguously" is checked as the StepAdjustment API states it: at
 * least one step; no step without both bounds; a negative lower bound needs a step without
 * a lower bound and a positive upper bound one without an upper bound (so [5, 10) [10, inf)
 * is valid, [0, 10) alone is not). Only the first problem is reported, in this order:
 *   "a step policy needs at least one step"
 *   "step 0: a bound is not a number"
 *   "step 0 has neither a lower nor an upper bound"
 *   "step 1: lower bound 10 must be below upper bound 10"
 *   "steps 0 and 2 both have no lower bound" (or "upper bound")
 *   "steps 0 and 1 overlap: [0, 20) and [10, inf)"
 *   "steps 0 and 1 leave a gap: [0, 10) and [20, inf)"
 *   "step 1: a negative lower bound (-20) needs a step without a lower bound"
 *   "step 0: a positive upper bound (10) needs a step without an upper bound"
 * Ranges are written as SS-4 reads them: [l, u) at or above the threshold, (l, u] at or
 * below, (l, u) across it. The message is written into buf (cut to size) and buf returned;
 * with no buf (NULL or size 0) a fixed "invalid steps" is returned instead. */
const char *rule_steps_check(const struct step_adjustment *steps, size_t n, char *buf,
                             size_t size);

/* The index of the step that `metric` falls in, relative to `threshold`, with SS-4's
 * inclusivity: above the threshold a step's lower bound is inclusive and its upper bound
 * exclusive; below it, the lower bound is exclusive and the upper inclusive. -1 when no step
 * contains the metric (or it is NaN). Bounds are compared as threshold + bound.
 * A metric exactly on the threshold is tried both ways, the "above" reading first: AWS's own
 * examples put it in both [0, 10) (a >= alarm) and (-10, 0] (a <= alarm). */
int rule_step_find(const struct step_adjustment *steps, size_t n, double threshold,
                   double metric);

/* --- target tracking (TT-12..14) ------------------------------------------------------------ */

/* ceil(n_ready * metric / target), the capacity that would bring the metric to the target
 * (TT-14), not clamped to [min, max]. Writes "desired=ceil(4*86.4/70)=5" into why.
 * Preconditions (asserted): n_ready >= 0, target > 0, metric not NaN. A ratio within 1e-9
 * (relative) of a whole number counts as that number, so rounding noise (3*23.1/7.7 =
 * 9.000000000000002) does not ask for one instance more; a ratio <= 0 gives 0. */
int64_t rule_tt_capacity(int64_t n_ready, double metric, double target, char *why,
                         size_t why_size);

/* --- several policies (TT-16, TT-17) -------------------------------------------------------- */

enum proposal_kind {
    PROPOSAL_TARGET_TRACKING, /* from a target tracking policy */
    PROPOSAL_OTHER            /* from a step or simple scaling policy */
};

struct proposal {
    enum proposal_kind kind;
    int64_t capacity; /* the capacity the policy asks for, already clamped to [min, max] */
};

/* The capacity the group takes when these policies fired in the same evaluation, given
 * `current` desired capacity and how many target tracking policies have scale-in enabled
 * (`tt_scale_in_policies`): scale out if any proposal is above current (the largest wins);
 * otherwise scale in to the largest proposal below current, but a target tracking policy
 * may take part only when every target tracking policy with scale-in enabled proposes to
 * scale in this round (step and simple policies may scale in on their own). Returns
 * `current` when nothing changes. Writes the choice: "largest of 5, 6 -> 6" into why.
 * Refinement (TT-17, "largest resulting capacity"): a step or simple proposal equal to
 * `current` (a policy that fired on a 0 step) takes part too, so it holds the group; a
 * target tracking proposal equal to `current` only means "not ready to scale in". The
 * number of target tracking proposals below `current` must not exceed
 * tt_scale_in_policies (asserted: a policy with scale-in disabled never proposes it).
 * why lists the proposals taking part, in input order:
 *   "largest of 5, 10, 9 -> 10"   "largest of 8, 5 -> 8"   "no change -> 8"
 * and, when target tracking scale-in was held back,
 *   "...; target tracking scale-in held: 1 of 2 policies propose it". */
int64_t rule_arbitrate(const struct proposal *p, size_t n, int64_t current,
                       size_t tt_scale_in_policies, char *why, size_t why_size);

/* --- CloudWatch alarms (CW-3..5) --------------------------------------------------------- */

enum alarm_state { ALARM_INSUFFICIENT_DATA, ALARM_OK, ALARM_ALARM };
extern const char *const alarm_state_names[]; /* "INSUFFICIENT_DATA", "OK", "ALARM", NULL */

enum comparison {
    CMP_GREATER_THAN,              /* "GreaterThanThreshold" */
    CMP_GREATER_THAN_OR_EQUAL,     /* "GreaterThanOrEqualToThreshold" */
    CMP_LESS_THAN,                 /* "LessThanThreshold" */
    CMP_LESS_THAN_OR_EQUAL         /* "LessThanOrEqualToThreshold" */
};
extern const char *const comparison_names[];   /* the scenario names above, NULL-ended */
extern const char *const comparison_symbols[]; /* ">", ">=", "<", "<=", NULL */

enum missing_data {
    MISSING_MISSING,       /* "missing" (the default) */
    MISSING_NOT_BREACHING, /* "notBreaching" */
    MISSING_BREACHING,     /* "breaching" */
    MISSING_IGNORE         /* "ignore" */
};
extern const char *const missing_data_names[]; /* NULL-ended */

/* Whether `value` breaches `threshold` under comparison c; NaN never breaches. */
bool rule_breaches(enum comparison c, double value, double threshold);

/* One evaluation of an alarm over its last N periods: values[i], present[i] for the N
 * datapoints, oldest first. M = datapoints_to_alarm (1 <= M <= N, asserted). Rules, as
 * CloudWatch documents them and as tiersim simplifies them:
 *  - ALARM when at least M datapoints breach, missing ones counted as breaching only under
 *    "breaching";
 *  - with every datapoint missing: INSUFFICIENT_DATA under "missing", the current state kept
 *    under "ignore", OK under "notBreaching", ALARM under "breaching" (when M <= N);
 *  - otherwise OK ("ignore" with some datapoints present is judged on those: CloudWatch's
 *    wider evaluation range, CW-5, is not modelled).
 * The result's breaching/present counts say why; `why` gets e.g.
 * "3 of 3 datapoints > 70 (86.4, 88, 91.2)" or "0 of 3 datapoints present"; a missing
 * datapoint is listed as "-", and under "breaching" the text ends ", missing counted as
 * breaching" (values with %g). */
struct alarm_result {
    enum alarm_state state;
    unsigned breaching; /* datapoints counted as breaching */
    unsigned present;   /* datapoints present */
};
struct alarm_result rule_alarm_evaluate(const double *values, const bool *present, unsigned n,
                                        unsigned m, enum comparison c, double threshold,
                                        enum missing_data treat, enum alarm_state current,
                                        char *why, size_t why_size);

#endif
