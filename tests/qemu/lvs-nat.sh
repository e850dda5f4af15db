#!/bin/bash
# Seed 001 "Implementing LVS-NAT": the director, three HTTP realservers on
# 192.168.0.0/24 behind it and a client outside, all network namespaces in
# one VM, configured with the seed's own ipvsadm commands.  Checks that the
# client's requests are answered by the realservers in the order the wlc
# scheduler dictates and that `ipvsadm -L -n --stats` counts them.
#
# Argument: the balancer, ipvs (the kernel's ip_vs) or xvs (xvs.ko).
# xvs-timeout: 300
# xvs-variant: ipvs
# xvs-reference: ipvs
# xvs-variant: xvs
# xvs-variant: xvs fast
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lib-fast.sh"

LB=${1:?usage: lvs-nat.sh ipvs|xvs [fast]}
# fast: with the flow fast path on (lib-fast.sh)
FAST=${2:-}
NREQ=12

lab_nat_begin "$LB"
pass load
pass lab-up
[ "$FAST" = fast ] && fast_path_begin director

# The seed's commands.  The seed lists "-a -t 81.57.54.100:21 -r
# 192.168.0.3:80" among the FTP lines; the text says 192.168.0.3 serves HTTP
# too, so that line belongs to the :80 service.  The telnet service comes
# from the seed's director start script.
cmds=(
	"-C"
	"-A -t 81.57.54.100:80 -s wlc"
	"-A -t 81.57.54.100:21 -s wrr"
	"-a -t 81.57.54.100:80 -r 192.168.0.1:80 -m"
	"-a -t 81.57.54.100:80 -r 192.168.0.2:80 -m -w 2"
	"-a -t 81.57.54.100:80 -r 192.168.0.3:80 -m"
	"-a -t 81.57.54.100:21 -r 192.168.0.2:21 -m"
	"-a -t 81.57.54.100:21 -r 192.168.0.3:21 -m"
	"-A -t 81.57.54.100:telnet -s rr"
	"-a -t 81.57.54.100:telnet -r 192.168.0.1:telnet -m -w 1"
	"-a -t 81.57.54.100:telnet -r 192.168.0.2:telnet -m -w 1"
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
nsvc=$(lvs -L -n | grep -cE '^TCP ')
check_eq services 3 "$nsvc"

# wlc with only closed connections: each destination's load is its count of
# (inactive) connections, divided by its weight; destinations are scanned
# newest first and ties go to the first one scanned.
expected=$(awk -v order="rs3:1 rs2:2 rs1:1" -v n=$NREQ 'BEGIN {
	k = split(order, a, " ")
	for (i = 1; i <= k; i++) { split(a[i], b, ":"); name[i] = b[1]; w[i] = b[2]; c[i] = 0 }
	for (r = 1; r <= n; r++) {
		for (least = 1; least <= k && w[least] <= 0; least++) ;
		loh = c[least]
		for (i = least + 1; i <= k; i++)
			if (loh * w[i] > c[i] * w[least]) { least = i; loh = c[i] }
		c[least]++
		printf "%s%s", (r > 1 ? " " : ""), name[least]
	}
	print ""
}')

seq_got=()
declare -A count=([rs1]=0 [rs2]=0 [rs3]=0 [ERR]=0)
for i in $(seq $NREQ); do
	s=$(lab_get 80)
	echo "request $i -> $s"
	seq_got+=("$s")
	count[$s]=$((${count[$s]:-0} + 1))
done
check_eq replies 0 "${count[ERR]}"
others=$((NREQ - count[rs1] - count[rs2] - count[rs3] - count[ERR]))
check_eq servers-are-realservers 0 "$others"
check_eq wlc-sequence "$expected" "${seq_got[*]}"
check_eq wlc-distribution "rs1=3 rs2=6 rs3=3" \
	"rs1=${count[rs1]} rs2=${count[rs2]} rs3=${count[rs3]}"

# ip_vs folds its per-CPU counters into what it reports every 2 s
sleep 3
lvs -L -n --stats --exact
svc=81.57.54.100:80
check_eq stats-service-conns $NREQ "$(settled 20 $NREQ lab_svc_stat $svc 3)"
for n in $LAB_RS; do
	check_eq "stats-rs$n-conns" "${count[rs$n]}" "$(lab_dest_stat $svc 192.168.0.$n:80 3)"
done
# every request is at least SYN, ACK+data, FIN, ACK in; SYN-ACK, data, FIN out
inp=$(lab_svc_stat $svc 4)
outp=$(lab_svc_stat $svc 5)
sum_in=0
sum_out=0
for n in $LAB_RS; do
	sum_in=$((sum_in + $(lab_dest_stat $svc 192.168.0.$n:80 4)))
	sum_out=$((sum_out + $(lab_dest_stat $svc 192.168.0.$n:80 5)))
done
check_eq stats-inpkts-sum "$inp" "$sum_in"
check_eq stats-outpkts-sum "$outp" "$sum_out"
check stats-inpkts-min [ "$inp" -ge $((4 * NREQ)) ]
check stats-outpkts-min [ "$outp" -ge $((3 * NREQ)) ]
check_eq stats-ftp-idle 0 "$(lab_svc_stat 81.57.54.100:21 3)"
# connection table: one entry per request, NAT forwarding
nconn=$(lvs -L -n -c | awk '$1 == "TCP" && $5 == "81.57.54.100:80"' | wc -l)
check_eq conn-entries $NREQ "$nconn"

# a client on the director itself: its request is scheduled at LOCAL_OUT,
# the answer un-NATed at LOCAL_IN
line=$(printf 'GET / HTTP/1.0\r\n\r\n' |
	in_ns director timeout 10 nc -w 5 81.57.54.100 80 2>/dev/null | grep -a '^realserver ')
log "local client: ${line:-no answer}"
check local-client [ -n "$line" ]

[ "$FAST" = fast ] && fast_path_end director replies
lab_nat_down
check unload lb_unload
finish
