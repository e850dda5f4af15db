#!/bin/bash
# The VM side of `make bench` (scripts/bench.sh stages it as a scenario next
# to tests/qemu/lib.sh and boots it once).  In one VM it measures the
# kernel's IPVS ("ipvs"), xvs ("xvs") and, for traffic, the same topology
# routed without a balancer ("base"), alternating the balancers round by
# round (load one, measure, unload, load the other), so that both see the
# same host noise.  It asserts nothing about speed: every figure goes to the
# console as
#   XVS-BENCH METRIC LB ROUND VALUE
# for scripts/bench.sh to collect; `pass`/`fail` only say whether a phase
# could run at all.
#
# Arguments (all optional, from scripts/bench.sh):
#   ROUNDS SECS CONNS SERVICES PHASES LATRATE CPROUNDS FILL DUMPCAP
#   PHASES: words joined by '+': traffic, scale, control, dump, profile
#   DUMPCAP: seconds a connection listing may take (dump phase)
#   FILL: how the scale test makes its entries: udp (one datagram each)
#   or tcp (a SYN and its ACK: ESTABLISHED); a SYN alone would leave the
#   entry in SYN_RECV, whose timeout is a fixed 60 s: shorter than a
#   million-entry fill takes under TCG)
# xvs-timeout: 3000
. "$(dirname "$0")/lib.sh"

ROUNDS=${1:-3}
SECS=${2:-4}
CONNS=${3:-1000000}
NSVC=${4:-1000}
PHASES=${5:-traffic+scale+control}
LATRATE=${6:-50}
CPROUNDS=${7:-1}
FILL=${8:-udp}
DUMPCAP=${9:-600}

VIP=81.57.54.100
RS="1 2"
CLIENT_SRC=81.57.54.201	# the client's extra source addresses start here
NSRC=8
TCP_PORT=80
UDP_PORT=5000
SCALE_PORT=9
BLACKHOLE=192.168.0.200	# the scale phase's realserver: frames to it die on the bridge
W=/tmp/bench

bench() { echo "XVS-BENCH $*"; }
now_ms() { awk '{ printf "%d\n", $1 * 1000 }' /proc/uptime; }
# kv KEY LINE: the value of KEY=VALUE in LINE
kv() { tr ' ' '\n' <<<"$2" | sed -n "s/^$1=//p"; }
has_phase() { case "+$PHASES+" in *"+$1+"*) return 0 ;; esac; return 1; }

