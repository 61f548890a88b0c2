// SPDX-License-Identifier: GPL-2.0-only
/*
 * The embedded subnet administrator: answers SA-class MADs (0x03) sent on
 * QP1 to the SM's LID, from the delivery work.
 *
 *   ClassPortInfo     Get; CapabilityMask2 bit 12 (SendOnlyFullMember)
 *                     set in the modern personality only; or refused,
 *                     answered in OPA's form, answered busy, or not
 *                     answered (control "cpi")
 *   MCMemberRecord    Set (join), Delete (leave), Get: per port JoinState
 *                     merged over joins and cleared bit by bit on leave; a
 *                     join that carries Q_Key, P_Key, SL, FlowLabel and
 *                     TClass may create the group, its MTU, rate and
 *                     packet lifetime chosen by their selectors from what
 *                     the fabric offers; a later join must match every
 *                     component it gives (equal, or within its selector);
 *                     joins and leaves act for the requester's own port
 *                     only; a group goes when no full member is left and
 *                     its MLID (0xc000-0xfffe) is given out again; the
 *                     IPoIB broadcast group of P_Key 0xffff always exists
 *   PathRecord        Get, between the subnet's ports
 *   GetTable          of NodeRecord (an HCA's NodeInfo and NodeDescription),
 *                     MCMemberRecord (a record per group and member port)
 *                     and PathRecord (every pair of ports), filtered by the
 *                     components the request gives (not the selectors),
 *                     sent with RMPP by rmpp.c
 *
 * Personalities: "modern" accepts SendOnlyFullMember (0x8) joins as full
 * members; "legacy" behaves like OpenSM before 3.3.21: no bit 12, a join
 * that would create a group without FullMember fails with ERR_REQ_INVALID,
 * and a 0x8 member of an existing group is kept but does not count as a
 * full member, so the group is deleted when its last FullMember leaves.
 *
 * Replies carry no GRH (requests here have none), come from the SM's LID
 * and QP1, and go back to the requester's LID and QP.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/mm.h>
#include <linux/slab.h>
#include <rdma/ib_mad.h>
#include <rdma/ib_sa.h>

#include "sib.h"

#define SIB_IPOIB_QKEY			0x00000b1b
#define SIB_RATE			IB_RATE_40_GBPS
#define SIB_PLT				18	/* packet lifetime, ~1 s */
#define SIB_RECORD_LEN			64
#define SIB_NODE_RECORD_LEN		112	/* 108 bytes, 8-byte aligned */
#define SIB_PORT_RECORD_LEN		72	/* 68 bytes, 8-byte aligned */
#define SIB_SM_RECORD_LEN		32	/* 25 bytes, 8-byte aligned */
#define SIB_SA_TABLE_MAX		(1024 * 1024)	/* bytes of a GetTable answer */

/* Are all of @bits in component mask @comp? Both are big-endian values. */
static bool sib_has(ib_sa_comp_mask comp, ib_sa_comp_mask bits)
{
	return (comp & bits) == bits;
}

/* The IPoIB broadcast group of P_Key 0xffff: ff12:401b:ffff::ffff:ffff. */
static const u8 sib_bcast_mgid[16] = {
	0xff, 0x12, 0x40, 0x1b, 0xff, 0xff, 0, 0,
	0, 0, 0, 0, 0xff, 0xff, 0xff, 0xff,
};

static const char * const sib_sa_modes[] = {
	[SIB_SA_MODERN] = "modern",
	[SIB_SA_LEGACY] = "legacy",
};

static const char * const sib_sa_cpis[] = {
	[SIB_CPI_ANSWER] = "answer",
	[SIB_CPI_REFUSE] = "refuse",
	[SIB_CPI_OPA] = "opa",
	[SIB_CPI_BUSY] = "busy",
	[SIB_CPI_DROP] = "drop",
};

/* OPA's SA class version (the IB SA's is 2). */
#define SIB_OPA_SA_CLASS_VERSION	0x80

/* Decoded MCMemberRecord. */
struct sib_mcm {
	union ib_gid mgid, port_gid;
	u32 qkey, flow_label;
	u16 mlid, pkey;
	u8 mtu_sel, mtu, tclass, rate_sel, rate, plt_sel, plt, sl, hop_limit;
	u8 scope, join_state;
};

static void sib_mcm_unpack(const u8 *p, struct sib_mcm *r)
{
	u32 w = get_unaligned_be32(p + 44);

	memcpy(r->mgid.raw, p, 16);
	memcpy(r->port_gid.raw, p + 16, 16);
	r->qkey = get_unaligned_be32(p + 32);
	r->mlid = get_unaligned_be16(p + 36);
	r->mtu_sel = p[38] >> 6;
	r->mtu = p[38] & 0x3f;
	r->tclass = p[39];
	r->pkey = get_unaligned_be16(p + 40);
	r->rate_sel = p[42] >> 6;
	r->rate = p[42] & 0x3f;
	r->plt_sel = p[43] >> 6;
	r->plt = p[43] & 0x3f;
	r->sl = w >> 28;
	r->flow_label = (w >> 8) & 0xfffff;
	r->hop_limit = w & 0xff;
	r->scope = p[48] >> 4;
	r->join_state = p[48] & 0xf;
}

static void sib_mcm_pack_group(u8 *p, const struct sib_group *g,
			       const union ib_gid *port_gid, u8 join_state)
{
	memset(p, 0, SIB_RECORD_LEN);
	memcpy(p, g->mgid.raw, 16);
	memcpy(p + 16, port_gid->raw, 16);
	put_unaligned_be32(g->qkey, p + 32);
	put_unaligned_be16(g->mlid, p + 36);
	p[38] = IB_SA_EQ << 6 | g->mtu;
	p[39] = g->tclass;
	put_unaligned_be16(g->pkey, p + 40);
	p[42] = IB_SA_EQ << 6 | g->rate;
	p[43] = IB_SA_EQ << 6 | g->plt;
	put_unaligned_be32((u32)g->sl << 28 | g->flow_label << 8 | g->hop_limit,
			   p + 44);
	p[48] = g->scope << 4 | (join_state & 0xf);
}

static struct sib_group *sib_group_find(const union ib_gid *mgid)
{
	struct sib_group *g;

