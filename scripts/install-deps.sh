#!/usr/bin/env bash
# Installs the Debian 12 packages that building, testing and the demo need.
# Idempotent: asks apt only for what is missing.  Must run as root.
set -euo pipefail

packages=(
	build-essential cmake pkg-config git
	linux-image-amd64 linux-headers-amd64 kmod cpio
	qemu-system-x86 busybox-static iproute2 ipvsadm nftables
	libnl-3-dev libnl-genl-3-dev libgtest-dev googletest libpopt-dev
	linux-source-6.1 bc bison flex libelf-dev libssl-dev ccache rsync xz-utils
	# FRR's zebra, bgpd and vtysh go into the test image: the router and
	# directors of tests/qemu/ecmp-tier.sh speak BGP with them (Debian
	# starts its frr service with zebra alone, which changes no route)
	frr
)

# `install-deps.sh kernel`: only what building the test kernel needs
# (scripts/build-kernel.sh), so that `make test` can start that build
# while it installs the rest
if [ "${1:-}" = kernel ]; then
	packages=(build-essential bc bison flex libelf-dev libssl-dev
		linux-source-6.1 xz-utils kmod cpio ccache)
fi

# `install-deps.sh bench`: also what `make bench` needs (Google Benchmark
# for the host microbenchmarks, gnuplot for the plot, python3 for the report,
# perf for the profiles taken in the VM)
if [ "${1:-}" = bench ]; then
	packages+=(libbenchmark-dev gnuplot-nox python3 linux-perf)
fi

# `install-deps.sh deb`: also what `make deb` and tests/pkg/check-packages.sh
# need (debhelper with the dkms addon, dkms itself to install xvs-dkms,
# lintian; no devscripts: the snapshot changelog is written by the Makefile)
if [ "${1:-}" = deb ]; then
	packages+=(debhelper dh-dkms dkms lintian fakeroot dpkg-dev)
fi

missing=()
for p in "${packages[@]}"; do
	if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed'; then
		missing+=("$p")
	fi
done
[ ${#missing[@]} -eq 0 ] && exit 0

if [ "$(id -u)" -ne 0 ]; then
	echo "install-deps: missing packages: ${missing[*]}; run as root" >&2
	exit 1
fi
echo "install-deps: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
apt-get update -q
apt-get install -y -q --no-install-recommends "${missing[@]}"
