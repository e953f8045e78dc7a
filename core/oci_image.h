/* OCI images: the JSON of an image layout (index.json, image indexes,
 * manifests, configs) and of a `docker save` archive (manifest.json), parsed
 * with json-c into plain records. Parsers have no side effects; everything
 * they return has been checked (digests well formed, media types known,
 * strings without control characters where brig keeps them). */
#ifndef BRIG_OCI_IMAGE_H
#define BRIG_OCI_IMAGE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "err.h"

/* The most an index, manifest or config blob may weigh. */
#define BRIG_OCI_JSON_MAX (4u << 20)

enum brig_oci_kind {
    BRIG_OCI_INDEX,    /* an image index (or Docker manifest list) */
    BRIG_OCI_MANIFEST, /* an image manifest */
    BRIG_OCI_CONFIG,
    BRIG_OCI_LAYER,
};

/* How a layer's tar is compressed, from its media type. */
enum brig_oci_compression {
    BRIG_OCI_TAR,
    BRIG_OCI_GZIP,
    BRIG_OCI_ZSTD,
    BRIG_OCI_ANY, /* docker-archive layers: tar, gzip or zstd, as the bytes say */
};

/* A content descriptor: what a blob is, its digest and size. */
struct brig_oci_desc {
    enum brig_oci_kind kind;
    enum brig_oci_compression compression; /* layers */
    char digest[65];                       /* sha256 hex */
    int64_t size;
};

struct brig_oci_manifest {
    struct brig_oci_desc config;
    struct brig_oci_desc *layers;
    size_t nlayers;
};

/* What an image's config says about running it and about its layers. */
struct brig_oci_config {
    char **env;        /* "KEY=value" */
    char **entrypoint; /* NULL when none */
    char **cmd;        /* NULL when none */
    char *workdir;     /* "" when none */
    char *user;        /* "" when none */
    char *stop_signal; /* "" when none */
    char **ports;      /* "80/tcp" */
    char **diff_ids;   /* sha256 hex of each layer's uncompressed tar, in order */
    size_t ndiff_ids;
};

/* docker-archive: one image of manifest.json. */
struct brig_docker_image {
    char *config;  /* path of the config in the archive */
    char **layers; /* paths of the layer tars, in order */
    size_t nlayers;
    char *repo_tag; /* its first "name:tag", "" when none */
};

/* A digest "sha256:<64 lower-case hex>" into its hex; BRIG_EUSAGE otherwise. */
int brig_oci_digest_parse(const char *s, char ret_hex[65], struct brig_err *err);

/* index.json or an image index: the manifest or nested index to follow. With
 * tag, the entry whose org.opencontainers.image.ref.name is tag; without, the
 * one entry (or the one for linux/amd64). Entries for other platforms are
 * passed over. */
int brig_oci_index_parse(const char *text, size_t len, const char *tag, struct brig_oci_desc *ret,
                         struct brig_err *err);
int brig_oci_manifest_parse(const char *text, size_t len, struct brig_oci_manifest *ret,
                            struct brig_err *err);
void brig_oci_manifest_free(struct brig_oci_manifest *m);
/* A config: its os must be linux and its architecture amd64. */
int brig_oci_config_parse(const char *text, size_t len, struct brig_oci_config *ret,
                          struct brig_err *err);
void brig_oci_config_free(struct brig_oci_config *c);
/* manifest.json of a docker-archive: the image tagged tag (NULL: the only one). */
int brig_docker_manifest_parse(const char *text, size_t len, const char *tag,
                               struct brig_docker_image *ret, struct brig_err *err);
void brig_docker_image_free(struct brig_docker_image *d);

/* exec_start for the config: Entrypoint then Cmd, each word quoted for
 * /bin/sh where it needs it; "" when both are empty. */
char *brig_oci_command(const struct brig_oci_config *c);
/* Words quoted for /bin/sh and joined by spaces (exec_env's form). */
char *brig_oci_words_join(char *const *words);

#endif
