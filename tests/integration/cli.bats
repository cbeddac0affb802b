#!/usr/bin/env bats
# ctr's command line: usage, bad input, error messages, exit codes, JSON errors,
# the global config file, --help and --version.

load helpers

COMMANDS="create start stop restart kill exec console list info config set destroy"

# The root holds no container directory (nor any half-created leftover): only the
# containers named as arguments may be there.
expect_root_only() {
	local e x left=""
	[ -d "$T/lib" ] || return 0
	for e in "$T"/lib/* "$T"/lib/.[!.]*; do
		[ -e "$e" ] || continue
		x=${e##*/}
		[ "$x" = .lock ] && continue
		[[ " $* " == *" $x "* ]] && continue
		left="$left $x"
	done
	if [ -n "$left" ]; then
		echo "unexpected entries in the root:$left"
		return 1
	fi
}

# check_json_error EXIT CODE: after `run --separate-stderr ctr --json ...`
check_json_error() {
	expect_status "$1"
	if [ "${#lines[@]}" -ne 1 ]; then
		echo "expected exactly one line of JSON on stdout, got: $output"
		return 1
	fi
	expect_eq "$(jget 'sorted(d.keys())' <<<"$output")" '["error"]' "top-level keys"
	expect_eq "$(jget 'sorted(d["error"].keys())' <<<"$output")" '["code","errno","exit","message"]' "error keys"
	expect_eq "$(jget 'd["error"]["code"]' <<<"$output")" "$2" error.code
	expect_eq "$(jget 'd["error"]["exit"]' <<<"$output")" "$1" error.exit
	expect_eq "$(jget 'isinstance(d["error"]["exit"], int)' <<<"$output")" true "error.exit is a number"
	expect_eq "$(jget 'isinstance(d["error"]["errno"], int)' <<<"$output")" true "error.errno is a number"
	expect_eq "$(jget 'isinstance(d["error"]["message"], str)' <<<"$output")" true "error.message is a string"
	# the same message as text on stderr
	msg=$(jget 'd["error"]["message"]' <<<"$output")
	[ -n "$msg" ]
	expect_contains "$stderr" "ctr: $msg"
}

# ---- help and version ----------------------------------------------------------------

@test "--help, -h and 'help' print the usage with every command and exit 0" {
	for h in --help -h help; do
		run --separate-stderr ctr "$h"
		expect_status 0
		expect_contains "${lines[0]}" "Usage: ctr"
		for c in $COMMANDS; do
			grep -Eq "^  $c " <<<"$output" || {
				echo "'ctr $h' does not list $c: $output"
				return 1
			}
		done
		expect_eq "$stderr" "" "stderr of ctr $h"
	done
	# no command at all: usage on stderr, exit 2
	run --separate-stderr ctr
	expect_status 2
	expect_eq "$output" "" stdout
	expect_contains "$stderr" "Usage: ctr"
}

@test "--version and -V print the version and exit 0" {
	run --separate-stderr ctr --version
	expect_status 0
	[[ "$output" =~ ^ctr\ [0-9]+\.[0-9]+(\.[0-9]+)?([~.+-][A-Za-z0-9.+~-]*)?$ ]] || {
		echo "bad version line: $output"
		return 1
	}
	v=$output
	run --separate-stderr ctr -V
	expect_status 0
	expect_eq "$output" "$v" "-V"
}

@test "COMMAND --help, COMMAND -h and 'help COMMAND' exit 0 for every command" {
	for c in $COMMANDS; do
		run --separate-stderr ctr "$c" --help
		expect_status 0
		expect_contains "${lines[0]}" "Usage: ctr $c"
		expect_contains "$output" "--help"
		help=$output
		run --separate-stderr ctr "$c" -h
		expect_status 0
		expect_eq "$output" "$help" "ctr $c -h"
		run --separate-stderr ctr help "$c"
		expect_status 0
		expect_eq "$output" "$help" "ctr help $c"
	done
	# --help wins over missing or bad arguments, and touches nothing
	run --separate-stderr ctr stop --help --timeout x
	expect_status 0
	[ ! -e "$T/lib" ] || expect_root_only
}

