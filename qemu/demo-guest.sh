#!/bin/bash
# The `make demo` session, inside the VM (started by qemu/demo.sh): loads
# xvs.ko, builds the seed-001 LVS-NAT cluster from network namespaces,
# configures it with the stock ipvsadm and the seed's commands, sends
# requests from the client and shows who answered, then the statistics.
. /xvs/tests/lib.sh

NREQ=${1:-12}
say() { printf '\n=== %s\n' "$*"; }
run() { # shows a command, then runs it in the director
	echo "director# $*"
	in_ns director "$@"
}
die() {
	echo "demo: $*"
	fail demo "$*"
	finish
}

say "xvs demo: seed 001 \"Implementing a Linux Virtual Server\" (LVS-NAT), on xvs.ko"
echo "kernel $(uname -r)"

say "Loading xvs.ko (the kernel's ip_vs stays unloaded)"
out=$(lb_load xvs 2>&1) || die "$out"
echo "# insmod /xvs/xvs.ko"
grep -E '^xvs ' /proc/modules | awk '{ print "module " $1 " loaded, " $2 " bytes" }'
# (ipvsadm loads ip_vs by itself when nothing answers it: only ask it now)
echo "stock $(ipvsadm -v 2>&1 | head -n 1)"
dmesg | grep -E 'xvs' | tail -n 3

say "Building the network (one namespace per machine)"
cat <<'EOF'
   client 81.57.54.254
      |
   [eth0] director 81.57.54.1, VIP 81.57.54.100 on eth0:110
   [eth1] 192.168.0.254  (default gateway of the realservers)
      |
   LAN 192.168.0.0/24: rs1 192.168.0.1, rs2 192.168.0.2, rs3 192.168.0.3
                       (each runs an HTTP server whose page names it)
EOF
lab_nat_up > /tmp/lab-up.log 2>&1 || die "lab: $(tail -n 3 /tmp/lab-up.log)"
echo "lab is up: the director reaches the realservers, the client reaches the VIP"

say "The director start script of the seed (section 3.6)"
run sh -c 'cat /proc/sys/net/ipv4/ip_forward; cat /proc/sys/net/ipv4/conf/all/send_redirects'
run ifconfig eth0:110
run ipvsadm -C
say "Virtual services and realservers (section 3.4.4)"
run ipvsadm -A -t 81.57.54.100:80 -s wlc || die "ipvsadm -A failed"
run ipvsadm -A -t 81.57.54.100:21 -s wrr
run ipvsadm -a -t 81.57.54.100:80 -r 192.168.0.1:80 -m
run ipvsadm -a -t 81.57.54.100:80 -r 192.168.0.2:80 -m -w 2
run ipvsadm -a -t 81.57.54.100:80 -r 192.168.0.3:80 -m
run ipvsadm -a -t 81.57.54.100:21 -r 192.168.0.2:21 -m
run ipvsadm -a -t 81.57.54.100:21 -r 192.168.0.3:21 -m
run ipvsadm -L -n

say "$NREQ HTTP requests from the client to http://81.57.54.100/"
declare -A count=()
for i in $(seq "$NREQ"); do
	line=$(printf 'GET / HTTP/1.0\r\n\r\n' |
		in_ns client timeout 10 nc -w 5 $VIP 80 2>/dev/null | grep -a '^realserver ')
	[ -n "$line" ] || line="(no answer)"
	printf 'request %2d: client -> 81.57.54.100:80   answered by: %s\n' "$i" "$line"
	set -- $line
	count[${2:-none}]=$((${count[${2:-none}]:-0} + 1))
done
echo
echo "answers per realserver (weights rs1=1 rs2=2 rs3=1, wlc):"
for s in rs1 rs2 rs3 none; do
	[ -n "${count[$s]:-}" ] && printf '  %-4s %2d\n' "$s" "${count[$s]}"
done

sleep 3	# the statistics are folded every 2 s
say "Statistics"
run ipvsadm -L -n --stats
say "Connection table"
run ipvsadm -L -n -c

lab_nat_down
rmmod xvs && echo && echo "xvs.ko unloaded"
if [ -z "${count[none]:-}" ]; then
	pass demo
else
	fail demo "${count[none]} request(s) unanswered"
fi
finish
