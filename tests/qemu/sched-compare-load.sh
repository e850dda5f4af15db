#!/bin/bash
# Load-based schedulers and thresholds, balancer A against balancer B: sed,
# nq, fo and ovf on connections held open; upper/lower connection
# thresholds (-x/-y) under rr, with TCP connections held open and a
# threshold raised by an edit, and with UDP connections that expire
# (ipvsadm --set): an overloaded destination is skipped until it drains
# below its lower threshold (or three quarters of the upper one without a
# lower one).  The same requests in the same order on each, in a fresh NAT
# lab: the answering realservers and the final listings must match.
# The UDP case makes three long-lived (120 s) and three short-lived (6 s)
# connections, so that once the short ones expired each thresholded
# destination holds one: rs3 (-x 2, no -y) is back below three quarters
# of its upper threshold, rs1 (-x 2 -y 1) is not below its lower one and
# stays skipped.
#
# twos picks at random, and Debian's 6.1 kernel has no ip_vs_twos, so it is
# checked for properties on xvs only: only eligible destinations (weight 0
# and overloaded ones are never picked), a spread that follows the weights,
# persistence keeps a client on its realserver.
#
# Arguments: A B (ipvs = the kernel's ip_vs, xvs = xvs.ko).
# xvs-timeout: 900
# xvs-variant: ipvs xvs
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lib-sched.sh"

A=${1:?usage: sched-compare-load.sh A B}
B=${2:?usage: sched-compare-load.sh A B}

# udp_left N: waits (up to 60 s) until N UDP connection entries are left
udp_left() {
	local i
	for i in $(seq 120); do
		if [ "$(lvs -L -n -c | grep -c '^UDP')" -le "$1" ]; then
			echo "$1 UDP entries left"
			return 0
		fi
		sleep 0.5
	done
	echo "UDP entries did not expire"
}

V=$VIP
CASES=(
	"sed" "
		lvs -A -t $V:8201 -s sed && dests '-t $V:8201' 9000 'rs1:1 rs2:2 rs3:3' &&
		opens $V:8201 1 6 && closes $V:8201 2 3 && opens $V:8201 7 8 &&
		lvs -e -t $V:8201 -r 192.168.0.3:9000 -m -w 0 && opens $V:8201 9 10 &&
		snapshot -t $V:8201"
	"nq" "
		lvs -A -t $V:8202 -s nq && dests '-t $V:8202' 9000 'rs1:1 rs2:3 rs3:2' &&
		opens $V:8202 21 26 && closes $V:8202 21 24 && opens $V:8202 27 29 &&
		snapshot -t $V:8202"
	"fo" "
		lvs -A -t $V:8203 -s fo && dests '-t $V:8203' 9000 'rs1:2 rs2:5:2 rs3:5' &&
		opens $V:8203 41 42 && lvs -e -t $V:8203 -r 192.168.0.3:9000 -m -w 0 &&
		opens $V:8203 43 46 && lvs -d -t $V:8203 -r 192.168.0.2:9000 &&
		opens $V:8203 47 48 && snapshot -t $V:8203"
	"ovf" "
		lvs -A -t $V:8204 -s ovf && dests '-t $V:8204' 9000 'rs1:1 rs2:2 rs3:3' &&
		opens $V:8204 51 57 && closes $V:8204 51 52 53 && opens $V:8204 58 59 &&
		snapshot -t $V:8204"
	"threshold-tcp-edit" "
		lvs -A -t $V:8205 -s rr && dests '-t $V:8205' 9000 'rs1:1:2 rs2:1 rs3:1' &&
		opens $V:8205 61 67 && lvs -e -t $V:8205 -r 192.168.0.1:9000 -m -w 1 -x 5 &&
		opens $V:8205 68 70 && lvs -e -t $V:8205 -r 192.168.0.2:9000 -m -w 1 -x 1 &&
		opens $V:8205 71 73 && snapshot -t $V:8205"
	"threshold-udp-drain" "
		lvs -A -u $V:9053 -s rr && dests '-u $V:9053' 9053 'rs1:1:2:1 rs2:1 rs3:1:2' &&
		lvs --set 0 0 120 && udp 1 9053 && udp 2 9053 && udp 3 9053 &&
		lvs --set 0 0 6 && udp 4 9053 && udp 5 9053 && udp 6 9053 &&
		udp_left 3 && udp 7 9053 && udp 8 9053 && udp 9 9053 &&
		snapshot -u $V:9053"
)

sched_compare "$A" "$B" "${CASES[@]}"

# ---- twos: properties, on xvs only ----------------------------------------
twos_checks() {
	local out n1 n2 n3 err c
	lvs -A -t $V:8301 -s twos || { fail twos-add "ipvsadm -A -s twos failed"; return; }
	dests "-t $V:8301" 80 'rs1:1 rs2:0 rs3:3'
	out=$(for i in $(seq 20); do req $(( (i % 12) + 1 )) 8301; done)
	n1=$(grep -c ' rs1$' <<<"$out")
	n2=$(grep -c ' rs2$' <<<"$out")
	n3=$(grep -c ' rs3$' <<<"$out")
	err=$(grep -c ' ERR$' <<<"$out")
	log "twos weights 1:0:3, 20 requests: rs1 $n1 rs2 $n2 rs3 $n3 ERR $err"
	check_eq twos-all-answered 0 "$err"
	check_eq twos-quiesced-never 0 "$n2"
	if [ "$n1" -ge 1 ] && [ "$n3" -gt "$n1" ]; then
		pass twos-spread-by-weight
	else
		fail twos-spread-by-weight "rs1 $n1 rs3 $n3 (weights 1:3)"
	fi

	lvs -A -t $V:8302 -s twos && dests "-t $V:8302" 80 'rs1:5:1 rs2:1 rs3:1'
	out=$(for i in $(seq 8); do req "$i" 8302; done)
	n1=$(grep -c ' rs1$' <<<"$out")
	err=$(grep -c ' ERR$' <<<"$out")
	log "twos with rs1 overloaded after one connection: rs1 $n1 ERR $err"
	check_eq twos-overloaded-skipped 1 "$n1"
	check_eq twos-overloaded-all-answered 0 "$err"

	lvs -A -t $V:8303 -s twos -p 60 && dests "-t $V:8303" 80 'rs1:1 rs2:1 rs3:1'
	local sticky=1
	for c in 1 2 3; do
		out=$(for i in 1 2 3; do req "$c" 8303; done | awk '{ print $2 }' | sort -u)
		[ "$(wc -l <<<"$out")" = 1 ] && [ "$out" != ERR ] || sticky=0
		log "twos -p 60, client c$c: $(echo $out)"
	done
	check_eq twos-persistence-sticks 1 "$sticky"
}

if [ "$B" = xvs ]; then
	if out=$(lb_load xvs 2>&1); then
		if sched_lab_up > /tmp/twos-lab.log 2>&1; then
			twos_checks
		else
			fail twos-lab-up "$(tail -n 3 /tmp/twos-lab.log)"
		fi
		lab_nat_down
		lb_unload || fail twos-unload "module still loaded"
	else
		fail twos-load "$out"
	fi
fi
finish
