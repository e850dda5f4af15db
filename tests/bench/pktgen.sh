#!/bin/bash
# The VM side of `make bench`'s pktgen phase (scripts/bench.sh stages it as
# a scenario next to tests/qemu/lib.sh and boots it in a VM of its own: one
# vCPU, QEMU -icount, so guest time follows the instructions executed).
#
# The balancer's per-packet cost without sockets, applications or the
# scheduler: the kernel's pktgen (xmit_mode netif_receive) hands UDP
# packets straight to the director's receive path, as if they had arrived
# on its eth0, addressed to the VIP; the balancer forwards them (NAT, DR,
# TUN; IPv4 and IPv6) to two realservers whose eth0 counts and drops them
# at ingress (nft, netdev family): nothing answers.  The same packets
# addressed to a realserver with no balancer loaded are the routed
# baseline ("base"); with the balancer loaded but its only service on
# another VIP they are the idle-balancer case ("idle").  IPVS ("ipvs"),
# xvs ("xvs") and xvs with its flow fast path on in the director
# (net.xvs.fast_path=1, "xvsfast": established flows forwarded from the
# ingress hook, past routing and netfilter) alternate round by round, none
# always first.
#
# Every run proves its delivery: the realservers' counters and the
# balancer's own (ipvsadm --stats InPkts of the service) must each have
# grown by the packets pktgen sent; a shortfall is reported as lost
# (XVS-BENCH pg_lost_* / pg_lbmiss_*) and the report never shows such a
# run as a speed.  xvsfast's runs also prove that the fast path carried
# them: its requests counter (/proc/net/xvs_fast_path) must have grown by
# the packets sent, or the report flags the run as not all on the fast
# path and leaves it out.  Figures, for scripts/bench.sh to collect:
#   XVS-BENCH pg_pps_CASE_FLOWS LB ROUND PPS
#   XVS-BENCH pg_lost_CASE_FLOWS LB ROUND PACKETS  (sent - counted at the realservers)
#   XVS-BENCH pg_lbmiss_CASE_FLOWS LB ROUND PACKETS (sent - the balancer's InPkts)
#   XVS-BENCH pg_fastmiss_CASE_FLOWS xvsfast ROUND PACKETS (sent - fast path requests)
#   CASE: nat4 dr4 tun4 nat6 dr6 tun6 (ipvs, xvs, xvsfast), route4 route6
#   (base), idle4 idle6 (ipvs, xvs, xvsfast; no pg_lbmiss/pg_fastmiss);
#   FLOWS: 1 or 10k (10,100 flows)
# and, when perf is in the image, flat profiles of one NAT IPv4 10k-flow run
# of each balancer and of the routed baseline:
#   XVS-PROFILE LB pktgen_CASE SHARE% NS_PER_PACKET DSO SYMBOL
#
# Arguments: ROUNDS COUNT (packets per measurement) PROFILE (0/1)
# PCOUNT (packets of a profiled run)
# xvs-timeout: 4000
. "$(dirname "$0")/lib.sh"

ROUNDS=${1:-3}
COUNT=${2:-10000}
PROFILE=${3:-1}
PCOUNT=${4:-50000}

PORT=5000
VIP=81.57.54.100
VIP_IDLE=81.57.54.99		# the idle case's service
VIP6=2001:db8:1::100
VIP6_IDLE=2001:db8:1::99
SRC=198.18.0.1			# pktgen's sources: 198.18.0.1-.101 (10k flows)
SRC_MAX=198.18.0.101
SRC6=2001:db8:9::1
RS="1 2"
rip() { echo 192.168.0.$1; }
rip6() { echo 2001:db8:2::$1; }
W=/tmp/pktgen
PG=/proc/net/pktgen

bench() { echo "XVS-BENCH $*"; }
declare -A LAST_NS=()	# LB-CASE-FLOWS: ns per packet of its last measurement

