// SPDX-License-Identifier: GPL-2.0-only
/*
 * create_ah() takes struct rdma_ah_init_attr (5.8+).
 */
#include <rdma/ib_verbs.h>

static int rbp_probe_create_ah(struct ib_ah *ah, struct rdma_ah_init_attr *attr,
			       struct ib_udata *udata)
{
	return 0;
}

const struct ib_device_ops rbp_probe_ops = {
	.create_ah = rbp_probe_create_ah,
};
