/* program.c — step programs: reading them from a scenario, compiling them to flat
 * operations, and running them for a host's requests (program.h).
 *
 * Rules:
 * - A request runs its class's program (or "default") from its first step; the host holds
 *   its worker slot until the last step has ended, also while it waits on calls and delays.
 * - A call, cache, database or dynamodb step is one or more attempts. An attempt ends with the
 *   callee's answer, or at the step's timeout, when the caller abandons it: the work goes
 *   on downstream (it lands in the sink) while the caller moves on. A failed attempt (any
 *   error status, or a timeout) is retried while attempts remain, after exponential backoff
 *   with full jitter (retry_backoff), as AWS SDKs do in their standard mode (3 attempts,
 *   retry on 500/502/503/504 and timeouts). A dynamodb step retries by default, as that mode
 *   does (3 attempts, base 1 s): its throttles (400) are what AWS SDKs retry (DDB-1); the
 *   other steps make one attempt unless they have `retry`.
 * - When the last attempt fails: a call, a query or a dynamodb request fails the handler
 *   (the host answers 500, the application's error when a dependency fails); a cache get
 *   counts as a miss (the application falls back to the miss path, then skips the set); a
 *   failed set is ignored.
 * - A cache step's set writes back the key its get missed (the cache chose the key).
 * Simplifications: every error is retryable; no retry budget or circuit breaker; one cache
 * step at a time per request (no cache step inside another's on_miss).
 */
#include "tiersim/models/program.h"

#include "tiersim/arena.h"
#include "tiersim/scn.h"

#include <gsl/gsl_randist.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

/* --- timeouts and retries ------------------------------------------------------------------- */

void retry_config_read(struct scn_obj *o, struct retry_config *r)
{
    retry_config_read_with(o, r, NULL);
}

void retry_config_read_with(struct scn_obj *o, struct retry_config *r,
                            const struct retry_config *def)
{
    *r = def ? *def : RETRY_NONE;
    if (scn_member(o, "timeout"))
        r->timeout = scn_dur(o, "timeout", 0, SCN_POS);
    if (!scn_member(o, "retry") && !def)
        return;
    struct scn_obj ro;
    scn_open_member(o, "retry", false, &ro); /* absent: created, to hold def's values */
    r->max_attempts = (uint32_t)scn_int(&ro, "max_attempts", def ? def->max_attempts : 3, 1, 100);
    r->base = scn_dur(&ro, "base", def ? sim_s(def->base) : 0.1, SCN_NONNEG);
    r->cap = scn_dur(&ro, "cap", def ? sim_s(def->cap) : 20, SCN_NONNEG);
    if (r->cap < r->base)
        scn_error(o->s, scn_member(&ro, "cap"), false,
                  "must be at least base (%.10g s), got %.10g s", sim_s(r->base), sim_s(r->cap));
    scn_close(&ro);
}

int64_t retry_backoff(const struct retry_config *r, uint32_t k, const gsl_rng *rng)
{
    double ceiling = sim_s(r->base) * ldexp(1.0, (int)(k > 60 ? 60 : k - 1));
    if (ceiling > sim_s(r->cap))
        ceiling = sim_s(r->cap);
    return sim_ns(gsl_rng_uniform(rng) * ceiling);
}

/* --- reading and compiling ------------------------------------------------------------------ */

static const char *const step_kinds[] = {"cpu",      "call",  "cache", "db",
                                         "dynamodb", "delay", "p"};
enum { K_CPU, K_CALL, K_CACHE, K_DB, K_DDB, K_DELAY, K_P, NKINDS };
/* the keys of each kind of step (NULL-terminated), for a key given to the wrong kind */
static const char *const step_keys[NKINDS][8] = {
    [K_CPU] = {"cpu", NULL},
    [K_CALL] = {"call", "timeout", "retry", "invocation", NULL},
    [K_CACHE] = {"cache", "on_miss", "timeout", "retry", NULL},
    [K_DB] = {"db", "op", "demand", "timeout", "retry", NULL},
    [K_DDB] = {"dynamodb", "op", "units", "consistent_read", "timeout", "retry", NULL},
    [K_DELAY] = {"delay", NULL},
    [K_P] = {"p", "then", "else", NULL},
};
static const char *const db_ops[] = {"read", "write", NULL};
/* a call's InvocationType (Lambda's RequestResponse and Event, in snake_case) */
static const char *const invocations[] = {"request_response", "event", NULL};

