/* lambda.c — AWS Lambda functions: execution environments (cold and warm starts, reuse,
 * idle reclaim), the account's concurrency and the scaling rate, throttling, provisioned
 * concurrency, asynchronous invocation and its retries.
 *
 * Rules (reference/aws-behavior.md section 7; docs/models/lambda.md says more):
 * - An environment serves one invocation at a time (LAM-10). An invocation takes, in this
 *   order: an idle provisioned environment (LAM-6: provisioned first); else the idle
 *   on-demand environment used most recently (tiersim's choice: it keeps the fewest warm);
 *   else a new one, a cold start: the init duration (`init`, by default the runtime's,
 *   LAM-12), then the handler. An environment is created in the function's AZ that has the
 *   fewest of its environments (ties by the scenario's order), never in one under an outage.
 * - An idle on-demand environment is reclaimed after a draw of `idle_lifetime` (420 s by
 *   default, LAM-14), drawn each time it goes idle; provisioned ones never are (LAM-6).
 * - Concurrency is the number of environments running an invocation (Init included).
 *   `reserved_concurrency` is the function's own pool and its cap; the account's other
 *   functions share what is left of `concurrency` (LAM-1, LAM-5). A function without a
 *   reservation owns its provisioned environments' worth (LAM-6: provisioned concurrency is
 *   allocated from the account) and shares the rest. An invocation over its limit is
 *   throttled: 429 at once (LAM-7); Lambda never retries a synchronous one.
 * - Scaling: only new on-demand environments count. "current" (LAM-2): a token bucket per
 *   function, 1,000 tokens, refilled at 100 a second, full at the start. "pre-2023" (LAM-3):
 *   account-wide, environments are free up to `burst`; beyond, one more every
 *   60 / `burst_rate` s counted from the moment the burst is used up, without accumulating
 *   (a ceiling that climbs at burst_rate a minute while demand presses on it, and falls back
 *   as environments are reclaimed). A new environment refused by the rate: 429.
 * - A handler's `cpu` step runs at min(1, memory_mb / 1769) of a vCPU (LAM-16): demand /
 *   share. One handler uses one vCPU at most (single-threaded).
 * - `timeout` bounds the handler (not the Init; LAM-10 bounds that): at the timeout the
 *   work stops (a call it waits on goes on downstream), the invocation answers 500, and the
 *   environment is reset: its next invocation runs Init again (AWS's execution-environment
 *   page; it goes to the back of the idle list).
 * - A handler that ends with a failed step answers 500. Billing (LAM-17): ceil to 1 ms of
 *   Init + handler, times memory in GB.
 * - Asynchronous invocation (a call step's "invocation": "event", LAM-8): the caller gets OK
 *   (202) at once and the event is invoked at once; a throttle or another non-function
 *   error (502) is retried after 1 s, 2 s, 4 s, ... up to 5 min between tries while the event
 *   is younger than maximum_event_age; a function error (500) is retried
 *   maximum_retry_attempts times, 1 min then 2 min later. An event given up is dropped
 *   (counted; no dead-letter queue).
 * - Faults: an AZ outage loses the environments there, with their invocations (502); no
 *   environment is created there until the AZ is back; lost provisioned environments are
 *   initialised again (an init draw) in the function's other AZs.
 * Simplifications: no request-rate quota (LAM-4), no recycling of busy environments
 * (LAM-15), no Init timeout (LAM-10's 10 s), no queueing delay for events, provisioned
 * concurrency is fixed (no Application Auto Scaling), no SnapStart, no payload sizes.
 */
#include "tiersim/models/lambda.h"

#include "tiersim/arena.h"
#include "tiersim/scn.h"
#include "tiersim/stats.h"

#include <math.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* --- configuration ------------------------------------------------------------------------- */

static const char *const runtime_names[] = {
#define XX(k, name, init) name,
    LAMBDA_RUNTIMES(XX)
#undef XX
        NULL};

static const double runtime_init_s[] = {
#define XX(k, name, init) init,
    LAMBDA_RUNTIMES(XX)
#undef XX
};

const char *lambda_runtime_name(enum lambda_runtime r)
{
    return runtime_names[r];
}

double lambda_cpu_share(uint32_t memory_mb)
{
    double s = (double)memory_mb / LAMBDA_MB_PER_VCPU;
    return s < 1.0 ? s : 1.0;
}

static const char *const scaling_names[] = {"current", "pre-2023", NULL};

bool lambda_account_config_from_json(struct scn_obj *o, struct lambda_account_config *c)
{
    struct scn *s = o->s;
    unsigned before = scn_error_count(s);
    memset(c, 0, sizeof *c);
    c->concurrency = (uint32_t)scn_int(o, "concurrency", 1000, 1, 10000000); /* LAM-1 */
    c->scaling = (enum lambda_scaling)scn_enum(o, "scaling", scaling_names,
                                               LAMBDA_SCALING_CURRENT);
    c->burst = 3000; /* LAM-3: us-east-1, us-west-2, eu-west-1 */
    c->burst_rate = 500;
    if (c->scaling == LAMBDA_SCALING_PRE2023) {
        c->burst = (uint32_t)scn_int(o, "burst", 3000, 1, 10000000);
        c->burst_rate = (uint32_t)scn_int(o, "burst_rate", 500, 1, 1000000);
    } else {
        static const char *const old[] = {"burst", "burst_rate"};
        for (int i = 0; i < 2; i++) {
            cJSON *v = scn_member(o, old[i]);
            if (v)
                scn_error(s, v, true,
                          "\"%s\" belongs to the pre-2023 scaling model (LAM-3): give "
                          "\"scaling\": \"pre-2023\" with it, or leave it out",
                          old[i]);
        }
    }
    return scn_error_count(s) == before;
}

