#!/bin/bash
# Fragments and malformed packets, on the seed-001 NAT lab, with a second
# VIP (81.57.54.101) served by rs1 in direct routing (rs1 holds it on lo).
#  - UDP datagrams of up to 65000 bytes, fragmented by the client, to a
#    NAT service and to a DR service: the balancer sees them reassembled
#    (IPVS runs after defragmentation), the realserver's echo server gets
#    them whole, and its answer (fragmented by the realserver; for NAT
#    reassembled and translated by the director) comes back whole.
#  - TCP through a small MTU: the director's client-side link at MTU 700
#    while the realservers send full-size segments (NAT: path MTU
#    discovery through the director), and a 700-byte client-director link
#    for DR (replies go from rs1 to the client's LAN leg directly);
#    a 200 kB page arrives complete.
#  - Malformed packets to both VIPs (xvs-pkt bad: truncated TCP, UDP, ICMP
#    and SCTP headers, bad TCP data offsets, every other protocol number,
#    tiny, overlapping, incomplete and oversized fragment chains): no
#    crash (console check), the balancer still answers, and the module
#    unloads cleanly afterwards (a leaked connection would make the slab
#    cache's destruction warn).  xvs only: the bad_header drop counter in
#    /proc/net/xvs_drops grows, xvsadm -L --drops (text and JSON) shows it,
#    and net.xvs.debug_level=1 logs the drops.
#
# Argument: the balancer, ipvs or xvs.
# xvs-timeout: 300
# xvs-variant: ipvs
# xvs-reference: ipvs
# xvs-variant: xvs
. "$(dirname "$0")/lib.sh"

LB=${1:?usage: fragments.sh ipvs|xvs}
VIP2=81.57.54.101
SIZES="1000 1473 3000 9000 30000 65000"

# The DR part: VIP2 on the director and on rs1's lo.  rs1's answers from
# VIP2 must not pass the director (which holds VIP2 and would drop them
# as martians): the client gets a leg on the LAN (eth1, 192.168.0.250) and
# rs1 routes what it sends from VIP2 there.
dr_vip_up() {
	in_ns director ip addr add $VIP2/24 dev eth0 label eth0:111 || return 1
	ip link add fr-c type veth peer name fr-c-br || return 1
	ip link set fr-c netns client name eth1
	ip link set fr-c-br master br-lan up
	in_ns client sh -c "
		echo 0 > /proc/sys/net/ipv4/conf/all/rp_filter &&
		echo 0 > /proc/sys/net/ipv4/conf/eth1/rp_filter &&
		ip addr add 192.168.0.250/24 dev eth1 && ip link set eth1 up" || return 1
	in_ns rs1 sh -c "
		echo 1 > /proc/sys/net/ipv4/conf/all/arp_ignore &&
		echo 2 > /proc/sys/net/ipv4/conf/all/arp_announce &&
		ip addr add $VIP2/32 dev lo &&
		ip rule add from $VIP2 table 100 &&
		ip route add default via 192.168.0.250 dev eth0 table 100" || return 1
	local n
	for n in 1 2 3; do
		ip netns exec rs$n xvs-pkt udpecho 9053 rs$n </dev/null >/dev/null 2>&1 &
		LAB_PIDS+=($!)
		dd if=/dev/zero bs=1024 count=200 2>/dev/null | tr '\0' x > $LAB/www/rs$n/big.txt
	done
	ip netns exec rs1 xvs-pkt udpecho -b $VIP2 9054 rs1 </dev/null >/dev/null 2>&1 &
	LAB_PIDS+=($!)
}

services() {
	lvs -A -u $VIP:9053 -s rr &&
	lvs -a -u $VIP:9053 -r 192.168.0.1:9053 -m &&
	lvs -a -u $VIP:9053 -r 192.168.0.2:9053 -m &&
	lvs -a -u $VIP:9053 -r 192.168.0.3:9053 -m &&
	lvs -A -t $VIP:80 -s rr &&
	lvs -a -t $VIP:80 -r 192.168.0.1:80 -m &&
	lvs -a -t $VIP:80 -r 192.168.0.2:80 -m &&
	lvs -a -t $VIP:80 -r 192.168.0.3:80 -m &&
	lvs -A -u $VIP2:9054 -s rr &&
	lvs -a -u $VIP2:9054 -r 192.168.0.1:9054 -g &&
	lvs -A -t $VIP2:80 -s rr &&
	lvs -a -t $VIP2:80 -r 192.168.0.1:80 -g
}

