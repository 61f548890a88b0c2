// SPDX-License-Identifier: GPL-2.0-only
/*
 * The receive side of a QP: posted receives wait on the QP's receive queue
 * until the fabric hands the QP a packet (sib_qp_receive()), which takes
 * the oldest, fills it and completes it; on the move to the error state
 * every posted receive completes with IB_WC_WR_FLUSH_ERR, as ULPs waiting
 * to tear down expect.
 */
#include "sib.h"

#define SIB_GRH_SLOT	sizeof(struct ib_grh)

int sib_post_recv(struct ib_qp *ibqp, const struct ib_recv_wr *wr,
		  const struct ib_recv_wr **bad)
{
	struct sib_qp *qp = to_sqp(ibqp);
	unsigned long flags;
	bool flush = false;
	int ret = 0;

	for (; wr; wr = wr->next) {
		struct sib_wqe *w;

		if (wr->num_sge > SIB_MAX_SGE) {
			ret = -EINVAL;
			break;
		}
		spin_lock_irqsave(&qp->lock, flags);
		if (qp->nrecv >= qp->max_recv) {
			spin_unlock_irqrestore(&qp->lock, flags);
			ret = -ENOMEM;
			break;
		}
		w = &qp->rq[(qp->rq_head + qp->nrecv) % qp->max_recv];
		w->wr_id = wr->wr_id;
		w->wr_cqe = wr->wr_cqe;
		w->num_sge = wr->num_sge;
		memcpy(w->sge, wr->sg_list, wr->num_sge * sizeof(*w->sge));
		qp->nrecv++;
		flush = qp->state == IB_QPS_ERR;
		spin_unlock_irqrestore(&qp->lock, flags);
	}
	if (ret && bad)
		*bad = wr;
	if (flush)
		sib_recv_flush(qp);
	return ret;
}

/* Take @qp's oldest posted receive into @w; the caller holds @qp->lock. */
static void sib_rq_pop(struct sib_qp *qp, struct sib_wqe *w)
{
	const struct sib_wqe *slot = &qp->rq[qp->rq_head];

	w->wr_id = slot->wr_id;
	w->wr_cqe = slot->wr_cqe;
	w->num_sge = slot->num_sge;
	memcpy(w->sge, slot->sge, slot->num_sge * sizeof(*w->sge));
	qp->rq_head = (qp->rq_head + 1) % qp->max_recv;
	qp->nrecv--;
}

/**
 * sib_recv_flush() - complete every posted receive with a flush error
 * @qp: the QP, in the error state
 *
 * Context: process or softirq; the caller holds no lock.
 */
void sib_recv_flush(struct sib_qp *qp)
{
	struct sib_cq *cq = to_scq(qp->ibqp.recv_cq);
	unsigned long flags;
	struct sib_wqe w;

	for (;;) {
		struct ib_wc wc = {
			.status = IB_WC_WR_FLUSH_ERR,
			.opcode = IB_WC_RECV,
			.qp = &qp->ibqp,
		};

		spin_lock_irqsave(&qp->lock, flags);
		if (!qp->nrecv) {
			spin_unlock_irqrestore(&qp->lock, flags);
			break;
		}
		sib_rq_pop(qp, &w);
		spin_unlock_irqrestore(&qp->lock, flags);
		wc.wr_id = w.wr_id;
		if (w.wr_cqe)
			wc.wr_cqe = w.wr_cqe;
		sib_cq_complete(cq, &wc, false);
	}
}

/**
 * sib_qp_take_recv() - the oldest posted receive of a QP ready to receive
 * @qp: the QP
 * @w: where to put it
 *
 * Context: any; takes @qp->lock.
 * Return: true if there was one (now the caller's).
 */
bool sib_qp_take_recv(struct sib_qp *qp, struct sib_wqe *w)
{
	unsigned long flags;
	bool ret = false;

	spin_lock_irqsave(&qp->lock, flags);
	if ((qp->state == IB_QPS_RTR || qp->state == IB_QPS_RTS) && qp->nrecv) {
		sib_rq_pop(qp, w);
		ret = true;
	}
	spin_unlock_irqrestore(&qp->lock, flags);
	return ret;
}

/**
 * sib_scatter() - copy into a receive's scatter list
 * @w: the receive
 * @off: from this byte of the scatter list on
 * @src: what
 * @len: how many bytes; what does not fit is left out
 *
 * Context: any.
 */
