#!/bin/bash
# Stale-entry expiry: net.xvs.expire_stale_conn, an xvs extension (issue
# 16, the DNS complaint of kube-proxy users).  A DNS-like client in the
# seed-001 NAT lab keeps its source port for every query to a UDP echo
# service on the VIP (xvs-pkt udp -p); its queries follow one connection
# entry.  When that entry's realserver is removed, or quiesced (weight 0,
# as a health checker does when it finds the server dead):
#  - switch 0 (the default, IPVS's behaviour; the ip_vs comparison was run
#    by hand): the entry stays for the whole UDP timeout, listed against the
#    old realserver; removed, its queries are dropped (counted as
#    destination_removed); quiesced, they keep going to the old realserver,
#    and are lost once it is dead.  A persistent service keeps a client on
#    its quiesced realserver.
#  - switch 1: the UDP entry (and a UDP persistence template pointing at
#    that realserver) is gone at once, and the client's next query, even
#    one sent right after the ipvsadm command, is answered by another
#    realserver; a TCP connection to a quiesced realserver is left alone.
#  - switch 2: TCP too: the established connection's entry goes with its
#    removed realserver, the client's next segment meets a reset, and a new
#    connection goes to another realserver.
#  - turning the switch on expires the entries already stale; it takes 0,
#    1 or 2 and refuses anything else; deleting a service expires the
#    entries of its realservers.
#  - xvsd with `expirestale=udp` in ldirectord.cf sets the switch; when its
#    external check fails a realserver (quiesced with quiescent=yes,
#    removed with quiescent=no) the client moves at once.
#
# Argument: the balancer; xvs only (ip_vs has no such switch).
# xvs-timeout: 360
# xvs-variant: xvs
. "$(dirname "$0")/lib.sh"

LB=${1:?usage: stale-udp.sh xvs}
CLIENT=81.57.54.254
UP=9053		# the UDP echo service
PP=9054		# the same echo on another port: persistent service, xvsd
STALE=/proc/sys/net/xvs/expire_stale_conn

declare -A ECHO=()
# echo_start N PORT / echo_stop N PORT: rsN's named UDP echo server on PORT
echo_start() {
	ip netns exec rs$1 xvs-pkt udpecho "$2" rs$1 </dev/null >/dev/null 2>&1 &
	ECHO[$1:$2]=$!
	LAB_PIDS+=($!)
}
echo_stop() {
	kill "${ECHO[$1:$2]}" 2>/dev/null
	wait "${ECHO[$1:$2]}" 2>/dev/null
}
# echo_ready N PORT: rsN's echo answers the director directly
echo_ready() {
	local _
	for _ in $(seq 20); do
		[ "$(in_ns director xvs-pkt udp -t 1 192.168.0.$1 "$2" 8)" = "rs$1 8" ] && return 0
	done
	return 1
}

setup() {
	local n
	for n in $LAB_RS; do
		echo_start $n $UP
		echo_start $n $PP
	done
	for n in $LAB_RS; do
		echo_ready $n $UP && echo_ready $n $PP || { echo "udpecho on rs$n"; return 1; }
	done
}

stale_set() { in_ns director sh -c "echo $1 > $STALE" 2>&1; }
stale_get() { in_ns director cat $STALE; }

# ask SPORT [PORT]: one query from the client's port SPORT; prints the
# answering realserver (rs1..) or ERR (no answer within 2 s)
ask() {
	local out
	out=$(in_ns client xvs-pkt udp -p "$1" -t 2 $VIP "${2:-$UP}" 32)
	echo "${out%% *}"
}

# entry PROTO SPORT [VPORT]: the realserver of the client's entry from
# SPORT in `ipvsadm -L -n -c` (rs1..), or none
entry() {
	lvs -L -n -c | awk -v p="$1" -v s="$CLIENT:$2" -v v="$VIP:${3:-$UP}" '
		$1 == p && $4 == s && $5 == v { split($6, a, ":"); n = split(a[1], b, ".");
			print "rs" b[n]; f = 1 } END { if (!f) print "none" }'
}
# template PORT: the realserver of the client's template on VIP:PORT, or none
template() {
	lvs -L -n -c | awk -v s="$CLIENT:0" -v v="$VIP:$1" '
		$4 == s && $5 == v { split($6, a, ":"); n = split(a[1], b, ".");
			print "rs" b[n]; f = 1 } END { if (!f) print "none" }'
}

# tcp_cport: the client port of the client's established TCP entry to
# VIP:9000, or none
tcp_cport() {
	lvs -L -n -c | awk -v c="$CLIENT:" -v v="$VIP:9000" '$1 == "TCP" &&
		$3 == "ESTABLISHED" && index($4, c) == 1 && $5 == v {
			sub(/.*:/, "", $4); print $4; f = 1; exit } END { if (!f) print "none" }'
}

