/* scaling.c — target tracking, step and simple scaling policies, scheduled actions, and the
 * arbitration between policies, for one Auto Scaling group.
 *
 * Rules (reference/aws-behavior.md):
 * - Target tracking creates two alarms on its metric (TT-7, TT-8): AlarmHigh, metric above
 *   the target for 3 of 3 one-minute datapoints, and AlarmLow, below scale_in_ratio x target
 *   (0.7, TT-10) for 15 of 15, unless scale-in is disabled (TT-4). Missing data leaves them
 *   in INSUFFICIENT_DATA and nothing happens (TT-5). While an alarm is in ALARM the policy
 *   acts every minute (TT-11): the capacity it asks for is ceil(N x M / T) with N the
 *   capacity the newest datapoint M describes (see decide_tt) (TT-12..14), kept within
 *   [min, max]; AlarmHigh only ever raises desired (so instances already launched and
 *   warming count, ASG-21), AlarmLow only lowers it.
 * - Step scaling (SS-1..10): its alarm's newest datapoint picks the step (SS-4, SS-5); the
 *   adjustment applies to the capacity that is in service and warmed up (pending and
 *   warming instances are already in desired, so a breach in the same step while they warm
 *   adds nothing, and a higher step adds the difference, SS-10); it acts every minute in
 *   ALARM and has no cooldown.
 * - Simple scaling (SS-11, ASG-23, ASG-24): in ALARM, it adjusts desired capacity once no
 *   launch or termination is under way and the cooldown (the policy's, else the group's
 *   default) since the last one finished is over.
 * - Any policy's scale-in waits while instances are pending or warming (ASG-21).
 * - Policies that fire in the same minute are weighed together (TT-16, TT-17): scale out if
 *   any asks to (the largest capacity wins), scale in only to the largest capacity asked,
 *   and by target tracking only when every target tracking policy with scale-in enabled
 *   asks to (rule_arbitrate).
 * - Scheduled actions (SS-13) set min, max and/or desired at a time or on a cron schedule in
 *   UTC over the scenario's calendar, late by a draw of `delay` (up to 2 minutes); they do
 *   not wait for cooldowns. desired outside the new [min, max] is kept inside it.
 * Simplifications: one warm-up for the group (default_instance_warmup), no per-policy
 * estimated_instance_warmup; predictive scaling is not modelled.
 */
#include "tiersim/models/scaling.h"

#include "tiersim/arena.h"
#include "tiersim/dist.h"
#include "tiersim/scn.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* --- configuration ------------------------------------------------------------------------ */

static const char *const policy_type_names[] = {"TargetTrackingScaling", "StepScaling",
                                                "SimpleScaling", NULL};
static const char *const predefined_names[] = {"ASGAverageCPUUtilization", "ASGAverageNetworkIn",
                                               "ASGAverageNetworkOut",
                                               "ALBRequestCountPerTarget", NULL};
/* what each predefined metric is, as a CloudWatch metric and statistic (TT-1, TT-2) */
static const char *const predefined_metric[] = {"CPUUtilization", "NetworkIn", "NetworkOut",
                                                "RequestCountPerTarget"};
static const enum cw_statistic predefined_stat[] = {STAT_AVERAGE, STAT_AVERAGE, STAT_AVERAGE,
                                                    STAT_SUM};

static void read_metric(struct scn_obj *o, struct metric_ref *m, struct arena *a,
                        bool name_required)
{
    m->component = arena_strdup(a, scn_str(o, "component", NULL));
    m->component_at = scn_member(o, "component");
    m->metric_name = arena_strdup(a, name_required ? scn_str_req(o, "metric_name")
                                                   : scn_str(o, "metric_name", NULL));
    m->metric_at = scn_member(o, "metric_name");
    m->statistic = (enum cw_statistic)scn_enum(o, "statistic", cw_statistic_names, STAT_AVERAGE);
}

static void check_period(struct scn_obj *o, const char *key, int64_t p)
{
    int64_t s = SIM_NS_PER_S;
    if (p == 10 * s || p == 30 * s || (p > 0 && p % (60 * s) == 0))
        return;
    scn_error(o->s, scn_member(o, key), false,
              "must be 10 s, 30 s or a multiple of 60 s (CloudWatch periods), got %.10g s",
              sim_s(p));
}

