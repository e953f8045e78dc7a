/* Debian bases: debootstrap run with its progress read from fd 3 and its
 * whole output kept in var/log/repo/<name>.log. */
#define _GNU_SOURCE
#include "repo_debian.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "os/linux/probe.h"
#include "repo.h"
#include "repo_int.h"
#include "repo_tree.h"
#include "util.h"

#define APT_FILE_MAX (1 << 20)

static const struct {
    const char *base;
    const char *suite;
} debian_suites[] = {
    {"debian11", "bullseye"},
    {"debian12", "bookworm"},
    {"debian13", "trixie"},
};

const char *brig_debian_names(void)
{
    return "debian11 (bullseye), debian12 (bookworm), debian13 (trixie), debian (bookworm, or "
           "suite=)";
}

const char *brig_debian_suite(const char *base, const char *suite, bool *ret_known,
                              struct brig_err *err)
{
    *ret_known = true;
    if (strcmp(base, "debian") == 0)
        return suite ? suite : BRIG_DEBIAN_DEFAULT_SUITE;
    for (size_t i = 0; i < BRIG_ARRAY_SIZE(debian_suites); i++) {
        if (strcmp(base, debian_suites[i].base) != 0)
            continue;
        if (suite && strcmp(suite, debian_suites[i].suite) != 0) {
            brig_err_set(err, BRIG_EUSAGE, "base=%s is %s: suite=%.40s goes with base=debian", base,
                         debian_suites[i].suite, suite);
            return NULL;
        }
        return debian_suites[i].suite;
    }
    *ret_known = false;
    if (brig_startswith(base, "debian") && base[6] >= '0' && base[6] <= '9')
        brig_err_set(err, BRIG_EUSAGE, "base=%.40s: brig knows %s", base, brig_debian_names());
    return NULL;
}

void brig_dbs_free(struct brig_dbs *d)
{
    for (int i = 0; i < d->nargs; i++)
        free(d->args[i]);
    d->nargs = 0;
}

/* fmt with each %s (or other conversion) replaced by the next argument. */
static void dbs_format(const struct brig_dbs *d, const char *fmt, char *out, size_t size)
{
    size_t n = 0;
    int arg = 0;
    for (const char *p = fmt; *p && n + 1 < size; p++) {
        const char *piece = NULL;
        char one[2] = {*p, 0};
        if (*p == '%' && p[1] == '%') {
            piece = "%";
            p++;
        } else if (*p == '%' && p[1]) {
            piece = arg < d->nargs ? d->args[arg] : "";
            arg++;
            p++;
        } else {
            piece = one;
        }
        for (; *piece && n + 1 < size; piece++)
            out[n++] = (unsigned char)*piece < ' ' || *piece == 0x7f ? ' ' : *piece;
    }
    out[n] = '\0';
    /* "Retrieving Packages " (an empty argument) reads better trimmed */
    while (n > 0 && out[n - 1] == ' ')
        out[--n] = '\0';
}

static bool parse_u64(const char *s, char **end, uint64_t *ret)
{
    if (*s < '0' || *s > '9')
        return false;
    errno = 0;
    unsigned long long v = strtoull(s, end, 10);
    if (errno)
        return false;
    *ret = v;
    return true;
}

int brig_dbs_feed(struct brig_dbs *d, const char *line)
{
    char k = line[0];
    if (!k || !strchr("PIWE", k) || !line[1])
        return 0;
    if (line[1] == ':' && line[2] == ' ') {
        /* a new record: P carries numbers, I/W/E a message name */
        brig_dbs_free(d);
        d->kind = k;
        if (k != 'P')
            return 0;
        uint64_t now, end;
        char *p;
        if (!parse_u64(line + 3, &p, &now) || *p != ' ' || !parse_u64(p + 1, &p, &end)) {
            d->kind = 0;
            return 0;
        }
        /* debootstrap counts one past the end at times ("P: 89 88 CONFREQ") */
        d->done = now > end ? end : now;
        d->total = end;
        /* a phase name: its text follows in PF */
        return *p == ' ' ? 0 : BRIG_DBS_PROGRESS;
    }
    if (k != d->kind || line[2] != ':' || line[3] != ' ')
        return 0;
    if (line[1] == 'A') {
        if (d->nargs < (int)BRIG_ARRAY_SIZE(d->args))
            d->args[d->nargs++] = brig_xstrndup(line + 4, 200);
        return 0;
    }
    if (line[1] != 'F')
        return 0;
    d->kind = 0;
    if (k == 'P') {
        dbs_format(d, line + 4, d->phase, sizeof(d->phase));
        brig_dbs_free(d);
        return BRIG_DBS_PROGRESS;
    }
    char text[sizeof(d->message) - 3];
    dbs_format(d, line + 4, text, sizeof(text));
    brig_dbs_free(d);
    snprintf(d->message, sizeof(d->message), "%c: %s", k, text);
    if (k == 'E')
        snprintf(d->error, sizeof(d->error), "%s", text);
    return BRIG_DBS_MESSAGE;
}

