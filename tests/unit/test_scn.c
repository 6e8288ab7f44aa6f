/* test_scn.c — the scenario reader: places of values and keys (with comments, UTF-8 and
 * --set), durations, defaults written back, unknown keys with suggestions, duplicate keys,
 * syntax errors, and the order errors are printed in. */
#include "check.h"

#include "tiersim/scn.h"

#include <stdlib.h>
#include <string.h>

/* Every error of s, as printed, in one string (caller frees). */
static struct scn *load(const char *text)
{
    struct scn *s = scn_new();
    scn_load_text(s, "t.json", ".", text, strlen(text));
    return s;
}

static void test_places_and_comments(void)
{
    const char *text = "{\n"
                       "  // a comment with \"quotes\" and { braces\n"
                       "  \"url\": \"http://example.com/*not a comment*/\",\n"
                       "  /* block\n"
                       "     comment */ \"n\": \"seven\",\n"
                       "  \"caf\xc3\xa9\": 1, \"x\": true\n"
                       "}\n";
    struct scn *s = load(text);
    CHECK_EQ_INT(scn_error_count(s), 0);
    struct scn_obj o;
    scn_open(s, scn_root(s), &o);
    CHECK_STR(scn_str(&o, "url", ""), "http://example.com/*not a comment*/");
    scn_num(&o, "n", 0, SCN_ANY);             /* wrong type: reported at the value */
    scn_member(&o, "caf\xc3\xa9");
    scn_int(&o, "y", 3, 0, 10); /* absent: default written back */
    scn_close(&o);                            /* "x" is unknown */
    char *e = check_scn_errors(s);
    CHECK_STR(e, "t.json:5:22: .n: expected a number, got \"seven\"\n"
                 "t.json:6:14: .x: unknown key (expected one of: url, n, caf\xc3\xa9, y)\n");
    free(e);
    char *printed = scn_print(s);
    CHECK(strstr(printed, "\"y\":\t3") != NULL, "default written back: %s", printed);
    free(printed);
    scn_free(s);
}

static void test_durations(void)
{
    struct {
        const char *text;
        double seconds;
    } good[] = {{"250ms", 0.25}, {"90s", 90}, {"5m", 300}, {"2h", 7200}, {"1d", 86400},
                {"1.5h", 5400}, {"90", 90},   {"3us", 3e-6}, {"7ns", 7e-9}, {"0", 0},
                {"-2s", -2} /* a duration; bounds refuse it with its value */};
    for (size_t i = 0; i < sizeof good / sizeof good[0]; i++) {
        double x = -1;
        CHECK(scn_parse_duration(good[i].text, &x), "\"%s\" parses", good[i].text);
        CHECK_NEAR(x, good[i].seconds, 1e-12 * (1 + fabs(good[i].seconds)));
    }
    const char *bad[] = {"", "5 m", "+1s", "1e3s", "abc", "5min", "0x10", "s", "1.2.3s", "inf",
                         "--1s"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        double x;
        CHECK(!scn_parse_duration(bad[i], &x), "\"%s\" is not a duration", bad[i]);
    }
    CHECK_EQ_INT(scn_ns(1.5), 1500000000);
    CHECK_EQ_INT(scn_ns(1e30), INT64_MAX);

    struct scn *s = load("{\"a\": \"20h\", \"b\": 1.5, \"c\": \"soon\", \"d\": \"-2s\"}");
    struct scn_obj o;
    scn_open(s, scn_root(s), &o);
    CHECK_EQ_INT(scn_dur(&o, "a", 0, SCN_POS), INT64_C(72000) * 1000000000);
    CHECK_EQ_INT(scn_dur(&o, "b", 0, SCN_POS), 1500000000);
    scn_dur(&o, "c", 1, SCN_POS);
    scn_dur(&o, "d", 1, SCN_POS);
    scn_close(&o);
    char *e = check_scn_errors(s);
    CHECK_STR(e, "t.json:1:29: .c: expected a duration (seconds, or a string such as \"250ms\", "
                 "\"90s\", \"5m\", \"2h\", \"1d\"), got \"soon\"\n"
                 "t.json:1:42: .d: must be > 0 s, got -2 s\n");
    free(e);
    scn_free(s);
}

