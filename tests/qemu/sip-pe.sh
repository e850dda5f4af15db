#!/bin/bash
# The SIP persistence engine (ipvsadm --pe sip) through LVS-NAT, in the
# seed-001 lab.  Several client addresses send SIP requests (UDP, one fresh
# source port each) with several Call-IDs to $VIP:5060; the three
# realservers answer with their name.  Both balancers must pass the same
# assertions:
#  - `ipvsadm -L -n` and `-S -n` show the engine ("pe sip", "--pe sip");
#    an unknown engine is refused; -E without --pe removes it, -E with it
#    sets it again;
#  - every request of one call (client, Call-ID) reaches one realserver,
#    over rounds, while different calls spread over all three (rr);
#  - the templates carry the Call-ID: /proc/net/ip_vs_conn ends their
#    lines with "sip CALLID", `ipvsadm -L -c -n` shows the same, one
#    template per call;
#  - requests without a usable Call-ID (none, a bad value, compact form
#    misspelt) are dropped without creating any entry; the compact "i:"
#    form and a lower-case header name are one call with "Call-ID:";
#  - a TCP service with the engine drops its connections (only UDP has a
#    Call-ID), and serves them once the engine is removed;
#  - a realserver starting a call (a BYE from its port 5060 to a client
#    that sent nothing from that port): the datagram leaves from
#    $VIP:5060 and opens the connection and the call's template (IPVS's
#    conn_out), listed and counted as IPVS does; the client's datagrams of
#    that call reach that realserver; without a Call-ID the datagram
#    passes unchanged and opens nothing;
#  - sync (master: the director, backup: a namespace on the realservers'
#    bridge): a SIP template arrives at the backup with its Call-ID;
#  - with -p 3 and a short UDP timeout a call's template expires once its
#    connections are gone, and the call is then scheduled afresh.
#
# Argument: the balancer, ipvs (the kernel's ip_vs) or xvs (xvs.ko).
# xvs-timeout: 400
# xvs-variant: ipvs
# xvs-reference: ipvs
# xvs-variant: xvs
. "$(dirname "$0")/lib.sh"

LB=${1:?usage: sip-pe.sh ipvs|xvs}

serve_sip() {
	local n
	for n in $LAB_RS; do
		ip netns exec rs$n xvs-pkt udpecho 5060 rs$n </dev/null >/dev/null 2>&1 &
		LAB_PIDS+=($!)
	done
}
lab_nat_begin "$LB" serve_sip
pass lab-up

CLIENTS="10.1.1.1 10.1.2.1 10.2.2.1"
for a in $CLIENTS; do
	in_ns client ip addr add "$a/32" dev eth0
done
# from SRC: the client's next datagrams to the VIP come from SRC
from() { in_ns client ip route replace 81.57.54.96/28 dev eth0 src "$1"; }

