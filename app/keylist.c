/* keylist.c — `tiersim check --keys`: the keys of every object the loader read (keylist.h).
 * A path is a list of keys and indexes rather than a dotted string: names may hold dots. */
#include "keylist.h"

#include "tiersim/err.h"
#include "tiersim/scn.h"

#include <stdlib.h>

/* The path of node from the root, as a JSON array of keys (strings) and indexes. */
static cJSON *path_of(const struct scn *s, const cJSON *node)
{
    cJSON *path = cJSON_CreateArray();
    if (!path)
        ts_out_of_memory();
    for (const cJSON *n = node, *p; (p = scn_parent(s, n)) != NULL; n = p) {
        cJSON *seg;
        if (cJSON_IsArray(p)) {
            int i = 0;
            for (const cJSON *c = p->child; c && c != n; c = c->next)
                i++;
            seg = cJSON_CreateNumber(i);
        } else {
            seg = cJSON_CreateString(n->string ? n->string : "");
        }
        if (!seg || !cJSON_InsertItemInArray(path, 0, seg))
            ts_out_of_memory();
    }
    return path;
}

static void on_close(void *ctx, const struct scn *s, const cJSON *obj, const char *const *keys,
                     unsigned n)
{
    struct keylist *k = ctx;
    cJSON *e = cJSON_CreateObject();
    cJSON *names = cJSON_CreateStringArray(keys, (int)n);
    if (!e || !names)
        ts_out_of_memory();
    cJSON_AddItemToObject(e, "path", path_of(s, obj));
    cJSON_AddItemToObject(e, "keys", names);
    cJSON_AddItemToArray(k->objects, e);
}

void keylist_init(struct keylist *k, struct scn *s)
{
    k->objects = cJSON_CreateArray();
    if (!k->objects)
        ts_out_of_memory();
    scn_on_close(s, on_close, k);
}

int keylist_print(const struct keylist *k, struct scn *s, FILE *out)
{
    cJSON *all = cJSON_CreateObject();
    if (!all)
        ts_out_of_memory();
    /* references: the tree stays s's and the list k's */
    cJSON_AddItemReferenceToObject(all, "scenario", scn_root(s));
    cJSON_AddItemReferenceToObject(all, "objects", k->objects);
    char *text = cJSON_Print(all);
    cJSON_Delete(all);
    if (!text)
        ts_out_of_memory();
    int rc = fputs(text, out) < 0 || fputc('\n', out) == EOF ? -1 : 0;
    free(text);
    return rc;
}

void keylist_release(struct keylist *k)
{
    cJSON_Delete(k->objects);
    k->objects = NULL;
}
