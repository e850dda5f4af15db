# shellcheck shell=bash
# The flow fast path (net.xvs.fast_path) in a scenario's "fast" variant:
# the scenario runs as it does without it, every check the same, and at
# the end proves that the fast path forwarded part of its traffic.
#
# fast_path_begin NS: switches the fast path on in namespace NS (after the
#   services exist or before, either works: the hooks follow the services)
# fast_path_end NS [replies]: check fast-path-used: NS's fast path forwarded
#   requests (and, with "replies", NAT replies), read from
#   /proc/net/xvs_fast_path
fast_path_begin() {
	local out
	if ! out=$(in_ns "$1" sh -c 'echo 1 > /proc/sys/net/xvs/fast_path &&
			cat /proc/sys/net/xvs/fast_path' 2>&1) || [ "$out" != 1 ]; then
		fail fast-path-on "net.xvs.fast_path in $1: $out"
		return 1
	fi
	pass fast-path-on
}

fast_path_end() {
	local stats req rep
	stats=$(in_ns "$1" cat /proc/net/xvs_fast_path 2>&1)
	req=$(awk '$1 == "requests" { print $2 }' <<< "$stats")
	rep=$(awk '$1 == "replies" { print $2 }' <<< "$stats")
	log "fast path in $1: requests ${req:-?}, replies ${rep:-?}"
	if [ "${req:-0}" -gt 0 ] && { [ "${2:-}" != replies ] || [ "${rep:-0}" -gt 0 ]; }; then
		pass fast-path-used
	else
		fail fast-path-used "$(tr '\n' ' ' <<< "$stats")"
	fi
}
