#!/usr/bin/env bats
# ctr checkpoint / restore with CRIU: real dumps of real containers (user
# namespace, idmapped rootfs, veth in a bridge of a simulated host) and real
# restores. Needs CRIU >= 4.2 (scripts/install-criu); without it the tests that
# dump skip and say why.

load helpers

# The container's processes: a counter in a shell variable (written to /cnt
# every 0.1 s: the file shows whether memory came back, not the disk), a
# flock held by ctr-workload, and an echo server on TCP port 7000.
WORK_INIT='/bin/sh -c "/bin/ctr-workload lock /lockfile & nc -ll -p 7000 -e /bin/cat & i=0; while true; do i=$((i+1)); echo $i > /cnt; sleep 0.1; done"'

needs_criu() {
	needs_criu_workload
}

# make_workload NAME [create options...]: a container running WORK_INIT.
make_workload() {
	local c=$1
	shift
	ctr create "$c" --init "$WORK_INIT" "$@" >/dev/null || return 1
	cp "$CTR_WORKLOAD" "$T/lib/$c/rootfs/bin/ctr-workload"
}

cnt() {
	counter_at "$T/lib/$1/rootfs/cnt"
}

cnt_above() {
	local v
	v=$(cnt "$1")
	[ -n "$v" ] && [ "$v" -gt "$2" ]
}

locked() {
	[ "$(cat "$T/lib/$1/rootfs/lockfile.state" 2>/dev/null)" = locked ]
}

# The lock is held (by someone) if a non-blocking flock on the file fails.
lock_held() {
	! flock -n "$T/lib/$1/rootfs/lockfile" true
}

# tcp_client NS ADDR: from the simulated host, connect to ADDR:7000, check the
# echo, then wait for $T/go and check it again on the same connection.
# Writes "connected", then "ok" or "FAIL ..." to $T/tcp.
tcp_client() {
	nsenter --net="/run/netns/$1" "$PYTHON" -c '
import os, socket, sys, time
addr, out, go = sys.argv[1], sys.argv[2], sys.argv[3]
def say(s):
    with open(out + ".tmp", "w") as f: f.write(s)
    os.rename(out + ".tmp", out)
def echo(s, word):
    s.sendall(word)
    got = b""
    while len(got) < len(word):
        b = s.recv(64)
        if not b: raise OSError("connection closed")
        got += b
    if got != word: raise OSError("echo %r, expected %r" % (got, word))
try:
    s = socket.create_connection((addr, 7000), timeout=5)
    s.settimeout(20)
    echo(s, b"one\n")
    say("connected")
    for _ in range(600):
        if os.path.exists(go): break
        time.sleep(0.1)
    echo(s, b"two\n")
    say("ok")
except Exception as e:
    say("FAIL %s" % e)
' "$2" "$T/tcp" "$T/go" &
}

# The pids (inside) of init, the lock holder and the echo server.
stable_pids() {
	nctr "$1" exec "$2" -- ps -o pid,comm | awk '$2 == "sh" && $1 == 1 || $2 == "ctr-workload" || $2 == "nc"' | sort
}

tcp_is() {
	[ "$(cat "$T/tcp" 2>/dev/null)" = "$1" ]
}

