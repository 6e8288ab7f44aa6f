/* cloudwatch.c — metric collection, visibility delay, and alarm evaluation.
 *
 * Rules (reference/aws-behavior.md):
 * - Each metric an alarm uses is polled once every base period (60 s, or 10 s when a
 *   high-resolution alarm exists) from its component, as a statistic set (sum, min, max,
 *   sample count): CloudWatch's own aggregation, so any period that is a multiple of the
 *   base period has the exact Average, Sum, Minimum, Maximum and SampleCount (CW-2).
 * - A datapoint becomes visible `publication_delay` after its period ends (CW-6, CW-7;
 *   90 s by default): an alarm evaluated at t sees periods that ended by t - delay.
 * - Alarms with periods of 60 s or more are evaluated every minute, high-resolution ones
 *   (10 s, 30 s) every 10 s (CW-4), over the last `evaluation_periods` visible periods,
 *   M of N with the missing-data treatment (CW-5; rule_alarm_evaluate). They start in
 *   INSUFFICIENT_DATA (CW-3); every change of state is logged with its datapoints.
 * - An alarm's action is invoked on a change of state, and again once a minute while it
 *   stays in ALARM (TT-11), a high-resolution alarm too. After each round of
 *   evaluations the round listeners run, so that a group can weigh every policy that
 *   fired in the same round together (TT-17).
 * Simplifications: the delay is a constant, not a distribution; a metric with no sample in
 * a period is missing (a component publishes nothing for it), and CloudWatch's wider
 * "evaluation range" for filling gaps is not modelled.
 */
#include "tiersim/models/cloudwatch.h"

#include "tiersim/scn.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

const char *const cw_statistic_names[] = {"Average", "Sum", "Minimum", "Maximum", "SampleCount",
                                          NULL};

bool cw_config_from_json(struct scn_obj *o, struct cw_config *c)
{
    unsigned before = scn_error_count(o->s);
    c->publication_delay = scn_dur(o, "publication_delay", 90, SCN_IN(0, 3600));
    return scn_error_count(o->s) == before;
}

#define MINUTE (60 * SIM_NS_PER_S)
#define HIRES  (10 * SIM_NS_PER_S)

struct cw_metric {
    struct component *src;
    int id;
    struct statset *ring; /* base datapoints, oldest overwritten */
    int64_t *end;         /* ns, end of each datapoint's window */
    uint32_t cap, next, n;
};

struct cw_alarm {
    struct cw_alarm_config cfg;
    char *owner, *name, *metric_name;
    struct cw_metric *m;
    cw_action_fn fn;
    void *ctx;
    enum alarm_state state;
    double value; /* newest datapoint at the last evaluation */
    bool hires;   /* evaluated every 10 s */
    int64_t acted; /* ns, when its action was last invoked in ALARM */
    uint32_t col;
};

struct round_listener {
    cw_round_fn fn;
    void *ctx;
};

struct cw {
    const struct cw_config *cfg;
    struct cw_metric **metrics;
    uint32_t nmetrics;
    struct cw_alarm **alarms;
    uint32_t nalarms;
    struct round_listener *rounds;
    uint32_t nrounds;
    int64_t base; /* ns between polls */
};

static double stat_value(enum cw_statistic st, const struct statset *s)
{
    if (s->count == 0)
        return TS_NAN;
    switch (st) {
    case STAT_AVERAGE:
        return s->sum / (double)s->count;
    case STAT_SUM:
        return s->sum;
    case STAT_MINIMUM:
        return s->min;
    case STAT_MAXIMUM:
        return s->max;
    case STAT_SAMPLE_COUNT:
        return (double)s->count;
    }
    return TS_NAN;
}

struct cw *cw_new(struct sim *sim, const struct cw_config *c)
{
    (void)sim;
    struct cw *cw = ts_calloc(1, sizeof *cw);
    cw->cfg = c;
    cw->base = MINUTE;
    return cw;
}

