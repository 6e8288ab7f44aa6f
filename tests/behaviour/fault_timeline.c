/* fault_timeline.c — an AZ outage's documented timeline, in events.csv, in order and with the
 * right gaps (reference/aws-behavior.md, "Single-AZ loss at t = 0"; docs/models/faults.md).
 *
 * Three AZs; a web fleet of three instances (one per AZ, boot 20 s + bootstrap 30 s, ELB
 * health checks) behind an ALB with the default checks (30 s interval, 5 s timeout, 2 to
 * fail, 5 to pass, ALB-6); an ElastiCache primary in AZ a with a replica in b (failover 15 s);
 * a Multi-AZ database with its primary in a (failover 90 s). AZ a loses power at 600 s for
 * 10 minutes. Expected, after t0 = 600 s:
 *
 *   t0           the instance in a stops (AZ-6); the cache's and the database's failovers begin
 *   t0 + 15 s    the cache's replica is the primary, data kept (EC-1, EC-3)
 *   t0 + 30-65 s the ALB marks the lost target unhealthy: two failed checks one interval apart,
 *                the second timing out 5 s after it was sent (ALB-6, ALB-7); the first may be
 *                one in flight when the power went, failing at once
 *   t0 + 60 s    the group's EC2 check finds it stopped: terminate, and launch its replacement
 *                in b or c at once (ASG-14, ASG-17, ASG-4, ASG-5)
 *   t0 + 90 s    the database's writer is back, in b (RDS-1)
 *   t0 + 110 s   the replacement is in service (launch + boot + bootstrap)
 *   + 120-155 s  the ALB has seen it pass its initial checks: it serves (ALB-8)
 *   t0 + 600 s   power back; launches into a succeed; the group rebalances into a (ASG-6)
 */
#include "check.h"
#include "events.h"

#include <string.h>

static const char *scenario =
    "{ \"name\": \"timeline\", \"seed\": 5, \"duration\": \"1800s\", \"interval\": \"60s\","
    "  \"azs\": [\"a\", \"b\", \"c\"],"
    "  \"faults\": [ { \"type\": \"az_outage\", \"at\": 600, \"az\": \"a\", \"duration\": \"10m\" } ],"
    "  \"workload\": { \"entry\": \"lb\", \"rate\": 20 },"
    "  \"components\": {"
    "    \"lb\": { \"type\": \"alb\", \"targets\": \"web\" },"
    "    \"web\": { \"type\": \"fleet\", \"instance\": { \"vcpus\": 2, \"boot\": 20, \"bootstrap\": 30 },"
    "      \"asg\": { \"min_size\": 3, \"max_size\": 6, \"desired_capacity\": 3, \"health_check_type\": \"ELB\" },"
    "      \"handlers\": { \"default\": [ { \"cpu\": \"5ms\" },"
    "        { \"cache\": \"kv\", \"on_miss\": [ { \"db\": \"db\", \"op\": \"read\" } ] } ] } },"
    "    \"kv\": { \"type\": \"cache\", \"node_type\": \"cache.r5.large\", \"replicas\": 1,"
    "            \"primary_az\": \"a\", \"replica_azs\": [\"b\"], \"hit_ratio\": 0.8, \"failover_time\": 15 },"
    "    \"db\": { \"type\": \"rds\", \"engine\": \"postgres\", \"instance_class\": \"db.r5.large\","
    "            \"multi_az\": true, \"availability_zone\": \"a\", \"secondary_availability_zone\": \"b\","
    "            \"failover_time\": 90 }"
    "  } }";

static double at(const struct check_table *ev, const char *what, int row)
{
    CHECK(row >= 0, "no %s in events.csv", what);
    double t = ev_time(ev, row);
    printf("%8.3f  %-34s %s\n", t, what, ev_detail(ev, row));
    return t;
}

static void within(const char *what, double t, double lo, double hi)
{
    CHECK(t >= lo && t <= hi, "%s at %.3f s, expected within [%.0f, %.0f]", what, t, lo, hi);
}

int main(void)
{
    struct check_scenario cs;
    CHECK_EQ_INT(check_load(&cs, scenario, NULL), 0);
    struct run_result res;
    CHECK_EQ_INT(check_run_to(&cs, "fault_timeline.out", &res), 0);
    run_result_release(&res);
    check_unload(&cs);
    struct check_table ev;
    if (!check_table_load(&ev, "fault_timeline.out", "events.csv"))
        return check_done();

    const double t0 = 600;
    int r = ev_find(&ev, t0, "web", "stopped", " in a ");
    double stopped = at(&ev, "instance in a stops", r);
    within("the instance's stop", stopped, t0, t0);
    /* which instance: "i-N in a lost power" */
    char inst[32] = "";
    if (r >= 0)
        sscanf(ev_detail(&ev, r), "%31s", inst);
    char target[48];
    snprintf(target, sizeof target, "web/%s healthy -> unhealthy", inst);

    double cache_back = at(&ev, "cache replica promoted", ev_find(&ev, t0, "kv", "failover_end", NULL));
    within("the cache's promotion", cache_back, t0 + 15, t0 + 15);

    double unhealthy = at(&ev, "ALB: lost target unhealthy",
                          ev_find(&ev, t0, "lb", "target_health", target));
    within("the lost target's unhealthy mark", unhealthy, t0 + 30, t0 + 60 + 5);

    double replaced = at(&ev, "EC2 check: terminate + launch",
                         ev_find(&ev, t0, "web", "terminating", inst));
    within("the EC2 check", replaced, t0 + 60, t0 + 60);
    int lr = ev_find(&ev, t0, "web", "launch", "replaces a stopped instance");
    double launched = at(&ev, "replacement launched", lr);
    within("the replacement's launch", launched, t0 + 60, t0 + 60);
    CHECK(lr < 0 || !strstr(ev_detail(&ev, lr), " in a "), "the replacement was launched into "
                                                           "the lost AZ: %s", ev_detail(&ev, lr));

    double db_back = at(&ev, "database writer back", ev_find(&ev, t0, "db", "failover_end", NULL));
    within("the database's writer", db_back, t0 + 90, t0 + 90);

    char new_inst[32] = "";
    if (lr >= 0)
        sscanf(ev_detail(&ev, lr), "%31s", new_inst);
    double in_service = at(&ev, "replacement in service",
                           ev_find(&ev, t0, "web", "in_service", new_inst));
    within("the replacement's service", in_service, t0 + 110, t0 + 110);
    char healthy[48];
    snprintf(healthy, sizeof healthy, "web/%s initial -> healthy", new_inst);
    double serving = at(&ev, "ALB: replacement healthy", ev_find(&ev, t0, "lb", "target_health",
                                                                 healthy));
    within("the replacement's first traffic", serving, in_service + 120, in_service + 155);

    /* the order of the whole */
    CHECK(stopped < cache_back && cache_back < unhealthy && unhealthy < replaced + 5.001 &&
              replaced < db_back && db_back < in_service && in_service < serving,
          "the timeline is out of order");

    /* after the power: launches into a again, and a rebalance into a */
    double power = at(&ev, "power back", ev_find(&ev, t0 + 600, "faults", "az_up", NULL));
    within("the power", power, t0 + 600, t0 + 600);
    double rebalance = at(&ev, "rebalancing launch into a",
                          ev_find(&ev, t0 + 600, "web", "launch", " in a"));
    CHECK(rebalance >= power, "no launch into a before the power is back");
    check_table_free(&ev);
    return check_done();
}
