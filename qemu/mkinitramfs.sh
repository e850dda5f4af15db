#!/usr/bin/env bash
# Builds the initramfs the test VMs boot: busybox + bash + iproute2 + kmod +
# ipvsadm + build/bin/* (each with its shared libraries), the kernel modules
# the labs need with their dependency closure, build/kmod/xvs.ko when it
# exists, and the scenario files of tests/qemu/.
#
# Usage: mkinitramfs.sh            prints the path of the (cached) image
# Environment: KVER, KMODDIR (kernel modules to ship), ROOT, BUILD.
# The image is cached under $BUILD/qemu/ keyed by a hash of all its inputs,
# so an unchanged tree costs only the hashing.
set -euo pipefail

ROOT=${ROOT:-$(cd "$(dirname "$0")/.." && pwd)}
BUILD=${BUILD:-$ROOT/build}
KVER=${KVER:-$(ls /lib/modules | grep -E '^6\.1\.[0-9]+-[0-9]+-amd64$' | sort -V | tail -n 1)}
KMODDIR=${KMODDIR:-/lib/modules/$KVER}
OUT=$BUILD/qemu
# scenario files (XVS_TESTS_DIR: another directory, e.g. for checking that
# a broken expectation fails)
TESTS_DIR=${XVS_TESTS_DIR:-$ROOT/tests/qemu}

die() { echo "mkinitramfs: $*" >&2; exit 1; }

[ -f "$KMODDIR/modules.dep" ] || die "no modules.dep in $KMODDIR"

# Userspace programs to ship (absolute host paths).  iproute2's ip goes to
# /usr/sbin, which comes first in the guest PATH: busybox's ip has no netns.
host_bins=(/usr/bin/bash /usr/sbin/ip /usr/sbin/ipvsadm /usr/bin/kmod)
BUSYBOX=${BUSYBOX:-$(command -v busybox || true)}
[ -n "$BUSYBOX" ] || die "busybox not found (install busybox-static)"
case $(ldd "$BUSYBOX" 2>&1 || true) in *"not a dynamic executable"*) ;; *) false ;; esac ||
	die "$BUSYBOX is not statically linked (install busybox-static)"
for b in "${host_bins[@]}"; do [ -x "$b" ] || die "missing $b"; done
# Shipped when installed (fwmark scenarios mark packets with nft).
opt_bins=()
for b in /usr/sbin/nft; do [ -x "$b" ] && opt_bins+=("$b"); done
# FRR's zebra, bgpd and vtysh when the host has them (package frr): the
# routers and directors of ecmp-tier speak BGP with them.  A lab without
# them fails its FRR step.
frr_bins=()
for b in /usr/lib/frr/zebra /usr/lib/frr/bgpd /usr/bin/vtysh; do
	[ -x "$b" ] && frr_bins+=("$b")
done
[ ${#frr_bins[@]} -eq 3 ] || frr_bins=()
# Asked for by the caller (make bench ships perf): absolute host paths.
for b in ${XVS_EXTRA_BINS:-}; do
	[ -x "$b" ] || die "XVS_EXTRA_BINS: no executable $b"
	opt_bins+=("$b")
done

# (the host's unit-test binaries stay out: nothing runs them in a guest)
project_bins=()
if [ -d "$BUILD/bin" ]; then
	for b in "$BUILD"/bin/*; do
		case ${b##*/} in *-unittest | *-tests) continue ;; esac
		[ -f "$b" ] && [ -x "$b" ] && project_bins+=("$b")
	done
