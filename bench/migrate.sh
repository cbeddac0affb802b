#!/bin/bash
# Live migration (ctr migrate, stop-and-copy) of a running container between
# two simulated hosts on this machine, for a container with a memory workload
# and for a small one.
#
#   on host A:  ctr migrate NAME ssh://root@10.97.0.2:2222 --json --remote-ctr '<B's ctr>'
#   on host B:  ctr migrate NAME ssh://root@10.97.0.1:2222 --json --remote-ctr '<A's ctr>'
#
# The hosts are two network namespaces joined by a veth (10.97.0.1 and
# 10.97.0.2), each with loopback up, a bridge ctrbm0 (10.96.0.1/24) for the
# containers, an sshd of its own on port 2222 (a throwaway key made here) and
# ctr roots and an id pool of its own (as tests/integration/migrate.bats sets
# them up). Two containers are made once on A and then migrated back and
# forth, A -> B -> A ...: "big" runs ctr-workload, which fills MEM MiB with a
# pattern and checks every word once a second ("ok ROUND" in /memstate), and
# "small" has no memory workload, to show the fixed cost. Round i migrates
# both (big first in odd rounds). After every migration the script waits, on
# the target and outside the timed span, for /memstate to advance and say
# "ok" (big) and for the counter in /cnt to move on (both), or stops: a
# migration that does not resume the container intact is not counted.
# Before the rounds it tries --mode postcopy once and prints ctr's answer.
# The numbers are ctr's own (its --json report): downtimeMs, totalMs,
# bytes.total and the phases; the script prints them per migration, then
# median, min and max per size. See bench/README.md.
#
# Usage (as root):  bench/migrate.sh
# Environment:
#   CTR=PATH        ctr binary (default: ./ctr if it exists, i.e. when run from
#                   the top build dir; then ../ctr next to this script for an
#                   in-tree build; then ctr in PATH)
#   CTR_WORKLOAD=PATH  the static test helper ctr-workload (default:
#                   tests/integration/ctr-workload next to the ctr binary;
#                   'make tests/integration/ctr-workload' builds it)
#   RUNS=N          migrations per size (default 5; they alternate A->B, B->A)
#   MEM=MIB         the big container's workload in MiB (default 256)
#   JSON=FILE       also write the raw reports and the summary there
#   CTR_TEMPLATE_DIR  ctr's template dir; defaults to this source tree's
#                   templates/ unless ctr is the installed one from PATH
#   TMPDIR          where the temp dir goes (default /tmp); both hosts' roots
#                   live there, so a migration of the big container puts about
#                   2 x MEM MiB of CRIU images there for a moment
# Exit status: 0 when the benchmark ran and nothing was left behind (whatever
# the numbers), 1 on any error.
set -euo pipefail

RUNS=${RUNS:-5}
MEM=${MEM:-256}
JSON=${JSON:-}

script_dir=$(cd "$(dirname "$0")" && pwd)
# die, note, need_tools, find_ctr and the cleanup checks
# shellcheck source=SCRIPTDIR/lib.sh
. "$script_dir/lib.sh"

case $RUNS in '' | *[!0-9]* | 0) die "RUNS must be an integer >= 1 (got '$RUNS')" ;; esac
case $MEM in '' | *[!0-9]* | 0) die "MEM must be a number of MiB >= 1 (got '$MEM')" ;; esac
need_root "network namespaces, sshd, ctr and CRIU need root"
[ -n "${EPOCHREALTIME:-}" ] || die "needs bash >= 5 (EPOCHREALTIME)"

# ---- tools ------------------------------------------------------------------------
need_tools text "criu rsync ssh ssh-keygen nsenter ip python3 /usr/sbin/sshd" \
	'*ssh*' 'apt-get install -y openssh-server openssh-client' \
	'*rsync*' 'apt-get install -y rsync' \
	'*python3*' 'apt-get install -y python3' \
	'*criu*' 'CRIU >= 4.2: scripts/install-criu'
criu_version=$(criu --version 2>/dev/null | sed -n 's/^Version: *//p')
case $criu_version in
4.[2-9]* | [5-9].*) ;;
*) die "needs CRIU >= 4.2 (found '${criu_version:-none}'; scripts/install-criu installs it)" ;;
esac

find_ctr migrate # ctr_bin, ctr_from; CTR_TEMPLATE_DIR
workload=${CTR_WORKLOAD:-$(dirname "$ctr_bin")/tests/integration/ctr-workload}
{ [ -x "$workload" ] && [ -f "$workload" ]; } ||
	die "no ctr-workload at $workload: set CTR_WORKLOAD=PATH, or build it ('make tests/integration/ctr-workload' in the build dir)"
