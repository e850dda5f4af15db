#!/usr/bin/env bash
# `make test`: the host unit tests (GoogleTest binaries in build/bin), then
# every QEMU scenario of tests/qemu/ (qemu/run-scenarios.sh).  Every test
# case counts once: each gtest test, each XVS-RESULT of a scenario, each
# boot's console-clean check.  A missing piece (binary not built, module
# missing, scenario that dies) is a failure, never a skip.
# The last line is exactly "N passed, N failed"; exit status 1 on failure.
#
# Environment: XVS_BUILD_OK=0 (set by `make test` when `make all` failed)
# records the failed build; XVS_SKIP_QEMU=1 / XVS_SKIP_UNIT=1 leave a part
# out (for development only; `make test` never sets them).
set -uo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
BUILD=${BUILD:-$ROOT/build}
export ROOT BUILD

out=$BUILD/test-results
mkdir -p "$out"
results=$out/results.txt
: > "$results"
record() { echo "$*" >> "$results"; }

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
	if [ -x "$BUILD/bin/xvs-core-tests" ]; then
		run_gtest "$BUILD/bin/xvs-core-tests"
	else
		record "FAIL xvs-core-tests/binary build/bin/xvs-core-tests missing (make userspace)"
	fi
	# other host unit-test binaries the build produces
	for b in "$BUILD"/bin/*-unittest; do
		[ -x "$b" ] && run_gtest "$b"
	done
fi

if [ "${XVS_SKIP_QEMU:-0}" != 1 ]; then
	echo "== QEMU scenarios"
	[ -f "$BUILD/kmod/xvs.ko" ] ||
		echo "   note: build/kmod/xvs.ko is missing: every xvs run will fail"
	"$ROOT/qemu/run-scenarios.sh" -o "$out/qemu-results.txt"
	cat "$out/qemu-results.txt" >> "$results"
fi

npass=$(grep -c '^PASS ' "$results")
nfail=$(grep -c '^FAIL ' "$results")
if [ "$nfail" -gt 0 ]; then
	echo "== failed tests (all results: $results)"
	grep '^FAIL ' "$results" | sed 's/^FAIL /   /'
fi
echo "$npass passed, $nfail failed"
[ "$nfail" -eq 0 ]
