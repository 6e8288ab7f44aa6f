/* test_csvr.c — reading a numeric column: true line numbers in messages (blank lines, CRLF
 * and newlines inside quoted fields counted), the minimum check, and the refusals. */
#include "check.h"

#include "tiersim/csvr.h"

#include <stdlib.h>

static void write(const char *path, const char *text)
{
    FILE *f = fopen(path, "wb");
    fputs(text, f);
    fclose(f);
}

static char *read_err(const char *text, const char *col, double min)
{
    write("csvr.csv", text);
    double *v = NULL;
    size_t n = 0;
    char *why = NULL;
    int rc = csvr_column("csvr.csv", col, min, &v, &n, &why);
    free(v);
    CHECK(rc != 0 || why == NULL, "rc and why agree");
    return why;
}

static void test_values(void)
{
    write("csvr.csv", "\n# not a comment, a header\nt,rps\r\n0,10\r\n\r\n1,\"12.5\"\r\n2,0\r\n");
    double *v;
    size_t n;
    char *why;
    CHECK_EQ_INT(csvr_column("csvr.csv", "rps", 0, &v, &n, &why), TS_ENOTFOUND);
    CHECK_STR(why, "no column \"rps\" (columns: # not a comment, a header)");
    free(why);
    write("csvr.csv", "\nt,rps\r\n0,10\r\n\r\n1,\"12.5\"\r\n2,0\r\n");
    CHECK_EQ_INT(csvr_column("csvr.csv", "rps", 0, &v, &n, &why), 0);
    CHECK_EQ_INT(n, 3);
    CHECK(v[0] == 10 && v[1] == 12.5 && v[2] == 0, "values %g %g %g", v[0], v[1], v[2]);
    free(v);
}

static void test_line_numbers(void)
{
    struct {
        const char *text, *want;
    } cases[] = {
        {"t,rps\n0,1\n\n\n1,x\n", "line 5: \"x\" in column \"rps\" is not a number"},
        {"t,rps\r\n0,1\r\n\r\n1,-3\r\n", "line 4: column \"rps\" must be >= 0, got -3"},
        {"t,note,rps\n0,\"two\nlines\",1\n1,ok,oops\n",
         "line 4: \"oops\" in column \"rps\" is not a number"},
        {"t,rps\n0,1\n1\n", "line 3: no value in column \"rps\""},
        {"t,rps\n", "column \"rps\" has no values"},
        {"\n\n", "the file is empty: expected a header row naming the columns"},
        {"t,rps\n0,1e999\n", "line 2: \"1e999\" in column \"rps\" is not a number"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char *why = read_err(cases[i].text, "rps", 0);
        CHECK(why != NULL, "case %zu fails", i);
        if (why)
            CHECK_STR(why, cases[i].want);
        free(why);
    }
}

static void test_refusals(void)
{
    double *v;
    size_t n;
    char *why;
    CHECK_EQ_INT(csvr_column("/nonexistent/x.csv", "a", 0, &v, &n, &why), TS_EIO);
    CHECK_STR(why, "cannot read it: no such file or directory");
    free(why);
    CHECK_EQ_INT(csvr_column("/dev/zero", "a", 0, &v, &n, &why), TS_EIO);
    CHECK_STR(why, "cannot read it: not a regular file");
    free(why);
    remove("csvr.csv");
}

int main(void)
{
    test_values();
    test_line_numbers();
    test_refusals();
    return check_done();
}
