/* dynamodb.c — a DynamoDB table behind a fleet's handler, through the whole program
 * (workload -> alb -> fleet -> table; DDB-1, docs/models/dynamodb.md):
 *
 * 1. Latency adds up: a `dynamodb` read step whose table answers after a lognormal draw of
 *    mean 4 ms adds that mean and a same-AZ hop each way (2 x 0.1 ms, the table being served
 *    in the caller's AZ) to the clients' mean latency, against the same scenario without
 *    the step (common random numbers: the same arrivals and the same CPU draws).
 * 2. Throttles reach the handler: a provisioned table of 20 RCU with 1 s of burst under
 *    50 reads/s. Every throttle (400) is retried by the step as an AWS SDK does (3 attempts,
 *    full jitter, base 1 s); a request whose third attempt is throttled fails its handler,
 *    and the client sees 500. The counts agree exactly: the table's throttles are the
 *    fleet's retries plus its failed steps, the client's 500s are those failures, and what
 *    the table served is its rate. With `"retry": {"max_attempts": 1}` every throttle is a
 *    500. */
#include "check.h"

#include <math.h>
#include <string.h>

static const char *latency_scenario =
    "{ \"name\": \"ddb-latency\", \"seed\": 21, \"duration\": \"600s\", \"interval\": \"600s\","
    "  \"azs\": [\"us-east-1a\", \"us-east-1b\"],"
    "  \"workload\": { \"entry\": \"lb\", \"rate\": 100 },"
    "  \"components\": {"
    "    \"lb\": { \"type\": \"alb\", \"targets\": \"app\" },"
    "    \"app\": { \"type\": \"fleet\", \"instance\": { \"vcpus\": 4 },"
    "      \"asg\": { \"min_size\": 2, \"max_size\": 2, \"desired_capacity\": 2 },"
    "      \"handlers\": { \"default\": [ { \"cpu\": \"2ms\" },"
    "                                   { \"dynamodb\": \"orders\", \"op\": \"read\" } ] } },"
    "    \"orders\": { \"type\": \"dynamodb\","
    "      \"read_latency\": { \"dist\": \"lognormal\", \"mean\": \"4ms\", \"sd\": \"1ms\" } } } }";

/* 50 reads/s for 500 s, then nothing: every retry is over by the end of the run */
static const char *throttle_scenario =
    "{ \"name\": \"ddb-throttle\", \"seed\": 22, \"duration\": \"600s\", \"interval\": \"60s\","
    "  \"azs\": [\"us-east-1a\", \"us-east-1b\"],"
    "  \"workload\": { \"entry\": \"lb\", \"rate\": { \"shape\": \"piecewise\","
    "    \"points\": [ [0, 50], [\"500s\", 50], [\"500.001s\", 0] ] } },"
    "  \"components\": {"
    "    \"lb\": { \"type\": \"alb\", \"targets\": \"app\" },"
    "    \"app\": { \"type\": \"fleet\", \"instance\": { \"vcpus\": 4, \"workers\": 1000 },"
    "      \"asg\": { \"min_size\": 2, \"max_size\": 2, \"desired_capacity\": 2 },"
    "      \"handlers\": { \"default\": [ { \"cpu\": \"2ms\" },"
    "                                   { \"dynamodb\": \"orders\", \"op\": \"read\" } ] } },"
    "    \"orders\": { \"type\": \"dynamodb\", \"billing_mode\": \"PROVISIONED\","
    "      \"read_capacity_units\": 20, \"write_capacity_units\": 5,"
    "      \"burst_window\": \"1s\" } } }";

static void test_latency(void)
{
    double mean[2] = {0};
    const char *const without[] = {"components.app.handlers.default=[{\"cpu\": \"2ms\"}]", NULL};
    for (int k = 0; k < 2; k++) {
        struct check_scenario cs;
        CHECK_EQ_INT(check_load(&cs, latency_scenario, k ? NULL : without), 0);
        struct run_result res;
        CHECK_EQ_INT(check_run_to(&cs, k ? "ddb-latency.out" : "ddb-latency-without.out", &res),
                     0);
        mean[k] = run_result_get(&res, "latency_mean_ms");
        CHECK(run_result_get(&res, "errors") == 0, "no error");
        if (k) {
            CHECK(run_result_get(&res, "orders.reads") == run_result_get(&res, "attempts"),
                  "one read per request: %.0f", run_result_get(&res, "orders.reads"));
            CHECK(run_result_get(&res, "orders.read_throttles") == 0,
                  "a new on-demand table takes 12,000 reads/s");
            CHECK(run_result_get(&res, "app.call_attempts") == run_result_get(&res, "app.calls"),
                  "no retry");
        }
        run_result_release(&res);
        check_unload(&cs);
    }
    double added = mean[1] - mean[0];
    /* 60,000 draws of sd 1 ms: the sample mean is within 4 us x 4 of 4 ms */
    CHECK(fabs(added - 4.2) < 0.02,
          "the step adds %.4f ms to the clients' mean latency (4 ms + 2 x 0.1 ms expected)",
          added);
    printf("client latency: %.4f ms without the dynamodb step, %.4f ms with it: +%.4f ms "
           "(4.2 expected)\n",
           mean[0], mean[1], added);
}

