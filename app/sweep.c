/* sweep.c — the points of a sweep, one pool of threads over every (point, replication),
 * the resume records and sweep.csv.
 *
 * A run's result reaches sweep.csv by one of two roads: from memory when this process ran
 * it, or from its record in DIR/resume/ when an earlier invocation (or another MPI rank)
 * did. A record holds the summary at full precision (C99 hexadecimal floating point), so
 * both roads give the same bytes: a resumed sweep's files equal an uninterrupted one's. A
 * record is written, under a temporary name then renamed, only after the run's own files
 * are complete; a run without one is run again, so nothing half-written counts as done.
 */
#include "sweep.h"

#include "tiersim/csvw.h"
#include "tiersim/scn.h"

#include <cjson/cJSON.h>
#include <dirent.h>
#include <errno.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

/* --- --vary ------------------------------------------------------------------------------ */

static int vary_error(char *err, size_t size, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static int vary_error(char *err, size_t size, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err, size, fmt, ap);
    va_end(ap);
    return TS_EINVAL;
}

static void add_value(struct sweep_vary *v, const char *from, size_t len)
{
    v->values = ts_realloc(v->values, (v->n + 1u) * sizeof *v->values);
    char *s = ts_malloc(len + 1);
    memcpy(s, from, len);
    s[len] = '\0';
    v->values[v->n++] = s;
}

int sweep_vary_parse(const char *arg, struct sweep_vary *v, char *err, size_t size)
{
    memset(v, 0, sizeof *v);
    const char *eq = strchr(arg, '=');
    if (!eq || eq == arg)
        return vary_error(err, size, "--vary needs PATH=V1,V2,..., got \"%s\"", arg);
    v->path = ts_malloc((size_t)(eq - arg) + 1);
    memcpy(v->path, arg, (size_t)(eq - arg));
    v->path[eq - arg] = '\0';
    /* a comma splits only outside JSON strings, arrays and objects */
    char open[64];
    unsigned depth = 0;
    bool in_string = false;
    const char *start = eq + 1;
    for (const char *c = start;; c++) {
        if (in_string) {
            if (*c == '\\' && c[1])
                c++;
            else if (*c == '"')
                in_string = false;
            else if (*c == '\0')
                return vary_error(err, size, "--vary %s: a string is not closed in \"%s\"", v->path,
                                  eq + 1);
            continue;
        }
        if (*c == '"') {
            in_string = true;
        } else if (*c == '[' || *c == '{') {
            if (depth == sizeof open)
                return vary_error(err, size, "--vary %s: nested too deep", v->path);
            open[depth++] = *c;
        } else if (*c == ']' || *c == '}') {
            if (depth == 0 || open[depth - 1] != (*c == ']' ? '[' : '{'))
                return vary_error(err, size, "--vary %s: unmatched '%c' in \"%s\"", v->path, *c,
                                  eq + 1);
            depth--;
        } else if ((*c == ',' || *c == '\0') && depth == 0) {
            if (c == start)
                return vary_error(err, size, "--vary %s: empty value in \"%s\"", v->path, eq + 1);
            if (v->n == SWEEP_MAX_POINTS)
                return vary_error(err, size, "--vary %s: more than %u values", v->path,
                                  SWEEP_MAX_POINTS);
            add_value(v, start, (size_t)(c - start));
            start = c + 1;
        } else if (*c == '\0') {
            return vary_error(err, size, "--vary %s: '%c' is not closed in \"%s\"", v->path,
                              open[depth - 1], eq + 1);
        }
        if (*c == '\0') break;
    }
    return 0;
}

void sweep_vary_release(struct sweep_vary *v)
{
    for (uint32_t i = 0; i < v->n; i++)
        free(v->values[i]);
    free(v->values);
    free(v->path);
    memset(v, 0, sizeof *v);
}

/* --- points ------------------------------------------------------------------------------ */

struct point {
    struct scn *scn; /* kept: the config may point into its tree */
    struct world_config wc;
    char *scenario; /* as run, for scenario.json */
};

struct sweep {
    struct sweep_vary *vary; /* copies of the spec's */
    uint32_t nvary, npoints;
    struct point *points;
    char *base; /* the scenario after --set, before the varies: the manifest's */
};

uint32_t sweep_npoints(const struct sweep *sw)
{
    return sw->npoints;
}

uint32_t sweep_nvary(const struct sweep *sw)
{
    return sw->nvary;
}

const char *sweep_vary_path(const struct sweep *sw, uint32_t i)
{
    TS_ASSERT(i < sw->nvary);
    return sw->vary[i].path;
}

