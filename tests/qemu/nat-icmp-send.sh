#!/bin/bash
# nat_icmp_send: in the seed-001 NAT lab, a realserver sends packets of no
# connection from a NAT destination's address and port to the client.  With
# net.ipv4.vs.nat_icmp_send=0 (the default) they are routed on unchanged;
# with 1 the director answers the realserver with an ICMP port unreachable
# and drops them, except a TCP RST.  Which destinations count is IPVS's
# real-server table: NAT ones only (not DR), under their own port, kept
# right when a destination is edited to another method and when it goes to
# the trash and comes back.
#
# Argument: the balancer, ipvs (the kernel's ip_vs) or xvs (xvs.ko).
# xvs-timeout: 300
# xvs-variant: ipvs
# xvs-reference: ipvs
# xvs-variant: xvs
. "$(dirname "$0")/lib.sh"

LB=${1:?usage: nat-icmp-send.sh ipvs|xvs}
CLIENT=81.57.54.254

lab_nat_begin "$LB"
pass lab-up
if ! command -v nft >/dev/null; then
	fail nft "nft is not in the image"
	lab_nat_down
	lb_unload
	finish
fi

ok=1
for c in "-A -u $VIP:5000 -s rr" "-a -u $VIP:5000 -r 192.168.0.1:5000 -m" \
	 "-a -u $VIP:5000 -r 192.168.0.2:5000 -g" \
	 "-A -t $VIP:80 -s rr" "-a -t $VIP:80 -r 192.168.0.1:80 -m" \
	 "-A -t $VIP:81 -s rr" "-a -t $VIP:81 -r 192.168.0.1:81 -m"; do
	# shellcheck disable=SC2086
	if ! out=$(lvs $c 2>&1); then
		fail configure "ipvsadm $c: $out"
		ok=0
	fi
done
[ $ok = 1 ] && pass configure
SYSCTL=/proc/sys/net/ipv4/vs/nat_icmp_send
check_eq default-off 0 "$(in_ns director cat $SYSCTL)"

# The realservers give bash's packets to the client's ports 7000 (UDP) and
# 7001 (TCP) the source ports of their services, and count the port
# unreachables they get.  The client counts (and drops) what reaches it.
for n in 1 2; do
	in_ns rs$n nft -f - <<EOF
table ip t {
	chain out {
		type filter hook output priority 0;
		ip daddr $CLIENT udp dport 7000 udp sport set 5000
		ip daddr $CLIENT tcp dport 7001 tcp sport set 80
		ip daddr $CLIENT udp dport 7002 udp sport set 80
	}
	chain in {
		type filter hook input priority 0;
		icmp type destination-unreachable icmp code port-unreachable counter
	}
}
EOF
done
in_ns client nft -f - <<EOF
table ip t {
	chain in {
		type filter hook input priority 0;
		ip saddr 192.168.0.0/24 udp sport 5000 counter drop
		ip saddr 192.168.0.0/24 tcp sport 80 counter drop
		ip saddr 192.168.0.1 tcp sport 81 tcp flags rst counter
		ip saddr 192.168.0.0/24 udp sport 80 counter drop
	}
}
EOF
# the client reaches the realservers directly (for the RST)
in_ns client ip route add 192.168.0.0/24 via 81.57.54.1

# counters NS: the packet counts of NS's counters, in rule order
counters() {
	in_ns "$1" nft list table ip t |
		awk '/counter/ { for (i = 1; i < NF; i++) if ($i == "packets") printf "%s ", $(i + 1) }'
}
# state: the client's UDP, TCP, RST and UDP-from-80 counts, rs1's and rs2's
# unreachables
state() { echo "$(counters client)$(counters rs1)$(counters rs2)"; }
rs_udp() {
	# shellcheck disable=SC2016
	in_ns "rs$1" bash -c 'exec 3<>/dev/udp/$0/7000 && echo x >&3' $CLIENT
}
rs_udp80() {
	# shellcheck disable=SC2016
	in_ns "rs$1" bash -c 'exec 3<>/dev/udp/$0/7002 && echo x >&3' $CLIENT
}
rs_tcp() {
	# a SYN from port 80: refused by the unreachable, or dropped
	# shellcheck disable=SC2016
	in_ns "rs$1" timeout 2 bash -c 'exec 3<>/dev/tcp/$0/7001' $CLIENT 2>/dev/null
}
client_rst() {
	# rs1 has no server on :81 and answers the SYN with a RST (which
	# ends the connect at once: the timeout only bounds a lost one)
	# shellcheck disable=SC2016
	in_ns client timeout 10 bash -c 'exec 3<>/dev/tcp/$0/81' 192.168.0.1 2>/dev/null
}
# step NAME WHAT EXPECTED: which counters moved after WHAT (1) and which
# did not (0), as "udp tcp rst udp80 rs1-unreach rs2-unreach" (an unanswered
# SYN is sent again, its unreachable may come twice: only "moved" counts)
step() {
	local before after got="" i
	read -ra before <<< "$(state)"
	eval "$2"
	# (time for late packets: a slow VM must not turn a pass into a miss)
	sleep 1
	read -ra after <<< "$(state)"
	for i in 0 1 2 3 4 5; do
		if [ "${after[$i]:-0}" -gt "${before[$i]:-0}" ]; then
			got+="1 "
		else
			got+="0 "
		fi
	done
	check_eq "$1" "$3" "${got% }"
}