# --- topology ----------------------------------------------------------------
#   inj (peer only) --veth-- director eth0 81.57.54.1, 2001:db8:1::1
#     (VIPs on eth0; pktgen injects here: the packets enter as if received)
#   director eth1 192.168.0.254, 2001:db8:2::254 -- br-lan -- rs1, rs2
#     (192.168.0.N, 2001:db8:2::N; eth0 drops and counts at ingress)
# The director's neighbours are permanent: no ARP/ND during a run.
net_up() {
	local n mac
	mkdir -p $W
	ip link add br-lan type bridge || return 1
	ip link set br-lan up
	for n in inj director rs1 rs2; do
		ip netns add $n || return 1
		in_ns $n ip link set lo up
	done
	ip link add inj0 type veth peer name dir0 || return 1
	ip link set inj0 netns inj name eth0
	ip link set dir0 netns director name eth0
	in_ns inj ip link set eth0 up
	in_ns director ip addr add 81.57.54.1/24 dev eth0
	in_ns director ip addr add $VIP/32 dev eth0
	in_ns director ip -6 addr add 2001:db8:1::1/64 dev eth0 nodad
	in_ns director ip -6 addr add $VIP6/128 dev eth0 nodad
	in_ns director ip link set eth0 up
	ip link add lan-d type veth peer name lan-d-br || return 1
	ip link set lan-d netns director name eth1
	ip link set lan-d-br master br-lan up
	in_ns director ip addr add 192.168.0.254/24 dev eth1
	in_ns director ip -6 addr add 2001:db8:2::254/64 dev eth1 nodad
	in_ns director ip link set eth1 up
	in_ns director sh -c '
		echo 1 > /proc/sys/net/ipv4/ip_forward
		echo 1 > /proc/sys/net/ipv6/conf/all/forwarding
		for i in all default eth0 eth1; do
			echo 0 > /proc/sys/net/ipv4/conf/$i/send_redirects
			echo 0 > /proc/sys/net/ipv4/conf/$i/rp_filter
		done' || return 1
	for n in $RS; do
		ip link add lan-$n type veth peer name lan-$n-br || return 1
		ip link set lan-$n netns rs$n name eth0
		ip link set lan-$n-br master br-lan up
		in_ns rs$n ip addr add "$(rip $n)/24" dev eth0
		in_ns rs$n ip -6 addr add "$(rip6 $n)/64" dev eth0 nodad
		in_ns rs$n ip link set eth0 up
		# what the director sends them: UDP to the RIP (routed, NAT) or
		# to the VIP (DR), IPIP / IPv6-in-IPv6 to the RIP (TUN)
		in_ns rs$n nft -f - <<-EOF || { echo "nft failed in rs$n"; return 1; }
		table netdev sink {
			chain in {
				type filter hook ingress device eth0 priority 0; policy accept;
				meta protocol ip ip protocol udp udp dport $PORT counter drop
				meta protocol ip ip protocol 4 counter drop
				meta protocol ip6 ip6 nexthdr udp udp dport $PORT counter drop
				meta protocol ip6 ip6 nexthdr 41 counter drop
			}
		}
		EOF
		mac=$(in_ns rs$n cat /sys/class/net/eth0/address)
		in_ns director ip neigh replace "$(rip $n)" lladdr "$mac" nud permanent dev eth1 || return 1
		in_ns director ip -6 neigh replace "$(rip6 $n)" lladdr "$mac" nud permanent dev eth1 || return 1
	done
	in_ns director ip route add 198.18.0.0/16 via 81.57.54.254 dev eth0 onlink
	in_ns director ip -6 route add 2001:db8:9::/64 via 2001:db8:1::fe dev eth0
	write_fire
	modprobe pktgen || { echo "modprobe pktgen failed"; return 1; }
	[ -w $PG/pgctrl ] || { echo "no $PG/pgctrl"; return 1; }
	in_ns director test -w $PG/kpktgend_0 || { echo "no kpktgend_0 in the director"; return 1; }
	return 0
}

