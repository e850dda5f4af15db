#!/bin/bash
# Seed 004 "Ultra Monkey" cluster driven by xvsd, on five VMs of one LAN with
# the seed's addresses (211.58.250.0/25, VIP .6):
#
#   client  211.58.250.100
#   ha1     211.58.250.5   director, home node of the resource group
#   ha2     211.58.250.7   director, standby
#   www1    211.58.250.25  realserver (LVS-DR: VIP on lo:0, no ARP for it)
#   www2    211.58.250.27  realserver
#
# The directors run xvsd (heartbeat + ldirectord roles) with the seed's
# ldirectord.cf as printed; ha.cf is the seed's (serial /dev/ttyS0, baud
# 19200: the directors' /dev/ttyS0 are joined by a null-modem cable,
# "xvs-serial" below) with faster timers and a UDP link beside it,
# haresources the seed's line (with "ldirectord" spelled right).
#
# The serial link: heartbeats arrive on it (the status shows it up on both
# directors); cut (both directors' UARTs stop receiving: stty -cread) while
# the UDP link is alive, its link dies on both and nothing fails over; then
# it is mended.  The crash below cuts both links.
#
# Reproduces the seed's two tests with observable results:
#  (1) httpd stops on www1: it leaves ha1's IPVS table and the log says
#      "Removing real server: 211.58.250.25:80 (1*211.58.250.6:80)"; httpd
#      starts: it returns ("Adding real server ... (2*...)");
#  (2) xvsd stops on ha1: ha2 takes the VIP, its gratuitous ARP updates the
#      client's neighbour table, client requests keep succeeding; ha1 starts
#      again: failback (auto_failback on).  Then ha1 crashes (its LAN link
#      goes down and the serial cable is cut): ha2 takes over after
#      deadtime; the links return: the directors settle on ha1 again.
# Both directors run the balancer's sync daemons: an established connection
# through ha1 keeps working through ha2 after the takeover and after failback.
# Detection and failover times are measured and logged, not asserted.
#
# Each VM runs this file in its role ($XVS_VM); every check is reported by
# one VM: the directors' tables, VIP and logs by the directors, what the
# client sees (neighbour entry, requests, the long-lived :9000 connection)
# by the client.  The VMs pace each other with the barrier flags of
# lib-lab.sh over the control network; the client also publishes its
# neighbour entry for the VIP and ha2 whether it holds the VIP (flags "neigh"
# and "vip", updated on every change), so ha1 can time what the others
# observe on its own clock (to within its polling, a few hundred ms on TCG).
#
# Argument: the balancer of the directors, ipvs (the kernel's ip_vs) or xvs
# (xvs.ko).
# xvs-timeout: 600
# xvs-vms: 5
# xvs-variant: ipvs
# xvs-variant: xvs
# xvs-reference: ipvs
# xvs-reference-inputs: userspace/lib userspace/xvsd userspace/CMakeLists.txt CMakeLists.txt
# xvs-vm: client debian
# xvs-vm: ha1 debian
# xvs-vm: ha2 debian
# xvs-vm: www1 debian
# xvs-vm: www2 debian
# xvs-serial: ha1 ha2
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lib-lab.sh"

LB=${1:?usage: xvsd-failover.sh ipvs|xvs}
VIP=211.58.250.6
HA1=211.58.250.5
HA2=211.58.250.7
WWW1=211.58.250.25
WWW2=211.58.250.27
CIP=211.58.250.100
WAIT=300	# seconds a VM waits for another's step
BG_PIDS=()

