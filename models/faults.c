/* faults.c — scheduled and random faults, their dispatch to the components, and the
 * recovery numbers of each (faults.csv) and of the run (summary.csv).
 *
 * Rules (reference/aws-behavior.md; docs/models/faults.md):
 * - az_outage (AZ-6, the FIS "AZ Availability: Power Interruption" scenario): at `at` every
 *   component hears FAULT_AZ_DOWN for the AZ and does what AWS documents for itself (instances
 *   stop, the ALB's node stops answering, a primary fails over, ...); after `duration` (30 min
 *   by default, AZ-6) FAULT_AZ_UP; after a further `launch_recovery` (0 by default; AZ-6's
 *   recovery phase is 30 min) FAULT_AZ_LAUNCHES, from when launches into the AZ succeed.
 * - instance_failure, db_failover, cache_node_failure, gray_failure and zonal_shift go to
 *   their target (a gray failure given only an AZ goes to every fleet); gray failures and
 *   zonal shifts end after their `duration`.
 * - A random fault (`mtbf` instead of `at`) recurs at exponential intervals of mean `mtbf` (or
 *   at intervals drawn from `mtbf` when it is a distribution),
 *   from the run's start; each occurrence is a fault of its own, with its own row, drawn from
 *   the stream ("faults", "random-<index>"), so that a fault never changes what any component
 *   draws (common random numbers: the same traffic with and without it).
 * - Each fault is followed from its start until (1) it is over, (2) the SLO has held for
 *   `slo.settle` since, and (3) the fleets' capacity in service is back to what it was, or
 *   until the run ends (then its row says recovered 0). Requests failed are the client
 *   requests that ended with an error meanwhile (after their retries); SLO minutes are the
 *   minutes of the run that broke the SLO; p99 and the error rate are "back" at the end of
 *   the last minute that broke them. Faults that overlap share their minutes and failures.
 * - The SLO is judged per minute of the run on what the clients see: the p99 latency of the
 *   requests answered ok and the share of requests that ended in an error. summary.csv adds
 *   the minutes that broke it and the worst minute's error rate, after the warm-up.
 */
#include "tiersim/models/faults.h"

#include "tiersim/arena.h"
#include "tiersim/csvw.h"
#include "tiersim/models/workload.h"
#include "tiersim/scn.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *const type_names[] = {
#define XX(_, n) n,
    FAULT_TYPES(XX)
#undef XX
        NULL};

const char *fault_type_name(enum fault_type t)
{
    return type_names[t];
}

/* --- configuration -------------------------------------------------------------------------- */

/* The keys each type knows besides type, at, mtbf and target. */
static bool reads_az(enum fault_type t)
{
    return t == FT_AZ_OUTAGE || t == FT_GRAY_FAILURE || t == FT_ZONAL_SHIFT;
}
static bool has_duration(enum fault_type t)
{
    return t == FT_AZ_OUTAGE || t == FT_GRAY_FAILURE || t == FT_ZONAL_SHIFT;
}