/* Odometer order: the last vary turns fastest. */
const char *sweep_value(const struct sweep *sw, uint32_t p, uint32_t i)
{
    TS_ASSERT(p >= 1 && p <= sw->npoints && i < sw->nvary);
    uint32_t q = p - 1;
    for (uint32_t j = sw->nvary - 1; j > i; j--)
        q /= sw->vary[j].n;
    return sw->vary[i].values[q % sw->vary[i].n];
}

const struct world_config *sweep_config(const struct sweep *sw, uint32_t p)
{
    TS_ASSERT(p >= 1 && p <= sw->npoints);
    return &sw->points[p - 1].wc;
}

/* "a=1, b=x" for messages, into buf. */
static const char *point_label(const struct sweep *sw, uint32_t p, char *buf, size_t size)
{
    size_t used = 0;
    buf[0] = '\0';
    for (uint32_t i = 0; i < sw->nvary && used < size; i++) {
        int n = snprintf(buf + used, size - used, "%s%s=%s", i ? ", " : "", sw->vary[i].path,
                         sweep_value(sw, p, i));
        if (n < 0) break;
        used += (size_t)n;
    }
    return buf;
}

/* The scenario file with the --set assignments and, for point p >= 1, its values; read
 * and checked when `check`. Returns the document (errors recorded in it). */
static struct scn *load_point(const struct sweep_spec *spec, const struct sweep *sw, uint32_t p,
                              struct world_config *wc, int *rc)
{
    struct scn *s = scn_new();
    *rc = scn_load_file(s, spec->file);
    for (uint32_t i = 0; *rc == 0 && i < spec->nsets; i++)
        scn_set(s, spec->sets[i]);
    for (uint32_t i = 0; *rc == 0 && p >= 1 && i < sw->nvary; i++) {
        const char *val = sweep_value(sw, p, i);
        size_t n = strlen(sw->vary[i].path) + strlen(val) + 2;
        char *a = ts_malloc(n);
        snprintf(a, n, "%s=%s", sw->vary[i].path, val);
        scn_set_as(s, "--vary", a);
        free(a);
    }
    if (*rc == 0 && wc) *rc = world_config_read(s, wc);
    return s;
}

int sweep_load(const struct sweep_spec *spec, FILE *err, struct sweep **out)
{
    *out = NULL;
    TS_ASSERT(spec->nvary >= 1);
    uint64_t npoints = 1;
    /* each n <= SWEEP_MAX_POINTS, so stopping once past the limit keeps the product from
     * wrapping */
    for (uint32_t i = 0; i < spec->nvary && npoints <= SWEEP_MAX_POINTS; i++)
        npoints *= spec->vary[i].n;
    if (npoints > SWEEP_MAX_POINTS) {
        if (err)
            fprintf(err, "tiersim: the sweep has more than %u points\n", SWEEP_MAX_POINTS);
        return TS_ELIMIT;
    }
    struct sweep *sw = ts_calloc(1, sizeof *sw);
    sw->nvary = spec->nvary;
    sw->npoints = (uint32_t)npoints;
    sw->vary = ts_calloc(sw->nvary, sizeof *sw->vary);
    for (uint32_t i = 0; i < sw->nvary; i++) {
        sw->vary[i].path = ts_strdup(spec->vary[i].path);
        sw->vary[i].n = spec->vary[i].n;
        sw->vary[i].values = ts_calloc(spec->vary[i].n, sizeof *sw->vary[i].values);
        for (uint32_t j = 0; j < spec->vary[i].n; j++)
            sw->vary[i].values[j] = ts_strdup(spec->vary[i].values[j]);
    }
    sw->points = ts_calloc(sw->npoints, sizeof *sw->points);

    int rc;
    struct scn *base = load_point(spec, sw, 0, NULL, &rc);
    if (rc != 0) { /* the file itself: once, not once per point */
        if (err) {
            scn_print_errors(base, err);
            fprintf(err, "tiersim: cannot read %s\n", spec->file);
        }
        scn_free(base);
        sweep_free(sw);
        return TS_ESCENARIO;
    }
    sw->base = scn_print(base);
    scn_free(base);

    uint32_t invalid = 0;
    enum { SHOWN = 5 }; /* points whose errors are printed; the rest are counted */
    for (uint32_t p = 1; p <= sw->npoints; p++) {
        struct point *pt = &sw->points[p - 1];
        pt->scn = load_point(spec, sw, p, &pt->wc, &rc);
        if (scn_error_count(pt->scn) == 0 && rc == 0) {
            pt->scenario = scn_print(pt->scn);
            continue;
        }
        if (err && invalid < SHOWN) {
            char label[512];
            fprintf(err, "tiersim: sweep point %u (%s) is invalid:\n", p,
                    point_label(sw, p, label, sizeof label));
            scn_print_errors(pt->scn, err);
        }
        invalid++;
    }
    if (invalid) {
        if (err && invalid > SHOWN)
            fprintf(err, "tiersim: ... and %u more invalid points\n", invalid - SHOWN);
        if (err)
            fprintf(err, "tiersim: %u of %u sweep point%s invalid (%s)\n", invalid, sw->npoints,
                    sw->npoints == 1 ? " is" : "s are", spec->file);
        sweep_free(sw);
        return TS_ESCENARIO;
    }
    *out = sw;
    return 0;
}

