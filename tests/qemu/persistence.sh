#!/bin/bash
# Persistent services (ipvsadm -p, -M) and firewall-mark services through
# LVS-NAT, in the seed-001 lab.  The client namespace gets several source
# addresses; a route's preferred source picks the one a connection uses.
# Both balancers must pass the same assertions:
#  - a client sticks to one realserver across connections, while rr still
#    spreads different clients (templates, one per client);
#  - -M 255.255.255.0: two clients of one /24 share a template;
#  - templates in `ipvsadm -L -n -c` and /proc/net/ip_vs_conn as IPVS shows
#    them (expiry masked), PersistConn in `-L -n --persistent-conn`;
#  - a template lives while its connections live (re-armed 60 s), expires
#    after -p once they are gone, and the client is then scheduled afresh
#    (time checks leave room for a slow TCG guest);
#  - weight 0: with expire_quiescent_template=0 the client stays on the
#    quiescent realserver, with 1 its template is invalidated (ports 65535)
#    and it moves;
#  - a persistent fwmark service grouping two ports marked by nft.
#
# Argument: the balancer, ipvs (the kernel's ip_vs) or xvs (xvs.ko).
# xvs-timeout: 400
# xvs-variant: ipvs
# xvs-reference: ipvs
# xvs-variant: xvs
. "$(dirname "$0")/lib.sh"

LB=${1:?usage: persistence.sh ipvs|xvs}
VIP2=81.57.54.101	# the fwmark service's address

lab_nat_begin "$LB"
pass load
pass lab-up

# client source addresses (the director reaches them through its default
# route, the client)
CLIENTS="10.1.1.1 10.1.2.1 10.1.3.1 10.2.2.1 10.2.2.2 10.3.3.1 10.4.4.1 10.5.5.1 10.6.6.1 10.6.7.1 10.7.7.1 10.7.8.1"
for a in $CLIENTS; do
	in_ns client ip addr add "$a/32" dev eth0
done
in_ns director ip addr add $VIP2/24 dev eth0

# from SRC: the client's next connections to the VIPs come from SRC
from() { in_ns client ip route replace 81.57.54.96/28 dev eth0 src "$1"; }

# pget SRC ADDR PORT: one HTTP request from SRC; prints rs1.. or ERR
pget() {
	local line
	from "$1"
	line=$(printf 'GET / HTTP/1.0\r\n\r\n' |
		in_ns client timeout 10 nc -w 5 "$2" "$3" 2>/dev/null | grep -a '^realserver ')
	set -- $line
	[ "$1" = realserver ] && echo "$2" || echo ERR
}

# rsaddr rsN -> 192.168.0.N
rsaddr() { echo "192.168.0.${1#rs}"; }

hex4() { printf '%08X' "$(echo "$1" | awk -F. '{ print (($1 * 256 + $2) * 256 + $3) * 256 + $4 }')"; }

# Templates (state NONE, or ASSURED once a connection through them was
# established) in `ipvsadm -L -n -c`, fields separated by one space, expiry
# masked; then in /proc/net/ip_vs_conn, exact but for the expiry digits.
TPL='($3 == "NONE" || $3 == "ASSURED")'
tpl_list() {
	lvs -L -n -c | awk "$TPL"' && $4 ~ /:0$/' |
		sed -E 's/^([A-Z]+ +)[0-9]+:[0-9]+/\1MM:SS/' | tr -s ' ' | sort
}
tpl_proc() {
	in_ns director cat /proc/net/ip_vs_conn |
		awk 'NR > 1 && $3 == "0000" && ($8 == "NONE" || $8 == "ASSURED")' |
		sed -E 's/[ 0-9]{7}$/EXPIRES/' | sort
}
# expected line of both: PROTO STATE CLIENT VADDR VPORT DADDR DPORT
tpl_line() { echo "$1 MM:SS $2 $3:0 $4:$5 $6:$7"; }
tpl_proc_line() {
	printf '%-3s %s %04X %s %04X %s %04X %-11s EXPIRES\n' "$1" "$(hex4 "$3")" 0 \
		"$(hex4 "$4")" "$5" "$(hex4 "$6")" "$7" "$2"
}
# tpl_expiry CLIENT VADDR:VPORT: seconds left of that template (or none)
tpl_expiry() {
	lvs -L -n -c | awk -v c="$1:0" -v v="$2" "$TPL"' && $4 == c && $5 == v {
		split($2, t, ":"); print t[1] * 60 + t[2]; f = 1 } END { if (!f) print "none" }'
}
# persistconn SERVICE-OPTS DEST: PersistConn column of one destination
persistconn() {
	lvs -L -n --persistent-conn $1 | awk -v d="$2" '$1 == "->" && $2 == d { print $4; f = 1 }
		END { if (!f) print "none" }'
}

