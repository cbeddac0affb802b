#!/usr/bin/env bats
# Resource limits at the command line: flags, errors and exit codes, live
# changes, stats, pause/resume. The limits' enforcement itself is tested by
# tests/resources/behaviour.sh (on this host's cgroups and on v2 in qemu).

load helpers

# The host's cgroup file of a container for a v1 controller (this machine).
cgfile() {
	local d
	d=$(find "/sys/fs/cgroup/$2" -maxdepth 4 -type d -name "ctr-$1" 2>/dev/null | head -n 1)
	cat "$d/$3"
}

@test "create and set refuse nonsense limits with exit 2, naming option and value, and change nothing" {
	local c
	c=$(cname)
	expect_each_fails 2 "invalid value '10X' for --memory" "create $c --memory 10X"
	expect_each_fails 2 "invalid value '-1' for --cpus" "create $c --cpus -1"
	expect_each_fails 2 "is not on this host" "create $c --cpuset-cpus 4095"
	expect_each_fails 2 "no device '/dev/ctr-nonexistent'" "create $c --device /dev/ctr-nonexistent"
	expect_each_fails 2 "needs a memory limit" "create $c --swap 1G"
	expect_each_fails 2 "1..10000" "create $c --cpu-weight 0"
	expect_each_fails 2 "DEVICE:RATE" "create $c --io-write-bps 5M"
	expect_each_fails 2 "every container has it already" "create $c --device /dev/null"
	run ctr list
	expect_not_contains "$output" "$c"
	[ ! -e "$T/lib/$c" ]

	ctr create "$c" --memory 64M
	cp "$T/lib/$c/config.json" "$T/before.json"
	expect_each_fails 2 "invalid value" "set $c --memory 1Q" "set $c --pids -3" "set $c --io-weight 2000"
	expect_each_fails 2 "is not a block device" "set $c --io-read-bps /dev/null:1M"
	cmp "$T/lib/$c/config.json" "$T/before.json"
	ctr destroy "$c"
}

@test "limits are stored as OCI linux.resources; set on a stopped container persists them" {
	local c
	c=$(cname)
	ctr create "$c" --memory 256M --swap 256M --cpus 1.5 --cpu-weight 50 --pids 100 --io-weight 200
	run ctr config "$c"
	expect_eq "$(jget 'd["linux"]["resources"]' <<<"$output")" \
		'{"blockIO":{"weight":200},"cpu":{"period":100000,"quota":150000,"shares":512},"memory":{"limit":268435456,"swap":536870912},"pids":{"limit":100}}'
	ctr set "$c" --memory 512M --pids max
	run ctr config "$c"
	expect_eq "$(jget 'd["linux"]["resources"]["memory"]' <<<"$output")" '{"limit":536870912,"swap":805306368}' \
		"swap allowance kept on top of the new memory limit"
	expect_eq "$(jget 'd["linux"]["resources"]["pids"]["limit"]' <<<"$output")" -1
	ctr destroy "$c"
}

