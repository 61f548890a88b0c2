// SPDX-License-Identifier: GPL-2.0-only
/*
 * The hook: a kprobe at the entry of ib_sa_join_multicast() that rewrites
 * the JoinState of IPoIB's send-only joins, and how IPoIB's SA client is
 * recognised.
 *
 * ib_sa_join_multicast(client, device, port, rec, comp_mask, gfp, cb, ctx)
 * copies *rec before it does anything else, so changing rec->join_state at
 * entry changes the join, its per-port merge in ib_core and its later leave
 * consistently.
 *
 * IPoIB is recognised by its SA client, ipoib_sa_client, a data symbol of
 * ib_ipoib (which exports nothing). It is not looked up by name, and no
 * function is ever called through a looked-up address (kallsyms_lookup_name()
 * is not exported since 5.7, and with Indirect Branch Tracking a call
 * through an address learned from a kprobe faults or lands past a sealed
 * ENDBR). Instead the client pointer a join passes is named by the
 * reverse lookup printk uses ("%ps": "ipoib_sa_client [ib_ipoib]"), which
 * is safe in any context; module data symbols need CONFIG_KALLSYMS_ALL.
 * The first join IPoIB makes (the broadcast group's, at link up) is enough;
 * its address is then cached, so later joins cost one comparison.
 *
 * The cache is cleared when ib_ipoib goes (and comes): MODULE_STATE_GOING is
 * announced after ib_ipoib's exit function returned, and by then every call
 * it made into ib_sa_join_multicast(), and so every handler run that could
 * store its address, has returned; the notifier is registered before the
 * kprobe is armed, so no store can precede a GOING this module misses. A
 * stale address therefore never survives an unload, and a reloaded ib_ipoib
 * (possibly elsewhere) is recognised afresh at its first join. The pointer
 * is compared, never dereferenced.
 *
 * The handler runs with preemption off, under IPoIB's priv->lock with
 * interrupts disabled, and in NMI context where the probe is an int3 one:
 * atomics, RCU and irq_work only; no lock, no queue_work(), no printk.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/kprobes.h>
#include <linux/module.h>
#include <linux/rcupdate.h>
#include <linux/string.h>
#include <rdma/ib_sa.h>

#include "ipoib_sendonly.h"

#define IPOIB_SO_IPOIB_MODULE "ib_ipoib"
/* How "%ps" names IPoIB's SA client. */
#define IPOIB_SO_IPOIB_CLIENT "ipoib_sa_client [" IPOIB_SO_IPOIB_MODULE "]"

/* Send-only JoinStates: SendOnlyNonMember (IPoIB before 4.9), SendOnlyFull. */
#define IPOIB_SO_SENDONLY_STATES (RBP_JOIN_SENDONLY_NON_MEMBER | RBP_JOIN_SENDONLY_FULL_MEMBER)

/* Address of ib_ipoib's ipoib_sa_client once recognised, else 0. */
static unsigned long ipoib_so_ipoib_client;

/* Mis-encoded send-only joins (IPOIB_SO_JOIN_MISENCODED) seen since load. */
static atomic_long_t ipoib_so_misencoded = ATOMIC_LONG_INIT(0);

/* Reported by ipoib_so_note_work: IPoIB recognised; first mis-encoded join. */
static atomic_t ipoib_so_note_found = ATOMIC_INIT(0);
static atomic_t ipoib_so_note_misencoded = ATOMIC_INIT(0);
static struct work_struct ipoib_so_note_work;
/* Queues ipoib_so_note_work from the handler (NMI-safe). */
static struct irq_work ipoib_so_note_kick;

static void ipoib_so_note_kicked(struct irq_work *work)
{
	queue_work(ipoib_so_wq, &ipoib_so_note_work);
}

/*
 * ib_core's three-state helper "does this port's SA support
 * SendOnlyFullMember", from the patch queue's IB/sa entry; the kernels that
 * have it have the queue's IB/ipoib entry too, whose IPoIB makes the choice
 * policy auto makes. (Kernels 4.9-5.11 and RHEL 7 exported a boolean
 * ib_sa_sendonly_fullmem_support() whose IPoIB used FullMember whenever
 * support was not known: that is not auto's choice, so it is not this.)
 */
#define IPOIB_SO_KERNEL_AUTO_SYM "ib_sa_sendonly_fullmem_state"

/* The running ib_core has IPOIB_SO_KERNEL_AUTO_SYM; set once at init. */
static bool ipoib_so_kernel_auto;

