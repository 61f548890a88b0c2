// SPDX-License-Identifier: GPL-2.0-only
/*
 * RMPP for the embedded SA's GetTable answers (IBA 13.6): a windowed sender.
 *
 * A GetTable request starts a transfer. Its work item gathers the records
 * (sa.c's sib_sa_table(), in process context: a table may be larger than
 * what an atomic allocation should be asked for), then sends them as DATA
 * segments of SIB_RMPP_SEG_DATA bytes, each with the MAD, RMPP and SA
 * headers. The requester's RMPP receiver ACKs the last segment it holds in
 * order and names the last one it can take (NewWindowLast); segments are
 * sent up to that window only, which starts at 1. A transfer ends at the
 * ACK of its last segment, at a STOP or ABORT from the requester, or after
 * SIB_RMPP_RETRIES timeouts without progress, which the requester is told
 * with an ABORT. A request repeated while its transfer runs (the requester's
 * MAD layer retries on its own timeout) is ignored.
 *
 * Locking: sib_subnet.rmpp_lock (spinlock, IRQs off) guards the list and
 * every transfer's state. Segments are built and handed to the fabric under
 * it; sib_fabric_send() takes only the fabric's packet lock. A transfer is
 * freed by its work once finished, or by sib_rmpp_stop(), which owns those
 * still listed when it sets @rmpp_stopping; after that no work touches one.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/mm.h>
#include <linux/slab.h>
#include <linux/workqueue.h>
#include <rdma/ib_mad.h>
#include <rdma/ib_sa.h>

#include "sib.h"

#define SIB_RMPP_SEG_DATA	(sizeof(struct ib_sa_mad) - IB_MGMT_SA_HDR)	/* 200 */
#define SIB_RMPP_MAX_XFERS	32	/* transfers at once, per subnet */
#define SIB_RMPP_TIMEOUT_MS	200	/* without progress, then resend */
#define SIB_RMPP_RETRIES	5

struct sib_rmpp_xfer {
	struct list_head list;		/* on sib_subnet.rmpp */
	struct delayed_work work;	/* gathering, then the resend timer */
	struct ib_sa_mad req;		/* the request: every segment's headers */
	u16 dlid;			/* the requester */
	u32 dqpn;
	u8 *data;			/* the records, @len bytes */
	u32 len;
	u16 rec_len;
	u32 nseg;			/* segments in all (at least 1) */
	u32 sent;			/* segments sent, 1..@sent */
	u32 max_sent;			/* the highest ever sent (@sent goes back on a timeout) */
	u32 acked;			/* segments ACKed, 1..@acked */
	u32 window;			/* NewWindowLast, at most @nseg */
	unsigned int retries;		/* timeouts since the last progress */
	bool gathered;
	bool done;			/* its work frees it */
};

/*
 * The RMPP header's RRespTime (none given) and flags byte, written whole:
 * ib_set_rmpp_flags() takes the address of a member of a packed struct,
 * which gcc warns about where the kernel does not silence it (RHEL 8).
 */
static u8 sib_rmpp_rtime_flags(u8 flags)
{
	return IB_MGMT_RMPP_NO_RESPTIME << 3 | (flags & 0x7);
}

/* A MAD to the requester with the request's headers. Under rmpp_lock. */
static struct sib_pkt *sib_rmpp_pkt(const struct sib_rmpp_xfer *x)
{
	struct sib_pkt *pkt = sib_pkt_alloc(sizeof(struct ib_sa_mad), GFP_ATOMIC);
	struct ib_sa_mad *m;

	if (!pkt)
		return NULL;
	m = (void *)pkt->data;
	m->mad_hdr = x->req.mad_hdr;
	m->mad_hdr.method = IB_SA_METHOD_GET_TABLE_RESP;
	m->mad_hdr.status = 0;
	m->sa_hdr.comp_mask = x->req.sa_hdr.comp_mask;
	m->sa_hdr.attr_offset = cpu_to_be16(x->rec_len / 8);
	sib_sa_address(pkt, x->dlid, x->dqpn);
	return pkt;
}

