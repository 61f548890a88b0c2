# SPDX-License-Identifier: GPL-2.0-only
# shellcheck shell=bash
#
# The VM harness's sysroot (sourced, not run: the harness, the host-prepare
# scripts of the selftests, scripts/debian13/).
#
# Without RB_SYSROOT the VM boots the host's own distribution kernel and the
# guest runs the host's tools: everything is built and taken from this
# machine. RB_SYSROOT=DIR names another distribution's root (Debian 13's,
# from scripts/debian13/root.sh) to take all of that from instead: the
# kernel image, its modules, the guest's tools and libraries, and the
# compiler, headers and libraries that programs and modules for that guest
# must be built with. Host-prepare scripts build through rb_in_root so the
# same script works both ways.

RB_SYSROOT_TOP=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)

# rb_in_root [VAR=value...] CMD...: CMD inside RB_SYSROOT (scripts/vm/in-root.sh:
# chroot, the tree at the same path, a clean environment plus the VAR=value
# words), or here when there is no sysroot (the words added to this
# environment).
rb_in_root()
{
	if [ -n "${RB_SYSROOT:-}" ]; then
		"$RB_SYSROOT_TOP/scripts/vm/in-root.sh" "$RB_SYSROOT" "$@"
	else
		env "$@"
	fi
}

# rb_root_path PATH: where the host sees PATH of the system the guest's
# programs are built on (the sysroot's, or the host's own).
rb_root_path()
{
	echo "${RB_SYSROOT:-}$1"
}

# rb_root_release ROOT: the kernel release installed in ROOT (exactly one).
rb_root_release()
{
	local rels
	rels=$(ls "$1/lib/modules" 2>/dev/null)
	if [ "$(echo "$rels" | wc -w)" -ne 1 ]; then
		echo "sysroot: want one kernel in $1/lib/modules, found: ${rels:-none}" >&2
		return 1
	fi
	echo "$rels"
}

# rb_pq_vm_modules KDIR KVER WORK DIR/MODULE.ko...: scripts/patches/lib.sh's
# pq_vm_modules (the patch queue applied to the distribution's linux-source
# and the named modules built; prints WORK/ko), run where the guest's
# modules are built: in the sysroot, from its kernel's own linux-source with
# its gcc, or here. Its messages go to stderr, its status is pq_vm_modules'
# (4: cannot, the reason on stdout), except with a sysroot whose
# linux-source is not one of the queue's bases (lib.sh PQ_BASES), where a
# queue that does not apply to that source or does not build is status 4
# too, with the first error as the reason: a port to another kernel is
# separate work, not a failure of the test that needs it. On a base the
# queue is kept for, such a failure is one.
rb_pq_vm_modules()
{
	local rc=0 out log
	log=$(mktemp)
	# shellcheck disable=SC2016 # expanded by the inner bash
	out=$(rb_in_root bash -c '. "$1/scripts/patches/lib.sh" && shift && pq_vm_modules "$@"' \
		rb "$RB_SYSROOT_TOP" "$@" 2> "$log") || rc=$?
	cat "$log" >&2
	# shellcheck disable=SC2016 # expanded by the inner bash
	if [ $rc -eq 1 ] && [ -n "${RB_SYSROOT:-}" ] &&
	   ! rb_in_root bash -c '. "$1/scripts/patches/lib.sh" &&
		case " $PQ_BASES " in *" $(pq_base) "*) ;; *) exit 1 ;; esac' \
		rb "$RB_SYSROOT_TOP" 2> /dev/null; then
		out=$(_rb_pq_why "$2" "$log")
		rc=4
	fi
	rm -f "$log"
	echo "$out"
	return $rc
}

# _rb_pq_why KVER LOG: one line saying why pq_vm_modules failed (LOG: its
# messages): the patch that does not apply and git's complaint, or the
# first compiler error.
_rb_pq_why()
{
	local f p err
	err=$(grep -m 1 '^error: patch failed: ' "$2")
	if [ -n "$err" ]; then
		f=${err#error: patch failed: }
		f=${f%:*}
		p=$(grep -l "^diff --git a/$f " "${PQ_DIR:-$RB_SYSROOT_TOP/patches}"/*.patch 2>/dev/null | head -n 1)
		echo "the patch queue does not apply to $1's linux-source: ${p:+$(basename "$p"): }${err#error: }"
	else
		err=$(grep -m 1 -E 'error:|Error [0-9]' "$2" || tail -n 1 "$2")
		echo "the patched modules do not build against $1: $err"
	fi
}
