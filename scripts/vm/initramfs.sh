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
# With RB_SYSROOT=DIR (scripts/vm/sysroot.sh) all of it comes from that
# root instead of the host: the kernel's modules and modules.dep from
# DIR/lib/modules, the tools and their libraries from DIR (paths and
# libraries resolved by the root's own readlink and ldd, chrooted), so the
# guest runs another distribution's user space on that distribution's
# kernel.
#
# The cache key covers this script, the sysroot, the kernel release and its
# modules.dep, and the versions of the packages the tools come from.
set -euo pipefail

kver=$1
mkdir -p "$2"
cache=$(cd "$2" && pwd)
sys=${RB_SYSROOT:+$(cd "$RB_SYSROOT" && pwd)}
# RB_KERNEL_ROOT=DIR: the kernel's modules from DIR/lib/modules (a kernel
# built for the VM, such as scripts/vm/debug-kernel.sh's), the rest as above.
kroot=${RB_KERNEL_ROOT:+$(cd "$RB_KERNEL_ROOT" && pwd)}
kroot=${kroot:-$sys}
moddir=$kroot/lib/modules/$kver

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
	ibstat ibaddr saquery smpquery perfquery ibnetdiscover sminfo ibroute
	opensm
	socat iperf3 strace setpriv ethtool
	tcpdump
)
pkgs="busybox-static kmod iproute2 rdma-core ibverbs-providers ibverbs-utils
	rdmacm-utils perftest infiniband-diags opensm socat iperf3 libc6 bash strace util-linux
	tcpdump ethtool"

# shellcheck disable=SC2086 # pkgs is a list of words
key=$( (cat "$0" "$moddir/modules.dep"; echo "$sys $kroot $kver ${modules[*]} ${tools[*]}";
	dpkg-query ${sys:+--root="$sys"} -W $pkgs 2>/dev/null) | sha256sum | cut -c1-16)
out=$cache/initramfs-$kver-$key
if [ -s "$out/base.cpio" ]; then
	echo "$out"
	exit 0
fi

rm -rf "$out.tmp"
root=$out.tmp/root
mkdir -p "$root"/usr/{bin,sbin,lib,lib64} "$root"/{etc,proc,sys,dev,tmp,run,root,out,mnt}
for d in bin sbin lib lib64; do ln -s usr/$d "$root/$d"; done

# in_sys CMD...: CMD where the guest's files come from: here, or chrooted
# into the sysroot. Only for queries (readlink, ldd), which need no mounts.
in_sys()
{
	if [ -n "$sys" ]; then
		chroot "$sys" "$@"
	else
		"$@"
	fi
}

# find_tool NAME: the path of program NAME on the host or in the sysroot.
find_tool()
{
	local d
	if [ -z "$sys" ]; then
		command -v "$1"
		return
	fi
	for d in /usr/local/sbin /usr/local/bin /usr/sbin /usr/bin /sbin /bin; do
		[ -f "$sys$d/$1" ] && [ -x "$sys$d/$1" ] && { echo "$d/$1"; return 0; }
	done
	return 1
}

# Copy a host (or sysroot) file to the same (symlink-resolved) path in the
# root.
put()
{
	local src dst
	src=$(in_sys readlink -f "$1")
	dst=$root$src
	[ -e "$dst" ] && return 0
	mkdir -p "$(dirname "$dst")"
	cp -a "$sys$src" "$dst"
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
	for lib in $(in_sys ldd "$1" 2>/dev/null | grep -o '/[^ ]*'); do
		put "$lib"
		# usr-merge: lib paths resolve to /usr/lib; keep /lib64 loader name
	done
}

cp "$sys/bin/busybox" "$root/usr/bin/busybox"

missing=()
for t in "${tools[@]}"; do
	p=$(find_tool "$t" || true)
	if [ -z "$p" ]; then
		missing+=("$t")
		continue
	fi
	put_prog "$p"
done
[ ${#missing[@]} -eq 0 ] || echo "initramfs: not on the ${sys:+sysroot }host, left out: ${missing[*]}" >&2

for a in modprobe insmod rmmod lsmod depmod modinfo; do
	ln -sf kmod "$root/usr/bin/$a"
done

# Loaded at run time by dlopen, so ldd does not show them: glibc's unwinder,
# the user-space verbs providers of the soft devices, and the decompressors
# kmod 31 and later open only for a compressed module (Debian 13 ships
# .ko.xz).
libdir=/usr/lib/x86_64-linux-gnu
put_prog "$libdir/libgcc_s.so.1"
for l in liblzma.so.5 libzstd.so.1; do
	[ -e "$sys$libdir/$l" ] && put_prog "$libdir/$l"
done
# (The provider ABI suffix, rdmav34 in Debian 12, is the root's.)
prov=$(find "$sys$libdir/libibverbs" -name 'librxe-rdmav*.so' | head -n 1)
[ -n "$prov" ] || { echo "initramfs: no rxe verbs provider in $sys$libdir/libibverbs" >&2; exit 1; }
put_prog "${prov#"$sys"}"
put /etc/libibverbs.d/rxe.driver
for f in "$sys"/etc/ld.so.conf "$sys"/etc/ld.so.conf.d/*.conf; do put "${f#"$sys"}"; done
# The root's own ldconfig (static), so the cache is in its glibc's format.
"$sys/sbin/ldconfig" -r "$root" 2>/dev/null || true

# put_module PATH: a file of the kernel's module tree, PATH as the kernel's
# root has it: through put() where that is the tools' root too.
put_module()
{
	if [ "$kroot" = "$sys" ]; then
		put "$1"
	else
		mkdir -p "$(dirname "$root$1")"
		cp -a "$kroot$1" "$root$1"
	fi
}

# Kernel modules with their dependencies (module paths as the root has them).
for m in "${modules[@]}"; do
	modprobe ${kroot:+-d "$kroot"} -S "$kver" --show-depends "$m" |
		awk '$1 == "insmod" { print $2 }' || echo "initramfs: no module $m for $kver" >&2
done | sort -u | while read -r ko; do
	put_module "${ko#"$kroot"}"
done
for f in modules.order modules.builtin modules.builtin.modinfo; do
	put_module "${moddir#"$kroot"}/$f"
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
