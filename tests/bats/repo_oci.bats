#!/usr/bin/env bats
# brig repo action=get sources=oci: OCI image layouts (made here with umoci)
# and docker-archives (made here by hand) as bases; layers stored once;
# whiteouts; the image config as the jail's defaults; hostile images refused
# with nothing left behind.

load lifecycle_helper

setup() {
    brig_setup
    command -v umoci >/dev/null || skip "umoci is not installed"
    T="$BATS_TEST_TMPDIR"
}

teardown() {
    life_teardown
}

# A busybox rootfs in $T/rootfs with files the second layer hides.
make_rootfs() {
    local r="$T/rootfs"
    mkdir -p "$r/bin" "$r/etc" "$r/data" "$r/tmp"
    chmod 1777 "$r/tmp"
    cp /bin/busybox "$r/bin/busybox"
    for c in sh cat echo ls pwd id; do ln -sf busybox "$r/bin/$c"; done
    echo "marker" >"$r/etc/marker"
    echo "gone" >"$r/etc/gone"
    echo "old" >"$r/data/old"
    printf 'root:x:0:0:root:/root:/bin/sh\nweb:x:33:33:web:/srv:/bin/sh\n' >"$r/etc/passwd"
    printf 'root:x:0:\nweb:x:33:\n' >"$r/etc/group"
}

# A layer tar in $1 from python's tarfile: lines of "f PATH [DATA]", "d PATH",
# "l PATH TARGET" (symlink), "h PATH TARGET" (hard link), "c PATH" (char device).
make_layer() {
    local out=$1
    shift
    python3 - "$out" "$@" <<'PY'
import io, sys, tarfile
with tarfile.open(sys.argv[1], "w", format=tarfile.PAX_FORMAT) as t:
    for spec in sys.argv[2:]:
        kind, path, *rest = spec.split(" ", 2)
        i = tarfile.TarInfo(path)
        i.mode = 0o755 if kind == "d" else 0o644
        data = None
        if kind == "f":
            data = (rest[0] if rest else "").encode()
            i.size = len(data)
        elif kind == "d":
            i.type = tarfile.DIRTYPE
        elif kind == "l":
            i.type, i.linkname = tarfile.SYMTYPE, rest[0]
        elif kind == "h":
            i.type, i.linkname = tarfile.LNKTYPE, rest[0]
        elif kind == "c":
            i.type, i.devmajor, i.devminor = tarfile.CHRTYPE, 1, 3
        t.addfile(i, io.BytesIO(data) if data is not None else None)
PY
}

# An OCI layout $T/img tagged v1: the busybox rootfs, then a layer with a
# whiteout (etc/gone) and an opaque directory (data: only data/new stays),
# an Entrypoint and Cmd, Env, WorkingDir.
make_oci() {
    make_rootfs
    umoci init --layout "$T/img"
    umoci new --image "$T/img:v1"
    umoci unpack --image "$T/img:v1" "$T/bundle" >/dev/null
    cp -a "$T/rootfs/." "$T/bundle/rootfs/"
    umoci repack --image "$T/img:v1" "$T/bundle"
    make_layer "$T/l2.tar" "f etc/.wh.gone" "d data" "f data/.wh..wh..opq" "f data/new new"
    umoci raw add-layer --image "$T/img:v1" "$T/l2.tar"
    umoci config --image "$T/img:v1" --config.entrypoint /bin/sh --config.cmd=-c \
        --config.cmd 'echo "$GREETING" from $(pwd) as $(id -u) >/tmp/ran' \
        --config.env 'GREETING=hello world' --config.workingdir /data \
        --config.exposedports 8080/tcp
}

# The blob of layer $2 (1-based) of image layout $1 tagged v1.
layer_blob() {
    local m
    m=$(jq -r '.manifests[0].digest' "$1/index.json" | cut -d: -f2)
    echo "$1/blobs/sha256/$(jq -r ".layers[$(($2 - 1))].digest" "$1/blobs/sha256/$m" | cut -d: -f2)"
}

# Nothing of a failed import: no base, no staging dir, no stored layer.
assert_nothing_left() {
    run ls -A "$W/basejail"
    [ -z "$(ls -A "$W/basejail" | grep -v '^\.layers$')" ] || { ls -la "$W/basejail"; return 1; }
    [ -z "$(ls -A "$W/basejail/.layers/sha256" 2>/dev/null)" ] || {
        ls -la "$W/basejail/.layers/sha256"
        return 1
    }
    [ -z "$(ls -A "$W/basejail/.layers" 2>/dev/null | grep -v -e '^sha256$' -e '^\.lock$')" ]
}

