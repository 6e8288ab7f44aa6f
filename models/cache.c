/* cache.c — ElastiCache for Redis OSS: a replication group (one primary, up to five read
 * replicas), each node a single engine thread with a FCFS queue kept by Lindley's recursion, and a hit model that is a
 * fixed ratio or a key population behind the key store of keys.h.
 *
 * Rules (reference/aws-behavior.md; sources in docs/models/cache.md):
 * - Nodes: a node type from the table below sets memory and price (EC-7). A replication
 *   group has one primary and 0..5 replicas (one shard, cluster mode off), each in an AZ:
 *   `primary_az` and `replica_azs`, by default the scenario's first AZ and the AZs after it
 *   in turn. The group is regional; a command reaches its node after the network hop from
 *   the caller's AZ (comp_hop), plus `latency` (EC-6's sub-millisecond response; the 0.5 ms
 *   of the defaults table) which does not occupy the node.
 * - Endpoints: sets go to the primary (the primary endpoint). Gets go to the primary, or
 *   with read_from "replicas" to a replica drawn uniformly (the reader endpoint), or to the
 *   primary when there is no replica.
 * - Engine: Redis runs commands on one thread, so each node serves one command at a time,
 *   first come first served, however many vCPUs its type has (AWS re:Post, "choose the
 *   instance type": Redis is single-threaded). A get costs a draw of `get_time`, a set of
 *   `set_time`, on the primary and again on every replica, where the write arrives one
 *   network hop after the primary ran it. Both defaults (20 us and 25 us) are UNCERTAIN
 *   modelling choices (EC-6 gives no distribution). With `backlog` > 0 a command that finds
 *   that many waiting is refused with 503.
 * - Engine, how: a FCFS single server needs no events. When a command is sent, its arrival
 *   time at the node is known, so Lindley's recursion books it at once (start = max(arrival,
 *   end of the work booked before it)) and its answer is scheduled to reach the caller after
 *   the end and the network back (comp_reply_at): one event per command. The price: the
 *   command's effect on the contents happens when it is sent, not when the engine starts it
 *   (up to a network hop and a queue wait earlier), and utilisation and queue length are
 *   read off the books (areas_at), not sampled from a state that changes with events.
 * - Hits, fixed ratio: each get hits with probability hit_ratio (stream "hits"); sets
 *   change nothing.
 * - Hits, keys: each get asks for a key drawn from Zipf(zipf_alpha) over `count` keys
 *   (stream "keys"); the key store decides: LRU among `capacity` keys, expiry `ttl` after
 *   the key's last set (an expired key misses and is removed). Capacity is given, or is the
 *   node's memory (EC-7) less reserved_memory_percent (ElastiCache's default 25 %) divided
 *   by item_bytes. A cache starts empty (as a replaced node does, EC-4) unless `warm`.
 *   maxmemory_policy decides what a full cache does with a new key: allkeys-lru (tiersim's
 *   default) and volatile-lru (AWS's default; the same when keys have a ttl) evict, while
 *   noeviction (or volatile-lru without a ttl) refuses the set with Redis's OOM error (500).
 * Simplifications: replicas hold exactly the primary's keys at every instant (no
 * replication lag in contents, which EC-3 says exists); LRU is exact, not Redis's sampled
 * approximation; an expired key is removed at its expiry instant, not by Redis's lazy and
 * sampled expiry; no cluster mode (shards), no connections, no network bandwidth.
 * - Faults (the `fault` op; EC-1..EC-4, AZ-3): FAULT_NODE and FAULT_AZ_DOWN fail nodes. A
 *   failed primary with a replica up: the replica with the least replication lag (the one
 *   whose engine has run its writes furthest) is promoted after a draw of `failover_time`
 *   (15 s, the defaults table; stream "failover", made at the first failover), data kept
 *   (EC-3); until then sets and gets to the primary endpoint get 503 at once, as every
 *   command to a node that is down does; then the other replicas resync for `resync_time`
 *   (30 s, UNCERTAIN), serving no reads. Without a replica up the data is lost (EC-4): the
 *   key store is emptied at once; a fixed ratio climbs back from 0 over `refill_time` once a
 *   node serves again. A failed node is replaced after `node_replacement_time` (5 min,
 *   UNCERTAIN reading of EC-2's "a few minutes"), counted from the failure or, in an AZ
 *   without power, from the AZ's return (EC-4); a replacement replica resyncs, a replacement
 *   with no primary up becomes the primary, empty.
 */
#include "tiersim/models/cache.h"

#include "tiersim/arena.h"
#include "tiersim/models/keys.h"
#include "tiersim/scn.h"
#include "tiersim/stats.h"

