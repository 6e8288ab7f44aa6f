/* test_reps.c — replications (app/reps.c): replication 1 keeps the scenario seed and the
 * others differ; summary-ci.csv of hand-checkable values to the printed decimals (missing
 * values and runs that did not complete left out, empty cells where undefined); -j 1 and
 * -j 2 write the same bytes in every file; --reps 1 is the plain run. */
#include "check.h"
#include "reps.h"

#include "tiersim/scn.h"

#include <stdlib.h>
#include <string.h>

static const char *scenario =
    "{ \"name\": \"t\", \"duration\": \"20m\", \"warmup\": \"2m\", \"interval\": \"1m\","
    "  \"azs\": [\"a\", \"b\"],"
    "  \"workload\": { \"entry\": \"lb\", \"rate\": 80 },"
    "  \"components\": {"
    "    \"lb\": { \"type\": \"alb\", \"targets\": \"app\" },"
    "    \"app\": { \"type\": \"fleet\", \"instance\": { \"vcpus\": 2, \"workers\": 8,"
    "               \"backlog\": 4 }, \"asg\": { \"min_size\": 2, \"max_size\": 6,"
    "        \"scaling_policies\": [ { \"policy_name\": \"cpu40\","
    "          \"policy_type\": \"TargetTrackingScaling\","
    "          \"target_tracking_configuration\": { \"predefined_metric_specification\":"
    "            { \"predefined_metric_type\": \"ASGAverageCPUUtilization\" },"
    "            \"target_value\": 40 } } ] },"
"      \"handlers\": { \"default\": [ { \"cpu\": { \"dist\": \"exp\","
    "                     \"mean\": \"20ms\" } } ] } } } }";

static void test_seeds(void)
{
    CHECK(reps_seed(7, 1) == 7, "replication 1 keeps the seed");
    uint64_t s[6];
    for (uint32_t k = 1; k <= 5; k++)
        s[k] = reps_seed(7, k);
    for (uint32_t k = 2; k <= 5; k++) {
        CHECK(s[k] < (UINT64_C(1) << 53), "seed %u fits a scenario file", k);
        for (uint32_t m = 1; m < k; m++)
            CHECK(s[k] != s[m], "seeds %u and %u differ", m, k);
    }
    CHECK(reps_seed(8, 2) != reps_seed(7, 3), "no overlap between neighbouring seeds");
}

/* A fake result: columns x (1 decimal), y (0), z (0). */
static void fake(struct run_result *r, const char *status, uint64_t seed, double x, double y,
                 double z)
{
    static const char *const names[] = {"x", "y", "z"};
    static const int dec[] = {1, 0, 0};
    memset(r, 0, sizeof *r);
    r->status = status;
    r->seed = seed;
    r->ncols = 3;
    r->names = calloc(3, sizeof *r->names);
    r->values = calloc(3, sizeof *r->values);
    r->decimals = calloc(3, sizeof *r->decimals);
    double v[] = {x, y, z};
    for (int i = 0; i < 3; i++) {
        r->names[i] = strdup(names[i]);
        r->values[i] = v[i];
        r->decimals[i] = dec[i];
    }
}

static void test_ci_by_hand(void)
{
    /* x: 1, 2, 3, 4 -> mean 2.5, sd sqrt(5/3) = 1.290994, t(0.975, 3) = 3.182446,
     *    half = 3.182446 * 1.290994 / 2 = 2.054260 (printed with 1 + 2 decimals).
     * y: 10, (missing), 14, 12 -> n 3, mean 12, sd 2, t(0.975, 2) = 4.302653,
     *    half = 4.302653 * 2 / sqrt(3) = 4.968275.
     * z: only in the first -> n 1: a mean, no sd, no interval.
     * The fifth run was interrupted: in summary.csv, not in the statistics. */
    struct run_result r[6];
    fake(&r[0], "complete", 11, 1, 10, 7);
    fake(&r[1], "complete", 12, 2, TS_NAN, TS_NAN);
    fake(&r[2], "complete", 13, 3, 14, TS_NAN);
    fake(&r[3], "complete", 14, 4, 12, TS_NAN);
    fake(&r[4], "interrupted", 15, 100, 100, 100);
    memset(&r[5], 0, sizeof r[5]);
    r[5].status = "not_run";
    r[5].seed = 16;
    CHECK_EQ_INT(reps_write_ci("reps_ci.csv", r, 6), 0);
    CHECK_EQ_INT(reps_write_summary("reps_summary.csv", r, 6), 0);
    FILE *f = fopen("reps_ci.csv", "rb");
    char buf[1024] = {0};
    if (f) {
        size_t n = fread(buf, 1, sizeof buf - 1, f);
        buf[n] = '\0';
        fclose(f);
    }
    CHECK_STR(buf, "kpi,n,mean,sd,ci95_half,ci95_low,ci95_high\n"
                      "x,4,2.500,1.291,2.054,0.446,4.554\n"
                      "y,3,12.00,2.00,4.97,7.03,16.97\n"
                      "z,1,7.00,,,,\n");
    f = fopen("reps_summary.csv", "rb");
    memset(buf, 0, sizeof buf);
    if (f) {
        size_t n = fread(buf, 1, sizeof buf - 1, f);
        buf[n] = '\0';
        fclose(f);
    }
    CHECK_STR(buf, "run,seed,status,x,y,z\n"
                      "1,11,complete,1.0,10,7\n"
                      "2,12,complete,2.0,,\n"
                      "3,13,complete,3.0,14,\n"
                      "4,14,complete,4.0,12,\n"
                      "5,15,interrupted,100.0,100,100\n"
                      "6,16,not_run,,,\n");
    for (int i = 0; i < 6; i++)
        run_result_release(&r[i]);
}

