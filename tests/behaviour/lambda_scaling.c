/* lambda_scaling.c — a Lambda function from zero under a step to far more load than its
 * scaling rate allows: how fast its concurrency may grow, and what is throttled meanwhile.
 *
 * 1. Current model (LAM-2): each function may add 1,000 environments at once, then 100 a
 *    second (1,000 per 10 s), the rest throttled with 429 (LAM-7). 2,000 invocations a second
 *    for 60 s, each holding its environment 100 s (none frees up during the run), account
 *    concurrency 20,000 (never binding). Theory: environments N(t) = 1000 + 100 t, so the
 *    rows every 10 s read 2000, 3000, ..., 7000 (a token that falls due just before the row
 *    may wait for the next arrival, 0.5 ms on average: one short at most); every 10 s window
 *    after the first adds 1,000 (+-1); throttled = offered - N.
 * 2. The account's limit: the same with concurrency 2,500: N climbs at the same rate until
 *    2,500 (at t = 15 s), then stays; the 429s after that are the concurrency limit's, as the
 *    event log's throttling row says.
 * 3. Pre-2023 model (LAM-3): account-wide, the burst of 3,000 at once, then 500 a minute
 *    from the moment the burst is used up (1.5 s at 2,000 a second; the rate does not
 *    accumulate before): N(t) = 3000 + 500 (t - 1.5) / 60, rows every 30 s reading 3237,
 *    3487, ..., 4487 (at most one short: a token may wait for the next arrival).
 * Every invocation counts once: invocations + throttles = requests, and the client's 429s
 * are the function's throttles (a function URL: the client sees them directly). */
#include "check.h"
#include "events.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#define SCENARIO_FMT                                                                           \
    "{ \"name\": \"%s\", \"seed\": 21, \"duration\": %d, \"interval\": %d," \
    "  \"azs\": [\"us-east-1a\", \"us-east-1b\", \"us-east-1c\"]," \
    "  \"lambda_account\": { \"concurrency\": %d%s }," \
    "  \"workload\": { \"entry\": \"fn\", \"rate\": 2000 }," \
    "  \"components\": {" \
    "    \"fn\": { \"type\": \"lambda\", \"timeout\": 900," \
    "      \"handlers\": { \"default\": [ { \"delay\": 1000 } ] } } } }"

struct run {
    struct check_table ts, ev;
    struct run_result res;
    bool ok;
};

static void run(struct run *r, const char *name, int duration, int interval, int concurrency,
                const char *scaling)
{
    char json[2048], dir[64];
    snprintf(json, sizeof json, SCENARIO_FMT, name, duration, interval, concurrency, scaling);
    snprintf(dir, sizeof dir, "%s.out", name);
    struct check_scenario cs;
    memset(r, 0, sizeof *r);
    r->ok = check_load(&cs, json, NULL) == 0;
    CHECK(r->ok, "%s does not load", name);
    if (!r->ok)
        return;
    CHECK_EQ_INT(check_run_to(&cs, dir, &r->res), 0);
    check_unload(&cs);
    r->ok = check_table_load(&r->ts, dir, "timeseries.csv") &&
            check_table_load(&r->ev, dir, "events.csv");
    double requests = run_result_get(&r->res, "requests");
    double inv = run_result_get(&r->res, "fn.invocations");
    double thr = run_result_get(&r->res, "fn.throttles");
    CHECK(inv + thr == requests, "%s: invocations %.0f + throttles %.0f != requests %.0f", name,
          inv, thr, requests);
    CHECK(run_result_get(&r->res, "errors_429") == thr, "%s: the client's 429s are the "
          "function's throttles", name);
}

static void done(struct run *r)
{
    check_table_free(&r->ts);
    check_table_free(&r->ev);
    run_result_release(&r->res);
}

/* Row i's environments against the theory's n (one short at most). */
static void check_envs(const struct run *r, uint32_t i, double n)
{
    int c = check_col(&r->ts, "fn.environments");
    double got = check_num(&r->ts, i, c);
    printf("  t = %4.0f s: %5.0f environments, theory %5.0f\n",
           check_num(&r->ts, i, check_col(&r->ts, "t_s")), got, n);
    CHECK(got <= n && got >= n - 1, "row %u: %.0f environments, theory %.0f", i, got, n);
}

static void test_current(void)
{
    struct run r;
    printf("current scaling (LAM-2): 1000 + 100 t\n");
    run(&r, "lambda-rate", 60, 10, 20000, "");
    if (!r.ok)
        return;
    CHECK_EQ_INT(r.ts.nrows, 6);
    int env = check_col(&r.ts, "fn.environments"), conc = check_col(&r.ts, "fn.concurrency_max");
    double prev = 0;
    for (uint32_t i = 0; i < r.ts.nrows; i++) {
        double t = 10.0 * (i + 1);
        check_envs(&r, i, 1000 + 100 * t);
        double n = check_num(&r.ts, i, env);
        CHECK(check_num(&r.ts, i, conc) == n, "every environment is busy");
        if (i > 0)
            CHECK(fabs(n - prev - 1000) <= 1, "window %u: +%.0f, at most 1000 per 10 s", i,
                  n - prev);
        prev = n;
    }
    /* cold starts are the environments made; the rest of the offered load was throttled */
    CHECK(run_result_get(&r.res, "fn.cold_starts") == prev, "cold starts %.0f",
          run_result_get(&r.res, "fn.cold_starts"));
    CHECK(run_result_get(&r.res, "fn.throttles") == run_result_get(&r.res, "requests") - prev,
          "throttles");
    int row = ev_find(&r.ev, 0, "fn", "throttling", "at the scaling rate");
    CHECK(row >= 0 && ev_time(&r.ev, row) == 10, "a throttling row at 10 s");
    done(&r);
}

static void test_account_limit(void)
{
    struct run r;
    printf("account concurrency 2500\n");
    run(&r, "lambda-limit", 60, 5, 2500, "");
    if (!r.ok)
        return;
    for (uint32_t i = 0; i < r.ts.nrows; i++) {
        double t = 5.0 * (i + 1);
        check_envs(&r, i, fmin(1000 + 100 * t, 2500));
    }
    int row = ev_find(&r.ev, 0, "fn", "throttling", NULL);
    CHECK(row >= 0 && strstr(ev_detail(&r.ev, row), "account concurrency 2500"),
          "the throttling row names the limit");
    /* the concurrency limit's share: everything after 15 s */
    double requests = run_result_get(&r.res, "requests");
    CHECK(run_result_get(&r.res, "fn.throttles") == requests - 2500, "throttles");
    done(&r);
}

static void test_pre2023(void)
{
    struct run r;
    printf("pre-2023 scaling (LAM-3): 3000 + 500 (t - 1.5) / 60\n");
    run(&r, "lambda-pre2023", 180, 30, 20000, ", \"scaling\": \"pre-2023\"");
    if (!r.ok)
        return;
    CHECK_EQ_INT(r.ts.nrows, 6);
    for (uint32_t i = 0; i < r.ts.nrows; i++) {
        double t = 30.0 * (i + 1);
        check_envs(&r, i, floor(3000 + 500 * (t - 1.5) / 60));
    }
    int row = ev_find(&r.ev, 0, "fn", "throttling", "burst_rate per minute (LAM-3)");
    CHECK(row >= 0, "a throttling row names the pre-2023 rate");
    done(&r);
}

int main(void)
{
    test_current();
    test_account_limit();
    test_pre2023();
    return check_done();
}