# packets counted (and dropped) by the realservers so far
rs_count() {
	local n t=0 c
	for n in $RS; do
		c=$(in_ns rs$n nft list chain netdev sink in |
			awk '{ for (i = 1; i < NF; i++) if ($i == "packets") s += $(i + 1) } END { print s + 0 }')
		t=$((t + c))
	done
	echo $t
}

# lb_inpkts SERVICE: the balancer's InPkts of the UDP service
lb_inpkts() {
	lvs -L -n --stats --exact -u "$1" 2>/dev/null | awk '$1 == "UDP" { print $4; exit }'
}

# fast_requests: the requests the director's fast path forwarded so far
fast_requests() {
	in_ns director cat /proc/net/xvs_fast_path 2>/dev/null | awk '$1 == "requests" { print $2 }'
}

# --- pktgen --------------------------------------------------------------------
# pg_conf CASE FLOWS COUNT: the pktgen settings of COUNT packets of CASE
# (nat4... route6) from FLOWS (1 or 10k) flows, into $W/pg.conf
pg_conf() {
	local case=$1 flows=$2 count=$3 fam=${1: -1} dst mac
	case $case in
	route4|idle4) dst=$(rip 1) ;;
	route6|idle6) dst=$(rip6 1) ;;
	*4) dst=$VIP ;;
	*6) dst=$VIP6 ;;
	esac
	mac=$(in_ns director cat /sys/class/net/eth0/address)
	{
		echo "count $count"
		echo "clone_skb 0"
		echo "burst 1"
		echo "delay 0"
		echo "pkt_size 64"
		echo "xmit_mode netif_receive"
		echo "dst_mac $mac"
		echo "udp_dst_min $PORT"
		echo "udp_dst_max $PORT"
		if [ "$fam" = 4 ]; then
			echo "dst $dst"
			echo "src_min $SRC"
			# 10k: 101 addresses x 100 ports, both stepping each
			# packet: 10,100 flows, each once per 10,100 packets
			if [ "$flows" = 10k ]; then echo "src_max $SRC_MAX"; else echo "src_max $SRC"; fi
		else
			echo "dst6 $dst"
			echo "src6 $SRC6"
		fi
		echo "udp_src_min 10000"
		# (udp_src_max is exclusive; IPv6: ports only, pktgen steps no
		# IPv6 source address)
		if [ "$flows" != 10k ]; then echo "udp_src_max 10000"
		elif [ "$fam" = 4 ]; then echo "udp_src_max 10100"
		else echo "udp_src_max 20100"
		fi
	} > $W/pg.conf
}

# the director's side of a run (run in its namespace): one device on the
# one pktgen thread, the settings, start (returns when done), the result
write_fire() {
	cat > $W/fire.sh <<-'EOF'
	pg=/proc/net/pktgen
	echo rem_device_all > $pg/kpktgend_0 || exit 1
	echo "add_device eth0" > $pg/kpktgend_0 || exit 1
	while read -r l; do
		echo "$l" > $pg/eth0 || { echo "pktgen refused: $l: $(grep Result: $pg/eth0)"; exit 1; }
	done < "$1"
	echo start > $pg/pgctrl
	cat $pg/eth0
	EOF
}

# pg_parse: PG_SENT, PG_USEC (elapsed), PG_ERRORS of the last run's
# $W/pg.out; returns 1 when there is no result
pg_parse() {
	# Result: OK: 1234(c1200+d34) usec, 50000 (64byte,0frags)
	#   40000pps 20Mb/sec (20480000bps) errors: 0
	PG_USEC=$(sed -n 's/^Result: OK: \([0-9]*\)(.*/\1/p' $W/pg.out)
	PG_SENT=$(sed -n 's/^Result: OK: [^ ]* usec, \([0-9]*\) .*/\1/p' $W/pg.out)
	PG_ERRORS=$(sed -n 's/.*errors: \([0-9]*\).*/\1/p' $W/pg.out)
	[ -n "$PG_USEC" ] && [ -n "$PG_SENT" ] && [ "$PG_USEC" != 0 ]
}

