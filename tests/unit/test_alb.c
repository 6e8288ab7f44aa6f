/* test_alb.c — the ALB under faults, driven directly: a simulation without network, the
 * ALB, a stand-in target group of stand-in instances (a fixed service time, no queue; the
 * test powers them off as the fleet would), and a client that records how each request
 * ended. The fault op is called as the faults model would call it.
 *
 * Checks: a down target gets 504 after the 10 s connect timeout until its checks make it
 * unhealthy (about unhealthy_threshold x interval, ALB-6, ALB-7), then no traffic, and is
 * never called; its in-flight requests come back 502; fail-open with every target down
 * (ALB-9); an AZ's node lost: the share of failing requests falls linearly to 0 over the
 * DNS TTL after the node leaves DNS (ALB-2, AZ-2), and comes back over the TTL; zonal shift
 * (ALB-18); least outstanding requests moves traffic off a slow target; the fault op's
 * return values; determinism. */
#include "check.h"

#include "tiersim/arena.h"
#include "tiersim/csvw.h"
#include "tiersim/models/alb.h"
#include "tiersim/scn.h"

#include <stdlib.h>
#include <string.h>

#define S(x) ((int64_t)((x)*1e9 + 0.5)) /* ns from seconds (test constants) */

static const char *const AZS[] = {"us-east-1a", "us-east-1b", "us-east-1c"};

#define MAXI   12  /* instances */
#define NBINS  100 /* 10 s bins of send time: 1000 s */
#define BIN    S(10)

/* --- stand-in instances ------------------------------------------------------------------- */

struct tinst {
    struct component comp;
    char name[24];
    int64_t service;         /* ns per request */
    struct req_list held;    /* requests being served */
    uint64_t accepted;       /* client requests */
    uint64_t called_down;    /* accept while down: must stay 0 */
    uint64_t checks;         /* health checks answered */
    int64_t first_accept, last_accept; /* ns, of client requests (-1: none) */
    uint64_t after[NBINS];   /* client requests accepted, by 10 s bin of accept time */
};

static void on_served(struct sim *sim, void *ctx, uint64_t arg)
{
    struct tinst *in = ctx;
    struct request *r = (struct request *)(uintptr_t)arg;
    req_top(r)->ev = 0;
    req_list_remove(&in->held, r, r->depth - 1u);
    comp_reply(sim, r, REQ_OK);
}

static void ti_accept(struct sim *sim, struct component *self, struct request *r)
{
    struct tinst *in = (struct tinst *)self;
    if (self->down) {
        in->called_down++;
        return; /* lost: the test fails on called_down */
    }
    if (r->probe) {
        in->checks++;
        comp_reply(sim, r, REQ_OK);
        return;
    }
    in->accepted++;
    if (in->first_accept < 0)
        in->first_accept = sim->now;
    in->last_accept = sim->now;
    int64_t bin = sim->now / BIN;
    if (bin < NBINS)
        in->after[bin]++;
    req_list_push(&in->held, r, r->depth - 1u);
    req_top(r)->ev = sim_after(sim, in->service, on_served, in, (uint64_t)(uintptr_t)r);
}

static const struct component_ops ti_ops = {
    .type = "test-instance",
    .accept = ti_accept,
    .resume = NULL,
};

/* Power it off as the fleet does: down, and what it held comes back as 502. Returns how
 * many. */
static uint32_t ti_kill(struct sim *sim, struct tinst *in)
{
    in->comp.down = true;
    uint32_t n = 0;
    struct request *r;
    while ((r = in->held.head) != NULL) {
        unsigned level = (unsigned)req_level(r, &in->comp);
        req_list_remove(&in->held, r, level);
        TS_ASSERT(level + 1u == r->depth);
        comp_cancel_pending(sim, r);
        comp_reply(sim, r, REQ_E502);
        n++;
    }
    return n;
}

/* --- a stand-in group: registers its instances, hears their health ------------------------- */

