#!/bin/bash
# Active-active directors behind ECMP (issue 15, part 3): a router running
# FRR spreads the flows to one VIP over three directors; each director runs
# the balancer, xvsd and FRR, and xvsd announces the VIP to the router
# through its bgpd (ldirectord.cf bgp=) while the virtual services have a
# live real server, withdraws it when none is left or xvsd stops.  The
# directors pick realservers with consistent hashing (mh, sh), so every
# director sends a flow to the same one, and sync their connections to each
# other (each a sync master of its own syncid and a backup of syncid 0, that
# is of all), so the directors that remain continue a dead one's flows.
#
#   router  eth0 in br0 10.0.0.1/24 (the lab LAN) with the realservers
#           rs1-rs3 (namespaces, 10.0.0.21-23, VIP on lo: DR) on br0;
#           cbr 192.168.100.1/24 with the clients c1-c6 (namespaces,
#           192.168.100.11-16); FRR zebra + bgpd, AS 65000, ECMP over the
#           directors (maximum-paths), L4 multipath hash
#   d1-d3   eth0 10.0.0.11-13, VIP 10.99.0.100 on lo, FRR AS 65001
#           (neighbour 10.0.0.1, timers 1 3), xvsd with bgp=65001; sync
#           daemons master (syncid N) + backup (syncid 0) on eth0
#
# VIP:80 (mh) and VIP:81 (sh) are HTTP pages naming the realserver over DR,
# VIP:82 (mh) the same over TUN (IPIP to the realservers' tunl0), VIP:9000
# a server that names the realserver and then echoes each line (long-lived
# connections, DR).  With real traffic from the clients:
#  (1) the router has three BGP paths to the VIP; flows spread over all
#      three directors;
#  (2) the same flows pinned to each director in turn (a policy route on
#      the router) reach the same realservers: mh and sh agree across
#      directors, over DR and over TUN;
#  (3) a realserver down keeps the VIP announced; all of them down withdraws
#      it on every director (the route goes), back up announces it again;
#  (4) 24 long-lived connections, synced to every director; d3's link goes
#      down: the time until the router drops d3's path (hold time 3 s), the
#      probes lost meanwhile, the connections alive after; d3 back: the time
#      until its path returns, the connections alive; d1's xvsd stops: the
#      route loses d1 at once, the connections stay alive;
#  (5) a bad bgp= line is refused with FILE:LINE.
# Resilient nexthop groups: FRR 8.4 (Debian 12) installs its ECMP routes as
# plain multipath groups; the lab logs `ip nexthop` (see README.md).
# xvs and, as the reference, the kernel's ip_vs (xvsd drives both).
# Under TCG on the 2-core host (2026-12-07) each variant took about 4.5
# minutes (255-275 s in each VM, 8-12 s of it boot); 42 checks plus four
# clean consoles.
# xvs-timeout: 420
# xvs-vms: 4
# xvs-variant: xvs
# xvs-variant: ipvs
# xvs-reference: ipvs
# xvs-reference-inputs: userspace/lib userspace/xvsd userspace/CMakeLists.txt CMakeLists.txt
# xvs-vm: router debian
# xvs-vm: d1 debian
# xvs-vm: d2 debian
# xvs-vm: d3 debian
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lib-lab.sh"

LB=${1:?usage: ecmp-tier.sh xvs|ipvs}
VIP=10.99.0.100
ROUTER=10.0.0.1
WAIT=180	# seconds a VM waits for another's step
NCONN=24	# long-lived connections
XVSD_PID=

# --- FRR ---------------------------------------------------------------------------

# frr_start BGPD_CONF: zebra and bgpd as root with this bgpd.conf
frr_start() {
	mkdir -p /etc/frr /var/run/frr /var/tmp/frr
	printf 'hostname %s\nlog file %s/zebra.log\n' "$XVS_VM" $LAB > /etc/frr/zebra.conf
	printf '%s\n' "$1" > /etc/frr/bgpd.conf
	# (vtysh authenticates through PAM, which the image has no
	# configuration for; Debian's frr package has /etc/pam.d/frr)
	echo 'username root nopassword' > /etc/frr/vtysh.conf
	[ -x /usr/lib/frr/bgpd ] || { echo "FRR is not in the image (install frr on the host)"; return 1; }
	/usr/lib/frr/zebra -d -u root -g root -f /etc/frr/zebra.conf -i /var/run/frr/zebra.pid &&
		/usr/lib/frr/bgpd -d -u root -g root -f /etc/frr/bgpd.conf -i /var/run/frr/bgpd.pid ||
		return 1
	wait_for 30 vtysh -c 'show bgp summary' >/dev/null 2>&1
}

