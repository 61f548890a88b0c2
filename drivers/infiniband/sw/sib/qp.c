// SPDX-License-Identifier: GPL-2.0-only
/*
 * QPs: creation, state, multicast attachment, destruction. UD, SMI, GSI and
 * RC (kernel users: IPoIB's connected mode); UC, XRC and SRQs are refused
 * with -EOPNOTSUPP. The SMI QP is QP0, the GSI QP QP1 (ib_mad checks
 * them). A packet's way through a QP pair: send.c (post_send) -> fabric.c
 * (routing) -> recv.c, or rc.c for an RC message (receive) -> cq.c, and
 * back to send.c for the send's completion.
 */
#include <linux/slab.h>

#include "sib.h"

/*
 * Set up @qp (whoever allocated it) on HCA @sd and give it its number: the
 * part of create_qp that does not depend on who allocates struct ib_qp.
 */
static int sib_qp_init(struct sib_qp *qp, struct sib_dev *sd,
		       struct ib_qp_init_attr *init, struct ib_udata *udata)
{
	u32 allowed = IB_QP_CREATE_IPOIB_UD_LSO;
	u32 qpn;
	int ret;

	if (!sib_hide_block_lb)
		allowed |= IB_QP_CREATE_BLOCK_MULTICAST_LOOPBACK;
	if (udata)
		return -EOPNOTSUPP;
	if (init->qp_type != IB_QPT_UD && init->qp_type != IB_QPT_GSI &&
	    init->qp_type != IB_QPT_SMI && init->qp_type != IB_QPT_RC)
		return -EOPNOTSUPP;
	if (init->qp_type == IB_QPT_RC)
		allowed = 0;
	/* Honour or refuse create flags; never ignore them. */
	if (init->create_flags & ~allowed)
		return -EOPNOTSUPP;
	if (init->srq)
		return -EOPNOTSUPP;	/* none can have been made */
	if (init->cap.max_send_wr > SIB_MAX_QP_WR ||
	    init->cap.max_recv_wr > SIB_MAX_QP_WR ||
	    init->cap.max_send_sge > SIB_MAX_SGE ||
	    init->cap.max_recv_sge > SIB_MAX_SGE)
		return -EINVAL;

	/*
	 * Receives are posted from softirq: their slots are made now (up to
	 * SIB_MAX_QP_WR of ~300 bytes: not necessarily contiguous pages).
	 */
	qp->rq = kvcalloc(init->cap.max_recv_wr, sizeof(*qp->rq), GFP_KERNEL);
	if (!qp->rq)
		return -ENOMEM;
	spin_lock_init(&qp->lock);
	INIT_LIST_HEAD(&qp->mcast);
	qp->dev = sd;
	qp->state = IB_QPS_RESET;
	qp->block_mc_lb = init->create_flags & IB_QP_CREATE_BLOCK_MULTICAST_LOOPBACK;
	qp->lso = init->create_flags & IB_QP_CREATE_IPOIB_UD_LSO;
	qp->max_recv = init->cap.max_recv_wr;
	qp->max_send = init->cap.max_send_wr;
	qp->sig_all = init->sq_sig_type == IB_SIGNAL_ALL_WR;
	atomic_set(&qp->send_inflight, 0);

	if (init->qp_type == IB_QPT_GSI || init->qp_type == IB_QPT_SMI) {
		/* QP0 takes any Q_Key (sib_qp_receive()): its own is 0. */
		qpn = init->qp_type == IB_QPT_SMI ? 0 : 1;
		qp->qkey = qpn ? SIB_GSI_QKEY : 0;
		ret = xa_insert_irq(&sd->qps, qpn, qp, GFP_KERNEL);
	} else {
		struct xa_limit lim = XA_LIMIT(0x10, 0xfffff);

		ret = xa_alloc_cyclic_irq(&sd->qps, &qpn, qp, lim, &sd->next_qpn,
					  GFP_KERNEL);
		if (ret > 0)
			ret = 0;
	}
	if (ret) {
		kvfree(qp->rq);
		return ret == -EBUSY ? -EEXIST : ret;
	}
	qp->ibqp.qp_num = qpn;
	return 0;
}

