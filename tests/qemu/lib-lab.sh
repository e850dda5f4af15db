# Barriers between the VMs of a multi-VM lab (guest side, POSIX sh: the
# guest's init sources it too).  Each lab VM serves /run/flags over HTTP on
# its control address (qemu/init); a step on one VM that must come after a
# step on another waits for that VM's flag:
#
#   VM rs:      ...hide tunl0...;  lab_signal hidden
#   VM client:  lab_wait rs hidden 120 || fail ...
#
# Flags may carry a value (lab_signal NAME VALUE, read with lab_flag VM NAME),
# e.g. a MAC address one VM needs to compare with.  The control network
# (ctl0, 10.255.0.0/24) is separate from the lab LAN (eth0), so the flags
# add no ARP or IP traffic to what a scenario observes.
# shellcheck shell=sh

XVS_FLAG_PORT=7780
XVS_FLAG_DIR=/run/flags

# lab_addr VM: the control address of VM (from /run/xvs-lab)
lab_addr() { awk -v n="$1" '$1 == n { print $2; f = 1 } END { exit !f }' /run/xvs-lab; }

# lab_signal NAME [VALUE]: raises this VM's flag NAME (value default 1);
# written beside and renamed, so a reader never sees half a value (the
# temporary name is the writer's own: background writers may overlap)
lab_signal() {
	local tmp="$XVS_FLAG_DIR/.$1.$BASHPID"
	mkdir -p "$XVS_FLAG_DIR"
	printf '%s\n' "${2:-1}" > "$tmp" && mv "$tmp" "$XVS_FLAG_DIR/$1"
}

# lab_flag VM NAME: prints the value of VM's flag NAME; fails while it is
# not raised (or VM does not answer)
lab_flag() {
	local addr out
	addr=$(lab_addr "$1") || return 1
	out=$(printf 'GET /%s HTTP/1.0\r\n\r\n' "$2" |
		timeout 5 nc -w 3 "$addr" "$XVS_FLAG_PORT" 2>/dev/null | tr -d '\r') || true
	case $out in
	"HTTP/1."?" 200"*) printf '%s\n' "$out" | sed '1,/^$/d' ;;
	*) return 1 ;;
	esac
}

# lab_wait VM NAME TIMEOUT: waits until VM raised its flag NAME; fails after
# TIMEOUT seconds
lab_wait() {
	local end
	end=$(($(date +%s) + $3))
	while ! lab_flag "$1" "$2" >/dev/null; do
		[ "$(date +%s)" -lt "$end" ] || return 1
		sleep 0.5
	done
}

# Timing and pacing of the labs' steps (WAIT: a lab's default seconds for
# another VM's step).
now() { echo "$EPOCHREALTIME"; }
# elapsed START: milliseconds since START (an $EPOCHREALTIME value)
elapsed() { awk -v a="$1" -v b="$EPOCHREALTIME" 'BEGIN { printf "%d", (b - a) * 1000 }'; }

# wait_for SECONDS CMD...: polls CMD every 0.1 s for SECONDS of wall time
wait_for() {
	local end=$((SECONDS + $1))
	shift
	while :; do
		"$@" && return 0
		[ $SECONDS -ge $end ] && return 1
		sleep 0.1
	done
}

# await VM STEP [SECONDS]: waits for VM's flag STEP; when VM ended without
# raising it, or after SECONDS (default $WAIT), fails and ends here
await() {
	local end=$((SECONDS + ${3:-$WAIT}))
	while ! lab_flag "$1" "$2" >/dev/null; do
		# (VM may raise STEP and end between the two looks)
		if lab_flag "$1" xvs-end >/dev/null && ! lab_flag "$1" "$2" >/dev/null; then
			fail "wait-$1-$2" "$1 ended before step $2"
			finish
		fi
		if [ $SECONDS -ge $end ]; then
			fail "wait-$1-$2" "$1 did not reach step $2 within ${3:-$WAIT} s"
			finish
		fi
		sleep 0.2
	done
}

# lab_xvsd_start LOG ARG...: starts xvsd ARG... in the background, its
# output appended to LOG; lab_xvsd_stop stops it as its init script would
# (TERM, then waits for it to have released what it held)
lab_xvsd_start() {
	local log=$1
	shift
	xvsd "$@" </dev/null >>"$log" 2>&1 &
	XVSD_PID=$!
}
lab_xvsd_stop() {
	[ -n "${XVSD_PID:-}" ] || return 0
	kill -TERM "$XVSD_PID" 2>/dev/null
	wait "$XVSD_PID" 2>/dev/null
	XVSD_PID=
}
