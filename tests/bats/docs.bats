#!/usr/bin/env bats
# The manual pages and the bash completion stay true to the binary: every
# verb, jail parameter and brig.conf setting brig knows is documented, the
# pages are valid mdoc, and the completion offers what `brig VERB --help` lists.

bats_require_minimum_version 1.5.0
load helper
load foundation_helper

TOP=$BATS_TEST_DIRNAME/../..
MAN8=$TOP/man/brig.8
MAN5=$TOP/man/brig.conf.5
COMPLETION=$TOP/dist/brig.bash-completion

# The verbs `brig --help` lists.
help_verbs() {
    "$BRIG_BIN" --help | awk '/^verbs:/ { v = 1; next } v && /^  [a-z]/ { print $1 } v && /^$/ { v = 0 }'
}

# "name default" for each jail parameter `brig jcreate --help` lists.
help_params() {
    "$BRIG_BIN" jcreate --help |
        awk '/^jail parameters/ { p = 1; next } p && /^  [a-z]/ { n = $1; sub(/.*default: /, ""); print n, $0 }'
}

# Complete the command line $1 (cursor at its end) as bash would; one candidate a line.
complete_line() {
    run bash -c '
        source "$1"
        line=$2
        COMP_LINE=$line
        COMP_POINT=${#line}
        read -r -a COMP_WORDS <<<"$line"
        [[ $line == *" " ]] && COMP_WORDS+=("")
        COMP_CWORD=$((${#COMP_WORDS[@]} - 1))
        _brig 2>/dev/null
        printf "%s\n" "${COMPREPLY[@]}"' _ "$COMPLETION" "$1"
}

setup() {
    export BRIG_WORKDIR="$BATS_TEST_TMPDIR/none"
}

@test "brig.8 has an entry for every verb brig --help lists" {
    local v missing=
    for v in $(help_verbs); do
        grep -q "^\.It Cm $v\( \|$\)" "$MAN8" || missing+=" $v"
    done
    [ -z "$missing" ] || { echo "verbs missing from brig.8:$missing" >&2; return 1; }
    [ "$(help_verbs | wc -l)" -ge 15 ]
}

@test "brig.8 documents every jail parameter with the default brig jcreate --help shows" {
    local name def entry missing= wrong=
    while read -r name def; do
        entry=$(grep -A1 "^\.It Cm $name Ns = Ns Ar [a-z]*$" "$MAN8" | tail -n1)
        if [ -z "$entry" ]; then
            missing+=" $name"
            continue
        fi
        case $def in
        -) want="no default" ;;
        '""') want="default empty" ;;
        *" (vnet: "*) want="default Li ${def%% (vnet:*} , No for VNET jails Li ${def##*vnet: }" && want=${want%)} ;;
        *" (FreeBSD: "*) want="default Li ${def%% (FreeBSD:*} , No on Fx Li ${def##*FreeBSD: }" && want=${want%)} ;;
        *) want="default Li $def ;" ;;
        esac
        [[ $entry == *"$want"* ]] || wrong+=" $name(want '$want' in '$entry')"
    done < <(help_params)
    [ -z "$missing" ] || { echo "parameters missing from brig.8:$missing" >&2; return 1; }
    [ -z "$wrong" ] || { echo "defaults differ:$wrong" >&2; return 1; }
    [ "$(help_params | wc -l)" -ge 40 ]
}

@test "brig.conf.5 documents every setting initenv writes to brig.conf" {
    ok brig initenv workdir="$BATS_TEST_TMPDIR/w"
    local key missing=
    for key in $(sed -n 's/^\([a-z_0-9]*\)=.*/\1/p' "$BATS_TEST_TMPDIR/w/etc/brig.conf") \
        $("$BRIG_BIN" initenv --help | awk '/^  [a-z]/ { print $1 }'); do
        grep -q "^\.It Cm $key Ns = Ns " "$MAN5" || missing+=" $key"
    done
    [ -z "$missing" ] || { echo "settings missing from brig.conf.5:$missing" >&2; return 1; }
}

# brig.conf as written, with the values that differ from host to host
# (nodeid, debian_mirror) made placeholders.
conf_normalised() {
    sed -e 's/^nodeid=".*";$/nodeid="ID";/' -e 's/^debian_mirror=".*";$/debian_mirror="URL";/'
}

@test "brig.conf.5 documents exactly the settings initenv writes, commented or not, and shows the file as written" {
    ok brig initenv workdir="$BATS_TEST_TMPDIR/w" nodename=node1
    local conf="$BATS_TEST_TMPDIR/w/etc/brig.conf" written documented
    written=$(sed -n 's/^\(# \)\{0,1\}\([a-z_0-9]*\)=.*/\2/p' "$conf" | sort)
    documented=$(sed -n '/^\.Sh SETTINGS/,/^\.Sh /s/^\.It Cm \([a-z_0-9]*\) Ns = Ns .*/\1/p' "$MAN5" | sort)
    same "$documented" "$written" "settings documented in brig.conf.5 (one per line) vs written by initenv"
    local example
    example=$(sed -n '/writes on a host called/,/^\.Ed/p' "$MAN5" | sed -n '/^\.Bd/,/^\.Ed/p' | sed '1d;$d')
    same "$(conf_normalised <<<"$example")" "$(conf_normalised <"$conf")" "brig.conf.5's example"
}

@test "mandoc -Tlint finds no errors or warnings in the manual pages" {
    command -v mandoc >/dev/null || { echo "mandoc is not installed (apt-get install mandoc)" >&2; return 1; }
    run mandoc -Tlint -W warning "$MAN8" "$MAN5"
    [ "$status" -eq 0 ] || { echo "$output" >&2; return 1; }
}

@test "bash completion completes 'brig js' to jset, jsnapshot, jstart and jstop" {
    complete_line "$BRIG_BIN js"
    [ "$status" -eq 0 ]
    [ "${lines[*]}" = "jset jsnapshot jstart jstop" ]
}

@test "bash completion completes 'brig jstart j' to the verb's keys jname= and jobs=" {
    complete_line "$BRIG_BIN jstart j"
    [ "$status" -eq 0 ]
    [ "${lines[*]}" = "jname= jobs=" ]
    complete_line "$BRIG_BIN jstart jn"
    [ "${lines[*]}" = "jname=" ]
}

@test "bash completion offers every verb after 'brig '" {
    complete_line "$BRIG_BIN "
    [ "${lines[*]}" = "$(help_verbs | tr '\n' ' ' | sed 's/ $//')" ]
}

@test "bash completion completes values: booleans, choices and jail names" {
    complete_line "$BRIG_BIN jcreate vnet="
    [ "${lines[*]}" = "0 1" ]
    complete_line "$BRIG_BIN repo action=g"
    [ "${lines[*]}" = "get" ]
    ok brig initenv workdir="$BATS_TEST_TMPDIR/w"
    ok brig jcreate jname=web1 ip4_addr=0 workdir="$BATS_TEST_TMPDIR/w"
    ok brig jcreate jname=web2 ip4_addr=0 workdir="$BATS_TEST_TMPDIR/w"
    complete_line "$BRIG_BIN jstop workdir=$BATS_TEST_TMPDIR/w jname=w"
    [ "${lines[*]}" = "web1 web2" ]
}
