// SPDX-License-Identifier: GPL-2.0-only
/*
 * The send side of a QP. post_send runs under ib_mad's spinlock and in
 * IPoIB's transmit softirq, so it only checks the work request, notes where
 * the payload is and hands the packet to the fabric; the send completes
 * once the fabric has routed the packet (sib_send_complete()), which is
 * when the payload is read, as an HCA's DMA would read it: the sender may
 * not touch its buffers before. A send holds its slot of the send queue
 * until then: a full queue refuses work requests with -ENOMEM, as hardware
 * does. MADs (the GSI QP, and anything to the SA) are copied at once: they
 * are small, and the SA reads its requests in one piece.
 *
 * IB_SEND_IP_CSUM (the HCAs offer IB_DEVICE_UD_IP_CSUM) asks the HCA for
 * the TCP or UDP checksum of an IPoIB packet (the 4-byte IPoIB header, then
 * IPv4): it is computed here, on the sender's CPU, and written into every
 * copy of the packet that is received or tapped.
 *
 * IB_WR_LSO (the HCAs offer UD_TSO, so IPoIB passes TCP segments of up to
 * 64 KB on QPs created with IB_QP_CREATE_IPOIB_UD_LSO) is cut here into
 * packets of @mss payload bytes, each behind its own copy of the headers
 * IPoIB gave (IPoIB, IPv4, TCP) with what a NIC's segmentation rewrites:
 * IPv4 total length, ID (one more per packet) and header checksum; TCP
 * sequence number, FIN and PSH on the last packet only, CWR on the first
 * only; and the TCP checksum, as for IB_SEND_IP_CSUM. The packets go to the
 * fabric in order; the last one completes the work request.
 */
#include <linux/if_ether.h>
#include <linux/ip.h>
#include <linux/slab.h>
#include <linux/tcp.h>
#include <net/checksum.h>
#include <net/ip.h>

#include "sib.h"

/* The length of a send's payload, or -EINVAL when its sum overflows. */
static int sib_sge_len(const struct ib_sge *sge, int n, u32 *len)
{
	*len = 0;
	while (n--)
		if (check_add_overflow(*len, sge[n].length, len))
			return -EINVAL;
	return 0;
}

/* The checksum of @len payload bytes of @pkt from byte @off (gathered). */
static __wsum sib_pkt_csum(const struct sib_pkt *pkt, u32 off, u32 len)
{
	__wsum sum = 0;
	u32 pos = 0;
	unsigned int i;

	for (i = 0; i < pkt->num_sge && len; i++) {
		const u8 *p = (const u8 *)(uintptr_t)pkt->sge[i].addr;
		u32 l = pkt->sge[i].length, n;

		if (off >= l) {
			off -= l;
			continue;
		}
		n = min(len, l - off);
		sum = csum_block_add(sum, csum_partial(p + off, n, 0), pos);
		pos += n;
		len -= n;
		off = 0;
	}
	return sum;
}

/*
 * IB_SEND_IP_CSUM: the TCP or UDP checksum of the IPv4 packet after the
 * IPoIB header, as skb_checksum_help() would fill it in: the stack left the
 * pseudo-header's sum in the checksum field. Anything else (not IPv4, a
 * fragment, another protocol) is left as it is.
 */
static void sib_pkt_ip_csum(struct sib_pkt *pkt)
{
	struct {
		__be16 proto;
		__be16 reserved;
		struct iphdr ip;
	} __packed h;
	u32 l4, end, pos;

	if (pkt->len < sizeof(h))
		return;
	sib_pkt_read(pkt, 0, &h, sizeof(h));
	if (h.proto != htons(ETH_P_IP) || h.ip.version != 4 || h.ip.ihl < 5 ||
	    h.ip.frag_off & htons(IP_MF | IP_OFFSET))
		return;
	l4 = sizeof(h.proto) + sizeof(h.reserved) + h.ip.ihl * 4;
	end = sizeof(h.proto) + sizeof(h.reserved) + ntohs(h.ip.tot_len);
	if (h.ip.protocol == IPPROTO_TCP)
		pos = l4 + 16;
	else if (h.ip.protocol == IPPROTO_UDP)
		pos = l4 + 6;
	else
		return;
	if (end > pkt->len || pos + sizeof(__sum16) > end)
		return;
	pkt->csum = csum_fold(sib_pkt_csum(pkt, l4, end - l4)) ?: CSUM_MANGLED_0;
	pkt->csum_pos = pos;
	pkt->ip_csum = true;
}

