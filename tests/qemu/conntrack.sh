#!/bin/bash
# net.ipv4.vs.conntrack in the seed-001 NAT lab, with a stateful firewall on
# the director (nft: forward and input chains of policy drop that accept
# established and related packets, new ones only to the services' ports):
#  - conntrack=0 (the default): every packet the balancer translates leaves
#    conntrack, so the realserver's answer is a new flow to the firewall:
#    HTTP and UDP through the VIP fail (the forward drop counter rises) and
#    the director's conntrack table holds no entry of them;
#  - conntrack=1: the entry of a new connection keeps its original tuple
#    client -> VIP and gets the reply tuple realserver -> client, so the
#    answers are established: HTTP and UDP through the VIP work, the entries
#    are in /proc/net/nf_conntrack with exactly these tuples;
#  - conntrack=1: when the balancer's connection expires (tcp/udp timeouts
#    shortened with ipvsadm --set, conntrack's own timeouts long) its
#    conntrack entry is deleted with it; a flush of the services (-C) keeps
#    the connection, and with it the entry, until then;
#  - passive FTP on port 21 (the balancer's FTP helper), the input chain
#    accepting new connections only to ports 21/80/9000: the helper's
#    expectation needs a conntrack helper on the control connection's entry
#    (nf_ct_expect_related refuses a master without one), so with the FTP
#    helper alone there is no expectation and the client's data connection
#    is new and dropped; with the ftp conntrack helper attached (nft ct
#    helper) the balancer's expectation is there (/proc/net/
#    nf_conntrack_expect) and the data connection is RELATED and works,
#    with conntrack=0 too (the control connection is always tracked), its
#    entry client -> VIP:P, reply rs1:P -> client; dropping related packets
#    makes it fail.
#
# Argument: the balancer, ipvs (the kernel's ip_vs) or xvs (xvs.ko).
# xvs-timeout: 300
# xvs-variant: ipvs
# xvs-reference: ipvs
# xvs-variant: xvs
. "$(dirname "$0")/lib.sh"

LB=${1:?usage: conntrack.sh ipvs|xvs}
CLIENT=81.57.54.254
UDP_PORT=9053
SYSCTL=/proc/sys/net/ipv4/vs/conntrack
SRV=$LAB/ftp-rs1
CLI=$LAB/ftp-client

# servers: UDP echo on rs1 and rs2, FTP on rs1; the FTP helper on port 21
servers() {
	local n
	for n in 1 2; do
		ip netns exec rs$n xvs-pkt udpecho $UDP_PORT rs$n </dev/null >/dev/null 2>&1 &
		LAB_PIDS+=($!)
	done
	mkdir -p $SRV $CLI
	ip netns exec rs1 xvs-ftp server 21 $SRV </dev/null >/dev/null 2>&1 &
	LAB_PIDS+=($!)
	lab_wait_port rs1 21 || { echo "xvs-ftp server did not start"; return 1; }
	if [ "$LB" = xvs ]; then
		rmmod xvs && insmod "$XVS_KO" ftp_ports=21 && lb_check xvs
	else
		modprobe ip_vs_ftp ports=21
	fi
}

# The director's firewall.  Counters carry comments: fwd-drop, in-drop,
# in-related.
firewall() {
	in_ns director nft -f - <<EOF
table ip fw {
	chain input {
		type filter hook input priority 0; policy drop;
		iif lo accept
		tcp dport { 21, 80, 9000 } ct state new accept
		udp dport $UDP_PORT ct state new accept
		ct state related counter accept comment "in-related"
		ct state established accept
		counter drop comment "in-drop"
	}
	chain forward {
		type filter hook forward priority 0; policy drop;
		ct state established,related accept
		counter drop comment "fwd-drop"
	}
}
EOF
}

# ctr NAME: packets of the counter commented NAME
ctr() {
	in_ns director nft list table ip fw | awk -v c="\"$1\"" '
		index($0, "comment " c) { for (i = 1; i < NF; i++) if ($i == "packets") print $(i + 1) }'
}

# ct_tuples: the director's conntrack entries, protocol and tuple fields only
ct_tuples() {
	in_ns director cat /proc/net/nf_conntrack | awk '{ s = $3
		for (i = 4; i <= NF; i++) if ($i ~ /^(src|dst|sport|dport)=/) s = s " " $i
		print s }'
}

