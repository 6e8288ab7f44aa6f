/* bench.h — the few helpers every benchmark shares: a wall clock, peak memory, and reading
 * a count from the command line.
 *
 * Header-only (static functions) so that each benchmark stays one file plus this one.
 * Benchmarks print one "key value" pair per line so a script can pick figures out with
 * awk; the keys say their units.
 */
#ifndef TIERSIM_BENCH_H
#define TIERSIM_BENCH_H

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/resource.h>
#include <time.h>

/* Seconds on the monotonic clock. */
static inline double bench_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Peak resident set size of this process (who == RUSAGE_SELF) or of the largest waited-for
 * child (RUSAGE_CHILDREN), in MiB. Linux reports ru_maxrss in KiB. */
static inline double bench_peak_mib(int who)
{
    struct rusage ru;
    if (getrusage(who, &ru) != 0)
        return -1.0;
    return (double)ru.ru_maxrss / 1024.0;
}

/* A positive count from the command line: digits, or a power of ten written 1e6. Exits
 * with status 2 and a message on anything else. */
static inline uint64_t bench_count(const char *s, const char *what)
{
    char *end;
    double v = strtod(s, &end);
    if (*s == '\0' || *end != '\0' || !(v >= 1.0) || v > 1e15 || v != (double)(uint64_t)v) {
        fprintf(stderr, "bench: %s must be a whole number >= 1 (such as 1000000 or 1e6), "
                        "got \"%s\"\n", what, s);
        exit(2);
    }
    return (uint64_t)v;
}

/* The hold benchmarks' report: the same lines for the engine and its yardstick, so their
 * outputs compare line by line (end_t_ns must match). */
static inline void bench_print_hold(const char *title, uint64_t pending, uint64_t holds,
                                    double secs, int64_t end_t)
{
    printf("bench %s\n", title);
    printf("pending %llu\n", (unsigned long long)pending);
    printf("holds %llu\n", (unsigned long long)holds);
    printf("seconds %.3f\n", secs);
    printf("events_per_s %.0f\n", (double)holds / secs);
    printf("ns_per_hold %.1f\n", secs * 1e9 / (double)holds);
    printf("peak_mib %.1f\n", bench_peak_mib(RUSAGE_SELF));
    printf("end_t_ns %lld\n", (long long)end_t);
}

#endif