in_ns director sh -c "echo 0 > $SYSCTL"
step off-udp "rs_udp 1" "1 0 0 0 0 0"
step off-tcp "rs_tcp 1" "0 1 0 0 0 0"
step off-rst client_rst "0 0 1 0 0 0"

in_ns director sh -c "echo 1 > $SYSCTL"
check_eq on 1 "$(in_ns director cat $SYSCTL)"
step on-udp "rs_udp 1" "0 0 0 0 1 0"
step on-tcp "rs_tcp 1" "0 0 0 0 1 0"
step on-rst client_rst "0 0 1 0 0 0"
# rs2 is a direct-routing destination: not in the real-server table
step on-dr-udp "rs_udp 2" "1 0 0 0 0 0"

# rs2 made NAT: now it is; back to DR: no more
lvs -e -u $VIP:5000 -r 192.168.0.2:5000 -m
step edit-nat-udp "rs_udp 2" "0 0 0 0 0 1"
lvs -e -u $VIP:5000 -r 192.168.0.2:5000 -g
step edit-dr-udp "rs_udp 2" "1 0 0 0 0 0"

# rs1's UDP destination removed (to the trash): its datagrams pass; added
# back (from the trash): answered again
lvs -d -u $VIP:5000 -r 192.168.0.1:5000
step trash-udp "rs_udp 1" "1 0 0 0 0 0"
lvs -a -u $VIP:5000 -r 192.168.0.1:5000 -m
step revived-udp "rs_udp 1" "0 0 0 0 1 0"

# a real service of another protocol does not count: rs1:80 is TCP only
step other-proto "rs_udp80 1" "0 0 0 1 0 0"

# IPv6: the same for a NAT destination of an IPv6 service, answered with
# an ICMPv6 port unreachable
C6=fd00:81::254
in_ns director sh -c 'echo 1 > /proc/sys/net/ipv6/conf/all/forwarding'
in_ns director ip -6 addr add fd00:81::1/64 dev eth0 nodad
in_ns director ip -6 addr add fd00:192::254/64 dev eth1 nodad
in_ns client ip -6 addr add $C6/64 dev eth0 nodad
in_ns rs1 ip -6 addr add fd00:192::1/64 dev eth0 nodad
in_ns rs1 ip -6 route add default via fd00:192::254
if lvs -A -u "[fd00:81::100]:5000" -s rr &&
   lvs -a -u "[fd00:81::100]:5000" -r "[fd00:192::1]:5000" -m; then
	pass configure-ipv6
else
	fail configure-ipv6 "ipvsadm refused the IPv6 service"
fi
in_ns rs1 nft -f - <<EOF
table ip6 t6 {
	chain out {
		type filter hook output priority 0;
		ip6 daddr $C6 udp dport 7000 udp sport set 5000
	}
	chain in {
		type filter hook input priority 0;
		icmpv6 type destination-unreachable icmpv6 code port-unreachable counter
	}
}
EOF
in_ns client nft -f - <<EOF
table ip6 t6 {
	chain in {
		type filter hook input priority 0;
		ip6 saddr fd00:192::/64 udp sport 5000 counter drop
	}
}
EOF
counters6() {
	in_ns "$1" nft list table ip6 t6 |
		awk '/counter/ { for (i = 1; i < NF; i++) if ($i == "packets") print $(i + 1) }'
}
moved() { if [ "$2" -gt "$1" ]; then echo 1; else echo 0; fi; }
# step6 NAME EXPECTED: rs1 sends a datagram to the client over IPv6; did
# the client's count and rs1's unreachables move ("client rs1")
step6() {
	local c0 r0 c1 r1
	c0=$(counters6 client) r0=$(counters6 rs1)
	# shellcheck disable=SC2016
	in_ns rs1 bash -c 'exec 3<>/dev/udp/$0/7000 && echo x >&3' $C6
	sleep 1
	c1=$(counters6 client) r1=$(counters6 rs1)
	check_eq "$1" "$2" "$(moved "${c0:-0}" "${c1:-0}") $(moved "${r0:-0}" "${r1:-0}")"
}
in_ns director sh -c "echo 0 > $SYSCTL"
step6 ipv6-off "1 0"
in_ns director sh -c "echo 1 > $SYSCTL"
step6 ipv6-on "0 1"

in_ns director sh -c "echo 0 > $SYSCTL"
lab_nat_down
check unload lb_unload
finish
