/* test_run.c — whole runs: the same scenario and seed give byte-identical files, another
 * seed different ones; common random numbers (changing the fleet leaves the traffic alone);
 * an interrupted run leaves complete files and a summary that says so; memory follows the
 * requests in flight. */
#include "check.h"

#include "tiersim/scn.h"

#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static const char *scenario =
    "{ \"name\": \"t\", \"duration\": \"2h\", \"warmup\": \"10m\", \"interval\": \"1m\","
    "  \"azs\": [\"a\", \"b\"],"
    "  \"workload\": { \"entry\": \"lb\", \"rate\": { \"shape\": \"piecewise\","
    "                  \"points\": [[0, 50], [\"1h\", 150], [\"2h\", 60]] } },"
    "  \"components\": {"
    "    \"lb\": { \"type\": \"alb\", \"targets\": \"app\" },"
    "    \"app\": { \"type\": \"fleet\", \"instance\": { \"vcpus\": 2, \"workers\": 8,"
    "               \"backlog\": 4 }, \"asg\": { \"min_size\": 3, \"max_size\": 3 },"
    "      \"handlers\": { \"default\": [ { \"cpu\": { \"dist\": \"lognormal\","
    "                     \"mean\": \"30ms\", \"sd\": \"20ms\" } } ] } } } }";

static char *slurp(const char *dir, const char *file)
{
    char path[512];
    snprintf(path, sizeof path, "%s/%s", dir, file);
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    char *buf = calloc(1, (size_t)n + 1);
    if (fread(buf, 1, (size_t)n, f) != (size_t)n)
        n = 0;
    fclose(f);
    return buf;
}

static int run_to(const char *dir, const char *const *sets, const atomic_int *stop)
{
    struct check_scenario cs;
    if (check_load(&cs, scenario, sets) != 0)
        return -1;
    char *text = scn_print(cs.scn);
    struct run_opts o = {.out_dir = dir, .scenario = text, .run = 1, .interrupt = stop};
    struct run_result res;
    int rc = run_scenario(&cs.wc, &o, &res);
    CHECK(res.peak_in_flight < 1000, "in flight stays small: %llu",
          (unsigned long long)res.peak_in_flight);
    run_result_release(&res);
    free(text);
    check_unload(&cs);
    return rc;
}

static const char *const files[] = {"timeseries.csv", "events.csv", "summary.csv",
                                    "scenario.json"};

static void test_determinism(void)
{
    const char *s1[] = {"seed=7", NULL}, *s2[] = {"seed=8", NULL};
    CHECK_EQ_INT(run_to("run_a", s1, NULL), 0);
    CHECK_EQ_INT(run_to("run_b", s1, NULL), 0);
    CHECK_EQ_INT(run_to("run_c", s2, NULL), 0);
    for (int i = 0; i < 4; i++) {
        char *a = slurp("run_a", files[i]), *b = slurp("run_b", files[i]),
             *c = slurp("run_c", files[i]);
        CHECK(a && b && c, "%s written", files[i]);
        if (a && b && c) {
            CHECK(strcmp(a, b) == 0, "%s: same seed, same bytes", files[i]);
            if (i != 1) /* the event log of a fixed fleet does not depend on the seed */
                CHECK(strcmp(a, c) != 0, "%s: another seed, other bytes", files[i]);
        }
        free(a);
        free(b);
        free(c);
    }
}

/* The values of the column called `name` (by its header), joined with ';'. */
static char *column(const char *csv, const char *name)
{
    int n = 0;
    for (const char *h = csv;; n++) {
        size_t l = strcspn(h, ",\n");
        if (l == strlen(name) && strncmp(h, name, l) == 0)
            break;
        if (h[l] != ',')
            return calloc(1, 1); /* no such column: no values */
        h += l + 1;
    }
    char *out = calloc(1, strlen(csv) + 1);
    const char *p = strchr(csv, '\n');
    size_t len = 0;
    while (p && *++p) {
        const char *f = p;
        for (int i = 0; i < n && f; i++) {
            f = strchr(f, ',');
            f = f ? f + 1 : NULL;
        }
        const char *e = f ? f + strcspn(f, ",\n") : NULL;
        if (f) {
            memcpy(out + len, f, (size_t)(e - f));
            len += (size_t)(e - f);
            out[len++] = ';';
        }
        p = strchr(p, '\n');
    }
    return out;
}

