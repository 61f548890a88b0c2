// SPDX-License-Identifier: GPL-2.0-only
/*
 * What each port's subnet manager supports, learned by asking it.
 *
 * For every IB port with an SA, the module registers its own MAD agent on
 * the GSI QP and sends the SA a ClassPortInfo Get; CapabilityMask2 bit 12
 * says whether SendOnlyFullMember joins are supported. The answer is
 * dropped (back to unknown) and asked again on every event after which a
 * different SM, or an SM that forgot us, may answer: SM change, client
 * re-register, LID change, port active. A failed query is retried with
 * backoff. Only an IB ClassPortInfo with bit 12 clear says the SM lacks
 * SendOnlyFullMember; a refused query, an answer in another form (OPA's
 * SA class version) and no answer yet say nothing, and policy auto then
 * uses SendOnlyFullMember, as upstream does. Besides, a port is marked
 * legacy when its SA refused a SendOnlyFullMember join (refusals.c); an SM
 * change event clears the mark. Which devices and ports exist, and which
 * events reach them, is devices.c's.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/ktime.h>
#include <rdma/ib_sa.h>

#include "ipoib_sendonly.h"

#define IPOIB_SO_QUERY_TIMEOUT_MS	1000
#define IPOIB_SO_QUERY_RETRIES	3
#define IPOIB_SO_RETRY_MAX_S		60
/* SA status "insufficient resources" (IBA 15.2.1.1): a passing condition. */
#define IPOIB_SO_SA_ERR_NO_RESOURCES	0x0100

static const char * const ipoib_so_cap_names[] = {
	[IPOIB_SO_CAP_UNKNOWN] = "unknown",
	[IPOIB_SO_CAP_SENDONLY_FULL] = "sendonly-full",
	[IPOIB_SO_CAP_NO_SENDONLY_FULL] = "no-sendonly-full",
	[IPOIB_SO_CAP_FAILED] = "query-failed",
	[IPOIB_SO_CAP_REFUSED] = "cpi-refused",
	[IPOIB_SO_CAP_NOT_IB] = "not-ib-cpi",
};

/**
 * ipoib_so_cap_name() - name of a capability state, as debugfs shows it
 * @cap: the state
 *
 * Return: its name.
 */
const char *ipoib_so_cap_name(enum ipoib_so_cap cap)
{
	return ipoib_so_cap_names[cap];
}

/**
 * ipoib_so_sm_lacks_sendonly() - is port @p's SM known to lack SendOnlyFullMember?
 * @p: the port, or NULL when the device is not (yet) known
 *
 * Known means: its IB ClassPortInfo has CapabilityMask2 bit 12 clear, or its
 * SA refused a SendOnlyFullMember join since the last SM change.
 *
 * Context: any (atomics only).
 * Return: the answer; false when nothing is known.
 */
bool ipoib_so_sm_lacks_sendonly(struct ipoib_so_port *p)
{
	return p && (atomic_read(&p->cap) == IPOIB_SO_CAP_NO_SENDONLY_FULL ||
		     atomic_read(&p->legacy));
}

/* An SA's answer is in, whatever it says. */
static bool ipoib_so_cap_settled(enum ipoib_so_cap cap)
{
	return cap != IPOIB_SO_CAP_UNKNOWN && cap != IPOIB_SO_CAP_FAILED;
}

static void ipoib_so_set_cap(struct ipoib_so_port *p, enum ipoib_so_cap cap)
{
	atomic_set(&p->cap, cap);
	queue_work(ipoib_so_wq, &p->log_work);
}

/* A query failed: say so, and ask again later (backoff up to a minute). */
static void ipoib_so_query_failed(struct ipoib_so_port *p, int err)
{
	unsigned long flags;
	unsigned int delay;

	spin_lock_irqsave(&p->lock, flags);
	p->status = err;
	p->retry_delay = min(p->retry_delay ? p->retry_delay * 2 : 1,
			     (unsigned int)IPOIB_SO_RETRY_MAX_S);
	delay = p->retry_delay;
	spin_unlock_irqrestore(&p->lock, flags);
	ipoib_so_set_cap(p, IPOIB_SO_CAP_FAILED);
	mod_delayed_work(ipoib_so_wq, &p->query_work, delay * HZ);
}

static void ipoib_so_mad_send_done(struct ib_mad_agent *agent,
				   struct ib_mad_send_wc *wc)
{
	struct ipoib_so_port *p = agent->context;
	struct ib_mad_send_buf *buf = wc->send_buf;

