/* main.c — the tiersim program: run, sweep, check, plot, --help, --version.
 *
 * Exit status: 0 success; 1 the run failed (or was interrupted, or plotting failed); 2 bad
 * usage or a bad scenario, with every problem on stderr.
 */
#include "keylist.h"
#include "plan.h"
#include "plot.h"
#include "reps.h"
#include "run.h"
#include "sweep.h"
#include "world.h"
#ifdef TIERSIM_MPI
#include "sweep_mpi.h"
#endif

#include "tiersim/scn.h"

#include <cjson/cJSON.h>
#include <errno.h>
#include <gsl/gsl_errno.h>
#include <math.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* The one piece of process-wide state: a signal handler can reach nothing else. The run
 * loop only reads it, through struct sim's pointer. */
static atomic_int interrupted; /* lock-free (checked below), so a handler may set it */

_Static_assert(ATOMIC_INT_LOCK_FREE == 2, "a signal handler may only set a lock-free atomic");

static void on_signal(int sig)
{
    atomic_store(&interrupted, sig);
}

/* Ctrl-C and SIGTERM raise `interrupted`: runs stop cleanly and write what they have. */
static void catch_signals(void)
{
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_signal;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
}

static const char usage[] =
    "usage: tiersim run SCENARIO.json [-o DIR] [--seed N] [--set PATH=VALUE]... [--reps N]\n"
    "                   [-j N] [--quiet]\n"
    "       tiersim sweep SCENARIO.json --vary PATH=V1,V2,... [--vary ...] [--reps N] [-j N]\n"
    "                   [-o DIR] [--seed N] [--set PATH=VALUE]... [--quiet]\n"
    "       tiersim plan SCENARIO.json --vary PATH=V1,V2,... [--vary ...] [--slo p99=D]\n"
    "                   [--slo availability=PCT] [--az-loss AT[+DURATION]] [--reps N] [-j N]\n"
    "                   [-o DIR] [--seed N] [--set PATH=VALUE]... [--quiet]\n"
    "       tiersim check SCENARIO.json [--set PATH=VALUE]...\n"
    "       tiersim plot DIR [--svg]\n"
    "       tiersim --help | --version\n";

static const char help[] =
    "tiersim — a discrete-event simulator of an AWS three-tier architecture\n"
    "\n"
    "commands:\n"
    "  run SCENARIO     simulate; write timeseries.csv, events.csv, summary.csv,\n"
    "                   scenario.json and faults.csv to DIR (default out/<scenario name>)\n"
    "  sweep SCENARIO   run every point of the --vary values' cartesian product (the first\n"
    "                   --vary varies slowest), --reps replications each, replication k of\n"
    "                   every point with the same seed; write DIR/sweep.csv (a row per\n"
    "                   point: the values, then every KPI's mean, sd and 95 % half-width)\n"
    "                   and DIR/point-NNN/ (as run --reps writes); DIR defaults to\n"
    "                   out/<scenario name>-sweep; the same command again resumes an\n"
    "                   interrupted sweep (docs/experiments.md)\n"
    "  plan SCENARIO    sweep as above, then name the cheapest configuration (cost_usd) that\n"
    "                   meets the SLO, with every AZ lost in turn too if --az-loss is given;\n"
    "                   write DIR/plan.csv (a row per configuration: cost, worst p99 and\n"
    "                   availability, why it fails); DIR defaults to out/<name>-plan\n"
    "  check SCENARIO   validate the scenario; print every error, or \"ok\"\n"
    "  plot DIR         draw PNG plots beside the CSV files of a run or a sweep (needs\n"
    "                   gnuplot; exit status 1 without it)\n"
    "\n"
    "options:\n"
    "  -o, --out DIR          output folder\n"
    "  --seed N               scenario seed (same as --set seed=N)\n"
    "  --set PATH=VALUE       override a value by its dotted path, e.g.\n"
    "                         --set components.app.instance.vcpus=4 --set workload.rate=2.8\n"
    "                         (VALUE is JSON; a bare word is a string)\n"
    "  --vary PATH=V1,V2,...  sweep, plan: values of PATH, each applied as --set applies it;\n"
    "                         commas inside JSON strings, arrays and objects do not split\n"
    "  --slo p99=D            plan: the highest p99 latency of the whole run (default: the\n"
    "                         scenario's slo.latency_p99)\n"
    "  --slo availability=PCT plan: the lowest percentage of requests ending ok (default:\n"
    "                         100 - the scenario's slo.error_rate_pct)\n"
    "  --az-loss AT[+D]       plan: also run each configuration with each AZ lost from AT\n"
    "                         for D (default 30m), one AZ at a time\n"
    "  --reps N               N replications (default 1): replication k's seed is derived\n"
    "                         from the scenario seed and k (replication 1 keeps it); DIR\n"
    "                         gets summary.csv (a row each), summary-ci.csv (mean, sd and\n"
    "                         95 % confidence half-width of every KPI) and rep-001/... with\n"
    "                         each replication's files\n"
    "  -j, --jobs N           run replications, and a sweep's points, on N threads\n"
    "                         (default 1); the files are the same bytes whatever N\n"
    "  --svg                  plot: SVG images instead of PNG\n"
    "  -q, --quiet            print nothing but errors\n"
    "  -h, --help             this text\n"
    "  --version              the version\n"
    "\n"
    "exit status: 0 success, 1 the run failed or was interrupted (plan: or no configuration\n"
    "meets the SLO), 2 bad usage or scenario\n"
    "documentation: docs/scenario-format.md, docs/outputs.md, docs/experiments.md\n";

