// SPDX-License-Identifier: GPL-2.0-only
/*
 * Per-device state: whether the device can block multicast loopback, and
 * what happened to the QPs created on it. An ib_client adds every RDMA
 * device, present and future, and gives each its directory under
 * devices/ (sysfs.c), renamed with the device and removed with it.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/mutex.h>
#include <linux/percpu.h>
#include <linux/rculist.h>
#include <linux/slab.h>
#include <linux/string.h>

#include "mcast_noloop.h"

const char * const mcnl_skip_names[MCNL_SKIP_MAX] = {
	[MCNL_SKIP_NO_RULE] = "no_rule",
	[MCNL_SKIP_ALLOW] = "allow",
	[MCNL_SKIP_NO_CAP] = "no_cap",
	[MCNL_SKIP_UNSUPPORTED] = "unsupported",
	[MCNL_SKIP_ALREADY] = "already",
};

static LIST_HEAD(mcnl_devs);
static DEFINE_MUTEX(mcnl_dev_lock);	/* writers of mcnl_devs; show */

/**
 * mcnl_dev_find() - our state of @dev
 * @dev: an RDMA device
 *
 * Context: under rcu_read_lock() or mcnl_dev_lock.
 * Return: the state, or NULL while the device is not (or no longer) known.
 */
struct mcnl_dev *mcnl_dev_find(struct ib_device *dev)
{
	struct mcnl_dev *d;

	rbp_list_for_each_entry_rcu(d, &mcnl_devs, list, lockdep_is_held(&mcnl_dev_lock))
		if (d->ibdev == dev)
			return d;
	return NULL;
}

/**
 * mcnl_dev_caps() - what the device called @name can do, for a rule
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
int mcnl_dev_caps(const char *name, bool *can_block, bool *is_mlx5)
{
	struct mcnl_dev *d;
	int ret = -ENODEV;

	mutex_lock(&mcnl_dev_lock);
	list_for_each_entry(d, &mcnl_devs, list) {
		if (strncmp(d->ibdev->name, name, IB_DEVICE_NAME_MAX))
			continue;
		*can_block = rbp_dev_blocks_mcast_loopback(d->ibdev);
		*is_mlx5 = rbp_ib_driver_id(d->ibdev) == RDMA_DRIVER_MLX5;
		ret = 0;
		break;
	}
	mutex_unlock(&mcnl_dev_lock);
	return ret;
}

/* After readers: the state of a removed device, counters included. */
static void mcnl_dev_free_rcu(struct rcu_head *head)
{
	struct mcnl_dev *d = container_of(head, struct mcnl_dev, rcu);

	free_percpu(d->stats);
	kfree(d);
}

/*
 * The client's callbacks run in process context, and ib_core calls them one
 * at a time per device: rename() only after add() succeeded, remove() after
 * any rename() has returned.
 */
static int mcnl_add_one(struct ib_device *dev)
{
	struct mcnl_dev *d = kzalloc(sizeof(*d), GFP_KERNEL);
	int ret;

	if (!d)
		return -ENOMEM;
	d->stats = alloc_percpu(struct mcnl_dev_stats);
	if (!d->stats) {
		kfree(d);
		return -ENOMEM;
	}
	d->ibdev = dev;
	mutex_lock(&mcnl_dev_lock);
	list_add_tail_rcu(&d->list, &mcnl_devs);
	mutex_unlock(&mcnl_dev_lock);
	/* Listed first: a file, once there, finds the state it shows. */
	ret = mcnl_sysfs_dev_add(d);
	if (ret) {
		pr_warn("device %s not tracked: no sysfs directory (%d)\n",
			dev->name, ret);
		mutex_lock(&mcnl_dev_lock);
		list_del_rcu(&d->list);
		mutex_unlock(&mcnl_dev_lock);
		call_rcu(&d->rcu, mcnl_dev_free_rcu);
	}
	return ret;
}

static void mcnl_remove_one(struct ib_device *dev, void *data)
{
	struct mcnl_dev *d;

	mutex_lock(&mcnl_dev_lock);
	d = mcnl_dev_find(dev);
	if (d)
		list_del_rcu(&d->list);
	mutex_unlock(&mcnl_dev_lock);
	if (!d)
		return;
	/*
	 * Unlinked: a reader of the device's files that comes now finds no
	 * state and fails; one that found it is done when this returns
	 * (removing a sysfs file waits for its readers), and the kprobe
	 * handlers are covered by the grace period.
	 */
	mcnl_sysfs_dev_del(d);
	call_rcu(&d->rcu, mcnl_dev_free_rcu);
}

