/* test_stats.c — Welford against two passes, time averages, and the histogram's quantiles
 * against exact order statistics: relative error at most 1 % up to p99.9. */
#include "check.h"

#include "tiersim/rng.h"
#include "tiersim/stats.h"

#include <gsl/gsl_randist.h>
#include <gsl/gsl_sort.h>
#include <gsl/gsl_statistics_double.h>
#include <stdlib.h>

static void test_welford(void)
{
    double x[] = {1e9 + 4, 1e9 + 7, 1e9 + 13, 1e9 + 16}; /* large offset: naive sums lose it */
    struct welford w = WELFORD_INIT;
    CHECK(isnan(welford_mean(&w)), "empty mean is NAN");
    for (int i = 0; i < 4; i++)
        welford_add(&w, x[i]);
    CHECK_NEAR(welford_mean(&w), gsl_stats_mean(x, 1, 4), 1e-6);
    CHECK_NEAR(welford_var(&w), gsl_stats_variance(x, 1, 4), 1e-6);
    CHECK_NEAR(welford_var(&w), 30.0, 1e-6);
}

static void test_tavg(void)
{
    struct tavg a = {0};
    tavg_set(&a, 0, 2.0);
    tavg_add(&a, 10, 1.0);           /* 2 over [0,10) */
    double at10 = tavg_area(&a, 10); /* a reporter's snapshot */
    tavg_add(&a, 30, -3.0);          /* 3 over [10,30), then 0 */
    CHECK_NEAR(tavg_area(&a, 40), 2.0 * 10 + 3.0 * 20 + 0.0 * 10, 1e-9);
    CHECK_NEAR((tavg_area(&a, 40) - at10) / 30.0, 2.0, 1e-9);
}

/* Exact quantile by the same rule the histogram approximates: the smallest x with at least
 * q*n observations at or below it. */
static double exact_quantile(const double *sorted, size_t n, double q)
{
    size_t k = (size_t)ceil(q * (double)n);
    if (k < 1)
        k = 1;
    return sorted[k - 1];
}

static void check_quantiles(const char *what, double (*draw)(const gsl_rng *), size_t n)
{
    gsl_rng *r = rng_stream_new(3, "stats", what);
    double *x = malloc(n * sizeof *x);
    struct hist h;
    hist_init(&h);
    for (size_t i = 0; i < n; i++) {
        x[i] = draw(r);
        hist_add(&h, x[i]);
    }
    gsl_sort(x, 1, n);
    const double qs[] = {0.01, 0.5, 0.9, 0.99, 0.999};
    for (size_t i = 0; i < sizeof qs / sizeof qs[0]; i++) {
        double want = exact_quantile(x, n, qs[i]);
        double got = hist_quantile(&h, qs[i]);
        CHECK(fabs(got - want) <= 0.01 * want, "%s p%g: %.9g vs exact %.9g (%.3f%%)", what,
              qs[i] * 100, got, want, 100 * (got - want) / want);
    }
    CHECK(hist_quantile(&h, 1.0) == x[n - 1], "%s: the maximum is exact", what);
    CHECK(hist_quantile(&h, 0.0) == x[0], "%s: the minimum is exact", what);
    hist_release(&h);
    free(x);
    gsl_rng_free(r);
}

static double d_exp(const gsl_rng *r)
{
    return gsl_ran_exponential(r, 0.02);
}
static double d_lognormal(const gsl_rng *r)
{
    return gsl_ran_lognormal(r, -3.0, 1.5);
}
static double d_micro(const gsl_rng *r)
{
    return 1e-6 + gsl_ran_flat(r, 0, 1e-6);
}
static double d_bimodal(const gsl_rng *r)
{
    return gsl_rng_uniform(r) < 0.98 ? gsl_ran_flat(r, 0.010, 0.012) : gsl_ran_flat(r, 3, 4);
}

static void test_histogram(void)
{
    check_quantiles("exponential", d_exp, 200000);
    check_quantiles("lognormal", d_lognormal, 200000);
    check_quantiles("microseconds", d_micro, 100000);
    check_quantiles("bimodal", d_bimodal, 200000);

    struct hist a, b;
    hist_init(&a);
    hist_init(&b);
    CHECK(isnan(hist_quantile(&a, 0.5)), "empty quantile is NAN");
    hist_add(&a, 0.0); /* zero latency is a value, not an error */
    for (int i = 1; i <= 99; i++)
        hist_add(&b, i * 0.001);
    hist_merge(&a, &b);
    CHECK_EQ_INT(a.n, 100);
    CHECK(hist_quantile(&a, 0.01) == 0.0, "p1 is the zero");
    /* sparse data: one value a bucket, the rank's value sits anywhere in its bucket */
    for (int k = 2; k <= 99; k++) {
        double q = k / 100.0, want = (k - 1) * 0.001;
        CHECK(fabs(hist_quantile(&a, q) - want) <= 0.01 * want, "p%d of 0, 1..99 ms: %.9g", k,
              hist_quantile(&a, q));
    }
    hist_reset(&a);
    CHECK_EQ_INT(a.n, 0);
    hist_release(&a);
    hist_release(&b);
}

int main(void)
{
    test_welford();
    test_tavg();
    test_histogram();
    return check_done();
}