struct args {
    const char *cmd;
    const char *file;
    const char *out;
    const char **sets;
    int nsets;
    const char **varies; /* --vary arguments, as given */
    int nvaries;
    const char **slos; /* plan: --slo arguments, as given */
    int nslos;
    const char *az_loss; /* plan: --az-loss AT[+DURATION] */
    char *seed_set; /* "seed=N" made from --seed, owned */
    uint32_t reps; /* --reps, 1 if not given */
    uint32_t jobs; /* -j, 1 if not given */
    bool quiet;
    bool keys; /* check --keys: list the keys every object knows (keylist.h); not in --help */
    bool svg; /* plot --svg */
};

/* A whole number in [1, max] from an option's argument; false if it is not one. */
static bool count_arg(const char *s, uint32_t max, uint32_t *out)
{
    if (!s || *s < '0' || *s > '9')
        return false;
    char *end;
    errno = 0;
    unsigned long long v = strtoull(s, &end, 10);
    if (*end != '\0' || errno != 0 || v < 1 || v > max)
        return false;
    *out = (uint32_t)v;
    return true;
}

static int usage_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static int usage_error(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fprintf(stderr, "tiersim: ");
    vfprintf(stderr, fmt, ap);
    fprintf(stderr, "\n%s", usage);
    va_end(ap);
    return 2;
}

