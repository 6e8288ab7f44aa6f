/* test_dist.c — distributions: every kind parsed from JSON, its sample mean and second
 * moment inside a 99.9 % interval of the closed forms (dist_mean, dist_m2), no negative
 * draws, and the errors of bad parameters. */
#include "check.h"

#include "tiersim/arena.h"
#include "tiersim/dist.h"
#include "tiersim/rng.h"
#include "tiersim/scn.h"
#include "tiersim/stats.h"

#include <stdlib.h>
#include <string.h>

static bool parse(const char *json, struct dist *d, struct arena *a, char **errors)
{
    struct scn *s = scn_new();
    scn_load_text(s, "d.json", ".", json, strlen(json));
    bool ok = dist_from_json(s, scn_root(s), d, a);
    char *buf = check_scn_errors(s);
    if (errors)
        *errors = buf;
    else
        free(buf);
    scn_free(s);
    return ok;
}

/* n draws: the sample mean and the mean of squares must each be within 3.3 standard errors
 * (99.9 %) of the closed forms. The standard error of the mean of squares needs E[X^4],
 * estimated from the sample itself. */
static void check_moments(const char *json, int n)
{
    struct arena a = ARENA_INIT;
    struct dist d;
    CHECK(parse(json, &d, &a, NULL), "parses: %s", json);
    gsl_rng *r = rng_stream_new(11, "test", json);
    struct welford w1 = WELFORD_INIT, w2 = WELFORD_INIT;
    int negative = 0;
    for (int i = 0; i < n; i++) {
        double x = dist_sample(&d, r);
        negative += x < 0;
        welford_add(&w1, x);
        welford_add(&w2, x * x);
    }
    double se1 = sqrt(welford_var(&w1) / n), se2 = sqrt(welford_var(&w2) / n);
    CHECK_EQ_INT(negative, 0);
    CHECK(fabs(w1.mean - dist_mean(&d)) <= 3.3 * se1 + 1e-12, "%s: mean %.6g vs %.6g (se %.3g)",
          json, w1.mean, dist_mean(&d), se1);
    CHECK(fabs(w2.mean - dist_m2(&d)) <= 3.3 * se2 + 1e-12, "%s: E[X^2] %.6g vs %.6g (se %.3g)",
          json, w2.mean, dist_m2(&d), se2);
    gsl_rng_free(r);
    dist_release(&d);
    arena_release(&a);
}

static void test_moments(void)
{
    const int n = 200000;
    check_moments("0.25", n);
    check_moments("\"250ms\"", n);
    check_moments("{\"dist\": \"const\", \"value\": \"2s\"}", n);
    check_moments("{\"dist\": \"exp\", \"mean\": 0.5}", n);
    check_moments("{\"dist\": \"uniform\", \"min\": 1, \"max\": 3}", n);
    check_moments("{\"dist\": \"normal\", \"mean\": 1, \"sd\": 0.3}", n);
    check_moments("{\"dist\": \"normal\", \"mean\": 0.1, \"sd\": 0.3}", n); /* truncation bites */
    check_moments("{\"dist\": \"lognormal\", \"mean\": \"20ms\", \"sd\": \"10ms\"}", n);
    check_moments("{\"dist\": \"lognormal\", \"mu\": 0, \"sigma\": 0.5}", n);
    check_moments("{\"dist\": \"gamma\", \"shape\": 2, \"scale\": 0.5}", n);
    check_moments("{\"dist\": \"gamma\", \"mean\": 3, \"sd\": 1}", n);
    check_moments("{\"dist\": \"weibull\", \"shape\": 1.5, \"scale\": 2}", n);
    check_moments("{\"dist\": \"pareto\", \"shape\": 4.5, \"scale\": 1}", n);
    check_moments("{\"dist\": \"erlang\", \"k\": 3, \"mean\": 1.5}", n);
    check_moments("{\"dist\": \"hyperexp\", \"probs\": [0.9, 0.1], \"means\": [0.1, 2]}", n);
    check_moments("{\"dist\": \"hyperexp\", \"mean\": 1, \"cv\": 2}", n);
    check_moments("{\"dist\": \"empirical\", \"samples\": [1, 2, 2, 5, \"500ms\"]}", n);
}

