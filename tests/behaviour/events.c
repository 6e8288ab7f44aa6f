/* events.c — searching events.csv rows (events.h). */
#include "events.h"

#include <string.h>

int ev_find(const struct check_table *ev, double from, const char *component, const char *event,
            const char *needle)
{
    for (uint32_t i = 0; i < ev->nrows; i++) {
        if (check_num(ev, i, 0) < from)
            continue;
        if (component && strcmp(check_cell(ev, i, 1), component) != 0)
            continue;
        if (event && strcmp(check_cell(ev, i, 2), event) != 0)
            continue;
        if (needle && !strstr(check_cell(ev, i, 3), needle))
            continue;
        return (int)i;
    }
    return -1;
}

double ev_time(const struct check_table *ev, int row)
{
    return row < 0 ? TS_NAN : check_num(ev, (uint32_t)row, 0);
}

const char *ev_detail(const struct check_table *ev, int row)
{
    return row < 0 ? "" : check_cell(ev, (uint32_t)row, 3);
}
