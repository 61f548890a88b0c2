#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
#
# The suite's .deb on Debian 13, installed the way a Debian 13 user
# installs it: dpkg -i in the Debian 13 root (scripts/debian13/root.sh), so
# that trixie's own dkms, called by the package's postinst, builds and
# installs the modules for the root's kernel. Checks that dkms status says
# installed, that every module the package's own scripts/compat/select.sh
# says this kernel can have is in updates/dkms with that kernel's vermagic
# and DKMS's signature, then purges the package and checks that DKMS and the
# module tree are as before. Prints KTAP; the DKMS build time is a
# diagnostic.
#
# The .deb is the one scripts/pkg/deb.sh builds on this (Debian 12) host:
# an arch-all package made with bookworm's debhelper and dh-dkms, so this
# also shows that it installs and builds on the next release. Lintian is
# scripts/pkg/test.sh's business, not repeated here.
set -uo pipefail	# every check is reported, none aborts

top=$(cd "$(dirname "$0")/../.." && pwd)
# shellcheck source=scripts/lib.sh
. "$top/scripts/lib.sh"
# shellcheck source=/dev/null
. "$top/selftests/lib/ktap.sh"
# shellcheck source=/dev/null
. "$top/scripts/vm/sysroot.sh"

root=$("$top/scripts/debian13/root.sh") || exit 1
rel=$(rb_root_release "$root") || exit 1
name=rdma-backports
ver=$(rb_version) || exit 1
log=$top/build/debian13/dkms.log

inroot() { "$top/scripts/vm/in-root.sh" "$root" "$@"; }
# ours: the suite's modules in the root's module tree, one a line.
ours() { inroot find "/lib/modules/$rel/updates/dkms" -name '*.ko*' 2>/dev/null | sort; }
# purge: no rdma-backports-dkms in the root (also what an interrupted
# earlier run left behind).
purge() { inroot dpkg --purge "$name-dkms" > /dev/null 2>&1; }

ktap_plan 6
deb=$top/build/pkg/${name}-dkms_${ver}_all.deb
ktap_run "the .deb is built" env RB_NO_LINTIAN=1 "$top/scripts/pkg/deb.sh"
cp "$deb" "$root/tmp/" 2>/dev/null
purge
trap purge EXIT
before=$(ours)

t0=$(date +%s)
inroot dpkg -i "/tmp/$(basename "$deb")" > "$log" 2>&1
rc=$?
t1=$(date +%s)
ktap_diag "dpkg -i (postinst: DKMS build and install for $rel) took $((t1 - t0)) s"
ktap_diag "$(sed 's/^/  /' "$log")"
# shellcheck disable=SC2016 # ${Version} is dpkg-query's
dkmsver=$(inroot dpkg-query -W -f='${Version}' dkms)
ktap_check "dpkg -i $(basename "$deb") in Debian 13 (dkms $dkmsver)" $rc

status=$(inroot dkms status -m "$name" 2>&1)
ktap_diag "dkms status: $status"
if echo "$status" | grep -q "^$name/$ver, $rel, x86_64: installed"; then
	ktap_pass "dkms status: $name/$ver installed for $rel"
else
	ktap_diag "$(tail -n 30 "$root/var/lib/dkms/$name/$ver/build/make.log" 2>/dev/null)"
	ktap_fail "dkms status: $name/$ver installed for $rel"
fi

# What this kernel can have, by the select.sh of the sources DKMS built
# (dkms.conf asks it too); the rest is left out with its reason.
# shellcheck disable=SC2016 # expanded by the shell in the root
sel=$(inroot sh -c 'c=$(mktemp -d) && "$1" "$2" "$c"; rc=$?; rm -rf "$c"; exit $rc' \
	sh "/usr/src/$name-$ver/scripts/compat/select.sh" "/lib/modules/$rel/build")
want=$(grep -c '^build ' <<< "$sel")
grep '^skip ' <<< "$sel" | while read -r _ m _ why; do
	ktap_diag "$m not built for $rel: ${why#needs }"
done
mapfile -t kos < <(ours)
vm=0 signed=0
for ko in "${kos[@]}"; do
	[ "$(inroot modinfo -F vermagic "$ko" | cut -d' ' -f1)" = "$rel" ] && vm=$((vm + 1))
	inroot modinfo -F signer "$ko" | grep -q 'DKMS module signing key' && signed=$((signed + 1))
done
ktap_diag "modules: ${kos[*]:-none}"
what="$want modules in /lib/modules/$rel/updates/dkms, vermagic $rel, signed with the DKMS key"
if [ "$want" -gt 0 ] && [ ${#kos[@]} -eq "$want" ] && [ "$vm" -eq "$want" ] && [ "$signed" -eq "$want" ]; then
	ktap_pass "$what"
else
	ktap_fail "$what (found ${#kos[@]}, $vm with that vermagic, $signed signed)"
fi

inroot dpkg --purge "$name-dkms" > "$log" 2>&1
ktap_check "dpkg --purge $name-dkms" $?
status=$(inroot dkms status -m "$name" 2>&1)
if [ -z "$status" ] && [ "$(ours)" = "$before" ] && [ ! -e "$root/usr/src/$name-$ver" ]; then
	ktap_pass "after the purge: no DKMS entry, no sources, the module tree as before"
else
	ktap_diag "dkms status: $status; modules: $(ours | xargs)"
	ktap_fail "after the purge: no DKMS entry, no sources, the module tree as before"
fi
rm -f "$root/tmp/$(basename "$deb")"
ktap_finish
