#!/bin/bash
# The flow fast path (net.xvs.fast_path, kmod/fast_path.c) in the seed-001
# NAT lab, with a held TCP connection (the realservers' :9000 echo) and
# one-port UDP flows (xvs-pkt udp -p against named udpecho servers):
#  - fast-used: established TCP segments and UDP datagrams are answered
#    and forwarded by the fast path (/proc/net/xvs_fast_path requests and
#    replies grow, nft counters in PREROUTING and FORWARD see none of them);
#  - counters-identical: the same UDP exchange with the switch at 0 and at
#    1 gives the same Conns/InPkts/OutPkts/InBytes/OutBytes;
#  - fin-slow-path: a fast connection's FINs take the normal path (PREROUTING
#    and FORWARD see them) and its entry leaves ESTABLISHED;
#  - weight 0, removal: a quiesced realserver's flow goes the normal path
#    (still answered by it); removed, its datagrams are dropped with
#    expire_nodest_conn=0 and go to another realserver with 1, the removed
#    one receiving nothing;
#  - route change: a /32 to the realserver through a second device, a
#    blackhole, then the connected route again: the flow follows each;
#  - neighbour change: the realserver's address pointed at another one's
#    MAC, then forgotten: the fast flow follows the neighbour table;
#  - link-down: the director's realserver side down and up: meanwhile the
#    requests follow the FIB (the default gateway), nothing reaches the
#    realserver; then the flow resumes on the fast path;
#  - conntrack=1: such entries stay on the normal path;
#  - rmmod-busy: ipvsadm -C and rmmod under fast-path traffic, a clean
#    kernel log.
#
# Argument: the balancer; xvs only (ip_vs has no fast path).
# xvs-timeout: 300
# xvs-variant: xvs
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lib-fast.sh"

LB=${1:?usage: fast-path.sh xvs}
CLIENT=81.57.54.254
UP=9053		# UDP echo service
TP=9000		# TCP echo service (the lab's hold servers)

# ---- helpers --------------------------------------------------------------------

setup() {
	local n _ ok
	for n in $LAB_RS; do
		ip netns exec rs$n xvs-pkt udpecho $UP rs$n </dev/null >/dev/null 2>&1 &
		LAB_PIDS+=($!)
	done
	for n in $LAB_RS; do
		ok=
		for _ in $(seq 20); do
			[ "$(in_ns director xvs-pkt udp -t 1 192.168.0.$n $UP 8)" = "rs$n 8" ] &&
				{ ok=1; break; }
		done
		[ -n "$ok" ] || { echo "udpecho on rs$n"; return 1; }
	done
	# A second way from the director to the realservers' LAN (route
	# change).  No address: with arp_ignore=1 it answers no ARP, so the
	# realservers' replies keep coming in on eth1.
	ip link add lan-d2 type veth peer name lan-d2-br || return 1
	ip link set lan-d2 netns director name eth2
	ip link set lan-d2-br master br-lan up
	in_ns director sh -c 'echo 1 > /proc/sys/net/ipv4/conf/eth2/arp_ignore' || return 1
	in_ns director ip link set eth2 up
}

# ask SPORT [SECONDS]: one datagram from the client's port SPORT to the UDP
# service; prints the answering realserver (rs1..) or ERR
ask() {
	local out
	out=$(in_ns client xvs-pkt udp -p "$1" -t "${2:-3}" $VIP $UP 32)
	echo "${out%% *}"
}
# asks SPORT N [SECONDS]: N datagrams; prints the distinct answers
asks() {
	local i
	for i in $(seq "$2"); do ask "$1" "${3:-3}"; done | sort | uniq -c |
		awk '{ printf "%s%s=%s", (NR > 1 ? " " : ""), $2, $1 } END { print "" }'
}
rip() { echo "192.168.0.${1#rs}"; }

