/* stats.c — Welford, time averages and the log-bucketed histogram (stats.h). */
#include "tiersim/stats.h"

#include "tiersim/err.h"

#include <math.h>
#include <stdlib.h>

double welford_var(const struct welford *w)
{
    return w->n > 1 ? w->m2 / (double)(w->n - 1) : TS_NAN;
}

double welford_mean(const struct welford *w)
{
    return w->n ? w->mean : TS_NAN;
}

/* Bucket 0 is [0, HIST_MIN); bucket i >= 1 is [MIN r^(i-1), MIN r^i); the last bucket ends
 * at infinity. */
static size_t nbuckets(void)
{
    return (size_t)ceil(log(HIST_MAX / HIST_MIN) / log(HIST_RATIO)) + 2u;
}

void hist_init(struct hist *h)
{
    size_t n = nbuckets();
    h->h = gsl_histogram_alloc(n);
    if (!h->h)
        ts_out_of_memory();
    double *range = ts_malloc((n + 1) * sizeof *range);
    range[0] = 0.0;
    for (size_t i = 1; i < n; i++)
        range[i] = HIST_MIN * pow(HIST_RATIO, (double)(i - 1));
    range[n] = TS_INF;
    int rc = gsl_histogram_set_ranges(h->h, range, n + 1);
    TS_ASSERT(rc == 0);
    free(range);
    h->n = 0;
    h->min = TS_INF;
    h->max = -TS_INF;
}

void hist_release(struct hist *h)
{
    if (h->h)
        gsl_histogram_free(h->h);
    h->h = NULL;
}

void hist_reset(struct hist *h)
{
    gsl_histogram_reset(h->h);
    h->n = 0;
    h->min = TS_INF;
    h->max = -TS_INF;
}

size_t hist_bucket(const struct hist *h, double x)
{
    const double *r = h->h->range;
    size_t n = h->h->n;
    if (!(x >= HIST_MIN))
        return 0;
    double g = floor(log(x / HIST_MIN) / log(HIST_RATIO)) + 1.0;
    size_t i = g < (double)(n - 1) ? (size_t)g : n - 1;
    /* log() may land one bucket off at an edge: settle against the true ranges */
    while (i > 1 && x < r[i])
        i--;
    while (i < n - 1 && x >= r[i + 1])
        i++;
    return i;
}

void hist_merge(struct hist *dst, const struct hist *src)
{
    if (src->n == 0)
        return;
    int rc = gsl_histogram_add(dst->h, src->h);
    TS_ASSERT(rc == 0); /* same ranges: both from hist_init */
    dst->n += src->n;
    if (src->min < dst->min)
        dst->min = src->min;
    if (src->max > dst->max)
        dst->max = src->max;
}

double hist_quantile(const struct hist *h, double q)
{
    if (h->n == 0)
        return TS_NAN;
    if (q <= 0.0)
        return h->min;
    if (q >= 1.0)
        return h->max;
    /* the rank of the q-quantile: the smallest x with at least q*n observations <= x */
    double target = ceil(q * (double)h->n * (1.0 - 1e-12)); /* 0.07 * 100 is 7.000...01 */
    double cum = 0.0;
    size_t n = h->h->n;
    for (size_t i = 0; i < n; i++) {
        cum += h->h->bin[i];
        if (cum < target)
            continue;
        /* The bucket's geometric midpoint is within sqrt(HIST_RATIO) of every value in the
         * bucket: under 1 % whatever the data. (Interpolating inside the bucket does better
         * on dense data but can be 2 % off at an edge.) Never outside what was observed. */
        double lo = h->h->range[i], hi = h->h->range[i + 1], x;
        if (i == 0)
            x = h->min;
        else if (!isfinite(hi))
            x = h->max;
        else
            x = sqrt(lo * hi);
        if (x < h->min)
            x = h->min;
        if (x > h->max)
            x = h->max;
        return x;
    }
    return h->max;
}
