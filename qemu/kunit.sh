#!/usr/bin/env bash
# Runs xvs' KUnit suites (kmod/kunit/) in QEMU on a kernel of `make kernel`.
#
# Usage: qemu/kunit.sh [-o RESULTS] [FLAVOUR]      FLAVOUR: release (default)
#                                                  or debug
# Builds xvs.ko against that kernel (into $BUILD/kmod-FLAVOUR/, shared with
# the multi-VM labs of qemu/lib.sh), boots the kernel with kunit.enable=1
# (plus kmemleak=on for debug) and loads xvs.ko, which runs the suites
# (tests/kunit/kunit.sh, guest side, turns their KTAP into results).
# RESULTS (default $XVS_LOGDIR/results.txt) gets one line per test case:
#   PASS kunit/<suite>.<case>  |  FAIL kunit/<suite>.<case> <reason>
# plus the boot's console-clean check; the last output line is
# "kunit: N passed, N failed"; exit status 1 when a test failed.
# Environment: KERNEL_CACHE (default build/kernel), BUILD, XVS_ACCEL.
set -uo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
BUILD=${BUILD:-$ROOT/build}
results=
if [ "${1:-}" = -o ]; then
	results=$2
	shift 2
fi
flavour=${1:-release}
cache=${KERNEL_CACHE:-$ROOT/build/kernel}
env=$cache/$flavour/env
kbuild=$BUILD/kmod-$flavour

fail_all() { # REASON: the whole run failed before any case ran
	echo "FAIL kunit/run $*" >> "$results"
	echo "kunit: $*" >&2
	echo "kunit: 0 passed, 1 failed"
	exit 1
}

if [ -z "$results" ]; then
	# shellcheck source=qemu/lib.sh
	. "$ROOT/qemu/lib.sh"
	results=$XVS_LOGDIR/results.txt
fi
mkdir -p "$(dirname "$results")"
: > "$results"

[ -f "$env" ] || fail_all "no kernel $flavour ($env missing: make kernel FLAVOUR=$flavour)"
# shellcheck disable=SC1090
vals=$(bash -c '. "$1" && printf "%s\n" "$KVER" "$KIMAGE" "$KMODDIR" "$KDIR"' _ "$env") ||
	fail_all "cannot read $env"
{ read -r kver; read -r kimage; read -r kmoddir; read -r kdir; } <<<"$vals"
[ -f "$kimage" ] && [ -f "$kmoddir/modules.dep" ] && [ -d "$kdir" ] ||
	fail_all "$env names no usable kernel"
grep -q '^CONFIG_KUNIT=y' "$kdir/.config" ||
	fail_all "kernel $flavour has no CONFIG_KUNIT=y"

mkdir -p "$kbuild"
if ! make -s -C "$ROOT" BUILD="$kbuild" KVER="$kver" KDIR="$kdir" kmod \
	> "$kbuild/kmod.log" 2>&1; then
	tail -n 20 "$kbuild/kmod.log" >&2
	fail_all "xvs.ko does not build against kernel $flavour (see $kbuild/kmod.log)"
fi

append="kunit.enable=1"
[ "$flavour" = debug ] && append+=" kmemleak=on"
# The suites' results, as one scenario run by the usual harness: it boots,
# enforces the timeout, and checks the console for oopses and KASAN or
# lockdep reports.
KVER=$kver KIMAGE=$kimage KMODDIR=$kmoddir \
	XVS_KO=$kbuild/kmod/xvs.ko XVS_TESTS_DIR=$ROOT/tests/kunit \
	XVS_APPEND="${XVS_APPEND:+$XVS_APPEND }$append" \
	"$ROOT/qemu/run-scenarios.sh" -o "$results" kunit
npass=$(grep -c '^PASS ' "$results")
nfail=$(grep -c '^FAIL ' "$results")
# the guest reports one result per case: too few means lost output
if [ "$npass" -lt "${XVS_KUNIT_MIN_CASES:-50}" ] && [ "$nfail" -eq 0 ]; then
	echo "FAIL kunit/count only $npass results, expected at least ${XVS_KUNIT_MIN_CASES:-50}" >> "$results"
	nfail=1
fi
echo "kunit: $npass passed, $nfail failed"
[ "$nfail" -eq 0 ]
