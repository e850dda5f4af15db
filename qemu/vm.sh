#!/usr/bin/env bash
# Runs one test VM in the foreground until it powers off.
# Usage: vm.sh ACCEL INITRD CONSOLE_LOG KERNEL_CMDLINE [extra qemu args...]
# Environment: KIMAGE (kernel to boot), QEMU, XVS_MEM (MiB), XVS_SMP,
# XVS_SERIAL_LINK (optional: a -chardev backend, "socket,path=...", that
# becomes the second serial port, COM2),
# XVS_ICOUNT (unset or 0: off; 1: -icount shift=0,sleep=off, guest time
# follows the instructions executed; anything else: -icount's argument as
# given; TCG only).
# No NIC unless the extra args add one; stdin is /dev/null; the console
# (ttyS0, COM1, where the firmware prints too) goes to CONSOLE_LOG.
# -no-reboot turns the guest's panic=-1 reboot into a QEMU exit.
set -euo pipefail
accel=$1 initrd=$2 log=$3 append=$4
shift 4
cpu=max
[ "$accel" = kvm ] && cpu=host
serial=(-serial "file:$log")
if [ -n "${XVS_SERIAL_LINK:-}" ]; then
	serial+=(-chardev "$XVS_SERIAL_LINK,id=seriallink" -serial chardev:seriallink)
fi
icount=()
case ${XVS_ICOUNT:-0} in
0) ;;
1) icount=(-icount 'shift=0,sleep=off') ;;
*) icount=(-icount "$XVS_ICOUNT") ;;
esac
if [ ${#icount[@]} -gt 0 ] && [ "$accel" != tcg ]; then
	echo "vm.sh: XVS_ICOUNT needs TCG (accelerator: $accel)" >&2
	exit 2
fi
exec "${QEMU:-qemu-system-x86_64}" -accel "$accel" -cpu "$cpu" \
	-m "${XVS_MEM:-512}" -smp "${XVS_SMP:-1}" \
	-nographic -nodefaults -no-reboot -monitor none -nic none \
	"${serial[@]}" \
	-kernel "${KIMAGE:?KIMAGE not set}" -initrd "$initrd" \
	-append "$append" "${icount[@]}" "$@" </dev/null
