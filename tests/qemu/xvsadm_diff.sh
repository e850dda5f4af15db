#!/bin/bash
# Differential test of xvsadm against the stock ipvsadm 1.31, on the same
# kernel state:
#  1. argument vectors (tests/qemu/xvsadm_args.txt, ~1200 of them, made by
#     userspace/xvsadm/tests/gen_args.py): each is run once with ipvsadm and
#     once with xvsadm, from the same base table; standard output, standard
#     error, exit status and the resulting table must be identical;
#  2. -R streams (odd blanks, comments, "ipvsadm" words, errors midway);
#  3. a rich configuration (every scheduler, every forwarding method,
#     persistence with netmasks, fwmarks, IPv6, SCTP, thresholds, tunnel
#     options, scheduler flags, both sync daemons, names from /etc/hosts) is
#     built once with ipvsadm and once with xvsadm; the tables must be the
#     same, and every listing mode of both tools must print the same bytes;
#  4. -S / -R round trips and interchange between the two tools;
#  5. live traffic through the NAT lab: --stats, --rate, --exact and -c
#     listings compared with counters and connections present.
# Both tools run as argv[0] "ipvsadm" so usage texts can be compared.
#
# Arguments: the balancer, ipvs (the kernel's ip_vs) or xvs (xvs.ko); then
# optionally the parts to run (args or args-full, restore, rich, roundtrip,
# live, golden; default: args restore rich roundtrip live).
# xvs-timeout: 1500
# xvs-variant: ipvs
# xvs-variant: xvs
# xvs-reference: ipvs
# xvs-reference-inputs: userspace/lib userspace/xvsadm userspace/CMakeLists.txt CMakeLists.txt tests/qemu/xvsadm_args.txt
. "$(dirname "$0")/lib.sh"

LB=${1:?usage: xvsadm_diff.sh ipvs|xvs [PART...]}
shift
PARTS=" ${*:-args restore rich roundtrip live} "
# The args part runs every ARGS_STEP-th vector (all of them with args-full);
# every vector is also checked on the host against recorded ipvsadm answers
# (userspace/xvsadm/tests/golden_test.cpp), this part re-checks a sample
# end to end with the kernel.
ARGS_STEP=3
[[ $PARTS == *" args-full "* ]] && { PARTS="$PARTS args "; ARGS_STEP=1; }
want() { [[ $PARTS == *" $1 "* ]]; }
ARGS_FILE=$(dirname "$0")/xvsadm_args.txt
W=/tmp/xvsadm-diff
mkdir -p $W

XVSADM=$(command -v xvsadm) || { fail xvsadm-binary "xvsadm is not in the image"; finish; }
IPVSADM=$(command -v ipvsadm)
if ! out=$(lb_load "$LB" 2>&1); then
	fail load "$out"
	finish
fi
pass load

# bash's <(...) needs /dev/fd, which the VM's devtmpfs lacks
[ -e /dev/fd ] || ln -s /proc/self/fd /dev/fd

# Deterministic name resolution for both tools: files only.
echo "hosts: files" > /etc/nsswitch.conf
echo "services: files" >> /etc/nsswitch.conf
cat >> /etc/hosts <<'EOF'
10.0.0.1 vip1.example
10.0.1.1 rs1.example
10.1.0.1 web.example
10.1.0.50 a-very-long-host-name-for-column-truncation.example.org
10.2.0.7 tunnel-endpoint-with-a-long-name.example.net
2001:db8::1 vip6.example
2001:db8::10 rs6.example
EOF

# tool NAME ARGS...: runs ipvsadm or xvsadm as "ipvsadm"
tool() {
	local t=$1
	shift
	case $t in
	ipvsadm) (exec -a ipvsadm "$IPVSADM" "$@") ;;
	xvsadm) (exec -a ipvsadm "$XVSADM" "$@") ;;
	esac
}

# The whole kernel-visible state, as ipvsadm shows it (one process: the
# listing commands go through ipvsadm -R).
state() {
	printf '%s\n' "-S -n" "-L -n --thresholds" "-L -n --tun-info" \
		"-L --daemon" "-L --timeout" | "$IPVSADM" -R 2>&1
}

