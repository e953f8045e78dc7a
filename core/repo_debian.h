/* Debian bases: suites by base name, debootstrap's argv and its progress
 * stream, and the mirror a Debian host already uses. */
#ifndef BRIG_REPO_DEBIAN_H
#define BRIG_REPO_DEBIAN_H

#include <stdbool.h>
#include <stdint.h>

#include "err.h"

/* What a Debian base holds beyond minbase: an init system for a system
 * container (systemd as pid 1, dbus for its tools), ip and ps. */
#define BRIG_DEBIAN_INCLUDE "systemd-sysv,dbus,iproute2,procps"

/* The suite base name stands for: debian11 bullseye, debian12 bookworm,
 * debian13 trixie, and debian (the alias of debian12) bookworm unless
 * suite is given. NULL with BRIG_EUSAGE for any other name or a suite given
 * with a numbered name. *ret_known is false when base is not a Debian name. */
const char *brig_debian_suite(const char *base, const char *suite, bool *ret_known,
                              struct brig_err *err);
/* The base names brig knows, for a message: "debian11, debian12, debian13". */
const char *brig_debian_names(void);

/* Reading debootstrap's --debian-installer stream (fd 3), one line at a time:
 * "P: now end [NAME]" with "PA:"/"PF:" lines naming the phase, and
 * "I:"/"W:"/"E:" messages with "xA:" arguments and an "xF:" format. */
struct brig_dbs {
    char phase[96];    /* the current phase, formatted ("Downloading packages") */
    uint64_t done;     /* progress within the phase */
    uint64_t total;    /* 0 when unknown */
    char message[256]; /* the last complete message, "I: Retrieving zlib1g" */
    char error[256];   /* the last E: message, formatted */
    char kind;         /* 'P', 'I', 'W' or 'E' while lines of one record arrive */
    char *args[8];
    int nargs;
};
enum {
    BRIG_DBS_PROGRESS = 1, /* phase, done or total changed */
    BRIG_DBS_MESSAGE = 2,  /* message holds a new message */
};
/* Feed one line (without its newline); returns a mask of BRIG_DBS_*. */
int brig_dbs_feed(struct brig_dbs *d, const char *line);
void brig_dbs_free(struct brig_dbs *d);

/* The URI of the Debian archive in apt's sources: the first enabled "deb"
 * entry with suite codename and component main (text: sources.list lines,
 * or deb822 stanzas when deb822). NULL when there is none. */
char *brig_apt_mirror_parse(const char *text, bool deb822, const char *codename);
/* The mirror a Debian host's apt uses (root: "" for the host, else a tree
 * holding etc/os-release and etc/apt), or NULL when the host is not Debian
 * or names none. */
char *brig_debian_host_mirror(const char *root);

#endif
