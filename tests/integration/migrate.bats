#!/usr/bin/env bats
# ctr migrate between two simulated hosts on this machine: two network
# namespaces joined by a veth, each with its own ctr roots, and an sshd
# (Debian's openssh-server) that the test starts in the target's namespace
# with a throwaway key. Real dumps, real copies over ssh, real restores.

load helpers

# The container's processes: a counter in a shell variable (/cnt), and,
# with MEM set, ctr-workload checking MEM MiB of its memory every second
# (/memstate: "ok ROUND" or "bad OFFSET").
work_init() {
	local mem=${1:-}
	if [ -n "$mem" ]; then
		echo "/bin/sh -c \"/bin/ctr-workload mem $mem /memstate & i=0; while true; do i=\$((i+1)); echo \$i > /cnt; sleep 0.1; done\""
	else
		echo '/bin/sh -c "i=0; while true; do i=$((i+1)); echo $i > /cnt; sleep 0.1; done"'
	fi
}

needs_migration() {
	local c
	needs_criu_workload
	for c in /usr/sbin/sshd rsync ssh ssh-keygen; do
		command -v "$c" >/dev/null || skip "$c is missing (apt-get install openssh-server rsync)"
	done
}

# Host A (source) and B (target), each a network namespace; B runs sshd on
# 10.97.0.2:2222 and has bridge cbr$N, the one the containers use on A too.
hosts() {
	HA=$(test_netns a)
	HB=$(test_netns b)
	BR=cbr$BATS_TEST_NUMBER
	ip -n "$HA" link set lo up
	ip -n "$HB" link set lo up
	ip -n "$HA" link add m0 type veth peer name m0 netns "$HB"
	ip -n "$HA" addr add 10.97.0.1/24 dev m0
	ip -n "$HB" addr add 10.97.0.2/24 dev m0
	ip -n "$HA" link set m0 up
	ip -n "$HB" link set m0 up
	ip -n "$HB" link add "$BR" type bridge
	ip -n "$HB" addr add 10.96.0.1/24 dev "$BR"
	ip -n "$HB" link set "$BR" up

	ssh-keygen -q -t ed25519 -N '' -f "$T/key"
	ssh-keygen -q -t ed25519 -N '' -f "$T/hostkey"
	cp "$T/key.pub" "$T/authorized_keys"
	cat >"$T/sshd_config" <<-EOF
		ListenAddress 10.97.0.2
		Port 2222
		HostKey $T/hostkey
		AuthorizedKeysFile $T/authorized_keys
		PermitRootLogin prohibit-password
		PasswordAuthentication no
		KbdInteractiveAuthentication no
		UsePAM no
		StrictModes no
		PidFile $T/sshd.pid
	EOF
	mkdir -p /run/sshd
	nsenter --net="/run/netns/$HB" /usr/sbin/sshd -f "$T/sshd_config" -E "$T/sshd.log"
	wait_until 5 test -s "$T/sshd.pid"

	# B: roots of its own, and ids from a pool of its own (ctr.conf).
	register_root "$T/libB" "$T/runB"
	echo "idmap-pool = 3000000:655360" >"$T/B.conf"
	REMOTE="env CTR_CONFIG=$T/B.conf $CTR --root $T/libB --run-dir $T/runB"
	SSHO=(-o -i -o "$T/key" -o -oStrictHostKeyChecking=no -o -oUserKnownHostsFile=/dev/null -o -oLogLevel=ERROR)
	DEST=ssh://root@10.97.0.2:2222
}

