// SPDX-License-Identifier: GPL-2.0-only
/*
 * CQs and QPs. UD and GSI only: RC/UC creation fails with -EOPNOTSUPP, so
 * IPoIB stays in datagram mode. The GSI QP is QP1 (ib_mad checks it).
 *
 * A QP's receive queue holds posted receives until the fabric consumes one;
 * sends are handed to the fabric at once (post_send runs under ib_mad's
 * spinlock and in IPoIB's transmit softirq, so it only copies the payload
 * and queues it) and complete when delivered. On the move to the error
 * state every posted receive completes with IB_WC_WR_FLUSH_ERR, as ULPs
 * waiting to tear down expect.
 */
#include <linux/slab.h>

#include "sib.h"

/**
 * sib_cq_complete() - add a completion and notify if the CQ is armed
 * @cq: the CQ
 * @wc: the completion
 * @solicited: the packet that completed a receive asked for a solicited
 *	event (IB_SEND_SOLICITED)
 *
 * A CQ armed with IB_CQ_NEXT_COMP fires on any completion; one armed with
 * IB_CQ_SOLICITED on a solicited receive or an error completion (IBA
 * 11.4.2.2). A full CQ is an overflow, as on hardware: the completion is
 * lost, the CQ goes into error and its owner gets IB_EVENT_CQ_ERR, once.
 *
 * Context: any; takes @cq->lock. The handlers are read at call time:
 * ib_alloc_cq() sets them after create_cq returned.
 */
void sib_cq_complete(struct sib_cq *cq, const struct ib_wc *wc, bool solicited)
{
	struct ib_event ev = { .event = IB_EVENT_CQ_ERR };
	unsigned long flags;
	bool notify = false, overflow = false;

	spin_lock_irqsave(&cq->lock, flags);
	if (cq->overflowed) {
		spin_unlock_irqrestore(&cq->lock, flags);
		return;
	}
	if (cq->count == cq->size) {
		cq->overflowed = true;
		overflow = true;
	} else {
		cq->ring[(cq->head + cq->count) % cq->size] = *wc;
		cq->count++;
		cq->missed = true;
		if (cq->notify == IB_CQ_NEXT_COMP ||
		    (cq->notify == IB_CQ_SOLICITED &&
		     (solicited || wc->status != IB_WC_SUCCESS))) {
			cq->notify = 0;
			notify = true;
		}
	}
	spin_unlock_irqrestore(&cq->lock, flags);
	if (overflow) {
		pr_warn_ratelimited("rdma_sib: CQ overflow (%u entries): IB_EVENT_CQ_ERR\n",
				    cq->size);
		ev.device = cq->ibcq.device;
		ev.element.cq = &cq->ibcq;
		if (cq->ibcq.event_handler)
			cq->ibcq.event_handler(&ev, cq->ibcq.cq_context);
		return;
	}
	if (notify && cq->ibcq.comp_handler)
		cq->ibcq.comp_handler(&cq->ibcq, cq->ibcq.cq_context);
}

static int sib_create_cq(struct ib_cq *ibcq, const struct ib_cq_init_attr *attr,
			 struct sib_create_cq_ctx *uctx)
{
	struct sib_cq *cq = to_scq(ibcq);

	/* User-space CQs (a non-NULL context, whatever its type): no provider. */
	if (uctx || attr->flags)
		return -EOPNOTSUPP;
	if (!attr->cqe || attr->cqe > SIB_MAX_CQE)
		return -EINVAL;
	cq->ring = kvcalloc(attr->cqe, sizeof(*cq->ring), GFP_KERNEL);
	if (!cq->ring)
		return -ENOMEM;
	spin_lock_init(&cq->lock);
	cq->size = attr->cqe;
	ibcq->cqe = attr->cqe;
	return 0;
}

static int sib_destroy_cq(struct ib_cq *ibcq, struct ib_udata *udata)
{
	kvfree(to_scq(ibcq)->ring);
	return 0;
}

static int sib_poll_cq(struct ib_cq *ibcq, int num, struct ib_wc *wc)
{
	struct sib_cq *cq = to_scq(ibcq);
	unsigned long flags;
	int n = 0;

	spin_lock_irqsave(&cq->lock, flags);
	while (n < num && cq->count) {
		wc[n++] = cq->ring[cq->head];
		cq->head = (cq->head + 1) % cq->size;
		cq->count--;
	}
	if (!cq->count)
		cq->missed = false;
	spin_unlock_irqrestore(&cq->lock, flags);
	return n;
}

