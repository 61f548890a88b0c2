#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
#
# Install the Debian 12 packages the suite needs to build, check, package and
# test itself, skipping those already present. Run as root. An apt-get update
# is done once, only when something is missing.
set -euo pipefail

pkgs=(
	# build and static checks
	make gcc bc flex bison libelf-dev libssl-dev sparse perl git
	linux-headers-amd64 linux-headers-rt-amd64 linux-source-6.1 xz-utils
	# DKMS
	dkms
	# VM harness: the kernel to boot, the emulator, the guest's user space
	linux-image-amd64 qemu-system-x86 busybox-static cpio kmod iproute2
	rdma-core ibverbs-providers ibverbs-utils rdmacm-utils infiniband-diags opensm
	perftest socat iperf3 ethtool
	# rdma_sniffer's tests: tcpdump in every VM, tshark copied in by
	# selftests/sniffer/host-prepare
	tcpdump tshark
	# test-only user-space helpers (the patch queue's rxe test shim)
	libibverbs-dev librdmacm-dev libibumad-dev
	# the Debian 13 root the VM tests of Debian 13's kernel build in
	# (scripts/debian13/root.sh; unshare is util-linux's)
	mmdebstrap util-linux
	# packages: make deb, make rpm and their checks
	debhelper dh-dkms dpkg-dev lintian rpm
)

missing=()
for p in "${pkgs[@]}"; do
	[[ $p == \#* ]] && continue
	if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed'; then
		missing+=("$p")
	fi
done

if [ ${#missing[@]} -eq 0 ]; then
	echo "deps: all ${#pkgs[@]} packages present"
	exit 0
fi

if [ "$(id -u)" -ne 0 ]; then
	echo "deps: missing packages (run as root to install): ${missing[*]}" >&2
	exit 1
fi

echo "deps: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
apt-get update -q
apt-get install -y -q --no-install-recommends "${missing[@]}"
