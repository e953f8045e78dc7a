#define _GNU_SOURCE
#include "util.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <spawn.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#ifdef __FreeBSD__
#include <sys/sysctl.h>
#include <sys/types.h>
#endif

extern char **environ;

static void oom(void)
{
    fputs("brig: out of memory\n", stderr);
    abort();
}

void *brig_xmalloc(size_t n)
{
    void *p = malloc(n ? n : 1);
    if (!p)
        oom();
    return p;
}

void *brig_xcalloc(size_t n, size_t size)
{
    void *p = calloc(n ? n : 1, size ? size : 1);
    if (!p)
        oom();
    return p;
}

void *brig_xrealloc(void *p, size_t n)
{
    void *q = realloc(p, n ? n : 1);
    if (!q)
        oom();
    return q;
}

char *brig_xstrdup(const char *s)
{
    char *p = strdup(s ? s : "");
    if (!p)
        oom();
    return p;
}

char *brig_xstrndup(const char *s, size_t n)
{
    char *p = strndup(s, n);
    if (!p)
        oom();
    return p;
}

char *brig_xasprintf(const char *fmt, ...)
{
    char *s;
    va_list ap;
    va_start(ap, fmt);
    int r = vasprintf(&s, fmt, ap);
    va_end(ap);
    if (r < 0)
        oom();
    return s;
}

void brig_freep(void *p)
{
    free(*(void **)p);
}

void brig_closep(int *fd)
{
    if (*fd >= 0) {
        int saved = errno;
        close(*fd);
        errno = saved;
    }
}

void brig_fclosep(void *f)
{
    FILE *fp = *(FILE **)f;
    if (fp)
        fclose(fp);
}

void brig_strvfreep(void *p)
{
    brig_strv_free(*(char ***)p);
}

size_t brig_strv_len(char *const *v)
{
    size_t n = 0;
    while (v && v[n])
        n++;
    return n;
}

void brig_strv_push(char ***v, const char *s)
{
    size_t n = brig_strv_len(*v);
    *v = brig_xrealloc(*v, (n + 2) * sizeof(char *));
    (*v)[n] = brig_xstrdup(s);
    (*v)[n + 1] = NULL;
}

char *brig_self_exe(void)
{
    char path[PATH_MAX];
#ifdef __FreeBSD__
    int mib[4] = {CTL_KERN, KERN_PROC, KERN_PROC_PATHNAME, -1};
    size_t len = sizeof(path);
    if (sysctl(mib, 4, path, &len, NULL, 0) < 0)
        return NULL;
#else
    ssize_t n = readlink("/proc/self/exe", path, sizeof(path) - 1);
    if (n <= 0)
        return NULL;
    path[n] = '\0';
#endif
    return brig_xstrdup(path);
}

char *brig_program_path(const char *name)
{
    _cleanup_free_ char *self = brig_self_exe();
    char *slash = self ? strrchr(self, '/') : NULL;
    if (slash) {
        *slash = '\0';
        char *p = brig_xasprintf("%s/%s", self, name);
        if (access(p, X_OK) == 0)
            return p;
        free(p);
    }
    char *p = brig_xasprintf("%s/%s", BRIG_LIBEXECDIR, name);
    if (access(p, X_OK) == 0)
        return p;
    free(p);
    return NULL;
}

bool brig_strv_contains(char *const *v, const char *s)
{
    for (; v && *v; v++)
        if (strcmp(*v, s) == 0)
            return true;
    return false;
}

void brig_strv_push_unique(char ***v, const char *s)
{
    if (!brig_strv_contains(*v, s))
        brig_strv_push(v, s);
}

void brig_strv_free(char **v)
{
    for (size_t i = 0; v && v[i]; i++)
        free(v[i]);
    free(v);
}

void brig_buf_addn(struct brig_buf *b, const char *s, size_t n)
{
    if (b->len + n + 1 > b->cap) {
        size_t cap = b->cap ? b->cap : 64;
        while (b->len + n + 1 > cap)
            cap *= 2;
        b->s = brig_xrealloc(b->s, cap);
        b->cap = cap;
    }
    memcpy(b->s + b->len, s, n);
    b->len += n;
    b->s[b->len] = '\0';
}

void brig_buf_add(struct brig_buf *b, const char *s)
{
    brig_buf_addn(b, s, strlen(s));
}

void brig_buf_addc(struct brig_buf *b, char c)
{
    brig_buf_addn(b, &c, 1);
}

void brig_buf_addf(struct brig_buf *b, const char *fmt, ...)
{
    char small[256];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(small, sizeof(small), fmt, ap);
    va_end(ap);
    if (n < 0)
        oom();
    if ((size_t)n < sizeof(small)) {
        brig_buf_addn(b, small, (size_t)n);
        return;
    }
    char *big = brig_xmalloc((size_t)n + 1);
    va_start(ap, fmt);
    vsnprintf(big, (size_t)n + 1, fmt, ap);
    va_end(ap);
    brig_buf_addn(b, big, (size_t)n);
    free(big);
}

