/* fail_open.c — when every target is unhealthy, the ALB routes to all of them (ALB-9), and
 * back to healthy ones only when one passes again.
 *
 * Set-up: two instances with one worker slot and no backlog, 95 % busy: a health check that
 * finds the slot taken is refused (503), so checks fail often and both targets soon fail two
 * in a row. The ALB must log fail_open and keep sending requests (some succeed) while no
 * target is healthy. */
#include "events.h"

static const char *scenario =
    "{ \"name\": \"fo\", \"seed\": 4, \"duration\": \"30m\", \"interval\": \"10s\","
    "  \"workload\": { \"entry\": \"lb\", \"rate\": 95 },"
    "  \"components\": {"
    "    \"lb\": { \"type\": \"alb\", \"targets\": \"web\", \"latency\": 0 },"
    "    \"web\": { \"type\": \"fleet\", \"instance\": { \"vcpus\": 1, \"workers\": 1, \"backlog\": 0 },"
    "      \"asg\": { \"min_size\": 2, \"max_size\": 2 },"
    "      \"handlers\": { \"default\": [ { \"cpu\": { \"dist\": \"exp\", \"mean\": \"20ms\" } } ] } } } }";

int main(void)
{
    struct check_scenario cs;
    CHECK_EQ_INT(check_load(&cs, scenario, NULL), 0);
    struct run_result res;
    CHECK_EQ_INT(check_run_to(&cs, "fail_open.out", &res), 0);
    CHECK(run_result_get(&res, "ok") > 0, "requests succeed");
    run_result_release(&res);
    struct check_table ev, ts;
    check_table_load(&ev, "fail_open.out", "events.csv");
    check_table_load(&ts, "fail_open.out", "timeseries.csv");
    int open = ev_find(&ev, 0, "lb", "fail_open", NULL);
    CHECK(open >= 0, "the ALB failed open");
    double t_open = ev_time(&ev, open);
    int end = ev_find(&ev, t_open, "lb", "fail_open_end", NULL);
    double t_end = end >= 0 ? ev_time(&ev, end) : 1800;
    /* while open: no healthy target, and requests still routed and served */
    int c_t = check_col(&ts, "t_s"), c_h = check_col(&ts, "lb.healthy"),
        c_ok = check_col(&ts, "ok_rps"), c_503 = check_col(&ts, "lb.errors_503_rps"),
        c_req = check_col(&ts, "lb.requests_rps");
    int rows = 0;
    for (uint32_t r = 0; r < ts.nrows; r++) {
        double t = check_num(&ts, r, c_t);
        if (t - 10 < t_open || t > t_end)
            continue;
        rows++;
        CHECK(check_num(&ts, r, c_h) == 0, "t=%.0f: no healthy target while open", t);
        CHECK(check_num(&ts, r, c_ok) > 0, "t=%.0f: requests served while failing open", t);
        CHECK(check_num(&ts, r, c_503) < check_num(&ts, r, c_req), "t=%.0f: not all refused", t);
    }
    CHECK(rows > 0, "rows while failing open");
    printf("fail-open at %.0f s, back to healthy targets at %.0f s: %d rows checked\n", t_open,
           t_end, rows);
    check_table_free(&ev);
    check_table_free(&ts);
    check_unload(&cs);
    return check_done();
}
