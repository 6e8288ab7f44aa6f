/* test_cost.c — the embedded price table and the meter (models/cost.c).
 *
 * Checks: the table reads without error and holds the reference's figures (PRICE-1..3,
 * ALB-20, RDS-12, EC-7, LAM-18, APIGW-3); it has a price for every instance type, DB
 * instance class (both engines) and node type the models know, so no scenario can name a
 * type without a price; a size marked derived costs twice the size below it in its family;
 * an override replaces only what it names; the meter sums quantities x prices, by service,
 * over the measured period. */
#include "check.h"

#include "tiersim/arena.h"
#include "tiersim/models/cache.h"
#include "tiersim/models/cost.h"
#include "tiersim/models/fleet.h"
#include "tiersim/models/rds.h"
#include "tiersim/scn.h"

#include <stdlib.h>
#include <string.h>

extern const unsigned char prices_builtin_text[];
extern const size_t prices_builtin_len;

static bool read_prices(const char *override, struct prices *p, struct arena *a, struct scn **s)
{
    *s = scn_new();
    const char *text = override ? override : "{}";
    CHECK_EQ_INT(scn_load_text(*s, "override.json", NULL, text, strlen(text)), 0);
    bool ok = prices_read(*s, override ? scn_root(*s) : NULL, p, a);
    return ok && scn_error_count(*s) == 0;
}

static void test_table(void)
{
    struct arena a = ARENA_INIT;
    struct prices p;
    struct scn *s;
    CHECK(read_prices(NULL, &p, &a, &s), "the embedded table reads without error");
    CHECK_STR(p.region, "us-east-1");
    CHECK(p.as_of && strlen(p.as_of) == 10, "a dated table");
    CHECK_NEAR(price_find(&p.ec2, "t3.medium"), 0.0416, 0); /* PRICE-1 */
    CHECK_NEAR(price_find(&p.ec2, "t3.large"), 0.0832, 0);
    CHECK_NEAR(price_find(&p.ec2, "m5.large"), 0.096, 0);
    CHECK_NEAR(price_find(&p.ec2, "c5.large"), 0.085, 0);
    CHECK_NEAR(p.ec2_minimum_s, 60, 0); /* PRICE-2 */
    CHECK_NEAR(price_find(&p.rds_postgres, "db.r5.xlarge"), 0.50, 0); /* RDS-12 */
    CHECK_NEAR(price_find(&p.rds_mysql, "db.r5.xlarge"), 0.48, 0);
    CHECK_NEAR(price_find(&p.elasticache, "cache.r5.large"), 0.216, 0); /* EC-7 */
    CHECK_NEAR(price_find(&p.elasticache, "cache.r6g.large"), 0.206, 0);
    CHECK_NEAR(p.alb_hour, 0.0225, 0); /* ALB-20 */
    CHECK_NEAR(p.alb_lcu_hour, 0.008, 0);
    CHECK_NEAR(p.lambda_million_requests, 0.20, 0); /* LAM-18 */
    CHECK_NEAR(p.lambda_gb_s[ARCH_X86_64], 0.0000166667, 0);
    CHECK_NEAR(p.lambda_gb_s[ARCH_ARM64], 0.0000133334, 0);
    CHECK_NEAR(p.lambda_prov_gb_s[ARCH_X86_64], 0.0000041667, 0);
    CHECK_NEAR(p.lambda_prov_duration_gb_s[ARCH_X86_64], 0.0000097222, 0);
    CHECK_NEAR(p.apigw_rest_million, 3.50, 0); /* APIGW-3 */
    CHECK_NEAR(p.apigw_http_million, 1.00, 0);
    CHECK_NEAR(p.cross_az_gb, 0.01, 0); /* PRICE-3 */
    CHECK(p.ddb_million_rru > 0 && p.ddb_million_wru > p.ddb_million_rru, "DynamoDB on demand");
    CHECK(p.ddb_rcu_hour > 0 && p.ddb_wcu_hour > p.ddb_rcu_hour, "DynamoDB provisioned");
    CHECK(price_find(&p.ec2, "t3.mediun") < 0, "no price for an unknown name");

    /* a price for every name the models know */
    for (const struct instance_type *t = instance_types; t->name; t++)
        CHECK(price_find(&p.ec2, t->name) > 0, "ec2 %s", t->name);
    for (const struct rds_class *k = rds_classes; k->name; k++) {
        CHECK(price_find(&p.rds_postgres, k->name) > 0, "rds postgres %s", k->name);
        CHECK(price_find(&p.rds_mysql, k->name) > 0, "rds mysql %s", k->name);
        CHECK(price_find(&p.rds_postgres, k->name) >= price_find(&p.rds_mysql, k->name),
              "PostgreSQL costs at least MySQL: %s", k->name);
    }
    for (const struct cache_node_type *t = cache_node_types; t->name; t++)
        CHECK(price_find(&p.elasticache, t->name) > 0, "elasticache %s", t->name);
    scn_free(s);
    arena_release(&a);
}

/* Within each map, an entry listed under its section's "derived" costs twice the entry before
 * it when both are of one family (AWS's linear size scaling): read from the JSON itself. */
static void check_derived(const cJSON *sec, const cJSON *map, const char *what)
{
    const cJSON *derived = cJSON_GetObjectItemCaseSensitive(sec, "derived");
    const cJSON *prev = NULL;
    unsigned checked = 0;
    for (const cJSON *e = map->child; e; prev = e, e = e->next) {
        bool is_derived = false;
        for (const cJSON *d = derived ? derived->child : NULL; d && !is_derived; d = d->next)
            is_derived = cJSON_IsString(d) && strcmp(d->valuestring, e->string) == 0;
        if (!is_derived || !prev)
            continue;
        size_t fam = (size_t)(strrchr(e->string, '.') - e->string);
        if (strncmp(prev->string, e->string, fam + 1) != 0)
            continue; /* the first of its family: derived from a larger size */
        CHECK_NEAR(e->valuedouble, 2 * prev->valuedouble, 1e-9);
        checked++;
    }
    CHECK(checked > 0, "%s: some derived sizes checked", what);
}