workload=$(cd "$(dirname "$workload")" && pwd)/$(basename "$workload")

# ---- cgroups, leftovers of earlier runs -------------------------------------------
ssh_ctl_dirs() { # ctr migrate's ssh control directories (see ctr-migrate(1), SSH)
	find /tmp -maxdepth 1 -name 'ctr-migrate.*' 2>/dev/null | sort || true
}
cgroups_before=$(list_ctr_cgroups)
ctl_before=$(ssh_ctl_dirs)

# ---- work area and cleanup ----------------------------------------------------------
work=$(mktemp -d "${TMPDIR:-/tmp}/ctr-bench-mig.XXXXXX")
# --remote-ctr is a shell command line read by the target's shell.
case $work in *[!A-Za-z0-9._/-]*) rmdir "$work"; die "the temp dir $work has characters a shell would split or expand; set TMPDIR" ;; esac
big=bench-mig-$$-big
small=bench-mig-$$-small
names=("$big" "$small")
bridge=ctrbm0
hosts=(A B)
declare -A ns lib run conf addr
ns[A]=ctr-bench-mig-$$-a
ns[B]=ctr-bench-mig-$$-b
addr[A]=10.97.0.1
addr[B]=10.97.0.2
for h in A B; do
	lib[$h]=$work/lib$h
	run[$h]=$work/run$h
	conf[$h]=$work/$h.conf
	mkdir -p "${lib[$h]}" "${run[$h]}"
done
# A: ctr's default id pool, without /etc/ctr/ctr.conf; B: a pool of its own
# (a migrated container keeps its host ids: the pools must not overlap).
: >"${conf[A]}"
echo "idmap-pool = 3000000:655360" >"${conf[B]}"
reports=$work/reports.tsv
: >"$reports"
netns_made=()

# ctr on host H: hctr H ARGS... Where its output goes to a file, call it in a
# subshell, ( hctr ... ) >FILE: a function's redirections are made in this
# shell, and a trap that ran meanwhile (Ctrl-C) would write cleanup's report
# into that file.
hctr() {
	local h=$1
	shift
	nsenter --net="/run/netns/${ns[$h]}" env CTR_CONFIG="${conf[$h]}" \
		"$ctr_bin" --root "${lib[$h]}" --run-dir "${run[$h]}" "$@"
}

cleanup() {
	local rc=$? h n left procs pid nsleft ctl
	trap - EXIT INT TERM HUP
	set +e
	# The containers, wherever they are (a failed migration may leave one on
	# either host). Our init (sh as pid 1) ignores the stop signal: kill it at
	# once rather than wait out the grace period (fails when not running).
	for h in "${hosts[@]}"; do
		[ -e "/run/netns/${ns[$h]}" ] || continue
		for n in "${names[@]}"; do
			[ -d "${lib[$h]}/$n" ] || continue
			hctr "$h" stop --timeout 0 "$n" >/dev/null 2>&1
			hctr "$h" destroy --force "$n" >/dev/null 2>&1 ||
				note "warning: ctr destroy --force $n on host $h failed"
		done
	done
	for h in "${hosts[@]}"; do
		pid=$(cat "$work/sshd-$h.pid" 2>/dev/null)
		[ -n "$pid" ] && kill "$pid" 2>/dev/null
	done
	for n in "${netns_made[@]}"; do
		ip netns del "$n" 2>/dev/null || note "warning: could not delete network namespace $n"
	done
	# Processes of ours (lib.sh: our_procs): the containers', CRIU, ctr's
	# monitor, the sshds, ssh, rsync. The sshds and their sessions take a
	# moment to go: 0.5 s before they count as left behind.
	if ! kill_our_procs "$work" 0.5; then
		[ "$rc" = 0 ] && rc=1
	fi
	remove_work "$work"
	# Ours: ctr-NAME of the two containers; a warning lists other new ctr-*
	# groups (another ctr's, left alone).
	left=$(cgroups_left "$cgroups_before" "ctr-($big|$small)")
	nsleft=$(ip netns list 2>/dev/null | awk '{ print $1 }' | grep -xF -e "${ns[A]}" -e "${ns[B]}" || true)
	ctl=$(comm -13 <(printf '%s\n' "$ctl_before") <(ssh_ctl_dirs) | grep . || true)
	if [ -n "$ctl" ]; then
		note_list "warning: new ssh control directories of ctr migrate (ours, or another migration's):" "$ctl"
	fi
	procs=$(our_procs "$work")
	if [ -n "$procs" ]; then
		note "error: processes of ours still there: ${procs//$'\n'/ }"
		[ "$rc" = 0 ] && rc=1
	fi
	if [ -n "$nsleft" ]; then
		note "error: network namespaces left behind: ${nsleft//$'\n'/ }"
		[ "$rc" = 0 ] && rc=1
	fi
	if [ -n "$left" ]; then
		note_list "error: cgroups left behind:" "$left"
		[ "$rc" = 0 ] && rc=1
	fi
	if [ -z "$procs$nsleft$left" ]; then
		note "cleanup: none of our cgroups (ctr-$big, ctr-$small), network namespaces (${ns[A]}, ${ns[B]}) or processes (sshds included) left, temp dir removed"
	fi
	exit "$rc"
}
trap_cleanup cleanup

