/* plot.c — run gnuplot over the scripts in plots/ for one output folder. The scripts take the folder
 * and the names of the fleets, caches, databases and Lambda functions (found in the timeseries
 * header) as arguments (gnuplot -c DIR FLEETS CACHES DBS FUNCTIONS). */
#include "plot.h"

#include "tiersim/err.h"

#include <errno.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

extern char **environ;

/* The scripts, and the PNG each one writes; fleet.gp only for a run with a fleet, data.gp
 * with a cache or a database, lambda.gp with a function. */
static const char *const scripts[][2] = {
    {"load.gp", "load.png"},
    {"latency.gp", "latency.png"},
    {"fleet.gp", "fleet.png"},
    {"data.gp", "data.png"},
    {"lambda.gp", "lambda.png"},
};

static bool on_path(const char *prog)
{
    const char *path = getenv("PATH");
    if (!path)
        return false;
    char *copy = ts_strdup(path), *save = NULL;
    bool found = false;
    for (char *d = strtok_r(copy, ":", &save); d && !found; d = strtok_r(NULL, ":", &save)) {
        char buf[4096];
        snprintf(buf, sizeof buf, "%s/%s", *d ? d : ".", prog);
        found = access(buf, X_OK) == 0;
    }
    free(copy);
    return found;
}

/* Space-separated names of the components whose columns end in suffix `suffix`. */
static char *names_with(const char *header, const char *suffix)
{
    char *line = ts_strdup(header);
    char *names = ts_calloc(1, 1);
    size_t len = 0, sl = strlen(suffix);
    char *save = NULL;
    for (char *col = strtok_r(line, ",", &save); col; col = strtok_r(NULL, ",", &save)) {
        size_t n = strlen(col);
        if (n > sl && strcmp(col + n - sl, suffix) == 0) {
            names = ts_realloc(names, len + n - sl + 2);
            if (len)
                names[len++] = ' ';
            memcpy(names + len, col, n - sl);
            len += n - sl;
            names[len] = '\0';
        }
    }
    free(line);
    return names;
}

int plot_dir(const char *dir, bool quiet)
{
    if (!on_path("gnuplot")) {
        fprintf(stderr, "tiersim: gnuplot is not installed, so no plots were drawn "
                        "(on Debian: apt-get install gnuplot-nox); the CSV files are complete "
                        "without them\n");
        return 1;
    }
    char ts_path[4096];
    snprintf(ts_path, sizeof ts_path, "%s/timeseries.csv", dir);
    FILE *f = fopen(ts_path, "r");
    if (!f) {
        fprintf(stderr, "tiersim: cannot read \"%s\": %s (run `tiersim run` first?)\n", ts_path,
                strerror(errno));
        return 1;
    }
    char header[65536] = "";
    if (!fgets(header, sizeof header, f))
        header[0] = '\0';
    fclose(f);
    header[strcspn(header, "\r\n")] = '\0';
    /* the fleets, caches and databases, each known by a column only its kind has */
    char *fleets = names_with(header, ".in_service");
    char *caches = names_with(header, ".hit_ratio");
    char *dbs = names_with(header, ".conn_queue");
    char *fns = names_with(header, ".cold_starts_ps");
    const char *plots = getenv("TIERSIM_PLOTS_DIR");
    if (!plots || !*plots)
        plots = TIERSIM_PLOTS_DIR;

    int rc = 0;
    for (size_t i = 0; i < sizeof scripts / sizeof scripts[0] && rc == 0; i++) {
        if (strcmp(scripts[i][0], "data.gp") == 0 && !*caches && !*dbs)
            continue;
        if ((strcmp(scripts[i][0], "fleet.gp") == 0 && !*fleets) ||
            (strcmp(scripts[i][0], "lambda.gp") == 0 && !*fns))
            continue;
        char script[4096];
        snprintf(script, sizeof script, "%s/%s", plots, scripts[i][0]);
        char *argv[] = {"gnuplot", "-c", script, (char *)dir, fleets, caches, dbs, fns, NULL};
        pid_t pid;
        int err = posix_spawnp(&pid, "gnuplot", NULL, NULL, argv, environ);
        int status = 0;
        if (err != 0 || waitpid(pid, &status, 0) < 0 || !WIFEXITED(status) ||
            WEXITSTATUS(status) != 0) {
            fprintf(stderr, "tiersim: gnuplot failed on %s for \"%s\"\n", script, dir);
            rc = 1;
        } else if (!quiet) {
            printf("  wrote %s/%s\n", dir, scripts[i][1]);
        }
    }
    free(fleets);
    free(caches);
    free(dbs);
    free(fns);
    return rc;
}