struct tgroup {
    struct component comp;
    struct tinst *inst;
    uint32_t n;
    int64_t unhealthy_at[MAXI], healthy_at[MAXI]; /* ns, the last report (-1: none) */
};

static int tg_subscribe(struct sim *sim, struct component *self, const struct target_listener *l)
{
    struct tgroup *g = (struct tgroup *)self;
    for (uint32_t i = 0; i < g->n; i++)
        l->added(sim, l->ctx, &g->inst[i].comp, true);
    return 0;
}

static void tg_health(struct sim *sim, struct component *self, struct component *target,
                      bool healthy)
{
    struct tgroup *g = (struct tgroup *)self;
    for (uint32_t i = 0; i < g->n; i++)
        if (&g->inst[i].comp == target)
            (healthy ? g->healthy_at : g->unhealthy_at)[i] = sim->now;
}

static const struct component_ops tg_ops = {
    .type = "test-group",
    .accept = comp_accept_none,
    .subscribe = tg_subscribe,
    .health_report = tg_health,
};

/* --- the client ----------------------------------------------------------------------------- */

struct tclient {
    struct component comp;
    struct req_pool *pool;
    double rate; /* per s, evenly spaced */
    int64_t until;
    /* by 10 s bin of send time */
    uint64_t sent[NBINS], ok[NBINS], e502[NBINS], e503[NBINS], e504[NBINS], tmo[NBINS];
    uint64_t node[NBINS][3]; /* answered through the node in AZ k */
    int64_t lat504_min, lat504_max, lattmo_min, lattmo_max; /* ns */
    uint64_t tmo_at_once; /* timeouts faster than the connect timeout (lost in flight) */
    int64_t tmo_at_once_t; /* ns, when the last of them ended */
    uint64_t last_504_sent; /* ns, send time of the last 504 */
};

static void tcl_resume(struct sim *sim, struct component *self, struct request *r)
{
    struct tclient *c = (struct tclient *)self;
    int64_t lat = sim->now - r->t_arrival;
    int64_t bin = r->t_arrival / BIN;
    TS_ASSERT(bin < NBINS);
    switch (r->status) {
    case REQ_OK:
        c->ok[bin]++;
        break;
    case REQ_E502:
        c->e502[bin]++;
        break;
    case REQ_E503:
        c->e503[bin]++;
        break;
    case REQ_E504:
        c->e504[bin]++;
        if (lat < c->lat504_min)
            c->lat504_min = lat;
        if (lat > c->lat504_max)
            c->lat504_max = lat;
        if ((uint64_t)r->t_arrival > c->last_504_sent)
            c->last_504_sent = (uint64_t)r->t_arrival;
        break;
    case REQ_TIMEOUT:
        c->tmo[bin]++;
        if (lat < S(10)) {
            c->tmo_at_once++;
            c->tmo_at_once_t = sim->now;
        } else {
            if (lat < c->lattmo_min)
                c->lattmo_min = lat;
            if (lat > c->lattmo_max)
                c->lattmo_max = lat;
        }
        break;
    default:
        CHECK(false, "unexpected status %u", (unsigned)r->status);
        break;
    }
    /* the popped ALB frame still says which node it went through (-1: none reached) */
    if (r->status != REQ_TIMEOUT && r->stack[1].az >= 0)
        c->node[bin][r->stack[1].az]++;
    req_free(c->pool, r);
}

static const struct component_ops tcl_ops = {
    .type = "test-client",
    .accept = comp_accept_none,
    .resume = tcl_resume,
};

/* --- the fixture ---------------------------------------------------------------------------- */

struct fx {
    struct sim sim;
    struct req_pool pool;
    struct arena arena;
    struct alb_config cfg;
    struct alb *b;
    struct component *lb;
    struct tinst inst[MAXI];
    struct tgroup group;
    struct tclient client;
    struct csvw ev;
    char *log;
    size_t loglen;
};

