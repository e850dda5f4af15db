# Shared helpers of the QEMU scenarios (guest side, bash).  Sourced by every
# tests/qemu/*.sh scenario; see tests/qemu/README.md for the protocol.
# shellcheck shell=bash

XVS_ID=${XVS_SCENARIO_ID:-$(basename "$0" .sh)}
XVS_KO=${XVS_KO:-/xvs/xvs.ko}
LAB=/tmp/lab
XVS_NPASS=0
XVS_NFAIL=0

# --- results -----------------------------------------------------------------

# test names are single words on the console
_tname() { printf '%s' "$*" | tr -c 'A-Za-z0-9_.:+=/-' '_'; }

pass() {
	XVS_NPASS=$((XVS_NPASS + 1))
	echo "XVS-RESULT PASS $(_tname "$1")"
}

fail() {
	local name=$1
	shift
	XVS_NFAIL=$((XVS_NFAIL + 1))
	echo "XVS-RESULT FAIL $(_tname "$name") $*"
}

# check NAME CMD...: PASS when CMD succeeds
check() {
	local name=$1
	shift
	if "$@"; then pass "$name"; else fail "$name" "command failed: $*"; fi
}

# check_eq NAME EXPECTED ACTUAL
check_eq() {
	if [ "$2" = "$3" ]; then
		pass "$1"
	else
		fail "$1" "expected [$2] got [$3]"
	fi
}

# settled SECS WANT CMD...: CMD's output once it is WANT (">=N": a number of
# at least N), else its last output after SECS seconds.  ip_vs publishes its
# counters on its 2-second estimator tick, which a loaded TCG host delays
# further: counters are read through this, never after a fixed sleep alone.
settled() {
	local end=$((SECONDS + $1)) want=$2 out
	shift 2
	while :; do
		out=$("$@")
		case $want in
		">="*) [ "${out:-0}" -ge "${want#>=}" ] 2>/dev/null && break ;;
		*) [ "$out" = "$want" ] && break ;;
		esac
		[ $SECONDS -ge $end ] && break
		sleep 0.5
	done
	printf '%s\n' "$out"
}

# check_same_file NAME FILE_A FILE_B: byte comparison, diff on failure
check_same_file() {
	if cmp -s "$2" "$3"; then
		pass "$1"
	else
		fail "$1" "outputs differ ($2 vs $3)"
		diff -u "$2" "$3" | head -40 | quote
	fi
}

# Marks the end of the scenario: without this line the host counts the
# scenario as died/timed out.
finish() {
	echo "# $XVS_ID: $XVS_NPASS passed, $XVS_NFAIL failed"
	echo "XVS-DONE $XVS_ID"
	exit 0
}

# Text that may contain kernel messages (dmesg, diffs) is quoted so the host
# does not take it for a live kernel problem.
quote() { sed 's/^/> /'; }

log() { echo "# $*"; }

# --- balancer modules ---------------------------------------------------------

# What ipvsadm talks to: "ipvs" = the kernel's own ip_vs, "xvs" = xvs.ko.
IPVS_SCHEDULERS="rr wrr lc wlc lblc lblcr dh sh sed nq fo ovf mh"

# ipvsadm and the kernel load ip_vs on demand; while xvs is under test that
# must not happen silently, so modprobe is told to refuse ip_vs.
_block_ip_vs() {
	mkdir -p /etc/modprobe.d
	echo "install ip_vs /bin/false" > /etc/modprobe.d/xvs-no-ip_vs.conf
}
_unblock_ip_vs() { rm -f /etc/modprobe.d/xvs-no-ip_vs.conf; }

lb_loaded() { [ -d "/sys/module/$1" ]; }

# lb_load ipvs|xvs: loads the balancer; prints why on failure
lb_load() {
	case $1 in
	ipvs)
		_unblock_ip_vs
		modprobe ip_vs || { echo "modprobe ip_vs failed"; return 1; }
		local s
		for s in $IPVS_SCHEDULERS; do
			modprobe "ip_vs_$s" || { echo "modprobe ip_vs_$s failed"; return 1; }
		done
		;;
	xvs)
		_block_ip_vs
		if [ ! -f "$XVS_KO" ]; then
			echo "xvs.ko is not in the image (build/kmod/xvs.ko missing: make kmod)"
			return 1
		fi
		if lb_loaded ip_vs; then
			echo "ip_vs is loaded; xvs cannot be tested alongside it"
			return 1
		fi
		local out
		if ! out=$(insmod "$XVS_KO" 2>&1); then
			echo "insmod xvs.ko failed: $out"
			dmesg | tail -5 | quote
			return 1
		fi
		;;
	*)
		echo "unknown balancer '$1' (ipvs or xvs)"
		return 1
		;;
	esac
	lb_check "$1"
}

