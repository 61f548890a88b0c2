#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
#
# Benchmark (prints figures, asserts nothing but that it measured): per
# installed kernel, the compat probes cold and warm, and the cold build
# DKMS runs: dkms.conf's module selection (every probe, into an empty
# cache) then "make modules" with that cache (the modules, without the test
# modules), from nothing cached. Budget: a cold build under 15 s per
# kernel on 2 CPUs. RB_BENCH_QUICK=1: the selected kernel only.
set -euo pipefail

top=$(cd "$(dirname "$0")/../.." && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
nprobe=$(ls "$top"/scripts/compat/probes/*.[cs]* | wc -l)

secs() { echo "$2 - $1" | bc | xargs printf '%.1f'; }

printf '%-26s %-7s %-11s %-11s %s\n' KERNEL PROBES "COLD (s)" "WARM (s)" "COLD BUILD AS DKMS (s)"
kdirs=$("$top/scripts/kdir.sh" --all)
[ -z "${RB_BENCH_QUICK:-}" ] || kdirs=$("$top/scripts/kdir.sh")
for kdir in $kdirs; do
	kver=$("$top/scripts/kver.sh" "$kdir")
	rm -rf "${work:?}"/*
	t0=$(date +%s.%N)
	"$top/scripts/compat/probe.sh" "$kdir" "$work/cache" > /dev/null
	t1=$(date +%s.%N)
	"$top/scripts/compat/probe.sh" "$kdir" "$work/cache" > /dev/null
	t2=$(date +%s.%N)
	RB_SELECT_ALL=1 "$top/scripts/compat/select.sh" "$kdir" "$work/dkms-cache" > /dev/null
	RB_WITH_TESTS=0 RB_DEBUG_INFO=0 RB_CACHE=$work/dkms-cache "$top/scripts/build.sh" "$kdir" "$work/out" > "$work/build.log" 2>&1 ||
		{ tail -n 20 "$work/build.log"; exit 1; }
	t3=$(date +%s.%N)
	printf '%-26s %-7s %-11s %-11s %s\n' "$kver" "$nprobe" "$(secs "$t0" "$t1")" \
		"$(secs "$t1" "$t2")" "$(secs "$t2" "$t3")"
done
echo "(budget: cold build as DKMS runs it < 15 s per kernel)"
echo "# $(nproc) CPUs, load average $(cut -d ' ' -f 1-3 /proc/loadavg), $(date -u +%F)"
