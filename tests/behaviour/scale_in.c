/* scale_in.c — target tracking scales in no earlier than 15 one-minute datapoints below
 * 0.7 x target plus their publication delay (TT-8, TT-10, CW-6), and never while an instance
 * is pending or warming up (ASG-21).
 *
 * Set-up: six instances at 80 % of target; at t = 1200 s the load drops to a fifth. A
 * scheduled action launches one more instance 14 minutes after the drop, so it is warming
 * when AlarmLow first fires: the scale-in must wait for its warm-up to end. Then every
 * decrease of desired capacity in the run is checked against every instance's warm-up. */
#include "events.h"

#include <stdlib.h>
#include <string.h>

static const char *scenario =
    "{ \"name\": \"scale-in\", \"seed\": 5, \"duration\": \"90m\", \"interval\": \"60s\","
    "  \"azs\": [\"a\", \"b\"],"
    "  \"workload\": { \"entry\": \"lb\", \"rate\": { \"shape\": \"piecewise\","
    "      \"points\": [[0, 1344], [1199.999, 1344], [1200, 268.8], [\"90m\", 268.8]] } },"
    "  \"components\": {"
    "    \"lb\": { \"type\": \"alb\", \"targets\": \"web\", \"latency\": 0 },"
    "    \"web\": { \"type\": \"fleet\","
    "      \"instance\": { \"vcpus\": 2, \"workers\": 400, \"backlog\": 4000 },"
    "      \"asg\": { \"min_size\": 1, \"max_size\": 10, \"desired_capacity\": 6,"
    "        \"scaling_policies\": [ { \"policy_name\": \"cpu70\","
    "          \"policy_type\": \"TargetTrackingScaling\","
    "          \"target_tracking_configuration\": { \"target_value\": 70,"
    "            \"predefined_metric_specification\": {"
    "              \"predefined_metric_type\": \"ASGAverageCPUUtilization\" } } } ],"
    "        \"scheduled_actions\": [ { \"scheduled_action_name\": \"one-more\","
    "          \"start_time\": \"34m\", \"desired_capacity\": 7, \"delay\": 0 } ] },"
    "      \"handlers\": { \"default\": [ { \"cpu\": { \"dist\": \"exp\", \"mean\": \"5ms\" } } ] } } } }";

int main(void)
{
    struct check_scenario cs;
    CHECK_EQ_INT(check_load(&cs, scenario, NULL), 0);
    struct run_result res;
    CHECK_EQ_INT(check_run_to(&cs, "scale_in.out", &res), 0);
    run_result_release(&res);
    struct check_table ev;
    check_table_load(&ev, "scale_in.out", "events.csv");

    const double drop = 1200, period = 60, delay = 90;
    int low = ev_find(&ev, drop, "web", "alarm", "cpu70-AlarmLow OK -> ALARM");
    double t_low = ev_time(&ev, low);
    CHECK(t_low >= drop + 15 * period + delay,
          "AlarmLow at %.0f s: no earlier than 15 periods + delay after the drop (%.0f s)", t_low,
          drop + 15 * period + delay);
    CHECK(strstr(ev_detail(&ev, low), "15 of 15 datapoints < 49") != NULL, "%s",
          ev_detail(&ev, low));
    int blocked = ev_find(&ev, t_low, "web", "decision", "scale-in blocked");
    CHECK(ev_time(&ev, blocked) == t_low, "the scheduled instance blocks the first scale-in");

    /* warm-up windows of every instance, from its in_service and warm events */
    double in_at[64], warm_at[64];
    for (int i = 0; i < 64; i++)
        in_at[i] = warm_at[i] = -1;
    for (uint32_t r = 0; r < ev.nrows; r++) {
        int id;
        const char *kind = check_cell(&ev, r, 2), *detail = check_cell(&ev, r, 3);
        if (sscanf(detail, "i-%d", &id) != 1 || id <= 0 || id >= 64)
            continue;
        if (strcmp(kind, "in_service") == 0 && !strstr(detail, "initial capacity"))
            in_at[id] = check_num(&ev, r, 0);
        else if (strcmp(kind, "warm") == 0)
            warm_at[id] = check_num(&ev, r, 0);
    }
    int decreases = 0;
    for (uint32_t r = 0; r < ev.nrows; r++) {
        unsigned from, to;
        if (strcmp(check_cell(&ev, r, 2), "desired") != 0 ||
            sscanf(check_cell(&ev, r, 3), "%u -> %u", &from, &to) != 2 || to >= from)
            continue;
        decreases++;
        double t = check_num(&ev, r, 0);
        for (int id = 1; id < 64; id++)
            if (in_at[id] >= 0 && in_at[id] <= t)
                CHECK(warm_at[id] >= 0 && warm_at[id] <= t,
                      "desired %u -> %u at %.0f s while i-%d warms (in service %.0f, warm %.0f)",
                      from, to, t, id, in_at[id], warm_at[id]);
    }
    CHECK(decreases >= 1, "the group scaled in");
    int first_in = ev_find(&ev, drop, "web", "desired", NULL);
    while (first_in >= 0) {
        unsigned from, to;
        sscanf(ev_detail(&ev, first_in), "%u -> %u", &from, &to);
        if (to < from)
            break;
        first_in = ev_find(&ev, ev_time(&ev, first_in) + 1e-6, "web", "desired", NULL);
    }
    printf("load drop at %.0f s: AlarmLow at %.0f s, blocked by a warming instance, first "
           "scale-in at %.0f s (%s)\n",
           drop, t_low, ev_time(&ev, first_in), ev_detail(&ev, first_in));
    check_table_free(&ev);
    check_unload(&cs);
    return check_done();
}
