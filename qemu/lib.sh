# Host-side QEMU helpers, sourced by qemu/run-scenarios.sh and qemu/demo.sh.
# shellcheck shell=bash
#
# Single-VM scenarios run in "lanes" (vm0, vm1...: one VM each, many
# scenarios per boot).  A multi-VM lab boots its VMs together, each with two
# NICs on bridges inside a network namespace of its own (xvs_labnet_up):
# the lab LAN (eth0 in the guest) and a control network (ctl0) that carries
# only the barrier flags between the VMs (tests/qemu/lib-lab.sh).

ROOT=${ROOT:-$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)}
BUILD=${BUILD:-$ROOT/build}
KVER=${KVER:-$(ls /lib/modules | grep -E '^6\.1\.[0-9]+-[0-9]+-amd64$' | sort -V | tail -n 1)}
KIMAGE=${KIMAGE:-/boot/vmlinuz-$KVER}
KMODDIR=${KMODDIR:-/lib/modules/$KVER}
export ROOT BUILD KVER KIMAGE KMODDIR
export QEMU=${QEMU:-qemu-system-x86_64}
export XVS_MEM=${XVS_MEM:-512}
export XVS_SMP=${XVS_SMP:-1}
# Every run gets its own directory (several runs may share one tree);
# build/qemu/last points to the newest.
if [ -z "${XVS_LOGDIR:-}" ]; then
	XVS_LOGDIR=$BUILD/qemu/runs/$(date +%Y%m%d-%H%M%S)-$$
	mkdir -p "$XVS_LOGDIR"
	ln -sfn "runs/${XVS_LOGDIR##*/}" "$BUILD/qemu/last"
fi
export XVS_LOGDIR

# Kernel messages that make a run unclean (also checked in the guest).
XVS_BAD_RE='Oops|BUG:|WARNING:|KASAN|possible circular locking|INFO: |Call Trace|Kernel panic|general protection|RIP: '

xvs_log() { echo "[qemu] $*" >&2; }

# Builds (or reuses) the initramfs; prints its path.
xvs_image() {
	"$ROOT/qemu/mkinitramfs.sh"
}

# boot arguments shared by every VM.  Under TCG on a loaded host a vCPU can
# be descheduled for many seconds, which the soft-lockup watchdog reports
# at its default 20 s threshold; the maximum threshold (60) keeps real
# lockups reported while host stalls are not.  The RCU stall detector is
# the same kind of clock: a KASAN kernel booting in a three-VM lab had its
# grace-period thread starved past the default 21 s (reported as a stall,
# with a call trace); 120 s keeps a real stall reported, and a hung
# scenario still times out.
#
# no_timer_check: a starved TCG vCPU can miss the IO-APIC timer test at boot,
# which then panics ("IO-APIC + timer doesn't work"); the test proves
# nothing about xvs.  slab_nomerge: xvs' slab caches stay their own, so
# /proc/slabinfo shows leaks (a merged cache hides them).
xvs_cmdline() {
	echo "console=ttyS0,115200 loglevel=5 panic_on_warn=1 oops=panic panic=-1" \
		"mitigations=off watchdog_thresh=60 rcupdate.rcu_cpu_stall_timeout=120" \
		"no_timer_check slab_nomerge"
}

# Picks the accelerator once per process: KVM when a probe boot reaches
# user space within XVS_KVM_PROBE seconds, else TCG.  XVS_ACCEL overrides;
# XVS_ACCEL_FILE keeps the answer for the other runs of one `make test`.
xvs_accel() {
	if [ -z "${XVS_ACCEL:-}" ] && [ -s "${XVS_ACCEL_FILE:-}" ]; then
		XVS_ACCEL=$(cat "$XVS_ACCEL_FILE")
	fi
	if [ -n "${XVS_ACCEL:-}" ]; then
		echo "$XVS_ACCEL"
		return
	fi
	local image=$1 log
	if [ ! -w /dev/kvm ]; then
		XVS_ACCEL=tcg
		echo tcg
		return
	fi
	mkdir -p "$XVS_LOGDIR"
	log=$XVS_LOGDIR/kvm-probe.log
	: > "$log"
	timeout -s KILL "${XVS_KVM_PROBE:-8}" "$ROOT/qemu/vm.sh" kvm "$image" \
		"$log" "$(xvs_cmdline) xvsplan=" >/dev/null 2>&1
	if grep -q 'XVS-BOOTED' "$log"; then
		XVS_ACCEL=kvm
	else
		XVS_ACCEL=tcg
	fi
	xvs_log "accelerator: $XVS_ACCEL (KVM probe: $(grep -q XVS-BOOTED "$log" && echo booted || echo 'no boot within '"${XVS_KVM_PROBE:-8}"'s'))"
	[ -z "${XVS_ACCEL_FILE:-}" ] || echo "$XVS_ACCEL" > "$XVS_ACCEL_FILE"
	echo "$XVS_ACCEL"
}

