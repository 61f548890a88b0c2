// SPDX-License-Identifier: GPL-2.0-only
/*
 * <linux/kstrtox.h> (5.14+, backported to some distribution kernels);
 * before, the kstrto*() helpers were declared in <linux/kernel.h>.
 */
#include <linux/kstrtox.h>

int rbp_probe(const char *s, unsigned int *res);
int rbp_probe(const char *s, unsigned int *res)
{
	return kstrtouint(s, 10, res);
}
