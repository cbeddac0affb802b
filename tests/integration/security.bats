#!/usr/bin/env bats
# Security settings at the command line: user namespaces and their id ranges,
# privileged containers, capabilities, seccomp profiles, rlimits,
# no_new_privs, masked paths; errors and exit codes. What a container's root
# can and cannot do is probed for real by tests/security/breakout.sh.

load helpers

# A field of /proc/self/status as an exec'd process of container $1 sees it.
status_field() {
	ctr exec "$1" -- cat /proc/self/status | sed -n "s/^$2:[[:space:]]*//p"
}

@test "containers get a user namespace and each its own id range; info says so" {
	local a b
	a=$(cname a)
	b=$(cname b)
	ctr create "$a"
	ctr create "$b"
	expect_eq "$(cinfo "$a" 'd["privileged"]')" false
	expect_eq "$(cinfo "$a" 'd["idmap"]["size"]')" 65536
	expect_eq "$(cinfo "$a" 'd["idmap"]["rootfs"]')" mount "idmapped mount on ext4"
	local ua ub
	ua=$(cinfo "$a" 'd["idmap"]["uid"]')
	ub=$(cinfo "$b" 'd["idmap"]["uid"]')
	[ "$ua" -ge 1000000 ]
	expect_eq "$((ub - ua))" 65536 "the second container's range follows the first"
	run ctr info "$a"
	expect_contains "$output" "Privileged:  no (user namespace: root is host uid $ua"
	ctr start "$a"
	ctr start "$b"
	# Inside: root, mapped to the container's range; on the host: that uid.
	expect_eq "$(ctr exec "$a" -- cat /proc/self/uid_map | tr -s ' ')" " 0 $ua 65536"
	expect_eq "$(ctr exec "$a" -- id -u)" 0
	expect_eq "$(stat -c %u /proc/"$(cinfo "$a" 'd["pid"]')")" "$ua" "init's host uid"
	expect_eq "$(stat -c %u /proc/"$(cinfo "$b" 'd["pid"]')")" "$ub" "the other init's host uid"
	# The rootfs stays owned by 0..65535 on disk (portable); root owns it inside.
	ctr exec "$a" -- sh -c 'touch /owned && chown 42:65534 /owned'
	expect_eq "$(stat -c %u:%g "$T/lib/$a/rootfs/owned")" 42:65534 "on-disk ids unshifted"
	expect_eq "$(ctr exec "$a" -- stat -c %u:%g /owned)" 42:65534 "ids inside"
	ctr stop "$a"
	ctr stop "$b"
	ctr destroy "$a"
	# A freed range is given again.
	local c
	c=$(cname c)
	ctr create "$c"
	expect_eq "$(cinfo "$c" 'd["idmap"]["uid"]')" "$ua" "freed range reused"
	ctr destroy "$b"
	ctr destroy "$c"
}

@test "--privileged: no user namespace, the short capability set, and info says so" {
	local c
	c=$(cname)
	ctr create "$c" --privileged
	expect_eq "$(cinfo "$c" 'd["privileged"]')" true
	expect_eq "$(cinfo "$c" 'd["idmap"]')" null
	expect_eq "$(cinfo "$c" '"user" in [x["type"] for x in d["config"]["linux"]["namespaces"]]')" false
	run ctr info "$c"
	expect_contains "$output" "Privileged:  yes"
	ctr start "$c"
	expect_eq "$(ctr exec "$c" -- cat /proc/self/uid_map | tr -s ' ')" " 0 0 4294967295"
	# CAP_SYS_ADMIN (bit 21) is not in the bounding set; CAP_NET_RAW (13) is.
	local bnd
	bnd=$(status_field "$c" CapBnd)
	expect_eq "$(((0x$bnd >> 21) & 1))" 0 "SYS_ADMIN bounded away"
	expect_eq "$(((0x$bnd >> 13) & 1))" 1 "NET_RAW kept"
	ctr destroy --force "$c"
}

