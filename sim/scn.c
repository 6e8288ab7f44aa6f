/* scn.c — scenario documents: comment blanking, cJSON parsing, the node→place index,
 * --set overrides, error collection and the typed getters of scn.h. */
#include "tiersim/scn.h"

#include "tiersim/arena.h"

#include "tiersim/err.h"

#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

enum { ORIGIN_DEFAULT = -1, ORIGIN_FILE = 0 }; /* k >= 1: the k-th --set */

/* Where a node came from and sits. */
struct place {
    const cJSON *node;
    const cJSON *parent;
    uint32_t key_line, key_col; /* 0 when the node is not an object member */
    uint32_t line, col;         /* its value */
    int origin;
};

struct err {
    int origin; /* ORIGIN_FILE, or the --set index; file-level errors sort first */
    uint32_t line, col;
    uint32_t seq;
    char *text;
};

struct scn {
    char *name;
    char *dir;
    char *text; /* comments blanked; NUL-terminated */
    size_t len;
    cJSON *root;
    /* line starts, for offset → line:col */
    size_t *lines;
    uint32_t nlines;
    /* node → place: open addressing on the pointer */
    struct place *map;
    uint32_t map_cap, map_n;
    /* --set assignments as given, for messages */
    char **sets;
    uint32_t nsets;
    struct err *errs;
    uint32_t nerrs, errs_cap;
    bool no_files; /* scn_allow_files(s, false) */
    scn_keys_fn *keys_fn; /* scn_on_close: called by scn_close, or NULL */
    void *keys_ctx;
    size_t bom;    /* bytes of a UTF-8 byte-order mark at the start (0 or 3), not a column */
};

/* --- the place index ------------------------------------------------------------------- */

static uint32_t hash_ptr(const void *p)
{
    uint64_t x = (uint64_t)(uintptr_t)p;
    x ^= x >> 33;
    x *= UINT64_C(0xff51afd7ed558ccd);
    x ^= x >> 33;
    return (uint32_t)x;
}

static struct place *map_find(const struct scn *s, const cJSON *node)
{
    if (!s->map_cap || !node)
        return NULL;
    uint32_t mask = s->map_cap - 1u;
    for (uint32_t i = hash_ptr(node) & mask;; i = (i + 1u) & mask) {
        if (s->map[i].node == node)
            return &s->map[i];
        if (s->map[i].node == NULL)
            return NULL;
    }
}

/* Insert or overwrite (a freed node's address may come back for a new node). */
static struct place *map_put(struct scn *s, const cJSON *node)
{
    if (2u * (s->map_n + 1u) > s->map_cap) {
        uint32_t old_cap = s->map_cap;
        struct place *old = s->map;
        s->map_cap = old_cap ? old_cap * 2u : 256u;
        s->map = ts_calloc(s->map_cap, sizeof *s->map);
        s->map_n = 0;
        for (uint32_t i = 0; i < old_cap; i++)
            if (old[i].node)
                *map_put(s, old[i].node) = old[i];
        free(old);
    }
    uint32_t mask = s->map_cap - 1u;
    uint32_t i = hash_ptr(node) & mask;
    while (s->map[i].node && s->map[i].node != node)
        i = (i + 1u) & mask;
    if (!s->map[i].node)
        s->map_n++;
    memset(&s->map[i], 0, sizeof s->map[i]);
    s->map[i].node = node;
    return &s->map[i];
}

/* Register a subtree that did not come from the file (--set values, defaults). */
static void put_subtree(struct scn *s, const cJSON *node, const cJSON *parent, int origin,
                        uint32_t line, uint32_t col)
{
    struct place *pl = map_put(s, node);
    pl->parent = parent;
    pl->origin = origin;
    pl->line = pl->key_line = line;
    pl->col = pl->key_col = col;
    for (const cJSON *c = node->child; c; c = c->next)
        put_subtree(s, c, node, origin, line, col);
}

/* --- offsets to line:col ---------------------------------------------------------------- */

static void index_lines(struct scn *s)
{
    uint32_t n = 1;
    for (size_t i = 0; i < s->len; i++)
        if (s->text[i] == '\n')
            n++;
    s->lines = ts_malloc(n * sizeof *s->lines);
    s->lines[0] = 0;
    s->nlines = 1;
    for (size_t i = 0; i < s->len; i++)
        if (s->text[i] == '\n')
            s->lines[s->nlines++] = i + 1;
}

/* 1-based line and column (in UTF-8 code points) of byte offset `off`. */
static void line_col(const struct scn *s, size_t off, uint32_t *line, uint32_t *col)
{
    uint32_t lo = 0, hi = s->nlines;
    while (hi - lo > 1) {
        uint32_t mid = lo + (hi - lo) / 2;
        if (s->lines[mid] <= off)
            lo = mid;
        else
            hi = mid;
    }
    uint32_t c = 1;
    size_t from = lo == 0 && s->bom <= off ? s->bom : s->lines[lo];
    for (size_t i = from; i < off && i < s->len; i++)
        if (((unsigned char)s->text[i] & 0xc0u) != 0x80u)
            c++;
    *line = lo + 1u;
    *col = c;
}

/* --- errors ----------------------------------------------------------------------------- */

static void add_error(struct scn *s, int origin, uint32_t line, uint32_t col, char *text)
{
    if (s->nerrs == s->errs_cap) {
        s->errs_cap = s->errs_cap ? s->errs_cap * 2u : 16u;
        s->errs = ts_realloc(s->errs, s->errs_cap * sizeof *s->errs);
    }
    s->errs[s->nerrs] = (struct err){origin, line, col, s->nerrs, text};
    s->nerrs++;
}

static char *vformat(const char *fmt, va_list ap) __attribute__((format(printf, 1, 0)));
static char *vformat(const char *fmt, va_list ap)
{
    va_list ap2;
    va_copy(ap2, ap);
    int n = vsnprintf(NULL, 0, fmt, ap2);
    va_end(ap2);
    if (n < 0)
        n = 0;
    char *buf = ts_malloc((size_t)n + 1);
    vsnprintf(buf, (size_t)n + 1, fmt, ap);
    return buf;
}

