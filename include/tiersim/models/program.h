/* program.h — a service's work per request class: a short step program (DESIGN.md,
 * "Requests and components") that a host runs for each request it accepts. The host is an
 * EC2 instance today (a Lambda function later): it owns the vCPUs and the worker slots,
 * this module runs everything else — calls with timeouts and retries, cache gets and sets,
 * database queries, delays and branches.
 *
 * Steps, as written in a fleet's `handlers`:
 *   {"cpu": dist}                              use a vCPU for a draw of dist (s)
 *   {"call": "<alb>"|"<lambda>", timeout?, retry?, invocation?}
 *                                              a synchronous call; an error fails the handler;
 *                                              "invocation": "event" invokes a Lambda function
 *                                              asynchronously (OK at once, LAM-8)
 *   {"cache": "<cache>", "on_miss": [steps], timeout?, retry?}
 *                                              get; on a miss run on_miss, then set the key
 *   {"db": "<rds>", "op": "read"|"write", "demand"?: dist, timeout?, retry?}
 *   {"dynamodb": "<table>", "op": "read"|"write", "units"?: n, "consistent_read"?: bool,
 *    timeout?, retry?}                         one request to a table; by default retried
 *                                              as an AWS SDK's standard mode does
 *   {"delay": dist}                            wait (an external dependency), holding the slot
 *   {"p": 0.1, "then": [steps], "else"?: [steps]}  a branch
 * A request holds its worker slot from acceptance to reply, also while it waits on a call.
 */
#ifndef TIERSIM_MODELS_PROGRAM_H
#define TIERSIM_MODELS_PROGRAM_H

#include "tiersim/dist.h"
#include "tiersim/models/component.h"
#include "tiersim/sim.h"

#include <stdbool.h>
#include <stdint.h>

struct scn;
struct scn_obj;
struct arena;
struct cJSON;

/* --- timeouts and retries ------------------------------------------------------------------- */

/* How a caller (a step, or the client) waits and tries again. Attempt k (k >= 1) that fails
 * (an error, or no answer within `timeout`) is followed, while k < max_attempts, by a pause
 * drawn uniformly from [0, min(cap, base * 2^(k-1))] — exponential backoff with "full
 * jitter" — and attempt k + 1. A timed-out attempt is abandoned, not stopped: the work it
 * started goes on and holds the servers doing it. */
struct retry_config {
    int64_t timeout;       /* ns an attempt may take; 0: no timeout */
    uint32_t max_attempts; /* >= 1; 1: no retry */
    int64_t base, cap;     /* ns, the backoff's scale and ceiling */
};

#define RETRY_NONE ((struct retry_config){.timeout = 0, .max_attempts = 1, .base = 0, .cap = 0})

/* Read the optional keys `timeout` and `retry` ({"max_attempts", "base", "cap"}) of an
 * object into *r (defaults: no timeout, 1 attempt, base 100 ms, cap 20 s). */
void retry_config_read(struct scn_obj *o, struct retry_config *r);

/* An AWS SDK's standard retry mode (docs/models/dynamodb.md § Retries): 3 attempts, a pause
 * uniform on [0, min(20 s, 1 s x 2^(k-1))] after attempt k (botocore's standard mode). */
#define RETRY_SDK_STANDARD                                                                     \
    ((struct retry_config){.timeout = 0, .max_attempts = 3, .base = SIM_NS_PER_S,             \
                           .cap = 20 * SIM_NS_PER_S})

/* The same with defaults of its own: without `retry` the step retries as *def says (written
 * into the scenario as run), and a `retry` object takes its missing keys from *def. */
void retry_config_read_with(struct scn_obj *o, struct retry_config *r,
                            const struct retry_config *def);

/* The pause (ns) after failed attempt `k` (1-based), drawn from rng. */
int64_t retry_backoff(const struct retry_config *r, uint32_t k, const gsl_rng *rng);

/* --- programs ---------------------------------------------------------------------------------- */

/* A program is compiled to a flat list of operations with jumps: a cache step becomes GET
 * (which jumps past the miss path on a hit), the miss path, then SET; a branch becomes
 * BRANCH (which jumps to the else part when its draw fails), the then part, JUMP to the end,
 * the else part. */
#define POP_KINDS(XX)                                                                          \
    XX(CPU, "cpu")                                                                             \
    XX(CALL, "call")                                                                           \
    XX(CACHE_GET, "cache get")                                                                 \
    XX(CACHE_SET, "cache set")                                                                 \
    XX(DB, "db")                                                                               \
    XX(DDB, "dynamodb")                                                                        \
    XX(DELAY, "delay")                                                                         \
    XX(BRANCH, "branch")                                                                       \
    XX(JUMP, "jump")

enum pop_kind {
#define XX(k, _) POP_##k,
    POP_KINDS(XX)
#undef XX
};

/* The type of component a step refers to; the world checks the references. TARGET_ALB is a
 * call's: an alb, or a Lambda function. */
enum pop_target { TARGET_NONE, TARGET_ALB, TARGET_CACHE, TARGET_RDS, TARGET_DYNAMODB };