# A hostile import: exit 2, one line naming why, nothing created.
refused() {
    local want=$1
    shift
    local before after
    before=$(db_dump)
    run brig repo action=get sources=oci "$@"
    after=$(db_dump)
    echo "$output"
    [ "$status" -eq 2 ]
    [ "${#lines[@]}" -eq 1 ]
    [[ "$output" == *"$want"* ]]
    [ "$before" = "$after" ]
    assert_nothing_left
}

@test "an OCI layout becomes a base named after it, whiteouts and opaque directories applied" {
    make_oci
    ok brig repo action=get sources=oci image=oci:$T/img:v1
    [[ "${lines[0]}" =~ ^base\ img-v1:\ layer\ sha256:[0-9a-f]{64}:\ unpacked$ ]]
    [[ "${lines[1]}" =~ ^base\ img-v1:\ layer\ sha256:[0-9a-f]{64}:\ unpacked$ ]]
    same "${lines[2]}" "base img-v1: ready" "last line"
    local b="$W/basejail/img-v1"
    [ -x "$b/bin/busybox" ]
    same "$(cat "$b/etc/marker")" marker "lower layer file"
    [ ! -e "$b/etc/gone" ]
    [ ! -e "$b/data/old" ]
    same "$(cat "$b/data/new")" new "opaque dir's own file"
    [ ! -e "$b/etc/.wh.gone" ]
    [ ! -e "$b/data/.wh..wh..opq" ]
    ok brig repo action=list --json
    local manifest
    manifest=$(jq -r '.manifests[0].digest' "$T/img/index.json")
    same "$(echo "$output" | jq -r '.[] | select(.base == "img-v1") | .kind')" oci "kind"
    same "$(echo "$output" | jq -r '.[] | select(.base == "img-v1") | .origin')" \
        "oci:$T/img:v1@$manifest" "origin"
    ok brig repo action=get sources=oci image=oci:$T/img:v1
    same "$output" "base img-v1: already present" "again"
}

@test "a jail on an OCI base runs the image's Entrypoint and Cmd with its Env and WorkingDir" {
    make_oci
    ok brig repo action=get sources=oci image=oci:$T/img:v1 base=web
    ok brig jcreate jname=${P}oc1 base=web ip4_addr=0
    ok brig jget jname=${P}oc1 exec_start exec_env exec_cwd exec_user
    same "${lines[0]}" "exec_start: /bin/sh -c 'echo \"\$GREETING\" from \$(pwd) as \$(id -u) >/tmp/ran'" "exec_start"
    same "${lines[1]}" "exec_env: 'GREETING=hello world'" "exec_env"
    same "${lines[2]}" "exec_cwd: /data" "exec_cwd"
    ok brig jstart jname=${P}oc1
    ok brig jexec jname=${P}oc1 -- cat /tmp/ran
    same "$output" "hello world from /data as 0" "what the image's command wrote"
    ok brig jexec jname=${P}oc1 -- ls /data
    same "$output" "new" "the jail sees the whiteouts applied"
}

@test "exec_user, exec_env and exec_cwd given at jcreate win over the image's" {
    make_oci
    ok brig repo action=get sources=oci image=oci:$T/img:v1
    ok brig jcreate jname=${P}oc2 base=img-v1 ip4_addr=0 exec_user=web "exec_env=GREETING=bye" exec_cwd=/tmp
    ok brig jstart jname=${P}oc2
    ok brig jexec jname=${P}oc2 -- cat /tmp/ran
    same "$output" "bye from /tmp as 33" "overridden"
    assert_rejected 2 "exec_env" brig jcreate jname=${P}oc3 base=img-v1 ip4_addr=0 "exec_env=1BAD=x"
    assert_rejected 2 "exec_cwd" brig jcreate jname=${P}oc3 base=img-v1 ip4_addr=0 exec_cwd=rel
    # a group is taken as a number only: a name is refused where it is given, not at jstart
    assert_rejected 2 "exec_user: give the group 'staff' as a number" \
        brig jcreate jname=${P}oc3 base=img-v1 ip4_addr=0 exec_user=web:staff
    assert_rejected 2 "exec_user: give the group 'staff' as a number" \
        brig jset jname=${P}oc2 exec_user=web:staff
}

