#!/bin/bash
# Hashing and locality schedulers, balancer A against balancer B: sh (plain,
# and with sh-fallback,sh-port), mh (plain, and with mh-fallback,mh-port),
# dh, lblc and lblcr.  The same services and the same requests (eight
# client addresses, a fresh client port per request) on each, in a fresh
# NAT lab: the answering realservers must come in the same order and the
# final listings must match.  Weights, quiesced (weight 0) and removed
# destinations change the tables on the way.  mh must also move no client
# of a remaining destination when one goes (minimal disruption), checked
# on both recordings.
#
# Arguments: A B (ipvs = the kernel's ip_vs, xvs = xvs.ko).
# xvs-timeout: 900
# xvs-variant: ipvs xvs
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lib-sched.sh"

A=${1:?usage: sched-compare-hash.sh A B}
B=${2:?usage: sched-compare-hash.sh A B}

V=$VIP
ALL="1 2 3 4 5 6 7 8"
CASES=(
	"sh-weights-quiesce" "
		lvs -A -t $V:8101 -s sh && dests '-t $V:8101' 80 'rs1:1 rs2:2 rs3:1' &&
		reqs 8101 $ALL && reqs 8101 1 5 &&
		lvs -e -t $V:8101 -r 192.168.0.2:80 -m -w 0 && reqs 8101 $ALL &&
		snapshot -t $V:8101"
	"sh-fallback-port" "
		lvs -A -t $V:8102 -s sh -b sh-fallback,sh-port &&
		dests '-t $V:8102' 80 'rs1:1 rs2:1 rs3:3' &&
		reqs 8102 $ALL && lvs -e -t $V:8102 -r 192.168.0.3:80 -m -w 0 &&
		reqs 8102 $ALL && snapshot -t $V:8102"
	"mh-remove" "
		lvs -A -t $V:8103 -s mh && dests '-t $V:8103' 80 'rs1:1 rs2:1 rs3:2' &&
		echo before && reqs 8103 $ALL &&
		lvs -d -t $V:8103 -r 192.168.0.2:80 && echo after && reqs 8103 $ALL &&
		echo readded && snapshot -t $V:8103"
	"mh-fallback-port" "
		lvs -A -t $V:8104 -s mh -b mh-fallback,mh-port &&
		dests '-t $V:8104' 80 'rs1:2 rs2:1 rs3:1' &&
		reqs 8104 $ALL && lvs -e -t $V:8104 -r 192.168.0.1:80 -m -w 0 &&
		reqs 8104 $ALL && snapshot -t $V:8104"
	"dh" "
		lvs -A -t $V:8105 -s dh && dests '-t $V:8105' 80 'rs1:1 rs2:3 rs3:1' &&
		reqs 8105 1 2 && lvs -e -t $V:8105 -r 192.168.0.1:80 -m -w 0 &&
		reqs 8105 3 && lvs -e -t $V:8105 -r 192.168.0.2:80 -m -w 0 &&
		reqs 8105 4 && lvs -e -t $V:8105 -r 192.168.0.3:80 -m -w 0 &&
		reqs 8105 5 && lvs -d -t $V:8105 -r 192.168.0.2:80 &&
		lvs -e -t $V:8105 -r 192.168.0.1:80 -m -w 1 && reqs 8105 6 &&
		snapshot -t $V:8105"
	"lblc" "
		lvs -A -t $V:8106 -s lblc && dests '-t $V:8106' 9000 'rs1:1 rs2:2 rs3:1' &&
		opens $V:8106 1 5 && closes $V:8106 1 2 && opens $V:8106 6 7 &&
		lvs -e -t $V:8106 -r 192.168.0.2:9000 -m -w 0 &&
		opens $V:8106 8 9 && snapshot -t $V:8106"
	"lblcr" "
		lvs -A -t $V:8107 -s lblcr && dests '-t $V:8107' 9000 'rs1:1 rs2:2 rs3:1' &&
		opens $V:8107 21 25 && closes $V:8107 21 22 && opens $V:8107 26 27 &&
		lvs -d -t $V:8107 -r 192.168.0.2:9000 &&
		opens $V:8107 28 29 && snapshot -t $V:8107"
)

sched_compare "$A" "$B" "${CASES[@]}"

# mh's minimal disruption: clients that were not on the removed rs2 keep
# their realserver; those on rs2 all find another one.
mh_disruption() {
	local f=$1 phase='' line before after moved=0 lost=0
	declare -A map=()
	while read -r line; do
		case $line in
		before|after) phase=$line ;;
		readded) break ;;
		c*)
			set -- $line
			if [ "$phase" = before ]; then
				map[$1]=$2
			elif [ "$phase" = after ]; then
				before=${map[$1]:-none}
				after=$2
				if [ "$before" = rs2 ]; then
					[ "$after" = rs1 ] || [ "$after" = rs3 ] || lost=$((lost + 1))
				elif [ "$before" != "$after" ]; then
					moved=$((moved + 1))
				fi
			fi
			;;
		esac
	done < "$f"
	[ ${#map[@]} = 8 ] || { echo "recording incomplete"; return 1; }
	[ $moved = 0 ] && [ $lost = 0 ] || { echo "$moved clients moved, $lost lost"; return 1; }
}
for who in A B; do
	lb=$A
	[ $who = B ] && lb=$B
	if out=$(mh_disruption /tmp/seq-$who/mh-remove 2>&1); then
		pass "mh-minimal-disruption-$lb"
	else
		fail "mh-minimal-disruption-$lb" "$out"
	fi
done
finish
