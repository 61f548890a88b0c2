// SPDX-License-Identifier: GPL-2.0-only
/*
 * ib_register_device(device, name), without a dma_device (5.1 to 5.9).
 */
#include <rdma/ib_verbs.h>

int (*rb_probe)(struct ib_device *dev, const char *name) = ib_register_device;
