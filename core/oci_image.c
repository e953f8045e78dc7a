#define _GNU_SOURCE
#include "oci_image.h"

#include <errno.h>
#include <string.h>

#include <json-c/json.h>

#include "util.h"

#define OCI_JSON_DEPTH 32
#define OCI_LIST_MAX   4096 /* layers, env entries, ports, args */
#define OCI_STRING_MAX 65536

static const struct {
    const char *type;
    enum brig_oci_kind kind;
    enum brig_oci_compression compression;
} media_types[] = {
    {"application/vnd.oci.image.index.v1+json", BRIG_OCI_INDEX, BRIG_OCI_TAR},
    {"application/vnd.docker.distribution.manifest.list.v2+json", BRIG_OCI_INDEX, BRIG_OCI_TAR},
    {"application/vnd.oci.image.manifest.v1+json", BRIG_OCI_MANIFEST, BRIG_OCI_TAR},
    {"application/vnd.docker.distribution.manifest.v2+json", BRIG_OCI_MANIFEST, BRIG_OCI_TAR},
    {"application/vnd.oci.image.config.v1+json", BRIG_OCI_CONFIG, BRIG_OCI_TAR},
    {"application/vnd.docker.container.image.v1+json", BRIG_OCI_CONFIG, BRIG_OCI_TAR},
    {"application/vnd.oci.image.layer.v1.tar", BRIG_OCI_LAYER, BRIG_OCI_TAR},
    {"application/vnd.oci.image.layer.v1.tar+gzip", BRIG_OCI_LAYER, BRIG_OCI_GZIP},
    {"application/vnd.oci.image.layer.v1.tar+zstd", BRIG_OCI_LAYER, BRIG_OCI_ZSTD},
    {"application/vnd.oci.image.layer.nondistributable.v1.tar", BRIG_OCI_LAYER, BRIG_OCI_TAR},
    {"application/vnd.oci.image.layer.nondistributable.v1.tar+gzip", BRIG_OCI_LAYER, BRIG_OCI_GZIP},
    {"application/vnd.oci.image.layer.nondistributable.v1.tar+zstd", BRIG_OCI_LAYER, BRIG_OCI_ZSTD},
    {"application/vnd.docker.image.rootfs.diff.tar.gzip", BRIG_OCI_LAYER, BRIG_OCI_GZIP},
};

static const char *const kind_names[] = {
    [BRIG_OCI_INDEX] = "an image index",
    [BRIG_OCI_MANIFEST] = "an image manifest",
    [BRIG_OCI_CONFIG] = "an image config",
    [BRIG_OCI_LAYER] = "a layer",
};

/* s for an error message: at most 100 bytes, control characters as '?'. */
static char *printable(const char *s)
{
    return brig_str_uncontrol(brig_xstrndup(s ? s : "", 100));
}

int brig_oci_digest_parse(const char *s, char ret_hex[65], struct brig_err *err)
{
    if (!s || !brig_startswith(s, "sha256:") || strlen(s + 7) != 64 ||
        strspn(s + 7, "0123456789abcdef") != 64) {
        _cleanup_free_ char *p = printable(s);
        return brig_err_set(err, BRIG_EUSAGE, "digest '%s' is not sha256:<64 hex digits>", p);
    }
    memcpy(ret_hex, s + 7, 65);
    return 0;
}

/* The whole of text as one JSON object; trailing bytes other than white
 * space are an error. */
