/* world.c — reading a scenario's top level and its components into configuration, checking
 * the references between them, and building the components of a run. */
#include "world.h"

#include "tiersim/cron.h"

#include <ctype.h>
#include <math.h>
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
    return scn_good_name(n);
}

/* "a" or "an" before a type name: "an" before a vowel, and before "rds", which is spelt out
 * ("an R-D-S"); "alb" starts with a vowel anyway. */
static const char *article(const char *word)
{
    return (word[0] && strchr("aeiou", word[0])) || strcmp(word, "rds") == 0 ? "an" : "a";
}

/* The component called `name`, or NULL (also for no name: a reference of the wrong type,
 * reported where it is read). */
static struct comp_config *find_comp(struct world_config *wc, const char *name)
{
    for (uint32_t i = 0; name && i < wc->ncomps; i++)
        if (strcmp(wc->comps[i].name, name) == 0)
            return &wc->comps[i];
    return NULL;
}

/* "an alb", "an alb or an apigw", "an alb, an apigw or a lambda": the types of `want`. */
static const char *types_text(char *buf, size_t size, const enum comp_type *want, unsigned n)
{
    size_t len = 0;
    buf[0] = '\0';
    for (unsigned k = 0; k < n && len < size; k++)
        len += (size_t)snprintf(buf + len, size - len, "%s%s %s",
                                k == 0 ? "" : k + 1 == n ? " or " : ", ",
                                article(type_names[want[k]]), type_names[want[k]]);
    return buf;
}

/* Check that `name` (at node `at`) names a component of one of the n types in `want`. */
static void check_ref_any(struct scn *s, struct world_config *wc, const char *name,
                          const cJSON *at, const enum comp_type *want, unsigned nwant,
                          const char *role)
{
    if (!name)
        return;
    struct comp_config *c = find_comp(wc, name);
    char types[128];
    types_text(types, sizeof types, want, nwant);
    if (!name[0]) { /* no name at all: say what kind of name, and which there are */
        const char **names = ts_malloc((wc->ncomps ? wc->ncomps : 1u) * sizeof *names);
        unsigned n = 0;
        for (uint32_t i = 0; i < wc->ncomps; i++)
            for (unsigned k = 0; k < nwant; k++)
                if (wc->comps[i].typed && wc->comps[i].type == want[k])
                    names[n++] = wc->comps[i].name;
        char list[256];
        scn_join(list, sizeof list, names, n);
        free(names);
        scn_error(s, at, false, "expected the name of a component, got \"\" (here %s%s%s)",
                  types, n ? ": " : ", and there is none", n ? list : "");
        return;
    }
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
    if (!c->typed) /* an unknown type is reported where it is given */
        return;
    for (unsigned k = 0; k < nwant; k++)
        if (c->type == want[k])
            return;
    scn_error(s, at, false, "\"%s\" is %s %s, but %s must be %s", name,
              article(type_names[c->type]), type_names[c->type], role, types);
}

/* Check that `name` (at node `at`) names a component of type `want`. */
static void check_ref(struct scn *s, struct world_config *wc, const char *name, const cJSON *at,
                      enum comp_type want, const char *role)
{
    check_ref_any(s, wc, name, at, &want, 1, role);
}

/* What the workload's entry may be: the front door of the architecture (a Lambda function:
 * its function URL). */
static const enum comp_type entry_types[] = {COMP_ALB, COMP_APIGW, COMP_LAMBDA};

/* What an apigw's integration may be, and how the gateway reads its answers (apigw.h). */
static const struct {
    enum comp_type type;
    enum apigw_integration kind;
} apigw_integrations[] = {
    {COMP_ALB, APIGW_HTTP_PROXY},
    {COMP_LAMBDA, APIGW_LAMBDA_PROXY},
};
#define N_APIGW_INTEGRATIONS (sizeof apigw_integrations / sizeof apigw_integrations[0])

static void check_apigw_integration(struct scn *s, struct world_config *wc,
                                    const struct apigw_config *g)
{
    enum comp_type want[N_APIGW_INTEGRATIONS];
    for (size_t k = 0; k < N_APIGW_INTEGRATIONS; k++)
        want[k] = apigw_integrations[k].type;
    check_ref_any(s, wc, g->integration, g->integration_at, want, N_APIGW_INTEGRATIONS,
                  "an apigw's integration");
}

/* How an apigw reads the answers of an integration of type t (checked to be one). */
static enum apigw_integration integration_kind(enum comp_type t)
{
    for (size_t k = 0; k < N_APIGW_INTEGRATIONS; k++)
        if (apigw_integrations[k].type == t)
            return apigw_integrations[k].kind;
    TS_ASSERT(0 && "an apigw's integration of a type not in apigw_integrations");
    return APIGW_HTTP_PROXY;
}

/* What a call step or the workload may call: an ALB, or a Lambda function (a function URL,
 * or an invocation through the AWS SDK). */
static const enum comp_type callable[] = {COMP_ALB, COMP_LAMBDA};

/* Is `name` shaped like an AWS AZ name: a region ("us-east-1", "us-gov-west-1") and a zone
 * letter a-f (no region has more than six AZs)? Such a name missing from the scenario's azs
 * is a real AZ the scenario leaves out, not a typo of one of them. */
static bool aws_az_name(const char *name)
{
    const char *p = name;
    if (!islower((unsigned char)p[0]) || !islower((unsigned char)p[1]) || p[2] != '-')
        return false;
    p += 3;
    unsigned words = 0;
    while (islower((unsigned char)*p)) { /* "east-", "gov-west-" */
        while (islower((unsigned char)*p))
            p++;
        if (*p++ != '-')
            return false;
        words++;
    }
    if (words == 0 || !isdigit((unsigned char)*p))
        return false;
    while (isdigit((unsigned char)*p))
        p++;
    return p[0] >= 'a' && p[0] <= 'f' && p[1] == '\0';
}

/* Report AZ `name` (at `at`), which is not one of the scenario's. */
static void unknown_az(struct scn *s, const struct world_config *wc, const char *name,
                       const cJSON *at)
{
    char list[256];
    scn_join(list, sizeof list, wc->azs, wc->nazs);
    const char *near = aws_az_name(name) ? NULL : scn_nearest(name, wc->azs, wc->nazs);
    if (near)
        scn_error(s, at, false, "\"%s\" is not one of the scenario's azs (did you mean \"%s\"?)",
                  name, near);
    else
        scn_error(s, at, false, "\"%s\" is not one of the scenario's azs (%s)", name, list);
}

/* One AZ name (at `at`) must be one of the scenario's. */
static void check_az(struct scn *s, const struct world_config *wc, const char *name,
                     const cJSON *at)
{
    if (!name)
        return;
    for (uint32_t a = 0; a < wc->nazs; a++)
        if (strcmp(wc->azs[a], name) == 0)
            return;
    unknown_az(s, wc, name, at);
}

/* Names of AZs (from `first`, a JSON array, n of them) must be the scenario's, once each. */
static void check_azs(struct scn *s, const struct world_config *wc, const char *const *names,
                      uint32_t n, const cJSON *first)
{
    const cJSON *e = first;
    for (uint32_t k = 0; k < n && e; k++, e = e->next) {
        for (uint32_t j = 0; j < k; j++)
            if (strcmp(names[j], names[k]) == 0)
                scn_error(s, e, false, "AZ \"%s\" is listed twice", names[k]);
        bool known = false;
        for (uint32_t a = 0; a < wc->nazs && !known; a++)
            known = strcmp(wc->azs[a], names[k]) == 0;
        if (!known)
            unknown_az(s, wc, names[k], e);
    }
}

static bool alb_targets(const struct comp_config *alb, const char *group)
{
    for (uint32_t i = 0; i < alb->u.alb.ntargets; i++)
        if (strcmp(alb->u.alb.targets[i], group) == 0)
            return true;
    return false;
}

/* A policy's metric: its component must exist and publish that metric; a metric counted
 * per target must be of an ALB in front of this group. */
