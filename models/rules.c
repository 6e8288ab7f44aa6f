/* rules.c — the arithmetic of EC2 Auto Scaling policies and CloudWatch alarms (rules.h).
 *
 * Pure functions: no state, no simulation, no allocation. The fleet's scaling code calls
 * them and copies `why` into events.csv, so every decision can be checked by hand.
 *
 * Rules, each with the fact it rests on (reference/aws-behavior.md):
 * - Percent adjustments are adjustment * current / 100, rounded as SS-9 says: toward zero
 *   when the magnitude is at least 1, to +1 or -1 when it is strictly between 0 and 1;
 *   MinAdjustmentMagnitude raises the magnitude of a non-zero percent change (SS-9, SS-7).
 *   The product is formed before the division so whole results (10% of 10) are exact.
 * - Step bounds are relative to the threshold and follow the API's rules (SS-3 and the
 *   StepAdjustment API page): lower < upper, not both absent, no overlap, no gap, at most
 *   one step open below and one open above, and a negative lower bound (positive upper
 *   bound) needs a step open below (above). Inclusivity depends on the side of the
 *   threshold the metric is on (SS-4); bounds are compared as threshold + bound, as the
 *   API words it.
 * - Target tracking asks for ceil(N * M / T) (TT-14), which rounds as TT-13 says: 1.5 to
 *   add adds 2, 1.5 to remove removes 1.
 * - Several policies at once: scale out to the largest proposal if any is above current
 *   (TT-16, TT-17); otherwise the largest resulting capacity among the step and simple
 *   proposals and, only when every target tracking policy with scale-in enabled proposes
 *   to scale in, the target tracking ones (TT-16, TT-17).
 * - Alarms: M of the last N datapoints breaching (CW-4), missing ones counted as the
 *   treatment says (CW-5).
 * Simplifications: CloudWatch's wider evaluation range for missing data (CW-5) is not
 * modelled: the N datapoints given are all there is.
 */
#include "tiersim/models/rules.h"

#include "tiersim/err.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>

/* --- names -------------------------------------------------------------------------------- */

const char *const adjustment_type_names[] = {"ChangeInCapacity", "PercentChangeInCapacity",
                                             "ExactCapacity", NULL};
const char *const alarm_state_names[] = {"INSUFFICIENT_DATA", "OK", "ALARM", NULL};
const char *const comparison_names[] = {"GreaterThanThreshold", "GreaterThanOrEqualToThreshold",
                                        "LessThanThreshold", "LessThanOrEqualToThreshold", NULL};
const char *const comparison_symbols[] = {">", ">=", "<", "<=", NULL};
const char *const missing_data_names[] = {"missing", "notBreaching", "breaching", "ignore", NULL};

#define COUNT(a) (sizeof(a) / sizeof((a)[0]))
_Static_assert(COUNT(adjustment_type_names) == ADJ_EXACT_CAPACITY + 2, "one name per type");
_Static_assert(COUNT(alarm_state_names) == ALARM_ALARM + 2, "one name per state");
_Static_assert(COUNT(comparison_names) == CMP_LESS_THAN_OR_EQUAL + 2, "one name per comparison");
_Static_assert(COUNT(comparison_symbols) == CMP_LESS_THAN_OR_EQUAL + 2, "one symbol each");
_Static_assert(COUNT(missing_data_names) == MISSING_IGNORE + 2, "one name per treatment");

/* --- the teaching log: appends that never write beyond the buffer --------------------------- */

struct why {
    char *buf;   /* NULL: nothing is written */
    size_t size; /* bytes of buf, NUL included */
    size_t len;  /* characters written so far */
};

static struct why why_start(char *buf, size_t size)
{
    struct why w = {size ? buf : NULL, size, 0};
    if (w.buf)
        w.buf[0] = '\0';
    return w;
}

