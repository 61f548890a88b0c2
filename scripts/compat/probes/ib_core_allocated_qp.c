// SPDX-License-Identifier: GPL-2.0-only
/*
 * create_qp() fills a struct ib_qp that ib_core allocated (5.15+).
 * Before, the driver allocated it and returned a pointer.
 */
#include <rdma/ib_verbs.h>

static int rbp_probe_create_qp(struct ib_qp *qp, struct ib_qp_init_attr *attr,
			       struct ib_udata *udata)
{
	return 0;
}

const struct ib_device_ops rbp_probe_ops = {
	.create_qp = rbp_probe_create_qp,
};
