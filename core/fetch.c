#define _GNU_SOURCE
#include "fetch.h"

#include <ctype.h>
#include <errno.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <curl/curl.h>
#include <openssl/evp.h>

#include "util.h"

#define FETCH_CONNECT_TIMEOUT_S 30L
#define FETCH_STALL_TIME_S      60L
#define FETCH_MAX_REDIRS        10L

bool brig_fetch_is_url(const char *s)
{
    const char *p = strstr(s, "://");
    if (!p || p == s)
        return false;
    for (const char *q = s; q < p; q++) {
        if (!isalnum((unsigned char)*q) && *q != '+' && *q != '-' && *q != '.')
            return false;
    }
    return true;
}

struct fetch_ctx {
    int fd;
    int write_errno;
    brig_progress_fn *progress;
    void *data;
};

static size_t fetch_write(char *ptr, size_t size, size_t nmemb, void *userdata)
{
    struct fetch_ctx *ctx = userdata;
    size_t len = size * nmemb;
    for (size_t off = 0; off < len;) {
        ssize_t n = write(ctx->fd, ptr + off, len - off);
        if (n < 0) {
            if (errno == EINTR)
                continue;
            ctx->write_errno = errno;
            return 0;
        }
        off += (size_t)n;
    }
    return len;
}

static int fetch_xferinfo(void *userdata, curl_off_t dltotal, curl_off_t dlnow, curl_off_t ultotal,
                          curl_off_t ulnow)
{
    struct fetch_ctx *ctx = userdata;
    if (ctx->progress && dlnow > 0)
        ctx->progress("download", (uint64_t)dlnow, dltotal > 0 ? (uint64_t)dltotal : 0, ctx->data);
    return 0;
}

static int fetch_check_scheme(const char *url, struct brig_err *err)
{
    static const char *const schemes[] = {"http://", "https://", "file://"};
    for (size_t i = 0; i < BRIG_ARRAY_SIZE(schemes); i++) {
        if (strncasecmp(url, schemes[i], strlen(schemes[i])) == 0)
            return 0;
    }
    return brig_err_set(err, BRIG_EUSAGE,
                        "url '%.200s': unsupported scheme (use http://, https:// or file://)", url);
}

int brig_fetch_url(const char *url, int out_fd, brig_progress_fn *progress, void *data,
                   struct brig_err *err)
{
    if (fetch_check_scheme(url, err) < 0)
        return -1;
    for (const char *p = url; *p; p++) {
        if ((unsigned char)*p <= ' ' || *p == 0x7f)
            return brig_err_set(err, BRIG_EUSAGE, "url '%.200s': contains a space or control byte",
                                url);
    }

    CURL *curl = curl_easy_init();
    if (!curl)
        return brig_err_set(err, BRIG_EFAIL, "fetch %s: cannot initialise libcurl", url);

