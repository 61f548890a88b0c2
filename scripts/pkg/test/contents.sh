# SPDX-License-Identifier: GPL-2.0-only
# shellcheck shell=bash
#
# scripts/pkg/test.sh: what the builds leave and what the packages hold
# (sourced). Each function is one check: 0 passes, what it prints says why
# it did not. Globals from test.sh: name pkg ver deb rpmf dx work top
# status0 describe mods moddirs.
# shellcheck disable=SC2154

# tree_untouched: make deb/rpm changed nothing git sees, left no scratch.
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

# --- the .deb -------------------------------------------------------------------

deb_control()
{
	local f want
	for f in Package:$pkg Version:$ver Architecture:all; do
		want=${f#*:}
		[ "$(dpkg-deb -f "$deb" "${f%%:*}")" = "$want" ] || { echo "${f%%:*} is not $want"; return 1; }
	done
	dpkg-deb -f "$deb" Depends | grep -qw dkms || { echo "does not depend on dkms"; return 1; }
}

# file_set DIR: its files equal the DKMS staging set.
file_set()
{
	(cd "$1" && find . -type f -printf '%P\n' | sort) > "$work/got.lst"
	diff "$work/expected.lst" "$work/got.lst"
}

# module_dirs SRC: each module dkms.conf lists has its Kbuild and C source.
module_dirs()
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

# same_conf SRC: the tree's dkms.conf, .rb-describe as git describes it.
same_conf()
{
	cmp dkms.conf "$1/dkms.conf" || return 1
	[ "$(cat "$1/.rb-describe")" = "$describe" ] ||
		{ echo ".rb-describe $(cat "$1/.rb-describe"), git describe $describe"; return 1; }
}

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

# --- the .rpm -------------------------------------------------------------------

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

rpm_files()
{
	local rx=$work/rpm
	rpm -qp --qf '[%{FILEMODES:perms} %{FILENAMES}\n]' "$rpmf" | awk '/^-/ { print $2 }' > "$work/rpm.lst"
	sed -n "s:^/usr/src/$name-$ver/::p" "$work/rpm.lst" | sort > "$work/got.lst"
	diff "$work/expected.lst" "$work/got.lst" || return 1
	mkdir -p "$rx" && (cd "$rx" && rpm2cpio "$top/$rpmf" | cpio -idm --quiet) || return 1
	module_dirs "$rx/usr/src/$name-$ver" && same_conf "$rx/usr/src/$name-$ver"
}

rpm_docs()
{
	if ! grep -qx "/usr/share/licenses/$pkg/COPYING" "$work/rpm.lst" ||
		! grep -qx "/usr/share/doc/$pkg/README.md" "$work/rpm.lst"; then
		grep /usr/share "$work/rpm.lst"
		return 1
	fi
	rpm -qp --qf '%{LICENSE}' "$rpmf" | grep -qx 'GPL-2.0-only'
}

rpm_scripts()
{
	local s w
	s=$(rpm -qp --scripts "$rpmf") || return 1
	for w in "dkms add -m $name -v $ver" "dkms build -m $name -v $ver -k" "dkms install -m $name -v $ver -k"; do
		echo "$s" | sed -n '/^postinstall/,/^[a-z]* scriptlet/p' | grep -qF "$w" || { echo "%post lacks: $w"; return 1; }
	done
	echo "$s" | sed -n '/^preuninstall/,$p' | grep -qF "dkms remove -m $name -v $ver --all" ||
		{ echo "%preun lacks dkms remove"; return 1; }
}
