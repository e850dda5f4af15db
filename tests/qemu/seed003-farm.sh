#!/bin/bash
# Seed 003 as written: Rob Thomas's ippvs 0.5 proxy farm ("The Greased
# Turkey Document") with two directors, configured with the seed's own
# ippfvsadm lines (xvsadm invoked as ippfvsadm), failed over by hand as the
# seed describes, then automatically by xvsd with two resource groups.
#
#   client   203.1.1.100         a client on the local network
#   ippvs0   eth0 203.1.1.2      eth0:0 203.1.1.10 (VIP)   eth1 10.1.1.254
#   ippvs1   eth0 203.1.1.3      eth0:0 203.1.1.11 (VIP)   eth1 10.1.1.253
#   proxies  the seed's hub with proxy servers 1-6 (10.1.1.1-6) as network
#            namespaces; 1-3 route through 10.1.1.254 (ippvs0), 4-6
#            through 10.1.1.253 (ippvs1); each answers on :8080 with its
#            identity ("proxy server N 10.1.1.N")
#
# Every VM has one NIC on the lab LAN (eth0, the "local network"); the
# seed's private LAN (the directors' eth1 and the hub) is VLAN 11 on it, a
# segment of its own the client does not see.  Forwarding is NAT, port 8080.
#
# Checks, with real traffic from the client:
#  (1) manual, the seed's lines: each VIP answers from its own proxy set
#      (.10: proxies 1-3, .11: proxies 4-6, each equally often: wrr with
#      weight 1); ippfvsadm prints the ipvsadm commands it ran, refuses bad
#      lines without touching the table, -D/-w/-L/-C forms; the masquerading
#      (the seed's ipfwadm line, nftables here) takes the proxies out to the
#      client with their director's address;
#  (2) the seed's manual failover: ippvs0 is switched off (its link goes
#      down), ippvs1 brings up eth0:1 203.1.1.10 and eth1:0 10.1.1.254 and
#      runs ippvs0's ippfvsadm lines: both proxy sets answer through it;
#  (3) automatic, xvsd on both directors, haresources with two resource
#      groups (each director the preferred node of its VIP + LAN alias):
#      both active at once; ippvs0's link goes down: ippvs1 holds both VIPs
#      and both LAN aliases and serves both sets; the link returns: each
#      has its own group again; ippvs1's xvsd stops: ippvs0 holds both; it
#      starts again: each its own.  Takeover times are logged, not asserted.
#
# Each VM runs this file in its role ($XVS_VM); the VMs pace each other with
# the barrier flags of lib-lab.sh over the control network.  Only xvs:
# seed 003 is about the directors' configuration and failover, which the
# kernel's ip_vs would not check further (xvsd-failover.sh runs xvsd on both).
# Under TCG on the 2-core host (2026-12-07) the lab took 110 s in all, each
# VM 73 s of which 12 s boot; 75 checks (71 + four clean consoles).
# xvs-timeout: 420
# xvs-vms: 4
# xvs-variant: xvs
# xvs-vm: client debian
# xvs-vm: ippvs0 debian
# xvs-vm: ippvs1 debian
# xvs-vm: proxies debian
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lib-lab.sh"

LB=${1:?usage: seed003-farm.sh xvs}
VIP0=203.1.1.10
VIP1=203.1.1.11
IP0=203.1.1.2
IP1=203.1.1.3
LAN0=10.1.1.254
LAN1=10.1.1.253
CIP=203.1.1.100
VLAN=11
WAIT=240	# seconds a VM waits for another's step
XVSD_PID=

mac_of_eth0() { cat /sys/class/net/eth0/address; }

# --- the proxy servers -----------------------------------------------------------