# ---- the two hosts --------------------------------------------------------------------
# Each: a network namespace with lo up (CRIU needs it), its end of the veth
# m0, the bridge (made here on both, so ctr uses it as it is), an sshd.
for h in A B; do
	ip netns add "${ns[$h]}" || die "ip netns add ${ns[$h]} failed"
	netns_made+=("${ns[$h]}")
	ip -n "${ns[$h]}" link set lo up
done
ip -n "${ns[A]}" link add m0 type veth peer name m0 netns "${ns[B]}"
for h in A B; do
	ip -n "${ns[$h]}" addr add "${addr[$h]}/24" dev m0
	ip -n "${ns[$h]}" link set m0 up
	ip -n "${ns[$h]}" link add "$bridge" type bridge
	ip -n "${ns[$h]}" addr add 10.96.0.1/24 dev "$bridge"
	ip -n "${ns[$h]}" link set "$bridge" up
done

ssh-keygen -q -t ed25519 -N '' -C ctr-bench-migrate -f "$work/key"
ssh-keygen -q -t ed25519 -N '' -C ctr-bench-migrate-host -f "$work/hostkey"
cp "$work/key.pub" "$work/authorized_keys"
mkdir -p /run/sshd # sshd's privilege separation directory
for h in A B; do
	cat >"$work/sshd-$h.conf" <<EOF
ListenAddress ${addr[$h]}
Port 2222
HostKey $work/hostkey
AuthorizedKeysFile $work/authorized_keys
PermitRootLogin prohibit-password
PasswordAuthentication no
KbdInteractiveAuthentication no
UsePAM no
StrictModes no
PidFile $work/sshd-$h.pid
EOF
	nsenter --net="/run/netns/${ns[$h]}" /usr/sbin/sshd -f "$work/sshd-$h.conf" -E "$work/sshd-$h.log" ||
		die "sshd on host $h did not start: $(tail -n 5 "$work/sshd-$h.log" 2>/dev/null)"
done
for h in A B; do
	for ((i = 0; i < 50; i++)); do
		[ -s "$work/sshd-$h.pid" ] && break
		sleep 0.1
	done
	[ -s "$work/sshd-$h.pid" ] || die "sshd on host $h wrote no pid file in 5 s: $(tail -n 5 "$work/sshd-$h.log" 2>/dev/null)"
done
ssho=(-o -i -o "$work/key" -o -oStrictHostKeyChecking=no -o -oUserKnownHostsFile=/dev/null -o -oLogLevel=ERROR)

# ---- helpers ------------------------------------------------------------------------------
# (now_us, microseconds since the epoch in now: lib.sh)
# The counter (/cnt) in ROOTFS as a number; -1 while missing or being rewritten.
# (No 2>/dev/null on the reads, see hctr: once there, the files are never
# removed, only truncated (/cnt) or replaced by a rename (/memstate).)
read_cnt() {
	cnt=
	if [ -e "$1/cnt" ]; then read -r cnt <"$1/cnt" || true; fi
	case $cnt in '' | *[!0-9]*) cnt=-1 ;; esac
}
# The workload's round (/memstate "ok ROUND") in ROOTFS; -1 while missing. Stops
# the script on "bad OFFSET": the memory did not arrive intact.
read_mem() {
	local line=
	if [ -e "$1/memstate" ]; then read -r line <"$1/memstate" || true; fi
	case $line in
	bad\ *) die "$2: the workload found its memory corrupted: /memstate says '$line'" ;;
	ok\ *) mem=${line#ok } ;;
	*) mem=-1 ;;
	esac
	case $mem in '' | *[!0-9]*) mem=-1 ;; esac
}
# Wait (at most SECONDS) until the counter, or with mem the workload's round,
# in ROOTFS is above MIN.
wait_above() { # cnt|mem ROOTFS MIN SECONDS WHAT
	local deadline
	now_us
	deadline=$(($4 * 1000000 + now))
	while :; do
		if [ "$1" = cnt ]; then
			read_cnt "$2"
			[ "$cnt" -gt "$3" ] && return 0
		else
			read_mem "$2" "$5"
			[ "$mem" -gt "$3" ] && return 0
		fi
		now_us
		[ "$now" -lt "$deadline" ] || {
			if [ "$1" = cnt ]; then
				die "$5: the counter in /cnt stayed at $cnt (was $3) for $4 s: the container does not run"
			else
				die "$5: the workload's /memstate stayed at round $mem (was $3) for $4 s: it does not run"
			fi
		}
		sleep 0.05
	done
}
other_host() { [ "$1" = A ] && echo B || echo A; }
remote_ctr() { echo "env CTR_CONFIG=${conf[$1]} $ctr_bin --root ${lib[$1]} --run-dir ${run[$1]}"; }
hstate() { # HOST NAME: the container's state on HOST
	hctr "$1" info --json "$2" 2>/dev/null | python3 -c 'import json, sys; print(json.load(sys.stdin)["state"])' 2>/dev/null ||
		echo none
}

