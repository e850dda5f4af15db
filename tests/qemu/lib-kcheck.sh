# shellcheck shell=bash
# What the kernel says about a balancer after a run (scenarios that stress
# the module's kernel side: rmmod-live, packet-fuzz, churn-soak).
#
# kernel_bad: kernel log lines that mean trouble, printed quoted (the
#   console check catches panics; this catches what did not panic)
# kmemleak_check: on a kernel booted with kmemleak=on, a scan finds no
#   unreferenced object allocated from a balancer frame (check kmemleak);
#   elsewhere it says there is nothing to scan and checks nothing
# slab_objects CACHE: objects in use in the slab cache CACHE (its per-CPU
#   slabs flushed first, so the figure is exact), or "none" when the cache
#   does not exist by that name
# conn_counts: "ACTIVE+INACT ENTRIES ALL": the sum of ActiveConn +
#   InActConn over the director's destinations (`lvs`), the entries of
#   `-L -n -c` that belong to a listed service and destination, and all
#   entries, templates (client port 0) aside each time; read until the
#   first two agree (the table moves as entries expire: a few tries for
#   one still moment).  ENTRIES < ALL: entries of deleted services or
#   destinations, which only a lab that deletes them may have

BAD_RE='Oops|BUG:|BUG |WARNING:|KASAN|possible circular locking|INFO: |Call Trace|general protection|RIP: '
kernel_bad() { dmesg | grep -E "$BAD_RE" | quote; }

kmemleak_check() {
	local kml=/sys/kernel/debug/kmemleak leaks mine
	[ -e $kml ] || mount -t debugfs debugfs /sys/kernel/debug 2>/dev/null
	if ! { [ -w $kml ] && echo scan > $kml 2>/dev/null; }; then
		log "kmemleak is not active on this kernel: no scan"
		return 0
	fi
	# (a second scan: kmemleak reports an object only once it stayed
	# unreferenced across two)
	sleep 1
	echo scan > $kml
	leaks=$(grep -c 'unreferenced object' $kml)
	mine=$(grep -E -c '\[(xvs|ip_vs)[a-z_]*\]' $kml)
	log "kmemleak: $leaks unreferenced objects, $mine with a balancer frame"
	if [ "$mine" = 0 ]; then
		pass kmemleak
	else
		fail kmemleak "$mine balancer objects"
		grep -B 3 -A 20 -E '\[(xvs|ip_vs)' $kml | head -40 | quote
	fi
}

slab_objects() {
	[ -d "/sys/kernel/slab/$1" ] || { echo none; return; }
	[ -w "/sys/kernel/slab/$1/shrink" ] && echo 1 > "/sys/kernel/slab/$1/shrink"
	awk -v c="$1" '$1 == c { print $2; f = 1 } END { if (!f) print "none" }' /proc/slabinfo
}

_active_inact() {
	lvs -L -n | awk '$1 == "->" && NF == 6 { n += $5 + $6 } END { print n + 0 }'
}
_listed_entries() {
	{ lvs -L -n; echo EOT; lvs -L -n -c; } | awk '
		$1 == "EOT" { table = 1; next }
		!table && ($1 == "TCP" || $1 == "UDP" || $1 == "SCTP") { svc = $2 }
		!table && $1 == "->" && NF == 6 { pair[svc " " $2] = 1 }
		table && ($1 == "TCP" || $1 == "UDP" || $1 == "SCTP") && $4 !~ /:0$/ {
			all++
			if (($5 " " $6) in pair) n++
		}
		END { print n + 0, all + 0 }'
}
conn_counts() {
	local i a c all b
	for i in $(seq 10); do
		a=$(_active_inact)
		read -r c all <<<"$(_listed_entries)"
		b=$(_active_inact)
		[ "$a" = "$c" ] && [ "$b" = "$c" ] && break
		sleep 0.3
	done
	echo "$b $c $all"
}
