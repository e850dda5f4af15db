# Host-side QEMU helpers, sourced by qemu/run-scenarios.sh and qemu/demo.sh.
# shellcheck shell=bash
#
# A "lab" is a set of VMs booted together; today every lab has one VM (vm0).
# xvs_boot boots one VM of a lab with a plan and a console log; a multi-VM
# lab will boot several with a shared private network (extra QEMU args).

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
# lockups reported while host stalls are not.
xvs_cmdline() {
	echo "console=ttyS0,115200 loglevel=5 panic_on_warn=1 oops=panic panic=-1" \
		"mitigations=off watchdog_thresh=60"
}

# Picks the accelerator once per process: KVM when a probe boot reaches
# user space within XVS_KVM_PROBE seconds, else TCG.  XVS_ACCEL overrides.
xvs_accel() {
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
	echo "$XVS_ACCEL"
}

# xvs_boot VM PLAN LOG TIMEOUT IMAGE ACCEL [extra qemu args]: boots VM with
# the plan (see qemu/init), console to LOG; returns QEMU's status.
xvs_boot() {
	local vm=$1 plan=$2 log=$3 tmo=$4 image=$5 accel=$6
	shift 6
	: > "$log"
	touch "$image"	# in use: not to be pruned by a concurrent image build
	timeout -s KILL "$tmo" "$ROOT/qemu/vm.sh" "$accel" "$image" "$log" \
		"$(xvs_cmdline) xvsvm=$vm xvsplan=$plan" "$@"
}

# xvs_console_bad LOG: prints the console lines that show a kernel problem.
# Lines the scenarios quote on purpose start with "> ".
xvs_console_bad() {
	grep -aE "$XVS_BAD_RE" "$1" | grep -avE '^> |XVS-(RESULT|SCENARIO|DONE|BOOTED|KERNEL-BAD)' || true
}
