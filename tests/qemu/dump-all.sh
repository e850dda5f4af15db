#!/bin/bash
# The one-request listing (XVS_CMD_GET_ALL): 1,000 services of every kind
# (TCP, UDP, fwmark, IPv6; persistent or not; with four destinations of
# mixed forwarding methods, or none) loaded with `ipvsadm -R`, then listed
# by stock ipvsadm, by xvsadm (one dump on xvs.ko; the per-service
# GET_DEST fallback on ip_vs) and by xvsadm forced onto the per-service
# requests (XVS_LIST_PER_SERVICE): the outputs must be byte for byte the
# same.  xvsadm's request counter (XVS_COUNT_REQUESTS) shows that the
# listing takes a few requests on xvs and one per service otherwise.  While
# a service comes and goes, listings stay whole (an interrupted dump is
# read again): no service of the table is lost or repeated.
#
# Arguments: the balancer, ipvs or xvs.  ip_vs lacks the extension: that
# variant checks the fallback.
# xvs-timeout: 300
# xvs-variant: ipvs
# xvs-variant: xvs
# xvs-reference: ipvs
# xvs-reference-inputs: userspace/lib userspace/xvsadm userspace/CMakeLists.txt CMakeLists.txt
. "$(dirname "$0")/lib.sh"

LB=${1:?usage: dump-all.sh ipvs|xvs}
NSVC=1000
W=/tmp/dump-all
mkdir -p $W

command -v xvsadm >/dev/null || { fail xvsadm-binary "xvsadm is not in the image"; finish; }
if ! out=$(lb_load "$LB" 2>&1); then
	fail load "$out"
	finish
fi
pass load

# NSVC services: kinds in turn, every tenth without destinations.
table_rules() {
	awk -v n="$1" 'BEGIN {
		for (i = 0; i < n; i++) {
			b = int(i / 256) % 256; c = i % 256
			k = i % 4
			if (k == 0) {
				svc = sprintf("-t 10.100.%d.%d:80", b, c)
				printf "-A %s -s rr\n", svc
			} else if (k == 1) {
				svc = sprintf("-u 10.101.%d.%d:53", b, c)
				printf "-A %s -s wlc -p 300\n", svc
			} else if (k == 2) {
				svc = sprintf("-f %d", i + 1)
				printf "-A %s -s sh\n", svc
			} else {
				svc = sprintf("-t [2001:db8::%x]:443", i + 1)
				printf "-A %s -s wrr\n", svc
			}
			if (i % 10 == 9)
				continue
			for (d = 1; d <= 4; d++) {
				if (k == 3)
					rs = sprintf("[2001:db8:1::%x]:8080", i * 4 + d)
				else
					rs = sprintf("172.16.%d.%d:8080", (i * 4 + d) % 250, d)
				m = (k == 2) ? "-g" : (d == 3 ? "-i" : "-m")
				printf "-a %s -r %s %s -w %d\n", svc, rs, m, (d + i) % 5
			}
		}
	}'
}

table_rules $NSVC > $W/table.rules
log "$(wc -l < $W/table.rules) lines"
ipvsadm -R < $W/table.rules
check_eq restore-rc 0 "$?"
check_eq services-loaded $NSVC "$(ipvsadm -L -n | grep -cE '^(TCP|UDP|FWM) ')"

# The same listing three ways, -L and -S; the counters' layout once more
# on xvs (listings of 1,000 services one request each are slow under TCG).
for f in "-L -n" "-S -n"; do
	name=$(echo "$f" | tr -d ' -')
	ipvsadm $f > $W/$name.ipvsadm 2>&1
	xvsadm $f > $W/$name.xvsadm 2>&1
	XVS_LIST_PER_SERVICE=1 xvsadm $f > $W/$name.per-service 2>&1
	check_same_file "$name-xvsadm" $W/$name.ipvsadm $W/$name.xvsadm
	check_same_file "$name-per-service" $W/$name.ipvsadm $W/$name.per-service
done
if [ "$LB" = xvs ]; then
	ipvsadm -L -n --stats --exact > $W/stats.ipvsadm 2>&1
	xvsadm -L -n --stats --exact > $W/stats.xvsadm 2>&1
	check_same_file stats-xvsadm $W/stats.ipvsadm $W/stats.xvsadm
fi

# requests COMMAND...: netlink requests xvsadm sent for COMMAND
requests() {
	XVS_COUNT_REQUESTS=1 "$@" 2>&1 >/dev/null |
		sed -n 's/^xvsadm: \([0-9]*\) netlink requests$/\1/p'
}
one=$(requests xvsadm -L -n)
per=$(requests env XVS_LIST_PER_SERVICE=1 xvsadm -L -n)
apply=$(requests xvsadm apply $W/table.rules)
log "xvsadm -L -n: $one requests; per service: $per; apply (no change): $apply"
# GET_INFO, then GET_SERVICE plus one GET_DEST per service ...
check per-service-requests test "${per:-0}" -ge $((NSVC + 1))
if [ "$LB" = xvs ]; then
	# ... or GET_INFO and one dump.
	check one-request test "${one:-99}" -le 3
	check apply-requests test "${apply:-99}" -le 3
else
	# ip_vs refuses XVS_CMD_GET_ALL once, then per service.
	check_eq fallback-requests $((per + 1)) "$one"
	check apply-fallback-requests test "${apply:-0}" -ge $((NSVC + 1))
fi

# A service that comes and goes while the table is listed: each listing
# is the table, with or without it, never with a service lost or repeated.
# (Only xvs.ko promises that: ip_vs's dumps resume by position, as its
# GET_SERVICE dump still does on xvs.ko, so a deletion between two parts of
# a dump can hide a service from ipvsadm.)
if [ "$LB" != xvs ]; then
	ipvsadm -C
	lb_unload
	finish
fi
FLAP=10.99.0.1:80
ipvsadm -L -n > $W/still.ref
# The pause between changes is longer than a dump, so that a dump a change
# interrupts (more than 2 requests in the log) is read again whole rather
# than given up for the per-service requests after 8 attempts.
( while :; do ipvsadm -A -t $FLAP; sleep 0.5; ipvsadm -D -t $FLAP; sleep 0.5; done ) 2>/dev/null &
flapper=$!
whole=0
for i in 1 2 3 4 5; do
	t0=$(awk '{ printf "%d\n", $1 * 1000 }' /proc/uptime)
	XVS_COUNT_REQUESTS=1 xvsadm -L -n 2>$W/flap.err.$i |
		grep -vF "TCP  $FLAP " > $W/flap.$i
	t1=$(awk '{ printf "%d\n", $1 * 1000 }' /proc/uptime)
	log "listing $i while changing: $(cat $W/flap.err.$i), $((t1 - t0)) ms"
	cmp -s $W/still.ref $W/flap.$i && whole=$((whole + 1))
done
kill $flapper
wait $flapper 2>/dev/null
ipvsadm -D -t $FLAP 2>/dev/null
check_eq listings-whole-while-changing 5 "$whole"
[ "$whole" = 5 ] || diff -u $W/still.ref $W/flap.1 | head -20 | quote

ipvsadm -C
lb_unload
finish
