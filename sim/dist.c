/* dist.c — sampling, moments and JSON parsing of distributions (dist.h). */
#include "tiersim/dist.h"

#include "tiersim/arena.h"
#include "tiersim/csvr.h"
#include "tiersim/err.h"
#include "tiersim/scn.h"

#include <gsl/gsl_cdf.h>
#include <gsl/gsl_math.h>
#include <gsl/gsl_sf_gamma.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

static const char *const kind_names[] = {
#define XX(k, name) name,
    DIST_KINDS(XX)
#undef XX
        NULL};

const char *dist_kind_name(enum dist_kind k)
{
    return kind_names[k];
}

double dist_sample(const struct dist *d, const gsl_rng *r)
{
    switch (d->kind) {
    case DIST_CONST:
        return d->a;
    case DIST_EXP:
        return gsl_ran_exponential(r, d->a);
    case DIST_UNIFORM:
        return gsl_ran_flat(r, d->a, d->b);
    case DIST_NORMAL:
        /* N(a, b) conditioned on >= 0: a + (a normal tail above -a) */
        return d->a + gsl_ran_gaussian_tail(r, -d->a, d->b);
    case DIST_LOGNORMAL:
        /* exp of a normal draw, by GSL's ziggurat: the same law as gsl_ran_lognormal at a
         * third of the cost (network latencies draw one per hop) */
        return exp(d->a + d->b * gsl_ran_gaussian_ziggurat(r, 1.0));
    case DIST_GAMMA:
        return gsl_ran_gamma(r, d->a, d->b);
    case DIST_WEIBULL:
        return gsl_ran_weibull(r, d->b, d->a);
    case DIST_PARETO:
        return gsl_ran_pareto(r, d->a, d->b);
    case DIST_ERLANG:
        return gsl_ran_erlang(r, d->b, d->a);
    case DIST_HYPEREXP: {
        size_t i = gsl_ran_discrete(r, d->table);
        return gsl_ran_exponential(r, d->v[d->n + i]);
    }
    case DIST_EMPIRICAL:
        return d->v[gsl_rng_uniform_int(r, d->n)];
    }
    return 0.0;
}

/* Mean and variance of N(mu, sd) truncated to [0, inf). */
static void trunc_normal(double mu, double sd, double *mean, double *var)
{
    double alpha = -mu / sd;
    double q = gsl_cdf_ugaussian_Q(alpha);
    double lambda = q > 0 ? gsl_ran_ugaussian_pdf(alpha) / q : 0.0;
    *mean = mu + sd * lambda;
    *var = sd * sd * (1.0 + alpha * lambda - lambda * lambda);
}

double dist_mean(const struct dist *d)
{
    switch (d->kind) {
    case DIST_CONST:
    case DIST_EXP:
        return d->a;
    case DIST_UNIFORM:
        return (d->a + d->b) / 2.0;
    case DIST_NORMAL: {
        double m, v;
        trunc_normal(d->a, d->b, &m, &v);
        return m;
    }
    case DIST_LOGNORMAL:
        return exp(d->a + d->b * d->b / 2.0);
    case DIST_GAMMA:
        return d->a * d->b;
    case DIST_WEIBULL:
        return d->b * gsl_sf_gamma(1.0 + 1.0 / d->a);
    case DIST_PARETO:
        return d->a > 1.0 ? d->a * d->b / (d->a - 1.0) : TS_INF;
    case DIST_ERLANG:
        return d->a * d->b;
    case DIST_HYPEREXP: {
        double m = 0;
        for (uint32_t i = 0; i < d->n; i++)
            m += d->v[i] * d->v[d->n + i];
        return m;
    }
    case DIST_EMPIRICAL: {
        double m = 0;
        for (uint32_t i = 0; i < d->n; i++)
            m += d->v[i];
        return m / d->n;
    }
    }
    return TS_NAN;
}

double dist_m2(const struct dist *d)
{
    switch (d->kind) {
    case DIST_CONST:
        return d->a * d->a;
    case DIST_EXP:
        return 2.0 * d->a * d->a;
    case DIST_UNIFORM:
        return (d->a * d->a + d->a * d->b + d->b * d->b) / 3.0;
    case DIST_NORMAL: {
        double m, v;
        trunc_normal(d->a, d->b, &m, &v);
        return v + m * m;
    }
    case DIST_LOGNORMAL:
        return exp(2.0 * d->a + 2.0 * d->b * d->b);
    case DIST_GAMMA:
        return d->a * (d->a + 1.0) * d->b * d->b;
    case DIST_WEIBULL:
        return d->b * d->b * gsl_sf_gamma(1.0 + 2.0 / d->a);
    case DIST_PARETO:
        return d->a > 2.0 ? d->a * d->b * d->b / (d->a - 2.0) : TS_INF;
    case DIST_ERLANG:
        return d->a * (d->a + 1.0) * d->b * d->b;
    case DIST_HYPEREXP: {
        double m2 = 0;
        for (uint32_t i = 0; i < d->n; i++)
            m2 += d->v[i] * 2.0 * d->v[d->n + i] * d->v[d->n + i];
        return m2;
    }
    case DIST_EMPIRICAL: {
        double m2 = 0;
        for (uint32_t i = 0; i < d->n; i++)
            m2 += d->v[i] * d->v[i];
        return m2 / d->n;
    }
    }
    return TS_NAN;
}