void sweep_free(struct sweep *sw)
{
    if (!sw) return;
    for (uint32_t p = 0; p < sw->npoints && sw->points; p++) {
        world_config_release(&sw->points[p].wc);
        scn_free(sw->points[p].scn);
        free(sw->points[p].scenario);
    }
    free(sw->points);
    for (uint32_t i = 0; i < sw->nvary; i++)
        sweep_vary_release(&sw->vary[i]);
    free(sw->vary);
    free(sw->base);
    free(sw);
}

/* --- files --------------------------------------------------------------------------------- */

static char *path_of(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static char *path_of(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    TS_ASSERT(n >= 0);
    char *s = ts_malloc((size_t)n + 1);
    va_start(ap, fmt);
    vsnprintf(s, (size_t)n + 1, fmt, ap);
    va_end(ap);
    return s;
}

/* Digits of point-NNN: three, more when the count needs them. */
static int width_for(uint32_t n)
{
    int w = 3;
    for (uint32_t m = 1000; m <= n; m *= 10)
        w++;
    return w;
}

static char *read_whole(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (!f) return NULL;
    size_t cap = 4096, len = 0;
    char *s = ts_malloc(cap);
    size_t got;
    while ((got = fread(s + len, 1, cap - len - 1, f)) > 0) {
        len += got;
        if (cap - len < 2) s = ts_realloc(s, cap *= 2);
    }
    bool bad = ferror(f) != 0;
    fclose(f);
    if (bad) {
        free(s);
        return NULL;
    }
    s[len] = '\0';
    return s;
}

/* The manifest: what must be equal for a folder's runs to be this sweep's. */
static char *manifest_text(const struct sweep *sw, const struct sweep_opts *o)
{
    cJSON *m = cJSON_CreateObject();
    cJSON *scenario = cJSON_Parse(sw->base);
    TS_ASSERT(m && scenario);
    cJSON_AddStringToObject(m, "tiersim", TIERSIM_VERSION);
    cJSON_AddItemToObject(m, "scenario", scenario);
    cJSON *vary = cJSON_AddArrayToObject(m, "vary");
    for (uint32_t i = 0; i < sw->nvary; i++) {
        cJSON *v = cJSON_CreateObject();
        cJSON_AddStringToObject(v, "path", sw->vary[i].path);
        cJSON *vals = cJSON_AddArrayToObject(v, "values");
        for (uint32_t j = 0; j < sw->vary[i].n; j++)
            cJSON_AddItemToArray(vals, cJSON_CreateString(sw->vary[i].values[j]));
        cJSON_AddItemToArray(vary, v);
    }
    cJSON_AddNumberToObject(m, "reps", o->reps);
    char *text = cJSON_Print(m);
    if (!text) ts_out_of_memory();
    cJSON_Delete(m);
    size_t n = strlen(text);
    text = ts_realloc(text, n + 2);
    memcpy(text + n, "\n", 2);
    return text;
}

/* What differs between two manifests, for the message: "the scenario", "--vary", ... */
static const char *manifest_diff(const char *old_text, const char *new_text)
{
    cJSON *a = cJSON_Parse(old_text), *b = cJSON_Parse(new_text);
    const char *what = "the manifest (it cannot be read)";
    static const char *const keys[] = {"tiersim", "scenario", "vary", "reps"};
    static const char *const names[] = {"its tiersim version differs",
                                        "its scenario (after --set) differs",
                                        "its --vary options differ", "its --reps differs"};
    if (a && b)
        for (size_t i = 0; i < sizeof keys / sizeof *keys; i++)
            if (!cJSON_Compare(cJSON_GetObjectItemCaseSensitive(a, keys[i]),
                               cJSON_GetObjectItemCaseSensitive(b, keys[i]), true)) {
                what = names[i];
                break;
            }
    cJSON_Delete(a);
    cJSON_Delete(b);
    return what;
}

/* Remove the files in dir (not folders); 0 or -1 with errno. */
static int empty_folder(const char *dir)
{
    DIR *d = opendir(dir);
    if (!d) return errno == ENOENT ? 0 : -1;
    int rc = 0;
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0) continue;
        char *p = path_of("%s/%s", dir, e->d_name);
        if (remove(p) != 0 && errno != ENOENT) rc = -1;
        free(p);
    }
    closedir(d);
    return rc;
}

