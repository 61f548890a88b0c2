// SPDX-License-Identifier: GPL-2.0-only
/*
 * ipoib_sendonly - make IPoIB's send-only multicast joins work with every
 * subnet manager, on the distribution's own ib_ipoib.
 *
 * Since 5.12 IPoIB joins the groups it only sends to as SendOnlyFullMember
 * (0x8), which an SM without that support refuses to create a group from.
 * A kprobe on ib_sa_join_multicast() (join_hook.c) rewrites the JoinState
 * of IPoIB's send-only joins, and of nothing else, by the policy parameter
 * this file holds (auto, full, sendonly-full, off); what each port's SM
 * supports is learned by asking it (sm_caps.c) and from its refusals
 * (refusals.c); devices.c tracks the ports. rmmod unhooks: later joins are
 * the kernel's own again. State: /sys/kernel/debug/ipoib_sendonly/
 * (debugfs.c).
 *
 * Behaviour, policies, files, messages and limits (RHEL 7's mis-encoded
 * joins included): Documentation/ipoib_sendonly.rst.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/module.h>
#include <linux/moduleparam.h>
#include <linux/string.h>

#include "ipoib_sendonly.h"

static const char * const ipoib_so_policy_names[] = {
	[IPOIB_SO_POLICY_AUTO] = "auto",
	[IPOIB_SO_POLICY_FULL] = "full",
	[IPOIB_SO_POLICY_SENDONLY_FULL] = "sendonly-full",
	[IPOIB_SO_POLICY_OFF] = "off",
};

/* enum ipoib_so_policy; written by the parameter's setter, read anywhere. */
static int ipoib_so_policy = IPOIB_SO_POLICY_AUTO;

/**
 * ipoib_so_policy_name() - the name of a policy, as the parameter spells it
 * @policy: the policy
 *
 * Return: its name.
 */
const char *ipoib_so_policy_name(enum ipoib_so_policy policy)
{
	return ipoib_so_policy_names[policy];
}

/**
 * ipoib_so_get_policy() - the policy in force
 *
 * Context: any, including the kprobe handler.
 * Return: the policy.
 */
enum ipoib_so_policy ipoib_so_get_policy(void)
{
	return READ_ONCE(ipoib_so_policy);
}

/**
 * ipoib_so_decide() - the policy applied: the one place a send-only join's
 *   JoinState is decided (for the hook, the log and debugfs alike)
 * @p: the port, or NULL when the device is not (yet) known
 * @requested: the send-only JoinState IPoIB asked for, 0 when none was
 *             seen yet, IPOIB_SO_JOIN_MISENCODED for RHEL 7's SendOnlyFullMember
 *
 * off leaves joins alone; full sends 0x1, sendonly-full 0x8; auto leaves
 * them alone where the kernel's IPoIB already decides as auto does, and
 * otherwise sends 0x8 unless the port's SM is known to lack it
 * (ipoib_so_sm_lacks_sendonly()), 0x1 then. A mis-encoded join is one IPoIB
 * meant as SendOnlyFullMember and is decided like any other.
 *
 * Context: any, including the kprobe handlers (atomics only).
 * Return: the decision; its state is 0 when the join is left alone.
 */
struct ipoib_so_decision ipoib_so_decide(struct ipoib_so_port *p, u8 requested)
{
	enum ipoib_so_policy policy = ipoib_so_get_policy();
	bool misencoded = requested == IPOIB_SO_JOIN_MISENCODED;
	struct ipoib_so_decision d = {};

	switch (policy) {
	case IPOIB_SO_POLICY_OFF:
		d.why = "policy off: the kernel's own JoinState (inert)";
		return d;
	case IPOIB_SO_POLICY_FULL:
		d.state = RBP_JOIN_FULL_MEMBER;
		break;
	case IPOIB_SO_POLICY_SENDONLY_FULL:
		d.state = RBP_JOIN_SENDONLY_FULL_MEMBER;
		break;
	case IPOIB_SO_POLICY_AUTO:
		if (ipoib_so_kernel_decides() && !misencoded) {
			d.why = "the kernel's IPoIB already does what auto does (inert)";
			return d;
		}
		/*
		 * Unknown (e.g. just after a re-register) or not an IB SA:
		 * 0x8, as upstream does; a refusal is learned and retried.
		 */
		d.state = ipoib_so_sm_lacks_sendonly(p) ? RBP_JOIN_FULL_MEMBER :
			  RBP_JOIN_SENDONLY_FULL_MEMBER;
		break;
	}

