#!/bin/bash
# Differential fuzzing of the IPVS generic netlink interface: xvs-nlfuzz
# (userspace/tools/nlfuzz.cpp) sends the same seeded stream of generated
# and mutated requests, valid ones among them, first to balancer A and then
# to balancer B (each freshly loaded, from the same baseline table).  Every
# request must get the same answer from both and leave the same state
# (services, destinations, timeouts, daemons: a digest after each request).
# A difference fails with the first request that differs and its bytes
# (xvs-nlfuzz --show I replays the generator up to it); a crash or warning
# ends the VM (panic_on_warn) and fails the scenario.
#
# Arguments: A B, the balancers (ipvs = the kernel's ip_vs, xvs = xvs.ko);
# then optionally the number of requests and the seed.
# xvs-timeout: 600
# xvs-variant: ipvs xvs
. "$(dirname "$0")/lib.sh"

A=${1:?usage: netlink-fuzz.sh A B [COUNT [SEED]]}
B=${2:?usage: netlink-fuzz.sh A B [COUNT [SEED]]}
COUNT=${3:-6000}
SEED=${4:-1}
W=/tmp/nlfuzz
mkdir -p $W

if ! command -v xvs-nlfuzz >/dev/null; then
	fail nlfuzz-binary "xvs-nlfuzz is not in the image (make userspace)"
	finish
fi

# fuzz LB OUT: runs the stream on LB into $W/OUT.txt (A and B may be the
# same balancer: two runs that must agree)
fuzz() {
	local lb=$1 f=$W/$2 out rc
	if ! out=$(lb_load "$lb" 2>&1); then
		fail "load-$lb" "$out"
		return 1
	fi
	xvs-nlfuzz --seed "$SEED" --count "$COUNT" > "$f.txt" 2> "$f.err"
	rc=$?
	lb_unload || log "could not unload $lb"
	if [ $rc != 0 ] || [ "$(wc -l < "$f.txt")" != "$COUNT" ]; then
		fail "run-$2-$lb" "xvs-nlfuzz exited $rc after $(wc -l < "$f.txt") requests: $(head -c 300 "$f.err")"
		return 1
	fi
	pass "run-$2-$lb"
}

fuzz "$A" a && fuzz "$B" b || finish

if cmp -s "$W/a.txt" "$W/b.txt"; then
	log "$COUNT requests (seed $SEED): the same answers and states on $A and $B"
	log "answers: $(awk '{ print $3 }' "$W/a.txt" | sort | uniq -c | sort -rn | tr -s ' \n' ' ')"
	pass same-answers
else
	# (line by line: both files have COUNT lines, one per request)
	first=$(paste -d '|' "$W/a.txt" "$W/b.txt" |
		awk -F '|' '$1 != $2 { print NR - 1; exit }')
	ndiff=$(paste -d '|' "$W/a.txt" "$W/b.txt" |
		awk -F '|' '$1 != $2 { n++ } END { print n + 0 }')
	log "first difference at request $first ($ndiff requests differ):"
	diff -u "$W/a.txt" "$W/b.txt" | head -n 20 | quote
	log "request $first: $(xvs-nlfuzz --seed "$SEED" --show "$first")"
	fail same-answers "request $first: $A: $(sed -n "$((first + 1))p" "$W/a.txt"); $B: $(sed -n "$((first + 1))p" "$W/b.txt")"
fi
finish
