// SPDX-License-Identifier: GPL-2.0-only
/*
 * /sys/kernel/rdma_mcast_noloop/:
 *
 *   rules    read: the rule set in force, canonical, one rule a line;
 *            write: a whole new rule set (see rules.c), or "clear"
 *   devices  per device: can it block, QPs seen, flagged, skipped by reason
 *   hooks    per creator (kernel, user): the function hooked on this
 *            kernel, or "none" and why
 */
#include <linux/kobject.h>
#include <linux/sysfs.h>

#include "mcast_noloop.h"

static struct kobject *mnl_kobj;

static ssize_t rules_show(struct kobject *kobj, struct kobj_attribute *attr,
			  char *buf)
{
	return mnl_rules_show(buf, PAGE_SIZE);
}

static ssize_t rules_store(struct kobject *kobj, struct kobj_attribute *attr,
			   const char *buf, size_t count)
{
	int ret = mnl_rules_set(buf, count);

	return ret ? ret : count;
}

static ssize_t devices_show(struct kobject *kobj, struct kobj_attribute *attr,
			    char *buf)
{
	return mnl_devices_show(buf, PAGE_SIZE);
}

static ssize_t hooks_show(struct kobject *kobj, struct kobj_attribute *attr,
			  char *buf)
{
	return mnl_hooks_show(buf, PAGE_SIZE);
}

static struct kobj_attribute mnl_rules_attr = __ATTR_RW(rules);
static struct kobj_attribute mnl_devices_attr = __ATTR_RO(devices);
static struct kobj_attribute mnl_hooks_attr = __ATTR_RO(hooks);

static struct attribute *mnl_attrs[] = {
	&mnl_rules_attr.attr,
	&mnl_devices_attr.attr,
	&mnl_hooks_attr.attr,
	NULL,
};

static const struct attribute_group mnl_group = {
	.attrs = mnl_attrs,
};

/**
 * mnl_sysfs_init() - create /sys/kernel/rdma_mcast_noloop
 *
 * Return: 0 or a negative errno.
 */
int mnl_sysfs_init(void)
{
	int ret;

	mnl_kobj = kobject_create_and_add(KBUILD_MODNAME, kernel_kobj);
	if (!mnl_kobj)
		return -ENOMEM;
	ret = sysfs_create_group(mnl_kobj, &mnl_group);
	if (ret)
		kobject_put(mnl_kobj);
	return ret;
}

/**
 * mnl_sysfs_exit() - remove it; returns once no reader or writer is inside
 */
void mnl_sysfs_exit(void)
{
	sysfs_remove_group(mnl_kobj, &mnl_group);
	kobject_put(mnl_kobj);
}
