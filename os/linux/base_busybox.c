#define _GNU_SOURCE
#include "base_busybox.h"

#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "util.h"

#define BUSYBOX_MAX_SIZE (64u << 20)

static const struct {
    const char *path;
    mode_t mode;
} busybox_dirs[] = {
    {"bin", 0755},
    {"sbin", 0755},
    {"usr", 0755},
    {"usr/bin", 0755},
    {"usr/sbin", 0755},
    {"usr/share", 0755},
    {"usr/share/udhcpc", 0755},
    {"etc", 0755},
    {"etc/rc.d", 0755},
    {"etc/udhcpc", 0755},
    {"root", 0700},
    {"home", 0755},
    {"tmp", 01777},
    {"var", 0755},
    {"var/run", 0755},
    {"var/log", 0755},
    {"var/tmp", 01777},
    {"run", 0755},
    {"mnt", 0755},
    {"dev", 0755},
    {"proc", 0555},
    {"sys", 0555},
};

static const char busybox_rc[] =
    "#!/bin/sh\n"
    "# Runs when the jail starts. brig has mounted /proc and /dev and brought\n"
    "# the network up (lo and ethN of a VNET jail) already.\n"
    "PATH=/sbin:/bin:/usr/sbin:/usr/bin\n"
    "export PATH\n"
    "for f in /etc/rc.d/*; do\n"
    "\t[ -x \"$f\" ] && \"$f\" start\n"
    "done\n"
    "if [ -x /etc/rc.local ]; then\n"
    "\t/etc/rc.local\n"
    "fi\n"
    "h=jail\n"
    "[ -r /proc/sys/kernel/hostname ] && read -r h </proc/sys/kernel/hostname\n"
    "echo \"rc: $h is up\"\n"
    "exit 0\n";

static const char busybox_rc_shutdown[] =
    "#!/bin/sh\n"
    "# Runs when the jail stops: the scripts of /etc/rc.d in reverse order.\n"
    "PATH=/sbin:/bin:/usr/sbin:/usr/bin\n"
    "export PATH\n"
    "if [ -x /etc/rc.shutdown.local ]; then\n"
    "\t/etc/rc.shutdown.local\n"
    "fi\n"
    "scripts=\n"
    "for f in /etc/rc.d/*; do\n"
    "\t[ -x \"$f\" ] && scripts=\"$f $scripts\"\n"
    "done\n"
    "for f in $scripts; do\n"
    "\t\"$f\" stop\n"
    "done\n"
    "h=jail\n"
    "[ -r /proc/sys/kernel/hostname ] && read -r h </proc/sys/kernel/hostname\n"
    "echo \"rc: $h is going down\"\n"
    "exit 0\n";

static const char busybox_udhcpc_script[] =
    "#!/bin/sh\n"
    "# udhcpc event script: applies the lease to $interface with ip(8).\n"
    "PATH=/sbin:/bin:/usr/sbin:/usr/bin\n"
    "RESOLV_CONF=/etc/resolv.conf\n"
    "case \"$1\" in\n"
    "deconfig)\n"
    "\tip -4 addr flush dev \"$interface\"\n"
    "\tip link set \"$interface\" up\n"
    "\t;;\n"
    "bound|renew)\n"
    "\tip -4 addr flush dev \"$interface\"\n"
    "\tip -4 addr add \"$ip/${mask:-24}\" broadcast \"${broadcast:-+}\" dev \"$interface\"\n"
    "\tif [ -n \"$router\" ]; then\n"
    "\t\twhile ip -4 route del default dev \"$interface\" 2>/dev/null; do :; done\n"
    "\t\tfor r in $router; do\n"
    "\t\t\tip -4 route add default via \"$r\" dev \"$interface\" && break\n"
    "\t\tdone\n"
    "\tfi\n"
    "\tif [ -n \"$dns\" ]; then\n"
    "\t\ttmp=\"$RESOLV_CONF.udhcpc\"\n"
    "\t\t: > \"$tmp\"\n"
    "\t\t[ -n \"$domain\" ] && echo \"search $domain\" >> \"$tmp\"\n"
    "\t\tfor d in $dns; do\n"
    "\t\t\techo \"nameserver $d\" >> \"$tmp\"\n"
    "\t\tdone\n"
    "\t\tcat \"$tmp\" > \"$RESOLV_CONF\"\n"
    "\t\trm -f \"$tmp\"\n"
    "\tfi\n"
    "\t;;\n"
    "leasefail|nak)\n"
    "\techo \"udhcpc: $1 on $interface\" >&2\n"
    "\t;;\n"
    "esac\n"
    "exit 0\n";

/* root's password is locked ('*'): root needs none to use su or jlogin, and a
 * daemon started in the jail (telnetd, sshd) cannot be logged into as root
 * until someone sets one with passwd. */
