/* Getting bytes from outside: downloading a URL (http, https, file) into a
 * file with libcurl, and SHA-256 digests of files. */
#ifndef BRIG_FETCH_H
#define BRIG_FETCH_H

#include <stdbool.h>
#include <stdint.h>

#include "err.h"

/* Progress of long work: phase is "download", "verify" or "extract"; total is
 * 0 when unknown. Called often; the caller throttles its drawing. */
typedef void brig_progress_fn(const char *phase, uint64_t done, uint64_t total, void *data);

#define BRIG_SHA256_HEX_LEN 64

/* True when s looks like a URL ("scheme://..."), false for a file path. */
bool brig_fetch_is_url(const char *s);
/* Download url into out_fd (from its current offset). Follows redirects (http
 * and https only), fails on HTTP errors and on a transfer stalled for 60 s. */
int brig_fetch_url(const char *url, int out_fd, brig_progress_fn *progress, void *data,
                   struct brig_err *err);
/* Parse a SHA-256 given by a user ("sha256:" prefix optional, any case) into
 * 64 lower-case hex digits; BRIG_EUSAGE when malformed. */
int brig_sha256_parse(const char *s, char ret_hex[BRIG_SHA256_HEX_LEN + 1], struct brig_err *err);
/* SHA-256 of everything in fd from offset 0 (pread: the file offset is kept). */
int brig_sha256_fd(int fd, char ret_hex[BRIG_SHA256_HEX_LEN + 1], brig_progress_fn *progress,
                   void *data, struct brig_err *err);

#endif
