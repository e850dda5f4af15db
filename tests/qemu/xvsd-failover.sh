#!/bin/bash
# Seed 004 "Ultra Monkey" cluster driven by xvsd: two directors ha1 and ha2
# (heartbeat + ldirectord roles), two web realservers www1 and www2 behind
# the VIP with LVS-DR, a client; all network namespaces on one bridge in one
# VM, with the seed's addresses (211.58.250.0/25, VIP .6).  The directors
# run the seed's ldirectord.cf as printed; ha.cf is the seed's with faster
# timers and a UDP link (the seed used a serial cable), haresources the
# seed's line (with "ldirectord" spelled right).
#
# Reproduces the seed's two tests with observable results:
#  (1) httpd stops on www1: it leaves ha1's IPVS table and the log says
#      "Removing real server: 211.58.250.25:80 (1*211.58.250.6:80)"; httpd
#      starts: it returns ("Adding real server ... (2*...)");
#  (2) xvsd stops on ha1: ha2 takes the VIP, its gratuitous ARP updates the
#      client's neighbour table, client requests keep succeeding; ha1 starts
#      again: failback (auto_failback on).  Then ha1 crashes (its link
#      goes down): ha2 takes over after deadtime; the link returns: the
#      directors settle on ha1 again.
# Detection and failover times are measured and logged, not asserted.
#
# Argument: the balancer, ipvs (the kernel's ip_vs) or xvs (xvs.ko).
# xvs-timeout: 600
# xvs-variant: ipvs
# xvs-variant: xvs
. "$(dirname "$0")/lib.sh"

LB=${1:?usage: xvsd-failover.sh ipvs|xvs}
VIP=211.58.250.6
HA1=211.58.250.5
HA2=211.58.250.7
WWW1=211.58.250.25
WWW2=211.58.250.27
CIP=211.58.250.100
declare -A XVSD_PID=()

now() { echo "$EPOCHREALTIME"; }
# elapsed START: milliseconds since START (an $EPOCHREALTIME value)
elapsed() { awk -v a="$1" -v b="$EPOCHREALTIME" 'BEGIN { printf "%d", (b - a) * 1000 }'; }

# wait_for SECONDS CMD...: polls CMD every 0.1 s for SECONDS of wall time
wait_for() {
	local end=$((SECONDS + $1))
	shift
	while :; do
		"$@" && return 0
		[ $SECONDS -ge $end ] && return 1
		sleep 0.1
	done
}

lab_up() {
	local n
	mkdir -p $LAB/www
	ip link add br-ha type bridge || return 1
	ip link set br-ha up
	for n in client ha1 ha2 www1 www2; do
		ip netns add $n || return 1
		in_ns $n ip link set lo up
		ip link add ha-$n type veth peer name ha-$n-br || return 1
		ip link set ha-$n netns $n name eth0
		ip link set ha-$n-br master br-ha up
	done
	in_ns client ip addr add $CIP/25 dev eth0
	in_ns ha1 ip addr add $HA1/25 dev eth0
	in_ns ha2 ip addr add $HA2/25 dev eth0
	for n in client ha1 ha2; do in_ns $n ip link set eth0 up; done
	# the realservers, as the seed's slides: VIP on lo:0, not answering ARP
	for n in 1 2; do
		local rip=$WWW1
		[ $n = 2 ] && rip=$WWW2
		in_ns www$n sh -c "
			echo 1 > /proc/sys/net/ipv4/conf/all/arp_ignore &&
			echo 2 > /proc/sys/net/ipv4/conf/all/arp_announce &&
			echo 1 > /proc/sys/net/ipv4/conf/lo/arp_ignore &&
			echo 2 > /proc/sys/net/ipv4/conf/lo/arp_announce &&
			ip addr add $rip/25 dev eth0 && ip link set eth0 up &&
			ip addr add $VIP/32 dev lo label lo:0" || { echo "www$n setup failed"; return 1; }
		mkdir -p $LAB/www/www$n
		echo "Test Page of www$n.wowlinux.com" > $LAB/www/www$n/index.html
		httpd_start $n
		# :9000 says its name, then echoes: a connection that stays open
		printf '#!/bin/sh\necho www%s\nexec cat\n' $n > $LAB/hold-www$n
		chmod +x $LAB/hold-www$n
		ip netns exec www$n nc -ll -p 9000 -e $LAB/hold-www$n </dev/null >/dev/null 2>&1 &
		LAB_PIDS+=($!)
	done
	for n in 1 2; do
		lab_wait_port www$n 80 || { echo "httpd on www$n did not start"; return 1; }
	done
	in_ns ha1 ping -c 1 -W 2 $WWW1 >/dev/null || { echo "ha1 cannot reach www1"; return 1; }
	in_ns client ping -c 1 -W 2 $HA2 >/dev/null || { echo "client cannot reach ha2"; return 1; }
	return 0
}

