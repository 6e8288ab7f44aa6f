/* retries.c — a timeout below the service time makes every attempt fail: attempts exceed
 * requests by the configured factor, and the load downstream rises with them, because an
 * abandoned attempt's work goes on.
 *
 * 1. Client retries: the clients wait 50 ms, service takes a constant 100 ms, 3 attempts.
 *    Every request ends as a timeout after exactly 3 attempts; the ALB and the fleet serve
 *    3 times the offered load (each attempt's 100 ms of CPU is spent although nobody waits
 *    for it any more), and CPU use is 3 times what the offered load alone would need.
 * 2. Caller retries: web calls app-lb with a 50 ms timeout and 4 attempts; app takes 100 ms.
 *    Every web request fails with 500 (the handler's error when a dependency fails) after
 *    4 attempts; app serves 4 times web's requests; the entry ALB counts those 500s as 500.
 * 3. A late answer: the answer would reach the client after its timeout (a slow network
 *    leg); it is a timeout, although the client, a relay, is handed it before. */
#include "check.h"

#include <math.h>
#include <string.h>

static const char *client_retries =
    "{ \"name\": \"client-retries\", \"seed\": 11, \"duration\": \"600s\", \"interval\": \"600s\","
    "  \"workload\": { \"entry\": \"lb\", \"rate\": 10,"
    "    \"client\": { \"timeout\": \"50ms\", \"retry\": { \"max_attempts\": 3, \"base\": \"20ms\" } } },"
    "  \"components\": {"
    "    \"lb\": { \"type\": \"alb\", \"targets\": \"web\" },"
    "    \"web\": { \"type\": \"fleet\", \"instance\": { \"vcpus\": 8 },"
    "      \"asg\": { \"min_size\": 1, \"max_size\": 1, \"desired_capacity\": 1 },"
    "      \"handlers\": { \"default\": [ { \"cpu\": \"100ms\" } ] } } } }";

static const char *caller_retries =
    "{ \"name\": \"caller-retries\", \"seed\": 12, \"duration\": \"600s\", \"interval\": \"600s\","
    "  \"workload\": { \"entry\": \"lb\", \"rate\": 10 },"
    "  \"components\": {"
    "    \"lb\": { \"type\": \"alb\", \"targets\": \"web\" },"
    "    \"web\": { \"type\": \"fleet\", \"instance\": { \"vcpus\": 2 },"
    "      \"asg\": { \"min_size\": 1, \"max_size\": 1, \"desired_capacity\": 1 },"
    "      \"handlers\": { \"default\": [ { \"cpu\": \"1ms\" }, { \"call\": \"app-lb\","
    "        \"timeout\": \"50ms\", \"retry\": { \"max_attempts\": 4, \"base\": \"10ms\" } } ] } },"
    "    \"app-lb\": { \"type\": \"alb\", \"targets\": \"app\" },"
    "    \"app\": { \"type\": \"fleet\", \"instance\": { \"vcpus\": 16 },"
    "      \"asg\": { \"min_size\": 1, \"max_size\": 1, \"desired_capacity\": 1 },"
    "      \"handlers\": { \"default\": [ { \"cpu\": \"100ms\" } ] } } } }";

/* The answer is sent at 150 ms (50 ms of CPU after a 100 ms leg in) and would arrive at
 * 250 ms (ALB latency 0): past the client's 200 ms timeout, however early the answer is
 * handed to the client (a relay). */
static const char *late_answer =
    "{ \"name\": \"late-answer\", \"seed\": 13, \"duration\": \"60s\", \"interval\": \"60s\","
    "  \"azs\": [\"a\"], \"network\": { \"same_az\": \"100ms\" },"
    "  \"workload\": { \"entry\": \"lb\", \"rate\": 5, \"client\": { \"timeout\": \"200ms\" } },"
    "  \"components\": {"
    "    \"lb\": { \"type\": \"alb\", \"targets\": \"web\", \"latency\": 0 },"
    "    \"web\": { \"type\": \"fleet\", \"instance\": { \"vcpus\": 8 },"
    "      \"asg\": { \"min_size\": 1, \"max_size\": 1, \"desired_capacity\": 1 },"
    "      \"handlers\": { \"default\": [ { \"cpu\": \"50ms\" } ] } } } }";

static double sum_col(const struct check_table *t, const char *name)
{
    int c = check_col(t, name);
    double s = 0;
    for (uint32_t r = 0; c >= 0 && r < t->nrows; r++)
        s += check_num(t, r, c);
    return s;
}

