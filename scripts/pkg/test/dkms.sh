# SPDX-License-Identifier: GPL-2.0-only
# shellcheck shell=bash
#
# scripts/pkg/test.sh: what DKMS did with the installed package, on upgrade
# and after purge (sourced). Each function is one check: 0 passes, what it
# prints says why it did not. Globals from test.sh: name pkg ver ver2 top
# kernels mods.
# shellcheck disable=SC2154

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

# bump_deb TREE: a .deb of version $ver2 built in a scratch copy TREE of the
# tree (dkms.conf and debian/changelog bumped), for the upgrade.
bump_deb()
{
	local tree=$1 maint
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

# old_gone: after the upgrade, $ver's sources and DKMS tree are gone.
old_gone()
{
	[ ! -e "/usr/src/$name-$ver" ] || { echo "/usr/src/$name-$ver is left"; return 1; }
	[ ! -e "/var/lib/dkms/$name/$ver" ] || { echo "/var/lib/dkms/$name/$ver is left"; return 1; }
	modinfo_is "$ver2"
}

no_dkms_trace()
{
	local st bad=0
	st=$(dkms status -m "$name" 2>&1)
	[ -z "$st" ] || { echo "dkms status: $st"; bad=1; }
	ls -d "/usr/src/$name-"* "/var/lib/dkms/$name" 2>/dev/null && bad=1
	return "$bad"
}

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
