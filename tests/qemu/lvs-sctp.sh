#!/bin/bash
# SCTP services (ipvsadm --sctp-service) through NAT, DR and TUN (IPIP),
# and IPsec ESP following its IKE connection, all network namespaces in one
# VM.  The SCTP servers (xvs-sctp) answer each association with their name
# and the client address they see, and are bound to one address so that
# the associations stay single-homed.
#
#  - NAT (the lab of lvs-nat.sh: client 81.57.54.254, VIP 81.57.54.100,
#    realservers 192.168.0.1-3 behind the director): service port 5000,
#    realservers on port 6000, so the director rewrites ports and the SCTP
#    CRC32c both ways; rr answers in rr order and the realservers see the
#    real client address.  An association held open shows ESTABLISHED in
#    `ipvsadm -L -n -c` and counts as ActiveConn; after the shutdown every
#    entry is CLOSED (NAT sees both directions: INIT1, C-SENT, C-REPLIED,
#    ESTABLISHED, S-RECEIVED, S-ACK-SENT, CLOSED).
#  - ESP (same lab): a UDP service on port 500 to rs1; a UDP datagram from
#    client port 500 (the IKE exchange) creates the connection; then ping
#    through ESP SAs (null cipher, transport mode) between the client and
#    the VIP, resp. rs1, succeeds only if the director forwards the ESP
#    packets along that connection and translates the replies.
#  - DR and TUN (one segment as in lvs-tun.sh: client 192.168.1.254, VIP
#    192.168.1.176, realservers 192.168.1.101-102 with the VIP on tunl0):
#    rr answers from both realservers, the realservers see the client, and
#    the entries, which only see client packets, end CLOSED after the
#    shutdown (ESTABLISHED while held).
#  - Which chunks open a connection (raw single-chunk packets from the
#    client): HEARTBEAT, DATA and ABORT do not, INIT does; with
#    sloppy_sctp=1 a HEARTBEAT does too (ESTABLISHED), an ABORT still not.
#
# Argument: the balancer, ipvs (the kernel's ip_vs) or xvs (xvs.ko).
# xvs-timeout: 600
# xvs-variant: ipvs
# xvs-reference: ipvs
# xvs-variant: xvs
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lib-net.sh"

LB=${1:?usage: lvs-sctp.sh ipvs|xvs}
NREQ=6
SPORT=5000

# sctp_ask IP PORT [HOLD]: one association from the client; prints the
# answering realserver and the client address it saw ("rs1 1.2.3.4"), or ERR
sctp_ask() {
	local out
	out=$(in_ns client xvs-sctp client -t 5 -H "${3:-0}" "$1" "$2" 2>&1) || out=ERR
	set -- $out
	[ "${1:-}" != ERR ] && [ -n "${2:-}" ] && echo "$1 $2" || echo ERR
}

# sctp_conns VIP:PORT [STATE]: SCTP entries of `ipvsadm -L -n -c` for the
# service (in STATE)
sctp_conns() {
	lvs -L -n -c | awk -v v="$1" -v s="${2:-}" \
		'$1 == "SCTP" && $5 == v && (s == "" || $3 == s)' | wc -l
}

# sctp_active VIP:PORT: total ActiveConn of an SCTP service
sctp_active() {
	lvs -L -n --sctp-service "$1" | awk '$1 == "->" && $2 ~ /:/ { n += $5 } END { print n + 0 }'
}

# rr_seq "NAMES" N: N answers of rr over NAMES (newest destination first)
rr_seq() {
	local names=($1) i out=
	for i in $(seq 0 $(($2 - 1))); do
		out+="${out:+ }${names[$((i % ${#names[@]}))]}"
	done
	echo "$out"
}

# sctp_round TAG VIP "NAMES" CLIENT: NREQ associations, checks the answers
sctp_round() {
	local tag=$1 vip=$2 names=$3 cip=$4 i a got=() bad=0
	for i in $(seq $NREQ); do
		a=$(sctp_ask "$vip" $SPORT)
		echo "$tag association $i -> $a"
		set -- $a
		got+=("$1")
		[ "${2:-}" = "$cip" ] || bad=$((bad + 1))
	done
	check_eq "$tag-rr-sequence" "$(rr_seq "$names" $NREQ)" "${got[*]}"
	check_eq "$tag-client-address-seen" 0 $bad
}

