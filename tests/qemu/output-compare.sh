#!/bin/bash
# Byte-identical outputs: one script of ipvsadm commands (TCP, UDP, SCTP,
# IPv6 and fwmark services; every forwarding method; weights, thresholds,
# persistence with netmask; -A -E -D -a -e -d -C -Z --set -R -S; failing
# commands) runs on balancer A, then on balancer B, in the director of a
# fresh seed-001 NAT lab.  Each step's stdout, stderr and exit status, and
# the listings after it, must be byte-identical: `ipvsadm -L -n` (plain,
# --stats, --rate, --thresholds, --persistent-conn, -c), -S -n, --timeout,
# /proc/net/ip_vs*, /proc/sys/net/ipv4/vs/* (names and values).  Traffic
# is three closed HTTP connections; what is not deterministic (expiry,
# client ports, hash order) is masked, see mask_conns.
#
# Arguments: A B, the balancers (ipvs = the kernel's ip_vs, xvs = xvs.ko).
# xvs-timeout: 900
# xvs-variant: ipvs xvs
. "$(dirname "$0")/lib.sh"

A=${1:?usage: output-compare.sh A B}
B=${2:?usage: output-compare.sh A B}

S=10.0.0.1
# The steps: NAME and the shell code, run in the director's namespace.
# "L" is the full listing after a change.
L='echo "exit=$?"; ipvsadm -L -n 2>&1; echo "exit=$?"'
STEPS=(
	empty-list "ipvsadm -L -n; echo exit=\$?; ipvsadm -S -n; echo exit=\$?"
	empty-stats "ipvsadm -L -n --stats; ipvsadm -L -n --rate"
	add-tcp "ipvsadm -A -t $S:80 -s rr 2>&1; $L"
	add-tcp-duplicate "ipvsadm -A -t $S:80 -s rr 2>&1; $L"
	add-udp-persistent "ipvsadm -A -u $S:53 -s wlc -p 600 -M 255.255.255.0 2>&1; $L"
	add-fwmark "ipvsadm -A -f 7 -s wrr 2>&1; $L"
	add-fwmark-persistent "ipvsadm -A -f 8 -s sh -p 2>&1; $L"
	add-sctp "ipvsadm -A --sctp-service $S:9999 -s lc 2>&1; $L"
	add-ipv6 "ipvsadm -A -t [2001:db8::1]:80 -s wlc 2>&1; $L"
	add-bad-scheduler "ipvsadm -A -t $S:81 -s nosuch 2>&1; $L"
	add-bad-persistence "ipvsadm -A -t $S:82 -s rr -p 0 2>&1; $L"
	add-schedulers "for s in lblc lblcr dh sed nq fo ovf mh; do ipvsadm -A -t $S:90 -s \$s 2>&1; echo \"\$s exit=\$?\"; ipvsadm -L -n -t $S:90; ipvsadm -D -t $S:90; done"
	add-dest-masq "ipvsadm -a -t $S:80 -r 192.168.0.1:80 -m -w 3 -x 100 -y 50 2>&1; $L"
	add-dest-gate "ipvsadm -a -t $S:80 -r 192.168.0.2:80 -g -w 0 2>&1; $L"
	add-dest-tun "ipvsadm -a -t $S:80 -r 192.168.0.3:8080 -i 2>&1; $L"
	add-dest-duplicate "ipvsadm -a -t $S:80 -r 192.168.0.1:80 -m 2>&1; $L"
	add-dest-no-service "ipvsadm -a -t 10.9.9.9:80 -r 192.168.0.1:80 -m 2>&1; $L"
	add-dest-bad-weight "ipvsadm -a -t $S:80 -r 192.168.0.9:80 -m -w -1 2>&1; $L"
	add-dest-thresholds-inverted "ipvsadm -a -t $S:80 -r 192.168.0.9:80 -m -x 10 -y 20 2>&1; $L"
	add-dests-udp-fwmark "ipvsadm -a -u $S:53 -r 192.168.0.1:53 -m 2>&1; ipvsadm -a -u $S:53 -r 192.168.0.2 -g -w 2 2>&1; ipvsadm -a -f 7 -r 192.168.0.2 -g -w 5 2>&1; ipvsadm -a -f 7 -r 192.168.0.3 -g 2>&1; $L"
	add-dest-ipv6 "ipvsadm -a -t [2001:db8::1]:80 -r [2001:db8::2]:80 -m -w 2 2>&1; $L"
	add-dest-sctp "ipvsadm -a --sctp-service $S:9999 -r 192.168.0.1:9999 -m 2>&1; $L"
	list-variants "ipvsadm -L -n --thresholds; ipvsadm -L -n --persistent-conn; ipvsadm -L -n -t $S:80; ipvsadm -L -n -u $S:53; ipvsadm -L -n -f 7; ipvsadm -L -n --sort; ipvsadm -L -n --exact --stats"
	list-missing-service "ipvsadm -L -n -t 10.9.9.9:80 2>&1; echo exit=\$?"
	edit-service "ipvsadm -E -t $S:80 -s wlc -p 120 2>&1; $L"
	edit-service-missing "ipvsadm -E -t 10.9.9.9:80 -s rr 2>&1; $L"
	edit-service-bad-scheduler "ipvsadm -E -t $S:80 -s nosuch 2>&1; $L"
	edit-service-nopersist "ipvsadm -E -u $S:53 -s rr 2>&1; $L"
	edit-dest "ipvsadm -e -t $S:80 -r 192.168.0.2:80 -g -w 5 -x 10 -y 5 2>&1; $L"
	edit-dest-method "ipvsadm -e -t $S:80 -r 192.168.0.1:80 -i -w 1 2>&1; $L"
	edit-dest-missing "ipvsadm -e -t $S:80 -r 192.168.0.7:80 -m 2>&1; $L"
	delete-dest "ipvsadm -d -t $S:80 -r 192.168.0.3:8080 2>&1; $L"
	delete-dest-missing "ipvsadm -d -t $S:80 -r 192.168.0.3:8080 2>&1; $L"
	delete-service "ipvsadm -D -f 8 2>&1; $L"
	delete-service-missing "ipvsadm -D -u $S:54 2>&1; $L"
	set-timeouts "ipvsadm --set 100 20 30 2>&1; echo exit=\$?; ipvsadm -L --timeout"
	set-timeouts-keep "ipvsadm --set 0 0 45 2>&1; echo exit=\$?; ipvsadm -L --timeout"
	save "ipvsadm -S -n 2>&1; echo exit=\$?; ipvsadm -S -n > /tmp/saved"
	clear "ipvsadm -C 2>&1; $L"
	restore "ipvsadm -R < /tmp/saved 2>&1; $L; ipvsadm -S -n"
	restore-bad "echo '-A -t $S:80 -s rr' | ipvsadm -R 2>&1; $L"
	zero-service "ipvsadm -Z -t $S:80 2>&1; echo exit=\$?; ipvsadm -L -n --stats"
	zero-missing "ipvsadm -Z -t 10.9.9.9:80 2>&1; echo exit=\$?"
	zero-all "ipvsadm -Z 2>&1; echo exit=\$?; ipvsadm -L -n --stats --exact; ipvsadm -L -n --rate"
	proc-ip_vs "sort_blocks < /proc/net/ip_vs; cat /proc/net/ip_vs_stats"
	daemon-none "ipvsadm -L --daemon 2>&1; echo exit=\$?"
	sysctl-names "ls /proc/sys/net/ipv4/vs/"
	sysctl-values "cd /proc/sys/net/ipv4/vs && for f in *; do printf '%s=' \$f; cat \$f 2>&1 | tr '\n\t' ' '; echo; done"
	bad-usage "ipvsadm -A -t $S:80 -s 2>&1; echo exit=\$?; ipvsadm -a -t $S:80 2>&1; echo exit=\$?; ipvsadm --nosuch 2>&1; echo exit=\$?"
	clear-again "ipvsadm -C 2>&1; $L"
	# traffic through the lab: three closed HTTP connections; counters
	# are read after ip_vs's 2 s estimator tick
	traffic-setup "ipvsadm -A -t $VIP:80 -s rr 2>&1; ipvsadm -a -t $VIP:80 -r 192.168.0.1:80 -m 2>&1; ipvsadm -a -t $VIP:80 -r 192.168.0.2:80 -m -w 2 2>&1; $L"
	traffic-conns "cat /tmp/traffic.out; ipvsadm -L -n -c | mask_conns; ipvsadm -L -n -c --sort 2>&1 | mask_conns"
	traffic-proc-conn "mask_proc_conns < /proc/net/ip_vs_conn"
	traffic-active "ipvsadm -L -n"
	traffic-stats "ipvsadm -L -n --stats --exact | mask_packets"
	traffic-zero "ipvsadm -Z 2>&1; sleep 3; ipvsadm -L -n --stats --exact"
	final-clear "ipvsadm -C 2>&1; $L; ipvsadm -L -n -c | mask_conns"
)
# steps that run on the client, before the step of the same index
TRAFFIC_BEFORE=traffic-conns