frr_logs() {
	log "$XVS_VM: vtysh show bgp summary"
	vtysh -c 'show bgp summary' 2>&1 | quote
	[ -f $LAB/bgpd.log ] && tail -n 15 $LAB/bgpd.log | quote
}

# --- the router --------------------------------------------------------------------

ROUTER_BGPD="hostname router
log file $LAB/bgpd.log
router bgp 65000
 bgp router-id $ROUTER
 no bgp ebgp-requires-policy
 timers bgp 1 3
 neighbor DIRECTORS peer-group
 neighbor DIRECTORS remote-as 65001
 neighbor DIRECTORS advertisement-interval 0
 bgp listen range 10.0.0.0/24 peer-group DIRECTORS
 address-family ipv4 unicast
  maximum-paths 8
 exit-address-family"

# paths: the directors the router's kernel route to the VIP goes through
# (one awk: the watcher below runs it ten times a second on a TCG VM)
paths() {
	ip route show $VIP 2>/dev/null | awk '
		{ for (i = 1; i < NF; i++) if ($i == "via") a[$(i + 1)] = 1 }
		END {
			n = 0
			for (k in a) s[++n] = k
			for (i = 1; i <= n; i++)
				for (j = i + 1; j <= n; j++)
					if (s[j] < s[i]) { t = s[i]; s[i] = s[j]; s[j] = t }
			o = ""
			for (i = 1; i <= n; i++) o = o (i > 1 ? " " : "") s[i]
			print o
		}'
}
paths_are() { [ "$(paths)" = "$1" ]; }
ALL3="10.0.0.11 10.0.0.12 10.0.0.13"

# get NS PORT: one HTTP request from client NS to VIP:PORT; the realserver
# that answered, or ERR
get() {
	local out
	out=$(ip netns exec "$1" sh -c "printf 'GET / HTTP/1.0\r\n\r\n' | timeout 4 nc -w 2 $VIP $2" 2>/dev/null |
		grep -a '^realserver ')
	set -- $out
	[ "${1:-}" = realserver ] && echo "$2" || echo ERR
}

# answers PORT: the realserver of one request from each client c1-c6
answers() {
	local n
	for n in 1 2 3 4 5 6; do printf '%s ' "$(get c$n "$1")"; done | sed 's/ $//'
}

# dstat DIRECTOR FIELD: a field of a director's "stats" flag (1 Conns of
# VIP:80, 2 Conns of VIP:9000, 3 established VIP:9000 entries, 4 real
# servers of VIP:80)
dstat() { lab_flag "$1" stats 2>/dev/null | awk -v f="$2" '{ print $f }'; }
all_est() {
	local d
	for d in d1 d2 d3; do [ "$(dstat $d 3)" = "$1" ] || return 1; done
}
all_dests() {
	local d
	for d in d1 d2 d3; do [ "$(dstat $d 4)" = "$1" ] || return 1; done
}

# Long-lived connections: conn_open IDX NS opens one to VIP:9000 from NS
# (its greeting names the realserver), conn_say IDX WORD sends a line,
# conn_heard IDX WORD: the line came back.
declare -A CONN_FD=() CONN_RS=()
conn_open() {
	local i=$1 fd
	mkfifo $LAB/conn/in.$i
	ip netns exec "$2" nc $VIP 9000 < $LAB/conn/in.$i > $LAB/conn/out.$i 2>/dev/null &
	exec {fd}> $LAB/conn/in.$i
	CONN_FD[$i]=$fd
	wait_for 10 grep -q '^realserver ' $LAB/conn/out.$i
	CONN_RS[$i]=$(awk '/^realserver / { print $2; exit }' $LAB/conn/out.$i)
}
conn_say() { printf '%s\n' "$2" 2>/dev/null 1>&"${CONN_FD[$1]}"; }
conn_heard() { grep -qx "$2" $LAB/conn/out.$1 2>/dev/null; }
# alive WORD: sends WORD on every connection and counts those that echo it
# within 20 s in all (TCP's retransmissions after a path change included)
all_heard() {
	local i
	for i in $(seq $NCONN); do conn_heard $i "$1" || return 1; done
}
alive() {
	local i n=0
	for i in $(seq $NCONN); do conn_say $i "$1"; done
	wait_for 20 all_heard "$1"
	for i in $(seq $NCONN); do
		if conn_heard $i "$1"; then
			n=$((n + 1))
		else
			log "connection $i (${CONN_RS[$i]:-?}) did not echo $1" >&2
		fi
	done
	echo $n
}

