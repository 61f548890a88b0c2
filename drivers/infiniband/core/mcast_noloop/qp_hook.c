// SPDX-License-Identifier: GPL-2.0-only
/*
 * The hook: kprobes at the entry of the functions QPs are created by, which
 * take the init attributes by pointer before the driver sees them, so
 * setting IB_QP_CREATE_BLOCK_MULTICAST_LOOPBACK there is the same as the
 * creator having asked for it. The flag is set only on devices that
 * advertise the capability and for QP setups their drivers accept, so QP
 * creation never fails because of this module.
 *
 * Which functions exist differs by kernel (feature probes pick them):
 *
 *   kernel QPs  ib_create_qp_kernel(pd, attr, caller)  5.15+, RHEL 8.10, 9.6, 10
 *               ib_create_named_qp(pd, attr, caller)   5.10-5.14, RHEL 8.6, 9.0
 *               ib_create_qp(pd, attr)                 before 5.2, RHEL 7
 *   user QPs    ib_create_qp_user(dev, pd, attr, ...)  5.15+, RHEL 8.10, 9.6, 10
 *
 * Elsewhere user-space QPs are created inside ib_core and ib_uverbs by
 * functions that are inline, not exported, or whose signature this module
 * cannot verify; they are not hooked (a probe reading the wrong argument
 * would write through a wrong pointer), rules for them are refused, hooks/user
 * says "none" and the load log says why.
 *
 * Handlers run with preemption off in the creating task: RCU, this CPU's
 * counters and the task's credentials only; no sleeping, no printk.
 *
 * The probes are registered disabled and armed by the write that puts the
 * first rule in force (mcnl_hook_arm()); until then QP creation runs as if
 * the module were not loaded (a disabled ftrace probe leaves the function's
 * entry a no-op), and nothing is counted. They stay armed until unload,
 * also when the rule set is emptied again: disarming and rearming them at
 * each change of the set, while other tasks created QPs, crashed a Debian
 * 12 guest once (a call to address 0 at the probed function's entry, under
 * TCG, not understood: b0335b5, reverted by f9d9306), so the call sites
 * are patched no more often than when the probes were armed at load.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/kprobes.h>
#include <linux/percpu.h>
#include <linux/stringify.h>

#include "mcast_noloop.h"

#if defined(HAVE_IB_CREATE_QP_KERNEL_EXPORT)
#define MCNL_KERNEL_FN ib_create_qp_kernel
#elif defined(HAVE_IB_CREATE_NAMED_QP_EXPORT)
#define MCNL_KERNEL_FN ib_create_named_qp
#elif defined(HAVE_IB_CREATE_QP_EXPORT)
#define MCNL_KERNEL_FN ib_create_qp
#endif

/*
 * ib_create_qp_user(dev, pd, attr, ...) is exported since the 5.15 series
 * that also brought ib_create_qp_kernel(); 5.2-5.9 had an unrelated
 * ib_create_qp_user(pd, attr, udata), so both are required. Later kernels
 * changed its tail, never its first three arguments.
 */
#if defined(HAVE_IB_CREATE_QP_USER_EXPORT) && defined(HAVE_IB_CREATE_QP_KERNEL_EXPORT)
#define MCNL_USER_SYM "ib_create_qp_user"
#endif

/* Count a QP not flagged; preemption is off, so this CPU's counter. */
static void mcnl_skip(struct mcnl_dev *d, enum mcnl_skip why)
{
	if (d)
		this_cpu_inc(d->stats->skipped[why]);
}

static void __maybe_unused mcnl_consider(struct ib_device *dev,
					 struct ib_qp_init_attr *attr, bool user)
{
	const struct mcnl_rule *r;
	struct mcnl_dev *d;

	if (!dev || !attr ||
	    (attr->qp_type != IB_QPT_UD && attr->qp_type != IB_QPT_RAW_PACKET))
		return;

	rcu_read_lock();
	d = mcnl_dev_find(dev);
	r = mcnl_rules_match(dev, attr->qp_type, user);
	if (!r) {
		mcnl_skip(d, MCNL_SKIP_NO_RULE);
	} else if (!r->block) {
		mcnl_skip(d, MCNL_SKIP_ALLOW);
	} else if (attr->create_flags & IB_QP_CREATE_BLOCK_MULTICAST_LOOPBACK) {
		mcnl_skip(d, MCNL_SKIP_ALREADY);
	} else if (!rbp_dev_blocks_mcast_loopback(dev)) {
		mcnl_skip(d, MCNL_SKIP_NO_CAP);
	} else if (attr->qp_type == IB_QPT_RAW_PACKET &&
		   (rbp_ib_driver_id(dev) != RDMA_DRIVER_MLX5 || attr->rwq_ind_tbl)) {
		/* mlx5 refuses any create flag on RSS raw packet QPs. */
		mcnl_skip(d, MCNL_SKIP_UNSUPPORTED);
	} else {
		attr->create_flags |= IB_QP_CREATE_BLOCK_MULTICAST_LOOPBACK;
		if (d)
			this_cpu_inc(d->stats->flagged);
	}
	rcu_read_unlock();
}

#ifdef MCNL_USER_SYM
/* ib_create_qp_user(dev, pd, attr, ...) */
static int mcnl_user_pre(struct kprobe *kp, struct pt_regs *regs)
{
	mcnl_consider((struct ib_device *)rbp_kprobe_arg(regs, 0),
		      (struct ib_qp_init_attr *)rbp_kprobe_arg(regs, 2), true);
	return 0;
}

