/* data_faults.c — an AZ outage seen by the data tier (AZ-3, RDS-1, EC-4): the Multi-AZ
 * database's primary fails over out of the lost AZ for its failover window, then has no
 * standby until the AZ is back; a cache without a replica loses its only node and its data,
 * is replaced only once the AZ is back, and comes back empty, its hit ratio climbing from 0.
 *
 * Set-up: the application runs in us-east-1b only, so that the requests themselves survive;
 * the cache's primary and the database's primary are in us-east-1a, lost from 10 to 20 min. */
#include "events.h"

static const char *scenario =
    "{ \"name\": \"df\", \"seed\": 3, \"duration\": \"40m\", \"interval\": \"10s\","
    "  \"azs\": [\"us-east-1a\", \"us-east-1b\"],"
    "  \"workload\": { \"entry\": \"lb\", \"rate\": 50 },"
    "  \"components\": {"
    "    \"lb\": { \"type\": \"alb\", \"targets\": \"app\", \"latency\": 0 },"
    "    \"app\": { \"type\": \"fleet\", \"instance\": { \"vcpus\": 2 },"
    "      \"asg\": { \"min_size\": 2, \"max_size\": 2, \"availability_zones\": [\"us-east-1b\"] },"
    "      \"handlers\": { \"default\": ["
    "        { \"cache\": \"redis\", \"on_miss\": [ { \"db\": \"db\", \"op\": \"read\" } ] },"
    "        { \"p\": 0.2, \"then\": [ { \"db\": \"db\", \"op\": \"write\" } ] } ] } },"
    "    \"redis\": { \"type\": \"cache\", \"primary_az\": \"us-east-1a\","
    "               \"keys\": { \"count\": 20000, \"zipf_alpha\": 0.9, \"warm\": true } },"
    "    \"db\": { \"type\": \"rds\", \"multi_az\": true, \"failover_time\": 90 } },"
    "  \"faults\": [ { \"type\": \"az_outage\", \"at\": \"10m\", \"az\": \"us-east-1a\","
    "                  \"duration\": \"10m\" } ] }";

int main(void)
{
    struct check_scenario cs;
    CHECK_EQ_INT(check_load(&cs, scenario, NULL), 0);
    struct run_result res;
    CHECK_EQ_INT(check_run_to(&cs, "data_faults.out", &res), 0);
    run_result_release(&res);
    struct check_table ev, ts;
    check_table_load(&ev, "data_faults.out", "events.csv");
    check_table_load(&ts, "data_faults.out", "timeseries.csv");
    const char *cause = "fault 1 az_outage us-east-1a";

    /* the database: failover at the outage, the standby's AZ then the primary's, its AZ's
     * standby back with the AZ */
    int fo = ev_find(&ev, 0, "db", "failover", cause);
    int fo_end = ev_find(&ev, 0, "db", "failover_end", cause);
    int sb = ev_find(&ev, 0, "db", "standby_back", cause);
    CHECK_NEAR(ev_time(&ev, fo), 600, 0);
    CHECK_NEAR(ev_time(&ev, fo_end), 690, 0);
    CHECK(strstr(ev_detail(&ev, fo_end), "the standby in us-east-1b is the primary") != NULL,
          "%s", ev_detail(&ev, fo_end));
    CHECK_NEAR(ev_time(&ev, sb), 1200, 0);

    /* the cache: its only node lost with its data, replaced 5 min after the AZ is back */
    CHECK_NEAR(ev_time(&ev, ev_find(&ev, 0, "redis", "data_lost", cause)), 600, 0);
    CHECK_NEAR(ev_time(&ev, ev_find(&ev, 0, "redis", "node_replacing", cause)), 1200, 0);
    int back = ev_find(&ev, 0, "redis", "node_replaced", "empty");
    CHECK_NEAR(ev_time(&ev, back), 1500, 0);

    /* the timeseries: database errors only in the failover window; the cache's keys 0
     * from the outage until its return, then refilling, its hit ratio from low to high */
    int c_t = check_col(&ts, "t_s"), c_keys = check_col(&ts, "redis.keys"),
        c_hit = check_col(&ts, "redis.hit_ratio"), c_dberr = check_col(&ts, "db.errors_rps");
    double hit_first = -1, hit_last = -1, keys_end = 0;
    for (uint32_t r = 0; r < ts.nrows; r++) {
        double t = check_num(&ts, r, c_t);
        double dberr = check_num(&ts, r, c_dberr), keys = check_num(&ts, r, c_keys);
        if (t <= 600 || t > 700)
            CHECK(dberr == 0, "t=%.0f: database errors %g outside the failover", t, dberr);
        else if (t <= 690)
            CHECK(dberr > 0, "t=%.0f: database errors during the failover", t);
        if (t > 600 && t <= 1500)
            CHECK(keys == 0, "t=%.0f: the cache is empty while lost: %g keys", t, keys);
        if (t == 1510)
            hit_first = check_num(&ts, r, c_hit);
        hit_last = check_num(&ts, r, c_hit);
        keys_end = keys;
    }
    printf("data tier under an AZ outage: db failover 600-690 s; cache empty 600-1500 s, hit "
           "ratio %.3f in its first 10 s back, %.3f at the end, %.0f keys\n",
           hit_first, hit_last, keys_end);
    CHECK(hit_first >= 0 && hit_first < 0.5, "cold when back: %g", hit_first);
    CHECK(hit_last > hit_first + 0.2, "refilled: %g", hit_last);
    CHECK(keys_end > 1000, "keys set again: %g", keys_end);
    check_table_free(&ev);
    check_table_free(&ts);
    check_unload(&cs);
    return check_done();
}