static void test_common_random_numbers(void)
{
    /* a bigger fleet and another algorithm: the same arrivals, different service */
    const char *base[] = {"seed=3", NULL};
    const char *changed[] = {"seed=3", "components.app.asg.min_size=4",
                             "components.app.asg.max_size=4", "components.lb.algorithm=random",
                             NULL};
    CHECK_EQ_INT(run_to("run_crn1", base, NULL), 0);
    CHECK_EQ_INT(run_to("run_crn2", changed, NULL), 0);
    char *a = slurp("run_crn1", "timeseries.csv"), *b = slurp("run_crn2", "timeseries.csv");
    char *oa = column(a, "offered_rps"), *ob = column(b, "offered_rps");
    char *la = column(a, "latency_mean_ms"), *lb = column(b, "latency_mean_ms");
    CHECK(strlen(oa) > 100 && strcmp(oa, ob) == 0, "offered load identical in every interval");
    CHECK(strcmp(la, lb) != 0, "but the latencies differ");
    free(a);
    free(b);
    free(oa);
    free(ob);
    free(la);
    free(lb);
}

static void test_interrupted(void)
{
    atomic_int stop = 1;      /* raised before the run: it stops at once */
    CHECK_EQ_INT(run_to("run_int", NULL, &stop), TS_EINTR);
    char *sum = slurp("run_int", "summary.csv");
    CHECK(sum && strstr(sum, "\n1,1,interrupted,") != NULL, "summary says interrupted: %s",
          sum ? sum : "(none)");
    char *ev = slurp("run_int", "events.csv");
    CHECK(ev && strstr(ev, "tiersim,interrupted,") != NULL, "the log says so too");
    char *ts = slurp("run_int", "timeseries.csv");
    CHECK(ts && strncmp(ts, "t_s,", 4) == 0, "timeseries has its header");
    CHECK(access("run_int/timeseries.csv.part", F_OK) != 0, "no .part left");
    free(sum);
    free(ev);
    free(ts);
    /* a later complete run in the same folder replaces every file */
    CHECK_EQ_INT(run_to("run_int", NULL, NULL), 0);
    sum = slurp("run_int", "summary.csv");
    CHECK(sum && strstr(sum, ",complete,") != NULL, "complete now");
    free(sum);
}

/* A trace given relative to the scenario's folder: scenario.json records it so that the
 * scenario as run runs again from its output folder, with the same result. */
static void test_trace_round_trip(void)
{
    mkdir("trace_dir", 0777);
    FILE *f = fopen("trace_dir/rates.csv", "w");
    fputs("second,rps\n", f);
    for (int i = 0; i < 120; i++)
        fprintf(f, "%d,%d\n", i, i < 60 ? 20 : 80);
    fclose(f);
    f = fopen("trace_dir/s.json", "w");
    fputs("{ \"name\": \"tr\", \"duration\": \"10m\", \"workload\": { \"entry\": \"lb\","
          "  \"rate\": { \"shape\": \"trace\", \"file\": \"rates.csv\" } },"
          "  \"components\": { \"lb\": { \"type\": \"alb\", \"targets\": \"app\" },"
          "    \"app\": { \"type\": \"fleet\", \"instance\": { \"vcpus\": 4 },"
          "      \"asg\": { \"min_size\": 1, \"max_size\": 1 },"
          "      \"handlers\": { \"default\": [ { \"cpu\": 0.01 } ] } } } }\n",
          f);
    fclose(f);
    const char *const first[] = {"trace_dir/s.json", "trace_out1"};
    const char *const again[] = {"trace_out1/scenario.json", "trace_out2"};
    const char *const *runs[] = {first, again};
    for (int i = 0; i < 2; i++) {
        struct scn *s = scn_new();
        struct world_config wc;
        CHECK_EQ_INT(scn_load_file(s, runs[i][0]), 0);
        CHECK_EQ_INT(world_config_read(s, &wc), 0);
        char *text = scn_print(s);
        struct run_opts o = {.out_dir = runs[i][1], .scenario = text, .run = 1};
        struct run_result res;
        CHECK_EQ_INT(run_scenario(&wc, &o, &res), 0);
        run_result_release(&res);
        free(text);
        world_config_release(&wc);
        scn_free(s);
    }
    char *a = slurp("trace_out1", "summary.csv"), *b = slurp("trace_out2", "summary.csv");
    CHECK(a && b && strcmp(a, b) == 0, "the scenario as run gives the same run");
    char *sc = slurp("trace_out1", "scenario.json");
    CHECK(sc && strstr(sc, "/trace_dir/rates.csv\"") && sc[0] == '{' &&
              sc[strlen(sc) - 1] == '\n',
          "an absolute trace path and a final newline: %s", sc ? sc : "");
    free(a);
    free(b);
    free(sc);
}

int main(void)
{
    test_trace_round_trip();
    test_determinism();
    test_common_random_numbers();
    test_interrupted();
    return check_done();
}