# ct_nat PROTO CPORT VPORT RS: the tuple of a NAT connection from the client
ct_nat() {
	echo "$1 src=$CLIENT dst=$VIP sport=$2 dport=$3 src=$4 dst=$CLIENT sport=$3 dport=$2"
}

# ct_count PATTERN: entries whose tuple line contains PATTERN
ct_count() { ct_tuples | grep -cF -- "$1"; }

# ct_show PATTERN: the raw /proc lines containing PATTERN (for the log)
ct_show() { in_ns director grep -F -- "$1" /proc/net/nf_conntrack | quote; }

rs_ip() { echo "192.168.0.${1#rs}"; }

# ipvs_conns PROTO CPORT: balancer connections from the client's port
ipvs_conns() {
	lvs -L -n -c | awk -v p="$1" -v c="$CLIENT:$2" 'toupper(p) == $1 && $4 == c' | wc -l
}

# wait_ipvs_gone PROTO CPORT SECS: until the balancer's connection is gone
wait_ipvs_gone() {
	local end=$((SECONDS + $3))
	while [ "$(ipvs_conns "$1" "$2")" != 0 ]; do
		[ $SECONDS -ge $end ] && return 1
		sleep 0.5
	done
}

set_conntrack() { in_ns director sh -c "echo $1 > $SYSCTL"; }

command -v nft >/dev/null || { fail nft "nft is not in the image"; finish; }
command -v xvs-ftp >/dev/null || { fail tool "xvs-ftp is not in the image"; finish; }
lab_nat_begin "$LB" servers
pass lab-up

lvs_configure "-A -t $VIP:80 -s rr" "-a -t $VIP:80 -r 192.168.0.1:80 -m" \
	"-a -t $VIP:80 -r 192.168.0.2:80 -m" \
	"-A -u $VIP:$UDP_PORT -s rr" "-a -u $VIP:$UDP_PORT -r 192.168.0.1:$UDP_PORT -m" \
	"-a -u $VIP:$UDP_PORT -r 192.168.0.2:$UDP_PORT -m" \
	"-A -t $VIP:9000 -s rr" "-a -t $VIP:9000 -r 192.168.0.1:9000 -m" &&
	pass configure
if out=$(firewall 2>&1); then
	pass firewall
else
	fail firewall "$out"
	lab_nat_down
	lb_unload
	finish
fi
# conntrack's own timeouts long, so that only the balancer can end the
# entries below in time
in_ns director sh -c 'echo 600 > /proc/sys/net/netfilter/nf_conntrack_udp_timeout
	echo 600 > /proc/sys/net/netfilter/nf_conntrack_udp_timeout_stream'
check_eq default-off 0 "$(in_ns director cat $SYSCTL)"

# --- conntrack=0: the answers are new flows, the firewall drops them ----------
d0=$(ctr fwd-drop)
check_eq off-http-fails ERR "$(in_ns client xvs-pkt get -p 41000 $VIP 80)"
check_eq off-udp-fails ERR "$(in_ns client xvs-pkt udp -p 41001 -t 3 $VIP $UDP_PORT 16)"
d1=$(ctr fwd-drop)
if [ "${d1:-0}" -ge $((${d0:-0} + 2)) ]; then
	pass off-forward-drops
else
	fail off-forward-drops "fwd-drop counter $d0 -> $d1"
fi
check_eq off-tcp-untracked 0 "$(ct_count "dst=$VIP sport=41000 dport=80")"
check_eq off-udp-untracked 0 "$(ct_count "dst=$VIP sport=41001 dport=$UDP_PORT")"
check_eq off-rs-untracked 0 "$(ct_count "dst=$CLIENT sport=80 dport=41000")"

# --- conntrack=1: the entries get the realservers' reply tuples ----------------
set_conntrack 1
rs=$(in_ns client xvs-pkt get -p 42000 $VIP 80)
case $rs in rs1 | rs2) pass on-http-works ;; *) fail on-http-works "answer: $rs" ;; esac
if [ "$rs" = rs1 ] || [ "$rs" = rs2 ]; then
	check_eq on-tcp-entry 1 "$(ct_count "$(ct_nat tcp 42000 80 "$(rs_ip "$rs")")")"
