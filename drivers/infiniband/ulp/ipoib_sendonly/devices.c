// SPDX-License-Identifier: GPL-2.0-only
/*
 * The devices and ports this module tracks: an ib_client that adds every
 * RDMA device with an IB port that has an SA, the RCU list the kprobe
 * handlers search (by device and port, or by the GID of IPoIB's joins),
 * the port events that make sm_caps.c ask the SM again, and the one log
 * line per port when its effective behaviour changes. Each device's debugfs
 * directory (debugfs.c) is made at add, follows renames, and goes first at
 * remove.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/rculist.h>
#include <linux/slab.h>

#include "ipoib_sendonly.h"

/* Tracked devices: RCU list, changed under ipoib_so_lock. */
LIST_HEAD(ipoib_so_devices);
DEFINE_MUTEX(ipoib_so_lock);	/* writers of ipoib_so_devices; debugfs walks */
struct workqueue_struct *ipoib_so_wq;

/**
 * ipoib_so_find_port() - our state of a device's port
 * @dev: the device
 * @port: the port number
 *
 * Context: under rcu_read_lock() (the kprobe handler) or ipoib_so_lock.
 * Return: the port, or NULL when the device or port is not tracked.
 */
struct ipoib_so_port *ipoib_so_find_port(struct ib_device *dev, u32 port)
{
	struct ipoib_so_dev *d;

	rbp_list_for_each_entry_rcu(d, &ipoib_so_devices, list,
				    lockdep_is_held(&ipoib_so_lock)) {
		if (d->ibdev != dev)
			continue;
		if (port < d->first_port || port >= d->first_port + d->nports)
			return NULL;
		return &d->ports[port - d->first_port];
	}
	return NULL;
}

/**
 * ipoib_so_find_port_by_gid() - the tracked port whose IPoIB joins name @gid
 * @gid: a PortGID from a join record
 *
 * Context: under rcu_read_lock() (kprobe handlers).
 * Return: the port, or NULL when no IPoIB send-only join named @gid yet.
 */
struct ipoib_so_port *ipoib_so_find_port_by_gid(const union ib_gid *gid)
{
	struct ipoib_so_dev *d;
	u32 i;

	list_for_each_entry_rcu(d, &ipoib_so_devices, list) {
		for (i = 0; i < d->nports; i++) {
			struct ipoib_so_port *p = &d->ports[i];

			if (READ_ONCE(p->gid_guid) == gid->global.interface_id &&
			    READ_ONCE(p->gid_prefix) == gid->global.subnet_prefix)
				return p;
		}
	}
	return NULL;
}

/**
 * ipoib_so_report() - one pr_info line when a port's effective behaviour changes
 * @p: the port
 *
 * Context: process context (log work); never per join.
 */
void ipoib_so_report(struct ipoib_so_port *p)
{
	struct ipoib_so_decision d = ipoib_so_decide(p, atomic_read(&p->native));
	int key;

	/* Inert (state 0): one line per policy, whatever IPoIB asks for. */
	if (!d.state)
		key = 1 | ipoib_so_get_policy() << 1;
	else
		key = (d.state << 8) | atomic_read(&p->native) << 1 |
		      atomic_read(&p->legacy) << 16;
	if (key == p->logged)
		return;
	p->logged = key;
	pr_info("%s port %u: SM %s%s, policy %s: %s\n", p->dev->ibdev->name,
		p->port, ipoib_so_cap_name(atomic_read(&p->cap)),
		atomic_read(&p->legacy) ? " (refused SendOnlyFullMember)" : "",
		ipoib_so_policy_name(ipoib_so_get_policy()), d.why);
}

static void ipoib_so_log_work(struct work_struct *work)
{
	ipoib_so_report(container_of(work, struct ipoib_so_port, log_work));
}

static void ipoib_so_log_kicked(struct irq_work *work)
{
	queue_work(ipoib_so_wq, &container_of(work, struct ipoib_so_port, log_kick)->log_work);
}

