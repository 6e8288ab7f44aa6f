/* lambda_provisioned.c — provisioned concurrency (LAM-6), determinism, and an AZ outage.
 *
 * 1. Provisioned 50. An invocation takes an idle provisioned environment whenever there is
 *    one, so the 50 are an M/G/50/50 loss system whose overflow goes to on-demand
 *    environments: with offered load a, the provisioned carry a (1 - B(50, a)) and the
 *    on-demand ones a B(50, a) (Erlang B, insensitive to the service distribution).
 *    For 600 s the load is 100 invocations a second of 200 ms each, a = 20: B(50, 20) = 8e-9,
 *    so no cold start at all, no on-demand environment (the environments stay the 50), and
 *    provisioned utilisation 20 / 50 = 40 %. Then the load steps to 400 a second, a = 80:
 *    B(50, 80) = 0.39306, so the provisioned environments are 97.11 % busy (not 100 %: one
 *    that finishes waits for the next arrival) and 31.44 invocations run on on-demand
 *    environments on average, each of those made with a cold start: cold starts return, and
 *    each is an environment created (no timeout resets them here).
 * 2. The same seed twice gives byte-identical files.
 * 3. An AZ outage (us-east-1a, 300 s to 600 s) through the scenario's faults: the function's
 *    environments there are lost at once, the invocations they ran answered 502; none is made
 *    there during the outage; the provisioned ones are initialised again in the other AZs
 *    (still 30 in all once Init is over); the 502s are the lost invocations, and nothing else
 *    fails. */
#include "check.h"
#include "events.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

static const char *provisioned =
    "{ \"name\": \"lambda-provisioned\", \"seed\": 31, \"duration\": 1200, \"interval\": 60,"
    "  \"azs\": [\"us-east-1a\", \"us-east-1b\"],"
    "  \"workload\": { \"entry\": \"fn\","
    "    \"rate\": { \"shape\": \"piecewise\", \"points\": [[0, 100], [599.999, 100], [600, 400],"
    "                                                    [1200, 400]] } },"
    "  \"components\": {"
    "    \"fn\": { \"type\": \"lambda\", \"provisioned_concurrency\": 50, \"memory_mb\": 1024,"
    "      \"handlers\": { \"default\": [ { \"delay\": \"200ms\" } ] } } } }";

static const char *outage =
    "{ \"name\": \"lambda-outage\", \"seed\": 32, \"duration\": 900, \"interval\": 60,"
    "  \"azs\": [\"us-east-1a\", \"us-east-1b\", \"us-east-1c\"],"
    "  \"faults\": [ { \"type\": \"az_outage\", \"at\": 300, \"az\": \"us-east-1a\","
    "                  \"duration\": 300 } ],"
    "  \"workload\": { \"entry\": \"fn\", \"rate\": 200 },"
    "  \"components\": {"
    "    \"fn\": { \"type\": \"lambda\", \"provisioned_concurrency\": 30,"
    "      \"handlers\": { \"default\": [ { \"delay\": { \"dist\": \"exp\", \"mean\": \"250ms\" } } ] } } } }";

/* Sum (or mean, when `mean`) of column `name` over rows [from, to). */
static double over(const struct check_table *t, const char *name, uint32_t from, uint32_t to,
                   bool mean)
{
    int c = check_col(t, name);
    double s = 0;
    for (uint32_t r = from; c >= 0 && r < to; r++)
        s += check_num(t, r, c);
    return mean ? s / (double)(to - from) : s;
}

