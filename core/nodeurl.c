#include "nodeurl.h"

#include <stdlib.h>
#include <string.h>

#include "util.h"

#define URL_MAX  1024
#define USER_MAX 32
#define HOST_MAX 253
#define DIGITS   "0123456789"
#define ALNUM    "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ" DIGITS

void brig_node_url_clear(struct brig_node_url *u)
{
    free(u->user);
    free(u->host);
    free(u->workdir);
    *u = (struct brig_node_url){0};
}

/* s[0..n) is made only of chars from set. */
static bool only(const char *s, size_t n, const char *set)
{
    for (size_t i = 0; i < n; i++) {
        if (!s[i] || !strchr(set, s[i]))
            return false;
    }
    return true;
}

/* A user name as useradd takes it: no leading '-', nothing a shell reads. */
static int parse_user(const char *s, size_t n, struct brig_node_url *u, struct brig_err *err)
{
    if (n == 0 || n > USER_MAX || s[0] == '-' || !only(s, n, ALNUM "._-"))
        return brig_err_set(err, BRIG_EUSAGE, "node: '%.*s' is not a user name", (int)n, s);
    u->user = brig_xstrndup(s, n);
    return 0;
}

/* A host name (labels of letters, digits and '-', not at a label's ends), an
 * IPv4 address, or [IPv6]. */
static int parse_host(const char *s, size_t n, struct brig_node_url *u, struct brig_err *err)
{
    if (n >= 2 && s[0] == '[' && s[n - 1] == ']') {
        if (n == 2 || n - 2 > 45 || !only(s + 1, n - 2, "0123456789abcdefABCDEF:.") ||
            !memchr(s + 1, ':', n - 2))
            return brig_err_set(err, BRIG_EUSAGE, "node: '%.*s' is not an IPv6 address", (int)n, s);
        u->host = brig_xstrndup(s + 1, n - 2);
        return 0;
    }
    if (n == 0 || n > HOST_MAX || !only(s, n, ALNUM ".-"))
        return brig_err_set(err, BRIG_EUSAGE, "node: '%.*s' is not a host name", (int)n, s);
    for (size_t i = 0, start = 0; i <= n; i++) {
        if (i < n && s[i] != '.')
            continue;
        size_t len = i - start;
        if (len == 0 || len > 63 || s[start] == '-' || s[i - 1] == '-')
            return brig_err_set(err, BRIG_EUSAGE, "node: '%.*s' is not a host name", (int)n, s);
        start = i + 1;
    }
    u->host = brig_xstrndup(s, n);
    return 0;
}

static int parse_port(const char *s, size_t n, struct brig_node_url *u, struct brig_err *err)
{
    unsigned long v = 0;
    if (n == 0 || n > 5 || !only(s, n, DIGITS))
        return brig_err_set(err, BRIG_EUSAGE, "node: port '%.*s' is not a number", (int)n, s);
    for (size_t i = 0; i < n; i++)
        v = v * 10 + (unsigned long)(s[i] - '0');
    if (v == 0 || v > 65535)
        return brig_err_set(err, BRIG_EUSAGE, "node: port %lu is not 1-65535", v);
    u->port = (unsigned)v;
    return 0;
}

/* An absolute path of plain names: no "." or "..", no empty component, and only
 * characters that need no quoting anywhere. */
static int parse_workdir(const char *s, struct brig_node_url *u, struct brig_err *err)
{
    size_t n = strlen(s);
    if (n > 1 && s[n - 1] == '/')
        n--;
    if (n == 1)
        return 0; /* "host/": the default workdir */
    if (!only(s, n, ALNUM "/._-+,"))
        return brig_err_set(err, BRIG_EUSAGE, "node: workdir '%.80s' has characters brig refuses",
                            s);
    for (size_t i = 0; i < n;) {
        size_t j = i + 1;
        while (j < n && s[j] != '/')
            j++;
        size_t len = j - i - 1;
        if (len == 0 || (len == 1 && s[i + 1] == '.') ||
            (len == 2 && s[i + 1] == '.' && s[i + 2] == '.'))
            return brig_err_set(err, BRIG_EUSAGE,
                                "node: workdir '%.80s' is not a plain absolute path", s);
        i = j;
    }
    u->workdir = brig_xstrndup(s, n);
    return 0;
}

int brig_node_url_parse(const char *url, struct brig_node_url *ret, struct brig_err *err)
{
    struct brig_node_url u = {0};
    *ret = u;
    if (strlen(url) > URL_MAX)
        return brig_err_set(err, BRIG_EUSAGE, "node: longer than %d characters", URL_MAX);
    if (!brig_startswith(url, "ssh://"))
        return brig_err_set(err, BRIG_EUSAGE,
                            "node: '%.80s' is not ssh://[user@]host[:port][/workdir]", url);
    const char *p = url + 6;
    const char *slash = strchr(p, '/');
    size_t auth = slash ? (size_t)(slash - p) : strlen(p);
    const char *at = memchr(p, '@', auth);
    if (at) {
        if (parse_user(p, (size_t)(at - p), &u, err) < 0)
            goto fail;
        auth -= (size_t)(at + 1 - p);
        p = at + 1;
    }
    /* the port follows the last ':' outside an IPv6 address's brackets */
    const char *close = p[0] == '[' ? memchr(p, ']', auth) : NULL;
    const char *from = close ? close : p;
    const char *colon = memchr(from, ':', auth - (size_t)(from - p));
    if (p[0] == '[' && !close) {
        brig_err_set(err, BRIG_EUSAGE, "node: '%.*s' is not an IPv6 address", (int)auth, p);
        goto fail;
    }
    size_t hostlen = colon ? (size_t)(colon - p) : auth;
    if (parse_host(p, hostlen, &u, err) < 0 ||
        (colon && parse_port(colon + 1, auth - hostlen - 1, &u, err) < 0) ||
        (slash && parse_workdir(slash, &u, err) < 0))
        goto fail;
    *ret = u;
    return 0;
fail:
    brig_node_url_clear(&u);
    return -1;
}
