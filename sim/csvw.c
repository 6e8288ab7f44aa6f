/* csvw.c — CSV output through a temporary name, quoting by libcsv. */
#include "tiersim/csvw.h"

#include "tiersim/err.h"

#include <csv.h>
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

int csvw_open(struct csvw *w, const char *path)
{
    memset(w, 0, sizeof *w);
    w->path = ts_strdup(path);
    size_t n = strlen(path);
    w->part = ts_malloc(n + 6);
    memcpy(w->part, path, n);
    memcpy(w->part + n, ".part", 6);
    w->f = fopen(w->part, "w");
    if (!w->f) {
        w->err = errno;
        return TS_EIO;
    }
    return 0;
}

static void sep(struct csvw *w)
{
    if (w->row_started)
        fputc(',', w->f);
    w->row_started = true;
}

void csvw_str(struct csvw *w, const char *s)
{
    if (!w->f)
        return;
    sep(w);
    /* quote only what needs it, so plain names stay plain */
    if (s[strcspn(s, ",\"\r\n")] != '\0' || s[0] == ' ' ||
        (s[0] && s[strlen(s) - 1] == ' ')) {
        if (csv_fwrite(w->f, s, strlen(s)) != 0 && !w->err)
            w->err = errno ? errno : EIO;
    } else {
        fputs(s, w->f);
    }
}

void csvw_num(struct csvw *w, double x, int decimals)
{
    if (!w->f)
        return;
    sep(w);
    if (isnan(x))
        return;
    char buf[64];
    snprintf(buf, sizeof buf, "%.*f", decimals, x);
    /* a negative number that rounds to zero prints as "-0.00": drop the sign */
    const char *out = buf;
    if (buf[0] == '-' && buf[strspn(buf + 1, "0.") + 1] == '\0')
        out = buf + 1;
    fputs(out, w->f);
}

void csvw_int(struct csvw *w, int64_t x)
{
    if (!w->f)
        return;
    sep(w);
    fprintf(w->f, "%lld", (long long)x);
}

void csvw_end_row(struct csvw *w)
{
    if (!w->f)
        return;
    if (fputc('\n', w->f) == EOF && !w->err)
        w->err = errno ? errno : EIO;
    w->row_started = false;
}

static void release(struct csvw *w)
{
    free(w->path);
    free(w->part);
    w->path = w->part = NULL;
    w->f = NULL;
}

int csvw_commit(struct csvw *w)
{
    if (!w->part)
        return TS_EIO;
    int rc = 0;
    if (!w->f || ferror(w->f) || w->err)
        rc = TS_EIO;
    if (w->f && fclose(w->f) != 0)
        rc = TS_EIO;
    w->f = NULL;
    if (rc == 0 && rename(w->part, w->path) != 0)
        rc = TS_EIO;
    if (rc != 0) {
        if (!w->err)
            w->err = errno ? errno : EIO;
        remove(w->part);
    }
    release(w);
    return rc;
}

void csvw_abort(struct csvw *w)
{
    if (w->f)
        fclose(w->f);
    if (w->part)
        remove(w->part);
    release(w);
}

int write_file_atomic(const char *path, const char *text)
{
    struct csvw w;
    if (csvw_open(&w, path) != 0) {
        csvw_abort(&w);
        return TS_EIO;
    }
    if (fputs(text, w.f) == EOF)
        w.err = errno ? errno : EIO;
    return csvw_commit(&w);
}
