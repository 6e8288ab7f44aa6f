/* cron_schedule.c — a recurring scheduled action (SS-13) fires on its cron schedule in UTC
 * over the scenario's calendar, every day, and sets the group's limits and desired capacity.
 *
 * Set-up: the run starts on Monday 2026-01-05 at 00:00 UTC and lasts 3 days; "morning" sets
 * desired 4 at 08:00 on weekdays ("0 8 * * MON-FRI"), "evening" sets it back to 1 at 20:30
 * every day ("30 20 * * *"); both run on time (delay 0). */
#include "events.h"

#include <string.h>

static const char *scenario =
    "{ \"name\": \"cron\", \"seed\": 1, \"duration\": \"3d\", \"interval\": \"1h\","
    "  \"start_time\": \"2026-01-05T00:00:00Z\","
    "  \"workload\": { \"entry\": \"lb\", \"rate\": 1 },"
    "  \"components\": {"
    "    \"lb\": { \"type\": \"alb\", \"targets\": \"web\" },"
    "    \"web\": { \"type\": \"fleet\", \"instance\": { \"vcpus\": 2 },"
    "      \"asg\": { \"min_size\": 1, \"max_size\": 4, \"desired_capacity\": 1,"
    "        \"scheduled_actions\": ["
    "          { \"scheduled_action_name\": \"morning\", \"recurrence\": \"0 8 * * MON-FRI\","
    "            \"desired_capacity\": 4, \"delay\": 0 },"
    "          { \"scheduled_action_name\": \"evening\", \"recurrence\": \"30 20 * * *\","
    "            \"desired_capacity\": 1, \"delay\": 0 } ] },"
    "      \"handlers\": { \"default\": [ { \"cpu\": 0.01 } ] } } } }";

int main(void)
{
    struct check_scenario cs;
    CHECK_EQ_INT(check_load(&cs, scenario, NULL), 0);
    struct run_result res;
    CHECK_EQ_INT(check_run_to(&cs, "cron.out", &res), 0);
    run_result_release(&res);
    struct check_table ev;
    check_table_load(&ev, "cron.out", "events.csv");
    const double want[] = {8 * 3600, 20.5 * 3600, 32 * 3600, 44.5 * 3600, 56 * 3600,
                           68.5 * 3600};
    double t = 0;
    for (size_t k = 0; k < sizeof want / sizeof want[0]; k++) {
        int r = ev_find(&ev, t, "web", "scheduled", NULL);
        CHECK(ev_time(&ev, r) == want[k], "run %zu at %.0f s, expected %.0f s", k + 1,
              ev_time(&ev, r), want[k]);
        CHECK(strncmp(ev_detail(&ev, r), k % 2 ? "evening" : "morning", 7) == 0, "%s",
              ev_detail(&ev, r));
        t = ev_time(&ev, r) + 1;
    }
    int d = ev_find(&ev, 8 * 3600, "web", "desired", NULL);
    CHECK(strstr(ev_detail(&ev, d), "1 -> 4: scheduled action morning at 2026-01-05T08:00:00Z") !=
              NULL,
          "%s", ev_detail(&ev, d));
    CHECK(ev_find(&ev, t, "web", "scheduled", NULL) < 0, "nothing more in 3 days");
    check_table_free(&ev);
    check_unload(&cs);
    return check_done();
}
