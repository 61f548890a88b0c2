#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
#
# Build (once, then cached) the base initramfs of the test VM for kernel
# release $1 under cache directory $2, and print the directory holding
# base.cpio and the unpacked root/.
#
# The base holds what does not change between runs: busybox, the host tools
# the tests drive (with their shared libraries), and the distribution's own
# modules with their dependencies. The suite's modules and the tests are
# appended per run as a second cpio (see selftests.sh).
#
# The cache key covers this script, the kernel release and its modules.dep,
# and the versions of the packages the tools come from.
set -euo pipefail

kver=$1
mkdir -p "$2"
cache=$(cd "$2" && pwd)
here=$(cd "$(dirname "$0")" && pwd)
moddir=/lib/modules/$kver

[ -e "$moddir/modules.dep" ] || { echo "initramfs: no $moddir/modules.dep (apt-get install linux-image-$kver)" >&2; exit 1; }

# The distribution modules the tests load, dependencies resolved below.
modules=(
	virtio_pci 9pnet_virtio 9p configfs veth dummy
	ib_core ib_cm iw_cm rdma_cm ib_umad ib_uverbs rdma_ucm ib_ipoib
	rdma_rxe crc32_generic crc32_pclmul
)

# Host programs copied in, with their libraries.
tools=(
	bash kmod ip rdma ss
	ibv_devices ibv_devinfo ibv_ud_pingpong ibv_rc_pingpong ibv_uc_pingpong
	rping mckey ucmatose udaddy
	ib_send_bw ib_send_lat ib_write_bw
	ibstat ibaddr saquery smpquery
	socat iperf3 strace setpriv
)
pkgs="busybox-static kmod iproute2 rdma-core ibverbs-providers ibverbs-utils
	rdmacm-utils perftest infiniband-diags socat iperf3 libc6 bash strace util-linux"

key=$( (cat "$0" "$moddir/modules.dep"; echo "$kver ${modules[*]} ${tools[*]}";
	dpkg-query -W $pkgs 2>/dev/null) | sha256sum | cut -c1-16)
out=$cache/initramfs-$kver-$key
if [ -s "$out/base.cpio" ]; then
	echo "$out"
	exit 0
fi

rm -rf "$out.tmp"
root=$out.tmp/root
mkdir -p "$root"/usr/{bin,sbin,lib,lib64} "$root"/{etc,proc,sys,dev,tmp,run,root,out,mnt}
for d in bin sbin lib lib64; do ln -s usr/$d "$root/$d"; done

# Copy a host file to the same (symlink-resolved) path in the root.
put()
{
	local src dst
	src=$(readlink -f "$1")
	dst=$root$src
	[ -e "$dst" ] && return 0
	mkdir -p "$(dirname "$dst")"
	cp -a "$src" "$dst"
	# Keep the name it was asked for (a library's soname link).
	if [ "$1" != "$src" ] && [ ! -e "$root$1" ]; then
		mkdir -p "$(dirname "$root$1")"
		ln -s "$src" "$root$1"
	fi
}

# A program and every library it (transitively) links against.
put_prog()
{
	local f lib
	put "$1"
	for lib in $(ldd "$1" 2>/dev/null | grep -o '/[^ ]*'); do
		put "$lib"
		# usr-merge: lib paths resolve to /usr/lib; keep /lib64 loader name
	done
}

cp /bin/busybox "$root/usr/bin/busybox"

missing=()
for t in "${tools[@]}"; do
	p=$(command -v "$t" || true)
	if [ -z "$p" ]; then
		missing+=("$t")
		continue
	fi
	put_prog "$p"
done
[ ${#missing[@]} -eq 0 ] || echo "initramfs: not on the host, left out: ${missing[*]}" >&2

for a in modprobe insmod rmmod lsmod depmod modinfo; do
	ln -sf kmod "$root/usr/bin/$a"
done

# Loaded at run time by dlopen, so ldd does not show them: glibc's unwinder
# and the user-space verbs providers of the soft devices.
libdir=/usr/lib/x86_64-linux-gnu
put_prog "$libdir/libgcc_s.so.1"
for p in rxe; do
	put_prog "$libdir/libibverbs/lib$p-rdmav34.so"
	put "/etc/libibverbs.d/$p.driver"
done
for f in /etc/ld.so.conf /etc/ld.so.conf.d/*.conf; do put "$f"; done
ldconfig -r "$root" 2>/dev/null || true

# Kernel modules with their dependencies.
for m in "${modules[@]}"; do
	modprobe -S "$kver" --show-depends "$m" | awk '$1 == "insmod" { print $2 }'
done | sort -u | while read -r ko; do
	put "$ko"
done
for f in modules.order modules.builtin modules.builtin.modinfo; do
	put "$moddir/$f"
done
depmod -b "$root" "$kver"

cat > "$root/etc/passwd" <<'PW'
root:x:0:0:root:/root:/bin/sh
nobody:x:65534:65534:nobody:/nonexistent:/bin/false
PW
echo 'root:x:0:' > "$root/etc/group"
printf '127.0.0.1 localhost\n' > "$root/etc/hosts"

(cd "$root" && find . | LC_ALL=C sort | cpio -o -H newc -R 0:0 --quiet) > "$out.tmp/base.cpio"
mv "$out.tmp" "$out"
echo "$out"
