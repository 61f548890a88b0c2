#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
#
# Build the suite against every kernel it can be built against here.
#
#   matrix.sh              both lanes below
#   matrix.sh --installed  every installed Debian headers tree (-amd64 and the
#                          PREEMPT_RT -rt-amd64), W=1 + sparse: any warning fails
#   matrix.sh --trees      the compile-only RHEL-family trees of
#                          ../shared/kernels (scripts/kernel-trees.sh), W=1 with
#                          each tree's extra make arguments; exits 4 (skip) with
#                          the reason when there are none
#
# Per kernel and module it prints "built", "not built: needs ..." (a kernel
# feature the module cannot do without, scripts/compat/modules) or "FAILED".
# A module that the selection says can be built and does not, a warning in
# the suite's own sources, or (on a tree whose Module.symvers is approximate)
# an undefined symbol that is not one of the tree's known gaps, fails the lane.
set -uo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
# shellcheck source=scripts/lib.sh
. "$top/scripts/lib.sh"
mode=${1:-all}
bad=0

# Symbols the approximate Module.symvers of the RHEL trees lacks because they
# are exported by assembler or by macro-generated names that a scan of the
# source does not see (shared/kernels/README.md): not a defect of ours.
approx_gaps='^(__SCT__|__x86_indirect_|__x86_return_thunk|param_ops_|__fentry__|__stack_chk_fail)'

# build_one NAME KDIR OUT SYMVERS FLAGS MAKEARGS...: one kernel, one row.
build_one()
{
	local name=$1 kdir=$2 out=$3 symvers=$4 flags=$5 log rc secs ours tree undef
	local kver compat have total mods m status kflags
	read -ra kflags <<< "$flags"
	shift 5
	log=$out.log
	rm -rf "$out"
	mkdir -p "$out"
	local t0
	t0=$(date +%s)
	RB_WITH_TESTS=${RB_WITH_TESTS:-0} "$top/scripts/build.sh" "$kdir" "$out" "${kflags[@]}" "$@" > "$log" 2>&1
	rc=$?
	secs=$(( $(date +%s) - t0 ))
	kver=$(rb_kver "$kdir")
	compat=$("$top/scripts/compat/probe.sh" "$kdir" "$top/build/compat" "$@")
	have=$(grep -c '^#define HAVE_' "$compat/rbp_compat_autoconf.h")
	total=$(grep -cE '^(#define|/\* #undef) HAVE_' "$compat/rbp_compat_autoconf.h")
	# Our sources are mirrored under $out: kbuild names them by that path,
	# the kernel tree's own headers by a relative one.
	ours=$(grep -E 'warning:|error:' "$log" | grep -E "^$out/" | grep -vc 'modpost' || true)
	tree=$(grep -E 'warning:' "$log" | grep -vE "^$out/" | grep -vc 'modpost' || true)
	undef=$(sed -n 's/^WARNING: modpost: "\([^"]*\)".* undefined!$/\1/p' "$log" | sort -u)
	if [ "$symvers" = approx ]; then
		undef=$(echo "$undef" | grep -vE "$approx_gaps" || true)
	fi
	mods=()
	while read -r verb m dir why; do
		if [ "$verb" = skip ]; then
			status="not built: ${why#needs }"
		elif [ -e "$out/$dir/$m.ko" ]; then
			status=built
		else
			status=FAILED
			bad=1
		fi
		mods+=("$(printf '    %-20s %s' "$m" "$status")")
	done < <("$top/scripts/compat/select.sh" "$kdir" "$top/build/compat" "$@")
	[ "$ours" -eq 0 ] || bad=1
	[ -z "$undef" ] || bad=1
	printf '%-28s %-26s probes %-6s warnings: ours %s, tree %s; %ss\n' \
		"$name" "$kver" "$have/$total" "$ours" "$tree" "$secs"
	printf '%s\n' "${mods[@]}"
	if [ "$ours" -ne 0 ]; then
		grep -E 'warning:|error:' "$log" | grep -E "^$out/" | grep -v modpost | head -n 20 | sed 's/^/    # /'
	fi
	if [ -n "$undef" ]; then
		echo "    # undefined symbols: $(echo "$undef" | xargs)"
	fi
	if [ $rc -ne 0 ]; then
		grep -E 'error' "$log" | head -n 10 | sed 's/^/    # /'
	fi
	"$top/scripts/compat/probe.sh" --table "$kdir" "$top/build/compat" "$@" > "$out.probes"
}

installed()
{
	local kdirs kdir kver rt
	mapfile -t kdirs < <(rb_kdirs)
	[ ${#kdirs[@]} -gt 0 ] || { echo "matrix: no kernel headers installed" >&2; return 1; }
	echo "# installed kernels: W=1 + sparse"
	for kdir in "${kdirs[@]}"; do
		kver=$(rb_kver "$kdir")
		rt=
		grep -q '^CONFIG_PREEMPT_RT=y' "$kdir/.config" && rt=" (PREEMPT_RT)"
		RB_WITH_TESTS=1 build_one "Debian $kver$rt" "$kdir" "$top/build/matrix/$kver" real "W=1 C=2 CHECK=sparse"
		# Here the kernel's own headers warn about nothing: every warning counts.
		if grep -qE 'warning:' "$top/build/matrix/$kver.log"; then
			grep -E 'warning:' "$top/build/matrix/$kver.log" | head -n 10 | sed 's/^/    # /'
			bad=1
		fi
	done
}

trees()
{
	local list name path stands config symvers args
	list=$("$top/scripts/kernel-trees.sh")
	case $? in
	0) ;;
	4) echo "$list"; return 4 ;;
	*) echo "$list"; return 1 ;;
	esac
	echo "# compile-only RHEL-family trees (../shared/kernels): W=1 where the tree allows"
	while IFS=$'\t' read -r name path stands config symvers args; do
		local extra=()
		[ -n "$args" ] && extra+=("$args")
		[ "$symvers" = approx ] && extra+=(KBUILD_MODPOST_WARN=1)
		# The suite only: the test modules are for the VM, and no RHEL
		# kernel boots here (make exports RB_WITH_TESTS=1).
		RB_WITH_TESTS=0 build_one "$stands" "$path" "$top/build/matrix/$name" "$symvers" "W=1" "${extra[@]}"
		echo "    (config: $config, Module.symvers: $symvers)"
	done <<< "$list"
}

case $mode in
--installed) installed ;;
--trees) trees; rc=$?; [ $rc -eq 4 ] && exit 4; [ $rc -eq 0 ] || bad=1 ;;
all|"") installed || bad=1; trees; rc=$?; [ $rc -eq 0 ] || [ $rc -eq 4 ] || bad=1 ;;
*) echo "usage: matrix.sh [--installed|--trees]" >&2; exit 2 ;;
esac
exit $bad
