#!/usr/bin/env bash
# `make bench`: measures xvs against the kernel's IPVS (and a plain routed
# baseline) in ONE QEMU VM, alternating the balancers round by round, plus
# host microbenchmarks of the core.  Writes build/bench/results.json, the
# table (build/bench/table.txt, also printed) and build/bench/ratios.png.
# Nothing is asserted: missed targets are reported as such.
#
# Environment (defaults keep a run near 20 minutes under TCG on 2 cores):
#   XVS_BENCH_ROUNDS (3)      traffic rounds, each: ipvs, xvs, baseline
#   XVS_BENCH_SECS (4)        seconds per traffic measurement
#   XVS_BENCH_CONNS (1000000) connection entries of the scale test
#   XVS_BENCH_SERVICES (10000) services of the control-plane test (x4
#                             dests; 1000 saves about 10 minutes under TCG)
#   XVS_BENCH_CPROUNDS (1)    control-plane rounds
#   XVS_BENCH_LATRATE (50)    offered connections/s of the latency test
#   XVS_BENCH_PHASES (traffic+scale+control+dump+profile+pktgen; dump:
#                             the connection listings at CONNS/10 and
#                             CONNS entries; profile: perf's flat profiles
#                             of each balancer under NAT load, loading and
#                             listing, when perf is installed (scale: also
#                             of UDP NAT at 1k and at CONNS entries); pktgen: the
#                             per-packet cost of the balancer alone, in a
#                             VM of its own with one vCPU and QEMU -icount,
#                             tests/bench/pktgen.sh)
#   XVS_BENCH_DUMPCAP (600)   seconds one connection listing may take
#   XVS_BENCH_PG_ROUNDS (3)   pktgen rounds, each: ipvs, xvs, xvs with the
#                             fast path (xvsfast), baseline
#   XVS_BENCH_PG_COUNT (10000) packets per pktgen measurement
#   XVS_BENCH_PG_PROFILE (1)  0: no perf profiles in the pktgen phase
#   XVS_BENCH_PG_PCOUNT (50000)  packets of each profiled pktgen run
#   XVS_BENCH_FILL (udp)      entries of the scale test: udp (one datagram
#                             each) or tcp (SYN + ACK each: ESTABLISHED)
#   XVS_BENCH_MICRO (1)       0: skip the host microbenchmarks
#   XVS_BENCH_MEM (3072), XVS_BENCH_SMP (2): the VM
# BUILD (default build/) must hold the built module and userspace
# (the Makefile's bench target builds them first).
set -uo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
BUILD=${BUILD:-$ROOT/build}
OUT=$BUILD/bench
ROUNDS=${XVS_BENCH_ROUNDS:-3}
SECS=${XVS_BENCH_SECS:-4}
CONNS=${XVS_BENCH_CONNS:-1000000}
NSVC=${XVS_BENCH_SERVICES:-10000}
CPROUNDS=${XVS_BENCH_CPROUNDS:-1}
LATRATE=${XVS_BENCH_LATRATE:-50}
PHASES=${XVS_BENCH_PHASES:-traffic+scale+control+dump+profile+pktgen}
PG_ROUNDS=${XVS_BENCH_PG_ROUNDS:-3}
PG_COUNT=${XVS_BENCH_PG_COUNT:-10000}
PG_PROFILE=${XVS_BENCH_PG_PROFILE:-1}
PG_PCOUNT=${XVS_BENCH_PG_PCOUNT:-50000}
FILL=${XVS_BENCH_FILL:-udp}
DUMPCAP=${XVS_BENCH_DUMPCAP:-600}

say() { echo "[bench] $*" >&2; }
die() { say "$*"; exit 1; }

for v in ROUNDS SECS CONNS NSVC CPROUNDS LATRATE PG_ROUNDS PG_COUNT PG_PCOUNT DUMPCAP; do
	[[ ${!v} =~ ^[1-9][0-9]*$ ]] || die "$v must be a positive number (got '${!v}')"