fi
XVS_KO=${XVS_KO:-$BUILD/kmod/xvs.ko}
# XVS_MODULES_KO (optional): an xvs.ko installed in the host's module tree
# (KMODDIR/updates/dkms/xvs.ko, as DKMS leaves it), shipped at the same place
# in the image's tree so that the guest's `modprobe xvs` finds it.
XVS_MODULES_KO=${XVS_MODULES_KO:-}
if [ -n "$XVS_MODULES_KO" ]; then
	case $XVS_MODULES_KO in
	"$KMODDIR"/*.ko) [ -f "$XVS_MODULES_KO" ] || die "XVS_MODULES_KO: no file $XVS_MODULES_KO" ;;
	*) die "XVS_MODULES_KO: $XVS_MODULES_KO is not a module under $KMODDIR" ;;
	esac
fi

# Kernel modules the labs use; the closure comes from modules.dep.
# (virtio_pci, virtio_net: the NICs of multi-VM labs)
wanted_mods=(veth bridge ipip ip_gre fou virtio_pci virtio_net)
# (sctp: the SCTP lab; xfrm_user, esp4, authenc: its ESP check)
wanted_mods+=(sctp xfrm_user esp4 authenc)
# (ip6_tunnel, ip6_gre, fou6: the IPv6 tunnel realservers of lvs-ipv6;
# sit: IPv6 in IPv4 for lvs-tun-mixed)
wanted_mods+=(ip6_tunnel ip6_gre fou6 sit)
# (nft_ct, nft_objref, nf_conntrack_ftp: ct expressions and the ftp
# conntrack helper (ct helper set) of the conntrack scenario)
[ ${#opt_bins[@]} -eq 0 ] || wanted_mods+=(nf_tables nft_ct nft_objref nf_conntrack_ftp)
# Asked for by the caller (make bench's pktgen phase ships pktgen): names.
for m in ${XVS_EXTRA_MODS:-}; do
	[[ $m =~ ^[A-Za-z0-9_-]+$ ]] || die "XVS_EXTRA_MODS: bad module name '$m'"
	wanted_mods+=("$m")
done
# Shipped where the kernel has them (the test kernel's trimmed config has
# not): 8021q, the private LAN of seed003-farm, a VLAN beside its public
# one; nft_chain_nat, nft_masq: that lab's masquerading, the seed's
# ipfwadm line.  The lab boots Debian's kernel.
opt_mods=(8021q)
[ ${#opt_bins[@]} -eq 0 ] || opt_mods+=(nft_chain_nat nft_masq)
for m in "$KMODDIR"/kernel/net/netfilter/ipvs/*.ko*; do
	m=${m##*/}
	wanted_mods+=("${m%%.ko*}")
done

# path of a module (relative to KMODDIR) by name, from modules.dep
mod_path() {
	awk -F: -v n="$1" '{ p = $1; sub(/.*\//, "", p); sub(/\.ko.*/, "", p);
		gsub(/-/, "_", p); m = n; gsub(/-/, "_", m);
		if (p == m) { print $1; exit } }' "$KMODDIR/modules.dep"
}

# modules a name stands for: itself, or what modules.alias maps it to
mod_resolve() {
	local p
	p=$(mod_path "$1")
	if [ -n "$p" ]; then
		echo "$p"
		return
	fi
	awk -v n="$1" '$1 == "alias" && $2 == n { print $3 }' "$KMODDIR/modules.alias" |
		while read -r m; do mod_path "$m"; done
}

