/* mmc.c — the M/M/c scenario through the whole program: runs the real `tiersim run` on
 * scenarios/mmc.json (workload → ALB → fleet → statistics and CSV files) for a number of
 * requests, and reports requests per second of wall time and the child's peak memory.
 *
 *   bench_mmc [--tiersim PATH] [--scenario FILE] [--keep DIR] REQUESTS
 *   bench_mmc --memory-check [--limit-mib MIB] [--tiersim PATH] [--scenario FILE]
 *
 * The run's duration is REQUESTS / rate (the scenario's constant rate) and its warm-up is
 * set to 0, so summary.csv's `requests` counts every request simulated. The wall time is
 * that of the whole child process (start-up, scenario reading, the run, the files); peak
 * memory is the child's ru_maxrss from wait4. --memory-check runs 1e6 and then 1e7
 * requests and fails (exit 1) unless both peaks are under the limit (50 MiB by default) and
 * the larger run's peak is within 10 % + 1 MiB of the smaller's: memory must follow the
 * requests in flight, not the requests simulated.
 */
#define _DEFAULT_SOURCE /* wait4: a child's own rusage */

#include "bench.h"

#include "tiersim/csvr.h"
#include "tiersim/scn.h"
#include "world.h"

#include <math.h>
#include <spawn.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

extern char **environ;

struct opts {
    const char *tiersim;  /* the program */
    const char *scenario; /* the scenario file */
    const char *keep;     /* write the run's files here and keep them; NULL: a temporary folder */
};

struct result {
    double requests;   /* summary.csv's count */
    double seconds;    /* wall, whole child process */
    double peak_mib;   /* the child's ru_maxrss */
    double latency_ms; /* mean response time, summary.csv */
};

/* The scenario's constant arrival rate (requests/s), or exit 2. */
static double scenario_rate(const char *path)
{
    struct scn *s = scn_new();
    struct world_config wc;
    memset(&wc, 0, sizeof wc);
    int rc = scn_load_file(s, path);
    if (rc == 0)
        rc = world_config_read(s, &wc);
    if (rc != 0 || wc.workload.rate.kind != RATE_CONST || !(wc.workload.rate.rps > 0)) {
        if (scn_error_count(s))
            scn_print_errors(s, stderr);
        fprintf(stderr, "bench_mmc: \"%s\" needs a valid scenario with a constant rate > 0\n",
                path);
        exit(2);
    }
    double rate = wc.workload.rate.rps;
    world_config_release(&wc);
    scn_free(s);
    return rate;
}

/* "dir/file" in buf, or exit when it does not fit. */
static void join(char *buf, size_t size, const char *dir, const char *file)
{
    int n = snprintf(buf, size, "%s/%s", dir, file);
    if (n < 0 || (size_t)n >= size) {
        fprintf(stderr, "bench_mmc: the path \"%s/%s\" is too long\n", dir, file);
        exit(2);
    }
}

static double summary_value(const char *dir, const char *column)
{
    char path[4096];
    join(path, sizeof path, dir, "summary.csv");
    double *v = NULL;
    size_t n = 0;
    char *why = NULL;
    if (csvr_column(path, column, -HUGE_VAL, &v, &n, &why) != 0) {
        fprintf(stderr, "bench_mmc: \"%s\": %s\n", path, why);
        exit(1);
    }
    double x = v[0];
    free(v);
    return x;
}

static void remove_outputs(const char *dir)
{
    static const char *const files[] = {"timeseries.csv", "events.csv", "summary.csv",
                                        "scenario.json"};
    char path[4096];
    for (size_t i = 0; i < sizeof files / sizeof files[0]; i++) {
        join(path, sizeof path, dir, files[i]);
        remove(path);
    }
    rmdir(dir);
}

static struct result run_tiersim(const struct opts *o, double rate, uint64_t requests)
{
    char tmp[4096], duration[64];
    const char *dir = o->keep;
    if (!dir) {
        const char *base = getenv("TMPDIR");
        join(tmp, sizeof tmp, base && *base ? base : "/tmp", "tiersim-bench-XXXXXX");
        if (!mkdtemp(tmp)) {
            perror("bench_mmc: mkdtemp");
            exit(1);
        }
        dir = tmp;
    }
    snprintf(duration, sizeof duration, "duration=%.9f", (double)requests / rate);
    char *argv[] = {(char *)o->tiersim, "run", (char *)o->scenario, "--set", duration,
                    "--set", "warmup=0", "-o", (char *)dir, "--quiet", NULL};

