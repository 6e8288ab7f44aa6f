/* test_rules.c — the AWS worked examples, pinned: SS-6's step policy walked through, SS-7's
 * steps, SS-8's adjustment types, SS-9's roundings, SS-4's bounds, SS-3's invalid step sets,
 * TT-13's conservative rounding, TT-16/TT-17's arbitration, and CW-4/CW-5's M-of-N alarms
 * under each missing-data treatment, with the exact `why` text of each. */
#include "check.h"

#include "tiersim/err.h"
#include "tiersim/models/rules.h"

#define N(a) (sizeof(a) / sizeof((a)[0]))

static void check_adjust(enum adjustment_type t, double adj, int64_t cur, int64_t mam,
                         int64_t want, const char *want_why)
{
    char why[128];
    int64_t got = rule_adjust(t, adj, cur, mam, why, sizeof why);
    CHECK(got == want, "%s %g on %lld (min %lld) = %lld, expected %lld",
          adjustment_type_names[t], adj, (long long)cur, (long long)mam, (long long)got,
          (long long)want);
    CHECK_STR(why, want_why);
}

/* --- SS-8, SS-9 ---------------------------------------------------------------------------- */

static void test_adjustment_types(void)
{
    /* SS-8: 3 + 5 -> 8; exact 5; 10 + 10% -> 11. */
    check_adjust(ADJ_CHANGE_IN_CAPACITY, 5, 3, 0, 8, "3 + 5 -> 8");
    check_adjust(ADJ_CHANGE_IN_CAPACITY, -2, 3, 0, 1, "3 - 2 -> 1");
    check_adjust(ADJ_EXACT_CAPACITY, 5, 3, 0, 5, "set to 5 (was 3)");
    check_adjust(ADJ_PERCENT_CHANGE_IN_CAPACITY, 10, 10, 0, 11, "+10% of 10 = 1 -> 11");
    /* Not clamped: the caller applies min and max (ASG-2). */
    check_adjust(ADJ_CHANGE_IN_CAPACITY, -5, 3, 0, -2, "3 - 5 -> -2");
}

static void test_percent_rounding(void)
{
    /* SS-9: above 1 toward zero, between 0 and 1 to one instance, both signs. */
    check_adjust(ADJ_PERCENT_CHANGE_IN_CAPACITY, 10, 127, 0, 139,
                 "+10% of 127 = 12.7 -> 12 -> 139");
    check_adjust(ADJ_PERCENT_CHANGE_IN_CAPACITY, -23, 29, 0, 23, "-23% of 29 = -6.67 -> -6 -> 23");
    check_adjust(ADJ_PERCENT_CHANGE_IN_CAPACITY, 5, 10, 0, 11, "+5% of 10 = 0.5 -> 1 -> 11");
    check_adjust(ADJ_PERCENT_CHANGE_IN_CAPACITY, -5, 10, 0, 9, "-5% of 10 = -0.5 -> -1 -> 9");
    check_adjust(ADJ_PERCENT_CHANGE_IN_CAPACITY, 100, 3, 0, 6, "+100% of 3 = 3 -> 6");
    check_adjust(ADJ_PERCENT_CHANGE_IN_CAPACITY, 0, 10, 0, 10, "+0% of 10 = 0 -> 10");
    /* SS-9's MinAdjustmentMagnitude: 25% of 4 = 1, with 2 -> add 2; both directions. */
    check_adjust(ADJ_PERCENT_CHANGE_IN_CAPACITY, 25, 4, 2, 6,
                 "+25% of 4 = 1, below the minimum magnitude 2 -> +2 -> 6");
    check_adjust(ADJ_PERCENT_CHANGE_IN_CAPACITY, -25, 4, 2, 2,
                 "-25% of 4 = -1, below the minimum magnitude 2 -> -2 -> 2");
    check_adjust(ADJ_PERCENT_CHANGE_IN_CAPACITY, 25, 5, 2, 7,
                 "+25% of 5 = 1.25 -> 1, below the minimum magnitude 2 -> +2 -> 7");
    check_adjust(ADJ_PERCENT_CHANGE_IN_CAPACITY, 25, 40, 2, 50, "+25% of 40 = 10 -> 50");
    /* A zero step stays zero; an empty group still moves by the minimum. */
    check_adjust(ADJ_PERCENT_CHANGE_IN_CAPACITY, 0, 4, 2, 4, "+0% of 4 = 0 -> 4");
    check_adjust(ADJ_PERCENT_CHANGE_IN_CAPACITY, 50, 0, 2, 2,
                 "+50% of 0 = 0, below the minimum magnitude 2 -> +2 -> 2");
    check_adjust(ADJ_PERCENT_CHANGE_IN_CAPACITY, 50, 0, 0, 0, "+50% of 0 = 0 -> 0");
}

