// SPDX-License-Identifier: GPL-2.0-only
/*
 * regs_get_kernel_argument(): the Nth argument of a probed kernel
 * function, from its pt_regs (x86-64 4.20+, arm64 5.x+).
 */
#include <linux/ptrace.h>

unsigned long rbp_probe(struct pt_regs *regs);
unsigned long rbp_probe(struct pt_regs *regs)
{
	return regs_get_kernel_argument(regs, 0);
}