static const struct {
    const char *path;
    mode_t mode;
    const char *text;
} busybox_files[] = {
    {"etc/passwd", 0644,
     "root:x:0:0:root:/root:/bin/sh\n"
     "nobody:x:65534:65534:nobody:/nonexistent:/bin/false\n"},
    {"etc/group", 0644, "root:x:0:\ntty:x:5:\nnogroup:x:65534:\n"},
    {"etc/shadow", 0600, "root:*:0:0:99999:7:::\nnobody:*:0:0:99999:7:::\n"},
    {"etc/hostname", 0644, "localhost\n"},
    {"etc/hosts", 0644, "127.0.0.1\tlocalhost\n::1\tlocalhost ip6-localhost ip6-loopback\n"},
    {"etc/resolv.conf", 0644, ""},
    {"etc/shells", 0644, "/bin/sh\n/bin/ash\n"},
    {"etc/profile", 0644,
     "export PATH=/sbin:/bin:/usr/sbin:/usr/bin\n"
     "export PS1='\\u@\\h:\\w\\$ '\n"
     "umask 022\n"
     "# busybox's shell runs its own applets before PATH, and its ping needs raw\n"
     "# sockets: /bin/ping is brig's, which needs none\n"
     "[ -x /bin/ping ] && [ ! -L /bin/ping ] && ping() { /bin/ping \"$@\"; }\n"},
    {"etc/os-release", 0644,
     "NAME=\"brig busybox\"\nID=busybox\nPRETTY_NAME=\"brig busybox base\"\n"},
    {"etc/rc", 0755, busybox_rc},
    {"etc/rc.shutdown", 0755, busybox_rc_shutdown},
    {"usr/share/udhcpc/default.script", 0755, busybox_udhcpc_script},
    /* Debian's busybox looks for the script here */
    {"etc/udhcpc/default.script", 0755, busybox_udhcpc_script},
};

static int write_all(int fd, const void *buf, size_t len)
{
    const char *p = buf;
    while (len > 0) {
        ssize_t n = write(fd, p, len);
        if (n < 0) {
            if (errno == EINTR)
                continue;
            return -1;
        }
        p += n;
        len -= (size_t)n;
    }
    return 0;
}

/* A statically linked ELF has no PT_INTERP program header. */
static int busybox_check_static(int fd, const char *path, struct brig_err *err)
{
    Elf64_Ehdr eh;
    if (pread(fd, &eh, sizeof(eh), 0) != (ssize_t)sizeof(eh) ||
        memcmp(eh.e_ident, ELFMAG, SELFMAG) != 0 || eh.e_ident[EI_CLASS] != ELFCLASS64 ||
        eh.e_phentsize != sizeof(Elf64_Phdr))
        return brig_err_set(err, BRIG_EFAIL, "%s is not a 64-bit ELF executable", path);
    for (unsigned i = 0; i < eh.e_phnum; i++) {
        Elf64_Phdr ph;
        off_t off = (off_t)eh.e_phoff + (off_t)i * (off_t)sizeof(ph);
        if (pread(fd, &ph, sizeof(ph), off) != (ssize_t)sizeof(ph))
            return brig_err_set(err, BRIG_EFAIL, "%s: truncated ELF program headers", path);
        if (ph.p_type == PT_INTERP)
            return brig_err_set(err, BRIG_EFAIL,
                                "%s is dynamically linked: apt-get install busybox-static", path);
    }
    return 0;
}

/* Copy the program open at src to path under rootfd, mode 0755. */
static int program_copy(int src, int rootfd, const char *path, struct brig_err *err)
{
    _cleanup_close_ int dst =
        openat(rootfd, path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0755);
    if (dst < 0)
        return brig_err_sys(err, errno, "create %s", path);
    char buf[1 << 16];
    off_t off = 0;
    for (;;) {
        ssize_t n = pread(src, buf, sizeof(buf), off);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0)
            return brig_err_sys(err, errno, "read %s", path);
        if (n == 0)
            break;
        if (write_all(dst, buf, (size_t)n) < 0)
            return brig_err_sys(err, errno, "write %s", path);
        off += n;
    }
    if (fchmod(dst, 0755) < 0)
        return brig_err_sys(err, errno, "chmod %s", path);
    return 0;
}

