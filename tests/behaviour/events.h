/* events.h — finding rows of a run's events.csv, for the behaviour tests. */
#ifndef TIERSIM_TESTS_EVENTS_H
#define TIERSIM_TESTS_EVENTS_H

#include "check.h"

/* The first row at or after time `from` (s) whose component and event equal the given ones
 * (NULL matches any) and whose detail contains `needle` (NULL: any); -1 if none. */
int ev_find(const struct check_table *ev, double from, const char *component, const char *event,
            const char *needle);
double ev_time(const struct check_table *ev, int row);
const char *ev_detail(const struct check_table *ev, int row);

#endif
