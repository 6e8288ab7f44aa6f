/* test_sweep.c — sweeps (app/sweep.c): --vary splits at top-level commas only; points in
 * odometer order (the first --vary slowest); common random numbers (two points that differ
 * only in fleet capacity see the same requests in each replication, and replications differ);
 * the sweep's statistics equal each point's summary-ci.csv; sweep.csv's columns; a resume
 * record read back gives the same bytes; a folder holding another sweep is refused. */
#include "check.h"
#include "sweep.h"

#include <stdlib.h>
#include <string.h>

static const char *scenario_file = TIERSIM_SWEEP_DIR "/small.json";

static void test_vary_parse(void)
{
    struct sweep_vary v;
    char err[256];
    CHECK_EQ_INT(sweep_vary_parse("a.b=1,2,3", &v, err, sizeof err), 0);
    CHECK_STR(v.path, "a.b");
    CHECK_EQ_INT(v.n, 3);
    if (v.n == 3) {
        CHECK_STR(v.values[0], "1");
        CHECK_STR(v.values[2], "3");
    }
    sweep_vary_release(&v);

    /* commas inside strings, arrays and objects (nested, with an escaped quote) stay */
    CHECK_EQ_INT(sweep_vary_parse("azs=[\"a\",\"b\"],{\"x\":[1,2],\"y\":\"p,\\\"q\"},\"c,d\",w", &v,
                                  err, sizeof err),
                 0);
    CHECK_EQ_INT(v.n, 4);
    if (v.n == 4) {
        CHECK_STR(v.values[0], "[\"a\",\"b\"]");
        CHECK_STR(v.values[1], "{\"x\":[1,2],\"y\":\"p,\\\"q\"}");
        CHECK_STR(v.values[2], "\"c,d\"");
        CHECK_STR(v.values[3], "w");
    }
    sweep_vary_release(&v);

    struct {
        const char *arg, *msg;
    } bad[] = {
        {"a.b", "--vary needs PATH=V1,V2,..., got \"a.b\""},
        {"=1,2", "--vary needs PATH=V1,V2,..., got \"=1,2\""},
        {"a=", "--vary a: empty value in \"\""},
        {"a=1,,2", "--vary a: empty value in \"1,,2\""},
        {"a=1,", "--vary a: empty value in \"1,\""},
        {"a=[1,2", "--vary a: '[' is not closed in \"[1,2\""},
        {"a=[1,2}", "--vary a: unmatched '}' in \"[1,2}\""},
        {"a=\"x,y", "--vary a: a string is not closed in \"\"x,y\""},
    };
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        err[0] = '\0';
        CHECK_EQ_INT(sweep_vary_parse(bad[i].arg, &v, err, sizeof err), TS_EINVAL);
        CHECK_STR(err, bad[i].msg);
        sweep_vary_release(&v);
    }
}

/* A sweep of small.json over the given --vary arguments; NULL on errors. */
static struct sweep *load(const char *const *args, uint32_t n, struct sweep_vary *v)
{
    char err[256];
    for (uint32_t i = 0; i < n; i++)
        CHECK_EQ_INT(sweep_vary_parse(args[i], &v[i], err, sizeof err), 0);
    const char *sets[] = {"duration=5m", "warmup=1m"};
    struct sweep_spec spec = {
        .file = scenario_file, .sets = sets, .nsets = 2, .vary = v, .nvary = n};
    struct sweep *sw = NULL;
    CHECK_EQ_INT(sweep_load(&spec, stderr, &sw), 0);
    return sw;
}

static void test_order(void)
{
    const char *args[] = {"components.app.asg.desired_capacity=1,2",
                          "components.app.instance.vcpus=1,2,4",
                          "azs=[\"a\",\"b\"]"}; /* an array is one value */
    struct sweep_vary v[3];
    struct sweep *sw = load(args, 3, v);
    if (!sw) return;
    CHECK_EQ_INT(sweep_npoints(sw), 6);
    /* odometer: the last vary turns fastest */
    const char *want[6][2] = {{"1", "1"}, {"1", "2"}, {"1", "4"},
                              {"2", "1"}, {"2", "2"}, {"2", "4"}};
    for (uint32_t p = 1; p <= 6; p++) {
        CHECK_STR(sweep_value(sw, p, 0), want[p - 1][0]);
        CHECK_STR(sweep_value(sw, p, 1), want[p - 1][1]);
        CHECK_STR(sweep_value(sw, p, 2), "[\"a\",\"b\"]");
    }
    /* the values reach the scenario as --set puts them there */
    for (uint32_t p = 1; p <= 6; p++) {
        const struct world_config *wc = sweep_config(sw, p);
        for (uint32_t c = 0; c < wc->ncomps; c++)
            if (strcmp(wc->comps[c].name, "app") == 0) {
                CHECK_EQ_INT(wc->comps[c].u.fleet.vcpus, p % 3 == 1 ? 1 : p % 3 == 2 ? 2 : 4);
                CHECK_EQ_INT(wc->comps[c].u.fleet.desired_capacity, p <= 3 ? 1 : 2);
            }
    }
    sweep_free(sw);
    for (int i = 0; i < 3; i++)
        sweep_vary_release(&v[i]);
}

