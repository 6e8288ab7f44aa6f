/* test_cron.c — cron expressions (parse errors with their exact text, steps, ranges, lists,
 * names, the day-field OR rule), the next firing across month and year ends and leap days,
 * and the UTC calendar both ways. */
#include "check.h"

#include "tiersim/cron.h"

#define BIT(i) (UINT64_C(1) << (i))

static struct cron parse_ok(const char *text)
{
    struct cron c;
    memset(&c, 0, sizeof c);
    char why[128] = "";
    CHECK(cron_parse(text, &c, why, sizeof why), "\"%s\": %s", text, why);
    return c;
}

static void check_parse_error(const char *text, const char *want)
{
    struct cron c;
    memset(&c, 0xa5, sizeof c);
    char why[128] = "";
    bool ok = cron_parse(text, &c, why, sizeof why);
    CHECK(!ok, "\"%s\" parsed", text);
    CHECK_STR(why, want);
    CHECK(c.minutes == UINT64_C(0xa5a5a5a5a5a5a5a5), "\"%s\": c written on failure", text);
}

static int64_t utc(const char *text)
{
    int64_t t = 0;
    CHECK(cron_parse_utc(text, &t), "\"%s\" is a time", text);
    return t;
}

/* cron_next(expr, after) as text, "none" for -1. */
static void check_next(const char *expr, const char *after, const char *want)
{
    struct cron c = parse_ok(expr);
    int64_t t = cron_next(&c, utc(after));
    char got[32] = "none";
    if (t != -1)
        cron_format_utc(t, got, sizeof got);
    CHECK(strcmp(got, want) == 0, "next \"%s\" after %s = %s, expected %s", expr, after, got,
          want);
}

static void test_parse_errors(void)
{
    check_parse_error("0 0 * *", "expected 5 fields, got 4");
    check_parse_error("", "expected 5 fields, got 0");
    check_parse_error("0 0 * * * *", "expected 5 fields, got 6");
    check_parse_error("60 * * * *", "field 1 (minute): 60 is out of range 0-59");
    check_parse_error("0 24 * * *", "field 2 (hour): 24 is out of range 0-23");
    check_parse_error("* * 0 * *", "field 3 (day of month): 0 is out of range 1-31");
    check_parse_error("* * 32 * *", "field 3 (day of month): 32 is out of range 1-31");
    check_parse_error("* * * 13 *", "field 4 (month): 13 is out of range 1-12");
    check_parse_error("* * * * 8", "field 5 (day of week): 8 is out of range 0-7");
    check_parse_error("99999999999 * * * *", "field 1 (minute): 99999999999 is out of range 0-59");
    check_parse_error("x * * * *", "field 1 (minute): \"x\" is not a number");
    check_parse_error("-5 * * * *", "field 1 (minute): range \"-5\" needs two ends");
    check_parse_error("0 0 * * MON-", "field 5 (day of week): range \"MON-\" needs two ends");
    check_parse_error("* MON * * *", "field 2 (hour): \"MON\" is not a number");
    check_parse_error("* * * JAM *", "field 4 (month): \"JAM\" is not a number or a month name");
    check_parse_error("* * * * FUNDAY",
                      "field 5 (day of week): \"FUNDAY\" is not a number or a day name");
    check_parse_error("*/0 * * * *", "field 1 (minute): step 0 must be at least 1");
    check_parse_error("*/x * * * *", "field 1 (minute): step \"x\" is not a number");
    check_parse_error("*/ * * * *", "field 1 (minute): step \"\" is not a number");
    check_parse_error("1,,2 * * * *", "field 1 (minute): empty list item");
    check_parse_error("1, * * * *", "field 1 (minute): empty list item");
    check_parse_error("5-1 * * * *", "field 1 (minute): range 5-1 goes backwards");
    check_parse_error("0 0 * * FRI-MON", "field 5 (day of week): range FRI-MON goes backwards");
    check_parse_error("0 0 1-40 * *", "field 3 (day of month): 40 is out of range 1-31");
    /* why may be NULL or tiny: nothing is written beyond it. */
    struct cron c;
    CHECK(!cron_parse("0 24 * * *", &c, NULL, 0), "fails without why");
    char tiny[12];
    memset(tiny, '#', sizeof tiny);
    CHECK(!cron_parse("0 24 * * *", &c, tiny, 8), "fails with a small why");
    CHECK_STR(tiny, "field 2");
    CHECK(tiny[8] == '#', "byte 8 written");
}

