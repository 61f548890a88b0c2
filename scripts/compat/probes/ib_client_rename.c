// SPDX-License-Identifier: GPL-2.0-only
/*
 * ib_client.rename() tells a client that a device it was added to has a
 * new name (5.x; RHEL 8 and later carry it, RHEL 7.9 does not).
 */
#include <rdma/ib_verbs.h>

static void rbp_probe_rename(struct ib_device *dev, void *client_data)
{
}

struct ib_client rbp_probe_client = {
	.rename = rbp_probe_rename,
};