# ---- the two containers, on A ----------------------------------------------------------
# shellcheck disable=SC2016 # expanded by the container's shell
counter='i=0; while true; do i=$((i+1)); echo $i > /cnt; sleep 0.1; done'
declare -A init cip size_of at
init[$big]="/bin/sh -c \"/bin/ctr-workload mem $MEM /memstate & $counter\""
init[$small]="/bin/sh -c \"$counter\""
cip[$big]=10.96.0.5
cip[$small]=10.96.0.6
size_of[$big]=${MEM}M
size_of[$small]=small
out=$work/out
err=$work/err
for n in "${names[@]}"; do
	(hctr A create "$n" --net "veth,bridge=$bridge,ip=${cip[$n]}/24,gw=10.96.0.1" --init "${init[$n]}") \
		>"$out" 2>"$err" || die "ctr create $n failed: $(cat "$err")"
	[ -x "${lib[A]}/$n/rootfs/bin/busybox" ] || die "ctr create made no busybox rootfs at ${lib[A]}/$n/rootfs"
	if [ "$n" = "$big" ]; then
		cp "$workload" "${lib[A]}/$n/rootfs/bin/ctr-workload"
	fi
	(hctr A start "$n") >"$out" 2>"$err" || die "ctr start $n failed: $(cat "$err")"
	at[$n]=A
done
wait_above cnt "${lib[A]}/$small/rootfs" 0 10 "$small, after start"
wait_above cnt "${lib[A]}/$big/rootfs" 0 10 "$big, after start"
# The workload fills MEM MiB, then checks it all once before its first "ok 1".
wait_above mem "${lib[A]}/$big/rootfs" 0 $((30 + MEM / 16)) "$big, after start"

echo "ctr:   $ctr_bin ($("$ctr_bin" --version 2>/dev/null | head -n1))"
echo "criu:  $(command -v criu) ($criu_version)"
echo "ssh:   $(ssh -V 2>&1 | head -n1); rsync: $(rsync --version | head -n1 | awk '{ print $3 }')"
echo "hosts: network namespaces A (${addr[A]}) and B (${addr[B]}) joined by a veth, sshd on :2222 in each"
echo "containers (made on A, then moved A->B->A...; default, with a user namespace):"
echo "  $big: ctr-workload mem $MEM (MiB, checked every second) + counter"
echo "  $small: counter only"
echo "runs: $RUNS per size, both containers each round, ${MEM}M first in odd rounds"
echo

# ---- post-copy, once -----------------------------------------------------------------
n=$small
h=${at[$n]}
t=$(other_host "$h")
rc=0
(hctr "$h" migrate "$n" "ssh://root@${addr[$t]}:2222" --mode postcopy --json --remote-ctr "$(remote_ctr "$t")" \
	"${ssho[@]}") >"$out" 2>"$err" || rc=$?
msg=$(tr '\n' ' ' <"$err" | sed 's/ *$//')
case $rc in
8) echo "postcopy: not available: $msg" ;;
0)
	echo "postcopy: available (not timed here): $(cat "$out")"
	at[$n]=$t
	;;
*) echo "postcopy: failed (exit $rc): $msg" ;;
esac
[ "$(hstate "${at[$n]}" "$n")" = running ] || die "$n does not run on host ${at[$n]} after the post-copy attempt"
echo

