/* test_csvw.c — CSV output: quoting only where needed (by libcsv), fixed decimals, empty
 * fields for NAN, no "-0", and files that appear only when complete. */
#include "check.h"

#include "tiersim/csvw.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static char *slurp(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    char *buf = calloc(1, 4096);
    size_t n = fread(buf, 1, 4095, f);
    buf[n] = '\0';
    fclose(f);
    return buf;
}

static void test_write_commit(void)
{
    remove("csvw_test.csv");
    struct csvw w;
    CHECK_EQ_INT(csvw_open(&w, "csvw_test.csv"), 0);
    csvw_str(&w, "plain");
    csvw_str(&w, "has,comma");
    csvw_str(&w, "has \"quote\"");
    csvw_str(&w, "line\nbreak");
    csvw_end_row(&w);
    csvw_num(&w, 1.23456, 3);
    csvw_num(&w, -0.0001, 2);
    csvw_num(&w, TS_NAN, 3);
    csvw_int(&w, -42);
    csvw_end_row(&w);
    CHECK(access("csvw_test.csv", F_OK) != 0, "not visible before commit");
    CHECK(access("csvw_test.csv.part", F_OK) == 0, "written under .part");
    CHECK_EQ_INT(csvw_commit(&w), 0);
    CHECK(access("csvw_test.csv.part", F_OK) != 0, ".part gone after commit");
    char *text = slurp("csvw_test.csv");
    CHECK_STR(text, "plain,\"has,comma\",\"has \"\"quote\"\"\",\"line\nbreak\"\n"
                    "1.235,0.00,,-42\n");
    free(text);
    remove("csvw_test.csv");
}

static void test_abort_and_failure(void)
{
    struct csvw w;
    csvw_open(&w, "csvw_abort.csv");
    csvw_str(&w, "x");
    csvw_end_row(&w);
    csvw_abort(&w);
    CHECK(access("csvw_abort.csv", F_OK) != 0 && access("csvw_abort.csv.part", F_OK) != 0,
          "abort leaves nothing");
    CHECK_EQ_INT(csvw_open(&w, "/nonexistent-dir/x.csv"), TS_EIO);
    csvw_str(&w, "ignored");
    CHECK_EQ_INT(csvw_commit(&w), TS_EIO);
    CHECK_EQ_INT(write_file_atomic("csvw_atomic.txt", "hello\n"), 0);
    char *text = slurp("csvw_atomic.txt");
    CHECK_STR(text, "hello\n");
    free(text);
    remove("csvw_atomic.txt");
}

int main(void)
{
    test_write_commit();
    test_abort_and_failure();
    return check_done();
}
