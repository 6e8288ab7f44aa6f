/* test_workload.c — arrival rates: the shapes' rate function, and the count of arrivals in
 * windows of a time-varying rate against the integral of the rate (Poisson: inside 3.3
 * standard deviations, 99.9 %). */
#include "check.h"

#include "tiersim/models/workload.h"

#include <string.h>

static void test_rate_at(void)
{
    int64_t t[] = {0, 100 * SIM_NS_PER_S, 200 * SIM_NS_PER_S};
    double v[] = {10, 30, 0};
    struct rate_config r = {.kind = RATE_PIECEWISE, .n = 3, .t = t, .v = v};
    double mx;
    int64_t end;
    CHECK_NEAR(rate_at(&r, 50 * SIM_NS_PER_S, &mx, &end), 20, 1e-9);
    CHECK_NEAR(mx, 30, 0);
    CHECK_EQ_INT(end, 100 * SIM_NS_PER_S);
    CHECK_NEAR(rate_at(&r, 150 * SIM_NS_PER_S, &mx, &end), 15, 1e-9);
    CHECK_NEAR(rate_at(&r, 500 * SIM_NS_PER_S, &mx, &end), 0, 0);
    CHECK_EQ_INT(end, INT64_MAX);

    double tr[] = {5, 7};
    struct rate_config trace = {.kind = RATE_TRACE, .n = 2, .v = tr, .end = TRACE_REPEAT};
    CHECK_NEAR(rate_at(&trace, 1500000000, &mx, &end), 7, 0);
    CHECK_EQ_INT(end, 2 * SIM_NS_PER_S);
    CHECK_NEAR(rate_at(&trace, 2500000000, &mx, &end), 5, 0); /* repeats */
    trace.end = TRACE_HOLD;
    CHECK_NEAR(rate_at(&trace, 9 * SIM_NS_PER_S, &mx, &end), 7, 0);
    trace.end = TRACE_ZERO;
    CHECK_NEAR(rate_at(&trace, 9 * SIM_NS_PER_S, &mx, &end), 0, 0);
}

static const char *scenario =
    "{ \"duration\": 100, \"warmup\": 0, \"interval\": 10,"
    "  \"workload\": { \"entry\": \"lb\", \"rate\": { \"shape\": \"piecewise\","
    "     \"points\": [[0, 0], [\"10m\", 600], [\"20m\", 600], [\"25m\", 0], [\"30m\", 50]] } },"
    "  \"components\": {"
    "    \"lb\": { \"type\": \"alb\", \"targets\": \"app\", \"latency\": 0 },"
    "    \"app\": { \"type\": \"fleet\", \"instance\": { \"vcpus\": 64 },"
    "      \"asg\": { \"min_size\": 1, \"max_size\": 1 },"
    "      \"handlers\": { \"default\": [ { \"cpu\": 0.001 } ] } } } }";

/* The integral of the shape above from a to b (seconds). */
static double integral(double a, double b)
{
    double sum = 0;
    for (double x = a; x < b; x += 0.01) {
        double m = x + 0.005, l;
        if (m < 600)
            l = m;
        else if (m < 1200)
            l = 600;
        else if (m < 1500)
            l = 600 * (1500 - m) / 300;
        else if (m < 1800)
            l = 50 * (m - 1500) / 300;
        else
            l = 50;
        sum += l * 0.01;
    }
    return sum;
}

static void test_thinning_counts(void)
{
    /* windows [warmup, duration): before, across and after the kinks of the shape */
    const double win[][2] = {{0, 300},     {300, 900},   {1100, 1300}, {1450, 1550},
                             {1200, 1800}, {1800, 2400}, {0, 2400}};
    for (size_t i = 0; i < sizeof win / sizeof win[0]; i++) {
        char warm[64], dur[64];
        snprintf(warm, sizeof warm, "warmup=%g", win[i][0]);
        snprintf(dur, sizeof dur, "duration=%g", win[i][1] + 0.0);
        const char *sets[] = {dur, warm, "interval=5", NULL};
        struct check_scenario cs;
        CHECK_EQ_INT(check_load(&cs, scenario, sets), 0);
        double n = check_run_value(&cs, 100 + i, "requests");
        double want = integral(win[i][0], win[i][1]);
        CHECK(fabs(n - want) <= 3.3 * sqrt(want), "[%g, %g): %g arrivals, expected %.1f +- %.1f",
              win[i][0], win[i][1], n, want, 3.3 * sqrt(want));
        check_unload(&cs);
    }
}

int main(void)
{
    test_rate_at();
    test_thinning_counts();
    return check_done();
}