void cw_free(struct cw *cw)
{
    if (!cw)
        return;
    for (uint32_t i = 0; i < cw->nmetrics; i++) {
        free(cw->metrics[i]->ring);
        free(cw->metrics[i]->end);
        free(cw->metrics[i]);
    }
    for (uint32_t i = 0; i < cw->nalarms; i++) {
        free(cw->alarms[i]->owner);
        free(cw->alarms[i]->name);
        free(cw->alarms[i]->metric_name);
        free(cw->alarms[i]);
    }
    free(cw->metrics);
    free(cw->alarms);
    free(cw->rounds);
    free(cw);
}

static struct cw_metric *metric_for(struct cw *cw, struct component *src, int id)
{
    for (uint32_t i = 0; i < cw->nmetrics; i++)
        if (cw->metrics[i]->src == src && cw->metrics[i]->id == id)
            return cw->metrics[i];
    cw->metrics = ts_realloc(cw->metrics, (cw->nmetrics + 1u) * sizeof *cw->metrics);
    struct cw_metric *m = ts_calloc(1, sizeof *m);
    m->src = src;
    m->id = id;
    cw->metrics[cw->nmetrics++] = m;
    return m;
}

struct cw_alarm *cw_alarm_new(struct cw *cw, const struct cw_alarm_config *c, cw_action_fn fn,
                              void *ctx)
{
    struct cw_alarm *a = ts_calloc(1, sizeof *a);
    a->cfg = *c;
    a->owner = ts_strdup(c->owner);
    a->name = ts_strdup(c->name);
    a->metric_name = ts_strdup(c->metric_name);
    a->cfg.owner = a->owner;
    a->cfg.name = a->name;
    a->cfg.metric_name = a->metric_name;
    a->m = metric_for(cw, c->source, c->metric_id);
    a->fn = fn;
    a->ctx = ctx;
    a->state = ALARM_INSUFFICIENT_DATA;
    a->value = TS_NAN;
    a->hires = c->period < MINUTE;
    if (a->hires)
        cw->base = HIRES;
    cw->alarms = ts_realloc(cw->alarms, (cw->nalarms + 1u) * sizeof *cw->alarms);
    cw->alarms[cw->nalarms++] = a;
    return a;
}

const struct cw_alarm_config *cw_alarm_config(const struct cw_alarm *a)
{
    return &a->cfg;
}

void cw_on_round(struct cw *cw, cw_round_fn fn, void *ctx)
{
    cw->rounds = ts_realloc(cw->rounds, (cw->nrounds + 1u) * sizeof *cw->rounds);
    cw->rounds[cw->nrounds++] = (struct round_listener){fn, ctx};
}

/* The statistic set of metric m over [start, end): the base datapoints ending in
 * (start, end]; *points counts those with samples. */
static struct statset window(const struct cw_metric *m, int64_t start, int64_t end,
                             uint32_t *points)
{
    struct statset s = {0};
    *points = 0;
    for (uint32_t k = 0; k < m->n; k++) {
        uint32_t i = (m->next + m->cap - 1u - k) % m->cap; /* newest first */
        if (m->end[i] <= start)
            break;
        if (m->end[i] > end)
            continue;
        const struct statset *d = &m->ring[i];
        if (d->count == 0)
            continue;
        (*points)++;
        s.units += d->units;
        if (s.count == 0 || d->min < s.min)
            s.min = d->min;
        if (s.count == 0 || d->max > s.max)
            s.max = d->max;
        s.sum += d->sum;
        s.count += d->count;
    }
    return s;
}