#include <ctype.h>
#include <math.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* --- node types ------------------------------------------------------------------------------
 * vCPUs and memory as AWS's node-type pages list them, read through two third-party cost
 * tables that agree (UNCERTAIN, except cache.r5.large's, EC-7). Prices: the price table
 * (scenarios/prices/us-east-1.json). */
const struct cache_node_type cache_node_types[] = {
    {"cache.t3.micro", 2, 0.5}, {"cache.t3.small", 2, 1.37}, {"cache.t3.medium", 2, 3.09},
    {"cache.m5.large", 2, 6.38}, {"cache.m5.xlarge", 4, 12.93}, {"cache.m5.2xlarge", 8, 26.04},
    {"cache.m6g.large", 2, 6.38}, {"cache.m6g.xlarge", 4, 12.93}, {"cache.r5.large", 2, 13.07},
    {"cache.r5.xlarge", 4, 26.32}, {"cache.r5.2xlarge", 8, 52.82}, {"cache.r6g.large", 2, 13.07},
    {"cache.r6g.xlarge", 4, 26.32}, {"cache.r6g.2xlarge", 8, 52.82}, {NULL, 0, 0},
};

const struct cache_node_type *cache_node_type_find(const char *name)
{
    for (const struct cache_node_type *t = cache_node_types; t->name; t++)
        if (strcmp(t->name, name) == 0)
            return t;
    return NULL;
}

/* --- configuration ------------------------------------------------------------------------- */

static const char *const read_from_names[] = {"primary", "replicas", NULL};
static const char *const policy_names[] = {"allkeys-lru", "volatile-lru", "noeviction", NULL};
/* Redis's other eviction policies: real, but not modelled (see the design comment) */
static const char *const policy_others[] = {"allkeys-lfu", "allkeys-random", "volatile-lfu",
                                            "volatile-random", "volatile-ttl", NULL};

static void read_node_type(struct scn_obj *o, struct cache_config *c)
{
    const char *type = scn_str(o, "node_type", "cache.r5.large");
    if (!type)
        return;
    c->node_type = cache_node_type_find(type);
    if (c->node_type)
        return;
    const char *names[32];
    unsigned n = 0;
    for (const struct cache_node_type *t = cache_node_types; t->name && n < 32; t++)
        names[n++] = t->name;
    char list[512];
    enum scn_gap gap = scn_table_gap(type, "cache.", names, n, list, sizeof list);
    const char *near = gap == SCN_GAP_NONE ? scn_nearest(type, names, n) : NULL;
    if (gap == SCN_GAP_SIZE)
        scn_error(o->s, scn_member(o, "node_type"), false,
                  "node type \"%s\" is not in tiersim's table (of %.*s it has: %s)", type,
                  (int)(strrchr(type, '.') - type), type, list);
    else if (near)
        scn_error(o->s, scn_member(o, "node_type"), false,
                  "unknown node type \"%s\" (did you mean \"%s\"?)", type, near);
    else
        scn_error(o->s, scn_member(o, "node_type"), false,
                  "unknown node type \"%s\" (known families: cache.t3, cache.m5, cache.m6g, "
                  "cache.r5, cache.r6g)",
                  type);
}

static void add_az_ref(struct cache_config *c, const char *name, const cJSON *at,
                       struct arena *a)
{
    c->az_refs[c->naz_refs].name = arena_strdup(a, name);
    c->az_refs[c->naz_refs++].at = at;
}

/* primary_az, replica_azs and replicas, which must agree with each other. */
static void read_placement(struct scn_obj *o, struct cache_config *c, struct arena *a)
{
    struct scn *s = o->s;
    char what[64];
    cJSON *list = scn_member(o, "replica_azs");
    int given = -1; /* replica AZs given, or -1 */
    if (list && !cJSON_IsArray(list))
        scn_error(s, list, false, "expected an array of AZ names, got %s",
                  scn_describe(list, what, sizeof what));
    else if (list)
        given = cJSON_GetArraySize(list);
    if (given > (int)CACHE_MAX_REPLICAS) {
        scn_error(s, list, false, "at most %u replicas, got %d AZs", CACHE_MAX_REPLICAS, given);
        given = -1;
    }
    int64_t replicas = scn_int(o, "replicas", given >= 0 ? given : 0, 0, CACHE_MAX_REPLICAS);
    if (given >= 0 && replicas != given) {
        scn_error(s, list, false,
                  "expected one AZ name per replica (\"replicas\" is %lld), got %d name%s",
                  (long long)replicas, given, given == 1 ? "" : "s");
        given = -1;
    }
    c->replicas = (uint32_t)replicas;
    c->az_refs = arena_alloc(a, (1u + CACHE_MAX_REPLICAS) * sizeof *c->az_refs);
    const char *primary = scn_str(o, "primary_az", NULL);
    if (primary) {
        add_az_ref(c, primary, scn_member(o, "primary_az"), a);
        c->primary_az = c->az_refs[0].name;
    }
    if (given < 0)
        return;
    c->replica_azs = arena_alloc(a, (size_t)(given ? given : 1) * sizeof *c->replica_azs);
    uint32_t n = 0;
    const cJSON *e;
    cJSON_ArrayForEach(e, list)
    {
        const char *name;
        if (!scn_as_str(s, e, &name))
            continue;
        add_az_ref(c, name, e, a);
        c->replica_azs[n++] = c->az_refs[c->naz_refs - 1u].name;
    }
    if (n != (uint32_t)given) /* a bad element, reported: place the replicas by default */
        c->replica_azs = NULL;
}

/* The keys of failures. */
static void read_fault_keys(struct scn_obj *o, struct cache_config *c, struct arena *a)
{
    /* EC-1 "a few seconds", EC-2 about 30 s: the defaults table's 15 s of write outage */
    dist_read(o, "failover_time", "{\"dist\": \"const\", \"value\": \"15s\"}",
              &c->failover_time, a);
    /* EC-2: a failed node is replaced "in a few minutes" (UNCERTAIN: 5 min) */
    c->node_replacement_time = scn_dur(o, "node_replacement_time", 300, SCN_NONNEG);
    /* EC-3: replicas resync "briefly" (UNCERTAIN: 30 s) */
    c->resync_time = scn_dur(o, "resync_time", 30, SCN_NONNEG);
}

static void read_keys(struct scn *s, cJSON *j, struct cache_config *c)
{
    struct scn_obj ko;
    if (!scn_open(s, j, &ko))
        return;
    c->use_keys = true;
    int64_t n = 1;
    scn_int_req(&ko, "count", 1, KEYS_MAX, &n);
    c->nkeys = (uint32_t)n;
    c->zipf_alpha = scn_num(&ko, "zipf_alpha", 0.99, SCN_IN(0, 10));
    cJSON *cap = scn_member(&ko, "capacity");
    if (cap) {
        int64_t v = 1;
        scn_as_int(s, cap, 1, KEYS_MAX, &v);
        c->capacity = (uint32_t)(v < n ? v : n); /* more room than keys: all of them fit */
        const char *memory_keys[] = {"item_bytes", "reserved_memory_percent"};
        for (unsigned i = 0; i < 2; i++) {
            cJSON *m = scn_member(&ko, memory_keys[i]);
            if (m)
                scn_error(s, m, true, "\"%s\" derives the capacity from the node's memory: "
                                      "give it or \"capacity\", not both",
                          memory_keys[i]);
        }
    } else {
        c->item_bytes = scn_num(&ko, "item_bytes", 1024, SCN_IN(1, 1e12));
        c->reserved_memory_percent = scn_num(&ko, "reserved_memory_percent", 25, SCN_IN(0, 99));
        if (c->node_type) {
            double data = c->node_type->memory_gib * 1073741824.0 *
                          (1.0 - c->reserved_memory_percent / 100.0);
            double fit = floor(data / c->item_bytes);
            if (fit < 1)
                scn_error(s, scn_member(&ko, "item_bytes"), false,
                          "no item of %.10g bytes fits in the %.4g GiB a %s has for data",
                          c->item_bytes, data / 1073741824.0, c->node_type->name);
            c->capacity = fit < 1 ? 1u : fit < (double)n ? (uint32_t)fit : (uint32_t)n;
        } else {
            c->capacity = (uint32_t)n; /* the unknown node type is reported */
        }
    }
    c->ttl = scn_dur(&ko, "ttl", 0, SCN_IN(0, 1e9));
    c->warm = scn_bool(&ko, "warm", false);
    c->maxmemory_policy = CACHE_ALLKEYS_LRU;
    cJSON *policy = scn_member(&ko, "maxmemory_policy");
    bool other = false;
    for (unsigned i = 0; policy && cJSON_IsString(policy) && policy_others[i]; i++)
        other = other || strcmp(policy->valuestring, policy_others[i]) == 0;
    if (other) {
        char list[128];
        size_t len = 0;
        for (unsigned i = 0; policy_names[i] && len < sizeof list; i++)
            len += (size_t)snprintf(list + len, sizeof list - len, "%s\"%s\"", i ? ", " : "",
                                    policy_names[i]);
        scn_error(s, policy, false,
                  "\"%s\" is a Redis policy tiersim does not model (expected one of: %s)",
                  policy->valuestring, list);
    } else
        c->maxmemory_policy =
            (enum cache_policy)scn_enum(&ko, "maxmemory_policy", policy_names, CACHE_ALLKEYS_LRU);
    scn_close(&ko);
}

bool cache_config_from_json(struct scn_obj *o, struct cache_config *c, struct arena *a)
{
    memset(c, 0, sizeof *c);
    struct scn *s = o->s;
    unsigned before = scn_error_count(s);
    read_node_type(o, c);
    read_placement(o, c, a);
    c->read_from = (enum cache_read_from)scn_enum(o, "read_from", read_from_names,
                                                  CACHE_READ_PRIMARY);
    /* EC-6: sub-millisecond; no measured distribution, so these are modelling choices */
    dist_read(o, "get_time", "{\"dist\": \"exp\", \"mean\": \"20us\"}", &c->get_time, a);
    dist_read(o, "set_time", "{\"dist\": \"exp\", \"mean\": \"25us\"}", &c->set_time, a);
    dist_read(o, "latency", "{\"dist\": \"const\", \"value\": \"0.5ms\"}", &c->latency, a);
    c->backlog = (uint32_t)scn_int(o, "backlog", 0, 0, 100000000);
    read_fault_keys(o, c, a);
    cJSON *ratio = scn_member(o, "hit_ratio");
    cJSON *keys = scn_member(o, "keys");
    /* one of the two is required; a misspelling of either is reported as that alone */
    bool misspelt = scn_misspelt(o, "hit_ratio") || scn_misspelt(o, "keys");
    if (ratio && keys)
        scn_error(s, keys, true, "give \"hit_ratio\" or \"keys\", not both");
    else if (!ratio && !keys && o->j && !misspelt)
        scn_error(s, o->j, false, "give \"hit_ratio\" (a fixed hit ratio) or \"keys\" (a key "
                                  "population)");
    if (ratio)
        scn_as_num(s, ratio, SCN_PROB, &c->hit_ratio);
    else if (keys)
        read_keys(s, keys, c);
    /* a fixed ratio's refill after the data is lost; with keys the refill emerges */
    cJSON *refill = scn_member(o, "refill_time");
    if (refill && keys && !ratio)
        scn_error(s, refill, true, "\"refill_time\" is for a fixed \"hit_ratio\": with "
                                   "\"keys\" a cache that lost its data refills as its keys are "
                                   "set again");
    else if (!keys)
        c->refill_time = scn_dur(o, "refill_time", 600, SCN_NONNEG);
    return scn_error_count(s) == before;
}

void cache_config_release(struct cache_config *c)
{
    dist_release(&c->failover_time);
    dist_release(&c->get_time);
    dist_release(&c->set_time);
    dist_release(&c->latency);
}

/* --- state ----------------------------------------------------------------------------------- */

/* A command on a node's books: when it reaches the node, starts on the engine, ends (ns). */
struct job {
    int64_t ta, start, done;
};

/* A node's engine thread, first come first served, kept by Lindley's recursion: a command
 * reaching the node at ta starts at max(ta, free_at) and runs its service time. Nothing
 * happens at those instants, so they need no event: the answer is sent at once, to arrive
 * after `done` and the network (comp_reply_at). */
struct node {
    int az;           /* index into the scenario's AZs */
    bool up;          /* serves commands: not down, not resyncing */
    bool down;        /* failed, waiting for its replacement */
    bool syncing;     /* a replica resyncing from the primary: it serves no reads (EC-3) */
    bool waiting_az;  /* down in an AZ without power: replaced only once it is back (EC-4) */
    evq_handle ev;    /* its replacement, or the end of its resync */
    char cause[128];  /* the fault that failed it, for the log */
    int64_t free_at;  /* ns, when the engine has run everything booked */
    struct job *jobs; /* booked and not over at the last look, oldest first: a ring of
                         `cap` (a power of two) */
    uint32_t head, n, cap;
    double busy_area;  /* ns of engine time booked, over or not */
    double queue_area; /* ns x commands of waiting booked, over or not */
};

#define MAX_NODES (1u + CACHE_MAX_REPLICAS)

/* Cumulative counts and areas, taken at each row and at the end of the warm-up. */
enum { N_GETS, N_HITS, N_SETS, N_ERRORS, N_EVICTIONS, N_EXPIRATIONS, NCOUNTS };
struct snap {
    uint64_t n[NCOUNTS];
    double busy[MAX_NODES]; /* engine busy time, ns */
    double queued;          /* commands waiting, summed over nodes, x ns */
};

struct cache {
    struct component comp; /* first: a request's frame names the cache */
    const struct cache_config *cfg;
    const char *const *azs; /* the scenario's */
    struct req_pool *pool;
    struct node nodes[MAX_NODES]; /* the primary first, then the replicas */
    uint32_t nnodes;
    uint32_t primary; /* index of the primary */
    gsl_rng *rng_service, *rng_hits, *rng_keys, *rng_route, *rng_latency, *rng_warm;
    struct keys store; /* the key model's */
    struct keys_zipf zipf;
    uint32_t next_key[2]; /* the next gets' keys, drawn two gets ahead (see execute) */

    /* faults (docs/models/cache.md § Faults): all false and 0 in a run without them */
    uint32_t nazs;
    bool *az_down;           /* [nazs]: AZs without power now */
    bool failing_over;       /* a replica is being promoted */
    uint32_t promote;        /* ... that one */
    evq_handle failover_ev;
    bool cold;               /* the data is lost: the next primary starts empty */
    int64_t refill_from, refill_until; /* ns: a fixed ratio climbing back from 0; 0 none */
    gsl_rng *rng_failover;   /* made at the first failover: no other stream changes */
    char cause[128];         /* the fault behind the failover under way */
    uint64_t gets, hits, sets, errors; /* since the start */
    struct snap at_row, at_warm;
    uint32_t c_ts, c_sum;
};

/* --- serving ----------------------------------------------------------------------------------
 * A command is served at once on the books of its node; its answer leaves the cache when the
 * engine has run it. */

/* Forget the jobs over by time t. */
static void prune(struct node *nd, int64_t t)
{
    while (nd->n && nd->jobs[nd->head].done <= t) {
        nd->head = (nd->head + 1u) & (nd->cap - 1u);
        nd->n--;
    }
}

/* Book a command reaching the node at ta with service time s; returns when it is over. */
static int64_t book(struct node *nd, int64_t ta, int64_t s)
{
    if (nd->n == nd->cap) {
        uint32_t cap = nd->cap ? 2u * nd->cap : 16u;
        struct job *j = ts_malloc(cap * sizeof *j);
        for (uint32_t i = 0; i < nd->n; i++)
            j[i] = nd->jobs[(nd->head + i) & (nd->cap - 1u)];
        free(nd->jobs);
        nd->jobs = j;
        nd->cap = cap;
        nd->head = 0;
    }
    int64_t start = ta > nd->free_at ? ta : nd->free_at;
    struct job *j = &nd->jobs[(nd->head + nd->n++) & (nd->cap - 1u)];
    *j = (struct job){ta, start, start + s};
    nd->free_at = j->done;
    nd->busy_area += (double)s;
    nd->queue_area += (double)(start - ta);
    return j->done;
}

/* Commands that will be waiting in the node's queue at time ta (booked, not yet started). */
static uint32_t waiting_at(const struct node *nd, int64_t ta)
{
    uint32_t w = 0;
    for (uint32_t i = 0; i < nd->n; i++) {
        const struct job *j = &nd->jobs[(nd->head + i) & (nd->cap - 1u)];
        w += j->start > ta && j->ta <= ta;
    }
    return w;
}

/* The node's engine time and waiting up to time t: what is booked less what lies after t. */
static void areas_at(struct node *nd, int64_t t, double *busy, double *queue)
{
    prune(nd, t);
    *busy = nd->busy_area;
    *queue = nd->queue_area;
    for (uint32_t i = 0; i < nd->n; i++) {
        const struct job *j = &nd->jobs[(nd->head + i) & (nd->cap - 1u)];
        *busy -= (double)(j->done - (j->start > t ? j->start : t));
        if (j->start > t)
            *queue -= (double)(j->start - (j->ta > t ? j->ta : t));
    }
}

/* A fixed hit ratio refilling after the group lost its data: from 0 to hit_ratio, linearly
 * over refill_time (the keys' refill has no such shape: it emerges). */
static double refill_ratio(struct cache *k, int64_t now)
{
    if (now >= k->refill_until) {
        k->refill_until = 0;
        return k->cfg->hit_ratio;
    }
    return k->cfg->hit_ratio * (double)(now - k->refill_from) /
           (double)(k->refill_until - k->refill_from);
}

/* Run the command's effect on the contents; returns the status to answer with. The contents
 * change when the command is booked, which is up to a network hop and a queue wait before
 * the engine runs it. */
static enum req_status execute(struct sim *sim, struct cache *k, struct request *r)
{
    const struct cache_config *c = k->cfg;
    if (r->op == OP_CACHE_GET) {
        k->gets++;
        if (c->use_keys) {
            /* Keys come from their own stream, drawn two gets ahead: the same keys in the
             * same order, while the store's lines for the next two are on their way from
             * main memory as the engine does other work (keys.h; bench/README.md). */
            uint32_t key = k->next_key[0];
            k->next_key[0] = k->next_key[1];
            k->next_key[1] = keys_zipf_draw(&k->zipf, k->rng_keys);
            keys_prefetch_links(&k->store, k->next_key[0]);
            keys_prefetch(&k->store, k->next_key[1]);
            r->arg = key;
            r->hit = keys_get(&k->store, key, sim->now);
        } else {
            r->arg = 0;
            double p = k->refill_until ? refill_ratio(k, sim->now) : c->hit_ratio;
            r->hit = gsl_rng_uniform(k->rng_hits) < p;
        }
        k->hits += r->hit;
        return REQ_OK;
    }
    k->sets++;
    if (!c->use_keys)
        return REQ_OK;
    if (r->arg >= c->nkeys || keys_set(&k->store, (uint32_t)r->arg, sim->now) == KEYS_REFUSED) {
        k->errors++; /* not a key of the population (a caller's mistake), or OOM */
        return REQ_E500;
    }
    return REQ_OK;
}

/* The primary ran a set, over at `done`: every replica runs it too, one network hop later. */
static void replicate(struct cache *k, int64_t done)
{
    const struct node *p = &k->nodes[k->primary];
    for (uint32_t i = 0; i < k->nnodes; i++) {
        struct node *nd = &k->nodes[i];
        if (i == k->primary || !nd->up)
            continue;
        int64_t ta = done + net_delay(k->pool->net, p->az, nd->az);
        book(nd, ta, sim_ns(dist_sample(&k->cfg->set_time, k->rng_service)));
    }
}

/* The node a get goes to, or -1 if none is up. */
static int reader(struct cache *k)
{
    uint32_t up = 0;
    if (k->cfg->read_from == CACHE_READ_REPLICAS)
        for (uint32_t i = 0; i < k->nnodes; i++)
            up += i != k->primary && k->nodes[i].up;
    if (up == 0) /* the reader endpoint of a group without replicas is the primary */
        return k->nodes[k->primary].up ? (int)k->primary : -1;
    uint32_t pick = up > 1 ? (uint32_t)gsl_rng_uniform_int(k->rng_route, up) : 0u;
    for (uint32_t i = 0; i < k->nnodes; i++)
        if (i != k->primary && k->nodes[i].up && pick-- == 0)
            return (int)i;
    return -1;
}

static void cache_accept(struct sim *sim, struct component *self, struct request *r)
{
    struct cache *k = (struct cache *)self;
    int node = -1;
    switch ((enum req_op)r->op) {
    case OP_CACHE_GET:
        node = reader(k);
        break;
    case OP_CACHE_SET:
        node = k->nodes[k->primary].up ? (int)k->primary : -1;
        break;
    case OP_HTTP: /* a scenario that sends a web request to a cache */
    case OP_DB_READ:
    case OP_DB_WRITE:
    case OP_DDB_READ:
    case OP_DDB_WRITE:
    case OP_EVENT:
        k->errors++;
        comp_reply(sim, r, REQ_E500);
        return;
    }
    if (node < 0) {
        k->errors++;
        comp_reply(sim, r, REQ_E503);
        return;
    }
    struct node *nd = &k->nodes[node];
    int64_t ta = sim->now + comp_hop(r, nd->az) +
                 sim_ns(dist_sample(&k->cfg->latency, k->rng_latency));
    prune(nd, sim->now);
    if (k->cfg->backlog && waiting_at(nd, ta) >= k->cfg->backlog) {
        k->errors++;
        comp_reply_at(sim, r, REQ_E503, ta); /* refused when it reaches the node */
        return;
    }
    const struct dist *d = r->op == OP_CACHE_GET ? &k->cfg->get_time : &k->cfg->set_time;
    int64_t done = book(nd, ta, sim_ns(dist_sample(d, k->rng_service)));
    enum req_status st = execute(sim, k, r);
    if (r->op == OP_CACHE_SET && st == REQ_OK)
        replicate(k, done);
    comp_reply_at(sim, r, st, done);
}

static void cache_resume(struct sim *sim, struct component *self, struct request *r)
{
    /* a cache calls nobody: nothing can come back to it */
    (void)sim;
    (void)self;
    (void)r;
    TS_ASSERT(0 && "a cache made no call to be resumed from");
}

/* --- faults -----------------------------------------------------------------------------------
 * Commands already booked on a node that fails are answered as booked: they are within a
 * network hop and a queue wait of the failure (well under a millisecond), and the books keep
 * no list of them. Every command sent afterwards avoids the node. */

static const char *role(const struct cache *k, uint32_t i)
{
    return i == k->primary ? "the primary" : "a replica";
}

int cache_fault_node(const struct cache *k, uint32_t n)
{
    if (n == 0)
        return (int)k->primary;
    for (uint32_t i = 0; i < k->nnodes; i++)
        if (i != k->primary && --n == 0)
            return (int)i;
    return -1;
}

bool cache_node_up(const struct cache *k, uint32_t i)
{
    return i < k->nnodes && k->nodes[i].up;
}

static void on_replaced(struct sim *sim, void *ctx, uint64_t arg);
static void on_resync_end(struct sim *sim, void *ctx, uint64_t arg);

/* Node i resyncs from the primary: it deletes its contents and loads the primary's, serving
 * no reads meanwhile (EC-3). The store is the group's, so the data it ends with is the
 * primary's. */
static void start_resync(struct sim *sim, struct cache *k, uint32_t i, const char *cause)
{
    struct node *nd = &k->nodes[i];
    nd->up = false;
    nd->syncing = true;
    if (cause != nd->cause)
        snprintf(nd->cause, sizeof nd->cause, "%s", cause);
    if (nd->ev)
        sim_cancel(sim, nd->ev);
    nd->ev = sim_after(sim, k->cfg->resync_time, on_resync_end, k, i);
    sim_log(sim, k->comp.name, "resync",
            "%s: the replica in %s resyncs from the primary for %.0f s, serving no reads (EC-3)",
            cause, k->azs[nd->az], sim_s(k->cfg->resync_time));
}

static void on_resync_end(struct sim *sim, void *ctx, uint64_t arg)
{
    struct cache *k = ctx;
    struct node *nd = &k->nodes[arg];
    nd->ev = 0;
    nd->syncing = false;
    nd->up = true;
    sim_log(sim, k->comp.name, "resync_end", "%s: the replica in %s serves reads again",
            nd->cause, k->azs[nd->az]);
}

/* No node holds the data any more: it is lost (EC-4). With keys the store is emptied now
 * (nothing can read it before a node is back); a fixed ratio refills when a node serves. */
static void lose_data(struct sim *sim, struct cache *k, const char *cause)
{
    k->cold = true;
    if (k->cfg->use_keys) {
        uint32_t n = keys_clear(&k->store);
        sim_log(sim, k->comp.name, "data_lost",
                "%s: no node up holds the data: %u keys lost; the group comes back empty (EC-4)",
                cause, n);
    } else {
        sim_log(sim, k->comp.name, "data_lost",
                "%s: no node up holds the data; the group comes back empty, its hit ratio "
                "climbing from 0 over %.0f s (EC-4)",
                cause, sim_s(k->cfg->refill_time));
    }
}

/* Node i is the primary again, or newly, after the data was lost: it starts empty. */
static void serve_empty(struct sim *sim, struct cache *k)
{
    if (!k->cold)
        return;
    k->cold = false;
    if (!k->cfg->use_keys && k->cfg->refill_time > 0) {
        k->refill_from = sim->now;
        k->refill_until = sim->now + k->cfg->refill_time;
    }
}

static void on_failover_end(struct sim *sim, void *ctx, uint64_t arg)
{
    (void)arg;
    struct cache *k = ctx;
    k->failover_ev = 0;
    k->failing_over = false;
    k->primary = k->promote;
    sim_log(sim, k->comp.name, "failover_end",
            "%s: the replica in %s is the primary, its data kept (EC-1, EC-3); writes resume",
            k->cause, k->azs[k->nodes[k->primary].az]);
    for (uint32_t i = 0; i < k->nnodes; i++)
        if (i != k->primary && !k->nodes[i].down)
            start_resync(sim, k, i, k->cause);
}

/* The primary is down (or the replica being promoted failed): promote the replica up with
 * the least replication lag (EC-1), taken as the one whose engine has run its replicated
 * writes furthest (the earliest end of its booked work; the lowest index among equals), or,
 * without one, lose the data. */
static void primary_lost(struct sim *sim, struct cache *k, const char *cause)
{
    int best = -1;
    for (uint32_t i = 0; i < k->nnodes; i++)
        if (i != k->primary && k->nodes[i].up &&
            (best < 0 || k->nodes[i].free_at < k->nodes[best].free_at))
            best = (int)i;
    snprintf(k->cause, sizeof k->cause, "%s", cause);
    if (best < 0) {
        k->failing_over = false;
        sim_log(sim, k->comp.name, "no_failover",
                "%s: no replica up to promote: every command fails until a node is replaced",
                cause);
        lose_data(sim, k, cause);
        return;
    }
    if (!k->rng_failover)
        k->rng_failover = sim_rng(sim, k->comp.name, "failover");
    double dur = dist_sample(&k->cfg->failover_time, k->rng_failover);
    k->failing_over = true;
    k->promote = (uint32_t)best;
    k->failover_ev = sim_after(sim, sim_ns(dur), on_failover_end, k, 0);
    sim_log(sim, k->comp.name, "failover",
            "%s: the replica in %s is promoted in %.1f s (EC-1, EC-2); until then every set "
            "and every get to the primary endpoint fails with 503",
            cause, k->azs[k->nodes[best].az], dur);
}

/* Node i fails: it serves nothing until its replacement, which starts now or, in an AZ
 * without power, once the AZ is back (EC-4). The caller deals with a lost primary. */
static void fail_node(struct sim *sim, struct cache *k, uint32_t i, const char *cause)
{
    struct node *nd = &k->nodes[i];
    const char *was = k->failing_over && i == k->promote ? "the replica being promoted"
                                                          : role(k, i);
    nd->down = true;
    nd->up = false;
    nd->syncing = false;
    if (nd->ev)
        sim_cancel(sim, nd->ev);
    nd->ev = 0;
    snprintf(nd->cause, sizeof nd->cause, "%s", cause);
    nd->waiting_az = k->az_down[nd->az];
    if (!nd->waiting_az)
        nd->ev = sim_after(sim, k->cfg->node_replacement_time, on_replaced, k, i);
    if (nd->waiting_az)
        sim_log(sim, k->comp.name, "node_down",
                "%s: %s in %s fails; replaced once its AZ is back (EC-4)", cause, was,
                k->azs[nd->az]);
    else
        sim_log(sim, k->comp.name, "node_down", "%s: %s in %s fails; replaced in %.0f s (EC-2)",
                cause, was, k->azs[nd->az], sim_s(k->cfg->node_replacement_time));
}

/* After failing the nodes of one fault: a failover if the primary, or the replica being
 * promoted, was among them. */
static void after_failures(struct sim *sim, struct cache *k, bool primary_hit, bool target_hit,
                           const char *cause)
{
    if (target_hit && k->failing_over) {
        sim_cancel(sim, k->failover_ev);
        k->failover_ev = 0;
        k->failing_over = false;
        primary_lost(sim, k, cause); /* another replica, or the data is lost */
    } else if (primary_hit && !k->failing_over) {
        primary_lost(sim, k, cause);
    }
}

static void on_replaced(struct sim *sim, void *ctx, uint64_t arg)
{
    struct cache *k = ctx;
    uint32_t i = (uint32_t)arg;
    struct node *nd = &k->nodes[i];
    nd->ev = 0;
    nd->down = false;
    if (k->failing_over) { /* a replica of the primary being promoted */
        sim_log(sim, k->comp.name, "node_replaced", "%s: the node in %s is replaced", nd->cause,
                k->azs[nd->az]);
        start_resync(sim, k, i, nd->cause);
    } else if (i == k->primary || k->nodes[k->primary].down) {
        /* no failover could happen: the data was lost, and this node is the primary, empty */
        k->primary = i;
        nd->up = true;
        serve_empty(sim, k);
        sim_log(sim, k->comp.name, "node_replaced",
                "%s: the node in %s is replaced and is the primary, empty (EC-4)", nd->cause,
                k->azs[nd->az]);
    } else {
        sim_log(sim, k->comp.name, "node_replaced",
                "%s: the node in %s is replaced, a replica (EC-2)", nd->cause, k->azs[nd->az]);
        start_resync(sim, k, i, nd->cause);
    }
}

static uint32_t fault_node(struct sim *sim, struct cache *k, uint32_t n, const char *cause)
{
    int i = cache_fault_node(k, n);
    if (i < 0 || k->nodes[i].down) {
        sim_log(sim, k->comp.name, "node_fault_ignored",
                i < 0 ? "%s: no node %u (the primary is 0, replicas 1 .. %u)"
                      : "%s: node %u is already down",
                cause, n, k->nnodes - 1u);
        return 0;
    }
    bool primary = (uint32_t)i == k->primary, target = k->failing_over && (uint32_t)i == k->promote;
    fail_node(sim, k, (uint32_t)i, cause);
    after_failures(sim, k, primary, target, cause);
    return 1;
}

static uint32_t fault_az_down(struct sim *sim, struct cache *k, int az, const char *cause)
{
    k->az_down[az] = true;
    uint32_t struck = 0;
    bool primary = false, target = false;
    for (uint32_t i = 0; i < k->nnodes; i++) {
        if (k->nodes[i].az != az || k->nodes[i].down)
            continue;
        primary |= i == k->primary;
        target |= k->failing_over && i == k->promote;
        fail_node(sim, k, i, cause);
        struck++;
    }
    after_failures(sim, k, primary, target, cause);
    return struck;
}

static uint32_t fault_az_up(struct sim *sim, struct cache *k, int az, const char *cause)
{
    k->az_down[az] = false;
    uint32_t n = 0;
    for (uint32_t i = 0; i < k->nnodes; i++) {
        struct node *nd = &k->nodes[i];
        if (nd->az != az || !nd->waiting_az)
            continue;
        nd->waiting_az = false;
        nd->ev = sim_after(sim, k->cfg->node_replacement_time, on_replaced, k, i);
        sim_log(sim, k->comp.name, "node_replacing",
                "%s: %s is back: the node there is replaced in %.0f s (EC-4, AZ-3)", cause,
                k->azs[az], sim_s(k->cfg->node_replacement_time));
        n++;
    }
    return n;
}

static uint32_t cache_fault(struct sim *sim, struct component *self,
                            const struct fault_action *a)
{
    struct cache *k = (struct cache *)self;
    bool in_azs = a->az >= 0 && (uint32_t)a->az < k->nazs;
    switch (a->op) {
    case FAULT_NODE:
        return fault_node(sim, k, a->node, a->cause);
    case FAULT_AZ_DOWN:
        return in_azs ? fault_az_down(sim, k, a->az, a->cause) : 0;
    case FAULT_AZ_UP:
        return in_azs ? fault_az_up(sim, k, a->az, a->cause) : 0;
    case FAULT_AZ_LAUNCHES:
    case FAULT_INSTANCES:
    case FAULT_FAILOVER:
    case FAULT_GRAY_START:
    case FAULT_GRAY_END:
    case FAULT_SHIFT_START:
    case FAULT_SHIFT_END:
        break;
    }
    return 0;
}

static const struct component_ops cache_ops = {
    .type = "cache",
    .accept = cache_accept,
    .resume = cache_resume,
    .fault = cache_fault,
};

/* --- metrics ----------------------------------------------------------------------------------- */

static void take(struct cache *k, int64_t now, struct snap *s)
{
    if (k->cfg->use_keys)
        keys_expire(&k->store, now); /* what is held now, expirations up to now */
    s->n[N_GETS] = k->gets;
    s->n[N_HITS] = k->hits;
    s->n[N_SETS] = k->sets;
    s->n[N_ERRORS] = k->errors;
    s->n[N_EVICTIONS] = k->store.evictions;
    s->n[N_EXPIRATIONS] = k->store.expirations;
    s->queued = 0;
    for (uint32_t i = 0; i < k->nnodes; i++) {
        double q;
        areas_at(&k->nodes[i], now, &s->busy[i], &q);
        s->queued += q;
    }
}

/* A count between two snapshots. */
static double diff(const struct snap *a, const struct snap *b, int which)
{
    return (double)(b->n[which] - a->n[which]);
}

/* The busiest node's engine utilisation between two snapshots span ns apart, in percent. */
static double busiest(const struct cache *k, const struct snap *a, const struct snap *b,
                      int64_t span)
{
    double m = 0;
    for (uint32_t i = 0; i < k->nnodes; i++)
        if (b->busy[i] - a->busy[i] > m)
            m = b->busy[i] - a->busy[i];
    return 100.0 * m / (double)span;
}

static void report_ts(struct sim *sim, void *ctx, double *row, int64_t span)
{
    struct cache *k = ctx;
    struct snap now;
    take(k, sim->now, &now);
    const struct snap *was = &k->at_row;
    double s = sim_s(span), gets = diff(was, &now, N_GETS);
    double *c = row + k->c_ts;
    c[0] = gets > 0 ? diff(was, &now, N_HITS) / gets : TS_NAN;
    c[1] = gets / s;
    c[2] = diff(was, &now, N_SETS) / s;
    c[3] = diff(was, &now, N_ERRORS) / s;
    c[4] = 100.0 * (now.busy[k->primary] - was->busy[k->primary]) / (double)span;
    c[5] = busiest(k, was, &now, span);
    c[6] = (now.queued - was->queued) / (double)span;
    if (k->cfg->use_keys) {
        c[7] = diff(was, &now, N_EVICTIONS) / s;
        c[8] = diff(was, &now, N_EXPIRATIONS) / s;
        c[9] = k->store.held;
    }
    k->at_row = now;
}

static void report_summary(struct sim *sim, void *ctx, double *row, int64_t span)
{
    struct cache *k = ctx;
    struct snap now;
    take(k, sim->now, &now);
    const struct snap *w = &k->at_warm;
    double *c = row + k->c_sum;
    double gets = diff(w, &now, N_GETS);
    c[0] = gets > 0 ? diff(w, &now, N_HITS) / gets : TS_NAN;
    c[1] = gets;
    c[2] = diff(w, &now, N_SETS);
    c[3] = diff(w, &now, N_ERRORS);
    if (k->cfg->use_keys) {
        c[4] = diff(w, &now, N_EVICTIONS);
        c[5] = diff(w, &now, N_EXPIRATIONS);
    }
    if (span <= 0) /* stopped before the warm-up ended: no time was measured */
        return;
    c[6] = 100.0 * (now.busy[k->primary] - w->busy[k->primary]) / (double)span;
    c[7] = busiest(k, w, &now, span);
    c[8] = (double)k->nnodes * (double)span / 3.6e12;
}

static void on_warmup_end(struct sim *sim, void *ctx, uint64_t arg)
{
    (void)arg;
    struct cache *k = ctx;
    take(k, sim->now, &k->at_warm);
}

/* --- life -------------------------------------------------------------------------------------- */

static int az_index(const char *const *azs, uint32_t nazs, const char *name)
{
    for (uint32_t i = 0; i < nazs; i++)
        if (strcmp(azs[i], name) == 0)
            return (int)i;
    return -1;
}

struct component *cache_component(struct cache *k)
{
    return &k->comp;
}

struct cache *cache_new(struct sim *sim, const char *name, const struct cache_config *c,
                        const char *const *azs, uint32_t nazs, struct req_pool *pool)
{
    TS_ASSERT(nazs >= 1 && c->replicas <= CACHE_MAX_REPLICAS);
    struct cache *k = ts_calloc(1, sizeof *k);
    k->comp.ops = &cache_ops;
    k->comp.name = name;
    k->comp.az = -1;
    k->cfg = c;
    k->azs = azs;
    k->pool = pool;
    k->nazs = nazs;
    k->az_down = ts_calloc(nazs, sizeof *k->az_down);
    k->nnodes = 1u + c->replicas;
    k->primary = 0;
    int p = c->primary_az ? az_index(azs, nazs, c->primary_az) : 0;
    TS_ASSERT(p >= 0); /* the world checks every AZ name */
    for (uint32_t i = 0; i < k->nnodes; i++) {
        struct node *nd = &k->nodes[i];
        nd->up = true;
        if (i == 0)
            nd->az = p;
        else if (c->replica_azs)
            nd->az = az_index(azs, nazs, c->replica_azs[i - 1u]);
        else /* the AZs after the primary's, in turn */
            nd->az = (int)(((uint32_t)p + i) % nazs);
        TS_ASSERT(nd->az >= 0);
    }
    k->rng_service = sim_rng(sim, name, "service");
    k->rng_latency = sim_rng(sim, name, "latency");
    k->rng_route = sim_rng(sim, name, "route");
    if (c->use_keys) {
        k->rng_keys = sim_rng(sim, name, "keys");
        k->rng_warm = sim_rng(sim, name, "warm");
        bool evict = c->maxmemory_policy == CACHE_ALLKEYS_LRU ||
                     (c->maxmemory_policy == CACHE_VOLATILE_LRU && c->ttl > 0);
        keys_init(&k->store, c->nkeys, c->capacity, c->ttl, evict);
        keys_zipf_init(&k->zipf, c->nkeys, c->zipf_alpha);
        k->next_key[0] = keys_zipf_draw(&k->zipf, k->rng_keys);
        k->next_key[1] = keys_zipf_draw(&k->zipf, k->rng_keys);
    } else {
        k->rng_hits = sim_rng(sim, name, "hits");
    }
    return k;
}

void cache_start(struct sim *sim, struct cache *k)
{
    const char *n = k->comp.name;
    const struct cache_config *c = k->cfg;
    k->c_ts = sim_column(&sim->ts, 4, "%s.hit_ratio", n);
    sim_column(&sim->ts, 3, "%s.gets_rps", n);
    sim_column(&sim->ts, 3, "%s.sets_rps", n);
    sim_column(&sim->ts, 3, "%s.errors_rps", n);
    sim_column(&sim->ts, 2, "%s.engine_cpu_pct", n);
    sim_column(&sim->ts, 2, "%s.engine_cpu_max_pct", n);
    sim_column(&sim->ts, 3, "%s.queued", n);
    sim_column(&sim->ts, 3, "%s.evictions_ps", n);
    sim_column(&sim->ts, 3, "%s.expirations_ps", n);
    sim_column(&sim->ts, 0, "%s.keys", n);
    sim_reporter(&sim->ts, report_ts, k);
    k->c_sum = sim_column(&sim->summary, 4, "%s.hit_ratio", n);
    sim_column(&sim->summary, 0, "%s.gets", n);
    sim_column(&sim->summary, 0, "%s.sets", n);
    sim_column(&sim->summary, 0, "%s.errors", n);
    sim_column(&sim->summary, 0, "%s.evictions", n);
    sim_column(&sim->summary, 0, "%s.expirations", n);
    sim_column(&sim->summary, 2, "%s.engine_cpu_pct_mean", n);
    sim_column(&sim->summary, 2, "%s.engine_cpu_max_pct_mean", n);
    sim_column(&sim->summary, 3, "%s.node_hours", n);
    sim_reporter(&sim->summary, report_summary, k);

    char where[256];
    int len = snprintf(where, sizeof where, "primary in %s", k->azs[k->nodes[0].az]);
    for (uint32_t i = 1; i < k->nnodes && len > 0 && (size_t)len < sizeof where; i++)
        len += snprintf(where + len, sizeof where - (size_t)len, "%s%s",
                        i == 1 ? ", replicas in " : " ", k->azs[k->nodes[i].az]);
    if (c->use_keys) {
        if (c->warm)
            keys_fill(&k->store, c->capacity, sim->now, k->rng_warm);
        sim_log(sim, n, "nodes",
                "%s: %s; %u of %u keys fit (%s), %s", c->node_type->name, where, c->capacity,
                c->nkeys,
                c->item_bytes > 0 ? "from the node's memory" : "capacity given",
                c->warm ? "warm: the most popular keys held" : "cold: empty");
    } else {
        sim_log(sim, n, "nodes", "%s: %s; fixed hit ratio %.4g", c->node_type->name, where,
                c->hit_ratio);
    }
    sim_at(sim, sim->warmup, on_warmup_end, k, 0);
}

void cache_free(struct cache *k)
{
    if (!k)
        return;
    keys_release(&k->store);
    for (uint32_t i = 0; i < k->nnodes; i++)
        free(k->nodes[i].jobs);
    free(k->az_down);
    free(k);
}
