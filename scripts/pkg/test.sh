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
# The checks are functions that check() calls:
# shellcheck disable=SC2317
set -uo pipefail

top=$(cd "$(dirname "$0")/../.." && pwd -P)
cd "$top" || exit 1
# shellcheck source=selftests/lib/ktap.sh
. "$top/selftests/lib/ktap.sh"
# shellcheck source=scripts/pkg/lib.sh
. "$top/scripts/pkg/lib.sh"

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

# What a DKMS package can change, as a listing (diffable).
snapshot()
{
	find /usr/src -maxdepth 1 | sort
	find /var/lib/dkms /lib/modules/*/updates 2>/dev/null | sort
	for f in /lib/modules/*/modules.dep; do
		echo "$f: $(cut -d: -f1 "$f" | sort | md5sum)"
	done
	dpkg-query -W -f='${Package} ${Version} ${db:Status-Abbrev}\n' | sort
}

# A DKMS installation of the suite without the package: its sources, its DKMS
# tree and its installed modules, by the names DKMS recorded.
aside=$work/aside.tar
suite_paths()
{
	local ko k
	ls -d /usr/src/$name-* /var/lib/dkms/$name 2>/dev/null
	for ko in $(find /var/lib/dkms/$name -name '*.ko*' -path '*/module/*' -printf '%f\n' 2>/dev/null | sort -u); do
		for k in /lib/modules/*/updates/dkms; do
			[ -e "$k/$ko" ] && echo "$k/$ko"
		done
	done
}

depmod_all()
{
	local k
	for k in /lib/modules/*/modules.dep; do
		k=${k%/modules.dep}
		depmod -a "${k##*/}" 2> /dev/null || true
	done
}

rm -rf "$work"
mkdir -p "$work"
before=$work/before.lst
snapshot > "$before"
# Kernels with headers but no image have no modules.dep; DKMS's depmod
# leaves its index files there (empty once the package is purged), and
# cleanup removes them again.
mapfile -t nodep < <(for d in /lib/modules/*/; do
	[ -e "$d/modules.dep" ] || echo "${d%/}"; done)

mapfile -t prior < <(suite_paths)
if [ ${#prior[@]} -gt 0 ]; then
	tar -cpPf "$aside" "${prior[@]}" || exit 1
	rm -rf "${prior[@]}"
	depmod_all
fi

cleaned=0
cleanup()
{
	local v m d
	[ $cleaned = 1 ] && return
	cleaned=1
	if known_to_dpkg; then
		"${apt[@]}" purge "$pkg" > "$work/cleanup.log" 2>&1 ||
			dpkg --purge --force-remove-reinstreq "$pkg" >> "$work/cleanup.log" 2>&1
	fi
	# Whatever a failed step left of the versions this test installed.
	for v in "$ver" "$ver2"; do
		dkms status -m "$name" -v "$v" 2>/dev/null | grep -q . &&
			dkms remove -m "$name" -v "$v" --all > /dev/null 2>&1
		rm -rf "/usr/src/$name-$v"
	done
	rm -rf "/var/lib/dkms/$name"
	for m in "${mods[@]}"; do
		rm -f /lib/modules/*/updates/dkms/"$m".ko*
	done
	[ -f "$aside" ] && tar -xpPf "$aside"
	depmod_all
	for d in "${nodep[@]}"; do
		rm -f "$d"/modules.*
		rmdir "$d/updates/dkms" "$d/updates" 2> /dev/null
	done
	return 0
}
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

tree_untouched()
{
	local extra
	if [ "$(git status --porcelain 2>/dev/null)" != "$status0" ]; then
		echo "git status changed:"
		diff <(echo "$status0") <(git status --porcelain)
		return 1
	fi
	extra=$(find build/pkg -mindepth 1 -maxdepth 1 ! -name "${pkg}_*.deb" ! -name "${name}_*.buildinfo" \
		! -name "${name}_*.changes" ! -name rpm)
	extra+=$(find build/pkg/rpm -mindepth 1 -maxdepth 1 ! -name RPMS ! -name SRPMS ! -name SOURCES ! -name SPECS)
	[ -z "$extra" ] || { echo "scratch left behind: $extra"; return 1; }
}
check "the builds leave the tree untouched and no scratch copy behind" tree_untouched

