#!/usr/bin/env bash
# Runs one test VM in the foreground until it powers off.
# Usage: vm.sh ACCEL INITRD CONSOLE_LOG KERNEL_CMDLINE [extra qemu args...]
# Environment: KIMAGE (kernel to boot), QEMU, XVS_MEM (MiB), XVS_SMP.
# No NIC unless the extra args add one; stdin is /dev/null; the console
# (ttyS0) goes to CONSOLE_LOG.  -no-reboot turns the guest's panic=-1
# reboot into a QEMU exit.
set -euo pipefail
accel=$1 initrd=$2 log=$3 append=$4
shift 4
cpu=max
[ "$accel" = kvm ] && cpu=host
exec "${QEMU:-qemu-system-x86_64}" -accel "$accel" -cpu "$cpu" \
	-m "${XVS_MEM:-512}" -smp "${XVS_SMP:-1}" \
	-nographic -nodefaults -no-reboot -monitor none -nic none \
	-serial "file:$log" \
	-kernel "${KIMAGE:?KIMAGE not set}" -initrd "$initrd" \
	-append "$append" "$@" </dev/null
