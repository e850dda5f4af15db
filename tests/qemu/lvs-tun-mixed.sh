#!/bin/bash
# Tunnels between address families, which IPVS allows for tunnelling only:
# an IPv4 service whose realservers are reached over IPv6 (IPv4 in IPv6,
# decapsulated by an ip6tnl device in ipip6 mode) and an IPv6 service whose
# realservers are reached over IPv4 (IPv6 in IPv4, decapsulated by sit0).
#
#   client 10.6.1.254, 2001:db8:61::254 --veth-- director eth0 10.6.1.1,
#     2001:db8:61::1, VIPs 10.6.1.100 and 2001:db8:61::100
#   director eth1 10.6.2.254, 2001:db8:62::254 -- bridge brx
#     -- rs1 10.6.2.1, 2001:db8:62::1; rs2 10.6.2.2, 2001:db8:62::2
# The realservers hold both VIPs on lo and route back through the
# director (which therefore accepts IPv4 packets from its own VIP on eth1:
# accept_local); each serves HTTP on :80 naming itself.  Checks, for each
# service and the GUE and GRE tunnel types as well as plain IP-in-IP: the
# answers follow rr (the newest destination first: rs2 rs1 rs2 rs1), the
# listing names the other family's destinations, and for IPIP the
# realserver's tunnel device counted the requests.
#
# Argument: the balancer, ipvs or xvs.
# xvs-timeout: 300
# xvs-variant: ipvs
# xvs-reference: ipvs
# xvs-variant: xvs
# xvs-variant: xvs fast
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lib-net.sh"
. "$(dirname "$0")/lib-fast.sh"

LB=${1:?usage: lvs-tun-mixed.sh ipvs|xvs [fast]}
# fast: with the flow fast path on (lib-fast.sh)
FAST=${2:-}
VIP4=10.6.1.100
VIP6=2001:db8:61::100
GUE_PORT=6080
RR_SEQ="rs2 rs1 rs2 rs1"

rip4() { echo "10.6.2.$1"; }
rip6() { echo "2001:db8:62::$1"; }

mixed_up() {
	local n
	mkdir -p $LAB/www
	net_link client director || return 1
	net_segment brx director:eth1 rs1 rs2 || return 1
	in_ns client sh -c "
		/usr/sbin/ip addr add 10.6.1.254/24 dev eth0 &&
		/usr/sbin/ip -6 addr add 2001:db8:61::254/64 dev eth0 nodad &&
		/usr/sbin/ip link set eth0 up &&
		/usr/sbin/ip route add default via 10.6.1.1 &&
		/usr/sbin/ip -6 route add default via 2001:db8:61::1" ||
		{ echo "client setup failed"; return 1; }
	in_ns director sh -c "
		/usr/sbin/ip addr add 10.6.1.1/24 dev eth0 &&
		/usr/sbin/ip addr add $VIP4/24 dev eth0 &&
		/usr/sbin/ip -6 addr add 2001:db8:61::1/64 dev eth0 nodad &&
		/usr/sbin/ip -6 addr add $VIP6/64 dev eth0 nodad &&
		/usr/sbin/ip addr add 10.6.2.254/24 dev eth1 &&
		/usr/sbin/ip -6 addr add 2001:db8:62::254/64 dev eth1 nodad &&
		/usr/sbin/ip link set eth0 up && /usr/sbin/ip link set eth1 up &&
		echo 1 > /proc/sys/net/ipv4/ip_forward &&
		echo 1 > /proc/sys/net/ipv6/conf/all/forwarding &&
		echo 0 > /proc/sys/net/ipv4/conf/all/rp_filter &&
		echo 0 > /proc/sys/net/ipv4/conf/eth1/rp_filter &&
		echo 1 > /proc/sys/net/ipv4/conf/eth1/accept_local" ||
		{ echo "director setup failed"; return 1; }
	for m in ip6_tunnel sit ip_gre ip6_gre fou fou6; do
		modprobe $m || { echo "modprobe $m failed"; return 1; }
	done
	for n in 1 2; do
		# rp_filter off: requests arrive on the tunnel devices, their
		# replies leave on eth0
		in_ns rs$n sh -c "
			/usr/sbin/ip addr add $(rip4 $n)/24 dev eth0 &&
			/usr/sbin/ip -6 addr add $(rip6 $n)/64 dev eth0 nodad &&
			/usr/sbin/ip link set eth0 up &&
			/usr/sbin/ip route add default via 10.6.2.254 &&
			/usr/sbin/ip -6 route add default via 2001:db8:62::254 &&
			/usr/sbin/ip addr add $VIP4/32 dev lo &&
			/usr/sbin/ip -6 addr add $VIP6/128 dev lo nodad &&
			echo 1 > /proc/sys/net/ipv4/conf/all/arp_ignore &&
			echo 2 > /proc/sys/net/ipv4/conf/all/arp_announce &&
			echo 0 > /proc/sys/net/ipv4/conf/all/rp_filter &&
			echo 0 > /proc/sys/net/ipv4/conf/default/rp_filter &&
			/usr/sbin/ip link add t46 type ip6tnl mode ipip6 local $(rip6 $n) &&
			/usr/sbin/ip link set t46 up &&
			/usr/sbin/ip link set sit0 up &&
			/usr/sbin/ip link add g46 type ip6gre local $(rip6 $n) &&
			/usr/sbin/ip link set g46 up &&
			/usr/sbin/ip link add g64 type gre local $(rip4 $n) &&
			/usr/sbin/ip link set g64 up" ||
			{ echo "rs$n setup failed"; return 1; }
		in_ns rs$n ip fou add port $GUE_PORT gue -6 &&
			in_ns rs$n ip fou add port $GUE_PORT gue ||
			{ echo "rs$n: ip fou failed"; return 1; }
		mkdir -p $LAB/www/rs$n
		echo "realserver rs$n" > $LAB/www/rs$n/index.html
		ip netns exec rs$n httpd -f -p 80 -h $LAB/www/rs$n </dev/null >/dev/null 2>&1 &
		LAB_PIDS+=($!)
	done
	for n in 1 2; do
		lab_wait_port rs$n 80 || { echo "httpd on rs$n did not start"; return 1; }
		in_ns director ping -c 1 -W 2 "$(rip4 $n)" >/dev/null &&
			in_ns director ping -6 -c 1 -W 2 "$(rip6 $n)" >/dev/null ||
			{ echo "director cannot reach rs$n"; return 1; }
	done
}