/**
 * ipoib_so_kernel_decides() - does the kernel's IPoIB do policy auto itself?
 *
 * True when the running ib_core has ib_sa_sendonly_fullmem_state(): its
 * IPoIB then uses SendOnlyFullMember unless the SM is known to lack it and
 * falls back to FullMember when the SA refuses a send-only join, which is
 * what policy auto does, and auto leaves its joins alone. (It assumes the
 * queue's IB/sa and IB/ipoib patches travel together, as they are sent.)
 * ib_core cannot be unloaded under this module, so the answer is found
 * once.
 *
 * Return: the answer.
 */
bool ipoib_so_kernel_decides(void)
{
	return ipoib_so_kernel_auto;
}

/**
 * ipoib_so_ipoib_resolved() - is IPoIB's SA client known?
 *
 * Return: true from IPoIB's first join until ib_ipoib is unloaded.
 */
bool ipoib_so_ipoib_resolved(void)
{
	return READ_ONCE(ipoib_so_ipoib_client) != 0;
}

/**
 * ipoib_so_misencoded_seen() - mis-encoded send-only joins seen since load
 *
 * Return: their number.
 */
long ipoib_so_misencoded_seen(void)
{
	return atomic_long_read(&ipoib_so_misencoded);
}

/**
 * ipoib_so_is_ipoib_client() - is @client IPoIB's SA client?
 * @client: the struct ib_sa_client * a join passes, as a number
 *
 * Once IPoIB's client was recognised only that address is, which costs
 * one comparison; until then, every client is named by kallsyms.
 *
 * Context: the kprobe handler (atomic); vsnprintf()'s "%ps" takes no lock
 * and does not sleep.
 * Return: true for IPoIB's client.
 */
static bool ipoib_so_is_ipoib_client(unsigned long client)
{
	unsigned long known = READ_ONCE(ipoib_so_ipoib_client);
	char name[sizeof(IPOIB_SO_IPOIB_CLIENT) + 1];

	if (known)
		return client == known;
	if (!IS_ENABLED(CONFIG_KALLSYMS_ALL) || !client)
		return false;
	/* Longer names are cut short and differ: no false match. */
	snprintf(name, sizeof(name), "%ps", (void *)client);
	if (strcmp(name, IPOIB_SO_IPOIB_CLIENT))
		return false;
	if (!cmpxchg(&ipoib_so_ipoib_client, 0, client)) {
		atomic_set(&ipoib_so_note_found, 1);
		irq_work_queue(&ipoib_so_note_kick);
	}
	return true;
}

static int ipoib_so_join_pre(struct kprobe *kp, struct pt_regs *regs)
{
	unsigned long client = rbp_kprobe_arg(regs, 0);
	struct ib_device *dev = (struct ib_device *)rbp_kprobe_arg(regs, 1);
	/* u8 before 5.13: the register's upper bits are not defined. */
	u32 port = (rbp_port_t)rbp_kprobe_arg(regs, 2);
	struct ib_sa_mcmember_rec *rec = (void *)rbp_kprobe_arg(regs, 3);
	ib_sa_comp_mask mask = (__force ib_sa_comp_mask)rbp_kprobe_arg(regs, 4);
	struct ipoib_so_port *p;
	u8 state, want;

	rcu_read_lock();
	p = ipoib_so_find_port(dev, port);
	if (p)
		atomic_long_inc(&p->seen);

	/* Only IPoIB's own joins that name a JoinState... */
	if (!rec || (mask & IB_SA_MCMEMBER_REC_JOIN_STATE) == 0 ||
	    !ipoib_so_is_ipoib_client(client))
		goto out;
	/* ...and a send-only one, or RHEL 7's rendering of SendOnlyFull. */
	state = rec->join_state;
	if (state == IPOIB_SO_JOIN_MISENCODED) {
		if (atomic_long_inc_return(&ipoib_so_misencoded) == 1) {
			atomic_set(&ipoib_so_note_misencoded, 1);
			irq_work_queue(&ipoib_so_note_kick);
		}
	} else if (!state || (state & ~IPOIB_SO_SENDONLY_STATES)) {
		goto out;
	}

	want = ipoib_so_decide(p, state).state ?: state;
	if (p) {
		/* Its completion names this GID: refusals.c finds @p by it. */
		WRITE_ONCE(p->gid_prefix, rec->port_gid.global.subnet_prefix);
		WRITE_ONCE(p->gid_guid, rec->port_gid.global.interface_id);
		atomic_long_inc(&p->sendonly);
		/* The first observation of IPoIB's own choice is reported. */
		if (atomic_xchg(&p->native, state) != state)
			irq_work_queue(&p->log_kick);
		if (want != state)
			atomic_long_inc(&p->rewritten);
		else
			atomic_long_inc(&p->left_alone);
	}
	rec->join_state = want;
out:
	rcu_read_unlock();
	return 0;
}