static void check_metric(struct scn *s, struct world_config *wc, const struct comp_config *group,
                         const struct metric_ref *m, bool per_target)
{
    const struct comp_config *src = group;
    if (m->component) {
        src = find_comp(wc, m->component);
        if (!src) {
            check_ref(s, wc, m->component, m->component_at, COMP_ALB, "a metric's component");
            return;
        }
        if (!src->typed)
            return;
    }
    if (!m->metric_name)
        return;
    const char *const *names = NULL;
    int known = -1;
    switch (src->type) {
    case COMP_ALB:
        names = alb_metric_names;
        known = alb_metric_index(m->metric_name);
        break;
    case COMP_FLEET:
        names = fleet_metric_names;
        known = fleet_metric_index(m->metric_name);
        break;
    case COMP_CACHE:
    case COMP_RDS:
    case COMP_APIGW:
    case COMP_DYNAMODB:
    case COMP_LAMBDA:
        if (m->metric_at)
            scn_error(s, m->metric_at, false,
                      "%s %s publishes no metric a scaling policy can use (alarms watch an alb's "
                      "or a fleet's metrics)",
                      article(type_names[src->type]), type_names[src->type]);
        return;
    }
    if (known < 0 && m->metric_at) {
        unsigned n = 0;
        while (names[n])
            n++;
        const char *near = scn_nearest(m->metric_name, names, n);
        char list[256];
        scn_join(list, sizeof list, names, n);
        if (near)
            scn_error(s, m->metric_at, false,
                      "%s %s publishes no metric \"%s\" (did you mean \"%s\"?)",
                      article(type_names[src->type]), type_names[src->type], m->metric_name, near);
        else
            scn_error(s, m->metric_at, false, "%s %s publishes no metric \"%s\" (it has: %s)",
                      article(type_names[src->type]), type_names[src->type], m->metric_name, list);
    }
    if (!per_target || !m->component)
        return; /* a missing resource_label is reported where the metric is given */
    if (src->type == COMP_ALB && src->valid && !alb_targets(src, group->name)) {
        char list[256];
        scn_join(list, sizeof list, src->u.alb.targets, src->u.alb.ntargets);
        scn_error(s, m->component_at, false,
                  "\"%s\" does not send its requests to this group (its targets: %s)",
                  src->name, list);
    } else if (src->type != COMP_ALB)
        scn_error(s, m->component_at, false, "\"%s\" is %s %s, but the resource_label must "
                                             "be an alb", src->name, article(type_names[src->type]),
                  type_names[src->type]);
}

/* Do the datapoints of metric m count group's capacity, so that target tracking may take its
 * N from them? The group's own metrics do (their sample count is its instances measured), and
 * so does RequestCountPerTarget of an ALB whose target group holds this group's instances and
 * no others (it is divided by the targets). Another group's metric does not, nor a target
 * group shared with another group: those instances are not this group's. */
static bool counts_group(struct world_config *wc, const struct comp_config *group,
                         const struct metric_ref *m)
{
    if (!m->component || strcmp(m->component, group->name) == 0)
        return true;
    const struct comp_config *src = find_comp(wc, m->component);
    return src && src->typed && src->type == COMP_ALB && src->valid && m->metric_name &&
           strcmp(m->metric_name, "RequestCountPerTarget") == 0 && src->u.alb.ntargets == 1 &&
           alb_targets(src, group->name);
}

/* Is `key` a handler name: a class of the workload's, or "default"? */
static bool handler_known(const struct workload_config *w, const char *key)
{
    bool known = strcmp(key, "default") == 0;
    for (uint32_t i = 0; i < w->nclasses && !known; i++)
        known = strcmp(key, w->classes[i]) == 0;
    return known;
}

/* The handler name an unknown handler `key` is a near miss of (a class, or "default"), or
 * NULL. */
static const char *handler_suggestion(const struct workload_config *w, const char *key)
{
    if (handler_known(w, key))
        return NULL;
    const char **names = ts_malloc((w->nclasses + 1u) * sizeof *names);
    for (uint32_t i = 0; i < w->nclasses; i++)
        names[i] = w->classes[i];
    names[w->nclasses] = "default";
    const char *near = scn_nearest(key, names, w->nclasses + 1u);
    free(names);
    return near;
}

/* Is one of the handlers in h a near miss of `name`? Its "did you mean" then reports the
 * missing handler too: one mistake, one message. */
static bool misspelt(const struct workload_config *w, const cJSON *h, const char *name)
{
    for (const cJSON *k = h->child; k; k = k->next) {
        const char *near = handler_suggestion(w, k->string);
        if (near && strcmp(near, name) == 0)
            return true;
    }
    return false;
}

/* A fleet's (or a function's) handlers: one for each of the workload's classes, or a
 * "default" one, and none for a class the workload does not send. */
static void check_handler_classes(struct scn *s, const struct workload_config *w,
                                  const struct program *handlers, uint32_t nhandlers,
                                  const cJSON *h)
{
    /* a misspelt "default" would serve every class */
    bool dflt = handlers_find(handlers, nhandlers, "default") != NULL || misspelt(w, h, "default");
    char list[256];
    scn_join(list, sizeof list, w->classes, w->nclasses);
    if (!dflt && !w->classes_at)
        scn_error(s, h, false, "missing the handler \"default\" (the steps run for each request)");
    for (uint32_t i = 0; i < w->nclasses && !dflt && w->classes_at; i++)
        if (!handlers_find(handlers, nhandlers, w->classes[i]) && !misspelt(w, h, w->classes[i]))
            scn_error(s, h, false,
                      "missing a handler for the request class \"%s\" (or a \"default\" one)",
                      w->classes[i]);
    for (const cJSON *k = h->child; k; k = k->next) {
        if (handler_known(w, k->string))
            continue;
        const char *near = handler_suggestion(w, k->string);
        if (near)
            scn_error(s, k, true, "no request class \"%s\" (did you mean \"%s\"?)", k->string,
                      near);
        else
            scn_error(s, k, true, "no request class \"%s\" (the workload's classes: %s)",
                      k->string, list);
    }
}

/* A fleet's handlers against the workload's classes (unless the classes are unusable: that
 * mistake is reported where they are given, not echoed here), and every step's component of
 * the right type. */
static void check_handlers(struct scn *s, struct world_config *wc,
                           const struct program *handlers, uint32_t nhandlers, const cJSON *h)
{
    if (!wc->workload.classes_bad)
        check_handler_classes(s, &wc->workload, handlers, nhandlers, h);
    for (uint32_t k = 0; k < nhandlers; k++)
        for (uint32_t i = 0; i < handlers[k].n; i++) {
            const struct pop *op = &handlers[k].ops[i];
            if (!op->target_at)
                continue; /* a cache step's set: checked at its get */
            switch (op->target_type) {
            case TARGET_ALB: {
                check_ref_any(s, wc, op->target, op->target_at, callable, 2,
                              "a call step's target");
                /* an asynchronous invocation is Lambda's (LAM-8) */
                const struct comp_config *t = find_comp(wc, op->target);
                if (op->call_op == OP_EVENT && t && t->typed && t->type == COMP_ALB)
                    scn_error(s, op->invocation_at, false,
                              "\"event\" is an asynchronous invocation of a Lambda function "
                              "(LAM-8), but \"%s\" is an alb: leave \"invocation\" out",
                              op->target);
                break;
            }
            case TARGET_CACHE:
                check_ref(s, wc, op->target, op->target_at, COMP_CACHE, "a cache step's target");
                break;
            case TARGET_RDS:
                check_ref(s, wc, op->target, op->target_at, COMP_RDS, "a db step's target");
                break;
            case TARGET_DYNAMODB:
                check_ref(s, wc, op->target, op->target_at, COMP_DYNAMODB,
                          "a dynamodb step's target");
                break;
            case TARGET_NONE:
                break;
            }
        }
}

/* --- the front door -----------------------------------------------------------------------
 * The workload's entry is an alb or a Lambda function, or an apigw whose integration is one.
 * The call-loop and call-depth checks start from the hosts behind it (an alb's fleets, or the
 * function); the frames in front of them are the client's, the apigw's (one, for the
 * gateway) and the alb's (none for a function: its frame is its environment's). */
struct front_door {
    int32_t apigw;  /* component index of the entry apigw, or -1 */
    int32_t target; /* what the requests reach after the gateway, an alb or a Lambda function
                       (the entry, or the apigw's integration), or -1 */
    int32_t frames; /* frames in front of the target: the client's, and the gateway's: 1, or
                       2 via an apigw */
};