static void test_derived(void)
{
    cJSON *j = cJSON_ParseWithLength((const char *)prices_builtin_text, prices_builtin_len);
    CHECK(j != NULL, "the table is plain JSON (no comments): other tools read it too");
    if (!j)
        return;
    const cJSON *ec2 = cJSON_GetObjectItemCaseSensitive(j, "ec2");
    check_derived(ec2, cJSON_GetObjectItemCaseSensitive(ec2, "usd_per_hour"), "ec2");
    const cJSON *rds = cJSON_GetObjectItemCaseSensitive(j, "rds");
    const cJSON *by = cJSON_GetObjectItemCaseSensitive(rds, "usd_per_hour");
    check_derived(rds, cJSON_GetObjectItemCaseSensitive(by, "postgres"), "rds postgres");
    check_derived(rds, cJSON_GetObjectItemCaseSensitive(by, "mysql"), "rds mysql");
    const cJSON *ec = cJSON_GetObjectItemCaseSensitive(j, "elasticache");
    check_derived(ec, cJSON_GetObjectItemCaseSensitive(ec, "usd_per_node_hour"), "elasticache");
    cJSON_Delete(j);
}

static void test_override(void)
{
    struct arena a = ARENA_INIT;
    struct prices p;
    struct scn *s;
    CHECK(read_prices("{\"ec2\": {\"usd_per_hour\": {\"m5.large\": 0.2}}, \"alb\": "
                      "{\"usd_per_lcu_hour\": 0}, \"transfer\": "
                      "{\"cross_az_usd_per_gb_each_direction\": 0.02}}",
                      &p, &a, &s),
          "an override reads");
    CHECK_NEAR(price_find(&p.ec2, "m5.large"), 0.2, 0);
    CHECK_NEAR(price_find(&p.ec2, "t3.medium"), 0.0416, 0); /* untouched */
    CHECK_NEAR(p.alb_lcu_hour, 0, 0);
    CHECK_NEAR(p.alb_hour, 0.0225, 0);
    CHECK_NEAR(p.cross_az_gb, 0.02, 0);
    /* the override's tree gains nothing: the scenario as run keeps it as written */
    char *txt = scn_print(s);
    CHECK(strstr(txt, "lambda") == NULL && strstr(txt, "t3.medium") == NULL,
          "nothing added to the override: %s", txt);
    free(txt);
    scn_free(s);
    arena_release(&a);
}

/* --- the meter -------------------------------------------------------------------------------- */

static void usage_linear(const void *ctx, int64_t now, double *q)
{
    const double *rate = ctx; /* units per second of each quantity */
    q[0] = rate[0] * sim_s(now);
    q[1] = rate[1] * sim_s(now);
}

static void test_meter(void)
{
    struct sim sim;
    sim_init(&sim, 1);
    sim.warmup = 100 * SIM_NS_PER_S;
    struct cost *c = cost_new();
    static const double r1[2] = {1, 10}, r2[2] = {2, 0};
    const double u1[2] = {0.5, 0.01}, u2[1] = {3};
    cost_add(c, COST_EC2, "a", usage_linear, r1, u1, 2); /* $0.6/s */
    cost_add(c, COST_RDS, "b", usage_linear, r2, u2, 1); /* $6/s */
    cost_add(c, COST_TRANSFER, NULL, cost_usage_clock, NULL, u2, 1); /* $3/s */
    cost_start(&sim, c);
    sim_start_sampling(&sim, 50 * SIM_NS_PER_S);
    CHECK_EQ_INT(sim_run(&sim, 400 * SIM_NS_PER_S), 0);
    CHECK_NEAR(cost_total(c, sim.now), 9.6 * 400, 1e-9);
    sim_table_fill(&sim, &sim.summary, sim.now - sim.warmup);
    const struct sim_table *t = &sim.summary;
    CHECK_EQ_INT(t->ncols, 1 + COST_NSERVICES + 2);
    CHECK_STR(t->cols[0].name, "cost_usd");
    CHECK_STR(t->cols[1].name, "cost_ec2_usd");
    CHECK_STR(t->cols[COST_NSERVICES].name, "cost_transfer_usd");
    CHECK_STR(t->cols[1 + COST_NSERVICES].name, "a.cost_usd");
    /* after the warm-up: 300 s */
    CHECK_NEAR(t->row[0], 9.6 * 300, 1e-9);
    CHECK_NEAR(t->row[1 + COST_EC2], 0.6 * 300, 1e-9);
    CHECK_NEAR(t->row[1 + COST_RDS], 6 * 300, 1e-9);
    CHECK_NEAR(t->row[1 + COST_TRANSFER], 3 * 300, 1e-9);
    CHECK_NEAR(t->row[1 + COST_LAMBDA], 0, 0);
    CHECK_NEAR(t->row[2 + COST_NSERVICES], 6 * 300, 1e-9); /* b */
    /* the timeseries: cumulative from t = 0 */
    sim_table_fill(&sim, &sim.ts, 0);
    CHECK_NEAR(sim.ts.row[0], 9.6 * 400, 1e-9);
    cost_free(c);
    sim_release(&sim);
}

int main(void)
{
    test_table();
    test_derived();
    test_override();
    test_meter();
    return check_done();
}
