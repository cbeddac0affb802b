# shellcheck shell=bash
# The parts bench/lifecycle.sh, bench/checkpoint.sh and bench/migrate.sh share:
# messages, the tool checks, finding ctr, a cgroupsPath for a peer runtime
# below our own cgroup, and the checks for cgroups, processes and the temp dir
# at cleanup. Not a script of its own: each benchmark sets script_dir (this
# directory) and sources it, under set -euo pipefail:
#
#   script_dir=$(cd "$(dirname "$0")" && pwd)
#   . "$script_dir/lib.sh"
#
# Functions meant to run before cleanup return 0 or die; those for cleanup
# (which runs under set +e) say what they return.

# ---- messages -----------------------------------------------------------------------
prog=${0##*/}
# die TEXT...: "PROG: TEXT" on stderr, exit 1.
die() {
	echo "$prog: $*" >&2
	exit 1
}
# note TEXT...: "PROG: TEXT" on stderr.
note() { echo "$prog: $*" >&2; }
# note_list TEXT LINES: note TEXT, then LINES (newline-separated) indented.
note_list() {
	note "$1"
	printf '%s\n' "$2" | sed 's/^/  /' >&2
}

# ---- requirements ---------------------------------------------------------------------
# need_root WHY: die "must run as root (WHY)" unless we are root.
need_root() {
	[ "$(id -u)" = 0 ] || die "must run as root ($1)"
}

# need_tools STYLE 'TOOL...' [GLOB HINT]...
# Die when a TOOL is missing: a command not in PATH, or, for a TOOL with a
# slash, a path that is not executable. The message names the missing tools
# in the order given, then the HINT of every GLOB (a case pattern) that
# matches that list, in the order given, each at most once:
#   STYLE apt    HINTs are package names:
#                "missing: T1 T2; install with: apt-get install -y P1 P2"
#   STYLE text   HINTs are sentences: "missing: T1 T2; HINT1; HINT2"
need_tools() {
	local style=$1 t missing='' hint='' sep=''
	local -a tools
	read -r -a tools <<<"$2"
	shift 2
	for t in "${tools[@]}"; do
		case $t in
		*/*) [ -x "$t" ] || missing="$missing $t" ;;
		*) command -v "$t" >/dev/null 2>&1 || missing="$missing $t" ;;
		esac
	done
	[ -n "$missing" ] || return 0
	[ "$style" = apt ] || sep=';'
	while [ $# -ge 2 ]; do
		# shellcheck disable=SC2254 # $1 is a pattern
		case $missing in $1) hint="$hint$sep $2" ;; esac
		shift 2
	done
	[ "$style" = apt ] && hint="; install with: apt-get install -y$hint"
	die "missing:$missing$hint"
}

# find_ctr [COMMAND]: the ctr binary to time, in ctr_bin (an absolute path),
# and where it came from in ctr_from (CTR, build or PATH): $CTR; else ./ctr
# (the top build dir); else ../ctr next to the script (an in-tree build);
# else ctr in PATH. With COMMAND, that ctr must have it (COMMAND --help works).
# Unless ctr is the one from PATH, CTR_TEMPLATE_DIR defaults to this source
# tree's templates/.
# shellcheck disable=SC2154 # script_dir: set by the script that sources this
find_ctr() {
	if [ -n "${CTR:-}" ]; then
		ctr_bin=$CTR
		ctr_from=CTR
	elif [ -x ./ctr ] && [ -f ./ctr ]; then
		ctr_bin=./ctr
		ctr_from=build
	elif [ -x "$script_dir/../ctr" ] && [ -f "$script_dir/../ctr" ]; then
		ctr_bin=$script_dir/../ctr
		ctr_from=build
	elif ctr_bin=$(command -v ctr 2>/dev/null); then
		ctr_from=PATH
	else
		die "no ctr binary: set CTR=/path/to/ctr, or run from the top build dir (./ctr)"
	fi
	[ -x "$ctr_bin" ] || die "$ctr_bin is not executable"
	if [ -n "${1:-}" ]; then
		"$ctr_bin" "$1" --help >/dev/null 2>&1 ||
			die "$ctr_bin ($ctr_from) has no $1 command; set CTR=/path/to/a/newer/ctr"
	fi
	ctr_bin=$(cd "$(dirname "$ctr_bin")" && pwd)/$(basename "$ctr_bin")
	if [ -z "${CTR_TEMPLATE_DIR:-}" ] && [ "$ctr_from" != PATH ] && [ -f "$script_dir/../templates/busybox" ]; then
		export CTR_TEMPLATE_DIR="$script_dir/../templates"
	fi
	return 0
}

# now_us: now = microseconds since the epoch (EPOCHREALTIME's decimal point is
# the locale's; bash >= 5).
# shellcheck disable=SC2034 # now: for the caller
now_us() { now=${EPOCHREALTIME/[.,]/}; }

# ---- a cgroupsPath for a peer runtime ---------------------------------------------------
# plan_cgroups RUNTIME UNIFIED
# RUNTIME (crun or runc, cgroupfs manager, v1) uses ONE cgroupsPath, from the
# root of every hierarchy listed in /proc/self/cgroup. Our own cgroup may
# differ between hierarchies (memory:/process_api/ID, cpu:/ ...): the deepest
# one is taken; it is under our cgroup in every hierarchy only if every other
# one is its ancestor, else the script dies. UNIFIED is what the runtime does
# with the cgroup2 line (0::PATH):
#   skip   nothing (crun where our wrapper hides the unified mount); with no
#          v1 hierarchy at all (a pure cgroup v2 host) the path is a v2 path,
#          below our own v2 cgroup
#   enter  it enters that hierarchy too (runc on a hybrid host)
# Sets:
#   cg_leaf    ctr-bench-RUNTIME-PID, the runtime's own cgroup
#   cg_parent  the deepest of our own cgroups
#   cg_path    the cgroupsPath to give the runtime: cg_parent/cg_leaf
#   cg_hier    the hierarchies' directories the runtime will enter
#   cg_created_h, cg_created_p
#              where the runtime's mkdir -p will create directories that do
#              not exist yet (the intermediate levels of cg_parent in
#              hierarchies where we sit higher up): the hierarchy, and the
#              topmost level it will create there. They are below our own
#              cgroup; cg_remove removes them again.
cg_leaf=
cg_parent=
cg_path=
cg_hier=()
cg_created_h=()
cg_created_p=()
plan_cgroups() {
	local rt=$1 unified=$2 cg2_mount='' ctrls path sub h p c prefix
	local -a comps
	cg_leaf=ctr-bench-$rt-$$
	cg_hier=()
	cg_parent=/
	if [ "$unified" = enter ]; then
		cg2_mount=$(awk '{ for (i = 7; $i != "-"; i++); if ($(i + 1) == "cgroup2") { print $5; exit } }' /proc/self/mountinfo)
	fi
	while IFS=: read -r _ ctrls path; do
		if [ -z "$ctrls" ]; then
			[ -n "$cg2_mount" ] || continue
			h=$cg2_mount
		else
			sub=${ctrls#name=}
			case $sub in net_prio,net_cls) sub=net_cls,net_prio ;; cpuacct,cpu) sub=cpu,cpuacct ;; esac
			h=/sys/fs/cgroup/$sub
		fi
		[ -d "$h" ] || continue
		cg_hier+=("$h")
		if [ ${#path} -gt ${#cg_parent} ]; then cg_parent=$path; fi
	done </proc/self/cgroup
	if [ "$unified" = enter ] && [ ${#cg_hier[@]} = 0 ]; then
		die "cannot find our own cgroups in /proc/self/cgroup"
	fi
	while IFS=: read -r _ ctrls path; do
		[ "$unified" = enter ] || [ -n "$ctrls" ] || continue
		prefix=${path%/}/
		case $cg_parent/ in
		"$prefix"*) ;;
		*) die "our cgroups are not nested (${ctrls:-unified}:$path vs $cg_parent): no single cgroupsPath for $rt is under our own cgroup in every hierarchy" ;;
		esac
	done </proc/self/cgroup
	if [ ${#cg_hier[@]} = 0 ]; then
		# No v1 hierarchy: a pure cgroup v2 host, where the path is a v2 path.
		cg_parent=$(sed -n 's/^0:://p' /proc/self/cgroup)
		[ -n "$cg_parent" ] || die "cannot find our own cgroup in /proc/self/cgroup"
	fi
	cg_path=${cg_parent%/}/$cg_leaf

	cg_created_h=()
	cg_created_p=()
	IFS=/ read -r -a comps <<<"${cg_parent#/}"
	for h in "${cg_hier[@]}"; do
		p=
		for c in "${comps[@]}"; do
			[ -n "$c" ] || continue
			p=$p/$c
			if [ ! -d "$h$p" ]; then
				cg_created_h+=("$h")
				cg_created_p+=("$p")
				break
			fi
		done
	done
	return 0
}

# cg_remove (cleanup): the runtime's leaf (normally gone when its container
# is), then the levels above it that its mkdir -p created (plan_cgroups);
# rmdir only, never anything that is not empty. Returns 0.
cg_remove() {
	local h p i
	for h in "${cg_hier[@]}"; do
		[ -d "$h$cg_path" ] && rmdir "$h$cg_path" 2>/dev/null
	done
	for i in "${!cg_created_h[@]}"; do
		h=${cg_created_h[i]}
		p=$cg_parent
		while [ "${#p}" -ge "${#cg_created_p[i]}" ]; do
			[ -d "$h$p" ] && { rmdir "$h$p" 2>/dev/null || note "warning: could not remove $h$p"; }
			p=${p%/*}
		done
	done
	return 0
}

# ---- what is left behind ------------------------------------------------------------------
cgroup_mounts() {
	awk '{ for (i = 7; $i != "-"; i++); if ($(i + 1) == "cgroup" || $(i + 1) == "cgroup2") print $5 }' \
		/proc/self/mountinfo
}
# list_ctr_cgroups: every ctr-* cgroup, in all hierarchies, sorted; taken once
# at the start (cgroups_before=$(list_ctr_cgroups)) for cgroups_left.
list_ctr_cgroups() {
	local m
	for m in $(cgroup_mounts); do
		find "$m" -mindepth 1 -type d -name 'ctr-*' 2>/dev/null || true
	done | sort
}

# cgroups_left BEFORE ERE (cleanup): prints the cgroups of ours that are
# still there: the ctr-* ones not in BEFORE (list_ctr_cgroups at the start)
# whose last component matches the extended regexp ERE, then the levels
# plan_cgroups found the runtime would create, if still there. Other new
# ctr-* cgroups belong to someone else's ctr running meanwhile (a test
# suite): a warning lists them on stderr.
cgroups_left() {
	local new left other i c
	new=$(comm -13 <(printf '%s\n' "$1") <(list_ctr_cgroups) | grep . || true)
	left=$(printf '%s\n' "$new" | grep -E "/($2)\$" || true)
	other=$(printf '%s\n' "$new" | grep -vE "/($2)\$" | grep . || true)
	for i in "${!cg_created_h[@]}"; do
		c=${cg_created_h[i]}${cg_created_p[i]}
		[ -d "$c" ] && left="$left${left:+$'\n'}$c"
	done
	if [ -n "$other" ]; then
		note_list "warning: ctr-* cgroups of another ctr appeared meanwhile (not ours, left alone):" "$other"
	fi
	if [ -n "$left" ]; then printf '%s\n' "$left"; fi
	return 0
}

# our_procs DIR: the pids of the processes of ours, one a line: anything whose
# root or cwd is in DIR, the temp dir (the containers' processes, CRIU), or
# whose command line names it (ctr's monitor, a peer runtime, sshd...). One
# python3 process looks, and leaves itself and this script out.
our_procs() {
	python3 - "$1" "$$" <<'EOF'
import os, sys

work, me = sys.argv[1], {os.getpid(), os.getppid(), int(sys.argv[2])}
for pid in sorted(int(p) for p in os.listdir("/proc") if p.isdigit()):
    if pid in me:
        continue
    try:
        links = [os.readlink(f"/proc/{pid}/{l}") for l in ("root", "cwd")]
        cmd = open(f"/proc/{pid}/cmdline", "rb").read().decode(errors="replace")
    except OSError:
        continue
    if any(l == work or l.startswith(work + "/") for l in links) or work in cmd:
        print(pid)
EOF
}

# kill_our_procs DIR [GRACE] (cleanup): kill -KILL the processes of ours
# (our_procs DIR) and list them as an error; with GRACE, first wait that many
# seconds for them to go by themselves. Returns 1 when there were any.
kill_our_procs() {
	local procs p
	procs=$(our_procs "$1")
	if [ -n "$procs" ] && [ -n "${2:-}" ]; then
		sleep "$2"
		procs=$(our_procs "$1")
	fi
	[ -n "$procs" ] || return 0
	note "error: processes of ours left behind, killing them:"
	for p in $procs; do
		note "  $p: $(tr '\0' ' ' <"/proc/$p/cmdline" 2>/dev/null)"
		kill -KILL "$p" 2>/dev/null
	done
	sleep 0.2
	return 1
}

# remove_work DIR [KEEP] (cleanup): rm -rf DIR, the temp dir, unless
# something is still mounted under it (a warning) or KEEP is 1 (a note).
# Returns 0.
remove_work() {
	if grep -qF " $1" /proc/self/mountinfo; then
		note "warning: something is still mounted under $1; not removing it"
	elif [ "${2:-0}" = 1 ]; then
		note "keeping $1 (KEEP=1)"
	else
		rm -rf "$1"
	fi
	return 0
}

# trap_cleanup FUNCTION: run FUNCTION on exit; SIGINT, SIGTERM and SIGHUP
# exit with 130, 143 and 129 (through FUNCTION). FUNCTION starts with
# 'local rc=$?; trap - EXIT INT TERM HUP; set +e' and ends with exit "$rc".
trap_cleanup() {
	# shellcheck disable=SC2064 # $1, the function's name, now
	trap "$1" EXIT
	trap 'exit 130' INT
	trap 'exit 143' TERM
	trap 'exit 129' HUP
}
