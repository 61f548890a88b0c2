// SPDX-License-Identifier: GPL-2.0-only
/*
 * /sys/kernel/rdma_mcast_noloop/: the files rules, devices, hooks/kernel and
 * hooks/user, which hand their work to rules.c, devices.c and qp_hook.c.
 * What each file holds: see Documentation/rdma_mcast_noloop.rst. hooks/ is
 * a named attribute group: a directory without a kobject of its own.
 */
#include <linux/kobject.h>
#include <linux/sysfs.h>

#include "mcast_noloop.h"

static struct kobject *mcnl_kobj;

static ssize_t rules_show(struct kobject *kobj, struct kobj_attribute *attr,
			  char *buf)
{
	return mcnl_rules_show(buf, PAGE_SIZE);
}

static ssize_t rules_store(struct kobject *kobj, struct kobj_attribute *attr,
			   const char *buf, size_t count)
{
	int ret = mcnl_rules_set(buf, count);

	return ret ? ret : count;
}

static ssize_t devices_show(struct kobject *kobj, struct kobj_attribute *attr,
			    char *buf)
{
	return mcnl_devices_show(buf, PAGE_SIZE);
}

static struct kobj_attribute mcnl_rules_attr = __ATTR_RW(rules);
static struct kobj_attribute mcnl_devices_attr = __ATTR_RO(devices);

static struct attribute *mcnl_attrs[] = {
	&mcnl_rules_attr.attr,
	&mcnl_devices_attr.attr,
	NULL,
};

static const struct attribute_group mcnl_group = {
	.attrs = mcnl_attrs,
};

static ssize_t kernel_show(struct kobject *kobj, struct kobj_attribute *attr,
			   char *buf)
{
	return rbp_sysfs_emit(buf, "%s\n", mcnl_hook_name(false));
}

static ssize_t user_show(struct kobject *kobj, struct kobj_attribute *attr,
			 char *buf)
{
	return rbp_sysfs_emit(buf, "%s\n", mcnl_hook_name(true));
}

static struct kobj_attribute mcnl_hook_kernel_attr = __ATTR_RO(kernel);
static struct kobj_attribute mcnl_hook_user_attr = __ATTR_RO(user);

static struct attribute *mcnl_hook_attrs[] = {
	&mcnl_hook_kernel_attr.attr,
	&mcnl_hook_user_attr.attr,
	NULL,
};

static const struct attribute_group mcnl_hooks_group = {
	.name = "hooks",
	.attrs = mcnl_hook_attrs,
};

/**
 * mcnl_sysfs_init() - create /sys/kernel/rdma_mcast_noloop
 *
 * Return: 0 or a negative errno.
 */
int mcnl_sysfs_init(void)
{
	int ret;

	mcnl_kobj = kobject_create_and_add(KBUILD_MODNAME, kernel_kobj);
	if (!mcnl_kobj)
		return -ENOMEM;
	ret = sysfs_create_group(mcnl_kobj, &mcnl_group);
	if (ret)
		goto err_kobj;
	ret = sysfs_create_group(mcnl_kobj, &mcnl_hooks_group);
	if (ret)
		goto err_group;
	return 0;

err_group:
	sysfs_remove_group(mcnl_kobj, &mcnl_group);
err_kobj:
	kobject_put(mcnl_kobj);
	return ret;
}

/**
 * mcnl_sysfs_exit() - remove it; returns once no reader or writer is inside
 */
void mcnl_sysfs_exit(void)
{
	sysfs_remove_group(mcnl_kobj, &mcnl_hooks_group);
	sysfs_remove_group(mcnl_kobj, &mcnl_group);
	kobject_put(mcnl_kobj);
}