@test "ctr help start describes start and its options" {
	run --separate-stderr ctr help start
	expect_status 0
	expect_contains "${lines[0]}" "Usage: ctr start NAME"
	expect_contains "$output" "--foreground"
	run --separate-stderr ctr help exec
	expect_contains "$output" "--env"
	expect_contains "$output" "--cwd"
	expect_contains "$output" "--tty"
	run --separate-stderr ctr help create
	expect_contains "$output" "--template"
	expect_contains "$output" "--hostname"
	expect_contains "$output" "--init"
	expect_contains "$output" "--stop-signal"
	expect_contains "$output" "--config"
	run --separate-stderr ctr help frobnicate
	expect_status 2
	expect_contains "$stderr" "unknown command 'frobnicate'"
}

# ---- names ------------------------------------------------------------------------------

@test "invalid container names exit 2 with a reason and create nothing" {
	long=$(printf 'a%.0s' $(seq 65))
	run --separate-stderr ctr create ""
	expect_status 2
	expect_contains "$stderr" "name must not be empty"
	expect_root_only

	for bad in .. . a/b ../x "a b" "$long" _x .hidden "a:b" "a*" "é"; do
		run --separate-stderr ctr create -- "$bad"
		expect_status 2
		expect_contains "$stderr" "'${bad:0:20}"
		expect_root_only
	done
	run --separate-stderr ctr create -- ".."
	expect_contains "$stderr" "invalid container name '..'"
	run --separate-stderr ctr create -- "a/b"
	expect_contains "$stderr" "invalid container name 'a/b'"
	run --separate-stderr ctr create -- "a b"
	expect_contains "$stderr" "invalid container name 'a b'"
	run --separate-stderr ctr create -- "$long"
	expect_contains "$stderr" "65 characters"
	expect_contains "$stderr" "at most 64"
	# "-x" is an option to getopt, and an invalid name after "--"
	run --separate-stderr ctr create -x
	expect_status 2
	expect_contains "$stderr" "unknown option '-x'"
	run --separate-stderr ctr create -- -x
	expect_status 2
	expect_contains "$stderr" "invalid container name '-x'"
	expect_root_only
}

@test "invalid names are refused by every command (no path escapes the root)" {
	mkdir -p "$T/lib"
	touch "$T/canary"
	for c in start stop restart kill info config console destroy checkpoint restore; do
		for bad in .. . ../canary a/b; do
			run --separate-stderr ctr "$c" "$bad"
			expect_status 2
			expect_contains "$stderr" "invalid container name"
		done
	done
	run --separate-stderr ctr destroy --force ..
	expect_status 2
	run --separate-stderr ctr set .. --hostname x
	expect_status 2
	run --separate-stderr ctr exec .. -- true
	expect_status 2
	[ -d "$T/lib" ]
	[ -e "$T/canary" ]
}

@test "a name of 64 characters is valid" {
	n=$(cname)
	while [ "${#n}" -lt 64 ]; do n="${n}x"; done
	run --separate-stderr ctr create "$n"
	expect_status 0
	[ -d "$T/lib/$n/rootfs" ]
	run --separate-stderr ctr list --json
	expect_eq "$(jget 'd["containers"][0]["name"]' <<<"$output")" "$n"
	run --separate-stderr ctr destroy "$n"
	expect_status 0
	expect_root_only
}

# ---- templates ------------------------------------------------------------------------

@test "unknown template exits 3 and creates nothing" {
	n=$(cname)
	run --separate-stderr ctr create "$n" --template no-such-template
	expect_status 3
	expect_contains "$stderr" "create $n"
	expect_contains "$stderr" "unknown template 'no-such-template'"
	expect_root_only
	run --separate-stderr ctr --json create "$n" -t no-such-template
	check_json_error 3 not-found
	expect_root_only
}

@test "--template with a missing directory (or a file) exits 3 and creates nothing" {
	n=$(cname)
	run --separate-stderr ctr create "$n" --template /nonexistent
	expect_status 3
	expect_contains "$stderr" "/nonexistent"
	expect_contains "$stderr" "does not exist"
	expect_root_only
	run --separate-stderr ctr create "$n" --template "$T/empty.conf"
	expect_status 3
	expect_contains "$stderr" "not a directory"
	expect_root_only
	[ -f "$T/empty.conf" ]
}

