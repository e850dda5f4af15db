#!/usr/bin/env bash
# Runs the QEMU scenarios of tests/qemu/ and reports one result per test case.
#
# Usage: qemu/run-scenarios.sh [-o RESULTS] [SPEC...]
#   SPEC  NAME            every variant the scenario file declares
#         NAME:ARG[:ARG]  one instance with these arguments
#   no SPEC: every scenario, every variant.
# RESULTS (default build/qemu/last/results.txt) gets one line per test case:
#   PASS <name>  |  FAIL <name> <reason>
# The last output line is "qemu: N passed, N failed"; exit status 1 when a
# test failed.
#
# Scenario files declare themselves in comment headers:
#   # xvs-timeout: SECONDS     per instance (default 300)
#   # xvs-variant: ARGS        one instance per line (default: one, no args)
#   # xvs-reference: VARIANT   that variant is a reference run: the
#                              scenario's checks against the kernel's own
#                              ip_vs, which prove the checks (xvs is judged
#                              by its own variant), or our tools on ip_vs
#   # xvs-reference-inputs: PATH...
#                              what else such a run depends on (files or
#                              directories of the tree: the sources of the
#                              tools it runs on ip_vs)
#   # xvs-run: by-name         not part of a run of every scenario: only
#                              when named (tests/run-all.sh names those it
#                              runs on the debug kernel)
#   # xvs-vms: N               VMs the lab needs (default 1)
#   # xvs-vm: NAME KERNEL [VARIANT]
#                              one VM of a multi-VM lab: its name, the kernel
#                              it boots (debian, or a `make kernel` flavour:
#                              release, debug; A|B: the first one built)
#                              and, when given, the variant
#                              (first argument) the line is for
#   # xvs-serial: VM1 VM2      a null-modem cable between two VMs of the
#                              lab (a QEMU socket chardev on their second
#                              serial ports, which their /dev/ttyS0 names;
#                              see qemu/init).  A VM ends at most one cable.
# Single-VM instances are split between XVS_PARALLEL (default 2) VMs; each
# VM runs its share one after the other in one boot; if the VM dies (kernel
# panic: panic_on_warn, oops=panic), the scenario that was running fails and
# the remaining ones run in a fresh boot.
# Reference runs (XVS_REFERENCE): ip_vs does not change while xvs does, so a
# reference run only needs repeating when what it checks changes: the
# scenario, the shared guest helpers and test tools, Debian's kernel or its
# ipvsadm (reference_key).  tests/qemu/reference.txt lists the keys whose
# reference runs passed (`make test-reference` writes it).
#   changed (default)  run a reference variant only when its key is not
#                      listed there
#   all                run every reference variant
#   only               run only the reference variants, and list the keys
#                      of those that passed in tests/qemu/reference.txt
# A reference variant named explicitly (lvs-nat:ipvs) always runs.
# XVS_PHASE runs a part of the selection: "lanes" the single-VM instances,
# "labs" the multi-VM labs, "labs-debian" the labs whose VMs all boot
# Debian's kernel, "labs-built" the others (tests/run-all.sh builds the
# debug kernel, which such a lab boots, while the rest runs).
# XVS_PARTS (optional): a file that gets the run's timing, one line each:
#   part NAME SECONDS TESTS      the single-VM lanes, then each multi-VM lab
#   scenario NAME SECONDS        each single-VM instance's time in its VM
# (tests/run-all.sh prints them as its timing table).
# Multi-VM labs run after the single-VM lanes, one lab at a time, all VMs of
# the lab at once (two cores: a lab of three TCG VMs already fills them);
# the scenario runs in every VM with $XVS_VM naming its role; results are
# reported as <instance>/<vm>/<test>, each VM's console is checked.
set -uo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
# shellcheck source=qemu/lib.sh
. "$ROOT/qemu/lib.sh"

