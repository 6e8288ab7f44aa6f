/* fault_fleet_gray.c — instance failures and gray failures of a fleet, from a whole
 * scenario (ASG-14, ASG-17; gray failure: issue 5).
 *
 * Gray: six instances, CPU-bound requests of 100 ms at light load; every instance slowed 5
 * times from 10 to 30 min. The clients' median latency goes from 100 ms to about 500 ms and
 * back; health checks (no CPU work) keep passing: the ALB marks nothing unhealthy, the group
 * replaces nothing, no request fails.
 * Instance failure: two of six instances fail at 10 min; at the group's EC2 check, 60 s
 * later, both are terminated and replaced at once (not one at a time, as the throttled ELB
 * replacement would, ASG-18); the capacity is back after the boot. */
#include "events.h"

#include <string.h>

#define FLEET                                                                                      \
    "  \"azs\": [\"us-east-1a\", \"us-east-1b\", \"us-east-1c\"],"                                 \
    "  \"workload\": { \"entry\": \"lb\", \"rate\": 10 },"                                         \
    "  \"components\": {"                                                                          \
    "    \"lb\": { \"type\": \"alb\", \"targets\": \"web\", \"latency\": 0 },"                     \
    "    \"web\": { \"type\": \"fleet\", \"instance\": { \"vcpus\": 2 },"                          \
    "      \"asg\": { \"min_size\": 6, \"max_size\": 6, \"health_check_type\": \"ELB\" },"         \
    "      \"handlers\": { \"default\": [ { \"cpu\": { \"dist\": \"const\","                       \
    "        \"value\": \"100ms\" } } ] } } },"

static const char *gray =
    "{ \"name\": \"gray\", \"seed\": 3, \"duration\": \"40m\", \"interval\": \"1m\"," FLEET
    "  \"faults\": [ { \"type\": \"gray_failure\", \"at\": \"10m\", \"target\": \"web\","
    "    \"count\": 6, \"factor\": 5, \"duration\": \"20m\" } ] }";

static const char *failure =
    "{ \"name\": \"ifail\", \"seed\": 4, \"duration\": \"30m\", \"interval\": \"1m\"," FLEET
    "  \"faults\": [ { \"type\": \"instance_failure\", \"at\": \"10m\", \"target\": \"web\","
    "    \"count\": 2 } ] }";

static int count(const struct check_table *ev, const char *comp, const char *event,
                 const char *needle, double t0, double t1)
{
    int n = 0;
    for (uint32_t r = 0; r < ev->nrows; r++) {
        double t = check_num(ev, r, 0);
        if (t >= t0 && t < t1 && strcmp(check_cell(ev, r, 1), comp) == 0 &&
            strcmp(check_cell(ev, r, 2), event) == 0 &&
            (!needle || strstr(check_cell(ev, r, 3), needle)))
            n++;
    }
    return n;
}