# pg_run CASE FLOWS COUNT: sends the packets (see pg_conf); sets PG_SENT,
# PG_USEC, PG_ERRORS or returns 1
pg_run() {
	pg_conf "$@"
	if ! in_ns director bash $W/fire.sh $W/pg.conf > $W/pg.out 2>&1 || ! pg_parse; then
		log "pktgen $1 $2: no result"
		quote < $W/pg.out
		return 1
	fi
}

# measure LB ROUND CASE FLOWS [SERVICE]: warms the flows up (every flow
# sends once, so the measurement sees established entries), then one
# measured run; reports pps and what was not delivered (xvsfast with a
# service: and what did not go the fast path).  The balancer's
# InPkts are read once they include every packet sent (IPVS publishes its
# counters on its 2 s estimator tick), or after 10 s as they are.
measure() {
	local lb=$1 r=$2 case=$3 flows=$4 svc=${5:-} rs0 rs1 lb0 lb1 warm=1000 pps
	local fast=0 fast0=0 fast1=0 fmiss=
	[ "$flows" = 10k ] && warm=10100
	[ -z "$svc" ] || lb0=$(lb_inpkts "$svc")
	if ! pg_run "$case" "$flows" $warm; then
		fail "pktgen-$lb-$case-$flows-$r" "warm-up failed"
		return 1
	fi
	[ -z "$svc" ] || lb0=$(settled 10 ">=$((lb0 + PG_SENT))" lb_inpkts "$svc")
	[ "$lb" = xvsfast ] && [ -n "$svc" ] && fast=1
	rs0=$(rs_count)
	[ $fast = 0 ] || fast0=$(fast_requests)
	if ! pg_run "$case" "$flows" "$COUNT"; then
		fail "pktgen-$lb-$case-$flows-$r" "pktgen failed"
		return 1
	fi
	[ $fast = 0 ] || fast1=$(fast_requests)
	rs1=$(rs_count)
	pps=$(awk -v n="$PG_SENT" -v u="$PG_USEC" 'BEGIN { printf "%.1f", n * 1e6 / u }')
	bench "pg_pps_${case}_$flows" "$lb" "$r" "$pps"
	bench "pg_lost_${case}_$flows" "$lb" "$r" $((PG_SENT - (rs1 - rs0)))
	if [ -n "$svc" ]; then
		lb1=$(settled 10 ">=$((lb0 + PG_SENT))" lb_inpkts "$svc")
		bench "pg_lbmiss_${case}_$flows" "$lb" "$r" $((PG_SENT - (lb1 - lb0)))
	fi
	if [ $fast = 1 ]; then
		# (an unreadable counter reads as 0: a miss, never a pass)
		fmiss=$((PG_SENT - (${fast1:-0} - ${fast0:-0})))
		bench "pg_fastmiss_${case}_$flows" "$lb" "$r" $fmiss
	fi
	LAST_NS[$lb-$case-$flows]=$(awk -v n="$PG_SENT" -v u="$PG_USEC" 'BEGIN { print u * 1000 / n }')
	log "pktgen $lb $case $flows round $r: sent $PG_SENT in $PG_USEC us ($pps pps, $(awk -v n="$PG_SENT" -v u="$PG_USEC" 'BEGIN { printf "%.0f", u * 1000 / n }') ns/pkt), errors $PG_ERRORS; realservers counted $((rs1 - rs0))${svc:+, balancer InPkts $((lb1 - lb0))}${fmiss:+, fast path $((PG_SENT - fmiss))}"
}