static struct kprobe mcnl_user_kp = {
	.symbol_name = MCNL_USER_SYM,
	.pre_handler = mcnl_user_pre,
	.flags = KPROBE_FLAG_DISABLED,
};
#endif

#ifdef MCNL_KERNEL_FN
/* MCNL_KERNEL_FN(pd, attr, ...) */
static int mcnl_kernel_pre(struct kprobe *kp, struct pt_regs *regs)
{
	struct ib_pd *pd = (struct ib_pd *)rbp_kprobe_arg(regs, 0);

	mcnl_consider(pd ? pd->device : NULL,
		      (struct ib_qp_init_attr *)rbp_kprobe_arg(regs, 1), false);
	return 0;
}

static struct kprobe mcnl_kernel_kp = {
	.pre_handler = mcnl_kernel_pre,
	.flags = KPROBE_FLAG_DISABLED,
};
#endif

/* Are the probes armed? Written under the rule set's writer lock. */
static bool mcnl_armed;

/**
 * mcnl_hook_armed() - are the probes armed?
 *
 * Return: true once a rule has been in force, until unload.
 */
bool mcnl_hook_armed(void)
{
	return READ_ONCE(mcnl_armed);
}

/**
 * mcnl_hook_arm() - arm the probes, if they are not armed yet
 *
 * Called before the first rule is published. Arming fails only if the
 * kernel cannot patch the functions' entries; nothing is armed then.
 *
 * Context: process; the rule set's writer lock held (serialises callers).
 * Return: 0 or a negative errno of enable_kprobe().
 */
int mcnl_hook_arm(void)
{
	int ret = 0;

	if (mcnl_armed)
		return 0;
#ifdef MCNL_KERNEL_FN
	ret = enable_kprobe(&mcnl_kernel_kp);
	if (ret) {
		pr_err("cannot arm the probe at %s: %d\n",
		       __stringify(MCNL_KERNEL_FN), ret);
		return ret;
	}
#endif
#ifdef MCNL_USER_SYM
	ret = enable_kprobe(&mcnl_user_kp);
	if (ret) {
		pr_err("cannot arm the probe at %s: %d\n", MCNL_USER_SYM, ret);
		disable_kprobe(&mcnl_kernel_kp);
		return ret;
	}
#endif
	WRITE_ONCE(mcnl_armed, true);
	return ret;
}

/**
 * mcnl_user_hooked() - are user-space QPs covered on this kernel?
 *
 * Return: true when their creation is hooked.
 */
bool mcnl_user_hooked(void)
{
#ifdef MCNL_USER_SYM
	return true;
#else
	return false;
#endif
}

/**
 * mcnl_hook_name() - the function hooked for one creator, for hooks/<creator>
 * @user: user-space QPs, else kernel QPs
 *
 * Return: the function's name, or "none" when this kernel has no hook point
 * for them (the load log says why).
 */
const char *mcnl_hook_name(bool user)
{
#ifdef MCNL_KERNEL_FN
	const char *kernel = __stringify(MCNL_KERNEL_FN);
#else
	const char *kernel = "none";
#endif
#ifdef MCNL_USER_SYM
	const char *user_sym = MCNL_USER_SYM;
#else
	const char *user_sym = "none";
#endif

	return user ? user_sym : kernel;
}

/**
 * mcnl_hook_init() - place the probes this kernel has hook points for
 *
 * The kernel QP function is public and placed by address; ib_create_qp_user()
 * is exported but declared only in ib_core's private header, so its probe
 * is placed by name. Either way ib_core cannot go away under them: this
 * module links against it (ib_register_client() and others). They are
 * placed disabled: the first rule arms them (mcnl_hook_arm()).
 *
 * Return: 0 or a negative errno (-EOPNOTSUPP: nothing to hook).
 */
int mcnl_hook_init(void)
{
#ifdef MCNL_KERNEL_FN
	int ret;

	mcnl_kernel_kp.addr = (kprobe_opcode_t *)MCNL_KERNEL_FN;
	ret = register_kprobe(&mcnl_kernel_kp);
	if (ret) {
		pr_err("cannot probe %s: %d\n", __stringify(MCNL_KERNEL_FN), ret);
		return ret;
	}
#ifdef MCNL_USER_SYM
	ret = register_kprobe(&mcnl_user_kp);
	if (ret) {
		pr_err("cannot probe %s: %d\n", MCNL_USER_SYM, ret);
		unregister_kprobe(&mcnl_kernel_kp);
		return ret;
	}
	pr_info("kernel QPs hooked at %s(), user-space QPs at %s()\n",
		__stringify(MCNL_KERNEL_FN), MCNL_USER_SYM);
#else
	pr_info("kernel QPs hooked at %s(); user-space QPs are not covered on this kernel (no exported ib_create_qp_user(dev, pd, attr, ...)): creator=user rules are refused\n",
		__stringify(MCNL_KERNEL_FN));
#endif
	return 0;
#else
	pr_err("this kernel has none of ib_create_qp_kernel(), ib_create_named_qp(), or an exported ib_create_qp(): not supported\n");
	return -EOPNOTSUPP;
#endif
}

/**
 * mcnl_hook_exit() - remove the probes; no handler runs after this returns
 */
void mcnl_hook_exit(void)
{
	WRITE_ONCE(mcnl_armed, false);
#ifdef MCNL_USER_SYM
	unregister_kprobe(&mcnl_user_kp);
#endif
#ifdef MCNL_KERNEL_FN
	unregister_kprobe(&mcnl_kernel_kp);
#endif
}
