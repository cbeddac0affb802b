#!/usr/bin/env bats
# The whole life of a busybox container: create, start, look inside, exec, console,
# stop (gracefully and by force), crashes of init and of the supervisor, races,
# restart, kill, set, destroy.

load helpers

RFC3339='^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}Z$'

# A shell init that exits 0 on SIGTERM at once (use with --stop-signal SIGTERM).
SHELL_INIT="/bin/sh -c 'trap \"exit 0\" TERM; while :; do sleep 1 & wait \$!; done'"

# start_busybox NAME [create options...]: create and start a busybox container.
start_busybox() {
	local n=$1
	shift
	ctr create "$n" "$@"
	ctr start "$n"
	state_is "$n" running
}

# The caller's own cgroup path in the memory hierarchy (the one that is not "/" here).
own_cgroup() {
	awk -F: -v c="$1" '{ n = split($2, a, ","); for (i = 1; i <= n; i++) if (a[i] == c) print $3 }' /proc/self/cgroup
}

# Processes of a container's cgroup (any hierarchy holds them all).
cgroup_procs() {
	local d
	d=$(cgroup_dirs "$1" | head -n1)
	if [ -n "$d" ]; then cat "$d/cgroup.procs"; fi
}

# How many processes named "init" are in the container's cgroup.
count_inits() {
	local p n=0
	for p in $(cgroup_procs "$1"); do
		if [ "$(cat "/proc/$p/comm" 2>/dev/null)" = init ]; then n=$((n + 1)); fi
	done
	echo "$n"
}

# How many monitors (ctr processes started by `ctr start NAME` that are still there).
count_monitors() {
	local name=$1 n=0 p a
	for p in /proc/[0-9]*; do
		a=()
		mapfile -d '' a 2>/dev/null <"$p/cmdline" || continue
		[ "${#a[@]}" -gt 0 ] || continue
		if [[ "${a[*]}" == *"$T"*" start $name" ]]; then
			n=$((n + 1))
		fi
	done
	echo "$n"
}

