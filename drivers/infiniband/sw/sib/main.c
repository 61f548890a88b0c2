// SPDX-License-Identifier: GPL-2.0-only
/*
 * rdma_sib - a software InfiniBand subnet: HCAs, a switch and an SA.
 *
 * No software RDMA device with an InfiniBand link layer exists upstream
 * (rxe is RoCE, siw is iWARP), so IPoIB, SA multicast joins and IB
 * multicast semantics cannot run without hardware. rdma_sib is their
 * netdevsim: one module instance is one subnet of N single-port HCAs
 * (sib0, sib1, ...) behind one switch, with a virtual subnet manager at
 * LID 1 whose SA answers ClassPortInfo, MCMemberRecord and PathRecord
 * queries, in a "modern" or a "legacy" (OpenSM before 3.3.21) personality;
 * or, with sa_mode=opensm, none: an external SM (OpenSM on one of the
 * HCAs) sweeps the subnet through the SMAs of the HCAs and the switch,
 * sets their LIDs and port states and programs the switch's forwarding
 * tables, which the fabric then forwards by.
 * The distribution's own ib_core, ib_mad, ib_sa, ib_cm, ib_umad and
 * ib_ipoib run on it unchanged, IPoIB in datagram and in connected mode
 * (RC QPs, rc.c).
 *
 * Parameters: num_hcas (2), sa_mode (modern; legacy, opensm), hide_block_lb (false: the
 * HCAs advertise IBK_BLOCK_MULTICAST_LOOPBACK and honour the QP flag),
 * port_active_event (true: a PORT_ACTIVE event follows each HCA's
 * registration, as when a port comes up; false: none, as for an HCA whose
 * port was already up when it registered).
 * At run time, /sys/kernel/debug/rdma_sib/ (debugfs.c) holds a file per
 * action (add_hca, del_hca, reregister, smchange), a directory per HCA
 * (lid, guid, state), the SA's personality and ClassPortInfo answer
 * (writable) with its request and error counts, and the group table.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/module.h>
#include <linux/moduleparam.h>
#include <linux/mutex.h>

#include "sib.h"

struct sib_subnet sib_subnet;
DEFINE_MUTEX(sib_lock);		/* the HCA list; add and remove */
LIST_HEAD(sib_hcas);		/* struct sib_dev, under sib_lock */
static DECLARE_BITMAP(sib_used, SIB_MAX_HCAS);
static bool sib_closing;	/* under sib_lock: no HCA is added any more */

static unsigned int num_hcas = 2;
module_param(num_hcas, uint, 0444);
MODULE_PARM_DESC(num_hcas, "HCAs created at load (0-62, default 2)");

static char *sa_mode = "modern";
module_param(sa_mode, charp, 0444);
MODULE_PARM_DESC(sa_mode,
		 "The subnet's SM: the embedded one's SA personality, modern (default) or legacy; or opensm: none, an external SM (OpenSM) manages the subnet");

/* sa_mode=opensm: no embedded SM or SA; set at load, never changed. */
bool sib_sm_external;

bool sib_hide_block_lb;
module_param_named(hide_block_lb, sib_hide_block_lb, bool, 0444);
MODULE_PARM_DESC(hide_block_lb,
		 "Do not offer multicast loopback blocking (IBK_BLOCK_MULTICAST_LOOPBACK)");

unsigned int sib_mft_cap = SIB_MLID_COUNT;
module_param_named(mft_cap, sib_mft_cap, uint, 0444);
MODULE_PARM_DESC(mft_cap,
		 "Multicast LIDs the switch forwards, from 0xc000 (its MulticastFDBCap; 1-16383, default all)");

bool sib_port_active_event = true;
module_param_named(port_active_event, sib_port_active_event, bool, 0444);
MODULE_PARM_DESC(port_active_event,
		 "Dispatch PORT_ACTIVE after an HCA registers (default); 0: its port was up already");

/**
 * sib_add_hca() - add one HCA to the subnet
 *
 * Context: process context.
 * Return: 0 or a negative errno (-ESHUTDOWN once the module is going).
 */
int sib_add_hca(void)
{
	struct sib_dev *sd;
	unsigned int i;
	int ret = 0;

	mutex_lock(&sib_lock);
	if (sib_closing) {
		ret = -ESHUTDOWN;
		goto out;
	}
	i = find_first_zero_bit(sib_used, SIB_MAX_HCAS);
	if (i >= SIB_MAX_HCAS) {
		ret = -ENOSPC;
		goto out;
	}
	sd = sib_dev_create(i);
	if (IS_ERR(sd)) {
		ret = PTR_ERR(sd);
		goto out;
	}
	set_bit(i, sib_used);
	list_add_tail(&sd->list, &sib_hcas);
out:
	mutex_unlock(&sib_lock);
	return ret;
}

static void sib_del_locked(struct sib_dev *sd)
{
	list_del(&sd->list);
	clear_bit(sd->index, sib_used);
	sib_dev_destroy(sd);
}

/**
 * sib_del_hca() - remove HCA @name
 * @name: its device name
 *
 * Return: 0, or -ENODEV when there is no such HCA.
 */
