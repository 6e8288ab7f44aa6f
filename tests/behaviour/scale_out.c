/* scale_out.c — after a load step, the first new instance serves no earlier than the chain
 * of reference/aws-behavior.md §12b: three breaching one-minute datapoints (TT-8), their
 * publication delay (CW-6, CW-7), the alarm's next evaluation (CW-4), the instance's boot and
 * bootstrap (EC2-1..5), and its initial health checks (ALB-6, ALB-8).
 *
 * Set-up: two 2-vCPU instances at 12.5 % CPU, then at t = 600 s the load rises to 87.5 % of
 * their capacity: above the target, below saturation, so the old instances keep passing
 * their own health checks. Target tracking at 70 %; publication delay 90 s; health checks every 30 s,
 * 5 to pass. Each step of the chain is checked from events.csv against its own rule, so a
 * model that skipped one (launched on the first breaching datapoint, served before the
 * checks passed) fails here. */
#include "events.h"

#include <stdlib.h>
#include <string.h>

static const char *scenario =
    "{ \"name\": \"scale-out\", \"seed\": 3, \"duration\": \"40m\", \"interval\": \"10s\","
    "  \"azs\": [\"a\", \"b\"],"
    "  \"workload\": { \"entry\": \"lb\", \"rate\": { \"shape\": \"piecewise\","
    "      \"points\": [[0, 100], [599.999, 100], [600, 700], [\"40m\", 700]] } },"
    "  \"components\": {"
    "    \"lb\": { \"type\": \"alb\", \"targets\": \"web\", \"latency\": 0 },"
    "    \"web\": { \"type\": \"fleet\","
    "      \"instance\": { \"vcpus\": 2, \"workers\": 400, \"backlog\": 4000 },"
    "      \"asg\": { \"min_size\": 1, \"max_size\": 10, \"desired_capacity\": 2,"
    "        \"scaling_policies\": [ { \"policy_name\": \"cpu70\","
    "          \"policy_type\": \"TargetTrackingScaling\","
    "          \"target_tracking_configuration\": { \"target_value\": 70,"
    "            \"predefined_metric_specification\": {"
    "              \"predefined_metric_type\": \"ASGAverageCPUUtilization\" } } } ] },"
    "      \"handlers\": { \"default\": [ { \"cpu\": { \"dist\": \"exp\", \"mean\": \"5ms\" } } ] } } } }";

int main(void)
{
    struct check_scenario cs;
    CHECK_EQ_INT(check_load(&cs, scenario, NULL), 0);
    struct run_result res;
    CHECK_EQ_INT(check_run_to(&cs, "scale_out.out", &res), 0);
    run_result_release(&res);
    struct check_table ev, ts;
    check_table_load(&ev, "scale_out.out", "events.csv");
    check_table_load(&ts, "scale_out.out", "timeseries.csv");

    const double step = 600, period = 60, delay = 90, interval = 30;
    int alarm = ev_find(&ev, step, "web", "alarm", "cpu70-AlarmHigh OK -> ALARM");
    CHECK(alarm >= 0, "AlarmHigh went to ALARM after the step");
    double t_alarm = ev_time(&ev, alarm);
    /* the third breaching datapoint covers [step + 120, step + 180) and is visible 90 s after
     * its end; the alarm is evaluated at the next whole minute */
    double earliest = step + 3 * period + delay;
    CHECK(t_alarm >= earliest && t_alarm < earliest + 60,
          "AlarmHigh at %.0f s: expected in [%.0f, %.0f) (3 periods + delay + next minute)",
          t_alarm, earliest, earliest + 60);
    CHECK(strstr(ev_detail(&ev, alarm), "3 of 3 datapoints > 70") != NULL, "%s",
          ev_detail(&ev, alarm));

    int decision = ev_find(&ev, step, "web", "decision", "cpu70: AlarmHigh ALARM");
    CHECK(ev_time(&ev, decision) == t_alarm, "the policy acts in the alarm's evaluation");
    CHECK(strstr(ev_detail(&ev, decision), "desired=ceil(2*") != NULL, "%s",
          ev_detail(&ev, decision));

    int launch = ev_find(&ev, step, "web", "launch", NULL);
    CHECK(ev_time(&ev, launch) == t_alarm, "the launch comes with the decision");
    char id[32] = "";
    sscanf(ev_detail(&ev, launch), "%31s", id); /* "i-3" */
    char needle[64];
    snprintf(needle, sizeof needle, "%s in ", id);
    int in_service = ev_find(&ev, step, "web", "in_service", needle);
    double t_is = ev_time(&ev, in_service);
    /* boot (lognormal, median 30 s) + bootstrap 60 s */
    CHECK(t_is - t_alarm >= 60 + 10, "in service %.1f s after launch: boot + 60 s bootstrap",
          t_is - t_alarm);

    snprintf(needle, sizeof needle, "web/%s initial -> healthy", id);
    int healthy = ev_find(&ev, t_is, "lb", "target_health", needle);
    double t_h = ev_time(&ev, healthy);
    /* five passing checks, the first at registration, 30 s apart */
    CHECK(t_h - t_is >= 4 * interval, "healthy %.1f s after in service: 5 checks 30 s apart",
          t_h - t_is);
    CHECK(t_h >= step + 3 * period + delay + 60 + 4 * interval,
          "first new capacity serving at %.0f s, %.0f s after the step", t_h, t_h - step);

    /* while it goes through its checks, it is "initial" and the ALB routes to the two old
     * instances only: the group receives every request, its CPU is the old ones' */
    int c_healthy = check_col(&ts, "lb.healthy"), c_initial = check_col(&ts, "lb.initial"),
        c_t = check_col(&ts, "t_s");
    int rows = 0;
    for (uint32_t r = 0; r < ts.nrows; r++) {
        double t = check_num(&ts, r, c_t);
        if (t > t_is && t < t_h) {
            rows++;
            CHECK(check_num(&ts, r, c_healthy) == 2 && check_num(&ts, r, c_initial) == 1,
                  "t=%.0f: %g healthy, %g initial", t, check_num(&ts, r, c_healthy),
                  check_num(&ts, r, c_initial));
        }
    }
    CHECK(rows >= 10, "%d rows between in service and healthy", rows);
    printf("step at %.0f s: AlarmHigh at %.0f s, launch %s, in service at %.1f s, healthy at "
           "%.1f s (%.0f s after the step)\n",
           step, t_alarm, id, t_is, t_h, t_h - step);
    check_table_free(&ev);
    check_table_free(&ts);
    check_unload(&cs);
    return check_done();
}