void sib_scatter(struct sib_wqe *w, u32 off, const void *src, u32 len)
{
	unsigned int i;

	for (i = 0; i < w->num_sge && len; i++) {
		u32 l = w->sge[i].length, n;

		if (off >= l) {
			off -= l;
			continue;
		}
		n = min(len, l - off);
		memcpy((void *)(uintptr_t)(w->sge[i].addr + off), src, n);
		src += n;
		len -= n;
		off = 0;
	}
}

/**
 * sib_scatter_payload() - copy a packet's payload to a receive, from
 * wherever it is (the sender's buffers, or @pkt->data)
 * @w: the receive
 * @off: where in its scatter list the payload begins
 * @pkt: the packet
 *
 * Context: any.
 */
void sib_scatter_payload(struct sib_wqe *w, u32 off, const struct sib_pkt *pkt)
{
	unsigned int i;

	if (!pkt->num_sge)
		sib_scatter(w, off, pkt->data, pkt->len);
	for (i = 0; i < pkt->num_sge; i++) {
		sib_scatter(w, off, (const void *)(uintptr_t)pkt->sge[i].addr,
			    pkt->sge[i].length);
		off += pkt->sge[i].length;
	}
}

/**
 * sib_recv_wc() - begin the completion of a receive a packet took
 * @wc: the completion, zeroed; its work request, opcode and QP are set
 * @w: the receive
 * @qp: its QP
 *
 * Context: any.
 * Return: the bytes the receive's scatter list holds.
 */
u32 sib_recv_wc(struct ib_wc *wc, const struct sib_wqe *w, struct sib_qp *qp)
{
	u32 room = 0;
	unsigned int i;

	for (i = 0; i < w->num_sge; i++)
		room += w->sge[i].length;
	wc->wr_id = w->wr_id;
	if (w->wr_cqe)
		wc->wr_cqe = w->wr_cqe;
	wc->opcode = IB_WC_RECV;
	wc->qp = &qp->ibqp;
	return room;
}

/**
 * sib_qp_receive() - deliver a packet to a QP: the receive side of a UD QP
 * @dst: the QP's HCA (its counters)
 * @qp: the QP, found by the fabric
 * @pkt: the packet
 *
 * Checks the Q_Key, takes the oldest posted receive, scatters the GRH slot
 * and the payload into it (from the sender's buffers: the one copy a
 * packet costs) and completes it on the receive CQ; what cannot be received
 * is counted as a drop of @dst.
 *
 * Context: the fabric's delivery work, bottom halves disabled.
 */
void sib_qp_receive(struct sib_dev *dst, struct sib_qp *qp,
		    const struct sib_pkt *pkt)
{
	struct ib_wc wc = {};
	struct sib_wqe wqe, *w = &wqe;
	u32 room;

	if (READ_ONCE(qp->qkey) != pkt->qkey && qp->ibqp.qp_type != IB_QPT_SMI) {
		sib_drop(dst, SIB_DROP_QKEY);
		return;
	}
	if (!sib_qp_take_recv(qp, w)) {
		sib_drop(dst, SIB_DROP_NO_RECV);
		return;
	}
	room = sib_recv_wc(&wc, w, qp);
	if (room < SIB_GRH_SLOT + pkt->len) {
		wc.status = IB_WC_LOC_LEN_ERR;
		sib_drop(dst, SIB_DROP_LEN);
	} else {
		/* The first 40 bytes are the GRH's, present or not. */
		if (pkt->has_grh)
			sib_scatter(w, 0, &pkt->grh, SIB_GRH_SLOT);
		sib_scatter_payload(w, SIB_GRH_SLOT, pkt);
		/* The checksum the sending HCA computed, if it did. */
		if (pkt->ip_csum)
			sib_scatter(w, SIB_GRH_SLOT + pkt->csum_pos, &pkt->csum,
				    sizeof(pkt->csum));
		wc.status = IB_WC_SUCCESS;
		wc.byte_len = SIB_GRH_SLOT + pkt->len;
		wc.src_qp = pkt->src_qpn;
		wc.slid = pkt->slid;
		wc.sl = pkt->sl;
		wc.pkey_index = 0;
		wc.port_num = 1;
		wc.wc_flags = pkt->has_grh ? IB_WC_GRH : 0;
		/* The checksum is right: this fabric's HCA computed it. */
		if (pkt->ip_csum)
			wc.wc_flags |= IB_WC_IP_CSUM_OK;
		if (pkt->has_imm) {
			wc.wc_flags |= IB_WC_WITH_IMM;
			wc.ex.imm_data = pkt->imm_data;
		}
		atomic64_inc(&dst->stats.rx_pkts);
		atomic64_add(pkt->len, &dst->stats.rx_bytes);
	}
	sib_cq_complete(to_scq(qp->ibqp.recv_cq), &wc, pkt->solicited);
}