@test "set on a running container applies at once and persists" {
	local c
	c=$(cname)
	ctr create "$c" --pids 100 --memory 128M
	ctr start "$c"
	expect_eq "$(cgfile "$c" pids pids.max)" 100
	ctr set "$c" --pids 50 --memory 96M --cpus 0.5
	expect_eq "$(cgfile "$c" pids pids.max)" 50
	expect_eq "$(cgfile "$c" memory memory.limit_in_bytes)" $((96 << 20))
	expect_eq "$(cgfile "$c" cpu cpu.cfs_quota_us)" 50000
	expect_eq "$(cinfo "$c" 'd["config"]["linux"]["resources"]["pids"]["limit"]')" 50
	ctr set "$c" --cpuset-cpus 0
	expect_eq "$(cgfile "$c" cpuset cpuset.cpus)" 0
	ctr set "$c" --cpuset-cpus all
	local d
	d=$(find /sys/fs/cgroup/cpuset -maxdepth 4 -type d -name "ctr-$c")
	expect_eq "$(cat "$d/cpuset.cpus")" "$(cat "${d%/*}/cpuset.cpus")" "unpinned: the parent's CPUs"
	ctr stop "$c"
	ctr start "$c"
	expect_eq "$(cgfile "$c" pids pids.max)" 50 "after a restart"
	ctr destroy --force "$c"
}

@test "--device given to a running container appears in its /dev; --device-rm takes it away" {
	local c dev=/dev/loop-control
	[ -c "$dev" ] || skip "no $dev on this host"
	c=$(cname)
	ctr create "$c"
	ctr start "$c"
	run ctr exec "$c" -- test -e "$dev"
	expect_status 1
	ctr set "$c" --device "$dev"
	ctr exec "$c" -- test -c "$dev"
	ctr exec "$c" -- sh -c "exec 3<>$dev"
	ctr set "$c" --device-rm "$dev"
	run ctr exec "$c" -- test -e "$dev"
	expect_status 1
	ctr destroy --force "$c"
}

@test "a limit the host cannot apply fails the start cleanly (exit 1, no cgroups, no run state)" {
	local c
	c=$(cname)
	ctr create "$c"
	# Valid syntax, but not a CPU of this machine: only the kernel can say.
	"$PYTHON" - "$T/lib/$c/config.json" <<-'EOF'
		import json, sys
		d = json.load(open(sys.argv[1]))
		d["linux"]["resources"] = {"cpu": {"cpus": "4000"}}
		json.dump(d, open(sys.argv[1], "w"))
	EOF
	run --separate-stderr ctr start "$c"
	expect_status 1
	expect_contains "$stderr" "apply resource limits"
	expect_contains "$stderr" "CPU set"
	expect_run_state_gone "$c"
	expect_eq "$(cinfo "$c" 'd["state"]')" stopped
	ctr destroy "$c"
}

@test "stats: text and JSON with the documented fields; exit 4 when stopped, 3 when unknown" {
	local c
	c=$(cname)
	ctr create "$c" --memory 64M --pids 64
	run --separate-stderr ctr stats "$c"
	expect_status 4
	expect_contains "$stderr" "is stopped, not running"
	expect_each_fails 3 "does not exist" "stats $(cname nope)"
	ctr start "$c"
	run ctr stats "$c"
	expect_status 0
	expect_contains "$output" "RESOURCE"
	expect_contains "$output" "MAXHELD"
	run ctr stats --json "$c"
	expect_status 0
	expect_eq "$(jget 'sorted(d)' <<<"$output")" '["cpu","cpuset","io","memory","name","pids","state","swap"]'
	expect_eq "$(jget 'sorted(d["memory"])' <<<"$output")" '["failcnt","limit","oomKills","peak","usage"]'
	expect_eq "$(jget 'sorted(d["pids"])' <<<"$output")" '["current","failcnt","limit","peak"]'
	expect_eq "$(jget 'sorted(d["cpu"])' <<<"$output")" \
		'["periodUs","periods","quotaUs","systemNs","throttledNs","throttledPeriods","usageNs","userNs","weight"]'
	expect_eq "$(jget 'sorted(d["io"])' <<<"$output")" '["readBytes","readOps","writeBytes","writeOps"]'
	expect_eq "$(jget 'd["memory"]["limit"]' <<<"$output")" $((64 << 20))
	expect_eq "$(jget 'd["pids"]["limit"]' <<<"$output")" 64
	expect_eq "$(jget 'd["cpu"]["quotaUs"]' <<<"$output")" null "no cpu limit is null"
	[ "$(jget 'd["pids"]["current"]' <<<"$output")" -ge 1 ]
	[ "$(jget 'd["memory"]["usage"]' <<<"$output")" -gt 0 ]
	run ctr stats --json --count 2 --interval 1 "$c"
	expect_status 0
	expect_eq "${#lines[@]}" 2 "one JSON document per sample"
	ctr destroy --force "$c"
}

@test "stats --all --json lists every container, stopped ones with null values" {
	local a b
	a=$(cname a)
	b=$(cname b)
	ctr create "$a"
	ctr create "$b"
	ctr start "$b"
	run ctr stats --all --json
	expect_status 0
	expect_eq "$(jget '[(c["name"][-1], c["state"], c["memory"] is None) for c in d["containers"]]' <<<"$output")" \
		'[["a","stopped",true],["b","running",false]]'
	ctr destroy --force "$b"
	ctr destroy "$a"
}

@test "pause freezes, shows 'paused', refuses exec; resume thaws; wrong states exit 4" {
	local c
	c=$(cname)
	ctr create "$c"
	expect_each_fails 4 "is stopped, not running" "pause $c" "resume $c"
	ctr start "$c"
	expect_each_fails 4 "is not paused" "resume $c"
	ctr pause "$c"
	expect_eq "$(cinfo "$c" 'd["state"]')" paused
	run ctr list
	expect_contains "$output" "paused"
	expect_each_fails 4 "is already paused" "pause $c"
	run --separate-stderr ctr exec "$c" -- true
	expect_status 125
	expect_contains "$stderr" "is paused; 'ctr resume $c' first"
	run ctr stats --json "$c"
	expect_eq "$(jget 'd["state"]' <<<"$output")" paused
	ctr resume "$c"
	expect_eq "$(cinfo "$c" 'd["state"]')" running
	ctr exec "$c" -- true
	ctr destroy --force "$c"
}

@test "stop and destroy --force of a paused container work and leave nothing" {
	local a b
	a=$(cname a)
	b=$(cname b)
	ctr create "$a"
	ctr create "$b"
	ctr start "$a"
	ctr start "$b"
	ctr pause "$a"
	ctr pause "$b"
	ctr stop --timeout 5 "$a"
	expect_run_state_gone "$a"
	ctr destroy --force "$b"
	expect_run_state_gone "$b"
	ctr destroy "$a"
}

@test "create and set --help list the resource options" {
	for cmd in create set; do
		run ctr "$cmd" --help
		expect_status 0
		for opt in --memory --swap --memory-reservation --cpu-weight --cpus --cpuset-cpus --cpuset-mems \
			--pids --io-weight --io-read-bps --io-write-bps --io-read-iops --io-write-iops --device; do
			expect_contains "$output" "$opt"
		done
	done
}

@test "cgroup-parent (env or ctr.conf) places the cgroups below it, in every hierarchy; bad values exit 2" {
	local c mem parent
	c=$(cname)
	# Below this session's own memory cgroup, so that nothing is made above
	# the caller's cgroup of any hierarchy.
	mem=$(sed -n 's/^[0-9]*:memory://p' /proc/self/cgroup)
	parent="${mem%/}/ctr-${PFX}parent"
	# ctr makes the missing levels in the other hierarchies; note which
	# exist now, to remove exactly the ones this test made.
	local before level h
	before=$(for h in /sys/fs/cgroup/*/; do
		level=$parent
		while [ -n "$level" ]; do
			[ -d "$h${level#/}" ] && echo "$h${level#/}"
			level=${level%/*}
		done
	done)
	ctr create "$c" --pids 30
	CTR_CGROUP_PARENT="$parent" ctr start "$c"
	expect_eq "$(cat "/sys/fs/cgroup/pids$parent/ctr-$c/pids.max")" 30
	[ -d "/sys/fs/cgroup/memory$parent/ctr-$c" ]
	ctr stop "$c"
	expect_run_state_gone "$c"
	# The parent levels stay (the host's layout); this test removes its own.
	echo "cgroup-parent = $parent" >"$CTR_CONFIG"
	ctr start "$c"
	[ -d "/sys/fs/cgroup/cpu$parent/ctr-$c" ]
	ctr destroy --force "$c"
	for h in /sys/fs/cgroup/*/; do
		level=$parent
		while [ -n "$level" ]; do
			if [ -d "$h${level#/}" ] && ! grep -qx "$h${level#/}" <<<"$before"; then
				rmdir "$h${level#/}"
			fi
			level=${level%/*}
		done
	done
	echo "cgroup-parent = /x/../y" >"$CTR_CONFIG"
	expect_each_fails 2 "invalid cgroup-parent '/x/../y'" "list"
	: >"$CTR_CONFIG"
	CTR_CGROUP_PARENT=relative/path run --separate-stderr ctr list
	expect_status 2
	expect_contains "$stderr" "invalid cgroup-parent 'relative/path'"
	CTR_CGROUP_PARENT=/a/../b run --separate-stderr ctr list
	expect_status 2
}
