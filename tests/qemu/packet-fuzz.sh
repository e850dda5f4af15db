#!/bin/bash
# Packet fuzzing: xvs-pktfuzz (tests/tools/xvs-pktfuzz.c) sends a seeded
# stream of valid and malformed packets through packet sockets in the
# client and realserver namespaces of the seed-001 NAT lab, with IPv6
# beside IPv4 (client 2001:db8:a::254, VIP 2001:db8:a::100, realservers
# 2001:db8:b::N behind the director's 2001:db8:b::254):
#  - to the virtual services from a pool of client addresses (10.77.0.1-8,
#    2001:db8:77::1-8): TCP, UDP and SCTP through NAT (rr over rs1-3),
#    direct routing (rs1) and tunnels (rs2, rs3), IPv4 and IPv6;
#  - from the NAT realservers to the pool, as their answers;
#  - the kinds: valid packets (connections open, evolve and close), TCP
#    flag soup, SCTP chunk soup, bad checksums, cut headers, wrong and
#    extreme lengths, IPv4 options, IPv6 extension headers, fragments
#    (tiny, out of order, overlapping, duplicated, holes, beyond 64 KiB),
#    ICMP(v6) errors quoting connections' packets, garbage or cut inner
#    headers, nested errors, errors about the director's tunnel packets.
# The realservers listen on none of the fuzzed ports: they answer with
# resets and ICMP errors, which pass back through the director too.
# Then: no splat (console check; panic_on_warn), the balancer still
# balances real requests (TCP and UDP over IPv4, UDP over IPv6: rr gives
# each realserver once), the counters are sane (`--stats --exact`: each
# service the sum of its destinations, /proc/net/ip_vs_stats the sum of
# the services, no value beyond what was sent, Conns <= InPkts, at least
# 20 bytes a packet) and ActiveConn + InActConn equals the entries of
# `-L -n -c`; a cleanup pass (ACK + RST, SCTP ABORT for every pool tuple)
# closes what is open, `ipvsadm -C`, and every TCP and UDP entry expires
# (tcp/udp timeouts 5 s, CLOSE 10 s), every SCTP one is CLOSED (61 s, not
# waited for: the module's removal frees them); on a kernel with kmemleak active a scan
# finds nothing of the balancer's; the module unloads (a leaked
# connection would make its slab cache's destruction warn).
#
# Arguments: the balancer (ipvs or xvs), then optionally the number of
# packets (default 5000) and the seed (default 1).
# xvs-timeout: 300
# xvs-variant: ipvs
# xvs-reference: ipvs
# xvs-variant: xvs
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lib-kcheck.sh"

LB=${1:?usage: packet-fuzz.sh ipvs|xvs [COUNT [SEED]]}
COUNT=${2:-5000}
SEED=${3:-1}
VIP6=2001:db8:a::100
POOL4=10.77.0.1
POOL6=2001:db8:77::1
T0=$SECONDS

rip() { if [ "$2" = 6 ]; then echo "[2001:db8:b::$1]"; else echo "192.168.0.$1"; fi; }

fuzz_lab_up() {
	local n
	in_ns client sh -c "
		/usr/sbin/ip -6 addr add 2001:db8:a::254/64 dev eth0 nodad" || return 1
	in_ns director sh -c "
		/usr/sbin/ip -6 addr add 2001:db8:a::1/64 dev eth0 nodad &&
		/usr/sbin/ip -6 addr add $VIP6/64 dev eth0 nodad &&
		/usr/sbin/ip -6 addr add 2001:db8:b::254/64 dev eth1 nodad &&
		/usr/sbin/ip -6 route add default via 2001:db8:a::254 &&
		echo 1 > /proc/sys/net/ipv6/conf/all/forwarding" || return 1
	for n in $LAB_RS; do
		in_ns rs$n sh -c "
			/usr/sbin/ip -6 addr add 2001:db8:b::$n/64 dev eth0 nodad &&
			/usr/sbin/ip -6 route add default via 2001:db8:b::254" || return 1
		ip netns exec rs$n xvs-udp6 serve 9053 rs$n </dev/null >/dev/null 2>&1 &
		LAB_PIDS+=($!)
	done
	in_ns client ping -6 -c 1 -W 2 $VIP6 >/dev/null || { echo "no IPv6 to the VIP"; return 1; }
	in_ns director ping -6 -c 1 -W 2 2001:db8:b::3 >/dev/null || { echo "no IPv6 to rs3"; return 1; }
}

