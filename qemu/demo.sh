#!/usr/bin/env bash
# `make demo`: boots a VM, loads xvs.ko and runs the seed-001 LVS-NAT lab
# (qemu/demo-guest.sh), showing the session as it happens.
# Usage: qemu/demo.sh [NUMBER_OF_REQUESTS]
set -uo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
# shellcheck source=qemu/lib.sh
. "$ROOT/qemu/lib.sh"

nreq=${1:-12}
if [ ! -f "$BUILD/kmod/xvs.ko" ]; then
	echo "demo: $BUILD/kmod/xvs.ko is missing (make kmod)" >&2
	exit 1
fi
image=$(xvs_image) || { echo "demo: could not build the initramfs" >&2; exit 1; }
accel=$(xvs_accel "$image")
log=$XVS_LOGDIR/demo-console.log
echo "booting $KIMAGE ($accel; console log: $log)"

xvs_boot vm0 "demo=demo:$nreq@600" "$log" 700 "$image" "$accel" &
vm=$!
# show the demo's own lines as they come: skip the protocol tokens and the
# boot chatter, keep kernel messages printed while the demo runs
tail -n +1 -F --pid=$vm "$log" 2>/dev/null | tr -d '\r' | awk '
	/XVS-BOOTED/ { on = 1; print "VM up"; next }
	/XVS-SCENARIO-END/ { on = 0; next }
	/XVS-(SCENARIO-BEGIN|RESULT|DONE|ALL-DONE)|^# demo: / { next }
	on { sub(/^> /, ""); print; fflush() }'
wait $vm
qrc=$?
clean=$(tr -d '\r' < "$log")
bad=$(xvs_console_bad "$log")
if grep -q 'XVS-RESULT PASS demo' <<<"$clean" && [ -z "$bad" ]; then
	echo "demo finished"
	exit 0
fi
[ -n "$bad" ] && { echo "kernel problems on the console:"; echo "$bad"; }
grep -q 'XVS-DONE demo' <<<"$clean" || echo "demo: the VM stopped early (qemu status $qrc), see $log"
echo "demo failed"
exit 1
