/* keylist.h — the keys each object of a scenario knows, as the loader read them, for
 * `tiersim check --keys`: the test in tests/schema holds the JSON Schema of the format
 * (scenarios/schema.json) to this list, so that the two never drift apart.
 */
#ifndef TIERSIM_APP_KEYLIST_H
#define TIERSIM_APP_KEYLIST_H

#include <cjson/cJSON.h>
#include <stdio.h>

struct scn;

struct keylist {
    cJSON *objects; /* [{"path": [key or index, ...], "keys": [...]}, ...] in closing order */
};

/* Start listing: every object s's readers close from now on is added. Call before reading
 * the scenario; release with keylist_release. */
void keylist_init(struct keylist *k, struct scn *s);

/* Print {"scenario": the scenario as read, defaults filled in, "objects": the list} as JSON
 * to out. Returns 0, or -1 when out cannot be written. */
int keylist_print(const struct keylist *k, struct scn *s, FILE *out);

void keylist_release(struct keylist *k);

#endif