bool lambda_config_from_json(struct scn_obj *o, struct lambda_config *c, struct arena *a)
{
    memset(c, 0, sizeof *c);
    struct scn *s = o->s;
    unsigned before = scn_error_count(s);
    c->memory_mb = (uint32_t)scn_int(o, "memory_mb", 128, 128, 10240); /* LAM-16 */
    c->runtime = LAMBDA_RT_PYTHON312;
    const char *rt = scn_str(o, "runtime", "python3.12");
    if (rt) {
        unsigned n = 0, k;
        while (runtime_names[n])
            n++;
        for (k = 0; k < n && strcmp(runtime_names[k], rt) != 0; k++)
            ;
        if (k < n) {
            c->runtime = (enum lambda_runtime)k;
        } else {
            /* AWS has more runtimes than tiersim has Init figures for (LAM-12) */
            char list[256];
            scn_join(list, sizeof list, runtime_names, n);
            const char *near = scn_nearest(rt, runtime_names, n);
            char mean[96] = "";
            if (near)
                snprintf(mean, sizeof mean, " (did you mean \"%s\"?)", near);
            scn_error(s, scn_member(o, "runtime"), false,
                      "unknown runtime \"%s\"%s: tiersim has Init figures (LAM-12) for %s; for "
                      "another runtime, give the nearest one and an \"init\" of your own",
                      rt, mean, list);
        }
    }
    /* the runtime's measured hello-world Init at 128 MB (LAM-12) as the mean; the spread
     * (sd a quarter of the mean) is tiersim's choice: LAM-12 gives averages only */
    double m = runtime_init_s[c->runtime];
    char def[128];
    snprintf(def, sizeof def, "{\"dist\": \"lognormal\", \"mean\": \"%gms\", \"sd\": \"%gms\"}",
             1e3 * m, 1e3 * m / 4.0);
    dist_read(o, "init", def, &c->init, a);
    c->timeout = scn_dur(o, "timeout", 3, (struct scn_bound){0.0, 900.0, true, false});
    dist_read(o, "idle_lifetime", "{\"dist\": \"const\", \"value\": 420}", &c->idle_lifetime, a);
    c->azs_at = scn_az_names(o, "azs", &c->azs, &c->nazs, a);
    /* absent: no reservation (nothing to write into the scenario as run) */
    c->reserved_at = scn_member(o, "reserved_concurrency");
    if (c->reserved_at) {
        int64_t v = 0;
        c->has_reserved = scn_as_int(s, c->reserved_at, 0, 10000000, &v);
        c->reserved = (uint32_t)v;
    }
    c->provisioned = (uint32_t)scn_int(o, "provisioned_concurrency", 0, 0, 10000000);
    c->provisioned_at = scn_member(o, "provisioned_concurrency");
    if (c->has_reserved && c->provisioned > c->reserved)
        scn_error(s, c->provisioned_at, false,
                  "must be at most reserved_concurrency (%u), got %u: provisioned "
                  "environments count in the function's reserved pool (LAM-6)",
                  c->reserved, c->provisioned);
    c->maximum_event_age = scn_dur(o, "maximum_event_age", 21600, SCN_IN(60, 21600)); /* LAM-8 */
    c->maximum_retry_attempts = (uint32_t)scn_int(o, "maximum_retry_attempts", 2, 0, 2);
    cJSON *h = scn_member_req(o, "handlers");
    c->handlers_at = h;
    handlers_read(s, h, &c->handlers, &c->nhandlers, a);
    return scn_error_count(s) == before;
}

void lambda_config_release(struct lambda_config *c)
{
    handlers_release(c->handlers, c->nhandlers);
    dist_release(&c->init);
    dist_release(&c->idle_lifetime);
}

const struct program *lambda_program(const struct lambda_config *c, const char *cls)
{
    return handlers_find(c->handlers, c->nhandlers, cls);
}

/* --- the account --------------------------------------------------------------------------- */

/* Scaling rates as token buckets kept in ns: a token is `period` ns of refill, the level
 * grows by the time elapsed and is capped. Integer arithmetic: no drift over a long run. */
#define CUR_PERIOD   (10 * SIM_NS_PER_S / 1000) /* LAM-2: 1,000 environments per 10 s */
#define CUR_CAPACITY (1000 * CUR_PERIOD)         /* ... and no more saved up than that */

struct lambda_account {
    const struct lambda_account_config *cfg;
    uint32_t unreserved_cap;  /* concurrency less every function's own pool */
    uint32_t unreserved_busy; /* invocations running on the shared part */
    uint32_t envs;            /* on-demand environments, every function (pre-2023) */
    int64_t level, level_at;  /* pre-2023: the bucket beyond the burst (ns), and when; it
                                 holds at most two tokens: the rate does not accumulate, but
                                 a token that falls due between two arrivals is not lost */
    int64_t period;           /* pre-2023: ns per environment beyond the burst */
};

struct lambda_account *lambda_account_new(const struct lambda_account_config *c)
{
    struct lambda_account *a = ts_calloc(1, sizeof *a);
    a->cfg = c;
    a->unreserved_cap = c->concurrency;
    a->period = (int64_t)llround(60e9 / (double)(c->burst_rate ? c->burst_rate : 1u));
    a->level = 0; /* empty: from zero a step gets exactly the burst at once */
    return a;
}

void lambda_account_free(struct lambda_account *a)
{
    free(a);
}

/* Refill a bucket to `now` and take one token if there is one. */
static bool bucket_take(int64_t *level, int64_t *at, int64_t now, int64_t period, int64_t cap)
{
    int64_t l = *level + (now - *at);
    *level = l > cap ? cap : l;
    *at = now;
    if (*level < period)
        return false;
    *level -= period;
    return true;
}

/* --- state ------------------------------------------------------------------------------------ */

enum env_state {
    ENV_FREE, /* in the pool, no environment */
    ENV_PROV, /* a provisioned environment initialising (after a fault), no invocation */
    ENV_BUSY, /* running an invocation: its network hop, Init (cold) and handler */
    ENV_IDLE, /* frozen, waiting for an invocation */
};