static int32_t comp_index(const struct world_config *wc, const char *name, enum comp_type t);
static int32_t callee_index(const struct world_config *wc, const char *name);

static struct front_door front_door(const struct world_config *wc)
{
    struct front_door d = {.apigw = comp_index(wc, wc->workload.entry, COMP_APIGW),
                           .target = callee_index(wc, wc->workload.entry),
                           .frames = 1};
    if (d.apigw >= 0) {
        d.target = callee_index(wc, wc->comps[d.apigw].u.apigw.integration);
        d.frames = 2;
    }
    return d;
}

/* --- call loops ---------------------------------------------------------------------------
 * A request holds a worker slot on every instance it passes through until it replies (and
 * an execution environment of every Lambda function), and a host keeps it in its list of
 * held requests once. A program host (a fleet, or a Lambda function) whose handler calls,
 * through albs, other fleets and functions, back into itself would send a request into a
 * host that already holds it, and every pass would take another worker (another
 * environment), so the graph of calls must have no cycle. Its nodes are the hosts; each call
 * step of host H to alb A gives an edge H -> G for every fleet G that A targets, and a call
 * step to function L the edge H -> L. Caches and databases call nothing, so they close no
 * loop. A depth-first search from the hosts behind the workload's entry (then from every
 * other host, for loops no request reaches yet) finds each loop at the call step that closes
 * it, in the order requests flow. Only references that resolve are followed: a dangling one
 * is reported where it is given. */

/* One call step of a host to an alb or a function (component indices). */
struct call_edge {
    uint32_t via;    /* the step's target: an alb, or the function called */
    const cJSON *at; /* the step's "call" value */
};

struct loop_frame {
    uint32_t host;   /* component index */
    uint32_t via;    /* what it was entered through: an alb, or itself (a function called
                        directly); the root: UINT32_MAX */
    uint32_t step;   /* its next call step to follow */
    uint32_t target; /* that step's target's next host to follow */
};

struct loop_search {
    struct scn *s;
    const struct world_config *wc;
    struct call_edge **steps; /* by host index: its call steps */
    uint32_t *nsteps;
    int32_t **targets;  /* by alb index: the fleets it targets (-1: not a fleet); by function
                           index: itself */
    uint32_t *ntargets; /* by index: the length of targets[] */
    uint8_t *state;     /* by index: 0 unvisited, 1 on the stack, 2 done */
    uint32_t *pos;      /* by index, while on the stack: its place there */
    struct loop_frame *stack;
    uint32_t depth;
};

static int32_t comp_index(const struct world_config *wc, const char *name, enum comp_type t)
{
    for (uint32_t i = 0; name && i < wc->ncomps; i++)
        if (wc->comps[i].typed && wc->comps[i].type == t && strcmp(wc->comps[i].name, name) == 0)
            return (int32_t)i;
    return -1;
}

/* The component a call step (or the workload) names, if it is an alb or a function. */
static int32_t callee_index(const struct world_config *wc, const char *name)
{
    int32_t i = comp_index(wc, name, COMP_ALB);
    return i >= 0 ? i : comp_index(wc, name, COMP_LAMBDA);
}

/* A program host's handlers: a fleet's or a function's. False for other components. */
static bool host_handlers(const struct comp_config *c, const struct program **h, uint32_t *n)
{
    *h = NULL;
    *n = 0;
    if (!c->typed)
        return false;
    switch (c->type) {
    case COMP_FLEET:
        *h = c->u.fleet.handlers;
        *n = c->u.fleet.nhandlers;
        return true;
    case COMP_LAMBDA:
        *h = c->u.lambda.handlers;
        *n = c->u.lambda.nhandlers;
        return true;
    case COMP_ALB:
    case COMP_CACHE:
    case COMP_RDS:
    case COMP_APIGW:
    case COMP_DYNAMODB:
        break;
    }
    return false;
}

/* Append " -> via" (unless the host was called directly) and " -> host" to names. */
static void loop_names(const struct world_config *wc, const char **names, uint32_t *k,
                       uint32_t via, uint32_t host)
{
    if (via != host)
        names[(*k)++] = wc->comps[via].name;
    names[(*k)++] = wc->comps[host].name;
}

/* The step on top of the stack calls into host g, which is on the stack: report the loop
 * from the top host round to itself. */
static void report_loop(struct loop_search *ls, uint32_t g)
{
    const struct world_config *wc = ls->wc;
    const struct loop_frame *top = &ls->stack[ls->depth - 1u];
    const struct call_edge *e = &ls->steps[top->host][top->step];
    /* the names in order: the top host, the step's alb, then g and the stack above it */
    uint32_t nnames = 2u + 2u * (ls->depth - ls->pos[g]) - 1u;
    const char **names = ts_malloc(nnames * sizeof *names);
    uint32_t k = 0;
    bool functions = wc->comps[g].type == COMP_LAMBDA, fleets = !functions;
    names[k++] = wc->comps[top->host].name;
    loop_names(wc, names, &k, e->via, g);
    for (uint32_t i = ls->pos[g] + 1u; i < ls->depth; i++) {
        loop_names(wc, names, &k, ls->stack[i].via, ls->stack[i].host);
        functions |= wc->comps[ls->stack[i].host].type == COMP_LAMBDA;
        fleets |= wc->comps[ls->stack[i].host].type == COMP_FLEET;
    }
    size_t size = 1;
    for (uint32_t i = 0; i < k; i++)
        size += strlen(names[i]) + 4; /* " -> " */
    char *loop = ts_malloc(size);
    size_t n = 0;
    for (uint32_t i = 0; i < k; i++) {
        size_t len = strlen(names[i]);
        if (i) {
            memcpy(loop + n, " -> ", 4);
            n += 4;
        }
        memcpy(loop + n, names[i], len);
        n += len;
    }
    loop[n] = '\0';
    free(names);
    scn_error(ls->s, e->at, false,
              "\"%s\" makes a call loop: %s; a request would call itself until %s ran out",
              wc->comps[e->via].name, loop,
              !functions ? "its workers"
              : fleets   ? "its workers and the functions' concurrency"
                         : "the function's concurrency");
    free(loop);
}

static void search_from(struct loop_search *ls, uint32_t root)
{
    if (ls->state[root] != 0)
        return;
    ls->stack[0] = (struct loop_frame){.host = root, .via = UINT32_MAX};
    ls->depth = 1;
    ls->state[root] = 1;
    ls->pos[root] = 0;
    while (ls->depth > 0) {
        struct loop_frame *f = &ls->stack[ls->depth - 1u];
        if (f->step >= ls->nsteps[f->host]) {
            ls->state[f->host] = 2;
            ls->depth--;
            continue;
        }
        uint32_t via = ls->steps[f->host][f->step].via;
        uint32_t ntargets = ls->ntargets[via];
        if (f->target >= ntargets) {
            f->step++;
            f->target = 0;
            continue;
        }
        if (f->target == 0) {
            /* a step into hosts on the stack closes a loop: report it once, through the
             * host nearest the top (the shortest loop) */
            int32_t near = -1;
            for (uint32_t k = 0; k < ntargets; k++) {
                int32_t g = ls->targets[via][k];
                if (g >= 0 && ls->state[g] == 1 && (near < 0 || ls->pos[g] > ls->pos[near]))
                    near = g;
            }
            if (near >= 0)
                report_loop(ls, (uint32_t)near);
        }
        int32_t g = ls->targets[via][f->target++];
        if (g >= 0 && ls->state[g] == 0) {
            ls->state[g] = 1;
            ls->pos[g] = ls->depth;
            ls->stack[ls->depth++] = (struct loop_frame){.host = (uint32_t)g, .via = via};
        }
    }
}

