// SPDX-License-Identifier: GPL-2.0-only
/*
 * rdma_mcast_noloop - multicast loopback suppression as host policy.
 *
 * The problem: an HCA loops a UD multicast packet back to every local QP
 * attached to the group, the sender's own included. Kernel-bypass
 * applications (a market-data publisher and its subscribers on one host)
 * then receive what they sent. The per-QP cure exists
 * (IB_QP_CREATE_BLOCK_MULTICAST_LOOPBACK, IBV_QP_CREATE_BLOCK_SELF_MCAST_LB,
 * mckey -l), but only for applications that ask for it; sites resorted to
 * driver-private switches that turn loopback off for a whole HCA.
 *
 * The fix: rules, like a per-host IP_MULTICAST_LOOP. A rule matches new QPs
 * by device, QP type (UD by default, raw packet on mlx5), creator (kernel or
 * user space, optionally by uid or gid) and says block or allow; matching
 * QPs are created with IB_QP_CREATE_BLOCK_MULTICAST_LOOPBACK, set by a
 * kprobe on ib_create_qp_user()/ib_create_qp_kernel() before the driver
 * sees the request. Only devices that advertise the capability are touched;
 * a rule naming one that does not is refused. No rule, no effect.
 *
 * Removable at any time: rmmod stops flagging new QPs; QPs already created
 * keep their flag for their lifetime.
 *
 * Interface: /sys/kernel/rdma_mcast_noloop/rules (read/write) and devices.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/module.h>

#include "mcast_noloop.h"

static int __init mcnl_init(void)
{
	int ret;

	ret = mcnl_devices_init();
	if (ret)
		return ret;
	ret = mcnl_hook_init();
	if (ret)
		goto err_devices;
	ret = mcnl_sysfs_init();
	if (ret)
		goto err_hook;
	return 0;

err_hook:
	mcnl_hook_exit();
err_devices:
	mcnl_devices_exit();
	mcnl_rules_exit();
	return ret;
}

static void __exit mcnl_exit(void)
{
	mcnl_sysfs_exit();
	mcnl_hook_exit();
	mcnl_devices_exit();
	mcnl_rules_exit();
}

module_init(mcnl_init);
module_exit(mcnl_exit);

MODULE_DESCRIPTION("RDMA multicast loopback suppression as host policy");
MODULE_AUTHOR("rdma-backports");
MODULE_LICENSE("GPL");
MODULE_VERSION(RBP_MODULE_VERSION);
RBP_MODULE_INFO();
