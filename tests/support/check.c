/* check.c — the test harness (check.h). */
#include "check.h"

#include "tiersim/scn.h"

#include <gsl/gsl_cdf.h>
#include <gsl/gsl_errno.h>
#include <stdlib.h>
#include <string.h>

int check_failures;
int check_count;

int check_done(void)
{
    printf("%d passed, %d failed\n", check_count - check_failures, check_failures);
    return check_failures ? 1 : 0;
}

int check_load(struct check_scenario *cs, const char *json, const char *const *sets)
{
    gsl_set_error_handler_off();
    memset(cs, 0, sizeof *cs);
    cs->scn = scn_new();
    int rc = scn_load_text(cs->scn, "test.json", ".", json, strlen(json));
    for (int i = 0; rc == 0 && sets && sets[i]; i++)
        scn_set(cs->scn, sets[i]);
    if (rc == 0 && scn_error_count(cs->scn) == 0)
        rc = world_config_read(cs->scn, &cs->wc);
    if (scn_error_count(cs->scn)) {
        scn_print_errors(cs->scn, stderr);
        return TS_ESCENARIO;
    }
    return rc;
}

void check_unload(struct check_scenario *cs)
{
    world_config_release(&cs->wc);
    scn_free(cs->scn);
    memset(cs, 0, sizeof *cs);
}

double check_run_value(struct check_scenario *cs, uint64_t seed, const char *col)
{
    uint64_t saved = cs->wc.seed;
    cs->wc.seed = seed;
    struct run_opts o = {.out_dir = NULL, .run = 1};
    struct run_result res;
    int rc = run_scenario(&cs->wc, &o, &res);
    double v = rc == 0 ? run_result_get(&res, col) : TS_NAN;
    if (rc != 0)
        fprintf(stderr, "run failed: %s\n", res.error);
    run_result_release(&res);
    cs->wc.seed = saved;
    return v;
}

void check_ci(const double *x, int n, double level, double *mean, double *half)
{
    double m = 0, ss = 0;
    for (int i = 0; i < n; i++)
        m += x[i];
    m /= n;
    for (int i = 0; i < n; i++)
        ss += (x[i] - m) * (x[i] - m);
    double sd = n > 1 ? sqrt(ss / (n - 1)) : TS_NAN;
    double t = gsl_cdf_tdist_Pinv(1.0 - (1.0 - level) / 2.0, (double)(n - 1));
    *mean = m;
    *half = t * sd / sqrt((double)n);
}

void check_in_ci(const char *what, const double *x, int n, double level, double analytic)
{
    double m, h;
    check_ci(x, n, level, &m, &h);
    bool inside = fabs(m - analytic) <= h;
    printf("%-48s simulated %.6g +- %.3g (%.0f%% CI, %d reps), analytic %.6g: %s\n", what, m, h,
           level * 100, n, analytic, inside ? "inside" : "OUTSIDE");
    CHECK(inside, "%s: analytic %.6g outside [%.6g, %.6g]", what, analytic, m - h, m + h);
}