@test "a failing template leaves nothing behind" {
	n=$(cname)
	run --separate-stderr env CTR_BUSYBOX=/nonexistent "$CTR" "${CTR_ARGS[@]}" create "$n"
	expect_status 1
	expect_contains "$stderr" "create $n"
	expect_contains "$stderr" "failed with exit status 1"
	expect_root_only

	# a template that writes half a rootfs, then fails
	mkdir "$T/tmpl"
	printf '#!/bin/sh\nmkdir -p "$1/bin" && echo partial >"$1/bin/x"\necho half-way-failure >&2\nexit 3\n' \
		>"$T/tmpl/broken"
	chmod +x "$T/tmpl/broken"
	run --separate-stderr env CTR_TEMPLATE_DIR="$T/tmpl" "$CTR" "${CTR_ARGS[@]}" create "$n" --template broken
	expect_status 1
	expect_contains "$stderr" "half-way-failure"
	expect_contains "$stderr" "exit status 3"
	expect_root_only
	# the busybox template is not in that directory
	run --separate-stderr env CTR_TEMPLATE_DIR="$T/tmpl" "$CTR" "${CTR_ARGS[@]}" create "$n"
	expect_status 3
	expect_root_only
}

# A listing of a tree that changes if anything in it is added, removed or modified.
tree_digest() {
	(cd "$1" && find . -printf '%p %y %m %U:%G %s %T@ %l\n' | LC_ALL=C sort | md5sum)
}

@test "--template DIR copies the directory into the container; the source is unchanged" {
	a=$(cname a)
	b=$(cname b)
	ctr create "$a"
	src=$T/src-rootfs
	cp -a "$T/lib/$a/rootfs" "$src"
	echo "from-the-template-dir" >"$src/marker"
	mkdir "$src/emptydir"
	ln -s /marker "$src/marker-link"
	chmod 640 "$src/marker"
	before=$(tree_digest "$src")

	run --separate-stderr ctr create "$b" --template "$src"
	expect_status 0
	expect_eq "$(tree_digest "$src")" "$before" "source tree after create"
	r=$T/lib/$b/rootfs
	[ -d "$r" ]
	[ ! -L "$r" ]
	expect_eq "$(cat "$r/marker")" from-the-template-dir marker
	expect_eq "$(stat -c %a "$r/marker")" 640 "mode of the copy"
	expect_eq "$(readlink "$r/marker-link")" /marker "symlink in the copy"
	[ -d "$r/emptydir" ]
	[ -x "$r/bin/busybox" ]
	[ "$(stat -c %i "$r/marker")" != "$(stat -c %i "$src/marker")" ]
	# a non-busybox template stops with SIGTERM by default
	expect_eq "$(ctr config "$b" | jget 'd["ctr"]["stopSignal"]')" SIGTERM "stop signal"
	expect_eq "$(ctr config "$b" | jget 'd["hostname"]')" "$b" hostname

	# the copy is the container's own: it runs from it, writes go there only
	ctr start "$b"
	run --separate-stderr ctr exec "$b" -- cat /marker
	expect_eq "$output" from-the-template-dir "marker inside"
	ctr exec "$b" -- sh -c 'echo changed > /marker; touch /new-file'
	ctr stop --timeout 0 "$b"
	expect_eq "$(cat "$r/marker")" changed "container's copy"
	expect_eq "$(tree_digest "$src")" "$before" "source tree after running"

	run --separate-stderr ctr destroy "$b"
	expect_status 0
	[ ! -e "$T/lib/$b" ]
	expect_eq "$(tree_digest "$src")" "$before" "source tree after destroy"
	expect_eq "$(cat "$src/marker")" from-the-template-dir
}

# ---- existing names and config documents ----------------------------------------------

@test "create of an existing name exits 6 (JSON code 'exists')" {
	n=$(cname)
	ctr create "$n"
	run --separate-stderr ctr create "$n"
	expect_status 6
	expect_contains "$stderr" "'$n' already exists"
	run --separate-stderr ctr --json create "$n" --template /nonexistent
	expect_status 6
	run --separate-stderr ctr --json create "$n"
	check_json_error 6 exists
	expect_root_only "$n"
	[ -x "$T/lib/$n/rootfs/bin/busybox" ]
}