/* --- SS-3, SS-4, SS-6, SS-7 ------------------------------------------------------------------ */

/* SS-6, threshold 50: the scale-out and the scale-in policy. */
static const struct step_adjustment ss6_out[] = {{0, 10, 0}, {10, 20, 10}, {20, HUGE_VAL, 30}};
static const struct step_adjustment ss6_in[] = {
    {-10, 0, 0}, {-20, -10, -10}, {-HUGE_VAL, -20, -30}};

/* One firing of an SS-6 policy: the step the metric falls in, applied to `cur`. */
static int64_t ss6_fire(double metric, int64_t cur, char *why, size_t size)
{
    const struct step_adjustment *steps = metric >= 50 ? ss6_out : ss6_in;
    int i = rule_step_find(steps, 3, 50, metric);
    CHECK(i >= 0, "metric %g falls in a step", metric);
    if (i < 0)
        return cur;
    return rule_adjust(ADJ_PERCENT_CHANGE_IN_CAPACITY, steps[i].adjustment, cur, 0, why, size);
}

static void test_ss6_walkthrough(void)
{
    char buf[256];
    CHECK(rule_steps_check(ss6_out, 3, buf, sizeof buf) == NULL, "%s", buf);
    CHECK(rule_steps_check(ss6_in, 3, buf, sizeof buf) == NULL, "%s", buf);

    char why[128];
    int64_t cap = 10;
    cap = ss6_fire(60, cap, why, sizeof why);
    CHECK_EQ_INT(cap, 11);
    CHECK_STR(why, "+10% of 10 = 1 -> 11");
    cap = ss6_fire(70, cap, why, sizeof why);
    CHECK_EQ_INT(cap, 14);
    CHECK_STR(why, "+30% of 11 = 3.3 -> 3 -> 14");
    cap = ss6_fire(40, cap, why, sizeof why);
    CHECK_EQ_INT(cap, 13);
    CHECK_STR(why, "-10% of 14 = -1.4 -> -1 -> 13");
    cap = ss6_fire(30, cap, why, sizeof why);
    CHECK_EQ_INT(cap, 10);
    CHECK_STR(why, "-30% of 13 = -3.9 -> -3 -> 10");

    /* Unchanged while 40 < metric < 60, whatever the capacity. */
    for (double m = 40.5; m < 60; m += 0.5)
        for (int64_t c = 1; c <= 20; c++)
            CHECK(ss6_fire(m, c, NULL, 0) == c, "metric %g on %lld changes nothing", m,
                  (long long)c);
    for (int m = 45; m <= 55; m++)
        CHECK(ss6_fire(m, 10, NULL, 0) == 10, "metric %d on 10 changes nothing", m);

    /* The six steps as one policy spanning the threshold are valid too. */
    struct step_adjustment all[6];
    for (size_t i = 0; i < 3; i++) {
        all[i] = ss6_out[i];
        all[3 + i] = ss6_in[i];
    }
    CHECK(rule_steps_check(all, 6, buf, sizeof buf) == NULL, "%s", buf);
}

