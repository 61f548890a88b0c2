// SPDX-License-Identifier: GPL-2.0-only
/*
 * Per-device state: whether the device can block multicast loopback, and
 * what happened to the QPs created on it. An ib_client adds every RDMA
 * device, present and future.
 */
#include <linux/mutex.h>
#include <linux/rculist.h>
#include <linux/slab.h>
#include <linux/string.h>

#include "mcast_noloop.h"

const char * const mnl_skip_names[MNL_SKIP_MAX] = {
	[MNL_SKIP_NO_RULE] = "no_rule",
	[MNL_SKIP_ALLOW] = "allow",
	[MNL_SKIP_NO_CAP] = "no_cap",
	[MNL_SKIP_UNSUPPORTED] = "unsupported",
	[MNL_SKIP_ALREADY] = "already",
};

static LIST_HEAD(mnl_devs);
static DEFINE_MUTEX(mnl_dev_lock);	/* writers of mnl_devs; show */

/**
 * mnl_dev_find() - our state of @dev
 * @dev: an RDMA device
 *
 * Context: under rcu_read_lock() or mnl_dev_lock.
 * Return: the state, or NULL while the device is not (or no longer) known.
 */
struct mnl_dev *mnl_dev_find(struct ib_device *dev)
{
	struct mnl_dev *d;

	rb_list_for_each_entry_rcu(d, &mnl_devs, list, lockdep_is_held(&mnl_dev_lock))
		if (d->ibdev == dev)
			return d;
	return NULL;
}

/**
 * mnl_dev_caps() - what the device called @name can do, for a rule
 * @name: an RDMA device name
 * @can_block: set: it honours IB_QP_CREATE_BLOCK_MULTICAST_LOOPBACK
 * @is_mlx5: set: it is an mlx5 device
 *
 * Looked up among the devices this module's client was given (all that
 * are registered), under the lock their removal takes.
 *
 * Context: process context.
 * Return: 0, or -ENODEV when there is no such device.
 */
int mnl_dev_caps(const char *name, bool *can_block, bool *is_mlx5)
{
	struct mnl_dev *d;
	int ret = -ENODEV;

	mutex_lock(&mnl_dev_lock);
	list_for_each_entry(d, &mnl_devs, list) {
		if (strncmp(d->ibdev->name, name, IB_DEVICE_NAME_MAX))
			continue;
		*can_block = rb_dev_blocks_mcast_loopback(d->ibdev);
		*is_mlx5 = rb_ib_driver_id(d->ibdev) == RDMA_DRIVER_MLX5;
		ret = 0;
		break;
	}
	mutex_unlock(&mnl_dev_lock);
	return ret;
}

static int mnl_add_one(struct ib_device *dev)
{
	struct mnl_dev *d = kzalloc(sizeof(*d), GFP_KERNEL);

	if (!d)
		return -ENOMEM;
	d->ibdev = dev;
	mutex_lock(&mnl_dev_lock);
	list_add_tail_rcu(&d->list, &mnl_devs);
	mutex_unlock(&mnl_dev_lock);
	return 0;
}

static void mnl_remove_one(struct ib_device *dev, void *data)
{
	struct mnl_dev *d;

	mutex_lock(&mnl_dev_lock);
	d = mnl_dev_find(dev);
	if (d)
		list_del_rcu(&d->list);
	mutex_unlock(&mnl_dev_lock);
	if (d)
		kfree_rcu(d, rcu);
}

RB_IB_CLIENT_ADD_WRAPPER(mnl_add_one);

static struct ib_client mnl_client = {
	.name = "rdma_mcast_noloop",
	.add = RB_IB_CLIENT_ADD(mnl_add_one),
	.remove = mnl_remove_one,
};

/**
 * mnl_devices_show() - one line per device: capability and QP counters
 * @buf: output
 * @size: its size
 *
 * Return: bytes written.
 */
ssize_t mnl_devices_show(char *buf, size_t size)
{
	struct mnl_dev *d;
	ssize_t n;
	int i;

	n = scnprintf(buf, size, "device can_block seen flagged");
	for (i = 0; i < MNL_SKIP_MAX; i++)
		n += scnprintf(buf + n, size - n, " skip_%s", mnl_skip_names[i]);
	n += scnprintf(buf + n, size - n, "\n");
	mutex_lock(&mnl_dev_lock);
	list_for_each_entry(d, &mnl_devs, list) {
		n += scnprintf(buf + n, size - n, "%s %s %ld %ld",
			       d->ibdev->name,
			       rb_dev_blocks_mcast_loopback(d->ibdev) ? "yes" : "no",
			       atomic_long_read(&d->seen),
			       atomic_long_read(&d->flagged));
		for (i = 0; i < MNL_SKIP_MAX; i++)
			n += scnprintf(buf + n, size - n, " %ld",
				       atomic_long_read(&d->skipped[i]));
		n += scnprintf(buf + n, size - n, "\n");
	}
	mutex_unlock(&mnl_dev_lock);
	return n;
}

/**
 * mnl_devices_init() - start tracking devices
 *
 * Return: 0 or a negative errno.
 */
int mnl_devices_init(void)
{
	return ib_register_client(&mnl_client);
}

/**
 * mnl_devices_exit() - stop; waits for readers before the state is freed
 */
void mnl_devices_exit(void)
{
	ib_unregister_client(&mnl_client);
	rcu_barrier();	/* the kfree_rcu()s above */
}
