# SPDX-License-Identifier: GPL-2.0-only
# shellcheck shell=bash
#
# Helpers of the packaging scripts (sourced, not run). $top is the tree; the
# version (rb_version) and the file set DKMS builds from (rb_dkms_paths,
# rb_dkms_files) come from scripts/lib.sh, which this sources.
# shellcheck disable=SC2154 # top is set by the scripts that source this

# shellcheck source=scripts/lib.sh
. "$top/scripts/lib.sh"

# pkg_export DIR: a clean copy of the tree in DIR, without build products: in
# a checkout what git tracks (and new files not ignored, as scripts/dkms.sh
# stages), otherwise the tree minus build/; plus .rb-describe, the git state
# that MODULE_VERSION shows once the sources have left the checkout.
pkg_export()
{
	local dst=$1
	rm -rf "$dst"
	mkdir -p "$dst"
	# (A copy below build/ is inside the checkout but no checkout itself.)
	if rb_is_checkout; then
		(cd "$top" && git ls-files -co --exclude-standard |
			while read -r f; do [ -e "$f" ] && echo "$f"; done |
			cpio -pdm --quiet "$dst")
		git -C "$top" describe --always --dirty > "$dst/.rb-describe"
	else
		(cd "$top" && tar -cf - --exclude=./build --exclude=./.git .) | tar -xf - -C "$dst"
	fi
}
