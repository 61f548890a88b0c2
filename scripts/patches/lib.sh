# SPDX-License-Identifier: GPL-2.0-only
# shellcheck shell=bash
#
# The patch queue's shared helpers (sourced, not run), used by check.sh,
# status.sh, outgoing.sh and the VM tests' host-prepare scripts.
#
# The queue is patches/series (quilt: one file name a line, apply order;
# '#' comments) and one git-format-patch file per change. The queue's own
# trailers (Upstream-Status, Kernel-Base, Backported-By) sit in the notes
# part of each patch, between the "---" line and the diffstat: git am drops
# that part, so they never end up in a kernel commit, and pq_outgoing strips
# them from what is mailed.
#
# Everything produced goes under build/patches/. The pristine kernel tree is
# scripts/kernel-source.sh's cache; it is read, never written to: patches are
# applied to scratch copies of the directories they touch.

PQ_TOP=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
PQ_DIR=${RB_PATCHES_DIR:-$PQ_TOP/patches}
# shellcheck disable=SC2034 # used by the scripts that source this
PQ_OUT=$PQ_TOP/build/patches
PQ_LOCAL_TRAILERS='Upstream-Status|Kernel-Base|Backported-By'

# pq_series: the patch file names of the series, in apply order.
pq_series()
{
	[ -e "$PQ_DIR/series" ] || return 0
	# quilt allows "name -pN" and comments; we use -p1 only.
	sed -e 's/#.*//' -e 's/[[:space:]]\+-p1[[:space:]]*$//' \
		-e 's/^[[:space:]]*//' -e 's/[[:space:]]*$//' "$PQ_DIR/series" |
		grep -v '^$' || true
}

# pq_header PATCH: the part of PATCH before its first diff.
pq_header()
{
	sed '/^diff --git /,$d' "$1"
}

# pq_field PATCH NAME: the value of the queue trailer NAME (empty if none).
pq_field()
{
	pq_header "$1" | sed -n "s/^$2:[[:space:]]*//p" | head -n 1
}

# pq_subject PATCH: the subject without "[PATCH ...]", folded lines joined.
pq_subject()
{
	pq_header "$1" | awk '
		/^Subject: / { s = substr($0, 10); on = 1; next }
		on && /^[ \t]/ { sub(/^[ \t]+/, " "); s = s $0; next }
		{ on = 0 }
		END { print s }' | sed 's/^\[[^]]*\] *//'
}

# pq_files PATCH: the paths PATCH touches (old and new names).
pq_files()
{
	sed -n 's|^diff --git a/\([^ ]*\) b/\([^ ]*\)$|\1\n\2|p' "$1" | sort -u
}

# pq_dirs PATCH...: the directories those paths are in.
pq_dirs()
{
	local p
	for p in "$@"; do
		pq_files "$p"
	done | xargs -r -n 1 dirname | sort -u
}

# pq_outgoing PATCH: PATCH as it is mailed, on stdout: without the queue's
# trailers (and the blank line that separates them from the diffstat).
pq_outgoing()
{
	awk -v re="^($PQ_LOCAL_TRAILERS):" '
		/^diff --git / { body = 1 }
		!body && sep && $0 ~ re { drop = 1; next }
		!body && drop && /^$/ { drop = 0; next }
		{ drop = 0 }
		!body && /^---$/ { sep = 1 }
		{ print }' "$1"
}

# pq_source: the pristine tree of Debian's linux-source (cache directory),
# with DIRS... extracted into it.
pq_source()
{
	"$PQ_TOP/scripts/kernel-source.sh" Makefile "$@"
}

