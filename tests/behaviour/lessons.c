/* lessons.c — every "what to notice" of docs/lessons.md holds: the lessons run their
 * scenarios as the page says, and each claim the page makes is checked here, so that a change
 * of the models that breaks a lesson breaks this test.
 *
 * `behaviour_lessons LESSON` runs one lesson (CTest registers one test per lesson, so they run
 * in parallel); the names are those of the table in main(). The claims are checked as the
 * page states them (which run is earlier, larger, or zero, and by how much at least), not
 * against the page's exact figures, which each run prints so that the page can be updated.
 * Fact IDs are those of reference/aws-behavior.md, as in the page. */
#include "check.h"
#include "events.h"

#include <stdlib.h>
#include <string.h>

struct run {
    struct check_table ts, sum, ev;
    bool ok;
};

/* Run scenarios/FILE with the --set overrides `sets` (NULL-terminated, or NULL) into DIR and
 * read its outputs. */
static void run(struct run *r, const char *file, const char *const *sets, const char *dir)
{
    char path[512];
    snprintf(path, sizeof path, "%s/%s", TIERSIM_SCENARIOS, file);
    memset(r, 0, sizeof *r);
    CHECK_EQ_INT(check_run_file(path, sets, dir), 0);
    r->ok = check_table_load(&r->ts, dir, "timeseries.csv") &&
            check_table_load(&r->sum, dir, "summary.csv") &&
            check_table_load(&r->ev, dir, "events.csv");
    CHECK(r->ok, "%s: outputs", dir);
}

static void release(struct run *r)
{
    check_table_free(&r->ts);
    check_table_free(&r->sum);
    check_table_free(&r->ev);
}

/* A summary.csv value. */
static double S(const struct run *r, const char *col)
{
    return check_num(&r->sum, 0, check_col(&r->sum, col));
}

/* The value of timeseries column `col` in the first row ending at or after t (s). */
static double ts_at(const struct run *r, const char *col, double t)
{
    int c = check_col(&r->ts, col), tc = check_col(&r->ts, "t_s");
    for (uint32_t i = 0; i < r->ts.nrows; i++)
        if (check_num(&r->ts, i, tc) >= t - 1e-6) return check_num(&r->ts, i, c);
    return TS_NAN;
}

enum agg { MEAN, MAX, MIN };

/* Mean, max or min of `col` over the rows ending in (from, to] (s); empty cells skipped. */
static double ts_agg(const struct run *r, const char *col, double from, double to, enum agg a)
{
    int c = check_col(&r->ts, col), tc = check_col(&r->ts, "t_s");
    double acc = a == MIN ? 1e300 : a == MAX ? -1e300 : 0;
    int n = 0;
    for (uint32_t i = 0; i < r->ts.nrows; i++) {
        double t = check_num(&r->ts, i, tc), v = check_num(&r->ts, i, c);
        if (t <= from || t > to || isnan(v)) continue;
        n++;
        switch (a) {
        case MEAN:
            acc += v;
            break;
        case MAX:
            acc = v > acc ? v : acc;
            break;
        case MIN:
            acc = v < acc ? v : acc;
            break;
        }
    }
    return n == 0 ? TS_NAN : a == MEAN ? acc / n : acc;
}

/* The first time at or after `from` that `col` is at least `v`, or -1. */
static double ts_first_ge(const struct run *r, const char *col, double from, double v)
{
    int c = check_col(&r->ts, col), tc = check_col(&r->ts, "t_s");
    for (uint32_t i = 0; i < r->ts.nrows; i++) {
        double t = check_num(&r->ts, i, tc);
        if (t >= from && check_num(&r->ts, i, c) >= v) return t;
    }
    return -1;
}

/* The last time at or after `from` that `col` is below `v`, or -1. */
static double ts_last_lt(const struct run *r, const char *col, double from, double v)
{
    int c = check_col(&r->ts, col), tc = check_col(&r->ts, "t_s");
    double last = -1;
    for (uint32_t i = 0; i < r->ts.nrows; i++) {
        double t = check_num(&r->ts, i, tc);
        if (t >= from && check_num(&r->ts, i, c) < v) last = t;
    }
    return last;
}