static void read_alarm(struct scn_obj *po, struct alarm_spec *al, struct arena *a)
{
    struct scn_obj o;
    scn_open_member(po, "alarm", true, &o);
    read_metric(&o, &al->metric, a, true);
    scn_num_req(&o, "threshold", SCN_ANY, &al->threshold);
    int cmp = scn_enum_req(&o, "comparison_operator", comparison_names);
    al->comparison = cmp < 0 ? CMP_GREATER_THAN : (enum comparison)cmp;
    /* the AWS example of a step policy's alarm: 120 s periods, 2 of 2 (SS-1) */
    al->period = scn_dur(&o, "period", 120, SCN_POS);
    check_period(&o, "period", al->period);
    unsigned before = scn_error_count(o.s);
    al->evaluation_periods = (uint32_t)scn_int(&o, "evaluation_periods", 2, 1, 64);
    bool periods_ok = scn_error_count(o.s) == before; /* else no comparison with a default */
    al->datapoints_to_alarm =
        (uint32_t)scn_int(&o, "datapoints_to_alarm", al->evaluation_periods, 1, 64);
    if (periods_ok && al->datapoints_to_alarm > al->evaluation_periods)
        scn_error(o.s, scn_member(&o, "datapoints_to_alarm"), false,
                  "must be <= evaluation_periods (%u), got %u", al->evaluation_periods,
                  al->datapoints_to_alarm);
    al->treat_missing_data =
        (enum missing_data)scn_enum(&o, "treat_missing_data", missing_data_names, MISSING_MISSING);
    scn_close(&o);
}

static void read_steps(struct scn_obj *po, struct policy_config *p, struct arena *a)
{
    cJSON *arr = scn_member_req(po, "step_adjustments");
    if (!arr)
        return;
    char what[64];
    if (!cJSON_IsArray(arr) || cJSON_GetArraySize(arr) == 0) {
        scn_error(po->s, arr, false, "expected a non-empty array of steps, got %s",
                  scn_describe(arr, what, sizeof what));
        return;
    }
    p->nsteps = (size_t)cJSON_GetArraySize(arr);
    p->steps = arena_alloc(a, p->nsteps * sizeof *p->steps);
    size_t i = 0;
    bool ok = true;
    cJSON *e;
    cJSON_ArrayForEach(e, arr)
    {
        struct step_adjustment *st = &p->steps[i++];
        struct scn_obj so;
        if (!scn_open(po->s, e, &so)) {
            ok = false;
            continue;
        }
        unsigned before = scn_error_count(po->s);
        cJSON *lo = scn_member(&so, "metric_interval_lower_bound");
        cJSON *hi = scn_member(&so, "metric_interval_upper_bound");
        st->lower = -HUGE_VAL;
        st->upper = HUGE_VAL;
        if (lo)
            scn_as_num(po->s, lo, SCN_ANY, &st->lower);
        if (hi)
            scn_as_num(po->s, hi, SCN_ANY, &st->upper);
        scn_num_req(&so, "scaling_adjustment", SCN_ANY, &st->adjustment);
        scn_close(&so);
        ok = ok && scn_error_count(po->s) == before;
    }
    char why[160];
    const char *bad = ok ? rule_steps_check(p->steps, p->nsteps, why, sizeof why) : NULL;
    if (bad)
        scn_error(po->s, arr, false, "%s (SS-3)", bad);
}

static void read_target_tracking(struct scn_obj *po, struct policy_config *p, struct arena *a)
{
    struct scn *s = po->s;
    struct scn_obj o;
    scn_open_member(po, "target_tracking_configuration", true, &o);
    cJSON *pre = scn_member(&o, "predefined_metric_specification");
    cJSON *cus = scn_member(&o, "customized_metric_specification");
    if (pre && cus)
        scn_error(s, cus, true,
                  "give only one of predefined_metric_specification and "
                  "customized_metric_specification, not both");
    else if (!pre && !cus && o.j)
        scn_error(s, o.j, false,
                  "missing a metric: give predefined_metric_specification or "
                  "customized_metric_specification");
    if (pre) {
        struct scn_obj m;
        scn_open(s, pre, &m);
        int t = scn_enum_req(&m, "predefined_metric_type", predefined_names);
        p->tt_metric.component = arena_strdup(a, scn_str(&m, "resource_label", NULL));
        p->tt_metric.component_at = scn_member(&m, "resource_label");
        if (t >= 0) {
            p->predefined = predefined_names[t];
            p->tt_metric.metric_name = predefined_metric[t];
            p->tt_metric.statistic = predefined_stat[t];
            bool alb = strcmp(predefined_names[t], "ALBRequestCountPerTarget") == 0;
            if (alb && !p->tt_metric.component)
                scn_error(s, pre, false,
                          "ALBRequestCountPerTarget needs \"resource_label\": the alb whose "
                          "requests are counted (TT-1)");
            if (!alb && p->tt_metric.component)
                scn_error(s, p->tt_metric.component_at, false,
                          "only ALBRequestCountPerTarget takes a resource_label");
        }
        scn_close(&m);
    } else if (cus) {
        struct scn_obj m;
        scn_open(s, cus, &m);
        read_metric(&m, &p->tt_metric, a, true);
        scn_close(&m);
    }
    scn_num_req(&o, "target_value", SCN_POS, &p->target_value);
    p->disable_scale_in = scn_bool(&o, "disable_scale_in", false);
    p->scale_in_ratio = scn_num(&o, "scale_in_ratio", 0.7, (struct scn_bound){0, 1, true, true});
    p->tt_period = 60 * SIM_NS_PER_S;
    scn_close(&o);
}

