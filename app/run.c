/* run.c — one run: output folder, simulation, and the five files written so that each is
 * either complete or absent. */
#include "run.h"

#include "tiersim/csvw.h"

#include <errno.h>
#include <stdarg.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

static const char *const outputs[] = {"timeseries.csv", "events.csv", "summary.csv",
                                      "scenario.json", "faults.csv"};
#define NOUTPUTS (sizeof outputs / sizeof *outputs)

static char *join(const char *dir, const char *file)
{
    size_t n = strlen(dir) + strlen(file) + 2;
    char *p = ts_malloc(n);
    snprintf(p, n, "%s/%s", dir, file);
    return p;
}

int run_make_dirs(const char *path)
{
    char *p = ts_strdup(path);
    int rc = 0;
    for (char *q = p + 1; *q && rc == 0; q++) {
        if (*q != '/')
            continue;
        *q = '\0';
        if (mkdir(p, 0777) != 0 && errno != EEXIST)
            rc = -1;
        *q = '/';
    }
    if (rc == 0 && mkdir(p, 0777) != 0 && errno != EEXIST)
        rc = -1;
    free(p);
    return rc;
}

static void fail(struct run_result *res, int rc, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static void fail(struct run_result *res, int rc, const char *fmt, ...)
{
    if (res->rc)
        return;
    res->rc = rc;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(res->error, sizeof res->error, fmt, ap);
    va_end(ap);
}

static int write_summary(const char *path, const struct run_opts *o, const struct sim *sim,
                         const char *status)
{
    struct csvw w;
    if (csvw_open(&w, path) != 0) {
        csvw_abort(&w);
        return TS_EIO;
    }
    csvw_str(&w, "run");
    csvw_str(&w, "seed");
    csvw_str(&w, "status");
    for (uint32_t i = 0; i < sim->summary.ncols; i++)
        csvw_str(&w, sim->summary.cols[i].name);
    csvw_end_row(&w);
    csvw_int(&w, o->run ? o->run : 1);
    csvw_int(&w, (int64_t)sim->seed);
    csvw_str(&w, status);
    for (uint32_t i = 0; i < sim->summary.ncols; i++)
        csvw_num(&w, sim->summary.row[i], sim->summary.cols[i].decimals);
    csvw_end_row(&w);
    return csvw_commit(&w);
}

int run_scenario(const struct world_config *wc, const struct run_opts *o, struct run_result *res)
{
    memset(res, 0, sizeof *res);
    res->status = "failed";
    res->seed = wc->seed;
    struct csvw ts = {0}, ev = {0};
    char *paths[NOUTPUTS] = {NULL};
    bool files = o->out_dir != NULL;

    if (files) {
        if (run_make_dirs(o->out_dir) != 0) {
            fail(res, TS_EIO, "cannot create the folder \"%s\": %s", o->out_dir, strerror(errno));
            return res->rc;
        }
        for (size_t i = 0; i < NOUTPUTS; i++) {
            paths[i] = join(o->out_dir, outputs[i]);
            if (remove(paths[i]) != 0 && errno != ENOENT)
                fail(res, TS_EIO, "cannot remove the old \"%s\": %s", paths[i], strerror(errno));
        }
        if (!res->rc && o->scenario && write_file_atomic(paths[3], o->scenario) != 0)
            fail(res, TS_EIO, "cannot write \"%s\": %s", paths[3], strerror(errno));
        if (!res->rc && csvw_open(&ts, paths[0]) != 0)
            fail(res, TS_EIO, "cannot write \"%s\": %s", paths[0], strerror(errno));
        if (!res->rc && csvw_open(&ev, paths[1]) != 0)
            fail(res, TS_EIO, "cannot write \"%s\": %s", paths[1], strerror(errno));
        if (res->rc) {
            csvw_abort(&ts);
            csvw_abort(&ev);
            for (size_t i = 0; i < NOUTPUTS; i++)
                free(paths[i]);
            return res->rc;
        }
        csvw_str(&ev, "t_s");
        csvw_str(&ev, "component");
        csvw_str(&ev, "event");
        csvw_str(&ev, "detail");
        csvw_end_row(&ev);
    }

    struct sim sim;
    sim_init(&sim, wc->seed);
    sim.ts_out = files ? &ts : NULL;
    sim.events_out = files ? &ev : NULL;
    sim.interrupt = o->interrupt;
    sim.progress = o->progress;

    struct world *w = world_new(&sim, wc);
    sim_start_sampling(&sim, wc->interval);
    int rc = sim_run(&sim, wc->duration);
    const char *status = "complete";
    if (rc == TS_EINTR) {
        status = "interrupted";
        sim_log(&sim, "tiersim", "interrupted", "stopped by a signal at t=%.3f s",
                sim_s(sim.now));
    } else if (rc != 0) {
        status = "failed";
        sim_log(&sim, "tiersim", "failed", "%s", sim.error_text);
    }
    int64_t span = sim.now > wc->warmup ? sim.now - wc->warmup : 0;
    sim_table_fill(&sim, &sim.summary, span);

    res->rc = rc;
    res->status = status;
    res->seed = sim.seed;
    if (rc == TS_EINTR)
        snprintf(res->error, sizeof res->error, "interrupted at t=%.3f s", sim_s(sim.now));
    else if (rc != 0)
        snprintf(res->error, sizeof res->error, "%s", sim.error_text);
    res->events = sim.events;
    res->end = sim.now;
    res->peak_in_flight = world_peak_in_flight(w);
    res->requests_live = world_requests_live(w);
    res->ncols = sim.summary.ncols;
    res->names = ts_calloc(res->ncols ? res->ncols : 1u, sizeof *res->names);
    res->values = ts_calloc(res->ncols ? res->ncols : 1u, sizeof *res->values);
    res->decimals = ts_calloc(res->ncols ? res->ncols : 1u, sizeof *res->decimals);
    for (uint32_t i = 0; i < res->ncols; i++) {
        res->names[i] = ts_strdup(sim.summary.cols[i].name);
        res->values[i] = sim.summary.row[i];
        res->decimals[i] = sim.summary.cols[i].decimals;
    }

    if (files) {
        if (csvw_commit(&ts) != 0)
            fail(res, TS_EIO, "cannot write \"%s\": %s", paths[0], strerror(errno));
        if (csvw_commit(&ev) != 0)
            fail(res, TS_EIO, "cannot write \"%s\": %s", paths[1], strerror(errno));
        if (write_summary(paths[2], o, &sim, status) != 0)
            fail(res, TS_EIO, "cannot write \"%s\": %s", paths[2], strerror(errno));
        if (world_write_faults(&sim, w, paths[4]) != 0)
            fail(res, TS_EIO, "cannot write \"%s\": %s", paths[4], strerror(errno));
        for (size_t i = 0; i < NOUTPUTS; i++)
            free(paths[i]);
    }
    world_free(w);
    sim_release(&sim);
    return res->rc;
}

double run_result_get(const struct run_result *res, const char *name)
{
    for (uint32_t i = 0; i < res->ncols; i++)
        if (strcmp(res->names[i], name) == 0)
            return res->values[i];
    return TS_NAN;
}

void run_result_release(struct run_result *res)
{
    for (uint32_t i = 0; i < res->ncols; i++)
        free(res->names[i]);
    free(res->names);
    free(res->values);
    free(res->decimals);
    memset(res, 0, sizeof *res);
}