static int json_load(const char *text, size_t len, const char *what, struct json_object **ret,
                     struct brig_err *err)
{
    if (len > BRIG_OCI_JSON_MAX)
        return brig_err_set(err, BRIG_EUSAGE, "%s: larger than %u bytes", what, BRIG_OCI_JSON_MAX);
    if (memchr(text, '\0', len))
        return brig_err_set(err, BRIG_EUSAGE, "%s: not JSON (a NUL byte)", what);
    struct json_tokener *tok = json_tokener_new_ex(OCI_JSON_DEPTH);
    if (!tok)
        return brig_err_set(err, BRIG_EFAIL, "%s: out of memory", what);
    json_tokener_set_flags(tok, JSON_TOKENER_STRICT);
    struct json_object *o = json_tokener_parse_ex(tok, text, (int)len);
    enum json_tokener_error e = json_tokener_get_error(tok);
    size_t end = json_tokener_get_parse_end(tok);
    json_tokener_free(tok);
    if (!o || e != json_tokener_success) {
        json_object_put(o);
        return brig_err_set(err, BRIG_EUSAGE, "%s: bad JSON: %s", what,
                            e == json_tokener_continue ? "unexpected end"
                                                       : json_tokener_error_desc(e));
    }
    for (; end < len; end++) {
        if (!strchr(" \t\r\n", text[end])) {
            json_object_put(o);
            return brig_err_set(err, BRIG_EUSAGE, "%s: bad JSON: text after the value", what);
        }
    }
    if (!json_object_is_type(o, json_type_object)) {
        json_object_put(o);
        return brig_err_set(err, BRIG_EUSAGE, "%s: not a JSON object", what);
    }
    *ret = o;
    return 0;
}

/* Member key of o when it has type t; NULL when absent or null. */
static int member(struct json_object *o, const char *key, enum json_type t, const char *what,
                  struct json_object **ret, struct brig_err *err)
{
    struct json_object *v = NULL;
    *ret = NULL;
    if (!o || !json_object_object_get_ex(o, key, &v) || !v)
        return 0;
    if (!json_object_is_type(v, t))
        return brig_err_set(err, BRIG_EUSAGE, "%s: %s is not a JSON %s", what, key,
                            json_type_to_name(t));
    *ret = v;
    return 0;
}

static int need(struct json_object *o, const char *key, enum json_type t, const char *what,
                struct json_object **ret, struct brig_err *err)
{
    if (member(o, key, t, what, ret, err) < 0)
        return -1;
    if (!*ret)
        return brig_err_set(err, BRIG_EUSAGE, "%s: no %s", what, key);
    return 0;
}

/* A JSON string brig keeps: no control characters, at most OCI_STRING_MAX bytes. */
static int string_ok(struct json_object *v, const char *what, const char *key, const char **ret,
                     struct brig_err *err)
{
    const char *s = json_object_get_string(v);
    size_t n = (size_t)json_object_get_string_len(v);
    if (n > OCI_STRING_MAX || strlen(s) != n)
        return brig_err_set(err, BRIG_EUSAGE, "%s: %s is too long or holds a NUL", what, key);
    if (brig_str_has_control(s))
        return brig_err_set(err, BRIG_EUSAGE, "%s: %s holds a control character", what, key);
    *ret = s;
    return 0;
}

static int get_string(struct json_object *o, const char *key, bool required, const char *what,
                      char **ret, struct brig_err *err)
{
    struct json_object *v;
    const char *s = NULL;
    *ret = NULL;
    if ((required ? need : member)(o, key, json_type_string, what, &v, err) < 0)
        return -1;
    if (!v) {
        *ret = brig_xstrdup("");
        return 0;
    }
    if (string_ok(v, what, key, &s, err) < 0)
        return -1;
    *ret = brig_xstrdup(s);
    return 0;
}

/* An array of strings; *ret NULL when absent or null. */
static int get_strv(struct json_object *o, const char *key, const char *what, char ***ret,
                    struct brig_err *err)
{
    struct json_object *a;
    *ret = NULL;
    if (member(o, key, json_type_array, what, &a, err) < 0)
        return -1;
    if (!a)
        return 0;
    size_t n = json_object_array_length(a);
    if (n > OCI_LIST_MAX)
        return brig_err_set(err, BRIG_EUSAGE, "%s: %s has more than %d items", what, key,
                            OCI_LIST_MAX);
    char **v = brig_xcalloc(n + 1, sizeof(*v));
    for (size_t i = 0; i < n; i++) {
        struct json_object *s = json_object_array_get_idx(a, i);
        const char *str = NULL;
        if (!json_object_is_type(s, json_type_string)) {
            brig_strv_free(v);
            return brig_err_set(err, BRIG_EUSAGE, "%s: %s holds a non-string", what, key);
        }
        if (string_ok(s, what, key, &str, err) < 0) {
            brig_strv_free(v);
            return -1;
        }
        v[i] = brig_xstrdup(str);
    }
    *ret = v;
    return 0;
}

