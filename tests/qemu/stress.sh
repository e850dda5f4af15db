#!/bin/bash
# Stress: thousands of connections at once, and module removal under
# traffic, on the seed-001 NAT lab.
#  1. SYN flood: 6000 SYNs from 6000 spoofed client addresses (xvs-pkt syn,
#     a raw socket in the client), each followed by its RST (which clears
#     the realservers' half-open sockets; IPVS keeps an entry in SYN_RECV
#     on a client RST), to a service of three realservers: thousands of
#     connection entries exist at once; they all expire (SYN_RECV: 60 s),
#     and the balancer's
#     connection slab cache (xvs: xvs_conn, ip_vs: ip_vs_conn) goes back
#     to zero active objects.
#  2. 60 concurrent short HTTP connections: every one is answered.
#  3. rmmod under traffic: a flood of SYNs without RST (entries that
#     would live for a minute) and HTTP clients keep running while the
#     module's reference count drops to zero and it unloads; its slab
#     cache is gone afterwards (a leaked object would make
#     kmem_cache_destroy warn, which the console check catches), and the
#     module loads and balances again.
# SLUB merges xvs_conn into another cache of the same size unless the
# kernel boots with slab_nomerge, which the harness always passes (see
# qemu/lib.sh): a merged cache would hide a leak, so it fails the check.
# Times and counts are logged; with the ipvs variant they are the
# reference numbers of the kernel's ip_vs.
#
# Argument: the balancer, ipvs or xvs.
# xvs-timeout: 300
# xvs-variant: xvs
# xvs-variant: ipvs
# xvs-reference: ipvs
. "$(dirname "$0")/lib.sh"

LB=${1:?usage: stress.sh ipvs|xvs}
CACHE=xvs_conn
[ "$LB" = ipvs ] && CACHE=ip_vs_conn
SVC=$VIP:9000

now() { awk -v t="$EPOCHREALTIME" 'BEGIN { printf "%.1f", t }'; }
since() { awk -v t0="$1" -v t="$EPOCHREALTIME" 'BEGIN { printf "%.1f", t - t0 }'; }

# entries of the connection table (the director's /proc/net/ip_vs_conn)
conns() { in_ns director sh -c 'tail -n +2 /proc/net/ip_vs_conn | wc -l'; }

# active objects of the slab cache, or "merged" when SLUB merged it into
# another cache (then /proc/slabinfo does not list it), or "none"
slab_active() {
	local line
	# SLUB counts the free objects of per-CPU slabs as active: shrinking
	# the cache first flushes those, so what is left is really in use
	[ -w "/sys/kernel/slab/$CACHE/shrink" ] && echo 1 > "/sys/kernel/slab/$CACHE/shrink"
	line=$(awk -v c="$CACHE" '$1 == c { print $2 }' /proc/slabinfo)
	if [ -n "$line" ]; then
		echo "$line"
	elif [ -L "/sys/kernel/slab/$CACHE" ]; then
		echo merged
	else
		echo none
	fi
}

# wait_conns N SECONDS: waits until at most N entries remain
wait_conns() {
	local i
	for i in $(seq $(($2 * 2))); do
		[ "$(conns)" -le "$1" ] && return 0
		sleep 0.5
	done
	return 1
}

setup_service() {
	lvs -A -t $SVC -s rr &&
	lvs -a -t $SVC -r 192.168.0.1:9000 -m &&
	lvs -a -t $SVC -r 192.168.0.2:9000 -m &&
	lvs -a -t $SVC -r 192.168.0.3:9000 -m &&
	lvs -A -t $VIP:80 -s wlc &&
	lvs -a -t $VIP:80 -r 192.168.0.1:80 -m &&
	lvs -a -t $VIP:80 -r 192.168.0.2:80 -m &&
	lvs -a -t $VIP:80 -r 192.168.0.3:80 -m
}

lab_nat_begin "$LB"
check service setup_service

# ---- 1. SYN flood with RSTs ----------------------------------------------
t0=$EPOCHREALTIME
out=$(in_ns client xvs-pkt syn -r -b 10.1.0.1 $VIP 9000 6000)
log "flood: $out in $(since "$t0") s"
n=$(conns)
log "connection entries right after the flood: $n (slab $CACHE: $(slab_active))"
if [ "$n" -ge 3000 ]; then
	pass flood-entries
else
	fail flood-entries "only $n connection entries after 6000 SYNs"
fi
t0=$EPOCHREALTIME
if wait_conns 0 100; then
	pass flood-expired
	log "all entries expired after $(since "$t0") s"
else
	fail flood-expired "$(conns) entries left after 100 s"
fi
sleep 1
a=$(slab_active)
log "slab $CACHE active objects after expiry: $a"
case $a in
merged) fail slab-zero "$CACHE is merged into another slab cache (no slab_nomerge?)" ;;
none) fail slab-zero "no slab cache $CACHE while $LB is loaded" ;;
*) check_eq slab-zero 0 "$a" ;;
esac

# ---- 2. concurrent short connections ---------------------------------------
t0=$EPOCHREALTIME
mkdir -p /tmp/stress
getters=()
for i in $(seq 60); do
	in_ns client xvs-pkt get $VIP 80 > /tmp/stress/get.$i 2>&1 &
	getters+=($!)
done
# (only these: the lab's servers are children of this shell too)
wait "${getters[@]}"
answered=$(cat /tmp/stress/get.* | grep -c '^rs[123]$')
log "60 concurrent requests: $answered answered in $(since "$t0") s"
check_eq concurrent-answered 60 "$answered"
rm -rf /tmp/stress

# ---- 3. rmmod under traffic ---------------------------------------------------
mod=xvs
[ "$LB" = ipvs ] && mod=ip_vs
ip netns exec client sh -c "while :; do xvs-pkt syn -b 10.2.0.1 $VIP 9000 2000 >/dev/null; done" \
	</dev/null >/dev/null 2>&1 &
flood=$!
ip netns exec client sh -c "while :; do xvs-pkt get $VIP 80 >/dev/null; done" \
	</dev/null >/dev/null 2>&1 &
getter=$!
sleep 3
n=$(conns)
log "under traffic: $n connection entries, slab $CACHE: $(slab_active), refcnt $(cat /sys/module/$mod/refcnt)"
[ "$n" -ge 500 ] && pass traffic-entries || fail traffic-entries "only $n entries under the flood"
t0=$EPOCHREALTIME
# ip_vs's services hold its scheduler modules: for the reference numbers
# its table is flushed first (xvs has its schedulers built in)
[ "$LB" = ipvs ] && lvs -C
if lb_unload; then
	pass rmmod-under-traffic
	log "unloaded under traffic in $(since "$t0") s"
else
	fail rmmod-under-traffic "$mod still loaded (refcnt $(cat /sys/module/$mod/refcnt 2>/dev/null))"
fi
kill $flood $getter 2>/dev/null
wait $flood $getter 2>/dev/null
# (an alias of a merged cache may keep its /sys/kernel/slab link; only an
# unmerged cache is listed in /proc/slabinfo under its own name)
if [ "$LB" = xvs ]; then
	if grep -q "^xvs_conn " /proc/slabinfo; then
		fail slab-gone "slab cache xvs_conn still listed after rmmod"
	else
		pass slab-gone
	fi
fi

# the balancer loads and balances again in the same lab
if out=$(lb_load "$LB" 2>&1) && setup_service; then
	r=$(lab_get 80)
	case $r in rs[123]) pass reload-balances ;; *) fail reload-balances "got $r" ;; esac
else
	fail reload-balances "reload failed: $out"
fi
lab_nat_down
lb_unload || fail unload "module still loaded"
finish
