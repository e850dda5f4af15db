#!/bin/bash
# Churn soak (made for the KASAN/lockdep debug kernel: tests/run-all.sh runs
# it there): the seed-001 NAT lab grows a DR VIP and a TUN VIP (the
# realservers hold both, answer from them straight to a second leg of the
# client on the LAN by policy routing, and decapsulate IPIP on tunl0).
# For SOAK seconds short TCP connections (connect, request, answer, close)
# cycle over the NAT, DR and TUN services, bursts of UDP entries hit a NAT
# UDP service (the realservers answer with port unreachables), held
# connections sit on a persistent service, and the sync daemon sends,
# while a seeded control loop keeps changing everything under them:
# services added, edited and deleted (every scheduler, every forwarding
# method, persistence), weights set to 0 and back, a realserver removed
# and re-added under traffic, every IPVS sysctl that changes the data
# path and xvs's own (net.xvs.fast_path and expire_stale_conn among them)
# flipped and read back, the master and backup sync daemons started and
# stopped, timeouts changed, counters zeroed, the table listed, bursts of
# new UDP and TCP entries.  Then:
#  - every control command was accepted (the loop keeps its own model,
#    so a refusal is a bug), traffic flowed, the kernel log is clean;
#  - with the churn over, each method balances fresh requests again and
#    ActiveConn + InActConn equals the entries listed;
#  - the connection slab holds exactly the listed entries (templates
#    included; the harness boots with slab_nomerge);
#  - `rmmod xvs` under load (traffic, held connections, the sync daemon,
#    the fast path on) succeeds, the connection slab is gone, and on a
#    kernel booted with kmemleak=on a scan finds nothing of xvs's;
#  - xvs loads again and balances.
# ip_vs is not a reference here: it cannot be removed with its services in
# place, and rmmod-live covers its side of that.
#
# Arguments: xvs, then the soak's seconds (default 60) and the control
# loop's seed (default 1).
# xvs-timeout: 480
# xvs-variant: xvs
# xvs-run: by-name
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lib-kcheck.sh"

LB=${1:?usage: churn-soak.sh xvs [SECONDS [SEED]]}
SOAK=${2:-60}
SEED=${3:-1}
DRVIP=81.57.54.101
TUNVIP=81.57.54.102
# the soaked services (TCP over NAT, DR and TUN; UDP over NAT), their
# protocols and forwarding methods
MAIN_SVC=("$VIP:8080" "$DRVIP:8080" "$TUNVIP:8080" "$VIP:53")
MAIN_PROTO=(-t -t -t -u)
MAIN_FWD=(-m -g -i -m)
T0=$SECONDS

if [ "$LB" != xvs ]; then
	fail usage "churn-soak runs on xvs only (ip_vs keeps its modules while services exist)"
	finish
fi

# the realservers also serve the DR and TUN VIPs; their answers from those
# go to the client's LAN leg (192.168.0.250), the NAT answers through the
# director as before
soak_lab_up() {
	local n c
	modprobe ipip || { echo "modprobe ipip failed"; return 1; }
	ip link add lan-c type veth peer name lan-c-br || return 1
	ip link set lan-c netns client name eth1 &&
		ip link set lan-c-br master br-lan up &&
		in_ns client ip addr add 192.168.0.250/24 dev eth1 &&
		in_ns client ip link set eth1 up || return 1
	in_ns client sh -c 'for c in all eth0 eth1; do
		echo 0 > /proc/sys/net/ipv4/conf/$c/rp_filter; done' || return 1
	in_ns director ip addr add $DRVIP/24 dev eth0 &&
		in_ns director ip addr add $TUNVIP/24 dev eth0 || return 1
	for n in $LAB_RS; do
		in_ns rs$n ip addr add $DRVIP/32 dev lo &&
			in_ns rs$n ip addr add $TUNVIP/32 dev tunl0 &&
			in_ns rs$n ip link set tunl0 up &&
			in_ns rs$n ip rule add from $DRVIP lookup 100 &&
			in_ns rs$n ip rule add from $TUNVIP lookup 100 &&
			in_ns rs$n ip route add default via 192.168.0.250 table 100 ||
			{ echo "rs$n: DR/TUN set-up failed"; return 1; }
		in_ns rs$n sh -c 'for c in all eth0; do
				echo 1 > /proc/sys/net/ipv4/conf/$c/arp_ignore
				echo 2 > /proc/sys/net/ipv4/conf/$c/arp_announce
			done
			for c in all eth0 tunl0; do
				echo 0 > /proc/sys/net/ipv4/conf/$c/rp_filter
			done' || return 1
		ip netns exec rs$n xvs-load server 8080 </dev/null >/dev/null 2>&1 &
		LAB_PIDS+=($!)
	done
	for n in $LAB_RS; do
		lab_wait_port rs$n 8080 || { echo "xvs-load server on rs$n did not start"; return 1; }
	done
}

