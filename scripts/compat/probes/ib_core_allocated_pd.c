// SPDX-License-Identifier: GPL-2.0-only
/*
 * alloc_pd() fills a struct ib_pd that ib_core allocated (5.2+).
 */
#include <rdma/ib_verbs.h>

static int rbp_probe_alloc_pd(struct ib_pd *pd, struct ib_udata *udata)
{
	return 0;
}

const struct ib_device_ops rbp_probe_ops = {
	.alloc_pd = rbp_probe_alloc_pd,
};