/*
 * Segment @seg of the table. PayloadLength counts from the RMPP header's
 * end: the first segment gives the whole transfer's, the last its own, the
 * others none (the first and only one its own).
 */
static int sib_rmpp_send_seg(struct sib_rmpp_xfer *x, u32 seg)
{
	u32 off = (seg - 1) * SIB_RMPP_SEG_DATA;
	u32 pad = x->nseg * SIB_RMPP_SEG_DATA - x->len;
	u8 flags = IB_MGMT_RMPP_FLAG_ACTIVE;
	struct sib_pkt *pkt;
	struct ib_sa_mad *m;
	u32 paylen = 0;

	pkt = sib_rmpp_pkt(x);
	if (!pkt)
		return -ENOMEM;
	m = (void *)pkt->data;
	if (seg == 1) {
		flags |= IB_MGMT_RMPP_FLAG_FIRST;
		paylen = x->nseg * IB_MGMT_RMPP_DATA - pad;
	}
	if (seg == x->nseg) {
		flags |= IB_MGMT_RMPP_FLAG_LAST;
		paylen = IB_MGMT_RMPP_DATA - pad;
	}
	m->rmpp_hdr.rmpp_version = IB_MGMT_RMPP_VERSION;
	m->rmpp_hdr.rmpp_type = IB_MGMT_RMPP_TYPE_DATA;
	m->rmpp_hdr.rmpp_rtime_flags = sib_rmpp_rtime_flags(flags);
	m->rmpp_hdr.seg_num = cpu_to_be32(seg);
	m->rmpp_hdr.paylen_newwin = cpu_to_be32(paylen);
	if (off < x->len)
		memcpy(m->data, x->data + off,
		       min_t(u32, x->len - off, SIB_RMPP_SEG_DATA));
	atomic64_inc(&sib_subnet.rmpp_stats.segments);
	return sib_fabric_send(pkt);
}

/* Send what the window allows and has not been sent. Under rmpp_lock. */
static void sib_rmpp_push(struct sib_rmpp_xfer *x)
{
	while (x->sent < x->window && !sib_rmpp_send_seg(x, x->sent + 1))
		x->sent++;
	x->max_sent = max(x->max_sent, x->sent);
}

/*
 * Tell the requester the transfer is over: an ABORT with @rmpp_status, or
 * for @mad_status a plain reply with that status (a table that could not
 * be gathered). Under rmpp_lock.
 */
static void sib_rmpp_end(struct sib_rmpp_xfer *x, u8 rmpp_status, u16 mad_status)
{
	struct sib_pkt *pkt = sib_rmpp_pkt(x);
	struct ib_sa_mad *m;

	x->done = true;
	if (!pkt)
		return;
	m = (void *)pkt->data;
	if (mad_status) {
		m->mad_hdr.status = cpu_to_be16(mad_status);
	} else {
		m->rmpp_hdr.rmpp_version = IB_MGMT_RMPP_VERSION;
		m->rmpp_hdr.rmpp_type = IB_MGMT_RMPP_TYPE_ABORT;
		m->rmpp_hdr.rmpp_rtime_flags =
			sib_rmpp_rtime_flags(IB_MGMT_RMPP_FLAG_ACTIVE);
		m->rmpp_hdr.rmpp_status = rmpp_status;
	}
	sib_fabric_send(pkt);
}

static void sib_rmpp_free(struct sib_rmpp_xfer *x)
{
	kvfree(x->data);
	kfree(x);
}