static void test_client(void)
{
    struct check_scenario cs;
    CHECK_EQ_INT(check_load(&cs, client_retries, NULL), 0);
    struct run_result res;
    CHECK_EQ_INT(check_run_to(&cs, "retries-client.out", &res), 0);
    double requests = run_result_get(&res, "requests"), attempts = run_result_get(&res, "attempts");
    double unfinished = run_result_get(&res, "unfinished");
    double timeouts = run_result_get(&res, "errors_timeout");
    CHECK(run_result_get(&res, "ok") == 0, "no attempt can succeed");
    CHECK(timeouts == requests - unfinished, "every finished request timed out: %.0f of %.0f",
          timeouts, requests - unfinished);
    CHECK(attempts >= 3 * (requests - unfinished) && attempts <= 3 * requests,
          "attempts %.0f, requests %.0f (%.0f unfinished): 3 each", attempts, requests,
          unfinished);
    /* the ALB and the fleet see every attempt (one 600 s row: rates x 600 = counts) */
    struct check_table ts;
    check_table_load(&ts, "retries-client.out", "timeseries.csv");
    double offered = 600 * sum_col(&ts, "offered_rps");
    double served = 600 * sum_col(&ts, "web.requests_rps");
    double alb = 600 * sum_col(&ts, "lb.requests_rps");
    CHECK(fabs(served / offered - 3) < 0.01, "web served %.0f for %.0f offered: 3x", served,
          offered);
    CHECK(fabs(alb / offered - 3) < 0.01, "the ALB saw %.0f for %.0f offered: 3x", alb, offered);
    /* 100 ms of CPU per attempt on 8 vCPUs, for 600 s (about 3 x 10/s x 0.1 s / 8 = 37.5 %) */
    double cpu = run_result_get(&res, "web.cpu_pct_mean");
    double want = 100 * served * 0.1 / (600 * 8);
    CHECK(fabs(cpu - want) < 0.2,
          "web CPU %.2f %%: the abandoned attempts' work still runs (%.2f %%)", cpu, want);
    printf("client: %.0f requests, %.0f attempts (%.3f each), web served %.3fx the offered "
           "load, CPU %.2f %%\n",
           requests, attempts, attempts / requests, served / offered, cpu);
    check_table_free(&ts);
    run_result_release(&res);
    check_unload(&cs);
}

static void test_caller(void)
{
    struct check_scenario cs;
    CHECK_EQ_INT(check_load(&cs, caller_retries, NULL), 0);
    struct run_result res;
    CHECK_EQ_INT(check_run_to(&cs, "retries-caller.out", &res), 0);
    double requests = run_result_get(&res, "requests"), unfinished = run_result_get(&res, "unfinished");
    CHECK(run_result_get(&res, "errors_500") == requests - unfinished,
          "every finished request failed with 500: %.0f of %.0f",
          run_result_get(&res, "errors_500"), requests - unfinished);
    CHECK(run_result_get(&res, "attempts") == requests, "the client does not retry");
    struct check_table ts;
    check_table_load(&ts, "retries-caller.out", "timeseries.csv");
    double web = 600 * sum_col(&ts, "web.requests_rps");
    double app = 600 * sum_col(&ts, "app.requests_rps");
    CHECK(fabs(app / web - 4) < 0.01, "app served %.0f for web's %.0f: 4x", app, web);
    double lb500 = 600 * sum_col(&ts, "lb.errors_500_rps"), lb504 = 600 * sum_col(&ts, "lb.errors_504_rps");
    CHECK(lb500 <= web && lb500 >= web - 10 && lb504 == 0, /* a few in flight at the end */
          "the entry ALB passes web's 500s through as 500 (%.0f of %.0f), not 504 (%.0f)", lb500,
          web, lb504);
    double calls = run_result_get(&res, "web.calls"), tries = run_result_get(&res, "web.call_attempts");
    double timeouts = run_result_get(&res, "web.call_timeouts"), failures = run_result_get(&res, "web.call_failures");
    CHECK(calls > 5000 && fabs(tries / calls - 4) < 0.01 && fabs(timeouts / calls - 4) < 0.01,
          "web's call step: %.0f calls, %.0f attempts, %.0f timeouts: 4 of each per call", calls,
          tries, timeouts);
    CHECK(failures <= calls && failures >= calls - 10, "%.0f of %.0f calls failed", failures, calls);
    printf("caller: web %.0f requests, app %.0f (%.3fx), all 500; %.0f calls, %.0f attempts\n",
           web, app, app / web, calls, tries);
    check_table_free(&ts);
    run_result_release(&res);
    check_unload(&cs);
}

static void test_late_answer(void)
{
    struct check_scenario cs;
    CHECK_EQ_INT(check_load(&cs, late_answer, NULL), 0);
    struct run_result res;
    CHECK_EQ_INT(check_run_to(&cs, "retries-late.out", &res), 0);
    double requests = run_result_get(&res, "requests"), unfinished = run_result_get(&res, "unfinished");
    CHECK(requests > 200, "%.0f requests", requests);
    CHECK(run_result_get(&res, "ok") == 0, "an answer arriving after the timeout is no success");
    CHECK(run_result_get(&res, "errors_timeout") == requests - unfinished,
          "every finished request timed out: %.0f of %.0f",
          run_result_get(&res, "errors_timeout"), requests - unfinished);
    printf("late answers: %.0f requests, all timed out\n", requests);
    run_result_release(&res);
    check_unload(&cs);
}

int main(void)
{
    test_client();
    test_caller();
    test_late_answer();
    return check_done();
}