static void say(struct why *w, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void say(struct why *w, const char *fmt, ...)
{
    if (!w->buf || w->len + 1 >= w->size)
        return;
    va_list ap;
    va_start(ap, fmt);
    int k = vsnprintf(w->buf + w->len, w->size - w->len, fmt, ap);
    va_end(ap);
    if (k < 0) {
        w->buf[w->len] = '\0';
        return;
    }
    size_t room = w->size - w->len - 1;
    w->len += (size_t)k < room ? (size_t)k : room;
}

/* --- adjustments (SS-8, SS-9) ---------------------------------------------------------------- */

/* A double as an int64_t, saturating instead of overflowing (at -INT64_MAX below, so that
 * negating the result is always defined); NaN is 0. */
static int64_t to_i64(double x)
{
    if (isnan(x))
        return 0;
    if (x >= 9223372036854775807.0)
        return INT64_MAX;
    if (x <= -9223372036854775807.0)
        return -INT64_MAX;
    return (int64_t)x;
}

static int64_t add_sat(int64_t a, int64_t b)
{
    if (b > 0 && a > INT64_MAX - b)
        return INT64_MAX;
    if (b < 0 && a < INT64_MIN - b)
        return INT64_MIN;
    return a + b;
}

int64_t rule_adjust(enum adjustment_type type, double adjustment, int64_t current,
                    int64_t min_adjustment_magnitude, char *why, size_t why_size)
{
    struct why w = why_start(why, why_size);
    int64_t result = current;
    switch (type) {
    case ADJ_CHANGE_IN_CAPACITY: {
        int64_t d = to_i64(trunc(adjustment));
        result = add_sat(current, d);
        say(&w, "%lld %c %lld -> %lld", (long long)current, d < 0 ? '-' : '+',
            d < 0 ? -(long long)d : (long long)d, (long long)result);
        break;
    }
    case ADJ_EXACT_CAPACITY:
        result = to_i64(trunc(adjustment));
        say(&w, "set to %lld (was %lld)", (long long)result, (long long)current);
        break;
    case ADJ_PERCENT_CHANGE_IN_CAPACITY: {
        double raw = adjustment * (double)current / 100.0;
        int64_t d;
        if (raw == 0.0)
            d = 0;
        else if (fabs(raw) < 1.0)
            d = raw > 0 ? 1 : -1; /* SS-9: 0 < |x| < 1 becomes one instance */
        else
            d = to_i64(trunc(raw)); /* SS-9: toward zero */
        say(&w, "%+g%% of %lld = %g", adjustment, (long long)current, raw);
        if ((double)d != raw)
            say(&w, " -> %lld", (long long)d);
        /* The direction is the adjustment's, so a percent of an empty group still moves. */
        int64_t mag = d < 0 ? -d : d;
        if (min_adjustment_magnitude > 0 && adjustment != 0.0 && mag < min_adjustment_magnitude) {
            d = adjustment > 0 ? min_adjustment_magnitude : -min_adjustment_magnitude;
            say(&w, ", below the minimum magnitude %lld -> %+lld",
                (long long)min_adjustment_magnitude, (long long)d);
        }
        result = add_sat(current, d);
        say(&w, " -> %lld", (long long)result);
        break;
    }
    }
    return result;
}

/* --- step adjustments (SS-3, SS-4) --------------------------------------------------------- */

/* A step's range as SS-4 reads it: at or above the threshold [lower, upper), at or below it
 * (lower, upper]; a step across the threshold excludes both ends. */
static void say_range(struct why *w, const struct step_adjustment *s)
{
    char open = s->lower >= 0 ? '[' : '(';
    char close = s->upper <= 0 ? ']' : ')';
    say(w, "%c%g, %g%c", open, s->lower, s->upper, close);
}

const char *rule_steps_check(const struct step_adjustment *steps, size_t n, char *buf,
                             size_t size)
{
    struct why w = why_start(buf, size);
    const char *bad = buf && size ? buf : "invalid steps";
    if (n == 0) {
        say(&w, "a step policy needs at least one step");
        return bad;
    }
    for (size_t i = 0; i < n; i++) {
        const struct step_adjustment *s = &steps[i];
        if (isnan(s->lower) || isnan(s->upper)) {
            say(&w, "step %zu: a bound is not a number", i);
            return bad;
        }
        if (s->lower == -HUGE_VAL && s->upper == HUGE_VAL) {
            say(&w, "step %zu has neither a lower nor an upper bound", i);
            return bad;
        }
        if (!(s->lower < s->upper)) {
            say(&w, "step %zu: lower bound %g must be below upper bound %g", i, s->lower,
                s->upper);
            return bad;
        }
    }
    /* Open ends: at most one each way (SS-3). */
    size_t open_below = n, open_above = n;
    for (size_t i = 0; i < n; i++) {
        if (steps[i].lower == -HUGE_VAL) {
            if (open_below < n) {
                say(&w, "steps %zu and %zu both have no lower bound", open_below, i);
                return bad;
            }
            open_below = i;
        }
        if (steps[i].upper == HUGE_VAL) {
            if (open_above < n) {
                say(&w, "steps %zu and %zu both have no upper bound", open_above, i);
                return bad;
            }
            open_above = i;
        }
    }
    /* Overlaps: two ranges share more than an end point. Pairwise, so no allocation; a policy
     * has a handful of steps. */
    for (size_t i = 0; i < n; i++)
        for (size_t j = i + 1; j < n; j++) {
            double lo = fmax(steps[i].lower, steps[j].lower);
            double hi = fmin(steps[i].upper, steps[j].upper);
            if (lo < hi) {
                say(&w, "steps %zu and %zu overlap: ", i, j);
                say_range(&w, &steps[i]);
                say(&w, " and ");
                say_range(&w, &steps[j]);
                return bad;
            }
        }
    /* Gaps: the step that follows each one (the lowest lower bound at or above its upper
     * bound) must start where it ends. */
    size_t lowest = 0;
    for (size_t i = 0; i < n; i++) {
        if (steps[i].lower < steps[lowest].lower)
            lowest = i;
        size_t next = n;
        for (size_t j = 0; j < n; j++)
            if (j != i && steps[j].lower >= steps[i].upper &&
                (next == n || steps[j].lower < steps[next].lower))
                next = j;
        if (next < n && steps[next].lower > steps[i].upper) {
            size_t a = i < next ? i : next, b = i < next ? next : i;
            say(&w, "steps %zu and %zu leave a gap: ", a, b);
            say_range(&w, &steps[a]);
            say(&w, " and ");
            say_range(&w, &steps[b]);
            return bad;
        }
    }
    /* Reaching the open ends (StepAdjustment API): a range below the threshold must extend
     * to -inf, one above it to +inf. */
    if (steps[lowest].lower < 0 && steps[lowest].lower != -HUGE_VAL) {
        say(&w, "step %zu: a negative lower bound (%g) needs a step without a lower bound",
            lowest, steps[lowest].lower);
        return bad;
    }
    size_t highest = 0;
    for (size_t i = 1; i < n; i++)
        if (steps[i].upper > steps[highest].upper)
            highest = i;
    if (steps[highest].upper > 0 && steps[highest].upper != HUGE_VAL) {
        say(&w, "step %zu: a positive upper bound (%g) needs a step without an upper bound",
            highest, steps[highest].upper);
        return bad;
    }
    return NULL;
}

int rule_step_find(const struct step_adjustment *steps, size_t n, double threshold,
                   double metric)
{
    /* Above the threshold: threshold + lower <= metric < threshold + upper (SS-4). */
    if (metric >= threshold)
        for (size_t i = 0; i < n; i++)
            if (threshold + steps[i].lower <= metric && metric < threshold + steps[i].upper)
                return (int)i;
    /* Below it: threshold + lower < metric <= threshold + upper. A metric exactly on the
     * threshold is tried both ways: the step ending there belongs to a policy whose alarm
     * breaches at equality (LessThanOrEqualToThreshold), as AWS's own example (-10, 0] shows. */
    if (metric <= threshold)
        for (size_t i = 0; i < n; i++)
            if (threshold + steps[i].lower < metric && metric <= threshold + steps[i].upper)
                return (int)i;
    return -1;
}

/* --- target tracking (TT-12..14) ------------------------------------------------------------ */

int64_t rule_tt_capacity(int64_t n_ready, double metric, double target, char *why,
                         size_t why_size)
{
    TS_ASSERT(n_ready >= 0);
    TS_ASSERT(target > 0);
    TS_ASSERT(!isnan(metric));
    double x = (double)n_ready * metric / target;
    /* A ratio that is whole up to rounding noise (3 * 23.1 / 7.7) must not ask for one
     * instance more: snap within 1e-9 relative before the ceiling. */
    double r = nearbyint(x);
    if (fabs(x - r) <= 1e-9 * fmax(1.0, fabs(x)))
        x = r;
    double c = ceil(x);
    int64_t desired = c > 0 ? to_i64(c) : 0; /* a capacity is never negative */
    struct why w = why_start(why, why_size);
    say(&w, "desired=ceil(%lld*%g/%g)=%lld", (long long)n_ready, metric, target,
        (long long)desired);
    return desired;
}

/* --- several policies (TT-16, TT-17) -------------------------------------------------------- */

int64_t rule_arbitrate(const struct proposal *p, size_t n, int64_t current,
                       size_t tt_scale_in_policies, char *why, size_t why_size)
{
    struct why w = why_start(why, why_size);
    bool out = false;
    size_t tt_in = 0;
    for (size_t i = 0; i < n; i++) {
        if (p[i].capacity > current)
            out = true;
        if (p[i].kind == PROPOSAL_TARGET_TRACKING && p[i].capacity < current)
            tt_in++;
    }
    /* A target tracking policy with scale-in disabled (TT-4) never proposes to scale in. */
    TS_ASSERT(tt_in <= tt_scale_in_policies);
    bool tt_may_scale_in = tt_in > 0 && tt_in == tt_scale_in_policies;

    int64_t best = current;
    size_t taking_part = 0;
    for (size_t i = 0; i < n; i++) {
        bool joins;
        if (out)
            joins = true; /* any scale-out wins; the largest proposal of all is it */
        else if (p[i].kind == PROPOSAL_OTHER)
            joins = true; /* a step policy that holds (a 0 step) is a capacity too */
        else
            joins = tt_may_scale_in && p[i].capacity < current;
        if (!joins)
            continue;
        say(&w, "%s%lld", taking_part ? ", " : "largest of ", (long long)p[i].capacity);
        if (taking_part == 0 || p[i].capacity > best)
            best = p[i].capacity;
        taking_part++;
    }
    if (taking_part)
        say(&w, " -> %lld", (long long)best);
    else
        say(&w, "no change -> %lld", (long long)current);
    if (!out && tt_in > 0 && !tt_may_scale_in)
        say(&w, "; target tracking scale-in held: %zu of %zu policies propose it", tt_in,
            tt_scale_in_policies);
    return best;
}

/* --- CloudWatch alarms (CW-3..5) --------------------------------------------------------- */

bool rule_breaches(enum comparison c, double value, double threshold)
{
    switch (c) {
    case CMP_GREATER_THAN:
        return value > threshold;
    case CMP_GREATER_THAN_OR_EQUAL:
        return value >= threshold;
    case CMP_LESS_THAN:
        return value < threshold;
    case CMP_LESS_THAN_OR_EQUAL:
        return value <= threshold;
    }
    return false;
}

struct alarm_result rule_alarm_evaluate(const double *values, const bool *present, unsigned n,
                                        unsigned m, enum comparison c, double threshold,
                                        enum missing_data treat, enum alarm_state current,
                                        char *why, size_t why_size)
{
    TS_ASSERT(m >= 1 && m <= n);
    struct alarm_result r = {ALARM_OK, 0, 0};
    for (unsigned i = 0; i < n; i++) {
        if (present[i]) {
            r.present++;
            if (rule_breaches(c, values[i], threshold))
                r.breaching++;
        } else if (treat == MISSING_BREACHING) {
            r.breaching++;
        }
    }
    struct why w = why_start(why, why_size);
    if (r.present == 0) {
        switch (treat) {
        case MISSING_MISSING:
            r.state = ALARM_INSUFFICIENT_DATA;
            break;
        case MISSING_IGNORE:
            r.state = current;
            break;
        case MISSING_NOT_BREACHING:
            r.state = ALARM_OK;
            break;
        case MISSING_BREACHING:
            r.state = r.breaching >= m ? ALARM_ALARM : ALARM_OK;
            break;
        }
        say(&w, "0 of %u datapoints present", n);
        return r;
    }
    r.state = r.breaching >= m ? ALARM_ALARM : ALARM_OK;
    say(&w, "%u of %u datapoints %s %g (", r.breaching, n, comparison_symbols[c], threshold);
    for (unsigned i = 0; i < n; i++) {
        if (present[i])
            say(&w, "%s%g", i ? ", " : "", values[i]);
        else
            say(&w, "%s-", i ? ", " : "");
    }
    say(&w, ")");
    if (treat == MISSING_BREACHING && r.present < n)
        say(&w, ", missing counted as breaching");
    return r;
}