BASE_RULES='-A -t 10.0.0.1:80 -s rr
-a -t 10.0.0.1:80 -r 10.0.1.1:80 -m -w 2
-A -u 10.0.0.1:53 -s wlc
-A -f 7 -s sh -b sh-port
-A -t [2001:db8::1]:443 -s lc -p 600 -M 64
-a -t [2001:db8::1]:443 -r [2001:db8::10]:443 -m -w 1'

reset_base() {
	{
		printf '%s\n' -C "--stop-daemon master" "--stop-daemon backup" \
			"--set 900 120 300"
		echo "$BASE_RULES"
	} | "$IPVSADM" -R 2>/dev/null
}

reset_base
state > $W/base.state

# --- 1. argument vectors ---------------------------------------------------
if want args; then
n=0 nfail=0 ntested=0
base_state=$(<$W/base.state)
declare -A RC OUT ERR ST
while IFS= read -r line; do
	[ -z "$line" ] && continue
	n=$((n + 1))
	[ $((n % ARGS_STEP)) = 0 ] || continue
	ntested=$((ntested + 1))
	[ $((ntested % 100)) = 0 ] && log "args: $ntested vectors done, $nfail differ"
	eval "args=($line)"
	for t in ipvsadm xvsadm; do
		tool $t "${args[@]}" > $W/$t.out 2> $W/$t.err < /dev/null
		RC[$t]=$?
		# (read -d '' keeps trailing newlines, and forks nothing)
		IFS= read -r -d '' "OUT[$t]" < $W/$t.out
		IFS= read -r -d '' "ERR[$t]" < $W/$t.err
		# A refused single command leaves the kernel as it was; only
		# accepted ones are checked (and undone).
		ST[$t]=$base_state
		if [ "${RC[$t]}" = 0 ] || [ "${RC[ipvsadm]}" != "${RC[$t]}" ]; then
			ST[$t]=$(state)
			[ "${ST[$t]}" = "$base_state" ] || reset_base
		fi
	done
	bad=
	[ "${RC[ipvsadm]}" = "${RC[xvsadm]}" ] || bad="$bad rc(${RC[ipvsadm]}/${RC[xvsadm]})"
	[ "${OUT[ipvsadm]}" = "${OUT[xvsadm]}" ] || bad="$bad out"
	[ "${ERR[ipvsadm]}" = "${ERR[xvsadm]}" ] || bad="$bad err"
	[ "${ST[ipvsadm]}" = "${ST[xvsadm]}" ] || bad="$bad state"
	if [ -n "$bad" ]; then
		nfail=$((nfail + 1))
		fail "args-$n" "ipvsadm $line: differs in$bad"
		for f in out err; do
			cmp -s $W/ipvsadm.$f $W/xvsadm.$f ||
				diff -u $W/ipvsadm.$f $W/xvsadm.$f | head -20 | quote
		done
		[ "${ST[ipvsadm]}" = "${ST[xvsadm]}" ] ||
			diff -u <(echo "${ST[ipvsadm]}") <(echo "${ST[xvsadm]}") | head -20 | quote
	fi
done < "$ARGS_FILE"
if [ "$nfail" = 0 ] && [ "$ntested" -gt 300 ]; then
	pass "args-$ntested-vectors"
else
	fail args "$nfail of $ntested vectors differ"
fi
fi

# --- golden: ipvsadm's answers for the host unit test -----------------------
# (not a test: prints XVS-GOLDEN lines that userspace/xvsadm/tests/data/
# args.golden is made from; run with the part "golden".)
if want golden; then
# keep kernel messages from splitting XVS-GOLDEN lines on the console
read -r printk_level _ < /proc/sys/kernel/printk
echo 1 > /proc/sys/kernel/printk
reset_base
base_state=$(<$W/base.state)
n=0
while IFS= read -r line; do
	[ -z "$line" ] && continue
	n=$((n + 1))
	eval "args=($line)"
	tool ipvsadm "${args[@]}" > $W/g.out 2> $W/g.err < /dev/null
	rc=$?
	# %q quoting is a bash builtin: no process per vector
	IFS= read -r -d '' o < $W/g.out
	IFS= read -r -d '' e < $W/g.err
	printf 'XVS-GOLDEN %s %s %q %q\n' "$n" "$rc" "$o" "$e"
	if [ $rc = 0 ]; then
		[ "$(state)" = "$base_state" ] || reset_base
	fi
