/* test_cache.c — the ElastiCache model: the key store (LRU order, evictions, refusals,
 * expiry, warm fill, bytes per key at ten million keys), the Zipf sampler against its exact
 * pmf, the configuration read from JSON (good inputs, and the errors of bad ones), and the
 * component on a small simulation driven by a hand-made caller: hit and miss answers, the
 * keys returned, errors, replicas, the network hop, one node saturating as M/M/1 and
 * M/M/1/K predict, byte-identical repeat runs, and faults: a primary lost with a replica
 * (failover, data kept), without one (emptied, refilled), a replica lost and resynced, an
 * AZ's nodes lost and replaced once it is back. */
#include "check.h"

#include "tiersim/arena.h"
#include "tiersim/csvw.h"
#include "tiersim/models/cache.h"
#include "tiersim/models/keys.h"
#include "tiersim/rng.h"
#include "tiersim/scn.h"
#include "tiersim/stats.h"

#include <gsl/gsl_cdf.h>
#include <stdlib.h>
#include <string.h>

/* --- the key store ------------------------------------------------------------------------ */

/* The store's keys from most to least recently used, as "3 2 1". */
static const char *order(const struct keys *s)
{
    static char buf[256];
    uint32_t k[32];
    uint32_t n = keys_list(s, k, 32);
    buf[0] = '\0';
    for (uint32_t i = 0; i < n; i++)
        snprintf(buf + strlen(buf), sizeof buf - strlen(buf), i ? " %u" : "%u", k[i]);
    return buf;
}

static void test_lru(void)
{
    struct keys s;
    keys_init(&s, 10, 3, 0, true);
    CHECK_EQ_INT(keys_set(&s, 1, 0), KEYS_INSERTED);
    CHECK_EQ_INT(keys_set(&s, 2, 0), KEYS_INSERTED);
    CHECK_EQ_INT(keys_set(&s, 3, 0), KEYS_INSERTED);
    CHECK_STR(order(&s), "3 2 1");
    CHECK(keys_get(&s, 1, 0), "1 is held");
    CHECK_STR(order(&s), "1 3 2"); /* a hit makes it the most recently used */
    CHECK(!keys_get(&s, 4, 0), "4 was never set");
    CHECK_STR(order(&s), "1 3 2"); /* a miss inserts nothing */
    CHECK_EQ_INT(keys_set(&s, 4, 0), KEYS_INSERTED);
    CHECK_STR(order(&s), "4 1 3"); /* 2, the least recently used, is evicted */
    CHECK_EQ_INT(s.evictions, 1);
    CHECK(!keys_get(&s, 2, 0), "2 was evicted");
    CHECK_EQ_INT(keys_set(&s, 3, 0), KEYS_UPDATED);
    CHECK_STR(order(&s), "3 4 1");
    CHECK_EQ_INT(s.evictions, 1); /* an update evicts nothing */
    CHECK_EQ_INT(keys_set(&s, 5, 0), KEYS_INSERTED);
    CHECK_EQ_INT(keys_set(&s, 0, 0), KEYS_INSERTED);
    CHECK_STR(order(&s), "0 5 3");
    CHECK_EQ_INT(s.evictions, 3);
    CHECK_EQ_INT(s.held, 3);
    CHECK_EQ_INT(s.expirations, 0);
    keys_release(&s);

    /* a full store that may not evict refuses new keys but takes updates */
    keys_init(&s, 4, 2, 0, false);
    keys_set(&s, 0, 0);
    keys_set(&s, 1, 0);
    CHECK_EQ_INT(keys_set(&s, 2, 0), KEYS_REFUSED);
    CHECK_EQ_INT(s.refused, 1);
    CHECK_EQ_INT(keys_set(&s, 0, 0), KEYS_UPDATED);
    CHECK_STR(order(&s), "0 1");
    CHECK_EQ_INT(s.evictions, 0);
    keys_release(&s);

    /* capacity 1 and one key: the smallest store */
    keys_init(&s, 1, 1, 0, true);
    CHECK(!keys_get(&s, 0, 0), "empty");
    keys_set(&s, 0, 0);
    CHECK(keys_get(&s, 0, 5), "held");
    keys_release(&s);
}

static void test_ttl(void)
{
    struct keys s;
    keys_init(&s, 5, 5, 10, true);
    keys_set(&s, 0, 0);  /* expires at 10 */
    keys_set(&s, 1, 5);  /* expires at 15 */
    CHECK(keys_get(&s, 0, 9), "0 lives until 10");
    CHECK(!keys_get(&s, 0, 10), "0 expired at 10");
    CHECK_EQ_INT(s.expirations, 1);
    CHECK(!keys_has(&s, 0), "an expired key is removed");
    CHECK(keys_get(&s, 1, 14), "1 lives until 15");
    CHECK_EQ_INT(keys_set(&s, 1, 14), KEYS_UPDATED); /* now expires at 24 */
    CHECK(keys_get(&s, 1, 23), "a set renews the expiry");
    keys_expire(&s, 24);
    CHECK_EQ_INT(s.held, 0);
    CHECK_EQ_INT(s.expirations, 2);
    keys_set(&s, 2, 30);
    CHECK(keys_get(&s, 2, 35), "held");
    CHECK(!keys_get(&s, 2, 40), "a hit does not renew the expiry");
    keys_release(&s);

    /* expiry and eviction together: an evicted key leaves the expiry order too */
    keys_init(&s, 5, 2, 100, true);
    keys_set(&s, 0, 0);
    keys_set(&s, 1, 1);
    keys_get(&s, 0, 2);
    keys_set(&s, 2, 3); /* evicts 1 */
    CHECK_STR(order(&s), "2 0");
    keys_expire(&s, 100);
    CHECK_STR(order(&s), "2");
    CHECK_EQ_INT(s.expirations, 1);
    keys_expire(&s, 103);
    CHECK_EQ_INT(s.held, 0);
    CHECK_EQ_INT(s.evictions, 1);
    keys_release(&s);
}

/* Random gets and sets against a plain reference (a last-use stamp and an expiry per key,
 * every search by scanning): the same answers, evictions, expirations and keys held, with
 * prefetch hints between the operations. */
