#!/bin/bash
# Full container lifecycle, ctr against crun, side by side in one hyperfine run.
#
#   ctr  start --foreground NAME   (init = /bin/true)
#   crun run ID                    (process = /bin/true, equivalent OCI bundle)
#
# Both run over the same busybox rootfs, with the same namespaces (pid, mount,
# uts, ipc, net, cgroup), a cgroup per container, /proc, read-only /sys, /run
# and a tmpfs /dev with devpts and /dev/shm. See bench/README.md for what is
# measured and what still differs between the two.
#
# Usage (as root):  bench/lifecycle.sh
# Environment:
#   CTR=PATH        ctr binary (default: ./ctr if it exists, i.e. when run from
#                   the top build dir; then ../ctr next to this script for an
#                   in-tree build; then ctr in PATH)
#   RUNS=N          timed runs per command (default 100)
#   MODE=M          unprivileged (default: ctr's default container, with a user
#                   namespace; crun gets the same uid/gid maps) or privileged
#                   (no user namespace on either side)
#   WARMUP=N        untimed warm-up runs per command (default 5)
#   JSON=FILE       keep hyperfine's JSON export there (default: a temp file)
#   BASELINE=0      do not time the namespace wrapper alone (default 1)
#   SETTLE=SECONDS  sleep this long before every timed run (hyperfine
#                   --prepare), e.g. 0.05: every run then starts "cold" (see
#                   README: the first cgroup v1 attach waits for an RCU grace
#                   period unless another attach happened within the last one)
#   CTR_TEMPLATE_DIR  ctr's template dir; defaults to this source tree's
#                   templates/ unless ctr is the installed one from PATH
#   TMPDIR          where the temporary roots and the bundle go (default /tmp)
# Exit status: 0 when the benchmark ran and nothing was left behind (whatever
# the ratio), 1 on any error.
set -euo pipefail

RUNS=${RUNS:-100}
MODE=${MODE:-unprivileged}
WARMUP=${WARMUP:-5}
BASELINE=${BASELINE:-1}
SETTLE=${SETTLE:-}
JSON=${JSON:-}

script_dir=$(cd "$(dirname "$0")" && pwd)
# die, note, need_tools, find_ctr, plan_cgroups and the cleanup checks
# shellcheck source=SCRIPTDIR/lib.sh
. "$script_dir/lib.sh"

case $MODE in unprivileged | privileged) ;; *) die "MODE must be unprivileged or privileged (got '$MODE')" ;; esac
case $RUNS in '' | *[!0-9]* | 0 | 1) die "RUNS must be an integer >= 2 (got '$RUNS')" ;; esac
case $WARMUP in '' | *[!0-9]*) die "WARMUP must be an integer >= 0 (got '$WARMUP')" ;; esac
case $SETTLE in '' | 0) SETTLE= ;; *[!0-9.]* | *.*.* | .) die "SETTLE must be a number of seconds (got '$SETTLE')" ;; esac
need_root "both runtimes create namespaces and cgroups"

# ---- tools ------------------------------------------------------------------------
need_tools apt "crun hyperfine python3 unshare" \
	'*crun*' crun '*hyperfine*' hyperfine '*python3*' python3 '*unshare*' util-linux

# shellcheck disable=SC2119 # no ctr command to check for
find_ctr # ctr_bin, ctr_from; CTR_TEMPLATE_DIR
crun_bin=$(command -v crun)
# The default seccomp profile ctr compiles in, as OCI JSON for crun.
seccomp_json=$script_dir/../src/security/seccomp-default.json
[ -f "$seccomp_json" ] || seccomp_json=/usr/share/ctr/seccomp-default.json
[ -f "$seccomp_json" ] || die "no seccomp-default.json next to this script or in /usr/share/ctr"

# ---- cgroup layout ----------------------------------------------------------------
# Debian's crun refuses a hybrid host (cgroup2 mounted at /sys/fs/cgroup/unified).
# Every command, ctr's too, therefore runs in a private mount namespace where
# that mount is replaced by a throwaway tmpfs. (A bare umount would leave the
# directory of the host's /sys/fs/cgroup tmpfs visible, and crun would create
# "cgroups" there -- real directories in the host's tmpfs, hidden under the
# unified mount. A tmpfs of our own dies with the namespace.)
if grep -q ' /sys/fs/cgroup/unified .* - cgroup2 ' /proc/self/mountinfo; then
	wrap_script='umount /sys/fs/cgroup/unified && mount -t tmpfs -o size=64k,mode=755 ctr-bench /sys/fs/cgroup/unified && exec "$@"'
else
	wrap_script='exec "$@"'
fi
wrap=(unshare -m --propagation private sh -c "$wrap_script" ctr-bench)

