#!/bin/sh
# The breakout suite, as a TAP script: every probe of ctr-probe
# (tests/security/probe.c) runs inside an unprivileged container (user
# namespace) and a privileged one (none), and each probe's verdict becomes a
# TAP line; then the checks only the host can make: its hostname, planted
# symlinks in the rootfs, what destroy leaves behind. POSIX sh.
#
# Env: CTR (the ctr binary), CTR_TEMPLATE_DIR, CTR_PROBE (the static ctr-probe).
set -u

: "${CTR:?set CTR to the ctr binary}"
: "${CTR_TEMPLATE_DIR:?set CTR_TEMPLATE_DIR}"

if [ "$(id -u)" != 0 ]; then
	echo "1..0 # SKIP needs root (namespaces, cgroups)"
	exit 0
fi
if [ -z "${CTR_PROBE:-}" ] || [ ! -x "$CTR_PROBE" ]; then
	echo "1..0 # SKIP CTR_PROBE (the static ctr-probe) is not built"
	exit 0
fi
# The containers' rootfs has no libc: a dynamically linked probe cannot run
# there (with libtool, -static is not enough: it takes -all-static).
if command -v readelf >/dev/null 2>&1 && readelf -l "$CTR_PROBE" 2>/dev/null | grep -q 'program interpreter'; then
	echo "Bail out! $CTR_PROBE is dynamically linked; it must be static (libtool: LDFLAGS = -all-static)"
	exit 1
fi

work=$(mktemp -d "${TMPDIR:-/tmp}/ctr-sec.XXXXXX")
export CTR_ROOT="$work/root" CTR_RUN_DIR="$work/run"
u=u$$
p=p$$
marker=ctr-host-marker-$$
probe_hostname=ctr-probe-$$
host_hostname=$(cat /proc/sys/kernel/hostname)
race_seconds=5
marker_pid=
loop_pid=
n=0
failed=0

cleanup() {
	[ -n "$loop_pid" ] && kill "$loop_pid" 2>/dev/null
	[ -n "$marker_pid" ] && kill "$marker_pid" 2>/dev/null
	for c in $("$CTR" list 2>/dev/null | awk 'NR > 1 { print $1 }'); do
		"$CTR" destroy --force "$c" >/dev/null 2>&1
	done
	# A probe that reached the host's hostname must not leave it changed.
	[ "$(cat /proc/sys/kernel/hostname)" = "$host_hostname" ] ||
		printf '%s' "$host_hostname" >/proc/sys/kernel/hostname
	# Nothing of ours stays mounted (a planted symlink that was followed).
	for m in $(mounts_under "$work" | sort -r); do
		umount -l "$m" 2>/dev/null
	done
	wait 2>/dev/null
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

# Mount points (as the host sees them) at or below a path.
mounts_under() {
	awk -v w="$1" 'index($5, w) == 1 { print $5 }' /proc/self/mountinfo
}

# A process that runs (a zombie waiting for its reaper does not count).
alive() {
	[ -r "/proc/$1/stat" ] && [ "$(sed 's/.*) \(.\).*/\1/' "/proc/$1/stat" 2>/dev/null)" != Z ]
}

# Host-side cgroup directories named ctr-NAME, anywhere we may have made them.
cgroup_dirs() {
	find /sys/fs/cgroup -maxdepth 6 -type d -name "ctr-$1" 2>/dev/null
}

# A number from 'ctr info NAME --json': pid (init) or monitorPid.
info_num() {
	"$CTR" info "$1" --json 2>/dev/null | tr ',{}' '\n' | sed -n "s/^ *\"$2\": *\([0-9][0-9]*\) *$/\1/p" | head -n 1
}

rootfs_of() {
	r=$("$CTR" info "$1" --json 2>/dev/null | tr ',{}' '\n' | sed -n 's/^ *"rootfs": *"\(.*\)" *$/\1/p' | head -n 1)
	echo "${r:-$CTR_ROOT/$1/rootfs}"
}

# TAP-safe text: a '#' would start a directive.
tap_text() {
	printf '%s' "$1" | sed 's/#/\\#/g'
}

# The host root filesystem's device as MAJ:MIN (empty when it has no block
# device: overlay, tmpfs, ... the device probes then skip).
host_dev() {
	d=$(stat -c %d / 2>/dev/null) || return 0
	maj=$(((d >> 8) & 0xfff))
	min=$(((d & 0xff) | ((d >> 12) & 0xfff00)))
	[ "$maj" -gt 0 ] && echo "$maj:$min"
}

# Up to 50 'ctr exec NAME true' during the exe race, bounded in time too.
exec_loop() {
	end=$(($(date +%s) + race_seconds + 2))
	i=0
	while [ $i -lt 50 ] && [ "$(date +%s)" -lt "$end" ]; do
		"$CTR" exec "$1" -- /bin/true >/dev/null 2>&1
		i=$((i + 1))
		sleep 0.05
	done
}

# One TAP line per probe line of file $2, prefixed with the mode $1; a
# probe that should have answered and did not is a failure.
report() {
	mode=$1
	out=$2
	shift 2
	if ! grep -q '^[A-Z]* [a-z0-9-]*:' "$out"; then
		not_ok "$mode: the probes did not run" "$(cat "$out.err" "$out")"
		return
	fi
	while IFS= read -r line; do
		name=${line#* }
		name=${name%%:*}
		text=$(tap_text "${line#*: }")
		case $line in
		"PASS "*) ok "$mode: $name: $text" ;;
		"SKIP "*) skip "$mode: $name" "$text" ;;
		"FAIL "*) not_ok "$mode: $name: $text" ;;
		*) echo "# $mode: $line" ;;
		esac
	done <"$out"
	for name in "$@"; do
		grep -q "^[A-Z]* $name:" "$out" ||
			not_ok "$mode: $name: no result (the probe run ended early: $(tail -n 1 "$out.err" 2>/dev/null))"
	done
}