int sib_del_hca(const char *name)
{
	struct sib_dev *sd;
	int ret = -ENODEV;

	mutex_lock(&sib_lock);
	list_for_each_entry(sd, &sib_hcas, list) {
		if (!strcmp(dev_name(&sd->ibdev.dev), name)) {
			sib_del_locked(sd);
			ret = 0;
			break;
		}
	}
	mutex_unlock(&sib_lock);
	return ret;
}

/**
 * sib_port_event() - a port event on HCA @name, or on all
 * @name: a device name, or NULL for every HCA
 * @event: IB_EVENT_CLIENT_REREGISTER (an SM restarted or lost its state) or
 *         IB_EVENT_SM_CHANGE (another SM took over)
 *
 * Return: 0, or -ENODEV when @name matches no HCA.
 */
int sib_port_event(const char *name, enum ib_event_type event)
{
	struct ib_event ev = { .event = event };
	struct sib_dev *sd;
	int ret = name ? -ENODEV : 0;

	mutex_lock(&sib_lock);
	list_for_each_entry(sd, &sib_hcas, list) {
		if (name && strcmp(dev_name(&sd->ibdev.dev), name))
			continue;
		ev.device = &sd->ibdev;
		ev.element.port_num = 1;
		ib_dispatch_event(&ev);
		ret = 0;
	}
	mutex_unlock(&sib_lock);
	return ret;
}

/*
 * Remove every HCA and refuse to add any from now on: add_hca stays until
 * sib_debugfs_exit() removes it, after the HCAs are gone (removing it first
 * would wait for a writer that may be adding an HCA, whose directory needs
 * the lock of the directory being removed from).
 */
static void sib_del_all(void)
{
	struct sib_dev *sd, *n;

	mutex_lock(&sib_lock);
	sib_closing = true;
	list_for_each_entry_safe_reverse(sd, n, &sib_hcas, list)
		sib_del_locked(sd);
	mutex_unlock(&sib_lock);
}

static int __init sib_init(void)
{
	unsigned int i;
	int ret;

	if (num_hcas > SIB_MAX_HCAS) {
		pr_err("num_hcas=%u: at most %d\n", num_hcas, SIB_MAX_HCAS);
		return -EINVAL;
	}
	if (!sib_mft_cap || sib_mft_cap > SIB_MLID_COUNT) {
		pr_err("mft_cap=%u: must be 1-%d\n", sib_mft_cap, SIB_MLID_COUNT);
		return -EINVAL;
	}
	spin_lock_init(&sib_subnet.lock);
	spin_lock_init(&sib_subnet.pkt_lock);
	INIT_LIST_HEAD(&sib_subnet.groups);
	INIT_LIST_HEAD(&sib_subnet.pkts);
	INIT_WORK(&sib_subnet.deliver, sib_fabric_deliver_work);
	/* The first MLID given out is the first of the range, 0xc000. */
	sib_subnet.last_mlid = sib_mft_cap - 1;
	sib_sm_external = sysfs_streq(sa_mode, "opensm");
	if (!sib_sm_external && sib_sa_set_mode(sa_mode)) {
		pr_err("sa_mode=%s: must be modern, legacy or opensm\n", sa_mode);
		return -EINVAL;
	}
	sib_rmpp_init();
	ret = sib_switch_init();
	if (ret)
		return ret;
	sib_subnet.wq = alloc_ordered_workqueue("rdma_sib", WQ_MEM_RECLAIM);
	if (!sib_subnet.wq) {
		ret = -ENOMEM;
		goto err_switch;
	}
	sib_sa_init();
	ret = sib_debugfs_init();
	if (ret)
		goto err_wq;

	for (i = 0; i < num_hcas; i++) {
		ret = sib_add_hca();
		if (ret) {
			pr_err("HCA %u: %d\n", i, ret);
			goto err;
		}
	}
	pr_info("subnet up: %u HCAs, SA %s\n", num_hcas, sib_sa_mode_name());
	return 0;

err:
	/*
	 * As in sib_exit(): no GetTable answer is sent from here on, and an
	 * add_hca write racing with the unwinding adds no HCA once
	 * sib_del_all() has begun, so none outlives the module.
	 */
	sib_rmpp_stop();
	sib_del_all();
	sib_debugfs_exit();
err_wq:
	destroy_workqueue(sib_subnet.wq);
	sib_sa_exit();
err_switch:
	sib_switch_exit();
	return ret;
}

static void __exit sib_exit(void)
{
	sib_rmpp_stop();
	sib_del_all();
	sib_debugfs_exit();
	destroy_workqueue(sib_subnet.wq);
	sib_sa_exit();
	sib_switch_exit();
}

module_init(sib_init);
module_exit(sib_exit);

MODULE_DESCRIPTION("Software InfiniBand HCAs and subnet with an embedded SA");
MODULE_AUTHOR("rdma-backports");
MODULE_LICENSE("GPL");
MODULE_VERSION(RBP_MODULE_VERSION);
RBP_MODULE_INFO();
