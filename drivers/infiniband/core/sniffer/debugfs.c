// SPDX-License-Identifier: GPL-2.0-only
/*
 * /sys/kernel/debug/rdma_sniffer/: the control files and each monitor's
 * state, one value per file.
 *
 *   new_monitor, del_monitor	write "DEVICE PORT"
 *   new_user_port, del_user_port	write "DEVICE PORT": the port is (no
 *				longer) fed from user space (feed.c)
 *   monitors/NAME/		one directory per monitor (NAME: its netdev's
 *				name at creation)
 *     device port backend	what it captures, and through what
 *     seen filtered dropped mirrored	packet counters
 *     queue_len		frames waiting for the NAPI poll now
 *     queue_max		the queue's bound (writable, 1 to 65536)
 *     filter			the filter (writable; filter.c has the syntax)
 *     erf			pcap with ERF records, per reader (erf.c)
 *     erf_records erf_dropped	its counters
 *     feed, malformed		user backend only: one packet per write,
 *				and the writes refused (feed.c)
 *
 * A control write that cannot be carried out changes nothing and logs one
 * rate-limited line naming the problem.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/debugfs.h>
#include <linux/fs.h>
#include <linux/slab.h>
#include <linux/uaccess.h>

#include "sniffer.h"

#define SNF_CTL_MAX	96	/* the longest control write */
#define SNF_FILTER_MAX	512	/* the longest filter text */

static struct dentry *snf_dir, *snf_mons_dir;
static struct dentry *snf_ctl_files[4];	/* one per snf_ctls[] */

/* A write of at most @max - 1 bytes, as a string. */
static char *snf_user_string(const char __user *ubuf, size_t count, size_t max)
{
	char *buf;

	if (count >= max)
		return ERR_PTR(-EINVAL);
	buf = kmalloc(count + 1, GFP_KERNEL);
	if (!buf)
		return ERR_PTR(-ENOMEM);
	if (copy_from_user(buf, ubuf, count)) {
		kfree(buf);
		return ERR_PTR(-EFAULT);
	}
	buf[count] = '\0';
	return buf;
}

/*
 * Parse "DEVICE PORT" for @what, find the device and check the port. Under
 * snf_lock. Logs what is wrong.
 */
static int snf_ctl_parse(const char *what, char *text, struct snf_dev **sdp,
			 u32 *port)
{
	char *name, *num, *extra;
	struct snf_dev *sd;

	text = strim(text);
	name = strsep(&text, " \t");
	num = text ? strim(text) : NULL;
	extra = num ? strpbrk(num, " \t") : NULL;
	if (!name || !*name || !num || !*num || extra) {
		pr_warn_ratelimited("%s: expected \"DEVICE PORT\", e.g. \"sib0 1\"\n",
				    what);
		return -EINVAL;
	}
	if (kstrtou32(num, 10, port)) {
		pr_warn_ratelimited("%s: port \"%s\" is not a number\n", what, num);
		return -EINVAL;
	}
	sd = snf_dev_by_name(name);
	if (!sd) {
		pr_warn_ratelimited("%s: no RDMA device \"%s\"\n", what, name);
		return -ENODEV;
	}
	if (*port < rdma_start_port(sd->ibdev) || *port > rdma_end_port(sd->ibdev)) {
		pr_warn_ratelimited("%s: %s has no port %u (ports %u to %u)\n",
				    what, name, *port, rdma_start_port(sd->ibdev),
				    rdma_end_port(sd->ibdev));
		return -EINVAL;
	}
	*sdp = sd;
	return 0;
}

/*
 * The control files: each takes "DEVICE PORT" and does one thing with the
 * port, under snf_lock; @act logs why it refuses (@dev names the device).
 */
struct snf_ctl {
	const char *name;
	int (*act)(const char *what, struct snf_dev *sd, const char *dev, u32 port);
};