static void test_against_reference(void)
{
    enum { N = 20, CAP = 8, TTL = 40, OPS = 20000 };
    gsl_rng *r = rng_stream_new(3, "test", "keys");
    struct keys s;
    keys_init(&s, N, CAP, TTL, true);
    bool held[N] = {0};
    int64_t used[N] = {0}, expires[N] = {0}, now = 0, stamp = 0;
    uint64_t evictions = 0, expirations = 0;
    uint32_t nheld = 0;
    for (int op = 0; op < OPS; op++) {
        now += (int64_t)gsl_rng_uniform_int(r, 4);
        for (uint32_t k = 0; k < N; k++)
            if (held[k] && expires[k] <= now) {
                held[k] = false;
                nheld--;
                expirations++;
            }
        uint32_t key = (uint32_t)gsl_rng_uniform_int(r, N);
        /* the hints read the store and change nothing, for any key (under ASan, no read
         * outside it), N and beyond included */
        keys_prefetch(&s, (uint32_t)(op % (N + 2)));
        keys_prefetch_links(&s, (uint32_t)((op + 7) % (N + 2)));
        if (gsl_rng_uniform(r) < 0.6) {
            bool hit = held[key];
            if (hit)
                used[key] = ++stamp;
            if (keys_get(&s, key, now) != hit) {
                CHECK(false, "a get answers as the reference does");
                break;
            }
        } else {
            enum keys_set_result want = held[key] ? KEYS_UPDATED : KEYS_INSERTED;
            if (!held[key] && nheld == CAP) {
                uint32_t lru = N;
                for (uint32_t k = 0; k < N; k++)
                    if (held[k] && (lru == N || used[k] < used[lru]))
                        lru = k;
                held[lru] = false;
                nheld--;
                evictions++;
            }
            if (!held[key])
                nheld++;
            held[key] = true;
            used[key] = ++stamp;
            expires[key] = now + TTL;
            if (keys_set(&s, key, now) != want) {
                CHECK(false, "a set answers as the reference does");
                break;
            }
        }
        if (s.held != nheld || s.evictions != evictions || s.expirations != expirations) {
            CHECK(false, "held, evictions and expirations follow the reference");
            break;
        }
    }
    printf("key store against the reference: %d operations, %llu evictions, %llu expirations\n",
           (int)OPS, (unsigned long long)evictions, (unsigned long long)expirations);
    CHECK(evictions > 100 && expirations > 100, "both evictions and expirations happened");
    keys_release(&s);
    gsl_rng_free(r);
}

/* keys_clear: every key gone at once, counters kept, the store usable again. */
static void test_clear(void)
{
    struct keys s;
    keys_init(&s, 10, 4, 100, true);
    keys_set(&s, 3, 0);
    keys_set(&s, 5, 1);
    keys_set(&s, 7, 2);
    CHECK_EQ_INT(keys_clear(&s), 3);
    CHECK_EQ_INT(s.held, 0);
    CHECK_EQ_INT(s.cleared, 3);
    CHECK_STR(order(&s), "");
    CHECK(!keys_get(&s, 5, 3), "a cleared key misses");
    keys_expire(&s, 1000); /* the cleared keys' expiries are gone too */
    CHECK_EQ_INT(s.expirations, 0);
    keys_set(&s, 5, 4);
    keys_set(&s, 1, 5);
    CHECK_STR(order(&s), "1 5");
    CHECK(keys_get(&s, 5, 6), "set again, held");
    keys_expire(&s, 104);
    CHECK_STR(order(&s), "1");
    CHECK_EQ_INT(keys_clear(&s), 1);
    CHECK_EQ_INT(keys_clear(&s), 0);
    keys_release(&s);
}

static void test_fill(void)
{
    struct keys s;
    keys_init(&s, 10, 4, 0, true);
    keys_fill(&s, 4, 0, NULL);
    CHECK_STR(order(&s), "0 1 2 3");
    CHECK_EQ_INT(s.held, 4);
    keys_release(&s);

    gsl_rng *r = rng_stream_new(1, "test", "fill");
    keys_init(&s, 10, 4, 40, true);
    keys_fill(&s, 4, 0, r);
    keys_expire(&s, 9);
    CHECK_EQ_INT(s.held, 4);
    keys_expire(&s, 25); /* lifetimes 10, 20, 30, 40 in some order */
    CHECK_EQ_INT(s.held, 2);
    keys_expire(&s, 40);
    CHECK_EQ_INT(s.held, 0);
    keys_release(&s);
    gsl_rng_free(r);
}

/* The store for ten million keys, each of which may be held: at most 64 bytes per key, and
 * untouched pages cost nothing, so it also works. */
static void test_bytes_per_key(void)
{
    const uint32_t n = 10000000;
    struct keys s;
    keys_init(&s, n, n, 300 * SIM_NS_PER_S, true);
    double per_key = (double)keys_bytes(&s) / n;
    printf("key store, %u keys, capacity %u, with ttl: %.2f bytes per key\n", n, n, per_key);
    CHECK(per_key <= 64, "%.2f bytes per key", per_key);
    keys_set(&s, n - 1u, 0);
    keys_set(&s, 0, 1);
    CHECK(keys_get(&s, n - 1u, 2), "the last key is held");
    CHECK_STR(order(&s), "9999999 0");
    keys_release(&s);
    keys_init(&s, n, n, 0, true);
    per_key = (double)keys_bytes(&s) / n;
    printf("key store, %u keys, capacity %u, no ttl:   %.2f bytes per key\n", n, n, per_key);
    CHECK(per_key <= 64, "%.2f bytes per key", per_key);
    keys_release(&s);
}

/* --- Zipf --------------------------------------------------------------------------------- */

/* Draw m keys of Zipf(n, alpha) and compare the counts of the first `bins` ranks, and of all
 * the others together, with the exact pmf: chi-square with `bins` degrees of freedom under
 * its 99.9 % quantile. */
static void check_zipf(uint32_t n, double alpha, double pmf_alpha, uint32_t bins, uint32_t m)
{
    struct keys_zipf z;
    keys_zipf_init(&z, n, alpha);
    gsl_rng *r = rng_stream_new(7, "zipf", "test");
    uint64_t *count = calloc(bins + 1u, sizeof *count);
    uint32_t outside = 0;
    for (uint32_t i = 0; i < m; i++) {
        uint32_t k = keys_zipf_draw(&z, r);
        outside += k >= n;
        count[k < bins ? k : bins]++;
    }
    CHECK_EQ_INT(outside, 0);
    double norm = 0;
    for (uint32_t k = n; k >= 1; k--) /* smallest terms first */
        norm += pow(k, -pmf_alpha);
    double chi2 = 0, head = 0;
    for (uint32_t k = 0; k <= bins; k++) {
        double p = k < bins ? pow(k + 1.0, -pmf_alpha) / norm : 1.0 - head;
        head += k < bins ? p : 0;
        double e = p * m, o = (double)count[k];
        chi2 += (o - e) * (o - e) / e;
    }
    double limit = gsl_cdf_chisq_Qinv(0.001, bins);
    printf("zipf n %u alpha %.12g: first key %.5f (exact %.5f), chi-square %.1f on %u df "
           "(99.9 %% limit %.1f)\n",
           n, alpha, (double)count[0] / m, 1.0 / norm, chi2, bins, limit);
    CHECK(chi2 < limit, "zipf n %u alpha %g: chi-square %.1f >= %.1f", n, alpha, chi2, limit);
    free(count);
    gsl_rng_free(r);
}