/* The fleet's `desired` rows ("3 -> 7: ..."): their count, and how many went up and down. */
struct moves {
    int ups, downs, highest, lowest;
    double first_up, first_down;
};

static struct moves desired_moves(const struct run *r, const char *fleet)
{
    struct moves m = {0, 0, 0, 1 << 30, -1, -1};
    for (uint32_t i = 0; i < r->ev.nrows; i++) {
        int from, to;
        if (strcmp(check_cell(&r->ev, i, 1), fleet) != 0 ||
            strcmp(check_cell(&r->ev, i, 2), "desired") != 0 ||
            sscanf(check_cell(&r->ev, i, 3), "%d -> %d", &from, &to) != 2)
            continue;
        if (to > from && m.ups++ == 0) m.first_up = check_num(&r->ev, i, 0);
        if (to < from && m.downs++ == 0) m.first_down = check_num(&r->ev, i, 0);
        m.highest = to > m.highest ? to : m.highest;
        m.lowest = to < m.lowest ? to : m.lowest;
    }
    return m;
}

/* Do the two runs offer the same requests, interval by interval (common random numbers)? */
static bool same_traffic(const struct run *a, const struct run *b)
{
    int ca = check_col(&a->ts, "offered_rps"), cb = check_col(&b->ts, "offered_rps");
    if (a->ts.nrows != b->ts.nrows) return false;
    for (uint32_t i = 0; i < a->ts.nrows; i++)
        if (strcmp(check_cell(&a->ts, i, ca), check_cell(&b->ts, i, cb)) != 0) return false;
    return true;
}

/* The first `decision` row of the fleet "web" at or after `from` whose detail holds `needle`. */
static const char *decision(const struct run *r, double from, const char *needle, double *at)
{
    int row = ev_find(&r->ev, from, "web", "decision", needle);
    if (at) *at = ev_time(&r->ev, row);
    return ev_detail(&r->ev, row);
}

/* Lesson 1: target tracking against step scaling on a spike (TT-8, TT-14, CW-7, SS-10). */
static void lesson_spike(void)
{
    struct run tt, st;
    run(&tt, "lesson-spike-target.json", NULL, "lesson_spike-target.out");
    run(&st, "lesson-spike-step.json", NULL, "lesson_spike-step.out");
    if (!tt.ok || !st.ok) return;
    CHECK(same_traffic(&tt, &st), "the two runs offer the same requests");
    struct moves mt = desired_moves(&tt, "web"), ms = desired_moves(&st, "web");
    printf("first scale-out: step %.0f s, target tracking %.0f s\n", ms.first_up, mt.first_up);
    CHECK(ms.first_up > 0 && mt.first_up >= ms.first_up + 180,
          "step scaling acts at least 3 minutes before target tracking");
    const char *d = decision(&tt, 0, "AlarmHigh ALARM (", NULL);
    printf("target tracking's first decision: %s\n", d);
    CHECK(strstr(d, "CPUUtilization=100 ") && strstr(d, "ceil(3*100/60)=5"),
          "a saturated metric (100 %%) asks for 5 where the load needs 10");
    /* 600 requests/s x 20 ms = 12 vCPUs; at 60 % of 2 vCPUs each: 10 instances */
    double t10s = ts_first_ge(&st, "web.in_service", 0, 10);
    double t10t = ts_first_ge(&tt, "web.in_service", 0, 10);
    printf("10 instances in service: step at %.0f s, target tracking at %.0f s\n", t10s, t10t);
    CHECK(t10s > 0 && t10t >= t10s + 900, "step has the capacity at least 15 minutes earlier");
    double at = S(&tt, "availability_pct"), as = S(&st, "availability_pct");
    printf("availability: target tracking %.2f %%, step %.2f %%\n", at, as);
    CHECK(as >= at + 10, "step fails far fewer requests");
    double tok;
    int row = ev_find(&tt.ev, 0, "web", "alarm", "cpu60-AlarmHigh ALARM -> OK");
    tok = ev_time(&tt.ev, row);
    printf("target tracking's AlarmHigh back to OK at %.0f s, with %.0f errors/s\n", tok,
           ts_at(&tt, "error_rps", tok));
    CHECK(row >= 0 && ts_at(&tt, "error_rps", tok) > 50,
          "AlarmHigh goes back to OK in the middle of the overload");
    CHECK(ms.highest == 12 && ts_agg(&st, "web.cpu_pct", 2100, 2400, MEAN) < 55,
          "step overshoots to its max, 12, at about 50 %% CPU (%d, %.1f %%)", ms.highest,
          ts_agg(&st, "web.cpu_pct", 2100, 2400, MEAN));
    release(&tt);
    release(&st);
}

