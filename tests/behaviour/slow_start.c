/* slow_start.c — slow start (ALB-12): a target that turns healthy beside a healthy target
 * receives a linearly increasing share of requests over the slow-start duration; the first
 * target of an empty group does not ramp.
 *
 * Set-up: a target group of two groups of one instance each, round robin, slow start 300 s:
 * "old" is in service from the start; "new" starts empty and a scheduled action gives it one
 * instance at t = 60 s. When it turns healthy at t_h its weight is (t - t_h) / 300, so its
 * share of requests is w / (1 + w): 1/5 a quarter of the way into the ramp (w = 1/4), 1/3
 * halfway, 3/7 three quarters in, 1/2 after. The shares are measured over 10-second rows
 * around those instants at 2,000 rps (~20,000 requests a row: sampling error well under the
 * 2-point tolerance; the 10 s window itself moves w by 1/30, a share by ~1.5 points). */
#include "events.h"

static const char *scenario =
    "{ \"name\": \"slow\", \"seed\": 12, \"duration\": \"15m\", \"interval\": \"10s\","
    "  \"workload\": { \"entry\": \"lb\", \"rate\": 2000 },"
    "  \"components\": {"
    "    \"lb\": { \"type\": \"alb\", \"targets\": [\"old\", \"new\"], \"slow_start\": 300,"
    "              \"latency\": 0 },"
    "    \"old\": { \"type\": \"fleet\", \"instance\": { \"vcpus\": 16 },"
    "      \"asg\": { \"min_size\": 1, \"max_size\": 1 },"
    "      \"handlers\": { \"default\": [ { \"cpu\": 0.001 } ] } },"
    "    \"new\": { \"type\": \"fleet\", \"instance\": { \"vcpus\": 16 },"
    "      \"asg\": { \"min_size\": 0, \"max_size\": 1, \"desired_capacity\": 0,"
    "        \"scheduled_actions\": [ { \"scheduled_action_name\": \"add\", \"start_time\": 60,"
    "          \"desired_capacity\": 1, \"delay\": 0 } ] },"
    "      \"handlers\": { \"default\": [ { \"cpu\": 0.001 } ] } } } }";

int main(void)
{
    struct check_scenario cs;
    CHECK_EQ_INT(check_load(&cs, scenario, NULL), 0);
    struct run_result res;
    CHECK_EQ_INT(check_run_to(&cs, "slow.out", &res), 0);
    run_result_release(&res);
    struct check_table ev, ts;
    check_table_load(&ev, "slow.out", "events.csv");
    check_table_load(&ts, "slow.out", "timeseries.csv");
    int h = ev_find(&ev, 0, "lb", "target_health", "new/i-1 initial -> healthy");
    double t_h = ev_time(&ev, h);
    CHECK(h >= 0, "the new target turned healthy");
    int c_t = check_col(&ts, "t_s"), c_old = check_col(&ts, "old.requests_rps"),
        c_new = check_col(&ts, "new.requests_rps");
    const double at[] = {75, 150, 225, 360}; /* s into the ramp: w = 1/4, 1/2, 3/4, 1 (over) */
    for (size_t k = 0; k < sizeof at / sizeof at[0]; k++) {
        /* the row whose window [t - 10, t) is centred on t_h + at[k] */
        double best = -1, share = TS_NAN;
        for (uint32_t r = 0; r < ts.nrows; r++) {
            double mid = check_num(&ts, r, c_t) - 5;
            if (best < 0 || fabs(mid - (t_h + at[k])) < best) {
                best = fabs(mid - (t_h + at[k]));
                double o = check_num(&ts, r, c_old), n = check_num(&ts, r, c_new);
                share = n / (o + n);
                double w = (mid - t_h) / 300 > 1 ? 1 : (mid - t_h) / 300;
                CHECK(best > 5 || fabs(share - w / (1 + w)) < 0.02 || 0, "%s", "");
            }
        }
        double w = at[k] / 300 > 1 ? 1 : at[k] / 300;
        printf("%3.0f s into slow start: share %.3f, linear weight gives %.3f\n", at[k], share,
               w / (1 + w));
        CHECK_NEAR(share, w / (1 + w), 0.02);
    }
    check_table_free(&ev);
    check_table_free(&ts);
    check_unload(&cs);
    return check_done();
}