static void test_parse_fields(void)
{
    struct cron c = parse_ok("*/15 * * * *");
    CHECK(c.minutes == (BIT(0) | BIT(15) | BIT(30) | BIT(45)), "*/15");
    CHECK(c.hours == 0xffffffu, "every hour");
    CHECK(c.mdays == 0xfffffffeu, "days 1-31");
    CHECK(c.months == 0x1ffeu, "months 1-12");
    CHECK(c.wdays == 0x7fu, "every weekday");
    CHECK(c.mday_star && c.wday_star, "both day fields *");

    c = parse_ok("0-30/10 1,2,5-7 * * *");
    CHECK(c.minutes == (BIT(0) | BIT(10) | BIT(20) | BIT(30)), "0-30/10");
    CHECK(c.hours == (BIT(1) | BIT(2) | BIT(5) | BIT(6) | BIT(7)), "1,2,5-7");
    c = parse_ok("5/20 */6 * * *");
    CHECK(c.minutes == (BIT(5) | BIT(25) | BIT(45)), "5/20 is 5-59/20");
    CHECK(c.hours == (BIT(0) | BIT(6) | BIT(12) | BIT(18)), "*/6");

    /* Names, any case; 7 is Sunday. */
    c = parse_ok("0 9-17 * jan,Jul,DEC mon-FRI");
    CHECK(c.months == (BIT(1) | BIT(7) | BIT(12)), "months %#x", c.months);
    CHECK(c.wdays == 0x3eu, "MON-FRI %#x", c.wdays);
    CHECK(c.mday_star && !c.wday_star, "only the day of month is *");
    c = parse_ok("0 0 * * 7");
    CHECK(c.wdays == 1u, "7 is Sunday");
    c = parse_ok("0 0 * * 5-7");
    CHECK(c.wdays == (BIT(0) | BIT(5) | BIT(6)), "5-7 is FRI, SAT, SUN");
    c = parse_ok("0 0 * * SAT,SUN");
    CHECK(c.wdays == (BIT(0) | BIT(6)), "SAT,SUN");
    c = parse_ok("0 0 1,15 FEB-APR/2 *");
    CHECK(c.mdays == (BIT(1) | BIT(15)), "1,15");
    CHECK(c.months == (BIT(2) | BIT(4)), "FEB-APR/2");
    CHECK(!c.mday_star && c.wday_star, "only the day of week is *");
    /* Only a bare "*" counts as unrestricted. */
    c = parse_ok("0 0 */1 * 1-7");
    CHECK(!c.mday_star && !c.wday_star, "*/1 and 1-7 are restrictions");
    /* Whitespace around and between fields. */
    c = parse_ok("  30\t4  *  *  *  ");
    CHECK(c.minutes == BIT(30) && c.hours == BIT(4), "spaces and tabs");
    CHECK(cron_parse("0 0 * * *", &c, NULL, 0), "why may be NULL");
}

