/* cross_zone.c — ALB-3's example: two AZs with 2 and 8 targets. With cross-zone load
 * balancing on, every target gets 10 % of the requests; off, each node keeps to its AZ and
 * the DNS splits the clients evenly, so the 2 targets get 25 % each (the AZ 50 %) and the 8
 * get 6.25 % each.
 *
 * Set-up: a target group of two groups, "few" (2 instances in AZ a) and "many" (8 in AZ b),
 * round robin, 2,000 rps for 20 minutes. The share of each group is its requests_rps over
 * the ALB's, summed over the run: with ~2.4 M requests the sampling error is far below the
 * 0.5-point tolerance. */
#include "check.h"

static const char *scenario =
    "{ \"name\": \"xz\", \"seed\": 2, \"duration\": \"20m\", \"interval\": \"1m\","
    "  \"azs\": [\"a\", \"b\"],"
    "  \"workload\": { \"entry\": \"lb\", \"rate\": 2000 },"
    "  \"components\": {"
    "    \"lb\": { \"type\": \"alb\", \"targets\": [\"few\", \"many\"] },"
    "    \"few\": { \"type\": \"fleet\", \"instance\": { \"vcpus\": 8 },"
    "      \"asg\": { \"min_size\": 2, \"max_size\": 2, \"availability_zones\": [\"a\"] },"
    "      \"handlers\": { \"default\": [ { \"cpu\": 0.001 } ] } },"
    "    \"many\": { \"type\": \"fleet\", \"instance\": { \"vcpus\": 8 },"
    "      \"asg\": { \"min_size\": 8, \"max_size\": 8, \"availability_zones\": [\"b\"] },"
    "      \"handlers\": { \"default\": [ { \"cpu\": 0.001 } ] } } } }";

static double share_of_few(const char *cross_zone, const char *dir)
{
    char set[64];
    snprintf(set, sizeof set, "components.lb.cross_zone=%s", cross_zone);
    const char *sets[] = {set, NULL};
    struct check_scenario cs;
    CHECK_EQ_INT(check_load(&cs, scenario, sets), 0);
    struct run_result res;
    CHECK_EQ_INT(check_run_to(&cs, dir, &res), 0);
    run_result_release(&res);
    struct check_table ts;
    check_table_load(&ts, dir, "timeseries.csv");
    int few = check_col(&ts, "few.requests_rps"), many = check_col(&ts, "many.requests_rps"),
        in_a = check_col(&ts, "few.in_service.a"), in_b = check_col(&ts, "many.in_service.b");
    double sf = 0, sm = 0;
    for (uint32_t r = 0; r < ts.nrows; r++) {
        sf += check_num(&ts, r, few);
        sm += check_num(&ts, r, many);
        CHECK(check_num(&ts, r, in_a) == 2 && check_num(&ts, r, in_b) == 8, "2 in a, 8 in b");
    }
    check_table_free(&ts);
    check_unload(&cs);
    return sf / (sf + sm);
}

int main(void)
{
    double on = share_of_few("true", "xz_on.out"), off = share_of_few("false", "xz_off.out");
    printf("share of the 2 targets in AZ a: cross-zone on %.2f %% (10 %% each), off %.2f %% "
           "(25 %% each)\n",
           100 * on, 100 * off);
    CHECK_NEAR(on, 0.20, 0.005);
    CHECK_NEAR(off, 0.50, 0.005);
    return check_done();
}