char *brig_buf_steal(struct brig_buf *b)
{
    char *s = b->s ? b->s : brig_xstrdup("");
    b->s = NULL;
    b->len = b->cap = 0;
    return s;
}

void brig_buf_free(struct brig_buf *b)
{
    free(b->s);
    b->s = NULL;
    b->len = b->cap = 0;
}

bool brig_streq(const char *a, const char *b)
{
    return a && b && strcmp(a, b) == 0;
}

bool brig_strcaseeq(const char *a, const char *b)
{
    return a && b && strcasecmp(a, b) == 0;
}

bool brig_str_has_control(const char *s)
{
    for (; *s; s++) {
        if ((unsigned char)*s < ' ' || *s == 0x7f)
            return true;
    }
    return false;
}

char *brig_str_uncontrol(char *s)
{
    for (char *p = s; p && *p; p++) {
        if ((unsigned char)*p < ' ' || *p == 0x7f)
            *p = '?';
    }
    return s;
}

bool brig_startswith(const char *s, const char *prefix)
{
    return s && strncmp(s, prefix, strlen(prefix)) == 0;
}

int brig_mkdir_p(const char *path, mode_t mode, struct brig_err *err)
{
    struct stat st;
    /* usually there already: one stat instead of a mkdir per component */
    if (stat(path, &st) == 0 && S_ISDIR(st.st_mode))
        return 0;
    _cleanup_free_ char *p = brig_xstrdup(path);
    for (char *s = p + 1;; s++) {
        if (*s != '/' && *s != '\0')
            continue;
        char c = *s;
        *s = '\0';
        if (mkdir(p, mode) < 0 && errno != EEXIST)
            return brig_err_sys(err, errno, "mkdir %s", p);
        *s = c;
        if (c == '\0')
            break;
    }
    if (stat(path, &st) < 0)
        return brig_err_sys(err, errno, "stat %s", path);
    if (!S_ISDIR(st.st_mode))
        return brig_err_set(err, BRIG_EFAIL, "%s: not a directory", path);
    return 0;
}

int brig_dir_own(const char *path, mode_t mode, struct brig_err *err)
{
    struct stat st;
    if (brig_mkdir_p(path, mode, err) < 0)
        return -1;
    if (lstat(path, &st) < 0)
        return brig_err_sys(err, errno, "stat %s", path);
    if (!S_ISDIR(st.st_mode))
        return brig_err_set(err, BRIG_EFAIL, "%s: not a directory", path);
    if ((st.st_uid != geteuid() || st.st_gid != getegid()) && chown(path, geteuid(), getegid()) < 0)
        return brig_err_sys(err, errno, "chown %s", path);
    if ((st.st_mode & 07777) != mode && chmod(path, mode) < 0)
        return brig_err_sys(err, errno, "chmod %s", path);
    return 0;
}

int brig_write_file_atomic(const char *path, const char *data, size_t len, mode_t mode,
                           struct brig_err *err)
{
    _cleanup_free_ char *tmp = brig_xasprintf("%s.tmp.%d", path, (int)getpid());
    _cleanup_close_ int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode);
    if (fd < 0)
        return brig_err_sys(err, errno, "create %s", tmp);
    for (size_t off = 0; off < len;) {
        ssize_t n = write(fd, data + off, len - off);
        if (n < 0) {
            if (errno == EINTR)
                continue;
            int e = errno;
            unlink(tmp);
            return brig_err_sys(err, e, "write %s", tmp);
        }
        off += (size_t)n;
    }
    if (fchmod(fd, mode) < 0 || close(brig_steal_fd(&fd)) < 0) {
        int e = errno;
        unlink(tmp);
        return brig_err_sys(err, e, "write %s", tmp);
    }
    if (rename(tmp, path) < 0) {
        int e = errno;
        unlink(tmp);
        return brig_err_sys(err, e, "rename %s", path);
    }
    return 0;
}

int brig_read_file(const char *path, size_t max, char **ret_data, size_t *ret_len,
                   struct brig_err *err)
{
    _cleanup_close_ int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return brig_err_sys(err, errno, "open %s", path);
    struct brig_buf b = {0};
    char chunk[8192];
    for (;;) {
        ssize_t n = read(fd, chunk, sizeof(chunk));
        if (n < 0) {
            if (errno == EINTR)
                continue;
            int e = errno;
            brig_buf_free(&b);
            return brig_err_sys(err, e, "read %s", path);
        }
        if (n == 0)
            break;
        if (b.len + (size_t)n > max) {
            brig_buf_free(&b);
            return brig_err_set(err, BRIG_EUSAGE, "%s: larger than %zu bytes", path, max);
        }
        brig_buf_addn(&b, chunk, (size_t)n);
    }
    if (ret_len)
        *ret_len = b.len;
    *ret_data = brig_buf_steal(&b);
    return 0;
}

