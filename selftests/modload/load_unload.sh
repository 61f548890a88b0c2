#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
#
# Load and unload every module the suite builds, 50 times each (RB_CYCLES), and fail on a
# load or unload error, a module left loaded, a reference leaked on a module
# it uses (refcnt of its dependencies back to where it started), or a kernel
# warning (the runner checks dmesg after the test).
. "$(dirname "$0")/../lib/ktap.sh"

CYCLES=${RB_CYCLES:-50}
# Where the VM harness puts them, or where DKMS installs them (beside
# other packages' modules there: ours carry modinfo's rbp_compat).
mods=()
for ko in /lib/modules/"$(uname -r)"/updates/{rdma-backports,dkms}/*.ko*; do
	[ -e "$ko" ] || continue
	[ -n "$(modinfo -F rbp_compat "$ko" 2>/dev/null)" ] || continue
	m=$(basename "$ko")
	m=${m%%.ko*}
	# Test-only helper modules are exercised by their own tests.
	case "$m" in rb_test_*) continue ;; esac
	mods+=("$m")
done
[ ${#mods[@]} -gt 0 ] || ktap_skip_all "the suite built no modules"

ktap_plan ${#mods[@]}
for m in "${mods[@]}"; do
	# The module's dependencies, with their reference counts now.
	deps=$(modinfo -F depends "$m" | tr ',' ' ')
	for d in $deps; do modprobe "$d"; done
	declare -A ref0=()
	for d in $deps; do ref0[$d]=$(cat "/sys/module/$d/refcnt"); done

	err=
	for i in $(seq "$CYCLES"); do
		if ! out=$(modprobe "$m" 2>&1); then
			err="load $i failed: $out"
			break
		fi
		if [ ! -d "/sys/module/$m" ]; then
			err="load $i: /sys/module/$m missing"
			break
		fi
		if ! out=$(rmmod "$m" 2>&1); then
			err="unload $i failed: $out (refcnt $(cat /sys/module/$m/refcnt 2>/dev/null))"
			break
		fi
	done
	[ -z "$err" ] && [ -d "/sys/module/$m" ] && err="still loaded after the last rmmod"
	if [ -z "$err" ]; then
		for d in $deps; do
			r=$(cat "/sys/module/$d/refcnt")
			[ "$r" = "${ref0[$d]}" ] ||
				err="$err refcnt of $d: ${ref0[$d]} before, $r after;"
		done
	fi
	unset ref0
	if [ -n "$err" ]; then
		ktap_diag "$m: $err"
		ktap_fail "$m: $CYCLES load/unload cycles"
	else
		ktap_pass "$m: $CYCLES load/unload cycles"
	fi
done
ktap_finish
