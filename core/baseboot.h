/* How a base starts and stops: the defaults of exec_start, exec_stop,
 * exec_init and stop_signal for a jail made from it, read from the base's
 * own root. */
#ifndef BRIG_BASEBOOT_H
#define BRIG_BASEBOOT_H

/* One row of what a base carries; strings are static. */
struct brig_base_boot {
    const char *kind;        /* "rc", "systemd", "sysv-rc" or "none" */
    const char *exec_start;  /* run by brig's init at start ("" with exec_init) */
    const char *exec_stop;   /* run by brig's init at stop ("" with exec_init) */
    const char *exec_init;   /* exec'd as the jail's pid 1; "" keeps brig's init */
    const char *stop_signal; /* what jstop sends the jail's init */
};

/* The start and stop of the base whose root is basedir: brig's /etc/rc when
 * the base has one (busybox) or is not there yet; else systemd as pid 1 when
 * /sbin/init is the base's systemd; else the base's SysV rc scripts when it
 * has them; else nothing to run. Symbolic links are followed inside basedir,
 * as they resolve in the jail. */
const struct brig_base_boot *brig_base_boot_detect(const char *basedir);

#endif
