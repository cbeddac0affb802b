#!/bin/sh
# The behavioural resource tests (behaviour.sh) on a pure cgroup v2 host: a
# Debian kernel booted under qemu with cgroup_no_v1=all (tests/cgroup2/run-qemu).
# TAP on stdout. Where qemu cannot run here, a TAP skip with the reason.
set -u
here=$(cd "$(dirname "$0")" && pwd)
out=$(mktemp)
trap 'rm -f "$out"' EXIT

"$here/../cgroup2/run-qemu" "$here/behaviour.sh" --blockdev /dev/ram0 2>"$out"
status=$?
if [ "$status" = 77 ]; then
	echo "1..0 # SKIP $(sed -n 's/^run-qemu: SKIP: //p' "$out" | head -n 1)"
	exit 0
fi
# The guest's TAP went to stdout already; say why when it did not finish.
[ "$status" = 0 ] || sed 's/^/# /' "$out"
exit "$status"