@test "capabilities: defaults, --cap-add/--cap-drop, nothing inheritable or ambient" {
	local c
	c=$(cname)
	ctr create "$c" --cap-drop net_raw --cap-add SYS_TIME
	run ctr config "$c"
	expect_eq "$(jget '"CAP_NET_RAW" in d["process"]["capabilities"]["bounding"]' <<<"$output")" false
	expect_eq "$(jget '"CAP_SYS_TIME" in d["process"]["capabilities"]["effective"]' <<<"$output")" true
	expect_eq "$(jget 'd["process"]["capabilities"]["inheritable"]' <<<"$output")" '[]'
	ctr start "$c"
	local bnd
	bnd=$(status_field "$c" CapBnd)
	expect_eq "$(((0x$bnd >> 13) & 1))" 0 "NET_RAW dropped"
	expect_eq "$(((0x$bnd >> 25) & 1))" 1 "SYS_TIME added"
	expect_eq "$(status_field "$c" CapInh)" 0000000000000000 "inheritable"
	expect_eq "$(status_field "$c" CapAmb)" 0000000000000000 "ambient"
	# Applied at the next start.
	ctr set "$c" --cap-drop all
	ctr stop "$c"
	ctr start "$c"
	expect_eq "$(status_field "$c" CapEff)" 0000000000000000 "--cap-drop all"
	ctr destroy --force "$c"
}

@test "seccomp: default profile, unconfined, and a profile file in the OCI format" {
	local c
	c=$(cname)
	ctr create "$c"
	expect_eq "$(cinfo "$c" 'd["config"]["ctr"]["seccomp"]')" default
	ctr start "$c"
	expect_eq "$(status_field "$c" Seccomp)" 2 "filter mode"
	# The default blocks swapoff (EPERM) without touching the host's swap.
	run ctr exec "$c" -- swapoff /ctr-no-such-swap
	expect_contains "$output" "Operation not permitted"
	ctr stop "$c"

	# A profile of our own: sethostname returns ENOSYS (38).
	cat >"$T/profile.json" <<-'EOF'
		{"defaultAction": "SCMP_ACT_ALLOW",
		 "syscalls": [{"names": ["sethostname"], "action": "SCMP_ACT_ERRNO", "errnoRet": 38}]}
	EOF
	ctr set "$c" --seccomp "$T/profile.json"
	expect_eq "$(cinfo "$c" 'd["config"]["ctr"]["seccomp"]')" custom
	expect_eq "$(cinfo "$c" 'd["config"]["linux"]["seccomp"]["syscalls"][0]["names"]')" '["sethostname"]'
	rm "$T/profile.json" # stored in the config: the file is no longer needed
	ctr start "$c"
	run ctr exec "$c" -- hostname x
	expect_contains "$output" "Function not implemented"
	ctr stop "$c"

	ctr set "$c" --seccomp unconfined
	ctr start "$c"
	expect_eq "$(status_field "$c" Seccomp)" 0 "unconfined"
	ctr destroy --force "$c"
}

@test "bad security options and profiles: exit 2/3/7 naming the problem, nothing created" {
	local c
	c=$(cname)
	expect_each_fails 2 "--cap-add 'NOPE': not a capability" "create $c --cap-add NOPE"
	expect_each_fails 2 "--cap-drop 'x': not a capability" "create $c --cap-drop x"
	expect_each_fails 2 "unknown limit 'files'" "create $c --rlimit files=3"
	expect_each_fails 2 "expected NAME=SOFT[:HARD]" "create $c --rlimit nofile"
	expect_each_fails 2 "soft limit is above the hard limit" "create $c --rlimit nofile=10:5"
	expect_each_fails 2 "expected yes or no" "create $c --no-new-privileges maybe"
	expect_each_fails 3 "none.json' not found" "create $c --seccomp $T/none.json"
	echo '{"defaultAction": "SCMP_ACT_ALLOW", "syscalls": [{"names": ["read"], "action": "SCMP_ACT_BOGUS"}]}' \
		>"$T/bad.json"
	expect_each_fails 7 "syscalls[0].action" "create $c --seccomp $T/bad.json"
	echo '{"defaultAction": ' >"$T/broken.json"
	expect_each_fails 7 "broken.json': parse error" "create $c --seccomp $T/broken.json"
	run ctr list
	expect_not_contains "$output" "$c"
	[ ! -e "$T/lib/$c" ]
}

