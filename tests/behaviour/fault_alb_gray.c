/* fault_alb_gray.c — a gray failure needs nothing from the ALB: the slowed instance still
 * passes its health checks and keeps getting traffic (that is the point of a gray failure),
 * but least outstanding requests sends it less than round robin does (ALB-4).
 *
 * Set-up: one target group of two fleets, web-a (one 2-vCPU instance, slowed 5 times from
 * 600 s to 1200 s) and web-bc (two), requests of 10 ms CPU at 90 rps: round robin gives the
 * slow instance its third, 30 rps of 50 ms (75 % of its vCPUs); least outstanding requests
 * gives it less. The same arrivals go through both. Needs the fleet's side of faults:
 * without it the test is skipped. */
#include "events.h"

static const char *scenario =
    "{ \"name\": \"gray\", \"seed\": 10, \"duration\": \"25m\", \"interval\": \"10s\","
    "  \"azs\": [\"us-east-1a\", \"us-east-1b\", \"us-east-1c\"],"
    "  \"workload\": { \"entry\": \"lb\", \"rate\": 90 },"
    "  \"components\": {"
    "    \"lb\": { \"type\": \"alb\", \"targets\": [\"web-a\", \"web-bc\"], \"latency\": 0 },"
    "    \"web-a\": { \"type\": \"fleet\", \"instance\": { \"vcpus\": 2 },"
    "      \"asg\": { \"min_size\": 1, \"max_size\": 1, \"availability_zones\": [\"us-east-1a\"] },"
    "      \"handlers\": { \"default\": [ { \"cpu\": { \"dist\": \"exp\", \"mean\": \"10ms\" } } ] } },"
    "    \"web-bc\": { \"type\": \"fleet\", \"instance\": { \"vcpus\": 2 },"
    "      \"asg\": { \"min_size\": 2, \"max_size\": 2,"
    "                 \"availability_zones\": [\"us-east-1b\", \"us-east-1c\"] },"
    "      \"handlers\": { \"default\": [ { \"cpu\": { \"dist\": \"exp\", \"mean\": \"10ms\" } } ] } } },"
    "  \"faults\": [ { \"type\": \"gray_failure\", \"at\": \"10m\", \"target\": \"web-a\","
    "                  \"count\": 1, \"factor\": 5, \"duration\": \"10m\" } ] }";

/* The slow instance's share of the requests while it is slow, and the run's p99; -1 when the
 * fleet does not take gray failures. */
static double share(const char *algorithm, double *p99)
{
    char set[96], dir[64];
    snprintf(set, sizeof set, "components.lb.algorithm=%s", algorithm);
    snprintf(dir, sizeof dir, "fault_alb_gray.%s.out", algorithm);
    const char *sets[] = {set, NULL};
    struct check_scenario cs;
    CHECK_EQ_INT(check_load(&cs, scenario, sets), 0);
    struct run_result res;
    CHECK_EQ_INT(check_run_to(&cs, dir, &res), 0);
    CHECK(run_result_get(&res, "errors") == 0, "%s: no request fails", algorithm);
    *p99 = run_result_get(&res, "latency_p99_ms");
    run_result_release(&res);
    struct check_table ts, fc, ev;
    check_table_load(&fc, dir, "faults.csv");
    bool taken = strcmp(check_cell(&fc, 0, check_col(&fc, "struck")), "0") != 0;
    check_table_free(&fc);
    if (!taken) {
        check_unload(&cs);
        return -1;
    }
    check_table_load(&ev, dir, "events.csv");
    CHECK(ev_find(&ev, 0, "lb", "target_health", NULL) < 0, "%s: it stays healthy", algorithm);
    check_table_free(&ev);
    check_table_load(&ts, dir, "timeseries.csv");
    int c_t = check_col(&ts, "t_s"), c_a = check_col(&ts, "web-a.requests_rps"),
        c_bc = check_col(&ts, "web-bc.requests_rps");
    double a = 0, all = 0;
    for (uint32_t r = 0; r < ts.nrows; r++) {
        double t = check_num(&ts, r, c_t);
        if (t > 610 && t <= 1200) {
            a += check_num(&ts, r, c_a);
            all += check_num(&ts, r, c_a) + check_num(&ts, r, c_bc);
        }
    }
    check_table_free(&ts);
    check_unload(&cs);
    return a / all;
}

int main(void)
{
    double p99_rr, p99_lor;
    double rr = share("round_robin", &p99_rr);
    if (rr < 0) {
        printf("the fleet does not take gray failures yet: skipped\n");
        return 77;
    }
    double lor = share("least_outstanding_requests", &p99_lor);
    printf("slowed 5 times: round robin gives it %.3f of the requests (p99 %.1f ms), least "
           "outstanding requests %.3f (p99 %.1f ms)\n",
           rr, p99_rr, lor, p99_lor);
    CHECK_NEAR(rr, 1.0 / 3, 0.02); /* the ALB keeps routing to it */
    CHECK(lor > 0.02 && lor < 0.8 * rr, "least outstanding requests: %.3f against %.3f", lor, rr);
    CHECK(p99_lor < p99_rr, "p99 %.1f ms against %.1f ms", p99_lor, p99_rr);
    return check_done();
}
