#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
#
# make patches-check: the patch queue is fit to be sent and to be tested,
# on each of its bases (lib.sh: PQ_BASES, the first is the one the files of
# patches/ are made against; patches/backport-X.Y/ replaces a file on X.Y).
#
#   check.sh      RB_PATCHES_BASES="6.1" checks only the bases named
#                 KDIR_SEL, KDIR= or KVER= choose the headers of a base
#                 built on this host (scripts/kdir.sh)
#
# Where a base is checked:
#   - a base whose linux-source-X.Y tarball is installed here (Debian 12:
#     6.1) is applied to that, and built on this host against the headers
#     scripts/kdir.sh picks, when they are X.Y, else the newest X.Y headers
#     installed;
#   - 6.12 (Debian 13) in the cached Debian 13 root (scripts/debian13/
#     root.sh): its linux-source-6.12, and builds inside the root with its
#     gcc 14 and sparse against its kernel's headers.
#
# For the queue as a whole: every patch listed exists, every patch file is
# listed, every backport-X.Y/ file replaces a listed patch of a base of
# PQ_BASES. Per base, for each patch (the backport file where there is one),
# in series order:
#   - trailers: subsystem subject prefix, Signed-off-by, Upstream-Status and
#     Workaround-Module in the commit message's trailer block, each valid;
#   - base-commit: the file's base-commit: line is the pristine commit of
#     the scratch tree of its base (lib.sh pq_tree_init; a patches/ file is
#     checked on PQ_BASE, a backport-X.Y file on X.Y);
#   - checkpatch.pl --strict (that base's linux-source) clean on the file
#     as it is, which is what is mailed;
#   - applies: git apply --check, then git am, on top of the patches before
#     it, in the base's scratch tree.
# For every kbuild directory the series touches: it builds out of tree
# against the base's headers with W=1 and sparse on every file it compiles
# (C=1), and the series adds no warning to what the pristine directory
# gives with the same flags. The pristine tree is built first, whole; the
# series then incrementally on top, so only the files it touches and those
# that depend on them are compiled and checked again. The scratch tree and
# its build are kept for the next run (pq_tree_reuse).
#
# KTAP on stdout; exits non-zero on any failure. Products in
# build/patches/<base>/.
set -euo pipefail

top=$(cd "$(dirname "$0")/../.." && pwd)
# shellcheck source=scripts/lib.sh
. "$top/scripts/lib.sh"
. "$top/scripts/patches/lib.sh"
# shellcheck source=selftests/lib/ktap.sh
. "$top/selftests/lib/ktap.sh"
# shellcheck source=/dev/null
. "$top/scripts/vm/sysroot.sh"

bases=${RB_PATCHES_BASES:-$PQ_BASES}
# The flags of every build of a touched directory, pristine and patched.
PQ_BUILD_FLAGS="W=1 C=1 CHECK=sparse"
mapfile -t series < <(pq_series)
[ ${#series[@]} -gt 0 ] || ktap_skip_all "the patch queue is empty ($PQ_DIR/series)"

# base_setup BASE: where BASE is checked: sets tarball, kdir, PQ_ROOT (empty:
# this host) and where (for the diagnostics). Prints the reason and returns
# 1 when it cannot be checked here.
base_setup()
{
	local b=$1 root rel d
	PQ_ROOT=
	tarball=/usr/src/linux-source-$b.tar.xz
	if [ -e "$tarball" ]; then
		kdir=$(rb_kdir)
		if [ "$(pq_kdir_version "$kdir" | cut -d. -f1,2)" != "$b" ]; then
			for d in $(rb_kdirs); do
				[ "$(pq_kdir_version "$d" | cut -d. -f1,2)" = "$b" ] && kdir=$d
			done
		fi
		where="this host ($(gcc -dumpfullversion 2>/dev/null || echo no gcc))"
		return 0
	fi
	case $b in
	6.12)
		root=$("$top/scripts/debian13/root.sh") || { echo "no Debian 13 root"; return 1; }
		rel=$(rb_root_release "$root") || { echo "no kernel in $root"; return 1; }
		tarball=$root/usr/src/linux-source-$b.tar.xz
		[ -e "$tarball" ] || { echo "no $tarball"; return 1; }
		kdir=/lib/modules/$rel/build
		PQ_ROOT=$root
		where="the Debian 13 root $(basename "$root") (gcc $(pq_run gcc -dumpfullversion))"
		;;
	*)
		echo "no /usr/src/linux-source-$b.tar.xz and no root that has it"
		return 1
		;;
	esac
}

