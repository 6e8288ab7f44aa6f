/* world.c — reading a scenario's top level and its components into configuration, checking
 * the references between them, and building the components of a run. */
#include "world.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

static const char *const type_names[] = {
#define XX(k, name) name,
    COMP_TYPES(XX)
#undef XX
        NULL};

const char *comp_type_name(enum comp_type t)
{
    return type_names[t];
}

/* Component names become column prefixes and stream names: keep them plain. */
static bool good_name(const char *n)
{
    if (!isalpha((unsigned char)n[0]))
        return false;
    for (const char *p = n; *p; p++)
        if (!isalnum((unsigned char)*p) && *p != '_' && *p != '-')
            return false;
    return strlen(n) <= 40;
}

static const char *article(const char *word)
{
    return strchr("aeiou", word[0]) ? "an" : "a";
}

static struct comp_config *find_comp(struct world_config *wc, const char *name)
{
    for (uint32_t i = 0; i < wc->ncomps; i++)
        if (strcmp(wc->comps[i].name, name) == 0)
            return &wc->comps[i];
    return NULL;
}

/* Check that `name` (at node `at`) names a component of type `want`. */
static void check_ref(struct scn *s, struct world_config *wc, const char *name, const cJSON *at,
                      enum comp_type want, const char *role)
{
    if (!name)
        return;
    struct comp_config *c = find_comp(wc, name);
    if (!c) {
        const char **names = ts_malloc((wc->ncomps ? wc->ncomps : 1u) * sizeof *names);
        for (uint32_t i = 0; i < wc->ncomps; i++)
            names[i] = wc->comps[i].name;
        const char *near = scn_nearest(name, names, wc->ncomps);
        free(names);
        if (near)
            scn_error(s, at, false, "no component named \"%s\" (did you mean \"%s\"?)", name, near);
        else
            scn_error(s, at, false, "no component named \"%s\" in .components", name);
        return;
    }
    if (c->typed && c->type != want) /* an unknown type is reported where it is given */
        scn_error(s, at, false, "\"%s\" is %s %s, but %s must be %s %s", name,
                  article(type_names[c->type]), type_names[c->type], role,
                  article(type_names[want]), type_names[want]);
}

static void read_azs(struct scn_obj *o, struct world_config *wc)
{
    cJSON *v = scn_member(o, "azs");
    if (!v) {
        v = cJSON_CreateStringArray((const char *const[]){"us-east-1a"}, 1);
        scn_add_default(o, "azs", v);
    }
    char what[64];
    int n = cJSON_GetArraySize(v);
    if (!cJSON_IsArray(v) || n == 0) {
        scn_error(o->s, v, false, "expected a non-empty array of AZ names, got %s",
                  cJSON_IsArray(v) ? "an empty array" : scn_describe(v, what, sizeof what));
        return;
    }
    wc->azs = arena_alloc(&wc->arena, (size_t)n * sizeof *wc->azs);
    const cJSON *e;
    cJSON_ArrayForEach(e, v)
    {
        const char *name;
        if (!scn_as_str(o->s, e, &name))
            continue;
        for (uint32_t i = 0; i < wc->nazs; i++)
            if (strcmp(wc->azs[i], name) == 0)
                scn_error(o->s, e, false, "AZ \"%s\" is listed twice", name);
        wc->azs[wc->nazs++] = arena_strdup(&wc->arena, name);
    }
}

static void read_component(struct scn *s, cJSON *j, struct comp_config *c, struct arena *a)
{
    c->name = arena_strdup(a, j->string);
    if (!good_name(c->name))
        scn_error(s, j, true,
                  "bad component name: use a letter, then letters, digits, '_' or '-' (at most "
                  "40 characters)");
    struct scn_obj o;
    if (!scn_open(s, j, &o))
        return;
    unsigned before = scn_error_count(s);
    int t = scn_enum_req(&o, "type", type_names);
    if (t < 0) {
        /* without a type the other keys cannot be judged: report only the type */
        for (cJSON *k = j->child; k; k = k->next)
            scn_member(&o, k->string);
        scn_close(&o);
        return;
    }
    c->type = (enum comp_type)t;
    c->typed = true;
    switch (c->type) {
    case COMP_ALB:
        alb_config_from_json(&o, &c->u.alb, a);
        break;
    case COMP_FLEET:
        fleet_config_from_json(&o, &c->u.fleet, a);
        break;
    }
    scn_close(&o); /* unknown and missing keys are reported here */
    c->valid = scn_error_count(s) == before;
}