static void test_gray(void)
{
    struct check_scenario cs;
    CHECK_EQ_INT(check_load(&cs, gray, NULL), 0);
    struct run_result res;
    CHECK_EQ_INT(check_run_to(&cs, "fault_fleet_gray.out", &res), 0);
    CHECK_EQ_INT(run_result_get(&res, "errors"), 0);
    run_result_release(&res);
    struct check_table ts;
    check_table_load(&ts, "fault_fleet_gray.out", "timeseries.csv");
    int p50 = check_col(&ts, "latency_p50_ms"), healthy = check_col(&ts, "lb.healthy");
    double before = 0, during = 0, after = 0;
    int nb = 0, nd = 0, na = 0;
    for (uint32_t r = 0; r < ts.nrows; r++) {
        double t = check_num(&ts, r, 0), v = check_num(&ts, r, p50);
        if (t <= 600) {
            before += v;
            nb++;
        } else if (t > 660 && t <= 1800) {
            during += v;
            nd++;
        } else if (t > 1860) {
            after += v;
            na++;
        }
        CHECK(check_num(&ts, r, healthy) == 6, "t=%.0f: %g healthy targets", t,
              check_num(&ts, r, healthy));
    }
    before /= nb;
    during /= nd;
    after /= na;
    printf("gray x5: median latency %.1f ms before, %.1f ms during, %.1f ms after\n", before,
           during, after);
    CHECK(fabs(during / before - 5) < 0.25, "latency up by about the factor: %.2f",
          during / before);
    CHECK(fabs(after / before - 1) < 0.05, "and back: %.2f", after / before);
    check_table_free(&ts);
    struct check_table ev;
    check_table_load(&ev, "fault_fleet_gray.out", "events.csv");
    CHECK_EQ_INT(count(&ev, "web", "gray_start", "fault 1 gray_failure web", 600, 600.001), 1);
    CHECK_EQ_INT(count(&ev, "web", "gray_end", "fault 1 gray_failure web", 1800, 1800.001), 1);
    CHECK_EQ_INT(count(&ev, "lb", "unhealthy", NULL, 0, 1e9), 0);
    CHECK_EQ_INT(count(&ev, "web", "unhealthy", NULL, 0, 1e9), 0);
    CHECK_EQ_INT(count(&ev, "web", "terminating", NULL, 0, 1e9), 0);
    check_table_free(&ev);
    check_unload(&cs);
}

static void test_failure(void)
{
    struct check_scenario cs;
    CHECK_EQ_INT(check_load(&cs, failure, NULL), 0);
    struct run_result res;
    CHECK_EQ_INT(check_run_to(&cs, "fault_fleet_ifail.out", &res), 0);
    run_result_release(&res);
    struct check_table ev;
    check_table_load(&ev, "fault_fleet_ifail.out", "events.csv");
    const char *cause = "fault 1 instance_failure web";
    CHECK_EQ_INT(count(&ev, "web", "instance_failure", cause, 600, 600.001), 1);
    CHECK_EQ_INT(count(&ev, "web", "stopped", cause, 600, 600.001), 2);
    CHECK_EQ_INT(count(&ev, "web", "terminating", "not running (EC2 health check)", 660, 660.001),
                 2);
    CHECK_EQ_INT(count(&ev, "web", "launch", "replaces a stopped instance", 660, 660.001), 2);
    CHECK_EQ_INT(count(&ev, "web", "launch", NULL, 0, 1e9), 2);
    check_table_free(&ev);
    struct check_table ts;
    check_table_load(&ts, "fault_fleet_ifail.out", "timeseries.csv");
    int all = check_col(&ts, "web.in_service");
    double back = -1;
    for (uint32_t r = 0; r < ts.nrows; r++) {
        double t = check_num(&ts, r, 0), n = check_num(&ts, r, all);
        if (t > 600 && t <= 660) CHECK(n == 4, "t=%.0f: %g in service, expected 4", t, n);
        if (t > 660 && n == 6 && back < 0) back = t;
    }
    /* launch at 660 s + boot (about 30 s) + bootstrap 60 s: back within the interval ending
     * at 780 s */
    CHECK(back > 660 && back <= 780, "capacity back by t=%.0f s", back);
    check_table_free(&ts);
    struct check_table fc;
    check_table_load(&fc, "fault_fleet_ifail.out", "faults.csv");
    CHECK_EQ_INT(fc.nrows, 1);
    CHECK_EQ_INT(check_num(&fc, 0, check_col(&fc, "struck")), 2);
    CHECK_EQ_INT(check_num(&fc, 0, check_col(&fc, "capacity_lost")), 2);
    check_table_free(&fc);
    check_unload(&cs);
    printf("instance failure: 2 stopped at 600 s, both replaced at 660 s, capacity back by "
           "%.0f s\n",
           back);
}

int main(void)
{
    test_gray();
    test_failure();
    return check_done();
}