static void test_next(void)
{
    /* Strictly after, at a whole minute. */
    check_next("*/15 * * * *", "2024-01-01T00:00:00Z", "2024-01-01T00:15:00Z");
    check_next("*/15 * * * *", "2024-01-01T00:07:30Z", "2024-01-01T00:15:00Z");
    check_next("*/15 * * * *", "2024-01-01T00:14:59Z", "2024-01-01T00:15:00Z");
    check_next("*/15 * * * *", "2024-01-01T00:15:00Z", "2024-01-01T00:30:00Z");
    check_next("*/15 * * * *", "2024-01-01T23:45:00Z", "2024-01-02T00:00:00Z");
    check_next("0 9 * * *", "2024-01-01T09:00:01Z", "2024-01-02T09:00:00Z");
    check_next("0 9-17 * * MON-FRI", "2024-01-05T17:00:00Z", "2024-01-08T09:00:00Z");
    /* Across month and year ends. */
    check_next("0 0 1 * *", "2024-01-31T12:00:00Z", "2024-02-01T00:00:00Z");
    check_next("0 0 31 * *", "2024-01-31T00:00:00Z", "2024-03-31T00:00:00Z");
    check_next("0 0 1 1 *", "2024-12-31T23:59:59Z", "2025-01-01T00:00:00Z");
    check_next("30 23 31 12 *", "2024-12-31T23:30:00Z", "2025-12-31T23:30:00Z");
    check_next("59 23 * * *", "2023-12-31T23:58:00Z", "2023-12-31T23:59:00Z");
    /* Leap days: 2024 and 2000 are leap years, 2100 is not. */
    check_next("0 12 29 2 *", "2024-01-01T00:00:00Z", "2024-02-29T12:00:00Z");
    check_next("0 12 29 2 *", "2024-02-29T12:00:00Z", "2028-02-29T12:00:00Z");
    check_next("0 12 29 2 *", "1999-06-01T00:00:00Z", "2000-02-29T12:00:00Z");
    check_next("0 0 * 3 *", "2024-02-28T00:00:00Z", "2024-03-01T00:00:00Z");
    check_next("0 0 * * *", "2024-02-28T00:00:00Z", "2024-02-29T00:00:00Z");
    check_next("0 0 * * *", "2100-02-28T00:00:00Z", "2100-03-01T00:00:00Z");
    check_next("0 12 29 2 *", "2096-03-01T00:00:00Z", "none"); /* 2104: beyond 5 years */
    check_next("0 0 31 2 *", "2024-01-01T00:00:00Z", "none");
    check_next("0 0 30 2 *", "2024-01-01T00:00:00Z", "none");
    /* Both day fields restricted: either matches (2024-09-01 is a Sunday, the 13th a Friday). */
    check_next("0 0 13 * MON", "2024-09-01T00:00:00Z", "2024-09-02T00:00:00Z");
    check_next("0 0 13 * MON", "2024-09-09T00:00:00Z", "2024-09-13T00:00:00Z");
    check_next("0 0 13 * MON", "2024-09-13T00:00:00Z", "2024-09-16T00:00:00Z");
    /* One day field "*": the other alone decides. */
    check_next("0 0 * * MON", "2024-09-09T00:00:00Z", "2024-09-16T00:00:00Z");
    check_next("0 0 13 * *", "2024-09-13T00:00:00Z", "2024-10-13T00:00:00Z");
    check_next("0 0 */1 * MON", "2024-09-09T00:00:00Z", "2024-09-10T00:00:00Z");
    check_next("0 0 * * 7", "2024-09-02T00:00:00Z", "2024-09-08T00:00:00Z");
    /* Before the epoch, and at it. */
    struct cron every = parse_ok("* * * * *");
    CHECK_EQ_INT(cron_next(&every, -1), 0);
    CHECK_EQ_INT(cron_next(&every, -61), -60);
    CHECK_EQ_INT(cron_next(&every, -60), 0);
    CHECK_EQ_INT(cron_next(&every, 0), 60);
    CHECK_EQ_INT(cron_next(&every, INT64_MAX), -1);
}