struct env {
    struct prog_host host; /* first: a request's frame names the environment (host.comp);
                              host.held holds its one invocation */
    struct lambda *fn;
    struct env *prev, *next; /* its idle list, or the pool's free list (next) */
    enum env_state state;
    bool provisioned;
    bool stale;              /* reset after a timeout: its next invocation runs Init */
    uint32_t id;
    struct request *req;     /* the invocation it runs, or NULL */
    int64_t billed_from;     /* ns, the invocation reached it: Init or handler starts */
    int64_t handler_at;      /* ns, the handler started */
    evq_handle timeout_ev;   /* the function's timeout of the running handler */
    evq_handle idle_ev;      /* its reclaim, while idle (on-demand) */
    evq_handle prov_ev;      /* the end of a provisioned environment's Init */
    char name[64];
};

#define ENV_CHUNK 64

struct env_chunk {
    struct env_chunk *next;
    struct env e[ENV_CHUNK];
};

struct env_list {
    struct env *head, *tail;
    uint32_t n;
};

struct lambda {
    struct component comp;   /* the function (regional): callers name it */
    struct component poller; /* the bottom frame of its asynchronous events */
    const struct lambda_config *cfg;
    struct lambda_account *acct;
    const char *const *azs; /* the scenario's */
    uint32_t nazs;
    bool *uses_az;          /* the AZs its environments go to */
    uint32_t *az_down;      /* outages under way, by AZ */
    uint32_t *az_envs;      /* environments, by AZ */
    struct req_pool *pool;
    struct prog_env env;    /* what its environments' programs share */
    gsl_rng *rng_init, *rng_idle;
    double cpu_share;       /* of one vCPU (LAM-16) */
    double gb;              /* memory, GB (LAM-17: GB-s) */
    uint32_t own_cap;       /* invocations it may run on its own pool: reserved, or else its
                               provisioned environments' worth */

    struct env_chunk *chunks;
    struct env *free;
    struct env_list idle, pidle; /* idle on-demand (most recently used first), provisioned */
    uint32_t next_id;
    uint32_t nenv, nbusy, nprov_busy, prov_missing; /* provisioned lost, to initialise again */
    int64_t level, level_at; /* the current scaling model's bucket (ns) */

    struct lambda_counts n, n_ts, n_warm; /* since the start; at the last row; at warm-up */
    struct tavg busy, prov_busy;
    double a_ts[2], a_warm[2];
    uint32_t max_ts, max_run;  /* most busy at once, this interval / since the warm-up */
    uint32_t events_waiting;   /* asynchronous events waiting for a retry */
    struct hist dur;           /* handler durations (s) ended this interval */
    bool throttling;           /* the last row had throttles (for the log) */
    uint64_t episode_limit, episode_rate; /* throttles of the episode under way */
    int64_t episode_from;
    uint32_t c_ts, c_sum;
};

#define FN_OF(c, member) ((struct lambda *)((char *)(c)-offsetof(struct lambda, member)))

static void list_push_front(struct env_list *l, struct env *e)
{
    e->prev = NULL;
    e->next = l->head;
    if (l->head)
        l->head->prev = e;
    else
        l->tail = e;
    l->head = e;
    l->n++;
}

static void list_push_back(struct env_list *l, struct env *e)
{
    e->next = NULL;
    e->prev = l->tail;
    if (l->tail)
        l->tail->next = e;
    else
        l->head = e;
    l->tail = e;
    l->n++;
}

static void list_remove(struct env_list *l, struct env *e)
{
    if (e->prev)
        e->prev->next = e->next;
    else
        l->head = e->next;
    if (e->next)
        e->next->prev = e->prev;
    else
        l->tail = e->prev;
    e->prev = e->next = NULL;
    l->n--;
}

/* --- concurrency -------------------------------------------------------------------------------- */

/* May one more invocation run (LAM-1, LAM-5, LAM-6)? Its own pool first, then (without a
 * reservation) the account's unreserved part. */
static bool slot_free(const struct lambda *fn)
{
    if (fn->nbusy < fn->own_cap)
        return true;
    return !fn->cfg->has_reserved && fn->acct->unreserved_busy < fn->acct->unreserved_cap;
}

static void take_slot(struct sim *sim, struct lambda *fn, const struct env *e)
{
    if (fn->nbusy >= fn->own_cap)
        fn->acct->unreserved_busy++;
    fn->nbusy++;
    tavg_add(&fn->busy, sim->now, 1.0);
    if (e->provisioned) {
        fn->nprov_busy++;
        tavg_add(&fn->prov_busy, sim->now, 1.0);
    }
    if (fn->nbusy > fn->max_ts)
        fn->max_ts = fn->nbusy;
    if (fn->nbusy > fn->max_run)
        fn->max_run = fn->nbusy;
}

static void give_slot(struct sim *sim, struct lambda *fn, const struct env *e)
{
    fn->nbusy--;
    if (fn->nbusy >= fn->own_cap)
        fn->acct->unreserved_busy--;
    tavg_add(&fn->busy, sim->now, -1.0);
    if (e->provisioned) {
        fn->nprov_busy--;
        tavg_add(&fn->prov_busy, sim->now, -1.0);
    }
}

/* May a new on-demand environment be created now (LAM-2, LAM-3)? Takes the token. */
static bool scaling_token(struct sim *sim, struct lambda *fn)
{
    struct lambda_account *a = fn->acct;
    switch (a->cfg->scaling) {
    case LAMBDA_SCALING_CURRENT:
        return bucket_take(&fn->level, &fn->level_at, sim->now, CUR_PERIOD, CUR_CAPACITY);
    case LAMBDA_SCALING_PRE2023:
        if (a->envs < a->cfg->burst) { /* the rate counts from the moment the burst is used */
            a->level = 0;
            a->level_at = sim->now;
            return true;
        }
        return bucket_take(&a->level, &a->level_at, sim->now, a->period, 2 * a->period);
    }
    return false;
}

/* --- environments ---------------------------------------------------------------------------- */

static const struct component_ops env_ops;

/* The function's usable AZ with the fewest of its environments, or -1 (all under outage). */
static int creation_az(const struct lambda *fn)
{
    int best = -1;
    for (uint32_t a = 0; a < fn->nazs; a++)
        if (fn->uses_az[a] && !fn->az_down[a] && (best < 0 || fn->az_envs[a] < fn->az_envs[best]))
            best = (int)a;
    return best;
}