# ---- set up -------------------------------------------------------------------

hostdev=$(host_dev)
echo "# host root device: ${hostdev:-none}; work dir $work"

# Two containers, the same limits; the probe goes in before start.
up=
for c in $u $p; do
	mode=unprivileged
	extra=
	[ "$c" = "$p" ] && mode=privileged && extra=--privileged
	# shellcheck disable=SC2086 # $extra is one word or none
	if ! "$CTR" create "$c" $extra --pids 128 --memory 256M --rlimit nofile=512:1024 >"$work/out" 2>&1; then
		not_ok "$mode: create" "$(cat "$work/out")"
		continue
	fi
	rootfs=$(rootfs_of "$c")
	if ! cp "$CTR_PROBE" "$rootfs/ctr-probe" || ! chmod 0755 "$rootfs/ctr-probe"; then
		not_ok "$mode: copy ctr-probe into $rootfs"
		continue
	fi
	if ! "$CTR" start "$c" >"$work/out" 2>&1; then
		not_ok "$mode: start" "$(cat "$work/out")"
		continue
	fi
	up="$up $c"
done

# A host process for the probes to look for (one process, no children).
# It waits on a FIFO; timeout bounds it should cleanup never run.
mkfifo "$work/fifo"
bound=
command -v timeout >/dev/null 2>&1 && bound="timeout 300"
# shellcheck disable=SC2016 # expanded by the inner shell
$bound sh -c 'read -r x <"$1"' "$marker" "$work/fifo" &
marker_pid=$!

# Every probe but the two run apart: proc-exe-race goes first, while
# exec_loop enters the container; legit-setuid needs no_new_privs off.
names=$("$CTR_PROBE" list | awk '$1 != "proc-exe-race" && $1 != "legit-setuid" { print $1 }')

# ---- the probes, in each container -----------------------------------------------

for c in $up; do
	mode=unprivileged
	other=$p
	[ "$c" = "$p" ] && mode=privileged && other=$u
	mon=$(info_num "$c" monitorPid)
	other_init=$(info_num "$other" pid)
	other_root=$(rootfs_of "$other")
	set -- --mode "$mode" --host-marker "$marker" --host-path "$work" --pids-max 128 --shm-max-mib 64 \
		--hostname-probe "$probe_hostname" --exe-race-seconds "$race_seconds"
	[ -n "$mon" ] && set -- "$@" --host-pid "$mon"
	[ -n "$hostdev" ] && set -- "$@" --host-dev "$hostdev"
	[ -n "$other_init" ] && set -- "$@" --other-pid "$other_init"
	set -- "$@" --other-root "$other_root"
	echo "# $mode: monitor $mon, other container's init ${other_init:-none}"

	exec_loop "$c" &
	loop_pid=$!
	# shellcheck disable=SC2086 # $names: one probe name per word
	"$CTR" exec "$c" -- /ctr-probe "$@" proc-exe-race $names >"$work/$mode.out" 2>"$work/$mode.out.err"
	st=$?
	wait "$loop_pid" 2>/dev/null
	loop_pid=
	"$CTR" exec --allow-new-privileges "$c" -- /ctr-probe "$@" legit-setuid >>"$work/$mode.out" 2>>"$work/$mode.out.err"
	# TIOCSTI once more with a terminal as the command's stdio (script(1)
	# gives ctr exec a pty): what an administrator's interactive shell is.
	if command -v script >/dev/null 2>&1; then
		script -qec "'$CTR' exec '$c' -- /ctr-probe tiocsti" /dev/null </dev/null 2>&1 | tr -d '\r' |
			sed -n 's/^\(PASS\|FAIL\|SKIP\) tiocsti:/\1 tiocsti-terminal:/p' >>"$work/$mode.out"
	fi
	[ "$st" -gt 1 ] && echo "# $mode: ctr exec exit status $st: $(tail -n 3 "$work/$mode.out.err")"
	# shellcheck disable=SC2086
	if command -v script >/dev/null 2>&1; then
		report "$mode" "$work/$mode.out" proc-exe-race $names legit-setuid tiocsti-terminal
	else
		report "$mode" "$work/$mode.out" proc-exe-race $names legit-setuid
		skip "$mode: tiocsti-terminal" "script(1) is not installed (bsdutils)"
	fi
