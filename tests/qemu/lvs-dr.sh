#!/bin/bash
# Seed 002 "LVS-DR": director and two HTTP realservers on one segment
# (192.168.0.0/24, one bridge), the client on the same segment, all network
# namespaces in one VM, configured with the seed's own commands: DIP
# 192.168.0.10 with the VIP 192.168.0.1 on eth0:0, realservers
# 192.168.0.100 and .200 with the VIP on lo:0 (netmask 255.255.255.255) and
# arp_ignore=1 / arp_announce=2, `ipvsadm -A -t VIP:80 -s wlc` with -g and
# weights 1 and 2.  The realservers' httpd listens on the VIP only.  Checks
# that requests reach the realservers in wlc order with the VIP as
# destination, that only the director answers ARP for the
# VIP, and that replies bypass the director (its out counters stay 0).
#
# Argument: the balancer, ipvs (the kernel's ip_vs) or xvs (xvs.ko).
# xvs-timeout: 400
# xvs-variant: ipvs
# xvs-reference: ipvs
# xvs-variant: xvs
# xvs-variant: xvs fast
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lib-net.sh"
. "$(dirname "$0")/lib-fast.sh"

LB=${1:?usage: lvs-dr.sh ipvs|xvs [fast]}
# fast: with the flow fast path on (lib-fast.sh)
FAST=${2:-}
NREQ=12
VIP=192.168.0.1
DIP=192.168.0.10
RIP1=192.168.0.100
RIP2=192.168.0.200
CIP=192.168.0.254
DR_RS="1 2"

rip() { [ "$1" = 1 ] && echo $RIP1 || echo $RIP2; }

dr_up() {
	local n
	mkdir -p $LAB/www
	net_segment br-dr client director rs1 rs2 || return 1
	in_ns client ip addr add $CIP/24 dev eth0
	in_ns client ip link set eth0 up
	# the director, step 1 of the seed
	in_ns director sh -c "
		ifconfig eth0 $DIP netmask 255.255.255.0 up &&
		ifconfig eth0:0 $VIP up broadcast $VIP netmask 255.255.255.255 up &&
		route add -host $VIP dev eth0:0 &&
		route add -host $DIP dev eth0 &&
		echo 1 > /proc/sys/net/ipv4/ip_forward" ||
		{ echo "director setup failed"; return 1; }
	# the realservers, steps 2 and 3 (sysctls before the VIP)
	for n in $DR_RS; do
		in_ns rs$n sh -c "
			echo 1 > /proc/sys/net/ipv4/conf/lo/arp_ignore &&
			echo 2 > /proc/sys/net/ipv4/conf/lo/arp_announce &&
			echo 1 > /proc/sys/net/ipv4/conf/all/arp_ignore &&
			echo 2 > /proc/sys/net/ipv4/conf/all/arp_announce &&
			ifconfig eth0 $(rip $n) netmask 255.255.255.0 up &&
			ifconfig lo:0 $VIP broadcast $VIP netmask 255.255.255.255 up &&
			route add -host $VIP dev lo:0" ||
			{ echo "rs$n setup failed"; return 1; }
		lab_serve_vip rs$n "realserver rs$n $(rip $n)"
	done
	lab_vip_reachable "$DR_RS"
}

dr_down() { lab_teardown br-dr; }

# tcp_in_segs NS: TCP segments received by a namespace
tcp_in_segs() {
	in_ns "$1" awk '$1 == "Tcp:" && !h { for (i = 1; i <= NF; i++) c[$i] = i; h = 1; next }
		$1 == "Tcp:" { print $c["InSegs"] }' /proc/net/snmp
}

if ! out=$(lb_load "$LB" 2>&1); then
	fail load "$out"
	finish
fi
pass load
if ! dr_up > /tmp/lab-up.log 2>&1; then
	fail lab-up "$(tail -n 3 /tmp/lab-up.log)"
	dr_down
	finish