/* A Debian suite or codename: lower-case letters, digits and '-'. */
static int check_suite(const char *suite, struct brig_err *err)
{
    if (!suite || !*suite || strlen(suite) > 64 || !((*suite >= 'a' && *suite <= 'z')) ||
        strspn(suite, "abcdefghijklmnopqrstuvwxyz0123456789-") != strlen(suite))
        return brig_err_set(err, BRIG_EUSAGE,
                            "suite '%.80s' is not a Debian suite name (e.g. bookworm, stable)",
                            suite ? suite : "");
    return 0;
}

static bool mirror_ok(const char *mirror)
{
    static const char *const schemes[] = {"http://", "https://", "file:///"};
    bool ok = false;
    for (size_t i = 0; i < BRIG_ARRAY_SIZE(schemes); i++)
        ok = ok || (brig_startswith(mirror, schemes[i]) && mirror[strlen(schemes[i])]);
    for (const char *p = mirror; ok && *p; p++)
        ok = (unsigned char)*p > ' ' && *p != 0x7f;
    return ok;
}

static int check_mirror(const char *mirror, struct brig_err *err)
{
    if (!mirror_ok(mirror))
        return brig_err_set(err, BRIG_EUSAGE,
                            "mirror '%.200s' is not an http://, https:// or file:/// url", mirror);
    return 0;
}

int brig_repo_debian_argv(const char *suite, const char *mirror, const char *target,
                          char ***ret_argv, struct brig_err *err)
{
    if (!mirror || !*mirror)
        mirror = BRIG_DEBIAN_MIRROR;
    if (check_suite(suite, err) < 0 || check_mirror(mirror, err) < 0)
        return -1;
    char **argv = NULL;
    brig_strv_push(&argv, "debootstrap");
    brig_strv_push(&argv, "--debian-installer");
    brig_strv_push(&argv, "--variant=minbase");
    brig_strv_push(&argv, "--include=" BRIG_DEBIAN_INCLUDE);
    brig_strv_push(&argv, suite);
    brig_strv_push(&argv, target);
    brig_strv_push(&argv, mirror);
    *ret_argv = argv;
    return 0;
}

/* Start argv with stdout and stderr on log_fd and fd 3 on info_fd, in a mount
 * namespace of its own: the /proc and /sys debootstrap mounts in the target
 * vanish with it, even when it is killed. It inherits the staging lock, so a
 * debootstrap that outlives a killed brig keeps its directory from tidy-ups. */
static int dbs_spawn(char **argv, int log_fd, int info_fd, int lock_fd, pid_t *ret_pid,
                     struct brig_err *err)
{
    pid_t pid = fork();
    if (pid < 0)
        return brig_err_sys(err, errno, "fork");
    if (pid == 0) {
        /* kept open across exec, above the descriptors set up below */
        if (lock_fd >= 0 &&
            (lock_fd <= 3 ? fcntl(lock_fd, F_DUPFD, 4) < 0 : fcntl(lock_fd, F_SETFD, 0) < 0))
            _exit(127);
        int null = open("/dev/null", O_RDONLY | O_CLOEXEC);
        if (null < 0 || dup2(null, STDIN_FILENO) < 0 || dup2(log_fd, STDOUT_FILENO) < 0 ||
            dup2(log_fd, STDERR_FILENO) < 0)
            _exit(127);
        if (info_fd == 3 ? fcntl(3, F_SETFD, 0) < 0 : dup2(info_fd, 3) < 0)
            _exit(127);
        if (unshare(CLONE_NEWNS) < 0 || mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0) {
            dprintf(STDERR_FILENO, "brig: private mount namespace: %s\n", strerror(errno));
            _exit(127);
        }
        execvp(argv[0], argv);
        dprintf(STDERR_FILENO, "brig: run %s: %s\n", argv[0], strerror(errno));
        _exit(127);
    }
    *ret_pid = pid;
    return 0;
}

