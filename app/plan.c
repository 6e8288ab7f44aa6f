/* plan.c — judge a sweep's configurations against a service level objective and pick the
 * cheapest that meets it (plan.h). */
#include "plan.h"

#include "tiersim/csvw.h"
#include "tiersim/err.h"
#include "tiersim/scn.h"

#include <cjson/cJSON.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

int plan_slo_parse(const char *arg, struct plan_slo *slo, char *err, size_t size)
{
    char *copy = ts_strdup(arg), *save = NULL;
    int rc = 0;
    for (char *item = strtok_r(copy, ",", &save); item && rc == 0;
         item = strtok_r(NULL, ",", &save)) {
        char *eq = strchr(item, '=');
        if (!eq) {
            snprintf(err, size, "--slo needs KEY=VALUE (p99=300ms, availability=99.9), got \"%s\"",
                     item);
            rc = TS_EINVAL;
            break;
        }
        *eq = '\0';
        const char *v = eq + 1;
        if (strcmp(item, "p99") == 0) {
            double s;
            if (!scn_parse_duration(v, &s) || !(s > 0)) {
                snprintf(err, size, "--slo p99 needs a duration above 0 (300ms, 1.5s), got \"%s\"",
                         v);
                rc = TS_EINVAL;
            } else {
                slo->p99_ms = s * 1000.0;
            }
        } else if (strcmp(item, "availability") == 0) {
            char *end;
            double pct = strtod(v, &end);
            if (*v == '\0' || *end != '\0' || !(pct > 0 && pct <= 100)) {
                snprintf(err, size,
                         "--slo availability needs a percentage in (0, 100], got \"%s\"", v);
                rc = TS_EINVAL;
            } else {
                slo->availability_pct = pct;
            }
        } else {
            snprintf(err, size, "unknown SLO \"%s\": expected p99=DURATION or availability=PERCENT",
                     item);
            rc = TS_EINVAL;
        }
    }
    free(copy);
    return rc;
}

int plan_az_loss_parse(const char *arg, double *at_s, double *dur_s, char *err, size_t size)
{
    char *copy = ts_strdup(arg);
    char *plus = strchr(copy, '+');
    if (plus)
        *plus = '\0';
    int rc = 0;
    *dur_s = NAN;
    if (!scn_parse_duration(copy, at_s) || *at_s < 0) {
        snprintf(err, size, "--az-loss needs AT or AT+DURATION (10h, 10h+2h), got \"%s\"", arg);
        rc = TS_EINVAL;
    } else if (plus && (!scn_parse_duration(plus + 1, dur_s) || !(*dur_s > 0))) {
        snprintf(err, size, "--az-loss: the outage's duration must be above 0, got \"%s\"",
                 plus + 1);
        rc = TS_EINVAL;
    }
    free(copy);
    return rc;
}

void plan_faults_vary(const char *faults_json, const char *const *azs, uint32_t nazs,
                      double at_s, double dur_s, struct sweep_vary *out)
{
    out->path = ts_strdup("faults");
    out->n = 1 + nazs;
    out->values = ts_calloc(out->n, sizeof *out->values);
    out->values[0] = ts_strdup(faults_json ? faults_json : "[]");
    for (uint32_t i = 0; i < nazs; i++) {
        cJSON *list = faults_json ? cJSON_Parse(faults_json) : NULL;
        if (!cJSON_IsArray(list)) {
            cJSON_Delete(list);
            list = cJSON_CreateArray();
        }
        cJSON *f = cJSON_CreateObject();
        cJSON_AddStringToObject(f, "type", "az_outage");
        cJSON_AddNumberToObject(f, "at", at_s);
        cJSON_AddStringToObject(f, "az", azs[i]);
        if (!isnan(dur_s))
            cJSON_AddNumberToObject(f, "duration", dur_s);
        cJSON_AddItemToArray(list, f);
        char *text = cJSON_PrintUnformatted(list);
        out->values[1 + i] = ts_strdup(text);
        cJSON_free(text);
        cJSON_Delete(list);
    }
}

/* The pessimistic end of a KPI's interval: mean + sign * half (the mean alone without a
 * half-width); NAN if the KPI has no value. */
