#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
#
# make patches-check: the patch queue is fit to be sent and to be tested.
#
#   check.sh      KDIR_SEL, KDIR= or KVER= choose the headers (scripts/kdir.sh)
#
# For the series as a whole: every patch listed exists and every patch file
# is listed. For each patch, in series order:
#   - trailers: subsystem subject prefix, Signed-off-by, and the queue's
#     Upstream-Status / Kernel-Base / Backported-By, each valid;
#   - checkpatch.pl --strict (Debian's linux-source) clean on the patch as
#     it would be mailed (build/patches/outgoing/, queue trailers removed);
#   - applies: git apply --check, then git am, on top of the patches before
#     it, in a scratch copy of the directories the series touches.
# For every kbuild directory the series touches: it builds out of tree
# against the headers with W=1 and sparse (C=2), and the series adds no
# warning to what the pristine directory gives with the same flags.
#
# KTAP on stdout; exits non-zero on any failure. Products in build/patches/.
set -euo pipefail

top=$(cd "$(dirname "$0")/../.." && pwd)
. "$top/scripts/patches/lib.sh"
. "$top/selftests/lib/ktap.sh"

kdir=${KDIR_SEL:-$(KDIR=${KDIR:-} KVER=${KVER:-} "$top/scripts/kdir.sh")}
out=$PQ_OUT
tree=$out/tree
logs=$out/logs
mkdir -p "$out/outgoing" "$logs"