declare -A mod_set=()
add_mod() { # PATH: the module, its modules.dep closure and its soft deps
	local p=$1 d s
	[ -n "${mod_set[$p]:-}" ] && return
	mod_set[$p]=1
	for d in $(awk -F: -v p="$p" '$1 == p { print $2 }' "$KMODDIR/modules.dep"); do
		add_mod "$d"
	done
	local name=${p##*/}
	name=${name%%.ko*}
	for s in $(awk -v n="$name" '$1 == "softdep" && $2 == n {
			for (i = 3; i <= NF; i++) if ($i != "pre:" && $i != "post:") print $i }' \
			"$KMODDIR/modules.softdep" 2>/dev/null); do
		for d in $(mod_resolve "$s"); do add_mod "$d"; done
	done
}
for m in "${wanted_mods[@]}"; do
	p=$(mod_path "$m")
	# built into the kernel: nothing to ship
	[ -n "$p" ] || ! grep -qE "/${m//_/[-_]}\.ko" "$KMODDIR/modules.builtin" 2>/dev/null || continue
	[ -n "$p" ] || die "module $m not in $KMODDIR/modules.dep"
	add_mod "$p"
done
for m in "${opt_mods[@]}"; do
	p=$(mod_path "$m")
	[ -z "$p" ] || add_mod "$p"
done
mods=$(printf '%s\n' "${!mod_set[@]}" | sort)

# Cache key: every input's identity (path, size, mtime) plus this script and
# the guest init.
key=$( {
	cat "$0" "$ROOT/qemu/init" "$ROOT/qemu/demo-guest.sh"
	echo "$KVER $KMODDIR"
	stat -L -c '%n %s %Y' "$BUSYBOX" "${host_bins[@]}" "${opt_bins[@]}" "${frr_bins[@]}"
	[ ${#project_bins[@]} -eq 0 ] || stat -L -c '%n %s %Y' "${project_bins[@]}"
	[ -f "$XVS_KO" ] && stat -c '%n %s %Y' "$XVS_KO"
	[ -z "$XVS_MODULES_KO" ] || stat -c 'modules %n %s %Y' "$XVS_MODULES_KO"
	for p in $mods; do stat -L -c '%n %s %Y' "$KMODDIR/$p"; done
	find "$TESTS_DIR" -type f -printf '%p %s %T@\n' | sort
} | sha256sum | cut -c1-16)
image=$OUT/initramfs-$key.cpio
if [ -f "$image" ]; then
	touch "$image"
	echo "$image"
	exit 0
fi

mkdir -p "$OUT"
stage=$(mktemp -d "$OUT/stage.XXXXXX")
trap 'rm -rf "$stage"' EXIT

mkdir -p "$stage"/{bin,sbin,usr/bin,usr/sbin,lib,lib64,proc,sys,dev,tmp,run,etc,root,var/log,xvs/bin,xvs/tests}

# copy FILE into the image at the same path, with its shared libraries
copy_with_libs() {
	local f=$1 dst=${2:-$1} lib
	mkdir -p "$stage$(dirname "$dst")"
	cp -L "$f" "$stage$dst"
	for lib in $(ldd "$f" 2>/dev/null | awk '/=> \// { print $3 } /^\t\// { print $1 }'); do
		[ -e "$stage$lib" ] && continue
		mkdir -p "$stage$(dirname "$lib")"
		cp -L "$lib" "$stage$lib"
	done
}

cp "$BUSYBOX" "$stage/bin/busybox"
for applet in $("$BUSYBOX" --list); do
	case $applet in busybox|ip) continue ;; esac
	ln -sf busybox "$stage/bin/$applet"
done
copy_with_libs /usr/bin/bash /bin/bash
copy_with_libs /usr/sbin/ip /usr/sbin/ip
copy_with_libs /usr/sbin/ipvsadm /usr/sbin/ipvsadm
copy_with_libs /usr/bin/kmod /usr/bin/kmod
for b in "${opt_bins[@]}"; do copy_with_libs "$b"; done
# (FRR's libraries come by their RUNPATH, copied at the same place)
for b in "${frr_bins[@]}"; do
	copy_with_libs "$b"
	strip --strip-debug "$stage$b" 2>/dev/null || true
done
for t in insmod rmmod modprobe lsmod depmod modinfo; do
	ln -sf ../bin/kmod "$stage/usr/sbin/$t"
	# the kernel's request_module() runs /sbin/modprobe
	ln -sf ../usr/bin/kmod "$stage/sbin/$t"
	rm -f "$stage/bin/$t"
done
for b in "${project_bins[@]}"; do
	copy_with_libs "$b" "/xvs/bin/${b##*/}"
	# without debug information: the image lives in the VMs' memory
	strip --strip-debug "$stage/xvs/bin/${b##*/}" 2>/dev/null || true
done

# kernel modules + depmod for the image
mdst=$stage/lib/modules/$KVER
mkdir -p "$mdst"
for p in $mods; do
	mkdir -p "$mdst/$(dirname "$p")"
	cp "$KMODDIR/$p" "$mdst/$p"
done
for f in modules.order modules.builtin modules.builtin.modinfo modules.softdep; do
	[ -f "$KMODDIR/$f" ] && cp "$KMODDIR/$f" "$mdst/"
done
if [ -n "$XVS_MODULES_KO" ]; then
	rel=${XVS_MODULES_KO#"$KMODDIR"/}
	mkdir -p "$mdst/$(dirname "$rel")"
	cp "$XVS_MODULES_KO" "$mdst/$rel"
fi
depmod -b "$stage" "$KVER"
[ -f "$XVS_KO" ] && cp "$XVS_KO" "$stage/xvs/xvs.ko"

cp -r "$TESTS_DIR/." "$stage/xvs/tests/"
cp "$ROOT/qemu/demo-guest.sh" "$stage/xvs/demo.sh"
cp "$ROOT/qemu/init" "$stage/init"
chmod 755 "$stage/init"
echo "root:x:0:0:root:/root:/bin/sh" > "$stage/etc/passwd"
echo "root:x:0:" > "$stage/etc/group"
# FRR's daemons run as root (-u root -g root) and insist that their user be
# in the vty group
[ ${#frr_bins[@]} -eq 0 ] || echo "frrvty:x:85:root" >> "$stage/etc/group"
printf '127.0.0.1 localhost\n' > "$stage/etc/hosts"
# ipvsadm resolves service names (the seed uses "telnet")
for f in /etc/services /etc/protocols; do
	[ -f "$f" ] && cp "$f" "$stage$f"
done
printf 'xvs image %s: kernel %s, xvs.ko %s\n' "$key" "$KVER" \
	"$([ -f "$XVS_KO" ] && echo present || echo absent)" > "$stage/etc/xvs-image"

# images no run has booted for an hour are stale (each boot touches its
# image; a concurrent run may still use an older one)
# (two runs may sweep at once: a file the other removed first is no error)
find "$OUT" -maxdepth 1 -name 'initramfs-*.cpio' -mmin +60 -delete 2>/dev/null || true
find "$OUT" -maxdepth 1 -name 'stage.*' -mmin +60 -exec rm -rf {} + 2>/dev/null || true
(cd "$stage" && find . -print0 | LC_ALL=C sort -z |
	cpio --null -o -H newc --quiet) > "$image.tmp.$$"
mv "$image.tmp.$$" "$image"
echo "$image"