# templates_to rsN PORT: how many templates of the client lead to rsN:PORT
# (in use or already taken out of use, ports 65535)
templates_to() {
	lvs -L -n -c | awk -v s="$CLIENT:0" -v d="$(rip "$1"):$2" '$4 == s && $6 == d { n++ }
		END { print n + 0 }'
}

rip() { echo "192.168.0.${1#rs}"; }
# weight SERVICE-OPTS rsN: its weight in the table, or none
weight() {
	lvs -L -n $1 | awk -v d="$(rip "$2"):$3" '$1 == "->" && $2 == d { print $4; f = 1 }
		END { if (!f) print "none" }'
}
drops() { in_ns director awk -v r="$1" '$1 == r { print $2 }' /proc/net/xvs_drops; }

# moved NAME OLD NEW: NEW is another realserver than OLD
moved() {
	case $3 in
	rs[123]) [ "$3" != "$2" ] && pass "$1" || fail "$1" "answered by the old realserver $2" ;;
	*) fail "$1" "no answer ($3), old realserver $2" ;;
	esac
}
# first NAME SPORT [PORT]: asks once, checks an answer came; sets FIRST
first() {
	FIRST=$(ask "$2" "${3:-$UP}")
	case $FIRST in rs[123]) pass "$1" ;; *) fail "$1" "answer: $FIRST" ;; esac
}

lab_nat_begin "$LB" setup
pass lab-up

lvs_configure "-A -u $VIP:$UP -s rr" \
	"-a -u $VIP:$UP -r 192.168.0.1:$UP -m" \
	"-a -u $VIP:$UP -r 192.168.0.2:$UP -m" \
	"-a -u $VIP:$UP -r 192.168.0.3:$UP -m" \
	"-A -u $VIP:$PP -s rr -p 120" \
	"-a -u $VIP:$PP -r 192.168.0.1:$PP -m" \
	"-a -u $VIP:$PP -r 192.168.0.2:$PP -m" \
	"-a -u $VIP:$PP -r 192.168.0.3:$PP -m" \
	"-A -t $VIP:9000 -s rr" \
	"-a -t $VIP:9000 -r 192.168.0.1:9000 -m" \
	"-a -t $VIP:9000 -r 192.168.0.2:9000 -m" \
	"-a -t $VIP:9000 -r 192.168.0.3:9000 -m" && pass configure

# ---- the switch ------------------------------------------------------------------
check_eq default-off 0 "$(stale_get)"
for v in 3 -1 x; do
	out=$(stale_set "$v")
	[ -n "$out" ] && [ "$(stale_get)" = 0 ] && pass "refuses-$v" ||
		fail "refuses-$v" "write '$v': [$out], now $(stale_get)"
done
stale_set 2 >/dev/null && stale_set 0 >/dev/null
check_eq takes-0-2 0 "$(stale_get)"

# ---- switch 0: IPVS's behaviour --------------------------------------------------
log "switch 0"
first off-removed-first 30001
old=$FIRST
before=$(drops destination_removed)
lvs -d -u $VIP:$UP -r "$(rip "$old"):$UP"
sleep 2
check_eq off-removed-entry-stays "$old" "$(entry UDP 30001)"
check_eq off-removed-blackholed ERR "$(ask 30001)"
check_eq off-removed-counted $((before + 1)) "$(drops destination_removed)"
check_eq off-removed-entry-still-listed "$old" "$(entry UDP 30001)"
lvs -a -u $VIP:$UP -r "$(rip "$old"):$UP" -m

first off-quiesced-first 30002
old=$FIRST
lvs -e -u $VIP:$UP -r "$(rip "$old"):$UP" -m -w 0
sleep 2
check_eq off-quiesced-entry-stays "$old" "$(entry UDP 30002)"
check_eq off-quiesced-sticks "$old" "$(ask 30002)"
# the health checker was right: the realserver is dead, its client is lost
echo_stop "${old#rs}" $UP
check_eq off-quiesced-dead-blackholed ERR "$(ask 30002)"
check_eq off-quiesced-dead-entry-stays "$old" "$(entry UDP 30002)"
echo_start "${old#rs}" $UP
echo_ready "${old#rs}" $UP
lvs -e -u $VIP:$UP -r "$(rip "$old"):$UP" -m -w 1

