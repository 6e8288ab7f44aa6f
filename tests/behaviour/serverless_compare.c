/* serverless_compare.c — the claims the serverless example scenarios make in their opening
 * comments hold (LAM-2, LAM-6, LAM-11, LAM-14).
 *
 * scenarios/serverless-api.json, serverless-api-provisioned.json and ec2-vs-lambda.json,
 * whole (two hours, 1.1 million requests each). The three see the same requests (common
 * random numbers: the same offered_rps in every interval). Checked:
 * - serverless-api: no error and no throttle; cold starts at each burst, under 1 % of the
 *   invocations (LAM-11), and none between the bursts once the pool is warm; the idle
 *   environments reclaimed within the 7-minute idle lifetime plus an interval after a burst
 *   (LAM-14);
 * - provisioned: no cold start through the first burst (it stays under the 25 provisioned
 *   environments, LAM-6), cold starts in the second (which spills over), fewer in all;
 * - ec2-vs-lambda: the two t3.small shed requests in the 1,500 requests/s burst until the
 *   group has scaled out, while the function serves them all;
 * - the costs the comments work out by hand (docs/models/cost.md): the function's requests
 *   and GB-seconds (LAM-18), the gateway's requests (APIGW-3), provisioned concurrency's
 *   $0.375, the fleet's instance-hours x a t3.small's price, and each run's total. */
#include "check.h"

#include <string.h>

struct run {
    struct check_table ts, sum;
    bool ok;
};

static void run(const char *file, const char *dir, struct run *r)
{
    char path[512];
    snprintf(path, sizeof path, "%s/%s", TIERSIM_SCENARIOS, file);
    memset(r, 0, sizeof *r);
    CHECK_EQ_INT(check_run_file(path, NULL, dir), 0);
    r->ok = check_table_load(&r->ts, dir, "timeseries.csv") &&
            check_table_load(&r->sum, dir, "summary.csv");
    CHECK(r->ok, "%s: outputs", dir);
}

static double sum_col(const struct run *r, const char *col)
{
    return check_num(&r->sum, 0, check_col(&r->sum, col));
}

/* The sum of column `col` over the rows whose t_s is in (from, to] (seconds). */
static double ts_sum(const struct run *r, const char *col, double from, double to)
{
    int c = check_col(&r->ts, col), t = check_col(&r->ts, "t_s");
    double s = 0;
    for (uint32_t i = 0; i < r->ts.nrows; i++) {
        double at = check_num(&r->ts, i, t);
        if (at > from && at <= to)
            s += check_num(&r->ts, i, c);
    }
    return s;
}

/* The value of `col` in the row ending at t (s). */
static double ts_at(const struct run *r, const char *col, double t)
{
    int c = check_col(&r->ts, col), tc = check_col(&r->ts, "t_s");
    for (uint32_t i = 0; i < r->ts.nrows; i++)
        if (check_num(&r->ts, i, tc) == t)
            return check_num(&r->ts, i, c);
    return -1;
}