fi
ct_show "sport=42000 "
out=$(in_ns client xvs-pkt udp -p 42001 -t 3 $VIP $UDP_PORT 16)
set -- $out
case $1 in rs1 | rs2) pass on-udp-works ;; *) fail on-udp-works "answer: $out" ;; esac
if [ "$1" = rs1 ] || [ "$1" = rs2 ]; then
	check_eq on-udp-entry 1 "$(ct_count "$(ct_nat udp 42001 $UDP_PORT "$(rs_ip "$1")")")"
fi
ct_show "sport=42001 "
# the other realserver too (rr): its tuple names it
rs=$(in_ns client xvs-pkt get -p 42002 $VIP 80)
case $rs in rs1 | rs2)
	check_eq on-tcp-entry-2 1 "$(ct_count "$(ct_nat tcp 42002 80 "$(rs_ip "$rs")")")" ;;
*) fail on-tcp-entry-2 "answer: $rs" ;;
esac

# --- conntrack=1: the entry goes with the balancer's connection ----------------
check set-timeouts lvs --set 15 15 15
lab_open 1 9000
check_eq on-hold-opened rs1 "$LAB_LAST"
hport=$(in_ns client netstat -tn 2>/dev/null | awk -v v="$VIP:9000" '$5 == v { split($4, a, ":"); print a[2]; exit }')
out=$(in_ns client xvs-pkt udp -p 42003 -t 3 $VIP $UDP_PORT 16)
set -- $out
urs=$1
case $urs in rs1 | rs2) pass expire-udp-works ;; *) fail expire-udp-works "answer: $out" ;; esac
check_eq expire-tcp-entry 1 "$(ct_count "$(ct_nat tcp "${hport:-none}" 9000 192.168.0.1)")"
check_eq expire-udp-entry 1 "$(ct_count "$(ct_nat udp 42003 $UDP_PORT "$(rs_ip "$urs")")")"
ct_show "sport=${hport:-none} "
ct_show "sport=42003 "
# a flush of the services leaves the connections (and their entries)
check flush lvs -C
check_eq flush-keeps-conn 1 "$(ipvs_conns tcp "$hport")"
check_eq flush-keeps-entry 1 "$(ct_count "$(ct_nat tcp "${hport:-none}" 9000 192.168.0.1)")"
if wait_ipvs_gone tcp "$hport" 40 && wait_ipvs_gone udp 42003 40; then
	pass expire-conns-gone
else
	fail expire-conns-gone "$(lvs -L -n -c | tr '\n' ' ')"
fi
# (the entries went with the connections, not by their own timeouts:
# established TCP stays 5 days, UDP 600 s)
check_eq expire-tcp-entry-gone 0 "$(ct_count "sport=${hport:-none} dport=9000")"
check_eq expire-udp-entry-gone 0 "$(ct_count "sport=42003 dport=$UDP_PORT")"
ct_show "dport=9000 "
lab_close 1
check reset-timeouts lvs --set 900 120 300

# --- passive FTP ---------------------------------------------------------------
lvs_configure "-A -t $VIP:21 -s rr" "-a -t $VIP:21 -r 192.168.0.1:21 -m" && pass ftp-configure
head -c 100000 /dev/urandom > $SRV/down.bin

# ftp NAME OP...: one client session; output in $LAB/ftp.out
ftp() {
	local name=$1
	shift
	if in_ns client timeout 60 xvs-ftp client $VIP 21 "$@" > $LAB/ftp.out 2>&1; then
		pass "$name"
	else
		fail "$name" "$(tail -n 2 $LAB/ftp.out | tr '\n' ' ')"
	fi
}

# pasv_port: the port of the last 227 answer (naming the VIP) in ftp.out
pasv_port() {
	sed -n 's/^[a-z]*-reply: 227 .*(81,57,54,100,\([0-9]*\),\([0-9]*\)).*/\1 \2/p' \
		$LAB/ftp.out | tail -n 1 | awk '{ print $1 * 256 + $2 }'
}

# expects PORT: the director's expectations of a connection to VIP:PORT
expects() {
	in_ns director cat /proc/net/nf_conntrack_expect | grep -F "dst=$VIP " |
		grep -cF "dport=$1 "
}

