// SPDX-License-Identifier: GPL-2.0-only
/*
 * Frames that stock capture tools decode: an InfiniBand packet becomes a
 * RoCEv1-style Ethernet frame (ethertype 0x8915) carrying GRH, BTH, the
 * DETH of UD packets, ImmDt where the opcode has one, the payload, its pad
 * bytes and a 4-byte ICRC field (zero: not computed). The LRH has no place
 * in such a frame; its LIDs go into the MAC addresses and, for a packet
 * without a GRH, into a synthesised one (Documentation/rdma_sniffer.rst,
 * "Frames").
 */
#include <linux/build_bug.h>
#include <linux/mm.h>
#include <linux/skbuff.h>
#include <linux/string.h>
#include <rdma/ib_pack.h>

#include "sniffer.h"

#define SNF_ETH_P_ROCE		0x8915
#define SNF_GRH_NEXT_BTH	0x1b

/* MAC of a LID: 02:00:00:00:LL:LL; multicast LIDs get the group bit. */
static void snf_lid_mac(u8 *mac, u16 lid)
{
	mac[0] = lid >= 0xc000 ? 0x03 : 0x02;
	mac[1] = 0;
	mac[2] = 0;
	mac[3] = 0;
	mac[4] = lid >> 8;
	mac[5] = lid & 0xff;
}

/* GID of a LID, for a synthesised GRH: fe80::LLLL. */
static void snf_lid_gid(union ib_gid *gid, u16 lid)
{
	memset(gid, 0, sizeof(*gid));
	gid->raw[0] = 0xfe;
	gid->raw[1] = 0x80;
	gid->raw[14] = lid >> 8;
	gid->raw[15] = lid & 0xff;
}

/* Does this BTH opcode carry an ImmDt? (the four *_WITH_IMMEDIATE) */
static bool snf_opcode_has_imm(u8 opcode)
{
	switch (opcode & 0x1f) {
	case IB_OPCODE_SEND_LAST_WITH_IMMEDIATE:
	case IB_OPCODE_SEND_ONLY_WITH_IMMEDIATE:
	case IB_OPCODE_RDMA_WRITE_LAST_WITH_IMMEDIATE:
	case IB_OPCODE_RDMA_WRITE_ONLY_WITH_IMMEDIATE:
		return true;
	}
	return false;
}

/* Bytes of the headers in front of the payload. */
static unsigned int snf_frame_hlen(const struct snf_frame *f)
{
	return sizeof(f->eth) + sizeof(f->grh) + sizeof(f->bth) +
	       (f->has_deth ? sizeof(f->deth) : 0) +
	       (f->has_imm ? sizeof(f->imm) : 0);
}

/**
 * snf_frame_build() - the headers of the frame for @pkt
 * @f: filled in: headers, pad and total length
 * @pkt: the packet, from a backend
 *
 * Only header values are computed, on the caller's stack; the payload is
 * copied (snf_frame_write()) only if the frame passes the filter.
 */
void snf_frame_build(struct snf_frame *f, const struct rdma_sniffer_ib_pkt *pkt)
{
	unsigned int hlen;

	BUILD_BUG_ON(sizeof(struct snf_bth) != 12);
	BUILD_BUG_ON(sizeof(struct snf_deth) != 8);
	BUILD_BUG_ON(sizeof(struct ib_grh) != 40);

	f->has_deth = (pkt->opcode & 0xe0) == IB_OPCODE_UD;
	f->has_imm = snf_opcode_has_imm(pkt->opcode);
	f->pad = -pkt->len & 3;
	hlen = snf_frame_hlen(f);
	f->len = hlen + pkt->len + f->pad + SNF_ICRC_LEN;

	snf_lid_mac(f->eth.h_dest, pkt->dlid);
	snf_lid_mac(f->eth.h_source, pkt->slid);
	f->eth.h_proto = htons(SNF_ETH_P_ROCE);

	if (pkt->grh) {
		f->grh = *pkt->grh;
	} else {
		f->grh.version_tclass_flow = cpu_to_be32(6 << 28);
		f->grh.next_hdr = SNF_GRH_NEXT_BTH;
		f->grh.hop_limit = 0;
		snf_lid_gid(&f->grh.sgid, pkt->slid);
		snf_lid_gid(&f->grh.dgid, pkt->dlid);
	}
	/* PayLen as on the wire: everything after the GRH, ICRC included. */
	f->grh.paylen = cpu_to_be16(f->len - sizeof(f->eth) - sizeof(f->grh));

	f->bth.opcode = pkt->opcode;
	f->bth.flags = (pkt->solicited ? 0x80 : 0) | f->pad << 4;
	f->bth.pkey = cpu_to_be16(pkt->pkey);
	f->bth.dqpn = cpu_to_be32(pkt->dqpn & 0xffffff);
	f->bth.psn = cpu_to_be32(pkt->psn & 0xffffff);
	f->deth.qkey = cpu_to_be32(pkt->qkey);
	f->deth.sqpn = cpu_to_be32(pkt->sqpn & 0xffffff);
	f->imm = pkt->imm;
}

