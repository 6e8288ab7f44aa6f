/* cron.c — five-field cron expressions and UTC calendar time (cron.h).
 *
 * The calendar is the proleptic Gregorian one in UTC, with no leap seconds and no time
 * zones (SS-13: scheduled actions run in UTC unless a zone is given; zones are not
 * modelled). Days are converted to and from civil dates by the usual era arithmetic: a
 * 400-year era has 146097 days, and counting years from March puts the leap day last.
 */
#include "tiersim/cron.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

/* --- the calendar ------------------------------------------------------------------------- */

/* Days since 1970-01-01 of the date y-m-d (m 1..12, d 1..31). */
static int64_t days_from_civil(int64_t y, int m, int d)
{
    y -= m <= 2;
    int64_t era = (y >= 0 ? y : y - 399) / 400;
    int64_t yoe = y - era * 400;                         /* [0, 399] */
    int64_t mp = (m + 9) % 12;                           /* March = 0 */
    int64_t doy = (153 * mp + 2) / 5 + d - 1;            /* [0, 365] */
    int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy; /* [0, 146096] */
    return era * 146097 + doe - 719468; /* 719468: days from 0000-03-01 to 1970-01-01 */
}

/* The civil date of `days` since 1970-01-01. */
static void civil_from_days(int64_t days, int64_t *y, int *m, int *d)
{
    int64_t z = days + 719468;
    int64_t era = (z >= 0 ? z : z - 146096) / 146097;
    int64_t doe = z - era * 146097;                                      /* [0, 146096] */
    int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365; /* [0, 399] */
    int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);               /* [0, 365] */
    int64_t mp = (5 * doy + 2) / 153;                                    /* [0, 11] */
    *d = (int)(doy - (153 * mp + 2) / 5 + 1);
    *m = (int)(mp < 10 ? mp + 3 : mp - 9);
    *y = yoe + era * 400 + (*m <= 2);
}

