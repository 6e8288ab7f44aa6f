/* cost.c — the cost model against sums done by hand (docs/models/cost.md; PRICE-1..3,
 * ALB-19/20, RDS-12/13, EC-7, LAM-17/18, APIGW-3, DDB-1).
 *
 * Whole scenarios run through the program's own code (world, run, summary.csv). Prices are
 * the table's (scenarios/prices/us-east-1.json) unless a case overrides them. Checked:
 * - a fixed three-tier world for one hour, by hand to the cent: 3 m5.large, an ALB, a
 *   Multi-AZ db.r5.xlarge (PostgreSQL), a cache.r5.large with a replica; the cumulative
 *   timeseries; the summary after a warm-up; ALB LCUs per request; a scenario's prices;
 * - EC2's 60-second minimum: an instance terminated 20 s after its launch is billed 60 s;
 * - a scaling fleet: EC2 cost = the instance-seconds the fleet integrates itself x price;
 * - cross-AZ transfer: calls and replies between AZs x bytes x $0.01/GB each way, none
 *   within one AZ;
 * - Lambda and API Gateway: requests and GB-seconds, Init billed, provisioned concurrency;
 *   DynamoDB on demand (request units) and provisioned (capacity-hours).
 */
#include "check.h"

#include <stdlib.h>
#include <string.h>

/* Run `json` (with --set overrides) and keep its summary values in *res. */
static bool run(const char *json, const char *const *sets, const char *dir,
                struct run_result *res)
{
    struct check_scenario cs;
    if (check_load(&cs, json, sets) != 0) {
        CHECK(false, "%s: the scenario loads", dir);
        check_unload(&cs);
        return false;
    }
    int rc = check_run_to(&cs, dir, res);
    check_unload(&cs);
    CHECK_EQ_INT(rc, 0);
    return rc == 0;
}

static double get(const struct run_result *res, const char *col)
{
    double v = run_result_get(res, col);
    CHECK(!isnan(v), "summary column %s", col);
    return v;
}

/* --- a fixed world for one hour ----------------------------------------------------------------- */

/* The web tier reads the cache and, on a miss, the database. No scaling: three instances from
 * t = 0 to the end. Light traffic (10 requests/s): the costs here do not depend on it except
 * through the ALB's LCUs and the cross-AZ transfer, both switched off in the first run. */
static const char fixed[] =
    "{ \"name\": \"fixed\", \"seed\": 3, \"duration\": \"1h\", \"interval\": \"1m\","
    "  \"azs\": [\"us-east-1a\", \"us-east-1b\"],"
    "  \"workload\": { \"entry\": \"lb\", \"rate\": 10 },"
    "  \"components\": {"
    "    \"lb\": { \"type\": \"alb\", \"targets\": \"web\" },"
    "    \"web\": { \"type\": \"fleet\", \"instance\": { \"type\": \"m5.large\" },"
    "      \"asg\": { \"min_size\": 3, \"max_size\": 3, \"desired_capacity\": 3 },"
    "      \"handlers\": { \"default\": [ { \"cpu\": \"5ms\" },"
    "        { \"cache\": \"redis\", \"on_miss\": [ { \"db\": \"db\", \"op\": \"read\" } ] } ] } },"
    "    \"redis\": { \"type\": \"cache\", \"node_type\": \"cache.r5.large\", \"replicas\": 1,"
    "                 \"hit_ratio\": 0.8 },"
    "    \"db\": { \"type\": \"rds\", \"engine\": \"postgres\", \"instance_class\": \"db.r5.xlarge\","
    "              \"multi_az\": true } } }";

