#!/bin/bash
# Checkpoint + restore of a small running container, ctr against runc, side by
# side and interleaved in one run.
#
#   ctr  checkpoint NAME   then   ctr  restore NAME
#   runc checkpoint ID     then   runc restore -d ID   (equivalent OCI bundle)
#
# Both containers run the same init over the same busybox rootfs (runc's is a
# copy of ctr's): a shell that writes a rising counter to /cnt every 0.1 s.
# Round i times ctr's checkpoint and restore and runc's checkpoint and restore;
# which runtime goes first alternates from round to round (ctr first in odd
# rounds), so drift of the machine falls on both alike. After every restore
# the counter must move past its value at checkpoint time within 5 s, or the
# script stops: a restore that does not resume the container is not timed.
# The script prints medians, p90, min and max per step and of checkpoint +
# restore per round, and the ratio ctr/runc of the median totals (target <=
# 0.5). See bench/README.md for what is measured and what still differs.
#
# Usage (as root):  bench/checkpoint.sh
# Environment:
#   CTR=PATH        ctr binary (default: ./ctr if it exists, i.e. when run from
#                   the top build dir; then ../ctr next to this script for an
#                   in-tree build; then ctr in PATH)
#   RUNS=N          timed rounds (default 20; a round is about 1 s)
#   WARMUP=N        untimed rounds first (default 1)
#   MODE=M          privileged (default: ctr create --privileged and runc's
#                   default spec, no user namespace on either side) or
#                   unprivileged (ctr's default container with a user
#                   namespace; runc gets the same uid/gid maps and a copy of
#                   the rootfs chowned into them)
#   JSON=FILE       also write the raw per-round times and the summary there
#   KEEP=1          keep the temp dir (runc's last images and CRIU logs, ctr's
#                   in ctr-kept/, rounds.tsv); the containers and cgroups are
#                   removed all the same
#   CTR_TEMPLATE_DIR  ctr's template dir; defaults to this source tree's
#                   templates/ unless ctr is the installed one from PATH
#   TMPDIR          where the temp dir goes (default /tmp)
# Exit status: 0 when the benchmark ran and nothing was left behind (whatever
# the ratio), 1 on any error.
set -euo pipefail

RUNS=${RUNS:-20}
WARMUP=${WARMUP:-1}
MODE=${MODE:-privileged}
JSON=${JSON:-}
KEEP=${KEEP:-0}

script_dir=$(cd "$(dirname "$0")" && pwd)
# die, note, need_tools, find_ctr, plan_cgroups and the cleanup checks
# shellcheck source=SCRIPTDIR/lib.sh
. "$script_dir/lib.sh"

case $MODE in unprivileged | privileged) ;; *) die "MODE must be privileged or unprivileged (got '$MODE')" ;; esac
case $RUNS in '' | *[!0-9]* | 0) die "RUNS must be an integer >= 1 (got '$RUNS')" ;; esac
case $WARMUP in '' | *[!0-9]*) die "WARMUP must be an integer >= 0 (got '$WARMUP')" ;; esac
case $KEEP in 0 | 1) ;; *) die "KEEP must be 0 or 1 (got '$KEEP')" ;; esac
need_root "both runtimes create namespaces and cgroups, CRIU needs root"
[ -n "${EPOCHREALTIME:-}" ] || die "needs bash >= 5 (EPOCHREALTIME)"

# ---- tools ------------------------------------------------------------------------
need_tools text "runc criu python3" \
	'*runc*' 'apt-get install -y runc' \
	'*python3*' 'apt-get install -y python3' \
	'*criu*' 'CRIU >= 4.2: scripts/install-criu'

find_ctr checkpoint # ctr_bin, ctr_from; CTR_TEMPLATE_DIR
runc_bin=$(command -v runc)