/* --- resume records ------------------------------------------------------------------------ */

struct layout {
    const char *dir;
    int pw; /* digits of point numbers */
    int rw; /* of replication numbers */
};

static char *record_path(const struct layout *l, uint32_t p, uint32_t k)
{
    return path_of("%s/resume/point-%0*u-rep-%0*u.txt", l->dir, l->pw, p, l->rw, k);
}

static int record_write(const struct layout *l, uint32_t p, uint32_t k, const struct run_result *r)
{
    char *text = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&text, &len);
    if (!f) ts_out_of_memory();
    fprintf(f,
            "tiersim run record 1\npoint %u\nreplication %u\nseed %llu\nevents %llu\n"
            "end %lld\ncolumns %u\n",
            p, k, (unsigned long long)r->seed, (unsigned long long)r->events, (long long)r->end,
            r->ncols);
    for (uint32_t i = 0; i < r->ncols; i++)
        fprintf(f, "%s %d %a\n", r->names[i], r->decimals[i], r->values[i]);
    fputs("end of record\n", f);
    fclose(f);
    char *path = record_path(l, p, k);
    int rc = write_file_atomic(path, text);
    free(path);
    free(text);
    return rc;
}

/* Whether run dir's summary.csv says complete (its second line's third field). */
static bool summary_complete(const char *dir)
{
    char *path = path_of("%s/summary.csv", dir);
    char *s = read_whole(path);
    free(path);
    if (!s) return false;
    const char *row = strchr(s, '\n');
    bool ok = false;
    if (row) {
        const char *c1 = strchr(row + 1, ',');
        const char *c2 = c1 ? strchr(c1 + 1, ',') : NULL;
        ok = c2 && strncmp(c2 + 1, "complete,", 9) == 0;
    }
    free(s);
    return ok;
}

/* The next line of a record, "KEY NUMBER", into *out; false if it is not that. */
static bool field(char **save, const char *key, unsigned long long *out)
{
    const char *line = strtok_r(NULL, "\n", save);
    size_t n = strlen(key);
    if (!line || strncmp(line, key, n) != 0 || line[n] != ' ' || line[n + 1] < '0' ||
        line[n + 1] > '9')
        return false;
    char *end;
    errno = 0;
    *out = strtoull(line + n + 1, &end, 10);
    return *end == '\0' && errno == 0;
}

/* Read run (p, k)'s record into r (status complete); false if there is none, or it is not
 * whole, or it is another run's. */
static bool record_read(const struct layout *l, uint32_t p, uint32_t k, uint64_t seed,
                        struct run_result *r)
{
    char *path = record_path(l, p, k);
    char *s = read_whole(path);
    free(path);
    if (!s) return false;
    memset(r, 0, sizeof *r);
    char *save = NULL;
    char *line = strtok_r(s, "\n", &save);
    unsigned long long rp, rk, rseed, events, end, ncols;
    bool ok = line && strcmp(line, "tiersim run record 1") == 0;
    ok = ok && field(&save, "point", &rp) && field(&save, "replication", &rk) &&
         field(&save, "seed", &rseed) && field(&save, "events", &events) &&
         field(&save, "end", &end) && field(&save, "columns", &ncols);
    ok = ok && rp == p && rk == k && rseed == seed && ncols < 100000;
    if (ok) {
        r->ncols = (uint32_t)ncols;
        r->names = ts_calloc(ncols ? ncols : 1u, sizeof *r->names);
        r->values = ts_calloc(ncols ? ncols : 1u, sizeof *r->values);
        r->decimals = ts_calloc(ncols ? ncols : 1u, sizeof *r->decimals);
    }
    for (uint32_t i = 0; ok && i < r->ncols; i++) {
        line = strtok_r(NULL, "\n", &save);
        char *sp1 = line ? strchr(line, ' ') : NULL;
        char *end1 = NULL, *end2 = NULL;
        long d = sp1 ? strtol(sp1 + 1, &end1, 10) : -1;
        ok = sp1 && end1 && *end1 == ' ' && d >= 0 && d < 30;
        if (ok) {
            r->values[i] = strtod(end1 + 1, &end2);
            ok = *end2 == '\0';
            *sp1 = '\0';
            r->names[i] = ts_strdup(line);
            r->decimals[i] = (int)d;
        }
    }
    line = ok ? strtok_r(NULL, "\n", &save) : NULL;
    ok = ok && line && strcmp(line, "end of record") == 0;
    free(s);
    if (!ok) {
        run_result_release(r);
        return false;
    }
    r->status = "complete";
    r->seed = seed;
    r->events = events;
    r->end = (int64_t)end;
    return true;
}