static void test_fixed_hour(void)
{
    /* By hand, one hour, us-east-1 on demand:
     *   EC2     3 x m5.large x $0.096/h (PRICE-1)                   = $0.288
     *   ALB     1 ALB-hour x $0.0225 (ALB-20), no LCU (both off)    = $0.0225
     *   RDS     db.r5.xlarge PostgreSQL $0.50/h x 2 (Multi-AZ, RDS-12, RDS-13) = $1.00
     *   cache   2 nodes (primary + replica) x $0.216/h (EC-7)       = $0.432
     *   transfer: off (0 bytes per call)                            = $0
     *   total                                                       = $1.7425 */
    static const char *const off[] = {"components.lb.new_connections_per_request=0",
                                      "components.lb.processed_bytes_per_request=0",
                                      "network.request_bytes=0", "network.response_bytes=0",
                                      NULL};
    struct run_result res;
    if (!run(fixed, off, "cost_fixed.out", &res))
        return;
    printf("fixed hour: total $%.6f (EC2 %.6f, ALB %.6f, RDS %.6f, cache %.6f)\n",
           get(&res, "cost_usd"), get(&res, "cost_ec2_usd"), get(&res, "cost_alb_usd"),
           get(&res, "cost_rds_usd"), get(&res, "cost_elasticache_usd"));
    CHECK_NEAR(get(&res, "cost_ec2_usd"), 0.288, 1e-9);
    CHECK_NEAR(get(&res, "cost_alb_usd"), 0.0225, 1e-9);
    CHECK_NEAR(get(&res, "cost_rds_usd"), 1.00, 1e-9);
    CHECK_NEAR(get(&res, "cost_elasticache_usd"), 0.432, 1e-9);
    CHECK_NEAR(get(&res, "cost_transfer_usd"), 0, 0);
    CHECK_NEAR(get(&res, "cost_lambda_usd") + get(&res, "cost_apigw_usd") +
                   get(&res, "cost_dynamodb_usd"),
               0, 0);
    CHECK_NEAR(get(&res, "cost_usd"), 1.7425, 0.005); /* to the cent */
    CHECK_NEAR(get(&res, "cost_usd"), 1.7425, 1e-9);
    /* by component */
    CHECK_NEAR(get(&res, "web.cost_usd"), 0.288, 1e-9);
    CHECK_NEAR(get(&res, "lb.cost_usd"), 0.0225, 1e-9);
    CHECK_NEAR(get(&res, "db.cost_usd"), 1.00, 1e-9);
    CHECK_NEAR(get(&res, "redis.cost_usd"), 0.432, 1e-9);
    run_result_release(&res);

    /* the timeseries is cumulative from t = 0: half of it at 30 min, all of it at the end */
    struct check_table ts;
    if (check_table_load(&ts, "cost_fixed.out", "timeseries.csv")) {
        int c = check_col(&ts, "cost_usd"), t = check_col(&ts, "t_s");
        for (uint32_t i = 0; i < ts.nrows; i++) {
            double at = check_num(&ts, i, t);
            CHECK_NEAR(check_num(&ts, i, c), 1.7425 * at / 3600, 1e-6);
        }
        CHECK_NEAR(check_num(&ts, ts.nrows - 1, c), 1.7425, 1e-6);
        check_table_free(&ts);
    }

    /* After a 15-minute warm-up the summary covers the 45 measured minutes (like its other
     * KPIs): 0.75 x $1.7425 = $1.306875; the timeseries still ends at the whole hour's. */
    static const char *const warm[] = {"components.lb.new_connections_per_request=0",
                                       "components.lb.processed_bytes_per_request=0",
                                       "network.request_bytes=0", "network.response_bytes=0",
                                       "warmup=15m", NULL};
    if (run(fixed, warm, "cost_fixed_warm.out", &res)) {
        CHECK_NEAR(get(&res, "cost_usd"), 1.306875, 1e-9);
        CHECK_NEAR(get(&res, "cost_rds_usd"), 0.75, 1e-9);
        run_result_release(&res);
        if (check_table_load(&ts, "cost_fixed_warm.out", "timeseries.csv")) {
            CHECK_NEAR(check_num(&ts, ts.nrows - 1, check_col(&ts, "cost_usd")), 1.7425, 1e-6);
            check_table_free(&ts);
        }
    }

    /* ALB LCUs with the defaults (ALB-19): a request opens a connection (1/90,000 of an
     * LCU-hour: 25 a second is one LCU) and moves 18,432 bytes (18,432 / 10^9 of an
     * LCU-hour: 1 GB an hour is one LCU); the larger is billed, bytes here:
     * ALB = $0.0225 + attempts x 18,432e-9 x $0.008. At 10 requests/s that is about
     * 36,000 x 1.47e-7 = $0.0053. */
    static const char *const lcu[] = {"network.request_bytes=0", "network.response_bytes=0",
                                      NULL};
    if (run(fixed, lcu, "cost_fixed_lcu.out", &res)) {
        double attempts = get(&res, "attempts");
        printf("  with LCUs: %.0f requests, ALB $%.6f\n", attempts, get(&res, "cost_alb_usd"));
        CHECK(attempts > 30000 && attempts < 42000, "about 36,000 requests: %.0f", attempts);
        CHECK_NEAR(get(&res, "cost_alb_usd"), 0.0225 + attempts * 18432e-9 * 0.008, 1e-9);
        run_result_release(&res);
    }

    /* A scenario's prices replace the table's: m5.large at $1/h, the database at $2/h:
     * 3 x 1 + 0.0225 + 2 x 2 + 0.432 = $7.4545 */
    static const char *const priced[] = {
        "components.lb.new_connections_per_request=0",
        "components.lb.processed_bytes_per_request=0", "network.request_bytes=0",
        "network.response_bytes=0",
        "prices={\"ec2\": {\"usd_per_hour\": {\"m5.large\": 1}}, \"rds\": {\"usd_per_hour\": "
        "{\"postgres\": {\"db.r5.xlarge\": 2}}}}",
        NULL};
    if (run(fixed, priced, "cost_fixed_priced.out", &res)) {
        CHECK_NEAR(get(&res, "cost_ec2_usd"), 3.0, 1e-9);
        CHECK_NEAR(get(&res, "cost_rds_usd"), 4.0, 1e-9);
        CHECK_NEAR(get(&res, "cost_usd"), 7.4545, 1e-9);
        run_result_release(&res);
    }
}

