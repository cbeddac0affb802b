# Shared setup, teardown and leak check for ctr's integration tests (bats >= 1.5).
#
# Environment (set by `make check`):
#   CTR               the ctr binary under test
#   CTR_TEMPLATE_DIR  where the templates (busybox) are
#   CTR_TEST_SRCDIR   the tests/ directory of the source tree
#
# Every test gets its own temporary directory $T with ROOT=$T/lib and RUN=$T/run;
# `ctr` runs the binary on them. Container names come from `cname SUFFIX`: they all
# start with $PFX, which is unique per test and per run, so the cgroups `ctr-NAME`
# never collide with another run (or another engineer's) and the leak check can find
# exactly this test's leftovers.

bats_require_minimum_version 1.5.0

# The system python starts much faster than a pyenv shim.
if [ -x /usr/bin/python3 ]; then
	PYTHON=/usr/bin/python3
else
	PYTHON=python3
fi

setup() {
	if [ "$(id -u)" -ne 0 ]; then
		skip "the integration tests need root (namespaces, cgroups, mounts)"
	fi
	if [ -z "${CTR:-}" ] || [ ! -x "$CTR" ]; then
		echo "CTR must name the ctr binary to test (got '${CTR:-}')" >&2
		return 1
	fi
	if [ -z "${CTR_TEMPLATE_DIR:-}" ] && [ -n "${CTR_TEST_SRCDIR:-}" ]; then
		CTR_TEMPLATE_DIR=$CTR_TEST_SRCDIR/../templates
	fi
	export CTR_TEMPLATE_DIR
	# Nothing from the caller's environment may redirect ctr elsewhere.
	unset CTR_ROOT CTR_RUN_DIR NOTIFY_SOCKET

	T=$(mktemp -d /tmp/ctr-bats.XXXXXX)
	# An explicit, empty global config file: a host /etc/ctr/ctr.conf never interferes.
	export CTR_CONFIG=$T/empty.conf
	: >"$CTR_CONFIG"
	# Unique per test number, bats process and temp dir.
	PFX="b${BATS_TEST_NUMBER}-$$-${T##*.}-"
	CTR_ARGS=(--root "$T/lib" --run-dir "$T/run")
	# Every ROOT RUN pair the test uses; teardown cleans and checks them all.
	printf '%s %s\n' "$T/lib" "$T/run" >"$T/.roots"
}

# ctr on this test's root and run dir.
ctr() {
	"$CTR" "${CTR_ARGS[@]}" "$@"
}

# test_netns: a network namespace of this test, a simulated host (the
# machine's own is never touched). Prints its name; teardown deletes it after
# checking that no host end of a container's interface is left in it.
test_netns() {
	local ns="ctrt${BATS_TEST_NUMBER}-$$-${T##*.}${1:-}"
	ip netns add "$ns" || return 1
	echo "$ns" >>"$T/.netns"
	echo "$ns"
}

# nctr NS ARGS...: ctr on this test's roots, inside network namespace NS.
# nsenter, not 'ip netns exec': that remounts /sys and hides the cgroup
# mounts ctr needs.
nctr() {
	local ns=$1
	shift
	nsenter --net="/run/netns/$ns" "$CTR" "${CTR_ARGS[@]}" "$@"
}

# A container name unique to this test: cname [SUFFIX]
cname() {
	printf '%s%s\n' "$PFX" "${1:-c}"
}

# register_root ROOT RUN: another root/run pair the test uses (must be under $T).
register_root() {
	printf '%s %s\n' "$1" "$2" >>"$T/.roots"
}

# ---- checkpoint and migration ----------------------------------------------------

# Skip unless the static ctr-workload is built and a CRIU >= 4.2 is here.
needs_criu_workload() {
	if [ -z "${CTR_WORKLOAD:-}" ] || [ ! -x "$CTR_WORKLOAD" ]; then
		skip "CTR_WORKLOAD (the static ctr-workload) is not built"
	fi
	local c v
	for c in ${CTR_CRIU:-} $(command -v criu 2>/dev/null) /usr/local/sbin/criu; do
		[ -x "$c" ] || continue
		v=$("$c" --version 2>/dev/null | sed -n 's/^Version: *//p')
		case "$v" in
		4.[2-9]* | 4.[1-9][0-9]* | [5-9].*) return 0 ;;
		esac
	done
	skip "no CRIU >= 4.2 here (scripts/install-criu installs it)"
}

