// SPDX-License-Identifier: GPL-2.0-only
/*
 * The hook: kprobes at the entry of ib_create_qp_user() (QPs of user-space
 * verbs, after uverbs checked the creator's own flags) and
 * ib_create_qp_kernel() (QPs of kernel ULPs). Both take the init attributes
 * by pointer before the driver sees them, so setting
 * IB_QP_CREATE_BLOCK_MULTICAST_LOOPBACK there is the same as the creator
 * having asked for it. The flag is set only on devices that advertise the
 * capability and for QP setups their drivers accept, so QP creation never
 * fails because of this module.
 *
 * Handlers run with preemption off in the creating task: RCU, atomics and
 * the task's credentials only; no sleeping, no printk.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/kprobes.h>

#include "mcast_noloop.h"

static void mnl_skip(struct mnl_dev *d, enum mnl_skip why)
{
	if (d)
		atomic_long_inc(&d->skipped[why]);
}

static void mnl_consider(struct ib_device *dev, struct ib_qp_init_attr *attr,
			 bool user)
{
	const struct mnl_rule *r;
	struct mnl_dev *d;

	if (!dev || !attr ||
	    (attr->qp_type != IB_QPT_UD && attr->qp_type != IB_QPT_RAW_PACKET))
		return;

	rcu_read_lock();
	d = mnl_dev_find(dev);
	if (d)
		atomic_long_inc(&d->seen);
	r = mnl_rules_match(dev, attr->qp_type, user);
	if (!r) {
		mnl_skip(d, MNL_SKIP_NO_RULE);
	} else if (!r->block) {
		mnl_skip(d, MNL_SKIP_ALLOW);
	} else if (attr->create_flags & IB_QP_CREATE_BLOCK_MULTICAST_LOOPBACK) {
		mnl_skip(d, MNL_SKIP_ALREADY);
	} else if (!rb_dev_blocks_mcast_loopback(dev)) {
		mnl_skip(d, MNL_SKIP_NO_CAP);
	} else if (attr->qp_type == IB_QPT_RAW_PACKET &&
		   (dev->ops.driver_id != RDMA_DRIVER_MLX5 || attr->rwq_ind_tbl)) {
		/* mlx5 refuses any create flag on RSS raw packet QPs. */
		mnl_skip(d, MNL_SKIP_UNSUPPORTED);
	} else {
		attr->create_flags |= IB_QP_CREATE_BLOCK_MULTICAST_LOOPBACK;
		if (d)
			atomic_long_inc(&d->flagged);
	}
	rcu_read_unlock();
}

/* ib_create_qp_user(dev, pd, attr, udata, uobj, caller) */
static int mnl_user_pre(struct kprobe *kp, struct pt_regs *regs)
{
	mnl_consider((struct ib_device *)rb_kprobe_arg(regs, 0),
		     (struct ib_qp_init_attr *)rb_kprobe_arg(regs, 2), true);
	return 0;
}

/* ib_create_qp_kernel(pd, attr, caller) */
static int mnl_kernel_pre(struct kprobe *kp, struct pt_regs *regs)
{
	struct ib_pd *pd = (struct ib_pd *)rb_kprobe_arg(regs, 0);

	mnl_consider(pd ? pd->device : NULL,
		     (struct ib_qp_init_attr *)rb_kprobe_arg(regs, 1), false);
	return 0;
}

static struct kprobe mnl_user_kp = { .pre_handler = mnl_user_pre };
static struct kprobe mnl_kernel_kp = { .pre_handler = mnl_kernel_pre };

/**
 * mnl_hook_init() - arm both probes
 *
 * ib_create_qp_kernel() is public and placed by address; ib_create_qp_user()
 * is exported but declared only in ib_core's private header, so its probe
 * is placed by name. Either way ib_core cannot go away under them: this
 * module links against it (ib_register_client() and others).
 *
 * Return: 0 or a negative errno.
 */
int mnl_hook_init(void)
{
#ifdef HAVE_IB_CREATE_QP_KERNEL_EXPORT
	int ret;

	mnl_user_kp.symbol_name = "ib_create_qp_user";
	mnl_kernel_kp.addr = (kprobe_opcode_t *)ib_create_qp_kernel;
	ret = register_kprobe(&mnl_user_kp);
	if (ret) {
		pr_err("cannot probe ib_create_qp_user: %d\n", ret);
		return ret;
	}
	ret = register_kprobe(&mnl_kernel_kp);
	if (ret) {
		pr_err("cannot probe ib_create_qp_kernel: %d\n", ret);
		unregister_kprobe(&mnl_user_kp);
	}
	return ret;
#else
	pr_err("this kernel has no ib_create_qp_user()/ib_create_qp_kernel() (before 5.15): not supported\n");
	return -EOPNOTSUPP;
#endif
}

/**
 * mnl_hook_exit() - disarm; no handler runs after this returns
 */
void mnl_hook_exit(void)
{
	unregister_kprobe(&mnl_kernel_kp);
	unregister_kprobe(&mnl_user_kp);
}
