#!/bin/bash
# schedule_icmp: in the seed-001 NAT lab, the client sends the director ICMP
# errors (xvs-pkt icmperr) quoting a packet VIP:vport -> client:cport of a
# service for which no connection exists.  With net.ipv4.vs.schedule_icmp=0
# (the default) the balancer leaves them to the director's own stack; with 1
# it schedules them as if client:cport had opened a connection (TCP without
# a SYN, SCTP without an INIT), creates the entry (UDP: state UDP, TCP and
# SCTP: state NONE, 3-second expire) and forwards the ICMP to the chosen
# realserver, the quoted header translated to RIP:rport.  Only
# destination-unreachable, source-quench and time-exceeded count in IPv4
# (any ICMPv6 error in IPv6, a parameter problem too); a port with no
# service is left alone; a one-packet UDP service forwards but keeps no
# entry.
#
# Argument: the balancer, ipvs (the kernel's ip_vs) or xvs (xvs.ko).
# xvs-timeout: 300
# xvs-variant: ipvs
# xvs-reference: ipvs
# xvs-variant: xvs
. "$(dirname "$0")/lib.sh"

LB=${1:?usage: schedule-icmp.sh ipvs|xvs}
CLIENT=81.57.54.254

lab_nat_begin "$LB"
pass lab-up
if ! command -v nft >/dev/null; then
	fail nft "nft is not in the image"
	lab_nat_down
	lb_unload
	finish
fi

# UDP 5000, TCP 80 and SCTP 3000 over rs1/rs2 (ports 6000, 8080, 7000: the
# translation changes the port too); UDP 5001 one-packet over rs1:6001 only
lvs_configure "-A -u $VIP:5000 -s rr" "-a -u $VIP:5000 -r 192.168.0.1:6000 -m" \
	"-a -u $VIP:5000 -r 192.168.0.2:6000 -m" \
	"-A -t $VIP:80 -s rr" "-a -t $VIP:80 -r 192.168.0.1:8080 -m" \
	"-a -t $VIP:80 -r 192.168.0.2:8080 -m" \
	"-A -u $VIP:5001 -s rr -o" "-a -u $VIP:5001 -r 192.168.0.1:6001 -m" \
	"--add-service --sctp-service $VIP:3000 -s rr" \
	"-a --sctp-service $VIP:3000 -r 192.168.0.1:7000 -m" \
	"-a --sctp-service $VIP:3000 -r 192.168.0.2:7000 -m"
SYSCTL=/proc/sys/net/ipv4/vs/schedule_icmp
check_eq default-off 0 "$(in_ns director cat $SYSCTL)"

# Each realserver counts the ICMP errors it receives, and those whose quoted
# header was translated: quoted source its own address and a realserver
# port, quoted destination still the client (ICMP header 8 bytes, then the
# quoted IP header: saddr at bit 160, daddr at 192, sport at 224).
client_hex=$(printf '0x%02x%02x%02x%02x' ${CLIENT//./ })
for n in 1 2; do
	in_ns rs$n nft -f - <<EOF
table ip t {
	chain in {
		type filter hook input priority 0;
		icmp type { destination-unreachable, source-quench, time-exceeded, parameter-problem } counter
		icmp type { destination-unreachable, source-quench, time-exceeded } @th,160,32 0xc0a8000$n @th,192,32 $client_hex @th,224,16 { 6000, 6001, 7000, 8080 } counter
	}
}
EOF
done

# counters NS: the packet counts of NS's counters, in rule order
counters() {
	in_ns "$1" nft list table ip t |
		awk '/counter/ { for (i = 1; i < NF; i++) if ($i == "packets") printf "%s ", $(i + 1) }'
}
# the ICMP messages the director's own stack received (those the balancer
# took never reach it)
dir_icmp() {
	in_ns director awk '/^Icmp:/ { if (!c) { for (i = 1; i <= NF; i++)
		if ($i == "InMsgs") c = i } else print $c }' /proc/net/snmp
}
state() { echo "$(dir_icmp) $(counters rs1)$(counters rs2)"; }
# entry CPORT: in the -Lnc listing on stdin, the line of the client port
# CPORT without its expire ("pro state source virtual destination"), empty
# when there is none
entry() {
	awk -v s="$CLIENT:$1" '$4 == s { print $1, $3, $4, $5, $6 }'
}

# expire CPORT: in the -Lnc listing on stdin, "short" when the entry of
# CPORT expires within 3 seconds (an entry an ICMP error created keeps its
# initial 3 s, not the protocol's timeout), else its expire column
expire() {
	awk -v s="$CLIENT:$1" '$4 == s {
		print ($2 ~ /^00:0[0-3]$/ ? "short" : $2) }'
}