static int rm_rf_at(int parent, const char *name, dev_t dev, struct brig_err *err)
{
    struct stat st;
    if (fstatat(parent, name, &st, AT_SYMLINK_NOFOLLOW) < 0) {
        if (errno == ENOENT)
            return 0;
        return brig_err_sys(err, errno, "stat %s", name);
    }
    if (!S_ISDIR(st.st_mode)) {
        if (unlinkat(parent, name, 0) < 0 && errno != ENOENT)
            return brig_err_sys(err, errno, "unlink %s", name);
        return 0;
    }
    /* a bind mount keeps the device number: ask for the mount root as well */
    struct statx stx;
    bool mount_root = statx(parent, name, AT_SYMLINK_NOFOLLOW, STATX_TYPE, &stx) == 0 &&
                      (stx.stx_attributes_mask & STATX_ATTR_MOUNT_ROOT) &&
                      (stx.stx_attributes & STATX_ATTR_MOUNT_ROOT);
    if (st.st_dev != dev || (mount_root && parent != AT_FDCWD))
        return brig_err_set(err, BRIG_EFAIL, "%s: is a mount point, not removing", name);
    int fd = openat(parent, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    if (fd < 0)
        return brig_err_sys(err, errno, "open %s", name);
    DIR *d = fdopendir(fd);
    if (!d) {
        close(fd);
        return brig_err_sys(err, errno, "opendir %s", name);
    }
    struct dirent *de;
    int r = 0;
    while (r == 0 && (de = readdir(d))) {
        if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
            continue;
        r = rm_rf_at(dirfd(d), de->d_name, dev, err);
    }
    closedir(d);
    if (r < 0)
        return brig_err_wrap(err, "%s", name);
    if (unlinkat(parent, name, AT_REMOVEDIR) < 0 && errno != ENOENT)
        return brig_err_sys(err, errno, "rmdir %s", name);
    return 0;
}

int brig_rm_rf_at(int dirfd, const char *name, struct brig_err *err)
{
    struct stat st;
    if (fstat(dirfd, &st) < 0)
        return brig_err_sys(err, errno, "stat %s", name);
    return rm_rf_at(dirfd, name, st.st_dev, err);
}

int brig_rm_rf(const char *path, struct brig_err *err)
{
    struct stat st;
    if (lstat(path, &st) < 0)
        return errno == ENOENT ? 0 : brig_err_sys(err, errno, "stat %s", path);
    return rm_rf_at(AT_FDCWD, path, st.st_dev, err);
}

bool brig_path_exists(const char *path)
{
    return access(path, F_OK) == 0;
}

char *brig_shell_quote(const char *s)
{
    if (*s && strspn(s, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
                        "_-+./:=@%,") == strlen(s))
        return brig_xstrdup(s);
    struct brig_buf b = {0};
    brig_buf_addc(&b, '\'');
    for (; *s; s++) {
        if (*s == '\'')
            brig_buf_add(&b, "'\\''");
        else
            brig_buf_addc(&b, *s);
    }
    brig_buf_addc(&b, '\'');
    return brig_buf_steal(&b);
}

int brig_run(char *const argv[], char *const envp[], int *ret_status, char **ret_out,
             struct brig_err *err)
{
    posix_spawn_file_actions_t fa;
    int pipefd[2] = {-1, -1};
    pid_t pid;

    posix_spawn_file_actions_init(&fa);
    if (ret_out) {
        if (pipe2(pipefd, O_CLOEXEC) < 0) {
            posix_spawn_file_actions_destroy(&fa);
            return brig_err_sys(err, errno, "pipe");
        }
        posix_spawn_file_actions_adddup2(&fa, pipefd[1], STDOUT_FILENO);
        posix_spawn_file_actions_adddup2(&fa, pipefd[1], STDERR_FILENO);
    }
    int r = posix_spawnp(&pid, argv[0], &fa, NULL, argv, envp ? envp : environ);
    posix_spawn_file_actions_destroy(&fa);
    if (pipefd[1] >= 0)
        close(pipefd[1]);
    if (r != 0) {
        if (pipefd[0] >= 0)
            close(pipefd[0]);
        return brig_err_sys(err, r, "run %s", argv[0]);
    }
    if (ret_out) {
        struct brig_buf b = {0};
        char chunk[4096];
        ssize_t n;
        while ((n = read(pipefd[0], chunk, sizeof(chunk))) != 0) {
            if (n < 0) {
                if (errno == EINTR)
                    continue;
                break;
            }
            brig_buf_addn(&b, chunk, (size_t)n);
        }
        close(pipefd[0]);
        *ret_out = brig_buf_steal(&b);
    }
    int status;
    while (waitpid(pid, &status, 0) < 0) {
        if (errno != EINTR)
            return brig_err_sys(err, errno, "wait %s", argv[0]);
    }
    *ret_status = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    return 0;
}

uint64_t brig_now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}
