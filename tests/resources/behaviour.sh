#!/bin/sh
# Resource limits that must really hold, as a TAP script. The same script runs
# on the build host (cgroup v1 here) from 'make check' and inside a qemu guest
# booted with cgroup_no_v1=all (tests/resources/cgroup2.sh), so both backends
# pass the same behavioural tests. POSIX sh: it also runs under busybox ash.
#
# Env: CTR (the ctr binary), CTR_TEMPLATE_DIR. Option: --blockdev DEV, a whole
# disk the I/O tests may overwrite (otherwise a loop device is set up).
set -u

blockdev=
if [ "${1:-}" = --blockdev ]; then
	blockdev=${2:?--blockdev needs a device}
fi

: "${CTR:?set CTR to the ctr binary}"
: "${CTR_TEMPLATE_DIR:?set CTR_TEMPLATE_DIR}"

if [ "$(id -u)" != 0 ]; then
	echo "1..0 # SKIP needs root (cgroups, namespaces)"
	exit 0
fi

work=$(mktemp -d "${TMPDIR:-/tmp}/ctr-res.XXXXXX")
export CTR_ROOT="$work/root" CTR_RUN_DIR="$work/run"
prefix="r$$"
loopdev=
n=0
failed=0

cleanup() {
	for c in $("$CTR" list 2>/dev/null | awk 'NR > 1 { print $1 }'); do
		"$CTR" destroy --force "$c" >/dev/null 2>&1
	done
	[ -n "$loopdev" ] && losetup -d "$loopdev" 2>/dev/null
	rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

ok() {
	n=$((n + 1))
	echo "ok $n - $1"
}

not_ok() {
	n=$((n + 1))
	failed=$((failed + 1))
	echo "not ok $n - $1"
	shift
	for line in "$@"; do echo "# $line"; done
}

skip() {
	n=$((n + 1))
	echo "ok $n - $1 # SKIP $2"
}

# A JSON field of 'ctr stats --json' (a number, or null): field memory.oomKills
field() {
	"$CTR" stats --json "$1" 2>/dev/null | sed -n "s/.*\"${2%%.*}\":{[^}]*\"${2#*.}\":\([^,}]*\).*/\1/p"
}

# Create and start a busybox container with the given limits; name first.
run() {
	name=$1
	shift
	"$CTR" create "$name" "$@" >"$work/out" 2>&1 && "$CTR" start "$name" >>"$work/out" 2>&1
}

gone() {
	"$CTR" destroy --force "$1" >/dev/null 2>&1
}

# Host-side cgroup directories named ctr-NAME, anywhere we may have made them.
cgroup_dirs() {
	find /sys/fs/cgroup -maxdepth 6 -type d -name "ctr-$1" 2>/dev/null
}

echo "1..12"
echo "# cgroup: $(if [ -f /sys/fs/cgroup/cgroup.controllers ]; then echo v2; else echo v1; fi)"

# 1. Over its memory limit, a process is OOM-killed inside; init, the
#    monitor and the host survive, and the OOM counter rises.
c=${prefix}mem
if run "$c" --memory 32M --swap 0; then
	before=$(field "$c" memory.oomKills)
	"$CTR" exec "$c" -- dd if=/dev/zero of=/dev/null bs=64M count=1 >/dev/null 2>&1
	st=$?
	after=$(field "$c" memory.oomKills)
	state=$("$CTR" list | awk -v c="$c" '$1 == c { print $2 }')
	if [ "$st" = 137 ] && [ "${after:-0}" -gt "${before:-0}" ] && [ "$state" = running ] &&
		"$CTR" exec "$c" -- true; then
		ok "memory limit: over-limit process OOM-killed, oomKills $before -> $after, container runs on"
	else
		not_ok "memory limit" "exit $st (want 137), oomKills $before -> $after, state $state"
	fi
else
	not_ok "memory limit: start" "$(cat "$work/out")"
fi
gone "$c"

# 2. A fork bomb stops at the pids limit.
c=${prefix}pids
if run "$c" --pids 20; then
	"$CTR" exec "$c" -- sh -c 'i=0; while [ $i -lt 60 ]; do sleep 30 & i=$((i + 1)); done 2>/dev/null; exit 0'
	cur=$(field "$c" pids.current)
	fail=$(field "$c" pids.failcnt)
	if [ "${cur:-99}" -le 20 ] && [ "${fail:-0}" -gt 0 ]; then
		ok "pids limit: 60 forks held at $cur of 20, failcnt $fail"
	else
		not_ok "pids limit" "current $cur (want <= 20), failcnt $fail (want > 0)"
	fi
	# 3. Live: lower the limit while running; it holds at once.
	# (at the limit, a shell could not even fork: one process does it;
	# init reaps the orphans within a second or so)
	"$CTR" exec "$c" -- killall sleep >/dev/null 2>&1
	i=0
	while [ "$(field "$c" pids.current)" -gt 4 ] && [ $i -lt 50 ]; do
		sleep 0.1
		i=$((i + 1))
	done
	if "$CTR" set "$c" --pids 8 2>"$work/err" && [ "$(field "$c" pids.limit)" = 8 ]; then
		"$CTR" exec "$c" -- sh -c 'i=0; while [ $i -lt 20 ]; do sleep 30 & i=$((i + 1)); done 2>/dev/null; exit 0'
		cur=$(field "$c" pids.current)
		if [ "${cur:-99}" -le 8 ] && "$CTR" config "$c" | grep -q '"limit": 8'; then
			ok "live set: --pids 8 enforced at once ($cur processes) and stored"
		else
			not_ok "live set --pids" "current $cur (want <= 8)"
		fi
	else
		not_ok "live set --pids" "$(cat "$work/err")" "limit $(field "$c" pids.limit)"
	fi
else
	not_ok "pids limit: start" "$(cat "$work/out")"
	skip "live set --pids" "container did not start"
fi
gone "$c"

# 4. --cpus 0.5 holds a busy loop to about half a CPU (wide tolerance).
c=${prefix}cpu
if run "$c" --cpus 0.5; then
	u0=$(field "$c" cpu.usageNs)
	"$CTR" exec "$c" -- timeout 2 sh -c 'while :; do :; done' >/dev/null 2>&1
	u1=$(field "$c" cpu.usageNs)
	# CPU-milliseconds used during the 2 s run: about 1000 at 0.5 CPU.
	used=$(( (u1 - u0) / 1000000 ))
	if [ "$used" -ge 500 ] && [ "$used" -le 1400 ]; then
		ok "cpu limit: --cpus 0.5 used ${used} ms of CPU in 2 s"
	else
		not_ok "cpu limit" "used ${used} ms of CPU in 2 s (want ~1000)"
	fi
else
	not_ok "cpu limit: start" "$(cat "$work/out")"
fi
gone "$c"

# 5. cpuset pinning is what the kernel reports to the process.
c=${prefix}cpuset
ncpu=$(grep -c ^processor /proc/cpuinfo)
if [ "$ncpu" -lt 2 ]; then
	skip "cpuset pinning" "needs 2 CPUs, this machine has $ncpu"
elif run "$c" --cpuset-cpus 1; then
	got=$("$CTR" exec "$c" -- grep Cpus_allowed_list /proc/self/status | awk '{ print $2 }' | tr -d '\r')
	if [ "$got" = 1 ]; then
		ok "cpuset: --cpuset-cpus 1 -> Cpus_allowed_list $got"
	else
		not_ok "cpuset" "Cpus_allowed_list '$got' (want 1)"
	fi
else
	not_ok "cpuset: start" "$(cat "$work/out")"
fi
gone "$c"

# 6-7. A write throttle on a block device slows direct I/O; the device is
#      reachable only once given with --device.
dev=$blockdev
if [ -z "$dev" ] && command -v losetup >/dev/null 2>&1; then
	truncate -s 16M "$work/disk.img" 2>/dev/null || dd if=/dev/zero of="$work/disk.img" bs=1M count=16 2>/dev/null
	loopdev=$(losetup -f --show "$work/disk.img" 2>/dev/null) && dev=$loopdev
fi
c=${prefix}io
if [ -z "$dev" ]; then
	skip "io throttle" "no block device (give --blockdev or install losetup)"
	skip "device allow-list" "no block device"
elif run "$c" --device "$dev" --io-write-bps "$dev:1M"; then
	t0=$(date +%s)
	"$CTR" exec "$c" -- dd if=/dev/zero of="$dev" bs=64k count=48 oflag=direct >/dev/null 2>&1
	st=$?
	t1=$(date +%s)
	if [ "$st" = 0 ] && [ $((t1 - t0)) -ge 2 ]; then
		ok "io throttle: 3 MiB of direct writes at 1 MiB/s took $((t1 - t0)) s"
	else
		not_ok "io throttle" "dd exit $st, took $((t1 - t0)) s (want >= 2)"
	fi
	# Remove the device: its node goes and access is refused, even by a
	# node made by hand; /dev/null stays usable.
	"$CTR" set "$c" --device-rm "$dev" >/dev/null 2>&1
	majmin=$(stat -c '%t %T' "$dev")
	maj=$((0x${majmin% *}))
	min=$((0x${majmin#* }))
	if "$CTR" exec "$c" -- sh -c "
		[ ! -e $dev ] || exit 10
		mknod /tmp/blk b $maj $min 2>/dev/null && dd if=/tmp/blk of=/dev/null bs=512 count=1 2>/dev/null && exit 11
		mknod /tmp/mem c 1 1 2>/dev/null && dd if=/tmp/mem of=/dev/null bs=1 count=1 2>/dev/null && exit 12
		echo x > /dev/null" 2>"$work/err"; then
		ok "device allow-list: $dev ($maj:$min) and /dev/mem unreachable after --device-rm"
	else
		not_ok "device allow-list" "exit $? (10: node still there, 11: block device readable, 12: /dev/mem readable)"
	fi
else
	not_ok "io throttle: start" "$(cat "$work/out")"
	skip "device allow-list" "container did not start"
fi
gone "$c"

# 8. pause freezes (a counter stops), resume continues.
c=${prefix}pause
if run "$c"; then
	# (renamed into place: a reader never sees the file truncated)
	"$CTR" exec "$c" -- sh -c 'i=0; while :; do i=$((i + 1)); echo $i > /tmp/c.new; mv /tmp/c.new /tmp/count; sleep 0.1; done' \
		>/dev/null 2>&1 </dev/null &
	sleep 1
	"$CTR" pause "$c"
	a=$(cat "$CTR_ROOT/$c/rootfs/tmp/count")
	sleep 1
	b=$(cat "$CTR_ROOT/$c/rootfs/tmp/count")
	state=$("$CTR" list | awk -v c="$c" '$1 == c { print $2 }')
	"$CTR" exec "$c" -- true 2>/dev/null
	ex=$?
	"$CTR" resume "$c"
	sleep 1
	d=$(cat "$CTR_ROOT/$c/rootfs/tmp/count")
	if [ "$state" = paused ] && [ "$a" = "$b" ] && [ "$d" -gt "$b" ] && [ "$ex" != 0 ]; then
		ok "pause: counter held at $b while paused (exec refused), $d after resume"
	else
		not_ok "pause/resume" "state '$state', paused $a -> $b, resumed $d, exec while paused: $ex"
	fi
else
	not_ok "pause: start" "$(cat "$work/out")"
fi
gone "$c"
wait 2>/dev/null

# 9. A memory limit below what the container holds and cannot give back (tmpfs,
#    no swap) is refused; config and cgroup keep the old value. (v1's kernel
#    refuses; on v2 ctr reclaims through memory.high and refuses likewise,
#    where the kernel would OOM-kill the container instead.)
c=${prefix}refuse
if run "$c" --memory 64M --swap 0; then
	"$CTR" exec "$c" -- dd if=/dev/zero of=/dev/shm/fill bs=1M count=40 >/dev/null 2>&1
	if "$CTR" set "$c" --memory 16M 2>"$work/err"; then
		not_ok "memory limit below usage" "accepted; limit now $(field "$c" memory.limit)"
	else
		lim=$(field "$c" memory.limit)
		if [ "$lim" = 67108864 ] && "$CTR" config "$c" | grep -q '"limit": 67108864' &&
			"$CTR" exec "$c" -- true; then
			ok "memory limit below usage refused, old value kept: $(tail -n 1 "$work/err" | cut -c1-70)"
		else
			not_ok "refused change" "limit $lim (want 67108864)" "$(cat "$work/err")"
		fi
	fi
else
	not_ok "refused change: start" "$(cat "$work/out")"
fi
gone "$c"

# 10. Every cgroup is gone after stop.
c=${prefix}gone
if run "$c" --memory 64M --pids 100 --cpus 1; then
	had=$(cgroup_dirs "$c" | wc -l)
	"$CTR" stop --timeout 5 "$c" >/dev/null 2>&1
	left=$(cgroup_dirs "$c")
	if [ "$had" -gt 0 ] && [ -z "$left" ]; then
		ok "stop removes all $had cgroups"
	else
		not_ok "cgroups after stop" "had $had, left: $left"
	fi
else
	not_ok "cgroups after stop: start" "$(cat "$work/out")"
fi
gone "$c"

# 11. cgroup v2 only: run from a cgroup that holds processes (as a login shell
#     is), ctr cannot delegate controllers below it (the no-internal-processes
#     rule). The error says so and names cgroup-parent, which then works.
c=${prefix}parent
if [ ! -f /sys/fs/cgroup/cgroup.controllers ] || [ "$(cat /proc/self/cgroup)" != "0::/" ]; then
	skip "cgroup-parent on v2" "needs a cgroup v2 host and to run in its root cgroup"
else
	session=/sys/fs/cgroup/ctr-test-session
	# As on a systemd host, the root delegates its controllers (this runs in
	# the test's own VM: tests never change the cgroups above their own).
	sed 's/\([a-z_]*\)/+\1/g' /sys/fs/cgroup/cgroup.controllers >/sys/fs/cgroup/cgroup.subtree_control
	mkdir -p "$session"
	"$CTR" create "$c" --pids 10 >/dev/null 2>&1
	# shellcheck disable=SC2016 # expanded by the inner shell
	in_session='echo $$ > '"$session"'/cgroup.procs && exec "$CTR" start "$1"'
	sh -c "$in_session" x "$c" >"$work/err" 2>&1
	st=$?
	CTR_CGROUP_PARENT=/ctr-test.slice sh -c "$in_session" x "$c" >"$work/out" 2>&1
	st2=$?
	lim=$(cat /sys/fs/cgroup/ctr-test.slice/ctr-$c/pids.max 2>/dev/null)
	if [ "$st" = 1 ] && grep -q "no-internal-processes" "$work/err" && grep -q cgroup-parent "$work/err" &&
		[ "$st2" = 0 ] && [ "$lim" = 10 ]; then
		ok "v2 from a busy cgroup: refused with a clear reason; with cgroup-parent the limits hold"
	else
		not_ok "cgroup-parent on v2" "first start: exit $st, $(cat "$work/err")" \
			"with cgroup-parent: exit $st2, pids.max '$lim', $(cat "$work/out")"
	fi
	gone "$c"
	rmdir /sys/fs/cgroup/ctr-test.slice "$session" 2>/dev/null
fi

# 12. cgroup v2 only: a systemd unit with Delegate=yes. 'ctr start --foreground'
#     is the unit's main process, alone in the unit's cgroup; it moves itself
#     into a leaf (supervisor) so that the container's cgroup gets controllers.
c=${prefix}unit
if [ ! -f /sys/fs/cgroup/cgroup.controllers ] || [ "$(cat /proc/self/cgroup)" != "0::/" ]; then
	skip "systemd-style delegated unit on v2" "needs a cgroup v2 host and to run in its root cgroup"
else
	unit=/sys/fs/cgroup/ctr-test.service
	sed 's/\([a-z_]*\)/+\1/g' /sys/fs/cgroup/cgroup.controllers >/sys/fs/cgroup/cgroup.subtree_control
	mkdir -p "$unit"
	"$CTR" create "$c" --pids 10 --init "sleep 3" >/dev/null 2>&1
	# shellcheck disable=SC2016 # expanded by the inner shell
	sh -c 'echo $$ > '"$unit"'/cgroup.procs && exec "$CTR" start --foreground "$1"' x "$c" \
		>"$work/out" 2>&1 </dev/null &
	i=0
	while [ ! -f "$unit/ctr-$c/pids.max" ] && [ $i -lt 50 ]; do
		sleep 0.1
		i=$((i + 1))
	done
	lim=$(cat "$unit/ctr-$c/pids.max" 2>/dev/null)
	mon=$(cat "$unit/supervisor/cgroup.procs" 2>/dev/null | wc -l)
	wait
	st=$?
	if [ "$lim" = 10 ] && [ "$mon" -ge 1 ] && [ "$st" = 0 ] && [ ! -d "$unit/ctr-$c" ]; then
		ok "v2 delegated unit: monitor moved to a leaf, container limited (pids.max $lim), exit $st"
	else
		not_ok "systemd-style delegated unit on v2" "pids.max '$lim', monitor in leaf: $mon, exit $st" \
			"$(cat "$work/out")"
	fi
	gone "$c"
	rmdir "$unit/supervisor" "$unit" 2>/dev/null
fi

[ "$failed" = 0 ]