static bool is_leap(int64_t y)
{
    return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

static int days_in_month(int64_t y, int m)
{
    static const int len[13] = {0, 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    return m == 2 && is_leap(y) ? 29 : len[m];
}

/* Floor division of seconds into days and the second of the day, without overflow. */
static void split_day(int64_t t, int64_t *days, int64_t *sod)
{
    int64_t q = t / 86400, r = t % 86400;
    if (r < 0) {
        r += 86400;
        q--;
    }
    *days = q;
    *sod = r;
}

/* --- parsing an expression ---------------------------------------------------------------- */

struct field {
    const char *name;         /* "minute" */
    int lo, hi;               /* the values allowed */
    const char *const *names; /* 3-letter names for lo, lo + 1, ...; or NULL */
    const char *what;         /* what a name would be: "a month name" */
};

static const char *const month_names[] = {"JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL",
                                          "AUG", "SEP", "OCT", "NOV", "DEC", NULL};
static const char *const wday_names[] = {"SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT", NULL};

static const struct field fields[5] = {
    {"minute", 0, 59, NULL, NULL},
    {"hour", 0, 23, NULL, NULL},
    {"day of month", 1, 31, NULL, NULL},
    {"month", 1, 12, month_names, "a month name"},
    {"day of week", 0, 7, wday_names, "a day name"}, /* 7 is Sunday too */
};

struct parse {
    char *why;
    size_t why_size;
    int field; /* index into fields */
};

static bool fail(struct parse *p, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Writes 'field N (name): <message>' into why; returns false. */
static bool fail(struct parse *p, const char *fmt, ...)
{
    if (!p->why || p->why_size == 0)
        return false;
    int k = snprintf(p->why, p->why_size, "field %d (%s): ", p->field + 1,
                     fields[p->field].name);
    if (k < 0 || (size_t)k >= p->why_size)
        return false;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(p->why + k, p->why_size - (size_t)k, fmt, ap);
    va_end(ap);
    return false;
}

static bool is_digit(char ch)
{
    return ch >= '0' && ch <= '9';
}

static char upper(char ch)
{
    return ch >= 'a' && ch <= 'z' ? (char)(ch - 'a' + 'A') : ch;
}

/* A number or (where the field has them) a name, the whole of s[0..len). */
static bool value(struct parse *p, const char *s, size_t len, int *out)
{
    const struct field *f = &fields[p->field];
    bool digits = len > 0;
    for (size_t i = 0; i < len; i++)
        digits = digits && is_digit(s[i]);
    if (digits) {
        long v = 0;
        for (size_t i = 0; i < len && v <= f->hi; i++)
            v = v * 10 + (s[i] - '0');
        if (v < f->lo || v > f->hi)
            return fail(p, "%.*s is out of range %d-%d", (int)len, s, f->lo, f->hi);
        *out = (int)v;
        return true;
    }
    if (f->names && len == 3)
        for (int i = 0; f->names[i]; i++)
            if (upper(s[0]) == f->names[i][0] && upper(s[1]) == f->names[i][1] &&
                upper(s[2]) == f->names[i][2]) {
                *out = f->lo + i;
                return true;
            }
    if (f->names)
        return fail(p, "\"%.*s\" is not a number or %s", (int)len, s, f->what);
    return fail(p, "\"%.*s\" is not a number", (int)len, s);
}

/* One list item of a field: "*", "a", "a-b", each with an optional "/n". */
static bool item(struct parse *p, const char *s, size_t len, uint64_t *bits)
{
    const struct field *f = &fields[p->field];
    if (len == 0)
        return fail(p, "empty list item");
    const char *slash = memchr(s, '/', len);
    size_t base = slash ? (size_t)(slash - s) : len;
    int lo, hi, step = 1;
    if (base == 1 && s[0] == '*') {
        lo = f->lo;
        hi = f->hi;
    } else {
        const char *dash = memchr(s, '-', base);
        size_t left = dash ? (size_t)(dash - s) : base;
        if (dash && (left == 0 || left + 1 == base))
            return fail(p, "range \"%.*s\" needs two ends", (int)base, s);
        if (!value(p, s, left, &lo))
            return false;
        if (dash) {
            if (!value(p, dash + 1, base - left - 1, &hi))
                return false;
            if (hi < lo)
                return fail(p, "range %.*s goes backwards", (int)base, s);
        } else {
            hi = slash ? f->hi : lo; /* "a/n" is a-max/n, as cronie reads it */
        }
    }
    if (slash) {
        const char *t = slash + 1;
        size_t tlen = len - base - 1;
        bool digits = tlen > 0;
        for (size_t i = 0; i < tlen; i++)
            digits = digits && is_digit(t[i]);
        if (!digits)
            return fail(p, "step \"%.*s\" is not a number", (int)tlen, t);
        long v = 0;
        for (size_t i = 0; i < tlen && v <= 100; i++)
            v = v * 10 + (t[i] - '0');
        if (v == 0)
            return fail(p, "step 0 must be at least 1");
        step = v > 100 ? 100 : (int)v; /* beyond any field's width: the first value only */
    }
    for (int v = lo; v <= hi; v += step)
        *bits |= UINT64_C(1) << v;
    return true;
}

bool cron_parse(const char *text, struct cron *c, char *why, size_t why_size)
{
    struct parse p = {why, why_size, 0};
    if (why && why_size)
        why[0] = '\0';
    const char *start[6];
    size_t len[6];
    int nf = 0;
    const char *s = text;
    for (;;) {
        while (*s == ' ' || *s == '\t')
            s++;
        if (!*s)
            break;
        const char *b = s;
        while (*s && *s != ' ' && *s != '\t')
            s++;
        if (nf < 6) {
            start[nf] = b;
            len[nf] = (size_t)(s - b);
        }
        nf++;
    }
    if (nf != 5) {
        if (why && why_size)
            snprintf(why, why_size, "expected 5 fields, got %d", nf);
        return false;
    }
    uint64_t bits[5] = {0};
    for (p.field = 0; p.field < 5; p.field++) {
        const char *f = start[p.field];
        size_t n = len[p.field];
        size_t i = 0;
        for (;;) {
            const char *comma = memchr(f + i, ',', n - i);
            size_t end = comma ? (size_t)(comma - f) : n;
            if (!item(&p, f + i, end - i, &bits[p.field]))
                return false;
            if (!comma)
                break;
            i = end + 1;
        }
    }
    if (bits[4] & (UINT64_C(1) << 7))
        bits[4] = (bits[4] | 1u) & 0x7fu; /* 7 is Sunday */
    c->minutes = bits[0];
    c->hours = (uint32_t)bits[1];
    c->mdays = (uint32_t)bits[2];
    c->months = (uint16_t)bits[3];
    c->wdays = (uint8_t)bits[4];
    c->mday_star = len[2] == 1 && start[2][0] == '*';
    c->wday_star = len[4] == 1 && start[4][0] == '*';
    return true;
}

/* --- the next firing ------------------------------------------------------------------------ */

/* Days searched after the day of `after`: five years whatever their leap days. */
#define SEARCH_DAYS (5 * 366)

static bool day_matches(const struct cron *c, int64_t days)
{
    int64_t y;
    int m, d;
    civil_from_days(days, &y, &m, &d);
    if (!(c->months & (1u << m)))
        return false;
    int wd = (int)(((days % 7) + 7 + 4) % 7); /* 1970-01-01 was a Thursday */
    bool mday = (c->mdays >> d) & 1u;
    bool wday = (c->wdays >> wd) & 1u;
    /* Vixie cron's rule: with either day field "*" both must match (one always does);
     * with both restricted, either may. */
    return c->mday_star || c->wday_star ? mday && wday : mday || wday;
}

int64_t cron_next(const struct cron *c, int64_t after)
{
    if (after > INT64_MAX - (int64_t)(SEARCH_DAYS + 2) * 86400)
        return -1;
    int64_t day, sod;
    split_day(after, &day, &sod);
    int64_t first = sod / 60 + 1; /* the first whole minute strictly after `after` */
    if (first == 24 * 60) {
        day++;
        first = 0;
    }
    for (int64_t k = 0; k <= SEARCH_DAYS; k++, first = 0) {
        if (!day_matches(c, day + k))
            continue;
        for (int64_t mod = first; mod < 24 * 60; mod++) {
            int64_t h = mod / 60, mi = mod % 60;
            if (!((c->hours >> h) & 1u)) {
                mod = h * 60 + 59; /* the rest of this hour */
                continue;
            }
            if ((c->minutes >> mi) & 1u)
                return (day + k) * 86400 + mod * 60;
        }
    }
    return -1;
}

/* --- ISO 8601 UTC ------------------------------------------------------------------------- */

/* Exactly `n` digits at s, as a number. */
static bool digits(const char *s, int n, int *out)
{
    int v = 0;
    for (int i = 0; i < n; i++) {
        if (!is_digit(s[i]))
            return false;
        v = v * 10 + (s[i] - '0');
    }
    *out = v;
    return true;
}

bool cron_parse_utc(const char *text, int64_t *epoch_seconds)
{
    int y, mo, d, h = 0, mi = 0, sec = 0;
    const char *s = text;
    if (!digits(s, 4, &y) || s[4] != '-' || !digits(s + 5, 2, &mo) || s[7] != '-' ||
        !digits(s + 8, 2, &d))
        return false;
    s += 10;
    if (*s == 'T') {
        if (!digits(s + 1, 2, &h) || s[3] != ':' || !digits(s + 4, 2, &mi))
            return false;
        s += 6;
        if (*s == ':') {
            if (!digits(s + 1, 2, &sec))
                return false;
            s += 3;
        }
        if (*s == 'Z')
            s++;
    }
    if (*s != '\0')
        return false;
    if (mo < 1 || mo > 12 || d < 1 || d > days_in_month(y, mo) || h > 23 || mi > 59 || sec > 59)
        return false;
    *epoch_seconds = days_from_civil(y, mo, d) * 86400 + h * 3600 + mi * 60 + sec;
    return true;
}

void cron_format_utc(int64_t epoch_seconds, char *buf, size_t size)
{
    int64_t days, sod, y;
    int m, d;
    split_day(epoch_seconds, &days, &sod);
    civil_from_days(days, &y, &m, &d);
    snprintf(buf, size, "%04lld-%02d-%02dT%02d:%02d:%02dZ", (long long)y, m, d,
             (int)(sod / 3600), (int)(sod / 60 % 60), (int)(sod % 60));
}