struct builder {
    struct pop *ops;
    uint32_t n, cap;
};

static uint32_t push(struct builder *b, enum pop_kind kind)
{
    if (b->n == b->cap) {
        b->cap = b->cap ? 2 * b->cap : 8;
        b->ops = ts_realloc(b->ops, b->cap * sizeof *b->ops);
    }
    memset(&b->ops[b->n], 0, sizeof b->ops[b->n]);
    b->ops[b->n].kind = kind;
    b->ops[b->n].retry = RETRY_NONE;
    return b->n++;
}

static bool compile(struct scn *s, cJSON *arr, struct builder *b, struct arena *a,
                    bool in_miss);

/* The component a step names: a non-empty string. */
static void read_target(struct scn_obj *o, const char *key, struct pop *op,
                        enum pop_target type, struct arena *a)
{
    op->target = arena_strdup(a, scn_str_req(o, key));
    op->target_at = scn_member(o, key);
    op->target_type = type;
}

static bool takes(int kind, const char *key)
{
    for (unsigned i = 0; step_keys[kind][i]; i++)
        if (strcmp(step_keys[kind][i], key) == 0)
            return true;
    return false;
}

/* A key of another kind of step given to a step of this kind ("timeout" on a cpu step):
 * say which steps take it (an unknown key is left to scn_close and its suggestion). */
static void check_keys_of_kind(struct scn_obj *so, int kind)
{
    for (cJSON *k = so->j->child; k; k = k->next) {
        const char *kinds[NKINDS];
        unsigned n = 0;
        for (int j = 0; j < NKINDS; j++)
            if (j != kind && takes(j, k->string))
                kinds[n++] = step_kinds[j];
        if (takes(kind, k->string) || n == 0)
            continue;
        char mine[64], theirs[64];
        unsigned nmine = 0;
        while (step_keys[kind][nmine])
            nmine++;
        scn_join(mine, sizeof mine, step_keys[kind], nmine);
        scn_join(theirs, sizeof theirs, kinds, n - 1u);
        scn_error(so->s, k, true,
                  "\"%s\" is not a key of a %s step (its keys: %s); it goes on %s%s%s steps",
                  k->string, step_kinds[kind], mine, theirs, n > 1 ? " and " : "",
                  kinds[n - 1u]);
        scn_reported(so, k->string); /* not an unknown key as well */
    }
}