@test "checkpoint and restore: the counter goes on, the lock and a TCP connection survive, exec works" {
	needs_criu
	local ns c before after pids_before pids_after
	ns=$(test_netns)
	# CRIU probes TCP repair on the host's loopback (a real host has it up).
	ip -n "$ns" link set lo up
	c=$(cname)
	make_workload "$c" --net "veth,bridge=cbr$BATS_TEST_NUMBER,bridge-ip=10.71.0.1/24,ip=10.71.0.2/24,gw=10.71.0.1"
	nctr "$ns" start "$c"
	wait_until 10 cnt_above "$c" 5
	wait_until 10 locked "$c"
	tcp_client "$ns" 10.71.0.2
	wait_until 10 tcp_is connected || { cat "$T/tcp"; false; }
	pids_before=$(stable_pids "$ns" "$c")

	run --separate-stderr nctr "$ns" --json checkpoint "$c"
	expect_status 0
	expect_eq "$(jget 'd["leaveRunning"]' <<<"$output")" false
	expect_eq "$(jget 'd["dir"]' <<<"$output")" "$T/lib/$c/checkpoint"
	[ "$(jget 'd["bytes"]' <<<"$output")" -gt 0 ]
	expect_eq "$(cinfo "$c" 'd["state"]')" stopped
	expect_eq "$(cinfo "$c" 'd["lastExit"]["checkpointed"]')" true
	# Stopped means stopped: nothing counts, no host end, no cgroup, no lock.
	before=$(cnt "$c")
	sleep 0.5
	expect_eq "$(cnt "$c")" "$before" "counter while checkpointed"
	expect_eq "$(ip -n "$ns" -o link show | grep -c ': ctr[0-9a-f]')" 0 "host ends"
	expect_run_state_gone "$c"
	! lock_held "$c"

	run --separate-stderr nctr "$ns" restore "$c"
	expect_status 0
	expect_eq "$(cinfo "$c" 'd["state"]')" running
	# Counted on from where it was, not from 1.
	wait_until 10 cnt_above "$c" "$before"
	after=$(cnt "$c")
	[ "$after" -lt $((before + 100)) ] || { echo "counter $before -> $after"; false; }
	lock_held "$c"
	pids_after=$(stable_pids "$ns" "$c")
	expect_eq "$pids_after" "$pids_before" "processes and their pids"
	# The established connection, from the simulated host, still echoes.
	touch "$T/go"
	wait_until 20 tcp_is ok || { cat "$T/tcp"; false; }
	# The console is the monitor's again: the log keeps growing.
	run nctr "$ns" exec "$c" -- sh -c 'echo restored-console > /dev/console'
	expect_status 0
	wait_until 5 grep -q restored-console "$T/lib/$c/console.log"

	# Once more: a restored container (now in a time namespace of CRIU's)
	# checkpoints and restores too; --json on the command itself.
	run --separate-stderr nctr "$ns" checkpoint --json "$c"
	expect_status 0
	expect_eq "$(jget 'd["name"]' <<<"$output")" "$c"
	before=$(cnt "$c")
	nctr "$ns" restore "$c"
	wait_until 10 cnt_above "$c" "$before"
	lock_held "$c"
	expect_eq "$(stable_pids "$ns" "$c")" "$pids_before" "processes and their pids, second time"

	nctr "$ns" stop -t 1 "$c"
	expect_run_state_gone "$c"
	expect_eq "$(ip -n "$ns" -o link show | grep -c ': ctr[0-9a-f]')" 0 "host ends after stop"
}

@test "checkpoint --leave-running is a stateful snapshot to go back to" {
	needs_criu
	local c snap later now
	c=$(cname)
	make_workload "$c" --net none
	ctr start "$c"
	wait_until 10 cnt_above "$c" 3
	run --separate-stderr ctr checkpoint --leave-running --dir "$T/snap" "$c"
	expect_status 0
	expect_contains "$output" "keeps running"
	snap=$(cnt "$c")
	expect_eq "$(cinfo "$c" 'd["state"]')" running
	wait_until 10 cnt_above "$c" $((snap + 20))
	later=$(cnt "$c")
	ctr stop -t 1 "$c"
	expect_eq "$(cinfo "$c" 'd["lastExit"]["checkpointed"]')" false

	# Back to the snapshot: the counter resumes from (about) its value then.
	ctr restore --dir "$T/snap" "$c"
	sleep 0.3
	now=$(cnt "$c")
	[ "$now" -lt "$later" ] || { echo "snapshot $snap, stopped at $later, now $now"; false; }
	[ "$now" -ge "$snap" ]
	# A snapshot can be restored again.
	ctr stop -t 1 "$c"
	ctr restore --dir "$T/snap" "$c"
	expect_eq "$(cinfo "$c" 'd["state"]')" running
	ctr stop -t 1 "$c"
}

@test "a privileged container (no user namespace) checkpoints and restores" {
	needs_criu
	local c before
	c=$(cname)
	make_workload "$c" --privileged --net none
	ctr start "$c"
	wait_until 10 cnt_above "$c" 3
	ctr checkpoint "$c"
	before=$(cnt "$c")
	ctr restore "$c"
	wait_until 10 cnt_above "$c" "$before"
	lock_held "$c"
	ctr stop -t 1 "$c"
}