static int desc_parse(struct json_object *o, const char *what, struct brig_oci_desc *ret,
                      struct brig_err *err)
{
    struct json_object *mt, *dg, *sz;
    if (!json_object_is_type(o, json_type_object))
        return brig_err_set(err, BRIG_EUSAGE, "%s: a descriptor is not a JSON object", what);
    if (need(o, "mediaType", json_type_string, what, &mt, err) < 0 ||
        need(o, "digest", json_type_string, what, &dg, err) < 0 ||
        need(o, "size", json_type_int, what, &sz, err) < 0)
        return -1;
    const char *type = json_object_get_string(mt);
    size_t i;
    for (i = 0; i < BRIG_ARRAY_SIZE(media_types); i++) {
        if (strcmp(type, media_types[i].type) == 0)
            break;
    }
    if (i == BRIG_ARRAY_SIZE(media_types)) {
        _cleanup_free_ char *p = printable(type);
        return brig_err_set(err, BRIG_EUSAGE, "%s: media type '%s' is not one brig reads", what, p);
    }
    struct brig_oci_desc d = {.kind = media_types[i].kind,
                              .compression = media_types[i].compression};
    if (brig_oci_digest_parse(json_object_get_string(dg), d.digest, err) < 0)
        return brig_err_wrap(err, "%s", what);
    errno = 0;
    d.size = json_object_get_int64(sz);
    if (d.size < 0 || errno)
        return brig_err_set(err, BRIG_EUSAGE, "%s: size %.40s is out of range", what,
                            json_object_get_string(sz));
    *ret = d;
    return 0;
}

/* Whether an index entry's platform (when it names one) is linux/amd64. */
static bool platform_ours(struct json_object *entry)
{
    struct json_object *p, *os, *arch;
    if (!json_object_object_get_ex(entry, "platform", &p) || !p)
        return true;
    if (!json_object_is_type(p, json_type_object))
        return false;
    if (json_object_object_get_ex(p, "os", &os) &&
        (!json_object_is_type(os, json_type_string) ||
         strcmp(json_object_get_string(os), "linux") != 0))
        return false;
    if (json_object_object_get_ex(p, "architecture", &arch) &&
        (!json_object_is_type(arch, json_type_string) ||
         strcmp(json_object_get_string(arch), "amd64") != 0))
        return false;
    return true;
}

static const char *entry_ref(struct json_object *entry)
{
    struct json_object *ann, *ref;
    if (!json_object_object_get_ex(entry, "annotations", &ann) ||
        !json_object_is_type(ann, json_type_object) ||
        !json_object_object_get_ex(ann, "org.opencontainers.image.ref.name", &ref) ||
        !json_object_is_type(ref, json_type_string))
        return NULL;
    return json_object_get_string(ref);
}

static int schema_check(struct json_object *o, const char *what, struct brig_err *err)
{
    struct json_object *v;
    if (member(o, "schemaVersion", json_type_int, what, &v, err) < 0)
        return -1;
    if (!v || json_object_get_int64(v) != 2)
        return brig_err_set(err, BRIG_EUSAGE, "%s: schemaVersion is not 2", what);
    return 0;
}