lab_nat_begin "$LB" soak_lab_up
pass load

# --- the control loop's model and actions ---------------------------------------
RANDOM=$SEED
NCMD=0
BAD=()
# P: what pick chose (a global: $(pick) would run in a subshell, whose
# RANDOM does not advance the loop's seeded sequence)
pick() { local a=("$@"); P=${a[RANDOM % $#]}; }
# ctl CMD...: one control command, counted; a failure is recorded
ctl() {
	local out
	NCMD=$((NCMD + 1))
	if ! out=$("$@" 2>&1); then
		BAD+=("$*: $out")
	fi
}
# set_sysctl PATH VALUE: writes /proc/sys/PATH in the director, reads it back
set_sysctl() {
	local got
	in_ns director sh -c "echo '$2' > /proc/sys/$1" || return 1
	got=$(in_ns director cat "/proc/sys/$1" | tr -s ' \t' ' ')
	[ "$got" = "$2" ] || { echo "$1 reads '$got' after writing '$2'"; return 1; }
}

# each sysctl the loop flips and the values it gives it (the first one is
# restored when the churn is over)
declare -A SYSCTL=(
	[net/ipv4/vs/expire_nodest_conn]="0 1"
	[net/ipv4/vs/expire_quiescent_template]="0 1"
	[net/ipv4/vs/conn_reuse_mode]="1 0 2"
	[net/ipv4/vs/conntrack]="0 1"
	[net/ipv4/vs/nat_icmp_send]="0 1"
	[net/ipv4/vs/sloppy_tcp]="0 1"
	[net/ipv4/vs/schedule_icmp]="0 1"
	[net/ipv4/vs/cache_bypass]="0 1"
	[net/ipv4/vs/snat_reroute]="1 0"
	[net/ipv4/vs/pmtu_disc]="1 0"
	[net/ipv4/vs/ignore_tunneled]="0 1"
	[net/ipv4/vs/backup_only]="0 1"
	[net/ipv4/vs/secure_tcp]="0 1"
	[net/ipv4/vs/drop_entry]="0 1"
	[net/ipv4/vs/run_estimation]="1 0"
	[net/ipv4/vs/sync_version]="1 0"
	[net/ipv4/vs/sync_persist_mode]="0 1"
	[net/ipv4/vs/sync_refresh_period]="0 10"
	[net/ipv4/vs/sync_threshold]="3 50|1 5|0 0"
	[net/xvs/fast_path]="1 0"
	[net/xvs/expire_stale_conn]="0 1"
	[net/xvs/debug_level]="0 1"
	[net/xvs/conf/all/hidden]="0 1"
	[net/xvs/conf/lo/hidden]="0 1"
)
SYSCTL_NAMES=("${!SYSCTL[@]}")
sysctl_values() { tr '|' '\n' <<<"$1" | if [[ $1 == *'|'* ]]; then cat; else tr ' ' '\n'; fi; }

SCHEDS=(rr wrr lc wlc lblc lblcr dh sh sed nq fo ovf mh)
FWDS=(-m -g -i)
declare -A EXTRA=()	# extra service port -> its protocol option
declare -A HAS3=()	# main service index -> rs3 is a destination
declare -A DAEMON=([master]=0 [backup]=0)	# 1: the sync daemon runs

# an extra service VIP:91xx: added with one to three destinations (any
# scheduler, any method, persistent or not), or deleted
act_extra() {
	local port=$((9100 + RANDOM % 8)) n i
	if [ -n "${EXTRA[$port]:-}" ]; then
		ctl lvs -D "${EXTRA[$port]}" $VIP:$port
		unset "EXTRA[$port]"
		return
	fi
	pick -t -u
	EXTRA[$port]=$P
	pick "${SCHEDS[@]}"
	if ((RANDOM % 2)); then
		ctl lvs -A "${EXTRA[$port]}" $VIP:$port -s "$P" -p $((5 + RANDOM % 60))
	else
		ctl lvs -A "${EXTRA[$port]}" $VIP:$port -s "$P"
	fi
	n=$((1 + RANDOM % 3))
	for i in $(seq "$n"); do
		pick "${FWDS[@]}"
		ctl lvs -a "${EXTRA[$port]}" $VIP:$port -r 192.168.0.$i:$port "$P" -w $((RANDOM % 4))
	done
}

# an extra service edited: scheduler, persistence, or its first
# destination's method and weight
act_extra_edit() {
	local ports=("${!EXTRA[@]}") port
	[ ${#ports[@]} -gt 0 ] || { act_extra; return; }
	port=${ports[RANDOM % ${#ports[@]}]}
	case $((RANDOM % 3)) in
	0) pick "${SCHEDS[@]}"; ctl lvs -E "${EXTRA[$port]}" $VIP:$port -s "$P" ;;
	1) pick rr wlc; ctl lvs -E "${EXTRA[$port]}" $VIP:$port -s "$P" -p $((5 + RANDOM % 60)) ;;
	2) pick "${FWDS[@]}"
	   ctl lvs -e "${EXTRA[$port]}" $VIP:$port -r 192.168.0.1:$port "$P" -w $((RANDOM % 4)) ;;
	esac
}

# a soaked service: another scheduler, a weight of rs1 or rs2 (0 quiesces
# it; never both), or rs3 removed or added back (under UDP bursts and
# TCP traffic: with net.xvs.expire_stale_conn its entries go at once)
act_main() {
	local k=$((RANDOM % 4)) svc fwd proto port rs
	svc=${MAIN_SVC[$k]} fwd=${MAIN_FWD[$k]} proto=${MAIN_PROTO[$k]}
	port=${svc##*:}
	case $((RANDOM % 3)) in
	0) pick rr wrr lc wlc sed nq; ctl lvs -E "$proto" "$svc" -s "$P" ;;
	1) rs=$((1 + RANDOM % 2))
	   if [ $rs = 2 ]; then pick 0 1 2 3; else pick 1 2 3; fi
	   ctl lvs -e "$proto" "$svc" -r 192.168.0.$rs:$port "$fwd" -w "$P" ;;
	2) if [ "${HAS3[$k]}" = 1 ]; then
		ctl lvs -d "$proto" "$svc" -r 192.168.0.3:$port
		HAS3[$k]=0
	   else
		ctl lvs -a "$proto" "$svc" -r 192.168.0.3:$port "$fwd"
		HAS3[$k]=1
	   fi ;;
	esac
}

act_sysctl() {
	local name=${SYSCTL_NAMES[RANDOM % ${#SYSCTL_NAMES[@]}]} vals
	mapfile -t vals <<<"$(sysctl_values "${SYSCTL[$name]}")"
	ctl set_sysctl "$name" "${vals[RANDOM % ${#vals[@]}]}"
}

# the master (syncid 1) or the backup daemon (syncid 2) started or stopped
act_sync() {
	local syncid=1
	pick master backup
	if [ "${DAEMON[$P]}" = 1 ]; then
		ctl lvs --stop-daemon "$P"
		DAEMON[$P]=0
	else
		[ "$P" = backup ] && syncid=2
		ctl lvs --start-daemon "$P" --mcast-interface eth1 --syncid $syncid
		DAEMON[$P]=1
	fi
}

# readers and the rest of the control plane, under the churn
act_look() {
	case $((RANDOM % 7)) in
	0) ctl lvs -Z ;;
	1) ctl lvs -L -n -c ;;
	2) ctl in_ns director cat /proc/net/ip_vs_conn /proc/net/ip_vs_conn_sync ;;
	3) ctl lvs -L -n --stats --exact ;;
	4) ctl lvs -S -n ;;
	5) ctl lvs -L --daemon ;;
	6) ctl lvs --set $((5 + RANDOM % 900)) $((5 + RANDOM % 120)) $((5 + RANDOM % 300)) ;;
	esac
}

