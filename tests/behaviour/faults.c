/* faults.c — every fault keeps the books straight, and leaves the traffic alone.
 *
 * A small three-tier world (web → internal ALB → app → cache with a replica, and a Multi-AZ
 * database) over three AZs, with clients that time out and retry. Each fault type is run on
 * its own, at 300 s, while arrivals go on until 1500 s; the run ends at 1800 s so that
 * everything drains. Checked for each:
 *
 * - conservation: requests = ok + errors + unfinished, errors = the sum of the error columns,
 *   nothing unfinished, and every request object back in the pool (docs/models/faults.md);
 * - common random numbers: the clients sent exactly the same requests, interval by interval
 *   (timeseries.csv's offered_rps), as in the run without the fault;
 * - faults.csv: one row, the right type, started at 300 s, struck something, recovered.
 *
 * An AZ outage is also checked to cost requests and capacity (it takes a third of each fleet)
 * and to get them back. A random fault (mtbf) recurs, a row per occurrence, the same times for
 * the same seed, and the traffic is still the same. The SLO's minutes: with a p99 of 1 ms
 * every minute with answers breaks it, with 1 h none does. */
#include "check.h"

#include <string.h>

static const char *scenario =
    "{ \"name\": \"faulty\", \"seed\": 11, \"duration\": \"1800s\", \"interval\": \"60s\","
    "  \"azs\": [\"a\", \"b\", \"c\"],"
    "  \"slo\": { \"latency_p99\": \"500ms\", \"error_rate_pct\": 1, \"settle\": \"2m\" },"
    "  \"workload\": { \"entry\": \"lb\","
    "    \"rate\": { \"shape\": \"piecewise\", \"points\": [[0, 80], [1499.999, 80], [1500, 0]] },"
    "    \"classes\": { \"read\": 3, \"write\": 1 },"
    "    \"client\": { \"timeout\": \"3s\", \"retry\": { \"max_attempts\": 2 } } },"
    "  \"components\": {"
    "    \"lb\": { \"type\": \"alb\", \"targets\": \"web\", \"algorithm\": \"least_outstanding_requests\" },"
    "    \"web\": { \"type\": \"fleet\", \"instance\": { \"vcpus\": 2, \"workers\": 32, \"backlog\": 32,"
    "      \"boot\": 20, \"bootstrap\": 30 },"
    "      \"asg\": { \"min_size\": 3, \"max_size\": 6, \"desired_capacity\": 3, \"health_check_type\": \"ELB\" },"
    "      \"handlers\": { \"default\": [ { \"cpu\": { \"dist\": \"exp\", \"mean\": \"4ms\" } },"
    "                                   { \"call\": \"app-lb\", \"timeout\": \"2s\" } ] } },"
    "    \"app-lb\": { \"type\": \"alb\", \"targets\": \"app\" },"
    "    \"app\": { \"type\": \"fleet\", \"instance\": { \"vcpus\": 2, \"workers\": 32, \"backlog\": 32,"
    "      \"boot\": 20, \"bootstrap\": 30 },"
    "      \"asg\": { \"min_size\": 3, \"max_size\": 6, \"desired_capacity\": 3, \"health_check_type\": \"ELB\" },"
    "      \"handlers\": {"
    "        \"read\": [ { \"cpu\": { \"dist\": \"exp\", \"mean\": \"3ms\" } },"
    "                  { \"cache\": \"kv\", \"on_miss\": [ { \"db\": \"db\", \"op\": \"read\" } ] } ],"
    "        \"write\": [ { \"cpu\": { \"dist\": \"exp\", \"mean\": \"4ms\" } }, { \"db\": \"db\", \"op\": \"write\" } ] } },"
    "    \"kv\": { \"type\": \"cache\", \"node_type\": \"cache.r5.large\", \"replicas\": 1,"
    "            \"keys\": { \"count\": 20000, \"zipf_alpha\": 0.9, \"capacity\": 5000 } },"
    "    \"db\": { \"type\": \"rds\", \"engine\": \"postgres\", \"instance_class\": \"db.r5.large\", \"multi_az\": true }"
    "  } }";

struct fault_case {
    const char *name, *json, *type;
};

