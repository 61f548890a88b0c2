// SPDX-License-Identifier: GPL-2.0-only
/*
 * create_cq() takes a struct uverbs_attr_bundle *, not a struct ib_udata * (6.11+, RHEL 9.6).
 */
#include <rdma/ib_verbs.h>

static int rbp_probe_create_cq(struct ib_cq *cq,
			       const struct ib_cq_init_attr *attr,
			       struct uverbs_attr_bundle *attrs)
{
	return 0;
}

const struct ib_device_ops rbp_probe_ops = {
	.create_cq = rbp_probe_create_cq,
};