static int reps_to(const char *dir, uint32_t reps, uint32_t jobs)
{
    struct check_scenario cs;
    const char *sets[] = {"seed=5", NULL};
    if (check_load(&cs, scenario, sets) != 0)
        return -1;
    char *text = scn_print(cs.scn);
    struct reps_opts o = {.out_dir = dir, .scenario = text, .reps = reps, .jobs = jobs};
    struct reps_result res;
    int rc = reps_run(&cs.wc, &o, &res);
    CHECK_EQ_INT((int)res.n, (int)reps);
    reps_result_release(&res);
    free(text);
    check_unload(&cs);
    return rc;
}

static bool same(const char *a, const char *b, const char *file)
{
    char pa[256], pb[256];
    snprintf(pa, sizeof pa, "%s/%s", a, file);
    snprintf(pb, sizeof pb, "%s/%s", b, file);
    bool s = check_same_file(pa, pb);
    CHECK(s, "%s and %s differ (or are missing)", pa, pb);
    return s;
}

static void test_jobs_same_bytes(void)
{
    CHECK_EQ_INT(reps_to("reps_j1", 5, 1), 0);
    CHECK_EQ_INT(reps_to("reps_j2", 5, 2), 0);
    CHECK_EQ_INT(reps_to("reps_j8", 5, 8), 0); /* more threads than replications */
    static const char *const top[] = {"summary.csv", "summary-ci.csv", "scenario.json"};
    static const char *const per[] = {"timeseries.csv", "events.csv", "faults.csv",
                                      "summary.csv"};
    for (size_t i = 0; i < 3; i++) {
        same("reps_j1", "reps_j2", top[i]);
        same("reps_j1", "reps_j8", top[i]);
    }
    for (int k = 1; k <= 5; k++)
        for (size_t i = 0; i < 4; i++) {
            char f[64];
            snprintf(f, sizeof f, "rep-%03d/%s", k, per[i]);
            same("reps_j1", "reps_j2", f);
            same("reps_j1", "reps_j8", f);
        }
    /* replication 1 is the plain run's seed: its timeseries is the plain run's */
    CHECK_EQ_INT(reps_to("reps_one", 1, 1), 0);
    same("reps_j1/rep-001", "reps_one", "timeseries.csv");
    same("reps_j1/rep-001", "reps_one", "events.csv");
    /* replications differ from one another */
    CHECK(!check_same_file("reps_j1/rep-001/timeseries.csv", "reps_j1/rep-002/timeseries.csv"),
          "replications 1 and 2 differ");
}

static void test_reps_one_is_plain(void)
{
    struct check_scenario cs;
    const char *sets[] = {"seed=5", NULL};
    if (check_load(&cs, scenario, sets) != 0)
        return;
    char *text = scn_print(cs.scn);
    struct run_opts o = {.out_dir = "reps_plain", .scenario = text, .run = 1};
    struct run_result res;
    CHECK_EQ_INT(run_scenario(&cs.wc, &o, &res), 0);
    run_result_release(&res);
    free(text);
    check_unload(&cs);
    CHECK_EQ_INT(reps_to("reps_one", 1, 4), 0);
    static const char *const files[] = {"timeseries.csv", "events.csv", "summary.csv",
                                        "scenario.json", "faults.csv"};
    for (size_t i = 0; i < 5; i++)
        same("reps_plain", "reps_one", files[i]);
    FILE *f = fopen("reps_one/summary-ci.csv", "rb");
    CHECK(f == NULL, "--reps 1 writes no summary-ci.csv");
    if (f)
        fclose(f);
}

int main(void)
{
    test_seeds();
    test_ci_by_hand();
    test_jobs_same_bytes();
    test_reps_one_is_plain();
    return check_done();
}