# --- topology ------------------------------------------------------------
#   client 81.57.54.254 (+ .201-.208) --veth-- director eth0 81.57.54.1,
#   VIP 81.57.54.100; director eth1 192.168.0.254 -- br-lan -- rs1, rs2
#   (192.168.0.N, VIP on lo for DR, default route via the director).
# DR replies come back through the director (it is the realservers'
# router), which routes them like the baseline's traffic; the balancer only
# sees the client's direction.
net_up() {
	local n
	mkdir -p $W
	ip link add br-lan type bridge || return 1
	ip link set br-lan up
	for n in client director rs1 rs2; do
		ip netns add $n || return 1
		in_ns $n ip link set lo up
	done
	ip link add ext-c type veth peer name ext-d || return 1
	ip link set ext-c netns client name eth0
	ip link set ext-d netns director name eth0
	in_ns client ip addr add 81.57.54.254/24 dev eth0
	for n in $(seq 0 $((NSRC - 1))); do
		in_ns client ip addr add 81.57.54.$((201 + n))/24 dev eth0
	done
	in_ns client ip link set eth0 up
	in_ns client ip route add default via 81.57.54.1
	in_ns client sh -c 'echo 1024 65000 > /proc/sys/net/ipv4/ip_local_port_range'
	in_ns director ip addr add 81.57.54.1/24 dev eth0
	in_ns director ip addr add $VIP/32 dev eth0
	in_ns director ip link set eth0 up
	ip link add lan-d type veth peer name lan-d-br || return 1
	ip link set lan-d netns director name eth1
	ip link set lan-d-br master br-lan up
	in_ns director ip addr add 192.168.0.254/24 dev eth1
	in_ns director ip link set eth1 up
	# the realservers' DR replies come from the VIP, one of the director's
	# own addresses: accept_local lets them through to be routed
	in_ns director sh -c '
		echo 1 > /proc/sys/net/ipv4/ip_forward
		for i in all default eth0 eth1; do
			echo 0 > /proc/sys/net/ipv4/conf/$i/send_redirects
			echo 0 > /proc/sys/net/ipv4/conf/$i/rp_filter
		done
		echo 1 > /proc/sys/net/ipv4/conf/eth1/accept_local' || return 1
	in_ns director ip route add default via 81.57.54.254
	# the scale phase's realserver: a static neighbour with the director's
	# own MAC, so the bridge drops its frames (they would go out of the
	# port they came in by) and the scale test loads only the director
	in_ns director ip neigh replace $BLACKHOLE nud permanent dev eth1 \
		lladdr "$(in_ns director cat /sys/class/net/eth1/address)" || return 1
	for n in $RS; do
		ip link add lan-$n type veth peer name lan-$n-br || return 1
		ip link set lan-$n netns rs$n name eth0
		ip link set lan-$n-br master br-lan up
		in_ns rs$n sh -c '
			echo 1 > /proc/sys/net/ipv4/conf/all/arp_ignore
			echo 2 > /proc/sys/net/ipv4/conf/all/arp_announce' || return 1
		in_ns rs$n ip addr add 192.168.0.$n/24 dev eth0
		in_ns rs$n ip addr add $VIP/32 dev lo
		in_ns rs$n ip link set eth0 up
		in_ns rs$n ip route add default via 192.168.0.254
		ip netns exec rs$n xvs-load server $TCP_PORT </dev/null >/dev/null 2>&1 &
		LAB_PIDS+=($!)
	done
	for n in $RS; do
		lab_wait_port rs$n $TCP_PORT || { echo "server on rs$n did not start"; return 1; }
		in_ns client ping -c 1 -W 2 192.168.0.$n >/dev/null ||
			{ echo "client cannot reach 192.168.0.$n"; return 1; }
	done
	return 0
}

# --- balancer configurations ----------------------------------------------
# svc_setup nat|dr: a TCP and a UDP service on the VIP, rr over rs1 and rs2
svc_setup() {
	local fwd=-m n
	[ "$1" = dr ] && fwd=-g
	lvs -C &&
	lvs -A -t $VIP:$TCP_PORT -s rr &&
	lvs -A -u $VIP:$UDP_PORT -s rr || return 1
	for n in $RS; do
		lvs -a -t $VIP:$TCP_PORT -r 192.168.0.$n:$TCP_PORT $fwd &&
		lvs -a -u $VIP:$UDP_PORT -r 192.168.0.$n:$UDP_PORT $fwd || return 1
	done
}

# destinations of a traffic test: the VIP, or the realservers themselves
# for the routed baseline
dests() { [ "$1" = base ] && echo 192.168.0.1,192.168.0.2 || echo $VIP; }

# --- traffic measurements ---------------------------------------------------
# crr LB MODE ROUND: short TCP connections per second
m_crr() {
	local out
	out=$(in_ns client xvs-load crr -d "$(dests "$1"):$TCP_PORT" -w 8 \
		-s $CLIENT_SRC -n $NSRC -t "$SECS" 2>&1)
	log "crr $1 $2: $out"
	bench "crr_$2" "$1" "$3" "$(kv rate "$out")"
	[ "$(kv errors "$out")" = 0 ] || log "crr $1 $2: $(kv errors "$out") failed connections"
}

# udp LB MODE ROUND: small datagrams delivered per second (counted by the
# realservers)
m_udp() {
	local out n total=0 secs sinks=()
	for n in $RS; do
		ip netns exec rs$n xvs-load udpsink $UDP_PORT -t $((SECS + 60)) \
			</dev/null >$W/sink.$n 2>&1 &
		sinks+=($!)
	done
	for n in $RS; do
		for _ in $(seq 50); do grep -q ready $W/sink.$n && break; sleep 0.1; done
	done
	out=$(in_ns client xvs-load udp -d "$(dests "$1"):$UDP_PORT" -w 4 \
		-s $CLIENT_SRC -n 4 -t "$SECS" -l 64 2>&1)
	wait "${sinks[@]}"
	secs=$(kv secs "$out")
	for n in $RS; do
		total=$((total + $(sed -n 's/^recv=//p' $W/sink.$n)))
	done
	log "udp $1 $2: sender $out; delivered $total"
	bench "udp_$2" "$1" "$3" "$(awk -v t="$total" -v s="${secs:-1}" 'BEGIN { printf "%.1f", t / s }')"
}

