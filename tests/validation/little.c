/* little.c — validation: Little's law L = lambda W between the fleet's time series and the
 * client's summary.
 *
 * Theory. For any system and any time window [0, T] that starts and ends empty, the area
 * under the number-in-system curve equals the sum of the response times of the requests
 * served in the window: integral N dt = sum_i W_i. Divided by T this is Little's law as a
 * sample-path identity, L_T = X_T W_T, with no assumption on arrivals, service or
 * discipline. Two independent pieces of code measure the two sides: the fleet integrates
 * busy_workers (requests holding a worker slot, running or in the run queue) and queued
 * (requests in the backlog) over time, fleet.c; the client times every request from
 * arrival to reply, workload.c. With a zero-latency ALB the fleet holds the whole system,
 * so per replication
 *     D = mean over rows of (busy_workers + queued)  -  throughput_rps x latency_mean_ms / 1000
 * must be 0; the test asserts 0 lies in the 99 % interval of D over 10 replications.
 *
 * Set-up. Two instances (round robin) with 2 vCPUs, 4 worker slots and an unlimited
 * backlog, exponential service of 10 ms, 340 rps (each core 85 % busy), so both the run
 * queue and the backlog fill: an error in either counter, in the interval averaging, or in
 * the client's timing shows. Arrivals stop at 300 s and the run ends at 320 s: the queues
 * (a few dozen requests at worst) drain in well under a second. The run starts empty, so no
 * warm-up is used (rows after the warm-up = all rows), and the test CHECKs that it ends
 * empty (summary `unfinished` = 0, last row's in_flight = 0).
 *
 * Why no warm-up cut. With a warm-up w > 0 and an open end, L_T - X_T W_T = (time spent in
 * [w, T] by the requests present at w + by those unfinished at T) / (T - w) > 0: an edge
 * term of the same order as its own spread, whatever T. A pilot on seeds 101..120 (not the
 * test's) with this set-up and w = 20 s gave D = +1.7e-3 with sd 1.3e-3, positive in 20 of
 * 20 replications (t = 6): a CI test of that D would fail on a correct simulator. Little's
 * law needs no steady state, so the empty-to-empty window tests the identity exactly.
 *
 * Precision. What is left in D is the rounding of the time series to 3 decimals (uniform
 * error, mean 0): sd about 4e-4 / sqrt(320 rows) = 2e-5 per replication, so the 99 %
 * half-width is ~2e-5, about 3e-6 of L (~9). Any real inconsistency (a missed decrement, a
 * level integrated over the wrong span, the queue wait left out of the latency) is orders
 * of magnitude larger. Cost: about 1 M requests and 10 small files.
 */
#include "val.h"

#include "tiersim/csvr.h"

#include <stdlib.h>

#define OUT_DIR "validation_little.out"

/* Column `name` of OUT_DIR/timeseries.csv, or NULL with a failed CHECK. */
static double *column(const char *name, size_t *n)
{
    double *v = NULL;
    char *why = NULL;
    if (csvr_column(OUT_DIR "/timeseries.csv", name, -HUGE_VAL, &v, n, &why) != 0) {
        CHECK(false, "timeseries.csv: %s", why);
        free(why);
        return NULL;
    }
    return v;
}

/* One replication: D = L - X W into *d, L into *l. */
static bool replicate(struct check_scenario *cs, uint64_t seed, double *d, double *l)
{
    const struct world_config *wc = &cs->wc;
    cs->wc.seed = seed;
    struct run_opts o = {.out_dir = OUT_DIR, .run = 1};
    struct run_result res;
    int rc = run_scenario(wc, &o, &res);
    CHECK(rc == 0, "seed %llu: run failed: %s", (unsigned long long)seed, res.error);
    double x = run_result_get(&res, "throughput_rps");
    double w = run_result_get(&res, "latency_mean_ms") / 1e3;
    double unfinished = run_result_get(&res, "unfinished");
    run_result_release(&res);
    if (rc != 0)
        return false;
    CHECK(unfinished == 0.0, "seed %llu: %.0f requests unfinished: the window must end empty",
          (unsigned long long)seed, unfinished);

    size_t nt, nb, nq, nf;
    double *t = column("t_s", &nt), *busy = column("app.busy_workers", &nb);
    double *queued = column("app.queued", &nq), *in_flight = column("in_flight", &nf);
    bool ok = t && busy && queued && in_flight && nb == nt && nq == nt && nf == nt;
    if (ok) {
        double warmup = sim_s(wc->warmup), sum = 0.0, qsum = 0.0;
        size_t rows = 0;
        for (size_t i = 0; i < nt; i++)
            if (t[i] > warmup + 1e-9) { /* a row covers (t - interval, t] */
                sum += busy[i] + queued[i];
                qsum += queued[i];
                rows++;
            }
        /* equal rows that tile the measured span exactly, so their mean is the time mean */
        CHECK(rows > 0 && (int64_t)rows * wc->interval == wc->duration - wc->warmup,
              "%zu rows of %.3f s do not tile the measured span", rows, sim_s(wc->interval));
        CHECK(in_flight[nt - 1] == 0.0, "seed %llu: %.0f requests in flight at the end",
              (unsigned long long)seed, in_flight[nt - 1]);
        /* the backlog must have been used, or the test would not cover `queued` */
        CHECK(rows > 0 && qsum / (double)rows > 0.1, "seed %llu: mean backlog %.4f: unused",
              (unsigned long long)seed, rows ? qsum / (double)rows : 0.0);
        *l = rows ? sum / (double)rows : TS_NAN;
        *d = *l - x * w;
        ok = rows > 0;
    }
    free(t);
    free(busy);
    free(queued);
    free(in_flight);
    return ok;
}

int main(void)
{
    struct val_case c = {
        .rate = "{\"shape\": \"piecewise\", \"points\": [[0, 340], [300, 340], [300.001, 0]]}",
        .instances = 2,
        .vcpus = 2,
        .workers = 4,
        .algorithm = "round_robin",
        .cpu = "{\"dist\": \"exp\", \"mean\": 0.010}",
        .duration_s = 320.0,
        .warmup_s = 0.0,
        .interval_s = 1.0,
    };
    struct check_scenario cs;
    if (val_load(&cs, &c) != 0) {
        check_unload(&cs);
        return check_done();
    }
    double d[VAL_REPS], l[VAL_REPS];
    bool ok = true;
    for (int i = 0; i < VAL_REPS && ok; i++)
        ok = replicate(&cs, (uint64_t)i + 1u, &d[i], &l[i]);
    check_unload(&cs);
    if (ok) {
        double lm, lh;
        check_ci(l, VAL_REPS, VAL_LEVEL, &lm, &lh);
        printf("%-48s %.6g +- %.3g (99%% CI)\n", "Little: time-average number in the fleet L",
               lm, lh);
        val_check("Little: L - throughput x mean response", d, VAL_REPS, 0.0, lm, 1e-3);
    }
    return check_done();
}