	/*
	 * A reply, when there is one, was handled before this completion.
	 * Without one the answer is still outstanding: unknown, or unknown
	 * after earlier failures. Each failure schedules the next try.
	 */
	if (wc->status != IB_WC_SUCCESS && !ipoib_so_cap_settled(atomic_read(&p->cap)))
		ipoib_so_query_failed(p, wc->status == IB_WC_RESP_TIMEOUT_ERR ?
				 -ETIMEDOUT : -EIO);
	rbp_rdma_destroy_ah(buf->ah);
	ib_free_send_mad(buf);
}

static void ipoib_so_mad_recv(struct ib_mad_agent *agent,
			      struct ib_mad_send_buf *send_buf,
			      struct ib_mad_recv_wc *wc)
{
	struct ipoib_so_port *p = agent->context;
	struct ib_sa_mad *mad = (struct ib_sa_mad *)wc->recv_buf.mad;
	struct ib_class_port_info *cpi = (void *)mad->data;
	int status = be16_to_cpu(mad->mad_hdr.status);

	enum ipoib_so_cap cap;
	unsigned long flags;

	if (!send_buf || mad->mad_hdr.attr_id != cpu_to_be16(IB_SA_ATTR_CLASS_PORTINFO))
		goto out;
	/* Busy, or out of resources for now: ask again later, believe nothing. */
	if ((status & IB_MGMT_MAD_STATUS_BUSY) || status == IPOIB_SO_SA_ERR_NO_RESOURCES) {
		ipoib_so_query_failed(p, -EBUSY);
		goto out;
	}
	/*
	 * An SA that will not tell has said nothing about SendOnlyFullMember,
	 * nor has one that answers in another class version (OPA's SA):
	 * CapabilityMask2 is the IB SA's.
	 */
	if (status)
		cap = IPOIB_SO_CAP_REFUSED;
	else if (cpi->class_version != IB_SA_CLASS_VERSION)
		cap = IPOIB_SO_CAP_NOT_IB;
	else if (ib_get_cpi_capmask2(cpi) & IB_SA_CAP_MASK2_SENDONLY_FULL_MEM_SUPPORT)
		cap = IPOIB_SO_CAP_SENDONLY_FULL;
	else
		cap = IPOIB_SO_CAP_NO_SENDONLY_FULL;
	spin_lock_irqsave(&p->lock, flags);
	p->learned = rbp_real_seconds();
	p->retry_delay = 0;
	p->status = status;
	spin_unlock_irqrestore(&p->lock, flags);
	ipoib_so_set_cap(p, cap);
out:
	ib_free_recv_mad(wc);
}

/* Send one ClassPortInfo Get to the port's SM. */
static int ipoib_so_send_query(struct ipoib_so_port *p)
{
	struct ib_device *dev = p->dev->ibdev;
	struct rdma_ah_attr ah_attr = {};
	struct ib_mad_send_buf *buf;
	struct ib_port_attr attr;
	struct ib_sa_mad *mad;
	struct ib_ah *ah;
	int ret;

	ret = ib_query_port(dev, p->port, &attr);
	if (ret)
		return ret;
	if (attr.state != IB_PORT_ACTIVE || !attr.sm_lid)
		return -ENETDOWN;	/* PORT_ACTIVE will bring us back */
	WRITE_ONCE(p->sm_lid, attr.sm_lid);

	ah_attr.type = rdma_ah_find_type(dev, p->port);
	rdma_ah_set_dlid(&ah_attr, attr.sm_lid);
	rdma_ah_set_sl(&ah_attr, attr.sm_sl);
	rdma_ah_set_port_num(&ah_attr, p->port);
	ah = rbp_rdma_create_ah(p->agent->qp->pd, &ah_attr);
	if (IS_ERR(ah))
		return PTR_ERR(ah);

	buf = ib_create_send_mad(p->agent, 1, 0, 0, IB_MGMT_SA_HDR,
				 IB_MGMT_SA_DATA, GFP_KERNEL,
				 IB_MGMT_BASE_VERSION);
	if (IS_ERR(buf)) {
		rbp_rdma_destroy_ah(ah);
		return PTR_ERR(buf);
	}
	mad = buf->mad;
	mad->mad_hdr.base_version = IB_MGMT_BASE_VERSION;
	mad->mad_hdr.mgmt_class = IB_MGMT_CLASS_SUBN_ADM;
	mad->mad_hdr.class_version = IB_SA_CLASS_VERSION;
	mad->mad_hdr.method = IB_MGMT_METHOD_GET;
	mad->mad_hdr.attr_id = cpu_to_be16(IB_SA_ATTR_CLASS_PORTINFO);
	mad->mad_hdr.tid = cpu_to_be64((u64)p->agent->hi_tid << 32 | ++p->tid);
	buf->ah = ah;
	buf->timeout_ms = IPOIB_SO_QUERY_TIMEOUT_MS;
	buf->retries = IPOIB_SO_QUERY_RETRIES;

	ret = ib_post_send_mad(buf, NULL);
	if (ret) {
		rbp_rdma_destroy_ah(ah);
		ib_free_send_mad(buf);
		return ret;
	}
	WRITE_ONCE(p->queries, p->queries + 1);
	return 0;
}

