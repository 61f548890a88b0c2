// SPDX-License-Identifier: GPL-2.0-only
/*
 * Port numbers are u32 in the verbs (5.13+); they were u8 before.
 */
#include <rdma/ib_verbs.h>

static int rbp_probe_query_port(struct ib_device *dev, u32 port,
				struct ib_port_attr *attr)
{
	return 0;
}

const struct ib_device_ops rbp_probe_ops = {
	.query_port = rbp_probe_query_port,
};