static double sum_col(const struct check_table *t, const char *name)
{
    int c = check_col(t, name);
    double s = 0;
    for (uint32_t r = 0; c >= 0 && r < t->nrows; r++)
        s += check_num(t, r, c);
    return s;
}

static void test_throttles(void)
{
    for (int k = 0; k < 2; k++) {
        const char *const one[] = {
            "components.app.handlers.default.1.retry={\"max_attempts\": 1}", NULL};
        struct check_scenario cs;
        CHECK_EQ_INT(check_load(&cs, throttle_scenario, k ? one : NULL), 0);
        struct run_result res;
        CHECK_EQ_INT(check_run_to(&cs, k ? "ddb-throttle-1.out" : "ddb-throttle.out", &res), 0);
        double requests = run_result_get(&res, "requests"), ok = run_result_get(&res, "ok");
        double e500 = run_result_get(&res, "errors_500"), errors = run_result_get(&res, "errors");
        double calls = run_result_get(&res, "app.calls");
        double attempts = run_result_get(&res, "app.call_attempts");
        double failures = run_result_get(&res, "app.call_failures");
        double reads = run_result_get(&res, "orders.reads");
        double throttles = run_result_get(&res, "orders.read_throttles");
        double served = run_result_get(&res, "orders.consumed_rcu");
        CHECK(run_result_get(&res, "unfinished") == 0, "every request ended");
        CHECK(ok + errors == requests, "each once: %.0f + %.0f of %.0f", ok, errors, requests);
        CHECK(errors == e500, "the throttles reach the client as 500 (%.0f of %.0f errors)", e500,
              errors);
        CHECK(run_result_get(&res, "errors_400") == 0, "a 400 never passes a fleet");
        CHECK(calls == requests, "one dynamodb step per request");
        CHECK(e500 == failures, "500s %.0f, failed steps %.0f", e500, failures);
        CHECK(attempts == reads, "every attempt reached the table: %.0f, %.0f", attempts, reads);
        CHECK(throttles == (attempts - calls) + failures,
              "throttles %.0f = retries %.0f + failures %.0f", throttles, attempts - calls,
              failures);
        CHECK(served == reads - throttles, "a throttled read consumes nothing");
        /* 20 RCU: 20 units at the start (1 s of burst), then 20/s until the last retry */
        CHECK(served >= 20 * 500 && served <= 20 + 20 * 504, "served %.0f reads", served);
        if (k == 0) {
            CHECK(attempts - calls > 0 && failures > 0 && ok > 0,
                  "retries %.0f, failures %.0f, ok %.0f", attempts - calls, failures, ok);
            struct check_table ts;
            check_table_load(&ts, "ddb-throttle.out", "timeseries.csv");
            double tput = 60 * sum_col(&ts, "orders.consumed_rcu_ps");
            double thr = 60 * sum_col(&ts, "orders.read_throttles_rps");
            CHECK(fabs(tput - served) < 0.5 && fabs(thr - throttles) < 0.5,
                  "timeseries: %.0f consumed, %.0f throttled", tput, thr);
            check_table_free(&ts);
            printf("provisioned 20 RCU, 50 reads/s, SDK retries: %.0f requests, %.0f attempts "
                   "(%.3f each), %.0f throttles, %.0f failed (500), %.0f reads served\n",
                   requests, attempts, attempts / calls, throttles, failures, served);
        } else {
            CHECK(attempts == calls && failures == throttles,
                  "one attempt: every throttle fails its step (%.0f, %.0f)", failures, throttles);
            printf("the same with max_attempts 1: %.0f requests, %.0f throttled, %.0f failed\n",
                   requests, throttles, failures);
        }
        run_result_release(&res);
        check_unload(&cs);
    }
}

int main(void)
{
    test_latency();
    test_throttles();
    return check_done();
}