	if (requested == d.state)
		d.why = "IPoIB's own choice already matches the policy (inert)";
	else if (misencoded)
		d.why = d.state == RBP_JOIN_FULL_MEMBER ?
			"mis-encoded send-only joins (0x3) become FullMember (0x1)" :
			"mis-encoded send-only joins (0x3) become SendOnlyFullMember (0x8)";
	else if (policy == IPOIB_SO_POLICY_AUTO && d.state == RBP_JOIN_FULL_MEMBER &&
		 p && atomic_read(&p->legacy))
		d.why = "SA refused 0x8: send-only joins are FullMember (0x1) until an SM change";
	else
		d.why = d.state == RBP_JOIN_FULL_MEMBER ?
			"send-only joins become FullMember (0x1)" :
			"send-only joins become SendOnlyFullMember (0x8)";
	return d;
}

static int ipoib_so_policy_set(const char *val, const struct kernel_param *kp)
{
	int i = sysfs_match_string(ipoib_so_policy_names, val);

	if (i < 0) {
		pr_err_ratelimited("policy: '%.*s' is not one of auto, full, sendonly-full, off\n",
				   (int)strcspn(val, "\n"), val);
		return -EINVAL;
	}
	if (i == READ_ONCE(ipoib_so_policy))
		return 0;
	WRITE_ONCE(ipoib_so_policy, i);
	ipoib_so_policy_changed();
	return 0;
}

static int ipoib_so_policy_get(char *buf, const struct kernel_param *kp)
{
	return rbp_sysfs_emit(buf, "%s\n", ipoib_so_policy_names[READ_ONCE(ipoib_so_policy)]);
}

static const struct kernel_param_ops ipoib_so_policy_ops = {
	.set = ipoib_so_policy_set,
	.get = ipoib_so_policy_get,
};

module_param_cb(policy, &ipoib_so_policy_ops, NULL, 0644);
MODULE_PARM_DESC(policy,
		 "JoinState for IPoIB send-only joins: auto (default), full, sendonly-full, off");

static bool ipoib_so_loaded;

/**
 * ipoib_so_policy_changed() - report the new effective behaviour of every port
 *
 * Called when the policy parameter changes; at load time the ports report
 * themselves as they are added.
 */
void ipoib_so_policy_changed(void)
{
	struct ipoib_so_dev *d;
	u32 i;

	if (!READ_ONCE(ipoib_so_loaded))
		return;
	pr_info("policy is now %s\n", ipoib_so_policy_name(ipoib_so_get_policy()));
	mutex_lock(&ipoib_so_lock);
	list_for_each_entry(d, &ipoib_so_devices, list)
		for (i = 0; i < d->nports; i++)
			queue_work(ipoib_so_wq, &d->ports[i].log_work);
	mutex_unlock(&ipoib_so_lock);
}

static int __init ipoib_so_init(void)
{
	int ret;

	ipoib_so_wq = alloc_ordered_workqueue("ipoib_sendonly", 0);
	if (!ipoib_so_wq)
		return -ENOMEM;
	ipoib_so_debugfs_init();
	ret = ipoib_so_devices_init();
	if (ret)
		goto err_debugfs;
	ret = ipoib_so_hook_init();
	if (ret)
		goto err_caps;
	WRITE_ONCE(ipoib_so_loaded, true);
	pr_info("loaded, policy %s%s\n", ipoib_so_policy_name(ipoib_so_get_policy()),
		ipoib_so_get_policy() == IPOIB_SO_POLICY_OFF ?
		" (inert: the kernel's own join states are used)" : "");
	return 0;

err_caps:
	ipoib_so_devices_exit();
err_debugfs:
	ipoib_so_debugfs_exit();
	destroy_workqueue(ipoib_so_wq);
	return ret;
}

static void __exit ipoib_so_exit(void)
{
	/*
	 * The policy file stays writable until the module is freed; its
	 * setter runs under the parameter lock, so after this none is
	 * inside ipoib_so_policy_changed() and none will queue work again.
	 */
	rbp_kernel_param_lock(THIS_MODULE);
	WRITE_ONCE(ipoib_so_loaded, false);
	rbp_kernel_param_unlock(THIS_MODULE);
	ipoib_so_hook_exit();
	ipoib_so_devices_exit();
	ipoib_so_debugfs_exit();
	destroy_workqueue(ipoib_so_wq);
	pr_info("unloaded; IPoIB send-only joins use the kernel's own JoinState again\n");
}

module_init(ipoib_so_init);
module_exit(ipoib_so_exit);

MODULE_DESCRIPTION("IPoIB send-only multicast joins that work with every subnet manager");
MODULE_AUTHOR("rdma-backports");
MODULE_LICENSE("GPL");
MODULE_VERSION(RBP_MODULE_VERSION);
RBP_MODULE_INFO();
