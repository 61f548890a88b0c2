#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
#
# Benchmark (prints figures, asserts nothing): time of the compat feature
# probes from a cold cache and from a warm one, for every installed kernel.
# Budget: cold under 30 s on a 2-core machine.
set -euo pipefail

top=$(cd "$(dirname "$0")/../.." && pwd)
cache=$(mktemp -d)
trap 'rm -rf "$cache"' EXIT
nprobe=$(ls "$top"/scripts/compat/probes/*.[cs]* | wc -l)

printf '%-24s %-7s %-10s %-10s\n' KERNEL PROBES COLD WARM
for kdir in $("$top/scripts/kdir.sh" --all); do
	kver=$("$top/scripts/kver.sh" "$kdir")
	t0=$(date +%s.%N)
	"$top/scripts/compat/probe.sh" "$kdir" "$cache" > /dev/null
	t1=$(date +%s.%N)
	"$top/scripts/compat/probe.sh" "$kdir" "$cache" > /dev/null
	t2=$(date +%s.%N)
	printf '%-24s %-7s %-10s %-10s\n' "$kver" "$nprobe" \
		"$(echo "$t1 - $t0" | bc | xargs printf '%.2fs')" \
		"$(echo "$t2 - $t1" | bc | xargs printf '%.2fs')"
done
echo "# $(nproc) CPUs; budget for cold probing: 30 s"