static void test_ss4_bounds(void)
{
    /* On a bound above the threshold: lower inclusive, upper exclusive. */
    CHECK_EQ_INT(rule_step_find(ss6_out, 3, 50, 60), 1);
    CHECK_EQ_INT(rule_step_find(ss6_out, 3, 50, 59.999), 0);
    CHECK_EQ_INT(rule_step_find(ss6_out, 3, 50, 70), 2);
    CHECK_EQ_INT(rule_step_find(ss6_out, 3, 50, 1e9), 2);
    /* On a bound below it: lower exclusive, upper inclusive. */
    CHECK_EQ_INT(rule_step_find(ss6_in, 3, 50, 40), 1);
    CHECK_EQ_INT(rule_step_find(ss6_in, 3, 50, 40.001), 0);
    CHECK_EQ_INT(rule_step_find(ss6_in, 3, 50, 30), 2);
    CHECK_EQ_INT(rule_step_find(ss6_in, 3, 50, -1e9), 2);
    /* On the threshold itself: [0, 10) and (-10, 0] both contain it (AWS's own examples). */
    CHECK_EQ_INT(rule_step_find(ss6_out, 3, 50, 50), 0);
    CHECK_EQ_INT(rule_step_find(ss6_in, 3, 50, 50), 0);
    /* The other side of the threshold is in no step. */
    CHECK_EQ_INT(rule_step_find(ss6_out, 3, 50, 49.9), -1);
    CHECK_EQ_INT(rule_step_find(ss6_in, 3, 50, 50.1), -1);
    CHECK_EQ_INT(rule_step_find(ss6_out, 3, 50, TS_NAN), -1);
    /* A step across the threshold excludes both ends. */
    struct step_adjustment across[] = {{-HUGE_VAL, -5, -1}, {-5, 5, 0}, {5, HUGE_VAL, 1}};
    CHECK_EQ_INT(rule_step_find(across, 3, 0, -5), 0);
    CHECK_EQ_INT(rule_step_find(across, 3, 0, -4.9), 1);
    CHECK_EQ_INT(rule_step_find(across, 3, 0, 0), 1);
    CHECK_EQ_INT(rule_step_find(across, 3, 0, 4.9), 1);
    CHECK_EQ_INT(rule_step_find(across, 3, 0, 5), 2);
}

static void test_ss7(void)
{
    /* Threshold 60: +10% for [60, 75), +20% for [75, 85), +30% for >= 85, min magnitude 1. */
    const struct step_adjustment s[] = {{0, 15, 10}, {15, 25, 20}, {25, HUGE_VAL, 30}};
    char buf[128];
    CHECK(rule_steps_check(s, 3, buf, sizeof buf) == NULL, "%s", buf);
    CHECK_EQ_INT(rule_step_find(s, 3, 60, 60), 0);
    CHECK_EQ_INT(rule_step_find(s, 3, 60, 74.9), 0);
    CHECK_EQ_INT(rule_step_find(s, 3, 60, 75), 1);
    CHECK_EQ_INT(rule_step_find(s, 3, 60, 84.9), 1);
    CHECK_EQ_INT(rule_step_find(s, 3, 60, 85), 2);
    CHECK_EQ_INT(rule_step_find(s, 3, 60, 100), 2);
    CHECK_EQ_INT(rule_step_find(s, 3, 60, 59.9), -1);
    check_adjust(ADJ_PERCENT_CHANGE_IN_CAPACITY, s[1].adjustment, 10, 1, 12,
                 "+20% of 10 = 2 -> 12");
    check_adjust(ADJ_PERCENT_CHANGE_IN_CAPACITY, s[0].adjustment, 3, 1, 4,
                 "+10% of 3 = 0.3 -> 1 -> 4");
}

static void check_steps_bad(const struct step_adjustment *s, size_t n, const char *want)
{
    char buf[160];
    const char *got = rule_steps_check(s, n, buf, sizeof buf);
    CHECK(got != NULL, "expected \"%s\"", want);
    if (got)
        CHECK_STR(got, want);
}