@test "rlimits apply to init and exec; a hard limit above ctr's own fails the start cleanly" {
	local c
	c=$(cname)
	ctr create "$c" --rlimit nofile=512:1024
	ctr start "$c"
	expect_eq "$(ctr exec "$c" -- sh -c 'ulimit -n; ulimit -Hn' | tr '\n' ' ')" "512 1024 "
	expect_eq "$(ctr exec "$c" -- cat /proc/1/limits | awk '/open files/ { print $4, $5 }')" "512 1024" "init"
	# Raising the hard limit inside is refused (no CAP_SYS_RESOURCE on the host).
	run ctr exec "$c" -- sh -c 'ulimit -Hn 4096'
	[ "$status" -ne 0 ]
	ctr stop "$c"
	local hard
	hard=$(ulimit -Hn)
	ctr set "$c" --rlimit "nofile=1024:$((hard + 1))"
	run ctr start "$c"
	expect_status 1
	expect_contains "$output" "above ctr's own ($hard)"
	expect_eq "$(cinfo "$c" 'd["state"]')" stopped
	expect_run_state_gone "$c"
	ctr destroy "$c"
}

@test "exec sets no_new_privs unless --allow-new-privileges; init does not by default" {
	local c
	c=$(cname)
	ctr create "$c"
	ctr start "$c"
	expect_eq "$(status_field "$c" NoNewPrivs)" 1 "exec"
	expect_eq "$(ctr exec --allow-new-privileges "$c" -- cat /proc/self/status | sed -n 's/^NoNewPrivs:[[:space:]]*//p')" \
		0 "exec --allow-new-privileges"
	expect_eq "$(ctr exec "$c" -- cat /proc/1/status | sed -n 's/^NoNewPrivs:[[:space:]]*//p')" 0 "init"
	ctr stop "$c"
	ctr set "$c" --no-new-privileges yes
	ctr start "$c"
	expect_eq "$(ctr exec "$c" -- cat /proc/1/status | sed -n 's/^NoNewPrivs:[[:space:]]*//p')" 1 "init, when asked"
	expect_eq "$(ctr exec --allow-new-privileges "$c" -- cat /proc/self/status | sed -n 's/^NoNewPrivs:[[:space:]]*//p')" \
		1 "the container's setting wins"
	ctr destroy --force "$c"
}

@test "masked and read-only paths; /dev has only the standard nodes, owned by the container's root" {
	local c
	c=$(cname)
	ctr create "$c"
	ctr start "$c"
	run ctr exec "$c" -- sh -c 'echo 1 > /proc/sys/kernel/printk_ratelimit'
	expect_contains "$output" "Read-only file system"
	run ctr exec "$c" -- sh -c 'echo x > /proc/timer_list'
	expect_contains "$output" "Read-only file system"
	expect_eq "$(ctr exec "$c" -- wc -c /proc/timer_list | awk '{ print $1 }')" 0 "timer_list reads empty"
	expect_eq "$(ctr exec "$c" -- ls -A /sys/firmware)" "" "/sys/firmware empty"
	run ctr exec "$c" -- touch /sys/ctr-x
	expect_contains "$output" "Read-only file system"
	expect_eq "$(ctr exec "$c" -- sh -c 'ls /dev | tr "\n" " "')" \
		"console core fd full null ptmx pts random shm stderr stdin stdout tty urandom zero "
	expect_eq "$(ctr exec "$c" -- stat -c %u:%g /dev /dev/null)" "$(printf '0:0\n0:0')"
	ctr destroy --force "$c"
}

@test "a rootfs on a filesystem without idmapped mounts is shifted once, at create" {
	local root="$T/ramfs" c
	c=$(cname)
	mkdir "$root"
	mount -t ramfs ramfs "$root"
	register_root "$root/lib" "$root/run"
	"$CTR" --root "$root/lib" --run-dir "$root/run" create "$c"
	local uid
	uid=$("$CTR" --root "$root/lib" --run-dir "$root/run" info --json "$c" | jget 'd["idmap"]["uid"]')
	expect_eq "$("$CTR" --root "$root/lib" --run-dir "$root/run" info --json "$c" | jget 'd["idmap"]["rootfs"]')" shift
	expect_eq "$(stat -c %u "$root/lib/$c/rootfs/bin/busybox")" "$uid" "owner shifted on disk"
	"$CTR" --root "$root/lib" --run-dir "$root/run" start "$c"
	expect_eq "$("$CTR" --root "$root/lib" --run-dir "$root/run" exec "$c" -- stat -c %u /bin/busybox)" 0
	"$CTR" --root "$root/lib" --run-dir "$root/run" destroy --force "$c"
	umount "$root"
}

