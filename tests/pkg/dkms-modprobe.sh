#!/bin/bash
# Guest side of the packaging check (tests/pkg/check-packages.sh boots it
# with the xvs.ko that DKMS built on the host, installed in the image's
# module tree where DKMS put it): `modprobe xvs` loads that very module and
# it balances the seed-001 NAT lab, three requests per realserver.
# xvs-timeout: 240
. "$(dirname "$0")/lib.sh"

dkms_ko=/lib/modules/$(uname -r)/updates/dkms/xvs.ko
check_eq modprobe-path "$dkms_ko" "$(modinfo -n xvs 2>&1)"
_block_ip_vs
if ! out=$(modprobe xvs 2>&1); then
	fail modprobe "modprobe xvs: $out"
	finish
fi
pass modprobe
# the module in memory is the one DKMS built, not /xvs/xvs.ko: its
# build-id note is in that file
hex() { od -An -v -tx1 "$1" | tr -d ' \n'; }
note=$(hex /sys/module/xvs/notes/.note.gnu.build-id 2>/dev/null)
ko=$(hex "$dkms_ko")
if [ -n "$note" ] && [[ $ko == *"$note"* ]]; then
	pass loaded-is-dkms
else
	fail loaded-is-dkms "build-id note '${note:0:80}' not in $dkms_ko"
fi

if ! lab_nat_up > /tmp/lab-up.log 2>&1; then
	fail lab-up "$(tail -n 3 /tmp/lab-up.log)"
	lab_nat_down
	finish
fi
svc=$VIP:80
ok=1
for c in "-A -t $svc -s rr" "-a -t $svc -r 192.168.0.1:80 -m" \
	"-a -t $svc -r 192.168.0.2:80 -m" "-a -t $svc -r 192.168.0.3:80 -m"; do
	# shellcheck disable=SC2086
	out=$(lvs $c 2>&1) || { fail configure "ipvsadm $c: $out"; ok=0; break; }
done
[ $ok = 1 ] && pass configure
got=()
for i in $(seq 9); do got+=("$(lab_get 80)"); done
check_eq rr-traffic "rs3 rs2 rs1 rs3 rs2 rs1 rs3 rs2 rs1" "${got[*]}"
check_eq conn-entries 9 "$(lvs -L -n -c | awk -v s="$svc" '$1 == "TCP" && $5 == s' | wc -l)"

lab_nat_down
lvs -C
check rmmod rmmod xvs
finish