# ---- cgroup layout ----------------------------------------------------------------
# runc (cgroupfs manager, v1) uses ONE cgroupsPath, from the root of every
# hierarchy listed in /proc/self/cgroup; on a hybrid host also in the unified
# (cgroup2) one: cg_path, below our own cgroup in every one, its leaf cg_leaf
# (ctr-bench-runc-PID). The levels runc's mkdir -p will create are removed
# again at the end (lib.sh: plan_cgroups, cg_remove).
plan_cgroups runc enter
runc_cgpath=$cg_path
cgroups_before=$(list_ctr_cgroups)

# ---- work area and cleanup ----------------------------------------------------------
work=$(mktemp -d "${TMPDIR:-/tmp}/ctr-bench-ckpt.XXXXXX")
root=$work/root
rundir=$work/run
bundle=$work/bundle
runc_state=$work/runc-state
runc_img=$work/runc-img
rounds=$work/rounds.tsv
name=bench-ckpt-$$
runc_id=ctr-bench-runc-$$
mkdir -p "$root" "$rundir" "$bundle" "$runc_state"
: >"$rounds"

cleanup() {
	local rc=$? left procs
	trap - EXIT INT TERM HUP
	set +e
	# Let the runtimes remove what they own (runc has no container between a
	# checkpoint and its restore; ctr's container exists from create on).
	if [ -e "$runc_state/$runc_id" ]; then
		"$runc_bin" --root "$runc_state" delete -f "$runc_id" >/dev/null 2>&1 ||
			note "warning: runc delete -f $runc_id failed"
	fi
	if [ -d "$root/$name" ]; then
		if [ "$KEEP" = 1 ]; then # ctr's images and CRIU logs go with the container
			mkdir -p "$work/ctr-kept" &&
				cp -a "$root/$name/checkpoint" "$root/$name"/*.log "$work/ctr-kept/" 2>/dev/null
		fi
		# Our init (sh as pid 1) ignores the stop signal: kill it at once
		# rather than wait out the 10 s grace period (fails when not running).
		"$ctr_bin" --root "$root" --run-dir "$rundir" stop --timeout 0 "$name" >/dev/null 2>&1
		"$ctr_bin" --root "$root" --run-dir "$rundir" destroy --force "$name" >/dev/null 2>&1 ||
			note "warning: ctr destroy --force $name failed"
	fi
	# Processes of ours (lib.sh: our_procs): the containers', CRIU, ctr's
	# monitor, runc.
	if ! kill_our_procs "$work"; then
		[ "$rc" = 0 ] && rc=1
	fi
	# runc's leaf, if runc left it (seen once in name=systemd), then the
	# levels above it that runc's mkdir -p created.
	cg_remove
	remove_work "$work" "$KEEP"
	# Ours: ctr-NAME (ctr's), runc's leaf and the levels runc created; a
	# warning lists other new ctr-* groups (another ctr's, left alone).
	left=$(cgroups_left "$cgroups_before" "ctr-$name|$cg_leaf")
	procs=$(our_procs "$work")
	if [ -n "$procs" ]; then
		note "error: processes of ours still there: ${procs//$'\n'/ }"
		[ "$rc" = 0 ] && rc=1
	fi
	if [ -n "$left" ]; then
		note_list "error: cgroups left behind:" "$left"
		[ "$rc" = 0 ] && rc=1
	elif [ -z "$procs" ]; then
		note "cleanup: none of our cgroups (ctr-$name, $cg_leaf) or processes left$([ "$KEEP" = 1 ] || echo ', temp dir removed')"
	fi
	exit "$rc"
}
trap_cleanup cleanup

# ---- the ctr container ---------------------------------------------------------------
# shellcheck disable=SC2016 # expanded by the container's shell
init_script='i=0; while true; do i=$((i+1)); echo $i > /cnt; sleep 0.1; done'
init_args=(/bin/sh -c "$init_script")
ctr_base=("$ctr_bin" --root "$root" --run-dir "$rundir")
create_args=()
[ "$MODE" = privileged ] && create_args=(--privileged)
if ! out=$("${ctr_base[@]}" create "$name" --net none --init "/bin/sh -c '$init_script'" "${create_args[@]}" 2>&1); then
	die "ctr create failed: $out"
fi
rootfs=$root/$name/rootfs
[ -x "$rootfs/bin/busybox" ] || die "ctr create made no busybox rootfs at $rootfs"
python3 - "$root/$name/config.json" "${init_args[@]}" <<'EOF' || die "ctr's config.json does not have the init asked for"
import json, sys
args = json.load(open(sys.argv[1]))["process"]["args"]
sys.exit(0 if args == sys.argv[2:] else f"ctr's init is {args!r}")
EOF

# ---- the runc bundle -----------------------------------------------------------------------
# The same rootfs, copied; runc's default spec with the edits below. With a
# user namespace runc 1.1 has no idmapped rootfs: the copy is chowned into
# ctr's maps instead, and the directories above it must let the container's
# root (an unprivileged host uid) through.
cp -a "$rootfs" "$bundle/rootfs"
[ "$MODE" = privileged ] || chmod 0711 "$work"
(cd "$bundle" && "$runc_bin" spec) || die "runc spec failed"
# runc 1.1.5 would otherwise make CRIU lock the network with iptables, and
# iptables-restore may be missing; nftables is what ctr uses too.
printf 'network-lock nftables\n' >"$work/criu.conf"
python3 - "$bundle/config.json" "$root/$name/config.json" "$runc_cgpath" "$work/criu.conf" \
	"$MODE" "$bundle/rootfs" "${init_args[@]}" <<'EOF'
import json, os, sys

bundle_cfg, ctr_cfg, cgpath, criu_conf, mode, rootfs = sys.argv[1:7]
args = sys.argv[7:]
cfg = json.load(open(bundle_cfg))
ctr = json.load(open(ctr_cfg))
proc = cfg["process"]
# A detached runc container without a console socket needs terminal: false.
proc["terminal"] = False
proc["args"] = args
cfg["root"]["readonly"] = False
lin = cfg["linux"]
lin["cgroupsPath"] = cgpath
cfg.setdefault("annotations", {})["org.criu.config"] = criu_conf
if mode == "unprivileged":
    clin = ctr["linux"]
    lin["namespaces"].append({"type": "user"})
    lin["uidMappings"] = clin["uidMappings"]
    lin["gidMappings"] = clin["gidMappings"]

    def shift(i, maps):
        for m in maps:
            if m["containerID"] <= i < m["containerID"] + m["size"]:
                return i - m["containerID"] + m["hostID"]
        return i

    def chown(p):
        st = os.lstat(p)
        os.lchown(p, shift(st.st_uid, clin["uidMappings"]), shift(st.st_gid, clin["gidMappings"]))

    chown(rootfs)
    for d, dirs, files in os.walk(rootfs):
        for n in dirs + files:
            chown(os.path.join(d, n))
json.dump(cfg, open(bundle_cfg, "w"), indent=2)
EOF

# ---- helpers for the rounds --------------------------------------------------------------
# (now_us, microseconds since the epoch in now: lib.sh)
# The counter as a number; -1 while it is missing or being rewritten.
read_cnt() {
	cnt=
	{ read -r cnt <"$1"; } 2>/dev/null || true
	case $cnt in '' | *[!0-9]*) cnt=-1 ;; esac
}
# Wait (at most 5 s) until the counter in FILE is above MIN; cnt is then the
# value seen.
wait_cnt() { # FILE MIN WHAT
	local deadline
	now_us
	deadline=$((now + 5000000))
	while :; do
		read_cnt "$1"
		[ "$cnt" -gt "$2" ] && return 0
		now_us
		[ "$now" -lt "$deadline" ] || die "$3: the counter in /cnt stayed at $cnt (was $2 at checkpoint time) for 5 s: the container does not run"
		sleep 0.02
	done
}
tail_log() { # FILE: its last lines, indented, if it exists
	[ -f "$1" ] && { echo "--- tail of $1:"; tail -n 15 "$1" | sed 's/^/  /'; }
	return 0
}

ctr_cnt=$rootfs/cnt
runc_cnt=$bundle/rootfs/cnt
ctr_out=$work/ctr.out
runc_out=$work/runc.out
runc_log=$work/runc-restore.log

ctr_round() { # ROUND
	local t0 t1 t2 t3 at
	now_us && t0=$now
	"${ctr_base[@]}" checkpoint "$name" >"$ctr_out" 2>&1 ||
		die "ctr checkpoint failed in round $1: $(cat "$ctr_out")
$(tail_log "$root/$name/dump.log")"
	now_us && t1=$now
	# The value at checkpoint time, or, if the dump caught the shell between
	# its truncating open and its write (an empty file), the last one seen.
	read_cnt "$ctr_cnt"
	at=$ctr_last
	[ "$cnt" -lt "$at" ] || at=$cnt
	now_us && t2=$now
	"${ctr_base[@]}" restore "$name" >"$ctr_out" 2>&1 ||
		die "ctr restore failed in round $1: $(cat "$ctr_out")
$(tail_log "$root/$name/restore.log")"
	now_us && t3=$now
	wait_cnt "$ctr_cnt" "$at" "ctr, round $1"
	ctr_last=$cnt
	ctr_ck=$((t1 - t0)) ctr_rs=$((t3 - t2))
}
runc_round() { # ROUND
	local t0 t1 t2 t3 at
	# A fresh image dir per checkpoint. 0711: with a user namespace, CRIU's
	# restored tasks open the images as the container's root (runc makes the
	# dir 0600 itself).
	rm -rf "$runc_img" && mkdir -m 0711 "$runc_img"
	now_us && t0=$now
	"$runc_bin" --root "$runc_state" checkpoint --image-path "$runc_img" "$runc_id" >"$runc_out" 2>&1 ||
		die "runc checkpoint failed in round $1: $(cat "$runc_out")
$(tail_log "$runc_img/dump.log")"
	now_us && t1=$now
	# The value at checkpoint time, or, if the dump caught the shell between
	# its truncating open and its write (an empty file), the last one seen.
	read_cnt "$runc_cnt"
	at=$runc_last
	[ "$cnt" -lt "$at" ] || at=$cnt
	# The restored init keeps runc's stdio, as it had /dev/null when dumped:
	# runc's own messages go to --log instead.
	: >"$runc_log"
	now_us && t2=$now
	"$runc_bin" --root "$runc_state" --log "$runc_log" restore -d --image-path "$runc_img" --bundle "$bundle" "$runc_id" \
		</dev/null >/dev/null 2>&1 ||
		die "runc restore failed in round $1: $(cat "$runc_log")
$(tail_log "$runc_img/restore.log")"
	now_us && t3=$now
	wait_cnt "$runc_cnt" "$at" "runc, round $1"
	runc_last=$cnt
	runc_ck=$((t1 - t0)) runc_rs=$((t3 - t2))
}

# ---- start both ------------------------------------------------------------------------------
"${ctr_base[@]}" start "$name" >"$ctr_out" 2>&1 || die "ctr start failed: $(cat "$ctr_out")"
: >"$runc_log"
"$runc_bin" --root "$runc_state" --log "$runc_log" run -d --bundle "$bundle" "$runc_id" </dev/null >/dev/null 2>&1 ||
	die "runc run failed: $(cat "$runc_log")"
wait_cnt "$ctr_cnt" 0 "ctr, after start"
ctr_last=$cnt
wait_cnt "$runc_cnt" 0 "runc, after run"
runc_last=$cnt

echo "ctr:  $ctr_bin ($("$ctr_bin" --version 2>/dev/null | head -n1))"
echo "runc: $runc_bin ($("$runc_bin" --version | head -n1))"
echo "criu: $(command -v criu) ($(criu --version | head -n1))"
if [ "$MODE" = privileged ]; then
	echo "mode: privileged (ctr create --privileged; runc's default spec: no user namespace on either side)"
else
	maps=$(python3 -c '
import json, sys
l = json.load(open(sys.argv[1]))["linux"]
print(", ".join("%s %d->%d+%d" % (k[0], m["containerID"], m["hostID"], m["size"])
                for k in ("uidMappings", "gidMappings") for m in l[k]))
' "$root/$name/config.json")
	echo "mode: unprivileged (a user namespace on both sides, runc with ctr's maps: $maps)"
fi
echo "init (both): /bin/sh -c '$init_script'"
echo "runc cgroupsPath: $runc_cgpath"
echo "rounds: $RUNS (+$WARMUP warm-up), each: checkpoint + restore per runtime, ctr first in odd rounds"
echo

# ---- the rounds --------------------------------------------------------------------------------
total=$((WARMUP + RUNS))
for ((r = 1; r <= total; r++)); do
	if (((r - WARMUP) % 2)); then # timed round r - WARMUP: ctr first when odd
		first=ctr
		ctr_round "$r"
		runc_round "$r"
	else
		first=runc
		runc_round "$r"
		ctr_round "$r"
	fi
	((r > WARMUP)) || continue
	printf '%d\t%s\t%d\t%d\t%d\t%d\n' $((r - WARMUP)) "$first" "$ctr_ck" "$ctr_rs" "$runc_ck" "$runc_rs" >>"$rounds"
done

python3 - "$rounds" "$JSON" "$MODE" "$WARMUP" <<'EOF'
import json, statistics, sys

path, json_out, mode, warmup = sys.argv[1:]
rows = [l.split("\t") for l in open(path).read().splitlines() if l]
rounds = [{"round": int(r[0]), "first": r[1],
           "ctr": {"checkpoint_ms": int(r[2]) / 1000, "restore_ms": int(r[3]) / 1000},
           "runc": {"checkpoint_ms": int(r[4]) / 1000, "restore_ms": int(r[5]) / 1000}}
          for r in rows]
for x in rounds:
    for rt in ("ctr", "runc"):
        x[rt]["total_ms"] = round(x[rt]["checkpoint_ms"] + x[rt]["restore_ms"], 3)

def p90(v):
    # Linear interpolation between closest ranks (numpy's default).
    v = sorted(v)
    k = (len(v) - 1) * 0.9
    lo = int(k)
    hi = min(lo + 1, len(v) - 1)
    return v[lo] + (v[hi] - v[lo]) * (k - lo)

steps = ("checkpoint", "restore", "total")
summary = {}
print(f"{'':16} {'median':>9} {'p90':>9} {'min':>9} {'max':>9}  (ms, {len(rounds)} rounds)")
for rt in ("ctr", "runc"):
    summary[rt] = {}
    for s in steps:
        v = [x[rt][s + "_ms"] for x in rounds]
        st = {"median": statistics.median(v), "p90": p90(v), "min": min(v), "max": max(v)}
        st = {k: round(x, 3) for k, x in st.items()}
        summary[rt][s] = st
        print(f"{rt + ' ' + s:16} {st['median']:9.1f} {st['p90']:9.1f} {st['min']:9.1f} {st['max']:9.1f}")
print()
ratio = {s: summary["ctr"][s]["median"] / summary["runc"][s]["median"] for s in steps}
paired = statistics.median(x["ctr"]["total_ms"] / x["runc"]["total_ms"] for x in rounds)
print(f"ratio ctr/runc of the medians: checkpoint {ratio['checkpoint']:.3f}, restore {ratio['restore']:.3f}")
print(f"median of the per-round ratios ctr/runc (checkpoint + restore): {paired:.3f}")
verdict = "met" if ratio["total"] <= 0.5 else "NOT met"
print(f"\nmedian ratio ctr/runc, checkpoint + restore: {ratio['total']:.3f}  (target <= 0.500: {verdict})")
if json_out:
    summary["ratio_of_medians"] = {k: round(x, 4) for k, x in ratio.items()}
    summary["median_of_round_ratios_total"] = round(paired, 4)
    summary["target_total_ratio"] = 0.5
    json.dump({"mode": mode, "warmup": int(warmup), "rounds": rounds, "summary": summary},
              open(json_out, "w"), indent=2)
    print(f"per-round times: {json_out}")
EOF