static void read_fault(struct scn *s, cJSON *j, struct fault_config *f, struct arena *a)
{
    struct scn_obj o;
    f->az_index = -1;
    if (!scn_open(s, j, &o)) {
        scn_close(&o);
        return;
    }
    int t = scn_enum_req(&o, "type", type_names);
    f->type = t < 0 ? FT_AZ_OUTAGE : (enum fault_type)t;
    cJSON *at = scn_member(&o, "at"), *mtbf = scn_member(&o, "mtbf");
    f->at_j = at ? at : mtbf;
    if (at && mtbf)
        scn_error(s, mtbf, true,
                  "a fault has \"at\" (scheduled) or \"mtbf\" (random), not both");
    else if (at)
        scn_as_dur(s, at, SCN_NONNEG, &f->at);
    else if (mtbf && cJSON_IsObject(mtbf)) {
        /* the time between failures as a distribution (seconds): a Weibull, say */
        f->random = true;
        if (dist_from_json(s, mtbf, &f->tbf, a) && !(dist_mean(&f->tbf) >= 1.0))
            scn_error(s, mtbf, false,
                      "the mean time between failures must be at least 1 s, got %.10g s",
                      dist_mean(&f->tbf));
    } else if (mtbf) {
        /* a duration: the mean of exponential times between failures */
        f->random = true;
        int64_t mean;
        if (scn_as_dur(s, mtbf, SCN_POS, &mean) && mean < SIM_NS_PER_S)
            scn_error(s, mtbf, false, "must be at least 1 s, got %.10g s", sim_s(mean));
        f->tbf = (struct dist){.kind = DIST_EXP, .a = sim_s(mean)};
    } else if (!scn_misspelt(&o, "at") && !scn_misspelt(&o, "mtbf"))
        scn_error(s, j, false,
                  "a fault needs \"at\" (when it happens) or \"mtbf\" (the mean time between "
                  "random occurrences)");
    if (t < 0) {
        /* the other keys cannot be judged without a type: take them as read */
        const char *keys[] = {"target", "az", "duration", "launch_recovery", "count",
                              "node", "factor"};
        for (size_t i = 0; i < sizeof keys / sizeof *keys; i++)
            scn_member(&o, keys[i]);
        scn_close(&o);
        return;
    }
    bool needs_target = f->type != FT_AZ_OUTAGE && f->type != FT_GRAY_FAILURE;
    if (f->type != FT_AZ_OUTAGE) {
        f->target_j = needs_target ? scn_member_req(&o, "target") : scn_member(&o, "target");
        if (f->target_j)
            scn_as_str(s, f->target_j, &f->target);
    }
    if (reads_az(f->type)) {
        bool az_req = f->type == FT_AZ_OUTAGE || f->type == FT_ZONAL_SHIFT;
        f->az_j = az_req ? scn_member_req(&o, "az") : scn_member(&o, "az");
        if (f->az_j)
            scn_as_str(s, f->az_j, &f->az);
    }
    if (has_duration(f->type))
        dist_read(&o, "duration", "\"30m\"", &f->duration, a);
    if (f->type == FT_AZ_OUTAGE)
        f->launch_recovery = scn_dur(&o, "launch_recovery", 0, SCN_NONNEG);
    if (f->type == FT_INSTANCE_FAILURE)
        f->count = (uint32_t)scn_int(&o, "count", 1, 1, 100000);
    if (f->type == FT_GRAY_FAILURE) {
        f->factor = scn_num(&o, "factor", 5, SCN_GE(1));
        if (!f->az_j)
            f->count = (uint32_t)scn_int(&o, "count", 1, 1, 100000);
        else if (scn_member(&o, "count"))
            scn_error(s, scn_member(&o, "count"), true,
                      "a gray failure strikes every instance in \"az\", or \"count\" "
                      "instances at random: give one of the two");
        if (!f->az_j && !f->target_j && !scn_misspelt(&o, "az") && !scn_misspelt(&o, "target"))
            scn_error(s, j, false,
                      "a gray failure needs \"target\" (a fleet), \"az\", or both");
    }
    if (f->type == FT_CACHE_NODE_FAILURE) {
        f->node_j = scn_member(&o, "node");
        f->node = (uint32_t)scn_int(&o, "node", 0, 0, 5);
    }
    scn_close(&o);
}

bool faults_config_from_json(struct scn *s, cJSON *faults, struct scn_obj *slo,
                             struct faults_config *c, struct arena *a)
{
    unsigned before = scn_error_count(s);
    memset(c, 0, sizeof *c);
    if (faults && !cJSON_IsArray(faults)) {
        char what[64];
        scn_error(s, faults, false,
                  "expected an array of faults such as [{\"type\": \"az_outage\", \"at\": "
                  "\"2h\", \"az\": \"us-east-1a\"}], got %s",
                  scn_describe(faults, what, sizeof what));
    } else if (faults) {
        int n = cJSON_GetArraySize(faults);
        c->v = arena_alloc(a, (size_t)(n ? n : 1) * sizeof *c->v);
        memset(c->v, 0, (size_t)(n ? n : 1) * sizeof *c->v);
        cJSON *j;
        cJSON_ArrayForEach(j, faults)
        {
            read_fault(s, j, &c->v[c->n++], a);
        }
    }
    c->slo.latency_p99 = sim_s(scn_dur(slo, "latency_p99", 1.0, SCN_POS));
    c->slo.error_rate = scn_num(slo, "error_rate_pct", 1.0, SCN_IN(0, 100)) / 100.0;
    c->slo.settle = scn_dur(slo, "settle", 300, SCN_IN(0, 86400));
    return scn_error_count(s) == before;
}