/* --- EC2: the 60-second minimum and a scaling fleet ----------------------------------------- */

/* Two t3.large; a scheduled action raises desired to 3 at 100 s and lowers it to 2 at
 * 120 s; NewestInstance terminates the one just launched, with no deregistration delay. */
static const char scaling[] =
    "{ \"name\": \"scaling\", \"seed\": 5, \"duration\": \"%s\", \"interval\": \"1m\","
    "  \"azs\": [\"us-east-1a\", \"us-east-1b\"],"
    "  \"workload\": { \"entry\": \"lb\", \"rate\": 5 },"
    "  \"components\": {"
    "    \"lb\": { \"type\": \"alb\", \"targets\": \"web\", \"deregistration_delay\": 0 },"
    "    \"web\": { \"type\": \"fleet\", \"instance\": { \"type\": \"t3.large\" },"
    "      \"asg\": { \"min_size\": 1, \"max_size\": 6, \"desired_capacity\": 2,"
    "        \"termination_policy\": \"NewestInstance\", \"scheduled_actions\": [ %s ] },"
    "      \"handlers\": { \"default\": [ { \"cpu\": \"5ms\" } ] } } } }";

static double event_time(const struct check_table *t, const char *event, const char *needle)
{
    double at = check_event_at(t, event, needle);
    CHECK(at >= 0, "an event %s with \"%s\"", event, needle);
    return at;
}