static void test_provisioned(void)
{
    struct check_scenario cs;
    CHECK_EQ_INT(check_load(&cs, provisioned, NULL), 0);
    struct run_result res;
    CHECK_EQ_INT(check_run_to(&cs, "lambda-provisioned.out", &res), 0);
    struct run_result res2;
    CHECK_EQ_INT(check_run_to(&cs, "lambda-provisioned-2.out", &res2), 0);
    check_unload(&cs);
    static const char *const files[] = {"timeseries.csv", "events.csv", "summary.csv",
                                        "scenario.json"};
    for (int i = 0; i < 4; i++) {
        char a[128], b[128];
        snprintf(a, sizeof a, "lambda-provisioned.out/%s", files[i]);
        snprintf(b, sizeof b, "lambda-provisioned-2.out/%s", files[i]);
        CHECK(check_same_file(a, b), "%s differs between two runs of one seed", files[i]);
    }
    run_result_release(&res2);
    struct check_table ts;
    if (!check_table_load(&ts, "lambda-provisioned.out", "timeseries.csv")) {
        run_result_release(&res);
        return;
    }
    CHECK_EQ_INT(ts.nrows, 20);
    /* under the provisioned concurrency: the first 10 rows */
    double cold1 = over(&ts, "fn.cold_starts_ps", 0, 10, false);
    double conc1 = over(&ts, "fn.concurrency", 0, 10, true);
    double util1 = over(&ts, "fn.provisioned_util_pct", 0, 10, true);
    printf("  0-600 s: cold starts %.0f, concurrency %.2f (theory 20), provisioned %.1f %% "
           "(theory 40)\n",
           cold1 * 60, conc1, util1);
    CHECK(cold1 == 0, "no cold start under the provisioned concurrency");
    int env = check_col(&ts, "fn.environments");
    for (uint32_t r = 0; r < 10; r++)
        CHECK(check_num(&ts, r, env) == 50, "row %u: only the provisioned environments", r);
    CHECK(fabs(conc1 - 20) < 0.6, "concurrency %.3f, Little's 20", conc1);
    CHECK(fabs(util1 - 40) < 1.2, "provisioned utilisation %.2f %%, theory 40 %%", util1);
    /* spilling over: the last 10 */
    double cold2 = over(&ts, "fn.cold_starts_ps", 10, 20, false) * 60;
    double conc2 = over(&ts, "fn.concurrency", 10, 20, true);
    double util2 = over(&ts, "fn.provisioned_util_pct", 10, 20, true);
    double spill = conc2 - util2 / 100.0 * 50.0; /* running on on-demand environments */
    printf("  600-1200 s: cold starts %.0f, concurrency %.2f (theory 80), provisioned %.2f %% "
           "(theory 97.11), on demand %.2f (theory 31.44), environments at the end %.0f, most "
           "busy at once %.0f\n",
           cold2, conc2, util2, spill, check_num(&ts, 19, env),
           run_result_get(&res, "fn.concurrency_max"));
    CHECK(cold2 >= 1, "cold starts return when the load spills over");
    CHECK(fabs(conc2 - 80) < 1.2, "concurrency %.3f, Little's 80", conc2);
    CHECK(fabs(util2 - 97.11) < 0.2, "provisioned utilisation %.2f %%, Erlang B's 97.11 %%",
          util2);
    CHECK(fabs(spill - 31.44) < 1.2, "on-demand concurrency %.2f, Erlang B's 31.44", spill);
    CHECK(run_result_get(&res, "fn.cold_starts") == run_result_get(&res, "fn.environments_created"),
          "each cold start made an environment");
    /* the most running at once is about 80 + 3 sd of Poisson(80) */
    double mx = run_result_get(&res, "fn.concurrency_max");
    CHECK(mx > 95 && mx < 130, "most busy at once %.0f", mx);
    /* idle ones are kept 420 s: at the end, the most needed lately (more than the mean) */
    CHECK(check_num(&ts, 19, env) > 90 && check_num(&ts, 19, env) <= mx,
          "environments at the end %.0f", check_num(&ts, 19, env));
    check_table_free(&ts);
    run_result_release(&res);
}

static void test_outage(void)
{
    struct check_scenario cs;
    CHECK_EQ_INT(check_load(&cs, outage, NULL), 0);
    struct run_result res;
    CHECK_EQ_INT(check_run_to(&cs, "lambda-outage.out", &res), 0);
    check_unload(&cs);
    struct check_table ts, ev;
    if (!check_table_load(&ts, "lambda-outage.out", "timeseries.csv") ||
        !check_table_load(&ev, "lambda-outage.out", "events.csv")) {
        run_result_release(&res);
        return;
    }
    int a = check_col(&ts, "fn.environments.us-east-1a");
    int b = check_col(&ts, "fn.environments.us-east-1b");
    int c = check_col(&ts, "fn.environments.us-east-1c");
    CHECK(check_num(&ts, 3, a) >= 10, "before: environments in us-east-1a");
    for (uint32_t r = 5; r < 10; r++) /* t = 360 .. 600 */
        CHECK(check_num(&ts, r, a) == 0, "row %u: none in us-east-1a during the outage", r);
    for (uint32_t r = 5; r < 10; r++)
        CHECK(check_num(&ts, r, b) + check_num(&ts, r, c) >= 30,
              "row %u: the provisioned 30 made again in the other AZs", r);
    int row = ev_find(&ev, 300, "fn", "az_down", "us-east-1a");
    CHECK(row >= 0 && ev_time(&ev, row) == 300, "the az_down row");
    /* the invocations lost: the client's 502s, all at 300 s, as many as the log says */
    double e502 = run_result_get(&res, "errors_502");
    CHECK(e502 > 0, "invocations running in us-east-1a were lost");
    char needle[64];
    snprintf(needle, sizeof needle, "%.0f running an invocation", e502);
    CHECK(row >= 0 && strstr(ev_detail(&ev, row), needle), "the log counts %.0f lost: %s", e502,
          row >= 0 ? ev_detail(&ev, row) : "");
    CHECK(run_result_get(&res, "errors") == e502, "no other error");
    check_table_free(&ts);
    check_table_free(&ev);
    run_result_release(&res);
}

int main(void)
{
    test_provisioned();
    test_outage();
    return check_done();
}
