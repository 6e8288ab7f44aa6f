/* fault_alb_node.c — an AZ outage takes the ALB's node in that AZ (AZ-2, AZ-6): requests in
 * flight through it fail at once; ELB takes it out of DNS 30 s later, and the share of new
 * requests that still reach it, failing as a connection timeout 10 s after they were sent,
 * falls linearly to 0 over the 60 s DNS TTL as clients' cached answers expire (ALB-2).
 * When the AZ is back, so is the node, with no more failures.
 *
 * Set-up: three AZs, a node and two instances in each, 300 rps, one attempt per request
 * and no client timeout, so every failure of the node is one `timeout` counted when it
 * ends: a request sent in (t - 20, t - 10] ends in the row of t. The instances in the lost
 * AZ fail too (through their fleet: 502s and 504s), but never as timeouts. */
#include "events.h"

static const char *scenario =
    "{ \"name\": \"node\", \"seed\": 8, \"duration\": \"25m\", \"interval\": \"10s\","
    "  \"azs\": [\"us-east-1a\", \"us-east-1b\", \"us-east-1c\"],"
    "  \"workload\": { \"entry\": \"lb\", \"rate\": 300 },"
    "  \"components\": {"
    "    \"lb\": { \"type\": \"alb\", \"targets\": \"web\", \"latency\": 0 },"
    "    \"web\": { \"type\": \"fleet\", \"instance\": { \"vcpus\": 2 },"
    "      \"asg\": { \"min_size\": 6, \"max_size\": 6 },"
    "      \"handlers\": { \"default\": [ { \"cpu\": { \"dist\": \"exp\", \"mean\": \"10ms\" } },"
    "                                   { \"delay\": \"1s\" } ] } } },"
    "  \"faults\": [ { \"type\": \"az_outage\", \"at\": \"10m\", \"az\": \"us-east-1a\","
    "                  \"duration\": \"10m\" } ] }";

/* The expected share of requests sent at t that reach the dead node. */
static double share(double t)
{
    if (t < 600)
        return 0;
    if (t < 630)
        return 1.0 / 3;
    if (t < 690)
        return (1.0 / 3) * (1 - (t - 630) / 60);
    return 0;
}

int main(void)
{
    struct check_scenario cs;
    CHECK_EQ_INT(check_load(&cs, scenario, NULL), 0);
    struct run_result res;
    CHECK_EQ_INT(check_run_to(&cs, "fault_alb_node.out", &res), 0);
    double timeouts = run_result_get(&res, "errors_timeout");
    run_result_release(&res);

    struct check_table ev, ts;
    check_table_load(&ev, "fault_alb_node.out", "events.csv");
    check_table_load(&ts, "fault_alb_node.out", "timeseries.csv");
    const char *cause = "(fault 1 az_outage us-east-1a)";
    int down = ev_find(&ev, 0, "lb", "node_down", cause);
    int out = ev_find(&ev, 0, "lb", "node_out_of_dns", cause);
    int up = ev_find(&ev, 0, "lb", "node_up", cause);
    CHECK(down >= 0 && ev_time(&ev, down) == 600, "the node dies with its AZ");
    CHECK(out >= 0 && ev_time(&ev, out) == 630, "out of DNS 30 s later");
    CHECK(up >= 0 && ev_time(&ev, up) == 1200, "back with its AZ");
    unsigned lost = 0;
    if (down >= 0)
        sscanf(strstr(ev_detail(&ev, down), "answering; "), "answering; %u", &lost);
    /* about 300 rps x 1 s / 3 in flight through it */
    CHECK(lost > 70 && lost < 130, "%u requests in flight through it lost", lost);

    int c_t = check_col(&ts, "t_s"), c_to = check_col(&ts, "errors_timeout_rps"),
        c_fl = check_col(&ts, "in_flight");
    double fl_before = 0, fl_end = check_num(&ts, ts.nrows - 1, c_fl);
    double expected = lost, at_once = 0;
    printf("share of requests failing as timeouts, by 10 s of send time from 600 s:");
    for (uint32_t r = 0; r < ts.nrows; r++) {
        double t = check_num(&ts, r, c_t);
        double got = check_num(&ts, r, c_to) * 10;
        if (t == 590)
            fl_before = check_num(&ts, r, c_fl);
        double want = 300 * 10 * share(t - 15); /* sent in (t - 20, t - 10] */
        if (t == 600 || t == 610) {
            /* the ones in flight, lost at once: in the row that holds 600 s exactly */
            at_once += got;
            continue;
        }
        if (t >= 620 && t <= 720)
            printf(" %.3f", got / 3000);
        /* 3,000 requests a row: a binomial's sd is under 26; 4 sd, and the rate's own */
        CHECK(fabs(got - want) <= 150, "t=%.0f: %.0f timeouts, expected %.0f", t, got, want);
        if (want == 0)
            CHECK(got == 0, "t=%.0f: no timeout", t);
        expected += want;
    }
    CHECK(at_once == lost, "the %u in flight end at 600 s: %.0f", lost, at_once);
    /* every request ended once: as many in flight at the end as before the fault */
    CHECK(fabs(fl_end - fl_before) < 60, "in flight: %.1f before, %.1f at the end", fl_before,
          fl_end);
    printf("\n%.0f timeouts in all, about %.0f expected\n", timeouts, expected);
    CHECK(fabs(timeouts - expected) < 0.05 * expected, "timeouts %.0f", timeouts);
    check_table_free(&ev);
    check_table_free(&ts);
    check_unload(&cs);
    return check_done();
}