/* --- the pool ------------------------------------------------------------------------------ */

/* What became of a run, as the ranks tell rank 0 (an element-wise maximum: each run is one
 * rank's, the others say CODE_NONE). */
enum { CODE_NONE, CODE_COMPLETE, CODE_NO_RECORD, CODE_INTERRUPTED, CODE_NOT_RUN, CODE_FAILED };

struct pool {
    const struct sweep *sw;
    const struct sweep_opts *o;
    const struct reps_opts *popts; /* per point */
    const struct layout *l;
    struct run_result *runs; /* points x reps, point-major */
    int *codes;
    const uint32_t *tasks; /* this rank's runs, in order */
    uint32_t ntasks;
    uint32_t before; /* runs complete before any task (kept) */
    atomic_uint next, done;
};

static int code_of(const struct run_result *r)
{
    if (r->rc == 0) return CODE_COMPLETE;
    if (strcmp(r->status, "not_run") == 0) return CODE_NOT_RUN;
    return r->rc == TS_EINTR ? CODE_INTERRUPTED : CODE_FAILED;
}

static void *worker(void *arg)
{
    struct pool *p = arg;
    uint32_t reps = p->o->reps;
    for (;;) {
        unsigned t = atomic_fetch_add(&p->next, 1u);
        if (t >= p->ntasks) return NULL;
        uint32_t run = p->tasks[t], pt = run / reps, k = run % reps + 1;
        struct run_result *r = &p->runs[run];
        const struct world_config *wc = &p->sw->points[pt].wc;
        if (p->o->interrupt && *p->o->interrupt)
            reps_not_run(r, reps_seed(wc->seed, k));
        else
            reps_run_one(wc, &p->popts[pt], k, r);
        p->codes[run] = code_of(r);
        if (p->codes[run] == CODE_COMPLETE && p->l->dir && record_write(p->l, pt + 1, k, r) != 0)
            p->codes[run] = CODE_NO_RECORD;
        unsigned done = atomic_fetch_add(&p->done, 1u) + 1u;
        if (p->o->progress)
            fprintf(stderr, "\r  %u of %u runs done", p->before + done, p->sw->npoints * reps);
    }
}

static void run_pool(struct pool *p)
{
    uint32_t nthreads = p->o->jobs < p->ntasks ? p->o->jobs : p->ntasks;
    pthread_t *t = ts_calloc(nthreads ? nthreads : 1u, sizeof *t);
    uint32_t started = 0;
    /* as in reps.c: this thread works too, and the others draw from the same counter */
    for (uint32_t i = 1; i < nthreads; i++)
        if (pthread_create(&t[started], NULL, worker, p) == 0) started++;
    worker(p);
    for (uint32_t i = 0; i < started; i++)
        pthread_join(t[i], NULL);
    free(t);
    if (p->o->progress && p->ntasks) fputc('\n', stderr);
}

/* --- the team of one ----------------------------------------------------------------------- */

static int solo_bcast(const struct sweep_team *t, void *buf, size_t len)
{
    (void)t, (void)buf, (void)len;
    return 0;
}

static int solo_max(const struct sweep_team *t, int *v, size_t n)
{
    (void)t, (void)v, (void)n;
    return 0;
}

static const struct sweep_team solo = {.rank = 0, .size = 1, .bcast = solo_bcast, .max = solo_max};

/* --- the sweep ----------------------------------------------------------------------------- */