/* Lesson 2: warm-up and the oscillation trap (ASG-19..21, SS-10, TT-11, CW-7). */
static void lesson_warmup(void)
{
    static const char *const zero[] = {"components.web.asg.default_instance_warmup=0", NULL};
    static const char *const tt[] = {
        "components.web.asg.scaling_policies=[{\"policy_name\":\"cpu60\",\"policy_type\":"
        "\"TargetTrackingScaling\",\"target_tracking_configuration\":{"
        "\"predefined_metric_specification\":{\"predefined_metric_type\":"
        "\"ASGAverageCPUUtilization\"},\"target_value\":60}}]",
        NULL};
    struct run w, z, t;
    run(&w, "lesson-warmup.json", NULL, "lesson_warmup-300.out");
    run(&z, "lesson-warmup.json", zero, "lesson_warmup-0.out");
    run(&t, "lesson-warmup.json", tt, "lesson_warmup-tt.out");
    if (!w.ok || !z.ok || !t.ok) return;
    struct moves mw = desired_moves(&w, "web"), mz = desired_moves(&z, "web"),
                 mt = desired_moves(&t, "web");
    printf("warm-up 300 s: %d scale-outs, %d scale-ins, down to %d, up to %d; launches %.0f, "
           "terminations %.0f\n",
           mw.ups, mw.downs, mw.lowest, mw.highest, S(&w, "web.launches"),
           S(&w, "web.terminations"));
    int climbs = 0, falls = 0;
    for (int row = ev_find(&w.ev, 0, "web", "desired", "-> 7:"); row >= 0;
         row = ev_find(&w.ev, ev_time(&w.ev, row) + 1, "web", "desired", "-> 7:"))
        climbs++;
    for (int row = ev_find(&w.ev, 0, "web", "desired", "4 -> 3:"); row >= 0;
         row = ev_find(&w.ev, ev_time(&w.ev, row) + 1, "web", "desired", "4 -> 3:"))
        falls++;
    printf("  %d climbs to 7, %d falls to 3\n", climbs, falls);
    CHECK(climbs >= 4 && falls >= 3 && mw.highest == 7,
          "the step pair oscillates: 3 to 7 and back");
    /* 270 requests/s x 20 ms = 5.4 vCPUs: 5 instances are at 54 %, between 45 and 70 */
    CHECK(ev_find(&w.ev, 0, "web", "desired", "5 -> 4") >= 0,
          "the scale-in goes on below 5 instances, which would hold");
    int r1 = ev_find(&w.ev, 0, "web", "desired", "7 -> 6");
    int r2 = ev_find(&w.ev, ev_time(&w.ev, r1), "web", "desired", "6 -> 5");
    CHECK(r1 >= 0 && r2 >= 0 && ev_time(&w.ev, r2) - ev_time(&w.ev, r1) == 60,
          "one instance a minute, the alarm staying in ALARM");
    printf("warm-up 0: up to %d, first scale-out at %.0f s\n", mz.highest, mz.first_up);
    int r11 = ev_find(&z.ev, 0, "web", "desired", "-> 11");
    CHECK(mz.highest == 11 && r11 >= 0 && ev_time(&z.ev, r11) - mz.first_up <= 180,
          "without warm-up the scale-out adds again each minute: 3 -> 11 in 3 minutes");
    CHECK(mz.lowest == 4, "then back down to 4 (%d)", mz.lowest);
    printf("target tracking: %d scale-outs, %d scale-ins, launches %.0f\n", mt.ups, mt.downs,
           S(&t, "web.launches"));
    CHECK(mt.ups == 1 && mt.downs == 0 && mt.highest == 5 && S(&t, "web.launches") == 2,
          "target tracking: 3 -> 5, once");
    release(&w);
    release(&z);
    release(&t);
}