# remote_is VM FLAG VALUE: VM's flag FLAG has VALUE
remote_is() { [ "$(lab_flag "$1" "$2")" = "$3" ]; }
# remote_times T0 SECONDS VM:FLAG=VALUE...: polls the flags until each had
# its value (at most SECONDS); prints on one line the milliseconds since T0
# when each was first seen, or "never"
remote_times() {
	local t0=$1 end=$((SECONDS + $2)) i s vm flag left
	shift 2
	local specs=("$@") got=()
	left=$#
	while [ "$left" -gt 0 ] && [ $SECONDS -lt $end ]; do
		for i in "${!specs[@]}"; do
			[ -n "${got[i]:-}" ] && continue
			s=${specs[i]}
			vm=${s%%:*}
			s=${s#*:}
			flag=${s%%=*}
			if remote_is "$vm" "$flag" "${s#*=}"; then
				got[i]=$(elapsed "$t0")
				left=$((left - 1))
			fi
		done
		sleep 0.1
	done
	for i in "${!specs[@]}"; do printf '%s ' "${got[i]:-never}"; done
	echo
}
# publish FLAG OBJECT CMD...: keeps flag FLAG equal to CMD's output ("none"
# when empty) for the other VMs; CMD runs again at every change of OBJECT
# (ip monitor: address, neigh) and at least once a second
publish() {
	local flag=$1 obj=$2 fifo=$LAB/monitor-$1
	shift 2
	mkfifo "$fifo" || return 1
	ip -o monitor "$obj" > "$fifo" 2>/dev/null &
	BG_PIDS+=($!)
	(
		last=
		while :; do
			read -r -t 1 _
			rc=$?
			# (end of file: the monitor is gone, poll)
			[ $rc -ne 0 ] && [ $rc -le 128 ] && sleep 0.5
			cur=$("$@" 2>/dev/null)
			cur=${cur:-none}
			if [ "$cur" != "$last" ] && lab_signal "$flag" "$cur"; then
				last=$cur
			fi
		done
	) < "$fifo" >/dev/null 2>&1 &
	BG_PIDS+=($!)
}
stop_background() {
	local p
	for p in "${BG_PIDS[@]}"; do kill "$p" 2>/dev/null; done
	wait "${BG_PIDS[@]}" 2>/dev/null
	BG_PIDS=()
}

eth0_up() {
	ip addr add "$1/25" dev eth0 && ip link set eth0 up
}
mac_of_eth0() { cat /sys/class/net/eth0/address; }
port_up() { netstat -ltn 2>/dev/null | grep -q ":$1 "; }

# --- the realservers ----------------------------------------------------------

httpd_start() {
	httpd -f -p 80 -h $LAB/www </dev/null >/dev/null 2>&1 &
	HTTPD_PID=$!
}
httpd_stop() {
	kill "$HTTPD_PID" 2>/dev/null
	wait "$HTTPD_PID" 2>/dev/null
}

role_www() {
	local n=${XVS_VM#www} rip=$WWW1
	[ "$n" = 2 ] && rip=$WWW2
	# as the seed's slides: VIP on lo:0, not answering ARP
	if ! {
		echo 1 > /proc/sys/net/ipv4/conf/all/arp_ignore &&
			echo 2 > /proc/sys/net/ipv4/conf/all/arp_announce &&
			echo 1 > /proc/sys/net/ipv4/conf/lo/arp_ignore &&
			echo 2 > /proc/sys/net/ipv4/conf/lo/arp_announce &&
			eth0_up $rip && ip addr add $VIP/32 dev lo label lo:0
	}; then
		fail lab-up "www$n setup failed"
		finish
	fi
	mkdir -p $LAB/www
	echo "Test Page of www$n.wowlinux.com" > $LAB/www/index.html
	httpd_start
	# :9000 says its name, then echoes: a connection that stays open
	printf '#!/bin/sh\necho www%s\nexec cat\n' "$n" > $LAB/hold
	chmod +x $LAB/hold
	nc -ll -p 9000 -e $LAB/hold </dev/null >/dev/null 2>&1 &
	BG_PIDS+=($!)
	if wait_for 10 port_up 80 && wait_for 10 port_up 9000; then
		pass lab-up
	else
		fail lab-up "httpd or the :9000 server did not start"
		finish
	fi
	lab_signal up

	if [ "$n" = 1 ]; then
		# test (1): ha1 watches its table while httpd stops and starts
		await ha1 httpd1-stop
		httpd_stop
		lab_signal httpd1-stopped
		await ha1 httpd1-start
		httpd_start
		wait_for 10 port_up 80 || log "httpd did not come back"
		lab_signal httpd1-started
	fi
	await ha1 tests-done 600
	httpd_stop
	stop_background
}

# --- the directors ------------------------------------------------------------

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
debugfile $LAB/ha$1.ha-debug
logfile $LAB/ha$1.ha-log
keepalive 1
deadtime 5
serial /dev/ttyS0
baud 19200
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

XVSD_PID=
xvsd_start() {
	lab_xvsd_start $LAB/$XVS_VM.out -d $LAB/$XVS_VM -c $LAB/$XVS_VM/ldirectord.cf \
		-n $XVS_VM.wowlinux.com -s $LAB/$XVS_VM.sock
}

has_vip() { ip -4 addr show dev eth0 | grep -q "inet $VIP/"; }
no_vip() { ! has_vip; }
vip_state() { has_vip && echo yes || echo no; }
dests() { ipvsadm -L -n -t $VIP:80 2>/dev/null | awk '$1 == "->" && $2 ~ /^[0-9]/ { print $2 }' | sort | tr '\n' ' '; }
dests_are() { [ "$(dests)" = "$1" ]; }
status() { xvsd -s $LAB/$XVS_VM.sock status 2>&1; }
logged() { grep -qF "$1" $LAB/$XVS_VM.out; }
# the serial link as seen by this director's xvsd
serial_up() { status | grep -q "^link /dev/ttyS0: up,"; }
serial_dead() { status | grep -q "^link /dev/ttyS0: dead,"; }
# cuts / mends this director's end of the serial cable: its UART drops
# what it receives (the driver ignores the receiver without CREAD)
serial_cut() { stty -F /dev/ttyS0 -cread; }
serial_mend() { stty -F /dev/ttyS0 cread; }
peer_up() { status | grep -q "^peer $1.wowlinux.com: up"; }

# director_up N: loads the balancer, configures eth0 and the director
director_up() {
	local out
	if ! out=$(lb_load "$LB" 2>&1); then
		fail load "$out"
		finish
	fi
	pass load
	eth0_up "$1" || { fail lab-up "eth0 setup failed"; finish; }
	director_config "${XVS_VM#ha}"
}

# sync_daemons: starts this director's master and backup sync daemons
sync_daemons() {
	ipvsadm --start-daemon master --mcast-interface eth0 --syncid 6 &&
		ipvsadm --start-daemon backup --mcast-interface eth0 --syncid 6 &&
		echo yes || echo failed
}

# the directors' own logs, the end of each director
director_logs() {
	if [ "$XVS_NFAIL" -gt 0 ]; then
		log "a test failed: $XVS_VM's full log"
		quote < $LAB/$XVS_VM.out
	fi
	log "$XVS_VM's log:"
	grep -E "Adding|Removing|Acquiring|Releasing|Sending Gratuitous|dead|left|rejected" \
		$LAB/$XVS_VM.out | head -40 | quote
}

role_ha1() {
	local t0 st m sync2 SYNC MAC2 times
	director_up $HA1
	lab_signal up "$(mac_of_eth0)"
	await www1 up
	await www2 up
	if wait_for 20 ping -c 1 -W 2 $WWW1 >/dev/null; then
		pass lab-up
	else
		fail lab-up "ha1 cannot reach www1"
		finish
	fi
	check check-config xvsd -d $LAB/ha1 -c $LAB/ha1/ldirectord.cf -n ha1.wowlinux.com check-config

	# --- start: ha1 (home node) takes the group --------------------------
	# both directors start their xvsd at about the same time
	lab_signal ready
	await ha2 ready
	MAC2=$(lab_flag ha2 up)
	t0=$(now)
	xvsd_start
	if wait_for 30 has_vip && wait_for 15 dests_are "$WWW1:80 $WWW2:80 "; then
		pass start-ha1-active
		log "ha1 active with both realservers $(elapsed "$t0") ms after start"
	else
		fail start-ha1-active "VIP on ha1: $(vip_state), dests [$(dests)]"
		sed -n 1,40p $LAB/ha1.out | quote
	fi
	lab_signal active
	check start-log-adding logged "Adding real server: $WWW2:80 (2*$VIP:80)"
	st=$(status)
	if grep -q "node ha1.wowlinux.com: active" <<<"$st" && grep -q "peer ha2.wowlinux.com: up" <<<"$st" &&
		grep -q "real $WWW1:80 up weight 1" <<<"$st"; then
		pass status-command
	else
		fail status-command "unexpected status"
		quote <<<"$st"
	fi
	m=$(printf 'GET /metrics HTTP/1.0\r\n\r\n' | timeout 3 nc -w 2 127.0.0.1 9680)
	if grep -q '^xvsd_ha_active 1' <<<"$m" &&
		grep -q "^xvsd_real_weight{virtual=\"$VIP:80\",real=\"$WWW1:80\"} 1" <<<"$m" &&
		grep -q '^xvsd_real_check_latency_seconds{' <<<"$m"; then
		pass metrics-endpoint
	else
		fail metrics-endpoint "unexpected metrics"
		head -20 <<<"$m" | quote
	fi
	if wait_for 10 serial_up && status | grep -q "^link eth0: up,"; then
		pass serial-link-up
		log "$(status | grep '^link ')"
	else
		fail serial-link-up "links: $(status | grep '^link ' | tr '\n' ';')"
	fi
	m=$(printf 'GET /metrics HTTP/1.0\r\n\r\n' | timeout 3 nc -w 2 127.0.0.1 9680)
	check serial-link-metric grep -q '^xvsd_ha_link_up{link="/dev/ttyS0"} 1$' <<<"$m"

	# --- the serial cable is cut while the UDP link lives (during test (1)) -
	serial_cut
	lab_signal serial-cut
	await client rr-done

	# --- test (1): httpd stops on www1, then starts ------------------------
	# (times from ha1's request to www1: they include the barrier, < 0.5 s)
	t0=$(now)
	lab_signal httpd1-stop
	if wait_for 25 dests_are "$WWW2:80 "; then
		pass test1-www1-removed
		log "www1 down: removed from the table $(elapsed "$t0") ms after ha1 asked www1 to stop httpd"
	else
		fail test1-www1-removed "dests [$(dests)]"
	fi
	check test1-log-removing logged "Removing real server: $WWW1:80 (1*$VIP:80)"
	lab_signal www1-removed
	await client only-www2
	t0=$(now)
	lab_signal httpd1-start
	if wait_for 25 dests_are "$WWW1:80 $WWW2:80 "; then
		pass test1-www1-returns
		log "www1 up: back in the table $(elapsed "$t0") ms after ha1 asked www1 to start httpd"
	else
		fail test1-www1-returns "dests [$(dests)]"
	fi
	check test1-log-adding logged "Adding real server: $WWW1:80 (2*$VIP:80)"

	# the serial link is dead, the peer up (over UDP): no failover
	check serial-cut-link-dead wait_for 15 logged "link /dev/ttyS0 to ha2.wowlinux.com is dead"
	await ha2 serial-checked 60
	if has_vip && peer_up ha2 && ! logged "releasing the resource group" && ! logged "node ha2.wowlinux.com is dead"; then
		pass serial-cut-no-takeover
	else
		fail serial-cut-no-takeover "VIP: $(vip_state), $(status | grep '^peer ')"
	fi
	serial_mend
	lab_signal serial-mend

	# --- connection sync (the balancer's sync daemons) ----------------------
	# Both directors run a master and a backup sync daemon; an established
	# connection through ha1 must keep working through ha2 after the takeover.
	SYNC=$(sync_daemons)
	lab_signal test1-done
	await ha2 sync
	sync2=$(lab_flag ha2 sync)
	[ "$sync2" = yes ] || SYNC=failed
	[ "$SYNC" = yes ] && pass sync-daemons || fail sync-daemons "ipvsadm --start-daemon failed"
	# (the serial cable was mended before the sync daemons started)
	if wait_for 10 serial_up; then
		pass serial-mended-link-up
	else
		fail serial-mended-link-up "$(status | grep '^link ')"
	fi
	if [ "$SYNC" = yes ]; then
		svc9000_ready() { [ "$(ipvsadm -L -n -t $VIP:9000 2>/dev/null | grep -c Route)" = 2 ]; }
		wait_for 15 svc9000_ready
	fi
	lab_signal sync "$SYNC"

	# --- test (2): xvsd stops on ha1: ha2 takes over -------------------------
	await client probing
	t0=$(now)
	lab_xvsd_stop
	lab_signal xvsd1-stopped
	read -r -a times <<<"$(remote_times "$t0" 30 "ha2:vip=yes" "client:neigh=$MAC2")"
	log "graceful stop: ha2 holds the VIP ${times[0]} ms after ha1's xvsd was stopped"
	log "client's neighbour entry for $VIP moved to ha2 ($MAC2) ${times[1]} ms after the stop"
	check test2-ha1-released wait_for 10 no_vip
	wait_for 10 dests_are ""
	check_eq test2-ha1-table-gone "" "$(dests)"

	# ha1 starts again: auto_failback on -> the group returns to ha1
	await client probing2
	t0=$(now)
	xvsd_start
	if wait_for 30 has_vip && wait_for 15 remote_is ha2 vip no; then
		pass test2-failback
		log "failback: ha1 holds the VIP $(elapsed "$t0") ms after its xvsd started"
	else
		fail test2-failback "VIP on ha1: $(vip_state), on ha2: $(lab_flag ha2 vip)"
		tail -20 $LAB/ha1.out | quote
	fi
	lab_signal failback
	check test2-failback-table wait_for 10 dests_are "$WWW1:80 $WWW2:80 "

	# --- ha1 crashes (its link goes down): takeover after deadtime -----------
	await client probing3
	t0=$(now)
	ip link set eth0 down
	serial_cut
	lab_signal link-down
	read -r -a times <<<"$(remote_times "$t0" 40 "ha2:vip=yes" "client:neigh=$MAC2")"
	log "crash: ha2 declared ha1 dead and holds the VIP ${times[0]} ms after ha1's link went down (deadtime 5000 ms)"
	log "crash: the client's neighbour entry moved to ha2 ${times[1]} ms after ha1's link went down"
	await client crash-done
	t0=$(now)
	ip link set eth0 up
	serial_mend
	lab_signal link-up
	read -r -a times <<<"$(remote_times "$t0" 40 "ha2:vip=no" "client:neigh=$(mac_of_eth0)")"
	log "link back: ha2 released the VIP after ${times[0]} ms, the client's entry is ha1's after ${times[1]} ms"

	# --- authentication: a forged heartbeat is rejected --------------------
	await client forged-sent
	check auth-forged-rejected wait_for 10 logged "rejected a heartbeat packet from $CIP: authentication failed (key 4, sha256)"
	check auth-ha1-still-active has_vip

	# --- reload: a bad file is refused and the running configuration kept ---
	# (the checks of both realservers fail while ha1's link is down; they
	# are back in the table before the reload)
	wait_for 20 dests_are "$WWW1:80 $WWW2:80 "
	cp $LAB/ha1/ldirectord.cf $LAB/ldirectord.good
	printf 'virtual=211.58.250.6:80\n\treal=211.58.250.25:80 route\n' > $LAB/ha1/ldirectord.cf
	check reload-bad-refused wait_for 15 logged "ldirectord.cf:2: bad forwarding method 'route' (gate, masq or ipip); keeping the running configuration"
	check reload-bad-table-kept dests_are "$WWW1:80 $WWW2:80 "
	cp $LAB/ldirectord.good $LAB/ha1/ldirectord.cf
	sed -i 's/scheduler=rr/scheduler=wlc/' $LAB/ha1/ldirectord.cf
	sched_is() { ipvsadm -L -n | grep -q "^TCP  $VIP:80 $1"; }
	if wait_for 10 sched_is wlc; then
		pass reload-good-applied
	else
		fail reload-good-applied "$(ipvsadm -L -n | quote)"
	fi

	lab_xvsd_stop
	check stop-clean-table-ha1 test -z "$(dests)"
	lab_signal tests-done
	director_logs
}

role_ha2() {
	local SYNC
	director_up $HA2
	publish vip address vip_state
	lab_signal up "$(mac_of_eth0)"
	await www2 up
	if wait_for 20 ping -c 1 -W 2 $WWW2 >/dev/null; then
		pass lab-up
	else
		fail lab-up "ha2 cannot reach www2"
		finish
	fi
	lab_signal ready
	await ha1 ready
	xvsd_start
	await ha1 active
	check start-ha2-standby no_vip
	check_eq start-ha2-no-table "" "$(dests)"
	check serial-link-up-ha2 wait_for 10 serial_up

	# --- the serial cable is cut; UDP lives: ha2 stays the standby ------------
	await ha1 serial-cut
	serial_cut
	check serial-cut-link-dead-ha2 wait_for 15 logged "link /dev/ttyS0 to ha1.wowlinux.com is dead"
	if no_vip && peer_up ha1 && ! logged "acquiring the resource group" && ! logged "node ha1.wowlinux.com is dead"; then
		pass serial-cut-ha2-standby
	else
		fail serial-cut-ha2-standby "VIP: $(vip_state), $(status | grep '^peer ')"
		tail -20 $LAB/ha2.out | quote
	fi
	lab_signal serial-checked
	await ha1 serial-mend
	serial_mend

	# --- connection sync -------------------------------------------------------
	await ha1 test1-done
	lab_signal sync "$(sync_daemons)"
	check serial-mended-link-up-ha2 wait_for 10 serial_up
	await ha1 sync
	SYNC=$(lab_flag ha1 sync)
	if [ "$SYNC" = yes ]; then
		await client conn-open
		# the master thread sends its buffer within about 2 s (later on a
		# loaded TCG host)
		synced_on_ha2() { ipvsadm -L -n -c | grep -q ":9000"; }
		if wait_for 15 synced_on_ha2; then
			pass sync-conn-on-ha2
		else
			fail sync-conn-on-ha2 "ha2 has no synced connection to :9000"
		fi
	fi
	lab_signal synced

	# --- test (2): xvsd stops on ha1: ha2 takes over -------------------------
	await ha1 xvsd1-stopped
	if wait_for 15 has_vip; then
		pass test2-ha2-takes-vip
	else
		fail test2-ha2-takes-vip "ha2 has no VIP"
		tail -20 $LAB/ha2.out | quote
	fi
	check test2-ha2-table wait_for 10 dests_are "$WWW1:80 $WWW2:80 "
	check test2-log-takeover wait_for 5 logged "acquiring the resource group: node ha1.wowlinux.com left the cluster"
	log "ha2's takeover after the graceful stop: $(grep -o 'resource group acquired in [0-9]* ms' $LAB/ha2.out | tail -n 1)"
	lab_signal took

	await ha1 failback
	wait_for 10 dests_are ""
	check_eq test2-failback-ha2-table-gone "" "$(dests)"
	check test2-log-release wait_for 5 logged "Releasing resource group: ha1.wowlinux.com 211.58.250.6 ldirectord"
	lab_signal failback-checked

	# --- ha1 crashes --------------------------------------------------------------
	await ha1 link-down
	serial_cut	# the other end of the cable
	if wait_for 25 has_vip; then
		pass crash-ha2-takes-vip
	else
		fail crash-ha2-takes-vip "ha2 has no VIP"
	fi
	lab_signal crash-took
	check crash-log-dead wait_for 5 logged "node ha1.wowlinux.com is dead"
	log "ha2's own detection: $(grep -o 'node ha1.wowlinux.com is dead: no heartbeat for [0-9]* ms' $LAB/ha2.out | tail -n 1)"
	log "ha2's takeover: $(grep -o 'resource group acquired in [0-9]* ms' $LAB/ha2.out | tail -n 1)"
	check crash-serial-link-dead serial_dead
	await ha1 link-up
	serial_mend

	await ha1 tests-done 600
	lab_xvsd_stop
	stop_background
	director_logs
}

# --- the client -----------------------------------------------------------------

client_neigh() { ip neigh show $VIP dev eth0 | awk '{ for (i = 1; i < NF; i++) if ($i == "lladdr") print $(i + 1) }'; }
client_neigh_is() { [ "$(client_neigh)" = "$1" ]; }

# get: one request from the client to the VIP; prints www1, www2 or ERR
get() {
	local line
	line=$(printf 'GET /index.html HTTP/1.0\r\n\r\n' |
		timeout 3 nc -w 2 $VIP 80 2>/dev/null | grep -a '^Test Page of ')
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
# probe_finish: a little more probing, at most 10 s more until the last
# three requests succeeded, then stops
probe_finish() {
	sleep 2
	wait_for 10 probe_tail_ok
	probe_stop
}

conn_open() {
	coproc CONN { nc $VIP 9000 2>/dev/null; }
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

role_client() {
	local MAC1 MAC2 SYNC seen i t0
	mkdir -p $LAB
	eth0_up $CIP || { fail lab-up "eth0 setup failed"; finish; }
	publish neigh neigh client_neigh
	lab_signal up
	await ha1 up
	await ha2 up
	MAC1=$(lab_flag ha1 up)
	MAC2=$(lab_flag ha2 up)
	if wait_for 20 ping -c 1 -W 2 $HA2 >/dev/null; then
		pass lab-up
	else
		fail lab-up "client cannot reach ha2"
		finish
	fi

	await ha1 active
	seen=$(for i in 1 2 3 4; do get; done | sort -u | tr '\n' ' ')
	check_eq client-rr-both "www1 www2 " "$seen"
	lab_signal rr-done

	# test (1): only www2 answers while www1's httpd is down
	await ha1 www1-removed
	seen=$(for i in 1 2 3; do get; done | sort -u | tr '\n' ' ')
	check_eq test1-only-www2 "www2 " "$seen"
	lab_signal only-www2

	# the connection that must survive the takeovers
	await ha1 sync
	SYNC=$(lab_flag ha1 sync)
	if [ "$SYNC" = yes ]; then
		conn_open
		check_eq sync-conn-open true "$([ "$CONN_RS" != none ] && echo true || echo "false ($CONN_RS)")"
		for i in 1 2 3 4; do conn_echo "before-$i" >/dev/null; done
		check sync-conn-echo-ha1 conn_echo before-5
		lab_signal conn-open
	fi
	await ha2 synced

	# --- test (2): xvsd stops on ha1 -------------------------------------------
	get >/dev/null		# the client's neighbour entry for the VIP is ha1's
	check_eq test2-neigh-ha1-before "$MAC1" "$(client_neigh)"
	probe_start
	sleep 1
	lab_signal probing
	await ha1 xvsd1-stopped
	t0=$(now)
	if wait_for 25 client_neigh_is "$MAC2"; then
		pass test2-garp-client-neigh
		log "client's neighbour entry for $VIP is ha2's ($MAC2) $(elapsed "$t0") ms after the client learnt of the stop"
	else
		fail test2-garp-client-neigh "client has [$(client_neigh)], ha2 is $MAC2"
	fi
	probe_finish
	log "client during graceful failover: $(probe_summary)"
	check test2-requests-succeed probe_tail_ok
	if [ "$SYNC" = yes ]; then
		check sync-conn-survives-takeover wait_for 10 conn_echo after-takeover
	fi

	# failback
	await ha2 took
	probe_start
	lab_signal probing2
	await ha1 failback
	check test2-failback-neigh wait_for 10 client_neigh_is "$MAC1"
	probe_finish
	log "client during failback: $(probe_summary)"
	check test2-failback-requests probe_tail_ok
	if [ "$SYNC" = yes ]; then
		check sync-conn-survives-failback wait_for 10 conn_echo after-failback
		conn_close
	fi

	# --- ha1 crashes -------------------------------------------------------------
	await ha2 failback-checked
	probe_start
	sleep 1
	lab_signal probing3
	await ha2 crash-took 120
	check crash-garp-client-neigh wait_for 10 client_neigh_is "$MAC2"
	check crash-requests-resume wait_for 15 get_ok
	probe_finish
	log "client during crash failover: $(probe_summary)"
	lab_signal crash-done
	await ha1 link-up
	t0=$(now)
	if wait_for 20 remote_is ha2 vip no && wait_for 10 client_neigh_is "$MAC1" && wait_for 10 get_ok; then
		pass crash-heal-back-to-ha1
		log "link back: one holder (ha1) again, client served, $(elapsed "$t0") ms after the client learnt of it"
	else
		fail crash-heal-back-to-ha1 "VIP on ha2: $(lab_flag ha2 vip), client neigh $(client_neigh)"
	fi

	# --- authentication: a forged heartbeat --------------------------------------
	# well formed, claiming to be ha2 and leaving, signed with a made-up digest
	printf '>>>\nt=status\nnode=ha2.wowlinux.com\ngen=1\nseq=99999\nst=leaving\nhold=0\nauth=4 %064d\n<<<\n' 0 > $LAB/forged
	bash -c "cat $LAB/forged > /dev/udp/$HA1/694"
	lab_signal forged-sent
	await ha1 tests-done 600
	stop_background
}

mkdir -p $LAB
case $XVS_VM in
client) role_client ;;
ha1) role_ha1 ;;
ha2) role_ha2 ;;
www1 | www2) role_www ;;
*) fail role "no role for VM '$XVS_VM'" ;;
esac
finish
