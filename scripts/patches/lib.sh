# SPDX-License-Identifier: GPL-2.0-only
# shellcheck shell=bash
#
# The patch queue's shared helpers (sourced, not run), used by check.sh,
# status.sh, export.sh and the VM tests' host-prepare scripts.
#
# The queue is patches/series (quilt: one file name a line, apply order;
# '#' comments) and one git-format-patch file per change, made against
# Debian's linux-source of PQ_BASE: what is mailed upstream. A kernel the
# queue is also kept for (PQ_BASES) may need another version of a patch
# whose context differs there: patches/backport-<X.Y>/<the same file name>
# replaces that patch when the queue is applied to linux-source-X.Y; the
# other patches are taken as they are.
#
# A patch file carries two trailers of the queue in the trailer block of its
# commit message, above Signed-off-by (where Yocto puts Upstream-Status):
#   Upstream-Status: Pending | Submitted [where] | Accepted [where] |
#                    Backport [where] | Denied [where] | Inappropriate [why]
#   Workaround-Module: <module of this suite>|none (note)
# and, after the diff, the "base-commit:" line git format-patch --base
# writes: the scratch tree's pristine commit of its base (pq_tree_init),
# which anyone with the same linux-source package makes again.
#
# Everything produced goes under build/patches/. The pristine kernel tree is
# scripts/kernel-source.sh's cache; it is read, never written to: patches are
# applied to scratch copies of the directories they touch.

PQ_TOP=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
PQ_DIR=${RB_PATCHES_DIR:-$PQ_TOP/patches}
# shellcheck disable=SC2034 # used by the scripts that source this
PQ_OUT=$PQ_TOP/build/patches
# The base patches/*.patch are made against, then the others checked.
PQ_BASE=6.12
# shellcheck disable=SC2034 # used by the scripts that source this
PQ_BASES="6.12 6.1"
# shellcheck disable=SC2034 # used by check.sh
PQ_TRAILERS='Upstream-Status Workaround-Module'
# The scratch tree always holds these (and whatever else the series
# touches), so that its pristine commit, the patches' base-commit, does not
# change with the series.
PQ_TREE_DIRS='drivers/infiniband include/rdma include/uapi/rdma'
# Who and when the pristine commit and the applied patches are committed:
# fixed, so that every commit id of a scratch tree is reproducible.
PQ_GIT_NAME='rdma-backports patch queue'
PQ_GIT_EMAIL=patches@rdma-backports.invalid
PQ_GIT_DATE='2000-01-01T00:00:00+0000'

# pq_series: the patch file names of the series, in apply order.
pq_series()
{
	[ -e "$PQ_DIR/series" ] || return 0
	# quilt allows "name -pN" and comments; we use -p1 only.
	sed -e 's/#.*//' -e 's/[[:space:]]\+-p1[[:space:]]*$//' \
		-e 's/^[[:space:]]*//' -e 's/[[:space:]]*$//' "$PQ_DIR/series" |
		grep -v '^$' || true
}

# pq_patch NAME BASE: the file of patch NAME for linux-source BASE (X.Y):
# patches/backport-BASE/NAME when there is one, else patches/NAME.
pq_patch()
{
	if [ "$2" != "$PQ_BASE" ] && [ -e "$PQ_DIR/backport-$2/$1" ]; then
		echo "$PQ_DIR/backport-$2/$1"
	else
		echo "$PQ_DIR/$1"
	fi
}

# pq_patches BASE: the files of the series for BASE, in apply order.
pq_patches()
{
	local p
	for p in $(pq_series); do
		pq_patch "$p" "$1"
	done
}

# pq_present_patches BASE: those of pq_patches BASE that exist.
pq_present_patches()
{
	local f
	for f in $(pq_patches "$1"); do
		[ -e "$f" ] && echo "$f"
	done
	return 0
}

# pq_file_base PATCH: the base a patch file is made against: X.Y of its
# backport-X.Y directory, else PQ_BASE.
pq_file_base()
{
	case "$(basename "$(dirname "$1")")" in
	backport-*) basename "$(dirname "$1")" | sed 's/^backport-//' ;;
	*) echo "$PQ_BASE" ;;
	esac
}