# sctp_hold TAG VIP: one association held open: ESTABLISHED and active
# while open, CLOSED after the shutdown
sctp_hold() {
	local tag=$1 vip=$2 pid i est=0 act=0
	in_ns client xvs-sctp client -t 5 -H 8 "$vip" $SPORT > /tmp/sctp-hold.out 2>&1 &
	pid=$!
	for i in $(seq 30); do
		est=$(sctp_conns "$vip:$SPORT" ESTABLISHED)
		[ "$est" = 1 ] && break
		sleep 0.1
	done
	act=$(sctp_active "$vip:$SPORT")
	lvs -L -n -c | grep SCTP | quote
	# still open: the other end is not told anything by us
	check "$tag-held-open" kill -0 $pid
	check_eq "$tag-held-established" 1 "$est"
	check_eq "$tag-held-active" 1 "$act"
	wait $pid
	check "$tag-held-answered" grep -q '^rs' /tmp/sctp-hold.out
	sleep 1
	lvs -L -n -c | grep SCTP | quote
	# (entries of an earlier method may have expired meanwhile)
	check "$tag-all-closed" [ "$(sctp_conns "$vip:$SPORT" CLOSED)" -ge $((NREQ + 1)) ]
	check_eq "$tag-none-open" "$(sctp_conns "$vip:$SPORT" CLOSED)" "$(sctp_conns "$vip:$SPORT")"
	check_eq "$tag-none-active" 0 "$(sctp_active "$vip:$SPORT")"
}

# sctp_servers "N..." ADDR-FUNC PORT: xvs-sctp servers on the realservers
sctp_servers() {
	local n
	for n in $1; do
		ip netns exec rs$n xvs-sctp server -b "$($2 $n)" "$3" rs$n </dev/null >/dev/null 2>&1 &
		LAB_PIDS+=($!)
	done
	sleep 0.5
}

if ! out=$(lb_load "$LB" 2>&1); then
	fail load "$out"
	finish
fi
pass load
modprobe sctp || { fail modprobe-sctp; finish; }

# ---- NAT -------------------------------------------------------------------
nat_rip() { echo "192.168.0.$1"; }
if ! lab_nat_up > /tmp/lab-up.log 2>&1; then
	fail nat-lab-up "$(tail -n 3 /tmp/lab-up.log)"
	lab_nat_down
	finish
fi
pass nat-lab-up
sctp_servers "1 2 3" nat_rip 6000
NVIP=81.57.54.100
lvs -A --sctp-service $NVIP:$SPORT -s rr &&
	lvs -a --sctp-service $NVIP:$SPORT -r 192.168.0.1:6000 -m &&
	lvs -a --sctp-service $NVIP:$SPORT -r 192.168.0.2:6000 -m &&
	lvs -a --sctp-service $NVIP:$SPORT -r 192.168.0.3:6000 -m
check nat-configure [ $? = 0 ]
lvs -L -n | quote
check_eq nat-listing "SCTP $NVIP:$SPORT rr" \
	"$(lvs -L -n | awk '$1 == "SCTP" { print $1, $2, $3 }')"
check_eq nat-proc-listing "SCTP 51393664:1388 rr" \
	"$(in_ns director awk '$1 == "SCTP" { print $1, $2, $3 }' /proc/net/ip_vs)"
# every SCTP packet the realservers and the client receive carries a CRC
# the director computed after rewriting the port: check them on the wire
crc_ok() { [ "$1" -ge 5 ] && [ "$2" = 0 ]; }
sniffers=()
for ns in rs1 rs2 rs3 client; do
	ip netns exec $ns xvs-sctp sniff -t 600 eth0 > /tmp/sniff-$ns 2>&1 &
	sniffers+=($!)
