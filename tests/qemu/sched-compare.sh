#!/bin/bash
# Scheduler sequences: the same services, the same requests in the same
# order, first on balancer A then on balancer B (each freshly loaded, with a
# fresh seed-001 NAT lab); the realservers that answer must come in the same
# order, and the final ActiveConn/InActConn of every service must match.
# Covers rr, wrr, lc and wlc with several weights and insertion orders
# (destinations are scanned newest first), weight edits, a quiesced
# (weight 0) destination, a removed and re-added destination, sequential
# closed connections (HTTP) and connections held open (lc/wlc count them
# as active).
#
# Arguments: A B, the balancers (ipvs = the kernel's ip_vs, xvs = xvs.ko);
# "ipvs ipvs" checks that the recording itself is reproducible.
# xvs-timeout: 900
# xvs-variant: ipvs xvs
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lib-sched.sh"

A=${1:?usage: sched-compare.sh A B}
B=${2:?usage: sched-compare.sh A B}

# tdests VIP:PORT PORT "rsN:W ..." : adds TCP realservers in this order
tdests() {
	local svc=$1 port=$2 d
	for d in $3; do
		lvs -a -t "$svc" -r "192.168.0.${d:2:1}:$port" -m -w "${d#*:}" || return 1
	done
}

# gets SERVICE N: N sequential HTTP requests, one answering server per
# line (xvs-pkt closes first: a slow host's retransmissions never reset an
# entry out of the counts that lc and wlc read)
gets() {
	local i
	for i in $(seq "$2"); do
		next_sport
		in_ns client xvs-pkt get -p $SCHED_SPORT "${1%:*}" "${1#*:}"
	done
}


# Every case: NAME, then the shell code that configures and drives it.
# Virtual ports differ per case so no case sees another's connections.
V=$VIP
CASES=(
	"rr-closed" "
		lvs -A -t $V:8001 -s rr && tdests $V:8001 80 'rs1:1 rs2:1 rs3:1' &&
		gets $V:8001 9 && snapshot -t $V:8001"
	"wrr-closed-edit" "
		lvs -A -t $V:8002 -s wrr && tdests $V:8002 80 'rs1:1 rs2:2 rs3:3' &&
		gets $V:8002 12 &&
		lvs -e -t $V:8002 -r 192.168.0.3:80 -m -w 1 &&
		lvs -e -t $V:8002 -r 192.168.0.1:80 -m -w 4 &&
		gets $V:8002 12 && snapshot -t $V:8002"
	"wrr-order" "
		lvs -A -t $V:8003 -s wrr && tdests $V:8003 80 'rs3:4 rs1:3 rs2:2' &&
		gets $V:8003 18 && snapshot -t $V:8003"
	"lc-closed" "
		lvs -A -t $V:8004 -s lc && tdests $V:8004 80 'rs2:1 rs1:1 rs3:1' &&
		gets $V:8004 9 && snapshot -t $V:8004"
	"wlc-closed" "
		lvs -A -t $V:8005 -s wlc && tdests $V:8005 80 'rs1:1 rs2:3 rs3:2' &&
		gets $V:8005 12 && snapshot -t $V:8005"
	"lc-open" "
		lvs -A -t $V:8006 -s lc && tdests $V:8006 9000 'rs1:1 rs2:1 rs3:1' &&
		opens $V:8006 1 5 && closes $V:8006 1 3 && opens $V:8006 6 9 &&
		snapshot -t $V:8006 && closes $V:8006 2 4 5 6 7 8 9 && snapshot -t $V:8006"
	"wlc-open" "
		lvs -A -t $V:8007 -s wlc && tdests $V:8007 9000 'rs1:1 rs2:2 rs3:3' &&
		opens $V:8007 11 18 && closes $V:8007 12 15 && opens $V:8007 19 22 &&
		snapshot -t $V:8007 && closes $V:8007 11 13 14 16 17 18 19 20 21 22 &&
		snapshot -t $V:8007"
	"wlc-mixed" "
		lvs -A -t $V:8008 -s wlc && tdests $V:8008 9000 'rs3:2 rs2:1 rs1:2' &&
		opens $V:8008 31 33 && lvs -e -t $V:8008 -r 192.168.0.2:9000 -m -w 3 &&
		opens $V:8008 34 36 && closes $V:8008 31 && opens $V:8008 37 38 &&
		snapshot -t $V:8008 && closes $V:8008 32 33 34 35 36 37 38"
	"rr-quiesce-delete" "
		lvs -A -t $V:8009 -s rr && tdests $V:8009 80 'rs1:1 rs2:0 rs3:1' &&
		gets $V:8009 4 && lvs -d -t $V:8009 -r 192.168.0.3:80 && gets $V:8009 2 &&
		tdests $V:8009 80 'rs3:1' && lvs -e -t $V:8009 -r 192.168.0.2:80 -m -w 2 &&
		gets $V:8009 6 && snapshot -t $V:8009"
	"wrr-quiesce" "
		lvs -A -t $V:8010 -s wrr && tdests $V:8010 80 'rs1:2 rs2:0 rs3:4' &&
		gets $V:8010 6 && lvs -e -t $V:8010 -r 192.168.0.3:80 -m -w 0 &&
		gets $V:8010 3 && snapshot -t $V:8010"
)

sched_compare "$A" "$B" "${CASES[@]}"
finish