static void evaluate(struct sim *sim, struct cw *cw, struct cw_alarm *a)
{
    const struct cw_alarm_config *c = &a->cfg;
    int64_t p = c->period;
    int64_t seen = sim->now - cw->cfg->publication_delay; /* what has been published */
    int64_t last_end = seen >= 0 ? seen / p * p : -1;
    double values[64];
    bool present[64];
    double samples = 0;
    uint32_t n = c->evaluation_periods;
    for (uint32_t k = 0; k < n; k++) {
        int64_t end = last_end - (int64_t)(n - 1u - k) * p;
        int64_t start = end - p;
        if (start < 0) {
            present[k] = false;
            values[k] = TS_NAN;
            continue;
        }
        uint32_t points;
        struct statset s = window(a->m, start, end, &points);
        values[k] = stat_value(c->statistic, &s);
        present[k] = s.count > 0;
        if (k + 1u == n && points)
            samples = s.units / points;
    }
    char why[256];
    struct alarm_result r =
        rule_alarm_evaluate(values, present, n, c->datapoints_to_alarm, c->comparison,
                            c->threshold, c->treat_missing_data, a->state, why, sizeof why);
    a->value = values[n - 1];
    enum alarm_state old = a->state;
    a->state = r.state;
    if (old != r.state)
        sim_log(sim, c->owner, "alarm", "%s %s -> %s: %s (%s, %s, %.0f s periods)", c->name,
                alarm_state_names[old], alarm_state_names[r.state], why, c->metric_name,
                cw_statistic_names[c->statistic], sim_s(p));
    /* on a change, and once a minute while in ALARM, even when evaluated every 10 s */
    bool again = r.state == ALARM_ALARM && sim->now - a->acted >= MINUTE;
    if (a->fn && (old != r.state || again)) {
        if (r.state == ALARM_ALARM)
            a->acted = sim->now;
        struct cw_event e = {a, r.state, old, a->value, samples, why};
        a->fn(sim, a->ctx, &e);
    }
}

static void on_tick(struct sim *sim, void *ctx, uint64_t arg)
{
    (void)arg;
    struct cw *cw = ctx;
    sim_after(sim, cw->base, on_tick, cw, 0);
    for (uint32_t i = 0; i < cw->nmetrics; i++) {
        struct cw_metric *m = cw->metrics[i];
        m->src->ops->metric(sim, m->src, m->id, &m->ring[m->next]);
        m->end[m->next] = sim->now;
        m->next = (m->next + 1u) % m->cap;
        if (m->n < m->cap)
            m->n++;
    }
    bool minute = sim->now % MINUTE == 0;
    bool any = false;
    for (uint32_t i = 0; i < cw->nalarms; i++) {
        struct cw_alarm *a = cw->alarms[i];
        if (a->hires || minute) {
            evaluate(sim, cw, a);
            any = true;
        }
    }
    for (uint32_t i = 0; any && i < cw->nrounds; i++)
        cw->rounds[i].fn(sim, cw->rounds[i].ctx);
}

static void report_ts(struct sim *sim, void *ctx, double *row, int64_t span)
{
    (void)sim;
    (void)span;
    struct cw *cw = ctx;
    for (uint32_t i = 0; i < cw->nalarms; i++) {
        const struct cw_alarm *a = cw->alarms[i];
        row[a->col] = a->value;
        row[a->col + 1] = (double)a->state;
    }
}

void cw_start(struct sim *sim, struct cw *cw)
{
    if (cw->nalarms == 0)
        return;
    /* ring sizes: the longest window any alarm on the metric looks at, plus the delay */
    for (uint32_t i = 0; i < cw->nalarms; i++) {
        struct cw_alarm *a = cw->alarms[i];
        int64_t span = (int64_t)a->cfg.evaluation_periods * a->cfg.period +
                       cw->cfg->publication_delay + 2 * a->cfg.period;
        uint32_t need = (uint32_t)(span / cw->base) + 2u;
        if (need > a->m->cap)
            a->m->cap = need;
    }
    for (uint32_t i = 0; i < cw->nmetrics; i++) {
        struct cw_metric *m = cw->metrics[i];
        m->ring = ts_calloc(m->cap, sizeof *m->ring);
        m->end = ts_calloc(m->cap, sizeof *m->end);
    }
    for (uint32_t i = 0; i < cw->nalarms; i++) {
        struct cw_alarm *a = cw->alarms[i];
        a->col = sim_column(&sim->ts, 3, "%s.%s.metric", a->cfg.owner, a->cfg.name);
        sim_column(&sim->ts, 0, "%s.%s.state", a->cfg.owner, a->cfg.name);
    }
    sim_reporter(&sim->ts, report_ts, cw);
    sim_at(sim, sim->now + cw->base, on_tick, cw, 0);
}
