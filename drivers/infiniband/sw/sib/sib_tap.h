/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * rdma_sib's packet tap, the interface a capture backend uses (the rdma_sib
 * backend of rdma_sniffer, drivers/infiniband/core/sniffer/sib/).
 *
 * At most one tap is attached at a time. While none is, the fabric pays one
 * patched-out branch per packet (a static key). While one is, its packet()
 * sees every UD, SMI and GSI packet on the wire (not RC messages, which
 * these fields do not describe): once as the sending port's (outgoing), SA
 * requests to the SM included, and once per port that receives it
 * (incoming), SA replies included. A packet that goes back to the port that
 * sent it (multicast loopback, unicast to its own LID) is not on the wire
 * and is seen only as outgoing.
 */
#ifndef SIB_TAP_H
#define SIB_TAP_H

#include <linux/types.h>
#include <rdma/ib_verbs.h>

/* One packet as the tap shows it: the LRH/BTH/DETH fields, as values. */
struct sib_tap_pkt {
	const struct ib_grh *grh;	/* NULL when the packet has none */
	/*
	 * The payload after the DETH, where it is in one piece; NULL where
	 * it is still in the sender's buffers: sib_tap_read() copies it.
	 */
	const void *data;
	const void *pkt;		/* rdma_sib's, for sib_tap_read() */
	u32 len;
	u32 src_qpn;
	u32 dqpn;
	u32 qkey;
	u16 slid;
	u16 dlid;
	u16 pkey;
	u8 sl;
	bool solicited;
	bool has_imm;
	__be32 imm_data;
};

struct sib_tap_ops {
	/*
	 * @ibdev is the port's HCA (rdma_sib HCAs have port 1 only).
	 * Context: rdma_sib's delivery work, bottom halves disabled, under
	 * rcu_read_lock() and maybe rdma_sib's subnet lock: must not sleep
	 * nor call back into rdma_sib.
	 */
	void (*packet)(struct ib_device *ibdev, bool outgoing,
		       const struct sib_tap_pkt *pkt);
};

int sib_tap_attach(const struct sib_tap_ops *ops);
void sib_tap_detach(const struct sib_tap_ops *ops);
void sib_tap_port(struct ib_device *ibdev, bool on);
bool sib_tap_owns(const struct ib_device *ibdev);
void sib_tap_read(const struct sib_tap_pkt *tp, u32 off, void *dst, u32 len);

#endif /* SIB_TAP_H */
