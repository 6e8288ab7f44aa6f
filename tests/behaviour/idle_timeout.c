/* idle_timeout.c — a target that does not answer within the ALB's idle timeout: the client
 * gets 504 (ALB-14, ALB-15) and the target goes on with the work, which still holds its
 * worker slots and vCPUs.
 *
 * Set-up: requests of 30 s of CPU, idle timeout 10 s, one instance with 50 vCPUs, 1 rps for
 * 5 minutes then nothing. Every request ends with 504 at 10 s; the instance keeps about 30
 * requests running (Poisson: 30 +- 5.5), and is still busy 20 s after the last 504. */
#include "check.h"

static const char *scenario =
    "{ \"name\": \"idle\", \"seed\": 8, \"duration\": \"8m\", \"interval\": \"10s\","
    "  \"workload\": { \"entry\": \"lb\", \"rate\": { \"shape\": \"piecewise\","
    "      \"points\": [[0, 1], [299.999, 1], [300, 0]] } },"
    "  \"components\": {"
    "    \"lb\": { \"type\": \"alb\", \"targets\": \"web\", \"latency\": 0, \"idle_timeout\": 10 },"
    "    \"web\": { \"type\": \"fleet\", \"instance\": { \"vcpus\": 50, \"workers\": 1000 },"
    "      \"asg\": { \"min_size\": 1, \"max_size\": 1 },"
    "      \"handlers\": { \"default\": [ { \"cpu\": 30 } ] } } } }";

int main(void)
{
    struct check_scenario cs;
    CHECK_EQ_INT(check_load(&cs, scenario, NULL), 0);
    struct run_result res;
    CHECK_EQ_INT(check_run_to(&cs, "idle.out", &res), 0);
    double n = run_result_get(&res, "requests"), e504 = run_result_get(&res, "errors_504");
    run_result_release(&res);
    CHECK(n > 250 && e504 == n, "%g requests, %g 504s: every one timed out", n, e504);
    struct check_table ts;
    check_table_load(&ts, "idle.out", "timeseries.csv");
    int c_t = check_col(&ts, "t_s"), c_busy = check_col(&ts, "web.busy_workers"),
        c_cpu = check_col(&ts, "web.cpu_pct");
    for (uint32_t r = 0; r < ts.nrows; r++) {
        double t = check_num(&ts, r, c_t);
        if (t >= 100 && t <= 300)
            CHECK(check_num(&ts, r, c_busy) > 15, "t=%.0f: %g busy", t, check_num(&ts, r, c_busy));
        if (t > 310 && t <= 320) /* the last 504 at ~310 s; the work goes on until ~330 s */
            CHECK(check_num(&ts, r, c_cpu) > 0, "t=%.0f: still working after the 504s", t);
        if (t > 340)
            CHECK(check_num(&ts, r, c_cpu) == 0, "t=%.0f: idle once the work is done", t);
    }
    check_table_free(&ts);
    check_unload(&cs);
    return check_done();
}