static bool compile_step(struct scn *s, cJSON *e, struct builder *b, struct arena *a,
                         bool in_miss)
{
    struct scn_obj so;
    if (!scn_open(s, e, &so))
        return false;
    int found = -1, count = 0;
    for (cJSON *k = e->child; k; k = k->next)
        for (int j = 0; j < NKINDS; j++)
            if (strcmp(k->string, step_kinds[j]) == 0) {
                found = j;
                count++;
            }
    if (count != 1) {
        char list[128];
        scn_join(list, sizeof list, step_kinds, NKINDS);
        /* an unknown key is reported by scn_close below, with a suggestion */
        if (count > 1 || e->child == NULL)
            scn_error(s, e, false, "a step needs exactly one of: %s", list);
        for (int j = 0; j < NKINDS; j++)
            scn_member(&so, step_kinds[j]);
        scn_close(&so);
        return false;
    }
    check_keys_of_kind(&so, found);
    bool ok = true;
    uint32_t i;
    switch (found) {
    case K_CPU:
        i = push(b, POP_CPU);
        ok = dist_read(&so, "cpu", NULL, &b->ops[i].d, a);
        break;
    case K_DELAY:
        i = push(b, POP_DELAY);
        ok = dist_read(&so, "delay", NULL, &b->ops[i].d, a);
        break;
    case K_CALL:
        i = push(b, POP_CALL);
        read_target(&so, "call", &b->ops[i], TARGET_ALB, a);
        retry_config_read(&so, &b->ops[i].retry);
        b->ops[i].call_op = OP_HTTP;
        /* only when given: the world checks that its target is a Lambda function */
        b->ops[i].invocation_at = scn_member(&so, "invocation");
        if (b->ops[i].invocation_at && scn_enum(&so, "invocation", invocations, 0) == 1)
            b->ops[i].call_op = OP_EVENT;
        break;
    case K_DB: {
        i = push(b, POP_DB);
        read_target(&so, "db", &b->ops[i], TARGET_RDS, a);
        int op = scn_enum_req(&so, "op", db_ops);
        b->ops[i].db_op = op == 1 ? OP_DB_WRITE : OP_DB_READ;
        if (scn_member(&so, "demand")) {
            ok = dist_read(&so, "demand", NULL, &b->ops[i].d, a);
            b->ops[i].has_d = ok;
        }
        retry_config_read(&so, &b->ops[i].retry);
        break;
    }
    case K_DDB: {
        i = push(b, POP_DDB);
        read_target(&so, "dynamodb", &b->ops[i], TARGET_DYNAMODB, a);
        int op = scn_enum_req(&so, "op", db_ops);
        b->ops[i].db_op = op == 1 ? OP_DDB_WRITE : OP_DDB_READ;
        /* DDB-1's units: a strongly consistent read of up to 4 KB, or a write of up to 1 KB */
        uint32_t units = (uint32_t)scn_int(&so, "units", 1, 1, DDB_MAX_UNITS);
        bool consistent = true;
        cJSON *cr = scn_member(&so, "consistent_read");
        if (op == 1 && cr)
            scn_error(s, cr, true, "\"consistent_read\" is for reads: a write consumes whole "
                                   "write units");
        else if (op == 0) /* an eventually consistent read takes half the units */
            consistent = scn_bool(&so, "consistent_read", true);
        b->ops[i].arg = ddb_units_arg(units, !consistent);
        /* throttles come back as 400s, which AWS SDKs retry (DDB-1): by default as their
         * standard mode does */
        retry_config_read_with(&so, &b->ops[i].retry, &RETRY_SDK_STANDARD);
        break;
    }
    case K_CACHE: {
        if (in_miss)
            scn_error(s, scn_member(&so, "cache"), true,
                      "a cache step inside another cache step's on_miss is not supported "
                      "(a request looks up one key at a time)");
        i = push(b, POP_CACHE_GET);
        read_target(&so, "cache", &b->ops[i], TARGET_CACHE, a);
        retry_config_read(&so, &b->ops[i].retry);
        cJSON *miss = scn_member(&so, "on_miss");
        if (miss)
            ok = compile(s, miss, b, a, true);
        uint32_t set = push(b, POP_CACHE_SET);
        b->ops[set].target = b->ops[i].target;
        b->ops[set].target_at = NULL; /* reported once, at the get */
        b->ops[set].target_type = TARGET_CACHE;
        b->ops[set].retry = b->ops[i].retry;
        b->ops[i].jump = b->n; /* a hit goes past the set */
        break;
    }
    case K_P: {
        i = push(b, POP_BRANCH);
        double p = 0;
        scn_num_req(&so, "p", (struct scn_bound){.lo = 0, .hi = 1}, &p);
        b->ops[i].p = p;
        cJSON *then = scn_member_req(&so, "then");
        cJSON *els = scn_member(&so, "else");
        if (then)
            ok = compile(s, then, b, a, in_miss);
        if (els) {
            uint32_t j = push(b, POP_JUMP);
            b->ops[i].jump = b->n;
            ok = compile(s, els, b, a, in_miss) && ok;
            b->ops[j].jump = b->n;
        } else {
            b->ops[i].jump = b->n;
        }
        break;
    }
    }
    scn_close(&so);
    return ok;
}

static bool compile(struct scn *s, cJSON *arr, struct builder *b, struct arena *a, bool in_miss)
{
    char what[64];
    if (!cJSON_IsArray(arr)) {
        scn_error(s, arr, false, "expected an array of steps, got %s",
                  scn_describe(arr, what, sizeof what));
        return false;
    }
    bool ok = true;
    cJSON *e;
    cJSON_ArrayForEach(e, arr)
    {
        ok = compile_step(s, e, b, a, in_miss) && ok;
    }
    return ok;
}