# udp_sizes NAME VIP PORT: one datagram of each size, each answered whole
udp_sizes() {
	local s out
	for s in $SIZES; do
		out=$(in_ns client xvs-pkt udp -t 5 "$2" "$3" "$s")
		case $out in
		"rs"[123]" $s") pass "$1-udp-$s" ;;
		*) fail "$1-udp-$s" "answer: $out" ;;
		esac
	done
}

# big_page NAME VIP: the 200 kB page arrives complete
big_page() {
	local out
	out=$(in_ns client xvs-pkt get -c -u /big.txt "$2" 80)
	check_eq "$1" 204800 "$out"
}

lab_nat_begin "$LB" dr_vip_up
check services services
sleep 0.5

udp_sizes nat $VIP 9053
udp_sizes dr $VIP2 9054
big_page nat-tcp-mtu1500 $VIP

# NAT: realservers send 1500-byte frames, the director forwards at 700
in_ns director ip link set eth0 mtu 700
big_page nat-tcp-pmtu700 $VIP
big_page nat-tcp-pmtu700-again $VIP
in_ns director ip link set eth0 mtu 1500
# DR: the client's link to the director at 700 (the realserver learns it
# from the client's MSS)
big_page dr-tcp-mtu1500 $VIP2
in_ns director ip link set eth0 mtu 700
in_ns client ip link set eth0 mtu 700
big_page dr-tcp-mtu700 $VIP2
in_ns client ip link set eth0 mtu 1500
in_ns director ip link set eth0 mtu 1500

# xvs: the drop counter of truncated headers, and its debug line.
drop_count() {
	in_ns director awk -v r="$1" '$1 == r { print $2 }' /proc/net/xvs_drops
}
if [ "$LB" = xvs ]; then
	bad_before=$(drop_count bad_header)
	in_ns director sh -c 'echo 1 > /proc/sys/net/xvs/debug_level'
	dmesg -c > /dev/null
fi

# Malformed packets to both VIPs, then the balancer still works.
for v in $VIP $VIP2; do
	out=$(in_ns client xvs-pkt bad $v 80)
	log "malformed packets to $v: $out"
done
sleep 1

if [ "$LB" = xvs ]; then
	in_ns director sh -c 'echo 0 > /proc/sys/net/xvs/debug_level'
	bad_after=$(drop_count bad_header)
	in_ns director cat /proc/net/xvs_drops | quote
	if [ "${bad_before:-x}" != x ] && [ "${bad_after:-0}" -gt "$bad_before" ]; then
		pass drops-bad-header
	else
		fail drops-bad-header "bad_header ${bad_before:-none} -> ${bad_after:-none}"
	fi
	# Lines and counts the same as the file (no bad headers since).
	out=$(in_ns director xvsadm -L --drops)
	echo "$out" | quote
	check_eq xvsadm-drops-bad-header "$bad_after" \
		"$(echo "$out" | awk '$1 == "bad_header" { print $2 }')"
	check_eq xvsadm-drops-lines "$(($(in_ns director cat /proc/net/xvs_drops | wc -l) + 1))" \
		"$(echo "$out" | wc -l)"
	out=$(in_ns director xvsadm -L --drops --format json)
	case $out in
	*"\"bad_header\": $bad_after,"*) pass xvsadm-drops-json ;;
	*) fail xvsadm-drops-json "$(echo "$out" | tr '\n' ' ')" ;;
	esac
	n=$(dmesg | grep -c 'xvs: drop: bad_header')
	if [ "$n" -ge 1 ]; then pass drops-debug-line; else fail drops-debug-line "no 'xvs: drop: bad_header' in dmesg"; fi
	dmesg -c > /dev/null
	# ip_vs' files and sysctls know nothing of it.
	check_eq drops-not-in-ipv4-vs "" "$(ls /proc/sys/net/ipv4/vs | grep debug)"
fi
r=$(lab_get 80)
case $r in rs[123]) pass after-bad-nat-answers ;; *) fail after-bad-nat-answers "got $r" ;; esac
out=$(in_ns client xvs-pkt udp -t 5 $VIP 9053 20000)
case $out in "rs"[123]" 20000") pass after-bad-udp-fragments ;; *) fail after-bad-udp-fragments "$out" ;; esac
in_ns director ipvsadm -L -n -c 2>&1 | head -40 | quote

lab_nat_down
if lb_unload; then pass unload; else fail unload "module still loaded"; fi
finish
