#!/bin/bash
# cache_bypass, as in a transparent web cache cluster: the director marks
# HTTP to an outside web server (rs3, 192.168.0.3, standing for "the
# Internet"; the client routes to it through the director) with nft,
# routes marked packets to itself, and a firewall-mark service balances
# them over the caches.  With no cache available:
#  - cache_bypass=0: the request is refused (port unreachable);
#  - cache_bypass=1: it reaches the web server itself, through a bypass
#    entry (destination 0.0.0.0:0 in the connection list);
# with a cache (rs1, masquerading) the cache answers.
#
# Argument: the balancer, ipvs or xvs.
# xvs-timeout: 240
# xvs-variant: ipvs
# xvs-reference: ipvs
# xvs-variant: xvs
. "$(dirname "$0")/lib.sh"

LB=${1:?usage: cache-bypass.sh ipvs|xvs}
WEB=192.168.0.3
MARK=5

get_web() { in_ns client xvs-pkt get $WEB 80; }

# the connection entries for the web server: "virtual destination"
web_entries() {
	lvs -L -n -c | awk -v w="$WEB:80" '$5 == w { print $5, $6 }' | sort -u
}

mark_setup() {
	in_ns director nft -f - <<EOF || return 1
table ip cache {
	chain pre {
		type filter hook prerouting priority mangle;
		ip daddr $WEB tcp dport 80 meta mark set $MARK
	}
}
EOF
	in_ns director ip rule add fwmark $MARK lookup 105 &&
	in_ns director ip route add local 0.0.0.0/0 dev lo table 105 &&
	in_ns client ip route add 192.168.0.0/24 via 81.57.54.1
}

if ! command -v nft >/dev/null; then
	fail nft "nft is not in the image"
	finish
fi
lab_nat_begin "$LB"
check mark-setup mark_setup
check service lvs -A -f $MARK -s rr

check_eq default-off 0 "$(in_ns director cat /proc/sys/net/ipv4/vs/cache_bypass)"
check_eq no-cache-refused ERR "$(get_web)"
check_eq no-cache-no-entry "" "$(web_entries)"

in_ns director sh -c 'echo 1 > /proc/sys/net/ipv4/vs/cache_bypass'
check_eq bypass-reaches-web rs3 "$(get_web)"
check_eq bypass-entry "$WEB:80 0.0.0.0:0" "$(web_entries)"
check_eq bypass-again rs3 "$(get_web)"

check cache-added lvs -a -f $MARK -r 192.168.0.1:80 -m
check_eq cache-answers rs1 "$(get_web)"
check cache-removed lvs -d -f $MARK -r 192.168.0.1:80
check_eq bypass-after-cache rs3 "$(get_web)"
lvs -L -n -c | quote

in_ns director sh -c 'echo 0 > /proc/sys/net/ipv4/vs/cache_bypass'
check_eq off-again-refused ERR "$(get_web)"

lab_nat_down
lb_unload || fail unload "module still loaded"
finish
