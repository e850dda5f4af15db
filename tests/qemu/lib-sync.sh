# Shared pieces of the connection synchronisation scenarios (sync.sh,
# sync-interop.sh): two directors dir1 and dir2, a client and two DR
# realservers rs1/rs2 holding the VIP on lo, all on the bridge br-sync
# (192.168.0.0/24); the realservers answer on :9000 with their name and
# then echo what they receive, and on SCTP :9100 with their name (xvs-sctp).
# Sourced after lib.sh and lib-net.sh.
# shellcheck shell=bash
VIP=192.168.0.1
D1=192.168.0.10
D2=192.168.0.11
RIP1=192.168.0.100
RIP2=192.168.0.200
CIP=192.168.0.254
PORT=9000
SCTP_PORT=9100

rip() { [ "$1" = rs1 ] && echo $RIP1 || echo $RIP2; }
other_rs() { [ "$1" = rs1 ] && echo rs2 || echo rs1; }

sync_up() {
	local n i
	mkdir -p $LAB
	modprobe sctp || { echo "modprobe sctp failed"; return 1; }
	net_segment br-sync client dir1 dir2 rs1 rs2 || return 1
	in_ns client ip addr add $CIP/24 dev eth0
	in_ns dir1 ip addr add $D1/24 dev eth0
	in_ns dir1 ip addr add $VIP/32 dev eth0
	in_ns dir2 ip addr add $D2/24 dev eth0
	for n in client dir1 dir2; do in_ns $n ip link set eth0 up; done
	for n in rs1 rs2; do
		in_ns $n sh -c "
			echo 1 > /proc/sys/net/ipv4/conf/all/arp_ignore &&
			echo 2 > /proc/sys/net/ipv4/conf/all/arp_announce &&
			ip addr add $(rip $n)/24 dev eth0 && ip link set eth0 up &&
			ip addr add $VIP/32 dev lo" || return 1
		printf '#!/bin/sh\necho "realserver %s"\nexec cat\n' $n > $LAB/hold-$n
		chmod +x $LAB/hold-$n
		ip netns exec $n nc -ll -p $PORT -e $LAB/hold-$n </dev/null >/dev/null 2>&1 &
		LAB_PIDS+=($!)
		lab_wait_port $n $PORT || { echo "nc on $n did not start"; return 1; }
		ip netns exec $n xvs-sctp server -b $VIP $SCTP_PORT $n </dev/null >/dev/null 2>&1 &
		LAB_PIDS+=($!)
	done
	sync_services dir1 && sync_services dir2 || return 1
	for i in 1 2; do
		in_ns dir$i ping -c 1 -W 2 $RIP1 >/dev/null &&
		in_ns dir$i ping -c 1 -W 2 $RIP2 >/dev/null ||
			{ echo "dir$i cannot reach the realservers"; return 1; }
	done
	in_ns client ping -c 1 -W 2 $VIP >/dev/null || { echo "client cannot reach the VIP"; return 1; }
}

# conn_line NS CPORT|0 RS: the `ipvsadm -L -n -c` line of the client's
# connection (template with CPORT 0) to RS in NS, empty if none
conn_line() {
	in_ns "$1" ipvsadm -L -n -c 2>/dev/null |
		awk -v c="$CIP:$2" -v v="$VIP:$PORT" -v d="$(rip "$3"):$PORT" \
			'$1 == "TCP" && $4 == c && $5 == v && $6 == d'
}

# new_port [PORT...]: the client's local port of its connection to the
# VIP that is not one of PORT...
new_port() {
	in_ns client netstat -tn 2>/dev/null |
		awk -v v="$VIP:$PORT" '$5 == v && $6 == "ESTABLISHED" { n = split($4, a, ":"); print a[n] }' |
		grep -vxF -e "${1:-none}" -e "${2:-none}" | head -1
}

# wait_conn NS CPORT RS STATE: up to 15 s for that entry in that state
wait_conn() {
	local i
	for i in $(seq 75); do
		conn_line "$1" "$2" "$3" | grep -q " $4 " && return 0
		sleep 0.2
	done
	return 1
}

# says IDX TEXT: TEXT sent on open connection IDX comes back (echo server)
says() {
	local idx=$1 text=$2 fdvar="LAB_FD_$1" i
	echo "$text" >&"${!fdvar}"
	for i in $(seq 50); do
		grep -qx "$text" $LAB/open/out.$idx && return 0
		sleep 0.1
	done
	return 1
}

# sync_services NS: the lab's DR services in NS: TCP persistent, SCTP not
sync_services() {
	in_ns "$1" ipvsadm -A -t $VIP:$PORT -s wrr -p 300 &&
	in_ns "$1" ipvsadm -a -t $VIP:$PORT -r $RIP1:$PORT -g -w 1 &&
	in_ns "$1" ipvsadm -a -t $VIP:$PORT -r $RIP2:$PORT -g -w 1 &&
	in_ns "$1" ipvsadm -A --sctp-service $VIP:$SCTP_PORT -s rr &&
	in_ns "$1" ipvsadm -a --sctp-service $VIP:$SCTP_PORT -r $RIP1 -g &&
	in_ns "$1" ipvsadm -a --sctp-service $VIP:$SCTP_PORT -r $RIP2 -g ||
		{ echo "ipvsadm setup in $1 failed"; return 1; }
}

# sctp_hold SECONDS: the client opens an SCTP association to the VIP, is
# answered and keeps it SECONDS; its answer goes to $LAB/sctp.out and its
# pid to SCTP_PID
sctp_hold() {
	ip netns exec client xvs-sctp client -t 5 -H "$1" $VIP $SCTP_PORT \
		</dev/null >$LAB/sctp.out 2>&1 &
	SCTP_PID=$!
	LAB_PIDS+=($SCTP_PID)
}

# sctp_line NS [STATE]: the `ipvsadm -L -n -c` line of the client's SCTP
# association in NS (in STATE), empty if none
sctp_line() {
	in_ns "$1" ipvsadm -L -n -c 2>/dev/null |
		awk -v v="$VIP:$SCTP_PORT" -v s="${2:-.}" \
			'$1 == "SCTP" && $5 == v && $3 ~ s && $4 ~ /^'"$CIP"':/'
}

# wait_sctp NS STATE: up to 15 s for the association in that state; prints
# its realserver address
wait_sctp() {
	local i line
	for i in $(seq 75); do
		line=$(sctp_line "$1" "^$2\$")
		[ -n "$line" ] && { echo "$line" | awk '{ split($6, a, ":"); print a[1] }'; return 0; }
		sleep 0.2
	done
	return 1
}
