#!/bin/bash
# IPv6 services with every forwarding method, TCP, UDP and SCTP.
#
#   client 2001:db8:a::254 --veth-- director eth0 2001:db8:a::1
#                                   + VIP 2001:db8:a::100
#                                   eth1 2001:db8:b::254 -- bridge br6
#                                     -- rs1 2001:db8:b::1, rs2 2001:db8:b::2
# The realservers route back through the director.  Each serves HTTP on
# :80-84 ("realserver rsN ...") and UDP on :53-57 (xvs-udp6 serve, answering
# its name), on any address, so they also answer for the VIP when they hold it:
# on lo for direct routing, on ip6tnl0 (the catch-all IPv6-in-IPv6 tunnel)
# for tunnelling; GUE arrives through `ip fou add ... -6`, GRE through an
# ip6gre device.  Addresses are added with nodad: no DAD wait.
#
# For NAT, DR and TUN (ipip, gue, gre) the service is set up afresh (rr,
# rs1 then rs2; each method its own ports, so the connections of one do not
# show in the table of the next) and checks: the sequence of answering realservers (rr scans
# the newest destination first: rs2 rs1 rs2 rs1), over TCP and UDP; the
# listing (`ipvsadm -L -n`) and the connection table (`-L -n -c`, expiry
# and the random client ports of TCP masked) against a golden listing
# built here; SCTP associations (xvs-sctp) answered in rr order too;
# for DR/TUN the replies, routed back through the director,
# are matched by the virtual address and counted; for TUN the
# requests arrive on the tunnel device and a full-sized TCP segment gets a
# packet-too-big with the route MTU less the tunnel headers, which the
# client records as path MTU; for NAT an ICMPv6 port unreachable from a
# realserver reaches the client translated (a connected UDP socket sees
# "connection refused"); a 3000-byte UDP datagram, which the client sends
# in fragments, is answered through NAT and DR (the balancer has
# nf_defrag_ipv6 reassemble it); a persistent service (-M 64) keeps a client's /64
# on one realserver through one template for [2001:db8:a::]:0.
#
# Argument: the balancer, ipvs (the kernel's ip_vs) or xvs (xvs.ko).
# xvs-timeout: 600
# xvs-variant: ipvs
# xvs-reference: ipvs
# xvs-variant: xvs
# xvs-variant: xvs fast
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lib-net.sh"
. "$(dirname "$0")/lib-fast.sh"

LB=${1:?usage: lvs-ipv6.sh ipvs|xvs [fast]}
# fast: with the flow fast path on (lib-fast.sh)
FAST=${2:-}
VIP6=2001:db8:a::100
CIP6=2001:db8:a::254
DIP6=2001:db8:a::1
GW6=2001:db8:b::254
GUE_PORT=6080
V6_RS="1 2"
NREQ=4
RR_SEQ="rs2 rs1 rs2 rs1"

rip6() { echo "2001:db8:b::$1"; }

v6_up() {
	local n
	mkdir -p $LAB/www
	net_link client director || return 1
	net_segment br6 director:eth1 rs1 rs2 || return 1
	in_ns client ip -6 addr add $CIP6/64 dev eth0 nodad
	in_ns client ip link set eth0 up
	in_ns client ip -6 route add default via $DIP6 || return 1
	# (iproute2's ip: busybox sh prefers its own applet, which lacks nodad)
	in_ns director sh -c "
		/usr/sbin/ip -6 addr add $DIP6/64 dev eth0 nodad &&
		/usr/sbin/ip -6 addr add $VIP6/64 dev eth0 nodad &&
		/usr/sbin/ip link set eth0 up &&
		echo 1 > /proc/sys/net/ipv6/conf/all/forwarding" ||
		{ echo "director setup failed"; return 1; }
	in_ns director ip -6 addr add $GW6/64 dev eth1 nodad
	in_ns director ip link set eth1 up
	modprobe ip6_tunnel || { echo "modprobe ip6_tunnel failed"; return 1; }
	modprobe ip6_gre || { echo "modprobe ip6_gre failed"; return 1; }
	modprobe fou6 || { echo "modprobe fou6 failed"; return 1; }
	modprobe sctp || { echo "modprobe sctp failed"; return 1; }
	for n in $V6_RS; do
		in_ns rs$n sh -c "
			/usr/sbin/ip -6 addr add $(rip6 $n)/64 dev eth0 nodad &&
			/usr/sbin/ip link set eth0 up &&
			/usr/sbin/ip -6 route add default via $GW6 &&
			/usr/sbin/ip link set ip6tnl0 up &&
			/usr/sbin/ip link add xgre6 type ip6gre local $(rip6 $n) &&
			/usr/sbin/ip link set xgre6 up" ||
			{ echo "rs$n setup failed"; return 1; }
		in_ns rs$n ip fou add port $GUE_PORT gue -6 || { echo "rs$n: ip fou failed"; return 1; }
		mkdir -p $LAB/www/rs$n
		echo "realserver rs$n $(rip6 $n)" > $LAB/www/rs$n/index.html
		for p in 0 1 2 3 4; do
			ip netns exec rs$n httpd -f -p $((80 + p)) -h $LAB/www/rs$n </dev/null >/dev/null 2>&1 &
			LAB_PIDS+=($!)
			ip netns exec rs$n xvs-udp6 serve $((53 + p)) rs$n </dev/null >/dev/null 2>&1 &
			LAB_PIDS+=($!)
		done
	done
	for n in $V6_RS; do
		lab_wait_port rs$n 84 || { echo "httpd on rs$n did not start"; return 1; }
		in_ns director ping -6 -c 1 -W 2 "$(rip6 $n)" >/dev/null ||
			{ echo "director cannot reach $(rip6 $n)"; return 1; }
		in_ns client ping -6 -c 1 -W 2 "$(rip6 $n)" >/dev/null ||
			{ echo "client cannot reach $(rip6 $n)"; return 1; }
	done
	in_ns client ping -6 -c 1 -W 2 $VIP6 >/dev/null || { echo "client cannot reach the VIP"; return 1; }
}