static void test_ec2(void)
{
    char json[4096];
    snprintf(json, sizeof json, scaling, "10m",
             "{ \"scheduled_action_name\": \"up\", \"start_time\": \"100s\", "
             "\"desired_capacity\": 3, \"delay\": 0 },"
             "{ \"scheduled_action_name\": \"down\", \"start_time\": \"120s\", "
             "\"desired_capacity\": 2, \"delay\": 0 }");
    struct run_result res;
    if (run(json, NULL, "cost_minimum.out", &res)) {
        struct check_table ev;
        if (check_table_load(&ev, "cost_minimum.out", "events.csv")) {
            double launched = event_time(&ev, "launch", "i-3");
            double ended = event_time(&ev, "terminated", "i-3");
            double life = ended - launched;
            printf("60 s minimum: i-3 launched at %.3f s, terminated at %.3f s (%.3f s)\n",
                   launched, ended, life);
            CHECK(life > 0 && life < 60, "the instance lived less than a minute: %.3f s", life);
            /* By hand: two instances for 600 s and one billed 60 s, not its 20 s:
             * (2 x 600 + 60) s x $0.0832/h / 3600 = $0.029120 */
            CHECK_NEAR(get(&res, "cost_ec2_usd"), (2 * 600 + 60) * 0.0832 / 3600, 1e-9);
            /* the fleet's own instance-hours count its 20 s: the minimum is the difference */
            CHECK_NEAR(get(&res, "cost_ec2_usd") - get(&res, "web.instance_hours") * 0.0832,
                       (60 - life) * 0.0832 / 3600, 1e-9);
            check_table_free(&ev);
        }
        run_result_release(&res);
    }

    /* A fleet that scales 2 -> 5 -> 3 -> 1 over an hour: every instance lives more than a
     * minute, so EC2's cost is the instance-seconds the fleet integrates (its
     * instance_hours) x $0.0832/h, whatever the launch times and boot draws. */
    snprintf(json, sizeof json, scaling, "1h",
             "{ \"scheduled_action_name\": \"a\", \"start_time\": \"5m\", "
             "\"desired_capacity\": 5, \"delay\": 0 },"
             "{ \"scheduled_action_name\": \"b\", \"start_time\": \"20m\", "
             "\"desired_capacity\": 3, \"delay\": 0 },"
             "{ \"scheduled_action_name\": \"c\", \"start_time\": \"40m\", "
             "\"desired_capacity\": 1, \"delay\": 0 }");
    if (run(json, NULL, "cost_scaling.out", &res)) {
        double h = get(&res, "web.instance_hours");
        printf("scaling fleet: %.6f instance-hours, EC2 $%.6f\n", h, get(&res, "cost_ec2_usd"));
        /* 2 x 5 min + 5 x 15 + 3 x 20 + 1 x 20 = 165 instance-minutes, give or take the
         * terminations' few seconds */
        CHECK(h > 2.7 && h < 2.85, "about 2.75 instance-hours: %.6f", h);
        CHECK_NEAR(get(&res, "cost_ec2_usd"), h * 0.0832, 1e-9);
        run_result_release(&res);
    }
}

/* --- cross-AZ transfer ---------------------------------------------------------------------- */

/* The ALB and the fleet in us-east-1b, the cache's primary in %s: every get is a call and a
 * reply between the instance and the cache. The load stops at 50 min, so every get has its
 * reply by the end. A call carries 1 MB, a reply 3 MB (big, so that the sum is not lost in
 * rounding). */
static const char transfer[] =
    "{ \"name\": \"transfer\", \"seed\": 9, \"duration\": \"1h\", \"interval\": \"1m\","
    "  \"azs\": [\"us-east-1a\", \"us-east-1b\"],"
    "  \"network\": { \"request_bytes\": 1000000, \"response_bytes\": 3000000 },"
    "  \"workload\": { \"entry\": \"lb\","
    "    \"rate\": { \"shape\": \"piecewise\", \"points\": [[0, 5], [2999.999, 5], [3000, 0]] } },"
    "  \"components\": {"
    "    \"lb\": { \"type\": \"alb\", \"targets\": \"web\", \"azs\": [\"us-east-1b\"] },"
    "    \"web\": { \"type\": \"fleet\", \"instance\": { \"type\": \"t3.large\" },"
    "      \"asg\": { \"min_size\": 2, \"max_size\": 2, \"desired_capacity\": 2,"
    "                 \"availability_zones\": [\"us-east-1b\"] },"
    "      \"handlers\": { \"default\": [ { \"cache\": \"redis\" } ] } },"
    "    \"redis\": { \"type\": \"cache\", \"hit_ratio\": 1, \"primary_az\": \"%s\" } } }";