#ifdef HAVE_IB_CORE_ALLOCATED_QP
int sib_create_qp(struct ib_qp *ibqp, struct ib_qp_init_attr *init,
		  struct ib_udata *udata)
{
	return sib_qp_init(to_sqp(ibqp), to_sdev(ibqp->device), init, udata);
}
#else
/* Before 5.15 (and on RHEL 8.6/9.0) the driver allocates the QP. */
struct ib_qp *sib_create_qp(struct ib_pd *pd, struct ib_qp_init_attr *init,
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

int sib_modify_qp(struct ib_qp *ibqp, struct ib_qp_attr *attr,
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
	if (mask & IB_QP_DEST_QPN)
		qp->rc.dqpn = attr->dest_qp_num;
	if (mask & IB_QP_AV) {
		qp->rc.dlid = rdma_ah_get_dlid(&attr->ah_attr);
		qp->rc.sl = rdma_ah_get_sl(&attr->ah_attr);
	}
	if (mask & IB_QP_RNR_RETRY)
		qp->rc.rnr_retry = attr->rnr_retry;
	qp->state = next;
	spin_unlock_irqrestore(&qp->lock, flags);

	if (next == IB_QPS_ERR || next == IB_QPS_RESET)
		sib_recv_flush(qp);
	return 0;
}

/**
 * sib_qp_to_error() - move a QP to the error state, as a failed send does
 * @qp: the QP
 *
 * Its posted receives complete with IB_WC_WR_FLUSH_ERR; sends still in the
 * fabric and sends posted from now on complete so too (send.c).
 *
 * Context: any; takes @qp->lock.
 */
void sib_qp_to_error(struct sib_qp *qp)
{
	unsigned long flags;

	spin_lock_irqsave(&qp->lock, flags);
	qp->state = IB_QPS_ERR;
	spin_unlock_irqrestore(&qp->lock, flags);
	sib_recv_flush(qp);
}

int sib_query_qp(struct ib_qp *ibqp, struct ib_qp_attr *attr, int mask,
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
	if (ibqp->qp_type == IB_QPT_RC) {
		attr->dest_qp_num = qp->rc.dqpn;
		attr->ah_attr.type = RDMA_AH_ATTR_TYPE_IB;
		rdma_ah_set_dlid(&attr->ah_attr, qp->rc.dlid);
		rdma_ah_set_sl(&attr->ah_attr, qp->rc.sl);
		rdma_ah_set_port_num(&attr->ah_attr, 1);
		attr->rnr_retry = qp->rc.rnr_retry;
		attr->path_mtu = SIB_MTU;
	}
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

int sib_destroy_qp(struct ib_qp *ibqp, struct ib_udata *udata)
{
	struct sib_qp *qp = to_sqp(ibqp);
	struct sib_mcast *m, *n;
	unsigned long flags;

	/* Unreachable for delivery, then let queued packets pass. */
	spin_lock_irqsave(&sib_subnet.lock, flags);
	xa_erase(&qp->dev->qps, ibqp->qp_num);
	spin_unlock_irqrestore(&sib_subnet.lock, flags);
	sib_fabric_flush();
	/* Nobody waits for completions of a destroyed QP: just free. */
	kvfree(qp->rq);
	list_for_each_entry_safe(m, n, &qp->mcast, list) {
		list_del(&m->list);
		kfree(m);
	}
#ifndef HAVE_IB_CORE_ALLOCATED_QP
	kfree(qp);	/* the driver allocated it, the driver frees it */
#endif
	return 0;
}

int sib_attach_mcast(struct ib_qp *ibqp, union ib_gid *gid, u16 lid)
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

int sib_detach_mcast(struct ib_qp *ibqp, union ib_gid *gid, u16 lid)
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
