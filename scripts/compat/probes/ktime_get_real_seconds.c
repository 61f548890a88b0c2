// SPDX-License-Identifier: GPL-2.0-only
/*
 * ktime_get_real_seconds(): wall-clock seconds as time64_t (3.19+); before,
 * get_seconds().
 */
#include <linux/ktime.h>
#include <linux/timekeeping.h>

time64_t rbp_probe(void);
time64_t rbp_probe(void)
{
	return ktime_get_real_seconds();
}