# --- balancers -------------------------------------------------------------------
# pg_load ipvs|xvs|xvsfast (IPVS: only the rr scheduler; lib.sh's lb_load
# loads every scheduler; xvsfast: xvs, net.xvs.fast_path=1 in the director)
pg_load() {
	case $1 in
	ipvs)
		_unblock_ip_vs
		modprobe ip_vs_rr || { echo "modprobe ip_vs_rr failed"; return 1; }
		lb_check ipvs
		;;
	xvs) lb_load xvs ;;
	xvsfast)
		lb_load xvs || return 1
		in_ns director sh -c 'echo 1 > /proc/sys/net/xvs/fast_path' ||
			{ echo "net.xvs.fast_path=1 failed in the director"; return 1; }
		;;
	*) echo "pg_load: unknown balancer $1"; return 1 ;;
	esac
}

# (a service holds its scheduler's module: none may be left)
pg_unload() {
	lvs -C
	lb_unload || log "could not unload $1: $(lsmod | grep -e ip_vs -e xvs | tr '\n' ' ')"
}

# svc LB MODE FAMILY VIP: a UDP service VIP:PORT, rr over both realservers
svc() {
	local fwd=-m addr n
	case $2 in dr) fwd=-g ;; tun) fwd=-i ;; esac
	addr=$4:$PORT
	[ "$3" = 6 ] && addr="[$4]:$PORT"
	lvs -A -u "$addr" -s rr || return 1
	for n in $RS; do
		if [ "$3" = 6 ]; then
			lvs -a -u "$addr" -r "[$(rip6 $n)]:$PORT" $fwd || return 1
		else
			lvs -a -u "$addr" -r "$(rip $n):$PORT" $fwd || return 1
		fi
	done
	echo "$addr"
}

# session LB ROUND: every case of one balancer, each mode and family on a
# freshly loaded module (no entries of another case in its table)
session() {
	local lb=$1 r=$2 fam mode addr out flows
	for fam in 4 6; do
		for mode in nat dr tun; do
			if ! out=$(pg_load "$lb" 2>&1); then
				fail "pktgen-load-$lb-$r" "$out"
				return 1
			fi
			if addr=$(svc "$lb" $mode $fam "$([ $fam = 4 ] && echo $VIP || echo $VIP6)"); then
				for flows in 1 10k; do
					measure "$lb" "$r" "$mode$fam" $flows "$addr"
				done
			else
				fail "pktgen-svc-$lb-$mode$fam-$r" "ipvsadm failed"
			fi
			pg_unload $lb
		done
	done
	# idle: loaded, one service on another VIP, the routed packets
	if ! out=$(pg_load "$lb" 2>&1); then
		fail "pktgen-load-$lb-$r" "$out"
		return 1
	fi
	if svc "$lb" nat 4 $VIP_IDLE >/dev/null && svc "$lb" nat 6 $VIP6_IDLE >/dev/null; then
		for fam in 4 6; do
			for flows in 1 10k; do measure "$lb" "$r" idle$fam $flows; done
		done
	else
		fail "pktgen-svc-$lb-idle-$r" "ipvsadm failed"
	fi
	pg_unload $lb
}

baseline() { # ROUND
	local fam flows
	for fam in 4 6; do
		for flows in 1 10k; do measure base "$1" route$fam $flows; done
	done
}

