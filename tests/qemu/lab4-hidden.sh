#!/bin/bash
# Seed 000, Lab 4 "Setting Up LVS/Tunnel Cluster": the ARP problem and the
# hidden interface, on three VMs of one LAN (192.168.1.0/24):
#
#   client    192.168.1.254
#   director  192.168.1.10, later the VIP 192.168.1.176 on eth0:0 and xvs
#   rs        192.168.1.101, the VIP on tunl0 (seed commands), an httpd on
#             VIP:80; it runs no IPVS
#
# Seed steps 5.1-5.12 first, before the director holds the VIP: the client
# pings the VIP and finds the realserver's MAC for it; after `arp -d` the
# entry is gone and comes back with the next ping.  The realserver then
# hides tunl0 (echo 1 > .../conf/all/hidden, .../conf/tunl0/hidden); the
# cached entry still works, but once deleted the VIP gets no ARP reply
# (ping fails, the entry stays unresolved, arping gets nothing) while the
# realserver's own address still resolves.  A request the realserver sends
# for a packet from the VIP names its RIP, not the VIP, as sender (the
# client learns RIP, not VIP, from it).  Then (seed step 6) the director
# brings up the VIP and xvs with an LVS-TUN service; the client resolves
# the VIP to the director and reaches the realserver's page through it; the
# director's counters show packets in and none out (replies bypass it).
#
# Variants: "patched": the realserver boots the test kernel of `make
# kernel` (patches/linux-6.1: net.ipv4.conf.*.hidden; the debug flavour
# that `make test` builds, or the release one when only that is built);
# "xvs": it boots Debian's kernel and loads xvs.ko only for its switch
# (/proc/sys/net/xvs/conf/*/hidden, kmod/hidden.c).
# xvs-timeout: 420
# xvs-vms: 3
# xvs-variant: patched
# xvs-variant: xvs
# xvs-vm: client debian
# xvs-vm: director debian
# xvs-vm: rs debug|release patched
# xvs-vm: rs debian xvs
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lib-lab.sh"

MODE=${1:?usage: lab4-hidden.sh patched|xvs}
VIP=192.168.1.176
DIP=192.168.1.10
RIP=192.168.1.101
CIP=192.168.1.254
WAIT=300	# seconds a VM waits for another's step

# neigh_mac IP: the MAC the neighbour table has for IP on eth0 (or nothing)
neigh_mac() {
	ip neigh show "$1" dev eth0 | awk '{ for (i = 1; i < NF; i++) if ($i == "lladdr") print $(i + 1) }'
}

# wait_step VM FLAG: waits for a step of VM; on timeout fails and ends here
wait_step() {
	lab_wait "$1" "$2" $WAIT && return 0
	fail "wait-$1-$2" "$1 did not reach step $2 within $WAIT s"
	finish
}

role_rs() {
	local hid
	modprobe ipip || fail modprobe-ipip "modprobe ipip failed"
	ifconfig eth0 $RIP netmask 255.255.255.0 up
	# the seed's commands 1-3
	ifconfig tunl0 0.0.0.0 up
	ifconfig tunl0 $VIP netmask 255.255.255.255 broadcast $VIP up
	# requests come in by the tunnel, replies leave by eth0
	for c in all default eth0 tunl0; do
		echo 0 > /proc/sys/net/ipv4/conf/$c/rp_filter
	done
	check_eq vip-on-tunl0 "$VIP/32" "$(ip -o -4 addr show dev tunl0 | awk '{ print $4 }')"
	mkdir -p /tmp/www
	echo "realserver rs $RIP" > /tmp/www/index.html
	httpd -p $VIP:80 -h /tmp/www
	if [ "$MODE" = xvs ]; then
		hid=/proc/sys/net/xvs/conf
		check insmod-xvs insmod "$XVS_KO"
	else
		hid=/proc/sys/net/ipv4/conf
		log "kernel $(uname -r)"
	fi
	check hidden-sysctl test -f $hid/all/hidden -a -f $hid/tunl0/hidden
	check_eq hidden-default "0 0" "$(cat $hid/all/hidden $hid/tunl0/hidden 2>&1 | tr '\n' ' ' | sed 's/ $//')"
	lab_signal rs-up "$(cat /sys/class/net/eth0/address)"

	wait_step client arp-seen
	# seed steps 8-10
	echo 1 > $hid/all/hidden
	echo 1 > $hid/tunl0/hidden
	check_eq hidden-set "1 1" "$(cat $hid/all/hidden $hid/tunl0/hidden 2>&1 | tr '\n' ' ' | sed 's/ $//')"
	lab_signal hidden

	# a packet from the VIP to the client needs an ARP request: its sender
	# must be the RIP
	wait_step client ready-for-request
	ip neigh flush dev eth0
	ping -c 1 -W 2 -I $VIP $CIP >/dev/null 2>&1
	lab_signal request-sent

	wait_step client done
	local rx
	rx=$(cat /sys/class/net/tunl0/statistics/rx_packets)
	log "tunl0 rx_packets=$rx"
	check rs-tunl0-rx [ "$rx" -ge 4 ]
	[ "$MODE" = xvs ] && check rmmod-xvs rmmod xvs
}

