// SPDX-License-Identifier: GPL-2.0-only
/*
 * Noticing an SM that refuses SendOnlyFullMember joins.
 *
 * Policy auto sends SendOnlyFullMember (0x8) unless the port's SM is known
 * to lack it. An SM may lack it without saying so in a ClassPortInfo we can
 * read (it refuses the query, answers in another form, or has not answered
 * yet after a re-register). Such an SM refuses a 0x8 join that would
 * create a group, with an SA error status; ib_core reports every SA error
 * status to the joiner as -EINVAL. IPoIB retries a failed send-only join
 * once, after a backoff, before it drops the queued packets.
 *
 * So a kprobe at the entry of IPoIB's join completion,
 * ipoib_mcast_join_complete(status, multicast), marks the port legacy
 * when a 0x8 join IPoIB made comes back with -EINVAL: IPoIB's retry, and
 * every later send-only join of that port, is then FullMember, until an SM
 * change event (sm_caps.c clears the mark). The port is found by the
 * PortGID of the join record, which the join hook noted per port.
 * -EINVAL also covers SA errors that have nothing to do with the JoinState;
 * their FullMember retry fails the same way, and the cost is that this
 * port's later send-only joins are FullMember until the SM changes.
 *
 * ipoib_mcast_join_complete is a static function of ib_ipoib, probed by
 * name once IPoIB's SA client has been recognised (so ib_ipoib is loaded)
 * and unprobed when ib_ipoib goes, before its text is freed. Nothing is
 * ever called through its address.
 *
 * Locking: ipoib_so_done_lock (a mutex) serialises arming and disarming, which
 * happen in process context (the note work, the module notifier, exit).
 * The handler, possibly in NMI context, uses atomics, RCU and irq_work.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/kprobes.h>
#include <linux/mutex.h>
#include <rdma/ib_sa.h>

#include "ipoib_sendonly.h"

#define IPOIB_SO_DONE_SYM "ipoib_mcast_join_complete"

static DEFINE_MUTEX(ipoib_so_done_lock);
static struct kprobe ipoib_so_done_kprobe;
static bool ipoib_so_done_armed;	/* under ipoib_so_done_lock; read racily by debugfs */

/* ipoib_mcast_join_complete(int status, struct ib_sa_multicast *multicast) */
static int ipoib_so_done_pre(struct kprobe *kp, struct pt_regs *regs)
{
	int status = (int)rbp_kprobe_arg(regs, 0);
	struct ib_sa_multicast *mc = (void *)rbp_kprobe_arg(regs, 1);
	struct ipoib_so_port *p;

	if (status != -EINVAL || !mc ||
	    mc->rec.join_state != RBP_JOIN_SENDONLY_FULL_MEMBER)
		return 0;
	rcu_read_lock();
	p = ipoib_so_find_port_by_gid(&mc->rec.port_gid);
	if (p) {
		atomic_long_inc(&p->refused);
		if (!atomic_xchg(&p->legacy, 1))
			irq_work_queue(&p->log_kick);
	}
	rcu_read_unlock();
	return 0;
}

/**
 * ipoib_so_refusals_arm() - probe IPoIB's join completion, if not yet done
 *
 * Context: process context; IPoIB's SA client was just recognised.
 */
void ipoib_so_refusals_arm(void)
{
	int ret;

	mutex_lock(&ipoib_so_done_lock);
	if (!ipoib_so_done_armed && ipoib_so_ipoib_resolved()) {
		memset(&ipoib_so_done_kprobe, 0, sizeof(ipoib_so_done_kprobe));
		ipoib_so_done_kprobe.symbol_name = IPOIB_SO_DONE_SYM;
		ipoib_so_done_kprobe.pre_handler = ipoib_so_done_pre;
		ret = register_kprobe(&ipoib_so_done_kprobe);
		if (ret)
			pr_warn("cannot probe %s (%d): an SM that refuses SendOnlyFullMember joins is noticed only by its ClassPortInfo\n",
				IPOIB_SO_DONE_SYM, ret);
		else
			WRITE_ONCE(ipoib_so_done_armed, true);
	}
	mutex_unlock(&ipoib_so_done_lock);
}

/**
 * ipoib_so_refusals_disarm() - remove the probe; no handler runs after return
 *
 * Context: process context (module notifier, module exit).
 */
void ipoib_so_refusals_disarm(void)
{
	mutex_lock(&ipoib_so_done_lock);
	if (ipoib_so_done_armed) {
		unregister_kprobe(&ipoib_so_done_kprobe);
		WRITE_ONCE(ipoib_so_done_armed, false);
	}
	mutex_unlock(&ipoib_so_done_lock);
}

/**
 * ipoib_so_refusals_armed() - is IPoIB's join completion probed?
 *
 * Return: the answer, for debugfs.
 */
bool ipoib_so_refusals_armed(void)
{
	return READ_ONCE(ipoib_so_done_armed);
}
