/* static_stability.c — the README's AZ-outage comparison holds: the same outage costs the
 * group sized for static stability far less than the lean one (AZ-4, AZ-5).
 *
 * scenarios/az-outage.json (web at 4 t3.medium, two of them in the lost AZ) against
 * scenarios/az-outage-static.json (6), cut to 70 minutes with a 10-minute outage at 45 min
 * so that the test stays quick. Both see the same traffic (common random numbers, checked
 * by behaviour_faults). Checked: the lean variant fails more than twice as many requests,
 * breaks the SLO for more minutes, and has p99 back later; the static one loses no more than
 * its first two minutes (the ALB's detection and the clients' DNS caches). */
#include "check.h"

#include <string.h>

static void run(const char *file, const char *dir, double *failed, double *minutes, double *back)
{
    char path[512];
    snprintf(path, sizeof path, "%s/%s", TIERSIM_SCENARIOS, file);
    const char *const sets[] = {"duration=70m", "faults.0.duration=10m", NULL};
    CHECK_EQ_INT(check_run_file(path, sets, dir), 0);
    struct check_table t;
    *failed = *minutes = *back = -1;
    if (!check_table_load(&t, dir, "faults.csv"))
        return;
    CHECK(t.nrows == 1, "%s: %u faults", dir, t.nrows);
    if (t.nrows == 1) {
        *failed = check_num(&t, 0, check_col(&t, "requests_failed"));
        *minutes = check_num(&t, 0, check_col(&t, "slo_violation_min"));
        *back = check_num(&t, 0, check_col(&t, "p99_back_after_s"));
    }
    printf("%-22s requests failed %.0f, SLO minutes %.0f, p99 back after %.0f s\n", file, *failed,
           *minutes, *back);
    check_table_free(&t);
}

int main(void)
{
    double lf, lm, lb, sf, sm, sb;
    run("az-outage.json", "static_stability-lean.out", &lf, &lm, &lb);
    run("az-outage-static.json", "static_stability-static.out", &sf, &sm, &sb);
    CHECK(sf > 0 && lf > 2 * sf, "lean %.0f failed requests, static %.0f: expected lean > 2x", lf,
          sf);
    CHECK(lm > sm, "lean %.0f SLO minutes, static %.0f", lm, sm);
    CHECK(lb > sb, "p99 back after %.0f s (lean), %.0f s (static)", lb, sb);
    CHECK(sm <= 2, "static: %.0f SLO minutes, expected at most the first two", sm);
    return check_done();
}
