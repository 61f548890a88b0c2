// SPDX-License-Identifier: GPL-2.0-only
/*
 * /sys/kernel/debug/rdma_sib/, one value per file, a file per action:
 *
 *   add_hca        write 1: one more HCA
 *   del_hca        write an HCA's name: remove it
 *   reregister     write an HCA's name, or "all" (or an empty line) for
 *                  every HCA: a client re-register event on its port
 *   smchange       the same, an SM change event
 *   hold           1: hold the switch, as a link starved of credits:
 *                  sends stay queued and keep their send queue slots;
 *                  0: deliver them. Reads the value in force.
 *   <hca>/lid      the port's LID, decimal
 *   <hca>/guid     the port GUID, 16 hex digits
 *   <hca>/state    the port state: ACTIVE, or as an external SM set it
 *                  (INIT, ARMED)
 *   sa/personality             modern or legacy; write one to switch
 *   sa/class_port_info_answer  answer, refuse, opa, busy or drop; writable
 *   sa/<attr>/requests, errors per attribute: class_port_info,
 *                  mc_member_record, path_record, node_record,
 *                  port_info_record, sm_info_record, other
 *   sa/get_table/  tables, segments, resent, aborted: RMPP answers
 *   switch/smp_answered, smp_forwarded, smp_dropped: the SMPs the
 *                  switch's SMA answered, passed on by directed route,
 *                  and discarded (switch.c)
 *   groups         the one table: a line per multicast group (MGID, MLID,
 *                  P_Key, Q_Key), then a line per member (port GID and
 *                  JoinState). Groups come and go with SA traffic, in
 *                  delivery under a spinlock: a directory per group would
 *                  have to be made from a work, behind the SA's answer.
 *
 * Bad input to a writable file: -EINVAL and a rate-limited log line naming
 * the file, the input and what it takes; an unknown HCA: -ENODEV. A port's
 * packet, byte and drop counters are RDMA hw counters (counters.c).
 *
 * <hca>/ is made and removed by a small ib_client of our own: when the HCA
 * registers, and when it unregisters, before it is freed (removing the
 * directory waits for its readers). Where ib_client.rename() exists the
 * directory follows a rename (rdma dev set sib1 name NEW); elsewhere it
 * keeps the name the HCA registered with.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/debugfs.h>
#include <linux/seq_file.h>
#include <linux/slab.h>

#include "sib.h"

#define SIB_DBG_INPUT_MAX	64

static struct dentry *sib_debugfs;
static struct ib_client sib_dbg_client;

/* One HCA's directory. */