void dist_release(struct dist *d)
{
    if (d->table) {
        gsl_ran_discrete_free(d->table);
        d->table = NULL;
    }
}

/* --- parsing ------------------------------------------------------------------------------ */

/* Parameters are read one after another, each reporting its own error: "ok = a; ok = b &&
 * ok;" reads b even when a failed. */

/* A parameter that is a quantity (a duration string allowed) or a plain number. */
static bool param(struct scn_obj *o, const char *key, bool quantity, struct scn_bound b,
                  double *out)
{
    cJSON *v = scn_member_req(o, key);
    if (!v)
        return false;
    if (quantity && cJSON_IsString(v)) {
        int64_t ns;
        if (!scn_as_dur(o->s, v, b, &ns))
            return false;
        *out = (double)ns / 1e9;
        return true;
    }
    if (quantity && !cJSON_IsNumber(v))
        return scn_as_dur(o->s, v, b, &(int64_t){0}); /* reports the wrong type */
    return scn_as_num(o->s, v, b, out);
}

/* Does the object give `key`? (without marking it known) */
static bool has(const struct scn_obj *o, const char *key)
{
    return o->j && cJSON_GetObjectItemCaseSensitive(o->j, key) != NULL;
}

static bool number_list(struct scn_obj *o, const char *key, struct scn_bound b, bool quantity,
                        struct arena *a, double **out, uint32_t *n)
{
    cJSON *arr = scn_member_req(o, key);
    if (!arr)
        return false;
    char what[64];
    int size = cJSON_GetArraySize(arr);
    if (!cJSON_IsArray(arr) || size == 0) {
        scn_error(o->s, arr, false, "expected a non-empty array of numbers, got %s",
                  cJSON_IsArray(arr) ? "an empty array" : scn_describe(arr, what, sizeof what));
        return false;
    }
    double *v = arena_alloc(a, (size_t)size * sizeof *v);
    bool ok = true;
    uint32_t i = 0;
    const cJSON *e;
    cJSON_ArrayForEach(e, arr)
    {
        int64_t ns;
        if (quantity && cJSON_IsString(e)) {
            if (scn_as_dur(o->s, e, b, &ns))
                v[i] = (double)ns / 1e9;
            else
                ok = false;
        } else if (!scn_as_num(o->s, e, b, &v[i])) {
            ok = false;
        }
        i++;
    }
    *out = v;
    *n = (uint32_t)size;
    return ok;
}

