#!/bin/bash
# Scale of xvsadm apply: 10,000 services with 4 real servers each, in the
# -S format, loaded once with `ipvsadm -R` and once with `xvsadm apply`
# (from an empty table), in the same VM; then listing the 10,000 services
# with each tool.  Checks that both produce the same table, that applying
# the same file again changes nothing, and reports the times.  The times
# are information only: speed is judged by `make bench` (ratios in one VM
# run), never by a timed assertion in a test.
#
# Arguments: the balancer, ipvs or xvs; optionally the number of services.
# The issue's scale is 10,000 services (`xvsadm_scale:ipvs:10000`); the
# default runs use 1,000 to keep the TCG VM time of a test run reasonable.
# xvs-timeout: 1500
# xvs-variant: ipvs 1000
# xvs-variant: xvs 1000
# xvs-reference: ipvs
# xvs-reference-inputs: userspace/lib userspace/xvsadm userspace/CMakeLists.txt CMakeLists.txt
. "$(dirname "$0")/lib.sh"

LB=${1:?usage: xvsadm_scale.sh ipvs|xvs [NSERVICES]}
NSVC=${2:-10000}
W=/tmp/xvsadm-scale
mkdir -p $W

command -v xvsadm >/dev/null || { fail xvsadm-binary "xvsadm is not in the image"; finish; }
if ! out=$(lb_load "$LB" 2>&1); then
	fail load "$out"
	finish
fi
pass load

# milliseconds since boot
now_ms() { awk '{ printf "%d\n", $1 * 1000 }' /proc/uptime; }

scale_rules "$NSVC" > $W/table.rules
log "$(wc -l < $W/table.rules) lines"

# The VM shares a loaded host: every timing is the best of ROUNDS runs,
# alternating the tools, so that a burst of host load hits neither alone.
ROUNDS=3
min() { [ -z "$1" ] || [ "$2" -lt "$1" ] && echo "$2" || echo "$1"; }
restore_ms= apply_ms= list_ipvsadm_ms= list_xvsadm_ms=
for round in $(seq $ROUNDS); do
	ipvsadm -C
	t0=$(now_ms)
	ipvsadm -R < $W/table.rules
	rc=$?
	t1=$(now_ms)
	restore_ms=$(min "$restore_ms" $((t1 - t0)))
	[ "$round" = 1 ] && check_eq ipvsadm-restore-rc 0 "$rc"
	ipvsadm -S -n | sort > $W/by-ipvsadm.save

	t0=$(now_ms)
	ipvsadm -L -n > $W/list.ipvsadm
	t1=$(now_ms)
	list_ipvsadm_ms=$(min "$list_ipvsadm_ms" $((t1 - t0)))
	t0=$(now_ms)
	xvsadm -L -n > $W/list.xvsadm
	t1=$(now_ms)
	list_xvsadm_ms=$(min "$list_xvsadm_ms" $((t1 - t0)))
	[ "$round" = 1 ] && check_same_file list-10k-same $W/list.ipvsadm $W/list.xvsadm

	ipvsadm -C
	t0=$(now_ms)
	XVSADM_TIMING=1 xvsadm apply $W/table.rules > $W/apply.out 2>&1
	rc=$?
	t1=$(now_ms)
	apply_ms=$(min "$apply_ms" $((t1 - t0)))
	quote < $W/apply.out | head -5
	if [ "$round" = 1 ]; then
		check_eq xvsadm-apply-rc 0 "$rc"
		ipvsadm -S -n | sort > $W/by-apply.save
		check_same_file apply-same-table $W/by-ipvsadm.save $W/by-apply.save
	fi
done

# idempotence: nothing to do the second time
xvsadm apply --dry-run $W/table.rules > $W/dry.out 2>&1
check_eq apply-idempotent 0 "$(wc -l < $W/dry.out)"
t0=$(now_ms)
xvsadm apply $W/table.rules > /dev/null 2>&1
t1=$(now_ms)
log "second apply (no change): $((t1 - t0)) ms"

# a small change is a small change set
sed -e 's/^-A -t 10.100.0.7:80 -s rr$/-A -t 10.100.0.7:80 -s wrr/' \
    -e '/^-a -t 10.100.0.9:80 -r .* -w 4$/d' $W/table.rules > $W/changed.rules
xvsadm apply --dry-run $W/changed.rules > $W/dry2.out 2>&1
check_eq apply-small-diff "-E -t 10.100.0.7:80 -s wrr|-d -t 10.100.0.9:80 -r 172.16.40.4:8080" \
	"$(sort $W/dry2.out | tr '\n' '|' | sed 's/|$//')"

log "best of $ROUNDS: ipvsadm -R: $restore_ms ms; xvsadm apply: $apply_ms ms"
log "ipvsadm -L -n: $list_ipvsadm_ms ms; xvsadm -L -n: $list_xvsadm_ms ms"
echo "XVS-BENCH restore_ms=$restore_ms apply_ms=$apply_ms list_ipvsadm_ms=$list_ipvsadm_ms list_xvsadm_ms=$list_xvsadm_ms services=$NSVC"
ipvsadm -C
finish