declare -A HTTPD_PID=()
httpd_start() {
	ip netns exec www$1 httpd -f -p 80 -h $LAB/www/www$1 </dev/null >/dev/null 2>&1 &
	HTTPD_PID[$1]=$!
}
httpd_stop() {
	kill "${HTTPD_PID[$1]}" 2>/dev/null
	wait "${HTTPD_PID[$1]}" 2>/dev/null
	unset "HTTPD_PID[$1]"
}

# the configuration of director N
director_config() {
	local d=$LAB/ha$1
	mkdir -p $d
	# seed 004's ldirectord.cf, as printed on the slides (trailing blanks too)
	cat > $d/ldirectord.cf <<'CF'
timeout=3  
checkinterval=1  
fallback=127.0.0.1:80  
virtual=211.58.250.6:80  
    real=211.58.250.25:80 gate  
    real=211.58.250.27:80 gate  
service=http  
request="index.html"  
receive="Test Page"  
scheduler=rr  
protocol=tcp
CF
	# a second service, appended, for the connection that must survive
	printf 'virtual=211.58.250.6:9000\n\treal=211.58.250.25:9000 gate\n\treal=211.58.250.27:9000 gate\n\tchecktype=connect\n\tscheduler=rr\n' >> $d/ldirectord.cf
	cat > $d/ha.cf <<CF
logfile $LAB/ha$1.ha-log
keepalive 1
deadtime 5
warntime 3
initdead 10
udpport 694
bcast eth0
auto_failback on
node ha1.wowlinux.com
node ha2.wowlinux.com
garp_count 3
garp_interval 300ms
metrics 127.0.0.1:9680
CF
	echo "ha1.wowlinux.com      211.58.250.6  ldirectord" > $d/haresources
	printf 'auth 4\n1 crc\n4 sha256 ultramonkey-lab\n' > $d/authkeys
	chmod 600 $d/authkeys
}

xvsd_start() {
	ip netns exec ha$1 xvsd -d $LAB/ha$1 -c $LAB/ha$1/ldirectord.cf -n ha$1.wowlinux.com \
		-s $LAB/ha$1.sock </dev/null >>$LAB/ha$1.out 2>&1 &
	XVSD_PID[$1]=$!
}
xvsd_stop() {
	kill -TERM "${XVSD_PID[$1]}" 2>/dev/null
	wait "${XVSD_PID[$1]}" 2>/dev/null
	unset "XVSD_PID[$1]"
}

has_vip() { in_ns "$1" ip -4 addr show dev eth0 | grep -q "inet $VIP/"; }
no_vip() { ! has_vip "$1"; }
dests() { in_ns "$1" ipvsadm -L -n -t $VIP:80 2>/dev/null | awk '$1 == "->" && $2 ~ /^[0-9]/ { print $2 }' | sort | tr '\n' ' '; }
dests_are() { [ "$(dests "$1")" = "$2" ]; }
mac_of() { in_ns "$1" cat /sys/class/net/eth0/address; }
client_neigh() { in_ns client ip neigh show $VIP dev eth0 | awk '{ for (i = 1; i < NF; i++) if ($i == "lladdr") print $(i + 1) }'; }
client_neigh_is() { [ "$(client_neigh)" = "$1" ]; }

# get: one request from the client to the VIP; prints www1, www2 or ERR
get() {
	local line
	line=$(printf 'GET /index.html HTTP/1.0\r\n\r\n' |
		in_ns client timeout 3 nc -w 2 $VIP 80 2>/dev/null | grep -a '^Test Page of ')
	case $line in
	*www1*) echo www1 ;;
	*www2*) echo www2 ;;
	*) echo ERR ;;
	esac
}
get_ok() { [ "$(get)" != ERR ]; }