static struct env *new_env(struct lambda *fn, uint32_t az, bool provisioned)
{
    if (!fn->free) {
        struct env_chunk *c = ts_calloc(1, sizeof *c);
        c->next = fn->chunks;
        fn->chunks = c;
        for (int i = ENV_CHUNK - 1; i >= 0; i--) {
            c->e[i].next = fn->free;
            fn->free = &c->e[i];
        }
    }
    struct env *e = fn->free;
    fn->free = e->next;
    memset(e, 0, sizeof *e);
    e->fn = fn;
    e->id = ++fn->next_id;
    snprintf(e->name, sizeof e->name, "%s/env-%u", fn->comp.name, e->id);
    e->host.comp.ops = &env_ops;
    e->host.comp.name = e->name;
    e->host.comp.az = (int)az;
    e->host.env = &fn->env;
    e->provisioned = provisioned;
    fn->nenv++;
    fn->az_envs[az]++;
    if (!provisioned) {
        fn->acct->envs++;
        fn->n.created++;
    }
    return e;
}

/* The environment is gone (reclaimed, or lost): back to the pool. */
static void drop_env(struct sim *sim, struct lambda *fn, struct env *e)
{
    sim_cancel(sim, e->idle_ev);
    sim_cancel(sim, e->prov_ev);
    sim_cancel(sim, e->timeout_ev);
    fn->nenv--;
    fn->az_envs[e->host.comp.az]--;
    if (!e->provisioned)
        fn->acct->envs--;
    e->state = ENV_FREE;
    e->req = NULL;
    e->idle_ev = e->prov_ev = e->timeout_ev = 0;
    e->next = fn->free;
    fn->free = e;
}

static void on_reclaim(struct sim *sim, void *ctx, uint64_t arg)
{
    (void)arg;
    struct env *e = ctx;
    struct lambda *fn = e->fn;
    e->idle_ev = 0;
    list_remove(&fn->idle, e);
    fn->n.reclaimed++;
    drop_env(sim, fn, e);
}

/* The invocation is over: the environment waits for the next (LAM-10), an on-demand one for
 * at most a draw of idle_lifetime (LAM-14). Most recently used first; a reset one last. */
static void go_idle(struct sim *sim, struct lambda *fn, struct env *e)
{
    e->state = ENV_IDLE;
    e->req = NULL;
    if (e->provisioned) {
        if (e->stale)
            list_push_back(&fn->pidle, e);
        else
            list_push_front(&fn->pidle, e);
        return;
    }
    if (e->stale)
        list_push_back(&fn->idle, e);
    else
        list_push_front(&fn->idle, e);
    int64_t life = sim_ns(dist_sample(&fn->cfg->idle_lifetime, fn->rng_idle));
    e->idle_ev = sim_after(sim, life, on_reclaim, e, 0);
}

/* An idle environment for the next invocation: provisioned first (LAM-6), then the most
 * recently used on-demand one. NULL: none. */
static struct env *take_idle(struct sim *sim, struct lambda *fn)
{
    struct env *e = fn->pidle.head;
    if (e) {
        list_remove(&fn->pidle, e);
        return e;
    }
    e = fn->idle.head;
    if (e) {
        list_remove(&fn->idle, e);
        sim_cancel(sim, e->idle_ev);
        e->idle_ev = 0;
    }
    return e;
}

/* --- invocations ------------------------------------------------------------------------------- */

static void count_end(struct lambda *fn, const struct env *e, int64_t now, int64_t handler_ns,
                      bool error)
{
    /* LAM-17: Init and handler billed together, rounded up to the millisecond */
    int64_t ns = now > e->billed_from ? now - e->billed_from : 0;
    int64_t ms = (ns + 999999) / 1000000;
    fn->n.gb_seconds += (double)ms * 1e-3 * fn->gb;
    if (e->provisioned)
        fn->n.gb_seconds_provisioned += (double)ms * 1e-3 * fn->gb;
    double d = sim_s(handler_ns);
    hist_add(&fn->dur, d);
    if (error)
        fn->n.errors++;
}

static void on_cpu_done(struct sim *sim, void *ctx, uint64_t arg)
{
    struct env *e = ctx;
    struct request *r = (struct request *)(uintptr_t)arg;
    req_top(r)->ev = 0;
    prog_cpu_done(sim, &e->host, r);
}

/* Program op: a CPU burst at the function's share of a vCPU (LAM-16). The environment runs
 * one invocation, so nothing queues. */
static void host_cpu(struct sim *sim, struct prog_host *h, struct request *r, int64_t demand)
{
    struct env *e = (struct env *)h;
    int64_t t = (int64_t)llround((double)demand / e->fn->cpu_share);
    req_top(r)->ev = sim_after(sim, t, on_cpu_done, e, (uint64_t)(uintptr_t)r);
}

/* Program op: the handler has ended (its last step, or a failed one: 500). */
static void host_done(struct sim *sim, struct prog_host *h, struct request *r,
                      enum req_status status)
{
    struct env *e = (struct env *)h;
    struct lambda *fn = e->fn;
    req_list_remove(&e->host.held, r, r->depth - 1u);
    sim_cancel(sim, e->timeout_ev);
    e->timeout_ev = 0;
    count_end(fn, e, sim->now, sim->now - e->handler_at, status != REQ_OK);
    give_slot(sim, fn, e);
    go_idle(sim, fn, e);
    comp_reply(sim, r, status);
}

static const struct prog_host_ops host_ops = {
    .cpu = host_cpu,
    .done = host_done,
};

/* The function's timeout (LAM-16): the handler is stopped, the invocation fails with 500,
 * the environment is reset (its next invocation runs Init again). */
static void on_fn_timeout(struct sim *sim, void *ctx, uint64_t arg)
{
    (void)arg;
    struct env *e = ctx;
    struct lambda *fn = e->fn;
    e->timeout_ev = 0;
    struct request *r = e->req;
    int level = req_level(r, &e->host.comp);
    TS_ASSERT(level > 0);
    struct request *c = prog_abandon(sim, &e->host, r, (unsigned)level);
    fn->n.timeouts++;
    count_end(fn, e, sim->now, fn->cfg->timeout, true);
    e->stale = true;
    give_slot(sim, fn, e);
    go_idle(sim, fn, e);
    comp_reply(sim, c, REQ_E500);
}