# lb_check ipvs|xvs: exactly the wanted balancer is loaded and ipvsadm works
lb_check() {
	local want=$1 other=xvs
	[ "$want" = xvs ] && other=ip_vs
	[ "$want" = ipvs ] && want=ip_vs
	lb_loaded "$want" || { echo "$want is not loaded"; return 1; }
	lb_loaded "$other" && { echo "$other is loaded too"; return 1; }
	local out
	out=$(ipvsadm -L -n 2>&1) || { echo "ipvsadm -L -n failed: $out"; return 1; }
	return 0
}

lb_unload() {
	local m
	rmmod xvs 2>/dev/null
	for m in $(lsmod | awk 'NR > 1 && $1 ~ /^ip_vs_/ { print $1 }'); do
		rmmod "$m" 2>/dev/null
	done
	rmmod ip_vs 2>/dev/null
	_unblock_ip_vs
	! lb_loaded xvs && ! lb_loaded ip_vs
}

# --- the seed-001 LVS-NAT lab ---------------------------------------------------
#
#   client (81.57.54.254, "the Internet" and the director's gateway)
#     | veth, 81.57.54.0/24
#   director: eth0 81.57.54.1 + VIP 81.57.54.100 on eth0:110
#             eth1 192.168.0.254 -- bridge br-lan -- rs1 192.168.0.1
#                                                  -- rs2 192.168.0.2
#                                                  -- rs3 192.168.0.3
# Each realserver runs busybox httpd on :80 (a page naming it) and, on :9000,
# a server that says its name and keeps the connection open (for tests that
# need established connections).
VIP=81.57.54.100
LAB_RS="1 2 3"
LAB_PIDS=()

in_ns() {
	local ns=$1
	shift
	ip netns exec "$ns" "$@"
}

# lab_nat_up: builds the lab; on failure says why on stdout and returns 1.
# Call it directly, not in $(...): it records the daemons it starts.
lab_nat_up() {
	local n
	mkdir -p $LAB/www
	ip link add br-lan type bridge || return 1
	ip link set br-lan up
	for n in client director rs1 rs2 rs3; do
		ip netns add $n || return 1
		in_ns $n ip link set lo up
	done
	ip link add ext-c type veth peer name ext-d
	ip link set ext-c netns client name eth0
	ip link set ext-d netns director name eth0
	in_ns client ip addr add 81.57.54.254/24 dev eth0
	in_ns client ip link set eth0 up
	in_ns director ip addr add 81.57.54.1/24 dev eth0
	in_ns director ip link set eth0 up
	ip link add lan-d type veth peer name lan-d-br
	ip link set lan-d netns director name eth1
	ip link set lan-d-br master br-lan up
	in_ns director ip addr add 192.168.0.254/24 dev eth1
	in_ns director ip link set eth1 up
	for n in $LAB_RS; do
		ip link add lan-$n type veth peer name lan-$n-br
		ip link set lan-$n netns rs$n name eth0
		ip link set lan-$n-br master br-lan up
		in_ns rs$n ip addr add 192.168.0.$n/24 dev eth0
		in_ns rs$n ip link set eth0 up
		in_ns rs$n ip route add default via 192.168.0.254
		mkdir -p $LAB/www/rs$n
		echo "realserver rs$n 192.168.0.$n" > $LAB/www/rs$n/index.html
		printf '#!/bin/sh\necho "realserver rs%s 192.168.0.%s"\nexec cat\n' \
			"$n" "$n" > $LAB/hold-rs$n
		chmod +x $LAB/hold-rs$n
		# (no output: a daemon holding a pipe open would block a caller
		# that captures this function's output)
		# (ip netns exec directly, not in_ns: $! must be the daemon)
		ip netns exec rs$n httpd -f -p 80 -h $LAB/www/rs$n </dev/null >/dev/null 2>&1 &
		LAB_PIDS+=($!)
		ip netns exec rs$n nc -ll -p 9000 -e $LAB/hold-rs$n </dev/null >/dev/null 2>&1 &
		LAB_PIDS+=($!)
	done
	# the director, as the seed's mini-HOWTO start script sets it up
	in_ns director sh -c '
		echo "1" > /proc/sys/net/ipv4/ip_forward
		echo "0" > /proc/sys/net/ipv4/conf/all/send_redirects
		echo "0" > /proc/sys/net/ipv4/conf/default/send_redirects
		echo "0" > /proc/sys/net/ipv4/conf/eth0/send_redirects
		ifconfig eth0:110 81.57.54.100 broadcast 81.57.54.255 netmask 255.255.255.0
		route add default gw 81.57.54.254 netmask 0.0.0.0 metric 1' || return 1
	# wait for the servers, and check the plain network before any balancing
	for n in $LAB_RS; do
		lab_wait_port rs$n 80 || { echo "httpd on rs$n did not start"; return 1; }
		lab_wait_port rs$n 9000 || { echo "nc on rs$n did not start"; return 1; }
		in_ns director ping -c 1 -W 2 192.168.0.$n >/dev/null ||
			{ echo "director cannot reach 192.168.0.$n"; return 1; }
	done
	in_ns client ping -c 1 -W 2 $VIP >/dev/null || { echo "client cannot reach the VIP"; return 1; }
	return 0
}