role_proxies() {
	local n gw out
	mkdir -p $LAB
	# the seed's hub: the private LAN, here VLAN 11 bridged to one
	# namespace per proxy server
	if ! {
		modprobe 8021q && ip link set eth0 up &&
			ip link add link eth0 name eth0.$VLAN type vlan id $VLAN &&
			ip link add hub type bridge && ip link set hub up &&
			ip link set eth0.$VLAN master hub && ip link set eth0.$VLAN up
	}; then
		fail lab-up "the hub could not be built"
		finish
	fi
	for n in 1 2 3 4 5 6; do
		gw=$LAN0
		[ $n -ge 4 ] && gw=$LAN1
		mkdir -p $LAB/www/p$n
		echo "proxy server $n 10.1.1.$n" > $LAB/www/p$n/index.html
		# the seed's proxy server N: eth0 10.1.1.N, default route to its
		# director's private address
		if ! {
			ip netns add p$n && ip link add hub-p$n type veth peer name p$n &&
				ip link set p$n netns p$n && ip link set hub-p$n master hub &&
				ip link set hub-p$n up && in_ns p$n ip link set lo up &&
				in_ns p$n ip link set p$n name eth0 &&
				in_ns p$n ifconfig eth0 10.1.1.$n netmask 255.255.255.0 up &&
				in_ns p$n route add default gw $gw
		}; then
			fail lab-up "proxy server $n could not be set up"
			finish
		fi
		ip netns exec p$n httpd -f -p 8080 -h $LAB/www/p$n </dev/null >/dev/null 2>&1 &
	done
	for n in 1 2 3 4 5 6; do
		lab_wait_port p$n 8080 || { fail lab-up "proxy server $n does not listen"; finish; }
	done
	pass lab-up
	lab_signal up

	# The seed's masquerading line: a proxy server's own connections out
	# to the local network leave with its director's address (the client
	# answers with the address it saw).
	# seen_from N: the source address the client saw for proxy server N
	# (busybox httpd listens on IPv6 and writes "[::ffff:A.B.C.D]")
	seen_from() {
		printf 'GET /cgi-bin/addr HTTP/1.0\r\n\r\n' |
			in_ns p$1 timeout 10 nc -w 5 $CIP 80 2>/dev/null | tr -d '\r' | tail -n 1 |
			sed 's/^\[::ffff:\(.*\)\]$/\1/'
	}
	await ippvs0 configured
	await ippvs1 configured
	await client up
	check_eq manual-masq-proxy1-as-ippvs0 "$IP0" "$(seen_from 1)"
	check_eq manual-masq-proxy4-as-ippvs1 "$IP1" "$(seen_from 4)"
	# after the manual failover ippvs1 holds 10.1.1.254: proxy 1's way out
	await ippvs1 took-over
	seen_from_is() { [ "$(seen_from "$1")" = "$2" ]; }
	wait_for 20 seen_from_is 1 $IP1
	check_eq failover-manual-masq-proxy1-as-ippvs1 "$IP1" "$(seen_from 1)"
	lab_signal masq-done
	await client done 600
}

# --- the client ------------------------------------------------------------------

# get VIP: one request to VIP:8080; prints the proxy number or ERR
get() {
	local line
	line=$(printf 'GET / HTTP/1.0\r\n\r\n' |
		timeout 4 nc -w 2 "$1" 8080 2>/dev/null | grep -a '^proxy server ')
	set -- $line
	[ "${1:-}" = proxy ] && echo "$3" || echo ERR
}
get_ok() { [ "$(get "$1")" != ERR ]; }
# answers VIP N: the proxies that answered N requests, sorted
answers() {
	local i
	for i in $(seq "$2"); do get "$1"; done | sort | tr '\n' ' ' | sed 's/ $//'
}
neigh_of() { ip neigh show "$1" dev eth0 | awk '{ for (i = 1; i < NF; i++) if ($i == "lladdr") print $(i + 1) }'; }
neigh_is() { [ "$(neigh_of "$1")" = "$2" ]; }