/* The invocation has reached its environment and (cold) run Init: the handler starts. */
static void on_handler_start(struct sim *sim, void *ctx, uint64_t arg)
{
    struct env *e = ctx;
    struct request *r = (struct request *)(uintptr_t)arg;
    req_top(r)->ev = 0;
    e->handler_at = sim->now;
    e->stale = false;
    e->timeout_ev = sim_after(sim, e->fn->cfg->timeout, on_fn_timeout, e, 0);
    prog_begin(sim, &e->host, r); /* may end at once: after the timer, which it cancels */
}

/* Run invocation r in environment e (busy from now): the network from the caller to e's
 * AZ, Init on a cold start, then the handler. */
static void invoke(struct sim *sim, struct lambda *fn, struct env *e, struct request *r,
                   bool cold)
{
    e->state = ENV_BUSY;
    e->req = r;
    take_slot(sim, fn, e);
    struct frame *f = req_top(r);
    f->comp = &e->host.comp; /* from here on the environment is the level's component */
    int64_t hop = comp_hop(r, e->host.comp.az);
    req_list_push(&e->host.held, r, r->depth - 1u);
    int64_t init = cold ? sim_ns(dist_sample(&fn->cfg->init, fn->rng_init)) : 0;
    e->billed_from = sim->now + hop;
    fn->n.invocations++;
    fn->n.cold_starts += cold;
    f->ev = sim_after(sim, hop + init, on_handler_start, e, (uint64_t)(uintptr_t)r);
}

static void throttle(struct sim *sim, struct lambda *fn, struct request *r, bool by_rate)
{
    fn->n.throttles++;
    if (by_rate) {
        fn->n.throttles_rate++;
        fn->episode_rate++;
    } else {
        fn->n.throttles_limit++;
        fn->episode_limit++;
    }
    comp_reply(sim, r, REQ_E429); /* LAM-7: at once; Lambda does not retry it */
}

static void queue_event(struct sim *sim, struct lambda *fn, struct request *r);

static void fn_accept(struct sim *sim, struct component *self, struct request *r)
{
    struct lambda *fn = FN_OF(self, comp);
    if (r->op == OP_EVENT) {
        queue_event(sim, fn, r);
        return;
    }
    if (!slot_free(fn)) {
        throttle(sim, fn, r, false);
        return;
    }
    struct env *e = take_idle(sim, fn);
    if (e) {
        invoke(sim, fn, e, r, e->stale);
        return;
    }
    int az = creation_az(fn);
    if (az < 0) { /* every AZ of the function is dark: the service cannot place it */
        fn->n.errors++;
        comp_reply(sim, r, REQ_E502);
        return;
    }
    if (!scaling_token(sim, fn)) {
        throttle(sim, fn, r, true);
        return;
    }
    invoke(sim, fn, new_env(fn, (uint32_t)az, false), r, true);
}

static void fn_resume(struct sim *sim, struct component *self, struct request *r)
{
    (void)sim;
    (void)self;
    (void)r;
    TS_ASSERT(0 && "a function's invocations are its environments' (no frame names it)");
}

/* A call its handler made has come back. */
static void env_resume(struct sim *sim, struct component *self, struct request *r)
{
    prog_resume(sim, (struct prog_host *)self, r);
}

static const struct component_ops env_ops = {
    .type = "lambda-environment",
    .accept = comp_accept_none,
    .resume = env_resume,
};

/* --- asynchronous invocation (LAM-8) ---------------------------------------------------------
 * An event is a request of its own whose bottom frame is the function's poller: aux holds
 * when it was queued (ns), tries the retries after function errors, aux2 those after
 * throttles and system errors. */

#define EVENT_BACKOFF_MIN (1 * SIM_NS_PER_S)
#define EVENT_BACKOFF_MAX (300 * SIM_NS_PER_S)
#define EVENT_RETRY_1     (60 * SIM_NS_PER_S) /* after the first function error, then twice */

static void send_event(struct sim *sim, struct lambda *fn, struct request *ev)
{
    ev->status = REQ_PENDING;
    ev->op = OP_HTTP;
    ev->arg = 0;
    comp_call(sim, ev, &fn->comp);
}

static void queue_event(struct sim *sim, struct lambda *fn, struct request *r)
{
    struct request *ev = req_new(fn->pool);
    ev->id = r->id;
    ev->t_arrival = sim->now;
    ev->cls = r->cls;
    ev->counted = r->counted;
    ev->depth = 1;
    memset(&ev->stack[0], 0, sizeof ev->stack[0]);
    ev->stack[0].comp = &fn->poller;
    ev->stack[0].az = -1;
    ev->stack[0].aux = sim->now;
    fn->n.events++;
    comp_reply(sim, r, REQ_OK); /* 202 Accepted */
    send_event(sim, fn, ev);
}

static void on_event_retry(struct sim *sim, void *ctx, uint64_t arg)
{
    struct lambda *fn = ctx;
    struct request *ev = (struct request *)(uintptr_t)arg;
    ev->stack[0].ev = 0;
    fn->events_waiting--;
    send_event(sim, fn, ev);
}

static void poller_resume(struct sim *sim, struct component *self, struct request *ev)
{
    struct lambda *fn = FN_OF(self, poller);
    struct frame *f = &ev->stack[0];
    int64_t pause;
    if (ev->status == REQ_OK) {
        fn->n.events_done++;
        req_free(ev->pool, ev);
        return;
    }
    if (ev->status == REQ_E500) { /* a function error: two more tries, 1 min then 2 min */
        if (f->tries >= fn->cfg->maximum_retry_attempts) {
            fn->n.events_dropped++;
            req_free(ev->pool, ev);
            return;
        }
        pause = EVENT_RETRY_1 << f->tries++;
    } else { /* throttled, or a system error: back off from 1 s to 5 min */
        int k = f->aux2 < 40 ? (int)f->aux2 : 40;
        f->aux2++;
        pause = EVENT_BACKOFF_MIN << k;
        if (pause > EVENT_BACKOFF_MAX || pause <= 0)
            pause = EVENT_BACKOFF_MAX;
    }
    if (sim->now + pause - f->aux > fn->cfg->maximum_event_age) {
        fn->n.events_dropped++;
        req_free(ev->pool, ev);
        return;
    }
    fn->events_waiting++;
    f->ev = sim_after(sim, pause, on_event_retry, fn, (uint64_t)(uintptr_t)ev);
}