	list_for_each_entry(g, &sib_subnet.groups, list)
		if (!memcmp(&g->mgid, mgid, sizeof(*mgid)))
			return g;
	return NULL;
}

/**
 * sib_group_forwards_to() - does the port of @sd receive group @g's traffic?
 * @g: the group
 * @sd: the HCA
 *
 * What the multicast forwarding tables an SM programs say: ports whose
 * JoinState includes FullMember or NonMember receive, send-only members
 * do not.
 *
 * Context: under sib_subnet.lock.
 * Return: true if it does.
 */
bool sib_group_forwards_to(const struct sib_group *g, struct sib_dev *sd)
{
	struct sib_member *m;
	union ib_gid gid;

	sib_port_gid(sd, &gid);
	list_for_each_entry(m, &g->members, list)
		if (!memcmp(&m->port_gid, &gid, sizeof(gid)))
			return m->join_state & (RBP_JOIN_FULL_MEMBER | RBP_JOIN_NON_MEMBER);
	return false;
}

/**
 * sib_group_by_mlid() - the group that multicast LID @mlid stands for
 * @mlid: the destination LID of a packet
 *
 * Context: under sib_subnet.lock.
 * Return: the group, or NULL.
 */
struct sib_group *sib_group_by_mlid(u16 mlid)
{
	struct sib_group *g;

	list_for_each_entry(g, &sib_subnet.groups, list)
		if (g->mlid == mlid)
			return g;
	return NULL;
}

static struct sib_member *sib_member_find(struct sib_group *g,
					  const union ib_gid *gid)
{
	struct sib_member *m;

	list_for_each_entry(m, &g->members, list)
		if (!memcmp(&m->port_gid, gid, sizeof(*gid)))
			return m;
	return NULL;
}

/* The JoinState bits that make a member a full member in this personality. */
static u8 sib_full_bits(void)
{
	return sib_subnet.sa_mode == SIB_SA_LEGACY ? RBP_JOIN_FULL_MEMBER :
	       RBP_JOIN_FULL_MEMBER | RBP_JOIN_SENDONLY_FULL_MEMBER;
}

static void sib_group_free(struct sib_group *g)
{
	struct sib_member *m, *n;

	list_for_each_entry_safe(m, n, &g->members, list) {
		list_del(&m->list);
		kfree(m);
	}
	list_del(&g->list);
	clear_bit(g->mlid - SIB_MLID_BASE, sib_subnet.mlids);
	kfree(g);
}

/* Delete @g if no full member is left (never the broadcast group). */
static void sib_group_gc(struct sib_group *g)
{
	struct sib_member *m;

	if (g->permanent)
		return;
	list_for_each_entry(m, &g->members, list)
		if (m->join_state & sib_full_bits())
			return;
	sib_group_free(g);
}

static bool sib_gid_is_port(const union ib_gid *gid)
{
	unsigned int i;

	for (i = SIB_FIRST_LID; i < ARRAY_SIZE(sib_subnet.by_lid); i++) {
		struct sib_dev *sd = sib_subnet.by_lid[i];

		if (sd && gid->global.interface_id == sd->guid)
			return true;
	}
	return false;
}

/*
 * A new group with a free MLID, of the first sib_mft_cap from 0xc000 (what
 * the switch's multicast forwarding table holds). MLIDs of deleted groups
 * come back, the least recently freed first (the search goes on after the
 * last one given out), so a packet still in flight to a deleted group's
 * MLID does not reach the group that is created next. Under
 * sib_subnet.lock.
 */
static struct sib_group *sib_group_new(const union ib_gid *mgid)
{
	struct sib_group *g;
	unsigned int bit;

	bit = find_next_zero_bit(sib_subnet.mlids, sib_mft_cap,
				 sib_subnet.last_mlid + 1);
	if (bit >= sib_mft_cap)
		bit = find_first_zero_bit(sib_subnet.mlids, sib_mft_cap);
	if (bit >= sib_mft_cap)
		return NULL;
	g = kzalloc(sizeof(*g), GFP_ATOMIC);
	if (!g)
		return NULL;
	set_bit(bit, sib_subnet.mlids);
	sib_subnet.last_mlid = bit;
	g->mgid = *mgid;
	g->mlid = SIB_MLID_BASE + bit;
	INIT_LIST_HEAD(&g->members);
	list_add_tail(&g->list, &sib_subnet.groups);
	return g;
}

/*
 * The IBA selectors of MTU, rate and packet lifetime (15.2.5.17): the
 * record's value is a bound, its selector says which.
 */
enum { SIB_SEL_GT, SIB_SEL_LT, SIB_SEL_EQ, SIB_SEL_LARGEST };

/* Does @have satisfy selector @sel with bound @want? */
static bool sib_sel_ok(u8 sel, int have, int want)
{
	switch (sel) {
	case SIB_SEL_GT:
		return have > want;
	case SIB_SEL_LT:
		return have < want;
	case SIB_SEL_EQ:
		return have == want;
	default:
		return true;	/* largest available */
	}
}

/*
 * The group MTU a creating join asks for, or 0 when no MTU this fabric
 * offers (256 to the port MTU) satisfies it. Without the MTU component the
 * group gets the port MTU; without the selector component the value is
 * taken as exact.
 */
static u8 sib_create_mtu(ib_sa_comp_mask comp, const struct sib_mcm *r)
{
	u8 sel = sib_has(comp, IB_SA_MCMEMBER_REC_MTU_SELECTOR) ? r->mtu_sel : SIB_SEL_EQ;
	int mtu;

	if (!sib_has(comp, IB_SA_MCMEMBER_REC_MTU) || sel == SIB_SEL_LARGEST)
		return SIB_MTU;
	/* The largest MTU that satisfies the selector. */
	for (mtu = SIB_MTU; mtu >= IB_MTU_256; mtu--)
		if (sib_sel_ok(sel, mtu, r->mtu))
			return mtu;
	return 0;
}

/* The rate as a number that orders (rate codes do not), -1 if invalid. */
static int sib_rate_mbps(u8 rate)
{
	return rate ? ib_rate_to_mbps(rate) : -1;
}