fp() { in_ns director awk -v k="$1" '$1 == k { print $2 }' /proc/net/xvs_fast_path; }
fp_log() { log "fast path $1: requests $(fp requests), replies $(fp replies)"; }
fp_set() { in_ns director sh -c "echo $1 > /proc/sys/net/xvs/fast_path"; }
# nftc NAME: packets of the director's nft counter NAME ("?" if unreadable)
nftc() { in_ns director nft list counter ip fpt "$1" 2>/dev/null | awk '$1 == "packets" { print $2; f = 1 } END { if (!f) print "?" }'; }
# delta BEFORE AFTER: AFTER - BEFORE, or "?" when either is no number
delta() { [ "$1" -ge 0 ] 2>/dev/null && [ "$2" -ge 0 ] 2>/dev/null && echo $(($2 - $1)) || echo "?"; }
# rs_udp_in rsN: UDP datagrams that reached rsN (delivered, no port, errors)
rs_udp_in() {
	in_ns "$1" awk '$1 == "Udp:" { if (h) print $2 + $3 + $4; h = 1 }' /proc/net/snmp
}
drops() { in_ns director awk -v r="$1" '$1 == r { print $2 }' /proc/net/xvs_drops; }
dev_stat() { in_ns "$1" cat "/sys/class/net/$2/statistics/$3"; }
# udp_svc: Conns InPkts OutPkts InBytes OutBytes of the UDP service
udp_svc() {
	lvs -L -n --stats --exact -u $VIP:$UP |
		awk -v s="$VIP:$UP" '$1 == "UDP" && $2 == s { print $3, $4, $5, $6, $7 }'
}
# tcp_entry: "CPORT STATE" of the client's entry to VIP:TP, or none
tcp_entry() {
	lvs -L -n -c | awk -v c="$CLIENT:" -v v="$VIP:$TP" '$1 == "TCP" &&
		index($4, c) == 1 && $5 == v { sub(/.*:/, "", $4); print $4, $3; f = 1; exit }
		END { if (!f) print "none" }'
}
tcp_state() {
	lvs -L -n -c | awk -v c="$CLIENT:$1" -v v="$VIP:$TP" '$1 == "TCP" && $4 == c &&
		$5 == v { print $3; f = 1 } END { if (!f) print "none" }'
}
# wait_line FILE LINE: LINE shows up in FILE within 5 s
wait_line() {
	local _
	for _ in $(seq 50); do
		grep -qx "$2" "$1" && return 0
		sleep 0.1
	done
	return 1
}
# ge NAME MIN VALUE [WHAT]: VALUE is a number of at least MIN
ge() {
	if [ "${3:-x}" -ge "$2" ] 2>/dev/null; then pass "$1"; else
		fail "$1" "${4:+$4: }expected >= $2, got [${3:-}]"; fi
}

dmesg -c > /dev/null
lab_nat_begin "$LB" setup
pass lab-up
lvs_configure "-A -t $VIP:$TP -s rr" \
	"-a -t $VIP:$TP -r 192.168.0.1:$TP -m" \
	"-a -t $VIP:$TP -r 192.168.0.2:$TP -m" \
	"-a -t $VIP:$TP -r 192.168.0.3:$TP -m" \
	"-A -u $VIP:$UP -s rr" \
	"-a -u $VIP:$UP -r 192.168.0.1:$UP -m" \
	"-a -u $VIP:$UP -r 192.168.0.2:$UP -m" \
	"-a -u $VIP:$UP -r 192.168.0.3:$UP -m" && pass configure
