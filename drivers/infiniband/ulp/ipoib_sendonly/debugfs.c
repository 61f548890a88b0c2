// SPDX-License-Identifier: GPL-2.0-only
/*
 * /sys/kernel/debug/ipoib_sendonly/:
 *
 *   status                  (read) the module's state, in words
 *   relearn                 (write 1) ask every port's SM again
 *   ports/<device>/<port>/  one directory per IB port with an SA, one value
 *                           per file: the files named in ipoib_so_fields[]
 *
 * What each shows: see Documentation/ipoib_sendonly.rst.
 *
 * A device's directory is made by the ib_client's add (devices.c), made
 * again under the new name when the device is renamed, and removed by its
 * remove before its state is freed. debugfs_remove_recursive() waits for
 * the reads of the files still running, so a file's show never sees a
 * freed port. The show functions take no lock but the port's spinlock:
 * neither the RDMA core's locks, held around the callbacks that remove
 * them, nor ipoib_so_lock.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include "ipoib_sendonly.h"

#include <linux/debugfs.h>
#include <linux/kernel.h>
#include <linux/seq_file.h>
#include <linux/slab.h>
#include <linux/stddef.h>

static struct dentry *ipoib_so_debugfs;
static struct dentry *ipoib_so_ports_dir;

/**
 * struct ipoib_so_field - a file of a port's directory
 * @name: the file's name
 * @show: prints the value and a newline
 * @off: for ipoib_so_show_counter(): the atomic_long_t counter's offset in
 *       struct ipoib_so_port
 */
struct ipoib_so_field {
	const char *name;
	void (*show)(struct seq_file *m, struct ipoib_so_port *p,
		     const struct ipoib_so_field *f);
	size_t off;
};

/**
 * struct ipoib_so_port_file - what one file shows: a field of a port
 * @port: the port
 * @field: the field
 */
struct ipoib_so_port_file {
	struct ipoib_so_port *port;
	const struct ipoib_so_field *field;
};

static void ipoib_so_show_sm_lid(struct seq_file *m, struct ipoib_so_port *p,
				 const struct ipoib_so_field *f)
{
	seq_printf(m, "0x%x\n", READ_ONCE(p->sm_lid));
}

static void ipoib_so_show_sm_cap(struct seq_file *m, struct ipoib_so_port *p,
				 const struct ipoib_so_field *f)
{
	seq_printf(m, "%s\n", ipoib_so_cap_name(atomic_read(&p->cap)));
}

static void ipoib_so_show_legacy(struct seq_file *m, struct ipoib_so_port *p,
				 const struct ipoib_so_field *f)
{
	seq_printf(m, "%d\n", atomic_read(&p->legacy));
}

static void ipoib_so_show_learned(struct seq_file *m, struct ipoib_so_port *p,
				  const struct ipoib_so_field *f)
{
	unsigned long flags;
	time64_t learned;

	spin_lock_irqsave(&p->lock, flags);
	learned = p->learned;
	spin_unlock_irqrestore(&p->lock, flags);
	if (!learned) {
		seq_puts(m, "never\n");
		return;
	}
	/* Wall-clock seconds: a clock set back is not the future. */
	seq_printf(m, "%lld s ago\n",
		   (long long)max_t(time64_t, rbp_real_seconds() - learned, 0));
}

static void ipoib_so_show_status(struct seq_file *m, struct ipoib_so_port *p,
				 const struct ipoib_so_field *f)
{
	unsigned long flags;
	int status;

	spin_lock_irqsave(&p->lock, flags);
	status = p->status;
	spin_unlock_irqrestore(&p->lock, flags);
	seq_printf(m, "%d\n", status);
}

static void ipoib_so_show_queries(struct seq_file *m, struct ipoib_so_port *p,
				  const struct ipoib_so_field *f)
{
	seq_printf(m, "%u\n", READ_ONCE(p->queries));
}

static void ipoib_so_show_native(struct seq_file *m, struct ipoib_so_port *p,
				 const struct ipoib_so_field *f)
{
	seq_printf(m, "0x%x\n", atomic_read(&p->native));
}

static void ipoib_so_show_effective(struct seq_file *m, struct ipoib_so_port *p,
				    const struct ipoib_so_field *f)
{
	seq_printf(m, "0x%x\n", ipoib_so_decide(p, atomic_read(&p->native)).state);
}

static void ipoib_so_show_counter(struct seq_file *m, struct ipoib_so_port *p,
				  const struct ipoib_so_field *f)
{
	atomic_long_t *counter = (void *)p + f->off;

	seq_printf(m, "%ld\n", atomic_long_read(counter));
}

/* A port's files, in the order the documentation lists them. */
static const struct ipoib_so_field ipoib_so_fields[] = {
	{ "sm_lid", ipoib_so_show_sm_lid },
	{ "sm_cap", ipoib_so_show_sm_cap },
	{ "legacy", ipoib_so_show_legacy },
	{ "learned", ipoib_so_show_learned },
	{ "status", ipoib_so_show_status },
	{ "queries", ipoib_so_show_queries },
	{ "native", ipoib_so_show_native },
	{ "effective", ipoib_so_show_effective },
	{ "seen", ipoib_so_show_counter, offsetof(struct ipoib_so_port, seen) },
	{ "sendonly", ipoib_so_show_counter, offsetof(struct ipoib_so_port, sendonly) },
	{ "rewritten", ipoib_so_show_counter, offsetof(struct ipoib_so_port, rewritten) },
	{ "left_alone", ipoib_so_show_counter, offsetof(struct ipoib_so_port, left_alone) },
	{ "refused", ipoib_so_show_counter, offsetof(struct ipoib_so_port, refused) },
};

