#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
#
# The packages, end to end, on this machine (root; Debian 12). Prints KTAP;
# exits 0 (all passed), 1 (something failed) or 4 (cannot run here).
#
#   - make deb and make rpm build from a clean copy of the tree, which they
#     leave untouched; the .deb is lintian clean;
#   - both hold every module source directory dkms.conf lists, exactly the
#     file set scripts/dkms.sh stages (with .rb-describe), the license and
#     the docs; the .deb's maintainer scripts and the .rpm's scriptlets run
#     DKMS (dpkg-deb, rpm -qlp, rpm -qp --scripts);
#   - apt-get install of the .deb: dkms status shows the suite installed for
#     every kernel with headers, modinfo shows the version and git state of
#     the package, and the VM harness loads exactly those modules
#     (RB_MODULES_FROM=/lib/modules/<release>/updates/dkms, test modload;
#     RB_PKG_NO_VM=1 skips that boot, for hosts that must not start VMs);
#   - upgrade to a .deb of version <version>+test1 built in a scratch copy:
#     only the new version is left in DKMS, for every kernel;
#   - purge: no trace in dkms status, /usr/src, /var/lib/dkms,
#     /lib/modules/*/updates/dkms, modules.dep or dpkg's database.
#
# The machine is left as it was found, also on failure or interruption: the
# package is purged, and a DKMS installation of the suite made without the
# package (make dkms-install, make run) is set aside first and put back
# afterwards, byte for byte. The last check compares before and after.
#
# The checks are functions that check() calls, by what they check:
# test/contents.sh (the builds and what the packages hold), test/dkms.sh
# (what DKMS did on install, upgrade and purge), test/machine.sh (the
# machine left as found).
set -uo pipefail

top=$(cd "$(dirname "$0")/../.." && pwd -P)
cd "$top" || exit 1
# shellcheck source=selftests/lib/ktap.sh
. "$top/selftests/lib/ktap.sh"
# shellcheck source=scripts/pkg/lib.sh
. "$top/scripts/pkg/lib.sh"
# shellcheck source=scripts/pkg/test/machine.sh
. "$top/scripts/pkg/test/machine.sh"
# shellcheck source=scripts/pkg/test/contents.sh
. "$top/scripts/pkg/test/contents.sh"
# shellcheck source=scripts/pkg/test/dkms.sh
. "$top/scripts/pkg/test/dkms.sh"

name=rdma-backports
pkg=rdma-backports-dkms
work=$top/build/pkg-test
apt=(apt-get -y -q -o DPkg::Lock::Timeout=300 --no-install-recommends)
export DEBIAN_FRONTEND=noninteractive

[ "$(id -u)" -eq 0 ] || ktap_skip_all "needs root: it installs the .deb"
for c in dpkg-buildpackage lintian rpmbuild rpm2cpio dkms apt-get modinfo cpio; do
	command -v "$c" > /dev/null || ktap_skip_all "$c missing (make deps)"
done
# known_to_dpkg: the package is installed, half so, or its conffiles are left.
known_to_dpkg()
{
	dpkg-query -W -f='${db:Status-Status}' "$pkg" 2>/dev/null | grep -qv '^not-installed$'
}
if known_to_dpkg; then
	ktap_skip_all "$pkg is installed here: the test would replace and purge it"
fi

ver=$(rb_version) || exit 1
ver2=$ver+test1
kdir=$(rb_kdir) || exit 1
kver=$(rb_kver "$kdir") || exit 1
# Every kernel with headers that dkms.conf's BUILD_EXCLUSIVE_CONFIG accepts.
mapfile -t kernels < <(rb_kdirs | while read -r k; do
	grep -q '^CONFIG_INFINIBAND=[ym]' "$k/.config" && rb_kver "$k"
done)
# Every module of the suite (dkms.conf takes the list, per kernel, from there).
mapfile -t mods < <(scripts/compat/select.sh --list | awk '{ print $1 }')
mapfile -t moddirs < <(scripts/compat/select.sh --list | awk '{ print $2 }')
t_start=$(date +%s)

elapsed() { echo "$(( $(date +%s) - $1 )) s"; }