static void ipoib_so_event(struct ib_event_handler *h, struct ib_event *ev)
{
	struct ipoib_so_dev *d = container_of(h, struct ipoib_so_dev, events);
	u32 port = ev->element.port_num;

	if (port < d->first_port || port >= d->first_port + d->nports)
		return;
	switch (ev->event) {
	case IB_EVENT_SM_CHANGE:
		ipoib_so_new_sm(&d->ports[port - d->first_port]);
		break;
	case IB_EVENT_CLIENT_REREGISTER:
	case IB_EVENT_LID_CHANGE:
	case IB_EVENT_PORT_ACTIVE:
		ipoib_so_relearn(&d->ports[port - d->first_port]);
		break;
	default:
		break;
	}
}

static void ipoib_so_port_stop(struct ipoib_so_port *p)
{
	ipoib_so_caps_port_stop(p);
	irq_work_sync(&p->log_kick);
	cancel_work_sync(&p->log_work);
}

static struct ib_client ipoib_so_client;

static int ipoib_so_add_one(struct ib_device *dev)
{
	u32 first = rdma_start_port(dev), n = rdma_end_port(dev) - first + 1;
	struct ipoib_so_dev *d;
	bool any = false;
	u32 i;

	d = kzalloc(struct_size(d, ports, n), GFP_KERNEL);
	if (!d)
		return -ENOMEM;
	d->ibdev = dev;
	d->first_port = first;
	d->nports = n;
	for (i = 0; i < n; i++) {
		struct ipoib_so_port *p = &d->ports[i];

		p->dev = d;
		p->port = first + i;
		p->logged = -1;
		INIT_WORK(&p->log_work, ipoib_so_log_work);
		init_irq_work(&p->log_kick, ipoib_so_log_kicked);
		if (ipoib_so_caps_port_init(p))
			any = true;
	}
	if (!any) {
		kfree(d);
		return -EOPNOTSUPP;	/* no IB port with an SA: not ours */
	}

	INIT_IB_EVENT_HANDLER(&d->events, dev, ipoib_so_event);
	ib_register_event_handler(&d->events);
	mutex_lock(&ipoib_so_lock);
	list_add_tail_rcu(&d->list, &ipoib_so_devices);
	mutex_unlock(&ipoib_so_lock);
	ib_set_client_data(dev, &ipoib_so_client, d);
	ipoib_so_debugfs_add_dev(d);
	for (i = 0; i < n; i++)
		ipoib_so_relearn(&d->ports[i]);
	return 0;
}

static void ipoib_so_remove_one(struct ib_device *dev, void *data)
{
	struct ipoib_so_dev *d = data;
	u32 i;

	if (!d)		/* add() declined the device */
		return;
	/* First: the files' readers are gone before anything is torn down. */
	ipoib_so_debugfs_remove_dev(d);
	ib_unregister_event_handler(&d->events);
	mutex_lock(&ipoib_so_lock);
	list_del_rcu(&d->list);
	mutex_unlock(&ipoib_so_lock);
	/* No kprobe handler still looks at the ports after this. */
	synchronize_rcu();
	for (i = 0; i < d->nports; i++)
		ipoib_so_port_stop(&d->ports[i]);
	kfree(d);
}

/*
 * The device has a new name: so has its debugfs directory. Called by the
 * RDMA core with its devices_rwsem held for reading, never at the same time
 * as add or remove for this device (see ipoib_sendonly.h); kernels without
 * ib_client.rename (RHEL 7.9) keep the name the device had when added.
 */
static void __maybe_unused ipoib_so_rename_one(struct ib_device *dev, void *data)
{
	struct ipoib_so_dev *d = data;

	if (d)
		ipoib_so_debugfs_rename_dev(d);
}

RBP_IB_CLIENT_ADD_WRAPPER(ipoib_so_add_one);

static struct ib_client ipoib_so_client = {
	.name = "ipoib_sendonly",
	.add = RBP_IB_CLIENT_ADD(ipoib_so_add_one),
	.remove = ipoib_so_remove_one,
	RBP_IB_CLIENT_RENAME(ipoib_so_rename_one)
};

/**
 * ipoib_so_devices_init() - start tracking every IB device, present and future
 *
 * Return: 0 or a negative errno.
 */
int ipoib_so_devices_init(void)
{
	return ib_register_client(&ipoib_so_client);
}

/**
 * ipoib_so_devices_exit() - stop tracking; all queries and work are finished after
 */
void ipoib_so_devices_exit(void)
{
	ib_unregister_client(&ipoib_so_client);
}