/* Parse argv into a; returns -1 to go on, or an exit status. */
static int parse_args(int argc, char **argv, struct args *a)
{
    memset(a, 0, sizeof *a);
    a->sets = calloc((size_t)argc + 1, sizeof *a->sets);
    a->varies = calloc((size_t)argc + 1, sizeof *a->varies);
    a->slos = calloc((size_t)argc + 1, sizeof *a->slos);
    if (!a->sets || !a->varies || !a->slos)
        return 1;
    if (argc < 2)
        return usage_error("%s", "no command given");
    for (int i = 1; i < argc; i++) {
        const char *s = argv[i];
        const char *next = i + 1 < argc ? argv[i + 1] : NULL;
        if (strcmp(s, "-h") == 0 || strcmp(s, "--help") == 0) {
            fputs(help, stdout);
            return 0;
        } else if (strcmp(s, "--version") == 0) {
            printf("tiersim %s\n", TIERSIM_VERSION);
            return 0;
        } else if (strcmp(s, "-o") == 0 || strcmp(s, "--out") == 0) {
            if (!next)
                return usage_error("%s needs a folder", s);
            a->out = next;
            i++;
        } else if (strcmp(s, "--set") == 0) {
            if (!next)
                return usage_error("%s needs PATH=VALUE", s);
            a->sets[a->nsets++] = next;
            i++;
        } else if (strncmp(s, "--set=", 6) == 0) {
            a->sets[a->nsets++] = s + 6;
        } else if (strcmp(s, "--vary") == 0) {
            if (!next)
                return usage_error("%s needs PATH=V1,V2,...", s);
            a->varies[a->nvaries++] = next;
            i++;
        } else if (strncmp(s, "--vary=", 7) == 0) {
            a->varies[a->nvaries++] = s + 7;
        } else if (strcmp(s, "--slo") == 0) {
            if (!next)
                return usage_error("%s needs p99=DURATION or availability=PERCENT", s);
            a->slos[a->nslos++] = next;
            i++;
        } else if (strcmp(s, "--az-loss") == 0) {
            if (!next)
                return usage_error("%s needs AT or AT+DURATION", s);
            a->az_loss = next;
            i++;
        } else if (strcmp(s, "--seed") == 0) {
            if (!next)
                return usage_error("%s needs a number", s);
            char *end;
            strtoull(next, &end, 10);
            if (*next == '\0' || *end != '\0' || *next == '-')
                return usage_error("--seed needs a whole number, got \"%s\"", next);
            /* one path for every override: the seed lands in scenario.json too */
            size_t n = strlen(next) + 6;
            free(a->seed_set);
            a->seed_set = malloc(n);
            if (!a->seed_set)
                return 1;
            snprintf(a->seed_set, n, "seed=%s", next);
            a->sets[a->nsets++] = a->seed_set;
            i++;
        } else if (strcmp(s, "--reps") == 0) {
            if (!next)
                return usage_error("%s needs a number", s);
            if (!count_arg(next, REPS_MAX, &a->reps))
                return usage_error("--reps needs a whole number from 1 to %u, got \"%s\"",
                                   REPS_MAX, next);
            i++;
        } else if (strcmp(s, "-j") == 0 || strcmp(s, "--jobs") == 0 ||
                   (strncmp(s, "-j", 2) == 0 && s[2] != '\0')) {
            const char *v = s[1] == 'j' && s[2] != '\0' ? s + 2 : next;
            if (!v)
                return usage_error("%s needs a number", s);
            if (!count_arg(v, REPS_MAX_JOBS, &a->jobs))
                return usage_error("-j needs a whole number from 1 to %u, got \"%s\"",
                                   REPS_MAX_JOBS, v);
            if (v == next)
                i++;
        } else if (strcmp(s, "-q") == 0 || strcmp(s, "--quiet") == 0) {
            a->quiet = true;
        } else if (strcmp(s, "--keys") == 0) {
            a->keys = true;
        } else if (strcmp(s, "--svg") == 0) {
            a->svg = true;
        } else if (s[0] == '-' && s[1] != '\0') {
            return usage_error("unknown option \"%s\"", s);
        } else if (!a->cmd) {
            a->cmd = s;
        } else if (!a->file) {
            a->file = s;
        } else {
            return usage_error("unexpected argument \"%s\"", s);
        }
    }
    if (!a->cmd)
        return usage_error("%s", "no command given");
    if ((strcmp(a->cmd, "check") == 0 || strcmp(a->cmd, "plot") == 0) && (a->reps || a->jobs))
        return usage_error("--reps and -j are options of run, sweep and plan, not of %s",
                           a->cmd);
    bool plan = strcmp(a->cmd, "plan") == 0;
    if (a->nvaries && strcmp(a->cmd, "sweep") != 0 && !plan)
        return usage_error("--vary is an option of sweep and plan, not of %s", a->cmd);
    if ((a->nslos || a->az_loss) && !plan)
        return usage_error("--slo and --az-loss are options of plan, not of %s", a->cmd);
    if (a->keys && strcmp(a->cmd, "check") != 0)
        return usage_error("--keys is an option of check, not of %s", a->cmd);
    if (a->svg && strcmp(a->cmd, "plot") != 0)
        return usage_error("--svg is an option of plot, not of %s", a->cmd);
    if (!a->reps)
        a->reps = 1;
    if (!a->jobs)
        a->jobs = 1;
    if (strcmp(a->cmd, "run") && strcmp(a->cmd, "sweep") && strcmp(a->cmd, "check") &&
        strcmp(a->cmd, "plot") && !plan)
        return usage_error("unknown command \"%s\"", a->cmd);
    if (!a->file)
        return usage_error("%s needs %s", a->cmd,
                           strcmp(a->cmd, "plot") == 0 ? "a folder" : "a scenario file");
    if ((strcmp(a->cmd, "sweep") == 0 || plan) && a->nvaries == 0)
        return usage_error("%s needs at least one --vary PATH=V1,V2,...", a->cmd);
    if ((unsigned)a->nvaries > SWEEP_MAX_VARY)
        return usage_error("at most %u --vary options, got %d", SWEEP_MAX_VARY, a->nvaries);
    return -1;
}