/* True for an applet path like "usr/sbin/ip": relative, no "." or ".." parts. */
static bool applet_path_ok(const char *p)
{
    if (!*p || *p == '/' || strstr(p, "//") || strstr(p, "/.") || p[0] == '.')
        return false;
    return strspn(p, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._-+[]/") ==
           strlen(p);
}

static int busybox_link_applets(int rootfd, const char *busybox, struct brig_err *err)
{
    _cleanup_strv_ char **argv = NULL;
    brig_strv_push(&argv, busybox);
    brig_strv_push(&argv, "--list-full");
    _cleanup_free_ char *out = NULL;
    int status;
    if (brig_run(argv, NULL, &status, &out, err) < 0)
        return -1;
    if (status != 0)
        return brig_err_set(err, BRIG_EFAIL, "%s --list-full failed with status %d", busybox,
                            status);
    size_t linked = 0;
    for (char *line = out, *next; line && *line; line = next) {
        next = strchr(line, '\n');
        if (next)
            *next++ = '\0';
        /* "linuxrc" has no directory, and bin/busybox is the binary itself. */
        if (!strchr(line, '/') || strcmp(line, "bin/busybox") == 0)
            continue;
        if (!applet_path_ok(line))
            return brig_err_set(err, BRIG_EFAIL, "busybox lists a strange applet path '%.80s'",
                                line);
        struct brig_buf target = {0};
        if (brig_startswith(line, "bin/") && !strchr(line + 4, '/')) {
            brig_buf_add(&target, "busybox");
        } else {
            for (const char *p = strchr(line, '/'); p; p = strchr(p + 1, '/'))
                brig_buf_add(&target, "../");
            brig_buf_add(&target, "bin/busybox");
        }
        int r = symlinkat(target.s, rootfd, line);
        int e = errno;
        brig_buf_free(&target);
        if (r < 0 && e != EEXIST)
            return brig_err_sys(err, e, "symlink %s", line);
        linked++;
    }
    if (linked == 0)
        return brig_err_set(err, BRIG_EFAIL, "%s --list-full listed no applets", busybox);
    return 0;
}

static int busybox_write_file(int rootfd, const char *path, mode_t mode, const char *text,
                              struct brig_err *err)
{
    _cleanup_close_ int fd =
        openat(rootfd, path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, mode);
    if (fd < 0)
        return brig_err_sys(err, errno, "create %s", path);
    if (write_all(fd, text, strlen(text)) < 0)
        return brig_err_sys(err, errno, "write %s", path);
    if (fchmod(fd, mode) < 0)
        return brig_err_sys(err, errno, "chmod %s", path);
    return 0;
}

/* bin/ping and bin/ping6: copies of ping (statically linked) instead of busybox's applet. */
static int ping_install(const char *ping, int rootfd, struct brig_err *err)
{
    _cleanup_close_ int src = open(ping, O_RDONLY | O_CLOEXEC);
    if (src < 0)
        return brig_err_sys(err, errno, "open %s", ping);
    if (busybox_check_static(src, ping, err) < 0)
        return -1;
    static const char *const names[] = {"bin/ping", "bin/ping6"};
    for (size_t i = 0; i < BRIG_ARRAY_SIZE(names); i++) {
        if (unlinkat(rootfd, names[i], 0) < 0 && errno != ENOENT)
            return brig_err_sys(err, errno, "remove %s", names[i]);
        if (program_copy(src, rootfd, names[i], err) < 0)
            return -1;
    }
    return 0;
}

int brig_busybox_populate(const char *busybox, const char *ping, const char *root,
                          struct brig_err *err)
{
    _cleanup_close_ int src = open(busybox, O_RDONLY | O_CLOEXEC);
    if (src < 0 && errno == ENOENT)
        return brig_err_set(err, BRIG_EFAIL,
                            "busybox-static is not installed: apt-get install busybox-static");
    if (src < 0)
        return brig_err_sys(err, errno, "open %s", busybox);
    struct stat st;
    if (fstat(src, &st) < 0)
        return brig_err_sys(err, errno, "stat %s", busybox);
    if (!S_ISREG(st.st_mode) || st.st_size > (off_t)BUSYBOX_MAX_SIZE)
        return brig_err_set(err, BRIG_EFAIL, "%s is not a busybox binary", busybox);
    if (busybox_check_static(src, busybox, err) < 0)
        return -1;

    _cleanup_close_ int rootfd = open(root, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    if (rootfd < 0)
        return brig_err_sys(err, errno, "open %s", root);
    for (size_t i = 0; i < BRIG_ARRAY_SIZE(busybox_dirs); i++) {
        const char *p = busybox_dirs[i].path;
        if (mkdirat(rootfd, p, busybox_dirs[i].mode) < 0 && errno != EEXIST)
            return brig_err_sys(err, errno, "mkdir %s", p);
        if (fchmodat(rootfd, p, busybox_dirs[i].mode, 0) < 0)
            return brig_err_sys(err, errno, "chmod %s", p);
    }
    if (program_copy(src, rootfd, "bin/busybox", err) < 0)
        return -1;
    if (busybox_link_applets(rootfd, busybox, err) < 0)
        return -1;
    if (ping && ping_install(ping, rootfd, err) < 0)
        return -1;
    for (size_t i = 0; i < BRIG_ARRAY_SIZE(busybox_files); i++) {
        if (busybox_write_file(rootfd, busybox_files[i].path, busybox_files[i].mode,
                               busybox_files[i].text, err) < 0)
            return -1;
    }
    if (symlinkat("../proc/mounts", rootfd, "etc/mtab") < 0)
        return brig_err_sys(err, errno, "symlink etc/mtab");
    return 0;
}
