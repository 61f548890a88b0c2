// SPDX-License-Identifier: GPL-2.0-only
/*
 * The switch the HCAs hang from, as subnet management sees it: a node of
 * its own (GUID SIB_GUID_BASE, SIB_SW_PORTS ports), its port n leading to
 * the HCA of index n - 1, and its management port 0. fabric.c hands it
 * the SMPs HCAs send to it: directed-route ones (to the permissive LID)
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
 * (ports 0 to SIB_SW_PORTS), P_KeyTable, SLtoVLMappingTable,
 * VLArbitrationTable, LinearForwardingTable, MulticastForwardingTable and,
 * with the embedded SM, SMInfo. M_Key is 0, so every SMP is let in.
 *
 * With the embedded SM (sa_mode modern or legacy) the switch is that SM's:
 * port 0 holds LID SIB_SM_LID, where the SM and SA sit (a managed switch's
 * SM), every port with an HCA is ACTIVE, Set is refused, and the
 * forwarding tables shown are what the fabric does (fabric.c): each HCA's
 * LID by its port, a group's MLID by the ports whose JoinState receives.
 * With an external SM (sa_mode=opensm) the switch is that SM's to set up:
 * ports come up INIT, port 0 without a LID, and Set of PortInfo (LID, SM
 * LID, port states), SwitchInfo (LinearFDBTop, PortStateChange cleared)
 * and the forwarding tables is taken; the fabric then forwards by those
 * tables alone (sib_switch_unicast(), sib_switch_mc_forwards()).
 *
 * Context: the SMA runs in the fabric's delivery work, bottom halves off;
 * the switch's state and tables are under sib_subnet.lock.
 */
#include <linux/slab.h>
#include <rdma/ib_mad.h>
#include <rdma/ib_smi.h>

#include "sib.h"

#define SIB_SW_NO_PORT		0xff	/* LFT: no route */
#define SIB_SW_LIFETIME		18	/* LifeTimeValue: 4.096 us * 2^18 */
#define SIB_SW_STATE_CHANGE	0x04	/* SwitchInfo byte 11: PortStateChange */

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
 * sib_switch_lid() - the switch's LID: SIB_SM_LID, or what an external SM
 *	set (0 until it does)
 *
 * Return: the LID.
 */
u16 sib_switch_lid(void)
{
	return sib_sm_external ? READ_ONCE(sib_subnet.sw.lid) : SIB_SM_LID;
}

/**
 * sib_switch_is_for() - whether a packet is the switch's: an SMP from an
 *	HCA to QP0 of the permissive LID or of the switch's
 * @pkt: the packet
 *
 * Return: true if sib_switch_receive() is to have it.
 */