static void check_call_loops(struct scn *s, const struct world_config *wc)
{
    uint32_t n = wc->ncomps;
    struct loop_search ls = {.s = s, .wc = wc};
    ls.steps = ts_calloc(n, sizeof *ls.steps);
    ls.nsteps = ts_calloc(n, sizeof *ls.nsteps);
    ls.targets = ts_calloc(n, sizeof *ls.targets);
    ls.ntargets = ts_calloc(n, sizeof *ls.ntargets);
    ls.state = ts_calloc(n, sizeof *ls.state);
    ls.pos = ts_calloc(n, sizeof *ls.pos);
    ls.stack = ts_calloc(n, sizeof *ls.stack); /* a host is on it at most once */
    for (uint32_t i = 0; i < n; i++) {
        const struct comp_config *c = &wc->comps[i];
        const struct program *hs;
        uint32_t nh;
        if (!c->typed)
            continue;
        if (c->type == COMP_ALB) {
            ls.ntargets[i] = c->u.alb.ntargets;
            ls.targets[i] =
                ts_calloc(c->u.alb.ntargets ? c->u.alb.ntargets : 1u, sizeof *ls.targets[i]);
            for (uint32_t k = 0; k < c->u.alb.ntargets; k++)
                ls.targets[i][k] = comp_index(wc, c->u.alb.targets[k], COMP_FLEET);
        } else if (c->type == COMP_LAMBDA) {
            ls.ntargets[i] = 1; /* a call to a function enters the function */
            ls.targets[i] = ts_calloc(1, sizeof *ls.targets[i]);
            ls.targets[i][0] = (int32_t)i;
        }
        if (host_handlers(c, &hs, &nh)) {
            uint32_t m = 0;
            for (uint32_t h = 0; h < nh; h++)
                m += hs[h].n;
            ls.steps[i] = ts_calloc(m ? m : 1u, sizeof *ls.steps[i]);
            /* every call step, also those nested in branches and on_miss: compiled flat */
            for (uint32_t h = 0; h < nh; h++)
                for (uint32_t k = 0; k < hs[h].n; k++) {
                    const struct pop *op = &hs[h].ops[k];
                    int32_t via = op->kind == POP_CALL && op->target_at
                                      ? callee_index(wc, op->target)
                                      : -1;
                    if (via >= 0)
                        ls.steps[i][ls.nsteps[i]++] =
                            (struct call_edge){(uint32_t)via, op->target_at};
                }
        }
    }
    int32_t entry = front_door(wc).target; /* an entry apigw calls nothing else */
    if (entry >= 0)
        for (uint32_t k = 0; k < ls.ntargets[entry]; k++)
            if (ls.targets[entry][k] >= 0)
                search_from(&ls, (uint32_t)ls.targets[entry][k]);
    for (uint32_t i = 0; i < n; i++)
        if (ls.steps[i])
            search_from(&ls, i);
    for (uint32_t i = 0; i < n; i++) {
        free(ls.steps[i]);
        free(ls.targets[i]);
    }
    free(ls.steps);
    free(ls.nsteps);
    free(ls.targets);
    free(ls.ntargets);
    free(ls.state);
    free(ls.pos);
    free(ls.stack);
}

/* --- call depth ------------------------------------------------------------------------------
 * A request carries one frame per level of its call chain (component.h, REQ_MAX_DEPTH): the
 * client, an apigw's gateway, then an alb and an instance per tier (a Lambda function: one
 * frame, its execution environment's), then a cache, a database or a table at the bottom. A
 * scenario whose deepest chain needs more would see every request that goes that deep fail,
 * so it is refused. An asynchronous invocation is counted as a synchronous one (its event's
 * own chain starts afresh, one frame shorter: the check is on the safe side). Run once the
 * call graph is known to have no loop. */

struct depth_search {
    const struct world_config *wc;
    int32_t *depth; /* by component index: frames from a host's own level down; -1 unknown */
    int32_t *next;  /* by host: the component below it on its deepest chain (-1: none) */
    int32_t *via;   /* by host: the alb of that chain's call (-1: a function, a cache or a
                       database, called directly) */
};

static int32_t host_depth(struct depth_search *d, uint32_t i)
{
    if (d->depth[i] >= 0)
        return d->depth[i];
    const struct world_config *wc = d->wc;
    const struct program *hs;
    uint32_t nh;
    host_handlers(&wc->comps[i], &hs, &nh);
    int32_t best = 1;
    for (uint32_t h = 0; h < nh; h++)
        for (uint32_t k = 0; k < hs[h].n; k++) {
            const struct pop *op = &hs[h].ops[k];
            if (op->kind == POP_CALL) {
                int32_t alb = comp_index(wc, op->target, COMP_ALB);
                for (uint32_t t = 0; alb >= 0 && t < wc->comps[alb].u.alb.ntargets; t++) {
                    int32_t g = comp_index(wc, wc->comps[alb].u.alb.targets[t], COMP_FLEET);
                    if (g >= 0 && 2 + host_depth(d, (uint32_t)g) > best) {
                        best = 2 + d->depth[g];
                        d->next[i] = g;
                        d->via[i] = alb;
                    }
                }
                int32_t fn = comp_index(wc, op->target, COMP_LAMBDA);
                if (fn >= 0 && 1 + host_depth(d, (uint32_t)fn) > best) {
                    best = 1 + d->depth[fn];
                    d->next[i] = fn;
                    d->via[i] = -1;
                }
            } else if (op->kind == POP_CACHE_GET || op->kind == POP_CACHE_SET ||
                       op->kind == POP_DB || op->kind == POP_DDB) {
                /* a leaf: a cache, a database or a table calls nobody */
                int32_t c = comp_index(wc, op->target,
                                       op->kind == POP_DB    ? COMP_RDS
                                       : op->kind == POP_DDB ? COMP_DYNAMODB
                                                             : COMP_CACHE);
                if (c >= 0 && best < 2) {
                    best = 2;
                    d->next[i] = c;
                    d->via[i] = -1;
                }
            }
        }
    d->depth[i] = best;
    return best;
}

static void check_call_depth(struct scn *s, const struct world_config *wc)
{
    struct front_door door = front_door(wc);
    int32_t entry = door.target;
    if (entry < 0)
        return;
    uint32_t n = wc->ncomps;
    struct depth_search d = {.wc = wc};
    d.depth = ts_malloc(n * sizeof *d.depth);
    d.next = ts_malloc(n * sizeof *d.next);
    d.via = ts_malloc(n * sizeof *d.via);
    for (uint32_t i = 0; i < n; i++)
        d.depth[i] = d.next[i] = d.via[i] = -1;
    int32_t deepest = -1, frames = 0;
    bool through_alb = wc->comps[entry].type == COMP_ALB;
    if (through_alb) {
        const struct alb_config *a = &wc->comps[entry].u.alb;
        for (uint32_t t = 0; t < a->ntargets; t++) {
            int32_t g = comp_index(wc, a->targets[t], COMP_FLEET);
            if (g >= 0 && door.frames + 1 + host_depth(&d, (uint32_t)g) > frames) {
                frames = door.frames + 1 + d.depth[g];
                deepest = g;
            }
        }
    } else { /* a function (URL, or an apigw's integration): its environment's frame */
        frames = door.frames + host_depth(&d, (uint32_t)entry);
        deepest = entry;
    }
    if (frames > REQ_MAX_DEPTH) {
        char chain[1024];
        size_t len = (size_t)snprintf(chain, sizeof chain, "client");
        if (door.apigw >= 0)
            len += (size_t)snprintf(chain + len, sizeof chain - len, " -> %s",
                                    wc->comps[door.apigw].name);
        if (through_alb)
            len += (size_t)snprintf(chain + len, sizeof chain - len, " -> %s",
                                    wc->comps[entry].name);
        for (int32_t i = deepest; i >= 0 && len < sizeof chain;) {
            len += (size_t)snprintf(chain + len, sizeof chain - len, " -> %s", wc->comps[i].name);
            if (d.via[i] >= 0 && len < sizeof chain)
                len += (size_t)snprintf(chain + len, sizeof chain - len, " -> %s",
                                        wc->comps[d.via[i]].name);
            const struct program *hs;
            uint32_t nh;
            i = host_handlers(&wc->comps[i], &hs, &nh) ? d.next[i] : -1;
        }
        scn_error(s, wc->workload.entry_at, false,
                  "the deepest call chain from here has %d levels (%s), but a request holds at "
                  "most %d: use fewer tiers",
                  frames, chain, REQ_MAX_DEPTH);
    }
    free(d.depth);
    free(d.next);
    free(d.via);
}

/* --- Lambda reservations ------------------------------------------------------------------------
 * LAM-5: reserved concurrency may take the account's concurrency but for 100, which always
 * stays unreserved. A function's provisioned concurrency without a reservation is allocated
 * from the account as well (LAM-6), so it counts the same. Reported once, at the function
 * whose reservation takes the sum over the limit. */