static double worst_end(const struct sweep_point *p, const char *name, double sign)
{
    const struct sweep_kpi *k = sweep_kpi(p, name);
    if (!k || k->n == 0 || isnan(k->mean))
        return NAN;
    return k->mean + (isnan(k->half) ? 0.0 : sign * k->half);
}

void plan_judge(const struct sweep_result *res, uint32_t c, uint32_t nvariants,
                const char *const *variant_names, const struct plan_slo *slo,
                struct plan_verdict *out)
{
    memset(out, 0, sizeof *out);
    out->p99_hi = -(double)INFINITY;
    out->avail_lo = (double)INFINITY;
    const struct sweep_point *base = &res->points[(size_t)c * nvariants];
    const struct sweep_kpi *cost = sweep_kpi(base, "cost_usd");
    out->cost = cost && cost->n ? cost->mean : (double)NAN;
    out->cost_half = cost && cost->n ? cost->half : (double)NAN;
    bool not_run = false;
    for (uint32_t v = 0; v < nvariants; v++) {
        const struct sweep_point *p = &res->points[(size_t)c * nvariants + v];
        if (p->reps_done == 0) {
            not_run = true;
            continue;
        }
        /* no successful request: no p99, the worst there is */
        double hi = worst_end(p, "latency_p99_ms", 1.0);
        double lo = worst_end(p, "availability_pct", -1.0);
        if (isnan(hi))
            hi = (double)INFINITY;
        if (isnan(lo))
            lo = -(double)INFINITY;
        if (hi > out->p99_hi) {
            out->p99_hi = hi;
            out->p99_variant = v;
        }
        if (lo < out->avail_lo) {
            out->avail_lo = lo;
            out->avail_variant = v;
        }
    }
    /* Why it fails: the worst variant of the first objective it misses. */
    char where[80] = "";
    if (not_run) {
        snprintf(out->why, sizeof out->why, "%s", "not run (an interrupted plan: run it again)");
    } else if (out->p99_hi > slo->p99_ms) {
        if (nvariants > 1)
            snprintf(where, sizeof where, " (%s)", variant_names[out->p99_variant]);
        if (isinf(out->p99_hi))
            snprintf(out->why, sizeof out->why, "no successful request%s", where);
        else
            snprintf(out->why, sizeof out->why, "p99 up to %.1f ms > %.1f ms%s", out->p99_hi,
                     slo->p99_ms, where);
    } else if (out->avail_lo < slo->availability_pct) {
        if (nvariants > 1)
            snprintf(where, sizeof where, " (%s)", variant_names[out->avail_variant]);
        snprintf(out->why, sizeof out->why, "availability down to %.3f %% < %.3f %%%s",
                 isinf(out->avail_lo) ? 0.0 : out->avail_lo, slo->availability_pct, where);
    } else if (isnan(out->cost)) { /* cannot rank what has no cost */
        snprintf(out->why, sizeof out->why, "%s", "no cost_usd");
    }
    out->meets = out->why[0] == '\0';
}

/* "path=value path=value" of configuration c. */
static void config_label(const struct sweep *sw, uint32_t c, uint32_t nuser, uint32_t nvariants,
                         char *buf, size_t size)
{
    size_t len = 0;
    buf[0] = '\0';
    for (uint32_t i = 0; i < nuser && len < size; i++)
        len += (size_t)snprintf(buf + len, size - len, "%s%s=%s", i ? " " : "",
                                sweep_vary_path(sw, i), sweep_value(sw, c * nvariants + 1, i));
}

