// SPDX-License-Identifier: GPL-2.0-only
/*
 * destroy_cq()/destroy_qp()/dealloc_pd() return int (5.10+).
 * They returned void before.
 */
#include <rdma/ib_verbs.h>

static int rbp_probe_destroy_cq(struct ib_cq *cq, struct ib_udata *udata)
{
	return 0;
}

static int rbp_probe_dealloc_pd(struct ib_pd *pd, struct ib_udata *udata)
{
	return 0;
}

const struct ib_device_ops rbp_probe_ops = {
	.destroy_cq = rbp_probe_destroy_cq,
	.dealloc_pd = rbp_probe_dealloc_pd,
};