done < "$ARGS_FILE"
echo "$printk_level" > /proc/sys/kernel/printk
fi

# --- 2. restore streams ----------------------------------------------------
restore_case() { # NAME: stdin from $W/in
	local name=$1 t
	for t in ipvsadm xvsadm; do
		reset_base
		"$IPVSADM" -C
		tool $t -R < $W/in > $W/$t.out 2> $W/$t.err
		echo "rc=$?" >> $W/$t.err
		state > $W/$t.state
	done
	local bad= f
	for f in out err state; do
		cmp -s $W/ipvsadm.$f $W/xvsadm.$f || bad="$bad $f"
	done
	if [ -z "$bad" ]; then
		pass "restore-$name"
	else
		fail "restore-$name" "differs in$bad"
		for f in $bad; do diff -u $W/ipvsadm.$f $W/xvsadm.$f | head -20 | quote; done
	fi
}
if want restore; then
printf -- '-A -t 10.9.0.1:80 -s rr\n-a -t 10.9.0.1:80 -r 10.9.1.1 -m\n' > $W/in
restore_case plain
printf -- 'ipvsadm -A -t 10.9.0.1:80\n\n   \n\t-a\t-t 10.9.0.1:80   -r 10.9.1.1:80 -m -w 3 \r\n' > $W/in
restore_case blanks
printf -- '-A -t 10.9.0.1:80\n# a comment\n-A -t 10.9.0.2:80 # trailing\n' > $W/in
restore_case comments
printf -- '-A -t 10.9.0.1:80\n-A -t 10.9.0.1:80\n-A -t 10.9.0.3:80\n' > $W/in
restore_case kernel-error-midway
printf -- '-A -t 10.9.0.1:80\n-A -t 10.9.0.1:80\n' > $W/in
restore_case kernel-error-last
printf -- '-A -t 10.9.0.1:80\n-A -t 10.9.0.2:80 -w 3\n-A -t 10.9.0.3:80\n' > $W/in
restore_case parse-error-midway
printf -- '-A -t 10.9.0.1:80\n--bogus\n-A -t 10.9.0.3:80\n' > $W/in
restore_case popt-error-midway
printf -- '-A -t 10.9.0.1:80\n-R\n-A -t 10.9.0.3:80\n' > $W/in
restore_case nested-restore
printf -- '-A -t 10.9.0.1:80\n-L -n\n-S\n--set 10 20 30\n-L --timeout\n-h\n-A -t 10.9.0.4:80\n' > $W/in
restore_case list-and-help
printf -- '-A -t 10.9.0.1:80\n-A -t 10.9.0.2:80' > $W/in
restore_case no-final-newline
printf -- '-A -t 10.9.0.1:80\n-A -t 10.9.0.2:80  ' > $W/in
restore_case no-final-newline-blank
printf -- 'ipvsadm\nipvsadm ipvsadm -A -t 10.9.0.5:80\n' > $W/in
restore_case ipvsadm-words
: > $W/in
restore_case empty
fi