/* Read fd 3 to its end: progress to the caller, messages into the log. */
static void dbs_read(int fd, int log_fd, struct brig_dbs *d, brig_progress_fn *progress, void *data)
{
    struct brig_buf line = {0};
    char chunk[4096];
    ssize_t n;
    while ((n = read(fd, chunk, sizeof(chunk))) != 0) {
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0)
            break;
        for (ssize_t i = 0; i < n; i++) {
            if (chunk[i] != '\n') {
                if (line.len < 4096)
                    brig_buf_addc(&line, chunk[i]);
                continue;
            }
            int what = brig_dbs_feed(d, line.s ? line.s : "");
            if ((what & BRIG_DBS_PROGRESS) && progress && d->phase[0])
                progress(d->phase, d->done, d->total, data);
            if (what & BRIG_DBS_MESSAGE)
                dprintf(log_fd, "%s\n", d->message);
            line.len = 0;
            if (line.s)
                line.s[0] = '\0';
        }
    }
    brig_buf_free(&line);
}

/* Open var/log/repo/<name>.log afresh. */
static int log_open(const char *workdir, const char *name, char **ret_path, int *ret_fd,
                    struct brig_err *err)
{
    _cleanup_free_ char *dir = brig_xasprintf("%s/var/log/repo", workdir);
    if (brig_mkdir_p(dir, 0700, err) < 0)
        return -1;
    char *path = brig_xasprintf("%s/%s.log", dir, name);
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_APPEND | O_NOFOLLOW | O_CLOEXEC, 0600);
    if (fd < 0) {
        int e = errno;
        free(path);
        return brig_err_sys(err, e, "open %s/%s.log", dir, name);
    }
    *ret_path = path;
    *ret_fd = fd;
    return 0;
}

/* Run debootstrap into s->root. */
static int dbs_run(char **argv, const char *suite, const char *log_path, int log_fd, int lock_fd,
                   brig_progress_fn *progress, void *data, struct brig_err *err)
{
    int pipefd[2];
    if (pipe2(pipefd, O_CLOEXEC) < 0)
        return brig_err_sys(err, errno, "pipe");
    pid_t pid = -1;
    int r = dbs_spawn(argv, log_fd, pipefd[1], lock_fd, &pid, err);
    close(pipefd[1]);
    if (r < 0) {
        close(pipefd[0]);
        return -1;
    }
    struct brig_dbs d = {0};
    dbs_read(pipefd[0], log_fd, &d, progress, data);
    close(pipefd[0]);
    brig_dbs_free(&d);
    int status;
    while (waitpid(pid, &status, 0) < 0) {
        if (errno != EINTR)
            return brig_err_sys(err, errno, "wait for debootstrap");
    }
    if (WIFEXITED(status) && WEXITSTATUS(status) == 0)
        return 0;
    int code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
    if (d.error[0])
        return brig_err_set(err, BRIG_EFAIL, "debootstrap %s failed (status %d): %s; log: %s",
                            suite, code, d.error, log_path);
    return brig_err_set(err, BRIG_EFAIL, "debootstrap %s failed (status %d); log: %s", suite, code,
                        log_path);
}