# bursts of new entries from many sources: UDP to the NAT UDP service,
# SYN + ACK (ESTABLISHED at once) to the NAT TCP one
act_burst() {
	if ((RANDOM % 2)); then
		ctl in_ns client xvs-load syn -u -d $VIP:53 -b 10.98.$((RANDOM % 250)).1 -c 200 -w 1
	else
		ctl in_ns client xvs-load syn -a -d $VIP:8080 -b 10.97.$((RANDOM % 250)).1 -c 100 -w 1
	fi
}

# --- the soaked configuration ------------------------------------------------
configure() {
	local k n
	for k in 0 1 2 3; do
		lvs -A "${MAIN_PROTO[$k]}" "${MAIN_SVC[$k]}" -s wlc || return 1
		for n in $LAB_RS; do
			lvs -a "${MAIN_PROTO[$k]}" "${MAIN_SVC[$k]}" \
				-r 192.168.0.$n:${MAIN_SVC[$k]##*:} "${MAIN_FWD[$k]}" || return 1
		done
	done
	lvs -A -t $VIP:9000 -s rr -p 20 &&
		lvs -a -t $VIP:9000 -r 192.168.0.1:9000 -m &&
		lvs -a -t $VIP:9000 -r 192.168.0.2:9000 -m || return 1
	lvs --start-daemon master --mcast-interface eth1 --syncid 1 || return 1
	set_sysctl net/xvs/fast_path 1
}
if ! out=$(configure 2>&1); then
	fail configure "$out"
	lab_nat_down
	lb_unload
	finish
fi
# (configure ran in a subshell: its model is set here)
HAS3=([0]=1 [1]=1 [2]=1 [3]=1)
DAEMON[master]=1
pass configure

# one request to each soaked service before the churn: the paths work
got=$(for s in "${MAIN_SVC[@]:0:3}"; do
	in_ns client xvs-load crr -d "$s" -w 1 -t 1 | grep -o 'conns=[0-9]*'
done | xargs)
check "traffic-paths" eval '! grep -q "conns=0" <<<"$got" && [ $(wc -w <<<"$got") = 3 ]'
log "before the churn: $got"

dmesg -c > /dev/null
lab_open 1 9000
lab_open 2 9000
in_ns client xvs-load crr -d $VIP,$DRVIP,$TUNVIP:8080 -w 3 -r 20 -t "$SOAK" > /tmp/soak-crr.txt 2>&1 &
crr=$!

# --- the churn ---------------------------------------------------------------------
end=$((SECONDS + SOAK))
nact=0
while [ $SECONDS -lt $end ]; do
	case $((RANDOM % 10)) in
	0 | 1) act_extra ;;
	2) act_extra_edit ;;
	3 | 4) act_main ;;
	5 | 6) act_sysctl ;;
	7) act_sync ;;
	8) act_look ;;
	9) act_burst ;;
	esac
	nact=$((nact + 1))
