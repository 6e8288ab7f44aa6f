/* stats.h — streaming statistics: Welford mean/variance, time-weighted averages, and a
 * log-bucketed latency histogram (GSL's) whose quantiles are within 1 % of the truth.
 * Nothing here stores individual observations: memory is fixed however long a run is. */
#ifndef TIERSIM_STATS_H
#define TIERSIM_STATS_H

#include <gsl/gsl_histogram.h>
#include <stdint.h>

/* --- Welford ------------------------------------------------------------------------------ */

struct welford {
    uint64_t n;
    double mean;
    double m2; /* sum of squared deviations from the mean */
};
#define WELFORD_INIT {0, 0.0, 0.0}

static inline void welford_add(struct welford *w, double x)
{
    w->n++;
    double d = x - w->mean;
    w->mean += d / (double)w->n;
    w->m2 += d * (x - w->mean);
}

/* Sample variance (n - 1 in the denominator); NAN below two observations. */
double welford_var(const struct welford *w);
/* Mean, or NAN when empty. */
double welford_mean(const struct welford *w);

/* --- time-weighted level ------------------------------------------------------------------ */

/* A quantity that changes at instants (busy workers, instances in service), integrated over
 * time. The integral only grows, so the average over any window [a, b] is
 * (tavg_area(b) - tavg_area(a)) / (b - a): a reporter keeps the area it saw last. */
struct tavg {
    int64_t last; /* ns, time of the last change */
    double level; /* current value */
    double area;  /* integral of level from 0 to `last`, in value x ns */
};

static inline void tavg_set(struct tavg *a, int64_t now, double level)
{
    a->area += a->level * (double)(now - a->last);
    a->last = now;
    a->level = level;
}

static inline void tavg_add(struct tavg *a, int64_t now, double delta)
{
    tavg_set(a, now, a->level + delta);
}

/* The integral of the level from 0 to `now` (>= the last change), in value x ns. */
static inline double tavg_area(const struct tavg *a, int64_t now)
{
    return a->area + a->level * (double)(now - a->last);
}

/* --- latency histogram -------------------------------------------------------------------- */

/* Buckets grow by HIST_RATIO from HIST_MIN (seconds) to HIST_MAX; a quantile read as a
 * bucket's geometric middle is at most sqrt(HIST_RATIO) - 1 < 1 % from any value in it. Below HIST_MIN is one
 * bucket [0, HIST_MIN), above HIST_MAX one overflow bucket; the exact minimum and maximum
 * are kept so quantiles never leave the observed range. */
#define HIST_MIN   1e-9
#define HIST_MAX   1e6
#define HIST_RATIO 1.02

struct hist {
    gsl_histogram *h;
    uint64_t n;
    double min, max; /* observed, seconds */
};

/* Allocate the buckets; hist_release frees them. */
void hist_init(struct hist *h);
void hist_release(struct hist *h);
void hist_reset(struct hist *h);

/* The bucket of x (seconds, >= 0): compute once, add to several histograms. */
size_t hist_bucket(const struct hist *h, double x);
static inline void hist_add_at(struct hist *h, size_t bucket, double x)
{
    h->h->bin[bucket] += 1.0;
    h->n++;
    if (x < h->min)
        h->min = x;
    if (x > h->max)
        h->max = x;
}
static inline void hist_add(struct hist *h, double x)
{
    hist_add_at(h, hist_bucket(h, x), x);
}

/* dst += src (both from hist_init). */
void hist_merge(struct hist *dst, const struct hist *src);

/* The q-quantile (0 <= q <= 1): the geometric middle of the bucket holding the
 * ceil(q n)-th smallest observation, kept inside [min, max]; NAN when empty. Below HIST_MIN
 * it is the observed minimum. */
double hist_quantile(const struct hist *h, double q);

#endif