static int sib_req_notify_cq(struct ib_cq *ibcq, enum ib_cq_notify_flags flags)
{
	struct sib_cq *cq = to_scq(ibcq);
	unsigned long irq;
	int ret = 0;

	spin_lock_irqsave(&cq->lock, irq);
	cq->notify = flags & IB_CQ_SOLICITED_MASK;
	/* Completions not polled yet: the caller must poll again. */
	if ((flags & IB_CQ_REPORT_MISSED_EVENTS) && cq->count)
		ret = 1;
	spin_unlock_irqrestore(&cq->lock, irq);
	return ret;
}

/*
 * Set up @qp (whoever allocated it) on HCA @sd and give it its number: the
 * part of create_qp that does not depend on who allocates struct ib_qp.
 */
static int sib_qp_init(struct sib_qp *qp, struct sib_dev *sd,
		       struct ib_qp_init_attr *init, struct ib_udata *udata)
{
	u32 allowed = sib_hide_block_lb ? 0 : IB_QP_CREATE_BLOCK_MULTICAST_LOOPBACK;
	u32 qpn;
	int ret;

	if (udata)
		return -EOPNOTSUPP;
	if (init->qp_type != IB_QPT_UD && init->qp_type != IB_QPT_GSI)
		return -EOPNOTSUPP;
	/* Honour or refuse create flags; never ignore them. */
	if (init->create_flags & ~allowed)
		return -EOPNOTSUPP;
	if (init->srq || init->cap.max_send_wr > SIB_MAX_QP_WR ||
	    init->cap.max_recv_wr > SIB_MAX_QP_WR ||
	    init->cap.max_send_sge > SIB_MAX_SGE ||
	    init->cap.max_recv_sge > SIB_MAX_SGE)
		return -EINVAL;

	spin_lock_init(&qp->lock);
	INIT_LIST_HEAD(&qp->rq);
	INIT_LIST_HEAD(&qp->mcast);
	qp->dev = sd;
	qp->state = IB_QPS_RESET;
	qp->block_mc_lb = init->create_flags & IB_QP_CREATE_BLOCK_MULTICAST_LOOPBACK;
	qp->max_recv = init->cap.max_recv_wr;
	qp->max_send = init->cap.max_send_wr;
	qp->sig_all = init->sq_sig_type == IB_SIGNAL_ALL_WR;
	atomic_set(&qp->send_inflight, 0);

	if (init->qp_type == IB_QPT_GSI) {
		qpn = 1;
		qp->qkey = SIB_GSI_QKEY;
		ret = xa_insert_irq(&sd->qps, qpn, qp, GFP_KERNEL);
	} else {
		struct xa_limit lim = XA_LIMIT(0x10, 0xfffff);

		ret = xa_alloc_cyclic_irq(&sd->qps, &qpn, qp, lim, &sd->next_qpn,
					  GFP_KERNEL);
		if (ret > 0)
			ret = 0;
	}
	if (ret)
		return ret == -EBUSY ? -EEXIST : ret;
	qp->ibqp.qp_num = qpn;
	return 0;
}

#ifdef HAVE_IB_CORE_ALLOCATED_QP
static int sib_create_qp(struct ib_qp *ibqp, struct ib_qp_init_attr *init,
			 struct ib_udata *udata)
{
	return sib_qp_init(to_sqp(ibqp), to_sdev(ibqp->device), init, udata);
}
#else
/* Before 5.15 (and on RHEL 8.6/9.0) the driver allocates the QP. */
static struct ib_qp *sib_create_qp(struct ib_pd *pd, struct ib_qp_init_attr *init,
				   struct ib_udata *udata)
{
	struct sib_qp *qp = kzalloc(sizeof(*qp), GFP_KERNEL);
	int ret;

	if (!qp)
		return ERR_PTR(-ENOMEM);
	ret = sib_qp_init(qp, to_sdev(pd->device), init, udata);
	if (ret) {
		kfree(qp);
		return ERR_PTR(ret);
	}
	return &qp->ibqp;
}
#endif