# What is not deterministic, and only that, is masked:
# - connection listings: the expiry column (timing), the client's port
#   (chosen by the client's kernel) and so the line order (hash order);
# - packet counters after traffic (see mask_packets);
# - /proc/net/ip_vs: services come in hash-table order, and the kernel's
#   service hash mixes in the address of the network namespace; each
#   service keeps its destination lines, in their order.
mask_conns() {
	sed -E 's/^([A-Z]+ +)[0-9]+:[0-9]+ /\1MM:SS /; s/(81\.57\.54\.254):[0-9]+ +/\1:PORT /' |
		sort_tail 2
}
mask_proc_conns() {
	sed -E 's/^([A-Z]+ [0-9A-F]{8}) [0-9A-F]{4} (.* [A-Z_]+) +[0-9]+/\1 PORT \2 EXP/' |
		sort_tail 1
}
# Per-destination packet and byte counters depend on TCP timing (delayed
# ACKs, FIN piggybacking): only Conns is compared after traffic; the whole
# listing is compared after -Z.
mask_packets() { sed -E 's/^( *\S+ +\S+ +[0-9]+)( +[0-9]+){4}$/\1 (packets masked)/'; }
# sort_tail N: prints the first N lines as they are, sorts the rest
sort_tail() {
	local in
	in=$(cat)
	head -n "$1" <<<"$in"
	tail -n +"$(($1 + 1))" <<<"$in" | sort
}
sort_blocks() {
	local in
	in=$(cat)
	head -n 3 <<<"$in"
	tail -n +4 <<<"$in" | awk '/^  ->/ { blk = blk "\001" $0; next }
		{ if (blk != "") print blk; blk = $0 }
		END { if (blk != "") print blk }' | sort | tr '\001' '\n'
}
export -f mask_conns mask_proc_conns mask_packets sort_tail sort_blocks

