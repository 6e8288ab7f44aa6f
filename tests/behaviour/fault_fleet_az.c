/* fault_fleet_az.c — an AZ outage seen by the Auto Scaling group, from a whole scenario's
 * events.csv and timeseries.csv (AZ-6, AZ-1, ASG-4, ASG-5, ASG-6, ASG-7, ASG-14, ASG-17).
 *
 * Set-up: three AZs, nine instances at max (three per AZ), ELB health checks; us-east-1a
 * loses power at 10 min for 20 min, and launches there recover 10 min later (40 min).
 * From events.csv:
 * - at 600 s the three instances of us-east-1a stop, with the requests they held (502);
 * - at 660 s (the group's EC2 check, 60 s) each is terminated and replaced at once, terminate
 *   then launch: the launch into us-east-1a fails (insufficient capacity, logged) and goes
 *   into the other AZs instead (balanced-best-effort);
 * - nothing is launched into us-east-1a until its launches recover at 2400 s;
 * - then the group rebalances: it launches into us-east-1a first, and terminates in the AZ
 *   with the most only once the new instance is in service, never more than one rebalancing
 *   launch pending (max 9: an allowance of max(1, ceil(0.9)) = 1), back to three per AZ;
 * - every fleet event of the fault names it ("fault 1 az_outage us-east-1a").
 * The same with "balanced-only": the group stays at six instances until 2400 s, retrying
 * the launch every 60 s. And the run twice: identical files. */
#include "events.h"

#include <stdlib.h>
#include <string.h>

#define SCENARIO(strategy)                                                                         \
    "{ \"name\": \"azout\", \"seed\": 31, \"duration\": \"1h\", \"interval\": \"1m\","             \
    "  \"azs\": [\"us-east-1a\", \"us-east-1b\", \"us-east-1c\"],"                                 \
    "  \"workload\": { \"entry\": \"lb\", \"rate\": 30 },"                                         \
    "  \"components\": {"                                                                          \
    "    \"lb\": { \"type\": \"alb\", \"targets\": \"web\", \"latency\": 0 },"                     \
    "    \"web\": { \"type\": \"fleet\", \"instance\": { \"vcpus\": 2 },"                          \
    "      \"asg\": { \"min_size\": 9, \"max_size\": 9, \"health_check_type\": \"ELB\" " strategy  \
    " },"                                                                                          \
    "      \"handlers\": { \"default\": [ { \"delay\": 1 }, { \"cpu\": { \"dist\": \"exp\","       \
    "        \"mean\": \"100ms\" } } ] } } },"                                                     \
    "  \"faults\": [ { \"type\": \"az_outage\", \"at\": \"10m\", \"az\": \"us-east-1a\","          \
    "    \"duration\": \"20m\", \"launch_recovery\": \"10m\" } ] }"

static int count(const struct check_table *ev, const char *event, const char *needle, double t0,
                 double t1)
{
    int n = 0;
    for (uint32_t r = 0; r < ev->nrows; r++) {
        double t = check_num(ev, r, 0);
        if (t >= t0 && t < t1 && strcmp(check_cell(ev, r, 1), "web") == 0 &&
            strcmp(check_cell(ev, r, 2), event) == 0 &&
            (!needle || strstr(check_cell(ev, r, 3), needle)))
            n++;
    }
    return n;
}

