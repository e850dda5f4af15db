#!/bin/bash
# Config-change events (xvs.ko's multicast group xvs_events): two
# `xvsadm --watch` processes, text and JSON, subscribe in a namespace, then
# the stock ipvsadm, another process, changes that namespace's table: add,
# edit and delete a service and a destination, start and stop a sync
# daemon, clear a table with something in it.  Each watcher must print
# exactly those events, each once, in order, with the objects as changed.
# A watcher in the root namespace sees none of them; a uid 65534 process
# is refused the group and prints nothing.  xvsd, managing a service in
# the namespace, tells a change ipvsadm makes behind its back from its own
# and repairs it.  ip_vs has no such group: xvs only.
# xvs-timeout: 120
# xvs-variant: xvs
. "$(dirname "$0")/lib.sh"

NS=evns
SVC=10.99.0.100:80
RS=10.99.0.2:8080
OUT=/tmp/events
WATCH_PIDS=()
XVSD_PID=

stop_watchers() {
	local p
	for p in "${WATCH_PIDS[@]}"; do kill "$p" 2>/dev/null; done
	for p in "${WATCH_PIDS[@]}"; do wait "$p" 2>/dev/null; done
	WATCH_PIDS=()
}

cleanup() {
	stop_watchers
	[ -n "$XVSD_PID" ] && kill "$XVSD_PID" 2>/dev/null && wait "$XVSD_PID" 2>/dev/null
	if [ -f $OUT/passwd.orig ]; then
		cp $OUT/passwd.orig /etc/passwd
		cp $OUT/group.orig /etc/group
	fi
	[ -n "${ROOT_MODE:-}" ] && chmod "$ROOT_MODE" /
	ip netns del $NS 2>/dev/null
}
trap cleanup EXIT

# watch NAME NS|- ARGS...: a watcher in the background, its stdout in
# $OUT/NAME.out and stderr in $OUT/NAME.err; returns once it has joined
# the group (it says so on stderr) or failed.
watch() {
	local name=$1 ns=$2 i
	shift 2
	if [ "$ns" = - ]; then
		xvsadm --watch "$@" > $OUT/$name.out 2> $OUT/$name.err &
	else
		in_ns "$ns" xvsadm --watch "$@" > $OUT/$name.out 2> $OUT/$name.err &
	fi
	WATCH_PIDS+=($!)
	for i in $(seq 100); do
		grep -qs "watching" $OUT/$name.err && return 0
		kill -0 $! 2>/dev/null || break
		sleep 0.1
	done
	return 1
}

lines() { wc -l < "$1" | tr -d ' '; }

if ! command -v xvsadm >/dev/null; then
	fail xvsadm-binary "xvsadm is not in the image (make userspace)"
	finish
fi
if ! out=$(lb_load xvs 2>&1); then
	fail load "$out"
	finish
fi
pass load
mkdir -p $OUT

# The namespace with a link a sync daemon can send on.
ip netns add $NS &&
	in_ns $NS ip link add ev0 type veth peer name ev1 &&
	in_ns $NS ip addr add 10.99.0.1/24 dev ev0 &&
	in_ns $NS ip link set ev0 up &&
	in_ns $NS ip link set ev1 up &&
	in_ns $NS ip link set lo up || { fail netns "setting up $NS failed"; finish; }

ev() { in_ns $NS ipvsadm "$@"; }

check watcher-text-joins watch text $NS
check watcher-json-joins watch json $NS --format json
check watcher-rootns-joins watch root -

# The changes, and the text lines they must give.
P="TCP $SVC scheduler wrr persistent 120 netmask 255.255.255.255"
D="master mcast_interface ev0 syncid 5 sync_maxlen 1472 mcast_group 224.0.0.81 mcast_port 8848 mcast_ttl 1"
cat > $OUT/expected <<EOF
service-new TCP $SVC scheduler rr
service-edit $P
dest-new $P -> $RS masq weight 2 u_threshold 0 l_threshold 0
dest-edit $P -> $RS masq weight 5 u_threshold 100 l_threshold 10
dest-del $P -> $RS masq weight 5 u_threshold 100 l_threshold 10
service-del $P
daemon-new $D
daemon-del $D
service-new TCP $SVC scheduler rr
dest-new TCP $SVC scheduler rr -> $RS masq weight 1 u_threshold 0 l_threshold 0
service-flush
EOF
KINDS="service-new service-edit dest-new dest-edit dest-del service-del daemon-new daemon-del service-new dest-new service-flush"
N=$(lines $OUT/expected)

check add-service ev -A -t $SVC -s rr
check edit-service ev -E -t $SVC -s wrr -p 120
check add-dest ev -a -t $SVC -r $RS -m -w 2
check edit-dest ev -e -t $SVC -r $RS -m -w 5 -x 100 -y 10
check del-dest ev -d -t $SVC -r $RS
check del-service ev -D -t $SVC
check start-daemon ev --start-daemon master --mcast-interface ev0 --syncid 5
check stop-daemon ev --stop-daemon master
# Refused changes announce nothing.
if ev -D -t $SVC 2>/dev/null; then fail refused-del "deleting a missing service succeeded"; fi
check refill ev -A -t $SVC -s rr
check refill-dest ev -a -t $SVC -r $RS -m
if ev -a -t $SVC -r $RS -m 2>/dev/null; then fail refused-add "adding a destination twice succeeded"; fi
check clear ev -C
check cleared-empty [ -z "$(ev -Ln | tail -n +4)" ]

