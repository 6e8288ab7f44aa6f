/* plan.h — `tiersim plan`: the cheapest configuration of a sweep that meets a service level
 * objective, also with each single AZ lost if asked, and why (docs/experiments.md).
 *
 * A plan is a sweep (sweep.h) over the configurations the --vary options span, with one more
 * dimension when AZ loss is asked for: the scenario's `faults` as given, then with an
 * `az_outage` of each AZ in turn added. Every variant of every configuration sees the same
 * traffic (common random numbers). A configuration meets the SLO when, in every variant, the
 * pessimistic end of the 95 % confidence interval does: the upper end of `latency_p99_ms`
 * at most the p99 bound, the lower end of `availability_pct` at least the availability
 * bound (with one replication, the single value). Among those that meet it, the cheapest by
 * the mean of `cost_usd` without a fault wins; ties go to the first in sweep order.
 */
#ifndef TIERSIM_APP_PLAN_H
#define TIERSIM_APP_PLAN_H

#include "sweep.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

/* The objective: NAN where not set (the scenario's `slo` then gives it). */
struct plan_slo {
    double p99_ms;           /* the highest whole-run p99 latency of successful requests */
    double availability_pct; /* the lowest share of requests that ended ok, percent */
};

/* Parse one --slo argument, "p99=DURATION" or "availability=PERCENT" (several may be joined
 * by commas), into slo. Returns 0, or TS_EINVAL with a message in err. */
int plan_slo_parse(const char *arg, struct plan_slo *slo, char *err, size_t size);

/* Parse --az-loss "AT" or "AT+DURATION" (durations as the scenario format writes them).
 * dur_s is NAN when not given (the az_outage default then applies). Returns 0, or TS_EINVAL
 * with a message in err. */
int plan_az_loss_parse(const char *arg, double *at_s, double *dur_s, char *err, size_t size);

/* The extra sweep dimension for AZ loss: path "faults"; values[0] the scenario's faults as
 * they are (`faults_json`, the array's JSON text, or NULL for none), values[1 + i] the same
 * with {"type": "az_outage", "at": at_s, "az": azs[i]} (and "duration" unless NAN) appended.
 * Release with sweep_vary_release. */
void plan_faults_vary(const char *faults_json, const char *const *azs, uint32_t nazs,
                      double at_s, double dur_s, struct sweep_vary *out);

/* The verdict on one configuration. */
struct plan_verdict {
    bool meets;
    double cost, cost_half;     /* cost_usd of the variant without a lost AZ: mean, half-width */
    double p99_hi;              /* the worst variant's upper end of latency_p99_ms */
    uint32_t p99_variant;       /* which variant that was (0: none lost) */
    double avail_lo;            /* the worst variant's lower end of availability_pct */
    uint32_t avail_variant;
    char why[240];              /* why it fails, empty if it meets */
};

/* Judge configuration c (0-based) of a sweep whose last `nvariants` values vary fastest
 * (nvariants 1: no AZ-loss dimension). variant_names[v] names variant v in messages. */
void plan_judge(const struct sweep_result *res, uint32_t c, uint32_t nvariants,
                const char *const *variant_names, const struct plan_slo *slo,
                struct plan_verdict *out);

/* Judge every configuration, write plan.csv to csv_path (NULL: none; atomically) and the
 * explanation to out. Returns the chosen configuration (1-based), 0 if none meets the SLO,
 * or -1 if plan.csv could not be written. nuser is the number of --vary options (the
 * sweep's first nuser varies). */
int plan_report(const struct sweep *sw, const struct sweep_result *res, uint32_t nuser,
                uint32_t nvariants, const char *const *variant_names,
                const struct plan_slo *slo, uint32_t reps, FILE *out, const char *csv_path);

#endif
