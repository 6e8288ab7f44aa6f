/* draining.c — a deregistered target gets no new requests; those still running when the
 * deregistration delay ends fail with 502 (ALB-13, ALB-15, ASG-26).
 *
 * Set-up: two instances serving requests that each take 300 s of CPU (many worker slots, so
 * they run side by side); at t = 120 s a scheduled action lowers desired to 1; the
 * deregistration delay is 60 s. No request on the victim can finish before the delay ends,
 * so if it received no new request, the count in flight when it was deregistered equals the
 * count cut off at the end, and equals the run's 502s. */
#include "events.h"

#include <string.h>

static const char *scenario =
    "{ \"name\": \"drain\", \"seed\": 6, \"duration\": \"10m\", \"interval\": \"10s\","
    "  \"workload\": { \"entry\": \"lb\", \"rate\": 2 },"
    "  \"components\": {"
    "    \"lb\": { \"type\": \"alb\", \"targets\": \"web\", \"latency\": 0,"
    "              \"deregistration_delay\": \"60s\", \"idle_timeout\": \"4000s\" },"
    "    \"web\": { \"type\": \"fleet\", \"instance\": { \"vcpus\": 400, \"workers\": 100000 },"
    "      \"asg\": { \"min_size\": 1, \"max_size\": 2, \"desired_capacity\": 2,"
    "        \"scheduled_actions\": [ { \"scheduled_action_name\": \"in\", \"start_time\": 120,"
    "          \"desired_capacity\": 1, \"delay\": 0 } ] },"
    "      \"handlers\": { \"default\": [ { \"cpu\": 300 } ] } } } }";

int main(void)
{
    struct check_scenario cs;
    CHECK_EQ_INT(check_load(&cs, scenario, NULL), 0);
    struct run_result res;
    CHECK_EQ_INT(check_run_to(&cs, "draining.out", &res), 0);
    double e502 = run_result_get(&res, "errors_502");
    run_result_release(&res);
    struct check_table ev;
    check_table_load(&ev, "draining.out", "events.csv");
    int dereg = ev_find(&ev, 0, "lb", "deregister", NULL);
    int done = ev_find(&ev, 0, "lb", "deregistered", NULL);
    unsigned k = 0, m = 0;
    sscanf(strstr(ev_detail(&ev, dereg), "("), "(%u", &k);
    const char *with = strstr(ev_detail(&ev, done), "with ");
    CHECK(with != NULL, "%s", ev_detail(&ev, done));
    if (with)
        sscanf(with, "with %u", &m);
    CHECK(ev_time(&ev, dereg) == 120, "deregistered at the scheduled action");
    CHECK(ev_time(&ev, done) == 180, "drained when the 60 s delay ended");
    CHECK(k > 50, "%u requests in flight on the victim", k);
    CHECK_EQ_INT(m, k); /* nothing new arrived, nothing finished */
    CHECK_EQ_INT(e502, m);
    int term = ev_find(&ev, 0, "web", "terminated", NULL);
    CHECK(ev_time(&ev, term) == 180, "terminated when drained");
    printf("deregistered with %u in flight at 120 s; %u cut off with 502 at 180 s; %g 502s\n",
           k, m, e502);
    check_table_free(&ev);
    check_unload(&cs);
    return check_done();
}
