/* scn.h — reading scenario files: JSON with comments, the place (file:line:col) of every
 * value, `--set PATH=VALUE` overrides, strict typed getters that fill in defaults, and every
 * error of a file collected with its place (SQLite's way) and printed together.
 *
 * Parsing is cJSON's. cJSON keeps no positions, so after it has accepted the text (comments
 * blanked to spaces first, offsets unchanged) a walk over the now-valid text in step with
 * the tree records where each node's key and value begin. Error messages follow git's
 * style, problem first, subject in quotes:
 *
 *   mmc.json:12:5: .components.app.instanse: unknown key (did you mean "instance"?)
 *   --set workload.rate=-1: .workload.rate: must be > 0, got -1
 *
 * Getters read one key of an object opened with scn_open(); the keys a caller asks for are
 * the keys that object knows, so scn_close() reports every other key as unknown, with the
 * nearest known key as a suggestion. A getter with a default writes the default into the
 * tree when the key is absent, so printing the tree afterwards gives "the scenario as run,
 * every default filled in". After an error a getter returns its default (or a neutral
 * value) so that reading goes on and every error of the file is found in one pass.
 */
#ifndef TIERSIM_SCN_H
#define TIERSIM_SCN_H

#include <cjson/cJSON.h>
#include <math.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

struct scn;

/* A numeric range; open ends exclude the bound. Infinite bounds are not printed. */
struct scn_bound {
    double lo, hi;
    bool lo_open, hi_open;
};
#define SCN_ANY      ((struct scn_bound){-HUGE_VAL, HUGE_VAL, false, false})
#define SCN_POS      ((struct scn_bound){0.0, HUGE_VAL, true, false})
#define SCN_NONNEG   ((struct scn_bound){0.0, HUGE_VAL, false, false})
#define SCN_GE(x)    ((struct scn_bound){(x), HUGE_VAL, false, false})
#define SCN_IN(a, b) ((struct scn_bound){(a), (b), false, false})
#define SCN_PROB     SCN_IN(0.0, 1.0)

/* Largest file read (bytes); larger files are refused with a message. */
#define SCN_MAX_FILE (64u << 20)
/* Most keys one object may know. */
#define SCN_MAX_KEYS 64u

/* --- the document --------------------------------------------------------------------- */

struct scn *scn_new(void);
void scn_free(struct scn *s);

/* Read and parse a file. Returns 0; TS_EIO when it cannot be read; TS_ESCENARIO on a
 * syntax error. Either failure is recorded as an error for scn_print_errors(). */
int scn_load_file(struct scn *s, const char *path);

/* Parse text held in memory (len bytes, need not end in NUL). `name` is used in messages
 * and `dir` resolves relative file references (NULL means the current directory). */
int scn_load_text(struct scn *s, const char *name, const char *dir, const char *text,
                  size_t len);

/* Apply one `--set PATH=VALUE`: PATH is dotted (`components.app.instance.vcpus`, numbers
 * index arrays), VALUE is parsed as JSON and taken as a string when it is not JSON.
 * Missing objects along the path are created. Returns 0, or TS_EINVAL with an error
 * recorded. Call after loading and before reading. */
int scn_set(struct scn *s, const char *assignment);
/* The same, with errors naming the option that gave it ("--vary PATH=VALUE: ...") instead
 * of "--set". */
int scn_set_as(struct scn *s, const char *option, const char *assignment);

/* The root value (NULL when loading failed). The tree belongs to s. */
cJSON *scn_root(struct scn *s);

/* The file name as given, for messages. */
const char *scn_name(const struct scn *s);

/* `rel` resolved against the scenario's directory (absolute paths kept); free() it. NULL
 * when file references are switched off (scn_allow_files). */
char *scn_resolve(const struct scn *s, const char *rel);

/* Switch file references (traces, empirical samples) on or off; on by default. Off, every
 * reference is an error: for loading untrusted text, as the fuzz target does. */
void scn_allow_files(struct scn *s, bool allow);

/* The tree as JSON text (indented), after defaults were filled in; free() it. */
char *scn_print(const struct scn *s);