bool program_read(struct scn *s, cJSON *steps, struct program *p, struct arena *a)
{
    struct builder b = {0};
    unsigned before = scn_error_count(s);
    compile(s, steps, &b, a, false);
    p->n = b.n;
    p->ops = arena_alloc(a, (b.n ? b.n : 1u) * sizeof *p->ops);
    if (b.n)
        memcpy(p->ops, b.ops, b.n * sizeof *p->ops);
    free(b.ops);
    return scn_error_count(s) == before;
}

void program_release(struct program *p)
{
    for (uint32_t i = 0; i < p->n; i++)
        dist_release(&p->ops[i].d);
}

void handlers_read(struct scn *s, cJSON *h, struct program **out, uint32_t *n, struct arena *a)
{
    *out = NULL;
    *n = 0;
    if (h && !cJSON_IsObject(h)) {
        char what[64];
        scn_error(s, h, false, "expected an object of request class -> steps, got %s",
                  scn_describe(h, what, sizeof what));
    } else if (h) {
        *n = (uint32_t)cJSON_GetArraySize(h);
        *out = arena_alloc(a, (*n ? *n : 1u) * sizeof **out);
        uint32_t i = 0;
        cJSON *e;
        cJSON_ArrayForEach(e, h)
        {
            struct program *p = &(*out)[i++];
            p->cls = arena_strdup(a, e->string);
            program_read(s, e, p, a);
        }
    }
}

void handlers_release(struct program *p, uint32_t n)
{
    for (uint32_t i = 0; i < n; i++)
        program_release(&p[i]);
}

const struct program *handlers_find(const struct program *p, uint32_t n, const char *cls)
{
    for (uint32_t i = 0; i < n; i++)
        if (strcmp(p[i].cls, cls) == 0)
            return &p[i];
    return NULL;
}

/* --- running --------------------------------------------------------------------------------- */

static const struct program *program_of(const struct prog_host *h, const struct frame *f)
{
    return &h->env->programs[(uintptr_t)f->ctx];
}

static struct component *callee_of(const struct prog_host *h, const struct frame *f)
{
    return h->env->callees[(uintptr_t)f->ctx][f->pc];
}

static void run(struct sim *sim, struct prog_host *h, struct request *r);
static void start_attempt(struct sim *sim, struct prog_host *h, struct request *r);

static void on_delay_done(struct sim *sim, void *ctx, uint64_t arg)
{
    struct request *r = (struct request *)(uintptr_t)arg;
    struct frame *f = req_top(r);
    f->ev = 0;
    f->pc++;
    run(sim, ctx, r);
}

static void on_retry(struct sim *sim, void *ctx, uint64_t arg)
{
    struct request *r = (struct request *)(uintptr_t)arg;
    req_top(r)->ev = 0;
    start_attempt(sim, ctx, r);
}

/* The current step's attempt failed with `status` (an error, or REQ_TIMEOUT). */
static void attempt_failed(struct sim *sim, struct prog_host *h, struct request *r)
{
    struct frame *f = req_top(r);
    const struct pop *op = &program_of(h, f)->ops[f->pc];
    if (f->tries < op->retry.max_attempts) {
        int64_t pause = retry_backoff(&op->retry, f->tries, h->env->rng_backoff);
        f->ev = sim_after(sim, pause, on_retry, h, (uint64_t)(uintptr_t)r);
        return;
    }
    h->env->n.failures++;
    switch (op->kind) {
    case POP_CALL:
    case POP_DB:
    case POP_DDB:
        h->env->ops->done(sim, h, r, REQ_E500);
        return;
    case POP_CACHE_GET:
        f->aux2 = -1; /* a miss whose key is unknown: no set after the miss path */
        f->pc++;
        break;
    case POP_CACHE_SET:
        f->pc++;
        break;
    case POP_CPU:
    case POP_DELAY:
    case POP_BRANCH:
    case POP_JUMP:
        TS_ASSERT(0 && "only calls have attempts");
        return;
    }
    run(sim, h, r);
}

