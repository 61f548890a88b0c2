# SPDX-License-Identifier: GPL-2.0-only
# shellcheck shell=bash
#
# Shared by the benchmarks of scripts/bench/ (sourced): the VM run of a
# guest script, the figures it printed, and statistics over rounds.
#
# A guest script prints one "# BENCH NAME VALUE UNIT" line per sample;
# samples of different names are taken interleaved, round by round, so
# drift over the run (caches, page cache, TCG's translation cache) falls
# on both sides of a ratio alike. A figure is reported as the median over
# the rounds with the smallest and largest value, so one noisy round does
# not decide it.

top=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
kdir=$("$top/scripts/kdir.sh")
kver=$("$top/scripts/kver.sh" "$kdir")
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# bench_accel: choose the accelerator as the harness does (a KVM that does
# not boot is not used) and say which, so a figure is never labelled KVM
# when TCG ran it.
bench_accel()
{
	# shellcheck source=/dev/null
	. "$top/scripts/vm/accel.sh"
	vm_accel "$("$top/scripts/vm/vmlinux.sh" "$kver" "$top/build/vm")" \
		"$("$top/scripts/vm/initramfs.sh" "$kver" "$top/build/vm")/base.cpio" \
		"$work/accel"
	echo "# $VM_ACCEL_WHY"
}

# bench_vm GUEST TIMEOUT: run scripts/bench/guest/GUEST in one VM boot,
# with the test modules built; its output in $work/out.log. The host's
# exported RB_BENCH_* variables are set in the guest script (the VM does
# not inherit the host's environment).
bench_vm()
{
	local g=$top/scripts/bench/guest/$1
	RB_WITH_TESTS=1 "$top/scripts/build.sh" "$kdir" "$top/build/$kver" > "$work/build.log" 2>&1 ||
		{ tail -n 20 "$work/build.log"; return 1; }
	mkdir -p "$work/bench"
	{ head -n 1 "$g"; export -p | grep '^declare -x RB_BENCH_' || true; tail -n +2 "$g"; } \
		> "$work/bench/$1"
	chmod +x "$work/bench/$1"
	echo "timeout=$2" > "$work/bench/settings"
	RB_ACCEL=${VM_ACCEL_NAME,,} RB_SELFTESTS_DIR=$work KDIR_SEL=$kdir KVER_SEL=$kver \
		"$top/scripts/vm/selftests.sh" bench > "$work/out.log" 2>&1 || true
	# RB_BENCH_LOG=FILE keeps the VM's output, every sample in it.
	[ -z "${RB_BENCH_LOG:-}" ] || cp "$work/out.log" "$RB_BENCH_LOG"
}

# bench_vals NAME: the samples of NAME, one a line, in round order.
bench_vals()
{
	sed -n "s/.*# BENCH $1 \([0-9.][0-9.]*\) .*/\1/p" "$work/out.log"
}

# bench_need NAME...: each has samples, else the VM's output and failure.
bench_need()
{
	local n
	for n in "$@"; do
		if [ -z "$(bench_vals "$n")" ]; then
			echo "no samples of $n; the VM run said:"
			sed 's/^/  /' "$work/out.log" | tail -n 40
			return 1
		fi
	done
}

# bench_stats: "median M (min A, max B, N rounds)" of the numbers on stdin.
bench_stats()
{
	sort -g | awk '{ v[NR] = $1 }
		END { m = NR % 2 ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2
		      printf "median %.6g (min %.6g, max %.6g, %d rounds)\n", m, v[1], v[NR], NR }'
}

# bench_ratios A B: per round, B's sample over A's, one a line.
bench_ratios()
{
	paste <(bench_vals "$1") <(bench_vals "$2") |
		awk 'NF == 2 && $1 > 0 { printf "%.4f\n", $2 / $1 }'
}

# bench_footer: where the figures were measured.
bench_footer()
{
	echo "# one VM run, ${VM_ACCEL_NAME:-no VM}, $(nproc) host CPUs, kernel $kver, $(date -u +%F)"
}
