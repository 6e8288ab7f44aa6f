/* dynamodb.h — an Amazon DynamoDB table: regional, answering reads and writes after a
 * latency drawn per request, and throttling what its capacity mode cannot serve
 * (reference/aws-behavior.md, DDB-1; docs/models/dynamodb.md).
 *
 * A caller (a `dynamodb` step of a step program) sends OP_DDB_READ or OP_DDB_WRITE with the
 * capacity the operation consumes in r->arg (ddb_units_arg): the table answers REQ_OK after
 * the network hop from the caller's AZ and a draw of `read_latency` or `write_latency`, or
 * REQ_E400 (ProvisionedThroughputExceededException / ThrottlingException, DDB-1) after the
 * hop alone when its capacity cannot take it. Any other op is answered REQ_E500 at once.
 *
 * Capacity, per operation type (reads and writes apart), measured in whole seconds of the
 * run ([k s, (k + 1) s)):
 * - PAY_PER_REQUEST (on demand): a second may consume up to min(max units, 2 x the previous
 *   peak). The previous peak starts at `previous_peak_*_request_units` (half of what a new
 *   table takes at once, DDB-1) and rises to the units consumed in any second once
 *   `peak_delay` (30 min) has passed since that second; it never falls.
 * - PROVISIONED: a token bucket per type, refilled at the provisioned rate and holding at
 *   most `burst_window` (300 s, DDB-1) of it; it starts full.
 * What the table leaves out: partitions and hot keys, adaptive capacity, auto scaling of
 * provisioned capacity, transactions, global tables, streams, indexes, item sizes.
 */
#ifndef TIERSIM_MODELS_DYNAMODB_H
#define TIERSIM_MODELS_DYNAMODB_H

#include "tiersim/dist.h"
#include "tiersim/models/component.h"
#include "tiersim/sim.h"

#include <stdbool.h>
#include <stdint.h>

struct scn_obj;
struct arena;

enum dynamodb_billing {
    DYNAMODB_PAY_PER_REQUEST, /* on demand (AWS's default) */
    DYNAMODB_PROVISIONED,
};

/* Most units per second of a table's rates and peaks. */
#define DYNAMODB_MAX_RATE 1000000u

struct dynamodb_config {
    enum dynamodb_billing billing_mode;
    struct dist read_latency;  /* s from a read reaching the table to its answer (DDB-1) */
    struct dist write_latency; /* s, the same for a write */
    /* PAY_PER_REQUEST */
    uint32_t peak_read, peak_write; /* units/s: the previous peak the table starts with */
    uint32_t max_read, max_write;   /* units/s: the table's most, whatever its peak */
    uint32_t peak_delay_s;          /* s from a second of consumption to it counting as the
                                       previous peak (>= 1) */
    /* PROVISIONED */
    uint32_t rcu, wcu;   /* units/s provisioned */
    int64_t burst;       /* ns of unused capacity kept as burst capacity (>= 1 s) */
};

/* Read a component object of type "dynamodb" (its `type` key already read). Errors are
 * recorded in the scenario; returns false if there were any. */
bool dynamodb_config_from_json(struct scn_obj *o, struct dynamodb_config *c, struct arena *a);
void dynamodb_config_release(struct dynamodb_config *c);

struct dynamodb;

/* A table named `name` (its random stream is (name, "latency")). `c` must outlive it. */
struct dynamodb *dynamodb_new(struct sim *sim, const char *name, const struct dynamodb_config *c);
/* Declare its columns, log its capacity, schedule the end of the warm-up. Call once, at
 * time 0. */
void dynamodb_start(struct sim *sim, struct dynamodb *t);
void dynamodb_free(struct dynamodb *t);
struct component *dynamodb_component(struct dynamodb *t);

/* Capacity units consumed since t = 0 by the requests it served (throttled ones consume
 * none): read units (an eventually consistent read counts half) and write units. */
void dynamodb_consumed(const struct dynamodb *t, double *read_units, double *write_units);

/* What the table would serve now, in units per second of operation type `write`: on demand,
 * min(max, 2 x the previous peak); provisioned, the burst capacity left (units). For
 * tests. */
double dynamodb_ceiling(struct dynamodb *t, int64_t now, bool write);
double dynamodb_burst_left(struct dynamodb *t, int64_t now, bool write);

#endif
