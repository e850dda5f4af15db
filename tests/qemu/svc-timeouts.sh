#!/bin/bash
# Per-service connection timeouts (xvsadm -A|-E --timeout-tcp S
# --timeout-tcpfin S --timeout-udp S, xvs's own service attributes) in the
# seed-001 LVS-NAT lab:
#  - a UDP datagram through a service with --timeout-udp 7 makes an entry
#    whose expire column (ipvsadm and xvsadm -L -c -n) shows the service's
#    7 s, one through a service without override the global 300 s;
#  - a held TCP connection through a service with --timeout-tcp 33 is
#    ESTABLISHED with 33 s, one through a twin service without override
#    with the global 900 s; closed by the realserver first (the client
#    stopped), FIN_WAIT with --timeout-tcpfin 11 against the global 120 s;
#  - stock `ipvsadm -L -n` and `-S -n` of the table do not change when an
#    override is set (stock tools do not see them);
#  - a stock `ipvsadm -E` keeps the override (its request has no xvs
#    attribute, which leaves the value as it is); `--timeout-udp 0` gives
#    the global value back;
#  - `xvsadm -S` writes the options, `-R` restores them, --format json
#    lists them;
#  - bad values (negative, not a number, over --set's maximum, a command
#    other than -A/-E) are refused and change nothing.
# xvs only: the kernel's ip_vs has no per-service timeouts.
# xvs-timeout: 240
# xvs-variant: xvs
. "$(dirname "$0")/lib.sh"

LB=${1:?usage: svc-timeouts.sh xvs}
VIP2=81.57.54.101	# a twin of VIP:9000 without override
U7=5353			# UDP service with --timeout-udp 7
U0=5354			# UDP service without override

servers() {
	local n
	for n in 1 2; do
		ip netns exec rs$n xvs-pkt udpecho $U7 rs$n </dev/null >/dev/null 2>&1 &
		LAB_PIDS+=($!)
		ip netns exec rs$n xvs-pkt udpecho $U0 rs$n </dev/null >/dev/null 2>&1 &
		LAB_PIDS+=($!)
	done
	in_ns director ip addr add $VIP2/24 dev eth0
}

xvsadm() { in_ns director xvsadm "$@"; }

# expire_of TOOL PROTO SPORT: the expire column of the entry from the
# client's port SPORT, in seconds ("none" when there is no such entry)
expire_of() {
	in_ns director "$1" -L -c -n 2>/dev/null |
		awk -v p="$2" -v s=":$3" '$1 == p && substr($4, length($4) - length(s) + 1) == s {
			split($2, t, ":"); print t[1] * 60 + t[2]; f = 1; exit }
			END { if (!f) print "none" }'
}

state_of() {
	in_ns director ipvsadm -L -c -n 2>/dev/null |
		awk -v p="$2" -v s=":$1" '$1 == p && substr($4, length($4) - length(s) + 1) == s {
			print $3; f = 1; exit } END { if (!f) print "none" }'
}

# in_range NAME LO HI VALUE
in_range() {
	if [ "$4" != none ] && [ "$4" -ge "$2" ] && [ "$4" -le "$3" ]; then
		pass "$1"
	else
		fail "$1" "expected $2..$3 s, got $4"
	fi
}

# udp_once SPORT PORT: one datagram from the client's SPORT, answered
udp_once() { in_ns client xvs-pkt udp -p "$1" -t 3 $VIP "$2" 16; }

lab_nat_begin "$LB" servers
pass lab-up

lvs_configure \
	"-A -u $VIP:$U7 -s rr" "-a -u $VIP:$U7 -r 192.168.0.1:$U7 -m" \
	"-a -u $VIP:$U7 -r 192.168.0.2:$U7 -m" \
	"-A -u $VIP:$U0 -s rr" "-a -u $VIP:$U0 -r 192.168.0.1:$U0 -m" \
	"-a -u $VIP:$U0 -r 192.168.0.2:$U0 -m" \
	"-A -t $VIP:9000 -s rr" "-a -t $VIP:9000 -r 192.168.0.1:9000 -m" \
	"-A -t $VIP2:9000 -s rr" "-a -t $VIP2:9000 -r 192.168.0.2:9000 -m" ||
	{ lab_nat_down; lb_unload; finish; }

# --- stock tools do not see the overrides ------------------------------------
list_before=$(lvs -L -n)
save_before=$(lvs -S -n)
if out=$(xvsadm -E -u $VIP:$U7 -s rr --timeout-udp 7 2>&1) &&
   out=$(xvsadm -E -t $VIP:9000 -s rr --timeout-tcp 33 --timeout-tcpfin 11 2>&1); then
	pass set-overrides
else
	fail set-overrides "$out"
fi
check_eq stock-list-unchanged "$list_before" "$(lvs -L -n)"
check_eq stock-save-unchanged "$save_before" "$(lvs -S -n)"
save=$(xvsadm -S -n)
check_eq xvsadm-save-udp "-A -u $VIP:$U7 -s rr --timeout-udp 7" \
	"$(grep -e "^-A -u $VIP:$U7 " <<< "$save")"
check_eq xvsadm-save-tcp "-A -t $VIP:9000 -s rr --timeout-tcp 33 --timeout-tcpfin 11" \
	"$(grep -e "^-A -t $VIP:9000 " <<< "$save")"
json=$(xvsadm -L -n --format json)
check_eq json-lists-udp 1 "$(grep -cE '"timeout_udp": 7([^0-9]|$)' <<< "$json")"
check_eq json-lists-tcp 1 "$(grep -cE '"timeout_tcp": 33([^0-9]|$)' <<< "$json")"
check_eq json-lists-tcpfin 1 "$(grep -cE '"timeout_tcpfin": 11([^0-9]|$)' <<< "$json")"

