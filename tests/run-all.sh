#!/usr/bin/env bash
# `make test`: the host unit tests (GoogleTest binaries in build/bin), then
# every QEMU scenario of tests/qemu/ (qemu/run-scenarios.sh), the Debian
# packages (tests/pkg/check-packages.sh), then the kernel-side checks on the debug kernel of `make kernel FLAVOUR=debug`
# (KASAN, lockdep, DEBUG_OBJECTS, kmemleak): xvs' KUnit suites
# (qemu/kunit.sh) and the xvs variants of the kernel-side scenarios, their
# tests named kdebug/...  Every test case counts once: each gtest test,
# each KUnit case, each XVS-RESULT of a scenario, each boot's
# console-clean check.  A missing piece (binary not built, module missing,
# kernel that does not build, scenario that dies) is a failure, never a
# skip.
# Before it, a timing table: the wall time of every part (packages, build,
# unit tests, debug kernel, the single-VM lanes, each multi-VM lab, KUnit,
# the debug-kernel scenarios) and each scenario's time inside its VM.
# The last line is exactly "N passed, N failed"; exit status 1 on failure.
#
# Environment: XVS_BUILD_OK=0 (set by `make test` when `make all` failed)
# records the failed build; XVS_SKIP_QEMU=1 / XVS_SKIP_UNIT=1 /
# XVS_SKIP_KDEBUG=1 / XVS_SKIP_PKG=1 leave a part out (for development only; `make test`
# never sets them).  KERNEL_CACHE: where `make kernel` keeps its kernels.
set -uo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
BUILD=${BUILD:-$ROOT/build}
export ROOT BUILD

out=$BUILD/test-results
mkdir -p "$out"
results=$out/results.txt
: > "$results"
record() { echo "$*" >> "$results"; }

# --- timing ----------------------------------------------------------------
# $parts: "part NAME SECONDS TESTS" and "scenario NAME SECONDS" lines, from
# here and from qemu/run-scenarios.sh (XVS_PARTS); printed at the end.
# one KVM probe for all the QEMU runs below (qemu/lib.sh)
export XVS_ACCEL_FILE=$out/accel
rm -f "$XVS_ACCEL_FILE"
parts=$out/timing.txt
: > "$parts"
t_start=$(date +%s)
[ -z "${XVS_DEPS_SECS:-}" ] || echo "part packages ${XVS_DEPS_SECS} 0" >> "$parts"
[ -z "${XVS_BUILD_SECS:-}" ] || echo "part build ${XVS_BUILD_SECS} 0" >> "$parts"
part_begin() { part_t0=$(date +%s); part_n0=$(wc -l < "$results"); }
part_end() {
	echo "part $1 $(( $(date +%s) - part_t0 )) $(( $(wc -l < "$results") - part_n0 ))" >> "$parts"
}
# timing_table: the part lines with a total, then each single-VM
# scenario's seconds in its VM summed over its variants, longest first
timing_table() {
	local total=$(( $(date +%s) - t_start + ${XVS_DEPS_SECS:-0} + ${XVS_BUILD_SECS:-0} ))
	echo "== timing (wall-clock seconds; tests: results recorded by the part)"
	awk -v total="$total" '
		$1 == "part" { printf "  %-46s %6d s %6s\n", $2, $3, $4 ? $4 : "-"; n += $4 }
		END { printf "  %-46s %6d s %6d\n", "total", total, n }' "$parts"
	grep -q '^scenario ' "$parts" || return 0
	echo "   single-VM scenarios, seconds inside their VM (runs):"
	awk '$1 == "scenario" { t[$2] += $3; r[$2]++ }
		END { for (s in t) printf "%d %s %d\n", t[s], s, r[s] }' "$parts" |
		sort -rn | awk '{ printf "     %-44s %6d s  (%d)\n", $2, $1, $3 }'
}

if [ "${XVS_BUILD_OK:-1}" = 0 ]; then
	record "FAIL build make all failed (see its output above)"
fi