static const struct component_ops poller_ops = {
    .type = "lambda-events",
    .accept = comp_accept_none,
    .resume = poller_resume,
};

/* --- faults -------------------------------------------------------------------------------------
 * AZ outage (AZ-6): the environments in the AZ are lost; what they ran ends with 502 (its
 * calls go on downstream); no environment is created there until the AZ is back. Lost
 * provisioned environments are initialised again (an init draw) in the function's other AZs,
 * or when an AZ comes back if none is usable. */

static void provision(struct sim *sim, struct lambda *fn);

static void on_prov_ready(struct sim *sim, void *ctx, uint64_t arg)
{
    (void)arg;
    struct env *e = ctx;
    e->prov_ev = 0;
    go_idle(sim, e->fn, e);
}

/* Initialise the provisioned environments that were lost, where an AZ takes them. */
static void provision(struct sim *sim, struct lambda *fn)
{
    while (fn->prov_missing) {
        int az = creation_az(fn);
        if (az < 0)
            return;
        fn->prov_missing--;
        struct env *e = new_env(fn, (uint32_t)az, true);
        e->state = ENV_PROV;
        e->prov_ev = sim_after(sim, sim_ns(dist_sample(&fn->cfg->init, fn->rng_init)),
                               on_prov_ready, e, 0);
    }
}

static uint32_t fault_az_down(struct sim *sim, struct lambda *fn, uint32_t az, const char *cause)
{
    fn->az_down[az]++;
    uint32_t lost = 0, busy = 0, prov = 0, n = 0;
    struct request **ends = ts_malloc((fn->nbusy ? fn->nbusy : 1u) * sizeof *ends);
    for (struct env_chunk *c = fn->chunks; c; c = c->next)
        for (int i = 0; i < ENV_CHUNK; i++) {
            struct env *e = &c->e[i];
            if (e->state == ENV_FREE || e->host.comp.az != (int)az)
                continue;
            if (e->state == ENV_IDLE)
                list_remove(e->provisioned ? &fn->pidle : &fn->idle, e);
            if (e->state == ENV_BUSY) {
                int level = req_level(e->req, &e->host.comp);
                TS_ASSERT(level > 0 && n < (fn->nbusy ? fn->nbusy : 1u));
                ends[n++] = prog_abandon(sim, &e->host, e->req, (unsigned)level);
                /* the handler runs once its timeout is set (before: the hop or Init) */
                count_end(fn, e, sim->now, e->timeout_ev ? sim->now - e->handler_at : 0, true);
                fn->n.lost++;
                give_slot(sim, fn, e);
                busy++;
            }
            if (e->provisioned) {
                fn->prov_missing++;
                prov++;
            }
            lost++;
            drop_env(sim, fn, e);
        }
    if (lost || fn->uses_az[az])
        sim_log(sim, fn->comp.name, "az_down",
                "power lost in %s: %u environments lost (%u running an invocation, ended with "
                "502; %u provisioned, initialised again elsewhere); none created there until "
                "it is back: %s",
                fn->azs[az], lost, busy, prov, cause ? cause : "fault");
    provision(sim, fn);
    for (uint32_t k = 0; k < n; k++)
        comp_reply(sim, ends[k], REQ_E502);
    free(ends);
    return lost;
}

static uint32_t fn_fault(struct sim *sim, struct component *self, const struct fault_action *a)
{
    struct lambda *fn = FN_OF(self, comp);
    if (a->az < 0 || (uint32_t)a->az >= fn->nazs)
        return 0;
    switch (a->op) {
    case FAULT_AZ_DOWN:
        return fault_az_down(sim, fn, (uint32_t)a->az, a->cause);
    case FAULT_AZ_UP:
        if (fn->az_down[a->az])
            fn->az_down[a->az]--;
        if (fn->uses_az[a->az])
            sim_log(sim, fn->comp.name, "az_up", "power back in %s: environments may go there "
                    "again: %s", fn->azs[a->az], a->cause ? a->cause : "fault");
        provision(sim, fn);
        return 0;
    case FAULT_AZ_LAUNCHES:
    case FAULT_INSTANCES:
    case FAULT_FAILOVER:
    case FAULT_NODE:
    case FAULT_GRAY_START:
    case FAULT_GRAY_END:
    case FAULT_SHIFT_START:
    case FAULT_SHIFT_END:
        break;
    }
    return 0;
}

/* --- metrics ------------------------------------------------------------------------------------ */

enum {
    TS_CONC,
    TS_CONC_MAX,
    TS_ENVS,
    TS_INVOC,
    TS_COLD,
    TS_COLD_PCT,
    TS_THROTTLES,
    TS_ERRORS,
    TS_PROV_UTIL,
    TS_GBS,
    TS_P99,
    TS_EVQ,
    TS_EVDROP,
    TS_AZ0
};

static void areas(const struct lambda *fn, int64_t now, double out[2])
{
    out[0] = tavg_area(&fn->busy, now);
    out[1] = tavg_area(&fn->prov_busy, now);
}

static double pct(uint64_t part, uint64_t whole)
{
    return whole ? 100.0 * (double)part / (double)whole : TS_NAN;
}

/* A throttling episode in the event log: one row when an interval with throttles follows one
 * without, one when it ends, with the counts by cause. */
