#!/bin/sh
# Install what brig needs to build and test on Debian 12 (run as root).
set -eu
pkgs="meson ninja-build pkg-config gcc libc6-dev clang clang-format libclang-rt-14-dev
  libsqlite3-dev libnl-route-3-dev libarchive-dev libcurl4-openssl-dev libseccomp-dev
  libcap-dev libnftables-dev libcmocka-dev libssl-dev bats busybox-static dnsmasq-base
  iproute2 nftables util-linux procps sqlite3 debootstrap jq mandoc attr
  qemu-system-x86 qemu-utils socat cpio e2fsprogs openssh-client openssh-server
  libjson-c-dev runc podman umoci containerd"
missing=""
for p in $pkgs; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" || missing="$missing $p"
done
if [ -n "$missing" ]; then
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    # shellcheck disable=SC2086
    apt-get install -y -qq --no-install-recommends $missing >/dev/null
fi