static bool read_alb(struct scn_obj *o, void *c, struct arena *a)
{
    return alb_config_from_json(o, c, a);
}

/* Read an object from JSON text (as the world would, "type" already read). */
static bool parse(const char *json, struct alb_config *c, struct arena *a)
{
    return check_parse(json, read_alb, c, a);
}

/* `n` instances, instance i in AZ az[i] with service time service[i] (s). */
static void setup(struct fx *f, const char *json, uint64_t seed, uint32_t n, const int *az,
                  const double *service, double rate, double until)
{
    memset(f, 0, sizeof *f);
    sim_init(&f->sim, seed);
    f->pool.net = NULL;
    f->arena = (struct arena)ARENA_INIT;
    f->ev.f = open_memstream(&f->log, &f->loglen);
    f->sim.events_out = &f->ev;
    bool ok = parse(json, &f->cfg, &f->arena);
    CHECK(ok, "the configuration does not read: %s", json);
    if (!ok)
        exit(check_done());
    for (uint32_t i = 0; i < n; i++) {
        struct tinst *in = &f->inst[i];
        snprintf(in->name, sizeof in->name, "web/i-%u", i + 1);
        in->comp = (struct component){.ops = &ti_ops, .name = in->name, .az = az[i]};
        in->service = S(service[i]);
        in->first_accept = in->last_accept = -1;
    }
    f->group = (struct tgroup){.comp = {.ops = &tg_ops, .name = "web", .az = -1},
                               .inst = f->inst,
                               .n = n};
    for (uint32_t i = 0; i < MAXI; i++)
        f->group.unhealthy_at[i] = f->group.healthy_at[i] = -1;
    f->client = (struct tclient){.comp = {.ops = &tcl_ops, .name = "client", .az = -1},
                                 .pool = &f->pool,
                                 .rate = rate,
                                 .until = S(until),
                                 .lat504_min = INT64_MAX,
                                 .lattmo_min = INT64_MAX};
    f->b = alb_new(&f->sim, "lb", &f->cfg, AZS, 3, &f->pool);
    f->lb = alb_component(f->b);
    struct component *groups[] = {&f->group.comp};
    CHECK_EQ_INT(alb_start(&f->sim, f->b, groups, 1), 0);
}

static void teardown(struct fx *f)
{
    fflush(f->ev.f);
    if (getenv("TIERSIM_TEST_LOG")) /* to see a run's event log */
        fputs(f->log ? f->log : "", stdout);
    alb_free(f->b);
    sim_release(&f->sim);
    alb_config_release(&f->cfg);
    arena_release(&f->arena);
    req_pool_release(&f->pool);
    fclose(f->ev.f);
    free(f->log);
}

static void on_send(struct sim *sim, void *ctx, uint64_t arg)
{
    struct fx *f = ctx;
    struct tclient *c = &f->client;
    struct request *r = req_new(c->pool);
    r->id = arg;
    r->t_arrival = sim->now;
    r->depth = 1;
    r->stack[0] = (struct frame){.comp = &c->comp, .az = -1};
    c->sent[sim->now / BIN]++;
    int64_t next = S((double)(arg + 1) / c->rate);
    if (next < c->until)
        sim_at(sim, next, on_send, f, arg + 1);
    comp_call(sim, r, f->lb);
}

/* A fault action at time t, as the faults model sends them. */
struct shot {
    struct fx *f;
    struct fault_action a;
    uint32_t *struck; /* where to put the op's answer */
    int kill;         /* or: power off instance kill-1 (and its AZ's when az >= 0) */
    uint32_t *killed;
};

static void on_shot(struct sim *sim, void *ctx, uint64_t arg)
{
    (void)arg;
    struct shot *s = ctx;
    if (s->kill) {
        *s->killed += ti_kill(sim, &s->f->inst[s->kill - 1]);
        return;
    }
    *s->struck = s->f->lb->ops->fault(sim, s->f->lb, &s->a);
}