# probe: one request from a random client to VIP:80, "TIME ok|fail"
probe() {
	local t
	t=$(now)
	if [ "$(get c$((RANDOM % 6 + 1)) 80)" != ERR ]; then echo "$t ok"; else echo "$t fail"; fi
}

role_router() {
	local n i t0 t1 tk out a1 a2 a3 before rs tf lost ms
	trap '' PIPE
	mkdir -p $LAB/www $LAB/conn
	# the lab LAN: eth0 and the realservers on one bridge
	if ! {
		ip link add br0 type bridge && ip link set eth0 master br0 && ip link set eth0 up &&
			ip addr add $ROUTER/24 dev br0 && ip link set br0 up &&
			ip link add cbr type bridge && ip addr add 192.168.100.1/24 dev cbr &&
			ip link set cbr up && echo 1 > /proc/sys/net/ipv4/ip_forward &&
			# flows, not client addresses, spread over the directors
			echo 1 > /proc/sys/net/ipv4/fib_multipath_hash_policy
	}; then
		fail lab-up "router interfaces"
		finish
	fi
	# (TUN realservers: tunl0 in each namespace decapsulates)
	modprobe ipip || { fail lab-up "modprobe ipip"; finish; }
	for n in 1 2 3; do
		mkdir -p $LAB/www/rs$n
		echo "realserver rs$n 10.0.0.2$n" > $LAB/www/rs$n/index.html
		printf '#!/bin/sh\necho "realserver rs%s"\nexec cat\n' $n > $LAB/hold-rs$n
		chmod +x $LAB/hold-rs$n
		if ! {
			ip netns add rs$n && ip link add rs$n-br type veth peer name rs$n-eth &&
				ip link set rs$n-eth netns rs$n && ip link set rs$n-br master br0 up &&
				in_ns rs$n ip link set lo up && in_ns rs$n ip link set rs$n-eth name eth0 &&
				in_ns rs$n ip addr add 10.0.0.2$n/24 dev eth0 && in_ns rs$n ip link set eth0 up &&
				in_ns rs$n ip addr add $VIP/32 dev lo &&
				# a DR realserver: the VIP is its own, it never answers ARP for it
				in_ns rs$n sysctl -qw net.ipv4.conf.all.arp_ignore=1 net.ipv4.conf.all.arp_announce=2 &&
				in_ns rs$n ip link set tunl0 up &&
				in_ns rs$n sysctl -qw net.ipv4.conf.tunl0.rp_filter=0 net.ipv4.conf.all.rp_filter=0 &&
				in_ns rs$n ip route add default via $ROUTER
		}; then
			fail lab-up "realserver rs$n"
			finish
		fi
		rs_httpd $n
		ip netns exec rs$n nc -ll -p 9000 -e $LAB/hold-rs$n </dev/null >/dev/null 2>&1 &
	done
	for n in 1 2 3 4 5 6; do
		if ! {
			ip netns add c$n && ip link add c$n-br type veth peer name c$n-eth &&
				ip link set c$n-eth netns c$n && ip link set c$n-br master cbr up &&
				in_ns c$n ip link set lo up && in_ns c$n ip link set c$n-eth name eth0 &&
				in_ns c$n ip addr add 192.168.100.1$n/24 dev eth0 && in_ns c$n ip link set eth0 up &&
				in_ns c$n ip route add default via 192.168.100.1 &&
				# one retransmission of a SYN, after 1 s: a probe sent
				# to a dead director fails instead of reaching a live
				# one by a late retransmission once the router moved
				# its flow
				in_ns c$n sysctl -qw net.ipv4.tcp_syn_retries=1
		}; then
			fail lab-up "client c$n"
			finish
		fi
	done
	for n in 1 2 3; do
		lab_wait_port rs$n 80 && lab_wait_port rs$n 81 && lab_wait_port rs$n 82 &&
			lab_wait_port rs$n 9000 ||
			{ fail lab-up "rs$n's servers did not start"; finish; }
	done
	# (not in $(...): a daemon holding the pipe would hang it)
	if ! frr_start "$ROUTER_BGPD" > $LAB/frr-start.log 2>&1; then
		fail lab-up "FRR: $(tail -n 3 $LAB/frr-start.log | tr '\n' ' ')"
		finish
	fi
	pass lab-up
	lab_signal up

	# --- (1) ECMP over the three directors --------------------------------------
	await d1 ready
	await d2 ready
	await d3 ready
	t0=$(now)
	if wait_for 60 paths_are "$ALL3"; then
		pass ecmp-three-paths
		log "three BGP paths to $VIP $(elapsed "$t0") ms after the last director was ready"
	else
		fail ecmp-three-paths "paths: [$(paths)]"
		frr_logs
	fi
	ip route show $VIP | quote
	# FRR 8.4 installs the route over a nexthop group of its own making, a
	# plain (hash-threshold) multipath one: no "type resilient"
	log "the kernel's nexthop objects (FRR's groups):"
	ip nexthop show 2>&1 | quote
	if ip nexthop show 2>/dev/null | grep -q 'type resilient'; then
		log "FRR made a resilient group"
	else
		log "no resilient group: FRR 8.4 has no configuration for one (README.md)"
	fi

	before="$(dstat d1 1) $(dstat d2 1) $(dstat d3 1)"
	out=
	for i in $(seq 6); do out="$out $(answers 80)"; done
	check_eq ecmp-every-request-answered "" "$(grep -o ERR <<<"$out")"
	after="$(dstat d1 1) $(dstat d2 1) $(dstat d3 1)"
	settled_all() {
		after="$(dstat d1 1) $(dstat d2 1) $(dstat d3 1)"
		[ $(( $(awk '{ print $1 + $2 + $3 }' <<<"$after") - $(awk '{ print $1 + $2 + $3 }' <<<"$before") )) -ge 36 ]
	}
	wait_for 10 settled_all
	log "VIP:80 connections scheduled by d1 d2 d3: before [$before] after 36 requests [$after]"
	spread() {
		local b a k
		for k in 1 2 3; do
			b=$(cut -d' ' -f$k <<<"$before")
			a=$(cut -d' ' -f$k <<<"$after")
			[ "${a:-0}" -gt "${b:-0}" ] || return 1
		done
	}
	check ecmp-all-directors-serve spread

	# --- (2) consistent choice: the same flows through each director -------------
	ip rule add iif cbr lookup 100 pref 100
	for port in 80 81 82; do
		for n in 1 2 3; do
			ip route replace $VIP/32 via 10.0.0.1$n dev br0 table 100
			eval "a$n=\"\$(answers $port)\""
		done
		log "VIP:$port through d1 [$a1] d2 [$a2] d3 [$a3]"
		check_eq consistent-$port-answered "" "$(grep -o ERR <<<"$a1 $a2 $a3")"
		check_eq consistent-$port-d1-d2 "$a1" "$a2"
		check_eq consistent-$port-d1-d3 "$a1" "$a3"
		# (the six clients are not all sent to one realserver, else the
		# agreement says little)
		check consistent-$port-spread [ "$(tr ' ' '\n' <<<"$a1" | sort -u | grep -vc ERR)" -ge 2 ]
	done
	ip rule del iif cbr lookup 100 pref 100
	ip route flush table 100
	# :82 came over IPIP: the realservers' tunl0 received it
	out=0
	for n in 1 2 3; do out=$((out + $(in_ns rs$n cat /sys/class/net/tunl0/statistics/rx_packets))); done
	log "packets the realservers' tunl0 decapsulated: $out"
	check tun-decapsulated [ "$out" -ge 18 ]

	# --- (3) health: one realserver down, then all, then back ------------------
	rs_stop 1
	wait_for 20 all_dests 2
	check_eq withdraw-one-down-dests "2 2 2" "$(dstat d1 4) $(dstat d2 4) $(dstat d3 4)"
	check_eq withdraw-one-down-still-announced "$ALL3" "$(paths)"
	t0=$(now)
	rs_stop 2
	rs_stop 3
	if wait_for 30 paths_are ""; then
		pass withdraw-all-down
		log "every realserver down: the router lost its route to $VIP after $(elapsed "$t0") ms"
	else
		fail withdraw-all-down "paths: [$(paths)]"
	fi
	check_eq withdraw-all-down-unreachable ERR "$(get c1 80)"
	t0=$(now)
	for n in 1 2 3; do rs_httpd $n; done
	if wait_for 40 paths_are "$ALL3"; then
		pass announce-back
		log "realservers back: three paths again after $(elapsed "$t0") ms"
	else
		fail announce-back "paths: [$(paths)]"
	fi
	wait_for 20 all_dests 3

	# --- (4) long-lived connections, a director dies and comes back -------------
	for i in $(seq $NCONN); do
		conn_open $i c$(( (i - 1) % 6 + 1 ))
		conn_say $i hello
	done
	n=0
	wait_for 10 all_heard hello
	for i in $(seq $NCONN); do conn_heard $i hello && n=$((n + 1)); done
	check_eq conn-open $NCONN $n
	log "realservers of the connections: $(for i in $(seq $NCONN); do printf '%s ' "${CONN_RS[$i]}"; done)"
	# every director lists every connection: its own and the synced ones
	if wait_for 30 all_est $NCONN; then
		pass sync-every-director-lists-all
	else
		fail sync-every-director-lists-all "established VIP:9000 entries d1 d2 d3: $(dstat d1 3) $(dstat d2 3) $(dstat d3 3)"
	fi
	out="$(dstat d1 2) $(dstat d2 2) $(dstat d3 2)"
	log "connections scheduled by d1 d2 d3: $out"
	check conn-d3-has-some [ "$(cut -d' ' -f3 <<<"$out")" -gt 0 ]

	# probes (new requests from random clients, four a second) and the
	# route's paths, timed, while d3's link goes down
	(while :; do probe >> $LAB/probes & sleep 0.25; done) &
	local prober=$!
	(last=x; while :; do
		p=$(paths)
		[ "$p" = "$last" ] || printf '%s [%s]\n' "$(now)" "$p" >> $LAB/paths.log
		last=$p
		sleep 0.1
	done) &
	local watcher=$!
	# a connection that keeps talking: one line a second on each
	(while :; do for i in $(seq $NCONN); do conn_say $i tick; done; sleep 1; done) &
	local ticker=$!
	t0=$(now)
	lab_signal kill
	await d3 killed
	# (d3 says so after its link went down: the flag's own delay makes
	# the time from here a lower bound, from the signal an upper one)
	tk=$(now)
	if wait_for 30 paths_are "10.0.0.11 10.0.0.12"; then
		t1=$(now)
		pass kill-d3-path-gone
	else
		t1=$(now)
		fail kill-d3-path-gone "paths: [$(paths)]"
	fi
	sleep 1
	kill $prober
	wait $prober 2>/dev/null
	sleep 2	# (the last probes end)
	tf=$(awk -v t0="$t0" '$1 >= t0 && $2 == "fail" { print $1; exit }' $LAB/probes)
	lost=$(awk -v t0="$t0" '$1 >= t0 && $2 == "fail"' $LAB/probes | wc -l)
	ms=$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%d", (b - a) * 1000 }')
	log "d3 down: the router dropped its path $ms ms after the kill was signalled, $(awk -v a="$tk" -v b="$t1" 'BEGIN { printf "%d", (b - a) * 1000 }') ms after d3 reported its link down (BGP hold time 3 s)"
	if [ -n "$tf" ]; then
		log "the first probe lost at +$(awk -v a="$t0" -v b="$tf" 'BEGIN { printf "%d", (b - a) * 1000 }') ms; the router sent to the dead director for $(awk -v a="$tf" -v b="$t1" 'BEGIN { printf "%d", (b - a) * 1000 }') ms after it; $lost of $(awk -v t0="$t0" '$1 >= t0' $LAB/probes | wc -l) probes lost"
	else
		log "no probe was lost"
	fi
	log "probes from the signal on (start time, outcome):"
	awk -v a="$t0" '$1 >= a { printf "%+d ms %s\n", ($1 - a) * 1000, $2 }' $LAB/probes | sort -n | tr '\n' ' ' | quote
	# (hold time 3 s; a TCG VM's timers slip, the default 180 s would fail)
	check kill-d3-failover-within-10s [ "$(awk -v a="$tk" -v b="$t1" 'BEGIN { printf "%d", (b - a) * 1000 }')" -le 10000 ]
	# no probe fails once the path is gone
	check_eq kill-d3-no-loss-after-withdrawal 0 \
		"$(awk -v t="$t1" '$1 > t + 0.5 && $2 == "fail"' $LAB/probes | wc -l)"
	n=$(alive after-kill)
	log "long-lived connections alive: $NCONN before, $n after d3 died"
	check_eq kill-d3-connections-alive $NCONN "$n"

	t0=$(now)
	lab_signal revive
	await d3 revived
	if wait_for 60 paths_are "$ALL3"; then
		pass revive-d3-path-back
		log "d3 back: its path returned $(elapsed "$t0") ms after the link came up"
	else
		fail revive-d3-path-back "paths: [$(paths)]"
	fi
	n=$(alive after-revive)
	log "long-lived connections alive after d3 came back: $n of $NCONN"
	check_eq revive-d3-connections-alive $NCONN "$n"

	t0=$(now)
	lab_signal stop-xvsd
	if wait_for 20 paths_are "10.0.0.12 10.0.0.13"; then
		pass xvsd-stop-withdraws
		log "d1's xvsd stopped: the router lost d1's path after $(elapsed "$t0") ms"
	else
		fail xvsd-stop-withdraws "paths: [$(paths)]"
	fi
	await d1 xvsd-stopped
	n=$(alive after-stop)
	log "long-lived connections alive after d1's xvsd stopped: $n of $NCONN"
	check_eq xvsd-stop-connections-alive $NCONN "$n"
	kill $ticker $watcher 2>/dev/null
	log "the route's paths over time:"
	quote < $LAB/paths.log
	lab_signal done
	[ "$XVS_NFAIL" -gt 0 ] && frr_logs
}

