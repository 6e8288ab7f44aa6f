/* apigw.c — API Gateway in front of an ALB and a fleet, through the whole program: its
 * token bucket throttles (429, APIGW-1), its integration timeout answers 504 while the
 * fleet's work goes on (APIGW-2), and every request ends once.
 *
 * Set-up: an API with a bucket of 100 tokens refilled at 200/s in front of an ALB and two
 * 4-vCPU instances; requests of ~10 ms of CPU, one in a hundred waiting 40 s on a slow
 * dependency. Clients send 100/s for 100 s (under the rate: never throttled), then 400/s for
 * 100 s (twice the rate: about half throttled), then nothing for 100 s so that everything,
 * the 40 s waits included, ends.
 *
 * Checked: conservation (requests = ok + errors, nothing unfinished, every request object
 * back in the pool, the gateway's counts equal to the client's); no 429 in the first phase;
 * in every interval of the second phase, the requests through the bucket equal its
 * arithmetic, rate x interval + the tokens at the start - the tokens at the end (from
 * timeseries.csv, to its printed precision); the 429s of the whole run equal the requests
 * less those the bucket arithmetic lets through; the slow requests get 504 at the gateway's
 * 29 s and the instances still hold them afterwards; the cost is the requests through the
 * bucket at $3.50 per million (APIGW-3). Then the same with clients that time out at 5 s and
 * retry, with the gateway's timeout at 29 s and at 1 s: conservation again. */
#include "check.h"

static const char *scenario =
    "{ \"name\": \"apigw\", \"seed\": 21, \"duration\": \"300s\", \"interval\": \"10s\","
    "  \"workload\": { \"entry\": \"api\", \"rate\": { \"shape\": \"piecewise\","
    "      \"points\": [[0, 100], [99.999, 100], [100, 400], [199.999, 400], [200, 0]] } },"
    "  \"components\": {"
    "    \"api\": { \"type\": \"apigw\", \"integration\": \"lb\", \"rate\": 200, \"burst\": 100 },"
    "    \"lb\": { \"type\": \"alb\", \"targets\": \"web\" },"
    "    \"web\": { \"type\": \"fleet\", \"instance\": { \"vcpus\": 4 },"
    "      \"asg\": { \"min_size\": 2, \"max_size\": 2 },"
    "      \"handlers\": { \"default\": [ { \"cpu\": { \"dist\": \"exp\", \"mean\": \"10ms\" } },"
    "        { \"p\": 0.01, \"then\": [ { \"delay\": \"40s\" } ] } ] } } } }";

static double col(const struct run_result *res, const char *name)
{
    double v = run_result_get(res, name);
    CHECK(v == v, "summary has no column %s", name);
    return v;
}

/* Clients that retry (429s, 504s) and give up: at 5 s, before the gateway's 29 s (the
 * client's and the gateway's abandoned work both end downstream), and with a gateway timeout
 * of 1 s that comes before the client's 5 s. Every request still ends once, and every
 * request object comes back. */
static void conserve_with_clients(const char *const *sets, const char *dir)
{
    struct check_scenario cs;
    CHECK_EQ_INT(check_load(&cs, scenario, sets), 0);
    struct run_result res;
    CHECK_EQ_INT(check_run_to(&cs, dir, &res), 0);
    double requests = col(&res, "requests"), ok = col(&res, "ok"), errors = col(&res, "errors");
    double attempts = col(&res, "attempts"), api_requests = col(&res, "api.requests");
    CHECK(requests > 45000 && requests == ok + errors, "%s: requests %.0f != ok %.0f + errors "
          "%.0f", dir, requests, ok, errors);
    CHECK_EQ_INT(col(&res, "unfinished"), 0);
    CHECK(res.requests_live == 0, "%s: %llu request objects never returned to the pool", dir,
          (unsigned long long)res.requests_live);
    CHECK(attempts > requests, "%s: %.0f attempts for %.0f requests: no retry", dir, attempts,
          requests);
    CHECK_EQ_INT(api_requests, attempts); /* every attempt reaches the gateway */
    CHECK(col(&res, "api.ok") >= ok, "%s: the gateway answered %.0f ok, the clients counted "
          "%.0f", dir, col(&res, "api.ok"), ok);
    printf("%s: %.0f requests, %.0f attempts, %.0f ok, %.0f 429, %.0f 504, %.0f timeouts; "
           "%.0f integration timeouts; pool empty\n",
           dir, requests, attempts, ok, col(&res, "errors_429"), col(&res, "errors_504"),
           col(&res, "errors_timeout"), col(&res, "api.integration_timeouts"));
    run_result_release(&res);
    check_unload(&cs);
}