# --- profile ---------------------------------------------------------------------
# perf's cpu-clock (the only event under TCG) over one measured run of
# NAT IPv4 10k flows (routed IPv4 for base); each symbol's share of the
# samples times the run's ns per packet is its ns per packet.
profile() { # LB
	local lb=$1 case=nat4 addr="" out ns
	if [ "$lb" = base ]; then
		case=route4
	else
		if ! out=$(pg_load "$lb" 2>&1); then
			fail "pktgen-profile-load-$lb" "$out"
			return 1
		fi
		addr=$(svc "$lb" nat 4 $VIP) || { fail "pktgen-profile-svc-$lb" "ipvsadm failed"; pg_unload "$lb"; return 1; }
	fi
	pg_run $case 10k 10100 || { fail "pktgen-profile-$lb" "warm-up failed"; [ "$lb" = base ] || pg_unload "$lb"; return 1; }
	echo 0 > /proc/sys/kernel/perf_cpu_time_max_percent
	echo 100000 > /proc/sys/kernel/perf_event_max_sample_rate
	pg_conf $case 10k "$PCOUNT"
	# module symbols: perf in the guest names their module [kernel.kallsyms]
	awk '$4 ~ /^\[/ { print $3, $4 }' /proc/kallsyms > $W/modsyms
	perf record -q -e cpu-clock -F 20000 -a -o $W/perf.data -- \
		ip netns exec director bash $W/fire.sh $W/pg.conf >$W/pg.out 2>$W/perf.err ||
		log "perf $lb: $(tail -c 300 $W/perf.err)"
	if pg_parse; then
		# each symbol's ns: its share of the samples times the ns per
		# packet of the last measurement without perf (sampling slows
		# this run; the samples' shares are what it shows)
		ns=${LAST_NS[$lb-$case-10k]:-$(awk -v u="$PG_USEC" -v n="$PG_SENT" 'BEGIN { print u * 1000 / n }')}
		log "perf $lb $case 10k: sent $PG_SENT in $PG_USEC us with perf; shares times $ns ns/packet"
		# (the packets' whole path runs in pktgen's thread, softirqs
		# included; the samples of the other tasks are the run's set-up
		# and the idle vCPU after it)
		perf report -i $W/perf.data --stdio --no-children --sort comm 2>/dev/null |
			grep -v -e '^#' -e '^$' | head -5 | sed "s/^/# perf $lb: /"
		perf report -i $W/perf.data --stdio --no-children --comms kpktgend_0 \
			--percentage relative --sort dso,sym 2>/dev/null |
			awk -v ns="$ns" -v map=$W/modsyms \
				'BEGIN { while ((getline l < map) > 0) { split(l, a, " "); mod[a[1]] = a[2] } }
				$1 ~ /%$/ && $3 ~ /^\[[.kug]\]$/ { p = $1; sub(/%$/, "", p)
					dso = $2; sym = $4; for (i = 5; i <= NF; i++) sym = sym " " $i
					if (sym in mod) dso = mod[sym]
					printf "%6.2f%% %7.1f %s %s\n", p, p * ns / 100, dso, sym }' > $W/prof.txt
		head -150 $W/prof.txt | sed "s/^/XVS-PROFILE $lb pktgen_$case /"
		# every sample's module
		awk '{ s[$3] += $1; n[$3] += $2 } END { for (d in s) printf "%6.2f%% %7.1f %s\n", s[d], n[d], d }' \
			$W/prof.txt | sort -rn | sed "s/^/XVS-PROFILE $lb pktgen_${case}_modules /"
	else
		log "perf $lb: no pktgen result"
		quote < $W/pg.out
	fi
	rm -f $W/perf.data
	[ "$lb" = base ] || pg_unload "$lb"
}

# --- the run -----------------------------------------------------------------------
log "pktgen bench: rounds $ROUNDS, $COUNT packets per measurement"
bench info pg_vm 0 "cpus=$(nproc) mem_mb=$(awk '/MemTotal/ { print int($2 / 1024) }' /proc/meminfo) kernel=$(uname -r)"
bench info pg_count 0 "$COUNT"
if ! out=$(net_up 2>&1); then
	fail pktgen-net-up "$out"
	finish
fi
pass pktgen-net-up
for r in $(seq "$ROUNDS"); do
	if [ $((r % 2)) = 1 ]; then order="ipvs xvs xvsfast base"; else order="xvsfast base ipvs xvs"; fi
	for lb in $order; do
		log "pktgen round $r: $lb"
		if [ $lb = base ]; then baseline "$r"; else session "$lb" "$r"; fi
	done
done
if [ "$PROFILE" = 1 ]; then
	if command -v perf >/dev/null; then
		for lb in base ipvs xvs xvsfast; do profile $lb; done
	else
		log "pktgen profile: no perf in the image"
	fi
fi
pass pktgen-ran
lab_teardown br-lan
finish
