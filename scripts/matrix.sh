#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
#
# Build the suite with W=1 and sparse against every installed kernel build
# tree (Debian 12: the -amd64 and the PREEMPT_RT -rt-amd64 flavours) and print
# a table. Fails when any kernel fails to build or warns.
set -uo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
mapfile -t kdirs < <("$top/scripts/kdir.sh" --all)
[ ${#kdirs[@]} -gt 0 ] || { echo "matrix: no kernel headers installed" >&2; exit 1; }

rows=()
bad=0
for kdir in "${kdirs[@]}"; do
	kver=$("$top/scripts/kver.sh" "$kdir")
	out=$top/build/matrix/$kver
	log=$top/build/matrix/$kver.log
	rm -rf "$out"
	mkdir -p "$out"
	t0=$(date +%s)
	RB_WITH_TESTS=1 "$top/scripts/build.sh" "$kdir" "$out" W=1 C=2 CHECK=sparse > "$log" 2>&1
	rc=$?
	secs=$(( $(date +%s) - t0 ))
	warn=$(grep -cE 'warning:|error:' "$log")
	nko=$(find "$out" -name '*.ko' | wc -l)
	compat=$("$top/scripts/compat/probe.sh" "$kdir" "$top/build/compat")
	have=$(grep -c '^#define HAVE_' "$compat/rb_compat_autoconf.h")
	total=$(grep -cE '^(#define|/\* #undef) HAVE_' "$compat/rb_compat_autoconf.h")
	preempt=$(grep -q '^CONFIG_PREEMPT_RT=y' "$kdir/.config" && echo rt || echo -)
	if [ $rc -eq 0 ] && [ "$warn" -eq 0 ]; then
		res=ok
	else
		res=FAIL
		bad=1
		grep -E 'warning:|error:' "$log" | head -n 20 | sed 's/^/# /'
		[ $rc -ne 0 ] && tail -n 5 "$log" | sed 's/^/# /'
	fi
	rows+=("$(printf '%-24s %-4s %-6s %-8s %-9s %-8s %s' "$kver" "$preempt" "$res" "$warn" "$nko" "$have/$total" "${secs}s")")
done

printf '%-24s %-4s %-6s %-8s %-9s %-8s %s\n' KERNEL RT BUILD WARNINGS MODULES PROBES TIME
printf '%s\n' "${rows[@]}"
exit $bad
