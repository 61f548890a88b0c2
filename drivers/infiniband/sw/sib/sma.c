// SPDX-License-Identifier: GPL-2.0-only
/*
 * rdma_sib's subnet management agent, as far as it goes: each HCA port has
 * QP0, and LID-routed SMPs (class 0x01) reaching it, and directed-route
 * ones (0x81) for the local port, are answered through the device's
 * process_mad hook (mad.c): Get of NodeDescription, NodeInfo and PortInfo,
 * each the port's attribute as ib_query_port() and the embedded SA
 * describe it. The SA's NodeRecords and PortInfoRecords carry the same
 * NodeInfo and PortInfo (sa.c). The ports' M_Key is 0: every SMP is
 * allowed. Not yet: Set (an SM's LID assignment and port state changes),
 * the other attributes, and the switch the ports hang from, so no
 * directed route beyond the local port (issue 15); those are answered
 * "unsupported" or, beyond the port, not at all.
 */
#include <rdma/ib_mad.h>
#include <rdma/ib_smi.h>

#include "sib.h"

#define SIB_SMP_CLASS_VERSION	1
#define SIB_SUBNET_TIMEOUT	18	/* 4.096 us * 2^18: ~1 s */

/**
 * sib_node_info() - an HCA's NodeInfo (IBA 14.2.5.3), 40 bytes
 * @ni: written
 * @sd: the HCA: a one-port channel adapter, port GUID = node GUID
 */
void sib_node_info(u8 *ni, const struct sib_dev *sd)
{
	memset(ni, 0, SIB_NODE_INFO_LEN);
	ni[0] = IB_MGMT_BASE_VERSION;
	ni[1] = SIB_SMP_CLASS_VERSION;
	ni[2] = RDMA_NODE_IB_CA;
	ni[3] = 1;				/* NumPorts */
	memcpy(ni + 4, &sd->guid, 8);		/* SystemImageGUID */
	memcpy(ni + 12, &sd->ibdev.node_guid, 8);
	memcpy(ni + 20, &sd->guid, 8);		/* PortGUID */
	put_unaligned_be16(1, ni + 28);		/* PartitionCap */
	put_unaligned_be32(SIB_HW_VER, ni + 32);	/* Revision */
	ni[36] = 1;				/* LocalPortNum */
	ni[37] = SIB_VENDOR_ID >> 16;
	put_unaligned_be16(SIB_VENDOR_ID & 0xffff, ni + 38);
}

/**
 * sib_port_info() - an HCA port's PortInfo (IBA 14.2.5.6), 64 bytes
 * @pi: written
 * @sd: the HCA
 *
 * What sib_query_port() reports, in the SMP's form: its LID, the SM at
 * SIB_SM_LID, ACTIVE and LinkUp, 4X EDR (an extended speed), MTU 4096,
 * VL0 only.
 */
void sib_port_info(u8 *pi, const struct sib_dev *sd)
{
	memset(pi, 0, SIB_PORT_INFO_LEN);
	put_unaligned_be64(SIB_SUBNET_PREFIX, pi + 8);	/* GidPrefix */
	put_unaligned_be16(sd->lid, pi + 16);
	put_unaligned_be16(SIB_SM_LID, pi + 18);
	put_unaligned_be32(SIB_PORT_CAP_FLAGS, pi + 20);
	pi[28] = 1;					/* LocalPortNum */
	pi[29] = 2;					/* LinkWidthEnabled: 4X */
	pi[30] = 3;					/* Supported: 1X, 4X */
	pi[31] = 2;					/* Active: 4X */
	pi[32] = 1 << 4 | IB_PORT_ACTIVE;		/* SpeedSupported, PortState */
	pi[33] = IB_PORT_PHYS_STATE_LINK_UP << 4 | 2;	/* LinkDownDefault: Polling */
	pi[35] = 1 << 4 | 1;				/* SpeedActive, SpeedEnabled */
	pi[36] = SIB_MTU << 4;				/* NeighborMTU, MasterSMSL 0 */
	pi[37] = 1 << 4;				/* VLCap: VL0 */
	pi[41] = SIB_MTU;				/* MTUCap */
	pi[43] = 1 << 4;				/* OperationalVLs: VL0 */
	pi[50] = 1;					/* GUIDCap */
	pi[51] = SIB_SUBNET_TIMEOUT;
	pi[62] = 2 << 4 | 2;	/* LinkSpeedExtActive, Supported: 25.78125 Gb/s */
	pi[63] = 2;					/* LinkSpeedExtEnabled */
}

/* The status of the response to @in, its data written into @out. */
static u16 sib_sma_get(const struct sib_dev *sd, const struct ib_smp *in,
		       struct ib_smp *out)
{
	u32 port = be32_to_cpu(in->attr_mod);

	if (in->base_version != IB_MGMT_BASE_VERSION ||
	    in->class_version != SIB_SMP_CLASS_VERSION)
		return IB_MGMT_MAD_STATUS_BAD_VERSION;
	if (in->method != IB_MGMT_METHOD_GET)
		return in->method == IB_MGMT_METHOD_SET ?
		       IB_MGMT_MAD_STATUS_UNSUPPORTED_METHOD_ATTRIB :
		       IB_MGMT_MAD_STATUS_UNSUPPORTED_METHOD;

	if (in->attr_id == IB_SMP_ATTR_NODE_DESC) {
		memcpy(out->data, sd->ibdev.node_desc, IB_DEVICE_NODE_DESC_MAX);
	} else if (in->attr_id == IB_SMP_ATTR_NODE_INFO) {
		sib_node_info(out->data, sd);
	} else if (in->attr_id == IB_SMP_ATTR_PORT_INFO) {
		/* A CA's port: 0 (the one the SMP came in by) or its number. */
		if (port > 1)
			return IB_MGMT_MAD_STATUS_INVALID_ATTRIB_VALUE;
		sib_port_info(out->data, sd);
	} else {
		return IB_MGMT_MAD_STATUS_UNSUPPORTED_METHOD_ATTRIB;
	}
	return 0;
}

/**
 * sib_sma_answer() - answer an SMP for this port
 * @sd: the HCA whose QP0 received it, or sent it to itself
 * @in: the SMP (a request: ib_mad passes responses on)
 * @out: the response, its MAD header already copied from @in
 *
 * A LID-routed SMP is answered where it arrives. A directed-route one is
 * answered only with no hop to go (hop count 0: ib_mad offers it before
 * sending it, and it is for this port); the response keeps the request's
 * route and says it goes back (the D bit). Further hops would need the
 * switch's SMA, which there is not yet: ib_mad sends those to the
 * permissive LID, which the fabric drops, and the requester times out.
 *
 * Return: the MAD status of the response, with IB_SMP_DIRECTION's bit
 * (0x8000) for a directed-route one.
 */
u16 sib_sma_answer(const struct sib_dev *sd, const struct ib_smp *in,
		   struct ib_smp *out)
{
	u8 method = out->method;

	if (in->mgmt_class == IB_MGMT_CLASS_SUBN_LID_ROUTED)
		return sib_sma_get(sd, in, out);
	/* Directed route: the whole SMP back, with its route. */
	memcpy(out, in, sizeof(*out));
	out->method = method;
	memset(out->data, 0, sizeof(out->data));
	if (in->hop_cnt)
		return IB_MGMT_MAD_STATUS_UNSUPPORTED_METHOD_ATTRIB | 0x8000;
	return sib_sma_get(sd, in, out) | 0x8000;
}