# crun (cgroupfs manager, v1) uses ONE cgroupsPath, from the root of every
# hierarchy listed in /proc/self/cgroup: cg_path, below our own cgroup in
# every one, its leaf cg_leaf (ctr-bench-crun-PID). The unified line is left
# out: our tmpfs stands in for it. The levels crun's mkdir -p will create are
# removed again at the end (lib.sh: plan_cgroups, cg_remove).
plan_cgroups crun skip
crun_cgpath=$cg_path
cgroups_before=$(list_ctr_cgroups)

# ---- work area and cleanup ----------------------------------------------------------
work=$(mktemp -d "${TMPDIR:-/tmp}/ctr-bench.XXXXXX")
root=$work/root
rundir=$work/run
bundle=$work/bundle
crun_state=$work/crun-state
name=bench-$$
crun_id=ctr-bench-$$
json_out=${JSON:-$work/hyperfine.json}
mkdir -p "$root" "$rundir" "$bundle" "$crun_state"

cleanup() {
	local rc=$? left
	trap - EXIT INT TERM HUP
	set +e
	# A run interrupted half-way: let the runtimes remove what they own.
	if [ -e "$crun_state/$crun_id" ]; then
		"${wrap[@]}" "$crun_bin" --root "$crun_state" delete -f "$crun_id" >/dev/null 2>&1
	fi
	if [ -d "$root/$name" ]; then
		"$ctr_bin" --root "$root" --run-dir "$rundir" destroy --force "$name" >/dev/null 2>&1 ||
			note "warning: ctr destroy $name failed"
	fi
	# crun's leaf (normally gone after each run) and the levels above it that
	# crun's mkdir -p created.
	cg_remove
	remove_work "$work"
	# Ours: ctr-NAME (ctr's), crun's leaf and the levels crun created; a
	# warning lists other new ctr-* groups (another ctr's, left alone).
	left=$(cgroups_left "$cgroups_before" "ctr-$name|$cg_leaf")
	if [ -n "$left" ]; then
		note_list "error: cgroups left behind:" "$left"
		[ "$rc" = 0 ] && rc=1
	else
		note "cleanup: none of our cgroups left (ctr-$name, $cg_leaf), temp dir removed"
	fi
	exit "$rc"
}
trap_cleanup cleanup

# ---- the ctr container ---------------------------------------------------------------
ctr_base=("$ctr_bin" --root "$root" --run-dir "$rundir")
# MODE=privileged: no user namespace on either side.
create_args=()
[ "$MODE" = privileged ] && create_args=(--privileged)
if ! out=$("${ctr_base[@]}" create "$name" --init /bin/true "${create_args[@]}" 2>&1); then
	die "ctr create failed: $out"
fi
rootfs=$root/$name/rootfs
[ -x "$rootfs/bin/busybox" ] || die "ctr create made no busybox rootfs at $rootfs"
# crun's init resolves the rootfs path as the container's root (an
# unprivileged host uid with a user namespace): the directories above it must
# let others through. ctr attaches the rootfs before it changes uid and needs
# no such thing.
[ "$MODE" = privileged ] || chmod 0711 "$work" "$root" "$root/$name"

# ---- the equivalent OCI bundle -----------------------------------------------------------
(cd "$bundle" && "$crun_bin" spec) || die "crun spec failed"
python3 - "$bundle/config.json" "$root/$name/config.json" "$rootfs" "$crun_cgpath" "$seccomp_json" <<'EOF'
import json, sys

bundle_cfg, ctr_cfg, rootfs, cgpath, seccomp_json = sys.argv[1:]
ctr = json.load(open(ctr_cfg))
cfg = json.load(open(bundle_cfg))
proc = cfg["process"]
# ctr gives init a pty console; crun's terminal mode needs a tty on stdin or a
# --console-socket receiver, which a non-interactive benchmark does not have.
proc["terminal"] = False
proc["args"] = ctr["process"]["args"]
proc["env"] = ctr["process"]["env"]
proc["cwd"] = ctr["process"].get("cwd", "/")
proc["user"] = {"uid": 0, "gid": 0}
# The same security settings as ctr's container: its capability lists,
# no_new_privs, rlimits, masked and read-only paths, the same seccomp profile
# (ctr's default, as OCI JSON) and, unprivileged, the same user namespace.
proc["noNewPrivileges"] = ctr["process"]["noNewPrivileges"]
proc["capabilities"] = ctr["process"]["capabilities"]
proc.pop("rlimits", None)
if "rlimits" in ctr["process"]:
    proc["rlimits"] = ctr["process"]["rlimits"]