static void test_zipf(void)
{
    check_zipf(1000000, 0.8, 0.8, 50, 2000000);
    check_zipf(1000000, 1.0, 1.0, 50, 2000000);
    check_zipf(10000000, 0.99, 0.99, 50, 1000000); /* ten million keys: still O(1) a draw */
    /* alpha = 1 is the limit of the general formulas, not a special case: just below it
     * draws the same distribution */
    check_zipf(1000000, 1.0 - 1e-12, 1.0, 50, 2000000);
    check_zipf(100, 1.5, 1.5, 99, 1000000); /* every rank but one is a bin */
    check_zipf(10, 0.0, 0.0, 9, 100000);    /* uniform */
    check_zipf(2, 3.0, 3.0, 1, 100000);

    struct keys_zipf z;
    keys_zipf_init(&z, 1, 0.9);
    gsl_rng *r = rng_stream_new(7, "zipf", "one");
    uint32_t nonzero = 0;
    for (int i = 0; i < 1000; i++)
        nonzero += keys_zipf_draw(&z, r) != 0;
    CHECK_EQ_INT(nonzero, 0);
    gsl_rng_free(r);
}

/* --- configuration ------------------------------------------------------------------------- */

/* Read one component object of type "cache"; the errors, printed, into *errors (free it). */
static bool parse(const char *json, struct cache_config *c, struct arena *a, char **errors)
{
    struct scn *s = scn_new();
    scn_load_text(s, "t.json", ".", json, strlen(json));
    struct scn_obj o;
    scn_open(s, scn_root(s), &o);
    scn_str(&o, "type", NULL);
    bool ok = cache_config_from_json(&o, c, a);
    scn_close(&o);
    ok = ok && scn_error_count(s) == 0;
    char *buf = check_scn_errors(s);
    if (errors)
        *errors = buf;
    else
        free(buf);
    scn_free(s);
    return ok;
}

static void test_config(void)
{
    struct arena a = ARENA_INIT;
    struct cache_config c;

    CHECK(parse("{\"type\": \"cache\", \"hit_ratio\": 0.9}", &c, &a, NULL), "defaults");
    CHECK_STR(c.node_type->name, "cache.r5.large");
    CHECK_NEAR(c.node_type->memory_gib, 13.07, 0);
    CHECK_EQ_INT(c.replicas, 0);
    CHECK_EQ_INT(c.naz_refs, 0);
    CHECK(c.primary_az == NULL && c.replica_azs == NULL, "placed by default");
    CHECK_EQ_INT(c.read_from, CACHE_READ_PRIMARY);
    CHECK(!c.use_keys, "fixed ratio");
    CHECK_NEAR(c.hit_ratio, 0.9, 0);
    CHECK_EQ_INT(c.get_time.kind, DIST_EXP);
    CHECK_NEAR(dist_mean(&c.get_time), 20e-6, 1e-18);
    CHECK_NEAR(dist_mean(&c.set_time), 25e-6, 1e-18);
    CHECK_EQ_INT(c.latency.kind, DIST_CONST);
    CHECK_NEAR(dist_mean(&c.latency), 0.5e-3, 1e-18);
    CHECK_EQ_INT(c.backlog, 0);
    cache_config_release(&c);

    CHECK(parse("{\"type\": \"cache\", \"node_type\": \"cache.m6g.large\","
                " \"primary_az\": \"us-east-1b\", \"replica_azs\": [\"us-east-1a\", \"us-east-1c\"],"
                " \"read_from\": \"replicas\", \"get_time\": \"10us\", \"backlog\": 1000,"
                " \"keys\": {\"count\": 1000000, \"zipf_alpha\": 0.8, \"capacity\": 50000,"
                "            \"ttl\": \"5m\", \"warm\": true, \"maxmemory_policy\": \"noeviction\"}}",
                &c, &a, NULL),
          "keys, replicas");
    CHECK_STR(c.node_type->name, "cache.m6g.large");
    CHECK_EQ_INT(c.replicas, 2);
    CHECK_EQ_INT(c.naz_refs, 3);
    CHECK_STR(c.az_refs[0].name, "us-east-1b");
    CHECK_STR(c.az_refs[2].name, "us-east-1c");
    CHECK_STR(c.primary_az, "us-east-1b");
    CHECK_STR(c.replica_azs[0], "us-east-1a");
    CHECK_EQ_INT(c.read_from, CACHE_READ_REPLICAS);
    CHECK_EQ_INT(c.backlog, 1000);
    CHECK_NEAR(dist_mean(&c.get_time), 10e-6, 1e-18);
    CHECK(c.use_keys, "keys");
    CHECK_EQ_INT(c.nkeys, 1000000);
    CHECK_NEAR(c.zipf_alpha, 0.8, 0);
    CHECK_EQ_INT(c.capacity, 50000);
    CHECK_NEAR(c.item_bytes, 0, 0);
    CHECK_EQ_INT(c.ttl, 300 * SIM_NS_PER_S);
    CHECK(c.warm, "warm");
    CHECK_EQ_INT(c.maxmemory_policy, CACHE_NOEVICTION);
    cache_config_release(&c);

    /* capacity from memory: 13.07 GiB x 75 % / 2048 bytes = 5,139,333 items */
    CHECK(parse("{\"type\": \"cache\", \"replicas\": 2,"
                " \"keys\": {\"count\": 100000000, \"item_bytes\": 2048}}",
                &c, &a, NULL),
          "capacity from memory");
    CHECK_EQ_INT(c.replicas, 2);
    CHECK_EQ_INT(c.naz_refs, 0);
    CHECK_EQ_INT(c.capacity, 5139333);
    CHECK_NEAR(c.reserved_memory_percent, 25, 0);
    CHECK_NEAR(c.zipf_alpha, 0.99, 0);
    CHECK_EQ_INT(c.ttl, 0);
    CHECK(!c.warm, "cold by default");
    CHECK_EQ_INT(c.maxmemory_policy, CACHE_ALLKEYS_LRU);
    cache_config_release(&c);

    /* more room than keys: every key fits */
    CHECK(parse("{\"type\": \"cache\", \"keys\": {\"count\": 1000}}", &c, &a, NULL), "small");
    CHECK_EQ_INT(c.capacity, 1000);
    cache_config_release(&c);

    arena_release(&a);
}

static void check_error(const char *json, const char *expected)
{
    struct arena a = ARENA_INIT;
    struct cache_config c;
    char *errors = NULL;
    CHECK(!parse(json, &c, &a, &errors), "an error: %s", json);
    CHECK_STR(errors, expected);
    free(errors);
    cache_config_release(&c);
    arena_release(&a);
}

