// SPDX-License-Identifier: GPL-2.0-only
/*
 * The switch the HCAs hang from, as subnet management sees it: a node of
 * its own (GUID SIB_GUID_BASE, SIB_SW_PORTS ports), its port n leading to
 * the HCA of index n - 1, its management port 0 holding LID SIB_SM_LID,
 * where the embedded SM and SA sit (a managed switch's SM). fabric.c hands
 * it the SMPs HCAs send to it: directed-route ones (to the permissive LID)
 * and LID-routed ones to its LID.
 *
 * Directed route (IBA 14.2.2): an SMP going out (D bit clear) that has
 * hops left is forwarded by its initial path, the port it came in by noted
 * in its return path; one at the end of its path is for the switch's SMA,
 * whose response goes back by the return path, as a returning SMP (D set)
 * passing through does. An HCA's end of a path is ib_mad's and the HCA's
 * own SMA's (sma.c). Anything else, like an SMP whose hop pointer or count
 * the rules do not allow, or a path out of a port with no HCA, is
 * discarded, as a switch does, and counted (debugfs switch/smp_*).
 *
 * The SMA answers Get of NodeDescription, NodeInfo, SwitchInfo, PortInfo
 * (ports 0 to SIB_SW_PORTS), P_KeyTable, LinearForwardingTable,
 * MulticastForwardingTable and SMInfo. Its forwarding tables are what the
 * fabric does: by LID to each HCA's port, and a group's MLID to the ports
 * whose JoinState receives (fabric.c). M_Key is 0, so every SMP is let in.
 * Set is not answered yet (issue 15: an SM assigning LIDs and programming
 * the tables).
 *
 * Context: all of it runs in the fabric's delivery work, bottom halves
 * off, and reads the subnet under sib_subnet.lock.
 */
#include <rdma/ib_mad.h>
#include <rdma/ib_smi.h>

#include "sib.h"

#define SIB_SW_LFT_CAP		1024	/* unicast LIDs its LFT holds */
#define SIB_SW_NO_PORT		0xff	/* LFT: no route */
#define SIB_SW_MFT_PORTS	16	/* ports in one MFT PortMask */
#define SIB_SW_LIFETIME		18	/* LifeTimeValue: 4.096 us * 2^18 */

/* SMInfo's SMState of the embedded SM. */
#define SIB_SM_STATE_MASTER	3

/* The HCA at switch port @port (1 to SIB_SW_PORTS), if any. */
static struct sib_dev *sib_switch_peer(unsigned int port)
{
	lockdep_assert_held(&sib_subnet.lock);
	if (port < 1 || port > SIB_SW_PORTS)
		return NULL;
	return sib_subnet.by_lid[SIB_FIRST_LID + port - 1];
}

/* The switch port HCA @sd hangs from. */
static unsigned int sib_switch_port_of(const struct sib_dev *sd)
{
	return sd->index + 1;
}

/**
 * sib_sm_info() - the embedded SM's SMInfo (IBA 14.2.5.13), 24 bytes
 * @p: written
 *
 * A master SM on the switch's port 0: GUID SIB_GUID_BASE, SM_Key 0 (and
 * shown as 0, as to a requester without it), priority 0, ActCount 0.
 */
void sib_sm_info(u8 *p)
{
	memset(p, 0, SIB_SM_INFO_LEN);
	put_unaligned_be64(SIB_GUID_BASE, p);
	p[20] = SIB_SM_STATE_MASTER;		/* Priority 0, SMState */
}

/**
 * sib_switch_node_info() - the switch's NodeInfo (IBA 14.2.5.3), 40 bytes
 * @ni: written
 * @in_port: the port the SMP came in by (0 for the SA's own record)
 */
void sib_switch_node_info(u8 *ni, unsigned int in_port)
{
	memset(ni, 0, SIB_NODE_INFO_LEN);
	ni[0] = IB_MGMT_BASE_VERSION;
	ni[1] = SIB_SMP_CLASS_VERSION;
	ni[2] = RDMA_NODE_IB_SWITCH;
	ni[3] = SIB_SW_PORTS;			/* NumPorts */
	put_unaligned_be64(SIB_GUID_BASE, ni + 4);	/* SystemImageGUID */
	put_unaligned_be64(SIB_GUID_BASE, ni + 12);	/* NodeGUID */
	put_unaligned_be64(SIB_GUID_BASE, ni + 20);	/* PortGUID */
	put_unaligned_be16(1, ni + 28);		/* PartitionCap */
	put_unaligned_be32(SIB_HW_VER, ni + 32);	/* Revision */
	ni[36] = in_port;			/* LocalPortNum */
	ni[37] = SIB_VENDOR_ID >> 16;
	put_unaligned_be16(SIB_VENDOR_ID & 0xffff, ni + 38);
}

