/* cost.h — what a run costs: the price table (scenarios/prices/us-east-1.json, embedded in the
 * program at build time, a scenario's `prices` merged over it) and a meter that turns what
 * each component has used into dollars, cumulative in timeseries.csv and by service and by
 * component in summary.csv.
 *
 * The meter knows no model: the world gives it, per billed component, a usage function that
 * reports cumulative quantities (instance-seconds, requests, GB-seconds, ...) from counters
 * the models keep anyway, and a dollar price per unit of each. Cost is read at interval ends
 * only, never per event. docs/models/cost.md has the rules and their sources.
 */
#ifndef TIERSIM_MODELS_COST_H
#define TIERSIM_MODELS_COST_H

#include "tiersim/sim.h"

#include <stdbool.h>
#include <stdint.h>

struct scn;
struct arena;
struct cJSON;

/* --- the price table ------------------------------------------------------------------------ */

/* A price by name (an instance type, a DB instance class, a node type). */
struct price_entry {
    const char *name;
    double usd;
};
struct price_map {
    struct price_entry *e;
    uint32_t n;
};

enum lambda_arch { ARCH_X86_64, ARCH_ARM64, NARCH };

struct prices {
    const char *region, *as_of;
    struct price_map ec2;                /* $ per instance-hour, by instance type */
    double ec2_minimum_s;                /* s, the least an instance is billed (PRICE-2) */
    struct price_map rds_postgres;       /* $ per DB-instance-hour, Single-AZ, by class */
    struct price_map rds_mysql;          /* the same for MySQL and MariaDB */
    struct price_map elasticache;        /* $ per node-hour, by node type */
    double alb_hour, alb_lcu_hour;       /* $ per ALB-hour, per LCU-hour (ALB-19, ALB-20) */
    double lambda_million_requests;      /* $ per million requests (LAM-18) */
    double lambda_gb_s[NARCH];           /* $ per GB-second of duration, on demand */
    double lambda_prov_gb_s[NARCH];      /* $ per GB-second of provisioned concurrency */
    double lambda_prov_duration_gb_s[NARCH]; /* $ per GB-second of duration on it */
    double apigw_rest_million, apigw_http_million; /* $ per million requests (APIGW-3) */
    double ddb_million_rru, ddb_million_wru; /* on demand: $ per million request units */
    double ddb_rcu_hour, ddb_wcu_hour;   /* provisioned: $ per capacity-unit-hour */
    double cross_az_gb;                  /* $ per GB in each direction (PRICE-3) */
};

/* The name of the embedded table, for messages: "scenarios/prices/us-east-1.json". */
extern const char prices_builtin_name[];

/* Read the embedded table into p (strings and maps in arena a), then merge `override` (a
 * scenario's `prices` object, or NULL) over it: every key it gives must be one the table has
 * (an unknown service or key is an error with its path and a suggestion), every price a
 * number >= 0. Errors go to s. Returns false when the embedded table itself is broken (a
 * build error: its message goes to s as an error about `override`'s file). */
bool prices_read(struct scn *s, struct cJSON *override, struct prices *p, struct arena *a);

/* The price of `name` in m, or a negative number when m has none. */
double price_find(const struct price_map *m, const char *name);

/* --- the meter --------------------------------------------------------------------------------- */

enum cost_service {
    COST_EC2,
    COST_ALB,
    COST_RDS,
    COST_ELASTICACHE,
    COST_LAMBDA,
    COST_APIGW,
    COST_DYNAMODB,
    COST_TRANSFER,
    COST_NSERVICES
};

/* Most quantities one billed item reports. */
#define COST_MAX_Q 4

/* What a component has used from t = 0 to `now`, cumulative and never decreasing, written to
 * q[0 .. nq-1] in the units the item's prices are per (seconds, requests, GB-seconds). */
typedef void (*cost_usage_fn)(const void *ctx, int64_t now, double *q);

/* A usage function for what is billed by the hour from t = 0 whatever it does (an ALB's
 * hours, a database's or a cache's instances): q[0] = seconds since t = 0. ctx is unused. */
void cost_usage_clock(const void *ctx, int64_t now, double *q);

struct cost;

struct cost *cost_new(void);
void cost_free(struct cost *c);

/* Bill a component: its cost at time t is sum over k of usage_k(t) x usd_per_unit[k] (nq <=
 * COST_MAX_Q). `name` (copied; NULL for none) gives it a `<name>.cost_usd` summary column;
 * several items may share a name (one column, their sum). */
void cost_add(struct cost *c, enum cost_service svc, const char *name, cost_usage_fn fn,
              const void *ctx, const double *usd_per_unit, unsigned nq);

/* Declare the columns (timeseries `cost_usd`; summary `cost_usd`, one per service, one per
 * named component) and their reporters, and snapshot the costs at the end of the warm-up:
 * the summary covers the measured period, the timeseries is cumulative from t = 0. Call
 * after every other component has declared its columns. */
void cost_start(struct sim *sim, struct cost *c);

/* The total cost from t = 0 to `now`, $. */
double cost_total(const struct cost *c, int64_t now);

/* The summary column name of a service ("cost_ec2_usd", ...). */
const char *cost_service_column(enum cost_service s);

#endif