m_bulk() {
	local out
	out=$(in_ns client xvs-load bulk -d "$(dests "$1" | cut -d, -f1):$TCP_PORT" \
		-s $CLIENT_SRC -t "$SECS" 2>&1)
	log "bulk $1 $2: $out"
	bench "bulk_$2" "$1" "$3" "$(kv mbps "$out")"
}

# connect latency at a fixed offered rate (well below the crr capacity)
m_lat() {
	local out
	out=$(in_ns client xvs-load crr -d "$(dests "$1"):$TCP_PORT" -w 4 \
		-s $CLIENT_SRC -n $NSRC -t "$SECS" -r "$LATRATE" 2>&1)
	log "latency $1 $2 at $LATRATE/s: $out"
	bench "lat_p50_$2" "$1" "$3" "$(kv p50_us "$out")"
	bench "lat_p99_$2" "$1" "$3" "$(kv p99_us "$out")"
}

traffic() { # LB ROUND
	local lb=$1 r=$2 out
	if [ "$lb" = base ]; then
		# plain routing is the same for both modes: one measurement each
		m_crr base route "$r"
		m_udp base route "$r"
		m_bulk base route "$r"
		m_lat base route "$r"
		return 0
	fi
	if ! out=$(lb_load "$lb" 2>&1); then
		fail "load-$lb-$r" "$out"
		return 1
	fi
	if svc_setup nat; then
		m_crr "$lb" nat "$r"
		m_udp "$lb" nat "$r"
		m_bulk "$lb" nat "$r"
		m_lat "$lb" nat "$r"
	else
		fail "nat-setup-$lb-$r" "ipvsadm failed"
	fi
	if svc_setup dr; then
		m_crr "$lb" dr "$r"
		m_udp "$lb" dr "$r"
	else
		fail "dr-setup-$lb-$r" "ipvsadm failed"
	fi
	lvs -C
	lb_unload || log "could not unload $lb"
}

# --- connection table scale ----------------------------------------------------
conn_cache() { [ "$1" = xvs ] && echo xvs_conn || echo ip_vs_conn; }

# the scale service's protocol option, and the fill's
scale_proto() { [ "$FILL" = tcp ] && echo -t || echo -u; }
fill_opt() { [ "$FILL" = tcp ] && echo -a || echo -u; }
# timeouts (ipvsadm --set TCP TCPFIN UDP; 0 keeps one) for the fill's kind
set_fill_timeout() {
	if [ "$FILL" = tcp ]; then lvs --set "$1" 0 0; else lvs --set 0 0 "$1"; fi
}

# entries of the scale service (InActConn + ActiveConn)
scale_entries() {
	lvs -L -n "$(scale_proto)" $VIP:$SCALE_PORT 2>/dev/null |
		awk '$1 == "->" { n += $5 + $6 } END { print n + 0 }'
}

# slab CACHE: "objsize total_bytes active_objs" of a slab cache
slab() {
	[ -w "/sys/kernel/slab/$1/shrink" ] && echo 1 > "/sys/kernel/slab/$1/shrink"
	awk -v c="$1" '$1 == c { printf "%d %d %d\n", $4, $15 * $6 * 4096, $2; f = 1 }
		END { if (!f) print "0 0 0" }' /proc/slabinfo
}

# wait_entries MAX SECS: until at most MAX entries are left
wait_entries() {
	local end=$((SECONDS + $2))
	while [ "$(scale_entries)" -gt "$1" ]; do
		[ $SECONDS -ge $end ] && return 1
		sleep 1
	done
}