/*
 * Are the components of join @r that the group has fixed those of group
 * @g? Q_Key, P_Key, SL, FlowLabel, TClass and HopLimit must be equal where
 * given; MTU, rate and packet lifetime must satisfy their selectors.
 */
static bool sib_join_matches(ib_sa_comp_mask comp, const struct sib_mcm *r,
			     const struct sib_group *g)
{
	if ((sib_has(comp, IB_SA_MCMEMBER_REC_QKEY) && r->qkey != g->qkey) ||
	    (sib_has(comp, IB_SA_MCMEMBER_REC_PKEY) && r->pkey != g->pkey) ||
	    (sib_has(comp, IB_SA_MCMEMBER_REC_SL) && r->sl != g->sl) ||
	    (sib_has(comp, IB_SA_MCMEMBER_REC_FLOW_LABEL) &&
	     r->flow_label != g->flow_label) ||
	    (sib_has(comp, IB_SA_MCMEMBER_REC_TRAFFIC_CLASS) &&
	     r->tclass != g->tclass) ||
	    (sib_has(comp, IB_SA_MCMEMBER_REC_HOP_LIMIT) &&
	     r->hop_limit != g->hop_limit))
		return false;
	if (sib_has(comp, IB_SA_MCMEMBER_REC_MTU) &&
	    !sib_sel_ok(sib_has(comp, IB_SA_MCMEMBER_REC_MTU_SELECTOR) ?
			r->mtu_sel : SIB_SEL_EQ, g->mtu, r->mtu))
		return false;
	if (sib_has(comp, IB_SA_MCMEMBER_REC_RATE) &&
	    !sib_sel_ok(sib_has(comp, IB_SA_MCMEMBER_REC_RATE_SELECTOR) ?
			r->rate_sel : SIB_SEL_EQ, sib_rate_mbps(g->rate),
			sib_rate_mbps(r->rate)))
		return false;
	if (sib_has(comp, IB_SA_MCMEMBER_REC_PACKET_LIFE_TIME) &&
	    !sib_sel_ok(sib_has(comp, IB_SA_MCMEMBER_REC_PACKET_LIFE_TIME_SELECTOR) ?
			r->plt_sel : SIB_SEL_EQ, g->plt, r->plt))
		return false;
	return true;
}

/*
 * Set up new group @g from creating join @r: the parameters every later
 * member must match. Returns a MAD status; the caller frees @g on error.
 */
static u16 sib_group_setup(struct sib_group *g, ib_sa_comp_mask comp,
			   const struct sib_mcm *r)
{
	g->qkey = r->qkey;
	g->pkey = r->pkey;
	g->sl = r->sl;
	g->flow_label = r->flow_label;
	g->tclass = r->tclass;
	g->hop_limit = r->hop_limit;
	g->scope = r->scope ? r->scope : 2;
	/* A P_Key of the port's table: the default partition, either kind. */
	if ((g->pkey & 0x7fff) != 0x7fff)
		return SIB_SA_ERR_REQ_INVALID;
	g->mtu = sib_create_mtu(comp, r);
	if (!g->mtu)
		return SIB_SA_ERR_REQ_INVALID;
	/* The fabric has one rate and an ~1 s packet lifetime (18): take them if asked for. */
	g->rate = SIB_RATE;
	g->plt = SIB_PLT;
	if (!sib_join_matches(comp, r, g))
		return SIB_SA_ERR_REQ_INVALID;
	return 0;
}

/*
 * Is @gid the port GID of the HCA at LID @slid? Joins and leaves act for
 * the requester's own port: there are no trusted proxies on this subnet
 * (a real SA takes proxy requests only from trusted requesters).
 */
static bool sib_gid_is_requester(const union ib_gid *gid, u16 slid)
{
	struct sib_dev *sd = slid < ARRAY_SIZE(sib_subnet.by_lid) ?
			     sib_subnet.by_lid[slid] : NULL;

	return sd && gid->global.interface_id == sd->guid &&
	       be64_to_cpu(gid->global.subnet_prefix) == SIB_SUBNET_PREFIX;
}

/* MCMemberRecord Set: a join. Returns a MAD status. Under sib_subnet.lock. */
static u16 sib_sa_join(ib_sa_comp_mask comp, const u8 *in, u8 *out, u16 slid)
{
	const ib_sa_comp_mask create = IB_SA_MCMEMBER_REC_QKEY | IB_SA_MCMEMBER_REC_PKEY |
		IB_SA_MCMEMBER_REC_SL | IB_SA_MCMEMBER_REC_FLOW_LABEL |
		IB_SA_MCMEMBER_REC_TRAFFIC_CLASS;
	struct sib_member *m;
	struct sib_group *g;
	struct sib_mcm r;

	sib_mcm_unpack(in, &r);
	if (!sib_has(comp, IB_SA_MCMEMBER_REC_MGID | IB_SA_MCMEMBER_REC_PORT_GID |
		     IB_SA_MCMEMBER_REC_JOIN_STATE))
		return SIB_SA_ERR_INSUFFICIENT_COMP;
	if (!r.join_state || r.mgid.raw[0] != 0xff)
		return SIB_SA_ERR_REQ_INVALID;
	if (!sib_gid_is_port(&r.port_gid))
		return SIB_SA_ERR_REQ_INVALID_GID;
	if (!sib_gid_is_requester(&r.port_gid, slid))
		return SIB_SA_ERR_REQ_INVALID;

	g = sib_group_find(&r.mgid);
	if (!g) {
		u16 status;

		/* Creating a group takes a (send-only) full member ... */
		if (!(r.join_state & sib_full_bits()))
			return SIB_SA_ERR_REQ_INVALID;
		/* ... and the parameters every later member must match. */
		if (!sib_has(comp, create))
			return SIB_SA_ERR_INSUFFICIENT_COMP;
		g = sib_group_new(&r.mgid);
		if (!g)
			return SIB_SA_ERR_NO_RESOURCES;
		status = sib_group_setup(g, comp, &r);
		if (status) {
			sib_group_free(g);
			return status;
		}
	} else if (!sib_join_matches(comp, &r, g)) {
		return SIB_SA_ERR_REQ_INVALID;
	}

	m = sib_member_find(g, &r.port_gid);
	if (!m) {
		m = kzalloc(sizeof(*m), GFP_ATOMIC);
		if (!m) {
			sib_group_gc(g);
			return SIB_SA_ERR_NO_RESOURCES;
		}
		m->port_gid = r.port_gid;
		list_add_tail(&m->list, &g->members);
	}
	m->join_state |= r.join_state;
	sib_mcm_pack_group(out, g, &r.port_gid, m->join_state);
	return 0;
}