static void test_config_errors(void)
{
    check_error("{\"type\": \"cache\"}",
                "t.json:1:1: .: give \"hit_ratio\" (a fixed hit ratio) or \"keys\" (a key "
                "population)\n");
    check_error("{\"type\": \"cache\", \"hit_ratio\": 0.5, \"keys\": {\"count\": 10}}",
                "t.json:1:37: .keys: give \"hit_ratio\" or \"keys\", not both\n");
    check_error("{\"type\": \"cache\", \"hit_ratio\": 1.5}",
                "t.json:1:32: .hit_ratio: must be between 0 and 1, got 1.5\n");
    check_error("{\"type\": \"cache\", \"hit_ratio\": 0.5, \"node_type\": \"cache.r5.larg\"}",
                "t.json:1:50: .node_type: unknown node type \"cache.r5.larg\" (did you mean "
                "\"cache.r5.large\"?)\n");
    check_error("{\"type\": \"cache\", \"hit_ratio\": 0.5, \"replicas\": 1,"
                " \"replica_azs\": [\"a\", \"b\"]}",
                "t.json:1:67: .replica_azs: expected one AZ name per replica (\"replicas\" is "
                "1), got 2 names\n");
    check_error("{\"type\": \"cache\", \"hit_ratio\": 0.5,"
                " \"replica_azs\": [\"a\", \"b\", \"c\", \"d\", \"e\", \"f\"]}",
                "t.json:1:52: .replica_azs: at most 5 replicas, got 6 AZs\n");
    check_error("{\"type\": \"cache\", \"keys\": {\"count\": 10, \"capacity\": 5,"
                " \"item_bytes\": 100}}",
                "t.json:1:56: .keys.item_bytes: \"item_bytes\" derives the capacity from the "
                "node's memory: give it or \"capacity\", not both\n");
    check_error("{\"type\": \"cache\", \"node_type\": \"cache.t3.micro\","
                " \"keys\": {\"count\": 10, \"item_bytes\": 1e12}}",
                "t.json:1:86: .keys.item_bytes: no item of 1e+12 bytes fits in the "
                "0.375 GiB a cache.t3.micro has for data\n");
    check_error("{\"type\": \"cache\", \"keys\": {\"cont\": 10}}",
                "t.json:1:28: .keys.cont: unknown key (did you mean \"count\"?)\n");
    check_error("{\"type\": \"cache\", \"hit_ratio\": 0.5, \"read_from\": \"replica\"}",
                "t.json:1:50: .read_from: unknown value \"replica\" (did you mean "
                "\"replicas\"?)\n");
}

/* --- the component on a simulation --------------------------------------------------------- */

/* A client of the cache: sends gets (Poisson at `rate`, or at the times it is told), and
 * after a miss, when `set_after_miss`, sets the key the get returned, as a cache-aside
 * application does. Records every answer. */
struct caller {
    struct component comp;
    struct component *cache;
    struct req_pool *pool;
    gsl_rng *rng;
    double rate;       /* gets per second; 0: only those scheduled by hand */
    int64_t until;     /* ns, no arrivals after */
    int64_t measure;   /* ns, response times of gets sent from here on are kept */
    bool set_after_miss;
    int az;            /* the caller's AZ */
    uint64_t gets, hits, sets, ok, e500, e503;
    uint64_t get_503, set_503;      /* failed gets and sets */
    int64_t first_set_503, last_set_503; /* ns, when (-1: none) */
    uint32_t last_key;
    uint8_t last_hit;
    uint16_t last_status;
    struct welford resp; /* s, of the gets' responses (the set after a miss not included) */
};

static void send(struct sim *sim, struct caller *cl, enum req_op op, uint64_t arg)
{
    struct request *r = req_new(cl->pool);
    r->t_arrival = sim->now;
    r->depth = 1;
    memset(&r->stack[0], 0, 2 * sizeof r->stack[0]);
    r->stack[0].comp = &cl->comp;
    r->stack[0].az = (int8_t)cl->az;
    r->op = (uint8_t)op;
    r->arg = arg;
    comp_call(sim, r, cl->cache);
}

static void on_send(struct sim *sim, void *ctx, uint64_t arg)
{
    struct caller *cl = ctx;
    send(sim, cl, OP_CACHE_GET, 0);
    if (arg && cl->rate > 0) {
        int64_t next = sim->now + sim_ns(gsl_ran_exponential(cl->rng, 1.0 / cl->rate));
        if (next <= cl->until)
            sim_at(sim, next, on_send, cl, 1);
    }
}

static void caller_resume(struct sim *sim, struct component *self, struct request *r)
{
    struct caller *cl = (struct caller *)self;
    cl->last_status = r->status;
    cl->ok += r->status == REQ_OK;
    cl->e500 += r->status == REQ_E500;
    cl->e503 += r->status == REQ_E503;
    if (r->status == REQ_E503 && r->op == OP_CACHE_GET)
        cl->get_503++;
    if (r->status == REQ_E503 && r->op == OP_CACHE_SET) {
        cl->set_503++;
        if (cl->first_set_503 < 0)
            cl->first_set_503 = sim->now;
        cl->last_set_503 = sim->now;
    }
    if (r->op == OP_CACHE_GET && r->status == REQ_OK) {
        cl->gets++;
        cl->hits += r->hit;
        cl->last_key = (uint32_t)r->arg;
        cl->last_hit = r->hit;
        if (r->t_arrival >= cl->measure)
            welford_add(&cl->resp, sim_s(sim->now - r->t_arrival));
        if (!r->hit && cl->set_after_miss) {
            r->op = OP_CACHE_SET; /* the key is still in r->arg */
            comp_call(sim, r, cl->cache);
            return;
        }
    } else if (r->op == OP_CACHE_SET && r->status == REQ_OK) {
        cl->sets++;
    }
    req_free(cl->pool, r);
}

static void caller_accept(struct sim *sim, struct component *self, struct request *r)
{
    (void)sim;
    (void)self;
    (void)r;
    TS_ASSERT(0 && "the caller accepts nothing");
}

static const struct component_ops caller_ops = {
    .type = "client",
    .accept = caller_accept,
    .resume = caller_resume,
};

static const char *const two_azs[] = {"us-east-1a", "us-east-1b"};

/* A cache and its caller on a fresh simulation. */
struct rig {
    struct sim sim;
    struct req_pool pool;
    struct cache *k;
    struct caller cl;
};

static void rig_init_warmup(struct rig *g, uint64_t seed, const struct cache_config *c,
                            const struct net *net, double warmup_s)
{
    sim_init(&g->sim, seed);
    g->sim.warmup = sim_ns(warmup_s); /* before cache_start, which schedules its end */
    memset(&g->pool, 0, sizeof g->pool);
    g->pool.net = net;
    g->k = cache_new(&g->sim, "redis", c, two_azs, 2, &g->pool);
    cache_start(&g->sim, g->k);
    memset(&g->cl, 0, sizeof g->cl);
    g->cl.comp.ops = &caller_ops;
    g->cl.comp.name = "caller";
    g->cl.comp.az = -1;
    g->cl.az = -1;
    g->cl.cache = cache_component(g->k);
    g->cl.pool = &g->pool;
    g->cl.rng = sim_rng(&g->sim, "caller", "arrivals");
    g->cl.first_set_503 = g->cl.last_set_503 = -1;
}

static void rig_init(struct rig *g, uint64_t seed, const struct cache_config *c,
                     const struct net *net)
{
    rig_init_warmup(g, seed, c, net, 0);
}

static void rig_release(struct rig *g)
{
    sim_release(&g->sim);
    cache_free(g->k);
    req_pool_release(&g->pool);
}

