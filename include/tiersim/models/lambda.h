/* lambda.h — AWS Lambda functions: execution environments created on demand (a cold start:
 * the init duration, then the handler), each serving one invocation at a time, reused while
 * idle and reclaimed after an idle lifetime; the account's concurrency shared by every
 * function, reserved and provisioned concurrency, the scaling rate, throttling (429);
 * asynchronous invocation with Lambda's retries. A function's work per request class is a
 * step program (program.h), as a fleet's is: each environment is a program host.
 *
 * A function is a regional component (az -1) that callers name: a `call` step (synchronous,
 * or with "invocation": "event" asynchronous) or the workload's entry (a function URL). An
 * invocation runs in one environment, in one of the function's AZs, and pays the network
 * between the caller's AZ and the environment's.
 *
 * Faults (its `fault` op): an AZ outage loses the environments in the AZ with the
 * invocations they run (502), and no environment is created there until the AZ is back;
 * provisioned environments lost are initialised again in the other AZs.
 * docs/models/lambda.md has the rules and the facts (LAM-1..LAM-18) they rest on.
 */
#ifndef TIERSIM_MODELS_LAMBDA_H
#define TIERSIM_MODELS_LAMBDA_H

#include "tiersim/dist.h"
#include "tiersim/models/component.h"
#include "tiersim/models/program.h"
#include "tiersim/sim.h"

#include <stdbool.h>
#include <stdint.h>

struct scn_obj;
struct arena;
struct cJSON;

/* One vCPU's worth of memory (LAM-16): a function gets min(1, memory_mb / this) of a vCPU. */
#define LAMBDA_MB_PER_VCPU 1769.0

/* --- the account ----------------------------------------------------------------------------- */

/* How functions scale up (LAM-2, LAM-3). */
enum lambda_scaling {
    LAMBDA_SCALING_CURRENT, /* per function, 1,000 new environments per 10 s (since 2023) */
    LAMBDA_SCALING_PRE2023, /* account-wide: a burst, then burst_rate more per minute */
};

/* The top-level `lambda_account` (every function of the scenario shares it). */
struct lambda_account_config {
    uint32_t concurrency;        /* concurrent executions of the account (LAM-1) */
    enum lambda_scaling scaling;
    uint32_t burst;              /* pre-2023: on-demand environments at once (LAM-3) */
    uint32_t burst_rate;         /* pre-2023: more environments per minute beyond the burst */
};

/* Read the `lambda_account` object (defaults: 1,000, "current", 3,000, 500). Errors go to
 * the scenario; returns false if any. */
bool lambda_account_config_from_json(struct scn_obj *o, struct lambda_account_config *c);

/* The account's pool of concurrency and its pre-2023 scaling state, shared by the functions
 * of one run (no global state: the world owns it). */
struct lambda_account;
struct lambda_account *lambda_account_new(const struct lambda_account_config *c);
void lambda_account_free(struct lambda_account *a);

/* --- a function -------------------------------------------------------------------------------- */

/* Runtimes, with the default init duration each sets (LAM-12; docs/models/lambda.md). */
#define LAMBDA_RUNTIMES(XX)                                                                    \
    XX(PYTHON312, "python3.12", 0.085)                                                         \
    XX(NODEJS22, "nodejs22", 0.137)                                                            \
    XX(JAVA21, "java21", 0.242)                                                                \
    XX(DOTNET8, "dotnet8", 0.248)                                                              \
    XX(RUBY33, "ruby3.3", 0.249)                                                               \
    XX(GO, "go", 0.049)                                                                        \
    XX(RUST, "rust", 0.016)

enum lambda_runtime {
#define XX(k, name, init) LAMBDA_RT_##k,
    LAMBDA_RUNTIMES(XX)
#undef XX
};