static void log_throttling(struct sim *sim, struct lambda *fn, uint64_t throttles)
{
    const struct lambda_account_config *ac = fn->acct->cfg;
    char limit[96];
    if (fn->cfg->has_reserved)
        snprintf(limit, sizeof limit, "reserved_concurrency %u", fn->cfg->reserved);
    else
        snprintf(limit, sizeof limit, "account concurrency %u, %u of it reserved", ac->concurrency,
                 ac->concurrency - fn->acct->unreserved_cap);
    const char *rate = ac->scaling == LAMBDA_SCALING_CURRENT
                           ? "1000 new environments per 10 s (LAM-2)"
                           : "the account's burst then burst_rate per minute (LAM-3)";
    if (throttles && !fn->throttling) {
        fn->throttling = true;
        fn->episode_from = sim->now - sim->interval;
        if (fn->episode_from < 0)
            fn->episode_from = 0;
        sim_log(sim, fn->comp.name, "throttling",
                "429s in the interval ending now: %llu at the concurrency limit (%s), %llu at "
                "the scaling rate (%s) (LAM-7)",
                (unsigned long long)fn->episode_limit, limit, (unsigned long long)fn->episode_rate,
                rate);
    } else if (!throttles && fn->throttling) {
        fn->throttling = false;
        sim_log(sim, fn->comp.name, "throttling_over",
                "no 429 in the last interval; since t=%.0f s: %llu at the concurrency limit, %llu "
                "at the scaling rate",
                sim_s(fn->episode_from), (unsigned long long)fn->episode_limit,
                (unsigned long long)fn->episode_rate);
        fn->episode_limit = fn->episode_rate = 0;
    }
    if (!fn->throttling)
        fn->episode_limit = fn->episode_rate = 0;
}

static void report_ts(struct sim *sim, void *ctx, double *row, int64_t span)
{
    struct lambda *fn = ctx;
    double a[2];
    areas(fn, sim->now, a);
    double busy = a[0] - fn->a_ts[0], prov = a[1] - fn->a_ts[1];
    fn->a_ts[0] = a[0];
    fn->a_ts[1] = a[1];
    const struct lambda_counts *n = &fn->n, *o = &fn->n_ts;
    double s = sim_s(span);
    double *c = row + fn->c_ts;
    uint64_t inv = n->invocations - o->invocations, cold = n->cold_starts - o->cold_starts;
    uint64_t thr = n->throttles - o->throttles;
    c[TS_CONC] = busy / (double)span;
    c[TS_CONC_MAX] = fn->max_ts;
    c[TS_ENVS] = fn->nenv;
    c[TS_INVOC] = (double)inv / s;
    c[TS_COLD] = (double)cold / s;
    c[TS_COLD_PCT] = pct(cold, inv);
    c[TS_THROTTLES] = (double)thr / s;
    c[TS_ERRORS] = (double)(n->errors - o->errors) / s;
    c[TS_PROV_UTIL] =
        fn->cfg->provisioned ? 100.0 * prov / ((double)span * fn->cfg->provisioned) : TS_NAN;
    c[TS_GBS] = n->gb_seconds - o->gb_seconds;
    c[TS_P99] = fn->dur.n ? 1e3 * hist_quantile(&fn->dur, 0.99) : TS_NAN;
    c[TS_EVQ] = fn->events_waiting;
    c[TS_EVDROP] = (double)(n->events_dropped - o->events_dropped) / s;
    for (uint32_t z = 0; z < fn->nazs; z++)
        c[TS_AZ0 + z] = fn->az_envs[z];
    fn->n_ts = fn->n;
    fn->max_ts = fn->nbusy;
    hist_reset(&fn->dur);
    log_throttling(sim, fn, thr);
}

enum {
    SUM_INVOC,
    SUM_COLD,
    SUM_COLD_PCT,
    SUM_THROTTLES,
    SUM_ERRORS,
    SUM_TIMEOUTS,
    SUM_GBS,
    SUM_CONC_MEAN,
    SUM_CONC_MAX,
    SUM_ENVS_CREATED,
    SUM_EVENTS,
    SUM_EVDROP,
};

static void report_summary(struct sim *sim, void *ctx, double *row, int64_t span)
{
    struct lambda *fn = ctx;
    const struct lambda_counts *n = &fn->n, *w = &fn->n_warm;
    double *c = row + fn->c_sum;
    if (span <= 0)
        return;
    double a[2];
    areas(fn, sim->now, a);
    c[SUM_INVOC] = (double)(n->invocations - w->invocations);
    c[SUM_COLD] = (double)(n->cold_starts - w->cold_starts);
    c[SUM_COLD_PCT] = pct(n->cold_starts - w->cold_starts, n->invocations - w->invocations);
    c[SUM_THROTTLES] = (double)(n->throttles - w->throttles);
    c[SUM_ERRORS] = (double)(n->errors - w->errors);
    c[SUM_TIMEOUTS] = (double)(n->timeouts - w->timeouts);
    c[SUM_GBS] = n->gb_seconds - w->gb_seconds;
    c[SUM_CONC_MEAN] = (a[0] - fn->a_warm[0]) / (double)span;
    c[SUM_CONC_MAX] = fn->max_run;
    c[SUM_ENVS_CREATED] = (double)(n->created - w->created);
    c[SUM_EVENTS] = (double)(n->events - w->events);
    c[SUM_EVDROP] = (double)(n->events_dropped - w->events_dropped);
}

static void on_warmup_end(struct sim *sim, void *ctx, uint64_t arg)
{
    (void)arg;
    struct lambda *fn = ctx;
    areas(fn, sim->now, fn->a_warm);
    fn->n_warm = fn->n;
    fn->max_run = fn->nbusy;
}

/* --- life ---------------------------------------------------------------------------------------- */

static const struct component_ops fn_ops = {
    .type = "lambda",
    .accept = fn_accept,
    .resume = fn_resume,
    .fault = fn_fault,
};

struct component *lambda_component(struct lambda *fn)
{
    return &fn->comp;
}