static void ipoib_so_query_work(struct work_struct *work)
{
	struct ipoib_so_port *p = container_of(to_delayed_work(work),
					  struct ipoib_so_port, query_work);
	int ret;

	ret = ipoib_so_send_query(p);
	if (ret == -ENETDOWN) {
		unsigned long flags;

		spin_lock_irqsave(&p->lock, flags);
		p->status = ret;
		spin_unlock_irqrestore(&p->lock, flags);
	} else if (ret) {
		ipoib_so_query_failed(p, ret);
	}
}

/**
 * ipoib_so_relearn() - forget what the port's SM said and ask again
 * @p: the port
 *
 * Context: any (event handlers).
 */
void ipoib_so_relearn(struct ipoib_so_port *p)
{
	unsigned long flags;

	if (!p->agent)
		return;
	/* OPA's SA speaks OPA MADs: no IB ClassPortInfo to ask for. */
	if (rdma_cap_opa_mad(p->dev->ibdev, p->port)) {
		ipoib_so_set_cap(p, IPOIB_SO_CAP_NOT_IB);
		return;
	}
	atomic_set(&p->cap, IPOIB_SO_CAP_UNKNOWN);
	spin_lock_irqsave(&p->lock, flags);
	p->retry_delay = 0;
	spin_unlock_irqrestore(&p->lock, flags);
	mod_delayed_work(ipoib_so_wq, &p->query_work, 0);
	queue_work(ipoib_so_wq, &p->log_work);
}

/**
 * ipoib_so_new_sm() - another SM: forget also that the old one refused
 *   SendOnlyFullMember, and ask again
 * @p: the port
 *
 * Context: any (event handlers).
 */
void ipoib_so_new_sm(struct ipoib_so_port *p)
{
	atomic_set(&p->legacy, 0);
	ipoib_so_relearn(p);
}

/**
 * ipoib_so_relearn_all() - forget everything every port's SM told us and ask
 * again, as after an SM change (debugfs "relearn")
 */
void ipoib_so_relearn_all(void)
{
	struct ipoib_so_dev *d;
	u32 i;

	mutex_lock(&ipoib_so_lock);
	list_for_each_entry(d, &ipoib_so_devices, list)
		for (i = 0; i < d->nports; i++)
			ipoib_so_new_sm(&d->ports[i]);
	mutex_unlock(&ipoib_so_lock);
}

/**
 * ipoib_so_caps_port_init() - set up the ClassPortInfo query of port @p
 * @p: the port, its device and number set
 *
 * Registers this module's MAD agent on the port's GSI QP where the port
 * has an SA; ipoib_so_relearn() then sends the first query.
 *
 * Context: process context (the ib_client's add).
 * Return: true when the port has an SA and an agent.
 */
bool ipoib_so_caps_port_init(struct ipoib_so_port *p)
{
	struct ib_device *dev = p->dev->ibdev;

	spin_lock_init(&p->lock);
	INIT_DELAYED_WORK(&p->query_work, ipoib_so_query_work);
	if (!rdma_cap_ib_sa(dev, p->port))
		return false;
	p->agent = ib_register_mad_agent(dev, p->port, IB_QPT_GSI, NULL, 0,
					 ipoib_so_mad_send_done, ipoib_so_mad_recv, p, 0);
	if (IS_ERR(p->agent)) {
		pr_warn("%s port %u: no MAD agent (%ld): SM capability unknown, auto keeps SendOnlyFullMember\n",
			dev->name, p->port, PTR_ERR(p->agent));
		p->agent = NULL;
		return false;
	}
	return true;
}

/**
 * ipoib_so_caps_port_stop() - no query of port @p is pending or running after
 * @p: the port
 *
 * Context: process context.
 */
void ipoib_so_caps_port_stop(struct ipoib_so_port *p)
{
	cancel_delayed_work_sync(&p->query_work);
	/* Cancels and waits for our outstanding MADs and their handlers. */
	if (p->agent)
		ib_unregister_mad_agent(p->agent);
	p->agent = NULL;
	cancel_delayed_work_sync(&p->query_work);
}
