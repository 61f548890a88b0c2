// SPDX-License-Identifier: GPL-2.0-only
/*
 * rdma_sib's subnet management agent on each HCA port: QP0's SMPs, LID-
 * routed (class 0x01) and directed-route (0x81) ones at the end of their
 * path, are answered through the device's process_mad hook (mad.c): Get
 * of NodeDescription, NodeInfo, PortInfo, P_KeyTable and GUIDInfo, each
 * the port's attribute as ib_query_port() and the embedded SA describe it
 * (the SA's NodeRecords and PortInfoRecords carry the same NodeInfo and
 * PortInfo). ib_mad has already applied the directed-route rules on the
 * way in and applies them to the response on the way out. The ports'
 * M_Key is 0: every SMP is allowed. Not yet: Set (an SM's LID assignment
 * and port state changes, issue 15); other attributes are answered
 * "unsupported". The switch the ports hang from has an SMA of its own
 * (switch.c).
 */
#include <rdma/ib_mad.h>
#include <rdma/ib_smi.h>

#include "sib.h"

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
 * sib_port_info_link() - the link's half of a PortInfo (IBA 14.2.5.6)
 * @pi: written, 64 bytes: the subnet prefix and the link's fields
 * @down: no link: DOWN and polling, else LinkUp and ACTIVE
 *
 * Every link of the subnet is 4X EDR (an extended speed) with MTU 4096 and
 * VL0 only. The node's own fields (LID, SM LID, capabilities, local port)
 * are its caller's.
 */
void sib_port_info_link(u8 *pi, bool down)
{
	memset(pi, 0, SIB_PORT_INFO_LEN);
	put_unaligned_be64(SIB_SUBNET_PREFIX, pi + 8);	/* GidPrefix */
	pi[29] = 2;					/* LinkWidthEnabled: 4X */
	pi[30] = 3;					/* Supported: 1X, 4X */
	pi[31] = 2;	/* Active: 4X (what it would be; tools show no "none") */
	/* SpeedSupported, PortState; PhysState, LinkDownDefault: Polling */
	pi[32] = 1 << 4 | (down ? IB_PORT_DOWN : IB_PORT_ACTIVE);
	pi[33] = (down ? IB_PORT_PHYS_STATE_POLLING :
		  IB_PORT_PHYS_STATE_LINK_UP) << 4 | 2;
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

/**
 * sib_port_info() - an HCA port's PortInfo (IBA 14.2.5.6), 64 bytes
 * @pi: written
 * @sd: the HCA
 *
 * What sib_query_port() reports, in the SMP's form: its LID, the SM at
 * SIB_SM_LID, ACTIVE and LinkUp, on the link every port has.
 */
void sib_port_info(u8 *pi, const struct sib_dev *sd)
{
	sib_port_info_link(pi, false);
	put_unaligned_be16(sd->lid, pi + 16);
	put_unaligned_be16(SIB_SM_LID, pi + 18);
	put_unaligned_be32(SIB_PORT_CAP_FLAGS, pi + 20);
	pi[28] = 1;					/* LocalPortNum */
}

/**
 * sib_pkey_block() - block @block of a port's P_KeyTable (IBA 14.2.5.7)
 * @p: written, 32 P_Keys
 * @block: the block asked for
 *
 * Every port of the subnet has one P_Key, the default 0xffff.
 *
 * Return: 0, or the MAD status of a block beyond PartitionCap.
 */
u16 sib_pkey_block(u8 *p, u32 block)
{
	if (block)
		return IB_MGMT_MAD_STATUS_INVALID_ATTRIB_VALUE;
	put_unaligned_be16(0xffff, p);
	return 0;
}

/**
 * sib_smp_check() - whether an SMA can answer @in: a Get of its versions
 * @in: the SMP
 *
 * Return: 0, or the MAD status of the response.
 */
u16 sib_smp_check(const struct ib_smp *in)
{
	if (in->base_version != IB_MGMT_BASE_VERSION ||
	    in->class_version != SIB_SMP_CLASS_VERSION)
		return IB_MGMT_MAD_STATUS_BAD_VERSION;
	if (in->method != IB_MGMT_METHOD_GET)
		return in->method == IB_MGMT_METHOD_SET ?
		       IB_MGMT_MAD_STATUS_UNSUPPORTED_METHOD_ATTRIB :
		       IB_MGMT_MAD_STATUS_UNSUPPORTED_METHOD;
	return 0;
}

/* The status of the response to @in, its data written into @out. */
static u16 sib_sma_get(const struct sib_dev *sd, const struct ib_smp *in,
		       struct ib_smp *out)
{
	u32 mod = be32_to_cpu(in->attr_mod);
	u16 status = sib_smp_check(in);

	if (status)
		return status;
	switch (in->attr_id) {
	case IB_SMP_ATTR_NODE_DESC:
		memcpy(out->data, sd->ibdev.node_desc, IB_DEVICE_NODE_DESC_MAX);
		return 0;
	case IB_SMP_ATTR_NODE_INFO:
		sib_node_info(out->data, sd);
		return 0;
	case IB_SMP_ATTR_PORT_INFO:
		/* A CA's port: 0 (the one the SMP came in by) or its number. */
		if (mod > 1)
			return IB_MGMT_MAD_STATUS_INVALID_ATTRIB_VALUE;
		sib_port_info(out->data, sd);
		return 0;
	case IB_SMP_ATTR_PKEY_TABLE:
		return sib_pkey_block(out->data, mod);
	case IB_SMP_ATTR_GUID_INFO:
		/* Block 0 of 1 (GUIDCap 1): the port GUID. */
		if (mod)
			return IB_MGMT_MAD_STATUS_INVALID_ATTRIB_VALUE;
		memcpy(out->data, &sd->guid, 8);
		return 0;
	}
	return IB_MGMT_MAD_STATUS_UNSUPPORTED_METHOD_ATTRIB;
}

/**
 * sib_sma_answer() - answer an SMP for this port
 * @sd: the HCA whose QP0 received it, or sent it to itself
 * @in: the SMP (a request: ib_mad passes responses on)
 * @out: the response, its MAD header already copied from @in
 *
 * A LID-routed SMP is answered where it arrives. ib_mad offers a
 * directed-route one only at the end of its path (from the switch, or
 * with no hop at all from the port itself), its hop pointer past the last
 * hop: the response keeps the request's route and pointer and says it
 * goes back (the D bit), and ib_mad sends it back by the return path.
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
	return sib_sma_get(sd, in, out) | SIB_SMP_DIR;
}