static void check_reservations(struct scn *s, const struct world_config *wc)
{
    uint32_t conc = wc->lambda_account.concurrency;
    uint64_t limit = conc > 100 ? conc - 100u : 0, sum = 0;
    for (uint32_t i = 0; i < wc->ncomps; i++) {
        const struct comp_config *c = &wc->comps[i];
        if (!c->typed || c->type != COMP_LAMBDA)
            continue;
        const struct lambda_config *l = &c->u.lambda;
        uint32_t own = l->has_reserved ? l->reserved : l->provisioned;
        if (own == 0)
            continue;
        sum += own;
        if (sum <= limit)
            continue;
        scn_error(s, l->has_reserved ? l->reserved_at : l->provisioned_at, false,
                  "the functions reserve %llu of the account's concurrency (%u) with this one, "
                  "but at most %llu may be reserved: 100 always stays unreserved (LAM-5; "
                  "provisioned concurrency without a reservation counts too, LAM-6)",
                  (unsigned long long)sum, conc, (unsigned long long)limit);
        return;
    }
}

/* --- names -------------------------------------------------------------------------------------
 * A request class and a component of the same name would write the same summary.csv columns
 * ("<name>.requests", "<name>.errors"...). */
static void check_class_names(struct scn *s, const struct world_config *wc)
{
    if (!wc->workload.classes_at || wc->workload.classes_bad)
        return;
    for (const cJSON *k = wc->workload.classes_at->child; k; k = k->next)
        for (uint32_t i = 0; i < wc->ncomps; i++)
            if (k->string && strcmp(k->string, wc->comps[i].name) == 0) {
                scn_error(s, k, true,
                          "\"%s\" is also a component's name: a class and a component would "
                          "write the same summary.csv columns; choose another name",
                          k->string);
                break;
            }
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
        if (!scn_good_name(name))
            scn_error(o->s, e, false,
                      "bad AZ name: use a letter, then letters, digits, '_' or '-' (at most 40 "
                      "characters), such as \"us-east-1a\"");
        for (uint32_t i = 0; i < wc->nazs; i++)
            if (strcmp(wc->azs[i], name) == 0)
                scn_error(o->s, e, false, "AZ \"%s\" is listed twice", name);
        wc->azs[wc->nazs++] = arena_strdup(&wc->arena, name);
    }
}

/* Write a default list of names into object j under key, when absent, so that the scenario
 * as run shows it (the scenario's AZs, for instance). */
static void fill_names(struct scn *s, cJSON *j, const char *key, const char *const *names,
                       uint32_t n)
{
    if (!cJSON_IsObject(j) || cJSON_GetObjectItemCaseSensitive(j, key) || !names || n == 0)
        return; /* present, or no default to give (the scenario's azs were bad: reported) */
    struct scn_obj o;
    scn_open(s, j, &o); /* only to add the default: its keys were checked by its reader */
    cJSON *arr = cJSON_CreateStringArray(names, (int)n);
    scn_add_default(&o, key, arr);
}

static void read_component(struct scn *s, cJSON *j, struct comp_config *c, struct arena *a,
                           const struct world_config *wc)
{
    int64_t epoch0 = wc->epoch0;
    c->name = arena_strdup(a, j->string);
    c->at = j;
    if (!good_name(c->name))
        scn_error(s, j, true,
                  "bad component name: use a letter, then letters, digits, '_' or '-' (at most "
                  "40 characters)");
    else if (strcmp(c->name, "workload") == 0 || strcmp(c->name, "network") == 0 ||
             strcmp(c->name, "faults") == 0)
        /* their random streams are named after them (docs/engine.md): a component of that
         * name would share them */
        scn_error(s, j, true, "\"%s\" is reserved (the scenario's %s %s streams of that name): "
                  "choose another name", c->name, c->name,
                  strcmp(c->name, "faults") == 0 ? "have" : "has");
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
        fill_names(s, j, "azs", wc->azs, wc->nazs); /* a node in every AZ */
        break;
    case COMP_FLEET:
        fleet_config_from_json(&o, &c->u.fleet, a);
        fill_names(s, cJSON_GetObjectItemCaseSensitive(j, "asg"), "availability_zones", wc->azs,
                   wc->nazs);
        scaling_config_from_json(s, c->u.fleet.scaling_policies, c->u.fleet.scheduled_actions,
                                 epoch0, c->u.fleet.default_cooldown, &c->scaling, a);
        break;
    case COMP_CACHE:
        cache_config_from_json(&o, &c->u.cache, a);
        break;
    case COMP_RDS:
        rds_config_from_json(&o, &c->u.rds, a);
        break;
    case COMP_APIGW:
        apigw_config_from_json(&o, &c->u.apigw, a);
        break;
    case COMP_DYNAMODB:
        dynamodb_config_from_json(&o, &c->u.dynamodb, a);
        break;
    case COMP_LAMBDA:
        lambda_config_from_json(&o, &c->u.lambda, a);
        fill_names(s, j, "azs", wc->azs, wc->nazs); /* environments in every AZ */
        break;
    }
    scn_close(&o); /* unknown and missing keys are reported here */
    c->valid = scn_error_count(s) == before;
}

/* The most a one-way network hop may take on average, in seconds. A hop within a region
 * takes well under a millisecond (RDS-7: a cross-AZ round trip is 0.5-1.5 ms), so a mean
 * above a second is a unit mistake ("100" for "100ms"), not a network. */
#define NET_MAX_MEAN_S 1.0

/* One of the network's latency distributions, its mean bounded by NET_MAX_MEAN_S. */
static void read_latency(struct scn_obj *net, const char *key, const char *def_json, struct dist *d,
                         struct arena *a)
{
    if (!dist_read(net, key, def_json, d, a))
        return;
    double mean = dist_mean(d);
    if (mean <= NET_MAX_MEAN_S)
        return;
    if (!isfinite(mean))
        scn_error(net->s, scn_member(net, key), false,
                  "must have a mean of at most %g s, got a distribution with no finite mean%s",
                  NET_MAX_MEAN_S, d->kind == DIST_PARETO ? " (a pareto needs a shape > 1)" : "");
    else
        scn_error(net->s, scn_member(net, key), false,
                  "must have a mean of at most %g s, got %.10g s: a one-way hop within a region "
                  "takes well under a millisecond (RDS-7), so this looks like a unit mistake",
                  NET_MAX_MEAN_S, mean);
}

/* Every billed component has its price: the table covers every name the models know (a unit
 * test checks it), so a miss here is a table out of step with the code. An API without its
 * own `usd_per_million` gets the table's, written into the scenario as run. */
static void check_prices(struct scn *s, struct world_config *wc)
{
    const struct prices *p = &wc->prices;
    for (uint32_t i = 0; i < wc->ncomps; i++) {
        struct comp_config *c = &wc->comps[i];
        if (!c->typed || !c->valid)
            continue;
        const char *name = NULL, *what = NULL;
        const struct price_map *m = NULL;
        switch (c->type) {
        case COMP_FLEET:
            name = c->u.fleet.type ? c->u.fleet.type->name : NULL;
            m = &p->ec2;
            what = "ec2";
            break;
        case COMP_RDS:
            name = c->u.rds.cls ? c->u.rds.cls->name : NULL;
            m = c->u.rds.engine == RDS_POSTGRES ? &p->rds_postgres : &p->rds_mysql;
            what = "rds";
            break;
        case COMP_CACHE:
            name = c->u.cache.node_type ? c->u.cache.node_type->name : NULL;
            m = &p->elasticache;
            what = "elasticache";
            break;
        case COMP_APIGW: {
            struct apigw_config *g = &c->u.apigw;
            if (isnan(g->usd_per_million) && cJSON_IsObject(c->at)) {
                g->usd_per_million = g->api_type == APIGW_HTTP ? p->apigw_http_million
                                                               : p->apigw_rest_million;
                cJSON_AddNumberToObject((cJSON *)c->at, "usd_per_million", g->usd_per_million);
            }
            break;
        }
        case COMP_ALB:
        case COMP_DYNAMODB:
        case COMP_LAMBDA:
            break;
        }
        if (name && price_find(m, name) < 0)
            scn_error(s, c->at, false, "the price table (%s) has no %s price for \"%s\"",
                      prices_builtin_name, what, name);
    }
}

