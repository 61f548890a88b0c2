// SPDX-License-Identifier: GPL-2.0-only
/*
 * The tap: a copy of what crosses the wire, for one capture backend
 * (sib_tap.h). The fabric calls sib_tap() where a packet leaves a port and
 * where it reaches one; it costs a patched-out branch unless a backend is
 * attached, and a test of the port unless the backend turned the port on.
 */
#include <linux/export.h>
#include <linux/jump_label.h>
#include <linux/mutex.h>
#include <linux/rcupdate.h>

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
 * sib_tap_port() - copy the packets of one HCA's port, or stop
 * @ibdev: an rdma_sib HCA (sib_tap_owns())
 * @on: copy them to the attached backend from now on, or no longer
 *
 * Only the ports turned on here are copied, so a port nobody captures
 * costs its packets no more than a test while another one is captured.
 * A packet already on its way may still be copied after @on went false.
 *
 * Context: any; the caller keeps @ibdev registered.
 */
void sib_tap_port(struct ib_device *ibdev, bool on)
{
	if (WARN_ON_ONCE(!sib_tap_owns(ibdev)))
		return;
	WRITE_ONCE(to_sdev(ibdev)->tapped, on);
}
EXPORT_SYMBOL_GPL(sib_tap_port);

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
 * Context: the delivery work, bottom halves disabled; called through
 * sib_tap() only while the static key is on.
 */
void __sib_tap(struct sib_dev *sd, const struct sib_pkt *pkt, bool outgoing)
{
	const struct sib_tap_ops *ops;
	struct sib_tap_pkt tp = {
		.grh = pkt->has_grh ? &pkt->grh : NULL,
		/* A send's payload is still in the sender's buffers. */
		.data = pkt->num_sge ? NULL : pkt->data,
		.pkt = pkt,
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

	rcu_read_lock();
	ops = rcu_dereference(sib_tap_ops);
	if (ops)
		ops->packet(&sd->ibdev, outgoing, &tp);
	rcu_read_unlock();
}

/**
 * sib_tap_read() - copy part of a tapped packet's payload
 * @tp: the packet, as the backend's packet() was given it
 * @off: from this byte of the payload
 * @dst: to here
 * @len: this many bytes; @off + @len must not exceed @tp->len
 *
 * Copies what the receivers get: from the sender's buffers, with the
 * checksum the HCA filled in (IB_SEND_IP_CSUM).
 *
 * Context: within the backend's packet() only.
 */
void sib_tap_read(const struct sib_tap_pkt *tp, u32 off, void *dst, u32 len)
{
	const struct sib_pkt *pkt = tp->pkt;
	const u8 *csum = (const u8 *)&pkt->csum;
	u32 i;

	sib_pkt_read(pkt, off, dst, len);
	if (!pkt->ip_csum)
		return;
	for (i = 0; i < sizeof(pkt->csum); i++)
		if (pkt->csum_pos + i >= off && pkt->csum_pos + i < off + len)
			((u8 *)dst)[pkt->csum_pos + i - off] = csum[i];
}
EXPORT_SYMBOL_GPL(sib_tap_read);