# The tests: per base, the patches and the directories they build.
declare -A ok_base why_base n_mod
total=1
mkdir -p "$PQ_OUT"
for b in $bases; do
	if base_setup "$b" > "$PQ_OUT/why" 2>&1; then
		export RB_LINUX_SOURCE=$tarball
		mapfile -t present < <(pq_present_patches "$b")
		n=0
		if [ ${#present[@]} -gt 0 ]; then
			mapfile -t dirs < <(pq_dirs "${present[@]}")
			src=$(pq_source "${dirs[@]}")
			n=$(pq_modules "$src" "${dirs[@]}" | grep -c . || true)
		fi
		ok_base[$b]=1
		n_mod[$b]=$n
		unset RB_LINUX_SOURCE
	else
		ok_base[$b]=0
		why_base[$b]=$(tail -n 1 "$PQ_OUT/why")
		n_mod[$b]=0
	fi
	total=$((total + 4 * ${#series[@]} + n_mod[$b]))
done
ktap_plan $total

# 1. The series and the directory agree.
bad=
for p in "${series[@]}"; do
	[ -e "$PQ_DIR/$p" ] || bad+=" missing:$p"
done
for f in "$PQ_DIR"/*.patch; do
	[ -e "$f" ] || continue
	printf '%s\n' "${series[@]}" | grep -qxF "$(basename "$f")" || bad+=" unlisted:$(basename "$f")"
done
for f in "$PQ_DIR"/backport-*/*; do
	[ -e "$f" ] || continue
	d=$(basename "$(dirname "$f")")
	printf '%s\n' "${series[@]}" | grep -qxF "$(basename "$f")" ||
		bad+=" $d/$(basename "$f"):not-in-series"
	echo " $PQ_BASES " | grep -qF " ${d#backport-} " || bad+=" $d:not-a-base"
	[ "${d#backport-}" != "$PQ_BASE" ] || bad+=" $d:is-the-main-base"
done
name="series: ${#series[@]} patches, each listed once and present; backports of listed patches"
if [ -z "$bad" ]; then
	ktap_pass "$name"
else
	ktap_diag "series problems:$bad"
	ktap_fail "$name"
fi

# check_trailers PATCH: print one line per problem.
check_trailers()
{
	local p=$1 v n m re tb
	v=$(pq_subject "$p")
	# "RDMA/rxe: ...", "IB/ipoib: ...", "net/mlx5e: ..."
	echo "$v" | grep -qE '^[A-Za-z0-9_.-]+(/[A-Za-z0-9_.-]+)*: [^ ]' ||
		echo "subject has no subsystem prefix: '$v'"
	if [ "$(pq_file_base "$p")" != "$PQ_BASE" ] &&
	   [ "$v" != "$(pq_subject "$PQ_DIR/$(basename "$p")")" ]; then
		echo "subject differs from patches/$(basename "$p")'s: '$v'"
	fi
	tb=$(pq_trailer_block "$p")
	echo "$tb" | grep -qE '^Signed-off-by: .+ <[^@ ]+@[^> ]+>$' ||
		echo "no Signed-off-by: in the commit message's trailer block"
	# shellcheck disable=SC2086 # a word list
	for n in $PQ_TRAILERS; do
		m=$(pq_header "$p" | grep -c "^$n:" || true)
		if [ "$m" -ne 1 ]; then
			echo "$n: present $m times in the header, want exactly once"
		elif ! echo "$tb" | grep -q "^$n:"; then
			echo "$n: not in the commit message's trailer block"
		elif [ "$(echo "$tb" | grep -n -m 1 "^$n:" | cut -d: -f1)" -gt \
		       "$(echo "$tb" | grep -n -m 1 '^Signed-off-by:' | cut -d: -f1)" ]; then
			echo "$n: below the first Signed-off-by:, want it above"
		fi
	done
	for n in Kernel-Base Backported-By; do
		! pq_header "$p" | grep -q "^$n:" || echo "$n: the old queue trailer, replaced (README.md)"
	done

	# Yocto's values (docs.yoctoproject.org, "Patch Upstream Status").
	v=$(pq_field "$p" Upstream-Status)
	re='^(Pending( \[[^]]+\])?'
	re+='|Submitted \[[^]]+\]'
	re+='|Accepted( \[[^]]+\])?'
	re+='|Backport( \[[^]]+\])?'
	re+='|Denied( \[[^]]+\])?'
	re+='|Inappropriate \[[^]]+\])$'
	[ -z "$v" ] || echo "$v" | grep -qE "$re" ||
		echo "Upstream-Status: '$v' is not Pending, Submitted [where], Accepted [where], Backport [where], Denied [where] or Inappropriate [reason]"

	v=$(pq_field "$p" Workaround-Module)
	m=${v%% *}
	if [ -n "$v" ] && [ "$m" != none ]; then
		# A module of this suite: some Kbuild under drivers/ builds it.
		grep -rqsE "^obj-[^+]*\+= *$m\.o" --include=Kbuild --include=Makefile "$top/drivers" ||
			echo "Workaround-Module: '$m' is neither 'none' nor a module of this suite"
	fi
	[ -n "$(pq_base_commit "$p")" ] ||
		echo "no base-commit: line (git format-patch --base; scripts/patches/export.sh)"
}

# check_base BASE: the per-patch tests and the builds of BASE.
check_base()
{
	local b=$1 out tree logs src kv_src kv_hdr pristine p f name rel ncc base built
	local applied tree_ok problems bc m dir kos log rc nwarn missing new k
	local present modules
	out=$PQ_OUT/$b
	tree=$out/tree
	logs=$out/logs
	mkdir -p "$logs"
	# The separate pristine copies of before the kept scratch tree.
	rm -rf "$out/pristine"
	export RB_LINUX_SOURCE=$tarball
	mapfile -t present < <(pq_present_patches "$b")
	src=$(pq_source scripts/checkpatch.pl scripts/spelling.txt \
		scripts/const_structs.checkpatch)
	modules=()
	if [ ${#present[@]} -gt 0 ]; then
		mapfile -t dirs < <(pq_dirs "${present[@]}")
		src=$(pq_source "${dirs[@]}")
		mapfile -t modules < <(pq_modules "$src" "${dirs[@]}")
	fi
	kv_src=$(pq_kernelversion)
	kv_hdr=$(pq_kdir_version "$kdir")
	ktap_diag "$b: linux-source $kv_src ($tarball), headers $kdir ($kv_hdr), built in $where"

	tree_ok=0
	pristine=
	rc=2
	if [ ${#present[@]} -gt 0 ]; then
		rc=0
		pq_tree_reuse "$tree" "$PQ_ROOT $kdir $kv_hdr $(pq_source_version) $PQ_BUILD_FLAGS" \
			"${present[@]}" > "$logs/tree.log" 2>&1 || rc=$?
	fi
	if [ $rc -le 1 ]; then
		tree_ok=1
		pristine=$(pq_tree_base "$tree")
		ktap_diag "$b: pristine commit $pristine ($(pq_git "$tree" log -1 --format=%s pristine)), $([ $rc -eq 0 ] && echo "scratch tree and its build kept from the last run" || echo "scratch tree made")"
		pristine_builds "$tree"
	else
		ktap_diag "$b: could not set up the scratch tree: $(tail -n 5 "$logs/tree.log" 2>/dev/null)"
	fi
	applied=1
	for p in "${series[@]}"; do
		f=$(pq_patch "$p" "$b")
		rel=${f#"$PQ_DIR/"}
		name="$b: $rel"
		if [ ! -e "$f" ]; then
			ktap_fail "$name: trailers (no such file)"
			ktap_fail "$name: base-commit (no such file)"
			ktap_fail "$name: checkpatch --strict (no such file)"
			ktap_fail "$name: applies (no such file)"
			applied=0
			continue
		fi

		problems=$(check_trailers "$f" || true)
		if [ -z "$problems" ]; then
			ktap_pass "$name: trailers ($(pq_field "$f" Upstream-Status); $(pq_field "$f" Workaround-Module | cut -d' ' -f1))"
		else
			ktap_diag "$problems"
			ktap_fail "$name: trailers"
		fi

		bc=$(pq_base_commit "$f")
		if [ "$(pq_file_base "$f")" != "$b" ]; then
			ktap_skip "$name: base-commit" "made against $(pq_file_base "$f"), checked there"
		elif [ -n "$pristine" ] && [ "$bc" = "$pristine" ]; then
			ktap_pass "$name: base-commit is the pristine $b tree"
		else
			ktap_diag "base-commit: ${bc:-none}; the pristine $b tree: ${pristine:-not made}"
			ktap_diag "(a new linux-source, or a series touching new directories: scripts/patches/export.sh $b)"
			ktap_fail "$name: base-commit is the pristine $b tree"
		fi

		# No kernel history here: cited ids are checked against
		# known-commits instead of by checkpatch (UNKNOWN_COMMIT_ID).
		cited=$(pq_cited_commits "$f")
		perl "$src/scripts/checkpatch.pl" --strict --no-tree \
			--ignore UNKNOWN_COMMIT_ID "$f" \
			> "$logs/${p%.patch}.checkpatch" 2>&1 || true
		if grep -q '^total: 0 errors, 0 warnings, 0 checks' "$logs/${p%.patch}.checkpatch" &&
			[ -z "$cited" ]; then
			ktap_pass "$name: checkpatch --strict ($kv_src), cited commits known"
		else
			[ -n "$cited" ] && ktap_diag "$cited"
			ktap_diag "$(grep -vE '^$|^NOTE:|^ +them to|^ +mechanically' "$logs/${p%.patch}.checkpatch" | head -n 40)"
			ktap_fail "$name: checkpatch --strict ($kv_src), cited commits known"
		fi

		if [ $tree_ok -eq 0 ] || [ $applied -eq 0 ]; then
			ktap_fail "$name: applies (an earlier step failed)"
			applied=0
		elif pq_tree_apply "$tree" "$f" > "$logs/${p%.patch}.apply" 2>&1; then
			ktap_pass "$name: applies (git apply --check, git am)"
		else
			ktap_diag "$(head -n 20 "$logs/${p%.patch}.apply")"
			ktap_fail "$name: applies (git apply --check, git am)"
			applied=0
		fi
	done

	# Every touched kbuild directory builds, W=1 + sparse, and the series
	# adds no warning. Kernel directories are not all warning-free
	# (drivers/infiniband/core has sparse findings of its own), so a
	# directory is compared with its pristine build (pristine_builds):
	# same flags, same headers, warnings compared without line numbers.
	# The build is incremental on top of the pristine one (or on the last
	# run's): only what the series touches, and what depends on it, is
	# compiled and checked again, so only its warnings are compared.
	built=$applied
	for m in "${modules[@]}"; do
		dir=${m%% *}
		kos=$(pq_module_names "$src" "$dir")
		name="$b: build $kos ($dir) against $(basename "$(dirname "$kdir")")/$(basename "$kdir"), W=1, sparse"
		log=$logs/build-$(echo "$dir" | tr / _).log
		if [ $applied -eq 0 ]; then
			ktap_fail "$name: the series did not apply"
			continue
		fi
		if [ "${kv_src%.*}" != "${kv_hdr%.*}" ]; then
			ktap_fail "$name: headers are $kv_hdr, the tree is $kv_src"
			continue
		fi
		rc=0
		# shellcheck disable=SC2086 # a word list
		pq_build "$tree" "$dir" "$kdir" "$log" $PQ_BUILD_FLAGS || rc=$?
		pq_warnings "$log" "$tree" > "$log.warnings"
		nwarn=$(wc -l < "$log.warnings")
		ncc=$(grep -cE '^ +CC \[M\] ' "$log" || true)
		missing=
		for k in $kos; do
			[ -e "$tree/$dir/$k" ] || missing+=" $k"
		done
		new=
		base=$(pristine_warnings "$tree" "$dir")
		if [ ! -e "$base" ]; then
			new="the pristine $dir does not build: $(tail -n 3 "${base%.warnings}.log" 2>/dev/null)"
		elif [ "$nwarn" -gt 0 ]; then
			new=$(comm -13 "$base" "$log.warnings")
		fi
		if [ $rc -eq 0 ] && [ -z "$new" ] && [ -z "$missing" ]; then
			if [ "$nwarn" -eq 0 ]; then
				ktap_pass "$name: no warnings ($ncc objects compiled again)"
			else
				ktap_pass "$name: no new warnings ($ncc objects compiled again, $nwarn warnings, all in the pristine tree too)"
			fi
		else
			[ -n "$new" ] && ktap_diag "new warnings:" && ktap_diag "$(echo "$new" | head -n 40)"
			[ $rc -ne 0 ] && ktap_diag "$(tail -n 10 "$log")"
			ktap_fail "$name: exit $rc, $(echo -n "$new" | grep -c . || true) new warnings${missing:+, not built:$missing} (log: $log)"
		fi
		[ $rc -eq 0 ] && [ -z "$missing" ] || built=0
	done
	# The whole series built in every directory it touches: the VM tests
	# take their patched modules from here when their headers are these
	# (lib.sh pq_vm_modules).
	if [ "$built" = 1 ] && [ ${#modules[@]} -gt 0 ] &&
	   [ ${#present[@]} -eq "$(pq_patches "$b" | wc -l)" ]; then
		pq_built_key "$kdir" "${present[@]}" > "$tree/.git/rb-built"
	fi
	unset RB_LINUX_SOURCE
}

# pristine_warnings TREE DIR: the file of DIR's warnings in TREE's pristine
# build (absent while, or where, it did not build).
pristine_warnings()
{
	echo "$1/.git/rb-pristine-$(echo "$2" | tr / _).warnings"
}

# pristine_builds TREE: each directory of "modules" built in the pristine
# TREE, in series order (the Module.symvers of one serves the next), unless
# its warnings are known from an earlier run on the same key
# (pq_tree_reuse).
pristine_builds()
{
	local tree=$1 m dir f
	for m in "${modules[@]}"; do
		dir=${m%% *}
		f=$(pristine_warnings "$tree" "$dir")
		[ -e "$f" ] && continue
		# Whole: nothing kept of a build of another state of the tree.
		pq_git "$tree" clean -q -fdX -- "$dir"
		# shellcheck disable=SC2086 # a word list
		if pq_build "$tree" "$dir" "$kdir" "${f%.warnings}.log" $PQ_BUILD_FLAGS; then
			pq_warnings "${f%.warnings}.log" "$tree" > "$f.tmp" && mv "$f.tmp" "$f"
		fi
	done
}

for b in $bases; do
	if [ "${ok_base[$b]}" = 1 ]; then
		base_setup "$b" > /dev/null 2>&1
		check_base "$b"
	else
		ktap_diag "$b: cannot be checked here: ${why_base[$b]}"
		for p in "${series[@]}"; do
			for t in trailers base-commit "checkpatch --strict" applies; do
				ktap_fail "$b: $p: $t (base not available)"
			done
		done
	fi
done
ktap_finish