static void test_invalid_steps(void)
{
    const struct step_adjustment overlap[] = {{0, 20, 1}, {10, HUGE_VAL, 2}};
    check_steps_bad(overlap, 2, "steps 0 and 1 overlap: [0, 20) and [10, inf)");
    const struct step_adjustment overlap_below[] = {{-HUGE_VAL, -5, -2}, {-10, 0, -1}};
    check_steps_bad(overlap_below, 2, "steps 0 and 1 overlap: (-inf, -5] and (-10, 0]");
    const struct step_adjustment gap[] = {{20, HUGE_VAL, 2}, {0, 10, 1}};
    check_steps_bad(gap, 2, "steps 0 and 1 leave a gap: [20, inf) and [0, 10)");
    const struct step_adjustment two_open_below[] = {
        {-HUGE_VAL, -20, -3}, {-20, -10, -2}, {-HUGE_VAL, 0, -1}};
    check_steps_bad(two_open_below, 3, "steps 0 and 2 both have no lower bound");
    const struct step_adjustment two_open_above[] = {{0, HUGE_VAL, 1}, {10, HUGE_VAL, 2}};
    check_steps_bad(two_open_above, 2, "steps 0 and 1 both have no upper bound");
    const struct step_adjustment backwards[] = {{0, 10, 1}, {10, 10, 2}};
    check_steps_bad(backwards, 2, "step 1: lower bound 10 must be below upper bound 10");
    const struct step_adjustment unbounded[] = {{-HUGE_VAL, HUGE_VAL, 1}};
    check_steps_bad(unbounded, 1, "step 0 has neither a lower nor an upper bound");
    const struct step_adjustment short_below[] = {{-10, 0, -1}, {-20, -10, -2}};
    check_steps_bad(short_below, 2,
                    "step 1: a negative lower bound (-20) needs a step without a lower bound");
    const struct step_adjustment short_above[] = {{0, 10, 1}};
    check_steps_bad(short_above, 1,
                    "step 0: a positive upper bound (10) needs a step without an upper bound");
    const struct step_adjustment nan[] = {{0, TS_NAN, 1}};
    check_steps_bad(nan, 1, "step 0: a bound is not a number");
    check_steps_bad(NULL, 0, "a step policy needs at least one step");

    /* Valid: steps that start above the threshold, and one step to +inf. */
    const struct step_adjustment late[] = {{5, 10, 1}, {10, HUGE_VAL, 2}};
    CHECK(rule_steps_check(late, 2, NULL, 0) == NULL, "[5, 10) [10, inf) is valid");
    const struct step_adjustment one[] = {{0, HUGE_VAL, 1}};
    CHECK(rule_steps_check(one, 1, NULL, 0) == NULL, "[0, inf) is valid");
    /* Without a buffer the answer is still non-NULL when invalid. */
    CHECK(rule_steps_check(overlap, 2, NULL, 0) != NULL, "invalid without a buffer");
}

/* --- TT-13, TT-14 ---------------------------------------------------------------------------- */

static void test_tt_capacity(void)
{
    char why[64];
    CHECK_EQ_INT(rule_tt_capacity(4, 86.4, 70, why, sizeof why), 5);
    CHECK_STR(why, "desired=ceil(4*86.4/70)=5");
    /* TT-13: 1.5 instances to add -> 2 added. */
    CHECK_EQ_INT(rule_tt_capacity(2, 105, 60, why, sizeof why), 4);
    CHECK_STR(why, "desired=ceil(2*105/60)=4");
    /* TT-13: 1.5 instances could be removed -> only 1 removed. */
    CHECK_EQ_INT(rule_tt_capacity(4, 37.5, 60, why, sizeof why), 3);
    CHECK_STR(why, "desired=ceil(4*37.5/60)=3");
    /* On target: no change; a whole ratio with rounding noise (9.000000000000002) too. */
    CHECK_EQ_INT(rule_tt_capacity(10, 70, 70, why, sizeof why), 10);
    CHECK_EQ_INT(rule_tt_capacity(3, 23.1, 7.7, why, sizeof why), 9);
    CHECK_STR(why, "desired=ceil(3*23.1/7.7)=9");
    CHECK_EQ_INT(rule_tt_capacity(0, 50, 70, NULL, 0), 0);
    CHECK_EQ_INT(rule_tt_capacity(5, 0, 70, NULL, 0), 0);
}

/* --- TT-16, TT-17 ---------------------------------------------------------------------------- */

#define TT PROPOSAL_TARGET_TRACKING
#define OTHER PROPOSAL_OTHER

static void check_arbitrate(const struct proposal *p, size_t n, int64_t cur, size_t tt_in,
                            int64_t want, const char *want_why)
{
    char why[160];
    int64_t got = rule_arbitrate(p, n, cur, tt_in, why, sizeof why);
    CHECK(got == want, "arbitrate = %lld, expected %lld (%s)", (long long)got, (long long)want,
          why);
    CHECK_STR(why, want_why);
}