done
[[ $PHASES =~ ^[a-z+]+$ ]] || die "XVS_BENCH_PHASES: words joined by '+'"
[[ $FILL =~ ^(udp|tcp)$ ]] || die "XVS_BENCH_FILL: udp or tcp"
[[ $PG_PROFILE =~ ^[01]$ ]] || die "XVS_BENCH_PG_PROFILE: 0 or 1"
[ -f "$BUILD/kmod/xvs.ko" ] || die "no $BUILD/kmod/xvs.ko (make kmod)"
[ -x "$BUILD/bin/xvs-load" ] || die "no $BUILD/bin/xvs-load (make userspace)"
command -v python3 >/dev/null || die "python3 is missing (make deps)"
has_phase() { [[ +$PHASES+ == *+$1+* ]]; }
# the phases of the main VM (all but pktgen)
MAIN_PHASES=$(tr '+' '\n' <<<"$PHASES" | grep -vx pktgen | paste -sd+)
# perf goes into the VM image for the profile phase (and pktgen's profiles)
PERF=
if has_phase profile || has_phase scale || { has_phase pktgen && [ "$PG_PROFILE" = 1 ]; }; then
	PERF=$(command -v perf) || say "no perf (apt-get install linux-perf): profile phase skipped"
fi

rm -rf "$OUT"
mkdir -p "$OUT"

# --- host microbenchmarks ----------------------------------------------------
micro=$BUILD/cmake/bench/xvs-core-bench
if [ "${XVS_BENCH_MICRO:-1}" = 1 ]; then
	if [ -x "$micro" ]; then
		say "host microbenchmarks ($micro)"
		"$micro" --benchmark_min_time=0.05 --benchmark_format=json \
			--benchmark_out="$OUT/micro.json" --benchmark_out_format=json \
			>/dev/null 2>"$OUT/micro.log" ||
			say "microbenchmarks failed, see $OUT/micro.log"
	else
		say "no $micro (libbenchmark-dev missing when CMake ran?): microbenchmarks skipped"
	fi
fi

# --- the VM ------------------------------------------------------------------
# The guest script runs as a scenario of its own directory, next to the
# scenarios' lib.sh; its timeout covers the whole run.
: > "$OUT/raw.txt"
: > "$OUT/guest-log.txt"
: > "$OUT/failures.txt"
# collect QEMUDIR HARNESS: the figures, guest log lines, profiles and
# failures of one VM run
collect() {
	cat "$1"/vm*-boot*.log 2>/dev/null | tr -d '\r' | grep -a '^XVS-BENCH ' >> "$OUT/raw.txt"
	cat "$1"/vm*-boot*.log 2>/dev/null | tr -d '\r' | grep -a '^# ' >> "$OUT/guest-log.txt"
	# profiles: "XVS-PROFILE LB WHAT line" -> profile-LB-WHAT.txt
	cat "$1"/vm*-boot*.log 2>/dev/null | tr -d '\r' | grep -a '^XVS-PROFILE ' |
		awk -v out="$OUT" '{ f = out "/profile-" $2 "-" $3 ".txt"; sub(/^XVS-PROFILE [^ ]+ [^ ]+ ?/, ""); print > f }'
	# failures of the run itself (a phase that could not run, a dead VM)
	grep '^FAIL ' "$2" >> "$OUT/failures.txt"
}

