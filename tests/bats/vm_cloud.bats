#!/usr/bin/env bats
# A real cloud-init reads brig's NoCloud seed: the Debian 12 image that
# tests/fixtures/vm-cloud-image.sh makes once (debootstrap, Debian's cloud
# kernel, cloud-init, openssh-server) boots under TCG from its own kernel and
# initrd with a seed written by brig_cidata_write, and takes the seed's host
# name, user with its SSH key, and static address. Proved through cloud-init's
# own console output and an ssh login as that user, all on a bridge inside the
# test's private namespace.
# Runtime: slow (one boot of a full Debian under TCG). BRIG_SLOW=0 skips it.

load helper
load vm_fixture_helper

setup() {
    brig_require_netns
    [ "${BRIG_SLOW:-1}" != 0 ] || skip "slow test (BRIG_SLOW=0)"
    IMG_DIR=$VM_FIXTURES/vm-cloud
    vm_need_fixture "$IMG_DIR/debian12.raw" tests/fixtures/vm-cloud-image.sh
    command -v ssh >/dev/null || skip "no ssh client"
}

teardown() {
    vm_teardown
}

@test "slow: cloud-init in a Debian image applies brig's seed: host name, user with its ssh key, static address" {
    vm_bridge 10.79.0.1/24
    ssh-keygen -q -t ed25519 -N "" -C alice@test -f "$BATS_TEST_TMPDIR/key"
    "$CIDATA_TOOL" "$BATS_TEST_TMPDIR/seed.iso" instance_id=iid-cloud1 hostname=cloudvm \
        user=alice "pubkey=$(cat "$BATS_TEST_TMPDIR/key.pub")" ip4_addr=10.79.0.10/24 \
        gw4=10.79.0.1 nameserver=10.79.0.1 mac=02:00:00:79:00:10
    # the cached image stays untouched: the guest's writes go to a snapshot
    # shellcheck disable=SC2046
    VM_RAM=1024 vm_start "$IMG_DIR/vmlinuz" "$IMG_DIR/initrd.img" "root=/dev/vda rw" \
        -drive "file=$IMG_DIR/debian12.raw,format=raw,if=virtio,snapshot=on" \
        $(vm_nic_args 02:00:00:79:00:10) \
        -drive "file=$BATS_TEST_TMPDIR/seed.iso,media=cdrom,readonly=on"
    # cloud-init's last stage reports on the console when it is done
    vm_wait_for " finished at " 1500
    # the seed was its data source, and the NIC got the seed's address
    grep -q "Cloud-init v\. .* finished at .* Datasource DataSourceNoCloud" "$VM_LOG"
    tr -d '\r' <"$VM_LOG" | grep -q "ci-info: .*| *[a-z0-9]* *| *True *| *10\.79\.0\.10 *| *255\.255\.255\.0 *|"
    local i out=""
    for ((i = 0; i < 30; i++)); do
        out=$(ssh -i "$BATS_TEST_TMPDIR/key" -o BatchMode=yes -o StrictHostKeyChecking=no \
            -o UserKnownHostsFile=/dev/null -o ConnectTimeout=10 -o LogLevel=ERROR \
            alice@10.79.0.10 'hostname; id -un; ip -4 -o addr show; ip route; sudo -n id -u') && break
        sleep 5
    done
    echo "$out"
    [ "$(sed -n 1p <<<"$out")" = cloudvm ]
    [ "$(sed -n 2p <<<"$out")" = alice ]
    grep -q "inet 10\.79\.0\.10/24 " <<<"$out"
    grep -q "^default via 10\.79\.0\.1 " <<<"$out"
    [ "$(tail -n 1 <<<"$out")" = 0 ]
}