static bool read_policy(struct scn *s, cJSON *j, struct policy_config *p, struct arena *a,
                        int64_t default_cooldown)
{
    unsigned before = scn_error_count(s);
    struct scn_obj o;
    if (!scn_open(s, j, &o))
        return false;
    p->at = j;
    p->name = arena_strdup(a, scn_str_req(&o, "policy_name"));
    if (p->name && !scn_good_name(p->name))
        scn_error(s, scn_member(&o, "policy_name"), false,
                  "bad policy name: use a letter, then letters, digits, '_' or '-' (at most 40 "
                  "characters): it names the policy's alarms and columns");
    int t = scn_enum_req(&o, "policy_type", policy_type_names);
    if (t < 0) {
        for (cJSON *k = j->child; k; k = k->next)
            scn_member(&o, k->string); /* without a type the other keys cannot be judged */
        scn_close(&o);
        return false;
    }
    p->type = (enum policy_type)t;
    p->cooldown = -1;
    /* a key that belongs to another policy type is that mistake, not an unknown key */
    static const struct {
        const char *key;
        unsigned types; /* bit per policy_type */
        const char *who;
    } owned[] = {
        {"target_tracking_configuration", 1u << POLICY_TARGET_TRACKING,
         "a TargetTrackingScaling policy"},
        {"adjustment_type", 1u << POLICY_STEP | 1u << POLICY_SIMPLE,
         "a StepScaling or SimpleScaling policy"},
        {"min_adjustment_magnitude", 1u << POLICY_STEP | 1u << POLICY_SIMPLE,
         "a StepScaling or SimpleScaling policy"},
        {"alarm", 1u << POLICY_STEP | 1u << POLICY_SIMPLE, "a StepScaling or SimpleScaling policy"},
        {"step_adjustments", 1u << POLICY_STEP, "a StepScaling policy"},
        {"scaling_adjustment", 1u << POLICY_SIMPLE, "a SimpleScaling policy"},
        {"cooldown", 1u << POLICY_SIMPLE, "a SimpleScaling policy"},
    };
    for (size_t k = 0; k < sizeof owned / sizeof owned[0]; k++)
        if (!(owned[k].types & (1u << p->type))) {
            cJSON *v = scn_member(&o, owned[k].key);
            if (v)
                scn_error(s, v, true, "only %s takes \"%s\"", owned[k].who, owned[k].key);
        }
    switch (p->type) {
    case POLICY_TARGET_TRACKING:
        read_target_tracking(&o, p, a);
        break;
    case POLICY_STEP:
    case POLICY_SIMPLE: {
        int adj = scn_enum_req(&o, "adjustment_type", adjustment_type_names);
        p->adjustment_type = adj < 0 ? ADJ_CHANGE_IN_CAPACITY : (enum adjustment_type)adj;
        p->min_adjustment_magnitude = scn_int(&o, "min_adjustment_magnitude", 0, 0, 100000);
        if (p->min_adjustment_magnitude > 0 && adj >= 0 &&
            p->adjustment_type != ADJ_PERCENT_CHANGE_IN_CAPACITY)
            scn_error(s, scn_member(&o, "min_adjustment_magnitude"), false,
                      "only PercentChangeInCapacity takes a min_adjustment_magnitude (SS-9)");
        if (p->type == POLICY_STEP) {
            read_steps(&o, p, a);
        } else {
            scn_num_req(&o, "scaling_adjustment", SCN_ANY, &p->scaling_adjustment);
            p->cooldown = scn_dur(&o, "cooldown", sim_s(default_cooldown), SCN_NONNEG);
        }
        read_alarm(&o, &p->alarm, a);
        break;
    }
    }
    scn_close(&o);
    return scn_error_count(s) == before;
}

/* A time: a duration from the start ("2h") or a UTC date-time on the scenario's calendar. */
static bool read_time(struct scn *s, const cJSON *v, int64_t epoch0, int64_t *out)
{
    int64_t at;
    double sec;
    if (cJSON_IsNumber(v) || (cJSON_IsString(v) && scn_parse_duration(v->valuestring, &sec)))
        return scn_as_dur(s, v, SCN_NONNEG, out);
    if (cJSON_IsString(v) && cron_parse_utc(v->valuestring, &at)) {
        if (at < epoch0) {
            char t0[32];
            cron_format_utc(epoch0, t0, sizeof t0);
            scn_error(s, v, false, "\"%s\" is before the run starts (the scenario's start_time, %s)",
                      v->valuestring, t0);
            return false;
        }
        if (at - epoch0 > 1000000000) { /* the limit of every duration (scn.h) */
            scn_error(s, v, false,
                      "\"%s\" is more than 1e9 s (about 31 years) after the run starts",
                      v->valuestring);
            return false;
        }
        *out = (at - epoch0) * SIM_NS_PER_S;
        return true;
    }
    int y, mo, d;
    char what[64];
    if (cJSON_IsString(v) && sscanf(v->valuestring, "%4d-%2d-%2d", &y, &mo, &d) == 3 &&
        mo >= 1 && mo <= 12) {
        scn_error(s, v, false,
                  "\"%s\" is not a time: no such day, or not in the form "
                  "\"2026-01-05T08:00:00Z\" (UTC)",
                  v->valuestring);
        return false;
    }
    scn_error(s, v, false,
              "expected a UTC date-time such as \"2026-01-05T08:00:00Z\" or a duration from "
              "the start such as \"90s\" or \"2h\", got %s",
              scn_describe(v, what, sizeof what));
    return false;
}