/* Lesson 3: scale-in flapping between two policies (TT-8, TT-10, TT-17). */
static void lesson_flapping(void)
{
    static const char *const fix[] = {"components.web.asg.scaling_policies.1.alarm.threshold=80",
                                      NULL};
    struct run f, x;
    run(&f, "lesson-flapping.json", NULL, "lesson_flapping.out");
    run(&x, "lesson-flapping.json", fix, "lesson_flapping-fixed.out");
    if (!f.ok || !x.ok) return;
    int cycles = 0, quick = 0;
    /* the scale-ins by target tracking (to 3) that leave 5 minutes of the run to follow */
    for (int row = ev_find(&f.ev, 0, "web", "desired", "(cpu70 3)");
         row >= 0 && ev_time(&f.ev, row) <= 7200 - 300;
         row = ev_find(&f.ev, ev_time(&f.ev, row) + 1, "web", "desired", "(cpu70 3)")) {
        cycles++;
        int up = ev_find(&f.ev, ev_time(&f.ev, row), "web", "desired", "3 -> 4");
        if (up >= 0 && ev_time(&f.ev, up) - ev_time(&f.ev, row) <= 300) quick++;
    }
    printf("flapping: %d scale-ins by cpu70, %d followed by a step scale-out within 5 min; "
           "launches %.0f, terminations %.0f\n",
           cycles, quick, S(&f, "web.launches"), S(&f, "web.terminations"));
    CHECK(cycles >= 4 && quick == cycles, "every target tracking scale-in is undone at once");
    CHECK(S(&f, "availability_pct") == 100, "no request lost: the cost is churn");
    struct moves mx = desired_moves(&x, "web");
    printf("fixed: %d scale-outs, %d scale-ins, ends at %.0f, CPU %.1f %%\n", mx.ups, mx.downs,
           ts_at(&x, "web.desired", 7200), ts_agg(&x, "web.cpu_pct", 3600, 7200, MEAN));
    CHECK(mx.ups == 0 && mx.downs == 1 && ts_at(&x, "web.desired", 7200) == 3,
          "with the step alarm at 80 %%, one scale-in to 3 and no flapping");
    CHECK(S(&x, "web.instance_hours") < S(&f, "web.instance_hours"), "and fewer instance-hours");
    release(&f);
    release(&x);
}

