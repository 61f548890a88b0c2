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
# shellcheck source=scripts/lib.sh
. "$here/../lib.sh"
kver=$(rb_kver "$kdir")

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
	sha256sum)
out=$cache/$kver-${key:0:16}
hdr=$out/rbp_compat_autoconf.h

if [ ! -e "$hdr" ]; then
	work=$(mktemp -d "$cache/.probe.XXXXXX")
	trap 'rm -rf "$work"' EXIT
	# This runs before every cold build: a process less is time saved
	# (about 10 ms each on a 2-CPU machine), so the loops below use the
	# shell's own string operations and one awk where a tool per probe
	# would do.
	names=()
	sources=()
	syms=()
	for c in "${probes[@]}"; do
		if [ "${c%.c}" != "$c" ]; then
			n=${c##*/}
			names+=("${n%.c}")
			sources+=("$c")
		else
			syms+=("$c")
		fi
	done
	[ ${#sources[@]} -eq 0 ] || cp "${sources[@]}" "$work/"
	# A probe fails on what says the API differs (a missing function, a
	# signature that does not match), not on what an old tree's headers
	# warn about with a newer compiler (RHEL 7.9: -Wundef, casts).
	# A verdict needs no debug info (-g0: the compiles are quicker). As a
	# module source would, the probes have the basics (linux/kernel.h)
	# before a subsystem header: RHEL 7.9's rdma/ib_sa.h alone does not.
	cat > "$work/flags.mk" <<-'FLAGS'
	ccflags-y := -g0 -include linux/kernel.h \
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
	#
	# Only the first round goes through kbuild: entering it costs more
	# than a probe (~2.3 s on 6.1, its compiler-option tests), so beside
	# the unit it compiles rbp_flags.c, an empty probe, and the command
	# kbuild saved for that (its .cmd file) is the kernel's compile
	# command, which later rounds run themselves, a compile per CPU, with
	# the file name changed. A tree whose saved command is not a plain
	# compile of rbp_flags.c has every round through kbuild.
	together=("${names[@]}")
	alone=()
	ok_together=()
	cc=
	: > "$work/probe.log"
	echo "/* the kernel's compile command, for the later rounds */" > "$work/rbp_flags.c"
	round=0
	while [ ${#together[@]} -gt 0 ] || [ ${#alone[@]} -gt 0 ]; do
		round=$((round + 1))
		targets=()
		unit=
		if [ ${#together[@]} -gt 0 ]; then
			unit=rbp_probes_$round
			(cd "$work" && awk 'FNR == 1 {
					n = FILENAME
					sub(/\.c$/, "", n)
					printf "#line 1 \"%s.c\"\n", n
				}
				{ gsub(/rbp_probe/, "rbp_probe_" n "_"); print }' \
				"${together[@]/%/.c}") > "$work/$unit.c"
			targets+=("$unit")
		fi
		targets+=("${alone[@]}")
		how=kbuild
		if [ -n "$cc" ]; then
			how=direct
			for t in "${targets[@]}"; do
				printf '%s > %s 2>&1 && : > %s\n' "${cc//rbp_flags/$t}" \
					"$work/$t.log" "$work/$t.ok"
			done > "$work/round.sh"
			# shellcheck disable=SC2016 # $1 is the inner shell's
			(cd "$kdir" && xargs -d '\n' -n 1 -P "$(nproc)" sh -c 'eval "$1"' rbp \
				< "$work/round.sh") || true
			for t in "${targets[@]}"; do
				cat "$work/$t.log"
			done > "$work/round.log"
		else
			[ $round -gt 1 ] || targets+=(rbp_flags)
			{
				echo "obj-m := ${targets[*]/%/.o}"
				cat "$work/flags.mk"
			} > "$work/Kbuild"
			make -s -C "$kdir" M="$work" -k -j"$(nproc)" "$@" "${targets[@]/%/.o}" \
				> "$work/round.log" 2>&1 || true
			for t in "${targets[@]}"; do
				[ ! -e "$work/$t.o" ] || : > "$work/$t.ok"
			done
			if [ $round -eq 1 ]; then
				cc=$(sed -n 's/^\(saved\)\{0,1\}cmd_[^ ]*rbp_flags\.o := //p' \
					"$work/.rbp_flags.o.cmd" 2>/dev/null | head -n 1)
				cc=${cc%%;*}
				case "$cc" in
				*'$'* | *'#'*) cc= ;;
				*" -c "*rbp_flags.c*) ;;
				*) cc= ;;
				esac
			fi
		fi
		{ echo "== round $round ($how): ${targets[*]}"; cat "$work/round.log"; } >> "$work/probe.log"
		alone=()
		[ -n "$unit" ] || continue
		if [ -e "$work/$unit.ok" ]; then
			ok_together+=("${together[@]}")
			together=()
			continue
		fi
		# The probes the unit's diagnostics name ("NAME.c:LINE").
		named=" "
		while read -r n; do
			named+="${n%%.c:*} "
		done < <(grep -o '\b[A-Za-z0-9_]*\.c:[0-9]' "$work/round.log" || true)
		rest=()
		for n in "${together[@]}"; do
			if [[ $named == *" $n "* ]]; then
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
			n=${c##*/}
			n=${n%.c}
			m=HAVE_${n^^}
			if [ -e "$work/$n.ok" ] || [[ " ${ok_together[*]} " == *" $n "* ]]; then
				echo "#define $m 1"
			else
				echo "/* #undef $m */"
			fi
		done
		# The .sym probes' symbols (each file's first line that is not
		# a comment), looked up in one pass over Module.symvers.
		wanted=()
		for s in "${syms[@]}"; do
			sym=
			while read -r l; do
				[ "${l#\#}" = "$l" ] || continue
				sym=$l
				break
			done < "$s"
			wanted+=("$sym")
		done
		exported=" "
		if [ ${#syms[@]} -gt 0 ]; then
			exported+=$(printf '%s\n' "${wanted[@]}" |
				awk 'NR == FNR { w[$1] = 1; next }
				     ($2 in w) && !seen[$2]++ { printf "%s ", $2 }' - "$kdir/Module.symvers")
		fi
		for i in "${!syms[@]}"; do
			n=${syms[i]##*/}
			m=HAVE_${n%.sym}
			m=${m^^}
			if [ -n "${wanted[i]}" ] && [[ $exported == *" ${wanted[i]} "* ]]; then
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
