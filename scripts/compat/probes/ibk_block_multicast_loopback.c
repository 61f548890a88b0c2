// SPDX-License-Identifier: GPL-2.0-only
/*
 * IBK_BLOCK_MULTICAST_LOOPBACK in ib_device_attr.kernel_cap_flags (6.0+).
 */
#include <rdma/ib_verbs.h>

void rbp_probe(struct ib_device_attr *attr);
void rbp_probe(struct ib_device_attr *attr)
{
	attr->kernel_cap_flags |= IBK_BLOCK_MULTICAST_LOOPBACK;
}
