#!/usr/bin/env bash
# Runs one test VM in the foreground until it powers off.
# Usage: vm.sh ACCEL INITRD CONSOLE_LOG KERNEL_CMDLINE [extra qemu args...]
# Environment: KIMAGE (kernel to boot), QEMU, XVS_MEM (MiB), XVS_SMP,
# XVS_SERIAL_LINK (optional: a -chardev backend, "socket,path=...", that
# becomes the second serial port, COM2).
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
exec "${QEMU:-qemu-system-x86_64}" -accel "$accel" -cpu "$cpu" \
	-m "${XVS_MEM:-512}" -smp "${XVS_SMP:-1}" \
	-nographic -nodefaults -no-reboot -monitor none -nic none \
	"${serial[@]}" \
	-kernel "${KIMAGE:?KIMAGE not set}" -initrd "$initrd" \
	-append "$append" "$@" </dev/null