/* The attempt's timeout: abandon it. The work downstream goes on into the sink; a reply
 * already on its way back is dropped. */
static void on_timeout(struct sim *sim, void *ctx, uint64_t arg)
{
    struct prog_host *h = ctx;
    unsigned level;
    struct request *r = req_unpack(arg, &level);
    r->stack[level].ev = 0;
    h->env->n.timeouts++;
    if (level + 1u == r->depth) {
        comp_cancel_pending(sim, r); /* the answer is crossing the network: too late */
    } else {
        req_list_remove(&h->held, r, level);
        r = req_detach(sim, r, level, &h->env->sink);
        req_list_push(&h->held, r, level);
    }
    r->status = REQ_TIMEOUT;
    attempt_failed(sim, h, r);
}

static void start_attempt(struct sim *sim, struct prog_host *h, struct request *r)
{
    struct frame *f = req_top(r);
    const struct pop *op = &program_of(h, f)->ops[f->pc];
    if (f->tries++ == 0)
        h->env->n.calls++;
    h->env->n.attempts++;
    switch (op->kind) {
    case POP_CALL:
        r->op = op->call_op;
        r->arg = 0;
        break;
    case POP_CACHE_GET:
        r->op = OP_CACHE_GET;
        r->arg = 0;
        break;
    case POP_CACHE_SET:
        r->op = OP_CACHE_SET;
        r->arg = (uint64_t)f->aux2;
        break;
    case POP_DB:
        r->op = op->db_op;
        r->arg = op->has_d ? db_demand_arg(sim_ns(dist_sample(&op->d, h->env->rng_demand))) : 0;
        break;
    case POP_DDB:
        r->op = op->db_op;
        r->arg = op->arg;
        break;
    case POP_CPU:
    case POP_DELAY:
    case POP_BRANCH:
    case POP_JUMP:
        TS_ASSERT(0 && "not a call");
        return;
    }
    if (op->retry.timeout > 0)
        f->ev = sim_after(sim, op->retry.timeout, on_timeout, h, req_pack(r, r->depth - 1u));
    comp_call(sim, r, callee_of(h, f));
}

/* Run steps from the frame's pc until one has to wait, or to the end. */
static void run(struct sim *sim, struct prog_host *h, struct request *r)
{
    struct prog_env *env = h->env;
    for (;;) {
        struct frame *f = req_top(r);
        const struct program *p = program_of(h, f);
        if (f->pc >= p->n) {
            env->ops->done(sim, h, r, REQ_OK);
            return;
        }
        const struct pop *op = &p->ops[f->pc];
        switch (op->kind) {
        case POP_CPU:
            env->ops->cpu(sim, h, r, sim_ns(dist_sample(&op->d, env->rng_cpu)));
            return;
        case POP_DELAY:
            f->ev = sim_after(sim, sim_ns(dist_sample(&op->d, env->rng_delay)), on_delay_done, h,
                              (uint64_t)(uintptr_t)r);
            return;
        case POP_BRANCH:
            f->pc = gsl_rng_uniform(env->rng_branch) < op->p ? f->pc + 1 : op->jump;
            continue;
        case POP_JUMP:
            f->pc = op->jump;
            continue;
        case POP_CACHE_SET:
            if (f->aux2 < 0) { /* the get failed: nothing to write back */
                f->pc++;
                continue;
            }
            f->tries = 0;
            start_attempt(sim, h, r);
            return;
        case POP_CALL:
        case POP_CACHE_GET:
        case POP_DB:
        case POP_DDB:
            f->tries = 0;
            start_attempt(sim, h, r);
            return;
        }
    }
}

void prog_begin(struct sim *sim, struct prog_host *h, struct request *r)
{
    struct frame *f = req_top(r);
    if (r->probe) { /* a load balancer's health check runs no step */
        h->env->ops->done(sim, h, r, REQ_OK);
        return;
    }
    int32_t k = r->cls < h->env->nclasses ? h->env->by_class[r->cls] : -1;
    if (k < 0) { /* no handler for its class: the world's checks make this unreachable */
        h->env->ops->done(sim, h, r, REQ_E500);
        return;
    }
    f->ctx = (void *)(uintptr_t)k;
    f->pc = 0;
    f->aux2 = -1;
    run(sim, h, r);
}