static void test_invalid_point(void)
{
    struct sweep_vary v;
    char err[256];
    CHECK_EQ_INT(sweep_vary_parse("components.app.asg.desired_capacity=2,7", &v, err, sizeof err),
                 0);
    struct sweep_spec spec = {.file = scenario_file, .vary = &v, .nvary = 1};
    struct sweep *sw = (struct sweep *)1;
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    CHECK_EQ_INT(sweep_load(&spec, f, &sw), TS_ESCENARIO);
    CHECK(sw == NULL, "no sweep of an invalid point");
    fclose(f);
    CHECK_STR(buf, "tiersim: sweep point 2 (components.app.asg.desired_capacity=7) is invalid:\n"
                   "--vary components.app.asg.desired_capacity=7: "
                   ".components.app.asg.desired_capacity: must be between min_size (1) and "
                   "max_size (4), got 7\n"
                   "tiersim: 1 of 2 sweep points are invalid (" TIERSIM_SWEEP_DIR "/small.json)\n");
    free(buf);
    sweep_vary_release(&v);
}

static double cell(const char *dir, const char *file, const char *col)
{
    struct check_table t;
    double x = TS_NAN;
    if (check_table_load(&t, dir, file)) {
        int c = check_col(&t, col);
        if (c >= 0 && t.nrows >= 1) x = check_num(&t, 0, c);
        check_table_free(&t);
    }
    return x;
}

static void test_crn_and_stats(void)
{
    const char *args[] = {"components.app.asg.desired_capacity=1,3"};
    struct sweep_vary v[1];
    struct sweep *sw = load(args, 1, v);
    if (!sw) return;
    CHECK_EQ_INT(system("rm -rf sweep_crn"), 0); /* a fresh sweep, not a resumed one */
    struct sweep_opts o = {.out_dir = "sweep_crn", .reps = 3, .jobs = 2};
    struct sweep_result res;
    CHECK_EQ_INT(sweep_run(sw, &o, &res), 0);
    CHECK_EQ_INT(res.runs, 6);
    CHECK_EQ_INT(res.runs_done, 6);
    CHECK_EQ_INT(res.runs_kept, 0);
    double first[4] = {0};
    for (int k = 1; k <= 3; k++) {
        char d1[64], d2[64];
        snprintf(d1, sizeof d1, "sweep_crn/point-001/rep-%03d", k);
        snprintf(d2, sizeof d2, "sweep_crn/point-002/rep-%03d", k);
        double r1 = cell(d1, "summary.csv", "requests");
        double r2 = cell(d2, "summary.csv", "requests");
        CHECK(r1 == r2 && r1 > 0, "replication %d: requests %.0f and %.0f", k, r1, r2);
        first[k] = r1;
        /* capacity matters: more instances, shorter waits */
        double l1 = cell(d1, "summary.csv", "latency_mean_ms");
        double l2 = cell(d2, "summary.csv", "latency_mean_ms");
        CHECK(l2 < l1, "replication %d: mean latency %.3f with 3 instances, %.3f with 1", k, l2,
              l1);
    }
    CHECK(first[1] != first[2] || first[2] != first[3], "replications see different traffic");
    /* the sweep's mean is the point's summary-ci.csv mean */
    if (res.points) {
        const struct sweep_kpi *k = sweep_kpi(&res.points[1], "latency_mean_ms");
        CHECK(k != NULL, "latency_mean_ms is a KPI");
        struct check_table t;
        if (k && check_table_load(&t, "sweep_crn/point-002", "summary-ci.csv")) {
            for (uint32_t r = 0; r < t.nrows; r++)
                if (strcmp(check_cell(&t, r, 0), "latency_mean_ms") == 0) {
                    CHECK_NEAR(k->mean, check_num(&t, r, 2), 1e-5);
                    CHECK_NEAR(k->half, check_num(&t, r, 4), 1e-5);
                    CHECK_EQ_INT(k->n, 3);
                }
            check_table_free(&t);
        }
        CHECK_EQ_INT(res.points[0].reps_done, 3);
    }
    /* sweep.csv: point, the varied path, reps, then a KPI's three columns */
    struct check_table t;
    if (check_table_load(&t, "sweep_crn", "sweep.csv")) {
        CHECK_EQ_INT(t.nrows, 2);
        CHECK_STR(t.header[0], "point");
        CHECK_STR(t.header[1], "components.app.asg.desired_capacity");
        CHECK_STR(t.header[2], "reps");
        CHECK_STR(t.header[3], "requests_mean");
        CHECK_STR(t.header[4], "requests_sd");
        CHECK_STR(t.header[5], "requests_ci95_half");
        CHECK_EQ_INT((t.ncols - 3) % 3, 0);
        CHECK_STR(check_cell(&t, 1, 1), "3");
        CHECK_STR(check_cell(&t, 1, 2), "3");
        check_table_free(&t);
    }
    sweep_result_release(&res);

    /* again in the same folder: every run kept, the same bytes */
    CHECK_EQ_INT(rename("sweep_crn/sweep.csv", "sweep_crn_first.csv"), 0);
    CHECK_EQ_INT(sweep_run(sw, &o, &res), 0);
    CHECK_EQ_INT(res.runs_kept, 6);
    CHECK_EQ_INT(res.runs_done, 0);
    CHECK(check_same_file("sweep_crn/sweep.csv", "sweep_crn_first.csv"),
          "a resumed sweep's sweep.csv differs");
    sweep_result_release(&res);

    /* another sweep into the same folder is refused, and leaves it as it was */
    struct sweep_opts o4 = o;
    o4.reps = 4;
    CHECK_EQ_INT(sweep_run(sw, &o4, &res), TS_EINVAL);
    CHECK(strstr(res.error, "holds another sweep (its --reps differs") != NULL, "got: %s",
          res.error);
    sweep_result_release(&res);
    CHECK(check_same_file("sweep_crn/sweep.csv", "sweep_crn_first.csv"), "the folder changed");
    sweep_free(sw);
    sweep_vary_release(&v[0]);
}

int main(void)
{
    test_vary_parse();
    test_order();
    test_invalid_point();
    test_crn_and_stats();
    return check_done();
}