/**
 * sib_pkt_from_wr() - what a send's packet takes from its QP and work
 * request, whatever the transport, and make it the packet that completes
 * the work request
 * @pkt: the packet, its payload and length set
 * @qp: the sending QP
 * @wr: the work request
 *
 * Context: post_send.
 */
void sib_pkt_from_wr(struct sib_pkt *pkt, struct sib_qp *qp,
		     const struct ib_send_wr *wr)
{
	pkt->src = qp->dev;
	pkt->sqp = qp;
	pkt->src_qpn = qp->ibqp.qp_num;
	pkt->slid = qp->dev->lid;
	pkt->wr_id = wr->wr_id;
	pkt->wr_cqe = wr->wr_cqe;
	pkt->signaled = qp->sig_all || (wr->send_flags & IB_SEND_SIGNALED);
	pkt->solicited = wr->send_flags & IB_SEND_SOLICITED;
	if (wr->opcode == IB_WR_SEND_WITH_IMM) {
		pkt->has_imm = true;
		pkt->imm_data = wr->ex.imm_data;
	}
}

/*
 * Address @pkt (its payload and length set) as UD work request @wr of @qp
 * asks, and make it the packet that completes @wr.
 */
static void sib_pkt_address(struct sib_pkt *pkt, struct sib_qp *qp,
			    const struct ib_send_wr *wr)
{
	const struct ib_ud_wr *ud = ud_wr(wr);
	struct sib_ah *ah = to_sah(ud->ah);

	sib_pkt_from_wr(pkt, qp, wr);
	pkt->dlid = rdma_ah_get_dlid(&ah->attr);
	pkt->sl = rdma_ah_get_sl(&ah->attr);
	pkt->dqpn = ud->remote_qpn;
	/*
	 * A Q_Key with the high bit set means "use the QP's own", also on
	 * QP1, whose own is the GSI Q_Key: ib_mad's responses (its agents
	 * reply with IB_QP_SET_QKEY) reach the requester's QP1 so.
	 */
	pkt->qkey = ud->remote_qkey & 0x80000000 ? qp->qkey : ud->remote_qkey;
	if (rdma_ah_get_ah_flags(&ah->attr) & IB_AH_GRH) {
		const struct ib_global_route *g = rdma_ah_read_grh(&ah->attr);

		pkt->has_grh = true;
		pkt->grh.version_tclass_flow =
			cpu_to_be32(6 << 28 | g->traffic_class << 20 | g->flow_label);
		pkt->grh.paylen = cpu_to_be16(pkt->len);
		pkt->grh.next_hdr = 0x1b;
		pkt->grh.hop_limit = g->hop_limit;
		sib_port_gid(qp->dev, &pkt->grh.sgid);
		pkt->grh.dgid = g->dgid;
	}
}

/* The headers of an LSO send: IPoIB's 4 bytes, IPv4, TCP (options follow). */
struct sib_lso_hdr {
	__be16 proto;
	__be16 reserved;
	struct iphdr ip;
} __packed;

/*
 * Where TCP's header begins in @wr's LSO headers (after IPoIB's 4 bytes and
 * IPv4's), or 0 when they are not IPoIB + IPv4 + TCP, exactly @wr->hlen
 * bytes long, with room for @wr->mss payload bytes in the MTU.
 */
static u32 sib_lso_check(const struct ib_ud_wr *wr)
{
	const struct sib_lso_hdr *h = wr->header;
	const struct tcphdr *th;
	u32 l4;

	/* hlen and mss are ints: negative ones fail here too. */
	if (!h || wr->hlen < (int)(sizeof(*h) + sizeof(*th)) ||
	    wr->hlen > SIB_LSO_MAX_HLEN || wr->mss <= 0 ||
	    wr->mss > SIB_MTU_BYTES - wr->hlen)
		return 0;
	if (h->proto != htons(ETH_P_IP) || h->ip.version != 4 ||
	    h->ip.ihl < 5 || h->ip.protocol != IPPROTO_TCP)
		return 0;
	l4 = sizeof(h->proto) + sizeof(h->reserved) + h->ip.ihl * 4;
	if (l4 + sizeof(*th) > wr->hlen)
		return 0;
	th = wr->header + l4;
	return l4 + th->doff * 4 == wr->hlen ? l4 : 0;
}

/*
 * Make @pkt packet @i of the @nseg of LSO send @wr: the headers (@l4: where
 * TCP's begin) copied into @pkt->data and rewritten, then @len bytes of the
 * send's payload from its byte @off on, read where they are.
 */