lvs_configure "-A -t $VIP:80 -s rr -p 600" \
	"-a -t $VIP:80 -r 192.168.0.1:80 -m" \
	"-a -t $VIP:80 -r 192.168.0.2:80 -m" \
	"-a -t $VIP:80 -r 192.168.0.3:80 -m" \
	"-A -t $VIP:81 -s rr -p 600 -M 255.255.255.0" \
	"-a -t $VIP:81 -r 192.168.0.1:80 -m" \
	"-a -t $VIP:81 -r 192.168.0.2:80 -m" \
	"-a -t $VIP:81 -r 192.168.0.3:80 -m" \
	"-A -t $VIP:82 -s rr -p 600" \
	"-a -t $VIP:82 -r 192.168.0.1:80 -m" \
	"-a -t $VIP:82 -r 192.168.0.2:80 -m" \
	"-a -t $VIP:82 -r 192.168.0.3:80 -m" \
	"-A -t $VIP:9000 -s rr -p 1" \
	"-a -t $VIP:9000 -r 192.168.0.1:9000 -m" \
	"-a -t $VIP:9000 -r 192.168.0.2:9000 -m" \
	"-a -t $VIP:9000 -r 192.168.0.3:9000 -m" \
	"-A -t $VIP:8080 -s rr -p 20" \
	"-a -t $VIP:8080 -r 192.168.0.1:8081 -m" \
	"-a -t $VIP:8080 -r 192.168.0.2:8081 -m" \
	"-a -t $VIP:8080 -r 192.168.0.3:8081 -m" \
	"-A -f 7 -s rr -p 600" \
	"-a -f 7 -r 192.168.0.1 -m" \
	"-a -f 7 -r 192.168.0.2 -m" \
	"-a -f 7 -r 192.168.0.3 -m" && pass configure
lvs -L -n | quote

# --- stickiness: 4 clients x 3 rounds on rr -------------------------------
C4="81.57.54.254 10.1.1.1 10.1.2.1 10.1.3.1"
declare -A first=()
sticky=1
for round in 1 2 3; do
	for c in $C4; do
		r=$(pget "$c" $VIP 80)
		log "round $round client $c -> $r"
		[ "$r" != ERR ] || sticky=0
		if [ -z "${first[$c]:-}" ]; then
			first[$c]=$r
		elif [ "${first[$c]}" != "$r" ]; then
			sticky=0
		fi
	done
done
check_eq sticky-clients 1 $sticky
# rr keeps spreading the clients: 4 clients on 3 realservers
check_eq spread-clients 3 "$(printf '%s\n' "${first[@]}" | sort -u | wc -l)"

exp=$(for c in $C4; do tpl_line TCP ASSURED "$c" $VIP 80 "$(rsaddr "${first[$c]}")" 80; done | sort)
got=$(tpl_list | grep " $VIP:80 ")
check_eq templates-ipvsadm "$exp" "$got"
exp=$(for c in $C4; do tpl_proc_line TCP ASSURED "$c" $VIP 80 "$(rsaddr "${first[$c]}")" 80; done | sort)
got=$(tpl_proc | grep " $(hex4 $VIP) 0050 ")
check_eq templates-proc "$exp" "$got"
e=$(tpl_expiry 10.1.1.1 $VIP:80)
check "template-expiry-600s($e)" test "$e" != none -a "$e" -le 600 -a "$e" -ge 540

pc_ok=1
for n in 1 2 3; do
	want=0
	for c in $C4; do [ "${first[$c]}" = rs$n ] && want=$((want + 1)); done
	got=$(persistconn "-t $VIP:80" 192.168.0.$n:80)
	log "PersistConn 192.168.0.$n:80 expected $want got $got"
	[ "$want" = "$got" ] || pc_ok=0
done
check_eq persistconn 1 $pc_ok
# templates are no connections: 12 requests, 12 connections counted
check_eq conns-not-templates 12 "$(settled 20 12 lab_svc_stat $VIP:80 3)"