@test "--config with malformed JSON exits 7 'malformed JSON' and creates nothing" {
	n=$(cname)
	printf '{"ociVersion": "1.0.2", "process": {' >"$T/bad.json"
	run --separate-stderr ctr create "$n" --config "$T/bad.json"
	expect_status 7
	expect_contains "$stderr" "malformed JSON"
	expect_contains "$stderr" "$T/bad.json"
	expect_root_only
	echo 'not json at all' >"$T/bad2.json"
	run --separate-stderr ctr --json create "$n" --config "$T/bad2.json"
	check_json_error 7 invalid-config
	expect_contains "$stderr" "malformed JSON"
	expect_root_only
	: >"$T/empty.json"
	run --separate-stderr ctr create "$n" --config "$T/empty.json"
	expect_status 7
	expect_root_only
	echo '[1, 2]' >"$T/array.json"
	run --separate-stderr ctr create "$n" --config "$T/array.json"
	expect_status 7
	expect_root_only
}

# config_refused JSON FRAGMENT...: `create --config` with that document exits 7,
# its message contains every FRAGMENT, and nothing is created.
config_refused() {
	local json=$1 f
	shift
	echo "$json" >"$T/doc.json"
	run --separate-stderr ctr create "$n" --config "$T/doc.json"
	expect_status 7
	for f in "$@"; do
		expect_contains "$stderr" "$f"
	done
	expect_root_only
}

@test "--config with a wrongly typed field exits 7 naming the field's path" {
	n=$(cname)
	config_refused '{"ociVersion": "1.0.2", "process": {"args": ["/sbin/init", 5]}}' \
		"process.args[1]" "expected a string"
	config_refused '{"ociVersion": "1.0.2", "hostname": 5}' "hostname"
	config_refused '{"ociVersion": "1.0.2", "process": {"terminal": "yes"}}' "process.terminal"
	config_refused '{"ociVersion": "1.0.2", "process": {"env": "PATH=/bin"}}' "process.env"

	echo '{"ociVersion": "1.0.2", "ctr": {"stopTimeout": "ten"}}' >"$T/c5.json"
	run --separate-stderr ctr --json create "$n" --config "$T/c5.json"
	check_json_error 7 invalid-config
	expect_contains "$stderr" "ctr.stopTimeout"
	expect_root_only
}

@test "--config with an unknown field exits 7 naming it" {
	n=$(cname)
	config_refused '{"ociVersion": "1.0.2", "bogus": 5}' "bogus" "unknown field"
	config_refused '{"ociVersion": "1.0.2", "process": {"args": ["/sbin/init"], "bogus": true}}' "process.bogus"
}

@test "--config with a missing file fails and creates nothing" {
	n=$(cname)
	run --separate-stderr ctr create "$n" --config "$T/no-such.json"
	[ "$status" -ne 0 ]
	expect_contains "$stderr" "$T/no-such.json"
	expect_root_only
}

@test "--config with a valid document is used; flags override it" {
	a=$(cname a)
	b=$(cname b)
	cat >"$T/good.json" <<-'EOF'
		{"ociVersion": "1.0.2", "hostname": "from-config",
		 "process": {"args": ["/bin/sh", "-c", "exit 3"], "cwd": "/"}}
	EOF
	run --separate-stderr ctr create "$a" --config "$T/good.json"
	expect_status 0
	run --separate-stderr ctr config "$a"
	expect_status 0
	expect_eq "$(jget 'd["hostname"]' <<<"$output")" from-config hostname
	expect_eq "$(jget 'd["process"]["args"]' <<<"$output")" '["/bin/sh","-c","exit 3"]' args
	# `config` prints the stored document
	expect_eq "$(jget 'd' <<<"$output")" "$(jget 'd' <"$T/lib/$a/config.json")" "config vs config.json"

	run --separate-stderr ctr create "$b" --config "$T/good.json" --hostname from-flag --init "/sbin/init"
	expect_status 0
	run --separate-stderr ctr config "$b"
	expect_eq "$(jget 'd["hostname"]' <<<"$output")" from-flag hostname
	expect_eq "$(jget 'd["process"]["args"]' <<<"$output")" '["/sbin/init"]' args
}

