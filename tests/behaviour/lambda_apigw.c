/* lambda_apigw.c — API Gateway in front of a Lambda function (a Lambda proxy integration):
 * the function's statuses as the gateway's clients see them (docs/models/apigw.md,
 * docs/models/lambda.md).
 *
 * 100 requests a second to a function with reserved_concurrency 5 whose handler takes an
 * exponential 40 ms, and 1 % of the time 2 s more, past its 1 s timeout: a load of about 5
 * on 5 environments, so many invocations are throttled (LAM-7), and the slow ones time out.
 * - A throttle (429) reaches the client as the gateway's `lambda_throttle_status`: 500 by
 *   default (INTEGRATION_FAILURE), 429 when the API remaps it; a function error (the
 *   timeout's 500) as 502. Every request counts once: the client's 500s (or 429s) are the
 *   function's throttles, its 502s the function's errors.
 * - The gateway passes every request to the function (its own bucket never empties here):
 *   the function's invocations and throttles add up to the gateway's requests, in flight at
 *   the end aside. */
#include "check.h"

#include <stdio.h>

static const char *gw =
    "{ \"name\": \"lambda-apigw\", \"seed\": 51, \"duration\": 300, \"interval\": 300,"
    "  \"workload\": { \"entry\": \"api\", \"rate\": 100 },"
    "  \"components\": {"
    "    \"api\": { \"type\": \"apigw\", \"integration\": \"fn\" },"
    "    \"fn\": { \"type\": \"lambda\", \"reserved_concurrency\": 5, \"timeout\": 1,"
    "      \"handlers\": { \"default\": [ { \"delay\": { \"dist\": \"exp\", \"mean\": \"40ms\" } },"
    "        { \"p\": 0.01, \"then\": [ { \"delay\": 2 } ] } ] } } } }";

static void run(const char *const *sets, int throttle_status)
{
    struct check_scenario cs;
    CHECK_EQ_INT(check_load(&cs, gw, sets), 0);
    struct run_result res;
    CHECK_EQ_INT(check_run_to(&cs, "lambda-apigw.out", &res), 0);
    check_unload(&cs);
#define V(name) run_result_get(&res, name)
    double thr = V("fn.throttles"), err = V("fn.errors"), inv = V("fn.invocations");
    const char *col = throttle_status == 429 ? "errors_429" : "errors_500";
    printf("lambda_throttle_status %d: requests %.0f, ok %.0f, %s %.0f, errors_502 %.0f; fn: "
           "%.0f invocations, %.0f throttles, %.0f errors (%.0f timeouts)\n",
           throttle_status, V("requests"), V("ok"), col, V(col), V("errors_502"), inv, thr, err,
           V("fn.timeouts"));
    CHECK(thr > 1000 && err > 100, "throttles and timeouts both happen");
    CHECK(V(col) == thr, "the client's %s are the function's throttles", col);
    CHECK(V("errors_502") == err, "the client's 502s are the function's errors");
    CHECK(V("errors") == thr + err, "no other error");
    CHECK(V("fn.timeouts") == err, "the errors are the timeouts");
    CHECK(V("api.throttled") == 0, "the gateway's bucket never empties");
    CHECK(V("api.requests") - V("unfinished") <= inv + thr && inv + thr <= V("api.requests"),
          "every request reaches the function: %.0f + %.0f, %.0f requests", inv, thr,
          V("api.requests"));
    run_result_release(&res);
}

int main(void)
{
    run(NULL, 500);
    run((const char *const[]){"components.api.lambda_throttle_status=429", NULL}, 429);
    return check_done();
}
