// SPDX-License-Identifier: GPL-2.0-only
/*
 * RC: reliable connected QPs, for kernel ULPs (IPoIB's connected mode).
 *
 * An RC QP talks to the one QP its RTR transition named (IB_QP_DEST_QPN at
 * the LID of IB_QP_AV). A send is one message of up to SIB_RC_MAX_MSG
 * bytes: the fabric is lossless and keeps order, so it goes whole, read
 * from the sender's buffers and written into the receive the remote QP
 * posted, and it completes once it has been received, as an acknowledged
 * send does. The sender's transport errors are those a real RC requester
 * sees once its retries are used up:
 *
 *   no such LID, no such QP, a QP not in RTR/RTS or connected to another
 *       -> IB_WC_RETRY_EXC_ERR (no ACK ever comes)
 *   no receive posted   -> IB_WC_RNR_RETRY_EXC_ERR (RNR retries are not
 *       modelled: the first RNR NAK ends the send, whatever the count)
 *   receive too small   -> IB_WC_REM_INV_REQ_ERR at the sender,
 *       IB_WC_LOC_LEN_ERR at the receiver, whose QP goes to error too
 *
 * and a failed send moves its QP to the error state (send.c), where later
 * sends complete with IB_WC_WR_FLUSH_ERR. RDMA READ/WRITE and atomics are
 * not offered (post_send refuses them). RC messages are not shown to a
 * capture backend: the tap (sib_tap.h) describes UD packets.
 */
#include "sib.h"

/**
 * sib_rc_address() - address an RC send to the QP its QP is connected to
 * @pkt: the packet, its payload and length set
 * @qp: the sending QP, in RTS
 * @wr: the work request
 *
 * Context: post_send; takes @qp->lock.
 */
void sib_rc_address(struct sib_pkt *pkt, struct sib_qp *qp,
		    const struct ib_send_wr *wr)
{
	unsigned long flags;

	sib_pkt_from_wr(pkt, qp, wr);
	spin_lock_irqsave(&qp->lock, flags);
	pkt->dlid = qp->rc.dlid;
	pkt->dqpn = qp->rc.dqpn;
	pkt->sl = qp->rc.sl;
	spin_unlock_irqrestore(&qp->lock, flags);
	pkt->rc = true;
}

/* Is @qp an RC QP ready to receive, connected to @pkt's sender? */
static bool sib_rc_connected(struct sib_qp *qp, const struct sib_pkt *pkt)
{
	unsigned long flags;
	bool ret;

	if (qp->ibqp.qp_type != IB_QPT_RC)
		return false;
	spin_lock_irqsave(&qp->lock, flags);
	ret = (qp->state == IB_QPS_RTR || qp->state == IB_QPS_RTS) &&
	      qp->rc.dqpn == pkt->src_qpn && qp->rc.dlid == pkt->slid;
	spin_unlock_irqrestore(&qp->lock, flags);
	return ret;
}

/**
 * sib_rc_receive() - deliver an RC message, and say how its send completes
 * @dst: the HCA its LID led to, NULL if none
 * @qp: the QP of @dst it names, NULL if none
 * @pkt: the message; @pkt->status is set for the sender's completion
 * @why: what to count if @dst is NULL
 *
 * Context: the fabric's delivery work, bottom halves disabled.
 */
void sib_rc_receive(struct sib_dev *dst, struct sib_qp *qp,
		    struct sib_pkt *pkt, enum sib_drop why)
{
	struct ib_wc wc = {};
	struct sib_wqe w;

	/* Behind a send that failed: flushed, never sent. */
	if (READ_ONCE(pkt->sqp->state) == IB_QPS_ERR) {
		pkt->status = IB_WC_WR_FLUSH_ERR;
		return;
	}
	if (!dst) {
		sib_drop(pkt->src, why);
		pkt->status = IB_WC_RETRY_EXC_ERR;
		return;
	}
	if (!qp || !sib_rc_connected(qp, pkt)) {
		sib_drop(dst, SIB_DROP_NO_QP);
		pkt->status = IB_WC_RETRY_EXC_ERR;
		return;
	}
	if (!sib_qp_take_recv(qp, &w)) {
		sib_drop(dst, SIB_DROP_NO_RECV);
		pkt->status = IB_WC_RNR_RETRY_EXC_ERR;
		return;
	}
	if (sib_recv_wc(&wc, &w, qp) < pkt->len) {
		wc.status = IB_WC_LOC_LEN_ERR;
		sib_drop(dst, SIB_DROP_LEN);
		pkt->status = IB_WC_REM_INV_REQ_ERR;
		sib_cq_complete(to_scq(qp->ibqp.recv_cq), &wc, false);
		sib_qp_to_error(qp);
		return;
	}
	sib_scatter_payload(&w, 0, pkt);
	wc.status = IB_WC_SUCCESS;
	wc.byte_len = pkt->len;
	wc.src_qp = pkt->src_qpn;
	wc.slid = pkt->slid;
	wc.sl = pkt->sl;
	wc.port_num = 1;
	if (pkt->has_imm) {
		wc.wc_flags |= IB_WC_WITH_IMM;
		wc.ex.imm_data = pkt->imm_data;
	}
	atomic64_add(sib_wire_pkts(pkt), &dst->stats.rx_pkts);
	atomic64_add(pkt->len, &dst->stats.rx_bytes);
	sib_cq_complete(to_scq(qp->ibqp.recv_cq), &wc, pkt->solicited);
}