/* MCMemberRecord Delete: a (partial) leave. Under sib_subnet.lock. */
static u16 sib_sa_leave(ib_sa_comp_mask comp, const u8 *in, u8 *out, u16 slid)
{
	struct sib_member *m;
	struct sib_group *g;
	struct sib_mcm r;
	u8 left;

	sib_mcm_unpack(in, &r);
	if (!sib_has(comp, IB_SA_MCMEMBER_REC_MGID | IB_SA_MCMEMBER_REC_PORT_GID))
		return SIB_SA_ERR_INSUFFICIENT_COMP;
	if (!sib_gid_is_requester(&r.port_gid, slid))
		return SIB_SA_ERR_REQ_INVALID;
	g = sib_group_find(&r.mgid);
	m = g ? sib_member_find(g, &r.port_gid) : NULL;
	if (!m)
		return SIB_SA_ERR_REQ_INVALID;
	if (!sib_has(comp, IB_SA_MCMEMBER_REC_JOIN_STATE))
		r.join_state = 0xf;
	sib_mcm_pack_group(out, g, &r.port_gid, r.join_state);
	m->join_state &= ~r.join_state;
	left = m->join_state;
	if (!left) {
		list_del(&m->list);
		kfree(m);
	}
	sib_group_gc(g);
	return 0;
}

/* MCMemberRecord Get by MGID. Under sib_subnet.lock. */
static u16 sib_sa_mcm_get(ib_sa_comp_mask comp, const u8 *in, u8 *out)
{
	struct sib_member *m;
	struct sib_group *g;
	struct sib_mcm r;

	sib_mcm_unpack(in, &r);
	g = sib_has(comp, IB_SA_MCMEMBER_REC_MGID) ? sib_group_find(&r.mgid) : NULL;
	if (!g)
		return SIB_SA_ERR_NO_RECORDS;
	m = sib_has(comp, IB_SA_MCMEMBER_REC_PORT_GID) ?
	    sib_member_find(g, &r.port_gid) : NULL;
	sib_mcm_pack_group(out, g, &r.port_gid, m ? m->join_state : 0);
	return 0;
}

static struct sib_dev *sib_dev_by_gid(const u8 *gid)
{
	unsigned int i;
	__be64 guid;

	memcpy(&guid, gid + 8, sizeof(guid));
	for (i = SIB_FIRST_LID; i < ARRAY_SIZE(sib_subnet.by_lid); i++)
		if (sib_subnet.by_lid[i] && sib_subnet.by_lid[i]->guid == guid)
			return sib_subnet.by_lid[i];
	return NULL;
}

/* The PathRecord from @src's port to @dst's. */
static void sib_path_record(u8 *out, struct sib_dev *src, struct sib_dev *dst)
{
	memset(out, 0, SIB_RECORD_LEN);
	sib_port_gid(dst, (union ib_gid *)(out + 8));
	sib_port_gid(src, (union ib_gid *)(out + 24));
	put_unaligned_be16(dst->lid, out + 40);
	put_unaligned_be16(src->lid, out + 42);
	out[49] = 0x80 | 1;		/* reversible, one path */
	put_unaligned_be16(0xffff, out + 50);
	out[54] = IB_SA_EQ << 6 | SIB_MTU;
	out[55] = IB_SA_EQ << 6 | SIB_RATE;
	out[56] = IB_SA_EQ << 6 | SIB_PLT;
}

/* PathRecord Get between two ports of the subnet. Under sib_subnet.lock. */
static u16 sib_sa_path(ib_sa_comp_mask comp, const u8 *in, u8 *out)
{
	struct sib_dev *src = NULL, *dst = NULL;
	u16 lid;

	if (sib_has(comp, IB_SA_PATH_REC_DGID)) {
		dst = sib_dev_by_gid(in + 8);
	} else if (sib_has(comp, IB_SA_PATH_REC_DLID)) {
		lid = get_unaligned_be16(in + 40);
		if (lid < ARRAY_SIZE(sib_subnet.by_lid))
			dst = sib_subnet.by_lid[lid];
	}
	if (sib_has(comp, IB_SA_PATH_REC_SGID)) {
		src = sib_dev_by_gid(in + 24);
	} else if (sib_has(comp, IB_SA_PATH_REC_SLID)) {
		lid = get_unaligned_be16(in + 42);
		if (lid < ARRAY_SIZE(sib_subnet.by_lid))
			src = sib_subnet.by_lid[lid];
	}
	if (!src || !dst)
		return SIB_SA_ERR_NO_RECORDS;
	sib_path_record(out, src, dst);
	return 0;
}

/*
 * GetTable. A component the request gives is compared byte by byte with
 * the record (through @mask, for fields that share a byte); components
 * without an entry here (selectors, and fields this SA does not compare)
 * make the request invalid rather than be ignored.
 */
struct sib_sa_field {
	u8 bit;			/* component mask bit */
	u8 off, len;		/* bytes of the record */
	u8 mask;		/* of each of those bytes */
	bool subset;		/* matched if the bits given are set (a mask) */
};

static const struct sib_sa_field sib_node_fields[] = {
	{ 0, 0, 2, 0xff },	/* LID */
	{ 2, 4, 1, 0xff },	/* BaseVersion */
	{ 3, 5, 1, 0xff },	/* ClassVersion */
	{ 4, 6, 1, 0xff },	/* NodeType */
	{ 5, 7, 1, 0xff },	/* NumPorts */
	{ 6, 8, 8, 0xff },	/* SystemImageGUID */
	{ 7, 16, 8, 0xff },	/* NodeGUID */
	{ 8, 24, 8, 0xff },	/* PortGUID */
	{ 9, 32, 2, 0xff },	/* PartitionCap */
	{ 10, 34, 2, 0xff },	/* DeviceID */
	{ 11, 36, 4, 0xff },	/* Revision */
	{ 12, 40, 1, 0xff },	/* LocalPortNum */
	{ 13, 41, 3, 0xff },	/* VendorID */
	{ 14, 44, 64, 0xff },	/* NodeDescription */
};

