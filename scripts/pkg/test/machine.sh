# SPDX-License-Identifier: GPL-2.0-only
# shellcheck shell=bash
#
# scripts/pkg/test.sh: leaving the machine as it was found (sourced). A DKMS
# installation of the suite made without the package (make dkms-install,
# make run) is set aside before the test and put back after it, byte for
# byte; whatever the test installed is purged, also on failure.
# Globals from test.sh: name pkg ver ver2 mods work apt.
# shellcheck disable=SC2154

# snapshot: what a DKMS package can change, as a listing (diffable).
snapshot()
{
	find /usr/src -maxdepth 1 | sort
	find /var/lib/dkms /lib/modules/*/updates 2>/dev/null | sort
	for f in /lib/modules/*/modules.dep; do
		echo "$f: $(cut -d: -f1 "$f" | sort | md5sum)"
	done
	dpkg-query -W -f='${Package} ${Version} ${db:Status-Abbrev}\n' | sort
}

# suite_paths: a DKMS installation of the suite without the package: its
# sources, its DKMS tree and its installed modules, by the names DKMS
# recorded.
suite_paths()
{
	local ko k
	ls -d "/usr/src/$name-"* "/var/lib/dkms/$name" 2>/dev/null
	for ko in $(find "/var/lib/dkms/$name" -name '*.ko*' -path '*/module/*' -printf '%f\n' 2>/dev/null | sort -u); do
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

# machine_save: record the machine (before.lst), set a package-less
# installation of the suite aside. Sets before, aside, nodep, prior.
machine_save()
{
	before=$work/before.lst
	aside=$work/aside.tar
	snapshot > "$before"
	# Kernels with headers but no image have no modules.dep; DKMS's depmod
	# leaves its index files there (empty once the package is purged), and
	# cleanup removes them again.
	mapfile -t nodep < <(for d in /lib/modules/*/; do
		[ -e "$d/modules.dep" ] || echo "${d%/}"; done)
	mapfile -t prior < <(suite_paths)
	if [ ${#prior[@]} -gt 0 ]; then
		tar -cpPf "$aside" "${prior[@]}" || return 1
		rm -rf "${prior[@]}"
		depmod_all
	fi
}

cleaned=0
# cleanup: purge what the test installed, put back what was set aside.
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

# forget_dkms_key: DKMS makes its machine owner key (/var/lib/dkms/mok.key,
# .pub) the first time it signs a module; on a machine where the package's
# install was DKMS's first use, that key is this test's doing: it goes.
forget_dkms_key()
{
	local f
	for f in /var/lib/dkms/mok.key /var/lib/dkms/mok.pub; do
		if ! grep -qx "$f" "$before" && [ -e "$f" ]; then
			ktap_diag "removing $f, which DKMS made during this test"
			rm -f "$f"
		fi
	done
}

# as_found: the machine's listing equals the one made before.
as_found()
{
	snapshot > "$work/after.lst"
	diff "$before" "$work/after.lst"
}