static void test_transfer(void)
{
    char json[4096];
    snprintf(json, sizeof json, transfer, "us-east-1a");
    struct run_result res;
    if (run(json, NULL, "cost_transfer.out", &res)) {
        /* By hand: each get moves 1 MB out of 1b into 1a and 3 MB back, each GB billed
         * $0.01 leaving one AZ and $0.01 entering the other (PRICE-3):
         * gets x (10^6 + 3 x 10^6) B x 2 x $0.01 / 10^9 = gets x $0.00008. At 5/s for
         * 50 min, about 15,000 gets: about $1.20. */
        double gets = get(&res, "redis.gets");
        printf("cross-AZ: %.0f gets, transfer $%.6f\n", gets, get(&res, "cost_transfer_usd"));
        CHECK(gets > 14000 && gets < 16000, "about 15,000 gets: %.0f", gets);
        CHECK_NEAR(get(&res, "cost_transfer_usd"), gets * 0.00008, 1e-9);
        run_result_release(&res);
    }
    /* the cache in the fleet's own AZ: nothing crosses, nothing is billed */
    snprintf(json, sizeof json, transfer, "us-east-1b");
    if (run(json, NULL, "cost_transfer_same.out", &res)) {
        CHECK(get(&res, "redis.gets") > 14000, "the gets happen");
        CHECK_NEAR(get(&res, "cost_transfer_usd"), 0, 0);
        run_result_release(&res);
    }
}

/* --- Lambda, API Gateway, DynamoDB ------------------------------------------------------------ */

/* An HTTP API in front of a function of 1,769 MB (a whole vCPU, LAM-16: 10 ms of CPU take
 * 10 ms), Init 200 ms, no network latency: every invocation lasts exactly 10 ms, a cold one
 * 210 ms, whole milliseconds, so the 1 ms rounding (LAM-17) adds nothing. Each invocation
 * reads or writes a table. Ten minutes at 2 requests/s. */
static const char serverless[] =
    "{ \"name\": \"fn\", \"seed\": 11, \"duration\": \"10m\", \"interval\": \"1m\","
    "  \"azs\": [\"us-east-1a\", \"us-east-1b\"],"
    "  \"network\": { \"same_az\": 0, \"cross_az\": 0 },"
    "  \"workload\": { \"entry\": \"api\", \"rate\": 2, \"classes\": { \"get\": 0.8, \"put\": 0.2 } },"
    "  \"components\": {"
    "    \"api\": { \"type\": \"apigw\", \"api_type\": \"http\", \"integration\": \"fn\","
    "               \"latency\": 0 },"
    "    \"fn\": { \"type\": \"lambda\", \"memory_mb\": 1769, \"init\": \"200ms\","
    "      \"handlers\": { \"get\": [ { \"cpu\": \"10ms\" }, { \"dynamodb\": \"t\", \"op\": \"read\" } ],"
    "                      \"put\": [ { \"cpu\": \"10ms\" }, { \"dynamodb\": \"t\", \"op\": \"write\" } ] } },"
    "    \"t\": { \"type\": \"dynamodb\", \"read_latency\": 0, \"write_latency\": 0 } } }";