services() {
	local f v n
	for f in 4 6; do
		v=$VIP
		[ $f = 6 ] && v="[$VIP6]"
		lvs -A -t $v:8080 -s rr && lvs -A -u $v:8053 -s rr &&
			lvs -A --sctp-service $v:8132 -s rr &&
			lvs -A -u $v:9053 -s rr || return 1
		for n in 1 2 3; do
			lvs -a -t $v:8080 -r "$(rip $n $f)":8080 -m &&
				lvs -a -u $v:8053 -r "$(rip $n $f)":8053 -m &&
				lvs -a --sctp-service $v:8132 -r "$(rip $n $f)":8132 -m &&
				lvs -a -u $v:9053 -r "$(rip $n $f)":9053 -m || return 1
		done
		lvs -A -t $v:8081 -s rr && lvs -a -t $v:8081 -r "$(rip 1 $f)":8081 -g &&
			lvs -A -u $v:8054 -s rr && lvs -a -u $v:8054 -r "$(rip 1 $f)":8054 -g &&
			lvs -A -t $v:8082 -s rr && lvs -a -t $v:8082 -r "$(rip 2 $f)":8082 -i &&
			lvs -A --sctp-service $v:8133 -s rr &&
			lvs -a --sctp-service $v:8133 -r "$(rip 3 $f)":8133 -i || return 1
	done
	lvs -A -t $VIP:80 -s rr || return 1
	for n in 1 2 3; do
		lvs -a -t $VIP:80 -r 192.168.0.$n:80 -m || return 1
	done
	lvs --set 5 5 5
}

lab_nat_begin "$LB" fuzz_lab_up
check services services
log "lab up after $((SECONDS - T0)) s"

# links and targets
dmac0=$(in_ns director cat /sys/class/net/eth0/address)
dmac1=$(in_ns director cat /sys/class/net/eth1/address)
LINKS=(-c "c=client,eth0,$dmac0")
CTARGETS=()
RTARGETS=()
for n in 1 2 3; do LINKS+=(-r "r$n=rs$n,eth0,$dmac1"); done
for v in $VIP $VIP6; do
	CTARGETS+=(c/tcp/$v/8080 c/udp/$v/8053 c/sctp/$v/8132 c/tcp/$v/8081
		c/udp/$v/8054 c/tcp/$v/8082 c/sctp/$v/8133)
done
for n in 1 2 3; do
	for a in 192.168.0.$n 2001:db8:b::$n; do
		RTARGETS+=(r$n/tcp/$a/8080 r$n/udp/$a/8053 r$n/sctp/$a/8132)
	done
done
FUZZ=(xvs-pktfuzz -a $POOL4 -A $POOL6 -d 192.168.0.254 -D 2001:db8:b::254 "${LINKS[@]}")

# the real requests: TCP from fixed client ports (the cleanup closes their
# entries), UDP over both families; rr gives each realserver once
real_requests() {
	local what=$1 i out got
	got=
	for i in 1 2 3; do
		out=$(in_ns client xvs-pkt get -p $((30000 + 10 * ROUND + i)) $VIP 80)
		got+="$out "
	done
	check_eq "$what-tcp4" "rs1 rs2 rs3 " "$(echo $got | tr ' ' '\n' | sort | tr '\n' ' ')"
	for f in 4 6; do
		got=
		for i in 1 2 3; do
			if [ $f = 4 ]; then v=$VIP; else v=$VIP6; fi
			out=$(in_ns client xvs-udp6 ask -p $((31000 + 10 * ROUND + i)) $v 9053)
			got+="$out "
		done
		check_eq "$what-udp$f" "rs1 rs2 rs3 " "$(echo $got | tr ' ' '\n' | sort | tr '\n' ' ')"
	done
	ROUND=$((ROUND + 1))
}
ROUND=0
real_requests before

t=$SECONDS
if out=$("${FUZZ[@]}" -s "$SEED" -n "$COUNT" "${CTARGETS[@]}" "${RTARGETS[@]}" 2>&1); then
	pass fuzz-run
else
	fail fuzz-run "$out"
fi
log "xvs-pktfuzz -s $SEED -n $COUNT: $out ($((SECONDS - t)) s)"
sleep 1

real_requests after