done
sleep 0.5
sctp_round nat $NVIP "rs3 rs2 rs1" 81.57.54.254
sctp_hold nat $NVIP
kill -TERM "${sniffers[@]}"
wait "${sniffers[@]}"
for ns in rs1 rs2 rs3 client; do
	read -r _ ok _ bad < /tmp/sniff-$ns
	echo "CRC32c seen by $ns: ok ${ok:-?} bad ${bad:-?}"
	check "nat-crc-$ns" crc_ok "${ok:-0}" "${bad:-1}"
done
check_eq nat-conns $((NREQ + 1)) "$(lvs -L -n --stats --exact --sctp-service $NVIP:$SPORT | awk '$1 == "SCTP" { print $3 }')"
check nat-inpkts [ "$(lvs -L -n --stats --exact --sctp-service $NVIP:$SPORT | awk '$1 == "SCTP" { print $4 }')" -ge $((5 * (NREQ + 1))) ]
check nat-outpkts [ "$(lvs -L -n --stats --exact --sctp-service $NVIP:$SPORT | awk '$1 == "SCTP" { print $5 }')" -ge $((3 * (NREQ + 1))) ]

# ---- ESP along its IKE connection (same lab) --------------------------------
CIP=81.57.54.254
RIP1=192.168.0.1
esp_up() {
	in_ns client ip xfrm state add src $CIP dst $NVIP proto esp spi 0x1001 \
		mode transport enc cipher_null "" &&
	in_ns client ip xfrm state add src $NVIP dst $CIP proto esp spi 0x2002 \
		mode transport enc cipher_null "" &&
	in_ns client ip xfrm policy add src $CIP/32 dst $NVIP/32 proto icmp dir out \
		tmpl src $CIP dst $NVIP proto esp mode transport &&
	in_ns rs1 ip xfrm state add src $CIP dst $RIP1 proto esp spi 0x1001 \
		mode transport enc cipher_null "" &&
	in_ns rs1 ip xfrm state add src $RIP1 dst $CIP proto esp spi 0x2002 \
		mode transport enc cipher_null "" &&
	in_ns rs1 ip xfrm policy add src $RIP1/32 dst $CIP/32 proto icmp dir out \
		tmpl src $RIP1 dst $CIP proto esp mode transport
}
no_ping() { ! in_ns client ping -c 1 -W 2 "$1" >/dev/null; }
# esp_count NS SPI: packets through that SA
esp_count() {
	in_ns "$1" ip -s xfrm state list spi "$2" proto esp 2>/dev/null |
		awk '/lifetime current/ { f = 1; next }
			f && /\(packets\)/ { for (i = 1; i <= NF; i++) if ($i ~ /\(packets\)/) {
				sub(/\(packets\).*/, "", $i); print $i; exit } }'
}
ip netns exec rs1 xvs-pkt udpecho 500 rs1 </dev/null >/dev/null 2>&1 &
LAB_PIDS+=($!)
lvs -A -u $NVIP:500 -s rr && lvs -a -u $NVIP:500 -r $RIP1:500 -m
check esp-configure [ $? = 0 ]
if ! out=$(esp_up 2>&1); then
	fail esp-xfrm-setup "$out"
else
	pass esp-xfrm-setup
	# no IKE connection yet: ESP to the VIP is not forwarded
	check esp-without-ike no_ping $NVIP
	sleep 0.5
	check_eq esp-ike-exchange "rs1 64" "$(in_ns client xvs-pkt udp -p 500 $NVIP 500 64)"
	lvs -L -n -c | quote
	check esp-ping in_ns client ping -c 3 -W 2 $NVIP
	rs_in=$(esp_count rs1 0x1001)
	echo "rs1 ESP packets in: ${rs_in:-?}"
	check esp-reached-rs1 [ "${rs_in:-0}" -ge 3 ]
	[ "${rs_in:-0}" -ge 3 ] || in_ns rs1 ip -s xfrm state | quote
fi

lab_nat_down