@test "a hand-broken config.json: start and info exit 7 naming the file" {
	n=$(cname)
	ctr create "$n"
	cp "$T/lib/$n/config.json" "$T/saved.json"
	printf '{"ociVersion": ' >"$T/lib/$n/config.json"
	run --separate-stderr ctr start "$n"
	expect_status 7
	expect_contains "$stderr" "$T/lib/$n/config.json"
	expect_contains "$stderr" "malformed JSON"
	[ ! -e "$T/run/$n" ]
	expect_eq "$(cgroup_dirs "$n")" "" cgroups
	run --separate-stderr ctr info "$n"
	expect_status 7
	echo '{"ociVersion": "1.0.2", "process": {"args": []}}' >"$T/lib/$n/config.json"
	run --separate-stderr ctr start "$n"
	expect_status 7
	expect_contains "$stderr" "process.args"
	cp "$T/saved.json" "$T/lib/$n/config.json"
	run --separate-stderr ctr info "$n"
	expect_status 0
}

# ---- containers that do not exist or are in the wrong state --------------------------

@test "start/stop/restart/kill/info/config/console/set/destroy of a non-existent container exit 3" {
	n=$(cname nope)
	expect_each_fails 3 "'$n' does not exist" "start $n" "stop $n" "restart $n" "kill $n" "info $n" \
		"config $n" "console $n" "set $n --hostname x" "destroy $n" "destroy --force $n"
	run --separate-stderr ctr --json info "$n"
	check_json_error 3 not-found
	expect_contains "$output" "$n"
	run --separate-stderr ctr --json stop "$n"
	check_json_error 3 not-found
	expect_root_only
}

@test "exec of a non-existent container exits 125 (ctr's own failure), JSON code not-found" {
	n=$(cname nope)
	run --separate-stderr ctr exec "$n" -- true
	expect_status 125
	expect_contains "$stderr" "'$n' does not exist"
	run --separate-stderr ctr --json exec "$n" -- true
	check_json_error 125 not-found
}

@test "start --foreground of a non-existent container exits 125 (ctr's own failure), JSON code not-found" {
	n=$(cname nope)
	run --separate-stderr ctr start --foreground "$n"
	expect_status 125
	expect_contains "$stderr" "'$n' does not exist"
	run --separate-stderr ctr --json start --foreground "$n"
	check_json_error 125 not-found
	expect_root_only
}

@test "stop/kill/console of a stopped container exit 4 ('is not running')" {
	n=$(cname)
	ctr create "$n"
	expect_each_fails 4 "'$n' is not running" "stop $n" "stop --timeout 0 $n" "kill $n" "kill $n KILL" \
		"console $n"
	run --separate-stderr ctr --json kill "$n"
	check_json_error 4 wrong-state
	run --separate-stderr ctr --json console "$n"
	check_json_error 4 wrong-state
	expect_eq "$(cinfo "$n" 'd["state"]')" stopped
}

@test "exec in a stopped container exits 125 (ctr's own failure), JSON code wrong-state" {
	n=$(cname)
	ctr create "$n"
	run --separate-stderr ctr exec "$n" -- true
	expect_status 125
	expect_contains "$stderr" "'$n' is not running"
	run --separate-stderr ctr --json exec "$n" -- true
	check_json_error 125 wrong-state
}

@test "start of a running container exits 4 ('already running')" {
	n=$(cname)
	ctr create "$n" --init "/bin/sh -c 'trap \"exit 0\" TERM; while :; do sleep 1 & wait \$!; done'" \
		--stop-signal SIGTERM
	ctr start "$n"
	pid=$(cinfo "$n" 'd["pid"]')
	run --separate-stderr ctr start "$n"
	expect_status 4
	expect_contains "$stderr" "already running"
	run --separate-stderr ctr --json start "$n"
	check_json_error 4 wrong-state
	expect_eq "$(cinfo "$n" 'd["pid"]')" "$pid" "pid after the refused start"
	ctr stop "$n"
}

# ---- usage errors -------------------------------------------------------------------------

@test "unknown command exits 2" {
	run --separate-stderr ctr frobnicate
	expect_status 2
	expect_contains "$stderr" "unknown command 'frobnicate'"
	run --separate-stderr ctr --json frobnicate
	check_json_error 2 usage
	run --separate-stderr ctr CREATE x
	expect_status 2
	expect_root_only
}