static void best_effort(void)
{
    struct check_scenario cs;
    CHECK_EQ_INT(check_load(&cs, SCENARIO(""), NULL), 0);
    struct run_result res;
    CHECK_EQ_INT(check_run_to(&cs, "fault_fleet_az.out", &res), 0);
    run_result_release(&res);
    struct check_table ev;
    check_table_load(&ev, "fault_fleet_az.out", "events.csv");
    const char *cause = "fault 1 az_outage us-east-1a";
    CHECK_EQ_INT(count(&ev, "stopped", "in us-east-1a lost power", 600, 600.001), 3);
    CHECK_EQ_INT(count(&ev, "az_down", cause, 600, 600.001), 1);
    int held = 0;
    for (uint32_t r = 0; r < ev.nrows; r++) {
        unsigned id, k;
        if (strcmp(check_cell(&ev, r, 2), "stopped") == 0 &&
            sscanf(check_cell(&ev, r, 3), "i-%u in us-east-1a lost power: %u", &id, &k) == 2)
            held += (int)k;
    }
    CHECK(held > 0, "the stopped instances held requests: %d ended with 502", held);
    CHECK_EQ_INT(count(&ev, "terminating", "not running (EC2 health check)", 660, 660.001), 3);
    CHECK_EQ_INT(count(&ev, "launch_failed", "into us-east-1a", 660, 660.001), 3);
    CHECK_EQ_INT(count(&ev, "launch", "replaces a stopped instance", 660, 660.001), 3);
    CHECK_EQ_INT(count(&ev, "launch", "in us-east-1a", 600, 2400), 0);
    CHECK_EQ_INT(count(&ev, "unhealthy", NULL, 0, 3600), 0); /* the EC2 check's, not ELB's */
    CHECK_EQ_INT(count(&ev, "launches_ok", cause, 2400, 2400.001), 1);
    /* rebalancing: launch first, one at a time (allowance 1 over max 9), three rounds */
    int launched = 0, in = 0, most = 0, terminated = 0;
    bool order = true;
    for (uint32_t r = 0; r < ev.nrows; r++) {
        if (strcmp(check_cell(&ev, r, 1), "web") != 0 || check_num(&ev, r, 0) < 2400) continue;
        const char *e = check_cell(&ev, r, 2), *d = check_cell(&ev, r, 3);
        if (strcmp(e, "launch") == 0 && strstr(d, "rebalancing"))
            launched++;
        else if (strcmp(e, "in_service") == 0 && strstr(d, "(rebalancing)"))
            in++;
        else if (strcmp(e, "terminating") == 0 && strstr(d, "rebalancing")) {
            terminated++;
            order &= terminated <= in;
        }
        if (launched - in > most) most = launched - in;
    }
    CHECK_EQ_INT(launched, 3);
    CHECK_EQ_INT(terminated, 3);
    CHECK(order, "each rebalancing termination comes after a new instance is in service");
    CHECK_EQ_INT(most, 1);
    CHECK_EQ_INT(count(&ev, "rebalance", "rebalanced (us-east-1a 3, us-east-1b 3, us-east-1c 3)",
                       2400, 3600),
                 1);
    check_table_free(&ev);

    struct check_table ts;
    check_table_load(&ts, "fault_fleet_az.out", "timeseries.csv");
    int a = check_col(&ts, "web.in_service.us-east-1a"), all = check_col(&ts, "web.in_service"),
        pend = check_col(&ts, "web.pending");
    for (uint32_t r = 0; r < ts.nrows; r++) {
        double t = check_num(&ts, r, 0);
        if (t > 600 && t <= 2400)
            CHECK(check_num(&ts, r, a) == 0, "t=%.0f: %g in service in us-east-1a", t,
                  check_num(&ts, r, a));
        CHECK(check_num(&ts, r, all) + check_num(&ts, r, pend) <= 10,
              "t=%.0f: in service + pending within max + 1", t);
    }
    CHECK_EQ_INT(check_num(&ts, ts.nrows - 1, a), 3);
    CHECK_EQ_INT(check_num(&ts, ts.nrows - 1, all), 9);
    check_table_free(&ts);

    /* the same run again: the same files */
    CHECK_EQ_INT(check_run_to(&cs, "fault_fleet_az.again", &res), 0);
    run_result_release(&res);
    static const char *const files[] = {"events.csv", "timeseries.csv", "summary.csv",
                                        "faults.csv"};
    for (int i = 0; i < 4; i++) {
        char p1[128], p2[128];
        snprintf(p1, sizeof p1, "fault_fleet_az.out/%s", files[i]);
        snprintf(p2, sizeof p2, "fault_fleet_az.again/%s", files[i]);
        CHECK(check_same_file(p1, p2), "%s identical in two runs", files[i]);
    }
    check_unload(&cs);
    printf("best effort: 3 stopped (%d requests ended with 502), replaced in the other AZs at "
           "660 s, rebalanced from 2400 s in %d rounds\n",
           held, launched);
}

static void balanced_only(void)
{
    struct check_scenario cs;
    CHECK_EQ_INT(
        check_load(&cs, SCENARIO(", \"capacity_distribution_strategy\": \"balanced-only\""), NULL),
        0);
    struct run_result res;
    CHECK_EQ_INT(check_run_to(&cs, "fault_fleet_az_only.out", &res), 0);
    run_result_release(&res);
    struct check_table ev;
    check_table_load(&ev, "fault_fleet_az_only.out", "events.csv");
    int failed = count(&ev, "launch_failed", "balanced-only", 600, 2400);
    CHECK_EQ_INT(failed, 29); /* 660, 720, ..., 2340 s */
    CHECK_EQ_INT(count(&ev, "launch", NULL, 600, 2400), 0);
    CHECK_EQ_INT(count(&ev, "launch", "in us-east-1a", 2400, 2400.001), 3);
    check_table_free(&ev);
    struct check_table ts;
    check_table_load(&ts, "fault_fleet_az_only.out", "timeseries.csv");
    int all = check_col(&ts, "web.in_service");
    for (uint32_t r = 0; r < ts.nrows; r++) {
        double t = check_num(&ts, r, 0);
        if (t > 600 && t <= 2400)
            CHECK(check_num(&ts, r, all) == 6, "t=%.0f: %g in service, expected 6 (short)", t,
                  check_num(&ts, r, all));
    }
    CHECK_EQ_INT(check_num(&ts, ts.nrows - 1, all), 9);
    check_table_free(&ts);
    check_unload(&cs);
    printf("balanced-only: 6 of 9 in service from 600 s to 2400 s, %d failed launches\n", failed);
}

int main(void)
{
    best_effort();
    balanced_only();
    return check_done();
}
