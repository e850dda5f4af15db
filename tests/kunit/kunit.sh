#!/bin/bash
# Guest side of qemu/kunit.sh: loads xvs.ko, whose KUnit suites run while
# it loads (the kernel is booted with kunit.enable=1), and turns the KTAP
# output of the kernel log into one XVS-RESULT line per test case:
#   XVS-RESULT PASS <scenario id>/<suite>.<case>
# A skipped case fails (nothing here may be skipped); a suite whose output
# is missing or truncated (fewer results than its plan, no closing line)
# fails as a whole.  With kmemleak in the kernel, a scan after unloading
# xvs.ko fails on any leak that names xvs.
# The suites expected are listed in XVS_KUNIT_SUITES (the host passes it
# through the plan's argument), default: those of kmod/kunit/.
# xvs-timeout: 900
set -u
id=${XVS_SCENARIO_ID:-kunit}
expect=${1:-xvs_sched,xvs_proto,xvs_conn,xvs_genl,xvs_hidden}
ko=${XVS_KO:-/xvs/xvs.ko}

result() { echo "XVS-RESULT $1 $id/$2${3:+ $3}"; }
done_() { echo "XVS-DONE $id"; exit 0; }

if ! grep -qw 'kunit.enable=1' /proc/cmdline; then
	result FAIL setup "kernel not booted with kunit.enable=1"
	done_
fi
if [ ! -f "$ko" ]; then
	result FAIL setup "no $ko in the image"
	done_
fi

log=/tmp/kunit-dmesg.txt
mark="xvs-kunit-start-$$"
echo "$mark" > /dev/kmsg
if ! out=$(/usr/sbin/insmod "$ko" 2>&1); then
	result FAIL load "insmod xvs.ko failed: $out"
fi
# everything the kernel logged since the mark, timestamps removed
dmesg | sed -n "/$mark/,\$p" | sed 's/^\[[ 0-9.]*\] //' > "$log"

# The KTAP of 6.1: per suite "KTAP version 1" (older: "TAP version 14"),
# "# Subtest: NAME", "1..N", then "ok|not ok I CASE [# SKIP ...]"
# indented by four spaces, closed by an unindented "ok|not ok J NAME"
# (older kernels write "I - CASE": both are accepted).
awk -v id="$id" -v expect="$expect" '
	function res(v, t, why) {
		printf "XVS-RESULT %s %s/%s%s\n", v, id, t, (why == "" ? "" : " " why)
	}
	function close_suite(why) {
		if (suite == "")
			return
		if (planned < 0)
			res("FAIL", suite ".plan", "no test plan line")
		else if (seen != planned)
			res("FAIL", suite ".complete",
			    "planned " planned " cases, reported " seen)
		if (why != "")
			res("FAIL", suite ".end", why)
		suite = ""
	}
	/^ *(K?TAP version [0-9]+)$/ { next }
	/^    # Subtest: / {
		close_suite("no closing result line (output truncated?)")
		suite = $0; sub(/^    # Subtest: /, "", suite)
		planned = -1; seen = 0; found[suite] = 1
		next
	}
	suite != "" && /^    1\.\.[0-9]+$/ {
		planned = substr($0, 8) + 0
		next
	}
	suite != "" && /^    (not )?ok [0-9]+ / {
		line = $0; sub(/^    /, "", line)
		bad = (line ~ /^not ok/)
		sub(/^(not )?ok [0-9]+ (- )?/, "", line)
		name = line; why = ""
		if (name ~ / # /) {
			why = name; sub(/^[^#]* # */, "", why)
			sub(/ # .*/, "", name)
		}
		seen++
		if (bad)
			res("FAIL", suite "." name, "failed, see the console")
		else if (why ~ /^SKIP/)
			res("FAIL", suite "." name, "skipped: " why)
		else
			res("PASS", suite "." name, "")
		next
	}
	suite != "" && /^(not )?ok [0-9]+ / {
		close_suite("")
		next
	}
	END {
		close_suite("no closing result line (output truncated?)")
		n = split(expect, want, ",")
		for (i = 1; i <= n; i++)
			if (!(want[i] in found))
				res("FAIL", want[i] ".present",
				    "suite did not run (not built in or output missing)")
	}
' "$log"

# the whole KTAP, for the console log (quoted: not live kernel messages)
grep -E '^ *(K?TAP|#|1\.\.|ok|not ok)' "$log" | sed 's/^/> /'

/usr/sbin/rmmod xvs 2>/dev/null
if [ -d /sys/kernel/debug ] && ! mountpoint -q /sys/kernel/debug; then
	mount -t debugfs debugfs /sys/kernel/debug 2>/dev/null
fi
# kmemleak is off unless the kernel was booted with kmemleak=on
if grep -qw 'kmemleak=on' /proc/cmdline; then
	# two scans: a block is only reported once it was unreferenced in both
	echo scan > /sys/kernel/debug/kmemleak
	sleep 1
	echo scan > /sys/kernel/debug/kmemleak
	leaks=$(grep -c 'xvs' /sys/kernel/debug/kmemleak 2>/dev/null)
	if [ ! -r /sys/kernel/debug/kmemleak ]; then
		result FAIL kmemleak "no /sys/kernel/debug/kmemleak"
	elif [ "${leaks:-0}" -gt 0 ]; then
		result FAIL kmemleak "unreferenced objects of xvs after rmmod:"
		sed 's/^/> /' /sys/kernel/debug/kmemleak | head -n 60
	else
		result PASS kmemleak
	fi
fi
done_