static const struct sib_sa_field sib_mcm_fields[] = {
	{ 0, 0, 16, 0xff },	/* MGID */
	{ 1, 16, 16, 0xff },	/* PortGID */
	{ 2, 32, 4, 0xff },	/* Q_Key */
	{ 3, 36, 2, 0xff },	/* MLID */
	{ 5, 38, 1, 0x3f },	/* MTU */
	{ 6, 39, 1, 0xff },	/* TClass */
	{ 7, 40, 2, 0xff },	/* P_Key */
	{ 9, 42, 1, 0x3f },	/* Rate */
	{ 11, 43, 1, 0x3f },	/* PacketLifeTime */
	{ 12, 44, 1, 0xf0 },	/* SL */
	{ 14, 47, 1, 0xff },	/* HopLimit */
	{ 15, 48, 1, 0xf0 },	/* Scope */
	{ 16, 48, 1, 0x0f },	/* JoinState */
};

static const struct sib_sa_field sib_path_fields[] = {
	{ 0, 0, 8, 0xff },	/* ServiceID, both halves */
	{ 1, 0, 8, 0xff },
	{ 2, 8, 16, 0xff },	/* DGID */
	{ 3, 24, 16, 0xff },	/* SGID */
	{ 4, 40, 2, 0xff },	/* DLID */
	{ 5, 42, 2, 0xff },	/* SLID */
	{ 6, 44, 1, 0x80 },	/* RawTraffic */
	{ 9, 47, 1, 0xff },	/* HopLimit */
	{ 10, 48, 1, 0xff },	/* TClass */
	{ 11, 49, 1, 0x80 },	/* Reversible */
	{ 12, 49, 0, 0 },	/* NumbPath: one path a pair satisfies any */
	{ 13, 50, 2, 0xff },	/* P_Key */
	{ 15, 53, 1, 0x0f },	/* SL */
	{ 17, 54, 1, 0x3f },	/* MTU */
	{ 19, 55, 1, 0x3f },	/* Rate */
	{ 21, 56, 1, 0x3f },	/* PacketLifeTime */
};

/* PortInfoRecord: EndportLID, PortNum, Options, reserved, PortInfo. */
static const struct sib_sa_field sib_port_fields[] = {
	{ 0, 0, 2, 0xff },	/* EndportLID */
	{ 1, 2, 1, 0xff },	/* PortNum */
	{ 3, 4, 8, 0xff },	/* M_Key */
	{ 4, 12, 8, 0xff },	/* GidPrefix */
	{ 5, 20, 2, 0xff },	/* LID */
	{ 6, 22, 2, 0xff },	/* MasterSMLID */
	{ 7, 24, 4, 0xff, true },	/* CapabilityMask: the bits asked for */
	{ 10, 32, 1, 0xff },	/* LocalPortNum */
	{ 13, 35, 1, 0xff },	/* LinkWidthActive */
	{ 15, 36, 1, 0x0f },	/* PortState */
	{ 16, 37, 1, 0xf0 },	/* PortPhysicalState */
	{ 20, 38, 1, 0x07 },	/* LMC */
};

/* SMInfoRecord: LID, reserved, SMInfo. */
static const struct sib_sa_field sib_sm_fields[] = {
	{ 0, 0, 2, 0xff },	/* LID */
	{ 2, 4, 8, 0xff },	/* GUID */
	{ 3, 12, 8, 0xff },	/* SM_Key */
	{ 4, 20, 4, 0xff },	/* ActCount */
	{ 5, 24, 1, 0xf0 },	/* Priority */
	{ 6, 24, 1, 0x0f },	/* SMState */
};

struct sib_sa_table_kind {
	u16 attr;
	u16 rec_len;
	const struct sib_sa_field *fields;
	unsigned int nfields;
};

static const struct sib_sa_table_kind sib_sa_tables[] = {
	{ IB_SA_ATTR_NODE_REC, SIB_NODE_RECORD_LEN,
	  sib_node_fields, ARRAY_SIZE(sib_node_fields) },
	{ IB_SA_ATTR_MC_MEMBER_REC, SIB_RECORD_LEN,
	  sib_mcm_fields, ARRAY_SIZE(sib_mcm_fields) },
	{ IB_SA_ATTR_PATH_REC, SIB_RECORD_LEN,
	  sib_path_fields, ARRAY_SIZE(sib_path_fields) },
	{ IB_SA_ATTR_PORT_INFO_REC, SIB_PORT_RECORD_LEN,
	  sib_port_fields, ARRAY_SIZE(sib_port_fields) },
	{ IB_SA_ATTR_SM_INFO_REC, SIB_SM_RECORD_LEN,
	  sib_sm_fields, ARRAY_SIZE(sib_sm_fields) },
};

static const struct sib_sa_table_kind *sib_sa_table_kind(u16 attr)
{
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(sib_sa_tables); i++)
		if (sib_sa_tables[i].attr == attr)
			return &sib_sa_tables[i];
	return NULL;
}

/*
 * 0 if every component of @comp is one @t compares, else
 * SIB_SA_ERR_REQ_INVALID.
 */
static u16 sib_sa_table_check(const struct sib_sa_table_kind *t,
			      ib_sa_comp_mask comp)
{
	u64 known = 0;
	unsigned int i;

	for (i = 0; i < t->nfields; i++)
		known |= BIT_ULL(t->fields[i].bit);
	return be64_to_cpu((__force __be64)comp) & ~known ? SIB_SA_ERR_REQ_INVALID : 0;
}

/* Does record @rec have the values @req gives for the components of @comp? */
static bool sib_sa_table_match(const struct sib_sa_table_kind *t,
			       ib_sa_comp_mask comp, const u8 *req,
			       const u8 *rec)
{
	u64 bits = be64_to_cpu((__force __be64)comp);
	const struct sib_sa_field *f;
	unsigned int i, j;

	for (i = 0; i < t->nfields; i++) {
		f = &t->fields[i];
		if (!(bits & BIT_ULL(f->bit)))
			continue;
		for (j = f->off; j < f->off + f->len; j++)
			if ((f->subset ? req[j] & ~rec[j] : req[j] ^ rec[j]) &
			    f->mask)
				return false;
	}
	return true;
}