static void run(struct fx *f, double until)
{
    sim_at(&f->sim, 0, on_send, f, 0);
    CHECK_EQ_INT(sim_run(&f->sim, S(until)), 0);
    fflush(f->ev.f);
}

/* The time (s) of the first event-log row whose event is `event` and whose detail contains
 * `text`, or -1. */
static double logged(const struct fx *f, const char *event, const char *text)
{
    char key[64];
    snprintf(key, sizeof key, ",lb,%s,", event);
    for (const char *p = f->log; p && (p = strstr(p, key)) != NULL; p++) {
        const char *eol = strchr(p, '\n');
        const char *bol = p;
        while (bol > f->log && bol[-1] != '\n')
            bol--;
        const char *hit = strstr(p, text);
        if (hit && (!eol || hit < eol))
            return strtod(bol, NULL);
    }
    return -1;
}

static uint64_t sum(const uint64_t *x, int from, int to)
{
    uint64_t s = 0;
    for (int i = from; i < to; i++)
        s += x[i];
    return s;
}

/* --- a down target -------------------------------------------------------------------------- */

static void test_down_target(void)
{
    struct fx f;
    const int az[] = {0, 1, 2};
    const double service[] = {1, 1, 1};
    setup(&f, "{\"type\": \"alb\", \"targets\": \"web\", \"latency\": 0}", 3, 3, az, service, 30,
          400);
    uint32_t killed = 0;
    struct shot kill = {.f = &f, .kill = 1, .killed = &killed};
    sim_at(&f.sim, S(100), on_shot, &kill, 0);
    run(&f, 420);

    struct tinst *dead = &f.inst[0];
    double t_unhealthy = sim_s(f.group.unhealthy_at[0]);
    printf("down target: %u requests in flight came back 502; unhealthy %.1f s after it went "
           "down; %llu 504s, each after %.3f..%.3f s\n",
           killed, t_unhealthy - 100, (unsigned long long)sum(f.client.e504, 0, NBINS),
           sim_s(f.client.lat504_min), sim_s(f.client.lat504_max));
    CHECK_EQ_INT(dead->called_down, 0); /* never reached: neither requests nor checks */
    CHECK(killed >= 5 && killed <= 15, "about 30 rps / 3 x 1 s in flight: %u", killed);
    CHECK_EQ_INT(sum(f.client.e502, 0, NBINS), killed); /* they pass through as 502 */
    /* ALB-6, ALB-7: 2 failed checks 30 s apart, each failing at its 5 s timeout: 35-65 s */
    CHECK(t_unhealthy - 100 >= 35 && t_unhealthy - 100 <= 65, "unhealthy after %.1f s",
          t_unhealthy - 100);
    CHECK(f.group.unhealthy_at[1] < 0 && f.group.unhealthy_at[2] < 0, "the others stay healthy");
    /* routed to it until then: 504 exactly at the 10 s connect timeout (ALB-14, ALB-15) */
    CHECK_EQ_INT(f.client.lat504_min, S(10));
    CHECK_EQ_INT(f.client.lat504_max, S(10));
    uint64_t e504 = sum(f.client.e504, 0, NBINS);
    double expect = 30.0 * (t_unhealthy - 100) / 3; /* round robin: a third of them */
    CHECK(fabs((double)e504 - expect) <= 2, "504s %llu, expected %.1f",
          (unsigned long long)e504, expect);
    CHECK(sim_s((int64_t)f.client.last_504_sent) <= t_unhealthy, "no 504 once unhealthy");
    CHECK(dead->last_accept < S(100), "nothing reached it after it went down");
    /* then the others take everything */
    int from = (int)(t_unhealthy / 10) + 1;
    CHECK_EQ_INT(sum(f.client.ok, from, 40), sum(f.client.sent, from, 40));
    CHECK(logged(&f, "target_health", "web/i-1 healthy -> unhealthy (2 checks failed in a row, "
                                      "the last timed out)") == floor(t_unhealthy * 1000 + 0.5) / 1000,
          "the transition is logged");
    teardown(&f);
}