static bool read_scheduled(struct scn *s, cJSON *j, int64_t epoch0, struct scheduled_config *c,
                           struct arena *a)
{
    unsigned before = scn_error_count(s);
    struct scn_obj o;
    if (!scn_open(s, j, &o))
        return false;
    c->name = arena_strdup(a, scn_str_req(&o, "scheduled_action_name"));
    c->start = c->end = -1;
    cJSON *start = scn_member(&o, "start_time"), *end = scn_member(&o, "end_time");
    const char *rec = scn_str(&o, "recurrence", NULL);
    if (start)
        read_time(s, start, epoch0, &c->start);
    if (end)
        read_time(s, end, epoch0, &c->end);
    if (rec) {
        char why[128];
        c->recurring = true;
        if (!cron_parse(rec, &c->cron, why, sizeof why))
            scn_error(s, scn_member(&o, "recurrence"), false, "bad cron expression: %s", why);
    } else if (!start && o.j) {
        scn_error(s, o.j, false, "give \"start_time\" (a one-off action) or \"recurrence\"");
    }
    if (end && !rec)
        scn_error(s, end, false, "only a recurring action (\"recurrence\") takes an end_time");
    else if (end && start && c->end >= 0 && c->start >= 0 && c->end <= c->start)
        scn_error(s, end, false, "must be after the start_time (%.10g s into the run), got %.10g s",
                  sim_s(c->start), sim_s(c->end));
    c->min_size = c->max_size = c->desired_capacity = -1;
    cJSON *mn = scn_member(&o, "min_size"), *mx = scn_member(&o, "max_size"),
          *d = scn_member(&o, "desired_capacity");
    if (mn)
        scn_as_int(s, mn, 0, 100000, &c->min_size);
    if (mx)
        scn_as_int(s, mx, 0, 100000, &c->max_size);
    if (d)
        scn_as_int(s, d, 0, 100000, &c->desired_capacity);
    if (!mn && !mx && !d && o.j)
        scn_error(s, o.j, false, "give at least one of min_size, max_size, desired_capacity");
    if (mn && mx && c->min_size > c->max_size)
        scn_error(s, mx, false, "must be >= min_size (%lld), got %lld", (long long)c->min_size,
                  (long long)c->max_size);
    /* SS-13: it may run up to two minutes late */
    dist_read(&o, "delay", "{\"dist\": \"uniform\", \"min\": 0, \"max\": 120}", &c->delay, a);
    scn_close(&o);
    return scn_error_count(s) == before;
}

/* A name (at node `at`) not used by an earlier element of the array `what`[0..n). */
static bool unique_name(struct scn *s, const cJSON *at, const char *name, const char *const *seen,
                        size_t n, const char *what)
{
    if (!name)
        return false;
    for (size_t i = 0; i < n; i++)
        if (seen[i] && strcmp(seen[i], name) == 0) {
            scn_error(s, at, false, "%s[%zu] is already named \"%s\"", what, i, name);
            return false;
        }
    return true;
}

bool scaling_config_from_json(struct scn *s, cJSON *policies, cJSON *scheduled, int64_t epoch0,
                              int64_t default_cooldown, struct scaling_config *c,
                              struct arena *a)
{
    memset(c, 0, sizeof *c);
    unsigned before = scn_error_count(s);
    char what[64];
    if (policies && !cJSON_IsArray(policies)) {
        scn_error(s, policies, false, "expected an array of scaling policies, got %s",
                  scn_describe(policies, what, sizeof what));
    } else if (policies) {
        c->policies = arena_alloc(a, ((size_t)cJSON_GetArraySize(policies) + 1u) *
                                         sizeof *c->policies);
        const char *names[256] = {0};
        cJSON *e;
        cJSON_ArrayForEach(e, policies)
        {
            struct policy_config *p = &c->policies[c->npolicies];
            read_policy(s, e, p, a, default_cooldown);
            if (c->npolicies < 256 &&
                unique_name(s, cJSON_GetObjectItemCaseSensitive(e, "policy_name"), p->name, names,
                            c->npolicies, "scaling_policies"))
                names[c->npolicies] = p->name;
            c->npolicies++;
        }
    }
    if (scheduled && !cJSON_IsArray(scheduled)) {
        scn_error(s, scheduled, false, "expected an array of scheduled actions, got %s",
                  scn_describe(scheduled, what, sizeof what));
    } else if (scheduled) {
        c->scheduled = arena_alloc(a, ((size_t)cJSON_GetArraySize(scheduled) + 1u) *
                                          sizeof *c->scheduled);
        const char *names[256] = {0};
        cJSON *e;
        cJSON_ArrayForEach(e, scheduled)
        {
            struct scheduled_config *sc = &c->scheduled[c->nscheduled];
            read_scheduled(s, e, epoch0, sc, a);
            if (c->nscheduled < 256 &&
                unique_name(s, cJSON_GetObjectItemCaseSensitive(e, "scheduled_action_name"),
                            sc->name, names, c->nscheduled, "scheduled_actions"))
                names[c->nscheduled] = sc->name;
            c->nscheduled++;
        }
    }
    return scn_error_count(s) == before;
}