# --- 3. the rich configuration -------------------------------------------
RICH='-C
--set 1000 100 200
-A -t 10.1.0.1:80 -s rr
-a -t 10.1.0.1:80 -r 10.3.0.1:8080 -m -w 1
-a -t 10.1.0.1:80 -r 10.3.0.2:8080 -m -w 0 -x 100 -y 50
-a -t 10.1.0.1:80 -r 200.3.0.3:8080 -m -w 5
-a -t 10.1.0.1:80 -r 130.3.0.4:80 -g -w 7
-a -t 10.1.0.1:80 -r 10.3.0.1:81 -m -w 2
-A -t 10.1.0.1:443 -s wrr -p 300 -M 255.255.255.0
-a -t 10.1.0.1:443 -r 10.3.0.1 -g -w 3 -x 2000 -y 1000
-a -t 10.1.0.1:443 -r 10.3.0.2 -i -w 4
-a -t 10.1.0.1:443 -r 10.2.0.7 -i --tun-type gue --tun-port 6080 --tun-csum
-a -t 10.1.0.1:443 -r 10.2.0.8 -i --tun-type gue --tun-port 6081 --tun-remcsum
-a -t 10.1.0.1:443 -r 10.2.0.9 -i --tun-type gre --tun-nocsum
-a -t 10.1.0.1:443 -r 10.2.0.10 -i --tun-type gre --tun-csum
-a -t 10.1.0.1:443 -r 10.2.0.11 -i --tun-type ipip
-A -u 10.1.0.1:53 -s lc -o
-a -u 10.1.0.1:53 -r 10.3.0.5:5353 -m
-A -u 10.1.0.2:5060 -s wlc -p 60 --pe sip
-a -u 10.1.0.2:5060 -r 10.3.0.6 -g
-A -t 10.1.0.3:80 -s lblc
-A -t 10.1.0.4:80 -s lblcr -p
-A -t 10.1.0.5:80 -s dh
-A -t 10.1.0.6:80 -s sh -b sh-fallback,sh-port
-A -t 10.1.0.7:80 -s sed
-A -t 10.1.0.8:80 -s nq
-A -t 10.1.0.9:80 -s fo
-a -t 10.1.0.9:80 -r 10.3.0.9 -g -w 10
-A -t 10.1.0.10:80 -s ovf
-A -t 10.1.0.11:80 -s mh -b mh-fallback,mh-port
-A -t 10.1.0.12:80 -s rr -b flag-3
-A -t 200.1.0.1:80 -s rr
-A -t 130.1.0.1:80 -s rr
-A -t 10.1.0.50:8080 -s rr
-a -t 10.1.0.50:8080 -r 10.1.0.50:8080 -m
-A -t 10.1.0.1:0 -s rr -p 1800 -M 255.255.0.0
-A -f 1 -s rr
-a -f 1 -r 10.3.0.7 -g
-a -f 1 -r 10.3.0.8:99 -m
-A -f 2 -6 -s wrr -p 100 -M 64
-a -f 2 -6 -r 2001:db8::20 -g
-A -f 4294967295 -s rr
-A -f 2147483648 -s rr
-A -t [2001:db8::1]:80 -s rr
-a -t [2001:db8::1]:80 -r [2001:db8::10]:8080 -m -w 2
-a -t [2001:db8::1]:80 -r 2001:db8::11 -g
-a -t [2001:db8::1]:80 -r 2001:db8:ffff::11 -g
-a -t [2001:db8::1]:80 -r 10.2.0.7 -i --tun-type gue --tun-port 7000 --tun-nocsum
-A -u [2001:db8::2]:53 -s sh -p 30 -M 48
-A --sctp-service 10.1.0.20:9000 -s rr
-a --sctp-service 10.1.0.20:9000 -r 10.3.0.20 -g
-A -t vip1.example:http -s wlc
-a -t vip1.example:http -r rs1.example:http -m'

# xvs.ko has neither the SIP persistence engine nor connection
# synchronisation yet (both belong to the data-plane issue): on xvs the rich
# table goes without its --pe sip service and the daemon checks are left
# out, and the result says so.  The ipvs variant checks xvsadm's side of
# both against the kernel's IPVS.
if [ "$LB" = xvs ]; then
	RICH=$(grep -v -- '--pe sip' <<< "$RICH" | grep -v -- '^-a -u 10.1.0.2:5060 ')
	log "xvs: no SIP engine and no sync daemon yet; those checks are not run"
fi

# The kernel refuses sync daemons while a service has real servers of the
# other address family, so they are checked on their own.
DAEMONS='--start-daemon master --mcast-interface xvsd0 --syncid 7 --mcast-group 224.0.0.99 --mcast-port 9000 --mcast-ttl 2 --sync-maxlen 1200
--start-daemon backup --mcast-interface xvsd1 --syncid 8 --mcast-group ff02::42 --mcast-port 9001'

# the sync daemons need multicast-capable interfaces
ip link add xvsd0 type veth peer name xvsd1
ip link set xvsd0 up
ip link set xvsd1 up