role_client() {
	local rsmac got
	ifconfig eth0 $CIP netmask 255.255.255.0 up
	wait_step rs rs-up
	rsmac=$(lab_flag rs rs-up)
	# seed step 5: the VIP answers, with the realserver's MAC
	check ping-vip ping -c 2 -W 2 $VIP
	check_eq vip-mac-is-rs "$rsmac" "$(neigh_mac $VIP)"
	# steps 6-7: arp -d, gone, back with the next ping
	arp -d $VIP
	check_eq arp-deleted "" "$(neigh_mac $VIP)"
	check ping-vip-again ping -c 1 -W 2 $VIP
	check_eq vip-mac-again "$rsmac" "$(neigh_mac $VIP)"
	lab_signal arp-seen

	wait_step rs hidden
	# step 11: the cached entry still works (a stale entry is confirmed by
	# unicast requests, which a hidden address still answers)
	check ping-cached ping -c 1 -W 2 $VIP
	# step 12: no reply any more
	arp -d $VIP
	if ping -c 2 -W 1 $VIP >/dev/null 2>&1; then
		fail hidden-no-ping-reply "the VIP still answers: $(ip neigh show $VIP dev eth0)"
	else
		pass hidden-no-ping-reply
	fi
	got=$(ip neigh show $VIP dev eth0)
	log "neighbour entry of the VIP: ${got:-none}"
	check_eq hidden-vip-unresolved "" "$(neigh_mac $VIP)"
	if arping -c 2 -w 3 -I eth0 $VIP > /tmp/arping.out 2>&1; then
		fail hidden-no-arp-reply "$(tr '\n' ' ' < /tmp/arping.out)"
	else
		pass hidden-no-arp-reply
	fi
	# the realserver's own address still resolves
	check arping-rip arping -c 1 -w 3 -I eth0 $RIP
	check_eq rip-mac "$rsmac" "$(neigh_mac $RIP)"

	ip neigh flush dev eth0
	lab_signal ready-for-request
	wait_step rs request-sent
	check_eq rs-request-hides-vip "" "$(neigh_mac $VIP)"
	check_eq rs-request-sender-rip "$rsmac" "$(neigh_mac $RIP)"
	lab_signal client-checked

	# seed step 6: the cluster
	wait_step director lvs-up
	arp -d $VIP 2>/dev/null
	check ping-vip-director ping -c 1 -W 2 $VIP
	check_eq vip-mac-is-director "$(lab_flag director lvs-up)" "$(neigh_mac $VIP)"
	local i ok=0 page
	for i in 1 2 3; do
		page=$(printf 'GET / HTTP/1.0\r\n\r\n' | timeout 10 nc -w 5 $VIP 80 2>/dev/null | grep -a '^realserver ')
		[ "$page" = "realserver rs $RIP" ] && ok=$((ok + 1))
	done
	check_eq service-through-director 3 $ok
	lab_signal done
}

role_director() {
	local out stats
	ifconfig eth0 $DIP netmask 255.255.255.0 up
	wait_step client client-checked
	ifconfig eth0:0 $VIP netmask 255.255.255.255 broadcast $VIP up
	echo 1 > /proc/sys/net/ipv4/ip_forward
	if ! out=$(lb_load xvs 2>&1); then
		fail load "$out"
		finish
	fi
	pass load
	check ipvsadm-add-service ipvsadm -A -t $VIP:80 -s wlc
	check ipvsadm-add-rs ipvsadm -a -t $VIP:80 -r $RIP -i
	ipvsadm -L -n
	check_eq forward-tunnel 1 "$(ipvsadm -L -n | awk '$1 == "->" && $3 == "Tunnel"' | wc -l)"
	lab_signal lvs-up "$(cat /sys/class/net/eth0/address)"

	wait_step client done
	ipvsadm -L -n --stats --exact
	stats=$(ipvsadm -L -n --stats --exact -t $VIP:80 | awk '$1 == "TCP" { print $3, $4, $5 }')
	set -- $stats
	check_eq conns 3 "${1:-none}"
	check inpkts [ "${2:-0}" -ge 12 ]
	check_eq outpkts-zero 0 "${3:-none}"
	check unload lb_unload
}

case $XVS_VM in
rs) role_rs ;;
client) role_client ;;
director) role_director ;;
*) fail role "no role for VM '$XVS_VM'" ;;
esac
finish
