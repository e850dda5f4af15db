#!/bin/bash
# FTP through LVS-NAT, the seed-001 lab with an FTP server (xvs-ftp, from
# tests/tools) on rs1 behind the VIP on ports 21 and 2121, and the FTP
# helper of the balancer (ip_vs_ftp ports=21,2121 or xvs.ko
# ftp_ports=21,2121):
#  - without the helper, active and passive transfers fail (the client
#    never reaches the realserver's private address, and the realserver's
#    data connection is not translated): the transfers below can fail;
#  - malformed PORT/EPRT commands and 227/229 answers create no connection,
#    are passed on unchanged, and the control connection keeps working;
#  - downloads and uploads of a 300 kB file in PASV, EPSV, PORT and EPRT
#    mode arrive intact, on port 21 and 2121; the 227 answer names the VIP
#    (one byte longer than the realserver's address, so TCP sequence
#    numbers are translated for the rest of the control connection);
#  - the same through a persistent service;
#  - IPv6 (the lab's links get IPv6 addresses too; the client reaches
#    only its own link, so nothing works without translation): services
#    [2001:db8:a::100]:21 and :2121 -> [2001:db8:b::1] (NAT); downloads
#    and uploads in EPSV and EPRT |2| mode arrive intact (the helper
#    creates the data connections), the 229 answer names the port only;
#    malformed or other-family EPRT commands and 229 answers create no
#    connection and pass unchanged, while a 229 answer naming the server's
#    IPv6 address is rewritten to name none (shorter: sequence numbers are
#    translated and the control connection keeps working).
#
# Argument: the balancer, ipvs (the kernel's ip_vs) or xvs (xvs.ko).
# xvs-timeout: 700
# xvs-variant: ipvs
# xvs-reference: ipvs
# xvs-variant: xvs
. "$(dirname "$0")/lib.sh"

LB=${1:?usage: lvs-ftp.sh ipvs|xvs}
SRV=$LAB/ftp-rs1	# the realserver's files
CLI=$LAB/ftp-client	# the client's files
PORTS="21,2121"

# load_balancer HELPER: the balancer, with the FTP helper (yes) or without
load_balancer() {
	if [ "$LB" = xvs ]; then
		local want=$PORTS
		[ "$1" = yes ] || want=0
		# lb_load checks the environment; then load with the parameter
		if lb_loaded xvs; then
			rmmod xvs || return 1
		else
			lb_load xvs && rmmod xvs || return 1
		fi
		insmod "$XVS_KO" ftp_ports=$want || return 1
		lb_check xvs
	else
		if [ "$1" = yes ]; then
			modprobe ip_vs_ftp ports=$PORTS
		else
			lb_load ipvs && ! lb_loaded ip_vs_ftp
		fi
	fi
}

configure() {
	local p
	for p in 21 2121; do
		lvs -A -t $VIP:$p -s rr || return 1
		lvs -a -t $VIP:$p -r 192.168.0.1:$p -m || return 1
	done
}

# ftp PORT OP...: one client session to the VIP; output in $LAB/ftp.out
ftp() {
	local port=$1
	shift
	in_ns client timeout 60 xvs-ftp client $VIP "$port" "$@" > $LAB/ftp.out 2>&1
}

# connections to the VIP other than the FTP control connections
data_conns() {
	lvs -L -n -c | awk -v v=$VIP '$1 == "TCP" && $5 !~ /:(21|2121)$/ && $5 ~ v' | wc -l
}

command -v xvs-ftp >/dev/null || { fail tool "xvs-ftp is not in the image"; finish; }

if ! out=$(load_balancer no 2>&1); then
	fail load "$out"
	finish
fi
pass load
if ! lab_nat_up > /tmp/lab-up.log 2>&1; then
	fail lab-up "$(tail -n 3 /tmp/lab-up.log)"
	lab_nat_down
	finish
fi
mkdir -p $SRV $CLI
for p in 21 2121; do
	ip netns exec rs1 xvs-ftp server $p $SRV </dev/null >/dev/null 2>&1 &
	LAB_PIDS+=($!)
done
lab_wait_port rs1 21 && lab_wait_port rs1 2121 || { fail lab-up "xvs-ftp server did not start"; lab_nat_down; finish; }
pass lab-up
head -c 300000 /dev/urandom > $SRV/down.bin
head -c 300000 /dev/urandom > $CLI/up.bin
check configure-nohelper configure