static int sib_lid_show(struct seq_file *m, void *v)
{
	struct sib_dev *sd = m->private;

	seq_printf(m, "%u\n", sd->lid);
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(sib_lid);

static int sib_guid_show(struct seq_file *m, void *v)
{
	struct sib_dev *sd = m->private;

	seq_printf(m, "%016llx\n", be64_to_cpu(sd->guid));
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(sib_guid);

static int sib_state_show(struct seq_file *m, void *v)
{
	struct sib_dev *sd = m->private;

	static const char * const names[] = {
		[IB_PORT_DOWN] = "DOWN", [IB_PORT_INIT] = "INIT",
		[IB_PORT_ARMED] = "ARMED", [IB_PORT_ACTIVE] = "ACTIVE",
	};
	enum ib_port_state state = READ_ONCE(sd->state);

	seq_printf(m, "%s\n", state < ARRAY_SIZE(names) && names[state] ?
		   names[state] : "?");
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(sib_state);

static void sib_dbg_hca_create(struct sib_dev *sd)
{
	struct dentry *d;

	d = debugfs_create_dir(dev_name(&sd->ibdev.dev), sib_debugfs);
	debugfs_create_file("lid", 0444, d, sd, &sib_lid_fops);
	debugfs_create_file("guid", 0444, d, sd, &sib_guid_fops);
	debugfs_create_file("state", 0444, d, sd, &sib_state_fops);
	sd->dbg = d;
}

/*
 * ib_core calls these with a device's registration, unregistration and
 * rename serialised against each other, so sd->dbg needs no lock of ours.
 * None may take sib_lock: it is held around ib_register_device() and
 * ib_unregister_device(), which wait for the RDMA core's devices_rwsem,
 * held (read) around these callbacks.
 */
static int sib_dbg_add_one(struct ib_device *ibdev)
{
	struct sib_dev *sd;

	if (ibdev->ops.owner != THIS_MODULE)
		return -EOPNOTSUPP;	/* not an rdma_sib HCA */
	sd = to_sdev(ibdev);
	sib_dbg_hca_create(sd);
	ib_set_client_data(ibdev, &sib_dbg_client, sd);
	return 0;
}

static void sib_dbg_remove_one(struct ib_device *ibdev, void *data)
{
	struct sib_dev *sd = data;

	if (!sd)		/* add() declined the device */
		return;
	debugfs_remove_recursive(sd->dbg);
	sd->dbg = NULL;
}

static void __maybe_unused sib_dbg_rename(struct ib_device *ibdev, void *data)
{
	struct sib_dev *sd = data;

	if (!sd)
		return;
	/* Made anew: debugfs_rename()'s signature is not the same everywhere. */
	debugfs_remove_recursive(sd->dbg);
	sib_dbg_hca_create(sd);
}

RBP_IB_CLIENT_ADD_WRAPPER(sib_dbg_add_one);

static struct ib_client sib_dbg_client = {
	.name = "rdma_sib",
	.add = RBP_IB_CLIENT_ADD(sib_dbg_add_one),
	.remove = sib_dbg_remove_one,
	RBP_IB_CLIENT_RENAME(sib_dbg_rename)
};

/* The group table. */

static int sib_groups_show(struct seq_file *m, void *v)
{
	struct sib_member *mb;
	struct sib_group *g;

	spin_lock_irq(&sib_subnet.lock);
	list_for_each_entry(g, &sib_subnet.groups, list) {
		seq_printf(m, "group %pI6 mlid 0x%04x pkey 0x%04x qkey 0x%08x%s\n",
			   g->mgid.raw, g->mlid, g->pkey, g->qkey,
			   g->permanent ? " permanent" : "");
		list_for_each_entry(mb, &g->members, list)
			seq_printf(m, "  member %pI6 join_state 0x%x\n",
				   mb->port_gid.raw, mb->join_state);
	}
	spin_unlock_irq(&sib_subnet.lock);
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(sib_groups);

/* sa/<attr>/requests and errors: an atomic64_t each. */
static int sib_counter_show(struct seq_file *m, void *v)
{
	atomic64_t *c = m->private;

	seq_printf(m, "%lld\n", atomic64_read(c));
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(sib_counter);

/*
 * The writable files. Each write is one value of at most SIB_DBG_INPUT_MAX
 * bytes, blanks around it ignored; readable ones print the value in force.
 */
struct sib_dbg_ctl {
	const char *name;		/* for messages: the path under rdma_sib/ */
	const char *takes;		/* what it takes, for messages */
	int (*set)(const char *arg);	/* 0, -EINVAL, -ENODEV or another errno */
	const char *(*get)(void);	/* NULL: write only */
};

static int sib_ctl_add_hca(const char *arg)
{
	return strcmp(arg, "1") ? -EINVAL : sib_add_hca();
}

static int sib_ctl_del_hca(const char *arg)
{
	return *arg ? sib_del_hca(arg) : -EINVAL;
}

/* "all" or nothing: every HCA. */
static const char *sib_ctl_hca(const char *arg)
{
	return !*arg || !strcmp(arg, "all") ? NULL : arg;
}

static int sib_ctl_reregister(const char *arg)
{
	return sib_port_event(sib_ctl_hca(arg), IB_EVENT_CLIENT_REREGISTER);
}

static int sib_ctl_smchange(const char *arg)
{
	return sib_port_event(sib_ctl_hca(arg), IB_EVENT_SM_CHANGE);
}

static const struct sib_dbg_ctl sib_ctl_files[] = {
	{ "add_hca", "1 (adds an HCA)", sib_ctl_add_hca },
	{ "del_hca", "the name of an HCA to remove, e.g. sib1", sib_ctl_del_hca },
	{ "reregister", "the name of an HCA, or all", sib_ctl_reregister },
	{ "smchange", "the name of an HCA, or all", sib_ctl_smchange },
};

static int sib_ctl_set_hold(const char *arg)
{
	if (strcmp(arg, "0") && strcmp(arg, "1"))
		return -EINVAL;
	sib_fabric_hold(*arg == '1');
	return 0;
}

static const char *sib_ctl_get_hold(void)
{
	return sib_fabric_held() ? "1" : "0";
}

static const struct sib_dbg_ctl sib_ctl_hold = {
	"hold", "1 (hold the switch) or 0 (release it)",
	sib_ctl_set_hold, sib_ctl_get_hold,
};

static const struct sib_dbg_ctl sib_ctl_personality = {
	"sa/personality", "one of: modern, legacy",
	sib_sa_set_mode, sib_sa_mode_name,
};

static const struct sib_dbg_ctl sib_ctl_cpi = {
	"sa/class_port_info_answer", "one of: answer, refuse, opa, busy, drop",
	sib_sa_set_cpi, sib_sa_cpi_name,
};

static int sib_ctl_show(struct seq_file *m, void *v)
{
	const struct sib_dbg_ctl *ctl = m->private;

	if (ctl->get)
		seq_printf(m, "%s\n", ctl->get());
	return 0;
}

static int sib_ctl_open(struct inode *inode, struct file *file)
{
	return single_open(file, sib_ctl_show, inode->i_private);
}

static ssize_t sib_ctl_write(struct file *file, const char __user *ubuf,
			     size_t count, loff_t *ppos)
{
	const struct sib_dbg_ctl *ctl = file_inode(file)->i_private;
	char *buf, *arg;
	int ret;

	if (count > SIB_DBG_INPUT_MAX) {
		pr_err_ratelimited("%s: %zu bytes written, at most %d: write %s\n",
				   ctl->name, count, SIB_DBG_INPUT_MAX, ctl->takes);
		return -EINVAL;
	}
	buf = memdup_user_nul(ubuf, count);
	if (IS_ERR(buf))
		return PTR_ERR(buf);
	arg = strim(buf);
	ret = ctl->set(arg);
	if (ret == -EINVAL)
		pr_err_ratelimited("%s: '%s' refused: write %s\n",
				   ctl->name, arg, ctl->takes);
	else if (ret == -ENODEV)
		pr_err_ratelimited("%s: '%s': no such HCA\n", ctl->name, arg);
	else if (ret)
		pr_err_ratelimited("%s: '%s' failed: %d\n", ctl->name, arg, ret);
	kfree(buf);
	return ret ? ret : count;
}

static const struct file_operations sib_ctl_fops = {
	.owner = THIS_MODULE,
	.open = sib_ctl_open,
	.read = seq_read,
	.write = sib_ctl_write,
	.llseek = seq_lseek,
	.release = single_release,
};

/* A read-only file per counter of @c (@n of them) in @dir. */
struct sib_dbg_counter {
	const char *name;
	atomic64_t *count;
};

static void sib_dbg_counters(struct dentry *dir,
			     const struct sib_dbg_counter *c, unsigned int n)
{
	unsigned int i;

	for (i = 0; i < n; i++)
		debugfs_create_file(c[i].name, 0444, dir, c[i].count,
				    &sib_counter_fops);
}

static void sib_dbg_sa_create(void)
{
	static const char * const attrs[] = {
		[SIB_SA_CPI] = "class_port_info",
		[SIB_SA_MCM] = "mc_member_record",
		[SIB_SA_PATH] = "path_record",
		[SIB_SA_NODE] = "node_record",
		[SIB_SA_PORT] = "port_info_record",
		[SIB_SA_SM] = "sm_info_record",
		[SIB_SA_OTHER] = "other",
	};
	static const struct sib_dbg_counter rmpp[] = {
		{ "tables", &sib_subnet.rmpp_stats.tables },
		{ "segments", &sib_subnet.rmpp_stats.segments },
		{ "resent", &sib_subnet.rmpp_stats.resent },
		{ "aborted", &sib_subnet.rmpp_stats.aborted },
	};
	struct dentry *sa, *d;
	int i;

	BUILD_BUG_ON(ARRAY_SIZE(attrs) != ARRAY_SIZE(sib_subnet.sa.requests));
	sa = debugfs_create_dir("sa", sib_debugfs);
	debugfs_create_file("personality", 0644, sa,
			    (void *)&sib_ctl_personality, &sib_ctl_fops);
	debugfs_create_file("class_port_info_answer", 0644, sa,
			    (void *)&sib_ctl_cpi, &sib_ctl_fops);
	for (i = 0; i < ARRAY_SIZE(attrs); i++) {
		d = debugfs_create_dir(attrs[i], sa);
		debugfs_create_file("requests", 0444, d,
				    &sib_subnet.sa.requests[i], &sib_counter_fops);
		debugfs_create_file("errors", 0444, d,
				    &sib_subnet.sa.errors[i], &sib_counter_fops);
	}
	d = debugfs_create_dir("get_table", sa);
	sib_dbg_counters(d, rmpp, ARRAY_SIZE(rmpp));
}

static void sib_dbg_switch_create(void)
{
	static const struct sib_dbg_counter smp[] = {
		{ "smp_answered", &sib_subnet.sw.answered },
		{ "smp_forwarded", &sib_subnet.sw.forwarded },
		{ "smp_dropped", &sib_subnet.sw.dropped },
	};

	sib_dbg_counters(debugfs_create_dir("switch", sib_debugfs), smp,
			 ARRAY_SIZE(smp));
}

/**
 * sib_debugfs_init() - create the directory, and the client that gives each
 * HCA its own in it (debugfs errors are not fatal)
 *
 * Context: process context, before any HCA is added.
 * Return: 0, or ib_register_client()'s error.
 */
int sib_debugfs_init(void)
{
	int i, ret;

	sib_debugfs = debugfs_create_dir(KBUILD_MODNAME, NULL);
	ret = ib_register_client(&sib_dbg_client);
	if (ret) {
		debugfs_remove_recursive(sib_debugfs);
		return ret;
	}
	for (i = 0; i < ARRAY_SIZE(sib_ctl_files); i++)
		debugfs_create_file(sib_ctl_files[i].name, 0200, sib_debugfs,
				    (void *)&sib_ctl_files[i], &sib_ctl_fops);
	debugfs_create_file("hold", 0644, sib_debugfs, (void *)&sib_ctl_hold,
			    &sib_ctl_fops);
	debugfs_create_file("groups", 0444, sib_debugfs, NULL, &sib_groups_fops);
	sib_dbg_sa_create();
	sib_dbg_switch_create();
	return 0;
}

/**
 * sib_debugfs_exit() - remove it all; waits for readers and writers inside
 *
 * Context: after the last HCA is gone and no more can be added (an add_hca
 * writer still inside would make a directory here, under the lock that
 * removing add_hca holds while it waits for that writer).
 */
void sib_debugfs_exit(void)
{
	ib_unregister_client(&sib_dbg_client);
	debugfs_remove_recursive(sib_debugfs);
}