/* ALB-9: every target down, so every target unhealthy: the ALB still routes to them all, and
 * every request gets 504 at the connect timeout, never 503. */
static void test_down_fail_open(void)
{
    struct fx f;
    const int az[] = {0, 1, 2};
    const double service[] = {0.01, 0.01, 0.01};
    setup(&f, "{\"type\": \"alb\", \"targets\": \"web\", \"latency\": 0}", 5, 3, az, service, 10,
          300);
    uint32_t killed = 0;
    struct shot k[3];
    for (int i = 0; i < 3; i++) {
        k[i] = (struct shot){.f = &f, .kill = i + 1, .killed = &killed};
        sim_at(&f.sim, S(50), on_shot, &k[i], 0);
    }
    run(&f, 320);
    double t_open = logged(&f, "fail_open", "");
    printf("every target down at 50 s: fail-open at %.1f s\n", t_open);
    CHECK(t_open >= 85 && t_open <= 115, "fail-open at %.1f s", t_open);
    for (int i = 0; i < 3; i++)
        CHECK_EQ_INT(f.inst[i].called_down, 0);
    CHECK_EQ_INT(sum(f.client.e503, 0, NBINS), 0);
    CHECK_EQ_INT(sum(f.client.e504, 5, 30), sum(f.client.sent, 5, 30));
    teardown(&f);
}

/* --- an AZ's node lost ---------------------------------------------------------------------- */

struct node_run {
    uint64_t tmo[NBINS], sent[NBINS], node0[NBINS], lost;
    uint32_t struck_down, struck_up;
    double t_out, t_down, t_up;
};

static void node_loss(uint64_t seed, struct node_run *out, bool print)
{
    struct fx f;
    const int az[] = {0, 1, 2, 0, 1, 2};
    const double service[] = {1, 1, 1, 1, 1, 1};
    setup(&f, "{\"type\": \"alb\", \"targets\": \"web\", \"latency\": 0}", seed, 6, az, service,
          1000, 500);
    struct shot down = {.f = &f,
                        .a = {.op = FAULT_AZ_DOWN, .id = 3, .az = 0,
                              .cause = "fault 3 az_outage us-east-1a"},
                        .struck = &out->struck_down};
    struct shot up = {.f = &f,
                      .a = {.op = FAULT_AZ_UP, .id = 3, .az = 0,
                            .cause = "fault 3 az_outage us-east-1a"},
                      .struck = &out->struck_up};
    sim_at(&f.sim, S(100), on_shot, &down, 0);
    sim_at(&f.sim, S(300), on_shot, &up, 0);
    run(&f, 520);
    memcpy(out->tmo, f.client.tmo, sizeof out->tmo);
    memcpy(out->sent, f.client.sent, sizeof out->sent);
    for (int i = 0; i < NBINS; i++)
        out->node0[i] = f.client.node[i][0];
    out->lost = f.client.tmo_at_once;
    out->t_down = logged(&f, "node_down", "us-east-1a: the node stops answering");
    out->t_out = logged(&f, "node_out_of_dns", "(fault 3 az_outage us-east-1a)");
    out->t_up = logged(&f, "node_up", "back in DNS");
    if (!print) {
        teardown(&f);
        return;
    }
    /* the targets are alive: every failure is the node's */
    CHECK_EQ_INT(sum(f.client.e504, 0, NBINS) + sum(f.client.e502, 0, NBINS) +
                     sum(f.client.e503, 0, NBINS),
                 0);
    CHECK(out->t_down == 100 && out->t_up == 300, "logged: down %.3f, up %.3f", out->t_down,
          out->t_up);
    CHECK(logged(&f, "node_down", "(fault 3 az_outage us-east-1a)") == 100, "cause logged");
    /* in flight through it when it died: lost at once; the others after the connect timeout */
    printf("node lost at 100 s: %llu requests in flight through it lost at once (at %.3f s); "
           "later tries time out after %.3f..%.3f s\n",
           (unsigned long long)f.client.tmo_at_once, sim_s(f.client.tmo_at_once_t),
           sim_s(f.client.lattmo_min), sim_s(f.client.lattmo_max));
    CHECK(f.client.tmo_at_once > 250 && f.client.tmo_at_once < 420,
          "about 1000 rps x 1 s / 3 in flight through it: %llu",
          (unsigned long long)f.client.tmo_at_once);
    CHECK_EQ_INT(f.client.tmo_at_once_t, S(100));
    CHECK_EQ_INT(f.client.lattmo_min, S(10));
    CHECK_EQ_INT(f.client.lattmo_max, S(10));
    teardown(&f);
}