void scaling_config_release(struct scaling_config *c)
{
    for (size_t i = 0; i < c->nscheduled; i++)
        dist_release(&c->scheduled[i].delay);
}

/* --- runtime -------------------------------------------------------------------------------- */

struct scaling;

struct alarm_ctx {
    struct policy_rt *p;
    bool low; /* target tracking's AlarmLow */
    /* the last decision that changed nothing, so that the same one is not logged every
     * minute of an ALARM: what it was, with the capacity asked and the desired capacity */
    int noop;
    int64_t noop_want, noop_desired;
};

enum { NOOP_NONE, NOOP_NOT_ABOVE, NOOP_NOT_BELOW, NOOP_BLOCKED, NOOP_WAITING, NOOP_COOLDOWN };

/* Whether a decision that changes nothing should be logged: the first of its kind in this
 * ALARM, or when what it computed has changed. */
static bool noop_news(struct alarm_ctx *a, int kind, int64_t want, int64_t desired)
{
    if (a->noop == kind && a->noop_want == want && a->noop_desired == desired)
        return false;
    a->noop = kind;
    a->noop_want = want;
    a->noop_desired = desired;
    return true;
}

struct policy_rt {
    const struct policy_config *cfg;
    struct scaling *s;
    struct alarm_ctx high, low;
    const char *metric; /* CloudWatch name, for the log */
    bool per_instance;  /* the group's own metric: a datapoint averages its instances */
    bool n_from_datapoint; /* N is the capacity the datapoint counts (policy_config) */
};

struct scaling {
    struct component *group;
    const struct scalable_ops *ops;
    const struct scaling_config *cfg;
    int64_t epoch0;
    struct policy_rt *pol;
    size_t npol;
    size_t tt_scale_in; /* target tracking policies with scale-in enabled */
    struct proposal props[64];
    char prop_names[64][48];
    size_t nprops;
    char stays[448]; /* the last "desired stays" row logged, to say it once */
    gsl_rng *rng;
};

static void propose(struct scaling *s, const struct policy_rt *p, enum proposal_kind kind,
                    int64_t capacity)
{
    if (s->nprops >= 64)
        return;
    s->props[s->nprops] = (struct proposal){kind, capacity};
    snprintf(s->prop_names[s->nprops], sizeof s->prop_names[0], "%s", p->cfg->name);
    s->nprops++;
}

static int64_t clamp(int64_t x, const struct asg_status *st)
{
    return x < st->min ? st->min : x > st->max ? st->max : x;
}

/* The part of "-> clamped" to add to a decision when [min, max] cut it. */
static const char *clamp_note(int64_t want, int64_t got, const struct asg_status *st, char *buf,
                              size_t n)
{
    if (want == got)
        buf[0] = '\0';
    else
        snprintf(buf, n, ", kept within [%u, %u] -> %lld", st->min, st->max, (long long)got);
    return buf;
}

/* Target tracking (TT-11..14). N is the capacity the newest datapoint describes: the
 * instances a group's metric averaged (its sample count), or the targets a per-target metric
 * was divided by. That is the warmed-up capacity in steady state, and right after a change
 * still the capacity the datapoint measured, so a datapoint from before a scale-in cannot
 * scale in a second time. For a metric without such a count (a latency, or another group's
 * metric, whose instances are not this group's) N is the warmed-up capacity. (AWS does not publish the formula, TT-14.) */