scale() { # LB
	local lb=$1 out t0 t1 fill_ms n s0 s1 timeout small=1000 drained
	if ! out=$(lb_load "$lb" 2>&1); then
		fail "scale-load-$lb" "$out"
		return 1
	fi
	svc_setup nat || { fail "scale-setup-$lb" "ipvsadm failed"; lb_unload; return 1; }
	lvs -A "$(scale_proto)" $VIP:$SCALE_PORT -s rr &&
		lvs -a "$(scale_proto)" $VIP:$SCALE_PORT -r $BLACKHOLE:$SCALE_PORT -m ||
		{ fail "scale-setup-$lb" "ipvsadm failed"; lb_unload; return 1; }
	s0=$(slab "$(conn_cache "$lb")")
	# 1,000 entries first: their fill rate sets the timeout of the big fill
	# (each entry must outlive the whole fill and the measurements)
	# (these and the probe's expire before the big fill's entries are
	# due, so that the drain below is the big fill's alone)
	set_fill_timeout 30
	out=$(in_ns client xvs-load syn -w 2 "$(fill_opt)" -d $VIP:$SCALE_PORT -b 10.200.0.1 -c $small 2>&1)
	n=$(settled 10 ">=$small" scale_entries)
	log "scale $lb: $small entries ($FILL): $out; entries $n"
	m_udp "$lb" 1k 1
	scale_profile "$lb" 1k
	out=$(in_ns client xvs-load syn -w 2 "$(fill_opt)" -d $VIP:$SCALE_PORT -b 10.201.0.1 -c 20000 2>&1)
	# (a fuller table fills more slowly: 1.6 times the probe's estimate,
	# and a minute for the measurements at the full table.  Not more: a
	# timer more than 131 s ahead (32,768 jiffies at HZ=250) sits on a
	# level of the kernel's timer wheel that fires in 16 s steps, so the
	# drain would measure the wheel; below it the steps are 2 s.)
	timeout=$(awk -v p="$(kv pps "$out")" -v c="$CONNS" \
		'BEGIN { if (p < 100) p = 100; printf "%d", c / p * 1.6 + 60 }')
	log "scale $lb: probe $out -> tcp timeout $timeout s for the fill"
	set_fill_timeout "$timeout"
	t0=$(now_ms)
	out=$(in_ns client xvs-load syn -w 2 "$(fill_opt)" -d $VIP:$SCALE_PORT -b 10.0.0.1 -c "$CONNS" 2>&1)
	t1=$(now_ms)
	fill_ms=$((t1 - t0))
	n=$(settled 20 ">=$CONNS" scale_entries)
	log "scale $lb: fill $out in $fill_ms ms; entries $n"
	bench scale_entries "$lb" 1 "$n"
	bench scale_fill_rate "$lb" 1 "$(awk -v c="$CONNS" -v t="$fill_ms" 'BEGIN { printf "%.1f", c * 1000 / (t ? t : 1) }')"
	s1=$(slab "$(conn_cache "$lb")")
	log "scale $lb: slab $(conn_cache "$lb") before: $s0; at $n entries: $s1 (objsize bytes objects)"
	set -- $s1
	bench mem_objsize "$lb" 1 "$1"
	bench mem_per_conn "$lb" 1 "$(awk -v b="$2" -v n="$n" 'BEGIN { printf "%.1f", n ? b / n : 0 }')"
	bench mem_total_mb "$lb" 1 "$(awk -v b="$2" 'BEGIN { printf "%.1f", b / 1048576 }')"
	free | quote
	m_udp "$lb" 1m 1
	scale_profile "$lb" 1m
	# the big fill's entries expire $timeout s after their SYN; the drain
	# time counts from when the last one is due
	local due=$((t1 + timeout * 1000)) wait_s late
	wait_s=$(((due - $(now_ms)) / 1000 + CONNS / 2000 + 300))
	# (the measurements above must end before the last entries are due,
	# else the table may have emptied unwatched)
	late=$(($(now_ms) > due - 5000))
	if wait_entries 0 "$wait_s"; then
		drained=$(now_ms)
		if [ $late = 1 ]; then
			log "scale $lb: the measurements at the full table ran into the expiry: no drain time"
		else
			bench expire_lag_s "$lb" 1 "$(awk -v a="$drained" -v b="$due" 'BEGIN { printf "%.1f", (a - b) / 1000 }')"
		fi
		log "scale $lb: table empty $(((drained - t1) / 1000)) s after the fill (timeout $timeout s)"
	else
		log "scale $lb: $(scale_entries) entries left after ${wait_s}s"
		fail "scale-expire-$lb" "$(scale_entries) entries left after ${wait_s}s"
	fi
	lvs -C
	lb_unload || log "could not unload $lb"
}

