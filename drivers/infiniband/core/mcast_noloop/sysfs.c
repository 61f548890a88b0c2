// SPDX-License-Identifier: GPL-2.0-only
/*
 * /sys/kernel/rdma_mcast_noloop/, one value per file; what each holds: see
 * Documentation/rdma_mcast_noloop.rst.
 *
 *   rules                 the rule set, read and replaced whole (rules.c)
 *   hooks/kernel          the function kernel QPs are hooked at (qp_hook.c)
 *   hooks/user            the one user-space QPs are hooked at, or "none"
 *   hooks/armed           "yes" once a rule has been in force (until unload)
 *   devices/<device>/     per RDMA device, named as it (devices.c):
 *                         can_block, seen, flagged, skip_<reason>
 *
 * Made at load in this order, and taken down in the reverse one: the
 * directory and devices/ (mcnl_sysfs_init()) before the ib_client is
 * registered, whose add() makes each devices/<device>/ and whose remove()
 * takes it away; rules and hooks/ (mcnl_sysfs_files_init()) last, once the
 * hooks are placed, so a rule written is a rule applied.
 *
 * hooks/ is a named attribute group: a directory without a kobject of its
 * own. Each devices/<device>/ is a kobject of kobject_create_and_add(),
 * which the kobject core releases, never this module (a release function
 * of ours could be called after unload where releases are delayed); its
 * files find the device's state by it (mcnl_dev_show()). Every kobject is
 * kobject_del()eted before it is put: its files are gone, and their
 * readers done, when that returns, whenever the last reference goes.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/kobject.h>
#include <linux/sysfs.h>

#include "mcast_noloop.h"

static struct kobject *mcnl_kobj;
static struct kobject *mcnl_devices_kobj;

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

static struct kobj_attribute mcnl_rules_attr = __ATTR_RW(rules);

static struct attribute *mcnl_attrs[] = {
	&mcnl_rules_attr.attr,
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

static ssize_t armed_show(struct kobject *kobj, struct kobj_attribute *attr,
			  char *buf)
{
	return rbp_sysfs_emit(buf, "%s\n", mcnl_hook_armed() ? "yes" : "no");
}

static struct kobj_attribute mcnl_hook_kernel_attr = __ATTR_RO(kernel);
static struct kobj_attribute mcnl_hook_user_attr = __ATTR_RO(user);
static struct kobj_attribute mcnl_hook_armed_attr = __ATTR_RO(armed);

static struct attribute *mcnl_hook_attrs[] = {
	&mcnl_hook_armed_attr.attr,
	&mcnl_hook_kernel_attr.attr,
	&mcnl_hook_user_attr.attr,
	NULL,
};

static const struct attribute_group mcnl_hooks_group = {
	.name = "hooks",
	.attrs = mcnl_hook_attrs,
};

/**
 * struct mcnl_dev_attr - a file of devices/<device>/
 * @kattr: the attribute
 * @value: what it shows (enum mcnl_dev_value)
 */
struct mcnl_dev_attr {
	struct kobj_attribute kattr;
	unsigned int value;
};

static ssize_t mcnl_dev_attr_show(struct kobject *kobj,
				  struct kobj_attribute *attr, char *buf)
{
	return mcnl_dev_show(kobj, container_of(attr, struct mcnl_dev_attr, kattr)->value,
			     buf);
}

/* Filled by mcnl_dev_attrs_init(): skip_<reason> for each mcnl_skip_names. */
static char mcnl_skip_files[MCNL_SKIP_MAX][32];
static struct mcnl_dev_attr mcnl_dev_attrs[MCNL_VAL_MAX];
static struct attribute *mcnl_dev_attr_list[MCNL_VAL_MAX + 1];

static const struct attribute_group mcnl_dev_group = {
	.attrs = mcnl_dev_attr_list,
};

static void mcnl_dev_attrs_init(void)
{
	static const char * const names[MCNL_VAL_MAX] = {
		[MCNL_VAL_CAN_BLOCK] = "can_block",
		[MCNL_VAL_SEEN] = "seen",
		[MCNL_VAL_FLAGGED] = "flagged",
	};
	unsigned int i;

	for (i = 0; i < MCNL_VAL_MAX; i++) {
		struct mcnl_dev_attr *a = &mcnl_dev_attrs[i];

		if (i < MCNL_VAL_SKIP + MCNL_SKIP_MAX) {
			snprintf(mcnl_skip_files[i - MCNL_VAL_SKIP],
				 sizeof(mcnl_skip_files[0]), "skip_%s",
				 mcnl_skip_names[i - MCNL_VAL_SKIP]);
			a->kattr.attr.name = mcnl_skip_files[i - MCNL_VAL_SKIP];
		} else {
			a->kattr.attr.name = names[i];
		}
		a->kattr.attr.mode = 0444;
		a->kattr.show = mcnl_dev_attr_show;
		a->value = i;
		mcnl_dev_attr_list[i] = &a->kattr.attr;
	}
}