static void sib_rmpp_work(struct work_struct *work)
{
	struct sib_rmpp_xfer *x = container_of(to_delayed_work(work),
					       struct sib_rmpp_xfer, work);
	unsigned long flags;
	u8 *data = NULL;
	u16 rec_len = 8;
	u32 len = 0;
	int ret = 0;

	if (!READ_ONCE(x->gathered))
		ret = sib_sa_table(&x->req, &data, &len, &rec_len);

	spin_lock_irqsave(&sib_subnet.rmpp_lock, flags);
	if (sib_subnet.rmpp_stopping) {
		/* sib_rmpp_stop() owns @x now; it frees what was gathered. */
		if (!x->gathered && !ret) {
			x->data = data;
			x->gathered = true;
		}
		spin_unlock_irqrestore(&sib_subnet.rmpp_lock, flags);
		return;
	}
	if (!x->gathered && !x->done) {
		x->gathered = true;
		if (ret) {
			atomic64_inc(&sib_subnet.rmpp_stats.aborted);
			sib_rmpp_end(x, 0, SIB_SA_ERR_NO_RESOURCES);
		} else {
			x->data = data;
			x->len = len;
			x->rec_len = rec_len;
			x->nseg = max_t(u32, 1, DIV_ROUND_UP(len, SIB_RMPP_SEG_DATA));
			x->window = 1;
			atomic64_inc(&sib_subnet.rmpp_stats.tables);
			sib_rmpp_push(x);
		}
		data = NULL;
	} else if (!x->done && ++x->retries > SIB_RMPP_RETRIES) {
		atomic64_inc(&sib_subnet.rmpp_stats.aborted);
		sib_rmpp_end(x, IB_MGMT_RMPP_STATUS_TMR, 0);
	} else if (!x->done) {
		/* No ACK in time: from the first segment not ACKed again. */
		atomic64_inc(&sib_subnet.rmpp_stats.resent);
		x->sent = x->acked;
		sib_rmpp_push(x);
	}
	if (x->done) {
		list_del(&x->list);
		sib_subnet.rmpp_count--;
		/*
		 * An ACK may have queued this work again while it ran; off
		 * the list, nothing can queue it any more.
		 */
		cancel_delayed_work(&x->work);
	} else {
		mod_delayed_work(system_wq, &x->work,
				 msecs_to_jiffies(SIB_RMPP_TIMEOUT_MS));
	}
	spin_unlock_irqrestore(&sib_subnet.rmpp_lock, flags);

	kvfree(data);		/* gathered for a transfer that ended first */
	if (x->done)
		sib_rmpp_free(x);
}

/* The transfer @m (a request or an ACK, STOP, ABORT) is for. Under rmpp_lock. */
static struct sib_rmpp_xfer *sib_rmpp_find(const struct ib_sa_mad *m, u16 slid,
					   u32 src_qpn)
{
	struct sib_rmpp_xfer *x;

	list_for_each_entry(x, &sib_subnet.rmpp, list)
		if (x->req.mad_hdr.tid == m->mad_hdr.tid && x->dlid == slid &&
		    x->dqpn == src_qpn &&
		    x->req.mad_hdr.attr_id == m->mad_hdr.attr_id)
			return x;
	return NULL;
}

/**
 * sib_rmpp_table() - start a GetTable answer
 * @req: the request packet; its MAD is copied
 *
 * Context: the delivery work, bottom halves off.
 * Return: 0 (started, or a repeat of a running transfer's request) or
 * SIB_SA_ERR_NO_RESOURCES, which the caller answers.
 */