/* Complete every posted receive with a flush error. Caller holds no lock. */
static void sib_qp_flush(struct sib_qp *qp)
{
	struct sib_cq *cq = to_scq(qp->ibqp.recv_cq);
	struct sib_wqe *w, *n;
	unsigned long flags;
	LIST_HEAD(flush);

	spin_lock_irqsave(&qp->lock, flags);
	list_splice_init(&qp->rq, &flush);
	qp->nrecv = 0;
	spin_unlock_irqrestore(&qp->lock, flags);

	list_for_each_entry_safe(w, n, &flush, list) {
		struct ib_wc wc = {
			.wr_id = w->wr_id,
			.status = IB_WC_WR_FLUSH_ERR,
			.opcode = IB_WC_RECV,
			.qp = &qp->ibqp,
		};

		if (w->wr_cqe)
			wc.wr_cqe = w->wr_cqe;
		list_del(&w->list);
		kfree(w);
		sib_cq_complete(cq, &wc, false);
	}
}

static int sib_modify_qp(struct ib_qp *ibqp, struct ib_qp_attr *attr,
			 int mask, struct ib_udata *udata)
{
	struct sib_qp *qp = to_sqp(ibqp);
	enum ib_qp_state cur, next;
	unsigned long flags;

	if (udata)
		return -EOPNOTSUPP;
	if ((mask & IB_QP_PORT) && attr->port_num != 1)
		return -EINVAL;
	if ((mask & IB_QP_PKEY_INDEX) && attr->pkey_index)
		return -EINVAL;

	spin_lock_irqsave(&qp->lock, flags);
	cur = (mask & IB_QP_CUR_STATE) ? attr->cur_qp_state : qp->state;
	next = (mask & IB_QP_STATE) ? attr->qp_state : cur;
	if (!ib_modify_qp_is_ok(cur, next, ibqp->qp_type, mask)) {
		spin_unlock_irqrestore(&qp->lock, flags);
		return -EINVAL;
	}
	if (mask & IB_QP_QKEY)
		qp->qkey = attr->qkey;
	qp->state = next;
	spin_unlock_irqrestore(&qp->lock, flags);

	if (next == IB_QPS_ERR || next == IB_QPS_RESET)
		sib_qp_flush(qp);
	return 0;
}

static int sib_query_qp(struct ib_qp *ibqp, struct ib_qp_attr *attr, int mask,
			struct ib_qp_init_attr *init)
{
	struct sib_qp *qp = to_sqp(ibqp);
	unsigned long flags;

	memset(attr, 0, sizeof(*attr));
	memset(init, 0, sizeof(*init));
	spin_lock_irqsave(&qp->lock, flags);
	attr->qp_state = qp->state;
	attr->cur_qp_state = qp->state;
	attr->qkey = qp->qkey;
	spin_unlock_irqrestore(&qp->lock, flags);
	attr->port_num = 1;
	attr->cap.max_send_wr = qp->max_send;
	attr->cap.max_recv_wr = qp->max_recv;
	attr->cap.max_send_sge = SIB_MAX_SGE;
	attr->cap.max_recv_sge = SIB_MAX_SGE;
	init->qp_type = ibqp->qp_type;
	init->cap = attr->cap;
	init->send_cq = ibqp->send_cq;
	init->recv_cq = ibqp->recv_cq;
	if (qp->block_mc_lb)
		init->create_flags |= IB_QP_CREATE_BLOCK_MULTICAST_LOOPBACK;
	return 0;
}

static int sib_destroy_qp(struct ib_qp *ibqp, struct ib_udata *udata)
{
	struct sib_qp *qp = to_sqp(ibqp);
	struct sib_wqe *w, *wn;
	struct sib_mcast *m, *n;
	unsigned long flags;

	/* Unreachable for delivery, then let queued packets pass. */
	spin_lock_irqsave(&sib_subnet.lock, flags);
	xa_erase(&qp->dev->qps, ibqp->qp_num);
	spin_unlock_irqrestore(&sib_subnet.lock, flags);
	sib_fabric_flush();
	/* Nobody waits for completions of a destroyed QP: just free. */
	list_for_each_entry_safe(w, wn, &qp->rq, list) {
		list_del(&w->list);
		kfree(w);
	}
	list_for_each_entry_safe(m, n, &qp->mcast, list) {
		list_del(&m->list);
		kfree(m);
	}
#ifndef HAVE_IB_CORE_ALLOCATED_QP
	kfree(qp);	/* the driver allocated it, the driver frees it */
#endif
	return 0;
}