# --- connection listings -------------------------------------------------------
# /proc/net/ip_vs_conn (what stock ipvsadm -L -c reads) and both tools'
# -L -c, at a tenth of CONNS entries and at CONNS.  The kernel's IPVS walks
# its table from the first bucket again for every read() of the file (a
# page of lines each: quadratic in the entries; upstream fixed it in 2024),
# so every listing runs under a cap of DUMPCAP s: one that does not finish
# is reported as such (its figure is the cap, flagged) and the slower
# listings of that balancer are not tried at the larger size.

# listing NAME LB SIZE CMD...: runs CMD under the cap; reports its ms and
# the lines it printed as NAME_SIZE (SIZE: small or full); returns 1 when
# it hit the cap or failed
listing() {
	local name=$1_$3 lb=$2 t0 t1 rc lines
	shift 3
	t0=$(now_ms)
	lines=$({ timeout "$DUMPCAP" "$@" 2>$W/listing.err; echo $? > $W/listing.rc; } | wc -l)
	t1=$(now_ms)
	rc=$(cat $W/listing.rc)
	# (coreutils' timeout exits 124, busybox's with the signal's status)
	if [ "$rc" = 124 ] || [ "$rc" = 143 ]; then
		log "$name $lb: not finished in $DUMPCAP s ($lines lines read)"
		bench "${name}_capped" "$lb" 1 $((DUMPCAP * 1000))
		return 1
	elif [ "$rc" != 0 ]; then
		log "$name $lb: rc $rc: $(head -c 300 $W/listing.err)"
		fail "$name-$lb" "rc $rc"
		return 1
	fi
	log "$name $lb: $((t1 - t0)) ms, $lines lines"
	bench "$name" "$lb" 1 $((t1 - t0))
	bench "${name}_lines" "$lb" 1 "$lines"
}

# list_all LB SIZE: the three listings (SIZE: small or full; proc first:
# the tools read the same file, so a capped read stops them too).  (ip by
# its path: busybox's timeout would run its own ip applet, which has no
# netns.)
list_all() {
	local lb=$1 size=$2
	listing conn_proc "$lb" "$size" /usr/sbin/ip netns exec director cat /proc/net/ip_vs_conn || return 1
	listing conn_ipvsadm "$lb" "$size" /usr/sbin/ip netns exec director ipvsadm -L -c -n || return 1
	listing conn_xvsadm "$lb" "$size" /usr/sbin/ip netns exec director xvsadm -L -c -n
}

conn_dump() { # LB
	local lb=$1 out n small=$((CONNS / 10)) ok=1
	if ! out=$(lb_load "$lb" 2>&1); then
		fail "dump-load-$lb" "$out"
		return 1
	fi
	svc_setup nat && lvs -A "$(scale_proto)" $VIP:$SCALE_PORT -s rr &&
		lvs -a "$(scale_proto)" $VIP:$SCALE_PORT -r $BLACKHOLE:$SCALE_PORT -m ||
		{ fail "dump-setup-$lb" "ipvsadm failed"; lb_unload; return 1; }
	# the entries outlive the fills and every listing (module unload
	# removes them afterwards): 100 entries/s at worst, caps at most
	set_fill_timeout $((CONNS / 100 + 6 * DUMPCAP + 300))
	out=$(in_ns client xvs-load syn -w 2 "$(fill_opt)" -d $VIP:$SCALE_PORT -b 10.0.0.1 -c "$small" 2>&1)
	n=$(settled 20 ">=$small" scale_entries)
	log "dump $lb: $out; entries $n"
	bench dump_entries_small "$lb" 1 "$n"
	list_all "$lb" small || ok=0
	out=$(in_ns client xvs-load syn -w 2 "$(fill_opt)" -d $VIP:$SCALE_PORT -b 10.100.0.1 -c $((CONNS - small)) 2>&1)
	n=$(settled 30 ">=$CONNS" scale_entries)
	log "dump $lb: $out; entries $n"
	bench dump_entries_full "$lb" 1 "$n"
	if [ $ok = 1 ]; then
		list_all "$lb" full
	else
		log "dump $lb: listings at $CONNS entries not tried (capped at $small)"
	fi
	lvs -C
	for _ in $(seq 30); do lb_unload && return 0; sleep 2; done
	log "could not unload $lb: $(lsmod | grep -e ip_vs -e xvs | tr '\n' ' ')"
}

