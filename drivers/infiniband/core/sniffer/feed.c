// SPDX-License-Identifier: GPL-2.0-only
/*
 * The "user" backend: a port's packets come from a user-space feeder, one
 * write() each to the monitor's debugfs "feed" file, for hardware whose
 * capture path is reachable only through the verbs ABI (mlx5's sniffer
 * flows: tools/rdma_sniffer_feed/). "new_user_port DEVICE PORT" marks a
 * port as fed so; a monitor created on it afterwards takes this backend,
 * before any other.
 *
 * A write is one flags byte (bit 0: the port sent the packet; the other
 * bits must be 0) and the packet:
 *  - on a port with an Ethernet link layer (RoCE), an Ethernet frame from
 *    its destination MAC, passed to the monitor as it is; a RoCEv1 or
 *    RoCEv2 frame is read for the filter, any other frame for its
 *    ethertype and UDP ports only (the filter's ethertype and udp terms);
 *  - on an InfiniBand port, the packet from its LRH to its ICRC (which may
 *    be missing; a VCRC after it is allowed and dropped), framed as the
 *    other backends' packets are: the Ethernet header and the GRH (its own
 *    or one synthesised from the LIDs) in front of its bytes from the BTH
 *    on, unchanged.
 * Anything else is refused with -EINVAL, a rate-limited line saying why
 * and the monitor's "malformed" counter; the monitor is not touched.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/etherdevice.h>
#include <linux/if_vlan.h>
#include <linux/ip.h>
#include <linux/ipv6.h>
#include <linux/udp.h>
#include <net/ipv6.h>
#include <rdma/ib_pack.h>

#include "sniffer.h"

#define SNF_LRH_LEN		8
#define SNF_GRH_NEXT_BTH	0x1b
#define SNF_ETH_P_ROCE		0x8915
#define SNF_ROCE_UDP_PORT	4791

static bool snf_user_serves(struct ib_device *dev, u32 port)
{
	struct snf_dev *sd = xa_load(&snf_devs, dev->index);

	lockdep_assert_held(&snf_lock);
	return sd && port < sd->nports && sd->ports[port].user_fed;
}

struct rdma_sniffer_backend snf_user_backend = {
	.name = "user",
	.serves = snf_user_serves,
};

/**
 * snf_user_port_add() - mark a port as fed from user space
 * @sd: the device
 * @port: a port of it, checked by the caller
 *
 * Context: process, snf_lock held.
 * Return: 0, -EEXIST (marked already) or -EBUSY (it has a monitor of
 * another backend).
 */
int snf_user_port_add(struct snf_dev *sd, u32 port)
{
	lockdep_assert_held(&snf_lock);
	if (sd->ports[port].user_fed)
		return -EEXIST;
	if (sd->ports[port].mon)
		return -EBUSY;
	sd->ports[port].user_fed = true;
	return 0;
}

/**
 * snf_user_port_del() - the port is no longer fed from user space
 * @sd: the device
 * @port: a port of it, checked by the caller
 *
 * Context: process, snf_lock held.
 * Return: 0, -ENOENT (not marked) or -EBUSY (its monitor is fed so).
 */
int snf_user_port_del(struct snf_dev *sd, u32 port)
{
	lockdep_assert_held(&snf_lock);
	if (!sd->ports[port].user_fed)
		return -ENOENT;
	if (sd->ports[port].mon &&
	    sd->ports[port].mon->backend == &snf_user_backend)
		return -EBUSY;
	sd->ports[port].user_fed = false;
	return 0;
}

/*
 * The header values of an InfiniBand packet @p of @n bytes (from the LRH),
 * checked against each other and @n. On success, @pkt holds them (its
 * payload: from the BTH on, for the filter's sake only), *@hlen the
 * length of LRH and GRH and *@plen the packet's length from PktLen.
 */