/* A NodeRecord: an HCA's, or the switch's (@sd NULL). */
static void sib_node_record(u8 *p, struct sib_dev *sd)
{
	memset(p, 0, SIB_NODE_RECORD_LEN);
	put_unaligned_be16(sd ? sd->lid : SIB_SM_LID, p);
	if (sd) {
		sib_node_info(p + 4, sd);
		memcpy(p + 4 + SIB_NODE_INFO_LEN, sd->ibdev.node_desc, 64);
	} else {
		sib_switch_node_info(p + 4, 0);
		strscpy((char *)p + 4 + SIB_NODE_INFO_LEN, SIB_SW_DESC, 64);
	}
}

/* An HCA port's PortInfoRecord: its LID, port 1 and PortInfo (sma.c). */
static void sib_port_record(u8 *p, struct sib_dev *sd)
{
	memset(p, 0, SIB_PORT_RECORD_LEN);
	put_unaligned_be16(sd->lid, p);
	p[2] = 1;					/* PortNum */
	sib_port_info(p + 4, sd);
}

/* The SM's SMInfoRecord: its LID and SMInfo (switch.c). */
static void sib_sm_record(u8 *p)
{
	memset(p, 0, SIB_SM_RECORD_LEN);
	put_unaligned_be16(SIB_SM_LID, p);
	sib_sm_info(p + 4);
}

/* A table being filled: room for @cap records at @buf, @n matched so far. */
struct sib_sa_fill {
	const struct sib_sa_table_kind *t;
	const struct ib_sa_mad *req;
	u8 *buf;
	unsigned int cap, n;
};

/* Count @rec if it matches, and keep it if there is room. */
static void sib_sa_fill_one(struct sib_sa_fill *f, const u8 *rec)
{
	if (!sib_sa_table_match(f->t, f->req->sa_hdr.comp_mask, f->req->data, rec))
		return;
	if (f->n < f->cap)
		memcpy(f->buf + f->n * f->t->rec_len, rec, f->t->rec_len);
	f->n++;
}

/*
 * Write the records of @t that match @req into @buf, at most @cap of them;
 * return how many match. Under sib_subnet.lock.
 */
static unsigned int sib_sa_table_fill(const struct sib_sa_table_kind *t,
				      const struct ib_sa_mad *req, u8 *buf,
				      unsigned int cap)
{
	struct sib_sa_fill f = { .t = t, .req = req, .buf = buf, .cap = cap };
	u8 rec[SIB_NODE_RECORD_LEN];
	struct sib_dev *sd, *dd;
	struct sib_group *g;
	struct sib_member *m;
	unsigned int i, j;

	BUILD_BUG_ON(sizeof(rec) < SIB_RECORD_LEN ||
		     sizeof(rec) < SIB_PORT_RECORD_LEN ||
		     sizeof(rec) < SIB_SM_RECORD_LEN);

	switch (t->attr) {
	case IB_SA_ATTR_NODE_REC:
		/* The switch's, at the SM's LID, then the HCAs'. */
		for (i = SIB_SM_LID; i < ARRAY_SIZE(sib_subnet.by_lid); i++) {
			sd = sib_subnet.by_lid[i];
			if (!sd && i != SIB_SM_LID)
				continue;
			sib_node_record(rec, sd);
			sib_sa_fill_one(&f, rec);
		}
		break;
	case IB_SA_ATTR_PORT_INFO_REC:
		for (i = SIB_FIRST_LID; i < ARRAY_SIZE(sib_subnet.by_lid); i++) {
			sd = sib_subnet.by_lid[i];
			if (!sd)
				continue;
			sib_port_record(rec, sd);
			sib_sa_fill_one(&f, rec);
		}
		break;
	case IB_SA_ATTR_SM_INFO_REC:
		sib_sm_record(rec);
		sib_sa_fill_one(&f, rec);
		break;
	case IB_SA_ATTR_MC_MEMBER_REC:
		list_for_each_entry(g, &sib_subnet.groups, list)
			list_for_each_entry(m, &g->members, list) {
				sib_mcm_pack_group(rec, g, &m->port_gid,
						   m->join_state);
				sib_sa_fill_one(&f, rec);
			}
		break;
	case IB_SA_ATTR_PATH_REC:
		for (i = SIB_FIRST_LID; i < ARRAY_SIZE(sib_subnet.by_lid); i++) {
			sd = sib_subnet.by_lid[i];
			for (j = SIB_FIRST_LID; sd && j < ARRAY_SIZE(sib_subnet.by_lid); j++) {
				dd = sib_subnet.by_lid[j];
				if (!dd)
					continue;
				sib_path_record(rec, sd, dd);
				sib_sa_fill_one(&f, rec);
			}
		}
		break;
	}
	return f.n;
}

/**
 * sib_sa_table() - gather the records a GetTable request asks for
 * @req: the request (its attribute is one sib_sa_table_kind() knows)
 * @data: set to the records (kvfree() them), NULL when there are none
 * @len: set to their length in bytes
 * @rec_len: set to the length of one record (a multiple of 8)
 *
 * The records are counted, room is made, then they are written: a table
 * that grew in between is counted again, at most three times, and then
 * given as it was when first counted.
 *
 * Context: process context; takes sib_subnet.lock.
 * Return: 0, -ENOMEM, or -E2BIG beyond SIB_SA_TABLE_MAX bytes.
 */
int sib_sa_table(const struct ib_sa_mad *req, u8 **data, u32 *len, u16 *rec_len)
{
	const struct sib_sa_table_kind *t =
		sib_sa_table_kind(be16_to_cpu(req->mad_hdr.attr_id));
	unsigned int n, cap = 0, tries;
	u8 *buf = NULL;

	*data = NULL;
	*len = 0;
	if (!t)
		return -EINVAL;
	*rec_len = t->rec_len;
	for (tries = 0; ; tries++) {
		spin_lock_irq(&sib_subnet.lock);
		n = sib_sa_table_fill(t, req, buf, cap);
		spin_unlock_irq(&sib_subnet.lock);
		if (n <= cap || (tries >= 3 && buf))
			break;
		kvfree(buf);
		if ((size_t)n * t->rec_len > SIB_SA_TABLE_MAX)
			return -E2BIG;
		cap = n;
		buf = kvmalloc_array(cap, t->rec_len, GFP_KERNEL);
		if (!buf)
			return -ENOMEM;
	}
	*data = buf;
	*len = min(n, cap) * t->rec_len;
	return 0;
}