static void test_set(void)
{
    struct scn *s = load("{\"a\": {\"b\": 1, \"list\": [10, 20]}, \"s\": \"str\"}");
    CHECK_EQ_INT(scn_set(s, "a.b=2.5"), 0);
    CHECK_EQ_INT(scn_set(s, "a.word=hello world"), 0);      /* not JSON: a string */
    CHECK_EQ_INT(scn_set(s, "a.obj={\"k\": [1, 2]}"), 0);    /* JSON object */
    CHECK_EQ_INT(scn_set(s, "a.list.1=25"), 0);              /* array index */
    CHECK_EQ_INT(scn_set(s, "new.deep.key=true"), 0);        /* creates objects */
    CHECK_EQ_INT(scn_set(s, "s.inner=1"), TS_EINVAL);        /* through a string */
    CHECK_EQ_INT(scn_set(s, "a.list.5=1"), TS_EINVAL);       /* no such element */
    CHECK_EQ_INT(scn_set(s, "noequals"), TS_EINVAL);
    CHECK_EQ_INT(scn_set(s, "=3"), TS_EINVAL);
    CHECK_EQ_INT(scn_set(s, "a..b=3"), TS_EINVAL);
    cJSON *a = cJSON_GetObjectItemCaseSensitive(scn_root(s), "a");
    CHECK(cJSON_GetObjectItemCaseSensitive(a, "b")->valuedouble == 2.5, "a.b replaced");
    CHECK_STR(cJSON_GetObjectItemCaseSensitive(a, "word")->valuestring, "hello world");
    CHECK(cJSON_GetArrayItem(cJSON_GetObjectItemCaseSensitive(a, "list"), 1)->valuedouble == 25,
          "list[1] replaced");
    /* an error about a value set on the command line names the --set, not a line */
    struct scn_obj o, ao;
    scn_open(s, scn_root(s), &o);
    scn_open_member(&o, "a", true, &ao);
    scn_int(&ao, "b", 0, 0, 10); /* 2.5 is not an integer */
    char *e = check_scn_errors(s);
    /* in command-line order, each with the --set it comes from */
    CHECK_STR(e, "--set a.b=2.5: .a.b: expected an integer, got 2.5\n"
                 "--set s.inner=1: .s is \"str\": cannot set \"inner\" inside it\n"
                 "--set a.list.5=1: .a.list: no element 5 (the array has 2)\n"
                 "--set noequals: expected PATH=VALUE\n"
                 "--set =3: expected PATH=VALUE\n"
                 "--set a..b=3: empty name in PATH \"a..b\"\n");
    free(e);
    scn_free(s);
}

