// SPDX-License-Identifier: GPL-2.0-only
/*
 * kernel_param_lock(mod): the parameter lock of one module (4.2+); before,
 * one global lock taken with __kernel_param_lock().
 */
#include <linux/module.h>
#include <linux/moduleparam.h>

void rbp_probe(void);
void rbp_probe(void)
{
	kernel_param_lock(THIS_MODULE);
	kernel_param_unlock(THIS_MODULE);
}
