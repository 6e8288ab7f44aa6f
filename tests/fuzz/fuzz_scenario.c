/* fuzz_scenario.c — libFuzzer target for the scenario loader: any bytes, read as a scenario
 * (comments, syntax diagnosis, place index, one --set, typed getters, every model's
 * configuration, references), must give a tree or errors, never a crash, leak or hang.
 * File references are switched off so fuzzed paths cannot reach the machine's files. */
#include "world.h"

#include "tiersim/scn.h"

#include <gsl/gsl_errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    gsl_set_error_handler_off();
    struct scn *s = scn_new();
    scn_allow_files(s, false);
    if (scn_load_text(s, "fuzz.json", "/nonexistent", (const char *)data, size) == 0) {
        /* a --set derived from the input's first bytes exercises the override path */
        char set[24];
        snprintf(set, sizeof set, "components.x%.*s=%d", size > 3 ? 3 : (int)size,
                 (const char *)data, (int)size);
        scn_set(s, set);
        scn_set(s, "workload.rate=12.5");
        struct world_config wc;
        world_config_read(s, &wc);
        char *text = scn_print(s);
        free(text);
        world_config_release(&wc);
    }
    FILE *null = fopen("/dev/null", "w");
    if (null) {
        scn_print_errors(s, null);
        fclose(null);
    }
    scn_free(s);
    return 0;
}