# rs_httpd N / rs_stop N: realserver N's web servers (:80, :81, :82) start,
# stop
rs_httpd() {
	local port
	for port in 80 81 82; do
		ip netns exec rs$1 httpd -f -p $port -h $LAB/www/rs$1 </dev/null >/dev/null 2>&1 &
		eval "RS_HTTPD_${port}_$1=$!"
	done
}
rs_stop() {
	local port p
	for port in 80 81 82; do
		p="RS_HTTPD_${port}_$1"
		kill "${!p}" 2>/dev/null
		wait "${!p}" 2>/dev/null
	done
}

# --- the directors -----------------------------------------------------------------

director_bgpd() {
	cat <<CF
hostname $XVS_VM
log file $LAB/bgpd.log
router bgp 65001
 bgp router-id 10.0.0.1$1
 no bgp ebgp-requires-policy
 timers bgp 1 3
 neighbor $ROUTER remote-as 65000
 neighbor $ROUTER timers connect 1
 neighbor $ROUTER advertisement-interval 0
CF
}

director_ldirectord() {
	cat <<CF
# xvsd announces $VIP/32 under "router bgp 65001" while every virtual
# service of $VIP has a live real server
bgp = 65001
checkinterval = 1
checktimeout = 1
quiescent = no
virtual = $VIP:80
	real = 10.0.0.21:80 gate
	real = 10.0.0.22:80 gate
	real = 10.0.0.23:80 gate
	scheduler = mh
	checktype = connect
virtual = $VIP:81
	real = 10.0.0.21:81 gate
	real = 10.0.0.22:81 gate
	real = 10.0.0.23:81 gate
	scheduler = sh
	checktype = connect
virtual = $VIP:82
	real = 10.0.0.21:82 ipip
	real = 10.0.0.22:82 ipip
	real = 10.0.0.23:82 ipip
	scheduler = mh
	checktype = connect
virtual = $VIP:9000
	real = 10.0.0.21:9000 gate
	real = 10.0.0.22:9000 gate
	real = 10.0.0.23:9000 gate
	scheduler = mh
	checktype = connect
	checkport = 80
CF
}