static void test_node_loss(void)
{
    struct node_run a;
    node_loss(11, &a, true);
    CHECK_EQ_INT(a.struck_down, 1);
    CHECK_EQ_INT(a.struck_up, 1);
    CHECK_NEAR(a.t_out, 130, 0); /* out of DNS 30 s after it stopped answering */
    /* the share of new requests that fail: a third until it leaves DNS, then falling linearly
     * to 0 over the 60 s TTL as clients' cached answers expire (ALB-2) */
    /* those sent in the second before it died were in flight through it */
    CHECK_EQ_INT(a.tmo[9], a.lost);
    printf("share of requests failing, by 10 s of send time from 100 s:");
    for (int bin = 10; bin < 30; bin++) {
        double t_mid = bin * 10 + 5;
        double expect = t_mid < 100   ? 0
                        : t_mid < 130 ? 1.0 / 3
                        : t_mid < 190 ? (1.0 / 3) * (1 - (t_mid - 130) / 60)
                                      : 0;
        double share = (double)a.tmo[bin] / (double)a.sent[bin];
        printf(" %.3f", share);
        /* binomial: 10,000 requests a bin, sd <= 0.005; 4 sd */
        CHECK(fabs(share - expect) <= 0.02, "bin %d s: share %.4f, expected %.4f", bin * 10,
              share, expect);
        if (expect == 0)
            CHECK_EQ_INT(a.tmo[bin], 0);
    }
    printf("\n");
    /* back: clients learn the node again over the TTL, then a third of the requests use it */
    printf("share of requests through it from 290 s:");
    for (int bin = 29; bin < 45; bin++) {
        double t_mid = bin * 10 + 5;
        double expect = t_mid < 300 ? 0 : t_mid < 360 ? (1.0 / 3) * (t_mid - 300) / 60 : 1.0 / 3;
        double share = (double)a.node0[bin] / (double)a.sent[bin];
        printf(" %.3f", share);
        CHECK(fabs(share - expect) <= 0.02, "bin %d s: share %.4f, expected %.4f", bin * 10,
              share, expect);
        CHECK_EQ_INT(a.tmo[bin], 0);
    }
    printf("\n");
    /* determinism: the same seed, the same run */
    struct node_run b;
    node_loss(11, &b, false);
    CHECK(memcmp(a.tmo, b.tmo, sizeof a.tmo) == 0 && memcmp(a.node0, b.node0, sizeof a.node0) == 0,
          "the same seed gives the same run");
}

/* --- zonal shift ------------------------------------------------------------------------------- */