void faults_config_release(struct faults_config *c)
{
    for (uint32_t i = 0; i < c->n; i++) {
        dist_release(&c->v[i].duration);
        dist_release(&c->v[i].tbf);
    }
}

/* --- state ------------------------------------------------------------------------------------ */

/* One occurrence of a fault, followed until it is recovered. */
struct occurrence {
    uint32_t id;
    const struct fault_config *cfg;
    int64_t start, end;        /* ns; end == start for an instant fault */
    uint32_t struck;           /* parts the components report struck at the start */
    uint64_t answered0, errors0; /* the clients' totals at the start */
    uint64_t failed;           /* requests that ended in an error while followed */
    bool open;                 /* still followed */
    bool recovered;            /* closed before the run's end */
    int64_t closed;
    /* SLO */
    uint32_t bad_minutes;
    int64_t p99_back, err_back; /* ns, end of the last minute that broke each; -1: none */
    int64_t good_since;         /* ns, start of the run of minutes meeting the SLO; -1 */
    /* capacity: instances in service in the fleets concerned */
    bool all_fleets;            /* else the target's */
    struct component *target;
    uint32_t cap_before, cap_min;
    int64_t cap_min_at, cap_back_at; /* -1: never lower / not back */
    char cause[96];
};

struct faults {
    const struct faults_config *cfg;
    const char *const *azs;
    struct component *const *comps;
    uint32_t ncomps;
    struct workload *w;
    struct occurrence *occ;
    uint32_t nocc, cap;
    uint32_t nopen;
    bool polling; /* the capacity poll is scheduled */
    /* the run's SLO (after the warm-up) */
    uint32_t bad_minutes;
    double worst_error_rate;
    uint32_t c_sum;
};

#define POLL SIM_NS_PER_S

static struct component *find(const struct faults *f, const char *name)
{
    for (uint32_t i = 0; i < f->ncomps; i++)
        if (strcmp(f->comps[i]->name, name) == 0)
            return f->comps[i];
    return NULL;
}

static uint32_t capacity(const struct faults *f, const struct occurrence *o, int64_t now)
{
    uint32_t n = 0;
    for (uint32_t i = 0; i < f->ncomps; i++) {
        struct component *c = f->comps[i];
        if (!c->ops->scalable || (!o->all_fleets && c != o->target))
            continue;
        struct asg_status st;
        c->ops->scalable->status(c, now, &st);
        n += st.in_service;
    }
    return n;
}

/* Send action a to the components it concerns; returns the parts struck. */
static uint32_t dispatch(struct sim *sim, struct faults *f, const struct occurrence *o,
                         struct fault_action *a)
{
    uint32_t struck = 0;
    a->cause = o->cause;
    for (uint32_t i = 0; i < f->ncomps; i++) {
        struct component *c = f->comps[i];
        if (!c->ops->fault)
            continue;
        if (o->target && c != o->target)
            continue;
        if (!o->target && a->op != FAULT_AZ_DOWN && a->op != FAULT_AZ_UP &&
            a->op != FAULT_AZ_LAUNCHES && !c->ops->scalable)
            continue; /* a gray failure given only an AZ: every fleet */
        struck += c->ops->fault(sim, c, a);
    }
    return struck;
}

static void close_occurrence(struct sim *sim, struct faults *f, struct occurrence *o,
                             bool recovered)
{
    uint64_t answered, errors;
    workload_totals(f->w, &answered, &errors);
    o->failed = errors - o->errors0;
    o->open = false;
    o->recovered = recovered;
    o->closed = sim->now;
    f->nopen--;
    sim_log(sim, "faults", recovered ? "recovered" : "not_recovered",
            "fault %u: %llu requests failed, %u SLO minutes", o->id,
            (unsigned long long)o->failed, o->bad_minutes);
}

