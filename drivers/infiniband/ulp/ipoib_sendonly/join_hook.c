// SPDX-License-Identifier: GPL-2.0-only
/*
 * The hook: a kprobe at the entry of ib_sa_join_multicast() that rewrites
 * the JoinState of IPoIB's send-only joins, and how IPoIB's SA client is
 * recognised.
 *
 * ib_sa_join_multicast(client, device, port, rec, comp_mask, gfp, cb, ctx)
 * copies *rec before it does anything else, so changing rec->join_state at
 * entry changes the join, its per-port merge in ib_core and its later leave
 * consistently. IPoIB is recognised by the address of its ipoib_sa_client,
 * looked up by name in ib_ipoib and looked up again whenever ib_ipoib is
 * loaded (it can come back at another address); the pointer is compared,
 * never dereferenced.
 *
 * The handler runs with preemption off, under IPoIB's priv->lock with
 * interrupts disabled: atomics and RCU only, no sleeping, no printk.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/kprobes.h>
#include <linux/module.h>
#include <linux/rcupdate.h>
#include <rdma/ib_sa.h>

#include "compat/rb_kallsyms.h"
#include "ipoib_sendonly.h"

#define ISO_IPOIB_MODULE "ib_ipoib"
#define ISO_IPOIB_CLIENT ISO_IPOIB_MODULE ":ipoib_sa_client"

/* Send-only JoinStates: SendOnlyNonMember (IPoIB before 4.9), SendOnlyFull. */
#define ISO_SENDONLY_STATES (RB_JOIN_SENDONLY_NON_MEMBER | RB_JOIN_SENDONLY_FULL_MEMBER)

/* Address of ib_ipoib's ipoib_sa_client, 0 while ib_ipoib is not loaded. */
static unsigned long iso_ipoib_client;

/*
 * ib_core's helper for "does this port's SA support SendOnlyFullMember":
 * exported by kernels 4.9-5.11 and by kernels with the patch queue's IB/sa
 * entry, whose IPoIB asks it before every send-only join (IB/ipoib entry).
 */
#define ISO_KERNEL_AUTO_SYM "ib_sa_sendonly_fullmem_support"

/* The running ib_core has ISO_KERNEL_AUTO_SYM; set once at init. */
static bool iso_kernel_auto;

/**
 * iso_kernel_decides() - does the kernel's IPoIB do policy auto itself?
 *
 * True when the running ib_core exports ib_sa_sendonly_fullmem_support():
 * its IPoIB then uses SendOnlyFullMember only where the SM advertises it,
 * which is what policy auto asks for, and auto leaves its joins alone. (It
 * assumes the queue's IB/sa and IB/ipoib patches travel together, as they
 * are sent.) ib_core cannot be unloaded under this module, so the answer
 * is found once.
 *
 * Return: the answer.
 */
bool iso_kernel_decides(void)
{
	return iso_kernel_auto;
}

/**
 * iso_ipoib_resolved() - is IPoIB's SA client known?
 *
 * Return: true while ib_ipoib is loaded and its client was found.
 */
bool iso_ipoib_resolved(void)
{
	return READ_ONCE(iso_ipoib_client) != 0;
}

/**
 * iso_target_state() - the JoinState a send-only join of port @p should use
 * @p: the port, or NULL when the device is not (yet) known
 * @requested: the send-only JoinState IPoIB asked for
 *
 * Context: any (atomics only).
 * Return: the JoinState to send.
 */
u8 iso_target_state(struct iso_port *p, u8 requested)
{
	switch (iso_get_policy()) {
	case ISO_POLICY_FULL:
		return RB_JOIN_FULL_MEMBER;
	case ISO_POLICY_SENDONLY_FULL:
		return RB_JOIN_SENDONLY_FULL_MEMBER;
	case ISO_POLICY_AUTO:
		if (iso_kernel_auto)
			return requested;
		if (p && atomic_read(&p->cap) == ISO_CAP_SENDONLY_FULL)
			return RB_JOIN_SENDONLY_FULL_MEMBER;
		/* Not supported, or not known for sure: every SM takes 0x1. */
		return RB_JOIN_FULL_MEMBER;
	case ISO_POLICY_OFF:
		break;
	}
	return requested;
}