# xvs_boot VM PLAN LOG TIMEOUT IMAGE ACCEL [extra qemu args]: boots VM with
# the plan (see qemu/init), console to LOG; returns QEMU's status.
xvs_boot() {
	local vm=$1 plan=$2 log=$3 tmo=$4 image=$5 accel=$6
	shift 6
	: > "$log"
	touch "$image"	# in use: not to be pruned by a concurrent image build
	# XVS_NETNS: QEMU runs in that network namespace (its taps live there);
	# XVS_APPEND: more kernel arguments
	${XVS_NETNS:+ip netns exec "$XVS_NETNS"} \
		timeout -s KILL "$tmo" "$ROOT/qemu/vm.sh" "$accel" "$image" "$log" \
		"$(xvs_cmdline) xvsvm=$vm xvsplan=$plan${XVS_APPEND:+ $XVS_APPEND}" "$@"
}

# --- multi-VM labs -----------------------------------------------------------

# xvs_kernel KERNEL: the kernel a lab VM boots.  "debian" is the one this
# run boots anyway (KVER/KIMAGE/KMODDIR, Debian's by default); any other name
# is a flavour of `make kernel` (release, debug): its
# ${KERNEL_CACHE:-build/kernel}/NAME/env gives KVER KIMAGE KMODDIR KDIR.
# "A|B" takes the first of them that is built.  Sets XK_NAME (the one
# taken) XK_VER XK_IMAGE XK_MODDIR XK_KDIR; fails (saying why) when none is.
xvs_kernel() {
	local env vals k why=
	for k in ${1//|/ }; do
		if [ "$k" = debian ]; then
			XK_NAME=debian XK_VER=$KVER XK_IMAGE=$KIMAGE XK_MODDIR=$KMODDIR
			XK_KDIR=${KDIR:-/lib/modules/$KVER/build}
			return 0
		fi
		case $k in *[!A-Za-z0-9_.-]*) why+="bad kernel name '$k'; "; continue ;; esac
		env=${KERNEL_CACHE:-$ROOT/build/kernel}/$k/env
		if [ ! -f "$env" ]; then
			why+="kernel '$k' not built ($env missing: make kernel FLAVOUR=$k); "
			continue
		fi
		vals=$(bash -c '. "$1" && printf "%s\n" "$KVER" "$KIMAGE" "$KMODDIR" "$KDIR"' _ "$env") ||
			{ why+="cannot read $env; "; continue; }
		{ read -r XK_VER; read -r XK_IMAGE; read -r XK_MODDIR; read -r XK_KDIR; } <<<"$vals"
		if [ -n "$XK_VER" ] && [ -f "$XK_IMAGE" ] && [ -f "$XK_MODDIR/modules.dep" ]; then
			XK_NAME=$k
			return 0
		fi
		why+="kernel '$k': $env names no usable image/modules; "
	done
	echo "${why%; }"
	return 1
}

# xvs_kernel_image LOG: after xvs_kernel, builds xvs.ko against that
# kernel (Debian's: $BUILD/kmod/xvs.ko as it is; a flavour: into
# $BUILD/kmod-KERNEL/, incrementally; a build failure only leaves xvs.ko out
# of the image) and prints the path of an image holding that kernel's
# modules.
xvs_kernel_image() {
	local k=$XK_NAME log=$1 ko=$BUILD/kmod/xvs.ko
	if [ "$k" != debian ]; then
		ko=$BUILD/kmod-$k/kmod/xvs.ko
		if ! make -s -C "$ROOT" BUILD="$BUILD/kmod-$k" KVER="$XK_VER" KDIR="$XK_KDIR" \
			kmod >"$log" 2>&1; then
			xvs_log "xvs.ko does not build against kernel $k (see $log); image without it"
			rm -f "$ko"
		fi
	fi
	KVER=$XK_VER KMODDIR=$XK_MODDIR XVS_KO=$ko "$ROOT/qemu/mkinitramfs.sh"
}

