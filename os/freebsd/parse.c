/* Parsers of FreeBSD tools' output. Each takes the text as the tool printed
 * it and is strict: anything unexpected is an error naming what was seen. */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "freebsd.h"
#include "util.h"

/* The output without leading and trailing blanks and newlines. */
static char *trimmed(const char *s)
{
    while (isspace((unsigned char)*s))
        s++;
    size_t n = strlen(s);
    while (n && isspace((unsigned char)s[n - 1]))
        n--;
    return brig_xstrndup(s, n);
}

int brig_freebsd_parse_epair(const char *out, char **ret, struct brig_err *err)
{
    _cleanup_free_ char *t = trimmed(out);
    size_t n = strlen(t);
    if (n < 7 || n > 15 || !brig_startswith(t, "epair") || t[n - 1] != 'a')
        return brig_err_set(err, BRIG_EFAIL, "unexpected output of ifconfig epair create: '%.40s'",
                            t);
    for (size_t i = 5; i < n - 1; i++) {
        if (!isdigit((unsigned char)t[i]))
            return brig_err_set(err, BRIG_EFAIL,
                                "unexpected output of ifconfig epair create: '%.40s'", t);
    }
    *ret = brig_steal(&t);
    return 0;
}

int brig_freebsd_parse_sysctl_bool(const char *out, bool *ret, struct brig_err *err)
{
    _cleanup_free_ char *t = trimmed(out);
    if (strcmp(t, "0") == 0)
        *ret = false;
    else if (strcmp(t, "1") == 0)
        *ret = true;
    else
        return brig_err_set(err, BRIG_EFAIL, "expected 0 or 1 from sysctl, got '%.40s'", t);
    return 0;
}

int brig_freebsd_parse_jid(const char *out, int *ret, struct brig_err *err)
{
    _cleanup_free_ char *t = trimmed(out);
    int64_t v;
    if (brig_parse_uint(t, 1, 2147483647, &v, NULL) < 0)
        return brig_err_set(err, BRIG_EFAIL, "expected a jail id from jls, got '%.40s'", t);
    *ret = (int)v;
    return 0;
}

int brig_freebsd_parse_release(const char *out, struct brig_freebsd_release *ret,
                               struct brig_err *err)
{
    _cleanup_free_ char *t = trimmed(out);
    /* freebsd-version prints the userland first and, with -k, the kernel on
     * a second line: the first line decides. */
    t[strcspn(t, "\n")] = '\0';
    unsigned major, minor;
    int used = 0;
    if (sscanf(t, "%3u.%3u%n", &major, &minor, &used) != 2 || !isdigit((unsigned char)t[0]) ||
        (t[used] != '\0' && t[used] != '-') || major == 0)
        return brig_err_set(err, BRIG_EFAIL, "unexpected FreeBSD release '%.40s'", t);
    ret->major = major;
    ret->minor = minor;
    return 0;
}

int brig_freebsd_parse_mtu(const char *out, unsigned *ret, struct brig_err *err)
{
    /* The first line: "bridge0: flags=8843<UP,...> metric 0 mtu 1500". */
    const char *nl = strchr(out, '\n');
    size_t len = nl ? (size_t)(nl - out) : strlen(out);
    _cleanup_free_ char *line = brig_xstrndup(out, len);
    const char *p = strstr(line, " mtu ");
    if (!p)
        return brig_err_set(err, BRIG_EFAIL, "no mtu in ifconfig output '%.60s'", line);
    p += 5;
    char *end;
    unsigned long v = strtoul(p, &end, 10);
    if (end == p || (*end && !isspace((unsigned char)*end)) || v < 576 || v > 65535)
        return brig_err_set(err, BRIG_EFAIL, "bad mtu in ifconfig output '%.60s'", line);
    *ret = (unsigned)v;
    return 0;
}

bool brig_freebsd_release_atleast(const struct brig_freebsd_release *a, unsigned major,
                                  unsigned minor)
{
    return a->major > major || (a->major == major && a->minor >= minor);
}