static void decide_tt(struct sim *sim, struct alarm_ctx *a, const struct cw_event *e)
{
    struct policy_rt *p = a->p;
    struct scaling *s = p->s;
    const struct policy_config *c = p->cfg;
    struct asg_status st;
    s->ops->status(s->group, sim->now, &st);
    const char *alarm = a->low ? "AlarmLow" : "AlarmHigh";
    bool measured = p->n_from_datapoint && e->samples > 0;
    int64_t n = measured ? (int64_t)llround(e->samples) : (int64_t)st.ready;
    if (isnan(e->value) || n == 0) {
        if (noop_news(a, NOOP_WAITING, 0, st.desired))
            sim_log(sim, s->group->name, "decision", "%s: %s in ALARM, no datapoint to act on",
                    c->name, alarm);
        return;
    }
    char why[128], note[64];
    int64_t want = rule_tt_capacity(n, e->value, c->target_value, why, sizeof why);
    int64_t cap = clamp(want, &st);
    clamp_note(want, cap, &st, note, sizeof note);
    const char *n_is = !measured         ? "ready"
                       : p->per_instance ? "instances measured"
                                         : "targets measured";
    if (!a->low) {
        if (cap > st.desired) {
            propose(s, p, PROPOSAL_TARGET_TRACKING, cap);
            a->noop = NOOP_NONE;
            sim_log(sim, s->group->name, "decision", "%s: %s ALARM (%s): %s=%.4g %s=%lld -> %s%s",
                    c->name, alarm, e->why, p->metric, e->value, n_is, (long long)n, why, note);
        } else if (noop_news(a, NOOP_NOT_ABOVE, cap, st.desired)) {
            sim_log(sim, s->group->name, "decision",
                    "%s: %s ALARM: %s=%.4g %s=%lld -> %s%s, not above desired %u (pending and "
                    "warming instances count, ASG-21)",
                    c->name, alarm, p->metric, e->value, n_is, (long long)n, why, note,
                    st.desired);
        }
        return;
    }
    if (st.pending + st.warming > 0) {
        if (noop_news(a, NOOP_BLOCKED, st.pending + st.warming, st.desired))
            sim_log(sim, s->group->name, "decision",
                    "%s: %s ALARM, scale-in blocked: %u instances pending or warming (ASG-21)",
                    c->name, alarm, st.pending + st.warming);
        return;
    }
    if (cap < st.desired) {
        propose(s, p, PROPOSAL_TARGET_TRACKING, cap);
        a->noop = NOOP_NONE;
        sim_log(sim, s->group->name, "decision", "%s: %s ALARM (%s): %s=%.4g %s=%lld -> %s%s",
                c->name, alarm, e->why, p->metric, e->value, n_is, (long long)n, why, note);
    } else if (noop_news(a, NOOP_NOT_BELOW, cap, st.desired)) {
        sim_log(sim, s->group->name, "decision",
                "%s: %s ALARM: %s=%.4g %s=%lld -> %s%s, not below desired %u (TT-13)", c->name,
                alarm, p->metric, e->value, n_is, (long long)n, why, note, st.desired);
    }
}

static void decide_step(struct sim *sim, struct alarm_ctx *a, const struct cw_event *e)
{
    struct policy_rt *p = a->p;
    struct scaling *s = p->s;
    const struct policy_config *c = p->cfg;
    struct asg_status st;
    s->ops->status(s->group, sim->now, &st);
    if (isnan(e->value))
        return;
    int i = rule_step_find(c->steps, c->nsteps, c->alarm.threshold, e->value);
    if (i < 0) {
        sim_log(sim, s->group->name, "decision", "%s: ALARM, %s=%.4g is in no step", c->name,
                p->metric, e->value);
        return;
    }
    /* pending and warming instances are in desired already (SS-10) */
    int64_t base = st.ready;
    char why[128], note[64];
    int64_t want = rule_adjust(c->adjustment_type, c->steps[i].adjustment, base,
                               c->min_adjustment_magnitude, why, sizeof why);
    int64_t cap = clamp(want, &st);
    clamp_note(want, cap, &st, note, sizeof note);
    /* the step says which way: out for a positive adjustment (or an exact capacity above
     * desired), in for a negative one */
    bool out = c->adjustment_type == ADJ_EXACT_CAPACITY ? want > st.desired
                                                         : c->steps[i].adjustment > 0;
    bool in = c->adjustment_type == ADJ_EXACT_CAPACITY ? want < st.desired
                                                        : c->steps[i].adjustment < 0;
    if (in && st.pending + st.warming > 0) {
        if (noop_news(a, NOOP_BLOCKED, st.pending + st.warming, st.desired))
            sim_log(sim, s->group->name, "decision",
                    "%s: ALARM, scale-in blocked: %u instances pending or warming (ASG-21)",
                    c->name, st.pending + st.warming);
        return;
    }
    if ((out && cap <= st.desired) || (in && cap >= st.desired) || (!out && !in)) {
        const char *why_not = !out && !in     ? " (a 0 step: the group stays)"
                              : want != cap   ? ""
                              : out           ? " (pending and warming instances are in desired "
                                                "already, SS-10)"
                                              : "";
        propose(s, p, PROPOSAL_OTHER, st.desired); /* it fired: it holds the group (TT-17) */
        if (noop_news(a, NOOP_NOT_ABOVE, cap, st.desired))
            sim_log(sim, s->group->name, "decision",
                    "%s: ALARM (%s): %s=%.4g, step %d, ready=%u: %s%s, desired stays %u%s",
                    c->name, e->why, p->metric, e->value, i + 1, st.ready, why, note,
                    st.desired, why_not);
        return;
    }
    a->noop = NOOP_NONE;
    propose(s, p, PROPOSAL_OTHER, cap);
    sim_log(sim, s->group->name, "decision", "%s: ALARM (%s): %s=%.4g, step %d, ready=%u: %s%s",
            c->name, e->why, p->metric, e->value, i + 1, st.ready, why, note);
}

