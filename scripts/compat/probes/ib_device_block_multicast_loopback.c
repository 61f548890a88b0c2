// SPDX-License-Identifier: GPL-2.0-only
/*
 * IB_DEVICE_BLOCK_MULTICAST_LOOPBACK in ib_device_attr.device_cap_flags
 * (before 6.0, and on distribution kernels that kept it).
 */
#include <rdma/ib_verbs.h>

void rbp_probe(struct ib_device_attr *attr);
void rbp_probe(struct ib_device_attr *attr)
{
	attr->device_cap_flags |= IB_DEVICE_BLOCK_MULTICAST_LOOPBACK;
}