u16 sib_rmpp_table(const struct sib_pkt *req)
{
	const struct ib_sa_mad *in = (const void *)req->data;
	struct sib_rmpp_xfer *x;
	unsigned long flags;
	u16 status = 0;

	x = kzalloc(sizeof(*x), GFP_ATOMIC);
	if (!x)
		return SIB_SA_ERR_NO_RESOURCES;
	x->req = *in;
	x->dlid = req->slid;
	x->dqpn = req->src_qpn;
	x->rec_len = 8;
	INIT_DELAYED_WORK(&x->work, sib_rmpp_work);

	spin_lock_irqsave(&sib_subnet.rmpp_lock, flags);
	if (sib_rmpp_find(in, req->slid, req->src_qpn)) {
		kfree(x);
	} else if (sib_subnet.rmpp_stopping ||
		   sib_subnet.rmpp_count >= SIB_RMPP_MAX_XFERS) {
		kfree(x);
		status = SIB_SA_ERR_NO_RESOURCES;
	} else {
		list_add_tail(&x->list, &sib_subnet.rmpp);
		sib_subnet.rmpp_count++;
		queue_delayed_work(system_wq, &x->work, 0);
	}
	spin_unlock_irqrestore(&sib_subnet.rmpp_lock, flags);
	return status;
}

/**
 * sib_rmpp_recv() - an RMPP ACK, STOP or ABORT from a requester
 * @pkt: the packet, to the SM's LID
 *
 * An ACK that names a segment never sent, or a window below it, is
 * ignored, as are MADs for no transfer.
 *
 * Context: the delivery work, bottom halves off.
 */
void sib_rmpp_recv(const struct sib_pkt *pkt)
{
	const struct ib_sa_mad *in = (const void *)pkt->data;
	struct sib_rmpp_xfer *x;
	unsigned long flags;
	u32 seg, newwin;

	spin_lock_irqsave(&sib_subnet.rmpp_lock, flags);
	x = sib_subnet.rmpp_stopping ? NULL :
	    sib_rmpp_find(in, pkt->slid, pkt->src_qpn);
	if (!x || !x->gathered || x->done)
		goto out;

	switch (in->rmpp_hdr.rmpp_type) {
	case IB_MGMT_RMPP_TYPE_ACK:
		seg = be32_to_cpu(in->rmpp_hdr.seg_num);
		newwin = be32_to_cpu(in->rmpp_hdr.paylen_newwin);
		if (seg > x->max_sent || newwin < seg)
			goto out;
		if (seg > x->acked) {
			x->acked = seg;
			x->sent = max(x->sent, seg);
			x->retries = 0;
		}
		if (newwin > x->window)
			x->window = min(newwin, x->nseg);
		if (x->acked == x->nseg)
			x->done = true;
		else
			sib_rmpp_push(x);
		break;
	case IB_MGMT_RMPP_TYPE_STOP:
	case IB_MGMT_RMPP_TYPE_ABORT:
		atomic64_inc(&sib_subnet.rmpp_stats.aborted);
		x->done = true;
		break;
	default:
		goto out;
	}
	/* Done: the work frees it now; else the resend timer starts again. */
	mod_delayed_work(system_wq, &x->work,
			 x->done ? 0 : msecs_to_jiffies(SIB_RMPP_TIMEOUT_MS));
out:
	spin_unlock_irqrestore(&sib_subnet.rmpp_lock, flags);
}

/**
 * sib_rmpp_init() - no transfer yet
 */
void sib_rmpp_init(void)
{
	spin_lock_init(&sib_subnet.rmpp_lock);
	INIT_LIST_HEAD(&sib_subnet.rmpp);
	sib_subnet.rmpp_stopping = false;
}

/**
 * sib_rmpp_stop() - end every transfer; no segment is sent after this
 *
 * New requests are answered "no resources" from here on.
 *
 * Context: process context, before the fabric goes.
 */
void sib_rmpp_stop(void)
{
	struct sib_rmpp_xfer *x, *n;
	LIST_HEAD(gone);

	spin_lock_irq(&sib_subnet.rmpp_lock);
	sib_subnet.rmpp_stopping = true;
	list_splice_init(&sib_subnet.rmpp, &gone);
	sib_subnet.rmpp_count = 0;
	spin_unlock_irq(&sib_subnet.rmpp_lock);

	list_for_each_entry_safe(x, n, &gone, list) {
		cancel_delayed_work_sync(&x->work);
		list_del(&x->list);
		sib_rmpp_free(x);
	}
}