# --- UDP: the service's timeout against the global one ----------------------
r7=$(udp_once 43001 $U7); r7=${r7%% *}
r0=$(udp_once 43002 $U0); r0=${r0%% *}
case "$r7 $r0" in
"rs1 rs1" | "rs1 rs2" | "rs2 rs1" | "rs2 rs2") pass udp-answers ;;
*) fail udp-answers "answers [$r7] [$r0]" ;;
esac
in_range udp-own-ipvsadm 1 7 "$(expire_of ipvsadm UDP 43001)"
in_range udp-own-xvsadm 1 7 "$(expire_of xvsadm UDP 43001)"
in_range udp-global-ipvsadm 280 300 "$(expire_of ipvsadm UDP 43002)"
in_range udp-global-xvsadm 280 300 "$(expire_of xvsadm UDP 43002)"

# --- TCP ESTABLISHED ------------------------------------------------------------
lab_open 1 9000
check_eq tcp-own-answers rs1 "$LAB_LAST"
VIP=$VIP2 lab_open 2 9000
check_eq tcp-global-answers rs2 "$LAB_LAST"
# client_port VIP: the client's port of its connection to VIP:9000
client_port() {
	in_ns client netstat -tn 2>/dev/null |
		awk -v d="$1:9000" '$5 == d && $6 == "ESTABLISHED" {
			n = split($4, a, ":"); print a[n]; exit }'
}
sport1=$(client_port $VIP)
sport3=$(client_port $VIP2)
check_eq tcp-own-state ESTABLISHED "$(state_of "${sport1:-0}" TCP)"
in_range tcp-own-expire 15 33 "$(expire_of ipvsadm TCP "${sport1:-0}")"
in_range tcp-global-expire 850 900 "$(expire_of xvsadm TCP "${sport3:-0}")"

# --- TCP FIN_WAIT: the realserver closes first, the client (stopped) not -------
# close_from_rs N: ends the echo process of rs N's held connection; its FIN
# goes out while the client's nc, stopped, sends none (its kernel ACKs).
close_from_rs() {
	local p
	for p in $(ip netns pids rs$1); do
		[ "$(cat /proc/$p/comm 2>/dev/null)" = cat ] && kill "$p"
	done
}
kill -STOP "${LAB_OPEN[1]}" "${LAB_OPEN[2]}"
close_from_rs 1
close_from_rs 2
fw1=none fw3=none
for i in $(seq 40); do
	fw1=$(state_of "${sport1:-0}" TCP) fw3=$(state_of "${sport3:-0}" TCP)
	[ "$fw1 $fw3" = "FIN_WAIT FIN_WAIT" ] && break
	sleep 0.1
done
check_eq tcpfin-own-state FIN_WAIT "$fw1"
check_eq tcpfin-global-state FIN_WAIT "$fw3"
in_range tcpfin-own-expire 1 11 "$(expire_of ipvsadm TCP "${sport1:-0}")"
in_range tcpfin-global-expire 100 120 "$(expire_of xvsadm TCP "${sport3:-0}")"
kill -CONT "${LAB_OPEN[1]}" "${LAB_OPEN[2]}"
lab_close 1
lab_close 2

# --- a stock edit keeps the override, 0 gives the global value back ------------
if out=$(lvs -E -u $VIP:$U7 -s wrr 2>&1); then pass stock-edit; else fail stock-edit "$out"; fi
check_eq stock-edit-keeps "-A -u $VIP:$U7 -s wrr --timeout-udp 7" \
	"$(xvsadm -S -n | grep -e "^-A -u $VIP:$U7 ")"
udp_once 43003 $U7 > /dev/null
in_range stock-edit-udp-own 1 7 "$(expire_of ipvsadm UDP 43003)"
check stock-edit-tcp-kept grep -q -e "--timeout-tcp 33" <<< "$(xvsadm -S -n)"

# --- bad values change nothing --------------------------------------------------
save=$(xvsadm -S -n)
for v in -1 abc 2678401 1.5 ''; do
	if out=$(xvsadm -E -u $VIP:$U7 -s wrr --timeout-udp "$v" 2>&1); then
		fail "bad-value-refused[$v]" "accepted"
	else
		check_eq "bad-value-message[$v]" 1 \
			"$(grep -c "invalid timeout-udp value" <<< "$out")"
	fi
done
if out=$(xvsadm -a -u $VIP:$U7 -r 192.168.0.3:$U7 -m --timeout-udp 5 2>&1); then
	fail bad-command-refused "accepted"
else
	check_eq bad-command-message 1 "$(grep -c "Illegal 'timeout-udp' option" <<< "$out")"
fi
check_eq bad-values-change-nothing "$save" "$(xvsadm -S -n)"

# --- -S / -R round trip ---------------------------------------------------------
xvsadm -C
in_ns director sh -c 'xvsadm -R' <<< "$save"
check_eq save-restore "$save" "$(xvsadm -S -n)"

# --- 0: the global value ----------------------------------------------------------
xvsadm -E -u $VIP:$U7 -s wrr --timeout-udp 0
check_eq zero-clears "-A -u $VIP:$U7 -s wrr" "$(xvsadm -S -n | grep -e "^-A -u $VIP:$U7 ")"
udp_once 43004 $U7 > /dev/null
in_range zero-udp-global 280 300 "$(expire_of ipvsadm UDP 43004)"

lvs -L -n -c | quote
lab_nat_down
lb_unload || fail unload "module still loaded"
finish