static void fail(struct sweep_result *res, int rc, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static void fail(struct sweep_result *res, int rc, const char *fmt, ...)
{
    if (res->rc) return;
    res->rc = rc;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(res->error, sizeof res->error, fmt, ap);
    va_end(ap);
}

/* Rank 0: check or write the manifest and prepare the folders; returns 0 or fails res. */
static int prepare(const struct sweep *sw, const struct sweep_opts *o, const struct layout *l,
                   const struct reps_opts *popts, bool *resume, struct sweep_result *res)
{
    *resume = false;
    if (run_make_dirs(o->out_dir) != 0) {
        fail(res, TS_EIO, "cannot create the folder \"%s\": %s", o->out_dir, strerror(errno));
        return res->rc;
    }
    char *mpath = path_of("%s/sweep.json", o->out_dir);
    char *want = manifest_text(sw, o);
    char *have = read_whole(mpath);
    if (have && strcmp(have, want) != 0) {
        fail(res, TS_EINVAL,
             "\"%s\" holds another sweep (%s: see its sweep.json); run the command that "
             "started it to resume it, or choose another folder with -o",
             o->out_dir, manifest_diff(have, want));
    } else if (have) {
        *resume = true;
    } else {
        /* a fresh sweep: no record of an earlier one may count as this one's */
        char *rdir = path_of("%s/resume", o->out_dir);
        if (empty_folder(rdir) != 0)
            fail(res, TS_EIO, "cannot empty \"%s\": %s", rdir, strerror(errno));
        else if (write_file_atomic(mpath, want) != 0)
            fail(res, TS_EIO, "cannot write \"%s\": %s", mpath, strerror(errno));
        free(rdir);
    }
    free(have);
    free(want);
    free(mpath);
    if (res->rc) return res->rc;
    char *rdir = path_of("%s/resume", l->dir), *csv = path_of("%s/sweep.csv", l->dir);
    if (run_make_dirs(rdir) != 0)
        fail(res, TS_EIO, "cannot create the folder \"%s\": %s", rdir, strerror(errno));
    else if (remove(csv) != 0 && errno != ENOENT) /* it is written again at the end */
        fail(res, TS_EIO, "cannot remove the old \"%s\": %s", csv, strerror(errno));
    free(rdir);
    free(csv);
    for (uint32_t p = 0; p < sw->npoints && !res->rc; p++) {
        char err[sizeof res->error];
        if (reps_begin(&popts[p], err, sizeof err) != 0) fail(res, TS_EIO, "%s", err);
    }
    return res->rc;
}

/* Rank 0: every run's result, from the records of runs this process did not run. */
static void collect(const struct sweep *sw, const struct sweep_opts *o, const struct layout *l,
                    struct pool *p, const uint8_t *mine)
{
    for (uint32_t run = 0; run < sw->npoints * o->reps; run++) {
        if (mine[run]) continue;
        uint32_t pt = run / o->reps, k = run % o->reps + 1;
        struct run_result *r = &p->runs[run];
        uint64_t seed = reps_seed(sw->points[pt].wc.seed, k);
        switch (p->codes[run]) {
        case CODE_COMPLETE:
            if (l->dir && record_read(l, pt + 1, k, seed, r)) break;
            p->codes[run] = CODE_FAILED;
            memset(r, 0, sizeof *r);
            r->status = "failed";
            r->rc = TS_EIO;
            r->seed = seed;
            snprintf(r->error, sizeof r->error, "its record cannot be read");
            break;
        case CODE_NOT_RUN:
        case CODE_NONE:
            reps_not_run(r, seed);
            break;
        case CODE_INTERRUPTED:
        case CODE_NO_RECORD:
        case CODE_FAILED:
            memset(r, 0, sizeof *r);
            r->seed = seed;
            r->status = p->codes[run] == CODE_INTERRUPTED ? "interrupted" : "failed";
            r->rc = p->codes[run] == CODE_INTERRUPTED ? TS_EINTR : TS_EIO;
            if (p->codes[run] == CODE_NO_RECORD) {
                r->status = "complete"; /* its files are whole; only its record is missing */
                r->rc = 0;
            }
            snprintf(r->error, sizeof r->error, "on another rank (see its message)");
            break;
        }
    }
}

static void summarise(const struct sweep *sw, const struct sweep_opts *o, struct pool *p,
                      struct sweep_result *res)
{
    res->points = ts_calloc(sw->npoints, sizeof *res->points);
    for (uint32_t pt = 0; pt < sw->npoints; pt++) {
        struct sweep_point *sp = &res->points[pt];
        const struct run_result *runs = &p->runs[pt * o->reps];
        for (uint32_t k = 0; k < o->reps; k++)
            if (runs[k].status && strcmp(runs[k].status, "complete") == 0) sp->reps_done++;
        const struct run_result *h = reps_columns(runs, o->reps);
        sp->nkpis = h ? h->ncols : 0;
        sp->kpis = ts_calloc(sp->nkpis ? sp->nkpis : 1u, sizeof *sp->kpis);
        for (uint32_t i = 0; i < sp->nkpis; i++) {
            struct reps_ci ci;
            reps_kpi_ci(runs, o->reps, i, &ci);
            sp->kpis[i] = (struct sweep_kpi){.name = ts_strdup(h->names[i]),
                                             .decimals = h->decimals[i],
                                             .n = ci.count,
                                             .mean = ci.mean,
                                             .sd = ci.sd,
                                             .half = ci.half};
        }
    }
}

/* The sweep's verdict: the first failed run in order, else an interruption, else a record
 * that could not be written. */
static void verdict(const struct sweep *sw, const struct sweep_opts *o, const struct pool *p,
                    struct sweep_result *res)
{
    uint32_t nruns = sw->npoints * o->reps, complete = 0;
    for (uint32_t run = 0; run < nruns; run++) {
        const struct run_result *r = &p->runs[run];
        complete += r->status && strcmp(r->status, "complete") == 0;
        if (r->rc != 0 && r->rc != TS_EINTR) {
            char label[256];
            fail(res, r->rc, "point %u (%s), replication %u (seed %llu): %s", run / o->reps + 1,
                 point_label(sw, run / o->reps + 1, label, sizeof label), run % o->reps + 1,
                 (unsigned long long)r->seed, r->error);
        }
    }
    if (complete < nruns)
        fail(res, TS_EINTR, "interrupted with %u of %u runs complete", complete, nruns);
    for (uint32_t run = 0; run < nruns; run++)
        if (p->codes[run] == CODE_NO_RECORD)
            fail(res, TS_EIO, "cannot write the resume record of point %u, replication %u",
                 run / o->reps + 1, run % o->reps + 1);
}

int sweep_run(const struct sweep *sw, const struct sweep_opts *o, struct sweep_result *res)
{
    TS_ASSERT(o->reps >= 1 && o->reps <= REPS_MAX && o->jobs >= 1);
    memset(res, 0, sizeof *res);
    const struct sweep_team *team = o->team ? o->team : &solo;
    res->npoints = sw->npoints;
    uint64_t nruns64 = (uint64_t)sw->npoints * o->reps;
    if (nruns64 > SWEEP_MAX_RUNS) {
        fail(res, TS_ELIMIT, "%llu runs (%u points x %u replications); at most %u are allowed",
             (unsigned long long)nruns64, sw->npoints, o->reps, SWEEP_MAX_RUNS);
        return res->rc;
    }
    uint32_t nruns = (uint32_t)nruns64;
    res->runs = nruns;
    struct layout l = {.dir = o->out_dir, .pw = width_for(sw->npoints), .rw = width_for(o->reps)};

    struct reps_opts *popts = ts_calloc(sw->npoints, sizeof *popts);
    char **pdirs = ts_calloc(sw->npoints, sizeof *pdirs);
    for (uint32_t p = 0; p < sw->npoints; p++) {
        if (o->out_dir) pdirs[p] = path_of("%s/point-%0*u", o->out_dir, l.pw, p + 1);
        popts[p] = (struct reps_opts){.out_dir = pdirs[p],
                                      .scenario = sw->points[p].scenario,
                                      .reps = o->reps,
                                      .jobs = 1,
                                      .interrupt = o->interrupt};
    }
    struct pool p = {.sw = sw, .o = o, .popts = popts, .l = &l};
    p.runs = ts_calloc(nruns, sizeof *p.runs);
    p.codes = ts_calloc(nruns, sizeof *p.codes);
    uint8_t *kept = ts_calloc(nruns, 1);
    uint8_t *mine = ts_calloc(nruns, 1);
    uint32_t *tasks = ts_calloc(nruns, sizeof *tasks);

    /* rank 0 prepares the folder and finds the runs kept; then every rank knows them */
    int prc = 0;
    if (team->rank == 0 && o->out_dir) {
        bool resume;
        prc = prepare(sw, o, &l, popts, &resume, res);
        for (uint32_t run = 0; prc == 0 && resume && run < nruns; run++) {
            uint32_t pt = run / o->reps, k = run % o->reps + 1;
            char *dir = reps_dir(&popts[pt], k);
            uint64_t seed = reps_seed(sw->points[pt].wc.seed, k);
            if (summary_complete(dir) && record_read(&l, pt + 1, k, seed, &p.runs[run])) {
                kept[run] = mine[run] = 1;
                p.codes[run] = CODE_COMPLETE;
            }
            free(dir);
        }
    }
    int brc = team->bcast(team, &prc, sizeof prc);
    if (brc == 0 && prc == 0) brc = team->bcast(team, kept, nruns);
    if (brc != 0)
        fail(res, brc, "the ranks could not share the sweep's start");
    else if (prc != 0)
        fail(res, prc, "rank 0 could not prepare \"%s\"", o->out_dir);

    if (!res->rc) {
        /* the runs left, shared round-robin among the ranks in run order */
        uint32_t left = 0;
        for (uint32_t run = 0; run < nruns; run++) {
            if (kept[run]) continue;
            if (left++ % (uint32_t)team->size == (uint32_t)team->rank) {
                tasks[p.ntasks++] = run;
                mine[run] = 1;
            }
        }
        res->runs_kept = nruns - left;
        p.tasks = tasks;
        p.before = res->runs_kept;
        atomic_init(&p.next, 0u);
        atomic_init(&p.done, 0u);
        run_pool(&p);
        if (team->max(team, p.codes, nruns) != 0)
            fail(res, TS_EIO, "the ranks could not gather the sweep's results");
    }
    if (!res->rc) {
        for (uint32_t run = 0; run < nruns; run++)
            res->runs_done +=
                !kept[run] && (p.codes[run] == CODE_COMPLETE || p.codes[run] == CODE_NO_RECORD);
    }
    if (!res->rc && team->rank == 0) {
        collect(sw, o, &l, &p, mine);
        verdict(sw, o, &p, res);
        summarise(sw, o, &p, res);
        for (uint32_t pt = 0; pt < sw->npoints; pt++) {
            char err[sizeof res->error];
            if (reps_end(&popts[pt], &p.runs[pt * o->reps], err, sizeof err) != 0)
                fail(res, TS_EIO, "%s", err);
        }
        if (o->out_dir) {
            char *csv = path_of("%s/sweep.csv", o->out_dir);
            if (sweep_write_csv(csv, sw, res) != 0)
                fail(res, TS_EIO, "cannot write \"%s\": %s", csv, strerror(errno));
            free(csv);
        }
    }

    for (uint32_t run = 0; run < nruns; run++)
        run_result_release(&p.runs[run]);
    free(p.runs);
    free(p.codes);
    free(kept);
    free(mine);
    free(tasks);
    for (uint32_t pt = 0; pt < sw->npoints; pt++)
        free(pdirs[pt]);
    free(pdirs);
    free(popts);
    return res->rc;
}

void sweep_result_release(struct sweep_result *res)
{
    for (uint32_t p = 0; res->points && p < res->npoints; p++) {
        for (uint32_t i = 0; i < res->points[p].nkpis; i++)
            free((char *)res->points[p].kpis[i].name);
        free(res->points[p].kpis);
    }
    free(res->points);
    memset(res, 0, sizeof *res);
}

const struct sweep_kpi *sweep_kpi(const struct sweep_point *p, const char *name)
{
    for (uint32_t i = 0; i < p->nkpis; i++)
        if (strcmp(p->kpis[i].name, name) == 0) return &p->kpis[i];
    return NULL;
}

int sweep_write_csv(const char *path, const struct sweep *sw, const struct sweep_result *res)
{
    /* the columns: every point's KPIs, in order of first appearance (points of one scenario
     * share them; a varied architecture may add some) */
    uint32_t n = 0, cap = 64;
    const struct sweep_kpi **cols = ts_calloc(cap, sizeof *cols);
    for (uint32_t p = 0; p < res->npoints; p++)
        for (uint32_t i = 0; i < res->points[p].nkpis; i++) {
            const struct sweep_kpi *k = &res->points[p].kpis[i];
            bool seen = false;
            for (uint32_t c = 0; c < n && !seen; c++)
                seen = strcmp(cols[c]->name, k->name) == 0;
            if (seen) continue;
            if (n == cap) cols = ts_realloc(cols, (cap *= 2) * sizeof *cols);
            cols[n++] = k;
        }
    struct csvw w;
    if (csvw_open(&w, path) != 0) {
        csvw_abort(&w);
        free(cols);
        return TS_EIO;
    }
    static const char *const suffix[] = {"_mean", "_sd", "_ci95_half"};
    csvw_str(&w, "point");
    for (uint32_t i = 0; i < sw->nvary; i++)
        csvw_str(&w, sw->vary[i].path);
    csvw_str(&w, "reps");
    for (uint32_t c = 0; c < n; c++)
        for (size_t s = 0; s < 3; s++) {
            char *name = path_of("%s%s", cols[c]->name, suffix[s]);
            csvw_str(&w, name);
            free(name);
        }
    csvw_end_row(&w);
    for (uint32_t p = 0; p < res->npoints; p++) {
        const struct sweep_point *sp = &res->points[p];
        csvw_int(&w, (int64_t)p + 1);
        for (uint32_t i = 0; i < sw->nvary; i++)
            csvw_str(&w, sweep_value(sw, p + 1, i));
        csvw_int(&w, sp->reps_done);
        for (uint32_t c = 0; c < n; c++) {
            const struct sweep_kpi *k = sweep_kpi(sp, cols[c]->name);
            int d = cols[c]->decimals + 2; /* as summary-ci.csv: a mean carries a little more */
            csvw_num(&w, k ? k->mean : TS_NAN, d);
            csvw_num(&w, k ? k->sd : TS_NAN, d);
            csvw_num(&w, k ? k->half : TS_NAN, d);
        }
        csvw_end_row(&w);
    }
    free(cols);
    return csvw_commit(&w);
}