# The files DKMS needs, as scripts/dkms.sh stages them (scripts/lib.sh).
(rb_dkms_files; echo .rb-describe) | sort > "$work/expected.lst"
describe=$(git describe --always --dirty 2>/dev/null || cat .rb-describe)

# --- the .deb's contents -------------------------------------------------------

if [ $deb_rc -eq 0 ]; then
	dx=$work/deb
	dpkg-deb -x "$deb" "$dx" && dpkg-deb -e "$deb" "$dx/DEBIAN"
	src=$dx/usr/src/$name-$ver

	deb_control()
	{
		local f want
		for f in Package:$pkg Version:$ver Architecture:all; do
			want=${f#*:}
			[ "$(dpkg-deb -f "$deb" "${f%%:*}")" = "$want" ] || { echo "${f%%:*} is not $want"; return 1; }
		done
		dpkg-deb -f "$deb" Depends | grep -qw dkms || { echo "does not depend on dkms"; return 1; }
	}
	check "deb: $pkg $ver, Architecture all, depends on dkms (version = dkms.conf's)" deb_control

	file_set()	# DIR: its files equal the staging set
	{
		(cd "$1" && find . -type f -printf '%P\n' | sort) > "$work/got.lst"
		diff "$work/expected.lst" "$work/got.lst"
	}
	check "deb: /usr/src/$name-$ver holds exactly the DKMS staging set ($(wc -l < "$work/expected.lst") files)" \
		file_set "$src"

	module_dirs()	# SRC
	{
		local d bad=0
		for d in "${moddirs[@]}"; do
			if [ ! -e "$1/$d/Kbuild" ] && [ ! -e "$1/$d/Makefile" ]; then
				echo "$d: no Kbuild"
				bad=1
			elif ! ls "$1/$d"/*.c > /dev/null 2>&1; then
				echo "$d: no C source"
				bad=1
			fi
		done
		if [ ${#moddirs[@]} -ne ${#mods[@]} ] || [ ${#mods[@]} -eq 0 ]; then
			echo "dkms.conf: ${#mods[@]} modules, ${#moddirs[@]} locations"
			bad=1
		fi
		return "$bad"
	}
	check "deb: the source of each of the ${#mods[@]} modules of dkms.conf (${moddirs[*]})" module_dirs "$src"

	same_conf()	# SRC
	{
		cmp dkms.conf "$1/dkms.conf" || return 1
		[ "$(cat "$1/.rb-describe")" = "$describe" ] ||
			{ echo ".rb-describe $(cat "$1/.rb-describe"), git describe $describe"; return 1; }
	}
	check "deb: dkms.conf is the tree's, .rb-describe is git describe ($describe)" same_conf "$src"

	deb_docs()
	{
		local d=$dx/usr/share/doc/$pkg
		if ! ls "$d"/README.md* > /dev/null || [ ! -f "$d/changelog.gz" ]; then
			ls "$d"
			return 1
		fi
		if ! head -n 1 "$d/copyright" |
			grep -q '^Format: https://www.debian.org/doc/packaging-manuals/copyright-format/1.0/' ||
			! grep -q '^License: GPL-2.0-only$' "$d/copyright"; then
			echo "copyright not DEP-5 GPL-2.0-only"
			return 1
		fi
	}
	check "deb: README, changelog, DEP-5 copyright (GPL-2.0-only)" deb_docs

	deb_scripts()
	{
		sh -n "$dx/DEBIAN/postinst" && sh -n "$dx/DEBIAN/prerm" || return 1
		if ! grep -q '/usr/lib/dkms/common.postinst' "$dx/DEBIAN/postinst" ||
			! grep -q "dkms install -m $name -v \"$ver\"" "$dx/DEBIAN/postinst"; then
			echo "postinst does not add and install with dkms"
			return 1
		fi
		grep -q 'dkms remove' "$dx/DEBIAN/prerm" || { echo "prerm does not dkms remove"; return 1; }
	}
	check "deb: postinst adds/builds/installs with DKMS for every kernel, prerm removes" deb_scripts
else
	for t in "control fields" "file set" "module sources" "dkms.conf" "docs" "maintainer scripts"; do
		ktap_skip "deb: $t" "make deb failed"
	done
fi

# --- the .rpm's contents ---------------------------------------------------------

if [ $rpm_rc -eq 0 ]; then
	rpm_header()
	{
		local h req r
		h=$(rpm -qp --qf '%{NAME} %{VERSION} %{ARCH}' "$rpmf") || return 1
		[ "$h" = "$pkg $ver noarch" ] || { echo "header: $h"; return 1; }
		req=$(rpm -qp --requires "$rpmf") || return 1
		for r in dkms kernel-devel; do
			echo "$req" | grep -qx "$r" || { echo "no Requires: $r"; return 1; }
		done
		ls "build/pkg/rpm/SRPMS/$name-$ver-1.src.rpm" > /dev/null
	}
	check "rpm: $pkg $ver noarch, Requires dkms and kernel-devel, SRPM built" rpm_header

	rpm_files()
	{
		local rx=$work/rpm
		rpm -qp --qf '[%{FILEMODES:perms} %{FILENAMES}\n]' "$rpmf" | awk '/^-/ { print $2 }' > "$work/rpm.lst"
		sed -n "s:^/usr/src/$name-$ver/::p" "$work/rpm.lst" | sort > "$work/got.lst"
		diff "$work/expected.lst" "$work/got.lst" || return 1
		mkdir -p "$rx" && (cd "$rx" && rpm2cpio "$top/$rpmf" | cpio -idm --quiet) || return 1
		module_dirs "$rx/usr/src/$name-$ver" && same_conf "$rx/usr/src/$name-$ver"
	}
	check "rpm: /usr/src/$name-$ver: the DKMS staging set, each module's source, the tree's dkms.conf" rpm_files

	rpm_docs()
	{
		if ! grep -qx "/usr/share/licenses/$pkg/COPYING" "$work/rpm.lst" ||
			! grep -qx "/usr/share/doc/$pkg/README.md" "$work/rpm.lst"; then
			grep /usr/share "$work/rpm.lst"
			return 1
		fi
		rpm -qp --qf '%{LICENSE}' "$rpmf" | grep -qx 'GPL-2.0-only'
	}
	check "rpm: license (GPL-2.0-only, COPYING) and README" rpm_docs

	rpm_scripts()
	{
		local s
		s=$(rpm -qp --scripts "$rpmf") || return 1
		for w in "dkms add -m $name -v $ver" "dkms build -m $name -v $ver -k" "dkms install -m $name -v $ver -k"; do
			echo "$s" | sed -n '/^postinstall/,/^[a-z]* scriptlet/p' | grep -qF "$w" || { echo "%post lacks: $w"; return 1; }
		done
		echo "$s" | sed -n '/^preuninstall/,$p' | grep -qF "dkms remove -m $name -v $ver --all" ||
			{ echo "%preun lacks dkms remove"; return 1; }
	}
	check "rpm: %post dkms add/build/install per installed kernel, %preun dkms remove" rpm_scripts
else
	for t in "header" "file set" "docs" "scriptlets"; do
		ktap_skip "rpm: $t" "make rpm failed"
	done
fi

# --- install, the modules, the VM ------------------------------------------------

# installed_for VERSION: dkms status shows VERSION installed for every kernel
# with headers, and no other version of the suite.
installed_for()
{
	local st k bad=0
	st=$(dkms status -m "$name" 2>&1)
	echo "dkms status: $st"
	for k in "${kernels[@]}"; do
		echo "$st" | grep -q "^$name/$1, $k, [^:]*: installed" || { echo "not installed for $k"; bad=1; }
	done
	if echo "$st" | grep "^$name/" | grep -v "^$name/$1, "; then
		echo "other versions are left"
		bad=1
	fi
	[ ${#kernels[@]} -gt 0 ] || bad=1
	return "$bad"
}

# modinfo_is VERSION: each module, each kernel: MODULE_VERSION is
# "VERSION (git describe of the package)", compat summary, vermagic.
modinfo_is()
{
	local k m ko v bad=0 want
	want="$1 ($(cat "/usr/src/$name-$1/.rb-describe"))"
	for k in "${kernels[@]}"; do
		for m in "${mods[@]}"; do
			ko=$(find "/lib/modules/$k/updates/dkms" -name "$m.ko*" 2>/dev/null | head -n 1)
			[ -n "$ko" ] || { echo "$k: $m missing"; bad=1; continue; }
			v=$(modinfo -F version "$ko")
			[ "$v" = "$want" ] || { echo "$ko: version '$v', want '$want'"; bad=1; }
			[ -n "$(modinfo -F rbp_compat "$ko")" ] || { echo "$ko: no rbp_compat"; bad=1; }
			modinfo -F vermagic "$ko" | grep -q "^$k " || { echo "$ko: vermagic not $k"; bad=1; }
		done
	done
	return "$bad"
}

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
	bump()
	{
		local maint
		top=$top pkg_export "$tree" || return 1
		maint=$(dpkg-parsechangelog -l debian/changelog -S Maintainer) || return 1
		sed -i "s/^PACKAGE_VERSION=\".*\"$/PACKAGE_VERSION=\"$ver2\"/" "$tree/dkms.conf"
		{
			printf '%s (%s) unstable; urgency=medium\n\n' "$name" "$ver2"
			printf '  * Upgrade test of scripts/pkg/test.sh.\n\n'
			printf ' -- %s  %s\n\n' "$maint" "$(date -R)"
			cat debian/changelog
		} > "$tree/debian/changelog"
		RB_NO_LINTIAN=1 "$tree/scripts/pkg/deb.sh"
	}
	bump > "$work/deb2.log" 2>&1
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
	old_gone()
	{
		[ ! -e "/usr/src/$name-$ver" ] || { echo "/usr/src/$name-$ver is left"; return 1; }
		[ ! -e "/var/lib/dkms/$name/$ver" ] || { echo "/var/lib/dkms/$name/$ver is left"; return 1; }
		modinfo_is "$ver2"
	}
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

	no_dkms_trace()
	{
		local st bad=0
		st=$(dkms status -m "$name" 2>&1)
		[ -z "$st" ] || { echo "dkms status: $st"; bad=1; }
		ls -d "/usr/src/$name-"* "/var/lib/dkms/$name" 2>/dev/null && bad=1
		return "$bad"
	}
	check "purge: dkms status empty, nothing in /usr/src/$name-* or /var/lib/dkms/$name" no_dkms_trace

	no_module_trace()
	{
		local m bad=0
		for m in "${mods[@]}"; do
			ls /lib/modules/*/updates/dkms/"$m".ko* 2>/dev/null && bad=1
			grep -l "/$m\.ko" /lib/modules/*/modules.dep && bad=1
		done
		! known_to_dpkg || { echo "dpkg still knows $pkg"; bad=1; }
		return "$bad"
	}
	check "purge: no module of the suite under /lib/modules/*/updates/dkms or in modules.dep, dpkg forgot $pkg" \
		no_module_trace
else
	for t in "purge" "no DKMS trace" "no module trace"; do
		ktap_skip "$t" "the package was not installed"
	done
fi

# --- the machine after -----------------------------------------------------------

cleanup
# DKMS makes its machine owner key (/var/lib/dkms/mok.key, .pub) the first
# time it signs a module; on a machine where the package's install was
# DKMS's first use, that key is this test's doing: it goes, and the machine
# is as found.
for f in /var/lib/dkms/mok.key /var/lib/dkms/mok.pub; do
	if ! grep -qx "$f" "$before" && [ -e "$f" ]; then
		ktap_diag "removing $f, which DKMS made during this test"
		rm -f "$f"
	fi
done
as_found()
{
	snapshot > "$work/after.lst"
	diff "$before" "$work/after.lst"
}
check "the machine is as found (/usr/src, /var/lib/dkms, updates/, modules.dep, dpkg)" as_found
ktap_diag "scripts/pkg/test.sh took $(elapsed "$t_start")"
ktap_finish
