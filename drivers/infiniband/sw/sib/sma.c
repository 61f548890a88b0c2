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
 * M_Key is 0: every SMP is allowed.
 *
 * With the embedded SM the ports are its: ACTIVE from the start at their
 * fixed LIDs, and Set is refused. With an external one (sa_mode=opensm)
 * a port starts INIT with LID 0 and PortInfo Set is that SM's: LID, SM
 * LID and SL, LMC, subnet timeout, the port state (INIT -> ARMED ->
 * ACTIVE, or DOWN, after which the link trains again to INIT), and client
 * re-register; each change raises the event a hardware port's would.
 * Set of P_KeyTable answers with the one table there is. A Get or Set of
 * an attribute the SMA does not know (SMInfo, vendor attributes) goes on
 * to ib_mad's agents, as a hardware HCA's firmware passes them to the
 * host: an SM bound to the port answers SMInfo, and ib_mad answers the
 * rest "unsupported". The switch the ports hang from has an SMA of its
 * own (switch.c).
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
 * @state: the port's state: DOWN is a port without a link, polling
 *
 * Every link of the subnet is 4X EDR (an extended speed) with MTU 4096 and
 * VL0 only. The node's own fields (LID, SM LID, capabilities, local port)
 * are its caller's.
 */
void sib_port_info_link(u8 *pi, enum ib_port_state state)
{
	bool down = state == IB_PORT_DOWN;

	memset(pi, 0, SIB_PORT_INFO_LEN);
	put_unaligned_be64(SIB_SUBNET_PREFIX, pi + 8);	/* GidPrefix */
	pi[29] = 2;					/* LinkWidthEnabled: 4X */
	pi[30] = 3;					/* Supported: 1X, 4X */
	pi[31] = 2;	/* Active: 4X (what it would be; tools show no "none") */
	/* SpeedSupported, PortState; PhysState, LinkDownDefault: Polling */
	pi[32] = 1 << 4 | state;
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
 * What sib_query_port() reports, in the SMP's form: its LID, SM LID and
 * SL, LMC, capabilities and state, on the link every port has.
 *
 * Context: under sib_subnet.lock, or where its SM's values do not change.
 */
void sib_port_info(u8 *pi, const struct sib_dev *sd)
{
	sib_port_info_link(pi, sd->state);
	put_unaligned_be16(sd->lid, pi + 16);
	put_unaligned_be16(sd->sm_lid, pi + 18);
	put_unaligned_be32(sd->cap_flags, pi + 20);
	pi[28] = 1;					/* LocalPortNum */
	pi[34] = sd->lmc;
	pi[36] |= sd->sm_sl;
	pi[51] = sd->subnet_timeout;
}

/**
 * sib_sma_port_init() - a new HCA port as its SM finds it
 * @sd: the HCA, not yet registered
 *
 * The embedded SM's port is ACTIVE at LID SIB_FIRST_LID + its index; an
 * external SM's is INIT, with no LID, until that SM sets them.
 */
void sib_sma_port_init(struct sib_dev *sd)
{
	sd->cap_flags = SIB_PORT_CAP_FLAGS;
	sd->subnet_timeout = SIB_SUBNET_TIMEOUT;
	if (sib_sm_external) {
		sd->state = IB_PORT_INIT;
		return;
	}
	sd->state = IB_PORT_ACTIVE;
	sd->lid = SIB_FIRST_LID + sd->index;
	sd->sm_lid = SIB_SM_LID;
}

/**
 * sib_port_info_parse() - what a PortInfo Set asks of a port
 * @pi: the Set's PortInfo
 * @set: filled in
 *
 * The fields an SM sets that rdma_sib keeps; the link's (widths, speeds,
 * MTU, VLs) stay as they are, as they are all the link can do.
 *
 * Return: 0, or INVALID_ATTRIB_VALUE for a LID or SM LID out of the
 * unicast range, or a PortState that cannot be asked for (INIT).
 */
u16 sib_port_info_parse(const u8 *pi, struct sib_port_set *set)
{
	set->lid = get_unaligned_be16(pi + 16);
	set->sm_lid = get_unaligned_be16(pi + 18);
	set->state = pi[32] & 0x0f;
	set->lmc = pi[34] & 0x07;
	set->sm_sl = pi[36] & 0x0f;
	set->rereg = pi[51] & 0x80;
	set->subnet_timeout = pi[51] & 0x1f;
	if (set->lid >= SIB_MLID_BASE || set->sm_lid >= SIB_MLID_BASE ||
	    set->state == IB_PORT_INIT || set->state > IB_PORT_ACTIVE)
		return IB_MGMT_MAD_STATUS_INVALID_ATTRIB_VALUE;
	return 0;
}

/**
 * sib_port_state_next() - the state a PortInfo Set moves a port to
 * @cur: the port's state now (INIT, ARMED or ACTIVE: it has a link)
 * @want: the PortState the Set asks: NOP (no change), DOWN, ARMED, ACTIVE
 *
 * DOWN takes the link down, and it trains again: the port is INIT. ARMED
 * is reached from INIT, ACTIVE from ARMED; asking for the state a port is
 * in changes nothing.
 *
 * Return: the new state, or -EINVAL for a transition the IBA does not have.
 */
int sib_port_state_next(enum ib_port_state cur, u8 want)
{
	switch (want) {
	case IB_PORT_NOP:
		return cur;
	case IB_PORT_DOWN:
		return IB_PORT_INIT;
	case IB_PORT_ARMED:
		return cur == IB_PORT_INIT || cur == IB_PORT_ARMED ?
		       IB_PORT_ARMED : -EINVAL;
	case IB_PORT_ACTIVE:
		return cur == IB_PORT_ARMED || cur == IB_PORT_ACTIVE ?
		       IB_PORT_ACTIVE : -EINVAL;
	}
	return -EINVAL;
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
 * sib_smp_check() - whether an SMA can answer @in: a Get, or a Set for an
 *	external SM, of its versions
 * @in: the SMP
 *
 * Return: 0, or the MAD status of the response.
 */
u16 sib_smp_check(const struct ib_smp *in)
{
	if (in->base_version != IB_MGMT_BASE_VERSION ||
	    in->class_version != SIB_SMP_CLASS_VERSION)
		return IB_MGMT_MAD_STATUS_BAD_VERSION;
	if (in->method == IB_MGMT_METHOD_GET)
		return 0;
	if (in->method == IB_MGMT_METHOD_SET)
		return sib_sm_external ? 0 :
		       IB_MGMT_MAD_STATUS_UNSUPPORTED_METHOD_ATTRIB;
	return IB_MGMT_MAD_STATUS_UNSUPPORTED_METHOD;
}

/* The events a port change raises, in the order a hardware port's come. */
struct sib_port_events {
	enum ib_event_type ev[5];
	unsigned int n;
};

/*
 * Apply PortInfo Set @set to @sd's port; the events to raise in @evs.
 * Under sib_subnet.lock.
 */
static u16 sib_sma_apply(struct sib_dev *sd, const struct sib_port_set *set,
			 struct sib_port_events *evs)
{
	int next = sib_port_state_next(sd->state, set->state);

	if (next < 0)
		return IB_MGMT_MAD_STATUS_INVALID_ATTRIB_VALUE;
	if (set->state == IB_PORT_DOWN && sd->state == IB_PORT_ACTIVE)
		evs->ev[evs->n++] = IB_EVENT_PORT_ERR;
	if (set->lid != sd->lid || set->lmc != sd->lmc)
		evs->ev[evs->n++] = IB_EVENT_LID_CHANGE;
	if (set->sm_lid != sd->sm_lid || set->sm_sl != sd->sm_sl)
		evs->ev[evs->n++] = IB_EVENT_SM_CHANGE;
	if (next == IB_PORT_ACTIVE && sd->state != IB_PORT_ACTIVE)
		evs->ev[evs->n++] = IB_EVENT_PORT_ACTIVE;
	if (set->rereg)
		evs->ev[evs->n++] = IB_EVENT_CLIENT_REREGISTER;
	WRITE_ONCE(sd->lid, set->lid);
	sd->lmc = set->lmc;
	sd->sm_lid = set->sm_lid;
	sd->sm_sl = set->sm_sl;
	sd->subnet_timeout = set->subnet_timeout;
	if (set->state == IB_PORT_DOWN)
		sib_switch_link(sd, true);	/* trained again: both ends INIT */
	WRITE_ONCE(sd->state, next);
	return 0;
}

/* PortInfo Set of an external SM; the status. */
static u16 sib_sma_set_port_info(struct sib_dev *sd, const struct ib_smp *in)
{
	struct sib_port_events evs = {};
	struct ib_event ev = {
		.device = &sd->ibdev,
		.element.port_num = 1,
	};
	struct sib_port_set set;
	unsigned long flags;
	unsigned int i;
	u16 status;

	status = sib_port_info_parse(in->data, &set);
	if (status)
		return status;
	spin_lock_irqsave(&sib_subnet.lock, flags);
	status = sib_sma_apply(sd, &set, &evs);
	spin_unlock_irqrestore(&sib_subnet.lock, flags);
	for (i = 0; i < evs.n; i++) {
		ev.event = evs.ev[i];
		ib_dispatch_event(&ev);
	}
	return status;
}

/*
 * The status of the response to @in, its data written into @out;
 * SIB_SMA_PASS for an attribute ib_mad's agents are to have.
 */
#define SIB_SMA_PASS	0xffff

static u16 sib_sma_get(struct sib_dev *sd, const struct ib_smp *in,
		       struct ib_smp *out)
{
	bool set = in->method == IB_MGMT_METHOD_SET;
	u32 mod = be32_to_cpu(in->attr_mod);
	u16 status = sib_smp_check(in);
	unsigned long flags;

	if (status)
		return status;
	/* Read-only attributes: no Set. */
	if (set && (in->attr_id == IB_SMP_ATTR_NODE_DESC ||
		    in->attr_id == IB_SMP_ATTR_NODE_INFO))
		return IB_MGMT_MAD_STATUS_UNSUPPORTED_METHOD_ATTRIB;
	switch (in->attr_id) {
	case IB_SMP_ATTR_NODE_DESC:
		memcpy(out->data, sd->ibdev.node_desc, IB_DEVICE_NODE_DESC_MAX);
		return 0;
	case IB_SMP_ATTR_NODE_INFO:
		sib_node_info(out->data, sd);
		return 0;
	case IB_SMP_ATTR_PORT_INFO:
		/*
		 * A CA's port: 0 (the one the SMP came in by) or its number,
		 * in the low byte (OpenSM's Sets also have bit 31).
		 */
		if ((mod & SIB_PORT_INFO_MOD_PORT) > 1)
			return IB_MGMT_MAD_STATUS_INVALID_ATTRIB_VALUE;
		status = set ? sib_sma_set_port_info(sd, in) : 0;
		spin_lock_irqsave(&sib_subnet.lock, flags);
		sib_port_info(out->data, sd);
		spin_unlock_irqrestore(&sib_subnet.lock, flags);
		return status;
	case IB_SMP_ATTR_PKEY_TABLE:
		/* A Set is answered with the one table there is. */
		return sib_pkey_block(out->data, mod);
	case IB_SMP_ATTR_GUID_INFO:
		/* Block 0 of 1 (GUIDCap 1): the port GUID; a Set changes nothing. */
		if (mod)
			return IB_MGMT_MAD_STATUS_INVALID_ATTRIB_VALUE;
		memcpy(out->data, &sd->guid, 8);
		return 0;
	}
	return SIB_SMA_PASS;
}

/**
 * sib_sma_answer() - answer an SMP for this port
 * @sd: the HCA whose QP0 received it, or sent it to itself
 * @in: the SMP (a request: ib_mad passes responses on)
 * @out: the response, its MAD header already copied from @in
 * @status: set to the MAD status of the response, with IB_SMP_DIRECTION's
 *	bit (0x8000) for a directed-route one
 *
 * A LID-routed SMP is answered where it arrives. ib_mad offers a
 * directed-route one only at the end of its path (from the switch, or
 * with no hop at all from the port itself), its hop pointer past the last
 * hop: the response keeps the request's route and pointer and says it
 * goes back (the D bit), and ib_mad sends it back by the return path.
 *
 * Return: true if @out is the response; false if ib_mad's agents are to
 * have the SMP (a Get or Set of an attribute the SMA does not know).
 */
bool sib_sma_answer(struct sib_dev *sd, const struct ib_smp *in,
		    struct ib_smp *out, u16 *status)
{
	u8 method = out->method;
	u16 st;

	if (in->mgmt_class == IB_MGMT_CLASS_SUBN_LID_ROUTED) {
		st = sib_sma_get(sd, in, out);
		*status = st;
		return st != SIB_SMA_PASS;
	}
	/* Directed route: the whole SMP back, with its route. */
	memcpy(out, in, sizeof(*out));
	out->method = method;
	memset(out->data, 0, sizeof(out->data));
	st = sib_sma_get(sd, in, out);
	*status = st | SIB_SMP_DIR;
	return st != SIB_SMA_PASS;
}