# step NAME "ICMPERR ARGS" CPORT EXPECTED-ENTRY EXPECTED-MOVES: sends the
# error, reads the entry of CPORT at once (it lives 3 seconds), then which
# counters moved (1) or not (0): "director rs1 rs1-translated rs2
# rs2-translated"
step() {
	local before after got="" i snap
	read -ra before <<< "$(state)"
	# shellcheck disable=SC2086
	in_ns client xvs-pkt icmperr $2 > /dev/null
	snap=$(lvs -Lnc)
	grep -F "$CLIENT:$3 " <<< "$snap" | sed "s/^/# $1: /"
	# (time for late packets: a slow VM must not turn a pass into a miss)
	sleep 1
	read -ra after <<< "$(state)"
	for i in 0 1 2 3 4; do
		if [ "${after[$i]:-0}" -gt "${before[$i]:-0}" ]; then
			got+="1 "
		else
			got+="0 "
		fi
	done
	check_eq "$1-entry" "$4" "$(entry "$3" <<< "$snap")"
	check_eq "$1-moves" "$5" "${got% }"
	[ -z "$4" ] || check_eq "$1-expire" short "$(expire "$3" <<< "$snap")"
}

U="UDP UDP $CLIENT"
T="TCP NONE $CLIENT"
R1=192.168.0.1
R2=192.168.0.2
# with 0: left to the director's stack, no entry, no realserver sees it
step off-udp "udp $VIP 5000 $CLIENT 40001" 40001 "" "1 0 0 0 0"
step off-tcp "tcp $VIP 80 $CLIENT 41001" 41001 "" "1 0 0 0 0"
step off-sctp "sctp $VIP 3000 $CLIENT 43001" 43001 "" "1 0 0 0 0"

in_ns director sh -c "echo 1 > $SYSCTL"
check_eq on 1 "$(in_ns director cat $SYSCTL)"
# rr over the destinations in ip_vs's list order (the last added first)
step on-udp1 "udp $VIP 5000 $CLIENT 40011" 40011 \
	"$U:40011 $VIP:5000 $R2:6000" "0 0 0 1 1"
step on-udp2 "udp $VIP 5000 $CLIENT 40012" 40012 \
	"$U:40012 $VIP:5000 $R1:6000" "0 1 1 0 0"
step on-udp3 "udp $VIP 5000 $CLIENT 40013" 40013 \
	"$U:40013 $VIP:5000 $R2:6000" "0 0 0 1 1"
step on-udp4 "udp $VIP 5000 $CLIENT 40014" 40014 \
	"$U:40014 $VIP:5000 $R1:6000" "0 1 1 0 0"
# the other two scheduled types; a parameter problem is not one of them
step on-time-exceeded "-T 11 -C 0 udp $VIP 5000 $CLIENT 40015" 40015 \
	"$U:40015 $VIP:5000 $R2:6000" "0 0 0 1 1"
step on-source-quench "-T 4 -C 0 udp $VIP 5000 $CLIENT 40016" 40016 \
	"$U:40016 $VIP:5000 $R1:6000" "0 1 1 0 0"
step on-param-problem "-T 12 -C 0 udp $VIP 5000 $CLIENT 40017" 40017 \
	"" "1 0 0 0 0"
# TCP: scheduled without any SYN, entry in state NONE
step on-tcp1 "tcp $VIP 80 $CLIENT 41011" 41011 \
	"$T:41011 $VIP:80 $R2:8080" "0 0 0 1 1"
step on-tcp2 "tcp $VIP 80 $CLIENT 41012" 41012 \
	"$T:41012 $VIP:80 $R1:8080" "0 1 1 0 0"
# SCTP: scheduled without an INIT (the quoted header has only the ports and
# the verification tag), entry in state NONE
S="SCTP NONE $CLIENT"
step on-sctp1 "sctp $VIP 3000 $CLIENT 43011" 43011 \
	"$S:43011 $VIP:3000 $R2:7000" "0 0 0 1 1"
step on-sctp2 "sctp $VIP 3000 $CLIENT 43012" 43012 \
	"$S:43012 $VIP:3000 $R1:7000" "0 1 1 0 0"
# an existing entry is used again, not scheduled anew: two errors for one
# new client port back to back (within the entry's 3 seconds) both reach
# the same realserver (rr would split them)
read -ra before <<< "$(state)"
in_ns client sh -c "xvs-pkt icmperr tcp $VIP 80 $CLIENT 41013 &&
	xvs-pkt icmperr tcp $VIP 80 $CLIENT 41013" > /dev/null