@test "unknown option exits 2" {
	n=$(cname)
	run --separate-stderr ctr stop "$n" --bogus
	expect_status 2
	expect_contains "$stderr" "unknown option '--bogus'"
	run --separate-stderr ctr create "$n" -z
	expect_status 2
	expect_contains "$stderr" "unknown option '-z'"
	expect_root_only
	run --separate-stderr ctr list --all
	expect_status 2
	expect_contains "$stderr" "--all"
	run --separate-stderr ctr --bogus list
	expect_status 2
	expect_contains "$stderr" "--bogus"
	run --separate-stderr ctr --json start "$n" --detach
	check_json_error 2 usage
}

@test "--json before a bad global option: the usage error is JSON too" {
	run --separate-stderr ctr --json --bogus list
	check_json_error 2 usage
	expect_contains "$stderr" "--bogus"
}

@test "missing arguments exit 2" {
	n=$(cname)
	for c in create start stop restart kill info config console destroy set; do
		run --separate-stderr ctr "$c"
		if [ "$status" -ne 2 ]; then
			echo "ctr $c without NAME: expected 2, got $status: $stderr"
			return 1
		fi
		expect_contains "$stderr" "missing"
	done
	run --separate-stderr ctr exec
	expect_status 2
	expect_contains "$stderr" "missing container NAME"
	run --separate-stderr ctr exec "$n"
	expect_status 2
	expect_contains "$stderr" "missing the command"
	run --separate-stderr ctr stop "$n" --timeout
	expect_status 2
	expect_contains "$stderr" "'--timeout' needs a value"
	run --separate-stderr ctr create "$n" --hostname
	expect_status 2
	expect_contains "$stderr" "'--hostname' needs a value"
	run --separate-stderr ctr --root
	expect_status 2
	expect_contains "$stderr" "--root"
	run --separate-stderr ctr start a b
	expect_status 2
	expect_contains "$stderr" "unexpected argument 'b'"
	expect_root_only
}

@test "exec usage errors exit 2: bad --env, relative --cwd, no command" {
	n=$(cname)
	ctr create "$n"
	for args in "-e FOO" "-e =bar" "--env" "-w relative" "--cwd"; do
		# shellcheck disable=SC2086
		run --separate-stderr ctr exec $args "$n" -- true
		if [ "$status" -ne 2 ]; then
			echo "exec $args: expected 2, got $status: $stderr"
			return 1
		fi
	done
	run --separate-stderr ctr exec -e FOO "$n" -- true
	expect_contains "$stderr" "--env 'FOO': expected NAME=VALUE"
	run --separate-stderr ctr exec -w relative "$n" -- true
	expect_contains "$stderr" "--cwd 'relative' must be an absolute path"
	run --separate-stderr ctr exec "$n" --
	expect_status 2
	expect_contains "$stderr" "missing the command"
	run --separate-stderr ctr --json exec -e FOO "$n" -- true
	check_json_error 2 usage
}

@test "bad signal for kill exits 2" {
	n=$(cname)
	ctr create "$n"
	for sig in BOGUS SIGBOGUS 99 0x9 "" 9x; do
		run --separate-stderr ctr kill "$n" "$sig"
		if [ "$status" -ne 2 ]; then
			echo "kill with signal '$sig': expected 2, got $status: $stderr"
			return 1
		fi
		expect_contains "$stderr" "signal '$sig'"
	done
	run --separate-stderr ctr kill "$n" TERM extra
	expect_status 2
}

@test "bad --timeout exits 2" {
	n=$(cname)
	ctr create "$n"
	for t in x -1 1.5 "" 10s 86401 99999999999999999999; do
		for c in stop restart; do
			run --separate-stderr ctr "$c" "$n" --timeout "$t"
			if [ "$status" -ne 2 ]; then
				echo "$c --timeout '$t': expected 2, got $status: $stderr"
				return 1
			fi
			expect_contains "$stderr" "invalid value '$t' for --timeout"
		done
	done
	expect_eq "$(cinfo "$n" 'd["state"]')" stopped
}