void prog_cpu_done(struct sim *sim, struct prog_host *h, struct request *r)
{
    req_top(r)->pc++;
    run(sim, h, r);
}

void prog_resume(struct sim *sim, struct prog_host *h, struct request *r)
{
    struct frame *f = req_top(r);
    sim_cancel(sim, f->ev); /* the attempt's timeout */
    f->ev = 0;
    if (r->status != REQ_OK) {
        attempt_failed(sim, h, r);
        return;
    }
    const struct pop *op = &program_of(h, f)->ops[f->pc];
    if (op->kind == POP_CACHE_GET) {
        if (r->hit) {
            f->pc = op->jump;
        } else {
            f->aux2 = (int64_t)r->arg;
            f->pc++;
        }
    } else {
        f->pc++;
    }
    run(sim, h, r);
}

struct request *prog_abandon(struct sim *sim, struct prog_host *h, struct request *r,
                             unsigned level)
{
    req_list_remove(&h->held, r, level);
    if (level + 1u == r->depth) {
        comp_cancel_pending(sim, r);
        return r;
    }
    sim_cancel(sim, r->stack[level].ev); /* the attempt's timeout */
    r->stack[level].ev = 0;
    return req_detach(sim, r, level, &h->env->sink);
}

/* --- the family's set-up ----------------------------------------------------------------------- */

/* Work a host abandoned has ended downstream. */

static const struct component_ops sink_ops = {
    .type = "abandoned",
    .accept = comp_accept_none,
    .resume = comp_resume_free,
};

void prog_env_init(struct prog_env *env, struct sim *sim, const char *name,
                   const struct prog_host_ops *ops, const struct program *programs,
                   uint32_t nprograms, const char *const *classes, uint32_t nclasses,
                   prog_lookup_fn lookup, void *lookup_ctx)
{
    memset(env, 0, sizeof *env);
    env->ops = ops;
    env->programs = programs;
    env->nprograms = nprograms;
    env->nclasses = nclasses;
    env->by_class = ts_calloc(nclasses ? nclasses : 1u, sizeof *env->by_class);
    int32_t dflt = -1;
    for (uint32_t k = 0; k < nprograms; k++)
        if (strcmp(programs[k].cls, "default") == 0)
            dflt = (int32_t)k;
    for (uint32_t c = 0; c < nclasses; c++) {
        env->by_class[c] = dflt;
        for (uint32_t k = 0; k < nprograms; k++)
            if (strcmp(programs[k].cls, classes[c]) == 0)
                env->by_class[c] = (int32_t)k;
    }
    env->callees = ts_calloc(nprograms ? nprograms : 1u, sizeof *env->callees);
    for (uint32_t k = 0; k < nprograms; k++) {
        const struct program *p = &programs[k];
        env->callees[k] = ts_calloc(p->n ? p->n : 1u, sizeof *env->callees[k]);
        for (uint32_t i = 0; i < p->n; i++)
            if (p->ops[i].target) {
                env->callees[k][i] = lookup(lookup_ctx, p->ops[i].target);
                TS_ASSERT(env->callees[k][i] != NULL); /* checked with the scenario */
            }
    }
    env->rng_cpu = sim_rng(sim, name, "cpu");
    env->rng_demand = sim_rng(sim, name, "demand");
    env->rng_delay = sim_rng(sim, name, "delay");
    env->rng_branch = sim_rng(sim, name, "branch");
    env->rng_backoff = sim_rng(sim, name, "backoff");
    env->sink.ops = &sink_ops;
    env->sink.name = name;
    env->sink.az = -1;
}

void prog_env_release(struct prog_env *env)
{
    if (env->callees)
        for (uint32_t k = 0; k < env->nprograms; k++)
            free(env->callees[k]);
    free(env->callees);
    free(env->by_class);
    memset(env, 0, sizeof *env);
}