/* Lesson 4: CPU against request count when the database is the bottleneck (TT-1, TT-2). */
static void lesson_db(void)
{
    static const char *const rc[] = {
        "components.web.asg.scaling_policies.0.target_tracking_configuration={"
        "\"predefined_metric_specification\":{\"predefined_metric_type\":"
        "\"ALBRequestCountPerTarget\",\"resource_label\":\"web-alb\"},\"target_value\":2000}",
        NULL};
    static const char *const big[] = {"components.db.instance_class=db.m5.xlarge", NULL};
    struct run c, q, b;
    run(&c, "lesson-db-bottleneck.json", NULL, "lesson_db-cpu.out");
    run(&q, "lesson-db-bottleneck.json", rc, "lesson_db-requests.out");
    run(&b, "lesson-db-bottleneck.json", big, "lesson_db-bigger.out");
    if (!c.ok || !q.ok || !b.ok) return;
    double dbc = ts_agg(&c, "db.cpu_pct", 1500, 3600, MEAN);
    double webc = ts_agg(&c, "web.cpu_pct", 1500, 3600, MEAN);
    printf("CPU policy: web CPU %.1f %%, database CPU %.1f %% after the ramp; launches %.0f; "
           "availability %.2f %%, p99 %.0f ms\n",
           webc, dbc, S(&c, "web.launches"), S(&c, "availability_pct"), S(&c, "latency_p99_ms"));
    CHECK(dbc > 99 && webc < 20, "the database is full while web CPU stays low");
    CHECK(S(&c, "web.launches") == 0, "the CPU policy launches nothing");
    CHECK(S(&c, "availability_pct") < 85, "requests fail");
    printf("request-count policy: launches %.0f, instance-hours %.2f (CPU policy %.2f), "
           "availability %.2f %%, p99 %.0f ms, connections %.0f (%.0f)\n",
           S(&q, "web.launches"), S(&q, "web.instance_hours"), S(&c, "web.instance_hours"),
           S(&q, "availability_pct"), S(&q, "latency_p99_ms"), S(&q, "db.connections_peak"),
           S(&c, "db.connections_peak"));
    CHECK(S(&q, "web.launches") >= 2 &&
              S(&q, "web.instance_hours") >= 1.5 * S(&c, "web.instance_hours"),
          "request count scales the web tier out");
    CHECK(fabs(S(&q, "availability_pct") - S(&c, "availability_pct")) < 1 &&
              S(&q, "latency_p99_ms") >= S(&c, "latency_p99_ms"),
          "and fixes nothing: same availability, p99 no better");
    CHECK(S(&q, "db.connections_peak") > S(&c, "db.connections_peak"),
          "more instances open more connections to the database");
    CHECK(ts_agg(&q, "db.cpu_pct", 1500, 3600, MEAN) > 99, "the database stays full");
    printf("bigger database: availability %.2f %%, p99 %.0f ms, database CPU %.1f %%\n",
           S(&b, "availability_pct"), S(&b, "latency_p99_ms"),
           ts_agg(&b, "db.cpu_pct", 1500, 3600, MEAN));
    CHECK(S(&b, "availability_pct") == 100 && S(&b, "latency_p99_ms") < 200 &&
              S(&b, "web.launches") == 0,
          "a bigger database fixes it, with the same two web instances");
    release(&c);
    release(&q);
    release(&b);
}

/* One row of faults.csv, by column. */
static double fault_col(const char *dir, const char *col)
{
    struct check_table t;
    if (!check_table_load(&t, dir, "faults.csv")) return TS_NAN;
    double v = t.nrows == 1 ? check_num(&t, 0, check_col(&t, col)) : TS_NAN;
    check_table_free(&t);
    return v;
}

/* Lesson 5: static stability under the loss of an AZ (AZ-4, AZ-5, AZ-6, ASG-4, ASG-14). */
static void lesson_az(void)
{
    static const char *const six[] = {"components.web.asg.min_size=6",
                                      "components.web.asg.desired_capacity=6", NULL};
    struct run l, s;
    run(&l, "lesson-az-loss.json", NULL, "lesson_az-lean.out");
    run(&s, "lesson-az-loss.json", six, "lesson_az-static.out");
    if (!l.ok || !s.ok) return;
    CHECK(same_traffic(&l, &s), "the two runs offer the same requests");
    double lf = fault_col("lesson_az-lean.out", "requests_failed"),
           sf = fault_col("lesson_az-static.out", "requests_failed");
    double lm = fault_col("lesson_az-lean.out", "slo_violation_min"),
           sm = fault_col("lesson_az-static.out", "slo_violation_min");
    double lp = fault_col("lesson_az-lean.out", "p99_back_after_s"),
           sp = fault_col("lesson_az-static.out", "p99_back_after_s");
    double se = fault_col("lesson_az-static.out", "errors_back_after_s");
    printf("lean: %.0f failed, %.0f SLO minutes, p99 back after %.0f s, %.0f 503s\n", lf, lm, lp,
           S(&l, "errors_503"));
    printf("static: %.0f failed, %.0f SLO minutes, p99 back after %.0f s, errors back after "
           "%.0f s, %.0f 503s\n",
           sf, sm, sp, se, S(&s, "errors_503"));
    CHECK(ts_at(&l, "web.in_service.us-east-1a", 600) == 2, "lean: 2 of the 4 in us-east-1a");
    CHECK(lf > 2 * sf && lm > sm, "the lean group fails more than twice as many requests");
    CHECK(S(&l, "errors_503") > 0 && S(&s, "errors_503") == 0,
          "only the lean survivors overflow (503)");
    CHECK(sp == 0 && lp >= 120, "static: p99 never breaks; lean: minutes");
    CHECK(se <= 180, "static: errors only in the first minutes (the ALB's checks, DNS)");
    CHECK(S(&l, "errors_timeout") > 0 && S(&l, "errors_timeout") == S(&s, "errors_timeout"),
          "the same requests time out on the lost AZ's ALB node in both (DNS, ALB-2)");
    printf("instance-hours: lean %.2f, static %.2f\n", S(&l, "web.instance_hours"),
           S(&s, "web.instance_hours"));
    CHECK(S(&s, "web.instance_hours") > S(&l, "web.instance_hours"), "static stability costs");
    release(&l);
    release(&s);
}