# sip SRC PORT HEADER-LINE: one INVITE from SRC (a new source port) to
# $VIP:PORT with HEADER-LINE among its headers (empty: none); prints the
# answering realserver (rs1..) or NONE when nothing came back in 3 s.
sip() {
	local out hdr=""
	[ -z "$3" ] || hdr="$3"$'\r\n'
	from "$1"
	printf 'INVITE sip:bob@example.com SIP/2.0\r\nVia: SIP/2.0/UDP client\r\nMax-Forwards: 70\r\n%sCSeq: 1 INVITE\r\nContent-Length: 0\r\n\r\n' \
		"$hdr" > $LAB/sip-msg
	# (bash's printf would write a datagram per line: dd writes once)
	# shellcheck disable=SC2016
	out=$(in_ns client bash -c '
		exec 3<>/dev/udp/$0/$1 || exit 1
		dd if="$2" bs=4096 count=1 >&3 2>/dev/null
		timeout 3 dd bs=4096 count=1 <&3 2>/dev/null | head -n 1' \
		"$VIP" "$2" $LAB/sip-msg)
	set -- $out
	[ "${1:-}" = realserver ] && echo "$2" || echo NONE
}

hex4() { printf '%08X' "$(echo "$1" | awk -F. '{ print (($1 * 256 + $2) * 256 + $3) * 256 + $4 }')"; }
rsaddr() { echo "192.168.0.${1#rs}"; }

# SIP templates of /proc/net/ip_vs_conn, exact but for the expiry digits
tpl_proc() {
	in_ns director cat /proc/net/ip_vs_conn |
		awk 'NR > 1 && $3 == "0000" && $10 == "sip"' |
		sed -E 's/ [ 0-9]{7} sip / EXPIRES sip /' | sort
}
# tpl_proc_line CLIENT VPORT-HEX RS CALLID
tpl_proc_line() {
	printf 'UDP %s 0000 %s %s %s 13C4 %-11s EXPIRES sip %s\n' "$(hex4 "$1")" \
		"$(hex4 $VIP)" "$2" "$(hex4 "$(rsaddr "$3")")" ASSURED "$4"
}
entries() { in_ns director cat /proc/net/ip_vs_conn | awk 'NR > 1' | wc -l; }

lvs_configure "-A -u $VIP:5060 -s rr -p 60 --pe sip" \
	"-a -u $VIP:5060 -r 192.168.0.1:5060 -m" \
	"-a -u $VIP:5060 -r 192.168.0.2:5060 -m" \
	"-a -u $VIP:5060 -r 192.168.0.3:5060 -m" && pass configure
lvs -L -n | quote

# --- the engine in the service listings -----------------------------------
check_eq list-pe "UDP $VIP:5060 rr persistent 60 pe sip" \
	"$(lvs -L -n | awk '$1 == "UDP"' | tr -s ' ' | sed 's/ $//')"
check_eq save-pe "-A -u $VIP:5060 -s rr -p 60 --pe sip" \
	"$(lvs -S -n | grep -- '^-A' | sed 's/ $//')"
if out=$(lvs -E -u $VIP:5060 -s rr -p 60 --pe nosuch 2>&1); then
	fail unknown-pe-refused "accepted: $(lvs -L -n | grep UDP)"
else
	pass unknown-pe-refused
fi
check_eq unknown-pe-kept "UDP $VIP:5060 rr persistent 60 pe sip" \
	"$(lvs -L -n | awk '$1 == "UDP"' | tr -s ' ' | sed 's/ $//')"
lvs -E -u $VIP:5060 -s rr -p 60
check_eq edit-removes-pe "UDP $VIP:5060 rr persistent 60" \
	"$(lvs -L -n | awk '$1 == "UDP"' | tr -s ' ' | sed 's/ $//')"
lvs -E -u $VIP:5060 -s rr -p 60 --pe sip
check_eq edit-sets-pe "-A -u $VIP:5060 -s rr -p 60 --pe sip" \
	"$(lvs -S -n | grep -- '^-A' | sed 's/ $//')"

# --- calls stick, calls spread ---------------------------------------------
CALLS="a84b4c76e66710@pc33.example.com call-2 call-3 4711"
declare -A first=()
sticky=1
answered=1
for round in 1 2; do
	for c in $CLIENTS; do
		for id in $CALLS; do
			r=$(sip "$c" 5060 "Call-ID: $id")
			log "round $round $c $id -> $r"
			[ "$r" != NONE ] || answered=0
			key="$c $id"
			if [ -z "${first[$key]:-}" ]; then
				first[$key]=$r
			elif [ "${first[$key]}" != "$r" ]; then
				sticky=0
			fi
		done
	done
done
check_eq calls-answered 1 $answered
check_eq calls-sticky 1 $sticky
used=$(for k in "${!first[@]}"; do echo "${first[$k]}"; done | sort -u | tr '\n' ' ')
check_eq calls-spread "rs1 rs2 rs3 " "$used"

# the same call in compact form and in lower case: the same realserver
c=${CLIENTS%% *}
check_eq compact-form "${first[$c call-2]}" "$(sip "$c" 5060 "i: call-2")"
check_eq lower-case "${first[$c call-3]}" "$(sip "$c" 5060 "call-id :  call-3")"

# --- templates: one per call, with the Call-ID -----------------------------
want=$(for k in "${!first[@]}"; do
	set -- $k
	tpl_proc_line "$1" 13C4 "${first[$k]}" "$2"
done | sort)
got=$(tpl_proc)
if [ "$got" = "$want" ]; then
	pass templates-proc
else
	fail templates-proc "$(diff <(echo "$want") <(echo "$got") | tr '\n' ' ')"
fi
in_ns director cat /proc/net/ip_vs_conn | awk 'NR == 1 || $3 == "0000"' | quote
# ipvsadm -L -c -n (which shows no engine data): one template per call
want=$(for k in "${!first[@]}"; do
	set -- $k
	echo "UDP ASSURED $1:0 $VIP:5060 $(rsaddr "${first[$k]}"):5060"
done | sort)
got=$(lvs -L -c -n | awk '$4 ~ /:0$/ { print $1, $3, $4, $5, $6 }' | sort)
if [ "$got" = "$want" ]; then
	pass templates-list
else
	fail templates-list "$(diff <(echo "$want") <(echo "$got") | tr '\n' ' ')"
fi
lvs -L -c -n | quote

# --- requests without a usable Call-ID are dropped ---------------------------
c=10.2.2.1
before=$(entries)
check_eq no-callid NONE "$(sip $c 5060 "")"
check_eq bad-callid NONE "$(sip $c 5060 "Call-ID: two words")"
check_eq empty-callid NONE "$(sip $c 5060 "Call-ID:")"
check_eq compact-misspelt NONE "$(sip $c 5060 "ix: call-2")"
check_eq dropped-no-entries "$before" "$(entries)"
# a known call still works from there
check_eq after-drops "${first[$c call-2]}" "$(sip $c 5060 "Call-ID: call-2")"

# --- not UDP: the engine finds no Call-ID, so connections are dropped -------
lvs_configure "-A -t $VIP:80 -s rr -p 60 --pe sip" \
	"-a -t $VIP:80 -r 192.168.0.1:80 -m" && pass configure-tcp
check_eq tcp-dropped ERR "$(lab_get 80)"
lvs -E -t $VIP:80 -s rr -p 60
check_eq tcp-without-pe rs1 "$(lab_get 80)"

# --- a realserver starts a call (IPVS's conn_out) --------------------------
# rs2 sends a BYE from its port 5060 to a client that sent nothing from
# that port (nft on rs2 gives bash's datagram the source port 5060).  The
# engine makes the connection and the template the other way round: the
# client gets it from $VIP:5060, the director lists both (the template
# assured, its Call-ID in /proc), rs2 counts a connection and an outgoing
# packet, and the client's datagrams of the call reach rs2, even quiesced
# (weight 0: only the template can choose it).  A datagram without a
# Call-ID leaves as it is, and makes no entry.
# client_sink: the client counts (and drops) datagrams to its ports 7000
# and 7002 from $VIP:5060 and from rs2's own address
client_sink() {
	in_ns client nft -f - <<EOF
table ip rsin {
	chain in {
		type filter hook input priority 0;
		ip saddr $VIP udp sport 5060 udp dport { 7000, 7002 } counter drop
		ip saddr 192.168.0.2 udp sport 5060 udp dport { 7000, 7002 } counter drop
	}
}
EOF
}
if ! command -v nft >/dev/null; then
	fail rs-call-nft "nft is not in the image"
else
	in_ns rs2 nft -f - <<EOF
table ip rsout {
	chain out {
		type filter hook output priority 0;
		ip daddr { 10.1.1.1, 10.1.2.1 } udp dport { 7000, 7002 } udp sport set 5060
	}
}
EOF
	client_sink
fi
# rs_send CLIENT PORT HEADER-LINE: one BYE from rs2 to CLIENT:PORT
rs_send() {
	local hdr=""
	[ -z "$3" ] || hdr="$3"$'\r\n'
	printf 'BYE sip:alice@%s SIP/2.0\r\nVia: SIP/2.0/UDP rs2\r\nMax-Forwards: 70\r\n%sCSeq: 2 BYE\r\nContent-Length: 0\r\n\r\n' \
		"$1" "$hdr" > $LAB/rs-msg
	# shellcheck disable=SC2016
	in_ns rs2 bash -c 'exec 3<>/dev/udp/$0/$1 && dd if="$2" bs=4096 count=1 >&3 2>/dev/null' \
		"$1" "$2" $LAB/rs-msg
}
# client_got: packets the client received from $VIP and from rs2 itself
client_got() {
	in_ns client nft list chain ip rsin in |
		awk '/counter/ { for (i = 1; i < NF; i++) if ($i == "packets") printf "%s ", $(i + 1) }'
}
udp_dest_stat() {
	lvs -L -n --stats --exact -u $VIP:5060 |
		awk -v c="$1" '$1 == "->" && $2 == "192.168.0.2:5060" { print $c }'
}
# rs2's Conns InPkts OutPkts
rs2_stats() { echo "$(udp_dest_stat 3) $(udp_dest_stat 4) $(udp_dest_stat 5)"; }
# the director's lines about CLIENT (hex) port PORT (hex), expiry masked
conn_proc() {
	in_ns director cat /proc/net/ip_vs_conn |
		awk -v c="$1" -v p="$2" '$2 == c && $3 == p' | sed -E 's/ [ 0-9]{7}$/ EXPIRES/'
}
tpl_rs2() {
	lvs -L -c -n | awk '$3 == "ASSURED" && $4 == "10.1.1.1:0" &&
		$6 == "192.168.0.2:5060"' | wc -l
}

tpls_before=$(tpl_rs2)
# (ip_vs publishes counters on its estimator tick: read them once steady)
stats_before=$(rs2_stats)
for _ in 1 2 3 4 5; do
	sleep 2.5
	now=$(rs2_stats)
	[ "$now" != "$stats_before" ] || break
	stats_before=$now
done
# shellcheck disable=SC2086
set -- $stats_before
rs_send 10.1.1.1 7000 "Call-ID: rs-call-1"
check_eq rs-call-client-got "1 0 " "$(settled 5 "1 0 " client_got)"
check_eq rs-call-conn-proc \
	"UDP $(hex4 10.1.1.1) 1B58 $(hex4 $VIP) 13C4 $(hex4 192.168.0.2) 13C4 UDP         EXPIRES" \
	"$(conn_proc "$(hex4 10.1.1.1)" 1B58)"
check_eq rs-call-template-proc "$(tpl_proc_line 10.1.1.1 13C4 rs2 rs-call-1)" \
	"$(tpl_proc | grep ' sip rs-call-1$')"
check_eq rs-call-conn-list "UDP UDP 10.1.1.1:7000 $VIP:5060 192.168.0.2:5060" \
	"$(lvs -L -c -n | awk '$4 == "10.1.1.1:7000" { print $1, $3, $4, $5, $6 }')"
check_eq rs-call-template-list $((tpls_before + 1)) "$(tpl_rs2)"
want="$(($1 + 1)) $2 $(($3 + 1))"
check_eq rs-call-stats "$want" "$(settled 10 "$want" rs2_stats)"
in_ns director cat /proc/net/ip_vs_conn | awk 'NR == 1 || $2 == "0A010101"' | quote

lvs -e -u $VIP:5060 -r 192.168.0.2:5060 -m -w 0
in_ns client nft delete table ip rsin
from 10.1.1.1
# (the same connection: "hello" has no Call-ID, a new call would be dropped)
check_eq rs-call-answer rs2 "$(in_ns client xvs-udp6 ask -p 7000 $VIP 5060)"
check_eq rs-call-same-call rs2 "$(sip 10.1.1.1 5060 "Call-ID: rs-call-1")"
check_eq rs-call-same-call-again rs2 "$(sip 10.1.1.1 5060 "Call-ID: rs-call-1")"
lvs -e -u $VIP:5060 -r 192.168.0.2:5060 -m -w 1

# no Call-ID: the datagram passes unchanged (from rs2's own address)
client_sink
before=$(entries)
rs_send 10.1.2.1 7002 ""
check_eq rs-nocallid-unchanged "0 1 " "$(settled 5 "0 1 " client_got)"
check_eq rs-nocallid-no-entry "$before" "$(entries)"
in_ns client nft delete table ip rsin
in_ns rs2 nft delete table ip rsout

# --- sync: a SIP template reaches a backup with its Call-ID ----------------
# (namespace "backup" on the realservers' bridge; master daemon on the
# director's eth1; a template is sent at its third packet, sync_threshold)
ip netns add backup
in_ns backup ip link set lo up
ip link add lan-bk type veth peer name lan-bk-br
ip link set lan-bk netns backup name eth0
ip link set lan-bk-br master br-lan up
in_ns backup ip addr add 192.168.0.250/24 dev eth0
in_ns backup ip link set eth0 up
bk() { in_ns backup ipvsadm "$@"; }
if bk -A -u $VIP:5060 -s rr -p 60 --pe sip &&
   bk -a -u $VIP:5060 -r 192.168.0.1:5060 -m &&
   bk -a -u $VIP:5060 -r 192.168.0.2:5060 -m &&
   bk -a -u $VIP:5060 -r 192.168.0.3:5060 -m &&
   bk --start-daemon backup --mcast-interface eth0 &&
   lvs --start-daemon master --mcast-interface eth1; then
	pass sync-start
else
	fail sync-start "daemons did not start"
fi
sleep 2
c=10.1.2.1
rs=$(sip $c 5060 "Call-ID: synced-call")
for _ in 1 2 3; do sip $c 5060 "Call-ID: synced-call" >/dev/null; done
log "synced-call -> $rs"
bk_tpl() {
	in_ns backup cat /proc/net/ip_vs_conn | awk '$3 == "0000" && $11 == "synced-call"' |
		sed -E 's/ [ 0-9]{7} sip / EXPIRES sip /'
}
want=$(tpl_proc_line $c 13C4 "$rs" synced-call)
check_eq sync-template "$want" "$(settled 20 "$want" bk_tpl)"
in_ns backup cat /proc/net/ip_vs_conn | quote
lvs --stop-daemon master
bk --stop-daemon backup

# --- template expiry ---------------------------------------------------------
# -p 8 and a UDP timeout of 1 s: once the call's connections are gone its
# template expires after the persistence timeout, and the call is then
# scheduled afresh (rr: on the next realserver).  (8 s, not less: under a
# loaded TCG host two requests can be seconds apart, and the second must
# still find the template.)
lvs_configure "--set 0 0 1" \
	"-A -u $VIP:5062 -s rr -p 8 --pe sip" \
	"-a -u $VIP:5062 -r 192.168.0.1:5060 -m" \
	"-a -u $VIP:5062 -r 192.168.0.2:5060 -m" \
	"-a -u $VIP:5062 -r 192.168.0.3:5060 -m" && pass configure-expiry
c=${CLIENTS%% *}
r1=$(sip "$c" 5062 "Call-ID: short-lived")
r2=$(sip "$c" 5062 "Call-ID: short-lived")
check_eq expiry-answered 1 "$([ "$r1" != NONE ] && echo 1 || echo 0)"
check_eq expiry-sticky "$r1" "$r2"
tpl_5062() { tpl_proc | awk '$5 == "13C6"' | wc -l; }
check_eq expiry-template 1 "$(tpl_5062)"
# (the guest is slow: up to 60 s)
check_eq expiry-template-gone 0 "$(settled 60 0 tpl_5062)"
r3=$(sip "$c" 5062 "Call-ID: short-lived")
log "short-lived: $r1 $r2, after expiry $r3"
check_eq expiry-rescheduled 1 "$([ "$r3" != NONE ] && [ "$r3" != "$r1" ] && echo 1 || echo 0)"
lvs --set 900 120 300

lab_nat_down
check unload lb_unload
# ip_vs_pe_sip pulled in the conntrack SIP helper: not left to later scenarios
rmmod nf_conntrack_sip 2>/dev/null
finish