static void decide_simple(struct sim *sim, struct alarm_ctx *a, const struct cw_event *e)
{
    struct policy_rt *p = a->p;
    struct scaling *s = p->s;
    const struct policy_config *c = p->cfg;
    struct asg_status st;
    s->ops->status(s->group, sim->now, &st);
    if (st.pending + st.terminating > 0) {
        if (noop_news(a, NOOP_WAITING, st.pending + st.terminating, st.desired))
            sim_log(sim, s->group->name, "decision",
                    "%s: ALARM, waiting: a scaling activity is under way (SS-11)", c->name);
        return;
    }
    int64_t cooldown = c->cooldown;
    if (sim->now < st.last_activity_end + cooldown) {
        if (noop_news(a, NOOP_COOLDOWN, st.last_activity_end, st.desired))
            sim_log(sim, s->group->name, "decision",
                    "%s: ALARM, in cooldown until t=%.0f s (%.0f s after the last activity, "
                    "ASG-23, ASG-24)",
                    c->name, sim_s(st.last_activity_end + cooldown), sim_s(cooldown));
        return;
    }
    char why[128], note[64];
    int64_t want = rule_adjust(c->adjustment_type, c->scaling_adjustment, st.desired,
                               c->min_adjustment_magnitude, why, sizeof why);
    int64_t cap = clamp(want, &st);
    clamp_note(want, cap, &st, note, sizeof note);
    if (cap < st.desired && st.pending + st.warming > 0) {
        if (noop_news(a, NOOP_BLOCKED, st.pending + st.warming, st.desired))
            sim_log(sim, s->group->name, "decision",
                    "%s: ALARM, scale-in blocked: %u instances pending or warming (ASG-21)",
                    c->name, st.pending + st.warming);
        return;
    }
    a->noop = NOOP_NONE;
    propose(s, p, PROPOSAL_OTHER, cap);
    sim_log(sim, s->group->name, "decision", "%s: ALARM (%s): %s=%.4g, desired=%u: %s%s",
            c->name, e->why, p->metric, e->value, st.desired, why, note);
}

static void on_alarm(struct sim *sim, void *ctx, const struct cw_event *e)
{
    struct alarm_ctx *a = ctx;
    if (e->state != ALARM_ALARM) {
        a->noop = NOOP_NONE; /* a new ALARM logs its first decision, whatever it is */
        return;
    }
    switch (a->p->cfg->type) {
    case POLICY_TARGET_TRACKING:
        decide_tt(sim, a, e);
        break;
    case POLICY_STEP:
        decide_step(sim, a, e);
        break;
    case POLICY_SIMPLE:
        decide_simple(sim, a, e);
        break;
    }
}

/* Every policy that fired this minute has proposed: weigh them together (TT-16, TT-17). */
static void on_round(struct sim *sim, void *ctx)
{
    struct scaling *s = ctx;
    if (s->nprops == 0)
        return;
    struct asg_status st;
    s->ops->status(s->group, sim->now, &st);
    char why[256], cause[384];
    int64_t cap = rule_arbitrate(s->props, s->nprops, st.desired, s->tt_scale_in, why, sizeof why);
    size_t n = (size_t)snprintf(cause, sizeof cause, "%s (", why);
    for (size_t i = 0; i < s->nprops && n < sizeof cause; i++)
        n += (size_t)snprintf(cause + n, sizeof cause - n, "%s%s %lld", i ? ", " : "",
                              s->prop_names[i], (long long)s->props[i].capacity);
    if (n < sizeof cause)
        snprintf(cause + n, sizeof cause - n, ")");
    bool asked = false; /* did some policy ask for another capacity? */
    for (size_t i = 0; i < s->nprops; i++)
        asked |= s->props[i].capacity != st.desired;
    s->nprops = 0;
    if (cap != st.desired) {
        s->ops->set_capacity(sim, s->group, -1, -1, cap, cause);
        s->stays[0] = '\0';
    } else if (!asked) {
        s->stays[0] = '\0';
    } else {
        /* a policy asked and was held back (TT-16) or outweighed (TT-17): say so, once for
         * as long as the same proposals keep being weighed the same way */
        char text[sizeof s->stays];
        snprintf(text, sizeof text, "desired stays %u: %s", st.desired, cause);
        if (strcmp(text, s->stays) != 0) {
            sim_log(sim, s->group->name, "decision", "%s", text);
            memcpy(s->stays, text, sizeof text);
        }
    }
}

static void schedule_action(struct sim *sim, struct scaling *s, size_t i, int64_t after);

static void on_scheduled(struct sim *sim, void *ctx, uint64_t i)
{
    struct scaling *s = ctx;
    const struct scheduled_config *c = &s->cfg->scheduled[i];
    char cause[128], when[32];
    cron_format_utc(s->epoch0 + sim->now / SIM_NS_PER_S, when, sizeof when);
    snprintf(cause, sizeof cause, "scheduled action %s at %s (SS-13)", c->name, when);
    struct asg_status st;
    s->ops->status(s->group, sim->now, &st);
    sim_log(sim, s->group->name, "scheduled", "%s: min %lld, max %lld, desired %lld (-1: kept)",
            c->name, (long long)c->min_size, (long long)c->max_size,
            (long long)c->desired_capacity);
    s->ops->set_capacity(sim, s->group, c->min_size, c->max_size, c->desired_capacity, cause);
    if (c->recurring)
        schedule_action(sim, s, i, sim->now);
}