# lab_nat_begin LB [SETUP]: loads the balancer LB and builds the NAT lab,
# then runs the function SETUP if given (in this shell, so the daemons it
# starts are recorded); on failure reports load or lab-up and ends the
# scenario.
lab_nat_begin() {
	local out
	if ! out=$(lb_load "$1" 2>&1); then
		fail load "$out"
		finish
	fi
	if ! lab_nat_up > /tmp/lab-up.log 2>&1 ||
	   { [ -n "${2:-}" ] && ! "$2" >> /tmp/lab-up.log 2>&1; }; then
		fail lab-up "$(tail -n 3 /tmp/lab-up.log | tr '\n' ' ')"
		lab_nat_down
		lb_unload
		finish
	fi
}

lab_wait_port() {
	local i
	for i in $(seq 50); do
		in_ns "$1" netstat -ltn 2>/dev/null | grep -q ":$2 " && return 0
		sleep 0.1
	done
	return 1
}

lab_nat_down() {
	lab_close_all
	lab_teardown br-lan
}

# lab_teardown BRIDGE: stops the lab's servers, removes every namespace,
# the lab's bridge and its files.
lab_teardown() {
	local p
	for p in "${LAB_PIDS[@]}"; do kill "$p" 2>/dev/null; done
	# Children of the lab's servers (the hold servers' per-connection
	# shells) outlive them and would keep their namespace, and its veth,
	# alive: the next lab would then find the old veth ends under the same
	# names and wire the old namespace to its bridge.
	local ns i
	for ns in $(ip netns list 2>/dev/null | awk '{ print $1 }'); do
		for p in $(ip netns pids "$ns" 2>/dev/null); do kill -9 "$p" 2>/dev/null; done
	done
	wait 2>/dev/null
	LAB_PIDS=()
	ip -all netns delete 2>/dev/null
	ip link del "$1" 2>/dev/null
	# A namespace outlives its deletion while orphaned TCP sockets of
	# killed processes hold it (retransmitting to peers already gone), and
	# with it the veth pairs whose root ends the next lab would meet under
	# the same names: deleting the root ends deletes the pairs now.
	local l
	for l in $(ip -o link show type veth 2>/dev/null | awk -F': ' '{ sub(/@.*/, "", $2); print $2 }'); do
		ip link del "$l" 2>/dev/null
	done
	for i in $(seq 50); do
		[ -z "$(ip -o link show type veth 2>/dev/null)" ] && break
		sleep 0.2
	done
	[ -z "$(ip -o link show type veth 2>/dev/null)" ] ||
		echo "# lab_teardown: veths of the old lab still exist after 10 s"
	rm -rf $LAB
	return 0
}

# lab_serve_vip NS PAGE: an httpd in NS bound to $VIP:80 only (DR and TUN
# realservers hold the VIP themselves), its index page saying PAGE.
lab_serve_vip() {
	mkdir -p "$LAB/www/$1"
	echo "$2" > "$LAB/www/$1/index.html"
	ip netns exec "$1" httpd -f -p "$VIP:80" -h "$LAB/www/$1" </dev/null >/dev/null 2>&1 &
	LAB_PIDS+=($!)
}

# lab_vip_reachable "N...": realservers rsN serve, the director reaches each
# one at $(rip N), and the client reaches the VIP.  Prints what failed.
lab_vip_reachable() {
	local n
	for n in $1; do
		lab_wait_port rs$n 80 || { echo "httpd on rs$n did not start"; return 1; }
		in_ns director ping -c 1 -W 2 "$(rip $n)" >/dev/null ||
			{ echo "director cannot reach $(rip $n)"; return 1; }
	done
	in_ns client ping -c 1 -W 2 $VIP >/dev/null || { echo "client cannot reach the VIP"; return 1; }
}

# ipvsadm in the director
lvs() { in_ns director ipvsadm "$@"; }