# check NAME CMD...: CMD (usually a function below) decides; what it prints
# becomes diagnostics when it fails.
check()
{
	local what=$1 out rc
	shift
	out=$("$@" 2>&1)
	rc=$?
	[ $rc -ne 0 ] && [ -n "$out" ] && ktap_diag "$out"
	ktap_check "$what" $rc
	return $rc
}

# --- the machine before ------------------------------------------------------

rm -rf "$work"
mkdir -p "$work"
machine_save || exit 1
trap cleanup EXIT
trap 'exit 130' INT TERM HUP

ktap_plan 25
ktap_diag "suite $ver, modules: ${mods[*]}; kernels with headers: ${kernels[*]}"
[ ${#prior[@]} -gt 0 ] && ktap_diag "set aside until the end, installed without the package: ${prior[*]}"

# --- build -------------------------------------------------------------------

status0=$(git status --porcelain 2>/dev/null)
rm -rf build/pkg
t0=$(date +%s)
make -s deb > "$work/deb.log" 2>&1
deb_rc=$?
[ $deb_rc -ne 0 ] && ktap_diag "$(tail -n 30 "$work/deb.log")"
ktap_check "make deb builds $pkg $ver, lintian clean ($(elapsed "$t0"))" $deb_rc
deb=build/pkg/${pkg}_${ver}_all.deb

t0=$(date +%s)
make -s rpm > "$work/rpm.log" 2>&1
rpm_rc=$?
[ $rpm_rc -ne 0 ] && ktap_diag "$(tail -n 30 "$work/rpm.log")"
ktap_check "make rpm builds $pkg $ver noarch and its SRPM ($(elapsed "$t0"))" $rpm_rc
rpmf=build/pkg/rpm/RPMS/noarch/$pkg-$ver-1.noarch.rpm

check "the builds leave the tree untouched and no scratch copy behind" tree_untouched

# The files DKMS needs, as scripts/dkms.sh stages them (scripts/lib.sh).
(rb_dkms_files; echo .rb-describe) | sort > "$work/expected.lst"
describe=$(git describe --always --dirty 2>/dev/null || cat .rb-describe)

# --- the .deb's contents -------------------------------------------------------

if [ $deb_rc -eq 0 ]; then
	dx=$work/deb
	dpkg-deb -x "$deb" "$dx" && dpkg-deb -e "$deb" "$dx/DEBIAN"
	src=$dx/usr/src/$name-$ver

	check "deb: $pkg $ver, Architecture all, depends on dkms (version = dkms.conf's)" deb_control
	check "deb: /usr/src/$name-$ver holds exactly the DKMS staging set ($(wc -l < "$work/expected.lst") files)" \
		file_set "$src"
	check "deb: the source of each of the ${#mods[@]} modules of dkms.conf (${moddirs[*]})" module_dirs "$src"
	check "deb: dkms.conf is the tree's, .rb-describe is git describe ($describe)" same_conf "$src"
	check "deb: README, changelog, DEP-5 copyright (GPL-2.0-only)" deb_docs
	check "deb: postinst adds/builds/installs with DKMS for every kernel, prerm removes" deb_scripts
else
	for t in "control fields" "file set" "module sources" "dkms.conf" "docs" "maintainer scripts"; do
		ktap_skip "deb: $t" "make deb failed"
	done
fi

# --- the .rpm's contents ---------------------------------------------------------

if [ $rpm_rc -eq 0 ]; then
	check "rpm: $pkg $ver noarch, Requires dkms and kernel-devel, SRPM built" rpm_header
	check "rpm: /usr/src/$name-$ver: the DKMS staging set, each module's source, the tree's dkms.conf" rpm_files
	check "rpm: license (GPL-2.0-only, COPYING) and README" rpm_docs
	check "rpm: %post dkms add/build/install per installed kernel, %preun dkms remove" rpm_scripts
else
	for t in "header" "file set" "docs" "scriptlets"; do
		ktap_skip "rpm: $t" "make rpm failed"
	done
fi

# --- install, the modules, the VM ------------------------------------------------

installed=0
if [ $deb_rc -eq 0 ]; then
	t0=$(date +%s)
	"${apt[@]}" install "./$deb" > "$work/install.log" 2>&1
	rc=$?
	[ $rc -ne 0 ] && ktap_diag "$(tail -n 40 "$work/install.log")"
	ktap_check "apt-get install ./$deb ($(elapsed "$t0"))" $rc && installed=1
else
	ktap_skip "apt-get install" "make deb failed"
fi

if [ $installed = 1 ]; then
	check "dkms status: $name $ver installed for every kernel with headers (${kernels[*]})" installed_for "$ver"
	check "modinfo of the ${#mods[@]} modules, each kernel: version '$ver ($describe)', rbp_compat, vermagic" \
		modinfo_is "$ver"

	t0=$(date +%s)
	if [ "${RB_PKG_NO_VM:-0}" = 1 ]; then
		ktap_skip "VM ($kver) loads and unloads the DKMS-installed modules" "RB_PKG_NO_VM=1"
	else
		RB_MODULES_FROM=/lib/modules/$kver/updates/dkms KDIR_SEL=$kdir KVER_SEL=$kver \
			scripts/vm/selftests.sh modload > "$work/vm.log" 2>&1
		rc=$?
		tally=$(tail -n 1 "$work/vm.log")
		read -r vm_pass vm_fail _ <<< "$(rb_tally_read "$tally")"
		if [ $rc -eq 0 ] && [ "${vm_fail:-1}" -eq 0 ] && [ "${vm_pass:-0}" -gt 0 ]; then
			ktap_pass "VM ($kver) loads and unloads the DKMS-installed modules: $tally ($(elapsed "$t0"))"
		else
			ktap_diag "$(sed 's/^/  /' "$work/vm.log")"
			ktap_fail "VM ($kver) loads and unloads the DKMS-installed modules: exit $rc, '$tally'"
		fi
	fi
else
	for t in "dkms status" "modinfo" "VM modload"; do
		ktap_skip "$t" "the package is not installed"
	done
fi

# --- upgrade -----------------------------------------------------------------

deb2=
if [ $deb_rc -eq 0 ]; then
	t0=$(date +%s)
	tree=$work/tree
	bump_deb "$tree" > "$work/deb2.log" 2>&1
	rc=$?
	[ $rc -ne 0 ] && ktap_diag "$(tail -n 30 "$work/deb2.log")"
	ktap_check "a $pkg $ver2 .deb from a scratch copy with the version bumped ($(elapsed "$t0"))" $rc &&
		deb2=$tree/build/pkg/${pkg}_${ver2}_all.deb
else
	ktap_skip "a $ver2 .deb" "make deb failed"
fi

if [ $installed = 1 ] && [ -n "$deb2" ]; then
	t0=$(date +%s)
	"${apt[@]}" install "$deb2" > "$work/upgrade.log" 2>&1
	rc=$?
	[ $rc -ne 0 ] && ktap_diag "$(tail -n 40 "$work/upgrade.log")"
	ktap_check "apt-get install $(basename "$deb2") over $ver ($(elapsed "$t0"))" $rc
	check "dkms status: only $ver2, installed for every kernel with headers" installed_for "$ver2"
	check "upgrade: $ver's sources and DKMS tree are gone, modinfo shows $ver2" old_gone
else
	for t in "upgrade install" "dkms status after upgrade" "old version gone"; do
		ktap_skip "$t" "no package installed or no $ver2 .deb"
	done
fi

# --- purge -------------------------------------------------------------------

if [ $installed = 1 ]; then
	t0=$(date +%s)
	"${apt[@]}" purge "$pkg" > "$work/purge.log" 2>&1
	rc=$?
	[ $rc -ne 0 ] && ktap_diag "$(tail -n 40 "$work/purge.log")"
	ktap_check "apt-get purge $pkg ($(elapsed "$t0"))" $rc

	check "purge: dkms status empty, nothing in /usr/src/$name-* or /var/lib/dkms/$name" no_dkms_trace
	check "purge: no module of the suite under /lib/modules/*/updates/dkms or in modules.dep, dpkg forgot $pkg" \
		no_module_trace
else
	for t in "purge" "no DKMS trace" "no module trace"; do
		ktap_skip "$t" "the package was not installed"
	done
fi

# --- the machine after -----------------------------------------------------------

cleanup
forget_dkms_key
check "the machine is as found (/usr/src, /var/lib/dkms, updates/, modules.dep, dpkg)" as_found
ktap_diag "scripts/pkg/test.sh took $(elapsed "$t_start")"
ktap_finish
