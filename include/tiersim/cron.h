/* cron.h — five-field cron expressions over UTC calendar time, for scheduled actions.
 *
 * Fields: minute (0-59), hour (0-23), day of month (1-31), month (1-12), day of week (0-6,
 * Sunday 0; 7 also means Sunday). Each field is "*", a number, a range "a-b", a list
 * "a,b,c" of those, and any of them with a step "/n" ("*" + "/15", "0-30/10"). Names such
 * as MON or JAN are accepted, case-insensitively. As in cron, when both day fields are
 * restricted a time matches if either matches. Times are seconds since 1970-01-01T00:00:00Z.
 *
 * Choices where cron implementations differ:
 *  - "a/n" means a through the field's maximum, every n ("5/20" is 5,25,45), as cronie
 *    reads it; a step wider than the field keeps only the first value.
 *  - Ranges ascend: "FRI-MON" is an error, not a wrap-around.
 *  - Names are the three-letter ones only (JAN..DEC, SUN..SAT), in ranges and lists too.
 *  - Only a bare "*" leaves a day field unrestricted: "*" + "/2" restricts it, so the OR
 *    rule applies (Vixie cron treats any field starting with "*" as unrestricted).
 * The calendar is the proleptic Gregorian one, UTC, without leap seconds.
 */
#ifndef TIERSIM_CRON_H
#define TIERSIM_CRON_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct cron {
    uint64_t minutes; /* bit i: minute i */
    uint32_t hours;   /* bit i: hour i */
    uint32_t mdays;   /* bit i: day of month i (1..31) */
    uint16_t months;  /* bit i: month i (1..12) */
    uint8_t wdays;    /* bit i: weekday i (0 = Sunday) */
    bool mday_star;   /* day-of-month field was "*" */
    bool wday_star;   /* day-of-week field was "*" */
};

/* Parse `text`. Returns true, or false with a message in why ('field 2 (hour): 24 is out of
 * range 0-23', 'expected 5 fields, got 4'). Fields are separated by spaces or tabs. Only
 * the first problem is reported; the others read
 *   'field 1 (minute): "x" is not a number'
 *   'field 4 (month): "JAM" is not a number or a month name' (day of week: "a day name")
 *   'field 1 (minute): step 0 must be at least 1', 'field 1 (minute): step "x" is not a number'
 *   'field 1 (minute): empty list item', 'field 1 (minute): range 5-1 goes backwards'
 *   'field 1 (minute): range "-5" needs two ends'
 * `c` is written only on success; why may be NULL and is cut to why_size. */
bool cron_parse(const char *text, struct cron *c, char *why, size_t why_size);

/* The first time strictly after `after` (seconds since the epoch, UTC) at which the
 * expression fires, at a whole minute; -1 if none within 5 years (e.g. "0 0 31 2 *").
 * "5 years" is 5 * 366 days after the day of `after`: Feb 29 from 2024 finds 2028, but from
 * 2096-03-01 (2100 is no leap year) it gives -1. Also -1 when `after` is within about five
 * years of INT64_MAX seconds. */
int64_t cron_next(const struct cron *c, int64_t after);

/* Seconds since the epoch of an ISO 8601 UTC time "YYYY-MM-DDTHH:MM:SSZ" (the seconds and
 * the Z optional, "YYYY-MM-DD" alone allowed); false if malformed or out of range.
 * Exactly four digits of year (0000-9999) and two of everything else; upper-case T and Z
 * only; no fractions, offsets or leap second 60; the day must exist (2023-02-29 is
 * refused). *epoch_seconds is written only on success. */
bool cron_parse_utc(const char *text, int64_t *epoch_seconds);

/* The UTC calendar time of `epoch_seconds` as "YYYY-MM-DDTHH:MM:SSZ" into buf (>= 21 bytes;
 * a smaller buffer gets a cut, NUL-terminated text). Any int64_t is accepted: a year beyond
 * 9999 takes more digits, one before year 0 a minus sign. */
void cron_format_utc(int64_t epoch_seconds, char *buf, size_t size);

#endif