mapfile -t series < <(pq_series)
[ ${#series[@]} -gt 0 ] || ktap_skip_all "the patch queue is empty ($PQ_DIR/series)"

paths=()
for p in "${series[@]}"; do
	paths+=("$PQ_DIR/$p")
done

# The kbuild directories the series touches, found in the pristine tree.
src=$(pq_source scripts/checkpatch.pl scripts/spelling.txt \
	scripts/const_structs.checkpatch)
present=()
for p in "${paths[@]}"; do
	[ -e "$p" ] && present+=("$p")
done
modules=()
if [ ${#present[@]} -gt 0 ]; then
	mapfile -t dirs < <(pq_dirs "${present[@]}")
	src=$(pq_source "${dirs[@]}") || true
	mapfile -t modules < <(pq_modules "$src" "${dirs[@]}")
fi

ktap_plan $((1 + 3 * ${#series[@]} + ${#modules[@]}))
ktap_diag "pristine tree: $src ($(pq_source_version))"
ktap_diag "headers: $kdir"

# 1. The series and the directory agree.
bad=
for p in "${series[@]}"; do
	[ -e "$PQ_DIR/$p" ] || bad+=" missing:$p"
done
for f in "$PQ_DIR"/*.patch; do
	[ -e "$f" ] || continue
	printf '%s\n' "${series[@]}" | grep -qxF "$(basename "$f")" || bad+=" unlisted:$(basename "$f")"
done
if [ -z "$bad" ]; then
	ktap_pass "series: ${#series[@]} patches, each listed once and present"
else
	ktap_diag "series problems:$bad"
	ktap_fail "series: ${#series[@]} patches, each listed once and present"
fi

# check_trailers PATCH: print one line per problem.
check_trailers()
{
	local p=$1 v n m re
	v=$(pq_subject "$p")
	# "RDMA/rxe: ...", "IB/ipoib: ...", "net/mlx5e: ..."
	echo "$v" | grep -qE '^[A-Za-z0-9_.-]+(/[A-Za-z0-9_.-]+)*: [^ ]' ||
		echo "subject has no subsystem prefix: '$v'"
	pq_header "$p" | sed '/^---$/,$d' | grep -qE '^Signed-off-by: .+ <[^@ ]+@[^> ]+>$' ||
		echo "no Signed-off-by: in the commit message"
	for n in Upstream-Status Kernel-Base Backported-By; do
		m=$(pq_header "$p" | grep -c "^$n:" || true)
		[ "$m" -eq 1 ] || echo "$n: present $m times, want exactly once"
	done

	v=$(pq_field "$p" Upstream-Status)
	re='^(Pending'
	re+='|Submitted \[[^],]+, [0-9]{4}-[0-9]{2}-[0-9]{2}, https?://[^] ]+\]'
	re+='|Accepted \[[^] ]+[ /][0-9a-f]{12,40}\]'
	re+='|Backport \[[0-9a-f]{12,40}( [^]]*)?\]'
	re+='|Inappropriate \[[^]]+\])$'
	[ -z "$v" ] || echo "$v" | grep -qE "$re" ||
		echo "Upstream-Status: '$v' is not Pending, Submitted [list, YYYY-MM-DD, URL], Accepted [tree commit], Backport [commit] or Inappropriate [reason]"

	v=$(pq_field "$p" Kernel-Base)
	re='^(v?[0-9]+\.[0-9]+(\.[0-9]+)?(-rc[0-9]+)?|[A-Za-z0-9_.-]+/[A-Za-z0-9_./-]+ [0-9a-f]{12,40})( \([^)]+\))?$'
	[ -z "$v" ] || echo "$v" | grep -qE "$re" ||
		echo "Kernel-Base: '$v' is not a version such as '6.1.192 (Debian 6.1.192-2)' or 'tree/branch commit'"

	v=$(pq_field "$p" Backported-By)
	m=${v%% *}
	if [ -n "$v" ] && [ "$m" != none ]; then
		# A module of this suite: some Kbuild under drivers/ builds it.
		grep -rqsE "^obj-[^+]*\+= *$m\.o" --include=Kbuild --include=Makefile "$top/drivers" ||
			echo "Backported-By: '$m' is neither 'none' nor a module of this suite"
	fi
}

# 2. Per patch: trailers, checkpatch, applies.
tree_ok=0
if [ ${#present[@]} -gt 0 ] && pq_tree_init "$tree" "${present[@]}" > "$logs/tree.log" 2>&1; then
	tree_ok=1
else
	ktap_diag "could not set up the scratch tree: $(tail -n 5 "$logs/tree.log" 2>/dev/null)"
fi
applied=1
for p in "${series[@]}"; do
	f=$PQ_DIR/$p
	name=${p%.patch}
	if [ ! -e "$f" ]; then
		ktap_fail "$name: trailers (no such file)"
		ktap_fail "$name: checkpatch --strict (no such file)"
		ktap_fail "$name: applies (no such file)"
		applied=0
		continue
	fi

	problems=$(check_trailers "$f" || true)
	if [ -z "$problems" ]; then
		ktap_pass "$name: trailers ($(pq_field "$f" Upstream-Status); base $(pq_field "$f" Kernel-Base))"
	else
		ktap_diag "$problems"
		ktap_fail "$name: trailers"
	fi

	pq_outgoing "$f" > "$out/outgoing/$p"
	perl "$src/scripts/checkpatch.pl" --strict --no-tree "$out/outgoing/$p" \
		> "$logs/$name.checkpatch" 2>&1 || true
	if grep -q '^total: 0 errors, 0 warnings, 0 checks' "$logs/$name.checkpatch"; then
		ktap_pass "$name: checkpatch --strict"
	else
		ktap_diag "$(grep -vE '^$|^NOTE:|^ +them to|^ +mechanically' "$logs/$name.checkpatch" | head -n 40)"
		ktap_fail "$name: checkpatch --strict"
	fi

	if [ $tree_ok -eq 0 ] || [ $applied -eq 0 ]; then
		ktap_fail "$name: applies (an earlier step failed)"
		applied=0
	elif pq_tree_apply "$tree" "$f" > "$logs/$name.apply" 2>&1; then
		ktap_pass "$name: applies (git apply --check, git am)"
	else
		ktap_diag "$(head -n 20 "$logs/$name.apply")"
		ktap_fail "$name: applies (git apply --check, git am)"
		applied=0
	fi
done

# 3. Every touched kbuild directory builds, W=1 + sparse, and the series adds
# no warning. Our own modules must be warning-free; kernel directories are
# not all so (drivers/infiniband/core has sparse findings of its own), so a
# directory is compared with its pristine build: same flags, same headers,
# warnings compared without line numbers. The pristine warnings are cached
# per headers and pristine tree.
kv_src=$(pq_source_version | cut -d' ' -f1)
kv_hdr=$(make -s -C "$kdir" kernelversion 2>/dev/null || echo unknown)
base=$out/base/$(basename "$kdir")-$(pq_source_version | sha256sum | cut -c1-12)
# base_warnings DIR: the pristine build's warnings of DIR (built once).
base_warnings()
{
	local dir=$1 f
	f=$base/$(echo "$dir" | tr / _).warnings
	if [ ! -e "$f" ]; then
		mkdir -p "$base"
		if [ ! -d "$base/tree/$dir" ]; then
			mkdir -p "$base/tree/$dir"
			cp -a "$src/$dir/." "$base/tree/$dir/"
		fi
		pq_build "$base/tree" "$dir" "$kdir" "$f.log" W=1 C=2 CHECK=sparse || return 1
		pq_warnings "$f.log" "$base/tree" > "$f"
	fi
	cat "$f"
}
for m in "${modules[@]}"; do
	dir=${m%% *}
	kos=$(pq_module_names "$src" "$dir")
	name="build $kos ($dir) against $(basename "$kdir"), W=1 C=2 sparse"
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
	pq_build "$tree" "$dir" "$kdir" "$log" W=1 C=2 CHECK=sparse || rc=$?
	pq_warnings "$log" "$tree" > "$log.warnings"
	nwarn=$(wc -l < "$log.warnings")
	missing=
	for k in $kos; do
		[ -e "$tree/$dir/$k" ] || missing+=" $k"
	done
	new=
	if [ "$nwarn" -gt 0 ]; then
		if base_warnings "$dir" > "$log.base" 2>&1; then
			new=$(comm -13 "$log.base" "$log.warnings")
		else
			new="the pristine $dir does not build: $(tail -n 3 "$log.base")"
		fi
	fi
	if [ $rc -eq 0 ] && [ -z "$new" ] && [ -z "$missing" ]; then
		if [ "$nwarn" -eq 0 ]; then
			ktap_pass "$name: no warnings"
		else
			ktap_pass "$name: no new warnings ($nwarn, all in the pristine tree too)"
		fi
	else
		[ -n "$new" ] && ktap_diag "new warnings:" && ktap_diag "$(echo "$new" | head -n 40)"
		[ $rc -ne 0 ] && ktap_diag "$(tail -n 10 "$log")"
		ktap_fail "$name: exit $rc, $(echo -n "$new" | grep -c . || true) new warnings${missing:+, not built:$missing} (log: $log)"
	fi
done
ktap_finish