# --- control plane -----------------------------------------------------------
cp_table() {
	scale_rules "$NSVC" > $W/table.rules
	# one service changed among them: its scheduler and one weight
	sed -e 's/^-A -t 10.100.0.7:80 -s rr$/-A -t 10.100.0.7:80 -s wrr/' \
		-e 's/^\(-a -t 10.100.0.7:80 -r .* -m -w\) 4$/\1 9/' \
		$W/table.rules > $W/changed.rules
}

# timed NAME LB ROUND CMD...: runs CMD (output discarded), reports its ms
timed() {
	local name=$1 lb=$2 r=$3 t0 t1 rc
	shift 3
	t0=$(now_ms)
	"$@" > /dev/null 2>$W/timed.err
	rc=$?
	t1=$(now_ms)
	if [ $rc = 0 ]; then
		bench "$name" "$lb" "$r" $((t1 - t0))
	else
		log "$name on $lb failed (rc $rc): $(head -c 300 $W/timed.err)"
		fail "$name-$lb-$r" "rc $rc"
	fi
}

reload() { ipvsadm -C && ipvsadm -R < "$1"; }

control() { # LB ROUND
	local lb=$1 r=$2 out
	if ! out=$(lb_load "$lb" 2>&1); then
		fail "cp-load-$lb-$r" "$out"
		return 1
	fi
	ipvsadm -C
	timed cp_restore "$lb" "$r" sh -c "ipvsadm -R < $W/table.rules"
	[ "$(ipvsadm -S -n | grep -c '^-A')" = "$NSVC" ] || fail "cp-restore-$lb-$r" "not $NSVC services"
	timed cp_list "$lb" "$r" ipvsadm -L -n
	timed cp_list_xvsadm "$lb" "$r" xvsadm -L -n
	# the same without the one-request dump (xvs.ko's XVS_CMD_GET_ALL)
	timed cp_list_xvsadm_per_service "$lb" "$r" \
		env XVS_LIST_PER_SERVICE=1 xvsadm -L -n
	# the stock way to apply a changed file: flush and restore it
	timed cp_change_reload "$lb" "$r" reload $W/changed.rules
	ipvsadm -C
	timed cp_apply "$lb" "$r" xvsadm apply $W/table.rules
	[ "$(ipvsadm -S -n | grep -c '^-A')" = "$NSVC" ] || fail "cp-apply-$lb-$r" "not $NSVC services"
	timed cp_change_apply "$lb" "$r" xvsadm apply $W/changed.rules
	ipvsadm -S -n | grep -q '^-A -t 10.100.0.7:80 -s wrr' || fail "cp-change-$lb-$r" "change not applied"
	ipvsadm -C
	lb_unload || log "could not unload $lb"
}

# --- profiles ------------------------------------------------------------------
# Flat profiles of the whole VM (symbol and module; perf's cpu-clock, the
# only event under TCG) while each balancer forwards NAT traffic, while
# xvsadm loads the control-plane table and while ipvsadm lists it: where
# each one's time goes.
# Printed as "XVS-PROFILE LB WHAT LINE" for scripts/bench.sh to collect.
# perf_run LB WHAT CMD...: profiles the VM while CMD runs (perf starts
# CMD once its events are on: nothing of CMD is missed)
perf_run() {
	local lb=$1 what=$2
	shift 2
	# (TCG makes every sample slow: without these the kernel throttles
	# sampling to a few dozen samples per run)
	echo 0 > /proc/sys/kernel/perf_cpu_time_max_percent
	echo 100000 > /proc/sys/kernel/perf_event_max_sample_rate
	perf record -q -e cpu-clock -F 999 -a -o "$W/perf.data" -- "$@" \
		>"$W/perf.out" 2>"$W/perf.err" ||
		log "perf $lb $what: $(tail -c 300 "$W/perf.err")"
	log "perf $lb $what: $(tail -c 200 "$W/perf.out")"
	perf report -i "$W/perf.data" --stdio --no-children --sort sym \
		2>/dev/null | grep -v -e '^#' -e '^$' > "$W/perf.txt"
	head -40 "$W/perf.txt" | sed "s/^/XVS-PROFILE $lb $what /"
	# the balancer's own functions' share of all samples (idle included)
	bench "prof_share_$what" "$lb" 1 "$(awk '$1 ~ /%$/ && $3 ~ /^(xvs_|ip_vs_)/ \
		{ s += $1 } END { printf "%.2f", s }' "$W/perf.txt")"
	rm -f "$W/perf.data" "$W/perf.txt"
}

