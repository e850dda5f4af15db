# Helpers of the scheduler comparisons sched-compare-*.sh (guest side),
# sourced after lib.sh.  A comparison records a list of cases on balancer A
# then on balancer B, each time in a fresh NAT lab with a freshly loaded
# balancer, and compares the recordings case by case.
# shellcheck shell=bash

# Extra client addresses c1..c12 = 81.57.54.201..212 (the client holds
# them all; the director reaches them on its eth0 subnet).
SCHED_CLIENTS="1 2 3 4 5 6 7 8 9 10 11 12"
caddr() { echo "81.57.54.$((200 + $1))"; }

# The next client port: every request of a recording has its own, the same
# one in both recordings, so sh-port and mh-port hash the same keys and no
# request meets the connection entry of an earlier one.
SCHED_SPORT=20000
next_sport() { SCHED_SPORT=$((SCHED_SPORT + 1)); }

# sched_lab_up: the NAT lab, the client's extra addresses and a named UDP
# echo server (xvs-pkt udpecho, port 9053) on every realserver.
sched_lab_up() {
	lab_nat_up || return 1
	local c n
	for c in $SCHED_CLIENTS; do
		in_ns client ip addr add "$(caddr "$c")/24" dev eth0 || return 1
	done
	for n in $LAB_RS; do
		ip netns exec rs$n xvs-pkt udpecho 9053 rs$n </dev/null >/dev/null 2>&1 &
		LAB_PIDS+=($!)
	done
	SCHED_SPORT=20000
	return 0
}

# dests SERVICE PORT "rsN:W[:X:Y] ..." : adds realservers (masquerading)
# in this order, with weight W and optional upper/lower thresholds X, Y.
# SERVICE is -t VIP:PORT or -u VIP:PORT.
dests() {
	local svc=$1 port=$2 d w x y
	for d in $3; do
		IFS=: read -r _ w x y <<<"$d"
		lvs -a $svc -r "192.168.0.${d:2:1}:$port" -m -w "$w" \
			${x:+-x "$x"} ${y:+-y "$y"} || return 1
	done
}

# req C PORT: one HTTP request from client address C; prints "cC rsN"
req() {
	next_sport
	echo "c$1 $(in_ns client xvs-pkt get -s "$(caddr "$1")" -p $SCHED_SPORT $VIP "$2")"
}

# reqs PORT C...: one request from each client address in turn
reqs() {
	local port=$1 c
	shift
	for c in "$@"; do req "$c" "$port"; done
}

# udp C PORT: one UDP datagram from client address C to the echo servers
udp() {
	next_sport
	echo "u$1 $(in_ns client xvs-pkt udp -s "$(caddr "$1")" -p $SCHED_SPORT $VIP "$2" 100)"
}

# opens SERVICE FIRST LAST: opens held connections (lab_open) FIRST..LAST
opens() {
	local i
	for i in $(seq "$2" "$3"); do
		lab_open "$i" "${1#*:}"
		echo "open$i $LAB_LAST"
	done
}

# closes SERVICE IDX...: closes held connections, waits until the balancer
# counts them inactive
closes() {
	local svc=$1 i
	shift
	for i in "$@"; do lab_close "$i"; done
	lab_wait_active "$svc" "${#LAB_OPEN[@]}" || echo "ActiveConn did not drop to ${#LAB_OPEN[@]}"
	echo "closed $*"
}

snapshot() { lvs -L -n "$@"; }

# sched_record LB DIR CASES...: runs the cases (pairs NAME CODE) on LB in
# a fresh lab, one output file per case.  Returns 1 when LB or the lab did
# not come up (reported as failures).
sched_record() {
	local lb=$1 dir=$2 i out
	shift 2
	local cases=("$@")
	rm -rf "$dir"
	mkdir -p "$dir"
	if ! out=$(lb_load "$lb" 2>&1); then
		fail "load-$lb" "$out"
		return 1
	fi
	pass "load-$lb"
	if ! sched_lab_up > "$dir/lab-up.log" 2>&1; then
		fail "lab-up-$lb" "$(tail -n 3 "$dir/lab-up.log")"
		lab_nat_down
		lb_unload
		return 1
	fi
	for ((i = 0; i < ${#cases[@]}; i += 2)); do
		# shellcheck disable=SC2294
		eval "${cases[i + 1]}" > "$dir/${cases[i]}" 2>&1 ||
			echo "case stopped early (status $?)" >> "$dir/${cases[i]}"
		lab_close_all
	done
	lb_check "$lb" > "$dir/check" 2>&1 || fail "still-$lb" "$(cat "$dir/check")"
	# The balancer goes first: ip_vs's per-namespace state (connections,
	# cached routes) would otherwise hold the lab's devices for a long
	# while after the namespaces go, and the next lab would meet them.
	lab_close_all
	lvs -C
	lb_unload || fail "unload-$lb" "module still loaded"
	lab_nat_down
	return 0
}

# sched_compare A B CASES...: records on A and on B, then one test per
# case: the two recordings must be identical.  A case whose A recording
# shows a broken lab (stopped early, connections that did not close, held
# connections that got no answer) fails as such.
sched_compare() {
	local a=$1 b=$2 okA=0 okB=0 i c
	shift 2
	sched_record "$a" /tmp/seq-A "$@" && okA=1
	sched_record "$b" /tmp/seq-B "$@" && okB=1
	local cases=("$@")
	for ((i = 0; i < ${#cases[@]}; i += 2)); do
		c=${cases[i]}
		log "$c on $a:"
		quote < "/tmp/seq-A/$c" 2>/dev/null
		if [ $okA = 0 ] || [ $okB = 0 ]; then
			fail "$c" "no recording: a balancer did not load or the lab did not come up"
			continue
		fi
		if grep -qE '^ERR$|open[0-9]+ ERR|^u[0-9]+ ERR|stopped early|did not (drop|expire)' "/tmp/seq-A/$c"; then
			fail "$c" "the $a recording itself is broken"
			continue
		fi
		check_same_file "$c" "/tmp/seq-A/$c" "/tmp/seq-B/$c"
	done
}