static void sib_lso_segment(struct sib_pkt *pkt, const struct ib_ud_wr *wr,
			    u32 l4, u32 i, u32 nseg, u32 off, u32 len)
{
	const struct ib_sge *sge = wr->wr.sg_list;
	struct sib_lso_hdr *h = (struct sib_lso_hdr *)pkt->data;
	struct tcphdr *th = (struct tcphdr *)(pkt->data + l4);
	u32 l4len = wr->hlen - l4 + len;
	unsigned int n;

	memcpy(pkt->data, wr->header, wr->hlen);
	h->ip.tot_len = htons(h->ip.ihl * 4 + l4len);
	h->ip.id = htons(ntohs(h->ip.id) + i);
	h->ip.check = 0;
	h->ip.check = ip_fast_csum(&h->ip, h->ip.ihl);
	th->seq = htonl(ntohl(th->seq) + i * (u32)wr->mss);
	if (i)
		th->cwr = 0;
	if (i + 1 < nseg) {
		th->fin = 0;
		th->psh = 0;
	}
	/* What the stack leaves for the HCA: the pseudo-header's sum. */
	th->check = ~csum_tcpudp_magic(h->ip.saddr, h->ip.daddr, l4len,
				       IPPROTO_TCP, 0);

	pkt->len = wr->hlen + len;
	pkt->sge[0].addr = (uintptr_t)pkt->data;
	pkt->sge[0].length = wr->hlen;
	pkt->num_sge = 1;
	for (n = 0; n < wr->wr.num_sge && len; n++) {
		u32 take;

		if (off >= sge[n].length) {
			off -= sge[n].length;
			continue;
		}
		take = min(len, sge[n].length - off);
		pkt->sge[pkt->num_sge].addr = sge[n].addr + off;
		pkt->sge[pkt->num_sge].length = take;
		pkt->sge[pkt->num_sge].lkey = sge[n].lkey;
		pkt->num_sge++;
		len -= take;
		off = 0;
	}
	sib_pkt_ip_csum(pkt);
}

/*
 * IB_WR_LSO: every packet is made before the first is sent, so a failure
 * sends none; the work request's slot of the send queue is taken by the
 * caller.
 */
static int sib_post_lso(struct sib_qp *qp, const struct ib_send_wr *wr,
			u32 len)
{
	const struct ib_ud_wr *ud = ud_wr(wr);
	struct sib_pkt *pkt, *tmp;
	u32 l4, mss, nseg, i;
	LIST_HEAD(segs);

	l4 = sib_lso_check(ud);
	if (!l4 || !len || len > SIB_LSO_MAX_BYTES - ud->hlen) {
		atomic64_inc(&qp->dev->stats.drops[SIB_DROP_MTU]);
		return -EINVAL;
	}
	mss = ud->mss;
	nseg = DIV_ROUND_UP(len, mss);
	for (i = 0; i < nseg; i++) {
		pkt = sib_pkt_alloc(ud->hlen, GFP_ATOMIC);
		if (!pkt)
			goto nomem;
		sib_lso_segment(pkt, ud, l4, i, nseg, i * mss,
				min(mss, len - i * mss));
		sib_pkt_address(pkt, qp, wr);
		if (i + 1 < nseg) {
			/* Only the last packet completes the work request. */
			pkt->sqp = NULL;
			pkt->signaled = false;
		}
		list_add_tail(&pkt->list, &segs);
	}
	atomic64_inc(&qp->dev->stats.tx_lso);
	list_for_each_entry_safe(pkt, tmp, &segs, list) {
		list_del(&pkt->list);
		sib_fabric_send(pkt);
	}
	return 0;

nomem:
	list_for_each_entry_safe(pkt, tmp, &segs, list)
		kfree(pkt);
	return -ENOMEM;
}

/*
 * Take a slot of @qp's send queue for a work request. A send holds it until
 * it completes; a full queue refuses the work request, as hardware does.
 */
static bool sib_sq_take(struct sib_qp *qp)
{
	if (atomic_inc_return(&qp->send_inflight) > qp->max_send) {
		atomic_dec(&qp->send_inflight);
		return false;
	}
	return true;
}

/*
 * A work request posted to a QP in the error state: completed with
 * IB_WC_WR_FLUSH_ERR, signaled or not, after the sends before it, by the
 * fabric (a ULP posts one to learn that those have completed).
 */
static int sib_post_flushed(struct sib_qp *qp, const struct ib_send_wr *wr)
{
	struct sib_pkt *pkt;

	if (!sib_sq_take(qp))
		return -ENOMEM;
	pkt = sib_pkt_alloc(0, GFP_ATOMIC);
	if (!pkt) {
		atomic_dec(&qp->send_inflight);
		return -ENOMEM;
	}
	pkt->src = qp->dev;
	pkt->sqp = qp;
	pkt->wr_id = wr->wr_id;
	pkt->wr_cqe = wr->wr_cqe;
	pkt->signaled = true;
	pkt->status = IB_WC_WR_FLUSH_ERR;
	return sib_fabric_send(pkt);
}