# serves VIP NAME: both VIPs answer from their own proxy sets, each proxy
# twice in six requests; VIP .10 from MAC_OF_10, .11 from MAC_OF_11
serves() {
	local name=$1 mac10=$2 mac11=$3
	wait_for 30 get_ok $VIP0
	check_eq "$name-vip10-proxies-1-3" "1 1 2 2 3 3" "$(answers $VIP0 6)"
	check_eq "$name-vip10-director" "$mac10" "$(neigh_of $VIP0)"
	wait_for 30 get_ok $VIP1
	check_eq "$name-vip11-proxies-4-6" "4 4 5 5 6 6" "$(answers $VIP1 6)"
	check_eq "$name-vip11-director" "$mac11" "$(neigh_of $VIP1)"
}

role_client() {
	local MAC0 MAC1
	mkdir -p $LAB/www/cgi-bin
	printf '#!/bin/sh\nprintf "Content-Type: text/plain\\r\\n\\r\\n%%s\\n" "$REMOTE_ADDR"\n' \
		> $LAB/www/cgi-bin/addr
	chmod +x $LAB/www/cgi-bin/addr
	if ! ifconfig eth0 $CIP netmask 255.255.255.0 up; then
		fail lab-up "eth0 setup failed"
		finish
	fi
	httpd -f -p 80 -h $LAB/www </dev/null >/dev/null 2>&1 &
	lab_wait_port_here() { netstat -ltn 2>/dev/null | grep -q ":80 "; }
	wait_for 10 lab_wait_port_here || { fail lab-up "httpd did not start"; finish; }
	pass lab-up
	lab_signal up
	await ippvs0 configured
	await ippvs1 configured
	MAC0=$(lab_flag ippvs0 up)
	MAC1=$(lab_flag ippvs1 up)

	# --- (1) manual: the seed's ippfvsadm lines ------------------------------
	serves manual "$MAC0" "$MAC1"
	lab_signal manual-checked
	await ippvs0 deleted
	check_eq manual-ippfvsadm-delete-proxy3 "1 1 2 2" "$(answers $VIP0 4)"
	lab_signal delete-checked
	await ippvs0 readded
	# -w 2 on proxy 3: wrr gives it two of every four
	check_eq manual-ippfvsadm-weight-2 "1 2 3 3" "$(answers $VIP0 4)"
	lab_signal weight-checked

	# --- (2) the seed's manual failover ----------------------------------------
	await ippvs1 took-over
	serves failover-manual "$MAC1" "$MAC1"
	lab_signal failover-checked

	# --- (3) automatic: xvsd, two resource groups --------------------------------
	await ippvs0 auto-active
	await ippvs1 auto-active
	serves auto-start "$MAC0" "$MAC1"
	lab_signal auto-checked
	await ippvs1 took-both
	serves auto-crash "$MAC1" "$MAC1"
	lab_signal crash-checked
	await ippvs0 healed
	await ippvs1 healed
	serves auto-heal "$MAC0" "$MAC1"
	lab_signal heal-checked
	await ippvs0 took-both
	serves auto-stop "$MAC0" "$MAC0"
	lab_signal stop-checked
	await ippvs0 back
	await ippvs1 back
	serves auto-back "$MAC0" "$MAC1"
	lab_signal done
}

# --- the directors ---------------------------------------------------------------