/* Summary column `name` after the run (NAN if it does not exist). */
static double summary(struct rig *g, const char *name)
{
    sim_table_fill(&g->sim, &g->sim.summary, g->sim.now - g->sim.warmup);
    char full[64];
    snprintf(full, sizeof full, "redis.%s", name);
    for (uint32_t i = 0; i < g->sim.summary.ncols; i++)
        if (strcmp(g->sim.summary.cols[i].name, full) == 0)
            return g->sim.summary.row[i];
    CHECK(0, "no summary column %s", full);
    return TS_NAN;
}

static struct cache_config base_config(void)
{
    struct cache_config c;
    memset(&c, 0, sizeof c);
    c.node_type = cache_node_type_find("cache.r5.large");
    c.get_time = DIST_CONST(20e-6);
    c.set_time = DIST_CONST(25e-6);
    c.latency = DIST_CONST(0);
    return c;
}

static void use_keys(struct cache_config *c, uint32_t n, uint32_t capacity, int64_t ttl)
{
    c->use_keys = true;
    c->nkeys = n;
    c->capacity = capacity;
    c->zipf_alpha = 1.0;
    c->ttl = ttl;
}

static void at(struct rig *g, double t)
{
    sim_at(&g->sim, sim_ns(t), on_send, &g->cl, 0);
}

/* One key: a cold miss returns key 0, the caller sets it, then gets hit; with a ttl the
 * key expires; a warm cache hits at once. */
static void test_hit_and_miss(void)
{
    struct cache_config c = base_config();
    use_keys(&c, 1, 1, 0);
    struct rig g;
    rig_init(&g, 1, &c, NULL);
    g.cl.set_after_miss = true;
    at(&g, 0.001);
    CHECK_EQ_INT(sim_run(&g.sim, sim_ns(0.0015)), 0);
    CHECK_EQ_INT(g.cl.gets, 1);
    CHECK_EQ_INT(g.cl.hits, 0);
    CHECK_EQ_INT(g.cl.last_key, 0);
    CHECK_EQ_INT(g.cl.sets, 1);
    at(&g, 0.002);
    at(&g, 0.003);
    sim_run(&g.sim, sim_ns(1));
    CHECK_EQ_INT(g.cl.gets, 3);
    CHECK_EQ_INT(g.cl.hits, 2);
    CHECK_EQ_INT(g.cl.sets, 1);
    CHECK_NEAR(summary(&g, "hit_ratio"), 2.0 / 3.0, 1e-12);
    CHECK_NEAR(summary(&g, "gets"), 3, 0);
    CHECK_NEAR(summary(&g, "sets"), 1, 0);
    /* a response is the engine time, no more, without latency or network */
    CHECK_NEAR(g.cl.resp.mean, 20e-6, 1e-15);
    rig_release(&g);

    /* ttl 1 ms: the get at 1 ms misses and the set runs at 1.02 ms (after the get's 20 us):
     * the key lives until 2.02 ms, so the get at 1.5 ms hits and the one at 5 ms misses */
    use_keys(&c, 1, 1, sim_ns(0.001));
    rig_init(&g, 1, &c, NULL);
    g.cl.set_after_miss = true;
    at(&g, 0.001);
    at(&g, 0.0015);
    at(&g, 0.005);
    sim_run(&g.sim, sim_ns(1));
    CHECK_EQ_INT(g.cl.gets, 3);
    CHECK_EQ_INT(g.cl.hits, 1);
    CHECK_EQ_INT(g.cl.sets, 2);
    CHECK_NEAR(summary(&g, "expirations"), 2, 0); /* the second set's key, at 6.02 ms */
    rig_release(&g);

    /* warm: the most popular keys are held from the start */
    use_keys(&c, 1000, 1000, 0);
    c.warm = true;
    rig_init(&g, 1, &c, NULL);
    for (int i = 0; i < 100; i++)
        at(&g, 0.001 * (i + 1));
    sim_run(&g.sim, sim_ns(1));
    CHECK_EQ_INT(g.cl.hits, 100);
    rig_release(&g);
}

/* What is not a get or a set fails at once; a set of a key outside the population, or to a
 * full noeviction cache, fails with 500. */
static void test_errors(void)
{
    struct cache_config c = base_config();
    use_keys(&c, 10, 1, 0);
    c.maxmemory_policy = CACHE_NOEVICTION;
    struct rig g;
    rig_init(&g, 1, &c, NULL);
    sim_run(&g.sim, 1000); /* past the warm-up's end at 0: everything below is counted */
    send(&g.sim, &g.cl, OP_HTTP, 0);
    CHECK_EQ_INT(g.cl.last_status, REQ_E500); /* answered within the call */
    send(&g.sim, &g.cl, OP_DB_READ, 0);
    CHECK_EQ_INT(g.cl.e500, 2);
    send(&g.sim, &g.cl, OP_CACHE_SET, 10); /* keys are 0 .. 9 */
    send(&g.sim, &g.cl, OP_CACHE_SET, 3);
    send(&g.sim, &g.cl, OP_CACHE_SET, 4); /* full, may not evict: Redis's OOM error */
    sim_run(&g.sim, sim_ns(1));
    CHECK_EQ_INT(g.cl.e500, 4);
    CHECK_EQ_INT(g.cl.sets, 1);
    CHECK_NEAR(summary(&g, "errors"), 4, 0);
    CHECK_NEAR(summary(&g, "evictions"), 0, 0);
    rig_release(&g);
}

/* Two replicas serve the gets, uniformly; every set runs on the primary and on each replica.
 * With constant engine times, each node's busy time is its commands times their time. */
static void test_replicas(void)
{
    struct cache_config c = base_config();
    c.hit_ratio = 0.25;
    c.replicas = 2;
    c.read_from = CACHE_READ_REPLICAS;
    struct rig g;
    rig_init(&g, 3, &c, NULL);
    g.cl.rate = 20000;
    g.cl.until = sim_ns(10);
    g.cl.set_after_miss = true;
    sim_at(&g.sim, 0, on_send, &g.cl, 1);
    sim_run(&g.sim, sim_ns(10.01));
    double span = sim_s(g.sim.now), gets = summary(&g, "gets"), sets = summary(&g, "sets");
    CHECK_NEAR(summary(&g, "hit_ratio"), 0.25, 0.01);
    CHECK_NEAR(sets, gets * 0.75, 0.01 * gets);
    CHECK_NEAR(summary(&g, "engine_cpu_pct_mean"), 100 * sets * 25e-6 / span, 1e-6);
    /* a replica: half the gets and every set */
    double replica = 100 * (gets / 2 * 20e-6 + sets * 25e-6) / span;
    CHECK_NEAR(summary(&g, "engine_cpu_max_pct_mean"), replica, 0.01 * replica);
    CHECK_NEAR(summary(&g, "node_hours"), 3 * span / 3600, 1e-9);
    CHECK(g.pool.live == 0, "every request back in the pool: %llu", (unsigned long long)g.pool.live);
    rig_release(&g);

    /* read_from replicas without a replica: the primary serves */
    c.replicas = 0;
    rig_init(&g, 3, &c, NULL);
    at(&g, 0.001);
    sim_run(&g.sim, sim_ns(1));
    CHECK_EQ_INT(g.cl.gets, 1);
    rig_release(&g);
}