# ---- the rounds ----------------------------------------------------------------------------
migrate_one() { # ROUND NAME
	local r=$1 n=$2 h t before_cnt before_mem rootfs rc
	h=${at[$n]}
	t=$(other_host "$h")
	rootfs=${lib[$t]}/$n/rootfs
	rc=0
	(hctr "$h" migrate "$n" "ssh://root@${addr[$t]}:2222" --json --remote-ctr "$(remote_ctr "$t")" \
		"${ssho[@]}") >"$out" 2>"$err" || rc=$?
	[ "$rc" = 0 ] || die "ctr migrate $n $h->$t failed in round $r (exit $rc): $(cat "$err")"
	at[$n]=$t
	# Check it, outside the timed span: it runs on the target and is gone
	# from the source, its memory intact and its processes going on.
	[ "$(hstate "$t" "$n")" = running ] || die "round $r: $n does not run on host $t after the migration"
	[ ! -e "${lib[$h]}/$n" ] || die "round $r: $n is still on host $h after the migration"
	read_cnt "$rootfs"
	before_cnt=$cnt
	wait_above cnt "$rootfs" "$before_cnt" 5 "round $r, $n on host $t"
	if [ "$n" = "$big" ]; then
		read_mem "$rootfs" "round $r, $n on host $t"
		before_mem=$mem
		wait_above mem "$rootfs" "$before_mem" $((10 + MEM / 16)) "round $r, $n on host $t"
	fi
	python3 - "$out" "$r" "${size_of[$n]}" "$h" "$t" >>"$reports" <<'EOF' || die "round $r: ctr's report is not what was expected: $(cat "$out")"
import json, sys
path, r, size, src, dst = sys.argv[1:]
d = json.load(open(path))
ph = d["phases"]
keys = ("handshake", "sync", "dump", "copy", "restore", "commit", "cleanup")
assert d["mode"] == "stop", d["mode"]
print("\t".join([r, size, src, dst, str(d["downtimeMs"]), str(d["totalMs"]), str(d["bytes"]["total"]),
                 str(d["bytes"]["live"]), str(d["bytes"]["frozen"])] + [str(ph[k]) for k in keys]
                + [json.dumps(d, separators=(",", ":"))]))
EOF
	tail -n 1 "$reports" | awk -F'\t' '{ printf "%4s  %-6s %-4s %8d %8d %8.1f %9d %6d %6d %6d %7d %6d %7d\n", $1, $2, $3 "->" $4, $5, $6, $7 / 1048576, $10, $11, $12, $13, $14, $15, $16 }'
}

printf '%4s  %-6s %-4s %8s %8s %8s %9s %6s %6s %6s %7s %6s %7s\n' run size move downtime total MiB \
	handshake sync dump copy restore commit cleanup
for ((r = 1; r <= RUNS; r++)); do
	if ((r % 2)); then
		migrate_one "$r" "$big"
		migrate_one "$r" "$small"
	else
		migrate_one "$r" "$small"
		migrate_one "$r" "$big"
	fi
done
echo "(ms; MiB = bytes.total, what rsync moved in both steps, its protocol included)"
echo

python3 - "$reports" "$JSON" "$MEM" <<'EOF'
import json, statistics, sys

path, json_out, mem = sys.argv[1:]
keys = ("handshake", "sync", "dump", "copy", "restore", "commit", "cleanup")
runs = []
for line in open(path).read().splitlines():
    f = line.split("\t")
    runs.append({"run": int(f[0]), "size": f[1], "from": f[2], "to": f[3], "report": json.loads(f[-1])})
sizes = [f"{mem}M", "small"]
rows = [("downtime", lambda d: d["downtimeMs"]), ("total", lambda d: d["totalMs"]),
        ("MiB", lambda d: d["bytes"]["total"] / 1048576)] + \
       [(k, (lambda k: lambda d: d["phases"][k])(k)) for k in keys]
summary = {}
for size in sizes:
    rep = [x["report"] for x in runs if x["size"] == size]
    print(f"{size + ':':16} {'median':>9} {'min':>9} {'max':>9}  ({len(rep)} migration{'s' if len(rep) != 1 else ''}; ms, MiB)")
    summary[size] = {}
    for name, get in rows:
        v = [get(d) for d in rep]
        st = {"median": statistics.median(v), "min": min(v), "max": max(v)}
        summary[size][name] = {k: round(x, 3) for k, x in st.items()}
        fmt = "9.1f" if name == "MiB" else "9.0f"
        print(f"  {name:14} {st['median']:{fmt}} {st['min']:{fmt}} {st['max']:{fmt}}")
    print()
if json_out:
    json.dump({"mem_mib": int(mem), "runs": runs, "summary": summary}, open(json_out, "w"), indent=2)
    print(f"reports and summary: {json_out}")
EOF