# the resource group of director N: its VIP and its private address
own_vip() { [ "$1" = 0 ] && echo $VIP0 || echo $VIP1; }
own_lan() { [ "$1" = 0 ] && echo $LAN0 || echo $LAN1; }
has_addr() { ip -4 addr show dev "$1" | grep -q "inet $2/"; }
# holds GROUPS: this director holds exactly these groups ("0", "1", "0 1")
holds() {
	local g want
	for g in 0 1; do
		want=no
		case " $1 " in *" $g "*) want=yes ;; esac
		if [ $want = yes ]; then
			has_addr eth0 "$(own_vip $g)" && has_addr eth1 "$(own_lan $g)" || return 1
		else
			! has_addr eth0 "$(own_vip $g)" && ! has_addr eth1 "$(own_lan $g)" || return 1
		fi
	done
}
addrs() { ip -4 -o addr show | awk '$2 ~ /^eth/ { printf "%s %s, ", $2, $4 }'; }
# dests VIP: the real servers of VIP:8080 in the kernel table
dests() { ipvsadm -L -n -t "$1:8080" 2>/dev/null | awk '$1 == "->" && $2 ~ /^[0-9]/ { print $2 }' | sort | tr '\n' ' '; }
full_tables() {
	[ "$(dests $VIP0)" = "10.1.1.1:8080 10.1.1.2:8080 10.1.1.3:8080 " ] &&
		[ "$(dests $VIP1)" = "10.1.1.4:8080 10.1.1.5:8080 10.1.1.6:8080 " ]
}
logged() { grep -qF "$1" $LAB/xvsd.out; }

xvsd_start() {
	lab_xvsd_start $LAB/xvsd.out -d $LAB/ha -c $LAB/ha/ldirectord.cf \
		-n "$XVS_VM" -s $LAB/xvsd.sock
}

# the seed's ippfvsadm lines of director N (run through xvsadm as
# ippfvsadm), their output in $LAB/ippfvsadm-N.out
seed_lines() {
	local rc=0
	if [ "$1" = 0 ]; then
		# On ippvs0:
		ippfvsadm -A -t 203.1.1.10:8080 -R 10.1.1.1:8080 || rc=1
		ippfvsadm -A -t 203.1.1.10:8080 -R 10.1.1.2:8080 || rc=1
		ippfvsadm -A -t 203.1.1.10:8080 -R 10.1.1.3:8080 || rc=1
	else
		# On ippvs1: the seed prints -R 10.1.1.1-3 here, with the comment
		# "to 10.1.1.4:8080", "and 10.1.1.5", "and 10.1.1.6"; its
		# addresses and routes (4-6 route through ippvs1) say 4-6: with
		# 1-3 their answers would go back through ippvs0, which knows
		# nothing of the connection.
		ippfvsadm -A -t 203.1.1.11:8080 -R 10.1.1.4:8080 || rc=1
		ippfvsadm -A -t 203.1.1.11:8080 -R 10.1.1.5:8080 || rc=1
		ippfvsadm -A -t 203.1.1.11:8080 -R 10.1.1.6:8080 || rc=1
	fi
	return $rc
}

# the modern form of the seed's `ipfwadm -F -a m 10.1.2.0/24 -D 0.0.0.0/0`:
# masquerade what the private LAN forwards to the outside.  (The seed's
# 10.1.2.0/24 is not its own private LAN, 10.1.1.0/24: that is masqueraded.)
masquerade() {
	nft add table ip seed003 &&
		nft add chain ip seed003 postrouting '{ type nat hook postrouting priority 100 ; }' &&
		nft add rule ip seed003 postrouting ip saddr 10.1.1.0/24 oifname eth0 masquerade
}

# gratuitous ARP for ADDR on IFACE: the seed does not say; without it the
# client and the proxies keep the dead director's MAC until their entries
# expire (heartbeat's send_arp did it in 1999; xvsd does it itself)
garp() { arping -U -c 2 -I "$1" -s "$2" "$2" >/dev/null 2>&1 || true; }

