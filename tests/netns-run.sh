#!/bin/sh
# Run a command inside a private network, mount and pid namespace made for it:
# every bridge, veth, jail and DHCP server a test makes lives and dies there,
# and nothing reaches the machine's real network.
set -eu
if [ "${BRIG_NETNS_INNER:-}" != 1 ]; then
    BRIG_NETNS_INNER=1 exec unshare --net --mount --pid --fork --mount-proc --propagation private \
        -- "$0" "$@"
fi
# sysfs still shows the old network namespace until mounted again; keep the
# cgroup hierarchies that sit on top of it.
mkdir -p /run/brig-test-cg
mount --rbind /sys/fs/cgroup /run/brig-test-cg
mount -t sysfs sysfs /sys
mount --move /run/brig-test-cg /sys/fs/cgroup
mount -t tmpfs tmpfs /run/brig-test-cg
# Unprivileged jails register their id ranges in /etc/subuid and /etc/subgid:
# the tests' registrations stay in private copies.
for f in /etc/subuid /etc/subgid; do
    [ -e "$f" ] || : >"$f"
    cp "$f" "/run/brig-test-cg/${f##*/}"
    mount --bind "/run/brig-test-cg/${f##*/}" "$f"
done
ip link set lo up
export BRIG_IN_NETNS=1
exec "$@"