static void test_arbitrate(void)
{
    /* TT-17: 8 instances, one policy -> 5, another -> 6 => 6 (largest capacity). */
    const struct proposal steps56[] = {{OTHER, 5}, {OTHER, 6}};
    check_arbitrate(steps56, 2, 8, 0, 6, "largest of 5, 6 -> 6");
    const struct proposal tt56[] = {{TT, 5}, {TT, 6}};
    check_arbitrate(tt56, 2, 8, 2, 6, "largest of 5, 6 -> 6");
    const struct proposal mixed56[] = {{TT, 5}, {OTHER, 6}};
    check_arbitrate(mixed56, 2, 8, 1, 6, "largest of 5, 6 -> 6");
    /* Scale-out wins over scale-in, and the largest scale-out wins. */
    const struct proposal out[] = {{OTHER, 5}, {TT, 10}, {OTHER, 9}};
    check_arbitrate(out, 3, 8, 1, 10, "largest of 5, 10, 9 -> 10");
    /* TT-16: a target tracking scale-in waits for every scale-in-enabled TT policy. */
    check_arbitrate(tt56, 2, 8, 3, 8,
                    "no change -> 8; target tracking scale-in held: 2 of 3 policies propose it");
    const struct proposal tt_split[] = {{TT, 6}, {TT, 8}};
    check_arbitrate(tt_split, 2, 8, 2, 8,
                    "no change -> 8; target tracking scale-in held: 1 of 2 policies propose it");
    /* ... unless the other policy has scale-in disabled (it is not counted). */
    check_arbitrate(tt_split, 2, 8, 1, 6, "largest of 6 -> 6");
    /* TT-17: a step scale-in goes through while target tracking is not ready. */
    const struct proposal step_first[] = {{OTHER, 5}, {TT, 7}};
    check_arbitrate(step_first, 2, 8, 2, 5,
                    "largest of 5 -> 5; target tracking scale-in held: 1 of 2 policies propose it");
    /* A step policy that fired with a 0 step holds the group (largest capacity). */
    const struct proposal hold[] = {{OTHER, 8}, {OTHER, 5}};
    check_arbitrate(hold, 2, 8, 0, 8, "largest of 8, 5 -> 8");
    check_arbitrate(NULL, 0, 8, 0, 8, "no change -> 8");
}

/* --- CW-3..5 --------------------------------------------------------------------------------- */

static void test_breaches(void)
{
    /* Each comparison at equality. */
    CHECK(!rule_breaches(CMP_GREATER_THAN, 70, 70), "70 > 70");
    CHECK(rule_breaches(CMP_GREATER_THAN_OR_EQUAL, 70, 70), "70 >= 70");
    CHECK(!rule_breaches(CMP_LESS_THAN, 70, 70), "70 < 70");
    CHECK(rule_breaches(CMP_LESS_THAN_OR_EQUAL, 70, 70), "70 <= 70");
    CHECK(rule_breaches(CMP_GREATER_THAN, 70.5, 70), "70.5 > 70");
    CHECK(rule_breaches(CMP_LESS_THAN, 69.5, 70), "69.5 < 70");
    CHECK(!rule_breaches(CMP_GREATER_THAN_OR_EQUAL, TS_NAN, 70), "NaN never breaches");

    /* The same at equality through an alarm, 1 of 1. */
    const double v[] = {70};
    const bool pr[] = {true};
    const enum alarm_state want[] = {ALARM_OK, ALARM_ALARM, ALARM_OK, ALARM_ALARM};
    const char *const whys[] = {"0 of 1 datapoints > 70 (70)", "1 of 1 datapoints >= 70 (70)",
                                "0 of 1 datapoints < 70 (70)", "1 of 1 datapoints <= 70 (70)"};
    for (int c = CMP_GREATER_THAN; c <= CMP_LESS_THAN_OR_EQUAL; c++) {
        char why[80];
        struct alarm_result r = rule_alarm_evaluate(v, pr, 1, 1, (enum comparison)c, 70,
                                                    MISSING_MISSING, ALARM_OK, why, sizeof why);
        CHECK(r.state == want[c], "%s: %s", comparison_names[c], alarm_state_names[r.state]);
        CHECK_STR(why, whys[c]);
    }
}

static void check_alarm(const double *v, const bool *pr, unsigned n, unsigned m,
                        enum missing_data treat, enum alarm_state current,
                        enum alarm_state want, unsigned breaching, unsigned present,
                        const char *want_why)
{
    char why[160];
    struct alarm_result r = rule_alarm_evaluate(v, pr, n, m, CMP_GREATER_THAN, 70, treat, current,
                                                why, sizeof why);
    CHECK(r.state == want, "%u of %u, %s, from %s: %s, expected %s", m, n,
          missing_data_names[treat], alarm_state_names[current], alarm_state_names[r.state],
          alarm_state_names[want]);
    CHECK_EQ_INT(r.breaching, breaching);
    CHECK_EQ_INT(r.present, present);
    CHECK_STR(why, want_why);
}

