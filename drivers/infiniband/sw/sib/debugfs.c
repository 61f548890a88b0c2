// SPDX-License-Identifier: GPL-2.0-only
/*
 * /sys/kernel/debug/rdma_sib/:
 *
 *   control  write a command (see main.c); bad input: -EINVAL and a message
 *   ports    one line per HCA: name, LID, port GUID, state (its packet,
 *            byte and drop counters are RDMA hw counters: counters.c)
 *   groups   one line per multicast group (MGID, MLID, P_Key, Q_Key), then
 *            one line per member: port GID and JoinState
 *   sa       personality, then requests and errors per attribute
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/debugfs.h>
#include <linux/seq_file.h>
#include <linux/slab.h>

#include "sib.h"

static struct dentry *sib_debugfs;

static void sib_show_port(struct seq_file *m, struct sib_dev *sd)
{
	seq_printf(m, "%s lid %u guid %016llx state ACTIVE\n",
		   dev_name(&sd->ibdev.dev), sd->lid, be64_to_cpu(sd->guid));
}

static int sib_ports_show(struct seq_file *m, void *v)
{
	struct sib_dev *sd;

	mutex_lock(&sib_lock);
	list_for_each_entry(sd, &sib_hcas, list)
		sib_show_port(m, sd);
	mutex_unlock(&sib_lock);
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(sib_ports);

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

static int sib_sa_show(struct seq_file *m, void *v)
{
	static const char * const names[] = {
		"class_port_info", "mc_member_record", "path_record", "other",
	};
	int i;

	seq_printf(m, "personality %s\n", sib_sa_mode_name());
	seq_printf(m, "class_port_info_answer %s\n", sib_sa_cpi_name());
	for (i = 0; i < ARRAY_SIZE(names); i++)
		seq_printf(m, "%s requests %lld errors %lld\n", names[i],
			   atomic64_read(&sib_subnet.sa.requests[i]),
			   atomic64_read(&sib_subnet.sa.errors[i]));
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(sib_sa);

static int sib_control(char *cmd)
{
	char *verb = strsep(&cmd, " \t");
	char *arg = cmd ? strim(cmd) : NULL;

	if (arg && !*arg)
		arg = NULL;
	if (!strcmp(verb, "add") && !arg)
		return sib_add_hca();
	if (!strcmp(verb, "del") && arg)
		return sib_del_hca(arg);
	if (!strcmp(verb, "sa") && arg)
		return sib_sa_set_mode(arg);
	if (!strcmp(verb, "cpi") && arg)
		return sib_sa_set_cpi(arg);
	if (!strcmp(verb, "reregister"))
		return sib_port_event(arg, IB_EVENT_CLIENT_REREGISTER);
	if (!strcmp(verb, "smchange"))
		return sib_port_event(arg, IB_EVENT_SM_CHANGE);
	return -EINVAL;
}

static ssize_t sib_control_write(struct file *file, const char __user *ubuf,
				 size_t count, loff_t *ppos)
{
	char *buf, *cmd;
	int ret;

	if (count > 64) {
		pr_err_ratelimited("control: command too long\n");
		return -EINVAL;
	}
	buf = memdup_user_nul(ubuf, count);
	if (IS_ERR(buf))
		return PTR_ERR(buf);
	cmd = strim(buf);
	ret = sib_control(cmd);
	if (ret == -EINVAL)
		pr_err_ratelimited("control: '%s' is not one of: add, del NAME, sa modern|legacy, cpi answer|refuse|opa|busy|drop, reregister [NAME], smchange [NAME]\n",
				   cmd);
	else if (ret == -ENODEV)
		pr_err_ratelimited("control: '%s': no such HCA\n", cmd);
	else if (ret)
		pr_err_ratelimited("control: '%s' failed: %d\n", cmd, ret);
	kfree(buf);
	return ret ? ret : count;
}

static const struct file_operations sib_control_fops = {
	.owner = THIS_MODULE,
	.open = simple_open,
	.write = sib_control_write,
	.llseek = noop_llseek,
};

/**
 * sib_debugfs_init() - create the directory (debugfs errors are not fatal)
 */
void sib_debugfs_init(void)
{
	sib_debugfs = debugfs_create_dir(KBUILD_MODNAME, NULL);
	debugfs_create_file("control", 0200, sib_debugfs, NULL, &sib_control_fops);
	debugfs_create_file("ports", 0444, sib_debugfs, NULL, &sib_ports_fops);
	debugfs_create_file("groups", 0444, sib_debugfs, NULL, &sib_groups_fops);
	debugfs_create_file("sa", 0444, sib_debugfs, NULL, &sib_sa_fops);
}

/**
 * sib_debugfs_exit() - remove it; waits for readers and writers inside
 */
void sib_debugfs_exit(void)
{
	debugfs_remove_recursive(sib_debugfs);
}