/**
 * mcnl_rename_one() - the device has a new name: its directory follows
 * @dev: the device, ib_device.name already the new one
 * @data: client data (unused)
 *
 * Only on kernels with ib_client.rename (RBP_IB_CLIENT_RENAME); elsewhere a
 * directory keeps the name its device had when it was added.
 *
 * Context: process context, called by ib_device_rename() with the RDMA
 * core's devices_rwsem held for reading: nothing here may register or
 * unregister a device or client. Takes mcnl_dev_lock, under which the
 * state cannot be removed.
 */
static void __maybe_unused mcnl_rename_one(struct ib_device *dev, void *data)
{
	struct mcnl_dev *d;

	mutex_lock(&mcnl_dev_lock);
	d = mcnl_dev_find(dev);
	if (d)
		mcnl_sysfs_dev_rename(d);
	mutex_unlock(&mcnl_dev_lock);
}

RBP_IB_CLIENT_ADD_WRAPPER(mcnl_add_one);

static struct ib_client mcnl_client = {
	.name = "rdma_mcast_noloop",
	.add = RBP_IB_CLIENT_ADD(mcnl_add_one),
	.remove = mcnl_remove_one,
	RBP_IB_CLIENT_RENAME(mcnl_rename_one)
};

/*
 * A counter of @d summed over the CPUs, under RCU: @value is a skip_<reason>,
 * MCNL_VAL_FLAGGED, or MCNL_VAL_SEEN (all of them: every QP seen was
 * flagged or skipped). Each CPU's word is read whole; a QP counted while
 * the sum is taken may be in it or not, as with any counter read while it
 * moves.
 */
static unsigned long mcnl_dev_sum(const struct mcnl_dev *d, unsigned int value)
{
	unsigned long sum = 0;
	unsigned int i;
	int cpu;

	for_each_possible_cpu(cpu) {
		const struct mcnl_dev_stats *st = per_cpu_ptr(d->stats, cpu);

		if (value < MCNL_VAL_SKIP + MCNL_SKIP_MAX) {
			sum += READ_ONCE(st->skipped[value - MCNL_VAL_SKIP]);
			continue;
		}
		sum += READ_ONCE(st->flagged);
		if (value == MCNL_VAL_SEEN)
			for (i = 0; i < MCNL_SKIP_MAX; i++)
				sum += READ_ONCE(st->skipped[i]);
	}
	return sum;
}

/**
 * mcnl_dev_show() - one value of a device, for a file of its directory
 * @kobj: the directory, devices/<device>/
 * @value: which value (enum mcnl_dev_value)
 * @buf: the sysfs page
 *
 * The directory's kobject belongs to the kobject core, not to us (its
 * release is the core's, so a delayed release cannot call into this module
 * after unload): the state is looked up by it. The files are removed before
 * the state is freed, and a file's readers are waited for then; a read
 * racing with the removal finds no state.
 *
 * Context: process context; takes rcu_read_lock() only.
 * Return: bytes written, or -ENODEV once the device is being removed.
 */
ssize_t mcnl_dev_show(struct kobject *kobj, unsigned int value, char *buf)
{
	struct mcnl_dev *d;
	ssize_t ret = -ENODEV;

	rcu_read_lock();
	list_for_each_entry_rcu(d, &mcnl_devs, list) {
		if (READ_ONCE(d->kobj) != kobj)
			continue;
		if (value == MCNL_VAL_CAN_BLOCK)
			ret = rbp_sysfs_emit(buf, "%s\n",
					     rbp_dev_blocks_mcast_loopback(d->ibdev) ?
					     "yes" : "no");
		else if (value < MCNL_VAL_MAX)
			ret = rbp_sysfs_emit(buf, "%lu\n", mcnl_dev_sum(d, value));
		break;
	}
	rcu_read_unlock();
	return ret;
}

/**
 * mcnl_devices_init() - start tracking devices
 *
 * Return: 0 or a negative errno.
 */
int mcnl_devices_init(void)
{
	return ib_register_client(&mcnl_client);
}

/**
 * mcnl_devices_exit() - stop; waits for readers before the state is freed
 */
void mcnl_devices_exit(void)
{
	ib_unregister_client(&mcnl_client);
	rcu_barrier();	/* the call_rcu()s above: their callback is ours */
}