int brig_repo_get_debian(const char *workdir, const char *name, const char *suite,
                         const char *mirror, brig_progress_fn *progress, void *data,
                         struct brig_err *err)
{
    _cleanup_strv_ char **argv = NULL;
    if (!mirror || !*mirror)
        mirror = BRIG_DEBIAN_MIRROR;
    if (brig_repo_debian_argv(suite, mirror, "", &argv, err) < 0)
        return brig_err_wrap(err, "base %s", name);
    _cleanup_free_ char *prog = brig_probe_find_in_path("debootstrap");
    if (!prog)
        return brig_err_set(err, BRIG_EFAIL,
                            "base %s: debootstrap is not installed: apt-get install debootstrap",
                            name);
    struct brig_staging s;
    _cleanup_free_ char *log_path = NULL;
    _cleanup_close_ int log_fd = -1;
    _cleanup_free_ char *version = NULL;
    _cleanup_free_ char *debver = NULL;
    int r = -1;
    if (brig_staging_begin(workdir, name, &s, err) < 0 ||
        log_open(workdir, name, &log_path, &log_fd, err) < 0)
        goto out;
    free(argv[0]);
    argv[0] = brig_xstrdup(prog);
    size_t target = brig_strv_len(argv) - 2;
    free(argv[target]);
    argv[target] = brig_xstrdup(s.root);
    dprintf(log_fd, "brig: debootstrap %s %s %s %s\n", argv[2], argv[3], suite, mirror);
    if (dbs_run(argv, suite, log_path, log_fd, s.lock_fd, progress, data, err) < 0)
        goto out;
    version = brig_rootfs_version(s.root);
    debver = brig_xasprintf("%s/etc/debian_version", s.root);
    if (!brig_path_exists(debver)) {
        brig_err_set(err, BRIG_EFAIL,
                     "debootstrap %s left no Debian system (no /etc/debian_version); log: %s",
                     suite, log_path);
        goto out;
    }
    r = brig_staging_commit(&s, BRIG_BASE_DEBIAN, mirror, version, NULL, err);
out:
    brig_staging_end(&s);
    return r < 0 ? brig_err_wrap(err, "base %s", name) : 0;
}

/* The next whitespace-separated word of *p, or NULL. */
static char *next_word(char **p)
{
    char *s = *p + strspn(*p, " \t");
    if (!*s)
        return NULL;
    char *e = s + strcspn(s, " \t");
    if (*e)
        *e++ = '\0';
    *p = e;
    return s;
}

static bool word_in(const char *list, const char *word)
{
    _cleanup_free_ char *copy = brig_xstrdup(list);
    char *p = copy, *w;
    while ((w = next_word(&p))) {
        if (strcmp(w, word) == 0)
            return true;
    }
    return false;
}

/* A mirror URI as brig gives it to debootstrap: no trailing '/'. */
static char *mirror_clean(const char *uri)
{
    if (!mirror_ok(uri))
        return NULL;
    char *m = brig_xstrdup(uri);
    size_t n = strlen(m);
    while (n > 8 && m[n - 1] == '/')
        m[--n] = '\0';
    return m;
}

/* One-line format: "deb [options] uri suite component...". */
static char *apt_list_line(char *line, const char *codename)
{
    char *p = line, *w = next_word(&p);
    if (!w || strcmp(w, "deb") != 0)
        return NULL;
    p += strspn(p, " \t");
    if (*p == '[') {
        char *close = strchr(p, ']');
        if (!close)
            return NULL;
        _cleanup_free_ char *opts = brig_xstrndup(p + 1, (size_t)(close - p - 1));
        if (strstr(opts, "enabled=no"))
            return NULL;
        p = close + 1;
    }
    char *uri = next_word(&p), *suite = next_word(&p);
    if (!uri || !suite || strcmp(suite, codename) != 0 || !word_in(p, "main"))
        return NULL;
    return mirror_clean(uri);
}

struct stanza {
    char *types, *uris, *suites, *components, *enabled;
};

static void stanza_clear(struct stanza *s)
{
    free(s->types);
    free(s->uris);
    free(s->suites);
    free(s->components);
    free(s->enabled);
    memset(s, 0, sizeof(*s));
}

static char *stanza_mirror(const struct stanza *s, const char *codename)
{
    if (!s->types || !s->uris || !s->suites || !s->components || !word_in(s->types, "deb") ||
        !word_in(s->suites, codename) || !word_in(s->components, "main") ||
        (s->enabled && strcmp(s->enabled, "no") == 0))
        return NULL;
    _cleanup_free_ char *copy = brig_xstrdup(s->uris);
    char *p = copy, *uri;
    while ((uri = next_word(&p))) {
        char *m = mirror_clean(uri);
        if (m)
            return m;
    }
    return NULL;
}

/* deb822: "Field: value" lines, continuation lines begin with a space,
 * stanzas end at a blank line. */
