#!/usr/bin/env bash
# Builds the Debian packages (make deb), checks them with lintian, installs
# them on this host and checks the result: DKMS builds xvs.ko for the newest
# Debian 6.1 kernel that has headers, the packaged xvsadm and xvsd run.
# Then purges them and removes what DKMS left, unless KEEP is set.
#
# One line per check on stdout: "PASS pkg/NAME" or "FAIL pkg/NAME reason".
# Logs go to build/pkg-test/.  Must run as root.
#
#   XVS_PKG_DEBS=DIR  check the packages already in DIR (e.g. build/deb after
#                     `make deb`) instead of building them
#   KEEP=1            leave the packages installed
set -uo pipefail

ROOT=$(cd "$(dirname "$0")/../.." && pwd)
LOGS=$ROOT/build/pkg-test
rm -rf "$LOGS"
mkdir -p "$LOGS"
export DEBIAN_FRONTEND=noninteractive
APT=(apt-get -y -q -o DPkg::Lock::Timeout=300)
PKGS=(xvs-dkms xvsadm xvsd)

pass() { echo "PASS pkg/$1"; }
fail() { echo "FAIL pkg/$1 $2"; }
# check NAME REASON CMD...: PASS if CMD succeeds, else FAIL with REASON
check() {
	local name=$1 reason=$2
	shift 2
	if "$@"; then pass "$name"; else fail "$name" "$reason"; fi
}
# logged LOG CMD...: CMD with its output in LOG
logged() {
	local log=$1
	shift
	"$@" >"$log" 2>&1
}
# apt_install LOG DEB...: fails on an empty name (a missing package)
apt_install() {
	local log=$1 d
	shift
	for d in "$@"; do
		[ -n "$d" ] || { echo "no package file" >"$log"; return 1; }
	done
	logged "$log" "${APT[@]}" install "$@"
}
installed() { dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q 'install ok installed'; }

if [ "$(id -u)" -ne 0 ]; then
	fail run "must run as root"
	exit 1
fi

# What this script may create and must remove again: DKMS's signing key is
# made on the first DKMS build on a host.
had_mok=0
[ -e /var/lib/dkms/mok.key ] && had_mok=1
had_ip_vs=0
[ -d /sys/module/ip_vs ] && had_ip_vs=1