static int snf_ctl_new_monitor(const char *what, struct snf_dev *sd,
			       const char *dev, u32 port)
{
	int ret = snf_mon_create(sd, port);

	if (ret == -EEXIST)
		pr_warn_ratelimited("%s: %s port %u has a monitor already (or its name is taken)\n",
				    what, dev, port);
	else if (ret == -EOPNOTSUPP)
		pr_warn_ratelimited("%s: no capture backend for %s port %u (rdma_sib: modprobe rdma_sniffer_sib; a user-space feeder: new_user_port)\n",
				    what, dev, port);
	else if (ret)
		pr_warn_ratelimited("%s: %s port %u: error %d\n", what, dev, port, ret);
	return ret;
}

static int snf_ctl_del_monitor(const char *what, struct snf_dev *sd,
			       const char *dev, u32 port)
{
	if (!sd->ports[port].mon) {
		pr_warn_ratelimited("%s: %s port %u has no monitor\n", what, dev, port);
		return -ENOENT;
	}
	snf_mon_destroy(sd->ports[port].mon);
	return 0;
}

/* new_user_port and del_user_port. */
static int snf_ctl_user_port(const char *what, struct snf_dev *sd,
			     const char *dev, u32 port, bool add)
{
	int ret = add ? snf_user_port_add(sd, port) : snf_user_port_del(sd, port);

	if (ret == -EEXIST)
		pr_warn_ratelimited("%s: %s port %u is fed from user space already\n",
				    what, dev, port);
	else if (ret == -ENOENT)
		pr_warn_ratelimited("%s: %s port %u is not fed from user space\n",
				    what, dev, port);
	else if (ret == -EBUSY && add)
		pr_warn_ratelimited("%s: %s port %u has a monitor of backend %s: del_monitor first\n",
				    what, dev, port, sd->ports[port].mon->backend->name);
	else if (ret == -EBUSY)
		pr_warn_ratelimited("%s: %s port %u: its monitor is fed from user space: del_monitor first\n",
				    what, dev, port);
	return ret;
}

static int snf_ctl_new_user_port(const char *what, struct snf_dev *sd,
				 const char *dev, u32 port)
{
	return snf_ctl_user_port(what, sd, dev, port, true);
}

static int snf_ctl_del_user_port(const char *what, struct snf_dev *sd,
				 const char *dev, u32 port)
{
	return snf_ctl_user_port(what, sd, dev, port, false);
}

static const struct snf_ctl snf_ctls[] = {
	{ "new_monitor", snf_ctl_new_monitor },
	{ "del_monitor", snf_ctl_del_monitor },
	{ "new_user_port", snf_ctl_new_user_port },
	{ "del_user_port", snf_ctl_del_user_port },
};

static ssize_t snf_ctl_write(struct file *file, const char __user *ubuf,
			     size_t count, loff_t *ppos)
{
	const struct snf_ctl *ctl = file->private_data;
	struct snf_dev *sd;
	char *buf;
	u32 port;
	int ret;

	buf = snf_user_string(ubuf, count, SNF_CTL_MAX);
	if (IS_ERR(buf)) {
		pr_warn_ratelimited("%s: write at most %d bytes: \"DEVICE PORT\"\n",
				    ctl->name, SNF_CTL_MAX - 1);
		return PTR_ERR(buf);
	}
	mutex_lock(&snf_lock);
	/* On success @buf is cut down to the device's name. */
	ret = snf_ctl_parse(ctl->name, buf, &sd, &port);
	if (!ret)
		ret = ctl->act(ctl->name, sd, buf, port);
	mutex_unlock(&snf_lock);
	kfree(buf);
	return ret ? ret : count;
}

static const struct file_operations snf_ctl_fops = {
	.owner = THIS_MODULE,
	.open = simple_open,
	.write = snf_ctl_write,
	.llseek = noop_llseek,
};