int brig_oci_index_parse(const char *text, size_t len, const char *tag, struct brig_oci_desc *ret,
                         struct brig_err *err)
{
    static const char what[] = "image index";
    struct json_object *o, *list;
    if (json_load(text, len, what, &o, err) < 0)
        return -1;
    int r = -1;
    if (schema_check(o, what, err) < 0 ||
        need(o, "manifests", json_type_array, what, &list, err) < 0)
        goto out;
    size_t n = json_object_array_length(list), found = 0;
    struct brig_oci_desc pick = {0};
    for (size_t i = 0; i < n; i++) {
        struct json_object *e = json_object_array_get_idx(list, i);
        if (!json_object_is_type(e, json_type_object)) {
            brig_err_set(err, BRIG_EUSAGE, "%s: manifests[%zu] is not a JSON object", what, i);
            goto out;
        }
        const char *ref = entry_ref(e);
        if (tag && (!ref || strcmp(ref, tag) != 0))
            continue;
        if (!tag && !platform_ours(e))
            continue;
        struct brig_oci_desc d;
        if (desc_parse(e, what, &d, err) < 0)
            goto out;
        if (d.kind != BRIG_OCI_MANIFEST && d.kind != BRIG_OCI_INDEX) {
            brig_err_set(err, BRIG_EUSAGE, "%s: manifests[%zu] is %s", what, i, kind_names[d.kind]);
            goto out;
        }
        if (tag && !platform_ours(e)) {
            brig_err_set(err, BRIG_EUSAGE, "%s: '%.100s' is not an image for linux/amd64", what,
                         tag);
            goto out;
        }
        if (found++ == 0)
            pick = d;
    }
    if (found == 0 && tag)
        brig_err_set(err, BRIG_EUSAGE, "%s: no image is tagged '%.100s'", what, tag);
    else if (found == 0)
        brig_err_set(err, BRIG_EUSAGE, "%s: no image for linux/amd64", what);
    else if (found > 1)
        brig_err_set(err, BRIG_EUSAGE, "%s: %zu images%s%.100s: name one (oci:DIR:TAG)", what,
                     found, tag ? " tagged " : "", tag ? tag : "");
    else {
        *ret = pick;
        r = 0;
    }
out:
    json_object_put(o);
    return r;
}

void brig_oci_manifest_free(struct brig_oci_manifest *m)
{
    free(m->layers);
    memset(m, 0, sizeof(*m));
}

int brig_oci_manifest_parse(const char *text, size_t len, struct brig_oci_manifest *ret,
                            struct brig_err *err)
{
    static const char what[] = "image manifest";
    struct json_object *o, *cfg, *layers;
    if (json_load(text, len, what, &o, err) < 0)
        return -1;
    struct brig_oci_manifest m = {0};
    int r = -1;
    if (schema_check(o, what, err) < 0 ||
        need(o, "config", json_type_object, what, &cfg, err) < 0 ||
        need(o, "layers", json_type_array, what, &layers, err) < 0 ||
        desc_parse(cfg, what, &m.config, err) < 0)
        goto out;
    if (m.config.kind != BRIG_OCI_CONFIG) {
        brig_err_set(err, BRIG_EUSAGE, "%s: its config is %s", what, kind_names[m.config.kind]);
        goto out;
    }
    size_t n = json_object_array_length(layers);
    if (n > OCI_LIST_MAX) {
        brig_err_set(err, BRIG_EUSAGE, "%s: more than %d layers", what, OCI_LIST_MAX);
        goto out;
    }
    m.layers = brig_xcalloc(n ? n : 1, sizeof(*m.layers));
    for (size_t i = 0; i < n; i++) {
        if (desc_parse(json_object_array_get_idx(layers, i), what, &m.layers[i], err) < 0)
            goto out;
        if (m.layers[i].kind != BRIG_OCI_LAYER) {
            brig_err_set(err, BRIG_EUSAGE, "%s: layers[%zu] is %s", what, i,
                         kind_names[m.layers[i].kind]);
            goto out;
        }
        m.nlayers++;
    }
    *ret = m;
    m = (struct brig_oci_manifest){0};
    r = 0;
out:
    brig_oci_manifest_free(&m);
    json_object_put(o);
    return r;
}

void brig_oci_config_free(struct brig_oci_config *c)
{
    brig_strv_free(c->env);
    brig_strv_free(c->entrypoint);
    brig_strv_free(c->cmd);
    free(c->workdir);
    free(c->user);
    free(c->stop_signal);
    brig_strv_free(c->ports);
    brig_strv_free(c->diff_ids);
    memset(c, 0, sizeof(*c));
}

static int config_arch(struct json_object *o, const char *what, struct brig_err *err)
{
    struct json_object *os, *arch;
    if (need(o, "os", json_type_string, what, &os, err) < 0 ||
        need(o, "architecture", json_type_string, what, &arch, err) < 0)
        return -1;
    if (strcmp(json_object_get_string(os), "linux") != 0 ||
        strcmp(json_object_get_string(arch), "amd64") != 0) {
        _cleanup_free_ char *os_p = printable(json_object_get_string(os));
        _cleanup_free_ char *a = printable(json_object_get_string(arch));
        return brig_err_set(err, BRIG_EUSAGE, "%s: the image is for %.40s/%.40s, not linux/amd64",
                            what, os_p, a);
    }
    return 0;
}