# A client loop that requests every 0.2 s, recording "TIME RESULT".
probe_start() {
	: > $LAB/probe.log
	(
		while [ ! -e $LAB/probe.stop ]; do
			echo "$EPOCHREALTIME $(get)" >> $LAB/probe.log
			sleep 0.2
		done
	) &
	PROBE_PID=$!
}
probe_stop() {
	touch $LAB/probe.stop
	wait $PROBE_PID 2>/dev/null
	rm -f $LAB/probe.stop
}
# probe_summary: "N requests, M failed, longest outage X ms"
# (an outage runs from the last success before failures to the next success)
probe_summary() {
	awk '{ n++ } $2 == "ERR" { f++; if (!out) { out = 1; s = ok ? ok : $1 } }
		$2 != "ERR" { if (out) { o = ($1 - s) * 1000; if (o > m) m = o; out = 0 } ok = $1 }
		END { if (out) m = -1
		      printf "%d requests, %d failed, longest outage %s", n, f, m < 0 ? "unfinished" : int(m) " ms" }' $LAB/probe.log
}
probe_tail_ok() { tail -n 3 $LAB/probe.log | awk '$2 == "ERR" { f = 1 } END { exit f }'; }

status() { xvsd -s $LAB/ha$1.sock status 2>&1; }
logged() { grep -qF "$2" $LAB/ha$1.out; }

if ! out=$(lb_load "$LB" 2>&1); then
	fail load "$out"
	finish
fi
pass load
# (lab_up directly, not in $(...): it records the servers it starts)
if ! lab_up > /tmp/xvsd-lab-up.log 2>&1; then
	fail lab-up "$(cat /tmp/xvsd-lab-up.log)"
	lab_teardown br-ha
	finish
fi
pass lab-up
director_config 1
director_config 2
check check-config xvsd -d $LAB/ha1 -c $LAB/ha1/ldirectord.cf -n ha1.wowlinux.com check-config

# --- start: ha1 (home node) takes the group --------------------------------
t0=$(now)
xvsd_start 1
xvsd_start 2
if wait_for 30 has_vip ha1 && wait_for 15 dests_are ha1 "$WWW1:80 $WWW2:80 "; then
	pass start-ha1-active
	log "ha1 active with both realservers $(elapsed "$t0") ms after start"
else
	fail start-ha1-active "VIP on ha1: $(has_vip ha1 && echo yes || echo no), dests [$(dests ha1)]"
	sed -n 1,40p $LAB/ha1.out | quote
fi
check start-ha2-standby no_vip ha2
check_eq start-ha2-no-table "" "$(dests ha2)"
check start-log-adding logged 1 "Adding real server: $WWW2:80 (2*$VIP:80)"
st=$(status 1)
if grep -q "node ha1.wowlinux.com: active" <<<"$st" && grep -q "peer ha2.wowlinux.com: up" <<<"$st" &&
	grep -q "real $WWW1:80 up weight 1" <<<"$st"; then
	pass status-command
else
	fail status-command "unexpected status"
	quote <<<"$st"
fi
m=$(printf 'GET /metrics HTTP/1.0\r\n\r\n' | in_ns ha1 timeout 3 nc -w 2 127.0.0.1 9680)
if grep -q '^xvsd_ha_active 1' <<<"$m" &&
	grep -q "^xvsd_real_weight{virtual=\"$VIP:80\",real=\"$WWW1:80\"} 1" <<<"$m" &&
	grep -q '^xvsd_real_check_latency_seconds{' <<<"$m"; then
	pass metrics-endpoint
else
	fail metrics-endpoint "unexpected metrics"
	head -20 <<<"$m" | quote
fi
seen=$(for i in 1 2 3 4; do get; done | sort -u | tr '\n' ' ')
check_eq client-rr-both "www1 www2 " "$seen"

# --- test (1): httpd stops on www1, then starts ----------------------------
t0=$(now)
httpd_stop 1
if wait_for 20 dests_are ha1 "$WWW2:80 "; then
	pass test1-www1-removed
	log "www1 down: removed from the table $(elapsed "$t0") ms after httpd stopped"
else
	fail test1-www1-removed "dests [$(dests ha1)]"
fi
check test1-log-removing logged 1 "Removing real server: $WWW1:80 (1*$VIP:80)"
seen=$(for i in 1 2 3; do get; done | sort -u | tr '\n' ' ')
check_eq test1-only-www2 "www2 " "$seen"
t0=$(now)
httpd_start 1
if wait_for 20 dests_are ha1 "$WWW1:80 $WWW2:80 "; then
	pass test1-www1-returns
	log "www1 up: back in the table $(elapsed "$t0") ms after httpd started"
else
	fail test1-www1-returns "dests [$(dests ha1)]"
fi
check test1-log-adding logged 1 "Adding real server: $WWW1:80 (2*$VIP:80)"

