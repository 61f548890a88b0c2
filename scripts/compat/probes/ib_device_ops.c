// SPDX-License-Identifier: GPL-2.0-only
/*
 * struct ib_device_ops and ib_set_device_ops() (5.0+).
 * Before, the verbs were function pointers directly in struct ib_device.
 */
#include <rdma/ib_verbs.h>

static const struct ib_device_ops rbp_probe_ops = { .owner = THIS_MODULE };

void rbp_probe(struct ib_device *dev);
void rbp_probe(struct ib_device *dev)
{
	ib_set_device_ops(dev, &rbp_probe_ops);
}
