// SPDX-License-Identifier: GPL-2.0-only
/*
 * rdma_sniffer - RDMA traffic visible to tcpdump and tshark.
 *
 * Kernel-bypass and ULP traffic of an RDMA port never passes the host's
 * network stack, so packet capture tools do not see it. rdma_sniffer gives
 * a port a monitor netdev (ARPHRD_ETHER) on request; a capture backend
 * hands it the port's packets, which it frames as RoCEv1 (GRH, BTH, DETH,
 * payload), filters in the kernel, and queues for the tools, at no cost
 * while the monitor is down or nobody listens; readers of the monitor's
 * erf file get them as pcap ERF records, LRH included (erf.c). It depends on ib_core only:
 * backends are modules of their own (rdma_sniffer_sib for rdma_sib), so
 * loading it on a host with real HCAs pulls in no test driver.
 *
 * It tracks RDMA devices as an ib_client (a device that goes away takes
 * its monitors along). Control and state: /sys/kernel/debug/rdma_sniffer/
 * (debugfs.c). Frames, filter syntax, counters and limits:
 * Documentation/rdma_sniffer.rst.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/module.h>
#include <linux/slab.h>

#include "sniffer.h"

/* Devices, backends and monitors: creating and removing them. */
DEFINE_MUTEX(snf_lock);
DEFINE_XARRAY(snf_devs);		/* ib_device.index -> struct snf_dev */
static LIST_HEAD(snf_backends);		/* under snf_lock */

static struct ib_client snf_client;

/**
 * snf_dev_by_name() - a tracked RDMA device by its current name
 * @name: e.g. "sib0"
 *
 * Context: snf_lock held.
 * Return: the device, or NULL.
 */
struct snf_dev *snf_dev_by_name(const char *name)
{
	struct snf_dev *sd;
	unsigned long idx;

	lockdep_assert_held(&snf_lock);
	xa_for_each(&snf_devs, idx, sd)
		if (!strcmp(dev_name(&sd->ibdev->dev), name))
			return sd;
	return NULL;
}

/**
 * snf_backend_for() - the first backend that captures a port
 * @ibdev: the device
 * @port: the port
 *
 * Context: snf_lock held.
 * Return: the backend, or NULL.
 */
struct rdma_sniffer_backend *snf_backend_for(struct ib_device *ibdev, u32 port)
{
	struct rdma_sniffer_backend *b;

	lockdep_assert_held(&snf_lock);
	list_for_each_entry(b, &snf_backends, list)
		if (b->serves(ibdev, port))
			return b;
	return NULL;
}

/**
 * rdma_sniffer_backend_register() - offer a backend's ports for monitors
 * @b: the backend, valid until rdma_sniffer_backend_unregister()
 *
 * Context: process.
 * Return: 0.
 */
int rdma_sniffer_backend_register(struct rdma_sniffer_backend *b)
{
	mutex_lock(&snf_lock);
	list_add_tail(&b->list, &snf_backends);
	mutex_unlock(&snf_lock);
	return 0;
}
EXPORT_SYMBOL_GPL(rdma_sniffer_backend_register);

/**
 * rdma_sniffer_backend_unregister() - withdraw a backend
 * @b: the backend
 *
 * Removes the monitors it feeds (their captures see the interface go
 * away); on return none of @b's callbacks runs or will be called.
 *
 * Context: process, not under RTNL.
 */
void rdma_sniffer_backend_unregister(struct rdma_sniffer_backend *b)
{
	struct snf_dev *sd;
	unsigned long idx;
	u32 p;

	mutex_lock(&snf_lock);
	xa_for_each(&snf_devs, idx, sd)
		for (p = 0; p < sd->nports; p++)
			if (sd->ports[p].mon && sd->ports[p].mon->backend == b)
				snf_mon_destroy(sd->ports[p].mon);
	list_del(&b->list);
	mutex_unlock(&snf_lock);
}
EXPORT_SYMBOL_GPL(rdma_sniffer_backend_unregister);

static int snf_add_one(struct ib_device *ibdev)
{
	u32 nports = rdma_end_port(ibdev) + 1;
	struct snf_dev *sd;
	int ret;

	sd = kzalloc(struct_size(sd, ports, nports), GFP_KERNEL);
	if (!sd)
		return -ENOMEM;
	sd->ibdev = ibdev;
	sd->nports = nports;
	mutex_lock(&snf_lock);
	ret = xa_insert(&snf_devs, ibdev->index, sd, GFP_KERNEL);
	mutex_unlock(&snf_lock);
	if (ret) {
		kfree(sd);
		return ret;
	}
	ib_set_client_data(ibdev, &snf_client, sd);
	return 0;
}

RBP_IB_CLIENT_ADD_WRAPPER(snf_add_one);

static void snf_remove_one(struct ib_device *ibdev, void *client_data)
{
	struct snf_dev *sd = client_data;
	u32 p;

	if (!sd)
		return;
	mutex_lock(&snf_lock);
	for (p = 0; p < sd->nports; p++)
		if (sd->ports[p].mon)
			snf_mon_destroy(sd->ports[p].mon);
	xa_erase(&snf_devs, ibdev->index);
	mutex_unlock(&snf_lock);
	/* The packet path may still hold it from snf_devs. */
	kfree_rcu(sd, rcu);
}

static struct ib_client snf_client = {
	.name = KBUILD_MODNAME,
	.add = RBP_IB_CLIENT_ADD(snf_add_one),
	.remove = snf_remove_one,
};

static int __init snf_init(void)
{
	int ret;

	/* First in the list: a port marked as fed from user space is. */
	rdma_sniffer_backend_register(&snf_user_backend);
	ret = ib_register_client(&snf_client);
	if (ret) {
		rdma_sniffer_backend_unregister(&snf_user_backend);
		return ret;
	}
	return snf_debugfs_init();
}

static void __exit snf_exit(void)
{
	snf_debugfs_controls_exit();
	/* Backends are gone (they depend on us): this removes every monitor. */
	ib_unregister_client(&snf_client);
	rdma_sniffer_backend_unregister(&snf_user_backend);
	snf_debugfs_exit();
	/* kfree_rcu() of devices and filters. */
	rcu_barrier();
}

module_init(snf_init);
module_exit(snf_exit);

MODULE_DESCRIPTION("RDMA traffic on monitor netdevs for packet capture tools");
MODULE_AUTHOR("rdma-backports");
MODULE_LICENSE("GPL");
MODULE_VERSION(RBP_MODULE_VERSION);
RBP_MODULE_INFO();