# --- without the helper: data connections fail ------------------------------
ftp 21 raw:NOOP
check_eq nohelper-control-works "raw-reply: 200 ok" "$(grep raw-reply $LAB/ftp.out)"
if ftp 21 pasv:get:down.bin:$CLI/nohelper-pasv; then
	fail nohelper-pasv-fails "passive transfer worked without the helper"
else
	pass nohelper-pasv-fails
fi
check nohelper-pasv-names-rip grep -q "^pasv-reply: 227 .*(192,168,0,1," $LAB/ftp.out
if ftp 21 port:get:down.bin:$CLI/nohelper-port; then
	fail nohelper-port-fails "active transfer worked without the helper"
else
	pass nohelper-port-fails
fi

# --- with the helper ---------------------------------------------------------
if [ "$LB" = xvs ]; then
	# a fresh module: reconfigure
	lab_close_all
	if ! out=$(load_balancer yes 2>&1); then
		fail load-helper "$out"
		lab_nat_down
		finish
	fi
	check configure configure
	check_eq helper-ports "$PORTS" "$(cat /sys/module/xvs/parameters/ftp_ports)"
else
	if ! out=$(load_balancer yes 2>&1); then
		fail load-helper "$out"
		lab_nat_down
		finish
	fi
	check_eq helper-ports "$PORTS" "$(cat /sys/module/ip_vs_ftp/parameters/ports)"
fi
pass load-helper
# connections of the failed attempts must not count below
sleep 1
base=$(data_conns)

# Malformed commands and answers.  A client's "PASV\r\n" or "EPSV\r"
# anywhere in a segment announces a passive answer; SITE REPLY makes the
# server answer the rest of the line verbatim.
garbage=(
	"PORT 999,1,1,1,1,1"
	"PORT 81,57,54,254,4"
	"PORT 81,57,54,256,1,1"
	"PORT 81,57,54,254,1"
	"PORT a,b,c,d,e,f"
	"EPRT |1|81.57.54.254|99999|"
	"EPRT |1|81.57.54|4000|"
	"EPRT |2|::1|4000|"
	"EPRT |1|81.57.54.254|0|"
	"EPRT |1|81.57.54.254|4000"
	"SITE REPLY 227 Entering Passive Mode (192,168,0,1,999,1) PASV"
	"SITE REPLY 227 Entering Passive Mode (192,168,0 PASV"
	"SITE REPLY 227 Entering Passive Mode () PASV"
	"SITE REPLY 229 Entering Extended Passive Mode (|||99999|) EPSV"
	"SITE REPLY 229 Entering Extended Passive Mode (|2|::1|4000|) EPSV"
	"SITE REPLY 229 Entering Extended Passive Mode (||| EPSV"
)
ops=()
for g in "${garbage[@]}"; do ops+=("raw:$g"); done
ops+=("raw:NOOP")
if ftp 21 "${ops[@]}"; then
	pass garbage-session
else
	fail garbage-session "$(tail -n 2 $LAB/ftp.out)"
fi
# the malformed answers arrive as the server wrote them
ok=1
for g in "${garbage[@]}"; do
	case $g in "SITE REPLY "*) ;; *) continue ;; esac
	grep -qxF "raw-reply: ${g#SITE REPLY }" $LAB/ftp.out || { ok=0; log "answer to '$g' changed"; }
done
if [ $ok = 1 ]; then
	pass garbage-unchanged
else
	fail garbage-unchanged "some answers changed"
	grep raw-reply $LAB/ftp.out | quote
fi
check_eq garbage-control-works "raw-reply: 200 ok" "$(grep 'raw-reply: 200' $LAB/ftp.out)"
check_eq garbage-no-conns "$base" "$(data_conns)"

# Each mode, download then upload, on one control connection each.
for port in 21 2121; do
	for mode in pasv epsv port eprt; do
		t=$mode-$port
		rm -f $SRV/up-$t
		if ftp $port $mode:get:down.bin:$CLI/down-$t $mode:put:$CLI/up.bin:up-$t raw:NOOP; then
			pass $t-session
		else
			fail $t-session "$(tail -n 2 $LAB/ftp.out)"
			cat $LAB/ftp.out | quote
		fi
		check_same_file $t-download $SRV/down.bin $CLI/down-$t
		check_same_file $t-upload $CLI/up.bin $SRV/up-$t
		case $mode in
		pasv) check $t-names-vip grep -q "^pasv-reply: 227 Entering Passive Mode (81,57,54,100," $LAB/ftp.out ;;
		epsv) check $t-port-only grep -q "^epsv-reply: 229 Entering Extended Passive Mode (|||[0-9]*|)$" $LAB/ftp.out ;;
		esac
	done