/* Lesson 6: cold starts and provisioned concurrency (LAM-6, LAM-11, LAM-12, LAM-14). */
static void lesson_cold(void)
{
    struct run o, p;
    run(&o, "serverless-api.json", NULL, "lesson_cold-ondemand.out");
    run(&p, "serverless-api-provisioned.json", NULL, "lesson_cold-provisioned.out");
    if (!o.ok || !p.ok) return;
    double inv = S(&o, "products-fn.invocations"), cold = S(&o, "products-fn.cold_starts");
    printf("on demand: %.0f cold starts in %.0f invocations (%.4f %%); p99 %.1f ms, max %.0f ms\n",
           cold, inv, 100 * cold / inv, S(&o, "latency_p99_ms"), S(&o, "latency_max_ms"));
    CHECK(cold > 0 && cold < 0.0001 * inv, "cold starts are under 0.01 %% of invocations");
    CHECK(S(&o, "latency_p99_ms") < 100 && S(&o, "latency_max_ms") > 350,
          "p99 does not see them, the maximum does (the 350 ms Init)");
    double pc = S(&p, "products-fn.cold_starts");
    double before = 0;
    for (double t = 60; t <= 3600; t += 60)
        before += 60 * ts_at(&p, "products-fn.cold_starts_ps", t);
    printf("provisioned: %.0f cold starts (%.0f before the second burst); p99 %.1f ms; "
           "utilisation %.1f %% at 20 requests/s, %.1f %% in the second burst\n",
           pc, before, S(&p, "latency_p99_ms"),
           ts_agg(&p, "products-fn.provisioned_util_pct", 1800, 2700, MEAN),
           ts_agg(&p, "products-fn.provisioned_util_pct", 3660, 4200, MEAN));
    CHECK(before == 0 && pc > 0 && pc < cold,
          "no cold start until the second burst spills over the 25 provisioned");
    CHECK(S(&p, "latency_p99_ms") == S(&o, "latency_p99_ms"), "the same p99");
    CHECK(ts_agg(&p, "products-fn.provisioned_util_pct", 1800, 2700, MEAN) < 5,
          "provisioned environments mostly idle between the bursts");
    release(&o);
    release(&p);
}

/* Lesson 7: cache loss and the thundering herd (EC-2, EC-4). */
static void lesson_cache(void)
{
    struct run c;
    run(&c, "cache-loss.json", NULL, "lesson_cache.out");
    if (!c.ok) return;
    double reads0 = ts_agg(&c, "products-db.reads_rps", 600, 1200, MEAN);
    double hit0 = ts_agg(&c, "redis.hit_ratio", 600, 1200, MEAN);
    double off = ts_agg(&c, "offered_rps", 1260, 1500, MEAN);
    double reads1 = ts_agg(&c, "products-db.reads_rps", 1260, 1500, MEAN);
    double cpu1 = ts_agg(&c, "products-db.cpu_pct", 1260, 1500, MEAN);
    double p99_0 = ts_agg(&c, "latency_p99_ms", 600, 1200, MAX);
    double p99_1 = ts_agg(&c, "latency_p99_ms", 1260, 1560, MAX);
    printf("warm: hit ratio %.3f, database %.1f reads/s; node down: %.1f reads/s of %.1f "
           "offered, CPU %.1f %%, p99 up to %.0f ms (%.0f before)\n",
           hit0, reads0, reads1, off, cpu1, p99_1, p99_0);
    CHECK(reads1 > 0.97 * off && reads1 > 5 * reads0, "every request goes to the database");
    CHECK(cpu1 > 99, "which is full");
    /* 4 web instances, each with a pool of 10 connections (client_pool_size) */
    CHECK(ts_agg(&c, "products-db.connections", 600, 1200, MAX) < 40 &&
              ts_agg(&c, "products-db.connections", 1260, 1500, MAX) == 40,
          "every pool's connections open");
    CHECK(p99_1 > 50 * p99_0, "p99 from tens of milliseconds to seconds");
    double h1 = ts_at(&c, "redis.hit_ratio", 1560), h2 = ts_at(&c, "redis.hit_ratio", 3600);
    double r2 = ts_at(&c, "products-db.reads_rps", 3600);
    printf("replacement: hit ratio %.3f in its first minute, %.3f at the end; database %.1f "
           "reads/s at the end\n",
           h1, h2, r2);
    CHECK(h1 < 0.5 && h2 > h1 + 0.3 && h2 < hit0, "the empty replacement warms up over the hour");
    CHECK(r2 > 1.3 * reads0, "the database still does more than before at the end");
    CHECK(S(&c, "errors") < 0.001 * S(&c, "requests"), "hardly an error: slow, not down");
    release(&c);
}