build_rich() { # TOOL: prints failures
	local t=$1 line
	"$IPVSADM" --stop-daemon master >/dev/null 2>&1
	"$IPVSADM" --stop-daemon backup >/dev/null 2>&1
	while IFS= read -r line; do
		# shellcheck disable=SC2086
		out=$(tool $t $line 2>&1) || echo "$t $line: $out"
	done <<< "$RICH"
}

LIST_MODES=(
	"" "-L" "-l" "-L -n" "-L -n --nosort" "-L --sort -n" "-L -n --stats"
	"-L --stats" "-L -n --stats --exact" "-L -n --rate" "-L -n --rate --exact"
	"-L -n --thresholds" "-L --thresholds" "-L -n --persistent-conn"
	"-L -n --tun-info" "-L --tun-info" "-L -n --exact" "-S" "-S -n"
	"-L --timeout" "-L --daemon" "-L -n -c" "-L -c" "-L -c --persistent-conn"
	"-L -n -t 10.1.0.1:443" "-L -t 10.1.0.1:80" "-L -n -u 10.1.0.1:53 --stats"
	"-L -n -f 1" "-L -n -f 2 -6" "-L -n -t [2001:db8::1]:80 --tun-info"
	"-L -n -t 10.1.0.1:443 --tun-info" "-L -f 4294967295" "-L -t 10.1.0.99:80"
	"-L -n --sctp-service 10.1.0.20:9000 --thresholds"
)

compare_listings() { # TAG
	local tag=$1 m i=0
	for m in "${LIST_MODES[@]}"; do
		i=$((i + 1))
		# shellcheck disable=SC2086
		tool ipvsadm $m > $W/l.ipvsadm.out 2> $W/l.ipvsadm.err
		echo "rc=$?" >> $W/l.ipvsadm.err
		# shellcheck disable=SC2086
		tool xvsadm $m > $W/l.xvsadm.out 2> $W/l.xvsadm.err
		echo "rc=$?" >> $W/l.xvsadm.err
		if cmp -s $W/l.ipvsadm.out $W/l.xvsadm.out &&
		   cmp -s $W/l.ipvsadm.err $W/l.xvsadm.err; then
			pass "$tag-list-$i"
		else
			fail "$tag-list-$i" "'$m' differs"
			diff -u $W/l.ipvsadm.out $W/l.xvsadm.out | head -30 | quote
			diff -u $W/l.ipvsadm.err $W/l.xvsadm.err | head -10 | quote
		fi
	done
}

if want rich || want roundtrip; then
errs=$(build_rich ipvsadm)
if [ -z "$errs" ]; then pass rich-build-ipvsadm; else fail rich-build-ipvsadm "see below"; echo "$errs" | quote; fi
state > $W/rich.ipvsadm.state
compare_listings rich-by-ipvsadm

errs=$(build_rich xvsadm)
if [ -z "$errs" ]; then pass rich-build-xvsadm; else fail rich-build-xvsadm "see below"; echo "$errs" | quote; fi
state > $W/rich.xvsadm.state
check_same_file rich-same-table $W/rich.ipvsadm.state $W/rich.xvsadm.state
compare_listings rich-by-xvsadm

for t in ipvsadm xvsadm; do
	[ "$LB" = xvs ] && break
	"$IPVSADM" -C
	"$IPVSADM" --stop-daemon master >/dev/null 2>&1
	"$IPVSADM" --stop-daemon backup >/dev/null 2>&1
	errs=
	while IFS= read -r line; do
		# shellcheck disable=SC2086
		out=$(tool $t $line 2>&1) || errs="$errs$t $line: $out;"
	done <<< "$DAEMONS"
	check_eq "daemons-start-$t" "" "$errs"
	"$IPVSADM" -L --daemon > $W/daemons.$t
	for m in "-L --daemon" "-L -n --daemon" "--list --daemon"; do
		# shellcheck disable=SC2086
		tool ipvsadm $m > $W/d.a 2>&1
		# shellcheck disable=SC2086
		tool xvsadm $m > $W/d.b 2>&1
		check_same_file "daemons-by-$t-list-${m// /_}" $W/d.a $W/d.b
	done
	"$IPVSADM" --stop-daemon master >/dev/null 2>&1
	"$IPVSADM" --stop-daemon backup >/dev/null 2>&1
	out=$(tool $t --stop-daemon master 2>&1; echo "rc=$?")
	check_eq "daemons-stop-again-$t" "No daemon is running
