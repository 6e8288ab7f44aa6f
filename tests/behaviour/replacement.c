/* replacement.c — with ELB health checks, the group replaces instances its load balancer
 * reports unhealthy, terminate then launch (ASG-17), no more than max(1, 10 % of desired)
 * replacements under way at once (ASG-18), and not within an instance's grace period
 * (ASG-16).
 *
 * Set-up: ten instances with one worker slot and no backlog at 90 % busy: a health check
 * that finds the slot taken is refused, so instances keep failing two checks in a row. Each
 * replacement is under way from its launch until it has warmed up (about 90 s of boot and
 * 120 s of warm-up). From events.csv: at no time are two replacements under way; no
 * instance is marked unhealthy within 60 s (its grace period) of entering service; marked
 * instances are replaced one after another (those marked late wait their turn past the
 * end of the run: at one at a time, two hours hold at most about 7200 / 210 = 34). */
#include "events.h"

#include <string.h>

static const char *scenario =
    "{ \"name\": \"repl\", \"seed\": 21, \"duration\": \"2h\", \"interval\": \"1m\","
    "  \"workload\": { \"entry\": \"lb\", \"rate\": 450 },"
    "  \"components\": {"
    "    \"lb\": { \"type\": \"alb\", \"targets\": \"web\", \"latency\": 0 },"
    "    \"web\": { \"type\": \"fleet\","
    "      \"instance\": { \"vcpus\": 1, \"workers\": 1, \"backlog\": 0 },"
    "      \"asg\": { \"min_size\": 10, \"max_size\": 10, \"health_check_type\": \"ELB\","
    "                 \"health_check_grace_period\": 60, \"default_instance_warmup\": 120 },"
    "      \"handlers\": { \"default\": [ { \"cpu\": { \"dist\": \"exp\", \"mean\": \"20ms\" } } ] } } } }";

int main(void)
{
    struct check_scenario cs;
    CHECK_EQ_INT(check_load(&cs, scenario, NULL), 0);
    struct run_result res;
    CHECK_EQ_INT(check_run_to(&cs, "repl.out", &res), 0);
    run_result_release(&res);
    struct check_table ev;
    check_table_load(&ev, "repl.out", "events.csv");
    /* per instance id: a replacement?, in service at */
    double in_at[512];
    bool repl[512];
    for (int i = 0; i < 512; i++) {
        in_at[i] = -1;
        repl[i] = false;
    }
    int marked = 0, terminated_marked = 0, under_way = 0, most = 0;
    for (uint32_t r = 0; r < ev.nrows; r++) {
        int id;
        const char *kind = check_cell(&ev, r, 2), *d = check_cell(&ev, r, 3);
        double t = check_num(&ev, r, 0);
        if (strcmp(check_cell(&ev, r, 1), "web") != 0 || sscanf(d, "i-%d", &id) != 1 ||
            id < 0 || id >= 512)
            continue;
        if (strcmp(kind, "launch") == 0 && strstr(d, "(replacement)")) {
            repl[id] = true;
            under_way++;
        } else if (strcmp(kind, "in_service") == 0) {
            in_at[id] = strstr(d, "initial capacity") ? -1e9 : t;
        } else if (strcmp(kind, "warm") == 0) {
            if (repl[id])
                under_way--;
        } else if (strcmp(kind, "unhealthy") == 0) {
            marked++;
            CHECK(t >= in_at[id] + 60, "i-%d marked at %.0f s, in service at %.0f s: within its "
                                       "grace period", id, t, in_at[id]);
        } else if (strcmp(kind, "terminating") == 0 && strstr(d, "unhealthy")) {
            terminated_marked++;
        }
        if (under_way > most)
            most = under_way;
    }
    CHECK(marked >= 10, "%d instances marked unhealthy", marked);
    CHECK(most == 1, "at most one replacement under way at once (10 %% of 10), saw %d", most);
    CHECK(terminated_marked >= 25 && terminated_marked <= marked && terminated_marked <= 35,
          "%d of %d marked instances replaced, one at a time", terminated_marked, marked);
    printf("%d instances marked unhealthy, %d replaced, at most %d replacement under way\n",
           marked, terminated_marked, most);
    check_table_free(&ev);
    check_unload(&cs);
    return check_done();
}
