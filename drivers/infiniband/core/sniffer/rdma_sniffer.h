/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * rdma_sniffer's interface for capture backends: a backend says which RDMA
 * ports it can capture and hands their packets to rdma_sniffer, which
 * frames, filters and queues them for the port's monitor netdev.
 * Documentation/rdma_sniffer.rst describes the frames.
 */
#ifndef RDMA_SNIFFER_H
#define RDMA_SNIFFER_H

#include <linux/list.h>
#include <linux/types.h>
#include <rdma/ib_verbs.h>

/*
 * One packet of an InfiniBand port, as header field values. The BTH opcode
 * decides the extension headers: a UD opcode has a DETH (@qkey, @sqpn),
 * SEND_ONLY_WITH_IMMEDIATE an ImmDt (@imm).
 *
 * The LRH is @vl, @sl, @dlid and @slid; its other fields follow from the
 * rest: LVer is 0 (the only version IBA defines), LNH says whether @grh is
 * there (IBA global) or not (IBA local), and PktLen counts the LRH, @grh,
 * the transport headers, @len bytes of payload, the pad bytes and the ICRC.
 */
struct rdma_sniffer_ib_pkt {
	const struct ib_grh *grh;	/* NULL: none; one is synthesised */
	const void *payload;		/* what follows the transport headers */
	/*
	 * Where @payload is NULL (a backend whose payload is not in one
	 * piece): copies @len bytes of it from byte @off into @dst. It is
	 * called only for a packet that passed the filter, so that a
	 * filtered or unheard packet costs no copy. Context as the call of
	 * rdma_sniffer_ib_packet(); @priv is the backend's.
	 */
	void (*read)(const struct rdma_sniffer_ib_pkt *pkt, u32 off, void *dst,
		     u32 len);
	const void *priv;
	u32 len;			/* of the payload, without pad and ICRC */
	u32 dqpn;
	u32 sqpn;
	u32 qkey;
	u32 psn;
	u16 slid;
	u16 dlid;
	u16 pkey;
	u8 sl;				/* 0 to 15 */
	u8 vl;				/* 0 to 15 */
	u8 opcode;			/* IB_OPCODE_* of <rdma/ib_pack.h> */
	bool solicited;
	__be32 imm;
};

/**
 * struct rdma_sniffer_backend - a source of packets for monitors
 * @name: shown in each monitor's debugfs "backend" file
 * @serves: can it capture port @port of @dev? Called under rdma_sniffer's
 *          lock; must not sleep for long.
 * @start: a monitor of @dev/@port went up: deliver its packets from now on
 *         (optional). Context: process, RTNL held.
 * @stop: it went down (optional); after @stop, calls for that port are
 *        allowed but ignored. Context: process, RTNL held.
 * @list: rdma_sniffer's
 */
struct rdma_sniffer_backend {
	const char *name;
	bool (*serves)(struct ib_device *dev, u32 port);
	int (*start)(struct ib_device *dev, u32 port);
	void (*stop)(struct ib_device *dev, u32 port);
	struct list_head list;
};

int rdma_sniffer_backend_register(struct rdma_sniffer_backend *b);
void rdma_sniffer_backend_unregister(struct rdma_sniffer_backend *b);
void rdma_sniffer_ib_packet(struct ib_device *dev, u32 port, bool outgoing,
			    const struct rdma_sniffer_ib_pkt *pkt);

#endif /* RDMA_SNIFFER_H */
