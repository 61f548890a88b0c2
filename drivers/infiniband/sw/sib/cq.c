// SPDX-License-Identifier: GPL-2.0-only
/*
 * Completion queues: a ring of struct ib_wc per CQ. Receives complete here
 * from recv.c, sends from send.c, flushed receives from recv.c; the owner
 * polls them and arms the CQ for its next event.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

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
		pr_warn_ratelimited("CQ overflow (%u entries): IB_EVENT_CQ_ERR\n",
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

int sib_create_cq(struct ib_cq *ibcq, const struct ib_cq_init_attr *attr,
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

int sib_destroy_cq(struct ib_cq *ibcq, struct ib_udata *udata)
{
	kvfree(to_scq(ibcq)->ring);
	return 0;
}

int sib_poll_cq(struct ib_cq *ibcq, int num, struct ib_wc *wc)
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

int sib_req_notify_cq(struct ib_cq *ibcq, enum ib_cq_notify_flags flags)
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
