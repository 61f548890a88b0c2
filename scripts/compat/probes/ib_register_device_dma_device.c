// SPDX-License-Identifier: GPL-2.0-only
/*
 * ib_register_device(device, name, dma_device) (5.10+).
 */
#include <rdma/ib_verbs.h>

int (*rbp_probe)(struct ib_device *dev, const char *name,
		 struct device *dma_device) = ib_register_device;