announced() { vtysh -c 'show running-config' 2>/dev/null | grep -q "network $VIP/32"; }
svc_conns() { ipvsadm -L -n --stats --exact -t $VIP:$1 2>/dev/null | awk '$1 == "TCP" { print $3 }'; }
est9000() { ipvsadm -L -n -c 2>/dev/null | awk -v v=$VIP:9000 '$3 == "ESTABLISHED" && $5 == v' | wc -l; }
ndests() { ipvsadm -L -n -t $VIP:$1 2>/dev/null | grep -c '^  -> 10\.0\.0\.'; }

xvsd_start() { lab_xvsd_start $LAB/xvsd.out -H -c $LAB/ldirectord.cf -s $LAB/xvsd.sock; }

role_director() {
	local N=${XVS_VM#d} out
	mkdir -p $LAB
	if ! out=$(lb_load "$LB" 2>&1); then
		fail load "$out"
		finish
	fi
	if ! {
		ip addr add 10.0.0.1$N/24 dev eth0 && ip link set eth0 up &&
			ip link set lo up && ip addr add $VIP/32 dev lo &&
			ip route add default via $ROUTER
	}; then
		fail lab-up "$XVS_VM's interfaces"
		finish
	fi
	# every director a sync master of its own syncid and a backup of them
	# all (syncid 0); a master does not hear itself (no multicast loop)
	if out=$({ ipvsadm --start-daemon master --mcast-interface eth0 --syncid $N &&
		ipvsadm --start-daemon backup --mcast-interface eth0 --syncid 0; } 2>&1); then
		pass sync-daemons
	else
		fail sync-daemons "$out"
	fi
	ipvsadm -L --daemon | quote
	if ! frr_start "$(director_bgpd $N)" > $LAB/frr-start.log 2>&1; then
		fail lab-up "FRR: $(tail -n 3 $LAB/frr-start.log | tr '\n' ' ')"
		finish
	fi
	director_ldirectord > $LAB/ldirectord.cf
	if [ "$N" = 1 ]; then
		# a bad line: FILE:LINE, nothing started
		printf 'checkinterval = 1\nbgp = 65001x\n' > $LAB/bad.cf
		out=$(xvsd -H -c $LAB/bad.cf check-config 2>&1)
		check_eq bad-bgp-refused "$LAB/bad.cf:2: bad bgp '65001x' (the AS number of router bgp, 1 to 4294967295)" \
			"$(grep -o "$LAB/bad.cf:.*" <<<"$out" | head -n 1)"
	fi
	await router up
	xvsd_start
	# (a stats flag a second for the router: Conns of :80, Conns of :9000,
	# established :9000 entries, real servers of :80)
	(while :; do
		lab_signal stats "$(svc_conns 80) $(svc_conns 9000) $(est9000) $(ndests 80)"
		sleep 1
	done) &
	if wait_for 60 announced; then
		pass bgp-announced
	else
		fail bgp-announced "no network line in bgpd"
		tail -n 20 $LAB/xvsd.out | quote
	fi
	lab_signal ready

	case $N in
	3)
		await router kill 400
		ip link set eth0 down
		lab_signal killed
		await router revive 400
		ip link set eth0 up
		# (the link's routes went with it)
		ip route add default via $ROUTER 2>/dev/null
		lab_signal revived
		;;
	1)
		await router stop-xvsd 400
		lab_xvsd_stop
		check xvsd-stop-withdrawn-in-bgpd eval '! announced'
		check xvsd-stop-logged grep -q "BGP: withdrawing $VIP/32 (router bgp 65001): xvsd stops" $LAB/xvsd.out
		lab_signal xvsd-stopped
		;;
	esac
	await router done 600
	lab_xvsd_stop
	log "$XVS_VM's xvsd log (BGP and real servers):"
	grep -E 'BGP|Real server|real server' $LAB/xvsd.out | head -n 40 | quote
	ipvsadm -L -n --stats | quote
	[ "$XVS_NFAIL" -gt 0 ] && { frr_logs; tail -n 30 $LAB/xvsd.out | quote; }
}

mkdir -p $LAB
case $XVS_VM in
router) role_router ;;
d1 | d2 | d3) role_director ;;
*) fail role "no role for VM '$XVS_VM'" ;;
esac
finish
