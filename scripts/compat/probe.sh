#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
#
# Feature probes: detect the kernel APIs the suite depends on by compiling
# against the target kernel, never by its version number.
#
#   probe.sh KDIR CACHEDIR        print the directory holding the generated
#                                 rbp_compat_autoconf.h for KDIR (probe once,
#                                 then cached)
#   probe.sh --table KDIR CACHEDIR   also print a table of the results
#
# Arguments after CACHEDIR go to kbuild as they go to the modules' build
# (the extra make arguments some kernel trees need with this compiler).
#
# probes/NAME.c   compiles against KDIR, the warnings that mean an API
#                 mismatch made errors           =>  #define HAVE_NAME 1
# probes/NAME.sym names one symbol; it is exported to modules in KDIR's
#                 Module.symvers                      =>  #define HAVE_NAME 1
#
# The .c probes are compiled together, one translation unit per round (see
# below; the identifiers a probe defines begin with rbp_probe, or it is
# compiled alone); a probe that fails to compile is a feature the kernel
# lacks. The cache key is the kernel release plus a hash of its .config,
# its Module.symvers and the probe sources, so a changed kernel or a new
# probe re-probes.
#
# RB_PROBES="name ..." limits the run to those probes (scripts/compat/select.sh
# asks only for the ones that decide which modules can be built).
set -euo pipefail

table=0
if [ "${1:-}" = "--table" ]; then
	table=1
	shift
fi
kdir=$(readlink -f "$1")
mkdir -p "$2"
cache=$(cd "$2" && pwd)
shift 2
here=$(cd "$(dirname "$0")" && pwd)
kver=$("$here/../kver.sh" "$kdir")

probes=()
if [ -n "${RB_PROBES:-}" ]; then
	for n in $RB_PROBES; do
		if [ -e "$here/probes/$n.c" ]; then
			probes+=("$here/probes/$n.c")
		elif [ -e "$here/probes/$n.sym" ]; then
			probes+=("$here/probes/$n.sym")
		else
			echo "probe: no probe named $n in $here/probes" >&2
			exit 1
		fi
	done
else
	probes=("$here"/probes/*.c "$here"/probes/*.sym)
fi

key=$( (cat "$kdir/.config" "$kdir/Module.symvers" "${probes[@]}" "$0"; echo "${probes[*]##*/}" "$@") |
	sha256sum | cut -c1-16)
out=$cache/$kver-$key
hdr=$out/rbp_compat_autoconf.h

