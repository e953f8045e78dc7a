#!/usr/bin/env bats
# brig(8): global options, --help, unknown verbs and exit codes.

bats_require_minimum_version 1.5.0
load helper
load foundation_helper

setup() {
    brig_setup
}

@test "brig --help lists every verb with its summary and exits 0" {
    ok brig --help
    output_has "usage: brig [--os=linux|freebsd] [--dry-run] [--json] VERB"
    for v in initenv inventory jcreate jls jget jset jconfig jremove; do
        output_has "  $v "
    done
    output_has "record a new jail"
}

@test "brig --version prints the version" {
    ok brig --version
    [[ "$output" =~ ^brig\ [0-9]+\.[0-9]+ ]]
}

@test "every verb's --help shows its usage and exits 0 without a workdir" {
    for v in initenv inventory jcreate jls jget jset jconfig jremove; do
        run env BRIG_WORKDIR=/nonexistent "$BRIG_BIN" "$v" --help
        [ "$status" -eq 0 ] || { echo "$v: $output" >&2; return 1; }
        output_has "usage: brig $v"
    done
}

@test "jcreate, jset and jconfig --help list every jail parameter with its default" {
    for v in jcreate jset jconfig; do
        ok brig "$v" --help
        output_has "jail parameters"
        [[ "$output" =~ host_hostname\ +hostname\ +both\ +default:\ \$\{hostjname\}\.my\.domain ]]
        [[ "$output" =~ exec_start\ +string\ +both\ +default:\ /bin/sh\ /etc/rc ]]
        [[ "$output" =~ persist\ +bool\ +both\ +default:\ 1 ]]
        [[ "$output" =~ devfs_ruleset\ +integer\ +both\ +default:\ 4\ \(vnet:\ 5\) ]]
        [[ "$output" =~ ip4_addr\ +addresses\ +both\ +default:\ DHCP\ \(vnet:\ 0\) ]]
        [[ "$output" =~ enforce_statfs\ +integer\ +freebsd\ +default:\ 2 ]]
    done
}

@test "verbs with options list them with their defaults in --help" {
    ok brig initenv --help
    [[ "$output" =~ nodeippool\ +cidr\ +default:\ 10\.199\.0\.0/16 ]]
    [[ "$output" =~ nat_enable\ +bool\ +default:\ 0 ]]
    ok brig jls --help
    [[ "$output" =~ display\ +list\ +default:\ jname,jid,ip4_addr,host_hostname,path,status ]]
    [[ "$output" =~ header\ +bool\ +default:\ 1 ]]
    output_has "--json prints the listing as JSON"
    ok brig jremove --help
    [[ "$output" =~ force\ +bool\ +default:\ 0 ]]
    ok brig jcreate --help
    [[ "$output" =~ jconf\ +file ]]
}

@test "only the listing verbs mention --json in their help" {
    for v in inventory jls jget; do
        ok brig "$v" --help
        output_has "--json"
    done
    for v in initenv jcreate jset jconfig jremove; do
        ok brig "$v" --help
        output_lacks "--json"
    done
}

@test "a successful verb exits 0" {
    ok brig jls
    [ "$status" -eq 0 ]
}

@test "no verb at all is a usage error" {
    assert_rejected 2 "no verb given (brig --help lists them)" brig
}

@test "an unknown verb is a usage error" {
    assert_rejected 2 "brig: unknown verb 'frobnicate' (brig --help lists them)" brig frobnicate
}

@test "a misspelt verb gets a suggestion" {
    assert_rejected 2 "unknown verb 'jcreat' (did you mean 'jcreate'?)" brig jcreat jname=a
}

@test "an unknown option is a usage error" {
    assert_rejected 2 "brig: unknown option '--frobnicate'" brig --frobnicate jls
}

@test "an unknown option after the verb is a usage error too" {
    assert_rejected 2 "unknown option '--frobnicate'" brig jls --frobnicate
}

@test "--os accepts only linux and freebsd" {
    assert_rejected 2 "--os: 'plan9' is not linux or freebsd" brig --os=plan9 jls
}

@test "--os=freebsd on Linux without --dry-run is refused for a verb that acts on the kernel" {
    assert_rejected 2 "--os=freebsd on this host can only render plans: add --dry-run" \
        brig --os=freebsd inventory
}

@test "--os=freebsd works on Linux for the verbs that only keep records" {
    ok brig --os=freebsd jcreate jname=web1 enforce_statfs=1
    ok brig --os=freebsd jget jname=web1 enforce_statfs
    same "$output" "enforce_statfs: 1" "jget"
    ok brig --os=freebsd jls display=jname header=0
    same "$output" "web1" "jls"
    ok brig --os=freebsd jremove jname=web1
}

@test "--json on a verb that lists nothing is a usage error" {
    assert_rejected 2 "jcreate: jcreate has no listing for --json" brig --json jcreate jname=web1
    assert_rejected 2 "jremove has no listing for --json" brig jremove jname=web1 --json
    assert_rejected 2 "initenv has no listing for --json" brig initenv --json
}