done

# ---- what only the host can check ------------------------------------------------

# The sethostname probes changed the containers' hostnames, never the host's.
now=$(cat /proc/sys/kernel/hostname)
inside=
for c in $up; do
	inside="$inside $c: $("$CTR" exec "$c" -- hostname 2>/dev/null)"
done
if [ -z "$up" ]; then
	skip "host hostname unchanged" "no container ran"
elif [ "$now" = "$host_hostname" ]; then
	ok "host hostname still '$now' (inside:$inside)"
else
	not_ok "host hostname changed to '$now' (restored to '$host_hostname')"
	printf '%s' "$host_hostname" >/proc/sys/kernel/hostname
fi

# --rlimit nofile=512:1024 is what the container's processes get.
for c in $up; do
	# shellcheck disable=SC2016 # expanded by the container's shell
	got=$("$CTR" exec "$c" -- sh -c 'echo "$(ulimit -n):$(ulimit -Hn)"' 2>&1)
	if [ "$got" = 512:1024 ]; then
		ok "$c: RLIMIT_NOFILE is 512:1024"
	else
		not_ok "$c: RLIMIT_NOFILE is '$got' (want 512:1024)"
	fi
done

# A symlink planted in the rootfs where ctr mounts /dev, /proc or /sys, pointing
# at a host directory: start refuses and names the path, or starts with the
# link defused; either way nothing is mounted on or written into the host dir.
for what in dev proc sys; do
	c=l$what$$
	target=$work/host-$what
	mkdir -p "$target"
	if ! "$CTR" create "$c" >"$work/out" 2>&1; then
		not_ok "planted /$what symlink: create" "$(cat "$work/out")"
		continue
	fi
	rootfs=$(rootfs_of "$c")
	rm -rf "${rootfs:?}/$what"
	ln -s "$target" "$rootfs/$what"
	if "$CTR" start "$c" >"$work/out" 2>&1; then
		started=yes
	else
		started=no
	fi
	mounted=$(mounts_under "$target")
	written=$(ls -A "$target")
	if [ "$started" = yes ]; then
		link=$("$CTR" exec "$c" -- sh -c "[ -L /$what ] && echo link" 2>&1)
		if [ -z "$mounted" ] && [ -z "$written" ] && [ -z "$link" ]; then
			ok "planted /$what symlink: started with it defused, host dir untouched"
		else
			not_ok "planted /$what symlink: started" "mounted on host dir: '$mounted'" \
				"written into it: '$written'" "/$what inside is a symlink: '$link'"
		fi
	elif [ -z "$mounted" ] && [ -z "$written" ] && grep -q "/$what" "$work/out"; then
		ok "planted /$what symlink: start refused: $(tap_text "$(tail -n 1 "$work/out" | cut -c1-100)")"
	else
		not_ok "planted /$what symlink: start refused" "message: $(cat "$work/out")" \
			"mounted on host dir: '$mounted'" "written into it: '$written'"
	fi
	"$CTR" destroy --force "$c" >/dev/null 2>&1
	if [ -n "$(cgroup_dirs "$c")" ]; then
		not_ok "planted /$what symlink: cgroups left after destroy" "$(cgroup_dirs "$c")"
	fi
done

# After stop and destroy: no process, mount or cgroup of the containers is left.
pids=
for c in $u $p; do
	pids="$pids $(info_num "$c" monitorPid) $(info_num "$c" pid)"
	"$CTR" stop "$c" >/dev/null 2>&1
	"$CTR" destroy --force "$c" >/dev/null 2>&1
done
i=0
while [ $i -lt 20 ]; do
	left_pids=
	for pid in $pids; do
		alive "$pid" && left_pids="$left_pids $pid"
	done
	[ -z "$left_pids" ] && [ -z "$(mounts_under "$work")" ] && break
	sleep 0.1
	i=$((i + 1))
done
left_mounts=$(mounts_under "$work")
left_cgroups=$(cgroup_dirs "$u")$(cgroup_dirs "$p")
if [ -z "$left_mounts" ] && [ -z "$left_cgroups" ] && [ -z "$left_pids" ] && [ ! -e "$CTR_ROOT/$u" ] &&
	[ ! -e "$CTR_ROOT/$p" ]; then
	ok "after destroy: no monitor or init left, no mount under $work, no cgroup ctr-$u or ctr-$p"
else
	not_ok "after destroy" "processes (monitor, init):$left_pids" "mounts: $left_mounts" \
		"cgroups: $left_cgroups" "directories: $(ls -d "$CTR_ROOT/$u" "$CTR_ROOT/$p" 2>/dev/null)"
fi

echo "1..$n"
[ "$failed" = 0 ]