first off-persistent-first 30003 $PP
old=$FIRST
check_eq off-persistent-template "$old" "$(template $PP)"
lvs -e -u $VIP:$PP -r "$(rip "$old"):$PP" -m -w 0
sleep 2
check_eq off-persistent-template-stays "$old" "$(template $PP)"
# a new port of the same client follows the template (expire_quiescent_template=0)
check_eq off-persistent-sticks "$old" "$(ask 30004 $PP)"
lvs -e -u $VIP:$PP -r "$(rip "$old"):$PP" -m -w 1

# ---- switch 1: UDP ---------------------------------------------------------------
log "switch 1"
check_eq set-udp "" "$(stale_set 1)"

first udp-removed-first 30011
old=$FIRST
lvs -d -u $VIP:$UP -r "$(rip "$old"):$UP"
check_eq udp-removed-entry-expired none "$(settled 3 none entry UDP 30011)"
moved udp-removed-moves "$old" "$(ask 30011)"
lvs -a -u $VIP:$UP -r "$(rip "$old"):$UP" -m

first udp-quiesced-first 30012
old=$FIRST
echo_stop "${old#rs}" $UP
lvs -e -u $VIP:$UP -r "$(rip "$old"):$UP" -m -w 0
check_eq udp-quiesced-entry-expired none "$(settled 3 none entry UDP 30012)"
moved udp-quiesced-dead-moves "$old" "$(ask 30012)"
echo_start "${old#rs}" $UP
echo_ready "${old#rs}" $UP
lvs -e -u $VIP:$UP -r "$(rip "$old"):$UP" -m -w 1

# the very next query, sent as soon as ipvsadm returns
first udp-at-once-first 30013
old=$FIRST
lvs -e -u $VIP:$UP -r "$(rip "$old"):$UP" -m -w 0
moved udp-quiesced-at-once "$old" "$(ask 30013)"
lvs -e -u $VIP:$UP -r "$(rip "$old"):$UP" -m -w 1
first udp-removed-at-once-first 30014
old=$FIRST
lvs -d -u $VIP:$UP -r "$(rip "$old"):$UP"
moved udp-removed-at-once "$old" "$(ask 30014)"
lvs -a -u $VIP:$UP -r "$(rip "$old"):$UP" -m

# persistence: the template goes with the entry, the client moves
first udp-persistent-first 30021 $PP
old=$FIRST
check_eq udp-persistent-template "$old" "$(template $PP)"
lvs -e -u $VIP:$PP -r "$(rip "$old"):$PP" -m -w 0
check_eq udp-persistent-entry-expired none "$(settled 3 none entry UDP 30021 $PP)"
check_eq udp-persistent-template-expired 0 "$(settled 3 0 templates_to "$old" $PP)"
new=$(ask 30021 $PP)
moved udp-persistent-moves "$old" "$new"
check_eq udp-persistent-new-template "$new" "$(template $PP)"
check_eq udp-persistent-new-port-follows "$new" "$(ask 30022 $PP)"
lvs -e -u $VIP:$PP -r "$(rip "$old"):$PP" -m -w 1

# TCP is not the UDP switch's business
lab_open 1 9000
old=$LAB_LAST
case $old in rs[123]) pass udp-tcp-open ;; *) fail udp-tcp-open "answer: $old" ;; esac
lvs -e -t $VIP:9000 -r "$(rip "$old"):9000" -m -w 0
sleep 2
check_eq udp-tcp-entry-stays "$old" "$(entry TCP "$(tcp_cport)" 9000)"
echo still-there >&"$LAB_FD_1"
sleep 1
if grep -q still-there "$LAB/open/out.1"; then pass udp-tcp-still-works; else
	fail udp-tcp-still-works "no echo: $(tr '\n' ' ' < "$LAB/open/out.1")"; fi
lab_close 1
lvs -e -t $VIP:9000 -r "$(rip "$old"):9000" -m -w 1

# ---- switch 2: every protocol ----------------------------------------------------
log "switch 2"
check_eq set-all "" "$(stale_set 2)"
lab_open 2 9000
old=$LAB_LAST
case $old in rs[123]) pass all-tcp-open ;; *) fail all-tcp-open "answer: $old" ;; esac
cport=$(tcp_cport)
check_eq all-tcp-entry "$old" "$(entry TCP "$cport" 9000)"
lvs -d -t $VIP:9000 -r "$(rip "$old"):9000"
check_eq all-tcp-entry-expired none "$(settled 3 none entry TCP "$cport" 9000)"
# the client's next segment has no entry: the director resets it
echo after-removal >&"$LAB_FD_2"
for _ in $(seq 50); do
	kill -0 "${LAB_OPEN[2]}" 2>/dev/null || break
	sleep 0.1
done
if kill -0 "${LAB_OPEN[2]}" 2>/dev/null; then
	fail all-tcp-reset "the client's connection is still open"