# gets ADDR: four HTTP requests to ADDR:80; the answering realservers
gets() {
	local i out=()
	for i in 1 2 3 4; do out+=("$(lab_get 80 "$1")"); done
	echo "${out[*]}"
}


# service FAMILY TUN-OPTIONS: the VIP of FAMILY, destinations of the other
service() {
	local vip=$VIP4 n
	[ "$1" = 6 ] && vip="[$VIP6]"
	lvs -C
	lvs -A -t $vip:80 -s rr || return 1
	for n in 1 2; do
		if [ "$1" = 6 ]; then
			lvs -a -t $vip:80 -r "$(rip4 $n):80" -i $2 || return 1
		else
			lvs -a -t $vip:80 -r "[$(rip6 $n)]:80" -i $2 || return 1
		fi
	done
}

if ! out=$(lb_load "$LB" 2>&1); then
	fail load "$out"
	finish
fi
if ! out=$(mixed_up 2>&1); then
	fail lab-up "$out"
	lab_teardown brx
	lb_unload
	finish
fi
pass lab-up
[ "$FAST" = fast ] && fast_path_begin director

for tun in ipip gue gre; do
	opts="--tun-type $tun"
	[ $tun = gue ] && opts="$opts --tun-port $GUE_PORT"
	# IPv4 service, realservers over IPv6
	check "4in6-$tun/service" service 4 "$opts"
	lvs -L -n | quote
	check_eq "4in6-$tun/listed" 2 "$(lvs -L -n | grep -c "^  -> \[2001:db8:62::[12]\]:80 *Tunnel")"
	before=$(rx_packets rs1 t46)
	check_eq "4in6-$tun/rr" "$RR_SEQ" "$(gets $VIP4)"
	[ $tun = ipip ] && check "4in6-ipip/on-t46" [ "$(rx_packets rs1 t46)" -gt "$before" ]
	# IPv6 service, realservers over IPv4
	check "6in4-$tun/service" service 6 "$opts"
	check_eq "6in4-$tun/listed" 2 "$(lvs -L -n | grep -c "^  -> 10.6.2.[12]:80 *Tunnel")"
	before=$(rx_packets rs1 sit0)
	check_eq "6in4-$tun/rr" "$RR_SEQ" "$(gets $VIP6)"
	[ $tun = ipip ] && check "6in4-ipip/on-sit0" [ "$(rx_packets rs1 sit0)" -gt "$before" ]
done
[ "$FAST" = fast ] && fast_path_end director
lvs -C
lab_teardown brx
lb_unload || fail unload "module still loaded"
finish