    struct result res = {0};
    double t0 = bench_now();
    pid_t pid;
    int err = posix_spawn(&pid, o->tiersim, NULL, NULL, argv, environ);
    if (err != 0) {
        fprintf(stderr, "bench_mmc: cannot start \"%s\": %s\n", o->tiersim, strerror(err));
        exit(1);
    }
    int status;
    struct rusage ru;
    if (wait4(pid, &status, 0, &ru) != pid) {
        perror("bench_mmc: wait4");
        exit(1);
    }
    res.seconds = bench_now() - t0;
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
        fprintf(stderr, "bench_mmc: tiersim failed (status %d)\n", status);
        exit(1);
    }
    res.peak_mib = (double)ru.ru_maxrss / 1024.0;
    res.requests = summary_value(dir, "requests");
    res.latency_ms = summary_value(dir, "latency_mean_ms");
    if (!o->keep)
        remove_outputs(dir);
    return res;
}

static void print_result(const struct result *r)
{
    printf("requests %.0f\n", r->requests);
    printf("seconds %.3f\n", r->seconds);
    printf("requests_per_s %.0f\n", r->requests / r->seconds);
    printf("peak_mib %.1f\n", r->peak_mib);
    printf("response_mean_s %.4f\n", r->latency_ms / 1e3);
}

static int memory_check(const struct opts *o, double rate, double limit)
{
    static const uint64_t sizes[2] = {1000000u, 10000000u};
    struct result r[2];
    printf("bench mmc memory check (tiersim run, 1e6 vs 1e7 requests)\n");
    for (int i = 0; i < 2; i++) {
        r[i] = run_tiersim(o, rate, sizes[i]);
        printf("requests %.0f peak_mib %.1f seconds %.3f\n", r[i].requests, r[i].peak_mib,
               r[i].seconds);
    }
    bool under = r[0].peak_mib < limit && r[1].peak_mib < limit;
    bool flat = r[1].peak_mib <= r[0].peak_mib * 1.10 + 1.0;
    printf("limit_mib %.0f\n", limit);
    printf("growth_mib %.1f\n", r[1].peak_mib - r[0].peak_mib);
    printf("memory %s\n", under && flat ? "ok" : "FAILED");
    if (!under)
        fprintf(stderr, "bench_mmc: peak memory over %.0f MiB\n", limit);
    if (!flat)
        fprintf(stderr, "bench_mmc: peak memory grows with the requests simulated\n");
    return under && flat ? 0 : 1;
}

int main(int argc, char **argv)
{
    struct opts o = {TIERSIM_BIN, TIERSIM_MMC_SCENARIO, NULL};
    bool check = false;
    double limit = 50.0;
    const char *count = NULL;
    for (int i = 1; i < argc; i++) {
        const char *next = i + 1 < argc ? argv[i + 1] : NULL;
        if (strcmp(argv[i], "--memory-check") == 0) {
            check = true;
        } else if (strcmp(argv[i], "--tiersim") == 0 && next) {
            o.tiersim = argv[++i];
        } else if (strcmp(argv[i], "--scenario") == 0 && next) {
            o.scenario = argv[++i];
        } else if (strcmp(argv[i], "--keep") == 0 && next) {
            o.keep = argv[++i];
        } else if (strcmp(argv[i], "--limit-mib") == 0 && next) {
            limit = (double)bench_count(argv[++i], "--limit-mib");
        } else if (argv[i][0] != '-' && !count) {
            count = argv[i];
        } else {
            count = NULL;
            check = false;
            break;
        }
    }
    if (check == (count != NULL)) {
        fprintf(stderr,
                "usage: bench_mmc [--tiersim PATH] [--scenario FILE] [--keep DIR] REQUESTS\n"
                "       bench_mmc --memory-check [--limit-mib MIB] [--tiersim PATH] "
                "[--scenario FILE]\n");
        return 2;
    }
    double rate = scenario_rate(o.scenario);
    if (check)
        return memory_check(&o, rate, limit);

    struct result r = run_tiersim(&o, rate, bench_count(count, "REQUESTS"));
    printf("bench mmc (tiersim run %s, whole process)\n", o.scenario);
    print_result(&r);
    return 0;
}