struct lambda *lambda_new(struct sim *sim, const char *name, const struct lambda_config *c,
                          struct lambda_account *acct, const char *const *azs, uint32_t nazs,
                          struct req_pool *pool)
{
    struct lambda *fn = ts_calloc(1, sizeof *fn);
    fn->comp.ops = &fn_ops;
    fn->comp.name = name;
    fn->comp.az = -1;
    fn->poller.ops = &poller_ops;
    fn->poller.name = name;
    fn->poller.az = -1;
    fn->cfg = c;
    fn->acct = acct;
    fn->azs = azs;
    fn->nazs = nazs ? nazs : 1u;
    fn->uses_az = ts_calloc(fn->nazs, sizeof *fn->uses_az);
    fn->az_down = ts_calloc(fn->nazs, sizeof *fn->az_down);
    fn->az_envs = ts_calloc(fn->nazs, sizeof *fn->az_envs);
    for (uint32_t a = 0; a < fn->nazs; a++) {
        fn->uses_az[a] = c->nazs == 0;
        for (uint32_t k = 0; k < c->nazs && azs; k++)
            fn->uses_az[a] |= strcmp(c->azs[k], azs[a]) == 0;
    }
    fn->pool = pool;
    fn->rng_init = sim_rng(sim, name, "init");
    fn->rng_idle = sim_rng(sim, name, "idle");
    fn->cpu_share = lambda_cpu_share(c->memory_mb);
    fn->gb = (double)c->memory_mb / 1024.0;
    fn->own_cap = c->has_reserved ? c->reserved : c->provisioned;
    TS_ASSERT(acct->unreserved_cap >= fn->own_cap); /* checked with the scenario (LAM-5) */
    acct->unreserved_cap -= fn->own_cap;
    fn->level = CUR_CAPACITY; /* full: a function that has been quiet may scale at once */
    hist_init(&fn->dur);
    return fn;
}

void lambda_start(struct sim *sim, struct lambda *fn, const char *const *classes,
                  uint32_t nclasses, prog_lookup_fn lookup, void *lookup_ctx)
{
    const char *n = fn->comp.name;
    prog_env_init(&fn->env, sim, n, &host_ops, fn->cfg->handlers, fn->cfg->nhandlers, classes,
                  nclasses, lookup, lookup_ctx);
    fn->c_ts = sim_column(&sim->ts, 3, "%s.concurrency", n);
    sim_column(&sim->ts, 0, "%s.concurrency_max", n);
    sim_column(&sim->ts, 0, "%s.environments", n);
    sim_column(&sim->ts, 3, "%s.invocations_rps", n);
    sim_column(&sim->ts, 3, "%s.cold_starts_ps", n);
    sim_column(&sim->ts, 2, "%s.cold_start_pct", n);
    sim_column(&sim->ts, 3, "%s.throttles_rps", n);
    sim_column(&sim->ts, 3, "%s.errors_rps", n);
    sim_column(&sim->ts, 2, "%s.provisioned_util_pct", n);
    sim_column(&sim->ts, 3, "%s.gb_seconds", n);
    sim_column(&sim->ts, 3, "%s.duration_p99_ms", n);
    sim_column(&sim->ts, 0, "%s.events_queued", n);
    sim_column(&sim->ts, 3, "%s.events_dropped_ps", n);
    for (uint32_t a = 0; a < fn->nazs; a++)
        sim_column(&sim->ts, 0, "%s.environments.%s", n, fn->azs ? fn->azs[a] : "az");
    sim_reporter(&sim->ts, report_ts, fn);
    fn->c_sum = sim_column(&sim->summary, 0, "%s.invocations", n);
    sim_column(&sim->summary, 0, "%s.cold_starts", n);
    sim_column(&sim->summary, 3, "%s.cold_start_pct", n);
    sim_column(&sim->summary, 0, "%s.throttles", n);
    sim_column(&sim->summary, 0, "%s.errors", n);
    sim_column(&sim->summary, 0, "%s.timeouts", n);
    sim_column(&sim->summary, 3, "%s.gb_seconds", n);
    sim_column(&sim->summary, 3, "%s.concurrency_mean", n);
    sim_column(&sim->summary, 0, "%s.concurrency_max", n);
    sim_column(&sim->summary, 0, "%s.environments_created", n);
    sim_column(&sim->summary, 0, "%s.events", n);
    sim_column(&sim->summary, 0, "%s.events_dropped", n);
    sim_reporter(&sim->summary, report_summary, fn);
    /* provisioned concurrency: initialised before the run starts, ready at t = 0 (LAM-6) */
    for (uint32_t i = 0; i < fn->cfg->provisioned; i++) {
        int az = creation_az(fn);
        TS_ASSERT(az >= 0);
        struct env *e = new_env(fn, (uint32_t)az, true);
        go_idle(sim, fn, e);
    }
    if (fn->cfg->provisioned) {
        char spread[256];
        size_t len = 0;
        spread[0] = '\0';
        for (uint32_t a = 0; a < fn->nazs && len < sizeof spread; a++)
            if (fn->uses_az[a]) {
                int w = snprintf(spread + len, sizeof spread - len, "%s%s %u", len ? ", " : "",
                                 fn->azs ? fn->azs[a] : "az", fn->az_envs[a]);
                len += w > 0 ? (size_t)w : 0;
            }
        sim_log(sim, n, "provisioned",
                "%u environments initialised before the start (%s): used first, never "
                "reclaimed (LAM-6)",
                fn->cfg->provisioned, spread);
    }
    sim_at(sim, sim->warmup, on_warmup_end, fn, 0);
}

void lambda_free(struct lambda *fn)
{
    if (!fn)
        return;
    struct env_chunk *c = fn->chunks;
    while (c) {
        struct env_chunk *next = c->next;
        free(c);
        c = next;
    }
    prog_env_release(&fn->env);
    hist_release(&fn->dur);
    free(fn->uses_az);
    free(fn->az_down);
    free(fn->az_envs);
    free(fn);
}

void lambda_counts(const struct lambda *fn, struct lambda_counts *out)
{
    *out = fn->n;
}

void lambda_envs(const struct lambda *fn, uint32_t *busy, uint32_t *idle, uint32_t *provisioned)
{
    *busy = fn->nbusy;
    *idle = fn->idle.n + fn->pidle.n;
    uint32_t p = 0;
    for (const struct env_chunk *c = fn->chunks; c; c = c->next)
        for (int i = 0; i < ENV_CHUNK; i++)
            p += c->e[i].state != ENV_FREE && c->e[i].provisioned;
    *provisioned = p;
}