@test "id ranges: a config's own range is checked against the others; a full pool says so" {
	local a b c
	a=$(cname a)
	b=$(cname b)
	c=$(cname c)
	ctr create "$a"
	local ua
	ua=$(cinfo "$a" 'd["idmap"]["uid"]')
	ctr config "$a" | "$PYTHON" -c '
import json, sys
d = json.load(sys.stdin)
d["hostname"] = "other"
json.dump(d, open(sys.argv[1], "w"))' "$T/same.json"
	expect_each_fails 7 "host ids $ua-$((ua + 65535)) are already another container's" \
		"create $b --config $T/same.json"
	[ ! -e "$T/lib/$b" ]
	# A pool with room for one range: the next create is refused.
	printf 'idmap-pool = %s:65536\n' "$ua" >"$CTR_CONFIG"
	expect_each_fails 1 "no free range of 65536 ids left in the pool $ua:65536" "create $c"
	[ ! -e "$T/lib/$c" ]
	printf 'idmap-pool = 5\n' >"$CTR_CONFIG"
	expect_each_fails 2 "invalid idmap-pool '5'" "list"
	: >"$CTR_CONFIG"
	ctr destroy "$a"
}

@test "a symlink planted at /dev in the rootfs cannot redirect the start onto the host" {
	local c
	c=$(cname)
	ctr create "$c"
	mkdir "$T/victim"
	rm -rf "$T/lib/$c/rootfs/dev"
	ln -s "$T/victim" "$T/lib/$c/rootfs/dev"
	run ctr start "$c"
	expect_status 1
	expect_contains "$output" "mount point /dev in the rootfs"
	expect_eq "$(ls -A "$T/victim")" "" "nothing written into the host directory"
	run grep -c " $T/victim " /proc/self/mountinfo
	expect_eq "$output" 0 "nothing mounted on it"
	expect_eq "$(cinfo "$c" 'd["state"]')" stopped
	ctr destroy "$c"
}

@test "exec: no descriptor of the caller reaches the command, nor a cwd through one (CVE-2024-21626)" {
	local c
	c=$(cname)
	ctr create "$c"
	ctr start "$c"
	# fd 7 is open on a host directory when ctr exec runs.
	run --separate-stderr ctr exec --cwd /proc/self/fd/7 "$c" -- pwd 7<"$T"
	expect_status 125
	expect_contains "$stderr" "chdir /proc/self/fd/7"
	run ctr exec "$c" -- sh -c 'ls /proc/self/fd/ | tr "\n" " "' 7<"$T"
	expect_status 0
	# 0-2 and the directory ls reads: nothing the caller had open.
	expect_eq "$(wc -w <<<"$output")" 4 "descriptors: $output"
	ctr destroy --force "$c"
}

@test "exec without -t: the command has a session of its own; signals to ctr exec reach it" {
	local c
	c=$(cname)
	ctr create "$c"
	ctr start "$c"
	# Its own session: the caller's terminal cannot be its controlling one.
	expect_eq "$(ctr exec "$c" -- sh -c 'set -- $(cat /proc/$$/stat); [ "$6" = "$$" ] && echo leader')" leader \
		"the command leads its own session"
	"$CTR" "${CTR_ARGS[@]}" exec "$c" -- sleep 30 & # the binary itself, not the ctr function's subshell
	local pid=$!
	wait_until 5 ctr exec "$c" -- sh -c 'pidof sleep'
	kill -TERM "$pid"
	local st=0
	wait "$pid" || st=$?
	expect_eq "$st" 143 "ctr exec exits as the command did (SIGTERM)"
	run ctr exec "$c" -- pidof sleep
	expect_status 1
	ctr destroy --force "$c"
}

@test "create, set and exec --help list the security options" {
	run ctr create --help
	expect_contains "$output" "--privileged"
	expect_contains "$output" "--cap-add CAP"
	expect_contains "$output" "--seccomp PROFILE"
	expect_contains "$output" "--rlimit NAME=SOFT[:HARD]"
	run ctr set --help
	expect_contains "$output" "applied at the next start"
	run ctr exec --help
	expect_contains "$output" "--allow-new-privileges"
}