static int iso_join_pre(struct kprobe *kp, struct pt_regs *regs)
{
	unsigned long client = rb_kprobe_arg(regs, 0);
	struct ib_device *dev = (struct ib_device *)rb_kprobe_arg(regs, 1);
	u32 port = (u32)rb_kprobe_arg(regs, 2);
	struct ib_sa_mcmember_rec *rec = (void *)rb_kprobe_arg(regs, 3);
	ib_sa_comp_mask mask = (__force ib_sa_comp_mask)rb_kprobe_arg(regs, 4);
	unsigned long ipoib = READ_ONCE(iso_ipoib_client);
	struct iso_port *p;
	u8 want;

	rcu_read_lock();
	p = iso_find_port(dev, port);
	if (p)
		atomic_long_inc(&p->seen);

	/* Only IPoIB's own joins that name a send-only JoinState. */
	if (!ipoib || client != ipoib || !rec ||
	    (mask & IB_SA_MCMEMBER_REC_JOIN_STATE) == 0 ||
	    !rec->join_state || (rec->join_state & ~ISO_SENDONLY_STATES))
		goto out;

	want = iso_target_state(p, rec->join_state);
	if (p) {
		atomic_long_inc(&p->sendonly);
		/* The first observation of IPoIB's own choice is reported. */
		if (atomic_xchg(&p->native, rec->join_state) != rec->join_state)
			queue_work(iso_wq, &p->log_work);
		if (want != rec->join_state)
			atomic_long_inc(&p->rewritten);
		else
			atomic_long_inc(&p->left_alone);
	}
	rec->join_state = want;
out:
	rcu_read_unlock();
	return 0;
}

static struct kprobe iso_join_kprobe = {
	.pre_handler = iso_join_pre,
};

static void iso_resolve_ipoib(void)
{
	unsigned long addr = rb_kallsyms_lookup_name(ISO_IPOIB_CLIENT);

	WRITE_ONCE(iso_ipoib_client, addr);
}

static int iso_module_event(struct notifier_block *nb, unsigned long action,
			    void *data)
{
	struct module *mod = data;

	if (strcmp(mod->name, ISO_IPOIB_MODULE))
		return NOTIFY_DONE;
	switch (action) {
	case MODULE_STATE_COMING:
		/* Its symbols are in kallsyms now; its code has not run. */
		iso_resolve_ipoib();
		if (!iso_ipoib_resolved())
			pr_warn("ib_ipoib loaded but %s not found (CONFIG_KALLSYMS_ALL?): its joins are left alone\n",
				ISO_IPOIB_CLIENT);
		break;
	case MODULE_STATE_GOING:
		WRITE_ONCE(iso_ipoib_client, 0);
		break;
	}
	return NOTIFY_DONE;
}

static struct notifier_block iso_module_nb = {
	.notifier_call = iso_module_event,
};

/**
 * iso_hook_init() - find IPoIB and arm the kprobe
 *
 * The probe is placed by the address of ib_sa_join_multicast, a symbol of
 * ib_core this module links against: ib_core cannot go away under it.
 *
 * Return: 0 or a negative errno.
 */
int iso_hook_init(void)
{
	int ret;

	iso_kernel_auto = rb_kallsyms_lookup_name(ISO_KERNEL_AUTO_SYM) != 0;
	if (iso_kernel_auto)
		pr_info("the kernel's IPoIB picks send-only JoinStates by the SM's capability itself (ib_core has %s): policy auto is inert\n",
			ISO_KERNEL_AUTO_SYM);

	ret = register_module_notifier(&iso_module_nb);
	if (ret)
		return ret;
	/* After the notifier, so a load in between is not missed. */
	iso_resolve_ipoib();

	iso_join_kprobe.addr = (kprobe_opcode_t *)ib_sa_join_multicast;
	ret = register_kprobe(&iso_join_kprobe);
	if (ret) {
		pr_err("cannot probe ib_sa_join_multicast: %d\n", ret);
		unregister_module_notifier(&iso_module_nb);
		return ret;
	}
	return 0;
}

/**
 * iso_hook_exit() - disarm; returns once no handler runs any more
 */
void iso_hook_exit(void)
{
	unregister_kprobe(&iso_join_kprobe);
	unregister_module_notifier(&iso_module_nb);
	WRITE_ONCE(iso_ipoib_client, 0);
}
