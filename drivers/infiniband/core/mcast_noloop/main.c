// SPDX-License-Identifier: GPL-2.0-only
/*
 * rdma_mcast_noloop - multicast loopback suppression as host policy.
 *
 * An HCA loops UD multicast back to every local QP of the group, the
 * sender's included; the per-QP cure (IB_QP_CREATE_BLOCK_MULTICAST_LOOPBACK)
 * works only for applications that ask. Host-wide rules decide which new
 * QPs get that flag: kprobes on the kernel's QP creation functions set it
 * before the driver sees the request (qp_hook.c), on devices that can block
 * only (devices.c), as the rules say (rules.c). State and rules are in
 * /sys/kernel/rdma_mcast_noloop/ (sysfs.c). rmmod stops flagging new QPs.
 *
 * Behaviour, rule grammar, files and limits:
 * Documentation/rdma_mcast_noloop.rst.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/module.h>

#include "mcast_noloop.h"

/*
 * The sysfs directories come before the ib_client (its add() makes a
 * directory per device), the files last: rules are taken once the devices
 * are known and the hooks placed (the first rule arms them).
 */
static int __init mcnl_init(void)
{
	int ret;

	ret = mcnl_sysfs_init();
	if (ret)
		return ret;
	ret = mcnl_devices_init();
	if (ret)
		goto err_sysfs;
	ret = mcnl_hook_init();
	if (ret)
		goto err_devices;
	ret = mcnl_sysfs_files_init();
	if (ret)
		goto err_hook;
	return 0;

err_hook:
	mcnl_hook_exit();
err_devices:
	mcnl_devices_exit();
err_sysfs:
	mcnl_sysfs_exit();
	mcnl_rules_exit();
	return ret;
}

static void __exit mcnl_exit(void)
{
	mcnl_sysfs_files_exit();
	mcnl_hook_exit();
	mcnl_devices_exit();
	mcnl_sysfs_exit();
	mcnl_rules_exit();
}

module_init(mcnl_init);
module_exit(mcnl_exit);

MODULE_DESCRIPTION("RDMA multicast loopback suppression as host policy");
MODULE_AUTHOR("rdma-backports");
MODULE_LICENSE("GPL");
MODULE_VERSION(RBP_MODULE_VERSION);
RBP_MODULE_INFO();
