// SPDX-License-Identifier: GPL-2.0-only
/*
 * rdma_sib's performance management agent (PMA): the PerfMgt class
 * (IBA 16.1) of each HCA's port, reached on QP1 and answered through the
 * device's process_mad hook (mad.c). Get of ClassPortInfo, PortCounters
 * and PortCountersExtended is answered from the counters the fabric keeps
 * for the port (counters.c), so perfquery shows the numbers rdma statistic
 * and hw_counters show; Set of the counters resets those selected, there
 * too, as a reset of an HCA's counters does. The data counters are the
 * payload bytes rdma_sib counts, in 4-byte words; PortCounters' 32-bit
 * fields stop at their maximum. Counters rdma_sib does not keep (errors,
 * waits, and the unicast/multicast split, which ClassPortInfo says by
 * IB_PMA_CLASS_CAP_EXT_WIDTH_NOIETF) read 0.
 */
#include <rdma/ib_mad.h>
#include <rdma/ib_pma.h>

#include "sib.h"

#define SIB_PMA_CLASS_VERSION	1

/* A 32-bit PortCounters field: the count, or its maximum once beyond. */
static __be32 sib_pma_u32(u64 v)
{
	return cpu_to_be32(min_t(u64, v, U32_MAX));
}

/* A data counter in 4-byte words. */
static u64 sib_pma_words(const atomic64_t *c)
{
	return atomic64_read(c) / 4;
}

/* CounterSelect's bits for PortXmitData, PortRcvData, PortXmitPkts, PortRcvPkts. */
static const __be16 sib_pma_sel[4] = {
	IB_PMA_SEL_PORT_XMIT_DATA, IB_PMA_SEL_PORT_RCV_DATA,
	IB_PMA_SEL_PORT_XMIT_PACKETS, IB_PMA_SEL_PORT_RCV_PACKETS,
};

static const __be16 sib_pma_selx[4] = {
	IB_PMA_SELX_PORT_XMIT_DATA, IB_PMA_SELX_PORT_RCV_DATA,
	IB_PMA_SELX_PORT_XMIT_PACKETS, IB_PMA_SELX_PORT_RCV_PACKETS,
};

/* Reset the counters whose bit of @bits (in the order above) @select has. */
static void sib_pma_reset(struct sib_counters *c, __be16 select,
			  const __be16 *bits)
{
	atomic64_t *ctr[4] = { &c->tx_bytes, &c->rx_bytes, &c->tx_pkts, &c->rx_pkts };
	int i;

	for (i = 0; i < 4; i++)
		if (select & bits[i])
			atomic64_set(ctr[i], 0);
}

static void sib_pma_class_port_info(struct ib_pma_mad *out)
{
	struct ib_class_port_info *cpi = (void *)out->data;

	cpi->base_version = IB_MGMT_BASE_VERSION;
	cpi->class_version = SIB_PMA_CLASS_VERSION;
	cpi->capability_mask = IB_PMA_CLASS_CAP_EXT_WIDTH_NOIETF;
	/* Response time 4.096 us * 2^18: ~1 s, as the SA's. */
	ib_set_cpi_resp_time(cpi, 18);
}

static void sib_pma_counters(struct sib_counters *c, bool set,
			     const struct ib_pma_mad *in, struct ib_pma_mad *out)
{
	const struct ib_pma_portcounters *req = (const void *)in->data;
	struct ib_pma_portcounters *pc = (void *)out->data;

	if (set)
		sib_pma_reset(c, req->counter_select, sib_pma_sel);
	pc->port_select = req->port_select;
	pc->port_xmit_data = sib_pma_u32(sib_pma_words(&c->tx_bytes));
	pc->port_rcv_data = sib_pma_u32(sib_pma_words(&c->rx_bytes));
	pc->port_xmit_packets = sib_pma_u32(atomic64_read(&c->tx_pkts));
	pc->port_rcv_packets = sib_pma_u32(atomic64_read(&c->rx_pkts));
}

static void sib_pma_counters_ext(struct sib_counters *c, bool set,
				 const struct ib_pma_mad *in,
				 struct ib_pma_mad *out)
{
	const struct ib_pma_portcounters_ext *req = (const void *)in->data;
	struct ib_pma_portcounters_ext *pc = (void *)out->data;

	if (set)
		sib_pma_reset(c, req->counter_select, sib_pma_selx);
	pc->port_select = req->port_select;
	pc->port_xmit_data = cpu_to_be64(sib_pma_words(&c->tx_bytes));
	pc->port_rcv_data = cpu_to_be64(sib_pma_words(&c->rx_bytes));
	pc->port_xmit_packets = cpu_to_be64(atomic64_read(&c->tx_pkts));
	pc->port_rcv_packets = cpu_to_be64(atomic64_read(&c->rx_pkts));
}

/*
 * The MAD status of a PerfMgt request, 0 if it is answered: versions,
 * methods (Get; Set of the counters) and attributes, and a PortSelect of
 * the HCA's one port (AllPortSelect is not offered).
 */
static u16 sib_pma_check(const struct ib_pma_mad *in)
{
	/* A copy: the header is a packed member (RHEL 8's gcc warns). */
	const struct ib_mad_hdr h = in->mad_hdr;
	bool counters = h.attr_id == IB_PMA_PORT_COUNTERS ||
			h.attr_id == IB_PMA_PORT_COUNTERS_EXT;

	if (h.base_version != IB_MGMT_BASE_VERSION ||
	    h.class_version != SIB_PMA_CLASS_VERSION)
		return IB_MGMT_MAD_STATUS_BAD_VERSION;
	if (h.method != IB_MGMT_METHOD_GET && h.method != IB_MGMT_METHOD_SET)
		return IB_MGMT_MAD_STATUS_UNSUPPORTED_METHOD;
	if (!counters && (h.attr_id != IB_PMA_CLASS_PORT_INFO ||
			  h.method != IB_MGMT_METHOD_GET))
		return IB_MGMT_MAD_STATUS_UNSUPPORTED_METHOD_ATTRIB;
	/* PortSelect is the second byte of both counter attributes. */
	if (counters && in->data[1] != 1)
		return IB_MGMT_MAD_STATUS_INVALID_ATTRIB_VALUE;
	return 0;
}

/**
 * sib_pma_answer() - answer a PerfMgt request
 * @sd: the HCA whose QP1 received it
 * @in: the request (ib_mad passes responses on)
 * @out: the response, its header already copied from @in
 *
 * Return: the MAD status of the response.
 */
u16 sib_pma_answer(struct sib_dev *sd, const struct ib_pma_mad *in,
		   struct ib_pma_mad *out)
{
	bool set = in->mad_hdr.method == IB_MGMT_METHOD_SET;
	u16 status = sib_pma_check(in);

	if (status)
		return status;
	if (in->mad_hdr.attr_id == IB_PMA_CLASS_PORT_INFO)
		sib_pma_class_port_info(out);
	else if (in->mad_hdr.attr_id == IB_PMA_PORT_COUNTERS)
		sib_pma_counters(&sd->stats, set, in, out);
	else
		sib_pma_counters_ext(&sd->stats, set, in, out);
	return 0;
}