# MACs of lab VM number N (1..): LAN 52:54:00:0a:00:NN, control
# 52:54:00:0c:00:NN; the guest names its NICs by them (eth0, ctl0).
xvs_lab_mac() { printf '52:54:00:%s:00:%02x' "$1" "$2"; }

# xvs_labnet_up NS N: network namespace NS with the bridges xlan and xctl
# and, for VM 1..N, the taps lanN and ctlN on them.  Nothing outside NS
# changes.
xvs_labnet_up() {
	local ns=$1 n=$2 i old
	# namespaces of runs that were killed (their runner is gone)
	for old in $(ip netns list | awk '$1 ~ /^xvslab-[0-9]+-[0-9]+$/ { print $1 }'); do
		old=${old#xvslab-}
		kill -0 "${old%-*}" 2>/dev/null || ip netns del "xvslab-$old"
	done
	ip netns add "$ns" || return 1
	ip -n "$ns" link set lo up
	for b in xlan xctl; do
		ip -n "$ns" link add "$b" type bridge || return 1
		# a lab of a few VMs needs no MAC ageing surprises nor snooping
		ip -n "$ns" link set "$b" type bridge mcast_snooping 0 || return 1
		ip -n "$ns" link set "$b" up || return 1
	done
	for ((i = 1; i <= n; i++)); do
		ip -n "$ns" tuntap add dev "lan$i" mode tap &&
		ip -n "$ns" tuntap add dev "ctl$i" mode tap &&
		ip -n "$ns" link set "lan$i" master xlan up &&
		ip -n "$ns" link set "ctl$i" master xctl up || return 1
	done
}

xvs_labnet_down() { ip netns del "$1" 2>/dev/null; }

# xvs_lab_nics N: the QEMU arguments of lab VM N's two NICs
xvs_lab_nics() {
	echo "-netdev tap,id=lan,ifname=lan$1,script=no,downscript=no" \
		"-device virtio-net-pci,netdev=lan,mac=$(xvs_lab_mac 0a "$1")" \
		"-netdev tap,id=ctl,ifname=ctl$1,script=no,downscript=no" \
		"-device virtio-net-pci,netdev=ctl,mac=$(xvs_lab_mac 0c "$1")"
}

# xvs_lab_serial DIR VM "A B"...: the -chardev backend of VM's serial link
# when one of the cables (pairs of lab VMs, "# xvs-serial: A B") ends on
# it: a UNIX socket DIR/serial-A-B.sock, A listening, B connecting (and
# reconnecting; B starts once A's socket exists: xvs_lab_serial_wait);
# nothing when none does.
# The cable is the VM's second serial port (COM2): not the first, where
# the firmware (SeaBIOS, iPXE) prints and would block, the peer not
# reading yet, on a socket that carries its bytes only as fast as the
# other side takes them.  The guest's init names it /dev/ttyS0.
xvs_lab_serial() {
	local dir=$1 vm=$2 c a b
	shift 2
	for c in "$@"; do
		read -r a b <<<"$c"
		if [ "$vm" = "$a" ]; then
			echo "socket,path=$dir/serial-$a-$b.sock,server=on,wait=off"
		elif [ "$vm" = "$b" ]; then
			echo "socket,path=$dir/serial-$a-$b.sock,reconnect=1"
		fi
	done
}

# xvs_lab_serial_wait LINK SECONDS: when LINK (xvs_lab_serial's output) is
# the connecting end of a cable, waits until the listening end's socket
# exists (QEMU's first connection attempt is not retried: a missing socket
# fails its start, reconnect=1 or not)
xvs_lab_serial_wait() {
	local sock end=$((SECONDS + $2))
	case $1 in *reconnect=*) ;; *) return 0 ;; esac
	sock=${1#socket,path=}
	sock=${sock%%,*}
	while [ ! -S "$sock" ] && [ $SECONDS -lt $end ]; do
		sleep 0.1
	done
}

# xvs_console_bad LOG: prints the console lines that show a kernel problem.
# Lines the scenarios quote on purpose start with "> ".
xvs_console_bad() {
	grep -aE "$XVS_BAD_RE" "$1" | grep -avE '^> |XVS-(RESULT|SCENARIO|DONE|BOOTED|KERNEL-BAD)' || true
}