static void test_utc(void)
{
    int64_t t = 1;
    CHECK(cron_parse_utc("1970-01-01T00:00:00Z", &t) && t == 0, "epoch");
    CHECK_EQ_INT(utc("2024-01-01T00:00:00Z"), 1704067200);
    CHECK_EQ_INT(utc("2024-02-29"), 1709164800);
    CHECK_EQ_INT(utc("2024-02-29T12:34:56Z"), 1709210096);
    CHECK_EQ_INT(utc("2024-02-29T12:34:56"), 1709210096);
    CHECK_EQ_INT(utc("2024-02-29T12:34Z"), 1709210040);
    CHECK_EQ_INT(utc("2024-02-29T12:34"), 1709210040);
    CHECK_EQ_INT(utc("2000-02-29"), 951782400);
    CHECK_EQ_INT(utc("1600-03-01"), -11670912000);
    CHECK_EQ_INT(utc("9999-12-31T23:59:59Z"), 253402300799);
    const char *const bad[] = {
        "", "2024", "2024-01-01Z", "2023-02-29", "2100-02-29", "2024-04-31", "2024-13-01",
        "2024-00-10", "2024-01-00", "2024-1-01", "2024-01-01T24:00:00Z", "2024-01-01T00:60Z",
        "2024-01-01T00:00:60Z", "2024-01-01T00:00:00+01:00", "2024-01-01 00:00",
        "2024-01-01T00:00:00ZZ", "2024-01-01T00", "2024-01-01T00:00:0", "2024-01-01t00:00",
        "2024-01-01T00:00:00.5Z", "+2024-01-01", NULL};
    for (int i = 0; bad[i]; i++) {
        t = 42;
        CHECK(!cron_parse_utc(bad[i], &t), "\"%s\" is not a time", bad[i]);
        CHECK_EQ_INT(t, 42);
    }

    char buf[32];
    cron_format_utc(0, buf, sizeof buf);
    CHECK_STR(buf, "1970-01-01T00:00:00Z");
    cron_format_utc(-1, buf, sizeof buf);
    CHECK_STR(buf, "1969-12-31T23:59:59Z");
    cron_format_utc(951782400, buf, sizeof buf);
    CHECK_STR(buf, "2000-02-29T00:00:00Z");
    cron_format_utc(253402300799, buf, sizeof buf);
    CHECK_STR(buf, "9999-12-31T23:59:59Z");
    char exact[21];
    cron_format_utc(1709210096, exact, sizeof exact);
    CHECK_STR(exact, "2024-02-29T12:34:56Z");
    char cut[8];
    memset(cut, '#', sizeof cut);
    cron_format_utc(1709210096, cut, 5);
    CHECK_STR(cut, "2024");
    CHECK(cut[5] == '#', "byte 5 written");
    cron_format_utc(INT64_MIN, buf, sizeof buf); /* must not overflow (UBSan) */
    cron_format_utc(INT64_MAX, buf, sizeof buf);

    /* Round trip over every day from 1600 to 2400, at a time of day that moves. */
    int64_t from = utc("1600-01-01"), to = utc("2400-12-31");
    int64_t prev_day = -1;
    int bad_trips = 0;
    for (int64_t s = from, k = 0; s <= to; s += 86400, k++) {
        int64_t x = s + (k * 7919) % 86400;
        cron_format_utc(x, buf, sizeof buf);
        int64_t back = 0;
        if (!cron_parse_utc(buf, &back) || back != x) {
            if (bad_trips++ < 5)
                CHECK(0, "%lld -> %s -> %lld", (long long)x, buf, (long long)back);
        }
        int day = (buf[8] - '0') * 10 + (buf[9] - '0');
        CHECK(day == 1 || day == prev_day + 1 || prev_day == -1,
              "day %d follows %d at %s", day, (int)prev_day, buf);
        prev_day = day;
    }
    CHECK_EQ_INT(bad_trips, 0);
}

int main(void)
{
    test_parse_errors();
    test_parse_fields();
    test_next();
    test_utc();
    return check_done();
}
