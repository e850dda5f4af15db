#!/bin/bash
# Connection synchronisation between two directors in one VM (the balancer
# is per network namespace): dir1 runs the master sync daemon, dir2 the
# backup, both with the same persistent DR service VIP:9000 (wrr) on two
# realservers that hold the VIP on lo, everything on one bridge
# (192.168.0.0/24).  Long-lived connections from the client go through
# dir1; dir2 must list them (state, realserver, template) with sync
# version 1 and, after sync_version=0 on the master, version 0.  Then the
# VIP moves to dir2: the open connections continue through dir2 to the same
# realservers, and a new connection of the same client follows the synced
# template even though dir2's scheduler prefers the other realserver, and
# backup_only=1 stops dir2 from balancing.  Also `ipvsadm -L --daemon`,
# errors of the daemon commands, stop and restart, netns exit.
#
# Argument: the balancer, ipvs (the kernel's ip_vs) or xvs (xvs.ko).
# xvs-timeout: 400
# xvs-variant: ipvs
# xvs-reference: ipvs
# xvs-variant: xvs
. "$(dirname "$0")/lib.sh"

LB=${1:?usage: sync.sh ipvs|xvs}
. "$(dirname "$0")/lib-net.sh"
. "$(dirname "$0")/lib-sync.sh"

if ! out=$(lb_load "$LB" 2>&1); then
	fail load "$out"
	finish
fi
pass load

if ! out=$(sync_up 2>&1); then
	fail lab-up "$out"
	lab_teardown br-sync
	finish
fi
pass lab-up

# --- daemon commands ------------------------------------------------------------
if out=$(in_ns dir1 ipvsadm --start-daemon master --mcast-interface nosuchif --syncid 7 2>&1); then
	fail start-unknown-if "accepted"
else
	log "unknown interface: $out"
	check_eq start-unknown-if "" "$(in_ns dir1 ipvsadm -L --daemon)"
fi
check start-master in_ns dir1 ipvsadm --start-daemon master --mcast-interface eth0 --syncid 7
check start-backup in_ns dir2 ipvsadm --start-daemon backup --mcast-interface eth0 --syncid 7
if out=$(in_ns dir1 ipvsadm --start-daemon master --mcast-interface eth0 --syncid 8 2>&1); then
	fail start-master-twice "accepted"
else
	log "second master: $out"
	pass start-master-twice
fi
check_eq daemon-list-master "master sync daemon (mcast=eth0, syncid=7, maxlen=1472, group=224.0.0.81, port=8848, ttl=1)" \
	"$(in_ns dir1 ipvsadm -L --daemon)"
check_eq daemon-list-backup "backup sync daemon (mcast=eth0, syncid=7, maxlen=1472, group=224.0.0.81, port=8848, ttl=1)" \
	"$(in_ns dir2 ipvsadm -L --daemon)"
# master and backup side by side in one netns, then the backup goes again
check master-and-backup in_ns dir1 ipvsadm --start-daemon backup --mcast-interface eth0 --syncid 99 \
	--mcast-group 239.1.2.3 --mcast-port 9999 --sync-maxlen 2000
check_eq daemon-list-both "master sync daemon (mcast=eth0, syncid=7, maxlen=1472, group=224.0.0.81, port=8848, ttl=1)
backup sync daemon (mcast=eth0, syncid=99, maxlen=2000, group=239.1.2.3, port=9999, ttl=1)" \
	"$(in_ns dir1 ipvsadm -L --daemon)"
check stop-backup-of-dir1 in_ns dir1 ipvsadm --stop-daemon backup
out=$(in_ns dir1 ipvsadm --stop-daemon backup 2>&1) && fail stop-twice "no error" || pass stop-twice
log "stop twice: $out"

# --- version 1 --------------------------------------------------------------------
lab_open 1 $PORT
RS_A=$LAB_LAST
check_eq conn1-answers 1 "$([ "$RS_A" = rs1 ] || [ "$RS_A" = rs2 ] && echo 1)"
check conn1-talks says 1 before-1
CP1=$(new_port)
log "connection 1: client port $CP1 -> $RS_A"
if wait_conn dir2 "$CP1" "$RS_A" ESTABLISHED; then
	pass v1-backup-lists-conn
else
	fail v1-backup-lists-conn "dir2 does not list $CIP:$CP1 -> $RS_A"
	in_ns dir1 ipvsadm -L -n -c | quote
	in_ns dir2 ipvsadm -L -n -c | quote
fi
check v1-backup-lists-template wait_conn dir2 0 "$RS_A" ASSURED
if [ -r /proc/net/ip_vs_conn_sync ]; then
	check_eq v1-origin-sync 1 "$(in_ns dir2 awk -v p="$(printf '%04X' "$CP1")" \
		'$3 == p && $9 == "SYNC" { f = 1 } END { print f + 0 }' /proc/net/ip_vs_conn_sync)"
fi

# --- SCTP (version 1) ---------------------------------------------------------------
# Only ESTABLISHED and closing associations are sent, as IPVS does; the
# backup keeps them with the master's realserver and state.
sctp_hold 20
if SCTP_RS=$(wait_sctp dir1 ESTABLISHED); then
	pass sctp-master-established
	log "SCTP association -> $SCTP_RS"
	if rs=$(wait_sctp dir2 ESTABLISHED); then
		check_eq sctp-backup-lists-assoc "$SCTP_RS" "$rs"
	else
		fail sctp-backup-lists-assoc "dir2 does not list the association"
		in_ns dir2 ipvsadm -L -n -c | quote
	fi