@test "checkpoint and restore refuse what cannot be done, and leave nothing" {
	needs_criu
	local c other
	c=$(cname)
	other=$(cname other)
	make_workload "$c" --net none
	make_workload "$other" --net none

	run --separate-stderr ctr checkpoint "$c"
	expect_status 4
	expect_contains "$stderr" "is stopped; only a running container can be checkpointed"
	run --separate-stderr ctr restore "$c"
	expect_status 3
	expect_contains "$stderr" "no checkpoint in $T/lib/$c/checkpoint"
	run --separate-stderr ctr checkpoint nosuch
	expect_status 3
	run --separate-stderr ctr restore nosuch
	expect_status 3
	run --separate-stderr ctr checkpoint 'bad/name'
	expect_status 2

	ctr start "$c"
	wait_until 10 cnt_above "$c" 2
	ctr pause "$c"
	run --separate-stderr ctr checkpoint "$c"
	expect_status 4
	expect_contains "$stderr" "is paused"
	expect_contains "$stderr" "ctr resume"
	ctr resume "$c"
	ctr checkpoint --leave-running "$c"
	# Running: restore refuses. Another container's checkpoint: refused.
	run --separate-stderr ctr restore "$c"
	expect_status 4
	expect_contains "$stderr" "stop it before restoring"
	run --separate-stderr ctr restore --dir "$T/lib/$c/checkpoint" "$other"
	expect_status 2
	expect_contains "$stderr" "is of container '$c', not '$other'"
	# A directory of something else is never replaced.
	mkdir "$T/precious"
	echo keep >"$T/precious/file"
	run --separate-stderr ctr checkpoint --dir "$T/precious" "$c"
	expect_status 6
	expect_contains "$stderr" "is not empty and holds no checkpoint"
	expect_eq "$(cat "$T/precious/file")" keep
	[ ! -e "$T/precious.new" ]
	# Nor DIR.old or DIR.new, which a checkpoint replaces or removes.
	mkdir "$T/snap2.old"
	echo keep >"$T/snap2.old/file"
	run --separate-stderr ctr checkpoint --leave-running --dir "$T/snap2" "$c"
	expect_status 6
	expect_eq "$(cat "$T/snap2.old/file")" keep
	[ ! -e "$T/snap2" ]
	# A directory that cannot be created: nothing left behind, it runs on.
	run --separate-stderr ctr checkpoint --dir "$T/no/such/dir" "$c"
	expect_status 3
	[ ! -e "$T/no" ]
	expect_eq "$(cinfo "$c" 'd["state"]')" running
	ctr stop -t 1 "$c"

	# Broken images: the restore fails, says where CRIU's log is, and
	# leaves no process, cgroup, mount or run state.
	rm "$T/lib/$c/checkpoint/"core-*.img
	run --separate-stderr ctr restore "$c"
	expect_status 1
	expect_contains "$stderr" "criu restore failed"
	expect_contains "$stderr" "$T/lib/$c/restore.log"
	expect_eq "$(cinfo "$c" 'd["state"]')" stopped
	expect_run_state_gone "$c"
	expect_eq "$(ls -d /dev/shm/ctr-restore-"$c"-* 2>/dev/null)" "" "restore stage"
}

@test "CRIU missing or too old: the error names the version needed" {
	local c
	c=$(cname)
	ctr create "$c" --net none >/dev/null
	ctr start "$c"
	# A stand-in for an old CRIU: Debian 12's criu 3.17 prints this (a real
	# one cannot be installed next to the new one).
	printf '#!/bin/sh\necho "Version: 3.17.1"\n' >"$T/old-criu"
	chmod +x "$T/old-criu"
	CTR_CRIU=$T/old-criu run --separate-stderr ctr checkpoint "$c"
	expect_status 8
	expect_contains "$stderr" "is CRIU 3.17.1; checkpoint and restore need CRIU 4.2 or newer"
	expect_contains "$stderr" "scripts/install-criu"
	CTR_CRIU=$T/none run --separate-stderr ctr checkpoint "$c"
	expect_status 8
	expect_contains "$stderr" "CRIU 4.2 or newer"
	expect_eq "$(cinfo "$c" 'd["state"]')" running
	[ ! -e "$T/lib/$c/checkpoint.new" ]
	ctr stop -t 1 "$c"
}