static void test_alarm_missing_data(void)
{
    const double all[] = {86.4, 88, 91.2};
    const bool yes[] = {true, true, true};
    const double some[] = {86.4, 0, 91.2};
    const bool hole[] = {true, false, true};
    const double none[] = {0, 0, 0};
    const bool no[] = {false, false, false};
    const char *full = "3 of 3 datapoints > 70 (86.4, 88, 91.2)";
    for (int t = MISSING_MISSING; t <= MISSING_IGNORE; t++) {
        /* All present: the treatment does not matter. */
        check_alarm(all, yes, 3, 3, (enum missing_data)t, ALARM_OK, ALARM_ALARM, 3, 3, full);
        check_alarm(all, yes, 3, 3, (enum missing_data)t, ALARM_INSUFFICIENT_DATA, ALARM_ALARM,
                    3, 3, full);
    }
    /* Some missing, 3 of 3: only "breaching" fills the hole with a breach. */
    const char *two = "2 of 3 datapoints > 70 (86.4, -, 91.2)";
    check_alarm(some, hole, 3, 3, MISSING_MISSING, ALARM_ALARM, ALARM_OK, 2, 2, two);
    check_alarm(some, hole, 3, 3, MISSING_NOT_BREACHING, ALARM_ALARM, ALARM_OK, 2, 2, two);
    check_alarm(some, hole, 3, 3, MISSING_IGNORE, ALARM_ALARM, ALARM_OK, 2, 2, two);
    check_alarm(some, hole, 3, 3, MISSING_BREACHING, ALARM_OK, ALARM_ALARM, 3, 2,
                "3 of 3 datapoints > 70 (86.4, -, 91.2), missing counted as breaching");
    /* ... and 2 of 3 alarms on the two present breaches under every treatment. */
    for (int t = MISSING_MISSING; t <= MISSING_NOT_BREACHING; t++)
        check_alarm(some, hole, 3, 2, (enum missing_data)t, ALARM_OK, ALARM_ALARM, 2, 2, two);
    /* All missing. */
    const char *empty = "0 of 3 datapoints present";
    check_alarm(none, no, 3, 3, MISSING_MISSING, ALARM_ALARM, ALARM_INSUFFICIENT_DATA, 0, 0,
                empty);
    check_alarm(none, no, 3, 3, MISSING_NOT_BREACHING, ALARM_ALARM, ALARM_OK, 0, 0, empty);
    check_alarm(none, no, 3, 3, MISSING_BREACHING, ALARM_OK, ALARM_ALARM, 3, 0, empty);
    check_alarm(none, no, 3, 3, MISSING_IGNORE, ALARM_ALARM, ALARM_ALARM, 0, 0, empty);
    check_alarm(none, no, 3, 3, MISSING_IGNORE, ALARM_OK, ALARM_OK, 0, 0, empty);
    check_alarm(none, no, 3, 3, MISSING_IGNORE, ALARM_INSUFFICIENT_DATA, ALARM_INSUFFICIENT_DATA,
                0, 0, empty);
}

static void test_alarm_m_of_n(void)
{
    /* CW-4: 2 of 3 need not be consecutive. */
    const double v[] = {80, 60, 80};
    const bool pr[] = {true, true, true};
    check_alarm(v, pr, 3, 2, MISSING_MISSING, ALARM_OK, ALARM_ALARM, 2, 3,
                "2 of 3 datapoints > 70 (80, 60, 80)");
    check_alarm(v, pr, 3, 3, MISSING_MISSING, ALARM_ALARM, ALARM_OK, 2, 3,
                "2 of 3 datapoints > 70 (80, 60, 80)");
    const double one[] = {60, 60, 80};
    check_alarm(one, pr, 3, 2, MISSING_MISSING, ALARM_ALARM, ALARM_OK, 1, 3,
                "1 of 3 datapoints > 70 (60, 60, 80)");
    /* TT-8's AlarmLow shape: 15 of 15 below a threshold, one point short of it. */
    double low[15];
    bool p15[15];
    for (int i = 0; i < 15; i++) {
        low[i] = i == 7 ? 45 : 30;
        p15[i] = true;
    }
    struct alarm_result r = rule_alarm_evaluate(low, p15, 15, 15, CMP_LESS_THAN, 42,
                                                MISSING_MISSING, ALARM_OK, NULL, 0);
    CHECK(r.state == ALARM_OK && r.breaching == 14, "14 of 15: %s", alarm_state_names[r.state]);
    low[7] = 30;
    r = rule_alarm_evaluate(low, p15, 15, 15, CMP_LESS_THAN, 42, MISSING_MISSING, ALARM_OK, NULL,
                            0);
    CHECK(r.state == ALARM_ALARM && r.breaching == 15, "15 of 15: %s",
          alarm_state_names[r.state]);
}