# pq_source_version: "6.1.192 (Debian 6.1.192-2)" for the tarball in use.
pq_source_version()
{
	local src tarball deb v
	src=$(pq_source) || return 1
	v=$(awk -F' *= *' '/^VERSION/ { a = $2 } /^PATCHLEVEL/ { b = $2 }
		/^SUBLEVEL/ { c = $2 } END { print a "." b "." c }' "$src/Makefile")
	tarball=${RB_LINUX_SOURCE:-$(ls /usr/src/linux-source-*.tar.xz | sort -V | tail -n 1)}
	deb=$(dpkg-query -S "$tarball" 2>/dev/null | cut -d: -f1)
	deb=${deb:+$(dpkg-query -W -f='${Version}' "$deb" 2>/dev/null)}
	echo "$v${deb:+ (Debian $deb)}"
}

# pq_git TREE ARGS...: git in a scratch tree, with a fixed committer.
pq_git()
{
	local t=$1
	shift
	git -C "$t" -c user.name="rdma-backports patch queue" \
		-c user.email=patches@rdma-backports.invalid \
		-c advice.detachedHead=false "$@"
}

# pq_tree_init TREE PATCH...: a fresh git tree at TREE holding pristine
# copies of the directories the patches touch, committed as the base.
pq_tree_init()
{
	local tree=$1 src d
	shift
	local dirs
	mapfile -t dirs < <(pq_dirs "$@")
	src=$(pq_source "${dirs[@]}") || return 1
	rm -rf "$tree"
	mkdir -p "$tree"
	for d in "${dirs[@]}"; do
		mkdir -p "$tree/$d"
		cp -a "$src/$d/." "$tree/$d/"
	done
	pq_git "$tree" init -q &&
		pq_git "$tree" add -A &&
		pq_git "$tree" commit -q -m "pristine: $(pq_source_version)"
}

# pq_tree_apply TREE PATCH: git apply --check, then git am; messages on
# stderr. Leaves the tree clean when the patch does not apply.
pq_tree_apply()
{
	local tree=$1 patch
	patch=$(readlink -f "$2")
	pq_git "$tree" apply --check "$patch" || return 1
	if ! pq_git "$tree" am -q "$patch"; then
		pq_git "$tree" am --abort > /dev/null 2>&1
		return 1
	fi
}

# pq_modules TREE DIR...: the kbuild directories among DIR, one a line as
# "DIR CONFIG_A=m CONFIG_B=m": each Makefile/Kbuild with obj-$(CONFIG_X)
# lines; its options are set to m on the make command line.
pq_modules()
{
	local tree=$1 d f opts
	shift
	for d in "$@"; do
		f=
		[ -e "$tree/$d/Kbuild" ] && f=$tree/$d/Kbuild
		[ -z "$f" ] && [ -e "$tree/$d/Makefile" ] && f=$tree/$d/Makefile
		[ -n "$f" ] || continue
		opts=$(sed -n 's/^obj-\$(\(CONFIG_[A-Za-z0-9_]*\)).*/\1=m/p' "$f" | sort -u | xargs)
		[ -n "$opts" ] && echo "$d $opts"
	done
	return 0
}

# pq_module_names TREE DIR: the .ko names DIR's Makefile builds.
pq_module_names()
{
	local f
	for f in "$1/$2/Makefile" "$1/$2/Kbuild"; do
		[ -e "$f" ] || continue
		sed -n 's/^obj-\$(CONFIG_[A-Za-z0-9_]*)[[:space:]]*+=[[:space:]]*\(.*\)$/\1/p' "$f"
	done | tr ' ' '\n' | sed -n 's/\.o$/.ko/p' | sort -u | xargs
}

# pq_build TREE DIR KDIR LOG [make args...]: build DIR of TREE as an external
# module with its CONFIG_ options set to m. Output in LOG.
#   - TREE/include comes before the kernel's headers, so a header the series
#     changes (include/rdma/...) is seen by every directory built;
#   - TREE/include/trace is on the search path too: a subsystem's trace
#     header names itself as "../../drivers/..." relative to the kernel's
#     include/trace, which from there leads back into TREE;
#   - the Module.symvers of directories of TREE built before (the series
#     order: drivers/infiniband/core before ulp/ipoib) resolve the symbols
#     a patched module exports to another.
pq_build()
{
	local tree=$1 dir=$2 kdir=$3 log=$4 line extra
	shift 4
	line=$(pq_modules "$tree" "$dir")
	mkdir -p "$tree/include/trace"
	extra=$(find "$tree" -name Module.symvers ! -path "$tree/$dir/*" | sort | xargs)
	# shellcheck disable=SC2086
	make -C "$kdir" M="$tree/$dir" -j"$(nproc)" ${line#* } \
		NOSTDINC_FLAGS="-I$tree/include -I$tree/include/trace" \
		${extra:+KBUILD_EXTRA_SYMBOLS="$extra"} "$@" > "$log" 2>&1
}

# pq_installed_module KVER KDIR CONFIG_X SUBDIR NAME OUT: for a detector
# (detect/*.sh), the installed NAME.ko of kernel KVER (under
# /lib/modules/KVER/kernel/SUBDIR, or RB_MODDIR instead of /lib/modules/KVER)
# decompressed into OUT, to be read, never loaded. When there is none it
# prints the detector's answer ("n/a: ..." when KDIR's .config does not
# build CONFIG_X as a module, "unknown: ..." otherwise) and returns 1.
pq_installed_module()
{
	local kver=$1 kdir=$2 opt=$3 sub=$4 name=$5 out=$6 cfg moddir ko
	cfg=$kdir/.config
	if [ -e "$cfg" ]; then
		case "$(sed -n "s/^$opt=//p" "$cfg")" in
		m) ;;
		y) echo "unknown: $name is built into the kernel image"; return 1 ;;
		*) echo "n/a: $opt is not set ($cfg)"; return 1 ;;
		esac
	fi
	moddir=${RB_MODDIR:-/lib/modules/$kver}
	ko=$(find "$moddir/kernel/$sub" -name "$name.ko*" 2>/dev/null | head -n 1 || true)
	if [ -z "$ko" ]; then
		echo "unknown: no $name.ko in $moddir (kernel image not installed here)"
		return 1
	fi
	case "$ko" in
	*.xz) xz -dc "$ko" > "$out" ;;
	*.zst) zstd -qdc "$ko" > "$out" ;;
	*.gz) gzip -dc "$ko" > "$out" ;;
	*) cp "$ko" "$out" ;;
	esac
}