/* A fault's target and AZ (faults.c reads the rest): a component of the kind the fault
 * strikes, an AZ of the scenario's, a time within the run. */
static void check_faults(struct scn *s, struct world_config *wc)
{
    for (uint32_t i = 0; i < wc->faults.n; i++) {
        struct fault_config *f = &wc->faults.v[i];
        static const int kinds[FT_COUNT] = {
            [FT_AZ_OUTAGE] = -1,           [FT_INSTANCE_FAILURE] = COMP_FLEET,
            [FT_DB_FAILOVER] = COMP_RDS,   [FT_CACHE_NODE_FAILURE] = COMP_CACHE,
            [FT_GRAY_FAILURE] = COMP_FLEET, [FT_ZONAL_SHIFT] = COMP_ALB};
        if (f->target) {
            char what[64];
            snprintf(what, sizeof what, "the target of %s %s", article(fault_type_name(f->type)),
                     fault_type_name(f->type));
            check_ref(s, wc, f->target, f->target_j, (enum comp_type)kinds[f->type], what);
        }
        if (f->az) {
            unsigned before = scn_error_count(s);
            check_az(s, wc, f->az, f->az_j);
            for (uint32_t k = 0; scn_error_count(s) == before && k < wc->nazs; k++)
                if (strcmp(wc->azs[k], f->az) == 0)
                    f->az_index = (int)k;
        }
        if (f->type == FT_CACHE_NODE_FAILURE && f->target && f->node_j) {
            const struct comp_config *c = find_comp(wc, f->target);
            if (c && c->typed && c->type == COMP_CACHE && f->node > c->u.cache.replicas)
                scn_error(s, f->node_j, false,
                          "\"%s\" has %u read replica%s: node is 0 (the primary) to %u, got %u",
                          f->target, c->u.cache.replicas, c->u.cache.replicas == 1 ? "" : "s",
                          c->u.cache.replicas, f->node);
        }
        if (!f->random && f->at_j && wc->duration > 0 && f->at >= wc->duration)
            scn_error(s, f->at_j, false,
                      "must be before the end of the run (duration %.10g s), got %.10g s",
                      sim_s(wc->duration), sim_s(f->at));
    }
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
    /* the JSON Schema an editor checks the file against (scenarios/schema.json): taken and
     * left alone, so that a scenario may name it */
    scn_str(&top, "$schema", NULL);
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

    /* the calendar of the run, for scheduled actions: a Monday by default */
    const char *start = scn_str(&top, "start_time", "2026-01-05T00:00:00Z");
    cron_parse_utc("2026-01-05T00:00:00Z", &wc->epoch0); /* kept if start_time is bad */
    if (start && !cron_parse_utc(start, &wc->epoch0))
        scn_error(s, scn_member(&top, "start_time"), false,
                  "expected a UTC date-time such as \"2026-01-05T00:00:00Z\", got \"%s\"",
                  start);
    struct scn_obj cwo;
    scn_open_member(&top, "cloudwatch", false, &cwo);
    cw_config_from_json(&cwo, &wc->cloudwatch);
    scn_close(&cwo);
    /* the network between AZs: 0.1 ms one way within an AZ, 0.5 ms across (RDS-7 puts a
     * cross-AZ round trip at 0.5-1.5 ms); constants by default, since sub-millisecond jitter
     * matters little next to service times and a draw per hop costs a tenth of a run */
    struct scn_obj net;
    scn_open_member(&top, "network", false, &net);
    read_latency(&net, "same_az", "{\"dist\": \"const\", \"value\": \"0.1ms\"}", &wc->net_same_az,
                 &wc->arena);
    read_latency(&net, "cross_az", "{\"dist\": \"const\", \"value\": \"0.5ms\"}", &wc->net_cross_az,
                 &wc->arena);
    /* bytes of a call and of its reply between two components, for the cost of the ones
     * that cross AZs (PRICE-3): a fleet's default request and response (docs/models/cost.md) */
    wc->net_request_bytes = scn_num(&net, "request_bytes", 2048, SCN_NONNEG);
    wc->net_response_bytes = scn_num(&net, "response_bytes", 16384, SCN_NONNEG);
    scn_close(&net);
    prices_read(s, scn_member(&top, "prices"), &wc->prices, &wc->arena);

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
            read_component(s, j, &wc->comps[wc->ncomps++], &wc->arena, wc);
        }
        if (n == 0)
            scn_error(s, comps, false, "no components: a scenario needs at least an alb and a "
                                       "fleet");
    }

    /* the Lambda account: read when given or when a function needs it (its defaults then go
     * into the scenario as run); a scenario without functions keeps its scenario.json */
    bool functions = false;
    for (uint32_t i = 0; i < wc->ncomps; i++)
        functions |= wc->comps[i].typed && wc->comps[i].type == COMP_LAMBDA;
    wc->lambda_account = (struct lambda_account_config){1000, LAMBDA_SCALING_CURRENT, 3000, 500};
    if (functions || scn_member(&top, "lambda_account")) {
        struct scn_obj lao;
        scn_open_member(&top, "lambda_account", false, &lao);
        lambda_account_config_from_json(&lao, &wc->lambda_account);
        scn_close(&lao);
    }

    struct scn_obj wl;
    if (scn_open_member(&top, "workload", true, &wl)) {
        workload_config_from_json(&wl, &wc->workload, &wc->arena);
        scn_close(&wl);
    }
    struct scn_obj slo;
    cJSON *faults = scn_member(&top, "faults");
    scn_open_member(&top, "slo", false, &slo);
    faults_config_from_json(s, faults, &slo, &wc->faults, &wc->arena);
    scn_close(&slo);
    scn_close(&top);

    /* References between components. Without a usable set of components every reference
     * would dangle: the missing or empty .components is the one mistake to report. */
    if (wc->ncomps == 0)
        return TS_ESCENARIO;
    check_ref_any(s, wc, wc->workload.entry, wc->workload.entry_at, entry_types,
                  sizeof entry_types / sizeof entry_types[0], "the workload's entry");
    for (uint32_t i = 0; i < wc->ncomps; i++) {
        struct comp_config *c = &wc->comps[i];
        if (!c->typed)
            continue;
        switch (c->type) {
        case COMP_ALB:
            for (uint32_t k = 0; k < c->u.alb.ntargets; k++) {
                check_ref(s, wc, c->u.alb.targets[k], c->u.alb.targets_at[k], COMP_FLEET,
                          "an alb's targets");
                for (uint32_t j = 0; j < k; j++)
                    if (strcmp(c->u.alb.targets[j], c->u.alb.targets[k]) == 0)
                        scn_error(s, c->u.alb.targets_at[k], false,
                                  "\"%s\" is listed twice", c->u.alb.targets[k]);
            }
            if (c->u.alb.azs_at)
                check_azs(s, wc, c->u.alb.azs, c->u.alb.nazs, c->u.alb.azs_at->child);
            break;
        case COMP_FLEET: {
            if (c->u.fleet.availability_zones_at)
                check_azs(s, wc, c->u.fleet.availability_zones, c->u.fleet.navailability_zones,
                          c->u.fleet.availability_zones_at->child);
            const cJSON *h = c->u.fleet.handlers_at;
            for (size_t k = 0; k < c->scaling.npolicies; k++) {
                struct policy_config *p = &c->scaling.policies[k];
                const struct metric_ref *m =
                    p->type == POLICY_TARGET_TRACKING ? &p->tt_metric : &p->alarm.metric;
                bool per_target =
                    p->predefined && strcmp(p->predefined, "ALBRequestCountPerTarget") == 0;
                check_metric(s, wc, c, m, per_target);
                p->n_from_datapoint = counts_group(wc, c, m);
            }
            if (!cJSON_IsObject(h))
                break; /* missing or of the wrong type: reported already */
            check_handlers(s, wc, c->u.fleet.handlers, c->u.fleet.nhandlers, h);
            break;
        }
        case COMP_LAMBDA: {
            const struct lambda_config *l = &c->u.lambda;
            if (l->azs_at)
                check_azs(s, wc, l->azs, l->nazs, l->azs_at->child);
            if (cJSON_IsObject(l->handlers_at))
                check_handlers(s, wc, l->handlers, l->nhandlers, l->handlers_at);
            break;
        }
        case COMP_CACHE:
            for (uint32_t k = 0; k < c->u.cache.naz_refs; k++)
                check_az(s, wc, c->u.cache.az_refs[k].name, c->u.cache.az_refs[k].at);
            break;
        case COMP_RDS: {
            const struct rds_config *r = &c->u.rds;
            for (uint32_t k = 0; k < r->naz_refs; k++)
                check_az(s, wc, r->az_refs[k].name, r->az_refs[k].at);
            /* a standby given beside a primary in its default AZ (the one given beside it is
             * compared where the rds is read): Multi-AZ keeps them apart (RDS-1) */
            if (r->multi_az && r->standby_az_ref >= 0 && r->primary_az_ref < 0 && wc->nazs &&
                strcmp(r->az_refs[r->standby_az_ref].name, wc->azs[0]) == 0)
                scn_error(s, r->az_refs[r->standby_az_ref].at, false,
                          "must differ from the primary's AZ (\"%s\": the scenario's first, "
                          "the default without \"availability_zone\"): a Multi-AZ standby is "
                          "in another AZ",
                          wc->azs[0]);
            break;
        }
        case COMP_APIGW:
            check_apigw_integration(s, wc, &c->u.apigw);
            break;
        case COMP_DYNAMODB: /* regional, referring to nothing */
            break;
        }
    }
    check_faults(s, wc);
    check_prices(s, wc);
    check_reservations(s, wc);
    check_class_names(s, wc);
    unsigned before = scn_error_count(s);
    check_call_loops(s, wc);
    if (scn_error_count(s) == before) /* without loops, every chain has an end */
        check_call_depth(s, wc);
    return scn_error_count(s) ? TS_ESCENARIO : 0;
}