fi
pass lab-up
[ "$FAST" = fast ] && fast_path_begin director

# ARP for the VIP must be answered by the director only
dmac=$(in_ns director cat /sys/class/net/eth0/address)
cmac=$(in_ns client ip neigh show $VIP dev eth0 | awk '{ for (i = 1; i < NF; i++) if ($i == "lladdr") print $(i + 1) }')
check_eq vip-arp-is-director "$dmac" "$cmac"

# the director script of the seed
cmds=(
	"-C"
	"-A -t $VIP:80 -s wlc"
	"-a -t $VIP:80 -r $RIP1 -g -w 1"
	"-a -t $VIP:80 -r $RIP2 -g -w 2"
)
ok=1
for c in "${cmds[@]}"; do
	# shellcheck disable=SC2086
	if ! out=$(lvs $c 2>&1); then
		fail configure "ipvsadm $c: $out"
		ok=0
		break
	fi
done
[ $ok = 1 ] && pass configure
lvs -L -n
check_eq forward-route 2 "$(lvs -L -n | awk '$1 == "->" && $3 == "Route"' | wc -l)"

# wlc over inactive connections, newest destination scanned first
expected=$(awk -v order="rs2:2 rs1:1" -v n=$NREQ 'BEGIN {
	k = split(order, a, " ")
	for (i = 1; i <= k; i++) { split(a[i], b, ":"); name[i] = b[1]; w[i] = b[2]; c[i] = 0 }
	for (r = 1; r <= n; r++) {
		least = 1; loh = c[1]
		for (i = 2; i <= k; i++)
			if (loh * w[i] > c[i] * w[least]) { least = i; loh = c[i] }
		c[least]++
		printf "%s%s", (r > 1 ? " " : ""), name[least]
	}
	print ""
}')

dir_in0=$(tcp_in_segs director)
seq_got=()
declare -A count=([rs1]=0 [rs2]=0 [ERR]=0)
for i in $(seq $NREQ); do
	s=$(lab_get 80)
	echo "request $i -> $s"
	seq_got+=("$s")
	count[$s]=$((${count[$s]:-0} + 1))
done
dir_in1=$(tcp_in_segs director)
check_eq replies 0 "${count[ERR]}"
check_eq wlc-sequence "$expected" "${seq_got[*]}"
check_eq wlc-distribution "rs1=4 rs2=8" "rs1=${count[rs1]} rs2=${count[rs2]}"
# the director's own TCP never saw the requests: they were forwarded
check_eq director-tcp-untouched 0 $((dir_in1 - dir_in0))

sleep 3
lvs -L -n --stats --exact
svc=$VIP:80
check_eq stats-service-conns $NREQ "$(settled 20 $NREQ lab_svc_stat $svc 3)"
for n in $DR_RS; do
	check_eq "stats-rs$n-conns" "${count[rs$n]}" "$(lab_dest_stat $svc "$(rip $n):80" 3)"
done
inp=$(lab_svc_stat $svc 4)
check stats-inpkts-min [ "$inp" -ge $((4 * NREQ)) ]
# replies went from the realservers straight to the client
check_eq stats-outpkts-zero 0 "$(lab_svc_stat $svc 5)"
check_eq stats-outbytes-zero 0 "$(lab_svc_stat $svc 7)"
nconn=$(lvs -L -n -c | awk '$1 == "TCP" && $5 == "'$VIP':80"' | wc -l)
check_eq conn-entries $NREQ "$nconn"
# input-only TCP states: client FIN moves the entry to FIN_WAIT
nfw=$(lvs -L -n -c | awk '$1 == "TCP" && $5 == "'$VIP':80" && $3 == "FIN_WAIT"' | wc -l)
check_eq conn-fin-wait $NREQ "$nfw"

[ "$FAST" = fast ] && fast_path_end director
dr_down
check unload lb_unload
finish