# run_gtest BINARY: one result per test, parsed from gtest's own lines:
# "[       OK ] Suite.Test (N ms)" / "[  FAILED  ] Suite.Test (N ms)"; a
# test that started and never finished (crash) fails too.
run_gtest() {
	local bin=$1 name log rc
	name=${bin##*/}
	log=$out/$name.log
	echo "== $name"
	timeout -s KILL "${XVS_UNIT_TIMEOUT:-900}" "$bin" --gtest_color=no > "$log" 2>&1
	rc=$?
	awk -v bin="$name" '
		/^\[ RUN      \] / { running = $4; next }
		/^\[       OK \] .* \([0-9]+ ms\)$/ { print "PASS " bin "/" $4; running = ""; next }
		/^\[  FAILED  \] .* \([0-9]+ ms\)$/ { print "FAIL " bin "/" $4 " failed"; running = ""; next }
		/^\[  SKIPPED \] .* \([0-9]+ ms\)$/ { print "FAIL " bin "/" $4 " skipped"; running = ""; next }
		END { if (running != "") print "FAIL " bin "/" running " did not finish (crash or timeout)" }
	' "$log" >> "$results"
	if [ $rc -ne 0 ] && ! grep -q "^FAIL $name/" "$results"; then
		record "FAIL $name/exit exited with status $rc, see $log"
	fi
	if ! grep -qE "^(PASS|FAIL) $name/" "$results"; then
		record "FAIL $name/run no test ran, see $log"
	fi
	grep -E "^FAIL $name/" "$results" | sed 's/^/   /'
}

if [ "${XVS_SKIP_UNIT:-0}" != 1 ]; then
	part_begin
	for b in xvs-core-tests xvs-sync-msg-tests; do
		if [ -x "$BUILD/bin/$b" ]; then
			run_gtest "$BUILD/bin/$b"
		else
			record "FAIL $b/binary build/bin/$b missing (make userspace)"
		fi
	done
	# other host unit-test binaries the build produces
	for b in "$BUILD"/bin/*-unittest; do
		[ -x "$b" ] && run_gtest "$b"
	done
	part_end unit-tests
fi

# The debug kernel (make kernel FLAVOUR=debug; cached) builds in the
# background from here on at idle priority (SCHED_IDLE): it gets only the
# CPU time that the unit tests and the single-VM lanes leave unused (one
# core while the unit tests run, and a lane's VM idles whenever its
# scenario waits on timers, timeouts or the network), so it delays them
# hardly at all.  The multi-VM labs (lab4-hidden's patched realserver
# boots it), KUnit and the debug scenarios wait for it.
# `make test` started that build before (XVS_KDEBUG_T0: when, into the same
# log); this run of build-kernel.sh then waits for it on its lock and finds
# it done.
kernel_ok=0 kpid=
klog=$out/kernel-debug.log
if [ "${XVS_SKIP_KDEBUG:-0}" != 1 ]; then
	if [ -n "${XVS_KDEBUG_T0:-}" ]; then
		kt0=$XVS_KDEBUG_T0
	else
		echo "== debug kernel: building beside the tests at idle priority (log: $klog)"
		kt0=$(date +%s)
		: > "$klog"
	fi
	chrt --idle 0 "$ROOT/scripts/build-kernel.sh" debug >> "$klog" 2>&1 &
	kpid=$!
fi

# wait_kernel: waits for the debug kernel; the table shows the time the
# build took (beside the tests) and the time the run then waited for it
wait_kernel() {
	[ -n "$kpid" ] || return 0
	local tw=$(date +%s)
	echo "== debug kernel: waiting for its build"
	if wait "$kpid"; then
		kernel_ok=1
		echo "   debug kernel ready $(( $(date +%s) - kt0 )) s after its build began"
	else
		tail -n 20 "$klog" | sed 's/^/   /'
	fi
	kpid=
	echo "part debug-kernel(built-beside-the-above) $(( $(date +%s) - kt0 )) 0" >> "$parts"
	echo "part debug-kernel(waited-for) $(( $(date +%s) - tw )) 0" >> "$parts"
}

# The Debian packages: built (make deb), linted, installed on this host
# (DKMS builds xvs.ko for Debian's 6.1 kernel, a VM loads it), run, purged.
# While the debug kernel still builds: they fill the wait for it.  Nothing
# else runs meanwhile: they change /lib/modules of Debian's kernel, from
# which the images of the other VMs are made.
pkg_done=0
run_packages() {
	[ "${XVS_SKIP_PKG:-0}" != 1 ] && [ $pkg_done = 0 ] || return 0
	pkg_done=1
	echo "== Debian packages (tests/pkg/check-packages.sh)"
	part_begin
	"$ROOT/tests/pkg/check-packages.sh" > "$out/pkg.txt" 2>&1
	grep -E '^(PASS|FAIL) pkg/' "$out/pkg.txt" >> "$results"
	grep -qE '^(PASS|FAIL) pkg/' "$out/pkg.txt" ||
		record "FAIL pkg/run check-packages.sh reported nothing, see $out/pkg.txt"
	grep '^FAIL ' "$out/pkg.txt" | sed 's/^/   /'
	part_end debian-packages
}

if [ "${XVS_SKIP_QEMU:-0}" != 1 ]; then
	echo "== QEMU scenarios: single-VM lanes"
	[ -f "$BUILD/kmod/xvs.ko" ] ||
		echo "   note: build/kmod/xvs.ko is missing: every xvs run will fail"
	XVS_PHASE=lanes XVS_PARTS=$parts "$ROOT/qemu/run-scenarios.sh" \
		-o "$out/qemu-results.txt"
	cat "$out/qemu-results.txt" >> "$results"
	echo "== QEMU scenarios: multi-VM labs on Debian's kernel"
	XVS_PHASE=labs-debian XVS_PARTS=$parts "$ROOT/qemu/run-scenarios.sh" \
		-o "$out/qemu-labs-debian.txt"
	cat "$out/qemu-labs-debian.txt" >> "$results"
	run_packages
	wait_kernel
	echo "== QEMU scenarios: multi-VM labs on the test kernel"
	XVS_PHASE=labs-built XVS_PARTS=$parts "$ROOT/qemu/run-scenarios.sh" \
		-o "$out/qemu-labs-built.txt"
	cat "$out/qemu-labs-built.txt" >> "$results"
fi
run_packages
wait_kernel

# The xvs variants of the scenarios that exercise the module's kernel side
# (the fuzzer runs its stream on xvs twice: KASAN and lockdep watch, and
# the two runs must agree).  lvs-nat runs with the fast path on (its
# handshakes, FINs and local client still take the normal path); lvs-tun
# without it (the lanes run it with it).
KDEBUG_SCENARIOS=(lvs-nat:xvs:fast netlink_badinput:xvs persistence:xvs
	lvs-dr:xvs lvs-tun:xvs netlink-fuzz:xvs:xvs:2000 packet-fuzz:xvs:2000)
# The churn soak (90 s of it) boots alone with kmemleak=on, beside the list
# above (one VM each): kmemleak slows every allocation (the list above took
# 56% longer with it), the soak's scan after rmmod is what needs it.  It
# ends with rmmod under load and a reload, what rmmod-live proves on
# Debian's kernel in the lanes, and it removes realservers under UDP and
# TCP traffic with net.xvs.expire_stale_conn flipping, what stale-udp's
# lane run checks in detail.
KDEBUG_LEAK_SCENARIOS=(churn-soak:xvs:90)

# prefix RESULTS_FILE: its PASS/FAIL lines with test names under kdebug/
kdebug_results() {
	sed -n 's#^\(PASS\|FAIL\) #\1 kdebug/#p' "$1" >> "$results"
}

if [ "${XVS_SKIP_KDEBUG:-0}" != 1 ]; then
	if [ $kernel_ok = 0 ]; then
		record "FAIL kdebug/kernel-build make kernel FLAVOUR=debug failed, see $klog"
		for s in kunit "${KDEBUG_SCENARIOS[@]}" "${KDEBUG_LEAK_SCENARIOS[@]}"; do
			record "FAIL kdebug/${s//:/-} not run: no debug kernel"
		done
	else
		echo "== KUnit and the kernel-side scenarios on the debug kernel"
		kenv=$(bash -c '. "$1" && printf "%s\n" "$KVER" "$KIMAGE" "$KMODDIR" "$KDIR"' _ \
			"${KERNEL_CACHE:-$ROOT/build/kernel}/debug/env")
		{ read -r dver; read -r dimage; read -r dmoddir; read -r dkdir; } <<<"$kenv"
		# xvs.ko against the debug kernel, where qemu/kunit.sh builds it
		# (its own build then finds it done): both VMs below load it
		mkdir -p "$BUILD/kmod-debug"
		make -s -C "$ROOT" BUILD="$BUILD/kmod-debug" KVER="$dver" KDIR="$dkdir" kmod \
			> "$BUILD/kmod-debug/kmod.log" 2>&1 ||
			record "FAIL kdebug/kmod-build xvs.ko does not build against the debug kernel, see $BUILD/kmod-debug/kmod.log"
		# Two VMs side by side: KUnit's boot then the soak's (both with
		# kmemleak=on), and the list above in one boot.
		: > "$out/timing-kdebug.txt"
		: > "$out/timing-kdebug-leak.txt"
		{
			kt=$(date +%s)
			"$ROOT/qemu/kunit.sh" -o "$out/kunit-debug.txt" debug
			echo "part kunit-debug-kernel $(( $(date +%s) - kt ))" \
				"$(grep -c '^\(PASS\|FAIL\) ' "$out/kunit-debug.txt")" > "$out/timing-kunit.txt"
			KVER=$dver KIMAGE=$dimage KMODDIR=$dmoddir \
				XVS_KO=$BUILD/kmod-debug/kmod/xvs.ko XVS_PARALLEL=1 \
				XVS_APPEND=kmemleak=on XVS_PARTS=$out/timing-kdebug-leak.txt \
				"$ROOT/qemu/run-scenarios.sh" -o "$out/qemu-kdebug-leak.txt" \
				"${KDEBUG_LEAK_SCENARIOS[@]}"
		} > "$out/kdebug-side.log" 2>&1 &
		sidepid=$!
		KVER=$dver KIMAGE=$dimage KMODDIR=$dmoddir \
			XVS_KO=$BUILD/kmod-debug/kmod/xvs.ko XVS_PARALLEL=1 \
			XVS_PARTS=$out/timing-kdebug.txt \
			"$ROOT/qemu/run-scenarios.sh" -o "$out/qemu-kdebug.txt" \
			"${KDEBUG_SCENARIOS[@]}"
		wait $sidepid
		# (the side VMs' output after the other's, not interleaved with it)
		sed 's/^/   [KUnit, then the soak with kmemleak=on] /' "$out/kdebug-side.log"
		kdebug_results "$out/kunit-debug.txt"
		kdebug_results "$out/qemu-kdebug.txt"
		kdebug_results "$out/qemu-kdebug-leak.txt"
		cat "$out/timing-kunit.txt" >> "$parts"
		sed 's/^\(part\|scenario\) /&kdebug:/' "$out/timing-kdebug.txt" >> "$parts"
		sed 's/^\(part\|scenario\) /&kdebug-kmemleak:/' "$out/timing-kdebug-leak.txt" >> "$parts"
	fi
fi

timing_table
npass=$(grep -c '^PASS ' "$results")
nfail=$(grep -c '^FAIL ' "$results")
if [ "$nfail" -gt 0 ]; then
	echo "== failed tests (all results: $results)"
	grep '^FAIL ' "$results" | sed 's/^FAIL /   /'
fi
echo "$npass passed, $nfail failed"
[ "$nfail" -eq 0 ]
