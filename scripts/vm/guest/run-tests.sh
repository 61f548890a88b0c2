#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
#
# Guest side of the selftest runner: run every executable test of the named
# directories under /selftests, one KTAP test each, and fail a test that left
# a warning, BUG, oops or new taint in the kernel log, whatever it returned.
# Output is KTAP; each test's own output is nested (indented four spaces).
# On a kernel with kmemleak (the debug lane) the leak detector is cleared
# after boot and scanned after the last test: an unreferenced object left
# behind by the directory's tests fails it.

# What in dmesg fails a test.
BAD='WARNING:|BUG:|Oops|general protection fault|Kernel panic|KASAN:|UBSAN:|possible circular locking|possible recursive locking|INFO: task .* blocked|refcount_t: |kernel BUG|Call Trace:'
# Taints that loading our unsigned out-of-tree modules is expected to set:
# O (4096, out-of-tree) and E (8192, unsigned).
TAINT_OK=12288

n=0
for dir in "$@"; do
	for t in /selftests/"$dir"/*; do
		case "${t##*/}" in host-prepare|settings|config|*.c|*.h|*.ko|*.md) continue ;; esac
		[ -f "$t" ] && [ -x "$t" ] && n=$((n + 1))
	done
done

# log_check NAME: one test point for what the kernel logged since the last
# look (boot, or what work left over after the last test).
log_check()
{
	dmesg -c > /tmp/dmesg 2>/dev/null
	{ echo "=== $1"; cat /tmp/dmesg; } >> /out/dmesg.log
	bad=$(grep -E "$BAD" /tmp/dmesg | head -n 5)
	i=$((i + 1))
	if [ -n "$bad" ]; then
		echo "$bad" | sed 's/^/# dmesg: /'
		echo "not ok $i $1 # kernel log: warning/BUG/oops"
	else
		echo "ok $i $1"
	fi
}

KMEMLEAK=/sys/kernel/debug/kmemleak
checks=2
[ -w $KMEMLEAK ] && checks=3

echo "KTAP version 1"
echo "1..$((n + checks))"
i=0
log_check "boot: kernel log clean"
# A report before any test is the kernel's alone: stop here, the host boots
# again (scripts/vm/selftests.sh, boot_tests).
if [ -n "$bad" ]; then
	echo "rb-init: boot log not clean"
	exit 0
fi
# What boot allocated and kept is not the tests' doing.
[ -w $KMEMLEAK ] && echo clear > $KMEMLEAK

for dir in "$@"; do
	d=/selftests/$dir
	tmo=$(sed -n 's/^timeout=//p' "$d/settings" 2>/dev/null)
	tmo=${tmo:-120}
	for t in "$d"/*; do
		base=${t##*/}
		case "$base" in host-prepare|settings|config|*.c|*.h|*.ko|*.md) continue ;; esac
		[ -f "$t" ] && [ -x "$t" ] || continue
		i=$((i + 1))
		name="$dir:$base"
		echo "# selftests: $name"
		taint0=$(cat /proc/sys/kernel/tainted)
		start=$(date +%s)
		{ (cd "$d" && exec timeout -s KILL "$tmo" "./$base" 2>&1); echo $? > /tmp/rc; } |
			tee /tmp/test.out | sed 's/^/    /'
		rc=$(cat /tmp/rc)
		secs=$(( $(date +%s) - start ))
		dmesg -c > /tmp/dmesg 2>/dev/null
		{ echo "=== $name"; cat /tmp/dmesg; } >> /out/dmesg.log
		bad=$(grep -E "$BAD" /tmp/dmesg | head -n 5)
		taint=$(cat /proc/sys/kernel/tainted)
		newtaint=$(( (taint & ~taint0) & ~TAINT_OK ))
		if [ -n "$bad" ]; then
			echo "$bad" | sed 's/^/# dmesg: /'
			echo "not ok $i $name # kernel log: warning/BUG/oops"
		elif [ "$newtaint" -ne 0 ]; then
			echo "not ok $i $name # kernel tainted: $taint (new bits $newtaint)"
		elif [ "$rc" -eq 0 ]; then
			echo "ok $i $name # time=${secs}s"
		elif [ "$rc" -eq 4 ]; then
			why=$(sed -n 's/.*# SKIP \(.*\)/\1/p' /tmp/test.out | head -n 1)
			echo "ok $i $name # SKIP ${why:-no reason given}"
		elif [ "$rc" -eq 137 ]; then
			echo "not ok $i $name # TIMEOUT after ${tmo}s"
		else
			echo "not ok $i $name # exit=$rc"
		fi
	done
done

# Work a test left behind (timers, RCU callbacks, delayed work) has run.
sleep 1
log_check "end: kernel log clean after the last test"

# kmemleak reports objects unreferenced for longer than 5 s, found by a scan.
if [ -w $KMEMLEAK ]; then
	sleep 6
	echo scan > $KMEMLEAK
	echo scan > $KMEMLEAK
	cat $KMEMLEAK > /tmp/kmemleak
	cat /tmp/kmemleak >> /out/dmesg.log
	i=$((i + 1))
	if [ -s /tmp/kmemleak ]; then
		grep -E '^unreferenced object|^    \[<|^  comm ' /tmp/kmemleak | head -n 12 | sed 's/^/# kmemleak: /'
		echo "not ok $i end: kmemleak found $(grep -c '^unreferenced object' /tmp/kmemleak) unreferenced objects"
	else
		echo "ok $i end: kmemleak found no unreferenced object"
	fi
fi
