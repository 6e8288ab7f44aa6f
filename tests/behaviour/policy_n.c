/* policy_n.c — what target tracking's N counts, and what the decision log says when one policy
 * holds another back.
 *
 * 1. A target in an AZ where the ALB has no node is "unused" (ALB-1): it gets nothing and
 *    counts neither in <alb>.healthy nor in RequestCountPerTarget's divisor, so a
 *    per-target policy's N is the targets that serve ("targets measured=2" of 4).
 * 2. A policy on another group's metric takes N from this group ("ready=", TT-1): the other
 *    group's instances are not this group's capacity.
 * 3. A step policy that holds (a 0 step) outweighs a target tracking scale-in (TT-17): the
 *    group stays, and says so once in a "desired stays" row, not every minute. */
#include "events.h"

#include <stdlib.h>
#include <string.h>

/* Two groups. "web" (4 instances over AZs a and b) sits behind "lb", which has a node in a
 * only; it tracks 6000 requests per target per minute, and min_size keeps it at 4. "api"
 * (2 instances, no traffic) tracks web's CPU at 70 with N from itself, and its own idle CPU
 * keeps its 0-step policy in ALARM. The load is light: both target tracking policies want to
 * scale in, and the 0 step holds api. */
static const char *scenario =
    "{ \"name\": \"policy-n\", \"seed\": 3, \"duration\": \"40m\", \"interval\": \"60s\","
    "  \"azs\": [\"a\", \"b\"],"
    "  \"workload\": { \"entry\": \"lb\", \"rate\": 20 },"
    "  \"components\": {"
    "    \"lb\": { \"type\": \"alb\", \"targets\": \"web\", \"latency\": 0, \"azs\": [\"a\"] },"
    "    \"web\": { \"type\": \"fleet\", \"instance\": { \"vcpus\": 2 },"
    "      \"asg\": { \"min_size\": 4, \"max_size\": 8, \"desired_capacity\": 4,"
    "        \"scaling_policies\": [ { \"policy_name\": \"req\","
    "          \"policy_type\": \"TargetTrackingScaling\","
    "          \"target_tracking_configuration\": { \"target_value\": 6000,"
    "            \"predefined_metric_specification\": {"
    "              \"predefined_metric_type\": \"ALBRequestCountPerTarget\","
    "              \"resource_label\": \"lb\" } } } ] },"
    "      \"handlers\": { \"default\": [ { \"cpu\": \"5ms\" } ] } },"
    "    \"api\": { \"type\": \"fleet\", \"instance\": { \"vcpus\": 2 },"
    "      \"asg\": { \"min_size\": 1, \"max_size\": 8, \"desired_capacity\": 2,"
    "        \"scaling_policies\": ["
    "          { \"policy_name\": \"webcpu\", \"policy_type\": \"TargetTrackingScaling\","
    "            \"target_tracking_configuration\": { \"target_value\": 70,"
    "              \"customized_metric_specification\": { \"component\": \"web\","
    "                \"metric_name\": \"CPUUtilization\" } } },"
    "          { \"policy_name\": \"hold\", \"policy_type\": \"StepScaling\","
    "            \"adjustment_type\": \"ChangeInCapacity\","
    "            \"step_adjustments\": [ { \"metric_interval_upper_bound\": 0,"
    "              \"scaling_adjustment\": 0 } ],"
    "            \"alarm\": { \"metric_name\": \"CPUUtilization\","
    "              \"comparison_operator\": \"LessThanThreshold\", \"threshold\": 50,"
    "              \"period\": \"60s\", \"evaluation_periods\": 2 } } ] },"
    "      \"handlers\": { \"default\": [ { \"cpu\": \"2ms\" } ] } } } }";

int main(void)
{
    struct check_scenario cs;
    CHECK_EQ_INT(check_load(&cs, scenario, NULL), 0);
    struct run_result res;
    CHECK_EQ_INT(check_run_to(&cs, "policy_n.out", &res), 0);
    run_result_release(&res);
    struct check_table ev, ts;
    check_table_load(&ev, "policy_n.out", "events.csv");
    check_table_load(&ts, "policy_n.out", "timeseries.csv");

    /* 1. unused targets */
    int unused = ev_find(&ev, 0, "lb", "register", "unused");
    CHECK(unused >= 0, "a target in b is registered unused");
    int healthy = check_col(&ts, "lb.healthy");
    for (uint32_t r = 0; r < ts.nrows; r++)
        CHECK(check_num(&ts, r, healthy) == 2, "lb.healthy at %s s is %s, not 2",
              check_cell(&ts, r, 0), check_cell(&ts, r, healthy));
    int req = ev_find(&ev, 0, "web", "decision", "req: AlarmLow ALARM");
    CHECK(req >= 0 && strstr(ev_detail(&ev, req), "targets measured=2 ") != NULL, "%s",
          req >= 0 ? ev_detail(&ev, req) : "no AlarmLow decision for req");

    /* 2. another group's metric: N is this group's capacity */
    int cpu = ev_find(&ev, 0, "api", "decision", "webcpu: AlarmLow ALARM");
    CHECK(cpu >= 0 && strstr(ev_detail(&ev, cpu), " ready=2 ") != NULL, "%s",
          cpu >= 0 ? ev_detail(&ev, cpu) : "no AlarmLow decision for webcpu");

    /* 3. the 0 step holds api at 2, and the group says so once */
    int stays = 0, shrinks = 0;
    for (uint32_t r = 0; r < ev.nrows; r++) {
        if (strcmp(check_cell(&ev, r, 1), "api") != 0)
            continue;
        const char *kind = check_cell(&ev, r, 2), *detail = check_cell(&ev, r, 3);
        stays += strcmp(kind, "decision") == 0 && strncmp(detail, "desired stays 2: ", 17) == 0;
        shrinks += strcmp(kind, "desired") == 0;
    }
    CHECK(shrinks == 0, "api's desired changed %d times; the 0 step holds it", shrinks);
    CHECK(stays == 1, "\"desired stays 2\" logged %d times, not once", stays);
    int webcpu_rounds = 0;
    for (int r = cpu; r >= 0 && (uint32_t)r < ev.nrows; r++)
        webcpu_rounds += strcmp(check_cell(&ev, (uint32_t)r, 1), "api") == 0 &&
                         strncmp(check_cell(&ev, (uint32_t)r, 3), "webcpu: AlarmLow", 16) == 0;
    CHECK(webcpu_rounds >= 5, "webcpu asked to scale in %d times (the hold lasts)", webcpu_rounds);
    printf("unused: %s; req: %s; webcpu: %s; held %d rounds, logged once\n", ev_detail(&ev, unused),
           ev_detail(&ev, req), ev_detail(&ev, cpu), webcpu_rounds);
    check_table_free(&ts);
    check_table_free(&ev);
    check_unload(&cs);
    return check_done();
}