static void shift(bool cross_zone)
{
    struct fx f;
    const int az[] = {0, 1, 2, 0, 1, 2};
    const double service[] = {2, 2, 2, 2, 2, 2};
    setup(&f,
          cross_zone ? "{\"type\": \"alb\", \"targets\": \"web\", \"latency\": 0}"
                     : "{\"type\": \"alb\", \"targets\": \"web\", \"latency\": 0, "
                       "\"cross_zone\": false}",
          21, 6, az, service, 600, 500);
    uint32_t s_start = 0, s_end = 0;
    struct shot start = {.f = &f,
                         .a = {.op = FAULT_SHIFT_START, .id = 7, .az = 1,
                               .cause = "fault 7 zonal_shift us-east-1b"},
                         .struck = &s_start};
    struct shot end = {.f = &f,
                       .a = {.op = FAULT_SHIFT_END, .id = 7, .az = 1,
                             .cause = "fault 7 zonal_shift us-east-1b"},
                       .struck = &s_end};
    sim_at(&f.sim, S(100), on_shot, &start, 0);
    sim_at(&f.sim, S(300), on_shot, &end, 0);
    run(&f, 520);
    CHECK_EQ_INT(s_start, 3); /* the node and its 2 targets */
    CHECK_EQ_INT(s_end, 3);
    /* nothing fails: requests in progress finish, stale clients' node still routes */
    uint64_t ok = sum(f.client.ok, 0, 50), sent = sum(f.client.sent, 0, 50);
    CHECK_EQ_INT(ok, sent);
    /* no new request reaches the shifted AZ's targets, with cross-zone on; with it off its
     * node (which clients leave over the TTL) still uses them, and nothing else does */
    uint64_t during = 0;
    for (int i = 1; i < 6; i += 3)
        during += sum(f.inst[i].after, 10, 30);
    uint64_t late = 0; /* once every client has left the node */
    for (int i = 1; i < 6; i += 3)
        late += sum(f.inst[i].after, 17, 30);
    printf("zonal shift (cross-zone %s): %llu requests to the shifted AZ's targets during the "
           "shift, %llu after the TTL; node share by 10 s from 90 s:",
           cross_zone ? "on" : "off", (unsigned long long)during, (unsigned long long)late);
    if (cross_zone)
        CHECK_EQ_INT(during, 0);
    CHECK_EQ_INT(late, 0);
    for (int bin = 9; bin < 40; bin++) {
        double t_mid = bin * 10 + 5;
        double expect = t_mid < 100   ? 1.0 / 3
                        : t_mid < 160 ? (1.0 / 3) * (1 - (t_mid - 100) / 60)
                        : t_mid < 300 ? 0
                        : t_mid < 360 ? (1.0 / 3) * (t_mid - 300) / 60
                                      : 1.0 / 3;
        double share = (double)f.client.node[bin][1] / (double)f.client.sent[bin];
        printf(" %.3f", share);
        CHECK(fabs(share - expect) <= 0.03, "bin %d s: share %.4f, expected %.4f", bin * 10,
              share, expect);
    }
    printf("\n");
    /* in progress at the start: finished there (the ones sent in the last 2 s before it) */
    for (int i = 1; i < 6; i += 3)
        CHECK(f.inst[i].held.n == 0, "nothing left on %s", f.inst[i].name);
    /* traffic returns at the end: at once with cross-zone on */
    if (cross_zone) {
        for (int i = 1; i < 6; i += 3) {
            CHECK(f.inst[i].last_accept > S(300), "%s used again", f.inst[i].name);
            CHECK(sum(f.inst[i].after, 30, 31) > 500, "%s: at once, %llu in 300-310 s",
                  f.inst[i].name, (unsigned long long)sum(f.inst[i].after, 30, 31));
        }
    }
    CHECK(logged(&f, "zonal_shift_start", "us-east-1b: node out of DNS") == 100, "start logged");
    CHECK(logged(&f, "zonal_shift_start", "(fault 7 zonal_shift us-east-1b)") == 100, "cause");
    CHECK(logged(&f, "zonal_shift_end", "(fault 7 zonal_shift us-east-1b)") == 300, "end logged");
    teardown(&f);
}

static void test_shift(void)
{
    shift(true);
    shift(false);
}

/* --- least outstanding requests and a slow target (a gray failure's instance) ----------------- */

