/* dist.h — probability distributions, parsed once from JSON into a small tagged struct and
 * sampled with GSL.
 *
 * Kinds and their scenario keys (values are in the unit of the quantity they describe,
 * seconds for durations; duration strings such as "250ms" are accepted):
 *   const {value} · exp {mean} · uniform {min, max} · normal {mean, sd} truncated at 0 ·
 *   lognormal {mean, sd} or {mu, sigma} · gamma {shape, scale} or {mean, sd} ·
 *   weibull {shape, scale} · pareto {shape, scale} · erlang {k, mean} ·
 *   hyperexp {probs, means} or {mean, cv} (balanced means, cv >= 1) ·
 *   empirical {samples} or {file, column}.
 * A bare number is shorthand for const. No draw is ever negative.
 */
#ifndef TIERSIM_DIST_H
#define TIERSIM_DIST_H

#include <gsl/gsl_randist.h>
#include <stdbool.h>
#include <gsl/gsl_rng.h>
#include <stdint.h>

struct arena;
struct scn;
struct scn_obj;
struct cJSON;

#define DIST_KINDS(XX)                                                                         \
    XX(CONST, "const")                                                                         \
    XX(EXP, "exp")                                                                             \
    XX(UNIFORM, "uniform")                                                                     \
    XX(NORMAL, "normal")                                                                       \
    XX(LOGNORMAL, "lognormal")                                                                 \
    XX(GAMMA, "gamma")                                                                         \
    XX(WEIBULL, "weibull")                                                                     \
    XX(PARETO, "pareto")                                                                       \
    XX(ERLANG, "erlang")                                                                       \
    XX(HYPEREXP, "hyperexp")                                                                   \
    XX(EMPIRICAL, "empirical")

enum dist_kind {
#define XX(k, _) DIST_##k,
    DIST_KINDS(XX)
#undef XX
};

/* Parameters, by kind (a, b; n values in v):
 *   CONST a=value · EXP a=mean · UNIFORM a=min b=max · NORMAL a=mean b=sd (of the
 *   untruncated normal) · LOGNORMAL a=mu b=sigma (of the underlying normal) · GAMMA a=shape
 *   b=scale · WEIBULL a=shape b=scale · PARETO a=shape b=scale · ERLANG a=k b=scale (mean/k)
 *   · HYPEREXP n phases, v[0..n) probabilities, v[n..2n) means, table for the phase draw ·
 *   EMPIRICAL n samples in v. */
struct dist {
    enum dist_kind kind;
    double a, b;
    uint32_t n;
    double *v;                  /* arena-owned, or NULL */
    gsl_ran_discrete_t *table;  /* HYPEREXP only; freed by dist_release */
};

#define DIST_CONST(x) ((struct dist){.kind = DIST_CONST, .a = (x)})

/* The name of a kind as written in scenarios ("exp", ...). */
const char *dist_kind_name(enum dist_kind k);

/* One draw, >= 0. Hot path: no allocation. */
double dist_sample(const struct dist *d, const gsl_rng *r);

/* Mean and second moment E[X^2] of the distribution as sampled (truncation included);
 * INFINITY where they do not exist (pareto with small shape). */
double dist_mean(const struct dist *d);
double dist_m2(const struct dist *d);

/* Parse JSON value `v` as a distribution (a bare number is const). Returns false with the
 * errors recorded in s. Values, samples and the empirical file's column land in arena a. */
bool dist_from_json(struct scn *s, struct cJSON *v, struct dist *d, struct arena *a);

/* Read member `key` of an object as a distribution. When absent, `def_json` (a JSON text
 * such as {"dist":"const","value":0}) is written into the tree and used; a NULL def_json
 * makes the key required. */
bool dist_read(struct scn_obj *o, const char *key, const char *def_json, struct dist *d,
               struct arena *a);

/* Frees the GSL table of a hyperexp (values live in the arena). Idempotent. */
void dist_release(struct dist *d);

#endif