    struct fetch_ctx ctx = {.fd = out_fd, .progress = progress, .data = data};
    char errbuf[CURL_ERROR_SIZE] = "";
    curl_easy_setopt(curl, CURLOPT_URL, url);
    curl_easy_setopt(curl, CURLOPT_ERRORBUFFER, errbuf);
    curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(curl, CURLOPT_FAILONERROR, 1L);
    curl_easy_setopt(curl, CURLOPT_FOLLOWLOCATION, 1L);
    curl_easy_setopt(curl, CURLOPT_MAXREDIRS, FETCH_MAX_REDIRS);
#if LIBCURL_VERSION_NUM >= 0x075500
    curl_easy_setopt(curl, CURLOPT_PROTOCOLS_STR, "http,https,file");
    curl_easy_setopt(curl, CURLOPT_REDIR_PROTOCOLS_STR, "http,https");
#else
    curl_easy_setopt(curl, CURLOPT_PROTOCOLS,
                     (long)(CURLPROTO_HTTP | CURLPROTO_HTTPS | CURLPROTO_FILE));
    curl_easy_setopt(curl, CURLOPT_REDIR_PROTOCOLS, (long)(CURLPROTO_HTTP | CURLPROTO_HTTPS));
#endif
    curl_easy_setopt(curl, CURLOPT_CONNECTTIMEOUT, FETCH_CONNECT_TIMEOUT_S);
    curl_easy_setopt(curl, CURLOPT_LOW_SPEED_LIMIT, 1L);
    curl_easy_setopt(curl, CURLOPT_LOW_SPEED_TIME, FETCH_STALL_TIME_S);
    curl_easy_setopt(curl, CURLOPT_USERAGENT, "brig/" BRIG_VERSION);
    curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, fetch_write);
    curl_easy_setopt(curl, CURLOPT_WRITEDATA, &ctx);
    curl_easy_setopt(curl, CURLOPT_XFERINFOFUNCTION, fetch_xferinfo);
    curl_easy_setopt(curl, CURLOPT_XFERINFODATA, &ctx);
    curl_easy_setopt(curl, CURLOPT_NOPROGRESS, 0L);

    CURLcode rc = curl_easy_perform(curl);
    curl_easy_cleanup(curl);
    if (rc == CURLE_WRITE_ERROR && ctx.write_errno)
        return brig_err_sys(err, ctx.write_errno, "fetch %s: write", url);
    if (rc != CURLE_OK)
        return brig_err_set(err, BRIG_EFAIL, "fetch %s: %s", url,
                            errbuf[0] ? errbuf : curl_easy_strerror(rc));
    return 0;
}

int brig_sha256_parse(const char *s, char ret_hex[BRIG_SHA256_HEX_LEN + 1], struct brig_err *err)
{
    const char *p = s;
    if (strncasecmp(p, "sha256:", 7) == 0)
        p += 7;
    size_t n = strlen(p);
    if (n != BRIG_SHA256_HEX_LEN || strspn(p, "0123456789abcdefABCDEF") != n)
        return brig_err_set(err, BRIG_EUSAGE, "sha256 '%.80s' is not 64 hexadecimal digits", s);
    for (size_t i = 0; i < n; i++)
        ret_hex[i] = (char)tolower((unsigned char)p[i]);
    ret_hex[n] = '\0';
    return 0;
}

int brig_sha256_fd(int fd, char ret_hex[BRIG_SHA256_HEX_LEN + 1], brig_progress_fn *progress,
                   void *data, struct brig_err *err)
{
    struct stat st;
    if (fstat(fd, &st) < 0)
        return brig_err_sys(err, errno, "sha256: stat");
    EVP_MD_CTX *md = EVP_MD_CTX_new();
    if (!md || EVP_DigestInit_ex(md, EVP_sha256(), NULL) != 1) {
        EVP_MD_CTX_free(md);
        return brig_err_set(err, BRIG_EFAIL, "sha256: cannot initialise the digest");
    }
    _cleanup_free_ unsigned char *buf = brig_xmalloc(1 << 17);
    uint64_t off = 0;
    for (;;) {
        ssize_t n = pread(fd, buf, 1 << 17, (off_t)off);
        if (n < 0) {
            if (errno == EINTR)
                continue;
            int e = errno;
            EVP_MD_CTX_free(md);
            return brig_err_sys(err, e, "sha256: read");
        }
        if (n == 0)
            break;
        EVP_DigestUpdate(md, buf, (size_t)n);
        off += (uint64_t)n;
        if (progress)
            progress("verify", off, (uint64_t)st.st_size, data);
    }
    unsigned char digest[EVP_MAX_MD_SIZE];
    unsigned int dlen = 0;
    int ok = EVP_DigestFinal_ex(md, digest, &dlen);
    EVP_MD_CTX_free(md);
    if (ok != 1 || dlen * 2 != BRIG_SHA256_HEX_LEN)
        return brig_err_set(err, BRIG_EFAIL, "sha256: digest failed");
    for (unsigned i = 0; i < dlen; i++)
        snprintf(ret_hex + 2 * i, 3, "%02x", digest[i]);
    return 0;
}
