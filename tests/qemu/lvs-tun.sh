#!/bin/bash
# Seed 000 "Setting Up LVS/Tunnel Cluster": director and realservers on one
# segment (192.168.1.0/24, one bridge) with the client, all network
# namespaces in one VM.  The realservers load ipip, bring tunl0 up and put
# the VIP 192.168.1.176 on it with netmask 255.255.255.255 as the seed
# does; the seed's "hidden" flag is a patch of old kernels, so the VIP is
# kept out of ARP with arp_ignore=1 / arp_announce=2 instead, and rp_filter
# is off (requests arrive on the tunnel, replies leave by eth0).  For GUE
# the realservers also listen with `ip fou add port 6080 gue`, for GRE they
# get a GRE device (with icsum when the director sends checksums) holding
# the VIP.
#
# For each tunnel type (ipip, gue, gue with --tun-csum, gue with
# --tun-remcsum, gre, gre with --tun-csum) the service is set up afresh
# (rr, both realservers) and checks that: requests are answered by both
# realservers, which receive them on the expected tunnel device (and for
# GUE as UDP); the director never sees a reply (out counters 0); a DF
# segment too big for the tunnel gets fragmentation-needed with the route
# MTU less the tunnel headers, which the client records as path MTU.
#
# Argument: the balancer, ipvs (the kernel's ip_vs) or xvs (xvs.ko).
# xvs's run here has the fast path on (the budget: make test runs the
# plain lvs-tun:xvs on the debug kernel).
# xvs-timeout: 600
# xvs-variant: ipvs
# xvs-reference: ipvs
# xvs-variant: xvs fast
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lib-net.sh"
. "$(dirname "$0")/lib-fast.sh"

LB=${1:?usage: lvs-tun.sh ipvs|xvs [fast]}
# fast: with the flow fast path on (lib-fast.sh)
FAST=${2:-}
NREQ=6
VIP=192.168.1.176
DIP=192.168.1.10
CIP=192.168.1.254
GUE_PORT=6080
TUN_RS="1 2"

rip() { echo "192.168.1.10$1"; }

tun_up() {
	local n
	mkdir -p $LAB/www
	net_segment br-tun client director rs1 rs2 || return 1
	in_ns client ip addr add $CIP/24 dev eth0
	in_ns client ip link set eth0 up
	in_ns director sh -c "
		ifconfig eth0 $DIP netmask 255.255.255.0 up &&
		ifconfig eth0:0 $VIP netmask 255.255.255.255 broadcast $VIP up &&
		echo 1 > /proc/sys/net/ipv4/ip_forward" ||
		{ echo "director setup failed"; return 1; }
	modprobe ipip || { echo "modprobe ipip failed"; return 1; }
	modprobe fou || { echo "modprobe fou failed"; return 1; }
	modprobe ip_gre || { echo "modprobe ip_gre failed"; return 1; }
	for n in $TUN_RS; do
		in_ns rs$n sh -c "
			for c in all default lo; do
				echo 1 > /proc/sys/net/ipv4/conf/\$c/arp_ignore
				echo 2 > /proc/sys/net/ipv4/conf/\$c/arp_announce
				echo 0 > /proc/sys/net/ipv4/conf/\$c/rp_filter
			done
			ifconfig eth0 $(rip $n) netmask 255.255.255.0 up &&
			echo 0 > /proc/sys/net/ipv4/conf/eth0/rp_filter &&
			echo 0 > /proc/sys/net/ipv4/conf/tunl0/rp_filter &&
			ifconfig tunl0 0.0.0.0 up &&
			ifconfig tunl0 $VIP netmask 255.255.255.255 broadcast $VIP up" ||
			{ echo "rs$n setup failed"; return 1; }
		# (iproute2's ip, outside busybox sh, which prefers its own applet)
		in_ns rs$n ip fou add port $GUE_PORT gue || { echo "rs$n: ip fou failed"; return 1; }
		lab_serve_vip rs$n "realserver rs$n $(rip $n)"
	done
	lab_vip_reachable "$TUN_RS"
}

tun_down() { lab_teardown br-tun; }

# the GRE device of the realservers: with icsum when $1 = csum
gre_dev() {
	local n
	for n in $TUN_RS; do
		in_ns rs$n ip link del xgre 2>/dev/null
		[ "$1" = none ] && continue
		in_ns rs$n ip link add xgre type gre local "$(rip $n)" $([ "$1" = csum ] && echo icsum) &&
		in_ns rs$n ip addr add $VIP/32 dev xgre &&
		in_ns rs$n ip link set xgre up || return 1
	done
}

udp_in() {
	in_ns "$1" awk '$1 == "Udp:" && !h { for (i = 1; i <= NF; i++) c[$i] = i; h = 1; next }
		$1 == "Udp:" { print $c["InDatagrams"] }' /proc/net/snmp
}

if ! out=$(lb_load "$LB" 2>&1); then
	fail load "$out"
	finish
fi
pass load
if ! tun_up > /tmp/lab-up.log 2>&1; then
	fail lab-up "$(tail -n 3 /tmp/lab-up.log)"
	tun_down
	finish