director_config() {
	mkdir -p $LAB/ha
	cat > $LAB/ha/ha.cf <<CF
keepalive 1
deadtime 4
warntime 2
initdead 8
udpport 694
bcast eth0
auto_failback on
node ippvs0
node ippvs1
garp_count 3
garp_interval 300ms
CF
	# two resource groups: each director is the preferred node of its own
	# VIP and private address (the seed's eth0:0 and eth1)
	cat > $LAB/ha/haresources <<CF
ippvs0 IPaddr::$VIP0/24/eth0 IPaddr::$LAN0/24/eth1
ippvs1 IPaddr::$VIP1/24/eth0 IPaddr::$LAN1/24/eth1
CF
	printf 'auth 1\n1 sha256 greased-turkey\n' > $LAB/ha/authkeys
	chmod 600 $LAB/ha/authkeys
	# both virtual services on both directors: a director serves the one
	# whose VIP it holds
	cat > $LAB/ha/ldirectord.cf <<CF
checktimeout=2
checkinterval=1
quiescent=no
virtual=$VIP0:8080
	real=10.1.1.1:8080 masq
	real=10.1.1.2:8080 masq
	real=10.1.1.3:8080 masq
	checktype=connect
	scheduler=wrr
	protocol=tcp
virtual=$VIP1:8080
	real=10.1.1.4:8080 masq
	real=10.1.1.5:8080 masq
	real=10.1.1.6:8080 masq
	checktype=connect
	scheduler=wrr
	protocol=tcp
CF
}

director_logs() {
	[ -f $LAB/xvsd.out ] || return 0
	if [ "$XVS_NFAIL" -gt 0 ]; then
		log "a test failed: $XVS_VM's xvsd log"
		quote < $LAB/xvsd.out
	else
		log "$XVS_VM's xvsd log:"
		grep -E "acquir|Acquir|releas|Releas|dead|heartbeat:" $LAB/xvsd.out | head -40 | quote
	fi
}