@test "layers shared by two images are unpacked once and their files are one inode" {
    make_oci
    umoci unpack --image "$T/img:v1" "$T/b2" >/dev/null
    echo two >"$T/b2/rootfs/etc/two"
    umoci repack --image "$T/img:v2" "$T/b2"
    ok brig repo action=get sources=oci image=oci:$T/img:v1
    ok brig repo action=get sources=oci image=oci:$T/img:v2
    [[ "${lines[0]}" =~ ^base\ img-v2:\ layer\ sha256:[0-9a-f]{64}:\ reused$ ]]
    [[ "${lines[1]}" =~ ^base\ img-v2:\ layer\ sha256:[0-9a-f]{64}:\ reused$ ]]
    [[ "${lines[2]}" =~ ^base\ img-v2:\ layer\ sha256:[0-9a-f]{64}:\ unpacked$ ]]
    same "$(cat "$W/basejail/img-v2/etc/two")" two "the new layer"
    same "$(stat -c %i "$W/basejail/img-v1/bin/busybox")" \
        "$(stat -c %i "$W/basejail/img-v2/bin/busybox")" "one inode"
    same "$(stat -c %h "$W/basejail/img-v1/bin/busybox")" 3 "store + two bases"
    same "$(ls "$W/basejail/.layers/sha256" | wc -l)" 3 "layers stored"
    ok brig repo action=remove base=img-v2
    same "$(ls "$W/basejail/.layers/sha256" | wc -l)" 2 "the unshared layer went with its base"
    ok brig repo action=remove base=img-v1
    same "$(ls "$W/basejail/.layers/sha256" | wc -l)" 0 "no base, no layer"
}

@test "a docker-archive made by hand becomes a base whose jail runs its Cmd" {
    make_rootfs
    local d="$T/dock" l1 cfg
    mkdir -p "$d/layer1"
    tar -C "$T/rootfs" -cf "$d/layer1/layer.tar" .
    l1=$(sha256sum "$d/layer1/layer.tar" | cut -d' ' -f1)
    cat >"$d/config.json" <<EOF
{"architecture":"amd64","os":"linux",
 "config":{"Cmd":["/bin/sh","-c","echo docker \$GREETING >/tmp/ran"],"Env":["GREETING=hi"]},
 "rootfs":{"type":"layers","diff_ids":["sha256:$l1"]}}
EOF
    cfg=$(sha256sum "$d/config.json" | cut -d' ' -f1)
    mv "$d/config.json" "$d/$cfg.json"
    echo "[{\"Config\":\"$cfg.json\",\"RepoTags\":[\"example.org/hand/made:1\"],\"Layers\":[\"layer1/layer.tar\"]}]" >"$d/manifest.json"
    tar -C "$d" -cf "$T/image.tar" manifest.json "$cfg.json" layer1/layer.tar
    ok brig repo action=get sources=oci image=docker-archive:$T/image.tar
    same "${lines[1]}" "base made-1: ready" "named after its tag"
    ok brig repo action=list --json
    same "$(echo "$output" | jq -r '.[] | select(.base == "made-1") | .origin')" \
        "docker-archive:$T/image.tar@sha256:$cfg" "origin"
    ok brig jcreate jname=${P}dk1 base=made-1 ip4_addr=0
    ok brig jstart jname=${P}dk1
    ok brig jexec jname=${P}dk1 -- cat /tmp/ran
    same "$output" "docker hi" "the Cmd ran"
    # a layer whose bytes are not its diff_id (its base gone, so it is read again)
    ok brig jremove jname=${P}dk1 force=1
    ok brig repo action=remove base=made-1
    echo x >>"$d/layer1/layer.tar"
    tar -C "$d" -cf "$T/bad.tar" manifest.json "$cfg.json" layer1/layer.tar
    run brig repo action=get sources=oci image=docker-archive:$T/bad.tar base=bad
    echo "$output"
    [ "$status" -eq 2 ]
    [[ "$output" == *"diff_id mismatch"* ]]
    [ ! -e "$W/basejail/bad" ]
}