void world_config_release(struct world_config *wc)
{
    faults_config_release(&wc->faults);
    for (uint32_t i = 0; i < wc->ncomps; i++) {
        struct comp_config *c = &wc->comps[i];
        switch (c->type) {
        case COMP_ALB:
            alb_config_release(&c->u.alb);
            break;
        case COMP_FLEET:
            fleet_config_release(&c->u.fleet);
            scaling_config_release(&c->scaling);
            break;
        case COMP_CACHE:
            cache_config_release(&c->u.cache);
            break;
        case COMP_RDS:
            rds_config_release(&c->u.rds);
            break;
        case COMP_APIGW:
            apigw_config_release(&c->u.apigw);
            break;
        case COMP_DYNAMODB:
            dynamodb_config_release(&c->u.dynamodb);
            break;
        case COMP_LAMBDA:
            lambda_config_release(&c->u.lambda);
            break;
        }
    }
    dist_release(&wc->net_same_az);
    dist_release(&wc->net_cross_az);
    arena_release(&wc->arena);
    memset(wc, 0, sizeof *wc);
}

/* --- building --------------------------------------------------------------------------- */

struct built {
    enum comp_type type;
    union {
        struct alb *alb;
        struct fleet *fleet;
        struct cache *cache;
        struct rds *rds;
        struct apigw *apigw;
        struct dynamodb *dynamodb;
        struct lambda *lambda;
    } u;
    struct component *comp;
    struct scaling *scaling; /* fleets with policies or scheduled actions */
};

struct world {
    const struct world_config *wc;
    struct req_pool pool; /* every request of the run */
    struct net net;       /* the network they travel */
    struct cw *cw;
    struct built *comps;
    uint32_t ncomps;
    struct workload *workload;
    struct component **comp_list; /* comps[i].comp, for the faults */
    struct faults *faults;
    struct lambda_account *lambda_account; /* the functions' shared concurrency */
    struct cost *cost;
    struct bill *bills; /* ncomps of them: what the cost model reads of each component */
};

static struct component *lookup(struct world *w, const char *name)
{
    for (uint32_t i = 0; i < w->ncomps; i++)
        if (strcmp(w->comps[i].comp->name, name) == 0)
            return w->comps[i].comp;
    return NULL;
}

static struct component *lookup_fn(void *ctx, const char *name)
{
    return lookup(ctx, name);
}

/* --- the bill (models/cost.c; docs/models/cost.md) ---------------------------------------------
 * Each billed component reports cumulative usage from counters its model keeps; the meter
 * multiplies by the prices here, at interval ends only. */
struct bill {
    const void *model;
    int64_t min_ns;       /* fleets: the least an instance is billed (PRICE-2) */
    double provisioned_gb; /* functions: provisioned concurrency x memory, GB */
};

static void usage_fleet(const void *ctx, int64_t now, double *q)
{
    const struct bill *b = ctx;
    q[0] = fleet_billed_seconds(b->model, now, b->min_ns);
}

static void usage_alb(const void *ctx, int64_t now, double *q)
{
    q[0] = sim_s(now);
    q[1] = (double)alb_requests(((const struct bill *)ctx)->model);
}

static void usage_lambda(const void *ctx, int64_t now, double *q)
{
    const struct bill *b = ctx;
    struct lambda_counts n;
    lambda_counts(b->model, &n);
    q[0] = (double)n.invocations;
    q[1] = n.gb_seconds - n.gb_seconds_provisioned;
    q[2] = n.gb_seconds_provisioned;
    q[3] = b->provisioned_gb * sim_s(now);
}

static void usage_apigw(const void *ctx, int64_t now, double *q)
{
    (void)now;
    q[0] = (double)apigw_billed_requests(((const struct bill *)ctx)->model);
}

static void usage_dynamodb(const void *ctx, int64_t now, double *q)
{
    (void)now;
    dynamodb_consumed(((const struct bill *)ctx)->model, &q[0], &q[1]);
}

static void usage_transfer(const void *ctx, int64_t now, double *q)
{
    (void)now;
    const struct req_pool *p = ctx;
    q[0] = (double)p->cross_az_calls;
    q[1] = (double)p->cross_az_replies;
}

static void bill_components(struct sim *sim, struct world *w)
{
    const struct world_config *wc = w->wc;
    const struct prices *p = &wc->prices;
    w->cost = cost_new();
    w->bills = ts_calloc(w->ncomps ? w->ncomps : 1u, sizeof *w->bills);
    for (uint32_t i = 0; i < w->ncomps; i++) {
        const struct comp_config *c = &wc->comps[i];
        struct built *b = &w->comps[i];
        struct bill *bl = &w->bills[i];
        double u[COST_MAX_Q];
        switch (b->type) {
        case COMP_FLEET: {
            /* a fleet given by vcpus alone has no type, and no price (docs/models/cost.md) */
            double h = c->u.fleet.type ? price_find(&p->ec2, c->u.fleet.type->name) : 0;
            bl->model = b->u.fleet;
            bl->min_ns = sim_ns(p->ec2_minimum_s);
            u[0] = h / 3600;
            cost_add(w->cost, COST_EC2, c->name, usage_fleet, bl, u, 1);
            break;
        }
        case COMP_ALB: {
            /* ALB-19: the dimension with the most LCUs is billed; tiersim's dimensions are
             * all proportional to requests, so the most is the same per request as per hour:
             * 25 new connections/s is 90,000 an hour, 1 GB processed an hour */
            const struct alb_config *a = &c->u.alb;
            double lcu_h = fmax(a->new_connections_per_request / 90000.0,
                                a->processed_bytes_per_request / 1e9);
            bl->model = b->u.alb;
            u[0] = p->alb_hour / 3600;
            u[1] = lcu_h * p->alb_lcu_hour;
            cost_add(w->cost, COST_ALB, c->name, usage_alb, bl, u, 2);
            break;
        }
        case COMP_RDS: {
            /* Multi-AZ bills the standby, a read replica is one more instance (RDS-13) */
            const struct rds_config *r = &c->u.rds;
            const struct price_map *m =
                r->engine == RDS_POSTGRES ? &p->rds_postgres : &p->rds_mysql;
            double n = (r->multi_az ? 2.0 : 1.0) + (double)r->nreplicas;
            u[0] = n * price_find(m, r->cls->name) / 3600;
            cost_add(w->cost, COST_RDS, c->name, cost_usage_clock, NULL, u, 1);
            break;
        }
        case COMP_CACHE: {
            const struct cache_config *k = &c->u.cache;
            u[0] = (1.0 + k->replicas) * price_find(&p->elasticache, k->node_type->name) / 3600;
            cost_add(w->cost, COST_ELASTICACHE, c->name, cost_usage_clock, NULL, u, 1);
            break;
        }
        case COMP_LAMBDA: {
            const struct lambda_config *l = &c->u.lambda;
            bl->model = b->u.lambda;
            bl->provisioned_gb = (double)l->provisioned * l->memory_mb / 1024.0;
            u[0] = p->lambda_million_requests / 1e6;
            u[1] = p->lambda_gb_s[ARCH_X86_64];
            u[2] = p->lambda_prov_duration_gb_s[ARCH_X86_64];
            u[3] = p->lambda_prov_gb_s[ARCH_X86_64];
            cost_add(w->cost, COST_LAMBDA, c->name, usage_lambda, bl, u, 4);
            break;
        }
        case COMP_APIGW:
            bl->model = b->u.apigw;
            u[0] = c->u.apigw.usd_per_million / 1e6;
            cost_add(w->cost, COST_APIGW, c->name, usage_apigw, bl, u, 1);
            break;
        case COMP_DYNAMODB: {
            const struct dynamodb_config *d = &c->u.dynamodb;
            if (d->billing_mode == DYNAMODB_PROVISIONED) {
                u[0] = (d->rcu * p->ddb_rcu_hour + d->wcu * p->ddb_wcu_hour) / 3600;
                cost_add(w->cost, COST_DYNAMODB, c->name, cost_usage_clock, NULL, u, 1);
            } else {
                bl->model = b->u.dynamodb;
                u[0] = p->ddb_million_rru / 1e6;
                u[1] = p->ddb_million_wru / 1e6;
                cost_add(w->cost, COST_DYNAMODB, c->name, usage_dynamodb, bl, u, 2);
            }
            break;
        }
        }
    }
    /* PRICE-3: out of one AZ and into the other, a GB (10^9 bytes) each way */
    double t[2] = {wc->net_request_bytes * 2 * p->cross_az_gb / 1e9,
                   wc->net_response_bytes * 2 * p->cross_az_gb / 1e9};
    cost_add(w->cost, COST_TRANSFER, NULL, usage_transfer, &w->pool, t, 2);
    cost_start(sim, w->cost);
}