static char *apt_deb822(char *text, const char *codename)
{
    struct stanza s = {0};
    char **last = NULL;
    char *found = NULL;
    for (char *line = text; line && !found;) {
        char *nl = strchr(line, '\n');
        if (nl)
            *nl = '\0';
        line[strcspn(line, "\r")] = '\0';
        if (line[0] == '#') {
        } else if (line[strspn(line, " \t")] == '\0') {
            found = stanza_mirror(&s, codename);
            stanza_clear(&s);
            last = NULL;
        } else if ((line[0] == ' ' || line[0] == '\t') && last && *last) {
            char *joined = brig_xasprintf("%s %s", *last, line + strspn(line, " \t"));
            free(*last);
            *last = joined;
        } else {
            char *colon = strchr(line, ':');
            last = NULL;
            if (colon) {
                *colon = '\0';
                const char *v = colon + 1 + strspn(colon + 1, " \t");
                if (strcasecmp(line, "Types") == 0)
                    last = &s.types;
                else if (strcasecmp(line, "URIs") == 0)
                    last = &s.uris;
                else if (strcasecmp(line, "Suites") == 0)
                    last = &s.suites;
                else if (strcasecmp(line, "Components") == 0)
                    last = &s.components;
                else if (strcasecmp(line, "Enabled") == 0)
                    last = &s.enabled;
                if (last) {
                    free(*last);
                    *last = brig_xstrdup(v);
                }
            }
        }
        line = nl ? nl + 1 : NULL;
    }
    if (!found)
        found = stanza_mirror(&s, codename);
    stanza_clear(&s);
    return found;
}

char *brig_apt_mirror_parse(const char *text, bool deb822, const char *codename)
{
    if (!text || !codename || !*codename)
        return NULL;
    _cleanup_free_ char *copy = brig_xstrdup(text);
    if (deb822)
        return apt_deb822(copy, codename);
    for (char *line = copy; line;) {
        char *nl = strchr(line, '\n');
        if (nl)
            *nl = '\0';
        line[strcspn(line, "#\r")] = '\0';
        char *m = apt_list_line(line, codename);
        if (m)
            return m;
        line = nl ? nl + 1 : NULL;
    }
    return NULL;
}

static char *apt_file_mirror(const char *path, bool deb822, const char *codename)
{
    struct brig_err ignored = BRIG_ERR_INIT;
    _cleanup_free_ char *text = NULL;
    size_t len;
    if (brig_read_file(path, APT_FILE_MAX, &text, &len, &ignored) < 0)
        return NULL;
    return brig_apt_mirror_parse(text, deb822, codename);
}

static int name_cmp(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static bool ends_with(const char *s, const char *suffix)
{
    size_t n = strlen(s), k = strlen(suffix);
    return n > k && strcmp(s + n - k, suffix) == 0;
}

char *brig_debian_host_mirror(const char *root)
{
    struct brig_err ignored = BRIG_ERR_INIT;
    _cleanup_free_ char *osr_path = brig_xasprintf("%s/etc/os-release", root);
    _cleanup_free_ char *osr = NULL;
    size_t len;
    if (brig_read_file(osr_path, APT_FILE_MAX, &osr, &len, &ignored) < 0) {
        free(osr_path);
        osr_path = brig_xasprintf("%s/usr/lib/os-release", root);
        if (brig_read_file(osr_path, APT_FILE_MAX, &osr, &len, &ignored) < 0)
            return NULL;
    }
    _cleanup_free_ char *id = brig_os_release_get(osr, "ID");
    _cleanup_free_ char *codename = brig_os_release_get(osr, "VERSION_CODENAME");
    if (!id || strcmp(id, "debian") != 0 || !codename || !*codename)
        return NULL;
    _cleanup_free_ char *list = brig_xasprintf("%s/etc/apt/sources.list", root);
    char *m = apt_file_mirror(list, false, codename);
    if (m)
        return m;
    _cleanup_free_ char *dir = brig_xasprintf("%s/etc/apt/sources.list.d", root);
    DIR *d = opendir(dir);
    if (!d)
        return NULL;
    char **names = NULL;
    size_t n = 0;
    struct dirent *de;
    while ((de = readdir(d))) {
        if (de->d_name[0] == '.' ||
            (!ends_with(de->d_name, ".list") && !ends_with(de->d_name, ".sources")))
            continue;
        names = brig_xrealloc(names, (n + 1) * sizeof(*names));
        names[n++] = brig_xstrdup(de->d_name);
    }
    closedir(d);
    if (n)
        qsort(names, n, sizeof(*names), name_cmp);
    for (size_t i = 0; i < n; i++) {
        _cleanup_free_ char *path = brig_xasprintf("%s/%s", dir, names[i]);
        if (!m)
            m = apt_file_mirror(path, ends_with(names[i], ".sources"), codename);
        free(names[i]);
    }
    free(names);
    return m;
}