# pq_warnings LOG TREE: the compiler and sparse warnings of a pq_build log,
# one a line, without TREE's path and without line and column numbers, so
# that the same warning before and after a patch compares equal.
pq_warnings()
{
	{ grep -E 'warning:|error:' "$1" || true; } |
		sed -e "s|$2/||g" -e 's|^\([^:]*\):[0-9]*:\([0-9]*:\)\{0,1\}|\1:|' | sort
}

# pq_vm_modules KDIR KVER WORK DIR/MODULE.ko...: the series applied to a
# scratch tree and each DIR built against KDIR (in the order given), for the
# VM tests that load patched modules instead of the distribution's. Cached
# in WORK, rebuilt when the series, a patch, the headers or the caller
# change. Prints WORK/ko, which then holds each MODULE.ko (debug info
# stripped). Exit 4 with the reason on stdout when this host cannot.
pq_vm_modules()
{
	local kdir=$1 kver=$2 work=$3 key p f d kv_src kv_hdr
	shift 3
	local patches=() dirs=() series=()
	mapfile -t series < <(pq_series)
	for p in "${series[@]}"; do
		patches+=("$PQ_DIR/$p")
	done
	for f in "$@"; do
		d=$(dirname "$f")
		pq_dirs "${patches[@]}" | grep -qx "$d" ||
			{ echo "the patch queue does not touch $d"; return 4; }
		dirs+=("$d")
	done
	key=$( { cat "$PQ_DIR/series" "${patches[@]}" "$PQ_TOP/scripts/patches/lib.sh";
		echo "$kdir $kver $*"; cat "$kdir/include/generated/utsrelease.h";
		pq_source_version; } | sha256sum | cut -c1-16)
	if [ "$(cat "$work/key" 2>/dev/null)" != "$key" ]; then
		kv_src=$(pq_source_version | cut -d' ' -f1)
		kv_hdr=$(make -s -C "$kdir" kernelversion 2>/dev/null || echo unknown)
		[ "${kv_src%.*}" = "${kv_hdr%.*}" ] ||
			{ echo "the patched tree is linux-source $kv_src, the VM kernel's headers are $kv_hdr"; return 4; }
		rm -rf "$work"
		mkdir -p "$work/ko"
		echo "pq: applying ${#patches[@]} patches" >&2
		pq_tree_init "$work/tree" "${patches[@]}" >&2 || return 1
		for p in "${patches[@]}"; do
			pq_tree_apply "$work/tree" "$p" >&2 || return 1
		done
		for d in $(printf '%s\n' "${dirs[@]}" | awk '!seen[$0]++'); do
			echo "pq: building the patched $d against $kdir" >&2
			if ! pq_build "$work/tree" "$d" "$kdir" "$work/build-$(echo "$d" | tr / _).log"; then
				tail -n 20 "$work/build-$(echo "$d" | tr / _).log" >&2
				return 1
			fi
		done
		for f in "$@"; do
			strip --strip-debug -o "$work/ko/$(basename "$f")" "$work/tree/$f" || return 1
		done
		echo "$key" > "$work/key"
	fi
	echo "$work/ko"
}