done

# Many rewritten answers on one control connection: every 227 grows the
# stream by one byte; the control connection must stay in step.
ops=()
for i in 1 2 3 4 5; do ops+=("pasv:get:down.bin:$CLI/many-$i" "raw:NOOP"); done
ops+=("port:get:down.bin:$CLI/many-port" "epsv:get:down.bin:$CLI/many-epsv")
if ftp 21 "${ops[@]}"; then
	pass many-session
else
	fail many-session "$(tail -n 2 $LAB/ftp.out)"
fi
ok=1
for f in many-1 many-2 many-3 many-4 many-5 many-port many-epsv; do
	cmp -s $SRV/down.bin $CLI/$f || ok=0
done
check_eq many-intact 1 $ok
check_eq many-noop-replies 5 "$(grep -c 'raw-reply: 200 ok' $LAB/ftp.out)"

# A persistent FTP service: one template covers the control and the data
# ports; the helper's connections work alongside.
check persistent-service lvs -E -t $VIP:21 -s rr -p 60
for mode in pasv port; do
	t=$mode-persistent
	if ftp 21 $mode:get:down.bin:$CLI/down-$t $mode:put:$CLI/up.bin:up-$t; then
		pass $t-session
	else
		fail $t-session "$(tail -n 2 $LAB/ftp.out)"
	fi
	check_same_file $t-download $SRV/down.bin $CLI/down-$t
	check_same_file $t-upload $CLI/up.bin $SRV/up-$t
done

lvs -L -n -c | head -20

# --- IPv6 ----------------------------------------------------------------------
VIP6=2001:db8:a::100
CIP6=2001:db8:a::254
DIP6=2001:db8:a::1
GW6=2001:db8:b::254
RIP6=2001:db8:b::1

# v6_up: IPv6 on the lab's links; the client gets no route beyond its link
v6_up() {
	in_ns client ip -6 addr add $CIP6/64 dev eth0 nodad || return 1
	in_ns director ip -6 addr add $DIP6/64 dev eth0 nodad || return 1
	in_ns director ip -6 addr add $VIP6/64 dev eth0 nodad || return 1
	in_ns director ip -6 addr add $GW6/64 dev eth1 nodad || return 1
	in_ns director sh -c 'echo 1 > /proc/sys/net/ipv6/conf/all/forwarding' ||
		return 1
	in_ns rs1 ip -6 addr add $RIP6/64 dev eth0 nodad || return 1
	in_ns rs1 ip -6 route add default via $GW6 || return 1
	in_ns director ping -6 -c 1 -W 2 $RIP6 >/dev/null ||
		{ echo "director cannot reach $RIP6"; return 1; }
	in_ns client ping -6 -c 1 -W 2 $VIP6 >/dev/null ||
		{ echo "client cannot reach $VIP6"; return 1; }
}

configure6() {
	local p
	for p in 21 2121; do
		lvs -A -t "[$VIP6]:$p" -s rr || return 1
		lvs -a -t "[$VIP6]:$p" -r "[$RIP6]:$p" -m || return 1
	done
}

# ftp6 PORT OP...: as ftp, to the IPv6 VIP
ftp6() {
	local port=$1
	shift
	in_ns client timeout 60 xvs-ftp client $VIP6 "$port" "$@" > $LAB/ftp.out 2>&1
}

# IPv6 connections to the VIP other than the FTP control connections
data_conns6() {
	lvs -L -n -c | awk -v v="[$VIP6]:" '$1 == "TCP" && index($5, v) == 1 &&
		$5 !~ /:(21|2121)$/' | wc -l
}

# active_conn6 PORT: "yes" when a connection client <- VIP:PORT-1 <- rs1
active_conn6() {
	lvs -L -n -c | awk -v c="[$CIP6]:" -v v="[$VIP6]:$(($1 - 1))" \
		-v d="[$RIP6]:$(($1 - 1))" '$1 == "TCP" && index($4, c) == 1 &&
		$5 == v && $6 == d { n++ } END { print n ? "yes" : "no" }'
}