static void free_args(struct args *a)
{
    free(a->seed_set);
    free(a->sets);
    free(a->varies);
    free(a->slos);
}

/* Load, override and check a scenario; on errors print them all and return 2. */
static int load(const struct args *a, struct scn *s, struct world_config *wc)
{
    int rc = scn_load_file(s, a->file);
    for (int i = 0; rc == 0 && i < a->nsets; i++)
        scn_set(s, a->sets[i]); /* a bad --set is reported; the rest is still checked */
    if (rc == 0)
        rc = world_config_read(s, wc);
    if (scn_error_count(s)) {
        scn_print_errors(s, stderr);
        unsigned n = scn_error_count(s);
        fprintf(stderr, "tiersim: %u error%s in %s\n", n, n == 1 ? "" : "s", a->file);
        return 2;
    }
    return rc == 0 ? 0 : 2;
}

static void print_result(const struct run_result *r, const char *dir)
{
    printf("  requests %.0f, ok %.0f, errors %.0f (availability %.3f%%)\n",
           run_result_get(r, "requests"), run_result_get(r, "ok"), run_result_get(r, "errors"),
           run_result_get(r, "availability_pct"));
    printf("  latency ms: mean %.3f, p50 %.3f, p99 %.3f, p99.9 %.3f\n",
           run_result_get(r, "latency_mean_ms"), run_result_get(r, "latency_p50_ms"),
           run_result_get(r, "latency_p99_ms"), run_result_get(r, "latency_p999_ms"));
    if (run_result_get(r, "faults") > 0)
        printf("  faults %.0f; SLO broken in %.0f minutes (faults.csv has each fault's "
               "recovery)\n",
               run_result_get(r, "faults"), run_result_get(r, "slo_violation_min"));
    printf("  wrote %s/{timeseries.csv,events.csv,summary.csv,scenario.json,faults.csv}\n", dir);
}

static void print_reps(const struct reps_result *res, const char *dir)
{
    static const char *const kpis[] = {"availability_pct", "latency_mean_ms", "latency_p99_ms"};
    uint32_t n = res->n;
    double *x = calloc(n, sizeof *x);
    if (!x)
        return;
    printf("  %u replications; mean and 95%% confidence half-width over them:\n", n);
    for (size_t i = 0; i < sizeof kpis / sizeof *kpis; i++) {
        for (uint32_t k = 0; k < n; k++)
            x[k] = run_result_get(&res->runs[k], kpis[i]);
        struct reps_ci ci;
        reps_ci(x, n, &ci);
        printf("  %-18s %.4f +- %.4f\n", kpis[i], ci.mean, ci.half);
    }
    free(x);
    printf("  wrote %s/{summary.csv,summary-ci.csv,scenario.json} and %s/rep-*/ (each "
           "replication's files)\n",
           dir, dir);
}