/* A caller in us-east-1a, the primary in us-east-1b: 1 ms each way across AZs, plus the
 * cache's own latency and engine time. */
static void test_network(void)
{
    struct cache_config c = base_config();
    c.hit_ratio = 1;
    c.primary_az = "us-east-1b";
    c.latency = DIST_CONST(0.0005);
    struct net net = {.same_az = DIST_CONST(0.0001), .cross_az = DIST_CONST(0.001)};
    struct rig g;
    rig_init(&g, 1, &c, &net);
    net.rng = sim_rng(&g.sim, "net", "delay");
    g.cl.az = 0;
    at(&g, 0.001);
    sim_run(&g.sim, sim_ns(1));
    CHECK_EQ_INT(g.cl.gets, 1);
    CHECK_NEAR(g.cl.resp.mean, 0.001 + 0.0005 + 20e-6 + 0.001, 1e-12);
    rig_release(&g);

    rig_init(&g, 1, &c, &net); /* the caller in the primary's AZ */
    net.rng = sim_rng(&g.sim, "net", "delay");
    g.cl.az = 1;
    at(&g, 0.001);
    sim_run(&g.sim, sim_ns(1));
    CHECK_NEAR(g.cl.resp.mean, 0.0001 + 0.0005 + 20e-6 + 0.0001, 1e-12);
    rig_release(&g);
}

/* One node is one server: Poisson gets with exponential engine times make an M/M/1 queue,
 * W = E[S] / (1 - rho), checked inside the 99 % interval of 10 replications; above
 * saturation with a backlog of K - 1 it is M/M/1/K, and the share refused with 503 is
 * P_K = (1 - rho) rho^K / (1 - rho^(K+1)). */
static void run_mm1(uint64_t seed, double rho, uint32_t backlog, double measured_s, double *w,
                    double *refused, double *cpu, uint64_t *peak)
{
    const double es = 20e-6, lambda = rho / es;
    struct cache_config c = base_config();
    c.get_time = (struct dist){.kind = DIST_EXP, .a = es};
    c.hit_ratio = 0.5;
    c.backlog = backlog;
    struct rig g;
    rig_init_warmup(&g, seed, &c, NULL, 0.2);
    g.cl.rate = lambda;
    g.cl.until = sim_ns(0.2 + measured_s);
    g.cl.measure = sim_ns(0.2);
    sim_at(&g.sim, 0, on_send, &g.cl, 1);
    sim_run(&g.sim, g.cl.until);
    *w = g.cl.resp.mean;
    *refused = (double)g.cl.e503 / (double)(g.cl.e503 + g.cl.gets);
    *cpu = summary(&g, "engine_cpu_pct_mean");
    *peak = g.pool.peak;
    rig_release(&g);
}

static void test_saturation(void)
{
    enum { R = 10 };
    double w[R], refused[R], cpu[R];
    uint64_t peak = 0, p;
    for (int i = 0; i < R; i++) {
        run_mm1((uint64_t)i + 1u, 0.8, 0, 5.0, &w[i], &refused[i], &cpu[i], &p);
        peak = p > peak ? p : peak;
        w[i] *= 1e6; /* us */
    }
    check_in_ci("M/M/1 rho 0.8: mean response (us)", w, R, 0.99, 20.0 / (1 - 0.8));
    double m, h;
    check_ci(cpu, R, 0.99, &m, &h);
    CHECK_NEAR(m, 80, 1.0);
    CHECK(peak < 1000, "requests in flight at most %llu", (unsigned long long)peak);

    const double rho = 1.5;
    const uint32_t backlog = 50, K = backlog + 1u;
    for (int i = 0; i < R; i++)
        run_mm1((uint64_t)i + 1u, rho, backlog, 2.0, &w[i], &refused[i], &cpu[i], &p);
    double pk = (1 - rho) * pow(rho, K) / (1 - pow(rho, K + 1.0));
    check_in_ci("M/M/1/51 rho 1.5: share refused with 503", refused, R, 0.99, pk);
    check_ci(cpu, R, 0.99, &m, &h);
    CHECK(m > 99.5, "a saturated node's engine is busy: %.3f %%", m);
}

/* --- faults ------------------------------------------------------------------------------- */

struct fault_shot {
    struct rig *g;
    struct fault_action a;
    uint32_t rc;
};

static void on_fault(struct sim *sim, void *ctx, uint64_t arg)
{
    (void)arg;
    struct fault_shot *fs = ctx;
    struct component *c = cache_component(fs->g->k);
    fs->rc = c->ops->fault(sim, c, &fs->a);
}

static void fault_at(struct rig *g, struct fault_shot *fs, double t, enum fault_op op, int az,
                     uint32_t node, const char *cause)
{
    *fs = (struct fault_shot){g, {.op = op, .id = 1, .az = az, .node = node, .cause = cause},
                              99};
    sim_at(&g->sim, sim_ns(t), on_fault, fs, 0);
}

/* A set of key (arg) every 10 ms until the caller's `until`. */
static void on_set_tick(struct sim *sim, void *ctx, uint64_t arg)
{
    struct caller *cl = ctx;
    send(sim, cl, OP_CACHE_SET, arg % 10u);
    if (sim->now + sim_ns(0.01) <= cl->until)
        sim_after(sim, sim_ns(0.01), on_set_tick, cl, arg + 1u);
}

/* The event log, written to a file of the test's folder and read back. */
static struct csvw ev_w;

static void events_open(struct rig *g, const char *path)
{
    check_events_open(&g->sim, &ev_w, path);
}

static void events_close(struct rig *g, struct check_table *t, const char *path)
{
    check_events_close(&g->sim, &ev_w, t, path);
}

#define ev_at check_event_at

/* The timeseries row over the `span` s just ended: column `name` (redis.NAME). */
static double ts_col(struct rig *g, double span, const char *name)
{
    sim_table_fill(&g->sim, &g->sim.ts, sim_ns(span));
    char full[64];
    snprintf(full, sizeof full, "redis.%s", name);
    for (uint32_t i = 0; i < g->sim.ts.ncols; i++)
        if (strcmp(g->sim.ts.cols[i].name, full) == 0)
            return g->sim.ts.row[i];
    CHECK(0, "no column %s", full);
    return TS_NAN;
}

static void fault_times(struct cache_config *c)
{
    c->failover_time = DIST_CONST(15);
    c->node_replacement_time = sim_ns(300);
    c->resync_time = sim_ns(30);
    c->refill_time = sim_ns(100);
}

/* The primary fails with a replica up (EC-1..EC-3): the replica is promoted after
 * failover_time, its data kept (the hit ratio stays 1); meanwhile every set and every get to
 * the primary endpoint fails: a write outage of failover_time. The failed node is replaced
 * after node_replacement_time and resyncs as a replica. */
