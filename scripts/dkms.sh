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
# shellcheck source=scripts/lib.sh
. "$top/scripts/lib.sh"
name=rdma-backports
ver=$(rb_version)

# The source is staged with rb_stage_source (scripts/lib.sh): the files DKMS
# needs, the same set the packages install, and the git state for
# MODULE_VERSION.

# kernels [KVER]: KVER, else every kernel with headers installed.
kernels()
{
	if [ -n "${1:-}" ]; then
		echo "$1"
	else
		rb_kvers
	fi
}

case "${1:-}" in
install)
	rb_stage_source "/usr/src/$name-$ver"
	# Not "dkms status | grep -q": grep quits at the first line and, under
	# pipefail, dkms's SIGPIPE on the next (built for two kernels) failed
	# the test, and a second add was refused.
	[ -n "$(dkms status -m "$name" -v "$ver" 2>/dev/null)" ] ||
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
	# shellcheck source=selftests/lib/ktap.sh
	. "$top/selftests/lib/ktap.sh"
	work=$top/build/dkms-selftest
	rm -rf "$work"
	mkdir -p "$work/dkms" "$work/src" "$work/install"
	export mok_signing_key=$work/mok.key mok_certificate=$work/mok.pub
	export RB_DKMS_PROBE_CACHE=$work/probes
	d=(dkms --dkmstree "$work/dkms" --sourcetree "$work/src" --installtree "$work/install" --no-depmod)
	mapfile -t ks < <(kernels)
	snap() { find /usr/src /var/lib/dkms /lib/modules/*/updates /var/cache/rdma-backports/probes -maxdepth 3 2>/dev/null | sort | md5sum; }
	# (find's status is ignored: a missing directory is part of the picture)
	before=$(snap)

	ktap_plan $((3 + 5 * ${#ks[@]}))
	rb_stage_source "$work/src/$name-$ver"
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
				grep -qE "(^|/|[[:space:]])${m}\.ko|[[:space:]]([^[:space:]]*/)?${m}[[:space:]]" "$l" &&
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