lvs -Lnc | grep -F "$CLIENT:41013 " | sed "s/^/# on-tcp-again: /"
sleep 1
read -ra after <<< "$(state)"
check_eq on-tcp-again "0 0 2 2" "$((after[1] - before[1])) $((after[2] - before[2]))\
 $((after[3] - before[3])) $((after[4] - before[4]))"
# no service on the port: left alone
step on-no-service "udp $VIP 5999 $CLIENT 40021" 40021 "" "1 0 0 0 0"
# one-packet service: forwarded, no entry kept
step on-one-packet "udp $VIP 5001 $CLIENT 40031" 40031 "" "0 1 1 0 0"

# IPv6: the same for an IPv6 NAT service (net.ipv4.vs.schedule_icmp
# serves both families)
VIP6=fd00:81::100
C6=fd00:81::254
in_ns director sh -c 'echo 1 > /proc/sys/net/ipv6/conf/all/forwarding'
in_ns director ip -6 addr add fd00:81::1/64 dev eth0 nodad
in_ns director ip -6 addr add $VIP6/64 dev eth0 nodad
in_ns director ip -6 addr add fd00:192::254/64 dev eth1 nodad
in_ns client ip -6 addr add $C6/64 dev eth0 nodad
for n in 1 2; do
	in_ns rs$n ip -6 addr add fd00:192::$n/64 dev eth0 nodad
	in_ns rs$n ip -6 route add default via fd00:192::254
	# ICMPv6 header 8 bytes, then the quoted IPv6 header: sport at bit 384
	in_ns rs$n nft -f - <<EOF
table ip6 t6 {
	chain in {
		type filter hook input priority 0;
		icmpv6 type { destination-unreachable, parameter-problem } counter
		icmpv6 type { destination-unreachable, parameter-problem } @th,384,16 6000 counter
	}
}
EOF
done
if lvs -A -u "[$VIP6]:5000" -s rr &&
   lvs -a -u "[$VIP6]:5000" -r "[fd00:192::1]:6000" -m &&
   lvs -a -u "[$VIP6]:5000" -r "[fd00:192::2]:6000" -m; then
	pass configure-ipv6
else
	fail configure-ipv6 "ipvsadm refused the IPv6 service"
fi
counters6() {
	in_ns "$1" nft list table ip6 t6 |
		awk '/counter/ { for (i = 1; i < NF; i++) if ($i == "packets") printf "%s ", $(i + 1) }'
}
dir_unreach6() {
	in_ns director awk '$1 == "Icmp6InDestUnreachs" { print $2 }' /proc/net/snmp6
}
entry6() {
	lvs -Lnc | awk -v s="[$C6]:$1" '$4 == s { print $1, $3, $4, $5, $6 }'
}
# step6 NAME CPORT EXPECTED-ENTRY EXPECTED-MOVES [ICMPERR OPTIONS]: step
# for IPv6 (the director's count: its destination unreachables)
step6() {
	local before after got="" i ent
	read -ra before <<< "$(dir_unreach6) $(counters6 rs1)$(counters6 rs2)"
	# shellcheck disable=SC2086
	in_ns client xvs-pkt icmperr -6 ${5:-} udp $VIP6 5000 $C6 "$2" > /dev/null
	ent=$(entry6 "$2")
	lvs -Lnc | grep -F "[$C6]:$2 " | sed "s/^/# $1: /"
	sleep 1
	read -ra after <<< "$(dir_unreach6) $(counters6 rs1)$(counters6 rs2)"
	for i in 0 1 2 3 4; do
		if [ "${after[$i]:-0}" -gt "${before[$i]:-0}" ]; then
			got+="1 "
		else
			got+="0 "
		fi
	done
	check_eq "$1-entry" "$3" "$ent"
	check_eq "$1-moves" "$4" "${got% }"
}
U6="UDP UDP [$C6]"
in_ns director sh -c "echo 0 > $SYSCTL"
step6 ipv6-off 42001 "" "1 0 0 0 0"
in_ns director sh -c "echo 1 > $SYSCTL"
step6 ipv6-on1 42011 "$U6:42011 [$VIP6]:5000 [fd00:192::2]:6000" "0 0 0 1 1"
step6 ipv6-on2 42012 "$U6:42012 [$VIP6]:5000 [fd00:192::1]:6000" "0 1 1 0 0"
# any ICMPv6 error counts, a parameter problem too (unlike IPv4)
step6 ipv6-param-problem 42013 "$U6:42013 [$VIP6]:5000 [fd00:192::2]:6000" \
	"0 0 0 1 1" "-T 4 -C 0"

in_ns director sh -c "echo 0 > $SYSCTL"
lab_nat_down
check unload lb_unload
finish