# --- -M 255.255.255.0: 10.2.2.1 and 10.2.2.2 share a template ---------------
a=$(pget 10.2.2.1 $VIP 81)
b=$(pget 10.2.2.2 $VIP 81)
c=$(pget 10.3.3.1 $VIP 81)
b2=$(pget 10.2.2.2 $VIP 81)
a2=$(pget 10.2.2.1 $VIP 81)
log "netmask: 10.2.2.1 $a $a2, 10.2.2.2 $b $b2, 10.3.3.1 $c"
check_eq netmask-same-net "$a $a $a $a" "$a2 $b $b2 $a"
check netmask-other-net test "$c" != ERR -a "$c" != "$a" -a "$a" != ERR
exp=$( { tpl_line TCP ASSURED 10.2.2.0 $VIP 81 "$(rsaddr "$a")" 80
	tpl_line TCP ASSURED 10.3.3.0 $VIP 81 "$(rsaddr "$c")" 80; } | sort)
check_eq netmask-templates "$exp" "$(tpl_list | grep " $VIP:81 ")"

# --- a template lives while its connections live ------------------------------
from 10.4.4.1
lab_open 1 9000
held=$LAB_LAST
log "held connection from 10.4.4.1 on $held"
sleep 3
e=$(tpl_expiry 10.4.4.1 $VIP:9000)
log "template with -p 1, 3 s later: expires in $e s"
check "template-held-rearmed($e)" test "$e" != none -a "$e" -le 60 -a "$e" -ge 40
from 10.4.4.1
lab_open 2 9000
check_eq held-sticky "$held" "$LAB_LAST"
check held-not-err test "$held" != ERR

# --- expiry after -p 20 once the connections are gone -------------------------
# The realservers refuse :8081: each connection ends in CLOSE (10 s) and
# never establishes, so the template stays NONE; it expires 20 s after its
# last use (a template still holding connections would be re-armed 60 s).
tpl5() { lvs -L -n -c | awk -v c=10.5.5.1:0 "$TPL"' && $4 == c'; }
from 10.5.5.1
in_ns client timeout 5 nc -w 3 $VIP 8080 </dev/null >/dev/null 2>&1
t0=$(date +%s)
in_ns client timeout 5 nc -w 3 $VIP 8080 </dev/null >/dev/null 2>&1
lvs -L -n -c | grep -F 10.5.5.1 | quote
tdest=$(tpl5 | awk '{ print $6 }')
log "template of 10.5.5.1 on :8080 -> $tdest"
check_eq expiry-template-none "TCP MM:SS NONE 10.5.5.1:0 $VIP:8080 $tdest" \
	"$(tpl5 | sed -E 's/^([A-Z]+ +)[0-9]+:[0-9]+/\1MM:SS/' | tr -s ' ')"
e=$(tpl_expiry 10.5.5.1 $VIP:8080)
# refreshed after t0; at most this long ago:
ago=$(($(date +%s) - t0 + 1))
log "template expires in $e s, refreshed at most $ago s ago"
check "expiry-starts-20s($e,$ago)" test "$e" != none -a "$e" -le 20 -a "$e" -ge $((19 - ago))
sleep 4
e2=$(tpl_expiry 10.5.5.1 $VIP:8080)
log "4 s later: expires in $e2 s"
check "expiry-counts-down($e,$e2)" test "$e2" != none -a "$e" != none -a "$e2" -lt "$e"
gone=
while [ $(($(date +%s) - t0)) -le 50 ]; do
	if [ "$(tpl5 | wc -l)" = 0 ]; then
		gone=$(($(date +%s) - t0))
		break
	fi
	sleep 0.5
done
log "template gone after ${gone:-never} s"
check "expiry-gone(${gone:-never})" test -n "$gone"
from 10.5.5.1
in_ns client timeout 5 nc -w 3 $VIP 8080 </dev/null >/dev/null 2>&1
ndest=$(tpl5 | awk '{ print $6 }')
log "new template -> $ndest"
check expiry-rescheduled test -n "$ndest" -a "$ndest" != "$tdest"