static int sib_post_recv(struct ib_qp *ibqp, const struct ib_recv_wr *wr,
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
		w = kzalloc(sizeof(*w), GFP_ATOMIC);
		if (!w) {
			ret = -ENOMEM;
			break;
		}
		w->wr_id = wr->wr_id;
		w->wr_cqe = wr->wr_cqe;
		w->num_sge = wr->num_sge;
		memcpy(w->sge, wr->sg_list, wr->num_sge * sizeof(*w->sge));
		spin_lock_irqsave(&qp->lock, flags);
		if (qp->nrecv >= qp->max_recv) {
			spin_unlock_irqrestore(&qp->lock, flags);
			kfree(w);
			ret = -ENOMEM;
			break;
		}
		list_add_tail(&w->list, &qp->rq);
		qp->nrecv++;
		flush = qp->state == IB_QPS_ERR;
		spin_unlock_irqrestore(&qp->lock, flags);
	}
	if (ret && bad)
		*bad = wr;
	if (flush)
		sib_qp_flush(qp);
	return ret;
}

/**
 * sib_qp_take_recv() - the oldest posted receive of a QP ready to receive
 * @qp: the QP
 *
 * Context: any; takes @qp->lock.
 * Return: the receive (now the caller's), or NULL.
 */
struct sib_wqe *sib_qp_take_recv(struct sib_qp *qp)
{
	struct sib_wqe *w = NULL;
	unsigned long flags;

	spin_lock_irqsave(&qp->lock, flags);
	if ((qp->state == IB_QPS_RTR || qp->state == IB_QPS_RTS) &&
	    !list_empty(&qp->rq)) {
		w = list_first_entry(&qp->rq, struct sib_wqe, list);
		list_del(&w->list);
		qp->nrecv--;
	}
	spin_unlock_irqrestore(&qp->lock, flags);
	return w;
}

/*
 * The length of a send's payload, or -EINVAL when it does not fit in one
 * packet (UD and GSI: the MTU) or the sum of its SGEs overflows.
 */
static int sib_sge_len(const struct ib_sge *sge, int n, u32 *len)
{
	*len = 0;
	while (n--)
		if (check_add_overflow(*len, sge[n].length, len))
			return -EINVAL;
	return *len > SIB_MTU_BYTES ? -EINVAL : 0;
}

static int sib_post_one_send(struct sib_qp *qp, const struct ib_send_wr *wr)
{
	const struct ib_ud_wr *ud = ud_wr(wr);
	struct sib_ah *ah = to_sah(ud->ah);
	struct sib_pkt *pkt;
	u32 len, off = 0;
	int i;

	if (wr->opcode != IB_WR_SEND && wr->opcode != IB_WR_SEND_WITH_IMM)
		return -EINVAL;
	if (wr->num_sge > SIB_MAX_SGE)
		return -EINVAL;
	if (sib_sge_len(wr->sg_list, wr->num_sge, &len)) {
		atomic64_inc(&qp->dev->stats.drops[SIB_DROP_MTU]);
		return -EINVAL;
	}
	/*
	 * A send holds its slot of the send queue until it completes; a full
	 * queue refuses the work request, as hardware does.
	 */
	if (atomic_inc_return(&qp->send_inflight) > qp->max_send) {
		atomic_dec(&qp->send_inflight);
		return -ENOMEM;
	}
	pkt = sib_pkt_alloc(len, GFP_ATOMIC);
	if (!pkt) {
		atomic_dec(&qp->send_inflight);
		return -ENOMEM;
	}
	for (i = 0; i < wr->num_sge; i++) {
		memcpy(pkt->data + off, (void *)(uintptr_t)wr->sg_list[i].addr,
		       wr->sg_list[i].length);
		off += wr->sg_list[i].length;
	}
	pkt->src = qp->dev;
	pkt->sqp = qp;
	pkt->src_qpn = qp->ibqp.qp_num;
	pkt->slid = qp->dev->lid;
	pkt->dlid = rdma_ah_get_dlid(&ah->attr);
	pkt->sl = rdma_ah_get_sl(&ah->attr);
	pkt->dqpn = ud->remote_qpn;
	/* A Q_Key with the high bit set means "use the QP's own". */
	pkt->qkey = ud->remote_qkey & 0x80000000 && qp->ibqp.qp_type != IB_QPT_GSI ?
		    qp->qkey : ud->remote_qkey;
	pkt->wr_id = wr->wr_id;
	pkt->wr_cqe = wr->wr_cqe;
	pkt->signaled = qp->sig_all || (wr->send_flags & IB_SEND_SIGNALED);
	pkt->solicited = wr->send_flags & IB_SEND_SOLICITED;
	if (wr->opcode == IB_WR_SEND_WITH_IMM) {
		pkt->has_imm = true;
		pkt->imm_data = wr->ex.imm_data;
	}
	if (rdma_ah_get_ah_flags(&ah->attr) & IB_AH_GRH) {
		const struct ib_global_route *g = rdma_ah_read_grh(&ah->attr);

		pkt->has_grh = true;
		pkt->grh.version_tclass_flow =
			cpu_to_be32(6 << 28 | g->traffic_class << 20 | g->flow_label);
		pkt->grh.paylen = cpu_to_be16(len);
		pkt->grh.next_hdr = 0x1b;
		pkt->grh.hop_limit = g->hop_limit;
		sib_port_gid(qp->dev, &pkt->grh.sgid);
		pkt->grh.dgid = g->dgid;
	}
	return sib_fabric_send(pkt);
}

