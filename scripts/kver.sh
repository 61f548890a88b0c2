#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
#
# Print the release (uname -r) of the kernel build tree $1, as the tree itself
# records it (scripts/lib.sh rb_kver).
set -euo pipefail
# shellcheck source=scripts/lib.sh
. "$(dirname "$0")/lib.sh"
rb_kver "$1"
