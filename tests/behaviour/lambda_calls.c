/* lambda_calls.c — a fleet calling Lambda functions: synchronously, with the caller's
 * retries on 429 (LAM-7: Lambda does not retry, the SDK does), and asynchronously (LAM-8:
 * OK at once, Lambda retries the event itself).
 *
 * web (a fleet behind an ALB) runs: 1 ms of CPU; a call to `fn` (reserved_concurrency 5,
 * 50 ms handlers) with 3 attempts; an asynchronous call to `audit` (reserved_concurrency 2,
 * 200 ms handlers), at 50 requests a second. Checks:
 * - every attempt of web's `fn` step reaches the function: invocations + throttles = the
 *   step's attempts (web's call attempts less the one attempt of each `audit` call);
 * - a request fails (500) exactly when its `fn` step's three attempts were all throttled:
 *   the client's errors_500 = web's call_failures;
 * - `fn` throttles some attempts (offered load 2.5 on 5 environments: Erlang B gives 7 % of
 *   first attempts; of all attempts about 16 %, since a retry 0-10 ms later mostly finds the
 *   same 50 ms invocations still running: short backoffs barely help), and at most 5 run at
 *   once;
 * - the asynchronous call does not wait: the clients' mean latency is about 1 ms + 50 ms, far
 *   below audit's 200 ms; each request that passed `fn` queued one event;
 * - `audit` (offered load 50 x 0.2 = 10 on 2 environments) throttles most first tries, and
 *   its events retry after 1 s, 2 s, 4 s ... up to 5 min: some are still waiting when the
 *   run ends, none is dropped (6 h of age allowed), and every try is an invocation or a
 *   throttle;
 * - every event that ran is a done event (no function error here). */
#include "check.h"

#include <math.h>
#include <stdio.h>

static const char *calls =
    "{ \"name\": \"lambda-calls\", \"seed\": 41, \"duration\": 600, \"interval\": 600,"
    "  \"azs\": [\"us-east-1a\", \"us-east-1b\"],"
    "  \"workload\": { \"entry\": \"lb\", \"rate\": 50 },"
    "  \"components\": {"
    "    \"lb\": { \"type\": \"alb\", \"targets\": \"web\" },"
    "    \"web\": { \"type\": \"fleet\", \"instance\": { \"vcpus\": 4 },"
    "      \"asg\": { \"min_size\": 2, \"max_size\": 2 },"
    "      \"handlers\": { \"default\": [ { \"cpu\": \"1ms\" },"
    "        { \"call\": \"fn\", \"retry\": { \"max_attempts\": 3, \"base\": \"10ms\" } },"
    "        { \"call\": \"audit\", \"invocation\": \"event\" } ] } },"
    "    \"fn\": { \"type\": \"lambda\", \"reserved_concurrency\": 5, \"init\": \"100ms\","
    "      \"handlers\": { \"default\": [ { \"delay\": \"50ms\" } ] } },"
    "    \"audit\": { \"type\": \"lambda\", \"reserved_concurrency\": 2, \"init\": 0,"
    "      \"handlers\": { \"default\": [ { \"delay\": \"200ms\" } ] } } } }";

int main(void)
{
    struct check_scenario cs;
    CHECK_EQ_INT(check_load(&cs, calls, NULL), 0);
    struct run_result res;
    CHECK_EQ_INT(check_run_to(&cs, "lambda-calls.out", &res), 0);
    check_unload(&cs);
#define V(name) run_result_get(&res, name)
    double requests = V("requests"), ok = V("ok"), unfinished = V("unfinished");
    double fn_inv = V("fn.invocations"), fn_thr = V("fn.throttles");
    double au_events = V("audit.events"), au_inv = V("audit.invocations");
    double au_thr = V("audit.throttles");
    printf("requests %.0f, ok %.0f, errors_500 %.0f; fn: %.0f invocations, %.0f throttles "
           "(%.1f %% of attempts), at most %.0f at once; latency mean %.1f ms; audit: %.0f "
           "events, %.0f invocations, %.0f throttles, %.0f dropped\n",
           requests, ok, V("errors_500"), fn_inv, fn_thr, 100 * fn_thr / (fn_inv + fn_thr),
           V("fn.concurrency_max"), V("latency_mean_ms"), au_events, au_inv, au_thr,
           V("audit.events_dropped"));
    /* web's call attempts: the fn step's, and one per audit call */
    CHECK(V("web.call_attempts") - au_events == fn_inv + fn_thr,
          "fn sees every attempt: %.0f - %.0f != %.0f + %.0f", V("web.call_attempts"), au_events,
          fn_inv, fn_thr);
    CHECK(V("errors_500") == V("web.call_failures"), "a request fails when fn's step does");
    CHECK(V("errors") == V("errors_500"), "no other error");
    CHECK(fn_thr / (fn_inv + fn_thr) > 0.07 && fn_thr / (fn_inv + fn_thr) < 0.3,
          "fn throttles more than Erlang B's 7 %% of first attempts");
    CHECK(V("fn.concurrency_max") <= 5, "reserved 5: at most 5 at once");
    CHECK(V("latency_mean_ms") > 50 && V("latency_mean_ms") < 70,
          "the asynchronous call does not wait: mean %.1f ms", V("latency_mean_ms"));
    /* each request that got past fn queued one event (those in flight at the end aside) */
    CHECK(fabs(au_events - ok) <= unfinished, "events %.0f, ok %.0f, unfinished %.0f",
          au_events, ok, unfinished);
    CHECK(au_thr > au_events / 2, "audit throttles most first tries (load 10 on 2)");
    CHECK(V("audit.events_dropped") == 0, "no event dropped within 6 h");
    CHECK(au_inv <= au_events && au_inv > 0.9 * 2 * 600 / 0.2 * 0.9,
          "audit runs at its capacity: %.0f invocations (2 environments x 600 s / 0.2 s = 6000)",
          au_inv);
    CHECK(V("audit.errors") == 0 && V("fn.errors") == 0, "no function error");
    run_result_release(&res);
    return check_done();
}
