/* rds.h — an Amazon RDS database (PostgreSQL, MySQL or MariaDB): a primary with vCPUs and
 * max_connections, the callers' connection pools, an optional RDS Proxy, a Multi-AZ standby
 * and its failover, and read replicas with asynchronous replication and ReplicaLag.
 *
 * The database is a regional component (az -1). It serves OP_DB_READ and OP_DB_WRITE
 * (component.h); anything else is answered 500 at once. Each calling instance has its own
 * connection pool (HikariCP's way) to each database instance it queries; a query holds one
 * connection from the moment it gets it until it replies, queues first come first served for
 * the vCPUs of the instance that serves it, and a write on Multi-AZ waits for the standby's
 * acknowledgement before it commits. models/rds.c carries the rules and the AWS facts
 * (RDS-1..RDS-13) they rest on; docs/models/rds.md explains them.
 */
#ifndef TIERSIM_MODELS_RDS_H
#define TIERSIM_MODELS_RDS_H

#include "tiersim/dist.h"
#include "tiersim/models/component.h"
#include "tiersim/sim.h"

#include <stdbool.h>
#include <stdint.h>

struct scn_obj;
struct arena;
struct cJSON;

enum rds_engine { RDS_POSTGRES, RDS_MYSQL, RDS_MARIADB };
enum rds_read_from { RDS_READ_PRIMARY, RDS_READ_REPLICAS };

/* A DB instance class (RDS-12): its resources. Its Single-AZ on-demand prices (PostgreSQL;
 * MySQL, MariaDB priced as MySQL) are in the price table (scenarios/prices/us-east-1.json),
 * which has a row for every class here. Multi-AZ bills the standby too (RDS-13). */
struct rds_class {
    const char *name;
    uint32_t vcpus;
    double memory_gib;
};

/* Every class, terminated by a NULL name; the one called `name`, or NULL. */
extern const struct rds_class rds_classes[];
const struct rds_class *rds_class_find(const char *name);

/* DBInstanceClassMemory (bytes) of a class with `memory_gib` GiB: the memory minus what the
 * operating system and RDS's own processes reserve, 256 MiB + 1.75 % of the memory (a fit to
 * published max_connections values, see rds.c). */
double rds_class_memory(double memory_gib);

/* The engine's default max_connections (RDS-9) for a class with `memory_gib` GiB:
 * PostgreSQL min(DBInstanceClassMemory / 9531392, 5000), MySQL DBInstanceClassMemory /
 * 12582880, MariaDB min(DBInstanceClassMemory / 25165760, 12000), rounded down, at least 1. */
uint32_t rds_default_max_connections(enum rds_engine e, double memory_gib);

/* An AZ name as the scenario gives it, and where (for the world's error about a name that is
 * not one of the scenario's azs). */
struct rds_az_ref {
    const char *name;
    const struct cJSON *at;
};

/* Read replicas a database may have (RDS allows 15 for MySQL, MariaDB and PostgreSQL). */
#define RDS_MAX_REPLICAS 15u

struct rds_proxy_config {
    bool enabled;                     /* a "proxy" object is given */
    uint32_t max_connections_percent; /* of max_connections the proxy may open, 1..100 */
    int64_t borrow_timeout;           /* ns a query waits for a database connection;
                                         0: without limit (ConnectionBorrowTimeout) */
    struct dist latency;              /* s the proxy adds to each query (UNCERTAIN) */
};

struct rds_config {
    enum rds_engine engine;
    const struct rds_class *cls;
    uint32_t vcpus;               /* of the class */
    uint32_t max_connections;     /* per DB instance: the engine's default (RDS-9) or given */
    struct dist read, write;      /* s of one vCPU per query, when the caller gives no demand */
    uint32_t client_pool_size;    /* connections per caller and DB instance at most */
    int64_t connection_timeout;   /* ns a query waits for a connection of its caller's pool */
    int64_t idle_timeout;         /* ns after which an idle pooled connection closes; 0: never */
    bool multi_az;                /* a synchronous standby in another AZ (RDS-1) */
    struct dist sync_replication; /* s a Multi-AZ write waits for the standby (RDS-7) */
    struct dist failover_time;    /* s a failover lasts (RDS-1) */
    int64_t recovery_time;        /* ns a Single-AZ primary takes to recover once its AZ has
                                     power again (crash recovery; RDS-3, UNCERTAIN) */
    uint32_t nreplicas;           /* read replicas, same class as the primary (RDS-8) */
    enum rds_read_from read_from;
    double apply_factor;      /* a replica's apply demand per write / the write's demand */
    int64_t replica_lag_base; /* ns of ReplicaLag with nothing waiting to be applied */
    struct rds_proxy_config proxy;

    /* Every AZ name the scenario gives, in the order read (the primary's, the standby's,
     * the replicas'); the world checks them against the scenario's azs. The indexes below
     * point into az_refs, -1 where no AZ was given (rds_new then uses the defaults). */
    struct rds_az_ref *az_refs;
    uint32_t naz_refs;
    int32_t primary_az_ref, standby_az_ref;
    int32_t *replica_az_ref; /* nreplicas of them */
};

/* Read a component object of type "rds" (its "type" key already read by the world, which
 * also closes the object). Errors go to the scenario; returns false if any. Strings and
 * arrays land in arena a; release the distributions with rds_config_release. */
bool rds_config_from_json(struct scn_obj *o, struct rds_config *c, struct arena *a);
void rds_config_release(struct rds_config *c);

struct rds;

/* A database named `name` (columns, streams, the event log). `c` must outlive it. `azs`
 * are the scenario's AZs: every name of c->az_refs must be one of them (the world checks).
 * Without a given AZ the primary is in azs[0], the standby in the next AZ (azs[0] when there
 * is one AZ), and replica i in the (i + 2)-th AZ after the primary, round the list. */
struct rds *rds_new(struct sim *sim, const char *name, const struct rds_config *c,
                    const char *const *azs, uint32_t nazs, struct req_pool *pool);
/* Declare its columns and schedule its events. */
void rds_start(struct sim *sim, struct rds *d);
void rds_free(struct rds *d);
struct component *rds_component(struct rds *d);

/* Fail the primary over to the standby (RDS-1, RDS-2): for a drawn `failover_time` the
 * primary answers nothing (queries to it end with 503, those in progress included, and
 * every connection to it is dropped), then the standby is the primary in its AZ and the old
 * primary's AZ holds the new standby. `cause` is logged. Returns 0, or TS_EINVAL (nothing
 * happens) for a Single-AZ database, one already failing over, one whose standby is lost
 * or whose primary is down. */
int rds_failover(struct sim *sim, struct rds *d, const char *cause);

/* The index (into the scenario's azs) of the primary's AZ now. */
int rds_primary_az(const struct rds *d);

/* Faults (component.h) are the component's `fault` op: FAULT_FAILOVER (rds_failover; a
 * Single-AZ database logs that it has no standby), FAULT_AZ_DOWN and FAULT_AZ_UP (the
 * primary fails over or goes down, the standby is lost, replicas stop and catch up); see
 * docs/models/rds.md § Faults. Is the primary serving queries now (not failing over, not
 * down nor recovering)? */
bool rds_primary_up(const struct rds *d);

#endif
