/* conservation.c — every request ends exactly once, as ok or as a classified error, and
 * every request object returns to the pool.
 *
 * A scenario built to go wrong in every way at once: two request classes; clients that time
 * out and retry; a web tier whose small backlog overflows (503), whose calls to the app tier
 * time out and are retried (the handler then fails: 500), and which is scaled in while it
 * serves, three times, while half its writes wait a second on an external call (a 0.2 s
 * deregistration delay: 502); requests slower than the ALB's idle timeout
 * (504); an app tier that saturates. Arrivals stop at 600 s and the run goes on to 700 s, so
 * everything drains. Run three times: as written (the ALB's idle timeout, 1.5 s, comes before
 * the client's, 2 s), with one attempt per request (a 502 is otherwise retried away), and
 * with a 1 s client timeout (the client gives up first).
 *
 * Checked each time: requests = ok + errors + unfinished; errors = the sum of the error
 * columns; nothing is unfinished; no request object is left out of the pool (abandoned
 * attempts included: their work ends downstream and is freed there); no fewer attempts than
 * requests; and the error classes the run was built to produce occur. */
#include "check.h"

#include <string.h>

static const char *scenario =
    "{ \"name\": \"chaos\", \"seed\": 7, \"duration\": \"700s\", \"interval\": \"60s\","
    "  \"azs\": [\"a\", \"b\"],"
    "  \"workload\": { \"entry\": \"lb\","
    "    \"rate\": { \"shape\": \"piecewise\", \"points\": [[0, 60], [599.999, 60], [600, 0]] },"
    "    \"classes\": { \"read\": 3, \"write\": 1 },"
    "    \"client\": { \"timeout\": \"2s\", \"retry\": { \"max_attempts\": 3 } } },"
    "  \"components\": {"
    "    \"lb\": { \"type\": \"alb\", \"targets\": \"web\", \"idle_timeout\": \"1500ms\", \"deregistration_delay\": \"200ms\","
    "            \"health_check\": { \"interval\": \"300s\" } },"
    "    \"web\": { \"type\": \"fleet\", \"instance\": { \"vcpus\": 2, \"workers\": 12, \"backlog\": 6 },"
    "      \"asg\": { \"min_size\": 1, \"max_size\": 4, \"desired_capacity\": 3,"
    "        \"scheduled_actions\": ["
    "          { \"scheduled_action_name\": \"s0\", \"start_time\": \"300s\", \"desired_capacity\": 2, \"delay\": 0 },"
    "          { \"scheduled_action_name\": \"s1\", \"start_time\": \"350s\", \"desired_capacity\": 3, \"delay\": 0 },"
    "          { \"scheduled_action_name\": \"s2\", \"start_time\": \"400s\", \"desired_capacity\": 2, \"delay\": 0 },"
    "          { \"scheduled_action_name\": \"s3\", \"start_time\": \"450s\", \"desired_capacity\": 3, \"delay\": 0 },"
    "          { \"scheduled_action_name\": \"s4\", \"start_time\": \"500s\", \"desired_capacity\": 2, \"delay\": 0 },"
    "          { \"scheduled_action_name\": \"s5\", \"start_time\": \"550s\", \"desired_capacity\": 3, \"delay\": 0 } ] },"
    "      \"handlers\": {"
    "        \"read\": [ { \"cpu\": { \"dist\": \"exp\", \"mean\": \"5ms\" } },"
    "                  { \"p\": 0.3, \"then\": [ { \"delay\": { \"dist\": \"exp\", \"mean\": \"200ms\" } } ], \"else\": [ { \"p\": 0.05, \"then\": [ { \"delay\": \"1800ms\" } ] } ] },"
    "                  { \"call\": \"app-lb\", \"timeout\": \"300ms\", \"retry\": { \"max_attempts\": 2, \"base\": \"10ms\" } } ],"
    "        \"default\": [ { \"cpu\": \"10ms\" }, { \"p\": 0.5, \"then\": [ { \"delay\": \"1s\" } ] },"
    "                     { \"call\": \"app-lb\" } ] } },"
    "    \"app-lb\": { \"type\": \"alb\", \"targets\": \"app\", \"idle_timeout\": \"1s\", \"health_check\": { \"interval\": \"300s\" } },"
    "    \"app\": { \"type\": \"fleet\", \"instance\": { \"vcpus\": 2, \"workers\": 6, \"backlog\": 4 },"
    "      \"asg\": { \"min_size\": 1, \"max_size\": 4, \"desired_capacity\": 2 },"
    "      \"handlers\": { \"default\": [ { \"cpu\": { \"dist\": \"exp\", \"mean\": \"15ms\" } }, { \"delay\": { \"dist\": \"exp\", \"mean\": \"150ms\" } } ] } }"
    "  } }";

static double col(const struct run_result *res, const char *name)
{
    double v = run_result_get(res, name);
    CHECK(v == v, "summary has no column %s", name);
    return v;
}

static void conserve(const char *const *sets, const char *dir, const char *const *expect)
{
    struct check_scenario cs;
    CHECK_EQ_INT(check_load(&cs, scenario, sets), 0);
    struct run_result res;
    CHECK_EQ_INT(check_run_to(&cs, dir, &res), 0);
    double requests = col(&res, "requests"), ok = col(&res, "ok"), errors = col(&res, "errors");
    double unfinished = col(&res, "unfinished"), attempts = col(&res, "attempts");
    static const char *const kinds[] = {"errors_500", "errors_502", "errors_503", "errors_504",
                                        "errors_timeout"};
    double sum = 0;
    for (size_t i = 0; i < sizeof kinds / sizeof kinds[0]; i++)
        sum += col(&res, kinds[i]);
    CHECK(requests > 0 && requests == ok + errors + unfinished,
          "requests %.0f != ok %.0f + errors %.0f + unfinished %.0f", requests, ok, errors,
          unfinished);
    CHECK(errors == sum, "errors %.0f != the sum of the error columns %.0f", errors, sum);
    CHECK(unfinished == 0, "%.0f requests unfinished after the drain", unfinished);
    CHECK(res.requests_live == 0, "%llu request objects never returned to the pool",
          (unsigned long long)res.requests_live);
    CHECK(attempts >= requests, "attempts %.0f, fewer than requests %.0f", attempts, requests);
    for (size_t i = 0; expect[i]; i++)
        CHECK(col(&res, expect[i]) > 0, "the run produced no %s", expect[i]);
    printf("%s: requests %.0f = ok %.0f + errors %.0f (500 %.0f, 502 %.0f, 503 %.0f, 504 %.0f, "
           "timeout %.0f); attempts %.0f; pool empty\n",
           dir, requests, ok, errors, col(&res, "errors_500"), col(&res, "errors_502"),
           col(&res, "errors_503"), col(&res, "errors_504"), col(&res, "errors_timeout"),
           attempts);
    run_result_release(&res);
    check_unload(&cs);
}

int main(void)
{
    conserve(NULL, "conservation.out",
             (const char *const[]){"errors_500", "errors_503", "errors_504", NULL});
    /* a 502 is retried like any 5xx: without client retries it ends as one */
    conserve((const char *const[]){"workload.client.retry.max_attempts=1", NULL},
             "conservation-once.out",
             (const char *const[]){"errors_500", "errors_502", "errors_503", "errors_504", NULL});
    conserve((const char *const[]){"workload.client.timeout=1s", NULL}, "conservation-1s.out",
             (const char *const[]){"errors_500", "errors_503", "errors_timeout", NULL});
    return check_done();
}
