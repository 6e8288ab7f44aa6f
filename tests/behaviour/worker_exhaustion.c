/* worker_exhaustion.c — the classic software bottleneck (DESIGN.md): a request holds its web
 * worker slot while the tiers below work on it, so a slow database exhausts the web tier's
 * workers while its CPUs sit idle, and scaling on CPU would see nothing.
 *
 * Set-up: 150 rps through web (2 instances, 2 vCPUs, 16 worker slots, backlog 16, 4 ms of
 * CPU per request) to app (2 instances, 4 vCPUs, 1000 slots: it never refuses) to an RDS
 * database whose reads take 10 ms of one of its 4 vCPUs. Then the same with reads ten times slower (100 ms): the
 * database needs 15 vCPUs for 150 reads/s and has 4.
 *
 * Checked: the web tier's CPU utilisation stays low in both runs (its work per request did
 * not change, and in the slow run it refuses most requests); in the slow run its worker
 * slots fill up, web latency rises tenfold or more and most clients get errors (503 from
 * full web backlogs), while the database's CPU is saturated. */
#include "check.h"

#include <math.h>

static const char *scenario =
    "{ \"name\": \"workers\", \"seed\": 21, \"duration\": \"10m\", \"warmup\": \"2m\","
    "  \"interval\": \"1m\", \"azs\": [\"a\", \"b\"],"
    "  \"workload\": { \"entry\": \"lb\", \"rate\": 150 },"
    "  \"components\": {"
    "    \"lb\": { \"type\": \"alb\", \"targets\": \"web\", \"idle_timeout\": \"20s\" },"
    "    \"web\": { \"type\": \"fleet\", \"instance\": { \"vcpus\": 2, \"workers\": 16, \"backlog\": 16 },"
    "      \"asg\": { \"min_size\": 2, \"max_size\": 2, \"desired_capacity\": 2 },"
    "      \"handlers\": { \"default\": [ { \"cpu\": { \"dist\": \"exp\", \"mean\": \"4ms\" } },"
    "                                   { \"call\": \"app-lb\" } ] } },"
    "    \"app-lb\": { \"type\": \"alb\", \"targets\": \"app\" },"
    "    \"app\": { \"type\": \"fleet\", \"instance\": { \"vcpus\": 4, \"workers\": 1000, \"backlog\": 1000 },"
    "      \"asg\": { \"min_size\": 2, \"max_size\": 2, \"desired_capacity\": 2 },"
    "      \"handlers\": { \"default\": [ { \"cpu\": { \"dist\": \"exp\", \"mean\": \"2ms\" } },"
    "                                   { \"db\": \"db\", \"op\": \"read\" } ] } },"
    "    \"db\": { \"type\": \"rds\", \"instance_class\": \"db.r5.xlarge\", \"client_pool_size\": 64,"
    "      \"read\": { \"dist\": \"exp\", \"mean\": \"10ms\" } } } }";

struct outcome {
    double web_cpu, web_busy, lat, errors, requests, db_cpu;
};

static struct outcome run(const char *const *sets, const char *dir)
{
    struct check_scenario cs;
    CHECK_EQ_INT(check_load(&cs, scenario, sets), 0);
    struct run_result res;
    CHECK_EQ_INT(check_run_to(&cs, dir, &res), 0);
    struct outcome o = {
        .web_cpu = run_result_get(&res, "web.cpu_pct_mean"),
        .lat = run_result_get(&res, "latency_mean_ms"),
        .errors = run_result_get(&res, "errors"),
        .requests = run_result_get(&res, "requests"),
        .db_cpu = run_result_get(&res, "db.cpu_pct_mean"),
    };
    /* busy worker slots, averaged over the rows after the warm-up */
    struct check_table ts;
    check_table_load(&ts, dir, "timeseries.csv");
    int c = check_col(&ts, "web.busy_workers"), n = 0;
    for (uint32_t r = 0; c >= 0 && r < ts.nrows; r++)
        if (check_num(&ts, r, 0) > 120) {
            o.web_busy += check_num(&ts, r, c);
            n++;
        }
    o.web_busy = n ? o.web_busy / n : 0;
    check_table_free(&ts);
    run_result_release(&res);
    check_unload(&cs);
    return o;
}

int main(void)
{
    struct outcome fast = run(NULL, "workers-fast.out");
    struct outcome slow = run((const char *const[]){"components.db.read.mean=100ms", NULL},
                              "workers-slow.out");
    printf("fast: web CPU %.1f %%, busy workers %.1f of 32, latency %.1f ms, errors %.0f of "
           "%.0f, db CPU %.1f %%\n",
           fast.web_cpu, fast.web_busy, fast.lat, fast.errors, fast.requests, fast.db_cpu);
    printf("slow: web CPU %.1f %%, busy workers %.1f of 32, latency %.1f ms, errors %.0f of "
           "%.0f, db CPU %.1f %%\n",
           slow.web_cpu, slow.web_busy, slow.lat, slow.errors, slow.requests, slow.db_cpu);
    /* 150 rps x 4 ms on 4 vCPUs: 15 % either way (the slow run serves no more than offered) */
    CHECK(fast.web_cpu < 20 && slow.web_cpu < 20, "web CPU stays low: %.1f %% and %.1f %%",
          fast.web_cpu, slow.web_cpu);
    CHECK(fast.web_busy < 8, "with a fast database few web workers are busy: %.1f",
          fast.web_busy);
    /* at least half, and often all of them: the ALB's checks time out on the full instances,
     * it takes one out of service for a while and the other gets every request */
    CHECK(slow.web_busy > 16 && slow.web_busy > 5 * fast.web_busy,
          "with a slow database the web workers fill up: %.1f of 32", slow.web_busy);
    CHECK(slow.lat > 10 * fast.lat, "web latency rises tenfold: %.1f ms against %.1f ms",
          slow.lat, fast.lat);
    CHECK(fast.errors == 0, "no error with a fast database: %.0f", fast.errors);
    CHECK(slow.errors > 0.5 * slow.requests, "most requests fail with a slow database: %.0f of %.0f",
          slow.errors, slow.requests);
    CHECK(slow.db_cpu > 95, "the database is the bottleneck: CPU %.1f %%", slow.db_cpu);
    return check_done();
}