static int cmd_run(const struct args *a)
{
    struct scn *s = scn_new();
    struct world_config wc;
    memset(&wc, 0, sizeof wc);
    int rc = load(a, s, &wc);
    if (rc != 0) {
        world_config_release(&wc);
        scn_free(s);
        return rc;
    }
    char *scenario = scn_print(s);
    char dir_buf[512];
    const char *dir = a->out;
    if (!dir) {
        snprintf(dir_buf, sizeof dir_buf, "out/%s", wc.name);
        dir = dir_buf;
    }

    catch_signals();
    struct reps_opts o = {
        .out_dir = dir,
        .scenario = scenario,
        .reps = a->reps,
        .jobs = a->jobs,
        .interrupt = &interrupted,
        .progress = !a->quiet && isatty(STDERR_FILENO),
    };
    if (!a->quiet && a->reps == 1)
        printf("tiersim: running %s (%.10g s simulated, seed %llu)\n", a->file,
               sim_s(wc.duration), (unsigned long long)wc.seed);
    else if (!a->quiet)
        printf("tiersim: running %s (%.10g s simulated, %u replications from seed %llu, "
               "%u thread%s)\n",
               a->file, sim_s(wc.duration), a->reps, (unsigned long long)wc.seed,
               a->jobs < a->reps ? a->jobs : a->reps, a->jobs == 1 || a->reps == 1 ? "" : "s");
    struct reps_result res;
    rc = reps_run(&wc, &o, &res);
    if (rc == 0) {
        if (!a->quiet && a->reps == 1)
            print_result(&res.runs[0], dir);
        else if (!a->quiet)
            print_reps(&res, dir);
    } else if (rc == TS_EINTR && a->reps == 1) {
        fprintf(stderr,
                "tiersim: %s; %s/timeseries.csv and events.csv are complete up to then, and "
                "summary.csv says status=interrupted\n",
                res.error, dir);
        rc = 1;
    } else if (rc == TS_EINTR) {
        fprintf(stderr,
                "tiersim: %s; %s/summary.csv says which replications completed, and "
                "summary-ci.csv counts only those\n",
                res.error, dir);
        rc = 1;
    } else {
        fprintf(stderr, "tiersim: the run failed: %s\n", res.error);
        rc = 1;
    }
    reps_result_release(&res);
    free(scenario);
    world_config_release(&wc);
    scn_free(s);
    return rc;
}

/* Each point's values and two KPIs with their 95 % half-widths (up to 30 points). */
static void print_sweep(const struct sweep *sw, const struct sweep_result *res, const char *dir)
{
    static const char *const kpis[] = {"availability_pct", "latency_p99_ms"};
    for (uint32_t p = 1; p <= res->npoints && p <= 30; p++) {
        printf("  point %u:", p);
        for (uint32_t i = 0; i < sweep_nvary(sw); i++)
            printf(" %s=%s", sweep_vary_path(sw, i), sweep_value(sw, p, i));
        for (size_t i = 0; i < sizeof kpis / sizeof *kpis; i++) {
            const struct sweep_kpi *k = sweep_kpi(&res->points[p - 1], kpis[i]);
            if (k)
                printf("%s %s %.4f +- %.4f", i ? "," : ";", kpis[i], k->mean, k->half);
        }
        putchar('\n');
    }
    if (res->npoints > 30)
        printf("  ... (%u points in all)\n", res->npoints);
    printf("  wrote %s/sweep.csv and %s/point-*/ (each point's files)\n", dir, dir);
}

/* What `plan` adds to a sweep: its objective, and the AZ-loss dimension (plan.h). */
struct plan_ctx {
    struct plan_slo slo;
    struct sweep_vary loss;      /* n = 0: no AZ loss asked for */
    char **variant_names;        /* nvariants: "no AZ lost", "<az> lost", ... */
    uint32_t nvariants;
};

static void plan_ctx_release(struct plan_ctx *pc)
{
    sweep_vary_release(&pc->loss);
    for (uint32_t i = 0; i < pc->nvariants; i++)
        free(pc->variant_names[i]);
    free(pc->variant_names);
}

/* The plan's objective (--slo, else the scenario's `slo`) and its AZ-loss variants (the
 * scenario's `azs`, its `faults` kept). Returns 0, or an exit status. */