/* Is o recovered by now: over, the SLO held for `settle`, the capacity back? */
static void consider(struct sim *sim, struct faults *f, struct occurrence *o)
{
    if (!o->open || sim->now < o->end)
        return;
    if (o->good_since < 0 || sim->now - o->good_since < f->cfg->slo.settle)
        return;
    if (o->cap_back_at < 0 && o->cap_min < o->cap_before)
        return;
    close_occurrence(sim, f, o, true);
}

static void on_poll(struct sim *sim, void *ctx, uint64_t arg)
{
    (void)arg;
    struct faults *f = ctx;
    for (uint32_t i = 0; i < f->nocc; i++) {
        struct occurrence *o = &f->occ[i];
        if (!o->open)
            continue;
        uint32_t c = capacity(f, o, sim->now);
        if (c < o->cap_min) {
            o->cap_min = c;
            o->cap_min_at = sim->now;
            o->cap_back_at = -1;
        } else if (c >= o->cap_before && o->cap_min < o->cap_before && o->cap_back_at < 0)
            o->cap_back_at = sim->now;
        consider(sim, f, o);
    }
    f->polling = f->nopen > 0;
    if (f->polling)
        sim_after(sim, POLL, on_poll, f, 0);
}

static void on_minute(struct sim *sim, void *ctx, const struct minute_stats *m)
{
    struct faults *f = ctx;
    const struct slo_config *slo = &f->cfg->slo;
    uint64_t answered = m->ok + m->errors;
    double err = answered ? (double)m->errors / (double)answered : 0.0;
    /* p99 (the ceil(0.99 ok)-th fastest) is above the SLO when more than the ok - ceil(0.99 ok)
     * slowest are */
    uint64_t allowed = m->ok - (99u * m->ok + 99u) / 100u;
    bool p99_bad = m->ok && m->slow > allowed;
    bool err_bad = err > slo->error_rate;
    if (m->start >= sim->warmup) {
        if (p99_bad || err_bad)
            f->bad_minutes++;
        if (answered && err > f->worst_error_rate)
            f->worst_error_rate = err;
    }
    for (uint32_t i = 0; i < f->nocc; i++) {
        struct occurrence *o = &f->occ[i];
        if (!o->open || m->end <= o->start)
            continue;
        if (p99_bad)
            o->p99_back = m->end;
        if (err_bad)
            o->err_back = m->end;
        if (p99_bad || err_bad) {
            o->bad_minutes++;
            o->good_since = -1;
        } else if (o->good_since < 0)
            o->good_since = m->start > o->start ? m->start : o->start;
        consider(sim, f, o);
    }
}

static void on_action(struct sim *sim, void *ctx, uint64_t arg);
static void start_random(struct sim *sim, void *ctx, uint64_t arg);

/* The actions after the start: (occurrence << 8) | op. */
static uint64_t act(uint32_t occ, enum fault_op op)
{
    return (uint64_t)occ << 8 | (uint64_t)op;
}

static void on_action(struct sim *sim, void *ctx, uint64_t arg)
{
    struct faults *f = ctx;
    struct occurrence *o = &f->occ[arg >> 8];
    struct fault_action a = {.op = (enum fault_op)(arg & 0xff),
                             .id = o->id,
                             .az = o->cfg->az_index,
                             .count = o->cfg->count,
                             .node = o->cfg->node,
                             .factor = o->cfg->factor};
    static const char *const names[] = {
        [FAULT_AZ_UP] = "az_up", [FAULT_AZ_LAUNCHES] = "az_launches",
        [FAULT_GRAY_END] = "gray_end", [FAULT_SHIFT_END] = "shift_end"};
    sim_log(sim, "faults", names[a.op], "%s", o->cause);
    dispatch(sim, f, o, &a);
    if (a.op == FAULT_AZ_UP && o->cfg->launch_recovery == 0) {
        /* no recovery tail: launches succeed from the same instant, after the power */
        a.op = FAULT_AZ_LAUNCHES;
        sim_log(sim, "faults", names[a.op], "%s", o->cause);
        dispatch(sim, f, o, &a);
    }
    if (o->open)
        consider(sim, f, o);
}