v6_down() { lab_teardown br6; }

# get6 PORT: one HTTP/1.0 request to [VIP]:PORT; prints the realserver or ERR
get6() { lab_get "$1" $VIP6; }

# udp6 SPORT PORT: one datagram from client port SPORT to [VIP]:PORT
udp6() { in_ns client xvs-udp6 ask -p "$1" $VIP6 "$2"; }

# rs_vip WHERE: the realservers hold the VIP on lo (dr), ip6tnl0 (tun), or
# not at all (nat)
rs_vip() {
	local n
	for n in $V6_RS; do
		in_ns rs$n ip -6 addr del $VIP6/128 dev lo 2>/dev/null
		in_ns rs$n ip -6 addr del $VIP6/128 dev ip6tnl0 2>/dev/null
		case $1 in
		dr) in_ns rs$n ip -6 addr add $VIP6/128 dev lo nodad || return 1 ;;
		tun) in_ns rs$n ip -6 addr add $VIP6/128 dev ip6tnl0 nodad || return 1 ;;
		esac
	done
}


# configure NAME METHOD-OPTIONS: TCP :$TP and UDP :$UP services, rr, rs1
# then rs2 with the options; the realservers' ports are the same
configure() {
	local name=$1 opts=$2 c out
	for c in "-C" "-A -t [$VIP6]:$TP -s rr" "-A -u [$VIP6]:$UP -s rr" \
		"-a -t [$VIP6]:$TP -r [$(rip6 1)]:$TP $opts" "-a -t [$VIP6]:$TP -r [$(rip6 2)]:$TP $opts" \
		"-a -u [$VIP6]:$UP -r [$(rip6 1)]:$UP $opts" "-a -u [$VIP6]:$UP -r [$(rip6 2)]:$UP $opts"; do
		# shellcheck disable=SC2086
		if ! out=$(lvs $c 2>&1); then
			fail "$name/configure" "ipvsadm $c: $out"
			return 1
		fi
	done
	pass "$name/configure"
}

# golden_list FORWARD: what `ipvsadm -L -n` must print after the traffic
# (the TCP connections all closed: inactive; UDP ones count inactive too;
# destinations listed in the order they were added)
golden_list() {
	printf '%s\n' \
		"IP Virtual Server version 1.2.1 (size=4096)" \
		"Prot LocalAddress:Port Scheduler Flags" \
		"  -> RemoteAddress:Port           Forward Weight ActiveConn InActConn" \
		"TCP  [$VIP6]:$TP rr" \
		"$(printf '  -> %-28s %-7s %-6s %-10s %-9s' "[$(rip6 1)]:$TP" "$1" 1 0 2)" \
		"$(printf '  -> %-28s %-7s %-6s %-10s %-9s' "[$(rip6 2)]:$TP" "$1" 1 0 2)" \
		"UDP  [$VIP6]:$UP rr" \
		"$(printf '  -> %-28s %-7s %-6s %-10s %-9s' "[$(rip6 1)]:$UP" "$1" 1 0 2)" \
		"$(printf '  -> %-28s %-7s %-6s %-10s %-9s' "[$(rip6 2)]:$UP" "$1" 1 0 2)" |
		sed 's/ *$//'
}