/* --- errors ---------------------------------------------------------------------------- */

/* Record an error about node `at` (its value's place), or about its key when `at_key`.
 * `at` may be NULL for an error about the whole file. printf-style message. */
void scn_error(struct scn *s, const cJSON *at, bool at_key, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

unsigned scn_error_count(const struct scn *s);

/* Print every error, in order of place (file first, then --set in command-line order), one
 * per line. */
void scn_print_errors(const struct scn *s, FILE *out);

/* The JSON path of a node (".components.app.vcpus", ".azs[1]", "." for the root) into buf. */
const char *scn_path(const struct scn *s, const cJSON *node, char *buf, size_t size);

/* A short description of a value for messages: 3, "abc", an object, an array, true, null. */
const char *scn_describe(const cJSON *v, char *buf, size_t size);

/* A plain name (it becomes part of column names): a letter, then letters, digits, '_' or
 * '-', at most 40 characters. */
bool scn_good_name(const char *name);

/* "a, b, c": n names joined into buf (always terminated; cut with "..." when too long). */
const char *scn_join(char *buf, size_t size, const char *const *names, unsigned n);

/* The closest of `n` candidates to `word`, or NULL if none is close enough to suggest: a few
 * letters off, or else the only candidate that is the word with a unit after an underscore
 * ("memory" for "memory_mb"). */
const char *scn_nearest(const char *word, const char *const *candidates, unsigned n);

/* How a name missing from a table of AWS type names relates to the table. `prefix` is the
 * service's ("db.", "cache.", "" for EC2); a type name is prefix, family (letters, a digit,
 * then letters or digits), '.', size (nano .. large, metal, or [N]xlarge).
 * SCN_GAP_NONE: not shaped like one (look for a typo); SCN_GAP_SIZE: a size the table lacks
 * of a family it has, whose names are joined into `list`; SCN_GAP_FAMILY: a family the table
 * lacks. */
enum scn_gap { SCN_GAP_NONE, SCN_GAP_SIZE, SCN_GAP_FAMILY };
enum scn_gap scn_table_gap(const char *name, const char *prefix, const char *const *names,
                           unsigned n, char *list, size_t size);

/* --- reading objects ------------------------------------------------------------------- */

struct scn_obj {
    struct scn *s;
    cJSON *j; /* the object, or NULL when absent or not an object (already reported) */
    const char *known[SCN_MAX_KEYS];
    unsigned nknown;
    const char *missing[SCN_MAX_KEYS]; /* required keys found absent, reported at close */
    unsigned nmissing;
    const char *reported[SCN_MAX_KEYS]; /* members the caller reported (scn_reported) */
    unsigned nreported;
};

/* Begin reading `j` as an object. A non-object is reported ("expected an object") and
 * gives an empty reader whose getters return their defaults. Returns whether j is usable. */
bool scn_open(struct scn *s, cJSON *j, struct scn_obj *o);

/* Begin reading member `key` of `parent` as an object. When absent: reported if
 * `required`, else created empty (so defaults fill it). */
bool scn_open_member(struct scn_obj *parent, const char *key, bool required, struct scn_obj *o);

/* End reading: every member not asked for by a getter is an unknown key, and every
 * required key asked for is reported missing, except one that an unknown key's suggestion
 * names: a misspelt required key is one mistake, reported once ("did you mean"). */
void scn_close(struct scn_obj *o);

/* Mark `key` known and return its value, or NULL when absent. */
cJSON *scn_member(struct scn_obj *o, const char *key);

/* The same, reporting a missing key (at scn_close). */
cJSON *scn_member_req(struct scn_obj *o, const char *key);

/* Read member `key` (required) as a file reference: a path relative to the scenario's
 * folder, or absolute. Returns the path to open (free() it), or NULL with the error
 * recorded. The name as written is copied into `given` for messages. When the file exists
 * its absolute path replaces the value in the tree, so that the scenario as run (scn_print)
 * finds it from any folder. */
char *scn_file(struct scn_obj *o, const char *key, char *given, size_t given_size);

/* Is a member of o that no getter has asked for a near miss of `key` (which must be
 * known)? scn_close will then report it as an unknown key with "did you mean `key`", so a
 * rule about `key` (that it is missing, or that another key needs it) should stay quiet:
 * one mistake, one message. */
bool scn_misspelt(const struct scn_obj *o, const char *key);

/* The caller has reported member `key` of o itself (a key that belongs elsewhere, say):
 * scn_close passes over it, neither reporting it as unknown nor suggesting it. */
void scn_reported(struct scn_obj *o, const char *key);

/* The keys an object knows, for tools: when set, scn_close calls `fn` for every object of
 * the document it closes (defaults parsed apart from the tree are left out) with the keys
 * its reader asked for, present or not, in the order asked. `tiersim check --keys` lists
 * them so that a test can hold the JSON Schema of the format (scenarios/schema.json) to the
 * loader. NULL, the default, switches it off: the loader then pays one test per object. */
typedef void scn_keys_fn(void *ctx, const struct scn *s, const cJSON *obj,
                         const char *const *keys, unsigned n);
void scn_on_close(struct scn *s, scn_keys_fn *fn, void *ctx);

/* The object or array that holds `node`, or NULL for the root and for a node that is not in
 * the document. */
const cJSON *scn_parent(const struct scn *s, const cJSON *node);

/* Add `v` (a new tree the caller built) as member `key`, as a filled-in default. */
void scn_add_default(struct scn_obj *o, const char *key, cJSON *v);

/* Typed getters. `_req` variants report a missing key and return false / a neutral value;
 * the others return `def` (written into the tree) when the key is absent. */
double scn_num(struct scn_obj *o, const char *key, double def, struct scn_bound b);
bool scn_num_req(struct scn_obj *o, const char *key, struct scn_bound b, double *out);
int64_t scn_int(struct scn_obj *o, const char *key, int64_t def, int64_t lo, int64_t hi);
bool scn_int_req(struct scn_obj *o, const char *key, int64_t lo, int64_t hi, int64_t *out);
/* Durations: a number of seconds or a string with a unit (ns us ms s m h d), e.g. "250ms",
 * "90s", "1.5h". Bounds are in seconds; results in nanoseconds. */
int64_t scn_dur(struct scn_obj *o, const char *key, double def_s, struct scn_bound b);
bool scn_dur_req(struct scn_obj *o, const char *key, struct scn_bound b, int64_t *out);
bool scn_bool(struct scn_obj *o, const char *key, bool def);
/* Strings point into the tree: valid while s lives. */
const char *scn_str(struct scn_obj *o, const char *key, const char *def);
const char *scn_str_req(struct scn_obj *o, const char *key);
/* One of `names` (NULL-terminated); returns its index, or def / -1. */
int scn_enum(struct scn_obj *o, const char *key, const char *const *names, int def);
int scn_enum_req(struct scn_obj *o, const char *key, const char *const *names);

/* An optional array of AZ names at `key`: absent, *names NULL and *n 0; else it must be a
 * non-empty array of strings, copied into arena `a` (elements of another type are reported
 * and left out). Which names are the scenario's is the world's to check: the member is
 * returned (NULL when absent) for its messages. */
struct arena;
cJSON *scn_az_names(struct scn_obj *o, const char *key, const char ***names, uint32_t *n,
                    struct arena *a);

/* Value converters for array elements and values already in hand; report and return false
 * on a wrong type or range. */
bool scn_as_num(struct scn *s, const cJSON *v, struct scn_bound b, double *out);
bool scn_as_int(struct scn *s, const cJSON *v, int64_t lo, int64_t hi, int64_t *out);
bool scn_as_dur(struct scn *s, const cJSON *v, struct scn_bound b, int64_t *out);
bool scn_as_str(struct scn *s, const cJSON *v, const char **out);
bool scn_check_bound(struct scn *s, const cJSON *v, double x, struct scn_bound b);

/* Parse a duration string ("250ms", "2h", "90") into seconds; false if malformed. */
bool scn_parse_duration(const char *text, double *seconds);

/* Nanoseconds from seconds, rounded, saturating at INT64_MAX. */
int64_t scn_ns(double seconds);

#endif