/* Start an occurrence of fault `cfg` now. */
static void begin(struct sim *sim, struct faults *f, const struct fault_config *cfg)
{
    if (f->nocc == f->cap) {
        f->cap = f->cap ? 2 * f->cap : 8;
        f->occ = ts_realloc(f->occ, f->cap * sizeof *f->occ);
    }
    uint32_t k = f->nocc++;
    struct occurrence *o = &f->occ[k];
    memset(o, 0, sizeof *o);
    o->id = k + 1;
    o->cfg = cfg;
    o->start = sim->now;
    int64_t duration = 0;
    if (has_duration(cfg->type)) {
        gsl_rng *r = sim_rng(sim, "faults", "duration");
        duration = sim_ns(dist_sample(&cfg->duration, r));
    }
    o->end = sim->now + duration;
    o->open = true;
    o->p99_back = o->err_back = o->cap_min_at = o->cap_back_at = -1;
    o->good_since = -1;
    o->target = cfg->target ? find(f, cfg->target) : NULL;
    o->all_fleets = !o->target || !o->target->ops->scalable;
    snprintf(o->cause, sizeof o->cause, "fault %u %s%s%s%s%s", o->id, type_names[cfg->type],
             cfg->target ? " " : "", cfg->target ? cfg->target : "", cfg->az ? " " : "",
             cfg->az ? cfg->az : "");
    workload_totals(f->w, &o->answered0, &o->errors0);
    o->cap_before = o->cap_min = capacity(f, o, sim->now);
    f->nopen++;

    struct fault_action a = {.id = o->id,
                             .az = cfg->az_index,
                             .count = cfg->count,
                             .node = cfg->node,
                             .factor = cfg->factor};
    enum fault_op end_op = FAULT_AZ_UP;
    switch (cfg->type) {
    case FT_AZ_OUTAGE:
        a.op = FAULT_AZ_DOWN;
        break;
    case FT_INSTANCE_FAILURE:
        a.op = FAULT_INSTANCES;
        break;
    case FT_DB_FAILOVER:
        a.op = FAULT_FAILOVER;
        break;
    case FT_CACHE_NODE_FAILURE:
        a.op = FAULT_NODE;
        break;
    case FT_GRAY_FAILURE:
        a.op = FAULT_GRAY_START;
        end_op = FAULT_GRAY_END;
        break;
    case FT_ZONAL_SHIFT:
        a.op = FAULT_SHIFT_START;
        end_op = FAULT_SHIFT_END;
        break;
    case FT_COUNT:
        TS_ASSERT(0);
    }
    sim_log(sim, "faults", "start", "%s", o->cause);
    o->struck = dispatch(sim, f, o, &a);
    if (has_duration(cfg->type)) {
        sim_at(sim, o->end, on_action, f, act(k, end_op));
        if (cfg->type == FT_AZ_OUTAGE && cfg->launch_recovery > 0)
            sim_at(sim, o->end + cfg->launch_recovery, on_action, f,
                   act(k, FAULT_AZ_LAUNCHES));
        /* the recovery tail is part of the fault */
        o->end += cfg->type == FT_AZ_OUTAGE ? cfg->launch_recovery : 0;
    }
    if (!f->polling) {
        f->polling = true;
        sim_after(sim, POLL, on_poll, f, 0);
    }
}

static void start_scheduled(struct sim *sim, void *ctx, uint64_t arg)
{
    struct faults *f = ctx;
    begin(sim, f, &f->cfg->v[arg]);
}

static gsl_rng *random_stream(struct sim *sim, uint64_t i)
{
    char purpose[32];
    snprintf(purpose, sizeof purpose, "random-%llu", (unsigned long long)i);
    return sim_rng(sim, "faults", purpose);
}

static void schedule_random(struct sim *sim, struct faults *f, uint64_t i)
{
    double gap = dist_sample(&f->cfg->v[i].tbf, random_stream(sim, i));
    int64_t dt = sim_ns(gap);
    if (sim->end > 0 && dt > sim->end - sim->now)
        return; /* after the run's end */
    sim_after(sim, dt, start_random, f, i);
}

static void start_random(struct sim *sim, void *ctx, uint64_t arg)
{
    struct faults *f = ctx;
    begin(sim, f, &f->cfg->v[arg]);
    schedule_random(sim, f, arg);
}

/* --- outputs ------------------------------------------------------------------------------------ */

