// SPDX-License-Identifier: GPL-2.0-only
/*
 * ipoib_sendonly: the module's translation unit (main.c describes the module).
 *
 * The module is compiled as this one translation unit, its files included
 * in the order below: parsing the kernel's headers costs more than our
 * code, so one compiler run per module instead of one per file is what
 * keeps a cold DKMS build quick (Documentation/packaging.rst). The files
 * stay separate, one responsibility each; a name one file keeps static
 * is not used again in another.
 */
#include "main.c"
#include "devices.c"
#include "join_hook.c"
#include "refusals.c"
#include "sm_caps.c"
#include "debugfs.c"
