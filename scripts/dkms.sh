#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
#
# DKMS life cycle of the suite.
#
#   dkms.sh install [KVER]   stage the source in /usr/src/rdma-backports-<ver>,
#                            then dkms add/build/install for KVER (default:
#                            every kernel with headers installed)
#   dkms.sh remove           dkms remove for all kernels and drop the source
#   dkms.sh selftest         the whole add/build/install/uninstall/remove
#                            cycle for every kernel with headers, for real but
#                            in a private tree under build/ (--dkmstree,
#                            --sourcetree, --installtree, own signing key,
#                            --no-depmod): nothing outside the work dir
#                            changes. Prints KTAP.
set -euo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
name=rdma-backports
ver=$(sed -n 's/^PACKAGE_VERSION="\(.*\)"$/\1/p' "$top/dkms.conf")

# stage_source DIR: copy the files DKMS needs (what git tracks, or the tree
# as it is outside a checkout, minus build products) and record the git
# state for MODULE_VERSION. A copy of the tree inside another checkout (say
# under build/) is not itself a checkout: only a tree that is git's top level
# counts as one.
stage_source()
{
	local dst=$1
	rm -rf "$dst"
	mkdir -p "$dst"
	if [ "$(git -C "$top" rev-parse --show-toplevel 2>/dev/null)" = "$(cd "$top" && pwd -P)" ]; then
		(cd "$top" && git ls-files -co --exclude-standard -- Kbuild Makefile dkms.conf drivers include scripts |
			while read -r f; do [ -e "$f" ] && echo "$f"; done |
			cpio -pdm --quiet "$dst")
		git -C "$top" describe --always --dirty > "$dst/.rb-describe"
	else
		(cd "$top" && tar -cf - --exclude=./build Kbuild Makefile dkms.conf drivers include scripts) |
			tar -xf - -C "$dst"
		[ -e "$top/.rb-describe" ] && cp "$top/.rb-describe" "$dst/"
	fi
}

kernels()
{
	if [ -n "${1:-}" ]; then
		echo "$1"
	else
		"$top/scripts/kdir.sh" --all | while read -r k; do "$top/scripts/kver.sh" "$k"; done
	fi
}

case "${1:-}" in
install)
	stage_source "/usr/src/$name-$ver"
	dkms status -m "$name" -v "$ver" 2>/dev/null | grep -q . ||
		dkms add -m "$name" -v "$ver"
	for k in $(kernels "${2:-}"); do
		dkms build -m "$name" -v "$ver" -k "$k"
		dkms install -m "$name" -v "$ver" -k "$k" --force
	done
	dkms status -m "$name"
	;;
remove)
	dkms remove -m "$name" -v "$ver" --all 2>/dev/null || true
	rm -rf "/usr/src/$name-$ver"
	dkms status -m "$name"
	;;
selftest)
	set +e	# every step is reported, none aborts
	. "$top/selftests/lib/ktap.sh"
	work=$top/build/dkms-selftest
	rm -rf "$work"
	mkdir -p "$work/dkms" "$work/src" "$work/install"
	export mok_signing_key=$work/mok.key mok_certificate=$work/mok.pub
	d=(dkms --dkmstree "$work/dkms" --sourcetree "$work/src" --installtree "$work/install" --no-depmod)
	mapfile -t ks < <(kernels)
	snap() { find /usr/src /var/lib/dkms /lib/modules/*/updates -maxdepth 3 2>/dev/null | sort | md5sum; }
	# (find's status is ignored: a missing directory is part of the picture)
	before=$(snap)

	ktap_plan $((3 + 5 * ${#ks[@]}))
	stage_source "$work/src/$name-$ver"
	ktap_run "dkms add" "${d[@]}" add -m "$name" -v "$ver"
	for k in "${ks[@]}"; do
		mkdir -p "$work/install/$k"
		t0=$(date +%s)
		ktap_run "dkms build $k" "${d[@]}" build -m "$name" -v "$ver" -k "$k"
		ktap_diag "dkms build $k took $(( $(date +%s) - t0 )) s"
		ktap_run "dkms install $k" "${d[@]}" install -m "$name" -v "$ver" -k "$k"
		n=$(find "$work/install/$k/updates/dkms" -name '*.ko*' 2>/dev/null | wc -l)
		# What this kernel can have; the rest was left out with its reason.
		sel=$("$top/scripts/compat/select.sh" "/lib/modules/$k/build" "$work/compat")
		want=$(grep -c '^build ' <<< "$sel")
		grep '^skip ' <<< "$sel" | while read -r _ m _ why; do
			ktap_diag "$m not built for $k: ${why#needs }"
		done
		kos=("$work/install/$k/updates/dkms/"*.ko*)
		vm=$(modinfo -F vermagic "${kos[@]}" 2>/dev/null | grep -c "^$k ")
		signed=$(modinfo -F signer "${kos[@]}" 2>/dev/null | grep -c 'DKMS module signing key')
		what="$want modules installed for $k, vermagic $k, signed with the DKMS key"
		if [ "$n" -eq "$want" ] && [ "$vm" -eq "$want" ] && [ "$signed" -eq "$want" ]; then
			ktap_pass "$what"
		else
			ktap_diag "installed $n, right vermagic $vm, signed $signed: $(find "$work/install/$k" -name '*.ko*')"
			ktap_fail "$what"
		fi
		# Shadows nothing: no module name of ours is one the kernel ships.
		lists=$(ls /lib/modules/"$k"/modules.order /lib/modules/"$k"/modules.builtin \
			/lib/modules/"$k"/build/Module.symvers 2>/dev/null || true)
		clash=
		for ko in "${kos[@]}"; do
			m=$(basename "${ko%%.ko*}")
			for l in $lists; do
				grep -qE "(^|/|[[:space:]])$m\.ko|[[:space:]]([^[:space:]]*/)?$m[[:space:]]" "$l" &&
					clash+=" $m($l)"
			done
		done
		if [ -n "$lists" ] && [ -z "$clash" ]; then
			ktap_pass "$k: shadows no in-tree module (checked: $(echo "$lists" | xargs -n 1 basename | xargs))"
		elif [ -z "$lists" ]; then
			ktap_skip "$k: shadows no in-tree module" "no modules.order, modules.builtin or Module.symvers"
		else
			ktap_fail "$k: shadows no in-tree module:$clash"
		fi
		ktap_run "dkms uninstall $k" "${d[@]}" uninstall -m "$name" -v "$ver" -k "$k"
	done
	ktap_run "dkms remove" "${d[@]}" remove -m "$name" -v "$ver" --all
	after=$(snap)
	if [ "$before" = "$after" ]; then
		ktap_pass "nothing outside the private tree changed"
	else
		ktap_fail "nothing outside the private tree changed"
	fi
	ktap_finish
	;;
*)
	echo "usage: dkms.sh install [KVER] | remove | selftest" >&2
	exit 2
	;;
esac
