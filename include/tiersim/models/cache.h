/* cache.h — ElastiCache for Redis OSS: a replication group of one primary and up to five
 * read replicas, each a node in an AZ that runs commands one at a time on its engine
 * thread, with a hit model that is either a fixed ratio or a key population (Zipf
 * popularity, LRU, expiry) in which hit ratio, cold starts and warm-up emerge.
 *
 * A caller (a fleet's `cache` step) sends OP_CACHE_GET: the cache picks the key, decides
 * hit or miss, and answers REQ_OK with r->hit (1 or 0) and r->arg (the key it looked up).
 * After a miss the caller sends OP_CACHE_SET with that key in r->arg: the key is stored, and
 * the answer is REQ_OK (REQ_E500 when a full cache may not evict, Redis's OOM error). Any
 * other op is answered REQ_E500 at once. A command that finds its node's queue full is
 * answered REQ_E503.
 *
 * Faults (the component's `fault` op, component.h): FAULT_NODE and FAULT_AZ_DOWN fail nodes.
 * A failed primary with a replica up fails over to the replica with the least replication
 * lag after `failover_time` (EC-1, EC-2), its data kept (EC-3): meanwhile every SET and every
 * GET to the primary endpoint is answered 503, and afterwards the other replicas resync
 * (`resync_time`, serving no reads). A failed node is replaced after
 * `node_replacement_time`, in its AZ once that AZ is back (EC-4, AZ-3); a replacement
 * replica resyncs. A group that loses every node holding the data comes back empty (EC-4):
 * with keys the key store is emptied; with a fixed hit ratio the ratio ramps from 0 over
 * `refill_time`. See docs/models/cache.md § Faults.
 */
#ifndef TIERSIM_MODELS_CACHE_H
#define TIERSIM_MODELS_CACHE_H

#include "tiersim/dist.h"
#include "tiersim/models/component.h"
#include "tiersim/sim.h"

#include <stdbool.h>
#include <stdint.h>

struct scn_obj;
struct arena;
struct cJSON;

/* An ElastiCache node type (EC-7). Its price is in the price table
 * (scenarios/prices/us-east-1.json), which has a row for every type here. */
struct cache_node_type {
    const char *name;
    uint32_t vcpus;
    double memory_gib; /* the node's memory as AWS lists it */
};

/* Every type, ended by one whose name is NULL, and the type called `name` (or NULL). */
extern const struct cache_node_type cache_node_types[];
const struct cache_node_type *cache_node_type_find(const char *name);

/* Most read replicas in a replication group (one shard: a primary and up to five). */
#define CACHE_MAX_REPLICAS 5u

enum cache_read_from {
    CACHE_READ_PRIMARY,  /* gets go to the primary endpoint */
    CACHE_READ_REPLICAS, /* gets go to the reader endpoint: a replica at random */
};

/* Redis's maxmemory-policy, for what a full cache does with a new key. */
enum cache_policy {
    CACHE_ALLKEYS_LRU,  /* evict the least recently used key */
    CACHE_VOLATILE_LRU, /* the same among keys with a ttl: every key with "ttl", none without */
    CACHE_NOEVICTION,   /* refuse the set */
};

/* An AZ name as the scenario gives it, and where, for the world to check against `azs`. */
struct cache_az_ref {
    const char *name;
    const struct cJSON *at;
};

struct cache_config {
    const struct cache_node_type *node_type;
    uint32_t replicas;            /* read replicas, 0 .. CACHE_MAX_REPLICAS */
    const char *primary_az;       /* NULL: the scenario's first AZ */
    const char **replica_azs;     /* `replicas` names, or NULL: the AZs after the primary's */
    struct cache_az_ref *az_refs; /* every AZ name given: primary_az's, then replica_azs' */
    uint32_t naz_refs;
    enum cache_read_from read_from;
    struct dist get_time; /* s of a node's engine thread per GET (EC-6, UNCERTAIN) */
    struct dist set_time; /* s per SET, on the primary and again on each replica */
    struct dist latency;  /* s added to each command off the engine thread (EC-6) */
    uint32_t backlog;     /* most commands waiting per node; 0: no limit */

    bool use_keys;                  /* hit model: the key population below, else hit_ratio */
    double hit_ratio;               /* P(hit) of each get, 0 .. 1 (fixed-ratio model) */
    uint32_t nkeys;                 /* keys in the population (key model) */
    double zipf_alpha;              /* popularity exponent, >= 0 */
    uint32_t capacity;              /* most keys held: given, or from memory and item_bytes */
    double item_bytes;              /* bytes per cached item; 0 when capacity is given */
    int64_t ttl;                    /* ns from a set to the key's expiry; 0: none */
    bool warm;                      /* starts holding the `capacity` most popular keys */
    double reserved_memory_percent; /* of the node's memory not for data (25) */
    enum cache_policy maxmemory_policy;

    /* faults (docs/models/cache.md § Faults) */
    struct dist failover_time;      /* s from a primary's failure to a replica's promotion */
    int64_t node_replacement_time;  /* ns until a failed node's replacement is in service */
    int64_t resync_time;            /* ns a replica resyncs, serving no reads (EC-3) */
    int64_t refill_time;            /* ns a fixed hit ratio takes to climb back from 0 after
                                       the group lost its data */
};

/* Read a component object of type "cache" (its `type` key already read). Errors are
 * recorded in the scenario; returns false if there were any. Strings point into the arena
 * or the scenario's tree. */
bool cache_config_from_json(struct scn_obj *o, struct cache_config *c, struct arena *a);
void cache_config_release(struct cache_config *c);

struct cache;

/* The node index of fault node `n` (0 the primary, i the i-th replica in index order), or
 * -1; and whether node `i` (an index, 0 .. replicas) serves commands now. For tests. */
int cache_fault_node(const struct cache *k, uint32_t n);
bool cache_node_up(const struct cache *k, uint32_t i);

/* A replication group named `name` over the scenario's `nazs` AZs (names in azs; every AZ
 * name of c must be one of them: the world checks). `c` must outlive it. Replicated writes
 * travel as requests from `pool`. */
struct cache *cache_new(struct sim *sim, const char *name, const struct cache_config *c,
                        const char *const *azs, uint32_t nazs, struct req_pool *pool);
/* Declare its columns, fill a warm cache, schedule its events. Call once, at time 0. */
void cache_start(struct sim *sim, struct cache *k);
void cache_free(struct cache *k);
struct component *cache_component(struct cache *k);

#endif