/**
 * snf_pkt_payload() - copy a packet's whole payload
 * @pkt: the packet, from a backend
 * @dst: room for @pkt->len bytes
 */
void snf_pkt_payload(const struct rdma_sniffer_ib_pkt *pkt, void *dst)
{
	if (pkt->payload)
		memcpy(dst, pkt->payload, pkt->len);
	else
		pkt->read(pkt, 0, dst, pkt->len);
}

/**
 * snf_frame_head() - bytes of @f to allocate in an skb's head
 * @f: the frame, from snf_frame_build()
 *
 * A frame of up to SNF_FRAME_LINEAR_MAX bytes goes whole into the head; a
 * longer one puts only its headers there and its payload into a page
 * fragment (snf_frame_write()). A head of more than a page comes from
 * kmalloc, whose object (8 KB for a 4 KB IPoIB packet) is cleared whole
 * when allocated where init_on_alloc is on (Debian's default): twice the
 * bytes copied into it. Page fragments are carved from pages cleared once.
 *
 * Return: the head's size.
 */
unsigned int snf_frame_head(const struct snf_frame *f)
{
	return f->len <= SNF_FRAME_LINEAR_MAX ? f->len : snf_frame_hlen(f);
}

/**
 * snf_frame_write() - the whole frame into @skb
 * @f: its headers, from snf_frame_build()
 * @pkt: the packet (its payload)
 * @skb: with snf_frame_head(@f) bytes of room in its head, or room for the
 *       whole frame (an skb of the monitor's pool)
 *
 * Context: any; does not sleep.
 * Return: 0, or -ENOMEM when no page fragment could be had for the payload
 * (@skb is then the caller's to free).
 */
int snf_frame_write(const struct snf_frame *f,
		    const struct rdma_sniffer_ib_pkt *pkt, struct sk_buff *skb)
{
	unsigned int tail = pkt->len + f->pad + SNF_ICRC_LEN;
	struct page *page;
	void *frag;

	skb_put_data(skb, &f->eth, sizeof(f->eth));
	skb_put_data(skb, &f->grh, sizeof(f->grh));
	skb_put_data(skb, &f->bth, sizeof(f->bth));
	if (f->has_deth)
		skb_put_data(skb, &f->deth, sizeof(f->deth));
	if (f->has_imm)
		skb_put_data(skb, &f->imm, sizeof(f->imm));
	if (skb_tailroom(skb) >= tail) {
		snf_pkt_payload(pkt, skb_put(skb, pkt->len));
		skb_put_zero(skb, f->pad + SNF_ICRC_LEN);
		return 0;
	}
	frag = netdev_alloc_frag(tail);
	if (!frag)
		return -ENOMEM;
	snf_pkt_payload(pkt, frag);
	memset(frag + pkt->len, 0, f->pad + SNF_ICRC_LEN);
	page = virt_to_head_page(frag);
	skb_add_rx_frag(skb, 0, page, frag - page_address(page), tail,
			SKB_DATA_ALIGN(tail));
	return 0;
}