/* Take @kobj out of sysfs now (waiting for its readers), then drop it. */
static void mcnl_kobj_remove(struct kobject *kobj)
{
	kobject_del(kobj);
	kobject_put(kobj);
}

/**
 * mcnl_sysfs_dev_add() - make devices/<device>/ and its files for @d
 * @d: the state of a device, already on the device list (its files find it
 *	there as soon as they exist)
 *
 * Context: process context (the ib_client's add()).
 * Return: 0 or a negative errno; on error nothing is left and @d->kobj is
 * NULL.
 */
int mcnl_sysfs_dev_add(struct mcnl_dev *d)
{
	struct kobject *kobj;
	int ret;

	kobj = kobject_create_and_add(d->ibdev->name, mcnl_devices_kobj);
	if (!kobj)
		return -ENOMEM;
	WRITE_ONCE(d->kobj, kobj);
	ret = sysfs_create_group(kobj, &mcnl_dev_group);
	if (ret) {
		WRITE_ONCE(d->kobj, NULL);
		mcnl_kobj_remove(kobj);
	}
	return ret;
}

/**
 * mcnl_sysfs_dev_del() - remove @d's directory
 * @d: the state of a device, already off the device list
 *
 * Context: process context; not under a lock the files' readers take (none
 * but RCU). Returns once no reader is left in one of its files.
 */
void mcnl_sysfs_dev_del(struct mcnl_dev *d)
{
	mcnl_kobj_remove(d->kobj);
}

/**
 * mcnl_sysfs_dev_rename() - give @d's directory its device's new name
 * @d: the state of a device that has just been renamed
 *
 * A failure (no memory, or the name taken) leaves the old name and is
 * logged.
 *
 * Context: process context, from the ib_client's rename(), under
 * mcnl_dev_lock (which @d's removal takes first).
 */
void mcnl_sysfs_dev_rename(struct mcnl_dev *d)
{
	int ret = kobject_rename(d->kobj, d->ibdev->name);

	if (ret)
		pr_warn("devices/%s not renamed to %s: %d\n",
			kobject_name(d->kobj), d->ibdev->name, ret);
}

/**
 * mcnl_sysfs_init() - create /sys/kernel/rdma_mcast_noloop/ and devices/
 *
 * Before the ib_client is registered: its add() puts directories in
 * devices/. No file yet (mcnl_sysfs_files_init()).
 *
 * Return: 0 or a negative errno.
 */
int mcnl_sysfs_init(void)
{
	mcnl_dev_attrs_init();
	mcnl_kobj = kobject_create_and_add(KBUILD_MODNAME, kernel_kobj);
	if (!mcnl_kobj)
		return -ENOMEM;
	mcnl_devices_kobj = kobject_create_and_add("devices", mcnl_kobj);
	if (!mcnl_devices_kobj) {
		mcnl_kobj_remove(mcnl_kobj);
		return -ENOMEM;
	}
	return 0;
}

/**
 * mcnl_sysfs_exit() - remove them; devices/ must be empty (the ib_client
 *	unregistered)
 */
void mcnl_sysfs_exit(void)
{
	mcnl_kobj_remove(mcnl_devices_kobj);
	mcnl_kobj_remove(mcnl_kobj);
}

/**
 * mcnl_sysfs_files_init() - create rules and hooks/
 *
 * Return: 0 or a negative errno.
 */
int mcnl_sysfs_files_init(void)
{
	int ret;

	ret = sysfs_create_group(mcnl_kobj, &mcnl_group);
	if (ret)
		return ret;
	ret = sysfs_create_group(mcnl_kobj, &mcnl_hooks_group);
	if (ret)
		sysfs_remove_group(mcnl_kobj, &mcnl_group);
	return ret;
}

/**
 * mcnl_sysfs_files_exit() - remove them; returns once no reader or writer
 *	is inside
 */
void mcnl_sysfs_files_exit(void)
{
	sysfs_remove_group(mcnl_kobj, &mcnl_hooks_group);
	sysfs_remove_group(mcnl_kobj, &mcnl_group);
}
