/* fault_alb_down.c — a target that loses power (an instance failure): the requests it held
 * come back 502; the ALB cannot connect to it, so the requests it routes there get 504 after
 * the 10 s connect timeout (ALB-14, ALB-15) and never reach it; its health checks time out
 * and it turns unhealthy after 2 checks (ALB-6, ALB-7: 35-65 s with the defaults, which
 * unit_alb checks; 15-25 s with the 10 s interval here); then it gets no more traffic.
 *
 * Set-up: one ALB over two fleets, web-a (one instance, the one that fails at 600 s) and
 * web-bc (two), round robin, 60 rps, requests of about 1 s. Health checks every 10 s, so
 * that the ALB takes the target out before the group's EC2 check replaces the instance.
 * Needs the fleet's side of faults (`down`): without it the test is skipped. */
#include "events.h"

static const char *scenario =
    "{ \"name\": \"down\", \"seed\": 9, \"duration\": \"18m\", \"interval\": \"10s\","
    "  \"azs\": [\"us-east-1a\", \"us-east-1b\", \"us-east-1c\"],"
    "  \"workload\": { \"entry\": \"lb\", \"rate\": 60 },"
    "  \"components\": {"
    "    \"lb\": { \"type\": \"alb\", \"targets\": [\"web-a\", \"web-bc\"], \"latency\": 0,"
    "              \"health_check\": { \"interval\": \"10s\" } },"
    "    \"web-a\": { \"type\": \"fleet\", \"instance\": { \"vcpus\": 2 },"
    "      \"asg\": { \"min_size\": 1, \"max_size\": 1, \"availability_zones\": [\"us-east-1a\"] },"
    "      \"handlers\": { \"default\": [ { \"cpu\": { \"dist\": \"exp\", \"mean\": \"10ms\" } },"
    "                                   { \"delay\": \"1s\" } ] } },"
    "    \"web-bc\": { \"type\": \"fleet\", \"instance\": { \"vcpus\": 2 },"
    "      \"asg\": { \"min_size\": 2, \"max_size\": 2,"
    "                 \"availability_zones\": [\"us-east-1b\", \"us-east-1c\"] },"
    "      \"handlers\": { \"default\": [ { \"cpu\": { \"dist\": \"exp\", \"mean\": \"10ms\" } },"
    "                                   { \"delay\": \"1s\" } ] } } },"
    "  \"faults\": [ { \"type\": \"instance_failure\", \"at\": \"10m\", \"target\": \"web-a\","
    "                  \"count\": 1 } ] }";

int main(void)
{
    struct check_scenario cs;
    CHECK_EQ_INT(check_load(&cs, scenario, NULL), 0);
    struct run_result res;
    CHECK_EQ_INT(check_run_to(&cs, "fault_alb_down.out", &res), 0);
    double e502 = run_result_get(&res, "errors_502"), e503 = run_result_get(&res, "errors_503"),
           e504 = run_result_get(&res, "errors_504"),
           tmo = run_result_get(&res, "errors_timeout");
    run_result_release(&res);
    struct check_table ev, ts, fc;
    check_table_load(&fc, "fault_alb_down.out", "faults.csv");
    if (strcmp(check_cell(&fc, 0, check_col(&fc, "struck")), "0") == 0) {
        printf("the fleet does not take instance failures yet: skipped\n");
        check_table_free(&fc);
        check_unload(&cs);
        return 77;
    }
    check_table_load(&ev, "fault_alb_down.out", "events.csv");
    check_table_load(&ts, "fault_alb_down.out", "timeseries.csv");

    int u = ev_find(&ev, 600, "lb", "target_health",
                    "web-a/i-1 healthy -> unhealthy (2 checks failed in a row, the last timed "
                    "out)");
    CHECK(u >= 0, "the target turns unhealthy");
    double t_u = u >= 0 ? ev_time(&ev, u) : 0;
    CHECK(t_u - 600 >= 15 && t_u - 600 <= 25, "unhealthy %.1f s after it lost power", t_u - 600);
    int dereg = ev_find(&ev, 0, "lb", "deregister", "web-a/i-1");
    CHECK(dereg < 0 || ev_time(&ev, dereg) > t_u, "not deregistered before");

    /* routed to it until then: a third of the requests, each a 504 10 s later */
    double want = 60.0 / 3 * (t_u - 600);
    CHECK(fabs(e504 - want) <= 4 * sqrt(want), "504s %.0f, expected about %.0f", e504, want);
    CHECK(e502 > 10 && e502 < 35, "the %.0f it held came back 502", e502);
    CHECK(e503 == 0 && tmo == 0, "no 503 (%.0f), no timeout (%.0f)", e503, tmo);
    int c_t = check_col(&ts, "t_s"), c_502 = check_col(&ts, "lb.errors_502_rps"),
        c_504 = check_col(&ts, "lb.errors_504_rps"), c_a = check_col(&ts, "web-a.requests_rps"),
        c_ok = check_col(&ts, "ok_rps");
    double last504 = 0;
    for (uint32_t r = 0; r < ts.nrows; r++) {
        double t = check_num(&ts, r, c_t); /* the row covers (t - 10, t] */
        if (t > 610) /* nothing reaches it: no 502 after the ones it held */
            CHECK(check_num(&ts, r, c_502) == 0, "t=%.0f: a 502", t);
        if (t > 610 && t <= 700) /* (a replacement may serve later) */
            CHECK(check_num(&ts, r, c_a) == 0, "t=%.0f: a request reached it", t);
        if (check_num(&ts, r, c_504) > 0)
            last504 = t;
        if (t > t_u + 20) /* the last 504s are 10 s after the last requests routed there */
            CHECK(check_num(&ts, r, c_ok) > 50, "t=%.0f: the others serve everything", t);
    }
    CHECK(last504 > 610 && last504 <= t_u + 20, "504s until %.0f s", last504);
    printf("lost power at 600 s: %.0f requests it held came back 502; unhealthy at %.3f s "
           "(%.1f s later); %.0f 504s until %.0f s, about %.0f expected\n",
           e502, t_u, t_u - 600, e504, last504, want);
    check_table_free(&ev);
    check_table_free(&ts);
    check_table_free(&fc);
    check_unload(&cs);
    return check_done();
}