else
	fail sctp-master-established "$(cat $LAB/sctp.out)"
	in_ns dir1 ipvsadm -L -n -c | quote
fi
check_eq sctp-answered 1 "$(grep -q '^rs[12] ' $LAB/sctp.out && echo 1)"
kill $SCTP_PID 2>/dev/null

# --- version 0 --------------------------------------------------------------------
in_ns dir1 sh -c 'echo 0 > /proc/sys/net/ipv4/vs/sync_version'
lab_open 2 $PORT
check_eq conn2-same-rs "$RS_A" "$LAB_LAST"
check conn2-talks says 2 before-2
CP2=$(new_port "$CP1")
log "connection 2: client port $CP2 -> $LAB_LAST"
if wait_conn dir2 "$CP2" "$RS_A" ESTABLISHED; then
	pass v0-backup-lists-conn
else
	fail v0-backup-lists-conn "dir2 does not list $CIP:$CP2"
	in_ns dir2 ipvsadm -L -n -c | quote
fi
in_ns dir1 sh -c 'echo 1 > /proc/sys/net/ipv4/vs/sync_version'

# --- IPv6 group, two sync ports ----------------------------------------------------
in_ns dir1 ipvsadm --stop-daemon master
in_ns dir2 ipvsadm --stop-daemon backup
for n in dir1 dir2; do in_ns $n sh -c 'echo 2 > /proc/sys/net/ipv4/vs/sync_ports'; done
check start-master-v6 in_ns dir1 ipvsadm --start-daemon master --mcast-interface eth0 \
	--syncid 7 --mcast-group ff02::81
check start-backup-v6 in_ns dir2 ipvsadm --start-daemon backup --mcast-interface eth0 \
	--syncid 7 --mcast-group ff02::81 --mcast-port 8848
check_eq daemon-list-v6 "backup sync daemon (mcast=eth0, syncid=7, maxlen=1452, group=ff02::81, port=8848, ttl=1)" \
	"$(in_ns dir2 ipvsadm -L --daemon)"
lab_open 4 $PORT
check_eq conn4-same-rs "$RS_A" "$LAB_LAST"
check conn4-talks says 4 before-4
CP4=$(new_port "$CP1" "$CP2")
log "connection 4: client port $CP4 -> $LAB_LAST"
if wait_conn dir2 "$CP4" "$RS_A" ESTABLISHED; then
	pass v6-group-backup-lists-conn
else
	fail v6-group-backup-lists-conn "dir2 does not list $CIP:$CP4"
	in_ns dir2 ipvsadm -L -n -c | quote
fi

# --- fail over ----------------------------------------------------------------------
# dir2's scheduler would now pick the other realserver for a new client
in_ns dir2 ipvsadm -e -t $VIP:$PORT -r "$(rip "$(other_rs "$RS_A")"):$PORT" -g -w 10
in_ns dir1 ip addr del $VIP/32 dev eth0
in_ns dir2 ip addr add $VIP/32 dev eth0
in_ns client ip neigh flush dev eth0
in_ns dir2 ping -c 1 -W 2 $CIP >/dev/null
check conn1-continues says 1 after-1
check conn2-continues says 2 after-2
check conn4-continues says 4 after-4
# (ip_vs sums its per-CPU counters every 2 s: poll)
for i in $(seq 25); do
	inpkts=$(in_ns dir2 ipvsadm -L -n --stats --exact -t $VIP:$PORT |
		awk -v d="$(rip "$RS_A"):$PORT" '$1 == "->" && $2 == d { print $4 }')
	[ "${inpkts:-0}" -gt 0 ] && break
	sleep 0.2
done
check_eq via-backup 1 "$([ "${inpkts:-0}" -gt 0 ] && echo 1)"
lab_open 3 $PORT
check_eq template-followed "$RS_A" "$LAB_LAST"
# backup_only=1 while the backup daemon runs: dir2 stops balancing
in_ns dir2 sh -c 'echo 1 > /proc/sys/net/ipv4/vs/backup_only'
if says 3 during-backup-only; then fail backup-only "still forwarded"; else pass backup-only; fi
in_ns dir2 sh -c 'echo 0 > /proc/sys/net/ipv4/vs/backup_only'

# --- stop -----------------------------------------------------------------------------
lab_close_all
check stop-master in_ns dir1 ipvsadm --stop-daemon master
check stop-backup in_ns dir2 ipvsadm --stop-daemon backup
if [ "$LB" = xvs ]; then
	dmesg | grep 'sync daemon stopped' | quote
	check_eq backup-no-drops 1 "$(dmesg | grep 'backup sync daemon stopped' | tail -1 |
		grep -q ' [1-9][0-9]* connections, 0 dropped' && echo 1)"
fi
check_eq daemons-gone "" "$(in_ns dir1 ipvsadm -L --daemon; in_ns dir2 ipvsadm -L --daemon)"
check restart-master in_ns dir1 ipvsadm --start-daemon master --mcast-interface eth0
check_eq restart-default-syncid "master sync daemon (mcast=eth0, syncid=0, maxlen=1472, group=224.0.0.81, port=8848, ttl=1)" \
	"$(in_ns dir1 ipvsadm -L --daemon)"
check restart-backup in_ns dir2 ipvsadm --start-daemon backup --mcast-interface eth0
# namespaces going away with their daemons running
lab_teardown br-sync
sleep 3
pass netns-exit-with-daemons
check unload lb_unload
finish