struct world *world_new(struct sim *sim, const struct world_config *wc)
{
    struct world *w = ts_calloc(1, sizeof *w);
    w->wc = wc;
    w->comps = ts_calloc(wc->ncomps ? wc->ncomps : 1u, sizeof *w->comps);
    sim->warmup = wc->warmup;
    sim->end = wc->duration;
    w->net.same_az = wc->net_same_az;
    w->net.cross_az = wc->net_cross_az;
    w->net.rng = sim_rng(sim, "network", "latency");
    w->net.fixed = wc->net_same_az.kind == DIST_CONST && wc->net_cross_az.kind == DIST_CONST;
    w->net.same_ns = sim_ns(wc->net_same_az.a);
    w->net.cross_ns = sim_ns(wc->net_cross_az.a);
    w->pool.net = &w->net;
    w->lambda_account = lambda_account_new(&wc->lambda_account);
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
        case COMP_CACHE:
            b->u.cache = cache_new(sim, c->name, &c->u.cache, wc->azs, wc->nazs, &w->pool);
            b->comp = cache_component(b->u.cache);
            break;
        case COMP_RDS:
            b->u.rds = rds_new(sim, c->name, &c->u.rds, wc->azs, wc->nazs, &w->pool);
            b->comp = rds_component(b->u.rds);
            break;
        case COMP_APIGW:
            b->u.apigw = apigw_new(sim, c->name, &c->u.apigw);
            b->comp = apigw_component(b->u.apigw);
            break;
        case COMP_DYNAMODB:
            b->u.dynamodb = dynamodb_new(sim, c->name, &c->u.dynamodb);
            b->comp = dynamodb_component(b->u.dynamodb);
            break;
        case COMP_LAMBDA:
            b->u.lambda = lambda_new(sim, c->name, &c->u.lambda, w->lambda_account, wc->azs,
                                     wc->nazs, &w->pool);
            b->comp = lambda_component(b->u.lambda);
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
            const struct alb_config *ac = &wc->comps[i].u.alb;
            struct component *groups[64];
            TS_ASSERT(ac->ntargets <= 64);
            for (uint32_t k = 0; k < ac->ntargets; k++)
                groups[k] = lookup(w, ac->targets[k]);
            int rc = alb_start(sim, b->u.alb, groups, ac->ntargets);
            TS_ASSERT(rc == 0); /* checked by world_config_read */
            break;
        }
        case COMP_FLEET:
            fleet_start(sim, b->u.fleet, wc->workload.classes, wc->workload.nclasses, lookup_fn,
                        w);
            break;
        case COMP_CACHE:
            cache_start(sim, b->u.cache);
            break;
        case COMP_RDS:
            rds_start(sim, b->u.rds);
            break;
        case COMP_APIGW: {
            const char *name = wc->comps[i].u.apigw.integration;
            enum comp_type t = COMP_ALB;
            for (uint32_t k = 0; k < wc->ncomps; k++)
                if (strcmp(wc->comps[k].name, name) == 0)
                    t = wc->comps[k].type;
            apigw_start(sim, b->u.apigw, lookup(w, name), integration_kind(t));
            break;
        }
        case COMP_DYNAMODB:
            dynamodb_start(sim, b->u.dynamodb);
            break;
        case COMP_LAMBDA:
            lambda_start(sim, b->u.lambda, wc->workload.classes, wc->workload.nclasses,
                         lookup_fn, w);
            break;
        }
    }
    /* scaling policies create their alarms; CloudWatch starts once they all exist */
    w->cw = cw_new(sim, &wc->cloudwatch);
    for (uint32_t i = 0; i < w->ncomps; i++) {
        const struct comp_config *c = &wc->comps[i];
        if (c->type == COMP_FLEET && (c->scaling.npolicies || c->scaling.nscheduled))
            w->comps[i].scaling = scaling_new(sim, w->cw, w->comps[i].comp, &c->scaling,
                                              wc->epoch0, lookup_fn, w);
    }
    cw_start(sim, w->cw);
    for (uint32_t i = 0; i < w->ncomps; i++)
        if (w->comps[i].scaling)
            scaling_start(sim, w->comps[i].scaling);
    w->comp_list = ts_calloc(w->ncomps ? w->ncomps : 1u, sizeof *w->comp_list);
    for (uint32_t i = 0; i < w->ncomps; i++)
        w->comp_list[i] = w->comps[i].comp;
    w->faults = faults_new(sim, &wc->faults, wc->azs, wc->nazs, w->comp_list, w->ncomps,
                           w->workload);
    bill_components(sim, w); /* last: its columns come after every other */
    return w;
}

void world_free(struct world *w)
{
    if (!w)
        return;
    for (uint32_t i = 0; i < w->ncomps; i++) {
        scaling_free(w->comps[i].scaling);
        switch (w->comps[i].type) {
        case COMP_ALB:
            alb_free(w->comps[i].u.alb);
            break;
        case COMP_FLEET:
            fleet_free(w->comps[i].u.fleet);
            break;
        case COMP_CACHE:
            cache_free(w->comps[i].u.cache);
            break;
        case COMP_RDS:
            rds_free(w->comps[i].u.rds);
            break;
        case COMP_APIGW:
            apigw_free(w->comps[i].u.apigw);
            break;
        case COMP_DYNAMODB:
            dynamodb_free(w->comps[i].u.dynamodb);
            break;
        case COMP_LAMBDA:
            lambda_free(w->comps[i].u.lambda);
            break;
        }
    }
    lambda_account_free(w->lambda_account);
    faults_free(w->faults);
    cost_free(w->cost);
    free(w->bills);
    free(w->comp_list);
    workload_free(w->workload);
    cw_free(w->cw);
    req_pool_release(&w->pool);
    free(w->comps);
    free(w);
}

uint64_t world_in_flight(const struct world *w)
{
    return workload_in_flight(w->workload);
}

uint64_t world_requests_live(const struct world *w)
{
    return w->pool.live;
}

uint64_t world_peak_in_flight(const struct world *w)
{
    return workload_peak_in_flight(w->workload);
}

int world_write_faults(struct sim *sim, struct world *w, const char *path)
{
    return faults_write(sim, w->faults, path);
}