if out=$(v6_up 2>&1); then
	pass v6-up
	check configure6 configure6
	sleep 1
	base6=$(data_conns6)

	# Malformed, other-family and valid-but-foreign endpoints (a client's
	# "EPSV\r" in a SITE REPLY line announces a passive answer).
	garbage6=(
		"PORT 81,57,54,254,15,160"
		"EPRT |1|81.57.54.254|4000|"
		"EPRT |2|2001:db8:a::254::1|4000|"
		"EPRT |2|2001:db8:a:0:0:0:0:0:254|4000|"
		"EPRT |2|12345::1|4000|"
		"EPRT |2|2001:db8:a::254|0|"
		"EPRT |2|2001:db8:a::254|70000|"
		"EPRT |2|2001:db8:a::254|4000"
		"EPRT |2|2001:db8:a::254"
		"EPRT |2|::ffff:81.57.54.254.1|4000|"
		"EPRT 2|2001:db8:a::254|4000|"
		"SITE REPLY 229 Entering Extended Passive Mode (|1|192.168.0.1|4000|) EPSV"
		"SITE REPLY 229 Entering Extended Passive Mode (|2|2001:db8:b::1:|4000|) EPSV"
		"SITE REPLY 229 Entering Extended Passive Mode (|2|2001:db8:b::1|0|) EPSV"
		"SITE REPLY 229 Entering Extended Passive Mode (|||4000) EPSV"
		"SITE REPLY 227 Entering Passive Mode (192,168,0,1,15,160) PASV"
	)
	ops=()
	for g in "${garbage6[@]}"; do ops+=("raw:$g"); done
	ops+=("raw:NOOP")
	if ftp6 21 "${ops[@]}"; then
		pass v6-garbage-session
	else
		fail v6-garbage-session "$(tail -n 2 $LAB/ftp.out)"
	fi
	ok=1
	for g in "${garbage6[@]}"; do
		case $g in "SITE REPLY "*) ;; *) continue ;; esac
		grep -qxF "raw-reply: ${g#SITE REPLY }" $LAB/ftp.out ||
			{ ok=0; log "answer to '$g' changed"; }
	done
	if [ $ok = 1 ]; then
		pass v6-garbage-unchanged
	else
		fail v6-garbage-unchanged "some answers changed"
		grep raw-reply $LAB/ftp.out | quote
	fi
	check_eq v6-garbage-control-works "raw-reply: 200 ok" \
		"$(grep 'raw-reply: 200' $LAB/ftp.out)"
	check_eq v6-garbage-no-conns "$base6" "$(data_conns6)"

	# A 229 answer naming the realserver's address: rewritten to name
	# none, 24 bytes shorter; one connection client:0 -> VIP:4000 ->
	# rs1:4000 expected; NOOPs after it still answered in step.
	if ftp6 21 "raw:SITE REPLY 229 Entering Extended Passive Mode (|2|$RIP6|4000|) EPSV" \
		raw:NOOP raw:NOOP; then
		pass v6-229-addr-session
	else
		fail v6-229-addr-session "$(tail -n 2 $LAB/ftp.out)"
	fi
	check_eq v6-229-addr-rewritten \
		"raw-reply: 229 Entering Extended Passive Mode (|||4000|) EPSV" \
		"$(grep 'raw-reply: 229' $LAB/ftp.out)"
	check_eq v6-229-addr-noops 2 "$(grep -c 'raw-reply: 200 ok' $LAB/ftp.out)"
	check_eq v6-229-addr-conn 1 "$(lvs -L -n -c | awk -v c="[$CIP6]:0" \
		-v v="[$VIP6]:4000" -v d="[$RIP6]:4000" \
		'$1 == "TCP" && $4 == c && $5 == v && $6 == d' | wc -l)"

	for port in 21 2121; do
		for mode in epsv eprt; do
			t=v6-$mode-$port
			rm -f $SRV/up-$t
			if ftp6 $port $mode:get:down.bin:$CLI/down-$t \
				$mode:put:$CLI/up.bin:up-$t raw:NOOP; then
				pass $t-session
			else
				fail $t-session "$(tail -n 2 $LAB/ftp.out)"
				quote < $LAB/ftp.out
			fi
			check_same_file $t-download $SRV/down.bin $CLI/down-$t
			check_same_file $t-upload $CLI/up.bin $SRV/up-$t
			case $mode in
			epsv) check $t-port-only grep -q "^epsv-reply: 229 Entering Extended Passive Mode (|||[0-9]*|)$" $LAB/ftp.out ;;
			eprt) check $t-names-client grep -q "^eprt-command: EPRT |2|$CIP6|[0-9]*|$" $LAB/ftp.out
			      # the realserver's data connection came through the
			      # VIP: an entry from its port below the control port
			      check_eq $t-conn-from-vip yes "$(active_conn6 $port)" ;;
			esac
		done
	done
else
	fail v6-up "$out"
fi
lvs -L -n -c | head -20
lab_nat_down
finish