# ftp_get NAME MODE: one passive download as test NAME, which must work
# and whose data connection must be related (the in-related counter rises)
ftp_get() {
	local r0 r1
	r0=$(ctr in-related)
	rm -f "$CLI/$1"
	ftp "$1-session" "$2:get:down.bin:$CLI/$1"
	check "$1-download" cmp -s $SRV/down.bin "$CLI/$1"
	r1=$(ctr in-related)
	if [ "${r1:-0}" -gt "${r0:-0}" ]; then
		pass "$1-related"
	else
		fail "$1-related" "in-related counter $r0 -> $r1"
	fi
}

# (a) ip_vs_ftp alone: its expectation needs a conntrack helper on the
# control connection's entry (nf_ct_expect_related refuses a master without
# one), so there is none, and the data connection is new: dropped
set_conntrack 1
ftp ftp-nocthelper-pasv-answer raw:PASV
p=$(pasv_port)
check ftp-nocthelper-names-vip test -n "$p"
check_eq ftp-nocthelper-no-expect 0 "$(expects "${p:-none}")"
r0=$(ctr in-related)
d0=$(ctr in-drop)
rm -f $CLI/nocthelper
if in_ns client timeout 60 xvs-ftp client $VIP 21 pasv:get:down.bin:$CLI/nocthelper \
	> $LAB/ftp.out 2>&1; then
	fail ftp-nocthelper-fails "passive transfer worked without a conntrack helper"
else
	pass ftp-nocthelper-fails
fi
check_eq ftp-nocthelper-not-related "$r0" "$(ctr in-related)"
if [ "$(ctr in-drop)" -gt "${d0:-0}" ] 2>/dev/null; then
	pass ftp-nocthelper-data-dropped
else
	fail ftp-nocthelper-data-dropped "in-drop counter $d0 -> $(ctr in-drop)"
fi

# (b) the ftp conntrack helper attached to the control connections: the
# balancer's expectation exists and the data connections are related,
# whatever net.ipv4.vs.conntrack says (the control connection is tracked)
if out=$(modprobe nf_conntrack_ftp 2>&1); then
	pass ftp-cthelper-module
else
	fail ftp-cthelper-module "modprobe nf_conntrack_ftp: $out"
fi
lsmod | grep -E "conntrack|nft_ct" | quote
if out=$(in_ns director nft -f - 2>&1 <<EOF
table ip fw {
	ct helper ftp-std {
		type "ftp" protocol tcp;
		l3proto ip;
	}
}
insert rule ip fw input tcp dport 21 ct state new ct helper set "ftp-std"
EOF
); then
	pass ftp-cthelper
else
	fail ftp-cthelper "$out"
fi
set_conntrack 0
ftp ftp-off-pasv-answer raw:PASV
p=$(pasv_port)
check_eq ftp-off-expect 1 "$(expects "${p:-none}")"
in_ns director cat /proc/net/nf_conntrack_expect | quote
ftp_get ftp-off pasv
set_conntrack 1
ftp_get ftp-on pasv
p=$(pasv_port)
# the data connection's entry: client -> VIP:P, reply rs1:P -> client
check_eq ftp-on-data-entry 1 "$(ct_tuples | grep -cE "^tcp src=$CLIENT dst=$VIP sport=[0-9]+ dport=${p:-none} src=192.168.0.1 dst=$CLIENT sport=${p:-none} dport=[0-9]+$")"
ct_show "dport=${p:-none} "
ct_show "dport=21 "
ftp_get ftp-on-epsv epsv

# with related packets dropped, the passive transfer fails
in_ns director nft insert rule ip fw input ct state related counter drop comment '"in-related-drop"'
if in_ns client timeout 60 xvs-ftp client $VIP 21 pasv:get:down.bin:$CLI/ftp-norel \
	> $LAB/ftp.out 2>&1; then
	fail ftp-norelated-fails "passive transfer worked with related packets dropped"
else
	pass ftp-norelated-fails
fi
if [ "$(ctr in-related-drop)" -ge 1 ] 2>/dev/null; then
	pass ftp-norelated-dropped
else
	fail ftp-norelated-dropped "in-related-drop counter: $(ctr in-related-drop)"
fi

lvs -L -n -c | quote
lab_nat_down
lb_unload || fail unload "module still loaded"
finish