# counter_at FILE: the number a container's counter loop writes there. The
# shell truncates the file before it writes it: a read (or a dump) can
# catch it empty, so read again for a moment.
counter_at() {
	local v i
	for i in $(seq 50); do
		v=$(cat "$1" 2>/dev/null)
		if [ -n "$v" ]; then
			echo "$v"
			return 0
		fi
		sleep 0.02
	done
}

# ---- assertions -------------------------------------------------------------------

show_run() {
	# shellcheck disable=SC2154 # set by bats' run
	echo "  exit status: $status"
	echo "  stdout: ${output:-<empty>}"
	if [ -n "${stderr+x}" ]; then
		echo "  stderr: ${stderr:-<empty>}"
	fi
}

# expect_status N: after `run`, the exit status must be N.
expect_status() {
	if [ "$status" -ne "$1" ]; then
		echo "expected exit status $1, got $status"
		show_run
		return 1
	fi
}

# expect_contains HAYSTACK NEEDLE
expect_contains() {
	if [[ "$1" != *"$2"* ]]; then
		echo "expected to find: $2"
		echo "in: $1"
		return 1
	fi
}

# expect_not_contains HAYSTACK NEEDLE
expect_not_contains() {
	if [[ "$1" == *"$2"* ]]; then
		echo "did not expect to find: $2"
		echo "in: $1"
		return 1
	fi
}

# expect_eq ACTUAL EXPECTED [WHAT]
expect_eq() {
	if [ "$1" != "$2" ]; then
		echo "${3:-value}: expected '$2', got '$1'"
		return 1
	fi
}

# jget EXPR < JSON: evaluate a Python expression on the document `d`.
# null -> "null", booleans -> true/false, containers -> compact JSON, else str().
jget() {
	"$PYTHON" -c '
import json, sys
d = json.loads(sys.stdin.read())
v = eval(sys.argv[1], {"d": d, "len": len, "sorted": sorted, "isinstance": isinstance,
                       "int": int, "str": str, "list": list, "dict": dict})
if v is None:
    print("null")
elif isinstance(v, bool):
    print("true" if v else "false")
elif isinstance(v, (dict, list)):
    print(json.dumps(v, sort_keys=True, separators=(",", ":")))
else:
    print(v)
' "$1"
}

# cinfo NAME EXPR: a field of `ctr info --json NAME`.
cinfo() {
	local j
	j=$(ctr info --json "$1") || return 1
	jget "$2" <<<"$j"
}

# wait_until SECONDS COMMAND...: poll (every 0.1 s) until COMMAND succeeds.
wait_until() {
	local n=$(($1 * 10)) i
	shift
	for ((i = 0; i < n; i++)); do
		if "$@"; then
			return 0
		fi
		sleep 0.1
	done
	"$@"
}

state_is() {
	[ "$(cinfo "$1" 'd["state"]' 2>/dev/null)" = "$2" ]
}

pid_gone() {
	[ ! -e "/proc/$1" ] || [ "$(awk '/^State:/ {print $2}' "/proc/$1/status" 2>/dev/null)" = Z ]
}

# now_ms: wall clock in milliseconds.
now_ms() {
	local t=${EPOCHREALTIME/./}
	echo $((t / 1000))
}

# Names of this test's cgroups (any hierarchy, at most 6 levels down).
test_cgroups() {
	find /sys/fs/cgroup -maxdepth 6 -type d -name "ctr-${PFX}*" 2>/dev/null || true
}

# cgroup_dirs NAME: the cgroup directories of one container.
cgroup_dirs() {
	find /sys/fs/cgroup -maxdepth 6 -type d -name "ctr-$1" 2>/dev/null || true
}

# Processes (pid and cmdline) whose command line mentions $T.
# expect_run_state_gone NAME: the container's run dir and every cgroup of it are gone.
expect_run_state_gone() {
	[ ! -e "$T/run/$1" ] || { echo "run dir $T/run/$1 is still there"; return 1; }
	expect_eq "$(cgroup_dirs "$1")" "" cgroups
}

