// SPDX-License-Identifier: GPL-2.0-only
/*
 * /sys/kernel/debug/ipoib_sendonly/: the files status and ports (read) and
 * relearn (write 1: ask every port's SM again). What each shows: see
 * Documentation/ipoib_sendonly.rst.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include "ipoib_sendonly.h"

#include <linux/debugfs.h>
#include <linux/seq_file.h>

static struct dentry *ipoib_so_debugfs;

static int ipoib_so_status_show(struct seq_file *m, void *v)
{
	long misencoded = ipoib_so_misencoded_seen();

	seq_printf(m, "policy: %s\n", ipoib_so_policy_name(ipoib_so_get_policy()));
	seq_printf(m, "ipoib_sa_client: %s\n", ipoib_so_ipoib_resolved() ?
		   "found (recognised at a join IPoIB made)" :
		   "not seen (no IPoIB join since ib_ipoib was loaded, or it is not loaded)");
	seq_puts(m, "kernel: ");
	if (ipoib_so_kernel_decides())
		seq_puts(m,
			 "IPoIB uses SendOnlyFullMember unless the SM is known to lack it (auto is inert)\n");
	else if (misencoded)
		seq_puts(m,
			 "IPoIB sends SendOnlyFullMember as 0x3 (those joins follow the policy)\n");
	else
		seq_puts(m, "IPoIB does not ask the SM before a send-only join\n");
	seq_printf(m, "misencoded: %ld send-only joins with JoinState 0x%lx (FullMember|NonMember for SendOnlyFullMember)\n",
		   misencoded, IPOIB_SO_JOIN_MISENCODED);
	seq_puts(m, "hook: kprobe on ib_sa_join_multicast\n");
	seq_printf(m, "refusals: %s\n", ipoib_so_refusals_armed() ?
		   "kprobe on ipoib_mcast_join_complete" :
		   "not probed (IPoIB not seen yet)");
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(ipoib_so_status);

static int ipoib_so_ports_show(struct seq_file *m, void *v)
{
	struct ipoib_so_dev *d;
	u32 i;

	seq_puts(m, "device port sm_lid sm_cap legacy learned status queries native effective seen sendonly rewritten left_alone refused\n");
	mutex_lock(&ipoib_so_lock);
	list_for_each_entry(d, &ipoib_so_devices, list) {
		for (i = 0; i < d->nports; i++) {
			struct ipoib_so_port *p = &d->ports[i];
			unsigned long flags;
			time64_t learned;
			int status;
			u8 target;

			if (!p->agent)
				continue;
			spin_lock_irqsave(&p->lock, flags);
			learned = p->learned;
			status = p->status;
			spin_unlock_irqrestore(&p->lock, flags);
			target = ipoib_so_decide(p, atomic_read(&p->native)).state;
			seq_printf(m, "%s %u 0x%x %s %d %lld %d %u 0x%x 0x%x %ld %ld %ld %ld %ld\n",
				   d->ibdev->name, p->port,
				   READ_ONCE(p->sm_lid),
				   ipoib_so_cap_name(atomic_read(&p->cap)),
				   atomic_read(&p->legacy),
				   (long long)learned, status,
				   READ_ONCE(p->queries), atomic_read(&p->native),
				   target, atomic_long_read(&p->seen),
				   atomic_long_read(&p->sendonly),
				   atomic_long_read(&p->rewritten),
				   atomic_long_read(&p->left_alone),
				   atomic_long_read(&p->refused));
		}
	}
	mutex_unlock(&ipoib_so_lock);
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(ipoib_so_ports);

static ssize_t ipoib_so_relearn_write(struct file *file, const char __user *ubuf,
				      size_t count, loff_t *ppos)
{
	bool yes;
	int ret;

	ret = kstrtobool_from_user(ubuf, count, &yes);
	if (ret || !yes) {
		pr_err_ratelimited("relearn: write 1 to ask every SM again\n");
		return -EINVAL;
	}
	ipoib_so_relearn_all();
	return count;
}

static const struct file_operations ipoib_so_relearn_fops = {
	.owner = THIS_MODULE,
	.open = simple_open,
	.write = ipoib_so_relearn_write,
	.llseek = noop_llseek,
};

/**
 * ipoib_so_debugfs_init() - create the directory (debugfs errors are not fatal)
 */
void ipoib_so_debugfs_init(void)
{
	ipoib_so_debugfs = debugfs_create_dir(KBUILD_MODNAME, NULL);
	debugfs_create_file("status", 0444, ipoib_so_debugfs, NULL, &ipoib_so_status_fops);
	debugfs_create_file("ports", 0444, ipoib_so_debugfs, NULL, &ipoib_so_ports_fops);
	debugfs_create_file("relearn", 0200, ipoib_so_debugfs, NULL, &ipoib_so_relearn_fops);
}

/**
 * ipoib_so_debugfs_exit() - remove it
 */
void ipoib_so_debugfs_exit(void)
{
	debugfs_remove_recursive(ipoib_so_debugfs);
}