# What the normal path sees: the fast path skips PREROUTING and FORWARD.
if ! out=$(in_ns director nft -f - 2>&1 <<EOF
table ip fpt {
	counter tcp_pre { }
	counter tcp_pre_fin { }
	counter tcp_fwd { }
	counter tcp_fwd_fin { }
	counter udp_pre { }
	counter udp_fwd { }
	chain pre {
		type filter hook prerouting priority -300; policy accept;
		ip daddr $VIP tcp dport $TP counter name "tcp_pre"
		ip daddr $VIP tcp dport $TP tcp flags & fin == fin counter name "tcp_pre_fin"
		ip daddr $VIP udp dport $UP counter name "udp_pre"
	}
	chain fw {
		type filter hook forward priority 0; policy accept;
		ip saddr 192.168.0.0/24 tcp sport $TP counter name "tcp_fwd"
		ip saddr 192.168.0.0/24 tcp sport $TP tcp flags & fin == fin counter name "tcp_fwd_fin"
		ip saddr 192.168.0.0/24 udp sport $UP counter name "udp_fwd"
	}
}
EOF
); then
	fail nft "$out"
fi
fast_path_begin director

# ---- 1. fast-used ----------------------------------------------------------------
log "1. fast-used"
NSEG=8
lab_open 1 $TP
TRS=$LAB_LAST
case $TRS in rs[123]) pass tcp-open ;; *) fail tcp-open "banner: $TRS" ;; esac
r0=$(fp requests) p0=$(fp replies) tp0=$(nftc tcp_pre) tf0=$(nftc tcp_fwd)
got=0
for i in $(seq $NSEG); do
	echo "segment $i" >&"$LAB_FD_1"
	wait_line $LAB/open/out.1 "segment $i" && got=$((got + 1))
done
# let the client's delayed ACK of the last echo go before the close below
sleep 1
r1=$(fp requests) p1=$(fp replies) tp1=$(nftc tcp_pre) tf1=$(nftc tcp_fwd)
fp_log "after TCP"
check_eq fast-used-tcp-echoed $NSEG $got
ge fast-used-tcp-requests $NSEG $((r1 - r0)) "fast requests"
ge fast-used-tcp-replies $NSEG $((p1 - p0)) "fast replies"
# none of the established segments took the normal path
check_eq fast-used-tcp-bypass "pre 0 fwd 0" "pre $(delta "$tp0" "$tp1") fwd $(delta "$tf0" "$tf1")"

NDG=8
r0=$(fp requests) p0=$(fp replies)
URS=$(ask 41001)
case $URS in rs[123]) ;; *) URS=ERR ;; esac
check_eq fast-used-udp-answers "$URS=$NDG" "$(
	{ echo "$URS"; for i in $(seq $((NDG - 1))); do ask 41001; done; } |
	sort | uniq -c | awk '{ printf "%s%s=%s", (NR > 1 ? " " : ""), $2, $1 }')"
r1=$(fp requests) p1=$(fp replies)
fp_log "after UDP"
# the first datagram makes the entry on the normal path
ge fast-used-udp-requests $((NDG - 1)) $((r1 - r0)) "fast requests"
ge fast-used-udp-replies $NDG $((p1 - p0)) "fast replies"

# ---- 3. fin-slow-path (the connection of 1) ------------------------------------
log "3. fin-slow-path"
read -r CPORT st <<< "$(tcp_entry)"
check_eq fin-before-established ESTABLISHED "${st:-none}"
r0=$(fp requests) p0=$(fp replies)
pf0=$(nftc tcp_pre_fin) ff0=$(nftc tcp_fwd_fin)
# EOF on nc's input: it shuts its sending side down (FIN), the server's
# cat ends and the server closes too
eval "exec ${LAB_FD_1}>&-"
unset LAB_FD_1
for _ in $(seq 50); do
	kill -0 "${LAB_OPEN[1]}" 2>/dev/null || break
	sleep 0.1