/* The next run of scheduled action i strictly after simulated time `after` (ns). */
static void schedule_action(struct sim *sim, struct scaling *s, size_t i, int64_t after)
{
    const struct scheduled_config *c = &s->cfg->scheduled[i];
    int64_t at;
    if (!c->recurring) {
        if (after >= 0)
            return; /* a one-off runs once */
        at = c->start;
    } else {
        int64_t from = after;
        if (c->start > from)
            from = c->start - 1;
        /* the next whole minute the cron matches, in calendar seconds */
        int64_t now_s = s->epoch0 + (from < 0 ? -1 : from / SIM_NS_PER_S);
        int64_t next = cron_next(&c->cron, now_s);
        if (next < 0)
            return;
        at = (next - s->epoch0) * SIM_NS_PER_S;
        if (c->end >= 0 && at > c->end)
            return;
    }
    int64_t late = sim_ns(dist_sample(&c->delay, s->rng));
    if (at + late < sim->now)
        return;
    sim_at(sim, at + late, on_scheduled, s, i);
}

struct scaling *scaling_new(struct sim *sim, struct cw *cw, struct component *group,
                            const struct scaling_config *c, int64_t epoch0,
                            component_lookup_fn lookup, void *lookup_ctx)
{
    struct scaling *s = ts_calloc(1, sizeof *s);
    s->group = group;
    s->ops = group->ops->scalable;
    TS_ASSERT(s->ops != NULL);
    s->cfg = c;
    s->epoch0 = epoch0;
    s->rng = sim_rng(sim, group->name, "scheduled");
    s->pol = ts_calloc(c->npolicies ? c->npolicies : 1u, sizeof *s->pol);
    s->npol = c->npolicies;
    for (size_t i = 0; i < c->npolicies; i++) {
        const struct policy_config *pc = &c->policies[i];
        struct policy_rt *p = &s->pol[i];
        p->cfg = pc;
        p->s = s;
        p->high = (struct alarm_ctx){.p = p, .low = false};
        p->low = (struct alarm_ctx){.p = p, .low = true};
        const struct metric_ref *m =
            pc->type == POLICY_TARGET_TRACKING ? &pc->tt_metric : &pc->alarm.metric;
        struct component *src = m->component ? lookup(lookup_ctx, m->component) : group;
        TS_ASSERT(src && src->ops->metric_id); /* checked with the scenario */
        p->metric = m->metric_name;
        p->per_instance = src == group;
        p->n_from_datapoint = pc->n_from_datapoint;
        char name[96];
        struct cw_alarm_config ac = {
            .owner = group->name,
            .name = name,
            .source = src,
            .metric_id = src->ops->metric_id(src, m->metric_name),
            .metric_name = m->metric_name,
            .statistic = m->statistic,
        };
        TS_ASSERT(ac.metric_id >= 0);
        if (pc->type == POLICY_TARGET_TRACKING) {
            /* the two alarms AWS creates (TT-7, TT-8, TT-10) */
            snprintf(name, sizeof name, "%s-AlarmHigh", pc->name);
            ac.comparison = CMP_GREATER_THAN;
            ac.threshold = pc->target_value;
            ac.period = pc->tt_period;
            ac.evaluation_periods = ac.datapoints_to_alarm = 3;
            ac.treat_missing_data = MISSING_MISSING;
            cw_alarm_new(cw, &ac, on_alarm, &p->high);
            if (!pc->disable_scale_in) {
                snprintf(name, sizeof name, "%s-AlarmLow", pc->name);
                ac.comparison = CMP_LESS_THAN;
                ac.threshold = pc->scale_in_ratio * pc->target_value;
                ac.evaluation_periods = ac.datapoints_to_alarm = 15;
                cw_alarm_new(cw, &ac, on_alarm, &p->low);
                s->tt_scale_in++;
            }
        } else {
            snprintf(name, sizeof name, "%s", pc->name);
            ac.comparison = pc->alarm.comparison;
            ac.threshold = pc->alarm.threshold;
            ac.period = pc->alarm.period;
            ac.evaluation_periods = pc->alarm.evaluation_periods;
            ac.datapoints_to_alarm = pc->alarm.datapoints_to_alarm;
            ac.treat_missing_data = pc->alarm.treat_missing_data;
            cw_alarm_new(cw, &ac, on_alarm, &p->high);
        }
    }
    cw_on_round(cw, on_round, s);
    return s;
}

void scaling_start(struct sim *sim, struct scaling *s)
{
    for (size_t i = 0; i < s->cfg->nscheduled; i++)
        schedule_action(sim, s, i, -1);
}

void scaling_free(struct scaling *s)
{
    if (!s)
        return;
    free(s->pol);
    free(s);
}