# --- weight 0 and expire_quiescent_template ----------------------------------
qs() { in_ns director sh -c "echo $1 > /proc/sys/net/ipv4/vs/expire_quiescent_template"; }
check_eq quiescent-sysctl-default 0 "$(in_ns director cat /proc/sys/net/ipv4/vs/expire_quiescent_template)"
q=$(pget 10.6.6.1 $VIP 82)
log "10.6.6.1 on :82 -> $q"
lvs -e -t $VIP:82 -r "$(rsaddr "$q")":80 -m -w 0
q1=$(pget 10.6.6.1 $VIP 82)
o1=$(pget 10.6.7.1 $VIP 82)
log "weight 0 on $q, sysctl 0: 10.6.6.1 -> $q1, new client 10.6.7.1 -> $o1"
check_eq quiescent-stays "$q" "$q1"
check quiescent-no-new test "$o1" != ERR -a "$o1" != "$q"
qs 1
q2=$(pget 10.6.6.1 $VIP 82)
log "sysctl 1: 10.6.6.1 -> $q2"
check quiescent-expired-moves test "$q2" != ERR -a "$q2" != "$q"
exp=$( { echo "TCP MM:SS ASSURED 10.6.6.1:0 $VIP:65535 $(rsaddr "$q"):65535"
	tpl_line TCP ASSURED 10.6.6.1 $VIP 82 "$(rsaddr "$q2")" 80
	tpl_line TCP ASSURED 10.6.7.1 $VIP 82 "$(rsaddr "$o1")" 80; } | sort)
check_eq quiescent-templates "$exp" "$(tpl_list | grep -E " $VIP:(82|65535) ")"
check_eq quiescent-persistconn-old 1 "$(persistconn "-t $VIP:82" "$(rsaddr "$q")":80)"
qs 0

# --- fwmark service: ports 80 and 9000 of VIP2 marked 7 by nft -------------------
if ! command -v nft >/dev/null; then
	fail fwmark-nft "nft is not in the image"
elif ! out=$(in_ns director nft -f - 2>&1 <<EOF
table ip xvsmark {
	chain pre {
		type filter hook prerouting priority -150; policy accept;
		ip daddr $VIP2 tcp dport 80 meta mark set 7
		ip daddr $VIP2 tcp dport 9000 meta mark set 7
	}
}
EOF
); then
	fail fwmark-nft "$out"
else
	pass fwmark-nft
	f80=$(pget 10.7.7.1 $VIP2 80)
	from 10.7.7.1
	VIP=$VIP2 lab_open 3 9000
	f9000=$LAB_LAST
	g80=$(pget 10.7.8.1 $VIP2 80)
	from 10.7.8.1
	VIP=$VIP2 lab_open 4 9000
	g9000=$LAB_LAST
	f80b=$(pget 10.7.7.1 $VIP2 80)
	log "fwmark: 10.7.7.1 -> $f80 $f9000 $f80b, 10.7.8.1 -> $g80 $g9000"
	check fwmark-answers test "$f80" != ERR -a "$g80" != ERR
	check_eq fwmark-sticky-ports "$f80 $f80 $g80" "$f9000 $f80b $g9000"
	check fwmark-spread test "$f80" != "$g80"
	exp=$( { tpl_line IP ASSURED 10.7.7.1 0.0.0.7 0 "$(rsaddr "$f80")" 0
		tpl_line IP ASSURED 10.7.8.1 0.0.0.7 0 "$(rsaddr "$g80")" 0; } | sort)
	got=$(lvs -L -n -c | awk "$TPL"' && $1 == "IP"' |
		sed -E 's/^([A-Z]+ +)[0-9]+:[0-9]+/\1MM:SS/' | tr -s ' ' | sort)
	check_eq fwmark-templates "$exp" "$got"
	exp=$( { tpl_proc_line IP ASSURED 10.7.7.1 0.0.0.7 0 "$(rsaddr "$f80")" 0
		tpl_proc_line IP ASSURED 10.7.8.1 0.0.0.7 0 "$(rsaddr "$g80")" 0; } | sort)
	check_eq fwmark-templates-proc "$exp" "$(tpl_proc | grep '^IP ')"
	check_eq fwmark-persistconn 1 "$(persistconn "-f 7" "$(rsaddr "$f80")":0)"
	fwm_conns() { lvs -L -n --stats --exact -f 7 | awk '$1 == "FWM" { print $3 }'; }
	check_eq fwmark-conns 5 "$(settled 20 5 fwm_conns)"
fi

lvs -L -n -c | quote
lvs -L -n --persistent-conn | quote
lab_nat_down
finish
