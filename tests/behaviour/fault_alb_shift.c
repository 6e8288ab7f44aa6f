/* fault_alb_shift.c — a zonal shift (ALB-18): from its start no new request reaches the
 * shifted AZ's targets while those in progress there finish, nothing fails, and traffic
 * returns when it ends.
 *
 * Set-up: one ALB whose target group holds two fleets, web-ac in us-east-1a and -1c and
 * web-b in us-east-1b, so that web-b.requests_rps is what reaches the shifted AZ's targets.
 * Each request holds its worker for about 1 s (a delay step), so about 100 are in progress
 * on web-b when the shift starts at 600 s; it ends at 1200 s. */
#include "events.h"

static const char *scenario =
    "{ \"name\": \"shift\", \"seed\": 7, \"duration\": \"25m\", \"interval\": \"10s\","
    "  \"azs\": [\"us-east-1a\", \"us-east-1b\", \"us-east-1c\"],"
    "  \"workload\": { \"entry\": \"lb\", \"rate\": 300 },"
    "  \"components\": {"
    "    \"lb\": { \"type\": \"alb\", \"targets\": [\"web-ac\", \"web-b\"], \"latency\": 0 },"
    "    \"web-ac\": { \"type\": \"fleet\", \"instance\": { \"vcpus\": 2 },"
    "      \"asg\": { \"min_size\": 4, \"max_size\": 4,"
    "                 \"availability_zones\": [\"us-east-1a\", \"us-east-1c\"] },"
    "      \"handlers\": { \"default\": [ { \"cpu\": { \"dist\": \"exp\", \"mean\": \"20ms\" } },"
    "                                   { \"delay\": \"1s\" } ] } },"
    "    \"web-b\": { \"type\": \"fleet\", \"instance\": { \"vcpus\": 2 },"
    "      \"asg\": { \"min_size\": 2, \"max_size\": 2, \"availability_zones\": [\"us-east-1b\"] },"
    "      \"handlers\": { \"default\": [ { \"cpu\": { \"dist\": \"exp\", \"mean\": \"20ms\" } },"
    "                                   { \"delay\": \"1s\" } ] } } },"
    "  \"faults\": [ { \"type\": \"zonal_shift\", \"at\": \"10m\", \"target\": \"lb\","
    "                  \"az\": \"us-east-1b\", \"duration\": \"10m\" } ] }";

int main(void)
{
    struct check_scenario cs;
    CHECK_EQ_INT(check_load(&cs, scenario, NULL), 0);
    struct run_result res;
    CHECK_EQ_INT(check_run_to(&cs, "fault_alb_shift.out", &res), 0);
    CHECK(run_result_get(&res, "requests") > 400000, "requests ran");
    CHECK_EQ_INT(run_result_get(&res, "errors"), 0); /* a shift costs no request */
    run_result_release(&res);

    struct check_table ev, ts, fc;
    check_table_load(&ev, "fault_alb_shift.out", "events.csv");
    check_table_load(&ts, "fault_alb_shift.out", "timeseries.csv");
    check_table_load(&fc, "fault_alb_shift.out", "faults.csv");
    int start = ev_find(&ev, 0, "lb", "zonal_shift_start",
                        "us-east-1b: node out of DNS (clients leave it over the 60 s TTL), no "
                        "new request to its 2 targets");
    int end = ev_find(&ev, 0, "lb", "zonal_shift_end", "(fault 1 zonal_shift lb us-east-1b)");
    CHECK(start >= 0 && ev_time(&ev, start) == 600, "the shift starts at 600 s");
    CHECK(start >= 0 && strstr(ev_detail(&ev, start), "(fault 1 zonal_shift lb us-east-1b)"),
          "with its cause");
    CHECK(end >= 0 && ev_time(&ev, end) == 1200, "and ends at 1200 s");
    CHECK_STR(check_cell(&fc, 0, check_col(&fc, "struck")), "3"); /* its node, 2 targets */

    int c_t = check_col(&ts, "t_s"), c_b = check_col(&ts, "web-b.requests_rps"),
        c_busy = check_col(&ts, "web-b.busy_workers"), c_ac = check_col(&ts, "web-ac.requests_rps"),
        c_err = check_col(&ts, "error_rps");
    double busy_at_start = 0, left_after = -1, back = 0;
    int during = 0;
    for (uint32_t r = 0; r < ts.nrows; r++) {
        double t = check_num(&ts, r, c_t); /* the row covers (t - 10, t] */
        double b = check_num(&ts, r, c_b);
        CHECK(check_num(&ts, r, c_err) == 0, "t=%.0f: no error", t);
        if (t == 600)
            busy_at_start = check_num(&ts, r, c_busy);
        if (t > 600 && t <= 1200) {
            during++;
            CHECK(b == 0, "t=%.0f: %.1f rps reached the shifted AZ's targets", t, b);
            CHECK(check_num(&ts, r, c_ac) > 270, "t=%.0f: the others take it all", t);
        }
        if (t == 610)
            left_after = check_num(&ts, r, c_busy); /* the work in progress, finishing */
        if (t == 1210)
            back = b;
    }
    CHECK(during == 60, "%d rows during the shift", during);
    /* about 100 in progress at the start; they finish within their ~1 s, in the first row */
    CHECK(busy_at_start > 80, "%.1f busy workers on web-b before the shift", busy_at_start);
    CHECK(left_after > 0 && left_after < 10, "t=610: %.2f on average, finishing", left_after);
    /* cross-zone on: the targets get new requests again at once, a third of them */
    CHECK(back > 80 && back < 120, "t=1210: %.1f rps to web-b again", back);
    printf("zonal shift 600-1200 s: web-b busy %.1f before, %.2f in the first 10 s, 0 after; "
           "%d rows with nothing reaching it; %.1f rps back in the first 10 s after\n",
           busy_at_start, left_after, during, back);
    check_table_free(&ev);
    check_table_free(&ts);
    check_table_free(&fc);
    check_unload(&cs);
    return check_done();
}
