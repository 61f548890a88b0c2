// SPDX-License-Identifier: GPL-2.0-only
/*
 * The switch. post_send() queues the packet, whose payload stays in the
 * sender's buffers until it is delivered (send.c); one work item delivers
 * everything queued, in order, with bottom halves disabled (what IPoIB's
 * polling expects of completion handlers), never recursively from the
 * sender's context.
 *
 * Unicast goes by destination LID and QPN, with a Q_Key check (post_send
 * refused anything larger than the MTU, as UD allows one packet); an RC
 * message goes whole to the QP its sender is connected to (rc.c). Multicast
 * (LID >= 0xc000) goes, like the forwarding tables an SM programs, to every
 * other port whose SA JoinState for the group includes FullMember or
 * NonMember (send-only members do not receive), and there to every QP
 * attached to the group. On the sending port it is looped back to the
 * attached QPs, the sender's own included unless the sender was created
 * with IB_QP_CREATE_BLOCK_MULTICAST_LOOPBACK: that blocks the packet from
 * the sending QP itself only, other QPs of the port still get it
 * (IBV_QP_CREATE_BLOCK_SELF_MCAST_LB semantics).
 *
 * SMPs to QP0 of the permissive LID or of the switch's own (SIB_SM_LID)
 * are the switch's (switch.c): its SMA answers them, or passes a
 * directed-route one on out of the port its route says, as a packet of
 * its own with @sw_port set; MADs to QP1 of SIB_SM_LID are the SA's.
 *
 * A capture backend attached to the tap (tap.c) sees each packet as the
 * sending port's, and as each other port's that it reaches.
 *
 * QPs and HCAs found under sib_subnet.lock stay valid for the whole work
 * run: destroying either first makes it unreachable, then waits for the
 * delivery work (sib_fabric_flush()).
 *
 * The switch can be held (debugfs "hold"), as a link starved of credits
 * is: sends stay queued, holding their send queue slots, until it is
 * released. Destroying a QP or an HCA delivers what is queued regardless.
 */
#include <linux/slab.h>

#include "sib.h"

/**
 * sib_pkt_alloc() - a packet with room for @len bytes of payload in @data
 * @len: payload length
 * @gfp: allocation flags
 *
 * A QP's send allocates none (0) and sets @len and @sge itself.
 *
 * Return: the packet (zeroed header) or NULL.
 */
struct sib_pkt *sib_pkt_alloc(u32 len, gfp_t gfp)
{
	struct sib_pkt *pkt = kzalloc(struct_size(pkt, data, len), gfp);

	if (pkt)
		pkt->len = len;
	return pkt;
}

/**
 * sib_pkt_read() - copy part of a packet's payload, wherever it is
 * @pkt: the packet
 * @off: from this byte of the payload
 * @dst: to here
 * @len: this many bytes; @off + @len must not exceed @pkt->len
 *
 * Context: any. The checksum an HCA fills in (@pkt->ip_csum) is not.
 */
void sib_pkt_read(const struct sib_pkt *pkt, u32 off, void *dst, u32 len)
{
	unsigned int i;

	if (!pkt->num_sge) {
		memcpy(dst, pkt->data + off, len);
		return;
	}
	for (i = 0; i < pkt->num_sge && len; i++) {
		u32 l = pkt->sge[i].length, n;

		if (off >= l) {
			off -= l;
			continue;
		}
		n = min(len, l - off);
		memcpy(dst, (const void *)(uintptr_t)(pkt->sge[i].addr + off), n);
		dst += n;
		len -= n;
		off = 0;
	}
}

/**
 * sib_fabric_send() - hand a packet to the switch
 * @pkt: the packet; the fabric owns it from now on
 *
 * Context: any (post_send runs in softirq and under ULP spinlocks).
 * Return: 0.
 */
int sib_fabric_send(struct sib_pkt *pkt)
{
	unsigned long flags;
	bool held;

	/* A flushed work request (send.c) goes nowhere. */
	if (pkt->src && pkt->status == IB_WC_SUCCESS) {
		atomic64_add(sib_wire_pkts(pkt), &pkt->src->stats.tx_pkts);
		atomic64_add(pkt->len, &pkt->src->stats.tx_bytes);
	}
	spin_lock_irqsave(&sib_subnet.pkt_lock, flags);
	list_add_tail(&pkt->list, &sib_subnet.pkts);
	held = sib_subnet.hold;
	spin_unlock_irqrestore(&sib_subnet.pkt_lock, flags);
	if (!held)
		queue_work(sib_subnet.wq, &sib_subnet.deliver);
	return 0;
}

/**
 * sib_fabric_flush() - deliver everything queued so far, held or not, and
 * wait for it
 *
 * Context: process context, not from the delivery work.
 */
void sib_fabric_flush(void)
{
	bool pending;

	/* Only held packets can be queued with no work queued for them. */
	spin_lock_irq(&sib_subnet.pkt_lock);
	pending = !list_empty(&sib_subnet.pkts);
	spin_unlock_irq(&sib_subnet.pkt_lock);
	if (pending)
		queue_work(sib_subnet.wq, &sib_subnet.deliver);
	flush_work(&sib_subnet.deliver);
}

/**
 * sib_fabric_hold() - hold the switch, or release it
 * @hold: true: packets sent from now on stay queued; false: deliver them
 *
 * Holding also waits for what was queued before to be delivered, so that
 * once it returns only later sends are held.
 *
 * Context: process context.
 */
