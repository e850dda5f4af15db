#!/bin/bash
# Bad input on the IPVS generic netlink interface: xvs-nltest sends malformed
# and invalid requests (missing or mis-sized attributes, out-of-range values,
# unknown commands, truncated datagrams, ...) and checks each gets the errno
# the kernel's ip_vs answers with and leaves the tables unchanged; then, with
# --unprivileged, that a uid 65534 process gets EPERM for every command;
# and, with --api, that valid requests made through every call of the
# userspace library read back as written.
# The ipvs variant is the control: it must pass against the kernel's ip_vs,
# whose answers the expected values were recorded from.
#
# Argument: the balancer, ipvs (the kernel's ip_vs) or xvs (xvs.ko).
# xvs-timeout: 240
# xvs-variant: ipvs
# xvs-reference: ipvs
# xvs-variant: xvs
. "$(dirname "$0")/lib.sh"

LB=${1:?usage: netlink_badinput.sh ipvs|xvs}

if ! command -v xvs-nltest >/dev/null; then
	fail nltest-binary "xvs-nltest is not in the image (make userspace)"
	finish
fi
if ! out=$(lb_load "$LB" 2>&1); then
	fail load "$out"
	finish
fi
pass load

# run_nltest EXITNAME ARGS...: one result per CASE line of xvs-nltest, plus
# EXITNAME for its exit status (2 = could not even start).
run_nltest() {
	local exitname=$1 out rc line name got want verdict why ncase=0
	local -
	set -f	# CASE lines are split into words, never globbed
	shift
	local args="$*"
	out=$(xvs-nltest "$@" 2>&1)
	rc=$?
	echo "$out" | grep -v '^CASE ' | quote
	while read -r line; do
		# CASE <name> got=<E> want=<E> PASS|FAIL [why...]
		set -- $line
		[ "$1" = CASE ] || continue
		name=$2 got=${3#got=} want=${4#want=} verdict=$5
		shift 5
		why="$*"
		ncase=$((ncase + 1))
		if [ "$verdict" = PASS ]; then
			pass "$name"
		else
			fail "$name" "got $got want $want${why:+: $why}"
		fi
	done <<<"$out"
	if [ "$rc" -eq 0 ] && [ "$ncase" -gt 0 ]; then
		pass "$exitname"
	else
		fail "$exitname" "xvs-nltest $args exited $rc after $ncase case(s)"
	fi
}

# a sync master's interface: multicast and an IPv4 address of global scope
if ip link add nlsync0 type veth peer name nlsync1 &&
	ip addr add 10.251.0.1/24 dev nlsync0 &&
	ip link set nlsync0 up && ip link set nlsync1 up; then
	pass sync-ifn-setup
else
	fail sync-ifn-setup "cannot set up the veth pair nlsync0/nlsync1"
fi
run_nltest nltest-badinput-exit --verbose
run_nltest nltest-unprivileged-exit --unprivileged
# the library's valid requests, read back (what the cases build on)
run_nltest nltest-api-exit --api

# With a sync daemon running, a destination of the other family than its
# service is refused (EINVAL), even a tunnelled one: a sync entry has one
# family.  Stock ipvsadm sends it; the table stays as it was.
svc=10.250.0.1:80
ipvsadm -A -t $svc -s rr
ipvsadm --start-daemon master --mcast-interface nlsync0 --syncid 7
out=$(ipvsadm -a -t $svc -r '[2001:db8::50]:80' -i 2>&1)
rc=$?
check_eq mixed-af-dest-while-syncing-refused \
	"255 Invalid operation.  Possibly wrong module version, address not unicast, ..." \
	"$rc $out"
check_eq mixed-af-dest-while-syncing-table "" "$(ipvsadm -L -n -t $svc | tail -n +5)"
ipvsadm --stop-daemon master
ipvsadm -D -t $svc

check unload lb_unload
finish