static int plan_prepare(const struct args *a, struct plan_ctx *pc)
{
    memset(pc, 0, sizeof *pc);
    pc->slo = (struct plan_slo){NAN, NAN};
    char err[512];
    for (int i = 0; i < a->nslos; i++)
        if (plan_slo_parse(a->slos[i], &pc->slo, err, sizeof err) != 0)
            return usage_error("%s", err);
    double at = 0, dur = NAN;
    if (a->az_loss && plan_az_loss_parse(a->az_loss, &at, &dur, err, sizeof err) != 0)
        return usage_error("%s", err);
    for (int i = 0; i < a->nvaries; i++)
        if (a->az_loss && strncmp(a->varies[i], "faults", 6) == 0 &&
            (a->varies[i][6] == '=' || a->varies[i][6] == '.'))
            return usage_error("%s",
                               "--az-loss adds to the scenario's faults: do not --vary them");
    struct scn *s = scn_new();
    struct world_config wc;
    memset(&wc, 0, sizeof wc);
    int rc = load(a, s, &wc);
    if (rc == 0) {
        if (isnan(pc->slo.p99_ms))
            pc->slo.p99_ms = wc.faults.slo.latency_p99 * 1000.0;
        if (isnan(pc->slo.availability_pct))
            pc->slo.availability_pct = 100.0 - wc.faults.slo.error_rate * 100.0;
        pc->nvariants = 1 + (a->az_loss ? wc.nazs : 0);
        pc->variant_names = ts_calloc(pc->nvariants, sizeof *pc->variant_names);
        pc->variant_names[0] = ts_strdup("no AZ lost");
        if (a->az_loss) {
            cJSON *f = cJSON_GetObjectItemCaseSensitive(scn_root(s), "faults");
            char *text = f ? cJSON_PrintUnformatted(f) : NULL;
            plan_faults_vary(text, wc.azs, wc.nazs, at, dur, &pc->loss);
            cJSON_free(text);
            for (uint32_t i = 0; i < wc.nazs; i++) {
                size_t n = strlen(wc.azs[i]) + 6;
                pc->variant_names[1 + i] = ts_calloc(n, 1);
                snprintf(pc->variant_names[1 + i], n, "%s lost", wc.azs[i]);
            }
        }
    }
    world_config_release(&wc);
    scn_free(s);
    return rc;
}

static int cmd_sweep(const struct args *a, const struct sweep_team *team,
                     const struct plan_ctx *pc)
{
    bool talk = !a->quiet && (!team || team->rank == 0);
    struct sweep_vary *v = ts_calloc((size_t)a->nvaries + 1, sizeof *v);
    int rc = 0;
    char err[512];
    for (int i = 0; i < a->nvaries && rc == 0; i++) {
        if (sweep_vary_parse(a->varies[i], &v[i], err, sizeof err) != 0)
            rc = usage_error("%s", err);
        for (int j = 0; j < i && rc == 0; j++)
            if (strcmp(v[j].path, v[i].path) == 0)
                rc = usage_error("--vary %s is given twice", v[i].path);
    }
    uint32_t nvary = (uint32_t)a->nvaries;
    if (pc && pc->loss.n)
        v[nvary++] = pc->loss; /* borrowed: released with pc */
    struct sweep *sw = NULL;
    if (rc == 0) {
        struct sweep_spec spec = {.file = a->file,
                                  .sets = a->sets,
                                  .nsets = (uint32_t)a->nsets,
                                  .vary = v,
                                  .nvary = nvary};
        if (sweep_load(&spec, !team || team->rank == 0 ? stderr : NULL, &sw) != 0)
            rc = 2;
    }
    char dir_buf[512];
    const char *dir = a->out;
    if (rc == 0 && !dir) {
        snprintf(dir_buf, sizeof dir_buf, "out/%s-%s", sweep_config(sw, 1)->name,
                 pc ? "plan" : "sweep");
        dir = dir_buf;
    }
    if (rc == 0) {
        catch_signals();
        uint32_t n = sweep_npoints(sw);
        if (talk)
            printf("tiersim: sweeping %s: %u point%s x %u replication%s (seed %llu), %u "
                   "thread%s%s\n",
                   a->file, n, n == 1 ? "" : "s", a->reps, a->reps == 1 ? "" : "s",
                   (unsigned long long)sweep_config(sw, 1)->seed, a->jobs,
                   a->jobs == 1 ? "" : "s", team && team->size > 1 ? " per rank" : "");
        if (talk && team && team->size > 1)
            printf("tiersim: %d MPI ranks share the runs\n", team->size);
        struct sweep_opts o = {.out_dir = dir,
                               .reps = a->reps,
                               .jobs = a->jobs,
                               .interrupt = &interrupted,
                               /* a rank counts only its own runs */
                               .progress = talk && isatty(STDERR_FILENO) &&
                                           (!team || team->size == 1),
                               .team = team};
        struct sweep_result res;
        int src = sweep_run(sw, &o, &res);
        if (talk && res.runs_kept)
            printf("tiersim: resumed: %u of %u runs kept from before, %u run now\n",
                   res.runs_kept, res.runs, res.runs_done);
        if (src == 0 && talk && !pc)
            print_sweep(sw, &res, dir);
        if (src == 0 && pc && (!team || team->rank == 0)) {
            char csv[600];
            snprintf(csv, sizeof csv, "%s/plan.csv", dir);
            int best = plan_report(sw, &res, (uint32_t)a->nvaries, pc->nvariants,
                                   (const char *const *)pc->variant_names, &pc->slo, a->reps,
                                   talk ? stdout : NULL, csv);
            if (best < 0) {
                fprintf(stderr, "tiersim: cannot write %s\n", csv);
                rc = 1;
            } else if (best == 0) {
                rc = 1; /* said on stdout; plan.csv says why each one fails */
                if (!talk)
                    fprintf(stderr, "tiersim: no configuration meets the SLO (%s)\n", csv);
            } else if (talk) {
                printf("  wrote %s, %s/sweep.csv and %s/point-*/\n", csv, dir, dir);
            }
        }
        if (src == TS_EINVAL || src == TS_ELIMIT) {
            fprintf(stderr, "tiersim: %s\n", res.error);
            rc = 2;
        } else if (src == TS_EINTR && (!team || team->rank == 0)) {
            fprintf(stderr,
                    "tiersim: %s; %s/sweep.csv counts the complete replications; run the same "
                    "command again to resume (complete runs are kept)\n",
                    res.error, dir);
            rc = 1;
        } else if (src != 0) {
            if (!team || team->rank == 0)
                fprintf(stderr, "tiersim: the sweep failed: %s\n", res.error);
            rc = 1;
        }
        sweep_result_release(&res);
    }
    sweep_free(sw);
    for (int i = 0; i < a->nvaries; i++)
        sweep_vary_release(&v[i]);
    free(v);
    return rc;
}