if [ ! -e "$hdr" ]; then
	work=$(mktemp -d "$cache/.probe.XXXXXX")
	trap 'rm -rf "$work"' EXIT
	names=()
	for c in "${probes[@]}"; do
		[ "${c%.c}" != "$c" ] || continue
		n=$(basename "$c" .c)
		cp "$c" "$work/$n.c"
		names+=("$n")
	done
	# A probe fails on what says the API differs (a missing function, a
	# signature that does not match), not on what an old tree's headers
	# warn about with a newer compiler (RHEL 7.9: -Wundef, casts).
	# As a module source would, the probes have the basics (linux/kernel.h)
	# before a subsystem header: RHEL 7.9's rdma/ib_sa.h alone does not.
	cat > "$work/flags.mk" <<-'FLAGS'
	ccflags-y := -include linux/kernel.h \
		-Werror=implicit-function-declaration -Werror=incompatible-pointer-types \
		-Werror=int-conversion -Werror=return-type -Werror=implicit-int \
		-Werror=discarded-qualifiers -Werror=pointer-to-int-cast \
		-Werror=int-to-pointer-cast
	FLAGS
	# What costs is parsing the kernel's headers (~1.3 s a probe on 6.1),
	# not the probes: they are compiled together, in one translation unit
	# per round, each under a #line of its own file name and with its
	# rbp_probe* identifiers numbered apart. A probe that unit's errors
	# name is taken out and compiled alone, beside the next round's unit
	# of the others, until a unit compiles; a failed unit that names no
	# probe (or a fifth round) sends the rest to be compiled alone too.
	# So every verdict is a compile that passed or a probe's own that
	# failed. In a unit a probe also sees the headers the probes before it
	# included: a probe includes all it needs (compared with each probe
	# compiled alone on every kernel line: the same results, 2026-12-02).
	together=("${names[@]}")
	alone=()
	ok_together=()
	: > "$work/probe.log"
	round=0
	while [ ${#together[@]} -gt 0 ] || [ ${#alone[@]} -gt 0 ]; do
		round=$((round + 1))
		targets=()
		unit=
		if [ ${#together[@]} -gt 0 ]; then
			unit=rbp_probes_$round
			for n in "${together[@]}"; do
				printf '#line 1 "%s.c"\n' "$n"
				sed "s/rbp_probe/rbp_probe_${n}_/g" "$work/$n.c"
			done > "$work/$unit.c"
			targets+=("$unit.o")
		fi
		for n in "${alone[@]}"; do
			targets+=("$n.o")
		done
		{
			echo "obj-m := ${targets[*]}"
			cat "$work/flags.mk"
		} > "$work/Kbuild"
		make -s -C "$kdir" M="$work" -k -j"$(nproc)" "$@" "${targets[@]}" \
			> "$work/round.log" 2>&1 || true
		{ echo "== round $round: ${targets[*]}"; cat "$work/round.log"; } >> "$work/probe.log"
		alone=()
		[ -n "$unit" ] || continue
		if [ -e "$work/$unit.o" ]; then
			ok_together+=("${together[@]}")
			together=()
			continue
		fi
		rest=()
		for n in "${together[@]}"; do
			if grep -q "\b$n\.c:[0-9]" "$work/round.log"; then
				alone+=("$n")
			else
				rest+=("$n")
			fi
		done
		if [ ${#alone[@]} -eq 0 ] || [ $round -ge 5 ]; then
			alone+=("${rest[@]}")
			rest=()
		fi
		together=("${rest[@]}")
	done
	{
		echo "/* Generated by scripts/compat/probe.sh for $kver; do not edit. */"
		echo "#ifndef RBP_COMPAT_AUTOCONF_H"
		echo "#define RBP_COMPAT_AUTOCONF_H"
		echo "#define RBP_COMPAT_KERNEL \"$kver\""
		for c in "${probes[@]}"; do
			[ "${c%.c}" != "$c" ] || continue
			n=$(basename "$c" .c)
			m=HAVE_$(echo "$n" | tr '[:lower:]' '[:upper:]')
			if [ -e "$work/$n.o" ] || [[ " ${ok_together[*]} " == *" $n "* ]]; then
				echo "#define $m 1"
			else
				echo "/* #undef $m */"
			fi
		done
		for s in "${probes[@]}"; do
			[ "${s%.sym}" != "$s" ] || continue
			n=$(basename "$s" .sym)
			m=HAVE_$(echo "$n" | tr '[:lower:]' '[:upper:]')
			sym=$(grep -v '^#' "$s" | head -n 1)
			if awk -v s="$sym" '$2 == s { f = 1 } END { exit !f }' \
				"$kdir/Module.symvers"; then
				echo "#define $m 1"
			else
				echo "/* #undef $m */"
			fi
		done
	} > "$work/defs.h"
	{
		cat "$work/defs.h"
		# One line for modinfo: what this build found missing.
		miss=$(sed -n 's|^/\* #undef HAVE_\([A-Z0-9_]*\) \*/$|\1|p' "$work/defs.h" |
			tr '[:upper:]' '[:lower:]' | paste -sd, -)
		have=$(grep -c '^#define HAVE_' "$work/defs.h" || true)
		total=$(grep -cE '^(#define HAVE_|/\* #undef HAVE_)' "$work/defs.h")
		echo "#define RBP_COMPAT_SUMMARY \"$kver: $have/$total probes${miss:+; without $miss}\""
		echo "#endif"
	} > "$work/rbp_compat_autoconf.h"
	mkdir -p "$out"
	mv "$work/probe.log" "$out/probe.log"
	mv "$work/rbp_compat_autoconf.h" "$hdr"
fi

if [ $table -eq 1 ]; then
	echo "# compat probes for $kver ($kdir)"
	printf '%-45s %s\n' FEATURE RESULT
	sed -n -e 's|^#define \(HAVE_[A-Z0-9_]*\) 1$|\1 yes|p' \
		-e 's|^/\* #undef \(HAVE_[A-Z0-9_]*\) \*/$|\1 no|p' "$hdr" |
		while read -r m r; do printf '%-45s %s\n' "$m" "$r"; done
else
	echo "$out"
fi
