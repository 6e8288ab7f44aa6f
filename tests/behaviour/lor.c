/* lor.c — least outstanding requests beats round robin when one target is slower (ALB-4).
 *
 * Set-up: one target group of two groups: three 2-vCPU instances and one 1-vCPU instance,
 * requests of 10 ms CPU at 320 rps. Round robin gives each instance 80 rps: the 1-vCPU one
 * runs at 80 % and its queue sets the p99, while the others idle at 20 % a vCPU. Least
 * outstanding requests sends the slow one less. (Heavier load would push round robin's slow
 * instance past the idle timeout: 504s, which the latency of successful requests does not
 * show; here nothing fails, so the comparison is of latency alone.) The same arrivals (same
 * seed) go through both; the p99 with least outstanding requests must be well under 0.6 of
 * round robin's (measured: 75 vs 182 ms). */
#include "check.h"

static const char *scenario =
    "{ \"name\": \"lor\", \"seed\": 9, \"duration\": \"30m\", \"warmup\": \"5m\","
    "  \"workload\": { \"entry\": \"lb\", \"rate\": 320 },"
    "  \"components\": {"
    "    \"lb\": { \"type\": \"alb\", \"targets\": [\"fast\", \"slow\"], \"latency\": 0 },"
    "    \"fast\": { \"type\": \"fleet\", \"instance\": { \"vcpus\": 2, \"workers\": 100000,"
    "      \"backlog\": 1000000 }, \"asg\": { \"min_size\": 3, \"max_size\": 3 },"
    "      \"handlers\": { \"default\": [ { \"cpu\": { \"dist\": \"exp\", \"mean\": \"10ms\" } } ] } },"
    "    \"slow\": { \"type\": \"fleet\", \"instance\": { \"vcpus\": 1, \"workers\": 100000,"
    "      \"backlog\": 1000000 }, \"asg\": { \"min_size\": 1, \"max_size\": 1 },"
    "      \"handlers\": { \"default\": [ { \"cpu\": { \"dist\": \"exp\", \"mean\": \"10ms\" } } ] } } } }";

int main(void)
{
    const char *rr[] = {"components.lb.algorithm=round_robin", NULL};
    const char *lor[] = {"components.lb.algorithm=least_outstanding_requests", NULL};
    struct check_scenario a, b;
    CHECK_EQ_INT(check_load(&a, scenario, rr), 0);
    CHECK_EQ_INT(check_load(&b, scenario, lor), 0);
    double p99_rr = check_run_value(&a, 9, "latency_p99_ms");
    double p99_lor = check_run_value(&b, 9, "latency_p99_ms");
    double mean_rr = check_run_value(&a, 9, "latency_mean_ms");
    double mean_lor = check_run_value(&b, 9, "latency_mean_ms");
    CHECK(check_run_value(&a, 9, "errors") == 0 && check_run_value(&b, 9, "errors") == 0,
          "no request fails either way");
    printf("p99: round robin %.1f ms, least outstanding %.1f ms; mean %.1f vs %.1f ms\n", p99_rr,
           p99_lor, mean_rr, mean_lor);
    CHECK(p99_lor < 0.6 * p99_rr, "least outstanding requests p99 %.1f ms, round robin %.1f ms",
          p99_lor, p99_rr);
    CHECK(mean_lor < mean_rr, "means %.1f vs %.1f ms", mean_lor, mean_rr);
    check_unload(&a);
    check_unload(&b);
    return check_done();
}