static void test_closed_forms(void)
{
    struct arena a = ARENA_INIT;
    struct dist d;
    parse("{\"dist\": \"lognormal\", \"mean\": 2, \"sd\": 1}", &d, &a, NULL);
    CHECK_NEAR(dist_mean(&d), 2.0, 1e-12);
    CHECK_NEAR(dist_m2(&d) - 4.0, 1.0, 1e-12); /* variance = sd^2 */
    parse("{\"dist\": \"hyperexp\", \"mean\": 2, \"cv\": 3}", &d, &a, NULL);
    CHECK_NEAR(dist_mean(&d), 2.0, 1e-12);
    CHECK_NEAR((dist_m2(&d) - 4.0) / 4.0, 9.0, 1e-9); /* cv^2 */
    dist_release(&d);
    parse("{\"dist\": \"pareto\", \"shape\": 1, \"scale\": 1}", &d, &a, NULL);
    CHECK(isinf(dist_mean(&d)), "pareto with shape 1 has no mean");
    arena_release(&a);
}

static void test_empirical_file(void)
{
    FILE *f = fopen("dist_samples.csv", "w");
    fputs("id,boot_s\n1,30\n2,\"40\"\n3,50\n", f);
    fclose(f);
    struct arena a = ARENA_INIT;
    struct dist d;
    char *err;
    CHECK(parse("{\"dist\": \"empirical\", \"file\": \"dist_samples.csv\", \"column\": \"boot_s\"}",
                &d, &a, &err),
          "reads the column: %s", err);
    free(err);
    CHECK_EQ_INT(d.n, 3);
    CHECK_NEAR(dist_mean(&d), 40.0, 1e-12);
    CHECK(!parse("{\"dist\": \"empirical\", \"file\": \"dist_samples.csv\", \"column\": \"boot\"}",
                 &d, &a, &err),
          "no such column");
    CHECK_STR(err, "d.json:1:61: .column: \"dist_samples.csv\": no column \"boot\" (columns: id, "
                   "boot_s)\n");
    free(err);
    arena_release(&a);
    remove("dist_samples.csv");
}

static void test_errors(void)
{
    struct {
        const char *json, *want;
    } cases[] = {
        {"{\"dist\": \"expo\", \"mean\": 1}",
         "d.json:1:10: .dist: unknown value \"expo\" (did you mean \"exp\"?)\n"},
        {"{\"dist\": \"exp\"}", "d.json:1:1: .: missing required key \"mean\"\n"},
        {"{\"dist\": \"exp\", \"mean\": 0}", "d.json:1:25: .mean: must be > 0, got 0\n"},
        {"{\"dist\": \"exp\", \"mean\": 1, \"sd\": 2}",
         "d.json:1:28: .sd: unknown key (expected one of: dist, mean)\n"},
        {"{\"dist\": \"uniform\", \"min\": 3, \"max\": 1}",
         "d.json:1:38: .max: must be >= min (3 s), got 1 s\n"},
        {"{\"dist\": \"hyperexp\", \"probs\": [0.5, 0.4], \"means\": [1, 2]}",
         "d.json:1:31: .probs: must sum to 1, got 0.9\n"},
        {"{\"dist\": \"erlang\", \"k\": 2.5, \"mean\": 1}",
         "d.json:1:25: .k: expected an integer, got 2.5\n"},
        {"-1", "d.json:1:1: .: must be >= 0, got -1\n"},
        {"[1]", "d.json:1:1: .: expected a distribution (a number, or an object such as "
                "{\"dist\": \"exp\", \"mean\": 0.01}), got an array of 1 element\n"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        struct arena a = ARENA_INIT;
        struct dist d;
        char *err;
        CHECK(!parse(cases[i].json, &d, &a, &err), "case %zu fails", i);
        CHECK_STR(err, cases[i].want);
        free(err);
        arena_release(&a);
    }
}

int main(void)
{
    test_moments();
    test_closed_forms();
    test_empirical_file();
    test_errors();
    return check_done();
}
