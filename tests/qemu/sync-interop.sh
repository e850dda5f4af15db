#!/bin/bash
# Connection synchronisation between the kernel's IPVS and xvs, both ways,
# in one VM: ip_vs and xvs cannot be loaded together, so the sync messages
# of a master are recorded (xvs-mcast record, in the backup's namespace)
# and replayed to the other balancer's backup after the switch.
#  A: ip_vs master (sync version 1: a TCP connection and an SCTP
#     association, then version 0: a TCP connection) -> record -> unload ip_vs, load
#     xvs -> xvs backup gets the replay -> its connection list (without the
#     expire column) equals the ip_vs master's.  Then the same messages with
#     broken copies before each (xvs-mcast replay -g): nothing breaks, the
#     original entries are all there, the backup counts drops.
#  B: xvs master -> record -> unload xvs, load ip_vs -> ip_vs backup gets
#     the replay -> its list equals the xvs master's.
#  `ipvsadm -L --daemon` of the ip_vs and xvs masters are identical.
# Lab: lib-sync.sh (two directors, client, two DR realservers).
# xvs-timeout: 500
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lib-net.sh"
. "$(dirname "$0")/lib-sync.sh"

GROUP=224.0.0.81
SPORT=8848

# conn_list NS: `ipvsadm -L -n -c` of NS without titles and expire column
conn_list() {
	in_ns "$1" ipvsadm -L -n -c | awk 'NR > 2 { $2 = ""; print }' | sort
}

# run_master LB: dir1 is the master of balancer LB, dir2 records its
# messages; two connections of the client, the first sent with sync
# version 1, the second with version 0.  Leaves $LAB/LB.rec (messages),
# $LAB/LB.list (master's connections), $LAB/LB.daemon.
run_master() {
	local lb=$1 rec i
	in_ns dir1 ipvsadm --start-daemon master --mcast-interface eth0 --syncid 5 ||
		{ fail "$lb-master-start" "start failed"; return 1; }
	in_ns dir1 ipvsadm -L --daemon > $LAB/$lb.daemon
	ip netns exec dir2 xvs-mcast record -t 120 eth0 $GROUP $SPORT $LAB/$lb.rec >/dev/null 2>&1 &
	rec=$!
	sleep 0.5
	in_ns dir1 sh -c 'echo 1 > /proc/sys/net/ipv4/vs/sync_version'
	lab_open 1 $PORT
	says 1 one-$lb
	sctp_hold 60
	wait_sctp dir1 ESTABLISHED >/dev/null ||
		fail "$lb-sctp-established" "$(cat $LAB/sctp.out)"
	in_ns dir1 sh -c 'echo 0 > /proc/sys/net/ipv4/vs/sync_version'
	lab_open 2 $PORT
	says 2 two-$lb
	# until the version 0 message of connection 2 is in (the master sends
	# within about 3 s), then a little longer for stragglers
	for i in $(seq 100); do
		xvs-mcast dump $LAB/$lb.rec 2>/dev/null | grep -qv '^00' && break
		sleep 0.3
	done
	sleep 3
	kill $rec
	wait $rec 2>/dev/null
	xvs-mcast dump $LAB/$lb.rec | wc -l > $LAB/$lb.count
	in_ns dir1 sh -c 'echo 1 > /proc/sys/net/ipv4/vs/sync_version'
	conn_list dir1 > $LAB/$lb.list
	log "$lb master: $(cat $LAB/$lb.count) datagrams recorded"
	quote < $LAB/$lb.list
	kill $SCTP_PID 2>/dev/null
	check_eq "$lb-master-lists-4" 4 "$(wc -l < $LAB/$lb.list)"
	check_eq "$lb-recorded" 1 "$([ "$(cat $LAB/$lb.count)" -ge 2 ] 2>/dev/null && echo 1)"
	in_ns dir1 xvs-mcast dump $LAB/$lb.rec | cut -c1-160 | quote
	lab_close_all
	in_ns dir1 ipvsadm --stop-daemon master
}

# switch_to LB: unloads the balancer, loads LB, services in both directors
switch_to() {
	in_ns dir1 ipvsadm -C
	in_ns dir2 ipvsadm -C
	# (ip_vs keeps its module while a daemon runs: stop everything first)
	in_ns dir1 ipvsadm --stop-daemon master 2>/dev/null
	in_ns dir2 ipvsadm --stop-daemon backup 2>/dev/null
	lb_unload || { fail "switch-to-$1" "unload failed"; return 1; }
	out=$(lb_load "$1" 2>&1) || { fail "switch-to-$1" "$out"; return 1; }
	sync_services dir1 && sync_services dir2 || { fail "switch-to-$1" "services"; return 1; }
	pass "switch-to-$1"
}

# replay_to_backup LB FROM [-g]: dir2 runs LB's backup, dir1 replays FROM's
# recording to it
replay_to_backup() {
	local lb=$1 from=$2 n
	in_ns dir2 ipvsadm --start-daemon backup --mcast-interface eth0 --syncid 5 ||
		{ fail "$lb-backup-start" "start failed"; return 1; }
	sleep 0.5
	n=$(in_ns dir1 xvs-mcast replay $3 eth0 $GROUP $SPORT $LAB/$from.rec)
	log "replayed $n datagrams of $from to the $lb backup"
	sleep 1
	conn_list dir2 > $LAB/$lb.backup.list
}

if ! out=$(lb_load ipvs 2>&1); then
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

# --- A: ip_vs master -> xvs backup -------------------------------------------------
run_master ipvs
switch_to xvs
replay_to_backup xvs ipvs
check_same_file ipvs-to-xvs $LAB/ipvs.list $LAB/xvs.backup.list
# broken copies first, then the same messages again
dmesg -c >/dev/null
in_ns dir2 ipvsadm --stop-daemon backup
replay_to_backup xvs ipvs -g
# (a flipped address byte still makes a valid entry: only the original
# ones must be there, unchanged)
missing=$(grep -vxF -f $LAB/xvs.backup.list $LAB/ipvs.list)
check_eq ipvs-to-xvs-garbled "" "$missing"
in_ns dir2 ipvsadm --stop-daemon backup
drops=$(dmesg | sed -n 's/.*backup sync daemon stopped: .* \([0-9]*\) dropped.*/\1/p' | tail -1)
log "xvs backup: ${drops:-?} dropped"
check_eq garbled-dropped 1 "$([ "${drops:-0}" -gt 0 ] && echo 1)"

# --- B: xvs master -> ip_vs backup -------------------------------------------------
in_ns dir1 ipvsadm -C
in_ns dir2 ipvsadm -C
sync_services dir1 && sync_services dir2
run_master xvs
check_same_file daemon-listing $LAB/ipvs.daemon $LAB/xvs.daemon
switch_to ipvs
replay_to_backup ipvs xvs
check_same_file xvs-to-ipvs $LAB/xvs.list $LAB/ipvs.backup.list
in_ns dir2 ipvsadm --stop-daemon backup

lab_teardown br-sync
sleep 2
check unload lb_unload
finish