# pq_header PATCH: the part of PATCH before its first diff.
pq_header()
{
	sed '/^diff --git /,$d' "$1"
}

# pq_message PATCH: the commit message: the header from the first line after
# the mail headers up to the "---" line.
pq_message()
{
	pq_header "$1" | awk 'm && /^---$/ { exit } m { print } !m && /^$/ { m = 1 }'
}

# pq_cited_commits PATCH: one line per commit the message cites as
# 'ID ("SUBJECT")' (lines joined, so a citation may wrap): a problem with it
# ("ok" lines are not printed), checked against $PQ_DIR/known-commits.
pq_cited_commits()
{
	local msg id known subj
	msg=$(pq_message "$1" | tr '\n' ' ' | tr -s ' ')
	for id in $(grep -oE '(^|[^0-9a-f])[0-9a-f]{12,40} \("' <<< "$msg" |
		grep -oE '[0-9a-f]{12,40}' | sort -u); do
		known=$(grep -E "^[0-9a-f]{12,40} " "$PQ_DIR/known-commits" 2>/dev/null |
			awk -v id="$id" 'index($1, id) == 1 || index(id, $1) == 1' | head -n 1)
		if [ -z "$known" ]; then
			echo "cites commit $id, which $PQ_DIR/known-commits does not list"
			continue
		fi
		subj=${known#* }
		grep -qF "$id (\"$subj\")" <<< "$msg" ||
			echo "cites $id without its subject (\"$subj\")"
	done
}

# pq_trailer_block PATCH: the commit message's last paragraph (its
# trailers).
pq_trailer_block()
{
	pq_message "$1" | awk '/^$/ { b = ""; next } { b = b $0 "\n" } END { printf "%s", b }'
}

# pq_field PATCH NAME: the value of trailer NAME in the commit message
# (empty if none).
pq_field()
{
	pq_trailer_block "$1" | sed -n "s/^$2:[[:space:]]*//p" | head -n 1
}

# pq_base_commit PATCH: its "base-commit:" (git format-patch --base).
pq_base_commit()
{
	sed -n 's/^base-commit: //p' "$1" | tail -n 1
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

# pq_tarball: Debian's linux-source tarball in use: RB_LINUX_SOURCE, else
# the newest /usr/src/linux-source-*.tar.xz (as scripts/kernel-source.sh).
pq_tarball()
{
	echo "${RB_LINUX_SOURCE:-$(ls /usr/src/linux-source-*.tar.xz 2>/dev/null | sort -V | tail -n 1)}"
}

# pq_source: the pristine tree of Debian's linux-source (cache directory),
# with DIRS... extracted into it.
pq_source()
{
	"$PQ_TOP/scripts/kernel-source.sh" Makefile "$@"
}

# pq_kernelversion: "6.12.118", the version of the linux-source in use.
pq_kernelversion()
{
	local src
	src=$(pq_source) || return 1
	awk -F' *= *' '/^VERSION/ { a = $2 } /^PATCHLEVEL/ { b = $2 }
		/^SUBLEVEL/ { c = $2 } END { print a "." b "." c }' "$src/Makefile"
}

# pq_base: "6.12", the base (X.Y) of the linux-source in use.
pq_base()
{
	pq_kernelversion | cut -d. -f1,2
}

# pq_source_version: "6.1.192 (Debian 6.1.192-2)" for the tarball in use
# (the Debian version when dpkg here knows the tarball).
pq_source_version()
{
	local v deb
	v=$(pq_kernelversion) || return 1
	deb=$(dpkg-query -S "$(pq_tarball)" 2>/dev/null | cut -d: -f1)
	deb=${deb:+$(dpkg-query -W -f='${Version}' "$deb" 2>/dev/null)}
	echo "$v${deb:+ (Debian $deb)}"
}

# pq_git TREE ARGS...: git in a scratch tree, with the fixed identity.
pq_git()
{
	local t=$1
	shift
	git -C "$t" -c user.name="$PQ_GIT_NAME" -c user.email="$PQ_GIT_EMAIL" \
		-c advice.detachedHead=false -c core.autocrlf=false "$@"
}

# pq_tree_init TREE PATCH...: a fresh git tree at TREE holding pristine
# copies of PQ_TREE_DIRS and of the directories the patches touch, committed
# as the base: a commit that depends on nothing but the linux-source and
# those directories (fixed identity and date, a message naming both), so
# the same package gives everyone the same base-commit. Pass the whole
# series of one base.
pq_tree_init()
{
	local tree=$1 src d
	shift
	local dirs
	# shellcheck disable=SC2086 # a word list
	mapfile -t dirs < <({ printf '%s\n' $PQ_TREE_DIRS; pq_dirs "$@"; } | sort -u |
		awk '{ for (i = 1; i <= n; i++) if (index($0 "/", d[i] "/") == 1) next; d[++n] = $0; print }')
	src=$(pq_source "${dirs[@]}") || return 1
	rm -rf "$tree"
	mkdir -p "$tree"
	for d in "${dirs[@]}"; do
		mkdir -p "$tree/$d"
		cp -a "$src/$d/." "$tree/$d/"
	done
	pq_git "$tree" init -q &&
		pq_git "$tree" add -A &&
		GIT_AUTHOR_DATE=$PQ_GIT_DATE GIT_COMMITTER_DATE=$PQ_GIT_DATE \
		pq_git "$tree" commit -q -m "linux-source $(pq_kernelversion): ${dirs[*]}" \
			-m "The pristine tree of rdma-backports' patch queue: these directories of Debian's linux-source-$(pq_base) $(pq_kernelversion), from scripts/patches/lib.sh pq_tree_init." &&
		pq_git "$tree" tag pristine || return 1
	# What kbuild leaves in the tree stays out of a later "git add -A"
	# (after the pristine commit, which holds every file of the source).
	printf '%s\n' '*.o' '*.ko' '*.mod' '*.mod.c' '.*.cmd' '.*.d' \
		Module.symvers modules.order >> "$tree/.git/info/exclude"
}

# pq_tree_reuse TREE KEY PATCH...: TREE as pq_tree_init leaves it, kept from
# an earlier run where that run's KEY (what the pristine tree and its build
# depend on: linux-source, headers, flags) was the same: the series undone
# (git reset to the pristine commit, whose files then carry a new mtime) and
# what kbuild built kept, so that the next build recompiles only what the
# series touches and what depends on it. Returns 0 when TREE was kept, 1
# when it was made afresh (its build products then gone), 2 when it could
# not be made.
pq_tree_reuse()
{
	local tree=$1 key=$2
	shift 2
	key=$( { echo "$key"; pq_dirs "$@"; echo "$PQ_TREE_DIRS"; } | sha256sum | cut -c1-16)
	# Built with the series: only once check.sh says so again.
	rm -f "$tree/.git/rb-built"
	if [ "$(cat "$tree/.git/rb-key" 2>/dev/null)" = "$key" ]; then
		pq_git "$tree" am --abort > /dev/null 2>&1 || true
		if pq_git "$tree" reset -q --hard pristine && pq_git "$tree" clean -q -fd; then
			return 0
		fi
	fi
	pq_tree_init "$tree" "$@" || return 2
	echo "$key" > "$tree/.git/rb-key"
	return 1
}

# pq_tree_base TREE: the pristine commit of a scratch tree.
pq_tree_base()
{
	pq_git "$1" rev-parse pristine
}

# pq_tree_apply TREE PATCH: git apply --check, then git am (committed with
# the author's date: reproducible commit ids); messages on stderr. Leaves
# the tree clean when the patch does not apply.
pq_tree_apply()
{
	local tree=$1 patch
	patch=$(readlink -f "$2")
	pq_git "$tree" apply --check "$patch" || return 1
	if ! pq_git "$tree" am -q --committer-date-is-author-date "$patch"; then
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

# pq_run CMD...: CMD where the kernel's modules are built: as it is, or,
# with PQ_ROOT set (a distribution root, scripts/debian13/root.sh), inside
# that root (scripts/vm/in-root.sh: the tree at the same path, a clean
# environment), for a kernel whose compiler and kbuild tools are not this
# host's.
pq_run()
{
	if [ -n "${PQ_ROOT:-}" ]; then
		"$PQ_TOP/scripts/vm/in-root.sh" "$PQ_ROOT" "$@"
	else
		"$@"
	fi
}

# pq_build TREE DIR KDIR LOG [make args...]: build DIR of TREE as an external
# module with its CONFIG_ options set to m (through pq_run; KDIR as seen
# there). Output in LOG.
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
	pq_run make -C "$kdir" M="$tree/$dir" -j"$(nproc)" ${line#* } \
		NOSTDINC_FLAGS="-I$tree/include -I$tree/include/trace" \
		${extra:+KBUILD_EXTRA_SYMBOLS="$extra"} "$@" > "$log" 2>&1
}

# pq_kdir_version KDIR: the kernel version of the headers KDIR (pq_run).
pq_kdir_version()
{
	pq_run make -s -C "$1" kernelversion 2>/dev/null || echo unknown
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

# pq_built_key KDIR PATCH...: what a tree built with the series PATCH...
# applied, against the headers KDIR, is identified by (check.sh writes it
# into its scratch tree once every directory built; pq_vm_modules reads it).
pq_built_key()
{
	local kdir=$1
	shift
	# The linux-source by its tarball's size and date: the same file is
	# named by another path inside a root than from the host.
	{ cat "$@"; pq_run readlink -f "$kdir"; pq_run cat "$kdir/include/generated/utsrelease.h";
		pq_kernelversion; stat -L -c '%s %Y' "$(pq_tarball)"; } | sha256sum | cut -c1-16
}

# pq_vm_modules KDIR KVER WORK DIR/MODULE.ko...: the series applied to a
# scratch tree of the linux-source in use (backport-X.Y files for its base)
# and each DIR built against KDIR (in the order given), for the VM tests
# that load patched modules instead of the distribution's. Cached in WORK,
# rebuilt when the series, a patch, the headers or the caller change.
# Prints WORK/ko, which then holds each MODULE.ko (debug info stripped).
# Exit 4 with the reason on stdout when this host cannot.
pq_vm_modules()
{
	local kdir=$1 kver=$2 work=$3 key p f d kv_src kv_hdr base chk
	shift 3
	local patches=() dirs=()
	base=$(pq_base) || { echo "no Debian linux-source here"; return 4; }
	mapfile -t patches < <(pq_patches "$base")
	for f in "$@"; do
		d=$(dirname "$f")
		pq_dirs "${patches[@]}" | grep -qx "$d" ||
			{ echo "the patch queue does not touch $d"; return 4; }
		dirs+=("$d")
	done
	key=$( { cat "$PQ_DIR/series" "${patches[@]}" "$PQ_TOP/scripts/patches/lib.sh";
		echo "$kdir $kver $*"; cat "$kdir/include/generated/utsrelease.h";
		pq_source_version; } | sha256sum | cut -c1-16)
	chk=$PQ_OUT/$base/tree
	for f in "$@"; do
		[ -n "$chk" ] && [ ! -e "$chk/$f" ] && chk=
	done
	if [ "$(cat "$work/key" 2>/dev/null)" != "$key" ] && [ -n "$chk" ] &&
	   [ "$(cat "$chk/.git/rb-built" 2>/dev/null)" = "$(pq_built_key "$kdir" "${patches[@]}")" ]; then
		# The patch check (check.sh) built this series against these
		# headers, every directory it touches: take its modules.
		echo "pq: the patched modules of the patch check's tree $chk" >&2
		rm -rf "$work"
		mkdir -p "$work/ko"
		for f in "$@"; do
			strip --strip-debug -o "$work/ko/$(basename "$f")" "$chk/$f" || return 1
		done
		echo "$key" > "$work/key"
	fi
	if [ "$(cat "$work/key" 2>/dev/null)" != "$key" ]; then
		kv_src=$(pq_kernelversion)
		kv_hdr=$(pq_kdir_version "$kdir")
		[ "${kv_src%.*}" = "${kv_hdr%.*}" ] ||
			{ echo "the patched tree is linux-source $kv_src, the VM kernel's headers are $kv_hdr"; return 4; }
		rm -rf "$work"
		mkdir -p "$work/ko"
		echo "pq: applying ${#patches[@]} patches to linux-source $kv_src:" \
			"${patches[*]#"$PQ_DIR/"}" >&2
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