fi
pass lab-up
[ "$FAST" = fast ] && fast_path_begin director
dmac=$(in_ns director cat /sys/class/net/eth0/address)
cmac=$(in_ns client ip neigh show $VIP dev eth0 | awk '{ for (i = 1; i < NF; i++) if ($i == "lladdr") print $(i + 1) }')
check_eq vip-arp-is-director "$dmac" "$cmac"

# type  ipvsadm tunnel options  GRE device  decap device  UDP?  path MTU
types=(
	"ipip|                                               |none |tunl0|0|1480"
	"gue|--tun-type gue --tun-port $GUE_PORT             |none |tunl0|1|1468"
	"gue-csum|--tun-type gue --tun-port $GUE_PORT --tun-csum |none |tunl0|1|1468"
	"gue-remcsum|--tun-type gue --tun-port $GUE_PORT --tun-remcsum|none |tunl0|1|1460"
	"gre|--tun-type gre --tun-nocsum                     |plain|xgre |0|1476"
	"gre-csum|--tun-type gre --tun-csum                  |csum |xgre |0|1472"
)
svc=$VIP:80
for t in "${types[@]}"; do
	IFS='|' read -r name opts gre dev udp pmtu <<< "$t"
	read -r opts <<< "$opts"
	read -r gre <<< "$gre"
	read -r dev <<< "$dev"
	log "tunnel type $name: $opts"
	if ! gre_dev "$gre"; then
		fail "$name/gre-dev" "cannot create the GRE device"
		continue
	fi
	ok=1
	# (FIN_WAIT entries of the previous type expire in 2 s, so a reused
	# client port cannot stick to the realserver it had before)
	for c in "-C" "--set 900 2 300" "-A -t $svc -s rr" \
		"-a -t $svc -r $(rip 1) -i $opts" "-a -t $svc -r $(rip 2) -i $opts"; do
		# shellcheck disable=SC2086
		if ! out=$(lvs $c 2>&1); then
			fail "$name/configure" "ipvsadm $c: $out"
			ok=0
			break
		fi
	done
	[ $ok = 1 ] || continue
	pass "$name/configure"
	lvs -L -n
	check_eq "$name/forward-tunnel" 2 "$(lvs -L -n | awk '$1 == "->" && $3 == "Tunnel"' | wc -l)"
	declare -A rx0=() rx1=() udp0=() udp1=()
	for n in $TUN_RS; do
		rx0[$n]=$(rx_packets rs$n "$dev")
		udp0[$n]=$(udp_in rs$n)
	done
	declare -A count=([rs1]=0 [rs2]=0 [ERR]=0)
	got=()
	for i in $(seq $NREQ); do
		s=$(lab_get 80)
		got+=("$s")
		count[$s]=$((${count[$s]:-0} + 1))
	done
	log "answers: ${got[*]}"
	check_eq "$name/replies" 0 "${count[ERR]}"
	check_eq "$name/rr-distribution" "rs1=3 rs2=3" "rs1=${count[rs1]} rs2=${count[rs2]}"
	for n in $TUN_RS; do
		rx1[$n]=$(rx_packets rs$n "$dev")
		udp1[$n]=$(udp_in rs$n)
		# at least SYN, ACK, request, FIN per request through the tunnel
		check "$name/rs$n-rx-$dev" [ $((rx1[$n] - rx0[$n])) -ge $((4 * count[rs$n])) ]
		if [ "$udp" = 1 ]; then
			check "$name/rs$n-udp-in" [ $((udp1[$n] - udp0[$n])) -ge $((4 * count[rs$n])) ]
		else
			check_eq "$name/rs$n-no-udp" 0 $((udp1[$n] - udp0[$n]))
		fi
	done
	# replies went from the realservers straight to the client
	sleep 2.5
	lvs -L -n --stats --exact
	check_eq "$name/outpkts-zero" 0 "$(lab_svc_stat $svc 5)"
	check "$name/inpkts" [ "$(lab_svc_stat $svc 4)" -ge $((4 * NREQ)) ]
	# a full-sized DF segment does not fit the tunnel: frag-needed
	# (bash's /dev/tcp and 8 KiB writes: full-sized segments at once)
	in_ns client timeout 10 bash -c "exec 3<>/dev/tcp/$VIP/80 &&
		dd if=/dev/zero bs=8192 count=4 >&3 2>/dev/null; sleep 1" >/dev/null 2>&1
	route=$(in_ns client ip route get $VIP)
	log "client route to the VIP: $(echo $route)"
	got_mtu=$(echo "$route" | sed -n 's/.* mtu \([0-9]*\).*/\1/p')
	check_eq "$name/path-mtu" "$pmtu" "$got_mtu"
	# forget the path MTU: the connected route goes with the address
	in_ns client ip addr flush dev eth0
	in_ns client ip addr add $CIP/24 dev eth0
done
gre_dev none

[ "$FAST" = fast ] && fast_path_end director
tun_down
check unload lb_unload
finish
