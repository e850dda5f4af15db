#!/bin/bash
# Module removal under live traffic, on the seed-001 NAT lab: a client keeps
# sending HTTP requests and holds connections open through the balancer
# while the balancer module is removed; no oops, the module is gone, and
# loading it again gives a working balancer.  xvs is removed with its
# services in place; ip_vs (the control) cannot be, its scheduler modules
# are held by the services, so its services are cleared first, with the
# connections still in the table.
# With xvs also: xvs refuses to load while ip_vs is loaded, saying why in
# the kernel log.
#
# Argument: the balancer, ipvs (the kernel's ip_vs) or xvs (xvs.ko).
# xvs-timeout: 300
# xvs-variant: ipvs
# xvs-reference: ipvs
# xvs-variant: xvs
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lib-kcheck.sh"

LB=${1:?usage: rmmod-live.sh ipvs|xvs}
SVC=$VIP:80
MOD=ip_vs
[ "$LB" = xvs ] && MOD=xvs

configure() {
	lvs -A -t $SVC -s wlc &&
	lvs -a -t $SVC -r 192.168.0.1:80 -m &&
	lvs -a -t $SVC -r 192.168.0.2:80 -m -w 2 &&
	lvs -a -t $SVC -r 192.168.0.3:80 -m &&
	lvs -A -t $VIP:9000 -s rr &&
	lvs -a -t $VIP:9000 -r 192.168.0.1:9000 -m &&
	lvs -a -t $VIP:9000 -r 192.168.0.2:9000 -m
}

lab_nat_begin "$LB"
pass load
if ! out=$(configure 2>&1); then
	fail configure "$out"
	finish
fi
pass configure
check_eq first-request-answered ok "$(s=$(lab_get); [ "$s" != ERR ] && echo ok || echo "$s")"

# background traffic: a request loop and two held connections
lab_open 1 9000
lab_open 2 9000
check_eq held-connections "rs2 rs1" "$(cat $LAB/open/out.1 $LAB/open/out.2 | awk '{ print $2 }' | xargs)"
(while :; do lab_get; done) > /tmp/traffic.log 2>&1 &
loop=$!
sleep 3
answered=$(grep -c '^rs' /tmp/traffic.log)
check "traffic-flowing" [ "$answered" -gt 0 ]
log "requests answered before removal: $answered"

dmesg -c > /dev/null
if [ "$LB" = ipvs ]; then
	lvs -C
	out=$( {
		for m in $(awk '$1 ~ /^ip_vs_/ { print $1 }' /proc/modules); do
			rmmod "$m" || exit 1
		done
		rmmod ip_vs
	} 2>&1)
else
	out=$(rmmod xvs 2>&1)
fi
rc=$?
check_eq rmmod-status 0 "$rc${out:+ $out}"
sleep 2
check module-gone [ ! -d /sys/module/$MOD ]
after=$(grep -c '^rs' /tmp/traffic.log)
sleep 2
check_eq no-balancing-after-removal "$after" "$(grep -c '^rs' /tmp/traffic.log)"
kill $loop 2>/dev/null
wait $loop 2>/dev/null
lab_close_all
bad=$(kernel_bad)
check_eq kernel-log-clean "" "$bad"
[ -n "$bad" ] && echo "$bad"

# load again: the lab is still there, the balancer must work from scratch
if ! out=$(lb_load "$LB" 2>&1); then
	fail reload "$out"
else
	pass reload
	check_eq empty-after-reload 0 "$(lvs -L -n | grep -cE '^(TCP|UDP)')"
	if out=$(configure 2>&1); then pass reconfigure; else fail reconfigure "$out"; fi
	got=$(for i in 1 2 3 4; do lab_get; done | xargs)
	check_eq requests-after-reload "rs3 rs2 rs1 rs2" "$got"
fi
lab_nat_down
check unload lb_unload

if [ "$LB" = xvs ]; then
	# ip_vs first, then xvs: insmod must fail and the log must say why
	_unblock_ip_vs
	if ! modprobe ip_vs; then
		fail refuse-setup "modprobe ip_vs failed"
	else
		dmesg -c > /dev/null
		out=$(insmod "$XVS_KO" 2>&1)
		rc=$?
		msg=$(dmesg | grep -iE 'xvs' | head -n 3)
		echo "insmod: $out"
		echo "$msg" | quote
		check refuses-while-ip_vs-loaded [ $rc -ne 0 ]
		check not-loaded-beside-ip_vs [ ! -d /sys/module/xvs ]
		check refusal-explained-in-dmesg eval 'echo "$msg" | grep -qi "ip_vs"'
		check ip_vs-unharmed eval 'ipvsadm -L -n > /dev/null'
		rmmod ip_vs
		if out=$(lb_load xvs 2>&1); then pass loads-after-ip_vs-removed; else fail loads-after-ip_vs-removed "$out"; fi
		lb_unload
	fi
fi
finish