/* The highest LID the fabric forwards to: the switch's or an HCA's. */
static unsigned int sib_switch_lft_top(void)
{
	unsigned int lid;

	for (lid = ARRAY_SIZE(sib_subnet.by_lid) - 1; lid >= SIB_FIRST_LID; lid--)
		if (sib_subnet.by_lid[lid])
			return lid;
	return SIB_SM_LID;
}

/* SwitchInfo (IBA 14.2.5.4), 20 bytes. */
static void sib_switch_info(u8 *p)
{
	put_unaligned_be16(SIB_SW_LFT_CAP, p);		/* LinearFDBCap */
	put_unaligned_be16(sib_mft_cap, p + 4);		/* MulticastFDBCap */
	put_unaligned_be16(sib_switch_lft_top(), p + 6);	/* LinearFDBTop */
	p[8] = SIB_SW_NO_PORT;		/* DefaultPort: none */
	p[9] = SIB_SW_NO_PORT;		/* DefaultMulticastPrimaryPort */
	p[10] = SIB_SW_NO_PORT;		/* DefaultMulticastNotPrimaryPort */
	p[11] = SIB_SW_LIFETIME << 3;	/* LifeTimeValue; PortStateChange 0 */
	put_unaligned_be16(1, p + 12);	/* LIDsPerPort */
	/* PartitionEnforcementCap 0: the external ports have no P_Key table. */
}

/*
 * PortInfo of switch port @port (IBA 14.2.5.6): port 0, the management
 * port (base, not enhanced), holds the switch's LID and the SM (IsSM);
 * an external port is up, 4X EDR like the HCA's, when an HCA hangs from
 * it, else polling for a link.
 */
static u16 sib_switch_port_info(u8 *pi, unsigned int port, unsigned int in_port)
{
	struct sib_dev *peer = sib_switch_peer(port);

	if (port > SIB_SW_PORTS)
		return IB_MGMT_MAD_STATUS_INVALID_ATTRIB_VALUE;
	sib_port_info_link(pi, port && !peer);
	put_unaligned_be16(SIB_SM_LID, pi + 16);	/* LID */
	put_unaligned_be16(SIB_SM_LID, pi + 18);	/* MasterSMLID */
	pi[28] = in_port;				/* LocalPortNum */
	/* CapabilityMask: port 0's only. */
	if (!port)
		put_unaligned_be32(SIB_PORT_CAP_FLAGS | IB_PORT_SM, pi + 20);
	return 0;
}

/*
 * LinearForwardingTable block @block (IBA 14.2.5.10): 64 LIDs, each the
 * port it leaves by.
 */
static u16 sib_switch_lft_block(u8 *p, u32 block)
{
	unsigned int i, lid;
	struct sib_dev *sd;

	if (block >= SIB_SW_LFT_CAP / 64)
		return IB_MGMT_MAD_STATUS_INVALID_ATTRIB_VALUE;
	for (i = 0; i < 64; i++) {
		lid = block * 64 + i;
		sd = lid < ARRAY_SIZE(sib_subnet.by_lid) ? sib_subnet.by_lid[lid] : NULL;
		if (lid == SIB_SM_LID)
			p[i] = 0;
		else
			p[i] = sd ? sib_switch_port_of(sd) : SIB_SW_NO_PORT;
	}
	return 0;
}

/*
 * MulticastForwardingTable (IBA 14.2.5.12): @mod's block (bits 8-0) of 32
 * MLIDs from 0xc000, each a PortMask of the 16 ports of its position
 * (bits 31-28): the ports a group's packets leave by.
 */