@test "bad --hostname exits 2 (create and set) and changes nothing" {
	n=$(cname)
	long=$(printf 'h%.0s' $(seq 65))
	for h in "bad host" "$long" "" "a/b" "a_b" "x;y"; do
		run --separate-stderr ctr create "$n" --hostname "$h"
		if [ "$status" -ne 2 ]; then
			echo "create --hostname '$h': expected 2, got $status: $stderr"
			return 1
		fi
		expect_contains "$stderr" "invalid hostname"
		expect_root_only
	done
	ctr create "$n"
	before=$(ctr config "$n")
	run --separate-stderr ctr set "$n" --hostname "bad host"
	expect_status 2
	expect_contains "$stderr" "invalid hostname 'bad host'"
	expect_eq "$(ctr config "$n")" "$before" "config after the refused set"
	run --separate-stderr ctr set "$n" --hostname ok-name.example
	expect_status 0
	expect_eq "$(ctr config "$n" | jget 'd["hostname"]')" ok-name.example
}

@test "bad --stop-signal exits 2 and creates nothing" {
	n=$(cname)
	run --separate-stderr ctr create "$n" --stop-signal BOGUS
	expect_status 2
	expect_contains "$stderr" "stop signal 'BOGUS'"
	expect_root_only
}

@test "bad --init (empty, unbalanced quotes) exits 2 and creates nothing" {
	n=$(cname)
	for i in "" "   " "'abc" '"abc' "/bin/sh -c 'x"; do
		run --separate-stderr ctr create "$n" --init "$i"
		if [ "$status" -ne 2 ]; then
			echo "create --init '$i': expected 2, got $status: $stderr"
			return 1
		fi
		expect_contains "$stderr" "invalid --init"
		expect_root_only
	done
}

@test "bad --stop-timeout for set exits 2" {
	n=$(cname)
	ctr create "$n"
	before=$(ctr config "$n")
	for t in x -1 "" 1.5 86401; do
		run --separate-stderr ctr set "$n" --stop-timeout "$t"
		expect_status 2
		expect_contains "$stderr" "--stop-timeout"
	done
	run --separate-stderr ctr set "$n" --stop-signal BOGUS
	expect_status 2
	expect_eq "$(ctr config "$n")" "$before" "config after refused sets"
}

@test "set with nothing to set exits 2" {
	n=$(cname)
	ctr create "$n"
	before=$(ctr config "$n")
	run --separate-stderr ctr set "$n"
	expect_status 2
	expect_contains "$stderr" "nothing to set"
	run --separate-stderr ctr --json set "$n"
	check_json_error 2 usage
	expect_eq "$(ctr config "$n")" "$before" "config"
}

@test "relative --root or --run-dir exits 2" {
	run --separate-stderr "$CTR" --root relative/dir --run-dir "$T/run" list
	expect_status 2
	expect_contains "$stderr" "absolute"
	run --separate-stderr "$CTR" --root "$T/lib" --run-dir relative list
	expect_status 2
	[ ! -e relative ]
}

# ---- list and info ------------------------------------------------------------------------

@test "list on an empty or missing root; list and info --json are valid JSON" {
	run --separate-stderr ctr list --json
	expect_status 0
	expect_eq "$(jget 'd' <<<"$output")" '{"containers":[]}' "empty list"
	run --separate-stderr ctr --json list
	expect_status 0
	expect_eq "$(jget 'd' <<<"$output")" '{"containers":[]}' "empty list (global --json)"
	run --separate-stderr ctr list
	expect_status 0
	[[ "${lines[0]}" =~ ^NAME ]]
	[ "${#lines[@]}" -eq 1 ]

	a=$(cname a)
	b=$(cname b)
	ctr create "$a"
	ctr create "$b"
	run --separate-stderr ctr list --json
	expect_eq "$(jget 'sorted(c["name"] for c in d["containers"])' <<<"$output")" "[\"$a\",\"$b\"]" names
	expect_eq "$(jget 'sorted(sorted(c.keys()) for c in d["containers"])[0]' <<<"$output")" \
		'["name","pid","rootfs","started","state"]' "entry keys"
	run --separate-stderr ctr info --json "$a"
	expect_status 0
	expect_eq "$(jget 'sorted(d.keys())' <<<"$output")" \
		'["config","idmap","lastExit","monitorPid","name","pid","privileged","rootfs","started","state"]' "info keys"
}