static void test_unknown_and_duplicate_keys(void)
{
    struct scn *s = load("{\n \"duration\": 1,\n \"duraton\": 2,\n \"zzz\": 3,\n \"duration\": 4\n}");
    struct scn_obj o;
    scn_open(s, scn_root(s), &o);
    CHECK_NEAR(scn_num(&o, "duration", 0, SCN_ANY), 1, 0); /* the first of duplicates */
    scn_num(&o, "warmup", 0, SCN_ANY);
    scn_close(&o);
    char *e = check_scn_errors(s);
    CHECK_STR(e, "t.json:3:2: .duraton: unknown key (did you mean \"duration\"?)\n"
                 "t.json:4:2: .zzz: unknown key (expected one of: duration, warmup)\n"
                 "t.json:5:2: .duration: duplicate key (first given at line 2, column 2)\n");
    free(e);
    scn_free(s);

    /* a misspelt required key is one mistake, reported once */
    s = load("{\"duraton\": 5, \"n\": 01}");
    scn_open(s, scn_root(s), &o);
    scn_num_req(&o, "duration", SCN_ANY, &(double){0});
    scn_num_req(&o, "seed", SCN_ANY, &(double){0});
    scn_member(&o, "n");
    scn_close(&o);
    e = check_scn_errors(s);
    CHECK_STR(e, "t.json:1:1: .: missing required key \"seed\"\n"
                 "t.json:1:2: .duraton: unknown key (did you mean \"duration\"?)\n"
                 "t.json:1:21: .n: invalid JSON: 01 is not a JSON number (no leading zeros, and "
                 "digits after a decimal point)\n");
    free(e);
    scn_free(s);

    /* scn_misspelt: an unknown key whose suggestion will be the given known key */
    s = load("{\"multiaz\": true, \"zone\": \"a\", \"read_from\": 1}");
    scn_open(s, scn_root(s), &o);
    scn_member(&o, "multi_az");
    scn_member(&o, "read_replicas");
    CHECK(scn_misspelt(&o, "multi_az"), "\"multiaz\" will be suggested as \"multi_az\"");
    CHECK(!scn_misspelt(&o, "read_replicas"), "no key is near \"read_replicas\"");
    scn_member(&o, "read_from");
    CHECK(!scn_misspelt(&o, "read_from"), "a key given right is no misspelling");
    scn_free(s);

    /* scn_reported: a member the caller reported is neither unknown nor suggested */
    s = load("{\"timeout\": 1, \"timout\": 2}");
    scn_open(s, scn_root(s), &o);
    scn_member(&o, "cpu");
    scn_reported(&o, "timeout");
    scn_close(&o);
    e = check_scn_errors(s);
    CHECK_STR(e, "t.json:1:16: .timout: unknown key (expected one of: cpu)\n");
    free(e);
    scn_free(s);

    const char *cands[] = {"min_size", "max_size", "desired_capacity"};
    CHECK(scn_nearest("min_sze", cands, 3) == cands[0], "one letter off");
    CHECK(scn_nearest("MAX_SIZE", cands, 3) == cands[1], "case does not count");
    CHECK(scn_nearest("capacity", cands, 3) == NULL, "too far to suggest");
    const char *units[] = {"memory_mb", "timeout", "idle_lifetime", "idle_time"};
    CHECK(scn_nearest("memory", units, 4) == units[0], "a key without its unit");
    CHECK(scn_nearest("idle", units, 4) == NULL, "two keys start so: no guess");

    /* names missing from a table of AWS types: a size it lacks, a family it lacks, a typo */
    const char *types[] = {"db.r5.large", "db.r5.xlarge", "db.m5.large"};
    char list[128];
    CHECK_EQ_INT(scn_table_gap("db.r5.8xlarge", "db.", types, 3, list, sizeof list), SCN_GAP_SIZE);
    CHECK_STR(list, "db.r5.large, db.r5.xlarge");
    CHECK_EQ_INT(scn_table_gap("db.r7g.large", "db.", types, 3, list, sizeof list),
                 SCN_GAP_FAMILY);
    CHECK_EQ_INT(scn_table_gap("db.r5.xlarg", "db.", types, 3, list, sizeof list), SCN_GAP_NONE);
    CHECK_EQ_INT(scn_table_gap("r5.large", "db.", types, 3, list, sizeof list), SCN_GAP_NONE);
    const char *ec2[] = {"m5.large", "t3.medium"};
    CHECK_EQ_INT(scn_table_gap("m5.metal", "", ec2, 2, list, sizeof list), SCN_GAP_SIZE);
    CHECK_STR(list, "m5.large");
}

/* scn_on_close: each object of the document closed, with the keys its reader asked for
 * (present or not); a default parsed apart from the tree is not reported. */
struct closed {
    char log[512];
    const struct scn *s;
};

static void on_close(void *ctx, const struct scn *s, const cJSON *obj, const char *const *keys,
                     unsigned n)
{
    struct closed *c = ctx;
    char path[64];
    size_t len = strlen(c->log);
    len += (size_t)snprintf(c->log + len, sizeof c->log - len, "%s:", scn_path(s, obj, path,
                                                                             sizeof path));
    for (unsigned i = 0; i < n; i++)
        len += (size_t)snprintf(c->log + len, sizeof c->log - len, " %s", keys[i]);
    snprintf(c->log + len, sizeof c->log - len, ";");
    c->s = s;
}

static void test_keys_on_close(void)
{
    struct scn *s = load("{\"a\": {\"x\": 1}, \"list\": [{\"y\": 2}]}");
    struct closed c = {{0}, NULL};
    scn_on_close(s, on_close, &c);
    struct scn_obj top, a, e, absent;
    scn_open(s, scn_root(s), &top);
    scn_open_member(&top, "a", false, &a);
    scn_num(&a, "x", 0, SCN_ANY);
    scn_num(&a, "z", 5, SCN_ANY); /* known though absent */
    scn_close(&a);
    cJSON *list = scn_member(&top, "list");
    CHECK(scn_parent(s, list) == scn_root(s), "the list's parent is the root");
    CHECK(scn_parent(s, scn_root(s)) == NULL, "the root has no parent");
    scn_open(s, cJSON_GetArrayItem(list, 0), &e);
    CHECK(scn_parent(s, e.j) == list, "an element's parent is its array");
    scn_member(&e, "y");
    scn_close(&e);
    cJSON *apart = cJSON_Parse("{\"q\": 1}"); /* not in the document: not reported */
    CHECK(scn_parent(s, apart) == NULL, "a tree apart has no parent in the document");
    scn_open(s, apart, &absent);
    scn_member(&absent, "q");
    scn_close(&absent);
    cJSON_Delete(apart);
    scn_close(&top);
    CHECK_EQ_INT(scn_error_count(s), 0);
    CHECK_STR(c.log, ".a: x z;.list[0]: y;.: a list;");
    CHECK(c.s == s, "the hook gets the document");
    scn_free(s);
}