int main(void)
{
    struct check_scenario cs;
    CHECK_EQ_INT(check_load(&cs, scenario, NULL), 0);
    struct run_result res;
    CHECK_EQ_INT(check_run_to(&cs, "apigw.out", &res), 0);
    double requests = col(&res, "requests"), ok = col(&res, "ok"), errors = col(&res, "errors");
    double e429 = col(&res, "errors_429"), e504 = col(&res, "errors_504");
    double api_requests = col(&res, "api.requests"), throttled = col(&res, "api.throttled");
    double api_ok = col(&res, "api.ok"), api_504 = col(&res, "api.errors_504");
    double timeouts = col(&res, "api.integration_timeouts"), cost = col(&res, "api.cost_usd");

    /* conservation */
    CHECK(requests > 45000 && requests == ok + errors, "requests %.0f != ok %.0f + errors %.0f",
          requests, ok, errors);
    CHECK_EQ_INT(col(&res, "unfinished"), 0);
    CHECK(res.requests_live == 0, "%llu request objects never returned to the pool",
          (unsigned long long)res.requests_live);
    CHECK(errors == e429 + e504, "errors %.0f: %.0f 429s and %.0f 504s, and others", errors,
          e429, e504);
    CHECK_EQ_INT(api_requests, requests); /* no warm-up, no retries: the same requests */
    CHECK_EQ_INT(throttled, e429);
    CHECK_EQ_INT(api_ok, ok);
    CHECK_EQ_INT(api_504, e504);
    CHECK_EQ_INT(timeouts, e504); /* the ALB's idle timeout (60 s) never comes first */
    CHECK_NEAR(cost, (requests - throttled) * 3.50 / 1e6, 0.5e-6);
    /* about 1 % of those through wait 40 s: 504 at 29 s */
    double through = requests - throttled;
    CHECK(e504 > 0.007 * through && e504 < 0.013 * through, "%.0f 504s of %.0f through", e504,
          through);

    /* the bucket's arithmetic, interval by interval */
    struct check_table ts;
    check_table_load(&ts, "apigw.out", "timeseries.csv");
    int c_t = check_col(&ts, "t_s"), c_req = check_col(&ts, "api.requests_rps"),
        c_thr = check_col(&ts, "api.throttled_rps"), c_tok = check_col(&ts, "api.tokens"),
        c_busy = check_col(&ts, "web.busy_workers"), c_504 = check_col(&ts, "api.errors_504_rps");
    double prev_tokens = 100, phase1 = 0, phase2 = 0, tok100 = 0, tok200 = 0, late504 = 0;
    for (uint32_t r = 0; r < ts.nrows; r++) {
        double t = check_num(&ts, r, c_t), tok = check_num(&ts, r, c_tok);
        double in = 10 * check_num(&ts, r, c_req), thr = 10 * check_num(&ts, r, c_thr);
        if (t <= 100) {
            CHECK(thr == 0, "t=%.0f: %.0f throttled under the rate", t, thr);
            phase1 += in;
        } else if (t <= 200) {
            phase2 += in;
            /* from the second interval on the bucket never fills: nothing is lost */
            if (t >= 120)
                CHECK_NEAR(in - thr, 200 * 10 + prev_tokens - tok, 0.06);
            CHECK(tok < 100, "t=%.0f: %.3f tokens under twice the rate", t, tok);
        } else {
            CHECK(in == 0, "t=%.0f: %.0f requests after the arrivals stopped", t, in);
            if (t <= 230)
                late504 += 10 * check_num(&ts, r, c_504);
            if (t == 210)
                CHECK(check_num(&ts, r, c_busy) > 10, "t=%.0f: %.3f workers busy: the slow work "
                      "goes on after the arrivals stop", t, check_num(&ts, r, c_busy));
        }
        if (t == 100)
            tok100 = tok;
        if (t == 200)
            tok200 = tok;
        prev_tokens = tok;
    }
    check_table_free(&ts);
    /* whole run: through the bucket = phase 1 (never throttled) + rate x 100 s + the tokens
     * at 100 s - those at 200 s, less what refill a still-full bucket lost at ~100 s */
    double expect = phase1 + 200 * 100 + tok100 - tok200;
    CHECK(through <= expect + 0.1 && through >= expect - 3, "through %.0f, bucket arithmetic %.3f",
          through, expect);
    CHECK_NEAR(throttled, phase1 + phase2 - through, 0.5);
    CHECK(late504 > 0, "504s of the last slow requests come after the arrivals stop");
    printf("apigw: %.0f requests, %.0f throttled (429), %.0f through (bucket arithmetic %.3f), "
           "%.0f integration timeouts (504), $%.6f\n",
           requests, throttled, through, expect, timeouts, cost);
    run_result_release(&res);
    check_unload(&cs);
    conserve_with_clients(
        (const char *const[]){"workload.client.timeout=5s", "workload.client.retry.max_attempts=3",
                              NULL},
        "apigw-clients.out");
    conserve_with_clients(
        (const char *const[]){"workload.client.timeout=5s", "workload.client.retry.max_attempts=3",
                              "components.api.integration_timeout=1s", NULL},
        "apigw-clients-1s.out");
    return check_done();
}
