# SPDX-License-Identifier: GPL-2.0-only
# shellcheck shell=bash
#
# What the host scripts share (sourced, not run; bash). Nothing here runs
# at source time but RB_TOP; every helper prints its answer or returns
# non-zero with the reason on stderr, under set -e or not.
#
#   rb_version            the suite's version: dkms.conf's PACKAGE_VERSION
#   rb_kdir_pick          the kernel build tree (scripts/kdir.sh's rules)
#   rb_kdir               make's choice (KDIR_SEL), else rb_kdir_pick's
#   rb_kdirs              every installed build tree, one a line
#   rb_kver KDIR          that tree's release (uname -r of its kernel)
#   rb_kvers              the release of every installed build tree
#   rb_dkms_paths         the top-level paths of the source DKMS builds from
#   rb_dkms_files         its files, one a line (the packages' /usr/src set)
#   rb_stage_source DST   a copy of them in DST, with .rb-describe
#   rb_is_checkout        the tree is git's top level (not a copy in build/)
#   rb_tally P F S        the final "N passed, N failed, N skipped" line
#   rb_tally_read LINE    its three numbers, "P F S", from such a line

RB_TOP=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)

# rb_version: dkms.conf's PACKAGE_VERSION, the suite's one version number
# (the modules' MODULE_VERSION, the .deb, the .rpm, DKMS's source dir).
rb_version()
{
	local v
	v=$(sed -n 's/^PACKAGE_VERSION="\(.*\)"$/\1/p' "$RB_TOP/dkms.conf")
	[ -n "$v" ] || { echo "no PACKAGE_VERSION in $RB_TOP/dkms.conf" >&2; return 1; }
	echo "$v"
}

# --- which kernel -------------------------------------------------------------

# rb_kdirs: every installed kernel build tree (/lib/modules/*/build with a
# Makefile), resolved, one a line, oldest release first.
rb_kdirs()
{
	local d
	for d in /lib/modules/*/build; do
		[ -e "$d/Makefile" ] && readlink -f "$d"
	done | sort -uV
}

# rb_kdir_pick: the build tree to build against.
#   KDIR=/path  that tree
#   KVER=rel    /lib/modules/rel/build
#   neither     /lib/modules/$(uname -r)/build when it exists, otherwise the
#               newest installed /lib/modules/*/build, preferring releases
#               whose kernel image is in /boot (the VM harness boots those)
rb_kdir_pick()
{
	local kdir='' booted='' d rel
	if [ -n "${KDIR:-}" ]; then
		kdir=$KDIR
	elif [ -n "${KVER:-}" ]; then
		kdir=/lib/modules/$KVER/build
	elif [ -e "/lib/modules/$(uname -r)/build/Makefile" ]; then
		kdir=/lib/modules/$(uname -r)/build
	else
		while read -r d; do
			rel=${d#/lib/modules/}
			rel=${rel%/build}
			[ -e "$d/Makefile" ] || continue
			[ -e "/boot/vmlinuz-$rel" ] && booted=$d
			kdir=$d
		done < <(printf '%s\n' /lib/modules/*/build | sort -V)
		kdir=${booted:-$kdir}
	fi
	if [ -z "$kdir" ] || [ ! -e "$kdir/Makefile" ]; then
		echo "kdir: no kernel build tree found (${kdir:-none}); install linux-headers-amd64 or set KDIR=" >&2
		return 1
	fi
	readlink -f "$kdir"
}

# rb_kdir: the tree a script works on when it is given none: the one make
# chose (KDIR_SEL, from KDIR= or KVER=), else rb_kdir_pick's.
rb_kdir()
{
	if [ -n "${KDIR_SEL:-}" ]; then
		echo "$KDIR_SEL"
	else
		rb_kdir_pick
	fi
}

# rb_kver KDIR: the release of the kernel of build tree KDIR, as the tree
# records it. Debian's include/config/kernel.release holds the upstream
# version, so the UTS_RELEASE of the generated header is what counts.
rb_kver()
{
	local f=$1/include/generated/utsrelease.h v
	[ -e "$f" ] || { echo "kver: no $f" >&2; return 1; }
	v=$(sed -n 's/^#define UTS_RELEASE "\(.*\)"$/\1/p' "$f")
	[ -n "$v" ] || { echo "kver: no UTS_RELEASE in $f" >&2; return 1; }
	echo "$v"
}

# rb_kvers: the release of every installed build tree, one a line.
rb_kvers()
{
	local k
	rb_kdirs | while read -r k; do rb_kver "$k"; done
}

# --- the source package ---------------------------------------------------------

# rb_dkms_paths: what DKMS builds from, as top-level paths of the tree. The
# one list: scripts/dkms.sh stages it, debian/rules and rdma-backports.spec
# install it under /usr/src (with .rb-describe), scripts/pkg/test.sh checks
# both packages hold exactly its files.
rb_dkms_paths()
{
	echo Kbuild Makefile dkms.conf drivers include scripts
}

# rb_is_checkout: the tree is a git checkout's top level. A copy of it below
# build/ is inside the checkout, but not a checkout itself.
rb_is_checkout()
{
	[ "$(git -C "$RB_TOP" rev-parse --show-toplevel 2>/dev/null)" = "$(cd "$RB_TOP" && pwd -P)" ]
}

# rb_dkms_files: the files under rb_dkms_paths, one a line, relative to the
# tree: in a checkout what git tracks and new files it does not ignore
# (build products never), otherwise every file there.
rb_dkms_files()
{
	local paths
	read -ra paths <<< "$(rb_dkms_paths)"
	if rb_is_checkout; then
		(cd "$RB_TOP" && git ls-files -co --exclude-standard -- "${paths[@]}" |
			while read -r f; do [ -e "$f" ] && echo "$f"; done)
	else
		(cd "$RB_TOP" && find "${paths[@]}" \( -type f -o -type l \) 2>/dev/null)
	fi
}

# rb_stage_source DST: the files DKMS needs (rb_dkms_files) copied to DST,
# and the git state they come from for MODULE_VERSION (.rb-describe; outside
# a checkout the tree's own, when it has one).
rb_stage_source()
{
	local dst=$1 paths
	rm -rf "$dst"
	mkdir -p "$dst"
	if rb_is_checkout; then
		(cd "$RB_TOP" && rb_dkms_files | cpio -pdm --quiet "$dst")
		git -C "$RB_TOP" describe --always --dirty > "$dst/.rb-describe"
	else
		read -ra paths <<< "$(rb_dkms_paths)"
		(cd "$RB_TOP" && tar -cf - "${paths[@]}") | tar -xf - -C "$dst"
		if [ -e "$RB_TOP/.rb-describe" ]; then
			cp "$RB_TOP/.rb-describe" "$dst/"
		fi
	fi
}

# --- tallies --------------------------------------------------------------------

# rb_tally PASS FAIL SKIP: the last line of a run of several KTAP tests
# (scripts/test.sh, scripts/vm/selftests.sh print it); callers parse it,
# so it stays exactly this.
rb_tally()
{
	echo "$1 passed, $2 failed, $3 skipped"
}

# rb_tally_read LINE: "PASS FAIL SKIP" from a tally line; non-zero when LINE
# is none.
rb_tally_read()
{
	[[ $1 =~ ^([0-9]+)\ passed,\ ([0-9]+)\ failed,\ ([0-9]+)\ skipped$ ]] || return 1
	echo "${BASH_REMATCH[1]} ${BASH_REMATCH[2]} ${BASH_REMATCH[3]}"
}