static const struct fault_case cases[] = {
    {"az", "[{\"type\":\"az_outage\",\"at\":300,\"az\":\"a\",\"duration\":\"5m\"}]", "az_outage"},
    {"az-tail",
     "[{\"type\":\"az_outage\",\"at\":300,\"az\":\"a\",\"duration\":\"5m\",\"launch_recovery\":\"3m\"}]",
     "az_outage"},
    {"instance", "[{\"type\":\"instance_failure\",\"at\":300,\"target\":\"app\",\"count\":2}]",
     "instance_failure"},
    {"db", "[{\"type\":\"db_failover\",\"at\":300,\"target\":\"db\"}]", "db_failover"},
    {"cache-primary", "[{\"type\":\"cache_node_failure\",\"at\":300,\"target\":\"kv\",\"node\":0}]",
     "cache_node_failure"},
    {"cache-replica", "[{\"type\":\"cache_node_failure\",\"at\":300,\"target\":\"kv\",\"node\":1}]",
     "cache_node_failure"},
    {"gray",
     "[{\"type\":\"gray_failure\",\"at\":300,\"target\":\"app\",\"az\":\"b\",\"factor\":8,\"duration\":\"5m\"}]",
     "gray_failure"},
    {"shift",
     "[{\"type\":\"zonal_shift\",\"at\":300,\"target\":\"lb\",\"az\":\"c\",\"duration\":\"5m\"}]",
     "zonal_shift"},
};

static double col(const struct run_result *res, const char *name)
{
    double v = run_result_get(res, name);
    CHECK(v == v, "summary has no column %s", name);
    return v;
}

/* Run with `faults` (NULL: none) and one more --set (or NULL) into dir; check conservation;
 * return the summary. */
static void run_with(const char *faults, const char *extra, const char *dir,
                     struct run_result *res)
{
    char set[512];
    snprintf(set, sizeof set, "faults=%s", faults ? faults : "[]");
    struct check_scenario cs;
    CHECK_EQ_INT(check_load(&cs, scenario, (const char *const[]){set, extra, NULL}), 0);
    CHECK_EQ_INT(check_run_to(&cs, dir, res), 0);
    check_unload(&cs);
    double requests = col(res, "requests"), ok = col(res, "ok"), errors = col(res, "errors");
    double unfinished = col(res, "unfinished");
    static const char *const kinds[] = {"errors_500", "errors_502", "errors_503", "errors_504",
                                        "errors_timeout"};
    double sum = 0;
    for (size_t i = 0; i < sizeof kinds / sizeof kinds[0]; i++)
        sum += col(res, kinds[i]);
    CHECK(requests > 0 && requests == ok + errors + unfinished,
          "%s: requests %.0f != ok %.0f + errors %.0f + unfinished %.0f", dir, requests, ok,
          errors, unfinished);
    CHECK(errors == sum, "%s: errors %.0f != the sum of the error columns %.0f", dir, errors, sum);
    CHECK(unfinished == 0, "%s: %.0f requests unfinished after the drain", dir, unfinished);
    CHECK(res->requests_live == 0, "%s: %llu request objects never returned to the pool", dir,
          (unsigned long long)res->requests_live);
    printf("%-26s requests %.0f = ok %.0f + errors %.0f (500 %.0f, 502 %.0f, 503 %.0f, 504 %.0f, "
           "timeout %.0f); SLO minutes %.0f; pool empty\n",
           dir, requests, ok, errors, col(res, "errors_500"), col(res, "errors_502"),
           col(res, "errors_503"), col(res, "errors_504"), col(res, "errors_timeout"),
           col(res, "slo_violation_min"));
}

static void run(const char *faults, const char *dir, struct run_result *res)
{
    run_with(faults, NULL, dir, res);
}

/* The clients' offered load, interval by interval, is the same in both runs. */
static void same_traffic(const char *base, const char *dir)
{
    struct check_table a, b;
    CHECK(check_table_load(&a, base, "timeseries.csv"), "no timeseries in %s", base);
    CHECK(check_table_load(&b, dir, "timeseries.csv"), "no timeseries in %s", dir);
    int ca = check_col(&a, "offered_rps"), cb = check_col(&b, "offered_rps");
    CHECK(ca >= 0 && cb >= 0 && a.nrows == b.nrows, "%s: timeseries shapes differ", dir);
    for (uint32_t r = 0; ca >= 0 && cb >= 0 && r < a.nrows && r < b.nrows; r++)
        CHECK(strcmp(check_cell(&a, r, ca), check_cell(&b, r, cb)) == 0,
              "%s: row %u offered %s, without the fault %s", dir, r, check_cell(&b, r, cb),
              check_cell(&a, r, ca));
    check_table_free(&a);
    check_table_free(&b);
}

/* faults.csv has one row: this type, from 300 s, something struck, recovered. Returns the
 * table (free it). */