static void test_serverless(void)
{
    const double gb = 1769.0 / 1024.0; /* 1.7275390625 GB */
    struct run_result res;
    if (run(serverless, NULL, "cost_lambda.out", &res)) {
        double n = get(&res, "fn.invocations"), cold = get(&res, "fn.cold_starts");
        double billed = get(&res, "api.requests") - get(&res, "api.throttled");
        /* By hand: GB-s = (n x 0.010 s + cold x 0.200 s) x 1.7275 GB; at 2/s for 10 min,
         * about 1,200 invocations and a few cold starts: about 21 GB-s x $0.0000166667 =
         * $0.00035, plus 1,200 x $0.20 per million = $0.00024 (LAM-18); the API 1,200 x
         * $1.00 per million = $0.0012 (APIGW-3). */
        double gbs = (n * 0.010 + cold * 0.200) * gb;
        printf("lambda: %.0f invocations, %.0f cold, %.6f GB-s; Lambda $%.6f, API $%.6f\n", n,
               cold, gbs, get(&res, "cost_lambda_usd"), get(&res, "cost_apigw_usd"));
        CHECK(n > 1000 && n < 1400 && cold >= 1, "about 1,200 invocations: %.0f", n);
        CHECK_NEAR(get(&res, "fn.gb_seconds"), gbs, 0.0005); /* Init billed (LAM-17) */
        CHECK_NEAR(get(&res, "cost_lambda_usd"), n * 0.20e-6 + gbs * 0.0000166667, 1e-9);
        CHECK_NEAR(get(&res, "cost_apigw_usd"), billed * 1.00e-6, 1e-12);
        CHECK_EQ_INT(billed, n);
        /* DynamoDB on demand: a strongly consistent read of up to 4 KB is one read unit, a
         * write of up to 1 KB one write unit (DDB-1): $0.125 and $0.625 per million */
        double rru = get(&res, "t.consumed_rcu"), wru = get(&res, "t.consumed_wcu");
        CHECK_NEAR(rru + wru, n, 0.5);
        CHECK_NEAR(get(&res, "cost_dynamodb_usd"), rru * 0.125e-6 + wru * 0.625e-6, 1e-12);
        run_result_release(&res);
    }

    /* Two environments of provisioned concurrency, enough for 2 requests/s of 10 ms: every
     * invocation runs on one, none is cold. By hand: 2 x 1.7275 GB x 600 s x $0.0000041667
     * = $0.0086 for having them, plus n x 0.010 s x 1.7275 GB x $0.0000097222 for running
     * on them, plus the requests. DynamoDB provisioned at 100 read and 10 write units for
     * 10 minutes: (100 x $0.00013 + 10 x $0.00065) / 6 = $0.00325. A price override of the
     * API: $2 per million. */
    static const char *const prov[] = {"components.fn.provisioned_concurrency=2",
                                       "components.t.billing_mode=PROVISIONED",
                                       "components.t.read_capacity_units=100",
                                       "components.t.write_capacity_units=10",
                                       "components.api.usd_per_million=2", NULL};
    if (run(serverless, prov, "cost_lambda_prov.out", &res)) {
        double n = get(&res, "fn.invocations");
        CHECK_EQ_INT(get(&res, "fn.cold_starts"), 0);
        double expect = n * 0.20e-6 + n * 0.010 * gb * 0.0000097222 +
                        2 * gb * 600 * 0.0000041667;
        printf("provisioned: %.0f invocations, Lambda $%.6f (by hand $%.6f)\n", n,
               get(&res, "cost_lambda_usd"), expect);
        CHECK_NEAR(get(&res, "cost_lambda_usd"), expect, 1e-9);
        CHECK_NEAR(get(&res, "cost_dynamodb_usd"), (100 * 0.00013 + 10 * 0.00065) / 6, 1e-12);
        CHECK_NEAR(get(&res, "cost_apigw_usd"), n * 2e-6, 1e-12);
        run_result_release(&res);
    }
}

int main(void)
{
    test_fixed_hour();
    test_ec2();
    test_transfer();
    test_serverless();
    return check_done();
}