static int sib_post_one_send(struct sib_qp *qp, const struct ib_send_wr *wr)
{
	bool rc = qp->ibqp.qp_type == IB_QPT_RC;
	struct sib_pkt *pkt;
	bool mad, lso;
	u32 len;
	int ret;

	lso = wr->opcode == IB_WR_LSO && qp->lso;
	if (wr->opcode != IB_WR_SEND && wr->opcode != IB_WR_SEND_WITH_IMM && !lso)
		return -EINVAL;
	if (wr->num_sge > SIB_MAX_SGE)
		return -EINVAL;
	if (sib_sge_len(wr->sg_list, wr->num_sge, &len) ||
	    (!lso && len > (rc ? SIB_RC_MAX_MSG : SIB_MTU_BYTES))) {
		atomic64_inc(&qp->dev->stats.drops[SIB_DROP_MTU]);
		return -EINVAL;
	}
	if (!sib_sq_take(qp))
		return -ENOMEM;
	if (lso) {
		ret = sib_post_lso(qp, wr, len);
		if (ret)
			atomic_dec(&qp->send_inflight);
		return ret;
	}
	/*
	 * The embedded SA reads what is sent to its LID from @data; with an
	 * external SM that LID is an HCA's like any other.
	 */
	mad = qp->ibqp.qp_type == IB_QPT_GSI || qp->ibqp.qp_type == IB_QPT_SMI ||
	      (!rc && !sib_sm_external &&
	       rdma_ah_get_dlid(&to_sah(ud_wr(wr)->ah)->attr) == SIB_SM_LID);
	pkt = sib_pkt_alloc(mad ? len : 0, GFP_ATOMIC);
	if (!pkt) {
		atomic_dec(&qp->send_inflight);
		return -ENOMEM;
	}
	pkt->len = len;
	pkt->num_sge = wr->num_sge;
	memcpy(pkt->sge, wr->sg_list, wr->num_sge * sizeof(*pkt->sge));
	if (mad) {
		sib_pkt_read(pkt, 0, pkt->data, len);
		pkt->num_sge = 0;
	} else if (!rc && wr->send_flags & IB_SEND_IP_CSUM) {
		sib_pkt_ip_csum(pkt);
	}
	if (rc)
		sib_rc_address(pkt, qp, wr);
	else
		sib_pkt_address(pkt, qp, wr);
	return sib_fabric_send(pkt);
}

int sib_post_send(struct ib_qp *ibqp, const struct ib_send_wr *wr,
		  const struct ib_send_wr **bad)
{
	struct sib_qp *qp = to_sqp(ibqp);
	enum ib_qp_state state = READ_ONCE(qp->state);
	int ret = 0;

	if (state != IB_QPS_RTS && state != IB_QPS_ERR) {
		ret = -EINVAL;
		goto out;
	}
	for (; wr; wr = wr->next) {
		if (state == IB_QPS_ERR)
			ret = sib_post_flushed(qp, wr);
		else
			ret = sib_post_one_send(qp, wr);
		if (ret)
			break;
	}
out:
	if (ret && bad)
		*bad = wr;
	return ret;
}

/**
 * sib_send_complete() - a send's packet has left the fabric: free its slot
 * of the send queue and complete it, if it was signaled or failed
 * @pkt: the packet, routed; @pkt->status says how
 *
 * A send that failed (rc.c) moves its QP to the error state, as on
 * hardware, after its error completion.
 *
 * Context: the fabric's delivery work, bottom halves disabled.
 */
void sib_send_complete(struct sib_pkt *pkt)
{
	struct sib_qp *qp = pkt->sqp;
	struct ib_wc wc = {};

	if (!qp)
		return;
	atomic_dec(&qp->send_inflight);
	if (!pkt->signaled && pkt->status == IB_WC_SUCCESS)
		return;
	wc.wr_id = pkt->wr_id;
	if (pkt->wr_cqe)
		wc.wr_cqe = pkt->wr_cqe;
	wc.status = pkt->status;
	wc.opcode = IB_WC_SEND;
	wc.qp = &qp->ibqp;
	sib_cq_complete(to_scq(qp->ibqp.send_cq), &wc, false);
	if (pkt->status != IB_WC_SUCCESS && pkt->status != IB_WC_WR_FLUSH_ERR)
		sib_qp_to_error(qp);
}