int world_config_read(struct scn *s, struct world_config *wc)
{
    memset(wc, 0, sizeof *wc);
    cJSON *root = scn_root(s);
    if (!root)
        return TS_ESCENARIO;
    struct scn_obj top;
    if (!scn_open(s, root, &top))
        return TS_ESCENARIO;

    /* the default name is the file's, without folder and extension */
    char base[64];
    const char *file = strrchr(scn_name(s), '/');
    snprintf(base, sizeof base, "%s", file ? file + 1 : scn_name(s));
    char *dot = strrchr(base, '.');
    if (dot)
        *dot = '\0';
    wc->name = arena_strdup(&wc->arena, scn_str(&top, "name", good_name(base) ? base : "scenario"));
    if (wc->name && !good_name(wc->name))
        scn_error(s, scn_member(&top, "name"), false,
                  "bad name: use a letter, then letters, digits, '_' or '-' (it names the "
                  "output folder)");
    wc->seed = (uint64_t)scn_int(&top, "seed", 1, 0, INT64_C(9007199254740991));
    bool have_duration = scn_dur_req(&top, "duration", SCN_POS, &wc->duration);
    bool interval_given = scn_member(&top, "interval") != NULL;
    wc->warmup = scn_dur(&top, "warmup", 0, SCN_NONNEG);
    /* at least 1 ms: t_s is written with millisecond precision */
    wc->interval = scn_dur(&top, "interval", 60, SCN_GE(0.001));
    if (have_duration && wc->warmup >= wc->duration)
        scn_error(s, scn_member(&top, "warmup"), false,
                  "must be shorter than the duration (%.10g s), got %.10g s",
                  sim_s(wc->duration), sim_s(wc->warmup));
    if (have_duration && wc->interval > wc->duration) {
        if (interval_given)
            scn_error(s, scn_member(&top, "interval"), false,
                      "must not be longer than the duration (%.10g s), got %.10g s",
                      sim_s(wc->duration), sim_s(wc->interval));
        else
            scn_error(s, scn_member(&top, "duration"), false,
                      "%.10g s is shorter than the default interval (60 s): set \"interval\" "
                      "to at most the duration",
                      sim_s(wc->duration));
    }
    read_azs(&top, wc);

    /* components first, so references from the workload can be checked against them */
    cJSON *comps = scn_member_req(&top, "components");
    if (comps && !cJSON_IsObject(comps)) {
        char what[64];
        scn_error(s, comps, false, "expected an object of name -> component, got %s",
                  scn_describe(comps, what, sizeof what));
    } else if (comps) {
        int n = cJSON_GetArraySize(comps);
        wc->comps = arena_alloc(&wc->arena, (size_t)(n ? n : 1) * sizeof *wc->comps);
        cJSON *j;
        cJSON_ArrayForEach(j, comps)
        {
            read_component(s, j, &wc->comps[wc->ncomps++], &wc->arena);
        }
        if (n == 0)
            scn_error(s, comps, false, "no components: a scenario needs at least an alb and a "
                                       "fleet");
    }

    struct scn_obj wl;
    if (scn_open_member(&top, "workload", true, &wl)) {
        workload_config_from_json(&wl, &wc->workload, &wc->arena);
        scn_close(&wl);
    }
    scn_close(&top);

    /* References between components. Without a usable set of components every reference
     * would dangle: the missing or empty .components is the one mistake to report. */
    if (wc->ncomps == 0)
        return TS_ESCENARIO;
    check_ref(s, wc, wc->workload.entry, wc->workload.entry_at, COMP_ALB,
              "the workload's entry");
    for (uint32_t i = 0; i < wc->ncomps; i++) {
        struct comp_config *c = &wc->comps[i];
        if (!c->typed)
            continue;
        switch (c->type) {
        case COMP_ALB: {
            check_ref(s, wc, c->u.alb.targets, c->u.alb.targets_at, COMP_FLEET,
                      "an alb's targets");
            /* its enabled AZs must be the scenario's */
            const cJSON *e = c->u.alb.azs_at ? c->u.alb.azs_at->child : NULL;
            for (uint32_t k = 0; k < c->u.alb.nazs && e; k++, e = e->next) {
                bool known = false;
                for (uint32_t a = 0; a < wc->nazs && !known; a++)
                    known = strcmp(wc->azs[a], c->u.alb.azs[k]) == 0;
                if (!known) {
                    const char *near = scn_nearest(c->u.alb.azs[k], wc->azs, wc->nazs);
                    if (near)
                        scn_error(s, e, false,
                                  "\"%s\" is not one of the scenario's azs (did you mean "
                                  "\"%s\"?)",
                                  c->u.alb.azs[k], near);
                    else
                        scn_error(s, e, false, "\"%s\" is not one of the scenario's azs",
                                  c->u.alb.azs[k]);
                }
            }
            break;
        }
        case COMP_FLEET: {
            /* one request class for now, "default": a handler must serve it, and a handler
             * for any other class would never run */
            cJSON *h = cJSON_GetObjectItemCaseSensitive(
                cJSON_GetObjectItemCaseSensitive(comps, c->name), "handlers");
            if (!cJSON_IsObject(h))
                break; /* missing or of the wrong type: reported already */
            if (!fleet_program(&c->u.fleet, "default"))
                scn_error(s, h, false,
                          "missing the handler \"default\" (the steps run for each request)");
            for (cJSON *k = h->child; k; k = k->next)
                if (strcmp(k->string, "default") != 0)
                    scn_error(s, k, true,
                              "no request class \"%s\" (the workload sends one class, "
                              "\"default\")",
                              k->string);
            break;
        }
        }
    }
    return scn_error_count(s) ? TS_ESCENARIO : 0;
}