static int write_plan_csv(const char *path, const struct sweep *sw, uint32_t nuser,
                          uint32_t nvariants, const char *const *variant_names,
                          const struct plan_verdict *v, uint32_t nconf)
{
    struct csvw w;
    if (csvw_open(&w, path) != 0)
        return -1;
    csvw_str(&w, "configuration");
    for (uint32_t i = 0; i < nuser; i++)
        csvw_str(&w, sweep_vary_path(sw, i));
    static const char *const cols[] = {"cost_usd_mean", "cost_usd_ci95_half",
                                       "latency_p99_ms_worst_high", "latency_p99_worst_in",
                                       "availability_pct_worst_low", "availability_worst_in",
                                       "meets_slo", "why_not"};
    for (size_t i = 0; i < sizeof cols / sizeof *cols; i++)
        csvw_str(&w, cols[i]);
    csvw_end_row(&w);
    for (uint32_t c = 0; c < nconf; c++) {
        csvw_int(&w, c + 1);
        for (uint32_t i = 0; i < nuser; i++)
            csvw_str(&w, sweep_value(sw, c * nvariants + 1, i));
        csvw_num(&w, v[c].cost, 6);
        csvw_num(&w, v[c].cost_half, 6);
        csvw_num(&w, isfinite(v[c].p99_hi) ? v[c].p99_hi : (double)NAN, 3);
        csvw_str(&w, variant_names[v[c].p99_variant]);
        csvw_num(&w, isfinite(v[c].avail_lo) ? v[c].avail_lo : (double)NAN, 4);
        csvw_str(&w, variant_names[v[c].avail_variant]);
        csvw_str(&w, v[c].meets ? "yes" : "no");
        csvw_str(&w, v[c].why);
        csvw_end_row(&w);
    }
    return csvw_commit(&w) == 0 ? 0 : -1;
}

int plan_report(const struct sweep *sw, const struct sweep_result *res, uint32_t nuser,
                uint32_t nvariants, const char *const *variant_names,
                const struct plan_slo *slo, uint32_t reps, FILE *out, const char *csv_path)
{
    uint32_t nconf = res->npoints / nvariants;
    struct plan_verdict *v = ts_calloc(nconf ? nconf : 1, sizeof *v);
    uint32_t best = 0;
    for (uint32_t c = 0; c < nconf; c++) {
        plan_judge(res, c, nvariants, variant_names, slo, &v[c]);
        if (v[c].meets && (!best || v[c].cost < v[best - 1].cost))
            best = c + 1;
    }
    if (csv_path &&
        write_plan_csv(csv_path, sw, nuser, nvariants, variant_names, v, nconf) != 0) {
        free(v);
        return -1;
    }
    if (out) {
        fprintf(out, "SLO: p99 at most %.1f ms, availability at least %.3f %%", slo->p99_ms,
                slo->availability_pct);
        if (reps > 1)
            fprintf(out, ", judged on the pessimistic end of each 95 %% confidence interval "
                         "(%u replications)", reps);
        else
            fprintf(out, ", judged on one replication (no confidence interval: use --reps)");
        if (nvariants > 1) {
            fprintf(out, ";\n     met with no AZ lost and with each of");
            for (uint32_t i = 1; i < nvariants; i++)
                fprintf(out, " %s", variant_names[i]);
        }
        fprintf(out, "\n");
        char label[512];
        for (uint32_t c = 0; c < nconf; c++) {
            config_label(sw, c, nuser, nvariants, label, sizeof label);
            fprintf(out, "  %3u  %-40s  $%.4f", c + 1, label, v[c].cost);
            if (!isnan(v[c].cost_half))
                fprintf(out, " ± %.4f", v[c].cost_half);
            fprintf(out, "  %s\n", v[c].meets ? "meets the SLO" : v[c].why);
        }
        if (best) {
            config_label(sw, best - 1, nuser, nvariants, label, sizeof label);
            const struct plan_verdict *b = &v[best - 1];
            fprintf(out, "answer: configuration %u (%s), $%.4f for the run; p99 at most %.1f ms "
                         "(%s), availability at least %.3f %% (%s)\n",
                    best, label, b->cost, b->p99_hi, variant_names[b->p99_variant],
                    b->avail_lo, variant_names[b->avail_variant]);
            uint32_t cheaper = 0;
            for (uint32_t c = 0; c < nconf; c++)
                cheaper += !v[c].meets && v[c].cost < b->cost;
            if (cheaper) {
                fprintf(out, "  the %u cheaper configuration%s fail%s:", cheaper,
                        cheaper == 1 ? "" : "s", cheaper == 1 ? "s" : "");
                for (uint32_t c = 0; c < nconf; c++)
                    if (!v[c].meets && v[c].cost < b->cost)
                        fprintf(out, " %u (%s);", c + 1, v[c].why);
                fprintf(out, "\n");
            }
        } else {
            fprintf(out, "answer: no configuration meets the SLO: widen the --vary values\n");
        }
    }
    free(v);
    return (int)best;
}