static double slow_share(const char *algorithm)
{
    struct fx f;
    const int az[] = {0, 1, 2};
    const double service[] = {0.1, 0.02, 0.02}; /* the first 5 times slower */
    char json[160];
    snprintf(json, sizeof json,
             "{\"type\": \"alb\", \"targets\": \"web\", \"latency\": 0, \"algorithm\": \"%s\"}",
             algorithm);
    setup(&f, json, 31, 3, az, service, 300, 200);
    run(&f, 210);
    double share = (double)f.inst[0].accepted /
                   (double)(f.inst[0].accepted + f.inst[1].accepted + f.inst[2].accepted);
    printf("%s: the slow target gets %.3f of the requests\n", algorithm, share);
    teardown(&f);
    return share;
}

static void test_lor_slow(void)
{
    CHECK_NEAR(slow_share("round_robin"), 1.0 / 3, 0.01);
    /* outstanding requests are service time x rate: LOR evens them, giving the slow one
     * about 1/11 at saturation; far below a third here */
    double lor = slow_share("least_outstanding_requests");
    CHECK(lor < 0.2, "least outstanding requests moves traffic off it: %.3f", lor);
}

/* --- what the op returns --------------------------------------------------------------------- */

static void test_returns(void)
{
    struct fx f;
    const int az[] = {0, 1, 2};
    const double service[] = {0.01, 0.01, 0.01};
    setup(&f,
          "{\"type\": \"alb\", \"targets\": \"web\", \"latency\": 0, "
          "\"azs\": [\"us-east-1a\", \"us-east-1b\"]}",
          41, 3, az, service, 1, 10);
    struct sim *sim = &f.sim;
    const struct component_ops *ops = f.lb->ops;
    struct fault_action a = {.op = FAULT_AZ_DOWN, .az = 2, .cause = "fault 1 az_outage"};
    CHECK_EQ_INT(ops->fault(sim, f.lb, &a), 0); /* no node in us-east-1c */
    a.op = FAULT_AZ_UP;
    a.az = 0;
    CHECK_EQ_INT(ops->fault(sim, f.lb, &a), 0); /* not down */
    a.op = FAULT_SHIFT_END;
    a.id = 9;
    CHECK_EQ_INT(ops->fault(sim, f.lb, &a), 0); /* no such shift */
    enum fault_op others[] = {FAULT_AZ_LAUNCHES, FAULT_INSTANCES, FAULT_FAILOVER, FAULT_NODE,
                              FAULT_GRAY_START, FAULT_GRAY_END};
    for (size_t i = 0; i < sizeof others / sizeof *others; i++) {
        a.op = others[i];
        CHECK_EQ_INT(ops->fault(sim, f.lb, &a), 0);
    }
    a = (struct fault_action){.op = FAULT_SHIFT_START, .id = 2, .az = 2, .cause = "x"};
    CHECK_EQ_INT(ops->fault(sim, f.lb, &a), 0); /* no node to shift */
    a.az = 1;
    CHECK_EQ_INT(ops->fault(sim, f.lb, &a), 2); /* the node and its target */
    a.op = FAULT_AZ_DOWN;
    CHECK_EQ_INT(ops->fault(sim, f.lb, &a), 1);
    CHECK_EQ_INT(ops->fault(sim, f.lb, &a), 0); /* already down */
    a.op = FAULT_AZ_UP;
    CHECK_EQ_INT(ops->fault(sim, f.lb, &a), 1);
    fflush(f.ev.f);
    CHECK(logged(&f, "node_up", "stays out of DNS under a zonal shift") == 0, "still shifted");
    a.op = FAULT_SHIFT_END;
    CHECK_EQ_INT(ops->fault(sim, f.lb, &a), 2);
    teardown(&f);
}

int main(void)
{
    test_down_target();
    test_down_fail_open();
    test_node_loss();
    test_shift();
    test_lor_slow();
    test_returns();
    return check_done();
}