static int config_ports(struct json_object *cfg, const char *what, char ***ret,
                        struct brig_err *err)
{
    struct json_object *ports;
    *ret = NULL;
    if (member(cfg, "ExposedPorts", json_type_object, what, &ports, err) < 0)
        return -1;
    if (!ports)
        return 0;
    char **v = NULL;
    size_t n = 0;
    json_object_object_foreach(ports, key, val)
    {
        (void)val;
        size_t kl = strlen(key), digits = strspn(key, "0123456789");
        if (++n > OCI_LIST_MAX || digits == 0 || digits > 5 ||
            (key[digits] && strcmp(key + digits, "/tcp") != 0 &&
             strcmp(key + digits, "/udp") != 0 && strcmp(key + digits, "/sctp") != 0) ||
            kl > 16) {
            brig_strv_free(v);
            _cleanup_free_ char *p = printable(key);
            return brig_err_set(err, BRIG_EUSAGE, "%s: exposed port '%.40s' is not PORT[/PROTO]",
                                what, p);
        }
        brig_strv_push(&v, key);
    }
    *ret = v;
    return 0;
}

int brig_oci_config_parse(const char *text, size_t len, struct brig_oci_config *ret,
                          struct brig_err *err)
{
    static const char what[] = "image config";
    struct json_object *o, *cfg, *rootfs, *type;
    if (json_load(text, len, what, &o, err) < 0)
        return -1;
    struct brig_oci_config c = {0};
    int r = -1;
    if (config_arch(o, what, err) < 0 ||
        member(o, "config", json_type_object, what, &cfg, err) < 0 ||
        need(o, "rootfs", json_type_object, what, &rootfs, err) < 0 ||
        need(rootfs, "type", json_type_string, what, &type, err) < 0)
        goto out;
    if (strcmp(json_object_get_string(type), "layers") != 0) {
        brig_err_set(err, BRIG_EUSAGE, "%s: rootfs type is not 'layers'", what);
        goto out;
    }
    char **diff = NULL;
    if (get_strv(rootfs, "diff_ids", what, &diff, err) < 0)
        goto out;
    c.ndiff_ids = brig_strv_len(diff);
    c.diff_ids = brig_xcalloc(c.ndiff_ids + 1, sizeof(*c.diff_ids));
    for (size_t i = 0; i < c.ndiff_ids; i++) {
        char hex[65];
        if (brig_oci_digest_parse(diff[i], hex, err) < 0) {
            brig_strv_free(diff);
            brig_err_wrap(err, "%s: diff_ids[%zu]", what, i);
            goto out;
        }
        c.diff_ids[i] = brig_xstrdup(hex);
    }
    brig_strv_free(diff);
    if (get_strv(cfg, "Env", what, &c.env, err) < 0 ||
        get_strv(cfg, "Entrypoint", what, &c.entrypoint, err) < 0 ||
        get_strv(cfg, "Cmd", what, &c.cmd, err) < 0 ||
        get_string(cfg, "WorkingDir", false, what, &c.workdir, err) < 0 ||
        get_string(cfg, "User", false, what, &c.user, err) < 0 ||
        get_string(cfg, "StopSignal", false, what, &c.stop_signal, err) < 0 ||
        config_ports(cfg, what, &c.ports, err) < 0)
        goto out;
    for (size_t i = 0; c.env && c.env[i]; i++) {
        const char *eq = strchr(c.env[i], '=');
        if (!eq || eq == c.env[i]) {
            brig_err_set(err, BRIG_EUSAGE, "%s: Env entry '%.60s' is not KEY=value", what,
                         c.env[i]);
            goto out;
        }
    }
    if (c.workdir[0] && c.workdir[0] != '/') {
        brig_err_set(err, BRIG_EUSAGE, "%s: WorkingDir '%.100s' is not an absolute path", what,
                     c.workdir);
        goto out;
    }
    *ret = c;
    c = (struct brig_oci_config){0};
    r = 0;
out:
    brig_oci_config_free(&c);
    json_object_put(o);
    return r;
}

void brig_docker_image_free(struct brig_docker_image *d)
{
    free(d->config);
    brig_strv_free(d->layers);
    free(d->repo_tag);
    memset(d, 0, sizeof(*d));
}

