#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
#
# What make run shows in the VM: the suite's modules as DKMS installed them,
# loaded into the distribution's own kernel, each doing its job.
kver=$(uname -r)
dir=/lib/modules/$kver/updates/rdma-backports

echo "=== rdma-backports on $(uname -sr) ($(cat /proc/version | sed 's/.*(\(Debian[^)]*\)).*/\1/'))"
for ko in "$dir"/*.ko; do
	[ -e "$ko" ] || { echo "no suite modules found"; break; }
	m=$(basename "$ko" .ko)
	echo "--- $m: $(modinfo -F description "$m")"
	echo "    version $(modinfo -F version "$m")"
done

for s in /rb/demo-*.sh; do
	[ -e "$s" ] || continue
	echo
	bash "$s"
done

echo
echo "=== kernel log: $(dmesg | grep -cE 'WARNING:|BUG:|Oops') warnings/oopses, taint $(cat /proc/sys/kernel/tainted)"