has_perf() { command -v perf >/dev/null; }

# perf_udp LB WHAT: perf_run over UDP NAT traffic to the realservers' sinks
perf_udp() {
	local n sinks=()
	for n in $RS; do
		ip netns exec rs$n xvs-load udpsink $UDP_PORT -t $((SECS + 60)) \
			</dev/null >$W/sink.$n 2>&1 &
		sinks+=($!)
	done
	sleep 1
	perf_run "$1" "$2" ip netns exec client xvs-load udp \
		-d $VIP:$UDP_PORT -w 4 -s $CLIENT_SRC -n 4 -t "$SECS" -l 64
	wait "${sinks[@]}"
}

# scale_profile LB SIZE: where the UDP NAT packets' time goes with SIZE
# (1k, 1m) entries in the table, when perf is in the image
scale_profile() {
	if has_perf; then perf_udp "$1" "udp_$2"; fi
}

profile() { # LB
	local lb=$1 out
	if ! out=$(lb_load "$lb" 2>&1); then
		fail "profile-load-$lb" "$out"
		return 1
	fi
	ipvsadm -C
	perf_run "$lb" apply xvsadm apply $W/table.rules
	if [ "$(ipvsadm -S -n | grep -c '^-A')" = "$NSVC" ]; then
		perf_run "$lb" list ipvsadm -L -n
	else
		fail "profile-table-$lb" "xvsadm apply failed"
	fi
	ipvsadm -C
	if svc_setup nat; then
		perf_run "$lb" crr_nat ip netns exec client xvs-load crr \
			-d $VIP:$TCP_PORT -w 8 -s $CLIENT_SRC -n $NSRC -t "$SECS"
		perf_udp "$lb" udp_nat
	else
		fail "profile-setup-$lb" "ipvsadm failed"
	fi
	lvs -C
	for _ in $(seq 10); do lb_unload && return 0; sleep 1; done
	log "could not unload $lb: $(lsmod | grep -e ip_vs -e xvs | tr '\n' ' ')"
}

# --- the run ---------------------------------------------------------------------
log "bench: rounds $ROUNDS, ${SECS}s per measurement, $CONNS entries, $NSVC services, phases $PHASES"
bench info services 0 "$NSVC"
bench info conns 0 "$CONNS"
bench info fill 0 "$FILL"
bench info vm 0 "cpus=$(nproc) mem_mb=$(awk '/MemTotal/ { print int($2 / 1024) }' /proc/meminfo) kernel=$(uname -r)"
if ! out=$(net_up 2>&1); then
	fail net-up "$out"
	finish
fi
pass net-up

if has_phase traffic; then
	for r in $(seq "$ROUNDS"); do
		# the order turns each round, so no balancer always goes first
		if [ $((r % 2)) = 1 ]; then order="ipvs xvs base"; else order="xvs base ipvs"; fi
		for lb in $order; do
			log "round $r: $lb"
			traffic "$lb" "$r"
		done
	done
fi
if has_phase control; then
	cp_table
	log "control plane: $(wc -l < $W/table.rules) lines"
	for r in $(seq "$CPROUNDS"); do
		if [ $((r % 2)) = 1 ]; then order="ipvs xvs"; else order="xvs ipvs"; fi
		for lb in $order; do control "$lb" "$r"; done
	done
fi
if has_phase scale; then
	for lb in ipvs xvs; do scale "$lb"; done
fi
if has_phase dump; then
	for lb in ipvs xvs; do conn_dump "$lb"; done
fi
if has_phase profile; then
	if command -v perf >/dev/null; then
		[ -f $W/table.rules ] || cp_table
		for lb in ipvs xvs; do profile "$lb"; done
	else
		log "profile phase: no perf in the image"
	fi
fi
pass bench-ran
lab_teardown br-lan
finish