static int docker_image_parse(struct json_object *e, const char *what,
                              struct brig_docker_image *ret, struct brig_err *err)
{
    struct brig_docker_image d = {0};
    char **tags = NULL;
    int r = -1;
    if (!json_object_is_type(e, json_type_object)) {
        brig_err_set(err, BRIG_EUSAGE, "%s: an image is not a JSON object", what);
        goto out;
    }
    if (get_string(e, "Config", true, what, &d.config, err) < 0 ||
        get_strv(e, "Layers", what, &d.layers, err) < 0 ||
        get_strv(e, "RepoTags", what, &tags, err) < 0)
        goto out;
    if (!d.layers) {
        brig_err_set(err, BRIG_EUSAGE, "%s: no Layers", what);
        goto out;
    }
    d.nlayers = brig_strv_len(d.layers);
    d.repo_tag = brig_xstrdup(tags && tags[0] ? tags[0] : "");
    *ret = d;
    d = (struct brig_docker_image){0};
    r = 0;
out:
    brig_strv_free(tags);
    brig_docker_image_free(&d);
    return r;
}

static bool docker_tagged(struct json_object *e, const char *tag)
{
    struct json_object *tags;
    if (!json_object_object_get_ex(e, "RepoTags", &tags) ||
        !json_object_is_type(tags, json_type_array))
        return false;
    for (size_t i = 0; i < json_object_array_length(tags); i++) {
        struct json_object *t = json_object_array_get_idx(tags, i);
        if (json_object_is_type(t, json_type_string) && strcmp(json_object_get_string(t), tag) == 0)
            return true;
    }
    return false;
}

int brig_docker_manifest_parse(const char *text, size_t len, const char *tag,
                               struct brig_docker_image *ret, struct brig_err *err)
{
    static const char what[] = "manifest.json";
    if (len > BRIG_OCI_JSON_MAX)
        return brig_err_set(err, BRIG_EUSAGE, "%s: larger than %u bytes", what, BRIG_OCI_JSON_MAX);
    /* manifest.json is an array: wrap it so json_load reads one object */
    struct brig_buf b = {0};
    brig_buf_add(&b, "{\"images\":");
    brig_buf_addn(&b, text, len);
    brig_buf_add(&b, "\n}");
    struct json_object *o, *list;
    int r = json_load(b.s, b.len, what, &o, err);
    brig_buf_free(&b);
    if (r < 0)
        return -1;
    r = -1;
    if (need(o, "images", json_type_array, what, &list, err) < 0)
        goto out;
    size_t n = json_object_array_length(list), found = 0, at = 0;
    for (size_t i = 0; i < n; i++) {
        if (tag && !docker_tagged(json_object_array_get_idx(list, i), tag))
            continue;
        if (found++ == 0)
            at = i;
    }
    if (found == 0)
        brig_err_set(err, BRIG_EUSAGE, "%s: %s%.100s", what,
                     tag ? "no image is tagged " : "no image", tag ? tag : "");
    else if (found > 1)
        brig_err_set(err, BRIG_EUSAGE, "%s: %zu images: name one (docker-archive:FILE:NAME:TAG)",
                     what, found);
    else
        r = docker_image_parse(json_object_array_get_idx(list, at), what, ret, err);
out:
    json_object_put(o);
    return r;
}

char *brig_oci_words_join(char *const *words)
{
    struct brig_buf b = {0};
    brig_buf_add(&b, "");
    for (size_t i = 0; words && words[i]; i++) {
        if (i)
            brig_buf_addc(&b, ' ');
        _cleanup_free_ char *q = brig_shell_quote(words[i]);
        brig_buf_add(&b, q);
    }
    return brig_buf_steal(&b);
}

char *brig_oci_command(const struct brig_oci_config *c)
{
    char **all = NULL;
    for (size_t i = 0; c->entrypoint && c->entrypoint[i]; i++)
        brig_strv_push(&all, c->entrypoint[i]);
    for (size_t i = 0; c->cmd && c->cmd[i]; i++)
        brig_strv_push(&all, c->cmd[i]);
    char *s = brig_oci_words_join(all);
    brig_strv_free(all);
    return s;
}