/* --- names, and the why buffer --------------------------------------------------------------- */

static void test_names(void)
{
    CHECK_STR(adjustment_type_names[ADJ_CHANGE_IN_CAPACITY], "ChangeInCapacity");
    CHECK_STR(adjustment_type_names[ADJ_PERCENT_CHANGE_IN_CAPACITY], "PercentChangeInCapacity");
    CHECK_STR(adjustment_type_names[ADJ_EXACT_CAPACITY], "ExactCapacity");
    CHECK(adjustment_type_names[3] == NULL, "NULL-ended");
    CHECK_STR(alarm_state_names[ALARM_INSUFFICIENT_DATA], "INSUFFICIENT_DATA");
    CHECK_STR(alarm_state_names[ALARM_OK], "OK");
    CHECK_STR(alarm_state_names[ALARM_ALARM], "ALARM");
    CHECK_STR(comparison_names[CMP_GREATER_THAN], "GreaterThanThreshold");
    CHECK_STR(comparison_names[CMP_GREATER_THAN_OR_EQUAL], "GreaterThanOrEqualToThreshold");
    CHECK_STR(comparison_names[CMP_LESS_THAN], "LessThanThreshold");
    CHECK_STR(comparison_names[CMP_LESS_THAN_OR_EQUAL], "LessThanOrEqualToThreshold");
    CHECK(comparison_names[4] == NULL, "NULL-ended");
    CHECK_STR(comparison_symbols[CMP_GREATER_THAN_OR_EQUAL], ">=");
    CHECK_STR(comparison_symbols[CMP_LESS_THAN], "<");
    CHECK_STR(missing_data_names[MISSING_MISSING], "missing");
    CHECK_STR(missing_data_names[MISSING_NOT_BREACHING], "notBreaching");
    CHECK_STR(missing_data_names[MISSING_BREACHING], "breaching");
    CHECK_STR(missing_data_names[MISSING_IGNORE], "ignore");
    CHECK(missing_data_names[4] == NULL, "NULL-ended");
}

static void test_why_truncation(void)
{
    char buf[16];
    memset(buf, '#', sizeof buf);
    CHECK_EQ_INT(rule_adjust(ADJ_PERCENT_CHANGE_IN_CAPACITY, 30, 11, 0, buf, 8), 14);
    CHECK_STR(buf, "+30% of");
    for (size_t i = 8; i < sizeof buf; i++)
        CHECK(buf[i] == '#', "byte %zu written", i);
    memset(buf, '#', sizeof buf);
    CHECK_EQ_INT(rule_arbitrate(NULL, 0, 8, 0, buf, 1), 8);
    CHECK(buf[0] == '\0' && buf[1] == '#', "one byte: empty string only");
    CHECK_EQ_INT(rule_adjust(ADJ_PERCENT_CHANGE_IN_CAPACITY, 30, 11, 0, NULL, 0), 14);
    CHECK_EQ_INT(rule_tt_capacity(4, 86.4, 70, buf, 0), 5);

    /* A long alarm list is cut, never overrun. */
    double v[40];
    bool pr[40];
    for (int i = 0; i < 40; i++) {
        v[i] = 86.4 + i;
        pr[i] = true;
    }
    char small[32];
    memset(small, '#', sizeof small);
    rule_alarm_evaluate(v, pr, 40, 3, CMP_GREATER_THAN, 70, MISSING_MISSING, ALARM_OK, small, 24);
    CHECK_EQ_INT(strlen(small), 23);
    CHECK(small[24] == '#', "byte 24 written");
    char steps[20];
    const struct step_adjustment overlap[] = {{0, 20, 1}, {10, HUGE_VAL, 2}};
    const char *msg = rule_steps_check(overlap, 2, steps, sizeof steps);
    CHECK(msg == steps && strlen(steps) == 19, "cut message \"%s\"", msg);
}

int main(void)
{
    test_adjustment_types();
    test_percent_rounding();
    test_ss6_walkthrough();
    test_ss4_bounds();
    test_ss7();
    test_invalid_steps();
    test_tt_capacity();
    test_arbitrate();
    test_breaches();
    test_alarm_missing_data();
    test_alarm_m_of_n();
    test_names();
    test_why_truncation();
    return check_done();
}