@test "format= accepts only text and json" {
    assert_rejected 2 "format: 'xml' is not text or json" brig jls format=xml
}

@test "format=json on a verb that lists nothing is a usage error" {
    assert_rejected 2 "jset has no listing for --json" brig jset jname=web1 vnet=1 format=json
}

@test "a word that is not key=value is a usage error" {
    assert_rejected 2 "'web1' is not key=value" brig jcreate web1
}

@test "a key that is not a name is a usage error" {
    assert_rejected 2 "bad key in '9lives=1'" brig jcreate jname=web1 9lives=1
    assert_rejected 2 "bad key in '=web1'" brig jcreate =web1
}

@test "a command after -- is refused by verbs that run none" {
    assert_rejected 2 "jls takes no command after '--'" brig jls -- /bin/true
}

@test "brig help lists every verb like brig --help" {
    ok brig help
    same "$output" "$("$BRIG_BIN" --help)" "brig help"
    output_has "brig help [VERB]"
}

@test "brig help VERB shows the verb's help like brig VERB --help" {
    for v in jcreate jexec jls; do
        ok brig help $v
        same "$output" "$("$BRIG_BIN" $v --help)" "brig help $v"
    done
    ok brig help help
    same "$output" "$("$BRIG_BIN" --help)" "brig help help"
}

@test "brig help of an unknown verb is a usage error" {
    assert_rejected 2 "brig: unknown verb 'frobnicate' (brig --help lists them)" brig help frobnicate
    assert_rejected 2 "brig: unknown verb 'jbackup' (CBSD's jbackup has no brig equivalent yet" brig help jbackup
}

@test "a relative workdir= is a usage error" {
    assert_rejected 2 "jls: workdir 'relative/dir' is not an absolute path" \
        brig jls workdir=relative/dir
}

@test "a relative BRIG_WORKDIR is a usage error" {
    BRIG_WORKDIR=relative/dir assert_rejected 2 "workdir 'relative/dir' is not an absolute path" \
        brig jls
}

@test "workdir= overrides BRIG_WORKDIR" {
    local other="$BATS_TEST_TMPDIR/other"
    ok brig initenv workdir="$other"
    ok brig jcreate workdir="$other" jname=elsewhere
    ok brig jls header=0 display=jname
    [ -z "$output" ]
    ok brig jls workdir="$other" header=0 display=jname
    [ "$output" = elsewhere ]
}

@test "every verb before initenv fails with exit 1 and says to run initenv" {
    local fresh="$BATS_TEST_TMPDIR/fresh"
    local want="$fresh is not initialised: run 'brig initenv workdir=$fresh' first"
    assert_rejected 1 "brig: jls: $want" brig jls workdir="$fresh"
    assert_rejected 1 "brig: inventory: $want" brig inventory workdir="$fresh"
    assert_rejected 1 "brig: jcreate: $want" brig jcreate workdir="$fresh" jname=web1
    assert_rejected 1 "brig: jget: $want" brig jget workdir="$fresh" jname=web1
    assert_rejected 1 "brig: jset: $want" brig jset workdir="$fresh" jname=web1 vnet=1
    assert_rejected 1 "brig: jconfig: $want" brig jconfig workdir="$fresh" jname=web1 vnet=1
    assert_rejected 1 "brig: jremove: $want" brig jremove workdir="$fresh" jname=web1
    [ ! -e "$fresh" ]
}

@test "errors go to stderr and nothing to stdout" {
    run --separate-stderr "$BRIG_BIN" jget jname=nosuch
    [ "$status" -eq 2 ]
    [ -z "$output" ]
    [ "$stderr" = "brig: jget: nosuch: no such jail" ]
}

@test "jcreate --dry-run shows the jail it would record and records nothing" {
    ok brig jcreate jname=dry1 ip4_addr=DHCP --dry-run
    output_has "# dry1 would be created as:"
    output_has 'ip4_addr="10.199.0.2/16";'
    ok brig jls display=jname header=0
    same "$output" "" "jls"
    [ ! -e "$W/jails-data/dry1-data" ]
}

@test "jset --dry-run checks the change and changes nothing" {
    ok brig jcreate jname=web1 ip4_addr=10.199.0.9
    ok brig jset jname=web1 ip4_addr=10.199.0.10 --dry-run
    output_has "nothing was changed"
    ok brig jget jname=web1 ip4_addr
    same "$output" "ip4_addr: 10.199.0.9" "jget"
    assert_rejected 2 "ip4_addr" brig jset jname=web1 ip4_addr=300.1.1.1 --dry-run
}

@test "a verb that cannot preview refuses --dry-run and changes nothing" {
    ok brig jcreate jname=web1
    assert_rejected 2 "--dry-run is not available for this verb" brig jremove jname=web1 --dry-run
    ok brig jget jname=web1 jname
}