role_director() {
	local N=${XVS_VM#ippvs} ip peer out before t0
	ip=$IP0
	peer=ippvs1
	[ "$N" = 1 ] && ip=$IP1 && peer=ippvs0
	mkdir -p $LAB
	if ! out=$(lb_load "$LB" 2>&1); then
		fail load "$out"
		finish
	fi
	pass load
	# eth0 the machine's address, eth1 the private LAN (a VLAN here, the
	# lab's VMs have one NIC), as the seed's table of addresses
	if ! {
		modprobe 8021q && ifconfig eth0 $ip netmask 255.255.255.0 up &&
			ip link add link eth0 name eth1 type vlan id $VLAN &&
			ifconfig eth0:0 "$(own_vip "$N")" netmask 255.255.255.0 up &&
			ifconfig eth1 "$(own_lan "$N")" netmask 255.255.255.0 up &&
			echo 1 > /proc/sys/net/ipv4/ip_forward
	}; then
		fail lab-up "$XVS_VM's interfaces could not be set up"
		finish
	fi
	check manual-masquerade masquerade
	lab_signal up "$(mac_of_eth0)"
	await proxies up
	out=$(seed_lines "$N" 2>&1)
	if [ $? = 0 ]; then
		pass manual-seed-lines
	else
		fail manual-seed-lines "ippfvsadm failed"
		quote <<<"$out"
	fi
	# what ippfvsadm printed: the ipvsadm commands it ran
	if [ "$N" = 0 ]; then
		check_eq manual-ippfvsadm-says "ippfvsadm: ipvsadm -A -t 203.1.1.10:8080 -s wrr
ippfvsadm: ipvsadm -a -t 203.1.1.10:8080 -r 10.1.1.1:8080 -m -w 1
ippfvsadm: ipvsadm -a -t 203.1.1.10:8080 -r 10.1.1.2:8080 -m -w 1
ippfvsadm: ipvsadm -a -t 203.1.1.10:8080 -r 10.1.1.3:8080 -m -w 1" "$out"
	fi
	# the stock ipvsadm reads the table they made
	check_eq manual-table "$(printf -- '-A -t %s:8080 -s wrr\n' "$(own_vip "$N")"; for r in $([ "$N" = 0 ] && echo 1 2 3 || echo 4 5 6); do printf -- '-a -t %s:8080 -r 10.1.1.%s:8080 -m -w 1\n' "$(own_vip "$N")" "$r"; done)" \
		"$(ipvsadm -S -n)"
	lab_signal configured

	if [ "$N" = 0 ]; then
		# bad lines: a clear error, status 2, the table untouched
		before=$(ipvsadm -S -n)
		out=$(ippfvsadm -A -t 203.1.1.10:8080 2>&1)
		check_eq manual-ippfvsadm-bad-status 2 $?
		check_eq manual-ippfvsadm-bad-says "ippfvsadm: -A needs a real server (-R r.r.r.r[:rport])" "$(head -n 1 <<<"$out")"
		out=$(ippfvsadm -A -t 203.1.1.10:8080 -R 10.1.1.99:80 -w x 2>&1)
		check_eq manual-ippfvsadm-bad-weight-status 2 $?
		out=$(ippfvsadm -A -t 203.1.1.10:8080 -R 10.1.1.1:8080 2>&1)
		check_eq manual-ippfvsadm-exists "Destination already exists" "$out"
		check_eq manual-ippfvsadm-bad-unchanged "$before" "$(ipvsadm -S -n)"
		# -D of the last real server takes the service along
		ippfvsadm -A -u 203.1.1.10:53 -R 10.1.1.1 >/dev/null
		out=$(ippfvsadm -D -u 203.1.1.10:53 -R 10.1.1.1:53)
		check_eq manual-ippfvsadm-delete-last "ippfvsadm: ipvsadm -d -u 203.1.1.10:53 -r 10.1.1.1:53
ippfvsadm: ipvsadm -D -u 203.1.1.10:53" "$out"
		check_eq manual-ippfvsadm-delete-last-table "$before" "$(ipvsadm -S -n)"

		await client manual-checked
		out=$(ippfvsadm -D -t 203.1.1.10:8080 -R 10.1.1.3:8080)
		check_eq manual-ippfvsadm-delete "ippfvsadm: ipvsadm -d -t 203.1.1.10:8080 -r 10.1.1.3:8080" "$out"
		lab_signal deleted
		await client delete-checked
		ippfvsadm -A -t 203.1.1.10:8080 -R 10.1.1.3:8080 -w 2 >/dev/null
		lab_signal readded
		await client weight-checked
		# -L is ipvsadm's listing (compared while no traffic changes the
		# connection counts)
		check_eq manual-ippfvsadm-list "$(xvsadm -L -n)" "$(ippfvsadm -L -n 2>/dev/null)"

		# --- (2) "Switch ippvs0 off" ------------------------------------------
		ip link set eth0 down
		lab_signal off
		await ippvs1 clean
		# back on for the automatic part, with nothing of the manual one
		ippfvsadm -C >/dev/null
		check_eq manual-ippfvsadm-clear "" "$(ipvsadm -S -n)"
		ip -4 addr flush dev eth0 label 'eth0:*'
		ip addr flush dev eth1
		ip link set eth0 up
		ip link set eth1 up
	else
		# --- (2) the seed's manual failover on ippvs1 --------------------------
		await ippvs0 off
		t0=$(now)
		if ifconfig eth0:1 $VIP0 netmask 255.255.255.0 up &&
			ifconfig eth1:0 $LAN0 netmask 255.255.255.0 up; then
			pass failover-manual-aliases
		else
			fail failover-manual-aliases "ifconfig failed"
		fi
		garp eth0 $VIP0
		garp eth1 $LAN0
		out=$(seed_lines 0 2>&1)
		check failover-manual-ippvs0-lines [ $? = 0 ]
		log "manual failover on ippvs1: $(elapsed "$t0") ms of commands"
		lab_signal took-over
		await client failover-checked
		await proxies masq-done
		ippfvsadm -C >/dev/null
		ifconfig eth0:1 down
		ifconfig eth1:0 down
		# (and what the automatic part brings itself)
		ip -4 addr flush dev eth0 label 'eth0:*'
		ip addr flush dev eth1
		lab_signal clean
	fi

	# --- (3) automatic: xvsd, two resource groups --------------------------------
	director_config
	check auto-check-config xvsd -d $LAB/ha -c $LAB/ha/ldirectord.cf -n "$XVS_VM" check-config
	lab_signal auto-ready
	await $peer auto-ready
	t0=$(now)
	xvsd_start
	if wait_for 40 holds "$N" && wait_for 20 full_tables; then
		pass auto-start-own-group
		log "$XVS_VM holds its group and serves both tables $(elapsed "$t0") ms after xvsd started"
	else
		fail auto-start-own-group "addresses: $(addrs)"
		tail -20 $LAB/xvsd.out | quote
	fi
	lab_signal auto-active
	await client auto-checked

	if [ "$N" = 0 ]; then
		# ippvs0 crashes: its link goes down
		t0=$(now)
		ip link set eth0 down
		lab_signal link-down
		await client crash-checked
		ip link set eth0 up
		t0=$(now)
		if wait_for 40 holds 0 && wait_for 30 full_tables; then
			pass auto-heal-own-group
			log "link back: ippvs0 has only its own group, tables full, after $(elapsed "$t0") ms"
		else
			fail auto-heal-own-group "addresses: $(addrs)"
		fi
		lab_signal healed
		# ippvs1's xvsd stops: its group comes here at once
		await ippvs1 stopped
		t0=$(now)
		if wait_for 20 holds "0 1"; then
			pass auto-stop-takes-both
			log "ippvs1's xvsd stopped: ippvs0 holds both groups $(elapsed "$t0") ms after it learnt of it"
		else
			fail auto-stop-takes-both "addresses: $(addrs)"
		fi
		check auto-stop-log wait_for 5 logged "acquiring resource group $VIP1: node ippvs1 left the cluster"
		lab_signal took-both
		await ippvs1 restarted
		if wait_for 40 holds 0; then
			pass auto-back-own-group
		else
			fail auto-back-own-group "addresses: $(addrs)"
		fi
		check auto-back-log wait_for 5 logged "Releasing resource group: ippvs1 IPaddr::$VIP1/24/eth0 IPaddr::$LAN1/24/eth1"
		lab_signal back
	else
		await ippvs0 link-down
		t0=$(now)
		if wait_for 30 holds "0 1"; then
			pass auto-crash-takes-both
			log "ippvs0's link down: ippvs1 holds both groups $(elapsed "$t0") ms after it learnt of it (deadtime 4000 ms)"
		else
			fail auto-crash-takes-both "addresses: $(addrs)"
			tail -20 $LAB/xvsd.out | quote
		fi
		check auto-crash-log wait_for 5 logged "acquiring resource group $VIP0: node ippvs0 is dead"
		check auto-crash-tables full_tables
		lab_signal took-both
		await client crash-checked
		t0=$(now)
		if wait_for 40 holds 1 && wait_for 30 full_tables; then
			pass auto-heal-own-group
			log "ippvs0 back: ippvs1 has only its own group $(elapsed "$t0") ms after it learnt of it"
		else
			fail auto-heal-own-group "addresses: $(addrs)"
		fi
		lab_signal healed
		await client heal-checked
		# a graceful stop: the group is released, ippvs0 takes it at once
		lab_xvsd_stop
		if holds ""; then
			pass auto-stop-released
		else
			fail auto-stop-released "addresses: $(addrs)"
		fi
		lab_signal stopped
		await client stop-checked
		t0=$(now)
		xvsd_start
		lab_signal restarted
		if wait_for 40 holds 1 && wait_for 30 full_tables; then
			pass auto-back-own-group
			log "xvsd restarted: ippvs1 has its group back after $(elapsed "$t0") ms"
		else
			fail auto-back-own-group "addresses: $(addrs)"
		fi
		lab_signal back
	fi
	await client done 600
	lab_xvsd_stop
	director_logs
}

mkdir -p $LAB
case $XVS_VM in
client) role_client ;;
ippvs0 | ippvs1) role_director ;;
proxies) role_proxies ;;
*) fail role "no role for VM '$XVS_VM'" ;;
esac
finish
