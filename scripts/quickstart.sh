#!/bin/sh
# brig's quick start: install what it needs, build, and run its main job on the
# embedded defaults (SQLite, a busybox base built from the host: no downloads).
# The demo runs in a private network and mount namespace, so it leaves the
# host's network as it found it.
set -eu
cd "$(dirname "$0")/.."
[ "$(id -u)" = 0 ] || { echo "run as root (jails need it)" >&2; exit 2; }
sh scripts/install-deps.sh
[ -d build ] || meson setup build --buildtype=release >/dev/null
ninja -C build >/dev/null
if [ "${BRIG_NETNS_INNER:-}" != 1 ]; then
    exec tests/netns-run.sh env BRIG_NETNS_INNER=1 sh "$0"
fi
brig=$(pwd)/build/cli/brig
export BRIG_WORKDIR="${BRIG_WORKDIR:-/tmp/brig-quickstart}"
rm -rf "$BRIG_WORKDIR"
set -x
"$brig" initenv
"$brig" inventory
"$brig" repo action=get sources=base base=busybox
"$brig" jcreate jname=web1 vnet=1 ip4_addr=DHCP
"$brig" jcreate jname=web2 vnet=1 ip4_addr=DHCP
"$brig" jstart jname='web*'
"$brig" jls
"$brig" jexec jname=web1 -- /bin/sh -c 'hostname; id; cat /proc/self/uid_map; ip -4 -o addr show eth0; ps'
"$brig" jexec jname=web1 -- ping -c 1 -W 1 "$("$brig" jget jname=web2 ip4_addr | sed 's/.*: //; s,/.*,,')"
"$brig" jstop jname='web*'
"$brig" jls