# A small layout of one or two gzip layers, written by python: the layers
# given as tar files, a valid config; $T/hostile.
make_layout() {
    python3 - "$T/hostile" "$@" <<'PY'
import gzip, hashlib, json, os, sys
out, tars = sys.argv[1], sys.argv[2:]
os.makedirs(out + "/blobs/sha256", exist_ok=True)
def blob(data):
    h = hashlib.sha256(data).hexdigest()
    open(f"{out}/blobs/sha256/{h}", "wb").write(data)
    return h
layers, diffs = [], []
for t in tars:
    raw = open(t, "rb").read()
    gz = gzip.compress(raw)
    layers.append({"mediaType": "application/vnd.oci.image.layer.v1.tar+gzip",
                   "digest": "sha256:" + blob(gz), "size": len(gz)})
    diffs.append("sha256:" + hashlib.sha256(raw).hexdigest())
cfg = json.dumps({"architecture": "amd64", "os": "linux", "config": {"Cmd": ["/bin/true"]},
                  "rootfs": {"type": "layers", "diff_ids": diffs}}).encode()
man = json.dumps({"schemaVersion": 2, "mediaType": "application/vnd.oci.image.manifest.v1+json",
                  "config": {"mediaType": "application/vnd.oci.image.config.v1+json",
                             "digest": "sha256:" + blob(cfg), "size": len(cfg)},
                  "layers": layers}).encode()
mh = blob(man)
json.dump({"schemaVersion": 2, "manifests": [{"mediaType": "application/vnd.oci.image.manifest.v1+json",
           "digest": "sha256:" + mh, "size": len(man)}]}, open(out + "/index.json", "w"))
open(out + "/oci-layout", "w").write('{"imageLayoutVersion":"1.0.0"}')
PY
}

@test "hostile layers are refused and leave nothing: escapes, symlinks, devices, hard links" {
    make_layer "$T/good.tar" "d etc" "f etc/ok fine"
    make_layer "$T/dotdot.tar" "f ../escaped x"
    make_layout "$T/good.tar" "$T/dotdot.tar"
    refused "'..' component" image=oci:$T/hostile base=h1
    [ ! -e "$W/basejail/escaped" ] && [ ! -e "$T/escaped" ]

    rm -rf "$T/hostile"
    make_layer "$T/abs.tar" "f /etc/abs x"
    make_layout "$T/good.tar" "$T/abs.tar"
    refused "absolute path" image=oci:$T/hostile base=h2

    rm -rf "$T/hostile"
    mkdir -p "$T/outside"
    make_layer "$T/sym.tar" "l evil $T/outside" "f evil/planted x"
    make_layout "$T/good.tar" "$T/sym.tar"
    refused "planted" image=oci:$T/hostile base=h3
    [ ! -e "$T/outside/planted" ]

    rm -rf "$T/hostile"
    make_layer "$T/dev.tar" "c dev/null"
    make_layout "$T/good.tar" "$T/dev.tar"
    refused "device node" image=oci:$T/hostile base=h4

    rm -rf "$T/hostile"
    make_layer "$T/hard.tar" "h etc/shadow ../../../../etc/shadow"
    make_layout "$T/good.tar" "$T/hard.tar"
    refused "hard link" image=oci:$T/hostile base=h5
}

@test "damaged images are refused and leave nothing: digest, truncation, missing blob, bad JSON" {
    make_layer "$T/a.tar" "d etc" "f etc/a a"
    make_layer "$T/b.tar" "f etc/b b"
    make_layout "$T/a.tar" "$T/b.tar"
    cp -a "$T/hostile" "$T/pristine"
    local blob
    blob=$(layer_blob "$T/hostile" 2)
    printf 'X' | dd of="$blob" bs=1 seek=20 conv=notrunc 2>/dev/null
    refused "mismatch" image=oci:$T/hostile base=d1

    rm -rf "$T/hostile" && cp -a "$T/pristine" "$T/hostile"
    blob=$(layer_blob "$T/hostile" 2)
    truncate -s 10 "$blob"
    refused "bytes, its descriptor says" image=oci:$T/hostile base=d2

    rm -rf "$T/hostile" && cp -a "$T/pristine" "$T/hostile"
    rm "$(layer_blob "$T/hostile" 2)"
    refused "missing from the image" image=oci:$T/hostile base=d3

    rm -rf "$T/hostile" && cp -a "$T/pristine" "$T/hostile"
    echo '{"schemaVersion":2,"manifests":[' >"$T/hostile/index.json"
    refused "bad JSON" image=oci:$T/hostile base=d4

    refused "give oci:DIR" image=tarball:$T/hostile base=d5
    ok brig repo action=get sources=oci image=oci:$T/pristine base=fine
    [ -e "$W/basejail/fine/etc/b" ]
}