int main(void)
{
    struct run sl, pr, ec;
    run("serverless-api.json", "serverless_compare-lambda.out", &sl);
    run("serverless-api-provisioned.json", "serverless_compare-provisioned.out", &pr);
    run("ec2-vs-lambda.json", "serverless_compare-ec2.out", &ec);
    if (!sl.ok || !pr.ok || !ec.ok)
        return check_done();

    /* the same requests in all three */
    int o1 = check_col(&sl.ts, "offered_rps"), o2 = check_col(&pr.ts, "offered_rps"),
        o3 = check_col(&ec.ts, "offered_rps");
    bool same = sl.ts.nrows == ec.ts.nrows && sl.ts.nrows == pr.ts.nrows;
    for (uint32_t i = 0; same && i < sl.ts.nrows; i++)
        same = strcmp(check_cell(&sl.ts, i, o1), check_cell(&ec.ts, i, o3)) == 0 &&
               strcmp(check_cell(&sl.ts, i, o1), check_cell(&pr.ts, i, o2)) == 0;
    CHECK(same, "the three runs offer the same requests, interval by interval");

    /* serverless-api: cold only at the bursts (20 min, 60 min), rarely */
    double inv = sum_col(&sl, "products-fn.invocations");
    double cold = sum_col(&sl, "products-fn.cold_starts");
    printf("serverless-api: %.0f invocations, %.0f cold starts, %.0f errors, %.0f throttles\n",
           inv, cold, sum_col(&sl, "errors"), sum_col(&sl, "products-fn.throttles"));
    CHECK(sum_col(&sl, "errors") == 0 && sum_col(&sl, "products-fn.throttles") == 0,
          "no error, no throttle");
    CHECK(cold > 0 && cold < 0.01 * inv, "cold starts %.0f of %.0f invocations: under 1 %%", cold,
          inv);
    double cold_burst1 = 60 * ts_sum(&sl, "products-fn.cold_starts_ps", 1200, 1560);
    double cold_burst2 = 60 * ts_sum(&sl, "products-fn.cold_starts_ps", 3600, 4260);
    double cold_calm = 60 * ts_sum(&sl, "products-fn.cold_starts_ps", 1620, 2700);
    printf("  cold starts: first burst %.0f, second %.0f, between them %.0f\n", cold_burst1,
           cold_burst2, cold_calm);
    CHECK(cold_burst1 >= 10 && cold_burst2 >= 10, "each burst starts cold");
    CHECK(cold_calm == 0, "no cold start at 20 requests/s once warm: %.0f", cold_calm);
    /* the burst's environments are gone 7 min (+ an interval) after its end at 70.5 min */
    double envs_peak = ts_at(&sl, "products-fn.environments", 4260);
    double envs_after = ts_at(&sl, "products-fn.environments", 4260 + 480);
    printf("  environments: %.0f at the burst's end, %.0f eight minutes later\n", envs_peak,
           envs_after);
    CHECK(envs_peak >= 40 && envs_after <= 10, "idle environments reclaimed after 7 minutes");

    /* provisioned: none cold in the first burst, cold in the second, fewer overall */
    double p1 = 60 * ts_sum(&pr, "products-fn.cold_starts_ps", 0, 3600);
    double p2 = 60 * ts_sum(&pr, "products-fn.cold_starts_ps", 3600, 4260);
    double pcold = sum_col(&pr, "products-fn.cold_starts");
    printf("provisioned: cold starts before the second burst %.0f, in it %.0f, in all %.0f\n", p1,
           p2, pcold);
    CHECK(p1 == 0, "no cold start under the provisioned concurrency");
    CHECK(p2 > 0, "cold starts return when the burst spills over");
    CHECK(pcold < cold, "fewer cold starts with provisioned concurrency");
    CHECK(ts_at(&pr, "products-fn.provisioned_util_pct", 3720) > 50,
          "the provisioned environments are busy in the second burst");

    /* ec2-vs-lambda: the fleet sheds in the big burst, the function does not */
    double shed = 60 * ts_sum(&ec, "errors_503_rps", 3600, 4260);
    double ec_err = sum_col(&ec, "errors");
    printf("ec2: %.0f 503s in the 1,500 requests/s burst, %.0f errors in all\n", shed, ec_err);
    CHECK(shed > 0.05 * 1500 * 600, "two t3.small shed the burst: %.0f 503s", shed);
    CHECK(ts_sum(&ec, "error_rps", 0, 3600) == 0, "no error before the big burst");
    CHECK(ts_at(&ec, "web.in_service", 4200) > 2, "target tracking has scaled out");
    CHECK(ts_at(&ec, "error_rps", 4200) == 0, "no error once scaled out");

    /* the costs in the comments, to the cent: by hand from the runs' own counts, and the
     * rounded figures the comments print */
    double sl_lambda = sum_col(&sl, "cost_lambda_usd");
    printf("cost: serverless-api $%.4f (Lambda %.4f, API %.4f), provisioned $%.4f (Lambda "
           "%.4f), ec2 $%.4f (EC2 %.4f)\n",
           sum_col(&sl, "cost_usd"), sl_lambda, sum_col(&sl, "cost_apigw_usd"),
           sum_col(&pr, "cost_usd"), sum_col(&pr, "cost_lambda_usd"), sum_col(&ec, "cost_usd"),
           sum_col(&ec, "cost_ec2_usd"));
    CHECK_NEAR(sl_lambda, inv * 0.20e-6 + sum_col(&sl, "products-fn.gb_seconds") * 0.0000166667,
               1e-6);
    CHECK_NEAR(sl_lambda, 0.37, 0.005);
    CHECK_NEAR(sum_col(&sl, "cost_apigw_usd"), inv * 3.50e-6, 1e-6); /* no throttle: all billed */
    CHECK_NEAR(sum_col(&sl, "cost_apigw_usd"), 4.00, 0.005);
    CHECK_NEAR(sum_col(&sl, "cost_usd"), 4.51, 0.005);
    /* provisioned: $0.375 for the 25 environments' two hours, the function $0.69 in all */
    double pr_lambda = sum_col(&pr, "cost_lambda_usd");
    CHECK(pr_lambda - sum_col(&pr, "products-fn.invocations") * 0.20e-6 > 0.375,
          "the provisioned environments are billed: $%.4f", pr_lambda);
    CHECK_NEAR(pr_lambda, 0.69, 0.005);
    /* ec2: 4.73 instance-hours x $0.0208 = $0.10 (instance_hours has 3 decimals), $0.42 */
    CHECK_NEAR(sum_col(&ec, "cost_ec2_usd"), sum_col(&ec, "web.instance_hours") * 0.0208, 2e-5);
    CHECK_NEAR(sum_col(&ec, "cost_ec2_usd"), 0.10, 0.005);
    CHECK_NEAR(sum_col(&ec, "cost_alb_usd"), 0.21, 0.005);
    CHECK_NEAR(sum_col(&ec, "cost_usd"), 0.42, 0.005);

    check_table_free(&sl.ts);
    check_table_free(&sl.sum);
    check_table_free(&pr.ts);
    check_table_free(&pr.sum);
    check_table_free(&ec.ts);
    check_table_free(&ec.sum);
    return check_done();
}