#define IPOIB_SO_NFIELDS	ARRAY_SIZE(ipoib_so_fields)

static int ipoib_so_port_file_show(struct seq_file *m, void *v)
{
	const struct ipoib_so_port_file *pf = m->private;

	pf->field->show(m, pf->port, pf->field);
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(ipoib_so_port_file);

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

/*
 * A directory to create files in. Old kernels return NULL on failure, and
 * a NULL parent is debugfs' top: nothing of ours goes there.
 */
static bool ipoib_so_debugfs_usable(struct dentry *dir)
{
	return !IS_ERR_OR_NULL(dir);
}

/* ports/<device name>/<port>/<field>, for every port with an SA. */
static void ipoib_so_debugfs_create_dev(struct ipoib_so_dev *d)
{
	char name[11];	/* a u32 in decimal */
	u32 i, j;

	d->debugfs = debugfs_create_dir(d->ibdev->name, ipoib_so_ports_dir);
	if (!ipoib_so_debugfs_usable(d->debugfs))
		return;
	for (i = 0; i < d->nports; i++) {
		struct ipoib_so_port_file *pf = &d->files[i * IPOIB_SO_NFIELDS];
		struct dentry *dir;

		if (!d->ports[i].agent)
			continue;
		snprintf(name, sizeof(name), "%u", d->ports[i].port);
		dir = debugfs_create_dir(name, d->debugfs);
		if (!ipoib_so_debugfs_usable(dir))
			continue;
		for (j = 0; j < IPOIB_SO_NFIELDS; j++)
			debugfs_create_file(pf[j].field->name, 0444, dir, &pf[j],
					    &ipoib_so_port_file_fops);
	}
}

/**
 * ipoib_so_debugfs_add_dev() - the directory of a device and its ports
 * @d: the device, its ports set up
 *
 * Failures are not fatal: the device is then tracked without files.
 *
 * Context: process context, the ib_client's add.
 */
void ipoib_so_debugfs_add_dev(struct ipoib_so_dev *d)
{
	u32 i, j;

	if (!ipoib_so_debugfs_usable(ipoib_so_ports_dir))
		return;
	d->files = kcalloc(d->nports * IPOIB_SO_NFIELDS, sizeof(*d->files), GFP_KERNEL);
	if (!d->files)
		return;
	for (i = 0; i < d->nports; i++) {
		for (j = 0; j < IPOIB_SO_NFIELDS; j++) {
			struct ipoib_so_port_file *pf = &d->files[i * IPOIB_SO_NFIELDS + j];

			pf->port = &d->ports[i];
			pf->field = &ipoib_so_fields[j];
		}
	}
	ipoib_so_debugfs_create_dev(d);
}

/**
 * ipoib_so_debugfs_rename_dev() - the device's directory under its new name
 * @d: the device, renamed
 *
 * Removed and made again: the files' readers are waited for, as at remove.
 *
 * Context: process context, the ib_client's rename (the RDMA core holds its
 * devices_rwsem for reading: nothing here takes it).
 */
void ipoib_so_debugfs_rename_dev(struct ipoib_so_dev *d)
{
	debugfs_remove_recursive(d->debugfs);
	d->debugfs = NULL;
	if (d->files)
		ipoib_so_debugfs_create_dev(d);
}

/**
 * ipoib_so_debugfs_remove_dev() - remove the device's directory
 * @d: the device
 *
 * No read of its files is running after this.
 *
 * Context: process context, the ib_client's remove, before @d is freed.
 */
void ipoib_so_debugfs_remove_dev(struct ipoib_so_dev *d)
{
	debugfs_remove_recursive(d->debugfs);
	d->debugfs = NULL;
	kfree(d->files);
	d->files = NULL;
}

/**
 * ipoib_so_debugfs_init() - create the directory (debugfs errors are not fatal)
 *
 * Context: before ipoib_so_devices_init(), which adds the devices' directories.
 */
void ipoib_so_debugfs_init(void)
{
	ipoib_so_debugfs = debugfs_create_dir(KBUILD_MODNAME, NULL);
	if (!ipoib_so_debugfs_usable(ipoib_so_debugfs))
		return;
	debugfs_create_file("status", 0444, ipoib_so_debugfs, NULL, &ipoib_so_status_fops);
	debugfs_create_file("relearn", 0200, ipoib_so_debugfs, NULL, &ipoib_so_relearn_fops);
	ipoib_so_ports_dir = debugfs_create_dir("ports", ipoib_so_debugfs);
}

/**
 * ipoib_so_debugfs_exit() - remove it
 *
 * Context: after ipoib_so_devices_exit(), which removed the devices' directories.
 */
void ipoib_so_debugfs_exit(void)
{
	debugfs_remove_recursive(ipoib_so_debugfs);
	ipoib_so_debugfs = NULL;
	ipoib_so_ports_dir = NULL;
}