static int sib_post_send(struct ib_qp *ibqp, const struct ib_send_wr *wr,
			 const struct ib_send_wr **bad)
{
	struct sib_qp *qp = to_sqp(ibqp);
	int ret = 0;

	if (READ_ONCE(qp->state) != IB_QPS_RTS) {
		ret = -EINVAL;
		goto out;
	}
	for (; wr; wr = wr->next) {
		ret = sib_post_one_send(qp, wr);
		if (ret)
			break;
	}
out:
	if (ret && bad)
		*bad = wr;
	return ret;
}

static int sib_attach_mcast(struct ib_qp *ibqp, union ib_gid *gid, u16 lid)
{
	struct sib_qp *qp = to_sqp(ibqp);
	struct sib_mcast *m, *new;
	unsigned long flags;

	new = kzalloc(sizeof(*new), GFP_KERNEL);
	if (!new)
		return -ENOMEM;
	new->mgid = *gid;
	new->mlid = lid;
	spin_lock_irqsave(&qp->lock, flags);
	list_for_each_entry(m, &qp->mcast, list) {
		if (!memcmp(&m->mgid, gid, sizeof(*gid))) {
			spin_unlock_irqrestore(&qp->lock, flags);
			kfree(new);
			return 0;
		}
	}
	list_add_tail(&new->list, &qp->mcast);
	spin_unlock_irqrestore(&qp->lock, flags);
	return 0;
}

static int sib_detach_mcast(struct ib_qp *ibqp, union ib_gid *gid, u16 lid)
{
	struct sib_qp *qp = to_sqp(ibqp);
	struct sib_mcast *m, *found = NULL;
	unsigned long flags;

	spin_lock_irqsave(&qp->lock, flags);
	list_for_each_entry(m, &qp->mcast, list) {
		if (!memcmp(&m->mgid, gid, sizeof(*gid))) {
			list_del(&m->list);
			found = m;
			break;
		}
	}
	spin_unlock_irqrestore(&qp->lock, flags);
	kfree(found);
	return found ? 0 : -EINVAL;
}

/**
 * sib_qp_attached() - is @qp attached to multicast group @mgid?
 * @qp: the QP
 * @mgid: the group
 *
 * Context: any; takes @qp->lock.
 * Return: true if attached.
 */
bool sib_qp_attached(struct sib_qp *qp, const union ib_gid *mgid)
{
	struct sib_mcast *m;
	unsigned long flags;
	bool ret = false;

	spin_lock_irqsave(&qp->lock, flags);
	list_for_each_entry(m, &qp->mcast, list) {
		if (!memcmp(&m->mgid, mgid, sizeof(*mgid))) {
			ret = true;
			break;
		}
	}
	spin_unlock_irqrestore(&qp->lock, flags);
	return ret;
}

const struct ib_device_ops sib_qp_ops = {
	.create_cq = sib_create_cq,
	.destroy_cq = sib_destroy_cq,
	.poll_cq = sib_poll_cq,
	.req_notify_cq = sib_req_notify_cq,
	.create_qp = sib_create_qp,
	.modify_qp = sib_modify_qp,
	.query_qp = sib_query_qp,
	.destroy_qp = sib_destroy_qp,
	.post_recv = sib_post_recv,
	.post_send = sib_post_send,
	.attach_mcast = sib_attach_mcast,
	.detach_mcast = sib_detach_mcast,

	INIT_RDMA_OBJ_SIZE(ib_cq, sib_cq, ibcq),
#ifdef HAVE_IB_CORE_ALLOCATED_QP
	INIT_RDMA_OBJ_SIZE(ib_qp, sib_qp, ibqp),
#endif
};