# ---- global configuration -------------------------------------------------------------

@test "precedence: --root over CTR_ROOT over ctr.conf (also for the run dir)" {
	conf=$T/ctr.conf
	cat >"$conf" <<-EOF
		# a comment, then a blank line

		root = $T/confroot
		   run-dir=$T/confrun   
	EOF
	register_root "$T/confroot" "$T/confrun"
	register_root "$T/envroot" "$T/envrun"
	register_root "$T/cliroot" "$T/clirun"
	c=$(cname conf)
	e=$(cname env)
	l=$(cname cli)
	"$CTR" --root "$T/confroot" --run-dir "$T/confrun" create "$c"
	"$CTR" --root "$T/envroot" --run-dir "$T/envrun" create "$e"
	"$CTR" --root "$T/cliroot" --run-dir "$T/clirun" create "$l"

	names() {
		"$@" list --json | jget '[c["name"] for c in d["containers"]]'
	}
	expect_eq "$(CTR_CONFIG=$conf names "$CTR")" "[\"$c\"]" "config file root"
	expect_eq "$(CTR_CONFIG=$conf CTR_ROOT=$T/envroot names "$CTR")" "[\"$e\"]" "CTR_ROOT over the config file"
	expect_eq "$(CTR_CONFIG=$conf CTR_ROOT=$T/envroot names "$CTR" --root "$T/cliroot")" "[\"$l\"]" \
		"--root over CTR_ROOT"
	expect_eq "$(CTR_CONFIG=$conf names "$CTR" --root "$T/cliroot")" "[\"$l\"]" "--root over the config file"
	expect_eq "$(CTR_CONFIG=$conf CTR_ROOT='' names "$CTR")" "[\"$c\"]" "empty CTR_ROOT is unset"

	# the run dir: config file, then CTR_RUN_DIR
	CTR_CONFIG=$conf "$CTR" start "$c"
	[ -d "$T/confrun/$c" ]
	expect_eq "$(CTR_CONFIG=$conf "$CTR" info --json "$c" | jget 'd["state"]')" running "state via the config's run dir"
	expect_eq "$(CTR_CONFIG=$conf CTR_RUN_DIR=$T/envrun "$CTR" info --json "$c" | jget 'd["state"]')" stopped \
		"state via CTR_RUN_DIR"
	expect_eq "$(CTR_CONFIG=$conf CTR_RUN_DIR=$T/envrun "$CTR" --run-dir "$T/confrun" info --json "$c" |
		jget 'd["state"]')" running "state via --run-dir"
	CTR_CONFIG=$conf "$CTR" stop --timeout 0 "$c"
	[ ! -e "$T/confrun/$c" ]
}

@test "ctr.conf: unknown key, bad line, relative path, unreadable file fail with file:line" {
	conf=$T/ctr.conf
	printf '# comment\nroot = %s\nbogus = 1\n' "$T/lib" >"$conf"
	run --separate-stderr env CTR_CONFIG="$conf" "$CTR" list
	expect_status 2
	expect_contains "$stderr" "$conf:3"
	expect_contains "$stderr" "unknown key 'bogus'"
	# also when --root is given: the file is still read
	run --separate-stderr env CTR_CONFIG="$conf" "$CTR" "${CTR_ARGS[@]}" list
	expect_status 2
	expect_contains "$stderr" "$conf:3"

	printf 'root %s\n' "$T/lib" >"$conf"
	run --separate-stderr env CTR_CONFIG="$conf" "$CTR" list
	expect_status 2
	expect_contains "$stderr" "$conf:1"

	printf '\n\nrun-dir = relative/run\n' >"$conf"
	run --separate-stderr env CTR_CONFIG="$conf" "$CTR" list
	expect_status 2
	expect_contains "$stderr" "$conf:3"
	expect_contains "$stderr" "absolute"

	run --separate-stderr env CTR_CONFIG="$T/no-such.conf" "$CTR" "${CTR_ARGS[@]}" list
	expect_status 2
	expect_contains "$stderr" "$T/no-such.conf"

	run --separate-stderr env CTR_CONFIG="$conf" "$CTR" --json list
	check_json_error 2 usage
}
