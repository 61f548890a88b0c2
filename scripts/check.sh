#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
#
# Static checks of the suite against kernel tree $1 (default: as kdir.sh
# picks): a W=1 build with sparse on every file (C=2) that must print no
# warning, and checkpatch.pl --strict over every C source and header of ours.
# A checkpatch finding passes only when scripts/checkpatch.allow justifies it.
# And the selftests' shell: no ktap_check whose message has a command
# substitution and whose status is $?: that $? is the substitution's
# (expanded first), not the status of the assertion before it. And each
# test directory's Makefile (kselftest TEST_PROGS) names exactly the tests
# the VM harness runs there (scripts/kselftest-install.sh --check). And the
# user-space tools build with -Wall -Wextra and no warning.
# Prints KTAP; exits non-zero on any finding.
set -uo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
# shellcheck source=scripts/lib.sh
. "$top/scripts/lib.sh"
# shellcheck source=selftests/lib/ktap.sh
. "$top/selftests/lib/ktap.sh"
kdir=$(readlink -f "${1:-$(rb_kdir)}") || exit 1
kver=$(rb_kver "$kdir") || exit 1
out=$top/build/check/$kver
log=$top/build/check/$kver.log

ktap_plan 5

# 1. W=1 + sparse. The build tree holds only our sources, so any warning in
# the log is ours.
rm -rf "$out"
mkdir -p "$out"
RB_WITH_TESTS=1 "$top/scripts/build.sh" "$kdir" "$out" W=1 C=2 CHECK=sparse > "$log" 2>&1
rc=$?
nwarn=$(grep -cE 'warning:|error:' "$log")
if [ $rc -eq 0 ] && [ "$nwarn" -eq 0 ]; then
	ktap_pass "W=1 + sparse build for $kver: no warnings"
else
	ktap_diag "$(grep -E 'warning:|error:' "$log" | head -n 40)"
	[ $rc -ne 0 ] && ktap_diag "$(tail -n 15 "$log")"
	ktap_fail "W=1 + sparse build for $kver: exit $rc, $nwarn warnings (log: $log)"
fi

# 2. checkpatch --strict, from Debian's linux-source.
src=$("$top/scripts/kernel-source.sh" scripts/checkpatch.pl scripts/spelling.txt \
	scripts/const_structs.checkpatch) || { ktap_fail "checkpatch available"; ktap_finish; }
allow=$top/scripts/checkpatch.allow
mapfile -t files < <(cd "$top" && git ls-files -co --exclude-standard -- \
	'drivers/*.[ch]' 'include/*.[ch]' 'selftests/*.[ch]' 'tools/*.[ch]' 'scripts/compat/probes/*.c' 2>/dev/null |
	while read -r f; do [ -e "$f" ] && echo "$f"; done)
findings=$(cd "$top" && for f in "${files[@]}"; do
	perl "$src/scripts/checkpatch.pl" --strict --no-tree --terse --show-types \
		--no-summary -f "$f" 2>&1
done | grep -E '^[^:]+:[0-9]+: (ERROR|WARNING|CHECK):' |
	while IFS= read -r line; do
		f=${line%%:*}
		type=$(echo "$line" | sed -n 's/^[^:]*:[0-9]*: [A-Z]*:\([A-Z_0-9]*\):.*/\1/p')
		# allow-list lines: TYPE PATH-GLOB # justification
		ok=0
		while read -r atype aglob _; do
			case "$atype" in ''|\#*) continue ;; esac
			# shellcheck disable=SC2254
			if [ "$atype" = "$type" ]; then
				case "$f" in $aglob) ok=1; break ;; esac
			fi
		done < "$allow"
		[ $ok -eq 1 ] || echo "$line"
	done)
if [ -z "$findings" ]; then
	ktap_pass "checkpatch --strict: ${#files[@]} files clean"
else
	ktap_diag "$findings"
	ktap_fail "checkpatch --strict: $(echo "$findings" | wc -l) findings in ${#files[@]} files"
fi

# 3. A check's status must be the assertion's (see the top of this file).
bad=$(cd "$top" && git ls-files -co --exclude-standard -- 'selftests/*.sh' 'scripts/*.sh' |
	grep -vx scripts/check.sh |
	xargs grep -nE 'ktap_check "[^"]*\$\([^(][^"]*" +\$\?' 2>/dev/null)
if [ -z "$bad" ]; then
	ktap_pass "selftests: no ktap_check whose \$? follows a command substitution"
else
	ktap_diag "$bad"
	ktap_diag "capture the status first: rc=\$?; ktap_check \"...\" \$rc"
	ktap_fail "selftests: ktap_check whose \$? is a command substitution's"
fi

# 4. make selftests and make kselftest-install run the same tests.
ks=$("$top/scripts/kselftest-install.sh" --check 2>&1)
rc=$?
[ -n "$ks" ] && ktap_diag "$ks"
ktap_check "selftests: each Makefile's TEST_PROGS are the tests the VM harness runs" $rc

# 5. tools/rdma_sniffer_feed (libibverbs), warnings as errors.
if [ -e /usr/include/infiniband/verbs.h ]; then
	mkdir -p "$top/build/check/tools"
	msg=$(make -s -C "$top/tools/rdma_sniffer_feed" OUT="$top/build/check/tools" \
		CFLAGS="-O2 -Werror" 2>&1)
	rc=$?
	[ -n "$msg" ] && ktap_diag "$msg"
	ktap_check "tools/rdma_sniffer_feed builds with -Wall -Wextra, no warnings" $rc
else
	ktap_skip "tools/rdma_sniffer_feed builds" "no infiniband/verbs.h: apt-get install libibverbs-dev"
fi
ktap_finish