static void sib_sa_classport(u8 *out)
{
	struct ib_class_port_info *cpi = (void *)out;
	u32 cap2 = sib_subnet.sa_mode == SIB_SA_MODERN ?
		   IB_SA_CAP_MASK2_SENDONLY_FULL_MEM_SUPPORT : 0;

	memset(cpi, 0, sizeof(*cpi));
	cpi->base_version = IB_MGMT_BASE_VERSION;
	cpi->class_version = IB_SA_CLASS_VERSION;
	/*
	 * OPA's ClassPortInfo: its own class version, and no IB
	 * CapabilityMask2 (the bit IB calls SendOnlyFullMember is clear).
	 */
	if (sib_subnet.sa_cpi == SIB_CPI_OPA) {
		cpi->class_version = SIB_OPA_SA_CLASS_VERSION;
		cap2 = 0;
	}
	/* CapabilityMask2 in the upper 27 bits, RespTimeValue below. */
	cpi->cap_mask2_resp_time = cpu_to_be32(cap2 << 5 | 18);
}

/*
 * Is @method one the SA class defines for requests (IBA 15.2.5)? Others get
 * "method not supported"; defined ones this SA does not implement for an
 * attribute (GetTable, GetTraceTable, GetMulti) get "method/attribute
 * combination not supported".
 */
static bool sib_sa_method_known(u8 method)
{
	switch (method) {
	case IB_MGMT_METHOD_GET:
	case IB_MGMT_METHOD_SET:
	case IB_SA_METHOD_GET_TABLE:
	case IB_SA_METHOD_GET_TRACE_TBL:
	case IB_SA_METHOD_GET_MULTI:
	case IB_SA_METHOD_DELETE:
		return true;
	default:
		return false;
	}
}

/**
 * sib_sa_address() - address a packet as the SA's reply
 * @pkt: the reply
 * @dlid: the requester's LID
 * @dqpn: the requester's QP
 *
 * Replies come from the SM's LID and QP1, with the GSI Q_Key.
 */
void sib_sa_address(struct sib_pkt *pkt, u16 dlid, u32 dqpn)
{
	pkt->src_qpn = 1;
	pkt->slid = SIB_SM_LID;
	pkt->dlid = dlid;
	pkt->dqpn = dqpn;
	pkt->qkey = SIB_GSI_QKEY;
}

/**
 * sib_sa_handle() - answer one MAD sent to the SM's LID
 * @req: the request (the caller frees it)
 *
 * Context: the delivery work, bottom halves off.
 */
void sib_sa_handle(struct sib_pkt *req)
{
	const struct ib_sa_mad *in = (const void *)req->data;
	u16 status = 0, attr;
	struct sib_pkt *pkt;
	const struct sib_sa_table_kind *table;
	struct ib_sa_mad *out;
	unsigned long flags;
	ib_sa_comp_mask comp;
	bool drop = false;
	int kind;

	if (req->dqpn != 1 || req->len < sizeof(*in) ||
	    in->mad_hdr.mgmt_class != IB_MGMT_CLASS_SUBN_ADM)
		return;
	/* Responses are not for the SA. */
	if (in->mad_hdr.method & IB_MGMT_METHOD_RESP)
		return;
	/*
	 * RMPP ACKs (sent with the response bit flipped), STOPs and ABORTs
	 * are for a GetTable answer being sent.
	 */
	if (in->rmpp_hdr.rmpp_type == IB_MGMT_RMPP_TYPE_ACK ||
	    in->rmpp_hdr.rmpp_type == IB_MGMT_RMPP_TYPE_STOP ||
	    in->rmpp_hdr.rmpp_type == IB_MGMT_RMPP_TYPE_ABORT) {
		sib_rmpp_recv(req);
		return;
	}

	pkt = sib_pkt_alloc(sizeof(*out), GFP_ATOMIC);
	if (!pkt)
		return;
	out = (void *)pkt->data;
	memcpy(out, in, sizeof(*out));
	memset(out->data, 0, sizeof(out->data));
	out->mad_hdr.method = in->mad_hdr.method == IB_MGMT_METHOD_SET ?
			      IB_MGMT_METHOD_GET_RESP :
			      in->mad_hdr.method | IB_MGMT_METHOD_RESP;
	out->sa_hdr.attr_offset = cpu_to_be16(SIB_RECORD_LEN / 8);
	attr = be16_to_cpu(in->mad_hdr.attr_id);
	comp = in->sa_hdr.comp_mask;	/* big-endian, like the mask constants */

	switch (attr) {
	case IB_SA_ATTR_CLASS_PORTINFO:
		kind = SIB_SA_CPI;
		break;
	case IB_SA_ATTR_MC_MEMBER_REC:
		kind = SIB_SA_MCM;
		break;
	case IB_SA_ATTR_PATH_REC:
		kind = SIB_SA_PATH;
		break;
	case IB_SA_ATTR_NODE_REC:
		kind = SIB_SA_NODE;
		break;
	case IB_SA_ATTR_PORT_INFO_REC:
		kind = SIB_SA_PORT;
		break;
	case IB_SA_ATTR_SM_INFO_REC:
		kind = SIB_SA_SM;
		break;
	default:
		kind = SIB_SA_OTHER;
		break;
	}
	atomic64_inc(&sib_subnet.sa.requests[kind]);
	table = in->mad_hdr.method == IB_SA_METHOD_GET_TABLE ?
		sib_sa_table_kind(attr) : NULL;

	spin_lock_irqsave(&sib_subnet.lock, flags);
	if (in->mad_hdr.base_version != IB_MGMT_BASE_VERSION ||
	    in->mad_hdr.class_version != IB_SA_CLASS_VERSION)
		status = IB_MGMT_MAD_STATUS_BAD_VERSION;
	else if (!sib_sa_method_known(in->mad_hdr.method))
		status = IB_MGMT_MAD_STATUS_UNSUPPORTED_METHOD;
	else if (kind == SIB_SA_CPI && in->mad_hdr.method == IB_MGMT_METHOD_GET &&
		 sib_subnet.sa_cpi == SIB_CPI_BUSY)
		status = IB_MGMT_MAD_STATUS_BUSY;
	else if (kind == SIB_SA_CPI && in->mad_hdr.method == IB_MGMT_METHOD_GET &&
		 sib_subnet.sa_cpi == SIB_CPI_DROP)
		drop = true;
	else if (kind == SIB_SA_CPI && in->mad_hdr.method == IB_MGMT_METHOD_GET &&
		 sib_subnet.sa_cpi != SIB_CPI_REFUSE)
		sib_sa_classport(out->data);
	else if (kind == SIB_SA_MCM && in->mad_hdr.method == IB_MGMT_METHOD_SET)
		status = sib_sa_join(comp, in->data, out->data, req->slid);
	else if (kind == SIB_SA_MCM && in->mad_hdr.method == IB_SA_METHOD_DELETE)
		status = sib_sa_leave(comp, in->data, out->data, req->slid);
	else if (kind == SIB_SA_MCM && in->mad_hdr.method == IB_MGMT_METHOD_GET)
		status = sib_sa_mcm_get(comp, in->data, out->data);
	else if (kind == SIB_SA_PATH && in->mad_hdr.method == IB_MGMT_METHOD_GET)
		status = sib_sa_path(comp, in->data, out->data);
	else if (table)
		status = sib_sa_table_check(table, comp);
	else
		status = IB_MGMT_MAD_STATUS_UNSUPPORTED_METHOD_ATTRIB;
	spin_unlock_irqrestore(&sib_subnet.lock, flags);

	/* A GetTable answer goes with RMPP, from process context. */
	if (table && !status) {
		status = sib_rmpp_table(req);
		if (!status) {
			kfree(pkt);
			return;
		}
	}

	if (drop) {		/* packets are plain kzalloc() memory */
		kfree(pkt);
		return;
	}
	if (status)
		atomic64_inc(&sib_subnet.sa.errors[kind]);
	out->mad_hdr.status = cpu_to_be16(status);
	sib_sa_address(pkt, req->slid, req->src_qpn);
	sib_fabric_send(pkt);
}