# the connection table of this method's ports, expiry and TCP client
# ports masked, sorted
conn_list() {
	lvs -L -n -c | awk -v tp="]:$TP" -v up="]:$UP" '
		NR <= 2 { print; next }
		substr($5, length($5) - length(tp) + 1) != tp &&
		substr($5, length($5) - length(up) + 1) != up { next }
		{ $2 = "XX:XX"; if ($1 == "TCP") sub(/\]:[0-9]+$/, "]:P", $4); print }' |
		sort
}

# golden_conns TCP-STATE: the UDP requests came from ports 40001..4000N
golden_conns() {
	local i d
	{
		echo "IPVS connection entries"
		echo "pro expire state       source             virtual            destination"
		for i in $(seq $NREQ); do
			d=$(( i % 2 ? 2 : 1 ))
			echo "TCP XX:XX $1 [$CIP6]:P [$VIP6]:$TP [$(rip6 $d)]:$TP"
			echo "UDP XX:XX UDP [$CIP6]:4000$i [$VIP6]:$UP [$(rip6 $d)]:$UP"
		done
	} | sort
}

# traffic NAME: NREQ HTTP requests, NREQ UDP requests; rr sequences
traffic() {
	local name=$1 i s got=() ugot=()
	for i in $(seq $NREQ); do
		got+=("$(get6 $TP)")
	done
	log "$name: TCP answers: ${got[*]}"
	check_eq "$name/tcp-rr-sequence" "$RR_SEQ" "${got[*]}"
	for i in $(seq $NREQ); do
		s=$(udp6 "4000$i" $UP)
		ugot+=("$s")
	done
	log "$name: UDP answers: ${ugot[*]}"
	check_eq "$name/udp-rr-sequence" "$RR_SEQ" "${ugot[*]}"
}

# listings NAME FORWARD TCP-STATE: -L -n and -L -n -c against the goldens
listings() {
	lvs -L -n | sed 's/ *$//' > $LAB/list.txt
	golden_list "$2" > $LAB/list.want
	cat $LAB/list.txt
	check_same_file "$1/list" $LAB/list.want $LAB/list.txt
	conn_list > $LAB/conns.txt
	golden_conns "$3" > $LAB/conns.want
	check_same_file "$1/conns" $LAB/conns.want $LAB/conns.txt
}

# replies_seen NAME: the replies of DR and TUN realservers are routed back
# through the director here; they are matched to their connections by the
# virtual address (so the TCP connections close as TIME_WAIT, as with NAT)
# and counted: at least SYN+ACK, data and FIN per connection, and every
# UDP answer
out_pkts() {
	lvs -L -n --stats --exact "$1" "$2" | awk -v p="$3" '$1 == p { print $5 }'
}
replies_seen() {
	local out
	out=$(settled 20 ">=$((3 * NREQ))" out_pkts -t "[$VIP6]:$TP" TCP)
	check "$1/tcp-replies-counted" [ "${out:-0}" -ge $((3 * NREQ)) ]
	check_eq "$1/udp-replies-counted" $NREQ "$(settled 20 $NREQ out_pkts -u "[$VIP6]:$UP" UDP)"
}

vip6() { echo $VIP6; }

# sctp_check NAME OPTIONS ADDR-FUNC: an SCTP service on [VIP]:$SP (rr, rs1
# then rs2 with OPTIONS) to xvs-sctp servers bound to ADDR-FUNC's address
# (single-homed associations: rip6 for NAT, vip6 otherwise): NREQ
# associations answered in rr order.  The service goes again afterwards,
# so the listings of the method stay as they are.
sctp_check() {
	local name=$1 opts=$2 n i line got=()
	for n in $V6_RS; do
		ip netns exec rs$n xvs-sctp server -b "$($3 $n)" $SP rs$n </dev/null >/dev/null 2>&1 &
		LAB_PIDS+=($!)
	done
	sleep 1
	# shellcheck disable=SC2086
	if ! { lvs -A --sctp-service "[$VIP6]:$SP" -s rr &&
	       lvs -a --sctp-service "[$VIP6]:$SP" -r "[$(rip6 1)]:$SP" $opts &&
	       lvs -a --sctp-service "[$VIP6]:$SP" -r "[$(rip6 2)]:$SP" $opts; }; then
		fail "$name/sctp-configure" "ipvsadm refused the SCTP service"
		return 1
	fi
	for i in $(seq $NREQ); do
		line=$(in_ns client xvs-sctp client -t 5 $VIP6 $SP 2>/dev/null)
		got+=("${line%% *}")
	done
	log "$name: SCTP answers: ${got[*]}"
	check_eq "$name/sctp-rr-sequence" "$RR_SEQ" "${got[*]}"
	lvs -D --sctp-service "[$VIP6]:$SP"
}