static int snf_feed_ib_parse(struct snf_mon *mon, const u8 *p, u32 n,
			     struct rdma_sniffer_ib_pkt *pkt, u32 *hlen,
			     u32 *plen)
{
	const struct snf_lrh *lrh = (const void *)p;
	const char *name = mon->netdev->name;
	const struct snf_deth *deth = NULL;
	const struct snf_bth *bth;
	u32 tlen, lnh, pad;

	if (n < SNF_LRH_LEN + sizeof(*bth)) {
		pr_warn_ratelimited("%s: feed: %u bytes: shorter than an LRH and a BTH\n",
				    name, n);
		return -EINVAL;
	}
	lnh = lrh->sl_lnh & 3;
	if (lnh != SNF_LRH_LNH_LOCAL && lnh != SNF_LRH_LNH_GLOBAL) {
		pr_warn_ratelimited("%s: feed: LNH %u: not an IBA transport packet\n",
				    name, lnh);
		return -EINVAL;
	}
	*plen = (be16_to_cpu(lrh->pktlen) & 0x7ff) * 4;
	if (n != *plen && n + SNF_ICRC_LEN != *plen &&
	    n != *plen + SNF_VCRC_LEN) {
		pr_warn_ratelimited("%s: feed: PktLen says %u bytes, the write has %u\n",
				    name, *plen, n);
		return -EINVAL;
	}
	*hlen = SNF_LRH_LEN;
	if (lnh == SNF_LRH_LNH_GLOBAL) {
		const struct ib_grh *grh = (const void *)(p + *hlen);

		*hlen += sizeof(*grh);
		if (*plen < *hlen + sizeof(*bth) + SNF_ICRC_LEN) {
			pr_warn_ratelimited("%s: feed: PktLen %u: too short for LRH, GRH, BTH and ICRC\n",
					    name, *plen);
			return -EINVAL;
		}
		if (grh->next_hdr != SNF_GRH_NEXT_BTH) {
			pr_warn_ratelimited("%s: feed: GRH next header %#x is not a BTH (0x1b)\n",
					    name, grh->next_hdr);
			return -EINVAL;
		}
		pkt->grh = grh;
	}
	bth = (const void *)(p + *hlen);
	tlen = sizeof(*bth);
	pkt->opcode = bth->opcode;
	if ((bth->opcode & 0xe0) == IB_OPCODE_UD) {
		deth = (const void *)(p + *hlen + tlen);
		tlen += sizeof(*deth);
	}
	if ((bth->opcode & 0x1f) == IB_OPCODE_SEND_LAST_WITH_IMMEDIATE ||
	    (bth->opcode & 0x1f) == IB_OPCODE_SEND_ONLY_WITH_IMMEDIATE ||
	    (bth->opcode & 0x1f) == IB_OPCODE_RDMA_WRITE_LAST_WITH_IMMEDIATE ||
	    (bth->opcode & 0x1f) == IB_OPCODE_RDMA_WRITE_ONLY_WITH_IMMEDIATE)
		tlen += sizeof(__be32);
	pad = (bth->flags >> 4) & 3;
	if (*plen < *hlen + tlen + pad + SNF_ICRC_LEN) {
		pr_warn_ratelimited("%s: feed: PktLen %u: too short for the headers of opcode %#x and %u pad bytes\n",
				    name, *plen, bth->opcode, pad);
		return -EINVAL;
	}
	/* Checked above: the DETH is within the write. */
	if (deth) {
		pkt->qkey = be32_to_cpu(deth->qkey);
		pkt->sqpn = be32_to_cpu(deth->sqpn) & 0xffffff;
	}
	pkt->len = *plen - *hlen - tlen - pad - SNF_ICRC_LEN;
	pkt->payload = bth;
	pkt->dlid = be16_to_cpu(lrh->dlid);
	pkt->slid = be16_to_cpu(lrh->slid);
	pkt->sl = lrh->sl_lnh >> 4;
	pkt->pkey = be16_to_cpu(bth->pkey);
	pkt->dqpn = be32_to_cpu(bth->dqpn) & 0xffffff;
	pkt->psn = be32_to_cpu(bth->psn) & 0xffffff;
	pkt->solicited = bth->flags & 0x80;
	return 0;
}