static void one_row(const char *dir, const char *type, struct check_table *t)
{
    CHECK(check_table_load(t, dir, "faults.csv"), "no faults.csv in %s", dir);
    CHECK(t->nrows == 1, "%s: %u rows in faults.csv, expected 1", dir, t->nrows);
    if (t->nrows != 1)
        return;
    CHECK(strcmp(check_cell(t, 0, check_col(t, "type")), type) == 0, "%s: type %s", dir,
          check_cell(t, 0, check_col(t, "type")));
    CHECK(check_num(t, 0, check_col(t, "start_s")) == 300.0, "%s: started at %s", dir,
          check_cell(t, 0, check_col(t, "start_s")));
    CHECK(check_num(t, 0, check_col(t, "struck")) > 0, "%s: the fault struck nothing", dir);
    CHECK(check_num(t, 0, check_col(t, "recovered")) == 1, "%s: not recovered by the end", dir);
}

int main(void)
{
    struct run_result base;
    run(NULL, "faults-none.out", &base);
    CHECK(col(&base, "faults") == 0, "faults without any");
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char dir[64];
        snprintf(dir, sizeof dir, "faults-%s.out", cases[i].name);
        struct run_result res;
        run(cases[i].json, dir, &res);
        CHECK(col(&res, "requests") == col(&base, "requests"),
              "%s: %.0f requests, %.0f without the fault", dir, col(&res, "requests"),
              col(&base, "requests"));
        same_traffic("faults-none.out", dir);
        struct check_table t;
        one_row(dir, cases[i].type, &t);
        if (strcmp(cases[i].name, "az") == 0 && t.nrows == 1) {
            double lost = check_num(&t, 0, check_col(&t, "capacity_lost"));
            double failed = check_num(&t, 0, check_col(&t, "requests_failed"));
            CHECK(lost == 2, "az: capacity lost %.0f, expected 2 (one web, one app)", lost);
            CHECK(failed > 0, "az: no request failed");
            CHECK(check_num(&t, 0, check_col(&t, "capacity_back_at_s")) > 300,
                  "az: capacity never came back");
        }
        if (t.nrows)
            check_table_free(&t);
        run_result_release(&res);
    }
    /* random instance failures: a row each, the same for the same seed */
    static const char *random_fault =
        "[{\"type\":\"instance_failure\",\"target\":\"web\",\"mtbf\":\"5m\"}]";
    const char *dirs[2] = {"faults-random.out", "faults-random-again.out"};
    struct check_table t[2];
    for (int k = 0; k < 2; k++) {
        struct run_result res;
        run(random_fault, dirs[k], &res);
        same_traffic("faults-none.out", dirs[k]);
        CHECK(check_table_load(&t[k], dirs[k], "faults.csv"), "no faults.csv in %s", dirs[k]);
        CHECK(t[k].nrows >= 2 && t[k].nrows == (uint32_t)col(&res, "faults"),
              "%s: %u rows, summary's faults %.0f (expected a few)", dirs[k], t[k].nrows,
              col(&res, "faults"));
        run_result_release(&res);
    }
    CHECK(t[0].nrows == t[1].nrows, "the same seed gave %u and %u random faults", t[0].nrows,
          t[1].nrows);
    for (uint32_t r = 0; r < t[0].nrows && r < t[1].nrows; r++)
        CHECK(strcmp(check_cell(&t[0], r, 4), check_cell(&t[1], r, 4)) == 0,
              "random fault %u at %s, then at %s", r + 1, check_cell(&t[0], r, 4),
              check_cell(&t[1], r, 4));
    printf("random instance failures (mtbf 5 min over 30 min): %u, the first at %s s\n",
           t[0].nrows, t[0].nrows ? check_cell(&t[0], 0, 4) : "-");
    check_table_free(&t[0]);
    check_table_free(&t[1]);

    /* the SLO's minutes: answers come for 25 minutes (arrivals stop at 1500 s) */
    struct run_result strict, lax;
    run_with(NULL, "slo.latency_p99=1ms", "faults-slo-strict.out", &strict);
    run_with(NULL, "slo.latency_p99=1h", "faults-slo-lax.out", &lax);
    CHECK(col(&strict, "slo_violation_min") == 25, "p99 <= 1 ms broken in %.0f minutes, "
          "expected the 25 with answers", col(&strict, "slo_violation_min"));
    CHECK(col(&lax, "slo_violation_min") == 0, "p99 <= 1 h broken in %.0f minutes",
          col(&lax, "slo_violation_min"));
    run_result_release(&strict);
    run_result_release(&lax);
    run_result_release(&base);
    return check_done();
}