/* A monitor's feed: each write() one packet (feed.c). */
static ssize_t snf_feed_write(struct file *file, const char __user *ubuf,
			      size_t count, loff_t *ppos)
{
	struct snf_mon *mon = file->private_data;
	ssize_t ret;
	u8 *buf;

	if (count < 1 || count > SNF_FEED_MAX + 1) {
		pr_warn_ratelimited("%s: feed: a write of %zu bytes: one flags byte and a packet of at most %u bytes\n",
				    mon->netdev->name, count, SNF_FEED_MAX);
		atomic64_inc(&mon->cnt.malformed);
		return -EINVAL;
	}
	buf = memdup_user(ubuf, count);
	if (IS_ERR(buf))
		return PTR_ERR(buf);
	ret = snf_feed(mon, buf, count);
	kfree(buf);
	return ret;
}

static const struct file_operations snf_feed_fops = {
	.owner = THIS_MODULE,
	.open = simple_open,
	.write = snf_feed_write,
	.llseek = noop_llseek,
};

/* A counter: i_private is its atomic64_t. */
static int snf_counter_get(void *data, u64 *val)
{
	*val = atomic64_read(data);
	return 0;
}
DEFINE_DEBUGFS_ATTRIBUTE(snf_counter_fops, snf_counter_get, NULL, "%llu\n");

static int snf_qlen_get(void *data, u64 *val)
{
	struct snf_mon *mon = data;

	*val = skb_queue_len(&mon->queue);
	return 0;
}
DEFINE_DEBUGFS_ATTRIBUTE(snf_qlen_fops, snf_qlen_get, NULL, "%llu\n");

static int snf_qmax_get(void *data, u64 *val)
{
	struct snf_mon *mon = data;

	*val = READ_ONCE(mon->queue_max);
	return 0;
}

static int snf_qmax_set(void *data, u64 val)
{
	struct snf_mon *mon = data;

	if (val < 1 || val > SNF_QUEUE_MAX) {
		pr_warn_ratelimited("%s: queue_max %llu: must be 1 to %u\n",
				    mon->netdev->name, val, SNF_QUEUE_MAX);
		return -EINVAL;
	}
	WRITE_ONCE(mon->queue_max, val);
	return 0;
}
DEFINE_DEBUGFS_ATTRIBUTE(snf_qmax_fops, snf_qmax_get, snf_qmax_set, "%llu\n");

/* A fixed string: i_private is it. */
static ssize_t snf_str_read(struct file *file, char __user *ubuf, size_t count,
			    loff_t *ppos)
{
	const char *s = file->private_data;
	char buf[IB_DEVICE_NAME_MAX + 1];
	int n = scnprintf(buf, sizeof(buf), "%s\n", s);

	return simple_read_from_buffer(ubuf, count, ppos, buf, n);
}

static const struct file_operations snf_str_fops = {
	.owner = THIS_MODULE,
	.open = simple_open,
	.read = snf_str_read,
	.llseek = default_llseek,
};

static ssize_t snf_filter_read(struct file *file, char __user *ubuf,
			       size_t count, loff_t *ppos)
{
	struct snf_mon *mon = file->private_data;
	char *buf;
	ssize_t ret;
	int n;

	buf = kmalloc(SNF_FILTER_MAX, GFP_KERNEL);
	if (!buf)
		return -ENOMEM;
	mutex_lock(&mon->filter_lock);
	n = snf_filter_print(rcu_dereference_protected(mon->filter,
						       lockdep_is_held(&mon->filter_lock)),
			     buf, SNF_FILTER_MAX);
	mutex_unlock(&mon->filter_lock);
	ret = simple_read_from_buffer(ubuf, count, ppos, buf, n);
	kfree(buf);
	return ret;
}

static ssize_t snf_filter_write(struct file *file, const char __user *ubuf,
				size_t count, loff_t *ppos)
{
	struct snf_mon *mon = file->private_data;
	struct snf_filter *f, *old;
	char *buf;
	int ret;

	buf = snf_user_string(ubuf, count, SNF_FILTER_MAX);
	if (IS_ERR(buf)) {
		pr_warn_ratelimited("%s: filter: write at most %d bytes\n",
				    mon->netdev->name, SNF_FILTER_MAX - 1);
		return PTR_ERR(buf);
	}
	f = kzalloc(sizeof(*f), GFP_KERNEL);
	if (!f) {
		kfree(buf);
		return -ENOMEM;
	}
	ret = snf_filter_parse(buf, f);
	kfree(buf);
	if (ret) {
		kfree(f);
		return ret;
	}
	if (!f->has) {
		kfree(f);
		f = NULL;
	}
	mutex_lock(&mon->filter_lock);
	old = rcu_replace_pointer(mon->filter, f,
				  lockdep_is_held(&mon->filter_lock));
	mutex_unlock(&mon->filter_lock);
	if (old)
		kfree_rcu(old, rcu);
	return count;
}