done
wait $crr
traffic=$(cat /tmp/soak-crr.txt)
log "churn: $nact actions, $NCMD commands in $SOAK s; traffic: $traffic"
check "churn-ran" [ "$nact" -ge 20 ]
check_eq control-commands-refused "0" "${#BAD[@]}"
for b in "${BAD[@]:0:5}"; do echo "$b" | quote; done
conns=$(grep -o 'conns=[0-9]*' /tmp/soak-crr.txt | cut -d= -f2)
check traffic-through-the-churn [ "${conns:-0}" -gt 0 ]
bad=$(kernel_bad)
check_eq kernel-log-clean-after-churn "" "$bad"
[ -n "$bad" ] && echo "$bad" | head -40

# --- the churn is over: a sane state ---------------------------------------------
BAD=()
for name in "${SYSCTL_NAMES[@]}"; do
	v=$(sysctl_values "${SYSCTL[$name]}" | head -n 1)
	ctl set_sysctl "$name" "$v"
done
[ "${DAEMON[backup]}" = 1 ] && ctl lvs --stop-daemon backup
# (the master sends through the removal below)
[ "${DAEMON[master]}" = 1 ] || ctl lvs --start-daemon master --mcast-interface eth1 --syncid 1
for port in "${!EXTRA[@]}"; do ctl lvs -D "${EXTRA[$port]}" $VIP:$port; done
ctl lvs --set 900 120 300
check_eq restore-commands-refused "0" "${#BAD[@]}"
for b in "${BAD[@]:0:5}"; do echo "$b" | quote; done