if [ -n "$MAIN_PHASES" ]; then
	stage=$OUT/scenario
	mkdir -p "$stage"
	cp "$ROOT/tests/qemu/lib.sh" "$stage/lib.sh"
	# (generous: the guest ends each phase by itself; this only catches a hang)
	tmo=$((900 + ROUNDS * SECS * 60 + CPROUNDS * NSVC * 2 / 10 + CONNS / 1000 * 2))
	# (the dump phase: two fills of CONNS per balancer, at most 6 capped
	# listings each)
	has_phase dump && tmo=$((tmo + 2 * (CONNS / 1000 * 2 + 6 * DUMPCAP)))
	sed "s/^# xvs-timeout: .*/# xvs-timeout: $tmo/" "$ROOT/tests/bench/guest.sh" > "$stage/bench.sh"
	spec="bench:$ROUNDS:$SECS:$CONNS:$NSVC:$MAIN_PHASES:$LATRATE:$CPROUNDS:$FILL:$DUMPCAP"
	say "VM run: $spec (timeout $tmo s; console under $OUT/qemu/)"
	t0=$SECONDS
	XVS_TESTS_DIR=$stage XVS_LOGDIR=$OUT/qemu XVS_PARALLEL=1 \
		XVS_SMP=${XVS_BENCH_SMP:-2} XVS_MEM=${XVS_BENCH_MEM:-3072} BUILD=$BUILD \
		XVS_EXTRA_BINS=$PERF \
		"$ROOT/qemu/run-scenarios.sh" -o "$OUT/harness.txt" "$spec" > "$OUT/harness.log" 2>&1
	say "VM run took $((SECONDS - t0)) s"
	collect "$OUT/qemu" "$OUT/harness.txt"
fi

# --- the pktgen VM ---------------------------------------------------------------
# One vCPU (icount runs no SMP guest) and -icount shift=0,sleep=off: guest
# time is the count of instructions executed (1 ns each), so the figures
# hardly depend on the host's load.  TCG only (icount has no KVM mode).
if has_phase pktgen; then
	stage=$OUT/scenario-pktgen
	mkdir -p "$stage"
	cp "$ROOT/tests/qemu/lib.sh" "$stage/lib.sh"
	# (host time under TCG: about 200 s a round plus 4 ms per packet of a
	# measurement; generous, it only catches a hang)
	tmo=$((1200 + PG_ROUNDS * (550 + PG_COUNT / 150) + PG_PCOUNT / 75))
	sed "s/^# xvs-timeout: .*/# xvs-timeout: $tmo/" "$ROOT/tests/bench/pktgen.sh" > "$stage/pktgen.sh"
	spec="pktgen:$PG_ROUNDS:$PG_COUNT:$([ -n "$PERF" ] && echo "$PG_PROFILE" || echo 0):$PG_PCOUNT"
	say "pktgen VM run (1 vCPU, -icount shift=0,sleep=off): $spec (timeout $tmo s; console under $OUT/qemu-pktgen/)"
	t0=$SECONDS
	XVS_TESTS_DIR=$stage XVS_LOGDIR=$OUT/qemu-pktgen XVS_PARALLEL=1 \
		XVS_SMP=1 XVS_ICOUNT=1 XVS_ACCEL=tcg XVS_MEM=${XVS_BENCH_PG_MEM:-1024} BUILD=$BUILD \
		XVS_EXTRA_BINS=$PERF XVS_EXTRA_MODS=pktgen \
		"$ROOT/qemu/run-scenarios.sh" -o "$OUT/harness-pktgen.txt" "$spec" > "$OUT/harness-pktgen.log" 2>&1
	say "pktgen VM run took $((SECONDS - t0)) s"
	collect "$OUT/qemu-pktgen" "$OUT/harness-pktgen.txt"
fi

python3 "$ROOT/tests/bench/report.py" "$OUT" || die "report failed"
if command -v gnuplot >/dev/null && [ -s "$OUT/ratios.dat" ]; then
	gnuplot "$OUT/ratios.gp" 2>"$OUT/gnuplot.log" || say "gnuplot failed, see $OUT/gnuplot.log"
fi
cat "$OUT/table.txt"
if [ -s "$OUT/failures.txt" ]; then
	say "parts of the run failed:"
	sed 's/^/[bench]   /' "$OUT/failures.txt" >&2
	exit 1
fi
say "results: $OUT/results.json, $OUT/table.txt$([ -f "$OUT/ratios.png" ] && echo ", $OUT/ratios.png")"
