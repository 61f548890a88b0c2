// SPDX-License-Identifier: GPL-2.0-only
/*
 * rdma_sib: the module's translation unit (main.c describes the module).
 *
 * The module is compiled as this one translation unit, its files included
 * in the order below: parsing the kernel's headers costs more than our
 * code, so one compiler run per module instead of one per file is what
 * keeps a cold DKMS build quick (Documentation/packaging.rst). The files
 * stay separate, one responsibility each; a name one file keeps static
 * is not used again in another.
 */
#include "main.c"
#include "device.c"
#include "qp.c"
#include "send.c"
#include "recv.c"
#include "rc.c"
#include "cq.c"
#include "fabric.c"
#include "sa.c"
#include "rmpp.c"
#include "counters.c"
#include "mad.c"
#include "sma.c"
#include "switch.c"
#include "pma.c"
#include "debugfs.c"
#include "tap.c"