static bool parse_object(struct scn_obj *o, struct dist *d, struct arena *a)
{
    static const char *const names[] = {
#define XX(k, name) name,
        DIST_KINDS(XX)
#undef XX
            NULL};
    int kind = scn_enum_req(o, "dist", names);
    if (kind < 0) {
        /* mark every parameter known so the unknown-kind error stands alone */
        static const char *const all[] = {"value", "mean", "sd", "min", "max", "mu", "sigma",
                                          "shape", "scale", "k", "probs", "means", "cv",
                                          "samples", "file", "column"};
        for (size_t i = 0; i < sizeof all / sizeof all[0]; i++)
            scn_member(o, all[i]);
        return false;
    }
    d->kind = (enum dist_kind)kind;
    bool ok = true;
    switch (d->kind) {
    case DIST_CONST:
        ok = param(o, "value", true, SCN_NONNEG, &d->a);
        break;
    case DIST_EXP:
        ok = param(o, "mean", true, SCN_POS, &d->a);
        break;
    case DIST_UNIFORM:
        ok = param(o, "min", true, SCN_NONNEG, &d->a);
        ok = param(o, "max", true, SCN_NONNEG, &d->b) && ok;
        if (ok && d->b < d->a) {
            scn_error(o->s, scn_member(o, "max"), false,
                      "must be >= min (%.10g s), got %.10g s", d->a, d->b);
            ok = false;
        }
        break;
    case DIST_NORMAL:
        ok = param(o, "mean", true, SCN_NONNEG, &d->a);
        ok = param(o, "sd", true, SCN_POS, &d->b) && ok;
        break;
    case DIST_LOGNORMAL:
        if (has(o, "mu") || has(o, "sigma")) {
            ok = param(o, "mu", false, SCN_ANY, &d->a);
            ok = param(o, "sigma", false, SCN_NONNEG, &d->b) && ok;
        } else {
            double mean = 1, sd = 0;
            ok = param(o, "mean", true, SCN_POS, &mean);
            ok = param(o, "sd", true, SCN_NONNEG, &sd) && ok;
            double s2 = log1p((sd / mean) * (sd / mean));
            d->a = log(mean) - s2 / 2.0;
            d->b = sqrt(s2);
        }
        break;
    case DIST_GAMMA:
        if (has(o, "mean") || has(o, "sd")) {
            double mean = 1, sd = 1;
            ok = param(o, "mean", true, SCN_POS, &mean);
            ok = param(o, "sd", true, SCN_POS, &sd) && ok;
            d->a = (mean / sd) * (mean / sd);
            d->b = sd * sd / mean;
        } else {
            ok = param(o, "shape", false, SCN_POS, &d->a);
            ok = param(o, "scale", true, SCN_POS, &d->b) && ok;
        }
        break;
    case DIST_WEIBULL:
    case DIST_PARETO:
        ok = param(o, "shape", false, SCN_POS, &d->a);
        ok = param(o, "scale", true, SCN_POS, &d->b) && ok;
        break;
    case DIST_ERLANG: {
        int64_t k = 1;
        double mean = 1;
        ok = scn_int_req(o, "k", 1, 1000000, &k);
        ok = param(o, "mean", true, SCN_POS, &mean) && ok;
        d->a = (double)k;
        d->b = mean / (double)k;
        break;
    }
    case DIST_HYPEREXP:
        if (has(o, "cv") || has(o, "mean")) {
            double mean = 1, cv = 1;
            ok = param(o, "mean", true, SCN_POS, &mean);
            ok = param(o, "cv", false, SCN_GE(1.0), &cv) && ok;
            /* two phases with balanced means: p1*m1 = p2*m2 = mean/2 */
            double c2 = cv * cv;
            double p1 = 0.5 * (1.0 + sqrt((c2 - 1.0) / (c2 + 1.0)));
            d->n = 2;
            d->v = arena_alloc(a, 4 * sizeof *d->v);
            d->v[0] = p1;
            d->v[1] = 1.0 - p1;
            d->v[2] = mean / (2.0 * p1);
            d->v[3] = 1.0 - p1 > 0 ? mean / (2.0 * (1.0 - p1)) : mean;
        } else {
            double *p = NULL, *m = NULL;
            uint32_t np = 0, nm = 0;
            ok = number_list(o, "probs", SCN_PROB, false, a, &p, &np);
            ok = number_list(o, "means", SCN_POS, true, a, &m, &nm) && ok;
            if (ok && np != nm) {
                scn_error(o->s, scn_member(o, "means"), false,
                          "must have as many entries as probs (%u), got %u", np, nm);
                ok = false;
            }
            double sum = 0;
            for (uint32_t i = 0; ok && i < np; i++)
                sum += p[i];
            if (ok && fabs(sum - 1.0) > 1e-9) {
                scn_error(o->s, scn_member(o, "probs"), false, "must sum to 1, got %.10g", sum);
                ok = false;
            }
            if (ok) {
                d->n = np;
                d->v = arena_alloc(a, 2 * (size_t)np * sizeof *d->v);
                memcpy(d->v, p, np * sizeof *p);
                memcpy(d->v + np, m, nm * sizeof *m);
            }
        }
        if (ok) {
            d->table = gsl_ran_discrete_preproc(d->n, d->v);
            if (!d->table)
                ts_out_of_memory();
        }
        break;
    case DIST_EMPIRICAL:
        if (has(o, "file") || has(o, "column")) {
            ok = csvr_member(o, NULL, 0.0, a, &d->v, &d->n);
        } else {
            ok = number_list(o, "samples", SCN_NONNEG, true, a, &d->v, &d->n);
        }
        break;
    }
    return ok;
}

bool dist_from_json(struct scn *s, cJSON *v, struct dist *d, struct arena *a)
{
    memset(d, 0, sizeof *d);
    if (cJSON_IsNumber(v)) {
        d->kind = DIST_CONST;
        return scn_as_num(s, v, SCN_NONNEG, &d->a);
    }
    if (cJSON_IsString(v)) { /* "250ms": a constant duration */
        int64_t ns;
        d->kind = DIST_CONST;
        if (!scn_as_dur(s, v, SCN_NONNEG, &ns))
            return false;
        d->a = (double)ns / 1e9;
        return true;
    }
    if (!cJSON_IsObject(v)) {
        char what[64];
        scn_error(s, v, false,
                  "expected a distribution (a number, or an object such as {\"dist\": \"exp\", "
                  "\"mean\": 0.01}), got %s",
                  scn_describe(v, what, sizeof what));
        return false;
    }
    unsigned before = scn_error_count(s);
    struct scn_obj o;
    scn_open(s, v, &o);
    bool ok = parse_object(&o, d, a);
    scn_close(&o); /* may report unknown keys */
    ok = ok && scn_error_count(s) == before;
    if (!ok)
        dist_release(d);
    return ok;
}

bool dist_read(struct scn_obj *o, const char *key, const char *def_json, struct dist *d,
               struct arena *a)
{
    cJSON *v = def_json ? scn_member(o, key) : scn_member_req(o, key);
    if (v)
        return dist_from_json(o->s, v, d, a);
    memset(d, 0, sizeof *d);
    if (!def_json)
        return false;
    cJSON *def = cJSON_Parse(def_json);
    TS_ASSERT(def != NULL);
    if (!o->j) {
        bool ok = dist_from_json(o->s, def, d, a);
        cJSON_Delete(def);
        return ok;
    }
    scn_add_default(o, key, def);
    return dist_from_json(o->s, def, d, a);
}