@test "full lifecycle: create, list, start, list/info --json, exec, stop, destroy" {
	n=$(cname)

	run --separate-stderr ctr create "$n"
	expect_status 0
	expect_eq "$output" "" "create's stdout"
	[ -f "$T/lib/$n/config.json" ]
	[ -x "$T/lib/$n/rootfs/bin/busybox" ]
	[ -e "$T/lib/$n/rootfs/sbin/init" ]
	[ -f "$T/lib/$n/rootfs/etc/inittab" ]

	# created, not running
	run --separate-stderr ctr list --json
	expect_status 0
	expect_eq "$(jget 'len(d["containers"])' <<<"$output")" 1 "number of containers"
	expect_eq "$(jget 'd["containers"][0]["name"]' <<<"$output")" "$n" name
	expect_eq "$(jget 'd["containers"][0]["state"]' <<<"$output")" stopped state
	expect_eq "$(jget 'd["containers"][0]["pid"]' <<<"$output")" null pid
	expect_eq "$(jget 'd["containers"][0]["started"]' <<<"$output")" null started
	expect_eq "$(jget 'd["containers"][0]["rootfs"]' <<<"$output")" "$T/lib/$n/rootfs" rootfs
	expect_eq "$(cinfo "$n" 'd["lastExit"]')" null "lastExit before the first start"
	expect_eq "$(cinfo "$n" 'd["monitorPid"]')" null "monitorPid while stopped"

	# a detached start returns at once and keeps none of our descriptors: a pipe
	# on its stdout and stderr reaches EOF as soon as it has exited
	t0=$(now_ms)
	rc=0
	timeout 10 bash -c '"$@" 2>&1 | cat >"$0"' "$T/start.out" "$CTR" "${CTR_ARGS[@]}" start "$n" || rc=$?
	expect_eq "$rc" 0 "start (124: its output pipe stayed open)"
	[ $(($(now_ms) - t0)) -lt 5000 ]
	expect_eq "$(cat "$T/start.out")" "" "start's output"

	# list --json while running
	run --separate-stderr ctr list --json
	expect_status 0
	expect_eq "$(jget 'len(d["containers"])' <<<"$output")" 1 "number of containers"
	expect_eq "$(jget 'd["containers"][0]["state"]' <<<"$output")" running state
	pid=$(jget 'd["containers"][0]["pid"]' <<<"$output")
	[[ "$pid" =~ ^[0-9]+$ ]]
	[ "$pid" -gt 1 ]
	[ -d "/proc/$pid" ]
	started=$(jget 'd["containers"][0]["started"]' <<<"$output")
	[[ "$started" =~ $RFC3339 ]]
	# started is "now" (within two minutes)
	st=$(date -u -d "${started/T/ }" +%s)
	[ $(($(date +%s) - st)) -lt 120 ]
	[ $((st - $(date +%s))) -lt 5 ]
	expect_eq "$(jget 'd["containers"][0]["rootfs"]' <<<"$output")" "$T/lib/$n/rootfs" rootfs

	# the table
	run --separate-stderr ctr list
	expect_status 0
	[[ "${lines[0]}" =~ ^NAME[[:space:]]+STATE[[:space:]]+PID[[:space:]]+STARTED[[:space:]]+ROOTFS ]]
	[[ "${lines[1]}" =~ ^${n}[[:space:]]+running[[:space:]]+${pid}[[:space:]]+${started}[[:space:]]+${T}/lib/${n}/rootfs$ ]]

	# info --json while running
	run --separate-stderr ctr info --json "$n"
	expect_status 0
	info=$output
	expect_eq "$(jget 'd["name"]' <<<"$info")" "$n" name
	expect_eq "$(jget 'd["state"]' <<<"$info")" running state
	expect_eq "$(jget 'd["pid"]' <<<"$info")" "$pid" pid
	expect_eq "$(jget 'd["started"]' <<<"$info")" "$started" started
	expect_eq "$(jget 'd["rootfs"]' <<<"$info")" "$T/lib/$n/rootfs" rootfs
	expect_eq "$(jget 'd["lastExit"]' <<<"$info")" null lastExit
	mon=$(jget 'd["monitorPid"]' <<<"$info")
	[[ "$mon" =~ ^[0-9]+$ ]]
	[ -d "/proc/$mon" ]
	# the monitor is init's parent
	expect_eq "$(awk '/^PPid:/ {print $2}' "/proc/$pid/status")" "$mon" "init's parent"
	expect_eq "$(jget 'd["config"]["hostname"]' <<<"$info")" "$n" config.hostname
	expect_eq "$(jget 'd["config"]["process"]["args"]' <<<"$info")" '["/sbin/init"]' config.process.args
	expect_eq "$(jget 'd["config"]["root"]["path"]' <<<"$info")" rootfs config.root.path
	expect_eq "$(jget 'd["config"]["ctr"]["template"]' <<<"$info")" busybox config.ctr.template
	expect_eq "$(jget 'd["config"]["ctr"]["stopSignal"]' <<<"$info")" SIGUSR2 config.ctr.stopSignal
	expect_eq "$(jget 'd["config"]["ctr"]["stopTimeout"]' <<<"$info")" 10 config.ctr.stopTimeout
	expect_eq "$(jget 'sorted(x["type"] for x in d["config"]["linux"]["namespaces"])' <<<"$info")" \
		'["cgroup","ipc","mount","network","pid","user","uts"]' namespaces
	# info (text) names the container and its state
	run --separate-stderr ctr info "$n"
	expect_status 0
	expect_contains "$output" "$n"
	expect_contains "$output" running

	# volatile state and cgroups exist while running, below our own cgroup
	[ -d "$T/run/$n" ]
	cgs=$(cgroup_dirs "$n")
	[ -n "$cgs" ]
	for d in $cgs; do
		grep -qx "$pid" "$d/cgroup.procs" || {
			echo "init $pid not in $d"
			return 1
		}
	done
	mem=$(own_cgroup memory)
	if [ -n "$mem" ] && [ -d /sys/fs/cgroup/memory ]; then
		[ -d "/sys/fs/cgroup/memory${mem%/}/ctr-$n" ] || {
			echo "no memory cgroup below our own ($mem): $cgs"
			return 1
		}
	fi

	# exec
	run --separate-stderr ctr exec "$n" -- hostname
	expect_status 0
	expect_eq "$output" "$n" hostname
	run --separate-stderr ctr exec "$n" -- cat /etc/hostname
	expect_eq "$output" "$n" /etc/hostname

	# stop
	run --separate-stderr ctr stop "$n"
	expect_status 0
	expect_eq "$output" "" "stop's stdout"
	run --separate-stderr ctr list --json
	expect_eq "$(jget 'd["containers"][0]["state"]' <<<"$output")" stopped state
	expect_eq "$(jget 'd["containers"][0]["pid"]' <<<"$output")" null pid
	expect_eq "$(jget 'd["containers"][0]["started"]' <<<"$output")" null started
	run --separate-stderr ctr info --json "$n"
	expect_eq "$(jget 'd["state"]' <<<"$output")" stopped state
	expect_eq "$(jget 'd["monitorPid"]' <<<"$output")" null monitorPid
	# busybox: SIGUSR2 -> poweroff -> the kernel ends init with SIGINT
	expect_eq "$(jget 'd["lastExit"]["status"]' <<<"$output")" 130 lastExit.status
	expect_eq "$(jget 'd["lastExit"]["signal"]' <<<"$output")" 2 lastExit.signal
	[[ "$(jget 'd["lastExit"]["time"]' <<<"$output")" =~ $RFC3339 ]]
	wait_until 5 pid_gone "$pid"
	wait_until 5 pid_gone "$mon"
	[ ! -e "$T/run/$n" ]
	expect_eq "$(cgroup_dirs "$n")" "" "cgroups after stop"

	# destroy
	run --separate-stderr ctr destroy "$n"
	expect_status 0
	expect_eq "$output" "" "destroy's stdout"
	[ ! -e "$T/lib/$n" ]
	run --separate-stderr ctr list --json
	expect_status 0
	expect_eq "$(jget 'd["containers"]' <<<"$output")" "[]" containers
	run --separate-stderr ctr info "$n"
	expect_status 3
}