/* Lesson 8: a retry storm (docs/models/retries.md). */
static void lesson_retry(void)
{
    static const char *const once[] = {"workload.client.retry.max_attempts=1", NULL};
    struct run r, o;
    run(&r, "lesson-retry-storm.json", NULL, "lesson_retry.out");
    run(&o, "lesson-retry-storm.json", once, "lesson_retry-once.out");
    if (!r.ok || !o.ok) return;
    CHECK(same_traffic(&r, &o), "the two runs offer the same requests");
    /* the burst ends at 12 min (720 s); the load falls at 40 min (2400 s) */
    double okr = ts_agg(&r, "ok_rps", 750, 2340, MEAN);
    double amp =
        ts_agg(&r, "attempts_rps", 750, 2340, MEAN) / ts_agg(&r, "offered_rps", 750, 2340, MEAN);
    double last = ts_last_lt(&r, "ok_rps", 2400, 140);
    printf("retries: attempts %.2f x offered from the burst to 39 min, %.1f ok/s on average; "
           "the last interval short of 140 ok/s ends at %.0f s; availability %.2f %%\n",
           amp, okr, last, S(&r, "availability_pct"));
    CHECK(okr < 0.05 * 280, "hardly anything succeeds from the burst until the load falls");
    CHECK(amp > 2.9, "three attempts for every request");
    CHECK(last >= 2400 + 300, "and not at once when it falls: 3 x 150 is still more than 400");
    CHECK(ts_agg(&r, "ok_rps", last, 3300, MIN) >= 140, "then it is over");
    double oerr = ts_agg(&o, "error_rps", 780, 3000, MAX);
    printf("one attempt: availability %.2f %%, errors after the burst %.1f/s, SLO minutes %.0f\n",
           S(&o, "availability_pct"), oerr, S(&o, "slo_violation_min"));
    CHECK(oerr == 0 && S(&o, "slo_violation_min") <= 3, "without retries the burst ends with it");
    CHECK(S(&o, "availability_pct") > S(&r, "availability_pct") + 50, "and far fewer failures");
    release(&r);
    release(&o);
}

int main(int argc, char **argv)
{
    static const struct {
        const char *name;
        void (*fn)(void);
    } lessons[] = {{"spike", lesson_spike},       {"warmup", lesson_warmup},
                   {"flapping", lesson_flapping}, {"db_bottleneck", lesson_db},
                   {"az_loss", lesson_az},        {"cold_starts", lesson_cold},
                   {"cache_loss", lesson_cache},  {"retry_storm", lesson_retry}};
    int done = 0;
    for (size_t i = 0; i < sizeof lessons / sizeof lessons[0]; i++)
        if (argc < 2 || strcmp(argv[1], lessons[i].name) == 0) {
            lessons[i].fn();
            done++;
        }
    CHECK(done > 0, "no lesson named \"%s\"", argc > 1 ? argv[1] : "");
    return check_done();
}