void world_config_release(struct world_config *wc)
{
    for (uint32_t i = 0; i < wc->ncomps; i++) {
        struct comp_config *c = &wc->comps[i];
        switch (c->type) {
        case COMP_ALB:
            alb_config_release(&c->u.alb);
            break;
        case COMP_FLEET:
            fleet_config_release(&c->u.fleet);
            break;
        }
    }
    arena_release(&wc->arena);
    memset(wc, 0, sizeof *wc);
}

/* --- building --------------------------------------------------------------------------- */

struct built {
    enum comp_type type;
    union {
        struct alb *alb;
        struct fleet *fleet;
    } u;
    struct component *comp;
};

struct world {
    const struct world_config *wc;
    struct req_pool pool; /* every request of the run */
    struct built *comps;
    uint32_t ncomps;
    struct workload *workload;
};

static struct component *lookup(struct world *w, const char *name)
{
    for (uint32_t i = 0; i < w->ncomps; i++)
        if (strcmp(w->comps[i].comp->name, name) == 0)
            return w->comps[i].comp;
    return NULL;
}

struct world *world_new(struct sim *sim, const struct world_config *wc)
{
    struct world *w = ts_calloc(1, sizeof *w);
    w->wc = wc;
    w->comps = ts_calloc(wc->ncomps ? wc->ncomps : 1u, sizeof *w->comps);
    sim->warmup = wc->warmup;
    sim->end = wc->duration;
    for (uint32_t i = 0; i < wc->ncomps; i++) {
        const struct comp_config *c = &wc->comps[i];
        struct built *b = &w->comps[w->ncomps++];
        b->type = c->type;
        switch (c->type) {
        case COMP_ALB:
            b->u.alb = alb_new(sim, c->name, &c->u.alb, wc->azs, wc->nazs, &w->pool);
            b->comp = alb_component(b->u.alb);
            break;
        case COMP_FLEET:
            b->u.fleet = fleet_new(sim, c->name, &c->u.fleet, wc->azs, wc->nazs, &w->pool);
            b->comp = fleet_component(b->u.fleet);
            break;
        }
    }
    /* the client's columns come first, then each component's in scenario order */
    w->workload = workload_new(sim, &wc->workload, lookup(w, wc->workload.entry), &w->pool);
    workload_start(sim, w->workload);
    for (uint32_t i = 0; i < w->ncomps; i++) {
        struct built *b = &w->comps[i];
        switch (b->type) {
        case COMP_ALB: {
            int rc = alb_start(sim, b->u.alb, lookup(w, wc->comps[i].u.alb.targets));
            TS_ASSERT(rc == 0); /* checked by world_config_read */
            break;
        }
        case COMP_FLEET:
            fleet_start(sim, b->u.fleet);
            break;
        }
    }
    return w;
}

void world_free(struct world *w)
{
    if (!w)
        return;
    for (uint32_t i = 0; i < w->ncomps; i++) {
        switch (w->comps[i].type) {
        case COMP_ALB:
            alb_free(w->comps[i].u.alb);
            break;
        case COMP_FLEET:
            fleet_free(w->comps[i].u.fleet);
            break;
        }
    }
    workload_free(w->workload);
    req_pool_release(&w->pool);
    free(w->comps);
    free(w);
}

uint64_t world_in_flight(const struct world *w)
{
    return workload_in_flight(w->workload);
}

uint64_t world_peak_in_flight(const struct world *w)
{
    return workload_peak_in_flight(w->workload);
}