done
st=$(settled 5 TIME_WAIT tcp_state "$CPORT")
log "entry after the close: $st"
case $st in
FIN_WAIT|TIME_WAIT|CLOSE|CLOSE_WAIT|LAST_ACK) pass fin-leaves-established ;;
*) fail fin-leaves-established "state $st" ;;
esac
pf1=$(nftc tcp_pre_fin) ff1=$(nftc tcp_fwd_fin)
r1=$(fp requests) p1=$(fp replies)
# both FINs met the chains, i.e. the normal path; so did all that followed
ge fin-slow-path-client 1 "$(delta "$pf0" "$pf1")" "client FINs in PREROUTING"
ge fin-slow-path-server 1 "$(delta "$ff0" "$ff1")" "server FINs in FORWARD"
check_eq fin-not-fast "requests 0 replies 0" "requests $((r1 - r0)) replies $((p1 - p0))"
lab_close 1

# ---- 2. counters-identical -----------------------------------------------------
log "2. counters-identical"
NCMP=10
# run SPORT: NCMP datagrams of one new flow on zeroed counters; sets
# ANS (answers), STATS (udp_svc), FREQ/FREP (fast deltas), PRE (udp_pre delta)
run() {
	local r0 p0 u0
	lvs -Z
	r0=$(fp requests) p0=$(fp replies) u0=$(nftc udp_pre)
	ANS=$(asks "$1" $NCMP)
	STATS=$(udp_svc)
	FREQ=$(($(fp requests) - r0)) FREP=$(($(fp replies) - p0)) PRE=$(delta "$u0" "$(nftc udp_pre)")
	log "fast_path=$2: answers $ANS; Conns InPkts OutPkts InBytes OutBytes: $STATS;" \
		"fast $FREQ/$FREP, PREROUTING $PRE"
}
fp_set 0
run 41002 0
a0=$ANS s0=$STATS f0="$FREQ $FREP $PRE"
fp_set 1
run 41003 1
a1=$ANS s1=$STATS f1="$FREQ $FREP $PRE"
case "$a0 $a1" in
rs[123]=$NCMP\ rs[123]=$NCMP) pass counters-answers ;;
*) fail counters-answers "fast_path=0: $a0; fast_path=1: $a1" ;;
esac
# 32 bytes of payload in, the "realserver rsN\n" tag and them out
check_eq counters-expected "1 $NCMP $NCMP $((NCMP * 60)) $((NCMP * 75))" "$s0"
check_eq counters-identical "$s0" "$s1"
# requests, replies, PREROUTING: all on the normal path, then all but the first
check_eq counters-path-split "0 0 $NCMP / $((NCMP - 1)) $NCMP 1" "$f0 / $f1"

# ---- 4. weight 0, then removal ------------------------------------------------------
log "4. weight 0 / removal"
K=4
X=$(ask 41004)
case $X in rs[123]) pass nodest-first ;; *) fail nodest-first "answer $X" ;; esac
check_eq nodest-fast-before "$X=$K" "$(asks 41004 $K)"
lvs -e -u $VIP:$UP -r "$(rip "$X"):$UP" -m -w 0
r0=$(fp requests) p0=$(fp replies) u0=$(nftc udp_pre) w0=$(nftc udp_fwd) x0=$(rs_udp_in "$X")
# quiesced: the flow stays with its realserver, as the normal path keeps it
check_eq weight0-sticks "$X=$K" "$(asks 41004 $K)"
check_eq weight0-slow-path "requests 0 replies 0 prerouting $K forward $K rs-in $K" \
	"requests $(($(fp requests) - r0)) replies $(($(fp replies) - p0)) prerouting $(delta "$u0" "$(nftc udp_pre)") forward $(delta "$w0" "$(nftc udp_fwd)") rs-in $(($(rs_udp_in "$X") - x0))"

in_ns director sh -c 'echo 0 > /proc/sys/net/ipv4/vs/expire_nodest_conn'
lvs -d -u $VIP:$UP -r "$(rip "$X"):$UP"
x0=$(rs_udp_in "$X") d0=$(drops destination_removed) r0=$(fp requests)
# expire_nodest_conn=0: dropped, as the normal path does
check_eq removed-dropped "ERR=2" "$(asks 41004 2 1)"
check_eq removed-drop-counted "drops 2 fast 0" \
	"drops $(($(drops destination_removed) - d0)) fast $(($(fp requests) - r0))"