# path_mtu: a full-sized TCP segment to the VIP; prints the path MTU the
# client then records for the VIP (empty: none)
path_mtu() {
	in_ns client ip -6 route flush cache 2>/dev/null
	in_ns client timeout 10 bash -c "exec 3<>/dev/tcp/$VIP6/$TP &&
		dd if=/dev/zero bs=8192 count=4 >&3 2>/dev/null; sleep 1" >/dev/null 2>&1
	in_ns client ip -6 route get $VIP6 | sed -n 's/.* mtu \([0-9]*\).*/\1/p'
}

if ! out=$(lb_load "$LB" 2>&1); then
	fail load "$out"
	finish
fi
pass load
if ! v6_up > /tmp/lab-up.log 2>&1; then
	fail lab-up "$(tail -n 3 /tmp/lab-up.log)"
	v6_down
	finish
fi
pass lab-up
[ "$FAST" = fast ] && fast_path_begin director

# --- NAT ------------------------------------------------------------------
TP=80 UP=53
rs_vip nat
if configure nat "-m"; then
	traffic nat
	listings nat Masq TIME_WAIT
	SP=3080 sctp_check nat -m rip6
	# a datagram the client sends in fragments is reassembled, forwarded
	# whole and fragmented again (the next in rr order answers)
	check_eq nat/udp-fragmented rs2 "$(in_ns client xvs-udp6 ask -p 41500 -s 3000 $VIP6 $UP)"
	# a realserver's port unreachable reaches the client as from the VIP
	lvs -A -u "[$VIP6]:60" -s rr && lvs -a -u "[$VIP6]:60" -r "[$(rip6 1)]:60" -m
	check_eq nat/icmp6-unreach-translated refused "$(udp6 41000 60)"
	# persistence by the client's /64 (virtual port 85 to the realservers'
	# 80): every request sticks to the first choice, one template listed
	lvs -A -t "[$VIP6]:85" -s rr -p 60 -M 64 &&
		lvs -a -t "[$VIP6]:85" -r "[$(rip6 1)]:80" -m &&
		lvs -a -t "[$VIP6]:85" -r "[$(rip6 2)]:80" -m
	got=()
	for i in $(seq $NREQ); do got+=("$(get6 85)"); done
	check_eq nat/persistent-64 "rs2 rs2 rs2 rs2" "${got[*]}"
	lvs -L -n -c | grep ']:85 '
	check_eq nat/persistent-template 1 "$(lvs -L -n -c |
		grep -c "^TCP .* \[2001:db8:a::\]:0 *\[$VIP6\]:85 *\[$(rip6 2)\]:80")"
	lvs -L -n --stats --exact
fi

# --- DR -------------------------------------------------------------------
TP=81 UP=54
if rs_vip dr && configure dr "-g"; then
	traffic dr
	listings dr Route TIME_WAIT
	lvs -L -n --stats --exact
	replies_seen dr
	SP=3081 sctp_check dr -g vip6
	check_eq dr/udp-fragmented rs2 "$(in_ns client xvs-udp6 ask -p 41501 -s 3000 $VIP6 $UP)"
else
	fail dr/vip "cannot put the VIP on the realservers' lo"
fi

# --- TUN ------------------------------------------------------------------
#   name  ports  ipvsadm options                         decap dev  path MTU
types=(
	"ipip|82 55|-i                                         |ip6tnl0|1460"
	"gue |83 56|-i --tun-type gue --tun-port $GUE_PORT      |ip6tnl0|1448"
	"gre |84 57|-i --tun-type gre --tun-nocsum              |xgre6  |1456"
)
rs_vip tun || fail tun/vip "cannot put the VIP on the realservers' ip6tnl0"
for t in "${types[@]}"; do
	IFS='|' read -r name ports opts dev pmtu <<< "$t"
	read -r name <<< "$name"
	read -r TP UP <<< "$ports"
	read -r opts <<< "$opts"
	read -r dev <<< "$dev"
	name=tun-$name
	log "$name: $opts"
	configure "$name" "$opts" || continue
	declare -A rx0=()
	for n in $V6_RS; do rx0[$n]=$(rx_packets rs$n "$dev"); done
	traffic "$name"
	for n in $V6_RS; do
		check "$name/rs$n-rx-$dev" [ $(( $(rx_packets rs$n "$dev") - rx0[$n] )) -ge $((2 * NREQ)) ]
	done
	listings "$name" Tunnel TIME_WAIT
	replies_seen "$name"
	SP=$((TP + 3000)) sctp_check "$name" "$opts" vip6
	check_eq "$name/path-mtu" "$pmtu" "$(path_mtu)"
	# forget the path MTU: flush the client's route exceptions
	in_ns client ip link set eth0 mtu 1400
	in_ns client ip link set eth0 mtu 1500
done

[ "$FAST" = fast ] && fast_path_end director replies
v6_down
check unload lb_unload
finish