static void test_syntax_errors(void)
{
    struct {
        const char *text, *want;
    } cases[] = {
        {"{\"a\": 1,\n}", "t.json:1:8: invalid JSON: trailing comma before '}'\n"},
        {"{\"a\": 1\n \"b\": 2}", "t.json:2:2: invalid JSON: missing ',' before this member\n"},
        {"[1\n 2]", "t.json:2:2: invalid JSON: missing ',' before this value\n"},
        {"{\"a\": ", "t.json:1:7: invalid JSON: the file ends where a value should be, and the "
                    "'{' at line 1, column 1 is never closed\n"},
        {"{'a': 1}", "t.json:1:2: invalid JSON: strings need double quotes, not '\n"},
        {"{\"a\": [1, 2", "t.json:1:12: invalid JSON: the file ends before the '[' at line 1, "
                          "column 7 is closed\n"},
        {"{\"a\": nope}", "t.json:1:7: invalid JSON: nope is not a value (strings need double "
                          "quotes)\n"},
        {"{\"a\": \"x}\n", "t.json:1:7: invalid JSON: unterminated string (a string must end "
                          "on its line)\n"},
        {"{\"d\": 90s}", "t.json:1:7: invalid JSON: \"90s\" is not a number (durations with a "
                         "unit are strings: \"90s\")\n"},
        {"{\"a\": [1}", "t.json:1:9: invalid JSON: '}' does not close the '[' at line 1, "
                        "column 7\n"},
        {"{\"a\" 1}", "t.json:1:6: invalid JSON: missing ':' after the key\n"},
        {"[1,]", "t.json:1:3: invalid JSON: trailing comma before ']'\n"},
        {"{} x", "t.json:1:4: invalid JSON: unexpected text after the end of the document\n"},
        {"{a: 1}", "t.json:1:2: invalid JSON: expected a key in double quotes\n"},
        {"{} /* open", "t.json:1:4: unterminated comment: \"/*\" without \"*/\"\n"},
        {"  // only a comment\n", "t.json: empty file: expected a JSON object\n"},
        {"{\"caf\xc3\xa9\": 1 2}", "t.json:1:12: invalid JSON: missing ',' before this member\n"},
        {"\xef\xbb\xbf{\"a\": 1,}", "t.json:1:8: invalid JSON: trailing comma before '}'\n"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        struct scn *s = load(cases[i].text);
        CHECK(scn_root(s) == NULL, "case %zu has no tree", i);
        char *e = check_scn_errors(s);
        CHECK_STR(e, cases[i].want);
        free(e);
        scn_free(s);
    }
}

static void test_enum_and_bounds(void)
{
    struct scn *s = load("{\"alg\": \"round_robn\", \"k\": 0, \"p\": 1.5, \"q\": -1, \"t\": []}");
    struct scn_obj o;
    scn_open(s, scn_root(s), &o);
    const char *const algs[] = {"round_robin", "random", NULL};
    CHECK_EQ_INT(scn_enum(&o, "alg", algs, 1), 1); /* the default after an error */
    scn_int(&o, "k", 1, 1, 8);
    scn_num(&o, "p", 0, SCN_PROB);
    scn_num(&o, "q", 1, SCN_POS);
    scn_str(&o, "t", "x");
    scn_close(&o);
    char *e = check_scn_errors(s);
    CHECK_STR(e, "t.json:1:9: .alg: unknown value \"round_robn\" (did you mean \"round_robin\"?)\n"
                 "t.json:1:28: .k: must be between 1 and 8, got 0\n"
                 "t.json:1:36: .p: must be between 0 and 1, got 1.5\n"
                 "t.json:1:46: .q: must be > 0, got -1\n"
                 "t.json:1:55: .t: expected a string, got an empty array\n");
    free(e);
    scn_free(s);
}

static void test_unreadable_file(void)
{
    struct scn *s = scn_new();
    CHECK_EQ_INT(scn_load_file(s, "/nonexistent/x.json"), TS_EIO);
    char *e = check_scn_errors(s);
    CHECK_STR(e, "/nonexistent/x.json: cannot read the file: no such file or directory\n");
    free(e);
    scn_free(s);
}

int main(void)
{
    test_places_and_comments();
    test_durations();
    test_set();
    test_unknown_and_duplicate_keys();
    test_keys_on_close();
    test_syntax_errors();
    test_enum_and_bounds();
    test_unreadable_file();
    return check_done();
}
