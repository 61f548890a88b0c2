// SPDX-License-Identifier: GPL-2.0-only
/*
 * The tap: a copy of what crosses the wire, for one capture backend
 * (sib_tap.h). The fabric calls sib_tap() where a packet leaves a port and
 * where it reaches one; it costs a patched-out branch unless a backend is
 * attached.
 */
#include <linux/export.h>
#include <linux/jump_label.h>
#include <linux/mutex.h>
#include <linux/rcupdate.h>
#include <linux/slab.h>

#include "sib.h"
#include "sib_tap.h"

DEFINE_STATIC_KEY_FALSE(sib_tap_key);
static const struct sib_tap_ops __rcu *sib_tap_ops;
static DEFINE_MUTEX(sib_tap_lock);	/* attaching and detaching */

/**
 * sib_tap_attach() - start copying every packet to @ops->packet
 * @ops: the backend's callbacks; must stay valid until sib_tap_detach()
 *
 * Context: process context (flips a static key).
 * Return: 0, or -EBUSY when another backend is attached.
 */
int sib_tap_attach(const struct sib_tap_ops *ops)
{
	int ret = 0;

	mutex_lock(&sib_tap_lock);
	if (rcu_access_pointer(sib_tap_ops)) {
		ret = -EBUSY;
	} else {
		rcu_assign_pointer(sib_tap_ops, ops);
		static_branch_enable(&sib_tap_key);
	}
	mutex_unlock(&sib_tap_lock);
	return ret;
}
EXPORT_SYMBOL_GPL(sib_tap_attach);

/**
 * sib_tap_detach() - stop copying packets to @ops
 * @ops: what sib_tap_attach() was given
 *
 * On return no call of @ops->packet is running or will start.
 *
 * Context: process context, may sleep (waits for an RCU grace period).
 */
void sib_tap_detach(const struct sib_tap_ops *ops)
{
	mutex_lock(&sib_tap_lock);
	if (rcu_access_pointer(sib_tap_ops) == ops) {
		static_branch_disable(&sib_tap_key);
		RCU_INIT_POINTER(sib_tap_ops, NULL);
	}
	mutex_unlock(&sib_tap_lock);
	synchronize_rcu();
}
EXPORT_SYMBOL_GPL(sib_tap_detach);

/**
 * sib_tap_owns() - is @ibdev an rdma_sib HCA?
 * @ibdev: any RDMA device
 *
 * Return: true for the HCAs of this module.
 */
bool sib_tap_owns(const struct ib_device *ibdev)
{
	return ibdev->ops.post_send == sib_post_send;
}
EXPORT_SYMBOL_GPL(sib_tap_owns);

/**
 * __sib_tap() - hand a packet to the attached backend
 * @sd: the port that sends or receives it
 * @pkt: the packet
 * @outgoing: @sd sends it (else receives it)
 *
 * A send's payload is gathered from the sender's buffers into a copy
 * (GFP_ATOMIC; if that fails, the backend does not see the packet).
 *
 * Context: the delivery work, bottom halves disabled; called through
 * sib_tap() only while the static key is on.
 */
void __sib_tap(struct sib_dev *sd, const struct sib_pkt *pkt, bool outgoing)
{
	const struct sib_tap_ops *ops;
	u8 *copy = NULL;
	struct sib_tap_pkt tp = {
		.grh = pkt->has_grh ? &pkt->grh : NULL,
		.data = pkt->data,
		.len = pkt->len,
		.src_qpn = pkt->src_qpn,
		.dqpn = pkt->dqpn,
		.qkey = pkt->qkey,
		.slid = pkt->slid,
		.dlid = pkt->dlid,
		.pkey = 0xffff,		/* the only P_Key of the subnet */
		.sl = pkt->sl,
		.solicited = pkt->solicited,
		.has_imm = pkt->has_imm,
		.imm_data = pkt->imm_data,
	};

	/* A send's payload is still in the sender's buffers: gather it. */
	if (pkt->num_sge) {
		copy = kmalloc(pkt->len ?: 1, GFP_ATOMIC);
		if (!copy)
			return;
		sib_pkt_read(pkt, 0, copy, pkt->len);
		if (pkt->ip_csum)
			memcpy(copy + pkt->csum_pos, &pkt->csum, sizeof(pkt->csum));
		tp.data = copy;
	}
	rcu_read_lock();
	ops = rcu_dereference(sib_tap_ops);
	if (ops)
		ops->packet(&sd->ibdev, outgoing, &tp);
	rcu_read_unlock();
	kfree(copy);
}