# --- connection sync (the balancer's sync daemons) --------------------------
# Both directors run a master and a backup sync daemon; an established
# connection through ha1 must keep working through ha2 after the takeover.
SYNC=yes
for n in 1 2; do
	in_ns ha$n ipvsadm --start-daemon master --mcast-interface eth0 --syncid 6 &&
		in_ns ha$n ipvsadm --start-daemon backup --mcast-interface eth0 --syncid 6 ||
		SYNC=failed
done
[ $SYNC = yes ] && pass sync-daemons || fail sync-daemons "ipvsadm --start-daemon failed"
conn_open() {
	coproc CONN { ip netns exec client nc $VIP 9000 2>/dev/null; }
	read -r -t 5 CONN_RS <&"${CONN[0]}" || CONN_RS=none
}
# conn_echo WORD: sends WORD on the open connection, reads it back
conn_echo() {
	local line
	[ -n "${CONN[1]:-}" ] || return 1
	echo "$1" >&"${CONN[1]}" 2>/dev/null || return 1
	read -r -t 5 line <&"${CONN[0]}" || return 1
	[ "$line" = "$1" ]
}
conn_close() { [ -n "${CONN_PID:-}" ] && kill "$CONN_PID" 2>/dev/null; wait "$CONN_PID" 2>/dev/null; }
if [ $SYNC = yes ]; then
	svc9000_ready() { [ "$(in_ns ha1 ipvsadm -L -n -t $VIP:9000 2>/dev/null | grep -c Route)" = 2 ]; }
	wait_for 15 svc9000_ready
	conn_open
	check_eq sync-conn-open true "$([ "$CONN_RS" != none ] && echo true || echo "false ($CONN_RS)")"
	for i in 1 2 3 4; do conn_echo "before-$i" >/dev/null; done
	check sync-conn-echo-ha1 conn_echo before-5
	# the master thread sends its buffer within about 2 s (later on a
	# loaded TCG host)
	synced_on_ha2() { in_ns ha2 ipvsadm -L -n -c | grep -q ":9000"; }
	if wait_for 15 synced_on_ha2; then
		pass sync-conn-on-ha2
	else
		fail sync-conn-on-ha2 "ha2 has no synced connection to :9000"
	fi
fi

# --- test (2): xvsd stops on ha1: ha2 takes over -----------------------------
get >/dev/null		# the client's neighbour entry for the VIP is ha1's
MAC1=$(mac_of ha1)
MAC2=$(mac_of ha2)
check_eq test2-neigh-ha1-before "$MAC1" "$(client_neigh)"
probe_start
sleep 1
t0=$(now)
xvsd_stop 1
if wait_for 15 has_vip ha2; then
	pass test2-ha2-takes-vip
	log "graceful stop: ha2 holds the VIP $(elapsed "$t0") ms after ha1's xvsd was stopped"
else
	fail test2-ha2-takes-vip "ha2 has no VIP"
	tail -20 $LAB/ha2.out | quote
fi
check test2-ha1-released no_vip ha1
check_eq test2-ha1-table-gone "" "$(dests ha1)"
check test2-ha2-table wait_for 10 dests_are ha2 "$WWW1:80 $WWW2:80 "
if wait_for 10 client_neigh_is "$MAC2"; then
	pass test2-garp-client-neigh
	log "client's neighbour entry for $VIP moved to ha2 ($MAC2) $(elapsed "$t0") ms after the stop"
else
	fail test2-garp-client-neigh "client has [$(client_neigh)], ha2 is $MAC2"
fi
sleep 2
probe_stop
log "client during graceful failover: $(probe_summary)"
check test2-requests-succeed probe_tail_ok
if [ $SYNC = yes ]; then
	check sync-conn-survives-takeover wait_for 10 conn_echo after-takeover
fi
check test2-log-takeover logged 2 "acquiring the resource group: node ha1.wowlinux.com left the cluster"
log "ha2's takeover after the graceful stop: $(grep -o 'resource group acquired in [0-9]* ms' $LAB/ha2.out | tail -n 1)"

# ha1 starts again: auto_failback on -> the group returns to ha1
probe_start
t0=$(now)
xvsd_start 1
if wait_for 30 has_vip ha1 && wait_for 10 no_vip ha2; then
	pass test2-failback
	log "failback: ha1 holds the VIP $(elapsed "$t0") ms after its xvsd started"
else
	fail test2-failback "VIP on ha1: $(has_vip ha1 && echo yes || echo no), on ha2: $(has_vip ha2 && echo yes || echo no)"
	tail -20 $LAB/ha1.out | quote