static void test_fault_primary_failover(void)
{
    struct cache_config c = base_config();
    use_keys(&c, 1000, 1000, 0);
    c.warm = true;
    c.replicas = 1;
    fault_times(&c);
    struct rig g;
    rig_init(&g, 2, &c, NULL);
    events_open(&g, "test_cache_failover.csv");
    g.cl.rate = 1000;
    g.cl.until = sim_ns(400);
    sim_at(&g.sim, 0, on_send, &g.cl, 1);
    sim_at(&g.sim, sim_ns(0.005), on_set_tick, &g.cl, 0);
    struct fault_shot fs;
    const char *cause = "fault 4 cache_node_failure redis node 0";
    fault_at(&g, &fs, 10, FAULT_NODE, -1, 0, cause);
    sim_run(&g.sim, sim_ns(10.001));
    CHECK_EQ_INT(fs.rc, 1);
    CHECK(!cache_node_up(g.k, 0), "the primary is down");
    sim_run(&g.sim, sim_ns(400));
    double outage = sim_s(g.cl.last_set_503 - g.cl.first_set_503);
    printf("cache primary lost with a replica: sets failed %.3f s .. %.3f s (%.2f s), %llu gets "
           "failed, hit ratio %.4f\n",
           sim_s(g.cl.first_set_503), sim_s(g.cl.last_set_503), outage,
           (unsigned long long)g.cl.get_503, (double)g.cl.hits / (double)g.cl.gets);
    CHECK_NEAR(sim_s(g.cl.first_set_503), 10, 0.011);
    CHECK_NEAR(outage, 15, 0.011); /* the write outage: failover_time */
    CHECK_EQ_INT(g.cl.set_503, 1500);
    CHECK(g.cl.get_503 > 14000 && g.cl.get_503 < 16000, "gets failed: %llu",
          (unsigned long long)g.cl.get_503);
    CHECK_EQ_INT(g.cl.hits, g.cl.gets); /* the data was kept: every get served hits */
    CHECK_NEAR(ts_col(&g, 400, "keys"), 1000, 0);
    CHECK_EQ_INT(cache_fault_node(g.k, 0), 1); /* the replica is the primary */
    CHECK(cache_node_up(g.k, 0), "the replacement serves after its resync");
    struct check_table ev;
    events_close(&g, &ev, "test_cache_failover.csv");
    CHECK_NEAR(ev_at(&ev, "node_down", cause), 10, 0);
    CHECK_NEAR(ev_at(&ev, "failover", cause), 10, 0);
    CHECK_NEAR(ev_at(&ev, "failover_end", "data kept"), 25, 0);
    CHECK_NEAR(ev_at(&ev, "node_replaced", "a replica"), 310, 0);
    CHECK_NEAR(ev_at(&ev, "resync", cause), 310, 0);
    CHECK_NEAR(ev_at(&ev, "resync_end", cause), 340, 0);
    check_table_free(&ev);
    rig_release(&g);
}

/* The only node fails (EC-4): every command fails until its replacement, which comes back
 * empty: with keys the store is emptied, the hit ratio starts from 0 and refills. With a
 * fixed ratio, the ratio climbs from 0 over refill_time. */
static void test_fault_node_without_replica(void)
{
    struct cache_config c = base_config();
    use_keys(&c, 100000, 100000, 0);
    c.warm = true;
    fault_times(&c);
    c.node_replacement_time = sim_ns(60);
    struct rig g;
    rig_init(&g, 3, &c, NULL);
    events_open(&g, "test_cache_no_replica.csv");
    g.cl.rate = 1000;
    g.cl.until = sim_ns(300);
    g.cl.set_after_miss = true;
    sim_at(&g.sim, 0, on_send, &g.cl, 1);
    struct fault_shot fs;
    fault_at(&g, &fs, 10, FAULT_NODE, -1, 0, "fault 1 cache_node_failure redis node 0");
    sim_run(&g.sim, sim_ns(10));
    double before = ts_col(&g, 10, "hit_ratio");
    sim_run(&g.sim, sim_ns(69.99));
    CHECK_EQ_INT(fs.rc, 1);
    CHECK_NEAR(ts_col(&g, 59.99, "keys"), 0, 0); /* emptied */
    CHECK(g.cl.get_503 > 55000 && g.cl.get_503 < 65000, "gets failed: %llu",
          (unsigned long long)g.cl.get_503);
    sim_run(&g.sim, sim_ns(70.1));
    double first = ts_col(&g, 0.11, "hit_ratio");
    sim_run(&g.sim, sim_ns(80));
    double ten = ts_col(&g, 9.9, "hit_ratio");
    sim_run(&g.sim, sim_ns(250));
    sim_run(&g.sim, sim_ns(300));
    double later = ts_col(&g, 50, "hit_ratio");
    printf("cache node lost without a replica: hit ratio %.3f before, %.3f in the first 0.1 s "
           "back, %.3f the next 10 s, %.3f at 250-300 s\n",
           before, first, ten, later);
    CHECK(before > 0.9, "warm before: %g", before);
    CHECK(first < 0.3, "empty when back: %g", first);
    CHECK(ten > first && later > ten, "it refills: %g %g %g", first, ten, later);
    struct check_table ev;
    events_close(&g, &ev, "test_cache_no_replica.csv");
    CHECK_NEAR(ev_at(&ev, "data_lost", "100000 keys lost"), 10, 0);
    CHECK_NEAR(ev_at(&ev, "node_replaced", "empty"), 70, 0);
    check_table_free(&ev);
    rig_release(&g);

    /* a fixed ratio: 0.8 x (t - 70) / 100 s while it refills */
    c = base_config();
    c.hit_ratio = 0.8;
    fault_times(&c);
    c.node_replacement_time = sim_ns(60);
    rig_init(&g, 3, &c, NULL);
    g.cl.rate = 2000;
    g.cl.until = sim_ns(300);
    sim_at(&g.sim, 0, on_send, &g.cl, 1);
    fault_at(&g, &fs, 10, FAULT_NODE, -1, 0, "x");
    sim_run(&g.sim, sim_ns(70));
    ts_col(&g, 70, "hit_ratio");
    sim_run(&g.sim, sim_ns(80));
    double r1 = ts_col(&g, 10, "hit_ratio");
    sim_run(&g.sim, sim_ns(120));
    sim_run(&g.sim, sim_ns(130));
    double r2 = ts_col(&g, 10, "hit_ratio"); /* the row since the last fill: 80-130 s */
    sim_run(&g.sim, sim_ns(200));
    sim_run(&g.sim, sim_ns(300));
    double r3 = ts_col(&g, 170, "hit_ratio");
    printf("fixed ratio 0.8 refilling over 100 s: %.3f at 70-80 s, %.3f at 80-130 s, %.3f at "
           "130-300 s\n",
           r1, r2, r3);
    CHECK_NEAR(r1, 0.8 * 0.05, 0.01);
    CHECK_NEAR(r2, 0.8 * 0.35, 0.01);
    CHECK_NEAR(r3, (40 * 0.8 * 0.8 + 130 * 0.8) / 170, 0.01); /* full from 170 s */
    rig_release(&g);
}