proc.pop("apparmorProfile", None)
proc.pop("selinuxLabel", None)
cfg["root"] = {"path": rootfs, "readonly": False}
cfg["hostname"] = ctr.get("hostname", "bench")
# ctr's mounts, in ctr's order and with ctr's options (src/rootfs/rootfs.c).
cfg["mounts"] = [
    {"destination": "/proc", "type": "proc", "source": "proc", "options": ["nosuid", "nodev", "noexec"]},
    {"destination": "/sys", "type": "sysfs", "source": "sysfs", "options": ["ro", "nosuid", "nodev", "noexec"]},
    {"destination": "/run", "type": "tmpfs", "source": "tmpfs",
     "options": ["nosuid", "nodev", "mode=755", "size=10%"]},
    {"destination": "/dev", "type": "tmpfs", "source": "tmpfs",
     "options": ["nosuid", "strictatime", "mode=755", "size=65536k"]},
    {"destination": "/dev/pts", "type": "devpts", "source": "devpts",
     "options": ["nosuid", "noexec", "newinstance", "ptmxmode=0666", "mode=0620", "gid=5"]},
    {"destination": "/dev/shm", "type": "tmpfs", "source": "shm",
     "options": ["nosuid", "noexec", "nodev", "mode=1777", "size=65536k"]},
]
lin = ctr["linux"]
cfg["linux"] = {
    "namespaces": lin["namespaces"],
    "cgroupsPath": cgpath,
    "maskedPaths": lin["maskedPaths"],
    "readonlyPaths": lin["readonlyPaths"],
}
for k in ("uidMappings", "gidMappings"):
    if k in lin:
        cfg["linux"][k] = lin[k]
if ctr["ctr"]["seccomp"] == "default":
    cfg["linux"]["seccomp"] = json.load(open(seccomp_json))
elif "seccomp" in lin:
    cfg["linux"]["seccomp"] = lin["seccomp"]
json.dump(cfg, open(bundle_cfg, "w"), indent=2)
EOF

# ---- the commands ---------------------------------------------------------------------------
# hyperfine -N splits a command line with POSIX shell-word rules: single-quote
# every word.
quote() {
	local w out=
	for w in "$@"; do
		out="$out${out:+ }'${w//\'/\'\\\'\'}'"
	done
	printf '%s' "$out"
}
ctr_cmd=("${wrap[@]}" "${ctr_base[@]}" start --foreground "$name")
crun_cmd=("${wrap[@]}" "$crun_bin" --root "$crun_state" run --bundle "$bundle" "$crun_id")
base_cmd=("${wrap[@]}" /bin/true)

# Each must work once before it is timed.
for peer in ctr crun; do
	if [ $peer = ctr ]; then cmd=("${ctr_cmd[@]}"); else cmd=("${crun_cmd[@]}"); fi
	out=$("${cmd[@]}" </dev/null 2>&1) || {
		rc=$?
		die "$peer failed (exit $rc) before timing: $(quote "${cmd[@]}")
$out"
	}
done

echo "ctr:  $ctr_bin ($("$ctr_bin" --version 2>/dev/null | head -n1))"
echo "crun: $crun_bin ($("$crun_bin" --version | head -n1))"
echo "rootfs: $rootfs"
echo "crun cgroupsPath: $crun_cgpath"
echo "runs: $RUNS (+$WARMUP warm-up) per command${SETTLE:+, each after sleep $SETTLE}"
echo

hf=(hyperfine -N --warmup "$WARMUP" --runs "$RUNS" --export-json "$json_out")
[ -z "$SETTLE" ] || hf+=(--prepare "sleep $SETTLE")
hf+=(-n ctr "$(quote "${ctr_cmd[@]}")" -n crun "$(quote "${crun_cmd[@]}")")
[ "$BASELINE" = 0 ] || hf+=(-n wrapper "$(quote "${base_cmd[@]}")")
"${hf[@]}" </dev/null

echo
python3 - "$json_out" <<'EOF'
import json, sys

res = {r["command"]: r for r in json.load(open(sys.argv[1]))["results"]}
ms = lambda s: s * 1000.0
print(f"{'':8} {'median':>9} {'mean':>9} {'stddev':>8} {'min':>8} {'max':>8}  (ms)")
for k, r in res.items():
    print(f"{k:8} {ms(r['median']):9.2f} {ms(r['mean']):9.2f} {ms(r['stddev']):8.2f} "
          f"{ms(r['min']):8.2f} {ms(r['max']):8.2f}")
c, k = res["ctr"]["median"], res["crun"]["median"]
ratio = c / k
print(f"\nmedian ratio ctr/crun: {ratio:.3f}  (target <= 1.000: {'met' if ratio <= 1 else 'NOT met'})")
if "wrapper" in res:
    w = res["wrapper"]["median"]
    if k > w:
        print(f"without the namespace wrapper ({ms(w):.2f} ms): ctr {ms(c - w):.2f} ms, "
              f"crun {ms(k - w):.2f} ms, ratio {(c - w) / (k - w):.3f}")
EOF