in_ns director sh -c 'echo 1 > /proc/sys/net/ipv4/vs/expire_nodest_conn'
# expire_nodest_conn=1: the entry goes, the flow is scheduled anew
Y=$(ask 41004)
case $Y in
rs[123]) [ "$Y" != "$X" ] && pass removed-moves || fail removed-moves "answered by the removed $X" ;;
*) fail removed-moves "answer $Y" ;;
esac
r0=$(fp requests)
check_eq removed-new-rs-stays "$Y=$K" "$(asks 41004 $K)"
ge removed-new-entry-fast $K $(($(fp requests) - r0)) "fast requests"
check_eq removed-rs-received-nothing 0 $(($(rs_udp_in "$X") - x0))
lvs -a -u $VIP:$UP -r "$(rip "$X"):$UP" -m
in_ns director sh -c 'echo 0 > /proc/sys/net/ipv4/vs/expire_nodest_conn'

# ---- 5. route change ----------------------------------------------------------------
log "5. route change"
X=$(ask 41005)
case $X in rs[123]) pass route-first ;; *) fail route-first "answer $X" ;; esac
check_eq route-fast-before "$X=$K" "$(asks 41005 $K)"
# a /32 through eth2: the cached route through eth1 is stale now
in_ns director ip route add "$(rip "$X")/32" dev eth2
t0=$(dev_stat director eth2 tx_packets) r0=$(fp requests)
check_eq route-moved-answers "$X=$K" "$(asks 41005 $K)"
ge route-moved-via-eth2 $K $(($(dev_stat director eth2 tx_packets) - t0)) "eth2 tx packets"
# the first one caches the new route, the others go fast on it
ge route-moved-fast $((K - 1)) $(($(fp requests) - r0)) "fast requests"
in_ns director ip route replace blackhole "$(rip "$X")/32"
x0=$(rs_udp_in "$X")
check_eq route-blackhole-no-answer "ERR=2" "$(asks 41005 2 1)"
check_eq route-blackhole-rs-nothing 0 $(($(rs_udp_in "$X") - x0))
in_ns director ip route del "$(rip "$X")/32"
r0=$(fp requests) t0=$(dev_stat director eth1 tx_packets)
check_eq route-restored-answers "$X=$K" "$(asks 41005 $K)"
ge route-restored-via-eth1 $K $(($(dev_stat director eth1 tx_packets) - t0)) "eth1 tx packets"
ge route-restored-fast $((K - 1)) $(($(fp requests) - r0)) "fast requests"

# ---- 5b. neighbour change ---------------------------------------------------------
# The cached route stays valid; the neighbour is resolved as the packet
# leaves, so a fast flow follows a changed link-layer address at once.
log "5b. neighbour change"
X=$(ask 41009)
case $X in rs[123]) pass neigh-first ;; *) fail neigh-first "answer $X" ;; esac
check_eq neigh-fast-before "$X=$K" "$(asks 41009 $K)"
for Z in rs1 rs2 rs3; do [ "$Z" != "$X" ] && break; done
in_ns director ip neigh replace "$(rip "$X")" lladdr "$(in_ns $Z cat /sys/class/net/eth0/address)" \
	nud permanent dev eth1
x0=$(rs_udp_in "$X") z0=$(dev_stat $Z eth0 rx_packets) r0=$(fp requests)
# at $Z's address the datagrams find no owner of their destination: no answer
check_eq neigh-moved-no-answer "ERR=2" "$(asks 41009 2 1)"
ge neigh-moved-to-new-mac 2 $(($(dev_stat $Z eth0 rx_packets) - z0)) "frames at $Z"
check_eq neigh-moved-old-nothing 0 $(($(rs_udp_in "$X") - x0))
ge neigh-moved-fast 2 $(($(fp requests) - r0)) "fast requests"
in_ns director ip neigh del "$(rip "$X")" dev eth1
check_eq neigh-restored "$X=$K" "$(asks 41009 $K)"

