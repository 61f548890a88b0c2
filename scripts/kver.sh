#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
#
# Print the release (uname -r) of the kernel build tree $1, as the tree itself
# records it. Debian's include/config/kernel.release holds the upstream
# version, so the UTS_RELEASE of the generated header is what counts.
set -euo pipefail
f=$1/include/generated/utsrelease.h
sed -n 's/^#define UTS_RELEASE "\(.*\)"$/\1/p' "$f"