/**
 * sib_sa_port_gone() - drop the memberships of a removed HCA's port
 * @sd: the HCA
 */
void sib_sa_port_gone(struct sib_dev *sd)
{
	struct sib_group *g, *gn;
	struct sib_member *m;
	unsigned long flags;
	union ib_gid gid;

	sib_port_gid(sd, &gid);
	spin_lock_irqsave(&sib_subnet.lock, flags);
	list_for_each_entry_safe(g, gn, &sib_subnet.groups, list) {
		m = sib_member_find(g, &gid);
		if (!m)
			continue;
		list_del(&m->list);
		kfree(m);
		sib_group_gc(g);
	}
	spin_unlock_irqrestore(&sib_subnet.lock, flags);
}

/**
 * sib_sa_set_mode() - switch the SA personality
 * @mode: "modern" or "legacy"
 *
 * Return: 0, or -EINVAL for anything else, and always with an external SM
 * (sa_mode=opensm), whose subnet has no embedded SA.
 */
int sib_sa_set_mode(const char *mode)
{
	int i = sysfs_match_string(sib_sa_modes, mode);
	unsigned long flags;

	/* With an external SM there is no embedded one to change. */
	if (i < 0 || sib_sm_external)
		return -EINVAL;
	spin_lock_irqsave(&sib_subnet.lock, flags);
	sib_subnet.sa_mode = i;
	spin_unlock_irqrestore(&sib_subnet.lock, flags);
	return 0;
}

/**
 * sib_sa_set_cpi() - choose how the SA answers ClassPortInfo
 * @how: "answer", "refuse", "opa", "busy" or "drop"
 *
 * Return: 0, or -EINVAL for anything else.
 */
int sib_sa_set_cpi(const char *how)
{
	int i = sysfs_match_string(sib_sa_cpis, how);
	unsigned long flags;

	if (i < 0)
		return -EINVAL;
	spin_lock_irqsave(&sib_subnet.lock, flags);
	sib_subnet.sa_cpi = i;
	spin_unlock_irqrestore(&sib_subnet.lock, flags);
	return 0;
}

/**
 * sib_sa_cpi_name() - how ClassPortInfo is answered now
 *
 * Return: "answer", "refuse", "opa", "busy" or "drop".
 */
const char *sib_sa_cpi_name(void)
{
	return sib_sa_cpis[READ_ONCE(sib_subnet.sa_cpi)];
}

/**
 * sib_sa_mode_name() - the personality in force
 *
 * Return: its name.
 */
const char *sib_sa_mode_name(void)
{
	if (sib_sm_external)
		return "opensm";
	return sib_sa_modes[READ_ONCE(sib_subnet.sa_mode)];
}

/**
 * sib_sa_init() - create the broadcast group IPoIB expects
 */
void sib_sa_init(void)
{
	struct sib_group *g;
	union ib_gid mgid;

	if (sib_sm_external)
		return;		/* the external SM's SA makes it */
	memcpy(mgid.raw, sib_bcast_mgid, sizeof(mgid.raw));
	spin_lock_irq(&sib_subnet.lock);
	g = sib_group_new(&mgid);
	if (g) {
		g->permanent = true;
		g->qkey = SIB_IPOIB_QKEY;
		g->pkey = 0xffff;
		g->mtu = SIB_MTU;
		g->rate = SIB_RATE;
		g->plt = SIB_PLT;
		g->scope = 2;
	}
	spin_unlock_irq(&sib_subnet.lock);
}

/**
 * sib_sa_exit() - forget every group
 */
void sib_sa_exit(void)
{
	struct sib_group *g, *n;

	spin_lock_irq(&sib_subnet.lock);
	list_for_each_entry_safe(g, n, &sib_subnet.groups, list)
		sib_group_free(g);
	spin_unlock_irq(&sib_subnet.lock);
}