# expect_each_fails STATUS MESSAGE ARGS...: every ARGS (one ctr command line each,
# split at spaces) exits STATUS with MESSAGE on stderr.
expect_each_fails() {
	local want=$1 msg=$2 args
	shift 2
	for args in "$@"; do
		# shellcheck disable=SC2086
		run --separate-stderr ctr $args
		if [ "$status" -ne "$want" ]; then
			echo "ctr $args: expected $want, got $status: $stderr"
			return 1
		fi
		expect_contains "$stderr" "$msg"
	done
}

test_processes() {
	local p a
	for p in /proc/[0-9]*; do
		[ "${p#/proc/}" = "$BASHPID" ] && continue
		a=()
		mapfile -d '' a 2>/dev/null <"$p/cmdline" || continue
		if [[ "${a[*]}" == *"$T"* ]]; then
			echo "${p#/proc/} ${a[*]}"
		fi
	done
	return 0
}

# Mount points (host mount namespace) under $T.
test_mounts() {
	local _id _parent _dev _root mp _rest
	while read -r _id _parent _dev _root mp _rest; do
		if [[ "$mp" == *"$T"* ]]; then
			echo "$mp"
		fi
	done </proc/self/mountinfo
	return 0
}

# What is left of this test; empty when nothing.
leak_report() {
	local root run
	test_processes | sed 's/^/process: /'
	test_cgroups | sed 's/^/cgroup: /'
	test_mounts | sed 's/^/mount: /'
	while read -r root run; do
		if [ -d "$run" ]; then
			find "$run" -mindepth 1 2>/dev/null | sed 's/^/run dir entry: /'
		fi
	done <"$T/.roots"
	return 0
}

# Remove whatever the leak check found, so that later tests and runs start clean.
force_cleanup() {
	local pids cg i mp
	pids=$(test_processes | cut -d' ' -f1)
	for cg in $(test_cgroups); do
		pids="$pids $(cat "$cg/cgroup.procs" 2>/dev/null)"
	done
	for i in $pids; do
		kill -9 "$i" 2>/dev/null || true
	done
	for i in $(seq 50); do
		[ -z "$(test_processes)" ] && break
		sleep 0.1
	done
	for mp in $(test_mounts | sort -r); do
		umount -l "$mp" 2>/dev/null || true
	done
	for i in $(seq 50); do
		# depth first: children before parents
		for cg in $(test_cgroups | awk '{ print length, $0 }' | sort -rn | cut -d' ' -f2-); do
			rmdir "$cg" 2>/dev/null || true
		done
		[ -z "$(test_cgroups)" ] && break
		sleep 0.1
	done
	return 0
}

teardown() {
	local root run d n leaks="" failed=""

	[ -n "${T:-}" ] && [ -d "$T" ] || return 0
	while read -r root run; do
		[ -d "$root" ] || continue
		for d in "$root"/*/; do
			[ -d "$d" ] || continue
			n=$(basename "$d")
			if ! timeout 30 "$CTR" --root "$root" --run-dir "$run" destroy --force "$n" \
				>/dev/null 2>"$T/.destroy.err"; then
				failed="$failed
teardown: 'ctr destroy --force $n' failed: $(cat "$T/.destroy.err" 2>/dev/null)"
			fi
		done
	done <"$T/.roots"
	leaks=$(leak_report)
	if [ -f "$T/.netns" ]; then
		while read -r n; do
			d=$(ip -n "$n" -o link show 2>/dev/null | awk -F': ' '$2 ~ /^ctr[0-9a-f]/ { print $2 }')
			[ -n "$d" ] && leaks="$leaks
host-side interface left in $n: $d"
			d=$(nsenter --net="/run/netns/$n" nft list tables 2>/dev/null | grep 'netdev ctr' || true)
			[ -n "$d" ] && leaks="$leaks
nf_tables table left in $n: $d"
			d=$(ip -n "$n" neigh show proxy 2>/dev/null)
			[ -n "$d" ] && leaks="$leaks
proxy ARP/NDP entry left in $n: $d"
			ip netns del "$n" 2>/dev/null || true
		done <"$T/.netns"
	fi
	force_cleanup
	rm -rf --one-file-system "$T" 2>/dev/null || true
	if [ -n "$leaks$failed" ]; then
		echo "LEAK CHECK FAILED (after destroy --force of everything in the test's roots):"
		[ -n "$failed" ] && echo "$failed"
		[ -n "$leaks" ] && echo "$leaks"
		return 1
	fi
	return 0
}