# --- counters ---------------------------------------------------------------
# stats_now: `--stats --exact` once the estimator published everything
# (two reads 2.5 s apart agree)
stats_now() {
	local a b i
	a=$(lvs -L -n --stats --exact)
	for i in 1 2 3 4 5 6; do
		sleep 2.5
		b=$(lvs -L -n --stats --exact)
		[ "$a" = "$b" ] && break
		a=$b
	done
	printf '%s\n' "$b"
}
stats=$(stats_now)
echo "$stats" | quote
# at most what was sent (fuzz frames, the cleanup is later, the real
# requests with their answers) per packet counter, 1600 bytes a packet
maxpkts=$((3 * COUNT + 200))
bad=$(echo "$stats" | awk -v maxp=$maxpkts '
	function checkline(what, c, ip, op, ib, ob) {
		if (c > ip) print what ": Conns " c " > InPkts " ip
		if (ip > maxp || op > maxp) print what ": packets beyond " maxp
		if (ib > 1600 * maxp || ob > 1600 * maxp) print what ": bytes beyond " 1600 * maxp
		if (ib < 20 * ip || ob < 20 * op) print what ": fewer than 20 bytes a packet"
	}
	function flush() {
		if (svc != "" && (sc != dc || sp != dp || so != do_ || sb != db || sob != dob))
			print svc ": service " sc "/" sp "/" so "/" sb "/" sob " != sum of destinations " dc "/" dp "/" do_ "/" db "/" dob
	}
	$1 ~ /^(TCP|UDP|SCTP)$/ {
		flush(); svc = $1 " " $2
		sc = $3; sp = $4; so = $5; sb = $6; sob = $7
		dc = dp = do_ = db = dob = 0
		checkline(svc, $3, $4, $5, $6, $7)
		tc += $3; tp += $4; to += $5
	}
	$1 == "->" && NF == 7 {
		dc += $3; dp += $4; do_ += $5; db += $6; dob += $7
		checkline(svc " -> " $2, $3, $4, $5, $6, $7)
	}
	END { flush(); print "TOTAL " tc " " tp " " to }')
totals=$(echo "$bad" | sed -n 's/^TOTAL //p')
bad=$(echo "$bad" | grep -v '^TOTAL ')
if [ -z "$bad" ]; then pass stats-sane; else fail stats-sane "$(echo "$bad" | head -3 | tr '\n' ';')"; fi
# /proc/net/ip_vs_stats: hex totals (Conns InPkts OutPkts InBytes OutBytes)
read -r c p o _ <<<"$(in_ns director sed -n 3p /proc/net/ip_vs_stats)"
ptot="$((16#${c:-0})) $((16#${p:-0})) $((16#${o:-0}))"
check_eq stats-total "$totals" "$ptot"
log "totals (conns inpkts outpkts): $totals; /proc/net/ip_vs_stats: $ptot"

# ActiveConn + InActConn of every destination = the entries listed
set -- $(conn_counts)
log "ActiveConn + InActConn $1, entries $2 (of listed services and destinations), all $3"
check_eq conn-count "$1" "$2"
# (nothing was deleted: every entry belongs to a listed destination)
check_eq conn-count-all "$2" "$3"
lvs -L -n -c | head -30 | quote
if [ "$LB" = xvs ]; then in_ns director cat /proc/net/xvs_drops | quote; fi

# --- nothing left --------------------------------------------------------------
X=()
for i in $(seq 0 $((ROUND - 1))); do
	for j in 1 2 3; do X+=(-x 81.57.54.254/$((30000 + 10 * i + j))); done
done
if out=$("${FUZZ[@]}" -k "${X[@]}" "${CTARGETS[@]}" c/tcp/$VIP/80 2>&1); then
	pass cleanup-run
else
	fail cleanup-run "$out"
fi
lvs -C
# TCP and UDP entries expire (CLOSE 10 s, the rest 5 s); SCTP's CLOSED
# lasts a maximal RTO, 61 s, on ip_vs as on xvs, longer than this
# scenario's budget: those must all be CLOSED and due within 61 s (the
# module's removal then frees them, and would warn about any it could not)
t=$SECONDS
while [ $((SECONDS - t)) -lt 40 ]; do
	ents=$(lvs -L -n -c | awk 'NR > 2')
	n=$(echo "$ents" | awk '$1 != "SCTP" && NF { n++ } END { print n + 0 }')
	s=$(echo "$ents" | awk '$1 == "SCTP" && $3 != "CLOSED" { n++ } END { print n + 0 }')
	[ "$n" = 0 ] && [ "$s" = 0 ] && break
	sleep 1
done
nsctp=$(echo "$ents" | awk '$1 == "SCTP" { n++ } END { print n + 0 }')
log "entries: $n TCP/UDP, $nsctp SCTP ($s not CLOSED), $((SECONDS - t)) s after ipvsadm -C"
# (a realserver's late segment may put an entry into SYN_SENT again, 120 s,
# on ip_vs as on xvs: such an entry must at least be due within 2 minutes)
stuck=$(echo "$ents" | awk '$1 != "SCTP" && NF && $2 > "02:00"' | head -5)
if [ "$n" = 0 ] || [ -z "$stuck" ]; then
	pass conns-expired
else
	fail conns-expired "$n TCP/UDP entries after 40 s: $(echo "$stuck" | tr '\n' ';')"
fi
late=$(echo "$ents" | awk '$1 == "SCTP" && ($3 != "CLOSED" || $2 > "01:01")' | head -5)
if [ -z "$late" ]; then
	pass sctp-closed
else
	fail sctp-closed "$(echo "$late" | tr '\n' ';')"
fi
[ -n "$late" ] || [ "$n" != 0 ] && echo "$ents" | head -20 | quote

# kmemleak (the debug kernel booted with kmemleak=on): a scan finds no
# object allocated by the balancer
kmemleak_check

lab_nat_down
if lb_unload; then pass unload; else fail unload "module still loaded"; fi
log "scenario time $((SECONDS - T0)) s"
finish