void sib_fabric_hold(bool hold)
{
	spin_lock_irq(&sib_subnet.pkt_lock);
	sib_subnet.hold = hold;
	spin_unlock_irq(&sib_subnet.pkt_lock);
	if (hold)
		flush_work(&sib_subnet.deliver);
	else
		queue_work(sib_subnet.wq, &sib_subnet.deliver);
}

/**
 * sib_fabric_held() - whether the switch is held
 *
 * Return: sib_subnet.hold.
 */
bool sib_fabric_held(void)
{
	return READ_ONCE(sib_subnet.hold);
}

static void sib_route_unicast(struct sib_pkt *pkt)
{
	enum sib_drop why = SIB_DROP_NO_LID;
	struct sib_dev *dst = NULL;
	struct sib_qp *qp = NULL;
	unsigned long flags;

	spin_lock_irqsave(&sib_subnet.lock, flags);
	if (sib_sm_external)
		dst = sib_switch_unicast(pkt, &why);
	else if (pkt->dlid < ARRAY_SIZE(sib_subnet.by_lid))
		dst = sib_subnet.by_lid[pkt->dlid];
	if (dst)
		qp = xa_load(&dst->qps, pkt->dqpn);
	spin_unlock_irqrestore(&sib_subnet.lock, flags);

	if (pkt->rc) {
		sib_rc_receive(dst, qp, pkt, why);
		return;
	}
	if (dst && dst != pkt->src)
		sib_tap(dst, pkt, false);
	if (!dst)
		sib_drop(pkt->src, why);
	else if (!qp)
		sib_drop(dst, SIB_DROP_NO_QP);
	else
		sib_qp_receive(dst, qp, pkt);
}

#define SIB_MC_TARGETS 64

static void sib_route_multicast(struct sib_pkt *pkt)
{
	struct { struct sib_dev *dev; struct sib_qp *qp; } *t;
	struct sib_group *grp;
	unsigned int n = 0, i;
	unsigned long flags, idx;
	union ib_gid mgid;
	struct sib_qp *qp;

	t = kmalloc_array(SIB_MC_TARGETS, sizeof(*t), GFP_ATOMIC);
	if (!t)
		return;

	spin_lock_irqsave(&sib_subnet.lock, flags);
	if (sib_sm_external) {
		/* By the MFT; the group is the GRH's (a multicast send has one). */
		if (!pkt->has_grh) {
			sib_drop(pkt->src, SIB_DROP_NO_LID);
			goto unlock;
		}
		if (pkt->src && !sib_switch_port_active(pkt->src)) {
			sib_drop(pkt->src, SIB_DROP_INACTIVE);
			goto unlock;
		}
		grp = NULL;
		mgid = pkt->grh.dgid;
	} else {
		grp = sib_group_by_mlid(pkt->dlid);
		if (!grp)
			goto unlock;
		mgid = grp->mgid;
	}
	for (i = SIB_FIRST_LID; i < ARRAY_SIZE(sib_subnet.by_lid); i++) {
		struct sib_dev *sd = sib_subnet.by_lid[i];

		if (!sd)
			continue;
		if (sd != pkt->src &&
		    !(grp ? sib_group_forwards_to(grp, sd) :
		      sib_switch_mc_forwards(pkt, sd)))
			continue;
		if (sd != pkt->src)
			sib_tap(sd, pkt, false);
		xa_for_each(&sd->qps, idx, qp) {
			if (qp == pkt->sqp && qp->block_mc_lb)
				continue;
			if (!sib_qp_attached(qp, &mgid))
				continue;
			if (n == SIB_MC_TARGETS) {
				/* More attached QPs than one packet fans out to. */
				sib_drop(sd, SIB_DROP_FANOUT);
				continue;
			}
			t[n].dev = sd;
			t[n].qp = qp;
			n++;
		}
	}
unlock:
	spin_unlock_irqrestore(&sib_subnet.lock, flags);

	for (i = 0; i < n; i++)
		sib_qp_receive(t[i].dev, t[i].qp, pkt);
	kfree(t);
}

/* Where a packet goes: the switch, the SA, a group or a QP. */
static void sib_route(struct sib_pkt *pkt)
{
	/* An RC message is between two QPs, whatever their LIDs. */
	if (pkt->rc) {
		sib_route_unicast(pkt);
		return;
	}
	if (pkt->src)
		sib_tap(pkt->src, pkt, true);
	if (pkt->sw_port)
		sib_switch_deliver(pkt);
	else if (sib_switch_is_for(pkt))
		sib_switch_receive(pkt);
	else if (pkt->dlid == SIB_SM_LID && !sib_sm_external)
		sib_sa_handle(pkt);
	else if (pkt->dlid >= SIB_MLID_BASE)
		sib_route_multicast(pkt);
	else
		sib_route_unicast(pkt);
}

/**
 * sib_fabric_deliver_work() - deliver every queued packet
 * @work: sib_subnet.deliver
 */
void sib_fabric_deliver_work(struct work_struct *work)
{
	struct sib_pkt *pkt, *n;
	LIST_HEAD(batch);

	for (;;) {
		spin_lock_irq(&sib_subnet.pkt_lock);
		list_splice_init(&sib_subnet.pkts, &batch);
		spin_unlock_irq(&sib_subnet.pkt_lock);
		if (list_empty(&batch))
			break;

		local_bh_disable();
		list_for_each_entry_safe(pkt, n, &batch, list) {
			list_del(&pkt->list);
			/* A flushed work request is only completed. */
			if (pkt->status == IB_WC_SUCCESS)
				sib_route(pkt);
			sib_send_complete(pkt);
			kfree(pkt);
		}
		local_bh_enable();
		cond_resched();
	}
}