results=$XVS_LOGDIR/results.txt
TESTS_DIR=${XVS_TESTS_DIR:-$ROOT/tests/qemu}
if [ "${1:-}" = -o ]; then
	results=$2
	shift 2
fi
mkdir -p "$XVS_LOGDIR" "$(dirname "$results")"
: > "$results"

# --- the instances to run --------------------------------------------------
ids=() specs=() tmos=() vmss=() vmlists=() refkeys=()
XVS_REFERENCE=${XVS_REFERENCE:-changed}
REFERENCE_LIST=${XVS_REFERENCE_LIST:-$ROOT/tests/qemu/reference.txt}
skipped_refs=()
# reference_key FILE VARIANT: what a reference run of FILE's VARIANT depends
# on, hashed: the scenario, lib.sh and the lib-*.sh it names, the test tools
# it or they run (xvs-nltest with the netlink library it is built on), the
# paths of its xvs-reference-inputs header, the guest's init, Debian's
# kernel and ipvsadm; not xvs.ko
reference_key() {
	local f=$1 l t n libs=("$TESTS_DIR/lib.sh") srcs=()
	for l in "$TESTS_DIR"/lib-*.sh; do
		[ -f "$l" ] && grep -qF "${l##*/}" "$f" && libs+=("$l")
	done
	for t in "$ROOT"/tests/tools/xvs-*.c; do
		n=${t##*/}
		# (no pipe into grep -q: under pipefail its early exit fails it)
		grep -qw -- "${n%.c}" "$f" "${libs[@]}" && srcs+=("$t")
	done
	if grep -qw xvs-nltest "$f"; then
		srcs+=("$ROOT/userspace/tools/nltest.cpp")
		while IFS= read -r t; do srcs+=("$t"); done < <(find "$ROOT/userspace/lib" -type f | sort)
	fi
	# what a variant that runs our own tools on ip_vs also depends on
	for t in $(sed -n 's/^# xvs-reference-inputs: *//p' "$f"); do
		while IFS= read -r n; do srcs+=("$n"); done < <(find "$ROOT/$t" -type f | sort)
	done
	{
		echo "$KVER $(dpkg-query -W -f='${Version}' ipvsadm 2>/dev/null) ${f##*/} $2"
		cat "$f" "${libs[@]}" "${srcs[@]}" "$ROOT/qemu/init"
	} | sha256sum | cut -c1-16
}
is_reference() { # FILE VARIANT
	[ -n "$(sed -n 's/^# xvs-reference: *//p' "$1" | grep -xF -- "$2")" ]
}
add_instance() { # FILE ARGS
	local f=$1 args=$2 name tmo vms id vmlist
	name=$(basename "$f" .sh)
	tmo=$(sed -n 's/^# xvs-timeout: *\([0-9]*\).*/\1/p' "$f" | head -n 1)
	vms=$(sed -n 's/^# xvs-vms: *\([0-9]*\).*/\1/p' "$f" | head -n 1)
	# NAME=KERNEL of each VM line for this variant
	vmlist=$(awk -v v="${args%% *}" '$1 == "#" && $2 == "xvs-vm:" && NF >= 4 &&
		(NF < 5 || $5 == v) { printf "%s%s=%s", n++ ? " " : "", $3, $4 }' "$f")
	id=$name
	[ -z "$args" ] || id="$name-$(echo "$args" | tr ' ' '-')"
	ids+=("$id")
	specs+=("$name$([ -z "$args" ] || echo ":$(echo "$args" | tr ' ' ':')")")
	tmos+=("${tmo:-300}")
	vmss+=("${vms:-1}")
	vmlists+=("$vmlist")
	refkeys+=("${3:-}")
}
scenario_files() {
	local f
	for f in "$TESTS_DIR"/*.sh; do
		case ${f##*/} in lib*.sh) continue ;; esac
		echo "$f"
	done
}
add_all_variants() { # FILE
	local v found=0 key
	while IFS= read -r v; do
		found=1
		if ! is_reference "$1" "${v%% *}"; then
			[ "$XVS_REFERENCE" = only ] || add_instance "$1" "$v"
			continue
		fi
		key=$(reference_key "$1" "$v")
		if [ "$XVS_REFERENCE" = changed ] &&
			grep -qxF "$(basename "$1" .sh) ${v%% *} $key" "$REFERENCE_LIST" 2>/dev/null; then
			skipped_refs+=("$(basename "$1" .sh):${v// /:}")
			continue
		fi
		add_instance "$1" "$v" "$key"
	done < <(sed -n 's/^# xvs-variant: *//p' "$1")
	[ $found = 1 ] || [ "$XVS_REFERENCE" = only ] || add_instance "$1" ""
}
if [ $# -eq 0 ]; then
	while read -r f; do
		grep -q '^# xvs-run: *by-name' "$f" || add_all_variants "$f"
	done < <(scenario_files)
else
	for spec in "$@"; do
		f=$TESTS_DIR/${spec%%:*}.sh
		if [ ! -f "$f" ]; then
			echo "FAIL ${spec%%:*} no scenario file tests/qemu/${spec%%:*}.sh" >> "$results"
			continue
		fi
		if [ "$spec" = "${spec%%:*}" ]; then
			add_all_variants "$f"
		else
			add_instance "$f" "$(echo "${spec#*:}" | tr ':' ' ')"
		fi
	done
fi

record() { echo "$*" >> "$results"; }
if [ ${#skipped_refs[@]} -gt 0 ]; then
	xvs_log "reference runs not repeated (ip_vs passed them with these very checks; tests/qemu/reference.txt): ${skipped_refs[*]}"
fi

parts=${XVS_PARTS:-/dev/null}
# part_begin / part_end NAME: one "part" line of XVS_PARTS, with the wall
# time and the number of results recorded in between
part_begin() { part_t0=$(date +%s); part_n0=$(wc -l < "$results"); }
part_end() {
	echo "part $1 $(( $(date +%s) - part_t0 )) $(( $(wc -l < "$results") - part_n0 ))" >> "$parts"
}

# --- lanes: one VM each, many scenarios per boot ---------------------------
# XVS_PARALLEL VMs (default 2: the machine's two cores; TCG runs one vCPU on
# one host thread) run the instances, split by their expected durations.
image=$(xvs_image) || { record "FAIL qemu/image could not build the initramfs"; image=; }
timing=$XVS_LOGDIR/timings.txt
: > "$timing"

pending=() labs=()
for i in "${!ids[@]}"; do
	# shellcheck disable=SC2086 # one word per VM
	set -- ${vmlists[$i]}
	if [ "${vmss[$i]}" = 1 ] && [ $# -eq 0 ]; then
		pending+=("$i")
	elif [ $# -ne "${vmss[$i]}" ] && grep -q '^# xvs-vms:' "$TESTS_DIR/${specs[$i]%%:*}.sh"; then
		[ "${XVS_PHASE:-}" = lanes ] ||
			record "FAIL ${ids[$i]}/lab declares ${vmss[$i]} VMs but $# '# xvs-vm:' lines for this variant"
	else
		labs+=("$i")
	fi
done

case ${XVS_PHASE:-} in
lanes) labs=() ;;
labs*) pending=() ;;
esac
if [ "${XVS_PHASE:-}" = labs-debian ] || [ "${XVS_PHASE:-}" = labs-built ]; then
	some=()
	for i in "${labs[@]}"; do
		phase=labs-debian
		for e in ${vmlists[$i]}; do
			[ "${e#*=}" = debian ] || phase=labs-built
		done
		[ "$phase" != "$XVS_PHASE" ] || some+=("$i")
	done
	labs=("${some[@]}")
fi

if [ -n "$image" ] && [ $((${#pending[@]} + ${#labs[@]})) -gt 0 ]; then
	accel=$(xvs_accel "$image")
	export XVS_ACCEL=$accel
fi

# collect_instance CLEAN INDEX PREFIX LOG TIMING VM RESULTS: records the
# results of instance INDEX from the console text CLEAN (which shows it
# began), test names prefixed with PREFIX/.
collect_instance() {
	local clean=$1 i=$2 pfx=$3 log=$4 ltim=$5 vm=$6 lres=$7
	local id=${ids[$2]} section n=0 end rc secs why verdict test reason _
	section=$(awk -v id="$id" '
		index($0, "XVS-SCENARIO-BEGIN " id) && $NF == id { on = 1; next }
		on && index($0, "XVS-SCENARIO-END " id " ") { print; exit }
		on { print }' <<<"$clean")
	while read -r _ verdict test reason; do
		echo "$verdict $pfx/$test${reason:+ $reason}" >> "$lres"
		n=$((n + 1))
	done < <(grep -ao 'XVS-RESULT \(PASS\|FAIL\) .*' <<<"$section")
	end=$(grep -ao "XVS-SCENARIO-END $id rc=[0-9]* secs=[0-9.]*" <<<"$section")
	rc=$(sed -n 's/.* rc=\([0-9]*\).*/\1/p' <<<"$end")
	secs=$(sed -n 's/.* secs=\([0-9.]*\).*/\1/p' <<<"$end")
	echo "$pfx ${secs:-?}s rc=${rc:-none} ($vm)" >> "$ltim"
	[ "$pfx" != "$id" ] || echo "scenario ${specs[$i]%%:*} ${secs:-0}" >> "$parts"
	if ! grep -aq "XVS-DONE $id\$" <<<"$section"; then
		if [ -z "$end" ]; then
			why="the VM stopped during the scenario (kernel panic?), see $log"
		elif [ "$rc" = 137 ]; then
			why="timed out after ${tmos[$i]}s"
		else
			why="exited (rc=$rc) before its end"
		fi
		echo "FAIL $pfx/finished $why" >> "$lres"
	elif [ "$n" -eq 0 ]; then
		echo "FAIL $pfx/results the scenario reported no test result" >> "$lres"
	fi
}

# run_lane VM RESULTS TIMING INDEX...: boots VM with the instances; when a
# boot dies, the instance that was running fails and the rest run in a new
# boot.
run_lane() {
	local vm=$1 lres=$2 ltim=$3
	shift 3
	local pending=("$@") boot=0 plan total log vm_tmo t0 t1 qrc clean booted
	local left progressed i id bad
	lrecord() { echo "$*" >> "$lres"; }
	while [ ${#pending[@]} -gt 0 ]; do
		boot=$((boot + 1))
		plan='' total=0
		for i in "${pending[@]}"; do
			plan+="${plan:+,}${ids[$i]}=${specs[$i]}@${tmos[$i]}"
			total=$((total + tmos[i]))
		done
		log=$XVS_LOGDIR/$vm-boot$boot.log
		# the guest enforces each timeout; this one only catches a hung kernel
		vm_tmo=$((total + ${XVS_BOOT_ALLOWANCE:-180}))
		xvs_log "$vm boot $boot ($accel): ${#pending[@]} scenario(s), console: $log"
		t0=$(date +%s.%N)
		xvs_boot "$vm" "$plan" "$log" "$vm_tmo" "$image" "$accel"
		qrc=$?
		t1=$(date +%s.%N)
		clean=$(tr -d '\r' < "$log")
		booted=$(grep -ao "XVS-BOOTED $vm [0-9.]*" <<<"$clean" | awk '{ print $3 }')
		echo "$vm-boot$boot guest-boot-uptime=${booted:-none}s wall=$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.1f", b - a }')s qemu-rc=$qrc" >> "$ltim"

		left=()
		progressed=0
		for i in "${pending[@]}"; do
			id=${ids[$i]}
			if ! grep -aq "XVS-SCENARIO-BEGIN $id\$" <<<"$clean"; then
				left+=("$i")
				continue
			fi
			progressed=1
			collect_instance "$clean" "$i" "$id" "$log" "$ltim" "$vm" "$lres"
		done

		# the console must be free of oopses, warnings, lockdep, panics
		bad=$( { xvs_console_bad "$log"; grep -ao 'XVS-KERNEL-BAD .*' <<<"$clean"; } | head -n 5)
		if [ -n "$bad" ]; then
			lrecord "FAIL $vm-boot$boot/console-clean $(echo "$bad" | head -n 1 | tr -s ' ')"
			echo "$bad" | sed "s/^/[$vm console] /" >&2
		elif ! grep -aq "XVS-ALL-DONE $vm" <<<"$clean"; then
			lrecord "FAIL $vm-boot$boot/console-clean the VM did not finish its plan (qemu rc=$qrc), see $log"
		else
			lrecord "PASS $vm-boot$boot/console-clean"
		fi

		pending=("${left[@]}")
		if [ ${#pending[@]} -gt 0 ] && [ $progressed = 0 ]; then
			for i in "${pending[@]}"; do
				lrecord "FAIL ${ids[$i]}/finished not run: the VM did not boot (qemu rc=$qrc), see $log"
			done
			pending=()
		fi
	done
}

if [ -n "$image" ] && [ ${#pending[@]} -gt 0 ]; then
	nlanes=${XVS_PARALLEL:-2}
	[ "$nlanes" -ge 1 ] 2>/dev/null || nlanes=1
	[ "$nlanes" -le ${#pending[@]} ] || nlanes=${#pending[@]}
	# split: longest first, each to the least loaded VM, by the durations
	# of earlier runs (build/qemu/durations.txt, else those of a measured
	# run kept beside the scenarios, durations.txt; unknown: 60 s), then
	# run each VM's share in the declared order
	durations=$BUILD/qemu/durations.txt
	declare -A lane_of=() est=()
	for i in "${pending[@]}"; do
		est[$i]=$(cat "$durations" "$TESTS_DIR/durations.txt" 2>/dev/null |
			awk -v id="${ids[$i]}" '$1 == id && !d { d = $2 } END { printf "%d", d ? d : 60 }')
	done
	load=()
	for ((l = 0; l < nlanes; l++)); do load[l]=0; done
	for i in $(for j in "${pending[@]}"; do echo "${est[$j]} $j"; done | sort -rn | awk '{ print $2 }'); do
		best=0
		for ((l = 1; l < nlanes; l++)); do
			[ "${load[l]}" -lt "${load[best]}" ] && best=$l
		done
		lane_of[$i]=$best
		load[best]=$((load[best] + est[$i]))
	done
	part_begin
	lane_pids=()
	for ((l = 0; l < nlanes; l++)); do
		mine=()
		for i in "${pending[@]}"; do [ "${lane_of[$i]}" = $l ] && mine+=("$i"); done
		: > "$XVS_LOGDIR/lane$l.results"
		: > "$XVS_LOGDIR/lane$l.timings"
		run_lane "vm$l" "$XVS_LOGDIR/lane$l.results" "$XVS_LOGDIR/lane$l.timings" "${mine[@]}" &
		lane_pids+=($!)
	done
	wait "${lane_pids[@]}"
	for ((l = 0; l < nlanes; l++)); do
		cat "$XVS_LOGDIR/lane$l.results" >> "$results"
		cat "$XVS_LOGDIR/lane$l.timings" >> "$timing"
	done
	part_end "single-VM-lanes($nlanes)"
	# remember how long each instance took, for the next split
	{
		awk '$2 ~ /^[0-9.]+s$/ { sub(/s$/, "", $2); printf "%s %d\n", $1, $2 + 1 }' "$timing"
		cat "$durations" 2>/dev/null || true
	} | awk '!seen[$1]++' > "$durations.$$" && mv "$durations.$$" "$durations"
fi

# --- multi-VM labs -----------------------------------------------------------
# run_lab INDEX: boots the lab's VMs together on a private network (a
# network namespace with two bridges, see qemu/lib.sh) and collects every
# VM's results and console.
run_lab() {
	local i=$1 id=${ids[$1]} e k n=0 ns plan vm_tmo lab_vms='' j clean booted
	local -a names=() kernels=() pids=() logs=() qrcs=()
	local -A img_of=() kim_of=() kname_of=()
	for e in ${vmlists[$i]}; do
		names+=("${e%%=*}")
		kernels+=("${e#*=}")
		lab_vms+="${lab_vms:+,}${e%%=*}"
	done
	for k in "${kernels[@]}"; do
		[ -n "${img_of[$k]:-}" ] && continue
		# (not in $(...): it sets XK_*)
		if ! xvs_kernel "$k" > "$XVS_LOGDIR/$id-kernel.txt"; then
			record "FAIL $id/kernel-${k//|/-or-} $(cat "$XVS_LOGDIR/$id-kernel.txt")"
			return
		fi
		kim_of[$k]=$XK_IMAGE
		kname_of[$k]=$XK_NAME
		if ! img_of[$k]=$(xvs_kernel_image "$XVS_LOGDIR/$id-kmod-$XK_NAME.log"); then
			record "FAIL $id/image-$XK_NAME could not build the initramfs for kernel $XK_NAME"
			return
		fi
	done
	# the serial cables: both ends are VMs of this lab, one cable each
	local -a cables=()
	local -A on_cable=()
	local a b rest
	while read -r a b rest; do
		[ -n "$a" ] || continue
		if [ -z "$b" ] || [ -n "$rest" ] || [ "$a" = "$b" ] ||
			[[ " ${names[*]} " != *" $a "* ]] || [[ " ${names[*]} " != *" $b "* ]] ||
			[ -n "${on_cable[$a]:-}" ] || [ -n "${on_cable[$b]:-}" ]; then
			record "FAIL $id/lab-serial bad '# xvs-serial: $a $b${rest:+ $rest}' (two VMs of the lab, one cable each)"
			return
		fi
		on_cable[$a]=1 on_cable[$b]=1
		cables+=("$a $b")
	done < <(sed -n 's/^# xvs-serial: *//p' "$TESTS_DIR/${specs[$i]%%:*}.sh")
	ns=xvslab-$$-$i
	# shellcheck disable=SC2064 # the name now
	trap "xvs_labnet_down '$ns'" EXIT
	if ! xvs_labnet_up "$ns" ${#names[@]} >"$XVS_LOGDIR/$id-net.log" 2>&1; then
		record "FAIL $id/lab-net cannot build the lab network: $(tail -n 1 "$XVS_LOGDIR/$id-net.log")"
		xvs_labnet_down "$ns"
		return
	fi
	plan="$id=${specs[$i]}@${tmos[$i]}"
	vm_tmo=$((tmos[i] + ${XVS_LAB_END_WAIT:-120} + ${XVS_BOOT_ALLOWANCE:-180}))
	xvs_log "lab $id: VMs ${names[*]} on kernels$(for k in "${kernels[@]}"; do printf ' %s' "${kname_of[$k]}"; done) ($accel), netns $ns${cables[*]:+, serial cables: ${cables[*]}}"
	local sdir=$XVS_LOGDIR/serial-$i link
	mkdir -p "$sdir"
	for j in "${!names[@]}"; do
		n=$((j + 1))
		logs[j]=$XVS_LOGDIR/$id-${names[j]}.log
		link=$(xvs_lab_serial "$sdir" "${names[j]}" "${cables[@]}")
		# shellcheck disable=SC2046 # the NIC arguments split on purpose
		(
			# QEMU fails at start when the connecting end of a cable
			# finds no socket yet: that VM waits for its peer's
			xvs_lab_serial_wait "$link" 60
			XVS_NETNS=$ns XVS_APPEND="xvslab=$lab_vms xvslabwait=${XVS_LAB_END_WAIT:-120}${link:+ xvsseriallink=1}" \
				KIMAGE=${kim_of[${kernels[j]}]} XVS_SERIAL_LINK=$link xvs_boot "${names[j]}" "$plan" "${logs[j]}" "$vm_tmo" \
				"${img_of[${kernels[j]}]}" "$accel" $(xvs_lab_nics $n)
		) &
		pids[j]=$!
	done
	for j in "${!names[@]}"; do
		wait "${pids[j]}"
		qrcs[j]=$?
	done
	xvs_labnet_down "$ns"
	rm -rf "$sdir"
	trap - EXIT
	for j in "${!names[@]}"; do
		local vm=${names[j]} log=${logs[j]} bad
		clean=$(tr -d '\r' < "$log")
		booted=$(grep -ao "XVS-BOOTED $vm [0-9.]*" <<<"$clean" | awk '{ print $3 }')
		echo "$id/$vm guest-boot-uptime=${booted:-none}s qemu-rc=${qrcs[j]} kernel=${kname_of[${kernels[j]}]}" >> "$timing"
		if grep -aq "XVS-LAB-BROKEN $vm" <<<"$clean"; then
			record "FAIL $id/$vm/lab-net the guest could not set up its NICs, see $log"
		fi
		if grep -aq "XVS-SCENARIO-BEGIN $id\$" <<<"$clean"; then
			collect_instance "$clean" "$i" "$id/$vm" "$log" "$timing" "$vm" "$results"
		else
			record "FAIL $id/$vm/finished not run: the VM did not boot (qemu rc=${qrcs[j]}), see $log"
		fi
		bad=$( { xvs_console_bad "$log"; grep -ao 'XVS-KERNEL-BAD .*' <<<"$clean"; } | head -n 5)
		if [ -n "$bad" ]; then
			record "FAIL $id/$vm/console-clean $(echo "$bad" | head -n 1 | tr -s ' ')"
			echo "$bad" | sed "s/^/[$id $vm console] /" >&2
		elif ! grep -aq "XVS-ALL-DONE $vm" <<<"$clean"; then
			record "FAIL $id/$vm/console-clean the VM did not finish its plan (qemu rc=${qrcs[j]}), see $log"
		else
			record "PASS $id/$vm/console-clean"
		fi
	done
}

if [ -n "$image" ]; then
	for i in "${labs[@]}"; do
		part_begin
		run_lab "$i"
		part_end "lab:${ids[$i]}"
	done
fi

# the reference runs of this run that passed, with a clean console, are
# listed (one line per scenario and variant; the newest key replaces one
# listed before)
if [ "$XVS_REFERENCE" = only ] && ! grep -q '^FAIL .*/console-clean' "$results"; then
	for i in "${!ids[@]}"; do
		[ -n "${refkeys[$i]}" ] || continue
		grep -q "^PASS ${ids[$i]}/" "$results" || continue
		grep -q "^FAIL ${ids[$i]}/" "$results" && continue
		var=${specs[$i]#*:}
		var=${var%%:*}
		{
			grep -v "^${specs[$i]%%:*} $var " "$REFERENCE_LIST" 2>/dev/null
			echo "${specs[$i]%%:*} $var ${refkeys[$i]}"
		} | sort > "$REFERENCE_LIST.new" && mv "$REFERENCE_LIST.new" "$REFERENCE_LIST"
		xvs_log "reference $var of ${specs[$i]%%:*} passed: listed in ${REFERENCE_LIST#"$ROOT"/}"
	done
fi

sed 's/^/[time] /' "$timing" >&2
npass=$(grep -c '^PASS ' "$results")
nfail=$(grep -c '^FAIL ' "$results")
grep '^FAIL ' "$results" | sed 's/^/[qemu] /' >&2
echo "qemu: $npass passed, $nfail failed"
[ "$nfail" -eq 0 ]