static struct kprobe ipoib_so_join_kprobe = {
	.pre_handler = ipoib_so_join_pre,
};

/* What the handler noted, said once in process context. */
static void ipoib_so_note(struct work_struct *work)
{
	if (atomic_xchg(&ipoib_so_note_found, 0)) {
		pr_info("IPoIB's SA client recognised at its first join (%s)\n",
			IPOIB_SO_IPOIB_CLIENT);
		ipoib_so_refusals_arm();
	}
	if (atomic_xchg(&ipoib_so_note_misencoded, 0))
		pr_warn("IPoIB asked for JoinState 0x%lx (FullMember|NonMember) in a send-only join: the kernel's SendOnlyFullMember is mis-encoded (enum index, not bit 0x%lx); such joins follow policy %s\n",
			IPOIB_SO_JOIN_MISENCODED, RBP_JOIN_SENDONLY_FULL_MEMBER,
			ipoib_so_policy_name(ipoib_so_get_policy()));
}

static int ipoib_so_module_event(struct notifier_block *nb, unsigned long action,
				 void *data)
{
	struct module *mod = data;

	if (strcmp(mod->name, IPOIB_SO_IPOIB_MODULE))
		return NOTIFY_DONE;
	/*
	 * GOING: ib_ipoib's exit has returned, none of its joins is in
	 * flight, so nothing stores its address again. COMING: none of its
	 * code has run yet; clearing is only belt and braces.
	 */
	if (action == MODULE_STATE_GOING || action == MODULE_STATE_COMING) {
		WRITE_ONCE(ipoib_so_ipoib_client, 0);
		/* The completion probe sits in ib_ipoib's text: off with it. */
		ipoib_so_refusals_disarm();
	}
	return NOTIFY_DONE;
}

static struct notifier_block ipoib_so_module_nb = {
	.notifier_call = ipoib_so_module_event,
};

/*
 * Does the running kernel (or a loaded module) have function @sym? Asked by
 * registering a disabled kprobe on it: that resolves the name and patches
 * nothing, and nothing is ever called through the address. (__symbol_get()
 * does not do: ib_core exports it without _GPL, and __symbol_get() refuses such
 * symbols since 6.5 and in the stable kernels that took that change.)
 */
static bool ipoib_so_kernel_has(const char *sym)
{
	struct kprobe kp = {
		.symbol_name = sym,
		.flags = KPROBE_FLAG_DISABLED,
	};

	if (register_kprobe(&kp))
		return false;
	unregister_kprobe(&kp);
	return true;
}

/**
 * ipoib_so_hook_init() - arm the kprobe; IPoIB is recognised at its first join
 *
 * The probe is placed by the address of ib_sa_join_multicast, a symbol of
 * ib_core this module links against: ib_core cannot go away under it.
 *
 * Return: 0 or a negative errno.
 */
int ipoib_so_hook_init(void)
{
	int ret;

	INIT_WORK(&ipoib_so_note_work, ipoib_so_note);
	init_irq_work(&ipoib_so_note_kick, ipoib_so_note_kicked);
	ipoib_so_kernel_auto = ipoib_so_kernel_has(IPOIB_SO_KERNEL_AUTO_SYM);
	if (ipoib_so_kernel_auto)
		pr_info("the kernel's IPoIB picks send-only JoinStates as policy auto does (ib_core has %s): auto leaves them alone\n",
			IPOIB_SO_KERNEL_AUTO_SYM);
	if (!IS_ENABLED(CONFIG_KALLSYMS_ALL))
		pr_warn("CONFIG_KALLSYMS_ALL is off: IPoIB's SA client cannot be recognised, its joins are left alone\n");

	/* Before the kprobe: no address is cached before a GOING we miss. */
	ret = register_module_notifier(&ipoib_so_module_nb);
	if (ret)
		return ret;

	ipoib_so_join_kprobe.addr = (kprobe_opcode_t *)ib_sa_join_multicast;
	ret = register_kprobe(&ipoib_so_join_kprobe);
	if (ret) {
		pr_err("cannot probe ib_sa_join_multicast: %d\n", ret);
		unregister_module_notifier(&ipoib_so_module_nb);
		return ret;
	}
	return 0;
}

/**
 * ipoib_so_hook_exit() - disarm; returns once no handler runs any more
 */
void ipoib_so_hook_exit(void)
{
	unregister_kprobe(&ipoib_so_join_kprobe);
	unregister_module_notifier(&ipoib_so_module_nb);
	irq_work_sync(&ipoib_so_note_kick);
	cancel_work_sync(&ipoib_so_note_work);
	ipoib_so_refusals_disarm();
	WRITE_ONCE(ipoib_so_ipoib_client, 0);
}
