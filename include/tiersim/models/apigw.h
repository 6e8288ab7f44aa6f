/* apigw.h — an Amazon API Gateway API (REST or HTTP) in front of one integration: the
 * component its clients call, and which it calls in turn (an ALB, or a Lambda function).
 *
 * The gateway is regional (no AZ). A request first meets the account-level throttle, a token
 * bucket of `rate` tokens per second holding at most `burst` (APIGW-1): with no token left it
 * is answered 429 at once. Otherwise the gateway adds its own latency and forwards it; an
 * integration that has not answered within `integration_timeout` (APIGW-2: 29 s) leaves the
 * client with a 504 while its work goes on. An HTTP proxy integration's answers pass through;
 * a Lambda proxy integration's throttle (429) becomes `lambda_throttle_status` (500 by
 * default) and its function error (500) a 502. Each request that passes the bucket is billed
 * at `usd_per_million` (APIGW-3). docs/models/apigw.md has the sources.
 */
#ifndef TIERSIM_MODELS_APIGW_H
#define TIERSIM_MODELS_APIGW_H

#include "tiersim/dist.h"
#include "tiersim/models/component.h"
#include "tiersim/sim.h"

#include <stdbool.h>
#include <stdint.h>

struct scn_obj;
struct arena;
struct cJSON;

enum apigw_api_type { APIGW_REST, APIGW_HTTP };

/* How the gateway reads its integration's answers. */
enum apigw_integration {
    APIGW_HTTP_PROXY,   /* an HTTP endpoint (an ALB): its statuses pass through */
    APIGW_LAMBDA_PROXY, /* a Lambda function: 429 -> lambda_throttle_status, 500 -> 502 */
};

struct apigw_config {
    enum apigw_api_type api_type;
    const char *integration;              /* the component it calls (name) */
    const struct cJSON *integration_at;   /* its place, for reference errors */
    double rate;                          /* tokens (requests) per s into the bucket (APIGW-1:
                                             10,000) */
    uint32_t burst;                       /* tokens the bucket holds at most, and at t = 0
                                             (APIGW-1: 5,000) */
    int64_t integration_timeout;          /* ns from forwarding to the 504 (APIGW-2: 29 s) */
    struct dist latency;                  /* s the gateway adds to each request it forwards */
    uint16_t lambda_throttle_status;      /* enum req_status a Lambda integration's 429 becomes
                                             (500: the INTEGRATION_FAILURE response) */
    double usd_per_million;               /* $ per million requests billed (APIGW-3: REST 3.50,
                                             HTTP 1.00); NAN until the world fills in the
                                             price table's when the scenario gives none */
};

/* Read a component object of type "apigw" (its `type` key already read). Errors are recorded
 * in the scenario; returns false if there were any. The integration's name is checked by the
 * world. Strings point into the arena. */
bool apigw_config_from_json(struct scn_obj *o, struct apigw_config *c, struct arena *a);
void apigw_config_release(struct apigw_config *c);

struct apigw;

/* An API named `name`; `c` must outlive it. The bucket starts full. */
struct apigw *apigw_new(struct sim *sim, const char *name, const struct apigw_config *c);
/* Connect it to its integration (a component serving OP_HTTP), read the way `kind` says, and
 * declare its columns. Call once, at time 0, after every component exists. */
void apigw_start(struct sim *sim, struct apigw *g, struct component *integration,
                 enum apigw_integration kind);
void apigw_free(struct apigw *g);
struct component *apigw_component(struct apigw *g);

/* Requests billed since t = 0: every one that passed the bucket (APIGW-3). */
uint64_t apigw_billed_requests(const struct apigw *g);

/* Tokens in the bucket at time `now` (>= the last request's arrival), for tests. Pure. */
double apigw_tokens(const struct apigw *g, int64_t now);

#endif