teardown_sshd() {
	if [ -n "${T:-}" ] && [ -s "$T/sshd.pid" ]; then
		kill "$(cat "$T/sshd.pid")" 2>/dev/null || true
	fi
	# The disk test's loop-mounted root of B, once its containers are gone.
	if [ -n "${T:-}" ] && mountpoint -q "$T/libB" 2>/dev/null; then
		local d
		for d in "$T/libB"/*/; do
			[ -d "$d" ] && timeout 30 "$CTR" --root "$T/libB" --run-dir "$T/runB" destroy --force "$(basename "$d")" >/dev/null 2>&1
		done
		umount "$T/libB" || umount -l "$T/libB"
	fi
}

eval "$(declare -f teardown | sed '1s/^teardown/helpers_teardown/')"
teardown() {
	teardown_sshd
	helpers_teardown
}

# ctr on host A / host B.
actr() { nctr "$HA" "$@"; }
bctr() { nsenter --net="/run/netns/$HB" env CTR_CONFIG="$T/B.conf" "$CTR" --root "$T/libB" --run-dir "$T/runB" "$@"; }
migrate() { actr migrate "$@" "$DEST" --remote-ctr "$REMOTE" "${SSHO[@]}"; }

# make NAME IP [MEM] [create options]: a running container on A.
make_on_a() {
	local c=$1 ip=$2 mem=${3:-}
	shift 3 || shift $#
	actr create "$c" --net "veth,bridge=$BR,bridge-ip=10.96.0.1/24,ip=$ip/24,gw=10.96.0.1" \
		--init "$(work_init "$mem")" "$@" >/dev/null || return 1
	cp "$CTR_WORKLOAD" "$T/lib/$c/rootfs/bin/ctr-workload"
	actr start "$c"
}

cnt_in() { counter_at "$1/cnt"; }
cnt_above_in() {
	local v
	v=$(cnt_in "$1")
	[ -n "$v" ] && [ "$v" -gt "$2" ]
}
mem_round() { sed -n 's/^ok //p' "$1/memstate" 2>/dev/null; }
mem_round_above() {
	local v
	v=$(mem_round "$1")
	[ -n "$v" ] && [ "$v" -gt "$2" ]
}
# Nothing of the container on B: no container, no staging directory.
nothing_on_b() {
	[ ! -e "$T/libB/$1" ] || { echo "B has $T/libB/$1"; return 1; }
	[ ! -e "$T/libB/.migrate-$1" ] || { echo "B has the staging dir"; return 1; }
}

@test "stop-and-copy: a 256 MiB container moves, its memory intact, its address reachable on the target" {
	needs_migration
	hosts
	local c out before
	c=$(cname)
	make_on_a "$c" 10.96.0.5 256
	wait_until 30 mem_round_above "$T/lib/$c/rootfs" 0
	wait_until 10 cnt_above_in "$T/lib/$c/rootfs" 3

	run --separate-stderr migrate --json --mode stop "$c"
	expect_status 0
	out=$output
	expect_eq "$(jget 'd["mode"]' <<<"$out")" stop
	[ "$(jget 'd["downtimeMs"]' <<<"$out")" -gt 0 ]
	[ "$(jget 'd["bytes"]["frozen"]' <<<"$out")" -gt $((256 << 20)) ]
	for p in handshake sync dump copy restore commit cleanup; do
		[ "$(jget "d[\"phases\"][\"$p\"]" <<<"$out")" -ge 0 ]
	done
	echo "# report: $out" >&3

	# Gone from A, everything of it: container, host ends, cgroups.
	expect_eq "$(actr list --json | jget 'len(d["containers"])')" 0 "containers on A"
	expect_eq "$(ip -n "$HA" -o link show | grep -c ': ctr[0-9a-f]')" 0 "host ends on A"
	# Running on B, on from where it was: counter and memory.
	expect_eq "$(bctr info --json "$c" | jget 'd["state"]')" running
	before=$(mem_round "$T/libB/$c/rootfs")
	wait_until 10 mem_round_above "$T/libB/$c/rootfs" "$before"
	grep -q '^ok ' "$T/libB/$c/rootfs/memstate" || { cat "$T/libB/$c/rootfs/memstate"; false; }
	before=$(cnt_in "$T/libB/$c/rootfs")
	wait_until 5 cnt_above_in "$T/libB/$c/rootfs" "$before"
	# Its address, from host B.
	nsenter --net="/run/netns/$HB" busybox ping -c 2 -W 2 10.96.0.5
	[ ! -e "$T/lib/$c" ]
	expect_eq "$(ls -a "$T/libB" | grep -c '^\.migrate-' || true)" 0 "staging dirs on B"
	expect_eq "$(ls -d /tmp/ctr-migrate.* 2>/dev/null)" "" "ssh control directories"
	bctr stop -t 1 "$c"
}

@test "--keep-source leaves the source's copy, stopped" {
	needs_migration
	hosts
	local c
	c=$(cname)
	make_on_a "$c" 10.96.0.6 ""
	wait_until 10 cnt_above_in "$T/lib/$c/rootfs" 2
	migrate --keep-source "$c"
	expect_eq "$(actr info --json "$c" | jget 'd["state"]')" stopped
	expect_eq "$(bctr info --json "$c" | jget 'd["state"]')" running
	[ ! -e "$T/lib/$c/migration" ]
	bctr stop -t 1 "$c"
}

@test "the target refuses (name taken, ids taken, no bridge): the source runs on, nothing is left" {
	needs_migration
	hosts
	local c ids
	c=$(cname)
	make_on_a "$c" 10.96.0.7 ""
	# Name taken on B.
	bctr create "$c" --net none >/dev/null
	run --separate-stderr migrate "$c"
	expect_status 6
	expect_contains "$stderr" "already exists on the target"
	expect_eq "$(actr info --json "$c" | jget 'd["state"]')" running
	bctr destroy "$c"
	# Its id range taken on B: B's pool starts where A's container's ids
	# are, and another container there got them.
	ids=$(actr config "$c" | jget 'd["linux"]["uidMappings"][0]["hostID"]')
	echo "idmap-pool = $ids:655360" >"$T/B.conf"
	bctr create other --net none >/dev/null
	expect_eq "$(bctr config other | jget 'd["linux"]["uidMappings"][0]["hostID"]')" "$ids" "B's first range"
	run --separate-stderr migrate "$c"
	expect_status 6
	expect_contains "$stderr" "belong to another container on the target"
	expect_contains "$stderr" "idmap-pool"
	bctr destroy other
	echo "idmap-pool = 3000000:655360" >"$T/B.conf"
	# No bridge of that name on B.
	ip -n "$HB" link del "$BR"
	run --separate-stderr migrate "$c"
	expect_status 3
	expect_contains "$stderr" "bridge '$BR'"
	expect_eq "$(actr info --json "$c" | jget 'd["state"]')" running
	nothing_on_b "$c"
	actr stop -t 1 "$c"
}

@test "the target's disk fills up during the copy: the source runs on, nothing is left" {
	needs_migration
	hosts
	local c before
	c=$(cname)
	# B's root on a 48 MiB filesystem of its own.
	truncate -s 48M "$T/b.img"
	mkfs.ext4 -q -F "$T/b.img"
	mkdir -p "$T/libB"
	mount -o loop "$T/b.img" "$T/libB"
	make_on_a "$c" 10.96.0.8 ""
	# A sparse file: the target's estimate (allocated blocks) lets it in,
	# the copy (rsync writes it whole) does not fit.
	truncate -s 100M "$T/lib/$c/rootfs/sparse"
	wait_until 10 cnt_above_in "$T/lib/$c/rootfs" 2
	run --separate-stderr migrate "$c"
	expect_status 1
	expect_contains "$stderr" "copy the rootfs"
	before=$(cnt_in "$T/lib/$c/rootfs")
	wait_until 5 cnt_above_in "$T/lib/$c/rootfs" "$before"
	nothing_on_b "$c"
	# And a container that plainly does not fit is refused before anything moves.
	rm "$T/lib/$c/rootfs/sparse"
	head -c 60M /dev/zero >"$T/lib/$c/rootfs/big"
	run --separate-stderr migrate "$c"
	expect_status 1
	expect_contains "$stderr" "not enough space on the target"
	nothing_on_b "$c"
	expect_eq "$(actr info --json "$c" | jget 'd["state"]')" running
	actr stop -t 1 "$c"
	umount "$T/libB"
}

@test "the transport dies while the dumped container is copied: it is restored on the source" {
	needs_migration
	hosts
	local c pid before
	c=$(cname)
	make_on_a "$c" 10.96.0.9 256
	wait_until 30 mem_round_above "$T/lib/$c/rootfs" 0
	migrate "$c" >"$T/mig.out" 2>"$T/mig.err" &
	pid=$!
	# The frozen copy: the images arrive in B's staging directory. Kill
	# the rsync that receives them (the transport), mid-copy.
	wait_until 60 test -d "$T/libB/.migrate-$c/migration"
	pkill -KILL -f "rsync --server.*$T/libB/.migrate-$c" || true
	wait "$pid" && { echo "migrate succeeded"; cat "$T/mig.err"; false; } || true
	cat "$T/mig.err"
	grep -q "rolled back" "$T/mig.err"
	expect_eq "$(actr info --json "$c" | jget 'd["state"]')" running
	before=$(mem_round "$T/lib/$c/rootfs")
	wait_until 10 mem_round_above "$T/lib/$c/rootfs" "$before"
	grep -q '^ok ' "$T/lib/$c/rootfs/memstate"
	nothing_on_b "$c"
	[ ! -e "$T/lib/$c/migration" ]
	expect_eq "$(ls -d /tmp/ctr-migrate.* 2>/dev/null)" "" "ssh control directories"
	actr stop -t 1 "$c"
}

@test "ctr migrate interrupted (SIGTERM) during the frozen copy rolls back" {
	needs_migration
	hosts
	local c pid before
	c=$(cname)
	make_on_a "$c" 10.96.0.12 256
	wait_until 30 mem_round_above "$T/lib/$c/rootfs" 0
	# exec: $! is ctr itself (nsenter execs it too), not a subshell.
	(exec nsenter --net="/run/netns/$HA" "$CTR" "${CTR_ARGS[@]}" migrate "$c" "$DEST" --remote-ctr "$REMOTE" \
		"${SSHO[@]}") >"$T/mig.out" 2>"$T/mig.err" &
	pid=$!
	wait_until 60 test -d "$T/libB/.migrate-$c/migration"
	kill -TERM "$pid"
	wait "$pid" && { echo "migrate succeeded"; cat "$T/mig.err"; false; } || true
	grep -q "interrupted by signal 15" "$T/mig.err" || { cat "$T/mig.err"; false; }
	grep -q "rolled back" "$T/mig.err"
	expect_eq "$(actr info --json "$c" | jget 'd["state"]')" running
	before=$(mem_round "$T/lib/$c/rootfs")
	wait_until 10 mem_round_above "$T/lib/$c/rootfs" "$before"
	grep -q '^ok ' "$T/lib/$c/rootfs/memstate"
	nothing_on_b "$c"
	expect_eq "$(ls -d /tmp/ctr-migrate.* 2>/dev/null)" "" "ssh control directories"
	actr stop -t 1 "$c"
}

@test "the transport dies while the running container's rootfs is copied: it never stops" {
	needs_migration
	hosts
	local c pid
	c=$(cname)
	make_on_a "$c" 10.96.0.10 ""
	head -c 200M /dev/zero >"$T/lib/$c/rootfs/big"
	wait_until 10 cnt_above_in "$T/lib/$c/rootfs" 2
	migrate "$c" >"$T/mig.out" 2>"$T/mig.err" &
	pid=$!
	wait_until 30 test -d "$T/libB/.migrate-$c/rootfs/bin"
	pkill -KILL -f "rsync --server.*$T/libB/.migrate-$c" || true
	wait "$pid" && { echo "migrate succeeded"; false; } || true
	grep -q "copy the rootfs" "$T/mig.err" || { cat "$T/mig.err"; false; }
	# Never dumped: the same init, still counting.
	expect_eq "$(actr info --json "$c" | jget 'd["lastExit"]')" null
	expect_eq "$(actr info --json "$c" | jget 'd["state"]')" running
	nothing_on_b "$c"
	actr stop -t 1 "$c"
}

@test "modes this kernel or ctr cannot do, and bad destinations, are refused up front" {
	needs_migration
	hosts
	local c
	c=$(cname)
	make_on_a "$c" 10.96.0.11 ""
	run --separate-stderr migrate --mode postcopy "$c"
	expect_status 8
	expect_contains "$stderr" "post-copy migration is not implemented yet"
	run --separate-stderr migrate --mode precopy "$c"
	expect_status 8
	expect_contains "$stderr" "pre-copy"
	run --separate-stderr actr migrate --mode fast "$c" "$DEST"
	expect_status 2
	run --separate-stderr actr migrate "$c" "rsync://10.97.0.2"
	expect_status 2
	expect_contains "$stderr" "ssh://"
	# Nothing listens there.
	run --separate-stderr actr migrate "$c" "ssh://root@10.97.0.2:2223" "${SSHO[@]}" --remote-ctr "$REMOTE" \
		-o -oConnectTimeout=2
	expect_status 1
	expect_contains "$stderr" "connection to the target ended"
	expect_eq "$(actr info --json "$c" | jget 'd["state"]')" running
	actr stop -t 1 "$c"
}