rc=255" "$out"
done
[ "$LB" = xvs ] || check_same_file daemons-same-state $W/daemons.ipvsadm $W/daemons.xvsadm
build_rich ipvsadm > /dev/null

# --- 4. save / restore round trips -------------------------------------------
# -S prints fwmarks above 2^31-1 as negative numbers (printf %d), which
# neither ipvsadm nor xvsadm can read back: those two leave the table first.
# Likewise names longer than ipvsadm's 59-character buffer are cut in -S
# output without -n.
"$IPVSADM" -D -f 4294967295
"$IPVSADM" -D -f 2147483648
"$IPVSADM" -D -t 10.1.0.50:8080
# and IPv6 host names: ipvsadm reads names back as IPv4 hosts only.
sed -i '/::/d' /etc/hosts
"$IPVSADM" -S -n | sort > $W/rich.canon
for combo in "xvsadm xvsadm -n" "xvsadm xvsadm" "ipvsadm xvsadm -n" "xvsadm ipvsadm -n"; do
	set -- $combo
	saver=$1 restorer=$2 nflag=${3:-}
	# shellcheck disable=SC2086
	tool $saver -S $nflag > $W/saved
	# (sorted: ipvsadm's order depends on the kernel's hash chains, which
	# a flush and reload can reorder; the lines themselves must match)
	"$IPVSADM" -S -n | sort > $W/before
	"$IPVSADM" -C
	tool $restorer -R < $W/saved > $W/restore.out 2>&1
	rc=$?
	"$IPVSADM" -S -n | sort > $W/after
	if [ $rc = 0 ] && cmp -s $W/before $W/after; then
		pass "roundtrip-$saver-S$nflag-$restorer-R"
	else
		fail "roundtrip-$saver-S$nflag-$restorer-R" "rc=$rc"
		diff -u $W/before $W/after | head -20 | quote
		quote < $W/restore.out
	fi
done
# (-S keeps no thresholds: that is the format, for both tools)
"$IPVSADM" -S -n | sort > $W/now.canon
check_same_file roundtrip-state-kept $W/rich.canon $W/now.canon