struct lambda_config {
    uint32_t memory_mb;             /* 128..10240 (LAM-16) */
    enum lambda_runtime runtime;
    struct dist init;               /* s, a cold start's init duration (LAM-10..13) */
    int64_t timeout;                /* ns a handler may run (LAM-16) */
    struct dist idle_lifetime;      /* s an idle environment is kept (LAM-14), drawn each time
                                       it goes idle */
    const char **azs;               /* the AZs of its environments; NULL: all the scenario's */
    uint32_t nazs;
    const struct cJSON *azs_at;
    bool has_reserved;              /* reserved_concurrency given */
    uint32_t reserved;              /* its own pool, and its cap (LAM-5) */
    uint32_t provisioned;           /* environments initialised at the start (LAM-6) */
    const struct cJSON *reserved_at, *provisioned_at;
    int64_t maximum_event_age;      /* ns an asynchronous event may wait (LAM-8) */
    uint32_t maximum_retry_attempts; /* retries of an event after a function error, 0..2 */
    struct program *handlers;       /* by request class, "default" for the rest */
    uint32_t nhandlers;
    const struct cJSON *handlers_at;
};

/* Read a component object of type "lambda" (its `type` key already read). */
bool lambda_config_from_json(struct scn_obj *o, struct lambda_config *c, struct arena *a);
void lambda_config_release(struct lambda_config *c);

/* The handler for class `cls`, or NULL. */
const struct program *lambda_program(const struct lambda_config *c, const char *cls);

/* The name of a runtime ("python3.12", ...). */
const char *lambda_runtime_name(enum lambda_runtime r);

/* The share of one vCPU a handler of `memory_mb` gets: min(1, memory_mb / 1769) (LAM-16).
 * A handler is single-threaded, so more memory than one vCPU's worth buys no speed. */
double lambda_cpu_share(uint32_t memory_mb);

struct lambda;

/* A function named `name` (its streams, its columns, its environments "<name>/env-<n>"),
 * drawing on account `acct` (which must outlive it), its environments in the scenario's AZs
 * `azs` (nazs names) that `c` lists. `c` must outlive it. Requests it must end or queue come
 * from, and go back to, `pool`. */
struct lambda *lambda_new(struct sim *sim, const char *name, const struct lambda_config *c,
                          struct lambda_account *acct, const char *const *azs, uint32_t nazs,
                          struct req_pool *pool);
/* Find the components its handlers call (with lookup; every component exists by now),
 * initialise the provisioned environments (ready at once), declare columns. Requests come
 * in the workload's `classes`. */
void lambda_start(struct sim *sim, struct lambda *fn, const char *const *classes,
                  uint32_t nclasses, prog_lookup_fn lookup, void *lookup_ctx);
void lambda_free(struct lambda *fn);
struct component *lambda_component(struct lambda *fn);

/* What a function has done since the start (for tests and the outputs). */
struct lambda_counts {
    uint64_t invocations;      /* invocations that got an environment (sync and async) */
    uint64_t cold_starts;      /* of those, the ones that ran Init first */
    uint64_t throttles;        /* invocations refused with 429 ... */
    uint64_t throttles_limit;  /* ... by a concurrency limit (reserved, account; LAM-1, LAM-5) */
    uint64_t throttles_rate;   /* ... by the scaling rate (LAM-2, LAM-3) */
    uint64_t errors;           /* invocations that ended in an error (500, or lost: 502) */
    uint64_t timeouts;         /* of those, handlers stopped at the function's timeout */
    uint64_t lost;             /* of those, invocations lost with their environment (faults) */
    uint64_t created;          /* environments created on demand (not the provisioned) */
    uint64_t reclaimed;        /* environments reclaimed after their idle lifetime */
    uint64_t events;           /* asynchronous events accepted (202) */
    uint64_t events_done;      /* events whose invocation succeeded */
    uint64_t events_dropped;   /* events given up: too old, or out of retries (LAM-8) */
    double gb_seconds;         /* billed: ceil(ms) of init + handler x memory GB (LAM-17) */
    double gb_seconds_provisioned; /* of those, on provisioned environments (LAM-18) */
};
void lambda_counts(const struct lambda *fn, struct lambda_counts *out);

/* Environments now: busy (running an invocation, its Init included), idle, and of all of
 * them the provisioned ones. */
void lambda_envs(const struct lambda *fn, uint32_t *busy, uint32_t *idle, uint32_t *provisioned);

#endif