/* A replica is lost: reads go to the other, nothing fails; its replacement resyncs, serving
 * no reads for resync_time (EC-3). Then an AZ outage takes the primary and the other
 * replica: the replica outside it is promoted; the AZ's nodes are replaced only once it is
 * back (EC-4, AZ-3). */
static void test_fault_replica_and_az(void)
{
    struct cache_config c = base_config();
    c.hit_ratio = 1;
    c.replicas = 2; /* primary in 1a, replicas in 1b and 1a */
    c.read_from = CACHE_READ_REPLICAS;
    fault_times(&c);
    c.node_replacement_time = sim_ns(60);
    struct rig g;
    rig_init(&g, 4, &c, NULL);
    events_open(&g, "test_cache_replica_az.csv");
    g.cl.rate = 1000;
    g.cl.until = sim_ns(600);
    sim_at(&g.sim, 0, on_send, &g.cl, 1);
    sim_at(&g.sim, sim_ns(0.005), on_set_tick, &g.cl, 0);
    struct fault_shot lost, down, up;
    fault_at(&g, &lost, 10, FAULT_NODE, -1, 1, "fault 1 cache_node_failure redis node 1");
    fault_at(&g, &down, 150, FAULT_AZ_DOWN, 0, 0, "fault 2 az_outage us-east-1a");
    fault_at(&g, &up, 300, FAULT_AZ_UP, 0, 0, "fault 2 az_outage us-east-1a");
    sim_run(&g.sim, sim_ns(80));
    CHECK_EQ_INT(lost.rc, 1);
    CHECK(!cache_node_up(g.k, 1), "resyncing at 80 s");
    sim_run(&g.sim, sim_ns(101));
    CHECK(cache_node_up(g.k, 1), "serving at 101 s");
    CHECK_EQ_INT(g.cl.e503, 0); /* nothing failed */
    sim_run(&g.sim, sim_ns(600));
    CHECK_EQ_INT(down.rc, 2);
    CHECK_EQ_INT(up.rc, 2);
    CHECK_EQ_INT(g.cl.get_503, 0); /* the promoted replica served the gets throughout */
    CHECK_NEAR(sim_s(g.cl.last_set_503 - g.cl.first_set_503), 15, 0.011);
    CHECK_EQ_INT(cache_fault_node(g.k, 0), 1);
    struct check_table ev;
    events_close(&g, &ev, "test_cache_replica_az.csv");
    CHECK_NEAR(ev_at(&ev, "node_down", "a replica in us-east-1b"), 10, 0);
    CHECK_NEAR(ev_at(&ev, "node_replaced", "fault 1"), 70, 0);
    CHECK_NEAR(ev_at(&ev, "resync_end", "fault 1"), 100, 0);
    CHECK_NEAR(ev_at(&ev, "failover", "us-east-1b"), 150, 0);
    CHECK_NEAR(ev_at(&ev, "node_down", "once its AZ is back"), 150, 0);
    CHECK_NEAR(ev_at(&ev, "failover_end", "fault 2"), 165, 0);
    CHECK_NEAR(ev_at(&ev, "node_replacing", "fault 2"), 300, 0);
    CHECK_NEAR(ev_at(&ev, "node_replaced", "fault 2"), 360, 0);
    CHECK_NEAR(ev_at(&ev, "resync_end", "fault 2"), 390, 0);
    check_table_free(&ev);
    rig_release(&g);
}

/* The same seed gives the same numbers; another seed, others. */
static void test_determinism(void)
{
    struct cache_config c = base_config();
    use_keys(&c, 100000, 5000, sim_ns(0.5));
    c.get_time = (struct dist){.kind = DIST_EXP, .a = 20e-6};
    c.replicas = 1;
    c.read_from = CACHE_READ_REPLICAS;
    double first[9] = {0};
    const char *cols[] = {"hit_ratio", "gets", "sets", "errors", "evictions", "expirations",
                          "engine_cpu_pct_mean", "engine_cpu_max_pct_mean", "node_hours"};
    for (int run = 0; run < 3; run++) {
        struct rig g;
        rig_init(&g, run < 2 ? 5 : 6, &c, NULL);
        g.cl.rate = 10000;
        g.cl.until = sim_ns(2);
        g.cl.set_after_miss = true;
        sim_at(&g.sim, 0, on_send, &g.cl, 1);
        sim_run(&g.sim, sim_ns(2));
        bool same = true;
        for (int i = 0; i < 9; i++) {
            double v = summary(&g, cols[i]);
            if (run == 0)
                first[i] = v;
            else
                same &= memcmp(&v, &first[i], sizeof v) == 0;
        }
        if (run == 1)
            CHECK(same, "a second run with the same seed gives the same summary");
        if (run == 2)
            CHECK(!same, "another seed gives another summary");
        if (run == 0)
            printf("cold cache, 100000 keys, 5000 held, ttl 0.5 s, 2 s: hit ratio %.4f, "
                   "%.0f evictions, %.0f expirations\n",
                   first[0], first[4], first[5]);
        rig_release(&g);
    }
}

/* The timeseries row: rates over the interval, the keys held at its end. */
static void test_row(void)
{
    struct cache_config c = base_config();
    use_keys(&c, 10, 4, 0);
    struct rig g;
    rig_init(&g, 1, &c, NULL);
    for (uint32_t key = 0; key < 6; key++)
        send(&g.sim, &g.cl, OP_CACHE_SET, key);
    send(&g.sim, &g.cl, OP_CACHE_GET, 0);
    sim_run(&g.sim, sim_ns(2));
    sim_table_fill(&g.sim, &g.sim.ts, sim_ns(2));
    const double *row = g.sim.ts.row;
    struct {
        const char *name;
        double v;
    } want[] = {{"redis.gets_rps", 0.5},      {"redis.sets_rps", 3},
                {"redis.errors_rps", 0},      {"redis.evictions_ps", 1},
                {"redis.expirations_ps", 0},  {"redis.keys", 4},
                {"redis.engine_cpu_pct", 100 * (20e-6 + 6 * 25e-6) / 2},
                {"redis.engine_cpu_max_pct", 100 * (20e-6 + 6 * 25e-6) / 2}};
    for (size_t i = 0; i < sizeof want / sizeof want[0]; i++) {
        bool found = false;
        for (uint32_t j = 0; j < g.sim.ts.ncols; j++)
            if (strcmp(g.sim.ts.cols[j].name, want[i].name) == 0) {
                found = true;
                CHECK(fabs(row[j] - want[i].v) < 1e-9, "%s = %g, expected %g", want[i].name,
                      row[j], want[i].v);
            }
        CHECK(found, "column %s", want[i].name);
    }
    rig_release(&g);
}

int main(void)
{
    test_lru();
    test_ttl();
    test_against_reference();
    test_clear();
    test_fill();
    test_bytes_per_key();
    test_zipf();
    test_config();
    test_config_errors();
    test_hit_and_miss();
    test_errors();
    test_replicas();
    test_network();
    test_saturation();
    test_determinism();
    test_row();
    test_fault_primary_failover();
    test_fault_node_without_replica();
    test_fault_replica_and_az();
    return check_done();
}