# apply: the rich table from its -S form and from the JSON listing
"$IPVSADM" -S -n > $W/rich.save
sort $W/rich.save > $W/rich.sorted
"$XVSADM" -L --format json > $W/rich.json
out=$("$XVSADM" apply --dry-run $W/rich.save 2>&1)
check_eq apply-save-noop "" "$out"
out=$("$XVSADM" apply --dry-run $W/rich.json 2>&1)
check_eq apply-json-noop "" "$out"
"$IPVSADM" -C
out=$("$XVSADM" apply $W/rich.save 2>&1)
check_eq apply-from-empty-rc "" "$out"
"$IPVSADM" -S -n | sort > $W/now.save
check_same_file apply-from-empty-table $W/rich.sorted $W/now.save
"$IPVSADM" -C
"$IPVSADM" -A -t 10.1.0.1:80 -s wrr
"$IPVSADM" -a -t 10.1.0.1:80 -r 10.3.0.1:8080 -m -w 9
"$IPVSADM" -a -t 10.1.0.1:80 -r 10.99.0.1:80 -m
"$IPVSADM" -A -t 10.99.0.1:80
out=$("$XVSADM" apply $W/rich.json 2>&1)
check_eq apply-json-from-other-rc "" "$out"
"$IPVSADM" -S -n | sort > $W/now.save
check_same_file apply-json-from-other-table $W/rich.sorted $W/now.save
out=$("$XVSADM" apply --dry-run $W/rich.json 2>&1)
check_eq apply-json-idempotent "" "$out"
printf -- '-A -t 10.7.0.1:80\n-a -t 10.7.0.1:80 -r 10.7.0.2 -w 2147483648\n' > $W/bad.rules
"$IPVSADM" -S -n > $W/before-bad
out=$("$XVSADM" apply $W/bad.rules 2>&1)
check_eq apply-invalid-message "xvsadm apply: $W/bad.rules:2: illegal weight specified" "$out"
"$IPVSADM" -S -n > $W/now.save
check_same_file apply-invalid-nothing-applied $W/before-bad $W/now.save
# a kernel refusal inside a batch: reported, the rest still applied
"$IPVSADM" -C
printf -- '-A -t 10.8.0.1:80 -s nosuchsched\n-A -t 10.8.0.2:80 -s rr\n-a -t 10.8.0.2:80 -r 10.8.1.1 -m\n-A -t 10.8.0.3:80 -s nosuchsched\n' > $W/bad2.rules
out=$("$XVSADM" apply $W/bad2.rules 2>&1; echo "rc=$?")
check_eq apply-kernel-error "xvsadm apply: -A -t 10.8.0.1:80 -s nosuchsched: Scheduler or persistence engine not found
xvsadm apply: -A -t 10.8.0.3:80 -s nosuchsched: Scheduler or persistence engine not found
rc=1" "$out"
out=$("$IPVSADM" -S -n | tr '\n' '|')
check_eq apply-kernel-error-rest-applied "-A -t 10.8.0.2:80 -s rr|-a -t 10.8.0.2:80 -r 10.8.1.1:80 -m -w 1|" "$out"
"$IPVSADM" -C
"$XVSADM" apply $W/rich.save > /dev/null 2>&1
"$IPVSADM" --stop-daemon master >/dev/null 2>&1
"$IPVSADM" --stop-daemon backup >/dev/null 2>&1
"$IPVSADM" -C
fi

# --- 5. live counters and connections (NAT lab) ------------------------------
if ! want live; then
	:
elif ! lab_nat_up > $W/lab-up.log 2>&1; then
	fail lab-up "$(tail -n 3 $W/lab-up.log)"
else
	pass lab-up
	ltool() { local t=$1; shift; in_ns director bash -c 'exec -a ipvsadm "$0" "$@"' "$(command -v $t)" "$@"; }
	lvs -A -t $VIP:80 -s rr
	lvs -A -t $VIP:9000 -s wlc -p 120
	for n in $LAB_RS; do
		lvs -a -t $VIP:80 -r 192.168.0.$n:80 -m -w $n
		lvs -a -t $VIP:9000 -r 192.168.0.$n:9000 -m
	done
	for i in 1 2 3 4 5 6; do lab_get 80 > /dev/null; done
	lab_open 1 9000 > /dev/null
	lab_open 2 9000 > /dev/null
	i=0
	for m in "-L -n --stats" "-L --stats" "-L -n --stats --exact" "-L -n --rate" \
		 "-L -n --rate --exact" "-L -n" "-L -n --persistent-conn" "-L -n -c" \
		 "-L -c" "-L -n -c --persistent-conn" "-L -n --thresholds" "-S -n"; do
		i=$((i + 1))
		ok=0
		# counters and rates move; three tries to catch a quiet moment
		for try in 1 2 3; do
			# shellcheck disable=SC2086
			ltool ipvsadm $m > $W/a 2>&1
			# shellcheck disable=SC2086
			ltool xvsadm $m > $W/b 2>&1
			cmp -s $W/a $W/b && { ok=1; break; }
			sleep 0.3
		done
		# Connection timers tick between the two runs on a slow VM: for
		# -c, compare again with the expire column (mm:ss) masked.
		if [ $ok = 0 ] && [[ " $m " == *" -c "* ]]; then
			mask() { sed -E '3,$s/^(.{4})[0-9][0-9]:[0-9][0-9]/\1mm:ss/' "$1"; }
			[ "$(mask $W/a)" = "$(mask $W/b)" ] && ok=1
		fi
		if [ $ok = 1 ]; then
			pass "live-list-$i"
		else
			fail "live-list-$i" "'$m' differs"
			diff -u $W/a $W/b | head -30 | quote
		fi
	done
	lab_nat_down
fi

finish
