#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
#
# The debug kernel of the reliability lane: Debian's linux-source-6.1 built
# with KASAN, lockdep (PROVE_LOCKING, PROVE_RCU), DEBUG_ATOMIC_SLEEP,
# kmemleak, DEBUG_OBJECTS, UBSAN and DEBUG_LIST, for the VM only. Built once
# per machine, then cached, and rebuilt when this script or the source
# tarball changes.
#
#   debug-kernel.sh      print the cache directory, which holds
#                        build/       the kernel build tree (KDIR for our modules)
#                        root/        boot/vmlinuz-REL and lib/modules/REL,
#                                     laid out like a root for the VM harness
#                        release      REL
#
# The cache is per machine ($RB_MACHINE_CACHE, default
# /var/cache/rdma-backports): a clone's build/ does not survive CI, the
# machine does. The build takes about 15 minutes on two idle cores and
# prints how long it took.
set -euo pipefail

tarball=${RB_LINUX_SOURCE:-$(ls /usr/src/linux-source-6.1.tar.xz 2>/dev/null || true)}
[ -r "$tarball" ] || { echo "debug-kernel: no /usr/src/linux-source-6.1.tar.xz (apt-get install linux-source-6.1)" >&2; exit 1; }
base=${RB_MACHINE_CACHE:-/var/cache/rdma-backports}
key=$( (cat "$0"; stat -c '%n %s %Y' "$tarball") | sha256sum | cut -c1-12)
out=$base/debug-kernel-$key
if [ -s "$out/release" ]; then
	echo "$out"
	exit 0
fi

mkdir -p "$base"
# Caches of other keys are stale: one debug kernel per machine.
rm -rf "$base"/debug-kernel-* "$base"/.debug-kernel-*
work=$base/.debug-kernel-$key
mkdir -p "$work"
t0=$(date +%s)
echo "debug-kernel: extracting $tarball" >&2
tar -xJf "$tarball" -C "$work"
src=$(echo "$work"/linux-source-*)
mv "$src" "$work/build"
cd "$work/build"

# The guest: x86_64 defconfig and kvm_guest.config, then what the tests use
# and the debug options; what a VM needs no driver for, and debug info, off.
make -s x86_64_defconfig kvm_guest.config > /dev/null
scripts/config \
	-e PVH -e MODULES -e MODULE_UNLOAD -e KALLSYMS_ALL -e KPROBES -e DEBUG_FS \
	-e NET_9P -e NET_9P_VIRTIO -e 9P_FS -e VIRTIO_PCI -e SERIAL_8250_CONSOLE \
	-e NET_NS -m VETH -m DUMMY -e IPV6 \
	-m INFINIBAND -m INFINIBAND_USER_MAD -m INFINIBAND_USER_ACCESS \
	-e INFINIBAND_ADDR_TRANS -m INFINIBAND_IPOIB -e INFINIBAND_IPOIB_CM \
	-e INFINIBAND_IPOIB_DEBUG -m RDMA_RXE -m CRYPTO_CRC32 -m CRC32 \
	-e KASAN -e KASAN_GENERIC -e KASAN_INLINE \
	-e PROVE_LOCKING -e PROVE_RCU -e DEBUG_ATOMIC_SLEEP \
	-e DEBUG_KMEMLEAK -e DEBUG_KMEMLEAK_AUTO_SCAN --set-val DEBUG_KMEMLEAK_MEM_POOL_SIZE 16000 \
	-e DEBUG_OBJECTS -e DEBUG_OBJECTS_FREE -e DEBUG_OBJECTS_TIMERS \
	-e DEBUG_OBJECTS_WORK -e DEBUG_OBJECTS_RCU_HEAD -e DEBUG_OBJECTS_PERCPU_COUNTER \
	-e UBSAN -e UBSAN_BOUNDS -e DEBUG_LIST \
	-d DEBUG_INFO -d DEBUG_INFO_DWARF_TOOLCHAIN_DEFAULT -d DEBUG_INFO_BTF \
	-d DRM -d SOUND -d USB_SUPPORT -d WLAN -d WIRELESS -d CFG80211 \
	-d HID -d INPUT_JOYSTICK -d INPUT_TABLET -d INPUT_TOUCHSCREEN -d AGP \
	-d MODULE_SIG -d SECURITY_SELINUX -d NFS_FS -d ETHERNET -d DRM_I915
make -s olddefconfig > /dev/null
# Options the tests cannot run without must have survived olddefconfig.
for o in KASAN PROVE_LOCKING DEBUG_KMEMLEAK UBSAN KPROBES INFINIBAND_IPOIB RDMA_RXE NET_9P_VIRTIO PVH; do
	grep -qE "^CONFIG_$o=[ym]" .config || { echo "debug-kernel: CONFIG_$o did not survive olddefconfig" >&2; exit 1; }
done
echo "debug-kernel: building (about 15 minutes on 2 cores)" >&2
make -s -j"$(nproc)" vmlinux modules bzImage > "$work/build.log" 2>&1 ||
	{ tail -n 30 "$work/build.log" >&2; exit 1; }
rel=$(make -s kernelrelease)
mkdir -p "$work/root/boot"
make -s INSTALL_MOD_PATH="$work/root" INSTALL_MOD_STRIP=1 modules_install > /dev/null
cp arch/x86/boot/bzImage "$work/root/boot/vmlinuz-$rel"
# The tree is KDIR for out-of-tree modules; build/source links point here.
rm -f "$work/root/lib/modules/$rel/build" "$work/root/lib/modules/$rel/source"
echo "$rel" > "$work/release"
mv "$work" "$out"
echo "debug-kernel: $rel built in $(( $(date +%s) - t0 )) s" >&2
echo "$out"