static u16 sib_switch_mft_block(u8 *p, u32 mod)
{
	unsigned int block = mod & 0x1ff, pos = mod >> 28, i, port;
	struct sib_group *g;
	struct sib_dev *sd;
	u16 mask;

	if (block * 32 >= sib_mft_cap ||
	    pos * SIB_SW_MFT_PORTS > SIB_SW_PORTS || (mod & 0x0ffffe00))
		return IB_MGMT_MAD_STATUS_INVALID_ATTRIB_VALUE;
	for (i = 0; i < 32 && block * 32 + i < sib_mft_cap; i++) {
		g = sib_group_by_mlid(SIB_MLID_BASE + block * 32 + i);
		mask = 0;
		for (port = 0; g && port < SIB_SW_MFT_PORTS; port++) {
			sd = sib_switch_peer(pos * SIB_SW_MFT_PORTS + port);
			if (sd && sib_group_forwards_to(g, sd))
				mask |= BIT(port);
		}
		put_unaligned_be16(mask, p + 2 * i);
	}
	return 0;
}

/* Answer a Get of @in's attribute into @out; its status. */
static u16 sib_switch_get(const struct ib_smp *in, struct ib_smp *out,
			  unsigned int in_port)
{
	u32 mod = be32_to_cpu(in->attr_mod);
	u16 status = sib_smp_check(in);

	if (status)
		return status;
	switch (in->attr_id) {
	case IB_SMP_ATTR_NODE_DESC:
		strscpy((char *)out->data, SIB_SW_DESC, IB_DEVICE_NODE_DESC_MAX);
		return 0;
	case IB_SMP_ATTR_NODE_INFO:
		sib_switch_node_info(out->data, in_port);
		return 0;
	case IB_SMP_ATTR_SWITCH_INFO:
		sib_switch_info(out->data);
		return 0;
	case IB_SMP_ATTR_PORT_INFO:
		return sib_switch_port_info(out->data, mod, in_port);
	case IB_SMP_ATTR_PKEY_TABLE:
		/* Port 0's only (PartitionEnforcementCap 0). */
		return mod >> 16 ? IB_MGMT_MAD_STATUS_INVALID_ATTRIB_VALUE :
		       sib_pkey_block(out->data, mod & 0xffff);
	case IB_SMP_ATTR_LINEAR_FORWARD_TABLE:
		return sib_switch_lft_block(out->data, mod);
	case IB_SMP_ATTR_MCAST_FORWARD_TABLE:
		return sib_switch_mft_block(out->data, mod);
	case IB_SMP_ATTR_SM_INFO:
		sib_sm_info(out->data);
		return 0;
	}
	return IB_MGMT_MAD_STATUS_UNSUPPORTED_METHOD_ATTRIB;
}

/* Send @smp from the switch: out of @port (directed route) or to @dlid. */
static void sib_switch_send(const struct ib_smp *smp, unsigned int port,
			    u16 dlid)
{
	struct sib_pkt *pkt = sib_pkt_alloc(sizeof(*smp), GFP_ATOMIC);

	if (!pkt) {
		atomic64_inc(&sib_subnet.sw.dropped);
		return;
	}
	memcpy(pkt->data, smp, sizeof(*smp));
	pkt->sw_port = port;
	pkt->slid = port ? SIB_LID_PERMISSIVE : SIB_SM_LID;
	pkt->dlid = port ? SIB_LID_PERMISSIVE : dlid;
	/* QP0 to QP0; QP0 takes any Q_Key. */
	sib_fabric_send(pkt);
}

/* The switch's SMA answers @in, which came in by @in_port from @slid. */
static void sib_switch_answer(struct ib_smp *in, unsigned int in_port, u16 slid)
{
	struct ib_smp *out = in;	/* answered in place: Get reads the header */
	bool dr = in->mgmt_class == IB_MGMT_CLASS_SUBN_DIRECTED_ROUTE;
	u16 status;

	memset(out->data, 0, sizeof(out->data));
	spin_lock(&sib_subnet.lock);
	status = sib_switch_get(in, out, in_port);
	spin_unlock(&sib_subnet.lock);
	out->method = IB_MGMT_METHOD_GET_RESP;
	out->status = cpu_to_be16(status | (dr ? SIB_SMP_DIR : 0));
	atomic64_inc(&sib_subnet.sw.answered);
	if (!dr) {
		sib_switch_send(out, 0, slid);
		return;
	}
	/* Back by the return path (C14-13:1): hop_ptr is hop_cnt + 1. */
	out->hop_ptr--;
	sib_switch_send(out, out->return_path[out->hop_ptr], 0);
}