fi
check test2-failback-neigh wait_for 10 client_neigh_is "$MAC1"
check test2-failback-table wait_for 10 dests_are ha1 "$WWW1:80 $WWW2:80 "
check_eq test2-failback-ha2-table-gone "" "$(dests ha2)"
sleep 2
probe_stop
log "client during failback: $(probe_summary)"
check test2-failback-requests probe_tail_ok
check test2-log-release logged 2 "Releasing resource group: ha1.wowlinux.com 211.58.250.6 ldirectord"
if [ $SYNC = yes ]; then
	check sync-conn-survives-failback wait_for 10 conn_echo after-failback
	conn_close
fi

# --- ha1 crashes (its link goes down): takeover after deadtime ---------------
probe_start
sleep 1
t0=$(now)
in_ns ha1 ip link set eth0 down
if wait_for 20 has_vip ha2; then
	pass crash-ha2-takes-vip
	log "crash: ha2 declared ha1 dead and holds the VIP $(elapsed "$t0") ms after ha1's link went down (deadtime 5000 ms)"
else
	fail crash-ha2-takes-vip "ha2 has no VIP"
fi
check crash-garp-client-neigh wait_for 10 client_neigh_is "$MAC2"
check crash-requests-resume wait_for 15 get_ok
sleep 2
probe_stop
log "client during crash failover: $(probe_summary)"
check crash-log-dead logged 2 "node ha1.wowlinux.com is dead"
log "ha2's own detection: $(grep -o 'node ha1.wowlinux.com is dead: no heartbeat for [0-9]* ms' $LAB/ha2.out | tail -n 1)"
log "ha2's takeover: $(grep -o 'resource group acquired in [0-9]* ms' $LAB/ha2.out | tail -n 1)"
t0=$(now)
in_ns ha1 ip link set eth0 up
if wait_for 20 no_vip ha2 && wait_for 10 client_neigh_is "$MAC1" && wait_for 10 get_ok; then
	pass crash-heal-back-to-ha1
	log "link back: one holder (ha1) again, client served, $(elapsed "$t0") ms"
else
	fail crash-heal-back-to-ha1 "VIP on ha2: $(has_vip ha2 && echo yes || echo no), client neigh $(client_neigh)"
	tail -20 $LAB/ha1.out | quote
fi

# --- authentication: a forged heartbeat is rejected --------------------------
# well formed, claiming to be ha2 and leaving, signed with a made-up digest
printf '>>>\nt=status\nnode=ha2.wowlinux.com\ngen=1\nseq=99999\nst=leaving\nhold=0\nauth=4 %064d\n<<<\n' 0 > $LAB/forged
in_ns client bash -c "cat $LAB/forged > /dev/udp/$HA1/694"
sleep 1
check auth-forged-rejected logged 1 "rejected a heartbeat packet from $CIP: authentication failed (key 4, sha256)"
check auth-ha1-still-active has_vip ha1

# --- reload: a bad file is refused and the running configuration kept --------
cp $LAB/ha1/ldirectord.cf $LAB/ldirectord.good
printf 'virtual=211.58.250.6:80\n\treal=211.58.250.25:80 route\n' > $LAB/ha1/ldirectord.cf
sleep 3
check reload-bad-refused logged 1 "ldirectord.cf:2: bad forwarding method 'route' (gate, masq or ipip); keeping the running configuration"
check reload-bad-table-kept dests_are ha1 "$WWW1:80 $WWW2:80 "
cp $LAB/ldirectord.good $LAB/ha1/ldirectord.cf
sed -i 's/scheduler=rr/scheduler=wlc/' $LAB/ha1/ldirectord.cf
sched_is() { in_ns ha1 ipvsadm -L -n | grep -q "^TCP  $VIP:80 $1"; }
if wait_for 10 sched_is wlc; then
	pass reload-good-applied
else
	fail reload-good-applied "$(in_ns ha1 ipvsadm -L -n | quote)"
fi

for n in 1 2; do xvsd_stop $n; done
if [ $XVS_NFAIL -gt 0 ]; then
	log "a test failed: the directors' full logs"
	for n in 1 2; do log "ha$n:"; quote < $LAB/ha$n.out; done
fi
check stop-clean-table-ha1 test -z "$(dests ha1)"
log "ha1's log:"
grep -E "Adding|Removing|Acquiring|Releasing|Sending Gratuitous|dead|left|rejected" $LAB/ha1.out | head -40 | quote
log "ha2's log:"
grep -E "Adding|Removing|Acquiring|Releasing|Sending Gratuitous|dead|left" $LAB/ha2.out | head -40 | quote
for n in 1 2; do httpd_stop $n; done
lab_teardown br-ha
finish