else
	pass all-tcp-reset
fi
lab_close 2
lab_open 3 9000
moved all-tcp-new-connection-moves "$old" "$LAB_LAST"
lab_close 3
lvs -a -t $VIP:9000 -r "$(rip "$old"):9000" -m

first all-udp-first 30031
old=$FIRST
lvs -e -u $VIP:$UP -r "$(rip "$old"):$UP" -m -w 0
check_eq all-udp-entry-expired none "$(settled 3 none entry UDP 30031)"
moved all-udp-moves "$old" "$(ask 30031)"
lvs -e -u $VIP:$UP -r "$(rip "$old"):$UP" -m -w 1

# ---- turning it on sweeps what is already stale -------------------------------------
log "switch 0 -> 1"
stale_set 0 >/dev/null
first sweep-first 30041
old=$FIRST
lvs -e -u $VIP:$UP -r "$(rip "$old"):$UP" -m -w 0
sleep 2
check_eq sweep-entry-stays-while-off "$old" "$(entry UDP 30041)"
stale_set 1 >/dev/null
check_eq sweep-on-expires none "$(settled 3 none entry UDP 30041)"
lvs -e -u $VIP:$UP -r "$(rip "$old"):$UP" -m -w 1

# a deleted service takes its realservers' entries with it
first service-deleted-first 30071
lvs -D -u $VIP:$UP
check_eq service-deleted-entry-expired none "$(settled 3 none entry UDP 30071)"

# ---- xvsd: expirestale=udp, failed realservers ---------------------------------------
log "xvsd"
lvs -C
stale_set 0 >/dev/null
mkdir -p $LAB/ha
printf '#!/bin/sh\n[ ! -e %s/down-$3-$4 ]\n' "$LAB" > $LAB/chk
chmod +x $LAB/chk
cat > $LAB/ldirectord.cf <<EOF
checkinterval=1
checktimeout=2
failurecount=1
expirestale=udp
virtual=$VIP:$UP
	protocol=udp
	scheduler=rr
	quiescent=yes
	checktype=external
	checkcommand=$LAB/chk
	real=192.168.0.1:$UP masq
	real=192.168.0.2:$UP masq
	real=192.168.0.3:$UP masq
virtual=$VIP:$PP
	protocol=udp
	scheduler=rr
	quiescent=no
	checktype=external
	checkcommand=$LAB/chk
	real=192.168.0.1:$PP masq
	real=192.168.0.2:$PP masq
	real=192.168.0.3:$PP masq
EOF
ip netns exec director xvsd -c $LAB/ldirectord.cf -H -d $LAB/ha -s $LAB/xvsd.sock \
	</dev/null >$LAB/xvsd.log 2>&1 &
XVSD=$!
LAB_PIDS+=("$XVSD")
# weights: the six realservers' weights, in the two services' order
weights() {
	local p n
	for p in $UP $PP; do
		for n in $LAB_RS; do weight "-u $VIP:$p" rs$n $p; done
	done | xargs
}
check_eq xvsd-table "1 1 1 1 1 1" "$(settled 30 "1 1 1 1 1 1" weights)"
check_eq xvsd-sets-switch 1 "$(stale_get)"
if grep -q 'net.xvs.expire_stale_conn = 1 (udp)' $LAB/xvsd.log; then pass xvsd-logs-switch; else
	fail xvsd-logs-switch "$(tail -n 5 $LAB/xvsd.log | tr '\n' ' ')"; fi

first xvsd-quiesce-first 30051
old=$FIRST
touch "$LAB/down-$(rip "$old")-$UP"
check_eq xvsd-quiesced 0 "$(settled 20 0 weight "-u $VIP:$UP" "$old" $UP)"
check_eq xvsd-quiesce-entry-expired none "$(settled 3 none entry UDP 30051)"
moved xvsd-quiesce-moves "$old" "$(ask 30051)"

first xvsd-remove-first 30061 $PP
old=$FIRST
touch "$LAB/down-$(rip "$old")-$PP"
check_eq xvsd-removed none "$(settled 20 none weight "-u $VIP:$PP" "$old" $PP)"
check_eq xvsd-remove-entry-expired none "$(settled 3 none entry UDP 30061 $PP)"
moved xvsd-remove-moves "$old" "$(ask 30061 $PP)"

kill $XVSD
wait $XVSD 2>/dev/null
log "xvsd log:"
quote < $LAB/xvsd.log

lb_check "$LB" > /tmp/lb-check 2>&1 || fail still-loaded "$(cat /tmp/lb-check)"
lab_nat_down
lvs -C 2>/dev/null
lb_unload || fail unload "module still loaded"
finish