static char *format(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static char *format(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    char *r = vformat(fmt, ap);
    va_end(ap);
    return r;
}

void scn_error(struct scn *s, const cJSON *at, bool at_key, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    char *msg = vformat(fmt, ap);
    va_end(ap);
    if (!at) {
        add_error(s, ORIGIN_FILE, 0, 0, msg);
        return;
    }
    char path[512];
    scn_path(s, at, path, sizeof path);
    const struct place *pl = map_find(s, at);
    /* a default-filled node has no place of its own: use the nearest placed ancestor */
    while (pl && pl->origin == ORIGIN_DEFAULT && pl->parent)
        pl = map_find(s, pl->parent);
    int origin = pl ? pl->origin : ORIGIN_FILE;
    uint32_t line = 0, col = 0;
    if (pl) {
        bool key = at_key && pl->key_line;
        line = key ? pl->key_line : pl->line;
        col = key ? pl->key_col : pl->col;
    }
    add_error(s, origin < 0 ? ORIGIN_FILE : origin, line, col, format("%s: %s", path, msg));
    free(msg);
}

unsigned scn_error_count(const struct scn *s)
{
    return s->nerrs;
}

static int err_cmp(const void *a, const void *b)
{
    const struct err *x = a, *y = b;
    if (x->origin != y->origin)
        return x->origin < y->origin ? -1 : 1;
    if (x->line != y->line)
        return x->line < y->line ? -1 : 1;
    if (x->col != y->col)
        return x->col < y->col ? -1 : 1;
    return x->seq < y->seq ? -1 : x->seq > y->seq;
}

void scn_print_errors(const struct scn *s, FILE *out)
{
    if (s->nerrs == 0)
        return;
    struct err *sorted = ts_malloc(s->nerrs * sizeof *sorted);
    memcpy(sorted, s->errs, s->nerrs * sizeof *sorted);
    qsort(sorted, s->nerrs, sizeof *sorted, err_cmp);
    for (uint32_t i = 0; i < s->nerrs; i++) {
        const struct err *e = &sorted[i];
        if (e->origin > 0)
            fprintf(out, "%s: %s\n", s->sets[e->origin - 1], e->text);
        else if (e->line)
            fprintf(out, "%s:%u:%u: %s\n", s->name, e->line, e->col, e->text);
        else
            fprintf(out, "%s: %s\n", s->name, e->text);
    }
    free(sorted);
}

/* --- paths and descriptions ------------------------------------------------------------- */

static size_t path_into(const struct scn *s, const cJSON *node, char *buf, size_t size,
                        unsigned depth)
{
    const struct place *pl = map_find(s, node);
    if (!pl || !pl->parent || depth > 64)
        return 0;
    size_t n = path_into(s, pl->parent, buf, size, depth + 1u);
    int w;
    if (cJSON_IsArray(pl->parent)) {
        int idx = 0;
        for (const cJSON *c = pl->parent->child; c && c != node; c = c->next)
            idx++;
        w = snprintf(buf + n, n < size ? size - n : 0, "[%d]", idx);
    } else {
        w = snprintf(buf + n, n < size ? size - n : 0, ".%s", node->string ? node->string : "?");
    }
    return n + (w > 0 ? (size_t)w : 0u);
}

const char *scn_path(const struct scn *s, const cJSON *node, char *buf, size_t size)
{
    if (size == 0)
        return buf;
    buf[0] = '\0';
    size_t n = path_into(s, node, buf, size, 0);
    if (n == 0)
        snprintf(buf, size, ".");
    return buf;
}

const char *scn_describe(const cJSON *v, char *buf, size_t size)
{
    if (!v)
        snprintf(buf, size, "nothing");
    else if (cJSON_IsString(v)) {
        const char *str = v->valuestring;
        size_t len = strlen(str);
        if (len > 40)
            snprintf(buf, size, "\"%.37s...\"", str);
        else
            snprintf(buf, size, "\"%s\"", str);
    } else if (cJSON_IsNumber(v))
        snprintf(buf, size, "%.10g", v->valuedouble == 0 ? 0.0 : v->valuedouble); /* not -0 */
    else if (cJSON_IsObject(v))
        snprintf(buf, size, "an object");
    else if (cJSON_IsArray(v)) {
        int n = cJSON_GetArraySize(v);
        if (n == 0)
            snprintf(buf, size, "an empty array");
        else
            snprintf(buf, size, "an array of %d element%s", n, n == 1 ? "" : "s");
    }
    else if (cJSON_IsTrue(v))
        snprintf(buf, size, "true");
    else if (cJSON_IsFalse(v))
        snprintf(buf, size, "false");
    else
        snprintf(buf, size, "null");
    return buf;
}

bool scn_good_name(const char *n)
{
    if (!isalpha((unsigned char)n[0]))
        return false;
    for (const char *p = n; *p; p++)
        if (!isalnum((unsigned char)*p) && *p != '_' && *p != '-')
            return false;
    return strlen(n) <= 40;
}

const char *scn_join(char *buf, size_t size, const char *const *names, unsigned n)
{
    size_t len = 0;
    if (size == 0)
        return buf;
    buf[0] = '\0';
    for (unsigned i = 0; i < n; i++) {
        int w = snprintf(buf + len, size - len, "%s%s", i ? ", " : "", names[i]);
        if (w < 0 || (size_t)w >= size - len) { /* cut: end with "..." */
            if (size >= 4)
                memcpy(buf + size - 4, "...", 4);
            return buf;
        }
        len += (size_t)w;
    }
    return buf;
}

/* Levenshtein distance, case-insensitive, capped at 32 characters a word. */
static unsigned edit_distance(const char *a, const char *b)
{
    size_t la = strlen(a), lb = strlen(b);
    if (la > 32 || lb > 32)
        return 99;
    unsigned prev[33], cur[33];
    for (size_t j = 0; j <= lb; j++)
        prev[j] = (unsigned)j;
    for (size_t i = 1; i <= la; i++) {
        cur[0] = (unsigned)i;
        for (size_t j = 1; j <= lb; j++) {
            unsigned cost = tolower((unsigned char)a[i - 1]) != tolower((unsigned char)b[j - 1]);
            unsigned d = prev[j - 1] + cost;
            if (prev[j] + 1 < d)
                d = prev[j] + 1;
            if (cur[j - 1] + 1 < d)
                d = cur[j - 1] + 1;
            cur[j] = d;
        }
        memcpy(prev, cur, sizeof prev);
    }
    return prev[lb];
}

const char *scn_nearest(const char *word, const char *const *candidates, unsigned n)
{
    const char *best = NULL;
    unsigned best_d = 99;
    size_t wl = strlen(word);
    for (unsigned i = 0; i < n; i++) {
        unsigned d = edit_distance(word, candidates[i]);
        if (d < best_d) {
            best_d = d;
            best = candidates[i];
        }
    }
    /* close enough: at most a third of the word's letters (at least one, at most three),
     * and never a replacement of the whole word ("x" is not a typo of "n") */
    unsigned limit = (unsigned)(wl / 3u);
    if (limit < 1)
        limit = 1;
    if (limit > 3)
        limit = 3;
    if (best_d <= limit && best_d < wl)
        return best;
    /* a key given without its unit ("memory" for "memory_mb"): the one candidate that is the
     * word and an underscore suffix */
    const char *unit = NULL;
    for (unsigned i = 0; i < n; i++)
        if (strncmp(candidates[i], word, wl) == 0 && candidates[i][wl] == '_' && wl > 0) {
            if (unit)
                return NULL; /* two of them: no guess */
            unit = candidates[i];
        }
    return unit;
}

/* --- loading ---------------------------------------------------------------------------- */

struct scn *scn_new(void)
{
    return ts_calloc(1, sizeof(struct scn));
}

void scn_free(struct scn *s)
{
    if (!s)
        return;
    cJSON_Delete(s->root);
    for (uint32_t i = 0; i < s->nerrs; i++)
        free(s->errs[i].text);
    for (uint32_t i = 0; i < s->nsets; i++)
        free(s->sets[i]);
    free(s->sets);
    free(s->errs);
    free(s->map);
    free(s->lines);
    free(s->text);
    free(s->dir);
    free(s->name);
    free(s);
}

/* Blank comments (// to end of line, block comments) and a UTF-8 byte-order mark to
 * spaces, keeping newlines so offsets and lines stay true. Returns false (error recorded)
 * on an unterminated block comment. */
static bool blank_comments(struct scn *s)
{
    char *t = s->text;
    size_t n = s->len;
    if (n >= 3 && (unsigned char)t[0] == 0xef && (unsigned char)t[1] == 0xbb &&
        (unsigned char)t[2] == 0xbf) {
        t[0] = t[1] = t[2] = ' ';
        s->bom = 3;
    }
    bool in_str = false;
    for (size_t i = 0; i < n; i++) {
        char c = t[i];
        if (in_str) {
            if (c == '\\' && i + 1 < n)
                i++;
            else if (c == '"')
                in_str = false;
            continue;
        }
        if (c == '"') {
            in_str = true;
        } else if (c == '/' && i + 1 < n && t[i + 1] == '/') {
            while (i < n && t[i] != '\n')
                t[i++] = ' ';
        } else if (c == '/' && i + 1 < n && t[i + 1] == '*') {
            size_t start = i;
            t[i] = t[i + 1] = ' ';
            i += 2;
            while (i + 1 < n && !(t[i] == '*' && t[i + 1] == '/')) {
                if (t[i] != '\n')
                    t[i] = ' ';
                i++;
            }
            if (i + 1 >= n) {
                uint32_t line, col;
                line_col(s, start, &line, &col);
                add_error(s, ORIGIN_FILE, line, col,
                          format("unterminated comment: \"/*\" without \"*/\""));
                return false;
            }
            t[i] = t[i + 1] = ' ';
            i++;
        }
    }
    return true;
}

static size_t skip_ws(const struct scn *s, size_t p)
{
    /* cJSON's notion of white space: every byte <= 32 */
    while (p < s->len && (unsigned char)s->text[p] <= 32)
        p++;
    return p;
}

static size_t skip_string(const struct scn *s, size_t p)
{
    p++; /* opening quote */
    while (p < s->len && s->text[p] != '"') {
        if (s->text[p] == '\\')
            p++;
        p++;
    }
    return p < s->len ? p + 1 : p;
}

static size_t skip_scalar(const struct scn *s, size_t p)
{
    while (p < s->len) {
        char c = s->text[p];
        if (!(isalnum((unsigned char)c) || c == '+' || c == '-' || c == '.'))
            break;
        p++;
    }
    return p;
}

struct keyref {
    const cJSON *node;
    size_t off;
};

static int keyref_cmp(const void *a, const void *b)
{
    const struct keyref *x = a, *y = b;
    int c = strcmp(x->node->string, y->node->string);
    if (c)
        return c;
    return x->off < y->off ? -1 : x->off > y->off;
}

/* Report keys that appear twice in one object (cJSON keeps both; getters see the first). */
static void check_duplicates(struct scn *s, struct keyref *keys, size_t n)
{
    if (n < 2)
        return;
    qsort(keys, n, sizeof *keys, keyref_cmp);
    for (size_t i = 1; i < n; i++) {
        if (strcmp(keys[i].node->string, keys[i - 1].node->string) == 0) {
            size_t first = i - 1;
            while (first > 0 && strcmp(keys[first - 1].node->string, keys[i].node->string) == 0)
                first--;
            uint32_t line, col;
            line_col(s, keys[first].off, &line, &col);
            scn_error(s, keys[i].node, true, "duplicate key (first given at line %u, column %u)",
                      line, col);
        }
    }
}

static size_t scan_number(const char *t, size_t n, size_t p);

/* Walk valid JSON text from p in step with `node`, recording places. Returns the offset
 * after the value. Stops quietly if text and tree ever disagree. */
static size_t walk(struct scn *s, cJSON *node, const cJSON *parent, size_t p, size_t key_off,
                   bool has_key, unsigned depth)
{
    p = skip_ws(s, p);
    struct place *pl = map_put(s, node);
    pl->parent = parent;
    pl->origin = ORIGIN_FILE;
    line_col(s, p, &pl->line, &pl->col);
    if (has_key)
        line_col(s, key_off, &pl->key_line, &pl->key_col);
    if (p >= s->len || depth > CJSON_NESTING_LIMIT)
        return p;
    char c = s->text[p];
    if (c == '{' || c == '[') {
        bool obj = c == '{';
        char close = obj ? '}' : ']';
        p++;
        size_t nkeys = 0, cap = 0;
        struct keyref *keys = NULL;
        for (cJSON *child = node->child; child; child = child->next) {
            p = skip_ws(s, p);
            if (p >= s->len || s->text[p] == close)
                break;
            size_t koff = p;
            if (obj) {
                if (s->text[p] != '"')
                    break;
                p = skip_ws(s, skip_string(s, p));
                if (p >= s->len || s->text[p] != ':')
                    break;
                p++;
                if (child->string) {
                    if (nkeys == cap) {
                        cap = cap ? cap * 2 : 16;
                        keys = ts_realloc(keys, cap * sizeof *keys);
                    }
                    keys[nkeys++] = (struct keyref){child, koff};
                }
            }
            p = walk(s, child, node, p, koff, obj, depth + 1u);
            p = skip_ws(s, p);
            if (p < s->len && s->text[p] == ',')
                p++;
        }
        p = skip_ws(s, p);
        if (p < s->len && s->text[p] == close)
            p++;
        check_duplicates(s, keys, nkeys);
        free(keys);
        return p;
    }
    if (c == '"')
        return skip_string(s, p);
    size_t end = skip_scalar(s, p);
    if (cJSON_IsNumber(node) && scan_number(s->text, s->len, p) != end)
        scn_error(s, node, false,
                  "invalid JSON: %.*s is not a JSON number (no leading zeros, and digits after "
                  "a decimal point)",
                  (int)(end - p < 32 ? end - p : 32), s->text + p);
    return end;
}

/* --- syntax errors ----------------------------------------------------------------------
 * cJSON decides whether the text is valid; its error offset is not always where the mistake
 * is (a trailing comma in an object is reported at the end of the file). So once cJSON has
 * refused the text, this scanner walks it token by token to find the first mistake and say
 * what it is. If the scanner finds none, cJSON's offset is reported as it is. */

enum expect { E_VALUE, E_VALUE_OR_CLOSE, E_KEY_OR_CLOSE, E_KEY, E_COLON, E_COMMA_OR_CLOSE, E_END };

struct open_bracket {
    char c;
    size_t off;
};

static size_t scan_number(const char *t, size_t n, size_t p)
{
    size_t q = p;
    if (q < n && t[q] == '-')
        q++;
    if (q < n && t[q] == '0')
        q++;
    else if (q < n && isdigit((unsigned char)t[q]))
        while (q < n && isdigit((unsigned char)t[q]))
            q++;
    else
        return p;
    if (q < n && t[q] == '.') {
        size_t d = ++q;
        while (q < n && isdigit((unsigned char)t[q]))
            q++;
        if (q == d)
            return p;
    }
    if (q < n && (t[q] == 'e' || t[q] == 'E')) {
        q++;
        if (q < n && (t[q] == '+' || t[q] == '-'))
            q++;
        size_t d = q;
        while (q < n && isdigit((unsigned char)t[q]))
            q++;
        if (q == d)
            return p;
    }
    /* a number runs into letters or digits: not a number */
    if (q < n && (isalnum((unsigned char)t[q]) || t[q] == '.'))
        return p;
    return q;
}

/* Find the first mistake; returns true with its offset and message. */
static bool diagnose(struct scn *s, size_t *at, char **msg)
{
    const char *t = s->text;
    size_t n = s->len, p = 0, last_comma = 0;
    struct open_bracket *stack = NULL;
    size_t depth = 0, cap = 0;
    enum expect e = E_VALUE;
    bool found = false;
#define FOUND(off, ...)                                                                        \
    do {                                                                                       \
        *at = (off);                                                                           \
        *msg = format(__VA_ARGS__);                                                            \
        found = true;                                                                          \
        goto done;                                                                             \
    } while (0)
    for (;;) {
        p = skip_ws(s, p);
        if (p >= n) {
            if (depth > 0) {
                uint32_t line, col;
                line_col(s, stack[depth - 1].off, &line, &col);
                if (e == E_VALUE)
                    FOUND(n, "invalid JSON: the file ends where a value should be, and the '%c' "
                             "at line %u, column %u is never closed",
                          stack[depth - 1].c, line, col);
                FOUND(n, "invalid JSON: the file ends before the '%c' at line %u, column %u is "
                         "closed",
                      stack[depth - 1].c, line, col);
            }
            if (e != E_END)
                FOUND(n, "invalid JSON: the file ends where a value should be");
            break;
        }
        char c = t[p];
        bool value_start = c == '"' || c == '{' || c == '[' || c == '-' ||
                           isalnum((unsigned char)c) || c == '\'';
        switch (e) {
        case E_END:
            FOUND(p, "invalid JSON: unexpected text after the end of the document");
        case E_COLON:
            if (c != ':')
                FOUND(p, "invalid JSON: missing ':' after the key");
            p++;
            e = E_VALUE;
            continue;
        case E_COMMA_OR_CLOSE:
            if (c == ',') {
                last_comma = p++;
                e = stack[depth - 1].c == '{' ? E_KEY : E_VALUE;
                continue;
            }
            if (c == '}' || c == ']') {
                char want = stack[depth - 1].c == '{' ? '}' : ']';
                if (c != want) {
                    uint32_t line, col;
                    line_col(s, stack[depth - 1].off, &line, &col);
                    FOUND(p, "invalid JSON: '%c' does not close the '%c' at line %u, column %u",
                          c, stack[depth - 1].c, line, col);
                }
                depth--;
                p++;
                e = depth ? E_COMMA_OR_CLOSE : E_END;
                continue;
            }
            if (value_start)
                FOUND(p, "invalid JSON: missing ',' before this %s",
                      stack[depth - 1].c == '{' ? "member" : "value");
            FOUND(p, "invalid JSON: unexpected '%c' (expected ',' or '%c')", c,
                  stack[depth - 1].c == '{' ? '}' : ']');
        case E_KEY_OR_CLOSE:
        case E_KEY:
            if (c == '}' && e == E_KEY_OR_CLOSE) {
                depth--;
                p++;
                e = depth ? E_COMMA_OR_CLOSE : E_END;
                continue;
            }
            if (c == '}')
                FOUND(last_comma, "invalid JSON: trailing comma before '}'");
            if (c == '\'')
                FOUND(p, "invalid JSON: strings need double quotes, not '");
            if (c != '"')
                FOUND(p, "invalid JSON: expected a key in double quotes");
            break; /* the key is scanned as a string below */
        case E_VALUE_OR_CLOSE:
        case E_VALUE:
            if (c == ']' && e == E_VALUE_OR_CLOSE) {
                depth--;
                p++;
                e = depth ? E_COMMA_OR_CLOSE : E_END;
                continue;
            }
            if ((c == ']' || c == '}') && e == E_VALUE && depth)
                FOUND(last_comma, "invalid JSON: trailing comma before '%c'", c);
            break;
        }
        /* a value (or a key) starts at p */
        if (c == '{' || c == '[') {
            if (depth >= CJSON_NESTING_LIMIT)
                FOUND(p, "invalid JSON: nested more than %d levels deep", CJSON_NESTING_LIMIT);
            if (depth == cap) {
                cap = cap ? cap * 2 : 16;
                stack = ts_realloc(stack, cap * sizeof *stack);
            }
            stack[depth++] = (struct open_bracket){c, p};
            p++;
            e = c == '{' ? E_KEY_OR_CLOSE : E_VALUE_OR_CLOSE;
            continue;
        }
        if (c == '"') {
            size_t q = p + 1;
            while (q < n && t[q] != '"' && t[q] != '\n') {
                if (t[q] == '\\') {
                    q++;
                    if (q < n && !strchr("\"\\/bfnrtu", t[q]))
                        FOUND(q - 1, "invalid JSON: unknown escape '\\%c' in a string", t[q]);
                }
                q++;
            }
            if (q >= n || t[q] != '"')
                FOUND(p, "invalid JSON: unterminated string (a string must end on its line)");
            p = q + 1;
            e = (e == E_KEY || e == E_KEY_OR_CLOSE) ? E_COLON
                                                    : (depth ? E_COMMA_OR_CLOSE : E_END);
            continue;
        }
        if (c == '\'')
            FOUND(p, "invalid JSON: strings need double quotes, not '");
        if (c == '-' || isdigit((unsigned char)c)) {
            size_t q = scan_number(t, n, p);
            if (q == p) {
                size_t w = p;
                while (w < n && (isalnum((unsigned char)t[w]) || strchr("+-.", t[w])))
                    w++;
                FOUND(p, "invalid JSON: \"%.*s\" is not a number (durations with a unit are "
                         "strings: \"90s\")",
                      (int)(w - p < 32 ? w - p : 32), t + p);
            }
            p = q;
            e = depth ? E_COMMA_OR_CLOSE : E_END;
            continue;
        }
        if (isalpha((unsigned char)c)) {
            size_t w = p;
            while (w < n && (isalnum((unsigned char)t[w]) || t[w] == '_'))
                w++;
            size_t len = w - p;
            if (!((len == 4 && !strncmp(t + p, "true", 4)) ||
                  (len == 5 && !strncmp(t + p, "false", 5)) ||
                  (len == 4 && !strncmp(t + p, "null", 4))))
                FOUND(p, "invalid JSON: %.*s is not a value (strings need double quotes)",
                      (int)(len < 32 ? len : 32), t + p);
            p = w;
            e = depth ? E_COMMA_OR_CLOSE : E_END;
            continue;
        }
        FOUND(p, "invalid JSON: unexpected '%c' where a value should be", c);
    }
done:
#undef FOUND
    free(stack);
    return found;
}

static void syntax_error(struct scn *s, size_t cjson_off)
{
    size_t at;
    char *msg;
    uint32_t line, col;
    if (!diagnose(s, &at, &msg)) {
        at = cjson_off > s->len ? s->len : cjson_off;
        msg = format("invalid JSON here");
    }
    line_col(s, at, &line, &col);
    add_error(s, ORIGIN_FILE, line, col, msg);
}

int scn_load_text(struct scn *s, const char *name, const char *dir, const char *text,
                  size_t len)
{
    free(s->name);
    free(s->dir);
    s->name = ts_strdup(name);
    s->dir = ts_strdup(dir ? dir : ".");
    s->text = ts_malloc(len + 1);
    memcpy(s->text, text, len);
    s->text[len] = '\0';
    s->len = len;
    index_lines(s);
    const char *nul = memchr(s->text, '\0', len);
    if (nul) {
        uint32_t line, col;
        line_col(s, (size_t)(nul - s->text), &line, &col);
        add_error(s, ORIGIN_FILE, line, col, format("invalid JSON: a NUL byte in the file"));
        return TS_ESCENARIO;
    }
    if (!blank_comments(s))
        return TS_ESCENARIO;
    if (skip_ws(s, 0) >= s->len) {
        add_error(s, ORIGIN_FILE, 0, 0, format("empty file: expected a JSON object"));
        return TS_ESCENARIO;
    }
    const char *end = NULL;
    s->root = cJSON_ParseWithLengthOpts(s->text, s->len + 1, &end, true);
    if (!s->root) {
        syntax_error(s, end ? (size_t)(end - s->text) : 0);
        return TS_ESCENARIO;
    }
    walk(s, s->root, NULL, 0, 0, false, 0);
    return s->nerrs ? TS_ESCENARIO : 0;
}

int scn_load_file(struct scn *s, const char *path)
{
    FILE *f = fopen(path, "rb");
    char *buf = NULL;
    size_t len = 0, cap = 0;
    if (f) {
        for (;;) {
            if (len == cap) {
                cap = cap ? cap * 2 : 65536;
                if (cap > (size_t)SCN_MAX_FILE + 1)
                    cap = (size_t)SCN_MAX_FILE + 1;
                buf = ts_realloc(buf, cap);
            }
            size_t got = fread(buf + len, 1, cap - len, f);
            len += got;
            if (got == 0 || len > SCN_MAX_FILE)
                break;
        }
    }
    if (!f || ferror(f)) {
        int e = errno;
        free(s->name);
        s->name = ts_strdup(path);
        char err[128];
        add_error(s, ORIGIN_FILE, 0, 0,
                  format("cannot read the file: %s", ts_syserr(e, err, sizeof err)));
        if (f)
            fclose(f);
        free(buf);
        return TS_EIO;
    }
    fclose(f);
    if (len > SCN_MAX_FILE) {
        free(s->name);
        s->name = ts_strdup(path);
        add_error(s, ORIGIN_FILE, 0, 0,
                  format("file too large: more than %u MiB", SCN_MAX_FILE >> 20));
        free(buf);
        return TS_EIO;
    }
    const char *slash = strrchr(path, '/');
    char *dir = slash ? ts_strdup(path) : ts_strdup(".");
    if (slash)
        dir[slash - path == 0 ? 1 : slash - path] = '\0';
    int rc = scn_load_text(s, path, dir, buf ? buf : "", len);
    free(dir);
    free(buf);
    return rc;
}

cJSON *scn_root(struct scn *s)
{
    return s->root;
}

const char *scn_name(const struct scn *s)
{
    return s->name ? s->name : "";
}

void scn_allow_files(struct scn *s, bool allow)
{
    s->no_files = !allow;
}

char *scn_resolve(const struct scn *s, const char *rel)
{
    if (s->no_files)
        return NULL;
    if (rel[0] == '/' || !s->dir || strcmp(s->dir, ".") == 0)
        return ts_strdup(rel);
    return format("%s/%s", s->dir, rel);
}

char *scn_print(const struct scn *s)
{
    if (!s->root)
        return NULL;
    char *text = cJSON_Print(s->root);
    if (!text)
        ts_out_of_memory();
    size_t n = strlen(text);
    char *out = ts_malloc(n + 2); /* a text file ends in a newline */
    memcpy(out, text, n);
    out[n] = '\n';
    out[n + 1] = '\0';
    cJSON_free(text);
    return out;
}

char *scn_file(struct scn_obj *o, const char *key, char *given, size_t given_size)
{
    const char *rel = scn_str_req(o, key);
    snprintf(given, given_size, "%s", rel ? rel : "");
    if (!rel)
        return NULL;
    cJSON *node = scn_member(o, key);
    char *path = scn_resolve(o->s, rel);
    if (!path) {
        scn_error(o->s, node, false, "file references are switched off here");
        return NULL;
    }
    char *abs = realpath(path, NULL);
    if (abs) {
        if (!cJSON_SetValuestring(node, abs))
            ts_out_of_memory();
        free(abs);
    }
    return path;
}

/* --- --set ------------------------------------------------------------------------------- */

static bool all_digits(const char *p)
{
    if (!*p)
        return false;
    for (; *p; p++)
        if (!isdigit((unsigned char)*p))
            return false;
    return true;
}

int scn_set(struct scn *s, const char *assignment)
{
    return scn_set_as(s, "--set", assignment);
}

int scn_set_as(struct scn *s, const char *option, const char *assignment)
{
    s->sets = ts_realloc(s->sets, (s->nsets + 1u) * sizeof *s->sets);
    s->sets[s->nsets++] = format("%s %s", option, assignment); /* as messages name it */
    int origin = (int)s->nsets;
    const char *eq = strchr(assignment, '=');
    if (!eq || eq == assignment) {
        add_error(s, origin, 0, 0, format("expected PATH=VALUE"));
        return TS_EINVAL;
    }
    if (!s->root)
        return TS_EINVAL;
    char *path = ts_malloc((size_t)(eq - assignment) + 1);
    memcpy(path, assignment, (size_t)(eq - assignment));
    path[eq - assignment] = '\0';
    size_t plen = strlen(path);
    if (path[0] == '.' || path[plen - 1] == '.' || strstr(path, "..")) {
        add_error(s, origin, 0, 0, format("empty name in PATH \"%s\"", path));
        free(path);
        return TS_EINVAL;
    }
    const char *vtext = eq + 1;

    cJSON *value = cJSON_ParseWithOpts(vtext, NULL, true);
    if (!value)
        value = cJSON_CreateString(vtext);
    if (!value)
        ts_out_of_memory();

    cJSON *cur = s->root;
    char *save = NULL;
    char *seg = strtok_r(path, ".", &save);
    int rc = 0;
    while (seg) {
        char *next = strtok_r(NULL, ".", &save);
        char where[512];
        if (cJSON_IsObject(cur)) {
            cJSON *child = cJSON_GetObjectItemCaseSensitive(cur, seg);
            if (!next) {
                if (child) /* this form also gives the new value its key */
                    cJSON_ReplaceItemInObjectCaseSensitive(cur, seg, value);
                else
                    cJSON_AddItemToObject(cur, seg, value);
                put_subtree(s, value, cur, origin, 0, 0);
                value = NULL;
                break;
            }
            if (!child) {
                child = cJSON_AddObjectToObject(cur, seg);
                if (!child)
                    ts_out_of_memory();
                put_subtree(s, child, cur, origin, 0, 0);
            }
            cur = child;
        } else if (cJSON_IsArray(cur) && all_digits(seg)) {
            long idx = strtol(seg, NULL, 10);
            cJSON *child = idx < INT_MAX ? cJSON_GetArrayItem(cur, (int)idx) : NULL;
            if (!child) {
                add_error(s, origin, 0, 0,
                          format("%s: no element %s (the array has %d)",
                                 scn_path(s, cur, where, sizeof where), seg,
                                 cJSON_GetArraySize(cur)));
                rc = TS_EINVAL;
                break;
            }
            if (!next) {
                cJSON_ReplaceItemViaPointer(cur, child, value);
                put_subtree(s, value, cur, origin, 0, 0);
                value = NULL;
                break;
            }
            cur = child;
        } else {
            char what[64];
            add_error(s, origin, 0, 0,
                      format("%s is %s: cannot set \"%s\" inside it",
                             scn_path(s, cur, where, sizeof where),
                             scn_describe(cur, what, sizeof what), seg));
            rc = TS_EINVAL;
            break;
        }
        seg = next;
    }
    if (value) {
        if (rc == 0) {
            add_error(s, origin, 0, 0, format("expected PATH=VALUE with a non-empty PATH"));
            rc = TS_EINVAL;
        }
        cJSON_Delete(value);
    }
    free(path);
    return rc;
}

/* --- reading objects ---------------------------------------------------------------------- */

bool scn_open(struct scn *s, cJSON *j, struct scn_obj *o)
{
    memset(o, 0, sizeof *o);
    o->s = s;
    if (j && !cJSON_IsObject(j)) {
        char what[64];
        scn_error(s, j, false, "expected an object, got %s", scn_describe(j, what, sizeof what));
        return false;
    }
    o->j = j;
    return j != NULL;
}

static void mark_known(struct scn_obj *o, const char *key)
{
    for (unsigned i = 0; i < o->nknown; i++)
        if (strcmp(o->known[i], key) == 0)
            return;
    TS_ASSERT(o->nknown < SCN_MAX_KEYS);
    o->known[o->nknown++] = key;
}

cJSON *scn_member(struct scn_obj *o, const char *key)
{
    mark_known(o, key);
    return o->j ? cJSON_GetObjectItemCaseSensitive(o->j, key) : NULL;
}

cJSON *scn_member_req(struct scn_obj *o, const char *key)
{
    cJSON *v = scn_member(o, key);
    if (!v && o->j && o->nmissing < SCN_MAX_KEYS)
        o->missing[o->nmissing++] = key;
    return v;
}

static bool is_known(const struct scn_obj *o, const char *key)
{
    for (unsigned i = 0; i < o->nknown; i++)
        if (strcmp(o->known[i], key) == 0)
            return true;
    return false;
}

static bool is_reported(const struct scn_obj *o, const char *key)
{
    for (unsigned i = 0; i < o->nreported; i++)
        if (strcmp(o->reported[i], key) == 0)
            return true;
    return false;
}

void scn_reported(struct scn_obj *o, const char *key)
{
    if (o->nreported < SCN_MAX_KEYS && !is_reported(o, key))
        o->reported[o->nreported++] = key;
}

bool scn_misspelt(const struct scn_obj *o, const char *key)
{
    if (!o->j)
        return false;
    for (const cJSON *c = o->j->child; c; c = c->next) {
        if (is_known(o, c->string) || is_reported(o, c->string))
            continue;
        const char *near = scn_nearest(c->string, o->known, o->nknown);
        if (near && strcmp(near, key) == 0)
            return true;
    }
    return false;
}

void scn_add_default(struct scn_obj *o, const char *key, cJSON *v)
{
    if (!v)
        ts_out_of_memory();
    cJSON_AddItemToObject(o->j, key, v);
    put_subtree(o->s, v, o->j, ORIGIN_DEFAULT, 0, 0);
}

bool scn_open_member(struct scn_obj *parent, const char *key, bool required, struct scn_obj *o)
{
    cJSON *v = required ? scn_member_req(parent, key) : scn_member(parent, key);
    if (!v && !required && parent->j) {
        v = cJSON_CreateObject();
        scn_add_default(parent, key, v);
    }
    return scn_open(parent->s, v, o);
}

void scn_on_close(struct scn *s, scn_keys_fn *fn, void *ctx)
{
    s->keys_fn = fn;
    s->keys_ctx = ctx;
}

const cJSON *scn_parent(const struct scn *s, const cJSON *node)
{
    const struct place *pl = map_find(s, node);
    return pl ? pl->parent : NULL;
}

void scn_close(struct scn_obj *o)
{
    if (!o->j)
        return;
    /* objects of the document only: a default parsed apart from it has no place */
    if (o->s->keys_fn && (o->j == o->s->root || map_find(o->s, o->j)))
        o->s->keys_fn(o->s->keys_ctx, o->s, o->j, o->known, o->nknown);
    for (cJSON *c = o->j->child; c; c = c->next) {
        if (is_known(o, c->string) || is_reported(o, c->string))
            continue;
        const char *near = scn_nearest(c->string, o->known, o->nknown);
        if (near) {
            scn_error(o->s, c, true, "unknown key (did you mean \"%s\"?)", near);
            /* the suggestion accounts for a missing required key of that name */
            for (unsigned i = 0; i < o->nmissing; i++)
                if (o->missing[i] && strcmp(o->missing[i], near) == 0)
                    o->missing[i] = NULL;
        } else {
            char list[768];
            scn_join(list, sizeof list, o->known, o->nknown);
            if (o->nknown)
                scn_error(o->s, c, true, "unknown key (expected one of: %s)", list);
            else
                scn_error(o->s, c, true, "unknown key (this object takes no keys)");
        }
    }
    for (unsigned i = 0; i < o->nmissing; i++)
        if (o->missing[i])
            scn_error(o->s, o->j, false, "missing required key \"%s\"", o->missing[i]);
    o->nmissing = 0;
}

/* --- values ------------------------------------------------------------------------------ */

static void fmt_num(char *buf, size_t n, double x)
{
    if (x == 0)
        x = 0; /* -0 too: "got 0 s", never "got -0 s" */
    if (x == floor(x) && fabs(x) < 1e17)
        snprintf(buf, n, "%.0f", x); /* integers exactly: 9007199254740991, not 9.007e+15 */
    else
        snprintf(buf, n, "%.10g", x);
}

/* Range check with a unit after every number ("" or " s"). */
static bool check_bound_unit(struct scn *s, const cJSON *v, double x, struct scn_bound b,
                             const char *u)
{
    bool lo_ok = b.lo_open ? x > b.lo : x >= b.lo;
    bool hi_ok = b.hi_open ? x < b.hi : x <= b.hi;
    if (lo_ok && hi_ok)
        return true;
    char lo[32], hi[32], got[32];
    fmt_num(lo, sizeof lo, b.lo);
    fmt_num(hi, sizeof hi, b.hi);
    fmt_num(got, sizeof got, x);
    bool has_lo = isfinite(b.lo), has_hi = isfinite(b.hi);
    if (has_lo && has_hi && !b.lo_open && !b.hi_open)
        scn_error(s, v, false, "must be between %s%s and %s%s, got %s%s", lo, u, hi, u, got, u);
    else if (has_lo && has_hi)
        scn_error(s, v, false, "must be %s %s%s and %s %s%s, got %s%s", b.lo_open ? ">" : ">=",
                  lo, u, b.hi_open ? "<" : "<=", hi, u, got, u);
    else if (has_lo)
        scn_error(s, v, false, "must be %s %s%s, got %s%s", b.lo_open ? ">" : ">=", lo, u, got, u);
    else
        scn_error(s, v, false, "must be %s %s%s, got %s%s", b.hi_open ? "<" : "<=", hi, u, got, u);
    return false;
}

bool scn_check_bound(struct scn *s, const cJSON *v, double x, struct scn_bound b)
{
    return check_bound_unit(s, v, x, b, "");
}

bool scn_as_num(struct scn *s, const cJSON *v, struct scn_bound b, double *out)
{
    char what[64];
    if (!cJSON_IsNumber(v)) {
        scn_error(s, v, false, "expected a number, got %s", scn_describe(v, what, sizeof what));
        return false;
    }
    if (!isfinite(v->valuedouble)) {
        scn_error(s, v, false, "expected a finite number");
        return false;
    }
    if (!scn_check_bound(s, v, v->valuedouble, b))
        return false;
    *out = v->valuedouble == 0 ? 0.0 : v->valuedouble; /* never -0, which messages would show */
    return true;
}

bool scn_as_int(struct scn *s, const cJSON *v, int64_t lo, int64_t hi, int64_t *out)
{
    char what[64];
    if (!cJSON_IsNumber(v) || !isfinite(v->valuedouble) ||
        v->valuedouble != floor(v->valuedouble)) {
        scn_error(s, v, false, "expected an integer, got %s", scn_describe(v, what, sizeof what));
        return false;
    }
    if (!scn_check_bound(s, v, v->valuedouble, SCN_IN((double)lo, (double)hi)))
        return false;
    *out = (int64_t)v->valuedouble;
    return true;
}

int64_t scn_ns(double seconds)
{
    double ns = seconds * 1e9;
    if (!(ns < 9.2e18))
        return INT64_MAX;
    if (ns <= 0)
        return 0;
    return (int64_t)llround(ns);
}

/* The longest duration a scenario may give, in seconds: 1e9 s, about 31.7 years (so that
 * the run's clock, in int64 nanoseconds, can never overflow). */
#define MAX_DURATION_S 1e9

bool scn_parse_duration(const char *text, double *seconds)
{
    static const struct {
        const char *unit;
        double scale;
    } units[] = {{"ns", 1e-9}, {"us", 1e-6}, {"ms", 1e-3}, {"s", 1.0},
                 {"m", 60.0},  {"h", 3600.0}, {"d", 86400.0}};
    const char *p = text;
    double sign = 1.0;
    if (*p == '-') { /* "-5s" is a duration; its bounds will refuse it, with its value */
        sign = -1.0;
        p++;
    }
    if (!isdigit((unsigned char)*p) && *p != '.')
        return false;
    char *end;
    errno = 0;
    double x = strtod(p, &end);
    if (end == p || errno == ERANGE || !isfinite(x) || x < 0)
        return false;
    /* strtod accepts exponents and hex: only plain decimals are durations */
    for (const char *q = p; q < end; q++)
        if (!isdigit((unsigned char)*q) && *q != '.')
            return false;
    if (*end == '\0') {
        *seconds = sign * x;
        return true;
    }
    for (size_t i = 0; i < sizeof units / sizeof units[0]; i++)
        if (strcmp(end, units[i].unit) == 0) {
            *seconds = sign * x * units[i].scale;
            return true;
        }
    return false;
}

bool scn_as_dur(struct scn *s, const cJSON *v, struct scn_bound b, int64_t *out)
{
    double sec;
    char what[64];
    if (cJSON_IsNumber(v) && isfinite(v->valuedouble)) {
        sec = v->valuedouble;
    } else if (cJSON_IsString(v) && scn_parse_duration(v->valuestring, &sec)) {
        /* parsed */
    } else {
        scn_error(s, v, false,
                  "expected a duration (seconds, or a string such as \"250ms\", \"90s\", "
                  "\"5m\", \"2h\", \"1d\"), got %s",
                  scn_describe(v, what, sizeof what));
        return false;
    }
    if (!check_bound_unit(s, v, sec, b, " s")) /* durations say their unit */
        return false;
    if (sec > MAX_DURATION_S) {
        scn_error(s, v, false, "must be at most 1e9 s (about 31 years), got %.10g s", sec);
        return false;
    }
    *out = scn_ns(sec);
    return true;
}

bool scn_as_str(struct scn *s, const cJSON *v, const char **out)
{
    char what[64];
    if (!cJSON_IsString(v)) {
        scn_error(s, v, false, "expected a string, got %s", scn_describe(v, what, sizeof what));
        return false;
    }
    *out = v->valuestring;
    return true;
}

/* --- getters ----------------------------------------------------------------------------- */

double scn_num(struct scn_obj *o, const char *key, double def, struct scn_bound b)
{
    cJSON *v = scn_member(o, key);
    double x = def;
    if (!v) {
        if (o->j)
            scn_add_default(o, key, cJSON_CreateNumber(def));
        return def;
    }
    return scn_as_num(o->s, v, b, &x) ? x : def;
}

bool scn_num_req(struct scn_obj *o, const char *key, struct scn_bound b, double *out)
{
    cJSON *v = scn_member_req(o, key);
    return v && scn_as_num(o->s, v, b, out);
}

int64_t scn_int(struct scn_obj *o, const char *key, int64_t def, int64_t lo, int64_t hi)
{
    cJSON *v = scn_member(o, key);
    int64_t x = def;
    if (!v) {
        if (o->j)
            scn_add_default(o, key, cJSON_CreateNumber((double)def));
        return def;
    }
    return scn_as_int(o->s, v, lo, hi, &x) ? x : def;
}

bool scn_int_req(struct scn_obj *o, const char *key, int64_t lo, int64_t hi, int64_t *out)
{
    cJSON *v = scn_member_req(o, key);
    return v && scn_as_int(o->s, v, lo, hi, out);
}

int64_t scn_dur(struct scn_obj *o, const char *key, double def_s, struct scn_bound b)
{
    cJSON *v = scn_member(o, key);
    int64_t x;
    if (!v) {
        if (o->j)
            scn_add_default(o, key, cJSON_CreateNumber(def_s));
        return scn_ns(def_s);
    }
    return scn_as_dur(o->s, v, b, &x) ? x : scn_ns(def_s);
}

bool scn_dur_req(struct scn_obj *o, const char *key, struct scn_bound b, int64_t *out)
{
    cJSON *v = scn_member_req(o, key);
    return v && scn_as_dur(o->s, v, b, out);
}

bool scn_bool(struct scn_obj *o, const char *key, bool def)
{
    cJSON *v = scn_member(o, key);
    char what[64];
    if (!v) {
        if (o->j)
            scn_add_default(o, key, cJSON_CreateBool(def));
        return def;
    }
    if (!cJSON_IsBool(v)) {
        scn_error(o->s, v, false, "expected true or false, got %s",
                  scn_describe(v, what, sizeof what));
        return def;
    }
    return cJSON_IsTrue(v);
}

const char *scn_str(struct scn_obj *o, const char *key, const char *def)
{
    cJSON *v = scn_member(o, key);
    const char *x = def;
    if (!v) {
        if (o->j && def)
            scn_add_default(o, key, cJSON_CreateString(def));
        return def;
    }
    return scn_as_str(o->s, v, &x) ? x : def;
}

const char *scn_str_req(struct scn_obj *o, const char *key)
{
    cJSON *v = scn_member_req(o, key);
    const char *x = NULL;
    return v && scn_as_str(o->s, v, &x) ? x : NULL;
}

static int enum_value(struct scn_obj *o, cJSON *v, const char *const *names)
{
    const char *str;
    if (!scn_as_str(o->s, v, &str))
        return -1;
    unsigned n = 0;
    for (; names[n]; n++)
        if (strcmp(names[n], str) == 0)
            return (int)n;
    char list[512];
    size_t len = 0;
    list[0] = '\0';
    for (unsigned i = 0; i < n && len < sizeof list; i++) {
        int w = snprintf(list + len, sizeof list - len, "%s\"%s\"", i ? ", " : "", names[i]);
        if (w > 0)
            len += (size_t)w;
    }
    const char *near = scn_nearest(str, names, n);
    if (near)
        scn_error(o->s, v, false, "unknown value \"%s\" (did you mean \"%s\"?)", str, near);
    else
        scn_error(o->s, v, false, "unknown value \"%s\" (expected one of: %s)", str, list);
    return -1;
}

int scn_enum(struct scn_obj *o, const char *key, const char *const *names, int def)
{
    cJSON *v = scn_member(o, key);
    if (!v) {
        if (o->j)
            scn_add_default(o, key, cJSON_CreateString(names[def]));
        return def;
    }
    int x = enum_value(o, v, names);
    return x < 0 ? def : x;
}

int scn_enum_req(struct scn_obj *o, const char *key, const char *const *names)
{
    cJSON *v = scn_member_req(o, key);
    return v ? enum_value(o, v, names) : -1;
}

enum scn_gap scn_table_gap(const char *name, const char *prefix, const char *const *names,
                           unsigned n, char *list, size_t size)
{
    static const char *const words[] = {"nano", "micro", "small", "medium", "large", "metal"};
    size_t pl = strlen(prefix);
    const char *p = name + pl;
    if (strncmp(name, prefix, pl) != 0 || !islower((unsigned char)*p))
        return SCN_GAP_NONE;
    while (islower((unsigned char)*p))
        p++;
    if (!isdigit((unsigned char)*p))
        return SCN_GAP_NONE;
    while (isalnum((unsigned char)*p))
        p++;
    if (*p != '.')
        return SCN_GAP_NONE;
    const char *sz = p + 1;
    size_t digits = strspn(sz, "0123456789");
    bool shaped = strcmp(sz + digits, "xlarge") == 0;
    for (size_t i = 0; i < sizeof words / sizeof words[0] && !digits; i++)
        shaped = shaped || strcmp(sz, words[i]) == 0;
    if (!shaped)
        return SCN_GAP_NONE;
    const char *mine[64] = {NULL};
    unsigned m = 0;
    for (unsigned i = 0; i < n && m < 64; i++)
        if (strncmp(names[i], name, (size_t)(sz - name)) == 0)
            mine[m++] = names[i];
    scn_join(list, size, mine, m);
    return m ? SCN_GAP_SIZE : SCN_GAP_FAMILY;
}

cJSON *scn_az_names(struct scn_obj *o, const char *key, const char ***names, uint32_t *n,
                    struct arena *a)
{
    cJSON *azs = scn_member(o, key);
    *names = NULL;
    *n = 0;
    if (azs && (!cJSON_IsArray(azs) || cJSON_GetArraySize(azs) == 0)) {
        char what[64];
        scn_error(o->s, azs, false, "expected a non-empty array of AZ names, got %s",
                  scn_describe(azs, what, sizeof what));
    } else if (azs) {
        *names = arena_alloc(a, (size_t)cJSON_GetArraySize(azs) * sizeof **names);
        const cJSON *e;
        cJSON_ArrayForEach(e, azs)
        {
            const char *name;
            if (scn_as_str(o->s, e, &name))
                (*names)[(*n)++] = arena_strdup(a, name);
        }
    }
    return azs;
}