# each method balances fresh requests: new rr services on :80 (httpd)
fresh=$(for k in 0 1 2; do
	s=${MAIN_SVC[$k]%:*}:80
	lvs -A -t "$s" -s rr || echo "add $s failed"
	for n in $LAB_RS; do
		lvs -a -t "$s" -r 192.168.0.$n:80 "${MAIN_FWD[$k]}" || echo "add rs$n to $s failed"
	done
done 2>&1)
check_eq fresh-services "" "$fresh"
for k in 0 1 2; do
	got=$(for i in 1 2 3; do lab_get 80 "${MAIN_SVC[$k]%:*}"; done | sort | xargs)
	check_eq "balanced-${MAIN_FWD[$k]#-}" "rs1 rs2 rs3" "$got"
done

# (entries of deleted services and destinations stay until they expire,
# counted nowhere: conn_counts leaves them out)
set -- $(conn_counts)
log "ActiveConn + InActConn $1, entries $2 (of listed services and destinations; all: $3)"
check_eq conn-count "$1" "$2"
if [ "$1" != "$2" ]; then
	# per destination: ActiveConn + InActConn, then the entries listed
	{ lvs -L -n; echo EOT; lvs -L -n -c; } | awk '
		$1 == "EOT" { table = 1; next }
		!table && ($1 == "TCP" || $1 == "UDP") { svc = $2 }
		!table && $1 == "->" && NF == 6 { c[svc " " $2] = $5 + $6 }
		table && ($1 == "TCP" || $1 == "UDP") && $4 !~ /:0$/ { l[$5 " " $6]++; st[$5 " " $6 " " $3]++ }
		END {
			for (k in c) if (c[k] != l[k] + 0) print k, "counted", c[k], "listed", l[k] + 0
			for (k in st) print "states:", k, st[k]
		}' | sort | quote
fi

# the connection slab holds the listed entries, templates included (freed
# entries leave it after an RCU grace period: a few tries)
if [ "$(slab_objects xvs_conn)" = none ]; then
	log "xvs_conn shares a slab cache with others on this kernel: no object count"
else
	for i in $(seq 20); do
		listed=$(lvs -L -n -c | awk 'NR > 2 { n++ } END { print n + 0 }')
		objs=$(slab_objects xvs_conn)
		[ "$objs" = "$listed" ] && break
		sleep 0.5
	done
	log "xvs_conn objects $objs, entries listed $listed"
	check_eq conn-slab-matches-table "$listed" "$objs"
fi

# --- rmmod under load ----------------------------------------------------------------
in_ns client xvs-load crr -d $VIP,$DRVIP,$TUNVIP:8080 -w 3 -r 20 -t 20 > /tmp/soak-crr2.txt 2>&1 &
crr=$!
sleep 3
log "fast path: $(in_ns director cat /proc/net/xvs_fast_path | xargs); entries $(lvs -L -n -c | awk 'NR > 2' | wc -l)"
out=$(rmmod xvs 2>&1)
check_eq rmmod-under-load 0 "$?${out:+ $out}"
check module-gone [ ! -d /sys/module/xvs ]
check_eq conn-slab-gone none "$(slab_objects xvs_conn)"
kill $crr 2>/dev/null
wait $crr 2>/dev/null
lab_close_all
bad=$(kernel_bad)
check_eq kernel-log-clean "" "$bad"
[ -n "$bad" ] && echo "$bad" | head -40
kmemleak_check

# --- and again ------------------------------------------------------------------------
if ! out=$(lb_load xvs 2>&1); then
	fail reload "$out"
else
	pass reload
	lvs -A -t $VIP:80 -s rr
	for n in $LAB_RS; do lvs -a -t $VIP:80 -r 192.168.0.$n:80 -m; done
	got=$(for i in 1 2 3; do lab_get; done | sort | xargs)
	check_eq balanced-after-reload "rs1 rs2 rs3" "$got"
fi
lab_nat_down
check unload lb_unload
log "scenario time $((SECONDS - T0)) s"
finish