traffic() {
	local p
	for _ in 1 2 3; do
		printf 'GET / HTTP/1.0\r\n\r\n' |
			in_ns client timeout 10 nc $VIP 80 2>/dev/null | grep -a '^realserver'
	done > /tmp/traffic.out
	sleep 3
}

record() {
	local lb=$1 dir=$2 i out
	mkdir -p "$dir"
	if ! out=$(lb_load "$lb" 2>&1); then
		fail "load-$lb" "$out"
		return 1
	fi
	pass "load-$lb"
	if ! lab_nat_up > "$dir/lab-up.log" 2>&1; then
		fail "lab-up-$lb" "$(tail -n 3 "$dir/lab-up.log")"
		lab_nat_down
		lb_unload
		return 1
	fi
	for ((i = 0; i < ${#STEPS[@]}; i += 2)); do
		[ "${STEPS[i]}" = "$TRAFFIC_BEFORE" ] && traffic
		in_ns director bash -c "${STEPS[i + 1]}" > "$dir/${STEPS[i]}" 2>&1
		echo "status=$?" >> "$dir/${STEPS[i]}"
	done
	lb_check "$lb" > "$dir/check" 2>&1 || fail "still-$lb" "$(cat "$dir/check")"
	lab_nat_down
	lb_unload || fail "unload-$lb" "module still loaded"
	return 0
}

okA=0
okB=0
record "$A" /tmp/out-A && okA=1
record "$B" /tmp/out-B && okB=1
for ((i = 0; i < ${#STEPS[@]}; i += 2)); do
	s=${STEPS[i]}
	if [ $okA = 0 ] || [ $okB = 0 ]; then
		fail "$s" "no output: balancer $([ $okA = 0 ] && echo "$A" || echo "$B") did not load"
		continue
	fi
	check_same_file "$s" "/tmp/out-A/$s" "/tmp/out-B/$s"
done
if [ $okA = 1 ]; then
	log "outputs on $A:"
	for ((i = 0; i < ${#STEPS[@]}; i += 2)); do
		echo "## ${STEPS[i]}"
		cat "/tmp/out-A/${STEPS[i]}"
	done | quote
fi
finish
