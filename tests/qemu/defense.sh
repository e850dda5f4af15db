#!/bin/bash
# The memory-pressure defense of net.ipv4.vs, acting as IPVS's (the ipvs
# variant is the reference and meets the same expectations), on the
# seed-001 NAT lab with a UDP echo service on every realserver:
#  1. drop_packet=3, am_droprate=4: one new connection in four is refused,
#     the first, fifth, ... (the countdown starts at zero): 10 of 40 UDP
#     requests from 40 client ports go unanswered and leave no entry;
#     drop_packet=0: every request is answered again.
#  2. drop_entry=3: once a second 1/32 of the connection table is looked
#     at and half-open TCP entries go (ip_vs picks random buckets, xvs
#     sweeps in order): of 300 SYNs nobody answers (SYN_RECV, 60 s), less
#     than 80% are left 20 s later, while an established connection
#     younger than 60 s survives and still carries data.
#  3. automatic mode (1) follows the memory: with plenty free the switches
#     stay 1; with amemthresh above the free memory they read 2 and every
#     new connection is refused (drop rate 1); back to the default
#     threshold they return to 1 and requests are answered.
#
# Argument: the balancer, ipvs or xvs.
# xvs-timeout: 300
# xvs-variant: ipvs
# xvs-reference: ipvs
# xvs-variant: xvs
. "$(dirname "$0")/lib.sh"

LB=${1:?usage: defense.sh ipvs|xvs}
VS=/proc/sys/net/ipv4/vs
UDP_PORT=9053

vs_set() { in_ns director sh -c "echo $2 > $VS/$1"; }
vs_get() { in_ns director cat "$VS/$1"; }

# answers FIRST_PORT COUNT: one UDP request from each client port; prints
# "a" (answered) or "d" (no answer within 1 s) per request
answers() {
	local port out
	for port in $(seq "$1" $(($1 + $2 - 1))); do
		out=$(in_ns client xvs-pkt udp -p "$port" -t 1 $VIP $UDP_PORT 16)
		case $out in rs[123]\ 16) printf a ;; *) printf d ;; esac
	done
	echo
}

# entries of the director's table for protocol PROTO in state STATE
entries() {
	in_ns director awk -v p="$1" -v s="$2" '$1 == p && $8 == s { n++ } END { print n + 0 }' \
		/proc/net/ip_vs_conn
}

setup() {
	local n
	for n in $LAB_RS; do
		ip netns exec rs$n xvs-pkt udpecho $UDP_PORT rs$n </dev/null >/dev/null 2>&1 &
		LAB_PIDS+=($!)
	done
	lvs -A -u $VIP:$UDP_PORT -s rr &&
	lvs -A -t $VIP:9000 -s rr || return 1
	for n in $LAB_RS; do
		lvs -a -u $VIP:$UDP_PORT -r 192.168.0.$n:$UDP_PORT -m &&
		lvs -a -t $VIP:9000 -r 192.168.0.$n:9000 -m || return 1
	done
}

lab_nat_begin "$LB"
check services setup
check_eq defaults "0 0 0 1024 10" \
	"$(for f in drop_entry drop_packet secure_tcp amemthresh am_droprate; do vs_get $f; done | xargs)"
check_eq plain-answers aaaa "$(answers 20000 4)"

# ---- 1. drop_packet=3 ----------------------------------------------------------
vs_set am_droprate 4
vs_set drop_packet 3
before=$(entries UDP UDP)
got=$(answers 21000 40)
log "drop_packet=3, am_droprate=4: $got"
check_eq drop-packet-one-in-four "$(printf 'daaa%.0s' $(seq 10))" "$got"
check_eq drop-packet-no-entries 30 $(($(entries UDP UDP) - before))
vs_set drop_packet 0
check_eq drop-packet-off "aaaa" "$(answers 22000 4)"

# ---- 2. drop_entry=3 -----------------------------------------------------------
lab_open 1 9000
check_eq held-open true "$([ "$LAB_LAST" != ERR ] && echo true || echo "false ($LAB_LAST)")"
# (no RST: the realservers' SYN-ACKs go to addresses nobody has)
in_ns client xvs-pkt syn -b 10.1.0.1 $VIP 9000 300 >/dev/null
n0=$(entries TCP SYN_RECV)
log "half-open entries after the SYNs: $n0"
check syn-entries [ "$n0" -ge 290 ]
vs_set drop_entry 3
sleep 20
n1=$(entries TCP SYN_RECV)
log "drop_entry=3: $n1 of $n0 half-open entries left after 20 s"
check "drop-entry-half-open($n1/$n0)" [ $((n1 * 10)) -lt $((n0 * 8)) ]
vs_set drop_entry 0
check_eq drop-entry-established-kept 1 "$(entries TCP ESTABLISHED)"
echo hello >&"$LAB_FD_1"
sleep 0.5
check_eq drop-entry-established-works hello "$(tail -n 1 $LAB/open/out.1)"
lab_close 1

# ---- 3. automatic mode ---------------------------------------------------------
vs_set drop_entry 1
vs_set drop_packet 1
vs_set secure_tcp 1
sleep 2
check_eq auto-plenty "1 1 1" "$(vs_get drop_entry) $(vs_get drop_packet) $(vs_get secure_tcp)"
check_eq auto-plenty-answers aaa "$(answers 23000 3)"
vs_set amemthresh 2000000000
switches() { echo "$(vs_get drop_entry) $(vs_get drop_packet) $(vs_get secure_tcp)"; }
check_eq auto-low-memory "2 2 2" "$(settled 10 "2 2 2" switches)"
check_eq auto-low-memory-refused ddd "$(answers 24000 3)"
vs_set amemthresh 1024
check_eq auto-recovered "1 1 1" "$(settled 10 "1 1 1" switches)"
check_eq auto-recovered-answers aaa "$(answers 25000 3)"
for f in drop_entry drop_packet secure_tcp; do vs_set $f 0; done

lab_nat_down
lb_unload || fail unload "module still loaded"
finish