# ---- 6. link-down -----------------------------------------------------------------
log "6. link-down"
X=$(ask 41006)
case $X in rs[123]) pass linkdown-first ;; *) fail linkdown-first "answer $X" ;; esac
check_eq linkdown-fast-before "$X=$K" "$(asks 41006 $K)"
in_ns director ip link set eth1 down
x0=$(rs_udp_in "$X") t0=$(dev_stat director eth1 tx_packets) c0=$(rx_packets client eth0)
check_eq linkdown-no-answer "ERR=3" "$(asks 41006 3 1)"
check_eq linkdown-nothing-sent "eth1 0 rs 0" \
	"eth1 $(($(dev_stat director eth1 tx_packets) - t0)) rs $(($(rs_udp_in "$X") - x0))"
# what routing now says for the LAN: the default gateway (the client)
ge linkdown-follows-fib 3 $(($(rx_packets client eth0) - c0)) "packets at the default gateway"
in_ns director ip link set eth1 up
ans=ERR
for _ in $(seq 10); do
	ans=$(ask 41006 1)
	[ "$ans" = ERR ] || break
done
check_eq linkup-resumes "$X" "$ans"
r0=$(fp requests) p0=$(fp replies)
check_eq linkup-answers "$X=$K" "$(asks 41006 $K)"
ge linkup-fast-again $K $(($(fp requests) - r0)) "fast requests"

# ---- conntrack=1: its entries are the normal path's --------------------------------
log "conntrack=1"
in_ns director sh -c 'echo 1 > /proc/sys/net/ipv4/vs/conntrack'
r0=$(fp requests) p0=$(fp replies) u0=$(nftc udp_pre)
X=$(ask 41008)
case $X in rs[123]) pass conntrack-first ;; *) fail conntrack-first "answer $X" ;; esac
check_eq conntrack-answers "$X=$K" "$(asks 41008 $K)"
check_eq conntrack-slow-path "requests 0 replies 0 prerouting $((K + 1))" \
	"requests $(($(fp requests) - r0)) replies $(($(fp replies) - p0)) prerouting $(delta "$u0" "$(nftc udp_pre)")"
in_ns director sh -c 'echo 0 > /proc/sys/net/ipv4/vs/conntrack'

# ---- 7. rmmod-busy -----------------------------------------------------------------
log "7. rmmod-busy"
(while :; do in_ns client xvs-pkt udp -p 41007 -t 1 $VIP $UP 32; done) > /tmp/fp-udp.log 2>&1 &
UDPLOOP=$!
lab_open 2 $TP
(while :; do echo tick; sleep 0.2; done) 1>&"$LAB_FD_2" 2>/dev/null &
TCPLOOP=$!
r0=$(fp requests)
ge rmmod-busy-traffic-fast $((r0 + 10)) "$(settled 20 ">=$((r0 + 10))" fp requests)" "fast requests"
fp_log "before -C"
out=$(lvs -C 2>&1)
check_eq rmmod-busy-clear "" "$out"
sleep 1
if lb_unload; then pass rmmod-busy-unload; else fail rmmod-busy-unload "$(lsmod | grep -E '^(xvs|ip_vs)' | tr '\n' ' ')"; fi
sleep 1
kill "$UDPLOOP" "$TCPLOOP" 2>/dev/null
wait "$UDPLOOP" "$TCPLOOP" 2>/dev/null
log "UDP answers during rmmod-busy: $(grep -c '^rs' /tmp/fp-udp.log)"
bad=$(dmesg | grep -E 'BUG|WARNING|Oops|leak')
if [ -z "$bad" ]; then pass rmmod-busy-kernel-log; else
	fail rmmod-busy-kernel-log "kernel log lines below"
	quote <<< "$bad"
fi
lab_nat_down
finish