static void report_summary(struct sim *sim, void *ctx, double *row, int64_t span)
{
    (void)span;
    struct faults *f = ctx;
    workload_end_minute(sim, f->w);
    double *c = row + f->c_sum;
    c[0] = f->bad_minutes;
    c[1] = 100.0 * f->worst_error_rate;
    c[2] = f->nocc;
}

struct faults *faults_new(struct sim *sim, const struct faults_config *c,
                          const char *const *azs, uint32_t nazs, struct component *const *comps,
                          uint32_t ncomps, struct workload *w)
{
    (void)nazs;
    struct faults *f = ts_calloc(1, sizeof *f);
    f->cfg = c;
    f->azs = azs;
    f->comps = comps;
    f->ncomps = ncomps;
    f->w = w;
    f->c_sum = sim_column(&sim->summary, 0, "slo_violation_min");
    sim_column(&sim->summary, 4, "worst_minute_error_pct");
    sim_column(&sim->summary, 0, "faults");
    sim_reporter(&sim->summary, report_summary, f);
    workload_on_minute(sim, w, c->slo.latency_p99, on_minute, f);
    for (uint32_t i = 0; i < c->n; i++) {
        if (c->v[i].random)
            schedule_random(sim, f, i);
        else if (sim->end <= 0 || c->v[i].at <= sim->end)
            sim_at(sim, c->v[i].at, start_scheduled, f, i);
    }
    return f;
}

static double secs_since(int64_t t, int64_t start)
{
    return t < 0 ? TS_NAN : sim_s(t - start);
}

/* s from the start until the SLO's part was back: 0 if it never broke, empty if it was still
 * broken when the run ended. */
static double back_after(const struct occurrence *o, int64_t last_bad_end)
{
    if (last_bad_end < 0)
        return 0.0;
    if (!o->recovered && last_bad_end >= o->closed)
        return TS_NAN;
    return sim_s(last_bad_end - o->start);
}

int faults_write(struct sim *sim, struct faults *f, const char *path)
{
    for (uint32_t i = 0; i < f->nocc; i++)
        if (f->occ[i].open)
            close_occurrence(sim, f, &f->occ[i], false);
    struct csvw w;
    if (csvw_open(&w, path) != 0) {
        csvw_abort(&w);
        return TS_EIO;
    }
    static const char *const cols[] = {
        "id", "type", "target", "az", "start_s", "end_s", "struck", "requests_failed",
        "slo_violation_min", "p99_back_after_s", "errors_back_after_s", "capacity_before",
        "capacity_min", "capacity_lost", "capacity_lost_at_s", "capacity_back_at_s",
        "followed_until_s", "recovered"};
    for (size_t i = 0; i < sizeof cols / sizeof *cols; i++)
        csvw_str(&w, cols[i]);
    csvw_end_row(&w);
    for (uint32_t i = 0; i < f->nocc; i++) {
        const struct occurrence *o = &f->occ[i];
        csvw_int(&w, o->id);
        csvw_str(&w, type_names[o->cfg->type]);
        csvw_str(&w, o->cfg->target ? o->cfg->target : "");
        csvw_str(&w, o->cfg->az ? o->cfg->az : "");
        csvw_num(&w, sim_s(o->start), 3);
        csvw_num(&w, sim_s(o->end), 3);
        csvw_int(&w, o->struck);
        csvw_int(&w, (int64_t)o->failed);
        csvw_int(&w, o->bad_minutes);
        csvw_num(&w, back_after(o, o->p99_back), 3);
        csvw_num(&w, back_after(o, o->err_back), 3);
        csvw_int(&w, o->cap_before);
        csvw_int(&w, o->cap_min);
        csvw_int(&w, (int64_t)o->cap_before - (int64_t)o->cap_min);
        csvw_num(&w, secs_since(o->cap_min_at, 0), 3);
        csvw_num(&w, secs_since(o->cap_back_at, 0), 3);
        csvw_num(&w, sim_s(o->closed), 3);
        csvw_int(&w, o->recovered);
        csvw_end_row(&w);
    }
    return csvw_commit(&w);
}

void faults_free(struct faults *f)
{
    if (!f)
        return;
    free(f->occ);
    free(f);
}