/*
 * An InfiniBand packet: its headers framed as rdma_sniffer_ib_packet()
 * does, followed by its own bytes from the BTH to the ICRC (zeroed where
 * the write had none).
 */
static int snf_feed_ib(struct snf_mon *mon, bool sent, const u8 *p, u32 n)
{
	struct rdma_sniffer_ib_pkt pkt = {};
	struct snf_frame fr;
	struct sk_buff *skb;
	struct snf_mon *live;
	u32 hlen, plen, have;
	int ret;

	ret = snf_feed_ib_parse(mon, p, n, &pkt, &hlen, &plen);
	if (ret)
		return ret;
	/* Same length: headers as framed, then the rest of the packet. */
	snf_frame_build(&fr, &pkt);
	rcu_read_lock();
	live = snf_mon_live(mon->sd, mon->port);
	skb = live == mon ? snf_mon_admit(mon, &fr, &pkt, fr.len) : NULL;
	if (skb) {
		have = min(n, plen) - hlen;
		skb_put_data(skb, &fr.eth, sizeof(fr.eth));
		skb_put_data(skb, &fr.grh, sizeof(fr.grh));
		skb_put_data(skb, p + hlen, have);
		skb_put_zero(skb, plen - hlen - have);
		snf_mon_queue(mon, skb, sent);
	}
	rcu_read_unlock();
	return 0;
}

static u16 snf_be16_at(const u8 *p)
{
	return p[0] << 8 | p[1];
}

/* A UDP header's ports, for the filter's udp term. */
static void snf_feed_udp(struct snf_frame *fr, const struct udphdr *udp)
{
	fr->has_udp = true;
	fr->udp_sport = ntohs(udp->source);
	fr->udp_dport = ntohs(udp->dest);
}

/*
 * Is Ethernet frame @p (@n bytes) RoCE? Then its header values for the
 * filter into @fr (GIDs: the GRH's, or the IP addresses, IPv4 ones mapped)
 * and @pkt (LIDs 0). Whatever it is, @fr gets its ethertype (after a VLAN
 * tag) and, for IPv4 or IPv6 UDP, its ports.
 */
static bool snf_feed_roce(const u8 *p, u32 n, struct snf_frame *fr,
			  struct rdma_sniffer_ib_pkt *pkt)
{
	const struct snf_bth *bth;
	u32 off = ETH_HLEN;
	u16 type;

