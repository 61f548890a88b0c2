// SPDX-License-Identifier: GPL-2.0-only
/*
 * ib_core allocates struct ib_cq for the driver (ib_device_ops.size_ib_cq, 5.3+).
 */
#include <rdma/ib_verbs.h>

struct rbp_probe_cq {
	struct ib_cq ibcq;
};

const struct ib_device_ops rbp_probe_ops = {
	INIT_RDMA_OBJ_SIZE(ib_cq, rbp_probe_cq, ibcq),
};