@test "isolation: pid 1 is the container's init, only its own processes are visible" {
	n=$(cname)
	start_busybox "$n"

	run --separate-stderr ctr exec "$n" -- cat /proc/1/comm
	expect_status 0
	expect_eq "$output" init "comm of pid 1"

	# init, the console shell and our own exec'd ps: a handful, no host process
	run --separate-stderr ctr exec "$n" -- ps -o pid,comm
	expect_status 0
	count=$((${#lines[@]} - 1))
	if [ "$count" -lt 2 ] || [ "$count" -gt 8 ]; then
		echo "unexpected number of processes ($count):"
		echo "$output"
		return 1
	fi
	expect_not_contains "$output" bats
	expect_not_contains "$output" ctr
	run --separate-stderr ctr exec "$n" -- sh -c 'ls -d /proc/[0-9]* | wc -l'
	[ "$output" -le 8 ]
	# our own (host) pid does not exist in there; neither does the monitor's
	mon=$(cinfo "$n" 'd["monitorPid"]')
	run --separate-stderr ctr exec "$n" -- cat "/proc/$mon/cmdline"
	[ "$status" -ne 0 ] || expect_not_contains "$output" ctr

	ctr stop --timeout 0 "$n"
}

@test "isolation: own hostname (create --hostname), own network with loopback up" {
	n=$(cname)
	start_busybox "$n" --hostname my-box.example

	run --separate-stderr ctr exec "$n" -- hostname
	expect_status 0
	expect_eq "$output" my-box.example hostname
	# the host's own hostname is untouched
	[ "$(uname -n)" != my-box.example ]

	run --separate-stderr ctr exec "$n" -- ip -o link show
	expect_status 0
	expect_contains "$output" "lo:"
	expect_not_contains "$output" "eth0"
	[ "${#lines[@]}" -eq 1 ]
	run --separate-stderr ctr exec "$n" -- ip -o link show lo
	expect_contains "$output" "UP"
	run --separate-stderr ctr exec "$n" -- ip -o -4 addr show lo
	expect_contains "$output" "127.0.0.1/8"
	run --separate-stderr ctr exec "$n" -- ping -c 1 -W 2 127.0.0.1
	expect_status 0

	ctr stop --timeout 0 "$n"
}

@test "isolation: own mount table without host paths, /sys read-only, /proc mounted" {
	n=$(cname)
	start_busybox "$n"

	run --separate-stderr ctr exec "$n" -- cat /proc/self/mountinfo
	expect_status 0
	mi=$output
	# field 5 is the mount point
	mps=$(awk '{ print $5 }' <<<"$mi")
	for mp in $mps; do
		case "$mp" in
		/ | /proc | /proc/* | /sys | /sys/* | /dev | /dev/* | /run | /run/*) ;;
		*)
			echo "unexpected mount point inside: $mp"
			echo "$mi"
			return 1
			;;
		esac
	done
	expect_not_contains "$mps" /work
	expect_not_contains "$mps" /tmp
	expect_not_contains "$mps" "$T"
	# the root is the container's rootfs (the only place the host path may appear)
	rootline=$(awk '$5 == "/"' <<<"$mi")
	[ "$(wc -l <<<"$rootline")" -eq 1 ]
	expect_contains "$rootline" "$T/lib/$n/rootfs"
	[ "$(grep -c "$T" <<<"$mi")" -eq 1 ]
	# nothing under / of the host is reachable
	run --separate-stderr ctr exec "$n" -- ls /
	expect_not_contains "$output" work
	run --separate-stderr ctr exec "$n" -- test -e "$T"
	expect_status 1

	# /sys is read-only
	run --separate-stderr ctr exec "$n" -- touch /sys/x
	[ "$status" -ne 0 ]
	expect_contains "$stderr" "Read-only file system"
	run --separate-stderr ctr exec "$n" -- sh -c 'awk "\$5 == \"/sys\" { print \$6 }" /proc/self/mountinfo'
	expect_contains "$output" ro
	# the rootfs itself is writable (root.readonly is false) and /proc is the container's
	run --separate-stderr ctr exec "$n" -- touch /tmp/written
	expect_status 0
	[ -e "$T/lib/$n/rootfs/tmp/written" ]
	run --separate-stderr ctr exec "$n" -- readlink /proc/self
	[[ "$output" =~ ^[0-9]+$ ]]
	[ "$output" -lt 100 ]

	ctr stop --timeout 0 "$n"
}

@test "isolation: /dev holds the standard nodes and no host device" {
	n=$(cname)
	start_busybox "$n"

	run --separate-stderr ctr exec "$n" -- ls -1 /dev
	expect_status 0
	devs=$output
	for d in null zero full random urandom tty console ptmx pts shm; do
		grep -qx "$d" <<<"$devs" || {
			echo "/dev/$d missing in: $devs"
			return 1
		}
	done
	for d in vda vdb sda sdb nvme0 nvme0n1 mem kmem port loop0 loop-control kmsg \
		mapper fuse net tty0 tty1 ttyS0 hvc0 dri input snd; do
		if grep -qx "$d" <<<"$devs"; then
			echo "host device /dev/$d visible in: $devs"
			return 1
		fi
	done
	# character devices with the right numbers, and they work
	run --separate-stderr ctr exec "$n" -- stat -c '%F %t:%T' /dev/null /dev/zero /dev/full /dev/urandom /dev/tty
	expect_status 0
	expect_eq "${lines[0]}" "character special file 1:3" /dev/null
	expect_eq "${lines[1]}" "character special file 1:5" /dev/zero
	expect_eq "${lines[2]}" "character special file 1:7" /dev/full
	expect_eq "${lines[3]}" "character special file 1:9" /dev/urandom
	expect_eq "${lines[4]}" "character special file 5:0" /dev/tty
	run --separate-stderr ctr exec "$n" -- sh -c 'head -c 16 /dev/zero | wc -c; echo x > /dev/null && echo ok'
	expect_eq "${lines[0]}" 16
	expect_eq "${lines[1]}" ok
	run --separate-stderr ctr exec "$n" -- sh -c 'echo x > /dev/full'
	[ "$status" -ne 0 ]
	# no block devices at all
	run --separate-stderr ctr exec "$n" -- find /dev -type b
	expect_status 0
	expect_eq "$output" "" "block devices"
	# /dev/shm and /dev/pts are mounted
	run --separate-stderr ctr exec "$n" -- awk '{ for (i = 7; i < NF; i++) if ($i == "-") { print $5, $(i + 1); break } }' /proc/self/mountinfo
	expect_contains "$output" "/dev/pts devpts"
	expect_contains "$output" "/dev/shm tmpfs"

	ctr stop --timeout 0 "$n"
}

@test "exec: exit status, stdin, stdout and stderr pass through" {
	n=$(cname)
	start_busybox "$n"

	run ctr exec "$n" -- sh -c 'exit 3'
	expect_status 3
	run ctr exec "$n" -- true
	expect_status 0
	run ctr exec "$n" -- sh -c 'exit 255'
	expect_status 255
	# killed by a signal: 128+N
	run ctr exec "$n" -- sh -c 'kill -9 $$'
	expect_status 137
	run ctr exec "$n" -- sh -c 'kill -TERM $$'
	expect_status 143

	run --separate-stderr bash -c 'echo foo | "$@"' x "$CTR" "${CTR_ARGS[@]}" exec "$n" -- cat
	expect_status 0
	expect_eq "$output" foo stdin
	# more than a pipe buffer, both ways
	run --separate-stderr bash -c 'seq 100000 | "$@" | md5sum' x "$CTR" "${CTR_ARGS[@]}" exec "$n" -- cat
	expect_status 0
	expect_eq "$output" "$(seq 100000 | md5sum)" "100000 lines through exec"
	# stdin closed: the command sees EOF
	run --separate-stderr ctr exec "$n" -- sh -c 'cat; echo eof' </dev/null
	expect_eq "$output" eof

	run --separate-stderr ctr exec "$n" -- sh -c 'echo to-out; echo to-err >&2; exit 4'
	expect_status 4
	expect_eq "$output" to-out stdout
	expect_eq "$stderr" to-err stderr
	# without -t there is no terminal
	run --separate-stderr ctr exec "$n" -- tty
	expect_status 1
	expect_eq "$output" "not a tty"

	ctr stop --timeout 0 "$n"
}

@test "exec: --env and --cwd" {
	n=$(cname)
	start_busybox "$n"

	run --separate-stderr ctr exec -e FOO=bar --env X=y "$n" -- sh -c 'echo "$FOO/$X"'
	expect_status 0
	expect_eq "$output" bar/y env
	# the config's environment is there too, and -e overrides it
	run --separate-stderr ctr exec "$n" -- sh -c 'echo "$container"'
	expect_eq "$output" ctr "container variable"
	run --separate-stderr ctr exec -e container=other "$n" -- sh -c 'echo "$container"'
	expect_eq "$output" other "overridden variable"
	# host environment does not leak in
	run --separate-stderr env CTR_LEAK_TEST=1 "$CTR" "${CTR_ARGS[@]}" exec "$n" -- sh -c 'echo "[$CTR_LEAK_TEST]"'
	expect_eq "$output" "[]" "host variable inside"

	run --separate-stderr ctr exec -w /etc "$n" -- pwd
	expect_status 0
	expect_eq "$output" /etc cwd
	run --separate-stderr ctr exec --cwd /var/log "$n" -- pwd
	expect_eq "$output" /var/log cwd
	run --separate-stderr ctr exec "$n" -- pwd
	expect_eq "$output" / "default cwd"

	ctr stop --timeout 0 "$n"
}

@test "exec: missing command exits 127, non-executable 126" {
	n=$(cname)
	start_busybox "$n"

	run -127 --separate-stderr ctr exec "$n" -- /nonexistent
	expect_contains "$stderr" "/nonexistent: No such file or directory"
	run -127 --separate-stderr ctr exec "$n" -- no-such-command
	expect_contains "$stderr" "no-such-command"
	run --separate-stderr ctr exec "$n" -- /etc/passwd
	expect_status 126
	expect_contains "$stderr" "Permission denied"
	# the container is unharmed
	state_is "$n" running

	ctr stop --timeout 0 "$n"
}

@test "exec -t gives the command a terminal" {
	n=$(cname)
	start_busybox "$n"

	run script -qec "$CTR ${CTR_ARGS[*]} exec -t $n -- tty" /dev/null
	expect_status 0
	[[ "$output" =~ /dev/pts/[0-9]+ ]] || {
		echo "expected /dev/pts/N, got: $output"
		return 1
	}
	run script -qec "$CTR ${CTR_ARGS[*]} exec --tty $n -- sh -c 'test -t 0 && test -t 1 && echo both-tty; exit 6'" /dev/null
	expect_status 6
	expect_contains "$output" both-tty

	ctr stop --timeout 0 "$n"
}

@test "console: attach, type a command, see its output; console.log records it" {
	n=$(cname)
	start_busybox "$n"
	# the console shell is up when its prompt ("HOSTNAME:/# ") has been logged
	wait_until 10 grep -q "$n:/" "$T/lib/$n/console.log"

	run --separate-stderr bash -c '( sleep 1; printf "echo marker-\$((6*7))\n"; sleep 1; printf "\001q" ) | timeout 10 "$@"' \
		x "$CTR" "${CTR_ARGS[@]}" console "$n"
	expect_status 0
	expect_contains "$output" marker-42
	# the container survives the detach
	state_is "$n" running
	wait_until 5 grep -q marker-42 "$T/lib/$n/console.log"

	ctr stop --timeout 0 "$n"
}

@test "stop: an init that ignores the stop signal is SIGKILLed after --timeout" {
	n=$(cname)
	ctr create "$n" --init "/bin/sh -c 'trap \"\" TERM USR2; while :; do sleep 1; done'"
	expect_eq "$(ctr config "$n" | jget 'd["process"]["args"]')" \
		'["/bin/sh","-c","trap \"\" TERM USR2; while :; do sleep 1; done"]' "parsed --init"
	ctr start "$n"
	pid=$(cinfo "$n" 'd["pid"]')

	t0=$(now_ms)
	run --separate-stderr ctr stop --timeout 1 "$n"
	t1=$(now_ms)
	expect_status 0
	el=$((t1 - t0))
	echo "stop took ${el} ms"
	[ "$el" -ge 900 ] || {
		echo "stop did not wait for the grace period ($el ms)"
		return 1
	}
	[ "$el" -lt 10000 ]
	expect_eq "$(cinfo "$n" 'd["state"]')" stopped state
	expect_eq "$(cinfo "$n" 'd["lastExit"]["signal"]')" 9 lastExit.signal
	expect_eq "$(cinfo "$n" 'd["lastExit"]["status"]')" 137 lastExit.status
	wait_until 5 pid_gone "$pid"
	expect_run_state_gone "$n"

	# the grace period stored with `set --stop-timeout` is the default
	ctr set "$n" --stop-timeout 1
	expect_eq "$(ctr config "$n" | jget 'd["ctr"]["stopTimeout"]')" 1 config.ctr.stopTimeout
	ctr start "$n"
	t0=$(now_ms)
	ctr stop "$n"
	el=$(($(now_ms) - t0))
	echo "stop with stopTimeout 1 took ${el} ms"
	[ "$el" -ge 900 ]
	[ "$el" -lt 10000 ]
	expect_eq "$(cinfo "$n" 'd["lastExit"]["signal"]')" 9 lastExit.signal

	# --timeout 0 kills at once
	ctr start "$n"
	t0=$(now_ms)
	ctr stop --timeout 0 "$n"
	t1=$(now_ms)
	[ $((t1 - t0)) -lt 900 ]
	expect_eq "$(cinfo "$n" 'd["lastExit"]["signal"]')" 9 lastExit.signal
}

@test "a second 'stop --timeout 0' during a slow stop kills at once" {
	n=$(cname)
	ctr create "$n" --init "/bin/sh -c 'trap \"\" TERM USR2; while :; do sleep 1; done'"
	ctr start "$n"

	t0=$(now_ms)
	timeout 20 "$CTR" "${CTR_ARGS[@]}" stop --timeout 8 "$n" >"$T/stop1.out" 2>&1 &
	first=$!
	wait_until 5 state_is "$n" stopping
	run --separate-stderr timeout 20 "$CTR" "${CTR_ARGS[@]}" stop --timeout 0 "$n"
	el=$(($(now_ms) - t0))
	echo "second stop returned after ${el} ms (the first one's grace period is 8000 ms)"
	rc1=0
	wait "$first" || rc1=$?
	[ "$el" -lt 4000 ] || {
		echo "the second stop waited for the first one's grace period"
		show_run
		return 1
	}
	expect_eq "$rc1" 0 "first stop"
	expect_status 0
	expect_eq "$(cinfo "$n" 'd["lastExit"]["signal"]')" 9 lastExit.signal
}

@test "init exiting on its own: state stopped, lastExit 5, run dir and cgroups gone" {
	n=$(cname)
	ctr create "$n" --init "/bin/sh -c 'sleep 1; exit 5'"
	ctr start "$n"
	pid=$(cinfo "$n" 'd["pid"]')
	mon=$(cinfo "$n" 'd["monitorPid"]')

	wait_until 10 state_is "$n" stopped
	expect_eq "$(cinfo "$n" 'd["lastExit"]["status"]')" 5 lastExit.status
	expect_eq "$(cinfo "$n" 'd["lastExit"]["signal"]')" null lastExit.signal
	expect_eq "$(cinfo "$n" 'd["pid"]')" null pid
	wait_until 5 pid_gone "$pid"
	wait_until 5 pid_gone "$mon"
	wait_until 5 test ! -e "$T/run/$n"
	expect_eq "$(cgroup_dirs "$n")" "" cgroups
	# and it can be started again
	ctr start "$n"
	wait_until 10 state_is "$n" stopped
}

@test "start --foreground: init's output on stdout, init's exit status" {
	n=$(cname)
	ctr create "$n" --init "/bin/sh -c 'echo hello-from-init; exit 7'"

	run --separate-stderr timeout 10 "$CTR" "${CTR_ARGS[@]}" start --foreground "$n" </dev/null
	expect_status 7
	expect_contains "$output" hello-from-init
	expect_eq "$(cinfo "$n" 'd["state"]')" stopped state
	expect_eq "$(cinfo "$n" 'd["lastExit"]["status"]')" 7 lastExit.status
	expect_run_state_gone "$n"
}

@test "start --foreground: init killed by signal N gives 128+N" {
	n=$(cname)
	ctr create "$n" --init "$SHELL_INIT" --stop-signal SIGTERM

	timeout 10 "$CTR" "${CTR_ARGS[@]}" start --foreground "$n" </dev/null >"$T/fg.out" 2>&1 &
	fg=$!
	wait_until 5 state_is "$n" running
	ctr kill "$n" KILL
	rc=0
	wait "$fg" || rc=$?
	expect_eq "$rc" 137 "foreground exit status"
	expect_eq "$(cinfo "$n" 'd["state"]')" stopped state
}

@test "start --foreground sends READY=1 to NOTIFY_SOCKET once init runs" {
	n=$(cname)
	ctr create "$n" --init "$SHELL_INIT" --stop-signal SIGTERM
	"$PYTHON" -c '
import socket, sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.bind(sys.argv[1])
s.settimeout(10)
print(s.recv(4096).decode())
' "$T/notify.sock" >"$T/notify.out" 2>&1 &
	py=$!
	wait_until 5 test -S "$T/notify.sock"
	NOTIFY_SOCKET=$T/notify.sock timeout 20 "$CTR" "${CTR_ARGS[@]}" start --foreground "$n" \
		</dev/null >"$T/fg.out" 2>&1 &
	fg=$!
	rc=0
	wait "$py" || rc=$?
	cat "$T/notify.out"
	expect_eq "$rc" 0 "notify listener"
	expect_contains "$(cat "$T/notify.out")" READY=1
	state_is "$n" running
	ctr stop "$n"
	rc=0
	wait "$fg" || rc=$?
	expect_eq "$rc" 0 "foreground exit status after stop"
}

@test "supervisor SIGKILLed: container shows stopped, init dies, next start works without duplicates" {
	n=$(cname)
	start_busybox "$n"
	pid=$(cinfo "$n" 'd["pid"]')
	mon=$(cinfo "$n" 'd["monitorPid"]')
	[ "$mon" != null ]

	kill -9 "$mon"
	wait_until 5 pid_gone "$mon"
	wait_until 5 pid_gone "$pid"
	expect_eq "$(cinfo "$n" 'd["state"]')" stopped "state after the monitor died"
	expect_eq "$(cinfo "$n" 'd["pid"]')" null pid
	expect_eq "$(cinfo "$n" 'd["monitorPid"]')" null monitorPid
	expect_eq "$(ctr list --json | jget 'd["containers"][0]["state"]')" stopped "list state"

	run --separate-stderr ctr start "$n"
	expect_status 0
	state_is "$n" running
	pid2=$(cinfo "$n" 'd["pid"]')
	[ "$pid2" != "$pid" ]
	expect_eq "$(count_inits "$n")" 1 "inits in the cgroup"
	expect_eq "$(count_monitors "$n")" 1 "monitors"
	run --separate-stderr ctr exec "$n" -- cat /proc/1/comm
	expect_eq "$output" init

	ctr stop "$n"
	expect_eq "$(cinfo "$n" 'd["state"]')" stopped state
}

@test "supervisor SIGTERMed: the container shuts down gracefully" {
	n=$(cname)
	start_busybox "$n"
	pid=$(cinfo "$n" 'd["pid"]')
	mon=$(cinfo "$n" 'd["monitorPid"]')

	kill -TERM "$mon"
	wait_until 12 pid_gone "$mon"
	wait_until 5 pid_gone "$pid"
	expect_eq "$(cinfo "$n" 'd["state"]')" stopped state
	# busybox's own poweroff ran: init ended by SIGINT, not SIGKILL
	expect_eq "$(cinfo "$n" 'd["lastExit"]["signal"]')" 2 lastExit.signal
	expect_run_state_gone "$n"
}

@test "after the supervisor was SIGKILLed, stop and destroy remove the leftovers" {
	n=$(cname)
	start_busybox "$n"
	pid=$(cinfo "$n" 'd["pid"]')
	kill -9 "$(cinfo "$n" 'd["monitorPid"]')"
	wait_until 5 pid_gone "$pid"

	run --separate-stderr ctr stop "$n"
	expect_status 4
	expect_contains "$stderr" "not running"
	[ ! -e "$T/run/$n" ]
	expect_eq "$(cgroup_dirs "$n")" "" "cgroups after stop"

	ctr start "$n"
	pid=$(cinfo "$n" 'd["pid"]')
	kill -9 "$(cinfo "$n" 'd["monitorPid"]')"
	wait_until 5 pid_gone "$pid"
	run --separate-stderr ctr destroy "$n"
	expect_status 0
	[ ! -e "$T/lib/$n" ]
	[ ! -e "$T/run/$n" ]
	expect_eq "$(cgroup_dirs "$n")" "" "cgroups after destroy"
}

@test "exec'd processes live in the container's cgroup and end when it stops" {
	n=$(cname)
	start_busybox "$n"

	timeout 20 "$CTR" "${CTR_ARGS[@]}" exec "$n" -- sleep 100 </dev/null >/dev/null 2>&1 &
	ex=$!
	wait_until 5 bash -c 'for p in $(cat "$1"/cgroup.procs); do
		[ "$(cat /proc/$p/comm 2>/dev/null)" = sleep ] && exit 0; done; exit 1' x "$(cgroup_dirs "$n" | head -n1)"
	run --separate-stderr ctr exec "$n" -- ps -o comm
	expect_contains "$output" sleep

	ctr stop --timeout 0 "$n"
	rc=0
	wait "$ex" || rc=$?
	expect_eq "$rc" 137 "exit status of the exec'd sleep killed by the stop"
	expect_eq "$(cinfo "$n" 'd["state"]')" stopped state
}

@test "stop removes the cgroups even when a process in them takes a moment to exit" {
	# Like exec's helper (which stays outside the container's pid namespace but in
	# its cgroups), a host process that is still exiting when init is gone must not
	# make ctr leave the cgroups behind. A process with 256 MiB of memory takes a
	# few milliseconds to exit after SIGKILL.
	n=$(cname)
	start_busybox "$n"
	"$PYTHON" -c '
import sys, time
b = b"\x01" * (256 << 20)
open(sys.argv[1], "w").write("ready")
time.sleep(60)
' "$T/ready" &
	big=$!
	wait_until 10 test -s "$T/ready"
	for d in $(cgroup_dirs "$n"); do
		echo "$big" >"$d/cgroup.procs"
	done
	run --separate-stderr ctr stop --timeout 0 "$n"
	expect_status 0
	rc=0
	wait "$big" || rc=$?
	expect_eq "$rc" 137 "the helper process was killed by the stop"
	expect_eq "$(cinfo "$n" 'd["state"]')" stopped state
	wait_until 5 test -z "$(cgroup_dirs "$n")" || {
		echo "cgroups left after stop:"
		cgroup_dirs "$n"
		return 1
	}
}

@test "console.log is rotated to console.log.1 at 1 MiB" {
	n=$(cname)
	start_busybox "$n"
	run --separate-stderr ctr exec "$n" -- sh -c 'head -c 1200000 /dev/zero | tr "\0" x >/dev/console; echo written'
	expect_status 0
	expect_eq "$output" written
	wait_until 5 test -f "$T/lib/$n/console.log.1"
	size1=$(stat -c %s "$T/lib/$n/console.log.1")
	size0=$(stat -c %s "$T/lib/$n/console.log")
	echo "console.log.1: $size1 bytes, console.log: $size0 bytes"
	[ "$size1" -le 1048576 ]
	[ "$size0" -lt 1048576 ]
	[ $((size0 + size1)) -ge 1200000 ]
	ctr stop --timeout 0 "$n"
}

@test "two racing starts: exactly one wins, the other exits 4; one init" {
	n=$(cname)
	ctr create "$n"
	for round in 1 2 3; do
		for i in 1 2; do
			(
				rc=0
				"$CTR" "${CTR_ARGS[@]}" start "$n" >"$T/o$i" 2>&1 || rc=$?
				echo "$rc" >"$T/s$i"
			) &
		done
		wait
		s=$(sort <(cat "$T/s1") <(cat "$T/s2") | tr '\n' ' ')
		echo "round $round: exit statuses $s; outputs: $(cat "$T/o1") | $(cat "$T/o2")"
		expect_eq "$s" "0 4 " "exit statuses"
		if [ "$(cat "$T/s1")" = 4 ]; then loser=$T/o1; else loser=$T/o2; fi
		grep -Eq "already (running|starting)" "$loser"
		state_is "$n" running
		expect_eq "$(count_inits "$n")" 1 "inits in the cgroup"
		expect_eq "$(count_monitors "$n")" 1 "monitors"
		ctr stop --timeout 0 "$n"
	done
}

@test "restart: a running container gets a new init; a stopped one is started" {
	n=$(cname)
	start_busybox "$n"
	pid=$(cinfo "$n" 'd["pid"]')

	run --separate-stderr ctr restart "$n"
	expect_status 0
	state_is "$n" running
	pid2=$(cinfo "$n" 'd["pid"]')
	[ "$pid2" != "$pid" ]
	pid_gone "$pid"
	expect_eq "$(cinfo "$n" 'd["lastExit"]["status"]')" 130 "lastExit of the first run"
	expect_eq "$(count_inits "$n")" 1 "inits in the cgroup"

	ctr stop --timeout 0 "$n"
	run --separate-stderr ctr restart --timeout 1 "$n"
	expect_status 0
	state_is "$n" running

	ctr stop --timeout 0 "$n"
}

@test "kill: KILL stops the container with signal 9; signals by name and number" {
	n=$(cname)
	start_busybox "$n"
	pid=$(cinfo "$n" 'd["pid"]')

	run --separate-stderr ctr kill "$n" KILL
	expect_status 0
	wait_until 5 state_is "$n" stopped
	expect_eq "$(cinfo "$n" 'd["lastExit"]["signal"]')" 9 lastExit.signal
	expect_eq "$(cinfo "$n" 'd["lastExit"]["status"]')" 137 lastExit.status
	wait_until 5 pid_gone "$pid"
	wait_until 5 test ! -e "$T/run/$n"
	expect_eq "$(cgroup_dirs "$n")" "" cgroups

	# a shell init with a TERM handler: default signal is SIGTERM
	ctr set "$n" --init "$SHELL_INIT"
	ctr start "$n"
	run --separate-stderr ctr kill "$n"
	expect_status 0
	wait_until 5 state_is "$n" stopped
	expect_eq "$(cinfo "$n" 'd["lastExit"]["status"]')" 0 "exit after SIGTERM"

	ctr start "$n"
	ctr kill "$n" SIGKILL
	wait_until 5 state_is "$n" stopped
	expect_eq "$(cinfo "$n" 'd["lastExit"]["signal"]')" 9 "SIGKILL by name"
	ctr start "$n"
	ctr kill "$n" 9
	wait_until 5 state_is "$n" stopped
	expect_eq "$(cinfo "$n" 'd["lastExit"]["signal"]')" 9 "SIGKILL by number"
}

@test "set: new hostname, init and stop signal apply at the next start" {
	n=$(cname)
	start_busybox "$n"
	run --separate-stderr ctr exec "$n" -- hostname
	expect_eq "$output" "$n"

	run --separate-stderr ctr set "$n" --hostname renamed-box
	expect_status 0
	expect_eq "$output" "" "set's stdout"
	expect_eq "$(ctr config "$n" | jget 'd["hostname"]')" renamed-box config.hostname
	# still the old one until the restart
	run --separate-stderr ctr exec "$n" -- hostname
	expect_eq "$output" "$n"
	ctr restart "$n"
	run --separate-stderr ctr exec "$n" -- hostname
	expect_eq "$output" renamed-box "hostname after restart"

	ctr set "$n" --init "/bin/sh -c 'echo \"a b\"; exit 9'" --stop-signal SIGTERM
	expect_eq "$(ctr config "$n" | jget 'd["process"]["args"]')" '["/bin/sh","-c","echo \"a b\"; exit 9"]' args
	expect_eq "$(ctr config "$n" | jget 'd["ctr"]["stopSignal"]')" SIGTERM stopSignal
	ctr stop --timeout 0 "$n"
	run --separate-stderr timeout 10 "$CTR" "${CTR_ARGS[@]}" start --foreground "$n" </dev/null
	expect_status 9
	expect_contains "$output" "a b"
}

@test "destroy: refuses a running container (4), --force stops and removes it" {
	n=$(cname)
	start_busybox "$n"
	pid=$(cinfo "$n" 'd["pid"]')

	run --separate-stderr ctr destroy "$n"
	expect_status 4
	expect_contains "$stderr" "running"
	state_is "$n" running
	[ -d "$T/lib/$n/rootfs/bin" ]

	run --separate-stderr ctr destroy --force "$n"
	expect_status 0
	[ ! -e "$T/lib/$n" ]
	[ ! -e "$T/run/$n" ]
	wait_until 5 pid_gone "$pid"
	expect_eq "$(cgroup_dirs "$n")" "" cgroups
	run --separate-stderr ctr info "$n"
	expect_status 3
}

@test "create of an existing name exits 6 and leaves the existing container alone" {
	n=$(cname)
	ctr create "$n" --hostname first-one
	before=$(ctr config "$n")
	run --separate-stderr ctr create "$n" --hostname second-one
	expect_status 6
	expect_contains "$stderr" "already exists"
	expect_eq "$(ctr config "$n")" "$before" "config after the failed create"
	[ -x "$T/lib/$n/rootfs/bin/busybox" ]
}

@test "a rootfs mount point that is a symlink to a host directory: start fails, nothing mounted" {
	n=$(cname)
	ctr create "$n"
	mkdir "$T/escape"
	rm -rf "$T/lib/$n/rootfs/run"
	ln -s "$T/escape" "$T/lib/$n/rootfs/run"
	run --separate-stderr ctr start "$n"
	expect_status 1
	expect_contains "$stderr" "/run"
	expect_eq "$(test_mounts)" "" "host mounts under the test dir"
	expect_eq "$(ls -A "$T/escape")" "" "the host directory"
	expect_eq "$(cinfo "$n" 'd["state"]')" stopped state
	expect_run_state_gone "$n"
}

@test "failed start (--init /nonexistent): exit 1, clear message, nothing left, fixable" {
	n=$(cname)
	ctr create "$n" --init /nonexistent

	run --separate-stderr ctr start "$n"
	expect_status 1
	expect_contains "$stderr" "start $n: exec /nonexistent: No such file or directory"
	expect_eq "$(cinfo "$n" 'd["state"]')" stopped state
	expect_eq "$(cinfo "$n" 'd["pid"]')" null pid
	expect_run_state_gone "$n"
	expect_eq "$(test_processes)" "" "processes"
	expect_eq "$(test_mounts)" "" "mounts"

	# a second failure behaves the same
	run --separate-stderr ctr start "$n"
	expect_status 1

	run --separate-stderr ctr set "$n" --init /sbin/init
	expect_status 0
	run --separate-stderr ctr start "$n"
	expect_status 0
	state_is "$n" running
	run --separate-stderr ctr exec "$n" -- cat /proc/1/comm
	expect_eq "$output" init
	ctr stop --timeout 0 "$n"
}

@test "one name under two roots: the second start is refused (exit 6) and the first keeps running" {
	n=$(cname)
	local other=(--root "$T/lib2" --run-dir "$T/run2")
	register_root "$T/lib2" "$T/run2"
	ctr create "$n"
	"$CTR" "${other[@]}" create "$n"
	ctr start "$n"
	local pid
	pid=$(cinfo "$n" 'd["pid"]')
	run --separate-stderr "$CTR" "${other[@]}" start "$n"
	expect_status 6
	expect_contains "$stderr" "holds the processes of a running container: is a container named '$n' running under another ctr root?"
	# The first is untouched: same init, still answering.
	state_is "$n" running
	expect_eq "$(cinfo "$n" 'd["pid"]')" "$pid" "init of the first"
	ctr exec "$n" -- true
	[ -z "$(ls -A "$T/run2")" ]
	# Once the first stops, the second starts.
	ctr stop --timeout 0 "$n"
	"$CTR" "${other[@]}" start "$n"
	"$CTR" "${other[@]}" destroy --force "$n"
}