purge() {
	local p left=()
	for p in "${PKGS[@]}"; do
		installed "$p" || dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q config-files &&
			left+=("$p")
	done
	[ ${#left[@]} -eq 0 ] || "${APT[@]}" purge "${left[@]}"
}

cleanup() {
	[ -n "${KEEP:-}" ] && return
	purge >>"$LOGS/purge.log" 2>&1
	rm -rf /var/lib/dkms/xvs /usr/src/xvs-*
	[ $had_mok -eq 1 ] || rm -f /var/lib/dkms/mok.key /var/lib/dkms/mok.pub
	[ $had_ip_vs -eq 1 ] || modprobe -r ip_vs 2>/dev/null
	rm -rf "$tmp"
}
tmp=$(mktemp -d)
trap cleanup EXIT

# Leftovers of an earlier run with KEEP=1 would hide what this one installs.
purge >"$LOGS/preclean.log" 2>&1

# --- build ------------------------------------------------------------------
if [ -n "${XVS_PKG_DEBS:-}" ]; then
	debs=$(cd "$XVS_PKG_DEBS" 2>/dev/null && pwd)
	check build "no directory $XVS_PKG_DEBS" test -n "$debs"
else
	debs=$ROOT/build/deb
	check build "make deb failed, see $LOGS/build.log" \
		logged "$LOGS/build.log" make -C "$ROOT" --no-print-directory deb
fi
deb_of() { ls "$debs"/"$1"_*_"$2".deb 2>/dev/null | sort -V | tail -n 1; }
dkms_deb=$(deb_of xvs-dkms all)
adm_deb=$(deb_of xvsadm amd64)
d_deb=$(deb_of xvsd amd64)
missing=""
[ -n "$dkms_deb" ] || missing+=" xvs-dkms"
[ -n "$adm_deb" ] || missing+=" xvsadm"
[ -n "$d_deb" ] || missing+=" xvsd"
check debs "missing in $debs:$missing" test -z "$missing"
version=$(dpkg-deb -f "$dkms_deb" Version 2>/dev/null)

# --- lintian: no errors -----------------------------------------------------
if ! command -v lintian >/dev/null; then
	fail lintian "lintian is not installed (scripts/install-deps.sh deb)"
else
	# exits non-zero on error tags (its default --fail-on) or when it breaks
	lintian "$dkms_deb" $adm_deb $d_deb >"$LOGS/lintian.log" 2>&1
	lrc=$?
	errors=$(grep -c '^E: ' "$LOGS/lintian.log")
	if [ "$errors" -ne 0 ]; then
		fail lintian "$errors error tags: $(grep '^E: ' "$LOGS/lintian.log" | head -n 3 | tr '\n' ' ')"
	elif [ $lrc -ne 0 ]; then
		fail lintian "lintian exited with $lrc, see $LOGS/lintian.log"
	else
		pass lintian
	fi
fi

# --- xvs-dkms -----------------------------------------------------------------
# the kernel: the newest Debian 6.1 kernel with headers (DKMS builds for all)
kver=$(ls -d /lib/modules/6.1.*-amd64/build 2>/dev/null | sed 's#^/lib/modules/##; s#/build$##' |
	sort -V | tail -n 1)
check kernel-headers "no Debian 6.1 kernel with headers in /lib/modules" test -n "$kver"

check install-dkms "apt-get install xvs-dkms failed, see $LOGS/install-dkms.log" \
	apt_install "$LOGS/install-dkms.log" "$dkms_deb"

dkms status -m xvs >"$LOGS/dkms-status.log" 2>&1
check dkms-status "dkms status has no 'xvs/$version, $kver, ...: installed' line (postinst did not build it), see $LOGS/dkms-status.log" \
	grep -qF "xvs/$version, $kver, $(uname -m): installed" "$LOGS/dkms-status.log"

ko=/lib/modules/$kver/updates/dkms/xvs.ko
check dkms-module "$ko is missing" test -f "$ko"
vermagic=$(modinfo -F vermagic "$ko" 2>/dev/null)
check vermagic "vermagic of $ko is '$vermagic', not $kver" test "${vermagic%% *}" = "$kver"
found=$(modinfo -k "$kver" -n xvs 2>/dev/null)
check modprobe-finds "modinfo -k $kver -n xvs gives '$found', not $ko (depmod?)" test "$found" = "$ko"

# in a VM of that kernel, `modprobe xvs` loads what DKMS built and it
# carries traffic (tests/pkg/dkms-modprobe.sh with the scenarios' lib.sh)
if [ -f "$ko" ] && [ -f "/boot/vmlinuz-$kver" ]; then
	mkdir -p "$tmp/vmtests"
	cp "$ROOT/tests/qemu/lib.sh" "$ROOT/tests/pkg/dkms-modprobe.sh" "$tmp/vmtests/"
	KVER=$kver XVS_MODULES_KO=$ko XVS_TESTS_DIR=$tmp/vmtests \
		"$ROOT/qemu/run-scenarios.sh" -o "$LOGS/vm-results.txt" dkms-modprobe \
		>"$LOGS/vm.log" 2>&1
	sed -n 's#^\(PASS\|FAIL\) dkms-modprobe/#\1 pkg/vm-#p' "$LOGS/vm-results.txt" 2>/dev/null
	grep -qE '^(PASS|FAIL) dkms-modprobe/' "$LOGS/vm-results.txt" 2>/dev/null ||
		fail vm "the VM run reported nothing, see $LOGS/vm.log"
else
	fail vm "no $ko or no /boot/vmlinuz-$kver to boot"
fi

conf=/etc/modprobe.d/xvs.conf
check modprobe-conf "$conf missing or has active lines" \
	bash -c "test -f $conf && ! grep -qvE '^[[:space:]]*(#|$)' $conf"

# --- xvsadm, xvsd -------------------------------------------------------------
check install-userspace "apt-get install xvsadm xvsd failed, see $LOGS/install-userspace.log" \
	apt_install "$LOGS/install-userspace.log" "$adm_deb" "$d_deb"

# xvsadm answers as ipvsadm does, exit status included (both fail alike with
# status 2 where the running kernel has no IPVS)
for args in --version -h; do
	name=xvsadm-version
	[ "$args" = -h ] && name=xvsadm-help
	{ /usr/sbin/xvsadm $args 2>&1; echo "exit $?"; } >"$LOGS/xvsadm$args.out"
	{ ipvsadm $args 2>&1; echo "exit $?"; } >"$LOGS/ipvsadm$args.out"
	check "$name" "differs from ipvsadm $args: $(diff "$LOGS/ipvsadm$args.out" "$LOGS/xvsadm$args.out" 2>&1 | head -n 3 | tr '\n' ' ')" \
		cmp -s "$LOGS/ipvsadm$args.out" "$LOGS/xvsadm$args.out"
done

/usr/sbin/xvsd --help >"$LOGS/xvsd-help.out" 2>&1
rc=$?
check xvsd-help "xvsd --help: exit $rc, $(head -n 1 "$LOGS/xvsd-help.out")" \
	test $rc -eq 0 -a "$(head -c 11 "$LOGS/xvsd-help.out")" = "Usage: xvsd"
/usr/sbin/xvsd --no-such-option >/dev/null 2>&1
rc=$?
check xvsd-badopt "xvsd --no-such-option: exit $rc, not 2" test $rc -eq 2

# the shipped examples parse with the shipped binary
mkdir -p "$tmp/ha.d"
cp /usr/share/doc/xvsd/examples/* "$tmp/ha.d/" 2>/dev/null
chmod 600 "$tmp/ha.d/authkeys" 2>/dev/null
check xvsd-examples "xvsd check-config on the examples failed, see $LOGS/xvsd-examples.log" \
	logged "$LOGS/xvsd-examples.log" \
		/usr/sbin/xvsd --ha-dir "$tmp/ha.d" --node director1.example.org check-config

unit=/lib/systemd/system/xvsd.service
check xvsd-unit "$unit missing or enabled" \
	bash -c "grep -qs '^ExecStart=.*xvsd' $unit && ! test -e /etc/systemd/system/multi-user.target.wants/xvsd.service"

# --- back to the host as it was -------------------------------------------
if [ -n "${KEEP:-}" ]; then
	echo "KEEP: packages left installed; xvs.ko at $ko" >&2
	[ $had_mok -eq 1 ] ||
		echo "KEEP: DKMS made its signing key /var/lib/dkms/mok.{key,pub} in this run" >&2
	exit 0
fi
check purge "apt-get purge failed, see $LOGS/purge.log" \
	logged "$LOGS/purge.log" "${APT[@]}" purge "${PKGS[@]}"
left=$( { dkms status -m xvs 2>/dev/null; ls -d /var/lib/dkms/xvs /usr/src/xvs-* $conf \
	/lib/modules/*/updates/dkms/xvs.ko 2>/dev/null; } | tr '\n' ' ')
check purge-clean "left behind: $left" test -z "$left"
exit 0