# Wait for the last event, then a moment for any that should not come.
settled 15 "$N" lines $OUT/text.out >/dev/null
settled 15 "$N" lines $OUT/json.out >/dev/null
sleep 1
stop_watchers

check_same_file text-events-in-order $OUT/expected $OUT/text.out
got=$(grep -o '"event": "[a-z-]*"' $OUT/json.out | sed 's/.*: "//; s/"$//' | tr '\n' ' ')
check_eq json-events-in-order "$KINDS " "$got"
check_eq json-one-line-each "$N" "$(lines $OUT/json.out)"
check_eq json-format-tag "$N" "$(grep -c '^{"format": "xvsadm-event-1", "event": ' $OUT/json.out)"
# The objects as the listing's JSON shows them.
check json-dest-edit-object grep -q '"event": "dest-edit".*"service": {"family": "inet", "fwmark": null, "protocol": "TCP", "address": "10.99.0.100", "port": 80, "scheduler": "wrr".*"destination": {"family": "inet", "address": "10.99.0.2", "port": 8080, "forward": "masq", "weight": 5, "u_threshold": 100, "l_threshold": 10' $OUT/json.out
check json-daemon-object grep -q '"event": "daemon-new".*"daemon": {"state": "master", "mcast_interface": "ev0", "syncid": 5' $OUT/json.out
# The changes came from ipvsadm's sockets, never port 0 (the kernel).
check_eq json-portids-set 0 "$(grep -c '"portid": 0,' $OUT/json.out)"
check_eq rootns-sees-nothing "" "$(cat $OUT/root.out)"

# A non-admin subscriber: refused at the join, nothing on its stdout even
# while changes happen.
cp /etc/passwd $OUT/passwd.orig
cp /etc/group $OUT/group.orig
echo "nobody:x:65534:65534:nobody:/:/bin/sh" >> /etc/passwd
echo "nogroup:x:65534:" >> /etc/group
# The initramfs's root directory is 0700 (its staging directory's mode):
# others could run nothing at all.
ROOT_MODE=$(stat -c %a /)
chmod 755 /
XVSADM=$(command -v xvsadm)
as_nobody() { in_ns $NS su -s /bin/sh nobody -c "$*"; }
# The mechanism itself: a process of uid 65534 that can run xvsadm.
check_eq nonadmin-uid 65534 "$(as_nobody id -u 2>&1)"
as_nobody "exec timeout 10 $XVSADM --watch" > $OUT/nobody.out 2> $OUT/nobody.err &
NOBODY_PID=$!
ev -A -t $SVC -s rr
ev -D -t $SVC
wait $NOBODY_PID
rc=$?
check_eq nonadmin-exit-status 1 "$rc"
if grep -q "cannot watch events: joining .*Operation not permitted" $OUT/nobody.err; then
	pass nonadmin-eperm
else
	fail nonadmin-eperm "no EPERM at the join"
	quote < $OUT/nobody.err
fi
check_eq nonadmin-gets-nothing "" "$(cat $OUT/nobody.out)"

# xvsd: its own changes are its own; one by ipvsadm is noticed (logged
# with what changed) and undone.
XSVC=10.99.1.100:80
cat > $OUT/ldirectord.cf <<EOF
checkinterval=30
quiescent=no
virtual=$XSVC
	real=$RS masq 3
	scheduler=rr
	protocol=tcp
	checktype=on
EOF
in_ns $NS xvsd -H -c $OUT/ldirectord.cf -s $OUT/xvsd.sock </dev/null > $OUT/xvsd.log 2>&1 &
XVSD_PID=$!
managed() { ev -Ln -t $XSVC 2>/dev/null | awk '$1 == "->" && $2 ~ /^[0-9]/ { print $2, $3, $4 }'; }
nfail=$XVS_NFAIL
check_eq xvsd-installs "$RS Masq 3" "$(settled 15 "$RS Masq 3" managed)"
check xvsd-subscribed grep -q "watching the IPVS table's config-change events" $OUT/xvsd.log
sleep 1		# a round or two of its own with the table as wanted
check_eq xvsd-own-changes-not-foreign 0 "$(grep -c 'changed by another process' $OUT/xvsd.log)"
ev -d -t $XSVC -r $RS
check_eq xvsd-repairs "$RS Masq 3" "$(settled 10 "$RS Masq 3" managed)"
check xvsd-logs-foreign-change grep -q "IPVS table changed by another process: dest-del TCP $XSVC -> $RS" $OUT/xvsd.log
check_eq xvsd-one-foreign-change 1 "$(grep -c 'changed by another process' $OUT/xvsd.log)"
[ $XVS_NFAIL -gt $nfail ] && quote < $OUT/xvsd.log

finish
