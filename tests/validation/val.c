/* val.c — the validation family's scenario writer and replication loop (val.h). */
#include "val.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

int val_load(struct check_scenario *cs, const struct val_case *c)
{
    char json[2048];
    char interval[64];
    if (c->interval_s > 0)
        snprintf(interval, sizeof interval, "%.17g", c->interval_s);
    else
        snprintf(interval, sizeof interval, "%.17g", c->duration_s);
    int len = snprintf(
        json, sizeof json,
        "{\n"
        "  \"name\": \"validation\", \"seed\": 1,\n"
        "  \"duration\": %.17g, \"warmup\": %.17g, \"interval\": %s,\n"
        "  \"azs\": [\"us-east-1a\"],\n"
        "  \"network\": { \"same_az\": 0, \"cross_az\": 0 },\n"
        "  \"workload\": { \"entry\": \"lb\", \"arrivals\": \"poisson\", \"rate\": %s },\n"
        "  \"components\": {\n"
        "    \"lb\":  { \"type\": \"alb\", \"targets\": \"app\", \"algorithm\": \"%s\",\n"
        "             \"latency\": { \"dist\": \"const\", \"value\": 0 } },\n"
        "    \"app\": { \"type\": \"fleet\",\n"
        "             \"instance\": { \"vcpus\": %u, \"workers\": %u, \"backlog\": %u },\n"
        "             \"asg\": { \"min_size\": %u, \"max_size\": %u, \"desired_capacity\": %u },\n"
        "             \"handlers\": { \"default\": [ { \"cpu\": %s } ] } }\n"
        "  }\n"
        "}\n",
        c->duration_s, c->warmup_s, interval, c->rate, c->algorithm, c->vcpus,
        c->workers ? c->workers : 100000u, c->backlog ? c->backlog : 1000000u, c->instances,
        c->instances, c->instances, c->cpu);
    if (len < 0 || (size_t)len >= sizeof json) {
        CHECK(false, "scenario text longer than %zu bytes", sizeof json);
        return TS_EINVAL;
    }
    int rc = check_load(cs, json, NULL);
    CHECK(rc == 0, "the scenario does not load (rc %d):\n%s", rc, json);
    return rc;
}

bool val_replicate(const struct val_case *c, int n, const char *col, double *x)
{
    struct check_scenario cs;
    if (val_load(&cs, c) != 0) {
        check_unload(&cs);
        return false;
    }
    bool ok = true;
    for (int i = 0; i < n; i++) {
        x[i] = check_run_value(&cs, (uint64_t)i + 1u, col);
        if (isnan(x[i])) {
            CHECK(false, "seed %d: no value for \"%s\" (the run failed)", i + 1, col);
            ok = false;
        }
    }
    check_unload(&cs);
    return ok;
}

bool val_replicate_with(struct check_scenario *cs, int n,
                        double (*measure)(const struct run_result *res), double *x)
{
    bool ok = true;
    for (int i = 0; i < n; i++) {
        cs->wc.seed = (uint64_t)i + 1u;
        struct run_opts o = {.out_dir = NULL, .run = 1};
        struct run_result res;
        x[i] = TS_NAN;
        if (run_scenario(&cs->wc, &o, &res) == 0)
            x[i] = measure(&res);
        if (isnan(x[i])) {
            CHECK(false, "seed %d: the run failed: %s", i + 1, res.rc ? res.error : "no value");
            ok = false;
        }
        run_result_release(&res);
    }
    return ok;
}

void val_check(const char *what, const double *x, int n, double analytic, double scale,
               double max_rel)
{
    double mean, half;
    check_in_ci(what, x, n, VAL_LEVEL, analytic);
    check_ci(x, n, VAL_LEVEL, &mean, &half);
    double rel = half / fabs(scale);
    printf("%-48s half-width %.3g %% of %.6g (at most %.3g %% allowed)\n", "", 100.0 * rel,
           scale, 100.0 * max_rel);
    CHECK(rel <= max_rel, "%s: the interval is too wide to test anything: half-width %.3g %% "
                          "of %.6g, at most %.3g %% allowed",
          what, 100.0 * rel, scale, 100.0 * max_rel);
}
