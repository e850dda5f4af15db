# shellcheck shell=bash
# The labs' wiring, declared: namespaces on a bridge (a LAN segment) and
# point-to-point links between two namespaces.  Each call says what it
# could not build on stdout and returns 1, so that a lab's set-up function
# stops at the first failure (`net_segment ... || return 1`).
#
# net_segment BRIDGE NS[:IF]...: the bridge (created and brought up unless
#   it exists) and, for each NS, the namespace (created with lo up unless it
#   exists) with an interface IF (default eth0) plugged into the bridge.
#   The interface is left down and without address: the lab configures it.
# net_link NS1[:IF1] NS2[:IF2]: a veth pair between two namespaces
#   (default interface names eth0), down, without addresses.
# The root namespace's veth ends are named nvN (N counts up), short and
# unique, so that they stay within IFNAMSIZ whatever the bridge is called.

NET_NVETH=0

# _net_ns NS: the namespace, lo up, unless it exists
_net_ns() {
	[ -e "/run/netns/$1" ] && return 0
	ip netns add "$1" && in_ns "$1" ip link set lo up ||
		{ echo "namespace $1 could not be made"; return 1; }
}

# _net_veth NS IF: a veth pair, one end IF in NS, the other nvN in the
# root namespace (its name in NET_ROOT)
_net_veth() {
	NET_ROOT=nv$NET_NVETH
	NET_NVETH=$((NET_NVETH + 1))
	ip link add "$NET_ROOT" type veth peer name "${NET_ROOT}p" &&
		ip link set "${NET_ROOT}p" netns "$1" &&
		in_ns "$1" ip link set "${NET_ROOT}p" name "$2" ||
		{ echo "veth $1:$2 could not be made"; return 1; }
}

net_segment() {
	local br=$1 spec ns ifname
	shift
	if [ ! -e "/sys/class/net/$br" ]; then
		ip link add "$br" type bridge && ip link set "$br" up ||
			{ echo "bridge $br could not be made"; return 1; }
	fi
	for spec in "$@"; do
		ns=${spec%%:*}
		ifname=eth0
		[ "$spec" = "$ns" ] || ifname=${spec#*:}
		_net_ns "$ns" && _net_veth "$ns" "$ifname" || return 1
		ip link set "$NET_ROOT" master "$br" && ip link set "$NET_ROOT" up ||
			{ echo "$ns:$ifname could not join $br"; return 1; }
	done
}

net_link() {
	local a=${1%%:*} b=${2%%:*} ifa=eth0 ifb=eth0
	[ "$1" = "$a" ] || ifa=${1#*:}
	[ "$2" = "$b" ] || ifb=${2#*:}
	_net_ns "$a" && _net_ns "$b" && _net_veth "$b" "$ifb" || return 1
	ip link set "$NET_ROOT" netns "$a" && in_ns "$a" ip link set "$NET_ROOT" name "$ifa" ||
		{ echo "link $1 - $2 could not be made"; return 1; }
}