struct pop {
    enum pop_kind kind;
    struct dist d;        /* CPU and DELAY: s; DB: the query's demand (s of one vCPU) */
    bool has_d;           /* DB: a demand of the step's own (else the database's) */
    const char *target;   /* CALL, CACHE_*, DB, DDB: the component's name */
    const struct cJSON *target_at; /* its place, for reference errors */
    enum pop_target target_type;
    uint8_t db_op;        /* DB: OP_DB_READ or OP_DB_WRITE; DDB: OP_DDB_READ or OP_DDB_WRITE */
    uint8_t call_op;      /* CALL: OP_HTTP, or OP_EVENT ("invocation": "event") */
    const struct cJSON *invocation_at; /* CALL: the "invocation" given, or NULL */
    uint64_t arg;         /* DDB: r->arg of every attempt, ddb_units_arg (half units) */
    double p;             /* BRANCH: probability of the then part */
    uint32_t jump;        /* CACHE_GET: where a hit goes; BRANCH: where a failed draw goes;
                             JUMP: where it goes */
    struct retry_config retry; /* CALL, CACHE_*, DB, DDB */
};

struct program {
    const char *cls;      /* request class it serves ("default": any class without its own) */
    struct pop *ops;
    uint32_t n;
};

/* Read an array of steps into p (arena-allocated). Errors go to the scenario; returns
 * false if any. */
bool program_read(struct scn *s, struct cJSON *steps, struct program *p, struct arena *a);
void program_release(struct program *p);

/* A host's `handlers` (h: an object of request class -> steps, or NULL when absent, reported
 * as missing by the caller): every program into *out (arena-allocated), *n of them. Errors go
 * to the scenario. handlers_release frees what the programs hold. */
void handlers_read(struct scn *s, struct cJSON *h, struct program **out, uint32_t *n,
                   struct arena *a);
void handlers_release(struct program *p, uint32_t n);
/* The program named `cls` (a request class, or "default"), or NULL. */
const struct program *handlers_find(const struct program *p, uint32_t n, const char *cls);

/* --- running programs ---------------------------------------------------------------------- */

struct prog_host;

/* What the host does for the program. */
struct prog_host_ops {
    /* Run a CPU burst of `demand` ns for r on one of the host's vCPUs (queueing if all are
     * busy), then call prog_cpu_done. */
    void (*cpu)(struct sim *sim, struct prog_host *h, struct request *r, int64_t demand);
    /* The handler has ended with `status`: release the worker slot, take r out of h->held,
     * and reply. */
    void (*done)(struct sim *sim, struct prog_host *h, struct request *r,
                 enum req_status status);
};

/* Counts of one host family's calls, for the outputs. */
struct prog_counts {
    uint64_t calls;    /* call, cache, db and dynamodb steps started (first attempts) */
    uint64_t attempts; /* attempts made, first ones included */
    uint64_t timeouts; /* attempts abandoned at their timeout */
    uint64_t failures; /* steps that failed after their last attempt */
};

/* What every host of one family (the instances of a fleet) shares. */
struct prog_env {
    const struct prog_host_ops *ops;
    const struct program *programs; /* the family's handlers */
    uint32_t nprograms;
    int32_t *by_class;              /* the program of each request class (r->cls), -1 none */
    uint32_t nclasses;
    struct component ***callees;    /* callees[program][op]: the component an op calls */
    gsl_rng *rng_cpu, *rng_demand, *rng_delay, *rng_branch, *rng_backoff;
    struct component sink;          /* abandoned calls end here and are freed */
    struct prog_counts n;           /* since the start */
};

/* A host: a component whose requests run programs. It keeps every request it holds in
 * `held` (through the links of the request's frame at the host's level). */
struct prog_host {
    struct component comp; /* first: a frame names the host */
    struct prog_env *env;
    struct req_list held;
};

/* Looks a component up by name (the world's). */
typedef struct component *(*prog_lookup_fn)(void *ctx, const char *name);

/* Set up env for hosts that run `programs` (a fleet's handlers) for requests of the
 * workload's classes (`classes`, nclasses names): class c runs the program named after it,
 * or the one named "default" (the world checks that one of them exists). Callees are found
 * with lookup. Random streams: (name, "cpu"), (name, "demand"), (name, "delay"),
 * (name, "branch") and (name, "backoff"). */
void prog_env_init(struct prog_env *env, struct sim *sim, const char *name,
                   const struct prog_host_ops *ops, const struct program *programs,
                   uint32_t nprograms, const char *const *classes, uint32_t nclasses,
                   prog_lookup_fn lookup, void *lookup_ctx);
void prog_env_release(struct prog_env *env);

/* The host has taken r into a worker slot: run its program from the start. */
void prog_begin(struct sim *sim, struct prog_host *h, struct request *r);
/* r's CPU burst is over (host op `cpu`): go on with the next step. */
void prog_cpu_done(struct sim *sim, struct prog_host *h, struct request *r);
/* A call r made has come back (the host's component `resume`). */
void prog_resume(struct sim *sim, struct prog_host *h, struct request *r);

/* The host gives r up (it is stopping), at the host's level `level`: r leaves h->held, its
 * pending event and any reply on its way to it are cancelled, and work it is waiting for
 * goes on into the sink. Returns the request to end, with the host's level on top: the host
 * releases its slot and replies on it. */
struct request *prog_abandon(struct sim *sim, struct prog_host *h, struct request *r,
                             unsigned level);

#endif