/*
 * Where a directed-route SMP that came in by @in_port goes (IBA 14.2.2.2,
 * C14-9 going out, C14-13 returning): a port to forward it by, 0 for the
 * switch's SMA, or -1 to discard it. The hop pointer and return path are
 * updated as the rules say.
 */
static int sib_switch_dr_route(struct ib_smp *smp, unsigned int in_port)
{
	u8 cnt = smp->hop_cnt;

	if (cnt >= IB_SMP_MAX_PATH_HOPS)
		return -1;
	if (!(be16_to_cpu(smp->status) & SIB_SMP_DIR)) {
		if (!smp->hop_ptr || smp->hop_ptr > cnt)
			return -1;
		smp->return_path[smp->hop_ptr] = in_port;
		smp->hop_ptr++;
		if (smp->hop_ptr == cnt + 1)	/* the end of the path */
			return smp->dr_dlid == IB_LID_PERMISSIVE ? 0 : -1;
		/* Port 0 is no way on. */
		return smp->initial_path[smp->hop_ptr] ?: -1;
	}
	/* Returning: the switch is neither its first nor its last hop. */
	if (smp->hop_ptr < 2 || smp->hop_ptr > cnt)
		return -1;
	smp->hop_ptr--;
	return smp->return_path[smp->hop_ptr];
}

/*
 * Whether the SMA answers @smp: a request. Responses, and TrapRepress,
 * which travels as one, are for an SM or an SMA elsewhere; a request of a
 * method it lacks gets a response saying so.
 */
static bool sib_switch_answers(const struct ib_smp *smp)
{
	return !(smp->method & IB_MGMT_METHOD_RESP) &&
	       smp->method != IB_MGMT_METHOD_TRAP_REPRESS;
}

/**
 * sib_switch_receive() - an SMP an HCA sent to the switch
 * @pkt: the packet: to QP0, by the permissive LID or the switch's; from an
 *	HCA (@pkt->src). The caller completes and frees it.
 *
 * Context: the fabric's delivery work, bottom halves off.
 */
void sib_switch_receive(const struct sib_pkt *pkt)
{
	unsigned int in_port = sib_switch_port_of(pkt->src);
	struct ib_smp smp;
	bool linked;
	int out;

	if (pkt->len < sizeof(smp))
		goto discard;
	memcpy(&smp, pkt->data, sizeof(smp));
	if (smp.mgmt_class == IB_MGMT_CLASS_SUBN_LID_ROUTED) {
		if (!sib_switch_answers(&smp))
			goto discard;
		sib_switch_answer(&smp, in_port, pkt->slid);
		return;
	}
	if (smp.mgmt_class != IB_MGMT_CLASS_SUBN_DIRECTED_ROUTE)
		goto discard;
	out = sib_switch_dr_route(&smp, in_port);
	if (out < 0 || out > SIB_SW_PORTS)
		goto discard;
	if (!out) {
		if (!sib_switch_answers(&smp))
			goto discard;
		sib_switch_answer(&smp, in_port, 0);
		return;
	}
	/* A port without a link is no way on either. */
	spin_lock(&sib_subnet.lock);
	linked = sib_switch_peer(out);
	spin_unlock(&sib_subnet.lock);
	if (!linked)
		goto discard;
	atomic64_inc(&sib_subnet.sw.forwarded);
	sib_switch_send(&smp, out, 0);
	return;

discard:
	atomic64_inc(&sib_subnet.sw.dropped);
}

/**
 * sib_switch_deliver() - a packet the switch sends out of one of its
 *	ports, to the QP0 of the HCA there
 * @pkt: the packet (@pkt->sw_port set)
 *
 * Context: the fabric's delivery work, bottom halves off.
 */
void sib_switch_deliver(const struct sib_pkt *pkt)
{
	struct sib_qp *qp = NULL;
	struct sib_dev *dst;
	unsigned long flags;

	spin_lock_irqsave(&sib_subnet.lock, flags);
	dst = sib_switch_peer(pkt->sw_port);
	if (dst)
		qp = xa_load(&dst->qps, 0);
	spin_unlock_irqrestore(&sib_subnet.lock, flags);
	if (!dst) {
		/* Its HCA went since the SMP was routed. */
		atomic64_inc(&sib_subnet.sw.dropped);
		return;
	}
	sib_tap(dst, pkt, false);
	if (qp)
		sib_qp_receive(dst, qp, pkt);
	else
		sib_drop(dst, SIB_DROP_NO_QP);
}