static int cmd_check(const struct args *a)
{
    struct scn *s = scn_new();
    struct world_config wc;
    memset(&wc, 0, sizeof wc);
    struct keylist kl = {0};
    if (a->keys)
        keylist_init(&kl, s);
    int rc = load(a, s, &wc);
    if (rc == 0 && a->keys && keylist_print(&kl, s, stdout) != 0)
        rc = 1;
    else if (rc == 0 && !a->quiet && !a->keys)
        printf("%s: ok (%u components, %.10g s simulated)\n", a->file, wc.ncomps,
               sim_s(wc.duration));
    keylist_release(&kl);
    world_config_release(&wc);
    scn_free(s);
    return rc;
}

/* A sweep or a plan, over MPI ranks when built with MPI and started by mpirun. */
static int sweep_main(int *argc, char ***argv, const struct args *a, const struct plan_ctx *pc)
{
#ifdef TIERSIM_MPI
    if (sweep_mpi_launched()) {
        struct sweep_team team;
        if (sweep_mpi_start(argc, argv, &team) != 0) {
            fprintf(stderr, "tiersim: MPI cannot start\n");
            return 1;
        }
        int rc = cmd_sweep(a, &team, pc);
        sweep_mpi_end(&team);
        return rc;
    }
#endif
    (void)argc, (void)argv;
    return cmd_sweep(a, NULL, pc);
}

int main(int argc, char **argv)
{
    /* GSL's default handler aborts; ours return codes are checked instead */
    gsl_set_error_handler_off();
    struct args a;
    int rc = parse_args(argc, argv, &a);
    if (rc < 0) {
        if (strcmp(a.cmd, "run") == 0)
            rc = cmd_run(&a);
        else if (strcmp(a.cmd, "sweep") == 0)
            rc = sweep_main(&argc, &argv, &a, NULL);
        else if (strcmp(a.cmd, "plan") == 0) {
            struct plan_ctx pc;
            rc = plan_prepare(&a, &pc);
            if (rc == 0)
                rc = sweep_main(&argc, &argv, &a, &pc);
            plan_ctx_release(&pc);
        }
        else if (strcmp(a.cmd, "check") == 0)
            rc = cmd_check(&a);
        else
            rc = plot_dir(a.file, a.quiet, a.svg);
    }
    free_args(&a);
    return rc;
}