bool sib_switch_is_for(const struct sib_pkt *pkt)
{
	u16 lid;

	if (!pkt->src || pkt->dqpn)
		return false;
	lid = sib_switch_lid();
	return pkt->dlid == SIB_LID_PERMISSIVE || (lid && pkt->dlid == lid);
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

/* The state of switch port @port. */
static enum ib_port_state sib_switch_port_state(unsigned int port)
{
	if (sib_sm_external)
		return sib_subnet.sw.state[port];
	return !port || sib_switch_peer(port) ? IB_PORT_ACTIVE : IB_PORT_DOWN;
}

/**
 * sib_switch_link() - an HCA's link to the switch came up or went
 * @sd: the HCA
 * @up: its link trained (an HCA added, or its link bounced): both ends
 *	INIT for an external SM; false: it went
 *
 * Either way the switch notes a port state change for its SM.
 *
 * Context: under sib_subnet.lock.
 */
void sib_switch_link(struct sib_dev *sd, bool up)
{
	lockdep_assert_held(&sib_subnet.lock);
	sib_subnet.sw.state[sib_switch_port_of(sd)] =
		up ? IB_PORT_INIT : IB_PORT_DOWN;
	sib_subnet.sw.state_change = true;
}

/* The highest LID the embedded SM's fabric forwards to. */
static unsigned int sib_switch_lft_top(void)
{
	unsigned int lid;

	if (sib_sm_external)
		return sib_subnet.sw.lft_top;
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
	p[11] = (sib_sm_external ? sib_subnet.sw.life : SIB_SW_LIFETIME) << 3;
	if (sib_sm_external && sib_subnet.sw.state_change)
		p[11] |= SIB_SW_STATE_CHANGE;
	put_unaligned_be16(1, p + 12);	/* LIDsPerPort */
	/* PartitionEnforcementCap 0: the external ports have no P_Key table. */
}

/*
 * SwitchInfo Set: LinearFDBTop, LifeTimeValue, and PortStateChange, which
 * a 1 clears. The rest is what the switch is.
 */
static u16 sib_switch_info_set(const u8 *p)
{
	u16 top = get_unaligned_be16(p + 6);

	if (top >= SIB_SW_LFT_CAP)
		return IB_MGMT_MAD_STATUS_INVALID_ATTRIB_VALUE;
	sib_subnet.sw.lft_top = top;
	sib_subnet.sw.life = p[11] >> 3;
	if (p[11] & SIB_SW_STATE_CHANGE)
		sib_subnet.sw.state_change = false;
	return 0;
}

/*
 * PortInfo of switch port @port (IBA 14.2.5.6): port 0, the management
 * port (base, not enhanced), holds the switch's LID (and, with the
 * embedded SM, IsSM); an external port is up, 4X EDR like the HCA's, when
 * an HCA hangs from it, else polling for a link.
 */
static u16 sib_switch_port_info(u8 *pi, unsigned int port, unsigned int in_port)
{
	struct sib_switch *sw = &sib_subnet.sw;

	if (port > SIB_SW_PORTS)
		return IB_MGMT_MAD_STATUS_INVALID_ATTRIB_VALUE;
	sib_port_info_link(pi, sib_switch_port_state(port));
	put_unaligned_be16(sib_switch_lid(), pi + 16);	/* LID */
	put_unaligned_be16(sib_sm_external ? sw->sm_lid : SIB_SM_LID, pi + 18);
	pi[28] = in_port;				/* LocalPortNum */
	if (port)
		return 0;
	/* CapabilityMask and LMC: port 0's only. */
	put_unaligned_be32(SIB_PORT_CAP_FLAGS | (sib_sm_external ? 0 : IB_PORT_SM),
			   pi + 20);
	pi[34] = sib_sm_external ? sw->lmc : 0;
	return 0;
}

/*
 * PortInfo Set of an external SM: port 0's LID, SM LID, LMC and state; an
 * external port's state. Taking a link down makes it train again: both
 * ends INIT, the HCA's port told of the error if it was ACTIVE (*@lost).
 */
static u16 sib_switch_port_info_set(const u8 *pi, unsigned int port,
				    struct sib_dev **lost)
{
	struct sib_switch *sw = &sib_subnet.sw;
	struct sib_dev *peer = sib_switch_peer(port);
	struct sib_port_set set;
	u16 status;
	int next;

	if (port > SIB_SW_PORTS)
		return IB_MGMT_MAD_STATUS_INVALID_ATTRIB_VALUE;
	status = sib_port_info_parse(pi, &set);
	if (status)
		return status;
	if (port && !peer)	/* no link: nothing to set */
		return set.state ? IB_MGMT_MAD_STATUS_INVALID_ATTRIB_VALUE : 0;
	next = sib_port_state_next(sw->state[port], set.state);
	if (next < 0)
		return IB_MGMT_MAD_STATUS_INVALID_ATTRIB_VALUE;
	sw->state[port] = next;
	if (!port) {
		WRITE_ONCE(sw->lid, set.lid);
		sw->sm_lid = set.sm_lid;
		sw->lmc = set.lmc;
	} else if (set.state == IB_PORT_DOWN) {
		if (peer->state == IB_PORT_ACTIVE)
			*lost = peer;
		WRITE_ONCE(peer->state, IB_PORT_INIT);
		sw->state_change = true;
	}
	return 0;
}

/*
 * LinearForwardingTable block @block (IBA 14.2.5.10): 64 LIDs, each the
 * port it leaves by; @set: an external SM's Set of them (from @p).
 */
static u16 sib_switch_lft_block(u8 *p, u32 block, bool set)
{
	unsigned int i, lid;
	struct sib_dev *sd;

	if (block >= SIB_SW_LFT_CAP / 64)
		return IB_MGMT_MAD_STATUS_INVALID_ATTRIB_VALUE;
	if (sib_sm_external) {
		if (set)
			memcpy(sib_subnet.sw.lft + block * 64, p, 64);
		memcpy(p, sib_subnet.sw.lft + block * 64, 64);
		return 0;
	}
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
 * (bits 31-28): the ports a group's packets leave by; @set: an external
 * SM's Set of them (from @p).
 */
static u16 sib_switch_mft_block(u8 *p, u32 mod, bool set)
{
	unsigned int block = mod & 0x1ff, pos = mod >> 28, i, port, idx;
	struct sib_group *g;
	struct sib_dev *sd;
	u16 mask;

	if (block * 32 >= sib_mft_cap || pos >= SIB_SW_MFT_POS ||
	    (mod & 0x0ffffe00))
		return IB_MGMT_MAD_STATUS_INVALID_ATTRIB_VALUE;
	for (i = 0; i < 32 && block * 32 + i < sib_mft_cap; i++) {
		idx = (block * 32 + i) * SIB_SW_MFT_POS + pos;
		if (sib_sm_external) {
			if (set)
				sib_subnet.sw.mft[idx] = get_unaligned_be16(p + 2 * i);
			put_unaligned_be16(sib_subnet.sw.mft[idx], p + 2 * i);
			continue;
		}
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

/*
 * Answer a Get or Set of @in's attribute into @out; its status. A Set
 * (only for an external SM: sib_smp_check()) is answered with the
 * attribute as it is afterwards. Under sib_subnet.lock; *@lost is set to
 * an HCA whose port a Set took down from ACTIVE.
 */
static u16 sib_switch_get(const struct ib_smp *in, struct ib_smp *out,
			  unsigned int in_port, struct sib_dev **lost)
{
	bool set = in->method == IB_MGMT_METHOD_SET;
	u32 mod = be32_to_cpu(in->attr_mod);
	u16 status = sib_smp_check(in);

	if (status)
		return status;
	/* Read-only attributes: no Set. */
	if (set && (in->attr_id == IB_SMP_ATTR_NODE_DESC ||
		    in->attr_id == IB_SMP_ATTR_NODE_INFO))
		return IB_MGMT_MAD_STATUS_UNSUPPORTED_METHOD_ATTRIB;
	switch (in->attr_id) {
	case IB_SMP_ATTR_NODE_DESC:
		strscpy((char *)out->data, SIB_SW_DESC, IB_DEVICE_NODE_DESC_MAX);
		return 0;
	case IB_SMP_ATTR_NODE_INFO:
		sib_switch_node_info(out->data, in_port);
		return 0;
	case IB_SMP_ATTR_SWITCH_INFO:
		status = set ? sib_switch_info_set(in->data) : 0;
		sib_switch_info(out->data);
		return status;
	case IB_SMP_ATTR_PORT_INFO:
		/* The port is the low byte (OpenSM's Sets also have bit 31). */
		mod &= SIB_PORT_INFO_MOD_PORT;
		status = set ? sib_switch_port_info_set(in->data, mod, lost) : 0;
		return status ?: sib_switch_port_info(out->data, mod, in_port);
	case IB_SMP_ATTR_PKEY_TABLE:
		/* Port 0's only (PartitionEnforcementCap 0); a Set changes nothing. */
		return mod >> 16 ? IB_MGMT_MAD_STATUS_INVALID_ATTRIB_VALUE :
		       sib_pkey_block(out->data, mod & 0xffff);
	case IB_SMP_ATTR_SL_TO_VL_TABLE:
	case IB_SMP_ATTR_VL_ARB_TABLE:
		/* VL0 only: every SL to VL0, no arbitration; a Set changes nothing. */
		return 0;
	case IB_SMP_ATTR_LINEAR_FORWARD_TABLE:
		if (set)
			memcpy(out->data, in->data, 64);
		return sib_switch_lft_block(out->data, mod, set);
	case IB_SMP_ATTR_MCAST_FORWARD_TABLE:
		if (set)
			memcpy(out->data, in->data, 64);
		return sib_switch_mft_block(out->data, mod, set);
	case IB_SMP_ATTR_SM_INFO:
		if (sib_sm_external || set)
			break;
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
	pkt->slid = port ? SIB_LID_PERMISSIVE : sib_switch_lid();
	pkt->dlid = port ? SIB_LID_PERMISSIVE : dlid;
	/* QP0 to QP0; QP0 takes any Q_Key. */
	sib_fabric_send(pkt);
}

/* The switch's SMA answers @in, which came in by @in_port from @slid. */
static void sib_switch_answer(const struct ib_smp *in, unsigned int in_port,
			      u16 slid)
{
	struct ib_event ev = { .event = IB_EVENT_PORT_ERR };
	bool dr = in->mgmt_class == IB_MGMT_CLASS_SUBN_DIRECTED_ROUTE;
	struct sib_dev *lost = NULL;
	unsigned long flags;
	struct ib_smp *out;
	u16 status;

	out = kmemdup(in, sizeof(*in), GFP_ATOMIC);
	if (!out) {
		atomic64_inc(&sib_subnet.sw.dropped);
		return;
	}
	memset(out->data, 0, sizeof(out->data));
	spin_lock_irqsave(&sib_subnet.lock, flags);
	status = sib_switch_get(in, out, in_port, &lost);
	spin_unlock_irqrestore(&sib_subnet.lock, flags);
	if (lost) {
		ev.device = &lost->ibdev;
		ev.element.port_num = 1;
		ib_dispatch_event(&ev);
	}
	out->method = IB_MGMT_METHOD_GET_RESP;
	out->status = cpu_to_be16(status | (dr ? SIB_SMP_DIR : 0));
	atomic64_inc(&sib_subnet.sw.answered);
	if (!dr) {
		sib_switch_send(out, 0, slid);
	} else {
		/* Back by the return path (C14-13:1): hop_ptr is hop_cnt + 1. */
		out->hop_ptr--;
		sib_switch_send(out, out->return_path[out->hop_ptr], 0);
	}
	kfree(out);
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
	unsigned long flags;
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
	spin_lock_irqsave(&sib_subnet.lock, flags);
	linked = sib_switch_peer(out);
	spin_unlock_irqrestore(&sib_subnet.lock, flags);
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

/**
 * sib_switch_port_active() - whether an HCA's link is ACTIVE at both ends
 * @sd: the HCA
 *
 * With the embedded SM always; with an external one when it has made the
 * HCA's port and the switch's port to it ACTIVE, as packets other than
 * SMPs need.
 *
 * Context: under sib_subnet.lock.
 * Return: true if so.
 */
bool sib_switch_port_active(const struct sib_dev *sd)
{
	return !sib_sm_external ||
	       (sd->state == IB_PORT_ACTIVE &&
		sib_subnet.sw.state[sib_switch_port_of(sd)] == IB_PORT_ACTIVE);
}

/**
 * sib_switch_unicast() - the HCA an external SM's LFT sends a packet to
 * @pkt: the packet, to a unicast LID
 * @why: set to the drop reason when there is none
 *
 * The HCA at the port the LFT gives for the DLID, if that DLID is one of
 * its LIDs (its base LID with the LMC's path bits). Packets other than
 * SMPs (to QP0) need the links at both ends ACTIVE.
 *
 * Context: under sib_subnet.lock.
 * Return: the HCA, or NULL.
 */
struct sib_dev *sib_switch_unicast(const struct sib_pkt *pkt,
				   enum sib_drop *why)
{
	struct sib_dev *dst;

	*why = SIB_DROP_NO_LID;
	if (pkt->dlid >= SIB_SW_LFT_CAP)
		return NULL;
	dst = sib_switch_peer(sib_subnet.sw.lft[pkt->dlid]);
	if (!dst || !dst->lid || pkt->dlid >> dst->lmc != dst->lid >> dst->lmc)
		return NULL;
	if (pkt->dqpn && (!sib_switch_port_active(dst) ||
			  (pkt->src && !sib_switch_port_active(pkt->src)))) {
		*why = SIB_DROP_INACTIVE;
		return NULL;
	}
	return dst;
}

/**
 * sib_switch_mc_forwards() - whether an external SM's MFT sends a
 *	multicast packet on to an HCA
 * @pkt: the packet, to an MLID
 * @sd: the HCA, not the sender
 *
 * Context: under sib_subnet.lock.
 * Return: true if the MLID's PortMask has the HCA's port and its link is
 * ACTIVE.
 */
bool sib_switch_mc_forwards(const struct sib_pkt *pkt, const struct sib_dev *sd)
{
	unsigned int idx = pkt->dlid - SIB_MLID_BASE, port = sib_switch_port_of(sd);
	u16 mask;

	if (idx >= sib_mft_cap)
		return false;
	mask = sib_subnet.sw.mft[idx * SIB_SW_MFT_POS + port / SIB_SW_MFT_PORTS];
	return mask & BIT(port % SIB_SW_MFT_PORTS) && sib_switch_port_active(sd);
}

/**
 * sib_switch_init() - the switch at load: its ports down but port 0, and
 *	for an external SM empty forwarding tables
 *
 * Context: process context, before any HCA.
 * Return: 0 or -ENOMEM.
 */
int sib_switch_init(void)
{
	struct sib_switch *sw = &sib_subnet.sw;
	unsigned int i;

	for (i = 1; i <= SIB_SW_PORTS; i++)
		sw->state[i] = IB_PORT_DOWN;
	sw->life = SIB_SW_LIFETIME;
	if (!sib_sm_external) {
		sw->state[0] = IB_PORT_ACTIVE;
		return 0;
	}
	sw->state[0] = IB_PORT_INIT;
	sw->lft = kmalloc(SIB_SW_LFT_CAP, GFP_KERNEL);
	sw->mft = kvcalloc(sib_mft_cap * SIB_SW_MFT_POS, sizeof(*sw->mft),
			   GFP_KERNEL);
	if (!sw->lft || !sw->mft) {
		sib_switch_exit();
		return -ENOMEM;
	}
	memset(sw->lft, SIB_SW_NO_PORT, SIB_SW_LFT_CAP);
	return 0;
}

/**
 * sib_switch_exit() - free the forwarding tables
 *
 * Context: after the last HCA and the delivery work are gone.
 */
void sib_switch_exit(void)
{
	kfree(sib_subnet.sw.lft);
	kvfree(sib_subnet.sw.mft);
	sib_subnet.sw.lft = NULL;
	sib_subnet.sw.mft = NULL;
}