# ---- DR and TUN (IPIP) ------------------------------------------------------
VIP=192.168.1.176
DIP=192.168.1.10
CIP=192.168.1.254
TUN_RS="1 2"
rip() { echo "192.168.1.10$1"; }
vip_of() { echo $VIP; }

one_up() {
	local n
	net_segment br-sctp client director rs1 rs2 || return 1
	in_ns client ip addr add $CIP/24 dev eth0
	in_ns client ip link set eth0 up
	in_ns director sh -c "
		ifconfig eth0 $DIP netmask 255.255.255.0 up &&
		ifconfig eth0:0 $VIP netmask 255.255.255.255 broadcast $VIP up &&
		echo 1 > /proc/sys/net/ipv4/ip_forward" ||
		{ echo "director setup failed"; return 1; }
	modprobe ipip || { echo "modprobe ipip failed"; return 1; }
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
		in_ns director ping -c 1 -W 2 "$(rip $n)" >/dev/null ||
			{ echo "director cannot reach $(rip $n)"; return 1; }
	done
	in_ns client ping -c 1 -W 2 $VIP >/dev/null || { echo "client cannot reach the VIP"; return 1; }
}

if ! one_up > /tmp/lab-up.log 2>&1; then
	fail dr-lab-up "$(tail -n 3 /tmp/lab-up.log)"
	lab_teardown br-sctp
	finish
fi
pass dr-lab-up
sctp_servers "$TUN_RS" vip_of $SPORT

for method in dr:-g tun:-i; do
	tag=${method%%:*}
	flag=${method#*:}
	lvs -C
	lvs -A --sctp-service $VIP:$SPORT -s rr &&
		lvs -a --sctp-service $VIP:$SPORT -r "$(rip 1)" $flag &&
		lvs -a --sctp-service $VIP:$SPORT -r "$(rip 2)" $flag
	check $tag-configure [ $? = 0 ]
	lvs -L -n | quote
	sctp_round $tag $VIP "rs2 rs1" $CIP
	sctp_hold $tag $VIP
	# replies bypass the director
	check_eq $tag-outpkts-zero 0 \
		"$(lvs -L -n --stats --exact --sctp-service $VIP:$SPORT | awk '$1 == "SCTP" { print $5 }')"
done

# ---- which chunks open a connection (the TUN service is still there) -------
# chunk_entry SPORT: state of the entry of client port SPORT, or none
chunk_entry() {
	lvs -L -n -c | awk -v c="$CIP:$1" '$1 == "SCTP" && $4 == c { print $3; f = 1 }
		END { if (!f) print "none" }'
}
sloppy() { in_ns director sh -c "echo $1 > /proc/sys/net/ipv4/vs/sloppy_sctp"; }
chunk() { in_ns client xvs-sctp chunk -s "$1" $VIP $SPORT "$2"; }
check_eq sloppy-sctp-default 0 "$(in_ns director cat /proc/sys/net/ipv4/vs/sloppy_sctp)"
chunk 40001 heartbeat && chunk 40002 data && chunk 40003 abort && chunk 40004 init &&
	sloppy 1 && chunk 40005 heartbeat && chunk 40006 abort && sloppy 0
check chunks-sent [ $? = 0 ]
sleep 1
lvs -L -n -c | grep ":4000[0-9] " | quote
check_eq chunk-heartbeat-opens-nothing none "$(chunk_entry 40001)"
check_eq chunk-data-opens-nothing none "$(chunk_entry 40002)"
check_eq chunk-abort-opens-nothing none "$(chunk_entry 40003)"
# (the client's stack may already have aborted the realserver's INIT-ACK)
init_or_closed() { [ "$1" = INIT1 ] || [ "$1" = CLOSED ]; }
check chunk-init-opens init_or_closed "$(chunk_entry 40004)"
check_eq chunk-sloppy-heartbeat-opens ESTABLISHED "$(chunk_entry 40005)"
check_eq chunk-sloppy-abort-opens-nothing none "$(chunk_entry 40006)"

lvs -C
lab_teardown br-sctp
check unload lb_unload
finish