	type = snf_be16_at(p + 12);
	if (type == ETH_P_8021Q && n >= off + VLAN_HLEN) {
		type = snf_be16_at(p + off + 2);
		off += VLAN_HLEN;
	}
	fr->eth.h_proto = htons(type);
	if (type == SNF_ETH_P_ROCE) {
		if (n < off + sizeof(fr->grh))
			return false;
		memcpy(&fr->grh, p + off, sizeof(fr->grh));
		if (fr->grh.next_hdr != SNF_GRH_NEXT_BTH)
			return false;
		off += sizeof(fr->grh);
	} else if (type == ETH_P_IP) {
		struct iphdr ip;
		struct udphdr udp;

		if (n < off + sizeof(ip))
			return false;
		memcpy(&ip, p + off, sizeof(ip));
		if (ip.version != 4 || ip.ihl < 5 || ip.protocol != IPPROTO_UDP ||
		    (ip.frag_off & htons(IP_OFFSET)) ||
		    n < off + ip.ihl * 4 + sizeof(udp))
			return false;
		memcpy(&udp, p + off + ip.ihl * 4, sizeof(udp));
		snf_feed_udp(fr, &udp);
		if (udp.dest != htons(SNF_ROCE_UDP_PORT))
			return false;
		ipv6_addr_set_v4mapped(ip.saddr, (struct in6_addr *)&fr->grh.sgid);
		ipv6_addr_set_v4mapped(ip.daddr, (struct in6_addr *)&fr->grh.dgid);
		off += ip.ihl * 4 + sizeof(udp);
	} else if (type == ETH_P_IPV6) {
		struct ipv6hdr ip6;
		struct udphdr udp;

		if (n < off + sizeof(ip6) + sizeof(udp))
			return false;
		memcpy(&ip6, p + off, sizeof(ip6));
		memcpy(&udp, p + off + sizeof(ip6), sizeof(udp));
		if (ip6.version != 6 || ip6.nexthdr != IPPROTO_UDP)
			return false;
		snf_feed_udp(fr, &udp);
		if (udp.dest != htons(SNF_ROCE_UDP_PORT))
			return false;
		memcpy(fr->grh.sgid.raw, &ip6.saddr, sizeof(ip6.saddr));
		memcpy(fr->grh.dgid.raw, &ip6.daddr, sizeof(ip6.daddr));
		off += sizeof(ip6) + sizeof(udp);
	} else {
		return false;
	}
	if (n < off + sizeof(*bth))
		return false;
	bth = (const void *)(p + off);
	pkt->opcode = bth->opcode;
	pkt->pkey = be16_to_cpu(bth->pkey);
	pkt->dqpn = be32_to_cpu(bth->dqpn) & 0xffffff;
	fr->has_deth = (bth->opcode & 0xe0) == IB_OPCODE_UD &&
		       n >= off + sizeof(*bth) + sizeof(struct snf_deth);
	if (fr->has_deth) {
		const struct snf_deth *deth = (const void *)(p + off + sizeof(*bth));

		pkt->sqpn = be32_to_cpu(deth->sqpn) & 0xffffff;
	}
	return true;
}

/* An Ethernet frame: to the monitor as it is. */
static int snf_feed_eth(struct snf_mon *mon, bool sent, const u8 *p, u32 n)
{
	struct rdma_sniffer_ib_pkt pkt = {};
	struct snf_frame fr = {};
	struct snf_mon *live;
	struct sk_buff *skb;
	bool roce;

	if (n < ETH_HLEN) {
		pr_warn_ratelimited("%s: feed: %u bytes: shorter than an Ethernet header\n",
				    mon->netdev->name, n);
		return -EINVAL;
	}
	roce = snf_feed_roce(p, n, &fr, &pkt);
	fr.len = n;
	rcu_read_lock();
	live = snf_mon_live(mon->sd, mon->port);
	skb = live == mon ? snf_mon_admit(mon, &fr, roce ? &pkt : NULL, fr.len) : NULL;
	if (skb) {
		skb_put_data(skb, p, n);
		snf_mon_queue(mon, skb, sent);
	}
	rcu_read_unlock();
	return 0;
}

/**
 * snf_feed() - one write() to a monitor's feed file
 * @mon: the monitor, of the user backend
 * @buf: the flags byte and the packet
 * @count: bytes in @buf, 1 to SNF_FEED_MAX + 1 (checked by the caller)
 *
 * A packet written while the monitor is down or has no listener is
 * checked, then ignored, as other backends' packets are then.
 *
 * Context: process.
 * Return: @count, or -EINVAL for a malformed write (counted and logged).
 */
ssize_t snf_feed(struct snf_mon *mon, const u8 *buf, size_t count)
{
	int ret;

	if (buf[0] & ~SNF_FEED_SENT) {
		pr_warn_ratelimited("%s: feed: flags %#x: only bit 0 (sent by the port) is defined\n",
				    mon->netdev->name, buf[0]);
		ret = -EINVAL;
	} else {
		/* The softirq that drains the queue runs at local_bh_enable(). */
		local_bh_disable();
		if (mon->feed_eth)
			ret = snf_feed_eth(mon, buf[0] & SNF_FEED_SENT, buf + 1,
					   count - 1);
		else
			ret = snf_feed_ib(mon, buf[0] & SNF_FEED_SENT, buf + 1,
					  count - 1);
		local_bh_enable();
	}
	if (ret) {
		atomic64_inc(&mon->cnt.malformed);
		return ret;
	}
	return count;
}