# lvs_configure "ARGS"...: one director ipvsadm command per argument (words
# split); the first failure is reported as the check "configure"
lvs_configure() {
	local c out
	for c in "$@"; do
		# shellcheck disable=SC2086
		if ! out=$(lvs $c 2>&1); then
			fail configure "ipvsadm $c: $out"
			return 1
		fi
	done
	return 0
}

# scale_rules N: an `ipvsadm -R` table of N services 10.a.b.c:80 (rr) with
# four NAT real servers 172.16.x.y:8080 each, weights 1 to 4 (the control
# plane scenarios and make bench)
scale_rules() {
	awk -v n="$1" 'BEGIN {
		for (i = 0; i < n; i++) {
			a = int(i / 65536); b = int(i / 256) % 256; c = i % 256
			vip = sprintf("10.%d.%d.%d", 100 + a, b, c)
			printf "-A -t %s:80 -s rr\n", vip
			for (d = 1; d <= 4; d++)
				printf "-a -t %s:80 -r 172.16.%d.%d:8080 -m -w %d\n", vip, (i * 4 + d) % 250, d, d
		}
	}'
}

# lab_get [PORT [ADDR]]: one HTTP/1.0 request from the client to ADDR
# (default the VIP); prints the answering realserver (rs1..) or ERR.
# (busybox's static wget crashes without the NSS modules of a full system,
# so HTTP goes through nc.)
lab_get() {
	local line
	line=$(printf 'GET / HTTP/1.0\r\n\r\n' |
		in_ns client timeout 10 nc -w 5 "${2:-$VIP}" "${1:-80}" 2>/dev/null |
		grep -a '^realserver ')
	set -- $line
	[ "$1" = realserver ] && echo "$2" || echo ERR
}

# rx_packets NS DEV: packets DEV of namespace NS received (0 if none)
rx_packets() { in_ns "$1" cat "/sys/class/net/$2/statistics/rx_packets" 2>/dev/null || echo 0; }

# lab_open IDX PORT: opens a connection to VIP:PORT that stays open and
# sets LAB_LAST to the realserver that answered (or ERR).  Call it
# directly, not in $(...): it keeps the connection's process and fifo.
declare -A LAB_OPEN=()
LAB_LAST=
lab_open() {
	local idx=$1 port=$2 i out=
	mkdir -p $LAB/open
	mkfifo $LAB/open/in.$idx
	ip netns exec client nc $VIP "$port" < $LAB/open/in.$idx > $LAB/open/out.$idx 2>&1 &
	LAB_OPEN[$idx]=$!
	# hold the fifo open so nc never sees the end of its input
	eval "exec {LAB_FD_$idx}> $LAB/open/in.$idx"
	for i in $(seq 200); do
		out=$(cat $LAB/open/out.$idx)
		[ -n "$out" ] && break
		sleep 0.05
	done
	set -- $out
	if [ "${1:-}" = realserver ]; then LAB_LAST=$2; else LAB_LAST=ERR; fi
}

lab_close() {
	local idx=$1 fdvar="LAB_FD_$1"
	[ -n "${LAB_OPEN[$idx]:-}" ] || return 0
	kill "${LAB_OPEN[$idx]}" 2>/dev/null
	wait "${LAB_OPEN[$idx]}" 2>/dev/null
	[ -n "${!fdvar:-}" ] && eval "exec ${!fdvar}>&-"
	unset "LAB_OPEN[$idx]"
}

lab_close_all() {
	local idx
	for idx in "${!LAB_OPEN[@]}"; do lab_close "$idx"; done
}

# lab_active VIP:PORT: total ActiveConn of a TCP service
lab_active() {
	lvs -L -n -t "$1" 2>/dev/null | awk '$1 == "->" && $2 ~ /:/ { n += $5 } END { print n + 0 }'
}

# lab_wait_active VIP:PORT N: waits (up to 10 s) for ActiveConn to reach N
lab_wait_active() {
	local i
	for i in $(seq 100); do
		[ "$(lab_active "$1")" = "$2" ] && return 0
		sleep 0.1
	done
	return 1
}

# lab_dest_stat SERVICE DEST COLUMN: a column of `ipvsadm -L -n --stats
# --exact` for one destination (COLUMN 3 = Conns, 4 = InPkts, 5 = OutPkts)
lab_dest_stat() {
	lvs -L -n --stats --exact -t "$1" 2>/dev/null |
		awk -v d="$2" -v c="$3" '$1 == "->" && $2 == d { print $c; f = 1 } END { if (!f) print "none" }'
}

lab_svc_stat() {
	lvs -L -n --stats --exact -t "$1" 2>/dev/null |
		awk -v s="$1" -v c="$2" '$1 == "TCP" && $2 == s { print $(c); f = 1 } END { if (!f) print "none" }'
}
