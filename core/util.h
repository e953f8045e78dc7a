/* Small helpers every module uses: memory that aborts on exhaustion, scoped
 * cleanup, files written atomically, and running programs from an argv. */
#ifndef BRIG_UTIL_H
#define BRIG_UTIL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "err.h"

#define BRIG_ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

void *brig_xmalloc(size_t n);
void *brig_xcalloc(size_t n, size_t size);
void *brig_xrealloc(void *p, size_t n);
char *brig_xstrdup(const char *s);
char *brig_xstrndup(const char *s, size_t n);
char *brig_xasprintf(const char *fmt, ...) BRIG_PRINTF(1, 2);

void brig_freep(void *p);
void brig_closep(int *fd);
void brig_fclosep(void *f);
void brig_strvfreep(void *p);
#define _cleanup_free_   __attribute__((cleanup(brig_freep)))
#define _cleanup_close_  __attribute__((cleanup(brig_closep)))
#define _cleanup_fclose_ __attribute__((cleanup(brig_fclosep)))
#define _cleanup_strv_   __attribute__((cleanup(brig_strvfreep)))

/* Hand ownership of *p to the caller and leave NULL behind. */
#define brig_steal(p)                                                                              \
    ({                                                                                             \
        __typeof__(*(p)) steal_tmp_ = *(p);                                                        \
        *(p) = NULL;                                                                               \
        steal_tmp_;                                                                                \
    })
#define brig_steal_fd(p)                                                                           \
    ({                                                                                             \
        int steal_fd_ = *(p);                                                                      \
        *(p) = -1;                                                                                 \
        steal_fd_;                                                                                 \
    })

/* NULL-terminated string vectors. */
size_t brig_strv_len(char *const *v);
void brig_strv_push(char ***v, const char *s);
bool brig_strv_contains(char *const *v, const char *s);
/* The path of the running program (malloc'ed), or NULL with errno. */
char *brig_self_exe(void);
/* brig's own program name: beside this brig (the build tree), else in its
 * libexec directory; NULL when neither has it. */
char *brig_program_path(const char *name);
/* Push s unless *v has it already. */
void brig_strv_push_unique(char ***v, const char *s);
void brig_strv_free(char **v);

/* Growable string buffer. */
struct brig_buf {
    char *s;
    size_t len, cap;
};
void brig_buf_add(struct brig_buf *b, const char *s);
void brig_buf_addn(struct brig_buf *b, const char *s, size_t n);
void brig_buf_addf(struct brig_buf *b, const char *fmt, ...) BRIG_PRINTF(2, 3);
void brig_buf_addc(struct brig_buf *b, char c);
char *brig_buf_steal(struct brig_buf *b);
void brig_buf_free(struct brig_buf *b);

bool brig_streq(const char *a, const char *b);
/* The same ignoring case (keywords such as DHCP); NULL equals nothing. */
bool brig_strcaseeq(const char *a, const char *b);
bool brig_startswith(const char *s, const char *prefix);
/* Whether s holds a control character (below ' ', or DEL). */
bool brig_str_has_control(const char *s);
/* Each control character of s replaced with '?', in place, so that a value
 * quoted in a message keeps it one line; returns s. */
char *brig_str_uncontrol(char *s);

/* mkdir -p with the given mode for each created component. */
int brig_mkdir_p(const char *path, mode_t mode, struct brig_err *err);
/* brig_mkdir_p, then make path a directory of brig's user with exactly mode
 * (an existing one is changed; a symbolic link is refused). */
int brig_dir_own(const char *path, mode_t mode, struct brig_err *err);
/* Write data to path through a temp file and rename, so readers never see half. */
int brig_write_file_atomic(const char *path, const char *data, size_t len, mode_t mode,
                           struct brig_err *err);
/* Read a whole file (at most max bytes) into a NUL-terminated string. */
int brig_read_file(const char *path, size_t max, char **ret_data, size_t *ret_len,
                   struct brig_err *err);
/* Remove a tree without crossing mount points; missing path is success. */
int brig_rm_rf(const char *path, struct brig_err *err);
/* brig_rm_rf of name in the directory dirfd, never following a link, never
 * leaving dirfd's file system. */
int brig_rm_rf_at(int dirfd, const char *name, struct brig_err *err);
bool brig_path_exists(const char *path);

/* Quote s for a POSIX shell, for printing commands a person can paste. */
char *brig_shell_quote(const char *s);

/* Run argv (argv[0] searched in PATH) with envp (NULL: inherit), wait, and
 * return its exit status in *ret_status (-1 if killed by a signal). Output is
 * captured into *ret_out when ret_out is non-NULL, else inherited. */
int brig_run(char *const argv[], char *const envp[], int *ret_status, char **ret_out,
             struct brig_err *err);

/* Monotonic clock in nanoseconds. */
uint64_t brig_now_ns(void);

#endif