static const struct file_operations snf_filter_fops = {
	.owner = THIS_MODULE,
	.open = simple_open,
	.read = snf_filter_read,
	.write = snf_filter_write,
	.llseek = default_llseek,
};

/**
 * snf_debugfs_mon_add() - the directory of a new monitor
 * @mon: the monitor, registered
 *
 * Context: process, snf_lock held. Without debugfs the monitor works, with
 * no files.
 */
void snf_debugfs_mon_add(struct snf_mon *mon)
{
	struct dentry *d;

	d = debugfs_create_dir(mon->netdev->name, snf_mons_dir);
	mon->dir = d;
	debugfs_create_file("device", 0444, d, mon->devname, &snf_str_fops);
	debugfs_create_u32("port", 0444, d, &mon->port);
	debugfs_create_file("backend", 0444, d, (void *)mon->backend->name,
			    &snf_str_fops);
	debugfs_create_file_unsafe("seen", 0444, d, &mon->cnt.seen,
				   &snf_counter_fops);
	debugfs_create_file_unsafe("filtered", 0444, d, &mon->cnt.filtered,
				   &snf_counter_fops);
	debugfs_create_file_unsafe("dropped", 0444, d, &mon->cnt.dropped,
				   &snf_counter_fops);
	debugfs_create_file_unsafe("mirrored", 0444, d, &mon->cnt.mirrored,
				   &snf_counter_fops);
	debugfs_create_file_unsafe("queue_len", 0444, d, mon, &snf_qlen_fops);
	debugfs_create_file_unsafe("queue_max", 0644, d, mon, &snf_qmax_fops);
	debugfs_create_file("filter", 0644, d, mon, &snf_filter_fops);
	debugfs_create_file("erf", 0400, d, mon, &snf_erf_fops);
	debugfs_create_file_unsafe("erf_records", 0444, d, &mon->cnt.erf_records,
				   &snf_counter_fops);
	debugfs_create_file_unsafe("erf_dropped", 0444, d, &mon->cnt.erf_dropped,
				   &snf_counter_fops);
	if (mon->backend != &snf_user_backend)
		return;
	debugfs_create_file("feed", 0200, d, mon, &snf_feed_fops);
	debugfs_create_file_unsafe("malformed", 0444, d, &mon->cnt.malformed,
				   &snf_counter_fops);
}

/**
 * snf_debugfs_init() - the top directory and the control files
 *
 * Return: 0 (without debugfs there is no control interface, and it says so).
 */
int snf_debugfs_init(void)
{
	int i;

	BUILD_BUG_ON(ARRAY_SIZE(snf_ctl_files) != ARRAY_SIZE(snf_ctls));
	snf_dir = debugfs_create_dir(KBUILD_MODNAME, NULL);
	if (IS_ERR(snf_dir))
		pr_warn("no debugfs: monitors cannot be created\n");
	snf_mons_dir = debugfs_create_dir("monitors", snf_dir);
	for (i = 0; i < ARRAY_SIZE(snf_ctls); i++)
		snf_ctl_files[i] = debugfs_create_file(snf_ctls[i].name, 0200, snf_dir,
						       (void *)&snf_ctls[i],
						       &snf_ctl_fops);
	return 0;
}

/* The control files go first: no monitor can be created after this. */
void snf_debugfs_controls_exit(void)
{
	int i;

	for (i = 0; i < ARRAY_SIZE(snf_ctl_files); i++)
		debugfs_remove(snf_ctl_files[i]);
}

void snf_debugfs_exit(void)
{
	debugfs_remove_recursive(snf_dir);
}
